//! The app factory shared by `main` and the integration tests.

use crate::api;
use crate::auth::{JwtKeys, LoginThrottle};
use crate::config::Config;
use crate::mail::worker::WorkerSettings;
use crate::mail::Transport;
use crate::service::login_cache::LoginCache;
use crate::service::{AppState, BackgroundTasks};
use crate::store::login_changes::LoginEpoch;
use crate::store::login_listener::{self, Hearing};
use crate::store::{db, DatabaseUrl};
use actix_web::dev::{Server, ServerHandle};
use actix_web::{web, HttpServer};
use anyhow::Context;
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::watch;
use tracing_actix_web::TracingLogger;

/// How long an outbox claim lasts unless its worker renews it: how long a
/// crashed instance's emails wait before another instance sends them.
pub const MAIL_LEASE_SECS: i64 = 10;

pub struct App {
    port: u16,
    server: Server,
    stop_worker: Arc<watch::Sender<bool>>,
    worker: tokio::task::JoinHandle<()>,
    purger: tokio::task::JoinHandle<()>,
    listener: Option<login_listener::ListenerHandle>,
    background: BackgroundTasks,
    stopping_since: Arc<OnceLock<tokio::time::Instant>>,
    shutdown_timeout: Duration,
    state: Arc<AppState>,
}

/// How a stop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// Everything the app started has ended, and its database connections
    /// were closed by the stopping task.
    Cleanly,
    /// Work cut off by the shutdown timeout still holds the app or a
    /// database connection; it ends with the process.
    WithWorkCutOff,
}

/// Starts a graceful stop from outside the server (a signal handler).
#[derive(Clone)]
pub struct Shutdown {
    server: ServerHandle,
    worker: Arc<watch::Sender<bool>>,
    stopping_since: Arc<OnceLock<tokio::time::Instant>>,
}

impl Shutdown {
    /// Stops accepting at once; requests in flight, the work they left
    /// running after answering, and the worker's email in hand get the
    /// shutdown timeout, all running down at the same time so the whole stop
    /// fits in one timeout.
    pub async fn stop(&self) {
        self.stopping_since.get_or_init(tokio::time::Instant::now);
        let _ = self.worker.send(true);
        self.server.stop(true).await;
    }
}

impl App {
    /// Connects, migrates, loads the signing key and binds; serving starts
    /// with `run_until_stopped`.
    pub async fn build(config: Config) -> anyhow::Result<App> {
        // The data folder holds the database, the emails and the key: an
        // earlier version may have left it readable by everyone.
        if config.data_dir.is_dir() {
            crate::files::private_dir(&config.data_dir)?;
        }
        let url = DatabaseUrl::parse(&config.database_url()).map_err(anyhow::Error::msg)?;
        let logins = LoginEpoch::default();
        let pool = db::pool_with_logins(&url, config.db_pool_size, logins.clone())?;
        let migrate_pool = pool.clone();
        let applied = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<String>> {
            let mut conn = migrate_pool.get().context("connecting to the database")?;
            db::run_migrations(&mut conn)
        })
        .await??;
        tracing::info!(
            backend = url.backend_name(),
            migrations = applied.len(),
            "database ready"
        );

