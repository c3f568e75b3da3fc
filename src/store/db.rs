//! Connections and migrations for both backends behind one type.

use super::login_changes::LoginEpoch;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// How long after its last clean use a pooled connection is handed out
/// again without a ping. r2d2 pings on every checkout by default: on
/// PostgreSQL that was a round trip more per checkout, two per
/// authenticated request, for connections that had just answered. One
/// that sat idle longer (the server may have closed it) or whose last
/// query failed is pinged as before. HikariCP skips its check for 500 ms.
const TRUSTED_FOR: Duration = Duration::from_millis(500);

/// Watches every query of one connection: counts it for the request it
/// serves (`runtime::note_query`) and keeps what the pool needs to know of
/// the connection's health (diesel keeps it with the connection, so the
/// pool's checks find it there).
struct Watch {
    /// When the connection last went back to the pool.
    returned: Instant,
    /// A query failed since the connection was last checked.
    failed: bool,
    /// The pool is checking the connection: its ping is nobody's query.
    pinging: bool,
    started: Option<Instant>,
    /// The pool's count of connections found lost, and its value when this
    /// one was last checked: one lost connection (the server restarted or
    /// dropped its clients) makes every other one be pinged before its next
    /// use, so requests after an outage find live connections at once.
    losses: Arc<AtomicU64>,
    checked_at_loss: u64,
    /// What a change of a login made on this connection bumps.
    logins: LoginEpoch,
}

/// The connection's [`Watch`], which every pooled connection has.
fn watch(conn: &mut DbConnection) -> Option<&mut Watch> {
    conn.instrumentation().downcast_mut::<Watch>()
}

/// The count of changes of logins of the database `conn` belongs to.
pub(super) fn login_epoch_of(conn: &mut DbConnection) -> Option<LoginEpoch> {
    watch(conn).map(|w| w.logins.clone())
}

impl diesel::connection::Instrumentation for Watch {
    fn on_connection_event(&mut self, event: diesel::connection::InstrumentationEvent<'_>) {
        use diesel::connection::InstrumentationEvent as E;
        match event {
            E::StartQuery { .. } => self.started = Some(Instant::now()),
            E::FinishQuery { error, .. } => {
                let took = self.started.take().map(|t| t.elapsed()).unwrap_or_default();
                if !self.pinging {
                    crate::runtime::note_query(took);
                }
                self.failed |= error.is_some();
                use diesel::result::{DatabaseErrorKind as K, Error};
                if let Some(Error::DatabaseError(K::ClosedConnection | K::UnableToSendCommand, _)) =
                    error
                {
                    self.losses.fetch_add(1, Ordering::Relaxed);
                }
            }
            _ => {}
        }
    }
}

/// Where the data lives, decided by the URL's scheme alone: trying each
/// backend in turn (the derive's `establish`) would turn a mistyped
/// PostgreSQL URL into a stray SQLite file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite { path: String },
    Postgres { url: String },
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if let Some(path) = raw.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err("sqlite:// URL needs a file path, e.g. sqlite://buddymatch.db".into());
            }
            Ok(DatabaseUrl::Sqlite {
                path: path.to_string(),
            })
        } else if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            Ok(DatabaseUrl::Postgres {
                url: raw.to_string(),
            })
        } else {
            Err(format!(
                "unsupported database URL scheme in {:?}: use sqlite://PATH or postgres://…",
                raw.split("://").next().unwrap_or_default()
            ))
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            DatabaseUrl::Sqlite { .. } => "sqlite",
            DatabaseUrl::Postgres { .. } => "postgres",
        }
    }
}

pub struct Manager {
    url: DatabaseUrl,
    /// Connections found lost so far (see [`Watch`]).
    losses: Arc<AtomicU64>,
    logins: LoginEpoch,
    /// SQLite connections that refuse to write (`PRAGMA query_only`).
    read_only: bool,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        let mut conn = self.open()?;
        conn.set_instrumentation(Watch {
            returned: Instant::now(),
            failed: false,
            pinging: false,
            started: None,
            checked_at_loss: self.losses.load(Ordering::Relaxed),
            losses: self.losses.clone(),
            logins: self.logins.clone(),
        });
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        let losses = self.losses.load(Ordering::Relaxed);
        if let Some(w) = watch(conn) {
            if w.returned.elapsed() < TRUSTED_FOR && !w.failed && w.checked_at_loss == losses {
                return Ok(());
            }
            w.pinging = true;
        }
        let answered = ping(conn);
        if let Some(w) = watch(conn) {
            w.pinging = false;
            w.failed = answered.is_err();
            w.checked_at_loss = losses;
        }
        answered.map_err(r2d2::Error::QueryError)
    }

    /// A connection whose transaction was left open (a panic mid-way) goes
    /// back to nobody: r2d2 drops it instead.
    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        use diesel::connection::{AnsiTransactionManager, TransactionManager};
        if let Some(w) = watch(conn) {
            w.returned = Instant::now();
        }
        match conn {
            DbConnection::Sqlite(c) => AnsiTransactionManager::is_broken_transaction_manager(c),
            DbConnection::Postgres(c) => AnsiTransactionManager::is_broken_transaction_manager(c),
        }
    }
}

