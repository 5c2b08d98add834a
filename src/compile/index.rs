//! The decision structure of one (action kind, channel) bucket: a small tree
//! that routes a row, by the interned symbols and list names it carries, to the
//! few clauses that can apply to it, each with its condition *residual* — the
//! tests already known to hold on the way there removed.
//!
//! - an [`Node::Eq`] node splits on a slot that most of its clauses test with
//!   `= name` or `in {names}` as a top-level conjunct (`target.relationship`,
//!   `actor.status`, a declared team…): a row whose slot holds a symbol visits
//!   only the child of that symbol (or the child of the clauses that do not
//!   test the slot); any other value (absent, a list, a number) visits the
//!   unsplit clauses, so unknowns are evaluated exactly as before;
//! - a [`Node::Has`] node splits on a list slot most clauses test with
//!   `has name` (`content.kind`): a row visits the clauses that do not test it
//!   and the part of each name it holds;
//! - a [`Node::Thresholds`] leaf holds clauses that are each one
//!   `slot >= number` test (or `>`, `<=`, `<`) on the same slot: the clauses
//!   that apply are found by binary search.
//!
//! Splitting only removes clauses whose condition is certainly false for the
//! row, and only removes tests that certainly hold, so a decision is unchanged
//! (`tests/compile.rs` checks agreement with the interpreter). A split is made
//! only when its children hold at most four times the node's entries, and
//! splits nest at most four deep, so the structure's size is bounded (the
//! generated 1,000-rule policy compiles to 4 MB; see BENCHMARKS.md).

use super::cond::{CondC, OpC, Operand};
use super::row::{FactRow, Val};
use crate::ast::CmpOp;

/// One clause as a leaf holds it, with what the combining needs inline.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The clause's condition with the tests known to hold removed.
    pub when: CondC,
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

/// A node of the decision structure.
#[derive(Debug, Clone)]
pub enum Node {
    /// The clauses to visit, in order.
    Leaf(Box<[Entry]>),
    /// By the symbol in a slot.
    Eq {
        /// The slot.
        slot: u16,
        /// The symbol ids, sorted; `kids[k]` is the child of `keys[k]`.
        keys: Box<[u32]>,
        /// One child per key.
        kids: Box<[Node]>,
        /// The child of any other symbol: the clauses that do not test the slot.
        other: Box<Node>,
        /// Every clause of this node, for a row whose slot holds no symbol.
        unsplit: Box<[Entry]>,
    },
    /// Clauses whose whole residual condition is `slot OP number` (no
    /// `unless`, no override): for a whole number in the slot, the clauses
    /// that apply form a prefix or a suffix of the thresholds, found by binary search.
    Thresholds {
        /// The slot.
        slot: u16,
        /// The comparison (the same for all).
        op: CmpOp,
        /// The thresholds, ascending; `entries[k]` has `limits[k]`.
        limits: Box<[i64]>,
        /// The clauses, by threshold.
        entries: Box<[Entry]>,
        /// The clauses in order, for a row whose slot holds no whole number.
        unsplit: Box<[Entry]>,
    },
    /// By the names in a list slot.
    Has {
        /// The slot.
        slot: u16,
        /// The list bit of a name, and the clauses that test `has` it.
        parts: Box<[(u128, Node)]>,
        /// The clauses that do not test the slot.
        rest: Box<Node>,
        /// Every clause of this node, for a row whose slot holds no list.
        unsplit: Box<[Entry]>,
    },
}

impl Node {
    /// Calls `f` on each list of entries the row may match (with `true` when
    /// they are known to apply); returns whether the entries visited may be
    /// out of clause order (the caller then sorts).
    pub fn visit<'a>(&'a self, row: &FactRow, f: &mut impl FnMut(&'a [Entry], bool)) -> bool {
        match self {
            Node::Leaf(es) => {
                f(es, false);
                false
            }
            Node::Thresholds { slot, op, limits, entries, unsplit } => match row.get(*slot) {
                Val::Int(v) => {
                    let range = match op {
                        CmpOp::Ge => 0..limits.partition_point(|n| *n <= v),
                        CmpOp::Gt => 0..limits.partition_point(|n| *n < v),
                        CmpOp::Le => limits.partition_point(|n| *n < v)..limits.len(),
                        _ => limits.partition_point(|n| *n <= v)..limits.len(),
                    };
                    let hit = entries.get(range).unwrap_or(&[]);
                    f(hit, true);
                    hit.len() > 1
                }
                _ => {
                    f(unsplit, false);
                    false
                }
            },
            Node::Eq { slot, keys, kids, other, unsplit } => match row.get(*slot) {
                Val::Str { id, .. } => match keys.binary_search(&id).ok().and_then(|k| kids.get(k)) {
                    Some(kid) => kid.visit(row, f),
                    None => other.visit(row, f),
                },
                _ => {
                    f(unsplit, false);
                    false
                }
            },
            Node::Has { slot, parts, rest, unsplit } => match row.get(*slot) {
                Val::List { bits, .. } => {
                    rest.visit(row, f);
                    for (b, node) in parts.iter() {
                        if bits & b != 0 {
                            node.visit(row, f);
                        }
                    }
                    true
                }
                _ => {
                    f(unsplit, false);
                    false
                }
            },
        }
    }
}

