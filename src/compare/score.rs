//! Transparent scores, 0–10 per dimension, 10 always being the most
//! favourable to the employee. The rubric is data ([`RUBRIC`]), printed with
//! every markdown and HTML report and included in the JSON; each score lists
//! the criteria that produced it with the clauses (ids and lines) behind them.
//!
//! The scores are a reading aid, not a ranking: they weigh what a candidate
//! is likely to care about, and the posture measure in particular is a
//! heuristic, not a sourced standard.

use super::law::Enforceability;
use super::profile::Profile;
use super::{clause_ref, ClauseRef, Probes, Serialize};
use crate::ast::CovenantKind;
use crate::eval::Decision;
use crate::policy::{Effect, Policy};
use crate::source::SourceFile;

/// A dimension of the scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// How much of your network you keep.
    NetworkOwnership,
    /// How light the restrictive covenants are.
    CovenantBurden,
    /// How freely you may post.
    PostingAutonomy,
    /// How trusting the policy's posture is (a heuristic).
    Trust,
}

impl Dimension {
    /// Every dimension, in report order.
    pub const ALL: [Dimension; 4] =
        [Dimension::NetworkOwnership, Dimension::CovenantBurden, Dimension::PostingAutonomy, Dimension::Trust];

    /// The heading.
    pub fn title(self) -> &'static str {
        match self {
            Dimension::NetworkOwnership => "network ownership",
            Dimension::CovenantBurden => "covenant burden",
            Dimension::PostingAutonomy => "posting autonomy",
            Dimension::Trust => "trust (posture)",
        }
    }

    /// What 10 means.
    pub fn meaning(self) -> &'static str {
        match self {
            Dimension::NetworkOwnership => "10 = you keep your whole network when you leave",
            Dimension::CovenantBurden => "10 = no restrictive covenants bind you after you leave",
            Dimension::PostingAutonomy => "10 = everyday posts need nobody's approval",
            Dimension::Trust => "10 = no approval clauses, no restrictive defaults, strangers may be invited",
        }
    }

    /// Whether the score adds points earned (from 0) or deducts from 10.
    pub fn deducts(self) -> bool {
        matches!(self, Dimension::CovenantBurden | Dimension::Trust)
    }
}

/// How a criterion is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// The verdict of a situation of the shipped pack, by id. Credit: allow 1,
    /// require-approval ½, indeterminate ½, deny 0. In a dimension that adds,
    /// it earns `points × credit`; in one that deducts, it costs `points × (1 − credit)`.
    Probe(&'static str),
    /// Each covenant of this kind costs `points × min(months, 12) / 12`; none if void in the jurisdiction.
    CovenantLength(CovenantKind),
    /// Each non-solicitation or non-dealing covenant without a look-back (it reaches everyone, not only
    /// those you dealt with) costs `points`.
    NoLookback,
    /// Each `require approval` clause costs `points`.
    ApprovalClause,
    /// Each default (the header's or a section's) that denies or requires approval costs `points`.
    RestrictiveDefault,
}

/// One line of the rubric.
#[derive(Debug, Clone, Copy)]
pub struct Criterion {
    /// The dimension it counts in.
    pub dimension: Dimension,
    /// How it is measured.
    pub measure: Measure,
    /// Points earned at most, or points deducted per unit.
    pub points: f64,
    /// The most it may deduct in total (deducting measures only).
    pub cap: Option<f64>,
    /// In words.
    pub text: &'static str,
}

