use crate::both_backends;
use crate::common::TestApp;

both_backends!(health_and_readiness);

async fn health_and_readiness(app: TestApp) {
    let res = app.get("/healthz", None).await;
    assert_eq!(res.status(), 200);
    let res = app.get("/readyz", None).await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ready");
}

mod signing_key {
    use crate::common::{Backend, TestApp};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn generated_on_first_start_private_and_reused() {
        let app = TestApp::spawn_with(Backend::Sqlite, |c| c.signing_key = None).await;
        let key_file = app.data_dir().join("signing.key");
        let mode = {
            use std::os::unix::fs::PermissionsExt;
            std::fs::metadata(&key_file)
                .expect("key file written")
                .permissions()
                .mode()
        };
        assert_eq!(mode & 0o777, 0o600, "only the owner may read the key");
        assert!(
            app.data_dir().join("mail").is_dir(),
            "the mail folder exists"
        );
        let key = std::fs::read_to_string(&key_file).unwrap();
        assert!(key.len() >= 64);

        let token = app.member("a@uwv.nl").await;
        let app = app.restart().await;
        assert_eq!(std::fs::read_to_string(&key_file).unwrap(), key);
        assert_eq!(app.get("/api/v1/me", Some(&token)).await.status(), 200);
    }
}

both_backends!(
    security_headers_on_every_response,
    creates_say_where_the_new_resource_is
);

async fn security_headers_on_every_response(app: TestApp) {
    for res in [
        app.get("/healthz", None).await,
        app.get("/api/v1/nothing", None).await,
        app.get("/api/v1/me", None).await,
    ] {
        let h = res.headers();
        assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
        assert_eq!(h.get("x-frame-options").unwrap(), "DENY");
        assert_eq!(h.get("referrer-policy").unwrap(), "no-referrer");
        assert_eq!(h.get("cache-control").unwrap(), "no-store");
        assert_eq!(
            h.get("strict-transport-security").unwrap(),
            "max-age=31536000; includeSubDomains"
        );
    }
}

async fn creates_say_where_the_new_resource_is(app: TestApp) {
    let coord = app
        .with_role("coord@vereniging.nl", buddymatch::domain::Role::Coordinator)
        .await;
    let res = app
        .send_json(
            reqwest::Method::POST,
            "/api/v1/rounds",
            Some(&coord),
            &serde_json::json!({"programme_id": buddymatch::store::programmes::DEFAULT_PROGRAMME_ID, "kind": "buddy"}),
        )
        .await;
    let location = res
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let round: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/rounds/{}", round["id"].as_str().unwrap())
    );
    assert_eq!(app.get(&location, Some(&coord)).await.status(), 200);
}

both_backends!(a_recorded_meeting_says_where_to_read_it_back);

async fn a_recorded_meeting_says_where_to_read_it_back(app: TestApp) {
    use serde_json::json;
    let mut p = crate::common::sample_profile();
    p["forms"] = json!(["buddy"]);
    p["meeting_modes"] = json!(["online"]);
    let anna = app.verified_member("anna@uwv.nl", "Anna", "nl", &p).await;
    p["domain"] = json!("municipality");
    let bram = app
        .verified_member("bram@gemeente.nl", "Bram", "nl", &p)
        .await;
    let coord = app
        .with_role("coord@vereniging.nl", buddymatch::domain::Role::Coordinator)
        .await;
    app.published_round(&coord, json!({"kind": "buddy"})).await;
    let mine: serde_json::Value = app
        .get("/api/v1/me/matches", Some(&anna))
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    let match_id = mine[0]["id"].as_str().unwrap();
    let res = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/me/matches/{match_id}/accept"),
            Some(&anna),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);

    let res = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/me/matches/{match_id}/accept"),
            Some(&bram),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);

    let body = json!({
        "date": crate::common::today(),
        "hours": 2,
        "reflection": "Ik zag hoe een gemeente een intake voert.",
    });
    let res = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/me/matches/{match_id}/meetings"),
            Some(&anna),
            &body,
        )
        .await;
    assert_eq!(res.status(), 201);
    let location = res
        .headers()
        .get("location")
        .expect("Location")
        .to_str()
        .unwrap()
        .to_string();
    let created: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!(
            "/api/v1/me/learning-record/{}",
            created["id"].as_str().unwrap()
        )
    );
    let res = app.get(&location, Some(&anna)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<serde_json::Value>().await.unwrap(), created);
    // Only its author reads it; the counterpart and strangers get 404.
    crate::common::assert_problem(
        app.get(&location, Some(&bram)).await,
        404,
        "meeting_not_found",
    )
    .await;
    crate::common::assert_problem(
        app.get(&location, Some(&coord)).await,
        404,
        "meeting_not_found",
    )
    .await;
}
