//! The search over the space of [`super::space`]: a decision tree that splits
//! a set of situations only on a test some still-undecided clause needs, and
//! stops where every clause of both policies is decided (a *leaf*: all its
//! situations get the same verdicts) or where the clauses still alive are the
//! same in both policies (nothing below can differ).
//!
//! A state is, per fact, the set of classes still possible, plus concrete
//! values for facts fixed to decide a test relating two facts. Splitting on
//! a one-fact test partitions its fact's classes by the test's truth; on a
//! relation it fixes the next fact to each of its [`Space::candidates`]. The
//! action kind is split first, into every class at once, so the tree is
//! partitioned per action kind and each subtree sees only the clauses that
//! can apply to it.
//!
//! Every leaf is decided by the real evaluator ([`crate::eval::evaluate`]) on
//! a concrete action of the leaf, once per policy. For speed it sees the
//! policy without the clauses the search proved inapplicable at that leaf
//! (their conditions are false there, so the evaluator would skip them too);
//! the witnesses of the report are decided again on the whole policies.

use super::space::{
    all4, and, any4, get_bit, is_empty, is_subset, not4, ones, set_bit, AtomId, AtomKind, CCond, CDefault, CRule, Dim,
    Extent, FactId, Space, T4,
};
use crate::eval::{evaluate, EvalOptions, Verdict};
use crate::policy::{Policy, Term, Test, TestOp};
use crate::source::SourceFile;
use crate::value::Value;
use std::collections::{BTreeMap, HashMap};

/// A set of situations: per fact the classes still possible, and the truth
/// required of tests relating facts.
#[derive(Debug, Clone)]
pub(crate) struct State {
    /// Class bits of every fact, at each fact's offset.
    pub bits: Vec<u64>,
    /// Facts fixed to a concrete value (only in the state of one concrete action).
    pub fixed: Vec<(FactId, Value)>,
    /// Relations between facts and the truth they must have.
    pub rel: Vec<(AtomId, T4)>,
    /// Values of the related facts that satisfy `rel` (absent: `None`), when `rel` is not empty.
    pub model: Vec<(FactId, Option<Value>)>,
}

/// How a clause stands over a set of situations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// It applies.
    Applies,
    /// It needs a missing fact.
    Undecided,
    /// It does not apply (its condition fails or an exception holds).
    Inert,
    /// Not decided yet.
    Open,
}

/// A leaf whose verdicts differ.
#[derive(Debug, Clone)]
pub(crate) struct Changed {
    /// The leaf.
    pub state: State,
    /// The concrete action that was evaluated.
    pub facts: BTreeMap<String, Value>,
    /// The outcomes, old and new, with the clauses that decide (or may co-decide).
    pub outcomes: [(Key, Vec<String>); 2],
    /// The atoms both verdicts rest on.
    pub atoms: Vec<AtomId>,
}

/// What the search found.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// Leaves with a change.
    pub changed: Vec<Changed>,
    /// Nodes visited.
    pub nodes: usize,
    /// Leaves evaluated.
    pub leaves: usize,
    /// The kinds of action whose situations were not all searched (the node budget ran out).
    pub unfinished: Vec<String>,
    /// Subtrees cut because both policies' live clauses were identical.
    pub pruned: usize,
    /// Leaves where a clause could not be decided (an unsupported test).
    pub stuck: usize,
    /// A share test was split on (its weekly totals are sampled).
    pub sampled: bool,
}

struct Node {
    state: State,
    /// The live clauses of the parent and how they stood there.
    statuses: Statuses,
    dlive: [Vec<u32>; 2],
    /// The fact split on to make this node (`None` at the root: everything is new).
    touched: Option<Vec<FactId>>,
    /// The atoms the clauses that died on the way rest on.
    reasons: Vec<AtomId>,
    /// Likewise for section defaults whose scope fails, per version.
    dreasons: [Vec<AtomId>; 2],
}

/// The outcome the report compares: the verdict word, the approvers and the duties.
pub(crate) type Key = (crate::eval::Decision, Vec<String>, Vec<String>);

/// The comparable outcome of a verdict: obligations by their words and deadline.
/// A duty as an outcome's key names it: its words, with its time limit.
pub(crate) fn duty_key(spec: &crate::policy::ObligationSpec) -> String {
    match spec.within {
        Some(w) => format!("{} (within {w})", spec.text),
        None => spec.text.clone(),
    }
}

pub(crate) fn key(policy: &Policy, v: &Verdict) -> Key {
    let mut approvers = v.approvers.clone();
    approvers.sort();
    approvers.dedup();
    let mut duties: Vec<String> = v
        .obligations
        .iter()
        .map(|o| {
            let spec = policy
                .rules
                .iter()
                .find(|r| r.id == o.rule)
                .and_then(|r| r.obligations.iter().find(|s| s.text == o.text));
            match spec {
                Some(spec) => duty_key(spec),
                None => o.text.clone(),
            }
        })
        .collect();
    duties.sort();
    duties.dedup();
    (v.verdict, approvers, duties)
}

impl State {
    /// Every class of every fact.
    pub(crate) fn root(sp: &Space) -> State {
        let mut bits = vec![0u64; sp.words];
        for f in &sp.facts {
            for i in 0..f.classes.len() {
                set_bit(&mut bits, f.offset * 64 + i);
            }
        }
        State { bits, fixed: Vec::new(), rel: Vec::new(), model: Vec::new() }
    }

    /// The class bits of a fact.
    pub(crate) fn sub(&self, sp: &Space, f: FactId) -> &[u64] {
        sp.fact(f).and_then(|fact| self.bits.get(fact.offset..fact.offset + fact.words)).unwrap_or(&[])
    }

    fn set_sub(&mut self, sp: &Space, f: FactId, v: &[u64]) {
        if let Some(fact) = sp.fact(f) {
            if let Some(slot) = self.bits.get_mut(fact.offset..fact.offset + fact.words) {
                for (s, x) in slot.iter_mut().zip(v) {
                    *s = *x;
                }
            }
        }
    }

    /// The value a fact is fixed to.
    pub(crate) fn fixed(&self, f: FactId) -> Option<&Value> {
        self.fixed.iter().find(|(id, _)| *id == f).map(|(_, v)| v)
    }
}

impl Space {
    /// A concrete value for a fact when the state pins it: `Some(None)` for absent.
    pub(crate) fn pinned(&self, f: FactId, st: &State) -> Option<Option<Value>> {
        if let Some(v) = st.fixed(f) {
            return Some(Some(v.clone()));
        }
        let fact = self.fact(f)?;
        let sub = st.sub(self, f);
        let mut it = ones(sub);
        let i = it.next()?;
        if it.next().is_some() {
            return None;
        }
        let class = fact.classes.get(i)?;
        match &class.extent {
            Extent::Absent | Extent::Lacks => Some(None),
            Extent::Int(lo, hi) if lo.is_some() && lo == hi => Some(class.rep.clone()),
            Extent::Date(lo, hi) if lo.is_some() && lo == hi => Some(class.rep.clone()),
            Extent::Int(..) | Extent::Date(..) | Extent::Time(..) => None,
            _ => Some(class.rep.clone()),
        }
    }

    /// The facts pinned by the state, as the evaluator reads them.
    fn pinned_map(&self, facts: &[FactId], st: &State) -> Option<BTreeMap<String, Value>> {
        let mut m = BTreeMap::new();
        for f in facts {
            let fact = self.fact(*f)?;
            if let Some(v) = self.pinned(*f, st)? {
                m.insert(fact.path.clone(), v);
            }
        }
        Some(m)
    }

    /// The truth of an atom over a state.
    pub(crate) fn atom_truth(&self, a: AtomId, st: &State) -> T4 {
        let Some(atom) = self.atoms.get(a) else { return T4::O };
        match atom.kind {
            AtomKind::Single(f) | AtomKind::Member(f) => {
                let sub = st.sub(self, f);
                let Some(t) = &atom.table else { return T4::O };
                if is_empty(sub) {
                    T4::O
                } else if is_subset(sub, &t.t) {
                    T4::T
                } else if is_subset(sub, &t.f) {
                    T4::F
                } else if is_subset(sub, &t.m) {
                    T4::M
                } else {
                    T4::O
                }
            }
            AtomKind::Relational => {
                if let Some((_, t)) = st.rel.iter().find(|(x, _)| *x == a) {
                    return *t;
                }
                match self.pinned_map(&atom.facts, st) {
                    Some(m) => self.sides.get(atom.side).map_or(T4::O, |s| s.truth(&atom.cond, &m)),
                    None => T4::O,
                }
            }
        }
    }

