//! The cache of checked logins (PostgreSQL only): a request whose login this
//! instance checked lately skips that query, and still every way a login
//! ends (here, on another instance, or by someone's own SQL) is obeyed at
//! once, not when the cached check would have run out (5 s).

use crate::common::timing::login_check;
use crate::common::{assert_problem, Backend, TestApp};
use crate::per_backend;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Asks `base` for `/me` with `token` until the answer says its login was
/// confirmed from the cache; on SQLite it never is.
async fn until_cached(client: &reqwest::Client, base: &str, token: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let res = client
            .get(format!("{base}/api/v1/me"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        if login_check(&res).as_deref() == Some("cached") {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

/// Holds `base` to refusing `token` within a second of `what`, asking every
/// 10 ms (a cached check would last 5 s).
async fn refused_soon(client: &reqwest::Client, base: &str, token: &str, what: &str) {
    let took = accepted_for(client, base, token).await;
    assert!(
        took < Duration::from_secs(1),
        "{what} reached {base} after {took:?}"
    );
}

/// How long `base` went on accepting `token` after this call, asking every
/// 10 ms for up to 3 s.
async fn accepted_for(client: &reqwest::Client, base: &str, token: &str) -> Duration {
    let started = Instant::now();
    loop {
        let res = client
            .get(format!("{base}/api/v1/me"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        if res.status() == 401 || started.elapsed() > Duration::from_secs(3) {
            return started.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn a_login_checked_lately_is_trusted_only_until_it_changes(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.server_timing = true).await;
    app.register("lid@uwv.nl", "Lid").await;
    let login = app.login("lid@uwv.nl").await;
    let token = login["access_token"].as_str().unwrap();
    let cached = until_cached(&app.client, &app.address, token).await;
    assert_eq!(
        cached,
        backend == Backend::Postgres,
        "only PostgreSQL instances hear changes of logins, so only they keep checks"
    );
    // Ended on this instance: refused by its very next request.
    let res = app
        .post(
            "/api/v1/auth/logout",
            &json!({"refresh_token": login["refresh_token"]}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let res = app.get("/api/v1/me", Some(token)).await;
    assert_eq!(login_check(&res).as_deref(), Some("checked"));
    assert_problem(res, 401, "session_ended").await;
}

per_backend! { cache_on_one_instance => a_login_checked_lately_is_trusted_only_until_it_changes }

/// Two instances on one PostgreSQL database: a login cached on one ends
/// there as soon as the other ends it, and so does one whose role the other
/// changed, or that someone ended in SQL of their own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_of_logins_reach_every_instance_at_once() {
    let app = TestApp::spawn_with(Backend::Postgres, |c| c.server_timing = true).await;
    let other = app.second_instance().await;
    let client = &app.client;
    let admin = app
        .with_role("beheer@example.nl", buddymatch::domain::Role::Admin)
        .await;

    // A logout here.
    app.register("een@uwv.nl", "Een").await;
    let one = app.login("een@uwv.nl").await;
    let one_token = one["access_token"].as_str().unwrap();
    assert!(until_cached(client, &other, one_token).await);
    let res = app
        .post(
            "/api/v1/auth/logout",
            &json!({"refresh_token": one["refresh_token"]}),
        )
        .await;
    assert_eq!(res.status(), 204);
    refused_soon(client, &other, one_token, "the logout").await;

    // A new role here.
    app.register("twee@uwv.nl", "Twee").await;
    let two = app.login("twee@uwv.nl").await;
    let two_token = two["access_token"].as_str().unwrap();
    let me: Value = app
        .get("/api/v1/me", Some(two_token))
        .await
        .json()
        .await
        .unwrap();
    assert!(until_cached(client, &other, two_token).await);
    let res = app
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/admin/users/{}/role", me["id"].as_str().unwrap()),
            Some(&admin),
            &json!({"role": "coordinator"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    refused_soon(client, &other, two_token, "the new role").await;

    // An operator's own SQL, through no instance at all.
    app.register("drie@uwv.nl", "Drie").await;
    let three = app.login("drie@uwv.nl").await;
    let three_token = three["access_token"].as_str().unwrap().to_string();
    assert!(until_cached(client, &app.address, &three_token).await);
    assert!(until_cached(client, &other, &three_token).await);
    app.with_db(|c| {
        use diesel::connection::SimpleConnection;
        c.batch_execute(
            "UPDATE sessions SET ended_at = 1 WHERE user_id = \
             (SELECT id FROM users WHERE email = 'drie@uwv.nl')",
        )
        .unwrap();
    });
    for base in [&app.address, &other] {
        refused_soon(client, base, &three_token, "the operator's SQL").await;
    }
    let res = client
        .get(format!("{other}/api/v1/me"))
        .bearer_auth(&three_token)
        .send()
        .await
        .unwrap();
    assert_problem(res, 401, "session_ended").await;
}

/// Only a statement that changed a login tells the instances: a delete that
/// removed nothing (the hourly purge, most hours) leaves every cache alone;
/// one that removed a session tells once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_deletes_that_remove_rows_announce_a_change() {
    use diesel::connection::SimpleConnection;
    let app = TestApp::spawn(Backend::Postgres).await;
    app.register("vier@uwv.nl", "Vier").await;
    app.login("vier@uwv.nl").await;
    let url = app.config.database_url.clone().unwrap();
    let mut listen = tokio::task::block_in_place(|| {
        let mut c = buddymatch::store::db::establish_postgres(&url).unwrap();
        c.batch_execute("LISTEN buddymatch_logins").unwrap();
        c
    });
    // One transaction each: PostgreSQL folds equal notifications of one
    // transaction into one.
    app.with_db(|c| {
        for delete in [
            "DELETE FROM sessions WHERE false",
            "DELETE FROM users WHERE false",
            "DELETE FROM sessions WHERE user_id = \
             (SELECT id FROM users WHERE email = 'vier@uwv.nl')",
        ] {
            c.batch_execute(delete).unwrap();
        }
    });
    // Notifications arrive in commit order, so everything the deletes told
    // has arrived once a last marker has.
    app.with_db(|c| {
        c.batch_execute("SELECT pg_notify('buddymatch_logins', 'end of test')")
            .unwrap();
    });
    let mut heard = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while heard.last().map(String::as_str) != Some("end of test") {
        assert!(
            Instant::now() < deadline,
            "the marker never came: {heard:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
        tokio::task::block_in_place(|| {
            for n in listen.notifications_iter() {
                let payload = n.unwrap().payload;
                // The instances' own probes share the channel.
                if !payload.starts_with("probe:") {
                    heard.push(payload);
                }
            }
        });
    }
    heard.pop();
    assert_eq!(heard, ["login"], "one change told, for the real delete");
}
