//! Compiled conditions: a tree of enums over slot indices and precomputed
//! constants, given their meaning by [`crate::semantics`] as the interpreter's
//! conditions are: an absent fact (with no documented absent meaning), a date
//! shifted out of the calendar ([`Val::Failed`]) or values that cannot be
//! compared make a test unknown, and unknown is never true.
//!
//! No allocation and no string comparison happen here.

use super::row::{FactRow, Val};
use crate::ast::CmpOp;
use crate::semantics::{self, Tv};
use std::cmp::Ordering;

/// The compiled form's truth value is the semantics' own.
pub type T4 = Tv;

/// A term of a test.
#[derive(Debug, Clone, PartialEq)]
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
#[derive(Debug, Clone, PartialEq)]
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
#[derive(Debug, Clone, PartialEq)]
pub struct TestC {
    /// The tested term.
    pub lhs: Operand,
    /// Absent means none (`approval.granted_by`): false rather than unknown.
    pub none_is_false: bool,
    /// The test.
    pub op: OpC,
}

/// A compiled condition.
#[derive(Debug, Clone, PartialEq)]
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
    Tv::from_bool(b)
}

/// Compares two values as [`interp::compare`](crate::eval::interp::compare) does.
pub fn compare(a: Val, b: Val) -> Option<Ordering> {
    match (a, b) {
        (Val::Int(x), Val::Int(y)) | (Val::Pct(x), Val::Pct(y)) => Some(x.cmp(&y)),
        (Val::Time(x), Val::Time(y)) => Some(x.cmp(&y)),
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
            CondC::All(parts) => semantics::all(parts.iter().map(|p| p.eval(row, c))),
            CondC::Any(parts) => semantics::any(parts.iter().map(|p| p.eval(row, c))),
            CondC::Not(inner) => !inner.eval(row, c),
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
            Val::Failed => return T4::Unknown,
            _ => {}
        }
        match &self.op {
            OpC::Missing | OpC::Present => T4::False,
            OpC::Truthy => from_bool(lv == Val::Bool(true)),
            OpC::Cmp(op, rhs) => match rhs.get(row) {
                Val::Absent => T4::Unknown,
                Val::Failed => T4::Unknown,
                rv => semantics::compare_holds(*op, compare(lv, rv)),
            },
            OpC::In { mask, set } => match lv {
                Val::List { bits, .. } => from_bool(bits & mask != 0),
                _ => from_bool(set.iter().any(|s| compare(lv, *s) == Some(Ordering::Equal))),
            },
            OpC::Has(item) => {
                let want = item.get(row);
                if !want.present() {
                    return T4::Unknown;
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
                (Val::Int(part), Val::Int(all)) => from_bool(semantics::share_above(part, all, *percent)),
                (_, Val::Absent) => T4::Unknown,
                _ => T4::False,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Duration, TimeUnit};

    /// Durations compare by their length (mutation survivor: the durations'
    /// arm deleted, two durations could not be compared).
    #[test]
    fn durations_compare_by_their_length() {
        let d = |n, u| Val::Dur(Duration::new(n, u));
        assert_eq!(compare(d(1, TimeUnit::Week), d(1, TimeUnit::Month)), Some(Ordering::Less));
        assert_eq!(compare(d(6, TimeUnit::Month), d(3, TimeUnit::Month)), Some(Ordering::Greater));
        assert_eq!(compare(d(2, TimeUnit::Month), d(2, TimeUnit::Month)), Some(Ordering::Equal));
    }
}
