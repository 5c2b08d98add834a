//! From a leaf of the search to a region a reviewer can read.
//!
//! A leaf fixes many facts only because the search split on them on the way.
//! Its *region* keeps just the tests that decide the verdicts there: for every
//! clause of both policies, the tests its status rests on (a condition that
//! fails rests on one failing part, one that holds on all its parts), plus an
//! approval already granted and the scopes of section defaults when no clause
//! decides. Every action that agrees with the leaf on those tests gets the same
//! verdicts, so the region is a sound generalization of the leaf.
//!
//! Regions with the same verdicts and the same deciding clauses are merged
//! when they differ in one fact only (the union of the two), so a change along
//! a number or a date reads as one interval. The region is then written as
//! [`Constraint`]s (machine-readable, with [`Constraint::contains`]) and in words.

use super::search::{State, Status};
use super::space::{all4, and, any4, not4, ones, AtomId, AtomKind, CCond, CRule, Dim, Extent, Space, T4};
use crate::eval::interp::{self, Ctx, Truth};
use crate::eval::Facts;
use crate::policy::{Cond, Term, Test, TestOp};
use crate::value::Value;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A region: per fact, the classes allowed (`None`: any), and the truth each
/// relation between facts must have.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Region {
    /// Allowed classes per fact.
    pub subs: Vec<Option<Vec<u64>>>,
    /// Allowed truths (bits of [`T4`]) per relational atom.
    pub rel: BTreeMap<AtomId, u8>,
}

impl Space {
    /// The truth of a condition, noting the atoms that settle it.
    pub(crate) fn reason(&self, c: &CCond, st: &State, out: &mut Vec<AtomId>) -> T4 {
        match c {
            CCond::Const(t) => *t,
            CCond::Atom(a) => {
                out.push(*a);
                self.atom_truth(*a, st)
            }
            CCond::All(ps) | CCond::Any(ps) => {
                let all = matches!(c, CCond::All(_));
                let settle = if all { T4::F } else { T4::T };
                let truths: Vec<T4> = ps.iter().map(|p| self.eval4(p, st, &mut None)).collect();
                if let Some(p) = ps.iter().zip(&truths).find(|(_, t)| **t == settle).map(|(p, _)| p) {
                    self.reason(p, st, out);
                    return settle;
                }
                for p in ps {
                    self.reason(p, st, out);
                }
                if all {
                    all4(truths)
                } else {
                    any4(truths)
                }
            }
            CCond::Not(p) => not4(self.reason(p, st, out)),
        }
    }

    pub(crate) fn rule_reason(&self, r: &CRule, st: &State, out: &mut Vec<AtomId>) -> Status {
        let (status, _) = self.status(r, st);
        if self.eval4(&r.when, st, &mut None) == T4::F {
            self.reason(&r.when, st, out);
            return Status::Inert;
        }
        if let Some(u) = r.unless.iter().find(|u| self.eval4(u, st, &mut None) == T4::T) {
            self.reason(u, st, out);
            return Status::Inert;
        }
        self.reason(&r.when, st, out);
        for u in &r.unless {
            self.reason(u, st, out);
        }
        status
    }

    /// The region a leaf stands for: the situations where the atoms its verdicts rest on
    /// have the truths they have at the leaf.
    pub(crate) fn region(&self, st: &State, atoms: &[AtomId]) -> Region {
        let mut region = Region { subs: vec![None; self.facts.len()], rel: BTreeMap::new() };
        for a in atoms.iter().copied() {
            let Some(atom) = self.atoms.get(a) else { continue };
            let t = self.atom_truth(a, st);
            let mask = match t {
                // Not settled over the leaf: the truths its fact's classes there allow (a
                // clause that can no longer apply rests on its tests not holding).
                T4::O => match atom.kind {
                    AtomKind::Single(_) | AtomKind::Member(_) => self.atom_possible(a, st),
                    AtomKind::Relational => continue,
                },
                t if atom.approval && t != T4::T => T4::F.bit() | T4::M.bit(),
                t => t.bit(),
            };
            match (atom.kind, &atom.table) {
                (AtomKind::Single(f) | AtomKind::Member(f), Some(table)) => {
                    let Some(fact) = self.fact(f) else { continue };
                    let bits = table.with(mask);
                    if let Some(slot) = region.subs.get_mut(f) {
                        let cur = slot.take().unwrap_or_else(|| fact.all());
                        *slot = Some(and(&cur, &bits));
                    }
                }
                _ => {
                    region.rel.insert(a, mask);
                }
            }
        }
        self.normalize(&mut region);
        region
    }

    fn normalize(&self, r: &mut Region) {
        for (f, slot) in r.subs.iter_mut().enumerate() {
            if let (Some(sub), Some(fact)) = (slot.as_ref(), self.fact(f)) {
                if and(sub, &fact.all()) == fact.all() {
                    *slot = None;
                }
            }
        }
        let full: Vec<AtomId> =
            r.rel.iter().filter(|(a, bits)| **bits == self.all_truths(**a)).map(|(a, _)| *a).collect();
        for a in full {
            r.rel.remove(&a);
        }
    }

    /// The truths a relation can have: unknown only when one of its facts may be missing.
    fn all_truths(&self, a: AtomId) -> u8 {
        let missing = self.atoms.get(a).is_some_and(|atom| {
            atom.facts
                .iter()
                .any(|f| self.fact(*f).is_some_and(|fact| fact.classes.iter().any(|c| c.extent == Extent::Absent)))
        });
        if missing {
            7
        } else {
            3
        }
    }

