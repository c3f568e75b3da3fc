//! HTTP as RFC 9110 has it (the auth scheme is case-insensitive; HEAD is
//! GET without the body), and request logs that never hold a secret.

use crate::common::process::{admin_create, Server};
use crate::common::{assert_problem, Backend, TestApp, TestDb, PASSWORD};
use crate::{both_backends, per_backend};
use buddymatch::config::Secret;
use buddymatch::domain::Role;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

both_backends!(
    the_bearer_scheme_is_case_insensitive,
    head_answers_like_get_without_the_body_on_every_get_route
);

async fn the_bearer_scheme_is_case_insensitive(app: TestApp) {
    let token = app.member("lid@uwv.nl").await;
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let res = app
            .client
            .get(app.url("/api/v1/me"))
            .header("authorization", format!("{scheme} {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{scheme}");
    }
    let res = app
        .client
        .get(app.url("/api/v1/me"))
        .header("authorization", format!("Basic {token}"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 401, "invalid_token").await;

    let app = app
        .restart_with(|c| c.metrics_token = Some(Secret::new("metrics-token-0123456789")))
        .await;
    let res = app
        .client
        .get(app.url("/metrics"))
        .header("authorization", "bearer metrics-token-0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

async fn head_answers_like_get_without_the_body_on_every_get_route(app: TestApp) {
    let coord = app
        .with_role("coord@vereniging.nl", Role::Coordinator)
        .await;
    let gets: Vec<String> = crate::contract::spec_operations()
        .into_iter()
        .filter(|(m, _)| m == "GET")
        .map(|(_, p)| p.replace("{id}", "no-such-id"))
        .collect();
    assert!(gets.len() >= 15, "{gets:?}");
    for path in gets {
        let get = app
            .client
            .get(app.url(&path))
            .bearer_auth(&coord)
            .send()
            .await
            .unwrap();
        let head = app
            .client
            .head(app.url(&path))
            .bearer_auth(&coord)
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), get.status(), "HEAD {path}");
        assert_ne!(head.status(), 405, "HEAD {path}");
        assert_eq!(
            head.headers().get("content-type"),
            get.headers().get("content-type"),
            "HEAD {path}"
        );
        assert_eq!(
            head.headers().get("cache-control"),
            get.headers().get("cache-control"),
            "HEAD {path}"
        );
        assert!(
            head.bytes().await.unwrap().is_empty(),
            "HEAD {path} sent a body"
        );
    }
    // A static answer has the same length either way.
    let get = app
        .client
        .get(app.url("/api/v1/openapi.yaml"))
        .send()
        .await
        .unwrap();
    let head = app
        .client
        .head(app.url("/api/v1/openapi.yaml"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        head.headers().get("content-length"),
        get.headers().get("content-length")
    );
    assert_eq!(
        get.bytes().await.unwrap().len(),
        buddymatch::api::OPENAPI_YAML.len()
    );
    // Unauthenticated HEAD is refused as GET is, and HEAD shows in Allow.
    let head = app.client.head(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(head.status(), 401);
    let res = app
        .client
        .delete(app.url("/api/v1/topics"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers().get("allow").unwrap(), "GET, HEAD");
    let res = app
        .client
        .head(app.url("/api/v1/auth/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers().get("allow").unwrap(), "POST");
}

/// Query strings can carry secrets; the request log keeps the route and
/// the parameter names only. The real binary, logging JSON as in
/// production, serves requests with secret-looking query values (one
/// refused with an error that quotes it); none reaches the log.
async fn query_secrets_never_reach_the_log(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(backend, dir.path());
    admin_create(dir.path(), &db.url, "coord@example.nl", "coordinator");
    let server = Server::start(dir.path(), &db.url, &[]);
    let client = reqwest::Client::new();
    let login: Value = client
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"email": "coord@example.nl", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap();

    let requests = [
        ("/api/v1/me?access_token=S3CRET-access-token", Some(token)),
        ("/api/v1/me?access_token=S3CRET-no-auth", None),
        (
            "/api/v1/members?domain=S3CRET-in-an-error&page=1",
            Some(token),
        ),
        (
            "/api/v1/rounds/no-such-id?token=S3CRET-on-a-404-route",
            Some(token),
        ),
        ("/nowhere?S3CRET-without-a-name", None),
    ];
    for (path, bearer) in requests {
        let mut req = client.get(server.url(path));
        if let Some(t) = bearer {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap();
        assert!(res.status().as_u16() < 500, "{path}: {}", res.status());
    }
    let finished = |lines: &[Value]| {
        lines
            .iter()
            .filter(|l| l["fields"]["message"] == "request finished")
            .cloned()
            .collect::<Vec<_>>()
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    let lines = loop {
        let lines = server.lines();
        // The requests above and the login before them.
        if finished(&lines).len() > requests.len() {
            break lines;
        }
        assert!(Instant::now() < deadline, "no access log lines: {lines:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    for line in &lines {
        assert!(
            !line.to_string().contains("S3CRET"),
            "a query value was logged: {line}"
        );
    }
    let targets: Vec<String> = finished(&lines)
        .iter()
        .map(|l| {
            l["span"]["http.target"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert!(
        targets.contains(&"/api/v1/me?access_token=[redacted]".to_string()),
        "{targets:?}"
    );
    assert!(
        targets.contains(&"/api/v1/members?domain=[redacted]&page=[redacted]".to_string()),
        "{targets:?}"
    );
    assert!(
        targets.contains(&"/nowhere?[redacted]".to_string()),
        "{targets:?}"
    );
    let routes: Vec<String> = finished(&lines)
        .iter()
        .filter_map(|l| l["span"]["http.route"].as_str().map(str::to_string))
        .collect();
    assert!(
        routes.iter().any(|r| r == "/api/v1/rounds/{id}"),
        "{routes:?}"
    );
}

per_backend! {
    query_secrets_are_redacted_in_logs => query_secrets_never_reach_the_log,
}
