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
    /// The key the server masked `actor.id` with (`serve --mask-key`): `--actor` is then looked up by its mask.
    #[arg(long, value_name = "FILE")]
    pub mask_key: Option<std::path::PathBuf>,
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
        /// The checkpoints file the server appended to (`serve --checkpoints`): each checkpoint must
        /// match the log, and one past its end means the newest entries were cut off.
        #[arg(long, value_name = "FILE")]
        checkpoints: Option<std::path::PathBuf>,
        /// The key that checks the checkpoints' signatures: the public key (`KEY.pub` of `log keygen`) when the
        /// server signed with its private key, or the same HMAC secret. Every line must carry a valid signature.
        #[arg(long, value_name = "FILE", requires = "checkpoints")]
        checkpoint_key: Option<std::path::PathBuf>,
        /// An archive of pruned entries (`log prune --archive`): its chain is checked too, and it must end
        /// at the log's anchor, so archive and log are one unbroken history.
        #[arg(long, value_name = "FILE")]
        archive: Option<std::path::PathBuf>,
    },
    /// Make an Ed25519 key pair for signing checkpoints: `NAME.key` (private, for `serve --checkpoint-key`,
    /// readable by its owner only) and `NAME.pub` (public, for anyone who runs `log verify --checkpoint-key`).
    /// Refuses to overwrite either file.
    Keygen {
        /// The files' path without extension.
        #[arg(long, value_name = "NAME")]
        out: std::path::PathBuf,
    },
    /// Delete (or archive, then delete) the entries recorded more than DAYS days ago, oldest first, in the
    /// order written. The chain stays verifiable: the last deleted entry's position and hash are kept as
    /// its anchor, and `log verify` checks from there. Safe while `serve` runs (a chunk of entries per transaction).
    Prune {
        /// The audit log: a SQLite file or a PostgreSQL URL.
        #[arg(long, value_name = "PATH|URL")]
        log: String,
        /// Delete entries recorded more than this many days ago.
        #[arg(long, value_name = "DAYS", required_unless_present = "before", conflicts_with = "before")]
        older_than: Option<u32>,
        /// Or: delete entries recorded before this date (`2026-03-14`, UTC) or time (`2026-03-14T10:00:00Z`).
        #[arg(long, value_name = "DATE")]
        before: Option<String>,
        /// Append the deleted entries to this file first (JSON Lines, as `log --format json`), on disk before they are deleted.
        #[arg(long, value_name = "FILE")]
        archive: Option<std::path::PathBuf>,
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

/// A key from a file; errors are printed.
fn key(path: &std::path::Path) -> Option<smpolicy::serve::keys::Key> {
    smpolicy::serve::keys::Key::from_file(path).map_err(|e| eprintln!("error: {e}")).ok()
}

/// `log keygen`: a key pair, the private half readable by its owner only.
fn keygen(out: &std::path::Path) -> Exit {
    let (private, public) = (out.with_extension("key"), out.with_extension("pub"));
    let (private_text, public_text) = match smpolicy::serve::keys::generate_key_pair() {
        Ok(pair) => pair,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Error;
        }
    };
    for (path, text, mode) in [(&private, private_text, 0o600), (&public, public_text, 0o644)] {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
        #[cfg(not(unix))]
        let _ = mode;
        let written = options.open(path).and_then(|mut f| {
            use std::io::Write as _;
            f.write_all(text.as_bytes()).and_then(|()| f.sync_all())
        });
        if let Err(e) = written {
            eprintln!("error: cannot write `{}`: {e} (an existing key is never overwritten)", path.display());
            return Exit::Error;
        }
    }
    println!("private key: {} (give it to `smpolicy serve --checkpoint-key`; keep it secret)", private.display());
    println!("public key:  {} (give it to whoever checks: `smpolicy log verify --checkpoint-key`)", public.display());
    Exit::Ok
}

