//! GET /metrics: Prometheus text, labelled by route pattern, with rounds,
//! outbox and email figures. The recorder is one per process, so these
//! tests check for series, not exact counts (other tests add to them).

use crate::both_backends;
use crate::common::{assert_problem, Backend, TestApp};
use buddymatch::config::Secret;
use buddymatch::domain::Role;
use serde_json::json;

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

async fn scrape(app: &TestApp) -> String {
    let res = app.get("/metrics", None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    res.text().await.unwrap()
}

both_backends! {
    async fn requests_are_counted_by_route_pattern_never_by_raw_path(app) {
        assert_eq!(app.get("/healthz", None).await.status(), 200);
        let res = app.get("/api/v1/rounds/secret-round-id-123", None).await;
        assert_eq!(res.status(), 401);
        assert_eq!(app.get("/no/such/page-456", None).await.status(), 404);
        let res = app.client.delete(app.url("/healthz")).send().await.unwrap();
        assert_eq!(res.status(), 405);

        let text = scrape(&app).await;
        let req = "buddymatch_http_requests_total";
        assert!(sample(&text, req, &[r#"method="GET""#, r#"route="/healthz""#, r#"status="200""#]).unwrap() >= 1.0, "{text}");
        assert!(sample(&text, req, &[r#"route="/api/v1/rounds/{id}""#, r#"status="401""#]).is_some(), "{text}");
        assert!(sample(&text, req, &[r#"route="unmatched""#, r#"status="404""#]).is_some(), "{text}");
        assert!(sample(&text, req, &[r#"method="DELETE""#, r#"status="405""#]).is_some(), "{text}");
        assert!(!text.contains("secret-round-id-123") && !text.contains("page-456"), "raw paths leak into labels");
        assert!(text.contains("# TYPE buddymatch_http_request_duration_seconds histogram"), "{text}");
        assert!(sample(&text, "buddymatch_http_request_duration_seconds_bucket", &[r#"route="/healthz""#, r#"le="+Inf""#]).unwrap() >= 1.0, "{text}");
        assert!(sample(&text, "buddymatch_http_request_duration_seconds_count", &[r#"route="/healthz""#]).is_some());
    }

    async fn rounds_outbox_and_email_figures_are_exported(app) {
        // A sign-up enqueues a verification email; the worker sends it.
        app.register("lid@example.nl", "Lid").await;
        app.wait_for_folder_mail("lid@example.nl", "token=").await;
        let coord = app.with_role("coord@example.nl", Role::Coordinator).await;
        let round: serde_json::Value = app
            .send_json(reqwest::Method::POST, "/api/v1/rounds", Some(&coord), &json!({"kind": "buddy"}))
            .await
            .json()
            .await
            .unwrap();
        let id = round["id"].as_str().unwrap();
        let res = app.send_json(reqwest::Method::POST, &format!("/api/v1/rounds/{id}/preview"), Some(&coord), &json!({})).await;
        assert!(res.status().as_u16() < 500);

        let text = scrape(&app).await;
        assert!(sample(&text, "buddymatch_rounds_total", &[r#"operation="preview""#, r#"kind="buddy""#]).unwrap() >= 1.0, "{text}");
        assert!(sample(&text, "buddymatch_round_duration_seconds_count", &[r#"operation="preview""#]).is_some(), "{text}");
        assert!(sample(&text, "buddymatch_emails_sent_total", &[r#"kind="verify_email""#]).unwrap() >= 1.0, "{text}");
        // Counted in this app's database at scrape time: everything was sent.
        assert_eq!(sample(&text, "buddymatch_outbox_messages", &[r#"status="pending""#]), Some(0.0), "{text}");
        assert_eq!(sample(&text, "buddymatch_outbox_messages", &[r#"status="failed""#]), Some(0.0), "{text}");
        assert!(sample(&text, "buddymatch_outbox_oldest_pending_age_seconds", &[]).is_some(), "{text}");
        assert!(text.contains("# HELP buddymatch_outbox_messages"), "{text}");
    }
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

mod metrics_token {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        a_configured_token_guards_metrics(Backend::Sqlite).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        a_configured_token_guards_metrics(Backend::Postgres).await
    }
}
