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

use clap::Parser as _;

fn main() -> std::process::ExitCode {
    let cli = match cli::Cli::try_parse() {
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
