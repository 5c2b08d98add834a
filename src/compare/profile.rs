//! A policy's profile in the terms every employer is compared on: who keeps
//! which connections, what a leaver owes, each covenant kind, posting and
//! connecting rules per channel, defaults and monitoring.
//!
//! Ownership is decided by the engine, never read off the text: each row is
//! the verdict of a `depart` or `export` situation of the shipped pack. The
//! other parts read the normalized policy's structure ([`Policy::departure`],
//! [`Policy::covenants`], the rules of the posting and connecting sections).

use super::law::{self, LawStatus};
use super::{clause_ref, line_of, ClauseRef, Probes, Serialize};
use crate::ast::CovenantKind;
use crate::eval::verdict::Status;
use crate::eval::Decision;
use crate::policy::{Cond, Effect, Policy, Rule, RuleKind, SectionKind, Term, TermsTest, TestOp};
use crate::source::SourceFile;
use crate::value::Value;

/// A covenant's length when it has no end date (`indefinitely`), as `compare` shows it.
pub const UNLIMITED: &str = "unlimited";

/// The ownership rows: the situation of the shipped pack that decides each, and what it is about.
pub const OWNERSHIP_PROBES: &[(&str, &str)] = &[
    ("keep-pre-employment-connections", "connections made before employment"),
    ("keep-client-connections", "connections with clients made during employment"),
    ("keep-candidate-connections", "connections with candidates made during employment"),
    ("keep-colleague-connections", "connections with colleagues made during employment"),
    ("keep-database-contact", "connections imported from the agency database"),
    ("keep-personal-account", "your personal account"),
    ("keep-branded-account", "a branded account you ran"),
    ("export-own-connections", "exporting your connections made during employment"),
    ("export-agency-database", "exporting contacts from the agency database"),
    ("keep-agency-video", "videos made for the agency"),
    ("keep-pre-employment-articles", "articles before joining"),
];

/// Whether an ownership row is about content and intellectual property (the
/// action's `material`): such a row no ownership line covers is "not addressed".
fn about_content(situation: &str) -> bool {
    matches!(situation, "keep-agency-video" | "keep-pre-employment-articles")
}

/// A policy's profile.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Profile {
    /// The policy's key.
    pub policy: String,
    /// Who keeps what on leaving.
    pub ownership: OwnershipProfile,
    /// What a leaver hands over, removes, keeps or must not export, and by when.
    pub departure: Vec<DutyLine>,
    /// Each covenant kind, with the policy's covenants of that kind (none: empty).
    pub covenants: Vec<CovenantKindLine>,
    /// Posting rules, per channel scope.
    pub posting: Vec<SectionSummary>,
    /// Connecting rules, per channel scope.
    pub connecting: Vec<SectionSummary>,
    /// General `rule`s, by description.
    pub rules: Vec<ClauseSummary>,
    /// The policy default and the section defaults.
    pub defaults: Defaults,
    /// Monitoring of personal accounts.
    pub monitoring: Monitoring,
    /// The brand names the policy declares, and what it does with accounts named for them.
    pub brands: BrandNames,
}

/// The brand names a policy declares (`brand names {...}`) and what it does with
/// an account whose handle or name carries one: the clauses that read them, and
/// who keeps such a personal account on leaving (decided, as the ownership rows are).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct BrandNames {
    /// The names as written; empty when the policy declares none.
    pub names: Vec<String>,
    /// The clauses that test them (`accounts with brand in handle`, `contains a brand name`).
    pub clauses: Vec<ClauseRef>,
    /// The account the leaving situation is about (`@PhoneDog_you`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    /// On leaving, keeping a personal account with that handle: the verdict and its owner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leaving: Option<OwnershipRow>,
}

impl BrandNames {
    /// The report's lines: the names, the clauses that read them, and whose a
    /// personal account named for them is on leaving.
    pub fn items(&self) -> Vec<String> {
        if self.names.is_empty() {
            return vec!["none declared".to_string()];
        }
        let quoted: Vec<String> = self.names.iter().map(|n| format!("\"{n}\"")).collect();
        let mut out = vec![quoted.join(", ")];
        if self.clauses.is_empty() {
            out.push("no clause reads them".to_string());
        } else {
            out.push(format!("read by {}", self.clauses.iter().map(ClauseRef::words).collect::<Vec<_>>().join(", ")));
        }
        if let (Some(h), Some(row)) = (&self.handle, &self.leaving) {
            out.push(format!("keeping a personal account named {h} on leaving: {}", row.words()));
            out.extend(row.obligations.iter().map(|o| format!("obligation: {o}")));
        }
        out
    }
}

