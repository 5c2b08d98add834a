//! The normalized policy: the one representation that the evaluator, `terms`,
//! `compare` and `diff` see. Every section of the language is lowered (by
//! [`lower`](crate::lower)) into [`Rule`]s over the facts of an action; each
//! rule keeps the span and text of the line its author wrote.
//!
//! **Invariant:** rule ids are unique within a policy; every `Term::Fact` path
//! is either in [`schema::fact_paths`](crate::schema::fact_paths) or a declared
//! `facts.NAME`.

use crate::ast::{CmpOp, ConflictMode, CovenantKind, Party, Period};
use crate::source::Span;
use crate::value::{Duration, Type, Value};
use serde::Serialize;
use std::collections::BTreeMap;

/// A normalized policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Policy {
    /// Name, version, default and the other header settings.
    pub meta: Meta,
    /// Names the policy declares on top of the built-in ones.
    pub decls: Declarations,
    /// Every clause, lowered, in source order.
    pub rules: Vec<Rule>,
    /// Section defaults (`posting on other channels { default ... }`).
    pub defaults: Vec<SectionDefault>,
    /// Ownership clauses, structured (for `compare` and `terms`).
    pub ownership: Vec<OwnershipEntry>,
    /// Covenants, structured (for `compare`, `terms` and law notes).
    pub covenants: Vec<CovenantSpec>,
    /// Departure duties, structured (for `compare`).
    pub departure: Vec<DutySpec>,
    /// What contracts must satisfy (for `terms`).
    pub terms: Vec<TermsConstraint>,
}

impl Policy {
    /// A candidate's own deal-breakers (only a `terms` section, no clause about
    /// conduct): checked with `compare --against`, never shown as an employer.
    pub fn is_candidates_own(&self) -> bool {
        !self.terms.is_empty() && self.rules.is_empty()
    }
}

/// Header settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Meta {
    /// `policy "Name"`.
    pub name: String,
    /// `version 3`.
    pub version: Option<String>,
    /// `effective 2026-01-01`.
    pub effective: Option<jiff::civil::Date>,
    /// `owner "..."`.
    pub owner: Option<String>,
    /// `jurisdiction UK`.
    pub jurisdiction: Option<String>,
    /// IANA timezone; `Europe/London` unless the policy says otherwise.
    pub timezone: String,
    /// The default verdict; `None` means indeterminate.
    pub default: Option<Effect>,
    /// Where the default was written.
    pub default_span: Option<Span>,
    /// How differing outcomes combine.
    pub conflicts: ConflictMode,
    /// `priorities legal > brand`: the named tiers, highest first (a clause's
    /// [`Rule::priority`] is an index into it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub priorities: Vec<String>,
    /// `binds as_amended` (the default) or `binds at_contract`: which version
    /// of the policy binds an actor ([`crate::versions`]).
    #[serde(skip_serializing_if = "is_as_amended")]
    pub binds: crate::ast::Binding,
    /// `previous "FILE"`: the version this one replaces, as written (a path
    /// relative to this file; the caller reads it, [`crate::versions::load`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    /// Where `previous` was written.
    #[serde(skip)]
    pub previous_span: Option<Span>,
}

fn is_as_amended(b: &crate::ast::Binding) -> bool {
    *b == crate::ast::Binding::AsAmended
}

/// An action dated before the policy took effect. The verdict is still
/// decided (what the policy would say, for a replay or a what-if), but the
/// policy did not bind the action then, and every output says so: a deny is
/// no breach, an allow no authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct BeforeEffective {
    /// The action's date, in the policy's timezone.
    pub action_date: jiff::civil::Date,
    /// The policy's `effective` date.
    pub effective: jiff::civil::Date,
}

impl BeforeEffective {
    /// The warning in words.
    pub fn words(&self) -> String {
        format!(
            "the action is dated {}, before this policy took effect on {}: the policy did not bind it then, so this verdict only says what the policy would decide",
            self.action_date, self.effective
        )
    }
}

impl Meta {
    /// Whether an action on `date` (in the policy's timezone) comes before the
    /// policy's `effective` date; a policy with none is in force on every date.
    pub fn before_effective(&self, date: jiff::civil::Date) -> Option<BeforeEffective> {
        BeforeEffective::of(self.effective, date)
    }
}

