//! The machine-readable contract: the shipped JSON Schemas
//! (`docs/schemas/NAME.json`) are the generated ones, `smpolicy schema`
//! prints them, and real inputs and outputs over the corpus (the scenarios,
//! `tests/cases`, `policies/`, the compare pack, the examples) validate
//! against them, error records included. The service's answers are held to
//! its `/openapi.json` in `openapi_conformance`.
//!
//! After changing an input or output type, regenerate the shipped files:
//! `SMPOLICY_WRITE_SCHEMAS=1 cargo test --locked --test tests schemas::shipped`
//! (or `smpolicy schema NAME > docs/schemas/NAME.json` for each name).

use crate::util::{root, run, run_stdin, stderr, stdout};
use serde_json::Value;
use smpolicy::json_schemas::{Direction, ALL};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Compiled schemas, by name or by a location in a document, for validating instances.
pub(crate) struct Validator {
    schemas: boon::Schemas,
    compiler: boon::Compiler,
    compiled: BTreeMap<String, boon::SchemaIndex>,
}

impl Validator {
    pub(crate) fn new() -> Validator {
        let mut compiler = boon::Compiler::new();
        compiler.enable_format_assertions();
        compiler.set_default_draft(boon::Draft::V2020_12);
        Validator { schemas: boon::Schemas::new(), compiler, compiled: BTreeMap::new() }
    }

    /// Adds a document (a schema, or an OpenAPI document) under `url`.
    pub(crate) fn add(&mut self, url: &str, doc: Value) {
        self.compiler.add_resource(url, doc).unwrap_or_else(|e| panic!("{url}: {e}"));
    }

    /// The schema at `location` (`url` or `url#/pointer`), compiled once: a
    /// schema that breaks its draft's meta-schema panics, naming where.
    pub(crate) fn compile(&mut self, location: &str) -> boon::SchemaIndex {
        match self.compiled.get(location) {
            Some(i) => *i,
            None => {
                let i =
                    self.compiler.compile(location, &mut self.schemas).unwrap_or_else(|e| panic!("{location}: {e:#}"));
                self.compiled.insert(location.to_string(), i);
                i
            }
        }
    }

    /// Validates `instance` against the schema at `location` (`url` or `url#/pointer`).
    pub(crate) fn check(&mut self, location: &str, instance: &Value) -> Result<(), String> {
        let index = self.compile(location);
        self.schemas.validate(instance, index).map_err(|e| format!("{e:#}"))
    }

    /// Panics, naming `what`, unless `instance` is valid.
    pub(crate) fn valid(&mut self, location: &str, instance: &Value, what: &str) {
        if let Err(e) = self.check(location, instance) {
            let text = serde_json::to_string(instance).unwrap();
            let shown: String = text.chars().take(600).collect();
            panic!("{what} does not match {location}:\n{e}\ninstance: {shown}");
        }
    }
}

/// A validator holding every shipped schema, as `file:///NAME.json`.
fn shipped() -> Validator {
    let mut v = Validator::new();
    for n in ALL {
        v.add(&url(n.name), shipped_file(n.name));
    }
    v
}

fn url(name: &str) -> String {
    format!("file:///{name}.json")
}

fn shipped_path(name: &str) -> PathBuf {
    root().join("docs/schemas").join(format!("{name}.json"))
}

fn shipped_file(name: &str) -> Value {
    let text = std::fs::read_to_string(shipped_path(name))
        .unwrap_or_else(|e| panic!("docs/schemas/{name}.json: {e} (see the top of tests/schemas.rs)"));
    serde_json::from_str(&text).unwrap()
}

/// A YAML document as the JSON value the data model reads (merge keys applied).
fn yaml(text: &str) -> Value {
    let mut v: serde_yaml::Value = serde_yaml::from_str(text).unwrap();
    v.apply_merge().unwrap();
    serde_json::to_value(v).unwrap()
}

