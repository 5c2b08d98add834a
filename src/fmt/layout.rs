//! fmt: AST back to canonical text — lines, indentation, blank lines and
//! comment placement. One printer per AST node kind that spans lines (the
//! header, each item, sections, clauses, covenants, rules, exceptions); the
//! one-line texts come from `fmt::node` and `fmt::expr`. Must not touch the
//! parser, the grammar or the AST.
//!
//! The document is printed twice by the same code. The first pass only records
//! the *units*: each thing that starts a line or sits on one (a clause, a
//! modifier, a header setting, a closing `}`), by its source span. Comments are
//! then attached to units: a comment on its own line goes before the first unit
//! that starts after it in the source; a trailing comment goes at the end of
//! the printed line of the construct it trails (see [`trailed`]). The second pass
//! prints, emitting each comment with its unit, so that every comment is
//! printed exactly once whatever order the canonical layout puts units in.

use super::node::{self, Piece};
use super::trivia::{Comment, Source};
use crate::ast::*;
use crate::source::{Span, Spanned};
use std::collections::BTreeMap;

/// The widest a clause may print with one modifier on the same line.
pub const WIDTH: usize = 100;

/// Spaces per level of indentation.
const INDENT: usize = 2;

/// Whether a blank line may precede a line (and the comments printed before it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gap {
    /// A top-level item: always one blank line before it (before its comments).
    Item,
    /// A clause in a section, or a modifier in a rule body: a blank line where the
    /// author had one.
    Block,
    /// A closing `}`: never a blank line right before it; its comments as [`Gap::Block`].
    Close,
    /// A continuation line (header setting, clause modifier, covenant item): never.
    Cont,
}

/// A line being assembled.
#[derive(Debug)]
struct Line {
    indent: usize,
    gap: Gap,
    text: String,
    /// Source start of its first unit and end of its last (for blank lines).
    start: usize,
    end: usize,
    leading: Vec<Comment>,
    trailing: Vec<Comment>,
}

/// A unit as the first pass records it.
#[derive(Debug, Clone, Copy)]
struct Unit {
    /// Where it starts in the source.
    start: usize,
    /// Where the construct it begins (a whole clause, rule or item) ends in the source.
    extent_end: usize,
}

/// Comments attached to units, by the unit's source start.
#[derive(Debug, Default)]
struct Attached {
    leading: BTreeMap<usize, Vec<Comment>>,
    trailing: BTreeMap<usize, Vec<Comment>>,
    end: Vec<Comment>,
}

impl Attached {
    /// Attaches each comment to a unit; `units` are sorted by start, one per start.
    fn new(comments: &[Comment], units: &[Unit], source: Option<&Source<'_>>) -> Self {
        let mut a = Attached::default();
        for c in comments {
            let next = units.get(units.partition_point(|u| u.start < c.span.end)).map(|u| u.start);
            let trails = if c.own_line { None } else { trailed(c, units, source) };
            match (trails, next) {
                (Some(p), _) => a.trailing.entry(p).or_default().push(c.clone()),
                (None, Some(p)) => a.leading.entry(p).or_default().push(c.clone()),
                (None, None) => a.end.push(c.clone()),
            }
        }
        a
    }
}

/// The unit whose printed line a trailing comment ends: the outermost construct
/// that starts on the comment's source line and ends right before it (so a
/// comment after a whole one-line rule goes to the rule's first line, one after
/// `forbid a  forbid b` to `forbid b`); failing that, or without the source
/// text, the last unit that starts before it.
fn trailed(c: &Comment, units: &[Unit], source: Option<&Source<'_>>) -> Option<usize> {
    let before = units.partition_point(|u| u.start < c.span.start);
    let last = before.checked_sub(1).and_then(|i| units.get(i))?;
    if let Some(src) = source {
        let first_on_line = units.partition_point(|u| u.start < src.line_start(c.span.start));
        let trailed = units
            .get(first_on_line..before)
            .and_then(|on_line| on_line.iter().find(|u| u.extent_end <= c.span.start && u.extent_end >= last.start));
        if let Some(u) = trailed {
            return Some(u.start);
        }
    }
    Some(last.start)
}

/// The printer's state.
pub(super) struct Printer<'a> {
    /// `None` in the first pass, which only records unit starts.
    attached: Option<Attached>,
    units: Vec<Unit>,
    source: Option<Source<'a>>,
    out: String,
    line: Option<Line>,
    /// Source end of the last printed line or comment.
    prev_end: Option<usize>,
    /// The last printed line opened a block (`{`).
    at_block_start: bool,
}

