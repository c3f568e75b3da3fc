//! When an access token's login may have stopped holding: a login ended, a
//! role changed, an account was erased or deleted. Every such change bumps
//! one process-wide epoch, and a cached check of a login
//! (`service::login_cache`) counts only while the epoch it was
//! made in is still the current one.
//!
//! A change made here bumps the epoch once its transaction has committed: a
//! bump before the commit would let a check that read the old rows in the
//! meantime be cached under the new epoch. A change made by another
//! instance reaches this one through PostgreSQL (`login_listener`).

use super::DbConnection;
use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// One database's count of changes of logins, shared by its pool's
/// connections, its listener and its cache of checked logins.
#[derive(Debug, Clone, Default)]
pub struct LoginEpoch(Arc<AtomicU64>);

impl LoginEpoch {
    pub fn current(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }

    /// Voids every check of a login made before now.
    pub fn bump(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }
}

thread_local! {
    /// Write transactions open on this thread, and the epoch a change in
    /// them is to bump once they end.
    static OPEN: RefCell<(u32, Option<LoginEpoch>)> = const { RefCell::new((0, None)) };
}

/// Called by the store functions that end logins, change roles or erase
/// and delete accounts, with the connection they did it on.
pub(crate) fn changed(conn: &mut DbConnection) {
    let Some(epoch) = super::db::login_epoch_of(conn) else {
        return;
    };
    // A thread whose locals are being torn down has no transaction open.
    let deferred = OPEN
        .try_with(|o| {
            let mut o = o.borrow_mut();
            let open = o.0 > 0;
            if open {
                o.1 = Some(epoch.clone());
            }
            open
        })
        .unwrap_or(false);
    if !deferred {
        epoch.bump();
    }
}

/// Marks a write transaction open on this thread until dropped, after the
/// commit or rollback. A rolled-back change bumps too, which costs a cached
/// check and nothing else.
pub(crate) struct WriteTransaction(());

impl WriteTransaction {
    pub(crate) fn begin() -> WriteTransaction {
        let _ = OPEN.try_with(|o| o.borrow_mut().0 += 1);
        WriteTransaction(())
    }
}

impl Drop for WriteTransaction {
    fn drop(&mut self) {
        let pending = OPEN
            .try_with(|o| {
                let mut o = o.borrow_mut();
                o.0 = o.0.saturating_sub(1);
                if o.0 == 0 {
                    o.1.take()
                } else {
                    None
                }
            })
            .ok()
            .flatten();
        if let Some(epoch) = pending {
            epoch.bump();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{db, DatabaseUrl};

    fn connection() -> (tempfile::TempDir, db::PooledConn, LoginEpoch) {
        let dir = tempfile::tempdir().unwrap();
        let url =
            DatabaseUrl::parse(&format!("sqlite://{}", dir.path().join("t.db").display())).unwrap();
        let epoch = LoginEpoch::default();
        let pool = db::pool_with_logins(&url, 1, epoch.clone()).unwrap();
        let conn = pool.get().unwrap();
        (dir, conn, epoch)
    }

    #[test]
    fn a_change_inside_a_transaction_counts_once_it_ends() {
        let (_dir, mut conn, epoch) = connection();
        let _: Result<(), diesel::result::Error> = db::write_tx(&mut conn, |c| {
            let _inner = WriteTransaction::begin();
            changed(c);
            drop(_inner);
            assert_eq!(epoch.current(), 0, "not before the commit");
            Ok(())
        });
        assert_eq!(epoch.current(), 1);
    }

    #[test]
    fn a_change_outside_a_transaction_counts_at_once() {
        let (_dir, mut conn, epoch) = connection();
        changed(&mut conn);
        assert_eq!(epoch.current(), 1);
    }
}
