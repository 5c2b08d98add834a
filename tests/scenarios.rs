//! The acceptance scenarios of `shared/scenarios/scenarios.md`, sections A to C,
//! and the candidate scenarios K01, K03, K04 and K06 checked one employer's
//! policy at a time. Each scenario is `tests/scenarios/ID.policy` (the policy
//! excerpt) and `ID.tests.yaml` (its cases in the agency test format); every case
//! must pass, the first case's explanation is a snapshot named by the ID, and
//! what each scenario says the explanation must say is asserted below.

#![allow(clippy::unwrap_used, clippy::panic, reason = "test helpers: a failure should stop the test loudly")]

use smpolicy::data::testcase::{parse_tests, Subject, TestCase};
use smpolicy::eval::explain::{self, ExplainOptions};
use smpolicy::eval::terms::{self, TermsReport};
use smpolicy::eval::verdict::{Decision, Verdict};
use smpolicy::eval::{evaluate, suite, EvalOptions};
use smpolicy::policy::Policy;
use smpolicy::source::SourceFile;
use std::path::PathBuf;

/// The evaluation clock. Every action fixes its own `at` (checked below), so
/// this only guards against a case that forgot it.
pub fn opts() -> EvalOptions {
    EvalOptions { now: "2030-01-01T00:00:00Z".parse().unwrap() }
}

fn dir() -> PathBuf {
    crate::util::root().join("tests/scenarios")
}

/// Every scenario ID, sorted: the `*.policy` files of `tests/scenarios/`.
pub fn ids() -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "policy"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    ids.sort();
    ids
}

/// A scenario: its policy, parsed and lowered, and its cases.
pub struct Scenario {
    pub id: String,
    pub file: SourceFile,
    pub policy: Policy,
    pub cases: Vec<TestCase>,
}

/// A policy from its text, parsed and lowered.
pub fn policy_from(name: &str, text: &str) -> (SourceFile, Policy) {
    let file = SourceFile::new(name, text);
    let ast = smpolicy::parser::parse(&file).unwrap_or_else(|e| panic!("{name} does not parse: {e:?}"));
    let policy = smpolicy::lower::lower(&file, &ast);
    (file, policy)
}

pub fn load(id: &str) -> Scenario {
    let file = crate::util::source(format!("tests/scenarios/{id}.policy"));
    let (file, policy) = policy_from(&file.name, &file.text);
    let tests_name = format!("tests/scenarios/{id}.tests.yaml");
    let text = std::fs::read_to_string(crate::util::root().join(&tests_name)).unwrap();
    let cases = parse_tests(&text, &tests_name).unwrap_or_else(|e| panic!("{e}"));
    Scenario { id: id.to_string(), file, policy, cases }
}

impl Scenario {
    fn case(&self, name_start: &str) -> &TestCase {
        self.cases
            .iter()
            .find(|c| c.name.starts_with(name_start))
            .unwrap_or_else(|| panic!("{}: no case starting {name_start:?}", self.id))
    }

    /// The verdict and its text explanation for the case whose name starts so.
    fn eval(&self, name_start: &str, why_not: bool) -> (Verdict, String) {
        self.eval_case(self.case(name_start), why_not)
    }

    fn eval_case(&self, case: &TestCase, why_not: bool) -> (Verdict, String) {
        let Subject::Action(action) = &case.subject else { panic!("{}: {} is not an action", self.id, case.name) };
        let v = evaluate(&self.policy, &self.file, action.as_ref(), &opts());
        let text = explain::text(&v, &self.file.name, ExplainOptions { why_not, all: false });
        (v, text)
    }

    /// The terms report for the contract case whose name starts so.
    fn terms(&self, name_start: &str) -> (TermsReport, String) {
        self.terms_case(self.case(name_start))
    }

    fn terms_case(&self, case: &TestCase) -> (TermsReport, String) {
        let Subject::Contract(contract) = &case.subject else { panic!("{}: {} is not a contract", self.id, case.name) };
        let r = terms::check_terms(&self.policy, &self.file, contract);
        let text = terms::text(&r, &self.file.name);
        (r, text)
    }

    /// The first case's explanation (for a contract, the terms report).
    fn first_explanation(&self) -> String {
        let first = self.cases.first().unwrap_or_else(|| panic!("{} has no cases", self.id));
        match &first.subject {
            Subject::Action(_) => self.eval_case(first, false).1,
            Subject::Contract(_) => self.terms_case(first).1,
        }
    }
}

