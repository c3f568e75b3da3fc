//! Members' privacy: what matched peers see, erasure, export, and the purge
//! of stale accounts and tokens.

use crate::both_backends;
use crate::common::{assert_problem, sample_profile, TestApp, PASSWORD};
use buddymatch::domain::Role;
use buddymatch::store::schema::{
    contact_preferences as cp, match_members as mm, outbox as ob, profiles as p, ratings as ra,
    refresh_tokens as rt, sessions as s, users as u,
};
use diesel::prelude::*;
use serde_json::{json, Value};

const PHONE: &str = "+31 6 1234 5678";

/// Anna (UWV, Dutch) and Bram (self-employed, English) are the only buddy
/// seekers, so a buddy round pairs them. Returns (anna, bram, coordinator,
/// round id).
async fn matched_pair(
    app: &TestApp,
    bram_sharing: Option<Value>,
) -> (String, String, String, String) {
    let (anna, bram) = anna_and_bram(app, bram_sharing).await;
    let (coord, id) = publish_buddy_round(app).await;
    (anna, bram, coord, id)
}

/// Two verified buddy seekers: (anna, bram) access tokens.
async fn anna_and_bram(app: &TestApp, bram_sharing: Option<Value>) -> (String, String) {
    let mut pa = sample_profile();
    pa["forms"] = json!(["buddy"]);
    pa["max_travel_km"] = json!(250);
    let anna = app.verified_member("anna@uwv.nl", "Anna", "nl", &pa).await;
    // Each learns a topic from the other, and they could meet in person:
    // the reasons then hold a learner and the distance between them.
    let mut pb = pa.clone();
    pb["domain"] = json!("self_employed");
    pb["province"] = json!("limburg");
    pb["experience"] = json!(20);
    pb["topics_wanted"] = json!(["social_security"]);
    pb["topics_offered"] = json!(["artificial_intelligence"]);
    let bram = app.verified_member("bram@zzp.nl", "Bram", "en", &pb).await;
    if let Some(s) = bram_sharing {
        let res = app
            .send_json(reqwest::Method::PUT, "/api/v1/me/sharing", Some(&bram), &s)
            .await;
        assert_eq!(res.status(), 200);
    }
    (anna, bram)
}

/// A coordinator and the buddy round they published: (token, round id).
async fn publish_buddy_round(app: &TestApp) -> (String, String) {
    let coord = app
        .with_role("coord@vereniging.nl", Role::Coordinator)
        .await;
    let (id, _) = app.published_round(&coord, json!({"kind": "buddy"})).await;
    (coord, id)
}

async fn only_counterpart(app: &TestApp, token: &str) -> (String, Value) {
    let matches: Value = app
        .get("/api/v1/me/matches", Some(token))
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    let m = &matches.as_array().unwrap()[0];
    let cps = m["counterparts"].as_array().unwrap();
    assert_eq!(cps.len(), 1, "{m}");
    (m["id"].as_str().unwrap().to_string(), cps[0].clone())
}

both_backends!(
    members_choose_what_their_matches_see,
    sharing_choices_are_checked,
    erasure_leaves_only_a_former_member,
    erasure_takes_the_member_out_of_emails_not_yet_sent,
    stale_unverified_accounts_and_expired_tokens_are_purged
);

