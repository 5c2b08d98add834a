//! A bounded-time fuzz harness (proptest) for the two parsers that take
//! untrusted text: the `/v1/decide` body → `Action` (the service's request
//! parser, as the endpoint reads it) and the policy parser and checker.
//! Inputs are valid documents mutated at random (fields dropped, values
//! swapped for other JSON, bytes cut, inserted or flipped; policy tokens
//! deleted, repeated or replaced) and plain random text.
//!
//! What must hold for every input: no panic, and the error contract — a
//! request error names the field (`action.actor.status`) or, for text that
//! is not JSON, the line and column; a policy diagnostic points inside the
//! file and renders as `file:line:col`.
//!
//! Each target runs for `FUZZ_SECONDS` (default 5) of cases, from
//! `PROPTEST_RNG_SEED` in CI (reproducible) or a fresh seed locally. cargo-fuzz
//! would need a nightly toolchain in CI; this runs on stable with the
//! suite.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::{json, Value};
use smpolicy::source::SourceFile;
use std::time::{Duration, Instant};

fn budget() -> Duration {
    Duration::from_secs(std::env::var("FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(5))
}

/// Cases a round.
const ROUND: u32 = 64;

/// The seed: `PROPTEST_RNG_SEED` (CI), else drawn from the clock.
fn seed() -> u64 {
    std::env::var("PROPTEST_RNG_SEED").ok().and_then(|s| s.parse::<u64>().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
    })
}

/// A runner for round `round`, seeded from `seed` and the round (so a failure can be replayed).
fn runner(seed: u64, round: u64) -> TestRunner {
    let config = Config { cases: ROUND, failure_persistence: None, ..Config::default() };
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..16].copy_from_slice(&round.to_le_bytes());
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// Runs `test` on values of `strategy` until the time budget is spent (at least one round); the number of cases run.
fn fuzz<S: Strategy>(strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>) -> u64
where
    S::Value: std::fmt::Debug,
{
    let seed = seed();
    let until = Instant::now() + budget();
    let mut round = 0;
    loop {
        if let Err(e) = runner(seed, round).run(&strategy, &test) {
            panic!("{e}\n(PROPTEST_RNG_SEED={seed}, round {round})");
        }
        round += 1;
        if Instant::now() >= until {
            return round * u64::from(ROUND);
        }
    }
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "post",
            "connect",
            "consultant",
            "employed",
            "departed",
            "linkedin",
            "industry",
            "job_ad",
            "2026-03-14",
            "2026-02-30",
            "2026-03-14T10:00:00Z",
            "client",
            "",
        ])
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,10}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn decide_body() -> Value {
    json!({"policy": "t", "action": {
        "action": "post", "at": "2026-03-14T10:00:00Z",
        "actor": {"id": "alice", "role": "consultant", "status": "employed", "employed_since": "2024-01-01"},
        "channel": "linkedin", "content": {"kind": ["industry"], "text": "hello"},
        "target": {"relationship": "client", "interacted": true},
        "history": {"posts_today": 1}, "approval": {"granted_by": "marketing"}
    }})
}

/// Every (path, value) position of `v`, as a list of keys and indices.
fn positions(v: &Value, at: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => m.iter().for_each(|(k, x)| {
            let mut p = at.clone();
            p.push(k.clone());
            positions(x, p, out)
        }),
        Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| {
            let mut p = at.clone();
            p.push(i.to_string());
            positions(x, p, out)
        }),
        _ => {}
    }
}

fn at_mut<'a>(v: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |v, k| match v {
        Value::Object(m) => m.get_mut(k),
        Value::Array(a) => k.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
        _ => None,
    })
}

#[derive(Debug, Clone)]
enum Edit {
    /// Replace the value at position `n` (modulo their count) by another.
    Replace(usize, Value),
    /// Drop the key at position `n`.
    Drop(usize),
    /// Add a key to the object at position `n`.
    Add(usize, String, Value),
}