    /// The union of two regions when they differ in one component (or one holds the other).
    pub(crate) fn merge(&self, a: &Region, b: &Region) -> Option<Region> {
        if self.within(a, b) {
            return Some(b.clone());
        }
        if self.within(b, a) {
            return Some(a.clone());
        }
        let mut diff_fact = None;
        let mut diffs = 0;
        for (f, (x, y)) in a.subs.iter().zip(&b.subs).enumerate() {
            if x != y {
                diffs += 1;
                diff_fact = Some(f);
            }
        }
        let keys: std::collections::BTreeSet<AtomId> = a.rel.keys().chain(b.rel.keys()).copied().collect();
        let mut diff_rel = None;
        for k in keys {
            if a.rel.get(&k) != b.rel.get(&k) {
                diffs += 1;
                diff_rel = Some(k);
            }
        }
        if diffs != 1 {
            return None;
        }
        let mut out = a.clone();
        if let Some(f) = diff_fact {
            let (Some(x), Some(y)) = (a.subs.get(f), b.subs.get(f)) else { return None };
            let merged = match (x, y) {
                (Some(x), Some(y)) => Some(super::space::or(x, y)),
                _ => None,
            };
            if let Some(slot) = out.subs.get_mut(f) {
                *slot = merged;
            }
        }
        if let Some(k) = diff_rel {
            match (a.rel.get(&k), b.rel.get(&k)) {
                (Some(x), Some(y)) => {
                    out.rel.insert(k, x | y);
                }
                _ => {
                    out.rel.remove(&k);
                }
            }
        }
        self.normalize(&mut out);
        Some(out)
    }

    /// Merges regions that differ in one component only, repeatedly, using
    /// buckets keyed by everything but that component (so it stays fast for
    /// thousands of regions). Deterministic.
    pub(crate) fn merge_regions(&self, items: Vec<(Region, usize)>) -> Vec<(Region, usize)> {
        use std::hash::{Hash, Hasher};
        let mut v: Vec<(Region, usize)> = Vec::new();
        for (r, leaf) in items {
            if !v.iter().any(|(x, _)| *x == r) {
                v.push((r, leaf));
            }
        }
        for _ in 0..64 {
            let mut buckets: BTreeMap<(u8, usize, u64), Vec<usize>> = BTreeMap::new();
            for (i, (r, _)) in v.iter().enumerate() {
                let comps: Vec<(u8, usize)> = r
                    .subs
                    .iter()
                    .enumerate()
                    .filter(|(_, x)| x.is_some())
                    .map(|(f, _)| (0u8, f))
                    .chain(r.rel.keys().map(|a| (1u8, *a)))
                    .collect();
                for (kind, id) in comps {
                    let mut h = std::collections::hash_map::DefaultHasher::new();
                    for (f, x) in r.subs.iter().enumerate() {
                        if !(kind == 0 && f == id) {
                            (f, x).hash(&mut h);
                        }
                    }
                    for (a, bits) in &r.rel {
                        if !(kind == 1 && *a == id) {
                            (a, bits).hash(&mut h);
                        }
                    }
                    buckets.entry((kind, id, h.finish())).or_default().push(i);
                }
            }
            let mut consumed = vec![false; v.len()];
            let mut out: Vec<(Region, usize)> = Vec::new();
            let mut any = false;
            for members in buckets.values() {
                let free: Vec<usize> =
                    members.iter().copied().filter(|i| !consumed.get(*i).copied().unwrap_or(true)).collect();
                if free.len() < 2 {
                    continue;
                }
                let mut acc: Option<(Region, usize)> = None;
                let mut used = Vec::new();
                for i in free {
                    let Some((r, leaf)) = v.get(i) else { continue };
                    acc = match acc {
                        None => {
                            used.push(i);
                            Some((r.clone(), *leaf))
                        }
                        Some((a, l)) => match self.merge(&a, r) {
                            Some(m) => {
                                used.push(i);
                                Some((m, l))
                            }
                            None => Some((a, l)),
                        },
                    };
                }
                if used.len() >= 2 {
                    for i in used {
                        if let Some(c) = consumed.get_mut(i) {
                            *c = true;
                        }
                    }
                    out.extend(acc);
                    any = true;
                }
            }
            for (i, item) in v.into_iter().enumerate() {
                if !consumed.get(i).copied().unwrap_or(false) {
                    out.push(item);
                }
            }
            v = Vec::new();
            for (r, leaf) in out {
                if !v.iter().any(|(x, _)| *x == r) {
                    v.push((r, leaf));
                }
            }
            if !any {
                break;
            }
        }
        v
    }

    /// The smallest region holding all of these (per fact, the union of the classes).
    pub(crate) fn hull(&self, regions: &[&Region]) -> Region {
        let mut out = Region { subs: vec![None; self.facts.len()], rel: BTreeMap::new() };
        let Some((first, rest)) = regions.split_first() else { return out };
        for (f, slot) in out.subs.iter_mut().enumerate() {
            let mut acc = first.subs.get(f).cloned().flatten();
            for r in rest {
                acc = match (acc, r.subs.get(f).cloned().flatten()) {
                    (Some(a), Some(b)) => Some(super::space::or(&a, &b)),
                    _ => None,
                };
            }
            *slot = acc;
        }
        for (a, bits) in &first.rel {
            let mut acc = Some(*bits);
            for r in rest {
                acc = match (acc, r.rel.get(a)) {
                    (Some(x), Some(y)) => Some(x | y),
                    _ => None,
                };
            }
            if let Some(b) = acc {
                out.rel.insert(*a, b);
            }
        }
        self.normalize(&mut out);
        out
    }

