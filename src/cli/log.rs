//! `smpolicy log`: reads the decision service's audit log.

use super::{Exit, Out};
use smpolicy::serve::log::{Filter, Kind, Location, Store};

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
pub struct Args {
    /// The audit log: a SQLite file or a PostgreSQL URL.
    #[arg(long, value_name = "PATH|URL")]
    pub log: String,
    /// Only this actor (`actor.id`).
    #[arg(long, value_name = "ID")]
    pub actor: Option<String>,
    /// Only entries recorded on or after this date (`2026-03-14`, UTC) or time (`2026-03-14T10:00:00Z`).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub format: LogFormat,
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

/// Runs `log`.
pub fn run(args: Args, _out: Out) -> Exit {
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
    let location = Location::parse(&args.log);
    if let Location::Sqlite(p) = &location {
        if !p.exists() {
            eprintln!("error: no audit log at `{}`", p.display());
            return Exit::Error;
        }
    }
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return Exit::Error;
        }
    };
    let filter = Filter { actor: args.actor, since_ms: since };
    let entries = rt.block_on(async {
        let store = Store::open(&location).await?;
        store.query(&filter).await
    });
    let entries = match entries {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Error;
        }
    };
    let mut out = String::new();
    for e in &entries {
        match args.format {
            LogFormat::Json => out.push_str(&e.to_json().to_string()),
            LogFormat::Text => {
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
                };
                out.push_str(&format!("{}  {}  {}  {}  {what}", e.recorded_at(), e.id, e.actor, e.action));
            }
        }
        out.push('\n');
    }
    print!("{out}");
    Exit::Ok
}
