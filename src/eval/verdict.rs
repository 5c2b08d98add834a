//! A verdict is data: the decision, the clauses that made it, every test they
//! ran, and what is attached (obligations, advice, law notes). Rendering it as
//! words is [`super::explain`]'s job. The JSON shape is versioned
//! ([`SCHEMA_VERSION`]).

use super::interp::TestTrace;
use crate::policy::{Effect, GardenLeave, SectionKind};
use serde::Serialize;

/// The version of the JSON shape of a verdict.
pub const SCHEMA_VERSION: &str = "smpolicy.verdict/1";

/// The four outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    /// Permitted.
    Allow,
    /// Permitted once a named role approves.
    RequireApproval,
    /// Refused.
    Deny,
    /// The policy cannot decide honestly.
    Indeterminate,
}

impl Decision {
    /// Its strictness: 0 allow, 1 require approval, 2 deny; `None` for indeterminate
    /// (the ranks [`crate::semantics`] combines with).
    pub fn rank(self) -> Option<u8> {
        match self {
            Decision::Allow => Some(0),
            Decision::RequireApproval => Some(1),
            Decision::Deny => Some(2),
            Decision::Indeterminate => None,
        }
    }

    /// The decision of a rank ([`Decision::rank`]'s inverse; anything else is indeterminate).
    pub fn of_rank(rank: Option<u8>) -> Decision {
        match rank {
            Some(0) => Decision::Allow,
            Some(1) => Decision::RequireApproval,
            Some(2) => Decision::Deny,
            _ => Decision::Indeterminate,
        }
    }

    /// `allow`, `require-approval`, `deny`, `indeterminate`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::RequireApproval => "require-approval",
            Decision::Deny => "deny",
            Decision::Indeterminate => "indeterminate",
        }
    }

    /// Parses the word used in tests and JSON.
    pub fn parse(s: &str) -> Option<Decision> {
        Some(match s {
            "allow" => Decision::Allow,
            "require-approval" | "require_approval" => Decision::RequireApproval,
            "deny" => Decision::Deny,
            "indeterminate" => Decision::Indeterminate,
            _ => return None,
        })
    }
}

/// Why the verdict is what it is.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Basis {
    /// Applicable clauses decided (the most restrictive wins).
    Clauses,
    /// No clause applied; a section's default did.
    SectionDefault {
        /// The default's id.
        id: String,
        /// Where it was written.
        line: usize,
    },
    /// No clause applied; the policy's default did.
    PolicyDefault,
    /// No clause applied and there is no default.
    NoClause,
    /// Clauses disagree and the policy says conflicts are indeterminate.
    Conflict {
        /// The clauses in conflict.
        rules: Vec<String>,
    },
    /// A clause that could change the verdict needs facts the action lacks.
    MissingFacts {
        /// The clauses that could not be decided.
        rules: Vec<String>,
    },
    /// The action is about several groups of contacts, each decided on its
    /// own (`groups`); these groups' verdicts decide the whole (the most
    /// restrictive, or the indeterminate ones when none refuses).
    Groups {
        /// The deciding groups, by their place in `contacts` (from 0).
        groups: Vec<usize>,
    },
    /// The policy binds at contract and no version of its chain can be named
    /// for this actor (no contract date, or one before the oldest version):
    /// indeterminate, whatever a version would decide ([`crate::versions`]).
    UnknownVersion {
        /// Why no version can be named.
        why: crate::versions::Unbound,
        /// What each version would decide, oldest first.
        each: Vec<crate::versions::VersionDecision>,
    },
}

/// How a clause fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "ClauseStatus")]
pub enum Status {
    /// It applies and counts.
    Applies,
    /// Its condition does not hold.
    NotApplicable,
    /// Its condition holds but an `unless` exception does too.
    Excepted,
    /// An exception clause overrode it.
    Overridden,
    /// It needs facts the action lacks.
    Undecided,
    /// A rule of law sets it aside for this actor on this date (see `set_aside_by`).
    SetAside,
}

