//! Parse errors, rendered as a user sees them.
//!
//! Every file in `cases/parse/` is a policy with a syntax mistake an author
//! makes (its first line says which); the rendered diagnostics are snapshots
//! in `snapshots/`. Property tests feed `check_source` arbitrary text, token
//! soup and grammar-shaped policies: it never panics, and every diagnostic
//! points inside the text.

#![allow(clippy::panic, reason = "a failing test case should stop the test loudly")]

use crate::util;
use proptest::prelude::*;
use smpolicy::check::check_source;
use smpolicy::diagnostic::Diagnostic;
use smpolicy::source::SourceFile;
use std::path::{Path, PathBuf};

fn relative(path: &Path) -> PathBuf {
    path.strip_prefix(util::root()).map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
}

#[test]
fn parse_error_cases_render_as_snapshots() {
    insta::glob!("cases/parse/*.policy", |path| {
        let file = util::source(relative(path));
        let diags = match check_source(&file) {
            Ok(_) => panic!("{} parses, but it is a syntax-error case", path.display()),
            Err(diags) => diags,
        };
        assert!(!diags.is_empty());
        insta::assert_snapshot!(util::render_all(&diags, &file));
    });
}

#[test]
fn there_are_enough_cases() {
    let count = |dir: &str| std::fs::read_dir(util::root().join(dir)).map_or(0, |d| d.count());
    assert!(count("tests/cases/parse") + count("tests/cases/check") >= 35);
    assert!(count("tests/cases/parse") >= 15);
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let depth = 5_000;
    let text = format!(
        "policy \"x\" default allow\nrule r {{ when {}content.confidential{} then deny }}\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let Err(diags) = check_source(&SourceFile::new("deep.policy", text)) else { panic!("parsed") };
    assert_eq!(diags.first().map(|d| d.code.as_str()), Some("too-deep"));
}

/// A policy pasted from a word processor keeps its non-breaking and other Unicode
/// spaces: they separate words as a space does, and `true`/`false` stay yes/no values
/// (read as words by the grammar, told apart by the builder), in a test and in a list.
#[test]
fn unicode_spaces_separate_words_and_true_stays_a_yes_no_value() {
    let plain = "policy \"Acme\" default allow\n\nrule r {\n  when content.confidential = true and \
                 target.interacted in {false} and action = post\n  then deny\n}\n";
    let pasted = plain.replacen(' ', "\u{A0}", 3).replacen(' ', "\u{202F}", 2).replacen(' ', "\u{3000}", 1);
    assert_ne!(pasted, plain);
    let print = |text: &str| {
        smpolicy::fmt::format_policy(&SourceFile::new("p.policy", text)).unwrap_or_else(|e| panic!("{e:?}"))
    };
    assert_eq!(print(&pasted), print(plain));
    let ast =
        smpolicy::parser::parse(&SourceFile::new("p.policy", pasted.as_str())).unwrap_or_else(|e| panic!("{e:?}"));
    let shown = format!("{ast:?}");
    assert!(shown.contains("Bool(true)") && shown.contains("Bool(false)"), "{shown}");
    assert!(!shown.contains("Path(\"true\")") && !shown.contains("Path(\"false\")"), "{shown}");
}

/// Checks the promise: no panic, and either a policy or at least one diagnostic,
/// every diagnostic pointing inside the text at character boundaries.
fn holds(text: &str) -> Result<(), TestCaseError> {
    let file = SourceFile::new("soup.policy", text);
    let inside = |d: &Diagnostic| {
        d.labels.iter().all(|l| l.span.start <= l.span.end && text.get(l.span.start..l.span.end).is_some())
    };
    match check_source(&file) {
        Ok((_, report)) => {
            for d in &report.diagnostics {
                prop_assert!(inside(d), "span outside the text: {d:?}");
            }
        }
        Err(diags) => {
            prop_assert!(!diags.is_empty());
            for d in &diags {
                prop_assert!(inside(d), "span outside the text: {d:?}");
            }
        }
    }
    Ok(())
}

const TOKENS: &[&str] = &[
    "policy",
    "\"Acme\"",
    "version",
    "3",
    "effective",
    "2026-01-01",
    "2026-02-31",
    "jurisdiction",
    "UK",
    "US-CA",
    "default",
    "allow",
    "deny",
    "none",
    "roles",
    "teams",
    "channels",
    "content kinds",
    "actions",
    "fact",
    ":",
    "bool",
    "int",
    "enum",
    "{",
    "}",
    "(",
    ")",
    ",",
    "->",
    "=",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "and",
    "or",
    "not",
    "in",
    "has",
    "is missing",
    "is present",
    "when",
    "unless",
    "then",
    "because",
    "advise",
    "oblige",
    "note",
    "dry run",
    "within",
    "30 days",
    "6 months",
    "1 business day",
    "3 years",
    "ownership",
    "on departure",
    "covenant",
    "non_compete",
    "non_solicitation",
    "of",
    "clients",
    "for",
    "lookback",
    "radius",
    "5 miles",
    "posting",
    "on",
    "twitter",
    "linkedin",
    "connecting",
    "limit",
    "10",
    "0",
    "posts",
    "per",
    "day",
    "week",
    "invitations",
    "at most",
    "30%",
    "130%",
    "job_ad",
    "forbid",
    "conduct",
    "offensive",
    "contacts",
    "only",
    "require",
    "approval",
    "from",
    "marketing",
    "terms",
    "rule",
    "exception",
    "to",
    "r1",
    "r2",
    "actor.status",
    "actor.stauts",
    "departed",
    "content.kind",
    "history.posts_today",
    "facts.x",
    "target.relationship",
    "client",
    "+",
    "-",
    "'text'",
    "#",
    "\n",
    "é",
    "\u{FEFF}",
    "\"unterminated",
];

fn soup() -> impl Strategy<Value = String> {
    (any::<bool>(), prop::collection::vec(prop::sample::select(TOKENS), 0..120)).prop_map(|(header, tokens)| {
        let body = tokens.join(" ");
        if header {
            format!("policy \"Acme\" default allow\n{body}")
        } else {
            body
        }
    })
}

const FACTS: &[&str] = &[
    "actor.status",
    "actor.role",
    "actor.departed_on",
    "content.kind",
    "content.confidential",
    "history.posts_today",
    "target.relationship",
    "facts.level",
    "facts.flag",
    "at",
    "channel",
    "action",
    "status",
];
const VALUES: &[&str] = &[
    "departed",
    "on_notice",
    "consultant",
    "job_ad",
    "client",
    "10",
    "0",
    "\"ten\"",
    "2026-03-01",
    "true",
    "3 months",
    "30%",
    "junior",
    "twitter",
    "actor.departed_on + 6 months",
];
const OPS: &[&str] = &["=", "!=", "<", "<=", ">", ">=", "has"];

fn test_expr() -> impl Strategy<Value = String> {
    prop_oneof![
        (prop::sample::select(FACTS), prop::sample::select(OPS), prop::sample::select(VALUES))
            .prop_map(|(f, o, v)| format!("{f} {o} {v}")),
        (prop::sample::select(FACTS), prop::collection::vec(prop::sample::select(VALUES), 0..3))
            .prop_map(|(f, vs)| format!("{f} in {{{}}}", vs.join(", "))),
        prop::sample::select(FACTS).prop_map(|f| f.to_string()),
        prop::sample::select(FACTS).prop_map(|f| format!("{f} is missing")),
    ]
}

fn condition() -> impl Strategy<Value = String> {
    test_expr().prop_recursive(4, 16, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} and {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} or {b})")),
            inner.prop_map(|a| format!("not {a}")),
        ]
    })
}

