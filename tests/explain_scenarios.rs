//! What the scenarios of `shared/scenarios/scenarios.md` say an explanation must
//! say, asserted on the explanation a user gets without asking for more (no
//! `--why-not`), on the allow side as well as the deny side: every verdict lists
//! the clauses in scope and what became of each, a covenant's window with its
//! dates, and the facts read with their plain-words labels. Text, markdown and
//! JSON are each checked to carry it.

use crate::scenarios::{load, opts, Scenario};
use smpolicy::data::testcase::Subject;
use smpolicy::eval::evaluate;
use smpolicy::eval::explain::{self, ExplainOptions};
use smpolicy::eval::verdict::{Decision, Outcome, Position, Verdict};

/// The verdict, its text and its markdown for the case whose name starts so.
fn explain(s: &Scenario, name_start: &str) -> (Verdict, String, String) {
    let case = s
        .cases
        .iter()
        .find(|c| c.name.starts_with(name_start))
        .unwrap_or_else(|| panic!("{}: no case starting {name_start:?}", s.id));
    let Subject::Action(action) = &case.subject else { panic!("{}: not an action", s.id) };
    let v = evaluate(&s.policy, &s.file, action.as_ref(), &opts());
    let o = ExplainOptions::default();
    (v.clone(), explain::text(&v, &s.file.name, o), explain::markdown(&v, &s.file.name, o))
}

/// The needle is in the text and the markdown (there as markdown writes text: `<` as `&lt;`).
fn says(text: &str, md: &str, needle: &str) {
    assert!(text.contains(needle), "expected {needle:?} in the text:\n{text}");
    let in_md = smpolicy::markdown::text(needle);
    assert!(md.contains(&in_md), "expected {in_md:?} in the markdown:\n{md}");
}

/// The needle is in the JSON too (a fact's value, a test's words, a date).
fn says_all(v: &Verdict, text: &str, md: &str, needle: &str) {
    says(text, md, needle);
    let json = serde_json::to_string(v).unwrap();
    let escaped = serde_json::to_string(needle).unwrap();
    let inner = escaped.trim_matches('"');
    assert!(json.contains(inner), "expected {needle:?} in the JSON:\n{json}");
}

/// A fact read, as the text and markdown list it and as the JSON gives it.
fn fact(v: &Verdict, text: &str, md: &str, path: &str, label: &str, value: &str) {
    says(text, md, &format!("{path} ({label}): {value}"));
    let f = v.facts.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("{path} not among the facts read"));
    assert_eq!((f.label.as_str(), f.value.as_str()), (label, value));
}

fn outcome(v: &Verdict, id: &str) -> Outcome {
    v.rules.iter().find(|r| r.id == id).unwrap_or_else(|| panic!("no clause {id}")).outcome
}

// ───────────── covenants: lapsed, inside, look-back ─────────────

#[test]
fn c19_after_the_covenant_lapsed_the_allow_names_it_and_its_window() {
    let s = load("C19");
    let (v, text, md) = explain(&s, "InMail to the same client on Sat 1 Mar");
    assert_eq!(v.verdict, Decision::Allow);
    assert_eq!(outcome(&v, "client-non-solicitation"), Outcome::Lapsed);
    says(&text, &md, "`client-non-solicitation` covered it, but its window ended on 2025-02-28");
    says(&text, &md, "covered this, but its window had ended");
    says(&text, &md, "from 2024-08-31 (departure) to 2025-02-28 inclusive");
    says(&text, &md, "the action (2025-03-01) falls after the window");
    assert!(!text.contains("no clause covers this action"), "{text}");
    let w = v.rules.iter().find_map(|r| r.window.as_ref()).unwrap();
    assert_eq!(w.action_falls, Position::After);
    assert_eq!(
        (w.from.map(|d| d.to_string()), w.until.map(|d| d.to_string())),
        (Some("2024-08-31".into()), Some("2025-02-28".into()))
    );
    // The deny side: the same window, the action inside it, and the clamped end in the policy's timezone.
    let (v, text, md) = explain(&s, "InMail to a former client on Fri 28 Feb");
    assert_eq!(v.verdict, Decision::Deny);
    says(&text, &md, "the action (2025-02-28) falls inside the window");
    has(&text, "2025-02-28, clamped to the end of the month");
    has(&text, "2025-02-28 is the boundary day and it counts");
    has(&text, "Europe/London");
}