/// One clause's evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RuleResult {
    /// The clause id.
    pub id: String,
    /// The section it came from.
    pub section: SectionKind,
    /// 1-based line and column where it was written.
    pub line: usize,
    /// Column.
    pub column: usize,
    /// As written.
    pub source: String,
    /// What it decides when it applies.
    pub effect: Effect,
    /// How it fared.
    pub status: Status,
    /// A dry-run clause: reported, not enforced.
    pub dry_run: bool,
    /// `because "..."` or the rule's description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
    /// A rule's description (`rule x "..."`), when it also has a `because` (else it is the rationale).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// What a breach leads to (`consequence "..."`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consequence: Option<String>,
    /// Other policies or documents the clause refers to (`see "..."`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub see: Vec<String>,
    /// The tests of its condition, in order, as far as they ran.
    pub tests: Vec<TestTrace>,
    /// The `unless` exception that held, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excepted_by: Option<String>,
    /// The reason the author gave for the exception that held (`except when ... "reason"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excepted_reason: Option<String>,
    /// The exception clause that overrode it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overridden_by: Option<String>,
    /// Missing facts, when undecided.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// Tests that could not be decided although their facts were given, in words
    /// (a shifted date outside the calendar, values that cannot be compared).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub undecidable: Vec<String>,
    /// What the clause requires before acting (`require disclosure before
    /// posting`), when it is such a requirement: its refusal means "not yet".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requirement: Option<String>,
    /// Approval already granted that satisfies it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// An approval on file that does not satisfy it (given by a role it does not name), in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval_refused: Option<String>,
    /// The rule of law that sets it aside, when its status is `set_aside`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set_aside_by: Option<LawOverride>,
    /// What became of it, for the list of clauses in scope.
    pub outcome: Outcome,
    /// When it did not apply: the tests that made its condition fail (never a
    /// test in an alternative that did not matter).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<TestTrace>,
    /// For a covenant: its window as computed for this action.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
}

/// A clause the law sets aside for this action: what it would have decided,
/// why the law sets it aside and what follows.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LawOverride {
    /// The clause id.
    pub clause: String,
    /// What the clause decides when it applies.
    pub would_decide: Effect,
    /// Whether its condition held (`false`: it needed facts the action lacks, and would have held the verdict back).
    pub applied: bool,
    /// The rule of law's id in the law table.
    pub law: String,
    /// `void`, `not-binding`, `protected-speech`.
    pub effect: crate::law::LawEffect,
    /// Statute and section.
    pub citation: String,
    /// In force since (inclusive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_force_since: Option<jiff::civil::Date>,
    /// The rule in plain words.
    pub words: String,
    /// Which law applies, and the fact that made it apply.
    pub applies_because: String,
    /// What follows.
    pub advice: String,
    /// Duties the law imposes on the employer.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub employer_duties: Vec<crate::law::EmployerDuty>,
}

/// What became of a clause for this action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "ClauseOutcome")]
pub enum Outcome {
    /// It applied and decided the verdict.
    Decided,
    /// It applied, and disagreed with another that applied, under `conflicts indeterminate`.
    InConflict,
    /// It applied, alongside the clauses that decided (advice, or overruled).
    Applies,
    /// It would apply but is a dry run: reported, not enforced.
    DryRun,
    /// It covered the action but an `unless`/`except` exception held.
    Excepted,
    /// An exception clause overrode it.
    Overridden,
    /// It could not be decided on the facts given.
    Undecided,
    /// A covenant whose window had ended by the action's date.
    Lapsed,
    /// A covenant whose window had not started (the actor has not left, or the action precedes departure).
    NotYetStarted,
    /// Its condition does not hold for this action (see `failed`).
    DidNotApply,
    /// It is about another action or channel.
    OutOfScope,
    /// The law sets it aside for this actor on this date (see `set_aside_by`).
    SetAside,
}

