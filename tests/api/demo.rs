use crate::both_backends;
use crate::common::TestApp;
use buddymatch::service::demo;
use serde_json::{json, Value};
use std::collections::HashSet;

fn load_demo(app: &TestApp, members: usize) {
    let url = app.config.database_url();
    tokio::task::block_in_place(move || {
        let parsed = buddymatch::store::DatabaseUrl::parse(&url).unwrap();
        let pool = buddymatch::store::db::pool(&parsed, 1).unwrap();
        let mut conn = pool.get().unwrap();
        let summary = demo::load(&mut conn, members, 7).unwrap();
        assert_eq!(summary.members, members);
        let twice = demo::load(&mut conn, members, 7).expect_err("loading twice is refused");
        assert_eq!(twice.code(), "demo_loaded");
    });
}

/// Logs in as the demo coordinator over HTTP; returns the access token.
async fn demo_coordinator(app: &TestApp) -> String {
    let login: Value = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": demo::COORDINATOR_EMAIL, "password": demo::DEMO_PASSWORD}),
        )
        .await
        .json()
        .await
        .unwrap();
    login["access_token"]
        .as_str()
        .expect("the demo coordinator logs in")
        .to_string()
}

both_backends!(all_three_kinds_of_rounds_on_the_demo_population);

async fn all_three_kinds_of_rounds_on_the_demo_population(app: TestApp) {
    load_demo(&app, 90);
    let coord = demo_coordinator(&app).await;
    let mut emailed = 0;
    for kind in ["buddy", "shadowing", "intervision"] {
        let id = app.draft_round(&coord, json!({"kind": kind})).await;
        let res = app
            .send_json(
                reqwest::Method::POST,
                &format!("/api/v1/rounds/{id}/preview"),
                Some(&coord),
                &json!({}),
            )
            .await;
        assert_eq!(res.status(), 200, "{kind}");
        let preview: Value = res.json().await.unwrap();
        assert!(
            preview["metrics"]["matched"].as_u64().unwrap() >= 2,
            "{kind}: {}",
            preview["metrics"]
        );
        // Demo members have workplaces: colleagues in one team are kept apart.
        let removed = &preview["result"]["removed_pairs"];
        assert!(
            removed["same_team"].as_u64().unwrap() > 0,
            "{kind}: {removed}"
        );
        let res = app
            .send_json(
                reqwest::Method::POST,
                &format!("/api/v1/rounds/{id}/publish"),
                Some(&coord),
                &json!({}),
            )
            .await;
        assert_eq!(res.status(), 200, "{kind}");
        let published: Value = res.json().await.unwrap();
        let detail: Value = app
            .get(&format!("/api/v1/rounds/{id}"), Some(&coord))
            .await
            .json()
            .await
            .unwrap();
        let mut seen = HashSet::new();
        for m in detail["matches"].as_array().unwrap() {
            for p in m["members"].as_array().unwrap() {
                let fresh = seen.insert(p["user_id"].as_str().unwrap().to_string());
                // A host has one match per visit; nobody else is in two.
                assert!(
                    fresh || p["role"] == "host",
                    "{kind}: someone is in two matches"
                );
            }
            if kind == "intervision" {
                let n = m["members"].as_array().unwrap().len();
                assert!((4..=6).contains(&n), "group of {n}");
            }
        }
        let people = seen.len();
        assert_eq!(published["metrics"]["matched"], people, "{kind}");
        assert_eq!(
            published["matches"],
            detail["matches"].as_array().unwrap().len(),
            "{kind}: a match is a match everywhere"
        );
        let left_out = preview["result"]["unmatched"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| {
                let before = [
                    "paused",
                    "insufficient_hours",
                    "hours_committed",
                    "no_host_capacity",
                ];
                !before.contains(&u["reason"].as_str().unwrap())
                    && !seen.contains(u["member"].as_str().unwrap())
            })
            .map(|u| u["member"].as_str().unwrap())
            .collect::<HashSet<_>>()
            .len();
        assert_eq!(
            published["emails"],
            people + left_out,
            "{kind}: one email per participant"
        );
        assert_eq!(
            published["emails"], published["metrics"]["eligible"],
            "{kind}"
        );
        crate::common::assert_per_domain_adds_up(&published["metrics"], kind);
        emailed += people;
    }
    // After one round of each kind nobody is committed beyond their hours.
    let over = app.with_db(|conn| {
        use buddymatch::service::commitments::{committed, Period};
        let rows = buddymatch::store::rounds::memberships(conn).unwrap();
        let hours = buddymatch::matching::instance::FormHours::default();
        let all = committed(
            &rows,
            Period {
                from: i64::MIN,
                until: i64::MAX,
            },
            &hours,
        )
        .unwrap();
        let profiles = buddymatch::store::profiles::load_all(conn).unwrap();
        all.into_iter()
            .filter(|(id, h)| *h > u32::from(profiles[id].hours_per_month))
            .count()
    });
    assert_eq!(over, 0, "members over their monthly hours");
    assert!(emailed > 0);
}

both_backends!(smtp_down_during_publish_loses_nothing);

