use crate::both_backends;
use crate::common::{assert_problem, Backend, TestApp, SIGNING_KEY};
use buddymatch::auth::JwtKeys;
use buddymatch::domain::Role;
use serde_json::json;

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

both_backends!(
    unknown_routes_and_wrong_methods,
    malformed_bodies,
    field_rules_on_sign_up,
    oversized_bodies_are_refused,
    bad_tokens
);

async fn unknown_routes_and_wrong_methods(app: TestApp) {
    let body = assert_problem(
        app.get("/api/v1/nothing-here", None).await,
        404,
        "not_found",
    )
    .await;
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .contains("/api/v1/nothing-here"));
    let res = app
        .client
        .delete(app.url("/api/v1/me/profile"))
        .send()
        .await
        .unwrap();
    let body = assert_problem(res, 405, "method_not_allowed").await;
    assert!(body["detail"].as_str().unwrap().contains("DELETE"));
    let res = app
        .client
        .get(app.url("/api/v1/auth/login"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 405, "method_not_allowed").await;
}

async fn malformed_bodies(app: TestApp) {
    let raw = |body: &'static str, ct: &'static str| {
        app.client
            .post(app.url("/api/v1/auth/register"))
            .header("content-type", ct)
            .body(body)
            .send()
    };
    assert_problem(
        raw("{\"email\": ", "application/json").await.unwrap(),
        400,
        "malformed_json",
    )
    .await;
    assert_problem(
        raw("", "application/json").await.unwrap(),
        400,
        "empty_body",
    )
    .await;
    assert_problem(
        raw("email=a", "application/x-www-form-urlencoded")
            .await
            .unwrap(),
        415,
        "unsupported_media_type",
    )
    .await;

    let res = app
        .post(
            "/api/v1/auth/register",
            &json!({
                "email": "a@b.nl",
                "password": "long enough",
                "display_name": "A",
                "admin": true,
            }),
        )
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("unknown field `admin`"),
        "{body}"
    );

    let res = app
        .post(
            "/api/v1/auth/register",
            &json!({"email": "a@b.nl", "password": "long enough"}),
        )
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert!(
        body["detail"].as_str().unwrap().contains("display_name"),
        "{body}"
    );

    let res = app
        .post(
            "/api/v1/auth/register",
            &json!({"email": "a@b.nl", "password": 12345678, "display_name": "A"}),
        )
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "password");

    let res = app
        .post(
            "/api/v1/auth/register",
            &json!({
                "email": "a@b.nl",
                "password": "long enough",
                "display_name": "A",
                "locale": "fr",
            }),
        )
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "locale");
}

async fn field_rules_on_sign_up(app: TestApp) {
    let res = app
        .post(
            "/api/v1/auth/register",
            &json!({"email": "not-an-email", "password": "short", "display_name": "   "}),
        )
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["email", "password", "display_name"]);
    let res = app
        .post(
            "/api/v1/auth/register",
            &json!({"email": "a@b.nl", "password": "long enough", "display_name": "x".repeat(101)}),
        )
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert!(body["detail"].as_str().unwrap().contains("at most 100"));
}

async fn oversized_bodies_are_refused(app: TestApp) {
    let big = "x".repeat(70 * 1024);
    let res = app
        .post(
            "/api/v1/auth/register",
            &json!({"email": "a@b.nl", "password": "long enough", "display_name": big}),
        )
        .await;
    assert_problem(res, 413, "payload_too_large").await;
}

async fn bad_tokens(app: TestApp) {
    assert_problem(app.get("/api/v1/me", None).await, 401, "missing_token").await;
    let res = app
        .client
        .get(app.url("/api/v1/me"))
        .header("authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    assert_problem(res, 401, "invalid_token").await;
    assert_problem(
        app.get("/api/v1/me", Some("not.a.jwt")).await,
        401,
        "invalid_token",
    )
    .await;

    let token = app.member("anna@uwv.nl").await;
    let mut tampered: Vec<String> = token.split('.').map(String::from).collect();
    tampered[1] = buddymatch_payload_with_role(&tampered[1], "admin");
    assert_problem(
        app.get("/api/v1/me", Some(&tampered.join("."))).await,
        401,
        "invalid_token",
    )
    .await;

    let keys = JwtKeys::new(SIGNING_KEY.as_bytes(), &app.config.public_base_url, 60).unwrap();
    let expired = keys
        .issue("someone", "no-session", Role::Member, now() - 3600)
        .unwrap();
    assert_problem(
        app.get("/api/v1/me", Some(&expired)).await,
        401,
        "token_expired",
    )
    .await;
    let foreign = JwtKeys::new(&[9u8; 32], &app.config.public_base_url, 60)
        .unwrap()
        .issue("x", "no-session", Role::Admin, now())
        .unwrap();
    assert_problem(
        app.get("/api/v1/me", Some(&foreign)).await,
        401,
        "invalid_token",
    )
    .await;
    let res = app.get("/api/v1/members", Some(&foreign)).await;
    assert_problem(res, 401, "invalid_token").await;
}

/// Re-encodes a JWT payload with another role, keeping the old signature.
fn buddymatch_payload_with_role(payload_b64: &str, role: &str) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let mut claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload_b64).unwrap()).unwrap();
    claims["role"] = json!(role);
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap())
}

