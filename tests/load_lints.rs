//! The checker's lints over many rules, against a plain reference.
//!
//! `shadowed-rule` finds a clause's possible shadowers among the subsets of
//! its own tests, walked only along the prefixes some stricter clause's set
//! of tests has (so loading stays linear in the rules). Here random
//! conjunctions over a small alphabet (so that shadowing is common) are
//! checked against the definition, pair by pair: a `require approval` rule is
//! shadowed when a `deny` rule tests a subset of its tests, and the message
//! names the first such rule.

use proptest::prelude::*;
use smpolicy::check::check_source;
use smpolicy::source::SourceFile;
use std::collections::{BTreeMap, BTreeSet};

/// The tests a rule may draw from: few, so subsets are common.
const TESTS: &[&str] = &[
    "action = post",
    "channel = twitter",
    "content.confidential",
    "not content.names_client",
    "history.posts_today >= 10",
    "actor.status in {on_notice, departed}",
    "content.kind has job_ad",
];

/// One rule: which of [`TESTS`] it joins with `and` (a bit each), and whether it denies.
fn rule() -> impl Strategy<Value = (u8, bool)> {
    (1u8..(1 << TESTS.len()), any::<bool>())
}

fn tests_of(bits: u8) -> Vec<&'static str> {
    TESTS.iter().enumerate().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, t)| *t).collect()
}

fn policy_text(rules: &[(u8, bool)]) -> String {
    let mut s = String::from("policy \"shadows\" default allow\n\nroles consultant, manager\n\n");
    for (i, (bits, deny)) in rules.iter().enumerate() {
        // The tests in a rotated order, so that the lint cannot lean on the order written.
        let mut tests = tests_of(*bits);
        let k = tests.len();
        tests.rotate_left(i % k);
        let then = if *deny { "deny" } else { "require approval from manager" };
        s.push_str(&format!("rule r{i} {{\n  when {}\n  then {then}\n}}\n\n", tests.join(" and ")));
    }
    s
}

/// Rule index → the first stricter rule whose tests are a subset of its own.
fn reference(rules: &[(u8, bool)]) -> BTreeMap<usize, usize> {
    let mut out = BTreeMap::new();
    for (a, (bits_a, deny_a)) in rules.iter().enumerate() {
        if *deny_a {
            continue;
        }
        let first = rules.iter().enumerate().find(|(b, (bits_b, deny_b))| *deny_b && *b != a && bits_b & !bits_a == 0);
        if let Some((b, _)) = first {
            out.insert(a, b);
        }
    }
    out
}

/// Rule index → the rule the `shadowed-rule` warning names.
fn found(text: &str) -> BTreeMap<usize, usize> {
    let file = SourceFile::new("shadows.policy", text);
    let (_, report) = check_source(&file).unwrap_or_else(|d| panic!("does not parse: {d:?}"));
    let index = |word: &str| word.trim_matches('`').trim_start_matches('r').parse::<usize>().ok();
    report
        .diagnostics
        .iter()
        .filter(|d| d.code == "shadowed-rule")
        .map(|d| {
            // "`rA` never decides, because `rB` (deny) applies whenever it does"
            let words: Vec<&str> = d.message.split_whitespace().collect();
            let a = words.first().and_then(|w| index(w));
            let b = words.iter().position(|w| *w == "because").and_then(|i| words.get(i + 1)).and_then(|w| index(w));
            match (a, b) {
                (Some(a), Some(b)) => (a, b),
                _ => panic!("unexpected message: {}", d.message),
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn shadowed_rules_are_those_of_the_definition(rules in prop::collection::vec(rule(), 1..40)) {
        let text = policy_text(&rules);
        prop_assert_eq!(found(&text), reference(&rules), "{}", text);
    }
}

#[test]
fn many_rules_are_checked_and_the_shadowed_ones_found() {
    // 2,000 rules: every subset of the tests, approval and deny, in a fixed
    // mixed order; checking them must find exactly the reference's pairs.
    let mut rules: Vec<(u8, bool)> = (1u8..(1 << TESTS.len())).flat_map(|b| [(b, false), (b, true)]).collect();
    let mut seed = 7u64;
    for i in (1..rules.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        rules.swap(i, (seed % (i as u64 + 1)) as usize);
    }
    let rules: Vec<(u8, bool)> = rules.iter().cycle().take(2_000).copied().collect();
    let text = policy_text(&rules);
    let found = found(&text);
    let expected = reference(&rules);
    assert!(!expected.is_empty());
    assert_eq!(found.keys().collect::<BTreeSet<_>>(), expected.keys().collect::<BTreeSet<_>>());
    assert_eq!(found, expected);
}
