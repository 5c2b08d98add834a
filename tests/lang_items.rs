//! Many items in one action (issue #14, concept 10): an export of contacts of
//! mixed provenance (`contacts: [{count: 800, origin: agency_database},
//! {count: 300, origin: before_employment}, ...]`) decided group by group,
//! with a verdict per group and overall.
//!
//! The published texts: ETN Training's "You're Stealing Our Contacts!" (the
//! joiner snapshot stays the consultant's; what was made while employed is
//! given up) and Lotus HR's "Social media and company contacts
//! post-termination" (business contacts made in employment are the company's;
//! a leaver keeps no copy), paraphrased in
//! tests/cases/published/leaver-contacts.policy.

use crate::compile::{load, Loaded};
use crate::util::{run, run_stdin, stderr, stdout};
use proptest::prelude::*;
use serde_json::{json, Value as Json};
use smpolicy::data::action::{parse_action_json_line, Action};
use smpolicy::eval::items::combine;
use smpolicy::eval::{evaluate, Decision, EvalOptions};
use smpolicy::source::SourceFile;
use std::sync::OnceLock;

const PUBLISHED: &str = "tests/cases/published/leaver-contacts.policy";

fn now() -> jiff::Timestamp {
    "2026-03-16T09:00:00Z".parse().unwrap()
}

/// A leaver on notice exporting `contacts` (JSON) on 14 March 2026.
fn export(contacts: Json) -> String {
    json!({"action": "export", "at": "2026-03-14T10:00:00Z",
           "actor": {"id": "ann", "role": "consultant", "status": "on_notice", "employed_since": "2023-01-09"},
           "contacts": contacts})
    .to_string()
}

fn mixed() -> String {
    export(json!([
        {"count": 800, "origin": "agency_database"},
        {"count": 300, "origin": "before_employment"},
        {"count": 100, "origin": "employment"}
    ]))
}

/// Every case of the published policy, in the interpreter (`test`, each
/// group's verdict too) and in the compiled form (`eval --batch`, each
/// group's record too), and the file is as `fmt` writes it.
#[test]
fn the_published_policy_holds_its_cases_in_both_engines() {
    crate::util::published_cases_hold_in_both_engines("leaver-contacts");
}

/// The text explanation: the whole verdict, a line per group, then each
/// group's own explanation (clause, facts) as a one-group action gets it.
#[test]
fn mixed_provenance_text_explanation() {
    let o = run_stdin(&["eval", PUBLISHED, "-"], &mixed());
    assert_eq!(o.status.code(), Some(2), "a deny exits 2: {}", stderr(&o));
    let text = stdout(&o);
    insta::assert_snapshot!(text);
}

/// The JSON: the whole verdict with `basis: groups` naming the deciding
/// groups, and `groups`, each a full verdict of its own.
#[test]
fn mixed_provenance_json() {
    let o = run_stdin(&["eval", PUBLISHED, "-", "--format", "json"], &mixed());
    let v: Json = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["verdict"], "deny");
    assert_eq!(v["basis"], json!({"kind": "groups", "groups": [0, 2]}));
    let verdicts: Vec<&Json> = v["groups"].as_array().unwrap().iter().map(|g| &g["verdict"]["verdict"]).collect();
    assert_eq!(verdicts, ["deny", "allow", "deny"]);
    assert_eq!(v["groups"][1]["verdict"]["deciding"], json!(["joiner-snapshot"]));
    assert_eq!(v["groups"][1]["contacts"], json!({"count": 300, "origin": "before_employment"}));
    insta::assert_json_snapshot!(v);
}

/// Markdown has the same parts: the whole, the list of groups, each group
/// under its own heading with its own headings one level down.
#[test]
fn mixed_provenance_markdown() {
    let md = stdout(&run_stdin(&["eval", PUBLISHED, "-", "--format", "markdown"], &mixed()));
    assert!(md.starts_with("## Verdict: **deny**"), "{md}");
    assert!(md.contains("### Groups (each decided on its own, as if it were the only one)"), "{md}");
    // `]` before `:` is escaped (`src/markdown.rs`: it could end a link's label); rendered, it reads `contacts[1]:`.
    assert!(md.contains("- contacts[1\\]: 300 contacts made before employment: **allow**"), "{md}");
    assert!(md.contains("### Group contacts[0\\]: 800 contacts from the agency's database"), "{md}");
    assert!(md.contains("#### Verdict: **deny**"), "{md}");
    assert!(md.contains("##### Decided by"), "{md}");
}