impl BeforeEffective {
    /// [`Meta::before_effective`] from the `effective` date alone (the compiled form keeps only that).
    pub fn of(effective: Option<jiff::civil::Date>, date: jiff::civil::Date) -> Option<BeforeEffective> {
        effective.filter(|e| date < *e).map(|effective| BeforeEffective { action_date: date, effective })
    }
}

/// Declared names, on top of the built-ins in [`schema`](crate::schema).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Declarations {
    /// `roles ...`.
    pub roles: Vec<String>,
    /// `teams ...`.
    pub teams: Vec<String>,
    /// Built-in and declared channels.
    pub channels: Vec<String>,
    /// Built-in and declared content kinds.
    pub content_kinds: Vec<String>,
    /// Built-in and declared actions.
    pub actions: Vec<String>,
    /// `fact NAME: TYPE` (the type uses `Enum("fact NAME")` for enums, values in `fact_enums`).
    pub facts: BTreeMap<String, Type>,
    /// The values of each enum fact.
    pub fact_enums: BTreeMap<String, Vec<String>>,
    /// The counters of `history.counts` the clauses read, each once: found
    /// once at lowering ([`crate::counter::read_by`]), not at every decision.
    pub counters: Vec<crate::counter::Counter>,
    /// `assume FACT = VALUE when not given`: what a yes/no fact or list left out is taken as.
    pub assumed: BTreeMap<String, crate::facts::Assumed>,
    /// `brand names {...}`: the names the agency trades under, as written, each once.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub brands: Vec<String>,
}

/// What a rule decides when it applies.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Effect {
    /// Permits the action.
    Allow,
    /// Permits it once one of these roles approves (or, with [`Join::All`](crate::ast::Join::All), every one).
    RequireApproval {
        /// Who may approve.
        approvers: Vec<String>,
        /// Whether one of them or all of them must approve.
        #[serde(default, skip_serializing_if = "crate::ast::Join::is_any")]
        join: crate::ast::Join,
    },
    /// Refuses it.
    Deny,
    /// Decides nothing; attaches guidance.
    Advise,
}

impl Effect {
    /// Restrictiveness: allow < require-approval < deny; advice decides nothing.
    pub fn rank(&self) -> Option<u8> {
        match self {
            Effect::Advise => None,
            Effect::Allow => Some(0),
            Effect::RequireApproval { .. } => Some(1),
            Effect::Deny => Some(2),
        }
    }

    /// `deny`, `allow`, `require approval from marketing`, `advise`.
    pub fn describe(&self) -> String {
        match self {
            Effect::Allow => "allow".into(),
            Effect::Deny => "deny".into(),
            Effect::Advise => "advise".into(),
            Effect::RequireApproval { approvers, join } => format!("require approval from {}", join.words(approvers)),
        }
    }
}

/// Which section a rule came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    /// `ownership { }`.
    Ownership,
    /// `on departure { }`.
    Departure,
    /// `covenant ...`.
    Covenant,
    /// `posting { }`.
    Posting,
    /// `connecting { }`.
    Connecting,
    /// `rule ...`.
    Rule,
    /// `exception ...`.
    Exception,
}

/// A duty attached to a verdict.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ObligationSpec {
    /// The duty in words.
    pub text: String,
    /// How long there is to meet it.
    pub within: Option<Duration>,
    /// The date the time runs from: a fact path (`actor.departed_on`, `request.made_on`) tried in order;
    /// empty means the action's own time.
    pub from: Vec<String>,
    /// The `done` entry that says it was met (`update_profile`).
    pub done_key: Option<String>,
}

