//! Email under real faults: a relay that refuses for good, asks to come
//! back later, or stops answering; a database connection dropped as an
//! email is marked sent; a worker killed with emails in flight. Each email
//! must arrive once, and what cannot be delivered must be shown.

use crate::common::process::Server;
use crate::common::smtp::{Fault, SmtpSink};
use crate::common::{outbox_at, wait_until, Backend, TestApp, TestDb, PASSWORD};
use crate::per_backend;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::json;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(30);

per_backend! {
    permanent_refusal_fails_at_once => a_550_fails_at_once_and_a_451_is_retried,
    hung_relay => a_hung_relay_is_given_up_on_and_the_email_retried_once,
    lost_mark => a_mark_lost_to_a_dropped_connection_is_retried_not_resent,
    killed_worker => a_killed_workers_claims_are_taken_over_in_seconds,
}

async fn app_with(backend: Backend, sink: &SmtpSink, smtp_timeout_secs: u64) -> TestApp {
    TestApp::spawn_with(backend, |c| {
        c.smtp_url = Some(buddymatch::config::Secret::new(sink.url()));
        c.smtp_timeout_secs = smtp_timeout_secs;
    })
    .await
}

fn arrived(sink: &SmtpSink, to: &str) -> usize {
    sink.messages().iter().filter(|m| m.to == to).count()
}

async fn a_550_fails_at_once_and_a_451_is_retried(backend: Backend) {
    let sink = SmtpSink::start_with_faults(&[
        (
            "weg@uwv.nl",
            Fault::Reply("550 5.1.1 <weg@uwv.nl>: mailbox unavailable"),
            u32::MAX,
        ),
        ("later@uwv.nl", Fault::Reply("451 4.3.0 try again later"), 1),
    ]);
    let app = app_with(backend, &sink, 30).await;
    app.register("weg@uwv.nl", "Weg").await;
    app.register("later@uwv.nl", "Later").await;
    app.wait_for_outbox("the 550 failed, the 451 sent on its retry", |rows| {
        rows.iter()
            .any(|(s, a, to)| to == "weg@uwv.nl" && s == "failed" && *a == 1)
            && rows
                .iter()
                .any(|(s, a, to)| to == "later@uwv.nl" && s == "sent" && *a == 1)
    })
    .await;
    assert_eq!(arrived(&sink, "later@uwv.nl"), 1);
    assert_eq!(arrived(&sink, "weg@uwv.nl"), 0);

    let coord = app
        .with_role("coord@vereniging.nl", buddymatch::domain::Role::Coordinator)
        .await;
    let failed: serde_json::Value = app
        .get("/api/v1/mail/failed", Some(&coord))
        .await
        .json()
        .await
        .unwrap();
    let items = failed["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{failed}");
    assert_eq!(items[0]["recipient"], "weg@uwv.nl");
    assert_eq!(items[0]["attempts"], 1, "one attempt, not eight: {failed}");
    assert_eq!(
        items[0]["last_error"], "550 5.1.1 <weg@uwv.nl>: mailbox unavailable",
        "the relay's reply: {failed}"
    );
}

async fn a_hung_relay_is_given_up_on_and_the_email_retried_once(backend: Backend) {
    let sink = SmtpSink::start_with_faults(&[("stil@uwv.nl", Fault::Hang, 1)]);
    let app = app_with(backend, &sink, 3).await;
    app.register("stil@uwv.nl", "Stil").await;
    app.wait_for_outbox("the email sent after the hang", |rows| {
        rows.iter()
            .any(|(s, _, to)| to == "stil@uwv.nl" && s == "sent")
    })
    .await;
    let row = app
        .outbox()
        .into_iter()
        .find(|(_, _, to)| to == "stil@uwv.nl")
        .unwrap();
    assert_eq!(row.1, 1, "one attempt given up on, then sent: {row:?}");
    assert_eq!(arrived(&sink, "stil@uwv.nl"), 1);
}