/// The ownership model (domain taxonomy §3), as the verdicts show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OwnershipModel {
    /// You keep connections made before and during employment.
    EmployeeOwned,
    /// You keep earlier connections; some made during employment go back or are removed.
    SplitByProvenance,
    /// Not even connections made before employment are yours to keep.
    AgencyOwned,
    /// Some of it needs approval or cannot be decided.
    NotFullyStated,
}

impl OwnershipModel {
    /// In words.
    pub fn words(self) -> &'static str {
        match self {
            OwnershipModel::EmployeeOwned => "employee-owned: you keep connections made before and during employment",
            OwnershipModel::SplitByProvenance => {
                "split by provenance: connections made before employment stay yours; some made during employment \
                 go back to the agency or are removed at exit"
            }
            OwnershipModel::AgencyOwned => {
                "agency-owned: not even connections made before employment are yours to keep"
            }
            OwnershipModel::NotFullyStated => {
                "not fully stated: keeping some connections needs approval or cannot be decided"
            }
        }
    }

    /// A short name.
    pub fn short(self) -> &'static str {
        match self {
            OwnershipModel::EmployeeOwned => "employee-owned",
            OwnershipModel::SplitByProvenance => "split by provenance",
            OwnershipModel::AgencyOwned => "agency-owned",
            OwnershipModel::NotFullyStated => "not fully stated",
        }
    }
}

/// Who keeps what.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct OwnershipProfile {
    /// The model the verdicts show.
    pub model: OwnershipModel,
    /// One row per asset.
    pub rows: Vec<OwnershipRow>,
}

/// One asset: may you keep (or export) it?
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct OwnershipRow {
    /// What it is about.
    pub asset: String,
    /// The pack situation that decided it.
    pub situation: String,
    /// The verdict.
    pub verdict: Decision,
    /// Who must approve.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<String>,
    /// The owners the ownership clauses that applied name (`employee`, `agency`, `shared`).
    pub owners: Vec<String>,
    /// The ownership clauses that applied.
    pub owner_clauses: Vec<ClauseRef>,
    /// The deciding clauses (or default).
    pub deciding: Vec<ClauseRef>,
    /// The verdict's summary.
    pub summary: String,
    /// Duties attached (remove within 30 days, ...).
    pub obligations: Vec<String>,
    /// About content or intellectual property (a video, a group's member
    /// list): with no ownership clause covering it, the policy does not
    /// address it, whatever a default decides.
    pub about_content: bool,
}

impl OwnershipRow {
    /// `allow — employee (`own-network`, line 31)`.
    pub fn words(&self) -> String {
        let verdict = match self.verdict {
            Decision::RequireApproval if !self.approvers.is_empty() => {
                format!("require-approval ({})", self.approvers.join(" or "))
            }
            d => d.as_str().to_string(),
        };
        if self.about_content && self.owner_clauses.is_empty() {
            // The policy is silent on who owns it: what a default decides is no answer.
            return "not addressed".to_string();
        }
        let mut out = verdict;
        if !self.owners.is_empty() {
            out.push_str(&format!(" — owner: {}", self.owners.join(", ")));
        }
        let cited: Vec<String> = if self.owner_clauses.is_empty() {
            self.deciding.iter().map(ClauseRef::words).collect()
        } else {
            self.owner_clauses.iter().map(ClauseRef::words).collect()
        };
        if self.owner_clauses.is_empty() {
            out.push_str(" — no ownership clause covers it");
        }
        if cited.is_empty() {
            out.push_str(&format!(" ({})", self.summary));
        } else {
            out.push_str(&format!(" [{}]", cited.join(", ")));
        }
        out
    }
}