fn files(dir: &str, suffix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    out.sort();
    out
}

fn rel(p: &Path) -> String {
    p.strip_prefix(root()).unwrap_or(p).display().to_string()
}

#[test]
fn shipped_schemas_are_the_generated_ones() {
    let write = std::env::var_os("SMPOLICY_WRITE_SCHEMAS").is_some();
    let mut stale = Vec::new();
    for n in ALL {
        let path = shipped_path(n.name);
        if write {
            std::fs::write(&path, n.text()).unwrap();
        }
        if std::fs::read_to_string(&path).ok().as_deref() != Some(n.text().as_str()) {
            stale.push(n.name);
        }
    }
    assert!(
        stale.is_empty(),
        "docs/schemas/ differs from the types for {stale:?}: regenerate with \
         `SMPOLICY_WRITE_SCHEMAS=1 cargo test --locked --test tests schemas::shipped` and review the diff"
    );
    let names: Vec<String> = ALL.iter().map(|n| format!("{}.json", n.name)).collect();
    for f in files("docs/schemas", "") {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert!(names.contains(&name), "docs/schemas/{name} is not a schema `smpolicy schema` knows");
    }
    // Each is a valid draft 2020-12 schema (boon checks it against the meta-schema when compiling).
    let mut v = shipped();
    for n in ALL {
        let _ = v.check(&url(n.name), &Value::Null);
    }
}

