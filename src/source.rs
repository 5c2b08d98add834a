//! Source files and byte spans. Every later stage points back into the text the
//! author wrote through a [`Span`]; the text itself lives only in [`SourceFile`].

use std::sync::{Arc, OnceLock};

/// A byte range `start..end` in one source file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        miette::SourceSpan::new(span.start.into(), span.end.saturating_sub(span.start))
    }
}

impl From<pest::Span<'_>> for Span {
    fn from(span: pest::Span<'_>) -> Self {
        Span::new(span.start(), span.end())
    }
}

/// A value with the span it was written at. Equality ignores the span, so two
/// ASTs parsed from differently laid-out text compare equal.
#[derive(Debug, Clone, Default)]
pub struct Spanned<T> {
    /// The value.
    pub node: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps a value with its span.
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.node == other.node
    }
}

impl<T: Eq> Eq for Spanned<T> {}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.node
    }
}

/// A named source text, shared cheaply between stages and diagnostics.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The file name shown in diagnostics.
    pub name: Arc<str>,
    /// The whole text.
    pub text: Arc<str>,
    /// Byte offsets where lines start, built on first use (shared by clones), so
    /// finding the line of each clause of a long policy stays linear overall.
    line_starts: Arc<OnceLock<Vec<usize>>>,
    /// Where each line starts as miette counts lines (see [`SourceFile::window`]).
    render_starts: Arc<OnceLock<Vec<usize>>>,
}

impl SourceFile {
    /// A source file from a name and its text.
    pub fn new(name: impl Into<Arc<str>>, text: impl Into<Arc<str>>) -> Self {
        SourceFile { name: name.into(), text: text.into(), line_starts: Arc::default(), render_starts: Arc::default() }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts
            .get_or_init(|| std::iter::once(0).chain(self.text.match_indices('\n').map(|(i, _)| i + 1)).collect())
    }

    /// 1-based line and column of a byte offset (column counted in characters).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let starts = self.line_starts();
        // The last line start at or before the offset (there is always one: 0).
        let line = starts.partition_point(|&s| s <= offset).max(1);
        let line_start = starts.get(line - 1).copied().unwrap_or(0);
        let col = self.text.get(line_start..offset).map_or(0, |s| s.chars().count()) + 1;
        (line, col)
    }

    /// The text of the line holding `offset`, without its newline.
    pub fn line_text(&self, offset: usize) -> &str {
        let offset = offset.min(self.text.len());
        let start = self.text.get(..offset).and_then(|s| s.rfind('\n')).map_or(0, |i| i + 1);
        let end = self.text.get(offset..).and_then(|s| s.find('\n')).map_or(self.text.len(), |i| offset + i);
        self.text.get(start..end).unwrap_or("").trim_end_matches('\r')
    }

    /// The text a span covers.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    /// A miette source for rendering diagnostics against this file: it hands miette only
    /// the lines around what a diagnostic points at. (miette's own sources scan the text
    /// from its start for each diagnostic, and were copied whole for each: a file with
    /// 10,000 errors took 18 s to show.)
    pub fn window(&self) -> Window<'_> {
        let starts = self.render_starts.get_or_init(|| {
            let bytes = self.text.as_bytes();
            let mut starts = vec![0];
            for (i, b) in bytes.iter().enumerate() {
                // A line ends at `\n`, at `\r\n` (after its `\n`) and at a `\r` alone, as miette reads them.
                let ends = *b == b'\n' || (*b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
                if ends {
                    starts.push(i + 1);
                }
            }
            starts
        });
        Window { name: &self.name, text: &self.text, starts }
    }
}

/// The lines of a file around a span, for miette ([`SourceFile::window`]).
#[derive(Debug)]
pub struct Window<'a> {
    name: &'a str,
    text: &'a str,
    starts: &'a [usize],
}

impl miette::SourceCode for Window<'_> {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        // miette's reading of the lines from one more above the context to one more below
        // it: the same answer as its reading of the whole text, moved by the lines and bytes
        // left out above.
        let line_of = |offset: usize| self.starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let first = line_of(span.offset()).saturating_sub(before + 1);
        let last = line_of(span.offset().saturating_add(span.len())).saturating_add(after + 2);
        let from = self.starts.get(first).copied().unwrap_or(0);
        let to = self.starts.get(last).copied().unwrap_or(self.text.len());
        let lines = self.text.as_bytes().get(from..to).ok_or(miette::MietteError::OutOfBounds)?;
        let inner = <[u8] as miette::SourceCode>::read_span(
            lines,
            &miette::SourceSpan::new(span.offset().saturating_sub(from).into(), span.len()),
            before,
            after,
        )?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.to_string(),
            inner.data(),
            miette::SourceSpan::new((inner.span().offset() + from).into(), inner.span().len()),
            inner.line() + first,
            inner.column(),
            inner.line_count() + first,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The window reads what miette reads of the whole text, for every span of a text
    /// with `\n`, `\r\n` and lone `\r` line ends, blank lines and text on the last line,
    /// and every context of up to three lines.
    #[test]
    fn the_window_reads_what_miette_reads_of_the_whole_text() {
        use miette::{SourceCode, SpanContents};
        let text = "policy \"x\"\r\n\nrule r {\r  when a = b\n\n\n  then deny\r\n}\n# end\n\nlast line";
        let file = SourceFile::new("w.policy", text);
        let window = file.window();
        let show = |c: &dyn SpanContents<'_>| {
            (c.data().to_vec(), c.span().offset(), c.span().len(), c.line(), c.column(), c.line_count())
        };
        for start in 0..=text.len() {
            for len in [0, 1, 3, 12, 40] {
                let span = miette::SourceSpan::new(start.into(), len.min(text.len() - start));
                for (before, after) in [(0, 0), (1, 1), (2, 0), (0, 3), (3, 2)] {
                    let want = text.as_bytes().read_span(&span, before, after).map(|c| show(&*c));
                    let got = window.read_span(&span, before, after).map(|c| show(&*c));
                    assert_eq!(got.ok(), want.ok(), "span {start}+{len}, context {before}/{after}");
                }
            }
        }
    }

    #[test]
    fn line_col_counts_from_one() {
        let f = SourceFile::new("a.policy", "ab\ncde\n");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(4), (2, 2));
        assert_eq!(f.line_text(4), "cde");
        assert_eq!(f.line_col(100), (3, 1));
    }

    #[test]
    fn line_col_agrees_with_counting_from_the_start() {
        let f = SourceFile::new("a.policy", "policy \"é\"\r\n\n  rule a { when x }\n# ñ\nend");
        for offset in 0..=f.text.len() + 2 {
            let at = offset.min(f.text.len());
            let Some(before) = f.text.get(..at) else { continue };
            let line = before.matches('\n').count() + 1;
            let start = before.rfind('\n').map_or(0, |i| i + 1);
            let col = before[start..].chars().count() + 1;
            assert_eq!(f.line_col(offset), (line, col), "offset {offset}");
        }
    }
}
