//! `smpolicy compare`: employers' policies side by side for a candidate, with
//! the verdicts of a scenario pack, scores with their rubric, and optionally
//! the candidate's deal-breakers and jurisdiction.

use super::{load_policy, read_text, Exit, Out};
use smpolicy::compare::{self, pack, CompareOptions};
use std::path::PathBuf;

/// Output formats of `compare` (HTML on top of the usual three).
#[derive(Debug, Clone, Copy, clap::ValueEnum, PartialEq, Eq, Default)]
pub enum CompareFormat {
    /// A terminal report.
    #[default]
    Text,
    /// JSON (`smpolicy.compare/1`), every cell with its full verdict.
    Json,
    /// Markdown, with the rubric and every explanation under an anchor.
    Markdown,
    /// One self-contained HTML page (no scripts, nothing fetched), printable.
    Html,
}

/// Arguments of `compare`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The employers' policies (at least two, or one with --against).
    #[arg(required = true)]
    pub policies: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CompareFormat::Text)]
    pub format: CompareFormat,
    /// Your deal-breakers: a policy with a `terms` section; shows where each employer breaks them.
    #[arg(long, value_name = "MY.policy")]
    pub against: Option<PathBuf>,
    /// A scenario pack (YAML or JSON list of {id, title, group, action}) instead of the shipped one.
    #[arg(long, value_name = "FILE")]
    pub pack: Option<PathBuf>,
    /// You would supervise others: in the US, NLRA §7 protects only non-supervisors' posts about
    /// pay, so clauses restricting them decide for you.
    #[arg(long)]
    pub supervisor: bool,
    /// The role you would hold (as a policy declares it, e.g. `recruitment_consultant`): under a
    /// policy that names it, the situations are yours, so its role-limited clauses apply.
    #[arg(long, value_name = "ROLE")]
    pub role: Option<String>,
    /// Your jurisdiction (UK, US-CA, DE, ...): covenant law notes are read for it.
    #[arg(long, value_name = "CODE")]
    pub jurisdiction: Option<String>,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The time used for situations that give no `at` (`2026-03-01T09:00:00Z`, or `2026-03-01` for its midnight in
    /// the first policy's timezone); the current time by default.
    #[arg(long)]
    pub now: Option<super::Now>,
}

/// `us-ca` → `US-CA`, as the data contract reads `actor.jurisdiction`.
fn jurisdiction(code: &str) -> Option<String> {
    smpolicy::data::parse_jurisdiction(code.trim()).ok()
}

/// Runs `compare`.
pub fn run(args: Args, out: Out) -> Exit {
    if args.policies.len() < 2 && args.against.is_none() {
        eprintln!("error: compare needs at least two policies, or one with --against MY.policy");
        return Exit::Error;
    }
    let mut policies = Vec::new();
    for p in &args.policies {
        let Some(loaded) = load_policy(p, out) else { return Exit::Error };
        if loaded.1.is_candidates_own() {
            eprintln!(
                "error: `{}` is a candidate's deal-breakers (only a `terms` section), not an employer's policy; \
                 check the employers against it with --against {}",
                p.display(),
                p.display()
            );
            return Exit::Error;
        }
        policies.push(loaded);
    }
    let against = match &args.against {
        Some(p) => {
            let Some(loaded) = load_policy(p, out) else { return Exit::Error };
            if loaded.1.terms.is_empty() {
                eprintln!("error: `{}` has no `terms` section: there are no deal-breakers to check", p.display());
                return Exit::Error;
            }
            Some(loaded)
        }
        None => None,
    };
    let chosen = match &args.pack {
        Some(p) => {
            let Some(text) = read_text(p) else { return Exit::Error };
            match pack::parse_pack(&text, &p.display().to_string()) {
                Ok(pk) if pk.situations.is_empty() => {
                    eprintln!("error: `{}` has no situations", p.display());
                    return Exit::Error;
                }
                Ok(pk) => Some(pk),
                Err(e) => {
                    eprintln!("error: {e}");
                    return Exit::Error;
                }
            }
        }
        None => {
            if let Some(e) = pack::shipped_error() {
                eprintln!("error: the shipped scenario pack does not parse (please report): {e}");
                return Exit::Error;
            }
            None
        }
    };
    let jurisdiction = match &args.jurisdiction {
        Some(code) => match jurisdiction(code) {
            Some(j) => Some(j),
            None => {
                eprintln!("error: --jurisdiction: expected a code such as `UK`, `US-CA` or `DE`; found `{code}`");
                return Exit::Error;
            }
        },
        None => None,
    };
    let now = match (args.now, policies.first()) {
        (Some(n), Some((_, p))) => Some(n.at(p)),
        _ => None,
    };
    let opts = CompareOptions {
        pack: chosen,
        against,
        jurisdiction,
        // Not said: the library reads the candidate as a non-supervisory employee
        // (`compare::as_candidate`), as the service does.
        supervisor: args.supervisor.then_some(true),
        role: args.role.clone(),
        now,
    };
    let c =
        super::progress::run("policies and situations", |work| compare::compare_cancellable(&policies, &opts, work));
    // Nothing cancels the CLI's work: a comparison is always whole.
    let Some(c) = c else { return Exit::Error };
    let report = match args.format {
        CompareFormat::Text => compare::render::text(&c),
        CompareFormat::Markdown => compare::render::markdown(&c),
        CompareFormat::Html => compare::html::html(&c),
        CompareFormat::Json => match serde_json::to_string_pretty(&c) {
            Ok(s) => format!("{s}\n"),
            Err(e) => {
                eprintln!("error: cannot write JSON: {e}");
                return Exit::Error;
            }
        },
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, report) {
                eprintln!("error: cannot write `{}`: {e}", path.display());
                return Exit::Error;
            }
        }
        None => print!("{report}"),
    }
    Exit::Ok
}

#[cfg(test)]
mod tests {
    use super::jurisdiction;

    #[test]
    fn jurisdiction_codes() {
        assert_eq!(jurisdiction("us-ca").as_deref(), Some("US-CA"));
        assert_eq!(jurisdiction("UK").as_deref(), Some("UK"));
        assert_eq!(jurisdiction("California"), None);
        assert_eq!(jurisdiction("US-"), None);
    }
}
