//! The decision service (`smpolicy serve`): an HTTP JSON API over the
//! policies of one directory, with hot reload and a durable audit log.
//!
//! - [`auth`]: bearer tokens with scopes, and who is asking;
//! - [`registry`]: the loaded policies behind an atomic swap, and their reload;
//! - [`api`]: routes, request shapes and errors naming the field;
//! - [`log`]: the audit log (SQLite or PostgreSQL) and its group-commit writer;
//! - [`history`]: `history` counters derived from recorded actions;
//! - [`id`]: decision ids;
//! - [`openapi`]: the OpenAPI document;
//! - [`pages`]: the web pages ("may I?", "write and try a policy").
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

pub mod answers;
pub mod api;
pub mod auth;
pub mod history;
pub mod id;
pub mod keys;
pub mod log;
pub mod mask;
pub mod openapi;
pub mod pages;
pub mod rate;
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
    /// How long a policy file must stay unchanged before it is taken.
    pub settle: Duration,
    /// The tokens file; `None` runs an open server (loopback only).
    pub tokens: Option<PathBuf>,
    /// How far a request's `at` may be from the server's clock, for a token with the `backdate` scope.
    pub backdate_skew: Duration,
    /// SQLite: the largest the log may grow, in bytes (`None`: no limit); past it decisions get 503.
    pub log_max_bytes: Option<u64>,
    /// On shutdown, how long requests in flight may take to finish.
    pub drain: Duration,
    /// The longest a `/v1/diff` or `/v1/compare` computes before it is stopped (422).
    pub budget: Duration,
    /// TLS: a PEM certificate chain and its PEM private key; `None` serves plain HTTP.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// The rate limit of a token that gives none in the tokens file (and of `anonymous`).
    pub rate_limit: rate::Rate,
    /// Fields of the action kept masked in the log (each one of [`mask::MASKABLE`]).
    pub mask: Vec<String>,
    /// The key of the masked fields' keyed hash (needed with `mask`).
    pub mask_key: Option<PathBuf>,
    /// Where checkpoints of the chain's head are appended (`None`: none are made).
    pub checkpoints: Option<PathBuf>,
    /// The key that signs checkpoints.
    pub checkpoint_key: Option<PathBuf>,
    /// How often a checkpoint is made (when the head moved).
    pub checkpoint_every: Duration,
}

/// Something the operator should hear about.
#[derive(Debug, Clone)]
pub enum Event {
    /// The server is listening (`https` when it serves TLS).
    Listening(SocketAddr, &'static str),
    /// A reload changed a policy.
    Reload(registry::Change),
    /// The directory could not be read.
    ReloadFailed(String),
    /// The tokens file was (re)loaded, or rejected.
    Tokens(auth::TokensChange),
    /// The server runs without tokens.
    Open,
    /// Shutting down: no new connections; requests in flight are finishing.
    Draining,
    /// A checkpoint could not be made.
    CheckpointFailed(String),
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
    /// The tokens file cannot be read or does not parse.
    #[error("tokens: {0}")]
    Tokens(String),
    /// The TLS certificate or key cannot be used.
    #[error("TLS: {0}")]
    Tls(String),
    /// The web pages cannot be set up.
    #[error("web pages: {0}")]
    Pages(String),
    /// `--mask` or its key cannot be used.
    #[error("mask: {0}")]
    Mask(String),
    /// The checkpoint key cannot be used.
    #[error("checkpoints: {0}")]
    Checkpoints(String),
    /// A non-loopback address without a tokens file.
    #[error("refusing to listen on `{0}` without `--tokens`: anyone who can reach it could decide, record actions and read policies")]
    Insecure(String),
}

/// The state every request shares.
#[derive(Debug)]
pub struct App {
    registry: Arc<registry::Registry>,
    auth: Arc<auth::Auth>,
    writer: log::Writer,
    reader: Arc<log::Store>,
    /// Fields kept masked in the log.
    mask: Option<mask::Masker>,
    ids: id::IdGen,
    pages: pages::Pages,
    backdate_skew: Duration,
    budget: Duration,
    /// Decision ids whose `/v1/performed` is being recorded now (so that two at once cannot both pass).
    performing: std::sync::Mutex<std::collections::HashSet<String>>,
    /// The last append failed: `/healthz` is not ready until a large probe write succeeds.
    write_failed: std::sync::atomic::AtomicBool,
}

impl App {
    /// Appends to the log, noting whether the log took it (for `/healthz`).
    async fn append(&self, entry: log::Entry) -> Result<(), log::LogError> {
        let r = self.writer.append(entry).await;
        self.write_failed.store(r.is_err(), std::sync::atomic::Ordering::Relaxed);
        r
    }