async fn register(server: &Server, email: &str) {
    let res = reqwest::Client::new()
        .post(server.url("/api/v1/auth/register"))
        .json(&json!({"email": email, "password": PASSWORD, "display_name": "Lid"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202, "registering {email}");
}

fn smtp_env(sink: &SmtpSink) -> Vec<(&'static str, String)> {
    vec![("BUDDYMATCH_SMTP_URL", sink.url())]
}

/// The relay has said 250 and the worker is marking the email sent when its
/// database connection goes: on PostgreSQL the backend serving the mark is
/// terminated (`pg_terminate_backend`) while a row lock holds it; on SQLite
/// another writer holds the database past the busy timeout. The mark is
/// retried until it lands, and the email is not sent a second time.
async fn a_mark_lost_to_a_dropped_connection_is_retried_not_resent(backend: Backend) {
    let to = "merk@uwv.nl";
    let dir = tempfile::tempdir().unwrap();
    let db = tokio::task::block_in_place(|| TestDb::create(backend, dir.path()));
    let sink = SmtpSink::start_with_faults(&[(to, Fault::Hold, 1)]);
    let server = Server::start(dir.path(), &db.url, &smtp_env(&sink));
    register(&server, to).await;
    sink.wait_until_held(to, WAIT).await;

    // Hold what the mark needs, then let the relay say 250.
    let url = db.url.clone();
    let mut blocker = tokio::task::block_in_place(|| {
        let parsed = buddymatch::store::DatabaseUrl::parse(&url).unwrap();
        let pool = buddymatch::store::db::pool(&parsed, 1).unwrap();
        let mut conn = pool.get().unwrap();
        match backend {
            Backend::Postgres => conn.batch_execute("BEGIN; SELECT id FROM outbox FOR UPDATE"),
            Backend::Sqlite => conn.batch_execute("BEGIN IMMEDIATE"),
        }
        .unwrap();
        conn
    });
    sink.release(to);
    if backend == Backend::Postgres {
        let mut admin = tokio::task::block_in_place(|| {
            buddymatch::store::db::establish_postgres(&db.url).unwrap()
        });
        wait_until("the mark to wait on the row lock", WAIT, || {
            tokio::task::block_in_place(|| marks_waiting(&mut admin)) > 0
        })
        .await;
        tokio::task::block_in_place(|| {
            admin
                .batch_execute(&format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {MARK_WAITING}"
                ))
                .unwrap()
        });
    }
    wait_until("the worker to see its mark fail", WAIT, || {
        server.logged("recording email outcomes failed; retrying")
    })
    .await;
    tokio::task::block_in_place(|| blocker.batch_execute("COMMIT").unwrap());

    wait_until("the email to be marked sent", WAIT, || {
        tokio::task::block_in_place(|| outbox_at(&db.url))
            .iter()
            .any(|r| r.recipient == to && r.status == "sent")
    })
    .await;
    let row = tokio::task::block_in_place(|| outbox_at(&db.url))
        .into_iter()
        .find(|r| r.recipient == to)
        .unwrap();
    assert_eq!(row.attempts, 0, "no attempt counted against it: {row:?}");
    assert_eq!(arrived(&sink, to), 1, "sent once");
}

/// Backends of this database waiting on a lock while marking an email.
const MARK_WAITING: &str = "datname = current_database() AND pid <> pg_backend_pid() \
     AND wait_event_type = 'Lock' AND query LIKE 'UPDATE \"outbox\" SET \"status\"%'";

fn marks_waiting(admin: &mut PgConnection) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(format!(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE {MARK_WAITING}"
    ))
    .get_result::<N>(admin)
    .unwrap()
    .n
}

/// kill -9 while the relay holds an email's data: the relay drops the
/// unfinished message, and a second instance sends it once the dead one's
/// short lease runs out, in seconds rather than minutes.
async fn a_killed_workers_claims_are_taken_over_in_seconds(backend: Backend) {
    let to = "overname@uwv.nl";
    let dir = tempfile::tempdir().unwrap();
    let db = tokio::task::block_in_place(|| TestDb::create(backend, dir.path()));
    let sink = SmtpSink::start_with_faults(&[(to, Fault::Hold, 1)]);
    let mut first = Server::start(dir.path(), &db.url, &smtp_env(&sink));
    register(&first, to).await;
    sink.wait_until_held(to, WAIT).await;
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    let killed = Instant::now();
    let row = tokio::task::block_in_place(|| outbox_at(&db.url))
        .into_iter()
        .find(|r| r.recipient == to)
        .unwrap();
    assert_eq!(
        row.status, "sending",
        "claimed by the killed worker: {row:?}"
    );

    let _second = Server::start(dir.path(), &db.url, &smtp_env(&sink));
    sink.wait_for(1, WAIT).await;
    eprintln!(
        "taken over and delivered {:?} after the kill",
        killed.elapsed()
    );
    wait_until("the email to be marked sent", WAIT, || {
        tokio::task::block_in_place(|| outbox_at(&db.url))
            .iter()
            .any(|r| r.recipient == to && r.status == "sent")
    })
    .await;
    assert_eq!(arrived(&sink, to), 1, "the unfinished send left nothing");
}
