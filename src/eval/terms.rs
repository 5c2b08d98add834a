//! `terms`: employment terms (a contract or an offer) checked clause by clause
//! against a policy — its `terms` constraints, and, for an agency's own
//! policy, its covenant and ownership sections (a contract must not promise
//! more than the policy, nor give the agency what the policy leaves to the
//! employee). Law notes flag covenants the contract's jurisdiction treats as
//! void or suspect; the engine never applies a proposed law.

use super::verdict::Decision;
use crate::ast::{CovenantKind, Party};
use crate::data::contract::{Contract, Covenant};
use crate::policy::{Effect, Policy, TermsConstraint, TermsTest};
use crate::source::SourceFile;
use crate::value::{Duration, TimeUnit};
use serde::Serialize;

/// The version of the JSON shape of a terms report.
pub const SCHEMA_VERSION: &str = "smpolicy.terms/1";

/// One finding about a contract clause.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Finding {
    /// The policy clause that produced it.
    pub rule: String,
    /// Its line in the policy.
    pub line: usize,
    /// What breaking it means.
    pub effect: Effect,
    /// The finding in words.
    pub text: String,
    /// The policy clause's rationale.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
    /// Whether the contract does not say enough to tell.
    pub unknown: bool,
}

/// One contract clause and what was found about it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ClauseCheck {
    /// Its path in the contract (`covenants[0]`, `ownership.branded_accounts`).
    pub path: String,
    /// The clause in words.
    pub clause: String,
    /// Its verdict.
    pub verdict: Decision,
    /// What was found.
    pub findings: Vec<Finding>,
    /// Enforceability notes for the contract's jurisdiction.
    pub law_notes: Vec<String>,
    /// A covenant's one status under the law of the contract's jurisdiction
    /// (`void`, `not-binding`, `at-risk`, `not-assessed`, ...); a covenant the law
    /// sets aside decides nothing, whatever the policy says of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub law: Option<crate::law::Standing>,
}

/// The result of checking a contract.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TermsReport {
    /// [`SCHEMA_VERSION`].
    #[schemars(extend("const" = SCHEMA_VERSION))]
    pub schema: &'static str,
    /// Deny if any deal-breaker is broken, indeterminate if one cannot be told, else allow.
    pub verdict: Decision,
    /// One line in words.
    pub summary: String,
    /// Clause by clause.
    pub clauses: Vec<ClauseCheck>,
    /// Guidance from the constraints that were met or broken softly.
    pub advice: Vec<String>,
    /// The policy checked against.
    pub policy: String,
}

fn months(d: Duration) -> f64 {
    d.approx_months()
}

fn covenant_words(c: &Covenant) -> String {
    let mut w = c.kind.as_str().to_string();
    if let Some(of) = c.of {
        w.push_str(&format!(" of {}", of.as_str()));
    }
    match (c.months, c.no_end) {
        (_, Some(true)) => w.push_str(" with no end date"),
        (Some(m), _) => w.push_str(&format!(" for {m} months")),
        (None, _) => w.push_str(" (duration not stated)"),
    }
    if let Some(l) = c.lookback_months {
        w.push_str(&format!(", lookback {l} months"));
    }
    if let Some(r) = c.radius_miles {
        w.push_str(&format!(", radius {r} miles"));
    }
    if !c.capacities.is_empty() {
        w.push_str(&format!(", capacities {}", c.capacities.join(", ")));
    }
    if c.garden_leave_offset == Some(true) {
        w.push_str(", garden leave offset");
    }
    w
}

fn of_matches(of: &[String], c: &Covenant) -> bool {
    of.is_empty() || c.of.is_some_and(|o| of.iter().any(|x| x == o.as_str()))
}

/// The law's notes for a covenant, with the words recorded as severed.
fn law_notes(assessment: &crate::law::Assessment, severed: &[String]) -> Vec<String> {
    let mut out = assessment.notes.clone();
    for s in severed {
        out.push(format!(
            "the words `{s}` are recorded as severed (blue-pencil test): the covenant is read without them"
        ));
    }
    out
}

struct Ctx<'a> {
    file: &'a SourceFile,
}

