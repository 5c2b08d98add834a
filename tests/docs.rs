//! The documentation is tested: every ```policy block in README.md and
//! docs/language.md parses and checks without errors, and every ```console
//! block in README.md is run — each `$ smpolicy ARGS` line is executed from
//! the repository root and its output (stdout, then stderr) must equal the
//! lines that follow it in the block, and its exit code the `# exit N`
//! comment when one is given. A `# first N lines` comment compares only the
//! first N lines of the output (for long reports), `# last N lines` the last N.

use crate::util::root;
use smpolicy::diagnostic::Severity;
use smpolicy::source::SourceFile;
use std::process::Command;

fn blocks(text: &str, lang: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        match &mut current {
            None if line.trim_start() == format!("```{lang}") => current = Some((i + 2, String::new())),
            Some(_) if line.trim_start() == "```" => out.extend(current.take()),
            Some((_, body)) => {
                body.push_str(line);
                body.push('\n');
            }
            None => {}
        }
    }
    out
}

fn check_policy_blocks(doc: &str) -> usize {
    let text = std::fs::read_to_string(root().join(doc)).unwrap();
    let found = blocks(&text, "policy");
    for (line, body) in &found {
        let file = SourceFile::new(format!("{doc}:{line}"), body.clone());
        match smpolicy::check::check_source(&file) {
            Ok((_, report)) => {
                let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
                assert!(
                    errors.is_empty(),
                    "{doc} block at line {line} has errors:\n{}",
                    crate::util::render_all(&report.diagnostics, &file)
                );
            }
            Err(diags) => {
                panic!("{doc} block at line {line} does not parse:\n{}", crate::util::render_all(&diags, &file))
            }
        }
    }
    found.len()
}

#[test]
fn readme_policy_blocks_check() {
    assert!(check_policy_blocks("README.md") >= 1);
}

#[test]
fn language_reference_policy_blocks_check() {
    assert!(check_policy_blocks("docs/language.md") >= 10);
}

#[test]
fn readme_console_blocks_are_real_output() {
    let text = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut ran = 0;
    for (line, body) in blocks(&text, "console") {
        let mut lines = body.lines().peekable();
        while let Some(l) = lines.next() {
            let Some(cmd) = l.strip_prefix("$ smpolicy") else { continue };
            let mut expected = String::new();
            let mut exit: Option<i32> = None;
            let mut first: Option<usize> = None;
            let mut last: Option<usize> = None;
            while let Some(next) = lines.peek() {
                if next.starts_with("$ ") {
                    break;
                }
                let next = lines.next().unwrap_or_default();
                if let Some(code) = next.strip_prefix("# exit ") {
                    exit = code.trim().parse().ok();
                } else if let Some(n) = next.strip_prefix("# first ") {
                    first = n.trim_end_matches(" lines").trim().parse().ok();
                } else if let Some(n) = next.strip_prefix("# last ") {
                    last = n.trim_end_matches(" lines").trim().parse().ok();
                } else {
                    expected.push_str(next);
                    expected.push('\n');
                }
            }
            let (args, stdin) = match cmd.split_once(" < ") {
                Some((a, file)) => (a, Some(file.trim().to_string())),
                None => (cmd, None),
            };
            let args: Vec<&str> = args.split_whitespace().collect();
            let mut c = Command::new(env!("CARGO_BIN_EXE_smpolicy"));
            c.args(&args).current_dir(root()).env("NO_COLOR", "1").env("COLUMNS", "100");
            if let Some(f) = stdin {
                c.stdin(std::fs::File::open(root().join(f)).unwrap());
            }
            let out = c.output().unwrap();
            let mut actual =
                format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            if let Some(n) = first {
                actual = actual.lines().take(n).collect::<Vec<_>>().join("\n");
            }
            if let Some(n) = last {
                let lines: Vec<&str> = actual.trim_end().lines().collect();
                actual = lines[lines.len().saturating_sub(n)..].join("\n");
            }
            assert_eq!(
                actual.trim_end(),
                expected.trim_end(),
                "README.md console block at line {line}: output of `smpolicy{cmd}` differs"
            );
            if let Some(code) = exit {
                assert_eq!(out.status.code(), Some(code), "README.md line {line}: exit code of `smpolicy{cmd}`");
            }
            ran += 1;
        }
    }
    assert!(ran >= 5, "README.md should show at least five real commands, found {ran}");
}