/// The rubric. Probes name situations of the shipped pack (`src/compare/pack.yaml`).
pub const RUBRIC: &[Criterion] = &[
    // Network ownership: points earned, 10 in all.
    Criterion {
        dimension: Dimension::NetworkOwnership,
        measure: Measure::Probe("keep-pre-employment-connections"),
        points: 3.0,
        cap: None,
        text: "you keep connections made before you joined",
    },
    Criterion {
        dimension: Dimension::NetworkOwnership,
        measure: Measure::Probe("keep-client-connections"),
        points: 2.0,
        cap: None,
        text: "you keep client connections made while employed",
    },
    Criterion {
        dimension: Dimension::NetworkOwnership,
        measure: Measure::Probe("keep-candidate-connections"),
        points: 2.0,
        cap: None,
        text: "you keep candidate connections made while employed",
    },
    Criterion {
        dimension: Dimension::NetworkOwnership,
        measure: Measure::Probe("keep-colleague-connections"),
        points: 1.0,
        cap: None,
        text: "you keep connections with colleagues",
    },
    Criterion {
        dimension: Dimension::NetworkOwnership,
        measure: Measure::Probe("keep-personal-account"),
        points: 1.0,
        cap: None,
        text: "you keep your own LinkedIn account",
    },
    Criterion {
        dimension: Dimension::NetworkOwnership,
        measure: Measure::Probe("export-own-connections"),
        points: 1.0,
        cap: None,
        text: "you may download the connections you made while employed",
    },
    // Covenant burden: deducted from 10.
    Criterion {
        dimension: Dimension::CovenantBurden,
        measure: Measure::CovenantLength(CovenantKind::NonCompete),
        points: 4.0,
        cap: None,
        text: "each non-compete: 4 × months / 12 (12 months or more cost 4)",
    },
    Criterion {
        dimension: Dimension::CovenantBurden,
        measure: Measure::CovenantLength(CovenantKind::NonDealing),
        points: 3.0,
        cap: None,
        text: "each non-dealing covenant: 3 × months / 12",
    },
    Criterion {
        dimension: Dimension::CovenantBurden,
        measure: Measure::CovenantLength(CovenantKind::NonSolicitation),
        points: 2.0,
        cap: None,
        text: "each non-solicitation covenant: 2 × months / 12",
    },
    Criterion {
        dimension: Dimension::CovenantBurden,
        measure: Measure::CovenantLength(CovenantKind::NonPoaching),
        points: 1.0,
        cap: None,
        text: "each non-poaching covenant: 1 × months / 12",
    },
    Criterion {
        dimension: Dimension::CovenantBurden,
        measure: Measure::NoLookback,
        points: 0.5,
        cap: None,
        text:
            "each client or candidate covenant without a look-back (it reaches everyone, not only those you dealt with)",
    },
    // Posting autonomy: points earned, 10 in all.
    Criterion {
        dimension: Dimension::PostingAutonomy,
        measure: Measure::Probe("job-ad-linkedin"),
        points: 1.0,
        cap: None,
        text: "a job ad on LinkedIn from your own profile",
    },
    Criterion {
        dimension: Dimension::PostingAutonomy,
        measure: Measure::Probe("tweet-10th-of-day"),
        points: 1.0,
        cap: None,
        text: "a 10th tweet in a day from the team's branded account",
    },
    Criterion {
        dimension: Dimension::PostingAutonomy,
        measure: Measure::Probe("job-ad-tweet"),
        points: 1.0,
        cap: None,
        text: "a job ad tweet from your own account",
    },
    Criterion {
        dimension: Dimension::PostingAutonomy,
        measure: Measure::Probe("industry-post-linkedin"),
        points: 1.0,
        cap: None,
        text: "a market insight post on LinkedIn",
    },
    Criterion {
        dimension: Dimension::PostingAutonomy,
        measure: Measure::Probe("brand-video-youtube"),
        points: 1.0,
        cap: None,
        text: "a brand video on the agency's YouTube channel",
    },
    Criterion {
        dimension: Dimension::PostingAutonomy,
        measure: Measure::Probe("job-video-tiktok"),
        points: 1.0,
        cap: None,
        text: "a job video on TikTok",
    },
    Criterion {
        dimension: Dimension::PostingAutonomy,
        measure: Measure::Probe("candidate-spotlight"),
        points: 1.0,
        cap: None,
        text: "a candidate spotlight (with consent, no personal data)",
    },
    Criterion {
        dimension: Dimension::PostingAutonomy,
        measure: Measure::Probe("pay-complaint-facebook"),
        points: 1.0,
        cap: None,
        text: "a complaint about pay on your personal Facebook",
    },
    Criterion {
        dimension: Dimension::PostingAutonomy,
        measure: Measure::Probe("holiday-photo-instagram"),
        points: 1.0,
        cap: None,
        text: "a holiday photo on your personal Instagram",
    },
    Criterion {
        dimension: Dimension::PostingAutonomy,
        measure: Measure::Probe("tweet-11th-of-day"),
        points: 1.0,
        cap: None,
        text: "an 11th tweet in a day",
    },
    // Trust: deducted from 10; a heuristic.
    Criterion {
        dimension: Dimension::Trust,
        measure: Measure::ApprovalClause,
        points: 1.0,
        cap: Some(4.0),
        text: "each `require approval` clause: 1 (at most 4)",
    },
    Criterion {
        dimension: Dimension::Trust,
        measure: Measure::RestrictiveDefault,
        points: 2.0,
        cap: Some(4.0),
        text: "each restrictive default (deny or require approval), the header's or a section's: 2 (at most 4)",
    },
    Criterion {
        dimension: Dimension::Trust,
        measure: Measure::Probe("invite-stranger"),
        points: 2.0,
        cap: None,
        text: "an invitation to a stranger is refused (2), or needs approval or cannot be decided (1)",
    },
];

