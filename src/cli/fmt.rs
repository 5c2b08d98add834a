//! `smpolicy fmt`: canonical formatting, in place or as a check.

use super::{print_diagnostics, read_source, ErrorFormat, Exit, Out};
use std::path::PathBuf;

/// Arguments of `fmt`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Policy files, or directories (every `.policy` file under them); `-` formats standard input to standard
    /// output.
    #[arg(required = true)]
    pub policies: Vec<PathBuf>,
    /// Change nothing; exit 3 if any file (or standard input) is not canonically formatted.
    #[arg(long)]
    pub check: bool,
    /// With --check, print what would change as a unified diff on standard output.
    #[arg(long, requires = "check")]
    pub diff: bool,
}

/// Runs `fmt`.
pub fn run(args: Args, out: Out) -> Exit {
    let Some(paths) = super::check::expand(&args.policies) else { return Exit::Error };
    let mut exit = Exit::Ok;
    for path in &paths {
        let Some(file) = read_source(path) else {
            exit = Exit::Error;
            continue;
        };
        let formatted = match smpolicy::fmt::format_policy(&file) {
            Ok(f) => f,
            Err(e) => {
                print_diagnostics(&smpolicy::diagnostic::from_parse_errors(&e), &file, out, ErrorFormat::Human);
                exit = Exit::Error;
                continue;
            }
        };
        let stdin = path.as_os_str() == "-";
        let name = if stdin { "<stdin>".to_string() } else { path.display().to_string() };
        if args.check {
            if formatted != *file.text {
                eprintln!("{name}: not formatted");
                if args.diff {
                    print!("{}", unified_diff(&file.text, &formatted, &name));
                }
                if exit == Exit::Ok {
                    exit = Exit::CheckFailed;
                }
            }
        } else if stdin {
            print!("{formatted}");
        } else if formatted != *file.text {
            if let Err(e) = std::fs::write(path, &formatted) {
                eprintln!("error: cannot write `{}`: {e}", path.display());
                exit = Exit::Error;
            } else {
                eprintln!("{}: formatted", path.display());
            }
        }
    }
    exit
}

/// What formatting would change, as `diff -u` prints it (three lines of context).
fn unified_diff(old: &str, new: &str, name: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(name, &format!("{name} (formatted)"))
        .missing_newline_hint(true)
        .to_string()
}