fn has(text: &str, needle: &str) {
    assert!(text.contains(needle), "expected {needle:?} in:\n{text}");
}

#[test]
fn c18_outside_the_lookback_the_allow_names_the_failing_date_and_the_window() {
    let s = load("C18");
    let (v, text, md) = explain(&s, "candidate B");
    assert_eq!(v.verdict, Decision::Allow);
    assert_eq!(outcome(&v, "palmer-non-solicitation"), Outcome::DidNotApply);
    says_all(&v, &text, &md, "target.last_dealt_with = 2024-03-30 < actor.departed_on - 12 months (2024-03-31)");
    says(&text, &md, "look-back 12 months: only dealings from 2024-03-31 to 2025-03-31 count, both days included");
    fact(&v, &text, &md, "target.last_dealt_with", "date last dealt with", "2024-03-30");
    let (v, text, md) = explain(&s, "candidate A");
    assert_eq!(v.verdict, Decision::Deny);
    says(&text, &md, "look-back 12 months: only dealings from 2024-03-31 to 2025-03-31 count");
}

#[test]
fn c15_generic_invitations_the_covenant_is_about_other_actions() {
    let s = load("C15");
    let (v, text, md) = explain(&s, "five months after leaving");
    assert_eq!(v.verdict, Decision::Allow);
    // A connection request is not among the actions the non-poaching restrains: counted, not listed.
    assert_eq!(outcome(&v, "staff-non-poaching"), Outcome::OutOfScope);
    assert!(v.out_of_scope >= 1);
    says(&text, &md, "more about another action or channel are not listed: --all lists them");
    let all = explain::text(&v, &s.file.name, ExplainOptions { why_not: false, all: true });
    has(&all, "`staff-non-poaching`");
    has(&all, "✗ action = connect is not one of {solicit, message}");
}

#[test]
fn c22_the_excepted_shareholding_says_why_in_every_format() {
    let s = load("C22");
    let (v, text, md) = explain(&s, "her 2% shareholding");
    assert_eq!(v.verdict, Decision::Allow);
    assert!(v.rules.iter().any(|r| r.outcome == Outcome::Excepted), "{text}");
    says(&text, &md, "covered the action, but an exception holds");
    says_all(&v, &text, &md, "facts.capacity = shareholder");
}

// ───────────── accounts, posting and connecting ─────────────

#[test]
fn c02_agency_business_is_the_purpose() {
    let s = load("C02");
    let (v, text, md) = explain(&s, "invites a client");
    assert_eq!(v.verdict, Decision::Allow);
    says(&text, &md, "Connecting with clients for the agency's business is part of the job.");
    says(&text, &md, "decided the verdict");
}

#[test]
fn c07_the_portfolio_is_outside_the_policy() {
    let s = load("C07");
    let (v, text, md) = explain(&s, "campaign videos");
    assert_eq!(v.verdict, Decision::Allow);
    says(&text, &md, "no clause covers this action; permitted by default");
    // Nothing in the policy is about it: every clause is out of scope.
    assert_eq!(v.out_of_scope, v.rules.len(), "{text}");
}

#[test]
fn c09_the_creation_facts_and_no_written_transfer() {
    let s = load("C09");
    let (v, text, md) = explain(&s, "on exit she keeps");
    assert_eq!(v.verdict, Decision::Allow);
    fact(&v, &text, &md, "account.transferred_in_writing", "account was transferred in writing", "false");
    fact(&v, &text, &md, "account.created_by", "who created the account", "employee");
}

#[test]
fn c11_p_connected_before_employment_is_compared_with_the_interval() {
    let s = load("C11");
    let (v, text, md) = explain(&s, "client contact P");
    assert_eq!(v.verdict, Decision::Allow);
    says_all(&v, &text, &md, "target.connected_on = 2021-11-10 < actor.employed_since (2022-03-01)");
    fact(&v, &text, &md, "target.connected_on", "date connected", "2021-11-10");
}