async fn members_choose_what_their_matches_see(app: TestApp) {
    let sharing =
        json!({"phone": PHONE, "share_email": false, "share_phone": true, "share_province": false});
    let (anna, bram, _, _) = matched_pair(&app, Some(sharing.clone())).await;

    let got: Value = app
        .get("/api/v1/me/sharing", Some(&bram))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(got, sharing);
    let (_, b) = only_counterpart(&app, &anna).await;
    assert_eq!(b["display_name"], "Bram");
    assert_eq!(b["domain"], "self_employed");
    assert_eq!(b["email"], Value::Null);
    assert_eq!(b["phone"], PHONE);
    assert_eq!(b["province"], Value::Null);
    // A member sees nothing of a peer's profile beyond these fields.
    let keys: Vec<&str> = b.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "display_name",
            "domain",
            "email",
            "former_member",
            "phone",
            "profession",
            "province",
            "response",
            "role",
            "user_id"
        ]
    );

    // Anna kept the defaults: email and province, no phone.
    let (_, a) = only_counterpart(&app, &bram).await;
    assert_eq!(a["email"], "anna@uwv.nl");
    assert_eq!(a["province"], "utrecht");
    assert_eq!(a["phone"], Value::Null);

    // The reasons say why, but never more than the card shows: no
    // province, no years of experience, no free-text details.
    let anna_id = app
        .get("/api/v1/me", Some(&anna))
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .clone();
    let matches: Value = app
        .get("/api/v1/me/matches", Some(&anna))
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    let reasons = &matches[0]["reasons"];
    let components: Vec<&str> = reasons
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["component"].as_str().unwrap())
        .collect();
    assert!(
        components.contains(&"in_person") && components.contains(&"complementary_experience"),
        "{reasons}"
    );
    assert!(
        reasons
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r.get("detail").is_none()),
        "{reasons}"
    );
    let text = reasons.to_string().to_lowercase();
    assert!(
        !text.contains("limburg") && !text.contains("years"),
        "{reasons}"
    );
    let learners: Vec<&Value> = reasons
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r.get("learner"))
        .collect();
    assert!(learners.contains(&&anna_id), "{reasons}");

    // The proposal email follows the same choices.
    let mail = app.wait_for_folder_mail("anna@uwv.nl", "Bram").await;
    assert!(!mail.contains("bram@zzp.nl"), "{mail}");
    assert!(mail.contains(PHONE), "{mail}");
    assert!(!mail.contains("Limburg"), "{mail}");
}

async fn sharing_choices_are_checked(app: TestApp) {
    let token = app.member("lid@uwv.nl").await;
    let res = app.get("/api/v1/me/sharing", Some(&token)).await;
    let defaults: Value = res.json().await.unwrap();
    assert_eq!(
        defaults,
        json!({"phone": null, "share_email": false, "share_phone": false, "share_province": false}),
        "nothing is shared before the member chooses"
    );
    // The first save of a profile asks the choice, with no answer made for them.
    let mut profile = sample_profile();
    profile.as_object_mut().unwrap().remove("sharing");
    let res = app
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/me/profile",
            Some(&token),
            &profile,
        )
        .await;
    let p = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "sharing", "{p}");
    profile["sharing"] =
        json!({"share_email": false, "share_phone": false, "share_province": true});
    let res = app
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/me/profile",
            Some(&token),
            &profile,
        )
        .await;
    assert_eq!(res.status(), 200);
    let chosen: Value = app
        .get("/api/v1/me/sharing", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        chosen,
        json!({"phone": null, "share_email": false, "share_phone": false, "share_province": true})
    );
    // Later saves keep the choice without asking again.
    profile.as_object_mut().unwrap().remove("sharing");
    let res = app
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/me/profile",
            Some(&token),
            &profile,
        )
        .await;
    assert_eq!(res.status(), 200);

    let put = |body: Value| {
        let (app, token) = (&app, token.clone());
        async move {
            app.send_json(
                reqwest::Method::PUT,
                "/api/v1/me/sharing",
                Some(&token),
                &body,
            )
            .await
        }
    };
    let res = put(json!({"share_email": true, "share_phone": true, "share_province": true})).await;
    let p = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "share_phone");
    let res = put(json!({
        "phone": "call me maybe",
        "share_email": true,
        "share_phone": false,
        "share_province": true,
    }))
    .await;
    let p = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "phone");
    let res = put(json!({
        "phone": "+31 6 1234",
        "share_email": true,
        "share_phone": false,
        "share_province": true,
    }))
    .await;
    assert_problem(res, 422, "validation_failed").await;
    let res = put(json!({"share_email": true})).await;
    assert_problem(res, 422, "validation_failed").await;

    // A phone number kept private is still the member's own to see and export.
    let res = put(json!({
        "phone": " 030-123 45 67 ",
        "share_email": false,
        "share_phone": false,
        "share_province": true,
    }))
    .await;
    assert_eq!(res.status(), 200);
    let export: Value = app
        .get("/api/v1/me/export", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        export["sharing"],
        json!({
            "phone": "030-123 45 67",
            "share_email": false,
            "share_phone": false,
            "share_province": true,
        })
    );
}

