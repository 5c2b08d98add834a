//! Compiled conditions: a tree of enums over slot indices and precomputed
//! constants, evaluated in the same Kleene logic as
//! [`eval::interp`](crate::eval::interp), with one refinement the interpreter
//! has implicitly: an *unknown that names no missing fact* ([`T4::Void`], a
//! date shifted out of range or a `has` of an absent fact) is absorbed by
//! `and`/`or` as the interpreter's empty missing list is.
//!
//! No allocation and no string comparison happen here.

use super::row::{FactRow, Val};
use crate::ast::CmpOp;
use std::cmp::Ordering;

/// A truth value: the interpreter's [`Truth`](crate::eval::interp::Truth),
/// with unknown split by whether it names missing facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum T4 {
    /// Holds.
    True,
    /// Does not hold.
    False,
    /// Unknown: a fact is missing.
    Unknown,
    /// Unknown, naming no fact.
    Void,
}

/// A term of a test.
#[derive(Debug, Clone)]
pub enum Operand {
    /// A slot of the row.
    Slot(u16),
    /// A constant.
    Const(Val),
}

impl Operand {
    fn get(&self, row: &FactRow) -> Val {
        match self {
            Operand::Slot(s) => row.get(*s),
            Operand::Const(v) => *v,
        }
    }
}

/// The test applied.
#[derive(Debug, Clone)]
pub enum OpC {
    /// Absent.
    Missing,
    /// Present.
    Present,
    /// A true flag.
    Truthy,
    /// A comparison.
    Cmp(CmpOp, Operand),
    /// One of: for a list lhs, the mask of the names; otherwise the constants.
    In {
        /// The list-vocabulary bits of the names.
        mask: u128,
        /// Every constant.
        set: Box<[Val]>,
    },
    /// The list contains.
    Has(Operand),
    /// Has an element outside.
    HasOutside {
        /// The list-vocabulary bits of the names.
        mask: u128,
        /// The ids of the names.
        ids: Box<[u32]>,
    },
    /// The share after this action is above the limit.
    ShareAbove {
        /// The whole's slot.
        whole: u16,
        /// The limit.
        percent: i64,
    },
}

/// A compiled test.
#[derive(Debug, Clone)]
pub struct TestC {
    /// The tested term.
    pub lhs: Operand,
    /// Absent means none (`approval.granted_by`): false rather than unknown.
    pub none_is_false: bool,
    /// The test.
    pub op: OpC,
}

/// A compiled condition.
#[derive(Debug, Clone)]
pub enum CondC {
    /// Always holds.
    True,
    /// Every part.
    All(Box<[CondC]>),
    /// Some part.
    Any(Box<[CondC]>),
    /// Negation.
    Not(Box<CondC>),
    /// One test.
    Test(Box<TestC>),
}

fn from_bool(b: bool) -> T4 {
    if b {
        T4::True
    } else {
        T4::False
    }
}

/// Compares two values as [`interp::compare`](crate::eval::interp::compare) does.
pub fn compare(a: Val, b: Val) -> Option<Ordering> {
    match (a, b) {
        (Val::Int(x), Val::Int(y)) | (Val::Pct(x), Val::Pct(y)) => Some(x.cmp(&y)),
        (Val::Date(x), Val::Date(y)) => Some(x.cmp(&y)),
        (Val::Ts(x, _), Val::Ts(y, _)) => Some(x.cmp(&y)),
        (Val::Ts(_, x), Val::Date(y)) | (Val::Date(x), Val::Ts(_, y)) => Some(x.cmp(&y)),
        (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(&y)),
        (Val::Dur(x), Val::Dur(y)) => x.approx_months().partial_cmp(&y.approx_months()),
        (Val::Str { id: x, .. }, Val::Str { id: y, .. }) => Some(x.cmp(&y)),
        _ => None,
    }
}

