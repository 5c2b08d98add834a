//! The decision service's limits and its log's upkeep: per-token rate
//! limits, masked fields, retention (`log prune`) that keeps the chain
//! verifiable, and checkpoints that tell a cut-off tail. Each test runs the
//! real binary on a loopback port.

use crate::serve::{
    decide_and_perform, log_json, one_policy, post_action, run, temp_dir, tokens_file, wait_for, Server, ALLOW,
};
use crate::serve_trust::{start_fails, tampered as copy_with};
use serde_json::{json, Value};
use smpolicy::serve::auth::token_hash;
use std::path::Path;
use std::time::{Duration, Instant};

fn verify(args: &[&str]) -> (i32, String) {
    let mut all = vec!["log", "verify"];
    all.extend_from_slice(args);
    let (code, out, err) = run(&all);
    (code, format!("{out}{err}"))
}

/// Stops `s` with SIGTERM and waits for it to exit (its last commit and checkpoint made).
fn stop(mut s: Server) {
    let kill = std::process::Command::new("kill").args(["-TERM", &s.child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let until = Instant::now() + Duration::from_secs(10);
    while s.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < until, "still running 10 s after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Every byte of the SQLite log `log` and its side files.
fn file_bytes(log: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for ext in ["sqlite", "sqlite-wal", "sqlite-shm"] {
        if let Ok(b) = std::fs::read(log.with_extension(ext)) {
            all.extend(b);
        }
    }
    all.to_ascii_lowercase()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn rate_limits_answer_429_before_any_work_and_log_nothing() {
    let dir = one_policy(ALLOW);
    let log = dir.join("log.sqlite");
    let tokens = dir.join("tokens.json");
    std::fs::write(
        &tokens,
        json!({"tokens": [
            {"name": "tool", "sha256": token_hash("tool-secret"), "scopes": ["decide"], "rate": "1/h", "burst": 2},
            {"name": "other", "sha256": token_hash("other-secret"), "scopes": ["decide"]},
            {"name": "bulk", "sha256": token_hash("bulk-secret"), "scopes": ["decide"], "rate": "unlimited"}
        ]})
        .to_string(),
    )
    .unwrap();
    let (d, l, t) = (dir.to_str().unwrap(), log.to_str().unwrap(), tokens.to_str().unwrap());
    let s = Server::start(&dir, l, &["--tokens", t, "--rate-limit", "3/h"]);
    let body = json!({"policy": "t", "action": post_action("rae")}).to_string();
    for _ in 0..2 {
        assert_eq!(s.post_as(Some("tool-secret"), "/v1/decide", &body).0, 200);
    }
    // Over the limit: 429 as JSON with Retry-After, before the body is read (a body that is not JSON gets 429, not 400).
    let r = s
        .agent
        .post(&format!("{}/v1/decide", s.base))
        .set("authorization", "Bearer tool-secret")
        .send_string("not even JSON");
    match r {
        Err(ureq::Error::Status(429, resp)) => {
            let retry: u64 = resp.header("retry-after").unwrap().parse().unwrap();
            // One an hour, two used at once: the next one in about an hour.
            assert!((3000..=3600).contains(&retry), "{retry}");
            let v: Value = serde_json::from_str(&resp.into_string().unwrap()).unwrap();
            assert_eq!(v["error"]["status"], 429);
            assert_eq!(v["error"]["path"], "header.authorization");
            assert_eq!(v["error"]["message"], "the token `tool` is over its rate limit of 1/h (burst 2)");
        }
        other => panic!("{other:?}"),
    }
    // Another token has its own allowance: the server's default, three an hour.
    for _ in 0..3 {
        assert_eq!(s.post_as(Some("other-secret"), "/v1/decide", &body).0, 200);
    }
    let (status, v) = s.post_as(Some("other-secret"), "/v1/decide", &body);
    assert_eq!(status, 429, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().ends_with("3/h (burst 3)"), "{v}");
    // A token marked unlimited is not counted.
    for _ in 0..10 {
        assert_eq!(s.post_as(Some("bulk-secret"), "/v1/decide", &body).0, 200);
    }
    // A request without a valid token is still 401, not 429: the limit is per token.
    assert_eq!(s.post_as(Some("wrong"), "/v1/decide", &body).0, 401);
    // The web pages count against the same allowance.
    let cookie = format!("smpolicy_token={}", "tool-secret".bytes().map(|b| format!("{b:02x}")).collect::<String>());
    match s.agent.get(&format!("{}/may-i", s.base)).set("cookie", &cookie).call() {
        Err(ureq::Error::Status(429, resp)) => {
            assert!(resp.header("retry-after").is_some());
            let page = resp.into_string().unwrap();
            assert!(page.contains("is over its rate limit of 1") && page.contains("(burst 2)"), "{page}");
        }
        other => panic!("{other:?}"),
    }
    let cookie = format!("smpolicy_token={}", "bulk-secret".bytes().map(|b| format!("{b:02x}")).collect::<String>());
    assert_eq!(s.agent.get(&format!("{}/may-i", s.base)).set("cookie", &cookie).call().unwrap().status(), 200);
    // Nothing was logged for the refused requests.
    assert_eq!(log_json(l, None).len(), 15);
    drop(s);

    // A rate that does not read stops the start, naming the field; so does a bad --rate-limit.
    std::fs::write(
        &tokens,
        json!({"tokens": [{"name": "a", "sha256": token_hash("a"), "scopes": ["decide"], "rate": "5/day"}]})
            .to_string(),
    )
    .unwrap();
    let err = start_fails(&["--policies", d, "--listen", "127.0.0.1:0", "--log", l, "--tokens", t]);
    assert!(err.contains("tokens[0].rate: expected a rate such as `20/s`"), "{err}");
    let err = start_fails(&["--policies", d, "--listen", "127.0.0.1:0", "--log", l, "--rate-limit", "fast"]);
    assert!(err.contains("error: --rate-limit: expected a rate"), "{err}");
}

#[test]
fn masked_fields_never_reach_the_database_file_and_still_link() {
    let dir = one_policy(ALLOW);
    let log = dir.join("log.sqlite");
    let key = dir.join("mask.key");
    std::fs::write(&key, "6f1d0c8e52a94b7f0e3d2c1b5a49687766554433221100ffeeddccbbaa998877\n").unwrap();
    let all: &[&str] = &["decide", "perform", "log"];
    let tokens = tokens_file(&dir, &[("tests", "test-token", all)]);
    let (d, l, k, t) = (dir.to_str().unwrap(), log.to_str().unwrap(), key.to_str().unwrap(), tokens.to_str().unwrap());
    let mut s =
        Server::start(&dir, l, &["--tokens", t, "--mask", "actor.id", "--mask", "content.text", "--mask-key", k]);
    s.token = Some("test-token".into());
    let mut action = post_action("Zelda Quux ");
    action["content"]["text"] = json!("call Zelda on +44 7700 900123");
    decide_and_perform(&s, &action);
    // The same person links across entries: the next decision counts the post performed under the mask.
    action["actor"]["id"] = json!("ZELDA QUUX");
    let (status, v) = s.post("/v1/decide", &json!({"policy": "t", "action": action}).to_string());
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["trusted"]["history"]["posts_today"], 1, "{v}");
    // The answer to the caller still names the actor as it was sent (normalized).
    assert_eq!(v["trusted"]["actor_id"], "zelda quux");
    // /v1/log finds the person by the clear id: the server masks the query.
    let (status, v) = s.get("/v1/log?actor=Zelda%20Quux");
    assert_eq!(status, 200, "{v}");
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3, "{v}");
    let masked = entries[0]["actor"].as_str().unwrap().to_string();
    assert!(masked.starts_with("masked:") && masked.len() == 39, "{masked}");
    assert!(entries.iter().all(|e| e["actor"] == masked.as_str()), "{v}");
    assert_eq!(entries[0]["input"]["actor"]["id"], masked.as_str());
    assert!(entries[0]["input"]["content"]["text"].as_str().unwrap().starts_with("masked:"));
    assert_eq!(entries[0]["input"]["content"]["kind"], "industry", "unmasked fields stay");
    stop(s);

    // The clear values are nowhere in the database's files.
    let bytes = file_bytes(&log);
    assert!(bytes.len() > 4096);
    for clear in ["zelda", "quux", "7700 900123"] {
        assert!(!contains(&bytes, clear), "`{clear}` is in the log's files");
    }
    assert!(contains(&bytes, &masked));
    // `smpolicy log` shows the masked value; with the key, `--actor` finds the person.
    let (code, out, _) = run(&["log", "--log", l]);
    assert_eq!(code, 0);
    assert!(out.contains(&masked) && !out.to_lowercase().contains("zelda"), "{out}");
    assert_eq!(log_json(l, Some("zelda quux")).len(), 0);
    let (code, out, err) = run(&["log", "--log", l, "--actor", "Zelda Quux", "--mask-key", k]);
    assert_eq!((code, out.lines().count()), (0, 3), "{out}{err}");
    // The chain covers the masked form.
    let (code, out) = verify(&["--log", l]);
    assert_eq!(code, 0, "{out}");

    // A field the policy decides on cannot be masked; masking needs a key, and a key of some length.
    let base = ["--policies", d, "--listen", "127.0.0.1:0", "--log", l];
    let err = start_fails(&[&base[..], &["--mask", "actor.role", "--mask-key", k]].concat());
    assert!(err.contains("`actor.role` cannot be masked"), "{err}");
    let err = start_fails(&[&base[..], &["--mask", "actor.id"]].concat());
    assert!(err.contains("`--mask` needs `--mask-key FILE`"), "{err}");
    let short = dir.join("short.key");
    std::fs::write(&short, "abc").unwrap();
    let err = start_fails(&[&base[..], &["--mask", "actor.id", "--mask-key", short.to_str().unwrap()]].concat());
    assert!(err.contains("holds 3 bytes; a key needs at least 16"), "{err}");
}

#[test]
fn prune_archives_old_entries_and_the_chain_still_verifies() {
    let dir = one_policy(ALLOW);
    let log = dir.join("log.sqlite");
    let l = log.to_str().unwrap();
    let s = Server::start(&dir, l, &[]);
    for i in 0..3 {
        decide_and_perform(&s, &post_action(&format!("oldie{i}")));
    }
    std::thread::sleep(Duration::from_millis(30));
    let cut = jiff::Timestamp::now().to_string();
    std::thread::sleep(Duration::from_millis(30));
    for i in 0..2 {
        decide_and_perform(&s, &post_action(&format!("newer{i}")));
    }
    let before: Vec<Value> = log_json(l, None);
    assert_eq!(before.len(), 10);

    // Pruned while the server runs: the six oldest entries, archived first.
    let archive = dir.join("archive.jsonl");
    let a = archive.to_str().unwrap();
    let (code, out, err) = run(&["log", "prune", "--log", l, "--before", &cut, "--archive", a]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with(&format!("pruned 6 entries recorded before {}", &cut[..19])), "{out}");
    let archived: Vec<Value> =
        std::fs::read_to_string(&archive).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    // Each line as `log --format json` shows the entry, with the chained columns as stored besides.
    let shown: Vec<Value> = archived
        .iter()
        .map(|a| {
            let mut a = a.clone();
            assert!(a.as_object_mut().unwrap().remove("chained").is_some(), "no chained columns: {a}");
            a
        })
        .collect();
    assert_eq!(shown, before[..6].to_vec(), "the archive holds the pruned entries as `log --format json` shows them");
    assert_eq!(log_json(l, None), before[6..].to_vec());
    let (code, out) = verify(&["--log", l]);
    assert_eq!(code, 0, "{out}");
    let anchor_line =
        format!("anchor: 6 older entries were pruned (the last, {}, on ", before[5]["id"].as_str().unwrap());
    assert!(out.starts_with(&anchor_line), "{out}");
    assert!(out.contains(&format!("the chain is checked from its hash {}", before[5]["hash"].as_str().unwrap())));
    assert!(out.contains("\nok: 4 entries; chain head "), "{out}");

    // The archive and the log together: one unbroken chain, checked without the pruned rows.
    let (code, out) = verify(&["--log", l, "--archive", a]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with("archive: 6 entries, chained from the first entry ever, up to the log's anchor\n"),
        "{out}"
    );
    let text = std::fs::read_to_string(&archive).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let tampered = |tag: &str, body: String| {
        let p = dir.join(format!("archive-{tag}.jsonl"));
        std::fs::write(&p, body).unwrap();
        verify(&["--log", l, "--archive", p.to_str().unwrap()])
    };
    // An archived entry edited: found at its line.
    let (code, out) = tampered("edited", text.replacen("\"verdict\":\"allow\"", "\"verdict\":\"deny\"", 1));
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("broken: archive line 1 (id "), "{out}");
    // A line deleted from the middle: the next line no longer chains.
    let (code, out) = tampered("deleted", [&lines[..2], &lines[3..]].concat().join("\n"));
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("broken: archive line 3 (id "), "{out}");
    // The last line cut: the archive no longer reaches the log's anchor.
    let (code, out) = tampered("cut", lines[..5].join("\n"));
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("the archive does not end at the log's anchor"), "{out}");

    // The server goes on after the prune, chained to what is left.
    decide_and_perform(&s, &post_action("later"));
    // Everything pruned while it runs: its next entry chains from the anchor.
    let (code, out, err) = run(&["log", "prune", "--log", l, "--older-than", "0"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("pruned 6 entries"), "{out}");
    let (code, out) = verify(&["--log", l]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("anchor: 12 older entries were pruned") && out.contains("ok: 0 entries"), "{out}");
    let (status, v) = s.post("/v1/decide", &json!({"policy": "t", "action": post_action("after")}).to_string());
    assert_eq!(status, 200, "{v}");
    let (code, out) = verify(&["--log", l]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("ok: 1 entries"), "{out}");
    let (code, out, _) = run(&["log", "prune", "--log", l, "--older-than", "30"]);
    assert_eq!((code, out.starts_with("nothing to prune: no entry was recorded before ")), (0, true), "{out}");
    stop(s);

    // What was pruned is gone from the database's files (deleted content is overwritten).
    let bytes = file_bytes(&log);
    assert!(!contains(&bytes, "oldie0") && !contains(&bytes, "newer1"), "pruned entries are still in the file");
    assert!(contains(&bytes, "after"));

    // After a prune, tampering is still found: the entry after the anchor, the anchor itself, or no anchor.
    let cases = [
        ("edited", "UPDATE smpolicy_log SET verdict = 'deny'", "broken: entry 1 "),
        (
            "anchor-edited",
            "UPDATE smpolicy_anchor SET hash = replace(hash, substr(hash, 1, 1), 'x')",
            "broken: entry 1 ",
        ),
        ("anchor-deleted", "DELETE FROM smpolicy_anchor", "broken: entry 1 "),
    ];
    for (tag, sql, first) in cases {
        let copy = copy_with(&log, tag, sql);
        let (code, out) = verify(&["--log", copy.to_str().unwrap()]);
        assert_eq!(code, 3, "{tag}: {out}");
        assert!(out.lines().any(|l| l.starts_with(first)), "{tag}: {out}");
    }
    // A bad cutoff is an error.
    let (code, _, err) = run(&["log", "prune", "--log", l, "--before", "last week"]);
    assert_eq!((code, err.contains("--before: expected a date")), (1, true), "{err}");
}

