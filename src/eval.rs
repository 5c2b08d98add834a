//! Stage 4: decide an action against a normalized [`Policy`].
//!
//! How clauses combine (fixed, documented in the README, visible in every
//! explanation):
//! 1. each clause's condition is evaluated in three-valued logic; an `unless`
//!    that holds excepts it; an `exception` clause that applies overrides the
//!    clauses it names; dry-run clauses are reported, never enforced;
//! 2. a `require approval` clause (or deciding default) whose approval was
//!    already granted (`approval.granted_by`) counts as allow;
//! 3. the most restrictive applicable outcome wins (deny > require-approval >
//!    allow) — or, under `conflicts indeterminate`, differing outcomes make the
//!    verdict indeterminate, naming the clauses;
//! 4. with no applicable clause, a section default whose scope covers the
//!    action applies, else the policy default, else the verdict is indeterminate;
//! 5. a clause that needs a missing fact and could make the verdict more
//!    restrictive makes it indeterminate, listing the missing fields (and the
//!    advice of those clauses, which often says what would settle them);
//! 6. obligations, advice and law notes of every enforced clause that applies are
//!    attached, whatever the verdict; the engine adds advice of its own (with an
//!    empty `rule`) where the action falls into a gap of the policy — an account
//!    or a new connection no ownership clause covers, a leaver's approach no
//!    covenant restrains ([`gaps`]). It never fills the gap.
//!
//! Explanations show every test a clause ran, marked by whether it counts
//! towards the clause (inside `not` and `unless`, a test that does not hold does);
//! a `limit` also shows the count with this action and the day, week or 24 hours
//! counted, in the policy's timezone.
//!
//! The evaluator does no IO; it reads facts through the [`Facts`] trait.

pub(crate) mod by_id;
pub mod explain;
pub mod gaps;
pub mod interp;
pub mod items;
pub mod outcome;
pub mod suite;
pub mod terms;
pub mod verdict;

pub use verdict::{Basis, Decision, ObligationRef, Verdict};

use crate::policy::{Effect, Policy, Rule, RuleKind, SectionKind};
use crate::semantics;
use crate::source::SourceFile;
use crate::value::Value;
use interp::{eval_cond, Ctx, TestTrace, Truth};
use verdict::{Note, ObligationOut, RuleResult, Status};

/// Where the evaluator reads an action's facts from.
pub trait Facts {
    /// The value of a fact by dotted path, or `None` when the action lacks it.
    /// A bare part name (`target`, `content`) is present when the action has that part.
    fn fact(&self, path: &str) -> Option<Value>;

    /// The approvals on file, when the source holds them whole (an
    /// [`Action`](crate::data::action::Action)); `None`: read
    /// `approval.granted_by` as one plain approval.
    fn approvals(&self) -> Option<&[crate::data::action::Approval]> {
        None
    }

    /// The value of a fact read as the type the policy declared for it.
    fn fact_typed(&self, path: &str, ty: Option<&crate::value::Type>) -> Option<Value> {
        let _ = ty;
        self.fact(path)
    }

    /// An action about several groups of contacts, split into one action per
    /// group ([`items`]); `None` for every other source.
    fn group_actions(&self) -> Option<Vec<crate::data::action::Action>> {
        None
    }
}

impl Facts for crate::data::action::Action {
    fn group_actions(&self) -> Option<Vec<crate::data::action::Action>> {
        crate::data::action::Action::group_actions(self)
    }

    fn approvals(&self) -> Option<&[crate::data::action::Approval]> {
        Some(self.approval.as_deref().unwrap_or_default())
    }

    fn fact(&self, path: &str) -> Option<Value> {
        let part = match path {
            "actor" => true,
            "account" => self.account.is_some(),
            "content" => self.content.is_some(),
            "target" => self.target.is_some(),
            "contacts" => self.contacts.is_some(),
            "history" => self.history.is_some(),
            "approval" => self.approval.is_some(),
            "request" => self.request.is_some(),
            "material" => self.material.is_some(),
            _ => return crate::data::action::Action::fact(self, path),
        };
        part.then_some(Value::Bool(true))
    }

    fn fact_typed(&self, path: &str, ty: Option<&crate::value::Type>) -> Option<Value> {
        match ty {
            Some(t) if path.starts_with("facts.") => crate::data::action::Action::fact_typed(self, path, t),
            _ => Facts::fact(self, path),
        }
    }
}

impl Facts for std::collections::BTreeMap<String, Value> {
    fn fact(&self, path: &str) -> Option<Value> {
        if path.contains('.') {
            self.get(path).cloned()
        } else if let Some(v) = self.get(path) {
            Some(v.clone())
        } else {
            // A part (`target`) is present when any of its fields is.
            let prefix = format!("{path}.");
            self.keys().any(|k| k.starts_with(&prefix)).then_some(Value::Bool(true))
        }
    }
}

/// Settings for one evaluation.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// The time used when the action gives no `at`.
    pub now: jiff::Timestamp,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions { now: jiff::Timestamp::now() }
    }
}

/// What a policy knows of every fact path: the built-ins, `facts.NAME`, the
/// counters of `history.counts` its clauses read, and its assumptions.
pub fn fact_types(policy: &Policy) -> crate::facts::Known {
    crate::facts::Known::of(policy)
}

/// The policy's timezone (UTC when it names none that is known).
pub(crate) fn tz(policy: &Policy) -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get(&policy.meta.timezone).unwrap_or(jiff::tz::TimeZone::UTC)
}

