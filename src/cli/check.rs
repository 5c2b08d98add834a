//! `smpolicy check`: parse, type-check and lint policies.

use super::{print_diagnostics, read_source, ErrorFormat, Exit, Out};
use smpolicy::diagnostic::Severity;
use std::path::PathBuf;

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Policy files.
    #[arg(required_unless_present = "explain")]
    pub policies: Vec<PathBuf>,
    /// Treat these warning codes as errors (repeatable).
    #[arg(long = "deny", value_name = "CODE")]
    pub deny: Vec<String>,
    /// Treat every warning as an error.
    #[arg(long)]
    pub strict: bool,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    pub error_format: ErrorFormat,
    /// Explain a diagnostic code and exit.
    #[arg(long, value_name = "CODE")]
    pub explain: Option<String>,
}

/// Runs `check`.
pub fn run(args: Args, out: Out) -> Exit {
    if let Some(code) = &args.explain {
        return match smpolicy::check::explain_code(code) {
            Some(text) => {
                println!("{code}: {text}");
                Exit::Ok
            }
            None => {
                eprintln!("error: no diagnostic is called `{code}`");
                Exit::Error
            }
        };
    }
    // A misspelt `--deny` code would silently deny nothing: refuse it.
    for code in &args.deny {
        if smpolicy::check::explain_code(code).is_none() {
            let near = smpolicy::schema::suggest(code, smpolicy::check::codes());
            let hint = near.map(|n| format!("; did you mean `{n}`?")).unwrap_or_default();
            eprintln!("error: `--deny {code}`: no diagnostic is called `{code}`{hint}");
            return Exit::Error;
        }
    }
    let mut failed = false;
    let mut io_error = false;
    let (mut n_err, mut n_warn) = (0usize, 0usize);
    for path in &args.policies {
        let Some(file) = read_source(path) else {
            io_error = true;
            continue;
        };
        let mut diags = match smpolicy::check::check_source(&file) {
            Ok((_, report)) => report.diagnostics,
            Err(diags) => diags,
        };
        for d in &mut diags {
            if d.severity == Severity::Warning && (args.strict || args.deny.contains(&d.code)) {
                d.severity = Severity::Error;
            }
        }
        let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
        n_err += errors;
        n_warn += diags.len() - errors;
        failed |= errors > 0;
        print_diagnostics(&diags, &file, out, args.error_format);
    }
    let files = args.policies.len();
    eprintln!(
        "checked {files} file{}: {n_err} error{}, {n_warn} warning{}",
        if files == 1 { "" } else { "s" },
        if n_err == 1 { "" } else { "s" },
        if n_warn == 1 { "" } else { "s" }
    );
    if io_error {
        Exit::Error
    } else if failed {
        Exit::CheckFailed
    } else {
        Exit::Ok
    }
}