/// What kind of clause a rule came from, with what explanations and `compare` need to know.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RuleKind {
    /// A general `rule` or any clause without special structure.
    Plain,
    /// `limit N posts per day`: the counter and the limit.
    Limit {
        /// The history counter.
        counter: String,
        /// The most allowed, this action included.
        max: u32,
        /// The window.
        per: Period,
    },
    /// `at most 30% job_ad posts per week`.
    Share {
        /// The counter of the kind.
        part: String,
        /// The counter of all posts.
        whole: String,
        /// The share.
        percent: u32,
    },
    /// A covenant; the index into [`Policy::covenants`].
    Covenant {
        /// Index into `Policy::covenants`.
        index: usize,
    },
    /// An ownership clause; the index into [`Policy::ownership`].
    Ownership {
        /// Index into `Policy::ownership`.
        index: usize,
    },
    /// A requirement before acting (`require disclosure before posting`): the
    /// action is refused until it is met, rather than allowed with a duty.
    Requirement {
        /// What must be done first, in words.
        text: String,
    },
    /// A departure duty; the index into [`Policy::departure`].
    Duty {
        /// Index into `Policy::departure`.
        index: usize,
        /// True for the rule that refuses once the duty is overdue.
        overdue: bool,
    },
    /// The rule that refuses once a duty due from an event (`oblige ... within 1 month of
    /// request.made_on`) is overdue and not recorded as done.
    EventDutyOverdue,
}

impl RuleKind {
    /// Whether this is a rule that refuses because a duty (on departure, or from an event) is overdue
    /// and not recorded as done: its refusal is a breach, which doing the duty ends.
    pub fn is_overdue_duty(&self) -> bool {
        matches!(self, RuleKind::Duty { overdue: true, .. } | RuleKind::EventDutyOverdue)
    }
}

/// One rule of the core.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    /// Stable name, used in explanations, tests and diffs.
    pub id: String,
    /// Whether the author named it (`false`: the id was generated).
    pub named: bool,
    /// The section it came from.
    pub section: SectionKind,
    /// Where the author wrote it.
    pub span: Span,
    /// The clause as written (one line, whitespace folded).
    pub source: String,
    /// `rule x "description"`.
    pub description: Option<String>,
    /// When it applies.
    pub when: Cond,
    /// The clause's own `when`, without what its section and its words add
    /// (`True` when it has none): what `compare` puts in plain words
    /// ([`crate::plain`]). `None` when it is `when` itself (a rule's, whose
    /// section adds nothing), so that loading keeps one copy; read it with
    /// [`Rule::own_when`].
    #[serde(skip)]
    pub own_when: Option<Cond>,
    /// Exceptions: it does not apply when any holds.
    pub unless: Vec<Cond>,
    /// The reason the author gave for each exception (`except when ... "reason"`), by position in `unless`.
    pub unless_reasons: Vec<Option<String>>,
    /// What it decides.
    pub effect: Effect,
    /// Duties attached when it applies.
    pub obligations: Vec<ObligationSpec>,
    /// Guidance attached when it applies.
    pub advice: Vec<String>,
    /// Law notes attached when it applies.
    pub notes: Vec<String>,
    /// `because "..."`.
    pub rationale: Option<String>,
    /// `consequence "..."`: what a breach leads to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consequence: Option<String>,
    /// `see "..."`: other policies or documents the clause refers to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub see: Vec<String>,
    /// Evaluated and reported, not enforced.
    pub dry_run: bool,
    /// `priority legal`: its tier, an index into [`Meta::priorities`] (0 is the highest).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u16>,
    /// What it is about, for `conflicts most_specific` (read from `when` at lowering).
    #[serde(skip)]
    pub scope: crate::semantics::Scope,
    /// Clauses this one overrides when it applies (`exception x to y`).
    pub overrides: Vec<String>,
    /// Structure for explanations and `compare`.
    pub kind: RuleKind,
    /// Rules of law that set this clause aside when their condition holds
    /// (attached by [`crate::law::attach`]; empty for the policy as written).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub law: Vec<crate::law::LawGuard>,
}

impl Rule {
    /// The clause's own `when` (see the field `own_when`).
    pub fn own_when(&self) -> &Cond {
        self.own_when.as_ref().unwrap_or(&self.when)
    }

    /// Its exceptions and then its law guards: the conditions under which it
    /// does not decide (the compiled form and the diff read them as one list).
    pub fn exceptions_and_law(&self) -> impl Iterator<Item = &Cond> {
        self.unless.iter().chain(self.law.iter().map(|g| &g.when))
    }
}

