//! A test fails when it leaves email undelivered: every email the service
//! writes must reach the mail folder or SMTP server (`sent`), or run out of
//! attempts on purpose (`failed`). When the `TestApp` goes, the outbox gets
//! the time the other waits give the worker to settle; an email still
//! pending or being sent then is a bug (a message that never goes, a worker
//! that stalls) unless the test says it means to leave one
//! ([`super::TestApp::allow_undelivered_mail`]).

use diesel::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub(super) struct UndeliveredCheck {
    database_url: String,
    allowed: AtomicBool,
}

impl UndeliveredCheck {
    pub(super) fn new(database_url: &str) -> UndeliveredCheck {
        UndeliveredCheck {
            database_url: database_url.to_string(),
            allowed: AtomicBool::new(false),
        }
    }

    pub(super) fn allow(&self) {
        self.allowed.store(true, Ordering::Relaxed);
    }

    /// (status, kind, recipient) of every email neither sent nor failed.
    fn undelivered(conn: &mut buddymatch::store::DbConnection) -> Vec<(String, String, String)> {
        use buddymatch::store::schema::outbox::dsl::*;
        outbox
            .filter(status.ne_all(["sent", "failed"]))
            .order(created_at.asc())
            .select((status, kind, recipient))
            .load(&mut *conn)
            .unwrap()
    }

    fn wait_until_delivered(&self) {
        let parsed = buddymatch::store::DatabaseUrl::parse(&self.database_url).unwrap();
        let pool = buddymatch::store::db::pool(&parsed, 1).unwrap();
        let mut conn = pool.get().unwrap();
        let deadline = Instant::now() + super::wait::OUTBOX_WAIT;
        loop {
            let left = Self::undelivered(&mut conn);
            if left.is_empty() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the test left email undelivered after {:?} (if it means to, call \
                 app.allow_undelivered_mail()): {left:?}",
                super::wait::OUTBOX_WAIT
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for UndeliveredCheck {
    fn drop(&mut self) {
        // A failing test has said what went wrong; a second panic would abort.
        if std::thread::panicking() || self.allowed.load(Ordering::Relaxed) {
            return;
        }
        // The worker runs on the test's runtime: this thread waits aside so
        // that the runtime's other threads go on delivering.
        tokio::task::block_in_place(|| self.wait_until_delivered());
    }
}
