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

/// The version of the migration that asked members what to share.
const SHARING_ASKED: &str = "20261206000011";

/// Members who saved a profile before the sharing choice was asked keep
/// what they had (email and province shared); nobody else gets a choice
/// made for them.
fn upgrade_keeps_earlier_sharing(backend: Backend) {
    use buddymatch::store::schema::{contact_preferences as cp, users as u};
    use diesel::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(backend, dir.path());
    let parsed = buddymatch::store::DatabaseUrl::parse(&db.url).unwrap();
    let pool = buddymatch::store::db::pool(&parsed, 1).unwrap();
    let mut conn = pool.get().unwrap();
    run_migrations(&mut conn).unwrap();
    // Back to before the migration that asked for the choice (later ones
    // are reverted first).
    loop {
        let version = match &mut *conn {
            DbConnection::Sqlite(c) => c.revert_last_migration(SQLITE_MIGRATIONS),
            DbConnection::Postgres(c) => c.revert_last_migration(POSTGRES_MIGRATIONS),
        }
        .unwrap()
        .to_string();
        if version.replace('-', "").starts_with(SHARING_ASKED) {
            break;
        }
    }
    for (id, with_profile) in [("old", true), ("new", false)] {
        diesel::insert_into(u::table)
            .values((
                u::id.eq(id),
                u::email.eq(format!("{id}@uwv.nl")),
                u::password_hash.eq("x"),
                u::display_name.eq(id),
                u::locale.eq("nl"),
                u::role.eq("member"),
                u::created_at.eq(0),
                u::updated_at.eq(0),
            ))
            .execute(&mut *conn)
            .unwrap();
        if with_profile {
            diesel::sql_query(format!(
                "INSERT INTO profiles (user_id, domain, profession, experience_years, \
                   registration, province, host_capacity, hours_per_month, max_travel_km, \
                   learning_goal, paused, updated_at) \
                 VALUES ('{id}', 'uwv', 'labour_expert', 3, 'registered', 'utrecht', 0, 4, 50, \
                   '', FALSE, 7)"
            ))
            .execute(&mut *conn)
            .unwrap();
        }
    }
    run_migrations(&mut conn).unwrap();
    let rows: Vec<(String, bool, bool, bool)> = cp::table
        .order(cp::user_id.asc())
        .select((
            cp::user_id,
            cp::share_email,
            cp::share_phone,
            cp::share_province,
        ))
        .load(&mut *conn)
        .unwrap();
    assert_eq!(rows, [("old".to_string(), true, false, true)]);
}

#[test]
fn an_upgrade_keeps_what_members_shared_on_sqlite() {
    upgrade_keeps_earlier_sharing(Backend::Sqlite);
}

#[test]
fn an_upgrade_keeps_what_members_shared_on_postgres() {
    upgrade_keeps_earlier_sharing(Backend::Postgres);
}
