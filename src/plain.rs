//! A lowered condition in plain words, for readers who never read a policy:
//! a candidate comparing employers, an HR reviewer. Facts are named by their
//! label from the fact table ([`crate::facts::label`]: `target.origin` is
//! "where the contact came from"), names are written with spaces
//! (`before_employment` is "before employment"), and operators read as words
//! ("is one of", "includes", "is not given", "is before"). The condition as
//! written, with its fact paths, stays with the clause id for whoever opens
//! it; `compare` reports lead with these words.

use crate::ast::CmpOp;
use crate::policy::{Cond, Term, Test, TestOp};
use crate::value::Value;

/// `where the contact came from is before employment and kind of account is one of corporate, branded`.
pub fn cond(c: &Cond) -> String {
    match c {
        Cond::True => "always".to_string(),
        Cond::All(parts) => joined(parts, "and"),
        Cond::Any(parts) => joined(parts, "or"),
        Cond::Not(inner) => match inner.as_ref() {
            Cond::Test(t) => test(t, true),
            other => format!("not ({})", cond(other)),
        },
        Cond::Test(t) => test(t, false),
    }
}

/// Parts joined by `and`/`or`, a part of the other kind in brackets.
fn joined(parts: &[Cond], word: &str) -> String {
    let words: Vec<String> = parts
        .iter()
        .map(|p| match p {
            Cond::All(_) | Cond::Any(_) => format!("({})", cond(p)),
            other => cond(other),
        })
        .collect();
    words.join(&format!(" {word} "))
}

/// One test, or its negation (`negated`).
fn test(t: &Test, negated: bool) -> String {
    let fact = term(&t.lhs);
    let not = if negated { " not" } else { "" };
    match &t.op {
        TestOp::Cmp(op, rhs) => {
            let op = if negated { op.negate() } else { *op };
            format!("{fact} {} {}", cmp_words(op, is_time(&t.lhs) || is_time(rhs)), term(rhs))
        }
        TestOp::In(values) => match values.as_slice() {
            [one] => format!("{fact} is{not} {}", value(one)),
            many => format!("{fact} is{not} one of {}", list(many)),
        },
        TestOp::Has(v) if negated => format!("{fact} does not include {}", term(v)),
        TestOp::Has(v) => format!("{fact} includes {}", term(v)),
        TestOp::HasOutside(values) if negated => format!("{fact} includes nothing but {}", list(values)),
        TestOp::HasOutside(values) => format!("{fact} includes something other than {}", list(values)),
        TestOp::Contains { needles, brands } => {
            let words = TestOp::contains_words(needles, *brands);
            match negated {
                true => format!("{fact} does not {}", words.replacen("contains", "contain", 1)),
                false => format!("{fact} {words}"),
            }
        }
        TestOp::Missing if negated => format!("{fact} is given"),
        TestOp::Missing => format!("{fact} is not given"),
        TestOp::Present if negated => format!("{fact} is not given"),
        TestOp::Present => format!("{fact} is given"),
        TestOp::Truthy => format!("{fact}: {}", if negated { "no" } else { "yes" }),
        TestOp::ShareAbove { percent, .. } => {
            format!("{fact} would{not} be more than {percent}% of all posts")
        }
    }
}

/// `is`, `is before`, `is at least`: dates and times read as before and after.
fn cmp_words(op: CmpOp, time: bool) -> &'static str {
    match (op, time) {
        (CmpOp::Eq, _) => "is",
        (CmpOp::Ne, _) => "is not",
        (CmpOp::Lt, true) => "is before",
        (CmpOp::Le, true) => "is on or before",
        (CmpOp::Gt, true) => "is after",
        (CmpOp::Ge, true) => "is on or after",
        (CmpOp::Lt, false) => "is less than",
        (CmpOp::Le, false) => "is at most",
        (CmpOp::Gt, false) => "is more than",
        (CmpOp::Ge, false) => "is at least",
    }
}

/// Whether a term is a date or a point in time (so `<` reads "before").
fn is_time(t: &Term) -> bool {
    match t {
        Term::Const(v) => matches!(v, Value::Date(_) | Value::Timestamp(_) | Value::TimeOfDay(_)),
        Term::Fact(path) => {
            path == "at"
                || matches!(
                    crate::data::flat::Field::of_path(path).and_then(|f| f.ty()),
                    Some(crate::value::Type::Date)
                )
                || crate::facts::AtPart::of_path(path) == Some(crate::facts::AtPart::TimeOfDay)
        }
        Term::FirstOf(_) | Term::Shifted(..) | Term::Reduced(..) => true,
    }
}

/// A term in words: a fact's label, a value, `date of departure + 6 months`.
fn term(t: &Term) -> String {
    match t {
        Term::Fact(path) => crate::facts::label(path),
        Term::Const(v) => value(v),
        Term::FirstOf(paths) => paths.iter().map(|p| crate::facts::label(p)).collect::<Vec<_>>().join(", else "),
        Term::Shifted(base, shifts) => {
            let mut out = term(base);
            for (plus, d) in shifts {
                out.push_str(&format!(" {} {d}", if *plus { "+" } else { "-" }));
            }
            out
        }
        Term::Reduced(base, _, _) => format!("{}, less any garden leave", term(base)),
    }
}

/// A value in words: a name with spaces for underscores, a text quoted.
fn value(v: &Value) -> String {
    match v {
        Value::Symbol(s) => crate::law::value_words(s).replace('_', " "),
        Value::Bool(true) => "yes".to_string(),
        Value::Bool(false) => "no".to_string(),
        Value::List(items) => items.iter().map(|i| i.replace('_', " ")).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

fn list(values: &[Value]) -> String {
    values.iter().map(value).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    /// The plain words of the first rule's `unless` in a small policy.
    fn unless_words(condition: &str) -> String {
        let text = format!(
            "policy \"p\" timezone \"UTC\" default allow\nfact hirer_authority: bool \"The hirer's authority is held.\"\n\
             rule r {{ when action = post then deny unless {condition} }}\n"
        );
        let file = SourceFile::new("p.policy", text);
        let (_, _, policy) = crate::check::check_and_lower(&file).expect("the policy loads");
        let rule = policy.rules.iter().find(|r| r.id == "r").expect("rule r");
        cond(rule.unless.first().expect("one unless"))
    }

    #[test]
    fn facts_read_as_their_labels_and_names_with_spaces() {
        assert_eq!(
            unless_words("target.origin = before_employment"),
            "where the contact came from is before employment"
        );
        assert_eq!(
            unless_words("account.kind in {corporate, branded}"),
            "kind of account is one of corporate, branded"
        );
        assert_eq!(
            unless_words("content.kind has candidate_spotlight"),
            "kind of content includes candidate spotlight"
        );
        assert_eq!(unless_words("facts.hirer_authority"), "hirer authority: yes");
        assert_eq!(unless_words("not content.confidential"), "is confidential: no");
    }

    #[test]
    fn dates_read_as_before_and_after_and_numbers_as_at_most() {
        assert_eq!(
            unless_words("target.last_dealt_with < actor.departed_on - 12 months"),
            "date last dealt with is before date of departure - 12 months"
        );
        assert_eq!(unless_words("history.posts_today <= 3"), "posts today is at most 3");
        assert_eq!(unless_words("target.last_dealt_with is missing"), "date last dealt with is not given");
    }

    #[test]
    fn and_inside_or_is_bracketed() {
        assert_eq!(
            unless_words("target.relationship = candidate or (target.met_in_person and target.interacted)"),
            "relationship to the agency is candidate or (met in person: yes and has interacted: yes)"
        );
    }
}
