//! The decision service as an agency exposes it: who may ask (tokens and
//! scopes), what it trusts (its own records and clock), how it stops, what it
//! reloads, and its tamper-evident log. Each test runs the real binary on a
//! loopback port.

use crate::serve::{
    decide_and_perform, edit, log_json, one_policy, post_action, run, temp_dir, tokens_file, wait_for, Server, ALLOW,
    BIN, DENY,
};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

const APPROVAL: &str = "policy \"t\" default allow\n\nroles marketing, consultant\n\nposting on youtube {\n  brand-videos: require approval from marketing for brand\n}\n";

fn brand_video(actor: &str) -> Value {
    json!({"action": "post", "actor": {"id": actor, "role": "consultant", "status": "employed"},
           "channel": "youtube", "content": {"kind": "brand"}})
}

#[test]
fn tokens_decide_who_may_ask_and_the_caller_is_logged() {
    let dir = one_policy(ALLOW);
    let log = dir.join("log.sqlite");
    let tokens = tokens_file(
        &dir,
        &[
            ("tool", "tool-secret", &["decide", "perform"]),
            ("hr", "hr-secret", &["admin"]),
            ("audit", "audit-secret", &["log"]),
        ],
    );
    let s = Server::start(&dir, log.to_str().unwrap(), &["--tokens", tokens.to_str().unwrap()]);
    let body = json!({"policy": "t", "action": post_action("dana")}).to_string();

    // No token, a malformed header, an unknown token: 401, as JSON, the body never read.
    for token in [None, Some("tool-secret2"), Some("wrong")] {
        let (status, v) = s.post_as(token, "/v1/decide", &body);
        assert_eq!(status, 401, "{token:?}: {v}");
        assert_eq!(v["error"]["path"], "header.authorization");
    }
    let r = s.agent.post(&format!("{}/v1/decide", s.base)).set("authorization", "Basic dG9vbA==").send_string(&body);
    match r {
        Err(ureq::Error::Status(401, resp)) => assert_eq!(resp.header("www-authenticate"), Some("Bearer")),
        other => panic!("{other:?}"),
    }
    let (status, _) = s.post_as(None, "/v1/decide", "not even JSON");
    assert_eq!(status, 401);
    // The hash is not a token.
    let (status, _) = s.post_as(Some(&smpolicy::serve::auth::token_hash("tool-secret")), "/v1/decide", &body);
    assert_eq!(status, 401);

    // A valid token without the scope: 403.
    let (status, v) = s.get_as(Some("tool-secret"), "/v1/policies");
    assert_eq!(status, 403, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("`admin`"), "{v}");
    let (status, _) = s.post_as(Some("hr-secret"), "/v1/decide", &body);
    assert_eq!(status, 403);
    assert_eq!(s.get_as(Some("hr-secret"), "/v1/policies").0, 200);
    // Liveness and the API description are open.
    assert_eq!(s.get_as(None, "/healthz").0, 200);
    assert_eq!(s.get_as(None, "/openapi.json").0, 200);

    // With the scope: decided, and the caller is in the answer and the log.
    let (status, v) = s.post_as(Some("tool-secret"), "/v1/decide", &body);
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["trusted"]["caller"], "tool");
    let entries = log_json(log.to_str().unwrap(), Some("dana"));
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["caller"], "tool");
    // Reading the log over HTTP takes the `log` scope.
    let (status, v) = s.get_as(Some("audit-secret"), "/v1/log?actor=%20DANA");
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["entries"], json!(entries));
    assert_eq!(s.get_as(Some("tool-secret"), "/v1/log?actor=dana").0, 403);
    assert_eq!(s.get_as(Some("audit-secret"), "/v1/log?actor=dana&limit=0").0, 400);

    // The tokens file is reloaded: a new token works, a removed one stops working.
    edit(&tokens, &std::fs::read_to_string(&tokens).unwrap().replace("\"hr\"", "\"hr2\""));
    wait_for("the edited tokens", || {
        s.get_as(Some("hr-secret"), "/v1/policies").0 == 200 && s.stderr().matches("loaded 3 token(s)").count() == 2
    });
    let only_new = tokens_file(&temp_dir("tokens"), &[("new", "new-secret", &["decide"])]);
    edit(&tokens, &std::fs::read_to_string(only_new).unwrap());
    wait_for("the new token", || s.post_as(Some("new-secret"), "/v1/decide", &body).0 == 200);
    assert_eq!(s.post_as(Some("tool-secret"), "/v1/decide", &body).0, 401);
    // A broken edit keeps the last good set, and says so.
    edit(&tokens, "{\"tokens\": [");
    wait_for("the rejected tokens", || s.stderr().contains("tokens not (re)loaded"));
    assert_eq!(s.post_as(Some("new-secret"), "/v1/decide", &body).0, 200);
    assert!(!s.stderr().contains("new-secret"));
}

