//! Covenant law for the candidate's jurisdiction: which covenants are void
//! or not binding there, and for the rest, what the law table says (at risk,
//! not assessed, not encoded). The law table itself is [`crate::law`]; this
//! module only reads it, and never guesses what a court would do.

use super::{PolicyInfo, Serialize};
use crate::policy::{CovenantSpec, Policy};
use crate::source::SourceFile;

/// What the engine can say about a covenant's enforceability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Enforceability {
    /// The law table says it is void (or not binding) in the jurisdiction: it binds no one.
    Void,
    /// The engine does not encode whether it is enforceable there: indeterminate, not guessed.
    NotEncoded,
}

impl Enforceability {
    /// `void`, `not encoded (indeterminate)`.
    pub fn words(self) -> &'static str {
        match self {
            Enforceability::Void => "void",
            Enforceability::NotEncoded => "enforceability not encoded (indeterminate)",
        }
    }
}

/// A covenant's standing in a jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LawStatus {
    /// The jurisdiction read (`None`: neither the candidate nor the policy says).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
    /// Void, or not (`not-encoded`, kept for existing readers): `standing` says which status.
    pub status: Enforceability,
    /// The covenant's one status under the law table (`enforceable`,
    /// `enforceable-as-severed`, `at-risk`, `void`, `not-binding`,
    /// `not-assessed`, ...), as `terms` reports it.
    pub standing: crate::law::Standing,
    /// The law table's notes.
    pub notes: Vec<String>,
}

/// A covenant's length in whole months, rounded up (for the law table and contracts).
pub fn whole_months(d: crate::value::Duration) -> u32 {
    d.whole_months()
}

/// The standing of a covenant in a jurisdiction.
pub fn status(spec: &CovenantSpec, jurisdiction: Option<&str>) -> LawStatus {
    let a = crate::law::assess(jurisdiction, spec.kind, &spec.law_facts(), None);
    let void = a.standing.sets_aside();
    LawStatus {
        jurisdiction: jurisdiction.map(str::to_string),
        status: if void { Enforceability::Void } else { Enforceability::NotEncoded },
        standing: a.standing,
        notes: a.notes,
    }
}

/// The jurisdiction part of a comparison.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct JurisdictionReport {
    /// The candidate's jurisdiction, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate: Option<String>,
    /// Whether the candidate supervises others, when said (NLRA §7 protects
    /// only non-supervisory employees' posts about pay).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supervisor: Option<bool>,
    /// The jurisdiction read for each policy: the candidate's, else the policy's own.
    pub per_policy: Vec<(String, Option<String>)>,
    /// Covenants void in the jurisdiction, per policy: `(key, covenant id, kind)`.
    pub void: Vec<VoidCovenant>,
    /// What the report says about the jurisdiction, in words.
    pub summary: Vec<String>,
}

/// A covenant the jurisdiction's law voids.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct VoidCovenant {
    /// The policy's key.
    pub policy: String,
    /// The covenant id.
    pub covenant: String,
    /// `non_compete`, ...
    pub kind: String,
    /// The jurisdiction.
    pub jurisdiction: String,
}

/// The jurisdiction report for a set of policies.
pub fn report(
    policies: &[(SourceFile, Policy)],
    infos: &[PolicyInfo],
    candidate: Option<&str>,
    supervisor: Option<bool>,
) -> JurisdictionReport {
    let mut per_policy = Vec::new();
    let mut void = Vec::new();
    let mut summary = Vec::new();
    let mut not_encoded: Vec<String> = Vec::new();
    let mut assessed: Vec<String> = Vec::new();
    for ((_, p), info) in policies.iter().zip(infos) {
        let j = candidate.or(p.meta.jurisdiction.as_deref());
        per_policy.push((info.key.clone(), j.map(str::to_string)));
        for c in &p.covenants {
            let s = status(c, j);
            match s.status {
                Enforceability::Void => {
                    let jj = j.unwrap_or_default().to_string();
                    summary.push(format!(
                        "{}'s `{}` ({}) is void in {jj}: it binds no one, so it decides no situation and breaks no deal-breaker (marked †)",
                        info.short,
                        c.id,
                        c.kind.as_str()
                    ));
                    void.push(VoidCovenant {
                        policy: info.key.clone(),
                        covenant: c.id.clone(),
                        kind: c.kind.as_str().to_string(),
                        jurisdiction: jj,
                    });
                }
                Enforceability::NotEncoded => match s.standing {
                    crate::law::Standing::NotEncoded | crate::law::Standing::NoJurisdiction => {
                        not_encoded.push(format!("{}'s `{}`", info.short, c.id))
                    }
                    // Its one status, with what it rests on.
                    ref standing => assessed.push(format!("{}'s `{}`: {}", info.short, c.id, standing.summary())),
                },
            }
        }
    }
    match candidate {
        Some(c) => summary.insert(0, format!("Law notes are read for the candidate's jurisdiction, {c}.")),
        None => summary.insert(
            0,
            "No candidate jurisdiction given (--jurisdiction): law notes are read for each policy's own jurisdiction."
                .to_string(),
        ),
    }
    // NLRA §7 follows the candidate's role: said so wherever US law is read.
    let in_us = per_policy.iter().any(|(_, j)| j.as_deref().is_some_and(|j| crate::law::within(j, "US")));
    match supervisor {
        Some(true) => summary.push(
            "You supervise others (--supervisor): NLRA §7 does not protect a supervisor's posts about pay, so a clause restricting them decides for you.".to_string(),
        ),
        _ if in_us => summary.push(
            "Read as a non-supervisory employee: in the US, NLRA §7 protects your posts about pay, so a clause restricting them does not decide (--supervisor reads them as a supervisor's).".to_string(),
        ),
        _ => {}
    }
    if !assessed.is_empty() {
        summary.push(format!("Under the law table: {}.", assessed.join("; ")));
    }
    if !not_encoded.is_empty() {
        summary.push(format!(
            "The enforceability of {} is not encoded for {}: reported as indeterminate, not guessed.",
            not_encoded.join(", "),
            candidate.map_or_else(|| "the policies' jurisdictions".to_string(), str::to_string)
        ));
    }
    JurisdictionReport { candidate: candidate.map(str::to_string), supervisor, per_policy, void, summary }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Duration, TimeUnit};

    #[test]
    fn months_round_up() {
        assert_eq!(whole_months(Duration::new(3, TimeUnit::Month)), 3);
        assert_eq!(whole_months(Duration::new(6, TimeUnit::Week)), 2);
        assert_eq!(whole_months(Duration::new(0, TimeUnit::Day)), 0);
    }
}