/// A section default: applies within `scope` when no rule decides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionDefault {
    /// Stable name.
    pub id: String,
    /// The actions it covers.
    pub scope: Cond,
    /// What it decides.
    pub effect: Effect,
    /// Where it was written.
    pub span: Span,
    /// As written.
    pub source: String,
    /// `because "..."`.
    pub rationale: Option<String>,
    /// Guidance.
    pub advice: Vec<String>,
}

/// A condition over the facts of an action, in Kleene logic: a test of a
/// missing fact is unknown, and unknown propagates unless the other side settles it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "op", content = "args", rename_all = "snake_case")]
pub enum Cond {
    /// Always holds.
    True,
    /// Every part holds.
    All(Vec<Cond>),
    /// Some part holds.
    Any(Vec<Cond>),
    /// The part does not hold.
    Not(Box<Cond>),
    /// A test of one fact.
    Test(Test),
}

impl Cond {
    /// `All`, flattened; `True` when empty.
    pub fn all(parts: Vec<Cond>) -> Cond {
        let mut out = Vec::with_capacity(parts.len());
        for p in parts {
            match p {
                Cond::True => {}
                Cond::All(inner) => out.extend(inner),
                other => out.push(other),
            }
        }
        match out.len() {
            0 => Cond::True,
            1 => out.pop().unwrap_or(Cond::True),
            _ => Cond::All(out),
        }
    }

    /// `Any`, flattened.
    pub fn any(parts: Vec<Cond>) -> Cond {
        let mut out = Vec::new();
        for p in parts {
            match p {
                Cond::Any(inner) => out.extend(inner),
                other => out.push(other),
            }
        }
        if out.len() == 1 {
            out.pop().unwrap_or(Cond::True)
        } else {
            Cond::Any(out)
        }
    }

    /// A test of `path` against an operator.
    pub fn test(path: &str, op: TestOp) -> Cond {
        Cond::Test(Test { lhs: Term::fact(path), op, span: None })
    }

    /// `path = value` for a symbol.
    pub fn is(path: &str, value: &str) -> Cond {
        Cond::test(path, TestOp::Cmp(CmpOp::Eq, Term::Const(Value::Symbol(value.to_string()))))
    }

    /// `path in {values}` for symbols.
    pub fn one_of(path: &str, values: &[String]) -> Cond {
        Cond::test(path, TestOp::In(values.iter().map(|v| Value::Symbol(v.clone())).collect()))
    }

    /// `action in {...}`.
    pub fn actions(values: &[&str]) -> Cond {
        let owned: Vec<String> = values.iter().map(|s| s.to_string()).collect();
        if owned.len() == 1 {
            Cond::is("action", &owned.concat())
        } else {
            Cond::one_of("action", &owned)
        }
    }

    /// Every test in this condition, in order.
    pub fn tests(&self) -> Vec<&Test> {
        // Room for the tests of a usual clause without growing (none for no test).
        let mut out = match self {
            Cond::True => Vec::new(),
            Cond::Test(_) => Vec::with_capacity(1),
            _ => Vec::with_capacity(8),
        };
        self.collect_tests(&mut out);
        out
    }

    /// Every fact path this condition reads (a path read twice is listed twice), appended to `out`.
    pub fn facts_into<'a>(&'a self, out: &mut Vec<&'a str>) {
        let term = |t: &'a Term, out: &mut Vec<&'a str>| match t {
            // The common case, without the list `facts` builds.
            Term::Fact(p) => out.push(p),
            Term::Const(_) => {}
            _ => out.extend(t.facts()),
        };
        for t in self.tests() {
            term(&t.lhs, out);
            match &t.op {
                TestOp::Cmp(_, rhs) | TestOp::Has(rhs) => term(rhs, out),
                TestOp::ShareAbove { whole, .. } => out.push(whole),
                TestOp::In(_)
                | TestOp::HasOutside(_)
                | TestOp::Contains { .. }
                | TestOp::Missing
                | TestOp::Present
                | TestOp::Truthy => {}
            }
        }
    }

    fn collect_tests<'a>(&'a self, out: &mut Vec<&'a Test>) {
        match self {
            Cond::True => {}
            Cond::All(parts) | Cond::Any(parts) => parts.iter().for_each(|p| p.collect_tests(out)),
            Cond::Not(inner) => inner.collect_tests(out),
            Cond::Test(t) => out.push(t),
        }
    }
}

