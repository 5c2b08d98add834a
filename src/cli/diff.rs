//! `smpolicy diff`: what changes between two versions of a policy, with a
//! witness action for each change; optionally a replay of real actions and a
//! failing exit code when a change goes one way.

use super::{load_policy, print_json, read_text_up_to, Exit, Format, Out};
use clap::ValueEnum;
use smpolicy::diff::{self, DiffOptions, Direction, Replay, ReplayReport};
use smpolicy::eval::EvalOptions;
use smpolicy::policy::Policy;
use smpolicy::source::SourceFile;
use std::path::{Path, PathBuf};

/// Which changes make `diff` fail (exit 3).
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FailOn {
    /// A change to a more restrictive outcome (deny > require-approval > allow; more obligations).
    Stricter,
    /// A change to a less restrictive outcome.
    Looser,
    /// Any behavioural change (including to or from indeterminate).
    Any,
}

/// Arguments of `diff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The old version of the policy.
    pub old: PathBuf,
    /// The new version of the policy.
    pub new: PathBuf,
    /// Output format (markdown fits a pull-request comment).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also re-decide a history of real actions under both versions: JSON Lines (`-` for standard input), or the
    /// decision service's audit log (a SQLite file or a PostgreSQL URL), whose decisions are replayed.
    #[arg(long, value_name = "ACTIONS.jsonl|LOG")]
    pub replay: Option<PathBuf>,
    /// Exit 3 when a behavioural change goes this way.
    #[arg(long, value_enum, value_name = "WHICH")]
    pub fail_on: Option<FailOn>,
    /// The time standing for actions without `at` (`2026-03-01T09:00:00Z`, or `2026-03-01` for its midnight in the
    /// new version's timezone); by default noon on the new version's effective date for the analysis, and the
    /// current time for a replay.
    #[arg(long)]
    pub now: Option<super::Now>,
    /// Stop the search after this many sets of situations, so that two unrelated policies are compared in
    /// seconds and bounded memory; a search cut short names the kinds of action it did not finish, and
    /// `--fail-on` then fails. `0` searches everything.
    #[arg(long, value_name = "N", default_value_t = diff::DEFAULT_MAX_NODES)]
    pub max_nodes: usize,
}

/// Runs `diff`.
pub fn run(args: Args, out: Out) -> Exit {
    let Some((of, op)) = load_policy(&args.old, out) else { return Exit::Error };
    let Some((nf, np)) = load_policy(&args.new, out) else { return Exit::Error };
    let now = args.now.map(|n| n.at(&np));
    let max_nodes = (args.max_nodes > 0).then_some(args.max_nodes);
    let report = super::progress::run("searching the situations (nodes)", |work| {
        diff::diff_cancellable((&of, &op), (&nf, &np), &DiffOptions { now, max_nodes }, work)
    });
    // Nothing cancels the CLI's work: a report is always whole.
    let Some(report) = report else { return Exit::Error };
    let replayed = match &args.replay {
        Some(path) => {
            let now = now.unwrap_or_else(jiff::Timestamp::now);
            match replay(path, (&of, &op), (&nf, &np), now) {
                Some(r) => Some(r),
                None => return Exit::Error,
            }
        }
        None => None,
    };
    match args.format {
        Format::Text => print!("{}", diff::render::text(&report, replayed.as_ref())),
        Format::Markdown => print!("{}", diff::render::markdown(&report, replayed.as_ref())),
        Format::Json => {
            // Through a `Value`, as before: its keys come out in alphabetical order.
            let v = serde_json::to_value(diff::DiffJson { report: &report, replay: replayed.as_ref() });
            print_json(&v.unwrap_or_default());
        }
    }
    let failing = match args.fail_on {
        None => false,
        Some(FailOn::Stricter) => report.has(Some(Direction::Stricter)),
        Some(FailOn::Looser) => report.has(Some(Direction::Looser)),
        Some(FailOn::Any) => report.has(None),
    };
    // A search cut short cannot tell that no change goes that way: never pass it.
    let unsure = args.fail_on.is_some() && !report.unsearched.is_empty();
    if unsure && !failing {
        eprintln!(
            "smpolicy: --fail-on: the search did not finish ({}); a change may be missing, so this fails \
             (raise --max-nodes, or 0 for no limit)",
            report.unsearched.join(", ")
        );
    }
    if failing || unsure {
        Exit::CheckFailed
    } else {
        Exit::Ok
    }
}

/// The history's text: the file, or the decisions of an audit log, one action a line.
fn history(path: &Path) -> Option<String> {
    #[cfg(feature = "server")]
    if let Some(at) = path.to_str().filter(|p| smpolicy::serve::log::is_audit_log(p)) {
        return super::log::decided_actions(at).map(|lines| lines.join("\n"));
    }
    read_text_up_to(path, MAX_HISTORY)
}

/// The largest history `--replay` reads from a file: 1 GiB (it is held whole).
const MAX_HISTORY: u64 = 1 << 30;

/// Re-decides every line of a JSON Lines history. A line that does not parse,
/// or names a value neither version declares, is counted as unreadable.
fn replay(
    path: &Path,
    old: (&SourceFile, &Policy),
    new: (&SourceFile, &Policy),
    now: jiff::Timestamp,
) -> Option<ReplayReport> {
    let text = history(path)?;
    let mut r = Replay::new(old, new, EvalOptions { now });
    for (i, line) in text.lines().enumerate() {
        if !line.trim().is_empty() {
            r.line(i + 1, line);
        }
    }
    Some(r.finish())
}
