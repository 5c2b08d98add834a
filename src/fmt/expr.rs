//! fmt: AST back to canonical text — conditions, operands and literals, each
//! printed on one line. Pure functions of the AST; must not touch the parser,
//! the grammar or comments.
//!
//! Parentheses are minimal: `not` binds tightest, then `and`, then `or`, both
//! left-associative, as `parser::build` reads them. The author's own
//! parentheses ([`Expr::Group`]) are always kept.

use crate::ast::{Expr, Literal, Needles, Operand};
use crate::source::{Span, Spanned};
use crate::value::Duration;

/// How tightly a printed condition binds: a child that binds less tightly than
/// its place requires gets parentheses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Prec {
    /// Anything, as the whole condition or inside parentheses.
    Any,
    /// `a or b`.
    Or,
    /// `a and b`.
    And,
    /// `not a`.
    Not,
    /// A comparison or a parenthesized group.
    Atom,
}

fn prec(e: &Expr) -> Prec {
    match e {
        Expr::Or(..) => Prec::Or,
        Expr::And(..) => Prec::And,
        Expr::Not(_) => Prec::Not,
        _ => Prec::Atom,
    }
}

/// A condition: `history.posts_today >= 10 and not content.confidential`.
pub(super) fn expr(e: &Expr) -> String {
    let mut out = String::new();
    expr_in(e, Prec::Any, &mut out);
    out
}

/// Prints `e` where at least `min` binding is needed, adding parentheses if not.
fn expr_in(e: &Expr, min: Prec, out: &mut String) {
    if prec(e) < min {
        out.push('(');
        expr_in(e, Prec::Any, out);
        out.push(')');
        return;
    }
    match e {
        Expr::Or(..) => chain(e, "or", out),
        Expr::And(..) => chain(e, "and", out),
        Expr::Not(_) => {
            // `not not x`: walk the chain without recursing once per `not`.
            let mut inner = e;
            while let Expr::Not(x) = inner {
                out.push_str("not ");
                inner = &x.node;
            }
            expr_in(inner, Prec::Not, out);
        }
        Expr::Group(x) => {
            out.push('(');
            expr_in(&x.node, Prec::Any, out);
            out.push(')');
        }
        Expr::Compare { lhs, op, rhs } => {
            out.push_str(&operand(lhs));
            out.push(' ');
            out.push_str(op.node.as_str());
            out.push(' ');
            out.push_str(&operand(rhs));
        }
        Expr::In { lhs, negated, set } => {
            out.push_str(&operand(lhs));
            out.push_str(if *negated { " not in " } else { " in " });
            out.push_str(&set_of(set));
        }
        Expr::Has { lhs, rhs } => {
            out.push_str(&operand(lhs));
            out.push_str(" has ");
            out.push_str(&operand(rhs));
        }
        Expr::Contains { lhs, needles } => {
            out.push_str(&operand(lhs));
            out.push_str(" contains ");
            match needles {
                Needles::Brands => out.push_str("a brand name"),
                Needles::Texts(ts) => match ts.as_slice() {
                    [one] => out.push_str(&string(&one.node)),
                    many => {
                        let quoted: Vec<String> = many.iter().map(|t| string(&t.node)).collect();
                        out.push_str(&format!("{{{}}}", quoted.join(", ")));
                    }
                },
            }
        }
        Expr::Presence { operand: o, missing } => {
            out.push_str(&operand(o));
            out.push_str(if *missing { " is missing" } else { " is present" });
        }
        Expr::Truthy(o) => out.push_str(&operand(o)),
    }
}

/// `a and b and c` (or `or`): the left spine of one operator, walked without
/// recursion so a long chain cannot exhaust the stack.
fn chain(e: &Expr, word: &str, out: &mut String) {
    let op = prec(e);
    let mut rights: Vec<&Expr> = Vec::new();
    let mut left = e;
    while let (Expr::Or(l, r), Prec::Or) | (Expr::And(l, r), Prec::And) = (left, op) {
        rights.push(&r.node);
        left = &l.node;
    }
    // The left-most operand is no longer this operator (the spine was walked);
    // it needs parentheses only if it binds less tightly: `(a or b) and c`.
    expr_in(left, op, out);
    let right_min = if op == Prec::Or { Prec::And } else { Prec::Not };
    for r in rights.iter().rev() {
        out.push(' ');
        out.push_str(word);
        out.push(' ');
        expr_in(r, right_min, out);
    }
}

/// A condition whose outermost operator is a chain of `and` (or of `or`), cut
/// before each operator: the first operand's text, then `and X` for each
/// following operand with X's span. Printed one after the other with spaces,
/// the parts read as [`expr`] prints the whole. `None` for any other condition.
pub(super) fn chain_parts(e: &Expr) -> Option<(String, Vec<(Span, String)>)> {
    let (op, word) = match e {
        Expr::Or(..) => (Prec::Or, "or"),
        Expr::And(..) => (Prec::And, "and"),
        _ => return None,
    };
    let mut rights: Vec<&Spanned<Expr>> = Vec::new();
    let mut left = e;
    while let (Expr::Or(l, r), Prec::Or) | (Expr::And(l, r), Prec::And) = (left, op) {
        rights.push(r);
        left = &l.node;
    }
    let mut first = String::new();
    expr_in(left, op, &mut first);
    let right_min = if op == Prec::Or { Prec::And } else { Prec::Not };
    let parts = rights
        .iter()
        .rev()
        .map(|r| {
            let mut text = format!("{word} ");
            expr_in(&r.node, right_min, &mut text);
            (r.span, text)
        })
        .collect();
    Some((first, parts))
}

