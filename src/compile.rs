//! Stage 4, fast path: the normalized [`Policy`] compiled once into a form that
//! decides an action with no allocation and no string comparison.
//!
//! - every symbol the policy mentions is interned ([`row::Interner`]); an
//!   action's facts are read once into a flat [`FactRow`] of slots;
//! - conditions become a tree of enums over slot indices with precomputed
//!   constants ([`cond`]); shifted dates are computed once per row, and
//!   only those (and only the derived slots) a clause that may apply to the
//!   row's action and channel can read;
//! - clauses are bucketed by action kind and channel (the clauses each pair
//!   may apply to), and indexed once by the values they test ([`index`]):
//!   per slot, the clauses each class of values rules out or leaves unknown,
//!   as bitsets; a decision ANDs the rows its values select, a word of 64
//!   clauses at a time, and evaluates only what is left of the clauses kept;
//! - [`Compiled::decide`] returns a small `Copy` [`Decision`]: the verdict,
//!   the approvers as a bitset and the deciding clause indices inline (once a
//!   deny applies, only denies are visited; once more denies apply than a
//!   decision holds, it stops, and [`Compiled::outcome`] lists them all).
//!
//! **Invariant:** `decide` gives exactly the verdict, approvers and deciding
//! clause ids of [`eval::evaluate`](crate::eval::evaluate) (the combining
//! algorithm documented in [`eval`](crate::eval)); `tests/compile.rs` checks it.
//! Explanations are not built here: they come from the evaluator, when asked for.
//!
//! Known limits (documented, not silent): symbols compared fact against fact
//! (not against a constant) are told apart only when the policy mentions them;
//! at most 128 distinct names are tracked in list facts (`content.kind`,
//! `done`) and 64 approver roles in [`Decision::approvers`].

pub mod cond;
pub mod index;
pub mod row;

pub use row::FactRow;

use crate::eval::Decision as Verdict4;
use crate::policy::{Cond, Effect, Policy, Term, TestOp};
use crate::value::Value;
use cond::{CondC, OpC, Operand, TestC, T4};
use foldhash::HashMap;
use row::{Interner, SlotDef, Val};

const NONE: u32 = u32::MAX;
/// How many deciding clause indices a [`Decision`] holds inline.
pub const INLINE: usize = 8;

/// A compiled effect.
#[derive(Debug, Clone)]
enum EffC {
    Allow,
    Approval {
        /// Interned ids of the approver roles.
        ids: Box<[u32]>,
        /// Indices into `Compiled::approvers`.
        names: Box<[u16]>,
        /// One of them, or all of them.
        join: crate::ast::Join,
    },
    Deny,
    Advise,
}

/// The effect of a default requiring approval once the approval on file meets it: allow.
static APPROVED_DEFAULT: EffC = EffC::Allow;

impl EffC {
    fn rank(&self) -> Option<u8> {
        match self {
            EffC::Advise => None,
            EffC::Allow => Some(0),
            EffC::Approval { .. } => Some(1),
            EffC::Deny => Some(2),
        }
    }

    /// Whether it requires an approval that the approvals on file that count
    /// (`granted`, interned) meet ([`crate::semantics::approval_met`]).
    fn met(&self, granted: &[u32]) -> bool {
        match self {
            EffC::Approval { ids, join, .. } => crate::semantics::approval_met(*join, ids, |id| granted.contains(id)),
            _ => false,
        }
    }

    fn mask(&self) -> u64 {
        match self {
            EffC::Approval { names, .. } => names.iter().filter(|n| **n < 64).fold(0, |m, n| m | (1u64 << n)),
            _ => 0,
        }
    }
}

#[derive(Debug, Clone)]
struct RuleC {
    when: CondC,
    unless: Box<[CondC]>,
    effect: EffC,
    /// This rule's index among override targets, or `NONE`.
    tslot: u32,
    /// The target slots this exception overrides.
    overrides: Box<[u32]>,
}

/// An obligation a clause attaches, compiled.
#[derive(Debug, Clone)]
struct ObligationC {
    spec: crate::policy::ObligationSpec,
    /// The slots of the `from` facts, in order, with their paths.
    from: Box<[(u16, String)]>,
    /// The bit of its `done` key in the list vocabulary.
    done_bit: Option<u128>,
}

/// An enforced clause that attaches obligations.
#[derive(Debug, Clone)]
struct DutyC {
    rule: u32,
    items: Box<[ObligationC]>,
}

#[derive(Debug, Clone)]
struct DefaultC {
    scope: CondC,
    effect: EffC,
}

#[derive(Debug, Clone)]
struct Bucket {
    /// The counting clauses (enforced, not advice) that may apply, as
    /// bitsets over the index's clauses: the denies, then the others.
    pass: [index::Members; 2],
    /// The index's keys a row of this bucket reads for each pass ([`index::Index::keys_for`]);
    /// empty when the bucket is `joint`.
    keys: [Box<[u32]>; 2],
    /// Both passes lie within a few words ([`index::Index::joint`]): the
    /// keys of both (`all_keys`) are read once, for both together.
    joint: bool,
    /// The keys of both passes, for a `joint` bucket (empty otherwise).
    all_keys: Box<[u32]>,
    /// Exceptions (enforced clauses that override others) that may apply, in order.
    exceptions: Vec<u32>,
    /// The clauses with obligations that may apply (indices into `Compiled::duties`), in order.
    duties: Vec<u32>,
    /// The derived slots (see `Compiled::derived`) that something deciding
    /// a row of this bucket can read, in order: only these are computed.
    derive: Box<[u16]>,
}

/// A policy compiled for fast decisions.
#[derive(Debug, Clone)]
pub struct Compiled {
    strings: Interner,
    slots: Vec<SlotDef>,
    /// The slot of each built-in field the policy reads (`u16::MAX`: none), by [`crate::data::flat::Field`].
    field_slot: Vec<u16>,
    /// A row before any field is read: each built-in field's absent value.
    blank: Vec<row::Val>,
    /// The slots that are not built-in fields (computed from the others), in order.
    derived: Vec<u16>,
    tz: jiff::tz::TimeZone,
    list_vocab: Vec<u32>,
    /// The channels a row's bucket is chosen by (empty when not [`Compiled::by_channel`]).
    chan_ids: Vec<u32>,
    /// Whether the buckets are by channel as well as by action (a policy naming at most
    /// [`CHANNEL_BUCKETS`] channels in its conditions; past that, one bucket per action).
    by_channel: bool,
    action_ids: Vec<u32>,
    buckets: Vec<Bucket>,
    /// The counting clauses' index, shared by every bucket.
    index: index::Index,
    rules: Vec<RuleC>,
    defaults: Vec<DefaultC>,
    duties: Vec<DutyC>,
    /// The slots of `at` (when a clause attaches obligations or the policy
    /// has an `effective` date) and `done` (when a clause attaches obligations).
    at_slot: u16,
    /// The policy's `effective` date.
    effective: Option<jiff::civil::Date>,
    done_slot: u16,
    policy_default: Option<EffC>,
    /// How applicable clauses that disagree settle ([`crate::semantics::Precedence`]).
    precedence: crate::semantics::Precedence,
    /// Per clause, its priority level and scope, when the precedence reads them (else empty).
    contend: Vec<(u16, crate::semantics::Scope)>,
    approvers: Vec<String>,
    rule_ids: Vec<String>,
    default_ids: Vec<String>,
    n_targets: usize,
    /// Some clause tests a built-in text with `contains`: a line is read in
    /// full (the in-place reader keeps no text, only its interned id).
    reads_text: bool,
}

/// Why the verdict is what it is (the [`Basis`](crate::eval::Basis) without its payload).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Applicable clauses decided.
    Clauses,
    /// Clauses disagreed under `conflicts indeterminate`.
    Conflict,
    /// Clauses that need missing facts could make it stricter.
    MissingFacts,
    /// A section default (its index in `Policy::defaults`).
    SectionDefault(u32),
    /// The policy default.
    PolicyDefault,
    /// No clause and no default.
    NoClause,
}

/// The deciding clause indices: the first [`INLINE`] inline, and how many there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Inline {
    buf: [u32; INLINE],
    len: u32,
}

/// A list of clause indices the combining collects.
trait IdList: Default + Clone {
    /// Whether the list holds only the first few (then a decision may stop
    /// collecting once it is known to be incomplete).
    const BOUNDED: bool;
    fn push(&mut self, i: u32);
    fn items(&self) -> &[u32];
    fn count(&self) -> usize;
}

impl IdList for Inline {
    const BOUNDED: bool = true;
    fn push(&mut self, i: u32) {
        if let Some(slot) = self.buf.get_mut(self.len as usize) {
            *slot = i;
        }
        self.len = self.len.saturating_add(1);
    }
    fn items(&self) -> &[u32] {
        self.buf.get(..(self.len as usize).min(INLINE)).unwrap_or(&[])
    }
    fn count(&self) -> usize {
        self.len as usize
    }
}

impl IdList for Vec<u32> {
    const BOUNDED: bool = false;
    fn push(&mut self, i: u32) {
        Vec::push(self, i);
    }
    fn items(&self) -> &[u32] {
        self
    }
    fn count(&self) -> usize {
        self.len()
    }
}

/// The most channels a policy's buckets are chosen by (see [`Compiled::by_channel`]).
const CHANNEL_BUCKETS: usize = 256;

/// Merges sorted lists into one sorted list.
fn merge<L: IdList>(lists: &[&L]) -> L {
    debug_assert!(lists.len() <= 3);
    match lists {
        [] => return L::default(),
        [one] => return (*one).clone(),
        _ if lists.iter().all(|l| l.count() == 0) => return L::default(),
        _ => {}
    }
    let mut out = L::default();
    let mut pos = [0usize; 3];
    loop {
        let mut best: Option<(usize, u32)> = None;
        for (k, l) in lists.iter().enumerate() {
            if let Some(&v) = l.items().get(pos.get(k).copied().unwrap_or(usize::MAX)) {
                if best.is_none_or(|(_, b)| v < b) {
                    best = Some((k, v));
                }
            }
        }
        let Some((k, v)) = best else { break };
        out.push(v);
        if let Some(p) = pos.get_mut(k) {
            *p += 1;
        }
    }
    // Lists cut short keep their true length, so the merged one is marked incomplete too.
    let total: usize = lists.iter().map(|l| l.count()).sum();
    for _ in out.count()..total {
        out.push(NONE);
    }
    out
}

/// A decision: small, `Copy`, built without allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// The verdict.
    pub verdict: Verdict4,
    /// Why.
    pub basis: Basis,
    /// For require-approval: the approver roles, one bit per index of [`Compiled::approver_names`].
    pub approvers: u64,
    deciding: Inline,
}

impl Decision {
    /// The deciding clause indices held inline: all of them, in order, when
    /// [`Decision::is_complete`]; otherwise some of them ([`Compiled::outcome`] lists all).
    pub fn deciding(&self) -> &[u32] {
        self.deciding.items()
    }

    /// Whether every deciding clause index is held inline.
    pub fn is_complete(&self) -> bool {
        self.deciding.count() <= INLINE
    }
}

/// A decision with every list spelled out: what a batch record shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome<'a> {
    /// The verdict.
    pub verdict: Verdict4,
    /// Who may approve, in the evaluator's order.
    pub approvers: Vec<&'a str>,
    /// The deciding clause (or section default) ids, in order.
    pub deciding: Vec<&'a str>,
}

/// One group of a many-group action, decided ([`Compiled::decide_items`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupOutcome<'a> {
    /// Its decision, spelled out.
    pub outcome: Outcome<'a>,
    /// The duties the clauses that apply to it attach.
    pub obligations: Vec<crate::eval::verdict::ObligationOut>,
    /// The action is dated before the policy's `effective` date.
    pub before_effective: Option<crate::policy::BeforeEffective>,
}

/// A many-group action decided: the whole, and each group in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemsOutcome<'a> {
    /// The whole action's decision.
    pub whole: Outcome<'a>,
    /// Each group's, in the order given.
    pub groups: Vec<GroupOutcome<'a>>,
}

impl ItemsOutcome<'_> {
    /// Every group's duties, each once, in group order (as the evaluator's whole verdict lists them).
    pub fn obligations(&self) -> Vec<crate::eval::verdict::ObligationOut> {
        let mut out: Vec<crate::eval::verdict::ObligationOut> = Vec::new();
        for o in self.groups.iter().flat_map(|g| &g.obligations) {
            if !out.contains(o) {
                out.push(o.clone());
            }
        }
        out
    }

    /// The action is dated before the policy's `effective` date (the groups share the date).
    pub fn before_effective(&self) -> Option<crate::policy::BeforeEffective> {
        self.groups.first().and_then(|g| g.before_effective)
    }
}

struct Run<L> {
    verdict: Verdict4,
    basis: Basis,
    approvers: u64,
    deciding: L,
    /// Whether the pass of the allows and approvals ran (for tests: it does not once a deny applies).
    #[cfg(test)]
    lower: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Applies,
    NotApplicable,
    Undecided,
}

/// Override marks: one bit per override target.
enum Marks {
    /// No clause overrides another here.
    Empty,
    Small([u64; 16]),
    Big(Vec<u64>),
}

impl Marks {
    fn new(n: usize) -> Marks {
        if n == 0 {
            Marks::Empty
        } else if n <= 1024 {
            Marks::Small([0; 16])
        } else {
            Marks::Big(vec![0; n.div_ceil(64)])
        }
    }
    fn words(&mut self) -> &mut [u64] {
        match self {
            Marks::Empty => &mut [],
            Marks::Small(a) => a,
            Marks::Big(v) => v,
        }
    }
    fn set(&mut self, i: u32) {
        if let Some(w) = self.words().get_mut((i / 64) as usize) {
            *w |= 1 << (i % 64);
        }
    }
    fn has(&mut self, i: u32) -> bool {
        i != NONE
            && !matches!(self, Marks::Empty)
            && self.words().get((i / 64) as usize).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
}

impl Compiled {
    fn status(&self, r: &RuleC, row: &FactRow) -> Status {
        let mut status = match r.when.eval(row, self) {
            T4::True => Status::Applies,
            T4::False => return Status::NotApplicable,
            T4::Unknown => Status::Undecided,
        };
        for u in r.unless.iter() {
            match u.eval(row, self) {
                T4::True => return Status::NotApplicable,
                T4::Unknown => status = Status::Undecided,
                T4::False => {}
            }
        }
        status
    }

    /// Whether an entry's clause applies, given what the index found of its
    /// indexed conjuncts (`pre`: true or unknown; `None`: the index could not
    /// tell, so the whole clause is evaluated).
    #[inline(always)]
    fn entry_status(&self, e: &index::Entry, row: &FactRow, pre: Option<T4>) -> Status {
        let Some(pre) = pre else {
            return self.rules.get(e.rule as usize).map_or(Status::Undecided, |r| self.status(r, row));
        };
        let when = if matches!(e.when, CondC::True) { pre } else { pre.and(e.when.eval(row, self)) };
        let mut status = match when {
            T4::True => Status::Applies,
            T4::False => return Status::NotApplicable,
            T4::Unknown => Status::Undecided,
        };
        if e.has_unless {
            for u in self.rules.get(e.rule as usize).map_or(&[][..], |r| &r.unless[..]) {
                match u.eval(row, self) {
                    T4::True => return Status::NotApplicable,
                    T4::Unknown => status = Status::Undecided,
                    T4::False => {}
                }
            }
        }
        status
    }

    /// The override targets marked by the exceptions of a bucket that apply.
    #[inline(always)]
    fn override_marks(&self, bucket: &Bucket, row: &FactRow) -> Marks {
        if bucket.exceptions.is_empty() {
            return Marks::Empty;
        }
        let mut marks = Marks::new(self.n_targets);
        for &i in bucket.exceptions.iter() {
            let Some(r) = self.rules.get(i as usize) else { continue };
            if marks.has(r.tslot) {
                continue;
            }
            if self.status(r, row) == Status::Applies {
                for &t in r.overrides.iter() {
                    marks.set(t);
                }
            }
        }
        marks
    }