fn has(text: &str, needle: &str) {
    assert!(text.contains(needle), "expected {needle:?} in:\n{text}");
}

fn advice(v: &Verdict) -> Vec<&str> {
    v.advice.iter().map(|a| a.text.as_str()).collect()
}

fn law(v: &Verdict) -> Vec<&str> {
    v.law_notes.iter().map(|a| a.text.as_str()).collect()
}

// ───────────── every scenario ─────────────

#[test]
fn the_scenarios_are_all_there() {
    let ids = ids();
    for id in [
        "C02", "C05", "C06", "C07", "C09", "C11", "C12", "C13", "C15", "C16", "C18", "C19", "C22", "C24", "C26", "C27",
        "C28", "C29", "C31", "C32", "C33", "C34", "C36", "C37", "C38", "C40", "C42", "C43", "C44", "C46", "K01-A",
        "K01-B", "K03-A", "K03-B", "K04-A", "K04-B", "K06-A", "K06-B",
    ] {
        assert!(ids.contains(&id.to_string()), "missing scenario {id}");
        let policy = std::fs::read_to_string(dir().join(format!("{id}.policy"))).unwrap();
        let scenario = id.split('-').next().unwrap();
        assert!(policy.starts_with(&format!("# {scenario}: ")), "{id}.policy must start with `# {scenario}: title`");
    }
}

#[test]
fn every_scenario_passes() {
    let mut failures = String::new();
    for id in ids() {
        let s = load(&id);
        assert!(!s.cases.is_empty(), "{id} has no cases");
        for c in &s.cases {
            if let Subject::Action(a) = &c.subject {
                assert!(a.at.is_some(), "{id}: case {:?} must fix `at`", c.name);
            }
        }
        let report = suite::run(&s.policy, &s.file, &s.cases, &opts());
        if report.failed > 0 {
            failures.push_str(&format!("── {id}\n{}\n", suite::text(&report)));
        }
    }
    assert!(failures.is_empty(), "failing scenarios:\n{failures}");
}

#[test]
fn first_case_explanations() {
    let ids = ids();
    assert!(ids.len() >= 25, "at least 25 scenarios are snapshotted; found {}", ids.len());
    for id in ids {
        let s = load(&id);
        insta::assert_snapshot!(id.as_str(), s.first_explanation());
    }
}

// ───────────── A. accounts, contacts and ownership ─────────────

#[test]
fn c02_agency_business_and_the_ownership_gap() {
    let s = load("C02");
    let (v, text) = s.eval("invites a client", false);
    assert_eq!(v.verdict, Decision::Allow);
    has(&text, "Connecting with clients for the agency's business is part of the job.");
    has(&text, "facts.competing_venture = false");
    assert!(advice(&v).iter().any(|a| a.contains("does not say who keeps this connection when you leave")), "{text}");
}

#[test]
fn c05_no_owner_is_invented() {
    let s = load("C05");
    let (v, text) = s.eval("the leaver keeps", false);
    assert_eq!(v.verdict, Decision::Indeterminate);
    has(&text, "no clause covers this action and the policy states no default");
    assert!(advice(&v).iter().any(|a| a.contains("no ownership clause covers this account")), "{text}");
    assert!(advice(&v).iter().any(|a| a.contains("does not invent an owner")), "{text}");
    assert!(law(&v).iter().any(|n| n.contains("PhoneDog v Kravitz")), "{text}");
}

#[test]
fn c06_employee_owned_whatever_the_email_or_password() {
    let s = load("C06");
    let (v, text) = s.eval("IT staff take over", false);
    assert_eq!(v.verdict, Decision::Deny);
    has(&text, "personal accounts -> employee");
    has(&text, "even if created with an agency email address");
    has(&text, "even if it knows the password");
}

#[test]
fn c07_due_date_overdue_and_the_portfolio_outside_the_policy() {
    let s = load("C07");
    let (v, text) = s.eval("still withholding", false);
    assert_eq!(v.verdict, Decision::Deny);
    has(&text, "due 2025-07-02");
    has(&text, "overdue by 3 days");
    has(&text, "request.made_on 2025-07-01 + 1 business day = 2025-07-02");
    let (v, text) = s.eval("campaign videos", false);
    assert_eq!(v.verdict, Decision::Allow);
    has(&text, "no clause covers this action; permitted by default");
}