/// `{client, candidate}`.
pub(super) fn set_of(items: &[Spanned<Literal>]) -> String {
    let parts: Vec<String> = items.iter().map(|l| literal(&l.node)).collect();
    format!("{{{}}}", parts.join(", "))
}

/// `actor.departed_on + 6 months - 1 day`.
pub(super) fn operand(o: &Operand) -> String {
    let mut out = literal(&o.base.node);
    for s in &o.shifts {
        out.push_str(if s.forward { " + " } else { " - " });
        out.push_str(&duration(&s.by.node));
    }
    out
}

/// A literal as the grammar's `value` rule reads it back.
pub(super) fn literal(l: &Literal) -> String {
    match l {
        Literal::Bool(b) => b.to_string(),
        Literal::Int(n) => n.to_string(),
        Literal::Percent(p) => format!("{p}%"),
        Literal::TimeOfDay(m) => crate::value::Value::TimeOfDay(*m).to_string(),
        Literal::Date(d) => date(*d),
        Literal::Timestamp(t) => timestamp(*t),
        Literal::Duration(d) => duration(d),
        Literal::Text(s) => string(s),
        Literal::Path(path) => path.clone(),
    }
}

/// `3 months`, `1 business day`.
pub(super) fn duration(d: &Duration) -> String {
    d.to_string()
}

/// `2026-03-14`.
pub(super) fn date(d: jiff::civil::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// `2026-03-14T10:05:00Z`: always in UTC, whole seconds, as the grammar's `date` rule allows.
pub(super) fn timestamp(t: jiff::Timestamp) -> String {
    let dt = t.to_zoned(jiff::tz::TimeZone::UTC).datetime();
    format!("{}T{:02}:{:02}:{:02}Z", date(dt.date()), dt.hour(), dt.minute(), dt.second())
}

/// `"text"`, with `"`, `\` and newlines escaped as `\"`, `\\` and `\n`.
pub(super) fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::CmpOp;
    use crate::source::Span;

    fn sp<T>(node: T) -> Spanned<T> {
        Spanned::new(node, Span::default())
    }

    fn var(name: &str) -> Expr {
        Expr::Truthy(Operand { base: sp(Literal::Path(name.to_string())), shifts: vec![] })
    }

    fn and(a: Expr, b: Expr) -> Expr {
        Expr::And(Box::new(sp(a)), Box::new(sp(b)))
    }

    fn or(a: Expr, b: Expr) -> Expr {
        Expr::Or(Box::new(sp(a)), Box::new(sp(b)))
    }

    fn not(a: Expr) -> Expr {
        Expr::Not(Box::new(sp(a)))
    }

    #[test]
    fn parentheses_only_where_needed() {
        assert_eq!(expr(&or(and(var("a"), var("b")), var("c"))), "a and b or c");
        assert_eq!(expr(&and(or(var("a"), var("b")), var("c"))), "(a or b) and c");
        assert_eq!(expr(&and(var("a"), and(var("b"), var("c")))), "a and (b and c)");
        assert_eq!(expr(&and(and(var("a"), var("b")), var("c"))), "a and b and c");
        assert_eq!(expr(&not(and(var("a"), var("b")))), "not (a and b)");
        assert_eq!(expr(&not(not(var("a")))), "not not a");
        assert_eq!(expr(&Expr::Group(Box::new(sp(var("a"))))), "(a)");
    }

    #[test]
    fn operands_and_literals() {
        let cmp = Expr::Compare {
            lhs: Operand { base: sp(Literal::Path("actor.x".into())), shifts: vec![] },
            op: sp(CmpOp::Ge),
            rhs: Operand { base: sp(Literal::Percent(30)), shifts: vec![] },
        };
        assert_eq!(expr(&cmp), "actor.x >= 30%");
        assert_eq!(string("a\"b\\c\nd"), r#""a\"b\\c\nd""#);
        assert_eq!(date(jiff::civil::date(987, 1, 2)), "0987-01-02");
        let t: jiff::Timestamp = "2026-03-14T10:05:00+02:00".parse().unwrap();
        assert_eq!(timestamp(t), "2026-03-14T08:05:00Z");
    }

    #[test]
    fn long_chains_do_not_recurse_per_operand() {
        let mut e = var("a0");
        for i in 1..20_000 {
            e = and(e, var(&format!("a{i}")));
        }
        let printed = expr(&e);
        assert!(printed.starts_with("a0 and a1 and"));
        // Dropping a deep tree recurses; leak it so the test checks printing only.
        std::mem::forget(e);
    }
}
