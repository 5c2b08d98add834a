//! `test`: an agency's expected-verdict cases run against its policy, with a
//! failure report that shows the explanation produced, and the clauses that
//! no case exercised (coverage).

use super::verdict::{Decision, Status, Verdict};
use super::{evaluate, EvalOptions};
use crate::data::testcase::{Subject, TestCase};
use crate::policy::Policy;
use crate::source::SourceFile;
use serde::Serialize;

/// The outcome of one case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseResult {
    /// The case's name.
    pub name: String,
    /// Its index in the file.
    pub index: usize,
    /// Whether it passed.
    pub passed: bool,
    /// What was expected, in words (`deny because twitter-daily-limit`).
    pub expected: String,
    /// What happened, in words.
    pub actual: String,
    /// The clauses that decided.
    pub deciding: Vec<String>,
    /// The explanation produced, for failures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

/// The outcome of a test file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuiteReport {
    /// Case by case.
    pub cases: Vec<CaseResult>,
    /// How many passed.
    pub passed: usize,
    /// How many failed.
    pub failed: usize,
    /// Clauses that applied in at least one case.
    pub covered: Vec<String>,
    /// Clauses that applied in no case.
    pub uncovered: Vec<String>,
}

fn expected_words(c: &TestCase) -> String {
    let mut w = c.expect.as_str().to_string();
    if let Some(a) = &c.approver {
        w.push_str(&format!(" from {a}"));
    }
    if let Some(b) = &c.because {
        w.push_str(&format!(" because `{b}`"));
    }
    if let Some(g) = &c.groups {
        w.push_str(&format!("; groups [{}]", group_words(g.iter().map(|e| e.as_str()))));
    }
    w
}

/// Verdicts of groups in words: `deny, allow, allow`.
fn group_words<'a>(verdicts: impl Iterator<Item = &'a str>) -> String {
    verdicts.collect::<Vec<_>>().join(", ")
}

/// Runs the cases.
pub fn run(policy: &Policy, file: &SourceFile, cases: &[TestCase], opts: &EvalOptions) -> SuiteReport {
    run_with(policy, file, cases, opts, &crate::work::Work::new())
}

/// [`run`], each case a step of `work`'s progress (its total the number of cases).
pub fn run_with(
    policy: &Policy,
    file: &SourceFile,
    cases: &[TestCase],
    opts: &EvalOptions,
    work: &crate::work::Work,
) -> SuiteReport {
    run_cases(policy, file, None, cases, opts, work)
}

/// [`run_with`] for a policy with earlier versions: each action is decided
/// by the version that binds its actor ([`crate::versions::Versions::evaluate`]);
/// contracts and coverage are the newest version's.
pub fn run_versions(
    versions: &crate::versions::Versions,
    cases: &[TestCase],
    opts: &EvalOptions,
    work: &crate::work::Work,
) -> Option<SuiteReport> {
    let newest = versions.newest()?;
    Some(run_cases(&newest.policy, &newest.file, Some(versions), cases, opts, work))
}

