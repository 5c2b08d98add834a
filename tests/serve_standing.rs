//! Standing approvals in the decision service (#14 in the service, #17):
//! recorded once by a token holding the approver's role, kept in the log,
//! taken by the actor's later decisions within their days and channels,
//! shown in the answer's `trusted`, and revocable. The real binary on a
//! loopback port, with the SQLite log (and PostgreSQL when one is given).

use crate::serve::{log_json, one_policy, run, Server};
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;

const POLICY: &str = "policy \"t\" default allow\n\nroles marketing, consultant\n\nposting on youtube {\n  brand-videos: require approval from marketing for brand\n}\n\nposting on linkedin {\n  brand-posts: require approval from marketing for brand\n}\n";

fn brand_post(actor: &str, channel: &str) -> Value {
    json!({"action": "post", "actor": {"id": actor, "role": "consultant", "status": "employed"},
           "channel": channel, "content": {"kind": "brand"}})
}

/// A tokens file with roles: the posting tool, the marketing lead (holds the
/// role), an approver without it, and a tool that may back-date.
fn tokens(dir: &Path) -> std::path::PathBuf {
    let t = |name: &str, secret: &str, scopes: &[&str], roles: &[&str]| json!({"name": name, "sha256": smpolicy::serve::auth::token_hash(secret), "scopes": scopes, "roles": roles});
    let list = json!({"tokens": [
        t("tool", "tool-secret", &["decide", "perform"], &[]),
        t("marketing-lead", "lead-secret", &["approve"], &["marketing"]),
        t("hr", "hr-secret", &["approve", "decide"], &["manager"]),
        t("later", "later-secret", &["decide", "backdate"], &[]),
    ]});
    let path = dir.join("tokens.json");
    std::fs::write(&path, list.to_string()).unwrap();
    path
}

fn start(dir: &Path, log: &str) -> Server {
    let tokens = tokens(dir);
    let mut s = Server::start(dir, log, &["--tokens", tokens.to_str().unwrap(), "--backdate-skew-s", "259200"]);
    s.token = Some("tool-secret".into());
    s
}

fn decide(s: &Server, token: &str, action: &Value, explain: bool) -> Value {
    let path = if explain { "/v1/decide" } else { "/v1/decide?explain=false" };
    let (status, v) = s.post_as(Some(token), path, &json!({"policy": "t", "action": action}).to_string());
    assert_eq!(status, 200, "{v}");
    v
}

fn today() -> jiff::civil::Date {
    jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date()
}

