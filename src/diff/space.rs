//! The finite space `diff` explores: every fact the two policies test, cut
//! into classes by the constants both policies compare it with, and every
//! test (an *atom*) compiled against those classes.
//!
//! - A number or date fact is cut at its change points: for `x >= 10` the
//!   classes are `..=9` and `10..`; for `x = 10` also `11..`; a date compared
//!   after a shift (`actor.departed_on + 6 months <= 2026-03-01`) is cut where
//!   the shifted date crosses the constant, found exactly (month ends clamp).
//! - `at` is cut at the start of each boundary day in each policy's timezone
//!   (and at timestamp constants), so date comparisons of `at` are exact.
//! - A name (role, channel, status, a text) has one class per value either
//!   policy mentions, one class for "any other value" (a real, declared value
//!   stands for it) and one for "not given".
//! - A list (`content.kind`, `done`) is modelled by one yes/no *membership*
//!   per value either policy mentions, plus one for "some other value":
//!   `has`, `in` and `only` become conditions over memberships.
//! - Yes/no facts have two classes, yes and no (absent is no), or three where
//!   [`crate::facts`] says an absent one is not given; a part (`target`,
//!   `account`, ...) is present or absent.
//!
//! A test of one fact is constant on each class (that is how the classes are
//! cut), so its truth on a set of classes is read from a precomputed table. A
//! test relating two facts (`at <= actor.departed_on + 6 months`) is decided
//! only once both facts are fixed to concrete values; [`Space::candidates`]
//! proposes the values worth trying (the crossing points of every relation).
//!
//! Tests are evaluated by the evaluator's own interpreter
//! ([`crate::eval::interp`]); the one-fact fast path uses its `compare`.
//! This module decides nothing itself and does no IO.

use crate::ast::CmpOp;
use crate::eval::interp::{self, Ctx, Truth};
use crate::policy::{Cond, Effect, Policy, Term, Test, TestOp};
use crate::value::{Type, Value};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Index of a fact in [`Space::facts`].
pub(crate) type FactId = usize;
/// Index of an atom in [`Space::atoms`].
pub(crate) type AtomId = usize;

/// Truth of a test or condition over a set of situations: true, false,
/// unknown because a fact is missing (the evaluator's third value), or open
/// (not decided yet: depends on facts the search has not split).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum T4 {
    /// Holds.
    T,
    /// Does not hold.
    F,
    /// A fact is missing: the evaluator says unknown.
    M,
    /// Not decided over this set of situations.
    O,
}

impl T4 {
    /// The bit of this value in a set of truths (`O` has none).
    pub(crate) fn bit(self) -> u8 {
        match self {
            T4::T => 1,
            T4::F => 2,
            T4::M => 4,
            T4::O => 0,
        }
    }

    fn not(self) -> T4 {
        match self {
            T4::T => T4::F,
            T4::F => T4::T,
            other => other,
        }
    }

    fn from_truth(t: &Truth) -> T4 {
        T4::from_tv(t.tv())
    }

    /// The semantics' truth value, as a settled one.
    pub(crate) fn from_tv(t: crate::semantics::Tv) -> T4 {
        match t {
            crate::semantics::Tv::True => T4::T,
            crate::semantics::Tv::False => T4::F,
            crate::semantics::Tv::Unknown => T4::M,
        }
    }
}

/// Paths that name a part of an action rather than a field: present or absent.
pub(crate) const PARTS: &[&str] =
    &["actor", "account", "content", "target", "contacts", "history", "approval", "request", "material"];

/// Facts every action carries (the data contract requires them).
const REQUIRED: &[&str] = &["action", "actor.id", "actor.role", "actor.status", "at", "actor"];

/// How a fact's values are cut into classes.
#[derive(Debug, Clone)]
pub(crate) enum Dim {
    /// A whole number (or a percentage); sorted change points.
    Int {
        /// Sorted change points: a class starts at each.
        points: Vec<i64>,
        /// Values are percentages.
        percent: bool,
    },
    /// A calendar date; sorted change points.
    Date {
        /// Sorted change points.
        points: Vec<Date>,
    },
    /// A point in time (`at`); sorted change points.
    Time {
        /// Sorted change points.
        points: Vec<Timestamp>,
    },
    /// A name or a text.
    Symbol {
        /// The values either policy mentions, one class each.
        values: Vec<String>,
        /// A real value standing for every other one, if there is one.
        other: Option<String>,
        /// Texts rather than names.
        text: bool,
        /// For a text tested with `contains`: each test's texts, as written.
        /// Every text no policy mentions is then in the class of the truths
        /// these tests take on it ([`Extent::Matches`]), not in one "other" class.
        contains: Vec<Vec<String>>,
    },
    /// Yes or no (absent is no, or a class of its own: [`crate::facts`]).
    Bool,
    /// A part of the action: present or absent.
    Part,
    /// Whether a list holds a value (`None`: some value no policy mentions).
    Member {
        /// The list's path.
        list: String,
        /// The value.
        value: Option<String>,
    },
}

/// Which values a class covers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Extent {
    /// The fact is not given.
    Absent,
    /// Whole numbers from..=to.
    Int(Option<i64>, Option<i64>),
    /// Dates from..=to.
    Date(Option<Date>, Option<Date>),
    /// Times from..before.
    Time(Option<Timestamp>, Option<Timestamp>),
    /// One named value.
    Value(String),
    /// Every value the policies do not mention.
    Other,
    /// Every text the policies do not mention on which the fact's `contains`
    /// tests take these truths, in [`Dim::Symbol`]'s `contains` order.
    Matches(Vec<bool>),
    /// Yes or no.
    Bool(bool),
    /// The part is present.
    Present,
    /// The list holds the value.
    Has,
    /// The list does not hold it.
    Lacks,
}

/// One class of a fact: what it covers and a value that stands for it.
#[derive(Debug, Clone)]
pub(crate) struct Class {
    /// A representative; `None` means absent.
    pub rep: Option<Value>,
    /// What it covers.
    pub extent: Extent,
}

/// A fact the policies test.
#[derive(Debug, Clone)]
pub(crate) struct Fact {
    /// Its path (`history.posts_today`); for a membership, the list's path.
    pub path: String,
    /// How it is cut.
    pub dim: Dim,
    /// Its classes; when the fact may be absent, the last class is [`Extent::Absent`].
    pub classes: Vec<Class>,
    /// Where its class bits start in a state.
    pub offset: usize,
    /// How many words its class bits take.
    pub words: usize,
    /// Every action carries it.
    pub required: bool,
    /// The part it belongs to (`target` for `target.relationship`).
    pub part: Option<FactId>,
}

impl Fact {
    /// All classes, as bits.
    pub(crate) fn all(&self) -> Vec<u64> {
        let mut v = vec![0u64; self.words];
        for i in 0..self.classes.len() {
            set_bit(&mut v, i);
        }
        v
    }

    /// The classes that mean "not given" for the evaluator (absent, not held, a "no" left out).
    pub(crate) fn absent_like(&self) -> Vec<u64> {
        let mut v = vec![0u64; self.words];
        for (i, c) in self.classes.iter().enumerate() {
            // A "no" written by leaving the fact out is not given too, and so is a list
            // not holding a value where a list left out is empty.
            if c.extent == Extent::Absent
                || (c.extent == Extent::Lacks && !self.may_miss())
                || (c.extent == Extent::Bool(false) && c.rep.is_none())
            {
                set_bit(&mut v, i);
            }
        }
        v
    }

    /// Whether "not given" is a class of its own.
    pub(crate) fn may_miss(&self) -> bool {
        self.classes.iter().any(|c| c.extent == Extent::Absent)
    }

    /// The class holding a concrete value (`None`: absent).
    pub(crate) fn class_of(&self, v: Option<&Value>) -> Option<usize> {
        let Some(v) = v else {
            return self
                .classes
                .iter()
                .position(|c| c.extent == Extent::Absent || (c.extent == Extent::Bool(false) && c.rep.is_none()));
        };
        match (&self.dim, v) {
            (Dim::Int { points, .. }, Value::Int(x) | Value::Percent(x)) => Some(interval_index(points, x)),
            (Dim::Date { points }, Value::Date(x)) => Some(interval_index(points, x)),
            (Dim::Time { points }, Value::Timestamp(x)) => Some(interval_index(points, x)),
            (Dim::Symbol { values, other, contains, .. }, Value::Symbol(s) | Value::Text(s)) => {
                match values.iter().position(|x| x == s) {
                    Some(i) => Some(i),
                    None if !contains.is_empty() => {
                        let m = Extent::Matches(contains_truths(s, contains));
                        self.classes.iter().position(|c| c.extent == m)
                    }
                    None if other.is_some() => Some(values.len()),
                    None => None,
                }
            }
            (Dim::Bool, Value::Bool(b)) => self.classes.iter().position(|c| c.extent == Extent::Bool(*b)),
            (Dim::Part, _) => Some(0),
            _ => None,
        }
    }
}

