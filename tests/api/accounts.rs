use crate::both_backends;
use crate::common::{assert_problem, Backend, TestApp, PASSWORD};
use serde_json::json;

both_backends!(
    register_login_and_me,
    signing_up_with_a_taken_address_reveals_nothing,
    sign_ups_are_limited_per_address,
    english_locale_is_kept,
    unknown_email_and_wrong_password_look_the_same,
    refresh_rotates_and_reuse_ends_the_login,
    a_refresh_that_loses_a_race_still_ends_the_login,
    logout_revokes_the_refresh_token,
    failed_logins_are_rate_limited,
    the_address_limit_catches_spraying,
    roles_guard_endpoints_and_admins_change_roles,
    restart_keeps_accounts_profiles_and_tokens
);

async fn register_login_and_me(app: TestApp) {
    let accepted = app
        .register("  Anna.de.Vries@UWV.nl ", "Anna de Vries")
        .await;
    assert_eq!(
        accepted,
        json!({
            "email": "anna.de.vries@uwv.nl",
            "status": "verification_sent",
            "detail": "check your inbox for a link that confirms the address, then log in",
        })
    );

    let session = app.login("anna.de.vries@uwv.nl").await;
    assert_eq!(session["token_type"], "Bearer");
    assert_eq!(session["expires_in"], 900);
    let token = session["access_token"].as_str().unwrap();
    let me: serde_json::Value = app
        .get("/api/v1/me", Some(token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "anna.de.vries@uwv.nl");
    assert_eq!(me["role"], "member");
    assert_eq!(me["locale"], "nl");
    assert_eq!(me["display_name"], "Anna de Vries");
    assert!(me.get("password_hash").is_none());
    let created = me["created_at"].as_str().unwrap();
    assert!(
        created.len() == 20 && created.ends_with('Z') && &created[10..11] == "T",
        "{created}"
    );
}

async fn signing_up_with_a_taken_address_reveals_nothing(app: TestApp) {
    let first = app.register("bas@uwv.nl", "Bas").await;
    let res = app
        .post(
            "/api/v1/auth/register",
            &json!({
                "email": "Bas@uwv.nl",
                "password": "another password",
                "display_name": "Iemand Anders",
            }),
        )
        .await;
    assert_eq!(res.status(), 202);
    let second: serde_json::Value = res.json().await.unwrap();
    assert_eq!(first, second);
    // The real owner hears of it, and keeps their own password.
    // The email links to the login page of the service's web front end.
    let mail = app
        .wait_for_folder_mail("bas@uwv.nl", "Iemand (hopelijk jij) probeerde zich")
        .await;
    assert!(mail.contains("/login"), "{mail}");
    assert!(
        !mail.contains("in de app waarmee je je aanmeldde"),
        "{mail}"
    );
    app.login("bas@uwv.nl").await;
    let res = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "bas@uwv.nl", "password": "another password"}),
        )
        .await;
    assert_problem(res, 401, "invalid_credentials").await;
}

async fn sign_ups_are_limited_per_address(app: TestApp) {
    let app = app.restart_with(|c| c.register_max_per_hour = 2).await;
    for i in 0..2 {
        app.register(&format!("lid{i}@uwv.nl"), "Lid").await;
    }
    let res = app
        .post(
            "/api/v1/auth/register",
            &json!({"email": "lid9@uwv.nl", "password": PASSWORD, "display_name": "Lid"}),
        )
        .await;
    let retry = res.headers().get("retry-after").cloned();
    assert_problem(res, 429, "too_many_requests").await;
    assert!(retry.is_some());
}

async fn english_locale_is_kept(app: TestApp) {
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
    let user = app.login("sam@zzp.nl").await["user"].clone();
    assert_eq!(user["locale"], "en");
}

async fn unknown_email_and_wrong_password_look_the_same(app: TestApp) {
    app.register("piet@gemeente.nl", "Piet").await;
    let wrong = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "piet@gemeente.nl", "password": "not the password"}),
        )
        .await;
    let wrong = assert_problem(wrong, 401, "invalid_credentials").await;
    let unknown = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "nobody@gemeente.nl", "password": "not the password"}),
        )
        .await;
    let unknown = assert_problem(unknown, 401, "invalid_credentials").await;
    assert_eq!(wrong, unknown);
}