/// How probe credit works, in words.
pub const CREDIT_RULE: &str = "A situation's verdict earns credit: allow 1, require-approval ½, indeterminate ½, \
     deny 0. Dimensions that add (network ownership, posting autonomy) earn points × credit; dimensions that \
     deduct from 10 (covenant burden, trust) lose points × (1 − credit). Scores are clamped to 0–10 and rounded \
     to one decimal. Situations are those of the shipped pack, whatever pack the matrix uses.";

/// How a subject the policy is silent on is shown, in words (printed with the rubric).
pub const NOT_ADDRESSED_RULE: &str = "A dimension no clause of the policy addresses is shown as \"not addressed\", \
     with no number, and its criteria earn or lose nothing: silence is not the most favourable answer, since what \
     binds you then comes from your contract or the law, which the policy does not show. Network ownership and \
     posting autonomy are addressed when at least one of their situations is decided by a clause or a section's \
     default (not only by the policy's default); covenant burden when the policy has at least one covenant. Trust \
     (posture) is always scored: every policy states a default.";

/// The rubric as data for the report.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RubricRow {
    /// The dimension.
    pub dimension: Dimension,
    /// What 10 means in it.
    pub meaning: &'static str,
    /// The criterion in words.
    pub criterion: &'static str,
    /// The situation it reads, for probes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub situation: Option<&'static str>,
    /// `+3`, `−1 each (at most −4)`.
    pub points: String,
}

/// The rubric, as rows.
pub fn rubric_rows() -> Vec<RubricRow> {
    RUBRIC
        .iter()
        .map(|c| {
            let situation = match c.measure {
                Measure::Probe(id) => Some(id),
                _ => None,
            };
            let sign = if c.dimension.deducts() { "−" } else { "+" };
            let each = if matches!(c.measure, Measure::Probe(_)) { "" } else { " each" };
            let max = match c.measure {
                Measure::CovenantLength(_) => " × months / 12".to_string(),
                _ => String::new(),
            };
            let cap = c.cap.map(|cap| format!(" (at most {sign}{})", num(cap))).unwrap_or_default();
            RubricRow {
                dimension: c.dimension,
                meaning: c.dimension.meaning(),
                criterion: c.text,
                situation,
                points: format!("{sign}{}{max}{each}{cap}", num(c.points)),
            }
        })
        .collect()
}

