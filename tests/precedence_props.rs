//! Precedence, checked against a reference written from the language
//! reference (docs/language.md, section 16) and nothing else.
//!
//! `eval_props`'s reference combiner knows only "most restrictive wins", and
//! no scenario or shipped policy uses `conflicts most_specific` or
//! `priorities`. Here each case is a small generated policy (two to six rules
//! over the action, the channel, the team and the device; any outcome; any
//! tier) under one of the three `conflicts` modes, with or without tiers, and
//! an action drawn from the same names. The reference works everything out
//! itself: which rules apply (a rule testing `device` is undecided when the
//! action gives no device), each rule's scope as the *set* of values it allows
//! on each of the six scope facts (enumerated over the names used plus one
//! name no rule mentions, since values are open-ended), "more specific" as a
//! strict subset on one fact and a subset on all, tiers, contention, the
//! outcomes' order, `conflicts indeterminate` and undecided clauses that
//! could win. The evaluator and the compiled form must both agree with it on
//! the verdict, the deciding clauses and the approvers.
//!
//! The reach rate is reported and bounded twice: most cases must have a rule
//! that applies, and many must be ones where precedence put an applying rule
//! out of contention (a case where every rule stays in contention tests only
//! the outcomes' order).

#![allow(clippy::unwrap_used, clippy::panic, reason = "test helpers: a failure should stop the test loudly")]

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use smpolicy::compile::{compile, FactRow};
use smpolicy::data::action::parse_action_json_line;
use smpolicy::eval::verdict::Decision;
use smpolicy::eval::{evaluate, EvalOptions};
use smpolicy::source::SourceFile;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

const CASES: u32 = 512;

/// The names of each fact the rules test, in the order of [`Test::fact`].
const ACTIONS: [&str; 3] = ["post", "share", "comment"];
const CHANNELS: [&str; 3] = ["linkedin", "twitter", "facebook"];
const TEAMS: [&str; 3] = ["marketing", "recruiting", "legal"];
const FACTS: [(&str, [&str; 3]); 3] = [("action", ACTIONS), ("channel", CHANNELS), ("actor.team", TEAMS)];
const TIERS: [&str; 2] = ["legal", "business"];

/// One test of a scope fact: `F = x`, `F != x` or `F in {x, y}`.
#[derive(Debug, Clone)]
enum Test {
    Eq(usize),
    Ne(usize),
    In(Vec<usize>),
}

impl Test {
    /// Whether the fact's value (an index into its names; 3 stands for a name
    /// no rule mentions) passes the test.
    fn holds(&self, value: usize) -> bool {
        match self {
            Test::Eq(i) => value == *i,
            Test::Ne(i) => value != *i,
            Test::In(v) => v.contains(&value),
        }
    }

    fn text(&self, fact: &str, names: &[&str; 3]) -> String {
        match self {
            Test::Eq(i) => format!("{fact} = {}", names[*i]),
            Test::Ne(i) => format!("{fact} != {}", names[*i]),
            Test::In(v) => format!("{fact} in {{{}}}", v.iter().map(|i| names[*i]).collect::<Vec<_>>().join(", ")),
        }
    }
}

#[derive(Debug, Clone)]
struct Rule {
    /// A test of the action, the channel, the team (each may be absent).
    tests: [Option<Test>; 3],
    /// Also `device = agency` (undecided when the action gives no device).
    device: bool,
    /// 0 allow, 1 require approval (from the rule's approver), 2 deny.
    outcome: u8,
    /// Which approver a `require approval` names.
    approver: usize,
    /// The tier (an index into [`TIERS`]) when the policy has tiers.
    tier: Option<usize>,
}

#[derive(Debug, Clone)]
struct Case {
    /// 0 most_restrictive, 1 most_specific, 2 indeterminate.
    mode: usize,
    tiers: bool,
    rules: Vec<Rule>,
    /// The action's action, channel and team (indices into the names).
    action: [usize; 3],
    /// The device: none, agency or personal.
    device: Option<bool>,
}