impl CondC {
    /// Adds the slots this condition reads to `out`.
    pub fn slots(&self, out: &mut Vec<u16>) {
        match self {
            CondC::True => {}
            CondC::All(ps) | CondC::Any(ps) => ps.iter().for_each(|p| p.slots(out)),
            CondC::Not(p) => p.slots(out),
            CondC::Test(t) => {
                if let Operand::Slot(s) = t.lhs {
                    out.push(s);
                }
                match &t.op {
                    OpC::Cmp(_, Operand::Slot(s)) | OpC::Has(Operand::Slot(s)) => out.push(*s),
                    OpC::ShareAbove { whole, .. } => out.push(*whole),
                    OpC::Missing
                    | OpC::Present
                    | OpC::Truthy
                    | OpC::Cmp(..)
                    | OpC::In { .. }
                    | OpC::Has(_)
                    | OpC::HasOutside { .. } => {}
                }
            }
        }
    }

    /// Evaluates the condition on a row.
    pub fn eval(&self, row: &FactRow, c: &super::Compiled) -> T4 {
        match self {
            CondC::True => T4::True,
            CondC::All(parts) => {
                let mut unknown = false;
                for p in parts.iter() {
                    match p.eval(row, c) {
                        T4::False => return T4::False,
                        T4::Unknown => unknown = true,
                        T4::True | T4::Void => {}
                    }
                }
                if unknown {
                    T4::Unknown
                } else {
                    T4::True
                }
            }
            CondC::Any(parts) => {
                let mut unknown = false;
                for p in parts.iter() {
                    match p.eval(row, c) {
                        T4::True => return T4::True,
                        T4::Unknown => unknown = true,
                        T4::False | T4::Void => {}
                    }
                }
                if unknown {
                    T4::Unknown
                } else {
                    T4::False
                }
            }
            CondC::Not(inner) => match inner.eval(row, c) {
                T4::True => T4::False,
                T4::False => T4::True,
                other => other,
            },
            CondC::Test(t) => t.eval(row, c),
        }
    }
}

impl TestC {
    fn eval(&self, row: &FactRow, c: &super::Compiled) -> T4 {
        let lv = self.lhs.get(row);
        match &self.op {
            OpC::Missing => return from_bool(!lv.present()),
            OpC::Present => return from_bool(lv.present()),
            _ => {}
        }
        match lv {
            Val::Absent if self.none_is_false => return T4::False,
            Val::Absent => return T4::Unknown,
            Val::Failed => return T4::Void,
            _ => {}
        }
        match &self.op {
            OpC::Missing | OpC::Present => T4::False,
            OpC::Truthy => from_bool(lv == Val::Bool(true)),
            OpC::Cmp(op, rhs) => match rhs.get(row) {
                Val::Absent => T4::Unknown,
                Val::Failed => T4::Void,
                rv => from_bool(compare(lv, rv).is_some_and(|o| op.holds(o))),
            },
            OpC::In { mask, set } => match lv {
                Val::List { bits, .. } => from_bool(bits & mask != 0),
                _ => from_bool(set.iter().any(|s| compare(lv, *s) == Some(Ordering::Equal))),
            },
            OpC::Has(item) => {
                let want = item.get(row);
                if !want.present() {
                    return T4::Void;
                }
                match (lv, want) {
                    (Val::List { bits, .. }, Val::Str { id, .. }) => {
                        from_bool(c.list_bit(id).is_some_and(|b| bits & b != 0))
                    }
                    (Val::List { .. }, _) => T4::False,
                    _ => from_bool(compare(lv, want) == Some(Ordering::Equal)),
                }
            }
            OpC::HasOutside { mask, ids } => match lv {
                Val::List { bits, other } => from_bool(other || bits & !mask != 0),
                Val::Str { id, text: false } => from_bool(!ids.contains(&id)),
                _ => T4::True,
            },
            OpC::ShareAbove { whole, percent } => match (lv, row.get(*whole)) {
                (Val::Int(part), Val::Int(all)) => {
                    let after_part = part.saturating_add(1);
                    let after_all = all.saturating_add(1).max(1);
                    from_bool(after_part.saturating_mul(100) > percent.saturating_mul(after_all))
                }
                (_, Val::Absent) => T4::Unknown,
                _ => T4::False,
            },
        }
    }
}
