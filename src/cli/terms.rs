//! `smpolicy terms`: a contract or an offer, clause by clause.

use super::{load_policy, print_json, read_text, Exit, Out, TextOrJson};
use std::path::PathBuf;

/// Arguments of `terms`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy (an agency's policy, or a candidate's deal-breakers).
    pub policy: PathBuf,
    /// The contract or offer (YAML or JSON; `-` for standard input).
    pub contract: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

/// Runs `terms`.
pub fn run(args: Args, out: Out) -> Exit {
    let Some((file, policy)) = load_policy(&args.policy, out) else { return Exit::Error };
    let Some(text) = read_text(&args.contract) else { return Exit::Error };
    let name = args.contract.display().to_string();
    let contract = match smpolicy::data::contract::parse_contract(&text, &name) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Error;
        }
    };
    let report = smpolicy::eval::terms::check_terms(&policy, &file, &contract);
    match args.format {
        TextOrJson::Json => print_json(&report),
        TextOrJson::Text => print!("{}", smpolicy::eval::terms::text(&report, &file.name)),
    }
    Exit::for_decision(report.verdict)
}
