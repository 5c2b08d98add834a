//! Checker helper: a small logic over the normalized conditions
//! ([`Cond`](crate::policy::Cond)) for the lints that reason about rules.
//!
//! A condition is expanded into a disjunction of conjunctions (capped, so a
//! large condition is simply not analysed) and each conjunction is checked
//! with a per-fact value-set and interval analysis: the same fact equal to two
//! values, bounds that cannot both hold, `x in {}`, a test and its negation, a
//! fact both missing and tested. The analysis is sound for "can never hold"
//! (it never claims a satisfiable condition is contradictory) and silent
//! when unsure. It reads conditions only and changes nothing.

use crate::ast::CmpOp;
use crate::policy::{Cond, Term, Test, TestOp};
use crate::value::{Type, Value};
use std::fmt::Write as _;
use std::sync::OnceLock;

/// A test, possibly negated.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lit<'a> {
    /// The test.
    pub(crate) test: &'a Test,
    /// Whether it is negated.
    pub(crate) negated: bool,
}

/// Why a condition can never hold.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Why<'a> {
    /// It is false by construction (for example `owned by` a party that owns nothing).
    False,
    /// This test alone can never hold (`x in {}`).
    Never(Lit<'a>),
    /// These two tests cannot both hold.
    Both(Lit<'a>, Lit<'a>),
}

/// Conditions expanding into more conjunctions than this are not analysed.
const MAX_CONJUNCTIONS: usize = 256;

type Dnf<'a> = Vec<Vec<Lit<'a>>>;

/// The condition as a disjunction of conjunctions of literals; `None` when too large.
pub(crate) fn dnf(c: &Cond) -> Option<Dnf<'_>> {
    expand(c, false)
}

fn expand(c: &Cond, negated: bool) -> Option<Dnf<'_>> {
    match c {
        Cond::True => Some(if negated { vec![] } else { vec![vec![]] }),
        Cond::Test(test) => Some(vec![vec![Lit { test, negated }]]),
        Cond::Not(inner) => expand(inner, !negated),
        Cond::All(parts) if !negated => product(parts, false),
        Cond::Any(parts) if negated => product(parts, true),
        Cond::All(parts) | Cond::Any(parts) => {
            let mut out = Vec::new();
            for p in parts {
                out.extend(expand(p, negated)?);
                if out.len() > MAX_CONJUNCTIONS {
                    return None;
                }
            }
            Some(out)
        }
    }
}

fn product(parts: &[Cond], negated: bool) -> Option<Dnf<'_>> {
    let mut acc: Dnf<'_> = vec![Vec::with_capacity(parts.len())];
    for p in parts {
        // A test adds the same literal to every conjunction so far.
        if let Cond::Test(test) = p {
            for a in &mut acc {
                a.push(Lit { test, negated });
            }
            continue;
        }
        let d = expand(p, negated)?;
        if d.is_empty() {
            return Some(vec![]);
        }
        if acc.len().saturating_mul(d.len()) > MAX_CONJUNCTIONS {
            return None;
        }
        let mut next = Vec::with_capacity(acc.len() * d.len());
        for a in &acc {
            for b in &d {
                let mut both = a.clone();
                both.extend(b.iter().copied());
                next.push(both);
            }
        }
        acc = next;
    }
    Some(acc)
}

/// Why the condition can never hold, when that can be shown.
pub(crate) fn never(c: &Cond) -> Option<Why<'_>> {
    let d = dnf(c)?;
    let mut first = None;
    for conj in &d {
        let why = conjunction_never(conj)?;
        first.get_or_insert(why);
    }
    Some(first.unwrap_or(Why::False))
}

/// Whether both conditions may hold at once (not provably exclusive).
pub(crate) fn may_both_hold(a: &Cond, b: &Cond) -> bool {
    never(&Cond::All(vec![a.clone(), b.clone()])).is_none()
}

