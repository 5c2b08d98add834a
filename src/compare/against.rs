//! `--against MY.policy`: a candidate's deal-breakers (the `terms` section of
//! their own policy) checked against each employer. An employer's policy
//! states its covenants and ownership as sections, not as a contract, so a
//! synthetic [`Contract`] is built from [`Policy::covenants`],
//! [`Policy::ownership`], [`Policy::departure`] and the policy's own `terms`
//! (monitoring), then checked by [`check_terms`], exactly as `smpolicy terms`
//! would check a real offer.

use super::{PolicyInfo, Serialize};
use crate::ast::Party;
use crate::data::contract::{Contract, Covenant, CovenantOf, Duty, Obligation, Owner, Ownership};
use crate::eval::terms::{check_terms, TermsReport};
use crate::eval::Decision;
use crate::policy::{Effect, Policy, TermsTest};
use crate::source::SourceFile;

/// The deal-breakers against every employer.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Against {
    /// The candidate's policy file.
    pub file: String,
    /// Its name.
    pub name: String,
    /// One check per employer, in the order of the comparison.
    pub employers: Vec<EmployerCheck>,
}

/// One employer against the deal-breakers.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct EmployerCheck {
    /// The employer's key.
    pub policy: String,
    /// The jurisdiction the contract was read in (the candidate's, else the employer's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
    /// The terms verdict: deny when a deal-breaker is broken.
    pub verdict: Decision,
    /// The terms report's summary.
    pub summary: String,
    /// Deal-breakers broken.
    pub broken: Vec<Issue>,
    /// Deal-breakers the employer's policy does not say enough to check.
    pub unknown: Vec<Issue>,
    /// Preferences (`then advise`) not met.
    pub preferences: Vec<Issue>,
    /// Findings about covenants the law sets aside for the candidate (void or
    /// not binding): they break nothing, since the covenant binds no one.
    pub set_aside: Vec<Issue>,
    /// How the contract was read from the employer's policy.
    pub derivation: Vec<String>,
    /// The contract built from the employer's policy.
    pub contract: Contract,
    /// The full terms report.
    pub report: TermsReport,
}

/// One finding of the terms check.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Issue {
    /// The contract clause (`covenants[0]`, `ownership.connections_during_employment`).
    pub path: String,
    /// The contract clause in words.
    pub clause: String,
    /// The candidate's constraint.
    pub constraint: String,
    /// Its line in the candidate's policy.
    pub line: usize,
    /// The finding.
    pub text: String,
    /// The contract clause is a covenant the jurisdiction's law sets aside (void or not binding): the finding
    /// describes the policy as written and breaks nothing.
    pub void: bool,
}

impl Issue {
    /// `covenants[0]: ... [`constraint`, line 29]`, saying when the covenant is void.
    pub fn words(&self) -> String {
        let void = if self.void { " (as written; the law sets this covenant aside, so it breaks nothing)" } else { "" };
        format!("{}: {}{void} [`{}`, line {}]", self.path, self.text, self.constraint, self.line)
    }
}

fn owner(p: Party) -> Owner {
    match p {
        Party::Employee => Owner::Employee,
        Party::Agency => Owner::Agency,
        Party::Shared => Owner::Shared,
    }
}

/// The owner the policy's ownership clauses give to a contract field: the one
/// owner all matching clauses name, or the agency when they differ (the
/// agency then claims at least part of it), or none when no clause matches.
fn field_owner(policy: &Policy, prefixes: &[&str], field: &str, notes: &mut Vec<String>) -> Option<Owner> {
    let entries: Vec<_> = policy.ownership.iter().filter(|o| prefixes.iter().any(|p| o.asset.starts_with(p))).collect();
    let mut owners: Vec<Party> = entries.iter().map(|o| o.owner).collect();
    owners.sort();
    owners.dedup();
    let ids = entries.iter().map(|o| format!("`{}`", o.id)).collect::<Vec<_>>().join(", ");
    match owners.as_slice() {
        [] => {
            notes.push(format!("{field}: not stated (no ownership clause covers it)"));
            None
        }
        [one] => {
            let partial = entries.iter().any(|o| o.asset.contains(" with "));
            let conditions: Vec<&str> = entries.iter().filter_map(|o| o.condition.as_deref()).collect();
            let o = owner(*one);
            if partial {
                notes.push(format!(
                    "{field}: {} from {ids}, which covers only some relationships; the rest are not stated",
                    o.as_str()
                ));
            } else if !conditions.is_empty() {
                notes.push(format!(
                    "{field}: {} from {ids}, only in part ({}); the rest are not stated",
                    o.as_str(),
                    conditions.join("; ")
                ));
            } else {
                notes.push(format!("{field}: {} from {ids}", o.as_str()));
            }
            Some(o)
        }
        _ => {
            notes.push(format!("{field}: agency, because {ids} give parts of it to different owners"));
            Some(Owner::Agency)
        }
    }
}

