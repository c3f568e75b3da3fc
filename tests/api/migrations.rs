//! Every migration reverses cleanly and applies again, on both backends, so
//! a failed deploy can be rolled back (`diesel migration revert`).

use crate::common::{Backend, TestDb};
use buddymatch::store::db::{run_migrations, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
use buddymatch::store::DbConnection;
use diesel_migrations::MigrationHarness;

fn down_and_up_again(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(backend, dir.path());
    let parsed = buddymatch::store::DatabaseUrl::parse(&db.url).unwrap();
    let pool = buddymatch::store::db::pool(&parsed, 1).unwrap();
    let mut conn = pool.get().unwrap();
    let first = run_migrations(&mut conn).unwrap();
    assert!(first.len() >= 8, "{first:?}");
    let reverted: Vec<String> = match &mut *conn {
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS),
        DbConnection::Postgres(c) => c.revert_all_migrations(POSTGRES_MIGRATIONS),
    }
    .unwrap_or_else(|e| panic!("reverting on {backend:?}: {e}"))
    .iter()
    .map(|v| v.to_string())
    .collect();
    let mut expected = first.clone();
    expected.reverse();
    assert_eq!(reverted, expected);
    let again = run_migrations(&mut conn).unwrap();
    assert_eq!(again, first);
}

#[test]
fn every_migration_reverses_and_applies_again_on_sqlite() {
    down_and_up_again(Backend::Sqlite);
}

#[test]
fn every_migration_reverses_and_applies_again_on_postgres() {
    down_and_up_again(Backend::Postgres);
}
