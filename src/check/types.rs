//! Checker stage: types. Every condition is checked leaf by leaf: each fact
//! path exists, each bare word is a value of the set the fact expects, both
//! sides of a comparison have compatible types, `has` is used on lists and a
//! bare fact standing as a condition is yes/no.
//!
//! Conditions are walked without recursion, so deeply nested input cannot
//! overflow the stack. This stage reads the AST only; it must not touch the
//! parser, the lowering or the evaluator.

use super::names::{alternatives, resolve, NameSet};
use super::Checker;
use crate::ast::{CmpOp, Expr, Item, Literal, Needles, Operand};
use crate::diagnostic::Diagnostic;
use crate::lower::is_fact_path;
use crate::schema;
use crate::source::{Span, Spanned};
use crate::value::Type;

/// What a side of a test is.
#[derive(Debug, Clone, PartialEq)]
enum Ty {
    /// A fact of the action, with its type.
    Fact(Type),
    /// A literal value.
    Lit(Type),
    /// A bare word such as `client`: a value of the set the other side expects.
    Word(String),
    /// Something already reported.
    Bad,
}

/// Checks one condition (`when`, `unless`, `except when`).
pub(crate) fn condition(cx: &mut Checker<'_>, e: &Spanned<Expr>) {
    // Room for a usual condition's pending parts without growing.
    let mut stack = Vec::with_capacity(8);
    stack.push(e);
    while let Some(e) = stack.pop() {
        match &e.node {
            Expr::And(a, b) | Expr::Or(a, b) => {
                stack.push(b);
                stack.push(a);
            }
            Expr::Not(a) | Expr::Group(a) => stack.push(a),
            Expr::Compare { lhs, op, rhs } => compare(cx, lhs, op, rhs),
            Expr::In { lhs, set, .. } => membership(cx, lhs, set),
            Expr::Has { lhs, rhs } => has(cx, lhs, rhs),
            Expr::Contains { lhs, needles } => contains(cx, lhs, needles),
            Expr::Presence { operand: o, .. } => {
                if let Ty::Word(w) = operand(cx, o) {
                    not_a_fact(cx, &w, span_of(o));
                }
            }
            Expr::Truthy(o) => truthy(cx, o),
        }
    }
}

/// The span of an operand with its shifts.
fn span_of(o: &Operand) -> Span {
    o.shifts.last().map_or(o.base.span, |s| o.base.span.join(s.by.span))
}

fn ordering(op: CmpOp) -> bool {
    matches!(op, CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge)
}

fn orderable(t: &Type) -> bool {
    matches!(t, Type::Int | Type::Percent | Type::Date | Type::Timestamp | Type::TimeOfDay | Type::Duration)
}

fn compatible(a: &Type, b: &Type) -> bool {
    a == b || matches!((a, b), (Type::Date | Type::Timestamp, Type::Date | Type::Timestamp))
}

fn article(noun: &str) -> String {
    let an = noun.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {noun}", if an { "an" } else { "a" })
}

fn plural(noun: &str) -> String {
    match noun {
        "status" => "statuses".into(),
        "duty" => "duties".into(),
        "party" => "parties".into(),
        _ => format!("{noun}s"),
    }
}

/// A type in words, never a Rust name.
pub(crate) fn describe(t: &Type) -> String {
    match t {
        Type::Bool => "a yes/no value".into(),
        Type::Int => "a number".into(),
        Type::Percent => "a percentage".into(),
        Type::Date => "a date".into(),
        Type::Timestamp => "a date and time".into(),
        Type::TimeOfDay => "a time of day".into(),
        Type::Duration => "a length of time".into(),
        Type::Text => "a text".into(),
        Type::Enum(set) => match set.strip_prefix("fact ") {
            Some(name) => format!("a value of `facts.{name}`"),
            None => article(set),
        },
        Type::EnumList(set) => format!("a list of {}", plural(set)),
    }
}

fn literal(cx: &mut Checker<'_>, lit: &Literal, span: Span) -> Ty {
    match lit {
        Literal::Path(p) if is_fact_path(p) => fact(cx, p, span).map_or(Ty::Bad, Ty::Fact),
        Literal::Path(p) => Ty::Word(p.clone()),
        Literal::Percent(n) => {
            if *n > 100 {
                cx.diags.push(
                    Diagnostic::error("invalid-value", format!("`{n}%` is more than 100%"), span, "out of range")
                        .with_help("a share is between 0% and 100%"),
                );
            }
            Ty::Lit(Type::Percent)
        }
        Literal::Bool(_) => Ty::Lit(Type::Bool),
        Literal::Int(_) => Ty::Lit(Type::Int),
        Literal::Date(_) => Ty::Lit(Type::Date),
        Literal::Timestamp(_) => Ty::Lit(Type::Timestamp),
        Literal::TimeOfDay(_) => Ty::Lit(Type::TimeOfDay),
        Literal::Duration(_) => Ty::Lit(Type::Duration),
        Literal::Text(_) => Ty::Lit(Type::Text),
    }
}