/// A decide body: a valid one edited as JSON, then perhaps damaged as bytes.
fn mutated_body() -> impl Strategy<Value = Vec<u8>> {
    let edit = prop_oneof![
        (any::<usize>(), any_json()).prop_map(|(n, v)| Edit::Replace(n, v)),
        any::<usize>().prop_map(Edit::Drop),
        (any::<usize>(), "[a-z_]{1,10}", any_json()).prop_map(|(n, k, v)| Edit::Add(n, k, v)),
    ];
    let bytes = prop_oneof![
        3 => Just(None),
        1 => (any::<usize>(), any::<u8>()).prop_map(Some),
    ];
    (prop::collection::vec(edit, 0..4), bytes, any::<Option<usize>>()).prop_map(|(edits, damage, cut)| {
        let mut v = decide_body();
        for e in edits {
            let mut all = Vec::new();
            positions(&v, Vec::new(), &mut all);
            let pick = |n: usize| all.get(n % all.len()).cloned().unwrap_or_default();
            match e {
                Edit::Replace(n, x) => {
                    if let Some(slot) = at_mut(&mut v, &pick(n)) {
                        *slot = x;
                    }
                }
                Edit::Drop(n) => {
                    let p = pick(n);
                    if let Some((last, parent)) = p.split_last() {
                        if let Some(Value::Object(m)) = at_mut(&mut v, parent) {
                            m.remove(last);
                        }
                    }
                }
                Edit::Add(n, k, x) => {
                    if let Some(Value::Object(m)) = at_mut(&mut v, &pick(n)) {
                        m.insert(k, x);
                    }
                }
            }
        }
        let mut bytes = v.to_string().into_bytes();
        if let Some((at, b)) = damage {
            let i = at % bytes.len();
            bytes[i] = b;
        }
        if let Some(n) = cut {
            bytes.truncate(n % (bytes.len() + 1));
        }
        bytes
    })
}

const DECIDE_POLICY: &str = "policy \"t\" default allow\n\nroles consultant, marketing\n\nposting on linkedin {\n  daily: limit 2 posts per day\n}\n";

/// The error contract of a `/v1/decide` body.
fn check_body(body: &[u8], policy: &smpolicy::policy::Policy) -> Result<(), TestCaseError> {
    let Err(e) = smpolicy::serve::api::read_decide_body(body, policy) else { return Ok(()) };
    let (status, path, message, _) = e.parts();
    let shown = String::from_utf8_lossy(body);
    prop_assert_eq!(status.as_u16(), 400, "{} {}: {}", path, message, shown);
    prop_assert!(!message.is_empty(), "empty message for {}", shown);
    if let Some(top) = serde_json::from_slice::<Value>(body).ok().and_then(|v| v.as_object().cloned()) {
        // Well-formed JSON: the error names the field (`policy`, `action`, `action.actor.status`, ...),
        // or a top-level key the body has (an unknown one may hold dots: `.olicy`).
        prop_assert!(!path.is_empty(), "no field named: {} for {}", message, shown);
        prop_assert!(
            ["policy", "action"].iter().any(|f| path == *f || path.starts_with(&format!("{f}.")))
                || !path.contains('.')
                || top.contains_key(path),
            "path `{}` outside the body: {} for {}",
            path,
            message,
            shown
        );
    } else if !path.is_empty() {
        // Not JSON, but the parser got as far as a field: it is named.
    } else {
        prop_assert!(
            message.contains("line") && message.contains("column"),
            "a syntax error without its line and column: {} for {}",
            message,
            shown
        );
    }
    Ok(())
}

#[test]
fn decide_bodies_never_panic_and_errors_name_the_field() {
    let loaded = smpolicy::serve::registry::load_text("t", std::path::Path::new("t.policy"), DECIDE_POLICY.to_string())
        .unwrap_or_else(|e| panic!("{}", e.message));
    // The valid body decides; what the harness mutates starts from something the parser takes.
    assert!(smpolicy::serve::api::read_decide_body(decide_body().to_string().as_bytes(), &loaded.policy).is_ok());
    let cases = fuzz(mutated_body(), |body| check_body(&body, &loaded.policy));
    let random = fuzz(prop::collection::vec(any::<u8>(), 0..200), |body| check_body(&body, &loaded.policy));
    eprintln!("decide bodies: {cases} mutated, {random} random");
}

