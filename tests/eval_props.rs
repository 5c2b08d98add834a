//! Properties of the combining rules that can fail, checked on the evaluator
//! (`eval::evaluate`) and on the compiled form the batch uses
//! (`compile::compile`), over the scenario and shipped policies:
//!
//! 1. most restrictive wins: the verdict, its deciding clauses and approvers
//!    equal a naive reference computed from the per-clause results the verdict
//!    reports (the highest rank among the enforced clauses that apply, unless a
//!    conflict or an undecided stricter clause makes it indeterminate);
//! 2. adding a deny clause never loosens a verdict, and never turns a deny
//!    into indeterminate;
//! 3. an exception changes only the clause it names (every other clause's
//!    status is unchanged) and never tightens the verdict;
//! 4. removing a fact from an action never turns a deny into an allow (or a
//!    require-approval), nor a require-approval into an allow;
//! 5. evaluation is deterministic, also from a policy parsed again;
//! 6. the law layer never changes a verdict: when no clause tests
//!    `actor.jurisdiction`, moving the actor changes the law notes at most.
//!
//! The actions are the scenario cases (each with its own policy, sometimes with
//! another one), with a few fields changed. Conditions and targets are built
//! from the action so that the assertion is reached in most cases: each
//! property counts how often its assertion had something to check (the reach
//! rate) and fails below 50 %, and fails when too many generated inputs had to
//! be dropped.

#![allow(clippy::unwrap_used, clippy::panic, reason = "test helpers: a failure should stop the test loudly")]

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{json, Value as Json};
use smpolicy::ast::ConflictMode;
use smpolicy::compile::{compile, Compiled, FactRow};
use smpolicy::data::action::{parse_action_json_line, Action};
use smpolicy::data::testcase::{parse_tests, Subject};
use smpolicy::eval::explain::{self, ExplainOptions};
use smpolicy::eval::verdict::{Basis, Decision, RuleResult, Status, Verdict};
use smpolicy::eval::{evaluate, EvalOptions};
use smpolicy::policy::{Effect, Policy};
use smpolicy::source::SourceFile;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::OnceLock;

const CASES: u32 = 256;
/// The least share of cases, in per cent, whose assertion had something to check.
const MIN_REACH_PERCENT: usize = 50;
/// The most cases, in per cent, dropped because a changed action was invalid.
const MAX_DROPPED_PERCENT: usize = 10;

pub(crate) struct Loaded {
    pub(crate) file: SourceFile,
    pub(crate) policy: Policy,
    compiled: Compiled,
}

fn lowered(file: &SourceFile) -> Policy {
    let ast = smpolicy::parser::parse(file).unwrap_or_else(|e| panic!("{} does not parse: {e:?}", file.name));
    smpolicy::lower::lower(file, &ast)
}

fn load(file: SourceFile) -> Loaded {
    let policy = lowered(&file);
    let compiled = compile(&policy);
    Loaded { file, policy, compiled }
}

/// Every scenario and shipped policy.
pub(crate) fn policies() -> &'static [Loaded] {
    static P: OnceLock<Vec<Loaded>> = OnceLock::new();
    P.get_or_init(|| crate::util::all_policies().into_iter().map(load).collect())
}

/// Every scenario action (and the shipped policy's test actions) as JSON, with the index of its own policy.
fn corpus() -> &'static [(usize, Json)] {
    static C: OnceLock<Vec<(usize, Json)>> = OnceLock::new();
    C.get_or_init(|| {
        let mut out = Vec::new();
        for (i, l) in policies().iter().enumerate() {
            let tests = crate::util::root().join(l.file.name.replace(".policy", ".tests.yaml"));
            let Ok(text) = std::fs::read_to_string(&tests) else { continue };
            for case in parse_tests(&text, &tests.to_string_lossy()).unwrap() {
                if let Subject::Action(a) = case.subject {
                    out.push((i, serde_json::to_value(&*a).unwrap()));
                }
            }
        }
        assert!(out.len() >= 70, "only {} scenario actions", out.len());
        out
    })
}

pub(crate) fn opts() -> EvalOptions {
    EvalOptions { now: "2030-01-01T00:00:00Z".parse().unwrap() }
}