/// A departure duty.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DutyLine {
    /// The clause id.
    pub id: String,
    /// Its line.
    pub line: usize,
    /// `hand_over`, `remove`, `update_profile`, `keep`, `no_export`.
    pub duty: String,
    /// What it is about.
    pub asset: String,
    /// By when after leaving (or after the agency's request, for hand-overs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within: Option<String>,
    /// In words: `hand over credentials within 1 business day`.
    pub words: String,
    /// Its `because`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
    /// Its advice.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub advice: Vec<String>,
}

/// One covenant kind and the policy's covenants of that kind.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CovenantKindLine {
    /// `non_solicitation`, `non_dealing`, `non_compete`, `non_poaching`.
    pub kind: String,
    /// The policy's covenants of this kind; empty means none.
    pub covenants: Vec<CovenantInfo>,
}

/// A covenant, normalized.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CovenantInfo {
    /// The clause id.
    pub id: String,
    /// Its line.
    pub line: usize,
    /// How long after leaving.
    pub duration: String,
    /// Approximate months, for comparison.
    pub months: f64,
    /// Whom it protects (empty for a non-compete).
    pub of: Vec<String>,
    /// Only those dealt with in this period before leaving.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lookback: Option<String>,
    /// Radius in miles.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub radius_miles: Option<u32>,
    /// Garden leave counts against it (in either wording: see `garden_leave`).
    pub garden_leave_offset: bool,
    /// How garden leave counts: the period runs from its start, or is reduced by its length.
    pub garden_leave: crate::policy::GardenLeave,
    /// The actions it restrains.
    pub applies_to: Vec<String>,
    /// Its exceptions, in words.
    pub exceptions: Vec<String>,
    /// Its `because`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
    /// Its standing in the jurisdiction read.
    pub law: LawStatus,
}

impl CovenantInfo {
    /// `6 months, of clients, candidates, lookback 12 months, garden leave offset`.
    pub fn words(&self) -> String {
        let mut parts = vec![self.duration.clone()];
        if !self.of.is_empty() {
            parts.push(format!("of {}", self.of.join(", ")));
        }
        if let Some(l) = &self.lookback {
            parts.push(format!("lookback {l}"));
        }
        if let Some(r) = self.radius_miles {
            parts.push(format!("radius {r} miles"));
        }
        if self.garden_leave.counts() {
            parts.push(self.garden_leave.words().into());
        }
        parts.push(format!("restrains {}", self.applies_to.join(", ")));
        parts.join(", ")
    }
}

/// A clause of a section or a general rule, summarized.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ClauseSummary {
    /// The clause id.
    pub id: String,
    /// Its line.
    pub line: usize,
    /// `limit`, `share`, `forbid`, `only`, `approval`, `disclosure`, `interaction`, `rule`, `other`.
    pub category: String,
    /// The clause without its modifiers, as written (`limit 10 posts per day`).
    pub text: String,
    /// Its `when` condition, as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// Its `unless` conditions, as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unless: Vec<String>,
    /// Its `when` condition in plain words ([`crate::plain`]): what reports show.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when_words: Option<String>,
    /// Its `unless` conditions in plain words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unless_words: Vec<String>,
    /// What it decides (`deny`, `require approval from marketing`, `advise`).
    pub effect: String,
    /// A `then advise`: the clause only advises.
    pub advice_only: bool,
}

impl ClauseSummary {
    /// `limit 10 posts per day when kind of account is branded [`id`, line 4]`:
    /// its conditions in plain words, the id and line for whoever opens the policy.
    pub fn words(&self) -> String {
        let mut out = self.text.clone();
        if let Some(w) = &self.when_words {
            out.push_str(&format!(" when {w}"));
        }
        for u in &self.unless_words {
            out.push_str(&format!(" unless {u}"));
        }
        if self.advice_only {
            out.push_str(" (advice only)");
        }
        out.push_str(&format!(" [`{}`, line {}]", self.id, self.line));
        out
    }
}

/// The clauses of one section scope (`posting on twitter`, `connecting on linkedin for team recruiting`).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SectionSummary {
    /// `twitter`, `linkedin, twitter`, `any channel`, `other channels`.
    pub channels: String,
    /// `for team recruiting`, `by role consultant`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The clauses, in source order.
    pub clauses: Vec<ClauseSummary>,
    /// The section's default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<DefaultLine>,
}