/// What a condition's top-level conjuncts pin one fact to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Pin<'a> {
    /// One of these values (`= v`, `in {...}`), without a position on a
    /// number line: names, texts, yes/no. (Two sets share a value when they
    /// hold an equal one: a name and a text are not equal, as
    /// [`may_both_hold`] has it too.)
    Among(&'a [Value]),
    /// Within these bounds, both included, on a number line ([`position`]'s domain and positions).
    Range(u8, i128, i128),
}

/// What the pins of one fact must share to be compared: the number line of
/// a range, the kind of a set's (first) value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum PinKind {
    /// Ranges on the number line of this domain ([`position`]'s).
    Line(u8),
    /// Sets of values of this kind.
    Values(std::mem::Discriminant<Value>),
}

impl Pin<'_> {
    /// What this pin can be compared with (`None` only for an empty set, which
    /// [`pins`] never gives).
    pub(crate) fn kind(&self) -> Option<PinKind> {
        match self {
            Pin::Among(values) => values.first().map(|v| PinKind::Values(std::mem::discriminant(v))),
            Pin::Range(d, ..) => Some(PinKind::Line(*d)),
        }
    }
}

/// The facts a condition pins ([`Pin`]): its top-level conjuncts comparing a
/// fact with a constant (`=`, `<`, `<=`, `>`, `>=`) or a set of them (`in`;
/// list facts aside), the bounds on one fact intersected. Two conditions
/// pinning one fact to sets of one kind that share no value, or to ranges of
/// one domain that do not meet, can never both hold (so [`may_both_hold`]
/// finds); a lint reads the pins off each condition once to pair only the
/// conditions that may, instead of trying every pair. A fact compared with
/// constants of two kinds is left out.
pub(crate) fn pins(c: &Cond) -> Vec<(&str, Pin<'_>)> {
    let parts: &[Cond] = match c {
        Cond::All(parts) => parts,
        Cond::Test(_) => std::slice::from_ref(c),
        _ => &[],
    };
    let mut out: Vec<(&str, Pin<'_>)> = Vec::new();
    let mut mixed: Vec<&str> = Vec::new();
    for p in parts {
        let (path, pin) = match p {
            Cond::Test(Test { lhs: Term::Fact(path), op: TestOp::Cmp(op, Term::Const(v)), .. }) => {
                match (bounds(*op, v), op) {
                    (Some((d, lo, hi)), _) => (path, Pin::Range(d, lo, hi)),
                    // (`bounds` gives every `=` of a value with a position its range.)
                    (None, CmpOp::Eq) => (path, Pin::Among(std::slice::from_ref(v))),
                    _ => continue,
                }
            }
            Cond::Test(Test { lhs: Term::Fact(path), op: TestOp::In(values), .. })
                if !values.is_empty() && values.iter().all(|v| position(v).is_none()) =>
            {
                (path, Pin::Among(values))
            }
            _ => continue,
        };
        if is_list(path) {
            continue;
        }
        match out.iter_mut().find(|(p, _)| *p == path.as_str()) {
            None => out.push((path, pin)),
            Some((_, first)) if first.kind() != pin.kind() => mixed.push(path),
            // Two ranges: their intersection; two sets: the first stands for the fact (each alone is true of it).
            Some((_, Pin::Range(_, lo, hi))) => {
                if let Pin::Range(_, lo2, hi2) = pin {
                    (*lo, *hi) = ((*lo).max(lo2), (*hi).min(hi2));
                }
            }
            Some((_, Pin::Among(_))) => {}
        }
    }
    out.retain(|(p, _)| !mixed.contains(p));
    out
}

/// The positions `fact OP v` allows, both ends included, as (domain,
/// lowest, highest): positions are whole numbers (days, seconds, minutes,
/// units), so `> 9` is `>= 10`. `None` for `!=` or a value without a position.
fn bounds(op: CmpOp, v: &Value) -> Option<(u8, i128, i128)> {
    let (d, at) = position(v)?;
    Some(match op {
        CmpOp::Eq => (d, at, at),
        CmpOp::Ne => return None,
        CmpOp::Lt => (d, i128::MIN, at - 1),
        CmpOp::Le => (d, i128::MIN, at),
        CmpOp::Gt => (d, at + 1, i128::MAX),
        CmpOp::Ge => (d, at, i128::MAX),
    })
}

/// Paths of list-valued facts (`content.kind`, `done`).
fn is_list(path: &str) -> bool {
    static LISTS: OnceLock<Vec<&'static str>> = OnceLock::new();
    LISTS
        .get_or_init(|| {
            crate::schema::fact_paths()
                .into_iter()
                .filter(|(_, t)| matches!(t, Type::EnumList(_)))
                .map(|(p, _)| p)
                .collect()
        })
        .contains(&path)
}

/// A value on a number line: (domain, position). Dates count days, timestamps seconds.
fn position(v: &Value) -> Option<(u8, i128)> {
    Some(match v {
        Value::Int(i) => (0, i128::from(*i)),
        Value::Percent(p) => (1, i128::from(*p)),
        Value::Date(d) => (2, days(d.year(), d.month(), d.day())),
        Value::Timestamp(t) => (3, i128::from(t.as_second())),
        Value::TimeOfDay(m) => (4, i128::from(*m)),
        _ => return None,
    })
}

/// Days since 1970-01-01 (proleptic Gregorian), for ordering dates.
fn days(y: i16, m: i8, d: i8) -> i128 {
    let (y, m, d) = (i128::from(y), i128::from(m), i128::from(d));
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// What one conjunction says about one fact.
#[derive(Default)]
struct Facts<'a> {
    eq: Option<(&'a Value, Lit<'a>)>,
    ne: Vec<(&'a Value, Lit<'a>)>,
    allowed: Option<(Vec<&'a Value>, Lit<'a>)>,
    lower: Option<((u8, i128), Lit<'a>)>,
    upper: Option<((u8, i128), Lit<'a>)>,
    missing: Option<Lit<'a>>,
    valued: Option<Lit<'a>>,
    truth: Option<(bool, Lit<'a>)>,
    has: Vec<(&'a Value, bool, Lit<'a>)>,
}

fn same(a: &Value, b: &Value) -> Option<bool> {
    (std::mem::discriminant(a) == std::mem::discriminant(b)).then(|| a == b)
}

/// Why a conjunction of literals can never hold, if it can be shown.
fn conjunction_never<'a>(lits: &[Lit<'a>]) -> Option<Why<'a>> {
    // Conjunctions are short: a list searched in order beats hashing.
    let mut facts: Vec<(&'a str, Facts<'a>)> = Vec::with_capacity(lits.len());
    for (i, lit) in lits.iter().enumerate() {
        let opposite = lits
            .iter()
            .take(i)
            .find(|o| o.negated != lit.negated && o.test.lhs == lit.test.lhs && o.test.op == lit.test.op);
        if let Some(other) = opposite {
            return Some(Why::Both(*other, *lit));
        }
        let Term::Fact(path) = &lit.test.lhs else { continue };
        let at = match facts.iter().position(|(p, _)| *p == path.as_str()) {
            Some(at) => at,
            None => {
                facts.push((path.as_str(), Facts::default()));
                facts.len() - 1
            }
        };
        let Some((_, f)) = facts.get_mut(at) else { continue };
        if let Some(why) = add(f, path, *lit) {
            return Some(why);
        }
    }
    None
}

/// Adds one literal about a fact; returns a contradiction if it makes one.
fn add<'a>(f: &mut Facts<'a>, path: &str, lit: Lit<'a>) -> Option<Why<'a>> {
    let neg = lit.negated;
    match (&lit.test.op, neg) {
        (TestOp::Missing, false) | (TestOp::Present, true) => {
            f.missing.get_or_insert(lit);
        }
        _ => {
            f.valued.get_or_insert(lit);
        }
    }
    if let (Some(m), Some(v)) = (f.missing, f.valued) {
        return Some(Why::Both(m, v));
    }
    match &lit.test.op {
        TestOp::Cmp(op, Term::Const(v)) => {
            let op = if neg { op.negate() } else { *op };
            if let Value::Bool(b) = v {
                match op {
                    CmpOp::Eq => return truth(f, *b, lit),
                    CmpOp::Ne => return truth(f, !*b, lit),
                    _ => return None,
                }
            }
            if is_list(path) {
                return None;
            }
            match op {
                CmpOp::Eq => {
                    if let Some((prev, plit)) = f.eq {
                        if same(prev, v) == Some(false) {
                            return Some(Why::Both(plit, lit));
                        }
                    }
                    f.eq = Some((v, lit));
                }
                CmpOp::Ne => f.ne.push((v, lit)),
                CmpOp::Lt | CmpOp::Le => {
                    let (domain, _, hi) = bounds(op, v)?;
                    raise(&mut f.upper, (domain, hi), lit, false);
                }
                CmpOp::Gt | CmpOp::Ge => {
                    let (domain, lo, _) = bounds(op, v)?;
                    raise(&mut f.lower, (domain, lo), lit, true);
                }
            }
        }
        TestOp::In(values) if !neg => {
            if values.is_empty() {
                return Some(Why::Never(lit));
            }
            if is_list(path) {
                return None;
            }
            let next: Vec<&Value> = match &f.allowed {
                Some((prev, plit)) => {
                    let kept: Vec<&Value> =
                        prev.iter().copied().filter(|p| values.iter().any(|v| same(p, v) == Some(true))).collect();
                    if kept.is_empty() {
                        return Some(Why::Both(*plit, lit));
                    }
                    kept
                }
                None => values.iter().collect(),
            };
            f.allowed = Some((next, lit));
        }
        TestOp::In(values) => {
            if !is_list(path) {
                f.ne.extend(values.iter().map(|v| (v, lit)));
            }
        }
        TestOp::Has(Term::Const(v)) => f.has.push((v, !neg, lit)),
        TestOp::Truthy => return truth(f, !neg, lit),
        _ => return None,
    }
    conflicts(f)
}

fn raise<'a>(slot: &mut Option<((u8, i128), Lit<'a>)>, at: (u8, i128), lit: Lit<'a>, lower: bool) {
    let tighter = match slot {
        None => true,
        Some(((d, prev), _)) => *d == at.0 && if lower { at.1 > *prev } else { at.1 < *prev },
    };
    if tighter {
        *slot = Some((at, lit));
    }
}