/// A number without needless decimals: `3`, `0.5`, `1.5`.
pub fn num(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if (r - r.round()).abs() < f64::EPSILON {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// One policy's scores.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Scores {
    /// The policy's key.
    pub policy: String,
    /// One score per dimension, in [`Dimension::ALL`] order.
    pub dimensions: Vec<Score>,
    /// The posture counts (K06).
    pub posture: Posture,
}

impl Scores {
    /// The score of a dimension.
    pub fn get(&self, d: Dimension) -> Option<&Score> {
        self.dimensions.iter().find(|s| s.dimension == d)
    }
}

/// A dimension's value: 0–10 (one decimal), or none when the policy does not
/// address the dimension ([`NOT_ADDRESSED_RULE`]). Shown as `7.5` (or with the
/// precision asked for) or `not addressed`; in JSON a number or `null`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
#[schemars(rename = "ScoreValue")]
pub struct Value(pub Option<f64>);

impl Value {
    /// The words for a dimension the policy does not address.
    pub const NOT_ADDRESSED: &'static str = "not addressed";

    /// `7.5/10`, or `not addressed`.
    pub fn out_of_ten(self) -> String {
        match self.0 {
            Some(x) => format!("{}/10", num(x)),
            None => Self::NOT_ADDRESSED.into(),
        }
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.0, f.precision()) {
            (Some(x), Some(p)) => write!(f, "{x:.p$}"),
            (Some(x), None) => f.pad(&num(x)),
            // A precision is for the number: it must not cut the words short ("n").
            (None, Some(_)) => f.write_str(Self::NOT_ADDRESSED),
            (None, None) => f.pad(Self::NOT_ADDRESSED),
        }
    }
}

/// One dimension's score.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Score {
    /// The dimension.
    pub dimension: Dimension,
    /// 0–10, one decimal; none if no clause of the policy addresses the dimension.
    pub score: Value,
    /// Always 10.
    pub max: f64,
    /// The criteria that produced it.
    pub items: Vec<ScoreItem>,
}

/// What one criterion contributed.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ScoreItem {
    /// The criterion in words.
    pub criterion: String,
    /// Points earned (positive) or deducted (negative).
    pub points: f64,
    /// Why: the verdict, the covenant's length, ...
    pub detail: String,
    /// The clauses behind it.
    pub clauses: Vec<ClauseRef>,
}

impl ScoreItem {
    /// `+3 you keep ...: allow [`id` (line 3)]`.
    pub fn words(&self) -> String {
        let sign = if self.points < 0.0 { "−" } else { "+" };
        let mut out = format!("{sign}{} {}: {}", num(self.points.abs()), self.criterion, self.detail);
        if !self.clauses.is_empty() {
            out.push_str(&format!(" [{}]", self.clauses.iter().map(ClauseRef::words).collect::<Vec<_>>().join(", ")));
        }
        out
    }
}

/// The posture counts: how many clauses require approval and how many defaults restrict.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Posture {
    /// The `require approval` clauses.
    pub approval_clauses: Vec<ClauseRef>,
    /// The restrictive defaults (`policy-default` for the header's).
    pub restrictive_defaults: Vec<ClauseRef>,
    /// Advice-only clauses (`then advise`, rules without `then`).
    pub advice_clauses: Vec<ClauseRef>,
    /// That this is a heuristic.
    pub note: &'static str,
}

fn credit(d: Decision) -> f64 {
    match d {
        Decision::Allow => 1.0,
        Decision::RequireApproval | Decision::Indeterminate => 0.5,
        Decision::Deny => 0.0,
    }
}

fn posture(policy: &Policy, file: &SourceFile, profile: &Profile) -> Posture {
    let approval_clauses = policy
        .rules
        .iter()
        .filter(|r| !r.dry_run && matches!(r.effect, Effect::RequireApproval { .. }))
        .map(|r| clause_ref(policy, file, &r.id))
        .collect();
    let mut restrictive_defaults = Vec::new();
    let d = &profile.defaults;
    for line in std::iter::once(&d.policy).chain(&d.sections) {
        if line.restrictive {
            restrictive_defaults.push(ClauseRef { id: line.id.clone(), line: line.line });
        }
    }
    let advice_clauses =
        policy.rules.iter().filter(|r| r.effect == Effect::Advise).map(|r| clause_ref(policy, file, &r.id)).collect();
    Posture { approval_clauses, restrictive_defaults, advice_clauses, note: super::POSTURE_NOTE }
}