/// A one-group action is decided and written exactly as before, whether the
/// group is written as an object or as a list of one.
#[test]
fn one_group_output_is_unchanged() {
    let object = export(json!({"count": 300, "origin": "before_employment"}));
    let list = export(json!([{"count": 300, "origin": "before_employment"}]));
    for format in ["text", "json", "markdown"] {
        let a = stdout(&run_stdin(&["eval", PUBLISHED, "-", "--format", format], &object));
        let b = stdout(&run_stdin(&["eval", PUBLISHED, "-", "--format", format], &list));
        assert_eq!(a, b, "{format}");
        assert!(!a.contains("groups"), "{format}: {a}");
    }
}

/// A group that lacks the fact a clause needs is indeterminate on its own;
/// the other groups keep their own verdicts; the whole is at least as strict
/// as every group (indeterminate unless a group is refused).
#[test]
fn a_group_not_given_its_origin_is_indeterminate_alone() {
    let v = json_of(&export(json!([{"count": 300, "origin": "before_employment"}, {"count": 40}])));
    assert_eq!(v["verdict"], "indeterminate", "{v}");
    assert_eq!(v["groups"][0]["verdict"]["verdict"], "allow", "{v}");
    assert_eq!(v["groups"][0]["verdict"]["missing"], json!([]), "{v}");
    assert_eq!(v["groups"][1]["verdict"]["verdict"], "indeterminate", "{v}");
    assert_eq!(v["groups"][1]["verdict"]["missing"], json!(["contacts.origin"]), "{v}");
    assert_eq!(v["missing"], json!(["contacts.origin"]), "{v}");
    assert_eq!(v["basis"]["groups"], json!([1]), "{v}");
    // Beside a refused group, the whole is refused.
    let v = json_of(&export(json!([{"count": 40}, {"count": 800, "origin": "agency_database"}])));
    assert_eq!(v["verdict"], "deny", "{v}");
    assert_eq!(v["groups"][0]["verdict"]["verdict"], "indeterminate", "{v}");
    assert_eq!(v["basis"]["groups"], json!([1]), "{v}");
}

fn json_of(action: &str) -> Json {
    serde_json::from_str(&stdout(&run_stdin(&["eval", PUBLISHED, "-", "--format", "json"], action))).unwrap()
}

/// An empty list of groups is an error naming `contacts`, never a verdict:
/// in `eval`, in a batch (an error record, the run goes on) and in a test file.
#[test]
fn an_empty_list_of_groups_is_an_error_never_an_allow() {
    let empty = export(json!([]));
    let o = run_stdin(&["eval", PUBLISHED, "-"], &empty);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    let e = stderr(&o);
    assert!(e.contains("contacts: an empty list of contact groups"), "{e}");
    let o = run_stdin(&["eval", "--batch", PUBLISHED, "-"], &format!("{empty}\n{}\n", mixed()));
    let lines: Vec<Json> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0]["error"]["path"], "contacts", "{lines:?}");
    assert!(lines[0].get("verdict").is_none(), "{lines:?}");
    assert_eq!(lines[1]["verdict"], "deny", "{lines:?}");
    let err = parse_action_json_line(&empty).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("contacts: an empty list"), "{err}");
}

/// A bad value in a group names the group: `contacts[1].origin`.
#[test]
fn a_bad_group_is_named_by_its_place() {
    let bad = export(json!([{"count": 800, "origin": "agency_database"}, {"count": 3, "origin": "befor_employment"}]));
    let o = run_stdin(&["eval", PUBLISHED, "-"], &bad);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("contacts[1].origin: expected one of before_employment, employment, agency_database"), "{e}");
    assert!(e.contains("did you mean \"before_employment\"?"), "{e}");
    let o = run_stdin(&["eval", "--batch", PUBLISHED, "-"], &bad);
    let rec: Json = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(rec["error"]["path"], "contacts[1].origin", "{rec}");
}