async fn erasure_leaves_only_a_former_member(app: TestApp) {
    let (anna, bram, coord, round) = matched_pair(
        &app,
        Some(json!({
            "phone": PHONE,
            "share_email": true,
            "share_phone": true,
            "share_province": true,
        })),
    )
    .await;
    let (match_id, _) = only_counterpart(&app, &bram).await;
    let res = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/me/matches/{match_id}/accept"),
            Some(&bram),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/me/matches/{match_id}/rating"),
            Some(&bram),
            &json!({"stars": 4, "comment": "Anna legde het UWV-beleid heel helder uit"}),
        )
        .await;
    assert_eq!(res.status(), 204);
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
            &format!("/api/v1/me/matches/{match_id}/meetings"),
            Some(&bram),
            &json!({
                "date": crate::common::today(),
                "hours": 2,
                "reflection": "Ik leerde hoe een WIA-beoordeling verloopt bij Bram thuis.",
            }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let session = app.login("bram@zzp.nl").await;
    let bram_id = session["user"]["id"].as_str().unwrap().to_string();
    let refresh = session["refresh_token"].as_str().unwrap().to_string();

    // The password is asked again, and a wrong one changes nothing.
    let res = app
        .send_json(
            reqwest::Method::DELETE,
            "/api/v1/me",
            Some(&bram),
            &json!({"password": "not my password"}),
        )
        .await;
    assert_problem(res, 403, "password_incorrect").await;
    assert_eq!(app.get("/api/v1/me", Some(&bram)).await.status(), 200);
    let res = app
        .send_json(
            reqwest::Method::DELETE,
            "/api/v1/me",
            Some(&bram),
            &json!({"password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 204);

    // The account is gone for its owner at once: token, session, login.
    assert_problem(
        app.get("/api/v1/me", Some(&bram)).await,
        401,
        "invalid_token",
    )
    .await;
    let res = app
        .post("/api/v1/auth/refresh", &json!({"refresh_token": refresh}))
        .await;
    assert_problem(res, 401, "invalid_refresh_token").await;
    let res = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "bram@zzp.nl", "password": PASSWORD}),
        )
        .await;
    assert_problem(res, 401, "invalid_credentials").await;

    // Anna sees a former member, in her language, and nothing else.
    let (_, b) = only_counterpart(&app, &anna).await;
    assert_eq!(b["former_member"], true);
    assert_eq!(b["display_name"], "een voormalig lid");
    for field in [
        "user_id",
        "email",
        "phone",
        "domain",
        "profession",
        "province",
    ] {
        assert_eq!(b[field], Value::Null, "{field}: {b}");
    }
    assert_eq!(b["response"], "accepted");
    let mine: Value = app
        .get("/api/v1/me/matches", Some(&anna))
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    assert!(!mine.to_string().contains(&bram_id), "{mine}");

    // Coordinators keep anonymous statistics.
    let detail: Value = app
        .get(&format!("/api/v1/rounds/{round}"), Some(&coord))
        .await
        .json()
        .await
        .unwrap();
    let members = detail["matches"][0]["members"].as_array().unwrap();
    let gone: Vec<&Value> = members
        .iter()
        .filter(|m| m["former_member"] == true)
        .collect();
    assert_eq!(gone.len(), 1, "{detail}");
    assert_eq!(gone[0]["user_id"], Value::Null);
    assert_eq!(gone[0]["display_name"], Value::Null);
    assert!(!detail.to_string().contains(&bram_id), "{detail}");
    assert_eq!(detail["ratings"]["count"], 1);
    assert_eq!(detail["ratings"]["comments"], json!([]));
    let listed: Value = app
        .get("/api/v1/members", Some(&coord))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["total"], 1, "{listed}");

    // What is stored: no name, address, phone, profile, words or sessions.
    let id = bram_id.clone();
    let (user, profiles, contacts, sessions, mail_to, comments, memberships) =
        app.with_db(move |c| {
            let user: (String, String, String, Option<i64>) = u::table
                .find(&id)
                .select((u::email, u::display_name, u::password_hash, u::erased_at))
                .first(c)
                .unwrap();
            let profiles: i64 = p::table
                .filter(p::user_id.eq(&id))
                .count()
                .get_result(c)
                .unwrap();
            let contacts: i64 = cp::table
                .filter(cp::user_id.eq(&id))
                .count()
                .get_result(c)
                .unwrap();
            let sessions: i64 = rt::table
                .filter(rt::user_id.eq(&id))
                .count()
                .get_result(c)
                .unwrap();
            let mail_to: i64 = ob::table
                .filter(ob::recipient.eq("bram@zzp.nl"))
                .count()
                .get_result(c)
                .unwrap();
            let comments: Vec<String> = ra::table
                .filter(ra::user_id.eq(&id))
                .select(ra::comment)
                .load(c)
                .unwrap();
            let memberships: i64 = mm::table
                .filter(mm::user_id.eq(&id))
                .count()
                .get_result(c)
                .unwrap();
            (
                user,
                profiles,
                contacts,
                sessions,
                mail_to,
                comments,
                memberships,
            )
        });
    assert!(
        !user.0.contains("bram") && user.0.ends_with(".invalid"),
        "{user:?}"
    );
    assert_eq!(user.1, "");
    assert!(!user.2.starts_with("$argon2"));
    assert!(user.3.is_some());
    assert_eq!((profiles, contacts, sessions, mail_to), (0, 0, 0, 0));
    assert_eq!(comments, [""]);
    assert_eq!(memberships, 1, "the match stays for the statistics");
    let id = bram_id.clone();
    let stored: Vec<String> = app.with_db(move |c| {
        buddymatch::store::schema::matches::table
            .select(buddymatch::store::schema::matches::explanation)
            .load(c)
            .unwrap()
    });
    assert!(
        stored
            .iter()
            .all(|e| !e.contains(&id) && e.contains("topics")),
        "{stored:?}"
    );

    // Erasing twice is not possible (the token died), and the address
    // is free for a new account.
    app.register("bram@zzp.nl", "Bram Opnieuw").await;
    let again = app.login("bram@zzp.nl").await;
    assert_ne!(again["user"]["id"], bram_id.as_str());
    assert!(app
        .get("/api/v1/me/export", Some(&anna))
        .await
        .status()
        .is_success());
}