    /// Whether every situation of `a` is in `b`.
    fn within(&self, a: &Region, b: &Region) -> bool {
        let subs = a.subs.iter().zip(&b.subs).enumerate().all(|(f, (x, y))| match (x, y) {
            (_, None) => true,
            (None, Some(y)) => self.fact(f).is_some_and(|fact| super::space::is_subset(&fact.all(), y)),
            (Some(x), Some(y)) => super::space::is_subset(x, y),
        });
        subs && b.rel.iter().all(|(k, y)| a.rel.get(k).is_some_and(|x| x & !y == 0))
    }

    /// The region as constraints, in a fixed order (action, channel, role, team, then the rest).
    pub(crate) fn constraints(&self, r: &Region, ctx: &Arc<RegionCtx>) -> Vec<Constraint> {
        let mut out = Vec::new();
        for (f, sub) in r.subs.iter().enumerate() {
            let (Some(sub), Some(fact)) = (sub, self.fact(f)) else { continue };
            let included: Vec<&Extent> = ones(sub).filter_map(|i| fact.classes.get(i)).map(|c| &c.extent).collect();
            let missing = included.contains(&&Extent::Absent);
            let path = fact.path.clone();
            let c = match &fact.dim {
                Dim::Int { percent, .. } => {
                    let mut ranges: Vec<IntRange> = Vec::new();
                    for e in &included {
                        if let Extent::Int(lo, hi) = e {
                            match ranges.last_mut() {
                                Some(last) if last.to.is_some_and(|t| lo.is_some_and(|l| l == t + 1)) => last.to = *hi,
                                _ => ranges.push(IntRange { from: *lo, to: *hi }),
                            }
                        }
                    }
                    Constraint::Number { fact: path, ranges, percent: *percent, missing }
                }
                Dim::Date { .. } => {
                    let mut ranges: Vec<DateRange> = Vec::new();
                    for e in &included {
                        if let Extent::Date(lo, hi) = e {
                            let adjacent = |last: &DateRange| matches!((last.to, lo), (Some(t), Some(l)) if t.tomorrow().ok() == Some(*l));
                            match ranges.last_mut() {
                                Some(last) if adjacent(last) => last.to = *hi,
                                _ => ranges.push(DateRange { from: *lo, to: *hi }),
                            }
                        }
                    }
                    Constraint::Date { fact: path, ranges, missing }
                }
                Dim::Time { .. } => {
                    let mut ranges: Vec<TimeRange> = Vec::new();
                    for e in &included {
                        if let Extent::Time(lo, hi) = e {
                            match ranges.last_mut() {
                                Some(last) if last.before.is_some() && last.before == *lo => last.before = *hi,
                                _ => ranges.push(TimeRange { from: *lo, before: *hi }),
                            }
                        }
                    }
                    Constraint::Time { fact: path, ranges, ctx: ctx.clone() }
                }
                Dim::Symbol { values, text, contains, .. } => {
                    let matches: Vec<Vec<bool>> = included
                        .iter()
                        .filter_map(|e| match e {
                            Extent::Matches(m) => Some(m.clone()),
                            _ => None,
                        })
                        .collect();
                    let chosen: Vec<String> = included
                        .iter()
                        .filter_map(|e| match e {
                            Extent::Value(v) => Some(v.clone()),
                            _ => None,
                        })
                        .collect();
                    let others = included.contains(&&Extent::Other);
                    Constraint::Value {
                        fact: path,
                        values: chosen,
                        others,
                        mentioned: values.clone(),
                        text: *text,
                        missing,
                        contains: contains.clone(),
                        matches,
                    }
                }
                Dim::Bool => {
                    let (yes, no) = (included.contains(&&Extent::Bool(true)), included.contains(&&Extent::Bool(false)));
                    Constraint::Flag {
                        fact: path,
                        value: if yes == no { None } else { Some(yes) },
                        missing: included.contains(&&Extent::Absent),
                        absent_is_no: !fact.classes.iter().any(|c| c.extent == Extent::Absent),
                    }
                }
                Dim::Part => Constraint::Part { fact: path, present: included.contains(&&Extent::Present) },
                Dim::Member { list, value } => {
                    let (yes, no) = (included.contains(&&Extent::Has), included.contains(&&Extent::Lacks));
                    Constraint::Member {
                        fact: list.clone(),
                        value: value.clone(),
                        mentioned: self.lists_values(list),
                        has: if yes == no { None } else { Some(yes) },
                        missing: included.contains(&&Extent::Absent),
                        absent_is_empty: !fact.may_miss(),
                    }
                }
            };
            out.push(c);
        }
        // A list is given or not as a whole: "is given" is said once per list, and not at
        // all beside a membership of the same list that is held or not (which says it).
        let plain: Vec<String> = out
            .iter()
            .filter_map(|c| match c {
                Constraint::Member { fact, has: Some(_), missing: false, .. } => Some(fact.clone()),
                _ => None,
            })
            .collect();
        let mut said: Vec<String> = Vec::new();
        out.retain(|c| match c {
            Constraint::Member { fact, has: None, missing: false, .. } => {
                let keep = !plain.contains(fact) && !said.contains(fact);
                said.push(fact.clone());
                keep
            }
            _ => true,
        });
        let rank = |c: &Constraint| match c.fact() {
            "action" => 0,
            "channel" => 1,
            "actor.role" => 2,
            "actor.team" => 3,
            _ => 4,
        };
        out.sort_by_key(rank);
        for (a, bits) in &r.rel {
            let Some(atom) = self.atoms.get(*a) else { continue };
            let Some(side) = self.sides.get(atom.side) else { continue };
            let tctx = Arc::new(RegionCtx {
                tz: side.tz.clone(),
                tz_name: side.tz_name.clone(),
                types: side.types.clone(),
                now: side.now,
            });
            out.push(Constraint::Test {
                test: test_words(&atom.test),
                negated: negated_words(&atom.test),
                holds: (*bits & 1) != 0,
                fails: (*bits & 2) != 0,
                unknown: (*bits & 4) != 0,
                facts: super::space::test_facts(&atom.test),
                cond: atom.cond.clone(),
                ctx: tctx,
            });
        }
        out
    }