impl Manager {
    fn open(&self) -> Result<DbConnection, r2d2::Error> {
        match &self.url {
            DatabaseUrl::Sqlite { path } => {
                let mut c = diesel::SqliteConnection::establish(path)
                    .map_err(r2d2::Error::ConnectionError)?;
                // WAL lets readers run beside the writer; busy_timeout turns
                // writer contention into waiting instead of SQLITE_BUSY errors.
                // busy_timeout first: the pool opens several connections at
                // once and switching to WAL briefly needs the write lock.
                // secure_delete: an erased member's data must not linger in
                // free pages of the file.
                c.batch_execute(
                    "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
                     PRAGMA secure_delete = ON;",
                )
                .map_err(r2d2::Error::QueryError)?;
                if self.read_only {
                    c.batch_execute("PRAGMA query_only = ON;")
                        .map_err(r2d2::Error::QueryError)?;
                }
                Ok(DbConnection::Sqlite(c))
            }
            DatabaseUrl::Postgres { url } => establish_postgres(url)
                .map(DbConnection::Postgres)
                .map_err(r2d2::Error::ConnectionError),
        }
    }
}

/// Opens a PostgreSQL connection; every one the service opens comes here.
///
/// libpq encrypts with OpenSSL, which by default frees its global state in
/// an `atexit` handler. The process ends while some of its threads still
/// run (a blocking-pool thread that ran queries can be leaving at that very
/// moment and freeing its own OpenSSL state), and the two frees met: a
/// server on PostgreSQL sometimes ended its stop with "double free or
/// corruption (fasttop)" instead of exit 0 (a core showed the exiting
/// thread in glibc's thread-cache shutdown while the main thread ran the
/// exit handlers; openssl/openssl#17469 describes the race). Starting
/// OpenSSL ourselves before libpq does, without that handler, leaves its
/// memory to the operating system at exit; the first start decides.
pub fn establish_postgres(url: &str) -> diesel::ConnectionResult<diesel::PgConnection> {
    openssl_sys::init();
    diesel::PgConnection::establish(url)
}

/// Brings PostgreSQL's row statistics of `tables` (every table when none
/// is named) up to date after a bulk write, so the plans of the statements every member request runs (kept
/// prepared, and planned generically after five runs) fit the tables as
/// they now are. Without it, the first reads of a published round's matches
/// planned them as if the tables were still empty (a scan of every match of
/// the round per request, about a quarter of the rate) until autovacuum got
/// round to them. A refresh that fails costs speed only, so it is logged and
/// not returned. SQLite plans from its indexes without statistics.
pub fn refresh_statistics(conn: &mut DbConnection, tables: &[&str]) {
    let DbConnection::Postgres(pg) = conn else {
        return;
    };
    if let Err(e) = pg.batch_execute(&format!("ANALYZE {}", tables.join(", "))) {
        tracing::warn!(error = %e, "refreshing table statistics failed");
    }
}

/// The cheapest query: does the database answer?
pub fn ping(conn: &mut DbConnection) -> QueryResult<()> {
    conn.batch_execute("SELECT 1")
}

pub fn pool(url: &DatabaseUrl, size: u32) -> anyhow::Result<Pool> {
    pool_with_logins(url, size, LoginEpoch::default())
}

/// A pool whose changes of logins bump `logins`, which the server's cache
/// of checked logins reads.
pub fn pool_with_logins(url: &DatabaseUrl, size: u32, logins: LoginEpoch) -> anyhow::Result<Pool> {
    build_pool(url, size, logins, false)
}