async fn erasure_takes_the_member_out_of_emails_not_yet_sent(app: TestApp) {
    let (anna, bram) = anna_and_bram(
        &app,
        Some(json!({
            "phone": PHONE,
            "share_email": true,
            "share_phone": true,
            "share_province": true,
        })),
    )
    .await;
    // The relay is down from here on, so the round's emails wait.
    let app = app
        .restart_with(|c| {
            c.smtp_url = Some(buddymatch::config::Secret::new("smtp://127.0.0.1:9"));
            c.mail_backoff_secs = 3600;
            c.mail_backoff_max_secs = 3600;
        })
        .await;
    app.allow_undelivered_mail();
    publish_buddy_round(&app).await;
    let matches: Value = app
        .get("/api/v1/me/matches", Some(&bram))
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    let match_id = matches[0]["id"].as_str().unwrap().to_string();
    let res = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/me/matches/{match_id}/decline"),
            Some(&bram),
            &json!({"reason": "Bram verhuist naar Maastricht"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let to_anna = || {
        app.with_db(|c| {
            ob::table
                .filter(ob::recipient.eq("anna@uwv.nl"))
                .filter(ob::kind.eq_any(["match_proposed", "match_declined"]))
                .order(ob::kind.desc())
                .select((
                    ob::kind,
                    ob::status,
                    ob::subject,
                    ob::body_text,
                    ob::body_html,
                ))
                .load::<(String, String, String, String, String)>(c)
                .unwrap()
        })
    };
    let before = to_anna();
    assert_eq!(before.len(), 2, "{before:?}");
    assert!(before.iter().all(|m| m.1 != "sent"), "{before:?}");
    assert!(
        before[0].3.contains("bram@zzp.nl") && before[0].3.contains(PHONE),
        "{before:?}"
    );
    // The decline names Bram (in the body only) and never his note.
    assert!(
        before[1].3.contains("Bram") && !before[1].2.contains("Bram"),
        "{before:?}"
    );
    assert!(
        !before[1].3.contains("Maastricht") && !before[1].4.contains("Maastricht"),
        "{before:?}"
    );

    // Every email has been tried once and waits an hour for the next try,
    // so no worker claims the rewritten proposal before it is looked at.
    app.wait_for_outbox("every unsent email to have been tried once", |rows| {
        rows.iter().all(|(status, attempts, _)| {
            status == "sent" || (status == "pending" && *attempts >= 1)
        })
    })
    .await;
    // A worker is sending the proposal right now (its claim runs far ahead).
    let until = buddymatch::service::now() + 3_600;
    let claim = "a-worker's-claim";
    let proposal: String = app.with_db(move |c| {
        let id: String = ob::table
            .filter(ob::recipient.eq("anna@uwv.nl"))
            .filter(ob::kind.eq("match_proposed"))
            .select(ob::id)
            .first(c)
            .unwrap();
        diesel::update(ob::table.find(&id))
            .set((
                ob::status.eq("sending"),
                ob::locked_until.eq(Some(until)),
                ob::claim.eq(Some(claim)),
            ))
            .execute(c)
            .unwrap();
        id
    });
    let res = app
        .send_json(
            reqwest::Method::DELETE,
            "/api/v1/me",
            Some(&bram),
            &json!({"password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 204);

    // Anna still gets both emails, but they no longer say who Bram was.
    let after = to_anna();
    assert_eq!(after.len(), 2, "no email is lost: {after:?}");
    for (kind, _, subject, text, html) in &after {
        for gone in [
            "Bram",
            "bram@zzp.nl",
            PHONE,
            "Maastricht",
            "Limburg",
            "zelfstandig",
        ] {
            assert!(
                !subject.contains(gone) && !text.contains(gone) && !html.contains(gone),
                "{kind} still holds {gone}: {subject}\n{text}"
            );
        }
        assert!(text.contains("een voormalig lid"), "{kind}: {text}");
    }
    // That worker cannot mark the old text sent: the new one goes out after it.
    let (status, marked) = app.with_db(move |c| {
        let marked =
            buddymatch::store::outbox::mark_sent(c, &proposal, claim, buddymatch::service::now())
                .unwrap();
        let status: String = ob::table
            .find(&proposal)
            .select(ob::status)
            .first(c)
            .unwrap();
        (status, marked)
    });
    assert_eq!((status.as_str(), marked), ("pending", 0));
    // And Anna's own view of the match agrees.
    let (_, b) = only_counterpart(&app, &anna).await;
    assert_eq!(b["former_member"], true);
}

async fn stale_unverified_accounts_and_expired_tokens_are_purged(app: TestApp) {
    app.register("nooit@uwv.nl", "Nooit Bevestigd").await;
    app.register("net@uwv.nl", "Net Aangemeld").await;
    let kept = app
        .verified_member("oud@uwv.nl", "Oud Lid", "nl", &sample_profile())
        .await;
    app.with_role("beheer@vereniging.nl", Role::Admin).await;
    let session = app.login("net@uwv.nl").await;
    let live_refresh = session["refresh_token"].as_str().unwrap().to_string();
    let day = 86_400;
    app.with_db(move |c| {
        let old = buddymatch::service::now() - 20 * day;
        diesel::update(u::table.filter(u::email.eq_any([
            "nooit@uwv.nl",
            "oud@uwv.nl",
            "beheer@vereniging.nl",
        ])))
        .set(u::created_at.eq(old))
        .execute(c)
        .unwrap();
        // Every session of the verified member has run out.
        let oud: String = u::table
            .filter(u::email.eq("oud@uwv.nl"))
            .select(u::id)
            .first(c)
            .unwrap();
        diesel::update(rt::table.filter(rt::user_id.eq(oud)))
            .set(rt::expires_at.eq(old))
            .execute(c)
            .unwrap();
    });
    // A purge runs at start-up and then every interval.
    let app = app.restart_with(|c| c.purge_unverified_days = 14).await;
    let state = || {
        app.with_db(|c| {
            let emails: Vec<String> = u::table
                .order(u::email.asc())
                .select(u::email)
                .load(c)
                .unwrap();
            let expired: i64 = rt::table
                .filter(rt::expires_at.lt(buddymatch::service::now()))
                .count()
                .get_result(c)
                .unwrap();
            (emails, expired)
        })
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let (emails, expired) = loop {
        let (emails, expired) = state();
        if emails.len() == 3 || std::time::Instant::now() > deadline {
            break (emails, expired);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(emails, ["beheer@vereniging.nl", "net@uwv.nl", "oud@uwv.nl"]);
    assert_eq!(expired, 0);
    // Their emails went with them: the address names nobody any more.
    let mail_to_purged: i64 = app.with_db(|c| {
        ob::table
            .filter(ob::recipient.eq("nooit@uwv.nl"))
            .count()
            .get_result(c)
            .unwrap()
    });
    assert_eq!(mail_to_purged, 0);
    // A login without tokens left is gone too; its access tokens (which
    // never outlive its refresh tokens) with it.
    let logins = app.with_db(|c| {
        s::table
            .inner_join(u::table)
            .filter(u::email.eq("oud@uwv.nl"))
            .count()
            .get_result::<i64>(c)
            .unwrap()
    });
    assert_eq!(logins, 0);
    assert_eq!(
        app.get("/api/v1/me/profile", Some(&kept)).await.status(),
        401
    );
    // Young accounts and live sessions are untouched.
    let res = app
        .post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": live_refresh}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let again = app.login("oud@uwv.nl").await;
    assert_eq!(
        app.get("/api/v1/me/profile", again["access_token"].as_str())
            .await
            .status(),
        200
    );
}