fn truth<'a>(f: &mut Facts<'a>, value: bool, lit: Lit<'a>) -> Option<Why<'a>> {
    match f.truth {
        Some((prev, plit)) if prev != value => Some(Why::Both(plit, lit)),
        Some(_) => None,
        None => {
            f.truth = Some((value, lit));
            None
        }
    }
}

/// The contradictions between what is known about one fact.
fn conflicts<'a>(f: &Facts<'a>) -> Option<Why<'a>> {
    if let Some((v, elit)) = f.eq {
        if let Some((_, nlit)) = f.ne.iter().find(|(n, _)| same(n, v) == Some(true)) {
            return Some(Why::Both(elit, *nlit));
        }
        if let Some((allowed, alit)) = &f.allowed {
            if allowed.iter().all(|a| same(a, v) == Some(false)) {
                return Some(Why::Both(*alit, elit));
            }
        }
        if let Some((domain, at)) = position(v) {
            if let Some(((d, lo), blit)) = f.lower {
                if d == domain && at < lo {
                    return Some(Why::Both(blit, elit));
                }
            }
            if let Some(((d, hi), blit)) = f.upper {
                if d == domain && at > hi {
                    return Some(Why::Both(blit, elit));
                }
            }
        }
    }
    if let Some((allowed, alit)) = &f.allowed {
        let left: Vec<&&Value> =
            allowed.iter().filter(|a| !f.ne.iter().any(|(n, _)| same(n, a) == Some(true))).collect();
        if left.is_empty() {
            if let Some((_, nlit)) = f.ne.last() {
                return Some(Why::Both(*alit, *nlit));
            }
        }
    }
    if let (Some(((ld, lo), llit)), Some(((ud, hi), ulit))) = (f.lower, f.upper) {
        if ld == ud && lo > hi {
            return Some(Why::Both(llit, ulit));
        }
    }
    for (i, (v, yes, lit)) in f.has.iter().enumerate() {
        if let Some((_, _, other)) =
            f.has.iter().skip(i + 1).find(|(w, wyes, _)| same(v, w) == Some(true) && wyes != yes)
        {
            return Some(Why::Both(*lit, *other));
        }
    }
    None
}