/// Decides an action. An action about several groups of contacts is decided
/// group by group, and the whole from the groups ([`items`]).
pub fn evaluate(policy: &Policy, file: &SourceFile, facts: &dyn Facts, opts: &EvalOptions) -> Verdict {
    if let Some(groups) = facts.group_actions() {
        return items::evaluate_groups(policy, file, &groups, opts);
    }
    let zone = tz(policy);
    let at = match facts.fact("at") {
        Some(Value::Timestamp(t)) => t,
        Some(Value::Date(d)) => d.to_zoned(zone.clone()).map(|z| z.timestamp()).unwrap_or(opts.now),
        _ => opts.now,
    };
    let types = fact_types(policy);
    let ctx = Ctx { facts, tz: &zone, at, types: &types };

    // 1. Each clause on its own.
    let mut results: Vec<RuleResult> = policy.rules.iter().map(|r| eval_rule(r, &ctx, file, policy)).collect();

    // Exceptions override the clauses they name, in source order (an exception
    // already overridden overrides nothing). Ids are unique: one look-up each.
    // (The index is built only for a policy that has exceptions.)
    let has_exceptions = policy.rules.iter().any(|r| !r.overrides.is_empty());
    let index: std::collections::HashMap<&str, usize> = if has_exceptions {
        policy.rules.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect()
    } else {
        std::collections::HashMap::new()
    };
    for (i, rule) in policy.rules.iter().enumerate() {
        if rule.overrides.is_empty() || rule.dry_run {
            continue;
        }
        if results.get(i).map(|r| r.status) != Some(Status::Applies) {
            continue;
        }
        for target in &rule.overrides {
            let Some(r) = index.get(target.as_str()).and_then(|&t| results.get_mut(t)) else { continue };
            if matches!(r.status, Status::Applies | Status::Undecided) {
                r.status = Status::Overridden;
                r.overridden_by = Some(rule.id.clone());
            }
        }
    }

    // 2. Approvals already granted: those on file that count for this action (the semantics' one
    // rule, semantics::approval_counts), and those that do not, each with why.
    let on_file = approvals_on_file(facts, &ctx);
    let granted = |e: &Effect| -> Option<String> {
        let Effect::RequireApproval { approvers, join } = e else { return None };
        let by = |a: &String| on_file.iter().find(|(x, ok)| ok.is_ok() && x.granted_by.as_ref() == Some(a));
        semantics::approval_met(*join, approvers, |a| by(a).is_some()).then(|| {
            let who: Vec<String> = approvers.iter().filter_map(by).map(|(x, _)| semantics::approval_words(x)).collect();
            match join {
                crate::ast::Join::Any => who.into_iter().next().unwrap_or_default(),
                crate::ast::Join::All => who.join(" and "),
            }
        })
    };
    for r in results.iter_mut() {
        if r.status != Status::Applies || on_file.is_empty() {
            continue;
        }
        if let Effect::RequireApproval { approvers, join } = &r.effect {
            match granted(&r.effect) {
                Some(who) => r.approved_by = Some(who),
                None => r.approval_refused = Some(approval_refused(&on_file, approvers, *join)),
            }
        }
    }
    // The rank a clause counts with (an approved require-approval counts as allow).
    let rank_of = |r: &RuleResult| r.effect.rank().map(|k| semantics::effective_rank(k, r.approved_by.is_some()));
    let counts = |r: &RuleResult| !r.dry_run && r.effect.rank().is_some();
    // 3a. Precedence (the semantics' one rule): of the clauses that apply, those a higher
    // priority tier or, under `conflicts most_specific`, a more specific clause beats are
    // out of contention; the rest settle by their outcomes.
    let prec = semantics::Precedence::of(&policy.meta);
    let contender = |i: usize| match policy.rules.get(i) {
        Some(r) => semantics::Contender::of(r),
        None => semantics::Contender { level: 0, scope: &semantics::GENERAL },
    };
    let applying: Vec<usize> = (0..results.len())
        .filter(|&i| results.get(i).is_some_and(|r| r.status == Status::Applies && counts(r)))
        .collect();
    let contenders: Vec<semantics::Contender<'_>> = applying.iter().map(|&i| contender(i)).collect();
    // Asked once per distinct (level, scope): clauses alike are beaten alike.
    let (distinct, class) = semantics::distinct_contenders(&contenders);
    let field = semantics::Field::new(prec, &distinct);
    let in_contention: Vec<bool> = contenders.iter().map(|c| !field.beaten(*c)).collect();
    let deciders: Vec<&RuleResult> =
        applying.iter().zip(&in_contention).filter(|(_, keep)| **keep).filter_map(|(&i, _)| results.get(i)).collect();
    // Those beaten, each with the first clause in contention that beat it, and how.
    let mut winners: Vec<(usize, usize)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for ((&w, keep), &c) in applying.iter().zip(&in_contention).zip(&class) {
        if *keep && seen.insert(c) {
            winners.push((w, c));
        }
    }
    // The first clause in contention about each scope (all are of the top level).
    let mut first_about: std::collections::HashMap<&semantics::Scope, (usize, usize)> = Default::default();
    for &(w, c) in &winners {
        if let Some(d) = distinct.get(c) {
            first_about.entry(d.scope).or_insert((w, c));
        }
    }
    let mut beaten_by: std::collections::HashMap<usize, Option<(usize, semantics::Beaten)>> = Default::default();
    let beaten: Vec<(&RuleResult, &RuleResult, semantics::Beaten)> = applying
        .iter()
        .zip(&in_contention)
        .zip(&class)
        .filter(|((_, keep), _)| !**keep)
        .filter_map(|((&l, _), &cl)| {
            let (w, how) = (*beaten_by.entry(cl).or_insert_with(|| {
                let loser = *distinct.get(cl)?;
                // Beaten by priority: by the first clause in contention (each is of the top level);
                // else by the first of those in contention more specific than it.
                let by_priority = winners
                    .first()
                    .copied()
                    .filter(|&(_, cw)| distinct.get(cw).is_some_and(|win| win.level > loser.level));
                let (w, cw) = by_priority.or_else(|| {
                    let specific = field.more_specific_than(loser.scope);
                    specific.into_iter().filter_map(|s| first_about.get(s).copied()).min()
                })?;
                distinct.get(cw).and_then(|win| semantics::beats(prec, *win, loser)).map(|how| (w, how))
            }))?;
            Some((results.get(l)?, results.get(w)?, how))
        })
        .collect();
    let undecided: Vec<&RuleResult> = (0..results.len())
        .filter(|&i| {
            results.get(i).is_some_and(|r| r.status == Status::Undecided && counts(r)) && !field.beaten(contender(i))
        })
        .filter_map(|i| results.get(i))
        .collect();
    let mut applies = [0usize; 3];
    for r in &deciders {
        if let Some(slot) = rank_of(r).and_then(|k| applies.get_mut(usize::from(k))) {
            *slot += 1;
        }
    }

    let mut basis;
    let mut deciding: Vec<String>;
    let mut decision_effect: Option<Effect>;

    let mut conflict: Option<verdict::Conflict> = None;
    let mut default_approved_by: Option<String> = None;
    // Section defaults whose scope cannot be decided, with why.
    let mut unsure_defaults: Vec<(&crate::policy::SectionDefault, Vec<crate::semantics::Undecided>)> = Vec::new();

    // 3. Combine (the semantics' one combining rule).
    match semantics::settle(applies, prec.indeterminate()) {
        semantics::Settled::NoClause => {
            deciding = vec![];
            // 4. Defaults.
            let mut trace = Vec::new();
            let mut section = Vec::new();
            for d in &policy.defaults {
                match eval_cond(&d.scope, &ctx, &mut trace) {
                    Truth::True => section.push(d),
                    Truth::Unknown(why) => unsure_defaults.push((d, why)),
                    Truth::False => {}
                }
            }
            if let Some(strongest) = section.iter().max_by_key(|d| d.effect.rank()) {
                let (line, _) = file.line_col(strongest.span.start);
                basis = Basis::SectionDefault { id: strongest.id.clone(), line };
                deciding.push(strongest.id.clone());
                decision_effect = Some(strongest.effect.clone());
            } else if let Some(d) = &policy.meta.default {
                basis = Basis::PolicyDefault;
                decision_effect = Some(d.clone());
            } else {
                basis = Basis::NoClause;
                decision_effect = None;
            }
            // A default requiring approval is met by the approvals on file that count, as a clause
            // is (the semantics' one rule: approved counts as allow).
            if let Some(who) = decision_effect.as_ref().and_then(granted) {
                default_approved_by = Some(who);
                decision_effect = Some(Effect::Allow);
            }
        }
        semantics::Settled::Conflict => {
            deciding = deciders.iter().map(|r| r.id.clone()).collect();
            basis = Basis::Conflict { rules: deciding.clone() };
            decision_effect = None;
        }
        semantics::Settled::Clauses(top) => {
            let chosen: Vec<&&RuleResult> = deciders.iter().filter(|r| rank_of(r) == Some(top)).collect();
            deciding = chosen.iter().map(|r| r.id.clone()).collect();
            basis = Basis::Clauses;
            // A permission overruled by a restriction is a conflict the precedence settled: name it
            // (not the parts of one clause, such as a duty and the refusal once it is overdue).
            // (Hashed past a few, so that many deciding clauses do not make this quadratic.)
            let chosen_at: Option<std::collections::HashSet<(usize, usize)>> =
                (chosen.len() > 32).then(|| chosen.iter().map(|c| (c.line, c.column)).collect());
            let one_clause = |r: &RuleResult| match &chosen_at {
                Some(at) => at.contains(&(r.line, r.column)),
                None => chosen.iter().any(|c| (c.line, c.column) == (r.line, r.column)),
            };
            let mut overruled: Vec<String> =
                deciders.iter().filter(|r| rank_of(r) == Some(0) && !one_clause(r)).map(|r| r.id.clone()).collect();
            let mut because: Vec<String> = Vec::new();
            if !prec.plain() {
                // Each clause overruled with why: a clause in contention by the outcomes' order, one
                // beaten by the clause that beat it (the explanation says which won and why).
                overruled.clear();
                let rules_by_id = by_id::ById::new(&policy.rules, |r| r.id.as_str());
                let tier = |r: &RuleResult| {
                    let p = rules_by_id.get(&r.id).and_then(|x| x.priority);
                    match p.and_then(|p| policy.meta.priorities.get(usize::from(p))) {
                        Some(t) => format!("priority {t}"),
                        None => "no priority".to_string(),
                    }
                };
                for r in deciders.iter().filter(|r| rank_of(r) < Some(top) && !one_clause(r)) {
                    overruled.push(r.id.clone());
                    let w = chosen.first().map_or(String::new(), |c| c.id.clone());
                    because.push(format!("`{w}` is more restrictive than `{}`, and neither outranks the other", r.id));
                }
                for (l, w, how) in beaten.iter().filter(|(l, _, _)| rank_of(l) != Some(top) && !one_clause(l)) {
                    overruled.push(l.id.clone());
                    because.push(match how {
                        semantics::Beaten::Priority => {
                            format!("`{}` has {}, above `{}` ({})", w.id, tier(w), l.id, tier(l))
                        }
                        semantics::Beaten::Specific => {
                            let scope =
                                |r: &RuleResult| rules_by_id.get(&r.id).map_or(&semantics::GENERAL, |x| &x.scope);
                            format!(
                                "`{}` is more specific than `{}` ({})",
                                w.id,
                                l.id,
                                semantics::specific_words(scope(w), scope(l))
                            )
                        }
                    });
                }
            }
            if (top > 0 || !because.is_empty()) && !overruled.is_empty() {
                conflict = Some(verdict::Conflict {
                    precedence: prec.name(),
                    prevailing: deciding.clone(),
                    overruled,
                    because,
                });
            }
            decision_effect = match top {
                0 => Some(Effect::Allow),
                2 => Some(Effect::Deny),
                _ => chosen.last().map(|r| r.effect.clone()),
            };
        }
    }

    // 5. Undecided clauses that could make it stricter.
    let current_rank = decision_effect.as_ref().and_then(|e| e.rank());
    let no_decision = matches!(basis, Basis::NoClause);
    let blocking: Vec<&&RuleResult> = undecided
        .iter()
        .filter(|r| r.effect.rank().is_some_and(|u| semantics::blocks(u, current_rank, no_decision)))
        .collect();
    // A section default that might cover the action and would be stricter holds it back too:
    // not knowing the channel must not let a post past `posting on other channels { default deny }`.
    // One that requires an approval the approval on file meets would allow: it is not stricter.
    let approved = |e: &Effect| semantics::approved_rank(e.rank(), granted(e).is_some());
    let blocking_defaults: Vec<&(&crate::policy::SectionDefault, Vec<crate::semantics::Undecided>)> = unsure_defaults
        .iter()
        .filter(|(d, _)| approved(&d.effect).is_some_and(|u| semantics::blocks(u, current_rank, no_decision)))
        .collect();
    let mut missing: Vec<String> = Vec::new();
    let mut undecidable: Vec<String> = Vec::new();
    if !blocking.is_empty() || !blocking_defaults.is_empty() {
        let (dm, du) = split_undecided(blocking_defaults.iter().flat_map(|(_, why)| why.iter().cloned()).collect());
        let items = blocking.iter().map(|r| (&r.missing, &r.undecidable)).chain([(&dm, &du)]);
        for (m_items, u_items) in items {
            for (list, items) in [(&mut missing, m_items), (&mut undecidable, u_items)] {
                for m in items {
                    if !list.contains(m) {
                        list.push(m.clone());
                    }
                }
            }
        }
        deciding =
            blocking.iter().map(|r| r.id.clone()).chain(blocking_defaults.iter().map(|(d, _)| d.id.clone())).collect();
        basis = Basis::MissingFacts { rules: deciding.clone() };
        conflict = None;
        decision_effect = None;
        default_approved_by = None;
    }

    let deciding_set = by_id::IdSet::new(&deciding);
    let (decision, approvers) = match &decision_effect {
        None => (Decision::Indeterminate, vec![]),
        Some(Effect::Deny) => (Decision::Deny, vec![]),
        Some(Effect::Allow) | Some(Effect::Advise) => (Decision::Allow, vec![]),
        Some(Effect::RequireApproval { approvers, .. }) => {
            // Every deciding clause's approvers, in order.
            let mut all: Vec<String> = Vec::new();
            for r in results.iter().filter(|r| deciding_set.contains(&r.id)) {
                if let Effect::RequireApproval { approvers, .. } = &r.effect {
                    for a in approvers {
                        if !all.contains(a) {
                            all.push(a.clone());
                        }
                    }
                }
            }
            if all.is_empty() {
                all = approvers.clone();
            }
            (Decision::RequireApproval, all)
        }
    };
    // The approvers in words: `marketing or manager`, or each clause's own words when one needs
    // all of its approvers (`all of {legal, marketing}`).
    let deciding_effects: Vec<&Effect> =
        match results.iter().filter(|r| deciding_set.contains(&r.id)).map(|r| &r.effect).collect::<Vec<_>>() {
            v if v.is_empty() => decision_effect.iter().collect(),
            v => v,
        };
    let approvers_words = approvers_in_words(&approvers, &deciding_effects);

    // Attachments from every enforced clause that applies.
    let mut obligations = Vec::new();
    let mut advice = Vec::new();
    let mut law_notes = Vec::new();
    let mut dry_run = Vec::new();
    let done: Vec<String> = match ctx.fact("done") {
        Some(Value::List(items)) => items,
        _ => vec![],
    };
    for (rule, res) in policy.rules.iter().zip(&results) {
        if res.status != Status::Applies {
            continue;
        }
        if rule.dry_run {
            dry_run.push(rule.id.clone());
            continue;
        }
        // An obligation the action records as done (`done: [update_profile]`) is met: dropped.
        for o in rule.obligations.iter().filter(|o| !o.done_key.as_ref().is_some_and(|k| done.contains(k))) {
            obligations.push(obligation(o, rule, &ctx));
        }
        advice.extend(rule.advice.iter().map(|a| Note { text: a.clone(), rule: rule.id.clone() }));
        law_notes.extend(rule.notes.iter().map(|n| Note { text: n.clone(), rule: rule.id.clone() }));
    }
    // A covenant that decides carries what the law of the actor's jurisdiction
    // (else the policy's) says of it: the same table `terms` and `compare` read.
    let jurisdiction = match ctx.fact("actor.jurisdiction") {
        Some(Value::Symbol(j)) => Some(j),
        _ => policy.meta.jurisdiction.clone(),
    };
    let rules_by_id = by_id::ById::new(&policy.rules, |r| r.id.as_str());
    for id in &deciding {
        let Some(rule) = rules_by_id.get(id) else { continue };
        let RuleKind::Covenant { index } = rule.kind else { continue };
        let Some(spec) = policy.covenants.get(index) else { continue };
        let j = jurisdiction.as_deref();
        let facts = crate::law::CovenantFacts {
            compensation_percent: match ctx.fact(crate::law::COMPENSATION) {
                Some(Value::Int(p)) => u32::try_from(p).ok(),
                _ => None,
            },
            in_writing: match ctx.fact(crate::law::IN_WRITING) {
                Some(Value::Bool(b)) => Some(b),
                _ => None,
            },
            ..spec.law_facts()
        };
        let assessment = crate::law::assess(j, spec.kind, &facts, Some(ctx.date_of(ctx.at)));
        let status = format!("status: {}", assessment.standing.summary());
        for note in std::iter::once(status).chain(assessment.notes) {
            let text = format!("`{}` in {}: {note}", rule.id, j.unwrap_or("no stated jurisdiction"));
            if !law_notes.iter().any(|n: &Note| n.text == text) {
                // An engine note (no rule): the law table is smpolicy's, not the policy's.
                law_notes.push(Note { text, rule: String::new() });
            }
        }
    }
    if let Basis::SectionDefault { id, .. } = &basis {
        if let Some(d) = policy.defaults.iter().find(|d| &d.id == id) {
            advice.extend(d.advice.iter().map(|a| Note { text: a.clone(), rule: d.id.clone() }));
        }
    }
    // The clauses that could not be decided hold the verdict: their advice (what
    // would settle them, say) is shown too. Their obligations are not: they bind
    // only once the clause applies.
    if let Basis::MissingFacts { rules } = &basis {
        let held = by_id::IdSet::new(rules);
        for rule in policy.rules.iter().filter(|r| held.contains(&r.id)) {
            advice.extend(rule.advice.iter().map(|a| Note { text: a.clone(), rule: rule.id.clone() }));
        }
    }
    let default_rationale = match &basis {
        Basis::SectionDefault { id, .. } => {
            policy.defaults.iter().find(|d| &d.id == id).and_then(|d| d.rationale.clone())
        }
        _ => None,
    };
    // Gaps the action falls into (the engine's own advice, never binding); not
    // for a refused action, where they would not change what happens.
    if decision != Decision::Deny {
        let (gap_advice, gap_notes) = gaps::notes(policy, &results, &ctx);
        advice.extend(gap_advice);
        law_notes.extend(gap_notes);
    }
    // Obligations already met are dropped; an overdue one stays, with its lateness.
    obligations.dedup_by(|a, b| a.text == b.text && a.due == b.due);

    let excepted: Vec<String> = results
        .iter()
        .filter(|r| {
            matches!(r.status, Status::Excepted | Status::Overridden) && !r.dry_run && r.effect.rank().is_some()
        })
        .map(|r| r.id.clone())
        .collect();
    let law: Vec<verdict::LawOverride> = results.iter().filter_map(|r| r.set_aside_by.clone()).collect();
    let out_of_scope =
        outcome::classify(&mut results, policy, &deciding, matches!(basis, Basis::Conflict { .. }), &ctx);
    // Covenants that covered the action but whose window had ended or not begun.
    let outside: Vec<(String, String)> = results
        .iter()
        .filter_map(|r| {
            let w = r.window.as_ref()?;
            match r.outcome {
                verdict::Outcome::Lapsed => Some((r.id.clone(), format!("its window ended on {}", w.until?))),
                verdict::Outcome::NotYetStarted => Some((r.id.clone(), "its window had not started".to_string())),
                _ => None,
            }
        })
        .collect();
    // A clause that covered the action but was excepted, or a covenant whose
    // window the action falls outside, is not "no clause".
    let mut covered: Vec<String> = Vec::new();
    if !excepted.is_empty() {
        let ex = excepted.iter().map(|d| format!("`{d}`")).collect::<Vec<_>>().join(", ");
        covered.push(format!("{ex} covered it, but an exception holds"));
    }
    covered.extend(outside.iter().map(|(id, why)| format!("`{id}` covered it, but {why}")));
    let summary = summary(
        decision,
        &approvers_words,
        &basis,
        &deciding,
        &missing,
        &covered,
        &law,
        default_approved_by.as_deref(),
        policy,
    );
    let facts_used = outcome::facts_used(&results, &ctx);
    let mut v = Verdict {
        schema: verdict::SCHEMA_VERSION,
        verdict: decision,
        approvers,
        approvers_words,
        basis,
        deciding,
        default_rationale,
        default_approved_by: default_approved_by.clone(),
        summary,
        obligations,
        advice,
        law_notes,
        missing,
        undecidable,
        conflict,
        dry_run,
        counterfactuals: vec![],
        law,
        as_written: false,
        rules: results,
        out_of_scope,
        facts: facts_used,
        policy: match &policy.meta.version {
            Some(v) => format!("{} (version {v})", policy.meta.name),
            None => policy.meta.name.clone(),
        },
        before_effective: policy.meta.before_effective(match facts.fact("at") {
            Some(Value::Date(d)) => d,
            _ => at.to_zoned(zone.clone()).date(),
        }),
        version: None,
        groups: Vec::new(),
    };
    v.counterfactuals = explain::counterfactuals(&v, policy, &ctx);
    v
}