#[test]
fn c09_creation_facts_and_no_written_transfer() {
    let s = load("C09");
    let (v, text) = s.eval("on exit she keeps", false);
    assert_eq!(v.verdict, Decision::Allow);
    has(&text, "account.created_by = employee");
    has(&text, "account.transferred_in_writing = false");
    has(&text, "account.paid_by = employee, not agency");
    has(&text, "Colleagues helping to manage an account does not transfer it.");
}

#[test]
fn c11_connection_dates_against_the_inclusive_employment_interval() {
    let s = load("C11");
    let (v, text) = s.eval("client contact T", false);
    assert_eq!(v.verdict, Decision::Deny);
    has(&text, "target.connected_on = 2022-03-01 ≥ actor.employed_since (2022-03-01)");
    has(&text, "2022-03-01 is the boundary day and it counts");
    has(&text, "target.connected_on = 2022-03-01 ≤ actor.departed_on (2025-01-31)");
    let (v, text) = s.eval("client contact P", true);
    assert_eq!(v.verdict, Decision::Allow);
    has(&text, "target.connected_on = 2021-11-10 < actor.employed_since (2022-03-01)");
}

#[test]
fn c12_unknown_connection_date_is_named() {
    let s = load("C12");
    let (v, text) = s.eval("a client connection whose date", false);
    assert_eq!(v.verdict, Decision::Indeterminate);
    assert!(v.missing.contains(&"target.connected_on".to_string()), "{text}");
    has(&text, "missing facts:\n  target.connected_on");
    assert!(advice(&v).iter().any(|a| a.contains("joiner snapshot")), "{text}");
}

#[test]
fn c13_due_seven_days_after_leaving_overdue_by_three() {
    let s = load("C13");
    let (v, text) = s.eval("on Mon 10 Feb", false);
    assert_eq!(v.verdict, Decision::Deny);
    has(&text, "due 2025-02-07; overdue by 3 days");
    let due = v.obligations.first().unwrap();
    assert_eq!((due.due.map(|d| d.to_string()), due.overdue_days), (Some("2025-02-07".into()), Some(3)));
    let (v, _) = s.eval("updated, recorded as done", false);
    assert!(v.obligations.is_empty(), "a duty recorded as done is met");
}

// ───────────── B. restrictive covenants ─────────────

#[test]
fn c15_generic_invitations_are_not_inducement() {
    let s = load("C15");
    let (v, text) = s.eval("five months after leaving", true);
    assert_eq!(v.verdict, Decision::Allow);
    assert!(advice(&v).iter().any(|a| a.contains("any recruiting message would change this")), "{text}");
    has(&text, "`staff-non-poaching`");
    has(&text, "action = connect is not one of {solicit, message}");
}

#[test]
fn c16_a_targeted_inmail_is_an_inducement() {
    let s = load("C16");
    let (v, text) = s.eval("InMail", false);
    assert_eq!(v.verdict, Decision::Deny);
    has(&text, "facts.recruiting_content = true");
    has(&text, "do not induce employees in your former territory to leave");
    assert!(law(&v).iter().any(|n| n.contains("settled in 2010 without a ruling")), "{text}");
}

#[test]
fn c18_the_lookback_window_and_its_inclusive_boundary() {
    let s = load("C18");
    let (v, text) = s.eval("candidate A", false);
    assert_eq!(v.verdict, Decision::Deny);
    has(&text, "actor.departed_on - 12 months = 2025-03-31 - 12 months = 2024-03-31");
    has(&text, "2024-03-31 is the boundary day and it counts");
    has(&text, "actor.departed_on + 6 months = 2025-03-31 + 6 months = 2025-09-30");
    let (v, text) = s.eval("candidate B", true);
    assert_eq!(v.verdict, Decision::Allow);
    has(&text, "target.last_dealt_with = 2024-03-30 < actor.departed_on - 12 months (2024-03-31)");
}

