//! The clause index of a compiled policy: bitsets that say, for the value a
//! row holds in a slot, which clauses a test of that slot does not rule out
//! and which it leaves unknown, so that a decision ANDs a few words per slot
//! and runs only the clauses left (most of them already decided).
//!
//! - every top-level conjunct of a clause's condition that reads one slot
//!   against constants (`= name`, `!= name`, `in {names}`, `>= 3`, `< 10`,
//!   a yes/no fact, `has name`, and `not`/`and`/`or` of such tests on the same
//!   slot) is *indexed* under a `Key`: the slot and the kind of value it
//!   compares (a name, a whole number, yes/no, one name of a list);
//! - a key cuts the values of its slot into classes on which every indexed
//!   test of it gives the same answer: not given, failed (a shifted date
//!   outside the calendar), each name tested and any other name; each whole
//!   number tested and each gap between two; yes and no; a list with or
//!   without the name. A row's class is one binary search at most;
//! - each class has two bitsets over the clauses: those its tests do not make
//!   false (`maybe`), and those they make unknown. The answer of each class
//!   is not written here: it is what [`CondC::eval`] (so
//!   [`crate::semantics`]) gives on one value of the class, computed once
//!   when the policy is compiled;
//! - a clause the index leaves in (`maybe` under every key) has the Kleene
//!   `and` of its indexed conjuncts known: true, or unknown where a key's
//!   class made it so. Its other conjuncts (`Entry::when`, the residual)
//!   and its `unless` conditions are then evaluated as before; a clause with
//!   neither ([`Entry::exact`]) is decided by the bitsets alone;
//! - a row whose slot holds a value of another kind than its key compares
//!   (a number in a slot tested against names) rules no clause out under that
//!   key, and every clause testing the key is evaluated in full.
//!
//! So the index only skips clauses whose condition is false and only skips
//! tests whose answer it already has; a decision is the one the interpreter
//! gives (`tests/compile.rs`, the property test below).

use super::cond::{CondC, OpC, Operand};
use super::row::{FactRow, Val};
use super::Compiled;
use crate::semantics::{self, Tv};

const NONE: u32 = u32::MAX;

/// One counting clause as the index holds it, with what the combining needs inline.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The clause's condition without its indexed conjuncts (the residual).
    pub when: CondC,
    /// No residual and no `unless`: the index's answer is the clause's.
    pub exact: bool,
    /// The clause's index.
    pub rule: u32,
    /// Its override-target slot, or `u32::MAX`.
    pub tslot: u32,
    /// 0 allow, 1 require approval, 2 deny.
    pub rank: u8,
    /// Whether it has `unless` conditions.
    pub has_unless: bool,
    /// For require approval: its approver roles as bits.
    pub mask: u64,
}

/// What kind of value a key compares its slot with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    /// Names (`=`, `!=`, `in`).
    Sym,
    /// Whole numbers (comparisons, `in`).
    Int,
    /// Yes or no.
    Bool,
    /// Names of a list (`has name`, `in {names}`) whose bits lie in one
    /// window of [`WINDOW`] bits: the window's first bit.
    Bits(u8),
}

/// How a key cuts its slot's values into classes. Classes 0 and 1 are a
/// value not given and a failed one; the others follow.
#[derive(Debug, Clone)]
enum Cuts {
    /// Each name tested (sorted ids), then any other name.
    Sym(Box<[u32]>),
    /// The numbers tested, ascending: below the first, the first, between the first two, ...
    Int(Box<[i64]>),
    /// No, yes.
    Bool,
    /// Which of the names of one window of a list's bits the list holds,
    /// from the window's first bit: every subset of the window is a class.
    Bits(u8),
}

/// The first class after "not given" and "failed".
const FIRST: usize = 2;

/// Bits of a list key's window: the names of a list a policy tests are read by
/// one key per window (one lookup for up to six names), at 2^6 classes each.
const WINDOW: u8 = 6;

/// The window holding the lowest bit of `bits` (a name's bit, or the names of an
/// `in`, which [`Found::walk`] takes only when all lie in that window): its first bit.
fn window_of(bits: u128) -> u8 {
    // A name's bit is below 128, so the window's first bit is at most 126.
    u8::try_from(bits.trailing_zeros()).map_or(0, |p| p / WINDOW * WINDOW)
}

/// Which names of the window from `first` the list holds, as a number below 2^[`WINDOW`].
fn window(bits: u128, first: u8) -> usize {
    usize::from(u8::try_from(bits.checked_shr(u32::from(first)).unwrap_or(0) & ((1 << WINDOW) - 1)).unwrap_or(0))
}

impl Cuts {
    /// The class of a value, or `None` for a value of another kind.
    #[inline(always)]
    fn class(&self, v: Val) -> Option<usize> {
        match (v, self) {
            (Val::Absent, _) => Some(0),
            (Val::Failed, _) => Some(1),
            (Val::Str { id, .. }, Cuts::Sym(ids)) => Some(FIRST + ids.binary_search(&id).unwrap_or(ids.len())),
            (Val::Int(n), Cuts::Int(cuts)) => {
                let below = cuts.partition_point(|c| *c < n);
                Some(FIRST + 2 * below + usize::from(cuts.get(below) == Some(&n)))
            }
            (Val::Bool(b), Cuts::Bool) => Some(FIRST + usize::from(b)),
            (Val::List { bits, .. }, Cuts::Bits(first)) => Some(FIRST + window(bits, *first)),
            _ => None,
        }
    }

    /// One value of each class, by class (a class no value falls into, such
    /// as the gap between two consecutive numbers, gets a value of another).
    fn representatives(&self) -> Vec<Val> {
        let mut out = vec![Val::Absent, Val::Failed];
        match self {
            Cuts::Sym(ids) => {
                out.extend(ids.iter().map(|id| Val::Str { id: *id, text: false }));
                let other = (1..=u32::MAX).step_by(2).find(|x| ids.binary_search(x).is_err()).unwrap_or(u32::MAX);
                out.push(Val::Str { id: other, text: false });
            }
            Cuts::Int(cuts) => {
                // The gap below each number (empty when the number before is one less), then the number.
                for c in cuts.iter() {
                    out.push(Val::Int(c.saturating_sub(1)));
                    out.push(Val::Int(*c));
                }
                out.push(Val::Int(cuts.last().map_or(0, |c| c.saturating_add(1))));
            }
            Cuts::Bool => out.extend([Val::Bool(false), Val::Bool(true)]),
            Cuts::Bits(first) => out.extend(
                (0..1u128 << WINDOW)
                    .map(|held| Val::List { bits: held.checked_shl(u32::from(*first)).unwrap_or(0), other: false }),
            ),
        }
        out
    }
}

/// The widest range of names or numbers a key looks its classes up in directly.
const DENSE: i64 = 256;

/// A key's classes by value, for keys whose tested names (interned ids) or
/// numbers lie close together: the class's bitset offsets of every value from
/// `lo` to `lo + table.len() - 1`, a value outside taken to the nearer end
/// (the class of every value below the first tested, or above the last).
/// Each entry is [`Cuts::class`]'s answer, written when the index is built:
/// a row's class is one load instead of a binary search.
#[derive(Debug, Clone, Default)]
struct Dense {
    /// Names (`true`) or numbers.
    sym: bool,
    lo: i64,
    /// The table's last position (0 for no table, where nothing is read): a
    /// value's position is clamped to `0..=last`, so one bounds check remains.
    last: u64,
    table: Box<[(u32, u32)]>,
}

