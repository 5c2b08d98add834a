//! `smpolicy serve`: the decision service (see the library's `serve` module).

use super::{Exit, Out};
use smpolicy::serve::auth::TokensChange;
use smpolicy::serve::registry::Change;
use smpolicy::serve::{log::Location, Config, Event};
use std::path::PathBuf;
use std::time::Duration;

/// Arguments of `serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The directory of policies (`NAME.policy`; requests name a policy by NAME).
    #[arg(long, value_name = "DIR")]
    pub policies: PathBuf,
    /// The address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// The audit log: a SQLite file (created if missing) or a PostgreSQL URL (`postgres://user@host/db`).
    #[arg(long, value_name = "PATH|URL", default_value = "smpolicy-log.sqlite")]
    pub log: String,
    /// SQLite: `full` waits for the disk at every commit (survives a power cut); `normal` hands
    /// the commit to the operating system (survives kill -9 and crashes of the service, not of the machine).
    #[arg(long, value_enum, default_value_t = SyncArg::Full)]
    pub sync: SyncArg,
    /// The largest request body accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20)]
    pub max_body: usize,
    /// The longest a request may take, headers and body included, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    pub timeout_ms: u64,
    /// How often the directory is checked for edits, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 250)]
    pub reload_ms: u64,
    /// Worker threads (default: one per CPU; where the CPUs are shared, 1 does best: see BENCHMARKS.md).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Bearer tokens (JSON: each token's SHA-256, name and scopes), reloaded when edited. Without it the
    /// server is open to anyone who can reach it, and so listens only on a loopback address.
    #[arg(long, value_name = "FILE")]
    pub tokens: Option<PathBuf>,
    /// For a token with the `backdate` scope: how far a request's `at` may be from the server's clock, in seconds.
    #[arg(long, value_name = "S", default_value_t = 300)]
    pub backdate_skew_s: u64,
    /// How long a policy file must stay unchanged before it is taken, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    pub settle_ms: u64,
    /// SQLite: the largest the log may grow, in MiB; past it decisions are refused with 503 and /healthz says not ready.
    #[arg(long, value_name = "MIB")]
    pub log_max_mib: Option<u64>,
    /// On SIGTERM or Ctrl-C, how long requests in flight may take to finish, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 3000)]
    pub drain_ms: u64,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key).
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// The longest a /v1/diff or /v1/compare computes before it is stopped and answered 422, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 5000)]
    pub budget_ms: u64,
    /// The rate limit of a token that gives none in the tokens file (and of every caller of an open server):
    /// `N/s`, `N/min`, `N/h` or `unlimited`. Over it, requests get 429 with Retry-After.
    #[arg(long, value_name = "RATE", default_value = smpolicy::serve::rate::DEFAULT)]
    pub rate_limit: String,
    /// Keep this field of the action masked in the audit log (a keyed hash: the same value gives the same mask):
    /// `actor.id`, `content.text` or `account.handle`; repeat for several. Needs --mask-key.
    #[arg(long, value_name = "FIELD")]
    pub mask: Vec<String>,
    /// The secret of --mask's keyed hash (a file of at least 16 bytes; `openssl rand -hex 32 > FILE`).
    #[arg(long, value_name = "FILE")]
    pub mask_key: Option<PathBuf>,
    /// Append a checkpoint of the log's head (its position, last entry and hash) to this file every
    /// --checkpoint-every-s and at shutdown; keep it apart from the log. `smpolicy log verify --checkpoints`
    /// then finds a cut-off tail.
    #[arg(long, value_name = "FILE")]
    pub checkpoints: Option<PathBuf>,
    /// Sign each checkpoint with the key in this file: an Ed25519 private key made by `smpolicy log keygen`
    /// (anyone with its public key can check them), or an HMAC-SHA256 secret (at least 16 bytes).
    #[arg(long, value_name = "FILE", requires = "checkpoints")]
    pub checkpoint_key: Option<PathBuf>,
    /// How often a checkpoint is made (when the log has moved), in seconds.
    #[arg(long, value_name = "S", default_value_t = 60)]
    pub checkpoint_every_s: u64,
}

