//! The row locks of the outbox on PostgreSQL: the mail worker's renewal,
//! its marks and an erasure change many rows at once, and must neither
//! deadlock with one another nor keep a renewal waiting (the lock order in
//! src/store/outbox.rs). Each test takes the locks the way one side does,
//! in a connection of its own, and lets the other side run into them.

use crate::common::{lock_waiters, Backend, TestApp, TestDb, PASSWORD};
use buddymatch::store::db::{pool, run_migrations, Pool, PooledConn};
use buddymatch::store::outbox::{self, MentionRow, OutboxRow};
use buddymatch::store::schema::{outbox as ob, outbox_mentions as om, users as u};
use buddymatch::store::{DatabaseUrl, DbConnection};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::json;
use std::time::{Duration, Instant};

const CLAIM: &str = "the-workers-claim";

fn email(id: &str, next_attempt_at: i64) -> OutboxRow {
    OutboxRow {
        id: id.into(),
        message_id: format!("<{id}@test>"),
        kind: "match_proposed".into(),
        recipient: "anna@uwv.nl".into(),
        locale: "nl".into(),
        subject: "s".into(),
        body_text: "b".into(),
        body_html: "b".into(),
        status: buddymatch::domain::OutboxStatus::Pending,
        attempts: 0,
        next_attempt_at,
        locked_until: None,
        last_error: None,
        created_at: 1_000,
        sent_at: None,
        user_id: None,
        context: None,
        ics: None,
        unsubscribe: None,
    }
}

/// A migrated database of its own, without a server: nothing but the
/// test touches its outbox.
fn bare_database(backend: Backend) -> (tempfile::TempDir, TestDb, Pool) {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(backend, dir.path());
    let pool = pool(&DatabaseUrl::parse(&db.url).unwrap(), 3).unwrap();
    run_migrations(&mut pool.get().unwrap()).unwrap();
    (dir, db, pool)
}

/// Three emails claimed under [`CLAIM`] with a lease until `now + 60`.
fn three_claimed(c: &mut DbConnection, now: i64) -> Vec<String> {
    let ids: Vec<String> = ["m-1", "m-2", "m-3"].map(String::from).into();
    let rows: Vec<OutboxRow> = ids.iter().map(|id| email(id, 0)).collect();
    outbox::enqueue_many(c, &rows, &[]).unwrap();
    let claimed = outbox::claim_due(c, CLAIM, now, 60, 10, &[]).unwrap();
    assert_eq!(claimed.len(), 3);
    ids
}

fn lease_of(c: &mut DbConnection, id: &str) -> Option<i64> {
    ob::table
        .find(id)
        .select(ob::locked_until)
        .first(c)
        .unwrap()
}

/// A renewal extends, and names, only the rows still held under the
/// worker's claims: the worker counts on those claims alone for longer.
fn a_renewal_names_only_the_rows_it_extended(backend: Backend) {
    let (_dir, _db, pool) = bare_database(backend);
    let mut c = pool.get().unwrap();
    let now = buddymatch::service::now();
    let ids = three_claimed(&mut c, now);
    assert_eq!(outbox::mark_sent(&mut c, "m-1", CLAIM, now).unwrap(), 1);
    diesel::update(ob::table.find("m-2"))
        .set(ob::claim.eq("another-workers-claim"))
        .execute(&mut c)
        .unwrap();

    let renewed = outbox::renew(&mut c, &ids, &[CLAIM.into()], now + 600).unwrap();
    assert_eq!(renewed, ["m-3"]);
    assert_eq!(lease_of(&mut c, "m-3"), Some(now + 600));
    assert_eq!(lease_of(&mut c, "m-2"), Some(now + 60), "not ours");
}

#[test]
fn a_renewal_names_only_the_rows_it_extended_on_sqlite() {
    a_renewal_names_only_the_rows_it_extended(Backend::Sqlite);
}

#[test]
fn a_renewal_names_only_the_rows_it_extended_on_postgres() {
    a_renewal_names_only_the_rows_it_extended(Backend::Postgres);
}

