//! `smpolicy serve`: the decision service (see the library's `serve` module).

use super::{Exit, Out};
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
        Event::Listening(addr) => eprintln!("smpolicy: listening on http://{addr}"),
        Event::Reload(Change::Loaded { name, hash }) => eprintln!("smpolicy: loaded policy `{name}` ({hash})"),
        Event::Reload(Change::Rejected { name, message }) => {
            eprintln!("smpolicy: error: policy `{name}` not (re)loaded; the last good version, if any, keeps serving: {message}")
        }
        Event::Reload(Change::Removed { name }) => eprintln!("smpolicy: policy `{name}` removed"),
        Event::ReloadFailed(message) => eprintln!("smpolicy: error: cannot reload the policies: {message}"),
    }
}

/// Runs `serve` until interrupted (Ctrl-C or SIGTERM).
pub fn run(args: Args, _out: Out) -> Exit {
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
    match rt.block_on(smpolicy::serve::serve(config, report, stopped())) {
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