/// Prints the whole file; see the module documentation.
pub(super) fn print(ast: &PolicyFile, comments: &[Comment], source: Option<&str>) -> String {
    let mut sorted: Vec<Comment> = comments.to_vec();
    sorted.sort_by_key(|c| c.span.start);
    let mut first = Printer::new(None, source.map(|s| Source::new(s, &sorted)));
    first.policy_file(ast);
    let mut units = first.units;
    // One unit per start, the outermost (longest) first.
    units.sort_by(|a, b| a.start.cmp(&b.start).then(b.extent_end.cmp(&a.extent_end)));
    units.dedup_by_key(|u| u.start);
    let source = first.source;
    let attached = Attached::new(&sorted, &units, source.as_ref());
    let mut second = Printer::new(Some(attached), source);
    second.policy_file(ast);
    second.finish()
}

impl<'a> Printer<'a> {
    fn new(attached: Option<Attached>, source: Option<Source<'a>>) -> Self {
        Printer {
            attached,
            units: Vec::new(),
            source,
            out: String::new(),
            line: None,
            prev_end: None,
            at_block_start: false,
        }
    }

    // ───────────── lines and comments ─────────────

    /// Starts a line at `depth` for the unit at `span`.
    fn begin(&mut self, depth: usize, gap: Gap, span: Span) {
        self.begin_construct(depth, gap, span, span);
    }

    /// Starts a line at `depth` for the unit at `span`, which begins a construct
    /// (a clause, a rule, an item) covering `whole`.
    fn begin_construct(&mut self, depth: usize, gap: Gap, span: Span, whole: Span) {
        self.end_line();
        self.line = Some(Line {
            indent: depth * INDENT,
            gap,
            text: String::new(),
            start: span.start,
            end: 0,
            leading: Vec::new(),
            trailing: Vec::new(),
        });
        self.unit_of(span, whole);
    }

    /// Records a unit printed on the current line and takes its comments.
    fn unit(&mut self, span: Span) {
        self.unit_of(span, span);
    }

    /// Records a unit that begins a construct covering `whole`.
    fn unit_of(&mut self, span: Span, whole: Span) {
        let code_end = self.code_end(span.end);
        let extent_end = self.code_end(whole.end).max(code_end);
        self.units.push(Unit { start: span.start, extent_end });
        let (leading, trailing) = match self.attached.as_mut() {
            Some(a) => (a.leading.remove(&span.start), a.trailing.remove(&span.start)),
            None => (None, None),
        };
        if let Some(line) = self.line.as_mut() {
            line.start = line.start.min(span.start);
            line.end = line.end.max(code_end);
            line.leading.extend(leading.unwrap_or_default());
            line.trailing.extend(trailing.unwrap_or_default());
        }
    }

    /// Whether the unit starting at `start` has comments to print before it.
    fn has_leading(&self, start: usize) -> bool {
        self.attached.as_ref().is_some_and(|a| a.leading.get(&start).is_some_and(|v| !v.is_empty()))
    }

    fn code_end(&self, end: usize) -> usize {
        self.source.as_ref().map_or(end, |s| s.code_end(end))
    }

    fn push(&mut self, text: &str) {
        if let Some(line) = self.line.as_mut() {
            line.text.push_str(text);
        }
    }

    /// The width of the current line so far, in characters.
    fn line_text_len(&self) -> usize {
        self.line.as_ref().map_or(0, |l| l.indent + l.text.chars().count())
    }

    /// Prints the current line with its comments.
    fn end_line(&mut self) {
        let Some(mut line) = self.line.take() else { return };
        line.leading.sort_by_key(|c| c.span.start);
        line.trailing.sort_by_key(|c| c.span.start);
        // One trailing comment per line: earlier ones go on their own lines before it.
        let keep = line.trailing.pop();
        line.leading.append(&mut line.trailing);
        // Comments before a `}` belong to the block's contents.
        let (gap, indent) = match line.gap {
            Gap::Close => (Gap::Block, line.indent + INDENT),
            other => (other, line.indent),
        };
        let mut first = true;
        for c in &line.leading {
            self.blank_before(gap, first, c.span.start);
            first = false;
            self.write_line(indent, &c.text);
            self.prev_end = Some(c.span.end);
            self.at_block_start = false;
        }
        self.blank_before(line.gap, first, line.start);
        let mut text = line.text;
        let opens_block = text.ends_with('{');
        if let Some(c) = keep {
            text.push(' ');
            text.push_str(&c.text);
        }
        self.write_line(line.indent, &text);
        self.prev_end = Some(line.end);
        self.at_block_start = opens_block;
    }