#[test]
fn c27_the_database_rule_was_checked_and_did_not_fire() {
    let s = load("C27");
    let (v, text, md) = explain(&s, "she messages hiring managers");
    assert_eq!(v.verdict, Decision::Allow);
    assert_eq!(outcome(&v, "no-agency-database"), Outcome::DidNotApply);
    says(&text, &md, "`no-agency-database`");
    says_all(&v, &text, &md, "facts.uses_agency_data = false");
}

#[test]
fn c28_a_connection_request_is_not_solicitation_by_the_definition() {
    let s = load("C28");
    let (v, text, md) = explain(&s, "(a)");
    assert_eq!(v.verdict, Decision::Allow);
    says(&text, &md, "`solicit-definition`");
}

#[test]
fn c29_the_tenth_tweet_counts_ten_against_the_limit() {
    let s = load("C29");
    let (v, text, md) = explain(&s, "the 10th tweet");
    assert_eq!(v.verdict, Decision::Allow);
    says_all(&v, &text, &md, "history.posts_today = 9 < 10");
    fact(&v, &text, &md, "history.posts_today", "posts today", "9");
}

#[test]
fn c31_the_first_tweet_of_the_new_day_in_the_policy_timezone() {
    let s = load("C31");
    let (v, text, md) = explain(&s, "at 00:00:10 London");
    assert_eq!(v.verdict, Decision::Allow);
    says(&text, &md, "the day counted: 2025-03-15 in Europe/London (the policy's timezone, not the device's)");
}

#[test]
fn c32_the_oldest_tweet_has_left_the_rolling_window() {
    let s = load("C32");
    let (v, text, md) = explain(&s, "day 2 at 14:01");
    assert_eq!(v.verdict, Decision::Allow);
    says(&text, &md, "a rolling window, not a calendar day");
}

#[test]
fn c43_the_employee_status_and_jurisdiction() {
    let s = load("C43");
    let (v, text, md) = explain(&s, "non-supervisory");
    assert_eq!(v.verdict, Decision::Allow);
    fact(&v, &text, &md, "actor.supervisor", "is a supervisor", "false");
    fact(&v, &text, &md, "actor.jurisdiction", "jurisdiction", "US-NY");
}

#[test]
fn c46_conduct_rules_did_not_apply_to_a_personal_view() {
    let s = load("C46");
    let (v, text, md) = explain(&s, "a non-abusive religious view");
    assert_eq!(v.verdict, Decision::Allow);
    // The conduct rule covered the post, and its own exception (no work context) lifted it.
    assert!(v.rules.iter().any(|r| r.outcome == Outcome::Excepted), "{text}");
    says(&text, &md, "covered the action, but an exception holds");
}

// ───────────── beyond the scenarios ─────────────

fn eval_text(policy_name: &str, policy_text: &str, action_yaml: &str, o: ExplainOptions) -> (Verdict, String) {
    let (file, policy) = crate::scenarios::policy_from(policy_name, policy_text);
    let action = smpolicy::data::action::parse_action(action_yaml, "action.yaml").unwrap();
    let v = evaluate(&policy, &file, &action, &opts());
    let text = explain::text(&v, &file.name, o);
    (v, text)
}