    /// The values a list's member facts stand for (the names the policies mention).
    pub(super) fn lists_values(&self, list: &str) -> Vec<String> {
        let Some(info) = self.lists.iter().find(|l| l.path == list) else { return vec![] };
        info.members
            .iter()
            .filter_map(|m| match self.fact(*m).map(|f| &f.dim) {
                Some(Dim::Member { value: Some(v), .. }) => Some(v.clone()),
                _ => None,
            })
            .collect()
    }
}

/// The clock and types a region's constraints are read with.
#[derive(Debug, Clone)]
pub struct RegionCtx {
    /// The policy's timezone.
    pub tz: TimeZone,
    /// Its name.
    pub tz_name: String,
    /// Fact types, and the policy's assumptions.
    pub types: crate::facts::Known,
    /// The time used when an action gives none.
    pub now: Timestamp,
}

/// Whole numbers `from..=to` (an open end is unbounded).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct IntRange {
    /// First value.
    pub from: Option<i64>,
    /// Last value.
    pub to: Option<i64>,
}

/// Dates `from..=to` (an open end is unbounded).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DateRange {
    /// First day.
    pub from: Option<Date>,
    /// Last day.
    pub to: Option<Date>,
}

/// Times `from..before` (an open end is unbounded).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TimeRange {
    /// From this instant.
    pub from: Option<Timestamp>,
    /// Up to, not including, this instant.
    pub before: Option<Timestamp>,
}

/// One condition of a region, on one fact or on a test relating facts. An
/// action is in the region when it meets every constraint.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Constraint {
    /// A number (or a percentage) within one of the ranges, or missing when `missing`.
    Number {
        /// The fact path.
        fact: String,
        /// The allowed ranges.
        ranges: Vec<IntRange>,
        /// The values are percentages.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        percent: bool,
        /// The fact may be missing.
        missing: bool,
    },
    /// A date within one of the ranges, or missing when `missing`.
    Date {
        /// The fact path.
        fact: String,
        /// The allowed ranges.
        ranges: Vec<DateRange>,
        /// The fact may be missing.
        missing: bool,
    },
    /// The action's time within one of the ranges.
    Time {
        /// The fact path (`at`).
        fact: String,
        /// The allowed ranges.
        ranges: Vec<TimeRange>,
        /// The clock a plain date or a missing `at` is read with.
        #[serde(skip)]
        ctx: Arc<RegionCtx>,
    },
    /// A name (or a text) among `values`, or any value not `mentioned` when `others`.
    Value {
        /// The fact path.
        fact: String,
        /// The allowed values.
        values: Vec<String>,
        /// Any value the policies do not mention is allowed too.
        others: bool,
        /// The values the policies mention.
        mentioned: Vec<String>,
        /// Texts rather than names.
        #[serde(skip)]
        text: bool,
        /// The fact may be missing.
        missing: bool,
        /// The texts each of the fact's `contains` tests looks for (then a
        /// text not `mentioned` is allowed by the truths these tests take on it, in `matches`).
        #[serde(skip)]
        contains: Vec<Vec<String>>,
        /// The allowed truths of the `contains` tests, one list each.
        #[serde(skip)]
        matches: Vec<Vec<bool>>,
    },
    /// A yes/no fact: one value (or either, `null`), and whether it may be not given.
    Flag {
        /// The fact path.
        fact: String,
        /// The value; `None`: given as either value (with `missing: false`), or not given only.
        value: Option<bool>,
        /// The fact may be not given.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        missing: bool,
        /// Not given is no in both policies (the fact table's or their assumption): the "no" class holds it.
        #[serde(skip)]
        absent_is_no: bool,
    },
    /// A part of the action (`target`, `account`) is present or not.
    Part {
        /// The part.
        fact: String,
        /// Present.
        present: bool,
    },
    /// A list holds a value (`value: null`: some value not `mentioned`) or not,
    /// or is not given.
    Member {
        /// The list's path.
        fact: String,
        /// The value.
        value: Option<String>,
        /// The values the policies mention.
        mentioned: Vec<String>,
        /// Holds it (`true`) or not (`false`); `None`: given either way (with
        /// `missing: false`), or not given only.
        has: Option<bool>,
        /// The list may be not given.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        missing: bool,
        /// Not given is empty in both policies (the fact table's or their assumption).
        #[serde(skip)]
        absent_is_empty: bool,
    },
    /// A test relating facts has one of the allowed outcomes.
    Test {
        /// The test in words.
        test: String,
        /// Its negation in words, when it has one (`a > b` for `a ≤ b`).
        #[serde(skip)]
        negated: Option<String>,
        /// It may hold.
        holds: bool,
        /// It may fail.
        fails: bool,
        /// It may be undecidable (a fact missing).
        unknown: bool,
        /// The facts it reads.
        facts: Vec<String>,
        /// The test.
        #[serde(skip)]
        cond: Cond,
        /// The clock and types it is read with.
        #[serde(skip)]
        ctx: Arc<RegionCtx>,
    },
}