impl Outcome {
    /// The outcome in words.
    pub fn words(self) -> &'static str {
        match self {
            Outcome::Decided => "decided the verdict",
            Outcome::InConflict => {
                "applies, in conflict with another clause that applies (the policy says conflicts are indeterminate)"
            }
            Outcome::Applies => "applies, but did not decide",
            Outcome::DryRun => "would apply (dry run: not enforced)",
            Outcome::Excepted => "covered the action, but an exception holds",
            Outcome::Overridden => "covered the action, but was overridden",
            Outcome::Undecided => "cannot be decided on the facts given",
            Outcome::Lapsed => "covered this, but its window had ended",
            Outcome::NotYetStarted => "covers this, but its window had not started",
            Outcome::DidNotApply => "did not apply",
            Outcome::OutOfScope => "about another action or channel",
            Outcome::SetAside => "covered the action, but the law sets it aside",
        }
    }
}

/// A fact the clauses in scope read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FactUsed {
    /// Its path (`history.posts_today`).
    pub path: String,
    /// Its plain-words label from the fact table (`posts today`).
    pub label: String,
    /// Whether the action gave it.
    pub given: bool,
    /// The value given, or what its absence is taken as (`not given, taken as no`).
    pub value: String,
}

/// Where an action's date falls against a covenant's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    /// Before it starts (the actor has not left, or the action precedes departure).
    Before,
    /// Inside it, both days included.
    Inside,
    /// After its last day.
    After,
    /// Not known: a date it needs is not given.
    Unknown,
}

/// A covenant's window as computed for one action: it runs from departure for a
/// period counted from departure, or, with a garden-leave offset, from the start
/// of garden leave. Every date is a calendar day in the policy's timezone, and
/// both ends count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Window {
    /// The period (`6 months`, or `no end date`).
    pub period: String,
    /// The covenant has no end date (`indefinitely`): the window has no last day.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub no_end: bool,
    /// Departure (`actor.departed_on`): the restraint starts then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<jiff::civil::Date>,
    /// The last day it runs, as applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<jiff::civil::Date>,
    /// The fact the period was counted from (`actor.departed_on` or `actor.garden_leave_from`).
    pub counted_from: String,
    /// Garden leave counts against the covenant (in either wording: see `garden_leave`).
    pub garden_leave_offset: bool,
    /// How garden leave counts: `runs_from` (the period runs from its start) or
    /// `reduced_by` (the period runs from departure, less its days).
    #[serde(skip_serializing_if = "crate::policy::GardenLeave::not_counted")]
    pub garden_leave: crate::policy::GardenLeave,
    /// With `reduced_by` and both dates given: the days of garden leave taken off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub garden_leave_days: Option<i64>,
    /// With a garden-leave offset and garden leave given: the last day without the
    /// offset (counted from departure), against `until` which applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until_without_offset: Option<jiff::civil::Date>,
    /// The look-back (`12 months`): only dealings from `lookback_from` to departure count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lookback: Option<String>,
    /// The first day of dealings that count, with a look-back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lookback_from: Option<jiff::civil::Date>,
    /// The action's date.
    pub action_on: jiff::civil::Date,
    /// The actor's status, when it says the restraint has not started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_departed: Option<String>,
    /// Where the action falls.
    pub action_falls: Position,
}

