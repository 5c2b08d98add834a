//! `smpolicy serve` and `smpolicy log`, end to end: the real binary on a
//! loopback port, driven over HTTP.

use crate::util::root;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_smpolicy");

pub(crate) const ALLOW: &str =
    "policy \"t\" default allow\n\nposting on linkedin {\n  daily: limit 2 posts per day\n}\n";
pub(crate) const DENY: &str = "policy \"t\" default deny\n\nposting on linkedin {\n  daily: limit 2 posts per day\n}\n";
pub(crate) const BROKEN: &str = "policy \"t\" default alow\n";

/// A fresh directory under the system's temporary directory.
pub(crate) fn temp_dir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let d = std::env::temp_dir().join(format!("smpolicy-serve-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Writes a file so that the server sees a new stamp even on a coarse clock.
pub(crate) fn edit(path: &Path, text: &str) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).unwrap();
    let f = std::fs::File::options().append(true).open(&tmp).unwrap();
    let stamp = std::time::SystemTime::now() + Duration::from_secs(1);
    f.set_modified(stamp).unwrap();
    drop(f);
    std::fs::rename(&tmp, path).unwrap();
}

/// A tokens file in `dir` listing `(name, token, scopes)`.
pub(crate) fn tokens_file(dir: &Path, tokens: &[(&str, &str, &[&str])]) -> PathBuf {
    let list: Vec<Value> = tokens
        .iter()
        .map(|(name, token, scopes)| {
            json!({"name": name, "sha256": smpolicy::serve::auth::token_hash(token), "scopes": scopes})
        })
        .collect();
    let path = dir.join("tokens.json");
    std::fs::write(&path, json!({ "tokens": list }).to_string()).unwrap();
    path
}

/// A running server; killed when dropped.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) base: String,
    stderr: Arc<Mutex<Vec<String>>>,
    pub(crate) agent: ureq::Agent,
    /// The bearer token `post` and `get` send, if any.
    pub(crate) token: Option<String>,
}

impl Server {
    /// A server with a tokens file giving `token` every scope, back-dating included (within `skew_s`).
    pub(crate) fn start_trusted(dir: &Path, log: &str, skew_s: u64) -> Server {
        let all: &[&str] = &["decide", "perform", "approve", "log", "admin", "backdate"];
        let tokens = tokens_file(dir, &[("tests", "test-token", all)]);
        let skew = skew_s.to_string();
        let mut s = Server::start(dir, log, &["--tokens", tokens.to_str().unwrap(), "--backdate-skew-s", &skew]);
        s.token = Some("test-token".into());
        s
    }

    pub(crate) fn start(dir: &Path, log: &str, extra: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .args(["serve", "--policies"])
            .arg(dir)
            .args(["--listen", "127.0.0.1:0", "--log", log, "--reload-ms", "50"])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        {
            let lines = lines.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if let Some(addr) = line.strip_prefix("smpolicy: listening on ") {
                        let _ = tx.send(addr.to_string());
                    }
                    lines.lock().unwrap().push(line);
                }
            });
        }
        let base = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(base) => base,
            Err(_) => {
                let _ = child.kill();
                panic!("the server did not start: {:?}", lines.lock().unwrap());
            }
        };
        let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(10)).build();
        Server { child, base, stderr: lines, agent, token: None }
    }

    pub(crate) fn answer(r: Result<ureq::Response, ureq::Error>) -> (u16, Value) {
        let resp = match r {
            Ok(resp) => resp,
            Err(ureq::Error::Status(_, resp)) => resp,
            Err(e) => panic!("transport error: {e}"),
        };
        let status = resp.status();
        let text = resp.into_string().unwrap();
        (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}")))
    }

    pub(crate) fn post(&self, path: &str, body: &str) -> (u16, Value) {
        self.post_as(self.token.as_deref(), path, body)
    }

    /// POST with `token` (or none).
    pub(crate) fn post_as(&self, token: Option<&str>, path: &str, body: &str) -> (u16, Value) {
        let mut r = self.agent.post(&format!("{}{path}", self.base)).set("content-type", "application/json");
        if let Some(t) = token {
            r = r.set("authorization", &format!("Bearer {t}"));
        }
        Self::answer(r.send_string(body))
    }

    pub(crate) fn get(&self, path: &str) -> (u16, Value) {
        self.get_as(self.token.as_deref(), path)
    }

    /// GET with `token` (or none).
    pub(crate) fn get_as(&self, token: Option<&str>, path: &str) -> (u16, Value) {
        let mut r = self.agent.get(&format!("{}{path}", self.base));
        if let Some(t) = token {
            r = r.set("authorization", &format!("Bearer {t}"));
        }
        Self::answer(r.call())
    }

    fn addr(&self) -> String {
        self.base.trim_start_matches("http://").to_string()
    }

    pub(crate) fn stderr(&self) -> String {
        self.stderr.lock().unwrap().join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A policy directory with the shipped policies.
pub(crate) fn shipped_policies() -> PathBuf {
    let d = temp_dir("shipped");
    for e in std::fs::read_dir(root().join("policies")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "policy") {
            std::fs::copy(&p, d.join(p.file_name().unwrap())).unwrap();
        }
    }
    d
}

