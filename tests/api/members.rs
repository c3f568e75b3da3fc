use crate::both_backends;
use crate::common::{assert_problem, sample_profile, TestApp};
use buddymatch::domain::Role;
use reqwest::Method;
use serde_json::json;

both_backends!(coordinators_filter_and_page_members);

async fn coordinators_filter_and_page_members(app: TestApp) {
    let people = [
        ("a@uwv.nl", "uwv", "utrecht", vec!["buddy"], false),
        (
            "b@zzp.nl",
            "self_employed",
            "utrecht",
            vec!["intervision"],
            false,
        ),
        (
            "c@uwv.nl",
            "uwv",
            "limburg",
            vec!["buddy", "intervision"],
            true,
        ),
        (
            "d@gemeente.nl",
            "municipality",
            "zeeland",
            vec!["buddy"],
            false,
        ),
    ];
    for (email, domain, province, forms, paused) in &people {
        let token = app.member(email).await;
        let mut p = sample_profile();
        p["domain"] = json!(domain);
        p["province"] = json!(province);
        p["forms"] = json!(forms);
        p["paused"] = json!(paused);
        let res = app
            .send_json(Method::PUT, "/api/v1/me/profile", Some(&token), &p)
            .await;
        assert_eq!(res.status(), 200);
    }
    app.member("no-profile@uwv.nl").await;
    let coord = app
        .with_role("coord@vereniging.nl", Role::Coordinator)
        .await;

    let emails = |v: &serde_json::Value| -> Vec<String> {
        let mut e: Vec<String> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["email"].as_str().unwrap().to_string())
            .collect();
        e.sort();
        e
    };
    let all: serde_json::Value = app
        .get("/api/v1/members", Some(&coord))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["total"], 4);
    let uwv: serde_json::Value = app
        .get("/api/v1/members?domain=uwv", Some(&coord))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(emails(&uwv), vec!["a@uwv.nl", "c@uwv.nl"]);
    let q: serde_json::Value = app
        .get("/api/v1/members?form=buddy&paused=false", Some(&coord))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(emails(&q), vec!["a@uwv.nl", "d@gemeente.nl"]);
    let q: serde_json::Value = app
        .get(
            "/api/v1/members?province=utrecht&form=intervision",
            Some(&coord),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(emails(&q), vec!["b@zzp.nl"]);

    let p1: serde_json::Value = app
        .get("/api/v1/members?per_page=3&page=1", Some(&coord))
        .await
        .json()
        .await
        .unwrap();
    let p2: serde_json::Value = app
        .get("/api/v1/members?per_page=3&page=2", Some(&coord))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p1["items"].as_array().unwrap().len(), 3);
    assert_eq!(p2["items"].as_array().unwrap().len(), 1);
    assert_eq!(p2["total"], 4);
    let mut both = emails(&p1);
    both.extend(emails(&p2));
    both.sort();
    assert_eq!(both, emails(&all));

    assert_problem(
        app.get("/api/v1/members?per_page=1000", Some(&coord)).await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        app.get("/api/v1/members?domain=police", Some(&coord)).await,
        400,
        "invalid_query",
    )
    .await;
    assert_problem(
        app.get("/api/v1/members?colour=red", Some(&coord)).await,
        400,
        "invalid_query",
    )
    .await;
}