#[test]
fn the_schema_command_lists_and_prints() {
    let o = run(&["schema"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let listed: Vec<String> = stdout(&o).lines().map(|l| l.split_whitespace().next().unwrap().to_string()).collect();
    let names: Vec<&str> = ALL.iter().map(|n| n.name).collect();
    assert_eq!(listed, names);
    for kind in [
        "action",
        "contract",
        "tests",
        "verdict",
        "terms",
        "compare",
        "diff",
        "batch-record",
        "log-entry",
        "check-diagnostic",
    ] {
        assert!(names.contains(&kind), "no `{kind}` schema");
    }
    let o = run(&["schema", "verdict"]);
    assert!(o.status.success());
    assert_eq!(stdout(&o), std::fs::read_to_string(shipped_path("verdict")).unwrap());
    let o = run(&["schema", "verdit"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).is_empty());
    assert!(stderr(&o).contains("did you mean `verdict`?"), "{}", stderr(&o));
    assert_eq!(ALL.iter().filter(|n| n.direction == Direction::Input).count(), 3);
}

/// Every action, contract and test file the corpus holds validates; and the
/// schema rejects what the parser rejects.
#[test]
fn inputs_in_the_corpus_validate() {
    let mut v = shipped();
    let mut counts = BTreeMap::<&str, usize>::new();
    let mut tests_files = Vec::new();
    for dir in ["tests/scenarios", "policies", "tests/cases/published", "tests/cases/suite"] {
        tests_files.extend(files(dir, ".tests.yaml"));
    }
    assert!(tests_files.len() > 30, "{tests_files:?}");
    for f in &tests_files {
        let doc = yaml(&std::fs::read_to_string(f).unwrap());
        v.valid(&url("tests"), &doc, &rel(f));
        *counts.entry("tests").or_default() += 1;
        for (i, case) in doc.as_array().unwrap().iter().enumerate() {
            for kind in ["action", "contract"] {
                if let Some(x) = case.get(kind) {
                    v.valid(&url(kind), x, &format!("{}[{i}].{kind}", rel(f)));
                    *counts.entry(kind).or_default() += 1;
                }
            }
        }
    }
    let pack = yaml(include_str!("../src/compare/pack.yaml"));
    for (i, s) in pack.as_array().unwrap().iter().enumerate() {
        v.valid(&url("action"), &s["action"], &format!("src/compare/pack.yaml[{i}].action"));
        *counts.entry("action").or_default() += 1;
    }
    // The batch example holds a bad line on purpose: the schema refuses exactly what the parser refuses.
    for line in std::fs::read_to_string(root().join("docs/examples/actions/batch.jsonl")).unwrap().lines() {
        let parsed = smpolicy::data::parse_action_json_line(line);
        let checked = v.check(&url("action"), &serde_json::from_str(line).unwrap());
        assert_eq!(parsed.is_ok(), checked.is_ok(), "batch.jsonl: {line}: parser {parsed:?}, schema {checked:?}");
    }
    v.valid(
        &url("contract"),
        &yaml(&std::fs::read_to_string(root().join("docs/examples/contracts/offer.yaml")).unwrap()),
        "offer.yaml",
    );
    // The examples: the schema accepts exactly what the parser accepts
    // (`bad-status.yaml` and `typos.yaml` are there to be refused).
    for f in files("docs/examples/actions", ".yaml") {
        let text = std::fs::read_to_string(&f).unwrap();
        let parsed = smpolicy::data::parse_action(&text, &rel(&f));
        let checked = v.check(&url("action"), &yaml(&text));
        assert_eq!(parsed.is_ok(), checked.is_ok(), "{}: parser {parsed:?}, schema {checked:?}", rel(&f));
    }
    assert!(counts["action"] > 150 && counts["contract"] > 5 && counts["tests"] > 40, "{counts:?}");
}

/// Bad inputs: what the parser refuses, the schema refuses too.
#[test]
fn the_schema_refuses_what_the_parser_refuses() {
    let mut v = shipped();
    let good = r#"{"action":"post","at":"2026-03-14","actor":{"id":"a","role":"consultant","status":"employed","jurisdiction":"us-ca"},
        "channel":"linkedin","content":{"kind":"job_ad","conduct":["political"]},"done":"update_profile","facts":{"x":1,"y":["a"]}}"#;
    let bad = [
        r#"{"action":"post","actor":{"id":"a","role":"r","status":"left"}}"#,
        r#"{"action":"post","actor":{"id":"a","role":"r","status":"employed"},"chanel":"x"}"#,
        r#"{"action":"post","actor":{"id":"a","role":"r","status":"employed"},"at":"14/03/2026"}"#,
        r#"{"action":"post","actor":{"id":"a","role":"r","status":"employed","jurisdiction":"California"}}"#,
        r#"{"action":"post","actor":{"id":"a","role":"r","status":"employed"},"content":{"conduct":"rude"}}"#,
        r#"{"action":"post","actor":{"id":"a","role":"r","status":"employed"},"history":{"posts_today":-1}}"#,
        r#"{"action":"post","actor":{"id":"a","role":"r","status":"employed"},"facts":{"x":1.5}}"#,
        r#"{"action":"post","actor":{"id":"a","role":"r"}}"#,
    ];
    assert!(smpolicy::data::parse_action_json_line(good).is_ok());
    v.valid(&url("action"), &serde_json::from_str(good).unwrap(), "a good action");
    for b in bad {
        assert!(smpolicy::data::parse_action_json_line(b).is_err(), "the parser takes {b}");
        assert!(v.check(&url("action"), &serde_json::from_str(b).unwrap()).is_err(), "the schema takes {b}");
    }
    let both = yaml("- name: x\n  expect: deny\n  action: {action: post, actor: {id: a, role: r, status: employed}}\n  contract: {}\n");
    assert!(v.check(&url("tests"), &both).is_err(), "a case with both an action and a contract");
    let neither = yaml("- name: x\n  expect: deny\n");
    assert!(v.check(&url("tests"), &neither).is_err(), "a case with neither");
    let bad_duty = yaml("on_departure: [{}]\n");
    assert!(v.check(&url("contract"), &bad_duty).is_err(), "an empty duty");
}

/// Every verdict and terms report over the scenarios (and the published
/// cases), as `eval --format json` and `terms --format json` write them.
#[test]
fn verdicts_and_terms_reports_over_the_corpus_validate() {
    use smpolicy::data::testcase::Subject;
    let mut v = shipped();
    let (mut verdicts, mut reports) = (0, 0);
    for id in crate::scenarios::ids() {
        let s = crate::scenarios::load(&id);
        for case in &s.cases {
            let (json, what) = match &case.subject {
                Subject::Action(a) => {
                    verdicts += 1;
                    let mut verdict =
                        smpolicy::eval::evaluate(&s.policy, &s.file, a.as_ref(), &crate::scenarios::opts());
                    let json = serde_json::to_value(&verdict).unwrap();
                    // The policy's own view too (`--as-written`).
                    verdict.as_written = true;
                    v.valid(&url("verdict"), &serde_json::to_value(&verdict).unwrap(), &case.name);
                    (json, "verdict")
                }
                Subject::Contract(c) => {
                    reports += 1;
                    let r = smpolicy::eval::terms::check_terms(&s.policy, &s.file, c);
                    (serde_json::to_value(&r).unwrap(), "terms")
                }
            };
            v.valid(&url(what), &json, &format!("{id}: {}", case.name));
        }
    }
    assert!(verdicts > 60 && reports > 5, "{verdicts} verdicts, {reports} reports");
    // Through the binary, as a user gets them.
    let o = run(&[
        "eval",
        "policies/protective-agency.policy",
        "docs/examples/actions/eleventh-tweet.yaml",
        "--format",
        "json",
    ]);
    v.valid(&url("verdict"), &serde_json::from_slice(&o.stdout).unwrap(), "eval --format json");
    let o = run(&[
        "terms",
        "policies/candidate-dealbreakers.policy",
        "docs/examples/contracts/offer.yaml",
        "--format",
        "json",
    ]);
    v.valid(&url("terms"), &serde_json::from_slice(&o.stdout).unwrap(), "terms --format json");
}

#[test]
fn comparisons_validate() {
    let mut v = shipped();
    let runs: [&[&str]; 3] = [
        &["compare", "policies/trusting-agency.policy", "policies/protective-agency.policy", "--format", "json"],
        &[
            "compare",
            "policies/open-networker.policy",
            "policies/brightwater.policy",
            "policies/california-employer.policy",
            "--against",
            "policies/candidate-dealbreakers.policy",
            "--jurisdiction",
            "US-CA",
            "--format",
            "json",
        ],
        &[
            "compare",
            "policies/corporate-and-recruiting-teams.policy",
            "tests/cases/published/au-recruiter.policy",
            "--jurisdiction",
            "UK",
            "--format",
            "json",
        ],
    ];
    for args in runs {
        let o = run(args);
        assert!(o.status.code().is_some_and(|c| c != 1), "{args:?}: {}", stderr(&o));
        v.valid(&url("compare"), &serde_json::from_slice(&o.stdout).unwrap(), &args.join(" "));
    }
}

#[test]
fn diffs_validate() {
    let mut v = shipped();
    let mut pairs = 0;
    for old in files("tests/cases/diff", "-old.policy") {
        let new = PathBuf::from(old.to_string_lossy().replace("-old.policy", "-new.policy"));
        let load = |p: &Path| {
            let f = crate::util::source(rel(p));
            crate::scenarios::policy_from(&f.name, &f.text)
        };
        let (of, op) = load(&old);
        let (nf, np) = load(&new);
        let report = smpolicy::diff::diff((&of, &op), (&nf, &np), &smpolicy::diff::DiffOptions::default());
        let json = serde_json::to_value(smpolicy::diff::DiffJson { report: &report, replay: None }).unwrap();
        v.valid(&url("diff"), &json, &rel(&old));
        pairs += 1;
    }
    assert!(pairs >= 4);
    let o = run(&[
        "diff",
        "policies/protective-agency.policy",
        "docs/examples/diff/castlegate-v6.policy",
        "--replay",
        "docs/examples/actions/batch.jsonl",
        "--format",
        "json",
    ]);
    let json: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)));
    assert!(json.get("replay").is_some(), "{json}");
    v.valid(&url("diff"), &json, "diff --replay --format json");
}

