//! fmt: AST back to canonical text — the trivia the parser skips (comments and
//! blank lines), found by a small lexical scan. Reads source text only; never
//! touches the grammar, the parser or the AST.

use crate::source::Span;

/// A `#` comment as written, outside any string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// From the `#` to the end of the comment text (trailing blanks excluded).
    pub span: Span,
    /// The text, `#` included, without the trailing blanks and the newline.
    pub text: String,
    /// Only blanks precede it on its line; otherwise it trails code.
    pub own_line: bool,
}

/// The characters the grammar skips as `blank` (its `WHITESPACE` is blanks and comments).
pub(super) fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{FEFF}')
}

/// Every `#` comment outside strings, in source order.
///
/// Strings run from `"` to the next unescaped `"` (`\"` and `\\` are escapes)
/// or, when unterminated, to the end of the line, as the grammar's strings do.
pub fn comments(text: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut line_has_code = false;
    let mut skip_to = 0usize;
    for (i, c) in text.char_indices() {
        if i < skip_to {
            continue;
        }
        if in_string {
            match (escaped, c) {
                (_, '\n') => {
                    in_string = false;
                    escaped = false;
                    line_has_code = false;
                }
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '\n' => line_has_code = false,
            '#' => {
                let rest = text.get(i..).unwrap_or("");
                let len = rest.find('\n').unwrap_or(rest.len());
                let raw = rest.get(..len).unwrap_or("");
                let trimmed = raw.trim_end_matches(|c: char| is_blank(c));
                out.push(Comment {
                    span: Span::new(i, i + trimmed.len()),
                    text: trimmed.to_string(),
                    own_line: !line_has_code,
                });
                skip_to = i + len;
            }
            '"' => {
                in_string = true;
                line_has_code = true;
            }
            c if is_blank(c) => {}
            _ => line_has_code = true,
        }
    }
    out
}

/// Whether `gap` (text between two printed things) holds a blank line: a line
/// with nothing but blanks, between two newlines.
pub(super) fn has_blank_line(gap: &str) -> bool {
    let mut parts = gap.split('\n');
    parts.next();
    let middle: Vec<&str> = parts.collect();
    let inner = middle.len().saturating_sub(1);
    middle.iter().take(inner).any(|line| line.chars().all(is_blank))
}

/// The source text with its comments, able to find where code really ends:
/// pest spans of rules ending in `?` or `*` may run on over blanks and comments.
pub(super) struct Source<'a> {
    text: &'a str,
    /// Comment spans sorted by end.
    comment_ends: Vec<Span>,
}

impl<'a> Source<'a> {
    /// Wraps the text and the comments found in it.
    pub(super) fn new(text: &'a str, comments: &[Comment]) -> Self {
        let mut comment_ends: Vec<Span> = comments.iter().map(|c| c.span).collect();
        comment_ends.sort_by_key(|s| s.end);
        Source { text, comment_ends }
    }

    /// `pos` moved back over blanks and comments to just after the last code.
    pub(super) fn code_end(&self, pos: usize) -> usize {
        let mut pos = pos.min(self.text.len());
        loop {
            let before = self.text.get(..pos).unwrap_or("");
            let trimmed = before.trim_end_matches(is_blank);
            pos = trimmed.len();
            match self.comment_ends.binary_search_by_key(&pos, |s| s.end) {
                Ok(i) => match self.comment_ends.get(i) {
                    Some(c) if c.start < pos => pos = c.start,
                    _ => return pos,
                },
                Err(_) => return pos,
            }
        }
    }

    /// Where the line holding `pos` starts.
    pub(super) fn line_start(&self, pos: usize) -> usize {
        self.text.get(..pos).and_then(|before| before.rfind('\n')).map_or(0, |i| i + 1)
    }

    /// Whether the author left a blank line between `from` and `to`.
    pub(super) fn blank_between(&self, from: usize, to: usize) -> bool {
        from <= to && self.text.get(from..to).is_some_and(has_blank_line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_skip_strings_and_know_their_line() {
        let text = "a \"x # not\" # one \n  # two\t\n\"q\\\"#\" #three";
        let found = comments(text);
        let texts: Vec<(&str, bool)> = found.iter().map(|c| (c.text.as_str(), c.own_line)).collect();
        assert_eq!(texts, vec![("# one", false), ("# two", true), ("#three", false)]);
        for c in &found {
            assert_eq!(text.get(c.span.start..c.span.end), Some(c.text.as_str()));
        }
    }

    #[test]
    fn blank_lines_are_lines_of_blanks_between_newlines() {
        assert!(has_blank_line("x\n  \n y"));
        assert!(has_blank_line(" # c\n\n"));
        assert!(!has_blank_line("\n  "));
        assert!(!has_blank_line("  # c\n  # d\n"));
    }

    #[test]
    fn code_end_skips_trailing_comments_and_blanks() {
        let text = "forbid viral  # c1\n  # c2\n\n  limit";
        let cs = comments(text);
        let src = Source::new(text, &cs);
        assert_eq!(src.code_end(text.len() - 5), "forbid viral".len());
    }
}
