//! Text from a policy, an upload or an action placed in a markdown report
//! (`eval`, `compare` and `diff` with `--format markdown`). Such reports are
//! pasted into review threads and rendered to HTML, so no text they carry may
//! become markup there: outside code spans `<` and `&` are written as entities
//! (no HTML tag, no entity) and a `]` that would close a link's text (before
//! `(`, `[` or `:`) with a backslash (no link; `[]` stays as it is). Code spans
//! are kept as written, since markdown shows their content literally; a
//! backtick that opens no span on its line is written as `'`, so the spans a
//! renderer sees are exactly the ones kept here.

/// `s` as markdown text: see the module's documentation. Line breaks are kept.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        line_into(line, &mut out);
    }
    out
}

/// `s` as the text of one table cell: [`text`], with `|` escaped (in code
/// spans too, as tables require) and line breaks folded to spaces.
pub fn cell(s: &str) -> String {
    text(&s.replace('\n', " ")).replace('|', "\\|")
}

/// One line: code spans kept, the rest escaped.
fn line_into(line: &str, out: &mut String) {
    let mut rest = line;
    while let Some(ch) = rest.chars().next() {
        if ch == '`' {
            let run = rest.len() - rest.trim_start_matches('`').len();
            let end = closing(rest, run);
            match end {
                Some(end) => out.push_str(rest.get(..end).unwrap_or(rest)),
                None => (0..run).for_each(|_| out.push('\'')),
            }
            rest = rest.get(end.unwrap_or(run)..).unwrap_or("");
            continue;
        }
        match ch {
            '<' => out.push_str("&lt;"),
            '&' => out.push_str("&amp;"),
            ']' if rest.get(1..).is_some_and(|r| r.starts_with(['(', '[', ':'])) => out.push_str("\\]"),
            c => out.push(c),
        }
        rest = rest.get(ch.len_utf8()..).unwrap_or("");
    }
}

/// Where the code span opened by the `run` backticks at the start of `s`
/// ends (just after its closing run of exactly `run` backticks), if it does.
fn closing(s: &str, run: usize) -> Option<usize> {
    let mut at = run;
    while let Some(off) = s.get(at..)?.find('`') {
        let start = at + off;
        let len = s.get(start..)?.len() - s.get(start..)?.trim_start_matches('`').len();
        if len == run {
            return Some(start + len);
        }
        at = start + len;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_outside_code_spans_is_written_as_text() {
        assert_eq!(text("<img src=x onerror=alert(1)>"), "&lt;img src=x onerror=alert(1)>");
        assert_eq!(text("[click](javascript:alert(1))"), "[click\\](javascript:alert(1))");
        assert_eq!(text("[click][1] and\n[1]: javascript:alert(1)"), "[click\\][1] and\n[1\\]: javascript:alert(1)");
        assert_eq!(text("content.kind = [] does not include brand"), "content.kind = [] does not include brand");
        assert_eq!(text("Terms & Conditions"), "Terms &amp; Conditions");
        assert_eq!(text("plain words, é and ≥"), "plain words, é and ≥");
    }

    #[test]
    fn code_spans_are_kept_as_written() {
        assert_eq!(text("forbidden by `live-deals`"), "forbidden by `live-deals`");
        assert_eq!(text("clause: `when x < 3 and y & z`"), "clause: `when x < 3 and y & z`");
        assert_eq!(text("``a ` b`` <b>"), "``a ` b`` &lt;b>");
    }

    #[test]
    fn a_backtick_that_opens_no_span_cannot_open_one_later() {
        // Left as a backtick, it would pair with one on a following line and hide the `<` between.
        assert_eq!(text("name` <script>\nnext `x`"), "name' &lt;script>\nnext `x`");
        assert_eq!(text("``a`"), "''a'");
    }

    #[test]
    fn a_cell_escapes_pipes_everywhere_and_folds_lines() {
        assert_eq!(cell("a | b\n`c | d` <e>"), "a \\| b `c \\| d` &lt;e>");
    }
}
