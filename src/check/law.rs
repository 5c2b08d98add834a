//! Checker stage: law. Warnings about covenants that the law of the policy's
//! jurisdiction voids or doubts, and about clauses that may chill speech the
//! NLRA protects in the US. Each warning cites its basis.
//!
//! The rules are [`crate::law::TABLE`], the one law table: the evaluator sets
//! aside for an actor exactly what these lints warn about for the policy's
//! jurisdiction. Only law in force is applied: proposed or announced changes
//! are reported as `pending-law` and never as a cap, and a rule set aside by
//! the courts (the FTC's 2024 non-compete rule) is not reported here at all.
//! Nothing here is legal advice.

use super::Checker;
use crate::ast::*;
use crate::diagnostic::{Diagnostic, Severity};
use crate::law::{self, Applies, LawEffect, LawStatus};

/// The covenant lints, read from the law table for the policy's jurisdiction.
pub(super) fn check(cx: &mut Checker<'_>) {
    let Some(j) = &cx.ast.header.jurisdiction else { return };
    let jurisdiction = j.node.as_str();
    for item in &cx.ast.items {
        let Item::Covenant(c) = &item.node else { continue };
        let capacities: Vec<String> = c.capacities.iter().map(|n| n.node.clone()).collect();
        let facts = law::CovenantFacts::written(
            c.duration.node,
            c.lookback.as_ref().map(|l| l.node),
            c.radius.as_ref().map(|r| r.node),
            &capacities,
        );
        for (rule, applies) in law::covenant(jurisdiction, c.kind.node, &facts) {
            let words = rule.words_for_facts(c.kind.node, &facts);
            let (code, label, help) = match (rule.status, rule.effect, &applies) {
                (LawStatus::SetAside, ..) => continue,
                // Pending law: a proposal announced to take effect on a date; an undated one is only a note.
                (LawStatus::Proposal, ..) if rule.since.is_some() => {
                    ("pending-law", "affected by an announced change".to_string(), rule.advice.to_string())
                }
                (LawStatus::Proposal, ..) => continue,
                (LawStatus::InForce, LawEffect::Void | LawEffect::NotBinding, Applies::Yes) => (
                    "unenforceable-covenant",
                    match rule.when {
                        law::When::BeyondMonths(m) => {
                            format!("{} beyond {m} months in {}", rule.effect.words(), law::name(jurisdiction))
                        }
                        _ => format!("{} in {}", rule.effect.words(), law::name(jurisdiction)),
                    },
                    rule.advice.to_string(),
                ),
                // A policy that lists no capacities restrains actions, not capacities: nothing to judge.
                (LawStatus::InForce, _, Applies::UnlessFacts(missing)) if missing.iter().all(|m| m == "capacities") => {
                    continue
                }
                (LawStatus::InForce, _, Applies::UnlessFacts(_)) => (
                    "suspect-covenant",
                    match rule.when {
                        law::When::UnpaidOrUnwritten(pct) => {
                            format!("binds only in writing, with compensation of at least {pct}% of the last pay")
                        }
                        _ => "binds only if conditions the policy cannot state are met".to_string(),
                    },
                    rule.advice.to_string(),
                ),
                (LawStatus::InForce, LawEffect::AtRisk, _) => {
                    let label = match &rule.when {
                        law::When::LongerThanMonths(m) => format!("longer than {m} months: at risk"),
                        law::When::LookbackLongerThanMonths(m) => format!("look-back longer than {m} months: at risk"),
                        law::When::RadiusWiderThanMiles(m) => format!("radius wider than {m} miles: at risk"),
                        law::When::NotLimitedToDealtWith => "not limited to those dealt with: at risk".to_string(),
                        law::When::Capacity(_) => {
                            let s = law::severance(&capacities, &law::offending_capacities(rule, &facts));
                            if s.holds() {
                                "too wide, but the words can be severed (blue-pencil test)".to_string()
                            } else {
                                "too wide, and the words cannot be severed: at risk".to_string()
                            }
                        }
                        _ => "at risk".to_string(),
                    };
                    ("suspect-covenant", label, rule.advice.to_string())
                }
                (LawStatus::InForce, ..) => continue,
            };
            let d = Diagnostic::warning(
                code,
                format!("{words} ({})", rule.citation()),
                c.kind.span.join(c.duration.span),
                label,
            );
            cx.diags.push(Diagnostic { severity: Severity::Warning, ..d }.with_help(help));
        }
    }
}