/// Which interval of sorted change points holds `x`: 0 before the first point,
/// i+1 from point i on. (Classes are numbered the same way.)
fn interval_index<T: Ord>(points: &[T], x: &T) -> usize {
    points.partition_point(|p| p <= x)
}

/// What an atom reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AtomKind {
    /// One fact, constant on its classes.
    Single(FactId),
    /// A list membership.
    Member(FactId),
    /// Several facts (or a form the classes do not cut): decided on fixed values.
    Relational,
}

/// The truth of a one-fact atom on each class of its fact.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    /// Classes where it holds.
    pub t: Vec<u64>,
    /// Classes where it fails.
    pub f: Vec<u64>,
    /// Classes where a fact is missing.
    pub m: Vec<u64>,
}

impl Table {
    /// The classes with one of these truths.
    pub(crate) fn with(&self, truths: u8) -> Vec<u64> {
        let mut out = vec![0u64; self.t.len()];
        for (i, o) in out.iter_mut().enumerate() {
            if truths & 1 != 0 {
                *o |= self.t.get(i).copied().unwrap_or(0);
            }
            if truths & 2 != 0 {
                *o |= self.f.get(i).copied().unwrap_or(0);
            }
            if truths & 4 != 0 {
                *o |= self.m.get(i).copied().unwrap_or(0);
            }
        }
        out
    }
}

/// One test of a policy, as the search sees it.
#[derive(Debug, Clone)]
pub(crate) struct Atom {
    /// The test as a condition (for the interpreter).
    pub cond: Cond,
    /// The test.
    pub test: Test,
    /// Which policy's clock and types evaluate it (0 old, 1 new).
    pub side: usize,
    /// The facts it reads, in the order to fix them (right-hand side first).
    pub facts: Vec<FactId>,
    /// What it reads.
    pub kind: AtomKind,
    /// Its truth per class, for one-fact atoms.
    pub table: Option<Table>,
    /// An "approval already granted" test: false and unknown both mean not granted.
    pub approval: bool,
}

/// A condition compiled to atoms.
#[derive(Debug, Clone)]
pub(crate) enum CCond {
    /// A constant.
    Const(T4),
    /// Every part.
    All(Vec<CCond>),
    /// Some part.
    Any(Vec<CCond>),
    /// Negation.
    Not(Box<CCond>),
    /// One atom.
    Atom(AtomId),
}

/// A clause that can change a verdict, compiled.
#[derive(Debug, Clone)]
pub(crate) struct CRule {
    /// Index in the policy's rules.
    pub index: usize,
    /// The clause id.
    pub id: String,
    /// When it applies.
    pub when: CCond,
    /// Its exceptions.
    pub unless: Vec<CCond>,
    /// Whether it counts in combining (not advice).
    pub counts: bool,
    /// Its restrictiveness: allow 0, require approval 1, deny 2 (`None`: advice).
    pub rank: Option<u8>,
    /// Who may approve, for `require approval`.
    pub approvers: Vec<String>,
    /// The duties it attaches, as the diff compares them (words and deadline).
    pub duties: Vec<String>,
    /// For each duty, the atom "the action records it as done" (a duty done is dropped).
    pub duty_done: Vec<Option<AtomId>>,
    /// Clauses it overrides.
    pub overrides: Vec<String>,
    /// For `require approval`: the atom "an approver already granted it".
    pub approval: Option<AtomId>,
    /// Equal fingerprints mean equal behaviour (same id, condition, outcome, duties).
    pub fp: u32,
    /// Equal signatures mean equal behaviour once the clause is known to apply
    /// (same id, outcome, duties and overrides; the condition aside).
    pub sig: u32,
    /// The facts its condition and exceptions read.
    pub facts: Vec<FactId>,
}

/// A section default, compiled.
#[derive(Debug, Clone)]
pub(crate) struct CDefault {
    /// Its id.
    pub id: String,
    /// Where it covers.
    pub scope: CCond,
    /// Its restrictiveness.
    pub rank: Option<u8>,
    /// For a default requiring approval: the test that the approval on file meets it.
    pub approval: Option<AtomId>,
    /// Fingerprint.
    pub fp: u32,
}

/// One policy's clock and fact types, for the interpreter.
pub(crate) struct SideCtx {
    /// The policy's timezone.
    pub tz: TimeZone,
    /// Its IANA name.
    pub tz_name: String,
    /// Every fact path's type, and the policy's assumptions.
    pub types: crate::facts::Known,
    /// The time used when an action gives none.
    pub now: Timestamp,
}

impl SideCtx {
    fn new(policy: &Policy, now: Timestamp) -> SideCtx {
        SideCtx {
            tz: TimeZone::get(&policy.meta.timezone).unwrap_or(TimeZone::UTC),
            tz_name: policy.meta.timezone.clone(),
            types: crate::eval::fact_types(policy),
            now,
        }
    }

    /// Runs `f` with an interpreter context over `facts`.
    pub(crate) fn with<R>(&self, facts: &BTreeMap<String, Value>, f: impl FnOnce(&Ctx<'_>) -> R) -> R {
        let ctx = Ctx { facts, tz: &self.tz, at: self.now, types: &self.types };
        f(&ctx)
    }

    /// The truth of a condition on concrete facts, by the interpreter.
    pub(crate) fn truth(&self, cond: &Cond, facts: &BTreeMap<String, Value>) -> T4 {
        self.with(facts, |ctx| T4::from_truth(&interp::eval_cond(cond, ctx, &mut Vec::new())))
    }

    /// The date a term stands for, given facts.
    pub(crate) fn date(&self, term: &Term, facts: &BTreeMap<String, Value>) -> Option<Date> {
        self.with(facts, |ctx| interp::resolve_date(term, ctx))
    }

    /// The start of a day in this timezone.
    fn start_of(&self, d: Date) -> Option<Timestamp> {
        d.to_zoned(self.tz.clone()).ok().map(|z| z.timestamp())
    }

    /// Noon of a day in this timezone.
    pub(crate) fn noon(&self, d: Date) -> Option<Timestamp> {
        d.at(12, 0, 0, 0).to_zoned(self.tz.clone()).ok().map(|z| z.timestamp())
    }
}

/// A list fact: its memberships.
#[derive(Debug, Clone)]
pub(crate) struct ListInfo {
    /// The list's path.
    pub path: String,
    /// Its membership facts, the "other" one last when it exists.
    pub members: Vec<FactId>,
}

/// The whole space.
pub(crate) struct Space {
    /// Every fact.
    pub facts: Vec<Fact>,
    /// Facts by path (memberships are not listed).
    pub by_path: HashMap<String, FactId>,
    /// Every atom.
    pub atoms: Vec<Atom>,
    /// The two policies' clocks.
    pub sides: [SideCtx; 2],
    /// The clauses that can change a verdict, per policy.
    pub rules: [Vec<CRule>; 2],
    /// Section defaults, per policy.
    pub defaults: [Vec<CDefault>; 2],
    /// Per policy: more than the outcomes' order picks the clause that decides
    /// (`conflicts indeterminate`, `most_specific`, `priorities`), so the search
    /// treats any open clause as able to change the verdict and leaves the choice to
    /// the evaluator's combining at each leaf.
    pub conflict_indeterminate: [bool; 2],
    /// The rank of the policy's default, per policy (`None`: no default).
    pub default_rank: [Option<u8>; 2],
    /// For a policy default requiring approval: the test that the approval on file meets it, per policy.
    pub default_approval: [Option<AtomId>; 2],
    /// Words in a state.
    pub words: usize,
    /// Identical live clauses mean identical verdicts (same header settings).
    pub can_prune: bool,
    /// List facts.
    pub lists: Vec<ListInfo>,
    /// Parts and their fields.
    pub parts: Vec<(FactId, Vec<FactId>)>,
    /// Relational atoms by the facts they read.
    pub rel_by_fact: Vec<Vec<AtomId>>,
    /// The date standing for "some date" when nothing cuts a date fact.
    pub anchor: Date,
    /// Per list, a real value no policy mentions.
    pub list_others: HashMap<String, String>,
    /// How often the search for values satisfying relations between facts ran out of budget.
    pub exhausted: std::cell::Cell<usize>,
}

/// What the building collects per fact before cutting it.
#[derive(Default)]
struct Collect {
    ty: Option<Type>,
    ints: BTreeSet<i64>,
    dates: BTreeSet<Date>,
    times: BTreeSet<Timestamp>,
    symbols: Vec<String>,
    members: Vec<String>,
    percent: bool,
    /// The texts each `contains` test of a text fact looks for, as written, one list a test.
    contains: Vec<Vec<String>>,
}

/// The facts a term reads, in order.
pub(crate) fn term_facts(t: &Term) -> Vec<String> {
    match t {
        // What is read from `at` (its weekday, its time of day) reads `at`.
        Term::Fact(p) if crate::facts::AtPart::of_path(p).is_some() => vec!["at".to_string()],
        other => other.facts().into_iter().map(str::to_string).collect(),
    }
}

/// Whether a test reads what is read from `at` in the policy's timezone
/// (`at.weekday`, `at.time_of_day`): such a test is not constant on the
/// classes of `at` (cut at days), so it is decided on concrete times of the
/// action ([`clock_candidates`]).
pub(crate) fn reads_at_part(t: &Test) -> bool {
    let part = |term: &Term| matches!(term, Term::Fact(p) if crate::facts::AtPart::of_path(p).is_some());
    part(&t.lhs) || matches!(&t.op, TestOp::Cmp(_, rhs) | TestOp::Has(rhs) if part(rhs))
}

/// Times of the action worth trying for tests of its weekday and time of
/// day: each of the seven days from `first` (in the side's timezone), at
/// midnight, noon and each time of day the tests compare with, a minute
/// either side too.
pub(crate) fn clock_candidates<'a>(
    first: Date,
    tests: impl Iterator<Item = &'a Test>,
    side: &SideCtx,
) -> Vec<Timestamp> {
    let mut minutes: BTreeSet<u16> = [0, 12 * 60].into_iter().collect();
    for t in tests {
        let consts: Vec<&Value> = match &t.op {
            TestOp::Cmp(_, Term::Const(v)) => vec![v],
            TestOp::In(set) => set.iter().collect(),
            _ => vec![],
        };
        let lhs_const = match &t.lhs {
            Term::Const(v) => Some(v),
            _ => None,
        };
        for v in consts.into_iter().chain(lhs_const) {
            if let Value::TimeOfDay(m) = v {
                minutes.extend([m.saturating_sub(1), *m, (m + 1).min(crate::value::MINUTES_PER_DAY - 1)]);
            }
        }
    }
    let mut out = Vec::new();
    let mut day = first;
    for _ in 0..7 {
        for m in &minutes {
            let (h, mi) = (i8::try_from(m / 60).unwrap_or(0), i8::try_from(m % 60).unwrap_or(0));
            if let Ok(z) = day.at(h, mi, 0, 0).to_zoned(side.tz.clone()) {
                out.push(z.timestamp());
            }
        }
        match day.tomorrow() {
            Ok(d) => day = d,
            Err(_) => break,
        }
    }
    out
}

