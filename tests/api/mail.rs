use crate::both_backends;
use crate::common::smtp::{free_port, SmtpSink};
use crate::common::{assert_problem, Backend, TestApp, PASSWORD};
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

async fn app_with_smtp(backend: Backend, port: u16) -> TestApp {
    TestApp::spawn_with(backend, |c| {
        c.smtp_url = Some(buddymatch::config::Secret::new(format!(
            "smtp://127.0.0.1:{port}"
        )))
    })
    .await
}

mod over_smtp {
    use super::*;

    both_backends!(
        sign_up_sends_a_verification_email_in_the_members_language,
        password_reset_is_single_use_and_ends_sessions,
        smtp_down_loses_nothing_and_sends_once
    );

    async fn sign_up_sends_a_verification_email_in_the_members_language(app: TestApp) {
        // This test needs an SMTP-backed app of its own, on the same backend.
        let sink = SmtpSink::start();
        let app = app_with_smtp(app.backend, sink.port).await;
        app.post(
            "/api/v1/auth/register",
            &json!({"email": "anna@uwv.nl", "password": PASSWORD, "display_name": "Anna"}),
        )
        .await;
        app.post(
            "/api/v1/auth/register",
            &json!({
                "email": "sam@zzp.nl",
                "password": PASSWORD,
                "display_name": "Sam",
                "locale": "en",
            }),
        )
        .await;
        let mut got = sink.wait_for(2, WAIT).await;
        got.sort_by(|a, b| a.to.cmp(&b.to));
        assert_eq!(got.len(), 2);
        let (anna, sam) = (&got[0], &got[1]);
        assert_eq!(anna.to, "anna@uwv.nl");
        assert!(anna.subject.contains("Bevestig"), "{}", anna.subject);
        assert!(anna.text.contains("Beste Anna"));
        assert!(anna.html.contains("Bevestig je e-mailadres"));
        assert_eq!(sam.to, "sam@zzp.nl");
        assert!(sam.subject.contains("Confirm"), "{}", sam.subject);
        assert_ne!(anna.message_id, sam.message_id);
        assert!(
            anna.message_id.ends_with("@127.0.0.1"),
            "{}",
            anna.message_id
        );

        let res = app
            .post("/api/v1/auth/verify-email", &json!({"token": anna.token()}))
            .await;
        assert_eq!(res.status(), 200);
        let user: serde_json::Value = res.json().await.unwrap();
        assert_eq!(user["email_verified"], true);
        let again = app
            .post("/api/v1/auth/verify-email", &json!({"token": anna.token()}))
            .await;
        assert_problem(again, 400, "invalid_email_token").await;
        let login = app.login("sam@zzp.nl").await;
        assert_eq!(login["user"]["email_verified"], false);
    }

    async fn password_reset_is_single_use_and_ends_sessions(app: TestApp) {
        let sink = SmtpSink::start();
        let app = app_with_smtp(app.backend, sink.port).await;
        app.register("joke@arbo.nl", "Joke").await;
        let old = app.login("joke@arbo.nl").await;
        sink.wait_for(1, WAIT).await;

        // Unknown addresses get the same answer and no email.
        assert_eq!(
            app.post(
                "/api/v1/auth/password-reset",
                &json!({"email": "nobody@arbo.nl"})
            )
            .await
            .status(),
            202
        );
        assert_eq!(
            app.post(
                "/api/v1/auth/password-reset",
                &json!({"email": "Joke@arbo.nl"})
            )
            .await
            .status(),
            202
        );
        let got = sink.wait_for(2, WAIT).await;
        let reset = got
            .iter()
            .find(|m| m.subject.contains("wachtwoord"))
            .expect("a reset email in Dutch");
        assert_eq!(reset.to, "joke@arbo.nl");

        let short = app
            .post(
                "/api/v1/auth/password-reset/confirm",
                &json!({"token": reset.token(), "password": "short"}),
            )
            .await;
        assert_problem(short, 422, "validation_failed").await;
        let ok = app
            .post(
                "/api/v1/auth/password-reset/confirm",
                &json!({"token": reset.token(), "password": "a brand new passphrase"}),
            )
            .await;
        assert_eq!(ok.status(), 204);
        let reuse = app
            .post(
                "/api/v1/auth/password-reset/confirm",
                &json!({"token": reset.token(), "password": "another passphrase"}),
            )
            .await;
        assert_problem(reuse, 400, "invalid_email_token").await;

        let refresh = app
            .post(
                "/api/v1/auth/refresh",
                &json!({"refresh_token": old["refresh_token"]}),
            )
            .await;
        assert_problem(refresh, 401, "invalid_refresh_token").await;
        let res = app
            .post(
                "/api/v1/auth/login",
                &json!({"email": "joke@arbo.nl", "password": "a brand new passphrase"}),
            )
            .await;
        assert_eq!(res.status(), 200);
        assert_eq!(sink.messages().len(), 2, "no email for the unknown address");
    }

