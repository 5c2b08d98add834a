//! One shape for every problem reported against a policy file, whatever stage
//! found it, and its rendering: `file:line:col`, the source line, a caret and
//! a sentence (via miette's graphical handler), or one line per problem.

use crate::parser::{ParseError, ParseErrors};
use crate::source::{SourceFile, Span};
use serde::Serialize;

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; the policy still works.
    Warning,
    /// The policy cannot be used as written.
    Error,
}

/// A labelled span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What to say there.
    pub message: String,
}

/// A problem in a policy file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable kebab-case code (`unknown-name`, `shadowed-rule`).
    pub code: String,
    /// Error or warning.
    pub severity: Severity,
    /// One sentence in plain words: lowercase start, no final period.
    pub message: String,
    /// The primary label first.
    pub labels: Vec<Label>,
    /// A hint.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error with one label.
    pub fn error(code: &str, message: impl Into<String>, span: Span, label: impl Into<String>) -> Self {
        Diagnostic {
            code: code.to_string(),
            severity: Severity::Error,
            message: message.into(),
            labels: vec![Label { span, message: label.into() }],
            help: None,
        }
    }

    /// A warning with one label.
    pub fn warning(code: &str, message: impl Into<String>, span: Span, label: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, message, span, label) }
    }

    /// Adds a hint.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a secondary label.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label { span, message: message.into() });
        self
    }

    /// The primary span.
    pub fn span(&self) -> Span {
        self.labels.first().map_or(Span::default(), |l| l.span)
    }
}

impl From<&ParseError> for Diagnostic {
    fn from(e: &ParseError) -> Self {
        use miette::Diagnostic as _;
        let code = e.code().map(|c| c.to_string()).unwrap_or_default();
        let code = code.rsplit("::").next().unwrap_or("syntax").replace('_', "-");
        let labels = e
            .labels()
            .map(|ls| {
                ls.map(|l| Label {
                    span: Span::new(l.offset(), l.offset() + l.len()),
                    message: l.label().unwrap_or("").to_string(),
                })
                .collect()
            })
            .unwrap_or_default();
        Diagnostic {
            code,
            severity: Severity::Error,
            message: e.to_string(),
            labels,
            help: e.help().map(|h| h.to_string()),
        }
    }
}

/// All the diagnostics of a parse failure.
pub fn from_parse_errors(errors: &ParseErrors) -> Vec<Diagnostic> {
    errors.errors.iter().map(Diagnostic::from).collect()
}

/// A miette view of a diagnostic against its file.
#[derive(Debug)]
struct Rendered<'a> {
    d: &'a Diagnostic,
    src: crate::source::Window<'a>,
}

impl std::fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        Some(Box::new(format!("{}[{}]", severity_word(self.d.severity), self.d.code)))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.d.help.as_ref().map(|h| Box::new(h.as_str()) as Box<dyn std::fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        Some(Box::new(self.d.labels.iter().enumerate().map(|(i, l)| {
            let text = (!l.message.is_empty()).then(|| l.message.clone());
            if i == 0 {
                miette::LabeledSpan::new_primary_with_span(text, l.span)
            } else {
                miette::LabeledSpan::new_with_span(text, l.span)
            }
        })))
    }
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// How to render diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    /// ANSI colours.
    pub color: bool,
    /// Terminal width.
    pub width: usize,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions { color: false, width: 100 }
    }
}

/// Renders a diagnostic with the source line and a caret under the problem.
pub fn render(d: &Diagnostic, file: &SourceFile, opts: RenderOptions) -> String {
    let theme = if opts.color { miette::GraphicalTheme::unicode() } else { miette::GraphicalTheme::unicode_nocolor() };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(opts.width).with_links(false);
    let rendered = Rendered { d, src: file.window() };
    let mut out = String::new();
    if handler.render_report(&mut out, &rendered).is_err() {
        out = short(d, file);
    }
    out
}

/// One line: `file:line:col: error[code]: message`.
pub fn short(d: &Diagnostic, file: &SourceFile) -> String {
    let (line, col) = file.line_col(d.span().start);
    format!("{}:{}:{}: {}[{}]: {}", file.name, line, col, severity_word(d.severity), d.code, d.message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_file_line_col_caret_and_message() {
        let file = SourceFile::new("x.policy", "policy \"x\"\nroles consulant\n");
        let d = Diagnostic::error("unknown-name", "unknown role `consulant`", Span::new(17, 26), "not declared")
            .with_help("did you mean `consultant`?");
        let out = render(&d, &file, RenderOptions { color: false, width: 80 });
        assert!(out.contains("x.policy:2:7"), "{out}");
        assert!(out.contains("roles consulant"), "{out}");
        assert!(out.contains("did you mean"), "{out}");
        assert_eq!(short(&d, &file), "x.policy:2:7: error[unknown-name]: unknown role `consulant`");
    }
}
