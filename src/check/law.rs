//! Checker stage: law. Warnings about covenants that the law of the policy's
//! jurisdiction voids or doubts, and about clauses that may chill speech the
//! NLRA protects in the US. Each warning cites its basis in words.
//!
//! The covenant rules are one small table, [`LAW`]: jurisdiction, covenant
//! kinds, the length above which the entry applies, and what to say. The
//! first matching entry wins. Only law in force is applied: proposed or
//! announced changes are reported as `pending-law` and never as a cap, and
//! the FTC's 2024 non-compete rule, set aside by the courts (Ryan LLC v FTC,
//! N.D. Tex. 2024) and abandoned by the FTC in 2025, has no entry at all.
//! Nothing here is legal advice.
//!
//! This stage reads the AST only; it must not touch the parser, the lowering
//! or the evaluator.

use super::Checker;
use crate::ast::*;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{Span, Spanned};
use crate::value::{Duration, TimeUnit};

/// One rule of law about covenants.
#[derive(Debug, Clone, Copy)]
pub struct LawEntry {
    /// Jurisdiction codes; a code also matches its regions (`US` matches `US-CA`).
    pub jurisdictions: &'static [&'static str],
    /// The covenant kinds it is about.
    pub covenants: &'static [CovenantKind],
    /// It applies only to covenants longer than this many months; `None`: to every length.
    pub longer_than_months: Option<u32>,
    /// The diagnostic code: `unenforceable-covenant`, `suspect-covenant` or `pending-law`.
    pub code: &'static str,
    /// How serious.
    pub severity: Severity,
    /// What is wrong; `{duration}` and `{kind}` are filled in.
    pub message: &'static str,
    /// The legal basis, cited in brackets after the message.
    pub basis: &'static str,
    /// The label under the covenant.
    pub label: &'static str,
    /// What to do about it.
    pub help: &'static str,
}

const UK: &[&str] = &["UK", "GB"];

/// The covenant law the checker knows, first match wins.
pub const LAW: &[LawEntry] = &[
    // California: every employment non-compete is void, however narrow, wherever signed.
    LawEntry {
        jurisdictions: &["US-CA"],
        covenants: &[CovenantKind::NonCompete],
        longer_than_months: None,
        code: "unenforceable-covenant",
        severity: Severity::Warning,
        message: "a non-compete is void in California",
        basis: "Cal. Bus. & Prof. Code §16600, §16600.5",
        label: "void in California",
        help: "remove it: since 2024 an employer may not enter into or try to enforce a non-compete, wherever the contract was signed; protect trade secrets and client data with confidentiality clauses instead",
    },
    // UK: no statutory cap; the common-law test of reasonableness decides.
    LawEntry {
        jurisdictions: UK,
        covenants: &[CovenantKind::NonCompete],
        longer_than_months: Some(12),
        code: "suspect-covenant",
        severity: Severity::Warning,
        message: "a non-compete of {duration} is suspect in the UK, where a restraint must be no wider than needed to protect a legitimate interest",
        basis: "common-law restraint of trade; Tillman v Egon Zehnder [2019] UKSC 32",
        label: "longer than 12 months",
        help: "recruitment non-competes are usually 3 to 6 months; no statutory cap applies: the 3-month cap proposed in 2023 was never enacted, and the 2025 working paper on reform has decided nothing",
    },
    LawEntry {
        jurisdictions: UK,
        covenants: &[CovenantKind::NonSolicitation, CovenantKind::NonDealing],
        longer_than_months: Some(12),
        code: "suspect-covenant",
        severity: Severity::Warning,
        message: "a `{kind}` covenant of {duration} is suspect in the UK, where a restraint must be no wider than needed to protect a legitimate interest",
        basis: "common-law restraint of trade",
        label: "longer than 12 months",
        help: "6 months, limited to those dealt with in the last 12 months, is typical in recruitment and was upheld in East England Schools v Palmer [2013] EWHC 4138 (QB)",
    },
    // Germany: at most two years, in writing, with compensation of at least half the last pay.
    LawEntry {
        jurisdictions: &["DE"],
        covenants: &[CovenantKind::NonCompete],
        longer_than_months: Some(24),
        code: "unenforceable-covenant",
        severity: Severity::Warning,
        message: "a non-compete of {duration} is void in Germany, where 2 years is the most",
        basis: "HGB §74a",
        label: "longer than 2 years",
        help: "shorten it to at most 24 months; it also binds only if agreed in writing with compensation of at least 50% of the last pay (HGB §74)",
    },
    LawEntry {
        jurisdictions: &["DE"],
        covenants: &[CovenantKind::NonCompete],
        longer_than_months: None,
        code: "suspect-covenant",
        severity: Severity::Warning,
        message: "a non-compete binds in Germany only if agreed in writing with compensation of at least 50% of the last pay",
        basis: "HGB §74, §74a",
        label: "needs written form and compensation",
        help: "make sure the contract states the compensation (Karenzentschädigung) and is signed; without both the covenant does not bind",
    },
    // Australia: a ban below the high-income threshold is announced, not enacted.
    LawEntry {
        jurisdictions: &["AU"],
        covenants: &[CovenantKind::NonCompete],
        longer_than_months: None,
        code: "pending-law",
        severity: Severity::Warning,
        message: "Australia has announced a ban on non-competes for workers below the high-income threshold from 2027, but it is not yet law",
        basis: "2025-26 Budget announcement",
        label: "affected by an announced change",
        help: "the covenant is judged under the current restraint-of-trade law; review it before 2027 for staff earning below the threshold",
    },
    // United States (federal): deliberately no entry. The FTC Non-Compete Clause Rule
    // (2024) was set aside nationwide and never took effect; it is not law.
];