impl Window {
    /// The window in words, one line each: the dates, what moved them, and where the action falls.
    pub fn words(&self) -> Vec<String> {
        let mut out = Vec::new();
        let day = |d: Option<jiff::civil::Date>| d.map_or_else(|| "(not given)".to_string(), |d| d.to_string());
        let counted = crate::facts::label(&self.counted_from);
        if self.no_end {
            out.push(format!(
                "window: from {} (departure), with no end date: the covenant was written without one (`indefinitely`)",
                day(self.from)
            ));
        } else {
            out.push(format!(
                "window: from {} (departure) to {} inclusive: {} counted from the {} ({})",
                day(self.from),
                day(self.until),
                self.period,
                counted,
                self.counted_from
            ));
        }
        match (self.garden_leave, self.until_without_offset) {
            (GardenLeave::NotCounted, _) => {}
            // No end date: garden leave has no end to move.
            (_, None) if self.no_end => {}
            (GardenLeave::RunsFrom, Some(plain)) => out.push(format!(
                "garden leave offset: counted from departure it would have ended on {plain}; counted from the start of garden leave it ends on {}, and that applied",
                day(self.until)
            )),
            (GardenLeave::ReducedBy, Some(plain)) => out.push(format!(
                "reduced by garden leave: counted from departure it would have ended on {plain}; less the {} days of garden leave it ends on {}, and that applied",
                self.garden_leave_days.unwrap_or(0),
                day(self.until)
            )),
            (wording, None) => out.push(format!(
                "{}: no start of garden leave is given (actor.garden_leave_from), so the period counts from departure{}",
                wording.words(),
                if wording == GardenLeave::ReducedBy { " with nothing taken off" } else { "" }
            )),
        }
        if let Some(lb) = &self.lookback {
            out.push(format!(
                "look-back {lb}: only dealings from {} to {} count, both days included",
                day(self.lookback_from),
                day(self.from)
            ));
        }
        out.push(match self.action_falls {
            Position::After => format!("the action ({}) falls after the window: the covenant had lapsed", self.action_on),
            Position::Inside => format!("the action ({}) falls inside the window", self.action_on),
            Position::Before => match &self.not_departed {
                Some(status) => format!(
                    "the action ({}) falls before the window: it starts on departure, and the actor's status is {status}",
                    self.action_on
                ),
                None => format!("the action ({}) falls before the window, which starts on departure", self.action_on),
            },
            Position::Unknown => format!("where the action ({}) falls cannot be told on the facts given", self.action_on),
        });
        out
    }
}

/// A duty attached to the verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ObligationOut {
    /// The duty.
    pub text: String,
    /// The clause that attached it.
    pub rule: String,
    /// When it is due.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<jiff::civil::Date>,
    /// How the due date was computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_basis: Option<String>,
    /// Days past the due date at the time of the action.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue_days: Option<i64>,
    /// The name to record under the action's `done` once the duty is met.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub done_key: Option<String>,
}

/// A duty as it applies to one action, borrowed from the policy: what an
/// [`ObligationOut`] holds, before anything is allocated (the batch writes
/// it straight out).
#[derive(Debug, Clone, Copy)]
pub struct ObligationRef<'a> {
    /// The duty as the policy states it.
    pub spec: &'a crate::policy::ObligationSpec,
    /// The clause that attached it.
    pub rule: &'a str,
    /// When it is due.
    pub due: Option<jiff::civil::Date>,
    /// What the due date was counted from (a fact's name, or "the action"), and its date.
    pub start: Option<(&'a str, jiff::civil::Date)>,
    /// Days past the due date at the time of the action.
    pub overdue_days: Option<i64>,
}

impl<'a> ObligationRef<'a> {
    /// A duty with its due date counted from `start` (the first of the
    /// obligation's `from` facts the action gives, with its name, or the
    /// action's own date), and how late it is on the action's date.
    pub fn new(
        spec: &'a crate::policy::ObligationSpec,
        rule: &'a str,
        start: Option<(&'a str, jiff::civil::Date)>,
        action_date: jiff::civil::Date,
    ) -> Self {
        let due = spec.within.zip(start).and_then(|(within, (_, start))| within.shift(start, true));
        let overdue_days = due.and_then(|d| {
            let late = d.until(action_date).ok()?.get_days();
            (late > 0).then_some(i64::from(late))
        });
        ObligationRef { spec, rule, due, start, overdue_days }
    }

    /// How the due date was computed, `{from} {start} + {within} = {due}`,
    /// appended to `out` (the dates without jiff's general printer); `false`
    /// when there is no due date.
    pub fn write_basis(&self, out: &mut String) -> bool {
        let (Some(within), Some((from, start)), Some(due)) = (self.spec.within, self.start, self.due) else {
            return false;
        };
        use std::fmt::Write;
        out.push_str(from);
        out.push(' ');
        crate::value::push_date(out, start);
        let _ = write!(out, " + {within} = ");
        crate::value::push_date(out, due);
        true
    }

    /// The duty as the verdict lists it.
    pub fn to_out(&self) -> ObligationOut {
        let mut basis = String::new();
        ObligationOut {
            text: self.spec.text.clone(),
            rule: self.rule.to_string(),
            due: self.due,
            due_basis: self.write_basis(&mut basis).then_some(basis),
            overdue_days: self.overdue_days,
            done_key: self.spec.done_key.clone(),
        }
    }
}

/// A conflict the policy's precedence settled: clauses that permit the action
/// against clauses that restrict it, all applying.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Conflict {
    /// The precedence used: `most_restrictive`, `most_specific`, or either after
    /// `priorities` (`priorities, then most_specific`).
    pub precedence: &'static str,
    /// The clauses that won (they decide).
    pub prevailing: Vec<String>,
    /// The clauses that applied and were overruled.
    pub overruled: Vec<String>,
    /// Why each clause was overruled, when the policy's precedence is more than
    /// the outcomes' order (`priorities`, `conflicts most_specific`): which
    /// clause won and why, in words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub because: Vec<String>,
}

