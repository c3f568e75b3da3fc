//! Programmes: coordinators see and act on their own programmes only;
//! members join open ones and accept invitations to closed ones; a CSV of
//! thousands of addresses becomes invitations in one go.

use crate::both_backends;
use crate::common::smtp::SmtpSink;
use crate::common::{assert_problem, sample_profile, TestApp, PASSWORD};
use buddymatch::domain::Role;
use buddymatch::store::programmes::DEFAULT_PROGRAMME_ID;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

both_backends!(
    rounds_are_listed_per_programme,
    coordinators_see_and_act_on_their_own_programmes_only,
    members_join_open_programmes_and_leave,
    invitations_from_a_csv_report_every_row_and_accept_once,
);

async fn id_of(app: &TestApp, token: &str) -> String {
    let me: Value = app
        .get("/api/v1/me", Some(token))
        .await
        .json()
        .await
        .unwrap();
    me["id"].as_str().unwrap().to_string()
}

/// A programme made by `admin`; returns its id.
async fn programme(app: &TestApp, admin: &str, name: &str, open: bool) -> String {
    let res = app
        .send_json(
            Method::POST,
            "/api/v1/programmes",
            Some(admin),
            &json!({"name": name, "description": "test", "open": open}),
        )
        .await;
    assert_eq!(res.status(), 201, "creating {name}");
    res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A coordinator of `programme` only (not of the default programme): made
/// a coordinator by the admin over the API, then assigned. Returns a token.
async fn coordinator_of(app: &TestApp, admin: &str, email: &str, programme: &str) -> String {
    let t = app.with_role(email, Role::Member).await;
    let id = id_of(app, &t).await;
    let res = app
        .send_json(
            Method::PUT,
            &format!("/api/v1/admin/users/{id}/role"),
            Some(admin),
            &json!({"role": "coordinator"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .send_json(
            Method::PUT,
            &format!("/api/v1/programmes/{programme}/coordinators/{id}"),
            Some(admin),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    app.login(email).await["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

fn buddy_profile(domain: &str, province: &str) -> Value {
    let mut p = sample_profile();
    p["forms"] = json!(["buddy"]);
    p["meeting_modes"] = json!(["online"]);
    p["domain"] = json!(domain);
    p["province"] = json!(province);
    p
}

async fn page(app: &TestApp, path: &str, token: &str) -> Value {
    let res = app.get(path, Some(token)).await;
    assert_eq!(res.status(), 200, "{path}");
    res.json().await.unwrap()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

/// `GET /rounds?programme=` keeps one programme's rounds, within what the
/// caller may see (the programme page of the web front end lists them so).
async fn rounds_are_listed_per_programme(app: TestApp) {
    let admin = app.with_role("beheer@vereniging.nl", Role::Admin).await;
    let north = programme(&app, &admin, "Regio Noord", false).await;
    let noord = coordinator_of(&app, &admin, "noord@vereniging.nl", &north).await;
    let national = app.draft_round(&admin, json!({"kind": "buddy"})).await;
    let regional = app
        .draft_round(&noord, json!({"kind": "buddy", "programme_id": north}))
        .await;
    let listed = |token: &str, programme: &str| {
        let path = format!("/api/v1/rounds?programme={programme}");
        let token = token.to_string();
        let app = &app;
        async move { ids(&page(app, &path, &token).await) }
    };
    assert_eq!(listed(&admin, &north).await, vec![regional.clone()]);
    assert_eq!(listed(&admin, DEFAULT_PROGRAMME_ID).await, vec![national]);
    assert_eq!(listed(&noord, &north).await, vec![regional.clone()]);
    // Not theirs: nothing, as if it had no rounds; no such programme or a
    // NUL in the id: nothing either, never an error.
    assert!(listed(&noord, DEFAULT_PROGRAMME_ID).await.is_empty());
    assert!(listed(&admin, "no-such-programme").await.is_empty());
    assert!(listed(&admin, "a%00b").await.is_empty());
    let all = page(&app, "/api/v1/rounds", &admin).await;
    assert_eq!(all["total"], 2);
    let res = app
        .get("/api/v1/rounds?programme=x&colour=blue", Some(&admin))
        .await;
    assert_problem(res, 400, "invalid_query").await;
}

async fn coordinators_see_and_act_on_their_own_programmes_only(app: TestApp) {
    let admin = app.with_role("beheer@vereniging.nl", Role::Admin).await;
    // A coordinator made on the command line coordinates the default programme.
    let national = app
        .with_role("landelijk@vereniging.nl", Role::Coordinator)
        .await;
    let north = programme(&app, &admin, "Regio Noord", false).await;
    let res = app
        .send_json(
            Method::POST,
            "/api/v1/programmes",
            Some(&admin),
            &json!({"name": "Regio Noord"}),
        )
        .await;
    assert_problem(res, 409, "programme_name_taken").await;
    let regional = coordinator_of(&app, &admin, "noord@vereniging.nl", &north).await;

    // Only a coordinator can be assigned.
    let member = app
        .verified_member(
            "utrecht@uwv.nl",
            "Ute",
            "nl",
            &buddy_profile("uwv", "utrecht"),
        )
        .await;
    let member_id = id_of(&app, &member).await;
    let res = app
        .send_json(
            Method::PUT,
            &format!("/api/v1/programmes/{north}/coordinators/{member_id}"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_problem(res, 409, "not_a_coordinator").await;

    let g1 = app
        .verified_member(
            "groningen@uwv.nl",
            "Gea",
            "nl",
            &buddy_profile("uwv", "groningen"),
        )
        .await;
    let g2 = app
        .verified_member(
            "drenthe@gemeente.nl",
            "Dirk",
            "nl",
            &buddy_profile("municipality", "drenthe"),
        )
        .await;
    let (g1_id, g2_id) = (id_of(&app, &g1).await, id_of(&app, &g2).await);
    // Put the two northerners into the regional programme (it is closed:
    // they cannot join; the admin opens it for a moment).
    let res = app
        .send_json(
            Method::POST,
            &format!("/api/v1/programmes/{north}/join"),
            Some(&g1),
            &json!({}),
        )
        .await;
    assert_problem(res, 403, "programme_closed").await;
    let res = app
        .send_json(
            Method::PATCH,
            &format!("/api/v1/programmes/{north}"),
            Some(&admin),
            &json!({"open": true}),
        )
        .await;
    assert_eq!(res.status(), 200);
    for t in [&g1, &g2] {
        let res = app
            .send_json(
                Method::POST,
                &format!("/api/v1/programmes/{north}/join"),
                Some(t),
                &json!({}),
            )
            .await;
        assert_eq!(res.status(), 200);
    }
    let res = app
        .send_json(
            Method::PATCH,
            &format!("/api/v1/programmes/{north}"),
            Some(&regional),
            &json!({"open": false, "description": "Groningen, Fryslân, Drenthe"}),
        )
        .await;
    assert_eq!(res.status(), 200, "its coordinator may change it");

    // Members: the regional coordinator sees the north only; the national
    // one sees everyone in the default programme; the admin everyone.
    let mut seen = ids(&page(&app, "/api/v1/members", &regional).await);
    seen.sort();
    let mut north_ids = vec![g1_id.clone(), g2_id.clone()];
    north_ids.sort();
    assert_eq!(seen, north_ids);
    let all = ids(&page(&app, "/api/v1/members", &national).await);
    assert!(all.contains(&member_id) && all.contains(&g1_id), "{all:?}");
    let listed = page(
        &app,
        &format!("/api/v1/programmes/{north}/members?province=groningen"),
        &regional,
    )
    .await;
    assert_eq!(ids(&listed), vec![g1_id.clone()]);
    let res = app
        .get(
            &format!("/api/v1/programmes/{DEFAULT_PROGRAMME_ID}/members"),
            Some(&regional),
        )
        .await;
    assert_problem(res, 404, "programme_not_found").await;
    let res = app
        .get(
            &format!("/api/v1/programmes/{north}/members"),
            Some(&national),
        )
        .await;
    assert_problem(res, 404, "programme_not_found").await;

    // Rounds: each coordinator's own programme only.
    let res = app
        .send_json(
            Method::POST,
            "/api/v1/rounds",
            Some(&regional),
            &json!({"programme_id": DEFAULT_PROGRAMME_ID, "kind": "buddy"}),
        )
        .await;
    assert_problem(res, 404, "programme_not_found").await;
    let national_round = app.draft_round(&national, json!({"kind": "buddy"})).await;
    let north_round = app
        .draft_round(&regional, json!({"programme_id": north, "kind": "buddy"}))
        .await;
    for action in ["preview", "publish", "cancel"] {
        let res = app.round_action(&regional, &national_round, action).await;
        assert_problem(res, 404, "round_not_found").await;
        let res = app.round_action(&national, &north_round, action).await;
        assert_problem(res, 404, "round_not_found").await;
    }
    let res = app
        .get(&format!("/api/v1/rounds/{national_round}"), Some(&regional))
        .await;
    assert_problem(res, 404, "round_not_found").await;
    assert_eq!(
        ids(&page(&app, "/api/v1/rounds", &regional).await),
        vec![north_round.clone()]
    );
    assert_eq!(
        ids(&page(&app, "/api/v1/rounds", &national).await),
        vec![national_round.clone()]
    );
    assert_eq!(page(&app, "/api/v1/rounds", &admin).await["total"], 2);

    // The regional round's cohort is the region's members.
    let res = app.round_action(&regional, &north_round, "publish").await;
    assert_eq!(res.status(), 200);
    let detail = page(&app, &format!("/api/v1/rounds/{north_round}"), &regional).await;
    assert_eq!(detail["round"]["programme_id"], json!(north));
    let mut in_matches: Vec<String> = detail["matches"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["members"].as_array().unwrap().clone())
        .map(|p| p["user_id"].as_str().unwrap().to_string())
        .collect();
    in_matches.sort();
    assert_eq!(in_matches, north_ids);
    assert!(app.my_matches(&member).await.is_empty());
    assert_eq!(
        detail["round"]["metrics"]["eligible"], 2,
        "{}",
        detail["round"]
    );

    // Audit entries of a programme: its own actions and its rounds'.
    let log = page(
        &app,
        &format!("/api/v1/programmes/{north}/audit-log"),
        &regional,
    )
    .await;
    let targets: Vec<String> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["target_id"].as_str().unwrap().to_string())
        .collect();
    assert!(targets.contains(&north_round), "{log}");
    assert!(!targets.contains(&national_round), "{log}");
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"programme_created") && actions.contains(&"round_published"),
        "{actions:?}"
    );
    let res = app
        .get(
            &format!("/api/v1/programmes/{DEFAULT_PROGRAMME_ID}/audit-log"),
            Some(&regional),
        )
        .await;
    assert_problem(res, 404, "programme_not_found").await;

    // Failed mail: only mail to the coordinator's programmes' members.
    app.allow_undelivered_mail();
    let m = member_id.clone();
    app.with_db(move |conn| {
        use diesel::RunQueryDsl;
        diesel::sql_query(format!(
            "INSERT INTO outbox (id, message_id, kind, recipient, locale, subject, body_text, \
               body_html, status, attempts, next_attempt_at, created_at, user_id) \
             VALUES ('f1', '<f1@x>', 'verify_email', 'utrecht@uwv.nl', 'nl', 's', 't', 'h', \
               'failed', 8, 0, 1, '{m}')"
        ))
        .execute(conn)
        .unwrap();
    });
    assert_eq!(
        page(&app, "/api/v1/mail/failed", &regional).await["total"],
        0
    );
    assert_eq!(
        page(&app, "/api/v1/mail/failed", &national).await["total"],
        1
    );
    assert_eq!(page(&app, "/api/v1/mail/failed", &admin).await["total"], 1);

    // Listing programmes: coordinators theirs, admins all.
    let theirs = page(&app, "/api/v1/programmes", &regional).await;
    assert_eq!(ids(&theirs), vec![north.clone()]);
    assert_eq!(theirs["items"][0]["member_count"], 2);
    assert_eq!(page(&app, "/api/v1/programmes", &admin).await["total"], 2);
    // Taking the role away takes the programmes with it.
    let regional_id = {
        let me: Value = app
            .get("/api/v1/me", Some(&regional))
            .await
            .json()
            .await
            .unwrap();
        me["id"].as_str().unwrap().to_string()
    };
    let res = app
        .send_json(
            Method::DELETE,
            &format!("/api/v1/programmes/{north}/coordinators/{regional_id}"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let p = page(&app, &format!("/api/v1/programmes/{north}"), &admin).await;
    assert_eq!(p["coordinators"], json!([]));
}

async fn members_join_open_programmes_and_leave(app: TestApp) {
    let admin = app.with_role("beheer@vereniging.nl", Role::Admin).await;
    let open = programme(&app, &admin, "Open kring", true).await;
    let closed = programme(&app, &admin, "Besloten kring", false).await;
    let m = app.member("anna@uwv.nl").await;
    // A member sees open programmes and their own, never a closed one.
    let listed = ids(&page(&app, "/api/v1/programmes", &m).await);
    assert!(listed.contains(&open) && listed.contains(&DEFAULT_PROGRAMME_ID.to_string()));
    assert!(!listed.contains(&closed));
    let res = app
        .get(&format!("/api/v1/programmes/{closed}"), Some(&m))
        .await;
    assert_problem(res, 404, "programme_not_found").await;
    let res = app.get("/api/v1/programmes/nonexistent", Some(&m)).await;
    assert_problem(res, 404, "programme_not_found").await;

    let res = app
        .send_json(
            Method::POST,
            &format!("/api/v1/programmes/{open}/join"),
            Some(&m),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let joined: Value = res.json().await.unwrap();
    assert_eq!(joined["membership"]["via"], "joined");
    assert!(
        joined.get("member_count").is_none(),
        "members see no counts: {joined}"
    );
    let mine: Value = app
        .get("/api/v1/me/programmes", Some(&m))
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Alle leden / All members", "Open kring"]);

    let leave = |id: String| {
        let app = &app;
        let m = m.clone();
        async move {
            app.send_json(
                Method::DELETE,
                &format!("/api/v1/programmes/{id}/membership"),
                Some(&m),
                &json!({}),
            )
            .await
        }
    };
    assert_eq!(leave(open.clone()).await.status(), 204);
    assert_problem(leave(open.clone()).await, 404, "membership_not_found").await;
    let res = app
        .send_json(
            Method::POST,
            &format!("/api/v1/programmes/{closed}/join"),
            Some(&m),
            &json!({}),
        )
        .await;
    assert_problem(res, 403, "programme_closed").await;
    // Creating programmes is the admin's.
    let res = app
        .send_json(
            Method::POST,
            "/api/v1/programmes",
            Some(&m),
            &json!({"name": "Eigen"}),
        )
        .await;
    assert_problem(res, 403, "forbidden").await;
    let res = app
        .send_json(
            Method::POST,
            "/api/v1/programmes",
            Some(&admin),
            &json!({"name": "  "}),
        )
        .await;
    assert_problem(res, 422, "validation_failed").await;
}

async fn upload(
    app: &TestApp,
    token: &str,
    programme: &str,
    csv: &str,
    dry_run: bool,
) -> reqwest::Response {
    app.client
        .post(app.url(&format!(
            "/api/v1/programmes/{programme}/invitations?dry_run={dry_run}"
        )))
        .bearer_auth(token)
        .header("content-type", "text/csv; charset=utf-8")
        .body(csv.to_string())
        .send()
        .await
        .unwrap()
}

async fn accept(app: &TestApp, body: Value) -> reqwest::Response {
    app.send_json(Method::POST, "/api/v1/invitations/accept", None, &body)
        .await
}

async fn invitations_from_a_csv_report_every_row_and_accept_once(app: TestApp) {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(app.backend, |c| {
        c.smtp_url = Some(buddymatch::config::Secret::new(format!(
            "smtp://127.0.0.1:{}",
            sink.port
        )))
    })
    .await;
    const WAIT: Duration = Duration::from_secs(20);
    let admin = app.with_role("beheer@vereniging.nl", Role::Admin).await;
    let national = app
        .with_role("landelijk@vereniging.nl", Role::Coordinator)
        .await;
    let east = programme(&app, &admin, "Kring Oost", false).await;
    let coord = coordinator_of(&app, &admin, "oost@vereniging.nl", &east).await;
    app.with_role("bestaand@uwv.nl", Role::Member).await;
    let long = "x".repeat(101);
    let csv = format!(
        "\u{feff}display_name;email;locale\r\n\
         \"Nieuw; Anna\";anna@nieuw.nl;en\r\n\
         Bestaand;Bestaand@UWV.nl;\r\n\
         Fout;geen-adres;nl\r\n\
         Dubbel;ANNA@nieuw.nl;nl\r\n\
         ;leeg@uwv.nl;nl\r\n\
         Taal;taal@uwv.nl;de\r\n\
         {long};lang@uwv.nl;nl\r\n"
    );

    // Who may upload: its coordinators and admins; another coordinator
    // does not learn the programme exists.
    let member = app.with_role("lid@uwv.nl", Role::Member).await;
    assert_problem(
        upload(&app, &member, &east, &csv, true).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        upload(&app, &national, &east, &csv, true).await,
        404,
        "programme_not_found",
    )
    .await;
    let res = app
        .client
        .post(app.url(&format!("/api/v1/programmes/{east}/invitations")))
        .bearer_auth(&coord)
        .json(&json!({"email": "a@b.nl"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 415, "unsupported_media_type").await;
    let res = upload(&app, &coord, &east, "naam;adres\nA;a@b.nl\n", false).await;
    let p = assert_problem(res, 422, "validation_failed").await;
    assert!(p["detail"].as_str().unwrap().contains("email"), "{p}");

    // A dry run reports and sends nothing.
    let res = upload(&app, &coord, &east, &csv, true).await;
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["dry_run"], true);
    assert_eq!(
        report["totals"],
        json!({"rows": 7, "invited": 2, "already_member": 0, "refused": 5}),
        "{report}"
    );
    let rows = report["rows"].as_array().unwrap();
    let refusal = |line: u64| {
        let r = rows.iter().find(|r| r["line"] == line).unwrap();
        (
            r["outcome"].as_str().unwrap().to_string(),
            r["column"].as_str().unwrap_or("").to_string(),
            r["reason"].as_str().unwrap_or("").to_string(),
        )
    };
    assert_eq!(refusal(2), ("invited".into(), "".into(), "".into()));
    assert_eq!(refusal(3), ("invited".into(), "".into(), "".into()));
    assert_eq!(
        refusal(4),
        ("refused".into(), "email".into(), "invalid_address".into())
    );
    assert_eq!(
        refusal(5),
        ("refused".into(), "email".into(), "duplicate_row".into())
    );
    assert_eq!(
        refusal(6),
        (
            "refused".into(),
            "display_name".into(),
            "missing_field".into()
        )
    );
    assert_eq!(
        refusal(7),
        ("refused".into(), "locale".into(), "invalid_locale".into())
    );
    assert_eq!(
        refusal(8),
        ("refused".into(), "display_name".into(), "too_long".into())
    );
    assert!(app.outbox().iter().all(|(_, _, to)| to != "anna@nieuw.nl"));

    // For real: one email to each invited address, nobody else.
    let res = upload(&app, &coord, &east, &csv, false).await;
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["totals"]["invited"], 2, "{report}");
    let got = sink.wait_for(2, WAIT).await;
    let mut to: Vec<&str> = got.iter().map(|m| m.to.as_str()).collect();
    to.sort();
    assert_eq!(to, ["anna@nieuw.nl", "bestaand@uwv.nl"]);
    let anna = got.iter().find(|m| m.to == "anna@nieuw.nl").unwrap();
    assert!(
        anna.subject.contains("Invitation"),
        "English, as asked: {}",
        anna.subject
    );
    assert!(anna.text.contains("Kring Oost") && anna.text.contains("Nieuw; Anna"));
    assert!(!anna.text.contains("bestaand"), "{}", anna.text);
    let first_token = anna.token();

    // Inviting again renews the pending invitation: a new link, the old one dead.
    let res = upload(
        &app,
        &coord,
        &east,
        "email,display_name\nanna@nieuw.nl,Anna\n",
        false,
    )
    .await;
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["rows"][0]["renewed"], true, "{report}");
    let got = sink.wait_for(3, WAIT).await;
    let again = got
        .iter()
        .filter(|m| m.to == "anna@nieuw.nl")
        .map(|m| m.token())
        .find(|t| *t != first_token)
        .expect("a new link");
    assert_problem(
        accept(&app, json!({"token": first_token, "password": PASSWORD})).await,
        400,
        "invalid_invitation",
    )
    .await;

    // A new address needs a password; then the account exists, verified.
    let res = accept(&app, json!({"token": again})).await;
    assert_problem(res, 422, "validation_failed").await;
    let res = accept(&app, json!({"token": again, "password": PASSWORD})).await;
    assert_eq!(res.status(), 200);
    let accepted: Value = res.json().await.unwrap();
    assert_eq!(accepted["account_created"], true);
    assert_eq!(accepted["programme"]["membership"]["via"], "invited");
    let token = app.login("anna@nieuw.nl").await["access_token"]
        .as_str()
        .expect("the new account logs in")
        .to_string();
    let me: Value = app
        .get("/api/v1/me", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["email_verified"], true);
    assert_eq!(me["display_name"], "Anna");
    let mine: Value = app
        .get("/api/v1/me/programmes", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine.as_array().unwrap().len(), 2, "{mine}");
    assert_problem(
        accept(&app, json!({"token": again, "password": PASSWORD})).await,
        400,
        "invalid_invitation",
    )
    .await;

    // An existing account needs only the token.
    let bestaand = got
        .iter()
        .find(|m| m.to == "bestaand@uwv.nl")
        .unwrap()
        .token();
    let res = accept(&app, json!({"token": bestaand})).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["account_created"], false);

    // Members now; an expired invitation is refused.
    let res = upload(
        &app,
        &coord,
        &east,
        "email;display_name\nanna@nieuw.nl;Anna\nlaat@uwv.nl;Laat\n",
        false,
    )
    .await;
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["rows"][0]["outcome"], "already_member", "{report}");
    let got = sink.wait_for(4, WAIT).await;
    let late = got.iter().find(|m| m.to == "laat@uwv.nl").unwrap().token();
    app.with_db(|conn| {
        use buddymatch::store::schema::programme_invitations as pi;
        use diesel::prelude::*;
        diesel::update(pi::table.filter(pi::email.eq("laat@uwv.nl")))
            .set(pi::expires_at.eq(1))
            .execute(conn)
            .unwrap();
    });
    let p = assert_problem(
        accept(&app, json!({"token": late, "password": PASSWORD})).await,
        400,
        "invalid_invitation",
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("expired"), "{p}");
    assert_problem(
        accept(&app, json!({"token": "forged"})).await,
        400,
        "invalid_invitation",
    )
    .await;
}

both_backends!(ten_thousand_invitations_import_in_seconds);

/// 10,000 rows (a few of them bad) in one upload: the report covers every
/// row and the invitations and their emails are stored in one transaction.
async fn ten_thousand_invitations_import_in_seconds(app: TestApp) {
    // The worker keeps sending while the test ends; its mail is not the point.
    app.allow_undelivered_mail();
    let admin = app.with_role("beheer@vereniging.nl", Role::Admin).await;
    let big = programme(&app, &admin, "Groot", false).await;
    let mut csv = String::from("email;display_name;locale\n");
    for i in 0..10_000 {
        if i % 1000 == 999 {
            csv.push_str(&format!("geen-adres-{i};Lid {i};nl\n"));
        } else {
            csv.push_str(&format!(
                "lid{i}@example.nl;Lid {i};{}\n",
                if i % 2 == 0 { "nl" } else { "en" }
            ));
        }
    }
    let started = Instant::now();
    let res = upload(&app, &admin, &big, &csv, true).await;
    assert_eq!(res.status(), 200);
    let dry = started.elapsed();
    let started = Instant::now();
    let res = upload(&app, &admin, &big, &csv, false).await;
    assert_eq!(res.status(), 200);
    let real = started.elapsed();
    let report: Value = res.json().await.unwrap();
    assert_eq!(
        report["totals"],
        json!({"rows": 10_000, "invited": 9_990, "already_member": 0, "refused": 10})
    );
    eprintln!(
        "10,000-row invitation CSV on {:?}: dry run {dry:?}, import {real:?}",
        app.backend
    );
    // A generous sanity bound (a debug build on a shared machine), not a benchmark.
    assert!(real < Duration::from_secs(120), "{real:?}");
    let stored = app.with_db(|conn| {
        use buddymatch::store::schema::programme_invitations as pi;
        use diesel::prelude::*;
        pi::table.count().get_result::<i64>(conn).unwrap()
    });
    assert_eq!(stored, 9_990);
}