fn eval_rule(rule: &Rule, ctx: &Ctx<'_>, file: &SourceFile, policy: &Policy) -> RuleResult {
    let (line, column) = file.line_col(rule.span.start);
    let mut tests: Vec<TestTrace> = Vec::new();
    let truth = eval_cond(&rule.when, ctx, &mut tests);
    let mut status = match &truth {
        Truth::True => Status::Applies,
        Truth::False => Status::NotApplicable,
        Truth::Unknown(_) => Status::Undecided,
    };
    let mut why = match truth {
        Truth::Unknown(m) => m,
        _ => vec![],
    };
    let mut excepted_by = None;
    let mut excepted_reason = None;
    if status != Status::NotApplicable {
        for (k, u) in rule.unless.iter().enumerate() {
            let mut utrace = Vec::new();
            match eval_cond(u, ctx, &mut utrace) {
                Truth::True => {
                    excepted_by = Some(utrace.iter().map(|t| t.text.clone()).collect::<Vec<_>>().join(" and "));
                    excepted_reason = rule.unless_reasons.get(k).cloned().flatten();
                    status = Status::Excepted;
                    why.clear();
                    // The exception's tests stay in the trace (they count against the clause).
                    tests.extend(utrace.into_iter().map(|mut t| {
                        t.truth = t.truth.negated();
                        t
                    }));
                    break;
                }
                Truth::Unknown(m) => {
                    if status == Status::Applies {
                        status = Status::Undecided;
                    }
                    why.extend(m);
                }
                Truth::False => {}
            }
            // An exception that did not hold was still tested: its facts go into the
            // explanation, marked as counting for the clause (`unless X` is `when not X`).
            tests.extend(utrace.into_iter().map(|mut t| {
                t.truth = t.truth.negated();
                t
            }));
        }
    }
    // 0. The law layer: a clause a rule of law sets aside for this actor on this
    // date does not decide (its guard is never unknown: see `law::LawGuard`).
    let mut set_aside_by = None;
    if matches!(status, Status::Applies | Status::Undecided) {
        for g in &rule.law {
            if eval_cond(&g.when, ctx, &mut Vec::new()) == Truth::True {
                set_aside_by = Some(law_override(rule, g.rule, status == Status::Applies, ctx, policy));
                status = Status::SetAside;
                why.clear();
                break;
            }
        }
    }
    let (missing, undecidable) = split_undecided(why);
    // Why it did not apply: the tests that made it fail (never an irrelevant one).
    let mut failed = if status == Status::NotApplicable { interp::blame_in(&rule.when, &tests) } else { vec![] };
    if let RuleKind::Limit { counter, max, per } = &rule.kind {
        limit_computations(&mut tests, counter, *max, *per, ctx);
        limit_computations(&mut failed, counter, *max, *per, ctx);
    }
    RuleResult {
        id: rule.id.clone(),
        section: rule.section,
        line,
        column,
        source: rule.source.clone(),
        effect: rule.effect.clone(),
        status,
        dry_run: rule.dry_run,
        rationale: rule.rationale.clone().or_else(|| rule.description.clone()),
        description: rule.rationale.as_ref().and(rule.description.clone()),
        consequence: rule.consequence.clone(),
        see: rule.see.clone(),
        tests,
        excepted_by,
        excepted_reason,
        overridden_by: None,
        missing,
        undecidable,
        requirement: match &rule.kind {
            crate::policy::RuleKind::Requirement { text } => Some(text.clone()),
            _ => None,
        },
        approved_by: None,
        approval_refused: None,
        set_aside_by,
        // Set once the verdict is known ([`outcome::classify`]).
        outcome: verdict::Outcome::DidNotApply,
        failed,
        window: None,
    }
}

/// Why the law sets a clause aside for this action: the rule of law, and
/// which fact made its jurisdiction's law apply.
fn law_override(rule: &Rule, law_id: &str, applied: bool, ctx: &Ctx<'_>, policy: &Policy) -> verdict::LawOverride {
    let policy_jurisdiction = policy.meta.jurisdiction.as_deref();
    let covenant = match rule.kind {
        RuleKind::Covenant { index } => policy.covenants.get(index),
        _ => None,
    };
    let entry = crate::law::rule(law_id);
    let sym = |path: &str| match ctx.fact(path) {
        Some(Value::Symbol(s)) => Some(s),
        _ => None,
    };
    let governs = |j: &Option<String>| j.as_deref().is_some_and(|j| entry.is_some_and(|e| e.governs(j)));
    let place = sym("actor.jurisdiction");
    let governing = sym("actor.governing_law");
    let applied_by = if governs(&place) {
        format!("the place of work, {}", place.unwrap_or_default())
    } else if place.is_none() && governs(&policy_jurisdiction.map(str::to_string)) {
        format!(
            "the policy's jurisdiction, {} (the action states no place of work)",
            policy_jurisdiction.unwrap_or_default()
        )
    } else {
        format!("the law the contract names, {}", governing.unwrap_or_default())
    };
    verdict::LawOverride {
        clause: rule.id.clone(),
        would_decide: rule.effect.clone(),
        applied,
        law: law_id.to_string(),
        effect: entry.map_or(crate::law::LawEffect::Void, |e| e.effect),
        citation: entry.map_or_else(String::new, crate::law::LawRule::citation),
        in_force_since: entry.and_then(|e| e.since),
        words: entry.map_or_else(String::new, |e| match covenant {
            Some(c) => e.words_for(c.kind, Some(crate::law::months_of_term(c.duration))),
            None => e.words.to_string(),
        }),
        applies_because: format!(
            "{}; here by {applied_by}",
            entry.map_or_else(String::new, crate::law::LawRule::why_applies)
        ),
        advice: entry.map_or_else(String::new, |e| e.advice.to_string()),
        employer_duties: entry.map_or_else(Vec::new, |e| e.duties.to_vec()),
    }
}

/// Facts not given (by path), and tests undecidable for another reason (in words), each once.
fn split_undecided(why: Vec<crate::semantics::Undecided>) -> (Vec<String>, Vec<String>) {
    let mut missing: Vec<String> = Vec::new();
    let mut undecidable: Vec<String> = Vec::new();
    for u in why {
        let (list, item) = match u.why {
            crate::semantics::Why::NotGiven => (&mut missing, u.fact),
            _ => (&mut undecidable, u.words()),
        };
        if !list.contains(&item) {
            list.push(item);
        }
    }
    (missing, undecidable)
}

/// What a `limit` clause counts, in words, on the counter's trace: the count with
/// this action included against the limit (`with this post: 11 > limit 10`), the
/// day, week, month or rolling days counted, in the policy's timezone (never the
/// device's), and the counting rule (which actions count). The counts themselves
/// come from the caller (`history`), or from the service's log.
fn limit_computations(tests: &mut [TestTrace], counter: &str, max: u32, per: crate::counter::Period, ctx: &Ctx<'_>) {
    let Some(t) = tests.iter_mut().find(|t| t.fact.as_deref() == Some(counter)) else { return };
    let Some(Value::Int(n)) = t.value else { return };
    let rule = crate::counter::Counter::from_path(counter);
    let what = match rule.as_ref().map(|c| c.of) {
        Some(crate::counter::Counted::Invitations) => "invitation",
        _ => "post",
    };
    let with = n.saturating_add(1);
    let cmp = if with > i64::from(max) { ">" } else { "≤" };
    t.computed.push(format!("with this {what}: {with} {cmp} limit {max}"));
    t.computed.push(per.counted_words(ctx.at, ctx.tz));
    if let Some(rule) = rule {
        t.computed.push(rule.rule_words());
    }
}