fn operand(cx: &mut Checker<'_>, o: &Operand) -> Ty {
    let base = literal(cx, &o.base.node, o.base.span);
    if o.shifts.is_empty() {
        return base;
    }
    match base {
        Ty::Fact(Type::Date | Type::Timestamp) | Ty::Lit(Type::Date | Type::Timestamp) | Ty::Bad => base,
        Ty::Word(w) => {
            not_a_fact(cx, &w, o.base.span);
            Ty::Bad
        }
        Ty::Fact(t) | Ty::Lit(t) => {
            let text = cx.text(o.base.span);
            cx.diags.push(
                Diagnostic::error(
                    "type-mismatch",
                    format!("only a date can be shifted by a length of time, but `{text}` is {}", describe(&t)),
                    span_of(o),
                    "cannot shift this",
                )
                .with_help("shift a date, as in `actor.departed_on + 6 months`"),
            );
            Ty::Bad
        }
    }
}

/// `assume FACT = VALUE when not given`: a yes/no fact assumed `true` or
/// `false`, a list assumed empty (`{}`), each assumed once; assuming what the
/// fact table already says of its absence is redundant.
pub(super) fn assumption(cx: &mut Checker<'_>, a: &crate::ast::Assume, seen: &mut Vec<(String, Span)>) {
    use crate::facts::Assumed;
    let Some(ty) = fact(cx, &a.fact.node, a.fact.span) else { return };
    let fits = match (&ty, a.value.node) {
        (Type::Bool, Assumed::No | Assumed::Yes) | (Type::EnumList(_), Assumed::Empty) => true,
        (Type::Date, Assumed::Date(_)) => assumable_date(cx, a),
        (Type::Date, _) | (Type::Bool | Type::EnumList(_), Assumed::Date(_)) => {
            let (label, help) = match ty {
                Type::Date => {
                    ("not a date", format!("write a date: `assume {} = 2019-01-01 when not given`", a.fact.node))
                }
                _ => ("a date", "a yes/no fact is assumed `true` or `false`, a list `{}`".to_string()),
            };
            cx.diags.push(
                Diagnostic::error(
                    "type-mismatch",
                    format!(
                        "`{}` is {}, so it cannot be assumed `{}`",
                        a.fact.node,
                        describe(&ty),
                        a.value.node.text()
                    ),
                    a.value.span,
                    label,
                )
                .with_help(help),
            );
            false
        }
        (Type::Bool, Assumed::Empty) => {
            cx.diags.push(
                Diagnostic::error(
                    "type-mismatch",
                    format!("`{}` is a yes/no fact: assume it `true` or `false`", a.fact.node),
                    a.value.span,
                    "an empty list",
                )
                .with_help("`{}` is for a list, such as `content.kind`"),
            );
            false
        }
        (Type::EnumList(_), Assumed::No | Assumed::Yes) => {
            cx.diags.push(
                Diagnostic::error(
                    "type-mismatch",
                    format!("`{}` is a list: it can only be assumed empty", a.fact.node),
                    a.value.span,
                    "a yes/no value",
                )
                .with_help(format!("write `assume {} = {{}} when not given`", a.fact.node)),
            );
            false
        }
        _ => {
            cx.diags.push(
                Diagnostic::error(
                    "type-mismatch",
                    format!(
                        "only a yes/no fact, a list or a date can be assumed, but `{}` is {}",
                        a.fact.node,
                        describe(&ty)
                    ),
                    a.fact.span,
                    "not a yes/no fact, a list or a date",
                )
                .with_help("a fact of any other kind that is not given stays not given; test it with `is missing`"),
            );
            false
        }
    };
    if !fits {
        return;
    }
    if let Some((_, first)) = seen.iter().find(|(p, _)| *p == a.fact.node) {
        cx.diags.push(
            Diagnostic::error(
                "duplicate-name",
                format!("`{}` is assumed twice", a.fact.node),
                a.fact.span,
                "assumed again here",
            )
            .with_label(*first, "first assumed here")
            .with_help("keep one of them"),
        );
        return;
    }
    seen.push((a.fact.node.clone(), a.fact.span));
    let already = crate::facts::absent(&a.fact.node);
    if already == a.value.node.absent() {
        cx.diags.push(
            Diagnostic::warning(
                "redundant-assumption",
                format!("`{}` not given is already {}", a.fact.node, already.words().trim_start_matches("not given, ")),
                a.fact.span,
                "already the meaning of its absence",
            )
            .with_help("remove the assumption"),
        );
    }
}