const APPROVERS: [&str; 2] = ["manager", "marketing"];

/// A test, as offsets from the action's value (0 is the action's own value),
/// so that most tests hold: `Eq` mostly of the value, `Ne` mostly of another,
/// `In` mostly with it. [`Case::materialise`] turns them into names.
fn test() -> impl Strategy<Value = Option<Test>> {
    let near = || prop_oneof![6 => Just(0usize), 1 => Just(1usize), 1 => Just(2usize)];
    let far = || prop_oneof![1 => Just(0usize), 3 => Just(1usize), 3 => Just(2usize)];
    prop_oneof![
        2 => Just(None),
        3 => near().prop_map(|i| Some(Test::Eq(i))),
        1 => far().prop_map(|i| Some(Test::Ne(i))),
        1 => (near(), 1..3usize).prop_map(|(a, d)| Some(Test::In(vec![a, (a + d) % 3]))),
    ]
}

impl Case {
    /// The rules' tests, from offsets of the action's values to names (indices).
    fn materialise(mut self) -> Case {
        for r in &mut self.rules {
            for (t, v) in r.tests.iter_mut().zip(self.action) {
                match t {
                    Some(Test::Eq(i) | Test::Ne(i)) => *i = (*i + v) % 3,
                    Some(Test::In(items)) => {
                        for i in items.iter_mut() {
                            *i = (*i + v) % 3;
                        }
                        items.sort_unstable();
                    }
                    None => {}
                }
            }
        }
        self
    }
}

fn rule() -> impl Strategy<Value = Rule> {
    ([test(), test(), test()], prop::bool::weighted(0.3), 0..3u8, 0..2usize, prop::option::of(0..2usize))
        .prop_map(|(tests, device, outcome, approver, tier)| Rule { tests, device, outcome, approver, tier })
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop_oneof![1 => Just(0usize), 2 => Just(1usize), 1 => Just(2usize)],
        any::<bool>(),
        prop::collection::vec(rule(), 2..7),
        [0..3usize, 0..3usize, 0..3usize],
        prop::option::weighted(0.8, prop::bool::weighted(0.8)),
    )
        .prop_map(|(mode, tiers, rules, action, device)| Case { mode, tiers, rules, action, device }.materialise())
}

// ───────────── the policy and the action as text ─────────────

fn policy_text(c: &Case) -> String {
    let mode = ["most_restrictive", "most_specific", "indeterminate"][c.mode];
    let mut out = format!(
        "policy \"Precedence property\" version 1\n  effective 2020-01-01\n  default allow\n  conflicts {mode}\n"
    );
    if c.tiers {
        out.push_str(&format!("  priorities {}\n", TIERS.join(" > ")));
    }
    out.push_str("\nroles consultant, manager, marketing\nteams marketing, recruiting, legal\n");
    for (i, r) in c.rules.iter().enumerate() {
        let mut parts: Vec<String> =
            r.tests.iter().zip(FACTS).filter_map(|(t, (fact, names))| Some(t.as_ref()?.text(fact, &names))).collect();
        if r.device {
            parts.push("device = agency".into());
        }
        if parts.is_empty() {
            // A rule must test something: a fact every action here gives
            // (`actor.status` is not a scope fact, so the scope stays general).
            parts.push("actor.status = employed".into());
        }
        let then = match r.outcome {
            0 => "allow".to_string(),
            1 => format!("require approval from {}", APPROVERS[r.approver]),
            _ => "deny".to_string(),
        };
        out.push_str(&format!("\nrule r{i} {{\n  when {}\n  then {then}\n", parts.join(" and ")));
        if let (true, Some(t)) = (c.tiers, r.tier) {
            out.push_str(&format!("  priority {}\n", TIERS[t]));
        }
        out.push_str("}\n");
    }
    out
}