/// The worker's recorder has marked m-3 in its open transaction and goes on
/// to m-1 when the keeper renews all three. The renewal used to lock m-1
/// and m-2, then wait for m-3, while the recorder waited for m-1: a
/// deadlock, and until the recorder let go, no claim of the worker was
/// renewed. Now it renews what it can lock at once, and the recorder's
/// batch goes on.
#[test]
fn a_renewal_neither_waits_for_nor_deadlocks_with_a_batch_of_marks() {
    let (_dir, _db, pool) = bare_database(Backend::Postgres);
    let (mut keeper, mut recorder) = (pool.get().unwrap(), pool.get().unwrap());
    let now = buddymatch::service::now();
    let ids = three_claimed(&mut keeper, now);
    // A wait fails the test instead of hanging it.
    for c in [&mut keeper, &mut recorder] {
        c.batch_execute("SET lock_timeout = '3s'").unwrap();
    }

    recorder.batch_execute("BEGIN").unwrap();
    assert_eq!(
        outbox::mark_sent(&mut recorder, "m-3", CLAIM, now).unwrap(),
        1
    );
    let started = Instant::now();
    let mut renewed = outbox::renew(&mut keeper, &ids, &[CLAIM.into()], now + 600)
        .unwrap_or_else(|e| panic!("the renewal waited for the recorder's row: {e}"));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the renewal took {:?}",
        started.elapsed()
    );
    renewed.sort();
    assert_eq!(renewed, ["m-1", "m-2"], "the row being marked is skipped");
    assert_eq!(
        outbox::mark_sent(&mut recorder, "m-1", CLAIM, now).unwrap(),
        1
    );
    recorder.batch_execute("COMMIT").unwrap();

    assert_eq!(lease_of(&mut keeper, "m-2"), Some(now + 600));
    let statuses: Vec<(String, String)> = ob::table
        .order(ob::id)
        .select((ob::id, ob::status))
        .load(&mut keeper)
        .unwrap();
    let statuses: Vec<(&str, &str)> = statuses
        .iter()
        .map(|(i, s)| (i.as_str(), s.as_str()))
        .collect();
    assert_eq!(
        statuses,
        [("m-1", "sent"), ("m-2", "sending"), ("m-3", "sent")]
    );
}

/// A member who can be erased, once their sign-up email is out; their id.
async fn member_to_erase(app: &TestApp, email: &str) -> (String, String) {
    let token = app.member(email).await;
    app.wait_for_outbox("the sign-up email to go out", |rows| {
        rows.iter().all(|(status, _, _)| status == "sent")
    })
    .await;
    let email = email.to_string();
    let id = app.with_db(move |c| {
        u::table
            .filter(u::email.eq(email))
            .select(u::id)
            .first::<String>(c)
            .unwrap()
    });
    (token, id)
}

/// Emails to someone else that name `user_id`, in the order given, held by
/// a worker under [`CLAIM`] for an hour (the running server's worker
/// leaves them alone).
fn naming_held(app: &TestApp, ids: &[&str], user_id: &str) {
    let ids: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    let user_id = user_id.to_string();
    app.with_db(move |c| {
        let later = buddymatch::service::now() + 3_600;
        for id in &ids {
            let mention = MentionRow {
                outbox_id: id.clone(),
                user_id: user_id.clone(),
            };
            outbox::enqueue_many(c, &[email(id, later)], &[mention]).unwrap();
            diesel::update(ob::table.find(id))
                .set((
                    ob::status.eq("sending"),
                    ob::locked_until.eq(Some(later)),
                    ob::claim.eq(Some(CLAIM)),
                ))
                .execute(c)
                .unwrap();
        }
    });
}

/// Two connections of the test's own, each giving up on a lock after 10 s
/// (a wait that never ends fails the test instead of hanging it).
fn own_connections(app: &TestApp) -> (PooledConn, PooledConn) {
    let url = DatabaseUrl::parse(&app.config.database_url()).unwrap();
    tokio::task::block_in_place(|| {
        let pool = pool(&url, 2).unwrap();
        let (mut a, mut b) = (pool.get().unwrap(), pool.get().unwrap());
        for c in [&mut a, &mut b] {
            c.batch_execute("SET lock_timeout = '10s'").unwrap();
        }
        (a, b)
    })
}

/// Starts the erasure of the member with `token`; resolves to its status.
fn erase(app: &TestApp, token: &str) -> tokio::task::JoinHandle<u16> {
    let (client, url, token) = (app.client.clone(), app.url("/api/v1/me"), token.to_string());
    tokio::spawn(async move {
        client
            .delete(url)
            .bearer_auth(token)
            .json(&json!({"password": PASSWORD}))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    })
}