async fn refresh_rotates_and_reuse_ends_the_login(app: TestApp) {
    app.register("joke@arbo.nl", "Joke").await;
    let first = app.login("joke@arbo.nl").await;
    let r1 = first["refresh_token"].as_str().unwrap();

    let res = app
        .post("/api/v1/auth/refresh", &json!({"refresh_token": r1}))
        .await;
    assert_eq!(res.status(), 200);
    let second: serde_json::Value = res.json().await.unwrap();
    let r2 = second["refresh_token"].as_str().unwrap();
    assert_ne!(r1, r2);
    assert_eq!(
        app.get("/api/v1/me", second["access_token"].as_str())
            .await
            .status(),
        200
    );

    // Replaying the spent token revokes the whole family, r2 included.
    let replay = app
        .post("/api/v1/auth/refresh", &json!({"refresh_token": r1}))
        .await;
    assert_problem(replay, 401, "invalid_refresh_token").await;
    let after = app
        .post("/api/v1/auth/refresh", &json!({"refresh_token": r2}))
        .await;
    assert_problem(after, 401, "invalid_refresh_token").await;
}

async fn a_refresh_that_loses_a_race_still_ends_the_login(app: TestApp) {
    use buddymatch::auth::tokens::{hash_token, new_token};
    use diesel::connection::SimpleConnection;
    app.register("joke@arbo.nl", "Joke").await;
    let first = app.login("joke@arbo.nl").await;
    let r1 = first["refresh_token"].as_str().unwrap().to_string();
    let winner = new_token();

    // Another request presenting r1 at the same moment, caught after it
    // spent r1 and stored its successor, before it commits.
    let (h1, hw) = (hash_token(&r1), hash_token(&winner));
    let url = app.config.database_url();
    let begin = if app.backend == Backend::Sqlite {
        "BEGIN IMMEDIATE"
    } else {
        "BEGIN"
    };
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    let (commit_tx, commit_rx) = std::sync::mpsc::channel::<()>();
    let rival = std::thread::spawn(move || {
        let parsed = buddymatch::store::DatabaseUrl::parse(&url).unwrap();
        let pool = buddymatch::store::db::pool(&parsed, 1).unwrap();
        let mut c = pool.get().unwrap();
        let t = buddymatch::service::now();
        c.batch_execute(&format!(
            "{begin}; UPDATE refresh_tokens SET revoked_at = {t} WHERE token_hash = '{h1}'; \
             INSERT INTO refresh_tokens \
               (id, user_id, family_id, token_hash, created_at, expires_at) \
             SELECT 'rival', user_id, family_id, '{hw}', {t}, {t} + 3600 \
               FROM refresh_tokens WHERE token_hash = '{h1}';"
        ))
        .unwrap();
        held_tx.send(()).unwrap();
        commit_rx.recv().unwrap();
        c.batch_execute("COMMIT").unwrap();
    });
    tokio::task::block_in_place(|| held_rx.recv().unwrap());
    let ours = tokio::spawn(
        app.client
            .post(app.url("/api/v1/auth/refresh"))
            .json(&json!({"refresh_token": r1}))
            .send(),
    );
    if app.backend == Backend::Postgres {
        // Ours read r1 unspent and now waits on the rival's row lock.
        app.wait_for_lock_waiter("the refresh to wait on the row lock")
            .await;
    }
    commit_tx.send(()).unwrap();
    tokio::task::block_in_place(|| rival.join().unwrap());

    // Ours lost, and r1 was presented twice: the whole login ends,
    // including what the rival got.
    assert_problem(ours.await.unwrap().unwrap(), 401, "invalid_refresh_token").await;
    let res = app
        .post("/api/v1/auth/refresh", &json!({"refresh_token": winner}))
        .await;
    assert_problem(res, 401, "invalid_refresh_token").await;
    assert_problem(
        app.get("/api/v1/me", first["access_token"].as_str()).await,
        401,
        "session_ended",
    )
    .await;
}

async fn logout_revokes_the_refresh_token(app: TestApp) {
    app.register("kees@bureau.nl", "Kees").await;
    let s = app.login("kees@bureau.nl").await;
    let r = s["refresh_token"].as_str().unwrap();
    let res = app
        .post("/api/v1/auth/logout", &json!({"refresh_token": r}))
        .await;
    assert_eq!(res.status(), 204);
    let res = app
        .post("/api/v1/auth/refresh", &json!({"refresh_token": r}))
        .await;
    assert_problem(res, 401, "invalid_refresh_token").await;
    // Logging out twice is harmless.
    assert_eq!(
        app.post("/api/v1/auth/logout", &json!({"refresh_token": r}))
            .await
            .status(),
        204
    );
}

async fn failed_logins_are_rate_limited(app: TestApp) {
    app.register("target@uwv.nl", "Target").await;
    for _ in 0..5 {
        let res = app
            .post(
                "/api/v1/auth/login",
                &json!({"email": "target@uwv.nl", "password": "guess guess"}),
            )
            .await;
        assert_eq!(res.status(), 401);
    }
    let res = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "target@uwv.nl", "password": "guess guess"}),
        )
        .await;
    let retry: u64 = res
        .headers()
        .get("retry-after")
        .expect("Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 900, "retry-after {retry}");
    assert_problem(res, 429, "too_many_requests").await;
    // Locked even with the right password, and it is the account that is locked:
    let res = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "TARGET@uwv.nl", "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 429);
    // another account from the same address still logs in.
    app.register("other@uwv.nl", "Other").await;
    app.login("other@uwv.nl").await;
}

