//! `smpolicy eval`: one action, or JSON Lines in batch.

mod batch;

use super::{load_versions, print_json, read_text, Exit, Format, Out};
use smpolicy::data::action::{parse_action, Action};
use smpolicy::data::error::DataError;
use smpolicy::eval::explain::{self, ExplainOptions};
use smpolicy::eval::EvalOptions;
use smpolicy::versions::Versions;
use std::path::PathBuf;

/// Arguments of `eval`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy.
    pub policy: PathBuf,
    /// The action (YAML or JSON; `-` for standard input). With --batch, JSON Lines (default: standard input).
    pub action: Option<PathBuf>,
    /// Output format (not with --batch, which writes JSON Lines).
    #[arg(long, value_enum, default_value_t = Format::Text, conflicts_with = "batch")]
    pub format: Format,
    /// Also list the clauses that did not apply, each with the first condition that failed (not with --batch).
    #[arg(long, conflicts_with = "batch")]
    pub why_not: bool,
    /// List every clause considered, also those about another action or channel (else they are only counted;
    /// not with --batch).
    #[arg(long, conflicts_with = "batch")]
    pub all: bool,
    /// JSON Lines in, JSON Lines out; a bad line gives an error record and the run goes on. Lines longer than
    /// 1 MiB are refused (an error record each).
    #[arg(long)]
    pub batch: bool,
    /// With --batch, also explain each verdict (summary, obligations, advice, law notes, missing facts); slower.
    #[arg(long, requires = "batch", conflicts_with = "full")]
    pub explain: bool,
    /// With --batch, write each verdict in full (every clause's tests) rather than the decision record.
    #[arg(long, requires = "batch")]
    pub full: bool,
    /// The time used when an action gives no `at`: `2026-03-01T09:00:00Z`, or `2026-03-01` for its midnight in the
    /// policy's timezone; the current time by default.
    #[arg(long)]
    pub now: Option<super::Now>,
    /// Show the policy's own view, with no rule of law applied (labelled as such): a clause the law sets aside
    /// for this actor on this date then decides as written. Not what binds the employee.
    #[arg(long)]
    pub as_written: bool,
}

/// The declared names an action is checked against: those of the version
/// that binds its actor ([`Versions::validate`]).
pub fn validate(action: &Action, versions: &Versions) -> Vec<DataError> {
    versions.validate(action)
}

/// Runs `eval`.
pub fn run(args: Args, out: Out) -> Exit {
    let Some(mut versions) = load_versions(&args.policy, out) else { return Exit::Error };
    if args.as_written {
        for v in &mut versions.versions {
            v.policy = smpolicy::law::as_written(&v.policy);
        }
    }
    let Some(newest) = versions.newest() else { return Exit::Error };
    let policy = &newest.policy;
    let opts = EvalOptions { now: super::Now::or_current(args.now, policy) };
    if args.batch {
        return batch::run(&args, &versions, &opts);
    }
    let path = args.action.clone().unwrap_or_else(|| PathBuf::from("-"));
    let Some(text) = read_text(&path) else { return Exit::Error };
    let name = if path.as_os_str() == "-" { "<stdin>".to_string() } else { path.display().to_string() };
    let action = match parse_action(&text, &name) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Error;
        }
    };
    let errors = validate(&action, &versions);
    if !errors.is_empty() {
        for e in errors {
            eprintln!("error: {}", e.locate(&name, &text));
        }
        return Exit::Error;
    }
    // The version that binds this actor decides (the newest, unless the policy binds at contract).
    let Some((mut v, version)) = versions.evaluate(&action, &opts) else { return Exit::Error };
    let file = &version.file;
    v.as_written = args.as_written;
    let eo = ExplainOptions { why_not: args.why_not, all: args.all };
    match args.format {
        Format::Text => print!("{}", paint(explain::text(&v, &file.name, eo), v.verdict, out)),
        Format::Markdown => print!("{}", explain::markdown(&v, &file.name, eo)),
        Format::Json => print_json(&v),
    }
    Exit::for_decision(v.verdict)
}

/// Colours the verdict line on a terminal: deny red, require-approval yellow,
/// allow green, indeterminate magenta. Plain when piped or under NO_COLOR.
fn paint(text: String, d: smpolicy::eval::Decision, out: Out) -> String {
    if !out.color {
        return text;
    }
    let code = match d {
        smpolicy::eval::Decision::Deny => "31",
        smpolicy::eval::Decision::RequireApproval => "33",
        smpolicy::eval::Decision::Allow => "32",
        smpolicy::eval::Decision::Indeterminate => "35",
    };
    match text.split_once('\n') {
        Some((first, rest)) => format!("\x1b[1;{code}m{first}\x1b[0m\n{rest}"),
        None => text,
    }
}