/// Appends a term in the language's words to `out`.
fn write_term(out: &mut String, t: &Term) {
    match t {
        Term::Fact(p) => out.push_str(p),
        Term::Const(v) => write_value(out, v),
        Term::FirstOf(paths) => {
            for (i, p) in paths.iter().enumerate() {
                if i > 0 {
                    out.push_str(" or ");
                }
                out.push_str(p);
            }
        }
        Term::Shifted(base, shifts) => {
            write_term(out, base);
            for (forward, by) in shifts {
                out.push_str(if *forward { " + " } else { " - " });
                // Writing to a String cannot fail.
                let _ = write!(out, "{by}");
            }
        }
        Term::Reduced(base, from, to) => {
            write_term(out, base);
            // Writing to a String cannot fail.
            let _ = write!(out, " less the days from {from} to {to}");
        }
    }
}

fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Symbol(s) => out.push_str(s),
        // Writing to a String cannot fail.
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

fn write_values(out: &mut String, values: &[Value]) {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_value(out, v);
    }
}

/// Appends a test in the language's words to `out` (no spans: equal tests show the same).
fn write_test(out: &mut String, t: &Test) {
    write_term(out, &t.lhs);
    match &t.op {
        TestOp::Cmp(op, rhs) => {
            out.push(' ');
            out.push_str(op.as_str());
            out.push(' ');
            write_term(out, rhs);
        }
        TestOp::In(values) => {
            out.push_str(" in {");
            write_values(out, values);
            out.push('}');
        }
        TestOp::Has(v) => {
            out.push_str(" has ");
            write_term(out, v);
        }
        TestOp::HasOutside(values) => {
            out.push_str(" has a value outside {");
            write_values(out, values);
            out.push('}');
        }
        TestOp::Contains { needles, brands } => {
            out.push(' ');
            out.push_str(&TestOp::contains_words(needles, *brands));
        }
        TestOp::Missing => out.push_str(" is missing"),
        TestOp::Present => out.push_str(" is present"),
        TestOp::Truthy => {}
        TestOp::ShareAbove { whole, percent } => {
            // Writing to a String cannot fail.
            let _ = write!(out, " is more than {percent}% of {whole}");
        }
    }
}