    /// A blank line before the next printed line if its `gap` calls for one.
    fn blank_before(&mut self, gap: Gap, first_of_unit: bool, start: usize) {
        if self.out.is_empty() {
            return;
        }
        let author = !self.at_block_start
            && match (self.source.as_ref(), self.prev_end) {
                (Some(src), Some(prev)) => src.blank_between(prev, start),
                _ => false,
            };
        let blank = match gap {
            Gap::Item => first_of_unit || author,
            Gap::Block => author,
            Gap::Close | Gap::Cont => false,
        };
        if blank {
            self.out.push('\n');
        }
    }

    fn write_line(&mut self, indent: usize, text: &str) {
        if !text.is_empty() {
            self.out.extend(std::iter::repeat_n(' ', indent));
            self.out.push_str(text);
        }
        self.out.push('\n');
    }

    /// Ends the document: comments after the last item, and any comment not yet printed.
    fn finish(mut self) -> String {
        self.end_line();
        let mut rest = Vec::new();
        if let Some(a) = self.attached.take() {
            rest.extend(a.end);
            rest.extend(a.leading.into_values().flatten());
            rest.extend(a.trailing.into_values().flatten());
        }
        rest.sort_by_key(|c| c.span.start);
        for c in rest {
            self.blank_before(Gap::Block, true, c.span.start);
            self.write_line(0, &c.text);
            self.prev_end = Some(c.span.end);
            self.at_block_start = false;
        }
        self.out
    }

    // ───────────── the file ─────────────

    /// `policy_file`: the header, then every item with one blank line between.
    fn policy_file(&mut self, ast: &PolicyFile) {
        self.header(&ast.header);
        for item in &ast.items {
            self.item(item);
        }
    }

    /// `header`: `policy "Name" version V`, then one setting per line.
    fn header(&mut self, h: &Header) {
        let head_end = h.name.span.end.max(h.span.start);
        self.begin_construct(0, Gap::Item, Span::new(h.span.start, head_end), h.span);
        self.push(&format!("policy {}", super::expr::string(&h.name.node)));
        if let Some(v) = &h.version {
            self.unit(v.span);
            self.push(&format!(" version {}", v.node));
        }
        for (span, text) in node::header_settings(h) {
            self.begin(1, Gap::Cont, span);
            self.push(&text);
        }
    }

    /// `item`: one printer per kind.
    fn item(&mut self, item: &Spanned<Item>) {
        let span = item.span;
        let close = Span::new(span.end.saturating_sub(1), span.end);
        let start = span.start;
        match &item.node {
            Item::Declaration(d) => self.one_line(span, &node::declaration(d)),
            Item::Fact(f) => self.one_line(span, &node::fact_decl(f)),
            Item::Assume(a) => self.one_line(span, &node::assume_decl(a)),
            Item::Brands(names) => self.one_line(span, &node::brand_decl(names)),
            Item::Ownership(clauses) => {
                self.section(Span::new(start, start + 1), "ownership", close, clauses, node::ownership_rule)
            }
            Item::Departure(clauses) => {
                self.section(Span::new(start, start + 1), "on departure", close, clauses, node::departure_duty)
            }
            Item::Covenant(c) => self.covenant(span, c),
            Item::Posting(s) => {
                let head = format!("posting{}", node::scope(&s.scope));
                let head_span = Span::new(start, node::scope_end(&s.scope).max(start + 1));
                self.section(head_span, &head, close, &s.clauses, node::posting_rule)
            }
            Item::Connecting(s) => {
                let head = format!("connecting{}", node::scope(&s.scope));
                let head_span = Span::new(start, node::scope_end(&s.scope).max(start + 1));
                self.section(head_span, &head, close, &s.clauses, node::connecting_rule)
            }
            Item::Terms(clauses) => {
                self.section(Span::new(start, start + 1), "terms", close, clauses, node::terms_rule)
            }
            Item::Rule(r) => {
                let (head_span, head) = node::rule_head(r);
                self.body(Span::new(start, head_span.end), &head, close, &r.modifiers)
            }
            Item::Exception(e) => {
                let (head_span, head) = node::exception_head(e);
                self.body(Span::new(start, head_span.end), &head, close, &e.modifiers)
            }
        }
    }

    /// `declaration`, `fact_decl`, `assume_decl`: one line.
    fn one_line(&mut self, span: Span, text: &str) {
        self.begin(0, Gap::Item, span);
        self.push(text);
    }