both_backends!(a_database_outage_is_a_documented_503_anywhere);

async fn a_database_outage_is_a_documented_503_anywhere(app: TestApp) {
    use diesel::connection::SimpleConnection;
    let url = app.config.database_url();
    let backend = app.backend;
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let name = url.rsplit('/').next().unwrap().to_string();
    let admin = url.rsplit_once('/').unwrap().0.to_string() + "/postgres";
    let outage = std::thread::spawn(move || {
        let pool_of = |u: &str| {
            buddymatch::store::db::pool(&buddymatch::store::DatabaseUrl::parse(u).unwrap(), 1)
                .unwrap()
        };
        match backend {
            // A writer holding the lock past the 5 s busy timeout.
            Backend::Sqlite => {
                let pool = pool_of(&url);
                let mut c = pool.get().unwrap();
                c.batch_execute("BEGIN IMMEDIATE").unwrap();
                held_tx.send(()).unwrap();
                release_rx.recv().unwrap();
                c.batch_execute("COMMIT").unwrap();
            }
            // The database stops taking connections and drops those it had.
            Backend::Postgres => {
                let pool = pool_of(&admin);
                let mut c = pool.get().unwrap();
                c.batch_execute(&format!(
                    "ALTER DATABASE {name} ALLOW_CONNECTIONS false; \
                     SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                       WHERE datname = '{name}';"
                ))
                .unwrap();
                held_tx.send(()).unwrap();
                release_rx.recv().unwrap();
                c.batch_execute(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
                    .unwrap();
            }
        }
    });
    tokio::task::block_in_place(|| held_rx.recv().unwrap());
    let res = app
        .post("/api/v1/auth/logout", &json!({"refresh_token": "whatever"}))
        .await;
    release_tx.send(()).unwrap();
    tokio::task::block_in_place(|| outage.join().unwrap());
    assert_eq!(
        res.headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap()),
        Some("2")
    );
    assert_problem(res, 503, "service_unavailable").await;
    assert!(crate::contract::documents_503(
        "POST",
        "/api/v1/auth/logout"
    ));
    // And the service is back once the database is.
    assert_eq!(
        app.post("/api/v1/auth/logout", &json!({"refresh_token": "whatever"}))
            .await
            .status(),
        204
    );
}

/// A chunked body whose framing breaks halfway cannot be read: a 400 that
/// says so, not a 500, and the request changes nothing.
async fn a_body_that_breaks_off_is_unreadable(app: TestApp) {
    use std::io::{Read, Write};
    let host = app.address.trim_start_matches("http://").to_string();
    let answer = tokio::task::block_in_place(move || {
        let mut conn = std::net::TcpStream::connect(host).unwrap();
        conn.set_read_timeout(Some(std::time::Duration::from_secs(20)))
            .unwrap();
        // One good chunk, then a chunk size that is not hexadecimal.
        conn.write_all(
            b"POST /api/v1/auth/register HTTP/1.1\r\nHost: test\r\n\
              Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n\
              5\r\n{\"ema\r\nzz\r\nil\": \"x\"}\r\n0\r\n\r\n",
        )
        .unwrap();
        let mut answer = Vec::new();
        let mut buf = [0u8; 4096];
        // Read until the server has answered and closed, or the head and
        // body are in.
        while let Ok(n) = conn.read(&mut buf) {
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buf[..n]);
            if answer.windows(4).any(|w| w == b"\r\n\r\n")
                && String::from_utf8_lossy(&answer).contains("\"code\"")
            {
                break;
            }
        }
        String::from_utf8_lossy(&answer).into_owned()
    });
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    let code = "unreadable_body";
    assert!(answer.contains(&format!("\"code\":\"{code}\"")), "{answer}");
}

both_backends!(a_body_that_breaks_off_is_unreadable);
