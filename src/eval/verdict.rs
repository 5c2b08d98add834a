//! A verdict is data: the decision, the clauses that made it, every test they
//! ran, and what is attached (obligations, advice, law notes). Rendering it as
//! words is [`super::explain`]'s job. The JSON shape is versioned
//! ([`SCHEMA_VERSION`]).

use super::interp::{TestTrace, Truth};
use crate::policy::{Effect, SectionKind};
use serde::Serialize;

/// The version of the JSON shape of a verdict.
pub const SCHEMA_VERSION: &str = "smpolicy.verdict/1";

/// The four outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
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
}

/// How a clause fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
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
}

/// One clause's evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
}

impl RuleResult {
    /// The first test that did not hold, for "why not".
    pub fn first_failure(&self) -> Option<&TestTrace> {
        self.tests.iter().find(|t| !matches!(t.truth, Truth::True))
    }
}

/// A duty attached to the verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// The precedence used (`most_restrictive`).
    pub precedence: &'static str,
    /// The clauses that won (they decide).
    pub prevailing: Vec<String>,
    /// The clauses that applied and were overruled.
    pub overruled: Vec<String>,
}

impl Conflict {
    /// The conflict in words.
    pub fn words(&self) -> String {
        let names = |ids: &[String]| ids.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ");
        let verb = |ids: &[String], one: &'static str, many: &'static str| if ids.len() == 1 { one } else { many };
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// The text.
    pub text: String,
    /// The clause that attached it (empty for the engine's own notes).
    pub rule: String,
}

/// A verdict and everything needed to explain it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// [`SCHEMA_VERSION`].
    pub schema: &'static str,
    /// The decision.
    pub verdict: Decision,
    /// Who must approve, for `require-approval`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<String>,
    /// Why.
    pub basis: Basis,
    /// The clauses that decided (for a default, the default's id).
    pub deciding: Vec<String>,
    /// The `because` of the section default that decided, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_rationale: Option<String>,
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
    /// Every clause's evaluation, in source order.
    pub rules: Vec<RuleResult>,
    /// The policy's name and version.
    pub policy: String,
    /// The action is dated before the policy's `effective` date: decided, but
    /// not binding then (shown as a warning).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before_effective: Option<crate::policy::BeforeEffective>,
}

impl Verdict {
    /// The results of the deciding clauses.
    pub fn deciding_results(&self) -> impl Iterator<Item = &RuleResult> {
        self.rules.iter().filter(|r| self.deciding.contains(&r.id))
    }
}