        let transport = match &config.smtp_url {
            Some(url) => {
                Transport::smtp(url.expose(), Duration::from_secs(config.smtp_timeout_secs))
                    .context("BUDDYMATCH_SMTP_URL")?
            }
            None => {
                let dir = config.mail_dir();
                Transport::folder(dir.clone())
                    .with_context(|| format!("creating mail folder {}", dir.display()))?
            }
        };
        if config.smtp_url.is_some() {
            if let Some(problem) = crate::mail::sender::domain_problem(&config.mail_from) {
                tracing::warn!(
                    mail_from = %config.mail_from,
                    "--mail-from: {problem}; set BUDDYMATCH_MAIL_FROM to an address at your own domain"
                );
            }
        }
        let worker_settings = WorkerSettings {
            from: config
                .mail_from
                .parse()
                .with_context(|| format!("--mail-from {:?} is not an address", config.mail_from))?,
            reply_to: config
                .mail_reply_to
                .as_deref()
                .map(|r| r.parse())
                .transpose()
                .with_context(|| {
                    format!(
                        "--mail-reply-to {:?} is not an address",
                        config.mail_reply_to
                    )
                })?,
            poll: Duration::from_millis(config.mail_poll_ms.max(10)),
            max_attempts: config.mail_max_attempts.max(1),
            backoff_base_secs: config.mail_backoff_secs.max(1),
            backoff_max_secs: config.mail_backoff_max_secs.max(1),
            // Renewed while held, so it only bounds how long a crashed
            // instance's emails wait for another instance.
            lease_secs: MAIL_LEASE_SECS,
            concurrency: usize::from(config.mail_concurrency),
            shutdown_grace: Duration::from_secs(config.shutdown_timeout_secs),
        };
        // Inline reads run one at a time on each HTTP worker (one per core,
        // set on the server below from the same number).
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
        let readers = db::sqlite_readers(&url, workers + 1, logins.clone())?;
        let hearing = Arc::new(Hearing::new(logins));
        let login_listener = match &url {
            DatabaseUrl::Postgres { url } => Some(
                login_listener::spawn(url, &hearing)
                    .context("starting the listener for changes of logins")?,
            ),
            DatabaseUrl::Sqlite { .. } => None,
        };
        let secret = signing_secret(&config)?;
        let keys = JwtKeys::new(
            secret.as_bytes(),
            &config.public_base_url,
            config.access_token_ttl_secs,
        )?
        .with_previous(
            config
                .previous_signing_keys
                .iter()
                .map(|k| k.expose().as_bytes()),
        )
        .context("BUDDYMATCH_PREVIOUS_SIGNING_KEYS")?;
        let state = web::Data::new(AppState {
            pool,
            readers,
            keys: keys.clone(),
            throttle: LoginThrottle::new(
                config.login_max_failures,
                Duration::from_secs(config.login_window_secs),
            ),
            mail_throttle: LoginThrottle::new(3, Duration::from_secs(3600)),
            register_throttle: LoginThrottle::new(
                config.register_max_per_hour,
                Duration::from_secs(3600),
            ),
            trusted_proxies: config.trusted_proxies.clone(),
            unverified_ttl_secs: (config.purge_unverified_days * 86_400) as i64,
            refresh_ttl_secs: (config.refresh_token_ttl_days * 86_400) as i64,
            public_base_url: config.public_base_url.clone(),
            web_app_url: config.web_app_url.clone(),
            organizer_email: config
                .mail_from
                .parse::<lettre::message::Mailbox>()
                .map(|m| m.email.to_string())
                .context("--mail-from")?,
            background: BackgroundTasks::on_current_runtime(),
            logins: LoginCache::new(hearing.clone()),
        });
        let background = state.background.clone();
        let state_here = state.clone().into_inner();
        crate::metrics::handle();
        let (stop_worker, stop_rx) = watch::channel(false);
        let stop_worker = Arc::new(stop_worker);
        let worker = tokio::spawn(crate::mail::worker::run(
            state.pool.clone(),
            transport,
            worker_settings,
            stop_rx.clone(),
        ));
        let purger = tokio::spawn(crate::service::privacy::purge_periodically(
            state.clone().into_inner(),
            Duration::from_secs(config.purge_interval_secs.max(1)),
            stop_rx,
        ));
        let limit = api::json::BodyLimit(config.max_body_bytes);
        let origins = web::Data::new(api::cors::AllowedOrigins(config.cors_origins.clone()));
        let metrics_access = web::Data::new(api::metrics::MetricsAccess {
            token: config.metrics_token.clone(),
            server_timing: config.server_timing,
        });

