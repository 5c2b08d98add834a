//! What became of each clause, for the explanation of every verdict: decided,
//! applied alongside, dry run, excepted or overridden, undecided, lapsed or not
//! yet started (a covenant, with its window as computed), did not apply (with
//! the tests that failed), or about another action or channel (counted, not
//! listed unless asked). Also the facts the clauses in scope read, each with its
//! plain-words label and what was given. Reads the verdict the evaluator built;
//! decides nothing.

use super::interp::{blame_in, eval_cond, Ctx, Truth};
use super::verdict::{FactUsed, Outcome, Position, RuleResult, Status, Window};
use crate::policy::{Cond, CovenantSpec, GardenLeave, Policy, RuleKind, Term};
use crate::value::Value;
use jiff::civil::Date;

/// Facts whose failing test puts a clause out of scope: it is about another kind of action or channel.
const SCOPE_FACTS: [&str; 2] = ["action", "channel"];

/// A covenant's period when it has no end date, in words.
pub const NO_END: &str = "no end date";

/// The tests of a covenant that say whether the action falls in its window (the actor has left; the date).
const WINDOW_FACTS: [&str; 2] = ["at", "actor.status"];

/// A covenant's condition with its window tests taken as holding: what else it asks.
fn within_window(c: &Cond) -> Cond {
    match c {
        Cond::Test(t) if matches!(&t.lhs, Term::Fact(f) if WINDOW_FACTS.contains(&f.as_str())) => Cond::True,
        Cond::All(parts) => Cond::All(parts.iter().map(within_window).collect()),
        Cond::Any(parts) => Cond::Any(parts.iter().map(within_window).collect()),
        Cond::Not(inner) => Cond::Not(Box::new(within_window(inner))),
        other => other.clone(),
    }
}

/// Sets each clause's outcome (and a covenant's window); returns how many are out of scope.
/// `conflict`: the verdict is indeterminate because the deciding clauses disagree.
pub fn classify(
    results: &mut [RuleResult],
    policy: &Policy,
    deciding: &[String],
    conflict: bool,
    ctx: &Ctx<'_>,
) -> usize {
    let mut out_of_scope = 0;
    let deciding = super::by_id::IdSet::new(deciding);
    for (rule, r) in policy.rules.iter().zip(results.iter_mut()) {
        if let RuleKind::Covenant { index } = rule.kind {
            r.window = policy.covenants.get(index).map(|spec| window(spec, ctx));
        }
        r.outcome = match r.status {
            Status::Applies if r.dry_run => Outcome::DryRun,
            Status::Applies if deciding.contains(&r.id) && conflict => Outcome::InConflict,
            Status::Applies if deciding.contains(&r.id) => Outcome::Decided,
            Status::Applies => Outcome::Applies,
            Status::Excepted => Outcome::Excepted,
            Status::Overridden => Outcome::Overridden,
            Status::Undecided => Outcome::Undecided,
            Status::SetAside => Outcome::SetAside,
            Status::NotApplicable => {
                let off_scope = r.failed.iter().any(|t| t.fact.as_deref().is_some_and(|f| SCOPE_FACTS.contains(&f)));
                let outside = r.window.as_ref().map(|w| w.action_falls);
                if !off_scope && matches!(outside, Some(Position::After | Position::Before)) {
                    // A covenant outside its window covered the action only if the rest of its
                    // condition (whom, look-back, radius) holds; else that is why it did not apply.
                    let rest = within_window(&rule.when);
                    let mut trace = Vec::new();
                    if eval_cond(&rest, ctx, &mut trace) == Truth::False {
                        r.failed = blame_in(&rest, &trace);
                    }
                }
                let covered = r.failed.iter().all(|t| t.fact.as_deref().is_some_and(|f| WINDOW_FACTS.contains(&f)));
                match outside {
                    _ if off_scope => Outcome::OutOfScope,
                    Some(Position::After) if covered => Outcome::Lapsed,
                    Some(Position::Before) if covered => Outcome::NotYetStarted,
                    _ => Outcome::DidNotApply,
                }
            }
        };
        if r.outcome == Outcome::OutOfScope {
            out_of_scope += 1;
        }
    }
    out_of_scope
}