impl Dense {
    /// The table of a key, empty when its values lie too far apart (or are not names or numbers).
    fn of(cuts: &Cuts, classes: &[(u32, u32)]) -> Dense {
        let (sym, first, last) = match cuts {
            Cuts::Sym(ids) => (true, ids.first().map(|i| i64::from(*i)), ids.last().map(|i| i64::from(*i))),
            Cuts::Int(ns) => (false, ns.first().copied(), ns.last().copied()),
            Cuts::Bool | Cuts::Bits(_) => return Dense::default(),
        };
        let (Some(first), Some(last)) = (first, last) else { return Dense::default() };
        let (lo, hi) = (first.saturating_sub(1), last.saturating_add(1));
        if hi.saturating_sub(lo) >= DENSE {
            return Dense::default();
        }
        let value = |n: i64| match sym {
            true => u32::try_from(n).map_or(Val::Absent, |id| Val::Str { id, text: false }),
            false => Val::Int(n),
        };
        let table: Option<Vec<(u32, u32)>> =
            (lo..=hi).map(|n| cuts.class(value(n)).and_then(|c| classes.get(c)).copied()).collect();
        match table {
            Some(table) => {
                let last = u64::try_from(table.len().saturating_sub(1)).unwrap_or(0);
                Dense { sym, lo, last, table: table.into() }
            }
            None => Dense::default(),
        }
    }

    /// The class's offsets of a value, if the table covers its kind.
    #[inline(always)]
    fn get(&self, v: &Val) -> Option<(u32, u32)> {
        let n = match (v, self.sym) {
            (Val::Str { id, .. }, true) => i64::from(*id),
            (Val::Int(n), false) => *n,
            _ => return None,
        };
        // Above `lo` the difference fits in a u64 whatever the two numbers (so wraps to it).
        let at = if n <= self.lo { 0 } else { (n.wrapping_sub(self.lo) as u64).min(self.last) };
        self.table.get(usize::try_from(at).ok()?).copied()
    }
}

/// A slot and the kind of value its indexed tests compare it with.
#[derive(Debug, Clone)]
struct Key {
    slot: u16,
    cuts: Cuts,
    /// Its classes by value, when they lie close together.
    dense: Dense,
    /// Per class: the offset of its `maybe` bitset (`NONE`: no clause ruled
    /// out) and of its `unknown` bitset (`NONE`: no clause unknown).
    classes: Box<[(u32, u32)]>,
    /// The offset of the bitset of the clauses with a conjunct under this key.
    tested: u32,
}

/// The clause index (see the module's documentation).
#[derive(Debug, Clone, Default)]
pub struct Index {
    /// Words of 64 clauses per bitset.
    words: usize,
    /// The counting clauses, the denies first, then the others, each in
    /// clause order: bit `i` is `entries[i]`. So a bucket's denies sit in the
    /// first words, and the deny pass ANDs only those.
    entries: Box<[Entry]>,
    /// The bit of each clause by its position in the list given to [`build`].
    bit_of: Box<[u32]>,
    keys: Box<[Key]>,
    /// Every bitset, `words` long each.
    bits: Box<[u64]>,
    /// The clauses of each pass, by [`Pass`] (deny, then lower), as bitsets:
    /// worked out once, as every bucket asks.
    passes: [Box<[u64]>; 2],
}

/// The clauses of one pass of a bucket: a bitset over the index's clauses
/// and the words that hold one (`lo..hi`, found once when compiled).
#[derive(Debug, Clone, Default)]
pub struct Members {
    bits: Box<[u64]>,
    lo: usize,
    hi: usize,
}

impl Members {
    /// These clauses (a bitset over the index's clauses).
    pub fn new(bits: Box<[u64]>) -> Members {
        let held = |w: &usize| bits.get(*w).is_some_and(|x| *x != 0);
        let lo = (0..bits.len()).find(held).unwrap_or(bits.len());
        let hi = (lo..bits.len()).rev().find(held).map_or(lo, |h| h + 1);
        Members { bits, lo, hi }
    }

    /// The bitset.
    pub fn bits(&self) -> &[u64] {
        &self.bits
    }
}

/// Words of a chunk: a decision ANDs the bitsets of up to 1,024 clauses
/// at a time, in an accumulator on the stack (no allocation however many
/// clauses), one key after another over the whole chunk (a loop the
/// compiler vectorizes, with no branch per word).
const CHUNK: usize = 16;

/// What one key says of a row's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sel {
    /// The value's class: the offsets of its `maybe` and `unknown` bitsets (`NONE`: none).
    Class(u32, u32),
    /// A value of another kind than the key compares: the clauses it tests are evaluated in full.
    Inexact(u32),
}

/// Which clauses a pass visits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// The denies.
    Deny,
    /// The allows and the approvals.
    Lower,
}

impl Index {
    /// The number of words of a bitset over the clauses.
    pub fn words(&self) -> usize {
        self.words
    }

    /// The clauses, denies first: bit `i` of a bitset is `entries()[i]`.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The bit of the clause at position `i` of the list given to [`build`].
    pub fn bit_of(&self, i: usize) -> Option<usize> {
        self.bit_of.get(i).map(|b| *b as usize)
    }

    fn word(&self, offset: u32, w: usize) -> u64 {
        self.bits.get(offset as usize + w).copied().unwrap_or(0)
    }

    /// `N` words of the bitsets from word `from` of the one at `offset`
    /// (`None` past the end, which the build never gives). Past the bitset's
    /// own words they are the next bitset's or the padding at the end: they
    /// meet only words of the accumulator that are zero (see [`Index::each`]).
    #[inline]
    fn block<const N: usize>(&self, offset: u32, from: usize) -> Option<&[u64; N]> {
        let at = offset as usize + from;
        self.bits.get(at..)?.first_chunk::<N>()
    }

    /// What key `k` says of the row's value.
    #[inline(always)]
    fn select(&self, k: u32, row: &FactRow) -> Option<Sel> {
        let key = self.keys.get(k as usize)?;
        let v = row.val(key.slot);
        // The common cases with one dispatch on the value: a name or number the key's
        // table covers, yes/no, a list. The rest (and any value without a table) search.
        let fast = match (v, &key.cuts) {
            (Val::Str { .. } | Val::Int(_), _) => key.dense.get(v),
            (Val::Bool(b), Cuts::Bool) => key.classes.get(FIRST + usize::from(*b)).copied(),
            (Val::List { bits, .. }, Cuts::Bits(first)) => key.classes.get(FIRST + window(*bits, *first)).copied(),
            _ => None,
        };
        if let Some((maybe, unknown)) = fast {
            return Some(Sel::Class(maybe, unknown));
        }
        Some(match key.cuts.class(*v).and_then(|c| key.classes.get(c)) {
            Some(&(maybe, unknown)) => Sel::Class(maybe, unknown),
            None => Sel::Inexact(key.tested),
        })
    }

    /// Calls `f` on each clause of each of `passes` (the first pass's
    /// clauses, then the next's) that the row's value under each pass's keys
    /// (a bucket's [`Index::keys_for`] over that pass's clauses) does not rule
    /// out, in clause order within a pass, with the Kleene `and` of its
    /// indexed conjuncts (true or unknown), or `None` when a key could not
    /// classify the row's value (then the clause must be evaluated in full).
    /// Stops when `f` returns `false`, and then returns `true`.
    pub fn each(
        &self,
        row: &FactRow,
        passes: &[(&Members, &[u32])],
        mut f: impl FnMut(&Entry, Option<Tv>) -> bool,
    ) -> bool {
        passes.iter().any(|(members, keys)| self.pass_each(row, keys, members, &mut f))
    }

    /// [`Index::each`] on one pass: only the words that hold one of its
    /// clauses, in blocks of 1, 2, 4, 8 or 16 words.
    pub fn pass_each(
        &self,
        row: &FactRow,
        keys: &[u32],
        members: &Members,
        f: &mut impl FnMut(&Entry, Option<Tv>) -> bool,
    ) -> bool {
        let (lo, hi) = (members.lo, members.hi);
        match hi.saturating_sub(lo) {
            0 => false,
            1 => self.block_each::<1>(row, keys, &[&members.bits], lo, f),
            2 => self.block_each::<2>(row, keys, &[&members.bits], lo, f),
            3..=4 => self.block_each::<4>(row, keys, &[&members.bits], lo, f),
            5..=8 => self.block_each::<8>(row, keys, &[&members.bits], lo, f),
            9..=CHUNK => self.block_each::<CHUNK>(row, keys, &[&members.bits], lo, f),
            _ => (lo..hi).step_by(CHUNK).any(|from| self.block_each::<CHUNK>(row, keys, &[&members.bits], from, f)),
        }
    }

