//! Auth hardening: signing-key rotation, password change, per-address limits
//! behind a proxy, and the audit log of coordinator and admin actions.

use crate::both_backends;
use crate::common::{assert_problem, sample_profile, TestApp, PASSWORD, SIGNING_KEY};
use buddymatch::config::Secret;
use buddymatch::domain::Role;
use serde_json::{json, Value};

const NEW_KEY: &str = "the-next-signing-key-fedcba9876543210fedcba9876543210";

fn kid(token: &str) -> String {
    jsonwebtoken::decode_header(token)
        .unwrap()
        .kid
        .expect("tokens name their key")
}

both_backends!(
    rotating_the_signing_key_logs_nobody_out,
    changing_the_password_ends_every_session,
    logout_ends_that_logins_access_tokens_at_once,
    a_password_reset_ends_every_access_token,
    cors_serves_allowed_origins_and_refuses_others_as_problems,
    behind_a_trusted_proxy_each_client_has_its_own_budget,
    a_trusted_range_of_proxies_passes_the_client_address_on,
    coordinator_and_admin_actions_are_audited
);

async fn rotating_the_signing_key_logs_nobody_out(app: TestApp) {
    let old = app.member("lid@uwv.nl").await;
    let app = app
        .restart_with(|c| {
            c.signing_key = Some(Secret::new(NEW_KEY));
            c.previous_signing_keys = vec![Secret::new(SIGNING_KEY)];
        })
        .await;
    assert_eq!(app.get("/api/v1/me", Some(&old)).await.status(), 200);
    let new = app.login("lid@uwv.nl").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(kid(&old), kid(&new));
    assert_eq!(app.get("/api/v1/me", Some(&new)).await.status(), 200);

    // Once the old key is retired, its tokens stop working; new ones do not.
    let app = app.restart_with(|c| c.previous_signing_keys = vec![]).await;
    assert_problem(
        app.get("/api/v1/me", Some(&old)).await,
        401,
        "invalid_token",
    )
    .await;
    assert_eq!(app.get("/api/v1/me", Some(&new)).await.status(), 200);
}

async fn changing_the_password_ends_every_session(app: TestApp) {
    app.register("lid@uwv.nl", "Lid").await;
    let phone = app.login("lid@uwv.nl").await;
    let laptop = app.login("lid@uwv.nl").await;
    let token = laptop["access_token"].as_str().unwrap();
    let app = &app;
    let change = |current: &'static str| async move {
        let body = json!({"current_password": current, "new_password": "a brand new passphrase"});
        app.send_json(
            reqwest::Method::POST,
            "/api/v1/me/password",
            Some(token),
            &body,
        )
        .await
    };
    assert_problem(change("wrong guess").await, 403, "password_incorrect").await;
    let res = app
        .send_json(
            reqwest::Method::POST,
            "/api/v1/me/password",
            Some(token),
            &json!({"current_password": PASSWORD, "new_password": "short"}),
        )
        .await;
    let p = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "new_password");
    assert_eq!(change(PASSWORD).await.status(), 204);

    for session in [&phone, &laptop] {
        let res = app
            .post(
                "/api/v1/auth/refresh",
                &json!({"refresh_token": session["refresh_token"]}),
            )
            .await;
        assert_problem(res, 401, "invalid_refresh_token").await;
        // The access tokens end with their logins, not 15 minutes later.
        let res = app
            .get("/api/v1/me", session["access_token"].as_str())
            .await;
        assert_problem(res, 401, "session_ended").await;
    }
    let res = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "lid@uwv.nl", "password": PASSWORD}),
        )
        .await;
    assert_problem(res, 401, "invalid_credentials").await;
    let res = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "lid@uwv.nl", "password": "a brand new passphrase"}),
        )
        .await;
    assert_eq!(res.status(), 200);
}

async fn logout_ends_that_logins_access_tokens_at_once(app: TestApp) {
    app.register("lid@uwv.nl", "Lid").await;
    let phone = app.login("lid@uwv.nl").await;
    let laptop = app.login("lid@uwv.nl").await;
    // A rotated login keeps one session: its newest access token ends too.
    let res = app
        .post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": phone["refresh_token"]}),
        )
        .await;
    let rotated: Value = res.json().await.unwrap();
    let res = app
        .post(
            "/api/v1/auth/logout",
            &json!({"refresh_token": rotated["refresh_token"]}),
        )
        .await;
    assert_eq!(res.status(), 204);
    for token in [&phone["access_token"], &rotated["access_token"]] {
        let res = app.get("/api/v1/me", token.as_str()).await;
        assert_eq!(res.headers().get("www-authenticate").unwrap(), "Bearer");
        assert_problem(res, 401, "session_ended").await;
    }
    // Also where the request is refused before it reads any data (the login
    // is checked with the request's first read, or after it when there is
    // none): the ended login is what it is told.
    let res = app
        .send_json(
            reqwest::Method::PATCH,
            "/api/v1/me/profile",
            phone["access_token"].as_str(),
            &json!({"no_such_field": 1}),
        )
        .await;
    assert_problem(res, 401, "session_ended").await;
    let res = app
        .send_json(
            reqwest::Method::PATCH,
            "/api/v1/me/profile",
            laptop["access_token"].as_str(),
            &json!({"no_such_field": 1}),
        )
        .await;
    assert_eq!(res.status(), 422, "a login still on is told what is wrong");
    // The other login goes on.
    assert_eq!(
        app.get("/api/v1/me", laptop["access_token"].as_str())
            .await
            .status(),
        200
    );
}