/// `lhs OP ...`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Test {
    /// The tested value (usually a fact).
    pub lhs: Term,
    /// The test.
    pub op: TestOp,
    /// Where the author wrote it, if they did.
    #[serde(skip)]
    pub span: Option<Span>,
}

/// The test applied to a term.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "test", content = "with", rename_all = "snake_case")]
pub enum TestOp {
    /// `= < <= ...` another term.
    Cmp(CmpOp, Term),
    /// One of these values (for a list: any element is).
    In(Vec<Value>),
    /// The list contains this value.
    Has(Term),
    /// The list has an element outside these values.
    HasOutside(Vec<Value>),
    /// The text holds one of these texts, ignoring case
    /// ([`crate::semantics::text_contains`]); `brands`: they are the policy's
    /// `brand names` (`contains a brand name`).
    Contains {
        /// The texts looked for, as written.
        needles: Vec<String>,
        /// They are the policy's brand names.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        brands: bool,
    },
    /// The fact is absent.
    Missing,
    /// The fact is present.
    Present,
    /// The yes/no fact is true.
    Truthy,
    /// `(lhs + 1) * 100 > percent * (whole + 1)`: the share after this action exceeds the limit.
    ShareAbove {
        /// The counter of all posts.
        whole: String,
        /// The limit in percent.
        percent: u32,
    },
}

impl TestOp {
    /// `contains "BW"`, `contains one of "BW", "Brightwater"`, `contains a brand
    /// name ("BW", "Brightwater")`: a `contains` test in words, after its fact.
    pub fn contains_words(needles: &[String], brands: bool) -> String {
        let quoted: Vec<String> = needles.iter().map(|n| format!("{n:?}")).collect();
        match (brands, quoted.as_slice()) {
            (true, _) => format!("contains a brand name ({})", quoted.join(", ")),
            (false, [one]) => format!("contains {one}"),
            (false, _) => format!("contains one of {}", quoted.join(", ")),
        }
    }
}

/// A value in a test: a fact, a constant, or a date shifted by lengths of time.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "term", content = "value", rename_all = "snake_case")]
pub enum Term {
    /// A fact of the action by path.
    Fact(String),
    /// A constant.
    Const(Value),
    /// The first of these facts that the action carries (`request.made_on`, else `actor.departed_on`).
    FirstOf(Vec<String>),
    /// A term shifted: `actor.departed_on + 6 months`.
    Shifted(Box<Term>, Vec<(bool, Duration)>),
    /// A date brought forward by the days from one date fact to another: a
    /// covenant's end (`actor.departed_on + 6 months`) less the days of garden
    /// leave (from `actor.garden_leave_from` to `actor.departed_on`). No days
    /// are taken off when the first is not given or does not fall before the
    /// second.
    Reduced(Box<Term>, String, String),
}

impl Term {
    /// A fact by path.
    pub fn fact(path: &str) -> Term {
        Term::Fact(path.to_string())
    }

    /// Whether it is this fact (`== Term::fact(path)` without building one).
    pub fn is_fact(&self, path: &str) -> bool {
        matches!(self, Term::Fact(p) if p == path)
    }

    /// The facts it reads, in order, each once.
    pub fn facts(&self) -> Vec<&str> {
        fn walk<'a>(t: &'a Term, out: &mut Vec<&'a str>) {
            let paths: Vec<&'a str> = match t {
                Term::Fact(p) => vec![p],
                Term::Const(_) => vec![],
                Term::FirstOf(ps) => ps.iter().map(String::as_str).collect(),
                Term::Shifted(b, _) => return walk(b, out),
                Term::Reduced(b, from, to) => {
                    walk(b, out);
                    vec![from, to]
                }
            };
            for p in paths {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
        let mut out = Vec::new();
        walk(self, &mut out);
        out
    }

    /// The days [`Term::Reduced`] takes off: from `first` to `second`, when both
    /// are given and the first falls before the second.
    pub fn reduced_days(first: Option<jiff::civil::Date>, second: Option<jiff::civil::Date>) -> Option<i64> {
        match (first, second) {
            (Some(a), Some(b)) if a < b => a.until(b).ok().map(|s| i64::from(s.get_days())),
            _ => None,
        }
    }