/// A literal in the language's words.
pub(crate) fn show_lit(l: Lit<'_>) -> String {
    let mut out = String::new();
    match (&l.test.op, l.negated) {
        (_, false) => write_test(&mut out, l.test),
        (TestOp::In(values), true) => {
            write_term(&mut out, &l.test.lhs);
            out.push_str(" not in {");
            write_values(&mut out, values);
            out.push('}');
        }
        (_, true) => {
            out.push_str("not ");
            write_test(&mut out, l.test);
        }
    }
    out
}

/// A condition in canonical words, spans ignored: equal conditions give equal keys.
pub(crate) fn key(c: &Cond) -> String {
    let mut out = String::new();
    write_key(&mut out, c);
    out
}

/// Appends a condition's canonical words ([`key`]) to `out`.
fn write_key(out: &mut String, c: &Cond) {
    match c {
        Cond::True => out.push_str("true"),
        Cond::Test(t) => write_test(out, t),
        Cond::Not(inner) => {
            out.push_str("not (");
            write_key(out, inner);
            out.push(')');
        }
        Cond::All(parts) | Cond::Any(parts) => {
            let join = if matches!(c, Cond::All(_)) { " and " } else { " or " };
            out.push('(');
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    out.push_str(join);
                }
                write_key(out, p);
            }
            out.push(')');
        }
    }
}

