//! Parse errors: what went wrong, where, and what was expected, in plain words.
//! pest's rule names never reach the user: [`super::rule_names`] translates them.

use super::rule_names::phrase;
use super::Rule;
use crate::source::Span;
use miette::Diagnostic;
use std::collections::BTreeSet;
use thiserror::Error;

/// One problem found while parsing.
#[derive(Debug, Clone, Error, Diagnostic, PartialEq)]
pub enum ParseError {
    /// The text does not follow the grammar.
    #[error("expected {expected}, found {found}")]
    #[diagnostic(code(policy::parse::syntax))]
    Syntax {
        /// Where.
        #[label("{label}")]
        span: Span,
        /// What would have been accepted, in words.
        expected: String,
        /// What was there.
        found: String,
        /// The label under the caret.
        label: String,
        /// A hint.
        #[help]
        help: Option<String>,
    },
    /// Parentheses nest too deeply.
    #[error("conditions may nest at most {limit} parentheses deep")]
    #[diagnostic(code(policy::parse::too_deep), help("split the condition into several rules or simplify it"))]
    TooDeep {
        /// The first parenthesis past the limit.
        #[label("too deep")]
        span: Span,
        /// The limit.
        limit: usize,
    },
    /// One condition joins too many tests.
    #[error("a condition may join at most {limit} tests with `and` and `or`")]
    #[diagnostic(
        code(policy::parse::too_large),
        help("split it into several rules, or use `in {{...}}` for a list of values")
    )]
    TooLarge {
        /// The condition.
        #[label("too large")]
        span: Span,
        /// The limit.
        limit: usize,
    },
    /// A literal that has the right shape but no meaning (a 31 February, a number too large).
    #[error("{message}")]
    #[diagnostic(code(policy::parse::invalid_literal))]
    InvalidLiteral {
        /// Where.
        #[label("here")]
        span: Span,
        /// What is wrong.
        message: String,
        /// A hint.
        #[help]
        help: Option<String>,
    },
    /// Something that may be said once was said twice.
    #[error("{what} is given more than once")]
    #[diagnostic(code(policy::parse::duplicate))]
    Duplicate {
        /// The second one.
        #[label("given again here")]
        span: Span,
        /// The first one.
        #[label("first given here")]
        first: Span,
        /// What it is, in words (`the default`, "a `when` condition").
        what: String,
        /// A hint.
        #[help]
        help: Option<String>,
    },
    /// A modifier or value that makes no sense where it was written.
    #[error("{message}")]
    #[diagnostic(code(policy::parse::misplaced))]
    Misplaced {
        /// Where.
        #[label("here")]
        span: Span,
        /// What is wrong.
        message: String,
        /// A hint.
        #[help]
        help: Option<String>,
    },
    /// The grammar and the AST builder disagree: a bug in smpolicy.
    #[error("internal error: unexpected `{rule}` in the syntax tree")]
    #[diagnostic(
        code(policy::parse::internal),
        help("grammar and AST disagree, please report this with the policy file")
    )]
    Internal {
        /// The rule that was not expected.
        rule: String,
        /// Where.
        #[label("here")]
        span: Span,
    },
}

impl ParseError {
    /// The primary span.
    pub fn span(&self) -> Span {
        match self {
            ParseError::Syntax { span, .. }
            | ParseError::TooDeep { span, .. }
            | ParseError::TooLarge { span, .. }
            | ParseError::InvalidLiteral { span, .. }
            | ParseError::Duplicate { span, .. }
            | ParseError::Misplaced { span, .. }
            | ParseError::Internal { span, .. } => *span,
        }
    }
}

/// All the problems found in one file (never empty).
#[derive(Debug, Clone, Error, PartialEq)]
#[error("the policy could not be parsed ({} problem{})", .errors.len(), if .errors.len() == 1 { "" } else { "s" })]
pub struct ParseErrors {
    /// The problems, in source order.
    pub errors: Vec<ParseError>,
}

impl ParseErrors {
    /// Wraps the problems, sorted by position.
    pub fn new(mut errors: Vec<ParseError>) -> Self {
        errors.sort_by_key(|e| e.span().start);
        ParseErrors { errors }
    }
}