fn obligation(o: &crate::policy::ObligationSpec, rule: &Rule, ctx: &Ctx<'_>) -> ObligationOut {
    let action_date = ctx.date_of(ctx.at);
    let start = if o.from.is_empty() {
        Some(("the action", action_date))
    } else {
        o.from.iter().find_map(|p| match ctx.fact(p) {
            Some(Value::Date(d)) => Some((p.as_str(), d)),
            Some(Value::Timestamp(t)) => Some((p.as_str(), ctx.date_of(t))),
            _ => None,
        })
    };
    // The compiled form builds its duties through `ObligationRef` too.
    ObligationRef::new(o, &rule.id, start, action_date).to_out()
}

/// The verdict's one-line summary: `HEAD: WHY`, where the head is the verdict
/// (with its approvers) and, when the law set clauses aside, the law comes
/// first in the why (a leaver reads the summary, not the footnotes).
#[allow(clippy::too_many_arguments, reason = "the verdict's parts, each read once; a struct would only rename them")]
fn summary(
    decision: Decision,
    approvers: &str,
    basis: &Basis,
    deciding: &[String],
    missing: &[String],
    covered: &[String],
    law: &[verdict::LawOverride],
    approved_by: Option<&str>,
    policy: &Policy,
) -> String {
    let names = deciding.iter().map(|d| format!("`{d}`")).collect::<Vec<_>>().join(", ");
    // What covered the action without applying (excepted, or outside its window).
    let none = match (covered.is_empty(), law.is_empty()) {
        (true, true) => "no clause covers this action".to_string(),
        (true, false) => "no other clause covers this action".to_string(),
        (false, _) => format!("no clause applies ({})", covered.join("; ")),
    };
    let (head, why) = match (approved_by, basis) {
        // A default needing approval, met by the approval on file.
        (Some(g), Basis::SectionDefault { id, .. }) => (
            decision.as_str().to_string(),
            format!("{none}; the section default `{id}` needs approval, already granted by {g}"),
        ),
        (Some(g), _) => {
            (decision.as_str().to_string(), format!("{none}; by default it needs approval, already granted by {g}"))
        }
        (None, _) => summary_parts(decision, approvers, basis, deciding, &names, missing.is_empty(), &none, policy),
    };
    if law.is_empty() {
        return if why.is_empty() { head } else { format!("{head}: {why}") };
    }
    let set_aside: Vec<String> = law.iter().map(|l| format!("`{}` ({})", l.clause, l.effect.words())).collect();
    format!("{head}: the law sets aside {}; {why}", set_aside.join(", ")).trim_end_matches("; ").to_string()
}

/// The head and the why of a summary, before the law's part.
#[allow(clippy::too_many_arguments, reason = "the verdict's parts, each read once; a struct would only rename them")]
fn summary_parts(
    decision: Decision,
    approvers: &str,
    basis: &Basis,
    deciding: &[String],
    names: &str,
    no_missing: bool,
    none: &str,
    policy: &Policy,
) -> (String, String) {
    let head = |d: Decision| d.as_str().to_string();
    let indeterminate = || head(Decision::Indeterminate);
    match (decision, basis) {
        (_, Basis::MissingFacts { .. }) if no_missing => {
            (indeterminate(), format!("{names} cannot be decided on the facts given"))
        }
        (_, Basis::MissingFacts { .. }) => (indeterminate(), format!("{names} needs facts the action does not give")),
        (_, Basis::Conflict { .. }) => {
            (indeterminate(), format!("{names} disagree and the policy says conflicts are indeterminate"))
        }
        (_, Basis::NoClause) => (indeterminate(), format!("{none} and the policy states no default")),
        (Decision::Allow, Basis::PolicyDefault) => (head(decision), format!("{none}; permitted by default")),
        (Decision::Deny, Basis::PolicyDefault) => {
            (head(decision), format!("{none}; not permitted by default (no clause forbids it)"))
        }
        (Decision::RequireApproval, Basis::PolicyDefault) => {
            (head(decision), format!("{none}; by default it needs approval from {approvers}"))
        }
        (d, Basis::SectionDefault { id, .. }) => {
            let what = match d {
                Decision::RequireApproval => format!("needs approval from {approvers}"),
                Decision::Deny => "is not permitted".into(),
                _ => "is permitted".into(),
            };
            (head(d), format!("{none}; the section default `{id}` says it {what}"))
        }
        // A duty not done in time is breached, not forbidden (doing it late is still owed).
        (Decision::Deny, _) if !deciding.is_empty() && deciding.iter().all(|d| overdue_duty(policy, d)) => {
            let duties = if deciding.len() == 1 { "the duty is" } else { "the duties are" };
            (head(decision), format!("in breach of {names}: {duties} overdue and not recorded as done"))
        }
        (Decision::Deny, _) => (head(decision), format!("forbidden by {names}")),
        (Decision::RequireApproval, _) => {
            (format!("require-approval from {approvers}"), format!("required by {names}"))
        }
        (Decision::Allow, _) => (head(decision), format!("permitted by {names}")),
        // Not reached by today's bases; says what it can without a reason.
        (Decision::Indeterminate, _) => (format!("indeterminate under {}", policy.meta.name), String::new()),
    }
}

/// The approvals on file with whether each counts for this action
/// ([`semantics::approval_counts`]: on the action's day, on its channel).
fn approvals_on_file(
    facts: &dyn Facts,
    ctx: &Ctx<'_>,
) -> Vec<(crate::data::action::Approval, Result<(), semantics::NotCounted>)> {
    let list: Vec<crate::data::action::Approval> = match facts.approvals() {
        Some(list) => list.to_vec(),
        None => match facts.fact("approval.granted_by") {
            Some(Value::Symbol(s) | Value::Text(s)) => vec![crate::data::action::Approval::by(s)],
            _ => vec![],
        },
    };
    if list.is_empty() {
        return vec![];
    }
    let day = crate::facts::local_of(ctx.at, ctx.tz).0;
    let channel = match facts.fact("channel") {
        Some(Value::Symbol(s) | Value::Text(s)) => Some(s),
        _ => None,
    };
    list.into_iter()
        .map(|a| {
            let ok = semantics::approval_counts(a.on_file(), day, channel.as_deref());
            (a, ok)
        })
        .collect()
}

/// Why the approvals on file do not meet a clause that needs `approvers`,
/// in words: those that count but are not by whom it needs, those that do
/// not count with why, and (for all of) who is still missing.
fn approval_refused(
    on_file: &[(crate::data::action::Approval, Result<(), semantics::NotCounted>)],
    approvers: &[String],
    join: crate::ast::Join,
) -> String {
    let mut parts: Vec<String> = Vec::new();
    for (a, ok) in on_file {
        match ok {
            Ok(()) => parts.push(format!("an approval by {} is on file", semantics::approval_words(a))),
            Err(why) => parts.push(format!(
                "an approval by {} is on file but not counted: it {}",
                semantics::approval_words(a),
                why.words()
            )),
        }
    }
    let needs = match join {
        crate::ast::Join::Any => format!("this clause needs one from {}", approvers.join(" or ")),
        crate::ast::Join::All => {
            let missing: Vec<&str> = approvers
                .iter()
                .filter(|r| !on_file.iter().any(|(a, ok)| ok.is_ok() && a.granted_by.as_ref() == Some(r)))
                .map(String::as_str)
                .collect();
            format!("this clause needs approval from {}; still missing: {}", join.words(approvers), missing.join(", "))
        }
    };
    format!("{}, but {needs}", parts.join("; "))
}

/// The approvers in words: joined by `or`, or, when a clause needs all of
/// its approvers, each clause's own words joined by `and`.
fn approvers_in_words(approvers: &[String], effects: &[&Effect]) -> String {
    let all = |e: &&&Effect| matches!(e, Effect::RequireApproval { join: crate::ast::Join::All, .. });
    if !effects.iter().any(|e| all(&e)) {
        return approvers.join(" or ");
    }
    let mut parts: Vec<String> = Vec::new();
    for e in effects {
        if let Effect::RequireApproval { approvers, join } = e {
            let w = join.words(approvers);
            if !parts.contains(&w) {
                parts.push(w);
            }
        }
    }
    parts.join(" and ")
}

/// Whether a clause is the one that refuses once a duty is overdue.
fn overdue_duty(policy: &Policy, id: &str) -> bool {
    policy.rules.iter().any(|r| r.id == id && r.kind.is_overdue_duty())
}

/// Rules of a given section (used by `compare`).
pub fn rules_in(policy: &Policy, section: SectionKind) -> impl Iterator<Item = &Rule> {
    policy.rules.iter().filter(move |r| r.section == section)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, reason = "a test stops loudly")]
pub(crate) mod tests {
    //! How the clauses' results combine into the verdict (`evaluate`), on a
    //! small agency policy with each kind of clause that can meet another.
    use super::*;
    use crate::data::action::parse_action_json_line;

    pub(crate) const POLICY: &str = r#"policy "Combining"
  effective 2026-01-01
  jurisdiction UK
  timezone "Europe/London"
  default allow
roles consultant, marketing, manager, compliance
fact client_consented: bool "The client agreed in writing to be named."
rule no-client-names "Clients are not named." {
  when action = post and content.names_client
  then deny
}
exception client-consented to no-client-names "A client who agreed may be named." {
  when facts.client_consented
  then allow
}
rule no-confidential "Nothing confidential." {
  when content.confidential
  then deny
}
exception trial-consent to no-confidential "Trial: consent covers confidential posts too." {
  when facts.client_consented
  then allow
  dry run
}
rule brand-marketing "Brand posts need marketing." {
  when content.kind has brand
  then require approval from marketing or manager
}
rule brand-public "Public brand posts need a manager or compliance too." {
  when content.kind has brand and content.public
  then require approval from manager or compliance
}
rule industry-news "Industry news is welcome." {
  when content.kind has industry
  then allow
  oblige "Say that you work for us." within 2 days
}
rule no-job-ads-trial "Trial: no job adverts." {
  when content.kind has job_ad
  then deny
  dry run
}
rule no-client-invites "Clients are not invited." {
  when action = connect and target.relationship = client
  then deny
  advise "Check whether they are a client before inviting them."
}
rule candidate-invites "Candidates are invited with a manager's approval." {
  when action = connect and target.relationship = candidate
  then require approval from manager
}
rule no-opinions "No opinions unless on your own time." {
  when content.kind has opinion
  then deny
  unless content.own_views_disclaimer
}
"#;

    fn policy(text: &str) -> (SourceFile, Policy) {
        let file = SourceFile::new("combining.policy", text);
        let ast = crate::parser::parse(&file).unwrap_or_else(|e| panic!("{e:?}"));
        let policy = crate::lower::lower(&file, &ast);
        (file, policy)
    }

    fn opts() -> EvalOptions {
        EvalOptions { now: "2026-03-16T09:00:00Z".parse().unwrap() }
    }

    /// Under `most_specific`, two clauses about the same situations that disagree
    /// are both in contention: the stricter decides and the permission is named
    /// as overruled, with why (mutation survivor, round 10: `<` → `==` on the
    /// rank of the clauses overruled by the outcomes' order left it out).
    #[test]
    fn a_permission_in_contention_is_named_as_overruled_under_most_specific() {
        let (file, p) = policy(
            "policy \"Specific\"\n  default allow\n  conflicts most_specific\nroles consultant\n\
             rule posts-ok { when action = post and channel = linkedin then allow }\n\
             rule posts-held { when action = post and channel = linkedin then deny }\n",
        );
        let a = crate::data::action::parse_action_json_line(
            r#"{"action":"post","at":"2026-03-16T09:00:00Z","actor":{"id":"a","role":"consultant","status":"employed"},"channel":"linkedin"}"#,
        )
        .unwrap();
        let v = evaluate(&p, &file, &a, &opts());
        assert_eq!(v.verdict, Decision::Deny);
        let c = v.conflict.as_ref().unwrap_or_else(|| panic!("a permission was overruled: {v:?}"));
        assert_eq!(c.overruled, ["posts-ok"]);
        assert_eq!(c.because, ["`posts-held` is more restrictive than `posts-ok`, and neither outranks the other"]);
    }