/// A date assumed when not given: only one whose absence means "older than our
/// records" ([`crate::facts::ASSUMABLE_DATES`]), or a policy's own date fact that
/// no duty's time runs from; any other would invent an event.
fn assumable_date(cx: &mut Checker<'_>, a: &crate::ast::Assume) -> bool {
    let path = a.fact.node.as_str();
    let event = super::precedence::every_modifiers(cx.ast)
        .into_iter()
        .any(|m| m.oblige.iter().any(|o| o.of.as_ref().is_some_and(|e| e.node == path)));
    let own = path.starts_with("facts.");
    if crate::facts::ASSUMABLE_DATES.contains(&path) || (own && !event) {
        return true;
    }
    let why = if event {
        "a duty's time runs from it, so assuming it would make the duty due without any event"
    } else {
        "it records an event (a departure, a request, a connection), and assuming it would invent one"
    };
    cx.diags.push(
        Diagnostic::error("bad-assumption", format!("`{path}` cannot be assumed when not given: {why}"), a.fact.span, "not assumable")
            .with_help(format!(
                "a date may be assumed only where its absence means the record is older than your systems: {}, or a date fact of your own",
                crate::facts::ASSUMABLE_DATES.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
            )),
    );
    false
}

/// `brand names {...}`: declared once, each name a text with a letter or digit
/// in it, none written twice (ignoring case, as `contains` compares).
pub(super) fn brands(cx: &mut Checker<'_>, names: &[Spanned<String>], seen: &mut bool) {
    if let (true, Some(first)) = (*seen, names.first()) {
        cx.diags.push(
            Diagnostic::error("duplicate-name", "`brand names` is declared twice", first.span, "declared again here")
                .with_help("list every brand name in one `brand names { ... }`"),
        );
    }
    *seen = true;
    for (i, n) in names.iter().enumerate() {
        if !n.node.chars().any(char::is_alphanumeric) {
            cx.diags.push(
                Diagnostic::error(
                    "invalid-value",
                    "a brand name needs a letter or a digit",
                    n.span,
                    "no letter or digit",
                )
                .with_help("write the name as it appears, such as `\"Brightwater\"`"),
            );
        }
        let folded = crate::semantics::fold_case(&n.node);
        if let Some(first) = names.iter().take(i).find(|m| crate::semantics::fold_case(&m.node) == folded) {
            cx.diags.push(
                Diagnostic::warning(
                    "duplicate-name",
                    format!("`{}` is listed twice (brand names are compared ignoring case)", n.node),
                    n.span,
                    "listed again here",
                )
                .with_label(first.span, "first listed here")
                .with_help("keep one of them"),
            );
        }
    }
}

/// `FACT contains "text"` / `contains {...}` / `contains a brand name`: the fact
/// is a text, each text has something in it, and `a brand name` has brand names to look for.
fn contains(cx: &mut Checker<'_>, lhs: &Operand, needles: &Needles) {
    match operand(cx, lhs) {
        Ty::Bad | Ty::Fact(Type::Text) => {}
        Ty::Word(w) => not_a_fact(cx, &w, span_of(lhs)),
        Ty::Fact(t) | Ty::Lit(t) => {
            let f = cx.text(span_of(lhs));
            cx.diags.push(
                Diagnostic::error(
                    "type-mismatch",
                    format!("only a text can be tested with `contains`, and `{f}` is {}", describe(&t)),
                    span_of(lhs),
                    "not a text",
                )
                .with_help("test a text such as `account.handle`, `account.display_name` or `content.text`"),
            );
        }
    }
    match needles {
        Needles::Texts(ts) => {
            for t in ts.iter().filter(|t| t.node.is_empty()) {
                cx.diags.push(
                    Diagnostic::error("invalid-value", "`contains \"\"` holds for every text", t.span, "empty text")
                        .with_help("write the text to look for, such as `contains \"Brightwater\"`"),
                );
            }
        }
        Needles::Brands => {
            let declared = cx.ast.items.iter().any(|i| matches!(&i.node, Item::Brands(n) if !n.is_empty()));
            if !declared {
                cx.diags.push(
                    Diagnostic::error(
                        "unknown-name",
                        "`a brand name` needs the policy's brand names, and it declares none",
                        span_of(lhs),
                        "no brand names declared",
                    )
                    .with_help("declare them: `brand names {\"Brightwater\", \"BW Recruit\"}`"),
                );
            }
        }
    }
}

/// The event a duty's time runs from (`oblige "..." within 30 days of request.made_on`):
/// a date the action carries.
pub(super) fn event_dates(cx: &mut Checker<'_>) {
    let events: Vec<Spanned<String>> = super::precedence::every_modifiers(cx.ast)
        .into_iter()
        .flat_map(|m| m.oblige.iter().filter_map(|o| o.of.clone()))
        .collect();
    for e in events {
        match fact(cx, &e.node, e.span) {
            None | Some(Type::Date) => {}
            Some(t) => cx.diags.push(
                Diagnostic::error(
                    "type-mismatch",
                    format!("a duty's time runs from a date, but `{}` is {}", e.node, describe(&t)),
                    e.span,
                    "not a date",
                )
                .with_help("name the date of the event: `request.made_on`, or a declared `fact NAME: date`"),
            ),
        }
    }
}