#[test]
fn c19_clamped_end_inclusive_in_the_policy_timezone() {
    let s = load("C19");
    let (v, text) = s.eval("InMail to a former client on Fri 28 Feb", false);
    assert_eq!(v.verdict, Decision::Deny);
    has(&text, "2025-02-28");
    has(&text, "clamped");
    has(&text, "actor.departed_on + 6 months = 2024-08-31 + 6 months = 2025-02-28, clamped to the end of the month");
    has(&text, "2025-02-28 is the boundary day and it counts");
    has(&text, "Europe/London");
    has(&text, "from 2025-03-01 `client-non-solicitation` no longer applies");
    let (v, text) = s.eval("InMail to the same client on Sat 1 Mar", true);
    assert_eq!(v.verdict, Decision::Allow);
    has(&text, "(2025-03-01 00:01 Europe/London) > actor.departed_on + 6 months (2025-02-28)");
}

#[test]
fn c22_severed_shareholding_and_public_findability() {
    let s = load("C22");
    let (v, text) = s.eval("her new agency places", false);
    assert_eq!(v.verdict, Decision::Deny);
    has(&text, "can be found on social media does not remove the agency's protected interest");
    // The law agrees: `shareholder` is struck under the blue-pencil test and the rest enforced.
    has(&text, "status: enforceable as severed: read without `shareholder` (uk-capacity-interested-in)");
    let (v, text) = s.eval("her 2% shareholding", false);
    assert_eq!(v.verdict, Decision::Allow);
    has(&text, "excepted: unless facts.capacity = shareholder");
    let (r, text) = s.terms("the contract's covenant");
    assert_eq!(r.verdict, Decision::Allow);
    has(&text, "the words `shareholder` are recorded as severed");
}

#[test]
fn c24_no_cap_is_applied() {
    let s = load("C24");
    let (v, text) = s.eval("she joins a competitor", false);
    assert_eq!(v.verdict, Decision::Deny);
    assert!(law(&v).iter().any(|n| n.contains("announced in 2023 was never enacted")), "{text}");
    assert!(law(&v).iter().any(|n| n.contains("2025 working paper are undecided")), "{text}");
    assert!(advice(&v).iter().any(|a| a.contains("common-law reasonableness test")), "{text}");
    let (_, text) = s.terms("the contract's 6-month");
    has(&text, "never enacted");
    has(&text, "no cap is applied");
}

#[test]
fn c26_no_ftc_override_texas_not_encoded() {
    let s = load("C26");
    let (v, text) = s.eval("he joins a competitor", false);
    assert_eq!(v.verdict, Decision::Deny);
    assert!(law(&v).iter().any(|n| n.contains("set aside on 20 Aug 2024") && n.contains("5 Sep 2025")), "{text}");
    assert!(law(&v).iter().any(|n| n.contains("Texas law is not encoded")), "{text}");
    let (_, text) = s.terms("the contract's non-compete");
    has(&text, "5 Sep 2025");
    has(&text, "not encoded here (indeterminate)");
}

#[test]
fn c27_the_database_rule_did_not_fire_and_no_covenant_exists() {
    let s = load("C27");
    let (v, text) = s.eval("she messages hiring managers", true);
    assert_eq!(v.verdict, Decision::Allow);
    has(&text, "`no-agency-database`");
    has(&text, "facts.uses_agency_data = false");
    assert!(advice(&v).iter().any(|a| a.contains("no covenant in this policy restrains")), "{text}");
}

#[test]
fn c28_the_verdict_rests_on_the_definition() {
    let s = load("C28");
    let (v, _) = s.eval("(a)", false);
    assert_eq!(v.verdict, Decision::Allow);
    // Without the definition no clause covers a plain connection request, and with no
    // default the verdict is indeterminate.
    let text = &s.file.text;
    let start = text.find("rule solicit-definition").unwrap();
    let end = start + text[start..].find("\n}\n").unwrap() + 3;
    let without = format!("{}{}", &text[..start], &text[end..]);
    let (file, policy) = policy_from("C28-without-definition.policy", &without);
    let Subject::Action(a) = &s.case("(a)").subject else { unreachable!() };
    let v = evaluate(&policy, &file, a.as_ref(), &opts());
    assert_eq!(v.verdict, Decision::Indeterminate);
    let (v, text) = s.eval("(b)", false);
    assert_eq!(v.verdict, Decision::Deny);
    has(&text, "facts.invites_to_work_elsewhere = true");
}

// ───────────── C. posting rules, content and channels ─────────────