fn read(facts: &dyn Facts, path: &str, types: Option<&crate::facts::Known>) -> Option<Value> {
    facts.fact_typed(path, types.and_then(|t| t.get(path)))
}

impl Constraint {
    /// The fact it is about (for a test, its first fact).
    pub fn fact(&self) -> &str {
        match self {
            Constraint::Number { fact, .. }
            | Constraint::Date { fact, .. }
            | Constraint::Time { fact, .. }
            | Constraint::Value { fact, .. }
            | Constraint::Flag { fact, .. }
            | Constraint::Part { fact, .. }
            | Constraint::Member { fact, .. } => fact,
            Constraint::Test { facts, .. } => facts.first().map_or("", String::as_str),
        }
    }

    /// Whether an action meets it.
    pub fn contains(&self, facts: &dyn Facts) -> bool {
        match self {
            Constraint::Number { fact, ranges, missing, .. } => match read(facts, fact, None) {
                None => *missing,
                Some(Value::Int(x) | Value::Percent(x)) => {
                    ranges.iter().any(|r| r.from.is_none_or(|f| x >= f) && r.to.is_none_or(|t| x <= t))
                }
                Some(_) => false,
            },
            Constraint::Date { fact, ranges, missing } => match read(facts, fact, None) {
                None => *missing,
                Some(Value::Date(x)) => {
                    ranges.iter().any(|r| r.from.is_none_or(|f| x >= f) && r.to.is_none_or(|t| x <= t))
                }
                Some(Value::Text(s)) => s
                    .parse::<Date>()
                    .is_ok_and(|x| ranges.iter().any(|r| r.from.is_none_or(|f| x >= f) && r.to.is_none_or(|t| x <= t))),
                Some(_) => false,
            },
            Constraint::Time { fact, ranges, ctx } => {
                let t = match read(facts, fact, None) {
                    Some(Value::Timestamp(t)) => t,
                    Some(Value::Date(d)) => d.to_zoned(ctx.tz.clone()).map(|z| z.timestamp()).unwrap_or(ctx.now),
                    _ => ctx.now,
                };
                ranges.iter().any(|r| r.from.is_none_or(|f| t >= f) && r.before.is_none_or(|b| t < b))
            }
            Constraint::Value { fact, values, others, mentioned, missing, contains, matches, .. } => {
                match read(facts, fact, None) {
                    None => *missing,
                    Some(Value::Symbol(s) | Value::Text(s)) if !contains.is_empty() && !mentioned.contains(&s) => {
                        matches.contains(&super::space::contains_truths(&s, contains))
                    }
                    Some(Value::Symbol(s) | Value::Text(s)) => {
                        values.contains(&s) || (*others && !mentioned.contains(&s))
                    }
                    Some(_) => false,
                }
            }
            Constraint::Flag { fact, value, missing, absent_is_no } => {
                match read(facts, fact, None).or_else(|| absent_is_no.then_some(Value::Bool(false))) {
                    Some(Value::Bool(b)) => value.is_none_or(|v| v == b) && !(value.is_none() && *missing),
                    _ => *missing,
                }
            }
            Constraint::Part { fact, present } => facts.fact(fact).is_some() == *present,
            Constraint::Member { fact, value, mentioned, has, missing, absent_is_empty } => {
                match read(facts, fact, None).or_else(|| absent_is_empty.then_some(Value::List(vec![]))) {
                    Some(Value::List(items)) => {
                        let held = match value {
                            Some(v) => items.contains(v),
                            None => items.iter().any(|i| !mentioned.contains(i)),
                        };
                        has.is_none_or(|h| h == held) && !(has.is_none() && *missing)
                    }
                    _ => *missing,
                }
            }
            Constraint::Test { holds, fails, unknown, cond, ctx, .. } => {
                let at = match facts.fact("at") {
                    Some(Value::Timestamp(t)) => t,
                    Some(Value::Date(d)) => d.to_zoned(ctx.tz.clone()).map(|z| z.timestamp()).unwrap_or(ctx.now),
                    _ => ctx.now,
                };
                let c = Ctx { facts, tz: &ctx.tz, at, types: &ctx.types };
                match interp::eval_cond(cond, &c, &mut Vec::new()) {
                    Truth::True => *holds,
                    Truth::False => *fails,
                    Truth::Unknown(_) => *unknown,
                }
            }
        }
    }