/// Whether a jurisdiction is `code` or one of its regions.
fn within(jurisdiction: &str, code: &str) -> bool {
    jurisdiction == code || jurisdiction.strip_prefix(code).is_some_and(|rest| rest.starts_with('-'))
}

/// Months in a duration, for comparing covenant lengths (a month is 30.4375 days).
fn months(d: Duration) -> f64 {
    let a = f64::from(d.amount);
    match d.unit {
        TimeUnit::Month => a,
        TimeUnit::Week => a * 7.0 / 30.4375,
        TimeUnit::Day => a / 30.4375,
        TimeUnit::BusinessDay => a * 7.0 / 5.0 / 30.4375,
        TimeUnit::Hour => a / 24.0 / 30.4375,
    }
}

/// The first entry of [`LAW`] that applies to a covenant of this kind and
/// length under this jurisdiction, if any. The evaluator and `terms` may use
/// it to attach the same law notes to verdicts.
pub fn covenant_law(jurisdiction: &str, kind: CovenantKind, duration: Duration) -> Option<&'static LawEntry> {
    LAW.iter().find(|e| {
        e.jurisdictions.iter().any(|j| within(jurisdiction, j))
            && e.covenants.contains(&kind)
            && e.longer_than_months.is_none_or(|m| months(duration) > f64::from(m))
    })
}

/// The law lints.
pub(super) fn check(cx: &mut Checker<'_>) {
    let Some(j) = &cx.ast.header.jurisdiction else { return };
    let jurisdiction = j.node.as_str();
    for item in &cx.ast.items {
        if let Item::Covenant(c) = &item.node {
            if let Some(entry) = covenant_law(jurisdiction, c.kind.node, c.duration.node) {
                let message = entry
                    .message
                    .replace("{duration}", &c.duration.node.to_string())
                    .replace("{kind}", c.kind.node.as_str());
                let d = Diagnostic::error(
                    entry.code,
                    format!("{message} ({})", entry.basis),
                    c.kind.span.join(c.duration.span),
                    entry.label,
                );
                cx.diags.push(Diagnostic { severity: entry.severity, ..d }.with_help(entry.help));
            }
        }
    }
    if within(jurisdiction, "US") {
        nlra(cx);
    }
}

/// Content kinds (and the conduct judgement `about_employer`) whose
/// restriction may chill talk about pay and working conditions.
const NLRA_KINDS: &[&str] = &["pay_discussion", "opinion", "about_employer"];

/// Clauses that forbid or restrict posts about pay or opinions for everyone,
/// not only supervisors (NLRA section 7; Stericycle, NLRB 2023).
fn nlra(cx: &mut Checker<'_>) {
    let mut found: Vec<(Span, String)> = Vec::new();
    for item in &cx.ast.items {
        match &item.node {
            Item::Posting(s) => {
                for c in &s.clauses {
                    if supervisors_only(c.modifiers.when.as_ref()) || softened(&c.modifiers) {
                        continue;
                    }
                    match &c.rule.node {
                        PostingRule::ForbidKinds(kinds)
                        | PostingRule::ForbidConduct(kinds)
                        | PostingRule::RequireApproval { kinds, .. } => {
                            for k in kinds.iter().filter(|k| NLRA_KINDS.contains(&k.node.as_str())) {
                                found.push((k.span, k.node.clone()));
                            }
                        }
                        _ => {
                            if let Some(w) = &c.modifiers.when {
                                found.extend(mentioned(w).into_iter().map(|k| (c.rule.span, k.to_string())));
                            }
                        }
                    }
                }
            }
            Item::Rule(r) => {
                let restrictive = matches!(
                    r.modifiers.then.as_ref().map(|t| &t.node),
                    Some(Outcome::Deny | Outcome::RequireApproval(_))
                );
                if let (true, Some(w)) = (restrictive, &r.modifiers.when) {
                    if !supervisors_only(Some(w)) {
                        found.extend(mentioned(w).into_iter().map(|k| (r.name.span, k.to_string())));
                    }
                }
            }
            _ => {}
        }
    }
    found.dedup();
    for (span, kind) in found {
        cx.diags.push(
            Diagnostic::warning(
                "nlra-risk",
                format!(
                    "restricting `{kind}` posts may breach NLRA section 7, which protects non-supervisory staff who discuss pay and working conditions (Stericycle, NLRB 2023)"
                ),
                span,
                "applies to every employee, under a US jurisdiction",
            )
            .with_help(
                "scope the clause to supervisors with `when actor.supervisor`, or narrow it to what a legitimate interest needs, such as client secrets",
            ),
        );
    }
}