async fn a_password_reset_ends_every_access_token(app: TestApp) {
    let token = app.member("lid@uwv.nl").await;
    let res = app
        .post(
            "/api/v1/auth/password-reset",
            &json!({"email": "lid@uwv.nl"}),
        )
        .await;
    assert_eq!(res.status(), 202);
    let mail = app
        .wait_for_folder_mail("lid@uwv.nl", "reset-password?token=")
        .await;
    let start = mail.find("token=").unwrap() + "token=".len();
    let link: String = mail[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let res = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": link, "password": "a brand new passphrase"}),
        )
        .await;
    assert_eq!(res.status(), 204);
    assert_problem(
        app.get("/api/v1/me", Some(&token)).await,
        401,
        "session_ended",
    )
    .await;
}

async fn cors_serves_allowed_origins_and_refuses_others_as_problems(app: TestApp) {
    const FRONT: &str = "https://app.buddymatch.example";
    let app = app
        .restart_with(|c| c.cors_origins = vec![FRONT.into()])
        .await;
    let preflight = |origin: &'static str, method: &'static str, headers: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/api/v1/me"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", method)
            .header("Access-Control-Request-Headers", headers)
            .send()
    };
    let header = |res: &reqwest::Response, name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let hsts = Some("max-age=31536000; includeSubDomains".to_string());

    let res = preflight(FRONT, "GET", "authorization, content-type")
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        header(&res, "access-control-allow-origin").as_deref(),
        Some(FRONT)
    );
    assert!(header(&res, "access-control-allow-methods")
        .unwrap()
        .contains("GET"));
    assert!(header(&res, "access-control-allow-headers")
        .unwrap()
        .to_lowercase()
        .contains("authorization"));
    assert_eq!(
        header(&res, "access-control-max-age").as_deref(),
        Some("3600")
    );
    assert_eq!(header(&res, "strict-transport-security"), hsts);

    // Another origin: a 403 problem with the security headers, and
    // nothing that would let a browser go on.
    let res = preflight("https://elders.example", "GET", "authorization")
        .await
        .unwrap();
    assert_eq!(header(&res, "access-control-allow-origin"), None);
    assert_eq!(header(&res, "strict-transport-security"), hsts);
    assert_eq!(
        header(&res, "x-content-type-options").as_deref(),
        Some("nosniff")
    );
    assert_problem(res, 403, "origin_not_allowed").await;
    assert_problem(
        preflight(FRONT, "TRACE", "").await.unwrap(),
        403,
        "cors_not_allowed",
    )
    .await;
    assert_problem(
        preflight(FRONT, "GET", "x-sneaky").await.unwrap(),
        403,
        "cors_not_allowed",
    )
    .await;
    let res = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/me"))
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .unwrap();
    assert_problem(res, 400, "bad_request").await;

    // Requests from the allowed origin carry CORS headers, problem
    // bodies (from a handler or from the router) included.
    for path in ["/api/v1/me", "/api/v1/nowhere"] {
        let res = app
            .client
            .get(app.url(path))
            .header("Origin", FRONT)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_client_error());
        assert_eq!(
            header(&res, "access-control-allow-origin").as_deref(),
            Some(FRONT),
            "{path}"
        );
        assert_eq!(
            header(&res, "content-type").as_deref(),
            Some("application/problem+json")
        );
    }
    // From another origin a request is served without them: the
    // browser keeps the answer from the page.
    let res = app
        .client
        .get(app.url("/api/v1/topics"))
        .header("Origin", "https://elders.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "access-control-allow-origin"), None);
    assert_eq!(header(&res, "strict-transport-security"), hsts);
}

async fn behind_a_trusted_proxy_each_client_has_its_own_budget(app: TestApp) {
    let app = app
        .restart_with(|c| c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()])
        .await;
    let login = |from: &'static str, n: usize| {
        app.client
            .post(app.url("/api/v1/auth/login"))
            .header("X-Forwarded-For", from)
            .json(&json!({"email": format!("gok{n}@uwv.nl"), "password": "guess"}))
            .send()
    };
    // 20 failures per address (5 per account, four accounts' worth).
    for n in 0..20 {
        assert_eq!(
            login("198.51.100.1", n).await.unwrap().status(),
            401,
            "attempt {n}"
        );
    }
    assert_problem(
        login("198.51.100.1", 99).await.unwrap(),
        429,
        "too_many_requests",
    )
    .await;
    // A colleague behind the same proxy is not locked out.
    assert_eq!(login("198.51.100.2", 98).await.unwrap().status(), 401);
    // A client cannot pick a fresh address by prepending one: the proxy's
    // own entry (the rightmost) is what counts.
    assert_problem(
        login("203.0.113.5, 198.51.100.1", 97).await.unwrap(),
        429,
        "too_many_requests",
    )
    .await;
}

