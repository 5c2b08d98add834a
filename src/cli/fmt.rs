//! `smpolicy fmt`: canonical formatting, in place or as a check.

use super::{print_diagnostics, read_source, ErrorFormat, Exit, Out};
use std::path::PathBuf;

/// Arguments of `fmt`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Policy files (`-` formats standard input to standard output; with `--check`, checks it).
    #[arg(required = true)]
    pub policies: Vec<PathBuf>,
    /// Change nothing; exit 3 if any file is not canonically formatted.
    #[arg(long)]
    pub check: bool,
}

/// Runs `fmt`.
pub fn run(args: Args, out: Out) -> Exit {
    let mut exit = Exit::Ok;
    for path in &args.policies {
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
        if path.as_os_str() == "-" && !args.check {
            print!("{formatted}");
        } else if formatted != *file.text {
            if args.check {
                eprintln!("{}: not formatted", path.display());
                if exit == Exit::Ok {
                    exit = Exit::CheckFailed;
                }
            } else if let Err(e) = std::fs::write(path, &formatted) {
                eprintln!("error: cannot write `{}`: {e}", path.display());
                exit = Exit::Error;
            } else {
                eprintln!("{}: formatted", path.display());
            }
        }
    }
    exit
}