/// The keys duties are recorded under in `done` (`oblige "..." as erase_data within 1 month
/// of request.made_on`): an identifier, on a duty due from an event, and one duty's only.
pub(super) fn duty_keys(cx: &mut Checker<'_>) {
    let duties: Vec<&crate::ast::Obligation> =
        super::precedence::every_modifiers(cx.ast).into_iter().flat_map(|m| m.oblige.iter()).collect();
    // Each key's first duty: where, and whether its key was written (`as ...`) or is its words.
    let mut seen: foldhash::HashMap<String, (Span, bool)> = foldhash::HashMap::default();
    for o in duties {
        if let Some(k) = &o.key {
            let mut chars = k.node.chars();
            let ident = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !ident {
                cx.diags.push(
                    Diagnostic::error(
                        "bad-duty-key",
                        format!("a duty's key must be a name of letters, digits and underscores, not `{}`", k.node),
                        k.span,
                        "not a name",
                    )
                    .with_help(format!("write it with underscores, such as `{}`", k.node.replace('-', "_"))),
                );
            }
            if o.of.is_none() {
                cx.diags.push(
                    Diagnostic::error(
                        "bad-duty-key",
                        format!("the duty `{}` has a key but no event its time runs from", k.node),
                        k.span,
                        "recorded in `done` only for a duty due from an event",
                    )
                    .with_help("add the event: `within 1 month of request.made_on`, or drop `as ...`"),
                );
            }
        }
        if o.of.is_none() {
            continue;
        }
        let key = crate::lower::done_key(o);
        let span = o.key.as_ref().map_or(o.text.span, |k| k.span);
        let explicit = o.key.is_some();
        let first = seen.get(&key).filter(|(_, e)| explicit || *e).map(|(s, _)| *s);
        if let Some(first) = first {
            cx.diags.push(
                Diagnostic::error(
                    "duplicate-name",
                    format!("two duties are recorded as done under the same key `{key}`"),
                    span,
                    "this duty has the same key",
                )
                .with_label(first, "first used here")
                .with_help("`done` must say which duty was done: give each duty its own key (`as ...`)"),
            );
        } else {
            // Two duties of the same words share their key as before; only a written key clashes.
            seen.entry(key).or_insert((span, explicit));
        }
    }
}

/// A duty's own key (`as hand_over_credentials`) that a departure duty of the
/// lowered policy is recorded under too: `done` could not tell them apart.
pub(super) fn duty_keys_of_departure(cx: &mut Checker<'_>, policy: &crate::policy::Policy) {
    let departure: Vec<&str> = policy
        .rules
        .iter()
        .filter(|r| r.section == crate::policy::SectionKind::Departure)
        .flat_map(|r| r.obligations.iter().filter_map(|o| o.done_key.as_deref()))
        .collect();
    let keys: Vec<Spanned<String>> = super::precedence::every_modifiers(cx.ast)
        .into_iter()
        .flat_map(|m| m.oblige.iter().filter_map(|o| o.key.clone()))
        .collect();
    for k in keys.iter().filter(|k| departure.contains(&k.node.as_str())) {
        cx.diags.push(
            Diagnostic::error(
                "duplicate-name",
                format!("`{}` is already the key a departure duty is recorded under", k.node),
                k.span,
                "the same key as a departure duty",
            )
            .with_help("`done` must say which duty was done: give this duty another key"),
        );
    }
}

/// The type of a fact path; reports unknown facts with a suggestion.
/// The two segments of a path of exactly two (`facts.region`).
fn two_segments(path: &str) -> Option<(&str, &str)> {
    path.split_once('.').filter(|(_, rest)| !rest.contains('.'))
}

fn fact(cx: &mut Checker<'_>, path: &str, span: Span) -> Option<Type> {
    let joined = path;
    if let Some(t) = cx.env.schema.get(joined) {
        return Some(t.clone());
    }
    if let Some(t) = crate::schema::fact_type(joined) {
        return Some(t);
    }
    if let Some((root, name)) = two_segments(path) {
        if root == "facts" {
            if let Some(info) = cx.env.facts.get(name) {
                let ty = info.ty.clone();
                if !cx.env.used_facts.contains(name) {
                    cx.env.used_facts.insert(name.to_string());
                }
                return Some(ty);
            }
            let declared: Vec<&str> = cx.env.facts.keys().map(String::as_str).collect();
            let help = match schema::suggest(name, declared.iter().copied()) {
                Some(s) => format!("did you mean `facts.{s}`?"),
                None => format!("declare it first, as in `fact {name}: bool \"what it means\"`"),
            };
            cx.diags.push(
                Diagnostic::error("unknown-fact", format!("unknown fact `{joined}`"), span, "not a declared fact")
                    .with_help(help),
            );
            return None;
        }
    }
    let help = suggest_path(cx, path).map_or_else(
        || "the facts an action carries are listed in the data model: `actor.status`, `content.kind`, `history.posts_today`, ...".to_string(),
        |s| format!("did you mean `{s}`?"),
    );
    cx.diags.push(
        Diagnostic::error("unknown-fact", format!("unknown fact `{joined}`"), span, "not a fact an action carries")
            .with_help(help),
    );
    None
}