impl SectionSummary {
    /// `twitter for team recruiting`.
    pub fn heading(&self) -> String {
        match &self.scope {
            Some(s) => format!("{} {s}", self.channels),
            None => self.channels.clone(),
        }
    }

    /// The clauses of one category.
    pub fn of(&self, category: &str) -> impl Iterator<Item = &ClauseSummary> {
        let c = category.to_string();
        self.clauses.iter().filter(move |x| x.category == c)
    }
}

/// A default.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DefaultLine {
    /// The id (`policy-default` for the header's).
    pub id: String,
    /// Its line (0 when the policy states none).
    pub line: usize,
    /// What it covers.
    pub scope: String,
    /// What it decides (`none (indeterminate)` when unstated).
    pub effect: String,
    /// Deny or require-approval.
    pub restrictive: bool,
}

impl DefaultLine {
    /// `posting on other channels: require approval from marketing [`id`, line 70]`.
    pub fn words(&self) -> String {
        if self.line == 0 {
            format!("{}: {}", self.scope, self.effect)
        } else {
            format!("{}: {} [`{}`, line {}]", self.scope, self.effect, self.id, self.line)
        }
    }
}

/// The policy default and the section defaults.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Defaults {
    /// The header's default.
    pub policy: DefaultLine,
    /// The sections' defaults.
    pub sections: Vec<DefaultLine>,
    /// How many defaults (header and sections) deny or require approval.
    pub restrictive: usize,
    /// What decides when clauses disagree (`conflicts ...`), with the named
    /// priorities, highest first, when the policy ranks its clauses.
    pub conflicts: String,
    /// Which version of the policy binds an employee (`binds ...`): the
    /// newest, as amended, or the one in force when the contract was signed.
    pub binds: String,
}

/// What the policy says about monitoring personal accounts.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Monitoring {
    /// Whether it says anything.
    pub stated: bool,
    /// In words.
    pub words: String,
    /// The clauses that say it.
    pub clauses: Vec<ClauseRef>,
}

/// Builds a policy's profile from its normalized form and the verdicts of the shipped pack.
pub fn profile(key: &str, policy: &Policy, file: &SourceFile, probes: &Probes, jurisdiction: Option<&str>) -> Profile {
    Profile {
        policy: key.to_string(),
        ownership: ownership(policy, file, probes),
        departure: departure(policy, file),
        covenants: covenants(policy, file, jurisdiction),
        posting: sections(policy, file, SectionKind::Posting, "post"),
        connecting: sections(policy, file, SectionKind::Connecting, "connect"),
        rules: policy
            .rules
            .iter()
            .filter(|r| r.section == SectionKind::Rule)
            .map(|r| {
                let mut s = summarize(r, file);
                s.category = "rule".into();
                s.text = r.description.clone().unwrap_or_else(|| r.id.clone());
                s.when = None;
                s.unless = vec![];
                s.when_words = None;
                s.unless_words = vec![];
                s
            })
            .collect(),
        defaults: defaults(policy, file),
        monitoring: monitoring(policy, file),
        brands: brands(policy, file, probes),
    }
}

fn brands(policy: &Policy, file: &SourceFile, probes: &Probes) -> BrandNames {
    let reads = |c: &crate::policy::Cond| {
        c.tests().iter().any(|t| matches!(t.op, crate::policy::TestOp::Contains { brands: true, .. }))
    };
    // One reference a line written: a clause's generated companions (its hand-over, its
    // overdue refusal) read the names where the clause does.
    let mut clauses: Vec<ClauseRef> = Vec::new();
    for r in &policy.rules {
        let c = clause_ref(policy, file, &r.id);
        if (reads(&r.when) || r.unless.iter().any(&reads)) && !clauses.iter().any(|x| x.line == c.line) {
            clauses.push(c);
        }
    }
    let situation = super::brand_situation(policy);
    let leaving = situation.as_ref().and_then(|s| {
        let v = probes.get(&s.id)?;
        Some(ownership_row(policy, file, &s.id, "a personal account named for the employer", v))
    });
    BrandNames {
        names: policy.decls.brands.clone(),
        clauses,
        handle: situation.and_then(|s| s.action.account.and_then(|a| a.handle)),
        leaving,
    }
}