fn action_json(c: &Case) -> String {
    let device = match c.device {
        None => String::new(),
        Some(true) => r#","device":"agency""#.into(),
        Some(false) => r#","device":"personal""#.into(),
    };
    format!(
        r#"{{"action":"{}","at":"2026-03-14T15:05:00Z","actor":{{"id":"a","role":"consultant","status":"employed","team":"{}"}},"channel":"{}","content":{{"kind":"industry"}}{device}}}"#,
        ACTIONS[c.action[0]], TEAMS[c.action[2]], CHANNELS[c.action[1]]
    )
}

// ───────────── the reference ─────────────

#[derive(Debug, Clone, Copy, PartialEq)]
enum St {
    Applies,
    Not,
    Undecided,
}

/// Three-valued: a failing test makes the rule not apply whatever the
/// device; otherwise a device test with no device given leaves it undecided.
fn status(r: &Rule, c: &Case) -> St {
    let scope_ok = r.tests.iter().zip(c.action).all(|(t, v)| t.as_ref().is_none_or(|t| t.holds(v)));
    if !scope_ok {
        return St::Not;
    }
    match (r.device, c.device) {
        (false, _) | (true, Some(true)) => St::Applies,
        (true, Some(false)) => St::Not,
        (true, None) => St::Undecided,
    }
}

/// The values a rule allows on each scope fact, over the three names and one
/// name no rule mentions (index 3). A fact the rule does not test allows all
/// four. (The other three scope facts, content kind, role and relationship,
/// are never tested: every rule allows all of them, so they never decide.)
fn scope(r: &Rule) -> [[bool; 4]; 3] {
    r.tests.clone().map(|t| {
        let mut allowed = [true; 4];
        if let Some(t) = t {
            for (v, a) in allowed.iter_mut().enumerate() {
                *a = t.holds(v);
            }
        }
        allowed
    })
}

fn subset(a: &[bool; 4], b: &[bool; 4]) -> bool {
    a.iter().zip(b).all(|(x, y)| !x || *y)
}

/// `a` is more specific than `b`: within it on every fact, strictly on one.
fn more_specific(a: &Rule, b: &Rule) -> bool {
    let (sa, sb) = (scope(a), scope(b));
    sa.iter().zip(&sb).all(|(x, y)| subset(x, y)) && sa.iter().zip(&sb).any(|(x, y)| !subset(y, x))
}

/// The rule's tier as a height: the first tier is the highest, no tier lowest.
fn height(c: &Case, r: &Rule) -> usize {
    match (c.tiers, r.tier) {
        (true, Some(t)) => TIERS.len() - t,
        _ => 0,
    }
}

fn beats(c: &Case, w: &Rule, l: &Rule) -> bool {
    height(c, w) > height(c, l) || (height(c, w) == height(c, l) && c.mode == 1 && more_specific(w, l))
}

