//! The learning record as evidence (meetings members show for PE points)
//! and the export that carries it.

use crate::both_backends;
use crate::common::{assert_problem, sample_profile, today, TestApp};
use buddymatch::domain::Role;
use serde_json::{json, Value};

/// Anna (UWV) and Bram (self-employed) seek a buddy and are paired by a
/// published round: (anna, bram, coordinator, round id, match id).
pub(crate) async fn a_pair(app: &TestApp) -> (String, String, String, String, String) {
    let mut p = sample_profile();
    p["forms"] = json!(["buddy"]);
    p["meeting_modes"] = json!(["online"]);
    let anna = app.verified_member("anna@uwv.nl", "Anna", "nl", &p).await;
    p["domain"] = json!("self_employed");
    let bram = app.verified_member("bram@zzp.nl", "Bram", "en", &p).await;
    let coord = app
        .with_role("coord@vereniging.nl", Role::Coordinator)
        .await;
    let (round, _) = app.published_round(&coord, json!({"kind": "buddy"})).await;
    let mine: Value = app
        .get("/api/v1/me/matches", Some(&anna))
        .await
        .json()
        .await
        .unwrap();
    let match_id = mine["items"][0]["id"]
        .as_str()
        .expect("Anna has a match")
        .to_string();
    (anna, bram, coord, round, match_id)
}

pub(crate) async fn accept(app: &TestApp, token: &str, match_id: &str) {
    let res = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/me/matches/{match_id}/accept"),
            Some(token),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
}

/// The fields a 422 names.
fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect()
}

fn yesterday() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    buddymatch::domain::time::amsterdam_day(secs - 86_400)
}

const REFLECTION: &str = "Ik leerde hoe een zelfstandige een werkgever adviseert over verzuim.";

both_backends!(
    a_meeting_is_plausible_evidence_or_refused,
    the_export_keeps_matches_of_cancelled_rounds
);