/// The top-level conjuncts of a condition.
fn conjuncts(c: &CondC) -> &[CondC] {
    match c {
        CondC::All(ps) => ps,
        other => std::slice::from_ref(other),
    }
}

/// The condition without its `k`-th top-level conjunct (known to hold).
/// `and` keeps its wrapper: it absorbs an unknown that names no fact, as the
/// interpreter does, so `and(p)` is not always `p`.
fn without(c: &CondC, k: usize) -> CondC {
    match c {
        // With no part left, `and()` is true.
        CondC::All(ps) if ps.len() <= 1 => CondC::True,
        CondC::All(ps) => CondC::All(ps.iter().enumerate().filter(|(i, _)| *i != k).map(|(_, p)| p.clone()).collect()),
        _ => CondC::True,
    }
}

/// If this conjunct is `slot = name` or `slot in {names}`: the slot and the ids it accepts.
fn eq_test(c: &CondC) -> Option<(u16, Vec<u32>)> {
    let CondC::Test(t) = c else { return None };
    let Operand::Slot(s) = t.lhs else { return None };
    match &t.op {
        OpC::Cmp(CmpOp::Eq, Operand::Const(Val::Str { id, .. })) => Some((s, vec![*id])),
        OpC::In { set, .. } => {
            let ids: Option<Vec<u32>> = set
                .iter()
                .map(|v| match v {
                    Val::Str { id, .. } => Some(*id),
                    _ => None,
                })
                .collect();
            ids.filter(|ids| !ids.is_empty()).map(|ids| (s, ids))
        }
        _ => None,
    }
}

/// If this conjunct is `slot has name` for a name of the list vocabulary: the slot and the name's bit.
fn has_test(c: &CondC, bit_of: &impl Fn(u32) -> Option<u128>) -> Option<(u16, u128)> {
    let CondC::Test(t) = c else { return None };
    let Operand::Slot(s) = t.lhs else { return None };
    match &t.op {
        OpC::Has(Operand::Const(Val::Str { id, .. })) => bit_of(*id).map(|b| (s, b)),
        _ => None,
    }
}

/// The entry with the conjuncts that hold when `slot` holds `id` removed.
pub fn assume(e: &Entry, slot: u16, id: u32) -> Entry {
    let mut when = e.when.clone();
    while let Some(k) =
        conjuncts(&when).iter().position(|p| eq_test(p).is_some_and(|(s, ids)| s == slot && ids.contains(&id)))
    {
        when = without(&when, k);
    }
    Entry { when, ..e.clone() }
}

/// The slot most entries test with `fn test`, and how many do.
fn most_tested<T>(entries: &[Entry], test: impl Fn(&CondC) -> Option<(u16, T)>) -> Option<(u16, usize)> {
    let mut counts: Vec<(u16, usize)> = Vec::new();
    for e in entries {
        let mut seen: Vec<u16> = Vec::new();
        for (s, _) in conjuncts(&e.when).iter().filter_map(&test) {
            if seen.contains(&s) {
                continue;
            }
            seen.push(s);
            match counts.iter_mut().find(|(x, _)| *x == s) {
                Some((_, n)) => *n += 1,
                None => counts.push((s, 1)),
            }
        }
    }
    counts.into_iter().max_by_key(|(s, n)| (*n, std::cmp::Reverse(*s)))
}

/// Worth splitting: at least half the entries test the slot, and there are a few.
fn worth(len: usize, tested: usize) -> bool {
    len >= 3 && tested >= 2 && tested * 2 >= len
}

const MAX_DEPTH: u8 = 4;

