//! The round weight `novelty` feeds the learning network back into
//! matching: after a round taken up, the next pairs a member with a domain
//! they have not learned with, where the weight off would not, and the
//! match says why.

use crate::both_backends;
use crate::common::{assert_problem, sample_profile, TestApp};
use buddymatch::domain::Role;
use reqwest::Method;
use serde_json::{json, Value};

both_backends!(
    novelty_pairs_a_member_with_a_domain_new_to_them,
    the_weight_is_bounded,
);

async fn user_id(app: &TestApp, token: &str) -> String {
    let me: Value = app
        .get("/api/v1/me", Some(token))
        .await
        .json()
        .await
        .unwrap();
    me["id"].as_str().unwrap().to_string()
}

async fn preview(app: &TestApp, coord: &str, id: &str) -> Value {
    let res = app.round_action(coord, id, "preview").await;
    assert_eq!(res.status(), 200, "preview of {id}");
    res.json().await.unwrap()
}

/// Ana (UWV) took up a pair with Bo (a municipality) in round 1. In round 2
/// Ana can meet Cas (a municipality, offers a topic Ana wants, prefers
/// Dutch like her) or Dee (an insurer, prefers English); Cas and Dee share
/// no language. Without novelty Cas scores 10 points more (a topic, the
/// preferred language); with novelty 20 Dee is worth one unit more (the
/// insurer domain is new to Ana; to Cas and Dee, UWV is new, and both are
/// in a part of the network of their own), so 20 points more.
async fn novelty_pairs_a_member_with_a_domain_new_to_them(app: TestApp) {
    let mut p = sample_profile();
    p["forms"] = json!(["buddy"]);
    let ana = app.verified_member("ana@uwv.nl", "Ana", "nl", &p).await;
    p["domain"] = json!("municipality");
    let bo = app.verified_member("bo@gemeente.nl", "Bo", "nl", &p).await;
    p["languages"] = json!(["nl"]);
    p["topics_offered"] = json!(["soft_skills"]);
    let cas = app
        .verified_member("cas@gemeente.nl", "Cas", "nl", &p)
        .await;
    p["domain"] = json!("insurer");
    p["languages"] = json!(["en"]);
    p["topics_offered"] = json!(["social_security"]);
    let dee = app
        .verified_member("dee@verzekeraar.nl", "Dee", "en", &p)
        .await;
    let coord = app
        .with_role("coord@vereniging.nl", Role::Coordinator)
        .await;
    let [ana_id, bo_id, cas_id, dee_id] = [
        user_id(&app, &ana).await,
        user_id(&app, &bo).await,
        user_id(&app, &cas).await,
        user_id(&app, &dee).await,
    ];

    // Round 1: Ana and Bo, taken up by both (no meeting recorded yet).
    app.published_round(
        &coord,
        json!({"kind": "buddy", "cohort": {"members": [ana_id, bo_id]}}),
    )
    .await;
    for t in [&ana, &bo] {
        let m = app.my_matches(t).await[0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        app.answer_match(t, &m, "accept", json!({})).await;
    }

    let round2 = |novelty: i64| {
        json!({
            "kind": "buddy",
            "cohort": {"members": [ana_id, cas_id, dee_id]},
            "settings": {"weights": {"novelty": novelty}},
        })
    };
    let off = app.draft_round(&coord, round2(0)).await;
    let on = app.draft_round(&coord, round2(20)).await;
    let pair = |v: &Value| {
        let p = &v["result"]["pairs"][0];
        let mut ids = [p["a"].as_str().unwrap(), p["b"].as_str().unwrap()];
        ids.sort();
        (ids.map(String::from), p["reasons"].clone())
    };
    let (without, reasons) = pair(&preview(&app, &coord, &off).await);
    let mut expected = [ana_id.clone(), cas_id.clone()];
    expected.sort();
    assert_eq!(
        without, expected,
        "without novelty: the topic and the language"
    );
    assert!(!reasons.to_string().contains("novelty"), "{reasons}");

    let (with, reasons) = pair(&preview(&app, &coord, &on).await);
    let mut expected = [ana_id.clone(), dee_id.clone()];
    expected.sort();
    assert_eq!(with, expected, "with novelty: a domain new to Ana");
    let novelty = reasons
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["component"] == "novelty")
        .unwrap_or_else(|| panic!("no novelty reason in {reasons}"));
    assert_eq!(novelty["points"], 3 * 20);
    let detail = novelty["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!("new to {ana_id}: insurer")),
        "{detail}"
    );
    assert!(
        detail.contains(&format!("new to {dee_id}: uwv")),
        "{detail}"
    );
    assert!(
        detail.contains("joins two parts of the network"),
        "{detail}"
    );

    // Published, the match keeps the reason, and Ana's email says it in words.
    let res = app.round_action(&coord, &on, "publish").await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let mine = &app.my_matches(&ana).await[0];
    assert!(
        mine["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["component"] == "novelty" && r["points"] == 60),
        "{mine}"
    );
    app.wait_for_folder_mail("ana@uwv.nl", "Deze match verbreedt jullie leernetwerk")
        .await;
    app.wait_for_folder_mail(
        "dee@verzekeraar.nl",
        "This match widens your learning network",
    )
    .await;
}

async fn the_weight_is_bounded(app: TestApp) {
    let coord = app
        .with_role("coord@vereniging.nl", Role::Coordinator)
        .await;
    let res = app
        .send_json(
            Method::POST,
            "/api/v1/rounds",
            Some(&coord),
            &json!({
                "programme_id": buddymatch::store::programmes::DEFAULT_PROGRAMME_ID,
                "kind": "buddy",
                "settings": {"weights": {"novelty": 1001}},
            }),
        )
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(
        body["errors"][0]["field"], "settings.weights.novelty",
        "{body}"
    );
    let id = app
        .draft_round(
            &coord,
            json!({"kind": "buddy", "settings": {"weights": {"novelty": 1000}}}),
        )
        .await;
    let round: Value = app
        .get(&format!("/api/v1/rounds/{id}"), Some(&coord))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        round["round"]["settings"]["weights"]["novelty"], 1000,
        "{round}"
    );
}