fn ownership(policy: &Policy, file: &SourceFile, probes: &Probes) -> OwnershipProfile {
    let mut rows = Vec::new();
    for (id, asset) in OWNERSHIP_PROBES {
        let Some(v) = probes.get(*id) else { continue };
        rows.push(ownership_row(policy, file, id, asset, v));
    }
    ownership_model(rows)
}

/// One ownership row: the verdict on situation `id` and the ownership clauses that decided it.
fn ownership_row(policy: &Policy, file: &SourceFile, id: &str, asset: &str, v: &crate::eval::Verdict) -> OwnershipRow {
    {
        let about_connections = id.contains("connections") || id.contains("contact");
        let mut owners = Vec::new();
        let mut owner_clauses = Vec::new();
        for r in v.rules.iter().filter(|r| r.status == Status::Applies) {
            let Some(rule) = policy.rules.iter().find(|x| x.id == r.id) else { continue };
            if let RuleKind::Ownership { index } = rule.kind {
                if let Some(o) = policy.ownership.get(index) {
                    let who = o.owner.as_str().to_string();
                    if !owners.contains(&who) {
                        owners.push(who);
                    }
                    owner_clauses.push(ClauseRef { id: o.id.clone(), line: r.line });
                }
            }
        }
        owner_clauses.dedup();
        OwnershipRow {
            asset: asset.to_string(),
            situation: id.to_string(),
            verdict: v.verdict,
            approvers: v.approvers.clone(),
            owners,
            owner_clauses,
            deciding: super::cited_refs(v, policy, file),
            summary: v.summary.clone(),
            obligations: v
                .obligations
                .iter()
                .filter(|o| relevant_obligation(policy, v, &o.rule, about_connections))
                .map(|o| match o.due {
                    Some(d) => format!("{} (due {d})", o.text),
                    None => o.text.clone(),
                })
                .collect(),
            about_content: about_content(id),
        }
    }
}

/// The ownership model the rows' verdicts show.
fn ownership_model(rows: Vec<OwnershipRow>) -> OwnershipProfile {
    let verdict = |id: &str| rows.iter().find(|r| r.situation == id).map(|r| r.verdict);
    let before = verdict("keep-pre-employment-connections");
    let during: Vec<Option<Decision>> =
        ["keep-client-connections", "keep-candidate-connections", "keep-colleague-connections"]
            .iter()
            .map(|id| verdict(id))
            .collect();
    let model = match before {
        Some(Decision::Deny) => OwnershipModel::AgencyOwned,
        Some(Decision::Allow) if during.iter().all(|d| *d == Some(Decision::Allow)) => OwnershipModel::EmployeeOwned,
        Some(Decision::Allow) if during.contains(&Some(Decision::Deny)) => OwnershipModel::SplitByProvenance,
        _ => OwnershipModel::NotFullyStated,
    };
    OwnershipProfile { model, rows }
}

/// Whether an obligation on an ownership row is about that row: attached by a
/// clause that decided it, or a duty to remove connections on a row about
/// connections. Duties every leaver has (hand over credentials, update the
/// profile) are left to the departure part of the profile.
fn relevant_obligation(policy: &Policy, v: &crate::eval::Verdict, rule: &str, about_connections: bool) -> bool {
    let Some(r) = policy.rules.iter().find(|r| r.id == rule) else { return false };
    let attaches_only = r.section == SectionKind::Departure && r.effect == Effect::Allow;
    if v.deciding.iter().any(|d| d == rule) && !attaches_only {
        return true;
    }
    match r.kind {
        RuleKind::Duty { index, .. } => {
            about_connections && policy.departure.get(index).is_some_and(|d| d.duty == "remove")
        }
        _ => false,
    }
}

