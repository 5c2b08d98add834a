//! `smpolicy log`: reads the decision service's audit log.

use super::{Exit, Out};
use smpolicy::serve::log::{Filter, Kind, Location, LogError, Stored};
use std::io::Write;

/// Output formats of `log`.
#[derive(Debug, Clone, Copy, clap::ValueEnum, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// One line an entry.
    #[default]
    Text,
    /// JSON Lines: one object an entry, with the action as sent.
    Json,
}

/// Arguments of `log`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Args {
    /// `verify`: check the hash chain.
    #[command(subcommand)]
    pub command: Option<LogCommand>,
    /// The audit log: a SQLite file or a PostgreSQL URL.
    #[arg(long, value_name = "PATH|URL", required = true)]
    pub log: Option<String>,
    /// Only this actor (`actor.id`; compared as the service keeps it: trimmed, lowercase).
    #[arg(long, value_name = "ID")]
    pub actor: Option<String>,
    /// Only entries recorded on or after this date (`2026-03-14`, UTC) or time (`2026-03-14T10:00:00Z`).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub format: LogFormat,
}

/// Subcommands of `log`.
#[derive(Debug, clap::Subcommand)]
pub enum LogCommand {
    /// Check that no entry was edited, deleted or moved: each entry's hash
    /// chains it to the one before. Prints the chain's head (the last hash):
    /// keep it elsewhere, and compare it later to notice a cut tail.
    /// Exits 0 when the chain holds, 3 when it is broken, 1 on an error.
    Verify {
        /// The audit log: a SQLite file or a PostgreSQL URL.
        #[arg(long, value_name = "PATH|URL")]
        log: String,
    },
}

fn since_ms(s: &str) -> Option<i64> {
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Some(t.as_millisecond());
    }
    let d = s.parse::<jiff::civil::Date>().ok()?;
    d.to_zoned(jiff::tz::TimeZone::UTC).ok().map(|z| z.timestamp().as_millisecond())
}

/// Every decision in the audit log at `at`, one action a line (for `diff --replay`); errors are printed.
pub fn decided_actions(at: &str) -> Option<Vec<String>> {
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return None;
        }
    };
    match rt.block_on(smpolicy::serve::log::decided_actions(&Location::parse(at), &Filter::default())) {
        Ok(lines) => Some(lines),
        Err(e) => {
            eprintln!("error: {e}");
            None
        }
    }
}

fn runtime() -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => Some(rt),
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            None
        }
    }
}

fn exists(location: &Location) -> bool {
    match location {
        Location::Sqlite(p) if !p.exists() => {
            eprintln!("error: no audit log at `{}`", p.display());
            false
        }
        _ => true,
    }
}

/// `log verify`.
fn verify(log: &str) -> Exit {
    let location = Location::parse(log);
    if !exists(&location) {
        return Exit::Error;
    }
    let Some(rt) = runtime() else { return Exit::Error };
    match rt.block_on(smpolicy::serve::log::verify(&location)) {
        Ok(v) => {
            for b in &v.breaks {
                println!("broken: {b}");
            }
            let unchained = if v.unchained > 0 {
                format!(" ({} written before the log was chained, not checked)", v.unchained)
            } else {
                String::new()
            };
            if v.breaks.is_empty() {
                println!(
                    "ok: {} entries{unchained}; chain head {}",
                    v.entries,
                    if v.head.is_empty() { "(none)" } else { &v.head }
                );
                Exit::Ok
            } else {
                println!("the chain is broken at {} of {} entries{unchained}", v.breaks.len(), v.entries);
                Exit::CheckFailed
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            Exit::Error
        }
    }
}

fn text_line(e: &smpolicy::serve::log::Entry) -> String {
    let what = match e.kind {
        Kind::Decision => format!(
            "{} {} [{}]",
            e.verdict.as_deref().unwrap_or("?"),
            e.policy.as_deref().unwrap_or("?"),
            e.deciding.join(", ")
        ),
        Kind::Performed => match &e.decision_id {
            Some(d) => format!("performed (decision {d})"),
            None => "performed".to_string(),
        },
        Kind::Approval => format!("approved (decision {})", e.decision_id.as_deref().unwrap_or("?")),
    };
    match &e.caller {
        Some(c) => format!("{}  {}  {}  {}  {what}  by {c}", e.recorded_at(), e.id, e.actor, e.action),
        None => format!("{}  {}  {}  {}  {what}", e.recorded_at(), e.id, e.actor, e.action),
    }
}

/// Runs `log`: the entries, oldest first, written out as they are read (flat memory).
pub fn run(args: Args, _out: Out) -> Exit {
    if let Some(LogCommand::Verify { log }) = &args.command {
        return verify(log);
    }
    let Some(log) = &args.log else {
        eprintln!("error: --log is required");
        return Exit::Error;
    };
    let since = match &args.since {
        Some(s) => match since_ms(s) {
            Some(ms) => Some(ms),
            None => {
                eprintln!("error: --since: expected a date such as `2026-03-14` or a time such as `2026-03-14T10:00:00Z`; found `{s}`");
                return Exit::Error;
            }
        },
        None => None,
    };
    let location = Location::parse(log);
    if !exists(&location) {
        return Exit::Error;
    }
    let Some(rt) = runtime() else { return Exit::Error };
    let actor = args.actor.as_deref().map(|a| smpolicy::serve::api::normalize_actor(a).unwrap_or_default());
    let filter = Filter { actor, since_ms: since };
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    let format = args.format;
    let mut write = |s: Stored| -> Result<(), LogError> {
        let mut e = s.entry;
        e.kind = Kind::parse(&s.kind).ok_or_else(|| LogError(format!("entry {}: unknown kind `{}`", e.id, s.kind)))?;
        let line = match format {
            LogFormat::Json => e.to_json().to_string(),
            LogFormat::Text => text_line(&e),
        };
        writeln!(w, "{line}").map_err(|e| LogError(format!("cannot write: {e}")))
    };
    let result = rt.block_on(smpolicy::serve::log::scan(&location, &filter, &mut write));
    let flushed = w.flush();
    match (result, flushed) {
        (Ok(()), Ok(())) => Exit::Ok,
        // A closed pipe (`| head`) is not an error.
        (Err(e), _) if e.0.contains("Broken pipe") => Exit::Ok,
        (_, Err(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Ok,
        (Err(e), _) => {
            eprintln!("error: {e}");
            Exit::Error
        }
        (Ok(()), Err(e)) => {
            eprintln!("error: cannot write: {e}");
            Exit::Error
        }
    }
}