/// `log verify`.
fn verify(
    log: &str,
    checkpoints: Option<&std::path::Path>,
    checkpoint_key: Option<&std::path::Path>,
    archive: Option<&std::path::Path>,
) -> Exit {
    let location = Location::parse(log);
    if !exists(&location) {
        return Exit::Error;
    }
    let key = match checkpoint_key.map(smpolicy::serve::log::checkpoint::Verifier::from_file) {
        Some(Ok(k)) => Some(k),
        Some(Err(e)) => {
            eprintln!("error: {e}");
            return Exit::Error;
        }
        None => None,
    };
    let checkpoints = match checkpoints {
        Some(p) => match smpolicy::serve::log::checkpoint::Checkpoints::read(p, key.as_ref()) {
            Ok(c) => Some(c),
            Err(e) => {
                eprintln!("error: {e}");
                return Exit::Error;
            }
        },
        None => None,
    };
    let with_checkpoints = checkpoints.is_some();
    let Some(rt) = runtime() else { return Exit::Error };
    match rt.block_on(smpolicy::serve::log::verify_with(&location, checkpoints)) {
        Ok(mut v) => {
            if let Some(path) = archive {
                match smpolicy::serve::log::verify_archive(path, v.anchor.as_ref()) {
                    Ok(a) => {
                        let from = if a.from_genesis {
                            "from the first entry ever"
                        } else {
                            "from an entry not in it (its first line is taken as it stands)"
                        };
                        let joins = if a.joins == Some(true) { ", up to the log's anchor" } else { "" };
                        println!("archive: {} entries, chained {from}{joins}", a.entries);
                        v.breaks.splice(0..0, a.breaks);
                    }
                    Err(e) => {
                        eprintln!("error: {e}");
                        return Exit::Error;
                    }
                }
            }
            if let Some(a) = &v.anchor {
                let when = jiff::Timestamp::from_millisecond(a.pruned_ms).map(|t| t.to_string()).unwrap_or_default();
                println!(
                    "anchor: {} older entries were pruned (the last, {}, on {when}); the chain is checked from its hash {}",
                    a.position, a.entry, a.hash
                );
            }
            for b in &v.breaks {
                println!("broken: {b}");
            }
            let checkpoints_line = with_checkpoints.then(|| {
                let newest = match &v.newest_checkpoint {
                    Some((line, made, position)) => {
                        format!("; the newest, line {line} (made {made}), at entry {position}")
                    }
                    None => String::new(),
                };
                let pruned = if v.checkpoints_pruned > 0 {
                    format!("; {} of pruned entries, not checked", v.checkpoints_pruned)
                } else {
                    String::new()
                };
                let unsigned = if v.checkpoints_unsigned_checked > 0 {
                    format!("; {} signatures not checked (give --checkpoint-key)", v.checkpoints_unsigned_checked)
                } else {
                    String::new()
                };
                format!("checkpoints: {} match{newest}{pruned}{unsigned}", v.checkpoints_matched)
            });
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
                checkpoints_line.iter().for_each(|l| println!("{l}"));
                Exit::Ok
            } else {
                println!("the chain is broken at {} of {} entries{unchained}", v.breaks.len(), v.entries);
                checkpoints_line.iter().for_each(|l| println!("{l}"));
                Exit::CheckFailed
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            Exit::Error
        }
    }
}

/// The archive file: appended to, and on disk at each flush (before the entries are deleted).
struct Archive(std::fs::File);

impl Write for Archive {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()?;
        self.0.sync_data()
    }
}