    /// `ownership`, `on departure`, `posting`, `connecting`, `terms`:
    /// `HEAD {`, the clauses indented, `}`.
    fn section<T>(&mut self, head_span: Span, head: &str, close: Span, clauses: &[Clause<T>], rule: fn(&T) -> String) {
        self.begin_construct(0, Gap::Item, head_span, Span::new(head_span.start, close.end));
        self.push(head);
        self.push(" {");
        if clauses.is_empty() && !self.has_leading(close.start) {
            self.unit(close);
            self.push("}");
            return;
        }
        for c in clauses {
            self.clause(c, &rule(&c.rule.node));
        }
        self.close(close);
    }

    /// `}` on its own line, after the comments that precede it.
    fn close(&mut self, close: Span) {
        self.begin(0, Gap::Close, close);
        self.push("}");
    }

    /// A clause: `label: rule`, then its modifiers on continuation lines; with
    /// exactly one modifier, on the same line when that fits in [`WIDTH`] columns
    /// and no comment stands before the modifier.
    fn clause<T>(&mut self, c: &Clause<T>, rule: &str) {
        let head_span = Span::new(c.span.start, c.rule.span.end.max(c.span.start));
        self.begin_construct(1, Gap::Block, head_span, c.span);
        if let Some(l) = &c.label {
            self.push(&format!("{}: ", l.node));
        }
        self.push(rule);
        let mods = node::modifiers(&c.modifiers);
        if let [(span, text)] = mods.as_slice() {
            let fits = self.line_text_len() + 1 + text.chars().count() <= WIDTH;
            if fits && !self.has_leading(span.start) {
                self.unit(*span);
                self.push(" ");
                self.push(text);
                return;
            }
        }
        let conds = conditions(&c.modifiers);
        for (i, (span, text)) in mods.iter().enumerate() {
            self.modifier(2, Gap::Cont, *span, text, conds.get(i).copied());
        }
    }

    /// A modifier on a line of its own at `depth`. A `when` or `unless`
    /// condition too wide for the line is cut before each `and` (or `or`) of
    /// its outermost chain, each operand on a line of its own, one level deeper.
    fn modifier(&mut self, depth: usize, gap: Gap, span: Span, text: &str, cond: Option<&Spanned<Expr>>) {
        self.begin(depth, gap, span);
        let wide = depth * INDENT + text.chars().count() > WIDTH;
        let (Some(cond), true) = (cond, wide) else {
            self.push(text);
            return;
        };
        let Some((first, parts)) = super::expr::chain_parts(&cond.node) else {
            self.push(text);
            return;
        };
        let keyword = text.split(' ').next().unwrap_or_default();
        self.push(&format!("{keyword} {first}"));
        for (part_span, part) in parts {
            self.begin(depth + 1, Gap::Cont, part_span);
            self.push(&part);
        }
    }

    /// Continuation lines, one per piece.
    fn continuation(&mut self, depth: usize, pieces: &[Piece]) {
        for (span, text) in pieces {
            self.begin(depth, Gap::Cont, *span);
            self.push(text);
        }
    }

    /// `covenant`: the first line, then each item on a continuation line.
    fn covenant(&mut self, span: Span, c: &Covenant) {
        let head_end = c.duration.span.end.max(span.start);
        self.begin_construct(0, Gap::Item, Span::new(span.start, head_end), span);
        self.push(&node::covenant_head(c));
        self.continuation(1, &node::covenant_items(c));
    }

    /// `rule_def`, `exception_def`: `HEAD {`, one modifier per line, `}`.
    fn body(&mut self, head_span: Span, head: &str, close: Span, m: &Modifiers) {
        self.begin_construct(0, Gap::Item, head_span, Span::new(head_span.start, close.end));
        self.push(head);
        self.push(" {");
        let mods = node::modifiers(m);
        if mods.is_empty() && !self.has_leading(close.start) {
            self.unit(close);
            self.push("}");
            return;
        }
        let conds = conditions(m);
        for (i, (span, text)) in mods.iter().enumerate() {
            self.modifier(1, Gap::Block, *span, text, conds.get(i).copied());
        }
        self.close(close);
    }
}

/// The conditions of a clause's modifiers, in the order [`node::modifiers`]
/// prints them first: the `when`, then each `unless`.
fn conditions(m: &Modifiers) -> Vec<&Spanned<Expr>> {
    m.when.iter().chain(&m.unless).collect()
}