    /// Whether both passes' clauses lie within one block of at most 4 words:
    /// then [`Index::joint_each`] reads the keys once for both.
    pub fn joint(passes: &[Members; 2]) -> bool {
        let held = passes.iter().filter(|m| m.hi > m.lo);
        let lo = held.clone().map(|m| m.lo).min();
        let hi = held.map(|m| m.hi).max();
        lo.zip(hi).is_some_and(|(lo, hi)| hi - lo <= 4)
    }

    /// Both passes in one accumulator (they lie within 4 words, see
    /// [`Index::joint`]), the keys (`keys`: those of both) read once: the
    /// first pass's clauses, then the second's, as [`Index::each`] gives them.
    pub fn joint_each(
        &self,
        row: &FactRow,
        keys: &[u32],
        passes: [&Members; 2],
        f: &mut impl FnMut(&Entry, Option<Tv>) -> bool,
    ) -> bool {
        let [a, b] = passes;
        let lo = if a.hi > a.lo { a.lo.min(if b.hi > b.lo { b.lo } else { a.lo }) } else { b.lo };
        let hi = a.hi.max(b.hi);
        match hi.saturating_sub(lo) {
            0 => false,
            1 => self.block_each::<1>(row, keys, &[&a.bits, &b.bits], lo, f),
            2 => self.block_each::<2>(row, keys, &[&a.bits, &b.bits], lo, f),
            _ => self.block_each::<4>(row, keys, &[&a.bits, &b.bits], lo, f),
        }
    }

    /// [`Index::pass_each`] on words `from..from + N`: an accumulator of `N`
    /// words on the stack (the pass's clauses), ANDed with one key's bitset
    /// after another (a loop of fixed length, which the compiler
    /// vectorizes); its words past the last clause stay zero.
    fn block_each<const N: usize>(
        &self,
        row: &FactRow,
        keys: &[u32],
        passes: &[&[u64]],
        from: usize,
        f: &mut impl FnMut(&Entry, Option<Tv>) -> bool,
    ) -> bool {
        let mut acc = [0u64; N];
        for p in passes {
            acc.iter_mut().zip(p.iter().skip(from)).for_each(|(a, w)| *a |= *w);
        }
        let (mut unknown, mut full) = ([0u64; N], [0u64; N]);
        for k in keys {
            // A key the index lacks (never built so) rules nothing out: every clause is evaluated in full.
            match self.select(*k, row).unwrap_or(Sel::Inexact(NONE)) {
                Sel::Class(maybe, unsure) => {
                    if maybe != NONE {
                        let Some(bits) = self.block::<N>(maybe, from) else {
                            full = [!0; N];
                            continue;
                        };
                        let mut any = 0;
                        for (a, b) in acc.iter_mut().zip(bits) {
                            *a &= *b;
                            any |= *a;
                        }
                        if any == 0 {
                            return false;
                        }
                    }
                    if unsure != NONE {
                        or_into(&mut unknown, self.block::<N>(unsure, from));
                    }
                }
                Sel::Inexact(tested) => or_into(&mut full, self.block::<N>(tested, from)),
            }
        }
        for p in passes {
            for (w, ((word, u), whole)) in acc.iter().zip(&unknown).zip(&full).enumerate() {
                let mut acc = word & p.get(from + w).copied().unwrap_or(0);
                while acc != 0 {
                    let b = acc.trailing_zeros();
                    acc &= acc - 1;
                    let Some(e) = self.entries.get((from + w) * 64 + b as usize) else { continue };
                    let pre = if whole >> b & 1 == 1 {
                        None
                    } else if u >> b & 1 == 1 {
                        Some(Tv::Unknown)
                    } else {
                        Some(Tv::True)
                    };
                    if !f(e, pre) {
                        return true;
                    }
                }
            }
        }
        false
    }

    /// The keys a row of a bucket whose clauses are `members` reads: those
    /// that test one of them, less those whose slot's value every row of
    /// the bucket shares (`fixed`: its action or channel) when that value's
    /// class neither rules out nor leaves unknown any of them.
    pub fn keys_for(&self, members: &[u64], fixed: impl Fn(u16) -> Option<Val>) -> Box<[u32]> {
        let meets = |offset: u32| members.iter().enumerate().any(|(w, m)| m & self.word(offset, w) != 0);
        let covers = |offset: u32| members.iter().enumerate().all(|(w, m)| m & !self.word(offset, w) == 0);
        let mut out = Vec::new();
        for (k, key) in self.keys.iter().enumerate() {
            if !meets(key.tested) {
                continue;
            }
            let class = fixed(key.slot).and_then(|v| key.cuts.class(v)).and_then(|c| key.classes.get(c));
            if let Some(&(maybe, unknown)) = class {
                if (maybe == NONE || covers(maybe)) && (unknown == NONE || !meets(unknown)) {
                    continue;
                }
            }
            out.push(u32::try_from(k).unwrap_or(NONE));
        }
        out.into()
    }

    /// The clauses of this pass among `members` (a bitset of clause positions).
    pub fn pass_of(&self, members: &[u64], pass: Pass) -> Members {
        let keep = match pass {
            Pass::Deny => &self.passes[0],
            Pass::Lower => &self.passes[1],
        };
        let out: Vec<u64> = members.iter().enumerate().map(|(w, m)| m & keep.get(w).copied().unwrap_or(0)).collect();
        Members::new(out.into())
    }
}

/// The clauses of each pass (deny, then lower) as bitsets over `entries`.
fn passes(entries: &[Entry], words: usize) -> [Box<[u64]>; 2] {
    let mut out = [vec![0u64; words], vec![0u64; words]];
    for (i, e) in entries.iter().enumerate() {
        let pass = match e.rank {
            2 => &mut out[0],
            r if r < 2 => &mut out[1],
            _ => continue,
        };
        set(pass, i);
    }
    out.map(Vec::into_boxed_slice)
}

/// What a conjunct indexed under one key tests: the key and its constants.
struct Found {
    slot: Option<u16>,
    kind: Option<Kind>,
    ids: Vec<u32>,
    ints: Vec<i64>,
}

impl Found {
    fn kind(&mut self, k: Kind) -> bool {
        match self.kind {
            Some(had) => had == k,
            None => {
                self.kind = Some(k);
                true
            }
        }
    }

    /// Walks a conjunct: whether every test in it reads the same slot against constants of one kind.
    fn walk(&mut self, c: &CondC, comp: &Compiled, is_list: &dyn Fn(u16) -> bool) -> bool {
        match c {
            CondC::True => true,
            CondC::All(ps) | CondC::Any(ps) => ps.iter().all(|p| self.walk(p, comp, is_list)),
            CondC::Not(p) => self.walk(p, comp, is_list),
            CondC::Test(t) => {
                let Operand::Slot(s) = t.lhs else { return false };
                if self.slot.is_some_and(|had| had != s) {
                    return false;
                }
                self.slot = Some(s);
                let str_ids = |set: &[Val]| -> Option<Vec<u32>> {
                    set.iter()
                        .map(|v| match v {
                            Val::Str { id, .. } => Some(*id),
                            _ => None,
                        })
                        .collect()
                };
                let ints = |set: &[Val]| -> Option<Vec<i64>> {
                    set.iter()
                        .map(|v| match v {
                            Val::Int(n) => Some(*n),
                            _ => None,
                        })
                        .collect()
                };
                match &t.op {
                    OpC::Missing | OpC::Present => true,
                    OpC::Truthy => self.kind(Kind::Bool),
                    OpC::Cmp(crate::ast::CmpOp::Eq | crate::ast::CmpOp::Ne, Operand::Const(Val::Str { id, .. })) => {
                        self.ids.push(*id);
                        self.kind(Kind::Sym)
                    }
                    OpC::Cmp(_, Operand::Const(Val::Int(n))) => {
                        self.ints.push(*n);
                        self.kind(Kind::Int)
                    }
                    OpC::Cmp(_, Operand::Const(Val::Bool(_))) => self.kind(Kind::Bool),
                    // Names of a list (`in {a, b}`: does it hold one of them) whose bits share a window.
                    OpC::In { mask, set } if is_list(s) => {
                        let first = window_of(*mask);
                        *mask != 0
                            && mask.checked_shr(u32::from(first)).is_some_and(|m| m < 1 << WINDOW)
                            && str_ids(set).is_some()
                            && self.kind(Kind::Bits(first))
                    }
                    OpC::In { set, .. } => {
                        if let Some(ids) = str_ids(set) {
                            self.ids.extend(ids);
                            self.kind(Kind::Sym)
                        } else if let Some(ns) = ints(set) {
                            self.ints.extend(ns);
                            self.kind(Kind::Int)
                        } else {
                            false
                        }
                    }
                    OpC::Has(Operand::Const(Val::Str { id, .. })) if is_list(s) => {
                        comp.list_bit(*id).is_some_and(|b| self.kind(Kind::Bits(window_of(b))))
                    }
                    OpC::Cmp(..) | OpC::Has(_) | OpC::HasOutside { .. } | OpC::ShareAbove { .. } => false,
                }
            }
        }
    }
}