/// Converts a pest error into a plain-words syntax error.
pub fn from_pest(e: &pest::error::Error<Rule>, text: &str) -> ParseError {
    let pos = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let mut wanted: BTreeSet<String> = BTreeSet::new();
    let mut pos = pos;
    if let Some(attempts) = e.parse_attempts() {
        pos = attempts.max_position.max(pos);
        // Prefer the rule that was being parsed ("a length of time") over the
        // literal characters inside it; keep punctuation, which has no rule.
        for stack in attempts.call_stacks() {
            let rule = stack.deepest.get_rule().copied().or(stack.parent);
            if let Some(p) = rule.and_then(phrase) {
                wanted.insert(p.to_string());
            }
        }
        let mut literals = BTreeSet::new();
        for token in attempts.expected_tokens() {
            let token = token.to_string();
            if let Some(p) = token_phrase(&token) {
                if PUNCTUATION.contains(&token.as_str()) {
                    wanted.insert(p);
                } else {
                    literals.insert(p);
                }
            }
        }
        if wanted.is_empty() {
            wanted = literals;
        }
    }
    if let pest::error::ErrorVariant::ParsingError { positives, .. } = &e.variant {
        if wanted.is_empty() {
            for rule in positives {
                if let Some(p) = phrase(*rule) {
                    wanted.insert(p.to_string());
                }
            }
        }
    }
    // A misspelt clause keyword reads as a clause name missing its `:`;
    // report it at the start of the word as the unknown word it is.
    let label_only = !wanted.is_empty() && wanted.iter().all(|w| w == "`:`" || w == "a clause name");
    if label_only {
        let before = text.get(..pos).unwrap_or("");
        let start = before
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '-'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        pos = start;
        wanted.clear();
        wanted.insert("a clause or the closing `}`".to_string());
    }
    let found = found_at(text, pos);
    let mut expected = join_or(wanted.into_iter().collect());
    // Two slips pest cannot see as such: say what belongs here instead.
    let rest = text.get(pos..).unwrap_or("");
    let word: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    if rest.starts_with("&&") || rest.starts_with("||") {
        expected = "the word `and` or `or`".into();
    } else if is_outcome_word(&word) && after_condition(text, pos) {
        expected = "`then` before the outcome".into();
    }
    let end = pos + found_len(text, pos);
    let help = hint(text, pos, &expected);
    let label = if expected.is_empty() { "unexpected here".to_string() } else { format!("expected {expected}") };
    ParseError::Syntax {
        span: Span::new(pos, end.max(pos)),
        expected: if expected.is_empty() { "something else".into() } else { expected },
        found: found.clone(),
        label,
        help,
    }
}

/// Words that start a clause, for "did you mean".
const CLAUSE_WORDS: &[&str] = &[
    "limit",
    "forbid",
    "only",
    "require",
    "default",
    "at",
    "hand",
    "remove",
    "update",
    "keep",
    "no",
    "connections",
    "contacts",
    "accounts",
    "branded",
    "personal",
    "corporate",
    "credentials",
    "lookback",
    "radius",
    "capacities",
    "when",
    "unless",
    "then",
    "because",
    "advise",
    "oblige",
    "note",
    "consequence",
    "see",
    "dry",
];

/// Tokens that no rule names, so they are shown as they are.
const PUNCTUATION: &[&str] = &["{", "}", "(", ")", ":", "->", ",", "="];

/// A phrase for a literal token pest expected.
fn token_phrase(token: &str) -> Option<String> {
    let is_range = token.chars().count() == 4 && token.get(1..3) == Some("..");
    if token.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}').is_empty()
        || token == "#"
        || token == "BUILTIN_RULE"
        || is_range
    {
        return None;
    }
    Some(format!("`{token}`"))
}

/// `a`, `a or b`, `a, b or c` (at most eight alternatives, then "or ...").
fn join_or(mut items: Vec<String>) -> String {
    // Literal punctuation first reads best: "expected `}` or a clause".
    items.sort_by_key(|s| (!s.starts_with('`'), s.clone()));
    items.dedup();
    let more = items.len() > 8;
    items.truncate(8);
    match items.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] if !more => format!("{} or {}", init.join(", "), last),
        all => format!("{}, or another form", all.join(", ")),
    }
}

