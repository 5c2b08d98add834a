//! `smpolicy test` shown failing: a wrong verdict, a wrong `because:` clause,
//! a wrong approver and a missing test file, each asserted in the report, the
//! `FAIL` text and the exit code. And every scenario case, made wrong in each
//! way it can be, must fail: otherwise the 80 scenario cases would pass
//! whether or not the engine works.

use crate::scenarios::{ids, load, opts};
use crate::util::root;
use smpolicy::data::testcase::{parse_tests, Expect, Subject};
use smpolicy::eval::suite::{self, SuiteReport};
use std::process::{Command, Output};

const POLICY: &str = "policies/protective-agency.policy";
const FAILING: &str = "tests/cases/suite/failing.tests.yaml";

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smpolicy")).args(args).current_dir(root()).env("NO_COLOR", "1").output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn failing_report() -> SuiteReport {
    let file = crate::util::source(POLICY);
    let (file, policy) = crate::scenarios::policy_from(&file.name, &file.text);
    let text = std::fs::read_to_string(root().join(FAILING)).unwrap();
    let cases = parse_tests(&text, FAILING).unwrap();
    suite::run(&policy, &file, &cases, &opts())
}

#[test]
fn the_report_names_each_failure_and_what_happened_instead() {
    let r = failing_report();
    assert_eq!((r.passed, r.failed), (1, 3), "{}", suite::text(&r));
    let summary: Vec<(&str, bool, &str, &str)> =
        r.cases.iter().map(|c| (c.name.as_str(), c.passed, c.expected.as_str(), c.actual.as_str())).collect();
    assert_eq!(
        summary,
        [
            (
                "the tenth tweet of the day is fine",
                true,
                "allow",
                "allow because `posting-linkedin-twitter-facebook-default`"
            ),
            ("wrong verdict for the eleventh tweet", false, "allow", "deny because `twitter-daily-limit`"),
            (
                "wrong clause for the eleventh tweet",
                false,
                "deny because `linkedin-twitter-facebook-no-client-names`",
                "deny because `twitter-daily-limit`"
            ),
            (
                "wrong approver for a brand post",
                false,
                "require-approval from compliance",
                "require-approval from marketing because `linkedin-twitter-facebook-approval-for-brand`"
            ),
        ]
    );
    // A failure carries the explanation the policy produced; a pass does not.
    let explained: Vec<bool> = r.cases.iter().map(|c| c.explanation.is_some()).collect();
    assert_eq!(explained, [false, true, true, true]);
    let why = r.cases[1].explanation.as_deref().unwrap();
    assert!(why.starts_with("verdict: deny"), "{why}");
    assert!(why.contains("`twitter-daily-limit`"), "{why}");
}

#[test]
fn the_text_shows_fail_expected_actual_and_the_explanation() {
    let text = suite::text(&failing_report());
    for needle in [
        "ok   the tenth tweet of the day is fine\n",
        "FAIL wrong verdict for the eleventh tweet\n  expected: allow\n  actual:   deny because `twitter-daily-limit`\n  | verdict: deny\n",
        "FAIL wrong clause for the eleventh tweet\n  expected: deny because `linkedin-twitter-facebook-no-client-names`\n",
        "FAIL wrong approver for a brand post\n  expected: require-approval from compliance\n  actual:   require-approval from marketing",
        "\n1 passed, 3 failed\n",
    ] {
        assert!(text.contains(needle), "expected {needle:?} in:\n{text}");
    }
    assert_eq!(text.matches("FAIL ").count(), 3, "{text}");
}

#[test]
fn smpolicy_test_exits_3_on_a_failure() {
    let o = run(&["test", POLICY, FAILING]);
    assert_eq!(o.status.code(), Some(3), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("FAIL wrong verdict for the eleventh tweet\n  expected: allow\n"), "{out}");
    assert!(out.ends_with("\n1 passed, 3 failed\n"), "{out}");

    let o = run(&["test", POLICY, FAILING, "--format", "json"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((v["passed"].as_u64(), v["failed"].as_u64()), (Some(1), Some(3)), "{v}");
    let failed: Vec<&str> = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passed"] == false)
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        failed,
        [
            "wrong verdict for the eleventh tweet",
            "wrong clause for the eleventh tweet",
            "wrong approver for a brand post"
        ]
    );
}

#[test]
fn one_failing_file_among_several_fails_the_run() {
    let o = run(&["test", POLICY, "policies/protective-agency.tests.yaml", FAILING]);
    assert_eq!(o.status.code(), Some(3), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("# policies/protective-agency.tests.yaml\n"), "{out}");
    assert!(out.contains(&format!("# {FAILING}\n")), "{out}");
    assert!(out.contains("\n12 passed, 0 failed\n"), "{out}");
    assert!(out.contains("\n1 passed, 3 failed\n"), "{out}");
}

#[test]
fn a_passing_file_exits_0() {
    let o = run(&["test", POLICY]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).ends_with("\n12 passed, 0 failed\n"), "{}", stdout(&o));
}