/// The conjuncts of a condition, nested `and`s opened (Kleene's `and` is associative).
fn flatten<'a>(c: &'a CondC, out: &mut Vec<&'a CondC>) {
    match c {
        CondC::All(ps) => ps.iter().for_each(|p| flatten(p, out)),
        CondC::True => {}
        other => out.push(other),
    }
}

/// A key being built: its conjuncts by clause position.
struct KeyB<'a> {
    slot: u16,
    kind: Kind,
    ids: Vec<u32>,
    ints: Vec<i64>,
    uses: Vec<(usize, &'a CondC)>,
}

/// Builds the index over these clauses (in clause order; `whens` holds each
/// one's full condition, by the same position, and the index writes each
/// entry's residual into its `when`); `is_list` says which slots hold lists.
/// The index holds the denies first (see [`Index::bit_of`]). The conditions
/// are read in place: only the residuals are copied.
pub fn build(given: Vec<Entry>, whens: &[&CondC], c: &Compiled, is_list: &dyn Fn(u16) -> bool) -> Index {
    let words = given.len().div_ceil(64).max(1);
    // Denies first, each pass in clause order (a stable sort).
    let mut order: Vec<usize> = (0..given.len()).collect();
    order.sort_by_key(|i| given.get(*i).is_none_or(|e| e.rank != 2));
    let mut bit_of = vec![0u32; given.len()];
    for (bit, i) in order.iter().enumerate() {
        if let Some(b) = bit_of.get_mut(*i) {
            *b = u32::try_from(bit).unwrap_or(NONE);
        }
    }
    let mut given: Vec<Option<Entry>> = given.into_iter().map(Some).collect();
    let mut entries: Vec<Entry> = order.iter().filter_map(|i| given.get_mut(*i).and_then(Option::take)).collect();
    let mut keys: Vec<KeyB<'_>> = Vec::new();
    let mut key_of: foldhash::HashMap<(u16, Kind), usize> = foldhash::HashMap::default();
    let mut parts = Vec::new();
    for (i, e) in entries.iter_mut().enumerate() {
        parts.clear();
        if let Some(when) = order.get(i).and_then(|o| whens.get(*o)) {
            flatten(when, &mut parts);
        }
        let mut rest: Vec<CondC> = Vec::new();
        for &part in &parts {
            let mut f = Found { slot: None, kind: None, ids: Vec::new(), ints: Vec::new() };
            let indexed = f.walk(part, c, is_list);
            let (true, Some(slot), Some(kind)) = (indexed, f.slot, f.kind) else {
                rest.push(part.clone());
                continue;
            };
            let k = *key_of.entry((slot, kind)).or_insert_with(|| {
                keys.push(KeyB { slot, kind, ids: Vec::new(), ints: Vec::new(), uses: Vec::new() });
                keys.len() - 1
            });
            match keys.get_mut(k) {
                Some(key) => {
                    key.ids.append(&mut f.ids);
                    key.ints.append(&mut f.ints);
                    key.uses.push((i, part));
                }
                None => rest.push(part.clone()),
            }
        }
        e.when = match rest.len() {
            0 => CondC::True,
            1 => rest.pop().unwrap_or(CondC::True),
            _ => CondC::All(rest.into()),
        };
        e.exact = matches!(e.when, CondC::True) && !e.has_unless;
    }
    let mut bits: Vec<u64> = Vec::new();
    let mut push = |set: &[u64]| -> u32 {
        let at = u32::try_from(bits.len()).unwrap_or(NONE);
        bits.extend_from_slice(set);
        at
    };
    let mut row = FactRow { vals: vec![Val::Absent; c.slots.len()], bucket: 0, granted: Vec::new() };
    // The answers of a key's distinct conjuncts on one class's value.
    let mut answers: Vec<Tv> = Vec::new();
    // Keys testing more clauses first: they rule out most, so a word reaches zero sooner.
    keys.sort_by_key(|k| std::cmp::Reverse(k.uses.len()));
    let mut built = Vec::with_capacity(keys.len());
    // One pair of bitsets, cleared for each class (a class's are copied into `bits` when it needs them).
    let (mut maybe, mut unknown) = (vec![!0u64; words], vec![0u64; words]);
    // Conjuncts of keys past the budget, left to their clauses' residuals.
    let mut left: Vec<(usize, &CondC)> = Vec::new();
    for mut key in keys {
        let cuts = match key.kind {
            Kind::Sym => {
                key.ids.sort_unstable();
                key.ids.dedup();
                Cuts::Sym(key.ids.into())
            }
            Kind::Int => {
                key.ints.sort_unstable();
                key.ints.dedup();
                Cuts::Int(key.ints.into())
            }
            Kind::Bool => Cuts::Bool,
            Kind::Bits(first) => Cuts::Bits(first),
        };
        let representatives = cuts.representatives();
        if over_budget(representatives.len(), key.uses.len(), words) {
            left.append(&mut key.uses);
            continue;
        }
        let mut tested = vec![0u64; words];
        for (i, _) in &key.uses {
            set(&mut tested, *i);
        }
        let tested = push(&tested);
        let slot = usize::from(key.slot);
        let (distinct, use_of) = distinct_conjuncts(&key.uses);
        // The uses of one clause are next to each other: each clause's run of them, found once.
        let mut runs: Vec<(usize, usize, usize)> = Vec::new();
        for (at, (i, _)) in key.uses.iter().enumerate() {
            match runs.last_mut() {
                Some((last, _, end)) if *last == *i => *end = at + 1,
                _ => runs.push((*i, at, at + 1)),
            }
        }
        // A clause with one conjunct under the key (most) takes that conjunct's answer: such
        // clauses are listed by conjunct, so a class visits only those its conjuncts do not hold
        // for. The others' runs are combined one by one.
        let mut single: Vec<Vec<usize>> = vec![Vec::new(); distinct.len()];
        runs.retain(|&(i, at, end)| match (end - at, use_of.get(at).and_then(|d| single.get_mut(*d))) {
            (1, Some(clauses)) => {
                clauses.push(i);
                false
            }
            _ => true,
        });
        let mut classes = Vec::new();
        for v in representatives {
            if let Some(s) = row.vals.get_mut(slot) {
                *s = v;
            }
            // Each distinct conjunct evaluated once on the class's value; clauses testing the same share it.
            answers.clear();
            answers.extend(distinct.iter().map(|p| p.eval(&row, c)));
            maybe.fill(!0);
            unknown.fill(0);
            let (mut ruled_out, mut unsure) = (false, false);
            for (answer, clauses) in answers.iter().zip(&single) {
                match semantics::all([*answer]) {
                    Tv::False => {
                        clauses.iter().for_each(|i| clear(&mut maybe, *i));
                        ruled_out |= !clauses.is_empty();
                    }
                    Tv::Unknown => {
                        clauses.iter().for_each(|i| set(&mut unknown, *i));
                        unsure |= !clauses.is_empty();
                    }
                    Tv::True => {}
                }
            }
            // A clause's uses: their Kleene `and`.
            for &(i, at, end) in &runs {
                let tv = semantics::all(
                    use_of.get(at..end).unwrap_or(&[]).iter().map(|d| answers.get(*d).copied().unwrap_or(Tv::Unknown)),
                );
                match tv {
                    Tv::False => {
                        clear(&mut maybe, i);
                        ruled_out = true;
                    }
                    Tv::Unknown => {
                        set(&mut unknown, i);
                        unsure = true;
                    }
                    Tv::True => {}
                }
            }
            let m = if ruled_out { push(&maybe) } else { NONE };
            let u = if unsure { push(&unknown) } else { NONE };
            classes.push((m, u));
        }
        if let Some(s) = row.vals.get_mut(slot) {
            *s = Val::Absent;
        }
        let dense = Dense::of(&cuts, &classes);
        built.push(Key { slot: key.slot, cuts, dense, classes: classes.into(), tested });
    }
    // A key left out: its conjuncts join their clauses' residuals (the `and` of a clause's
    // conjuncts is the same in any order), and the clause is no longer exact.
    for (i, part) in left {
        if let Some(e) = entries.get_mut(i) {
            e.when = match std::mem::replace(&mut e.when, CondC::True) {
                CondC::True => part.clone(),
                CondC::All(ps) => CondC::All(ps.iter().cloned().chain([part.clone()]).collect()),
                other => CondC::All([other, part.clone()].into()),
            };
            e.exact = false;
        }
    }
    // Padding: a decision reads blocks of up to `CHUNK` words from any bitset (see `Index::block`).
    bits.extend_from_slice(&[0; CHUNK]);
    let passes = passes(&entries, words);
    Index { words, entries: entries.into(), bit_of: bit_of.into(), keys: built.into(), bits: bits.into(), passes }
}

