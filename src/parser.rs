//! Stage 1: text to [`ast`](crate::ast).
//!
//! The grammar lives in `grammar/policy.pest`; [`build`] turns pest pairs into
//! the AST (one builder per rule, never panicking); [`err`] turns pest's errors
//! into plain-words diagnostics; [`rule_names`] names every rule for them.
//! Nothing after this stage sees a pest type.

pub mod build;
pub mod err;
pub mod rule_names;

pub use err::{ParseError, ParseErrors};

use crate::ast::PolicyFile;
use crate::source::{SourceFile, Span};
use pest::Parser as _;

mod generated {
    #![allow(missing_docs, reason = "pest generates `Rule`; each rule is documented in grammar/policy.pest")]
    /// The pest parser generated from `grammar/policy.pest`.
    #[derive(pest_derive::Parser)]
    #[grammar = "grammar/policy.pest"]
    pub struct PolicyParser;
}

pub use generated::{PolicyParser, Rule};

/// How deeply parentheses may nest in one condition. Deeper input is refused
/// with an error rather than risking the stack.
pub const MAX_NESTING: usize = 64;

/// How many tests one condition may join with `and`/`or` (and how many `not`s
/// may stack, [`MAX_NESTING`]). Larger conditions are refused with an error.
pub const MAX_CONDITION_PARTS: usize = 256;

/// Parses a policy file. Returns every problem found, not only the first.
pub fn parse(file: &SourceFile) -> Result<PolicyFile, ParseErrors> {
    let text: &str = &file.text;
    if let Some(err) = nesting_error(text) {
        return Err(ParseErrors::new(vec![err]));
    }
    let mut pairs = match parse_pairs(text) {
        Ok(pairs) => pairs,
        Err(e) => return Err(ParseErrors::new(vec![err::from_pest(&e, text)])),
    };
    let Some(top) = pairs.next() else {
        return Err(ParseErrors::new(vec![ParseError::Internal { rule: "policy_file".into(), span: Span::new(0, 0) }]));
    };
    let mut builder = build::Builder::default();
    let ast = builder.policy_file(top);
    match (ast, builder.errors.is_empty()) {
        (Some(ast), true) => Ok(ast),
        (_, _) if !builder.errors.is_empty() => Err(ParseErrors::new(builder.errors)),
        _ => Err(ParseErrors::new(vec![ParseError::Internal { rule: "policy_file".into(), span: Span::new(0, 0) }])),
    }
}

/// Serializes the parses of this process: pest's error-detail switch is global.
static DETAIL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs pest. The first pass does not record what was attempted where (that
/// bookkeeping is most of pest's time on a large file); only if it fails is the
/// text parsed again with detail, for the error message. The error is the same
/// as a single detailed pass would give.
fn parse_pairs(text: &str) -> Result<pest::iterators::Pairs<'_, Rule>, Box<pest::error::Error<Rule>>> {
    let _serial = DETAIL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    pest::set_error_detail(false);
    if let Ok(pairs) = PolicyParser::parse(Rule::policy_file, text) {
        return Ok(pairs);
    }
    pest::set_error_detail(true);
    let detailed = PolicyParser::parse(Rule::policy_file, text).map_err(Box::new);
    pest::set_error_detail(false);
    detailed
}

/// Finds the first `(` nested deeper than [`MAX_NESTING`], outside strings and comments.
fn nesting_error(text: &str) -> Option<ParseError> {
    // Too few parentheses to nest that deep (the common case): no need to look closer.
    if text.bytes().filter(|b| *b == b'(').count() <= MAX_NESTING {
        return None;
    }
    let mut depth = 0usize;
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    // Bytes, not chars: every byte that matters here is ASCII, and no byte of
    // a longer UTF-8 character is (offsets are byte offsets either way).
    for (i, c) in text.bytes().enumerate() {
        if in_comment {
            in_comment = c != b'\n';
            continue;
        }
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') | (false, b'\n') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            b'#' => in_comment = true,
            b'"' => in_string = true,
            b'(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(ParseError::TooDeep { span: Span::new(i, i + 1), limit: MAX_NESTING });
                }
            }
            b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}