async fn smtp_down_during_publish_loses_nothing(app: TestApp) {
    let port = crate::common::smtp::free_port();
    let app = TestApp::spawn_with(app.backend, |c| {
        c.smtp_url = Some(buddymatch::config::Secret::new(format!(
            "smtp://127.0.0.1:{port}"
        )))
    })
    .await;
    load_demo(&app, 30);
    let coord = demo_coordinator(&app).await;
    let id = app.draft_round(&coord, json!({"kind": "buddy"})).await;
    let published: Value = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/rounds/{id}/publish"),
            Some(&coord),
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    let expected = published["emails"].as_u64().unwrap() as usize;
    assert!(expected >= 2, "{published}");

    // Wait until every email has failed at least once, then bring SMTP up.
    app.wait_for_outbox("every email to have failed once", |rows| {
        rows.iter()
            .all(|(s, attempts, _)| s == "pending" && *attempts >= 1)
    })
    .await;
    let sink = crate::common::smtp::SmtpSink::start_on(port);
    let got = sink
        .wait_for(expected, std::time::Duration::from_secs(30))
        .await;
    let mut ids: Vec<&str> = got.iter().map(|m| m.message_id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), expected, "each email once");
    app.wait_for_outbox("every email to be marked sent", |rows| {
        rows.iter().all(|(s, _, _)| s == "sent")
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), expected, "nothing sent twice");
}

both_backends!(a_running_round_reports_its_phase);

async fn a_running_round_reports_its_phase(app: TestApp) {
    load_demo(&app, 1200);
    let coord = demo_coordinator(&app).await;
    let id = app
        .draft_round(&coord, json!({"kind": "intervision"}))
        .await;
    let round: Value = app
        .get(&format!("/api/v1/rounds/{id}"), Some(&coord))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(round["progress"], Value::Null);

    let running = {
        let (client, url, token) = (
            app.client.clone(),
            app.url(&format!("/api/v1/rounds/{id}/preview")),
            coord.clone(),
        );
        tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&json!({}))
                .send()
                .await
                .unwrap()
                .status()
        })
    };
    let mut phases = Vec::new();
    while !running.is_finished() {
        let detail: Value = app
            .get(&format!("/api/v1/rounds/{id}"), Some(&coord))
            .await
            .json()
            .await
            .unwrap();
        if let Some(phase) = detail["round"]["progress"]["phase"].as_str() {
            if phases.last().map(String::as_str) != Some(phase) {
                phases.push(phase.to_string());
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert_eq!(running.await.unwrap(), 200);
    assert!(
        !phases.is_empty(),
        "no phase was visible while the preview ran"
    );
    let known = ["loading_members", "building_candidate_graph", "solving"];
    assert!(
        phases.iter().all(|p| known.contains(&p.as_str())),
        "{phases:?}"
    );
    let detail: Value = app
        .get(&format!("/api/v1/rounds/{id}"), Some(&coord))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        detail["round"]["progress"],
        Value::Null,
        "cleared when done"
    );
}

both_backends!(the_demo_shows_two_programmes_each_with_its_coordinator);

/// The national coordinator sees every demo member; the coordinator of
/// Regio Noord only the members in Groningen, Fryslân and Drenthe, and a
/// round of theirs draws its cohort from there.
async fn the_demo_shows_two_programmes_each_with_its_coordinator(app: TestApp) {
    load_demo(&app, 90);
    let national = demo_coordinator(&app).await;
    let login: Value = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": demo::REGION_COORDINATOR_EMAIL, "password": demo::DEMO_PASSWORD}),
        )
        .await
        .json()
        .await
        .unwrap();
    let regional = login["access_token"].as_str().unwrap().to_string();
    let programmes = |token: String| {
        let app = &app;
        async move {
            let page: Value = app
                .get("/api/v1/programmes", Some(&token))
                .await
                .json()
                .await
                .unwrap();
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        p["name"].as_str().unwrap().to_string(),
                        p["id"].as_str().unwrap().to_string(),
                        p["member_count"].as_i64().unwrap(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let national_list = programmes(national.clone()).await;
    assert_eq!(national_list.len(), 1);
    assert_eq!(national_list[0].0, demo::NATIONAL_PROGRAMME);
    let regional_list = programmes(regional.clone()).await;
    assert_eq!(regional_list.len(), 1);
    let (name, north, count) = regional_list[0].clone();
    assert_eq!(name, demo::REGIONAL_PROGRAMME);
    assert!(
        count > 0 && count < national_list[0].2,
        "{count} of {}",
        national_list[0].2
    );

    let members: Value = app
        .get("/api/v1/members?per_page=100", Some(&regional))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(members["total"], count);
    for m in members["items"].as_array().unwrap() {
        let p = m["profile"]["province"].as_str().unwrap();
        assert!(["groningen", "friesland", "drenthe"].contains(&p), "{p}");
    }
    let all: Value = app
        .get("/api/v1/members?per_page=1", Some(&national))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["total"], 90);

    // Each coordinator's rounds are theirs alone.
    let id = app
        .draft_round(&regional, json!({"programme_id": north, "kind": "buddy"}))
        .await;
    let res = app
        .get(&format!("/api/v1/rounds/{id}"), Some(&national))
        .await;
    assert_eq!(res.status(), 404);
    let res = app.round_action(&regional, &id, "preview").await;
    assert_eq!(res.status(), 200);
    let preview: Value = res.json().await.unwrap();
    assert!(
        preview["metrics"]["eligible"].as_i64().unwrap() <= count,
        "{}",
        preview["metrics"]
    );
}
