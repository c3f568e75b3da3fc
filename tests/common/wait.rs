//! Waiting for what the server does on its own (the mail worker, sweeps,
//! other processes): poll until a condition holds, or fail saying what
//! never happened.

use super::TestApp;
use std::fmt;
use std::time::{Duration, Instant};

/// How long the mail worker gets to settle the outbox.
pub(super) const OUTBOX_WAIT: Duration = Duration::from_secs(20);

/// Polls `done` every 50 ms until it holds. After `within` it fails with
/// `what`, formatted only then, so it can show the state at that moment.
pub async fn wait_until(what: impl fmt::Display, within: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !done() {
        assert!(
            Instant::now() < deadline,
            "timed out after {within:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Names what is awaited and, when formatted, the outbox as it is then.
struct WithOutbox<'a> {
    what: &'a str,
    app: &'a TestApp,
}

impl fmt::Display for WithOutbox<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}; the outbox: {:?}", self.what, self.app.outbox())
    }
}

impl TestApp {
    /// Waits until the outbox rows (status, attempts, recipient) satisfy
    /// `done`.
    pub async fn wait_for_outbox(
        &self,
        what: &str,
        done: impl Fn(&[(String, i32, String)]) -> bool,
    ) {
        let message = WithOutbox { what, app: self };
        wait_until(message, OUTBOX_WAIT, || done(&self.outbox())).await
    }
}

/// How many sessions on this PostgreSQL database wait on a lock: how a test
/// that forces a race sees the request it started blocked on a row it holds.
pub fn lock_waiters(c: &mut buddymatch::store::DbConnection) -> i64 {
    use diesel::prelude::*;
    diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "(SELECT count(*) FROM pg_stat_activity \
          WHERE datname = current_database() AND wait_event_type = 'Lock')",
    ))
    .get_result(c)
    .unwrap()
}

impl TestApp {
    /// Waits until some session on this PostgreSQL database waits on a lock.
    pub async fn wait_for_lock_waiter(&self, what: &str) {
        let within = Duration::from_secs(20);
        wait_until(what, within, || self.with_db(lock_waiters) > 0).await
    }
}