/// The shifts applied to a term.
pub(crate) fn term_shifts(t: &Term) -> Vec<(bool, crate::value::Duration)> {
    match t {
        Term::Shifted(b, s) => {
            let mut out = term_shifts(b);
            out.extend(s.iter().copied());
            out
        }
        _ => vec![],
    }
}

/// The facts a test reads, right-hand side first (the order to fix them in).
pub(crate) fn test_facts(t: &Test) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    match &t.op {
        TestOp::Cmp(_, rhs) | TestOp::Has(rhs) => out.extend(term_facts(rhs)),
        TestOp::ShareAbove { whole, .. } => out.push(whole.clone()),
        _ => {}
    }
    for f in term_facts(&t.lhs) {
        if !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

/// `x op c` seen from the fact: the fact-side term, the operator and the constant side.
fn oriented(t: &Test) -> Option<(&Term, CmpOp, &Term)> {
    let TestOp::Cmp(op, rhs) = &t.op else { return None };
    let (lf, rf) = (term_facts(&t.lhs), term_facts(rhs));
    if !lf.is_empty() && rf.is_empty() {
        Some((&t.lhs, *op, rhs))
    } else if lf.is_empty() && !rf.is_empty() {
        Some((rhs, op.flipped(), &t.lhs))
    } else {
        None
    }
}

/// Dates worth trying for a date fact read by the garden-leave reduction in
/// `mine` (`Term::Reduced`: a covenant's end less the days from one date to
/// another), when `mine` is compared with the date `d`: a day either side of
/// the other date of the reduction (where days start or stop being taken
/// off) and, for the first date, where the reduced end reaches `d`
/// (`end = base − (second − first)`, so `first = d + (second − base)`).
/// The other facts are read from `facts`. Shifting through the reduction is
/// not monotone in either date, so [`crossing`] alone does not find these.
pub(crate) fn reduced_points(
    mine: &Term,
    path: &str,
    facts: &BTreeMap<String, Value>,
    d: Date,
    side: &SideCtx,
) -> Vec<Date> {
    let Term::Reduced(base, first, second) = mine else { return vec![] };
    let date_of = |p: &str| match facts.get(p) {
        Some(Value::Date(x)) => Some(*x),
        _ => None,
    };
    let near = |x: Date| [x.yesterday().ok(), Some(x), x.tomorrow().ok()];
    let other = match path {
        p if p == first => second,
        p if p == second => first,
        _ => return vec![],
    };
    let mut out: Vec<Date> = date_of(other).into_iter().flat_map(near).flatten().collect();
    if path == first {
        if let (Some(s), Some(b)) = (date_of(second), side.date(base, facts)) {
            if let Some(x) = b.until(s).ok().and_then(|span| d.checked_add(span).ok()) {
                out.extend(near(x).into_iter().flatten());
            }
        }
    }
    out
}

fn shift_all(d: Date, shifts: &[(bool, crate::value::Duration)]) -> Option<Date> {
    shifts.iter().try_fold(d, |acc, (fwd, dur)| dur.shift(acc, *fwd))
}

/// Where `shift(x)` crosses `d`: the first `x` with `shift(x) >= d` and the
/// first with `shift(x) > d` (shifting is monotone, month ends clamp, so the
/// equal stretch may be empty or several days long).
pub(crate) fn crossing(shifts: &[(bool, crate::value::Duration)], d: Date) -> Option<(Date, Date)> {
    if shifts.is_empty() {
        return Some((d, d.tomorrow().ok()?));
    }
    let mut x = shifts.iter().rev().try_fold(d, |acc, (fwd, dur)| dur.shift(acc, !fwd))?;
    let mut guard = 0;
    while shift_all(x, shifts)? < d {
        x = x.tomorrow().ok()?;
        guard += 1;
        if guard > 1000 {
            return None;
        }
    }
    while let Ok(prev) = x.yesterday() {
        match shift_all(prev, shifts) {
            Some(p) if p >= d => x = prev,
            _ => break,
        }
        guard += 1;
        if guard > 2000 {
            return None;
        }
    }
    let x0 = x;
    let mut y = x0;
    while shift_all(y, shifts)? <= d {
        y = y.tomorrow().ok()?;
        guard += 1;
        if guard > 3000 {
            return None;
        }
    }
    Some((x0, y))
}

/// Change points of `x op c` given where x crosses c (first >= and first >).
fn points_for<T: Copy>(op: CmpOp, ge: T, gt: T) -> Vec<T> {
    match op {
        CmpOp::Eq | CmpOp::Ne => vec![ge, gt],
        CmpOp::Lt | CmpOp::Ge => vec![ge],
        CmpOp::Le | CmpOp::Gt => vec![gt],
    }
}

/// The dimension a fact's type gives.
fn kind_of(path: &str, ty: Option<&Type>) -> &'static str {
    if PARTS.contains(&path) {
        return "part";
    }
    match ty {
        Some(Type::Int) => "int",
        Some(Type::Percent) => "percent",
        Some(Type::Date) => "date",
        Some(Type::Timestamp) => "time",
        Some(Type::Bool) => "bool",
        Some(Type::EnumList(_)) => "list",
        Some(Type::Text) => "text",
        _ => "symbol",
    }
}

/// The values a name fact may take, for picking a real "other" value.
fn known_values(path: &str, ty: Option<&Type>, p: &Policy) -> Vec<String> {
    let d = &p.decls;
    match path {
        "action" => d.actions.clone(),
        "channel" => d.channels.clone(),
        "actor.role" | "approval.granted_by" => {
            if d.roles.is_empty() {
                vec!["someone_else".to_string()]
            } else {
                d.roles.clone()
            }
        }
        "actor.team" => {
            if d.teams.is_empty() {
                vec!["other_team".to_string()]
            } else {
                d.teams.clone()
            }
        }
        "actor.jurisdiction" | "actor.governing_law" => {
            ["UK", "US", "FR", "DE", "ZZ"].iter().map(|s| s.to_string()).collect()
        }
        "content.kind" => d.content_kinds.clone(),
        "done" => vec!["other_duty".to_string(), "another_duty".to_string()],
        "actor.id" => vec!["witness".to_string(), "someone".to_string()],
        _ => {
            if let Some(name) = path.strip_prefix("facts.") {
                if let Some(vals) = d.fact_enums.get(name) {
                    return vals.clone();
                }
            }
            match ty {
                Some(Type::Enum(set)) => {
                    let builtin = crate::schema::builtin_values(set);
                    if builtin.is_empty() {
                        crate::data::closed_set(set).unwrap_or(&[]).iter().map(|s| s.to_string()).collect()
                    } else {
                        builtin.iter().map(|s| s.to_string()).collect()
                    }
                }
                _ => vec!["something else".to_string(), "something different".to_string()],
            }
        }
    }
}