fn departure(policy: &Policy, file: &SourceFile) -> Vec<DutyLine> {
    policy
        .departure
        .iter()
        .map(|d| {
            let rule = policy.rules.iter().find(|r| r.id == d.id);
            let within = d.within.map(|w| w.to_string());
            let mut words = match d.duty.as_str() {
                "hand_over" => format!("hand over {}", d.asset),
                "remove" => format!("remove {}", d.asset),
                "update_profile" => "update your profiles".to_string(),
                "keep" => format!("keep {}", d.asset),
                "no_export" => format!("no export of {}", d.asset),
                other => format!("{other} {}", d.asset),
            };
            match &within {
                Some(w) if d.duty == "hand_over" => {
                    words.push_str(&format!(" within {w} (of leaving, or of the agency's request)"))
                }
                Some(w) => words.push_str(&format!(" within {w} of leaving")),
                None if matches!(d.duty.as_str(), "hand_over" | "remove" | "update_profile") => {
                    words.push_str(" (no deadline)")
                }
                None => {}
            }
            DutyLine {
                id: d.id.clone(),
                line: line_of(policy, file, &d.id),
                duty: d.duty.clone(),
                asset: d.asset.clone(),
                within,
                words,
                rationale: rule.and_then(|r| r.rationale.clone()),
                advice: rule.map(|r| r.advice.clone()).unwrap_or_default(),
            }
        })
        .collect()
}

fn covenants(policy: &Policy, file: &SourceFile, jurisdiction: Option<&str>) -> Vec<CovenantKindLine> {
    CovenantKind::ALL
        .iter()
        .map(|kind| CovenantKindLine {
            kind: kind.as_str().to_string(),
            covenants: policy
                .covenants
                .iter()
                .filter(|c| c.kind == *kind)
                .map(|c| CovenantInfo {
                    id: c.id.clone(),
                    line: line_of(policy, file, &c.id),
                    duration: c.duration.map_or_else(|| UNLIMITED.to_string(), |d| d.to_string()),
                    months: c.duration.map_or(f64::INFINITY, |d| d.approx_months()),
                    of: c.of.clone(),
                    lookback: c.lookback.map(|l| l.to_string()),
                    radius_miles: c.radius,
                    garden_leave_offset: c.garden_leave.counts(),
                    garden_leave: c.garden_leave,
                    applies_to: c.applies_to.clone(),
                    exceptions: c.exceptions.clone(),
                    rationale: policy.rules.iter().find(|r| r.id == c.id).and_then(|r| r.rationale.clone()),
                    law: law::status(c, jurisdiction),
                })
                .collect(),
        })
        .collect()
}

/// The words of a value in a scope test.
fn symbol(v: &Value) -> String {
    match v {
        Value::Symbol(s) | Value::Text(s) => s.clone(),
        other => other.to_string(),
    }
}

fn is_fact(t: &Term, path: &str) -> bool {
    matches!(t, Term::Fact(p) if p == path)
}

/// The values a scope test allows: `path in {..}` or `path = value`.
fn listed(c: &Cond, path: &str) -> Option<Vec<String>> {
    let Cond::Test(t) = c else { return None };
    if !is_fact(&t.lhs, path) {
        return None;
    }
    match &t.op {
        TestOp::In(values) => Some(values.iter().map(symbol).collect()),
        TestOp::Cmp(crate::ast::CmpOp::Eq, Term::Const(v)) => Some(vec![symbol(v)]),
        _ => None,
    }
}

/// The top-level parts of a condition.
fn parts(c: &Cond) -> Vec<&Cond> {
    match c {
        Cond::All(ps) => ps.iter().collect(),
        other => vec![other],
    }
}

/// A section's channels and team or role scope, read from a lowered condition.
fn scope_words(c: &Cond) -> (String, Option<String>) {
    let mut channels: Option<String> = None;
    let mut scope = Vec::new();
    for p in parts(c) {
        if channels.is_none() {
            if let Some(v) = listed(p, "channel") {
                channels = Some(v.join(", "));
                continue;
            }
            if let Cond::Not(inner) = p {
                if listed(inner, "channel").is_some() {
                    channels = Some("other channels".into());
                    continue;
                }
            }
        }
        if let Some(v) = listed(p, "actor.team") {
            scope.push(format!("for team {}", v.join(", ")));
        }
        if let Some(v) = listed(p, "actor.role") {
            scope.push(format!("by role {}", v.join(", ")));
        }
    }
    (channels.unwrap_or_else(|| "any channel".into()), if scope.is_empty() { None } else { Some(scope.join(" ")) })
}