/// Records, uses, scopes and revokes a standing approval on the log at `log`.
fn scenario(dir: &Path, log: &str, actor: &str) {
    let s = start(dir, log);
    let other = format!("{actor}-other");
    // Nothing on file: the brand video needs marketing's approval; an approval sent in the action is ignored.
    let mut a = brand_post(actor, "youtube");
    a["approval"] = json!([{"granted_by": "marketing", "until": "2099-01-01"}]);
    let v = decide(&s, "tool-secret", &a, true);
    assert_eq!((v["verdict"].as_str(), &v["trusted"]["ignored"]), (Some("require-approval"), &json!(["approval"])));
    assert!(v["trusted"].get("standing_approvals").is_none(), "{v}");

    let until = today().checked_add(jiff::Span::new().days(30)).unwrap();
    let body = json!({"actor": format!(" {} ", actor.to_uppercase()), "role": "marketing", "until": until.to_string(),
                      "channels": ["youtube"]})
    .to_string();
    // A token without the role, or without the approve scope, cannot record it.
    let (status, v) = s.post_as(Some("hr-secret"), "/v1/standing-approvals", &body);
    assert_eq!((status, v["error"]["path"].as_str()), (403, Some("role")), "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("does not hold the role `marketing`"), "{v}");
    let (status, v) = s.post_as(Some("tool-secret"), "/v1/standing-approvals", &body);
    assert_eq!((status, v["error"]["path"].as_str()), (403, Some("header.authorization")), "{v}");
    // Already ended, or without an end: refused.
    let ended = json!({"actor": actor, "role": "marketing", "until": "2020-01-01"}).to_string();
    let (status, v) = s.post_as(Some("lead-secret"), "/v1/standing-approvals", &ended);
    assert_eq!((status, v["error"]["path"].as_str()), (422, Some("until")), "{v}");
    let endless = json!({"actor": actor, "role": "marketing"}).to_string();
    let (status, v) = s.post_as(Some("lead-secret"), "/v1/standing-approvals", &endless);
    assert_eq!(status, 400, "{v}");
    // The marketing lead records it once.
    let (status, v) = s.post_as(Some("lead-secret"), "/v1/standing-approvals", &body);
    assert_eq!(status, 201, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    assert_eq!(v["actor"], actor);
    assert_eq!(
        v["approval"],
        json!({"granted_by": "marketing", "recorded_by": "marketing-lead", "given_on": today().to_string(),
               "until": until.to_string(), "channels": ["youtube"]})
    );
    let words =
        format!("standing approval recorded by marketing-lead on {}: marketing until {until}, for youtube", today());
    assert_eq!(v["words"], words);

    // Every later decision of the actor on YouTube takes it, full and short answers alike.
    for explain in [true, false] {
        let v = decide(&s, "tool-secret", &brand_post(actor, "youtube"), explain);
        assert_eq!(v["verdict"], "allow", "{v}");
        assert_eq!(v["trusted"]["standing_approvals"], json!([{"id": id, "words": words, "counts": true}]), "{v}");
    }
    let v = decide(&s, "tool-secret", &brand_post(actor, "youtube"), true);
    let (status, p) = s.post("/v1/performed", &json!({"decision_id": v["decision_id"]}).to_string());
    assert_eq!((status, p["trusted"]["decision"].as_str()), (201, Some("allow")), "{p}");
    // Wrong channel: shown, not counted.
    let v = decide(&s, "tool-secret", &brand_post(actor, "linkedin"), false);
    assert_eq!(v["verdict"], "require-approval", "{v}");
    assert_eq!(v["trusted"]["standing_approvals"][0]["counts"], false, "{v}");
    assert_eq!(v["trusted"]["standing_approvals"][0]["why_not"], "covers youtube only, not linkedin", "{v}");
    // Another actor: nothing on file.
    let v = decide(&s, "tool-secret", &brand_post(&other, "youtube"), false);
    assert_eq!(v["verdict"], "require-approval", "{v}");
    assert!(v["trusted"].get("standing_approvals").is_none(), "{v}");

    // Revoked: by a token holding the role only, once; later decisions no longer take it.
    let revoke = json!({"id": id}).to_string();
    let (status, v) = s.post_as(Some("hr-secret"), "/v1/standing-approvals/revoke", &revoke);
    assert_eq!((status, v["error"]["path"].as_str()), (403, Some("role")), "{v}");
    let (status, v) = s.post_as(Some("lead-secret"), "/v1/standing-approvals/revoke", &revoke);
    assert_eq!((status, v["revoked"].as_str(), v["caller"].as_str()), (201, Some(id.as_str()), Some("marketing-lead")));
    let (status, v) = s.post_as(Some("lead-secret"), "/v1/standing-approvals/revoke", &revoke);
    assert_eq!(status, 409, "{v}");
    let (status, v) =
        s.post_as(Some("lead-secret"), "/v1/standing-approvals/revoke", &json!({"id": "nope"}).to_string());
    assert_eq!((status, v["error"]["path"].as_str()), (404, Some("id")), "{v}");
    let v = decide(&s, "tool-secret", &brand_post(actor, "youtube"), true);
    assert_eq!(v["verdict"], "require-approval", "{v}");
    assert!(v["trusted"].get("standing_approvals").is_none(), "{v}");

    // The log holds the approval and its revocation, chained with the decisions.
    let kinds: Vec<Value> = log_json(log, Some(actor)).iter().map(|e| e["kind"].clone()).collect();
    assert_eq!(kinds.iter().filter(|k| *k == "standing_approval").count(), 1, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| *k == "revocation").count(), 1, "{kinds:?}");
    let (code, out, err) = run(&["log", "verify", "--log", log]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn a_standing_approval_is_recorded_once_taken_by_later_decisions_and_revoked() {
    let dir = one_policy(POLICY);
    let log = dir.join("log.sqlite");
    scenario(&dir, log.to_str().unwrap(), "ann");
}

#[test]
fn a_standing_approval_counts_up_to_its_last_day_only() {
    let dir = one_policy(POLICY);
    let log = dir.join("log.sqlite");
    let s = start(&dir, log.to_str().unwrap());
    let body = json!({"actor": "ben", "role": "marketing", "until": today().to_string()}).to_string();
    let (status, v) = s.post_as(Some("lead-secret"), "/v1/standing-approvals", &body);
    assert_eq!(status, 201, "{v}");
    // Every channel when none is named; today is its last day.
    let v = decide(&s, "later-secret", &brand_post("ben", "linkedin"), false);
    assert_eq!(v["verdict"], "allow", "{v}");
    // Two days on (a token that may back-date, within the server's skew): ended.
    let mut late = brand_post("ben", "linkedin");
    late["at"] = json!(jiff::Timestamp::now().checked_add(jiff::SignedDuration::from_hours(48)).unwrap().to_string());
    let v = decide(&s, "later-secret", &late, true);
    assert_eq!(v["verdict"], "require-approval", "{v}");
    let shown = &v["trusted"]["standing_approvals"][0];
    assert_eq!(
        (shown["counts"].as_bool(), shown["why_not"].as_str()),
        (Some(false), Some(format!("ended on {}, before the action's day", today()).as_str())),
        "{v}"
    );
}

/// Needs a PostgreSQL server (`SMPOLICY_TEST_PG_URL`), as
/// `serve::the_log_is_shared_across_replicas_needs_postgres` does.
/// `/v1/approve` (#17: approvals count only when given by a token holding the role): a
/// token whose entry lists roles approves a decision only as one of them.
#[test]
fn a_token_that_lists_roles_approves_only_as_them() {
    let dir = one_policy(POLICY);
    let log = dir.join("log.sqlite");
    let s = start(&dir, log.to_str().unwrap());
    let v = decide(&s, "tool-secret", &brand_post("cam", "linkedin"), true);
    assert_eq!(v["verdict"], "require-approval", "{v}");
    let body = json!({"decision_id": v["decision_id"], "role": "marketing"}).to_string();
    // The HR token holds `manager`, not `marketing`: refused, and nothing is recorded.
    let (status, e) = s.post_as(Some("hr-secret"), "/v1/approve", &body);
    assert_eq!((status, e["error"]["path"].as_str()), (403, Some("role")), "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("does not hold the role `marketing`"), "{e}");
    // The marketing lead holds it: recorded, and the decision is approved.
    let (status, a) = s.post_as(Some("lead-secret"), "/v1/approve", &body);
    assert_eq!(status, 201, "{a}");
}

#[test]
fn standing_approvals_on_postgres_needs_postgres() {
    let Some(url) = std::env::var("SMPOLICY_TEST_PG_URL").ok().filter(|u| !u.is_empty()) else {
        let ci = std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"));
        assert!(!ci, "SMPOLICY_TEST_PG_URL is not set under CI: .ci/run starts PostgreSQL and sets it");
        let _ = writeln!(
            std::io::stderr(),
            "skipped: serve_standing::standing_approvals_on_postgres_needs_postgres: SMPOLICY_TEST_PG_URL is not set"
        );
        return;
    };
    let dir = one_policy(POLICY);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    scenario(&dir, &url, &format!("pg-standing-{nanos}"));
}