/// The truths of a text fact's `contains` tests (each test's texts, as written) on one text.
pub(crate) fn contains_truths(text: &str, tests: &[Vec<String>]) -> Vec<bool> {
    tests
        .iter()
        .map(|needles| {
            let folded: Vec<String> = needles.iter().map(|n| crate::semantics::fold_case(n)).collect();
            crate::semantics::text_contains(text, &folded)
        })
        .collect()
}

/// How many of the texts `contains` tests look for are combined into
/// representatives (2^N texts are tried); past it, each alone and none.
const MAX_COMBINED_NEEDLES: usize = 10;

/// One text for each combination of truths a text fact's `contains` tests can
/// take, none of them a text the policies mention: the texts holding the
/// needles of each subset (joined by line breaks, which no needle holds, so
/// no needle is found across a join), and a text holding none. A text holds
/// the needles it holds, so the texts built from the needles found in any text
/// give it the same truths: every combination that any text can give is here
/// (for at most [`MAX_COMBINED_NEEDLES`] distinct needles).
fn contains_classes(tests: &[Vec<String>], mentioned: &[String]) -> Vec<(Vec<bool>, String)> {
    let mut needles: Vec<&String> = Vec::new();
    for n in tests.iter().flatten() {
        if !needles.iter().any(|m| crate::semantics::fold_case(m) == crate::semantics::fold_case(n)) {
            needles.push(n);
        }
    }
    let mut texts: Vec<String> = Vec::new();
    let none = ["something else", "something different", "x", "-", "0", "…"]
        .into_iter()
        .find(|t| !contains_truths(t, tests).contains(&true) && !mentioned.iter().any(|m| m == t));
    texts.extend(none.map(str::to_string));
    if needles.len() <= MAX_COMBINED_NEEDLES {
        for mask in 1u32..(1 << needles.len()) {
            let chosen: Vec<&str> =
                needles.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, n)| n.as_str()).collect();
            texts.push(chosen.join("\n"));
        }
    } else {
        texts.extend(needles.iter().map(|n| n.to_string()));
        texts.push(needles.iter().map(|n| n.as_str()).collect::<Vec<_>>().join("\n"));
    }
    let mut out: Vec<(Vec<bool>, String)> = Vec::new();
    for mut t in texts {
        // A text the policies mention is in its own class: add a line break to make another.
        while mentioned.contains(&t) {
            t.push('\n');
        }
        let truths = contains_truths(&t, tests);
        if !out.iter().any(|(seen, _)| *seen == truths) {
            out.push((truths, t));
        }
    }
    out
}

/// A real value no policy mentions, preferring one both policies know.
fn other_value(path: &str, ty: Option<&Type>, mentioned: &[String], old: &Policy, new: &Policy) -> Option<String> {
    let a = known_values(path, ty, old);
    let b = known_values(path, ty, new);
    let fresh = |v: &&String| !mentioned.contains(v);
    a.iter()
        .filter(fresh)
        .find(|v| b.contains(v))
        .or_else(|| b.iter().find(fresh))
        .or_else(|| a.iter().find(fresh))
        .cloned()
}

/// Whether a clause can change a verdict: it counts, carries duties or overrides.
fn relevant(r: &crate::policy::Rule) -> bool {
    !r.dry_run && (r.effect.rank().is_some() || !r.obligations.is_empty() || !r.overrides.is_empty())
}

fn fingerprint(r: &crate::policy::Rule) -> String {
    let obligations: Vec<_> = r.obligations.iter().map(|o| (&o.text, o.within, &o.from, &o.done_key)).collect();
    serde_json::to_string(&(&r.id, &r.when, &r.unless, &r.law, &r.effect, obligations, &r.overrides))
        .unwrap_or_default()
}

fn signature(r: &crate::policy::Rule) -> String {
    let obligations: Vec<_> = r.obligations.iter().map(|o| (&o.text, o.within, &o.from, &o.done_key)).collect();
    serde_json::to_string(&("applies", &r.id, &r.effect, obligations, &r.overrides)).unwrap_or_default()
}

