//! Approvals as people give them (issue #14, concept 3): several approvers
//! together (`require approval from all of {legal, marketing}`), the client's
//! and the candidate's consent with its day, standing approvals (until a day,
//! for some channels) shown as on file but not counted once they no longer
//! reach the action, and who recorded an approval beside who gave it. Both
//! engines, `fmt`, `check`, the data reader, the diff and the service.
//!
//! The published texts: a UK recruiter's candidate-data notice
//! (fillyourjob.com, https://fillyourjob.com/?p=2277) and PRWeek's "Updating
//! social media policies: the letter and spirit of the law" (Michael Lasky,
//! http://www.prweek.com/article/1307115/), both read in December 2026 and
//! paraphrased in tests/cases/published/agency-approvals.policy.

use crate::util::{run, run_stdin, stderr, stdout};
use serde_json::{json, Value};

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

const PUBLISHED: &str = "tests/cases/published/agency-approvals.policy";

/// Every case of the published policy, in the interpreter (`test`) and in the
/// compiled form (`eval --batch`), and the file is as `fmt` writes it.
#[test]
fn the_published_policy_holds_its_cases_in_both_engines() {
    crate::util::published_cases_hold_in_both_engines("agency-approvals");
}

const CLIENT_POST: &str = r#"{"action":"post","at":"2026-03-02T10:00:00Z","actor":{"id":"ann","role":"consultant","status":"employed"},"channel":"twitter","account":{"kind":"personal"},"content":{"kind":"job_ad","names_client":true}"#;

