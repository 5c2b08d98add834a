//! The `smpolicy` binary: parse the command line, run it, exit with its code.
//! Usage errors exit 1 (clap's own 2 would read as "deny").

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
    std::process::ExitCode::from(cli::run(cli) as u8)
}