impl Conflict {
    /// The conflict in words.
    pub fn words(&self) -> String {
        let names = |ids: &[String]| ids.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ");
        let verb = |ids: &[String], one: &'static str, many: &'static str| if ids.len() == 1 { one } else { many };
        if !self.because.is_empty() {
            return format!(
                "conflict: {} {} too, but the policy's precedence ({}) settles it: {}; so {} {} overruled",
                names(&self.overruled),
                verb(&self.overruled, "applies", "apply"),
                self.precedence,
                self.because.join("; "),
                names(&self.overruled),
                verb(&self.overruled, "is", "are"),
            );
        }
        format!(
            "conflict: {} {} this action and {} {} it; the policy's precedence ({}) says the most restrictive outcome wins, so {} {} overruled (`conflicts indeterminate` would leave it undecided)",
            names(&self.overruled),
            verb(&self.overruled, "permits", "permit"),
            names(&self.prevailing),
            verb(&self.prevailing, "restricts", "restrict"),
            self.precedence,
            names(&self.overruled),
            verb(&self.overruled, "is", "are"),
        )
    }
}

/// Guidance or a law note attached to the verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Note {
    /// The text.
    pub text: String,
    /// The clause that attached it (empty for the engine's own notes).
    pub rule: String,
}

/// A verdict and everything needed to explain it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Verdict {
    /// [`SCHEMA_VERSION`].
    #[schemars(extend("const" = SCHEMA_VERSION))]
    pub schema: &'static str,
    /// The decision.
    pub verdict: Decision,
    /// Who must approve, for `require-approval`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<String>,
    /// The approvers in words (`marketing or manager`, `all of {legal, marketing}`), for the explanations.
    #[serde(skip)]
    pub approvers_words: String,
    /// Why.
    pub basis: Basis,
    /// The clauses that decided (for a default, the default's id).
    pub deciding: Vec<String>,
    /// The `because` of the section default that decided, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_rationale: Option<String>,
    /// A default that requires approval, satisfied by the approval on file
    /// (`approval.granted_by`): who granted it (the verdict is then allow).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_approved_by: Option<String>,
    /// A one-line summary in words.
    pub summary: String,
    /// Duties attached.
    pub obligations: Vec<ObligationOut>,
    /// Guidance attached.
    pub advice: Vec<Note>,
    /// Law notes attached.
    pub law_notes: Vec<Note>,
    /// Facts a deciding or undecided clause needed and the action lacked.
    pub missing: Vec<String>,
    /// Tests that held the verdict back although their facts were given, in words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub undecidable: Vec<String>,
    /// A permission and a restriction both applied and the precedence settled it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflict: Option<Conflict>,
    /// Dry-run clauses that would have applied.
    pub dry_run: Vec<String>,
    /// What single change would change the verdict.
    pub counterfactuals: Vec<String>,
    /// Clauses the law sets aside for this action (they did not decide).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub law: Vec<LawOverride>,
    /// The policy's own view, with no rule of law applied (`--as-written`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub as_written: bool,
    /// Every clause's evaluation, in source order.
    pub rules: Vec<RuleResult>,
    /// How many clauses are about another action or channel (`outcome: out_of_scope`):
    /// counted, and listed in text and markdown only when asked (`--all`).
    pub out_of_scope: usize,
    /// The facts the clauses in scope read, with their labels and values.
    pub facts: Vec<FactUsed>,
    /// The policy's name and version.
    pub policy: String,
    /// The action is dated before the policy's `effective` date: decided, but
    /// not binding then (shown as a warning).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before_effective: Option<crate::policy::BeforeEffective>,
    /// The version of the policy that decided and why, for a policy with
    /// earlier versions (`previous`) or one that binds at contract.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<crate::versions::Bound>,
    /// For an action about several groups of contacts (`contacts: [...]`):
    /// each group's own verdict, in the order given; the verdict above
    /// combines them. Empty (and left out of JSON) for any other action.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<super::items::GroupVerdict>,
}