/// Modifier keywords that end a clause's own words.
const MODIFIERS: &[&str] =
    &["when", "unless", "because", "then", "advise", "oblige", "note", "consequence", "see", "dry"];

/// Splits a clause as written into its own words and its modifiers, outside quotes.
pub(crate) fn split_clause(source: &str) -> (String, Vec<(String, String)>) {
    let mut pieces: Vec<(String, String)> = vec![(String::new(), String::new())];
    let mut in_quote = false;
    let mut word_start = true;
    let mut i = 0;
    let chars: Vec<char> = source.chars().collect();
    while let Some(&ch) = chars.get(i) {
        if ch == '"' {
            in_quote = !in_quote;
        }
        if !in_quote && word_start {
            let rest: String = chars.get(i..).map(|r| r.iter().collect()).unwrap_or_default();
            // `then advise "..."`: the word after `then` is its outcome, not a new modifier.
            let after_then = pieces.last().is_some_and(|(k, t)| k == "then" && t.trim().is_empty());
            let found = MODIFIERS.iter().find(|k| rest == **k || rest.starts_with(&format!("{k} ")));
            if let Some(kw) = found.filter(|_| !after_then) {
                pieces.push((kw.to_string(), String::new()));
                i += kw.chars().count();
                word_start = false;
                continue;
            }
        }
        if let Some(last) = pieces.last_mut() {
            last.1.push(ch);
        }
        word_start = !in_quote && ch == ' ';
        i += 1;
    }
    let mut it = pieces.into_iter();
    let core = it.next().map(|(_, t)| t.trim().to_string()).unwrap_or_default();
    (core, it.map(|(k, t)| (k, t.trim().to_string())).collect())
}

/// A clause as written without its label and its `because`/`advise`/`note`/`oblige` texts:
/// `limit 10 posts per day when channel = twitter`.
pub(crate) fn clause_words(id: &str, source: &str) -> String {
    let source = source.strip_prefix(&format!("{id}:")).unwrap_or(source).trim();
    let (core, mods) = split_clause(source);
    let mut out = core;
    for (k, t) in mods {
        if matches!(k.as_str(), "when" | "unless" | "then") {
            out.push_str(&format!(" {k} {t}"));
        }
    }
    out
}

/// A rule, summarized from its normalized form and the words it was written in.
fn summarize(r: &Rule, file: &SourceFile) -> ClauseSummary {
    let source = r.source.strip_prefix(&format!("{}:", r.id)).unwrap_or(&r.source).trim();
    let (core, mods) = split_clause(source);
    let category = match r.kind {
        RuleKind::Limit { .. } => "limit",
        RuleKind::Share { .. } => "share",
        _ if core.starts_with("require approval") => "approval",
        _ if core.starts_with("require disclosure") => "disclosure",
        _ if core.starts_with("require interaction") => "interaction",
        _ if core.starts_with("only") => "only",
        _ if core.starts_with("forbid") => "forbid",
        _ => "other",
    };
    ClauseSummary {
        id: r.id.clone(),
        line: file.line_col(r.span.start).0,
        category: category.to_string(),
        text: core,
        when: mods.iter().find(|(k, _)| k == "when").map(|(_, t)| t.clone()),
        unless: mods.iter().filter(|(k, _)| k == "unless").map(|(_, t)| t.clone()).collect(),
        when_words: (*r.own_when() != Cond::True).then(|| crate::plain::cond(r.own_when())),
        unless_words: r.unless.iter().map(crate::plain::cond).collect(),
        effect: r.effect.describe(),
        advice_only: r.effect == Effect::Advise,
    }
}

