//! Data errors: [`DataError`] names the file, the line and column, the field
//! path and what was wrong, with a "did you mean" where one helps. This file
//! also turns serde's errors (YAML through serde_yaml, JSON through
//! serde_json, both wrapped by serde_path_to_error) into that shape.

use serde::Serialize;
use std::fmt;

/// A problem with an action, a contract or a test file.
///
/// Displays as `file:line:col: path: message; help`, leaving out the parts it
/// does not have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}", Rendered(self))]
pub struct DataError {
    /// The file name as given to the parser (empty for a JSON line or a check after parsing).
    /// A `Box<str>` keeps the error small enough to return by value.
    pub file: Box<str>,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// The field path, such as `actor.status` or `[2].action.content.kind` (empty for the whole document).
    pub path: String,
    /// What was wrong, lowercase, without a final period.
    pub message: String,
    /// A suggestion such as `did you mean "consultant"?`.
    pub help: Option<String>,
}

struct Rendered<'a>(&'a DataError);

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.0;
        if !e.file.is_empty() {
            write!(f, "{}:", e.file)?;
        }
        if let Some(line) = e.line {
            write!(f, "{line}:")?;
            if let Some(column) = e.column {
                write!(f, "{column}:")?;
            }
        } else if let Some(column) = e.column {
            write!(f, "column {column}:")?;
        }
        if !e.file.is_empty() || e.line.is_some() || e.column.is_some() {
            f.write_str(" ")?;
        }
        if !e.path.is_empty() {
            write!(f, "{}: ", e.path)?;
        }
        f.write_str(&e.message)?;
        if let Some(help) = &e.help {
            write!(f, "; {help}")?;
        }
        Ok(())
    }
}

impl DataError {
    /// An error at `path` with no position yet.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        DataError {
            file: Box::default(),
            line: None,
            column: None,
            path: path.into(),
            message: message.into(),
            help: None,
        }
    }

    /// The same error with a suggestion.
    pub fn with_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// The same error in `file` at `line` (a JSON Lines batch knows the line, the parser only the column).
    pub fn at_line(mut self, file: &str, line: usize) -> Self {
        self.file = file.into();
        self.line = Some(line);
        self
    }

    /// The same error inside `prefix` (`[3].action`), for data nested in a larger file.
    pub fn within(mut self, prefix: &str) -> Self {
        self.path = join_path(prefix, &self.path);
        self
    }

    /// The same error with `file` and the line and column of its path in `text`
    /// (YAML, or JSON when `file` ends in `.json`). For errors from
    /// [`crate::data::check_open_values`], which has no text to point into.
    pub fn locate(self, file: &str, text: &str) -> Self {
        let path = self.path.clone();
        self.located(file, text, &path)
    }

    /// The same error with `file` and the position of `at` (or its nearest
    /// enclosing value) in `text`.
    pub(crate) fn located(mut self, file: &str, text: &str, at: &str) -> Self {
        self.file = file.into();
        if let Some((line, column)) = super::locate(text, super::is_json(file), at) {
            self.line = Some(line);
            self.column = Some(column);
        }
        self
    }
}

/// `prefix.path`, with `[i]` steps joined without a dot.
pub(crate) fn join_path(prefix: &str, path: &str) -> String {
    match (prefix.is_empty(), path.is_empty()) {
        (true, _) => path.to_string(),
        (false, true) => prefix.to_string(),
        (false, false) if path.starts_with('[') => format!("{prefix}{path}"),
        (false, false) => format!("{prefix}.{path}"),
    }
}

// ---------------------------------------------------------------------------
// Messages raised inside deserialization

/// Marks the start of a message this module wrote (serde_yaml puts its own
/// path in front of custom messages; this lets us find ours).
const START: char = '\u{1e}';
/// Separates a message from its help.
const HELP: char = '\u{1f}';

/// A custom deserialization message with an optional help, encoded so that
/// [`from_yaml`] and [`from_json`] can split it again.
pub(crate) fn message(message: &str, help: Option<&str>) -> String {
    match help {
        Some(help) => format!("{START}{message}{HELP}{help}"),
        None => format!("{START}{message}"),
    }
}

/// `expected one of a, b, c; found "x"`, with a suggestion when one is close.
pub(crate) fn one_of_message(names: &[&str], found: &str) -> String {
    let help = suggest(found, names.iter().copied()).map(|s| format!("did you mean {s:?}?"));
    message(&format!("expected one of {}; found {found:?}", names.join(", ")), help.as_deref())
}