/// The most work one key may cost to build: its classes times the larger of its
/// conjuncts (each evaluated once a class) and the words of a class's bitsets.
const KEY_BUDGET: usize = 1 << 22;

/// Whether a key with these classes, conjuncts and bitset words is past [`KEY_BUDGET`]:
/// its conjuncts are then left to their clauses' residuals, evaluated at decision time
/// only for the clauses still in question. Building the key would grow as the product
/// of the constants compared with the fact and the clauses (16,000 clauses each
/// comparing `history.posts_today` with a number of its own: 7 s and 120 MB).
fn over_budget(classes: usize, conjuncts: usize, words: usize) -> bool {
    classes.saturating_mul(conjuncts.max(words)) > KEY_BUDGET
}

/// A key's conjuncts, each once (in order of first use), and the position in
/// that list of each use: clauses that test alike (`history.posts_today >= 20`
/// in many clauses) have their test evaluated once per class. A test's
/// constants tell alike ones apart at once; equality decides.
fn distinct_conjuncts<'a>(uses: &[(usize, &'a CondC)]) -> (Vec<&'a CondC>, Vec<usize>) {
    let mut distinct: Vec<&CondC> = Vec::new();
    let mut use_of = Vec::with_capacity(uses.len());
    let mut by_sig: foldhash::HashMap<u64, Vec<usize>> = foldhash::HashMap::default();
    for (_, p) in uses {
        let same = by_sig.entry(signature(p)).or_default();
        let d = match same.iter().find(|d| distinct.get(**d) == Some(p)) {
            Some(d) => *d,
            None => {
                distinct.push(p);
                same.push(distinct.len() - 1);
                distinct.len() - 1
            }
        };
        use_of.push(d);
    }
    (distinct, use_of)
}

/// A summary of a conjunct that conjuncts equal to it share (its operator
/// and constant, for a test; 0 for others, which equality alone tells apart).
fn signature(p: &CondC) -> u64 {
    use std::hash::{BuildHasher, Hash, Hasher};
    let CondC::Test(t) = p else { return 0 };
    let mut h = foldhash::fast::FixedState::default().build_hasher();
    std::mem::discriminant(&t.op).hash(&mut h);
    match &t.op {
        OpC::Cmp(op, Operand::Const(v)) => {
            op.hash(&mut h);
            match v {
                Val::Int(n) | Val::Pct(n) => n.hash(&mut h),
                Val::Str { id, .. } => id.hash(&mut h),
                Val::Bool(b) => b.hash(&mut h),
                _ => {}
            }
        }
        OpC::In { mask, set } => {
            mask.hash(&mut h);
            set.len().hash(&mut h);
        }
        _ => {}
    }
    h.finish()
}

/// `out |= bits`, word by word; all ones when the bitset is missing (never built so).
fn or_into<const N: usize>(out: &mut [u64; N], bits: Option<&[u64; N]>) {
    match bits {
        Some(bits) => out.iter_mut().zip(bits).for_each(|(o, b)| *o |= *b),
        None => out.fill(!0),
    }
}

fn set(bits: &mut [u64], i: usize) {
    if let Some(w) = bits.get_mut(i / 64) {
        *w |= 1 << (i % 64);
    }
}

fn clear(bits: &mut [u64], i: usize) {
    if let Some(w) = bits.get_mut(i / 64) {
        *w &= !(1 << (i % 64));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, reason = "a test stops loudly")]
mod tests {
    //! The index against plain evaluation: on random policies and random
    //! actions, a clause it rules out is false, and for a clause it keeps, its
    //! answer (`and` the residual) is the clause's condition's answer.
    use super::*;
    use crate::compile::{compile, Compiled};
    use crate::data::action::parse_action_json_line;
    use proptest::prelude::*;

    /// "Not given" and "failed" are the first two classes of every key,
    /// whatever it compares, so that a row with either finds its bitsets
    /// rather than having its clauses evaluated in full (mutation survivor:
    /// the `Failed` arm deleted, such a row fell back on full evaluation:
    /// the same verdicts, by the slow road).
    #[test]
    fn not_given_and_failed_are_the_first_classes_of_every_key() {
        for cuts in [Cuts::Sym(vec![2, 4].into()), Cuts::Int(vec![3, 10].into()), Cuts::Bool, Cuts::Bits(0)] {
            assert_eq!(cuts.class(Val::Absent), Some(0), "{cuts:?}");
            assert_eq!(cuts.class(Val::Failed), Some(1), "{cuts:?}");
            let reps = cuts.representatives();
            assert_eq!(reps.get(..FIRST), Some(&[Val::Absent, Val::Failed][..]), "{cuts:?}");
            // Every other class holds its representative, in order.
            for (k, v) in reps.iter().enumerate().skip(FIRST) {
                assert_eq!(cuts.class(*v), Some(k), "{cuts:?}: {v:?}");
            }
        }
    }