/// What the reference decides: the verdict, the deciding rules, the
/// approvers; and whether precedence put an applying rule out of contention.
fn reference(c: &Case) -> (Decision, Vec<String>, Vec<String>, bool) {
    let st: Vec<St> = c.rules.iter().map(|r| status(r, c)).collect();
    let applying: Vec<usize> = (0..c.rules.len()).filter(|&i| st[i] == St::Applies).collect();
    let in_contention: Vec<usize> =
        applying.iter().copied().filter(|&l| !applying.iter().any(|&w| beats(c, &c.rules[w], &c.rules[l]))).collect();
    let precedence_mattered = in_contention.len() < applying.len();
    let name = |i: &usize| format!("r{i}");
    // The verdict so far: the strictest in contention, or the policy's default (allow).
    let max = in_contention.iter().map(|&i| c.rules[i].outcome).max();
    let conflict = c.mode == 2
        && in_contention.iter().any(|&i| c.rules[i].outcome == 0)
        && in_contention.iter().any(|&i| c.rules[i].outcome > 0);
    if conflict {
        return (Decision::Indeterminate, in_contention.iter().map(name).collect(), vec![], precedence_mattered);
    }
    // An undecided rule holds the verdict back when no applying rule beats it
    // and it is stricter than the verdict would be.
    let current = max.unwrap_or(0);
    let blocking: Vec<usize> = (0..c.rules.len())
        .filter(|&u| st[u] == St::Undecided)
        .filter(|&u| !applying.iter().any(|&w| beats(c, &c.rules[w], &c.rules[u])))
        .filter(|&u| c.rules[u].outcome > current)
        .collect();
    if !blocking.is_empty() {
        return (Decision::Indeterminate, blocking.iter().map(name).collect(), vec![], precedence_mattered);
    }
    let Some(max) = max else { return (Decision::Allow, vec![], vec![], precedence_mattered) };
    let deciding: Vec<usize> = in_contention.into_iter().filter(|&i| c.rules[i].outcome == max).collect();
    let mut approvers: Vec<String> = Vec::new();
    if max == 1 {
        for &i in &deciding {
            let a = APPROVERS[c.rules[i].approver].to_string();
            if !approvers.contains(&a) {
                approvers.push(a);
            }
        }
    }
    let verdict = [Decision::Allow, Decision::RequireApproval, Decision::Deny][max as usize];
    (verdict, deciding.iter().map(name).collect(), approvers, precedence_mattered)
}

// ───────────── the property ─────────────

#[test]
fn precedence_agrees_with_a_reference_written_from_the_language_reference() {
    let now: jiff::Timestamp = "2030-01-01T00:00:00Z".parse().unwrap();
    let opts = EvalOptions { now };
    let [applied, mattered, total] = [AtomicUsize::new(0), AtomicUsize::new(0), AtomicUsize::new(0)];
    let mut runner = TestRunner::new(Config { cases: CASES, failure_persistence: None, ..Config::default() });
    let result = runner.run(&case(), |c| {
        let text = policy_text(&c);
        let file = SourceFile::new("precedence.policy", text.clone());
        let ast = smpolicy::parser::parse(&file).unwrap_or_else(|e| panic!("does not parse: {e:?}\n{text}"));
        let policy = smpolicy::lower::lower(&file, &ast);
        let compiled = compile(&policy);
        let line = action_json(&c);
        let action = parse_action_json_line(&line).unwrap_or_else(|e| panic!("{e}: {line}"));

        let v = evaluate(&policy, &file, &action, &opts);
        let got = (v.verdict, v.deciding.clone(), v.approvers.clone());
        let row = FactRow::from_action_at(&action, &compiled, now);
        let d = compiled.decide(&row);
        let o = compiled.outcome(&row, &d);
        let fast = (
            o.verdict,
            o.deciding.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            o.approvers.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        );
        let (verdict, deciding, approvers, precedence_mattered) = reference(&c);
        let want = (verdict, deciding, approvers);
        prop_assert_eq!(&got, &want, "evaluator against the reference\n{}\n{}", text, line);
        prop_assert_eq!(&fast, &want, "compiled form against the reference\n{}\n{}", text, line);

        total.fetch_add(1, Relaxed);
        if c.rules.iter().any(|r| status(r, &c) == St::Applies) {
            applied.fetch_add(1, Relaxed);
        }
        if precedence_mattered {
            mattered.fetch_add(1, Relaxed);
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let [applied, mattered, total] = [applied, mattered, total].map(AtomicUsize::into_inner);
    eprintln!(
        "precedence: {total} cases, {applied} with a rule applying, {mattered} where precedence put one out of contention"
    );
    assert!(applied * 100 >= total * 60, "only {applied} of {total} cases had a rule applying (bound 60 %)");
    assert!(mattered * 100 >= total * 20, "only {mattered} of {total} cases had precedence matter (bound 20 %)");
}