/// The candidate closest to `found`, if one is close enough to be a likely typo.
pub fn suggest<'a>(found: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let found = found.to_lowercase();
    let limit = (found.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let lower = candidate.to_lowercase();
        let distance = if lower == found || lower.replace(['-', ' '], "_") == found.replace(['-', ' '], "_") {
            0
        } else {
            strsim::damerau_levenshtein(&found, &lower)
        };
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

// ---------------------------------------------------------------------------
// Translating serde's errors

/// A serde_yaml error, with the field path serde_path_to_error recorded.
pub(crate) fn from_yaml(file: &str, err: &serde_path_to_error::Error<serde_yaml::Error>) -> DataError {
    let inner = err.inner();
    let mut text = inner.to_string();
    let position = inner.location().map(|l| (l.line(), l.column()));
    if let Some((line, column)) = position {
        let at = format!(" at line {line} column {column}");
        if let Some(i) = text.find(&at) {
            text.replace_range(i..i + at.len(), "");
        }
    }
    let syntax = !text.contains(START) && !KNOWN_STARTS.iter().any(|s| text.contains(s));
    let mut error = classify(&clean_path(err.path()), &text, syntax, "YAML");
    error.file = file.into();
    if let Some((line, column)) = position {
        error.line = Some(line);
        error.column = Some(column);
    }
    error
}

/// A serde_json error, with the field path serde_path_to_error recorded.
pub(crate) fn from_json(file: &str, err: &serde_path_to_error::Error<serde_json::Error>) -> DataError {
    let mut error = from_json_inner(err.inner(), &clean_path(err.path()));
    error.file = file.into();
    error
}

/// A serde_json error with no field path (trailing characters after the document).
pub(crate) fn from_json_plain(file: &str, err: &serde_json::Error) -> DataError {
    let mut error = from_json_inner(err, "");
    error.file = file.into();
    error
}

fn from_json_inner(inner: &serde_json::Error, path: &str) -> DataError {
    let mut text = inner.to_string();
    let at = format!(" at line {} column {}", inner.line(), inner.column());
    if let Some(stripped) = text.strip_suffix(&at) {
        text = stripped.to_string();
    }
    let syntax = inner.is_syntax() || inner.is_eof();
    let mut error = classify(path, &text, syntax, "JSON");
    if inner.line() > 0 {
        error.line = Some(inner.line());
        error.column = Some(inner.column().max(1));
    }
    error
}

/// The path as we print it: empty for the document, no `?` for unknown steps.
fn clean_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    // serde_path_to_error names a segment it cannot name `?` (`action.?`): drop those at
    // the end, by segment, never a `?` or `.` that is part of a key (`b.` is a key of its own).
    let mut segments: Vec<&Segment> = path.iter().collect();
    while matches!(segments.last(), Some(Segment::Unknown)) {
        segments.pop();
    }
    let mut text = String::new();
    for s in segments {
        if !text.is_empty() && !matches!(s, Segment::Seq { .. }) {
            text.push('.');
        }
        text.push_str(&s.to_string());
    }
    text
}

/// The messages serde's derives raise, in the form serde writes them.
const KNOWN_STARTS: [&str; 7] = [
    "unknown field `",
    "missing field `",
    "duplicate field `",
    "unknown variant `",
    "invalid type: ",
    "invalid value: ",
    "invalid length ",
];

/// Splits a raw deserializer message into path, message and help.
fn classify(path: &str, text: &str, syntax: bool, format: &str) -> DataError {
    if let Some(i) = text.find(START) {
        let ours = text.get(i + START.len_utf8()..).unwrap_or("");
        let (message, help) = match ours.split_once(HELP) {
            Some((m, h)) => (m, Some(h.to_string())),
            None => (ours, None),
        };
        return DataError::new(path, message).with_help(help);
    }
    let start = KNOWN_STARTS.iter().filter_map(|s| text.find(s)).min();
    let Some(raw) = start.and_then(|i| text.get(i..)) else {
        let message = if syntax {
            format!("invalid {format}: {}", text.trim())
        } else {
            text.trim().replace("EOF while parsing a value", "the document is empty")
        };
        let message = message.replace("EOF while parsing", "unexpected end of input while parsing");
        return DataError::new(if syntax { "" } else { path }, message);
    };
    if let Some(rest) = raw.strip_prefix("unknown field `").or_else(|| raw.strip_prefix("unknown variant `")) {
        // The name ends at the backtick before serde's ", expected …" / ", there are no …" (a
        // name may itself hold backticks).
        let end =
            [rest.find("`, expected"), rest.find("`, there are no"), rest.rfind('`')].into_iter().flatten().next();
        let (name, expected) = match end {
            Some(i) => (rest.get(..i).unwrap_or(rest), rest.get(i + 1..).unwrap_or("")),
            None => (rest, ""),
        };
        let names = backticked(expected);
        let help = match suggest(name, names.iter().map(String::as_str)) {
            Some(s) => Some(format!("did you mean `{s}`?")),
            None if names.is_empty() => None,
            None => Some(format!("expected one of {}", names.join(", "))),
        };
        // serde_path_to_error already ends the path with the unknown key.
        // (A key may itself hold dots: `.foo` is a whole key, not `` and `foo`.)
        let ends_with_key = path == name || path.strip_suffix(name).is_some_and(|p| p.ends_with('.'));
        let path = if ends_with_key { path.to_string() } else { join_path(path, name) };
        let what = if raw.starts_with("unknown field") { "unknown field" } else { "unknown value" };
        return DataError::new(path, what).with_help(help);
    }
    if let Some(rest) = raw.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or(rest);
        return DataError::new(join_path(path, name), "missing required field");
    }
    if let Some(rest) = raw.strip_prefix("duplicate field `") {
        let name = rest.split('`').next().unwrap_or(rest);
        return DataError::new(join_path(path, name), "field given twice");
    }
    let rest = raw.strip_prefix("invalid type: ").or_else(|| raw.strip_prefix("invalid value: "));
    if let Some((found, expected)) = rest.and_then(|r| r.rsplit_once(", expected ")) {
        return DataError::new(
            path,
            format!(
                "expected {}; found {}",
                human_expected(expected, found.starts_with("integer")),
                human_found(found)
            ),
        );
    }
    DataError::new(path, raw.to_string())
}

