//! The decision service (`smpolicy serve`): an HTTP JSON API over the
//! policies of one directory, with hot reload and a durable audit log.
//!
//! - [`registry`]: the loaded policies behind an atomic swap, and their reload;
//! - [`api`]: routes, request shapes and errors naming the field;
//! - [`log`]: the audit log (SQLite or PostgreSQL) and its group-commit writer;
//! - [`history`]: `history` counters derived from recorded actions;
//! - [`id`]: decision ids;
//! - [`openapi`]: the OpenAPI document.
//!
//! The stack: tokio and axum (routing), hyper directly for the accept loop so
//! that slow clients time out while sending headers (`header_read_timeout`),
//! tower-http's timeout for slow bodies and slow requests, axum's body limit.
//! Hot reload polls the directory's file stamps (size, modification time)
//! every [`Config::reload_every`]: no platform watcher to miss events on
//! network or container file systems, and an edit caught half-written simply
//! fails to check and is retried at the next poll.
//!
//! This module does no terminal IO: what happens is reported as [`Event`]s.

pub mod api;
pub mod history;
pub mod id;
pub mod log;
pub mod openapi;
pub mod registry;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How to run the service.
#[derive(Debug, Clone)]
pub struct Config {
    /// The directory of `*.policy` files; a file's stem is the policy's name.
    pub policies: PathBuf,
    /// Where to listen.
    pub listen: String,
    /// Where the audit log is.
    pub log: log::Location,
    /// How far a SQLite commit goes before a decision is acknowledged.
    pub sync: log::Sync,
    /// The largest request body accepted, in bytes.
    pub max_body: usize,
    /// The longest a request may take, headers and body included.
    pub timeout: Duration,
    /// How often the directory is checked for edits.
    pub reload_every: Duration,
}

/// Something the operator should hear about.
#[derive(Debug, Clone)]
pub enum Event {
    /// The server is listening.
    Listening(SocketAddr),
    /// A reload changed a policy.
    Reload(registry::Change),
    /// The directory could not be read.
    ReloadFailed(String),
}

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The policy directory cannot be read.
    #[error("cannot read the policy directory `{0}`: {1}")]
    Policies(PathBuf, std::io::Error),
    /// The audit log cannot be opened.
    #[error(transparent)]
    Log(#[from] log::LogError),
    /// The address cannot be bound.
    #[error("cannot listen on `{0}`: {1}")]
    Listen(String, std::io::Error),
}

/// The state every request shares.
#[derive(Debug)]
pub struct App {
    registry: Arc<registry::Registry>,
    writer: log::Writer,
    reader: log::Store,
    ids: id::IdGen,
}

/// Runs the service until `shutdown` resolves. Every acknowledged decision is
/// already committed to the log, so stopping loses nothing.
pub async fn serve(
    config: Config,
    events: impl Fn(Event) + Send + Sync + 'static,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServeError> {
    let events = Arc::new(events);
    let registry = Arc::new(registry::Registry::new(&config.policies));
    for change in registry.reload().map_err(|e| ServeError::Policies(config.policies.clone(), e))? {
        events(Event::Reload(change));
    }
    // The writer first: it creates the table, which the reader then finds.
    let (writer, _writer_task) = log::Writer::start(&config.log, config.sync).await?;
    let reader = log::Store::open(&config.log).await?;
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|e| ServeError::Listen(config.listen.clone(), e))?;
    let addr = listener.local_addr().map_err(|e| ServeError::Listen(config.listen.clone(), e))?;
    events(Event::Listening(addr));

    let reloader = {
        let registry = registry.clone();
        let events = events.clone();
        let every = config.reload_every;
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let r = registry.clone();
                match tokio::task::spawn_blocking(move || r.reload()).await {
                    Ok(Ok(changes)) => changes.into_iter().for_each(|c| events(Event::Reload(c))),
                    Ok(Err(e)) => events(Event::ReloadFailed(e.to_string())),
                    Err(e) => events(Event::ReloadFailed(e.to_string())),
                }
            }
        })
    };

    let app = Arc::new(App { registry, writer, reader, ids: id::IdGen::new() });
    let router = api::router(app).layer(axum::extract::DefaultBodyLimit::max(config.max_body)).layer(
        tower_http::timeout::TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, config.timeout),
    );
    accept(listener, router, config.timeout, shutdown).await;
    reloader.abort();
    Ok(())
}

async fn accept(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    timeout: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            () = &mut shutdown => return,
        };
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        tokio::spawn(async move {
            let io = hyper_util::rt::TokioIo::new(stream);
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(timeout)
                .serve_connection(io, service)
                .await;
        });
    }
}