    /// A small deterministic generator (xorshift), drawn from the proptest seed.
    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
        fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
            xs[self.below(xs.len())]
        }
    }

    const REGIONS: &[&str] = &["north", "south", "east"];
    // Nine names: a list key reads six names' bits, so these take two keys.
    const KINDS: &[&str] = &["job_ad", "brand", "industry", "personal", "event", "award", "vacancy", "webinar", "blog"];
    const CHANNELS: &[&str] = &["twitter", "linkedin", "blog"];

    /// One test of one fact, as policy text.
    fn test(r: &mut Rng) -> String {
        let n = r.below(7);
        match r.below(16) {
            0 => format!("facts.region = {}", r.pick(REGIONS)),
            1 => format!("facts.region != {}", r.pick(REGIONS)),
            2 => format!("facts.region in {{{}, {}}}", r.pick(REGIONS), r.pick(REGIONS)),
            3 => format!("facts.region not in {{{}}}", r.pick(REGIONS)),
            4 => format!("facts.seniority {} {n}", r.pick(&[">=", ">", "<=", "<", "=", "!="])),
            5 => format!("(facts.seniority < {n} or facts.seniority > {})", n + 2),
            6 => r.pick(&["facts.flagged", "not facts.flagged", "facts.flagged = false"]).to_string(),
            7 => format!("content.kind has {}", r.pick(KINDS)),
            8 => format!("not content.kind has {}", r.pick(KINDS)),
            9 => format!("content.kind in {{{}}}", r.pick(KINDS)),
            10 => format!("content.kind in {{{}, {}}}", r.pick(KINDS), r.pick(KINDS)),
            11 => format!("channel {} {}", r.pick(&["=", "!="]), r.pick(CHANNELS)),
            12 => format!("history.posts_today {} {}", r.pick(&[">=", "<"]), n + 1),
            13 => "content.names_client".to_string(),
            // Two slots in one conjunct: left to the residual.
            14 => "(facts.flagged or content.names_client)".to_string(),
            // An undeclared fact, read untyped: the action may give it as a name or a number.
            _ => format!("facts.level {} {n}", r.pick(&[">=", "<"])),
        }
    }

    fn policy(r: &mut Rng) -> String {
        let mut p = String::from(
            "policy \"Random\"\n  timezone \"Europe/London\"\n  default allow\nroles consultant, manager\n\
             fact region: enum { north, south, east } \"Region.\"\nfact seniority: int \"Years.\"\n\
             fact flagged: bool \"Flagged.\"\n",
        );
        for i in 0..1 + r.below(90) {
            let tests: Vec<String> = (0..1 + r.below(5)).map(|_| test(r)).collect();
            let then = r.pick(&["deny", "allow", "require approval from manager"]);
            let unless = if r.below(8) == 0 { format!("\n  unless {}", test(r)) } else { String::new() };
            p.push_str(&format!("rule r{i} {{\n  when {}\n  then {then}{unless}\n}}\n", tests.join(" and ")));
        }
        p
    }

    fn action(r: &mut Rng) -> String {
        let mut facts = Vec::new();
        match r.below(4) {
            0 => {}
            _ => facts.push(format!("\"region\":\"{}\"", r.pick(&["north", "south", "east", "west"]))),
        }
        if r.below(4) > 0 {
            facts.push(format!("\"seniority\":{}", r.below(8)));
        }
        if r.below(3) > 0 {
            facts.push(format!("\"flagged\":{}", r.below(2) == 0));
        }
        match r.below(3) {
            0 => {}
            1 => facts.push(format!("\"level\":{}", r.below(5))),
            _ => facts.push("\"level\":\"high\"".to_string()),
        }
        let mut content = Vec::new();
        if r.below(4) > 0 {
            let kinds: Vec<String> = KINDS.iter().filter(|_| r.below(2) == 0).map(|k| format!("\"{k}\"")).collect();
            content.push(format!("\"kind\":[{}]", kinds.join(",")));
        }
        match r.below(4) {
            0 => {}
            // Null and absent are the same: not given.
            1 => content.push("\"names_client\":null".to_string()),
            _ => content.push(format!("\"names_client\":{}", r.below(2) == 0)),
        }
        let channel = if r.below(5) > 0 { format!(",\"channel\":\"{}\"", r.pick(CHANNELS)) } else { String::new() };
        let history =
            if r.below(3) > 0 { format!(",\"history\":{{\"posts_today\":{}}}", r.below(6)) } else { String::new() };
        format!(
            "{{\"action\":\"post\",\"at\":\"2026-03-16T09:00:00Z\",\"actor\":{{\"id\":\"a\",\"role\":\"consultant\",\"status\":\"employed\"}}{channel}{history},\"content\":{{{}}},\"facts\":{{{}}}}}",
            content.join(","),
            facts.join(",")
        )
    }

    /// Every clause of the index against its condition evaluated in full on
    /// this row; returns how many were decided by the index alone.
    fn agree(c: &Compiled, row: &FactRow, text: &str, line: &str) -> usize {
        let idx = &c.index;
        let all = vec![!0u64; idx.words()];
        let mut kept: std::collections::HashMap<u32, Option<Tv>> = std::collections::HashMap::new();
        let all = Members::new(all.into());
        idx.each(row, &[(&all, &idx.keys_for(all.bits(), |_| None))], |e, pre| {
            kept.insert(e.rule, pre);
            true
        });
        let mut decided = 0;
        for e in idx.entries() {
            let full = c.rules[e.rule as usize].when.eval(row, c);
            match kept.get(&e.rule) {
                None => assert_eq!(full, Tv::False, "rule r{} ruled out but not false\n{line}\n{text}", e.rule),
                Some(None) => {}
                Some(Some(pre)) => {
                    let got = if matches!(e.when, CondC::True) { *pre } else { pre.and(e.when.eval(row, c)) };
                    assert_eq!(got, full, "rule r{}: index and residual\n{line}\n{text}", e.rule);
                    if e.exact {
                        decided += 1;
                    }
                }
            }
        }
        decided
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn the_index_answers_as_each_clause_evaluated_in_full(seed in 1u64..u64::MAX) {
            let mut r = Rng(seed);
            let text = policy(&mut r);
            let file = crate::source::SourceFile::new("random.policy", text.as_str());
            let ast = crate::parser::parse(&file).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
            let c = compile(&crate::lower::lower(&file, &ast));
            let now: jiff::Timestamp = "2026-03-16T09:00:00Z".parse().unwrap();
            for _ in 0..40 {
                let line = action(&mut r);
                let a = parse_action_json_line(&line).unwrap_or_else(|e| panic!("{e:?}\n{line}"));
                agree(&c, &FactRow::from_action_at(&a, &c, now), &text, &line);
            }
        }
    }

    /// The random clauses are mostly decided by the index alone, and every
    /// kind of key and class is met: a case where the generator drifted into
    /// residuals only would prove nothing.
    #[test]
    fn the_random_clauses_exercise_every_kind_of_key() {
        let mut r = Rng(7);
        let (mut decided, mut inexact, mut unknown) = (0, 0, 0);
        let (mut kinds, mut windows) = (std::collections::HashSet::new(), std::collections::BTreeSet::new());
        let now: jiff::Timestamp = "2026-03-16T09:00:00Z".parse().unwrap();
        for _ in 0..20 {
            let text = policy(&mut r);
            let file = crate::source::SourceFile::new("random.policy", text.as_str());
            let c = compile(&crate::lower::lower(&file, &crate::parser::parse(&file).unwrap()));
            for k in c.index.keys.iter() {
                kinds.insert(std::mem::discriminant(&k.cuts));
                if let Cuts::Bits(first) = k.cuts {
                    windows.insert(first);
                }
            }
            for _ in 0..20 {
                let line = action(&mut r);
                let row = FactRow::from_action_at(&parse_action_json_line(&line).unwrap(), &c, now);
                decided += agree(&c, &row, &text, &line);
                let keys = c.index.keys_for(&vec![!0u64; c.index.words()], |_| None);
                for k in keys.iter() {
                    match c.index.select(*k, &row) {
                        Some(Sel::Inexact(_)) => inexact += 1,
                        Some(Sel::Class(_, u)) if u != NONE => unknown += 1,
                        _ => {}
                    }
                }
            }
        }
        assert_eq!(kinds.len(), 4, "names, numbers, yes/no, list names");
        assert_eq!(windows.into_iter().collect::<Vec<_>>(), [0, 6], "nine names of a list: two windows");
        assert!(
            decided > 1000 && inexact > 0 && unknown > 0,
            "{decided} decided, {inexact} inexact, {unknown} unknown"
        );
    }

    /// A policy of these clauses (`when` conditions, each `then deny`), compiled.
    fn compiled(whens: &[&str]) -> Compiled {
        let mut text = String::from(
            "policy \"Keys\"\n  timezone \"Europe/London\"\n  default allow\nroles consultant, manager\n\
             fact region: enum { north, south, east } \"Region.\"\nfact seniority: int \"Years.\"\n\
             fact flagged: bool \"Flagged.\"\n",
        );
        for (i, w) in whens.iter().enumerate() {
            text.push_str(&format!("rule r{i} {{\n  when {w}\n  then deny\n}}\n"));
        }
        let file = crate::source::SourceFile::new("keys.policy", text.as_str());
        compile(&crate::lower::lower(&file, &crate::parser::parse(&file).unwrap_or_else(|e| panic!("{e:?}\n{text}"))))
    }

    /// Conjuncts alike are one (evaluated once per class); a different constant
    /// or operator keeps a conjunct apart.
    #[test]
    fn alike_conjuncts_are_one_and_unlike_ones_apart() {
        let c = compiled(&[
            "facts.seniority >= 3",
            "facts.seniority >= 3",
            "facts.seniority > 3",
            "facts.seniority >= 4",
            "facts.seniority >= 3 and facts.flagged",
            "facts.region = north",
            "facts.region != north",
        ]);
        let first = |i: usize| match &c.rules[i].when {
            CondC::All(ps) => &ps[0],
            other => other,
        };
        let uses: Vec<(usize, &CondC)> = (0..7).map(|i| (i, first(i))).collect();
        let (distinct, use_of) = distinct_conjuncts(&uses);
        assert_eq!(use_of, vec![0, 0, 1, 2, 0, 3, 4]);
        assert_eq!(distinct.len(), 5);
        for (u, d) in uses.iter().zip(&use_of) {
            assert_eq!(Some(u.1), distinct.get(*d).copied());
        }
    }

    /// The passes' bitsets hold the denies (first) and the other counting clauses.
    #[test]
    fn the_passes_split_the_denies_from_the_others() {
        let entry =
            |rank: u8| Entry { when: CondC::True, exact: true, rule: 0, tslot: NONE, rank, has_unless: false, mask: 0 };
        let entries: Vec<Entry> = [2, 2, 1, 0].into_iter().chain(std::iter::repeat_n(0, 66)).map(entry).collect();
        let [deny, lower] = passes(&entries, 2);
        assert_eq!(&*deny, &[0b11, 0]);
        assert_eq!(&*lower, &[!0b11, 0b11_1111]);
    }

    /// The slot and kind of each key, as `(slot, "sym" | "int" | "bool" | "bits")`, sorted.
    fn key_kinds(c: &Compiled, keys: &[u32]) -> Vec<(u16, &'static str)> {
        let mut out: Vec<_> = (keys.iter().map(|k| &c.index.keys[*k as usize]))
            .map(|k| {
                let kind = match k.cuts {
                    Cuts::Sym(_) => "sym",
                    Cuts::Int(_) => "int",
                    Cuts::Bool => "bool",
                    Cuts::Bits(_) => "bits",
                };
                (k.slot, kind)
            })
            .collect();
        out.sort_unstable();
        out
    }

    /// Which conjuncts the index takes (the clause is then exact: no residual)
    /// and which it leaves to the residual; one residual conjunct stays itself.
    #[test]
    fn the_index_takes_tests_of_one_slot_of_one_kind_and_leaves_the_rest() {
        let c = compiled(&[
            "facts.region = north or facts.region = south",
            "content.kind in {job_ad}",
            "content.kind in {job_ad, brand}",
            "facts.region in {north, south}",
            "content.kind has brand and not content.kind has job_ad",
            "(facts.level = high or facts.level >= 3)",
            "facts.flagged and (facts.flagged or content.names_client)",
            "facts.seniority >= 3 and facts.seniority < 9",
            "facts.seniority in {1, 2}",
        ]);
        let exact: Vec<bool> = c.index.entries().iter().map(|e| e.exact).collect();
        // Two names of a list in one window are read by its key; a name and a number on one slot are left whole.
        assert_eq!(exact, [true, true, true, true, true, false, false, true, true]);
        assert!(matches!(c.index.entries()[5].when, CondC::Any(_)), "{:?}", c.index.entries()[5].when);
        // One conjunct left over is that conjunct, not an `and` of one.
        assert!(matches!(c.index.entries()[6].when, CondC::Any(_)), "{:?}", c.index.entries()[6].when);
        let all = vec![!0u64; c.index.words()];
        let mut kinds: Vec<&str> =
            key_kinds(&c, &c.index.keys_for(&all, |_| None)).into_iter().map(|(_, k)| k).collect();
        kinds.sort_unstable();
        // region (names), content.kind job_ad and brand (one key: their bits share a window),
        // flagged (yes/no), seniority (numbers).
        let mut want = vec!["sym", "bits", "bool", "int"];
        want.sort_unstable();
        assert_eq!(kinds, want);
    }

    /// A list's names are read by one key per window of six bits: a test of
    /// names in one window is the key's, one spanning two is left whole.
    #[test]
    fn a_test_of_list_names_is_indexed_when_they_share_a_window() {
        // The names tested, sorted, are the bits: advert .. job_ad 0-5, personal and vacancy 6 and 7.
        let c = compiled(&[
            "content.kind has announcement and content.kind has award and content.kind has blog",
            "content.kind in {advert, job_ad}",
            "content.kind in {advert, personal}",
            "content.kind has personal or content.kind has vacancy",
            "content.kind has brand or content.kind has vacancy",
        ]);
        let bit = |name: &str| c.list_bit(c.strings.id(name)).map(window_of);
        assert_eq!(
            (bit("advert"), bit("job_ad"), bit("personal"), bit("vacancy")),
            (Some(0), Some(0), Some(6), Some(6))
        );
        let exact: Vec<bool> = c.index.entries().iter().map(|e| e.exact).collect();
        assert_eq!(exact, [true, true, false, true, false]);
        let all = vec![!0u64; c.index.words()];
        assert_eq!(key_kinds(&c, &c.index.keys_for(&all, |_| None)).len(), 2, "one key per window");
    }

    /// A bucket whose clause sits past the first 64 reads that clause's keys
    /// (their bitsets' second word).
    #[test]
    fn a_bucket_past_the_first_word_reads_the_keys_of_its_clauses_there() {
        // 70 clauses: the first 69 test only `facts.flagged`, the 70th (bit 5 of word 1) only the region.
        let mut whens = vec!["facts.flagged"; 69];
        whens.push("facts.region = north");
        let c = compiled(&whens);
        let region = c.index.keys.iter().position(|k| matches!(&k.cuts, Cuts::Sym(ids) if ids.len() == 1)).unwrap();
        let flagged = c.index.keys.iter().position(|k| matches!(k.cuts, Cuts::Bool)).unwrap();
        let mut members = vec![0u64; c.index.words()];
        set(&mut members, 69);
        let read: Vec<usize> = c.index.keys_for(&members, |_| None).iter().map(|k| *k as usize).collect();
        assert_eq!(read, vec![region], "the 70th clause's key, in the second word");
        set(&mut members, 3);
        let mut read: Vec<usize> = c.index.keys_for(&members, |_| None).iter().map(|k| *k as usize).collect();
        read.sort_unstable();
        let mut want = vec![region, flagged];
        want.sort_unstable();
        assert_eq!(read, want);
    }

    /// A bucket reads only the keys testing its clauses, and not a key whose
    /// value the bucket fixes when that value's class rules none of them out
    /// and leaves none unknown.
    #[test]
    fn a_bucket_reads_only_the_keys_that_can_change_its_clauses() {
        let c = compiled(&[
            "channel = twitter and facts.region = north",
            "channel != blog and facts.flagged",
            "channel = linkedin and facts.seniority >= 2",
        ]);
        let chan = |name: &str| Val::Str { id: c.strings.id(name), text: false };
        let slot = |k: u32| c.index.keys[k as usize].slot;
        let chan_slot = c.index.keys.iter().find(|k| matches!(&k.cuts, Cuts::Sym(ids) if ids.len() == 3)).unwrap().slot;
        let fixed = |name: &'static str| move |s: u16| (s == chan_slot).then(|| chan(name));
        let bits = |rules: &[usize]| {
            let mut m = vec![0u64; c.index.words()];
            rules.iter().for_each(|r| set(&mut m, *r));
            m
        };
        let region = c.index.keys.iter().position(|k| matches!(&k.cuts, Cuts::Sym(ids) if ids.len() == 1)).unwrap();
        let flagged = c.index.keys.iter().position(|k| matches!(k.cuts, Cuts::Bool)).unwrap();
        let seniority = c.index.keys.iter().position(|k| matches!(k.cuts, Cuts::Int(_))).unwrap();
        let named = |keys: Box<[u32]>| -> Vec<usize> {
            let mut v: Vec<usize> = keys.iter().map(|k| *k as usize).collect();
            v.sort_unstable();
            v
        };
        let sorted = |mut v: Vec<usize>| {
            v.sort_unstable();
            v
        };
        // A twitter bucket holding the first two: twitter's class keeps both
        // and knows both, so the channel is not read; seniority tests neither.
        assert_eq!(named(c.index.keys_for(&bits(&[0, 1]), fixed("twitter"))), sorted(vec![region, flagged]));
        // Not fixed: the channel is read too.
        let read = named(c.index.keys_for(&bits(&[0, 1]), |_| None));
        assert_eq!(read.len(), 3, "{read:?}");
        assert!(read.iter().all(|k| slot(*k as u32) == chan_slot || [region, flagged].contains(k)));
        // A blog bucket holding all three: blog's class rules clauses out, so the channel is read.
        let read = named(c.index.keys_for(&bits(&[0, 1, 2]), fixed("blog")));
        assert_eq!(read.len(), 4, "{read:?}");
        // Only the third, on linkedin: its class keeps it, the others' keys are not read.
        assert_eq!(named(c.index.keys_for(&bits(&[2]), fixed("linkedin"))), vec![seniority]);

        // A channel's class that rules no clause out at all (no bitset of its own) is not read either.
        let c = compiled(&["channel != blog and facts.flagged"]);
        let chan_slot = c.index.keys.iter().find(|k| matches!(&k.cuts, Cuts::Sym(_))).unwrap().slot;
        let twitter = Val::Str { id: c.strings.id("twitter"), text: false };
        let keys = c.index.keys_for(&[1], |s| (s == chan_slot).then_some(twitter));
        assert_eq!(key_kinds(&c, &keys).into_iter().map(|(_, k)| k).collect::<Vec<_>>(), ["bool"]);
        assert_eq!(key_kinds(&c, &c.index.keys_for(&[1], |_| None)).len(), 2);
    }

    /// A key whose names or numbers lie close together looks a row's class
    /// up in a table; the table gives, for every value (below the first
    /// tested, between, above the last, and far outside), the class the
    /// binary search gives, and a key whose values lie far apart has none.
    #[test]
    fn a_key_of_close_values_looks_its_class_up_in_a_table_that_agrees_with_the_search() {
        let c = compiled(&[
            "facts.seniority >= 3 and facts.seniority < 9",
            "facts.seniority in {1, 5}",
            "facts.region = north",
            "facts.region in {south, east}",
            "facts.level >= 2000 and facts.level < 2",
            "facts.flagged",
        ]);
        let (mut tables, mut checked) = (0, 0);
        for key in c.index.keys.iter() {
            let vals: Vec<Val> = match &key.cuts {
                Cuts::Int(ns) => {
                    // 0 to 2,000 apart is too wide for a table; 1 to 8 is not.
                    assert_eq!(key.dense.table.is_empty(), ns.last().unwrap() - ns.first().unwrap() >= DENSE - 2);
                    (-5..2010).map(Val::Int).chain([Val::Int(i64::MIN), Val::Int(i64::MAX)]).collect()
                }
                Cuts::Sym(_) => {
                    assert!(!key.dense.table.is_empty(), "three names");
                    (0..300)
                        .map(|id| Val::Str { id, text: false })
                        .chain([Val::Str { id: u32::MAX, text: false }])
                        .collect()
                }
                Cuts::Bool | Cuts::Bits(_) => {
                    assert!(key.dense.table.is_empty());
                    continue;
                }
            };
            tables += usize::from(!key.dense.table.is_empty());
            let mut read = 0;
            for v in vals {
                let searched = key.cuts.class(v).and_then(|k| key.classes.get(k)).copied();
                if let Some(got) = key.dense.get(&v) {
                    assert_eq!(Some(got), searched, "{v:?} under {:?}", key.cuts);
                    read += 1;
                }
            }
            // A key with a table reads every value of its kind from it, the far ones clamped to its ends.
            if !key.dense.table.is_empty() {
                assert!(read > 300, "{read} values read from the table of {:?}", key.cuts);
            }
            checked += read;
            // Another kind of value is not the table's: the search says it is inexact.
            assert_eq!(key.dense.get(&Val::Bool(true)), None);
        }
        assert_eq!(tables, 2, "seniority and region");
        assert!(checked > 2000, "{checked}");
    }

    /// The index holds the denies first, each pass in clause order, and
    /// `bit_of` says where each clause went; a bucket's deny pass then reads
    /// only the first words (a deny written after 70 approvals is in word 0).
    #[test]
    fn the_denies_come_first_so_the_deny_pass_reads_the_first_words() {
        let mut text = String::from("policy \"Order\"\n  timezone \"Europe/London\"\n  default allow\nroles consultant, manager\nfact n: int \"n\"\n");
        for i in 0..70 {
            text.push_str(&format!("rule a{i} {{\n  when facts.n >= {i}\n  then require approval from manager\n}}\n"));
        }
        for i in 0..3 {
            text.push_str(&format!("rule d{i} {{\n  when facts.n = {i}\n  then deny\n}}\n"));
        }
        let file = crate::source::SourceFile::new("order.policy", text.as_str());
        let c = compile(&crate::lower::lower(&file, &crate::parser::parse(&file).unwrap()));
        let rules: Vec<u32> = c.index.entries().iter().map(|e| e.rule).collect();
        let want: Vec<u32> = (70..73).chain(0..70).collect();
        assert_eq!(rules, want);
        for i in 0..73 {
            assert_eq!(c.index.entries()[c.index.bit_of(i).unwrap()].rule as usize, i, "clause {i}");
        }
        assert_eq!(c.index.bit_of(73), None);
        let b = &c.buckets[0];
        assert_eq!((b.pass[0].lo, b.pass[0].hi, b.pass[0].bits()[0]), (0, 1, 0b111));
        assert_eq!((b.pass[1].lo, b.pass[1].hi), (0, 2));
        assert_eq!(b.pass[1].bits()[0], !0b111);
    }

    /// More clauses than one chunk of the accumulator holds (1,024): the
    /// index still answers as each clause evaluated in full, past the first chunk too.
    #[test]
    fn an_index_of_more_clauses_than_a_chunk_answers_as_each_clause() {
        let mut r = Rng(11);
        let mut text = String::from(
            "policy \"Random\"\n  timezone \"Europe/London\"\n  default allow\nroles consultant, manager\n\
             fact region: enum { north, south, east } \"Region.\"\nfact seniority: int \"Years.\"\n\
             fact flagged: bool \"Flagged.\"\n",
        );
        for i in 0..1100 {
            let tests: Vec<String> = (0..1 + r.below(3)).map(|_| test(&mut r)).collect();
            let then = r.pick(&["deny", "allow", "require approval from manager"]);
            text.push_str(&format!("rule r{i} {{\n  when {}\n  then {then}\n}}\n", tests.join(" and ")));
        }
        let file = crate::source::SourceFile::new("random.policy", text.as_str());
        let c = compile(&crate::lower::lower(&file, &crate::parser::parse(&file).unwrap()));
        assert!(c.index.words() > CHUNK, "{} words", c.index.words());
        let now: jiff::Timestamp = "2026-03-16T09:00:00Z".parse().unwrap();
        let (mut past_first, mut decided) = (0, 0);
        for _ in 0..30 {
            let line = action(&mut r);
            let row = FactRow::from_action_at(&parse_action_json_line(&line).unwrap(), &c, now);
            decided += agree(&c, &row, "(1,100 random clauses)", &line);
            let all = vec![!0u64; c.index.words()];
            let all = Members::new(all.into());
            c.index.each(&row, &[(&all, &c.index.keys_for(all.bits(), |_| None))], |e, _| {
                past_first += usize::from(e.rule as usize >= CHUNK * 64);
                true
            });
        }
        assert!(past_first > 0 && decided > 0, "{past_first} kept past the first chunk, {decided} decided");
    }
}