impl Ctx<'_> {
    fn finding(&self, t: &TermsConstraint, text: String, unknown: bool) -> Finding {
        Finding {
            rule: t.id.clone(),
            line: self.file.line_col(t.span.start).0,
            effect: t.effect.clone(),
            text,
            rationale: t.rationale.clone(),
            unknown,
        }
    }
}

fn clause_verdict(findings: &[Finding]) -> Decision {
    if findings.iter().any(|f| !f.unknown && f.effect == Effect::Deny) {
        Decision::Deny
    } else if findings.iter().any(|f| f.unknown && f.effect == Effect::Deny) {
        Decision::Indeterminate
    } else if findings.iter().any(|f| !f.unknown && matches!(f.effect, Effect::RequireApproval { .. })) {
        Decision::RequireApproval
    } else {
        Decision::Allow
    }
}

/// Checks a contract against a policy.
pub fn check_terms(policy: &Policy, file: &SourceFile, contract: &Contract) -> TermsReport {
    let ctx = Ctx { file };
    let jurisdiction = contract.jurisdiction.as_deref().or(policy.meta.jurisdiction.as_deref());
    let mut clauses = Vec::new();
    let mut advice = Vec::new();

    for c in &contract.covenants {
        let kind = c.kind;
        let mut findings = Vec::new();
        for t in &policy.terms {
            match &t.test {
                TermsTest::MaxCovenant { covenant, of, max } if *covenant == kind && of_matches(of, c) => {
                    match c.months {
                        _ if c.no_end == Some(true) => findings.push(ctx.finding(
                            t,
                            format!("{} has no end date; at most {max} is acceptable", kind.as_str()),
                            false,
                        )),
                        Some(m) if f64::from(m) > months(*max) => findings.push(ctx.finding(
                            t,
                            format!("{} lasts {m} months; at most {max} is acceptable", kind.as_str()),
                            false,
                        )),
                        Some(_) => {}
                        None => {
                            findings.push(ctx.finding(t, "the contract does not say how long it lasts".into(), true))
                        }
                    }
                }
                TermsTest::NoCovenant { covenant, of } if *covenant == kind && of_matches(of, c) => {
                    findings.push(ctx.finding(
                        t,
                        format!("the contract has a {}; none is acceptable", kind.as_str()),
                        false,
                    ));
                }
                TermsTest::MaxLookback { max } => {
                    if let Some(l) = c.lookback_months.filter(|l| f64::from(*l) > months(*max)) {
                        findings.push(ctx.finding(
                            t,
                            format!("the lookback is {l} months; at most {max} is acceptable"),
                            false,
                        ));
                    }
                }
                TermsTest::MaxRadius { miles } => {
                    if let Some(r) = c.radius_miles.filter(|r| r > miles) {
                        findings.push(ctx.finding(
                            t,
                            format!("the radius is {r} miles; at most {miles} is acceptable"),
                            false,
                        ));
                    }
                }
                TermsTest::RequireOffset if kind == CovenantKind::NonCompete => match c.garden_leave_offset {
                    Some(true) => {}
                    Some(false) => {
                        findings.push(ctx.finding(t, "garden leave does not count against it".into(), false))
                    }
                    None => findings.push(ctx.finding(
                        t,
                        "the contract does not say whether garden leave counts against it".into(),
                        true,
                    )),
                },
                _ => {}
            }
        }
        // An agency's own covenants: the contract must not go further than the policy.
        let own: Vec<_> = policy.covenants.iter().filter(|p| p.kind == kind && of_matches(&p.of, c)).collect();
        if !policy.covenants.is_empty() {
            match (own.first(), c.months) {
                (Some(p), _) if c.no_end == Some(true) && p.duration.is_some() => findings.push(Finding {
                    rule: p.id.clone(),
                    line: file.line_col(p.span.start).0,
                    effect: Effect::Deny,
                    text: format!(
                        "the contract's covenant has no end date: it goes beyond the policy's {} ({})",
                        p.duration.map_or_else(String::new, |d| d.to_string()),
                        p.id
                    ),
                    rationale: None,
                    unknown: false,
                }),
                (Some(p), Some(m)) if p.duration.is_some_and(|d| f64::from(m) > months(d)) => findings.push(Finding {
                    rule: p.id.clone(),
                    line: file.line_col(p.span.start).0,
                    effect: Effect::Deny,
                    text: format!(
                        "the contract's {m} months go beyond the policy's {} ({})",
                        p.duration.map_or_else(|| crate::eval::outcome::NO_END.to_string(), |d| d.to_string()),
                        p.id
                    ),
                    rationale: None,
                    unknown: false,
                }),
                (None, _) => findings.push(Finding {
                    rule: String::new(),
                    line: 0,
                    effect: Effect::Advise,
                    text: format!(
                        "the policy has no {} covenant: the contract adds one the policy does not describe",
                        kind.as_str()
                    ),
                    rationale: None,
                    unknown: false,
                }),
                _ => {}
            }
        }
        let assessment = crate::law::assess(jurisdiction, kind, &c.law_facts(), None);
        let notes = law_notes(&assessment, &c.severed);
        // A covenant the law sets aside binds no one: what the policy says of it decides nothing.
        let verdict = if assessment.standing.sets_aside() { Decision::Allow } else { clause_verdict(&findings) };
        clauses.push(ClauseCheck {
            path: c.path(),
            clause: covenant_words(c),
            verdict,
            findings,
            law_notes: notes,
            law: Some(assessment.standing),
        });
    }

    // Covenants the policy forbids or requires that the contract lacks are fine; ownership next.
    let fields: Vec<(&str, Option<Party>)> = {
        let o = contract.ownership.clone().unwrap_or_default();
        let p = |x: Option<crate::data::contract::Owner>| {
            x.map(|x| match x.as_str() {
                "employee" => Party::Employee,
                "shared" => Party::Shared,
                _ => Party::Agency,
            })
        };
        o.fields().into_iter().map(|(f, x)| (f, p(x))).collect()
    };
    for (field, value) in fields {
        let mut findings = Vec::new();
        for t in &policy.terms {
            if let TermsTest::RequireOwnership { field: f, owner } = &t.test {
                if f == field {
                    match value {
                        Some(v) if v == *owner => {}
                        Some(v) => findings.push(ctx.finding(
                            t,
                            format!(
                                "the contract gives {field} to the {}; it must be the {}",
                                v.as_str(),
                                owner.as_str()
                            ),
                            false,
                        )),
                        None => {
                            findings.push(ctx.finding(t, format!("the contract does not say who owns {field}"), true))
                        }
                    }
                }
            }
        }
        if let (Some(v), Some(entry)) = (value, policy_owner(policy, field)) {
            if v != entry.owner {
                // A line with `when`/`unless` gives its owner only part of the asset:
                // the contract still conflicts with it, on that part.
                let part = entry.condition.as_ref().map_or_else(String::new, |c| format!(" ({c})"));
                findings.push(Finding {
                    rule: entry.id.clone(),
                    line: file.line_col(policy.rules.iter().find(|r| r.id == entry.id).map_or(0, |r| r.span.start)).0,
                    effect: Effect::Deny,
                    text: format!(
                        "the contract gives {field} to the {}; the policy gives them to the {}{part}",
                        v.as_str(),
                        entry.owner.as_str()
                    ),
                    rationale: None,
                    unknown: false,
                });
            }
        }
        if !findings.is_empty() || value.is_some() {
            clauses.push(ClauseCheck {
                path: format!("ownership.{field}"),
                clause: format!("{field} -> {}", value.map_or("not stated", |v| v.as_str())),
                verdict: clause_verdict(&findings),
                findings,
                law_notes: vec![],
                law: None,
            });
        }
    }

    let mut monitoring = Vec::new();
    for t in &policy.terms {
        if t.test == TermsTest::ForbidMonitoring {
            match contract.monitoring_of_personal_accounts {
                Some(true) => {
                    monitoring.push(ctx.finding(t, "the contract allows monitoring of personal accounts".into(), false))
                }
                Some(false) => {}
                None => monitoring.push(ctx.finding(
                    t,
                    "the contract does not say whether personal accounts are monitored".into(),
                    true,
                )),
            }
        }
    }
    if !monitoring.is_empty() || contract.monitoring_of_personal_accounts.is_some() {
        clauses.push(ClauseCheck {
            path: "monitoring_of_personal_accounts".into(),
            clause: format!(
                "monitoring of personal accounts: {}",
                contract.monitoring_of_personal_accounts.map_or("not stated", |b| if b { "yes" } else { "no" })
            ),
            verdict: clause_verdict(&monitoring),
            findings: monitoring,
            law_notes: vec![],
            law: None,
        });
    }
    for t in &policy.terms {
        advice.extend(t.advice.iter().cloned());
    }

    // The law notes a policy attached to its terms clauses go with the clauses they judged.
    for c in clauses.iter_mut() {
        for f in &c.findings {
            if let Some(t) = policy.terms.iter().find(|t| t.id == f.rule) {
                for n in &t.notes {
                    if !c.law_notes.contains(n) {
                        c.law_notes.push(n.clone());
                    }
                }
            }
        }
    }
    let binding = |c: &&ClauseCheck| !c.law.as_ref().is_some_and(crate::law::Standing::sets_aside);
    let all: Vec<Finding> = clauses.iter().filter(binding).flat_map(|c| c.findings.clone()).collect();
    let verdict = clause_verdict(&all);
    let broken = clauses.iter().filter(|c| c.verdict == Decision::Deny).count();
    let summary = match verdict {
        Decision::Deny => {
            format!("deny: {broken} clause{} the policy", if broken == 1 { " breaks" } else { "s break" })
        }
        Decision::Indeterminate => "indeterminate: the contract does not say enough to check every constraint".into(),
        _ if clauses.iter().any(|c| !binding(&c)) => {
            "allow: every clause that binds is consistent with the policy; the law sets aside the others".into()
        }
        _ => "allow: every clause is consistent with the policy".into(),
    };
    TermsReport {
        schema: SCHEMA_VERSION,
        verdict,
        summary,
        clauses,
        advice,
        policy: match &policy.meta.version {
            Some(v) => format!("{} (version {v})", policy.meta.name),
            None => policy.meta.name.clone(),
        },
    }
}