    /// Evaluates a compiled condition, noting the first atom left open.
    pub(crate) fn eval4(&self, c: &CCond, st: &State, open: &mut Option<AtomId>) -> T4 {
        match c {
            CCond::Const(t) => *t,
            CCond::Atom(a) => {
                let t = self.atom_truth(*a, st);
                if t == T4::O && open.is_none() {
                    *open = Some(*a);
                }
                t
            }
            CCond::All(ps) => {
                let mut out = Vec::with_capacity(ps.len());
                for p in ps {
                    let t = self.eval4(p, st, open);
                    if t == T4::F {
                        return T4::F;
                    }
                    out.push(t);
                }
                all4(out)
            }
            CCond::Any(ps) => {
                let mut out = Vec::with_capacity(ps.len());
                for p in ps {
                    let t = self.eval4(p, st, open);
                    if t == T4::T {
                        return T4::T;
                    }
                    out.push(t);
                }
                any4(out)
            }
            CCond::Not(p) => not4(self.eval4(p, st, open)),
        }
    }

    /// How a clause stands, and the first open atom when it is open.
    pub(crate) fn status(&self, r: &CRule, st: &State) -> (Status, Option<AtomId>) {
        let mut open = None;
        let w = self.eval4(&r.when, st, &mut open);
        if w == T4::F {
            return (Status::Inert, None);
        }
        let (mut unless_open, mut unless_missing) = (false, false);
        for u in &r.unless {
            let mut uo = None;
            match self.eval4(u, st, &mut uo) {
                T4::T => return (Status::Inert, None),
                T4::O => {
                    unless_open = true;
                    if open.is_none() {
                        open = uo;
                    }
                }
                T4::M => unless_missing = true,
                T4::F => {}
            }
        }
        if unless_open || w == T4::O {
            (Status::Open, open)
        } else if w == T4::T && !unless_missing {
            (Status::Applies, None)
        } else {
            (Status::Undecided, None)
        }
    }

    /// The truths a condition may still take over a set of situations, as
    /// [`T4::bit`]s (an open test may take any its fact's classes allow).
    fn possible(&self, c: &CCond, st: &State) -> u8 {
        const T: u8 = 1;
        const F: u8 = 2;
        const M: u8 = 4;
        match c {
            CCond::Const(T4::O) => T | F | M,
            CCond::Const(t) => t.bit(),
            CCond::Atom(a) => match self.atom_truth(*a, st) {
                T4::O => self.atom_possible(*a, st),
                t => t.bit(),
            },
            CCond::Not(p) => {
                let x = self.possible(p, st);
                (x & M) | (x & T) << 1 | (x & F) >> 1
            }
            // The interpreter's `and`: true when every part may be, false when one may be,
            // missing when none must be false and one may be missing. `or` is its dual.
            CCond::All(ps) | CCond::Any(ps) => {
                let (settles, other) = if matches!(c, CCond::All(_)) { (F, T) } else { (T, F) };
                let (mut every, mut some, mut unsettled, mut missing) = (true, false, true, false);
                for p in ps {
                    let x = self.possible(p, st);
                    every &= x & other != 0;
                    some |= x & settles != 0;
                    unsettled &= x & (other | M) != 0;
                    missing |= x & M != 0;
                }
                (if every { other } else { 0 })
                    | (if some { settles } else { 0 })
                    | (if unsettled && missing { M } else { 0 })
            }
        }
    }

    /// The truths an open test may still take: those of the classes its fact may still have.
    pub(crate) fn atom_possible(&self, a: AtomId, st: &State) -> u8 {
        let all = T4::T.bit() | T4::F.bit() | T4::M.bit();
        let Some(atom) = self.atoms.get(a) else { return all };
        let (AtomKind::Single(f) | AtomKind::Member(f)) = atom.kind else { return all };
        let Some(t) = &atom.table else { return all };
        let sub = st.sub(self, f);
        let meets = |x: &[u64]| sub.iter().zip(x).any(|(a, b)| a & b != 0);
        [(T4::T, &t.t), (T4::F, &t.f), (T4::M, &t.m)]
            .into_iter()
            .filter(|(_, x)| meets(x))
            .fold(0, |acc, (v, _)| acc | v.bit())
    }

    /// Whether a clause may still apply somewhere in a set of situations: its
    /// condition may hold and every exception may fail. One that may not is at
    /// best undecided (a fact it reads is not given): it attaches no duty and
    /// decides nothing, and only holds a verdict back.
    pub(crate) fn may_apply(&self, r: &CRule, st: &State) -> bool {
        self.possible(&r.when, st) & T4::T.bit() != 0
            && r.unless.iter().all(|u| self.possible(u, st) & T4::F.bit() != 0)
    }