/// What the compiled form decides: verdict, deciding clause ids, approvers.
fn compiled(l: &Loaded, action: &Action) -> (Decision, Vec<String>, Vec<String>) {
    let row = FactRow::from_action_at(action, &l.compiled, opts().now);
    let d = l.compiled.decide(&row);
    let o = l.compiled.outcome(&row, &d);
    (o.verdict, o.deciding.iter().map(|s| s.to_string()).collect(), o.approvers.iter().map(|s| s.to_string()).collect())
}

fn rank(d: Decision) -> Option<u8> {
    match d {
        Decision::Allow => Some(0),
        Decision::RequireApproval => Some(1),
        Decision::Deny => Some(2),
        Decision::Indeterminate => None,
    }
}

fn why(l: &Loaded, v: &Verdict) -> String {
    explain::text(v, &l.file.name, ExplainOptions { why_not: true, all: false })
}

// ───────────── the inputs ─────────────

/// A case: which scenario action, which policy (its own, mostly), the changes
/// made to the action, and choices the property uses to build its clause.
#[derive(Debug, Clone)]
pub(crate) struct Input {
    base: prop::sample::Index,
    other_policy: Option<prop::sample::Index>,
    changes: Vec<(usize, u32)>,
    choices: Vec<u32>,
}

fn input() -> impl Strategy<Value = Input> {
    (
        any::<prop::sample::Index>(),
        prop::option::weighted(0.2, any::<prop::sample::Index>()),
        prop::collection::vec((any::<usize>(), any::<u32>()), 0..3),
        prop::collection::vec(any::<u32>(), 8),
    )
        .prop_map(|(base, other_policy, changes, choices)| Input { base, other_policy, changes, choices })
}

fn set(a: &mut Json, path: &str, value: Json) {
    let (head, last) = path.rsplit_once('.').map_or((None, path), |(h, l)| (Some(h), l));
    let mut cur = a;
    if let Some(h) = head {
        for p in h.split('.') {
            cur = cur.as_object_mut().unwrap().entry(p).or_insert_with(|| json!({}));
        }
    }
    cur.as_object_mut().unwrap().insert(last.to_string(), value);
}

/// One change to a field that the policies test.
fn change(a: &mut Json, field: usize, n: u32) {
    let pick = |xs: &[&str]| json!(xs[n as usize % xs.len()]);
    match field % 9 {
        0 => set(a, "history.posts_today", json!(n % 14)),
        1 => set(a, "history.posts_this_week", json!(n % 40)),
        2 => set(a, "actor.status", pick(&["employed", "on_notice", "garden_leave", "departed"])),
        3 => set(a, "channel", pick(&["twitter", "linkedin", "facebook", "youtube", "tiktok"])),
        4 => set(a, "action", pick(&["post", "share", "connect", "message", "solicit", "depart", "hand_over"])),
        5 => {
            let kind = ["job_ad", "industry", "brand", "opinion"][n as usize % 4];
            set(a, "content.kind", json!([kind]));
        }
        6 => set(a, "target.relationship", pick(&["client", "candidate", "colleague", "prospect"])),
        7 => set(a, "account.kind", pick(&["personal", "branded", "corporate"])),
        _ => set(a, "content.names_client", json!(n.is_multiple_of(2))),
    }
}

/// The policy and the action of a case, or `None` when the changes made the action invalid.
pub(crate) fn materialise(input: &Input) -> Option<(&'static Loaded, Json, Action)> {
    let (own, base) = input.base.get(corpus());
    let l = match &input.other_policy {
        Some(i) => i.get(policies()),
        None => &policies()[*own],
    };
    let mut a = base.clone();
    for (f, n) in &input.changes {
        change(&mut a, *f, *n);
    }
    let action = parse_action_json_line(&a.to_string()).ok()?;
    Some((l, a, action))
}

/// A leaf of the action JSON: `(path, value)`.
fn leaves(a: &Json, prefix: &str, out: &mut Vec<(String, Json)>) {
    if let Json::Object(m) = a {
        for (k, v) in m {
            let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
            match v {
                Json::Object(_) => leaves(v, &path, out),
                _ => out.push((path, v.clone())),
            }
        }
    }
}