    /// A declared fact is read as its declared type: a date written as a
    /// string in the action is a date, compared with a date (mutation
    /// survivor, round 9: the `facts.` guard of the typed read → false read
    /// it as text, and the comparison could not be made).
    #[test]
    fn a_declared_date_fact_is_read_as_a_date() {
        let (file, p) = policy(
            "policy \"Signed\"\n  default allow\nroles consultant\nfact signed: date \"When the contract was signed\"\n\
             rule old-contract { when facts.signed < 2026-01-01 then deny }\n",
        );
        let act = |signed: &str| {
            crate::data::action::parse_action_json_line(&format!(
                r#"{{"action":"post","at":"2026-03-16T09:00:00Z","actor":{{"id":"a","role":"consultant","status":"employed"}},"facts":{{"signed":"{signed}"}}}}"#
            ))
            .unwrap()
        };
        assert_eq!(evaluate(&p, &file, &act("2025-06-01"), &opts()).verdict, Decision::Deny);
        assert_eq!(evaluate(&p, &file, &act("2026-02-01"), &opts()).verdict, Decision::Allow);
    }

    /// Under `most_specific`, a clause about every channel but one (`channel
    /// != twitter`) is more specific than one about every channel, and beats it
    /// (mutation survivor, round 9: the `!=` arm of a scope's dimension deleted,
    /// so the two tied and the stricter won).
    #[test]
    fn a_clause_about_all_channels_but_one_is_more_specific_than_a_general_one() {
        let (file, p) = policy(
            "policy \"Specific\"\n  default allow\n  conflicts most_specific\nroles consultant\n\
             rule posts-reviewed { when action = post then deny }\n\
             rule not-twitter { when action = post and channel != twitter then allow }\n",
        );
        let post = |channel: &str| {
            crate::data::action::parse_action_json_line(&format!(
                r#"{{"action":"post","at":"2026-03-16T09:00:00Z","actor":{{"id":"a","role":"consultant","status":"employed"}},"channel":"{channel}"}}"#
            ))
            .unwrap()
        };
        let v = evaluate(&p, &file, &post("linkedin"), &opts());
        assert_eq!((v.verdict, v.deciding.as_slice()), (Decision::Allow, &["not-twitter".to_string()][..]));
        assert_eq!(evaluate(&p, &file, &post("twitter"), &opts()).verdict, Decision::Deny);
    }

    /// `content` with the yes/no facts `POLICY` reads given as no where it leaves them out.
    pub(crate) fn flags_given(content: &str) -> String {
        let mut c: serde_json::Value = serde_json::from_str(content).unwrap_or_else(|e| panic!("{content}: {e}"));
        for flag in ["names_client", "confidential", "public"] {
            if let Some(o) = c.as_object_mut() {
                o.entry(flag).or_insert(serde_json::Value::Bool(false));
            }
        }
        c.to_string()
    }

    /// The verdict on a post by an employed consultant with this `content`
    /// (and any other JSON fields given in `more`), its flags given ([`flags_given`]):
    /// left out, they would be not given, and hold the verdict back.
    fn post(content: &str, more: &str) -> Verdict {
        let (file, p) = policy(POLICY);
        let content = flags_given(content);
        let line = format!(
            r#"{{"action":"post","at":"2026-03-16T09:00:00Z","actor":{{"id":"a","role":"consultant","status":"employed"}},"channel":"linkedin","content":{content}{more}}}"#
        );
        let action = parse_action_json_line(&line).unwrap_or_else(|e| panic!("{e:?}"));
        evaluate(&p, &file, &action, &opts())
    }

    fn line(p: &str, line: &str) -> Verdict {
        let (file, p) = policy(p);
        let action = parse_action_json_line(line).unwrap_or_else(|e| panic!("{e:?}"));
        evaluate(&p, &file, &action, &opts())
    }