fn date_fact(ctx: &Ctx<'_>, path: &str) -> Option<Date> {
    super::interp::date_value(&ctx.fact(path)?, ctx)
}

/// A covenant's window for this action: the same dates its condition tests,
/// resolved from the same terms (`at <= CovenantSpec::end`,
/// `last_dealt_with >= departure - look-back`).
pub fn window(spec: &CovenantSpec, ctx: &Ctx<'_>) -> Window {
    let departed = date_fact(ctx, "actor.departed_on");
    let garden = if spec.garden_leave.counts() { date_fact(ctx, "actor.garden_leave_from") } else { None };
    let counted_from = match (spec.garden_leave, garden) {
        (GardenLeave::RunsFrom, Some(_)) => "actor.garden_leave_from",
        _ => "actor.departed_on",
    };
    let until = spec.duration.and_then(|d| super::interp::resolve_date(&spec.end(d), ctx));
    let until_without_offset =
        garden.and(spec.duration).and_then(|d| super::interp::resolve_date(&GardenLeave::NotCounted.end(d), ctx));
    let garden_leave_days = match (spec.garden_leave, garden, departed) {
        (GardenLeave::ReducedBy, Some(_), Some(_)) => Some(Term::reduced_days(garden, departed).unwrap_or(0)),
        _ => None,
    };
    let lookback_from = spec.lookback.zip(departed).and_then(|(lb, d)| lb.shift(d, false));
    let action_on = ctx.date_of(ctx.at);
    let not_departed = match ctx.fact("actor.status") {
        Some(Value::Symbol(s)) if s != "departed" => Some(s),
        _ => None,
    };
    let action_falls = match (until, departed) {
        _ if not_departed.is_some() => Position::Before,
        (Some(u), _) if action_on > u => Position::After,
        (_, Some(d)) if action_on < d => Position::Before,
        (Some(_), _) => Position::Inside,
        // No end date: from departure on, every day is inside.
        (None, Some(_)) if spec.duration.is_none() => Position::Inside,
        (None, _) => Position::Unknown,
    };
    Window {
        period: spec.duration.map_or_else(|| NO_END.to_string(), |d| d.to_string()),
        no_end: spec.duration.is_none(),
        from: departed,
        until,
        counted_from: counted_from.to_string(),
        garden_leave_offset: spec.garden_leave.counts(),
        garden_leave: spec.garden_leave,
        garden_leave_days,
        until_without_offset,
        lookback: spec.lookback.map(|l| l.to_string()),
        lookback_from,
        action_on,
        not_departed,
        action_falls,
    }
}

/// The facts the clauses in scope read, in the order first read, each with its
/// label and what the action gave (or what its absence is taken as).
pub fn facts_used(results: &[RuleResult], ctx: &Ctx<'_>) -> Vec<FactUsed> {
    let mut out: Vec<FactUsed> = Vec::new();
    let in_scope: Vec<&RuleResult> = results.iter().filter(|r| r.outcome != Outcome::OutOfScope).collect();
    let tested = in_scope.iter().flat_map(|r| r.tests.iter().chain(&r.failed)).filter_map(|t| t.fact.as_deref());
    // A covenant's window reads the dates it was computed from.
    let window_facts = in_scope.iter().filter_map(|r| r.window.as_ref()).flat_map(|w| {
        let garden = w.garden_leave_offset.then_some("actor.garden_leave_from");
        let dealt = w.lookback.is_some().then_some("target.last_dealt_with");
        ["actor.departed_on"].into_iter().chain(garden).chain(dealt)
    });
    for path in tested.chain(window_facts) {
        // A part's presence (`target`) is not a fact of its own.
        let part = crate::data::flat::Field::of_path(path).is_some_and(|f| f.ty().is_none());
        if part || out.iter().any(|f| f.path == path) {
            continue;
        }
        let given = ctx.given(path);
        let value = match &given {
            Some(v) => v.to_string(),
            None => ctx.types.absent_words(path).to_string(),
        };
        out.push(FactUsed { path: path.to_string(), label: crate::facts::label(path), given: given.is_some(), value });
    }
    out
}
