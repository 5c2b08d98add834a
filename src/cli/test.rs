//! `smpolicy test`: expected-verdict cases with coverage.

use super::{print_json, read_text, Exit, Out, TextOrJson};
use std::path::PathBuf;

/// Arguments of `test`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy.
    pub policy: PathBuf,
    /// Test files (YAML). Without any, NAME.tests.yaml next to the policy.
    pub tests: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
    /// The time used for cases that give no `at` (`2026-03-01T09:00:00Z`, or `2026-03-01` for its midnight in the
    /// policy's timezone); the current time by default.
    #[arg(long)]
    pub now: Option<super::Now>,
}

/// Runs `test`.
pub fn run(args: Args, out: Out) -> Exit {
    let Some(versions) = super::load_versions(&args.policy, out) else { return Exit::Error };
    let Some(policy) = versions.newest().map(|v| &v.policy) else { return Exit::Error };
    let tests = if args.tests.is_empty() { vec![args.policy.with_extension("tests.yaml")] } else { args.tests.clone() };
    let opts = smpolicy::eval::EvalOptions { now: super::Now::or_current(args.now, policy) };
    let mut failed = 0;
    for path in &tests {
        let Some(text) = read_text(path) else { return Exit::Error };
        let cases = match smpolicy::data::testcase::parse_tests(&text, &path.display().to_string()) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: {e}");
                return Exit::Error;
            }
        };
        // An empty (or emptied) file would report "0 passed, 0 failed" and exit 0.
        if cases.is_empty() {
            eprintln!("error: `{}` has no test cases", path.display());
            return Exit::Error;
        }
        // An action names only what the policy declares, as `eval` requires:
        // an undeclared channel or action would otherwise match no clause.
        let undeclared = cases.iter().find_map(|c| match &c.subject {
            smpolicy::data::Subject::Action(a) => super::eval::validate(a, &versions)
                .into_iter()
                .next()
                .map(|e| e.within(&format!("[{}].action", c.index)).locate(&path.display().to_string(), &text)),
            smpolicy::data::Subject::Contract(_) => None,
        });
        if let Some(e) = undeclared {
            eprintln!("error: {e}");
            return Exit::Error;
        }
        let report = super::progress::run("test cases", |work| {
            smpolicy::eval::suite::run_versions(&versions, &cases, &opts, work)
        });
        let Some(report) = report else { return Exit::Error };
        failed += report.failed;
        match args.format {
            TextOrJson::Json => print_json(&report),
            TextOrJson::Text => {
                if tests.len() > 1 {
                    println!("# {}", path.display());
                }
                print!("{}", smpolicy::eval::suite::text(&report));
            }
        }
    }
    if failed > 0 {
        Exit::CheckFailed
    } else {
        Exit::Ok
    }
}
