//! Reminders after a match, through a real SMTP server: each goes out once
//! across two instances and a restart, never to a paused member or one who
//! turned it off, stops when its reason is gone, and carries a one-click
//! unsubscribe (RFC 8058) that works without a login.

use crate::both_backends;
use crate::common::smtp::{Received, SmtpSink};
use crate::common::{assert_problem, sample_profile, TestApp};
use buddymatch::domain::Role;
use diesel::prelude::*;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

both_backends!(
    reminders_go_once_across_instances_and_restarts,
    a_session_reminder_skips_paused_members_and_follows_a_move,
    notification_settings_are_the_members_own,
    an_answer_reminder_turned_off_still_lets_the_answer_expire,
    nobody_is_asked_to_meet_an_erased_partner
);

const WAIT: Duration = Duration::from_secs(30);

fn now() -> i64 {
    buddymatch::runtime::now()
}

/// The delivered emails whose subject contains one of `needles`.
fn with_subject(sink: &SmtpSink, needles: &[&str]) -> Vec<Received> {
    sink.messages()
        .into_iter()
        .filter(|m| needles.iter().any(|n| m.subject.contains(n)))
        .collect()
}

/// Waits until `n` such emails arrived, then a few sweeps more, and
/// returns them: a second copy would have arrived by then.
async fn exactly(sink: &SmtpSink, needles: &[&str], n: usize) -> Vec<Received> {
    let deadline = Instant::now() + WAIT;
    while with_subject(sink, needles).len() < n {
        assert!(
            Instant::now() < deadline,
            "expected {n} emails with {needles:?}, got {:?}",
            with_subject(sink, needles)
                .iter()
                .map(|m| (&m.to, &m.subject))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let got = with_subject(sink, needles);
    assert_eq!(
        got.len(),
        n,
        "{:?}",
        got.iter().map(|m| &m.to).collect::<Vec<_>>()
    );
    got
}

fn per_recipient(mails: &[Received]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for m in mails {
        *out.entry(m.to.clone()).or_default() += 1;
    }
    out
}

/// The one-click address a raw reminder carries, as a path on the test
/// server (the emails name the configured public base URL).
fn unsubscribe_path(raw: &[u8]) -> String {
    let m = mail_parser::MessageParser::default().parse(raw).unwrap();
    assert_eq!(
        m.header_raw("List-Unsubscribe-Post").map(str::trim),
        Some("List-Unsubscribe=One-Click")
    );
    let value = m.header_raw("List-Unsubscribe").expect("List-Unsubscribe");
    let url = value.trim().trim_start_matches('<').trim_end_matches('>');
    let at = url
        .find("/pages/unsubscribe?token=")
        .expect("the service's own page");
    url[at..].to_string()
}

/// The raw email to `to` whose subject contains `needle`.
fn raw_to(sink: &SmtpSink, to: &str, needle: &str) -> Vec<u8> {
    sink.raw_messages()
        .into_iter()
        .find(|raw| {
            let m = mail_parser::MessageParser::default().parse(raw).unwrap();
            m.subject().unwrap_or_default().contains(needle)
                && m.to()
                    .and_then(|a| a.first())
                    .and_then(|a| a.address())
                    .is_some_and(|a| a == to)
        })
        .expect("the email")
}

async fn accept(app: &TestApp, token: &str, match_id: &str) {
    app.answer_match(token, match_id, "accept", json!({})).await;
}

async fn settings(app: &TestApp, token: &str) -> Value {
    let res = app.get("/api/v1/me/notifications", Some(token)).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

const MEETING: [&str; 2] = ["Al een afspraak gemaakt", "Have you planned a meeting"];
const REFLECTION: [&str; 2] = ["Wat heb je geleerd?", "What did you learn?"];
const SESSION: [&str; 2] = ["je intervisiebijeenkomst", "your intervision session"];

async fn reminders_go_once_across_instances_and_restarts(app: TestApp) {
    let (anna, bram, coord) = app.anna_and_bram().await;
    // The reflection is due as soon as an appointment ends: short for the test.
    app.published_round(
        &coord,
        json!({"kind": "buddy", "settings": {"reminders": {"reflection_after_hours": 0}}}),
    )
    .await;
    let match_id = app.my_matches(&anna).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    accept(&app, &anna, &match_id).await;
    accept(&app, &bram, &match_id).await;
    let (app, sink) = app.over_smtp().await;
    // Nothing is due yet: the match was taken up just now.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(with_subject(&sink, &MEETING).is_empty());

    // Three weeks pass without a meeting; two instances sweep every second.
    let id = match_id.clone();
    app.with_db(move |c| {
        use buddymatch::store::schema::match_members as mm;
        diesel::update(mm::table.filter(mm::match_id.eq(&id)))
            .set(mm::responded_at.eq(Some(now() - 22 * 86_400)))
            .execute(c)
            .unwrap();
    });
    let _second = app.second_instance().await;
    let got = exactly(&sink, &MEETING, 2).await;
    assert_eq!(
        per_recipient(&got),
        BTreeMap::from([("anna@uwv.nl".into(), 1), ("bram@zzp.nl".into(), 1)])
    );
    let to_anna = got.iter().find(|m| m.to == "anna@uwv.nl").unwrap();
    assert!(
        to_anna.subject.contains("buddykoppel"),
        "{}",
        to_anna.subject
    );
    assert!(to_anna.text.contains("samen met Bram"), "{}", to_anna.text);
    // Names only: no one's address or anything they typed.
    assert!(!to_anna.text.contains("bram@zzp.nl"));
    let to_bram = got.iter().find(|m| m.to == "bram@zzp.nl").unwrap();
    assert!(
        to_bram.text.contains("together with Anna"),
        "{}",
        to_bram.text
    );

    // A restart sends none again.
    let app = app.restart().await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(with_subject(&sink, &MEETING).len(), 2);

    // One click in Anna's mail client turns that reminder off, no login.
    let path = unsubscribe_path(&raw_to(&sink, "anna@uwv.nl", MEETING[0]));
    let page = app.client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("method=\"post\""));
    assert_eq!(
        settings(&app, &anna).await["no_meeting_yet"],
        true,
        "a GET changes nothing"
    );
    let res = app
        .client
        .post(app.url(&path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let done: Value = res.json().await.unwrap();
    assert_eq!(done["reminder"], "no_meeting_yet");
    assert_eq!(
        settings(&app, &anna).await,
        json!({"answer_pending": true, "no_meeting_yet": false, "reflection_due": true, "next_session": true})
    );
    let forged = app
        .client
        .post(app.url("/pages/unsubscribe?token=forged"))
        .send()
        .await
        .unwrap();
    assert_problem(forged, 400, "invalid_link").await;

    // An appointment that ended: the reflection is due, but Bram recorded
    // his meeting already, so only Anna is reminded.
    let starts = buddymatch::domain::time::rfc3339((now() / 3600 + 72) * 3600);
    let res = app
        .send_json(
            Method::POST,
            &format!("/api/v1/me/matches/{match_id}/appointments"),
            Some(&anna),
            &json!({"starts_at": starts, "duration_minutes": 60, "mode": "online"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let appointment: Value = res.json().await.unwrap();
    let res = app
        .send_json(
            Method::POST,
            &format!("/api/v1/me/matches/{match_id}/meetings"),
            Some(&bram),
            &json!({
                "date": crate::common::today(),
                "hours": 1,
                "reflection": "We compared how UWV and a self-employed expert weigh a claim."
            }),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let appointment_id = appointment["id"].as_str().unwrap().to_string();
    app.with_db(move |c| {
        use buddymatch::store::schema::appointments as a;
        diesel::update(a::table.find(&appointment_id))
            .set((a::starts_at.eq(now() - 60), a::duration_minutes.eq(1)))
            .execute(c)
            .unwrap();
    });
    let export: Value = app
        .get("/api/v1/me/export", Some(&anna))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(export["appointments"][0]["id"], appointment["id"]);
    let got = exactly(&sink, &REFLECTION, 1).await;
    assert_eq!(got[0].to, "anna@uwv.nl");
    assert!(got[0].text.contains("met Bram"), "{}", got[0].text);
    let raw = raw_to(&sink, "anna@uwv.nl", REFLECTION[0]);
    assert!(unsubscribe_path(&raw).starts_with("/pages/unsubscribe?token="));
    // And no meeting reminder came back with the appointment gone quiet.
    assert_eq!(with_subject(&sink, &MEETING).len(), 2);
    let sent: i64 = app.with_db(|c| {
        use buddymatch::store::schema::reminders_sent as rs;
        rs::table.count().get_result(c).unwrap()
    });
    assert_eq!(sent, 3, "one key per reminder sent");
}

/// Four members form an intervision group; Dik pauses.
async fn a_session_reminder_skips_paused_members_and_follows_a_move(app: TestApp) {
    let mut tokens = Vec::new();
    for (email, name, domain) in [
        ("a@uwv.nl", "Ada", "uwv"),
        ("b@zzp.nl", "Ben", "self_employed"),
        ("c@gemeente.nl", "Cas", "municipality"),
        ("d@arbo.nl", "Dik", "occupational_health"),
    ] {
        let mut p = sample_profile();
        p["domain"] = json!(domain);
        p["forms"] = json!(["intervision"]);
        p["meeting_modes"] = json!(["online"]);
        p["hours_per_month"] = json!(6);
        // A group needs someone to start it and a spread of experience.
        if name == "Ben" {
            p["experience"] = json!(25);
        }
        if name == "Dik" {
            p["offers_to_convene"] = json!(true);
        }
        tokens.push(app.verified_member(email, name, "nl", &p).await);
    }
    let coord = app
        .with_role("coord@vereniging.nl", Role::Coordinator)
        .await;
    let (_, published) = app
        .published_round(
            &coord,
            json!({"kind": "intervision", "settings": {"group_min": 4, "group_max": 4}}),
        )
        .await;
    assert_eq!(published["matches"], 1, "{published}");
    let match_id = app.my_matches(&tokens[0]).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    for t in &tokens {
        accept(&app, t, &match_id).await;
    }
    let (app, sink) = app.over_smtp().await;
    let starts = buddymatch::domain::time::rfc3339((now() / 3600 + 72) * 3600);
    let res = app
        .send_json(
            Method::POST,
            &format!("/api/v1/me/matches/{match_id}/appointments"),
            Some(&tokens[0]),
            &json!({"starts_at": starts, "duration_minutes": 120, "mode": "online", "online_url": "https://meet.example.nl/groep"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Three days ahead: no session reminder yet.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(with_subject(&sink, &SESSION).is_empty());
    let res = app
        .send_json(
            Method::PATCH,
            "/api/v1/me/profile",
            Some(&tokens[3]),
            &json!({"paused": true}),
        )
        .await;
    assert_eq!(res.status(), 200);

    // The session is two hours away: everyone but Dik hears it once.
    let move_to = |at: i64| {
        let id = id.clone();
        move |c: &mut buddymatch::store::DbConnection| {
            use buddymatch::store::schema::appointments as a;
            diesel::update(a::table.find(&id))
                .set(a::starts_at.eq(at))
                .execute(c)
                .unwrap();
        }
    };
    app.with_db(move_to(now() + 2 * 3600));
    let got = exactly(&sink, &SESSION, 3).await;
    assert_eq!(
        per_recipient(&got),
        BTreeMap::from([
            ("a@uwv.nl".into(), 1),
            ("b@zzp.nl".into(), 1),
            ("c@gemeente.nl".into(), 1)
        ])
    );
    let to_ada = got.iter().find(|m| m.to == "a@uwv.nl").unwrap();
    assert!(to_ada.text.contains("https://meet.example.nl/groep"));
    assert!(to_ada.text.contains("Ben, Cas en Dik"), "{}", to_ada.text);
    assert!(!to_ada.text.contains("b@zzp.nl"));

    // Moved to another time: announced again, once.
    app.with_db(move_to(now() + 5 * 3600));
    let got = exactly(&sink, &SESSION, 6).await;
    assert!(per_recipient(&got).values().all(|n| *n == 2));
    assert!(!per_recipient(&got).contains_key("d@arbo.nl"));

    // Cancelled: nothing more, even when the time would be due again.
    let res = app
        .send_json(
            Method::DELETE,
            &format!("/api/v1/me/appointments/{id}"),
            Some(&tokens[0]),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 204);
    app.with_db(move_to(now() + 3 * 3600));
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(with_subject(&sink, &SESSION).len(), 6);
}

async fn notification_settings_are_the_members_own(app: TestApp) {
    let anna = app.member("anna@uwv.nl").await;
    let bram = app.member("bram@zzp.nl").await;
    let all_on = json!({"answer_pending": true, "no_meeting_yet": true, "reflection_due": true, "next_session": true});
    assert_eq!(settings(&app, &anna).await, all_on);
    let choice = json!({"answer_pending": false, "no_meeting_yet": true, "reflection_due": false, "next_session": true});
    let res = app
        .send_json(
            Method::PUT,
            "/api/v1/me/notifications",
            Some(&anna),
            &choice,
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap(), choice);
    assert_eq!(settings(&app, &anna).await, choice);
    assert_eq!(
        settings(&app, &bram).await,
        all_on,
        "another member's choice"
    );
    // All four, each a boolean.
    for bad in [
        json!({"answer_pending": false}),
        json!({"answer_pending": "no", "no_meeting_yet": true, "reflection_due": true, "next_session": true}),
        json!({"answer_pending": true, "no_meeting_yet": true, "reflection_due": true, "next_session": true, "weekly_digest": true}),
    ] {
        let res = app
            .send_json(Method::PUT, "/api/v1/me/notifications", Some(&anna), &bad)
            .await;
        assert_problem(res, 422, "validation_failed").await;
    }
    let res = app.get("/api/v1/me/notifications", None).await;
    assert_problem(res, 401, "missing_token").await;
}

async fn an_answer_reminder_turned_off_still_lets_the_answer_expire(app: TestApp) {
    let (_, bram, coord) = app.anna_and_bram().await;
    let off = json!({"answer_pending": false, "no_meeting_yet": true, "reflection_due": true, "next_session": true});
    let res = app
        .send_json(Method::PUT, "/api/v1/me/notifications", Some(&bram), &off)
        .await;
    assert_eq!(res.status(), 200);
    let (round, _) = app
        .published_round(
            &coord,
            json!({"kind": "buddy", "settings": {"reply_within_days": 3, "after_deadline": "remind_then_expire"}}),
        )
        .await;
    let (app, sink) = app.over_smtp().await;
    let set_reply_by = |at: i64| {
        let id = round.clone();
        move |c: &mut buddymatch::store::DbConnection| {
            use buddymatch::store::schema::rounds as r;
            diesel::update(r::table.find(&id))
                .set(r::reply_by.eq(Some(at)))
                .execute(c)
                .unwrap();
        }
    };
    // The reply date passes: Anna is reminded (with one-click unsubscribe);
    // Bram, who turned it off, is not, but his clock runs all the same.
    app.with_db(set_reply_by(now() - 1));
    let got = exactly(&sink, &["Herinnering", "Reminder"], 1).await;
    assert_eq!(got[0].to, "anna@uwv.nl");
    unsubscribe_path(&raw_to(&sink, "anna@uwv.nl", "Herinnering"));
    let reminded: Vec<Option<i64>> = app.with_db(|c| {
        use buddymatch::store::schema::match_members as mm;
        mm::table
            .order(mm::user_id)
            .select(mm::reminded_at)
            .load(c)
            .unwrap()
    });
    assert!(reminded.iter().all(Option::is_some), "{reminded:?}");
    // A week later both answers expire, and both hear it.
    app.with_db(set_reply_by(now() - 8 * 86_400));
    let got = exactly(&sink, &["vervallen", "lapsed"], 2).await;
    assert_eq!(
        per_recipient(&got),
        BTreeMap::from([("anna@uwv.nl".into(), 1), ("bram@zzp.nl".into(), 1)])
    );
}

async fn nobody_is_asked_to_meet_an_erased_partner(app: TestApp) {
    let (anna, bram, coord) = app.anna_and_bram().await;
    app.published_round(&coord, json!({"kind": "buddy"})).await;
    let match_id = app.my_matches(&anna).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    accept(&app, &anna, &match_id).await;
    accept(&app, &bram, &match_id).await;
    let res = app
        .send_json(
            Method::DELETE,
            "/api/v1/me",
            Some(&bram),
            &json!({"password": crate::common::PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let (app, sink) = app.over_smtp().await;
    // Three weeks pass: Anna's partner is gone, so there is nobody to plan
    // a meeting with, and no reminder says otherwise.
    let id = match_id.clone();
    app.with_db(move |c| {
        use buddymatch::store::schema::match_members as mm;
        diesel::update(mm::table.filter(mm::match_id.eq(&id)))
            .set(mm::responded_at.eq(Some(now() - 22 * 86_400)))
            .execute(c)
            .unwrap();
    });
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(with_subject(&sink, &MEETING).is_empty());
    let sent: i64 = app.with_db(|c| {
        use buddymatch::store::schema::reminders_sent as rs;
        rs::table.count().get_result(c).unwrap()
    });
    assert_eq!(sent, 0, "no key is kept for a reminder not sent");
}