#[test]
fn a_missing_test_file_is_an_error_not_a_pass() {
    let o = run(&["test", POLICY, "tests/cases/suite/no-such.tests.yaml"]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("error: cannot read `tests/cases/suite/no-such.tests.yaml`"), "{err}");
    assert!(!stdout(&o).contains("passed"), "no report for a file that was not read: {}", stdout(&o));

    // Without test files, NAME.tests.yaml next to the policy is read; when it is
    // missing, that is the error (not "0 passed").
    let o = run(&["test", "policies/brightwater.policy"]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("cannot read `policies/brightwater.tests.yaml`"), "{}", stderr(&o));
}

#[test]
fn a_test_file_without_cases_is_an_error_not_a_pass() {
    let dir = std::env::temp_dir().join(format!("smpolicy-suite-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in [("empty.tests.yaml", "[]\n"), ("comments.tests.yaml", "# the cases went missing\n")] {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let o = run(&["test", POLICY, path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{name}: {}{}", stdout(&o), stderr(&o));
        assert_eq!(stderr(&o), format!("error: `{}` has no test cases\n", path.display()), "{name}");
        assert!(!stdout(&o).contains("0 passed"), "{name}: {}", stdout(&o));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_malformed_test_file_is_an_error_naming_the_case() {
    let dir = std::env::temp_dir().join(format!("smpolicy-suite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.tests.yaml");
    std::fs::write(&path, "- name: no verdict\n  action: { action: post, actor: {id: a, role: consultant, status: employed}, channel: twitter }\n  expect: maybe\n").unwrap();
    let o = run(&["test", POLICY, path.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("[0].expect"), "{err}");
    assert!(err.contains("found \"maybe\"") || err.contains("maybe"), "{err}");
}

/// Every scenario case, made wrong in each way it can be, fails; the right one passes.
#[test]
fn every_scenario_case_fails_when_its_expectation_is_wrong() {
    let mut checked = [0usize; 3];
    for id in ids() {
        let s = load(&id);
        let right = suite::run(&s.policy, &s.file, &s.cases, &opts());
        assert_eq!(right.failed, 0, "{id}:\n{}", suite::text(&right));
        for (i, case) in s.cases.iter().enumerate() {
            let one = |c: smpolicy::data::testcase::TestCase| {
                let r = suite::run(&s.policy, &s.file, std::slice::from_ref(&c), &opts());
                (r.failed, suite::text(&r))
            };
            // Another verdict (with no because/approver to muddy it).
            for other in Expect::ALL.iter().filter(|e| **e != case.expect) {
                let mut c = case.clone();
                c.expect = *other;
                c.approver = None;
                let (failed, text) = one(c);
                assert_eq!(failed, 1, "{id} case {i} {:?} passes when expecting {other}:\n{text}", case.name);
                checked[0] += 1;
            }
            // Another clause, one that exists but did not decide.
            if case.because.is_some() {
                let deciding = &right.cases[i].deciding;
                let mut ids = s.policy.rules.iter().map(|r| &r.id).chain(s.policy.terms.iter().map(|t| &t.id));
                let other = ids.find(|r| !deciding.contains(r)).cloned();
                let mut c = case.clone();
                c.because = Some(other.unwrap_or_else(|| "no-such-clause".to_string()));
                let (failed, text) = one(c);
                assert_eq!(failed, 1, "{id} case {i} {:?} passes with another `because:`:\n{text}", case.name);
                checked[1] += 1;
            }
            // Another approver.
            if let Some(a) = &case.approver {
                let mut c = case.clone();
                c.approver = Some(format!("not-{a}"));
                let (failed, text) = one(c);
                assert_eq!(failed, 1, "{id} case {i} {:?} passes with another approver:\n{text}", case.name);
                checked[2] += 1;
            }
            assert!(matches!(case.subject, Subject::Action(_) | Subject::Contract(_)));
        }
    }
    // Every scenario case gets three wrong verdicts; the shipped scenarios name
    // a deciding clause in 60 cases and an approver in a few.
    assert!(checked[0] >= 3 * 75, "wrong verdicts checked: {}", checked[0]);
    assert!(checked[1] >= 50, "wrong clauses checked: {}", checked[1]);
    assert!(checked[2] >= 3, "wrong approvers checked: {}", checked[2]);
}