    /// The constraint in words, without its fact (`is 5 to 9`), or the whole test.
    pub fn words(&self) -> String {
        match self {
            Constraint::Number { ranges, percent, missing, .. } => {
                let unit = if *percent { "%" } else { "" };
                let parts: Vec<String> = ranges
                    .iter()
                    .map(|r| match (r.from, r.to) {
                        (Some(a), Some(b)) if a == b => format!("{a}{unit}"),
                        (None | Some(0), Some(b)) => format!("at most {b}{unit}"),
                        (Some(a), Some(b)) => format!("{a} to {b}{unit}"),
                        (Some(a), None) => format!("at least {a}{unit}"),
                        (None, None) => "given".to_string(),
                    })
                    .collect();
                given(parts, *missing)
            }
            Constraint::Date { ranges, missing, .. } => {
                let parts: Vec<String> = ranges
                    .iter()
                    .map(|r| match (r.from, r.to) {
                        (Some(a), Some(b)) if a == b => format!("on {a}"),
                        (Some(a), Some(b)) => format!("from {a} to {b}"),
                        (Some(a), None) => format!("on or after {a}"),
                        (None, Some(b)) => format!("on or before {b}"),
                        (None, None) => "given".to_string(),
                    })
                    .collect();
                given(parts, *missing)
            }
            Constraint::Time { ranges, ctx, .. } => {
                let day = |t: Timestamp| -> Option<Date> {
                    let z = t.to_zoned(ctx.tz.clone());
                    let start = z.date().to_zoned(ctx.tz.clone()).ok()?;
                    (start.timestamp() == t).then(|| z.date())
                };
                let parts: Vec<String> = ranges
                    .iter()
                    .map(|r| match (r.from.map(|f| (f, day(f))), r.before.map(|b| (b, day(b)))) {
                        (Some((_, Some(a))), Some((_, Some(b)))) => match b.yesterday() {
                            Ok(last) if last == a => format!("on {a}"),
                            Ok(last) => format!("from {a} to {last}"),
                            Err(_) => format!("from {a}"),
                        },
                        (Some((_, Some(a))), None) => format!("on or after {a}"),
                        (None, Some((_, Some(b)))) => match b.yesterday() {
                            Ok(last) => format!("on or before {last}"),
                            Err(_) => format!("before {b}"),
                        },
                        (Some((f, _)), Some((b, _))) => format!("from {f} to before {b}"),
                        (Some((f, _)), None) => format!("at or after {f}"),
                        (None, Some((b, _))) => format!("before {b}"),
                        (None, None) => "any time".to_string(),
                    })
                    .collect();
                format!("is {} ({})", or_list(&parts), ctx.tz_name)
            }
            Constraint::Value { values, missing, contains, matches, .. } if !contains.is_empty() => {
                // A text tested with `contains`: the texts named, then the truths the tests take.
                let mut alts: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
                for m in matches {
                    let tests: Vec<String> = contains
                        .iter()
                        .zip(m)
                        .map(|(needles, holds)| {
                            let words = TestOp::contains_words(needles, false);
                            if *holds {
                                words
                            } else {
                                format!("does not {}", words.replacen("contains", "contain", 1))
                            }
                        })
                        .collect();
                    alts.push(format!("a text that {}", tests.join(" and ")));
                }
                match (alts.is_empty(), missing) {
                    (true, _) => "is not given".to_string(),
                    (false, false) => format!("is {}", or_list(&alts)),
                    (false, true) => format!("is {} or not given", or_list(&alts)),
                }
            }
            Constraint::Value { values, others, mentioned, text, missing, .. } => {
                let show = |v: &String| if *text { format!("{v:?}") } else { crate::law::value_words(v) };
                let mut parts = Vec::new();
                if *others {
                    let excluded: Vec<String> = mentioned.iter().filter(|m| !values.contains(m)).map(show).collect();
                    if excluded.is_empty() {
                        parts.push("given".to_string());
                    } else {
                        parts.push(format!("not {}", or_list(&excluded)));
                    }
                } else if !values.is_empty() {
                    parts.push(or_list(&values.iter().map(show).collect::<Vec<_>>()));
                }
                if parts.is_empty() {
                    "is not given".to_string()
                } else if *missing {
                    format!("is {} or not given", parts.join(""))
                } else {
                    format!("is {}", parts.join(""))
                }
            }
            Constraint::Flag { value, missing, .. } => match (value, missing) {
                (Some(true), false) => "is true".into(),
                (Some(false), false) => "is false".into(),
                (Some(true), true) => "is true or not given".into(),
                (Some(false), true) => "is false or not given".into(),
                (None, false) => "is given".into(),
                (None, true) => "is not given".into(),
            },
            Constraint::Part { present, .. } => {
                if *present {
                    "is given".into()
                } else {
                    "is not given".into()
                }
            }
            Constraint::Member { value, mentioned, has, missing, .. } => {
                let held = match (value, has) {
                    (_, None) => None,
                    (Some(v), Some(true)) => Some(format!("includes {v}")),
                    (Some(v), Some(false)) => Some(format!("does not include {v}")),
                    (None, Some(true)) => Some(format!("includes a value other than {}", or_list(mentioned))),
                    (None, Some(false)) => Some(format!("includes no value other than {}", or_list(mentioned))),
                };
                match (held, missing) {
                    (Some(h), false) => h,
                    (Some(h), true) => format!("{h} or is not given"),
                    (None, true) => "is not given".to_string(),
                    (None, false) => "is given".to_string(),
                }
            }
            Constraint::Test { test, negated, holds, fails, unknown, .. } => match (holds, fails, unknown) {
                (true, false, false) => test.clone(),
                (false, true, false) => negated.clone().unwrap_or_else(|| format!("not {test}")),
                (false, false, true) => format!("{test} cannot be told (a fact is missing)"),
                (true, false, true) => format!("{test} (or it cannot be told)"),
                (false, true, true) => format!("not {test} (or it cannot be told)"),
                (true, true, false) => format!("{test} can be told"),
                _ => test.clone(),
            },
        }
    }
}

fn given(parts: Vec<String>, missing: bool) -> String {
    match (parts.is_empty(), missing) {
        (true, _) => "is not given".to_string(),
        (false, false) => format!("is {}", or_list(&parts)),
        (false, true) => format!("is {} or not given", or_list(&parts)),
    }
}

/// `a`, `a or b`, `a, b or c`.
pub(crate) fn or_list(items: &[String]) -> String {
    join_list(items, "or")
}