/// The closest known fact path: first within the same part (`actor.`), then
/// by the whole path, then by the last segment.
fn suggest_path(cx: &Checker<'_>, path: &str) -> Option<String> {
    let mut known: Vec<&str> = cx.env.schema.keys().copied().collect();
    known.sort_unstable();
    let declared: Vec<String> = cx.env.facts.keys().map(|k| format!("facts.{k}")).collect();
    if let Some((root, field)) = two_segments(path) {
        let prefix = format!("{root}.");
        let fields: Vec<&str> = known.iter().filter_map(|k| k.strip_prefix(prefix.as_str())).collect();
        if !fields.is_empty() {
            return schema::suggest(field, fields).map(|f| format!("{prefix}{f}"));
        }
    }
    let all = known.iter().copied().chain(declared.iter().map(String::as_str));
    if let Some(s) = schema::suggest(path, all) {
        return Some(s.to_string());
    }
    let last = path.rsplit('.').next()?;
    known.into_iter().find(|k| k.rsplit('.').next() == Some(last)).map(str::to_string)
}

/// A bare word stands where a fact is needed (`status = departed`).
fn not_a_fact(cx: &mut Checker<'_>, word: &str, span: Span) {
    let mut exact: Vec<String> = cx
        .env
        .schema
        .keys()
        .filter(|k| k.contains('.') && k.rsplit('.').next() == Some(word))
        .map(|k| k.to_string())
        .collect();
    exact.sort();
    if cx.env.facts.contains_key(word) {
        exact.push(format!("facts.{word}"));
    }
    let help = if exact.is_empty() {
        let mut fields: Vec<&str> = cx.env.schema.keys().filter_map(|k| k.rsplit('.').next()).collect();
        fields.sort_unstable();
        match schema::suggest(word, fields) {
            Some(f) => {
                let mut paths: Vec<&str> =
                    cx.env.schema.keys().copied().filter(|k| k.rsplit('.').next() == Some(f)).collect();
                paths.sort_unstable();
                format!("did you mean {}?", alternatives(&paths))
            }
            None => "a fact is written with its part, as in `actor.status` or `facts.NAME`".to_string(),
        }
    } else {
        let refs: Vec<&str> = exact.iter().map(String::as_str).collect();
        format!("a fact is written with its part: did you mean {}?", alternatives(&refs))
    };
    cx.diags
        .push(Diagnostic::error("unknown-fact", format!("unknown fact `{word}`"), span, "not a fact").with_help(help));
}

/// Checks that `word` is a value of `set`; reports it otherwise.
fn value_in_set(cx: &mut Checker<'_>, set: &str, word: &str, span: Span) {
    if let Some(name) = set.strip_prefix("fact ") {
        if cx.env.facts.get(name).is_some_and(|f| f.values.iter().any(|v| v == word)) {
            return;
        }
        let values = cx.env.facts.get(name).map(|f| f.values.clone()).unwrap_or_default();
        let refs: Vec<&str> = values.iter().map(String::as_str).collect();
        let help = match schema::suggest(word, refs.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("`facts.{name}` is one of {}", alternatives(&refs)),
        };
        cx.diags.push(
            Diagnostic::error(
                "unknown-name",
                format!("`{word}` is not a value of `facts.{name}`"),
                span,
                "not one of its values",
            )
            .with_help(help),
        );
        return;
    }
    if let Some(kind) = NameSet::of_set(set) {
        resolve(cx, kind, word, span);
    }
}

/// An example value of a set, for help texts.
fn example(cx: &Checker<'_>, set: &str) -> String {
    if let Some(name) = set.strip_prefix("fact ") {
        return cx.env.facts.get(name).and_then(|f| f.values.first().cloned()).unwrap_or_else(|| "...".into());
    }
    NameSet::of_set(set)
        .and_then(|k| cx.env.candidates(k).first().map(|s| s.to_string()))
        .unwrap_or_else(|| "...".into())
}

fn compare(cx: &mut Checker<'_>, lhs: &Operand, op: &Spanned<CmpOp>, rhs: &Operand) {
    let (l, r) = (operand(cx, lhs), operand(cx, rhs));
    match (l, r) {
        (Ty::Bad, _) | (_, Ty::Bad) | (Ty::Lit(_), Ty::Lit(_)) => {}
        (Ty::Word(w), Ty::Word(_) | Ty::Lit(_)) => not_a_fact(cx, &w, span_of(lhs)),
        (Ty::Lit(_), Ty::Word(w)) => not_a_fact(cx, &w, span_of(rhs)),
        (Ty::Fact(t), Ty::Word(w)) => value_against_fact(cx, lhs, &t, &w, span_of(rhs), op),
        (Ty::Word(w), Ty::Fact(t)) => value_against_fact(cx, rhs, &t, &w, span_of(lhs), op),
        (Ty::Fact(a), Ty::Fact(b)) | (Ty::Fact(a), Ty::Lit(b)) => typed_pair(cx, lhs, &a, rhs, &b, op, lhs),
        (Ty::Lit(a), Ty::Fact(b)) => typed_pair(cx, lhs, &a, rhs, &b, op, rhs),
    }
}