/// Builds the decision structure over these entries (in clause order).
pub fn build(entries: Vec<Entry>, bit_of: &impl Fn(u32) -> Option<u128>) -> Node {
    build_at(entries, 0, bit_of)
}

fn build_at(entries: Vec<Entry>, depth: u8, bit_of: &impl Fn(u32) -> Option<u128>) -> Node {
    if depth < MAX_DEPTH {
        if let Some(node) = split_eq(&entries, depth, bit_of) {
            return node;
        }
    }
    split_has(&entries, bit_of).unwrap_or_else(|| leaf(entries))
}

/// A leaf: thresholds when every clause is one `slot OP whole number` test, else a list.
fn leaf(entries: Vec<Entry>) -> Node {
    let threshold = |e: &Entry| -> Option<(u16, CmpOp, i64)> {
        if e.has_unless || e.tslot != u32::MAX {
            return None;
        }
        let [CondC::Test(t)] = conjuncts(&e.when) else { return None };
        match (&t.lhs, &t.op) {
            (
                Operand::Slot(s),
                OpC::Cmp(op @ (CmpOp::Ge | CmpOp::Gt | CmpOp::Le | CmpOp::Lt), Operand::Const(Val::Int(n))),
            ) => Some((*s, *op, *n)),
            _ => None,
        }
    };
    let found: Option<Vec<(u16, CmpOp, i64)>> = entries.iter().map(threshold).collect();
    match found {
        Some(found)
            if entries.len() >= 2 && found.windows(2).all(|w| matches!(w, [a, b] if a.0 == b.0 && a.1 == b.1)) =>
        {
            let (slot, op) = found.first().map(|f| (f.0, f.1)).unwrap_or((0, CmpOp::Ge));
            let mut sorted: Vec<(i64, Entry)> = found.iter().map(|f| f.2).zip(entries.iter().cloned()).collect();
            sorted.sort_by_key(|(n, e)| (*n, e.rule));
            Node::Thresholds {
                slot,
                op,
                limits: sorted.iter().map(|(n, _)| *n).collect(),
                entries: sorted.into_iter().map(|(_, e)| e).collect(),
                unsplit: entries.into(),
            }
        }
        _ => Node::Leaf(entries.into()),
    }
}

fn split_eq(entries: &[Entry], depth: u8, bit_of: &impl Fn(u32) -> Option<u128>) -> Option<Node> {
    let (slot, tested) = most_tested(entries, eq_test)?;
    if !worth(entries.len(), tested) {
        return None;
    }
    let accepts = |e: &Entry| -> Option<Vec<u32>> {
        conjuncts(&e.when).iter().filter_map(eq_test).find(|(s, _)| *s == slot).map(|(_, ids)| ids)
    };
    let mut keys: Vec<u32> = entries.iter().filter_map(accepts).flatten().collect();
    keys.sort_unstable();
    keys.dedup();
    let other: Vec<Entry> = entries.iter().filter(|e| accepts(e).is_none()).cloned().collect();
    let mut kids_entries: Vec<Vec<Entry>> = Vec::with_capacity(keys.len());
    let mut total = other.len();
    for key in &keys {
        let kid: Vec<Entry> = entries
            .iter()
            .filter(|e| accepts(e).is_none_or(|ids| ids.contains(key)))
            .map(|e| assume(e, slot, *key))
            .collect();
        total += kid.len();
        if total > 4 * entries.len() + 8 {
            return None;
        }
        kids_entries.push(kid);
    }
    let kids: Vec<Node> = kids_entries.into_iter().map(|k| build_at(k, depth + 1, bit_of)).collect();
    Some(Node::Eq {
        slot,
        keys: keys.into(),
        kids: kids.into(),
        other: Box::new(build_at(other, depth + 1, bit_of)),
        unsplit: entries.into(),
    })
}