/// Connections of a SQLite database that refuse every write, for reads
/// that must not take the writers' turn (see `runtime::reading`); `None`
/// for PostgreSQL.
pub fn sqlite_readers(
    url: &DatabaseUrl,
    size: u32,
    logins: LoginEpoch,
) -> anyhow::Result<Option<Pool>> {
    match url {
        DatabaseUrl::Sqlite { .. } => build_pool(url, size, logins, true).map(Some),
        DatabaseUrl::Postgres { .. } => Ok(None),
    }
}

fn build_pool(
    url: &DatabaseUrl,
    size: u32,
    logins: LoginEpoch,
    read_only: bool,
) -> anyhow::Result<Pool> {
    if let DatabaseUrl::Sqlite { path } = url {
        crate::files::private_sqlite(path)?;
    }
    let pool = r2d2::Pool::builder()
        .max_size(size)
        .connection_timeout(Duration::from_secs(5))
        .build(Manager {
            url: url.clone(),
            losses: Arc::new(AtomicU64::new(0)),
            logins,
            read_only,
        })?;
    Ok(pool)
}

/// Applies pending migrations. Several instances may start at once on one
/// PostgreSQL database, and diesel's harness takes no lock, so an advisory
/// lock serialises them.
pub fn run_migrations(conn: &mut DbConnection) -> anyhow::Result<Vec<String>> {
    const LOCK_KEY: i64 = 0x6275_6464_796d;
    let applied = match conn {
        DbConnection::Sqlite(c) => c
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("sqlite migrations failed: {e}"))?
            .iter()
            .map(|v| v.to_string())
            .collect(),
        DbConnection::Postgres(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({LOCK_KEY})"))?;
            let result = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|vs| vs.iter().map(|v| v.to_string()).collect::<Vec<_>>())
                .map_err(|e| anyhow::anyhow!("postgres migrations failed: {e}"));
            c.batch_execute(&format!("SELECT pg_advisory_unlock({LOCK_KEY})"))?;
            result?
        }
    };
    Ok(applied)
}

/// Inserts `rows` into `table`, a thousand rows a statement on PostgreSQL
/// (a round's rows would otherwise cost one round trip each). diesel runs a
/// SQLite batch as a transaction of its own, which cannot nest in
/// [`write_tx`]'s, so SQLite goes row by row: no round trips to save there.
macro_rules! insert_batched {
    ($conn:expr, $table:expr, $rows:expr) => {{
        let conn: &mut $crate::store::DbConnection = $conn;
        let mut n = 0usize;
        for chunk in $rows.chunks(1_000) {
            n += match conn {
                $crate::store::DbConnection::Postgres(c) => {
                    diesel::insert_into($table).values(chunk).execute(c)?
                }
                $crate::store::DbConnection::Sqlite(c) => {
                    let mut k = 0;
                    for row in chunk {
                        k += diesel::insert_into($table).values(row).execute(c)?;
                    }
                    k
                }
            };
        }
        Ok::<usize, diesel::result::Error>(n)
    }};
}
pub(crate) use insert_batched;

/// How long a writer waits for its turn: SQLite's own busy timeout, so a
/// writer stuck behind a long one fails as before, as busy (a 503).
const SQLITE_WRITER_WAIT: Duration = Duration::from_secs(5);

/// SQLite has one writer at a time. Left to SQLite, waiting writers poll
/// with sleeps of up to 100 ms and whoever polls at the right moment wins,
/// so under load a member's save could wait behind dozens of later ones
/// (a p99 of 400-700 ms in `bench/load`). Writers of this process queue
/// here instead, first come first served, and are woken the moment the
/// previous one commits; `busy_timeout` still covers other processes (the
/// command-line tools). One process serves one database, so one queue per
/// process suffices; tests that run several apps in one process only share
/// their turns.
fn sqlite_writer_turn() -> Result<parking_lot::FairMutexGuard<'static, ()>, diesel::result::Error> {
    static WRITERS: parking_lot::FairMutex<()> = parking_lot::const_fair_mutex(());
    WRITERS.try_lock_for(SQLITE_WRITER_WAIT).ok_or_else(|| {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::Unknown,
            Box::new("database is locked (waited for the writers before this one)".to_string()),
        )
    })
}

