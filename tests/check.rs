//! Checker diagnostics, rendered as a user sees them.
//!
//! Every file in `cases/check/` is a small policy with one kind of mistake an
//! author makes. Its first line says what the mistake is; its second line,
//! `# expect: CODE, ...`, lists the diagnostic codes the checker must report
//! (exactly those); the rendered diagnostics are snapshots in `snapshots/`.
//! Files named `ok_*.policy` are clean and must produce nothing.

#![allow(clippy::panic, reason = "a failing test case should stop the test loudly")]

use crate::util;
use smpolicy::check::{check_source, explain_code, CheckReport};
use smpolicy::diagnostic::Severity;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The case's path relative to the repository root, so snapshots hold no absolute paths.
fn relative(path: &Path) -> PathBuf {
    path.strip_prefix(util::root()).map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
}

fn report(rel: &Path) -> (smpolicy::source::SourceFile, CheckReport) {
    let file = util::source(rel);
    match check_source(&file) {
        Ok((_, report)) => (file, report),
        Err(diags) => panic!("{} does not parse:\n{}", rel.display(), util::render_all(&diags, &file)),
    }
}

#[test]
fn check_cases_render_as_snapshots() {
    insta::glob!("cases/check/*.policy", |path| {
        let (file, report) = report(&relative(path));
        let text = if report.diagnostics.is_empty() {
            "(no diagnostics)".to_string()
        } else {
            util::render_all(&report.diagnostics, &file)
        };
        insta::assert_snapshot!(text);
    });
}

fn cases() -> Vec<PathBuf> {
    let dir = util::root().join("tests/cases/check");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "policy"))
        .map(|p| relative(&p))
        .collect();
    out.sort();
    out
}

/// The codes on the `# expect:` line.
fn expected(text: &str) -> BTreeSet<String> {
    text.lines()
        .find_map(|l| l.strip_prefix("# expect:"))
        .map(|codes| codes.split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect())
        .unwrap_or_default()
}

#[test]
fn every_case_reports_exactly_the_expected_codes() {
    let cases = cases();
    assert!(cases.len() >= 30, "only {} check cases", cases.len());
    for rel in cases {
        let (file, report) = report(&rel);
        let got: BTreeSet<String> = report.diagnostics.iter().map(|d| d.code.clone()).collect();
        let name = rel.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        if name.starts_with("ok_") {
            assert!(
                report.diagnostics.is_empty(),
                "{} should be clean:\n{}",
                rel.display(),
                util::render_all(&report.diagnostics, &file)
            );
            continue;
        }
        assert!(!report.diagnostics.is_empty(), "{} reports nothing", rel.display());
        let want = expected(&file.text);
        assert!(!want.is_empty(), "{} has no `# expect:` line", rel.display());
        assert_eq!(got, want, "{}:\n{}", rel.display(), util::render_all(&report.diagnostics, &file));
    }
}

#[test]
fn every_case_says_what_mistake_it_shows() {
    for dir in ["tests/cases/check", "tests/cases/parse"] {
        for entry in std::fs::read_dir(util::root().join(dir)).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            assert!(text.starts_with("# "), "{} does not start with a `# ` comment", entry.path().display());
        }
    }
}

#[test]
fn every_reported_code_is_explained_and_messages_follow_the_style() {
    for rel in cases() {
        let (_, report) = report(&rel);
        for d in &report.diagnostics {
            assert!(explain_code(&d.code).is_some(), "{}: `{}` has no explanation", rel.display(), d.code);
            let first = d.message.chars().next().unwrap_or('x');
            assert!(
                first.is_lowercase() || first == '`' || d.message.starts_with("Australia"),
                "{}: message starts with a capital: {}",
                rel.display(),
                d.message
            );
            assert!(!d.message.ends_with('.'), "{}: message ends with a period: {}", rel.display(), d.message);
            assert!(!d.message.contains('\n'), "{}: message has a newline", rel.display());
            for word in ["Type::", "Enum(", "Option<", "String", "Vec<", "Cond::"] {
                assert!(!d.message.contains(word), "{}: message names a Rust type: {}", rel.display(), d.message);
            }
        }
    }
}

#[test]
fn errors_fail_the_check_and_warnings_do_not() {
    let (_, errors) = report(Path::new("tests/cases/check/unknown_role_typo.policy"));
    assert!(errors.has_errors());
    assert_eq!(errors.errors().count(), 1);
    let (_, warnings) = report(Path::new("tests/cases/check/uk_18_month_non_compete.policy"));
    assert!(!warnings.has_errors());
    assert!(warnings.warnings().all(|d| d.severity == Severity::Warning));
    assert_eq!(warnings.warnings().count(), 2);
}

#[test]
fn diagnostics_are_sorted_by_position() {
    for rel in cases() {
        let (_, report) = report(&rel);
        let starts: Vec<usize> = report.diagnostics.iter().map(|d| d.span().start).collect();
        let mut sorted = starts.clone();
        sorted.sort_unstable();
        assert_eq!(starts, sorted, "{}", rel.display());
    }
}