/// A condition over the action's own facts: mostly true of it, sometimes
/// testing a fact it lacks (undecided), sometimes false.
fn condition(a: &Json, choices: &[u32]) -> String {
    condition_weighted(a, choices, 14)
}

/// As [`condition`], with `true_in_20` of every 20 atoms true of the action.
fn condition_weighted(a: &Json, choices: &[u32], true_in_20: u32) -> String {
    let mut true_atoms = vec![format!("action = {}", a["action"].as_str().unwrap())];
    if let Some(c) = a["channel"].as_str() {
        true_atoms.push(format!("channel = {c}"));
    }
    if let Some(s) = a["actor"]["status"].as_str() {
        true_atoms.push(format!("actor.status = {s}"));
    }
    if let Some(n) = a["history"]["posts_today"].as_u64() {
        true_atoms.push(format!("history.posts_today >= {}", n / 2));
    }
    if let Some(r) = a["target"]["relationship"].as_str() {
        true_atoms.push(format!("target.relationship = {r}"));
    }
    if let Some(k) = a["content"]["kind"].as_array().and_then(|k| k.first()).and_then(Json::as_str) {
        true_atoms.push(format!("content.kind has {k}"));
    }
    // Facts that are neither yes/no nor lists: absent means unknown today
    // (the lead's change extends this to yes/no facts and lists).
    let mut unknown_atoms = Vec::new();
    for (path, atom) in [
        ("history.posts_this_week", "history.posts_this_week >= 3"),
        ("target.connected_on", "target.connected_on >= 2020-01-01"),
        ("actor.departed_on", "actor.departed_on <= 2029-01-01"),
        ("target.last_dealt_with", "target.last_dealt_with >= 2020-01-01"),
        ("target.relationship", "target.relationship = client"),
    ] {
        let mut v = a;
        for p in path.split('.') {
            v = &v[p];
        }
        if v.is_null() {
            unknown_atoms.push(atom.to_string());
        }
    }
    let other = if a["action"] == "connect" { "action = depart" } else { "action = connect" };
    let atom = |c: u32| -> String {
        let k = c % 20;
        if k < true_in_20 {
            true_atoms[(c / 20) as usize % true_atoms.len()].clone()
        } else if k < true_in_20 + (20 - true_in_20) * 2 / 3 && !unknown_atoms.is_empty() {
            unknown_atoms[(c / 20) as usize % unknown_atoms.len()].clone()
        } else {
            other.to_string()
        }
    };
    let n = 1 + choices[0] % 3;
    let mut cond = atom(choices[1]);
    for i in 1..n as usize {
        let op = if (choices[0] / 3).is_multiple_of(4) { "or" } else { "and" };
        cond = format!("{cond} {op} {}", atom(choices[1 + i]));
    }
    cond
}

/// The case's policy when `want` holds of its verdict, else the first policy
/// (from a random start) where it does, so that the assertion is reached;
/// `None` when no policy has it.
fn policy_where(
    own: &'static Loaded,
    action: &Action,
    start: u32,
    want: impl Fn(&Loaded, &Verdict) -> bool,
) -> Option<(&'static Loaded, Verdict)> {
    let all = policies();
    let others = (0..all.len()).map(|i| &all[(start as usize + i) % all.len()]);
    std::iter::once(own).chain(others).find_map(|l| {
        let v = evaluate(&l.policy, &l.file, action, &opts());
        want(l, &v).then_some((l, v))
    })
}

/// A policy with text appended, parsed, lowered and compiled.
fn extended(l: &Loaded, extra: &str) -> Loaded {
    load(SourceFile::new(l.file.name.clone(), format!("{}\n\n{extra}\n", l.file.text)))
}

// ───────────── running a property with its reach rate ─────────────

#[derive(Clone, Copy)]
pub(crate) enum Reach {
    /// The assertion had something to check.
    Reached,
    /// The case passed without testing anything the property is about.
    Missed,
    /// The generated action was invalid.
    Dropped,
}