fn split_has(entries: &[Entry], bit_of: &impl Fn(u32) -> Option<u128>) -> Option<Node> {
    let (slot, tested) = most_tested(entries, |c| has_test(c, bit_of))?;
    if !worth(entries.len(), tested) {
        return None;
    }
    let mut parts: Vec<(u128, Vec<Entry>)> = Vec::new();
    let mut rest = Vec::new();
    for e in entries {
        let found = conjuncts(&e.when)
            .iter()
            .enumerate()
            .find_map(|(k, c)| has_test(c, bit_of).filter(|(s, _)| *s == slot).map(|(_, b)| (k, b)));
        match found {
            Some((k, bit)) => {
                let e = Entry { when: without(&e.when, k), ..e.clone() };
                match parts.iter_mut().find(|(b, _)| *b == bit) {
                    Some((_, es)) => es.push(e),
                    None => parts.push((bit, vec![e])),
                }
            }
            None => rest.push(e.clone()),
        }
    }
    parts.sort_by_key(|(b, _)| *b);
    Some(Node::Has {
        slot,
        parts: parts.into_iter().map(|(b, es)| (b, leaf(es))).collect(),
        rest: Box::new(leaf(rest)),
        unsplit: entries.into(),
    })
}

/// The shape of a decision structure, for the tests that pin the work a
/// decision does (the index changes only speed, so no verdict shows it).
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Shape {
    /// The split nodes ([`Node::Eq`], [`Node::Has`]).
    pub splits: usize,
    /// The most splits on a path from the root.
    pub depth: usize,
    /// The entries the leaves hold (not the unsplit lists), copies counted.
    pub entries: usize,
    /// The tests left in those entries' residual conditions.
    pub tests: usize,
}

#[cfg(test)]
impl Node {
    /// The shape of this structure.
    pub(crate) fn shape(&self) -> Shape {
        fn tests(c: &CondC) -> usize {
            match c {
                CondC::True => 0,
                CondC::All(ps) | CondC::Any(ps) => ps.iter().map(tests).sum(),
                CondC::Not(p) => tests(p),
                CondC::Test(_) => 1,
            }
        }
        let held = |es: &[Entry]| Shape {
            entries: es.len(),
            tests: es.iter().map(|e| tests(&e.when)).sum(),
            ..Shape::default()
        };
        let split = |kids: &mut dyn Iterator<Item = &Node>| {
            let mut s = Shape { splits: 1, ..Shape::default() };
            for k in kids {
                let k = k.shape();
                s.splits += k.splits;
                s.depth = s.depth.max(k.depth + 1);
                s.entries += k.entries;
                s.tests += k.tests;
            }
            s.depth = s.depth.max(1);
            s
        };
        match self {
            Node::Leaf(es) | Node::Thresholds { entries: es, .. } => held(es),
            Node::Eq { kids, other, .. } => split(&mut kids.iter().chain(std::iter::once(&**other))),
            Node::Has { parts, rest, .. } => split(&mut parts.iter().map(|(_, n)| n).chain(std::iter::once(&**rest))),
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, reason = "a test stops loudly")]
mod tests {
    //! The index's fast paths pinned by the work a decision does: how many
    //! clauses it visits and how big the structure is, on entries built here.
    use super::*;
    use crate::compile::cond::TestC;

    fn test(slot: u16, op: OpC) -> CondC {
        CondC::Test(Box::new(TestC { lhs: Operand::Slot(slot), none_is_false: false, op }))
    }
    /// `slot = name` for the name of id `id`.
    fn eq(slot: u16, id: u32) -> CondC {
        test(slot, OpC::Cmp(CmpOp::Eq, Operand::Const(Val::Str { id, text: false })))
    }
    /// `slot` (a yes/no fact).
    fn flag(slot: u16) -> CondC {
        test(slot, OpC::Truthy)
    }
    fn entry(rule: usize, parts: Vec<CondC>) -> Entry {
        Entry {
            when: CondC::All(parts.into()),
            rule: u32::try_from(rule).unwrap_or(u32::MAX),
            tslot: u32::MAX,
            rank: 2,
            has_unless: false,
            mask: 0,
        }
    }
    fn no_lists(_: u32) -> Option<u128> {
        None
    }
    /// How many entries a row with these slots visits.
    fn visits(node: &Node, vals: Vec<Val>) -> usize {
        let row = FactRow { vals, bucket: 0, granted: Vec::new() };
        let mut n = 0;
        node.visit(&row, &mut |es, _| n += es.len());
        n
    }
    fn sym(id: u32) -> Val {
        Val::Str { id, text: false }
    }

