//! Precedence (issue #14, concept 7): `conflicts most_specific` (a clause
//! about fewer situations beats a more general one; ties fall back to the most
//! restrictive) and named priority tiers (`priorities legal > business` in the
//! header, `priority legal` on a clause), beside `most_restrictive` and
//! `indeterminate`. Both engines, the explanation (which clause won and why),
//! undecided clauses (never fail open), `check`, `fmt` and `diff`.
//!
//! The published texts: a US staffing and PEO firm's employee handbook
//! (Personnel Outsource Solutions, as hosted at
//! https://user-pzxh1z.cld.bz/FBC-Norfolk-Employee-Handbook/27) and Gullands
//! Solicitors' note on the LinkedIn exception to "no social media at work"
//! (https://www.gullands.com/news-events/news/linkedin/), both read in
//! December 2026 and paraphrased in tests/cases/published/precedence-handbook.policy.

use crate::util::{run, run_stdin, stdout};
use smpolicy::compile::{compile, FactRow};
use smpolicy::data::action::parse_action_json_line;
use smpolicy::eval::{evaluate, Decision, EvalOptions};
use smpolicy::source::SourceFile;

const PUBLISHED: &str = "tests/cases/published/precedence-handbook.policy";

fn now() -> jiff::Timestamp {
    "2026-03-02T10:00:00Z".parse().unwrap()
}

/// The verdict and deciding clauses of an action, by the interpreter; the
/// compiled form must say the same.
fn decide(text: &str, action: &str) -> (Decision, Vec<String>) {
    let file = SourceFile::new("p.policy", text);
    let (ast, report) = smpolicy::check::check_source(&file).unwrap_or_else(|d| panic!("{d:?}"));
    assert!(!report.has_errors(), "{report:?}");
    let policy = smpolicy::lower::lower(&file, &ast);
    let action = parse_action_json_line(action).unwrap();
    let v = evaluate(&policy, &file, &action, &EvalOptions { now: now() });
    let compiled = compile(&policy);
    let row = FactRow::from_action_at(&action, &compiled, now());
    let d = compiled.decide(&row);
    let o = compiled.outcome(&row, &d);
    let deciding: Vec<String> = o.deciding.iter().map(|s| s.to_string()).collect();
    assert_eq!((o.verdict, &deciding), (v.verdict, &v.deciding), "the engines disagree on {text}");
    (v.verdict, v.deciding)
}

fn codes(text: &str) -> Vec<String> {
    let file = SourceFile::new("p.policy", text);
    let (_, report) = smpolicy::check::check_source(&file).unwrap_or_else(|d| panic!("{d:?}"));
    report.diagnostics.iter().map(|d| d.code.clone()).collect()
}

/// Every case of the published policy, in the interpreter (`test`) and in the
/// compiled form (`eval --batch`), and the file is as `fmt` writes it.
#[test]
fn the_published_policy_holds_its_cases_in_both_engines() {
    crate::util::published_cases_hold_in_both_engines("precedence-handbook");
}

const MARKETING: &str = r#"{"action":"post","at":"2026-03-02T10:00:00Z","actor":{"id":"cy","role":"consultant","status":"employed","team":"marketing"},"channel":"twitter","device":"agency","content":{"kind":"brand","confidential":false,"conduct":[]}}"#;

/// The explanation says which clause won and why, in text and in JSON.
#[test]
fn the_explanation_names_the_clause_that_won_and_why() {
    let o = run_stdin(&["eval", PUBLISHED, "-"], MARKETING);
    let text = stdout(&o);
    assert!(text.starts_with("verdict: allow"), "{text}");
    assert!(
        text.contains("conflict: `company-systems` applies too, but the policy's precedence (priorities, then most_specific) settles it: `business-necessity` is more specific than `company-systems` (team: communications, legal, marketing or web_it rather than any); so `company-systems` is overruled"),
        "{text}"
    );
    let o = run_stdin(&["eval", PUBLISHED, "-", "--format", "json"], MARKETING);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["conflict"]["precedence"], "priorities, then most_specific");
    assert_eq!(v["conflict"]["overruled"], serde_json::json!(["company-systems"]));
    assert_eq!(v["conflict"]["prevailing"], serde_json::json!(["business-necessity"]));
    // A higher tier wins over a narrower clause, and says so.
    let confidential = MARKETING.replace(r#""confidential":false"#, r#""confidential":true"#);
    let text = stdout(&run_stdin(&["eval", PUBLISHED, "-"], &confidential));
    assert!(text.starts_with("verdict: deny"), "{text}");
    assert!(
        text.contains("`proprietary` has priority legal, above `business-necessity` (priority business)"),
        "{text}"
    );
}