fn sections(policy: &Policy, file: &SourceFile, section: SectionKind, action: &str) -> Vec<SectionSummary> {
    let mut out: Vec<SectionSummary> = Vec::new();
    for r in policy.rules.iter().filter(|r| r.section == section && !r.dry_run) {
        let (channels, scope) = scope_words(&r.when);
        let summary = summarize(r, file);
        match out.iter_mut().find(|s| s.channels == channels && s.scope == scope) {
            Some(s) => s.clauses.push(summary),
            None => out.push(SectionSummary { channels, scope, clauses: vec![summary], default: None }),
        }
    }
    for d in &policy.defaults {
        let covers = parts(&d.scope).iter().any(|p| listed(p, "action").is_some_and(|v| v.iter().any(|a| a == action)));
        if !covers {
            continue;
        }
        let (channels, scope) = scope_words(&d.scope);
        let line = default_line(d, file, &channels, &scope, section);
        match out.iter_mut().find(|s| s.channels == channels && s.scope == scope) {
            Some(s) => s.default = Some(line),
            None => out.push(SectionSummary { channels, scope, clauses: vec![], default: Some(line) }),
        }
    }
    out
}

fn default_line(
    d: &crate::policy::SectionDefault,
    file: &SourceFile,
    channels: &str,
    scope: &Option<String>,
    section: SectionKind,
) -> DefaultLine {
    let what = if section == SectionKind::Posting { "posting" } else { "connecting" };
    let scope_words = match scope {
        Some(s) => format!("{what} on {channels} {s}"),
        None => format!("{what} on {channels}"),
    };
    DefaultLine {
        id: d.id.clone(),
        line: file.line_col(d.span.start).0,
        scope: scope_words,
        effect: d.effect.describe(),
        restrictive: matches!(d.effect, Effect::Deny | Effect::RequireApproval { .. }),
    }
}

fn defaults(policy: &Policy, file: &SourceFile) -> Defaults {
    let policy_line = DefaultLine {
        id: "policy-default".into(),
        line: policy.meta.default_span.map_or(0, |s| file.line_col(s.start).0),
        scope: "anything no clause covers".into(),
        effect: match &policy.meta.default {
            Some(e) => e.describe(),
            None => "none (indeterminate)".into(),
        },
        restrictive: matches!(policy.meta.default, Some(Effect::Deny | Effect::RequireApproval { .. })),
    };
    let mut sections = Vec::new();
    for d in &policy.defaults {
        let section =
            if parts(&d.scope).iter().any(|p| listed(p, "action").is_some_and(|v| v.iter().any(|a| a == "post"))) {
                SectionKind::Posting
            } else {
                SectionKind::Connecting
            };
        let (channels, scope) = scope_words(&d.scope);
        sections.push(default_line(d, file, &channels, &scope, section));
    }
    let restrictive = usize::from(policy_line.restrictive) + sections.iter().filter(|s| s.restrictive).count();
    let mut conflicts = policy.meta.conflicts.words().to_string();
    if !policy.meta.priorities.is_empty() {
        conflicts.push_str(&format!("; clauses ranked {} come first", policy.meta.priorities.join(" > ")));
    }
    let binds = policy.meta.binds.words().to_string();
    Defaults { policy: policy_line, sections, restrictive, conflicts, binds }
}

fn monitoring(policy: &Policy, file: &SourceFile) -> Monitoring {
    let clauses: Vec<ClauseRef> = policy
        .terms
        .iter()
        .filter(|t| t.test == TermsTest::ForbidMonitoring)
        .map(|t| clause_ref(policy, file, &t.id))
        .collect();
    if clauses.is_empty() {
        Monitoring { stated: false, words: "not stated".into(), clauses }
    } else {
        Monitoring {
            stated: true,
            words: "no monitoring: the policy's terms forbid contracts that allow monitoring of personal accounts"
                .into(),
            clauses,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_split_at_modifiers_outside_quotes() {
        let (core, mods) = split_clause(
            "limit 10 posts per day when account.kind = branded because \"Quality when it counts.\" then advise \"x\"",
        );
        assert_eq!(core, "limit 10 posts per day");
        assert_eq!(
            mods,
            vec![
                ("when".to_string(), "account.kind = branded".to_string()),
                ("because".to_string(), "\"Quality when it counts.\"".to_string()),
                ("then".to_string(), "advise \"x\"".to_string()),
            ]
        );
        let (core, mods) = split_clause("forbid invitations to clients while on_notice");
        assert_eq!(core, "forbid invitations to clients while on_notice");
        assert!(mods.is_empty());
    }
}