/// Runs `smpolicy serve ARGS`, which must fail to start: its standard error. A server that starts is killed (after 10 s).
pub(crate) fn start_fails(args: &[&str]) -> String {
    let mut child = std::process::Command::new(BIN)
        .arg("serve")
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`serve {}` started", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{err}");
    err
}

#[test]
fn without_tokens_the_server_is_open_only_on_loopback() {
    let dir = one_policy(ALLOW);
    let log = dir.join("log.sqlite");
    let d = dir.to_str().unwrap();
    let l = log.to_str().unwrap();
    let err = start_fails(&["--policies", d, "--listen", "0.0.0.0:0", "--log", l]);
    assert!(err.contains("refusing to listen on `0.0.0.0:0` without `--tokens`"), "{err}");
    // A tokens file that cannot be used stops the start, naming the field.
    let tokens = dir.join("tokens.json");
    std::fs::write(&tokens, r#"{"tokens": [{"name": "a", "sha256": "abc", "scopes": ["decide"]}]}"#).unwrap();
    let err =
        start_fails(&["--policies", d, "--listen", "127.0.0.1:0", "--log", l, "--tokens", tokens.to_str().unwrap()]);
    assert!(err.contains("error: tokens: ") && err.contains("tokens[0].sha256: expected 64 hex digits"), "{err}");

    // On loopback it serves, everyone as `anonymous`, without the approve and backdate scopes.
    let s = Server::start(&dir, log.to_str().unwrap(), &[]);
    assert!(s.stderr().contains("warning: no --tokens"), "{}", s.stderr());
    let (status, v) = s.post("/v1/decide", &json!({"policy": "t", "action": post_action("eve")}).to_string());
    assert_eq!((status, v["trusted"]["caller"].as_str()), (200, Some("anonymous")), "{v}");
    let (status, v) = s.post("/v1/approve", &json!({"decision_id": v["decision_id"], "role": "marketing"}).to_string());
    assert_eq!(status, 403, "{v}");
}

#[test]
fn the_service_trusts_its_own_records_and_clock() {
    let dir = one_policy(ALLOW);
    let log = dir.join("log.sqlite");
    let tokens = tokens_file(
        &dir,
        &[
            ("tool", "tool-secret", &["decide", "perform"]),
            ("importer", "importer-secret", &["decide", "perform", "backdate"]),
        ],
    );
    let mut s = Server::start(
        &dir,
        log.to_str().unwrap(),
        &["--tokens", tokens.to_str().unwrap(), "--backdate-skew-s", "3600"],
    );
    s.token = Some("tool-secret".into());

    // Two posts recorded for bob; the policy allows two a day.
    decide_and_perform(&s, &post_action("bob"));
    decide_and_perform(&s, &post_action("bob"));

    // A forged `history`, a far-future `at` and id variants change nothing: the counters are the service's.
    for id in ["bob", "bob ", "BOB", " Bob\t"] {
        let mut a = post_action(id);
        a["history"] = json!({"posts_today": 0, "posts_last_24h": 0, "posts_this_week": 0});
        a["at"] = json!("2030-01-01T09:00:00Z");
        let (status, v) = s.post("/v1/decide", &json!({"policy": "t", "action": a}).to_string());
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["verdict"], "deny", "{id:?}: {v}");
        let t = &v["trusted"];
        assert_eq!(t["actor_id"], "bob");
        assert_eq!(t["history"]["posts_today"], 2, "{t}");
        assert_eq!(t["history_from"], "log");
        assert_eq!(t["at_from"], "server-clock");
        assert_eq!(t["ignored"], json!(["at", "history"]));
        let at: jiff::Timestamp = t["at"].as_str().unwrap().parse().unwrap();
        assert!(jiff::Timestamp::now().duration_since(at).as_secs().abs() < 60, "{at}");
    }
    // A token that may back-date: its `at` is taken within the skew, and refused (422) past it.
    let yesterday = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(30)).to_string();
    let mut a = post_action("bob");
    a["at"] = json!(yesterday);
    let (status, v) =
        s.post_as(Some("importer-secret"), "/v1/decide", &json!({"policy": "t", "action": a}).to_string());
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["error"]["path"], "action.at");
    assert!(v["error"]["message"].as_str().unwrap().contains("allows 3600s"), "{v}");
    a["at"] = json!((jiff::Timestamp::now() - jiff::SignedDuration::from_mins(10)).to_string());
    let (status, v) =
        s.post_as(Some("importer-secret"), "/v1/decide", &json!({"policy": "t", "action": a}).to_string());
    assert_eq!((status, v["trusted"]["at_from"].as_str()), (200, Some("request")), "{v}");

    // `/v1/performed` takes only decisions this service issued, allowed, once.
    let (status, v) = s.post("/v1/performed", &json!({"decision_id": "01a2000000000000000000beef"}).to_string());
    assert_eq!((status, v["error"]["path"].as_str()), (404, Some("decision_id")), "{v}");
    let (_, denied) = s.post("/v1/decide", &json!({"policy": "t", "action": post_action("bob")}).to_string());
    assert_eq!(denied["verdict"], "deny");
    let (status, v) = s.post("/v1/performed", &json!({"decision_id": denied["decision_id"]}).to_string());
    assert_eq!(status, 409, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("`deny`"), "{v}");
    let (_, allowed) = s.post("/v1/decide", &json!({"policy": "t", "action": post_action("carl")}).to_string());
    let performed = json!({"decision_id": allowed["decision_id"]}).to_string();
    assert_eq!(s.post("/v1/performed", &performed).0, 201);
    let (status, v) = s.post("/v1/performed", &performed);
    assert_eq!(status, 409, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("already recorded as performed"), "{v}");
    // The old shape (the caller states the action) is refused, naming the field.
    let (status, v) = s.post("/v1/performed", &json!({"action": post_action("bob")}).to_string());
    assert_eq!(status, 400, "{v}");
    // Ten replays did not make carl's next post a deny: one performed action counts once.
    for _ in 0..10 {
        assert_eq!(s.post("/v1/performed", &performed).0, 409);
    }
    let (_, v) = s.post("/v1/decide", &json!({"policy": "t", "action": post_action("carl")}).to_string());
    assert_eq!((v["verdict"].as_str(), v["trusted"]["history"]["posts_today"].as_u64()), (Some("allow"), Some(1)));
}