/// A leaver on garden leave approaches a client after the restraint, counted from
/// the start of garden leave, ended, but before it would have ended counted from
/// departure: the allow names both dates and which applied.
#[test]
fn a_garden_leave_offset_shows_both_end_dates_and_which_applied() {
    let policy = std::fs::read_to_string(crate::util::root().join("policies/protective-agency.policy")).unwrap();
    let action = "action: message
at: 2025-10-15T10:00:00Z
actor: { id: ruth, role: consultant, status: departed, employed_since: 2020-01-06, departed_on: 2025-06-30, garden_leave_from: 2025-03-31 }
channel: linkedin
target: { relationship: client, last_dealt_with: 2025-01-15 }
content: { kind: [] }
";
    let (v, text) = eval_text("protective-agency.policy", &policy, action, ExplainOptions::default());
    assert_eq!(v.verdict, Decision::Allow);
    assert_eq!(outcome(&v, "client-non-solicitation"), Outcome::Lapsed);
    has(&text, "window: from 2025-06-30 (departure) to 2025-09-30 inclusive: 6 months counted from the start of garden leave (actor.garden_leave_from)");
    has(&text, "garden leave offset: counted from departure it would have ended on 2025-12-30; counted from the start of garden leave it ends on 2025-09-30, and that applied");
    has(&text, "the action (2025-10-15) falls after the window: the covenant had lapsed");
    let w = v.rules.iter().find(|r| r.id == "client-non-solicitation").and_then(|r| r.window.clone()).unwrap();
    assert_eq!(w.until_without_offset.map(|d| d.to_string()), Some("2025-12-30".into()));
    assert_eq!(w.counted_from, "actor.garden_leave_from");
    // Without garden leave the period counts from departure, and the action falls inside it.
    let action = action.replace(", garden_leave_from: 2025-03-31", "");
    let (v, text) = eval_text("protective-agency.policy", &policy, &action, ExplainOptions::default());
    assert_eq!(v.verdict, Decision::Deny);
    has(&text, "no start of garden leave is given (actor.garden_leave_from), so the period counts from departure");
    has(&text, "the action (2025-10-15) falls inside the window");
    // Still employed: the window has not started.
    let action = action.replace("status: departed", "status: employed");
    let (v, text) = eval_text("protective-agency.policy", &policy, &action, ExplainOptions::default());
    assert_eq!(outcome(&v, "client-non-solicitation"), Outcome::NotYetStarted, "{text}");
    has(&text, "falls before the window: it starts on departure, and the actor's status is employed");
}

/// `--why-not` blames the test that made the clause fail, not one that sat in an
/// alternative that did not matter.
#[test]
fn why_not_blames_only_the_tests_that_made_the_clause_fail() {
    let policy = r#"policy "why not"
  timezone "Europe/London"
  default allow

roles consultant

rule late-night-posts {
  when action = post and (channel = twitter or channel = linkedin) and content.confidential
  then deny
}
"#;
    let action = "action: post
at: 2025-10-15T10:00:00Z
actor: { id: ruth, role: consultant, status: employed, employed_since: 2020-01-06 }
channel: linkedin
content: { confidential: false }
";
    let (v, text) = eval_text("why-not.policy", policy, action, ExplainOptions { why_not: true, all: false });
    assert_eq!(v.verdict, Decision::Allow);
    let r = v.rules.iter().find(|r| r.id == "late-night-posts").unwrap();
    let failed: Vec<&str> = r.failed.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(failed, ["content.confidential = false"], "{text}");
    assert!(!text.contains("channel = linkedin, not twitter"), "an alternative that did not matter is blamed:\n{text}");
    has(&text, "`late-night-posts` (why-not.policy:7): content.confidential = false");
}

/// Every case of every scenario: each clause in scope is listed with what became
/// of it in text and markdown (and none out of scope is), the JSON carries the
/// same outcome, a clause that did not apply names the tests that failed, an
/// exception's reason reaches every format, and every fact read is listed with
/// its label, never an absent one as `false`.
#[test]
fn every_explanation_lists_its_clauses_and_facts_in_text_markdown_and_json() {
    let mut cases = 0;
    for id in crate::scenarios::ids() {
        let s = load(&id);
        for c in &s.cases {
            let Subject::Action(a) = &c.subject else { continue };
            let v = evaluate(&s.policy, &s.file, a.as_ref(), &opts());
            let o = ExplainOptions::default();
            let (text, md) = (explain::text(&v, &s.file.name, o), explain::markdown(&v, &s.file.name, o));
            let json = serde_json::to_value(&v).unwrap();
            let at = format!("{id}, {:?}", c.name);
            for (i, r) in v.rules.iter().enumerate() {
                let head = format!("`{}` ({}:{}): {}", r.id, s.file.name, r.line, r.outcome.words());
                let listed = r.outcome != Outcome::OutOfScope;
                assert_eq!(text.contains(&head), listed, "{at}: {head}\n{text}");
                assert_eq!(md.contains(&smpolicy::markdown::text(&head)), listed, "{at}: {head}\n{md}");
                assert_eq!(json["rules"][i]["outcome"], serde_json::to_value(r.outcome).unwrap(), "{at}");
                if matches!(r.outcome, Outcome::DidNotApply | Outcome::OutOfScope) {
                    assert!(!r.failed.is_empty(), "{at}: `{}` did not apply and names no test", r.id);
                }
                if r.outcome == Outcome::DidNotApply {
                    for t in &r.failed {
                        assert!(
                            text.contains(&t.text) && md.contains(&smpolicy::markdown::text(&t.text)),
                            "{at}: {}\n{text}",
                            t.text
                        );
                    }
                }
                if let Some(reason) = &r.excepted_reason {
                    assert!(
                        text.contains(reason) && md.contains(&smpolicy::markdown::text(reason)),
                        "{at}: {reason}\n{md}"
                    );
                    assert_eq!(json["rules"][i]["excepted_reason"], serde_json::json!(reason), "{at}");
                }
            }
            assert_eq!(v.out_of_scope, v.rules.iter().filter(|r| r.outcome == Outcome::OutOfScope).count());
            for f in &v.facts {
                let line = format!("{} ({}): {}", f.path, f.label, f.value);
                assert!(text.contains(&line) && md.contains(&smpolicy::markdown::text(&line)), "{at}: {line}\n{text}");
                assert!(f.given || f.value.starts_with("not given"), "{at}: {line}");
            }
            cases += 1;
        }
    }
    assert!(cases >= 60, "only {cases} cases");
}