/// `log prune`.
fn prune(log: &str, cutoff: i64, archive: Option<&std::path::Path>) -> Exit {
    let location = Location::parse(log);
    if !exists(&location) {
        return Exit::Error;
    }
    let mut file = match archive {
        Some(p) => match std::fs::OpenOptions::new().create(true).append(true).open(p) {
            Ok(f) => Some(Archive(f)),
            Err(e) => {
                eprintln!("error: --archive: cannot open `{}`: {e}", p.display());
                return Exit::Error;
            }
        },
        None => None,
    };
    let Some(rt) = runtime() else { return Exit::Error };
    let since = jiff::Timestamp::from_millisecond(cutoff).map(|t| t.to_string()).unwrap_or_default();
    let sink = file.as_mut().map(|f| f as &mut dyn Write);
    match rt.block_on(smpolicy::serve::log::prune(&location, cutoff, sink)) {
        Ok(p) if p.entries == 0 => {
            println!("nothing to prune: no entry was recorded before {since}");
            Exit::Ok
        }
        Ok(p) => {
            let archived = archive.map(|a| format!(" (archived to {})", a.display())).unwrap_or_default();
            println!("pruned {} entries recorded before {since}{archived}", p.entries);
            if let Some(a) = p.anchor {
                println!(
                    "anchor: entry {} at position {}, hash {}; `smpolicy log verify` checks the chain from there",
                    a.entry, a.position, a.hash
                );
            }
            Exit::Ok
        }
        Err(e) => {
            eprintln!("error: {e}");
            Exit::Error
        }
    }
}

fn text_line(e: &smpolicy::serve::log::Entry) -> String {
    let what = match e.kind {
        Kind::Decision => {
            let version = e.version.as_deref().map(|v| format!(" version {v}")).unwrap_or_default();
            let groups = e.groups_words().map(|g| format!(" groups: {g}")).unwrap_or_default();
            format!(
                "{} {}{version} [{}]{groups}",
                e.verdict.as_deref().unwrap_or("?"),
                e.policy.as_deref().unwrap_or("?"),
                e.deciding.join(", ")
            )
        }
        Kind::Performed => match &e.decision_id {
            Some(d) => format!("performed (decision {d})"),
            None => "performed".to_string(),
        },
        Kind::Approval => format!("approved (decision {})", e.decision_id.as_deref().unwrap_or("?")),
        Kind::StandingApproval => match serde_json::from_str::<smpolicy::data::action::Approval>(&e.input) {
            Ok(a) => format!("standing approval: {}", smpolicy::semantics::approval_words(&a)),
            Err(_) => format!("standing approval {}", e.input),
        },
        Kind::Revocation => format!("revoked (standing approval {})", e.decision_id.as_deref().unwrap_or("?")),
    };
    match &e.caller {
        Some(c) => format!("{}  {}  {}  {}  {what}  by {c}", e.recorded_at(), e.id, e.actor, e.action),
        None => format!("{}  {}  {}  {}  {what}", e.recorded_at(), e.id, e.actor, e.action),
    }
}

/// Runs `log`: the entries, oldest first, written out as they are read (flat memory).
pub fn run(args: Args, _out: Out) -> Exit {
    match &args.command {
        Some(LogCommand::Verify { log, checkpoints, checkpoint_key, archive }) => {
            return verify(log, checkpoints.as_deref(), checkpoint_key.as_deref(), archive.as_deref())
        }
        Some(LogCommand::Keygen { out }) => return keygen(out),
        Some(LogCommand::Prune { log, older_than, before, archive }) => {
            let cutoff = match (older_than, before) {
                (Some(days), _) => jiff::Timestamp::now().as_millisecond() - i64::from(*days) * 86_400_000,
                (None, Some(b)) => match since_ms(b) {
                    Some(ms) => ms,
                    None => {
                        eprintln!("error: --before: expected a date such as `2026-03-14` or a time such as `2026-03-14T10:00:00Z`; found `{b}`");
                        return Exit::Error;
                    }
                },
                (None, None) => {
                    eprintln!("error: give --older-than DAYS or --before DATE");
                    return Exit::Error;
                }
            };
            return prune(log, cutoff, archive.as_deref());
        }
        None => {}
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
    let mut actor = args.actor.as_deref().map(|a| smpolicy::serve::api::normalize_actor(a).unwrap_or_default());
    if let Some(path) = &args.mask_key {
        let Some(k) = key(path) else { return Exit::Error };
        let masker = smpolicy::serve::mask::Masker::new(k, &["actor.id".to_string()]);
        if let (Ok(m), Some(a)) = (masker, actor.as_mut()) {
            *a = m.actor(a);
        }
    }
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