#[test]
fn approvals_count_only_when_an_approver_records_them() {
    let dir = one_policy(APPROVAL);
    let log = dir.join("log.sqlite");
    let tokens = tokens_file(
        &dir,
        &[("tool", "tool-secret", &["decide", "perform", "approve"]), ("marketing-lead", "lead-secret", &["approve"])],
    );
    let mut s = Server::start(&dir, log.to_str().unwrap(), &["--tokens", tokens.to_str().unwrap()]);
    s.token = Some("tool-secret".into());
    // A self-granted approval in the action is ignored.
    let mut a = brand_video("fay");
    a["approval"] = json!({"granted_by": "marketing"});
    let (status, v) = s.post("/v1/decide", &json!({"policy": "t", "action": a}).to_string());
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["verdict"], "require-approval", "{v}");
    assert_eq!(v["trusted"]["ignored"], json!(["approval"]));
    let id = v["decision_id"].clone();
    // Not performed before it is approved.
    let (status, v) = s.post("/v1/performed", &json!({"decision_id": id}).to_string());
    assert_eq!(status, 409, "{v}");
    // The token that asked cannot approve; a role that is not an approver does not allow it.
    let (status, v) = s.post("/v1/approve", &json!({"decision_id": id, "role": "marketing"}).to_string());
    assert_eq!(status, 403, "{v}");
    let (status, v) =
        s.post_as(Some("lead-secret"), "/v1/approve", &json!({"decision_id": id, "role": "consultant"}).to_string());
    assert_eq!((status, v["error"]["path"].as_str()), (403, Some("role")), "{v}");
    // The approver records it: now it can be performed, once.
    let (status, v) =
        s.post_as(Some("lead-secret"), "/v1/approve", &json!({"decision_id": id, "role": "marketing"}).to_string());
    assert_eq!((status, v["verdict"].as_str()), (201, Some("allow")), "{v}");
    let (status, v) =
        s.post_as(Some("lead-secret"), "/v1/approve", &json!({"decision_id": id, "role": "marketing"}).to_string());
    assert_eq!(status, 409, "{v}");
    let (status, v) = s.post("/v1/performed", &json!({"decision_id": id}).to_string());
    assert_eq!((status, v["trusted"]["decision"].as_str()), (201, Some("approved")), "{v}");
    let kinds: Vec<Value> = log_json(log.to_str().unwrap(), Some("fay")).iter().map(|e| e["kind"].clone()).collect();
    assert_eq!(kinds, [json!("decision"), json!("approval"), json!("performed")]);
}