    /// The actor id as the log keeps it: masked, with `--mask actor.id`.
    fn logged_actor(&self, id: &str) -> String {
        match &self.mask {
            Some(m) => m.actor(id),
            None => id.to_string(),
        }
    }
}

/// Appends a checkpoint of the log's head to `path`, unless the head has not moved since `last`.
async fn checkpoint(
    reader: &log::Store,
    path: &std::path::Path,
    key: Option<&log::checkpoint::Signer>,
    last: &mut Option<log::Head>,
) -> Result<(), log::LogError> {
    let Some(head) = reader.head().await? else { return Ok(()) };
    if last.as_ref() == Some(&head) {
        return Ok(());
    }
    let c = log::checkpoint::Checkpoint::new(&head, key);
    let p = path.to_owned();
    tokio::task::spawn_blocking(move || log::checkpoint::append(&p, &c))
        .await
        .map_err(|e| log::LogError(e.to_string()))??;
    *last = Some(head);
    Ok(())
}

/// Runs the service until `shutdown` resolves. Every acknowledged decision is
/// already committed to the log, so stopping loses nothing.
pub async fn serve(
    config: Config,
    events: impl Fn(Event) + Send + Sync + 'static,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServeError> {
    let events = Arc::new(events);
    let pages = pages::Pages::new(config.tls.is_some()).map_err(ServeError::Pages)?;
    let tls = match &config.tls {
        Some((cert, key)) => Some(tls_acceptor(cert, key)?),
        None => None,
    };
    let registry = Arc::new(registry::Registry::new(&config.policies).settle(config.settle));
    for change in registry.reload().map_err(|e| ServeError::Policies(config.policies.clone(), e))? {
        events(Event::Reload(change));
    }
    // Files written just before the start wait out their settle period here, so that they serve from the first request.
    let started = std::time::Instant::now();
    while registry.pending() && started.elapsed() < config.settle * 3 {
        tokio::time::sleep((config.settle / 5).max(Duration::from_millis(10))).await;
        for change in registry.reload().map_err(|e| ServeError::Policies(config.policies.clone(), e))? {
            events(Event::Reload(change));
        }
    }
    let auth = Arc::new(
        match &config.tokens {
            Some(path) => auth::Auth::from_file(path),
            None => auth::Auth::open(),
        }
        .with_default_rate(config.rate_limit),
    );
    let mask = match (&config.mask_key, config.mask.is_empty()) {
        (_, true) => None,
        (Some(key), false) => {
            let key = keys::Key::from_file(key).map_err(ServeError::Mask)?;
            Some(mask::Masker::new(key, &config.mask).map_err(ServeError::Mask)?)
        }
        (None, false) => {
            return Err(ServeError::Mask(
                "`--mask` needs `--mask-key FILE`, a secret of at least 16 bytes (`openssl rand -hex 32 > FILE`): \
                 an unkeyed hash of a name is undone by hashing every name"
                    .into(),
            ))
        }
    };
    let checkpoint_key = match &config.checkpoint_key {
        Some(path) => Some(log::checkpoint::Signer::from_file(path).map_err(ServeError::Checkpoints)?),
        None => None,
    };
    if checkpoint_key.is_some() && config.checkpoints.is_none() {
        return Err(ServeError::Checkpoints(
            "`--checkpoint-key` signs checkpoints: give `--checkpoints FILE` too".into(),
        ));
    }
    // A tokens file that cannot be used at start is a mistake to fix, not a server that refuses everyone.
    match auth.reload() {
        Some(auth::TokensChange::Rejected { message }) => return Err(ServeError::Tokens(message)),
        Some(change) => events(Event::Tokens(change)),
        None => {}
    }
    // The writer first: it creates the table, which the reader then finds.
    let (writer, writer_task) = log::Writer::start(&config.log, config.sync, config.log_max_bytes).await?;
    let reader = Arc::new(log::Store::open(&config.log).await?);
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|e| ServeError::Listen(config.listen.clone(), e))?;
    let addr = listener.local_addr().map_err(|e| ServeError::Listen(config.listen.clone(), e))?;
    if auth.is_open() {
        if !addr.ip().is_loopback() {
            return Err(ServeError::Insecure(config.listen.clone()));
        }
        events(Event::Open);
    }
    events(Event::Listening(addr, if tls.is_some() { "https" } else { "http" }));