/// Scores one policy.
pub fn score(key: &str, policy: &Policy, file: &SourceFile, probes: &Probes, profile: &Profile) -> Scores {
    let posture = posture(policy, file, profile);
    let mut dimensions = Vec::new();
    for dim in Dimension::ALL {
        let mut items = Vec::new();
        for c in RUBRIC.iter().filter(|c| c.dimension == dim) {
            items.extend(measure(c, policy, file, probes, profile, &posture));
        }
        let score = if addressed(dim, probes, profile) {
            let sum: f64 = items.iter().map(|i| i.points).sum();
            let raw = if dim.deducts() { 10.0 + sum } else { sum };
            Value(Some((raw.clamp(0.0, 10.0) * 10.0).round() / 10.0))
        } else {
            // Silence scores nothing: the verdicts stay listed, with no points.
            for i in &mut items {
                i.points = 0.0;
            }
            Value(None)
        };
        dimensions.push(Score { dimension: dim, score, max: 10.0, items });
    }
    Scores { policy: key.to_string(), dimensions, posture }
}

/// Whether any clause of the policy addresses a dimension ([`NOT_ADDRESSED_RULE`]).
fn addressed(dim: Dimension, probes: &Probes, profile: &Profile) -> bool {
    use crate::eval::Basis;
    match dim {
        Dimension::Trust => true,
        Dimension::CovenantBurden => profile.covenants.iter().any(|k| !k.covenants.is_empty()),
        Dimension::NetworkOwnership | Dimension::PostingAutonomy => RUBRIC
            .iter()
            .filter(|c| c.dimension == dim)
            .filter_map(|c| match c.measure {
                Measure::Probe(id) => probes.get(id),
                _ => None,
            })
            .any(|v| !matches!(v.basis, Basis::PolicyDefault | Basis::NoClause)),
    }
}

fn capped(c: &Criterion, units: usize) -> f64 {
    let total = c.points * units as f64;
    c.cap.map_or(total, |cap| total.min(cap))
}