/// The top-level parts of a conjunction, as sorted canonical keys.
#[cfg(test)]
pub(crate) fn conjuncts(c: &Cond) -> Vec<String> {
    let mut keys = ConjunctKeys::default();
    keys.fill(c);
    let mut out: Vec<String> = keys.sorted().map(str::to_string).collect();
    out.dedup();
    out
}

/// The canonical keys of a conjunction's top-level parts, written into one
/// reused buffer (one allocation for all the rules a lint walks).
#[derive(Debug, Default)]
pub(crate) struct ConjunctKeys {
    text: String,
    ranges: Vec<(usize, usize)>,
}

impl ConjunctKeys {
    /// Replaces the keys with those of `c`'s top-level parts.
    pub(crate) fn fill(&mut self, c: &Cond) {
        self.text.clear();
        self.ranges.clear();
        let parts = match c {
            Cond::True => return,
            Cond::All(parts) => parts.as_slice(),
            other => std::slice::from_ref(other),
        };
        for p in parts {
            let start = self.text.len();
            write_key(&mut self.text, p);
            self.ranges.push((start, self.text.len()));
        }
        let text = &self.text;
        self.ranges.sort_unstable_by(|a, b| text.get(a.0..a.1).cmp(&text.get(b.0..b.1)));
    }

    /// How many keys there are.
    pub(crate) fn len(&self) -> usize {
        self.ranges.len()
    }