/// `expect: {verdict, groups}` in a test file: checked per group, reported
/// when it fails, and a count of groups that is not the action's is an error
/// naming `[0].expect.groups`.
#[test]
fn test_files_expect_a_verdict_per_group() {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("smpolicy-items-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let case = |expect: &str| {
        format!(
            "- name: mixed\n  action: {}\n  expect: {expect}\n",
            serde_json::to_string(&serde_json::from_str::<Json>(&mixed()).unwrap()).unwrap()
        )
    };
    let path = dir.join("t.yaml");
    let p = path.to_str().unwrap();
    std::fs::write(&path, case("{verdict: deny, groups: [deny, deny, deny]}")).unwrap();
    let o = run(&["test", PUBLISHED, p]);
    assert_ne!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("expected: deny; groups [deny, deny, deny]"), "{out}");
    assert!(out.contains("; groups [deny, allow, deny]"), "{out}");
    std::fs::write(&path, case("{verdict: deny, groups: [deny, allow]}")).unwrap();
    let o = run(&["test", PUBLISHED, p]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("[0].expect.groups: expected 3 verdicts, one per group of `contacts`; found 2"),
        "{}",
        stderr(&o)
    );
    std::fs::write(&path, case("{verdict: deny, groups: [deny, allow, deny]}")).unwrap();
    assert_eq!(run(&["test", PUBLISHED, p]).status.code(), Some(0));
    std::fs::write(&path, case("deny")).unwrap();
    assert_eq!(run(&["test", PUBLISHED, p]).status.code(), Some(0));
}

// ───────────── both engines, and the whole as the combining of its groups ─────────────

fn policies() -> &'static [Loaded] {
    static P: OnceLock<Vec<Loaded>> = OnceLock::new();
    P.get_or_init(|| {
        let mut files = crate::util::all_policies();
        let text = std::fs::read_to_string(crate::util::root().join(PUBLISHED)).unwrap();
        files.push(SourceFile::new(PUBLISHED, text.as_str()));
        files.into_iter().map(load).collect()
    })
}

/// One group: any origin or none, any count or none.
fn group() -> impl Strategy<Value = Json> {
    let origin = prop_oneof![
        Just(None),
        Just(Some("before_employment")),
        Just(Some("employment")),
        Just(Some("agency_database"))
    ];
    (origin, proptest::option::of(0u32..2000)).prop_map(|(o, n)| {
        let mut g = serde_json::Map::new();
        if let Some(n) = n {
            g.insert("count".into(), json!(n));
        }
        if let Some(o) = o {
            g.insert("origin".into(), json!(o));
        }
        Json::Object(g)
    })
}