/// A copy of `log` with its second entry's verdict changed and the chain hashed again from there, as someone
/// who knows the algorithm but not the checkpoint key would do it: the chain alone then holds.
fn rechained(log: &Path, tag: &str) -> std::path::PathBuf {
    use smpolicy::serve::log::{chain_hash, scan, Filter, Location, GENESIS};
    let copy = copy_with(log, tag, "UPDATE smpolicy_log SET verdict = 'deny' WHERE rowid = 2");
    // The entries as stored, in the order written, read as `log verify` reads them.
    let mut rows = Vec::new();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(scan(&Location::Sqlite(copy.clone()), &Filter::default(), &mut |s| {
        rows.push((s.entry, s.deciding));
        Ok(())
    }))
    .unwrap();
    let conn = rusqlite::Connection::open(&copy).unwrap();
    let mut prev = GENESIS.to_string();
    for (e, deciding) in rows {
        prev = chain_hash(&prev, &e, &deciding);
        conn.execute("UPDATE smpolicy_log SET hash = ?1 WHERE id = ?2", rusqlite::params![prev, e.id]).unwrap();
    }
    drop(conn);
    copy
}

fn checkpoint_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path).unwrap_or_default().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn checkpoints_tell_a_cut_off_tail_that_the_chain_alone_cannot() {
    let dir = one_policy(ALLOW);
    let log = dir.join("log.sqlite");
    let checkpoints = dir.join("checkpoints.jsonl");
    let key = dir.join("checkpoint.key");
    std::fs::write(&key, "a1b2c3d4e5f60718293a4b5c6d7e8f90").unwrap();
    let (l, c, k) = (log.to_str().unwrap(), checkpoints.to_str().unwrap(), key.to_str().unwrap());
    let s = Server::start(&dir, l, &["--checkpoints", c, "--checkpoint-key", k, "--checkpoint-every-s", "1"]);
    decide_and_perform(&s, &post_action("cy0"));
    // Made every second while the head moves.
    wait_for("a checkpoint", || checkpoint_lines(&checkpoints).iter().any(|c| c["position"] == 2));
    for i in 1..3 {
        decide_and_perform(&s, &post_action(&format!("cy{i}")));
    }
    // And once more at shutdown, after the last commit.
    stop(s);
    let lines = checkpoint_lines(&checkpoints);
    let last = lines.last().unwrap();
    assert_eq!(last["position"], 6, "{lines:?}");
    assert_eq!(last["hash"], log_json(l, None)[5]["hash"]);
    assert_eq!(last["mac"].as_str().unwrap().len(), 64);

    let with = |log: &str| verify(&["--log", log, "--checkpoints", c, "--checkpoint-key", k]);
    let (code, out) = with(l);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&format!("\ncheckpoints: {} match; the newest, line {}", lines.len(), lines.len())), "{out}");
    assert!(out.trim_end().ends_with("at entry 6"), "{out}");

    // The newest two entries cut off: the chain alone still holds, the checkpoints tell.
    let cut = copy_with(&log, "cut", "DELETE FROM smpolicy_log WHERE rowid > 4");
    let cut = cut.to_str().unwrap();
    let (code, out) = verify(&["--log", cut]);
    assert_eq!(code, 0, "the plain chain cannot tell: {out}");
    let (code, out) = with(cut);
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains(&format!(
            "broken: truncated: checkpoint line {} (made {}) recorded 6 entries, up to entry {}",
            lines.len(),
            last["made_at"].as_str().unwrap(),
            last["entry"].as_str().unwrap()
        )) && out.contains("the log ends at 4: its newest 2 entries were deleted"),
        "{out}"
    );

    // An entry rewritten and the chain hashed again from it: the chain alone holds, the checkpoints tell.
    let rewritten = rechained(&log, "rewritten");
    let rw = rewritten.to_str().unwrap();
    let (code, out) = verify(&["--log", rw]);
    assert_eq!(code, 0, "the plain chain cannot tell: {out}");
    let (code, out) = with(rw);
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains("broken: entry 2 (id ")
            && out.contains("this entry or ones before it were rewritten, deleted or inserted"),
        "{out}"
    );

    // A checkpoint file edited to fit the cut: the signature no longer holds; an unsigned line is refused.
    let forged = dir.join("forged.jsonl");
    let text = std::fs::read_to_string(&checkpoints).unwrap();
    std::fs::write(&forged, text.replace("\"position\":6", "\"position\":4")).unwrap();
    let f = forged.to_str().unwrap();
    let (code, out) = verify(&["--log", cut, "--checkpoints", f, "--checkpoint-key", k]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("its signature does not match the key: the line was forged or edited"), "{out}");
    let mut unsigned = last.clone();
    unsigned.as_object_mut().unwrap().remove("mac");
    std::fs::write(&forged, format!("{text}{unsigned}\n")).unwrap();
    let (code, out) = verify(&["--log", l, "--checkpoints", f, "--checkpoint-key", k]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("it is not signed, and a key was given"), "{out}");
    // Without the key the signatures are not checked (and it says so), but the positions still are.
    let (code, out) = verify(&["--log", cut, "--checkpoints", c]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("signatures not checked (give --checkpoint-key)"), "{out}");

    // After a prune, checkpoints of pruned entries are not checked, and the rest still are.
    let (code, _, err) = run(&["log", "prune", "--log", l, "--older-than", "0"]);
    assert_eq!(code, 0, "{err}");
    let (code, out) = with(l);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("of pruned entries, not checked"), "{out}");
    let (code, out) = verify(&["--log", l, "--checkpoints", &temp_dir("none").join("x.jsonl").to_string_lossy()]);
    assert_eq!(code, 1, "{out}");
}