#[test]
fn sigterm_finishes_the_request_in_flight_and_exits() {
    let dir = one_policy(ALLOW);
    let log = dir.join("log.sqlite");
    let mut s = Server::start(&dir, log.to_str().unwrap(), &[]);
    // A request whose body is still arriving when the signal comes.
    let body = json!({"policy": "t", "action": post_action("gil")}).to_string();
    let addr = s.base.trim_start_matches("http://").to_string();
    let mut c = std::net::TcpStream::connect(&addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let head = format!(
        "POST /v1/decide HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    c.write_all(head.as_bytes()).unwrap();
    c.write_all(&body.as_bytes()[..10]).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let signalled = Instant::now();
    let kill = std::process::Command::new("kill").args(["-TERM", &s.child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    wait_for("draining", || s.stderr().contains("stopping"));
    // New connections are refused while it drains.
    wait_for("no new connections", || std::net::TcpStream::connect(&addr).is_err());
    c.write_all(&body.as_bytes()[10..]).unwrap();
    let mut answer = String::new();
    let _ = c.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let id = answer.split("\"decision_id\":\"").nth(1).unwrap()[..26].to_string();
    // The process exits by itself, within a few seconds.
    let status = loop {
        if let Some(status) = s.child.try_wait().unwrap() {
            break status;
        }
        assert!(signalled.elapsed() < Duration::from_secs(5), "still running 5 s after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
    assert!(s.stderr().contains("smpolicy: stopped"));
    // And what it answered is in the log.
    assert!(log_json(log.to_str().unwrap(), None).iter().any(|e| e["id"] == id.as_str()));
}

#[test]
fn healthz_is_not_ready_when_decisions_cannot_be_logged() {
    let dir = one_policy(ALLOW);
    let log = dir.join("log.sqlite");
    let s = Server::start(&dir, log.to_str().unwrap(), &["--log-max-mib", "1", "--max-body", "4000000"]);
    let (status, v) = s.get("/healthz");
    assert_eq!((status, v["status"].as_str()), (200, Some("ok")), "{v}");
    // Actor ids of 100 KB fill the capped log in a few decisions.
    let big = "x".repeat(100_000);
    let mut refused = None;
    for i in 0..40 {
        let (status, v) =
            s.post("/v1/decide", &json!({"policy": "t", "action": post_action(&format!("{big}{i}"))}).to_string());
        if status == 503 {
            refused = Some(v);
            break;
        }
        assert_eq!(status, 200, "{v}");
    }
    let refused = refused.expect("the capped log never filled");
    assert!(refused["error"]["message"].as_str().unwrap().contains("not recorded"), "{refused}");
    let (status, v) = s.get("/healthz");
    assert_eq!((status, v["status"].as_str()), (503, Some("not-ready")), "{v}");
    assert!(v["log"].as_str().unwrap().contains("full"), "{v}");
}

/// Whether `s` answers a connect under `t` with `verdict`.
fn verdict(s: &Server) -> (u16, Value) {
    let body = json!({"policy": "t", "action": {"action": "connect", "actor": post_action("hal")["actor"], "channel": "linkedin"}});
    let (status, v) = s.post("/v1/decide?explain=false", &body.to_string());
    (status, v["verdict"].clone())
}

#[test]
fn reload_takes_only_settled_regular_files_inside_the_directory() {
    let dir = one_policy(DENY);
    let log = temp_dir("reload-log").join("log.sqlite");
    let outside = temp_dir("outside");
    std::fs::write(outside.join("o.policy"), ALLOW).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/etc/passwd", dir.join("passwd.policy")).unwrap();
        std::os::unix::fs::symlink(outside.join("o.policy"), dir.join("o.policy")).unwrap();
        std::fs::write(dir.join("real.policy"), ALLOW).unwrap();
        std::os::unix::fs::symlink(dir.join("real.policy"), dir.join("inner.policy")).unwrap();
    }
    let s = Server::start(&dir, log.to_str().unwrap(), &["--settle-ms", "600"]);
    assert_eq!(verdict(&s), (200, json!("deny")));

    // Links out of the directory are listed with an error, never read; nothing of their text is echoed.
    let (_, v) = s.get("/v1/policies");
    let text = v.to_string();
    assert!(!text.contains("root"), "{text}");
    let by_name = |n: &str| v["policies"].as_array().unwrap().iter().find(|p| p["name"] == n).unwrap().clone();
    #[cfg(unix)]
    {
        for name in ["passwd", "o"] {
            let p = by_name(name);
            assert_eq!(p["serving"], false, "{p}");
            assert!(p["error"]["message"].as_str().unwrap().contains("outside the policy directory"), "{p}");
            let (status, e) = s.post("/v1/decide", &json!({"policy": name, "action": post_action("x")}).to_string());
            assert_eq!(status, 409, "{e}");
            assert!(!e.to_string().contains("root:"), "{e}");
        }
        assert_eq!(by_name("inner")["serving"], true, "a link inside the directory is followed");
    }

    // A half-written file that happens to parse is not served: only what stays unchanged for the settle period.
    let path = dir.join("t.policy");
    let final_text = DENY.replace("limit 2 posts", "limit 3 posts");
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(b"policy \"t\" default allow\n").unwrap(); // parses, and allows everything
    f.flush().unwrap();
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(400) {
        assert_eq!(verdict(&s), (200, json!("deny")), "the half-written file was served");
        std::thread::sleep(Duration::from_millis(10));
    }
    let rest = &final_text["policy \"t\" default deny\n".len()..];
    f.set_len(0).unwrap();
    drop(f);
    std::fs::write(&path, format!("policy \"t\" default deny\n{rest}")).unwrap();
    let hash = smpolicy::serve::registry::content_hash(&final_text);
    wait_for("the finished file", || {
        assert_eq!(verdict(&s).1, json!("deny"));
        let (_, v) = s.get("/v1/policies");
        v["policies"].as_array().unwrap().iter().any(|p| p["name"] == "t" && p["hash"] == hash.as_str())
    });

    // Deleted and re-created (as editors do): served throughout. Deleted for good: reported, then removed.
    std::fs::remove_file(&path).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(verdict(&s), (200, json!("deny")));
    std::fs::write(&path, &final_text).unwrap();
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(900) {
        assert_eq!(verdict(&s), (200, json!("deny")));
        std::thread::sleep(Duration::from_millis(20));
    }
    std::fs::remove_file(&path).unwrap();
    wait_for("the missing file listed", || s.get("/v1/policies").1.to_string().contains("the file is missing"));
    assert_eq!(verdict(&s).0, 200, "a deletion keeps serving until it is confirmed");
    // The server's standard error is read by another thread: wait for the line, do not race it.
    wait_for("the missing file reported", || s.stderr().contains("policy `t`: the file is missing"));
    wait_for("the removal", || verdict(&s).0 == 404);
    wait_for("the removal reported", || s.stderr().contains("policy `t` removed"));
}

/// A log with a few decisions and performed actions, written by the server.
fn a_log() -> std::path::PathBuf {
    let dir = one_policy(ALLOW);
    let log = dir.join("log.sqlite");
    let s = Server::start(&dir, log.to_str().unwrap(), &[]);
    for i in 0..3 {
        decide_and_perform(&s, &post_action(&format!("ivy{i}")));
    }
    drop(s);
    log
}

fn verify(log: &Path) -> (i32, String) {
    let (code, out, err) = run(&["log", "verify", "--log", log.to_str().unwrap()]);
    (code, format!("{out}{err}"))
}

/// A copy of `log` changed by `sql`.
pub(crate) fn tampered(log: &Path, tag: &str, sql: &str) -> std::path::PathBuf {
    let copy = log.with_file_name(format!("{tag}.sqlite"));
    std::fs::copy(log, &copy).unwrap();
    // The server was killed: what it wrote may still be in the write-ahead log.
    let _ = std::fs::copy(log.with_extension("sqlite-wal"), copy.with_extension("sqlite-wal"));
    let conn = rusqlite::Connection::open(&copy).unwrap();
    conn.execute_batch(sql).unwrap();
    drop(conn);
    copy
}

#[test]
fn log_verify_finds_edited_deleted_and_reordered_entries() {
    let log = a_log();
    let (code, out) = verify(&log);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("ok: 6 entries; chain head "), "{out}");

    let cases = [
        ("edited", "UPDATE smpolicy_log SET verdict = 'deny' WHERE rowid = 3", "entry 3 "),
        ("edited-input", "UPDATE smpolicy_log SET input = replace(input, 'ivy', 'ivz') WHERE rowid = 5", "entry 5 "),
        ("edited-caller", "UPDATE smpolicy_log SET caller = 'someone' WHERE rowid = 1", "entry 1 "),
        ("deleted", "DELETE FROM smpolicy_log WHERE rowid = 2", "entry 2 "),
        (
            "reordered",
            "UPDATE smpolicy_log SET rowid = 100 WHERE rowid = 3; UPDATE smpolicy_log SET rowid = 3 WHERE rowid = 4; \
             UPDATE smpolicy_log SET rowid = 4 WHERE rowid = 100;",
            "entry 3 ",
        ),
        ("unhashed", "UPDATE smpolicy_log SET hash = NULL WHERE rowid = 4", "entry 4 "),
    ];
    for (tag, sql, first) in cases {
        let copy = tampered(&log, tag, sql);
        let (code, out) = verify(&copy);
        assert_eq!(code, 3, "{tag}: {out}");
        let first_break = out.lines().next().unwrap();
        assert!(first_break.starts_with(&format!("broken: {first}")), "{tag}: {out}");
        assert!(out.contains("the chain is broken"), "{tag}: {out}");
    }
    // `log` streams the entries, oldest first, and reads what verify checked.
    let (code, out, _) = run(&["log", "--log", log.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 0);
    let hashes: Vec<Value> = out.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()["hash"].clone()).collect();
    assert_eq!(hashes.len(), 6);
    assert!(hashes.iter().all(|h| h.as_str().is_some_and(|h| h.len() == 64)));
}

/// The CPU time (user and system, in clock ticks) the process `pid` has used.
#[cfg(target_os = "linux")]
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // The fields after the command name (which is in parentheses): utime and stime are the 12th and 13th.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

#[test]
fn diff_and_compare_stop_at_their_budget() {
    let dir = crate::serve::shipped_policies();
    let log = dir.join("log.sqlite");
    let s = Server::start(&dir, log.to_str().unwrap(), &["--budget-ms", "300"]);
    // Two unrelated policies: a search of many seconds, stopped at 300 ms.
    let started = Instant::now();
    let (status, v) = s.post("/v1/diff", &json!({"old": "protective-agency", "new": "trusting-agency"}).to_string());
    assert_eq!(status, 422, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("budget of 300 ms"), "{v}");
    assert!(started.elapsed() < Duration::from_secs(3), "answered after {:?}", started.elapsed());
    // The computation stopped too: the server is idle afterwards.
    #[cfg(target_os = "linux")]
    {
        std::thread::sleep(Duration::from_millis(300));
        let before = cpu_ticks(s.child.id());
        std::thread::sleep(Duration::from_millis(1500));
        let used = cpu_ticks(s.child.id()) - before;
        assert!(used < 40, "{used} ticks of CPU after the answer: the diff went on");
    }
    // Versions of one policy still finish.
    let (status, v) = s.post("/v1/diff", &json!({"old": "protective-agency", "new": "protective-agency"}).to_string());
    assert_eq!(status, 200, "{v}");
    // At most 8 policies a comparison.
    let nine: Vec<&str> = vec!["trusting-agency"; 9];
    let (status, v) = s.post("/v1/compare", &json!({ "policies": nine }).to_string());
    assert_eq!((status, v["error"]["path"].as_str()), (422, Some("policies")), "{v}");
    assert_eq!(s.get("/healthz").0, 200);
}

/// `GET path` over TLS to `addr`, trusting only `cert`: the whole response.
fn https_get(addr: &str, cert: &Path, path: &str) -> Result<String, String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut roots = rustls::RootCertStore::empty();
        for c in rustls::pki_types::CertificateDer::pem_file_iter(cert).unwrap() {
            roots.add(c.unwrap()).unwrap();
        }
        #[allow(deprecated, reason = "the provider the server uses")]
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
        let tcp = tokio::net::TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
        let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
        let mut tls = connector.connect(name, tcp).await.map_err(|e| e.to_string())?;
        let request = format!("GET {path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n");
        tls.write_all(request.as_bytes()).await.map_err(|e| e.to_string())?;
        let mut out = String::new();
        let read = tokio::time::timeout(Duration::from_secs(10), tls.read_to_string(&mut out)).await;
        read.map_err(|e| e.to_string())?.map_err(|e| e.to_string())?;
        Ok(out)
    })
}

#[test]
fn tls_from_a_certificate_and_key() {
    let dir = one_policy(ALLOW);
    let log = dir.join("log.sqlite");
    let tls = crate::util::root().join("tests/cases/tls"); // a self-signed test certificate for 127.0.0.1
    let (cert, key) = (tls.join("cert.pem"), tls.join("key.pem"));
    let s = Server::start(
        &dir,
        log.to_str().unwrap(),
        &["--tls-cert", cert.to_str().unwrap(), "--tls-key", key.to_str().unwrap()],
    );
    assert!(s.base.starts_with("https://127.0.0.1:"), "{}", s.base);
    let addr = s.base.trim_start_matches("https://");
    let answer = https_get(addr, &cert, "/healthz").unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with(r#"{"log":"ok","policies_serving":1,"status":"ok"}"#), "{answer}");
    // Plain HTTP on the TLS port gets no answer.
    let mut c = std::net::TcpStream::connect(addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    c.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n").unwrap();
    let mut buf = Vec::new();
    let _ = c.read_to_end(&mut buf);
    assert!(!String::from_utf8_lossy(&buf).contains("HTTP/1.1 200"));
    // A key that is not one: the server does not start, and says why.
    let (d, l, c) = (dir.to_str().unwrap(), log.to_str().unwrap(), cert.to_str().unwrap());
    let err = start_fails(&["--policies", d, "--listen", "127.0.0.1:0", "--log", l, "--tls-cert", c, "--tls-key", c]);
    assert!(err.contains("error: TLS:") && err.contains("no private key"), "{err}");
}

#[test]
fn two_servers_on_one_sqlite_log_keep_one_chain() {
    let dir = one_policy(ALLOW);
    let log = dir.join("log.sqlite");
    let a = Server::start(&dir, log.to_str().unwrap(), &[]);
    let b = Server::start(&dir, log.to_str().unwrap(), &[]);
    for i in 0..6 {
        let s = if i % 2 == 0 { &a } else { &b };
        let (status, v) = s.post("/v1/decide", &json!({"policy": "t", "action": post_action("kim")}).to_string());
        assert_eq!(status, 200, "{v}");
    }
    drop((a, b));
    let (code, out) = verify(&log);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("ok: 6 entries"), "{out}");
}