/// A directory with one policy `t`.
pub(crate) fn one_policy(text: &str) -> PathBuf {
    let d = temp_dir("one");
    std::fs::write(d.join("t.policy"), text).unwrap();
    d
}

pub(crate) fn post_action(actor: &str) -> Value {
    json!({"action": "post", "actor": {"id": actor, "role": "consultant", "status": "employed"},
           "channel": "linkedin", "content": {"kind": "industry"}})
}

pub(crate) fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN).args(args).current_dir(root()).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

pub(crate) fn log_json(log: &str, actor: Option<&str>) -> Vec<Value> {
    let mut args = vec!["log", "--log", log, "--format", "json"];
    if let Some(a) = actor {
        args.extend(["--actor", a]);
    }
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    out.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// `smpolicy eval POLICY - --format json` on `action`: the exit code and standard output.
fn eval(policy: &Path, action: &str) -> (i32, String) {
    let mut eval = Command::new(BIN)
        .args(["eval", policy.to_str().unwrap(), "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    eval.stdin.take().unwrap().write_all(action.as_bytes()).unwrap();
    let out = eval.wait_with_output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into())
}

fn without_id(mut v: Value) -> Value {
    v.as_object_mut().unwrap().remove("decision_id");
    v.as_object_mut().unwrap().remove("trusted");
    v
}

#[test]
fn decide_terms_and_compare_answer_as_the_cli_does() {
    let dir = shipped_policies();
    let log = dir.join("log.sqlite");
    // The examples are dated in 2026: a token that may back-date by a century.
    let s = Server::start_trusted(&dir, log.to_str().unwrap(), 100 * 365 * 86_400);
    let policy = dir.join("protective-agency.policy");

    // decide = eval --format json, plus a decision id.
    let mut line = std::fs::read_to_string(root().join("docs/examples/actions/batch.jsonl")).unwrap();
    // A leaver, whose verdict carries hand-over duties.
    line.push_str(r#"{"action":"depart","at":"2026-05-01T10:00:00Z","actor":{"id":"a","role":"consultant","status":"departed","departed_on":"2026-04-30"}}"#);
    let mut decided = 0;
    let mut with_duties = 0;
    for action in line.lines().filter(|l| !l.trim().is_empty()) {
        let (status, v) = s.post("/v1/decide", &format!(r#"{{"policy": "protective-agency", "action": {action}}}"#));
        let Some(id) = v["decision_id"].as_str().map(str::to_string) else {
            // The service refuses the action, naming the field: so does the CLI.
            assert_eq!(status, 400, "{v}");
            assert!(v["error"]["path"].as_str().unwrap().starts_with("action"), "{v}");
            let (code, _) = eval(&policy, action);
            assert_eq!(code, 1, "{action}");
            continue;
        };
        decided += 1;
        assert_eq!(status, 200, "{v}");
        assert_eq!(id.len(), 26);
        let logged = log_json(log.to_str().unwrap(), None);
        let entry = logged.iter().find(|e| e["id"] == id.as_str()).unwrap();
        let mut sent: Value = serde_json::from_str(action).unwrap();
        assert_eq!(entry["input"], sent);
        // The service derives `history` (nothing was recorded: all zero) and ignores the
        // caller's, and takes approvals only through /v1/approve: the CLI is given what the service trusted.
        assert_eq!(entry["derived_history"]["posts_today"], 0, "{entry}");
        assert_eq!(v["trusted"]["history"], entry["derived_history"]);
        assert_eq!(v["trusted"]["caller"], "tests");
        assert_eq!(entry["caller"], "tests");
        let ignored = v["trusted"]["ignored"].as_array().unwrap();
        assert_eq!(ignored.contains(&json!("history")), sent.get("history").is_some(), "{v}");
        assert_eq!(ignored.contains(&json!("approval")), sent.get("approval").is_some(), "{v}");
        assert_eq!(v["trusted"]["at_from"], if sent.get("at").is_some() { "request" } else { "server-clock" });
        sent["history"] = entry["derived_history"].clone();
        sent.as_object_mut().unwrap().remove("approval");
        sent["actor"]["id"] = v["trusted"]["actor_id"].clone();
        let (code, out) = eval(&policy, &sent.to_string());
        assert_ne!(code, 1);
        let cli: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(without_id(v), cli);
        assert_eq!(entry["verdict"], cli["verdict"]);
        assert_eq!(entry["deciding"], cli["deciding"]);
        assert_eq!(entry["policy"], "protective-agency");
        assert_eq!(entry["policy_hash"].as_str().unwrap().len(), 64);
        // The compiled form agrees, in short.
        let (status, short) =
            s.post("/v1/decide?explain=false", &json!({"policy": "protective-agency", "action": sent}).to_string());
        assert_eq!(status, 200, "{short}");
        assert_eq!(short["schema"], "smpolicy.decision/1");
        for key in ["verdict", "approvers", "deciding", "obligations"] {
            // The verdict leaves out an empty list of approvers; the short answer an empty list of obligations.
            let expected = if cli[key].is_null() { json!([]) } else { cli[key].clone() };
            let got = if short[key].is_null() { json!([]) } else { short[key].clone() };
            assert_eq!(got, expected, "{key}");
        }
        with_duties += usize::from(short["obligations"].as_array().is_some_and(|o| !o.is_empty()));
        assert!(short["decision_id"].as_str().unwrap() > id.as_str());
    }
    assert!(decided >= 3);
    assert_eq!(with_duties, 1, "the leaver's short answer carries the hand-over duties");

    // terms = terms --format json.
    let offer: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(root().join("docs/examples/contracts/offer.yaml")).unwrap())
            .unwrap();
    let body = json!({"policy": "candidate-dealbreakers", "contract": offer});
    let (status, v) = s.post("/v1/terms", &body.to_string());
    assert_eq!(status, 200, "{v}");
    let deal = dir.join("candidate-dealbreakers.policy");
    let (_, out, _) = run(&["terms", deal.to_str().unwrap(), "docs/examples/contracts/offer.yaml", "--format", "json"]);
    assert_eq!(v, serde_json::from_str::<Value>(&out).unwrap());

    // compare = compare --format json.
    let body = json!({"policies": ["trusting-agency", "protective-agency"], "now": "2026-03-14T12:00:00Z"});
    let (status, v) = s.post("/v1/compare", &body.to_string());
    assert_eq!(status, 200, "{v}");
    let a = dir.join("trusting-agency.policy");
    let (_, out, _) = run(&[
        "compare",
        a.to_str().unwrap(),
        policy.to_str().unwrap(),
        "--format",
        "json",
        "--now",
        "2026-03-14T12:00:00Z",
    ]);
    assert_eq!(v, serde_json::from_str::<Value>(&out).unwrap());

    // The other endpoints.
    let (status, v) = s.get("/healthz");
    assert_eq!((status, v["status"].as_str()), (200, Some("ok")));
    let (status, v) = s.get("/openapi.json");
    assert_eq!(status, 200);
    for path in [
        "/v1/decide",
        "/v1/terms",
        "/v1/compare",
        "/v1/diff",
        "/v1/performed",
        "/v1/approve",
        "/v1/log",
        "/v1/policies",
        "/healthz",
    ] {
        assert!(v["paths"].get(path).is_some(), "{path} is not documented");
    }
    assert_eq!(v["paths"]["/v1/approve"]["post"]["x-smpolicy-scope"], "approve");
    assert_eq!(
        v["paths"]["/v1/decide"]["post"]["responses"]["401"]["content"],
        v["paths"]["/v1/decide"]["post"]["responses"]["400"]["content"]
    );
    assert!(v["paths"]["/healthz"]["get"].get("x-smpolicy-scope").is_none());
    let (status, v) = s.get("/v1/policies");
    assert_eq!(status, 200);
    let list = v["policies"].as_array().unwrap();
    assert_eq!(list.len(), 7);
    assert!(list
        .iter()
        .all(|p| p["serving"] == true && p["hash"].as_str().unwrap().len() == 64 && p["error"].is_null()));
}

#[test]
fn diff_answers_as_the_cli_does_and_replays_the_audit_log() {
    // Small versions: the diff of the shipped policies takes seconds in a debug build.
    let dir = one_policy(ALLOW);
    let stricter = ALLOW.replace("limit 2 posts", "limit 1 posts");
    std::fs::write(dir.join("t2.policy"), &stricter).unwrap();
    let log = dir.join("log.sqlite");
    let s = Server::start(&dir, log.to_str().unwrap(), &[]);
    let (old, new) = (dir.join("t.policy"), dir.join("t2.policy"));
    let now = "2026-03-01T12:00:00Z";
    let cli = |extra: &[&str]| -> Value {
        let mut args = vec!["diff", old.to_str().unwrap(), new.to_str().unwrap(), "--format", "json", "--now", now];
        args.extend(extra);
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str(&out).unwrap()
    };

    // By name, and with the new version as text.
    let (status, v) = s.post("/v1/diff", &json!({"old": "t", "new": "t2", "now": now}).to_string());
    assert_eq!(status, 200, "{v}");
    assert_eq!(v, cli(&[]));
    let (status, by_text) =
        s.post("/v1/diff", &json!({"old": "t", "new": {"source": stricter}, "now": now}).to_string());
    assert_eq!(status, 200, "{by_text}");
    assert_eq!(by_text["changes"], v["changes"]);
    let (status, e) = s.post("/v1/diff", &json!({"old": "t", "new": {"source": BROKEN}}).to_string());
    assert_eq!(status, 400, "{e}");
    assert_eq!(e["error"]["path"], "new.source");

    // The audit log is a history to replay: the actions as the service decided them (its counters,
    // its clock, the normalized actor id), as JSON Lines.
    for actor in ["b", "d"] {
        decide_and_perform(&s, &post_action(actor));
    }
    for actor in ["a", "b", "C", "d"] {
        let mut action = post_action(actor);
        action["history"] = json!({"posts_today": 0}); // ignored
        assert_eq!(s.post("/v1/decide", &json!({"policy": "t", "action": action}).to_string()).0, 200);
    }
    let from_log = cli(&["--replay", log.to_str().unwrap()]);
    let logged: Vec<String> = log_json(log.to_str().unwrap(), None)
        .iter()
        .filter(|e| e["kind"] == "decision")
        .map(|e| {
            let mut a = e["input"].clone();
            a["history"] = e["derived_history"].clone();
            a["at"] = e["at"].clone();
            a["actor"]["id"] = e["actor"].clone();
            a.to_string()
        })
        .collect();
    assert_eq!(logged.len(), 6);
    let jsonl = dir.join("history.jsonl");
    std::fs::write(&jsonl, logged.join("\n")).unwrap();
    let from_file = cli(&["--replay", jsonl.to_str().unwrap()]);
    assert_eq!(from_log["replay"], from_file["replay"]);
    assert_eq!(from_log["replay"]["decided"], 6);
    // b and d (1 recorded post each) are allowed now and denied under the stricter version.
    assert!(from_log["replay"].to_string().contains("deny"), "{}", from_log["replay"]);
}

#[test]
fn bad_requests_get_a_4xx_naming_the_field() {
    let dir = one_policy(ALLOW);
    let log = dir.join("log.sqlite");
    let s = Server::start(&dir, log.to_str().unwrap(), &["--max-body", "2000"]);
    let cases = [
        ("/v1/decide", "{\"policy\": \"t\""),
        ("/v1/decide", r#"{"action": {}}"#),
        ("/v1/decide", r#"{"policy": "u", "action": {}}"#),
        (
            "/v1/decide",
            r#"{"policy": "t", "action": {"action": "pst", "actor": {"id": "a", "role": "x", "status": "employed"}}}"#,
        ),
        (
            "/v1/decide",
            r#"{"policy": "t", "action": {"action": "post", "actor": {"id": "a", "role": "x", "status": "employed"}, "channel": "linkdin"}}"#,
        ),
        (
            "/v1/decide",
            r#"{"policy": "t", "action": {"action": "post", "actor": {"id": "a", "role": "x", "status": "departed"}}}"#,
        ),
        (
            "/v1/decide",
            r#"{"policy": "t", "action": {"action": "post", "actor": {"id": "a", "role": "x", "status": "employed"}, "history": {"posts_today": -1}}}"#,
        ),
        ("/v1/decide", r#"{"policy": "t", "action": {}, "extra": 1}"#),
        ("/v1/performed", r#"{"action": {"action": "post"}}"#),
        ("/v1/terms", r#"{"policy": "t", "contract": {"covenants": 3}}"#),
        ("/v1/compare", r#"{"policies": ["t"]}"#),
        ("/v1/compare", r#"{"policies": ["t", "nope"]}"#),
        ("/v1/compare", r#"{"policies": ["t", "t"], "jurisdiction": "California"}"#),
        ("/nowhere", "{}"),
        ("/v1/decide?explain=maybe", "{}"),
        ("/v1/decide?verbose=1", "{}"),
    ];
    let mut answers = Vec::new();
    for (path, body) in cases {
        let (status, v) = s.post(path, body);
        assert!((400..500).contains(&status), "{path} {body}: {status} {v}");
        assert_eq!(v["error"]["status"], status);
        answers.push(json!({"request": format!("POST {path} {body}"), "status": status, "error": v["error"]}));
    }
    insta::assert_json_snapshot!(answers);

    // Oversized bodies are refused.
    let big = format!(r#"{{"policy": "t", "action": {}, "pad": "{}"}}"#, post_action("a"), "x".repeat(5000));
    let (status, v) = s.post("/v1/decide", &big);
    assert_eq!(status, 413, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("too large"));

    // Nothing above was recorded.
    assert!(log_json(log.to_str().unwrap(), None).is_empty());
    // And the server is still up.
    assert_eq!(s.get("/healthz").0, 200);
}

#[test]
fn slow_clients_time_out() {
    let dir = one_policy(ALLOW);
    let log = dir.join("log.sqlite");
    let s = Server::start(&dir, log.to_str().unwrap(), &["--timeout-ms", "300"]);
    // Headers that never finish.
    let mut c = std::net::TcpStream::connect(s.addr()).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    c.write_all(b"POST /v1/decide HTTP/1.1\r\nHost: x\r\n").unwrap();
    let started = Instant::now();
    let mut buf = Vec::new();
    let _ = c.read_to_end(&mut buf);
    assert!(started.elapsed() < Duration::from_secs(4), "the connection was not closed");
    // A body that never finishes.
    let mut c = std::net::TcpStream::connect(s.addr()).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    c.write_all(b"POST /v1/decide HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"policy\"").unwrap();
    let mut buf = Vec::new();
    let _ = c.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert_eq!(s.get("/healthz").0, 200);
}

pub(crate) fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(5);
    while !ok() {
        assert!(Instant::now() < until, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn hot_reload_swaps_good_edits_and_keeps_the_last_good_version() {
    let dir = one_policy(ALLOW);
    let log = dir.join("log.sqlite");
    let s = Server::start(&dir, log.to_str().unwrap(), &[]);
    let mut action = post_action("r");
    action["history"] = json!({"posts_today": 0});
    let body = json!({"policy": "t", "action": {"action": "connect", "actor": action["actor"], "channel": "linkedin"}});
    let (_, v) = s.post("/v1/decide", &body.to_string());
    assert_eq!(v["verdict"], "allow");
    let (_, before) = s.get("/v1/policies");
    let first_hash = before["policies"][0]["hash"].clone();

    // A good edit swaps the policy.
    edit(&dir.join("t.policy"), DENY);
    wait_for("the deny version", || s.post("/v1/decide", &body.to_string()).1["verdict"] == "deny");
    let (_, after) = s.get("/v1/policies");
    let second_hash = after["policies"][0]["hash"].clone();
    assert_ne!(first_hash, second_hash);

    // A bad edit keeps the last good version serving and reports the error.
    edit(&dir.join("t.policy"), BROKEN);
    wait_for("the error", || !s.get("/v1/policies").1["policies"][0]["error"].is_null());
    let (_, v) = s.get("/v1/policies");
    let p = &v["policies"][0];
    assert_eq!(p["hash"], second_hash);
    assert_eq!(p["serving"], true);
    let mut redacted = p.clone();
    redacted["hash"] = json!("[hash]");
    redacted["loaded_at"] = json!("[time]");
    redacted["error"]["hash"] = json!("[hash]");
    // The file's path is a temporary directory: keep from the file name on.
    for d in redacted["error"]["diagnostics"].as_array_mut().unwrap() {
        let text = d.as_str().unwrap().to_string();
        *d = json!(text[text.find("t.policy").unwrap_or(0)..]);
    }
    let message = redacted["error"]["message"].as_str().unwrap().to_string();
    redacted["error"]["message"] = json!(message.replace(&dir.display().to_string(), "[dir]"));
    insta::assert_json_snapshot!(redacted);
    let (status, v) = s.post("/v1/decide", &body.to_string());
    assert_eq!((status, v["verdict"].as_str()), (200, Some("deny")));
    wait_for("the error in the server's log", || s.stderr().contains("policy `t` not (re)loaded"));

    // A policy that never loaded is listed with its error and not served.
    std::fs::write(dir.join("u.policy"), BROKEN).unwrap();
    wait_for("u listed", || s.get("/v1/policies").1["policies"].as_array().unwrap().len() == 2);
    let (_, v) = s.get("/v1/policies");
    assert_eq!(v["policies"][1]["serving"], false);
    let (status, v) = s.post("/v1/decide", &json!({"policy": "u", "action": body["action"]}).to_string());
    assert_eq!(status, 409, "{v}");
    assert_eq!(v["error"]["path"], "policy");
}

#[test]
fn a_policy_that_fails_at_start_up_is_listed_and_the_server_starts() {
    let dir = one_policy(BROKEN);
    let log = dir.join("log.sqlite");
    let s = Server::start(&dir, log.to_str().unwrap(), &[]);
    let (_, v) = s.get("/v1/policies");
    assert_eq!(v["policies"][0]["serving"], false);
    assert!(v["policies"][0]["error"]["message"].as_str().unwrap().contains("does not parse"));
}

/// Decides `action` under `t` (it must be allowed) and records it as performed; the performed entry's id.
pub(crate) fn decide_and_perform(s: &Server, action: &Value) -> String {
    let (status, v) = s.post("/v1/decide", &json!({"policy": "t", "action": action}).to_string());
    assert_eq!((status, v["verdict"].as_str()), (200, Some("allow")), "{v}");
    let (status, p) = s.post("/v1/performed", &json!({"decision_id": v["decision_id"]}).to_string());
    assert_eq!(status, 201, "{p}");
    p["id"].as_str().unwrap().to_string()
}

/// Records two posts and a connection (and, back-dated, a post yesterday), then decides.
/// `s` has a token with every scope ([`Server::start_trusted`]).
fn derived_counters(s: &Server, log: &str, actor: &str) {
    let today = jiff::Timestamp::now();
    for kind in ["industry", "job_ad"] {
        let mut a = post_action(actor);
        a["content"]["kind"] = json!(kind);
        decide_and_perform(s, &a);
    }
    let connect = json!({"action": "connect", "actor": post_action(actor)["actor"], "channel": "linkedin"});
    decide_and_perform(s, &connect);
    // Yesterday's post (more than a day ago) does not count today.
    let mut old = post_action(actor);
    old["at"] = json!((today - jiff::SignedDuration::from_hours(30)).to_string());
    let (status, v) = s.post("/v1/decide", &json!({"policy": "t", "action": old}).to_string());
    assert_eq!(status, 200, "{v}");
    let at = (today - jiff::SignedDuration::from_hours(30)).to_string();
    let (status, p) = s.post("/v1/performed", &json!({"decision_id": v["decision_id"], "at": at}).to_string());
    assert_eq!(status, 201, "{p}");
    assert_eq!(p["trusted"]["at_from"], "request");

    let (status, v) = s.post("/v1/decide", &json!({"policy": "t", "action": post_action(actor)}).to_string());
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["verdict"], "deny", "{v}");
    assert_eq!(v["deciding"], json!(["daily"]));
    // Another actor has no history yet.
    let other = format!("{actor}-other");
    let (_, v) = s.post("/v1/decide", &json!({"policy": "t", "action": post_action(&other)}).to_string());
    assert_eq!(v["verdict"], "allow", "{v}");

    let entries = log_json(log, Some(actor));
    assert_eq!(entries.iter().filter(|e| e["kind"] == "performed").count(), 4);
    let decision = entries.iter().rev().find(|e| e["kind"] == "decision").unwrap();
    let h = &decision["derived_history"];
    assert_eq!(h["posts_today"], 2, "{h}");
    assert_eq!(h["job_ads_this_week"], 1);
    assert_eq!(h["invitations_this_week"], 1);
    assert_eq!(h["posts_last_24h"], 2);
    // The text form, and the filters.
    let (code, out, _) = run(&["log", "--log", log, "--actor", actor]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 9, "{out}");
    assert!(out.lines().last().unwrap().contains("deny t [daily]  by tests"), "{out}");
    let (code, out, _) = run(&["log", "--log", log, "--actor", actor, "--since", "2999-01-01"]);
    assert_eq!((code, out.as_str()), (0, ""));
    let (code, _, err) = run(&["log", "--log", log, "--since", "yesterday"]);
    assert_eq!(code, 1);
    assert!(err.contains("--since"), "{err}");
}

#[test]
fn history_counters_are_derived_from_recorded_actions() {
    let dir = one_policy(ALLOW);
    let log = dir.join("log.sqlite");
    let s = Server::start_trusted(&dir, log.to_str().unwrap(), 2 * 86_400);
    derived_counters(&s, log.to_str().unwrap(), "carol");
}

/// Needs a PostgreSQL server (`SMPOLICY_TEST_PG_URL`). Without one it fails
/// under CI (any `CI` but empty, `0` or `false`) and elsewhere passes with a
/// "skipped" line written straight to standard error, past the harness's
/// capture, so that it shows in `cargo test`'s output; the `_needs_postgres`
/// ending says so in the list of tests too.
#[test]
fn the_log_is_shared_across_replicas_needs_postgres() {
    let Some(url) = std::env::var("SMPOLICY_TEST_PG_URL").ok().filter(|u| !u.is_empty()) else {
        let ci = std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"));
        assert!(!ci, "SMPOLICY_TEST_PG_URL is not set under CI: .ci/run starts PostgreSQL and sets it");
        let _ = writeln!(
            std::io::stderr(),
            "skipped: serve::the_log_is_shared_across_replicas_needs_postgres: SMPOLICY_TEST_PG_URL is not set \
             (bash .ci/run starts a PostgreSQL server and sets it)"
        );
        return;
    };
    let dir = one_policy(ALLOW);
    // Two replicas on one log: what one records, the other counts.
    let a = Server::start_trusted(&dir, &url, 2 * 86_400);
    let b = Server::start_trusted(&dir, &url, 2 * 86_400);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let actor = format!("pg-{nanos}");
    for _ in 0..2 {
        decide_and_perform(&a, &post_action(&actor));
    }
    let (status, v) = b.post("/v1/decide", &json!({"policy": "t", "action": post_action(&actor)}).to_string());
    assert_eq!((status, v["verdict"].as_str()), (200, Some("deny")), "{v}");
    let entries = log_json(&url, Some(&actor));
    assert_eq!(entries.len(), 5);
    assert_eq!(entries[4]["id"], v["decision_id"]);
    // Both replicas wrote to one chain.
    let (code, out, err) = run(&["log", "verify", "--log", &url]);
    assert_eq!(code, 0, "{out}{err}");
    // The database drops every connection: the replicas connect again.
    let out = Command::new("psql")
        .args([url.as_str(), "-qAtc"])
        .arg("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let dropped: u32 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    assert!(dropped >= 4, "only {dropped} connections dropped"); // two replicas, a writer and a reader each
    std::thread::sleep(Duration::from_millis(200));
    for s in [&a, &b] {
        let body = json!({"policy": "t", "action": post_action(&actor)}).to_string();
        // A request caught by the drop is refused (503), never acknowledged; the next one reconnects.
        let (status, v) = match s.post("/v1/decide", &body) {
            (503, _) => s.post("/v1/decide", &body),
            other => other,
        };
        assert_eq!(status, 200, "{v}");
    }
    // The full scenario on PostgreSQL too.
    derived_counters(&a, &url, &format!("{actor}-d"));
}

/// Sends decisions from `threads` threads until `stop`; returns the acknowledged ids and the failures.
fn load(base: &str, threads: usize, stop: Arc<AtomicBool>) -> Vec<std::thread::JoinHandle<(Vec<String>, Vec<String>)>> {
    (0..threads)
        .map(|t| {
            let base = base.to_string();
            let stop = stop.clone();
            std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(10)).build();
                let mut action = post_action(&format!("load-{t}"));
                action["history"] = json!({"posts_today": 0});
                let body = json!({"policy": "t", "action": action}).to_string();
                let (mut ids, mut failures) = (Vec::new(), Vec::new());
                while !stop.load(Ordering::Relaxed) {
                    match agent.post(&format!("{base}/v1/decide")).send_string(&body) {
                        Ok(r) => {
                            let v: Value =
                                serde_json::from_str(&r.into_string().unwrap_or_default()).unwrap_or_default();
                            match v["decision_id"].as_str() {
                                Some(id) => ids.push(id.to_string()),
                                None => failures.push(format!("no decision id: {v}")),
                            }
                        }
                        Err(e) => failures.push(e.to_string()),
                    }
                }
                (ids, failures)
            })
        })
        .collect()
}

#[test]
fn kill_9_under_load_loses_no_acknowledged_decision() {
    // Both SQLite modes keep what they acknowledged when the process dies.
    for sync in ["full", "normal"] {
        let dir = one_policy(ALLOW);
        let log = dir.join("log.sqlite");
        let mut s = Server::start(&dir, log.to_str().unwrap(), &["--sync", sync]);
        let stop = Arc::new(AtomicBool::new(false));
        let workers = load(&s.base, 4, stop.clone());
        std::thread::sleep(Duration::from_millis(1200));
        s.child.kill().unwrap(); // SIGKILL
        s.child.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        let mut acknowledged = Vec::new();
        for w in workers {
            acknowledged.extend(w.join().unwrap().0);
        }
        assert!(acknowledged.len() > 50, "--sync {sync}: too little load: {}", acknowledged.len());
        let logged: std::collections::HashSet<String> =
            log_json(log.to_str().unwrap(), None).into_iter().map(|e| e["id"].as_str().unwrap().to_string()).collect();
        let lost: Vec<&String> = acknowledged.iter().filter(|id| !logged.contains(*id)).collect();
        assert!(lost.is_empty(), "--sync {sync}: {} of {} acknowledged decisions lost", lost.len(), acknowledged.len());
    }
}

#[test]
fn a_corrupt_edit_under_load_fails_no_request() {
    let dir = one_policy(ALLOW);
    let log = dir.join("log.sqlite");
    // Edits settle quickly here, so that each broken version is seen and rejected.
    let s = Server::start(&dir, log.to_str().unwrap(), &["--settle-ms", "30"]);
    let stop = Arc::new(AtomicBool::new(false));
    let workers = load(&s.base, 4, stop.clone());
    let edits = AtomicUsize::new(0);
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(2) {
        // Half-written, broken, then good again, and a truncated file.
        edit(&dir.join("t.policy"), BROKEN);
        std::thread::sleep(Duration::from_millis(120));
        edit(&dir.join("t.policy"), &ALLOW[..ALLOW.len() / 2]);
        std::thread::sleep(Duration::from_millis(120));
        edit(&dir.join("t.policy"), ALLOW);
        std::thread::sleep(Duration::from_millis(120));
        edits.fetch_add(1, Ordering::Relaxed);
    }
    stop.store(true, Ordering::Relaxed);
    let (mut ok, mut failures) = (0, Vec::new());
    for w in workers {
        let (ids, f) = w.join().unwrap();
        ok += ids.len();
        failures.extend(f);
    }
    assert!(ok > 50, "too little load: {ok}");
    assert!(failures.is_empty(), "{} failed requests: {:?}", failures.len(), &failures[..failures.len().min(5)]);
    assert!(s.stderr().contains("not (re)loaded"), "the bad edits were not seen: {}", s.stderr());
}

#[test]
fn mangled_bodies_never_break_the_server() {
    let dir = one_policy(ALLOW);
    let log = dir.join("log.sqlite");
    let s = Server::start(&dir, log.to_str().unwrap(), &[]);
    let valid = [
        json!({"policy": "t", "action": post_action("m")}).to_string(),
        json!({"decision_id": "x"}).to_string(),
        json!({"policy": "t", "contract": {"employer": "E", "covenants": [{"kind": "non_compete", "months": 6}]}})
            .to_string(),
        json!({"old": "t", "new": {"source": ALLOW}}).to_string(),
    ];
    let paths = ["/v1/decide", "/v1/performed", "/v1/terms", "/v1/diff"];
    // A fixed pseudo-random sequence (xorshift), so a failure can be replayed.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for i in 0..400 {
        let k = i % valid.len();
        let mut bytes = valid[k].clone().into_bytes();
        match next() % 4 {
            0 => bytes.truncate((next() as usize) % bytes.len()),
            1 => {
                for _ in 0..1 + next() % 4 {
                    let at = (next() as usize) % bytes.len();
                    bytes[at] = (next() % 256) as u8;
                }
            }
            2 => {
                let at = (next() as usize) % bytes.len();
                let junk = [b"null".as_slice(), b"[]", b"{}", b"\"\xff\"", b"-1e999", b"99999999999999999999"];
                let j = junk[(next() as usize) % junk.len()];
                bytes.splice(at..at, j.iter().copied());
            }
            _ => {
                let a = (next() as usize) % bytes.len();
                let b = (next() as usize) % bytes.len();
                bytes.swap(a, b);
            }
        }
        let path = paths[k];
        let status = match s.agent.post(&format!("{}{path}", s.base)).send_bytes(&bytes) {
            Ok(r) => r.status(),
            Err(ureq::Error::Status(code, _)) => code,
            Err(e) => panic!("{path} {:?}: {e}", String::from_utf8_lossy(&bytes)),
        };
        assert!(status < 500, "{path} {:?}: {status}", String::from_utf8_lossy(&bytes));
    }
    assert_eq!(s.get("/healthz").0, 200);
    assert!(!s.stderr().contains("panicked"), "{}", s.stderr());
}