fn join_list(items: &[String], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}

fn term_words(t: &Term) -> String {
    match t {
        Term::Fact(p) => p.clone(),
        Term::Const(v) => v.to_string(),
        Term::FirstOf(ps) => format!("({})", ps.join(", else ")),
        Term::Shifted(b, shifts) => {
            let mut s = term_words(b);
            for (fwd, d) in shifts {
                s.push_str(&format!(" {} {d}", if *fwd { "+" } else { "-" }));
            }
            s
        }
        Term::Reduced(b, from, to) => format!("{} less the days from {from} to {to}", term_words(b)),
    }
}

/// A test in words: `at ≤ actor.departed_on + 6 months`.
pub(crate) fn test_words(t: &Test) -> String {
    let lhs = term_words(&t.lhs);
    match &t.op {
        TestOp::Cmp(op, rhs) => {
            let sym = match op {
                crate::ast::CmpOp::Eq => "=",
                crate::ast::CmpOp::Ne => "≠",
                crate::ast::CmpOp::Lt => "<",
                crate::ast::CmpOp::Le => "≤",
                crate::ast::CmpOp::Gt => ">",
                crate::ast::CmpOp::Ge => "≥",
            };
            format!("{lhs} {sym} {}", term_words(rhs))
        }
        TestOp::In(set) => {
            format!("{lhs} in {{{}}}", set.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", "))
        }
        TestOp::Has(v) => format!("{lhs} includes {}", term_words(v)),
        TestOp::HasOutside(set) => {
            format!(
                "{lhs} has a value outside {{{}}}",
                set.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", ")
            )
        }
        TestOp::Contains { needles, brands } => format!("{lhs} {}", TestOp::contains_words(needles, *brands)),
        TestOp::Missing => format!("{lhs} is missing"),
        TestOp::Present => format!("{lhs} is present"),
        TestOp::Truthy => lhs,
        TestOp::ShareAbove { whole, percent } => {
            format!("with this one, {lhs} would be more than {percent}% of {whole}")
        }
    }
}

/// A comparison negated (`a > b` for `a ≤ b`), for when it is known to fail.
fn negated_words(t: &Test) -> Option<String> {
    let TestOp::Cmp(op, rhs) = &t.op else { return None };
    let sym = match op {
        crate::ast::CmpOp::Eq => "≠",
        crate::ast::CmpOp::Ne => "=",
        crate::ast::CmpOp::Lt => "≥",
        crate::ast::CmpOp::Le => ">",
        crate::ast::CmpOp::Gt => "≤",
        crate::ast::CmpOp::Ge => "<",
    };
    Some(format!("{} {sym} {}", term_words(&t.lhs), term_words(rhs)))
}

/// What an action kind is called in a description.
fn action_noun(a: &str) -> String {
    match a {
        "post" => "posts".into(),
        "share" => "shares".into(),
        "comment" => "comments".into(),
        "connect" => "invitations (connect)".into(),
        "accept" => "accepted invitations".into(),
        "message" => "messages".into(),
        "solicit" => "solicitations".into(),
        "deal" => "dealings".into(),
        "export" => "exports".into(),
        "depart" => "departures".into(),
        "hand_over" => "hand-overs".into(),
        "create_account" => "new accounts".into(),
        "compete" => "competing work".into(),
        other => format!("`{other}` actions"),
    }
}

/// Further constraints in words, without the lead (`content.confidential is true and ...`).
pub(crate) fn describe_rest(constraints: &[Constraint]) -> String {
    let words: Vec<String> = constraints
        .iter()
        .map(|c| match c {
            Constraint::Test { .. } => c.words(),
            _ => format!("{} {}", c.fact(), c.words()),
        })
        .collect();
    join_list(&words, "and")
}