    #[test]
    fn an_exception_overrides_its_clause_only_when_it_applies_and_is_enforced() {
        let named = post(r#"{"kind":["industry"],"names_client":true}"#, r#","facts":{"client_consented":false}"#);
        assert_eq!((named.verdict, named.deciding.as_slice()), (Decision::Deny, &["no-client-names".to_string()][..]));
        let consented = post(r#"{"kind":["industry"],"names_client":true}"#, r#","facts":{"client_consented":true}"#);
        assert_eq!(consented.verdict, Decision::Allow, "{}", consented.summary);
        assert!(consented.deciding.contains(&"client-consented".to_string()));
        // A dry-run exception is reported, never enforced: the clause still refuses.
        let trial = post(r#"{"kind":["industry"],"confidential":true}"#, r#","facts":{"client_consented":true}"#);
        assert_eq!(trial.verdict, Decision::Deny, "{}", trial.summary);
        assert_eq!(trial.deciding, ["no-confidential"]);
        assert_eq!(trial.dry_run, ["trial-consent"]);
    }

    /// A source of facts that does not hold its approvals whole (the
    /// trait's default) has its `approval.granted_by` read as one plain
    /// approval (mutation survivor: that arm deleted, the approval was
    /// ignored).
    #[test]
    fn a_plain_approval_by_path_counts_as_an_approval_on_file() {
        let (file, p) = policy(
            "policy \"Plain\"\n  default deny\nroles consultant, marketing\n\
             rule ask { when action = post then require approval from marketing }\n",
        );
        let mut facts: std::collections::BTreeMap<String, Value> = [
            ("action", "post"),
            ("actor.id", "a"),
            ("actor.role", "consultant"),
            ("actor.status", "employed"),
            ("channel", "linkedin"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), Value::Symbol(v.to_string())))
        .collect();
        assert!(facts.approvals().is_none(), "the default: not held whole");
        let asked = evaluate(&p, &file, &facts, &opts());
        assert_eq!(
            (asked.verdict, asked.approvers.as_slice()),
            (Decision::RequireApproval, &["marketing".to_string()][..])
        );
        facts.insert("approval.granted_by".into(), Value::Symbol("marketing".into()));
        let approved = evaluate(&p, &file, &facts, &opts());
        assert_eq!(approved.verdict, Decision::Allow, "{}", approved.summary);
        facts.insert("approval.granted_by".into(), Value::Symbol("manager".into()));
        assert_eq!(evaluate(&p, &file, &facts, &opts()).verdict, Decision::RequireApproval);
    }

    /// A part of an action (`request`, `material`, ...) is present when the
    /// action gives it, and not otherwise (mutation survivor: the `request`
    /// arm deleted read a request as a fact path, never present).
    #[test]
    fn each_part_is_present_only_when_given() {
        let base =
            r#""action":"message","actor":{"id":"a","role":"consultant","status":"employed"},"channel":"linkedin""#;
        for (part, json) in [
            ("request", r#""request":{"made_on":"2026-03-01"}"#),
            ("material", r#""material":{"kind":"video"}"#),
            ("target", r#""target":{"relationship":"candidate"}"#),
            ("content", r#""content":{"kind":["industry"]}"#),
            ("account", r#""account":{"kind":"personal"}"#),
            ("contacts", r#""contacts":{"count":3,"origin":"employment"}"#),
            ("history", r#""history":{"posts_today":1}"#),
            ("approval", r#""approval":{"granted_by":"manager"}"#),
        ] {
            let with =
                parse_action_json_line(&format!("{{{base},{json}}}")).unwrap_or_else(|e| panic!("{part}: {e:?}"));
            let without = parse_action_json_line(&format!("{{{base}}}")).unwrap_or_else(|e| panic!("{e:?}"));
            assert_eq!(Facts::fact(&with, part), Some(Value::Bool(true)), "{part}");
            assert_eq!(Facts::fact(&without, part), None, "{part}");
        }
    }

    #[test]
    fn an_approval_on_file_from_a_named_role_allows_and_another_role_does_not() {
        let brand = r#"{"kind":["brand"]}"#;
        let asked = post(brand, "");
        assert_eq!(
            (asked.verdict, asked.approvers.as_slice()),
            (Decision::RequireApproval, &["marketing".to_string(), "manager".to_string()][..])
        );
        let granted = post(brand, r#","approval":{"granted_by":"marketing"}"#);
        assert_eq!(granted.verdict, Decision::Allow, "{}", granted.summary);
        assert_eq!(granted.deciding, ["brand-marketing"]);
        let wrong = post(brand, r#","approval":{"granted_by":"consultant"}"#);
        assert_eq!(wrong.verdict, Decision::RequireApproval);
        let refused: Vec<&str> = wrong.rules.iter().filter_map(|r| r.approval_refused.as_deref()).collect();
        assert_eq!(
            refused,
            ["an approval by consultant is on file, but this clause needs one from marketing or manager"]
        );
        // Two clauses asking: every approver named once, in order.
        let both = post(r#"{"kind":["brand"],"public":true}"#, "");
        assert_eq!(both.approvers, ["marketing", "manager", "compliance"]);
        assert_eq!(both.deciding, ["brand-marketing", "brand-public"]);
    }

    #[test]
    fn a_dry_run_clause_is_reported_and_decides_nothing() {
        let v = post(r#"{"kind":["job_ad"]}"#, "");
        assert_eq!((v.verdict, &v.basis), (Decision::Allow, &Basis::PolicyDefault), "{}", v.summary);
        assert_eq!(v.dry_run, ["no-job-ads-trial"]);
        assert_eq!(v.summary, "allow: no clause covers this action; permitted by default");
    }

    #[test]
    fn the_most_restrictive_clause_wins_and_names_what_it_overruled() {
        let v = post(r#"{"kind":["industry","brand"],"names_client":true}"#, r#","facts":{"client_consented":false}"#);
        assert_eq!(v.verdict, Decision::Deny);
        assert_eq!(v.deciding, ["no-client-names"]);
        let c = v.conflict.as_ref().unwrap_or_else(|| panic!("a permission was overruled: {v:?}"));
        assert_eq!(
            (c.prevailing.as_slice(), c.overruled.as_slice()),
            (&["no-client-names".to_string()][..], &["industry-news".to_string()][..])
        );
        // The permission still attaches its duty; clauses that do not apply attach nothing.
        assert_eq!(v.obligations.iter().map(|o| o.text.as_str()).collect::<Vec<_>>(), ["Say that you work for us."]);
        // A refusal with no permission beside it overrules nothing.
        let alone = post(r#"{"kind":["brand"],"names_client":true}"#, r#","facts":{"client_consented":false}"#);
        assert_eq!(alone.verdict, Decision::Deny);
        assert_eq!(alone.conflict, None);
        // Nothing is attached by a clause that did not apply.
        assert!(alone.obligations.is_empty(), "{:?}", alone.obligations);
        // Under `conflicts indeterminate` the same disagreement decides nothing.
        let (file, p) = policy(&POLICY.replace("  default allow", "  default allow\n  conflicts indeterminate"));
        let action = parse_action_json_line(r#"{"action":"post","actor":{"id":"a","role":"consultant","status":"employed"},"channel":"linkedin","content":{"kind":["industry"],"names_client":true},"facts":{"client_consented":false}}"#).unwrap();
        let v = evaluate(&p, &file, &action, &opts());
        assert_eq!(v.verdict, Decision::Indeterminate);
        assert_eq!(v.basis, Basis::Conflict { rules: vec!["no-client-names".into(), "industry-news".into()] });
    }

    /// Under `most_restrictive`, a conflict names the permissions a refusal
    /// overruled, not a clause that asked for approval beside them (mutation
    /// survivor: `&&` → `||` in the list of the overruled).
    #[test]
    fn a_conflict_overrules_permissions_not_approvals() {
        let p = "policy \"Overruled\"\n  default deny\nroles consultant, manager\n\
                 rule may-post { when action = post then allow }\n\
                 rule ask-first { when action = post and channel = linkedin then require approval from manager }\n\
                 rule never-linkedin { when action = post and channel = linkedin then deny }\n";
        let v = line(
            p,
            r#"{"action":"post","actor":{"id":"a","role":"consultant","status":"employed"},"channel":"linkedin"}"#,
        );
        assert_eq!((v.verdict, v.deciding.as_slice()), (Decision::Deny, &["never-linkedin".to_string()][..]));
        let c = v.conflict.as_ref().unwrap_or_else(|| panic!("a permission was overruled: {v:?}"));
        assert_eq!(c.overruled, ["may-post"]);
        assert!(
            c.words().starts_with(
                "conflict: `may-post` permits this action and `never-linkedin` restricts it; the policy's precedence (most_restrictive) says the most restrictive outcome wins, so `may-post` is overruled"
            ),
            "{}",
            c.words()
        );
        // Approval against permission: the approval prevails over the permission alone.
        let p = p.replace("rule never-linkedin { when action = post and channel = linkedin then deny }\n", "");
        let v = line(
            &p,
            r#"{"action":"post","actor":{"id":"a","role":"consultant","status":"employed"},"channel":"linkedin"}"#,
        );
        assert_eq!(v.verdict, Decision::RequireApproval);
        let c = v.conflict.as_ref().unwrap_or_else(|| panic!("a permission was overruled: {v:?}"));
        assert_eq!(
            (c.prevailing.as_slice(), c.overruled.as_slice()),
            (&["ask-first".to_string()][..], &["may-post".to_string()][..])
        );
    }

    #[test]
    fn clauses_that_need_a_missing_fact_hold_the_verdict() {
        let v = line(
            POLICY,
            r#"{"action":"connect","at":"2026-03-16T09:00:00Z","actor":{"id":"a","role":"consultant","status":"employed"},"channel":"linkedin","content":{"kind":[],"confidential":false}}"#,
        );
        assert_eq!(v.verdict, Decision::Indeterminate, "{}", v.summary);
        assert_eq!(v.deciding, ["no-client-invites", "candidate-invites"]);
        // The fact both need, once; the advice of the clause that holds it.
        assert_eq!(v.missing, ["target.relationship"]);
        assert_eq!(v.advice.iter().map(|a| a.rule.as_str()).collect::<Vec<_>>(), ["no-client-invites"]);
        assert_eq!(
            v.summary,
            "indeterminate: `no-client-invites`, `candidate-invites` needs facts the action does not give"
        );
        // Given, it decides.
        let given = line(
            POLICY,
            r#"{"action":"connect","actor":{"id":"a","role":"consultant","status":"employed"},"channel":"linkedin","content":{"kind":[],"confidential":false},"target":{"relationship":"candidate"}}"#,
        );
        assert_eq!(
            (given.verdict, given.approvers.as_slice()),
            (Decision::RequireApproval, &["manager".to_string()][..])
        );
    }

    #[test]
    fn a_section_default_that_may_cover_the_action_holds_it_back() {
        let p = "policy \"Channels\"\n  timezone \"Europe/London\"\n  default allow\nroles consultant, marketing\nposting on linkedin {\n  default allow\n}\nposting on other channels {\n  other-channels: default require approval from marketing advise \"Marketing knows the channel.\"\n    because \"New channels speak for the brand.\"\n}\n";
        let v = line(
            p,
            r#"{"action":"post","actor":{"id":"a","role":"consultant","status":"employed"},"content":{"kind":["industry"]}}"#,
        );
        assert_eq!(v.verdict, Decision::Indeterminate, "{}", v.summary);
        assert_eq!(v.missing, ["channel"]);
        let on = line(
            p,
            r#"{"action":"post","actor":{"id":"a","role":"consultant","status":"employed"},"channel":"tiktok","content":{"kind":["industry"]}}"#,
        );
        assert_eq!((on.verdict, on.approvers.as_slice()), (Decision::RequireApproval, &["marketing".to_string()][..]));
        // The default that decided gives its advice.
        let advice: Vec<(&str, &str)> = on.advice.iter().map(|a| (a.rule.as_str(), a.text.as_str())).collect();
        assert_eq!(advice, [("other-channels", "Marketing knows the channel.")]);
        assert_eq!(on.default_rationale.as_deref(), Some("New channels speak for the brand."));
    }

    #[test]
    fn an_unless_that_holds_is_named_as_covering_the_action() {
        let v = post(r#"{"kind":["opinion"],"own_views_disclaimer":true}"#, "");
        assert_eq!(v.verdict, Decision::Allow);
        assert_eq!(
            v.summary,
            "allow: no clause applies (`no-opinions` covered it, but an exception holds); permitted by default"
        );
        let without = post(r#"{"kind":["opinion"],"own_views_disclaimer":false}"#, "");
        assert_eq!((without.verdict, without.deciding.as_slice()), (Decision::Deny, &["no-opinions".to_string()][..]));
    }

    #[test]
    fn the_action_date_not_the_clock_decides_whether_the_policy_was_in_force() {
        let early = post(r#"{"kind":["industry"]}"#, "").before_effective;
        assert_eq!(early, None, "in force on 16 March 2026");
        let (file, p) = policy(POLICY);
        let at = parse_action_json_line(r#"{"action":"post","at":"2025-12-01T09:00:00Z","actor":{"id":"a","role":"consultant","status":"employed"},"channel":"linkedin","content":{"kind":["industry"]}}"#).unwrap();
        assert!(evaluate(&p, &file, &at, &opts()).before_effective.is_some(), "the action is dated before 2026-01-01");
        // A bare date is read in the policy's timezone.
        let facts: std::collections::BTreeMap<String, Value> = [
            ("at".to_string(), Value::Date(jiff::civil::date(2025, 12, 1))),
            ("action".to_string(), Value::Symbol("post".into())),
        ]
        .into_iter()
        .collect();
        assert!(evaluate(&p, &file, &facts, &opts()).before_effective.is_some());
        // Duties fall due from the action's day, not the clock's.
        let dated: std::collections::BTreeMap<String, Value> = [
            ("at".to_string(), Value::Date(jiff::civil::date(2025, 12, 1))),
            ("action".to_string(), Value::Symbol("post".into())),
            ("content.kind".to_string(), Value::List(vec!["industry".into()])),
        ]
        .into_iter()
        .collect();
        let v = evaluate(&p, &file, &dated, &opts());
        assert_eq!(v.obligations.iter().map(|o| o.due).collect::<Vec<_>>(), [Some(jiff::civil::date(2025, 12, 3))]);
    }

    #[test]
    fn a_covenant_carries_the_law_of_the_actors_place_of_work() {
        let p = "policy \"Covenants\"\n  jurisdiction UK\n  timezone \"Europe/London\"\n  default allow\nroles consultant\ncovenant rival-agency: non_compete for 18 months\n";
        let leaver = |j: &str| {
            line(
                p,
                &format!(
                    r#"{{"action":"compete","at":"2026-03-16T09:00:00Z","actor":{{"id":"n","role":"consultant","status":"departed","employed_since":"2021-04-06","departed_on":"2025-11-14","jurisdiction":"{j}"}}}}"#
                ),
            )
        };
        let uk = leaver("UK");
        assert_eq!((uk.verdict, uk.deciding.as_slice()), (Decision::Deny, &["rival-agency".to_string()][..]));
        let notes: Vec<&str> = uk.law_notes.iter().map(|n| n.text.as_str()).collect();
        assert!(notes.iter().all(|n| n.starts_with("`rival-agency` in UK: ")), "{notes:?}");
        // Its one status, then every rule of UK law that speaks of it: the common law's length,
        // its capacities (not stated by the policy), and the cap that was never enacted.
        assert_eq!(notes.len(), 4, "{notes:?}");
        assert_eq!(notes.first(), Some(&"`rival-agency` in UK: status: at risk (uk-restraint-of-trade)"));
        assert!(notes.iter().any(|n| n.contains("3-month statutory cap")), "{notes:?}");
        // Each note once.
        let mut unique = notes.clone();
        unique.dedup();
        assert_eq!(unique, notes);
        // The length counts: over 12 months is suspect in the UK.
        assert!(notes.iter().any(|n| n.contains("an 18-month non-compete is suspect")), "{notes:?}");
        // The place of work's law, not the policy's.
        let de = leaver("DE");
        assert_eq!(de.verdict, Decision::Deny);
        let de_notes: Vec<&str> = de.law_notes.iter().map(|n| n.text.as_str()).collect();
        assert!(
            !de_notes.is_empty() && de_notes.iter().all(|n| n.starts_with("`rival-agency` in DE: ")),
            "{de_notes:?}"
        );
        // Before the window (still employed): covered, not decided.
        let early = line(
            p,
            r#"{"action":"compete","at":"2026-03-16T09:00:00Z","actor":{"id":"n","role":"consultant","status":"employed","employed_since":"2021-04-06","jurisdiction":"UK"}}"#,
        );
        assert!(
            early.summary.contains("`rival-agency` covered it, but its window had not started"),
            "{}",
            early.summary
        );
        // After the window: covered, not decided.
        let late = line(
            p,
            r#"{"action":"compete","at":"2027-09-01T09:00:00Z","actor":{"id":"n","role":"consultant","status":"departed","employed_since":"2021-04-06","departed_on":"2025-11-14","jurisdiction":"UK"}}"#,
        );
        assert_eq!(late.verdict, Decision::Allow);
        assert!(
            late.summary.contains("`rival-agency` covered it, but its window ended on 2027-05-14"),
            "{}",
            late.summary
        );
    }

    #[test]
    fn a_gap_in_the_policy_is_pointed_out_unless_the_action_is_refused() {
        let leaving = r#"{"action":"depart","at":"2026-03-16T09:00:00Z","actor":{"id":"a","role":"consultant","status":"departed","departed_on":"2026-03-16"},"account":{"kind":"branded","created_by":"employee","handle":"@castlegate_jobs"},"content":{"kind":[],"confidential":false}}"#;
        let gap = |v: &Verdict| {
            v.advice.iter().any(|a| a.rule.is_empty() && a.text.starts_with("no ownership clause covers this account"))
        };
        let v = line(POLICY, leaving);
        assert_eq!(v.verdict, Decision::Allow, "{}", v.summary);
        assert!(gap(&v), "{:?}", v.advice);
        // Refused anyway: the gap would change nothing, so it is not raised.
        let refused = line(&POLICY.replace("  default allow", "  default deny"), leaving);
        assert_eq!(refused.verdict, Decision::Deny, "{}", refused.summary);
        assert!(!gap(&refused), "{:?}", refused.advice);
    }

    #[test]
    fn undecided_facts_are_split_into_missing_and_undecidable_each_once() {
        use crate::semantics::{Undecided, Why};
        let u = |fact: &str, why| Undecided { fact: fact.into(), why };
        let (missing, undecidable) = split_undecided(vec![
            u("target.relationship", Why::NotGiven),
            u("facts.count", Why::NotComparable),
            u("target.relationship", Why::NotGiven),
            u("facts.count", Why::NotComparable),
        ]);
        assert_eq!(missing, ["target.relationship"]);
        assert_eq!(undecidable, ["facts.count cannot be compared with the other side"]);
    }

    /// Approvers in words: any-of clauses alone are one list joined by `or`;
    /// once a clause needs all of its approvers, each deciding clause's own
    /// words, each once, joined by `and` (a mutation survivor: nothing in the
    /// library's tests read this with two clauses).
    #[test]
    fn approvers_in_words_say_each_clause_once() {
        use crate::ast::Join;
        let any = Effect::RequireApproval { approvers: vec!["manager".into()], join: Join::Any };
        let all = Effect::RequireApproval { approvers: vec!["legal".into(), "marketing".into()], join: Join::All };
        let names: Vec<String> = ["manager", "legal", "marketing"].map(String::from).to_vec();
        assert_eq!(approvers_in_words(&names, &[&any]), "manager or legal or marketing");
        assert_eq!(approvers_in_words(&names, &[&any, &all, &all]), "manager and all of {legal, marketing}");
    }

    /// A limit's trace says the count with this action against the limit, with
    /// `>` once it goes over and `≤` while it does not (a mutation survivor:
    /// the library's tests never read the comparison's sign).
    #[test]
    fn a_limit_says_the_count_with_this_post_against_the_limit() {
        let p =
            "policy \"Limits\" default allow\nroles consultant\n\nposting on twitter {\n  limit 10 posts per day\n}\n";
        let computed = |today: u32| {
            let v = line(
                p,
                &format!(
                    r#"{{"action":"post","at":"2026-03-16T09:00:00Z","actor":{{"id":"a","role":"consultant","status":"employed"}},"channel":"twitter","content":{{"kind":["industry"]}},"history":{{"posts_today":{today}}}}}"#
                ),
            );
            let traces: Vec<String> =
                v.rules.iter().flat_map(|r| r.tests.iter().flat_map(|t| t.computed.clone())).collect();
            (v.verdict, traces)
        };
        let (verdict, over) = computed(10);
        assert_eq!(verdict, Decision::Deny);
        assert!(over.iter().any(|c| c == "with this post: 11 > limit 10"), "{over:?}");
        let (verdict, under) = computed(2);
        assert_eq!(verdict, Decision::Allow);
        assert!(under.iter().any(|c| c == "with this post: 3 ≤ limit 10"), "{under:?}");
    }

    /// The policy's own assumptions decide where a fact is not given, and
    /// are said (mutation survivor: `fact_types` answering an empty table,
    /// which left the assumption unread).
    #[test]
    fn an_assumption_decides_for_a_fact_not_given_and_says_so() {
        let p = "policy \"Assumed\" default allow\nroles consultant\n\
                 assume content.confidential = false when not given \"Our tool flags every confidential draft.\"\n\
                 rule secret { when action = post and content.confidential then deny }\n";
        let v = line(
            p,
            r#"{"action":"post","actor":{"id":"a","role":"consultant","status":"employed"},"channel":"linkedin","content":{"kind":["industry"]}}"#,
        );
        assert_eq!(v.verdict, Decision::Allow, "{}", v.summary);
        let said = serde_json::to_string(&v).unwrap_or_default();
        assert!(said.contains("not given, taken as no"), "{said}");
        let without = p.replace(
            "assume content.confidential = false when not given \"Our tool flags every confidential draft.\"\n",
            "",
        );
        let v = line(
            &without,
            r#"{"action":"post","actor":{"id":"a","role":"consultant","status":"employed"},"channel":"linkedin","content":{"kind":["industry"]}}"#,
        );
        assert_eq!(v.verdict, Decision::Indeterminate, "{}", v.summary);
    }

    /// Under `most_specific`, the clause about one channel beats the general
    /// one, and the conflict says which beat which and why (mutation
    /// survivor: `!` deleted in the list of clauses out of contention left
    /// the reasons empty).
    #[test]
    fn the_more_specific_clause_wins_and_the_conflict_says_why() {
        let p = "policy \"Specific\"\n  default deny\n  conflicts most_specific\nroles consultant\n\
                 rule no-posts { when action = post then deny }\n\
                 rule linkedin-posts { when action = post and channel = linkedin then allow }\n";
        let v = line(
            p,
            r#"{"action":"post","actor":{"id":"a","role":"consultant","status":"employed"},"channel":"linkedin"}"#,
        );
        assert_eq!(
            (v.verdict, v.deciding.as_slice()),
            (Decision::Allow, &["linkedin-posts".to_string()][..]),
            "{}",
            v.summary
        );
        let c = v.conflict.as_ref().unwrap_or_else(|| panic!("a conflict settled: {v:?}"));
        assert_eq!(c.overruled, ["no-posts"]);
        assert_eq!(c.because.len(), 1, "{c:?}");
        assert!(c.because[0].starts_with("`linkedin-posts` is more specific than `no-posts`"), "{c:?}");
    }

    /// A German non-compete that decides carries the law's notes, assessed
    /// on the facts the action states: paid at half and agreed in writing,
    /// nothing is "not stated"; with neither stated, both are named (mutation
    /// survivor: the written form left out of the facts the law reads).
    #[test]
    fn a_deciding_covenants_law_notes_read_the_facts_stated() {
        let p = "policy \"Covenants DE\"\n  jurisdiction DE\n  timezone \"Europe/Berlin\"\n  default allow\nroles consultant\n\
                 covenant nc: non_compete for 36 months\n";
        let notes = |extra: &str| {
            let v = line(
                p,
                &format!(
                    r#"{{"action":"compete","at":"2026-07-31T12:00:00+02:00","actor":{{"id":"n","role":"consultant","status":"departed","departed_on":"2026-01-31","jurisdiction":"DE"{extra}}}}}"#
                ),
            );
            assert_eq!(v.verdict, Decision::Deny, "{}", v.summary);
            v.law_notes.iter().map(|n| n.text.clone()).collect::<Vec<_>>().join("\n")
        };
        let stated = notes(r#","non_compete_compensation_percent":50,"non_compete_in_writing":true"#);
        assert!(stated.contains("status: binds in part") && !stated.contains("not stated"), "{stated}");
        let unstated = notes("");
        assert!(
            unstated.contains("the compensation paid") && unstated.contains("whether it was agreed in writing"),
            "{unstated}"
        );
    }

    /// A clause needing every one of its approvers, with one approval on file:
    /// its refusal says who is still missing, and only them (mutation
    /// survivor: the list inverted, naming who had approved).
    #[test]
    fn an_all_of_approval_names_who_is_still_missing() {
        let p = "policy \"All of\"\n  default allow\nroles consultant, legal, marketing\n\
                 rule both { when action = post then require approval from all of {legal, marketing} }\n";
        let v = line(
            p,
            r#"{"action":"post","actor":{"id":"a","role":"consultant","status":"employed"},"channel":"linkedin","approval":{"granted_by":"legal"}}"#,
        );
        assert_eq!(v.verdict, Decision::RequireApproval, "{}", v.summary);
        let refused: Vec<&str> = v.rules.iter().filter_map(|r| r.approval_refused.as_deref()).collect();
        assert_eq!(refused.len(), 1, "{refused:?}");
        assert!(refused[0].ends_with("still missing: marketing"), "{refused:?}");
    }

    /// Under `most_specific` a deny beaten by a more specific deny is not
    /// overruled: both refuse, the more specific decides, and no conflict is
    /// reported (mutation survivor: `&&` → `||` listing beaten clauses of the
    /// winning outcome as overruled).
    #[test]
    fn a_deny_beaten_by_a_more_specific_deny_is_no_conflict() {
        let p = "policy \"Specific\"\n  default allow\n  conflicts most_specific\nroles consultant\n\
                 rule no-posts { when action = post then deny }\n\
                 rule no-linkedin-posts { when action = post and channel = linkedin then deny }\n";
        let v = line(
            p,
            r#"{"action":"post","actor":{"id":"a","role":"consultant","status":"employed"},"channel":"linkedin"}"#,
        );
        assert_eq!(
            (v.verdict, v.deciding.as_slice()),
            (Decision::Deny, &["no-linkedin-posts".to_string()][..]),
            "{}",
            v.summary
        );
        assert!(v.conflict.is_none(), "{:?}", v.conflict);
    }

    /// Two clauses in contention whose scopes neither contains: a clause out of
    /// contention is named with the one that beat it, not the first in
    /// contention (each loser looks through every distinct winner).
    #[test]
    fn each_clause_out_of_contention_names_the_clause_that_beat_it() {
        let p = "policy \"Two winners\"\n  default deny\n  conflicts most_specific\nroles consultant\nteams sales, marketing\n\
                 rule linkedin-posts { when action = post and channel = linkedin then allow }\n\
                 rule sales-posts { when action = post and actor.team = sales then allow }\n\
                 rule front-office { when action = post and actor.team in {sales, marketing} then deny }\n";
        let v = line(
            p,
            r#"{"action":"post","actor":{"id":"a","role":"consultant","status":"employed","team":"sales"},"channel":"linkedin"}"#,
        );
        assert_eq!(v.verdict, Decision::Allow, "{}", v.summary);
        let c = v.conflict.as_ref().unwrap_or_else(|| panic!("a conflict settled: {v:?}"));
        assert_eq!(c.overruled, ["front-office"]);
        assert_eq!(c.because.len(), 1, "{c:?}");
        assert!(c.because[0].starts_with("`sales-posts` is more specific than `front-office`"), "{c:?}");
    }

    /// Under a precedence beyond the outcomes' order, a clause's own parts (a duty and its
    /// refusal once overdue) do not overrule one another: the conflict names only other
    /// clauses (mutation survivor, round 13: `&&` → `||` named the duty's own part).
    #[test]
    fn a_duty_and_its_own_refusal_are_no_conflict_under_most_specific() {
        let p = "policy \"Leavers\"\n  timezone \"Europe/London\"\n  default allow\n  conflicts most_specific\nroles consultant\n\
                 ownership {\n  credentials -> agency\n}\n\
                 on departure {\n  return-credentials: hand over credentials within 1 business day\n}\n";
        let leaver = r#"{"action":"hand_over","at":"2026-03-16T09:00:00Z","actor":{"id":"a","role":"consultant","status":"departed","departed_on":"2026-03-02"},"done":[]}"#;
        let v = line(p, leaver);
        assert_eq!(v.verdict, Decision::Deny, "{}", v.summary);
        let overruled = v.conflict.as_ref().map(|c| c.overruled.clone()).unwrap_or_default();
        assert!(overruled.iter().all(|id| !id.starts_with("return-credentials")), "{:?}", v.conflict);
    }

    /// `rules_in` gives a section's clauses, in order, and no other's (`compare` reads
    /// each section so; mutation survivor, round 13: → nothing).
    #[test]
    fn rules_in_gives_a_sections_clauses() {
        let (_, p) = policy(POLICY);
        let ids = |s: SectionKind| rules_in(&p, s).map(|r| r.id.as_str()).collect::<Vec<_>>();
        assert_eq!(ids(SectionKind::Exception), ["client-consented", "trial-consent"]);
        let rules = ids(SectionKind::Rule);
        assert!(rules.len() > 5 && rules.starts_with(&["no-client-names", "no-confidential"]), "{rules:?}");
    }

    /// A clause of a lower tier that applies is named as beaten by the tier above, in
    /// the tiers' words (mutation survivor, round 12: `>` → `<` on the tiers' levels
    /// found no clause that outranks it).
    #[test]
    fn a_clause_of_a_lower_tier_is_named_as_beaten_by_priority() {
        let p = "policy \"Tiers\"\n  default allow\n  priorities legal > business\nroles consultant\n\
                 rule proprietary { when action = post and content.confidential then deny priority legal }\n\
                 rule business-necessity { when action = post then allow priority business }\n";
        let v = line(
            p,
            r#"{"action":"post","actor":{"id":"a","role":"consultant","status":"employed"},"content":{"confidential":true}}"#,
        );
        assert_eq!(v.verdict, Decision::Deny, "{}", v.summary);
        let c = v.conflict.as_ref().unwrap_or_else(|| panic!("a conflict settled: {v:?}"));
        assert_eq!(c.overruled, ["business-necessity"]);
        assert_eq!(c.because, ["`proprietary` has priority legal, above `business-necessity` (priority business)"]);
    }

    /// An approval given after the action's day does not count for it: the
    /// approvals are read whole from the action, with their dates (mutation
    /// survivor, round 12: not held whole, only `granted_by` was read, and counted).
    #[test]
    fn an_approval_given_after_the_action_does_not_count() {
        let brand = r#"{"kind":["brand"]}"#;
        let late = post(brand, r#","approval":{"granted_by":"marketing","given_on":"2026-03-20"}"#);
        assert_eq!(late.verdict, Decision::RequireApproval, "{}", late.summary);
        let on_time = post(brand, r#","approval":{"granted_by":"marketing","given_on":"2026-03-16"}"#);
        assert_eq!(on_time.verdict, Decision::Allow, "{}", on_time.summary);
    }

    /// A clause that cannot be decided although every fact it reads is given (a
    /// date shifted past the calendar) says so, not that facts are missing
    /// (mutation survivor, round 12: the guard on "no fact missing" → false).
    #[test]
    fn a_clause_undecidable_on_the_facts_given_says_so() {
        let p = "policy \"Far\"\n  default allow\nroles consultant\n\
                 rule far { when actor.departed_on + 6 months <= 2026-01-01 and action = solicit then deny }\n";
        let v = line(
            p,
            r#"{"action":"solicit","actor":{"id":"a","role":"consultant","status":"departed","departed_on":"9999-10-01"}}"#,
        );
        assert_eq!(v.verdict, Decision::Indeterminate, "{}", v.summary);
        assert!(v.summary.contains("cannot be decided on the facts given"), "{}", v.summary);
        assert!(!v.summary.contains("does not give"), "{}", v.summary);
    }

    /// An action dated by its day alone is in force from the policy's `effective` day, west
    /// of Greenwich too (a day is read as its start in the policy's time zone, so the
    /// action's day and its instant's day agree: round 12 found the arm reading the day
    /// itself equivalent, and this test holds either way).
    #[test]
    fn an_action_dated_by_its_day_is_in_force_from_the_effective_day_in_any_time_zone() {
        let p = "policy \"West\"\n  effective 2026-03-14\n  timezone \"America/New_York\"\n  default allow\nroles consultant\n\
                 rule r { when action = post and content.confidential then deny }\n";
        let v = line(
            p,
            r#"{"action":"post","at":"2026-03-14","actor":{"id":"a","role":"consultant","status":"employed"},"content":{"confidential":false}}"#,
        );
        assert_eq!(v.before_effective, None, "{}", v.summary);
        let before = line(
            p,
            r#"{"action":"post","at":"2026-03-13","actor":{"id":"a","role":"consultant","status":"employed"},"content":{"confidential":false}}"#,
        );
        assert!(before.before_effective.is_some(), "{}", before.summary);
    }

    /// A requirement before posting carries its words in the clause's result (mutation
    /// survivor, round 12: the `Requirement` arm deleted left them out).
    #[test]
    fn a_requirement_before_posting_is_named_in_its_result() {
        let p = "policy \"Disclose\"\n  default allow\nroles consultant\n\
                 posting on linkedin {\n  require disclosure before posting\n}\n";
        let v = line(
            p,
            r#"{"action":"post","actor":{"id":"a","role":"consultant","status":"employed"},"channel":"linkedin","content":{"discloses_employer":false}}"#,
        );
        assert_eq!(v.verdict, Decision::Deny, "{}", v.summary);
        let said: Vec<&str> = v.rules.iter().filter_map(|r| r.requirement.as_deref()).collect();
        assert_eq!(said.len(), 1, "{v:?}");
        assert!(said[0].contains("disclos"), "{said:?}");
    }

    /// When the policy's default asks for every one of several approvers and no clause
    /// decides, the verdict says "all of" as the default does (mutation survivor, round
    /// 12: with no deciding clause the default's own outcome was not read: "or").
    #[test]
    fn a_default_that_needs_all_of_its_approvers_says_so() {
        let p = "policy \"All\"\n  default require approval from all of {legal, marketing}\nroles consultant, legal, marketing\n\
                 rule r { when action = post and content.confidential then deny }\n";
        let v = line(
            p,
            r#"{"action":"post","actor":{"id":"a","role":"consultant","status":"employed"},"content":{"confidential":false}}"#,
        );
        assert_eq!(v.verdict, Decision::RequireApproval, "{}", v.summary);
        assert!(v.summary.contains("all of {legal, marketing}"), "{}", v.summary);
    }

    /// An invitation limit counts invitations, in its words (mutation
    /// survivor: the `Invitations` arm deleted called them posts).
    #[test]
    fn an_invitation_limit_counts_invitations() {
        let p = "policy \"Invitations\" default allow\nroles consultant\n\nconnecting on linkedin {\n  limit 20 invitations per week\n}\n";
        let v = line(
            p,
            r#"{"action":"connect","at":"2026-03-16T09:00:00Z","actor":{"id":"a","role":"consultant","status":"employed"},"channel":"linkedin","target":{"relationship":"candidate"},"history":{"invitations_this_week":20}}"#,
        );
        assert_eq!(v.verdict, Decision::Deny, "{}", v.summary);
        let traces: Vec<String> =
            v.rules.iter().flat_map(|r| r.tests.iter().flat_map(|t| t.computed.clone())).collect();
        assert!(traces.iter().any(|c| c == "with this invitation: 21 > limit 20"), "{traces:?}");
    }

    /// A refusal because a duty is overdue says the leaver is in breach,
    /// not that the action is forbidden; beside another refusal it is
    /// forbidden (mutation survivor: the guard replaced by `false`).
    #[test]
    fn an_overdue_duty_is_a_breach_in_the_summary() {
        let p = "policy \"Leavers\"\n  timezone \"Europe/London\"\n  default allow\nroles consultant\n\
                 ownership {\n  credentials -> agency\n}\n\
                 on departure {\n  return-credentials: hand over credentials within 1 business day\n}\n";
        let leaver = r#"{"action":"hand_over","at":"2026-03-16T09:00:00Z","actor":{"id":"a","role":"consultant","status":"departed","departed_on":"2026-03-02"},"done":[]}"#;
        let v = line(p, leaver);
        assert_eq!(v.verdict, Decision::Deny, "{}", v.summary);
        assert!(v.summary.starts_with("deny: in breach of `return-credentials"), "{}", v.summary);
        assert!(v.summary.contains("overdue and not recorded as done"), "{}", v.summary);
        let also = format!("{p}rule no-hand-overs {{ when action = hand_over then deny }}\n");
        let v = line(&also, leaver);
        assert!(v.summary.starts_with("deny: forbidden by"), "{}", v.summary);
    }

    /// A covenant's window is explained in words: from departure to its
    /// end, counted from what (mutation survivor: `Window::words` emptied
    /// left the explanation without its dates).
    #[test]
    fn a_covenants_window_is_explained_with_its_dates() {
        let p = "policy \"Covenants\"\n  timezone \"Europe/London\"\n  default allow\nroles consultant\n\
                 covenant client-non-solicitation: non_solicitation of clients for 6 months\n";
        let v = line(
            p,
            r#"{"action":"solicit","at":"2026-03-16T09:00:00Z","actor":{"id":"a","role":"consultant","status":"departed","departed_on":"2026-01-31"},"channel":"linkedin","target":{"relationship":"client"}}"#,
        );
        assert_eq!(v.verdict, Decision::Deny, "{}", v.summary);
        let w = v.rules.iter().find_map(|r| r.window.as_ref()).unwrap_or_else(|| panic!("a window: {v:?}"));
        let words = w.words();
        assert!(
            words.first().is_some_and(|l| l.starts_with("window: from 2026-01-31 (departure) to 2026-07-31 inclusive: 6 months counted from the date of departure")),
            "{words:?}"
        );
        // Counted from garden leave, with no start of garden leave given: the words say so (mutation
        // survivor: the guard for a window with no end taken as always true dropped the line).
        let v = line(
            &format!("{p}  garden leave offset\n"),
            r#"{"action":"solicit","at":"2026-03-16T09:00:00Z","actor":{"id":"a","role":"consultant","status":"departed","departed_on":"2026-01-31"},"channel":"linkedin","target":{"relationship":"client"}}"#,
        );
        let w = v.rules.iter().find_map(|r| r.window.as_ref()).unwrap_or_else(|| panic!("a window: {v:?}"));
        let words = w.words().join("\n");
        assert!(
            words.contains("garden leave offset: no start of garden leave is given (actor.garden_leave_from), so the period counts from departure"),
            "{words}"
        );
    }

    /// Which law set a covenant aside, in words: the contract's named law,
    /// not the policy's jurisdiction, when the action gives a place of work
    /// that the rule does not govern (a mutation survivor: with `||` for `&&`
    /// the words named the policy's jurisdiction "as no place of work was
    /// stated", although one was).
    #[test]
    fn the_law_named_by_the_contract_is_named_when_the_place_of_work_is_another() {
        let p = "policy \"Covenants\"\n  jurisdiction US-CA\n  timezone \"America/Los_Angeles\"\n  default allow\nroles consultant\ncovenant rival-agency: non_compete for 12 months\n";
        let v = line(
            p,
            r#"{"action":"compete","at":"2026-03-16T17:00:00Z","actor":{"id":"n","role":"consultant","status":"departed","employed_since":"2021-04-06","departed_on":"2025-11-14","jurisdiction":"UK","governing_law":"US-CA"}}"#,
        );
        assert_eq!(v.verdict, Decision::Allow, "{}", v.summary);
        let because = v.law.first().map(|l| l.applies_because.as_str()).unwrap_or_default();
        assert!(because.contains("the law the contract names, US-CA"), "{because}");
        // The covenant applied (its window holds the action): the law set aside a clause that
        // applied, and says so; with the distance to the rival not given it set aside one that might
        // (mutation survivor: `==` → `!=` on whether the clause applied).
        assert_eq!(v.law.iter().map(|l| l.applied).collect::<Vec<_>>(), [true], "{:?}", v.law);
        let within = format!("{p}  radius 10 miles\n");
        let undecided = line(
            &within,
            r#"{"action":"compete","at":"2026-03-16T17:00:00Z","actor":{"id":"n","role":"consultant","status":"departed","employed_since":"2021-04-06","departed_on":"2025-11-14","jurisdiction":"UK","governing_law":"US-CA"}}"#,
        );
        assert_eq!(undecided.law.iter().map(|l| l.applied).collect::<Vec<_>>(), [false], "{:?}", undecided.law);
    }

    /// When no clause applies, the summary names the section default that
    /// decided and what it says, for each outcome (a mutation survivor: the
    /// deny's words were never read).
    #[test]
    fn the_summary_names_the_section_default_and_what_it_says() {
        let p = "policy \"Defaults\" default allow\nroles consultant, manager\n\
                 posting on twitter {\n  default deny\n}\nposting on linkedin {\n  default require approval from manager\n}\n";
        let post = |channel: &str| {
            line(
                p,
                &format!(
                    r#"{{"action":"post","at":"2026-03-16T09:00:00Z","actor":{{"id":"a","role":"consultant","status":"employed"}},"channel":"{channel}","content":{{"kind":["industry"]}}}}"#
                ),
            )
        };
        let twitter = post("twitter");
        assert_eq!(twitter.verdict, Decision::Deny);
        assert!(twitter.summary.ends_with("says it is not permitted"), "{}", twitter.summary);
        let linkedin = post("linkedin");
        assert_eq!(linkedin.verdict, Decision::RequireApproval);
        assert!(linkedin.summary.ends_with("says it needs approval from manager"), "{}", linkedin.summary);
    }
}