#[test]
fn c29_ten_is_allowed_eleven_is_not() {
    let s = load("C29");
    let (_, text) = s.eval("the 11th tweet", false);
    has(&text, "history.posts_today = 10 ≥ 10");
    has(&text, "with this post: 11 > limit 10");
    let (_, text) = s.eval("the 10th tweet", true);
    has(&text, "history.posts_today = 9 < 10");
    has(&text, "with this post: 10 ≤ limit 10");
}

#[test]
fn c31_the_policy_timezone_decides_the_day() {
    let s = load("C31");
    let (_, text) = s.eval("at 23:59:30 London", false);
    has(&text, "the day counted: 2025-03-14 in Europe/London (the policy's timezone, not the device's)");
    let (_, text) = s.eval("at 00:00:10 London", true);
    has(&text, "the day counted: 2025-03-15 in Europe/London");
}

#[test]
fn c32_a_rolling_window() {
    let s = load("C32");
    let (_, text) = s.eval("day 2 at 13:59", false);
    has(&text, "history.posts_last_24h = 10 ≥ 10");
    has(&text, "from 2025-05-14 13:59:00 to 2025-05-15 13:59:00 in Europe/London");
}

#[test]
fn c33_c34_unlisted_channel_with_and_without_a_default() {
    let (v, text) = load("C33").eval("a job video on TikTok", false);
    assert_eq!((v.verdict, v.approvers.clone()), (Decision::RequireApproval, vec!["marketing".to_string()]));
    has(&text, "section default `unlisted-channels`");
    let (v, text) = load("C34").eval("a job video on TikTok", false);
    assert_eq!(v.verdict, Decision::Indeterminate);
    has(&text, "no clause covers");
    has(&text, "states no default");
}

#[test]
fn c36_a_conflict_names_both_rules() {
    let (v, text) = load("C36").eval("a LinkedIn job ad that names the client", false);
    assert_eq!(v.verdict, Decision::Indeterminate);
    has(&text, "`r1-job-ads`");
    has(&text, "`r2-client-names`");
    has(&text, "disagree and the policy says conflicts are indeterminate");
}

#[test]
fn c37_every_missing_particular_is_named() {
    let (v, text) = load("C37").eval("tweet", false);
    assert_eq!(v.verdict, Decision::Deny);
    for rule in ["ad-agency-name", "ad-temp-or-perm", "ad-nature-of-work", "ad-location", "ad-min-experience"] {
        assert!(v.deciding.contains(&rule.to_string()), "{rule} must decide:\n{text}");
    }
    has(&text, "facts.states_pay = true");
}

#[test]
fn c40_c42_obligations() {
    let (v, text) = load("C40").eval("InMail to a person found by search", false);
    assert_eq!(v.verdict, Decision::Allow);
    let ob = v.obligations.first().unwrap();
    has(&ob.text, "link our privacy notice and offer an opt-out");
    assert!(law(&v).iter().any(|n| n.contains("2024 consultation draft")), "{text}");
    let (v, _) = load("C40").eval("the same InMail with the privacy link", false);
    assert!(v.obligations.is_empty());

    let (v, text) = load("C42").eval("personal X post", false);
    assert_eq!(v.verdict, Decision::Allow);
    let ob = v.obligations.first().unwrap();
    has(&ob.text, "disclose in the post itself that you work for the agency");
    has(&text, "a mention in your bio is not enough");
    let (v, _) = load("C42").eval("the same post with #AgencyXEmployee", false);
    assert!(v.obligations.is_empty());
}

#[test]
fn c43_c44_status_and_jurisdiction_and_the_flag() {
    for (id, case) in [("C43", "non-supervisory"), ("C44", "a co-worker likes")] {
        let (v, text) = load(id).eval(case, false);
        assert_eq!(v.verdict, Decision::Allow);
        has(&text, "actor.supervisor = false");
        has(&text, "actor.jurisdiction = US-NY is one of");
        has(&text, "`no-negative-comments` (");
        has(&text, "overridden by `nlra-section-7`");
        assert!(law(&v).iter().any(|n| n.contains("likely unlawful for this employee")), "{text}");
    }
    let (v, text) = load("C43").eval("variant", false);
    assert_eq!(v.verdict, Decision::Deny);
    assert!(law(&v).is_empty(), "{text}");
}

#[test]
fn c46_no_work_context_means_not_applicable() {
    let (v, text) = load("C46").eval("a non-abusive religious view", false);
    assert_eq!(v.verdict, Decision::Allow);
    has(&text, "no clause applies; the policy default decides");
    has(&text, "`no-promoting-views`");
    has(&text, "excepted: unless account.kind = personal");
}