    fn run<L: IdList>(&self, row: &FactRow) -> Run<L> {
        let Some(bucket) = self.buckets.get(row.bucket as usize) else {
            return Run {
                verdict: Verdict4::Indeterminate,
                basis: Basis::NoClause,
                approvers: 0,
                deciding: L::default(),
                #[cfg(test)]
                lower: false,
            };
        };
        let mut marks = self.override_marks(bucket, row);
        let mut dec: [L; 3] = Default::default();
        let mut und: [L; 3] = Default::default();
        // The approver bits of the applicable require-approval clauses.
        let mut approval_mask = 0u64;
        // Once a deny applies (and conflicts are not indeterminate), the verdict
        // is deny: only other denies matter, for the deciding list; and once
        // that list is longer than a decision holds inline, nothing more does.
        let lowest = std::cell::Cell::new(0u8);
        let plain = self.precedence.plain();
        // Denies first: once one applies, the others decide nothing. Within a
        // pass the index gives clauses in clause order, so every list is in order.
        let [deny, lower] = &bucket.pass;
        let [deny_keys, lower_keys] = &bucket.keys;
        let mut visit = |e: &index::Entry, pre| {
            if marks.has(e.tslot) {
                return true;
            }
            match self.entry_status(e, row, pre) {
                Status::Applies => {
                    let approved = e.rank == 1
                        && !row.granted.is_empty()
                        && self.rules.get(e.rule as usize).is_some_and(|r| r.effect.met(&row.granted));
                    let eff = crate::semantics::effective_rank(e.rank, approved);
                    if eff == 1 {
                        approval_mask |= e.mask;
                    }
                    if let Some(l) = dec.get_mut(usize::from(eff)) {
                        l.push(e.rule);
                    }
                    // (Only when the outcomes' order alone settles: under priorities or
                    // `most_specific` a deny may be out of contention.)
                    if eff == 2 && plain && !self.precedence.indeterminate() {
                        lowest.set(2);
                        if L::BOUNDED && dec[2].count() > INLINE {
                            return false;
                        }
                    }
                }
                Status::Undecided => {
                    if let Some(l) = und.get_mut(usize::from(e.rank)) {
                        l.push(e.rule);
                    }
                }
                Status::NotApplicable => {}
            }
            true
        };
        // With a deny applying, the allows and approvals decide nothing: their pass is not run.
        #[cfg_attr(not(test), allow(unused_variables, reason = "read by the tests (Run::lower)"))]
        let run_lower = if bucket.joint {
            // One accumulator for both: past the denies, with one applying, stop.
            self.index.joint_each(row, &bucket.all_keys, [deny, lower], &mut |e, pre| {
                !(lowest.get() == 2 && e.rank < 2) && visit(e, pre)
            });
            lowest.get() != 2
        } else {
            let run = !self.index.pass_each(row, deny_keys, deny, &mut visit) && lowest.get() != 2;
            if run {
                self.index.pass_each(row, lower_keys, lower, &mut visit);
            }
            run
        };
        if !plain {
            // Precedence (the semantics' one rule): only the clauses no other beats stay in
            // contention; an undecided clause counts only if it could be in contention.
            self.contention(&mut dec, &mut und, &mut approval_mask);
        }

        let [d0, d1, d2] = &dec;
        let mut basis;
        let mut deciding: L;
        let mut effect: Option<&EffC>;
        let mut rank: Option<u8>;
        let settled = crate::semantics::settle([d0.count(), d1.count(), d2.count()], self.precedence.indeterminate());
        // Section defaults whose scope cannot be decided (by index).
        let mut unsure = L::default();
        if settled == crate::semantics::Settled::NoClause {
            deciding = L::default();
            let mut best: Option<(usize, &DefaultC)> = None;
            for (k, d) in self.defaults.iter().enumerate() {
                match d.scope.eval(row, self) {
                    T4::True if best.is_none_or(|(_, b)| d.effect.rank() >= b.effect.rank()) => best = Some((k, d)),
                    T4::Unknown => unsure.push(u32::try_from(k).unwrap_or(NONE)),
                    _ => {}
                }
            }
            if let Some((k, d)) = best {
                basis = Basis::SectionDefault(u32::try_from(k).unwrap_or(NONE));
                effect = Some(&d.effect);
                rank = d.effect.rank();
            } else if let Some(d) = &self.policy_default {
                basis = Basis::PolicyDefault;
                effect = Some(d);
                rank = d.rank();
            } else {
                basis = Basis::NoClause;
                effect = None;
                rank = None;
            }
            // A default requiring approval is met by the approvals on file that count, as a clause is.
            if effect.is_some_and(|e| e.met(&row.granted)) {
                effect = Some(&APPROVED_DEFAULT);
                rank = Some(0);
            }
        } else {
            match settled {
                crate::semantics::Settled::Conflict | crate::semantics::Settled::NoClause => {
                    deciding = merge(&[d0, d1, d2]);
                    basis = Basis::Conflict;
                    effect = None;
                    rank = None;
                }
                crate::semantics::Settled::Clauses(top) => {
                    let chosen = match top {
                        0 => d0,
                        1 => d1,
                        _ => d2,
                    };
                    deciding = merge(&[chosen]);
                    basis = Basis::Clauses;
                    rank = Some(top);
                    // Approved clauses count as allow; their own effect is not the verdict's.
                    effect = match top {
                        0 => Some(&EffC::Allow),
                        2 => Some(&EffC::Deny),
                        _ => chosen.items().last().and_then(|i| self.rules.get(*i as usize)).map(|r| &r.effect),
                    };
                }
            }
        }

        // Undecided clauses that could make the verdict stricter.
        // The ranks that block are a suffix (`semantics::blocks` is monotone in the rank).
        let no_decision = basis == Basis::NoClause;
        let from = (0..3u8).find(|&k| crate::semantics::blocks(k, rank, no_decision)).map_or(3, usize::from);
        let unds = [&und[0], &und[1], &und[2]];
        let mut blocking: L = merge(unds.get(from..).unwrap_or(&[]));
        // A section default that might cover the action and would be stricter blocks
        // too (listed after the clauses: its index follows every clause's).
        for &k in unsure.items() {
            // One requiring an approval that the approval on file meets would allow: it is not stricter.
            let stricter = self
                .defaults
                .get(k as usize)
                .and_then(|d| crate::semantics::approved_rank(d.effect.rank(), d.effect.met(&row.granted)));
            if stricter.is_some_and(|u| crate::semantics::blocks(u, rank, no_decision)) {
                blocking.push(u32::try_from(self.rules.len()).unwrap_or(NONE).saturating_add(k));
            }
        }
        if blocking.count() > 0 {
            basis = Basis::MissingFacts;
            deciding = blocking;
            effect = None;
        }

        let (verdict, approvers) = match effect {
            None => (Verdict4::Indeterminate, 0),
            Some(EffC::Deny) => (Verdict4::Deny, 0),
            Some(EffC::Allow | EffC::Advise) => (Verdict4::Allow, 0),
            Some(e @ EffC::Approval { .. }) => {
                let mask = match basis {
                    Basis::Clauses => approval_mask,
                    _ => 0,
                };
                (Verdict4::RequireApproval, if mask == 0 { e.mask() } else { mask })
            }
        };
        Run {
            verdict,
            basis,
            approvers,
            deciding,
            #[cfg(test)]
            lower: run_lower,
        }
    }

    /// Decides an action: no allocation (unless the policy has more than 1,024
    /// exception targets, its index more than 32 keys with rows to read for the
    /// action, or a precedence beyond the outcomes' order: priorities or
    /// `most_specific` need every applicable clause), no string comparison.
    pub fn decide(&self, row: &FactRow) -> Decision {
        if !self.precedence.plain() {
            let r: Run<Vec<u32>> = self.run(row);
            let mut deciding = Inline::default();
            r.deciding.iter().for_each(|&i| deciding.push(i));
            return Decision { verdict: r.verdict, basis: r.basis, approvers: r.approvers, deciding };
        }
        let r: Run<Inline> = self.run(row);
        Decision { verdict: r.verdict, basis: r.basis, approvers: r.approvers, deciding: r.deciding }
    }

    /// Keeps in `dec` (applicable clauses by effective rank, complete lists) the clauses
    /// in contention ([`crate::semantics::contention`]) and in `und` the undecided ones
    /// that could be ([`crate::semantics::could_contend`]); the approver bits are those of
    /// the require-approval clauses kept.
    fn contention<L: IdList>(&self, dec: &mut [L; 3], und: &mut [L; 3], approval_mask: &mut u64) {
        let contender = |i: u32| {
            let (level, scope) = self.contend.get(i as usize).map_or((0, &crate::semantics::GENERAL), |(l, s)| (*l, s));
            crate::semantics::Contender { level, scope }
        };
        let applying: Vec<(u32, usize)> =
            dec.iter().enumerate().flat_map(|(k, l)| l.items().iter().map(move |&i| (i, k))).collect();
        let cs: Vec<crate::semantics::Contender<'_>> = applying.iter().map(|(i, _)| contender(*i)).collect();
        let keep = crate::semantics::contention(self.precedence, &cs);
        let mut kept: [L; 3] = Default::default();
        *approval_mask = 0;
        for ((i, k), _) in applying.iter().zip(&keep).filter(|(_, keep)| **keep) {
            if let Some(l) = kept.get_mut(*k) {
                l.push(*i);
            }
            if *k == 1 {
                *approval_mask |= self.rules.get(*i as usize).map_or(0, |r| r.effect.mask());
            }
        }
        *dec = kept;
        let field = crate::semantics::Field::new(self.precedence, &cs);
        for l in und.iter_mut() {
            let mut could = L::default();
            for &i in l.items() {
                if !field.beaten(contender(i)) {
                    could.push(i);
                }
            }
            *l = could;
        }
    }

    /// The action is dated before the policy's `effective` date, as the
    /// evaluator's [`crate::eval::Verdict::before_effective`] says.
    pub fn before_effective(&self, row: &FactRow) -> Option<crate::policy::BeforeEffective> {
        match row.get(self.at_slot) {
            Val::Date(d) | Val::Ts(_, d) => crate::policy::BeforeEffective::of(self.effective, d),
            _ => None,
        }
    }

    /// The decision with its lists spelled out, in the evaluator's order.
    pub fn outcome(&self, row: &FactRow, d: &Decision) -> Outcome<'_> {
        let mut out = Outcome { verdict: d.verdict, approvers: Vec::new(), deciding: Vec::new() };
        self.outcome_into(row, d, &mut out);
        out
    }

    /// [`Compiled::outcome`] into lists reused from one decision to the next.
    pub fn outcome_into<'a>(&'a self, row: &FactRow, d: &Decision, out: &mut Outcome<'a>) {
        let full: Vec<u32>;
        let deciding: &[u32] = if d.is_complete() {
            d.deciding()
        } else {
            full = self.run::<Vec<u32>>(row).deciding;
            &full
        };
        out.verdict = d.verdict;
        out.deciding.clear();
        out.approvers.clear();
        let ids = &mut out.deciding;
        match d.basis {
            Basis::SectionDefault(k) => ids.extend(self.default_ids.get(k as usize).map(String::as_str)),
            _ => ids.extend(deciding.iter().filter_map(|&i| self.decider_id(i))),
        }
        let approvers = &mut out.approvers;
        if d.verdict == Verdict4::RequireApproval {
            if d.basis == Basis::Clauses {
                for r in deciding.iter().filter_map(|i| self.rules.get(*i as usize)) {
                    self.add_names(&r.effect, approvers);
                }
            }
            if approvers.is_empty() {
                let fallback = match d.basis {
                    Basis::SectionDefault(k) => self.defaults.get(k as usize).map(|x| &x.effect),
                    Basis::PolicyDefault => self.policy_default.as_ref(),
                    _ => None,
                };
                if let Some(e) = fallback {
                    self.add_names(e, approvers);
                }
            }
        }
    }

    fn add_names<'a>(&'a self, e: &EffC, out: &mut Vec<&'a str>) {
        if let EffC::Approval { names, .. } = e {
            for n in names.iter() {
                if let Some(name) = self.approvers.get(usize::from(*n)) {
                    if !out.contains(&name.as_str()) {
                        out.push(name);
                    }
                }
            }
        }
    }

    /// The obligations the enforced clauses that apply attach, as the
    /// evaluator lists them (duties the action records as `done` dropped;
    /// each with its due date and lateness).
    pub fn obligations(&self, row: &FactRow, out: &mut Vec<crate::eval::verdict::ObligationOut>) {
        out.clear();
        self.each_obligation(row, |o| out.push(o.to_out()));
    }

    /// [`Compiled::obligations`] one at a time, borrowed: nothing is allocated.
    pub fn each_obligation<'a>(&'a self, row: &FactRow, mut f: impl FnMut(&crate::eval::ObligationRef<'a>)) {
        if self.duties.is_empty() {
            return;
        }
        let Some(bucket) = self.buckets.get(row.bucket as usize) else { return };
        if bucket.duties.is_empty() {
            return;
        }
        let mut marks: Option<Marks> = None;
        let action_date = match row.get(self.at_slot) {
            Val::Date(d) | Val::Ts(_, d) => d,
            _ => return,
        };
        let done = match row.get(self.done_slot) {
            Val::List { bits, .. } => bits,
            _ => 0,
        };
        // As the evaluator's list, a duty equal to the one before (same text, same due date) is left out.
        let mut last: Option<(&str, Option<jiff::civil::Date>)> = None;
        for d in bucket.duties.iter().filter_map(|k| self.duties.get(*k as usize)) {
            let Some(r) = self.rules.get(d.rule as usize) else { continue };
            if self.status(r, row) != Status::Applies {
                continue;
            }
            if r.tslot != NONE && marks.get_or_insert_with(|| self.override_marks(bucket, row)).has(r.tslot) {
                continue;
            }
            let rule = self.rule_ids.get(d.rule as usize).map_or("", String::as_str);
            for o in d.items.iter().filter(|o| o.done_bit.is_none_or(|b| done & b == 0)) {
                let start = if o.from.is_empty() {
                    Some(("the action", action_date))
                } else {
                    o.from.iter().find_map(|(slot, path)| match row.get(*slot) {
                        Val::Date(d) | Val::Ts(_, d) => Some((path.as_str(), d)),
                        _ => None,
                    })
                };
                let ob = crate::eval::ObligationRef::new(&o.spec, rule, start, action_date);
                if last != Some((o.spec.text.as_str(), ob.due)) {
                    last = Some((o.spec.text.as_str(), ob.due));
                    f(&ob);
                }
            }
        }
    }

    /// Decides an action about several groups of contacts (`groups`, from
    /// [`crate::data::action::Action::group_actions`]) as the evaluator does
    /// ([`crate::eval::items`]): each group's row decided on its own, the
    /// whole by [`crate::eval::items::combine`]; the whole's deciding clauses
    /// and approvers are those of the groups with the whole's verdict, each
    /// once, in group order. Not allocation-free: such lines are parsed in full.
    pub fn decide_items(&self, groups: &[crate::data::action::Action], now: jiff::Timestamp) -> ItemsOutcome<'_> {
        let mut each = Vec::with_capacity(groups.len());
        for g in groups {
            let row = FactRow::from_action_at(g, self, now);
            let d = self.decide(&row);
            let outcome = self.outcome(&row, &d);
            let mut obligations = Vec::new();
            self.obligations(&row, &mut obligations);
            each.push(GroupOutcome { outcome, obligations, before_effective: self.before_effective(&row) });
        }
        let verdict = crate::eval::items::combine(each.iter().map(|g| g.outcome.verdict));
        let mut whole = Outcome { verdict, approvers: Vec::new(), deciding: Vec::new() };
        for g in each.iter().filter(|g| g.outcome.verdict == verdict) {
            for id in &g.outcome.deciding {
                if !whole.deciding.contains(id) {
                    whole.deciding.push(id);
                }
            }
            for a in &g.outcome.approvers {
                if verdict == Verdict4::RequireApproval && !whole.approvers.contains(a) {
                    whole.approvers.push(a);
                }
            }
        }
        ItemsOutcome { whole, groups: each }
    }

    /// The approver roles, by the bit they have in [`Decision::approvers`].
    pub fn approver_names(&self) -> &[String] {
        &self.approvers
    }

    /// The id of a deciding index: a clause's, or past the clauses a section default's.
    fn decider_id(&self, index: u32) -> Option<&str> {
        let i = index as usize;
        match i.checked_sub(self.rule_ids.len()) {
            None => self.rule_ids.get(i),
            Some(k) => self.default_ids.get(k),
        }
        .map(String::as_str)
    }

    /// How many clauses a decision for this row visits (for benchmarks and tests).
    pub fn candidates(&self, row: &FactRow) -> usize {
        let Some(b) = self.buckets.get(row.bucket as usize) else { return 0 };
        let mut n = b.exceptions.len();
        let [deny, lower] = &b.pass;
        let mut count = |_: &index::Entry, _| {
            n += 1;
            true
        };
        if b.joint {
            self.index.joint_each(row, &b.all_keys, [deny, lower], &mut count);
        } else {
            let [deny_keys, lower_keys] = &b.keys;
            self.index.each(row, &[(deny, deny_keys), (lower, lower_keys)], count);
        }
        n
    }

    /// How many channel buckets an action has: each channel named, another, none given; one
    /// when the buckets are not by channel.
    pub(super) fn chan_classes(&self) -> usize {
        if self.by_channel {
            self.chan_ids.len() + 2
        } else {
            1
        }
    }

    fn action_class(&self, id: u32) -> usize {
        self.action_ids.iter().position(|x| *x == id).unwrap_or(self.action_ids.len())
    }
}

// ───────────── compiling ─────────────