/// `fact OP word`: the word must be a value of the fact's set.
fn value_against_fact(
    cx: &mut Checker<'_>,
    fact_side: &Operand,
    ty: &Type,
    word: &str,
    word_span: Span,
    op: &Spanned<CmpOp>,
) {
    match ty {
        Type::Enum(set) => {
            value_in_set(cx, set, word, word_span);
            if ordering(op.node) {
                let f = cx.text(span_of(fact_side));
                unordered(cx, &f, ty, op);
            }
        }
        Type::EnumList(set) => {
            value_in_set(cx, set, word, word_span);
            let f = cx.text(span_of(fact_side));
            let help = match op.node {
                CmpOp::Ne => format!("to test that the list does not include it, write `not {f} has {word}`"),
                _ => format!("to test whether the list includes it, write `{f} has {word}`"),
            };
            cx.diags.push(
                Diagnostic::error(
                    "type-mismatch",
                    format!(
                        "`{f}` is {}, so `{}` cannot compare it with the single value `{word}`",
                        describe(ty),
                        op.node.as_str()
                    ),
                    op.span,
                    "compares a list with one value",
                )
                .with_label(span_of(fact_side), describe(ty))
                .with_help(help),
            );
        }
        other => {
            let f = cx.text(span_of(fact_side));
            let help = format!("`{f}` is compared with {}", example_of_type(cx, other));
            cx.diags.push(
                Diagnostic::error(
                    "type-mismatch",
                    format!("cannot compare `{f}` ({}) with `{word}` (a name)", describe(other)),
                    word_span,
                    "a name",
                )
                .with_label(span_of(fact_side), describe(other))
                .with_help(help),
            );
        }
    }
}

/// A value of the type, in words, for help texts.
fn example_of_type(cx: &Checker<'_>, t: &Type) -> String {
    match t {
        Type::Bool => "`true` or `false`".into(),
        Type::Int => "a number such as `10`".into(),
        Type::Percent => "a percentage such as `30%`".into(),
        Type::Date | Type::Timestamp => "a date such as `2026-03-14`, or another date fact".into(),
        Type::TimeOfDay => "a time of day such as `17:30`".into(),
        Type::Duration => "a length of time such as `3 months`".into(),
        Type::Text => "a text in double quotes".into(),
        Type::Enum(set) => format!("a name such as `{}`", example(cx, set)),
        Type::EnumList(set) => format!("`has` and a name such as `{}`", example(cx, set)),
    }
}

/// `<`, `>` on names, yes/no values or texts.
fn unordered(cx: &mut Checker<'_>, f: &str, ty: &Type, op: &Spanned<CmpOp>) {
    let help = match ty {
        Type::Bool => format!("test it on its own (`{f}`) or with `not`"),
        Type::Text => "texts can only be compared with `=` and `!=`".to_string(),
        _ => "use `=`, `!=` or `in {...}`".to_string(),
    };
    cx.diags.push(
        Diagnostic::error(
            "type-mismatch",
            format!(
                "ordering with `{}` needs numbers, dates or lengths of time, but `{f}` is {}",
                op.node.as_str(),
                describe(ty)
            ),
            op.span,
            "cannot order these",
        )
        .with_help(help),
    );
}

/// Both sides typed: they must be compatible, and orderable for `<` and `>`.
fn typed_pair(
    cx: &mut Checker<'_>,
    lhs: &Operand,
    a: &Type,
    rhs: &Operand,
    b: &Type,
    op: &Spanned<CmpOp>,
    fact_side: &Operand,
) {
    if !compatible(a, b) {
        let (l, r) = (cx.text(span_of(lhs)), cx.text(span_of(rhs)));
        let dates = |t: &Type| matches!(t, Type::Date | Type::Timestamp);
        let counts = |t: &Type| matches!(t, Type::Int | Type::Duration | Type::Percent);
        let help = if (dates(a) && counts(b)) || (counts(a) && dates(b)) {
            let date_side = if dates(a) { lhs } else { rhs };
            let base = cx.text(date_side.base.span);
            format!(
                "to test time since a date, shift the date and compare it with another date, as in `at > {base} + 3 months`"
            )
        } else if matches!(a, Type::EnumList(_)) || matches!(b, Type::EnumList(_)) {
            "to test whether a list includes a value, use `has`".to_string()
        } else {
            let (f, t) = if std::ptr::eq(fact_side, lhs) { (&l, a) } else { (&r, b) };
            format!("`{f}` is compared with {}", example_of_type(cx, t))
        };
        cx.diags.push(
            Diagnostic::error(
                "type-mismatch",
                format!("cannot compare `{l}` ({}) with `{r}` ({})", describe(a), describe(b)),
                span_of(rhs),
                describe(b),
            )
            .with_label(span_of(lhs), describe(a))
            .with_help(help),
        );
        return;
    }
    if ordering(op.node) && !orderable(a) {
        let f = cx.text(span_of(if std::ptr::eq(fact_side, lhs) { lhs } else { rhs }));
        unordered(cx, &f, a, op);
    }
}