/// Runs `sql` on the PostgreSQL database at `url`.
pub(crate) fn pg(url: &str, sql: &str) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(conn);
        client.batch_execute(sql).await.unwrap();
    });
}

/// Pruning and checkpoints share their code path with SQLite but not their SQL: the same story on PostgreSQL,
/// in a database of its own (pruning empties the log). Skipped (and said so) without `SMPOLICY_TEST_PG_URL`, as
/// `serve::the_log_is_shared_across_replicas_needs_postgres` is.
#[test]
fn prune_and_checkpoints_on_postgres_needs_postgres() {
    let Some(url) = std::env::var("SMPOLICY_TEST_PG_URL").ok().filter(|u| !u.is_empty()) else {
        let ci = std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"));
        assert!(!ci, "SMPOLICY_TEST_PG_URL is not set under CI: .ci/run starts PostgreSQL and sets it");
        eprintln!(
            "skipped: serve_log::prune_and_checkpoints_on_postgres_needs_postgres: SMPOLICY_TEST_PG_URL is not set"
        );
        return;
    };
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let name = format!("smpolicy_prune_{nanos}");
    pg(&url, &format!("CREATE DATABASE {name}"));
    let db = format!("{}/{name}", url.rsplit_once('/').unwrap().0);
    let dir = one_policy(ALLOW);
    let checkpoints = dir.join("checkpoints.jsonl");
    let c = checkpoints.to_str().unwrap();
    let args = ["--checkpoints", c, "--checkpoint-every-s", "1"];

    let s = Server::start(&dir, &db, &args);
    decide_and_perform(&s, &post_action("pg0"));
    std::thread::sleep(Duration::from_millis(30));
    let cut = jiff::Timestamp::now().to_string();
    std::thread::sleep(Duration::from_millis(30));
    for i in 1..3 {
        decide_and_perform(&s, &post_action(&format!("pg{i}")));
    }
    stop(s);
    assert_eq!(checkpoint_lines(&checkpoints).last().unwrap()["position"], 6);
    let (code, out) = verify(&["--log", &db, "--checkpoints", c]);
    assert_eq!(code, 0, "{out}");

    let (code, out, err) = run(&["log", "prune", "--log", &db, "--before", &cut]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("pruned 2 entries"), "{out}");
    let (code, out) = verify(&["--log", &db, "--checkpoints", c]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("anchor: 2 older entries were pruned") && out.contains("ok: 4 entries"), "{out}");

    // Everything pruned, then the server's next entry chains from the anchor.
    let (code, out, err) = run(&["log", "prune", "--log", &db, "--older-than", "0"]);
    assert_eq!((code, out.starts_with("pruned 4 entries")), (0, true), "{out}{err}");
    let s = Server::start(&dir, &db, &args);
    let (status, v) = s.post("/v1/decide", &json!({"policy": "t", "action": post_action("pg9")}).to_string());
    assert_eq!(status, 200, "{v}");
    stop(s);
    let (code, out) = verify(&["--log", &db, "--checkpoints", c]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("ok: 1 entries") && out.contains("at entry 7"), "{out}");

    // The newest entry cut off: only the checkpoints tell.
    pg(&db, "DELETE FROM smpolicy_log WHERE seq = (SELECT max(seq) FROM smpolicy_log)");
    assert_eq!(verify(&["--log", &db]).0, 0);
    let (code, out) = verify(&["--log", &db, "--checkpoints", c]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("the log ends at 6: its newest 1 entries were deleted"), "{out}");
}