/// Clauses that forbid or restrict posts about pay or opinions for everyone,
/// not only supervisors (NLRA section 7; Stericycle, NLRB 2023): the clauses
/// [`law::speech_kinds`] selects, the same the evaluator guards.
pub(super) fn nlra(cx: &mut Checker<'_>, policy: &crate::policy::Policy) {
    let Some(j) = &cx.ast.header.jurisdiction else { return };
    if !law::within(&j.node, "US") {
        return;
    }
    for r in &policy.rules {
        let restrictive =
            matches!(r.effect, crate::policy::Effect::Deny | crate::policy::Effect::RequireApproval { .. });
        if !restrictive || r.dry_run {
            continue;
        }
        for kind in law::speech_kinds(&r.when) {
            cx.diags.push(
                Diagnostic::warning(
                    "nlra-risk",
                    format!(
                        "restricting `{kind}` posts may breach NLRA section 7, which protects non-supervisory staff who discuss pay and working conditions (Stericycle, NLRB 2023)"
                    ),
                    r.span,
                    "applies to every employee, under a US jurisdiction",
                )
                .with_help(
                    "scope the clause to supervisors with `when actor.supervisor`, or narrow it to what a legitimate interest needs, such as client secrets; a pay discussion by a non-supervisory US employee is set aside by the law layer in `eval`",
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn diags(text: &str) -> Vec<Diagnostic> {
        let file = SourceFile::new("t.policy", text);
        match crate::check::check_source(&file) {
            Ok((_, r)) => r.diagnostics,
            Err(d) => panic!("does not parse: {d:?}"),
        }
    }

    fn law(jurisdiction: &str, covenant: &str) -> Vec<(String, String)> {
        diags(&format!("policy \"x\" jurisdiction {jurisdiction} default allow\n{covenant}\n"))
            .into_iter()
            .map(|d| (d.code, d.message))
            .collect()
    }

    #[test]
    fn california_voids_non_competes_of_any_length() {
        let d = law("US-CA", "covenant non_compete for 1 month");
        assert_eq!(
            d,
            [(
                "unenforceable-covenant".to_string(),
                "an employee non-compete is void in California however narrow, and unenforceable wherever and whenever the contract was signed (Cal. Bus. & Prof. Code §16600, §16600.5)".to_string()
            )]
        );
        assert_eq!(law("US", "covenant non_compete for 12 months"), []);
        assert_eq!(law("US-NY", "covenant non_compete for 12 months"), []);
    }

    #[test]
    fn uk_lengths_over_a_year_are_suspect_not_capped() {
        let codes = |j: &str, c: &str| law(j, c).into_iter().map(|(c, _)| c).collect::<Vec<_>>();
        // The proposed 3-month cap is undated: not pending law, and never a cap.
        assert_eq!(codes("UK", "covenant non_compete for 3 months"), Vec::<String>::new());
        assert_eq!(codes("UK", "covenant non_compete for 12 months"), Vec::<String>::new());
        assert_eq!(codes("UK", "covenant non_compete for 52 weeks"), Vec::<String>::new());
        let d = law("UK", "covenant non_compete for 18 months");
        assert_eq!(d.len(), 1);
        assert!(d.iter().any(|(c, m)| c == "suspect-covenant" && m.contains("an 18-month non-compete")));
        let d = law("GB", "covenant non_dealing of clients for 13 months");
        assert!(d.first().is_some_and(|(_, m)| m.starts_with("a 13-month non-dealing is suspect")));
        assert_eq!(law("UK", "covenant non_poaching of staff for 18 months"), []);
    }

    #[test]
    fn germany_voids_beyond_two_years_and_asks_for_compensation() {
        let d = law("DE", "covenant non_compete for 30 months");
        assert!(
            d.iter().any(|(c, m)| c == "unenforceable-covenant"
                && m.contains("a 30-month non-compete does not bind beyond its 24th month")),
            "{d:?}"
        );
        let d = law("DE", "covenant non_compete for 24 months");
        assert_eq!(d.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(), ["suspect-covenant"]);
    }

    #[test]
    fn australia_notes_the_announced_ban_and_the_ftc_rule_is_silent() {
        let d = law("AU", "covenant non_compete for 6 months");
        assert_eq!(d.first().map(|(c, _)| c.as_str()), Some("pending-law"));
        assert_eq!(law("US-TX", "covenant non_compete for 6 months"), []);
    }

    #[test]
    fn nlra_flags_unscoped_pay_rules_under_us_law() {
        let forbid = "posting on any channel {\n  forbid pay_discussion\n}";
        assert_eq!(law("US", forbid).first().map(|(c, _)| c.as_str()), Some("nlra-risk"));
        assert_eq!(law("UK", forbid), []);
        let scoped = "posting on any channel {\n  forbid pay_discussion when actor.supervisor\n}";
        assert_eq!(law("US-CA", scoped), []);
        let unscoped = "rule r { when content.kind has opinion and not actor.supervisor then deny }";
        assert_eq!(law("US", unscoped).first().map(|(c, _)| c.as_str()), Some("nlra-risk"));
        let allowed = "rule r { when content.kind has pay_discussion then allow }";
        assert_eq!(law("US", allowed), []);
    }
}