async fn a_trusted_range_of_proxies_passes_the_client_address_on(app: TestApp) {
    // As in Kubernetes: the proxy's own address is not fixed, its range is.
    let app = app
        .restart_with(|c| {
            c.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
            c.register_max_per_hour = 1;
        })
        .await;
    let sign_up = |from: &'static str, n: u32| {
        app.client
            .post(app.url("/api/v1/auth/register"))
            .header("X-Forwarded-For", from)
            .json(&json!({
                "email": format!("lid{n}@uwv.nl"),
                "password": PASSWORD,
                "display_name": "Lid",
            }))
            .send()
    };
    assert_eq!(sign_up("198.51.100.1", 1).await.unwrap().status(), 202);
    assert_problem(
        sign_up("198.51.100.1", 2).await.unwrap(),
        429,
        "too_many_requests",
    )
    .await;
    // Another client behind the same proxies has a budget of its own.
    assert_eq!(sign_up("198.51.100.2", 3).await.unwrap().status(), 202);
}

async fn coordinator_and_admin_actions_are_audited(app: TestApp) {
    let coord = app
        .with_role("coord@vereniging.nl", Role::Coordinator)
        .await;
    let admin = app.with_role("beheer@vereniging.nl", Role::Admin).await;
    let coord_id = app.login("coord@vereniging.nl").await["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let member = app
        .verified_member("lid@uwv.nl", "Lid", "nl", &sample_profile())
        .await;
    let member_id = app
        .get("/api/v1/me", Some(&member))
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    let res = app
        .send_json(
            reqwest::Method::POST,
            "/api/v1/rounds",
            Some(&coord),
            &json!({"programme_id": buddymatch::store::programmes::DEFAULT_PROGRAMME_ID, "kind": "intervision"}),
        )
        .await;
    let round: Value = res.json().await.unwrap();
    let round_id = round["id"].as_str().unwrap();
    for step in ["preview", "publish"] {
        let res = app
            .send_json(
                reqwest::Method::POST,
                &format!("/api/v1/rounds/{round_id}/{step}"),
                Some(&coord),
                &json!({}),
            )
            .await;
        assert_eq!(res.status(), 200, "{step}");
    }
    assert_eq!(
        app.get(&format!("/api/v1/rounds/{round_id}"), Some(&coord))
            .await
            .status(),
        200
    );
    assert_eq!(
        app.get("/api/v1/members?domain=uwv", Some(&coord))
            .await
            .status(),
        200
    );
    assert_eq!(
        app.get("/api/v1/mail/failed", Some(&coord)).await.status(),
        200
    );
    let res = app
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/admin/users/{member_id}/role"),
            Some(&admin),
            &json!({"role": "coordinator"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    // A refused action leaves no entry.
    let res = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/rounds/{round_id}/publish"),
            Some(&coord),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 409);

    // Only admins read the log.
    assert_problem(
        app.get("/api/v1/admin/audit-log", Some(&coord)).await,
        403,
        "forbidden",
    )
    .await;
    let log: Value = app
        .get("/api/v1/admin/audit-log", Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "user_role_changed",
            "mail_failed_viewed",
            "members_listed",
            "round_viewed",
            "round_published",
            "round_previewed",
            "round_created",
        ]
    );
    assert_eq!(log["total"], 7);
    let changed = &log["items"][0];
    assert_eq!(changed["actor_role"], "admin");
    assert_eq!(changed["target_type"], "user");
    assert_eq!(changed["target_id"], member_id.as_str());
    assert_eq!(
        changed["detail"],
        json!({"from": "member", "to": "coordinator"})
    );
    let listed = &log["items"][2];
    assert_eq!(listed["actor_id"], coord_id.as_str());
    assert_eq!(listed["detail"]["filter"]["domain"], "uwv");
    assert!(listed["at"].as_str().unwrap().ends_with('Z'));

    // Reading the log is logged too, and the log filters and pages.
    let res = app
        .get(
            &format!("/api/v1/admin/audit-log?actor_id={coord_id}&per_page=2&page=2"),
            Some(&admin),
        )
        .await;
    let page: Value = res.json().await.unwrap();
    assert_eq!(page["total"], 6);
    let actions: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["round_viewed", "round_published"]);
    let res = app
        .get(
            "/api/v1/admin/audit-log?action=audit_log_viewed",
            Some(&admin),
        )
        .await;
    let viewed: Value = res.json().await.unwrap();
    assert_eq!(viewed["total"], 2);
    let res = app
        .get("/api/v1/admin/audit-log?action=round_deleted", Some(&admin))
        .await;
    let p = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "action");
}