/// Builds the space for two policies.
pub(crate) fn build(old: &Policy, new: &Policy, now: Timestamp, anchor: Date) -> Space {
    let sides = [SideCtx::new(old, now), SideCtx::new(new, now)];
    let policies = [old, new];
    let mut collect: BTreeMap<String, Collect> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut note = |path: &str, ty: Option<Type>, collect: &mut BTreeMap<String, Collect>| {
        if !collect.contains_key(path) {
            order.push(path.to_string());
        }
        let e = collect.entry(path.to_string()).or_default();
        if e.ty.is_none() {
            e.ty = ty;
        }
    };
    for p in REQUIRED.iter().chain(["actor.departed_on"].iter()) {
        let ty = crate::schema::fact_type(p);
        note(p, ty, &mut collect);
    }

    // Every test of every clause that can change a verdict.
    let mut tests: Vec<(usize, Test)> = Vec::new();
    for (side, p) in policies.iter().enumerate() {
        for r in p.rules.iter().filter(|r| relevant(r)) {
            for t in r.when.tests().into_iter().chain(r.exceptions_and_law().flat_map(|u| u.tests())) {
                tests.push((side, t.clone()));
            }
            if let Some(t) = approval_test(&r.effect) {
                tests.push((side, t));
            }
            for key in r.obligations.iter().filter_map(|o| o.done_key.as_ref()) {
                let t = Test {
                    lhs: Term::fact("done"),
                    op: TestOp::Has(Term::Const(Value::Symbol(key.clone()))),
                    span: None,
                };
                tests.push((side, t));
            }
        }
        for d in &p.defaults {
            for t in d.scope.tests() {
                tests.push((side, t.clone()));
            }
            // A default requiring approval is met by an approval on file: split on it.
            if let Some(t) = approval_test(&d.effect) {
                tests.push((side, t));
            }
        }
        if let Some(t) = p.meta.default.as_ref().and_then(approval_test) {
            tests.push((side, t));
        }
    }
    for (side, t) in &tests {
        let Some(ctx) = sides.get(*side) else { continue };
        for f in test_facts(t) {
            let ty = ctx.types.get(&f).cloned();
            note(&f, ty, &mut collect);
            if let Some(part) = f.split_once('.').map(|(p, _)| p).filter(|p| PARTS.contains(p)) {
                note(part, None, &mut collect);
            }
        }
        collect_constants(t, ctx, &mut collect);
    }

    // Cut every fact into classes.
    let mut facts: Vec<Fact> = Vec::new();
    let mut by_path: HashMap<String, FactId> = HashMap::new();
    let mut lists: Vec<ListInfo> = Vec::new();
    let mut list_others: HashMap<String, String> = HashMap::new();
    let mut offset = 0usize;
    let push = |f: Fact, facts: &mut Vec<Fact>, offset: &mut usize| -> FactId {
        let words = f.classes.len().div_ceil(64).max(1);
        let mut f = f;
        f.offset = *offset;
        f.words = words;
        *offset += words;
        facts.push(f);
        facts.len() - 1
    };
    for path in &order {
        let Some(c) = collect.get(path) else { continue };
        let required = REQUIRED.contains(&path.as_str());
        let kind = kind_of(path, c.ty.as_ref());
        // Not given is no in both versions (the fact table's meaning, or both policies assume it).
        let absent_is_no = sides.iter().all(|s| s.types.absent(path) == crate::facts::Absent::False);
        if kind == "list" {
            // A list left out is empty only where both versions take it so (the fact table
            // for `done`, or both assume it); otherwise "not given" is a class of every
            // membership, and the memberships of one list are given or not together
            // (`Space::propagate`).
            let may_miss = !sides.iter().all(|s| s.types.absent(path) == crate::facts::Absent::Empty);
            let mut members = Vec::new();
            let mut values: Vec<Option<String>> = c.members.iter().cloned().map(Some).collect();
            if let Some(o) = other_value(path, c.ty.as_ref(), &c.members, old, new) {
                values.push(None);
                list_others.insert(path.clone(), o);
            }
            for v in values {
                let mut classes =
                    vec![Class { rep: None, extent: Extent::Has }, Class { rep: None, extent: Extent::Lacks }];
                if may_miss {
                    classes.push(Class { rep: None, extent: Extent::Absent });
                }
                let f = Fact {
                    path: path.clone(),
                    dim: Dim::Member { list: path.clone(), value: v },
                    classes,
                    offset: 0,
                    words: 1,
                    required: false,
                    part: None,
                };
                members.push(push(f, &mut facts, &mut offset));
            }
            lists.push(ListInfo { path: path.clone(), members });
            continue;
        }
        let (dim, mut classes) = match kind {
            "part" => {
                let mut classes = vec![Class { rep: Some(Value::Bool(true)), extent: Extent::Present }];
                if path != "actor" {
                    classes.push(Class { rep: None, extent: Extent::Absent });
                }
                (Dim::Part, classes)
            }
            "bool" => {
                // Where not giving the fact means no ([`crate::facts`]), "no" is written by leaving it out
                // and there is no third class; otherwise "not given" is a class of its own.
                let no = if absent_is_no { None } else { Some(Value::Bool(false)) };
                (
                    Dim::Bool,
                    vec![
                        Class { rep: Some(Value::Bool(true)), extent: Extent::Bool(true) },
                        Class { rep: no, extent: Extent::Bool(false) },
                    ],
                )
            }
            "int" | "percent" => {
                let percent = kind == "percent" || c.percent;
                let builtin = !path.starts_with("facts.");
                let min = if builtin { Some(0) } else { None };
                let points: Vec<i64> = c
                    .ints
                    .iter()
                    .copied()
                    .filter(|p| min.is_none_or(|m| *p > m) && *p <= i64::from(u32::MAX))
                    .collect();
                let wrap = |x: i64| if percent { Value::Percent(x) } else { Value::Int(x) };
                let mut classes = Vec::new();
                let first_hi = points.first().map(|p| p - 1);
                classes
                    .push(Class { rep: Some(wrap(first_hi.or(min).unwrap_or(0))), extent: Extent::Int(min, first_hi) });
                for (i, p) in points.iter().enumerate() {
                    let hi = points.get(i + 1).map(|n| n - 1);
                    classes.push(Class { rep: Some(wrap(*p)), extent: Extent::Int(Some(*p), hi) });
                }
                (Dim::Int { points, percent }, classes)
            }
            "date" => {
                let points: Vec<Date> = c.dates.iter().copied().collect();
                let mut classes = Vec::new();
                let first_hi = points.first().and_then(|p| p.yesterday().ok());
                classes.push(Class {
                    rep: Some(Value::Date(first_hi.unwrap_or(anchor))),
                    extent: Extent::Date(None, if points.is_empty() { None } else { first_hi }),
                });
                for (i, p) in points.iter().enumerate() {
                    let hi = points.get(i + 1).and_then(|n| n.yesterday().ok());
                    classes.push(Class { rep: Some(Value::Date(*p)), extent: Extent::Date(Some(*p), hi) });
                }
                (Dim::Date { points }, classes)
            }
            "time" => {
                let points: Vec<Timestamp> = c.times.iter().copied().collect();
                let [tz, _] = &sides;
                let nice = |lo: Option<Timestamp>, hi: Option<Timestamp>| -> Timestamp {
                    match (lo, hi) {
                        (None, None) => tz.noon(anchor).unwrap_or(now),
                        (None, Some(h)) => h.checked_sub(jiff::SignedDuration::from_hours(12)).unwrap_or(h),
                        (Some(l), h) => {
                            let noon = tz.noon(l.to_zoned(tz.tz.clone()).date()).unwrap_or(l);
                            if noon >= l && h.is_none_or(|h| noon < h) {
                                noon
                            } else {
                                l
                            }
                        }
                    }
                };
                let mut classes = Vec::new();
                let first = points.first().copied();
                classes
                    .push(Class { rep: Some(Value::Timestamp(nice(None, first))), extent: Extent::Time(None, first) });
                for (i, p) in points.iter().enumerate() {
                    let hi = points.get(i + 1).copied();
                    classes.push(Class {
                        rep: Some(Value::Timestamp(nice(Some(*p), hi))),
                        extent: Extent::Time(Some(*p), hi),
                    });
                }
                (Dim::Time { points }, classes)
            }
            _ => {
                let text = kind == "text";
                let values = c.symbols.clone();
                let wrap = |s: &str| if text { Value::Text(s.to_string()) } else { Value::Symbol(s.to_string()) };
                let mut classes: Vec<Class> =
                    values.iter().map(|v| Class { rep: Some(wrap(v)), extent: Extent::Value(v.clone()) }).collect();
                let contains = c.contains.clone();
                let other = if text && !contains.is_empty() {
                    for (truths, rep) in contains_classes(&contains, &values) {
                        classes.push(Class { rep: Some(Value::Text(rep)), extent: Extent::Matches(truths) });
                    }
                    None
                } else {
                    let other = other_value(path, c.ty.as_ref(), &values, old, new);
                    if let Some(o) = &other {
                        classes.push(Class { rep: Some(wrap(o)), extent: Extent::Other });
                    }
                    other
                };
                let contains = if text { contains } else { vec![] };
                (Dim::Symbol { values, other, text, contains }, classes)
            }
        };
        let no_absent_class = required || matches!(dim, Dim::Part) || (matches!(dim, Dim::Bool) && absent_is_no);
        if !no_absent_class {
            classes.push(Class { rep: None, extent: Extent::Absent });
        }
        if classes.is_empty() {
            continue;
        }
        let f = Fact { path: path.clone(), dim, classes, offset: 0, words: 1, required, part: None };
        let id = push(f, &mut facts, &mut offset);
        by_path.insert(path.clone(), id);
    }
    // Parts and their fields.
    let mut parts: Vec<(FactId, Vec<FactId>)> = Vec::new();
    for part in PARTS {
        let Some(pid) = by_path.get(*part).copied() else { continue };
        let prefix = format!("{part}.");
        let fields: Vec<FactId> = facts
            .iter()
            .enumerate()
            .filter(|(i, f)| *i != pid && f.path.starts_with(&prefix))
            .map(|(i, _)| i)
            .collect();
        for i in &fields {
            if let Some(f) = facts.get_mut(*i) {
                f.part = Some(pid);
            }
        }
        parts.push((pid, fields));
    }

    let mut space = Space {
        facts,
        by_path,
        atoms: Vec::new(),
        sides,
        rules: [Vec::new(), Vec::new()],
        defaults: [Vec::new(), Vec::new()],
        conflict_indeterminate: [old, new].map(|p| {
            let prec = crate::semantics::Precedence::of(&p.meta);
            prec.indeterminate() || !prec.plain()
        }),
        default_rank: [old, new].map(|p| p.meta.default.as_ref().and_then(|e| e.rank())),
        default_approval: [None, None],
        words: offset,
        can_prune: old.meta.default == new.meta.default
            && old.meta.conflicts == new.meta.conflicts
            && old.meta.priorities == new.meta.priorities
            && old.meta.timezone == new.meta.timezone
            && old.decls.facts == new.decls.facts
            && old.decls.assumed == new.decls.assumed,
        lists,
        parts,
        rel_by_fact: Vec::new(),
        anchor,
        list_others,
        exhausted: std::cell::Cell::new(0),
    };

    // Compile the clauses.
    let mut interner: HashMap<String, AtomId> = HashMap::new();
    let mut fps: HashMap<String, u32> = HashMap::new();
    let mut intern_fp = |s: String| -> u32 {
        let n = fps.len() as u32;
        *fps.entry(s).or_insert(n)
    };
    let shared = space.can_prune;
    for (side, p) in policies.iter().enumerate() {
        let mut rules = Vec::new();
        for (index, r) in p.rules.iter().enumerate().filter(|(_, r)| relevant(r)) {
            let when = space.compile(&r.when, side, shared, &mut interner);
            let unless = r.exceptions_and_law().map(|u| space.compile(u, side, shared, &mut interner)).collect();
            let approval = approval_atom(&mut space, &r.effect, side, shared, &mut interner);
            rules.push(CRule {
                index,
                id: r.id.clone(),
                when,
                unless,
                counts: r.effect.rank().is_some(),
                rank: r.effect.rank(),
                approvers: match &r.effect {
                    Effect::RequireApproval { approvers, .. } => approvers.clone(),
                    _ => vec![],
                },
                duties: r.obligations.iter().map(super::search::duty_key).collect(),
                duty_done: r
                    .obligations
                    .iter()
                    .map(|o| {
                        let key = o.done_key.as_ref()?;
                        let t = Test {
                            lhs: Term::fact("done"),
                            op: TestOp::Has(Term::Const(Value::Symbol(key.clone()))),
                            span: None,
                        };
                        match space.compile(&Cond::Test(t), side, shared, &mut interner) {
                            CCond::Atom(a) => Some(a),
                            _ => None,
                        }
                    })
                    .collect(),
                overrides: r.overrides.clone(),
                approval,
                fp: intern_fp(fingerprint(r)),
                sig: intern_fp(signature(r)),
                facts: Vec::new(),
            });
        }
        let defaults = p
            .defaults
            .iter()
            .map(|d| CDefault {
                id: d.id.clone(),
                scope: space.compile(&d.scope, side, shared, &mut interner),
                rank: d.effect.rank(),
                approval: approval_atom(&mut space, &d.effect, side, shared, &mut interner),
                fp: intern_fp(serde_json::to_string(&(&d.id, &d.scope, &d.effect)).unwrap_or_default()),
            })
            .collect();
        if let Some(effect) = &p.meta.default {
            let a = approval_atom(&mut space, effect, side, shared, &mut interner);
            if let Some(slot) = space.default_approval.get_mut(side) {
                *slot = a;
            }
        }
        if let Some(slot) = space.rules.get_mut(side) {
            *slot = rules;
        }
        if let Some(slot) = space.defaults.get_mut(side) {
            *slot = defaults;
        }
    }
    space.tables();
    // The facts each clause reads.
    let atoms = &space.atoms;
    for side in space.rules.iter_mut() {
        for r in side.iter_mut() {
            let mut ids = Vec::new();
            r.when.atoms(&mut ids);
            for u in &r.unless {
                u.atoms(&mut ids);
            }
            ids.extend(r.approval);
            ids.extend(r.duty_done.iter().flatten());
            let mut facts: Vec<FactId> =
                ids.iter().filter_map(|a| atoms.get(*a)).flat_map(|a| a.facts.iter().copied()).collect();
            facts.sort_unstable();
            facts.dedup();
            r.facts = facts;
        }
    }
    let mut rel_by_fact = vec![Vec::new(); space.facts.len()];
    for (i, a) in space.atoms.iter().enumerate() {
        if a.kind == AtomKind::Relational {
            for f in &a.facts {
                if let Some(v) = rel_by_fact.get_mut(*f) {
                    v.push(i);
                }
            }
        }
    }
    space.rel_by_fact = rel_by_fact;
    space
}

