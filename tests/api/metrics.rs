//! GET /metrics: Prometheus text, labelled by route pattern, with rounds,
//! outbox and email figures. The recorder is one per process, so the
//! figures are checked exactly against a server process of their own.

use crate::common::process::{admin_create, Server};
use crate::common::{assert_problem, Backend, TestApp, TestDb, PASSWORD};
use buddymatch::config::Secret;
use serde_json::{json, Value};

/// The value of the first sample of `name` whose labels contain every one
/// of `labels` (each written `key="value"`).
fn sample(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| {
            l.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('{') || rest.starts_with(' '))
        })
        .find(|l| labels.iter().all(|want| l.contains(want)))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

/// A server process of its own, so its recorder counts only this test's
/// requests and the figures can be asserted exactly.
struct Own {
    server: Server,
    client: reqwest::Client,
    _db: TestDb,
    _dir: tempfile::TempDir,
}

impl Own {
    fn start(backend: Backend, coordinator: bool, extra: &[(&str, String)]) -> Own {
        let dir = tempfile::tempdir().unwrap();
        let db = TestDb::create(backend, dir.path());
        if coordinator {
            // Migrates too, before the server starts.
            admin_create(dir.path(), &db.url, "coord@example.nl", "coordinator");
        }
        let server = Server::start(dir.path(), &db.url, extra);
        Own {
            server,
            client: reqwest::Client::new(),
            _db: db,
            _dir: dir,
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut req = self.client.request(method, self.server.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.unwrap()
    }

    async fn scrape(&self) -> String {
        let res = self
            .send(reqwest::Method::GET, "/metrics", None, None)
            .await;
        assert_eq!(res.status(), 200);
        assert_eq!(
            res.headers()["content-type"],
            "text/plain; version=0.0.4; charset=utf-8"
        );
        res.text().await.unwrap()
    }

    /// Scrapes until `done` holds for the text (the worker runs on its own).
    async fn scrape_until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let text = self.scrape().await;
            if done(&text) {
                return text;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "never saw {what}:\n{text}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
}

async fn requests_are_counted_by_route_pattern_never_by_raw_path(backend: Backend) {
    let own = Own::start(backend, false, &[]);
    use reqwest::Method;
    for _ in 0..3 {
        assert_eq!(
            own.send(Method::GET, "/healthz", None, None).await.status(),
            200
        );
    }
    for id in ["secret-round-id-123", "another-round-456"] {
        let res = own
            .send(Method::GET, &format!("/api/v1/rounds/{id}"), None, None)
            .await;
        assert_eq!(res.status(), 401);
    }
    assert_eq!(
        own.send(Method::GET, "/no/such/page-456", None, None)
            .await
            .status(),
        404
    );
    assert_eq!(
        own.send(Method::DELETE, "/healthz", None, None)
            .await
            .status(),
        405
    );

    let text = own.scrape().await;
    let req = "buddymatch_http_requests_total";
    assert_eq!(
        sample(
            &text,
            req,
            &[r#"method="GET""#, r#"route="/healthz""#, r#"status="200""#]
        ),
        Some(3.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            req,
            &[r#"route="/api/v1/rounds/{id}""#, r#"status="401""#]
        ),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, req, &[r#"route="unmatched""#, r#"status="404""#]),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, req, &[r#"method="DELETE""#, r#"status="405""#]),
        Some(1.0),
        "{text}"
    );
    assert!(
        !text.contains("secret-round-id-123") && !text.contains("page-456"),
        "raw paths leak into labels"
    );
    assert!(
        text.contains("# TYPE buddymatch_http_request_duration_seconds histogram"),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "buddymatch_http_request_duration_seconds_bucket",
            &[r#"method="GET""#, r#"route="/healthz""#, r#"le="+Inf""#]
        ),
        Some(3.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "buddymatch_http_request_duration_seconds_count",
            &[r#"method="GET""#, r#"route="/healthz""#]
        ),
        Some(3.0),
        "{text}"
    );
}

async fn rounds_and_delivered_email_are_counted(backend: Backend) {
    let own = Own::start(backend, true, &[]);
    use reqwest::Method;
    let res = own
        .send(
            Method::POST,
            "/api/v1/auth/register",
            None,
            Some(json!({"email": "lid@example.nl", "password": PASSWORD, "display_name": "Lid"})),
        )
        .await;
    assert_eq!(res.status(), 202);
    let login: Value = own
        .send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "coord@example.nl", "password": PASSWORD})),
        )
        .await
        .json()
        .await
        .unwrap();
    let coord = login["access_token"]
        .as_str()
        .expect("coordinator logs in")
        .to_string();
    let round: Value = own
        .send(
            Method::POST,
            "/api/v1/rounds",
            Some(&coord),
            Some(json!({"programme_id": buddymatch::store::programmes::DEFAULT_PROGRAMME_ID, "kind": "buddy"})),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = round["id"].as_str().unwrap();
    for _ in 0..2 {
        let res = own
            .send(
                Method::POST,
                &format!("/api/v1/rounds/{id}/preview"),
                Some(&coord),
                Some(json!({})),
            )
            .await;
        assert_eq!(res.status(), 200);
    }

    let sent = r#"kind="verify_email""#;
    let text = own
        .scrape_until("the verification email sent", |t| {
            sample(t, "buddymatch_emails_sent_total", &[sent]) == Some(1.0)
        })
        .await;
    assert_eq!(
        sample(
            &text,
            "buddymatch_rounds_total",
            &[
                r#"operation="preview""#,
                r#"kind="buddy""#,
                r#"outcome="ok""#
            ]
        ),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "buddymatch_round_duration_seconds_count",
            &[r#"operation="preview""#]
        ),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "buddymatch_rounds_total",
            &[r#"operation="publish""#]
        ),
        None,
        "{text}"
    );
    // Counted in the database at scrape time: everything was sent.
    assert_eq!(
        sample(
            &text,
            "buddymatch_outbox_messages",
            &[r#"status="pending""#]
        ),
        Some(0.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "buddymatch_outbox_messages", &[r#"status="failed""#]),
        Some(0.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "buddymatch_emails_retried_total", &[]),
        None,
        "{text}"
    );
    assert!(
        sample(&text, "buddymatch_outbox_oldest_pending_age_seconds", &[]).is_some(),
        "{text}"
    );
    assert!(text.contains("# HELP buddymatch_outbox_messages"), "{text}");
}

async fn retried_and_failed_email_are_counted(backend: Backend) {
    // Nothing listens on port 9: each attempt fails at once.
    let own = Own::start(
        backend,
        false,
        &[
            ("BUDDYMATCH_SMTP_URL", "smtp://127.0.0.1:9".into()),
            ("BUDDYMATCH_MAIL_MAX_ATTEMPTS", "2".into()),
            ("BUDDYMATCH_MAIL_BACKOFF_SECS", "1".into()),
            ("BUDDYMATCH_MAIL_BACKOFF_MAX_SECS", "1".into()),
        ],
    );
    let res = own
        .send(
            reqwest::Method::POST,
            "/api/v1/auth/register",
            None,
            Some(json!({"email": "lid@example.nl", "password": PASSWORD, "display_name": "Lid"})),
        )
        .await;
    assert_eq!(res.status(), 202);
    let kind = r#"kind="verify_email""#;
    let text = own
        // The counter moves as the worker gives up, the gauge once the row
        // is marked failed: wait for both.
        .scrape_until("the email given up on", |t| {
            sample(t, "buddymatch_emails_failed_total", &[kind]) == Some(1.0)
                && sample(t, "buddymatch_outbox_messages", &[r#"status="failed""#]) == Some(1.0)
        })
        .await;
    assert_eq!(
        sample(&text, "buddymatch_emails_retried_total", &[kind]),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "buddymatch_emails_sent_total", &[]),
        None,
        "{text}"
    );
    assert_eq!(
        sample(&text, "buddymatch_outbox_messages", &[r#"status="failed""#]),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "buddymatch_outbox_messages",
            &[r#"status="pending""#]
        ),
        Some(0.0),
        "{text}"
    );
}

async fn a_configured_token_guards_metrics(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.metrics_token = Some(Secret::new("scrape-me-0123456789"))
    })
    .await;
    assert_problem(app.get("/metrics", None).await, 401, "missing_token").await;
    assert_problem(
        app.get("/metrics", Some("wrong")).await,
        401,
        "invalid_token",
    )
    .await;
    let res = app.get("/metrics", Some("scrape-me-0123456789")).await;
    assert_eq!(res.status(), 200);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("buddymatch_http_requests_total"));
    // The token guards /metrics only.
    assert_eq!(app.get("/healthz", None).await.status(), 200);
}

crate::per_backend! {
    requests_by_route => requests_are_counted_by_route_pattern_never_by_raw_path,
    rounds_and_sent_email => rounds_and_delivered_email_are_counted,
    retried_and_failed_email => retried_and_failed_email_are_counted,
    metrics_token => a_configured_token_guards_metrics,
}