fn run_cases(
    policy: &Policy,
    file: &SourceFile,
    versions: Option<&crate::versions::Versions>,
    cases: &[TestCase],
    opts: &EvalOptions,
    work: &crate::work::Work,
) -> SuiteReport {
    let mut results = Vec::new();
    let mut covered: Vec<String> = Vec::new();
    work.set_total(cases.len() as u64);
    for c in cases {
        work.step();
        let mut per_group: Vec<Decision> = Vec::new();
        let (decision, deciding, explanation, approvers, applied) = match &c.subject {
            Subject::Action(action) => {
                let decided = versions.and_then(|vs| vs.evaluate(action.as_ref(), opts));
                let (v, file): (Verdict, &SourceFile) = match decided {
                    Some((v, version)) => (v, &version.file),
                    None => (evaluate(policy, file, action.as_ref(), opts), file),
                };
                // A many-group action's clauses are each group's.
                let applied: Vec<String> = std::iter::once(&v)
                    .chain(v.groups.iter().map(|g| &g.verdict))
                    .flat_map(|v| v.rules.iter())
                    .filter(|r| r.status == Status::Applies)
                    .map(|r| r.id.clone())
                    .collect();
                per_group = v.groups.iter().map(|g| g.verdict.verdict).collect();
                let text = super::explain::text(&v, &file.name, super::explain::ExplainOptions::default());
                (v.verdict, v.deciding.clone(), text, v.approvers.clone(), applied)
            }
            Subject::Contract(contract) => {
                let r = super::terms::check_terms(policy, file, contract);
                let rules: Vec<String> = r
                    .clauses
                    .iter()
                    .flat_map(|c| c.findings.iter().map(|f| f.rule.clone()))
                    .filter(|r| !r.is_empty())
                    .collect();
                let text = super::terms::text(&r, &file.name);
                (r.verdict, rules.clone(), text, vec![], rules)
            }
        };
        for a in applied {
            if !covered.contains(&a) {
                covered.push(a);
            }
        }
        let expect = Decision::parse(c.expect.as_str()).unwrap_or(Decision::Indeterminate);
        let mut ok = decision == expect;
        if let Some(b) = &c.because {
            ok &= deciding.contains(b);
        }
        if let Some(a) = &c.approver {
            ok &= approvers.contains(a);
        }
        if let Some(groups) = &c.groups {
            ok &= groups.len() == per_group.len()
                && groups.iter().zip(&per_group).all(|(e, d)| Decision::parse(e.as_str()) == Some(*d));
        }
        let mut actual = decision.as_str().to_string();
        if !approvers.is_empty() {
            actual.push_str(&format!(" from {}", approvers.join(" or ")));
        }
        if !deciding.is_empty() {
            actual.push_str(&format!(
                " because {}",
                deciding.iter().map(|d| format!("`{d}`")).collect::<Vec<_>>().join(", ")
            ));
        }
        if !per_group.is_empty() {
            actual.push_str(&format!("; groups [{}]", group_words(per_group.iter().map(|d| d.as_str()))));
        }
        results.push(CaseResult {
            name: c.name.clone(),
            index: c.index,
            passed: ok,
            expected: expected_words(c),
            actual,
            deciding,
            explanation: (!ok).then_some(explanation),
        });
    }
    let uncovered: Vec<String> = policy
        .rules
        .iter()
        .map(|r| r.id.clone())
        .filter(|id| !covered.contains(id))
        .chain(policy.terms.iter().map(|t| t.id.clone()).filter(|id| !covered.contains(id)))
        .collect();
    let passed = results.iter().filter(|r| r.passed).count();
    SuiteReport { failed: results.len() - passed, passed, cases: results, covered, uncovered }
}

/// The report as text.
pub fn text(r: &SuiteReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for c in &r.cases {
        let _ = writeln!(out, "{} {}", if c.passed { "ok  " } else { "FAIL" }, c.name);
        if !c.passed {
            let _ = writeln!(out, "  expected: {}", c.expected);
            let _ = writeln!(out, "  actual:   {}", c.actual);
            if let Some(e) = &c.explanation {
                for line in e.lines() {
                    let _ = writeln!(out, "  | {line}");
                }
            }
        }
    }
    let total = r.covered.len() + r.uncovered.len();
    let _ = writeln!(out, "\ncoverage: {} of {} clauses exercised", r.covered.len().min(total), total);
    if !r.uncovered.is_empty() {
        let _ = writeln!(
            out,
            "  not exercised: {}",
            r.uncovered.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(", ")
        );
    }
    let _ = writeln!(out, "\n{} passed, {} failed", r.passed, r.failed);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, reason = "a test stops loudly")]
mod tests {
    use super::*;
    use crate::data::testcase::parse_tests;

    /// A small agency policy: a daily tweet limit, brand posts approved by
    /// marketing or a manager, no client names, a clause no case reaches,
    /// and a cap on non-competes for the terms cases.
    const POLICY: &str = r#"policy "Suite runner"
  jurisdiction UK
  timezone "Europe/London"
  default allow
roles consultant, marketing, manager
posting on linkedin, twitter {
  twitter-daily-limit: limit 10 posts per day when channel = twitter
  brand-approval: require approval from marketing or manager for brand
}
rule no-client-names "Clients are not named." {
  when content.names_client
  then deny
}
rule no-confidential "Nothing confidential." {
  when content.confidential
  then deny
}
terms {
  non-compete-cap: non_compete at most 3 months
}
"#;