/// `eval --batch` in its three forms, over every scenario action, with bad
/// lines of every kind: each record validates, error records included.
#[test]
fn batch_records_validate() {
    use smpolicy::data::testcase::Subject;
    let mut v = shipped();
    let mut input = String::new();
    let s = crate::scenarios::load("C02");
    for case in &s.cases {
        if let Subject::Action(a) = &case.subject {
            input.push_str(&serde_json::to_string(a).unwrap());
            input.push('\n');
        }
    }
    input.push_str(&std::fs::read_to_string(root().join("docs/examples/actions/batch.jsonl")).unwrap());
    input.push_str("{\"action\":\"post\",\"actor\":{\"id\":\"a\",\"role\":\"consultant\",\"status\":\"left\"}}\n");
    input.push_str("action: post\n");
    input.push_str("not json\n");
    let mut bytes = input.into_bytes();
    bytes.extend_from_slice(b"{\"action\":\"p\xe9st\"}\n");
    bytes.extend(std::iter::repeat_n(b' ', (1 << 20) + 10));
    bytes.extend_from_slice(b"\n");
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("smpolicy-schemas-batch-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("in.jsonl");
    std::fs::write(&path, &bytes).unwrap();
    let p = path.to_str().unwrap();
    for (mode, policy) in [
        (None, "tests/scenarios/C02.policy"),
        (Some("--explain"), "tests/scenarios/C02.policy"),
        (Some("--full"), "tests/scenarios/C02.policy"),
        (None, "policies/protective-agency.policy"),
    ] {
        let mut args = vec!["eval", policy, "--batch", p, "--now", "2026-03-01"];
        args.extend(mode);
        let o = run(&args);
        let out = stdout(&o);
        let (mut errors, mut decided) = (0, 0);
        for (i, line) in out.lines().enumerate() {
            let rec: Value = serde_json::from_str(line).unwrap();
            v.valid(&url("batch-record"), &rec, &format!("{args:?} record {i}"));
            if rec.get("error").is_some() {
                errors += 1;
            } else {
                decided += 1;
            }
        }
        assert!(errors >= 5 && decided >= 3, "{args:?}: {errors} errors, {decided} decided\n{}", stderr(&o));
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// `check --error-format json` writes JSON Lines to standard output and
/// nothing else there, whatever it finds.
#[test]
fn check_json_writes_only_json_to_stdout() {
    let mut v = shipped();
    let mut lines = 0;
    for args in [
        vec!["check", "--error-format", "json", "tests/cases/check"],
        vec!["check", "--error-format", "json", "--strict", "policies"],
        vec!["check", "--error-format", "json", "docs/examples/mistakes.policy", "no-such.policy"],
        vec!["check", "--error-format", "json", "-"],
    ] {
        let o = run_stdin(&args, "policy \"x\" default alow\n");
        let out = stdout(&o);
        assert!(!out.trim().is_empty() || o.status.success(), "{args:?}: nothing on stdout; {}", stderr(&o));
        for line in out.lines() {
            let d: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {line}"));
            v.valid(&url("check-diagnostic"), &d, &format!("{args:?}"));
            lines += 1;
        }
    }
    assert!(lines > 40, "{lines} diagnostics");
}

/// Real answers of a running service, each held to the schema
/// `/openapi.json` gives for its path, method and status (an undocumented
/// status fails too); the requests that succeed to their documented bodies;
/// and the audit log it wrote, as `smpolicy log --format json`, to the
/// `log-entry` schema.
#[cfg(feature = "server")]
#[test]
fn openapi_conformance() {
    use crate::serve::{shipped_policies, tokens_file, Server};
    use std::io::{Read, Write};
    let dir = shipped_policies();
    let log = dir.join("log.sqlite");
    let all: &[&str] = &["decide", "perform", "approve", "log", "admin", "backdate"];
    let tokens = tokens_file(&dir, &[("tests", "test-token", all), ("approver", "approver-token", &["approve"])]);
    let skew = (100 * 365 * 86_400_u64).to_string();
    let mut s = Server::start(
        &dir,
        log.to_str().unwrap(),
        &["--tokens", tokens.to_str().unwrap(), "--backdate-skew-s", &skew, "--timeout-ms", "3000"],
    );
    s.token = Some("test-token".into());
    let (status, doc) = s.get("/openapi.json");
    assert_eq!(status, 200);
    let mut c = Conformance { v: Validator::new(), doc: doc.clone(), seen: BTreeMap::new() };
    c.v.add("file:///openapi.json", doc);
    // Decisions, explained and short, and refused actions.
    let mut actions: Vec<String> = std::fs::read_to_string(root().join("docs/examples/actions/batch.jsonl"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    for f in files("docs/examples/actions", ".yaml") {
        actions.push(yaml(&std::fs::read_to_string(f).unwrap()).to_string());
    }
    // A brand video under Brightwater needs marketing's approval (a clause that `/v1/approve` can satisfy).
    actions.push(
        r#"{"action":"post","at":"2026-04-01T12:00:00Z","actor":{"id":"dan","role":"consultant","status":"employed"},"channel":"youtube","content":{"kind":"brand","candidate_personal_data":false,"confidential":false,"names_client":false}}"#
            .to_string(),
    );
    let (mut allowed, mut to_approve) = (None, None);
    for a in &actions {
        for query in ["", "?explain=false"] {
            let policy = if a.contains("youtube") { "brightwater" } else { "protective-agency" };
            let got = c.post(&s, "/v1/decide", query, &format!(r#"{{"policy":"{policy}","action":{a}}}"#));
            match got["verdict"].as_str() {
                Some("allow") => allowed = got["decision_id"].as_str().map(str::to_string),
                Some("require-approval") if a.contains("youtube") => {
                    to_approve = got["decision_id"].as_str().map(str::to_string)
                }
                _ => {}
            }
        }
    }
    c.post(&s, "/v1/decide", "", r#"{"policy":"protective-agenc","action":{}}"#);
    c.post(&s, "/v1/decide", "?explain=maybe", r#"{"policy":"protective-agency","action":{}}"#);
    c.post(&s, "/v1/decide", "", "not json");

    // Performed, approved; twice each, and unknown.
    let allowed = allowed.expect("an allowed decision");
    let to_approve = to_approve.expect("a decision that requires approval");
    for _ in 0..2 {
        c.post(&s, "/v1/performed", "", &format!(r#"{{"decision_id":"{allowed}","at":"2026-03-01T10:00:00Z"}}"#));
    }
    c.post(&s, "/v1/performed", "", r#"{"decision_id":"00000000000000000000000000"}"#);
    c.post(&s, "/v1/approve", "", &format!(r#"{{"decision_id":"{to_approve}","role":"marketing"}}"#));
    s.token = Some("approver-token".into());
    for _ in 0..2 {
        c.post(&s, "/v1/approve", "", &format!(r#"{{"decision_id":"{to_approve}","role":"marketing"}}"#));
    }
    c.post(&s, "/v1/decide", "", r#"{"policy":"protective-agency","action":{}}"#);
    s.token = Some("test-token".into());
    c.post(&s, "/v1/performed", "", &format!(r#"{{"decision_id":"{to_approve}"}}"#));

    // Terms, compare, diff.
    let offer = yaml(&std::fs::read_to_string(root().join("docs/examples/contracts/offer.yaml")).unwrap());
    c.post(&s, "/v1/terms", "", &format!(r#"{{"policy":"candidate-dealbreakers","contract":{offer}}}"#));
    c.post(&s, "/v1/terms", "", r#"{"policy":"candidate-dealbreakers","contract":{"salary":"high"}}"#);
    c.post(
        &s,
        "/v1/compare",
        "",
        r#"{"policies":["trusting-agency","protective-agency"],"now":"2026-03-01T00:00:00Z"}"#,
    );
    c.post(
        &s,
        "/v1/compare",
        "",
        r#"{"policies":["open-networker","california-employer"],"against":"candidate-dealbreakers","jurisdiction":"us-ca"}"#,
    );
    c.post(&s, "/v1/compare", "", &format!(r#"{{"policies":{}}}"#, json_list(&["trusting-agency"; 9])));
    let text = |p: &str| std::fs::read_to_string(root().join(p)).unwrap();
    let (h01_old, h01_new) = (text("tests/cases/diff/h01-old.policy"), text("tests/cases/diff/h01-new.policy"));
    let diff = serde_json::json!({"old": {"source": h01_old}, "new": {"source": h01_new}}).to_string();
    c.post(&s, "/v1/diff", "", &diff);
    c.post(&s, "/v1/diff", "", r#"{"old":"protective-agency","new":{"source":"policy \"x\" default alow\n"}}"#);

    // Reads.
    for path in ["/v1/policies", "/v1/log?actor=you", "/v1/log", "/v1/log?actor=you&limit=0", "/healthz"] {
        let (status, got) = s.get(path);
        c.answer("get", path.split('?').next().unwrap(), None, status, &got);
    }
    // Refused callers, a method an endpoint does not take, a request too slow.
    let (status, got) = s.post_as(None, "/v1/decide", "{}");
    c.answer("post", "/v1/decide", None, status, &got);
    let (status, got) = s.post_as(Some("approver-token"), "/v1/terms", "{}");
    c.answer("post", "/v1/terms", None, status, &got);
    for path in ["/v1/decide", "/healthz"] {
        let r =
            s.agent.request("DELETE", &format!("{}{path}", s.base)).set("authorization", "Bearer test-token").call();
        let (status, got) = Server::answer(r);
        let method = if path == "/healthz" { "get" } else { "post" };
        c.answer(method, path, None, status, &got);
    }
    let mut slow = std::net::TcpStream::connect(s.base.trim_start_matches("http://")).unwrap();
    slow.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
    slow.write_all(
        b"POST /v1/decide HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer test-token\r\nContent-Length: 100\r\n\r\n{",
    )
    .unwrap();
    let mut buf = Vec::new();
    let _ = slow.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("{text}"));
    assert!(
        head.starts_with("HTTP/1.1 408") && head.to_ascii_lowercase().contains("content-type: application/json"),
        "{text}"
    );
    c.answer(
        "post",
        "/v1/decide",
        None,
        408,
        &serde_json::from_str::<Value>(body).unwrap_or_else(|e| panic!("{e}: {body:?}")),
    );

    for want in [
        "post /v1/decide 200",
        "post /v1/decide 400",
        "post /v1/decide 401",
        "post /v1/decide 403",
        "post /v1/decide 404",
        "post /v1/decide 405",
        "post /v1/decide 408",
        "post /v1/performed 201",
        "post /v1/performed 404",
        "post /v1/performed 409",
        "post /v1/approve 201",
        "post /v1/approve 403",
        "post /v1/approve 409",
        "post /v1/terms 200",
        "post /v1/terms 400",
        "post /v1/terms 403",
        "post /v1/compare 200",
        "post /v1/compare 422",
        "post /v1/diff 200",
        "post /v1/diff 400",
        "get /v1/policies 200",
        "get /v1/log 200",
        "get /v1/log 400",
        "get /healthz 200",
        "get /healthz 405",
    ] {
        assert!(c.seen.contains_key(want), "no `{want}` answer was checked: {:?}", c.seen);
    }
    assert!(c.seen["post /v1/decide 200"] >= 12, "{:?}", c.seen);
    drop(s);

    // The audit log it wrote, through the CLI.
    let mut shipped = shipped();
    let logged = crate::serve::log_json(log.to_str().unwrap(), None);
    let mut kinds = std::collections::BTreeSet::new();
    for e in &logged {
        shipped.valid(&url("log-entry"), e, "smpolicy log --format json");
        kinds.insert(e["kind"].as_str().unwrap().to_string());
    }
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), ["approval", "decision", "performed"]);
    let _ = std::fs::remove_dir_all(dir);
}

#[cfg(feature = "server")]
fn json_list(items: &[&str]) -> String {
    serde_json::to_string(items).unwrap()
}

/// Answers checked against the served OpenAPI document, counted by method, path and status.
#[cfg(feature = "server")]
struct Conformance {
    v: Validator,
    doc: Value,
    seen: BTreeMap<String, usize>,
}

#[cfg(feature = "server")]
impl Conformance {
    /// Checks one answer, and, for a success, the request body that got it.
    fn answer(&mut self, method: &str, path: &str, request: Option<&str>, status: u16, body: &Value) {
        let op = format!("/paths/{}/{method}", path.replace('~', "~0").replace('/', "~1"));
        let responses =
            self.doc.pointer(&format!("{op}/responses")).unwrap_or_else(|| panic!("{method} {path} is not documented"));
        assert!(
            responses.get(status.to_string()).is_some(),
            "{method} {path} answered {status}, not documented: {body}"
        );
        let at = format!("file:///openapi.json#{op}/responses/{status}/content/application~1json/schema");
        self.v.valid(&at, body, &format!("{method} {path} {status}"));
        if let (Some(req), true) = (request, status < 300) {
            let at = format!("file:///openapi.json#{op}/requestBody/content/application~1json/schema");
            self.v.valid(&at, &serde_json::from_str(req).unwrap(), &format!("the request of {method} {path}"));
        }
        *self.seen.entry(format!("{method} {path} {status}")).or_default() += 1;
    }

    /// POSTs `body` to `path` + `query` and checks the answer.
    fn post(&mut self, s: &crate::serve::Server, path: &str, query: &str, body: &str) -> Value {
        let (status, got) = s.post(&format!("{path}{query}"), body);
        self.answer("post", path, Some(body), status, &got);
        got
    }
}

/// The OpenAPI document's schemas are the ones `smpolicy schema` prints:
/// the verdict it publishes is the shipped verdict schema's.
#[cfg(feature = "server")]
#[test]
fn the_openapi_document_uses_the_same_schemas() {
    let doc = smpolicy::serve::openapi::document().unwrap();
    // The same schemas, with their references into the document's components.
    let shipped = |name: &str| {
        let text = serde_json::to_string(&shipped_file(name)).unwrap().replace("#/$defs/", "#/components/schemas/");
        serde_json::from_str::<Value>(&text).unwrap()
    };
    let schemas = &doc["components"]["schemas"];
    let numbered: Vec<&String> =
        schemas.as_object().unwrap().keys().filter(|k| k.ends_with(|c: char| c.is_ascii_digit())).collect();
    assert!(numbered.is_empty(), "two types share a schema name: {numbered:?}");
    assert_eq!(schemas["Verdict"]["properties"], shipped("verdict")["properties"]);
    assert_eq!(schemas["Action"]["properties"], shipped("action")["properties"]);
    assert_eq!(schemas["TermsReport"]["properties"], shipped("terms")["properties"]);
    assert_eq!(schemas["Comparison"]["properties"], shipped("compare")["properties"]);
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for (status, r) in op["responses"].as_object().unwrap() {
                let schema = &r["content"]["application/json"]["schema"];
                assert!(schema.is_object(), "{method} {path} {status} has no body schema");
                assert_ne!(schema, &serde_json::json!({"type": "object"}), "{method} {path} {status} is opaque");
            }
        }
    }
}