        let listener =
            TcpListener::bind(&config.bind).with_context(|| format!("binding {}", config.bind))?;
        let port = listener.local_addr()?.port();
        let server = HttpServer::new(move || {
            // Outermost last: the security headers go on every response,
            // CORS refusals included, and CORS headers on problem bodies.
            actix_web::App::new()
                .wrap(actix_web::middleware::from_fn(api::settle_login_checks))
                .wrap(actix_web::middleware::from_fn(api::head_as_get))
                .wrap(api::problem_responses())
                .wrap(api::cors::cors(&origins))
                .wrap(actix_web::middleware::from_fn(
                    api::cors::preflight_refusals,
                ))
                .wrap(api::security_headers())
                .wrap(TracingLogger::<api::logging::RedactedSpans>::new())
                .wrap(actix_web::middleware::from_fn(api::metrics::track))
                .app_data(state.clone())
                .app_data(origins.clone())
                .app_data(metrics_access.clone())
                .app_data(limit)
                .app_data(api::json::query_config())
                .app_data(api::json::path_config())
                .configure(api::routes)
        })
        .workers(workers as usize)
        .listen(listener)?
        .shutdown_timeout(config.shutdown_timeout_secs)
        // actix would stop gracefully on SIGTERM but abruptly on SIGINT;
        // `shutdown_on_signals` treats both alike, and test servers (many
        // in one process) install no handlers at all.
        .disable_signals()
        .run();
        Ok(App {
            port,
            server,
            stop_worker,
            worker,
            purger,
            listener: login_listener,
            background,
            stopping_since: Arc::new(OnceLock::new()),
            shutdown_timeout: Duration::from_secs(config.shutdown_timeout_secs),
            state: state_here,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    pub fn shutdown(&self) -> Shutdown {
        Shutdown {
            server: self.server.handle(),
            worker: self.stop_worker.clone(),
            stopping_since: self.stopping_since.clone(),
        }
    }

    /// Serves until the server is stopped (signal or handle), then lets the
    /// work that answered requests left running (a password-reset email)
    /// and the mail worker's message in hand finish, within what is left of
    /// the shutdown timeout; then closes the database connections.
    pub async fn run_until_stopped(self) -> std::io::Result<Stopped> {
        let result = self.server.await;
        let _ = self.stop_worker.send(true);
        let since = *self.stopping_since.get_or_init(tokio::time::Instant::now);
        if !self.background.is_empty() {
            tracing::info!(
                tasks = self.background.len(),
                "shutting down: waiting for work started by answered requests"
            );
        }
        if !self.background.drain(since + self.shutdown_timeout).await {
            tracing::warn!(
                tasks = self.background.len(),
                "shutting down: work started by answered requests cut off by the shutdown timeout"
            );
        }
        let _ = self.worker.await;
        let _ = self.purger.await;
        // Its connections closed before the process ends, not torn down
        // with it mid-read.
        if let Some(listener) = self.listener {
            tokio::task::spawn_blocking(move || listener.stop(Duration::from_secs(2)))
                .await
                .ok();
        }
        let deadline =
            (since + self.shutdown_timeout).max(tokio::time::Instant::now() + RELEASE_GRACE);
        let stopped = release(self.state, deadline).await;
        result.map(|()| stopped)
    }
}

/// How long the HTTP workers' threads get to let go of the app after they
/// report their stop.
const RELEASE_GRACE: Duration = Duration::from_secs(2);

/// Waits until nothing but the caller holds the app, then drops it here,
/// which closes the database connections properly.
///
/// actix's workers report that they stopped before their threads drop
/// their services, and with them their share of the app. Left to the
/// process exit, every PostgreSQL connection was cut rather than closed, and
/// the database logged "could not receive data from client: Connection
/// reset by peer" for each at every stop.
async fn release(state: Arc<AppState>, deadline: tokio::time::Instant) -> Stopped {
    let started = tokio::time::Instant::now();
    while Arc::strong_count(&state) > 1 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let holders = Arc::strong_count(&state) - 1;
    let pool = state.pool.state();
    let in_use = pool.connections - pool.idle_connections;
    tracing::debug!(
        waited_ms = started.elapsed().as_millis() as u64,
        holders,
        in_use,
        "shutting down: releasing the database pools"
    );
    drop(state);
    if holders == 0 && in_use == 0 {
        Stopped::Cleanly
    } else {
        tracing::warn!(
            holders,
            connections_in_use = in_use,
            "shutting down: work cut off by the shutdown timeout still runs; it ends with the process"
        );
        Stopped::WithWorkCutOff
    }
}

/// Waits for SIGTERM or SIGINT (Ctrl-C), then stops the app gracefully.
pub async fn shutdown_on_signals(shutdown: Shutdown) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        let name = tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        };
        tracing::info!(
            signal = name,
            "stopping: no new connections; finishing requests in flight and the email in hand"
        );
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await?;
        tracing::info!(
            "stopping: no new connections; finishing requests in flight and the email in hand"
        );
    }
    shutdown.stop().await;
    Ok(())
}

/// The configured key, or the key file, generated on first start. A key
/// file readable by others is refused: anyone who reads it can mint tokens.
pub fn signing_secret(config: &Config) -> anyhow::Result<String> {
    if let Some(k) = &config.signing_key {
        return Ok(k.expose().to_string());
    }
    let path = config.signing_key_file();
    if path.exists() {
        check_private(&path)?;
        let key = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        return Ok(key.trim().to_string());
    }
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() && !dir.exists() {
            crate::files::private_dir(dir)?;
        }
    }
    let key = crate::auth::tokens::new_token() + &crate::auth::tokens::new_token();
    write_private(&path, &key)?;
    tracing::warn!(path = %path.display(), "generated a new signing key; production should set BUDDYMATCH_SIGNING_KEY or a managed key file");
    Ok(key)
}

#[cfg(unix)]
fn write_private(path: &Path, content: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(content.as_bytes())?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, content: &str) -> anyhow::Result<()> {
    std::fs::write(path, content).with_context(|| format!("creating {}", path.display()))
}

#[cfg(unix)]
fn check_private(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)?.permissions().mode();
    anyhow::ensure!(
        mode & 0o077 == 0,
        "signing key file {} is readable by others (mode {:o}); run chmod 600 on it",
        path.display(),
        mode & 0o777
    );
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> anyhow::Result<()> {
    Ok(())
}
