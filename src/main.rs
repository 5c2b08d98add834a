//! The `smpolicy` binary: parse the command line, run it, exit with its code.
//! Usage errors exit 1 (clap's own 2 would read as "deny").

// Every `print!`/`println!` in the CLI goes through [`cli::stdout`], which
// never panics: a reader that went away (`smpolicy diff A B | head -1`) ends
// the output quietly and the exit code stays the verdict's; any other write
// error is reported once at the end and exits 1. These shadow the standard
// macros for every module below (macro_rules scope is textual).
macro_rules! print {
    ($($t:tt)*) => { $crate::cli::stdout::print(format_args!($($t)*)) };
}
macro_rules! println {
    () => { $crate::cli::stdout::print(format_args!("\n")) };
    ($($t:tt)*) => { $crate::cli::stdout::print(format_args!("{}\n", format_args!($($t)*))) };
}
// The same for standard error, whose failure has nowhere to be reported.
macro_rules! eprintln {
    () => { $crate::cli::stdout::eprint(format_args!("\n")) };
    ($($t:tt)*) => { $crate::cli::stdout::eprint(format_args!("{}\n", format_args!($($t)*))) };
}

mod cli;

/// The allocator of the binary (see Cargo.toml: glibc's malloc and free were a
/// tenth of the service's CPU under load).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{CommandFactory as _, FromArgMatches as _};

/// The `--color` given (the last one), read before clap parses, so that
/// clap's own messages (usage errors, `--help`) follow it too.
fn color_flag() -> clap::ColorChoice {
    let mut choice = clap::ColorChoice::Auto;
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        let arg = arg.to_string_lossy().into_owned();
        if arg == "--" {
            break;
        }
        let value = match arg.strip_prefix("--color") {
            Some("") => args.next().map(|v| v.to_string_lossy().into_owned()),
            Some(v) => v.strip_prefix('=').map(str::to_string),
            None => None,
        };
        match value.as_deref() {
            Some("always") => choice = clap::ColorChoice::Always,
            Some("never") => choice = clap::ColorChoice::Never,
            Some("auto") => choice = clap::ColorChoice::Auto,
            _ => {}
        }
    }
    choice
}

fn main() -> std::process::ExitCode {
    let parsed = cli::Cli::command()
        .color(color_flag())
        .try_get_matches()
        .and_then(|mut m| cli::Cli::from_arg_matches_mut(&mut m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            let code = if e.use_stderr() { cli::Exit::Error } else { cli::Exit::Ok };
            return std::process::ExitCode::from(code as u8);
        }
    };
    let code = cli::run(cli);
    std::process::ExitCode::from(cli::stdout::finish(code) as u8)
}
