//! Conditions as written: `history.posts_today >= 10 and not content.confidential`.

use crate::source::Spanned;
use crate::value::Duration;

/// A condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `a and b`.
    And(Box<Spanned<Expr>>, Box<Spanned<Expr>>),
    /// `a or b`.
    Or(Box<Spanned<Expr>>, Box<Spanned<Expr>>),
    /// `not a`.
    Not(Box<Spanned<Expr>>),
    /// `(a)`: kept so that printing reproduces the author's grouping.
    Group(Box<Spanned<Expr>>),
    /// `lhs OP rhs`.
    Compare {
        /// Left side.
        lhs: Operand,
        /// Operator.
        op: Spanned<CmpOp>,
        /// Right side.
        rhs: Operand,
    },
    /// `lhs in {a, b}` / `lhs not in {a, b}`.
    In {
        /// The tested fact.
        lhs: Operand,
        /// `not in`.
        negated: bool,
        /// The set.
        set: Vec<Spanned<Literal>>,
    },
    /// `content.kind has job_ad`.
    Has {
        /// The list-valued fact.
        lhs: Operand,
        /// The value it must contain.
        rhs: Operand,
    },
    /// `account.handle contains "Brightwater"`, `content.text contains a brand name`:
    /// a text holds another, ignoring case.
    Contains {
        /// The text fact.
        lhs: Operand,
        /// What it must hold.
        needles: Needles,
    },
    /// `target.last_dealt_with is missing` / `is present`.
    Presence {
        /// The fact.
        operand: Operand,
        /// `is missing` (true) or `is present` (false).
        missing: bool,
    },
    /// A yes/no fact on its own: `content.confidential`.
    Truthy(Operand),
}

/// What `contains` looks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Needles {
    /// `"Brightwater"`, or any of `{"Brightwater", "BW Recruit"}`.
    Texts(Vec<crate::source::Spanned<String>>),
    /// `a brand name`: any of the policy's `brand names`.
    Brands,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum CmpOp {
    /// `=`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

impl CmpOp {
    /// The operator with its sides swapped: `a < b` is `b > a`.
    pub fn flipped(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            other => other,
        }
    }

    /// Whether two values in this order satisfy the operator.
    pub fn holds(self, ord: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering;
        match self {
            CmpOp::Eq => ord == Ordering::Equal,
            CmpOp::Ne => ord != Ordering::Equal,
            CmpOp::Lt => ord == Ordering::Less,
            CmpOp::Le => ord != Ordering::Greater,
            CmpOp::Gt => ord == Ordering::Greater,
            CmpOp::Ge => ord != Ordering::Less,
        }
    }

    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// The operator that holds exactly when this one does not.
    pub fn negate(self) -> CmpOp {
        match self {
            CmpOp::Eq => CmpOp::Ne,
            CmpOp::Ne => CmpOp::Eq,
            CmpOp::Lt => CmpOp::Ge,
            CmpOp::Le => CmpOp::Gt,
            CmpOp::Gt => CmpOp::Le,
            CmpOp::Ge => CmpOp::Lt,
        }
    }
}

/// A literal or a fact path, before the checker decides which a bare word is.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `true` / `false`.
    Bool(bool),
    /// `10`.
    Int(i64),
    /// `30%`.
    Percent(i64),
    /// `2026-03-14`.
    Date(jiff::civil::Date),
    /// `2026-03-14T10:05:00Z`.
    Timestamp(jiff::Timestamp),
    /// `17:30`: a time of day, in minutes after midnight.
    TimeOfDay(u16),
    /// `3 months`.
    Duration(Duration),
    /// `"text"`.
    Text(String),
    /// `actor.status`, `facts.x`, or a bare word such as `client`: the
    /// segments as written, joined by `.` (one string, not one per segment:
    /// every stage reads the path whole).
    Path(String),
}

/// `+ 6 months` / `- 12 months` after a value.
#[derive(Debug, Clone, PartialEq)]
pub struct Shift {
    /// `+` (true) or `-` (false).
    pub forward: bool,
    /// How much.
    pub by: Spanned<Duration>,
}

/// A value with optional shifts: `actor.departed_on + 6 months`.
#[derive(Debug, Clone, PartialEq)]
pub struct Operand {
    /// The value.
    pub base: Spanned<Literal>,
    /// The shifts, in order.
    pub shifts: Vec<Shift>,
}