/// For a clause or default requiring approval, the atom "the approval on
/// file meets it" (marked as an approval, for the words of a region).
fn approval_atom(
    space: &mut Space,
    effect: &Effect,
    side: usize,
    shared: bool,
    interner: &mut HashMap<String, AtomId>,
) -> Option<AtomId> {
    let test = approval_test(effect)?;
    match space.compile(&Cond::Test(test), side, shared, interner) {
        CCond::Atom(a) => {
            if let Some(atom) = space.atoms.get_mut(a) {
                atom.approval = true;
            }
            Some(a)
        }
        _ => None,
    }
}

/// `approval.granted_by in {roles}`: an approval already granted that meets
/// a `require approval` effect. The search reads one plain approval, so the
/// roles are those one such approval by which meets it
/// ([`crate::semantics::plain_approval_meets`]: not an external party's
/// undated consent; for `all of` several roles, none). `None` when no such
/// approval meets it (or the effect needs none).
fn approval_test(effect: &Effect) -> Option<Test> {
    let Effect::RequireApproval { approvers, join } = effect else { return None };
    let roles: Vec<Value> = approvers
        .iter()
        .filter(|a| crate::semantics::plain_approval_meets(*join, approvers, a))
        .map(|a| Value::Symbol(a.clone()))
        .collect();
    (!roles.is_empty()).then(|| Test { lhs: Term::fact("approval.granted_by"), op: TestOp::In(roles), span: None })
}

fn symbolish(v: &Value) -> Option<&str> {
    match v {
        Value::Symbol(s) | Value::Text(s) => Some(s),
        _ => None,
    }
}

/// Notes the constants a one-fact test compares with (its change points).
/// A constant a fact is compared with, with the shifts (added or subtracted durations) applied to the fact.
type ShiftedConst = (CmpOp, Vec<(bool, crate::value::Duration)>, Value);

fn collect_constants(t: &Test, ctx: &SideCtx, collect: &mut BTreeMap<String, Collect>) {
    let list_path = match &t.lhs {
        Term::Fact(p) if matches!(ctx.types.get(p), Some(Type::EnumList(_))) => Some(p.clone()),
        _ => None,
    };
    if let Some(p) = list_path {
        let e = collect.entry(p).or_default();
        let vals: Vec<&Value> = match &t.op {
            TestOp::Has(Term::Const(v)) => vec![v],
            TestOp::In(set) | TestOp::HasOutside(set) => set.iter().collect(),
            _ => vec![],
        };
        for v in vals {
            if let Some(s) = symbolish(v) {
                if !e.members.iter().any(|m| m == s) {
                    e.members.push(s.to_string());
                }
            }
        }
        return;
    }
    let facts = test_facts(t);
    let [fact] = facts.as_slice() else { return };
    let Some(e) = collect.get_mut(fact) else { return };
    let mut consts: Vec<ShiftedConst> = Vec::new();
    match &t.op {
        TestOp::Cmp(..) => {
            if let Some((side, op, other)) = oriented(t) {
                let shifts = term_shifts(side);
                let value = match other {
                    Term::Const(v) => Some(v.clone()),
                    other => ctx.date(other, &BTreeMap::new()).map(Value::Date),
                };
                if let Some(v) = value {
                    consts.push((op, shifts, v));
                }
            }
        }
        TestOp::In(set) => consts.extend(set.iter().map(|v| (CmpOp::Eq, term_shifts(&t.lhs), v.clone()))),
        TestOp::Has(Term::Const(v)) => consts.push((CmpOp::Eq, term_shifts(&t.lhs), v.clone())),
        TestOp::Contains { needles, .. } if !e.contains.contains(needles) => e.contains.push(needles.clone()),
        _ => {}
    }
    for (op, shifts, v) in consts {
        match (&v, kind_of(fact, e.ty.as_ref())) {
            (Value::Int(c), "int" | "percent") | (Value::Percent(c), "int" | "percent") => {
                if matches!(v, Value::Percent(_)) {
                    e.percent = true;
                }
                e.ints.extend(points_for(op, *c, c.saturating_add(1)));
            }
            (Value::Date(d), "date") => {
                if let Some((ge, gt)) = crossing(&shifts, *d) {
                    e.dates.extend(points_for(op, ge, gt));
                }
            }
            (Value::Timestamp(ts), "date") => {
                let d = ts.to_zoned(ctx.tz.clone()).date();
                if let Some((ge, gt)) = crossing(&shifts, d) {
                    e.dates.extend(points_for(op, ge, gt));
                }
            }
            (Value::Date(d), "time") => {
                if let Some((ge, gt)) = crossing(&shifts, *d) {
                    e.times.extend(points_for(op, ge, gt).into_iter().filter_map(|x| ctx.start_of(x)));
                }
            }
            (Value::Timestamp(ts), "time") => {
                if shifts.is_empty() {
                    let next = ts.checked_add(jiff::SignedDuration::from_nanos(1)).unwrap_or(*ts);
                    e.times.extend(points_for(op, *ts, next));
                } else {
                    let d = ts.to_zoned(ctx.tz.clone()).date();
                    if let Some((ge, gt)) = crossing(&shifts, d) {
                        e.times.extend(points_for(op, ge, gt).into_iter().filter_map(|x| ctx.start_of(x)));
                    }
                }
            }
            (v, "symbol" | "text") => {
                if let Some(s) = symbolish(v) {
                    // A jurisdiction's region bounds (`US-`, `US.`: `law::within_cond`) are not values:
                    // a region inside the country stands for them (`US-ZZ`); a region has no regions.
                    let s = match crate::law::region_bound(fact, s) {
                        Some(None) => continue,
                        Some(Some(inside)) => inside,
                        None => s.to_string(),
                    };
                    if !e.symbols.contains(&s) {
                        e.symbols.push(s);
                    }
                }
            }
            _ => {}
        }
    }
}

impl Space {
    /// A fact by id.
    pub(crate) fn fact(&self, id: FactId) -> Option<&Fact> {
        self.facts.get(id)
    }

    /// The membership fact of a list value (`None`: the "other" membership).
    fn member(&self, list: &str, value: Option<&str>) -> Option<FactId> {
        let info = self.lists.iter().find(|l| l.path == list)?;
        info.members.iter().copied().find(|m| {
            matches!(self.facts.get(*m).map(|f| &f.dim), Some(Dim::Member { value: v, .. }) if v.as_deref() == value)
        })
    }

    fn list_values(&self, list: &str) -> Vec<String> {
        let Some(info) = self.lists.iter().find(|l| l.path == list) else { return vec![] };
        info.members
            .iter()
            .filter_map(|m| match self.facts.get(*m).map(|f| &f.dim) {
                Some(Dim::Member { value: Some(v), .. }) => Some(v.clone()),
                _ => None,
            })
            .collect()
    }

    fn member_atom(
        &mut self,
        fact: FactId,
        list: &str,
        value: &str,
        side: usize,
        interner: &mut HashMap<String, AtomId>,
    ) -> CCond {
        let side = self.list_side(list, side);
        let key = format!("member\u{1}{fact}\u{1}{side}");
        let test =
            Test { lhs: Term::fact(list), op: TestOp::Has(Term::Const(Value::Symbol(value.to_string()))), span: None };
        self.list_fact_atom(fact, test, side, key, interner)
    }