    /// Keeps a state consistent with the data contract: a part that is absent
    /// has no fields, a field that is given needs its part, and a leaver
    /// (`status: departed`) has a `departed_on`. False when no action fits.
    fn propagate(&self, st: &mut State) -> bool {
        for _ in 0..4 {
            let mut changed = false;
            for (pid, fields) in &self.parts {
                let Some(part) = self.fact(*pid) else { continue };
                let absent = part.absent_like();
                let psub = st.sub(self, *pid).to_vec();
                if is_empty(&psub) {
                    return false;
                }
                if is_subset(&psub, &absent) {
                    for f in fields {
                        let Some(fact) = self.fact(*f) else { continue };
                        if st.fixed(*f).is_some() {
                            return false;
                        }
                        let sub = st.sub(self, *f).to_vec();
                        let next = and(&sub, &fact.absent_like());
                        if is_empty(&next) {
                            return false;
                        }
                        if next != sub {
                            st.set_sub(self, *f, &next);
                            changed = true;
                        }
                    }
                } else if !is_empty(&and(&psub, &absent)) {
                    let must = fields.iter().any(|f| {
                        self.fact(*f).is_some_and(|fact| {
                            st.fixed(*f).is_some() || is_empty(&and(st.sub(self, *f), &fact.absent_like()))
                        })
                    });
                    if must {
                        let next: Vec<u64> = psub.iter().zip(&absent).map(|(p, a)| p & !a).collect();
                        st.set_sub(self, *pid, &next);
                        changed = true;
                    }
                }
            }
            // A list is given or not as a whole: its memberships agree on it.
            for list in &self.lists {
                let (mut may_give, mut may_miss) = (true, true);
                for m in &list.members {
                    let Some(fact) = self.fact(*m).filter(|f| f.may_miss()) else { continue };
                    let sub = st.sub(self, *m);
                    let absent = fact.absent_like();
                    may_give &= !is_subset(sub, &absent);
                    may_miss &= !is_empty(&and(sub, &absent));
                }
                if !may_give && !may_miss {
                    return false;
                }
                if may_give && may_miss {
                    continue;
                }
                for m in &list.members {
                    let Some(fact) = self.fact(*m).filter(|f| f.may_miss()) else { continue };
                    let sub = st.sub(self, *m).to_vec();
                    let absent = fact.absent_like();
                    let next: Vec<u64> = if may_miss {
                        and(&sub, &absent)
                    } else {
                        sub.iter().zip(&absent).map(|(p, a)| p & !a).collect()
                    };
                    if is_empty(&next) {
                        return false;
                    }
                    if next != sub {
                        st.set_sub(self, *m, &next);
                        changed = true;
                    }
                }
            }
            if let (Some(sid), Some(did)) = (self.by_path.get("actor.status"), self.by_path.get("actor.departed_on")) {
                let departed = self
                    .fact(*sid)
                    .and_then(|f| f.classes.iter().position(|c| c.extent == Extent::Value("departed".into())));
                if let (Some(dep), Some(dfact)) = (departed, self.fact(*did)) {
                    let ssub = st.sub(self, *sid).to_vec();
                    let dsub = st.sub(self, *did).to_vec();
                    let absent = dfact.absent_like();
                    let only_departed = ones(&ssub).all(|i| i == dep);
                    if only_departed && !is_empty(&and(&dsub, &absent)) {
                        let next: Vec<u64> = dsub.iter().zip(&absent).map(|(p, a)| p & !a).collect();
                        if is_empty(&next) {
                            return false;
                        }
                        st.set_sub(self, *did, &next);
                        changed = true;
                    }
                    let dsub = st.sub(self, *did).to_vec();
                    if is_subset(&dsub, &absent) && get_bit(&ssub, dep) {
                        let mut next = ssub.clone();
                        if let Some(w) = next.get_mut(dep / 64) {
                            *w &= !(1u64 << (dep % 64));
                        }
                        if is_empty(&next) {
                            return false;
                        }
                        st.set_sub(self, *sid, &next);
                        changed = true;
                    }
                }
            }
            // A relation known to hold (or fail) has every fact it names directly.
            for (a, t) in st.rel.clone() {
                if !matches!(t, T4::T | T4::F) {
                    continue;
                }
                let Some(atom) = self.atoms.get(a) else { continue };
                for f in plain_facts(&atom.test) {
                    let Some(id) = self.by_path.get(&f).copied() else { continue };
                    let Some(fact) = self.fact(id) else { continue };
                    let sub = st.sub(self, id).to_vec();
                    let mut next = sub.clone();
                    for (i, c) in fact.classes.iter().enumerate() {
                        if c.extent == Extent::Absent {
                            if let Some(w) = next.get_mut(i / 64) {
                                *w &= !(1u64 << (i % 64));
                            }
                        }
                    }
                    if is_empty(&next) {
                        return false;
                    }
                    if next != sub {
                        st.set_sub(self, id, &next);
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        self.satisfy(st)
    }

    /// Whether the relations the state requires can hold within its classes; keeps
    /// a model (values of the related facts) for the state's witness.
    fn satisfy(&self, st: &mut State) -> bool {
        if st.rel.is_empty() {
            st.model.clear();
            return true;
        }
        let mut facts: Vec<FactId> = Vec::new();
        for (a, _) in &st.rel {
            for f in self.atoms.get(*a).map(|x| x.facts.as_slice()).unwrap_or(&[]) {
                if !facts.contains(f) {
                    facts.push(*f);
                }
            }
        }
        if self.model_fits(st, &facts, &st.model) {
            return true;
        }
        let mut tmp = State { bits: st.bits.clone(), fixed: Vec::new(), rel: Vec::new(), model: Vec::new() };
        let mut assignment = Vec::new();
        let mut budget = 20_000usize;
        if self.search_model(st, &facts, 0, &mut tmp, &mut assignment, &mut budget) {
            st.model = assignment;
            true
        } else {
            if budget == 0 {
                self.exhausted.set(self.exhausted.get() + 1);
            }
            false
        }
    }

    fn model_map(&self, assignment: &[(FactId, Option<Value>)]) -> BTreeMap<String, Value> {
        let mut m = BTreeMap::new();
        for (f, v) in assignment {
            if let (Some(fact), Some(v)) = (self.fact(*f), v) {
                m.insert(fact.path.clone(), v.clone());
            }
        }
        m
    }

    /// Whether the relations hold on an assignment, those whose facts it all gives.
    fn relations_hold(&self, st: &State, assignment: &[(FactId, Option<Value>)]) -> bool {
        let map = self.model_map(assignment);
        st.rel.iter().all(|(a, t)| {
            let Some(atom) = self.atoms.get(*a) else { return true };
            if !atom.facts.iter().all(|f| assignment.iter().any(|(x, _)| x == f)) {
                return true;
            }
            self.sides.get(atom.side).is_some_and(|s| s.truth(&atom.cond, &map) == *t)
        })
    }

    fn model_fits(&self, st: &State, facts: &[FactId], model: &[(FactId, Option<Value>)]) -> bool {
        let complete = facts.iter().all(|f| model.iter().any(|(x, _)| x == f));
        let within = model.iter().all(|(f, v)| {
            self.fact(*f).and_then(|fact| fact.class_of(v.as_ref())).is_some_and(|c| get_bit(st.sub(self, *f), c))
        });
        complete && within && self.relations_hold(st, model)
    }

    #[allow(clippy::too_many_arguments, reason = "a recursive search carries its state")]
    fn search_model(
        &self,
        st: &State,
        facts: &[FactId],
        i: usize,
        tmp: &mut State,
        assignment: &mut Vec<(FactId, Option<Value>)>,
        budget: &mut usize,
    ) -> bool {
        let mut map = self.model_map(assignment);
        self.search_model_in(st, facts, i, tmp, assignment, &mut map, budget)
    }

    #[allow(clippy::too_many_arguments, reason = "a recursive search carries its state")]
    fn search_model_in(
        &self,
        st: &State,
        facts: &[FactId],
        i: usize,
        tmp: &mut State,
        assignment: &mut Vec<(FactId, Option<Value>)>,
        map: &mut BTreeMap<String, Value>,
        budget: &mut usize,
    ) -> bool {
        let Some(&f) = facts.get(i) else { return true };
        let Some(fact) = self.fact(f) else { return false };
        let related: Vec<AtomId> = st.rel.iter().map(|(a, _)| *a).collect();
        // The relations this fact completes: checked as soon as it is assigned.
        let assigned = |x: &FactId| *x == f || assignment.iter().any(|(y, _)| y == x);
        let due: Vec<(AtomId, T4)> = st
            .rel
            .iter()
            .filter(|(a, _)| {
                self.atoms.get(*a).is_some_and(|atom| atom.facts.contains(&f) && atom.facts.iter().all(assigned))
            })
            .copied()
            .collect();
        for v in self.candidates_for(f, tmp, Some(&related)) {
            if *budget == 0 {
                return false;
            }
            *budget -= 1;
            let Some(class) = fact.class_of(v.as_ref()) else { continue };
            if !get_bit(st.sub(self, f), class) {
                continue;
            }
            if let Some(v) = &v {
                map.insert(fact.path.clone(), v.clone());
            }
            let holds = due.iter().all(|(a, t)| {
                self.atoms
                    .get(*a)
                    .is_some_and(|atom| self.sides.get(atom.side).is_some_and(|side| side.truth(&atom.cond, map) == *t))
            });
            if holds {
                let saved = tmp.sub(self, f).to_vec();
                let mut bits = vec![0u64; fact.words];
                set_bit(&mut bits, class);
                tmp.set_sub(self, f, &bits);
                if let Some(v) = &v {
                    tmp.fixed.push((f, v.clone()));
                }
                assignment.push((f, v.clone()));
                if self.search_model_in(st, facts, i + 1, tmp, assignment, map, budget) {
                    return true;
                }
                assignment.pop();
                tmp.fixed.retain(|(x, _)| *x != f);
                tmp.set_sub(self, f, &saved);
            }
            map.remove(&fact.path);
        }
        false
    }

    /// Concrete values worth trying for a fact that a relation needs fixed:
    /// one per class still possible, and the points where each relation
    /// touching the fact changes truth, given the other side's fixed value
    /// (or each class of it, when it is not fixed yet); only the relations in
    /// `only` when given.
    fn candidates_for(&self, f: FactId, st: &State, only: Option<&[AtomId]>) -> Vec<Option<Value>> {
        let Some(fact) = self.fact(f) else { return vec![] };
        let sub = st.sub(self, f).to_vec();
        let mut out: Vec<Option<Value>> = Vec::new();
        for i in ones(&sub) {
            if let Some(c) = fact.classes.get(i) {
                out.push(c.rep.clone());
            }
        }
        let mut extra: Vec<Value> = Vec::new();
        for a in self.rel_by_fact.get(f).map(Vec::as_slice).unwrap_or(&[]) {
            if only.is_some_and(|o| !o.contains(a)) {
                continue;
            }
            let Some(atom) = self.atoms.get(*a) else { continue };
            let Some(side) = self.sides.get(atom.side) else { continue };
            let others: Vec<FactId> = atom.facts.iter().copied().filter(|o| *o != f).collect();
            // The other side's facts: fixed ones as they are; each open one tried class by class.
            let mut maps: Vec<BTreeMap<String, Value>> = Vec::new();
            let mut base = BTreeMap::new();
            let mut open: Vec<FactId> = Vec::new();
            for o in &others {
                match (self.pinned(*o, st), self.fact(*o)) {
                    (Some(Some(v)), Some(of)) => {
                        base.insert(of.path.clone(), v);
                    }
                    (Some(None), _) => {}
                    _ => open.push(*o),
                }
            }
            if open.is_empty() {
                maps.push(base.clone());
            }
            for o in &open {
                let Some(of) = self.fact(*o) else { continue };
                for i in ones(st.sub(self, *o)) {
                    if let Some(Some(rep)) = of.classes.get(i).map(|c| c.rep.clone()) {
                        let mut m = base.clone();
                        m.insert(of.path.clone(), rep);
                        maps.push(m);
                    }
                }
            }
            maps.truncate(256);
            if super::space::reads_at_part(&atom.test) {
                // The weekday and time of day of the action: a week of times from each class still possible.
                let clock = self.rel_by_fact.get(f).into_iter().flatten().filter_map(|a| self.atoms.get(*a));
                let tests: Vec<&Test> = clock.map(|a| &a.test).filter(|t| super::space::reads_at_part(t)).collect();
                for i in ones(&sub) {
                    let Some(Extent::Time(lo, hi)) = fact.classes.get(i).map(|c| &c.extent) else { continue };
                    let first = match (lo, hi) {
                        (Some(l), _) => Some(l.to_zoned(side.tz.clone()).date()),
                        (None, Some(h)) => {
                            h.to_zoned(side.tz.clone()).date().checked_sub(jiff::Span::new().days(7)).ok()
                        }
                        (None, None) => Some(self.anchor),
                    };
                    let Some(first) = first else { continue };
                    let times = super::space::clock_candidates(first, tests.iter().copied(), side);
                    extra.extend(times.into_iter().map(Value::Timestamp));
                }
                continue;
            }
            match &atom.test.op {
                TestOp::Cmp(_, rhs) => {
                    let in_lhs = super::space::term_facts(&atom.test.lhs).contains(&fact.path);
                    let (mine, other) = if in_lhs { (&atom.test.lhs, rhs) } else { (rhs, &atom.test.lhs) };
                    // Through a garden-leave reduction, the shifts of the end it reduces.
                    let shifts = match mine {
                        Term::Reduced(b, ..) => super::space::term_shifts(b),
                        _ => super::space::term_shifts(mine),
                    };
                    for m in &maps {
                        match fact.dim {
                            Dim::Date { .. } | Dim::Time { .. } => {
                                let Some(d) = side.date(other, m) else { continue };
                                let reduced = super::space::reduced_points(mine, &fact.path, m, d, side);
                                let crossed = super::space::crossing(&shifts, d)
                                    .map(|(ge, gt)| [ge.yesterday().ok(), Some(ge), Some(gt)])
                                    .unwrap_or_default();
                                for x in crossed.into_iter().flatten().chain(reduced) {
                                    match fact.dim {
                                        Dim::Time { .. } => extra.extend(side.noon(x).map(Value::Timestamp)),
                                        _ => extra.push(Value::Date(x)),
                                    }
                                }
                            }
                            Dim::Int { percent, .. } => {
                                let v = match other {
                                    Term::Const(Value::Int(v) | Value::Percent(v)) => Some(*v),
                                    Term::Fact(p) => match m.get(p) {
                                        Some(Value::Int(v) | Value::Percent(v)) => Some(*v),
                                        _ => None,
                                    },
                                    _ => None,
                                };
                                if let Some(v) = v {
                                    for x in [v.saturating_sub(1), v, v.saturating_add(1)] {
                                        extra.push(if percent { Value::Percent(x) } else { Value::Int(x) });
                                    }
                                }
                            }
                            _ => {
                                if let Term::Fact(p) = other {
                                    extra.extend(m.get(p).cloned());
                                }
                            }
                        }
                    }
                }
                TestOp::ShareAbove { whole, percent } => {
                    let p = i64::from(*percent);
                    let is_whole = &fact.path == whole;
                    let other_path = if is_whole {
                        match &atom.test.lhs {
                            Term::Fact(x) => x.clone(),
                            _ => continue,
                        }
                    } else {
                        whole.clone()
                    };
                    for m in &maps {
                        let Some(Value::Int(o)) = m.get(&other_path) else { continue };
                        let o = *o;
                        if is_whole {
                            // above ⇔ 100·(part+1) > p·(whole+1): the first whole that is not above.
                            if p > 0 {
                                let w = (100 * (o + 1) + p - 1) / p - 1;
                                extra.extend([w - 1, w, w + 1].into_iter().filter(|x| *x >= 0).map(Value::Int));
                            }
                        } else {
                            let t = p * (o + 1) / 100;
                            extra.extend([t - 1, t, t + 1].into_iter().filter(|x| *x >= 0).map(Value::Int));
                        }
                    }
                    if is_whole {
                        // Sampled, not exhaustive: the share boundary moves with the whole count.
                        extra.extend([9, 99].map(Value::Int));
                    }
                }
                _ => {}
            }
        }
        for v in extra {
            if fact.class_of(Some(&v)).is_some_and(|c| get_bit(&sub, c)) {
                out.push(Some(v));
            }
        }
        let mut seen = Vec::new();
        out.retain(|v| {
            if seen.contains(v) {
                false
            } else {
                seen.push(v.clone());
                true
            }
        });
        out
    }

    /// The children of a state split on an open atom.
    fn split(&self, a: AtomId, st: &State) -> (Vec<FactId>, Vec<State>) {
        let Some(atom) = self.atoms.get(a) else { return (vec![], vec![]) };
        match atom.kind {
            AtomKind::Single(f) | AtomKind::Member(f) => {
                let sub = st.sub(self, f).to_vec();
                let whole = self.fact(f).is_some_and(|fact| fact.path == "action");
                let parts: Vec<Vec<u64>> = if whole {
                    ones(&sub)
                        .map(|i| {
                            let mut v = vec![0u64; sub.len()];
                            set_bit(&mut v, i);
                            v
                        })
                        .collect()
                } else {
                    let Some(t) = &atom.table else { return (vec![], vec![]) };
                    vec![and(&sub, &t.t), and(&sub, &t.f), and(&sub, &t.m)]
                };
                let children = parts
                    .into_iter()
                    .filter(|p| !is_empty(p))
                    .map(|p| {
                        let mut s = st.clone();
                        s.set_sub(self, f, &p);
                        s
                    })
                    .collect();
                (vec![f], children)
            }
            AtomKind::Relational => {
                // Split on the relation's truth; `propagate` keeps only feasible children.
                let may_miss = atom
                    .facts
                    .iter()
                    .any(|f| self.fact(*f).is_some_and(|fact| !is_empty(&and(st.sub(self, *f), &fact.absent_like()))));
                let truths: &[T4] = if may_miss { &[T4::T, T4::F, T4::M] } else { &[T4::T, T4::F] };
                let children = truths
                    .iter()
                    .map(|t| {
                        let mut s = st.clone();
                        s.rel.push((a, *t));
                        s
                    })
                    .collect();
                (atom.facts.clone(), children)
            }
        }
    }

    /// A concrete action of the state: fixed values, else "not given" where
    /// possible, else the first class's representative.
    pub(crate) fn leaf_facts(&self, st: &State) -> BTreeMap<String, Value> {
        let mut m = BTreeMap::new();
        for (id, fact) in self.facts.iter().enumerate() {
            if matches!(fact.dim, Dim::Member { .. } | Dim::Part) {
                continue;
            }
            if let Some(v) = st.fixed(id) {
                m.insert(fact.path.clone(), v.clone());
                continue;
            }
            if let Some((_, v)) = st.model.iter().find(|(f, _)| *f == id) {
                if let Some(v) = v {
                    m.insert(fact.path.clone(), v.clone());
                }
                continue;
            }
            let sub = st.sub(self, id);
            let absent = fact.absent_like();
            if !fact.required && !is_empty(&and(sub, &absent)) {
                continue;
            }
            if let Some(Some(rep)) = ones(sub).next().and_then(|i| fact.classes.get(i)).map(|c| c.rep.clone()) {
                m.insert(fact.path.clone(), rep);
            }
        }
        // A leaver needs a termination date; when the relations need it absent, someone else acts.
        let departed_absent =
            self.by_path.get("actor.departed_on").is_some_and(|d| st.model.iter().any(|(f, v)| f == d && v.is_none()));
        if departed_absent && m.get("actor.status") == Some(&Value::Symbol("departed".into())) {
            if let Some(sid) = self.by_path.get("actor.status") {
                let other = self.fact(*sid).and_then(|fact| {
                    ones(st.sub(self, *sid))
                        .filter_map(|i| fact.classes.get(i))
                        .find(|c| c.extent != Extent::Value("departed".into()))
                        .and_then(|c| c.rep.clone())
                });
                if let Some(o) = other {
                    m.insert("actor.status".into(), o);
                }
            }
        }
        if m.get("actor.status") == Some(&Value::Symbol("departed".into())) && !m.contains_key("actor.departed_on") {
            let rep = self.by_path.get("actor.departed_on").and_then(|d| {
                let fact = self.fact(*d)?;
                ones(st.sub(self, *d)).filter_map(|i| fact.classes.get(i)).find_map(|c| c.rep.clone())
            });
            m.insert("actor.departed_on".into(), rep.unwrap_or(Value::Date(self.anchor)));
        }
        for list in &self.lists {
            let mut items: Vec<String> = Vec::new();
            for mid in &list.members {
                let Some(fact) = self.fact(*mid) else { continue };
                let sub = st.sub(self, *mid);
                let has_only = ones(sub).all(|i| fact.classes.get(i).is_some_and(|c| c.extent == Extent::Has));
                if has_only && !is_empty(sub) {
                    if let Dim::Member { value, .. } = &fact.dim {
                        match value {
                            Some(v) => items.push(v.clone()),
                            None => items.extend(self.list_other(&list.path)),
                        }
                    }
                }
            }
            // A list that may be not given is left out where it can be, else given (even empty).
            let may_miss = list
                .members
                .iter()
                .filter_map(|id| self.fact(*id).map(|f| (id, f)))
                .any(|(id, f)| f.may_miss() && !is_empty(&and(st.sub(self, *id), &f.absent_like())));
            let never_missing = list.members.iter().all(|id| self.fact(*id).is_none_or(|f| !f.may_miss()));
            if !items.is_empty() || (!may_miss && !never_missing) {
                m.insert(list.path.clone(), Value::List(items));
            }
        }
        for (pid, _) in &self.parts {
            let Some(part) = self.fact(*pid) else { continue };
            let present_only = is_empty(&and(st.sub(self, *pid), &part.absent_like()));
            let prefix = format!("{}.", part.path);
            if present_only && !m.keys().any(|k| k.starts_with(&prefix)) {
                m.insert(part.path.clone(), Value::Bool(true));
            }
        }
        m
    }

    /// A real value of a list that no policy mentions.
    pub(crate) fn list_other(&self, list: &str) -> Option<String> {
        self.list_others.get(list).cloned()
    }
}

/// A concrete point as a state: every fact pinned to the class (and value) it has there.
impl Space {
    fn point_state(&self, st: &State, facts: &BTreeMap<String, Value>) -> State {
        let mut p = st.clone();
        p.fixed.clear();
        for (id, fact) in self.facts.iter().enumerate() {
            let class = match &fact.dim {
                Dim::Part => {
                    let prefix = format!("{}.", fact.path);
                    let present = facts.contains_key(&fact.path) || facts.keys().any(|k| k.starts_with(&prefix));
                    fact.classes.iter().position(|c| (c.extent == Extent::Present) == present)
                }
                Dim::Member { list, value } => match facts.get(list) {
                    None if fact.may_miss() => fact.classes.iter().position(|c| c.extent == Extent::Absent),
                    given => {
                        let items: &[String] = match given {
                            Some(Value::List(items)) => items,
                            _ => &[],
                        };
                        let mentioned = self.lists_values(list);
                        let has = match value {
                            Some(v) => items.contains(v),
                            None => items.iter().any(|i| !mentioned.contains(i)),
                        };
                        fact.classes.iter().position(|c| c.extent == if has { Extent::Has } else { Extent::Lacks })
                    }
                },
                _ => {
                    let v = facts.get(&fact.path);
                    if let (Some(v), Dim::Int { .. } | Dim::Date { .. } | Dim::Time { .. }) = (v, &fact.dim) {
                        p.fixed.push((id, v.clone()));
                    }
                    fact.class_of(v)
                }
            };
            if let Some(c) = class {
                let mut bits = vec![0u64; fact.words];
                set_bit(&mut bits, c);
                p.set_sub(self, id, &bits);
            }
        }
        p
    }
}

/// Runs the search.
pub(crate) fn search(
    sp: &Space,
    policies: [&Policy; 2],
    opts: &EvalOptions,
    work: &crate::work::Work,
    max_nodes: Option<usize>,
) -> Found {
    let mut found = Found::default();
    let empty = SourceFile::new("", "");
    let mut cache: HashMap<(usize, Vec<u32>), Policy> = HashMap::new();
    // Each version without its clauses: a leaf's policy is this plus the clauses live there.
    let skeletons = policies.map(|p| Policy {
        meta: p.meta.clone(),
        decls: p.decls.clone(),
        rules: Vec::new(),
        defaults: p.defaults.clone(),
        ownership: p.ownership.clone(),
        covenants: p.covenants.clone(),
        departure: p.departure.clone(),
        terms: p.terms.clone(),
    });
    let all = |side: usize| -> Vec<(u32, Status, Option<AtomId>)> {
        (0..sp.rules.get(side).map_or(0, Vec::len) as u32).map(|i| (i, Status::Open, None)).collect()
    };
    let alld = |side: usize| -> Vec<u32> { (0..sp.defaults.get(side).map_or(0, Vec::len) as u32).collect() };
    let root = Node {
        state: State::root(sp),
        statuses: [all(0), all(1)],
        dlive: [alld(0), alld(1)],
        touched: None,
        reasons: Vec::new(),
        dreasons: [Vec::new(), Vec::new()],
    };
    let mut stack = vec![root];
    let mut budget = Budget::new(sp);
    while let Some(mut node) = stack.pop() {
        // The caller gave up (a time budget): stop; the caller discards what was found.
        if work.cancelled() {
            break;
        }
        if let Some(m) = max_nodes {
            // Its budget spent: what is left on the stack was not searched, and the kinds
            // of action it holds are named as unfinished.
            if found.nodes >= m {
                budget.drop(&node.state);
                stack.iter().for_each(|n| budget.drop(&n.state));
                break;
            }
            // Each kind of action gets its share of what is left, so one kind whose search
            // is deep does not leave the others unsearched.
            if budget.over(&node.state, &stack, found.nodes, m) {
                budget.drop(&node.state);
                let kind = budget.kind(&node.state);
                while let Some(n) = stack.pop_if(|n| budget.kind(&n.state) == kind) {
                    budget.drop(&n.state);
                }
                continue;
            }
        }
        found.nodes += 1;
        work.step();
        let before = node.state.bits.clone();
        if !sp.propagate(&mut node.state) {
            continue;
        }
        // The facts whose classes changed here: only clauses reading them can change status.
        let touched: Option<Vec<FactId>> = node.touched.take().map(|mut t| {
            for (id, f) in sp.facts.iter().enumerate() {
                if before.get(f.offset..f.offset + f.words) != node.state.bits.get(f.offset..f.offset + f.words) {
                    t.push(id);
                }
            }
            t
        });
        let st = &node.state;
        let mut reasons = std::mem::take(&mut node.reasons);
        let mut statuses: Statuses = [Vec::new(), Vec::new()];
        for (side, out) in statuses.iter_mut().enumerate() {
            let rules = sp.rules.get(side).map(Vec::as_slice).unwrap_or(&[]);
            for (ri, old, old_open) in node.statuses.get(side).map(Vec::as_slice).unwrap_or(&[]) {
                let Some(r) = rules.get(*ri as usize) else { continue };
                let stale =
                    *old == Status::Open && touched.as_ref().is_none_or(|t| r.facts.iter().any(|f| t.contains(f)));
                let (s, open) = if stale { sp.status(r, st) } else { (*old, *old_open) };
                if s == Status::Inert {
                    // Why it no longer applies holds everywhere below.
                    sp.rule_reason(r, st, &mut reasons);
                    continue;
                }
                out.push((*ri, s, open));
            }
        }
        let mut dreasons = std::mem::take(&mut node.dreasons);
        let mut dstat: [Vec<(u32, T4, Option<AtomId>)>; 2] = [Vec::new(), Vec::new()];
        for (side, out) in dstat.iter_mut().enumerate() {
            let defaults = sp.defaults.get(side).map(Vec::as_slice).unwrap_or(&[]);
            for di in node.dlive.get(side).map(Vec::as_slice).unwrap_or(&[]) {
                let Some(d) = defaults.get(*di as usize) else { continue };
                let mut open = None;
                let t = sp.eval4(&d.scope, st, &mut open);
                // A scope that cannot be decided (M) stays: a stricter default then holds the
                // verdict back, as the evaluator's combining rule says.
                if matches!(t, T4::T | T4::O | T4::M) {
                    out.push((*di, t, open));
                } else if let Some(dr) = dreasons.get_mut(side) {
                    sp.reason(&d.scope, st, dr);
                }
            }
        }
        if sp.can_prune && twins(sp, st, &statuses, &dstat) {
            found.pruned += 1;
            continue;
        }
        let differing = differing(sp, &statuses);
        let [d0, d1] = &dstat;
        let analyses = [analyse(sp, st, 0, &statuses, d0), analyse(sp, st, 1, &statuses, d1)];
        if sp.can_prune {
            let [a0, a1] = &analyses;
            let named = a0.live.iter().chain(&a1.live).any(|(_, r, _, _)| !r.overrides.is_empty());
            let words = |a: &Analysis<'_>| -> (Vec<String>, Vec<String>) {
                let mut d: Vec<String> = a.duties.iter().map(|x| x.to_string()).collect();
                d.sort();
                d.dedup();
                let mut p: Vec<String> = a.approvers.iter().map(|x| x.to_string()).collect();
                p.sort();
                p.dedup();
                (d, if a.m == Some(1) { p } else { vec![] })
            };
            let same_words = named || a0.strict || a1.strict || words(a0) == words(a1);
            if same_words && key_signature(sp, st, a0, 0, d0, named) == key_signature(sp, st, a1, 1, d1, named) {
                found.pruned += 1;
                continue;
            }
        }
        // Split on what can still change a verdict, clauses that differ between the versions first.
        let mut wanted: Vec<(AtomId, bool)> = Vec::new();
        for (side, an) in analyses.iter().enumerate() {
            let d = dstat.get(side).map(Vec::as_slice).unwrap_or(&[]);
            wanted.extend(needs_key(sp, (side, st), an, d, differing.get(side).map(Vec::as_slice).unwrap_or(&[])));
        }
        let key_split = wanted.iter().find(|(_, d)| *d).or(wanted.first()).map(|(a, _)| *a);
        let dlive = dstat.clone().map(|s| s.into_iter().map(|(i, _, _)| i).collect::<Vec<_>>());
        let push_children = |a: AtomId, stack: &mut Vec<Node>, found: &mut Found| -> bool {
            if sp.atoms.get(a).is_some_and(|x| matches!(x.test.op, TestOp::ShareAbove { .. })) {
                found.sampled = true;
            }
            let (fact, children) = sp.split(a, st);
            if children.is_empty() {
                found.stuck += 1;
                return false;
            }
            for c in children.into_iter().rev() {
                stack.push(Node {
                    state: c,
                    statuses: statuses.clone(),
                    dlive: dlive.clone(),
                    touched: Some(fact.clone()),
                    reasons: reasons.clone(),
                    dreasons: dreasons.clone(),
                });
            }
            true
        };
        if let Some(a) = key_split {
            if push_children(a, &mut stack, &mut found) {
                continue;
            }
        }
        // Both verdicts are settled here: decide one action of it, in each policy, with
        // the clauses that apply (or cannot be decided) at that action.
        found.leaves += 1;
        let facts = sp.leaf_facts(st);
        let point = sp.point_state(st, &facts);
        let mut verdicts = Vec::with_capacity(2);
        for (side, policy) in policies.iter().enumerate() {
            let rules = sp.rules.get(side).map(Vec::as_slice).unwrap_or(&[]);
            let keep: Vec<u32> = statuses
                .get(side)
                .map(|s| {
                    s.iter()
                        .filter_map(|(ri, status, _)| {
                            let r = rules.get(*ri as usize)?;
                            let at_point = if *status == Status::Open { sp.status(r, &point).0 } else { *status };
                            (at_point != Status::Inert).then_some(r.index as u32)
                        })
                        .collect()
                })
                .unwrap_or_default();
            let sub = cache.entry((side, keep.clone())).or_insert_with(|| {
                let mut p = skeletons.get(side).cloned().unwrap_or_else(|| (*policy).clone());
                p.rules = keep.iter().filter_map(|i| policy.rules.get(*i as usize).cloned()).collect();
                p
            });
            verdicts.push(evaluate(sub, &empty, &facts, opts));
        }
        let [old_policy, new_policy] = policies;
        let same = match (verdicts.first(), verdicts.get(1)) {
            (Some(o), Some(n)) => key(old_policy, o) == key(new_policy, n),
            _ => true,
        };
        if same {
            continue;
        }
        // A change. Clauses left open that rank with the deciders may co-decide
        // somewhere in the leaf: they are reported with the deciding clauses.
        let co: Vec<Vec<String>> = analyses
            .iter()
            .zip([d0, d1])
            .enumerate()
            .map(|(side, (an, d))| {
                let open = if an.m.is_some() { needs_deciding(an, d) } else { vec![] };
                let mut ids: Vec<String> = an
                    .live
                    .iter()
                    .filter(|(_, _, s, x)| *s == Status::Open && x.is_some_and(|x| open.contains(&x)))
                    .map(|(_, r, _, _)| r.id.clone())
                    .collect();
                if an.m.is_none() {
                    // No clause decides here for sure: an open clause may apply and decide
                    // (unless an undecided one holds the verdict), a default may decide, and an
                    // undecided clause outranking what decides holds the verdict.
                    let defaults = sp.defaults.get(side).map(Vec::as_slice).unwrap_or(&[]);
                    let live_defaults: Vec<&CDefault> =
                        d.iter().filter_map(|(i, _, _)| defaults.get(*i as usize)).collect();
                    // A default requiring approval that the approval on file may meet counts as allow.
                    let approved = |rank: Option<u8>, approval: Option<AtomId>| {
                        rank.map(|r| if approval.is_some_and(|a| sp.atom_truth(a, st) != T4::F) { 0 } else { r })
                    };
                    let policy_default = approved(
                        sp.default_rank.get(side).copied().flatten(),
                        sp.default_approval.get(side).copied().flatten(),
                    );
                    let floor = live_defaults
                        .iter()
                        .filter_map(|x| approved(x.rank, x.approval))
                        .chain(policy_default)
                        .chain(
                            an.live
                                .iter()
                                .filter(|(_, r, s, _)| *s == Status::Open && r.counts)
                                .filter_map(|(_, r, _, _)| r.rank),
                        )
                        .min();
                    let held = an.u.is_some_and(|u| an.default_max.is_none_or(|x| x < u));
                    let above = |r: &CRule| match (r.rank, floor) {
                        (Some(x), Some(f)) => x > f,
                        _ => true,
                    };
                    ids.extend(
                        an.live
                            .iter()
                            .filter(|(_, r, s, _)| {
                                r.counts
                                    && match s {
                                        Status::Open => !held || above(r),
                                        Status::Undecided => above(r),
                                        _ => false,
                                    }
                            })
                            .map(|(_, r, _, _)| r.id.clone()),
                    );
                    if !held {
                        ids.extend(live_defaults.iter().map(|x| x.id.clone()));
                    }
                }
                ids
            })
            .collect();
        let (Some(new), Some(old)) = (verdicts.pop(), verdicts.pop()) else { continue };
        // What the leaf's verdicts rest on: why the dead clauses are dead, what the
        // applying and undecided ones test, approvals and, without a decider, the defaults.
        for (side, stat) in statuses.iter().enumerate() {
            let rules = sp.rules.get(side).map(Vec::as_slice).unwrap_or(&[]);
            let live: Vec<(&CRule, Status)> =
                stat.iter().filter_map(|(i, s, _)| rules.get(*i as usize).map(|r| (r, *s))).collect();
            for (r, s) in &live {
                if matches!(s, Status::Applies | Status::Undecided) {
                    sp.rule_reason(r, st, &mut reasons);
                }
                // One that can no longer apply was not split on: the verdicts rest on that.
                if *s == Status::Open && !sp.may_apply(r, st) {
                    r.when.atoms(&mut reasons);
                    r.unless.iter().for_each(|u| u.atoms(&mut reasons));
                }
                if *s == Status::Applies {
                    reasons.extend(r.duty_done.iter().flatten());
                }
            }
            let over = overridden(&live);
            let mut decider = false;
            for (r, s) in &live {
                if *s == Status::Applies && r.counts && !over.contains(&r.id.as_str()) {
                    decider = true;
                    reasons.extend(r.approval);
                }
            }
            if !decider {
                reasons.extend(dreasons.get(side).into_iter().flatten().copied());
                let defaults = sp.defaults.get(side).map(Vec::as_slice).unwrap_or(&[]);
                for (di, _, _) in dstat.get(side).into_iter().flatten() {
                    if let Some(d) = defaults.get(*di as usize) {
                        sp.reason(&d.scope, st, &mut reasons);
                        // A default requiring approval decides by whether the approval on file meets it.
                        reasons.extend(d.approval);
                    }
                }
                reasons.extend(sp.default_approval.get(side).copied().flatten());
            }
        }
        reasons.sort_unstable();
        reasons.dedup();
        // An empty deciding list means the policy default decided: kept as "" so it is not
        // lost among the clauses that may co-decide elsewhere in the leaf.
        let deciding = |v: Verdict| {
            if v.deciding.is_empty() && v.verdict != crate::eval::Decision::Indeterminate {
                vec![String::new()]
            } else {
                v.deciding
            }
        };
        let mut outcomes = [(key(old_policy, &old), deciding(old)), (key(new_policy, &new), deciding(new))];
        for ((_, deciding), extra) in outcomes.iter_mut().zip(co) {
            for id in extra {
                if !deciding.contains(&id) {
                    deciding.push(id);
                }
            }
        }
        found.changed.push(Changed { state: node.state.clone(), facts, outcomes, atoms: reasons });
    }
    found.unfinished = budget.unfinished();
    found
}

/// The search's budget of nodes, shared out among the kinds of action, and
/// what it left unsearched.
struct Budget<'a> {
    /// The `action` fact.
    action: Option<&'a super::space::Fact>,
    /// The kind whose subtree is being searched, and the node count where its share ends.
    current: Option<(usize, usize)>,
    /// Per class of `action`: some of its situations were left unsearched.
    dropped: Vec<bool>,
}

impl<'a> Budget<'a> {
    fn new(sp: &'a Space) -> Budget<'a> {
        let action = sp.by_path.get("action").and_then(|id| sp.facts.get(*id));
        Budget { action, current: None, dropped: vec![false; action.map_or(0, |f| f.classes.len())] }
    }

    fn bits<'s>(&self, st: &'s State) -> &'s [u64] {
        self.action.and_then(|f| st.bits.get(f.offset..f.offset + f.words)).unwrap_or(&[])
    }

    /// The one kind of action a set of situations holds, once the search has split on it.
    fn kind(&self, st: &State) -> Option<usize> {
        let mut one = ones(self.bits(st));
        let first = one.next();
        one.next().is_none().then_some(first).flatten()
    }

    /// Whether this node's kind of action has used its share of the nodes left.
    fn over(&mut self, st: &State, stack: &[Node], used: usize, max: usize) -> bool {
        let Some(k) = self.kind(st) else { return false };
        let end = match self.current {
            Some((c, end)) if c == k => end,
            // A kind's subtree starts: its share is what is left over the kinds still to search.
            _ => {
                let mut waiting: Vec<usize> =
                    stack.iter().filter_map(|n| self.kind(&n.state)).filter(|x| *x != k).collect();
                waiting.sort_unstable();
                waiting.dedup();
                let end = used + max.saturating_sub(used) / (waiting.len() + 1);
                self.current = Some((k, end));
                end
            }
        };
        used >= end
    }

    /// Left unsearched.
    fn drop(&mut self, st: &State) {
        for i in ones(self.bits(st)) {
            if let Some(d) = self.dropped.get_mut(i) {
                *d = true;
            }
        }
    }

    /// The kinds of action left unsearched, in the space's order.
    fn unfinished(&self) -> Vec<String> {
        let Some(f) = self.action else { return Vec::new() };
        f.classes
            .iter()
            .zip(&self.dropped)
            .filter(|(_, d)| **d)
            .map(|(c, _)| match &c.extent {
                Extent::Value(v) => v.clone(),
                Extent::Absent => "(no action)".to_string(),
                _ => "other actions".to_string(),
            })
            .collect()
    }
}

/// The facts a test names directly (not as one of several alternatives): a
/// comparison that holds or fails has all of them.
fn plain_facts(t: &crate::policy::Test) -> Vec<String> {
    fn term(t: &Term, out: &mut Vec<String>) {
        match t {
            Term::Fact(p) => out.push(p.clone()),
            // Days taken off only when garden leave is given: not a fact the test must have.
            Term::Shifted(b, _) | Term::Reduced(b, ..) => term(b, out),
            Term::Const(_) | Term::FirstOf(_) => {}
        }
    }
    let mut out = Vec::new();
    match &t.op {
        TestOp::Cmp(_, rhs) | TestOp::Has(rhs) => {
            term(&t.lhs, &mut out);
            term(rhs, &mut out);
        }
        TestOp::ShareAbove { whole, .. } => {
            term(&t.lhs, &mut out);
            out.push(whole.clone());
        }
        _ => {}
    }
    out
}

type Statuses = [Vec<(u32, Status, Option<AtomId>)>; 2];

/// The live clauses one version has and the other does not (by fingerprint,
/// or by signature once known to apply).
fn differing(sp: &Space, statuses: &Statuses) -> [Vec<u32>; 2] {
    let sigs = |side: usize| -> Vec<((u8, u32), u32)> {
        statuses
            .get(side)
            .map(|s| {
                s.iter()
                    .filter_map(|(i, status, _)| {
                        let r = sp.rules.get(side)?.get(*i as usize)?;
                        let sig = match status {
                            Status::Applies | Status::Undecided => (1, r.sig),
                            _ => (0, r.fp),
                        };
                        Some((sig, *i))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let (a, b) = (sigs(0), sigs(1));
    let only = |x: &[((u8, u32), u32)], y: &[((u8, u32), u32)]| -> Vec<u32> {
        x.iter().filter(|(sig, _)| !y.iter().any(|(g, _)| g == sig)).map(|(_, i)| *i).collect()
    };
    [only(&a, &b), only(&b, &a)]
}

/// Whether both policies have the same live clauses and defaults (then the
/// evaluator gives the same verdict on every situation below): clauses still
/// open must be identical; clauses known to apply (or to be undecided) need
/// only the same id, outcome, duties and overrides.
fn twins(sp: &Space, st: &State, statuses: &Statuses, dstat: &[Vec<(u32, T4, Option<AtomId>)>; 2]) -> bool {
    let sigs = |side: usize| -> Vec<(u8, u32, u8)> {
        let mut v: Vec<(u8, u32, u8)> = statuses
            .get(side)
            .map(|s| {
                s.iter()
                    .filter_map(|(i, status, _)| {
                        let r = sp.rules.get(side)?.get(*i as usize)?;
                        Some(match status {
                            Status::Open | Status::Inert => (0, r.fp, 0),
                            Status::Applies => (1, r.sig, r.approval.map_or(0, |a| sp.atom_truth(a, st).bit())),
                            Status::Undecided => (2, r.sig, 0),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        v.sort_unstable();
        v
    };
    let dfps = |side: usize| -> Vec<u32> {
        let mut v: Vec<u32> = dstat
            .get(side)
            .map(|s| s.iter().filter_map(|(i, _, _)| sp.defaults.get(side)?.get(*i as usize).map(|d| d.fp)).collect())
            .unwrap_or_default();
        v.sort_unstable();
        v
    };
    sigs(0) == sigs(1) && dfps(0) == dfps(1)
}

/// What one version's outcome rests on so far: the clauses that apply and decide,
/// the highest rank among them, the highest undecided rank, the duties attached.
struct Analysis<'a> {
    live: Vec<(u32, &'a CRule, Status, Option<AtomId>)>,
    /// The highest rank of an applying clause whose approval is settled.
    m: Option<u8>,
    /// The highest rank of an undecided clause.
    u: Option<u8>,
    /// Approvals not settled yet, of applying `require approval` clauses.
    unsettled: Vec<(AtomId, u32)>,
    /// Duties of the applying clauses (those not recorded as done).
    duties: Vec<&'a String>,
    /// Duties of applying clauses not known to be done or not.
    unsettled_duties: Vec<(AtomId, u32)>,
    /// Approvers of the applying `require approval` clauses.
    approvers: Vec<&'a String>,
    /// Conflicts are indeterminate: any open clause may matter.
    strict: bool,
    /// The rank the defaults give when no clause decides: `Some(None)` for no
    /// default at all, `None` while a section default's scope is open.
    default: Option<Option<u8>>,
    /// The highest rank a default could give.
    default_max: Option<u8>,
    /// Open clauses that can no longer apply, only be undecided or not apply ([`Space::may_apply`]).
    stuck: Vec<u32>,
}

fn analyse<'a>(
    sp: &'a Space,
    st: &State,
    side: usize,
    statuses: &Statuses,
    dstat: &[(u32, T4, Option<AtomId>)],
) -> Analysis<'a> {
    let rules = sp.rules.get(side).map(Vec::as_slice).unwrap_or(&[]);
    let stat = statuses.get(side).map(Vec::as_slice).unwrap_or(&[]);
    let live: Vec<(u32, &CRule, Status, Option<AtomId>)> =
        stat.iter().filter_map(|(i, s, a)| rules.get(*i as usize).map(|r| (*i, r, *s, *a))).collect();
    let pairs: Vec<(&CRule, Status)> = live.iter().map(|(_, r, s, _)| (*r, *s)).collect();
    let over: Vec<String> = overridden(&pairs).into_iter().map(str::to_string).collect();
    let mut a = Analysis {
        live: Vec::new(),
        m: None,
        u: None,
        unsettled: Vec::new(),
        duties: Vec::new(),
        unsettled_duties: Vec::new(),
        approvers: Vec::new(),
        strict: sp.conflict_indeterminate.get(side).copied().unwrap_or(true),
        default: None,
        default_max: None,
        stuck: live
            .iter()
            .filter(|(_, r, s, _)| *s == Status::Open && !sp.may_apply(r, st))
            .map(|(i, _, _, _)| *i)
            .collect(),
    };
    let defaults = sp.defaults.get(side).map(Vec::as_slice).unwrap_or(&[]);
    let policy_default = sp.default_rank.get(side).copied().flatten();
    let section: Vec<(T4, Option<u8>)> =
        dstat.iter().filter_map(|(i, t, _)| defaults.get(*i as usize).map(|d| (*t, d.rank))).collect();
    if section.iter().all(|(t, _)| *t == T4::T) {
        let strongest = section.iter().filter_map(|(_, r)| *r).max();
        a.default = Some(if section.is_empty() { policy_default } else { strongest });
    }
    // Once every section default in reach is known to cover the situations, the default
    // that decides is known: the policy's own is not in play (counting it let no undecided
    // clause hold a verdict back under a stricter policy default, so every situation
    // where a fact is not given was searched as deeply as one where it is).
    a.default_max = match a.default {
        Some(d) => d,
        None => section.iter().filter_map(|(_, r)| *r).chain(policy_default).max(),
    };
    for (i, r, s, _) in &live {
        if over.contains(&r.id) {
            continue;
        }
        match s {
            Status::Applies => {
                for (d, done) in r.duties.iter().zip(&r.duty_done) {
                    match done.map(|x| (x, sp.atom_truth(x, st))) {
                        None | Some((_, T4::F | T4::M)) => a.duties.push(d),
                        Some((x, T4::O)) => a.unsettled_duties.push((x, *i)),
                        Some((_, T4::T)) => {}
                    }
                }
                if !r.counts {
                    continue;
                }
                let rank = match r.approval.map(|x| (x, sp.atom_truth(x, st))) {
                    Some((_, T4::T)) => Some(0),
                    Some((x, T4::O)) => {
                        a.unsettled.push((x, *i));
                        None
                    }
                    _ => r.rank,
                };
                if let Some(rank) = rank {
                    a.m = Some(a.m.map_or(rank, |m| m.max(rank)));
                    if rank == 1 {
                        a.approvers.extend(r.approvers.iter());
                    }
                }
            }
            Status::Undecided if r.counts => {
                if let Some(rank) = r.rank {
                    a.u = Some(a.u.map_or(rank, |u| u.max(rank)));
                }
            }
            _ => {}
        }
    }
    a.live = live;
    a
}

/// The open atoms one version's verdict (word, approvers, duties) still depends
/// on, each marked when its clause differs between the versions. An open clause
/// cannot change the verdict when what applies already outranks it
/// (deny > require approval > allow), or when a clause that cannot be decided
/// already holds the verdict and it could not lift it, and it adds no duty.
fn needs_key(
    sp: &Space,
    (side, st): (usize, &State),
    a: &Analysis<'_>,
    dstat: &[(u32, T4, Option<AtomId>)],
    diff: &[u32],
) -> Vec<(AtomId, bool)> {
    let mut out: Vec<(AtomId, bool)> = Vec::new();
    let push = |x: Option<AtomId>, i: u32, out: &mut Vec<(AtomId, bool)>| {
        if let Some(x) = x {
            out.push((x, diff.contains(&i)));
        }
    };
    for (i, r, s, x) in &a.live {
        if *s == Status::Open && r.overrides.iter().any(|t| a.live.iter().any(|(_, y, _, _)| &y.id == t)) {
            push(*x, *i, &mut out);
        }
    }
    for (x, i) in &a.unsettled_duties {
        push(Some(*x), *i, &mut out);
    }
    for (x, i) in &a.unsettled {
        // An approval turns the clause into a permission: it matters unless a denial
        // already outranks it, and always when permissions against restrictions conflict.
        if a.strict || a.m.is_none_or(|m| m <= 1) {
            push(Some(*x), *i, &mut out);
        }
    }
    for (i, r, s, x) in &a.live {
        if *s == Status::Open && open_matters(a, *i, r) {
            push(*x, *i, &mut out);
        }
    }
    let held = a.u.is_some_and(|u| a.default_max.is_none_or(|d| d < u));
    if a.m.is_none() && a.unsettled.is_empty() && held {
        // Held back all the same, but a default whose scope is unknown holds it back too
        // (and is named) only if the approval on file does not meet it (`semantics::approved_rank`).
        let defaults = sp.defaults.get(side).map(Vec::as_slice).unwrap_or(&[]);
        for (di, t, _) in dstat {
            let approval = defaults.get(*di as usize).and_then(|d| d.approval);
            // Its scope unknown (a fact missing) or not split yet.
            if let Some(x) = approval.filter(|x| matches!(t, T4::M | T4::O) && sp.atom_truth(*x, st) == T4::O) {
                out.push((x, false));
            }
        }
    }
    if a.m.is_none() && a.unsettled.is_empty() && !held {
        let defaults = sp.defaults.get(side).map(Vec::as_slice).unwrap_or(&[]);
        for (di, t, open) in dstat {
            if *t == T4::O {
                if let Some(x) = open {
                    out.push((*x, false));
                }
            }
            // A default that may decide and requires approval decides by the approval on file.
            let approval = defaults.get(*di as usize).and_then(|d| d.approval);
            if let Some(x) = approval.filter(|x| *t != T4::F && sp.atom_truth(*x, st) == T4::O) {
                out.push((x, false));
            }
        }
        if let Some(x) = sp.default_approval.get(side).copied().flatten() {
            if sp.atom_truth(x, st) == T4::O {
                out.push((x, false));
            }
        }
    }
    out
}

/// Whether an open clause can still change its version's verdict (word, approvers, duties).
fn open_matters(a: &Analysis<'_>, i: u32, r: &CRule) -> bool {
    let blocked = match (a.m, a.u) {
        (Some(m), Some(u)) => u > m,
        _ => false,
    };
    if r.overrides.iter().any(|t| a.live.iter().any(|(_, y, _, _)| &y.id == t)) {
        return true;
    }
    if a.stuck.contains(&i) && !a.strict && a.unsettled.is_empty() {
        // At best undecided: no duty, no decision; it matters only if, undecided, it would
        // hold the verdict back above everything that applies or is undecided now (what
        // applies only rises as the search goes down).
        return r.counts && r.rank.is_none_or(|k| a.m.is_none_or(|m| k > m) && a.u.is_none_or(|u| k > u));
    }
    let new_duty = r.duties.iter().any(|d| !a.duties.contains(&d));
    let may_change = r.counts
        && match (a.m, r.rank) {
            // An approval not yet settled: which clauses decide is not known.
            _ if a.strict || !a.unsettled.is_empty() => true,
            (_, None) => true,
            // No clause decides and an undecided one holds the verdict whatever the
            // defaults say: only a clause that could outrank it matters.
            (None, Some(rank)) if a.u.is_some_and(|u| a.default_max.is_none_or(|d| d < u)) => {
                a.u.is_some_and(|u| rank >= u)
            }
            // No clause decides and the defaults are settled: a clause deciding the same
            // as the default changes nothing, unless an open clause below it could still
            // come to decide (then this one would outrank it).
            (None, Some(rank)) => match a.default {
                Some(Some(d)) if a.u.is_none_or(|u| u <= d) => {
                    let lower = a.live.iter().any(|(_, x, s, _)| *s == Status::Open && x.counts && x.rank < Some(d));
                    rank != d || rank == 1 || lower
                }
                _ => true,
            },
            (Some(_), Some(rank)) if blocked => a.u.is_some_and(|u| rank >= u),
            (Some(m), Some(rank)) => {
                rank > m || (rank == 1 && m == 1 && r.approvers.iter().any(|p| !a.approvers.contains(&p)))
            }
        };
    new_duty || may_change
}

/// What one version's verdict rests on, for comparing the versions: the clauses
/// that apply, the open clauses that matter, whether an undecided clause holds
/// the verdict, and the defaults when nothing decides. Equal for both versions
/// means equal verdicts everywhere below.
fn key_signature(
    sp: &Space,
    st: &State,
    a: &Analysis<'_>,
    side: usize,
    dstat: &[(u32, T4, Option<AtomId>)],
    named: bool,
) -> Vec<(u8, u32, u8)> {
    let mut v: Vec<(u8, u32, u8)> = Vec::new();
    if !named && !a.strict {
        // Without exceptions naming clauses and with the strictest outcome winning, the
        // verdict is made of: the highest rank that applies, the approvers at that rank,
        // the duties of what applies (compared as words below) and approvals not settled.
        v.push((0, a.m.map_or(9, u32::from), 0));
        for (x, _) in &a.unsettled {
            v.push((7, *x as u32, 0));
        }
        for (x, _) in &a.unsettled_duties {
            v.push((8, *x as u32, 0));
        }
    }
    for (i, r, s, _) in &a.live {
        match s {
            Status::Applies if !named && !a.strict => {}
            Status::Applies => {
                v.push((1, r.sig, r.approval.map_or(0, |x| sp.atom_truth(x, st).bit())));
            }
            // An exception may still override some undecided clauses and not others.
            Status::Undecided if named => v.push((2, r.sig, 0)),
            Status::Open if open_matters(a, *i, r) => v.push((3, r.fp, 0)),
            _ => {}
        }
    }
    let u = match (a.m, a.u) {
        (Some(m), Some(u)) if u > m => Some(u),
        (None, u) => u,
        _ => None,
    };
    v.push((4, u.map_or(9, u32::from), 0));
    if a.m.is_none() {
        let defaults = sp.defaults.get(side).map(Vec::as_slice).unwrap_or(&[]);
        for (i, t, _) in dstat {
            if let Some(d) = defaults.get(*i as usize) {
                v.push((5, d.fp, t.bit()));
            }
        }
        v.push((6, sp.default_rank.get(side).copied().flatten().map_or(9, u32::from), 0));
    }
    v.sort_unstable();
    v
}

/// The open atoms the deciding clauses still depend on, once the verdict is
/// settled: clauses that may join the deciders (same rank) or the undecided
/// clauses holding the verdict.
fn needs_deciding(a: &Analysis<'_>, dstat: &[(u32, T4, Option<AtomId>)]) -> Vec<AtomId> {
    let Some(m) = a.m else {
        // No clause decides: which clauses hold the verdict, or which default gives it.
        let mut out: Vec<AtomId> =
            a.live.iter().filter(|(_, r, s, _)| *s == Status::Open && r.counts).filter_map(|(_, _, _, x)| *x).collect();
        out.extend(dstat.iter().filter(|(_, t, _)| *t == T4::O).filter_map(|(_, _, x)| *x));
        return out;
    };
    let blocked = a.u.is_some_and(|u| u > m);
    a.live
        .iter()
        .filter(|(_, r, s, _)| {
            *s == Status::Open && r.counts && r.rank.is_some_and(|rank| if blocked { rank > m } else { rank == m })
        })
        .filter_map(|(_, _, _, x)| *x)
        .collect()
}

/// The clauses an applying exception overrides.
pub(crate) fn overridden<'a>(live: &[(&'a CRule, Status)]) -> Vec<&'a str> {
    let mut out = Vec::new();
    for (r, s) in live {
        if *s == Status::Applies {
            for t in &r.overrides {
                if live.iter().any(|(x, xs)| &x.id == t && matches!(xs, Status::Applies | Status::Undecided)) {
                    if let Some((x, _)) = live.iter().find(|(x, _)| &x.id == t) {
                        out.push(x.id.as_str());
                    }
                }
            }
        }
    }
    out
}
