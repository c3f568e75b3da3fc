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

/// The version of the migration that brought programmes.
const PROGRAMMES: &str = "20261206000013";

/// Reverts migrations, newest first, up to and including `version`.
fn revert_through(conn: &mut DbConnection, version: &str) {
    loop {
        let reverted = match conn {
            DbConnection::Sqlite(c) => c.revert_last_migration(SQLITE_MIGRATIONS),
            DbConnection::Postgres(c) => c.revert_last_migration(POSTGRES_MIGRATIONS),
        }
        .unwrap()
        .to_string();
        if reverted.replace('-', "").starts_with(version) {
            break;
        }
    }
}

/// A database of the release before programmes (a coordinator, members, a
/// published round with a match, an erased account) upgrades into one
/// default programme that holds all of it, and downgrades back with its
/// rows intact.
fn upgrade_moves_everything_into_the_default_programme(backend: Backend) {
    use buddymatch::store::programmes::DEFAULT_PROGRAMME_ID;
    use buddymatch::store::schema::{
        programme_coordinators as pc, programme_members as pm, programmes as pg, rounds as r,
    };
    use diesel::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(backend, dir.path());
    let parsed = buddymatch::store::DatabaseUrl::parse(&db.url).unwrap();
    let pool = buddymatch::store::db::pool(&parsed, 1).unwrap();
    let mut conn = pool.get().unwrap();
    run_migrations(&mut conn).unwrap();
    revert_through(&mut conn, PROGRAMMES);
    for (id, role, erased) in [
        ("coord", "coordinator", "NULL"),
        ("anna", "member", "NULL"),
        ("bram", "member", "NULL"),
        ("gone", "member", "5"),
    ] {
        diesel::sql_query(format!(
            "INSERT INTO users (id, email, password_hash, display_name, locale, role, \
               created_at, updated_at, email_verified_at, erased_at) \
             VALUES ('{id}', '{id}@uwv.nl', 'x', '{id}', 'nl', '{role}', 3, 3, 3, {erased})"
        ))
        .execute(&mut *conn)
        .unwrap();
    }
    diesel::sql_query(
        "INSERT INTO rounds (id, number, kind, status, params, cohort, note, meeting_window, \
           created_by, created_at, published_at) \
         VALUES ('r1', 1, 'buddy', 'published', '{}', '{}', '', '{}', 'coord', 4, 5)",
    )
    .execute(&mut *conn)
    .unwrap();
    diesel::sql_query(
        "INSERT INTO matches (id, round_id, kind, score, explanation, created_at) \
         VALUES ('m1', 'r1', 'buddy', 10, '[]', 5)",
    )
    .execute(&mut *conn)
    .unwrap();
    for u in ["anna", "bram"] {
        diesel::sql_query(format!(
            "INSERT INTO match_members (match_id, round_id, user_id, role, response) \
             VALUES ('m1', 'r1', '{u}', 'buddy', 'pending')"
        ))
        .execute(&mut *conn)
        .unwrap();
    }

    // The programmes migration and every later one apply again.
    let applied = run_migrations(&mut conn).unwrap();
    assert!(
        applied
            .first()
            .is_some_and(|v| v.to_string().replace('-', "").starts_with(PROGRAMMES)),
        "{applied:?}"
    );
    let names: Vec<(String, String, bool)> = pg::table
        .select((pg::id, pg::name, pg::open))
        .load(&mut *conn)
        .unwrap();
    assert_eq!(
        names,
        [(
            DEFAULT_PROGRAMME_ID.to_string(),
            "Alle leden / All members".to_string(),
            true
        )]
    );
    let members: Vec<(String, String)> = pm::table
        .order(pm::user_id.asc())
        .select((pm::user_id, pm::via))
        .load(&mut *conn)
        .unwrap();
    let expected: Vec<(String, String)> = ["anna", "bram", "coord"]
        .iter()
        .map(|u| (u.to_string(), "migration".to_string()))
        .collect();
    assert_eq!(members, expected, "everyone but the erased account");
    let coordinators: Vec<String> = pc::table.select(pc::user_id).load(&mut *conn).unwrap();
    assert_eq!(coordinators, ["coord"]);
    let rounds: Vec<(String, String)> = r::table
        .select((r::id, r::programme_id))
        .load(&mut *conn)
        .unwrap();
    assert_eq!(
        rounds,
        [("r1".to_string(), DEFAULT_PROGRAMME_ID.to_string())]
    );
    // The reference holds on both backends.
    let bad = diesel::sql_query(
        "INSERT INTO rounds (id, number, kind, status, params, cohort, note, meeting_window, \
           created_by, created_at, programme_id) \
         VALUES ('r2', 2, 'buddy', 'draft', '{}', '{}', '', '{}', 'coord', 6, 'nonexistent')",
    )
    .execute(&mut *conn);
    assert!(bad.is_err(), "a round of an unknown programme is refused");

    // Down again: the round and its match stay, the programmes go.
    revert_through(&mut conn, PROGRAMMES);
    let left: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "(SELECT count(*) FROM rounds) + (SELECT count(*) FROM match_members)",
    ))
    .get_result(&mut *conn)
    .unwrap();
    assert_eq!(left, 3);
    assert!(diesel::sql_query("SELECT programme_id FROM rounds")
        .execute(&mut *conn)
        .is_err());
    assert!(diesel::sql_query("SELECT 1 FROM programmes")
        .execute(&mut *conn)
        .is_err());
    // And up once more, as a redeploy would.
    assert_eq!(run_migrations(&mut conn).unwrap().len(), applied.len());
}

#[test]
fn an_upgrade_moves_everything_into_the_default_programme_on_sqlite() {
    upgrade_moves_everything_into_the_default_programme(Backend::Sqlite);
}

#[test]
fn an_upgrade_moves_everything_into_the_default_programme_on_postgres() {
    upgrade_moves_everything_into_the_default_programme(Backend::Postgres);
}
