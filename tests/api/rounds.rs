use crate::both_backends;
use crate::common::{assert_problem, sample_profile, TestApp};
use buddymatch::domain::Role;
use serde_json::{json, Value};
use std::collections::HashSet;

/// Six members who all want a buddy and can meet online, across domains:
/// (email, name, locale, domain, years of experience).
const PEOPLE: [(&str, &str, &str, &str, u8); 6] = [
    ("anna@uwv.nl", "Anna", "nl", "uwv", 2),
    ("bram@zzp.nl", "Bram", "nl", "self_employed", 15),
    ("chris@gemeente.nl", "Chris", "en", "municipality", 8),
    ("dewi@arbo.nl", "Dewi", "nl", "occupational_health", 1),
    ("eva@uwv.nl", "Eva", "en", "uwv", 12),
    ("farid@bureau.nl", "Farid", "nl", "advisory_firm", 5),
];

async fn population(app: &TestApp) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (email, name, locale, domain, years) in PEOPLE {
        let mut p = sample_profile();
        p["domain"] = json!(domain);
        p["experience"] = json!(years);
        p["forms"] = json!(["buddy"]);
        p["meeting_modes"] = json!(["online"]);
        let token = app.verified_member(email, name, locale, &p).await;
        out.push((email.to_string(), token));
    }
    out
}

fn pairs(preview: &Value) -> Vec<(String, String)> {
    preview["result"]["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let (a, b) = (
                p["a"].as_str().unwrap().to_string(),
                p["b"].as_str().unwrap().to_string(),
            );
            if a < b {
                (a, b)
            } else {
                (b, a)
            }
        })
        .collect()
}

both_backends!(
    a_buddy_round_from_preview_to_answers,
    rounds_are_for_coordinators_and_check_their_input
);