    /// `(the first of FROM the action gives) + within`: when a duty falls due
    /// or a covenant's window (or a cap on it) ends.
    pub fn due(from: &[String], within: crate::value::Duration) -> Term {
        let base = match from {
            [only] => Term::fact(only),
            _ => Term::FirstOf(from.to_vec()),
        };
        Term::Shifted(Box::new(base), vec![(true, within)])
    }
}

/// An ownership clause.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnershipEntry {
    /// The rule id.
    pub id: String,
    /// What is owned, in words (`connections made before employment`).
    pub asset: String,
    /// Connections (true) or accounts/credentials/content (false).
    pub connections: bool,
    /// Content or intellectual property (`videos`, `recruiting material`): the action's `material`.
    pub material: bool,
    /// The owner.
    pub owner: Party,
    /// Which assets it gives to its owner, as a condition on
    /// `target`/`contacts`/`account` facts: the asset, narrowed by the line's
    /// `when` and `unless`.
    pub matches: Cond,
    /// The line's `when`/`unless` in the author's words
    /// (`unless contacts.origin = before_employment`), when it has any: the
    /// owner then holds only part of the asset.
    pub condition: Option<String>,
}

/// Each ownership field of a contract (`ownership.branded_accounts`) and the
/// words of the ownership lines that speak to it (`branded accounts`): the one
/// table `terms` and the candidate's deal-breaker check (`compare`) read.
/// The content fields (concept 5) are the policy's own words with underscores:
/// `content_made_for_agency` speaks to `content made for agency` and to the
/// kinds of content made for the agency (`videos made for agency`, ...).
pub const CONTRACT_OWNERSHIP: &[(&str, &[&str])] = &[
    ("connections_before_employment", &["connections made before employment", "contacts made before employment"]),
    ("connections_during_employment", &["connections made during employment", "contacts made during employment"]),
    ("branded_accounts", &["branded accounts"]),
    ("personal_accounts", &["personal accounts"]),
    (
        "content_made_for_agency",
        &[
            "content made for agency",
            "content made during employment made for agency",
            "posts made for agency",
            "articles made for agency",
            "videos made for agency",
            "blogs made for agency",
        ],
    ),
    (
        "content_made_privately",
        &[
            "content made privately",
            "posts made privately",
            "articles made privately",
            "videos made privately",
            "blogs made privately",
        ],
    ),
    (
        "content_before_employment",
        &[
            "content made before employment",
            "posts made before employment",
            "articles made before employment",
            "videos made before employment",
            "blogs made before employment",
        ],
    ),
    ("group_member_lists", &["group member lists", "group member lists made for agency"]),
    ("recruiting_material", &["recruiting material", "recruiting material made for agency"]),
];

/// The ownership fields of a contract, in the table's order (`require FIELD -> OWNER` names one).
pub fn ownership_fields() -> impl Iterator<Item = &'static str> {
    CONTRACT_OWNERSHIP.iter().map(|(f, _)| *f)
}

/// The words of the ownership lines that speak to a contract's ownership field (none for another field).
pub fn ownership_words(field: &str) -> &'static [&'static str] {
    CONTRACT_OWNERSHIP.iter().find(|(f, _)| *f == field).map_or(&[], |(_, w)| w)
}

/// A covenant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CovenantSpec {
    /// The rule id.
    pub id: String,
    /// Which covenant.
    pub kind: CovenantKind,
    /// Of whom (`clients`, `candidates`, `staff`).
    pub of: Vec<String>,
    /// How long after departure; `None`: no end date (`indefinitely`).
    pub duration: Option<Duration>,
    /// Look-back.
    pub lookback: Option<Duration>,
    /// Radius in miles.
    pub radius: Option<u32>,
    /// The capacities it binds in (`engaged_in`, `interested_in`, ...); empty: not stated.
    pub capacities: Vec<String>,
    /// Whether (and how) garden leave counts against it.
    pub garden_leave: GardenLeave,
    /// Restrained actions.
    pub applies_to: Vec<String>,
    /// Exceptions in words.
    pub exceptions: Vec<String>,
    /// Where it was written.
    pub span: Span,
}

