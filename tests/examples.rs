//! Every shipped policy parses, checks without errors, is canonically
//! formatted, and round-trips: formatting it changes neither its syntax tree
//! (spans aside) nor its normalized policy.

use crate::util::{render_all, root, source};
use smpolicy::diagnostic::Severity;
use smpolicy::source::SourceFile;

fn shipped() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root().join("policies"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".policy"))
        .map(|n| format!("policies/{n}"))
        .collect();
    out.sort();
    out
}

/// The normalized policy as JSON, without spans and source text (which
/// formatting legitimately changes).
fn normalized(file: &SourceFile) -> serde_json::Value {
    let ast = smpolicy::parser::parse(file).unwrap();
    let mut v = serde_json::to_value(smpolicy::lower::lower(file, &ast)).unwrap();
    strip(&mut v);
    v
}

fn strip(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            m.remove("span");
            m.remove("source");
            m.remove("default_span");
            m.values_mut().for_each(strip);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
        _ => {}
    }
}

#[test]
fn there_are_at_least_six_shipped_policies() {
    assert!(shipped().len() >= 6, "{:?}", shipped());
}

#[test]
fn every_shipped_policy_checks_without_errors() {
    for path in shipped() {
        let file = source(&path);
        let (_, report) = smpolicy::check::check_source(&file)
            .unwrap_or_else(|d| panic!("{path} does not parse:\n{}", render_all(&d, &file)));
        let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.severity == Severity::Error).cloned().collect();
        assert!(errors.is_empty(), "{path}:\n{}", render_all(&errors, &file));
    }
}

#[test]
fn every_shipped_policy_is_canonically_formatted() {
    for path in shipped() {
        let file = source(&path);
        let formatted = smpolicy::fmt::format_policy(&file).unwrap();
        assert_eq!(formatted, *file.text, "{path} is not canonically formatted: run `smpolicy fmt {path}`");
    }
}

#[test]
fn formatting_preserves_the_syntax_tree_and_the_normalized_policy() {
    for path in shipped() {
        let file = source(&path);
        // Lay the policy out badly (everything on few lines, odd indentation), then format it.
        let messy: String = file
            .text
            .lines()
            .map(|l| if l.contains('#') { format!("{}\n", l.trim()) } else { format!("   {} ", l.trim()) })
            .collect();
        let messy = SourceFile::new(path.clone(), messy);
        let before = smpolicy::parser::parse(&file).unwrap();
        let again = smpolicy::parser::parse(&messy).unwrap_or_else(|e| panic!("{path} relaid: {e:?}"));
        assert_eq!(before, again, "{path}: relaying changed the syntax tree");
        let formatted = SourceFile::new(path.clone(), smpolicy::fmt::format_policy(&messy).unwrap());
        assert_eq!(smpolicy::parser::parse(&formatted).unwrap(), before, "{path}: formatting changed the syntax tree");
        assert_eq!(normalized(&formatted), normalized(&file), "{path}: formatting changed the normalized policy");
        assert_eq!(smpolicy::fmt::format_policy(&formatted).unwrap(), *formatted.text, "{path}: fmt is not idempotent");
    }
}

#[test]
fn every_shipped_policy_has_passing_tests_beside_it() {
    for path in shipped() {
        let tests = path.replace(".policy", ".tests.yaml");
        if !root().join(&tests).exists() {
            continue;
        }
        let file = source(&path);
        let ast = smpolicy::parser::parse(&file).unwrap();
        let policy = smpolicy::lower::lower(&file, &ast);
        let text = std::fs::read_to_string(root().join(&tests)).unwrap();
        let cases = smpolicy::data::testcase::parse_tests(&text, &tests).unwrap();
        let now = "2026-06-01T12:00:00Z".parse().unwrap();
        let report = smpolicy::eval::suite::run(&policy, &file, &cases, &smpolicy::eval::EvalOptions { now });
        assert_eq!(report.failed, 0, "{tests}:\n{}", smpolicy::eval::suite::text(&report));
    }
}