async fn the_address_limit_catches_spraying(app: TestApp) {
    // 4 x 5 failures over different accounts from one address.
    for i in 0..20 {
        let res = app
            .post(
                "/api/v1/auth/login",
                &json!({"email": format!("u{i}@x.nl"), "password": "guess guess"}),
            )
            .await;
        assert_eq!(res.status(), 401, "attempt {i}");
    }
    let res = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "fresh@x.nl", "password": "guess guess"}),
        )
        .await;
    assert_problem(res, 429, "too_many_requests").await;
}

async fn roles_guard_endpoints_and_admins_change_roles(app: TestApp) {
    let member = app.member("lid@uwv.nl").await;
    let me: serde_json::Value = app
        .get("/api/v1/me", Some(&member))
        .await
        .json()
        .await
        .unwrap();
    let member_id = me["id"].as_str().unwrap().to_string();

    assert_problem(
        app.get("/api/v1/members", Some(&member)).await,
        403,
        "forbidden",
    )
    .await;
    let admin = app
        .with_role("admin@vereniging.nl", buddymatch::domain::Role::Admin)
        .await;
    let coordinator = app
        .with_role("coord@vereniging.nl", buddymatch::domain::Role::Coordinator)
        .await;
    assert_eq!(
        app.get("/api/v1/members", Some(&coordinator))
            .await
            .status(),
        200
    );

    let path = format!("/api/v1/admin/users/{member_id}/role");
    let res = app
        .send_json(
            reqwest::Method::PUT,
            &path,
            Some(&coordinator),
            &json!({"role": "admin"}),
        )
        .await;
    assert_problem(res, 403, "forbidden").await;
    let res = app
        .send_json(
            reqwest::Method::PUT,
            &path,
            Some(&admin),
            &json!({"role": "coordinator"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let promoted: serde_json::Value = res.json().await.unwrap();
    assert_eq!(promoted["role"], "coordinator");

    // The new role arrives with the next login; the old tokens were ended.
    assert_problem(
        app.get("/api/v1/me", Some(&member)).await,
        401,
        "session_ended",
    )
    .await;
    let fresh = app.login("lid@uwv.nl").await;
    assert_eq!(fresh["user"]["role"], "coordinator");
    assert_eq!(
        app.get("/api/v1/members", fresh["access_token"].as_str())
            .await
            .status(),
        200
    );

    let res = app
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/admin/users/no-such-user/role",
            Some(&admin),
            &json!({"role": "member"}),
        )
        .await;
    assert_problem(res, 404, "user_not_found").await;
    let res = app
        .send_json(
            reqwest::Method::PUT,
            &path,
            Some(&admin),
            &json!({"role": "king"}),
        )
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "role");
}

async fn restart_keeps_accounts_profiles_and_tokens(app: TestApp) {
    let token = app.member("blijft@uwv.nl").await;
    let res = app
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/me/profile",
            Some(&token),
            &crate::common::sample_profile(),
        )
        .await;
    assert_eq!(res.status(), 200);
    let before: serde_json::Value = res.json().await.unwrap();

    let app = app.restart().await;
    let res = app.get("/api/v1/me/profile", Some(&token)).await;
    assert_eq!(
        res.status(),
        200,
        "the old access token is still valid after a restart"
    );
    let after: serde_json::Value = res.json().await.unwrap();
    assert_eq!(before, after);
    app.login("blijft@uwv.nl").await;
}

both_backends!(refusals_that_change_nothing);

/// Two 409s that protect the account: an admin cannot demote themselves
/// (another admin must), and a verified address gets no new link.
async fn refusals_that_change_nothing(app: TestApp) {
    let admin = app
        .with_role("beheer@vereniging.nl", buddymatch::domain::Role::Admin)
        .await;
    let me: serde_json::Value = app
        .get("/api/v1/me", Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/api/v1/admin/users/{}/role", me["id"].as_str().unwrap());
    let res = app
        .send_json(
            reqwest::Method::PUT,
            &path,
            Some(&admin),
            &json!({"role": "member"}),
        )
        .await;
    assert_problem(res, 409, "own_role").await;
    let again: serde_json::Value = app
        .get("/api/v1/me", Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["role"], "admin");

    let member = app
        .verified_member("lid@uwv.nl", "Lid", "nl", &crate::common::sample_profile())
        .await;
    let res = app
        .send_json(
            reqwest::Method::POST,
            "/api/v1/me/verification-email",
            Some(&member),
            &json!({}),
        )
        .await;
    assert_problem(res, 409, "already_verified").await;
}