/// The contract an employer's policy implies.
pub fn contract_from_policy(policy: &Policy, jurisdiction: Option<&str>) -> (Contract, Vec<String>) {
    let mut notes = Vec::new();
    let mut covenants = Vec::new();
    for c in &policy.covenants {
        let ofs: Vec<Option<CovenantOf>> = if c.of.is_empty() {
            vec![None]
        } else {
            c.of.iter()
                .filter_map(|o| match o.as_str() {
                    "clients" | "client" => Some(Some(CovenantOf::Clients)),
                    "candidates" | "candidate" => Some(Some(CovenantOf::Candidates)),
                    "staff" | "colleagues" | "contract_workers" => Some(Some(CovenantOf::Staff)),
                    _ => None,
                })
                .collect()
        };
        for of in ofs {
            covenants.push(Covenant {
                index: covenants.len(),
                kind: c.kind,
                of,
                months: c.duration.map(super::law::whole_months),
                no_end: c.duration.is_none().then_some(true),
                lookback_months: c.lookback.map(super::law::whole_months),
                radius_miles: c.radius,
                garden_leave_offset: Some(c.garden_leave.counts()),
                capacities: vec![],
                severed: vec![],
                compensation_percent: None,
                in_writing: None,
            });
        }
        let length = c.duration.map_or_else(|| crate::eval::outcome::NO_END.to_string(), |d| format!("for {d}"));
        notes.push(format!("covenants: `{}` {} {length}", c.id, c.kind.as_str()));
    }
    let mut owner_of = |field: &str| field_owner(policy, crate::policy::ownership_words(field), field, &mut notes);
    let ownership = Ownership::from_fields(&mut owner_of);
    let on_departure: Vec<Obligation> = policy
        .departure
        .iter()
        .filter_map(|d| {
            let duty = match d.duty.as_str() {
                "hand_over" => Duty::HandOver,
                "remove" => Duty::Remove,
                "keep" => Duty::Keep,
                _ => return None,
            };
            Some((duty, d))
        })
        .enumerate()
        .map(|(index, (duty, d))| Obligation {
            index,
            duty,
            what: super::slug(&d.asset).replace('-', "_"),
            within_days: d.within.and_then(|w| w.fixed_days()).and_then(|n| u32::try_from(n).ok()),
        })
        .collect();
    let forbids_monitoring = policy.terms.iter().any(|t| t.test == TermsTest::ForbidMonitoring);
    notes.push(if forbids_monitoring {
        "monitoring_of_personal_accounts: no (the policy's terms forbid it)".to_string()
    } else {
        "monitoring_of_personal_accounts: not stated".to_string()
    });
    let contract = Contract {
        employer: Some(policy.meta.name.clone()),
        role: None,
        jurisdiction: jurisdiction.map(str::to_string),
        start: None,
        salary: None,
        covenants,
        ownership: Some(ownership),
        on_departure,
        monitoring_of_personal_accounts: forbids_monitoring.then_some(false),
    };
    (contract, notes)
}

/// Checks the candidate's deal-breakers against each employer.
pub fn against(
    mine_file: &SourceFile,
    mine: &Policy,
    employers: &[(SourceFile, Policy)],
    infos: &[PolicyInfo],
    jurisdiction: Option<&str>,
) -> Against {
    let mut out = Vec::new();
    for ((_, p), info) in employers.iter().zip(infos) {
        let j = jurisdiction.or(p.meta.jurisdiction.as_deref());
        let (contract, derivation) = contract_from_policy(p, j);
        let report = check_terms(mine, mine_file, &contract);
        let mut broken = Vec::new();
        let mut set_aside = Vec::new();
        let mut unknown = Vec::new();
        let mut preferences = Vec::new();
        for c in &report.clauses {
            for f in &c.findings {
                // Only the candidate's own constraints; the check's remarks about an agency's own covenants
                // do not apply to a candidate's policy.
                if !mine.terms.iter().any(|t| t.id == f.rule) {
                    continue;
                }
                let issue = Issue {
                    path: c.path.clone(),
                    clause: c.clause.clone(),
                    constraint: f.rule.clone(),
                    line: f.line,
                    text: f.text.clone(),
                    void: c.law.as_ref().is_some_and(crate::law::Standing::sets_aside),
                };
                match (&f.effect, f.unknown) {
                    _ if issue.void => set_aside.push(issue),
                    (Effect::Deny, false) => broken.push(issue),
                    (Effect::Deny, true) => unknown.push(issue),
                    _ => preferences.push(issue),
                }
            }
        }
        // Undecided only for what the policy does not say: answer for what it does say, and name the rest,
        // rather than one bare "indeterminate" (the verdict stays indeterminate: silence is not consent).
        let summary = if report.verdict == Decision::Indeterminate && broken.is_empty() && !unknown.is_empty() {
            let mut paths: Vec<&str> = unknown.iter().map(|i| i.path.as_str()).collect();
            paths.dedup();
            format!(
                "{}: no deal-breaker is broken by what the policy states; it does not say {} (ask the employer)",
                report.verdict.as_str(),
                paths.join(", ")
            )
        } else {
            report.summary.clone()
        };
        out.push(EmployerCheck {
            policy: info.key.clone(),
            jurisdiction: j.map(str::to_string),
            verdict: report.verdict,
            summary,
            broken,
            unknown,
            preferences,
            set_aside,
            derivation,
            contract,
            report,
        });
    }
    Against { file: mine_file.name.to_string(), name: mine.meta.name.clone(), employers: out }
}