// ───────────── D. candidates: each employer's policy on its own ─────────────

#[test]
fn k01_ownership_model_of_each_employer() {
    let a = load("K01-A");
    let b = load("K01-B");
    for (s, during) in [(&a, Decision::Allow), (&b, Decision::Deny)] {
        let (v, _) = s.eval("at exit, one of the 1,900", false);
        assert_eq!(v.verdict, Decision::Allow, "{}: pre-employment connections stay", s.id);
        let (v, _) = s.eval("at exit, a client connection", false);
        assert_eq!(v.verdict, during, "{}", s.id);
    }
    let (_, text) = a.eval("at exit, a client connection", false);
    has(&text, "Employee-owned");
    let (v, text) = b.eval("at exit, a client connection", false);
    has(&text, "Split by provenance");
    assert!(v.obligations.iter().any(|o| o.due.map(|d| d.to_string()) == Some("2028-05-28".into())), "{text}");
    assert!(advice(&v).iter().any(|a| a.contains("We snapshot your network when you join")), "{text}");
}

#[test]
fn k03_the_jurisdiction_changes_the_law_notes() {
    let b = load("K03-B");
    let (r, text) = b.terms("B's contract for a candidate based in California");
    let notes: Vec<&String> = r.clauses.iter().flat_map(|c| &c.law_notes).collect();
    assert!(notes.iter().any(|n| n.contains("void in California")), "{text}");
    assert!(notes.iter().any(|n| n.contains("non_solicitation in California is not encoded")), "{text}");
    let (r, text) = b.terms("B's contract for the same candidate based in the UK");
    assert!(r.clauses.iter().flat_map(|c| &c.law_notes).all(|n| !n.contains("California")), "{text}");
    let a = load("K03-A");
    let (r, text) = a.terms("A's contract for a candidate based in California");
    let notes: Vec<&String> = r.clauses.iter().flat_map(|c| &c.law_notes).collect();
    assert!(notes.iter().all(|n| !n.contains("void")), "{text}");
    assert!(notes.iter().any(|n| n.contains("not encoded here (indeterminate): not guessed")), "{text}");
}

#[test]
fn k04_posting_burden_over_a_week() {
    // 5 job tweets a day, Monday to Friday, under each employer's policy.
    let mut approvals = [0, 0];
    let mut allowed = [0, 0];
    for (i, id) in ["K04-A", "K04-B"].iter().enumerate() {
        let s = load(id);
        for day in 8..=12 {
            for n in 0..5 {
                let yaml = format!(
                    "action: post\nat: 2026-06-{day:02}T{:02}:00:00+01:00\nactor: {{id: sofia, role: consultant, status: employed}}\n\
                     channel: twitter\naccount: {{kind: branded, created_by: agency}}\ncontent: {{kind: job_ad}}\nhistory: {{posts_today: {n}}}\n",
                    9 + n
                );
                let action = smpolicy::data::action::parse_action(&yaml, "k04.yaml").unwrap();
                match evaluate(&s.policy, &s.file, &action, &opts()).verdict {
                    Decision::Allow => allowed[i] += 1,
                    Decision::RequireApproval => approvals[i] += 1,
                    other => panic!("{id}: unexpected {other:?}"),
                }
            }
        }
    }
    assert_eq!((allowed, approvals), ([25, 0], [0, 25]), "A: all allowed, 0 approvals; B: 25 approvals a week");
}

#[test]
fn k06_restrictive_defaults() {
    // The posture measure is a heuristic, not a sourced standard: the number of
    // defaults (section or policy) that refuse or need an approval.
    let restrictive = |p: &Policy| {
        p.defaults.iter().filter(|d| d.effect.rank() >= Some(1)).count()
            + usize::from(p.meta.default.as_ref().is_some_and(|d| d.rank() >= Some(1)))
    };
    let a = load("K06-A");
    let b = load("K06-B");
    assert_eq!((restrictive(&a.policy), restrictive(&b.policy)), (0, 2));
    let (v, text) = a.eval("a job video on TikTok", false);
    assert_eq!(v.verdict, Decision::Allow);
    assert!(advice(&v).iter().any(|x| x.contains("use your judgement")), "{text}");
}