impl Verdict {
    /// The results of the deciding clauses.
    pub fn deciding_results(&self) -> impl Iterator<Item = &RuleResult> {
        let deciding = super::by_id::IdSet::new(&self.deciding);
        self.rules.iter().filter(move |r| deciding.contains(&r.id))
    }
}

#[cfg(test)]
mod tests {
    use super::{Decision, Outcome};

    /// Each clause's outcome reads as its own words in the explanation's head
    /// line (mutation survivor, round 11: `Outcome::words` answering "").
    #[test]
    fn each_outcome_has_its_own_words() {
        let all = [
            Outcome::Decided,
            Outcome::InConflict,
            Outcome::Applies,
            Outcome::DryRun,
            Outcome::Excepted,
            Outcome::Overridden,
            Outcome::Undecided,
            Outcome::Lapsed,
            Outcome::NotYetStarted,
            Outcome::DidNotApply,
            Outcome::OutOfScope,
            Outcome::SetAside,
        ];
        let words: std::collections::HashSet<&str> = all.iter().map(|o| o.words()).collect();
        assert_eq!(words.len(), all.len());
        assert!(words.iter().all(|w| w.len() > 5), "{words:?}");
        assert_eq!(Outcome::Decided.words(), "decided the verdict");
    }

    const ALL: [Decision; 4] = [Decision::Allow, Decision::RequireApproval, Decision::Deny, Decision::Indeterminate];

    /// `of_rank` undoes `rank`, and `parse` reads what `as_str` writes, for
    /// every decision (mutation survivors: the deny arm of `of_rank`, the
    /// `indeterminate` arm of `parse`).
    #[test]
    fn each_decision_survives_its_rank_and_its_word() {
        for d in ALL {
            assert_eq!(Decision::of_rank(d.rank()), d, "{d:?}");
            assert_eq!(Decision::parse(d.as_str()), Some(d), "{d:?}");
        }
        assert_eq!(Decision::of_rank(Some(3)), Decision::Indeterminate);
        assert_eq!(Decision::parse("require_approval"), Some(Decision::RequireApproval));
        assert_eq!(Decision::parse("maybe"), None);
    }

    /// A duty with a due date says how it was counted; one without says
    /// nothing (mutation survivor: `write_basis` answering `true` with
    /// nothing written gave the undated duty an empty basis).
    #[test]
    fn only_a_dated_duty_has_a_basis() {
        use crate::value::{Duration, TimeUnit};
        let day = |s: &str| s.parse::<jiff::civil::Date>().unwrap_or_default();
        let undated = crate::policy::ObligationSpec {
            text: "Update your profile.".into(),
            within: None,
            from: Vec::new(),
            done_key: Some("update_profile".into()),
        };
        let out = super::ObligationRef::new(&undated, "r", None, day("2026-03-01")).to_out();
        assert_eq!((out.due, out.due_basis, out.overdue_days), (None, None, None));
        let dated = crate::policy::ObligationSpec {
            within: Some(Duration::new(1, TimeUnit::Month)),
            from: vec!["request.made_on".into()],
            ..undated
        };
        let start = Some(("request.made_on", day("2026-01-10")));
        let out = super::ObligationRef::new(&dated, "r", start, day("2026-03-01")).to_out();
        assert_eq!(out.due, Some(day("2026-02-10")));
        assert_eq!(out.due_basis.as_deref(), Some("request.made_on 2026-01-10 + 1 month = 2026-02-10"));
        assert_eq!(out.overdue_days, Some(19));
    }
}