fn clause() -> impl Strategy<Value = String> {
    let name = prop::sample::select(&["r1", "r2", "r3", "jobs"][..]);
    let outcome = prop::sample::select(
        &["then deny", "then allow", "then require approval from manager", "", "then advise \"x\""][..],
    );
    prop_oneof![
        (name.clone(), condition(), outcome.clone()).prop_map(|(n, c, o)| format!("rule {n} {{ when {c} {o} }}")),
        (name.clone(), prop::sample::select(&["r1", "r2", "r3", "jobs", "nope"][..]), condition(), outcome)
            .prop_map(|(n, t, c, o)| format!("exception {n} to {t} {{ when {c} {o} }}")),
        (prop::sample::select(&["twitter", "linkdin", "youtube"][..]), 0u32..20, prop::sample::select(&["day", "week"][..]), condition())
            .prop_map(|(ch, n, p, c)| format!("posting on {ch} {{\n  limit {n} posts per {p} when {c}\n  forbid job_ad\n}}")),
        (0u32..20, prop::sample::select(&["day", "week"][..]))
            .prop_map(|(n, p)| format!("connecting on linkedin {{\n  limit {n} invitations per {p}\n  forbid invitations to clients while on_notice\n}}")),
        (prop::sample::select(&["non_compete", "non_solicitation of clients", "non_dealing of candidates"][..]), 0u32..40)
            .prop_map(|(k, n)| format!("covenant {k} for {n} months lookback 12 months radius 5 miles")),
        Just("ownership {\n  connections made before employment -> employee\n}".to_string()),
        (prop::sample::select(&["offensive", "politcal", "about_employer, harassment"][..]), condition())
            .prop_map(|(j, c)| format!("posting {{\n  forbid conduct {j} when {c}\n}}")),
        (prop::sample::select(&["contacts", "connections"][..]), condition())
            .prop_map(|(w, c)| format!("ownership {{\n  {w} -> agency unless {c}\n}}\non departure {{\n  no export of {w} owned by agency\n}}")),
        Just("actions like, follow\nrule likes { when action = like then allow }".to_string()),
        (prop::sample::select(&["require disclosure before posting", "require disclosure before", "require disclosure"][..]), condition())
            .prop_map(|(r, c)| format!("posting on linkedin {{\n  {r} when {c} then require approval from manager\n}}")),
        (prop::sample::select(&["non_compete", "non_poaching of staff", "non_dealing of clients"][..]), 1u32..40)
            .prop_map(|(k, n)| format!("covenant {k} for {n} months radius 5 miles")),
        Just("terms {\n  non_compete at most 3 months\n}".to_string()),
    ]
}

fn policy() -> impl Strategy<Value = String> {
    (
        prop::sample::select(&["UK", "US-CA", "DE", "AU", "US"][..]),
        prop::sample::select(&["default allow", "default none", ""][..]),
        prop::collection::vec(clause(), 0..8),
    )
        .prop_map(|(j, d, clauses)| {
            format!(
                "policy \"Acme\" jurisdiction {j} {d}\nroles consultant, manager\nfact level: enum {{ junior, senior }}\nfact flag: bool\n{}\n",
                clauses.join("\n")
            )
        })
}

proptest! {
    // 256 cases each by default; set PROPTEST_CASES for a longer run.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        holds(&text)?;
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        holds(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn token_soup_never_panics(text in soup()) {
        holds(&text)?;
    }

    #[test]
    fn grammar_shaped_policies_never_panic(text in policy()) {
        holds(&text)?;
    }
}