    /// The atom (interned under `key`) of a test of a list, on one of its memberships.
    fn list_fact_atom(
        &mut self,
        fact: FactId,
        test: Test,
        side: usize,
        key: String,
        interner: &mut HashMap<String, AtomId>,
    ) -> CCond {
        if let Some(a) = interner.get(&key) {
            return CCond::Atom(*a);
        }
        let id = self.atoms.len();
        self.atoms.push(Atom {
            cond: Cond::Test(test.clone()),
            test,
            side,
            facts: vec![fact],
            kind: AtomKind::Member(fact),
            table: None,
            approval: false,
        });
        interner.insert(key, id);
        CCond::Atom(id)
    }

    /// Compiles a condition of one policy.
    fn compile(&mut self, c: &Cond, side: usize, shared: bool, interner: &mut HashMap<String, AtomId>) -> CCond {
        match c {
            Cond::True => CCond::Const(T4::T),
            Cond::All(ps) => CCond::All(ps.iter().map(|p| self.compile(p, side, shared, interner)).collect()),
            Cond::Any(ps) => CCond::Any(ps.iter().map(|p| self.compile(p, side, shared, interner)).collect()),
            Cond::Not(p) => CCond::Not(Box::new(self.compile(p, side, shared, interner))),
            Cond::Test(t) => self.compile_test(t, side, shared, interner),
        }
    }

    fn compile_test(&mut self, t: &Test, side: usize, shared: bool, interner: &mut HashMap<String, AtomId>) -> CCond {
        // Between two dates, `<` is `not >=` and `>` is `not <=` (both read the same
        // facts and are unknown together), so the two forms share one atom.
        if let TestOp::Cmp(op @ (CmpOp::Lt | CmpOp::Gt), rhs) = &t.op {
            let dated = |term: &Term| {
                let facts = term_facts(term);
                !facts.is_empty()
                    && facts.iter().all(|f| {
                        matches!(self.sides.first().and_then(|s| s.types.get(f)), Some(Type::Date | Type::Timestamp))
                    })
            };
            if dated(&t.lhs) && dated(rhs) {
                let flipped = if *op == CmpOp::Lt { CmpOp::Ge } else { CmpOp::Le };
                let t2 = Test { lhs: t.lhs.clone(), op: TestOp::Cmp(flipped, rhs.clone()), span: t.span };
                return CCond::Not(Box::new(self.compile_test(&t2, side, shared, interner)));
            }
        }
        let Some(types) = self.sides.get(side).or(self.sides.first()).map(|s| &s.types) else {
            return CCond::Const(T4::O);
        };
        if let Term::Fact(p) = &t.lhs {
            if matches!(types.get(p), Some(Type::EnumList(_))) {
                let p = p.clone();
                return self.compile_list_test(&p, t, side, interner);
            }
        }
        let key = format!(
            "{}\u{1}{}",
            serde_json::to_string(&(&t.lhs, &t.op)).unwrap_or_default(),
            if shared { 0 } else { side }
        );
        if let Some(a) = interner.get(&key) {
            return CCond::Atom(*a);
        }
        let paths = test_facts(t);
        let facts: Vec<FactId> = paths.iter().filter_map(|p| self.by_path.get(p).copied()).collect();
        if facts.len() != paths.len() {
            // A fact the space does not model (should not happen): decided on fixed values only.
            return CCond::Const(T4::O);
        }
        let single_form = match &t.op {
            TestOp::Cmp(..) => oriented(t).is_some(),
            TestOp::ShareAbove { .. } => false,
            TestOp::Has(rhs) => term_facts(rhs).is_empty(),
            _ => true,
        };
        let kind = match facts.as_slice() {
            [] => {
                let truth = self.sides.get(side).map_or(T4::O, |s| s.truth(&Cond::Test(t.clone()), &BTreeMap::new()));
                return CCond::Const(truth);
            }
            [one] if single_form && !reads_at_part(t) => AtomKind::Single(*one),
            _ => AtomKind::Relational,
        };
        let id = self.atoms.len();
        self.atoms.push(Atom {
            cond: Cond::Test(t.clone()),
            test: t.clone(),
            side,
            facts,
            kind,
            table: None,
            approval: false,
        });
        interner.insert(key, id);
        CCond::Atom(id)
    }

    /// A test of a list, as a condition over memberships (the evaluator's
    /// semantics: `has v`: v is an element; `in S`: some element is in S;
    /// `only S` (`HasOutside`): some element is outside S; an absent list is empty).
    fn compile_list_test(
        &mut self,
        list: &str,
        t: &Test,
        side: usize,
        interner: &mut HashMap<String, AtomId>,
    ) -> CCond {
        let member = |sp: &mut Space, v: &str, interner: &mut HashMap<String, AtomId>| -> CCond {
            match sp.member(list, Some(v)) {
                Some(f) => sp.member_atom(f, list, v, side, interner),
                None => CCond::Const(T4::F),
            }
        };
        match &t.op {
            TestOp::Has(Term::Const(v)) => match symbolish(v) {
                Some(s) => member(self, s, interner),
                None => CCond::Const(T4::F),
            },
            TestOp::In(set) => {
                CCond::Any(set.iter().filter_map(symbolish).map(|s| member(self, s, interner)).collect())
            }
            TestOp::HasOutside(set) => {
                let inside: Vec<&str> = set.iter().filter_map(symbolish).collect();
                let mut parts: Vec<CCond> = Vec::new();
                for v in self.list_values(list) {
                    if !inside.contains(&v.as_str()) {
                        parts.push(member(self, &v, interner));
                    }
                }
                if let Some(f) = self.member(list, None) {
                    let other = other_marker(list);
                    parts.push(self.member_atom(f, list, &other, side, interner));
                }
                CCond::Any(parts)
            }
            // Any other test (`is missing`, `is present`) asks whether the list is given: an
            // atom carried by one of its memberships (they are given or not together), or,
            // where a list left out is empty, always given; a list is never true, nor equal
            // to a value.
            _ => {
                let carrier = self
                    .lists
                    .iter()
                    .find(|l| l.path == list)
                    .and_then(|l| l.members.first().copied())
                    .filter(|m| self.facts.get(*m).is_some_and(Fact::may_miss));
                match (carrier, &t.op) {
                    (Some(f), TestOp::Missing | TestOp::Present) => self.list_atom(f, list, t, side, interner),
                    (None, TestOp::Present) => CCond::Const(T4::T),
                    _ => CCond::Const(T4::F),
                }
            }
        }
    }

    /// The side a test of a list is compiled for: both (`0`) unless the two
    /// versions give a list left out different meanings (one assumes it empty).
    fn list_side(&self, list: &str, side: usize) -> usize {
        let mut meanings = self.sides.iter().map(|s| s.types.absent(list));
        let first = meanings.next();
        if meanings.all(|m| Some(m) == first) {
            0
        } else {
            side
        }
    }

    /// An atom testing whether a whole list is given, carried by one membership.
    fn list_atom(
        &mut self,
        fact: FactId,
        list: &str,
        test: &Test,
        side: usize,
        interner: &mut HashMap<String, AtomId>,
    ) -> CCond {
        let side = self.list_side(list, side);
        let key = format!("list\u{1}{fact}\u{1}{:?}\u{1}{side}", test.op);
        self.list_fact_atom(fact, test.clone(), side, key, interner)
    }

    /// Precomputes the truth table of every one-fact atom.
    fn tables(&mut self) {
        let mut tables: Vec<Option<Table>> = Vec::with_capacity(self.atoms.len());
        for a in &self.atoms {
            let table = match a.kind {
                AtomKind::Single(f) | AtomKind::Member(f) => self.facts.get(f).map(|fact| {
                    let mut t = Table { t: vec![0; fact.words], f: vec![0; fact.words], m: vec![0; fact.words] };
                    // A membership is held or not; a test of the whole list (`is missing`)
                    // reads any list given.
                    let membership = matches!(a.test.op, TestOp::Has(_));
                    for (i, class) in fact.classes.iter().enumerate() {
                        let truth = match class.extent {
                            Extent::Has if membership => T4::T,
                            Extent::Lacks if membership => T4::F,
                            Extent::Has | Extent::Lacks => self.single_truth(a, fact, Some(&Value::List(vec![]))),
                            _ => self.single_truth(a, fact, class.rep.as_ref()),
                        };
                        match truth {
                            T4::T => set_bit(&mut t.t, i),
                            T4::F => set_bit(&mut t.f, i),
                            _ => set_bit(&mut t.m, i),
                        }
                    }
                    t
                }),
                AtomKind::Relational => None,
            };
            tables.push(table);
        }
        for (a, t) in self.atoms.iter_mut().zip(tables) {
            a.table = t;
        }
    }