/// Pieces of the policy language, to insert into policies.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "\"",
    ":",
    ",",
    "policy",
    "default",
    "allow",
    "deny",
    "roles",
    "posting",
    "on",
    "limit",
    "per",
    "day",
    "week",
    "require",
    "approval",
    "from",
    "unless",
    "when",
    "and",
    "or",
    "not",
    "\n",
    " ",
    "0",
    "99999999999999999999",
    "-1",
    "2026-02-30",
    "é",
    "\u{202e}",
    "\t",
    "#",
    "//",
    "/*",
    "*/",
    "\\",
    "💼",
];

#[derive(Debug, Clone)]
enum PolicyEdit {
    Delete(usize, usize),
    Insert(usize, usize),
    Repeat(usize, usize),
    Cut(usize),
}

fn mutated_policy(sources: Vec<String>) -> impl Strategy<Value = (usize, String)> {
    let n = sources.len();
    let edit = prop_oneof![
        (any::<usize>(), 1..40usize).prop_map(|(a, l)| PolicyEdit::Delete(a, l)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, t)| PolicyEdit::Insert(a, t)),
        (any::<usize>(), 1..80usize).prop_map(|(a, l)| PolicyEdit::Repeat(a, l)),
        any::<usize>().prop_map(PolicyEdit::Cut),
    ];
    (0..n, prop::collection::vec(edit, 1..5)).prop_map(move |(i, edits)| {
        let mut text: Vec<char> = sources[i].chars().collect();
        for e in edits {
            let len = text.len().max(1);
            match e {
                PolicyEdit::Delete(a, l) => {
                    let a = a % len;
                    let b = (a + l).min(text.len());
                    if a < b {
                        text.drain(a..b);
                    }
                }
                PolicyEdit::Insert(a, t) => {
                    let a = a % (text.len() + 1);
                    let tok: Vec<char> = TOKENS[t % TOKENS.len()].chars().collect();
                    text.splice(a..a, tok);
                }
                PolicyEdit::Repeat(a, l) => {
                    let a = a % len;
                    let b = (a + l).min(text.len());
                    if a < b {
                        let piece: Vec<char> = text[a..b].to_vec();
                        text.splice(b..b, piece);
                    }
                }
                PolicyEdit::Cut(a) => text.truncate(a % (text.len() + 1)),
            }
        }
        (i, text.into_iter().collect())
    })
}

/// The error contract of the policy parser and checker.
fn check_policy(name: &str, text: &str) -> Result<(), TestCaseError> {
    let file = SourceFile::new(format!("{name}.policy"), text.to_string());
    let diags = match smpolicy::check::check_source(&file) {
        Ok((_, report)) => report.diagnostics,
        Err(diags) => {
            prop_assert!(!diags.is_empty(), "a failure without a diagnostic");
            diags
        }
    };
    let lines = text.lines().count() + 1;
    for d in &diags {
        prop_assert!(!d.message.is_empty());
        for l in &d.labels {
            prop_assert!(
                l.span.start <= l.span.end && l.span.end <= text.len(),
                "span {:?} outside the file ({} bytes): {}",
                l.span,
                text.len(),
                d.message
            );
            prop_assert!(text.is_char_boundary(l.span.start) && text.is_char_boundary(l.span.end));
        }
        let short = smpolicy::diagnostic::short(d, &file);
        let rest = short.strip_prefix(&format!("{name}.policy:")).unwrap_or("");
        let mut parts = rest.splitn(3, ':');
        let line: usize = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
        let col: usize = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
        prop_assert!(line >= 1 && line <= lines && col >= 1, "not file:line:col: {}", short);
        // The full rendering (source line and caret) does not panic either.
        let _ = smpolicy::diagnostic::render(d, &file, smpolicy::diagnostic::RenderOptions::default());
    }
    Ok(())
}

#[test]
fn policies_never_panic_and_diagnostics_point_into_the_file() {
    let sources: Vec<String> = crate::util::all_policies().into_iter().map(|f| f.text.to_string()).collect();
    assert!(sources.len() > 3);
    let cases = fuzz(mutated_policy(sources), |(i, text)| check_policy(&format!("p{i}"), &text));
    let random = fuzz("\\PC{0,300}", |text| check_policy("r", &text));
    eprintln!("policies: {cases} mutated, {random} random");
}