    /// The keys, sorted (equal keys are adjacent).
    pub(crate) fn sorted(&self) -> impl Iterator<Item = &str> {
        self.ranges.iter().map(|&(a, b)| self.text.get(a..b).unwrap_or(""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    /// The lowered condition of `when ...`.
    fn cond(text: &str) -> Cond {
        let file = SourceFile::new("t.policy", format!("policy \"x\"\nrule r {{ when {text} then deny }}\n"));
        let ast = crate::parser::parse(&file).unwrap_or_else(|e| panic!("{e:?}"));
        let policy = crate::lower::lower(&file, &ast);
        policy.rules.into_iter().next().map(|r| r.when).unwrap_or(Cond::True)
    }

    fn why(text: &str) -> Option<String> {
        let c = cond(text);
        never(&c).map(|w| match w {
            Why::False => "false".to_string(),
            Why::Never(l) => format!("never {}", show_lit(l)),
            Why::Both(a, b) => format!("{} / {}", show_lit(a), show_lit(b)),
        })
    }

    #[test]
    fn finds_simple_contradictions() {
        assert_eq!(
            why("actor.status = employed and actor.status = departed").as_deref(),
            Some("actor.status = employed / actor.status = departed")
        );
        assert_eq!(
            why("history.posts_today >= 10 and history.posts_today < 5").as_deref(),
            Some("history.posts_today >= 10 / history.posts_today < 5")
        );
        assert_eq!(
            why("content.confidential and not content.confidential").as_deref(),
            Some("content.confidential / not content.confidential")
        );
        assert_eq!(why("actor.status in {}").as_deref(), Some("never actor.status in {}"));
        assert!(why("actor.status in {employed} and actor.status = departed").is_some());
        assert!(why("actor.status = departed and actor.status not in {departed, on_notice}").is_some());
        assert!(why("history.posts_today > 4 and history.posts_today < 5").is_some());
        assert!(why("actor.departed_on is missing and actor.departed_on < 2026-01-01").is_some());
        assert!(why("content.kind has job_ad and not content.kind has job_ad").is_some());
        assert!(why("history.posts_today = 3 and history.posts_today > 5").is_some());
        assert!(why("actor.departed_on > 2026-02-28 and actor.departed_on < 2026-03-01").is_some());
    }

    #[test]
    fn stays_silent_when_satisfiable() {
        for ok in [
            "actor.status = employed or actor.status = departed",
            "history.posts_today >= 5 and history.posts_today < 10",
            "content.kind has job_ad and content.kind has brand",
            "actor.status != employed and actor.status != departed",
            "(actor.status = employed and content.confidential) or not content.confidential",
            "history.posts_today > 4 and history.posts_today < 6",
            "content.kind in {job_ad} and content.kind in {brand}",
            "actor.status in {employed, departed} and actor.status != employed",
        ] {
            assert_eq!(why(ok), None, "{ok}");
        }
    }

    #[test]
    fn disjunctions_need_every_branch_to_fail() {
        assert!(why("(actor.status = employed or actor.status = on_notice) and actor.status = departed").is_some());
        assert!(why("(actor.status = employed or content.confidential) and actor.status = departed").is_none());
    }

    /// A condition's pins: a range per fact with a position (bounds intersected, `<` one
    /// below), a value per fact without; a fact compared with constants of two kinds in one
    /// condition is left out (a date and a timestamp lie on different lines; a name and a
    /// text are not known to differ).
    #[test]
    fn pins_are_ranges_or_values_and_never_of_two_kinds() {
        let c = cond("history.posts_today >= 3 and history.posts_today < 7 and channel = twitter and content.public");
        let got = pins(&c);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got.first(), Some(&("history.posts_today", Pin::Range(0, 3, 6))));
        assert!(matches!(got.get(1), Some(("channel", Pin::Among([_])))), "{got:?}");
        assert!(matches!(pins(&cond("channel in {twitter, blog}")).first(), Some(("channel", Pin::Among([_, _])))));
        // A set of numbers is no pin: the fact's other tests are ranges, and a fact is split one way.
        assert!(pins(&cond("history.posts_today in {1, 2}")).is_empty());
        assert!(pins(&cond("at >= 2026-03-01 and at < 2026-03-01T10:00:00Z")).is_empty());
        assert!(pins(&cond("actor.id = agency and actor.id = \"agency\"")).is_empty());
        assert!(pins(&cond("history.posts_today = 3 or channel = twitter")).is_empty());
        // Two values of one kind (a condition that never holds): the first is its pin.
        assert_eq!(pins(&cond("channel = twitter and channel = blog")).len(), 1);
    }

    #[test]
    fn overlap_is_approximate_but_sound() {
        let a = cond("actor.status = employed");
        let b = cond("actor.status = departed");
        assert!(!may_both_hold(&a, &b));
        let c = cond("content.confidential");
        assert!(may_both_hold(&a, &c));
    }

    #[test]
    fn large_conditions_are_not_analysed() {
        let text = (0..10)
            .map(|i| format!("(history.posts_today = {i} or content.confidential)"))
            .collect::<Vec<_>>()
            .join(" and ");
        assert!(dnf(&cond(&text)).is_none());
    }

    #[test]
    fn keys_ignore_spans() {
        let a = cond("history.posts_today >= 10");
        let b = cond("history.posts_today   >=   10");
        assert_eq!(key(&a), key(&b));
        assert_eq!(conjuncts(&Cond::True), Vec::<String>::new());
    }

    #[test]
    fn days_count_from_the_epoch() {
        assert_eq!(days(1970, 1, 1), 0);
        assert_eq!(days(2000, 3, 1), 11_017);
        assert_eq!(days(2026, 3, 1) - days(2026, 2, 28), 1);
    }
}