/// The other contract wording: the restraint runs from termination and is
/// reduced by the time spent on garden leave. At a month end it ends on another
/// day than the same covenant counted from the start of garden leave, and the
/// explanation shows both computations and which applied.
#[test]
fn a_covenant_reduced_by_garden_leave_ends_on_termination_plus_period_less_the_days_of_garden_leave() {
    let policy = |wording: &str| {
        format!(
            "policy \"Garden leave wordings\" jurisdiction UK timezone \"Europe/London\" default allow\n\ncovenant clients: non_solicitation of clients for 6 months\n  {wording}\n"
        )
    };
    let action = |on: &str| {
        format!(
            "action: message\nat: {on}T10:00:00Z\nactor: {{ id: ruth, role: consultant, status: departed, departed_on: 2026-03-31, garden_leave_from: 2026-01-31 }}\nchannel: linkedin\ntarget: {{ relationship: client }}\n"
        )
    };
    // Reduced by garden leave: 2026-03-31 + 6 months = 2026-09-30, less the 59 days from 31 Jan to 31 Mar = 2026-08-02.
    let reduced = policy("reduced by garden leave");
    let (v, text) = eval_text("reduced.policy", &reduced, &action("2026-08-02"), ExplainOptions::default());
    assert_eq!(v.verdict, Decision::Deny, "{text}");
    has(&text, "window: from 2026-03-31 (departure) to 2026-08-02 inclusive: 6 months counted from the date of departure (actor.departed_on)");
    has(&text, "reduced by garden leave: counted from departure it would have ended on 2026-09-30; less the 59 days of garden leave it ends on 2026-08-02, and that applied");
    let w = v.rules.iter().find(|r| r.id == "clients").and_then(|r| r.window.clone()).unwrap();
    assert_eq!(w.garden_leave_days, Some(59));
    assert_eq!(w.until.map(|d| d.to_string()), Some("2026-08-02".into()));
    let (v, text) = eval_text("reduced.policy", &reduced, &action("2026-08-03"), ExplainOptions::default());
    assert_eq!(v.verdict, Decision::Allow, "{text}");
    has(&text, "the action (2026-08-03) falls after the window: the covenant had lapsed");
    // Counted from the start of garden leave: 2026-01-31 + 6 months = 2026-07-31, so 2 August is free.
    let runs_from = policy("garden leave offset");
    let (v, text) = eval_text("runs-from.policy", &runs_from, &action("2026-08-02"), ExplainOptions::default());
    assert_eq!(v.verdict, Decision::Allow, "{text}");
    has(&text, "counted from the start of garden leave it ends on 2026-07-31, and that applied");
    // No garden leave given: nothing is taken off, and the explanation says so.
    let none = action("2026-09-30").replace(", garden_leave_from: 2026-01-31", "");
    let (v, text) = eval_text("reduced.policy", &reduced, &none, ExplainOptions::default());
    assert_eq!(v.verdict, Decision::Deny, "{text}");
    has(&text, "reduced by garden leave: no start of garden leave is given (actor.garden_leave_from), so the period counts from departure with nothing taken off");
}