async fn a_meeting_is_plausible_evidence_or_refused(app: TestApp) {
    let (anna, bram, _, _, match_id) = a_pair(&app).await;
    let meetings = format!("/api/v1/me/matches/{match_id}/meetings");
    let post = |token: String, body: Value| {
        let app = &app;
        let path = meetings.clone();
        async move {
            app.send_json(reqwest::Method::POST, &path, Some(&token), &body)
                .await
        }
    };
    let today = today();

    // Anna took the match up, Bram has not answered yet: no meeting.
    accept(&app, &anna, &match_id).await;
    let res = post(
        anna.clone(),
        json!({"date": today, "hours": 2, "reflection": REFLECTION}),
    )
    .await;
    let p = assert_problem(res, 409, "counterpart_not_accepted").await;
    assert!(
        p["detail"].as_str().unwrap().contains("not accepted"),
        "{p}"
    );
    accept(&app, &bram, &match_id).await;

    // Dates: not year zero, not before the round was published.
    for date in ["0000-01-01", "1970-01-01", yesterday().as_str()] {
        let res = post(
            anna.clone(),
            json!({"date": date, "hours": 2, "reflection": REFLECTION}),
        )
        .await;
        let p = assert_problem(res, 422, "validation_failed").await;
        assert_eq!(fields(&p), ["date"], "{date}: {p}");
        assert!(
            p["detail"].as_str().unwrap().contains("published"),
            "{date}: {p}"
        );
    }

    // Hours: at most a long working day per meeting.
    for hours in [13, 24] {
        let res = post(
            anna.clone(),
            json!({"date": today, "hours": hours, "reflection": REFLECTION}),
        )
        .await;
        let p = assert_problem(res, 422, "validation_failed").await;
        assert_eq!(fields(&p), ["hours"], "{p}");
    }

    // The reflection's minimum counts what a reader sees.
    for blank in [
        "\u{200B}".repeat(25),
        format!("{}Kort.", " \u{200B}\u{2060}\u{FEFF}".repeat(10)),
        "\u{3164}".repeat(30),
    ] {
        let res = post(
            anna.clone(),
            json!({"date": today, "hours": 2, "reflection": blank}),
        )
        .await;
        let p = assert_problem(res, 422, "validation_failed").await;
        assert_eq!(fields(&p), ["reflection"], "{p}");
        assert!(p["detail"].as_str().unwrap().contains("visible"), "{p}");
    }

    // Plausible meetings are recorded, up to 40 hours in a month.
    for hours in [12, 12, 12] {
        let res = post(
            anna.clone(),
            json!({"date": today, "hours": hours, "reflection": REFLECTION}),
        )
        .await;
        assert_eq!(res.status(), 201);
    }
    let res = post(
        anna.clone(),
        json!({"date": today, "hours": 5, "reflection": REFLECTION}),
    )
    .await;
    let p = assert_problem(res, 409, "monthly_hours_exceeded").await;
    assert!(p["detail"].as_str().unwrap().contains("36 hours"), "{p}");
    let res = post(
        anna.clone(),
        json!({"date": today, "hours": 4, "reflection": REFLECTION}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let res = post(
        anna.clone(),
        json!({"date": today, "hours": 1, "reflection": REFLECTION}),
    )
    .await;
    assert_problem(res, 409, "monthly_hours_exceeded").await;
    // The limit is Anna's own: Bram still records his meeting.
    let res = post(
        bram.clone(),
        json!({"date": today, "hours": 12, "reflection": REFLECTION}),
    )
    .await;
    assert_eq!(res.status(), 201);

    let record: Value = app
        .get("/api/v1/me/learning-record", Some(&anna))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(record["total"], 4);
    let hours: i64 = record["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["hours"].as_i64().unwrap())
        .sum();
    assert_eq!(hours, 40);
}

async fn the_export_keeps_matches_of_cancelled_rounds(app: TestApp) {
    let (anna, bram, coord, round, match_id) = a_pair(&app).await;
    accept(&app, &anna, &match_id).await;
    accept(&app, &bram, &match_id).await;
    let res = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/me/matches/{match_id}/meetings"),
            Some(&anna),
            &json!({"date": today(), "hours": 2, "reflection": REFLECTION}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let res = app
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/me/matches/{match_id}/rating"),
            Some(&anna),
            &json!({"stars": 5, "comment": "Heel leerzaam"}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let before: Value = app
        .get("/api/v1/me/export", Some(&anna))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(before["matches"][0]["round"]["status"], "published");
    assert!(
        before["matches"][0]["counterparts"][0]["email"].is_string(),
        "{before}"
    );

    let res = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/rounds/{round}/cancel"),
            Some(&coord),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);

    // The match is withdrawn from the member's list ...
    let mine: Value = app
        .get("/api/v1/me/matches", Some(&anna))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["items"], json!([]));
    // ... but the export still holds it, marked cancelled, so the
    // meeting and the rating point at a match in the same document.
    let export: Value = app
        .get("/api/v1/me/export", Some(&anna))
        .await
        .json()
        .await
        .unwrap();
    let matches = export["matches"].as_array().unwrap();
    assert_eq!(matches.len(), 1, "{export}");
    let m = &matches[0];
    assert_eq!(m["id"], json!(match_id));
    assert_eq!(m["round"]["id"], json!(round));
    assert_eq!(m["round"]["status"], "cancelled");
    assert_eq!(m["response"], "accepted");
    assert_eq!(export["meetings"][0]["match_id"], json!(match_id));
    assert_eq!(export["ratings"][0]["match_id"], json!(match_id));
    // A withdrawn match no longer connects them: no contact details.
    let cp = &m["counterparts"][0];
    assert_eq!(cp["display_name"], "Bram");
    for field in ["email", "phone", "province"] {
        assert_eq!(cp[field], Value::Null, "{field}: {cp}");
    }
    // And no meeting can be added to it.
    let res = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/me/matches/{match_id}/meetings"),
            Some(&anna),
            &json!({"date": today(), "hours": 2, "reflection": REFLECTION}),
        )
        .await;
    assert_problem(res, 404, "match_not_found").await;
}

both_backends!(a_match_holds_at_most_52_meetings);

/// A weekly meeting for a year is plausible evidence, a 53rd in the same
/// match is not. One hour each keeps every month under its 40 hours; the
/// round is moved 400 days back so that a year of dates is after it.
async fn a_match_holds_at_most_52_meetings(app: TestApp) {
    let (anna, bram, _, round, match_id) = a_pair(&app).await;
    accept(&app, &anna, &match_id).await;
    accept(&app, &bram, &match_id).await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    app.with_db(move |c| {
        use buddymatch::store::schema::rounds::dsl as r;
        use diesel::prelude::*;
        diesel::update(r::rounds.find(round))
            .set(r::published_at.eq(Some(now - 400 * 86_400)))
            .execute(c)
            .unwrap();
    });
    let path = format!("/api/v1/me/matches/{match_id}/meetings");
    let meeting = |days_ago: i64| {
        json!({
            "date": buddymatch::domain::time::amsterdam_day(now - days_ago * 86_400),
            "hours": 1,
            "reflection": REFLECTION,
        })
    };
    for week in 0..52 {
        let res = app
            .send_json(
                reqwest::Method::POST,
                &path,
                Some(&anna),
                &meeting(week * 7 + 1),
            )
            .await;
        assert_eq!(res.status(), 201, "meeting {week}");
    }
    let res = app
        .send_json(reqwest::Method::POST, &path, Some(&anna), &meeting(0))
        .await;
    assert_problem(res, 409, "too_many_meetings").await;
}