    let reloader = {
        let registry = registry.clone();
        let auth = auth.clone();
        let events = events.clone();
        let every = config.reload_every;
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let (r, a) = (registry.clone(), auth.clone());
                match tokio::task::spawn_blocking(move || (r.reload(), a.reload())).await {
                    Ok((policies, tokens)) => {
                        match policies {
                            Ok(changes) => changes.into_iter().for_each(|c| events(Event::Reload(c))),
                            Err(e) => events(Event::ReloadFailed(e.to_string())),
                        }
                        if let Some(change) = tokens {
                            events(Event::Tokens(change));
                        }
                    }
                    Err(e) => events(Event::ReloadFailed(e.to_string())),
                }
            }
        })
    };

    // Checkpoints of the head, every `checkpoint_every` (when it moved), and one more after the last commit.
    let checkpoint_key = Arc::new(checkpoint_key);
    let mut checkpointer = None;
    if let Some(path) = config.checkpoints.clone() {
        let (reader, key, events) = (reader.clone(), checkpoint_key.clone(), events.clone());
        let every = config.checkpoint_every;
        let last = Arc::new(tokio::sync::Mutex::new(None));
        let task_last = last.clone();
        let task_path = path.clone();
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let mut last = task_last.lock().await;
                if let Err(e) = checkpoint(&reader, &task_path, (*key).as_ref(), &mut last).await {
                    events(Event::CheckpointFailed(e.to_string()));
                }
            }
        });
        checkpointer = Some((task, path, last));
    }
    let app = Arc::new(App {
        registry,
        auth,
        writer,
        reader: reader.clone(),
        mask,
        ids: id::IdGen::new(),
        pages,
        backdate_skew: config.backdate_skew,
        budget: config.budget,
        performing: std::sync::Mutex::default(),
        write_failed: std::sync::atomic::AtomicBool::new(false),
    });
    let router = pages::router(app.clone())
        .merge(api::router(app))
        .layer(axum::extract::DefaultBodyLimit::max(config.max_body))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            config.timeout,
        ))
        .layer(axum::middleware::from_fn(api::json_errors));
    let shutdown = {
        let events = events.clone();
        async move {
            shutdown.await;
            events(Event::Draining);
        }
    };
    accept(listener, router, tls, config.timeout, config.drain, shutdown).await;
    reloader.abort();
    // The writer ends once the last request holding it is done, after its last commit.
    let _ = tokio::time::timeout(config.drain, writer_task).await;
    if let Some((task, path, last)) = checkpointer {
        task.abort();
        let mut last = last.lock().await;
        if let Err(e) = checkpoint(&reader, &path, (*checkpoint_key).as_ref(), &mut last).await {
            events(Event::CheckpointFailed(e.to_string()));
        }
    }
    Ok(())
}

/// Serves connections until `shutdown` resolves, then lets each connection
/// finish the request it is on (for up to `drain`) and returns.
async fn accept(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    timeout: Duration,
    drain: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let mut shutdown = std::pin::pin!(shutdown);
    // Every connection holds a sender: once all are dropped, `open` ends.
    let (alive, mut open) = tokio::sync::mpsc::channel::<()>(1);
    let (stop, stopping) = tokio::sync::watch::channel(false);
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
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        let alive = alive.clone();
        let stopping = stopping.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            match tls {
                None => connection(stream, service, timeout, stopping).await,
                // The handshake counts against the header timeout: a client that stalls in it is dropped.
                Some(tls) => {
                    if let Ok(Ok(stream)) = tokio::time::timeout(timeout, tls.accept(stream)).await {
                        connection(stream, service, timeout, stopping).await;
                    }
                }
            }
            drop(alive);
        });
    }
    drop(listener);
    let _ = stop.send(true);
    drop(alive);
    drop(router);
    let _ = tokio::time::timeout(drain, open.recv()).await;
}

/// Serves one connection until it closes, or until `stopping`: then the
/// request in flight is finished and answered with `Connection: close`.
async fn connection<S>(
    stream: S,
    service: hyper_util::service::TowerToHyperService<axum::Router>,
    timeout: Duration,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let io = hyper_util::rt::TokioIo::new(stream);
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(timeout)
        .serve_connection(io, service);
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = async { stopping.wait_for(|s| *s).await.is_ok() } => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// A TLS acceptor from a PEM certificate chain and a PEM private key (rustls, ring provider, HTTP/1.1).
pub fn tls_acceptor(cert: &std::path::Path, key: &std::path::Path) -> Result<tokio_rustls::TlsAcceptor, ServeError> {
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let bad = |path: &std::path::Path, e: String| ServeError::Tls(format!("`{}`: {e}", path.display()));
    let certs = CertificateDer::pem_file_iter(cert)
        .map_err(|e| bad(cert, e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(cert, e.to_string()))?;
    if certs.is_empty() {
        return Err(bad(cert, "no certificate found (expected PEM: -----BEGIN CERTIFICATE-----)".into()));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| bad(key, format!("no private key read: {e}")))?;
    #[allow(
        deprecated,
        reason = "ring has no post-quantum key exchange; aws-lc-rs has, but its build needs cmake and minutes here"
    )]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ServeError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| ServeError::Tls(format!("the certificate and key do not make a TLS configuration: {e}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}