    const TWEET: &str = "action: post\n    at: 2026-03-14T16:00:00Z\n    actor: { id: alice, role: consultant, status: employed }\n    channel: twitter\n    content: { kind: industry, names_client: false, confidential: false }";

    fn report(cases_yaml: &str) -> SuiteReport {
        let file = SourceFile::new("suite.policy", POLICY);
        let ast = crate::parser::parse(&file).unwrap_or_else(|e| panic!("{e:?}"));
        let policy = crate::lower::lower(&file, &ast);
        let cases = parse_tests(cases_yaml, "suite.tests.yaml").unwrap_or_else(|e| panic!("{e}"));
        let opts = EvalOptions { now: "2026-03-14T12:00:00Z".parse().unwrap() };
        run(&policy, &file, &cases, &opts)
    }

    fn cases() -> String {
        format!(
            r#"
- name: the eleventh tweet is refused
  action:
    {TWEET}
    history: {{ posts_today: 10 }}
  expect: deny
  because: twitter-daily-limit
- name: wrong verdict
  action:
    {TWEET}
    history: {{ posts_today: 10 }}
  expect: allow
- name: right verdict, wrong clause
  action:
    {TWEET}
    history: {{ posts_today: 10 }}
  expect: deny
  because: no-client-names
- name: a brand post needs marketing
  action:
    {TWEET}
    content: {{ kind: brand, names_client: false, confidential: false }}
    history: {{ posts_today: 0 }}
  expect: require-approval
  approver: marketing
- name: right verdict, wrong approver
  action:
    {TWEET}
    content: {{ kind: brand, names_client: false, confidential: false }}
    history: {{ posts_today: 0 }}
  expect: require-approval
  approver: consultant
- name: a 6-month non-compete breaks the cap
  contract:
    employer: AgencyX Ltd
    jurisdiction: UK
    covenants:
      - kind: non_compete
        months: 6
  expect: deny
  because: non-compete-cap
"#
        )
        .replace(
            "    content: { kind: industry, names_client: false, confidential: false }\n    content:",
            "    content:",
        )
    }

    #[test]
    fn each_wrong_expectation_fails_and_says_what_happened() {
        let r = report(&cases());
        let got: Vec<(&str, bool, &str, &str)> =
            r.cases.iter().map(|c| (c.name.as_str(), c.passed, c.expected.as_str(), c.actual.as_str())).collect();
        assert_eq!(
            got,
            [
                (
                    "the eleventh tweet is refused",
                    true,
                    "deny because `twitter-daily-limit`",
                    "deny because `twitter-daily-limit`"
                ),
                ("wrong verdict", false, "allow", "deny because `twitter-daily-limit`"),
                (
                    "right verdict, wrong clause",
                    false,
                    "deny because `no-client-names`",
                    "deny because `twitter-daily-limit`"
                ),
                (
                    "a brand post needs marketing",
                    true,
                    "require-approval from marketing",
                    "require-approval from marketing or manager because `brand-approval`"
                ),
                (
                    "right verdict, wrong approver",
                    false,
                    "require-approval from consultant",
                    "require-approval from marketing or manager because `brand-approval`"
                ),
                (
                    "a 6-month non-compete breaks the cap",
                    true,
                    "deny because `non-compete-cap`",
                    "deny because `non-compete-cap`"
                ),
            ]
        );
        assert_eq!((r.passed, r.failed), (3, 3));
        assert_eq!(r.cases[5].deciding, ["non-compete-cap"], "a terms case is decided by the terms clause");
        // The explanation is kept for a failure only, and it is the verdict's.
        for c in &r.cases {
            assert_eq!(c.explanation.is_some(), !c.passed, "{}", c.name);
        }
        assert!(r.cases[1].explanation.as_deref().unwrap().contains("twitter-daily-limit"));
        // Coverage: each clause once, in the order first reached; the rest named.
        assert_eq!(r.covered, ["twitter-daily-limit", "brand-approval", "non-compete-cap"]);
        assert_eq!(r.uncovered, ["no-client-names", "no-confidential"]);
    }

