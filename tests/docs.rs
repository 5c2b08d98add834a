//! The documentation is tested: every ```policy block in README.md and
//! docs/language.md parses and checks without errors, and every ```console
//! block in README.md is run — each `$ smpolicy ARGS` line is executed from
//! the repository root and its output (stdout, then stderr) must equal the
//! lines that follow it in the block, and its exit code the `# exit N`
//! comment, or 0 when none is given. A `# first N lines` comment compares only
//! the first N lines of the output (for long reports), `# last N lines` the
//! last N. A comment that starts like one of these but is malformed fails.

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

/// A comment line of a console block that the runner reads.
#[derive(Debug, PartialEq)]
enum Marker {
    /// `# exit N`: the exit code.
    Exit(i32),
    /// `# first N lines`: compare only the first N lines.
    First(usize),
    /// `# last N lines`: compare only the last N lines.
    Last(usize),
}

/// Reads a marker line: `Ok(None)` for an output line, an error for a line
/// that starts like a marker but is not one (`# exit three`, `# first 5`), so
/// that a typo cannot turn a check off.
fn marker(line: &str) -> Result<Option<Marker>, String> {
    let bad = || format!("malformed marker {line:?}: expected `# exit N`, `# first N lines` or `# last N lines`");
    let mut words = line.split(' ');
    if words.next() != Some("#") {
        return Ok(None);
    }
    let words: Vec<&str> = words.collect();
    match words.first().copied() {
        Some("exit") => match words[1..] {
            [n] => number::<i32>(n).map(|n| Some(Marker::Exit(n))).ok_or_else(bad),
            _ => Err(bad()),
        },
        Some(which @ ("first" | "last")) => match words[1..] {
            [n, "lines"] => number::<usize>(n)
                .map(|n| Some(if which == "first" { Marker::First(n) } else { Marker::Last(n) }))
                .ok_or_else(bad),
            _ => Err(bad()),
        },
        _ => Ok(None),
    }
}

/// A number written with digits only (no sign, no spaces).
fn number<T: std::str::FromStr>(n: &str) -> Option<T> {
    if n.bytes().all(|b| b.is_ascii_digit()) {
        n.parse().ok()
    } else {
        None
    }
}

#[test]
fn malformed_markers_are_rejected() {
    assert_eq!(marker("# exit 3"), Ok(Some(Marker::Exit(3))));
    assert_eq!(marker("# first 12 lines"), Ok(Some(Marker::First(12))));
    assert_eq!(marker("# last 2 lines"), Ok(Some(Marker::Last(2))));
    for output in ["# policies/a.tests.yaml", "#exit 3", "exit 3", "  # exit 3", ""] {
        assert_eq!(marker(output), Ok(None), "{output:?} is output, not a marker");
    }
    for bad in [
        "# exit",
        "# exit three",
        "# exit 3x",
        "# exit 3 ",
        "# exit  3",
        "# exit -1",
        "# exit +2",
        "# first 5",
        "# first five lines",
        "# last 5 line",
        "# last lines",
    ] {
        assert!(marker(bad).is_err(), "{bad:?} must be rejected");
    }
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
                match marker(next) {
                    Ok(Some(Marker::Exit(code))) => exit = Some(code),
                    Ok(Some(Marker::First(n))) => first = Some(n),
                    Ok(Some(Marker::Last(n))) => last = Some(n),
                    Ok(None) => {
                        expected.push_str(next);
                        expected.push('\n');
                    }
                    Err(e) => panic!("README.md console block at line {line}: {e}"),
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
            // Without a marker the command must succeed: a README that shows
            // output without saying it exits non-zero would mislead.
            assert_eq!(
                out.status.code(),
                Some(exit.unwrap_or(0)),
                "README.md block at line {line}: exit code of `smpolicy{cmd}` (say `# exit N` when it is not 0)"
            );
            ran += 1;
        }
    }
    assert!(ran >= 5, "README.md should show at least five real commands, found {ran}");
}