fn membership(cx: &mut Checker<'_>, lhs: &Operand, set: &[Spanned<Literal>]) {
    let t = match operand(cx, lhs) {
        Ty::Fact(t) => t,
        Ty::Word(w) => return not_a_fact(cx, &w, span_of(lhs)),
        Ty::Lit(_) | Ty::Bad => return,
    };
    for v in set {
        match (&v.node, &t) {
            (Literal::Path(p), Type::Enum(s) | Type::EnumList(s)) => value_in_set(cx, s, p, v.span),
            (lit, _) => {
                let vt = match literal(cx, lit, v.span) {
                    Ty::Lit(vt) | Ty::Fact(vt) => vt,
                    Ty::Word(_) => Type::Enum("name".into()),
                    Ty::Bad => continue,
                };
                if !compatible(&t, &vt) {
                    let f = cx.text(span_of(lhs));
                    let shown = if matches!(lit, Literal::Path(_)) { "a name".to_string() } else { describe(&vt) };
                    cx.diags.push(
                        Diagnostic::error(
                            "type-mismatch",
                            format!("`{f}` is {}, but `{}` in its set is {shown}", describe(&t), cx.text(v.span)),
                            v.span,
                            shown.clone(),
                        )
                        .with_label(span_of(lhs), describe(&t))
                        .with_help(format!("`{f}` is compared with {}", example_of_type(cx, &t))),
                    );
                }
            }
        }
    }
}

fn has(cx: &mut Checker<'_>, lhs: &Operand, rhs: &Operand) {
    let l = operand(cx, lhs);
    // The fact as written, for messages only.
    let f = |cx: &Checker<'_>| cx.text(span_of(lhs));
    match l {
        Ty::Bad | Ty::Lit(_) => {}
        Ty::Word(w) => not_a_fact(cx, &w, span_of(lhs)),
        Ty::Fact(Type::EnumList(set)) => match operand(cx, rhs) {
            Ty::Word(w) => value_in_set(cx, &set, &w, span_of(rhs)),
            Ty::Fact(Type::Enum(s)) if s == set => {}
            Ty::Bad => {}
            Ty::Fact(t) | Ty::Lit(t) => {
                let f = f(cx);
                cx.diags.push(
                    Diagnostic::error(
                        "type-mismatch",
                        format!("`{f}` holds {}, but `{}` is {}", plural(&set), cx.text(span_of(rhs)), describe(&t)),
                        span_of(rhs),
                        describe(&t),
                    )
                    .with_help(format!("write a name such as `{f} has {}`", example(cx, &set))),
                );
            }
        },
        Ty::Fact(t) => {
            let f = f(cx);
            let r = cx.text(span_of(rhs));
            let help = match &t {
                Type::Enum(_) | Type::Bool | Type::Int | Type::Date | Type::Text => format!("use `=`: `{f} = {r}`"),
                _ => "use `=` or another comparison".to_string(),
            };
            // Still check the value against the fact's set.
            if let (Type::Enum(set), Literal::Path(p)) = (&t, &rhs.base.node) {
                if !is_fact_path(p) {
                    value_in_set(cx, set, p, rhs.base.span);
                }
            }
            cx.diags.push(
                Diagnostic::error(
                    "type-mismatch",
                    format!("only a list can be tested with `has`, and `{f}` is {}", describe(&t)),
                    span_of(lhs),
                    "not a list",
                )
                .with_help(help),
            );
        }
    }
}

