use crate::both_backends;
use crate::common::{assert_problem, sample_profile, TestApp};
use reqwest::Method;
use serde_json::json;

both_backends!(
    profile_round_trip,
    members_only_see_their_own_profile,
    profile_validation_reports_every_field,
    wrong_enum_values_name_the_field,
    topics_have_dutch_and_english_labels
);

async fn profile_round_trip(app: TestApp) {
    let token = app.member("anna@uwv.nl").await;
    let res = app.get("/api/v1/me/profile", Some(&token)).await;
    assert_problem(res, 404, "profile_not_found").await;

    let res = app
        .send_json(
            Method::PUT,
            "/api/v1/me/profile",
            Some(&token),
            &sample_profile(),
        )
        .await;
    assert_eq!(res.status(), 200);
    let saved: serde_json::Value = res.json().await.unwrap();
    let got: serde_json::Value = app
        .get("/api/v1/me/profile", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(saved, got);
    assert_eq!(got["domain"], "uwv");
    assert_eq!(got["experience"], 2);
    assert_eq!(got["province"], "utrecht");
    assert_eq!(got["languages"], json!(["en", "nl"]));
    assert_eq!(
        got["forms"],
        json!(["buddy", "intervision", "shadowing_visitor"])
    );
    assert_eq!(
        got["topics_wanted"],
        json!(["artificial_intelligence", "soft_skills"])
    );
    assert_eq!(got["topics_offered"], json!(["social_security"]));
    assert_eq!(got["paused"], false);
    assert_eq!(got["host_capacity"], 0);

    // PATCH changes only what it names.
    let res = app
        .send_json(
            Method::PATCH,
            "/api/v1/me/profile",
            Some(&token),
            &json!({"paused": true, "experience": "in_training", "topics_offered": []}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let patched: serde_json::Value = res.json().await.unwrap();
    assert_eq!(patched["paused"], true);
    assert_eq!(patched["experience"], "in_training");
    assert_eq!(patched["topics_offered"], json!([]));
    assert_eq!(patched["topics_wanted"], got["topics_wanted"]);
    assert_eq!(patched["province"], "utrecht");
    let again: serde_json::Value = app
        .get("/api/v1/me/profile", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again, patched);
}

async fn members_only_see_their_own_profile(app: TestApp) {
    let anna = app.member("anna@uwv.nl").await;
    let bob = app.member("bob@zzp.nl").await;
    app.send_json(
        Method::PUT,
        "/api/v1/me/profile",
        Some(&anna),
        &sample_profile(),
    )
    .await;
    assert_problem(
        app.get("/api/v1/me/profile", Some(&bob)).await,
        404,
        "profile_not_found",
    )
    .await;
}

async fn profile_validation_reports_every_field(app: TestApp) {
    let token = app.member("anna@uwv.nl").await;
    let res = app
        .send_json(
            Method::PUT,
            "/api/v1/me/profile",
            Some(&token),
            &json!({
                "profession": "labour_expert",
                "experience": 5,
                "registration": "certified",
                "province": "utrecht",
                "hours_per_month": 100,
                "max_travel_km": 30,
                "forms": ["shadowing_host"],
                "topics_wanted": ["astrology"],
                "learning_goal": "x".repeat(501)
            }),
        )
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec![
            "domain",
            "host_capacity",
            "hours_per_month",
            "topics_wanted[0]",
            "learning_goal"
        ],
        "{body}"
    );

    let res = app
        .send_json(
            Method::PATCH,
            "/api/v1/me/profile",
            Some(&token),
            &json!({"paused": true}),
        )
        .await;
    assert_problem(res, 404, "profile_not_found").await;
}

async fn wrong_enum_values_name_the_field(app: TestApp) {
    let token = app.member("anna@uwv.nl").await;
    let mut p = sample_profile();
    p["province"] = json!("brabant");
    let res = app
        .send_json(Method::PUT, "/api/v1/me/profile", Some(&token), &p)
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "province");
    assert!(
        body["detail"].as_str().unwrap().contains("noord_brabant"),
        "{body}"
    );

    let mut p = sample_profile();
    p["forms"] = json!(["buddy", "coffee"]);
    let res = app
        .send_json(Method::PUT, "/api/v1/me/profile", Some(&token), &p)
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "forms[1]");
}

async fn topics_have_dutch_and_english_labels(app: TestApp) {
    let res = app.get("/api/v1/topics", None).await;
    assert_eq!(res.status(), 200);
    let topics: Vec<serde_json::Value> = res.json().await.unwrap();
    assert_eq!(topics.len(), buddymatch::domain::TOPICS.len());
    let ai = topics
        .iter()
        .find(|t| t["slug"] == "artificial_intelligence")
        .expect("AI is a topic");
    assert_eq!(ai["label_en"], "Artificial intelligence (AI)");
    assert!(ai["label_nl"].as_str().unwrap().contains("intelligentie"));
    for t in buddymatch::domain::TOPICS {
        assert!(
            topics
                .iter()
                .any(|r| r["slug"] == t.slug && r["label_nl"] == t.label_nl),
            "{} seeded",
            t.slug
        );
    }
}