/// `--sync`.
#[derive(Debug, Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum SyncArg {
    /// An fsync at every commit.
    Full,
    /// No fsync per commit (WAL).
    Normal,
}

fn report(e: Event) {
    match e {
        Event::Listening(addr, scheme) => eprintln!("smpolicy: listening on {scheme}://{addr}"),
        Event::Reload(Change::Loaded { name, hash }) => eprintln!("smpolicy: loaded policy `{name}` ({hash})"),
        Event::Reload(Change::Rejected { name, message }) => {
            eprintln!("smpolicy: error: policy `{name}` not (re)loaded; the last good version, if any, keeps serving: {message}")
        }
        Event::Reload(Change::Removed { name }) => eprintln!("smpolicy: policy `{name}` removed"),
        Event::Reload(Change::Missing { name }) => {
            eprintln!("smpolicy: policy `{name}`: the file is missing; the last good version keeps serving until the removal is confirmed")
        }
        Event::ReloadFailed(message) => eprintln!("smpolicy: error: cannot reload the policies: {message}"),
        Event::Tokens(TokensChange::Loaded { count }) => eprintln!("smpolicy: loaded {count} token(s)"),
        Event::Tokens(TokensChange::Rejected { message }) => {
            eprintln!("smpolicy: error: tokens not (re)loaded; the last good set, if any, stays: {message}")
        }
        Event::Open => eprintln!(
            "smpolicy: warning: no --tokens: every caller on this machine may decide, record actions and read policies"
        ),
        Event::Draining => eprintln!("smpolicy: stopping: finishing the requests in flight"),
        Event::CheckpointFailed(message) => eprintln!("smpolicy: error: no checkpoint made: {message}"),
    }
}

/// Runs `serve` until interrupted (Ctrl-C or SIGTERM).
pub fn run(args: Args, _out: Out) -> Exit {
    let rate_limit = match smpolicy::serve::rate::Rate::parse(&args.rate_limit, None) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: --rate-limit: {e}");
            return Exit::Error;
        }
    };
    let config = Config {
        policies: args.policies,
        listen: args.listen,
        log: Location::parse(&args.log),
        sync: match args.sync {
            SyncArg::Full => smpolicy::serve::log::Sync::Full,
            SyncArg::Normal => smpolicy::serve::log::Sync::Normal,
        },
        max_body: args.max_body,
        timeout: Duration::from_millis(args.timeout_ms.max(1)),
        reload_every: Duration::from_millis(args.reload_ms.max(10)),
        settle: Duration::from_millis(args.settle_ms),
        tokens: args.tokens,
        backdate_skew: Duration::from_secs(args.backdate_skew_s),
        log_max_bytes: args.log_max_mib.map(|m| m.saturating_mul(1 << 20)),
        drain: Duration::from_millis(args.drain_ms),
        budget: Duration::from_millis(args.budget_ms.max(1)),
        tls: args.tls_cert.zip(args.tls_key),
        rate_limit,
        mask: args.mask,
        mask_key: args.mask_key,
        checkpoints: args.checkpoints,
        checkpoint_key: args.checkpoint_key,
        checkpoint_every: Duration::from_secs(args.checkpoint_every_s.max(1)),
    };
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    rt.enable_all();
    if let Some(n) = args.threads {
        rt.worker_threads(n.max(1));
    }
    let rt = match rt.build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return Exit::Error;
        }
    };
    let result = rt.block_on(smpolicy::serve::serve(config, report, stopped()));
    // `serve` has already waited for the requests in flight and the log writer (each up to --drain-ms);
    // whatever still runs on the blocking pool (a computation past its budget check) is not waited for.
    rt.shutdown_timeout(Duration::from_millis(500));
    match result {
        Ok(()) => {
            eprintln!("smpolicy: stopped");
            Exit::Ok
        }
        Err(e) => {
            eprintln!("error: {e}");
            Exit::Error
        }
    }
}

/// Resolves on Ctrl-C, or SIGTERM on Unix.
async fn stopped() {
    #[cfg(unix)]
    {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = term => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