/// A clause whose outcome is only advice or permission restricts nothing.
fn softened(m: &Modifiers) -> bool {
    matches!(m.then.as_ref().map(|t| &t.node), Some(Outcome::Allow | Outcome::Advise(_)))
}

/// The NLRA-sensitive content kinds a condition names.
fn mentioned(e: &Spanned<Expr>) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut stack = vec![e];
    let mut note = |lit: &Literal| {
        if let Literal::Path(p) = lit {
            if let [one] = p.as_slice() {
                if let Some(k) = NLRA_KINDS.iter().find(|k| **k == one.as_str()) {
                    if !out.contains(k) {
                        out.push(*k);
                    }
                }
            }
        }
    };
    while let Some(e) = stack.pop() {
        match &e.node {
            Expr::And(a, b) | Expr::Or(a, b) => {
                stack.push(a);
                stack.push(b);
            }
            Expr::Not(a) | Expr::Group(a) => stack.push(a),
            Expr::Compare { lhs, rhs, .. } | Expr::Has { lhs, rhs } => {
                note(&lhs.base.node);
                note(&rhs.base.node);
            }
            Expr::In { set, .. } => set.iter().for_each(|v| note(&v.node)),
            Expr::Presence { .. } | Expr::Truthy(_) => {}
        }
    }
    out
}

/// Whether a condition requires `actor.supervisor` (under an even number of `not`s).
fn supervisors_only(e: Option<&Spanned<Expr>>) -> bool {
    let Some(e) = e else { return false };
    let mut stack = vec![(e, false)];
    while let Some((e, negated)) = stack.pop() {
        match &e.node {
            Expr::And(a, b) => {
                stack.push((a, negated));
                stack.push((b, negated));
            }
            Expr::Or(..) => {}
            Expr::Not(a) => stack.push((a, !negated)),
            Expr::Group(a) => stack.push((a, negated)),
            Expr::Truthy(o) if !negated => {
                if matches!(&o.base.node, Literal::Path(p) if p.join(".") == "actor.supervisor") {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
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
                "a non-compete is void in California (Cal. Bus. & Prof. Code §16600, §16600.5)".to_string()
            )]
        );
        assert_eq!(law("US", "covenant non_compete for 12 months"), []);
        assert_eq!(law("US-NY", "covenant non_compete for 12 months"), []);
    }

    #[test]
    fn uk_lengths_over_a_year_are_suspect_not_capped() {
        assert_eq!(law("UK", "covenant non_compete for 12 months"), []);
        assert_eq!(law("UK", "covenant non_compete for 52 weeks"), []);
        let d = law("UK", "covenant non_compete for 18 months");
        assert_eq!(d.len(), 1);
        assert!(d.first().is_some_and(|(c, m)| c == "suspect-covenant" && m.contains("18 months")));
        let d = law("GB", "covenant non_dealing of clients for 13 months");
        assert!(d.first().is_some_and(|(_, m)| m.starts_with("a `non_dealing` covenant of 13 months")));
        assert_eq!(law("UK", "covenant non_poaching of staff for 18 months"), []);
    }

    #[test]
    fn germany_voids_beyond_two_years_and_asks_for_compensation() {
        let d = law("DE", "covenant non_compete for 30 months");
        assert_eq!(d.first().map(|(c, _)| c.as_str()), Some("unenforceable-covenant"));
        let d = law("DE", "covenant non_compete for 12 months");
        assert_eq!(d.first().map(|(c, _)| c.as_str()), Some("suspect-covenant"));
    }

    #[test]
    fn australia_notes_the_announced_ban() {
        let d = law("AU", "covenant non_compete for 6 months");
        assert_eq!(d.first().map(|(c, _)| c.as_str()), Some("pending-law"));
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

    #[test]
    fn regions_match_their_country() {
        assert!(within("US-CA", "US"));
        assert!(within("US", "US"));
        assert!(!within("USA", "US"));
        assert!((months(Duration::new(365, TimeUnit::Day)) - 12.0).abs() < 0.01);
    }
}
