//! What every server layer needs of the process: the wall clock, and a way
//! to run blocking work (diesel, argon2) off the async workers. It sits
//! beneath mail, auth and the service layer, which all need it, so none of
//! them has to reach up into another for it.

use crate::error::AppError;
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tracing::Instrument;

thread_local! {
    /// Queries this thread has run, and their time in microseconds.
    static QUERIES: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
    /// Set while a read runs on the async worker itself (see [`reading`]).
    static INLINE: Cell<bool> = const { Cell::new(false) };
}

tokio::task_local! {
    /// The request being served: its database work, summed over every
    /// [`blocking`] call it makes, and the check of its login that waits
    /// for the first of them.
    static REQUEST: Arc<RequestWork>;
}

/// A check that must pass before a request touches any data.
pub type Check = Box<dyn FnOnce() -> Result<(), AppError> + Send>;

/// What [`blocking`] keeps for the request it serves.
#[derive(Default)]
pub struct RequestWork {
    tally: QueryTally,
    pending: std::sync::Mutex<Option<Check>>,
    login: std::sync::atomic::AtomicU8,
}

/// How a request's login was confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginCheck {
    /// In the database (one query of the request's).
    Checked,
    /// By a recent check this instance may still trust.
    Cached,
}

impl RequestWork {
    pub fn queries(&self) -> &QueryTally {
        &self.tally
    }

    pub fn login(&self) -> Option<LoginCheck> {
        match self.login.load(Ordering::Relaxed) {
            1 => Some(LoginCheck::Checked),
            2 => Some(LoginCheck::Cached),
            _ => None,
        }
    }
}

/// Notes how the request being served had its login confirmed.
pub fn note_login(how: LoginCheck) {
    let code = match how {
        LoginCheck::Checked => 1,
        LoginCheck::Cached => 2,
    };
    let _ = REQUEST.try_with(|w| w.login.store(code, Ordering::Relaxed));
}

/// How many queries a request ran and how long they took.
#[derive(Debug, Default)]
pub struct QueryTally {
    count: AtomicU64,
    micros: AtomicU64,
}

impl QueryTally {
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    pub fn time(&self) -> Duration {
        Duration::from_micros(self.micros.load(Ordering::Relaxed))
    }
}

/// Called by the store for every query it finishes.
pub fn note_query(took: Duration) {
    QUERIES.with(|q| {
        let (n, us) = q.get();
        q.set((n + 1, us + took.as_micros() as u64));
    });
}

/// Runs a request's future, tallying the queries of its blocking work.
pub async fn serving_request<F: std::future::Future>(fut: F) -> (F::Output, Arc<RequestWork>) {
    let work = Arc::new(RequestWork::default());
    let out = REQUEST.scope(work.clone(), fut).await;
    (out, work)
}

/// Defers `check` to the request's first [`blocking`] call, which runs it
/// first on its own thread: checking the login on a thread of its own cost
/// each request a second hand-over between threads. Outside a request, or
/// with a check already waiting, it runs at once.
pub async fn before_any_data(check: Check) -> Result<(), AppError> {
    let mut check = Some(check);
    let _ = REQUEST.try_with(|w| {
        let mut pending = w.pending.lock().unwrap_or_else(|p| p.into_inner());
        if pending.is_none() {
            *pending = check.take();
        }
    });
    match check {
        None => Ok(()),
        Some(check) => blocking(check).await,
    }
}

/// Runs the request's deferred check if no [`blocking`] call ran it: a
/// request answered without touching data must still come from a valid
/// login, or it is refused as before.
pub async fn settle_checks() -> Result<(), AppError> {
    let pending = REQUEST
        .try_with(|w| w.pending.lock().unwrap_or_else(|p| p.into_inner()).take())
        .ok()
        .flatten();
    match pending {
        Some(check) => blocking(check).await,
        None => Ok(()),
    }
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// Runs blocking work (diesel, argon2) off the async workers, inside the
/// caller's tracing span so logs keep the request id.
pub async fn blocking<T, F>(f: F) -> Result<T, AppError>
where
    F: FnOnce() -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let span = tracing::Span::current();
    let (work, check) = request_and_check();
    actix_web::web::block(move || span.in_scope(|| tallied(work, check, f)))
        .instrument(tracing::Span::current())
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("blocking task failed: {e}")))?
}

/// Runs a short read of a member's own data. With `inline` it runs on the
/// calling async worker instead of a pool thread: handing the work to a
/// pool thread and back was the larger part of such a request's cost on
/// SQLite, where a read from the page cache takes microseconds and, in WAL
/// mode, never waits for a writer. Only reads go here: their connections
/// (`AppState::conn` while [`reading_inline`]) refuse to write. Without
/// `inline` (PostgreSQL, where every query is a round trip that would hold
/// the worker up) it is [`blocking`].
pub async fn reading<T, F>(inline: bool, f: F) -> Result<T, AppError>
where
    F: FnOnce() -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    if !inline {
        return blocking(f).await;
    }
    let (work, check) = request_and_check();
    INLINE.with(|i| i.set(true));
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| tallied(work, check, f)));
    INLINE.with(|i| i.set(false));
    out.unwrap_or_else(|_| Err(AppError::Internal(anyhow::anyhow!("a read panicked"))))
}

/// Whether the work running on this thread is a read on the async worker.
pub fn reading_inline() -> bool {
    // Never a panic while the thread's locals are being torn down.
    INLINE.try_with(Cell::get).unwrap_or(false)
}

/// The request being served, and the check of its login still waiting.
fn request_and_check() -> (Option<Arc<RequestWork>>, Option<Check>) {
    let work = REQUEST.try_with(Arc::clone).ok();
    let check = work
        .as_ref()
        .and_then(|w| w.pending.lock().unwrap_or_else(|p| p.into_inner()).take());
    (work, check)
}

/// Runs the waiting check, then `f`, counting their queries for the request.
fn tallied<T>(
    work: Option<Arc<RequestWork>>,
    check: Option<Check>,
    f: impl FnOnce() -> Result<T, AppError>,
) -> Result<T, AppError> {
    let before = QUERIES.with(Cell::get);
    let out = check.map_or(Ok(()), |c| c()).and_then(|()| f());
    if let Some(w) = work {
        let after = QUERIES.with(Cell::get);
        w.tally
            .count
            .fetch_add(after.0 - before.0, Ordering::Relaxed);
        w.tally
            .micros
            .fetch_add(after.1 - before.1, Ordering::Relaxed);
    }
    out
}