fn explain(approval: &str) -> String {
    let action = format!(r#"{CLIENT_POST},"approval":{approval}}}"#);
    let o = run_stdin(&["eval", PUBLISHED, "-"], &action);
    stdout(&o)
}

/// The explanation shows an approval on file that does not count, with why,
/// and who is still missing; who recorded a consent is shown beside who gave it.
#[test]
fn an_approval_on_file_that_does_not_count_is_shown_with_why() {
    let out = explain(
        r#"[{"granted_by":"account_director","given_on":"2026-01-05","until":"2026-06-30","channels":["linkedin"]},{"granted_by":"client","given_on":"2026-01-05","recorded_by":"account_director"}]"#,
    );
    assert!(out.contains("verdict: require-approval (from all of {account_director, client})"), "{out}");
    assert!(
        out.contains(
            "an approval by account_director, given on 2026-01-05, standing until 2026-06-30, for linkedin is on file but not counted: it covers linkedin only, not twitter"
        ),
        "{out}"
    );
    assert!(
        out.contains("an approval by client, given on 2026-01-05, recorded by account_director is on file"),
        "{out}"
    );
    assert!(out.contains("still missing: account_director"), "{out}");

    let out = explain(r#"{"granted_by":"account_director","until":"2026-02-28"}"#);
    assert!(out.contains("is on file but not counted: it ended on 2026-02-28, before the action's day"), "{out}");
    let out = explain(r#"{"granted_by":"client"}"#);
    assert!(out.contains("is consent from an external party without the day it was given (`given_on`)"), "{out}");
    let out = explain(r#"{"granted_by":"client","given_on":"2026-03-03"}"#);
    assert!(out.contains("was given on 2026-03-03, after the action's day"), "{out}");

    // Met: both named, with what each approval says.
    let out = explain(
        r#"[{"granted_by":"account_director"},{"granted_by":"client","given_on":"2026-03-01","recorded_by":"account_director"}]"#,
    );
    assert!(out.starts_with("verdict: allow"), "{out}");
    assert!(
        out.contains("approval already granted by account_director and client, given on 2026-03-01, recorded by account_director"),
        "{out}"
    );
}

/// `all of` and external parties through `check` and `fmt`: the parties need
/// no declaration, other approvers do; `fmt` writes the form back.
#[test]
fn all_of_reads_checks_and_formats() {
    let dir = std::env::temp_dir().join(format!("smpolicy-approvals-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("a.policy");
    std::fs::write(
        &p,
        "policy \"A\" default allow\nroles consultant, legal, marketing\nrule r \"Both.\" {\n  when action = post\n  then require approval from all of {legal,marketing,   candidate}\n}\n",
    )
    .unwrap();
    let o = run(&["check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let o = run_stdin(&["fmt", "-"], &std::fs::read_to_string(&p).unwrap());
    assert!(stdout(&o).contains("then require approval from all of {legal, marketing, candidate}"), "{}", stdout(&o));
    std::fs::write(
        &p,
        "policy \"A\" default allow\nroles consultant, legal\nrule r \"Both.\" {\n  when action = post\n  then require approval from all of {legal, marketting}\n}\n",
    )
    .unwrap();
    let o = run(&["check", p.to_str().unwrap()]);
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("marketting"), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The data reader takes one approval or a list, and names the item in error.
#[test]
fn a_list_of_approvals_reads_and_its_errors_name_the_item() {
    let bad = format!(
        r#"{CLIENT_POST},"approval":[{{"granted_by":"client","given_on":"2026-03-01"}},{{"granted_by":"acount_director"}}]}}"#
    );
    let o = run_stdin(&["eval", PUBLISHED, "-"], &bad);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stderr(&o).contains("approval[1].granted_by"), "{}", stderr(&o));
    let bad = format!(r#"{CLIENT_POST},"approval":{{"granted_by":"client","given_on":"March"}}}}"#);
    let o = run_stdin(&["eval", PUBLISHED, "-"], &bad);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stderr(&o).contains("given_on"), "{}", stderr(&o));
    // In a batch too: the bad line is an error record, the good ones decided.
    let good = format!(
        r#"{CLIENT_POST},"approval":[{{"granted_by":"account_director"}},{{"granted_by":"client","given_on":"2026-03-01"}}]}}"#
    );
    let o = run_stdin(&["eval", "--batch", PUBLISHED, "-"], &format!("{good}\n{bad}\n"));
    let lines: Vec<Value> = stdout(&o).lines().map(json).collect();
    assert_eq!(lines[0]["verdict"], "allow", "{}", stdout(&o));
    assert!(lines[1]["error"].to_string().contains("given_on"), "{}", stdout(&o));
}

/// The diff reads one approval: an `all of` two roles is never met by one, and
/// an external party's undated consent never counts; `any` is met by each role.
#[test]
fn the_diff_splits_on_the_approvals_one_plain_approval_can_meet() {
    let dir = std::env::temp_dir().join(format!("smpolicy-approvals-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let head = "policy \"A\" default allow\nroles consultant, legal, marketing\nrule r \"Sign-off.\" {\n  when action = post\n  then require approval from ";
    let write = |name: &str, who: &str| {
        let p = dir.join(name);
        std::fs::write(&p, format!("{head}{who}\n}}\n")).unwrap();
        p.to_str().unwrap().to_string()
    };
    let any = write("any.policy", "legal or marketing");
    let all = write("all.policy", "all of {legal, marketing}");
    let o = run(&["diff", &any, &all, "--format", "json"]);
    let v = json(&stdout(&o));
    let text = v.to_string();
    // Where legal (or marketing) alone approved: allowed before, waiting after.
    assert!(text.contains("legal") && text.contains("require-approval"), "{text}");
    let o = run(&["diff", &all, &all, "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(feature = "server")]
mod service {
    use super::*;
    use crate::serve::{one_policy, tokens_file, Server};

    /// Through the service, an `all of` is approved in parts: legal's approval
    /// is recorded as a part (the decision still needs marketing), marketing's
    /// completes it; the asking token cannot approve, and one token records
    /// one approval (naming another role does not let it fill both parts).
    #[test]
    fn all_of_is_approved_in_parts_by_different_tokens() {
        let policy = "policy \"t\" default allow\n\nroles legal, marketing, consultant\n\nposting on youtube {\n  brand-videos: require approval from all of {legal, marketing} for brand\n}\n";
        let dir = one_policy(policy);
        let log = dir.join("log.sqlite");
        let tokens = tokens_file(
            &dir,
            &[
                ("tool", "tool-secret", &["decide", "perform", "approve"]),
                ("lawyer", "lawyer-secret", &["approve"]),
                ("brand", "brand-secret", &["approve"]),
            ],
        );
        let s = Server::start(&dir, log.to_str().unwrap(), &["--tokens", tokens.to_str().unwrap()]);
        let action = json!({"action": "post", "actor": {"id": "yu", "role": "consultant", "status": "employed"},
            "channel": "youtube", "content": {"kind": "brand"}});
        let (status, v) =
            s.post_as(Some("tool-secret"), "/v1/decide", &json!({"policy": "t", "action": action}).to_string());
        assert_eq!((status, v["verdict"].as_str()), (200, Some("require-approval")), "{v}");
        let id = v["decision_id"].clone();
        let approve = |token: &str, role: &str| {
            s.post_as(Some(token), "/v1/approve", &json!({"decision_id": id, "role": role}).to_string())
        };
        // The token that asked cannot approve (#17).
        assert_eq!(approve("tool-secret", "legal").0, 403);
        // A part: recorded, still waiting.
        let (status, a) = approve("lawyer-secret", "legal");
        assert_eq!((status, a["verdict"].as_str()), (201, Some("require-approval")), "{a}");
        // Not yet performable.
        let (status, p) = s.post_as(Some("tool-secret"), "/v1/performed", &json!({"decision_id": id}).to_string());
        assert_eq!(status, 409, "{p}");
        // The same token cannot give the other part as well, nor anyone legal's again.
        assert_eq!(approve("lawyer-secret", "marketing").0, 403);
        assert_eq!(approve("brand-secret", "legal").0, 409);
        // Marketing completes it.
        let (status, a) = approve("brand-secret", "marketing");
        assert_eq!((status, a["verdict"].as_str()), (201, Some("allow")), "{a}");
        let (status, p) = s.post_as(Some("tool-secret"), "/v1/performed", &json!({"decision_id": id}).to_string());
        assert_eq!(status, 201, "{p}");
    }

    /// A candidate's consent recorded through the service counts only with its day.
    #[test]
    fn consent_recorded_through_the_service_needs_its_day() {
        let policy = "policy \"t\" default allow\n\nroles consultant\n\nrule intro \"Consent first.\" {\n  when action = message and content.candidate_personal_data\n  then require approval from candidate\n}\n";
        let dir = one_policy(policy);
        let log = dir.join("log.sqlite");
        let tokens = tokens_file(
            &dir,
            &[("tool", "tool-secret", &["decide", "perform"]), ("desk", "desk-secret", &["approve"])],
        );
        let s = Server::start(&dir, log.to_str().unwrap(), &["--tokens", tokens.to_str().unwrap()]);
        let action = json!({"action": "message", "at": "2026-03-02T10:00:00Z",
            "actor": {"id": "yu", "role": "consultant", "status": "employed"},
            "channel": "email", "content": {"candidate_personal_data": true}});
        let (status, v) =
            s.post_as(Some("tool-secret"), "/v1/decide", &json!({"policy": "t", "action": action}).to_string());
        assert_eq!((status, v["verdict"].as_str()), (200, Some("require-approval")), "{v}");
        let id = v["decision_id"].clone();
        let (status, a) =
            s.post_as(Some("desk-secret"), "/v1/approve", &json!({"decision_id": id, "role": "candidate"}).to_string());
        assert_eq!(status, 403, "{a}");
        let (status, a) = s.post_as(
            Some("desk-secret"),
            "/v1/approve",
            &json!({"decision_id": id, "role": "candidate", "given_on": "2026-03-01"}).to_string(),
        );
        assert_eq!((status, a["verdict"].as_str()), (201, Some("allow")), "{a}");
    }
}

/// Without declared roles a line's plain approval is read in place by the
/// batch: an external party's undated consent is not counted there either,
/// and the dated one is, as in the interpreter.
#[test]
fn a_line_read_in_place_counts_consent_as_the_interpreter_does() {
    let dir = std::env::temp_dir().join(format!("smpolicy-approvals-flat-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("c.policy");
    std::fs::write(
        &p,
        "policy \"C\" default allow\nrule intro \"Consent first.\" {\n  when action = message\n  then require approval from candidate\n}\n",
    )
    .unwrap();
    let p = p.to_str().unwrap();
    let line = |approval: &str| {
        format!(
            r#"{{"action":"message","at":"2026-03-02T10:00:00Z","actor":{{"id":"a","role":"consultant","status":"employed"}},"channel":"email","approval":{approval}}}"#
        )
    };
    let (undated, dated) =
        (line(r#"{"granted_by":"candidate"}"#), line(r#"{"granted_by":"candidate","given_on":"2026-03-01"}"#));
    let o = run_stdin(&["eval", "--batch", p, "-"], &format!("{undated}\n{dated}\n"));
    let got: Vec<Value> = stdout(&o).lines().map(json).collect();
    assert_eq!(
        (got[0]["verdict"].as_str(), got[1]["verdict"].as_str()),
        (Some("require-approval"), Some("allow")),
        "{}",
        stdout(&o)
    );
    for (l, want) in [(&undated, "require-approval"), (&dated, "allow")] {
        let o = run_stdin(&["eval", p, "-", "--format", "json"], l);
        assert_eq!(json(&stdout(&o))["verdict"], want, "{}", stdout(&o));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