    /// 64 clauses, each naming one of two values in each of six slots: the
    /// index splits four deep (no more), each split removing the test it
    /// routed on, so a row with every slot set visits the 4 clauses of one
    /// leaf, each left with two tests; a row without the first slot visits all.
    #[test]
    fn splits_nest_four_deep_and_leave_only_the_untested_conditions() {
        let entries: Vec<Entry> =
            (0..64).map(|r| entry(r, (0..6u16).map(|s| eq(s, 2 + 2 * ((r >> s) & 1) as u32)).collect())).collect();
        let tree = build(entries, &no_lists);
        assert_eq!(tree.shape(), Shape { splits: 1 + 2 + 4 + 8, depth: 4, entries: 64, tests: 64 * 2 });
        assert_eq!(visits(&tree, vec![sym(2); 6]), 4);
        assert_eq!(visits(&tree, vec![sym(4); 6]), 4);
        let mut first_absent = vec![sym(2); 6];
        first_absent[0] = Val::Absent;
        assert_eq!(visits(&tree, first_absent), 64);
    }

    /// The clauses that do not test a slot go to its `other` child, one
    /// level deeper like any child: a row naming none of the keys follows
    /// `other` four splits down and visits the 4 clauses left there.
    #[test]
    fn the_other_child_counts_towards_the_depth_too() {
        // Half the clauses test slot 0, a quarter slot 1, ... and the last two slot 5.
        let sizes = [32, 16, 8, 4, 2, 2];
        let mut entries = Vec::new();
        for (s, n) in (0u16..).zip(sizes) {
            for i in 0..n {
                entries.push(entry(entries.len(), vec![eq(s, 2 + 2 * (i % 2) as u32)]));
            }
        }
        let tree = build(entries, &no_lists);
        assert_eq!(tree.shape().depth, 4);
        assert_eq!(visits(&tree, vec![sym(100); 6]), 4);
    }

    /// `count` clauses `slot 0 = name k` (each with a second test), then
    /// `others` clauses that do not test slot 0.
    fn keyed(count: usize, others: usize) -> Vec<Entry> {
        (0..count)
            .map(|k| entry(k, vec![eq(0, 2 * k as u32 + 2), flag(2)]))
            .chain((0..others).map(|k| entry(count + k, vec![flag(1)])))
            .collect()
    }

    /// A slot is split on only when at least half of three or more clauses test it.
    #[test]
    fn a_slot_is_split_on_only_when_half_the_clauses_test_it() {
        for (count, others, split) in [(2, 0, false), (4, 6, false), (5, 5, true), (2, 1, true), (1, 1, false)] {
            let tree = build(keyed(count, others), &no_lists);
            assert_eq!(tree.shape().splits, usize::from(split), "{count} testing slot 0, {others} not");
            // The row naming the first key visits it and the others, or everything.
            let want = if split { 1 + others } else { count + others };
            assert_eq!(visits(&tree, vec![sym(2), Val::Bool(true), Val::Bool(true)]), want, "{count}, {others}");
        }
    }

    /// A split is made only when its children hold at most 4 × its clauses + 8
    /// (the clauses that do not test the slot are copied into every child).
    #[test]
    fn a_split_copies_at_most_four_times_its_clauses_and_eight() {
        // 20 keys and 4 others: 4 + 20 × 5 = 104 = 4 × 24 + 8, split.
        let tree = build(keyed(20, 4), &no_lists);
        assert_eq!(tree.shape(), Shape { splits: 1, depth: 1, entries: 104, tests: 104 });
        // 20 keys and 5 others: 5 + 20 × 6 = 125 > 4 × 25 + 8, one leaf.
        let tree = build(keyed(20, 5), &no_lists);
        assert_eq!(tree.shape(), Shape { splits: 0, depth: 0, entries: 25, tests: 45 });
        assert_eq!(visits(&tree, vec![sym(2), Val::Bool(true), Val::Bool(true)]), 25);
    }

    /// `has` splits route a list to the clauses of the names it holds, each
    /// without its `has` test.
    #[test]
    fn a_list_visits_the_clauses_of_its_names_without_their_has_test() {
        let has = |id: u32| test(0, OpC::Has(Operand::Const(sym(id))));
        let entries: Vec<Entry> = (0..4).map(|k| entry(k, vec![has(2 * k as u32 + 2), flag(1)])).collect();
        let bit_of = |id: u32| Some(1u128 << (id / 2));
        let tree = build(entries, &bit_of);
        assert_eq!(tree.shape(), Shape { splits: 1, depth: 1, entries: 4, tests: 4 });
        assert_eq!(visits(&tree, vec![Val::List { bits: 1 << 2, other: false }, Val::Bool(true)]), 1);
        assert_eq!(visits(&tree, vec![Val::Absent, Val::Bool(true)]), 4);
    }
}