/// What the text holds at `pos`, in words.
fn found_at(text: &str, pos: usize) -> String {
    let rest = text.get(pos..).unwrap_or("");
    if rest.starts_with("&&") || rest.starts_with("||") {
        return format!("`{}`", rest.get(..2).unwrap_or(rest));
    }
    match rest.chars().next() {
        None => "the end of the file".into(),
        Some('\n') | Some('\r') => "the end of the line".into(),
        Some(c) if c.is_alphanumeric() || c == '_' => {
            let word: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-').collect();
            format!("`{word}`")
        }
        Some('"') => "a text in quotes".into(),
        Some(c) => format!("`{c}`"),
    }
}

fn found_len(text: &str, pos: usize) -> usize {
    let rest = text.get(pos..).unwrap_or("");
    if rest.starts_with("&&") || rest.starts_with("||") {
        return 2;
    }
    match rest.chars().next() {
        None | Some('\n') | Some('\r') => 0,
        Some(c) if c.is_alphanumeric() || c == '_' => rest
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '-'))
            .map_or(rest.len(), |(i, _)| i),
        Some(c) => c.len_utf8(),
    }
}

/// A word that starts an outcome (`deny`, `require approval ...`).
fn is_outcome_word(word: &str) -> bool {
    matches!(word, "deny" | "allow" | "require" | "advise" | "oblige")
}

/// Whether the line before `pos` is a `when` or `unless` condition (so an
/// outcome word here is missing its `then`).
fn after_condition(text: &str, pos: usize) -> bool {
    let before = text.get(..pos).unwrap_or("");
    let previous = before.lines().rev().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#'));
    previous.is_some_and(|l| l.starts_with("when ") || l.starts_with("unless ") || l.contains(" when "))
}

/// A hint for common slips.
fn hint(text: &str, pos: usize, expected: &str) -> Option<String> {
    let rest = text.get(pos..).unwrap_or("");
    let word: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    if rest.starts_with('\'') {
        return Some("texts are written in double quotes: \"like this\"".into());
    }
    let before = text.get(pos.saturating_sub(1)..pos).unwrap_or("");
    if rest.starts_with("==") || (before == "=" && rest.starts_with('=')) {
        return Some("equality is a single `=`".into());
    }
    if rest.starts_with("&&") || rest.starts_with("||") {
        return Some("join conditions with the words `and` and `or`".into());
    }
    if is_outcome_word(&word) && after_condition(text, pos) {
        return Some(format!("an outcome follows the word `then`: write `then {word}`"));
    }
    if expected.contains("length of time") && word.chars().all(|c| c.is_ascii_digit()) && !word.is_empty() {
        return Some("give a unit: `days`, `business days`, `weeks` or `months`, as in `3 months`".into());
    }
    // A clause, or what an ownership or departure line is about (the asset phrase names
    // `credentials`): the words that start one, content words from their one table.
    if !word.is_empty() && (expected.starts_with("a clause") || expected.contains("`credentials`")) {
        let material = std::iter::once(crate::ast::MaterialWord::Content)
            .chain(crate::ast::MaterialKind::ALL.iter().map(|k| crate::ast::MaterialWord::Kind(*k)))
            .map(crate::ast::MaterialWord::as_str);
        let best = CLAUSE_WORDS
            .iter()
            .copied()
            .chain(material)
            .map(|k| (strsim::jaro_winkler(k.split(' ').next().unwrap_or(k), &word), k))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((_, k)) = best {
            return Some(format!("did you mean `{k}`?"));
        }
    }
    if matches!(word.as_str(), "years" | "year") {
        return Some("write years as months: `12 months`".into());
    }
    if rest.is_empty() && expected.contains("`}`") {
        return Some("a `{` earlier in the file is never closed".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_alternatives_in_words() {
        assert_eq!(join_or(vec!["a".into()]), "a");
        assert_eq!(join_or(vec!["b".into(), "`}`".into(), "a".into()]), "`}`, a or b");
    }

    #[test]
    fn names_what_was_found() {
        assert_eq!(found_at("abc def", 4), "`def`");
        assert_eq!(found_at("abc", 3), "the end of the file");
        assert_eq!(found_at("x\n", 1), "the end of the line");
    }
}