fn truthy(cx: &mut Checker<'_>, o: &Operand) {
    let t = match operand(cx, o) {
        Ty::Bad | Ty::Fact(Type::Bool) | Ty::Lit(Type::Bool) => return,
        Ty::Word(w) => return not_a_fact(cx, &w, span_of(o)),
        Ty::Fact(t) | Ty::Lit(t) => t,
    };
    let x = cx.text(span_of(o));
    let help = match &t {
        Type::Int | Type::Percent | Type::Duration => format!("compare it, as in `{x} >= 10`"),
        Type::TimeOfDay => format!("compare it, as in `{x} >= 09:00`"),
        Type::Date | Type::Timestamp => {
            format!("compare it with another date, as in `{x} < at`, or test `{x} is present`")
        }
        Type::Enum(set) => format!("compare it, as in `{x} = {}`", example(cx, set)),
        Type::EnumList(set) => format!("test what it includes, as in `{x} has {}`", example(cx, set)),
        Type::Text | Type::Bool => format!("compare it with a text, or test `{x} is present`"),
    };
    cx.diags.push(
        Diagnostic::error(
            "not-boolean",
            format!("expected a yes/no condition, found `{x}` ({})", describe(&t)),
            span_of(o),
            "not yes/no",
        )
        .with_help(help),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    #[test]
    fn two_segments_are_a_path_of_exactly_two() {
        assert_eq!(two_segments("facts.region"), Some(("facts", "region")));
        assert_eq!(two_segments("facts"), None);
        assert_eq!(two_segments("history.counts.posts_today"), None);
    }

    #[test]
    fn an_unknown_declared_fact_and_an_unknown_path_are_named_whole() {
        let d = diags("facts.levle = junior");
        assert!(d.iter().any(|d| d.message == "unknown fact `facts.levle`"), "{d:?}");
        let d = diags("actor.stauts = employed");
        assert!(d.iter().any(|d| d.message == "unknown fact `actor.stauts`"), "{d:?}");
    }

    fn diags(when: &str) -> Vec<Diagnostic> {
        let text = format!(
            "policy \"x\" default allow\nroles consultant\nfact level: enum {{ junior, senior }}\nfact score: int\nrule r {{ when {when} then deny }}\n"
        );
        let file = SourceFile::new("t.policy", text);
        match crate::check::check_source(&file) {
            Ok((_, r)) => r
                .diagnostics
                .into_iter()
                .filter(|d| d.code != "unused-declaration" && d.code != "never-fires")
                .collect(),
            Err(d) => panic!("does not parse: {d:?}"),
        }
    }

    fn one(when: &str) -> (String, String, Option<String>) {
        let d = diags(when);
        assert_eq!(d.len(), 1, "{when}: {d:#?}");
        let d = d.into_iter().next().unwrap();
        (d.code, d.message, d.help)
    }

    #[test]
    fn well_typed_conditions_pass() {
        for ok in [
            "actor.status = departed",
            "actor.status in {on_notice, garden_leave}",
            "content.kind has job_ad",
            "content.kind in {job_ad, brand}",
            "history.posts_today >= 10",
            "at > actor.departed_on + 6 months",
            "actor.departed_on is missing",
            "content.kind is present",
            "content.confidential and not content.names_client",
            "10 <= history.posts_today",
            "actor.role = consultant",
            "facts.level = senior and facts.score > 3",
            "target.last_dealt_with >= actor.departed_on - 12 months",
            "approval.granted_by = consultant",
            "account.created_on < 2020-01-01",
        ] {
            assert_eq!(diags(ok), vec![], "{ok}");
        }
    }

    #[test]
    fn unknown_facts_suggest_the_closest() {
        let (code, msg, help) = one("actor.stauts = departed");
        assert_eq!((code.as_str(), msg.as_str()), ("unknown-fact", "unknown fact `actor.stauts`"));
        assert_eq!(help.as_deref(), Some("did you mean `actor.status`?"));
        let (_, _, help) = one("facts.scor > 3");
        assert_eq!(help.as_deref(), Some("did you mean `facts.score`?"));
        let (_, _, help) = one("status = departed");
        assert_eq!(help.as_deref(), Some("a fact is written with its part: did you mean `actor.status`?"));
    }

    #[test]
    fn mismatches_are_reported_in_words() {
        let (code, msg, help) = one("content.kind = job_ad");
        assert_eq!(code, "type-mismatch");
        assert!(msg.contains("a list of content kinds"), "{msg}");
        assert_eq!(help.as_deref(), Some("to test whether the list includes it, write `content.kind has job_ad`"));
        let (_, msg, _) = one("history.posts_today = \"ten\"");
        assert_eq!(msg, "cannot compare `history.posts_today` (a number) with `\"ten\"` (a text)");
        let (_, msg, help) = one("actor.departed_on > 3");
        assert_eq!(msg, "cannot compare `actor.departed_on` (a date) with `3` (a number)");
        assert!(help.is_some_and(|h| h.contains("actor.departed_on + 3 months")));
        let (_, msg, _) = one("actor.status > employed");
        assert!(msg.starts_with("ordering with `>`"), "{msg}");
        let (_, msg, _) = one("actor.status has departed");
        assert!(msg.starts_with("only a list can be tested with `has`"), "{msg}");
        let (_, msg, _) = one("actor.departed_on + 6 months > 10");
        assert!(msg.contains("(a date) with `10` (a number)"), "{msg}");
        let (_, msg, _) = one("history.posts_today + 3 days > 1");
        assert!(msg.starts_with("only a date can be shifted"), "{msg}");
    }

    #[test]
    fn unknown_values_are_names_of_the_right_set() {
        let (code, msg, help) = one("actor.status = departd");
        assert_eq!((code.as_str(), msg.as_str()), ("unknown-name", "unknown status `departd`"));
        assert_eq!(help.as_deref(), Some("did you mean `departed`?"));
        let (_, msg, _) = one("facts.level = medior");
        assert_eq!(msg, "`medior` is not a value of `facts.level`");
        let (_, msg, _) = one("target.relationship in {client, candidat}");
        assert_eq!(msg, "unknown relationship `candidat`");
    }

    #[test]
    fn bare_non_boolean_facts_are_not_conditions() {
        let (code, msg, help) = one("history.posts_today");
        assert_eq!(code, "not-boolean");
        assert_eq!(msg, "expected a yes/no condition, found `history.posts_today` (a number)");
        assert_eq!(help.as_deref(), Some("compare it, as in `history.posts_today >= 10`"));
    }

    #[test]
    fn percentages_above_100_are_invalid() {
        // No fact is a percentage, so this is also a mismatch.
        let d = diags("facts.score > 150%");
        assert!(d.iter().any(|d| d.code == "invalid-value"), "{d:#?}");
    }

    #[test]
    fn presence_tests_work_on_anything() {
        assert_eq!(diags("content.kind is missing or facts.level is present"), vec![]);
    }
}