async fn a_buddy_round_from_preview_to_answers(app: TestApp) {
    let members = population(&app).await;
    app.register("unverified@uwv.nl", "Niet Bevestigd").await;
    let coord = app
        .with_role("coord@vereniging.nl", Role::Coordinator)
        .await;

    let res = app
        .send_json(
            reqwest::Method::POST,
            "/api/v1/rounds",
            Some(&coord),
            &json!({
                "programme_id": buddymatch::store::programmes::DEFAULT_PROGRAMME_ID,
                "kind": "buddy",
                "note": "Veel leerplezier!",
                "meeting_window": {"from": "2026-12-01", "until": "2027-01-31"},
            }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let round: Value = res.json().await.unwrap();
    assert_eq!(round["status"], "draft");
    let id = round["id"].as_str().unwrap().to_string();

    let res = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/rounds/{id}/preview"),
            Some(&coord),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let preview: Value = res.json().await.unwrap();
    assert_eq!(preview["metrics"]["eligible"], 6, "{preview}");
    assert_eq!(preview["metrics"]["matched"], 6);
    let ps = pairs(&preview);
    assert_eq!(ps.len(), 3);
    let everyone: HashSet<&String> = ps.iter().flat_map(|(a, b)| [a, b]).collect();
    assert_eq!(everyone.len(), 6, "nobody twice");
    assert!(
        preview["metrics"]["cross_domain_share"].as_f64().unwrap() > 0.99,
        "every pair crosses domains here: {}",
        preview["metrics"]
    );
    assert!(preview["result"]["pairs"][0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["component"] == "cross_domain"));
    // Preview changes nothing.
    let detail: Value = app
        .get(&format!("/api/v1/rounds/{id}"), Some(&coord))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["round"]["status"], "draft");
    assert_eq!(detail["matches"], json!([]));

    let res = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/rounds/{id}/publish"),
            Some(&coord),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let published: Value = res.json().await.unwrap();
    assert_eq!(published["matches"], 3);
    assert_eq!(published["emails"], 6);
    let again = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/rounds/{id}/publish"),
            Some(&coord),
            &json!({}),
        )
        .await;
    assert_problem(again, 409, "round_not_draft").await;

    // Every member is told, in their own language, with the counterpart's contact.
    let chris = app
        .wait_for_folder_mail("chris@gemeente.nl", "Why this match")
        .await;
    assert!(
        chris.contains("we have arranged your buddy pair for round 1"),
        "{chris}"
    );
    let anna = app
        .wait_for_folder_mail("anna@uwv.nl", "Waarom deze match")
        .await;
    assert!(
        anna.contains("Veel leerplezier!")
            && anna.contains("Jullie werken in verschillende domeinen: UWV en ")
            && !anna.contains("(+"),
        "{anna}"
    );
    assert!(
        anna.contains("dinsdag 1 december 2026") && anna.contains("zondag 31 januari 2027"),
        "the meeting window, as people read dates: {anna}"
    );

    let (anna_email, anna_token) = &members[0];
    let mine: Value = app
        .get("/api/v1/me/matches", Some(anna_token))
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    let mine = mine.as_array().unwrap();
    assert_eq!(mine.len(), 1);
    // A member's own lists page like every other list.
    let page2: Value = app
        .get("/api/v1/me/matches?page=2&per_page=1", Some(anna_token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        page2,
        json!({"items": [], "page": 2, "per_page": 1, "total": 1})
    );
    for bad in ["per_page=0", "page=0", "per_page=101"] {
        assert_problem(
            app.get(&format!("/api/v1/me/matches?{bad}"), Some(anna_token))
                .await,
            422,
            "validation_failed",
        )
        .await;
    }
    let m = &mine[0];
    assert_eq!(m["response"], "pending");
    let other = &m["counterparts"][0];
    assert_ne!(other["email"], json!(anna_email));
    assert!(
        anna.contains(other["email"].as_str().unwrap()),
        "the email names the counterpart"
    );
    let match_id = m["id"].as_str().unwrap().to_string();

    let early = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/me/matches/{match_id}/meetings"),
            Some(anna_token),
            &json!({
                "date": "2026-11-02",
                "hours": 1,
                "reflection": "Nog niet geaccepteerd, toch een verslag.",
            }),
        )
        .await;
    assert_problem(early, 409, "match_not_accepted").await;
    let res = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/me/matches/{match_id}/accept"),
            Some(anna_token),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let accepted: Value = res.json().await.unwrap();
    assert_eq!(accepted["response"], "accepted");
    let twice = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/me/matches/{match_id}/decline"),
            Some(anna_token),
            &json!({}),
        )
        .await;
    assert_problem(twice, 409, "already_answered").await;

    // Someone outside the match cannot answer it or see it.
    let outsider = members
        .iter()
        .find(|(e, _)| e != anna_email && json!(e) != other["email"])
        .unwrap();
    let res = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/me/matches/{match_id}/accept"),
            Some(&outsider.1),
            &json!({}),
        )
        .await;
    assert_problem(res, 404, "match_not_found").await;

    // Evidence of learning: a meeting with a reflection, and a rating.
    let meetings = format!("/api/v1/me/matches/{match_id}/meetings");
    let res = app
        .send_json(
            reqwest::Method::POST,
            &meetings,
            Some(anna_token),
            &json!({"date": "2026-02-30", "hours": 0, "reflection": "ok"}),
        )
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["date", "hours", "reflection"]);
    let reflection = "Ik zag hoe een zelfstandige een intake voert zonder vast protocol.";
    let res = app
        .send_json(
            reqwest::Method::POST,
            &meetings,
            Some(anna_token),
            &json!({"date": "2999-01-01", "hours": 2, "reflection": reflection}),
        )
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert!(
        body["detail"].as_str().unwrap().contains("future"),
        "{body}"
    );
    // A meeting needs both sides to have taken the match up.
    let today = crate::common::today();
    let res = app
        .send_json(
            reqwest::Method::POST,
            &meetings,
            Some(anna_token),
            &json!({"date": today, "hours": 2, "reflection": reflection}),
        )
        .await;
    assert_problem(res, 409, "counterpart_not_accepted").await;
    let other_token = &members
        .iter()
        .find(|(e, _)| json!(e) == other["email"])
        .unwrap()
        .1;
    let res = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/me/matches/{match_id}/accept"),
            Some(other_token),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .send_json(
            reqwest::Method::POST,
            &meetings,
            Some(anna_token),
            &json!({"date": today, "hours": 2, "reflection": reflection}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let record: Value = app
        .get("/api/v1/me/learning-record", Some(anna_token))
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    assert_eq!(record[0]["reflection"], reflection);
    assert_eq!(record[0]["kind"], "buddy");
    assert_eq!(record[0]["hours"], 2);
    let rating = format!("/api/v1/me/matches/{match_id}/rating");
    let res = app
        .send_json(
            reqwest::Method::PUT,
            &rating,
            Some(anna_token),
            &json!({"stars": 6}),
        )
        .await;
    assert_problem(res, 422, "validation_failed").await;
    let res = app
        .send_json(
            reqwest::Method::PUT,
            &rating,
            Some(anna_token),
            &json!({"stars": 4, "comment": "Leerzaam"}),
        )
        .await;
    assert_eq!(res.status(), 204);

    // Right of access: everything stored about Anna, in one JSON document.
    let export: Value = app
        .get("/api/v1/me/export", Some(anna_token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(export["account"]["email"], json!(anna_email));
    assert_eq!(export["profile"]["domain"], "uwv");
    assert_eq!(export["matches"].as_array().unwrap().len(), 1);
    assert_eq!(export["matches"][0]["round"]["status"], "published");
    assert_eq!(export["meetings"][0]["reflection"], reflection);
    assert_eq!(export["ratings"][0]["stars"], 4);
    let mut kinds: Vec<&str> = export["emails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        vec!["match_accepted", "match_proposed", "verify_email"],
        "Anna was told her buddy accepted"
    );
    assert_eq!(
        export["sessions"].as_array().unwrap().len(),
        1,
        "{}",
        export["sessions"]
    );

    // A member of another pair declines; the decliner's own note is
    // theirs to see (and export), their counterpart sees the email's copy.
    let (_, decliner) = members
        .iter()
        .find(|(e, _)| e != anna_email && json!(e) != other["email"])
        .unwrap();
    let theirs: Value = app
        .get("/api/v1/me/matches", Some(decliner))
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"][0]
        .clone();
    let declined_id = theirs["id"].as_str().unwrap().to_string();
    let told_email = theirs["counterparts"][0]["email"]
        .as_str()
        .unwrap()
        .to_string();
    let told_token = &members.iter().find(|(e, _)| *e == told_email).unwrap().1;
    let res = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/me/matches/{declined_id}/decline"),
            Some(decliner),
            &json!({"reason": "Geen tijd deze maand"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let theirs: Value = app
        .get("/api/v1/me/export", Some(decliner))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        theirs["matches"][0]["decline_reason"],
        "Geen tijd deze maand"
    );
    let told: Value = app
        .get("/api/v1/me/matches", Some(told_token))
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    assert!(told[0].get("decline_reason").is_none(), "{told}");

    // The counterpart is told, in their language; the decliner can no
    // longer record meetings, nor can the one left behind.
    let dutch = PEOPLE.iter().any(|p| p.0 == told_email && p.2 == "nl");
    // They are told it is off, never the decliner's note.
    let mail = app
        .wait_for_folder_mail(
            &told_email,
            if dutch {
                "gaat niet door"
            } else {
                "will not go ahead"
            },
        )
        .await;
    assert!(!mail.contains("Geen tijd deze maand"), "{mail}");
    let declined_meetings = format!("/api/v1/me/matches/{declined_id}/meetings");
    let res = app
        .send_json(
            reqwest::Method::POST,
            &declined_meetings,
            Some(decliner),
            &json!({"date": today, "hours": 1, "reflection": reflection}),
        )
        .await;
    assert_problem(res, 409, "match_declined").await;
    let res = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/me/matches/{declined_id}/accept"),
            Some(told_token),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .send_json(
            reqwest::Method::POST,
            &declined_meetings,
            Some(told_token),
            &json!({"date": today, "hours": 1, "reflection": reflection}),
        )
        .await;
    assert_problem(res, 409, "counterpart_declined").await;

    let detail: Value = app
        .get(&format!("/api/v1/rounds/{id}"), Some(&coord))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["round"]["status"], "published");
    assert_eq!(
        detail["round"]["metrics"]["matched"], 6,
        "metrics kept with the round"
    );
    assert_eq!(detail["ratings"]["count"], 1);
    assert_eq!(detail["ratings"]["mean"], 4.0);
    assert_eq!(detail["ratings"]["comments"], json!(["Leerzaam"]));
    assert_eq!(detail["matches"].as_array().unwrap().len(), 3);

    // The next round proposes none of these pairs again (repeat window,
    // and the declined pair is blocked for good).
    let res = app
        .send_json(
            reqwest::Method::POST,
            "/api/v1/rounds",
            Some(&coord),
            &json!({"programme_id": buddymatch::store::programmes::DEFAULT_PROGRAMME_ID, "kind": "buddy"}),
        )
        .await;
    let next: Value = res.json().await.unwrap();
    let preview2: Value = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/rounds/{}/preview", next["id"].as_str().unwrap()),
            Some(&coord),
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        pairs(&preview2).len(),
        3,
        "six members still pair up without repeats: {preview2}"
    );
    for p in pairs(&preview2) {
        assert!(!ps.contains(&p), "pair {p:?} repeated");
    }
    let res = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/rounds/{}/cancel", next["id"].as_str().unwrap()),
            Some(&coord),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    // Cancelling the published round tells everyone and withdraws the matches.
    let res = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/rounds/{id}/cancel"),
            Some(&coord),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/rounds/{id}/cancel"),
            Some(&coord),
            &json!({}),
        )
        .await;
    assert_problem(res, 409, "round_cancelled").await;
    app.wait_for_folder_mail("eva@uwv.nl", "has cancelled round")
        .await;
    let mine: Value = app
        .get("/api/v1/me/matches", Some(anna_token))
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    assert_eq!(mine, json!([]));
    let list: Value = app
        .get("/api/v1/rounds", Some(&coord))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"][0]["status"], "cancelled");
    assert_eq!(list["items"][1]["status"], "cancelled");
}

async fn rounds_are_for_coordinators_and_check_their_input(app: TestApp) {
    let member = app.member("lid@uwv.nl").await;
    let res = app
        .send_json(
            reqwest::Method::POST,
            "/api/v1/rounds",
            Some(&member),
            &json!({"programme_id": buddymatch::store::programmes::DEFAULT_PROGRAMME_ID, "kind": "buddy"}),
        )
        .await;
    assert_problem(res, 403, "forbidden").await;
    let coord = app
        .with_role("coord@vereniging.nl", Role::Coordinator)
        .await;
    let res = app
        .send_json(
            reqwest::Method::POST,
            "/api/v1/rounds",
            Some(&coord),
            &json!({"programme_id": buddymatch::store::programmes::DEFAULT_PROGRAMME_ID, "kind": "speed_dating"}),
        )
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "kind");
    let res = app
        .send_json(
            reqwest::Method::POST,
            "/api/v1/rounds",
            Some(&coord),
            &json!({
                "programme_id": buddymatch::store::programmes::DEFAULT_PROGRAMME_ID,
                "kind": "intervision",
                "settings": {"group_min": 7, "group_max": 5},
                "meeting_window": {"from": "2026-13-01"},
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
    assert_eq!(fields, vec!["settings.group_min", "meeting_window.from"]);
    let res = app
        .send_json(
            reqwest::Method::POST,
            "/api/v1/rounds/nope/publish",
            Some(&coord),
            &json!({}),
        )
        .await;
    assert_problem(res, 404, "round_not_found").await;
}

/// Two server instances on one PostgreSQL database publish the same round
/// at the same moment: one set of matches, one email per member.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_publish_from_two_instances_on_postgres() {
    let app = TestApp::spawn(crate::common::Backend::Postgres).await;
    population(&app).await;
    let coord = app
        .with_role("coord@vereniging.nl", Role::Coordinator)
        .await;
    let id = app.draft_round(&coord, json!({"kind": "buddy"})).await;
    let other = app.second_instance().await;
    let path = format!("/api/v1/rounds/{id}/publish");
    let a = app
        .client
        .post(app.url(&path))
        .bearer_auth(&coord)
        .json(&json!({}))
        .send();
    let b = app
        .client
        .post(format!("{other}{path}"))
        .bearer_auth(&coord)
        .json(&json!({}))
        .send();
    let (a, b) = tokio::join!(a, b);
    let mut statuses = vec![a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, vec![200, 409]);
    let detail: Value = app
        .get(&format!("/api/v1/rounds/{id}"), Some(&coord))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["matches"].as_array().unwrap().len(), 3);
    // Each member: one verification email and exactly one match email.
    let outbox = app.outbox();
    assert_eq!(outbox.len(), 12);
    for (email, ..) in PEOPLE {
        assert_eq!(
            outbox.iter().filter(|(_, _, to)| to == email).count(),
            2,
            "{email}"
        );
    }
}

/// The guarantee behind "one set of matches": of two transactions moving
/// the same draft to published, the second waits for the first and then
/// finds nothing to update. Forced overlap, on both backends.
mod publish_race {
    use super::*;
    use buddymatch::store::db::{self, write_tx};
    use buddymatch::store::rounds::{publish_if_draft, RoundRow};
    use std::sync::{Arc, Barrier};

    fn race(app: &TestApp) {
        let url = buddymatch::store::DatabaseUrl::parse(&app.config.database_url()).unwrap();
        let pool = db::pool(&url, 3).unwrap();
        let mut conn = pool.get().unwrap();
        let creator: String = {
            use buddymatch::store::schema::users::dsl::*;
            use diesel::prelude::*;
            users.select(id).first(&mut *conn).unwrap()
        };
        let row = RoundRow {
            id: "race".into(),
            number: 99,
            kind: buddymatch::domain::MatchKind::Buddy,
            status: buddymatch::domain::RoundStatus::Draft,
            params: "{}".into(),
            cohort: "{}".into(),
            note: String::new(),
            meeting_window: "{}".into(),
            created_by: creator,
            created_at: 0,
            published_at: None,
            cancelled_at: None,
            progress: None,
            metrics: None,
            reply_by: None,
            programme_id: buddymatch::store::programmes::DEFAULT_PROGRAMME_ID.into(),
        };
        buddymatch::store::rounds::insert(&mut conn, &row).unwrap();
        drop(conn);
        let barrier = Arc::new(Barrier::new(2));
        let (b1, b2) = (barrier.clone(), barrier);
        let (p1, p2, p3) = (pool.clone(), pool.clone(), pool.clone());
        let first = std::thread::spawn(move || {
            let mut c = p1.get().unwrap();
            write_tx(&mut c, |c| {
                let won = publish_if_draft(c, "race", 1, "{}", 0)?;
                b1.wait(); // the other transaction starts while this one holds the row
                           // On PostgreSQL, commit only once the other is seen waiting on
                           // this row's lock. SQLite runs one writer at a time whatever
                           // the timing, so there the barrier is all the overlap there is.
                let mut watcher = p3.get().unwrap();
                if let buddymatch::store::DbConnection::Postgres(_) = &*watcher {
                    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
                    while crate::common::lock_waiters(&mut watcher) == 0 {
                        assert!(
                            std::time::Instant::now() < deadline,
                            "the second publish never waited"
                        );
                        std::thread::sleep(std::time::Duration::from_millis(10));
                    }
                }
                Ok::<_, diesel::result::Error>(won)
            })
            .unwrap()
        });
        let second = std::thread::spawn(move || {
            b2.wait();
            let mut c = p2.get().unwrap();
            write_tx(&mut c, |c| publish_if_draft(c, "race", 2, "{}", 0)).unwrap()
        });
        assert!(first.join().unwrap(), "the first publisher wins");
        assert!(
            !second.join().unwrap(),
            "the second finds the round already published"
        );
    }

    both_backends!(only_one_of_two_overlapping_publishes_wins);

    async fn only_one_of_two_overlapping_publishes_wins(app: TestApp) {
        app.member("someone@uwv.nl").await;
        tokio::task::block_in_place(|| race(&app));
    }
}

/// Settings stored before today's checks (here: group bounds the engine
/// refuses) make a preview a conflict that names the cause, not a 500.
async fn stored_settings_the_engine_refuses_are_a_conflict(app: TestApp) {
    population(&app).await;
    let coord = app
        .with_role("coord@vereniging.nl", Role::Coordinator)
        .await;
    let id = app
        .draft_round(&coord, json!({"kind": "intervision"}))
        .await;
    let round = id.clone();
    app.with_db(move |c| {
        use diesel::prelude::*;
        diesel::sql_query(format!(
            "UPDATE rounds SET params = '{{\"group_min\": 5, \"group_max\": 3}}' \
             WHERE id = '{round}'"
        ))
        .execute(c)
        .unwrap();
    });
    let res = app.round_action(&coord, &id, "preview").await;
    let body = assert_problem(res, 409, "round_unsolvable").await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("group size bounds [5, 3]"),
        "{body}"
    );
}