    #[test]
    fn a_verdict_with_no_clause_or_approver_is_reported_bare() {
        let r = report(&format!(
            "- name: a quiet tweet\n  action:\n    {TWEET}\n    history: {{ posts_today: 1 }}\n  expect: deny\n"
        ));
        assert_eq!((r.passed, r.failed), (0, 1));
        assert_eq!(r.cases[0].actual, "allow");
        assert!(r.cases[0].deciding.is_empty());
        assert_eq!(r.uncovered.len(), 5, "{:?}", r.uncovered);
    }

    #[test]
    fn the_text_report_shows_failures_coverage_and_counts() {
        let out = text(&report(&cases()));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "ok   the eleventh tweet is refused");
        assert_eq!(lines[1], "FAIL wrong verdict");
        assert_eq!(lines[2], "  expected: allow");
        assert_eq!(lines[3], "  actual:   deny because `twitter-daily-limit`");
        assert!(lines[4].starts_with("  | "), "the explanation follows a failure: {out}");
        // A passing case is one line.
        let brand = lines.iter().position(|l| *l == "ok   a brand post needs marketing").unwrap();
        assert_eq!(lines[brand + 1], "FAIL right verdict, wrong approver");
        assert!(out.contains("\ncoverage: 3 of 5 clauses exercised\n"), "{out}");
        assert!(out.contains("\n  not exercised: `no-client-names`, `no-confidential`\n"), "{out}");
        assert!(out.ends_with("\n3 passed, 3 failed\n"), "{out}");
        // Everything covered: no "not exercised" line.
        let all = text(&SuiteReport {
            cases: vec![],
            passed: 0,
            failed: 0,
            covered: vec!["a".into(), "b".into()],
            uncovered: vec![],
        });
        assert_eq!(all, "\ncoverage: 2 of 2 clauses exercised\n\n0 passed, 0 failed\n");
    }

    /// A case about several groups of contacts passes only when the whole's
    /// verdict and every group's are as expected (a mutation survivor:
    /// with `|=` for `&=` a wrong group's verdict passed); a list of the wrong
    /// length does not even load.
    #[test]
    fn a_case_with_groups_fails_on_a_wrong_group_or_a_wrong_count() {
        let file = SourceFile::new(
            "leaver-contacts.policy",
            include_str!("../../tests/cases/published/leaver-contacts.policy"),
        );
        let policy = crate::lower::lower(&file, &crate::parser::parse(&file).unwrap());
        let case = |name: &str, groups: &str| {
            format!(
                "- name: {name}\n  action:\n    action: export\n    at: 2026-03-14T10:00:00Z\n    \
                 actor: {{ id: ann, role: consultant, status: on_notice, employed_since: 2023-01-09 }}\n    \
                 contacts:\n      - {{ count: 800, origin: agency_database }}\n      - {{ count: 300, origin: before_employment }}\n  \
                 expect: {{ verdict: deny, groups: [{groups}] }}\n"
            )
        };
        let yaml = [case("right", "deny, allow"), case("wrong group", "deny, deny")].concat();
        let cases = parse_tests(&yaml, "groups.tests.yaml").unwrap_or_else(|e| panic!("{e}"));
        let r = run(&policy, &file, &cases, &EvalOptions { now: "2026-03-16T09:00:00Z".parse().unwrap() });
        let passed: Vec<(&str, bool)> = r.cases.iter().map(|c| (c.name.as_str(), c.passed)).collect();
        assert_eq!(passed, [("right", true), ("wrong group", false)]);
        // The failure says both lists of group verdicts, in order (mutation survivor: `group_words` emptied).
        let wrong = r.cases.iter().find(|c| !c.passed).unwrap_or_else(|| panic!("a failure: {r:?}"));
        assert!(wrong.expected.ends_with("; groups [deny, deny]"), "{}", wrong.expected);
        assert!(wrong.actual.ends_with("; groups [deny, allow]"), "{}", wrong.actual);
        // A list of the wrong length is refused when the file is read, naming where.
        let short = parse_tests(&case("one group short", "deny"), "groups.tests.yaml").map(|_| ()).unwrap_err();
        assert!(short.to_string().contains("expected 2 verdicts, one per group"), "{short}");
    }
}