/// The region in words: "posts on twitter by a consultant when history.posts_today is 5 to 9".
pub(crate) fn describe(constraints: &[Constraint]) -> String {
    let mut head = String::new();
    let mut rest: Vec<String> = Vec::new();
    let mut has_action = false;
    // A part is plainly given when one of its fields is.
    let field_given = |part: &str| {
        let prefix = format!("{part}.");
        constraints.iter().any(|c| {
            c.fact().starts_with(&prefix)
                && match c {
                    Constraint::Number { missing, .. } | Constraint::Date { missing, .. } => !missing,
                    Constraint::Value { missing, values, others, matches, .. } => {
                        !missing && (*others || !values.is_empty() || !matches.is_empty())
                    }
                    Constraint::Flag { missing, .. } => !missing,
                    Constraint::Member { has, missing, .. } => *has == Some(true) || !missing,
                    _ => false,
                }
        })
    };
    for c in constraints {
        if let Constraint::Part { fact, present: true } = c {
            if field_given(fact) {
                continue;
            }
        }
        match (c.fact(), c) {
            ("action", Constraint::Value { values, others, mentioned, .. }) => {
                has_action = true;
                if *others {
                    let excluded: Vec<String> =
                        mentioned.iter().filter(|m| !values.contains(m)).map(|m| action_noun(m)).collect();
                    head = format!("actions other than {}", or_list(&excluded));
                } else {
                    head = join_list(&values.iter().map(|v| action_noun(v)).collect::<Vec<_>>(), "and");
                }
            }
            ("channel", Constraint::Value { values, others, mentioned, missing, .. }) => {
                let mut s = if *others {
                    let excluded: Vec<String> = mentioned.iter().filter(|m| !values.contains(m)).cloned().collect();
                    if excluded.is_empty() {
                        " on any channel".to_string()
                    } else {
                        format!(" on channels other than {}", or_list(&excluded))
                    }
                } else if values.is_empty() {
                    " with no channel".to_string()
                } else {
                    format!(" on {}", or_list(values))
                };
                if *missing && (!values.is_empty() || *others) {
                    s.push_str(" (or with no channel)");
                }
                head.push_str(&s);
            }
            ("actor.role", Constraint::Value { values, others, mentioned, .. }) => {
                if *others {
                    let excluded: Vec<String> = mentioned.iter().filter(|m| !values.contains(m)).cloned().collect();
                    head.push_str(&format!(" by anyone but a {}", or_list(&excluded)));
                } else {
                    head.push_str(&format!(" by a {}", or_list(values)));
                }
            }
            (_, Constraint::Test { facts, holds: false, fails: false, unknown: true, .. }) => {
                // Implied when one of its facts is said to be missing.
                let implied = facts.iter().any(|f| {
                    constraints.iter().any(|o| {
                        o.fact() == f
                            && match o {
                                Constraint::Number { ranges, missing, .. } => *missing && ranges.is_empty(),
                                Constraint::Date { ranges, missing, .. } => *missing && ranges.is_empty(),
                                Constraint::Value { values, others, missing, .. } => {
                                    *missing && values.is_empty() && !others
                                }
                                _ => false,
                            }
                    })
                });
                if !implied {
                    rest.push(c.words());
                }
            }
            (_, Constraint::Test { .. }) => rest.push(c.words()),
            (fact, _) => rest.push(format!("{fact} {}", c.words())),
        }
    }
    if !has_action {
        head = format!("any action{head}");
    }
    if rest.is_empty() {
        head
    } else {
        format!("{head} when {}", join_list(&rest, "and"))
    }
}

/// The facts a witness needs: those its region constrains, and those the data contract requires.
pub(crate) fn minimal(facts: &BTreeMap<String, Value>, constraints: &[Constraint]) -> BTreeMap<String, Value> {
    let mut keep: Vec<String> =
        ["action", "actor.id", "actor.role", "actor.status"].iter().map(|s| s.to_string()).collect();
    let mut members: Vec<(&str, Option<&String>, &Vec<String>)> = Vec::new();
    for c in constraints {
        match c {
            Constraint::Test { facts: read, .. } => keep.extend(read.iter().cloned()),
            Constraint::Member { fact, value, mentioned, has: Some(true), .. } => {
                members.push((fact, value.as_ref(), mentioned))
            }
            // A list that must be given stays in the witness, as it is.
            Constraint::Member { fact, missing: false, .. } => keep.push(fact.clone()),
            Constraint::Member { .. } => {}
            other => keep.push(other.fact().to_string()),
        }
    }
    let mut out: BTreeMap<String, Value> = BTreeMap::new();
    for (k, v) in facts {
        if keep.contains(k) {
            out.insert(k.clone(), v.clone());
        }
    }
    for (list, value, mentioned) in members {
        let Some(Value::List(items)) = facts.get(list) else { continue };
        let want: Vec<String> = items
            .iter()
            .filter(|i| match value {
                Some(v) => *i == v,
                None => !mentioned.contains(i),
            })
            .cloned()
            .collect();
        let entry = out.entry(list.to_string()).or_insert_with(|| Value::List(vec![]));
        if let Value::List(have) = entry {
            for w in want {
                if !have.contains(&w) {
                    have.push(w);
                }
            }
        }
    }
    if out.get("actor.status") == Some(&Value::Symbol("departed".into())) && !out.contains_key("actor.departed_on") {
        if let Some(d) = facts.get("actor.departed_on") {
            out.insert("actor.departed_on".into(), d.clone());
        }
    }
    // A part the region needs present, with no field of it kept.
    for c in constraints {
        if let Constraint::Part { fact, present: true } = c {
            let prefix = format!("{fact}.");
            if !out.keys().any(|k| k.starts_with(&prefix)) {
                out.insert(fact.clone(), Value::Bool(true));
            }
        }
    }
    out
}

/// The facts as an action in the data model's shape (what `smpolicy eval` reads).
pub(crate) fn to_action_json(facts: &BTreeMap<String, Value>) -> serde_json::Value {
    let mut root = serde_json::Map::new();
    for (path, v) in facts {
        let json = match v {
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Percent(p) => serde_json::Value::String(format!("{p}%")),
            Value::Date(d) => serde_json::Value::String(d.to_string()),
            Value::Timestamp(t) => serde_json::Value::String(t.to_string()),
            Value::TimeOfDay(_) | Value::Duration(_) => serde_json::Value::String(v.to_string()),
            Value::Text(s) | Value::Symbol(s) => serde_json::Value::String(s.clone()),
            Value::List(items) => {
                serde_json::Value::Array(items.iter().cloned().map(serde_json::Value::String).collect())
            }
        };
        let mut parts = path.split('.').peekable();
        let mut node = &mut root;
        let is_part = super::space::PARTS.contains(&path.as_str());
        while let Some(p) = parts.next() {
            if parts.peek().is_none() {
                if is_part {
                    node.entry(p.to_string()).or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
                } else {
                    node.insert(p.to_string(), json);
                }
                break;
            }
            let next = node.entry(p.to_string()).or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
            if !next.is_object() {
                *next = serde_json::Value::Object(serde_json::Map::new());
            }
            match next.as_object_mut() {
                Some(m) => node = m,
                None => break,
            }
        }
    }
    serde_json::Value::Object(root)
}