#[test]
fn masked_decisions_can_still_be_approved_and_performed() {
    let policy = "policy \"t\" default allow\n\nroles marketing, consultant\n\nposting on youtube {\n  brand-videos: require approval from marketing for brand\n}\n";
    let dir = one_policy(policy);
    let log = dir.join("log.sqlite");
    let key = dir.join("mask.key");
    std::fs::write(&key, "00112233445566778899aabbccddeeff").unwrap();
    let tokens =
        tokens_file(&dir, &[("tool", "tool-secret", &["decide", "perform"]), ("lead", "lead-secret", &["approve"])]);
    let (l, k, t) = (log.to_str().unwrap(), key.to_str().unwrap(), tokens.to_str().unwrap());
    let s = Server::start(&dir, l, &["--tokens", t, "--mask", "actor.id", "--mask", "account.handle", "--mask-key", k]);
    let action = json!({"action": "post", "actor": {"id": "Yusuf", "role": "consultant", "status": "employed"},
        "channel": "youtube", "account": {"handle": "@yusuf_recruits"}, "content": {"kind": "brand"}});
    let (status, v) =
        s.post_as(Some("tool-secret"), "/v1/decide", &json!({"policy": "t", "action": action}).to_string());
    assert_eq!((status, v["verdict"].as_str()), (200, Some("require-approval")), "{v}");
    let id = v["decision_id"].clone();
    // The approval decides the logged (masked) action again; masked fields are ones no policy reads.
    let (status, a) =
        s.post_as(Some("lead-secret"), "/v1/approve", &json!({"decision_id": id, "role": "marketing"}).to_string());
    assert_eq!((status, a["verdict"].as_str()), (201, Some("allow")), "{a}");
    let (status, p) = s.post_as(Some("tool-secret"), "/v1/performed", &json!({"decision_id": id}).to_string());
    assert_eq!(status, 201, "{p}");
    assert!(p["actor"].as_str().unwrap().starts_with("masked:"), "{p}");
    stop(s);
    let bytes = file_bytes(&log);
    assert!(!contains(&bytes, "yusuf"), "the clear id or handle is in the log's files");
    assert_eq!(log_json(l, None).len(), 3);
    assert_eq!(verify(&["--log", l]).0, 0);
}