pub(crate) fn property(name: &str, f: impl Fn(&Input) -> Result<Reach, TestCaseError>) {
    let counts = [AtomicUsize::new(0), AtomicUsize::new(0), AtomicUsize::new(0)];
    let mut runner = TestRunner::new(Config { cases: CASES, failure_persistence: None, ..Config::default() });
    let result = runner.run(&input(), |i| {
        let r = f(&i)?;
        counts[r as usize].fetch_add(1, Relaxed);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
    let [reached, missed, dropped] = counts.map(AtomicUsize::into_inner);
    let total = reached + missed + dropped;
    eprintln!(
        "{name}: {total} cases, {reached} reached the assertion, {missed} had nothing to check, {dropped} dropped"
    );
    assert!(
        reached * 100 >= total * MIN_REACH_PERCENT,
        "{name}: only {reached} of {total} cases reached the assertion (bound {MIN_REACH_PERCENT} %)"
    );
    assert!(
        dropped * 100 <= total * MAX_DROPPED_PERCENT,
        "{name}: {dropped} of {total} cases were dropped (bound {MAX_DROPPED_PERCENT} %)"
    );
}

// ───────────── 1. most restrictive wins ─────────────

/// Whether a clause counts: enforced (not dry run) and decides something (not advice).
fn counts(r: &RuleResult) -> bool {
    !r.dry_run && r.effect.rank().is_some()
}

/// Its rank once approvals already granted are taken into account.
fn effective_rank(r: &RuleResult) -> u8 {
    if r.approved_by.is_some() {
        0
    } else {
        r.effect.rank().unwrap()
    }
}

/// The verdict, deciding clauses and approvers that "most restrictive wins"
/// gives from the per-clause results, when at least one enforced clause applies.
fn reference(policy: &Policy, v: &Verdict) -> Option<(Decision, Vec<String>, Vec<String>)> {
    let applying: Vec<&RuleResult> = v.rules.iter().filter(|r| counts(r) && r.status == Status::Applies).collect();
    let max = applying.iter().map(|r| effective_rank(r)).max()?;
    let conflict = policy.meta.conflicts == ConflictMode::Indeterminate
        && applying.iter().any(|r| effective_rank(r) == 0)
        && applying.iter().any(|r| effective_rank(r) > 0);
    if conflict {
        return Some((Decision::Indeterminate, applying.iter().map(|r| r.id.clone()).collect(), vec![]));
    }
    let blocking: Vec<String> = v
        .rules
        .iter()
        .filter(|r| counts(r) && r.status == Status::Undecided && r.effect.rank() > Some(max))
        .map(|r| r.id.clone())
        .collect();
    if !blocking.is_empty() {
        return Some((Decision::Indeterminate, blocking, vec![]));
    }
    let deciding: Vec<&RuleResult> = applying.into_iter().filter(|r| effective_rank(r) == max).collect();
    let mut approvers: Vec<String> = Vec::new();
    let decision = match max {
        0 => Decision::Allow,
        1 => {
            for r in &deciding {
                if let Effect::RequireApproval { approvers: a, .. } = &r.effect {
                    for x in a {
                        if !approvers.contains(x) {
                            approvers.push(x.clone());
                        }
                    }
                }
            }
            Decision::RequireApproval
        }
        _ => Decision::Deny,
    };
    Some((decision, deciding.iter().map(|r| r.id.clone()).collect(), approvers))
}

#[test]
fn the_most_restrictive_applicable_clause_wins() {
    property("most restrictive wins", |input| {
        let Some((own, _, action)) = materialise(input) else { return Ok(Reach::Dropped) };
        let applies = |l: &Loaded, v: &Verdict| reference(&l.policy, v).is_some();
        let (l, v) = policy_where(own, &action, input.choices[3], applies)
            .unwrap_or_else(|| (own, evaluate(&own.policy, &own.file, &action, &opts())));
        let got = (v.verdict, v.deciding.clone(), v.approvers.clone());
        prop_assert_eq!(&compiled(l, &action), &got, "{}: compiled form:\n{}", l.file.name, why(l, &v));
        let Some(want) = reference(&l.policy, &v) else {
            // No enforced clause applies: a default or "no clause" decides,
            // unless an undecided clause blocks it.
            prop_assert!(
                matches!(
                    v.basis,
                    Basis::SectionDefault { .. } | Basis::PolicyDefault | Basis::NoClause | Basis::MissingFacts { .. }
                ),
                "{}: {:?} with no clause applying:\n{}",
                l.file.name,
                v.basis,
                why(l, &v)
            );
            return Ok(Reach::Missed);
        };
        prop_assert_eq!(&got, &want, "{}: not the most restrictive:\n{}", l.file.name, why(l, &v));
        if v.verdict == Decision::Indeterminate && matches!(v.basis, Basis::MissingFacts { .. }) {
            prop_assert!(!v.missing.is_empty(), "{}: undecided without missing facts:\n{}", l.file.name, why(l, &v));
        }
        Ok(Reach::Reached)
    });
}

// ───────────── 2. an extra deny clause ─────────────

#[test]
fn adding_a_deny_clause_never_loosens() {
    property("an extra deny clause", |input| {
        let Some((l, json, action)) = materialise(input) else { return Ok(Reach::Dropped) };
        let cond = condition(&json, &input.choices);
        let rule = format!("rule prop-extra-deny \"A stricter rule.\" {{\n  when {cond}\n  then deny\n}}");
        let x = extended(l, &rule);
        let before = evaluate(&l.policy, &l.file, &action, &opts());
        let after = evaluate(&x.policy, &x.file, &action, &opts());
        let extra = after.rules.iter().find(|r| r.id == "prop-extra-deny").unwrap().status;
        let pairs = [
            ("evaluator", before.verdict, after.verdict),
            ("compiled form", compiled(l, &action).0, compiled(&x, &action).0),
        ];
        for (form, b, a) in pairs {
            let ok = match b {
                Decision::Deny => a == Decision::Deny,
                Decision::Indeterminate => matches!(a, Decision::Indeterminate | Decision::Deny),
                _ => a == Decision::Indeterminate || rank(a) >= rank(b),
            };
            prop_assert!(ok, "{}: {form}: {b:?} became {a:?} with `when {cond}`:\n{}", l.file.name, why(&x, &after));
            if extra == Status::Applies {
                prop_assert!(
                    a == Decision::Deny || matches!(after.basis, Basis::Conflict { .. }),
                    "{}: {form}: the extra deny applies but the verdict is {a:?}:\n{}",
                    l.file.name,
                    why(&x, &after)
                );
            }
        }
        Ok(if matches!(extra, Status::Applies | Status::Undecided) { Reach::Reached } else { Reach::Missed })
    });
}

// ───────────── 3. an exception ─────────────

#[test]
fn an_exception_changes_only_the_clause_it_names() {
    property("an exception", |input| {
        let Some((own, json, action)) = materialise(input) else { return Ok(Reach::Dropped) };
        // A named clause that is not itself an exception, and that applies or is
        // undecided: in the case's policy, else in the first policy (from a
        // random start) that has one. One time in five, any named clause.
        let named = |l: &Loaded| -> Vec<String> {
            l.policy.rules.iter().filter(|r| r.named && r.overrides.is_empty()).map(|r| r.id.clone()).collect()
        };
        let live = |l: &Loaded, v: &Verdict| -> Vec<String> {
            let n = named(l);
            v.rules
                .iter()
                .filter(|r| n.contains(&r.id) && matches!(r.status, Status::Applies | Status::Undecided))
                .map(|r| r.id.clone())
                .collect()
        };
        let all = policies();
        let start = input.choices[3] as usize;
        let candidates = std::iter::once(own).chain((0..all.len()).map(|i| &all[(start + i) % all.len()]));
        let any_named = input.choices[6] % 5 == 0;
        let mut found = None;
        for l in candidates {
            let before = evaluate(&l.policy, &l.file, &action, &opts());
            let pool = if any_named { named(l) } else { live(l, &before) };
            if !pool.is_empty() {
                found = Some((l, before, pool));
                break;
            }
        }
        let Some((l, before, pool)) = found else { return Ok(Reach::Missed) };
        let status = |id: &str| before.rules.iter().find(|r| r.id == id).unwrap().status;
        let target = pool[input.choices[7] as usize % pool.len()].as_str();
        let cond = condition_weighted(&json, &input.choices, 19);
        let text =
            format!("exception prop-exception to {target} \"A property test.\" {{\n  when {cond}\n  then allow\n}}");
        let x = extended(l, &text);
        let after = evaluate(&x.policy, &x.file, &action, &opts());
        let exception = after.rules.iter().find(|r| r.id == "prop-exception").unwrap().status;
        for r in &before.rules {
            let now = after.rules.iter().find(|a| a.id == r.id).unwrap();
            if r.id == target {
                let expect = if exception == Status::Applies && matches!(r.status, Status::Applies | Status::Undecided)
                {
                    Status::Overridden
                } else {
                    r.status
                };
                prop_assert_eq!(
                    now.status,
                    expect,
                    "{}: `{}` with `when {}`:\n{}",
                    l.file.name,
                    target,
                    cond,
                    why(&x, &after)
                );
            } else {
                prop_assert_eq!(
                    now.status,
                    r.status,
                    "{}: the exception to `{}` changed `{}`:\n{}",
                    l.file.name,
                    target,
                    r.id,
                    why(&x, &after)
                );
            }
        }
        let pairs = [
            ("evaluator", before.verdict, after.verdict),
            ("compiled form", compiled(l, &action).0, compiled(&x, &action).0),
        ];
        for (form, b, a) in pairs {
            prop_assert!(
                rank(b).is_none() || rank(a).is_none() || rank(a) <= rank(b),
                "{}: {form}: an exception to `{target}` made {b:?} into {a:?}:\n{}",
                l.file.name,
                why(&x, &after)
            );
        }
        let overrode = exception == Status::Applies && matches!(status(target), Status::Applies | Status::Undecided);
        Ok(if overrode { Reach::Reached } else { Reach::Missed })
    });
}

// ───────────── 4. removing a fact ─────────────

/// Facts that may be removed: present, and neither yes/no nor lists (an absent
/// yes/no fact still counts as false and an absent list as empty; the lead's
/// change makes them unknown too, and then this generator should take every
/// fact). `action`, the actor's id, role and status, and a leaver's
/// `departed_on` are required.
fn removable(json: &Json) -> Vec<String> {
    let mut all = Vec::new();
    leaves(json, "", &mut all);
    all.into_iter()
        .filter(|(p, v)| {
            let required = matches!(p.as_str(), "action" | "actor.id" | "actor.role" | "actor.status" | "at")
                || (p == "actor.departed_on" && json["actor"]["status"] == "departed");
            let yes_no_or_list = matches!(v, Json::Bool(_) | Json::Array(_) | Json::Null);
            !required && !yes_no_or_list
        })
        .map(|(p, _)| p)
        .collect()
}

/// The candidates some clause tested, other than by `is present` / `is missing`
/// (with which a policy makes absence meaningful).
fn tested_by(candidates: &[String], v: &Verdict) -> Vec<String> {
    candidates
        .iter()
        .filter(|p| {
            let tests = || v.rules.iter().flat_map(|r| &r.tests).filter(|t| t.fact.as_deref() == Some(p.as_str()));
            tests().next().is_some()
                && !tests().any(|t| t.text.contains(" is present") || t.text.contains(" is missing"))
        })
        .cloned()
        .collect()
}

#[test]
fn removing_a_fact_never_loosens() {
    property("a fact removed", |input| {
        let Some((own, json, action)) = materialise(input) else { return Ok(Reach::Dropped) };
        // A policy that refuses the action or needs an approval, and tests one
        // of its facts: among all policies for this action, else for the next
        // scenario actions (unchanged) under their own policy.
        let strict = |candidates: &[String], v: &Verdict| {
            matches!(v.verdict, Decision::Deny | Decision::RequireApproval) && !tested_by(candidates, v).is_empty()
        };
        let n = corpus().len();
        let b = input.base.index(n);
        let next = (1..n).filter_map(|k| {
            let (i, j) = &corpus()[(b + k) % n];
            Some((&policies()[*i], j.clone(), parse_action_json_line(&j.to_string()).ok()?, false))
        });
        let mut chosen = None;
        for (own, json, action, search_policies) in std::iter::once((own, json, action, true)).chain(next) {
            let candidates = removable(&json);
            let found = if search_policies {
                policy_where(own, &action, input.choices[3], |_, v| strict(&candidates, v))
            } else {
                let v = evaluate(&own.policy, &own.file, &action, &opts());
                strict(&candidates, &v).then_some((own, v))
            };
            if let Some((l, before)) = found {
                chosen = Some((l, json, action, before, candidates));
                break;
            }
        }
        let Some((l, json, action, before, candidates)) = chosen else { return Ok(Reach::Missed) };
        // Mostly a fact a clause tested (seven times in eight).
        let tested = tested_by(&candidates, &before);
        let path = if tested.is_empty() || input.choices[5] % 8 == 0 {
            &candidates[input.choices[4] as usize % candidates.len()]
        } else {
            &tested[input.choices[4] as usize % tested.len()]
        };
        let mut smaller = json.clone();
        let (head, last) = path.rsplit_once('.').map_or((None, path.as_str()), |(h, l)| (Some(h), l));
        let mut cur = &mut smaller;
        for p in head.into_iter().flat_map(|h| h.split('.')) {
            cur = &mut cur[p];
        }
        cur.as_object_mut().unwrap().remove(last);
        let Ok(less) = parse_action_json_line(&smaller.to_string()) else { return Ok(Reach::Dropped) };
        let after = evaluate(&l.policy, &l.file, &less, &opts());
        // A policy may make absence meaningful (`when target.last_dealt_with is present`).
        let presence_tested = before.rules.iter().chain(&after.rules).any(|r| {
            r.tests.iter().any(|t| {
                t.fact.as_deref() == Some(path.as_str())
                    && (t.text.contains(" is present") || t.text.contains(" is missing"))
            })
        });
        if presence_tested {
            return Ok(Reach::Missed);
        }
        let pairs = [
            ("evaluator", before.verdict, after.verdict),
            ("compiled form", compiled(l, &action).0, compiled(l, &less).0),
        ];
        for (form, b, a) in pairs {
            let ok = match b {
                Decision::Deny => matches!(a, Decision::Deny | Decision::Indeterminate),
                Decision::RequireApproval => a != Decision::Allow,
                _ => true,
            };
            prop_assert!(ok, "{}: {form}: {b:?} became {a:?} without `{path}`:\n{}", l.file.name, why(l, &after));
        }
        let strict = matches!(before.verdict, Decision::Deny | Decision::RequireApproval);
        Ok(if strict && tested.contains(path) { Reach::Reached } else { Reach::Missed })
    });
}

// ───────────── 5. determinism ─────────────

#[test]
fn evaluation_is_deterministic() {
    property("determinism", |input| {
        let Some((l, _, action)) = materialise(input) else { return Ok(Reach::Dropped) };
        let once = serde_json::to_string(&evaluate(&l.policy, &l.file, &action, &opts())).unwrap();
        let twice = serde_json::to_string(&evaluate(&l.policy, &l.file, &action, &opts())).unwrap();
        prop_assert_eq!(&once, &twice);
        let again = serde_json::to_string(&evaluate(&lowered(&l.file), &l.file, &action, &opts())).unwrap();
        prop_assert_eq!(&once, &again, "{}: a policy parsed again decides differently", l.file.name);
        Ok(Reach::Reached)
    });
}

/// Found by `removing_a_fact_never_loosens`: K06 employer B forbids posting on
/// channels it does not list (`posting on other channels { default deny }`); a
/// post that does not say its channel must not fall through to the policy's
/// `default allow`: the section default's scope is unknown, so the verdict is
/// indeterminate, naming `channel`.
#[test]
fn an_unknown_section_scope_does_not_fall_through_to_a_looser_default() {
    let l = policies().iter().find(|l| l.file.name.ends_with("K06-B.policy")).unwrap();
    let action = parse_action_json_line(
        r#"{"action":"post","at":"2026-06-08T10:00:00+01:00","actor":{"id":"s","role":"consultant","status":"employed"},"content":{"kind":["job_ad"]}}"#,
    )
    .unwrap();
    let v = evaluate(&l.policy, &l.file, &action, &opts());
    assert_eq!(v.verdict, Decision::Indeterminate, "{}", why(l, &v));
    assert!(v.missing.contains(&"channel".to_string()), "{}", why(l, &v));
    assert_eq!(compiled(l, &action).0, Decision::Indeterminate);
}

// ───────────── 6. the law layer ─────────────

/// As written (`--as-written`, the behaviour before the law layer), what the
/// law table says is a note on the verdict, never a change to it: when no
/// clause tests `actor.jurisdiction`, moving the actor to another
/// jurisdiction changes the law notes at most, never the verdict, its
/// deciding clauses or approvers. With the law applied, the verdict in each
/// place is never stricter than as written, an allow stays an allow, every
/// change is explained by a clause set aside, and the compiled form agrees.
#[test]
fn the_law_layer_only_ever_sets_clauses_aside() {
    const PLACES: [&str; 5] = ["UK", "US-CA", "US-NY", "DE", "AU"];
    property("the law layer", |input| {
        let Some((own, json, _)) = materialise(input) else { return Ok(Reach::Dropped) };
        let in_each_place = |json: &Json| -> Result<Vec<Action>, TestCaseError> {
            PLACES
                .iter()
                .map(|place| {
                    let mut a = json.clone();
                    set(&mut a, "actor.jurisdiction", json!(place));
                    parse_action_json_line(&a.to_string())
                        .map_err(|e| TestCaseError::fail(format!("actor.jurisdiction {place}: {e}")))
                })
                .collect()
        };
        let decide_all = |l: &Loaded, actions: &[Action]| -> Vec<Verdict> {
            let written = smpolicy::law::as_written(&l.policy);
            actions.iter().map(|a| evaluate(&written, &l.file, a, &opts())).collect()
        };
        let tests_jurisdiction = |vs: &[Verdict]| {
            vs.iter()
                .flat_map(|v| &v.rules)
                .flat_map(|r| &r.tests)
                .any(|t| t.fact.as_deref() == Some("actor.jurisdiction"))
        };
        let law_speaks = |vs: &[Verdict]| vs.iter().any(|v| !v.law_notes.is_empty());
        // A policy whose law table says something of the action, and whose
        // clauses do not test the jurisdiction: among all policies for this
        // action, else for the next scenario actions under their own policy.
        let all = policies();
        let start = input.choices[3] as usize;
        let n = corpus().len();
        let b = input.base.index(n);
        let mut fallback = None;
        let mut chosen = None;
        let first_try: Vec<&Loaded> =
            std::iter::once(own).chain((0..all.len()).map(|i| &all[(start + i) % all.len()])).collect();
        let next = (1..n).map(|k| {
            let (i, j) = &corpus()[(b + k) % n];
            (vec![&policies()[*i]], j.clone())
        });
        'search: for (pols, json) in std::iter::once((first_try, json)).chain(next) {
            let actions = in_each_place(&json)?;
            for l in pols {
                let vs = decide_all(l, &actions);
                if tests_jurisdiction(&vs) {
                    continue;
                }
                if law_speaks(&vs) {
                    chosen = Some((l, vs, actions));
                    break 'search;
                }
                if fallback.is_none() {
                    fallback = Some((l, vs, actions.clone()));
                }
            }
        }
        let reached = chosen.is_some();
        let Some((l, vs, actions)) = chosen.or(fallback) else { return Ok(Reach::Missed) };
        let first = &vs[0];
        for (place, (v, action)) in PLACES.iter().zip(vs.iter().zip(&actions)) {
            prop_assert_eq!(
                (v.verdict, &v.deciding, &v.approvers),
                (first.verdict, &first.deciding, &first.approvers),
                "{}: in {} the verdict differs from {}:\n{}",
                l.file.name,
                place,
                PLACES[0],
                why(l, v)
            );
            let with_law = evaluate(&l.policy, &l.file, action, &opts());
            prop_assert_eq!(compiled(l, action).0, with_law.verdict, "{}: compiled form in {}", l.file.name, place);
            if v.verdict == Decision::Allow {
                prop_assert_eq!(with_law.verdict, Decision::Allow, "{}: stricter in {}", l.file.name, place);
            }
            if with_law.verdict != v.verdict {
                prop_assert!(
                    !with_law.law.is_empty(),
                    "{}: changed in {} with no clause set aside",
                    l.file.name,
                    place
                );
                if with_law.verdict != Decision::Indeterminate {
                    prop_assert!(with_law.verdict < v.verdict, "{}: stricter in {}", l.file.name, place);
                }
            }
        }
        Ok(if reached { Reach::Reached } else { Reach::Missed })
    });
}