both_backends!(stored_settings_the_engine_refuses_are_a_conflict);

/// A cancel that read a draft while another transaction was changing it
/// (held open here until the cancel waits on its row lock) changes nothing
/// and asks for a retry. PostgreSQL only: SQLite serialises writers, so a
/// cancel there never reads a round another write is changing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cancel_that_loses_a_race_asks_for_a_retry_on_postgres() {
    use diesel::connection::SimpleConnection;
    let app = TestApp::spawn(crate::common::Backend::Postgres).await;
    let coord = app
        .with_role("coord@vereniging.nl", Role::Coordinator)
        .await;
    let id = app.draft_round(&coord, json!({"kind": "buddy"})).await;
    let url = app.config.database_url();
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    let (commit_tx, commit_rx) = std::sync::mpsc::channel::<()>();
    let round = id.clone();
    let rival = std::thread::spawn(move || {
        let parsed = buddymatch::store::DatabaseUrl::parse(&url).unwrap();
        let pool = buddymatch::store::db::pool(&parsed, 1).unwrap();
        let mut c = pool.get().unwrap();
        c.batch_execute(&format!(
            "BEGIN; UPDATE rounds SET status = 'cancelled', cancelled_at = 1 WHERE id = '{round}';"
        ))
        .unwrap();
        held_tx.send(()).unwrap();
        commit_rx.recv().unwrap();
        c.batch_execute("COMMIT").unwrap();
    });
    tokio::task::block_in_place(|| held_rx.recv().unwrap());
    let ours = tokio::spawn(
        app.client
            .post(app.url(&format!("/api/v1/rounds/{id}/cancel")))
            .bearer_auth(&coord)
            .json(&json!({}))
            .send(),
    );
    app.wait_for_lock_waiter("the cancel to wait on the row lock")
        .await;
    commit_tx.send(()).unwrap();
    tokio::task::block_in_place(|| rival.join().unwrap());
    assert_problem(ours.await.unwrap().unwrap(), 409, "round_changed").await;
    // A retry reads the round as it is now.
    let res = app.round_action(&coord, &id, "cancel").await;
    assert_problem(res, 409, "round_cancelled").await;
}