/// A transaction that writes. On SQLite it starts with `BEGIN IMMEDIATE`, so
/// a read-then-write never fails half-way on lock upgrade (SQLITE_BUSY);
/// `busy_timeout` then makes writers queue. Store functions never open
/// transactions themselves, so no nesting happens under this one.
pub fn write_tx<T, E>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    let _changes = super::login_changes::WriteTransaction::begin();
    match conn {
        DbConnection::Sqlite(_) => {
            let _turn = sqlite_writer_turn()?;
            conn.batch_execute("BEGIN IMMEDIATE")?;
            // diesel does not know of this transaction, so a panic inside
            // must roll it back here, or the pooled connection would carry
            // it (and the write lock) to its next user.
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(conn)));
            let outcome = match outcome {
                Ok(o) => o,
                Err(panic) => {
                    let _ = conn.batch_execute("ROLLBACK");
                    std::panic::resume_unwind(panic)
                }
            };
            match outcome {
                Ok(v) => {
                    if let Err(e) = conn.batch_execute("COMMIT") {
                        let _ = conn.batch_execute("ROLLBACK");
                        return Err(e.into());
                    }
                    Ok(v)
                }
                Err(e) => {
                    let _ = conn.batch_execute("ROLLBACK");
                    Err(e)
                }
            }
        }
        DbConnection::Postgres(_) => conn.transaction(f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_a_write_transaction_leaves_no_transaction_open() {
        let dir = tempfile::tempdir().unwrap();
        let url =
            DatabaseUrl::parse(&format!("sqlite://{}", dir.path().join("t.db").display())).unwrap();
        let pool = pool(&url, 1).unwrap();
        let mut conn = pool.get().unwrap();
        conn.batch_execute("CREATE TABLE t (x INTEGER)").unwrap();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _: Result<(), diesel::result::Error> = write_tx(&mut conn, |c| {
                c.batch_execute("INSERT INTO t VALUES (1)")?;
                panic!("bug in a service function");
            });
        }));
        assert!(result.is_err());
        // A new transaction can begin (none is open) and the insert is gone.
        let n: i64 = write_tx(&mut conn, |c| {
            diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
                "(SELECT count(*) FROM t)",
            ))
            .get_result(c)
        })
        .unwrap();
        assert_eq!(n, 0);
    }

    #[test]
    fn readers_of_a_sqlite_database_read_and_refuse_to_write() {
        let dir = tempfile::tempdir().unwrap();
        let url =
            DatabaseUrl::parse(&format!("sqlite://{}", dir.path().join("t.db").display())).unwrap();
        let writers = pool(&url, 1).unwrap();
        writers
            .get()
            .unwrap()
            .batch_execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);")
            .unwrap();
        let readers = sqlite_readers(&url, 2, LoginEpoch::default())
            .unwrap()
            .expect("SQLite has readers");
        let mut conn = readers.get().unwrap();
        let n: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
            "(SELECT count(*) FROM t)",
        ))
        .get_result(&mut conn)
        .unwrap();
        assert_eq!(n, 1);
        let refused = conn.batch_execute("INSERT INTO t VALUES (2)").unwrap_err();
        assert!(refused.to_string().contains("readonly"), "{refused}");
    }

    /// `.cargo/config.toml` builds the bundled SQLite for how the pool uses
    /// it; a build without those options is slower, not wrong, so only this
    /// test would notice.
    #[test]
    fn the_bundled_sqlite_is_built_for_the_pool() {
        let dir = tempfile::tempdir().unwrap();
        let url =
            DatabaseUrl::parse(&format!("sqlite://{}", dir.path().join("t.db").display())).unwrap();
        let mut conn = pool(&url, 1).unwrap().get().unwrap();
        for option in ["THREADSAFE=2", "DEFAULT_MEMSTATUS=0", "ENABLE_QPSG"] {
            let used: i32 = diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>(
                &format!("sqlite_compileoption_used('{option}')"),
            ))
            .get_result(&mut conn)
            .unwrap();
            assert_eq!(used, 1, "SQLite built with {option}");
        }
    }

    #[test]
    fn urls_choose_the_backend_by_scheme() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/x.db").unwrap(),
            DatabaseUrl::Sqlite {
                path: "data/x.db".into()
            }
        );
        assert!(matches!(
            DatabaseUrl::parse("postgresql://u@h/db").unwrap(),
            DatabaseUrl::Postgres { .. }
        ));
        assert!(DatabaseUrl::parse("mysql://x")
            .unwrap_err()
            .contains("mysql"));
        assert!(DatabaseUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn both_backends_have_the_same_migrations() {
        let names = |dir: &str| {
            let mut v: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        assert_eq!(names("migrations/sqlite"), names("migrations/postgres"));
    }
}