async fn sessions_waiting_for_a_lock(app: &TestApp, n: i64, what: &str) {
    let within = Duration::from_secs(20);
    crate::common::wait_until(what, within, || app.with_db(lock_waiters) >= n).await
}

/// The worker's recorder has marked the first of two emails that name Bram
/// (ids in order; the second was written first) when Bram is erased. The
/// erasure used to change them in the order it read them, the second
/// first, and then wait for the first while the recorder waited for the
/// second: a deadlock. Now the erasure takes them in id order, as the
/// recorder does, and waits for the recorder's transaction to end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erasure_and_a_batch_of_marks_take_the_rows_in_one_order() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let (bram, bram_id) = member_to_erase(&app, "bram@zzp.nl").await;
    naming_held(&app, &["mail-b", "mail-a"], &bram_id);
    let (mut recorder, _) = own_connections(&app);

    tokio::task::block_in_place(|| {
        let now = buddymatch::service::now();
        recorder.batch_execute("BEGIN").unwrap();
        assert_eq!(
            outbox::mark_sent(&mut recorder, "mail-a", CLAIM, now).unwrap(),
            1
        );
    });
    let erasure = erase(&app, &bram);
    sessions_waiting_for_a_lock(&app, 1, "the erasure to wait for the recorder's row").await;
    tokio::task::block_in_place(|| {
        let now = buddymatch::service::now();
        let marked = outbox::mark_sent(&mut recorder, "mail-b", CLAIM, now)
            .unwrap_or_else(|e| panic!("the recorder's second mark: {e}"));
        assert_eq!(marked, 1);
        recorder.batch_execute("COMMIT").unwrap();
    });
    assert_eq!(erasure.await.unwrap(), 204, "the erasure went through");

    // Both went out before the erasure came to them, so it had nothing left
    // to write anew, and nothing names Bram any more.
    let bram = bram_id.clone();
    let (statuses, mentions) = app.with_db(move |c| {
        let statuses: Vec<String> = ob::table
            .filter(ob::id.eq_any(["mail-a", "mail-b"]))
            .select(ob::status)
            .load(c)
            .unwrap();
        let mentions: i64 = om::table
            .filter(om::user_id.eq(bram))
            .count()
            .get_result(c)
            .unwrap();
        (statuses, mentions)
    });
    assert_eq!(statuses, ["sent", "sent"]);
    assert_eq!(mentions, 0);
}

/// An erasure holds an email that names Bram (it locked it first) and
/// waits for Bram's account row when the recorder marks the email sent.
/// Had the mark deleted the email's mentions before locking its row, it
/// would hold Bram's mention while waiting for the row, and the erasure,
/// deleting that mention next, would wait for the mark: a deadlock. The
/// mark takes the row first, so it waits for the erasure, and finds its
/// claim taken back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mark_takes_an_emails_row_before_its_mentions() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let (bram, bram_id) = member_to_erase(&app, "bram@zzp.nl").await;
    naming_held(&app, &["mail-x"], &bram_id);
    let (mut account, mut recorder) = own_connections(&app);

    let id = bram_id.clone();
    tokio::task::block_in_place(|| {
        account
            .batch_execute(&format!(
                "BEGIN; SELECT id FROM users WHERE id = '{id}' FOR UPDATE"
            ))
            .unwrap();
    });
    let erasure = erase(&app, &bram);
    sessions_waiting_for_a_lock(&app, 1, "the erasure to wait for Bram's account row").await;
    let mark = std::thread::spawn(move || {
        recorder.batch_execute("BEGIN")?;
        let now = buddymatch::service::now();
        let n = outbox::mark_sent(&mut recorder, "mail-x", CLAIM, now)?;
        recorder.batch_execute("COMMIT")?;
        Ok::<_, diesel::result::Error>(n)
    });
    sessions_waiting_for_a_lock(&app, 2, "the mark to wait for the erasure").await;
    tokio::task::block_in_place(|| account.batch_execute("COMMIT").unwrap());

    let marked = tokio::task::block_in_place(|| mark.join().unwrap())
        .unwrap_or_else(|e| panic!("the recorder's mark: {e}"));
    assert_eq!(marked, 0, "the erasure took the claim back");
    assert_eq!(erasure.await.unwrap(), 204, "the erasure went through");
    let left: i64 = app.with_db(|c| ob::table.find("mail-x").count().get_result(c).unwrap());
    assert_eq!(
        left, 0,
        "withdrawn: it had no context to be written anew from"
    );
}