const GENERAL: &str = "policy \"p\" default deny conflicts most_specific\n\nteams marketing\n\n\
    rule posting-ok { when action = post then allow }\n\n\
    rule linkedin-clients { when action = post and channel = linkedin and content.names_client then deny }\n";

fn post(channel: &str, names_client: Option<bool>) -> String {
    let flag = names_client.map_or(String::new(), |b| format!(r#","names_client":{b}"#));
    format!(
        r#"{{"action":"post","at":"2026-03-02T10:00:00Z","actor":{{"id":"a","role":"consultant","status":"employed","team":"marketing"}},"channel":"{channel}","content":{{"kind":"brand"{flag}}}}}"#
    )
}

/// An undecided clause that is more specific than the clause deciding, and
/// stricter, holds the verdict back: it could win. One that is less strict, or
/// that a clause applying beats (a higher tier, a narrower clause), cannot
/// change the verdict and does not.
#[test]
fn an_undecided_narrower_clause_holds_the_verdict_only_if_it_could_win_and_be_stricter() {
    // Decided: the narrower deny wins over the general allow.
    assert_eq!(decide(GENERAL, &post("linkedin", Some(true))), (Decision::Deny, vec!["linkedin-clients".into()]));
    assert_eq!(decide(GENERAL, &post("linkedin", Some(false))), (Decision::Allow, vec!["posting-ok".into()]));
    // Undecided (whether the post names a client is not given): it could win and deny.
    assert_eq!(decide(GENERAL, &post("linkedin", None)), (Decision::Indeterminate, vec!["linkedin-clients".into()]));
    // Elsewhere it cannot apply at all.
    assert_eq!(decide(GENERAL, &post("twitter", None)).0, Decision::Allow);
    // An undecided narrower permission beside a general deny cannot make it stricter: deny.
    let flipped = GENERAL.replace("then allow", "then DENY").replace("then deny", "then allow").replace("DENY", "deny");
    assert_eq!(decide(&flipped, &post("linkedin", None)), (Decision::Deny, vec!["posting-ok".into()]));
    // An undecided deny that a higher tier's permission beats cannot win: allow.
    let tiered = GENERAL
        .replace("conflicts most_specific", "conflicts most_specific priorities brand > general")
        .replace("then allow }", "then allow priority brand }")
        .replace("then deny }", "then deny priority general }");
    assert_eq!(decide(&tiered, &post("linkedin", None)), (Decision::Allow, vec!["posting-ok".into()]));
    // Under `most_restrictive` the same undecided deny holds the general allow back too.
    let plain = GENERAL.replace("most_specific", "most_restrictive");
    assert_eq!(decide(&plain, &post("linkedin", None)).0, Decision::Indeterminate);
}

/// Neither clause more specific (one names a channel, the other a team):
/// a tie, settled by the most restrictive outcome, and the explanation says so.
#[test]
fn ties_fall_back_to_the_most_restrictive() {
    let text = "policy \"p\" default allow conflicts most_specific\n\nteams marketing\n\n\
        rule general { when action = post then require approval from manager }\n\n\
        rule linkedin-no { when action = post and channel = linkedin then deny }\n\n\
        rule marketing-ok { when action = post and actor.team = marketing then allow }\n\nroles consultant, manager\n";
    // Both narrower than `general`, neither narrower than the other: deny wins among them.
    assert_eq!(decide(text, &post("linkedin", Some(false))), (Decision::Deny, vec!["linkedin-no".into()]));
    // On Twitter only the team's permission is narrower than the general clause: allow.
    assert_eq!(decide(text, &post("twitter", Some(false))), (Decision::Allow, vec!["marketing-ok".into()]));
    std::fs::create_dir_all(crate::util::root().join("target/lang_precedence")).unwrap();
    let path = crate::util::root().join("target/lang_precedence/tie.policy");
    std::fs::write(&path, text).unwrap();
    let out = stdout(&run_stdin(&["eval", path.to_str().unwrap(), "-"], &post("linkedin", Some(false))));
    assert!(
        out.contains("`linkedin-no` is more restrictive than `marketing-ok`, and neither outranks the other"),
        "{out}"
    );
    assert!(out.contains("`linkedin-no` is more specific than `general` (channel: linkedin rather than any)"), "{out}");
}

/// What `check` says about tiers and about `most_specific` that settles nothing.
#[test]
fn check_reports_tiers_named_twice_unknown_or_unused_and_a_most_specific_that_changes_nothing() {
    let base = "policy \"p\" default allow\n  priorities legal > brand > legal\n\n\
        rule a { when action = post and content.confidential then deny priority legal }\n\n\
        rule b { when action = post then allow priority legl }\n";
    let c = codes(base);
    assert!(c.contains(&"duplicate-priority".to_string()), "{c:?}");
    assert!(c.contains(&"unknown-priority".to_string()), "{c:?}");
    assert!(c.contains(&"unused-priority".to_string()), "{c:?}");
    let file = SourceFile::new("p.policy", base);
    let (_, report) = smpolicy::check::check_source(&file).unwrap();
    let unknown = report.diagnostics.iter().find(|d| d.code == "unknown-priority").unwrap();
    assert_eq!(unknown.help.as_deref(), Some("did you mean `legal`?"));
    // A `priority` with no tiers in the header.
    let none = "policy \"p\" default allow\n\nrule a { when action = post then deny priority legal }\n";
    let c = codes(none);
    assert_eq!(c, ["unknown-priority"], "{c:?}");
    // `most_specific` where no clause is narrower than another it disagrees with.
    let flat = "policy \"p\" default allow conflicts most_specific\n\n\
        rule a { when action = post and channel = twitter then deny }\n\n\
        rule b { when action = post and channel = linkedin then allow }\n";
    assert_eq!(codes(flat), ["most-specific-unused"]);
    assert!(codes(GENERAL).is_empty(), "{:?}", codes(GENERAL));
}

/// `fmt` writes the new header settings and the modifier canonically, and the
/// result means the same.
#[test]
fn fmt_writes_priorities_and_most_specific() {
    let out = stdout(&run_stdin(
        &["fmt", "-"],
        "policy \"p\" priorities legal>brand conflicts most_specific default allow\nrule a { priority legal when action = post then deny }\n",
    ));
    assert_eq!(
        out,
        "policy \"p\"\n  default allow\n  conflicts most_specific\n  priorities legal > brand\n\nrule a {\n  when action = post\n  then deny\n  priority legal\n}\n"
    );
}

/// The diff finds where switching a policy to `most_specific` changes verdicts:
/// the teams' permission now wins over the general prohibition.
#[test]
fn diff_finds_what_most_specific_changes() {
    let new = crate::util::root().join(PUBLISHED);
    let text = std::fs::read_to_string(&new).unwrap().replace("  conflicts most_specific\n", "");
    std::fs::create_dir_all(crate::util::root().join("target/lang_precedence")).unwrap();
    let old = crate::util::root().join("target/lang_precedence/most-restrictive.policy");
    std::fs::write(&old, text).unwrap();
    let o = run(&["diff", old.to_str().unwrap(), new.to_str().unwrap(), "--format", "json"]);
    let rep: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)));
    let changes = rep["changes"].as_array().unwrap();
    assert!(
        changes.iter().any(|c| c["old"]["verdict"] == "deny" && c["new"]["verdict"] == "allow"),
        "{}",
        serde_json::to_string_pretty(&rep).unwrap()
    );
    // Under either precedence, a confidential post stays refused: no change reaches it.
    let confidential = MARKETING.replace(r#""confidential":false"#, r#""confidential":true"#);
    for p in [old.to_str().unwrap(), new.to_str().unwrap()] {
        let text = stdout(&run_stdin(&["eval", p, "-"], &confidential));
        assert!(text.starts_with("verdict: deny"), "{text}");
    }
}

/// `compare` tells a candidate how each employer settles clauses that disagree: the published handbook's
/// most specific clause and its named tiers, beside a policy that says nothing (the most restrictive).
#[test]
fn compare_says_what_decides_when_clauses_disagree() {
    let out = run(&[
        "compare",
        "tests/cases/published/precedence-handbook.policy",
        "policies/trusting-agency.policy",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let said: Vec<&str> =
        json["profiles"].as_array().unwrap().iter().map(|p| p["defaults"]["conflicts"].as_str().unwrap()).collect();
    assert!(said[0].starts_with("the most specific clause decides"), "{said:?}");
    assert!(said[0].ends_with("clauses ranked legal > business come first"), "{said:?}");
    assert_eq!(said[1], "the most restrictive clause decides");
    let text = stdout(&run(&[
        "compare",
        "tests/cases/published/precedence-handbook.policy",
        "policies/trusting-agency.policy",
    ]));
    assert!(text.contains("when clauses disagree"), "{text}");
}