    /// The truth of a one-fact atom on one value: the interpreter's `compare`
    /// for the plain forms, the interpreter itself for the rest.
    fn single_truth(&self, a: &Atom, fact: &Fact, v: Option<&Value>) -> T4 {
        let Some(side) = self.sides.get(a.side) else { return T4::O };
        let plain = matches!(&a.test.lhs, Term::Fact(_))
            && matches!(fact.dim, Dim::Int { .. } | Dim::Date { .. } | Dim::Symbol { .. });
        if plain {
            let empty = BTreeMap::new();
            let fast = side.with(&empty, |ctx| fast_truth(&a.test, v, ctx));
            if let Some(t) = fast {
                return t;
            }
        }
        let mut facts = BTreeMap::new();
        if let Some(v) = v {
            facts.insert(fact.path.clone(), v.clone());
        }
        side.truth(&a.cond, &facts)
    }
}

/// The marker standing for "a value no policy mentions" in a list.
pub(crate) fn other_marker(list: &str) -> String {
    format!("\u{1}other {list}")
}

/// The interpreter's semantics for the plain one-fact forms, using its own
/// `compare` (`None`: not a plain form, ask the interpreter).
fn fast_truth(t: &Test, v: Option<&Value>, ctx: &Ctx<'_>) -> Option<T4> {
    use std::cmp::Ordering;
    let b = |x: bool| if x { T4::T } else { T4::F };
    match (&t.op, v) {
        (TestOp::Missing, v) if !matches!(v, Some(Value::Bool(_))) => Some(b(v.is_none())),
        (TestOp::Present, v) if !matches!(v, Some(Value::Bool(_))) => Some(b(v.is_some())),
        (_, Some(Value::List(_))) | (_, Some(Value::Timestamp(_))) => None,
        (TestOp::Cmp(op, Term::Const(c)), Some(x)) => {
            Some(T4::from_tv(crate::semantics::compare_holds(*op, interp::compare(x, c, ctx))))
        }
        (TestOp::In(set), Some(x)) => Some(b(set.iter().any(|s| interp::compare(x, s, ctx) == Some(Ordering::Equal)))),
        (TestOp::Truthy, Some(x)) => Some(b(matches!(x, Value::Bool(true)))),
        (TestOp::Cmp(_, Term::Const(_)) | TestOp::In(_) | TestOp::Truthy, None) => Some(T4::M),
        _ => None,
    }
}

// ───────────── bits ─────────────

/// Sets bit `i`.
pub(crate) fn set_bit(words: &mut [u64], i: usize) {
    if let Some(w) = words.get_mut(i / 64) {
        *w |= 1u64 << (i % 64);
    }
}

/// Whether bit `i` is set.
pub(crate) fn get_bit(words: &[u64], i: usize) -> bool {
    words.get(i / 64).is_some_and(|w| (w >> (i % 64)) & 1 == 1)
}

/// Whether every bit of `a` is in `b`.
pub(crate) fn is_subset(a: &[u64], b: &[u64]) -> bool {
    a.iter().enumerate().all(|(i, x)| x & !b.get(i).copied().unwrap_or(0) == 0)
}

/// Whether no bit is set.
pub(crate) fn is_empty(a: &[u64]) -> bool {
    a.iter().all(|w| *w == 0)
}

/// The set bits, in order.
pub(crate) fn ones(a: &[u64]) -> impl Iterator<Item = usize> + '_ {
    a.iter().enumerate().flat_map(|(i, w)| (0..64).filter(move |b| (w >> b) & 1 == 1).map(move |b| i * 64 + b))
}

/// `a & b`.
pub(crate) fn and(a: &[u64], b: &[u64]) -> Vec<u64> {
    a.iter().enumerate().map(|(i, x)| x & b.get(i).copied().unwrap_or(0)).collect()
}

/// `a | b`.
pub(crate) fn or(a: &[u64], b: &[u64]) -> Vec<u64> {
    a.iter().enumerate().map(|(i, x)| x | b.get(i).copied().unwrap_or(0)).collect()
}

impl CCond {
    /// The atoms it mentions.
    pub(crate) fn atoms(&self, out: &mut Vec<AtomId>) {
        match self {
            CCond::Const(_) => {}
            CCond::All(ps) | CCond::Any(ps) => ps.iter().for_each(|p| p.atoms(out)),
            CCond::Not(p) => p.atoms(out),
            CCond::Atom(a) => out.push(*a),
        }
    }
}

/// Combines truths the way the interpreter's `and` does (a false part settles it).
pub(crate) fn all4(parts: impl IntoIterator<Item = T4>) -> T4 {
    let (mut open, mut missing) = (false, false);
    for p in parts {
        match p {
            T4::F => return T4::F,
            T4::O => open = true,
            T4::M => missing = true,
            T4::T => {}
        }
    }
    if open {
        T4::O
    } else if missing {
        T4::M
    } else {
        T4::T
    }
}

/// Combines truths the way the interpreter's `or` does (a true part settles it).
pub(crate) fn any4(parts: impl IntoIterator<Item = T4>) -> T4 {
    all4(parts.into_iter().map(T4::not)).not()
}

/// Negation.
pub(crate) fn not4(t: T4) -> T4 {
    t.not()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Duration, TimeUnit};
    use jiff::civil::date;

    #[test]
    fn crossing_finds_clamped_month_ends() {
        let six = [(true, Duration::new(6, TimeUnit::Month))];
        // x + 6 months >= 2025-02-28 from 2024-08-28 on; > 2025-02-28 from 2024-09-01 on.
        assert_eq!(crossing(&six, date(2025, 2, 28)), Some((date(2024, 8, 28), date(2024, 9, 1))));
        assert_eq!(crossing(&[], date(2026, 1, 1)), Some((date(2026, 1, 1), date(2026, 1, 2))));
        let back = [(false, Duration::new(12, TimeUnit::Month))];
        assert_eq!(crossing(&back, date(2025, 1, 1)), Some((date(2026, 1, 1), date(2026, 1, 2))));
    }

    #[test]
    fn garden_leave_dates_worth_trying_include_where_the_reduced_end_reaches_the_action() {
        let file = crate::source::SourceFile::new("p.policy", "policy \"P\"\n  jurisdiction UK\n  default allow\n");
        let ast = crate::parser::parse(&file).unwrap_or_else(|e| panic!("{e:?}"));
        let side = SideCtx::new(&crate::lower::lower(&file, &ast), "2026-03-01T00:00:00Z".parse().unwrap());
        let end =
            Term::Shifted(Box::new(Term::fact("actor.departed_on")), vec![(true, Duration::new(1, TimeUnit::Month))]);
        let mine = Term::Reduced(Box::new(end), "actor.garden_leave_from".into(), "actor.departed_on".into());
        let facts = BTreeMap::from([
            ("actor.departed_on".to_string(), Value::Date(date(2026, 1, 1))),
            ("actor.garden_leave_from".to_string(), Value::Date(date(2025, 11, 1))),
        ]);
        // Garden leave from 2025-12-15: 2026-02-01 less 17 days ends on 2026-01-15.
        let first = reduced_points(&mine, "actor.garden_leave_from", &facts, date(2026, 1, 15), &side);
        for d in [
            date(2025, 12, 31),
            date(2026, 1, 1),
            date(2026, 1, 2),
            date(2025, 12, 14),
            date(2025, 12, 15),
            date(2025, 12, 16),
        ] {
            assert!(first.contains(&d), "{d} not in {first:?}");
        }
        let end_then = |g: Date| {
            let mut f = facts.clone();
            f.insert("actor.garden_leave_from".into(), Value::Date(g));
            side.date(&mine, &f)
        };
        assert_eq!(end_then(date(2025, 12, 15)), Some(date(2026, 1, 15)));
        // The second date: a day either side of the first (where days start being taken off).
        let second = reduced_points(&mine, "actor.departed_on", &facts, date(2026, 1, 15), &side);
        assert_eq!(second, vec![date(2025, 10, 31), date(2025, 11, 1), date(2025, 11, 2)]);
        assert!(reduced_points(&mine, "at", &facts, date(2026, 1, 15), &side).is_empty());
        assert!(reduced_points(
            &Term::fact("actor.departed_on"),
            "actor.departed_on",
            &facts,
            date(2026, 1, 15),
            &side
        )
        .is_empty());
    }

    #[test]
    fn intervals_number_like_classes() {
        let points = [5, 10];
        assert_eq!(interval_index(&points, &4), 0);
        assert_eq!(interval_index(&points, &5), 1);
        assert_eq!(interval_index(&points, &9), 1);
        assert_eq!(interval_index(&points, &10), 2);
    }

    #[test]
    fn three_valued_combinations_follow_kleene() {
        assert_eq!(all4([T4::T, T4::M]), T4::M);
        assert_eq!(all4([T4::O, T4::F]), T4::F);
        assert_eq!(any4([T4::M, T4::T]), T4::T);
        assert_eq!(any4([T4::O, T4::M]), T4::O);
        assert_eq!(any4([T4::F, T4::M]), T4::M);
    }
}