/// An action about 2 to 5 groups: an export, a departure or a hand-over, by
/// an employee, a leaver on notice or one who has left, with or without an
/// approval on file.
fn many_group_action() -> impl Strategy<Value = Action> {
    let kind = prop_oneof![Just("export"), Just("depart"), Just("hand_over")];
    let status = prop_oneof![Just("employed"), Just("on_notice"), Just("departed")];
    let approval = prop_oneof![Just(None), Just(Some("manager")), Just(Some("compliance"))];
    (kind, status, approval, proptest::collection::vec(group(), 2..=5)).prop_map(|(k, s, a, groups)| {
        let mut actor = json!({"id": "ann", "role": "consultant", "status": s, "employed_since": "2023-01-09"});
        if s == "departed" {
            actor["departed_on"] = json!("2026-02-27");
        }
        let mut v = json!({"action": k, "at": "2026-03-14T10:00:00Z", "actor": actor, "contacts": groups});
        if let Some(by) = a {
            v["approval"] = json!({"granted_by": by});
        }
        parse_action_json_line(&v.to_string()).unwrap()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Under every shipped, scenario and published policy: the whole verdict
    /// is the combining of the groups' verdicts, each decided alone as a
    /// one-group action; each group in the whole verdict is that one-group
    /// verdict; and the compiled form (`decide_items`, what `eval --batch`
    /// and the service's short answer use) gives the same whole and per-group
    /// verdicts, approvers and deciding clauses as the interpreter.
    #[test]
    fn the_whole_is_the_combining_of_its_groups_in_both_engines(a in many_group_action()) {
        let opts = EvalOptions { now: now() };
        let groups = a.group_actions().unwrap();
        for l in policies() {
            let whole = evaluate(&l.policy, &l.file, &a, &opts);
            let alone: Vec<smpolicy::eval::Verdict> =
                groups.iter().map(|g| evaluate(&l.policy, &l.file, g, &opts)).collect();
            let here = || format!("{}: {}", l.file.name, serde_json::to_string(&a).unwrap());
            prop_assert_eq!(whole.verdict, combine(alone.iter().map(|v| v.verdict)), "{}", here());
            prop_assert_eq!(whole.groups.len(), alone.len());
            for (g, v) in whole.groups.iter().zip(&alone) {
                prop_assert_eq!(&g.verdict, v, "{}", here());
            }
            // At least as strict as every group (indeterminate counted as strict as a deny).
            let strictness = |d: Decision| match d {
                Decision::Allow => 0,
                Decision::RequireApproval => 1,
                Decision::Deny | Decision::Indeterminate => 2,
            };
            if whole.verdict != Decision::Deny {
                prop_assert!(alone.iter().all(|v| strictness(v.verdict) <= strictness(whole.verdict)), "{}", here());
            }
            let d = l.compiled.decide_items(&groups, now());
            prop_assert_eq!(d.whole.verdict, whole.verdict, "{}", here());
            prop_assert_eq!(&d.whole.deciding, &whole.deciding.iter().map(String::as_str).collect::<Vec<_>>(), "{}", here());
            prop_assert_eq!(&d.whole.approvers, &whole.approvers.iter().map(String::as_str).collect::<Vec<_>>(), "{}", here());
            prop_assert_eq!(d.obligations(), whole.obligations.clone(), "{}", here());
            for (c, v) in d.groups.iter().zip(&alone) {
                prop_assert_eq!(c.outcome.verdict, v.verdict, "{}", here());
                prop_assert_eq!(&c.outcome.deciding, &v.deciding.iter().map(String::as_str).collect::<Vec<_>>(), "{}", here());
            }
        }
    }
}

/// The combining table, stated: one refused group refuses the whole; an
/// indeterminate group holds back a whole that would otherwise be allowed or
/// need approval, not one already refused; approval beats allow.
#[test]
fn the_combining_table() {
    use Decision::*;
    let cases = [
        (vec![Allow, Allow], Allow),
        (vec![Allow, RequireApproval], RequireApproval),
        (vec![Allow, Deny, RequireApproval], Deny),
        (vec![Allow, Indeterminate], Indeterminate),
        (vec![RequireApproval, Indeterminate], Indeterminate),
        (vec![Indeterminate, Deny], Deny),
        (vec![Indeterminate, Indeterminate], Indeterminate),
    ];
    for (groups, whole) in cases {
        assert_eq!(combine(groups.clone()), whole, "{groups:?}");
    }
}

/// `/v1/decide` answers a many-group action with its groups, explained and
/// short (the compiled form), and the audit log keeps the whole verdict with
/// the action as sent, groups and all.
#[cfg(feature = "server")]
#[test]
fn the_service_answers_with_groups_and_logs_the_whole() {
    use crate::serve::{log_json, one_policy, Server};
    let text = std::fs::read_to_string(crate::util::root().join(PUBLISHED)).unwrap();
    let dir = one_policy(&text);
    let log = dir.join("log.sqlite");
    let l = log.to_str().unwrap();
    let s = Server::start(&dir, l, &[]);
    let action: Json = serde_json::from_str(&mixed()).unwrap();
    let body = json!({"policy": "t", "action": action}).to_string();
    let (status, v) = s.post("/v1/decide", &body);
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["verdict"], "deny", "{v}");
    let each: Vec<&Json> = v["groups"].as_array().unwrap().iter().map(|g| &g["verdict"]["verdict"]).collect();
    assert_eq!(each, ["deny", "allow", "deny"], "{v}");
    let (status, short) = s.post("/v1/decide?explain=false", &body);
    assert_eq!(status, 200, "{short}");
    assert_eq!(short["verdict"], "deny", "{short}");
    let each: Vec<&Json> = short["groups"].as_array().unwrap().iter().map(|g| &g["verdict"]).collect();
    assert_eq!(each, ["deny", "allow", "deny"], "{short}");
    assert_eq!(short["deciding"], v["deciding"], "{short} {v}");
    // An empty list of groups: a 400 naming the field, never a decision (nothing logged).
    let mut empty = action.clone();
    empty["contacts"] = json!([]);
    let (status, e) = s.post("/v1/decide", &json!({"policy": "t", "action": empty}).to_string());
    assert_eq!((status, e["error"]["path"].as_str()), (400, Some("action.contacts")), "{e}");
    let logged = log_json(l, None);
    assert_eq!(logged.len(), 2, "{logged:?}");
    for e in &logged {
        assert_eq!(e["verdict"], "deny", "{e}");
        assert!(e.to_string().contains("before_employment"), "the groups as sent: {e}");
    }
}