/// The ownership line that gives a contract ownership field an owner.
fn policy_owner<'p>(policy: &'p Policy, field: &str) -> Option<&'p crate::policy::OwnershipEntry> {
    let wanted = crate::policy::ownership_words(field);
    policy.ownership.iter().find(|o| wanted.iter().any(|w| o.asset == *w))
}

/// Months as a duration, for messages.
pub fn months_duration(m: u32) -> Duration {
    Duration::new(m, TimeUnit::Month)
}

/// Renders a terms report as text.
pub fn text(r: &TermsReport, policy_file: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "verdict: {}", r.verdict.as_str());
    let _ = writeln!(out, "  {}", r.summary);
    let _ = writeln!(out, "policy: {}", r.policy);
    for c in &r.clauses {
        let _ = writeln!(out, "\n{} — {}: {}", c.path, c.clause, c.verdict.as_str());
        for f in &c.findings {
            let mark = if f.unknown {
                "?"
            } else if f.effect == Effect::Advise {
                "i"
            } else {
                "✗"
            };
            let at =
                if f.rule.is_empty() { String::new() } else { format!(" [`{}` {}:{}]", f.rule, policy_file, f.line) };
            let _ = writeln!(out, "  {mark} {}{at}", f.text);
            if let Some(why) = &f.rationale {
                let _ = writeln!(out, "    because: {why}");
            }
        }
        match &c.law {
            Some(l) if l.sets_aside() => {
                let _ =
                    writeln!(out, "  ⚖ {}: the law sets it aside, so it binds no one and decides nothing", l.word());
            }
            _ if c.findings.is_empty() => {
                let _ = writeln!(out, "  ✓ consistent with the policy");
            }
            _ => {}
        }
        // Not encoded: the law note says so already.
        let said = |l: &&crate::law::Standing| l.sets_aside() || matches!(l, crate::law::Standing::NotEncoded);
        if let Some(l) = c.law.as_ref().filter(|l| !said(l)) {
            let _ = writeln!(out, "  law status: {}", l.summary());
        }
        for n in &c.law_notes {
            let _ = writeln!(out, "  law: {n}");
        }
    }
    if !r.advice.is_empty() {
        let _ = writeln!(out, "\nadvice (not binding):");
        for a in &r.advice {
            let _ = writeln!(out, "  - {a}");
        }
    }
    out
}