/// The names written in backticks in serde's "expected one of `a`, `b`".
fn backticked(text: &str) -> Vec<String> {
    text.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

/// serde's description of what it expected, in words for people; with the
/// range of an integer type when the value found was an integer out of it.
fn human_expected(expected: &str, out_of_range: bool) -> String {
    match expected {
        "u32" if out_of_range => format!("a whole number from 0 to {}", u32::MAX),
        "u64" if out_of_range => format!("a whole number from 0 to {}", u64::MAX),
        "a boolean" => "true or false".to_string(),
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number, 0 or more".to_string(),
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number".to_string(),
        "a string" | "a borrowed string" => "a text".to_string(),
        "a sequence" => "a list".to_string(),
        "a map" => "a mapping of names to values".to_string(),
        e if e.starts_with("struct ") => "a mapping of fields".to_string(),
        e => e.to_string(),
    }
}

/// serde's description of what it found, in words for people.
fn human_found(found: &str) -> String {
    let unquote = |p: &str| found.strip_prefix(p).map(|v| v.trim_matches('`').to_string());
    if let Some(v) = found.strip_prefix("string ") {
        return v.to_string();
    }
    if let Some(v) = unquote("integer ").or_else(|| unquote("floating point ")).or_else(|| unquote("boolean ")) {
        return v;
    }
    match found {
        "map" => "a mapping".to_string(),
        "sequence" => "a list".to_string(),
        "unit value" | "null" => "nothing (null)".to_string(),
        f => f.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An unknown key is named once, whole, even when it holds dots or
    /// backticks (both found by the fuzz harness).
    #[test]
    fn unknown_keys_are_named_whole() {
        for key in ["foo", ".foo", "p`licy", "a.b`c`", "b.", "b..", "?.", "x.?"] {
            let line =
                serde_json::json!({"action": "post", "actor": {"id": "a", "role": "r", "status": "employed"}, key: 1});
            let e = crate::data::action::parse_action_json_line(&line.to_string()).err().map(|e| e.path);
            assert_eq!(e.as_deref(), Some(key), "{key}");
        }
    }

    #[test]
    fn display_leaves_out_missing_parts() {
        let e = DataError::new("actor.role", "unknown role \"consulant\"")
            .with_help(Some("did you mean \"consultant\"?".into()));
        insta::assert_snapshot!(e, @r#"actor.role: unknown role "consulant"; did you mean "consultant"?"#);
        let mut e = e;
        e.file = "a.yaml".into();
        e.line = Some(3);
        e.column = Some(9);
        insta::assert_snapshot!(e, @r#"a.yaml:3:9: actor.role: unknown role "consulant"; did you mean "consultant"?"#);
        let e = DataError { file: Box::default(), line: None, column: Some(12), ..DataError::new("", "x") };
        insta::assert_snapshot!(e, @"column 12: x");
    }

    #[test]
    fn suggestions_need_a_close_match() {
        let names = ["employed", "on_notice", "garden_leave", "departed"];
        assert_eq!(suggest("left", names), None);
        assert_eq!(suggest("departd", names), Some("departed"));
        assert_eq!(suggest("on-notice", names), Some("on_notice"));
        assert_eq!(suggest("Employed", names), Some("employed"));
        assert_eq!(suggest("consulant", ["consultant", "manager"]), Some("consultant"));
    }

    #[test]
    fn joins_paths() {
        assert_eq!(join_path("[2].action", "actor.status"), "[2].action.actor.status");
        assert_eq!(join_path("covenants", "[1]"), "covenants[1]");
        assert_eq!(join_path("", "actor"), "actor");
        assert_eq!(join_path("[0]", ""), "[0]");
    }
}