fn walk_strings<'a>(c: &'a Cond, out: &mut Vec<&'a str>, lists: &mut Vec<&'a str>) {
    match c {
        Cond::True => {}
        Cond::All(ps) | Cond::Any(ps) => ps.iter().for_each(|p| walk_strings(p, out, lists)),
        Cond::Not(p) => walk_strings(p, out, lists),
        Cond::Test(t) => {
            let mut value = |v: &'a Value, list: bool, out: &mut Vec<&'a str>| {
                if let Value::Symbol(s) | Value::Text(s) = v {
                    out.push(s);
                    if list {
                        lists.push(s);
                    }
                }
            };
            let mut term = |t: &'a Term, list: bool, out: &mut Vec<&'a str>| {
                if let Term::Const(v) = t {
                    value(v, list, out);
                }
            };
            term(&t.lhs, false, out);
            match &t.op {
                TestOp::Cmp(_, rhs) => term(rhs, false, out),
                TestOp::Has(rhs) => term(rhs, true, out),
                TestOp::In(set) | TestOp::HasOutside(set) => {
                    for v in set {
                        if let Value::Symbol(s) | Value::Text(s) = v {
                            out.push(s);
                            lists.push(s);
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// The values the static tests of `action` and `channel` compare against.
/// Both at once, in one walk of the tests: those of `action` into `actions`, of `channel` into `chans`.
fn walk_static<'a>(c: &'a Cond, actions: &mut Vec<&'a str>, chans: &mut Vec<&'a str>) {
    for t in c.tests() {
        let out = match &t.lhs {
            Term::Fact(p) if p == "action" => &mut *actions,
            Term::Fact(p) if p == "channel" => &mut *chans,
            _ => continue,
        };
        match &t.op {
            TestOp::Cmp(_, Term::Const(Value::Symbol(s) | Value::Text(s))) => out.push(s),
            TestOp::In(set) => out.extend(set.iter().filter_map(|v| match v {
                Value::Symbol(s) | Value::Text(s) => Some(s.as_str()),
                _ => None,
            })),
            _ => {}
        }
    }
}

/// What a bucket knows of a fact: its name, a name the policy never compares
/// it with, or nothing (absent).
#[derive(Clone, Copy)]
enum Known<'a> {
    Name(&'a str),
    Other,
    Unknown,
}

fn stat_test(t: &crate::policy::Test, action: Known<'_>, channel: Known<'_>) -> Option<bool> {
    let known = match &t.lhs {
        Term::Fact(p) if p == "action" => action,
        Term::Fact(p) if p == "channel" => channel,
        _ => return None,
    };
    fn sym(v: &Value) -> Option<&str> {
        match v {
            Value::Symbol(s) | Value::Text(s) => Some(s.as_str()),
            _ => None,
        }
    }
    match (&t.op, known) {
        (_, Known::Unknown) => None,
        (TestOp::Cmp(op @ (crate::ast::CmpOp::Eq | crate::ast::CmpOp::Ne), Term::Const(v)), k) => {
            let s = sym(v)?;
            let equal = matches!(k, Known::Name(n) if n == s);
            Some(if *op == crate::ast::CmpOp::Eq { equal } else { !equal })
        }
        (TestOp::In(set), Known::Name(n)) => Some(set.iter().any(|v| sym(v) == Some(n))),
        (TestOp::In(set), Known::Other) if set.iter().all(|v| sym(v).is_some()) => Some(false),
        _ => None,
    }
}

/// Whether a condition is certainly false (or certainly true) for this action and channel.
fn stat(c: &Cond, action: Known<'_>, channel: Known<'_>) -> Option<bool> {
    match c {
        Cond::True => Some(true),
        Cond::All(ps) => {
            let mut all = true;
            for p in ps {
                match stat(p, action, channel) {
                    Some(false) => return Some(false),
                    Some(true) => {}
                    None => all = false,
                }
            }
            all.then_some(true)
        }
        Cond::Any(ps) => {
            let mut none = true;
            for p in ps {
                match stat(p, action, channel) {
                    Some(true) => return Some(true),
                    Some(false) => {}
                    None => none = false,
                }
            }
            none.then_some(false)
        }
        Cond::Not(p) => stat(p, action, channel).map(|b| !b),
        Cond::Test(t) => stat_test(t, action, channel),
    }
}

/// Clauses a bucket may apply, as the bucket loop gathers them: their bits
/// in the index (the counting ones), the counting ones, and the exceptions,
/// each list in the policy's order.
#[derive(Clone, Default)]
struct Group {
    members: Vec<u64>,
    rules: Vec<u32>,
    exceptions: Vec<u32>,
    /// Whether the counting clauses are listed (only when some clause reads
    /// a derived slot: `derived_read` needs them then).
    listed: bool,
}

impl Group {
    /// Clause `i` (`bit`: each clause's bit in the index, a counting clause's).
    fn add(&mut self, i: usize, bit: &[Option<usize>], policy: &Policy) {
        let id = u32::try_from(i).unwrap_or(NONE);
        if let Some(b) = bit.get(i).copied().flatten() {
            if let Some(w) = self.members.get_mut(b / 64) {
                *w |= 1 << (b % 64);
            }
            if self.listed {
                self.rules.push(id);
            }
        }
        if policy.rules.get(i).is_some_and(|r| !r.overrides.is_empty()) {
            self.exceptions.push(id);
        }
    }

    /// Clause `i`'s bit taken out again (its lists are [`Group::changed`]'s to mend).
    fn remove(&mut self, i: usize, bit: &[Option<usize>]) {
        if let Some(b) = bit.get(i).copied().flatten() {
            if let Some(w) = self.members.get_mut(b / 64) {
                *w &= !(1 << (b % 64));
            }
        }
    }

    /// This group with the clauses of `change` (in the policy's order) added (`true`) or
    /// taken out (`false`), its lists merged in one pass: neither sorted again nor
    /// searched once a change (a name many clauses take out of the group was quadratic).
    fn changed(&self, change: &[(usize, bool)], bit: &[Option<usize>], policy: &Policy) -> Group {
        let mut added = Group { members: self.members.clone(), listed: self.listed, ..Group::default() };
        let mut gone: Vec<u32> = Vec::new();
        for &(i, here) in change {
            if here {
                added.add(i, bit, policy);
            } else {
                added.remove(i, bit);
                gone.push(u32::try_from(i).unwrap_or(NONE));
            }
        }
        Group {
            rules: merged(&self.rules, &added.rules, &gone),
            exceptions: merged(&self.exceptions, &added.exceptions, &gone),
            members: added.members,
            listed: self.listed,
        }
    }
}

/// `kept` without `gone`, with `added`: three lists in ascending order, merged in one pass.
fn merged(kept: &[u32], added: &[u32], gone: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(kept.len() + added.len());
    let (mut gone, mut added) = (gone.iter().peekable(), added.iter().peekable());
    for &k in kept {
        while let Some(&&g) = gone.peek() {
            if g >= k {
                break;
            }
            gone.next();
        }
        if gone.peek() == Some(&&k) {
            continue;
        }
        while let Some(&a) = added.next_if(|a| **a < k) {
            out.push(a);
        }
        out.push(k);
    }
    out.extend(added);
    out
}

struct Builder<'p> {
    c: Compiled,
    slot_of: HashMap<String, u16>,
    shifted_of: HashMap<(u16, Vec<(bool, crate::value::Duration)>), u16>,
    types: crate::facts::Known,
    policy: &'p Policy,
}

impl Builder<'_> {
    /// What an absent fact stands for ([`crate::facts::Known::absent`]).
    fn default_for(&self, path: &str) -> Val {
        match self.types.absent(path) {
            crate::facts::Absent::False => Val::Bool(false),
            crate::facts::Absent::True => Val::Bool(true),
            crate::facts::Absent::Empty => Val::List { bits: 0, other: false },
            crate::facts::Absent::Date(d) => Val::Date(d),
            crate::facts::Absent::NotGiven | crate::facts::Absent::NoneGiven => Val::Absent,
        }
    }

    fn push_slot(&mut self, def: SlotDef) -> u16 {
        self.c.slots.push(def);
        u16::try_from(self.c.slots.len() - 1).unwrap_or(u16::MAX)
    }

    fn slot(&mut self, path: &str) -> u16 {
        if let Some(s) = self.slot_of.get(path) {
            return *s;
        }
        let default = self.default_for(path);
        let def = if path == "at" {
            SlotDef::At
        } else if let Some(part) = crate::facts::AtPart::of_path(path) {
            SlotDef::AtPart(part)
        } else if let Some(field) = crate::data::flat::Field::of_path(path) {
            SlotDef::Builtin { field, default }
        } else if let (Some(name), Some(ty)) = (path.strip_prefix("facts."), self.types.get(path)) {
            SlotDef::Declared { name: name.to_string(), ty: ty.clone(), default }
        } else {
            SlotDef::Generic { path: path.to_string(), default }
        };
        let s = self.push_slot(def);
        self.slot_of.insert(path.to_string(), s);
        s
    }

    fn operand(&mut self, t: &Term) -> Operand {
        match t {
            Term::Const(v) => Operand::Const(self.c.value_val(v)),
            Term::Fact(p) => Operand::Slot(self.slot(p)),
            Term::FirstOf(paths) => {
                let slots: Vec<u16> = paths.iter().map(|p| self.slot(p)).collect();
                Operand::Slot(self.push_slot(SlotDef::FirstOf(slots)))
            }
            Term::Shifted(base, shifts) => match self.operand(base) {
                Operand::Const(v) => {
                    let d = match v {
                        Val::Date(d) | Val::Ts(_, d) => Some(d),
                        _ => None,
                    };
                    let shifted = d.and_then(|d| shifts.iter().try_fold(d, |acc, (fwd, dur)| dur.shift(acc, *fwd)));
                    Operand::Const(shifted.map_or(Val::Failed, Val::Date))
                }
                Operand::Slot(s) => {
                    let key = (s, shifts.clone());
                    if let Some(d) = self.shifted_of.get(&key) {
                        return Operand::Slot(*d);
                    }
                    let d = self.push_slot(SlotDef::Shifted(s, shifts.clone()));
                    self.shifted_of.insert(key, d);
                    Operand::Slot(d)
                }
            },
            Term::Reduced(base, from, to) => {
                let base = match self.operand(base) {
                    Operand::Slot(s) => s,
                    // A constant date (lowering never writes one here): a slot that always reads it.
                    Operand::Const(v) => self.push_slot(SlotDef::Generic { path: String::new(), default: v }),
                };
                let (from, to) = (self.slot(from), self.slot(to));
                Operand::Slot(self.push_slot(SlotDef::Reduced([base, from, to])))
            }
        }
    }

    fn cond(&mut self, c: &Cond) -> CondC {
        match c {
            Cond::True => CondC::True,
            Cond::All(ps) => CondC::All(ps.iter().map(|p| self.cond(p)).collect()),
            Cond::Any(ps) => CondC::Any(ps.iter().map(|p| self.cond(p)).collect()),
            Cond::Not(p) => CondC::Not(Box::new(self.cond(p))),
            Cond::Test(t) => {
                let lhs = self.operand(&t.lhs);
                let none_is_false = matches!(&t.lhs, Term::Fact(p) if crate::facts::absent_is_none(p));
                let mask_of = |c: &Compiled, set: &[Value]| {
                    set.iter().fold(0u128, |m, v| match v {
                        Value::Symbol(s) | Value::Text(s) => m | c.list_bit(c.strings.id(s)).unwrap_or(0),
                        _ => m,
                    })
                };
                let op = match &t.op {
                    TestOp::Missing => OpC::Missing,
                    TestOp::Present => OpC::Present,
                    TestOp::Truthy => OpC::Truthy,
                    TestOp::Cmp(op, rhs) => OpC::Cmp(*op, self.operand(rhs)),
                    TestOp::In(set) => {
                        OpC::In { mask: mask_of(&self.c, set), set: set.iter().map(|v| self.c.value_val(v)).collect() }
                    }
                    TestOp::Has(item) => OpC::Has(self.operand(item)),
                    TestOp::HasOutside(set) => OpC::HasOutside {
                        mask: mask_of(&self.c, set),
                        ids: set
                            .iter()
                            .filter_map(|v| match v {
                                Value::Symbol(s) | Value::Text(s) => Some(self.c.strings.id(s)),
                                _ => None,
                            })
                            .collect(),
                    },
                    TestOp::ShareAbove { whole, percent } => {
                        OpC::ShareAbove { whole: self.slot(whole), percent: i64::from(*percent) }
                    }
                    // Whether the text holds a needle is worked out once per row, into a
                    // slot of its own ([`SlotDef::Contains`]): the test reads it as a flag.
                    TestOp::Contains { needles, .. } => {
                        let of = match &t.lhs {
                            Term::Fact(p) => match (crate::data::flat::Field::of_path(p), p.strip_prefix("facts.")) {
                                (Some(f), _) => Some(row::TextOf::Field(f)),
                                (None, Some(name)) => Some(row::TextOf::Declared(name.to_string())),
                                (None, None) => None,
                            },
                            _ => None,
                        };
                        let slot = match of {
                            Some(of) => {
                                self.c.reads_text |= matches!(of, row::TextOf::Field(_));
                                let folded = needles.iter().map(|n| crate::semantics::fold_case(n)).collect();
                                self.push_slot(SlotDef::Contains { of, folded })
                            }
                            // Not a text fact (the checker refuses it): never decided.
                            None => self.push_slot(SlotDef::Generic { path: String::new(), default: Val::Failed }),
                        };
                        let lhs = Operand::Slot(slot);
                        return CondC::Test(Box::new(TestC { lhs, none_is_false: false, op: OpC::Truthy }));
                    }
                };
                CondC::Test(Box::new(TestC { lhs, none_is_false, op }))
            }
        }
    }

    fn effect(&mut self, e: &Effect) -> EffC {
        match e {
            Effect::Allow => EffC::Allow,
            Effect::Deny => EffC::Deny,
            Effect::Advise => EffC::Advise,
            Effect::RequireApproval { approvers, join } => {
                let mut names = Vec::new();
                for a in approvers {
                    let k = match self.c.approvers.iter().position(|x| x == a) {
                        Some(k) => k,
                        None => {
                            self.c.approvers.push(a.clone());
                            self.c.approvers.len() - 1
                        }
                    };
                    names.push(u16::try_from(k).unwrap_or(u16::MAX));
                }
                EffC::Approval {
                    ids: approvers.iter().map(|a| self.c.strings.id(a)).collect(),
                    names: names.into(),
                    join: *join,
                }
            }
        }
    }

    fn build(mut self) -> Compiled {
        let policy = self.policy;
        // Override targets get slots.
        let mut tslot: HashMap<&str, u32> = HashMap::default();
        for r in policy.rules.iter().filter(|r| !r.dry_run) {
            for t in &r.overrides {
                let n = u32::try_from(tslot.len()).unwrap_or(NONE);
                tslot.entry(t.as_str()).or_insert(n);
            }
        }
        self.c.n_targets = tslot.len();
        self.c.rules.reserve(policy.rules.len());
        self.c.rule_ids.reserve(policy.rules.len());
        for r in &policy.rules {
            let when = self.cond(&r.when);
            let unless = r.exceptions_and_law().map(|u| self.cond(u)).collect();
            let effect = self.effect(&r.effect);
            let overrides = if r.dry_run {
                Box::default()
            } else {
                r.overrides.iter().filter_map(|t| tslot.get(t.as_str()).copied()).collect()
            };
            let ts = tslot.get(r.id.as_str()).copied().unwrap_or(NONE);
            self.c.rules.push(RuleC { when, unless, effect, tslot: ts, overrides });
            self.c.rule_ids.push(r.id.clone());
        }
        if policy.meta.effective.is_some() {
            // Every row's date, to say when an action comes before the policy took effect.
            self.c.at_slot = self.slot("at");
        }
        for (i, r) in policy.rules.iter().enumerate().filter(|(_, r)| !r.dry_run && !r.obligations.is_empty()) {
            self.c.at_slot = self.slot("at");
            self.c.done_slot = self.slot("done");
            let items = r
                .obligations
                .iter()
                .map(|o| ObligationC {
                    spec: o.clone(),
                    from: o.from.iter().map(|p| (self.slot(p), p.clone())).collect(),
                    done_bit: o.done_key.as_ref().and_then(|k| self.c.list_bit(self.c.strings.id(k))),
                })
                .collect();
            self.c.duties.push(DutyC { rule: u32::try_from(i).unwrap_or(NONE), items });
        }
        for d in &policy.defaults {
            let scope = self.cond(&d.scope);
            let effect = self.effect(&d.effect);
            self.c.defaults.push(DefaultC { scope, effect });
            self.c.default_ids.push(d.id.clone());
        }
        self.c.policy_default = policy.meta.default.as_ref().map(|d| self.effect(d));

        // Buckets by action and channel.
        let mut actions: Vec<&str> = crate::schema::ACTIONS.to_vec();
        actions.extend(policy.decls.actions.iter().map(String::as_str));
        let mut chans: Vec<&str> = Vec::new();
        for r in &policy.rules {
            walk_static(&r.when, &mut actions, &mut chans);
        }
        actions.sort();
        actions.dedup();
        chans.sort();
        chans.dedup();
        // A bucket per channel named only for a policy naming a few: each bucket keeps bitsets
        // over the clauses, and a row finds its channel's by a scan. Past that the channel is
        // a fact like any other, its tests asked at decision time (16,000 clauses each naming a
        // channel of its own built 16,000 buckets per action).
        self.c.by_channel = chans.len() <= CHANNEL_BUCKETS;
        if !self.c.by_channel {
            chans.clear();
        }
        self.c.action_ids = actions.iter().map(|a| self.c.strings.id(a)).collect();
        self.c.chan_ids = chans.iter().map(|a| self.c.strings.id(a)).collect();
        let mut action_known: Vec<Known<'_>> = actions.iter().map(|a| Known::Name(a)).collect();
        action_known.push(Known::Other);
        let mut chan_known: Vec<Known<'_>> = chans.iter().map(|a| Known::Name(a)).collect();
        if self.c.by_channel {
            chan_known.push(Known::Other);
        }
        // Not by channel: the one bucket per action knows nothing of the channel.
        chan_known.push(Known::Unknown);
        // The counting clauses, indexed once for every bucket.
        let counting: Vec<usize> = (policy.rules.iter().zip(&self.c.rules).enumerate())
            .filter(|(_, (r, rc))| !r.dry_run && rc.effect.rank().is_some())
            .map(|(i, _)| i)
            .collect();
        // Each entry with its clause's full condition, read in place by the index.
        let (entries, whens): (Vec<index::Entry>, Vec<&CondC>) = (counting.iter())
            .filter_map(|&i| {
                let rc = self.c.rules.get(i)?;
                let entry = index::Entry {
                    when: CondC::True, // the index writes the residual here
                    exact: false,
                    rule: u32::try_from(i).unwrap_or(NONE),
                    tslot: rc.tslot,
                    rank: rc.effect.rank()?,
                    has_unless: !rc.unless.is_empty(),
                    mask: rc.effect.mask(),
                };
                Some((entry, &rc.when))
            })
            .unzip();
        let is_list = |s: u16| match self.c.slots.get(usize::from(s)) {
            Some(SlotDef::Builtin { field, .. }) => matches!(field.ty(), Some(crate::value::Type::EnumList(_))),
            Some(SlotDef::Declared { ty, .. }) => matches!(ty, crate::value::Type::EnumList(_)),
            _ => false,
        };
        let idx = index::build(entries, &whens, &self.c, &is_list);
        let action_slot = self.slot_of.get("action").copied();
        let chan_slot = self.slot_of.get("channel").copied();
        let words = idx.words();
        let mut buckets = Vec::with_capacity(action_known.len() * chan_known.len());
        // The clauses that may apply in each bucket (to find the slots it reads).
        let mut bucket_rules = Vec::with_capacity(buckets.capacity());
        // A clause whose condition tests only one of `action` and `channel`
        // (most) is sorted by that one fact, once per name, not once per bucket;
        // one testing neither may apply in every bucket.
        let reads: Vec<(bool, bool)> = (policy.rules.iter())
            .map(|r| {
                let tests = r.when.tests();
                let fact = |name: &str| tests.iter().any(|t| matches!(&t.lhs, Term::Fact(p) if p == name));
                (fact("action"), fact("channel"))
            })
            .collect();
        // The derived slots each clause reads (most read none), found once. Worked out in one
        // scratch list; a clause that reads none keeps an empty list (no allocation).
        let derived_reads = |read: &mut Vec<u16>, conds: &mut dyn Iterator<Item = &CondC>| {
            read.clear();
            conds.for_each(|c| c.slots(read));
            read.retain(|s| !matches!(self.c.slots.get(usize::from(*s)), Some(SlotDef::Builtin { .. })));
            read.sort_unstable();
            read.dedup();
            read.clone()
        };
        let mut scratch = Vec::new();
        let rule_reads: Vec<Vec<u16>> = (self.c.rules.iter())
            .map(|r| derived_reads(&mut scratch, &mut std::iter::once(&r.when).chain(r.unless.iter())))
            .collect();
        let default_reads = derived_reads(&mut scratch, &mut self.c.defaults.iter().map(|d| &d.scope));
        // When no clause reads one, a bucket's list of clauses is not needed (`derived_read`)
        // and not built.
        let any_reads = rule_reads.iter().any(|r| !r.is_empty());
        // Each clause's bit in the index (a counting clause's).
        let mut bit: Vec<Option<usize>> = vec![None; policy.rules.len()];
        for (pos, &i) in counting.iter().enumerate() {
            if let Some(b) = bit.get_mut(i) {
                *b = idx.bit_of(pos);
            }
        }
        let group_of = |rules: &mut dyn Iterator<Item = usize>| {
            let mut g = Group { members: vec![0u64; words], listed: any_reads, ..Group::default() };
            rules.for_each(|i| g.add(i, &bit, policy));
            g
        };
        // Whether `stat` leaves a clause in a bucket (not dry run, not ruled out).
        let kept = |i: usize, a: Known<'_>, ch: Known<'_>| {
            policy.rules.get(i).is_some_and(|r| !r.dry_run && stat(&r.when, a, ch) != Some(false))
        };
        // The clauses (not dry run) testing these of `action` and `channel`.
        let on = |want: (bool, bool)| -> Vec<usize> {
            (policy.rules.iter().zip(&reads).enumerate())
                .filter(|(_, (r, read))| **read == want && !r.dry_run)
                .map(|(i, _)| i)
                .collect()
        };
        // A clause testing neither fact: in every bucket alike (one group).
        let neither =
            group_of(&mut on((false, false)).into_iter().filter(|&i| kept(i, Known::Unknown, Known::Unknown)));
        // A clause testing one of them: a group per name of that fact. A clause answers alike
        // for every name it does not mention (`stat` only compares the fact with the names the
        // clause names), so each group is the clauses kept for a name they do not mention,
        // changed only by the clauses that mention it: linear in the names and clauses, not
        // their product (16,000 channels each named by one clause took minutes).
        let by_name = |known: &[Known<'_>],
                       rules: &[usize],
                       action: bool,
                       at: fn(Known<'_>) -> (Known<'_>, Known<'_>)| {
            let position: HashMap<&str, usize> = (known.iter().enumerate())
                .filter_map(|(k, n)| match n {
                    Known::Name(n) => Some((*n, k)),
                    _ => None,
                })
                .collect();
            // The clauses kept for a name they do not mention; per name, the clauses it changes.
            let mut default_kept: Vec<usize> = Vec::new();
            let mut changes: Vec<Vec<(usize, bool)>> = vec![Vec::new(); known.len()];
            for &i in rules {
                let Some(r) = policy.rules.get(i) else { continue };
                let (mut actions, mut chans) = (Vec::new(), Vec::new());
                walk_static(&r.when, &mut actions, &mut chans);
                let mut named: Vec<usize> =
                    (if action { actions } else { chans }).iter().filter_map(|n| position.get(n).copied()).collect();
                named.sort_unstable();
                named.dedup();
                // A name the clause does not mention, if the policy has one: its answer stands for all.
                let unnamed = (known.iter().enumerate())
                    .find(|(k, n)| matches!(n, Known::Name(_)) && named.binary_search(k).is_err())
                    .map(|(_, n)| *n);
                let by_default = unnamed.is_some_and(|n| {
                    let (a, ch) = at(n);
                    kept(i, a, ch)
                });
                if by_default {
                    default_kept.push(i);
                }
                for k in named {
                    let Some(&n) = known.get(k) else { continue };
                    let (a, ch) = at(n);
                    let here = kept(i, a, ch);
                    if here != by_default {
                        if let Some(c) = changes.get_mut(k) {
                            c.push((i, here));
                        }
                    }
                }
            }
            let base = group_of(&mut default_kept.iter().copied());
            (known.iter().zip(changes))
                .map(|(n, change)| match n {
                    // `change` is in the policy's order (`rules` is), as `changed` wants.
                    Known::Name(_) => base.changed(&change, &bit, policy),
                    // A name the policy never compares the fact with, or none: asked of every clause.
                    other => {
                        let (a, ch) = at(*other);
                        group_of(&mut rules.iter().copied().filter(|&i| kept(i, a, ch)))
                    }
                })
                .collect::<Vec<Group>>()
        };
        let by_action = by_name(&action_known, &on((true, false)), true, |k| (k, Known::Unknown));
        let by_channel = by_name(&chan_known, &on((false, true)), false, |k| (Known::Unknown, k));
        // A clause testing both: `stat` of a conjunction is false when one of its parts is.
        // When each of its parts tests at most one of the facts (`action = post and channel in
        // {..}`, most), it is kept in a bucket exactly when its action's group and its
        // channel's group both keep it (each asked with the other fact unknown): two groups
        // per name, ANDed. Otherwise it is asked in every bucket; a part testing neither fact
        // answers alike in every bucket and is asked once.
        let one_fact = |p: &Cond| {
            let tests = p.tests();
            !(tests.iter().any(|t| t.lhs.is_fact("action")) && tests.iter().any(|t| t.lhs.is_fact("channel")))
        };
        let separable: Vec<usize> = on((true, true))
            .into_iter()
            .filter(|&i| {
                policy.rules.get(i).is_some_and(|r| match &r.when {
                    Cond::All(ps) => ps.iter().all(one_fact),
                    other => one_fact(other),
                })
            })
            .collect();
        let both_by_action = by_name(&action_known, &separable, true, |k| (k, Known::Unknown));
        let both_by_channel = by_name(&chan_known, &separable, false, |k| (Known::Unknown, k));
        let both: Vec<(usize, bool, Vec<&Cond>)> = (policy.rules.iter().zip(&reads).enumerate())
            .filter(|(i, (r, read))| **read == (true, true) && !r.dry_run && separable.binary_search(i).is_err())
            .map(|(i, (r, _))| {
                let (mut always, mut varying) = (false, Vec::new());
                let parts = match &r.when {
                    Cond::All(ps) => ps.as_slice(),
                    other => std::slice::from_ref(other),
                };
                for p in parts {
                    if p.tests().iter().any(|t| t.lhs.is_fact("action") || t.lhs.is_fact("channel")) {
                        varying.push(p);
                    } else {
                        always |= stat(p, Known::Unknown, Known::Unknown) == Some(false);
                    }
                }
                (i, always, varying)
            })
            .collect();
        for (ai, a) in action_known.iter().enumerate() {
            for (ci, ch) in chan_known.iter().enumerate() {
                let (ga, gc) = (by_action.get(ai), by_channel.get(ci));
                // The clauses of the groups, and those testing both facts that this bucket keeps.
                let mut here = Group { members: neither.members.clone(), listed: any_reads, ..Group::default() };
                for g in [ga, gc].into_iter().flatten() {
                    for (m, x) in here.members.iter_mut().zip(&g.members) {
                        *m |= x;
                    }
                }
                // The separable clauses both this action's and this channel's groups keep.
                let (sa, sc) = (both_by_action.get(ai), both_by_channel.get(ci));
                if let (Some(sa), Some(sc)) = (sa, sc) {
                    for ((m, x), y) in here.members.iter_mut().zip(&sa.members).zip(&sc.members) {
                        *m |= x & y;
                    }
                    here.exceptions.extend(sa.exceptions.iter().filter(|e| sc.exceptions.binary_search(e).is_ok()));
                    if any_reads {
                        here.rules.extend(sa.rules.iter().filter(|r| sc.rules.binary_search(r).is_ok()));
                    }
                }
                for (i, always, parts) in &both {
                    if !*always && !parts.iter().any(|p| stat(p, *a, *ch) == Some(false)) {
                        here.add(*i, &bit, policy);
                    }
                }
                let groups = [Some(&neither), ga, gc];
                // A few runs, each in the policy's order: the stable sort merges runs it finds
                // (linear in their length), where the unstable one sorted from scratch.
                let mut exceptions: Vec<u32> =
                    groups.iter().flatten().flat_map(|g| g.exceptions.iter().copied()).chain(here.exceptions).collect();
                exceptions.sort();
                let mut rules: Vec<u32> = if any_reads {
                    let mut r: Vec<u32> =
                        groups.iter().flatten().flat_map(|g| g.rules.iter().copied()).chain(here.rules).collect();
                    r.sort();
                    r
                } else {
                    Vec::new()
                };
                let duties: Vec<u32> = (0..self.c.duties.len())
                    .filter(|k| {
                        let rule = self.c.duties.get(*k).and_then(|d| policy.rules.get(d.rule as usize));
                        rule.is_some_and(|r| stat(&r.when, *a, *ch) != Some(false))
                    })
                    .filter_map(|k| u32::try_from(k).ok())
                    .collect();
                rules.extend(exceptions.iter().copied());
                rules.extend(duties.iter().filter_map(|k| self.c.duties.get(*k as usize)).map(|d| d.rule));
                bucket_rules.push(rules);
                let members = here.members;
                let pass = [idx.pass_of(&members, index::Pass::Deny), idx.pass_of(&members, index::Pass::Lower)];
                // A row of a bucket named for its action (or channel) holds that name.
                let named = |known: &Known<'_>| match known {
                    Known::Name(n) => Some(Val::Str { id: self.c.strings.id(n), text: false }),
                    Known::Other | Known::Unknown => None,
                };
                let fixed = |slot: u16| match (Some(slot) == action_slot, Some(slot) == chan_slot) {
                    (true, _) => named(a),
                    (_, true) => named(ch),
                    _ => None,
                };
                // A joint bucket reads the keys of both passes at once; a split one each pass's own.
                let joint = index::Index::joint(&pass);
                let (keys, all_keys) = if joint {
                    (Default::default(), idx.keys_for(&members, fixed))
                } else {
                    ([idx.keys_for(pass[0].bits(), fixed), idx.keys_for(pass[1].bits(), fixed)], Box::default())
                };
                buckets.push(Bucket { pass, keys, joint, all_keys, exceptions, duties, derive: Box::default() });
            }
        }
        self.c.index = idx;
        self.c.buckets = buckets;
        self.c.field_slot = vec![u16::MAX; crate::data::flat::FIELDS];
        self.c.blank = Vec::with_capacity(self.c.slots.len());
        for (i, def) in self.c.slots.iter().enumerate() {
            let blank = match def {
                SlotDef::Builtin { field, default } => {
                    if let Some(s) = self.c.field_slot.get_mut(*field as usize) {
                        *s = u16::try_from(i).unwrap_or(u16::MAX);
                    }
                    *default
                }
                _ => {
                    self.c.derived.push(u16::try_from(i).unwrap_or(u16::MAX));
                    Val::Absent
                }
            };
            self.c.blank.push(blank);
        }
        // No clause reading a derived slot: no list to look through in each bucket.
        let rule_reads: &[Vec<u16>] = if rule_reads.iter().all(Vec::is_empty) { &[] } else { &rule_reads };
        let derive: Vec<Vec<u16>> = (self.c.buckets.iter().zip(&bucket_rules))
            .map(|(b, rules)| derived_read(&self.c, b, rules, rule_reads, &default_reads))
            .collect();
        for (b, list) in self.c.buckets.iter_mut().zip(derive) {
            b.derive = list.into_boxed_slice();
        }
        self.c
    }
}

/// The derived slots a row of bucket `b`, whose clauses that may apply
/// are `rules`, can have read: by a clause's conditions (`rule_reads`, by
/// clause), a section default's scope (`default_reads`), an obligation's
/// start, the action's date and `done`, and what each of those slots is
/// computed from.
fn derived_read(c: &Compiled, b: &Bucket, rules: &[u32], rule_reads: &[Vec<u16>], default_reads: &[u16]) -> Vec<u16> {
    let mut need = vec![false; c.slots.len()];
    let mut mark = |s: u16| {
        if let Some(n) = need.get_mut(usize::from(s)) {
            *n = true;
        }
    };
    mark(c.at_slot);
    mark(c.done_slot);
    // Most clauses read no derived slot (often none does: `rule_reads` is then empty).
    if !rule_reads.is_empty() {
        for reads in rules.iter().filter_map(|r| rule_reads.get(*r as usize)) {
            reads.iter().for_each(|s| mark(*s));
        }
    }
    default_reads.iter().for_each(|s| mark(*s));
    for d in b.duties.iter().filter_map(|k| c.duties.get(*k as usize)) {
        d.items.iter().flat_map(|o| o.from.iter().map(|(slot, _)| *slot)).for_each(&mut mark);
    }
    // A slot is computed from slots before it: mark those, from the last slot back.
    for i in (0..c.slots.len()).rev() {
        if need.get(i) != Some(&true) {
            continue;
        }
        let from: &[u16] = match c.slots.get(i) {
            Some(SlotDef::FirstOf(slots)) => slots,
            Some(SlotDef::Shifted(base, _)) => std::slice::from_ref(base),
            Some(SlotDef::Reduced(slots)) => slots,
            _ => &[],
        };
        for s in from {
            if let Some(n) = need.get_mut(usize::from(*s)) {
                *n = true;
            }
        }
    }
    c.derived.iter().copied().filter(|s| need.get(usize::from(*s)) == Some(&true)).collect()
}

/// Compiles a normalized policy.
pub fn compile(policy: &Policy) -> Compiled {
    // Borrowed from the policy: only the distinct ones are copied, into the interner.
    let mut strings: Vec<&str> = Vec::new();
    let mut lists: Vec<&str> = Vec::new();
    let conds = policy.rules.iter().flat_map(|r| std::iter::once(&r.when).chain(r.exceptions_and_law()));
    for c in conds.chain(policy.defaults.iter().map(|d| &d.scope)) {
        walk_strings(c, &mut strings, &mut lists);
    }
    let effects = policy.rules.iter().map(|r| &r.effect).chain(policy.defaults.iter().map(|d| &d.effect));
    for e in effects.chain(policy.meta.default.iter()) {
        if let Effect::RequireApproval { approvers, .. } = e {
            strings.extend(approvers.iter().map(String::as_str));
        }
    }
    strings.extend(crate::schema::ACTIONS.iter().copied());
    strings.extend(policy.decls.actions.iter().map(String::as_str));
    // `done` keys come first in the list vocabulary, so that its limit never
    // hides whether a duty was met.
    let mut done_keys: Vec<&str> =
        policy.rules.iter().flat_map(|r| r.obligations.iter().filter_map(|o| o.done_key.as_deref())).collect();
    strings.extend(done_keys.iter().copied());
    let mut strings = Interner::new(strings);
    // The names actions carry (declared open sets, closed sets), so that
    // filling a row looks each up by hash, mentioned by the policy or not.
    let d = &policy.decls;
    let declared = [&d.roles, &d.teams, &d.channels, &d.content_kinds, &d.actions].into_iter().flatten();
    let enums = d.fact_enums.values().flatten();
    strings.expect(declared.chain(enums).map(String::as_str));
    strings.expect(crate::data::action::CLOSED_NAMES.iter().flat_map(|names| names.iter().copied()));
    strings.expect(
        crate::data::action::BUILTIN_CHANNELS.iter().chain(crate::data::action::BUILTIN_CONTENT_KINDS).copied(),
    );
    done_keys.sort();
    done_keys.dedup();
    lists.sort();
    lists.dedup();
    lists.retain(|l| !done_keys.contains(l));
    let list_vocab: Vec<u32> = done_keys.iter().chain(&lists).take(128).map(|s| strings.id(s)).collect();
    let tz = crate::eval::tz(policy);
    let c = Compiled {
        strings,
        slots: Vec::new(),
        field_slot: Vec::new(),
        blank: Vec::new(),
        derived: Vec::new(),
        tz,
        list_vocab,
        chan_ids: Vec::new(),
        by_channel: true,
        action_ids: Vec::new(),
        buckets: Vec::new(),
        index: index::Index::default(),
        rules: Vec::new(),
        defaults: Vec::new(),
        duties: Vec::new(),
        at_slot: u16::MAX,
        effective: policy.meta.effective,
        done_slot: u16::MAX,
        policy_default: None,
        precedence: crate::semantics::Precedence::of(&policy.meta),
        contend: if crate::semantics::Precedence::of(&policy.meta).plain() {
            Vec::new()
        } else {
            policy.rules.iter().map(|r| (crate::semantics::level(r.priority), r.scope.clone())).collect()
        },
        approvers: Vec::new(),
        rule_ids: Vec::new(),
        default_ids: Vec::new(),
        n_targets: 0,
        reads_text: false,
    };
    Builder {
        c,
        slot_of: HashMap::default(),
        shifted_of: HashMap::default(),
        types: crate::eval::fact_types(policy),
        policy,
    }
    .build()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, reason = "a test stops loudly")]
mod tests {
    //! The compiled form decides as the evaluator does (verdict, approvers,
    //! deciding clauses, obligations, "before effective"), here in the
    //! library's own tests so that `cargo test --lib` holds it: on every
    //! shipped and scenario policy against every scenario action and variants
    //! of it, and on generated policies past the inline and bitset limits.
    use super::*;
    use crate::data::action::{parse_action_json_line, Action};
    use crate::data::testcase::{parse_tests, Subject};
    use crate::eval::{evaluate, EvalOptions};
    use crate::source::SourceFile;

    fn now() -> jiff::Timestamp {
        "2026-03-16T09:00:00Z".parse().unwrap()
    }

    /// An employed consultant's `action` on `channel`, at [`now`].
    fn on(action: &str, channel: &str) -> Action {
        parse_action_json_line(&format!(
            r#"{{"action":"{action}","at":"2026-03-16T09:00:00Z","actor":{{"id":"a","role":"consultant","status":"employed"}},"channel":"{channel}"}}"#
        ))
        .unwrap()
    }

    proptest::proptest! {
        /// A group's lists changed by a name's clauses are the set difference and union
        /// they stand for, in ascending order (`Group::changed` merges them in one pass).
        #[test]
        fn merged_lists_are_the_sets_they_stand_for(
            base in proptest::collection::btree_set(0u32..64, 0..40),
            change in proptest::collection::btree_map(0u32..64, proptest::bool::ANY, 0..40),
        ) {
            // As the bucket loop calls it: an added clause is not in the group, a gone one is.
            let kept: Vec<u32> = base.iter().copied().filter(|k| change.get(k) != Some(&true)).collect();
            let added: Vec<u32> = change.iter().filter(|(k, h)| **h && !kept.contains(k)).map(|(k, _)| *k).collect();
            let gone: Vec<u32> = change.iter().filter(|(k, h)| !**h && kept.contains(k)).map(|(k, _)| *k).collect();
            let mut want: Vec<u32> = kept.iter().copied().filter(|k| !gone.contains(k)).chain(added.iter().copied()).collect();
            want.sort_unstable();
            proptest::prop_assert_eq!(merged(&kept, &added, &gone), want);
        }
    }

    fn load(name: &str, text: &str) -> (SourceFile, Policy, Compiled) {
        let file = SourceFile::new(name, text);
        let ast = crate::parser::parse(&file).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let policy = crate::lower::lower(&file, &ast);
        let compiled = compile(&policy);
        (file, policy, compiled)
    }

    /// Decides with both engines and asserts they agree; returns the verdict.
    fn agree(l: &(SourceFile, Policy, Compiled), action: &Action) -> crate::eval::Verdict {
        let (file, policy, compiled) = l;
        let v = evaluate(policy, file, action, &EvalOptions { now: now() });
        let row = FactRow::from_action_at(action, compiled, now());
        let d = compiled.decide(&row);
        let o = compiled.outcome(&row, &d);
        let line = serde_json::to_string(action).unwrap_or_default();
        let here = || format!("{}: {line}", file.name);
        // The batch reads the JSON line straight into a row, or in place when
        // it is plainly written: the same row as from the parsed action.
        let vocab = crate::data::flat::Vocabulary::new(&policy.decls);
        let mut reader = crate::data::flat::LineReader::new(&vocab);
        let mut straight = FactRow::default();
        if straight.read_json(&line, &mut reader, compiled, now()) {
            assert_eq!(straight, row, "read straight: {}", here());
            let mut again = FactRow::default();
            assert!(again.read_json(&line, &mut reader, compiled, now()), "{}", here());
            assert_eq!(again, row, "read by the layout noted: {}", here());
        }
        if let Some(flat) = crate::data::flat::FlatAction::read_json(&line, &vocab) {
            let mut in_place = FactRow::default();
            in_place.fill(&flat, compiled, now());
            assert_eq!(in_place, row, "read in place: {}", here());
        }
        assert_eq!(o.verdict, v.verdict, "{}", here());
        assert_eq!(o.approvers, v.approvers.iter().map(String::as_str).collect::<Vec<_>>(), "{}", here());
        assert_eq!(o.deciding, v.deciding.iter().map(String::as_str).collect::<Vec<_>>(), "{}", here());
        assert_eq!(d.is_complete(), v.deciding.len() <= INLINE, "{}", here());
        // The approvers as the decision's bits (what a batch record names): the same roles.
        let names = compiled.approver_names();
        let mut by_bit: Vec<&str> = (0..64usize)
            .filter(|b| d.approvers & (1u64 << b) != 0)
            .filter_map(|b| names.get(b))
            .map(String::as_str)
            .collect();
        // (Only the first 64 roles have a bit: the others are named by `outcome` alone.)
        let mut want: Vec<&str> = v
            .approvers
            .iter()
            .map(String::as_str)
            .filter(|a| names.iter().position(|n| n == a).is_some_and(|b| b < 64))
            .collect();
        by_bit.sort_unstable();
        want.sort_unstable();
        assert_eq!(by_bit, want, "approver bits: {}", here());
        if d.is_complete() && !matches!(d.basis, Basis::SectionDefault(_)) {
            assert_eq!(d.deciding().len(), v.deciding.len(), "{}", here());
        }
        let mut obligations = Vec::new();
        compiled.obligations(&row, &mut obligations);
        assert_eq!(obligations, v.obligations, "{}", here());
        assert_eq!(compiled.before_effective(&row), v.before_effective, "{}", here());
        v
    }

    fn files(dir: &str, ext: &str) -> Vec<(String, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        let mut out: Vec<(String, String)> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().ends_with(ext))
            .map(|p| (p.to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
            .collect();
        out.sort();
        out
    }

    /// Variants of an action: each field a clause reads, changed one at a time.
    fn variants(a: &serde_json::Value) -> Vec<serde_json::Value> {
        let edits: [(&str, &str, serde_json::Value); 12] = [
            ("actor", "status", "on_notice".into()),
            ("actor", "status", "departed".into()),
            ("actor", "jurisdiction", "US-CA".into()),
            ("", "channel", "tiktok".into()),
            ("", "channel", "twitter".into()),
            ("content", "names_client", true.into()),
            ("content", "confidential", true.into()),
            ("content", "kind", serde_json::json!(["brand", "job_ad"])),
            ("approval", "granted_by", "marketing".into()),
            ("approval", "granted_by", "manager".into()),
            ("target", "relationship", "client".into()),
            ("history", "posts_today", 10.into()),
        ];
        let mut out = vec![a.clone()];
        for (part, field, value) in edits {
            let mut b = a.clone();
            let Some(obj) = b.as_object_mut() else { continue };
            let slot = if part.is_empty() {
                obj
            } else {
                let p = obj.entry(part).or_insert_with(|| serde_json::json!({}));
                let Some(p) = p.as_object_mut() else { continue };
                p
            };
            slot.insert(field.to_string(), value);
            out.push(b);
        }
        // A share limit with the whole not given.
        let mut b = a.clone();
        if let Some(obj) = b.as_object_mut() {
            obj.insert("history".into(), serde_json::json!({"job_ads_this_week": 3}));
        }
        out.push(b);
        // And with the channel left out.
        let mut b = a.clone();
        if let Some(obj) = b.as_object_mut() {
            obj.remove("channel");
        }
        out.push(b);
        out
    }

    #[test]
    fn decides_as_the_evaluator_on_every_policy_and_scenario_action() {
        // Each policy with the actions of its own test file and variants of
        // them, and every scenario action as it is written.
        let mut pairs: Vec<((SourceFile, Policy, Compiled), Vec<Action>)> = Vec::new();
        let mut every: Vec<Action> = Vec::new();
        for dir in ["policies", "tests/scenarios"] {
            for (name, text) in files(dir, ".policy") {
                let l = load(&name, &text);
                let cases = std::fs::read_to_string(name.replace(".policy", ".tests.yaml")).unwrap_or_default();
                let mut own = Vec::new();
                for case in parse_tests(&cases, &name).unwrap_or_else(|e| panic!("{e}")) {
                    let Subject::Action(a) = case.subject else { continue };
                    every.push((*a).clone());
                    for v in variants(&serde_json::to_value(&*a).unwrap()) {
                        // A variant the data contract refuses is an error for both engines.
                        if let Ok(b) = parse_action_json_line(&v.to_string()) {
                            own.push(b);
                        }
                    }
                }
                pairs.push((l, own));
            }
        }
        pairs.push((load("combining.policy", crate::eval::tests::POLICY), vec![]));
        assert!(pairs.len() > 40 && every.len() > 80, "{} policies, {} actions", pairs.len(), every.len());
        let mut seen = [0usize; 4];
        for (l, own) in &pairs {
            for a in own.iter().chain(&every) {
                let v = agree(l, a);
                seen[match v.verdict {
                    crate::eval::Decision::Allow => 0,
                    crate::eval::Decision::RequireApproval => 1,
                    crate::eval::Decision::Deny => 2,
                    crate::eval::Decision::Indeterminate => 3,
                }] += 1;
            }
        }
        // Every verdict is reached often: the comparison is not of one kind of answer.
        assert!(seen.iter().all(|&n| n > 50), "allow, approval, deny, indeterminate: {seen:?}");
    }

    /// A policy of `n` numbered denies on `facts.n`, each with an exception.
    fn many(n: usize, default: &str) -> String {
        let mut p = format!(
            "policy \"Many\"\n  timezone \"Europe/London\"\n  default {default}\nroles consultant, manager\nfact n: int \"n\"\nfact ok: bool \"ok\"\n"
        );
        for i in 0..n {
            p.push_str(&format!("rule r{i} {{\n  when facts.n >= {i}\n  then deny\n  oblige \"Report {i}.\"\n}}\n"));
            p.push_str(&format!("exception e{i} to r{i} {{\n  when facts.ok and facts.n = {i}\n  then allow\n}}\n"));
        }
        p
    }

    fn with_n(n: i64, ok: bool) -> Action {
        parse_action_json_line(&format!(
            r#"{{"action":"post","at":"2026-03-16T09:00:00Z","actor":{{"id":"a","role":"consultant","status":"employed"}},"channel":"linkedin","facts":{{"n":{n},"ok":{ok}}}}}"#
        ))
        .unwrap()
    }

    /// Groups of contacts decided one by one: a whole that needs approval
    /// names the approvers of the groups that need it, and a refused whole
    /// names none (mutation survivor: `==` → `!=` on the whole's verdict
    /// when gathering approvers).
    #[test]
    fn the_whole_of_several_groups_names_the_approvers_of_its_verdict() {
        let text = "policy \"Groups\"\n  default allow\nroles consultant, manager\n\
                    rule ask { when action = export and contacts.origin = agency_database then require approval from manager }\n\
                    rule never { when action = export and contacts.origin = employment then deny }\n";
        let (_, _, c) = load("groups.policy", text);
        let whole = |origins: &[&str]| {
            let list: Vec<String> = origins.iter().map(|o| format!(r#"{{"count":10,"origin":"{o}"}}"#)).collect();
            let a = parse_action_json_line(&format!(
                r#"{{"action":"export","at":"2026-03-16T09:00:00Z","actor":{{"id":"a","role":"consultant","status":"employed"}},"contacts":[{}]}}"#,
                list.join(",")
            ))
            .unwrap();
            let groups = a.group_actions().unwrap();
            let d = c.decide_items(&groups, "2026-03-16T09:00:00Z".parse().unwrap());
            (d.whole.verdict, d.whole.approvers.join(","), d.whole.deciding.join(","))
        };
        assert_eq!(
            whole(&["before_employment", "agency_database"]),
            (Verdict4::RequireApproval, "manager".into(), "ask".into())
        );
        assert_eq!(whole(&["agency_database", "employment"]), (Verdict4::Deny, String::new(), "never".into()));
    }

    /// Under `conflicts most_specific` the compiled form keeps every applying
    /// clause (an unbounded list) and names the same deciding clauses as the
    /// evaluator (mutation survivor: that list's items read as clause 0).
    #[test]
    fn under_most_specific_both_engines_name_the_same_deciding_clauses() {
        let text =
            "policy \"Specific\"\n  default allow\n  conflicts most_specific\nroles consultant\nfact n: int \"n\"\n\
                    rule no-posts { when action = post and facts.n >= 5 then deny }\n\
                    rule linkedin-posts { when action = post and channel = linkedin and facts.n >= 7 then allow }\n\
                    rule linkedin-big { when action = post and channel = linkedin and facts.n >= 9 then deny }\n";
        let l = load("specific.policy", text);
        let deciding = |n: i64| agree(&l, &with_n(n, true)).deciding;
        assert_eq!(deciding(5), ["no-posts"]);
        assert_eq!(deciding(7), ["linkedin-posts"]);
        assert_eq!(deciding(9), ["linkedin-big"]);
    }

    /// A covenant `reduced by garden leave` ends on departure + period less
    /// the days of garden leave: the row computes the shifted departure date
    /// it is reduced from, and both engines refuse inside the window and
    /// allow past it (mutation survivor: the reduced date's inputs left out
    /// of the derived slots a bucket computes, so the compiled form could not
    /// decide).
    #[test]
    fn a_window_reduced_by_garden_leave_is_computed_from_the_shifted_departure() {
        let text =
            "policy \"Reduced\"\n  jurisdiction UK\n  timezone \"Europe/London\"\n  default allow\nroles consultant\n\
                    covenant reduced: non_dealing of clients for 6 months\n  reduced by garden leave\n";
        let l = load("reduced.policy", text);
        // Departure 31 Mar, garden leave from 31 Jan (59 days): the window ends on 2 Aug, not 30 Sep.
        let deal = |on: &str| {
            let a = parse_action_json_line(&format!(
                r#"{{"action":"deal","at":"{on}T10:00:00Z","actor":{{"id":"r","role":"consultant","status":"departed","departed_on":"2026-03-31","garden_leave_from":"2026-01-31"}},"channel":"linkedin","target":{{"relationship":"client"}}}}"#
            ))
            .unwrap();
            agree(&l, &a).verdict
        };
        assert_eq!(deal("2026-08-01"), crate::eval::Decision::Deny);
        assert_eq!(deal("2026-08-03"), crate::eval::Decision::Allow);
    }

    /// Several groups dated before the policy's `effective` date: the whole
    /// says so, as one action would (mutation survivor: the whole's
    /// `before_effective` answering `None`, which the batch record and the
    /// service's answer read).
    #[test]
    fn several_groups_dated_before_the_policy_took_effect_say_so() {
        let text = "policy \"Groups\"\n  effective 2026-06-01\n  default allow\nroles consultant\n\
                    rule never { when action = export and contacts.origin = employment then deny }\n";
        let (_, _, c) = load("groups.policy", text);
        let before = |at: &str| {
            let a = parse_action_json_line(&format!(
                r#"{{"action":"export","at":"{at}","actor":{{"id":"a","role":"consultant","status":"employed"}},"contacts":[{{"count":1,"origin":"employment"}},{{"count":2,"origin":"before_employment"}}]}}"#
            ))
            .unwrap();
            let groups = a.group_actions().unwrap();
            c.decide_items(&groups, at.parse().unwrap()).before_effective().map(|b| (b.action_date, b.effective))
        };
        let date = |s: &str| s.parse::<jiff::civil::Date>().unwrap();
        assert_eq!(before("2026-03-16T09:00:00Z"), Some((date("2026-03-16"), date("2026-06-01"))));
        assert_eq!(before("2026-06-02T09:00:00Z"), None);
    }

    /// A bucket (an action and a channel) holds only the clauses that may
    /// apply to its rows: a clause about posts is not in the bucket of
    /// invitations, nor its duty, nor one about twitter in linkedin's
    /// (mutation survivors: the channel-only arm of the buckets' ruling
    /// out deleted; `||` for `&&` beside it; `stat` answering
    /// "cannot tell" for every condition put every clause in every bucket:
    /// the same verdicts, every decision reading every clause).
    #[test]
    fn a_bucket_holds_only_the_clauses_about_its_action_and_channel() {
        let text = "policy \"Buckets\"\n  default allow\nroles consultant\n\
                    rule posts { when action = post and channel = linkedin then allow oblige \"Say that you work for us.\" }\n\
                    rule invites { when action = connect then allow oblige \"Keep it professional.\" }\n\
                    rule tweets { when channel = twitter then deny }\n\
                    rule anything { when actor.status = departed then deny }\n";
        let (_, _, c) = load("buckets.policy", text);
        let bucket = |action: &str, channel: &str| {
            let a = on(action, channel);
            let row = FactRow::from_action_at(&a, &c, "2026-03-16T09:00:00Z".parse().unwrap());
            let b = c.buckets.get(row.bucket as usize).unwrap();
            let duties: Vec<&str> = b
                .duties
                .iter()
                .filter_map(|k| c.duties.get(*k as usize))
                .filter_map(|d| c.decider_id(d.rule))
                .collect();
            (
                b.pass.iter().map(|m| m.bits().iter().map(|w| w.count_ones() as usize).sum::<usize>()).sum::<usize>(),
                duties,
            )
        };
        assert_eq!(bucket("post", "linkedin"), (2, vec!["posts"]));
        assert_eq!(bucket("connect", "linkedin"), (2, vec!["invites"]));
        assert_eq!(bucket("post", "twitter"), (2, vec![]));
        assert_eq!(bucket("connect", "twitter"), (3, vec!["invites"]));
    }

    /// Denies in the first word of a bucket and allows in the next, read in
    /// one accumulator: each clause decides alone when its value is given,
    /// as the evaluator says (mutation survivor: `>` → `==` in the joint
    /// pass's first word started the block at the allows' word, past the
    /// denies, for policies of more than 64 clauses).
    #[test]
    fn denies_and_allows_in_neighbouring_words_each_decide() {
        let mut text = String::from(
            "policy \"Words\"\n  default require approval from manager\nroles consultant, manager\nfact n: int \"n\"\n",
        );
        for i in 0..70 {
            text.push_str(&format!("rule d{i} {{ when facts.n = {i} then deny }}\n"));
        }
        for i in 0..30 {
            text.push_str(&format!("rule a{i} {{ when facts.n = {} then allow }}\n", 100 + i));
        }
        let l = load("words.policy", &text);
        for (n, verdict, by) in
            [(0, "deny", "d0"), (5, "deny", "d5"), (69, "deny", "d69"), (100, "allow", "a0"), (129, "allow", "a29")]
        {
            let v = agree(&l, &with_n(n, false));
            assert_eq!((v.verdict.as_str(), v.deciding.join(",")), (verdict, by.to_string()), "n = {n}");
        }
    }

    #[test]
    fn more_deciding_clauses_than_a_decision_holds_inline_are_all_listed() {
        let l = load("many.policy", &many(12, "allow"));
        for (n, ok, deciding) in
            [(0, false, 1), (7, false, 8), (8, false, 9), (11, false, 12), (11, true, 11), (3, true, 3)]
        {
            let v = agree(&l, &with_n(n, ok));
            assert_eq!(v.verdict, crate::eval::Decision::Deny);
            assert_eq!(v.deciding.len(), deciding, "n = {n}, ok = {ok}");
            // The clause its exception overrides is not among them, nor its duty.
            assert_eq!(v.deciding.contains(&format!("r{n}")), !ok);
            assert_eq!(v.obligations.len(), deciding);
        }
        let v = agree(&l, &with_n(-1, false));
        assert_eq!((v.verdict, v.deciding.len()), (crate::eval::Decision::Allow, 0));
    }

    #[test]
    fn repeated_set_members_and_yes_no_comparisons_decide_as_the_evaluator() {
        use crate::eval::Decision as D;
        let text = "policy \"Edges\"\n  timezone \"Europe/London\"\n  default allow\nroles consultant\nfact ok: bool \"ok\"\nrule brand-twice \"Written with a name twice.\" {\n  when content.kind in {brand, job_ad, brand}\n  then deny\n}\nrule not-ok {\n  when facts.ok = false and content.public = true\n  then deny\n}\n";
        let l = load("edges.policy", text);
        let act = |content: &str, facts: &str| {
            parse_action_json_line(&format!(
                r#"{{"action":"post","at":"2026-03-16T09:00:00Z","actor":{{"id":"a","role":"consultant","status":"employed"}},"channel":"linkedin","content":{content}{facts}}}"#
            ))
            .unwrap()
        };
        let cases = [
            (r#"{"kind":["brand"]}"#, "", D::Deny, "brand-twice"),
            (r#"{"kind":["industry","job_ad"]}"#, "", D::Deny, "brand-twice"),
            (r#"{"kind":["industry"],"public":true}"#, r#","facts":{"ok":false}"#, D::Deny, "not-ok"),
            (r#"{"kind":["industry"],"public":true}"#, r#","facts":{"ok":true}"#, D::Allow, ""),
            (r#"{"kind":["industry"],"public":false}"#, r#","facts":{"ok":false}"#, D::Allow, ""),
        ];
        for (content, facts, verdict, by) in cases {
            let v = agree(&l, &act(content, facts));
            assert_eq!((v.verdict, v.deciding.join(",")), (verdict, by.to_string()), "{content} {facts}");
        }
    }

    #[test]
    fn numbered_thresholds_decide_as_the_evaluator_for_every_comparison() {
        for op in [">", ">=", "<", "<="] {
            // Eight clauses `facts.n OP 1`, `facts.n OP 3`, ... `facts.n OP 15`: the index keeps them as thresholds.
            let mut p = "policy \"Thresholds\"\n  timezone \"Europe/London\"\n  default allow\nroles consultant\nfact n: int \"n\"\nfact ok: bool \"ok\"\n".to_string();
            for i in 0..8 {
                p.push_str(&format!("rule t{i} {{\n  when facts.n {op} {}\n  then deny\n}}\n", 2 * i + 1));
            }
            let l = load("thresholds.policy", &p);
            for n in -1..=17 {
                let v = agree(&l, &with_n(n, false));
                let want = (0..8i64)
                    .filter(|i| {
                        let t = 2 * i + 1;
                        match op {
                            ">" => n > t,
                            ">=" => n >= t,
                            "<" => n < t,
                            _ => n <= t,
                        }
                    })
                    .map(|i| format!("t{i}"))
                    .collect::<Vec<_>>();
                assert_eq!(v.deciding, want, "facts.n = {n}, op {op}");
            }
        }
    }

    #[test]
    fn a_share_limit_without_the_weeks_posts_is_undecided_in_both_engines() {
        // Castlegate's `at most 40% job_ad posts per week`: this week's job ads given, all posts not.
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/protective-agency.policy"),
        )
        .unwrap();
        let l = load("protective-agency.policy", &text);
        let ad = parse_action_json_line(r#"{"action":"post","at":"2026-03-16T09:00:00Z","actor":{"id":"a","role":"consultant","team":"recruiting","status":"employed","acknowledged_policy":true},"channel":"linkedin","content":{"kind":["job_ad"]},"history":{"posts_today":0,"job_ads_this_week":3},"facts":{"states_agency_name":true,"states_temp_or_perm":true,"hirer_authority":true}}"#).unwrap();
        let v = agree(&l, &ad);
        assert_eq!(v.verdict, crate::eval::Decision::Indeterminate, "{}", v.summary);
        assert!(v.missing.contains(&"history.posts_this_week".to_string()), "{:?}", v.missing);
    }

    #[test]
    fn the_index_visits_only_the_clauses_that_may_apply() {
        let l = load("combining.policy", crate::eval::tests::POLICY);
        let post = parse_action_json_line(r#"{"action":"post","actor":{"id":"a","role":"consultant","status":"employed"},"channel":"linkedin","content":{"kind":["industry"]}}"#).unwrap();
        let row = FactRow::from_action_at(&post, &l.2, now());
        let visited = l.2.candidates(&row);
        // Not the two clauses about invitations; the exceptions are counted.
        assert!(visited > 0 && visited < l.1.rules.len(), "{visited} of {}", l.1.rules.len());
        let many = load("many.policy", &many(12, "allow"));
        let row = FactRow::from_action_at(&with_n(3, false), &many.2, now());
        // Every exception is tried for what it overrides; of the clauses, the
        // index leaves only the four denies `facts.n >= 0` to `>= 3` (not the
        // exceptions as clauses: `facts.ok` is false), out of 24.
        assert_eq!(many.2.candidates(&row), 12 + 4);
    }

    /// Six clauses on facts of their own (they keep the index from splitting on
    /// `action` or `channel`), and `clauses` (id, condition on `action` or
    /// `channel`), each also on `facts.f0`: the policy of the bucket tests.
    fn bucket_policy(clauses: &[(&str, &str)]) -> (SourceFile, Policy, Compiled) {
        let mut text =
            "policy \"Buckets\"\n  timezone \"Europe/London\"\n  default allow\nroles consultant\n".to_string();
        for k in 0..6 {
            text.push_str(&format!("fact f{k}: bool \"f{k}\"\nrule g{k} {{\n  when facts.f{k}\n  then deny\n}}\n"));
        }
        for (id, when) in clauses {
            text.push_str(&format!("rule {id} {{\n  when {when} and facts.f0\n  then deny\n}}\n"));
        }
        load("buckets.policy", &text)
    }

    /// A bucket holds only the clauses its action and channel allow: a test
    /// of `action` or `channel` (`=`, `!=`, `in`) that is false for the
    /// bucket's name, or for a name the policy never mentions, drops the
    /// clause at compile time. (Kept, it would be visited and found false:
    /// only the count shows it.) Six other clauses keep the index from
    /// splitting on `action` or `channel` instead.
    #[test]
    fn a_bucket_holds_only_the_clauses_its_action_and_channel_allow() {
        let l = bucket_policy(&[
            ("to-connect", "action = connect"),
            ("not-post", "action != post"),
            ("two-channels", "channel in {twitter, facebook}"),
            ("on-twitter", "channel = twitter"),
            ("on-instagram", "channel = instagram"),
        ]);
        let visited = |action: &str, channel: &str| {
            let a = on(action, channel);
            l.2.candidates(&FactRow::from_action_at(&a, &l.2, now()))
        };
        // linkedin is a channel no clause names; instagram is named, but not in the set.
        assert_eq!(visited("post", "linkedin"), 6);
        assert_eq!(visited("post", "instagram"), 7);
        assert_eq!(visited("post", "facebook"), 7);
        assert_eq!(visited("connect", "twitter"), 10);
    }

    /// Once a deny applies the allows and approvals decide nothing, and
    /// their pass does not run; it runs when no deny applies, or when one
    /// applying does not settle it (`conflicts indeterminate`).
    #[test]
    fn the_pass_of_the_allows_runs_only_when_no_deny_settles() {
        let policy = |conflicts: &str| {
            format!(
                "policy \"Passes\"\n  timezone \"Europe/London\"\n  default allow\n{conflicts}roles consultant, manager\n\
                 fact n: int \"n\"\nrule big {{\n  when facts.n >= 5\n  then deny\n}}\n\
                 rule small {{\n  when facts.n >= 1\n  then allow\n}}\n"
            )
        };
        let l = load("passes.policy", &policy(""));
        let run = |l: &(SourceFile, Policy, Compiled), n: i64| {
            let row = FactRow::from_action_at(&with_n(n, true), &l.2, now());
            let r: Run<Inline> = l.2.run(&row);
            (r.verdict, r.lower)
        };
        assert_eq!(run(&l, 7), (Verdict4::Deny, false));
        assert_eq!(run(&l, 3), (Verdict4::Allow, true));
        assert_eq!(run(&l, 0), (Verdict4::Allow, true));
        for n in [0, 3, 7] {
            agree(&l, &with_n(n, true));
        }
        let l = load("passes.policy", &policy("  conflicts indeterminate\n"));
        assert_eq!(run(&l, 7), (Verdict4::Indeterminate, true));
        agree(&l, &with_n(7, true));
        // The same with the passes apart (300 denies: five words), each pass run on its own
        // (mutation survivor: `&&` → `||` ran the allows' pass after a deny applied).
        let mut text = policy("");
        for i in 100..400 {
            text.push_str(&format!("rule no-{i} {{\n  when facts.n = {i}\n  then deny\n}}\n"));
        }
        // Passes close together past the first words share one accumulator: 130 denies about
        // twitter fill words 0-2, linkedin's deny and allow sit in word 2 (mutation survivor:
        // `hi - lo` → `hi + lo` split them).
        let mut late = String::from("policy \"Late\"\n  default allow\nroles consultant\nfact n: int \"n\"\n");
        for i in 0..130 {
            late.push_str(&format!("rule tw-{i} {{\n  when channel = twitter and facts.n = {i}\n  then deny\n}}\n"));
        }
        late.push_str("rule li-no {\n  when channel = linkedin and facts.n = 9\n  then deny\n}\n");
        late.push_str("rule li-yes {\n  when channel = linkedin and facts.n = 8\n  then allow\n}\n");
        let l = load("late.policy", &late);
        let bucket = l.2.buckets.get(FactRow::from_action_at(&with_n(9, true), &l.2, now()).bucket as usize);
        assert!(bucket.is_some_and(|b| b.joint), "one accumulator in word 2");
        for n in [8, 9, 10] {
            agree(&l, &with_n(n, true));
        }
        let l = load("apart.policy", &text);
        let bucket = l.2.buckets.get(FactRow::from_action_at(&with_n(7, true), &l.2, now()).bucket as usize);
        assert!(bucket.is_some_and(|b| !b.joint), "the passes are apart");
        assert_eq!(run(&l, 7), (Verdict4::Deny, false));
        assert_eq!(run(&l, 150), (Verdict4::Deny, false));
        assert_eq!(run(&l, 3), (Verdict4::Allow, true));
        for n in [3, 7, 150, 400] {
            agree(&l, &with_n(n, true));
        }
    }

    /// A policy naming more channels than the buckets are chosen by has one bucket per
    /// action, the channel asked at decision time, and decides as the evaluator does; a
    /// few channels keep their buckets.
    #[test]
    fn many_channels_named_make_no_channel_buckets_and_decide_alike() {
        let policy = |n: usize| {
            let mut text = "policy \"Channels\"\n  default allow\nroles consultant\n".to_string();
            for i in 0..n {
                let then = if i % 2 == 0 { "deny" } else { "require approval from consultant" };
                text.push_str(&format!("rule r{i} {{ when action = post and channel = z{i} then {then} }}\n"));
            }
            text.push_str("rule no-tweets { when channel = twitter and action != comment then deny }\n");
            load("channels.policy", &text)
        };
        let act = |action: &str, channel: Option<&str>| {
            let channel = channel.map_or(String::new(), |c| format!(r#","channel":"{c}""#));
            parse_action_json_line(&format!(
                r#"{{"action":"{action}","at":"2026-03-16T09:00:00Z","actor":{{"id":"a","role":"consultant","status":"employed"}}{channel}}}"#
            ))
            .unwrap()
        };
        let few = policy(20);
        assert!(few.2.by_channel && few.2.buckets.len() > few.2.action_ids.len() + 1);
        let many = policy(CHANNEL_BUCKETS + 50);
        assert!(!many.2.by_channel);
        assert_eq!(many.2.buckets.len(), many.2.action_ids.len() + 1, "one bucket per action");
        for l in [&few, &many] {
            assert_eq!(agree(l, &act("post", Some("z4"))).verdict, crate::eval::Decision::Deny);
            assert_eq!(agree(l, &act("post", Some("z7"))).verdict, crate::eval::Decision::RequireApproval);
            assert_eq!(agree(l, &act("share", Some("z4"))).verdict, crate::eval::Decision::Allow);
            assert_eq!(agree(l, &act("post", Some("elsewhere"))).verdict, crate::eval::Decision::Allow);
            assert_eq!(agree(l, &act("share", Some("twitter"))).verdict, crate::eval::Decision::Deny);
            assert_eq!(agree(l, &act("comment", Some("twitter"))).verdict, crate::eval::Decision::Allow);
            agree(l, &act("post", None));
        }
    }

    /// A fact compared with thousands of numbers, each by a clause of its own, is past
    /// the index's budget for one key: its tests are left to the clauses' residuals (the
    /// key would cost classes × clauses to build), and the compiled form still decides as
    /// the evaluator does. A few hundred stay indexed.
    #[test]
    fn a_key_past_the_budget_is_left_to_the_residuals_and_decides_alike() {
        let policy = |n: usize| {
            let mut text = "policy \"Counts\"\n  default allow\nroles consultant\n".to_string();
            for i in 0..n {
                text.push_str(&format!("rule r{i} {{ when action = post and history.posts_today = {i} then deny }}\n"));
            }
            load("counts.policy", &text)
        };
        let post = |n: usize| {
            parse_action_json_line(&format!(
                r#"{{"action":"post","at":"2026-03-16T09:00:00Z","actor":{{"id":"a","role":"consultant","status":"employed"}},"channel":"linkedin","history":{{"posts_today":{n}}}}}"#
            ))
            .unwrap()
        };
        let few = policy(300);
        assert!(few.2.index.entries().iter().all(|e| e.exact), "300 constants are indexed");
        let many = policy(1_600);
        assert!(many.2.index.entries().iter().all(|e| !e.exact), "1,600 constants are past the budget");
        for l in [&few, &many] {
            assert_eq!(agree(l, &post(7)).deciding, ["r7"]);
            assert_eq!(agree(l, &post(299)).verdict, crate::eval::Decision::Deny);
            assert_eq!(agree(l, &post(5_000)).verdict, crate::eval::Decision::Allow);
        }
        assert_eq!(agree(&many, &post(1_599)).deciding, ["r1599"]);
    }

    /// The index visits the denies before the other clauses, each in clause
    /// order: the deciding clauses are listed in clause order.
    #[test]
    fn deciding_clauses_are_listed_in_clause_order_whatever_the_index_visits_first() {
        let text = "policy \"Order\"\n  timezone \"Europe/London\"\n  default allow\nroles consultant\nfact n: int \"n\"\nfact ok: bool \"ok\"\nrule brand {\n  when content.kind has brand\n  then deny\n}\nrule job-ad {\n  when content.kind has job_ad\n  then deny\n}\nrule public {\n  when content.public\n  then deny\n}\n";
        let l = load("order.policy", text);
        let post = parse_action_json_line(r#"{"action":"post","at":"2026-03-16T09:00:00Z","actor":{"id":"a","role":"consultant","status":"employed"},"channel":"linkedin","content":{"kind":["brand"],"public":true}}"#).unwrap();
        assert!(l.2.index.entries().iter().all(|e| e.exact), "the index decides every clause");
        assert_eq!(agree(&l, &post).deciding, ["brand", "public"]);
        let d = l.2.decide(&FactRow::from_action_at(&post, &l.2, now()));
        assert_eq!(d.deciding(), [0, 2]);
        // Limits falling as the clauses go on: the index holds them the other way round.
        let mut text = "policy \"Falling\"\n  timezone \"Europe/London\"\n  default allow\nroles consultant\nfact n: int \"n\"\nfact ok: bool \"ok\"\n".to_string();
        for i in 0..4 {
            text.push_str(&format!("rule t{i} {{\n  when facts.n >= {}\n  then deny\n}}\n", 10 - i));
        }
        let l = load("falling.policy", &text);
        assert_eq!(agree(&l, &with_n(9, false)).deciding, ["t1", "t2", "t3"]);
        assert_eq!(l.2.decide(&FactRow::from_action_at(&with_n(9, false), &l.2, now())).deciding(), [1, 2, 3]);
    }

    #[test]
    fn exceptions_past_the_small_bitset_override_their_own_clause_only() {
        let l = load("many.policy", &many(1100, "deny"));
        for n in [1, 63, 64, 1023, 1024, 1099] {
            let v = agree(&l, &with_n(n, true));
            assert_eq!(v.verdict, crate::eval::Decision::Deny, "n = {n}");
            assert!(!v.deciding.contains(&format!("r{n}")), "n = {n}: overridden");
            assert_eq!(v.deciding.len(), usize::try_from(n).unwrap(), "n = {n}");
        }
    }

    /// When no clause applies and two sections cover the action, the strictest
    /// of their defaults decides, in whichever order the sections are written
    /// (docs/language.md, section 16, step 5; a mutation survivor: the loosest
    /// went unnoticed).
    #[test]
    fn the_strictest_section_default_decides_in_either_order() {
        let general = "posting {\n  default allow\n}\n";
        let linkedin = "posting on linkedin {\n  default require approval from manager\n}\n";
        let twitter = "posting on twitter {\n  default deny\n}\n";
        for sections in [[general, linkedin, twitter], [twitter, linkedin, general]] {
            let text = format!("policy \"Defaults\" default allow\nroles consultant, manager\n{}", sections.concat());
            let l = load("defaults.policy", &text);
            for (channel, want) in [
                ("linkedin", crate::eval::Decision::RequireApproval),
                ("twitter", crate::eval::Decision::Deny),
                ("facebook", crate::eval::Decision::Allow),
            ] {
                let action = parse_action_json_line(&format!(
                    r#"{{"action":"post","at":"2026-03-16T09:00:00Z","actor":{{"id":"a","role":"consultant","status":"employed"}},"channel":"{channel}","content":{{"kind":["industry"]}}}}"#
                ))
                .unwrap();
                assert_eq!(agree(&l, &action).verdict, want, "{channel}: {text}");
            }
        }
    }

    /// Every clause of a bucket is a member of it, at every word boundary of the
    /// members' bits (clause 63, 64, 127, 128 …): each of 140 clauses decides
    /// alone once, in both engines (a mutation survivor: the 64th clause's bit
    /// put in the next word went unnoticed).
    #[test]
    fn each_clause_past_a_word_boundary_is_a_member_of_its_bucket() {
        let mut text = String::from("policy \"Boundaries\" default allow\nroles consultant\nfact n: int \"n\"\n");
        for i in 0..140 {
            text.push_str(&format!("rule r{i} {{\n  when action = post and facts.n = {i}\n  then deny\n}}\n"));
        }
        let l = load("boundaries.policy", &text);
        for n in 0..141 {
            let v = agree(&l, &with_n(n, false));
            let want: &[String] = if n < 140 { &[format!("r{n}")] } else { &[] };
            assert_eq!(v.deciding, want, "n = {n}");
        }
    }

    /// A bucket whose clauses fill one word only in part and the next in
    /// full: each clause of the second word decides alone, in both engines
    /// (mutation survivor: the pass's bits of the second word read from the
    /// first, which dropped a clause whose bit the first word lacks).
    #[test]
    fn a_clause_of_a_later_word_is_not_masked_by_the_first_words_members() {
        let mut text = String::from("policy \"Words\" default allow\nroles consultant\nfact n: int \"n\"\n");
        // Below 64, the odd clauses are about twitter: the linkedin bucket holds every other bit of word 0.
        let channel = |i: i64| if i < 64 && i % 2 == 1 { "twitter" } else { "linkedin" };
        for i in 0..128 {
            text.push_str(&format!(
                "rule r{i} {{\n  when action = post and channel = {} and facts.n = {i}\n  then deny\n}}\n",
                channel(i)
            ));
        }
        let l = load("words.policy", &text);
        for n in 0..128 {
            let v = agree(&l, &with_n(n, false));
            let want: &[String] = if channel(n) == "linkedin" { &[format!("r{n}")] } else { &[] };
            assert_eq!(v.deciding, want, "n = {n}");
        }
    }

    /// `only` some kinds of post, the kind given as one name rather than a
    /// list: a kind outside is refused, one inside is not, in both engines.
    #[test]
    fn only_some_kinds_reads_a_kind_given_as_one_name() {
        let text = "policy \"Only\" default allow\nroles consultant\nposting on linkedin {\n  only brand, job_ad\n}\n";
        let l = load("only.policy", text);
        let post = |kind: &str| {
            let a = parse_action_json_line(&format!(
                r#"{{"action":"post","at":"2026-03-16T09:00:00Z","actor":{{"id":"a","role":"consultant","status":"employed"}},"channel":"linkedin","content":{{"kind":{kind}}}}}"#
            ))
            .unwrap();
            agree(&l, &a).verdict
        };
        use crate::eval::Decision::{Allow, Deny};
        assert_eq!([post(r#""job_ad""#), post(r#""industry""#)], [Allow, Deny]);
        assert_eq!([post(r#"["job_ad","brand"]"#), post(r#"["job_ad","industry"]"#)], [Allow, Deny]);
    }

    /// More approver roles than the decision's 64 approver bits: the bits hold
    /// the first 64 (by first mention), and the outcome still names every one,
    /// as the evaluator does.
    #[test]
    fn approvers_past_the_64_bits_are_named_but_not_in_the_bits() {
        let roles: Vec<String> = (0..70).map(|i| format!("approver_{i:02}")).collect();
        let mut text = format!("policy \"Many approvers\" default allow\n\nroles consultant, {}\n", roles.join(", "));
        for r in &roles {
            text.push_str(&format!("\nrule ask-{r} {{\n  when action = post\n  then require approval from {r}\n}}\n"));
        }
        let l = load("approvers.policy", &text);
        let action = with_n(1, false);
        let v = agree(&l, &action);
        assert_eq!(v.verdict, crate::eval::Decision::RequireApproval);
        assert_eq!(v.approvers, roles);
        let d = l.2.decide(&FactRow::from_action_at(&action, &l.2, now()));
        assert_eq!(d.approvers, u64::MAX, "the first 64 roles, one bit each");
    }

    /// A policy that reads a text of the action (`contains`) is not read by the
    /// batch's in-place reader, which keeps no text: the line is parsed in full,
    /// and the verdict is the evaluator's (a mutation survivor: with the flag
    /// never set, the in-place row lacked the text and the brand rule never held).
    #[test]
    fn a_policy_reading_texts_is_not_read_in_place() {
        let text = "policy \"Brands\" default allow\n\nroles consultant, marketing\n\nbrand names {\"Brightwater\"}\n\n\
                    rule brand \"Personal accounts do not speak in the agency's name.\" {\n  \
                    when action = post and content.text contains a brand name\n  then require approval from marketing\n}\n";
        let l = load("brands.policy", text);
        assert!(l.2.reads_text);
        let line = r#"{"action":"post","at":"2026-03-16T09:00:00Z","actor":{"id":"a","role":"consultant","status":"employed"},"channel":"linkedin","content":{"text":"Join BRIGHTWATER today"}}"#;
        let action = parse_action_json_line(line).unwrap();
        assert_eq!(agree(&l, &action).verdict, crate::eval::Decision::RequireApproval);
        let vocab = crate::data::flat::Vocabulary::new(&l.1.decls);
        let mut reader = crate::data::flat::LineReader::new(&vocab);
        assert!(!FactRow::default().read_json(line, &mut reader, &l.2, now()), "read in place without its text");
    }

    #[test]
    fn the_compiled_combining_matches_what_the_rules_say() {
        use crate::eval::Decision as D;
        let l = load("combining.policy", crate::eval::tests::POLICY);
        let post = |content: &str, more: &str| {
            parse_action_json_line(&format!(
                r#"{{"action":"post","at":"2026-03-16T09:00:00Z","actor":{{"id":"a","role":"consultant","status":"employed"}},"channel":"linkedin","content":{}{more}}}"#,
                crate::eval::tests::flags_given(content)
            ))
            .unwrap()
        };
        /// Content, more fields, verdict, deciding clauses, approvers.
        type Case<'a> = (&'a str, &'a str, D, &'a [&'a str], &'a [&'a str]);
        let cases: [Case<'_>; 8] = [
            (r#"{"kind":["industry"]}"#, "", D::Allow, &["industry-news"], &[]),
            (
                r#"{"kind":["industry"],"names_client":true}"#,
                r#","facts":{"client_consented":false}"#,
                D::Deny,
                &["no-client-names"],
                &[],
            ),
            (
                r#"{"kind":["industry"],"names_client":true}"#,
                r#","facts":{"client_consented":true}"#,
                D::Allow,
                &["client-consented", "industry-news"],
                &[],
            ),
            (
                r#"{"kind":["industry"],"confidential":true}"#,
                r#","facts":{"client_consented":true}"#,
                D::Deny,
                &["no-confidential"],
                &[],
            ),
            (
                r#"{"kind":["brand"],"public":true}"#,
                "",
                D::RequireApproval,
                &["brand-marketing", "brand-public"],
                &["marketing", "manager", "compliance"],
            ),
            (r#"{"kind":["brand"]}"#, r#","approval":{"granted_by":"manager"}"#, D::Allow, &["brand-marketing"], &[]),
            (
                r#"{"kind":["brand"]}"#,
                r#","approval":{"granted_by":"compliance"}"#,
                D::RequireApproval,
                &["brand-marketing"],
                &["marketing", "manager"],
            ),
            (r#"{"kind":["job_ad"]}"#, "", D::Allow, &[], &[]),
        ];
        for (content, more, verdict, deciding, approvers) in cases {
            let v = agree(&l, &post(content, more));
            assert_eq!(
                (v.verdict, v.deciding.as_slice(), v.approvers.as_slice()),
                (
                    verdict,
                    &deciding.iter().map(|s| s.to_string()).collect::<Vec<_>>()[..],
                    &approvers.iter().map(|s| s.to_string()).collect::<Vec<_>>()[..]
                ),
                "{content} {more}"
            );
        }
        // Under `conflicts indeterminate`, a disagreement decides nothing.
        let l = load(
            "c.policy",
            &crate::eval::tests::POLICY.replace("  default allow", "  default allow\n  conflicts indeterminate"),
        );
        let v =
            agree(&l, &post(r#"{"kind":["industry"],"names_client":true}"#, r#","facts":{"client_consented":false}"#));
        assert_eq!((v.verdict, v.deciding.len()), (D::Indeterminate, 2));
    }

    /// A policy default requiring approval decides with its approvers in the
    /// compiled form too (mutation survivor, round 9: the policy default's arm
    /// of the approvers' fallback deleted; no test had a policy default
    /// requiring approval decide alone).
    #[test]
    fn a_policy_default_requiring_approval_names_its_approvers() {
        let text = "policy \"Held\"\n  default require approval from marketing\nroles consultant, marketing\n\
                    rule no-tiktok { when action = post and channel = tiktok then deny }\n";
        let l = load("held.policy", text);
        let v = agree(&l, &with_n(1, true));
        assert_eq!(
            (v.verdict, v.approvers.as_slice()),
            (crate::eval::Decision::RequireApproval, &["marketing".to_string()][..])
        );
    }

    /// In a bucket named for its channel only the channel's slot is fixed: a
    /// clause about LinkedIn that tests the role is still read on the role
    /// (mutation survivor, round 9: `Some(slot) == chan_slot` → `!=` fixed every
    /// other slot to the channel's name, and a key whose class for that name
    /// rules nothing out was dropped from the bucket).
    #[test]
    fn a_channel_bucket_still_reads_the_other_facts_of_its_clauses() {
        let text = "policy \"Interns\"\n  default allow\nroles consultant, intern\n\
                    rule no-interns { when channel = linkedin and actor.role != intern then deny }\n";
        let l = load("interns.policy", text);
        let post = |role: &str| {
            parse_action_json_line(&format!(
                r#"{{"action":"post","at":"2026-03-16T09:00:00Z","actor":{{"id":"a","role":"{role}","status":"employed"}},"channel":"linkedin"}}"#
            ))
            .unwrap()
        };
        assert_eq!(agree(&l, &post("intern")).verdict, crate::eval::Decision::Allow);
        assert_eq!(agree(&l, &post("consultant")).verdict, crate::eval::Decision::Deny);
    }

    /// A hand-over duty falls due counted from the request when one was made,
    /// else from the departure (`Term::FirstOf`), in both engines. (Written for
    /// round 9's survivor that leaves the first-of slot's inputs out of the
    /// derived slots a bucket computes; that mutant is equivalent: the inputs
    /// are always facts of the action, which every row holds.)
    #[test]
    fn a_hand_over_falls_due_from_the_request_when_one_was_made() {
        let text = "policy \"Hand over\"\n  jurisdiction UK\n  timezone \"Europe/London\"\n  default allow\nroles consultant\n\n\
                    on departure {\n  return-credentials: hand over credentials within 3 days\n}\n";
        let l = load("hand-over.policy", text);
        let hand_over = |request: &str| {
            parse_action_json_line(&format!(
                r#"{{"action":"hand_over","at":"2026-03-12T10:00:00Z","actor":{{"id":"a","role":"consultant","status":"departed","departed_on":"2026-03-01"}},"account":{{"kind":"branded"}}{request}}}"#
            ))
            .unwrap()
        };
        // Departed on 1 March: overdue from 4 March; asked on 10 March: due by 13 March.
        assert_eq!(agree(&l, &hand_over("")).verdict, crate::eval::Decision::Deny);
        assert_eq!(
            agree(&l, &hand_over(r#","request":{"made_on":"2026-03-10"}"#)).verdict,
            crate::eval::Decision::Allow
        );
    }

    /// `only` kinds: a post is refused when one of its kinds lies outside the
    /// list, in both engines (mutation survivor, round 10: `!` deleted in the
    /// compiled test of a list, so a post of listed kinds only was refused).
    #[test]
    fn only_refuses_a_post_with_a_kind_outside_the_list() {
        let text = "policy \"Only\"\n  default allow\nroles consultant\n\nposting on linkedin {\n  only-0: only brand, industry\n}\n";
        let l = load("only.policy", text);
        let post = |kinds: &str| {
            parse_action_json_line(&format!(
                r#"{{"action":"post","at":"2026-03-16T09:00:00Z","actor":{{"id":"a","role":"consultant","status":"employed"}},"channel":"linkedin","content":{{"kind":{kinds}}}}}"#
            ))
            .unwrap()
        };
        assert_eq!(agree(&l, &post(r#"["brand"]"#)).verdict, crate::eval::Decision::Allow);
        assert_eq!(agree(&l, &post(r#"["brand","industry"]"#)).verdict, crate::eval::Decision::Allow);
        assert_eq!(agree(&l, &post(r#"["viral"]"#)).verdict, crate::eval::Decision::Deny);
        assert_eq!(agree(&l, &post(r#"["brand","viral"]"#)).verdict, crate::eval::Decision::Deny);
    }

    /// `has` of a fact holding one value: the value has itself and nothing
    /// else, in both engines (mutation survivor, round 10: `==` → `!=` in the
    /// compiled `has` of a single value).
    #[test]
    fn a_single_value_has_itself_in_both_engines() {
        let text =
            "policy \"Band\"\n  default allow\nroles consultant\nfact band: enum { junior, senior } \"The band.\"\n\
                    rule seniors { when action = post and facts.band has senior then deny }\n";
        let l = load("band.policy", text);
        let post = |band: &str| {
            parse_action_json_line(&format!(
                r#"{{"action":"post","at":"2026-03-16T09:00:00Z","actor":{{"id":"a","role":"consultant","status":"employed"}},"channel":"linkedin","facts":{{"band":"{band}"}}}}"#
            ))
            .unwrap()
        };
        assert_eq!(agree(&l, &post("senior")).verdict, crate::eval::Decision::Deny);
        assert_eq!(agree(&l, &post("junior")).verdict, crate::eval::Decision::Allow);
    }

    /// A clause kept for every name it does not mention is taken out of the
    /// buckets of the names it rules out (`!=`), whatever its bit in the index
    /// (mutation survivor, round 11: `b / 64` → `b * 64` in `Group::remove`
    /// cleared the right bit only for the clause at bit 0).
    #[test]
    fn a_clause_about_every_name_but_one_leaves_that_names_buckets() {
        let l = bucket_policy(&[
            ("not-twitter", "channel != twitter"),
            ("not-facebook", "channel != facebook"),
            ("not-post", "action != post"),
            ("not-share", "action != share"),
        ]);
        // The clauses of the bucket (its passes' bits; the index would rule the others out at
        // decision time all the same, so the count of clauses visited does not show them).
        let visited = |action: &str, channel: &str| {
            let a = on(action, channel);
            let b = l.2.buckets.get(FactRow::from_action_at(&a, &l.2, now()).bucket as usize).unwrap();
            b.pass.iter().map(|m| m.bits().iter().map(|w| w.count_ones() as usize).sum::<usize>()).sum::<usize>()
        };
        // The six general clauses, and the four less those about this action or channel.
        assert_eq!(visited("post", "twitter"), 6 + 2);
        assert_eq!(visited("post", "linkedin"), 6 + 3);
        assert_eq!(visited("share", "facebook"), 6 + 2);
        assert_eq!(visited("connect", "twitter"), 6 + 3);
    }

    /// A many-group action's duties are every group's, each once, in group
    /// order, as the service answers them (mutation survivor, round 11:
    /// `ItemsOutcome::obligations` answering none).
    #[test]
    fn a_many_group_action_lists_each_groups_duties_once() {
        let text = "policy \"Groups\"\n  default allow\nroles consultant\n\
                    rule log-agency { when action = export and contacts.origin = agency_database then allow oblige \"Log the export.\" }\n\
                    rule note-own { when action = export and contacts.origin = before_employment then allow oblige \"Keep a note.\" }\n";
        let (_, _, c) = load("duties.policy", text);
        let a = parse_action_json_line(
            r#"{"action":"export","at":"2026-03-16T09:00:00Z","actor":{"id":"a","role":"consultant","status":"employed"},"contacts":[{"count":10,"origin":"before_employment"},{"count":20,"origin":"agency_database"},{"count":5,"origin":"before_employment"}]}"#,
        )
        .unwrap();
        let groups = a.group_actions().unwrap();
        let d = c.decide_items(&groups, "2026-03-16T09:00:00Z".parse().unwrap());
        let duties: Vec<(String, String)> = d.obligations().into_iter().map(|o| (o.text, o.rule)).collect();
        assert_eq!(
            duties,
            [
                ("Keep a note.".to_string(), "note-own".to_string()),
                ("Log the export.".to_string(), "log-agency".to_string())
            ]
        );
    }

    /// Two times of the same day compare by the time, in both engines
    /// (mutation survivor, round 11: the compiled comparison of two
    /// timestamps deleted, so it could not be made).
    #[test]
    fn two_times_of_one_day_compare_by_the_time() {
        let text = "policy \"Late\"\n  default allow\nroles consultant\n\
                    rule late { when action = post and at > 2026-03-16T12:00:00Z then deny }\n";
        let l = load("late.policy", text);
        let post = |at: &str| {
            parse_action_json_line(&format!(
                r#"{{"action":"post","at":"{at}","actor":{{"id":"a","role":"consultant","status":"employed"}},"channel":"linkedin"}}"#
            ))
            .unwrap()
        };
        assert_eq!(agree(&l, &post("2026-03-16T10:00:00Z")).verdict, crate::eval::Decision::Allow);
        assert_eq!(agree(&l, &post("2026-03-16T14:00:00Z")).verdict, crate::eval::Decision::Deny);
    }

    /// A duty due from a declared date fact refuses once overdue in the compiled form as
    /// in the evaluator: the row computes the declared fact the due date is counted from.
    /// (Written for round 13's survivor, the first-of arm of `derived_read` deleted: it
    /// holds either way, since the duty's start marks the same fact; that mutant is
    /// equivalent.)
    #[test]
    fn a_duty_due_from_a_declared_date_refuses_once_overdue() {
        let text = "policy \"Errors\"\n  timezone \"Europe/London\"\n  default allow\nroles consultant\n\
                    fact error_found_on: date \"When an error was found.\"\n\
                    rule correct-errors { when action = post then allow oblige \"Correct it.\" as correct within 1 business day of facts.error_found_on }\n";
        let l = load("errors.policy", text);
        let post = |found: &str| {
            parse_action_json_line(&format!(
                r#"{{"action":"post","at":"2026-03-16T09:00:00Z","actor":{{"id":"a","role":"consultant","status":"employed"}},"channel":"linkedin","facts":{{"error_found_on":"{found}"}},"done":[]}}"#
            ))
            .unwrap()
        };
        assert_eq!(agree(&l, &post("2026-03-02")).verdict, crate::eval::Decision::Deny);
        assert_eq!(agree(&l, &post("2026-03-16")).verdict, crate::eval::Decision::Allow);
    }

    /// An approval counts in the compiled form only from the day it was given, the
    /// action's day read in the policy's time zone (mutation survivor, round 13:
    /// `day_of` → a default date counted no approval dated in our era).
    #[test]
    fn an_approval_counts_from_the_day_it_was_given_in_the_compiled_form() {
        let text = "policy \"Brand\"\n  timezone \"Europe/London\"\n  default allow\nroles consultant, marketing\n\
                    rule brand { when action = post and content.kind has brand then require approval from marketing }\n";
        let l = load("brand.policy", text);
        let post = |given_on: &str| {
            parse_action_json_line(&format!(
                r#"{{"action":"post","at":"2026-03-16T09:00:00Z","actor":{{"id":"a","role":"consultant","status":"employed"}},"channel":"linkedin","content":{{"kind":["brand"]}},"approval":{{"granted_by":"marketing","given_on":"{given_on}"}}}}"#
            ))
            .unwrap()
        };
        assert_eq!(agree(&l, &post("2026-03-16")).verdict, crate::eval::Decision::Allow);
        assert_eq!(agree(&l, &post("2026-03-17")).verdict, crate::eval::Decision::RequireApproval);
        // An action with its own `at` makes the same row whatever the clock says.
        let dated = post("2026-03-16");
        assert_eq!(FactRow::from_action(&dated, &l.2), FactRow::from_action_at(&dated, &l.2, now()));
    }

    /// Under `most_specific`, a more specific refusal that cannot be decided (its fact not
    /// given) could beat the general permission that applies: the verdict waits for it
    /// (mutation survivor, round 13: `!` deleted kept only the undecided clauses already
    /// beaten, and the permission decided).
    #[test]
    fn an_undecided_clause_that_could_win_holds_the_verdict_under_most_specific() {
        let text = "policy \"Specific\"\n  default deny\n  conflicts most_specific\nroles consultant\n\
                    rule posts-ok { when action = post then allow }\n\
                    rule no-client-news { when action = post and channel = linkedin and content.names_client then deny }\n";
        let l = load("specific.policy", text);
        let post = |content: &str| {
            parse_action_json_line(&format!(
                r#"{{"action":"post","at":"2026-03-16T09:00:00Z","actor":{{"id":"a","role":"consultant","status":"employed"}},"channel":"linkedin","content":{content}}}"#
            ))
            .unwrap()
        };
        assert_eq!(agree(&l, &post(r#"{"kind":["industry"]}"#)).verdict, crate::eval::Decision::Indeterminate);
        assert_eq!(agree(&l, &post(r#"{"names_client":true}"#)).verdict, crate::eval::Decision::Deny);
        assert_eq!(agree(&l, &post(r#"{"names_client":false}"#)).verdict, crate::eval::Decision::Allow);
    }

    /// A date written in the policy and shifted (`2026-01-01 + 2 months`) is that later
    /// date in the compiled form too (mutation survivor, round 12: the constant's arm
    /// deleted made the shifted date undecidable).
    #[test]
    fn a_shifted_constant_date_is_the_later_date() {
        let text = "policy \"Leavers\"\n  default allow\nroles consultant\n\
                    rule late-leavers { when action = solicit and actor.departed_on >= 2026-01-01 + 2 months then deny }\n";
        let l = load("leavers.policy", text);
        let left = |on: &str| {
            parse_action_json_line(&format!(
                r#"{{"action":"solicit","at":"2026-03-16T09:00:00Z","actor":{{"id":"a","role":"consultant","status":"departed","departed_on":"{on}"}}}}"#
            ))
            .unwrap()
        };
        assert_eq!(agree(&l, &left("2026-02-15")).verdict, crate::eval::Decision::Allow);
        assert_eq!(agree(&l, &left("2026-03-01")).verdict, crate::eval::Decision::Deny);
    }

    /// A clause whose one part tests both the action and the channel (`action = post or
    /// channel = twitter`) is asked in every bucket, and a dry-run one in none (mutation
    /// survivor, round 12: the dry-run test of those clauses negated swapped the two).
    #[test]
    fn a_clause_testing_both_facts_in_one_part_is_asked_in_every_bucket() {
        let text = "policy \"Either\"\n  default allow\nroles consultant\n\
                    rule either { when action = post or channel = twitter then deny }\n\
                    rule trial { when action = share or channel = blog then deny dry run }\n";
        let l = load("either.policy", text);
        let act = on;
        assert_eq!(agree(&l, &act("post", "linkedin")).verdict, crate::eval::Decision::Deny);
        assert_eq!(agree(&l, &act("share", "twitter")).verdict, crate::eval::Decision::Deny);
        assert_eq!(agree(&l, &act("share", "blog")).verdict, crate::eval::Decision::Allow);
        assert_eq!(agree(&l, &act("comment", "linkedin")).verdict, crate::eval::Decision::Allow);
        // A clause testing both facts in one part and reading a derived slot (a shifted date):
        // each bucket that keeps it computes the slot (its list of clauses names it).
        let text = "policy \"Leavers\"\n  default allow\nroles consultant\n\
                    rule either-leaver { when (action = solicit or channel = linkedin) and actor.departed_on + 6 months >= 2026-03-01 then deny }\n";
        let leavers = load("leavers.policy", text);
        let leaver = |action: &str, channel: &str| {
            parse_action_json_line(&format!(
                r#"{{"action":"{action}","at":"2026-03-16T09:00:00Z","actor":{{"id":"a","role":"consultant","status":"departed","departed_on":"2026-01-15"}},"channel":"{channel}"}}"#
            ))
            .unwrap()
        };
        assert_eq!(agree(&leavers, &leaver("solicit", "email")).verdict, crate::eval::Decision::Deny);
        assert_eq!(agree(&leavers, &leaver("post", "linkedin")).verdict, crate::eval::Decision::Deny);
        assert_eq!(agree(&leavers, &leaver("post", "twitter")).verdict, crate::eval::Decision::Allow);
        // Its other parts, testing one of the facts, decide as in the evaluator (a bucket keeps
        // the clause on its first part; the whole condition is asked at decision time).
        let text = "policy \"Either\"\n  default allow\nroles consultant\n\
                    rule either-not-shares { when (action = post or channel = twitter) and action != share then deny }\n";
        let l = load("either.policy", text);
        assert_eq!(agree(&l, &act("share", "twitter")).verdict, crate::eval::Decision::Allow);
        assert_eq!(agree(&l, &act("comment", "twitter")).verdict, crate::eval::Decision::Deny);
    }

    /// Under `most_specific`, two approvals in contention ask for both approvers
    /// (mutation survivor, round 12: `|=` → `&=` on the approvers of the clauses kept).
    #[test]
    fn approvals_in_contention_ask_every_approver() {
        let text = "policy \"Two asks\"\n  default allow\n  conflicts most_specific\nroles consultant, legal, marketing\n\
                    rule legal-eyes { when action = post and channel = linkedin then require approval from legal }\n\
                    rule brand-eyes { when action = post and channel = linkedin then require approval from marketing }\n";
        let l = load("asks.policy", text);
        let post = parse_action_json_line(
            r#"{"action":"post","at":"2026-03-16T09:00:00Z","actor":{"id":"a","role":"consultant","status":"employed"},"channel":"linkedin"}"#,
        )
        .unwrap();
        let v = agree(&l, &post);
        assert_eq!(v.verdict, crate::eval::Decision::RequireApproval);
        assert_eq!(v.approvers, ["legal", "marketing"]);
        assert_eq!(l.2.approver_names(), ["legal", "marketing"]);
    }

    /// An exception about every channel but one is out of that channel's
    /// buckets and the other exceptions about channels stay (mutation survivor, round 11:
    /// `!=` → `==` when taking an exception out of a bucket kept only it).
    #[test]
    fn an_exception_about_every_channel_but_one_leaves_the_others_in_place() {
        let text = "policy \"Released\"\n  default allow\nroles consultant, manager\nfact ok: bool \"ok\"\n\
                    rule no-posts { when action = post then deny }\n\
                    rule no-shares { when action = share then deny }\n\
                    exception posts-off-twitter to no-posts \"Elsewhere.\" { when channel != twitter then allow }\n\
                    exception shares-off-facebook to no-shares \"Elsewhere.\" { when channel != facebook then allow }\n";
        let l = load("released.policy", text);
        let act = |action: &str, channel: &str| {
            parse_action_json_line(&format!(
                r#"{{"action":"{action}","at":"2026-03-16T09:00:00Z","actor":{{"id":"a","role":"consultant","status":"employed"}},"channel":"{channel}","facts":{{"ok":true}}}}"#
            ))
            .unwrap()
        };
        assert_eq!(agree(&l, &act("post", "twitter")).verdict, crate::eval::Decision::Deny);
        assert_eq!(agree(&l, &act("post", "linkedin")).verdict, crate::eval::Decision::Allow);
        assert_eq!(agree(&l, &act("share", "twitter")).verdict, crate::eval::Decision::Allow);
        assert_eq!(agree(&l, &act("share", "facebook")).verdict, crate::eval::Decision::Deny);
    }
}
