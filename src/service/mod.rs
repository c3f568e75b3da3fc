//! Use cases. Each owns its transaction and calls store, auth, matching and
//! mail; none knows about HTTP. What several use cases share (paging, the
//! sharing choice) has a module of its own, so no two of them import each
//! other (`tests/layers.rs` checks it).

pub mod accounts;
pub mod appointments;
pub mod audit;
pub mod commitments;
pub mod conflicts;
pub mod demo;
pub mod email_links;
pub mod evidence;
pub mod health;
pub mod login_cache;
pub mod mail;
pub mod matches;
pub mod network;
pub mod paging;
pub mod pdf;
pub mod portfolio;
pub mod privacy;
pub mod profiles;
pub mod programmes;
pub mod reasons;
pub mod reminders;
pub mod round_mail;
pub mod rounds;
pub mod sharing;

use crate::auth::{JwtKeys, LoginThrottle};
use crate::error::AppError;
use crate::store::{db::PooledConn, Pool};
use tracing::Instrument;

// The use cases and their callers know the clock and the blocking helper as
// the service's; they live beneath it because mail and auth need them too.
pub use crate::runtime::{blocking, now, reading};

pub struct AppState {
    pub pool: Pool,
    /// On SQLite, read-only connections for the reads that run on the async
    /// workers (see `runtime::reading`).
    pub readers: Option<Pool>,
    pub keys: JwtKeys,
    pub throttle: LoginThrottle,
    /// Limits requests that send email to an address (password reset,
    /// verification), so nobody can flood a member's inbox.
    pub mail_throttle: LoginThrottle,
    /// Sign-ups per client address an hour.
    pub register_throttle: LoginThrottle,
    /// Peers (addresses or ranges) whose X-Forwarded-For names the real client.
    pub trusted_proxies: Vec<crate::config::IpRange>,
    /// Age at which a never-verified account is purged.
    pub unverified_ttl_secs: i64,
    pub refresh_ttl_secs: i64,
    pub public_base_url: String,
    /// The web front end, when deployed: links in email lead there.
    pub web_app_url: Option<String>,
    /// The address calendar invites name as their organiser: the sender
    /// address of outgoing email (see mail/ics.rs).
    pub organizer_email: String,
    /// Work that goes on after its request was answered.
    pub background: BackgroundTasks,
    /// Logins checked lately, when this instance hears every change of one.
    pub logins: login_cache::LoginCache,
}

/// Work a request starts and does not wait for (the password-reset email,
/// which must not make the answer slower for a known address). It runs on
/// the runtime that builds the app, which outlives the HTTP workers, and a
/// graceful stop waits for it: a task on a worker's runtime would be
/// dropped with that worker, losing its email.
#[derive(Clone)]
pub struct BackgroundTasks {
    tracker: tokio_util::task::TaskTracker,
    runtime: tokio::runtime::Handle,
}

impl BackgroundTasks {
    /// Must be called on the runtime that will run (and await) the app.
    pub fn on_current_runtime() -> BackgroundTasks {
        BackgroundTasks {
            tracker: tokio_util::task::TaskTracker::new(),
            runtime: tokio::runtime::Handle::current(),
        }
    }

    pub fn spawn<F>(&self, task: F)
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        // Inside the request's span, so its logs keep the request id.
        self.tracker
            .spawn_on(task.instrument(tracing::Span::current()), &self.runtime);
    }

    /// Tasks still running.
    pub fn len(&self) -> usize {
        self.tracker.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tracker.is_empty()
    }

    /// Waits until every task has finished, or `deadline`; false if some
    /// were still running then. Call once no new tasks can start.
    pub async fn drain(&self, deadline: tokio::time::Instant) -> bool {
        self.tracker.close();
        tokio::time::timeout_at(deadline, self.tracker.wait())
            .await
            .is_ok()
    }
}

impl AppState {
    pub fn conn(&self) -> Result<PooledConn, AppError> {
        if crate::runtime::reading_inline() {
            if let Some(readers) = &self.readers {
                // One per HTTP worker and a spare, so one is free at once
                // unless a lost one is being replaced; waiting for that keeps
                // the read on a connection that cannot write.
                return Ok(readers.try_get().map_or_else(|| readers.get(), Ok)?);
            }
        }
        Ok(self.pool.get()?)
    }

    /// Whether short reads run on the async workers (see
    /// `runtime::reading`): on SQLite.
    pub fn inline_reads(&self) -> bool {
        self.readers.is_some()
    }
}