impl CovenantSpec {
    /// The last day of its window for a period of `within` (the covenant's own
    /// period, or a cap the law puts on it).
    pub fn end(&self, within: Duration) -> Term {
        self.garden_leave.end(within)
    }

    /// What the law's conditions read of it.
    pub fn law_facts(&self) -> crate::law::CovenantFacts {
        crate::law::CovenantFacts::written(self.duration, self.lookback, self.radius, &self.capacities)
    }
}

/// How time spent on garden leave counts against a covenant, in the two
/// wordings contracts use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GardenLeave {
    /// It does not: the period runs from departure.
    #[default]
    NotCounted,
    /// `garden leave offset`: the period runs from the start of garden leave
    /// (`actor.garden_leave_from`), else from departure.
    RunsFrom,
    /// `reduced by garden leave`: the period runs from departure and is
    /// reduced by the days spent on garden leave.
    ReducedBy,
}

impl GardenLeave {
    /// The last day of a window of `within` under this wording.
    pub fn end(self, within: Duration) -> Term {
        const DEPARTED: &str = "actor.departed_on";
        const GARDEN: &str = "actor.garden_leave_from";
        match self {
            GardenLeave::NotCounted => Term::due(&[DEPARTED.to_string()], within),
            GardenLeave::RunsFrom => Term::due(&[GARDEN.to_string(), DEPARTED.to_string()], within),
            GardenLeave::ReducedBy => Term::Reduced(
                Box::new(Term::due(&[DEPARTED.to_string()], within)),
                GARDEN.to_string(),
                DEPARTED.to_string(),
            ),
        }
    }

    /// Not counted (for `skip_serializing_if`).
    pub fn not_counted(&self) -> bool {
        *self == GardenLeave::NotCounted
    }

    /// Whether garden leave counts against the covenant at all.
    pub fn counts(self) -> bool {
        self != GardenLeave::NotCounted
    }

    /// The wording, as policies write it.
    pub fn words(self) -> &'static str {
        match self {
            GardenLeave::NotCounted => "",
            GardenLeave::RunsFrom => "garden leave offset",
            GardenLeave::ReducedBy => "reduced by garden leave",
        }
    }
}

/// A departure duty.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DutySpec {
    /// The rule id.
    pub id: String,
    /// `hand_over`, `remove`, `update_profile`, `keep`, `no_export`.
    pub duty: String,
    /// What it is about, in words.
    pub asset: String,
    /// By when after departure (or a request).
    pub within: Option<Duration>,
}

/// A constraint on employment terms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermsConstraint {
    /// Stable name.
    pub id: String,
    /// What it requires.
    pub test: TermsTest,
    /// What failing it means (deny for a deal-breaker, advise for a preference).
    pub effect: Effect,
    /// Where it was written.
    pub span: Span,
    /// As written.
    pub source: String,
    /// `because "..."`.
    pub rationale: Option<String>,
    /// Guidance.
    pub advice: Vec<String>,
    /// Law notes (`note "..."`), shown with the clauses the constraint judges.
    pub notes: Vec<String>,
}

/// The requirement of a terms constraint.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TermsTest {
    /// A covenant of this kind (and of these) lasts at most `max`.
    MaxCovenant {
        /// Which covenant.
        covenant: CovenantKind,
        /// Of whom (empty: any).
        of: Vec<String>,
        /// The longest acceptable.
        max: Duration,
    },
    /// No covenant of this kind.
    NoCovenant {
        /// Which covenant.
        covenant: CovenantKind,
        /// Of whom (empty: any).
        of: Vec<String>,
    },
    /// Look-backs last at most this.
    MaxLookback {
        /// The longest acceptable.
        max: Duration,
    },
    /// Radius at most this many miles.
    MaxRadius {
        /// The widest acceptable.
        miles: u32,
    },
    /// Non-competes offset garden leave.
    RequireOffset,
    /// The contract's ownership field names this owner.
    RequireOwnership {
        /// The ownership field.
        field: String,
        /// The required owner.
        owner: Party,
    },
    /// No monitoring of personal accounts.
    ForbidMonitoring,
}
