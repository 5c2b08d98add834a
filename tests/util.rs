//! Helpers shared by the integration tests.

#![allow(dead_code, reason = "each test module uses a different subset")]
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "a missing test file or a failed run should stop the test loudly"
)]

use smpolicy::diagnostic::{render, Diagnostic, RenderOptions};
use smpolicy::source::SourceFile;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Reads a file relative to the repository root into a `SourceFile` named by that relative path.
pub fn source(rel: impl AsRef<Path>) -> SourceFile {
    let rel = rel.as_ref();
    let text = std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{}: {e}", rel.display()));
    SourceFile::new(rel.to_string_lossy().replace('\\', "/"), text)
}

/// Renders diagnostics as a user sees them: no colour, 80 columns.
pub fn render_all(diags: &[Diagnostic], file: &SourceFile) -> String {
    diags.iter().map(|d| render(d, file, RenderOptions { color: false, width: 80 })).collect::<Vec<_>>().join("\n")
}

/// Every scenario and shipped policy (`tests/scenarios/*.policy`, `policies/*.policy`), in name order.
pub fn all_policies() -> Vec<SourceFile> {
    let mut out = Vec::new();
    for dir in ["tests/scenarios", "policies"] {
        let mut paths: Vec<_> = std::fs::read_dir(root().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "policy"))
            .collect();
        paths.sort();
        for p in paths {
            out.push(source(format!("{dir}/{}", p.file_name().unwrap().to_string_lossy())));
        }
    }
    assert!(out.len() > 30, "expected the scenario and shipped policies");
    out
}

/// Runs the binary from the repository root, without colour.
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smpolicy")).args(args).current_dir(root()).env("NO_COLOR", "1").output().unwrap()
}

/// Runs the binary with `input` on its standard input.
pub fn run_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_smpolicy"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// What a run wrote to standard output.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// What a run wrote to standard error.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A published policy and its cases (`tests/cases/published/NAME.policy` and
/// `NAME.tests.yaml`): `check` passes, every case holds in the interpreter
/// (`test`) and in the compiled form (`eval --batch`), and the file is as
/// `fmt` writes it.
pub fn published_cases_hold_in_both_engines(name: &str) {
    let policy = format!("tests/cases/published/{name}.policy");
    let tests = format!("tests/cases/published/{name}.tests.yaml");
    let o = run(&["check", &policy]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let o = run(&["test", &policy, &tests, "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let o = run(&["fmt", "--check", &policy]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let text = std::fs::read_to_string(root().join(&tests)).unwrap();
    let cases: Vec<serde_yaml::Value> = serde_yaml::from_str(&text).unwrap();
    let lines: String = cases.iter().map(|c| serde_json::to_string(&c["action"]).unwrap() + "\n").collect();
    let o = run_stdin(&["eval", "--batch", &policy, "-"], &lines);
    let got: Vec<serde_json::Value> =
        stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    assert_eq!(got.len(), cases.len(), "{}", stderr(&o));
    for (case, v) in cases.iter().zip(&got) {
        // `expect: deny`, or `expect: {verdict: deny, groups: [deny, allow]}` for several groups of contacts.
        let expect = &case["expect"];
        let whole = expect.as_str().or_else(|| expect["verdict"].as_str()).unwrap();
        assert_eq!(v["verdict"], whole, "batch: {:?}: {v}", case["name"]);
        for (i, g) in expect["groups"].as_sequence().into_iter().flatten().enumerate() {
            assert_eq!(v["groups"][i]["verdict"], g.as_str().unwrap(), "batch: {:?}: group {i}: {v}", case["name"]);
        }
    }
}