    async fn smtp_down_loses_nothing_and_sends_once(app: TestApp) {
        let port = free_port();
        let app = app_with_smtp(app.backend, port).await;
        app.register("wacht@uwv.nl", "Wacht").await;
        app.register("ook@uwv.nl", "Ook").await;

        // With no server on the port, attempts fail and are rescheduled.
        app.wait_for_outbox("retries to be recorded", |rows| {
            rows.len() == 2
                && rows
                    .iter()
                    .all(|(status, attempts, _)| status == "pending" && *attempts >= 1)
        })
        .await;

        let sink = SmtpSink::start_on(port);
        let got = sink.wait_for(2, WAIT).await;
        let mut to: Vec<_> = got.iter().map(|m| m.to.clone()).collect();
        to.sort();
        assert_eq!(to, vec!["ook@uwv.nl", "wacht@uwv.nl"]);
        app.wait_for_outbox("the outbox to be marked sent", |rows| {
            rows.iter().all(|(status, _, _)| status == "sent")
        })
        .await;
        // A few more worker polls must not send anything again.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(sink.messages().len(), 2);
    }
}

both_backends!(
    undeliverable_mail_is_kept_and_shown_to_coordinators,
    default_transport_writes_eml_files
);

async fn undeliverable_mail_is_kept_and_shown_to_coordinators(app: TestApp) {
    let port = free_port();
    let app = TestApp::spawn_with(app.backend, |c| {
        c.smtp_url = Some(buddymatch::config::Secret::new(format!(
            "smtp://127.0.0.1:{port}"
        )));
        c.mail_max_attempts = 2;
    })
    .await;
    // A member to check who may look; their own verification email fails
    // too, so every email is given up on before the list is read.
    let member = app.member("lid@uwv.nl").await;
    app.register("nergens@uwv.nl", "Nergens").await;
    app.wait_for_outbox("every email to be marked failed", |rows| {
        rows.iter().all(|(status, _, _)| status == "failed")
    })
    .await;
    let coord = app
        .with_role("coord@vereniging.nl", buddymatch::domain::Role::Coordinator)
        .await;
    let failed: serde_json::Value = app
        .get("/api/v1/mail/failed", Some(&coord))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            failed["page"].as_u64(),
            failed["per_page"].as_u64(),
            failed["total"].as_u64()
        ),
        (Some(1), Some(25), Some(2))
    );
    let mine = failed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["recipient"] == "nergens@uwv.nl")
        .unwrap();
    assert_eq!(mine["recipient"], "nergens@uwv.nl");
    assert_eq!(mine["attempts"], 2);
    assert_eq!(mine["kind"], "verify_email");
    assert!(mine["last_error"].as_str().is_some_and(|e| !e.is_empty()));
    assert_problem(
        app.get("/api/v1/mail/failed", Some(&member)).await,
        403,
        "forbidden",
    )
    .await;

    // No silent cap: every failed email is reachable, a page at a time.
    app.with_db(|c| {
        for i in 0..4i64 {
            let row = buddymatch::store::outbox::OutboxRow {
                id: format!("failed-{i}"),
                message_id: format!("<failed-{i}@test>"),
                kind: "verify_email".into(),
                recipient: format!("weg{i}@uwv.nl"),
                locale: "nl".into(),
                subject: "s".into(),
                body_text: "b".into(),
                body_html: "b".into(),
                status: buddymatch::domain::OutboxStatus::Failed,
                attempts: 2,
                next_attempt_at: 0,
                locked_until: None,
                last_error: Some("550".into()),
                created_at: 1_000 + i,
                sent_at: None,
                user_id: None,
                context: None,
                ics: None,
                unsubscribe: None,
            };
            buddymatch::store::outbox::enqueue_many(c, &[row], &[]).unwrap();
        }
    });
    let (app, coord) = (&app, &coord);
    let page = |q: &'static str| async move {
        app.get(&format!("/api/v1/mail/failed?{q}"), Some(coord))
            .await
    };
    let p2: serde_json::Value = page("per_page=2&page=2").await.json().await.unwrap();
    assert_eq!(p2["total"], 6);
    let ids: Vec<&str> = p2["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["failed-3", "failed-2"],
        "newest first, after the first two"
    );
    let p3: serde_json::Value = page("per_page=2&page=3").await.json().await.unwrap();
    assert_eq!(p3["items"].as_array().unwrap().len(), 2);
    let p4: serde_json::Value = page("per_page=2&page=4").await.json().await.unwrap();
    assert_eq!(p4["items"].as_array().unwrap().len(), 0);
    for bad in ["per_page=101", "page=0"] {
        assert_problem(page(bad).await, 422, "validation_failed").await;
    }
}

async fn default_transport_writes_eml_files(app: TestApp) {
    app.register("map@gemeente.nl", "Map").await;
    let dir = app.data_dir().join("mail");
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .collect();
        if let Some(f) = files
            .iter()
            .find(|f| f.path().extension().is_some_and(|e| e == "eml"))
        {
            let raw = std::fs::read_to_string(f.path()).unwrap();
            assert!(raw.contains("map@gemeente.nl"));
            assert!(raw.contains("Bevestig"));
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no .eml file in {}",
            dir.display()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The harness fails a test that leaves email undelivered, once the worker
/// had its time (tests/common/undelivered.rs); one backend shows it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[should_panic(expected = "left email undelivered")]
async fn a_test_that_leaves_email_undelivered_fails() {
    let port = free_port();
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.smtp_url = Some(buddymatch::config::Secret::new(format!(
            "smtp://127.0.0.1:{port}"
        )));
        c.mail_backoff_secs = 3600;
        c.mail_backoff_max_secs = 3600;
    })
    .await;
    app.register("nooit@uwv.nl", "Nooit").await;
}