fn measure(
    c: &Criterion,
    policy: &Policy,
    file: &SourceFile,
    probes: &Probes,
    profile: &Profile,
    posture: &Posture,
) -> Vec<ScoreItem> {
    match c.measure {
        Measure::Probe(id) => {
            let Some(v) = probes.get(id) else {
                return vec![ScoreItem {
                    criterion: c.text.into(),
                    points: 0.0,
                    detail: format!("situation `{id}` is missing from the shipped pack"),
                    clauses: vec![],
                }];
            };
            let cr = credit(v.verdict);
            let points = if c.dimension.deducts() { -(c.points * (1.0 - cr)) } else { c.points * cr };
            let verdict = match v.verdict {
                Decision::RequireApproval => format!("require-approval ({})", v.approvers.join(" or ")),
                d => d.as_str().to_string(),
            };
            let detail = match &v.basis {
                crate::eval::Basis::PolicyDefault => format!("{verdict} (the policy default)"),
                _ => verdict,
            };
            vec![ScoreItem { criterion: c.text.into(), points, detail, clauses: super::cited_refs(v, policy, file) }]
        }
        Measure::CovenantLength(kind) => {
            let Some(line) = profile.covenants.iter().find(|k| k.kind == kind.as_str()) else { return vec![] };
            line.covenants
                .iter()
                .map(|cov| {
                    let clauses = vec![ClauseRef { id: cov.id.clone(), line: cov.line }];
                    if cov.law.status == Enforceability::Void {
                        ScoreItem {
                            criterion: format!("{} `{}`", kind.as_str(), cov.id),
                            points: 0.0,
                            detail: format!(
                                "{}; void in {}, so it costs nothing",
                                cov.duration,
                                cov.law.jurisdiction.clone().unwrap_or_default()
                            ),
                            clauses,
                        }
                    } else {
                        let cost = c.points * cov.months.min(12.0) / 12.0;
                        ScoreItem {
                            criterion: format!("{} `{}`", kind.as_str(), cov.id),
                            points: -cost,
                            detail: if cov.months.is_finite() {
                                format!("{} × {} / 12", num(c.points), cov.duration)
                            } else {
                                // No end date: it costs what 12 months or more cost.
                                format!("{} × 12 / 12 ({}: no end date)", num(c.points), cov.duration)
                            },
                            clauses,
                        }
                    }
                })
                .collect()
        }
        Measure::NoLookback => profile
            .covenants
            .iter()
            .filter(|k| k.kind == "non_solicitation" || k.kind == "non_dealing")
            .flat_map(|k| k.covenants.iter())
            .filter(|cov| cov.lookback.is_none() && cov.law.status != Enforceability::Void)
            .filter(|cov| cov.of.is_empty() || cov.of.iter().any(|o| o == "clients" || o == "candidates"))
            .map(|cov| ScoreItem {
                criterion: format!("`{}` has no look-back", cov.id),
                points: -c.points,
                detail: "it covers every client or candidate, not only those you dealt with".into(),
                clauses: vec![ClauseRef { id: cov.id.clone(), line: cov.line }],
            })
            .collect(),
        Measure::ApprovalClause => {
            let n = posture.approval_clauses.len();
            vec![ScoreItem {
                criterion: "require-approval clauses".into(),
                points: -capped(c, n),
                detail: format!("{n} clause{}", if n == 1 { "" } else { "s" }),
                clauses: posture.approval_clauses.clone(),
            }]
        }
        Measure::RestrictiveDefault => {
            let n = posture.restrictive_defaults.len();
            vec![ScoreItem {
                criterion: "restrictive defaults".into(),
                points: -capped(c, n),
                detail: format!("{n} default{}", if n == 1 { "" } else { "s" }),
                clauses: posture.restrictive_defaults.clone(),
            }]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_addressed_is_written_whole_whatever_the_precision() {
        assert_eq!(format!("{:.1}", Value(None)), Value::NOT_ADDRESSED);
        assert_eq!(format!("{:>16}", Value(None)), format!("{:>16}", Value::NOT_ADDRESSED));
        assert_eq!(format!("{:.1}", Value(Some(9.3))), "9.3");
    }

    #[test]
    fn probe_ids_exist_in_the_shipped_pack() {
        let pack = super::super::pack::shipped();
        for c in RUBRIC {
            if let Measure::Probe(id) = c.measure {
                assert!(pack.get(id).is_some(), "rubric situation `{id}` is not in the pack");
            }
        }
        let profile_only = super::super::pack::profile_only();
        assert!(super::super::pack::parse_pack(super::super::pack::PROFILE_TEXT, "p").is_ok());
        for (id, _) in super::super::profile::OWNERSHIP_PROBES {
            let found = pack.get(id).or(profile_only.get(id));
            assert!(found.is_some(), "ownership situation `{id}` is not in the pack or the profile's situations");
            assert!(pack.get(id).is_none() || profile_only.get(id).is_none(), "`{id}` is in both");
        }
    }

    #[test]
    fn adding_dimensions_total_ten() {
        for d in Dimension::ALL.into_iter().filter(|d| !d.deducts()) {
            let total: f64 = RUBRIC.iter().filter(|c| c.dimension == d).map(|c| c.points).sum();
            assert!((total - 10.0).abs() < 1e-9, "{d:?} totals {total}");
        }
    }

    #[test]
    fn numbers_lose_needless_decimals() {
        assert_eq!(num(3.0), "3");
        assert_eq!(num(0.5), "0.5");
        assert_eq!(num(1.25), "1.3");
    }
}
