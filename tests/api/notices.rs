//! Who is told what (README): every email a round causes, through a real
//! SMTP server, and who it reaches.

use crate::both_backends;
use crate::common::smtp::{Received, SmtpSink};
use crate::common::{assert_problem, sample_profile, TestApp};
use buddymatch::domain::Role;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

/// Members with the given (email, name, domain, forms, extra profile fields).
async fn members(app: &TestApp, people: &[(&str, &str, &str, Value, Value)]) -> Vec<String> {
    let mut tokens = Vec::new();
    for (email, name, domain, forms, extra) in people {
        let mut p = sample_profile();
        p["domain"] = json!(domain);
        p["forms"] = forms.clone();
        for (k, v) in extra.as_object().unwrap() {
            p[k] = v.clone();
        }
        tokens.push(app.verified_member(email, name, "nl", &p).await);
    }
    tokens
}

/// Waits until the sink holds `n` messages.
async fn until(app: &TestApp, sink: &SmtpSink, n: usize) -> Vec<Received> {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let got = delivered(app, sink).await;
        if got.len() >= n {
            return got;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "expected {n} emails, got {}",
            got.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Moves a round's reply date to `at`.
fn reply_by(app: &TestApp, round_id: &str, at: i64) {
    let id = round_id.to_string();
    app.with_db(move |c| {
        use buddymatch::store::schema::rounds::dsl as r;
        use diesel::prelude::*;
        diesel::update(r::rounds.find(id))
            .set(r::reply_by.eq(Some(at)))
            .execute(c)
            .unwrap();
    });
}

/// Waits until the outbox is empty, then returns everything the sink got.
async fn delivered(app: &TestApp, sink: &SmtpSink) -> Vec<Received> {
    app.wait_for_outbox("every email to be delivered", |rows| {
        rows.iter().all(|(s, _, _)| s == "sent")
    })
    .await;
    sink.messages()
}

/// What arrived after `before` (the sink's order is not delivery order).
fn fresh(before: &[Received], now: &[Received]) -> Vec<Received> {
    now.iter()
        .filter(|m| !before.iter().any(|b| b.message_id == m.message_id))
        .cloned()
        .collect()
}

fn per_recipient(mails: &[Received]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for m in mails {
        *out.entry(m.to.clone()).or_default() += 1;
    }
    out
}

/// Every automated email says so (RFC 3834) and names its language.
fn assert_headers(raw: &[Vec<u8>]) {
    for r in raw {
        let text = String::from_utf8_lossy(r);
        let head = &text[..text.find("\r\n\r\n").or_else(|| text.find("\n\n")).unwrap()];
        assert!(head.contains("Auto-Submitted: auto-generated"), "{head}");
        assert!(
            head.contains("Content-Language: nl") || head.contains("Content-Language: en"),
            "{head}"
        );
    }
}

both_backends!(
    a_visitors_decline_reaches_only_their_host,
    everyone_in_a_buddy_round_hears_once_and_a_decline_note_stays_private,
    a_group_hears_once_when_it_can_start,
    hours_given_in_one_round_count_in_the_next,
    empty_and_finished_rounds_are_conflicts,
    unanswered_matches_are_reminded_then_expire
);

async fn a_visitors_decline_reaches_only_their_host(app: TestApp) {
    let visit =
        json!({"province": "utrecht", "meeting_modes": ["in_person"], "hours_per_month": 8});
    let host = json!({
        "province": "utrecht",
        "meeting_modes": ["in_person"],
        "hours_per_month": 12,
        "host_capacity": 2,
        "experience": 20,
    });
    let t = members(
        &app,
        &[
            (
                "host@zzp.nl",
                "Hanna",
                "self_employed",
                json!(["shadowing_host"]),
                host,
            ),
            (
                "v1@uwv.nl",
                "Vera",
                "uwv",
                json!(["shadowing_visitor"]),
                visit.clone(),
            ),
            (
                "v2@gemeente.nl",
                "Wim",
                "municipality",
                json!(["shadowing_visitor"]),
                visit,
            ),
        ],
    )
    .await;
    let coord = app
        .with_role("coord@vereniging.nl", Role::Coordinator)
        .await;
    let (app, sink) = app.over_smtp().await;

    let id = app.draft_round(&coord, json!({"kind": "shadowing"})).await;
    let preview: Value = app
        .round_action(&coord, &id, "preview")
        .await
        .json()
        .await
        .unwrap();
    let published: Value = app
        .round_action(&coord, &id, "publish")
        .await
        .json()
        .await
        .unwrap();
    // One word, one meaning: a shadowing match is one visit.
    assert_eq!(preview["metrics"]["matches"], 2, "{preview}");
    assert_eq!(published["matches"], 2, "{published}");

    let mails = delivered(&app, &sink).await;
    assert_eq!(
        per_recipient(&mails),
        BTreeMap::from([
            ("host@zzp.nl".to_string(), 1),
            ("v1@uwv.nl".to_string(), 1),
            ("v2@gemeente.nl".to_string(), 1),
        ]),
        "one email each about the round"
    );
    let to_host = mails.iter().find(|m| m.to == "host@zzp.nl").unwrap();
    assert!(
        to_host.text.contains("Vera") && to_host.text.contains("Wim"),
        "the host hears of both visits: {}",
        to_host.text
    );
    let to_wim = mails.iter().find(|m| m.to == "v2@gemeente.nl").unwrap();
    assert!(
        !to_wim.text.contains("Vera"),
        "visitors never hear of each other: {}",
        to_wim.text
    );
    assert!(to_wim.text.contains("Antwoord vóór "), "{}", to_wim.text);
    assert!(
        to_wim.text.contains("zelfstandig arbeidsdeskundige"),
        "job as a phrase: {}",
        to_wim.text
    );

    let vera = app.my_matches(&t[1]).await;
    assert_eq!(vera.len(), 1);
    let note = "ik ben met ziekteverlof";
    app.answer_match(
        &t[1],
        vera[0]["id"].as_str().unwrap(),
        "decline",
        json!({"reason": note}),
    )
    .await;
    let before = mails;
    let mails = delivered(&app, &sink).await;
    let after = fresh(&before, &mails);
    assert_eq!(
        after.len(),
        1,
        "only the host hears of the decline: {:?}",
        after.iter().map(|m| &m.to).collect::<Vec<_>>()
    );
    assert_eq!(after[0].to, "host@zzp.nl");
    assert!(
        after[0].text.contains("Vera") && after[0].text.contains("Je andere bezoeken"),
        "{}",
        after[0].text
    );
    assert!(
        !after[0].subject.contains("Vera"),
        "no names in subjects: {}",
        after[0].subject
    );
    for m in &mails {
        assert!(
            !m.text.contains(note) && !m.html.contains(note),
            "the decline note stays private: {}",
            m.text
        );
    }
    // Wim's visit stands, and the host may still accept it.
    let wim = app.my_matches(&t[2]).await;
    assert_eq!(wim[0]["response"], "pending");
    let host_matches = app.my_matches(&t[0]).await;
    assert_eq!(host_matches.len(), 2, "a host answers each visit");
    let wims_visit = host_matches
        .iter()
        .find(|m| m["counterparts"][0]["display_name"] == "Wim")
        .unwrap();
    app.answer_match(
        &t[0],
        wims_visit["id"].as_str().unwrap(),
        "accept",
        json!({}),
    )
    .await;
    let before = mails;
    let mails = delivered(&app, &sink).await;
    let news = fresh(&before, &mails);
    assert_eq!(news.len(), 1, "Wim hears of the acceptance, once");
    assert_eq!(news[0].to, "v2@gemeente.nl");
    assert!(
        news[0].text.contains("Hanna heeft jullie meeloopbezoek"),
        "{}",
        news[0].text
    );
    assert_headers(&sink.raw_messages());
}

async fn everyone_in_a_buddy_round_hears_once_and_a_decline_note_stays_private(app: TestApp) {
    let online = json!({"meeting_modes": ["online"]});
    let t = members(
        &app,
        &[
            (
                "anna@uwv.nl",
                "Anna",
                "uwv",
                json!(["buddy"]),
                online.clone(),
            ),
            (
                "bram@zzp.nl",
                "Bram",
                "self_employed",
                json!(["buddy"]),
                online.clone(),
            ),
            (
                "chris@gemeente.nl",
                "Chris",
                "municipality",
                json!(["buddy"]),
                online,
            ),
        ],
    )
    .await;
    app.with_role("coord@vereniging.nl", Role::Coordinator)
        .await;
    let (app, sink) = app.over_smtp().await;
    let coord = app.login("coord@vereniging.nl").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, published) = app.published_round(&coord, json!({"kind": "buddy"})).await;
    assert_eq!(published["matches"], 1);
    let mails = delivered(&app, &sink).await;
    assert_eq!(mails.len(), 3, "the pair and the one left over");
    assert_eq!(per_recipient(&mails).values().copied().max(), Some(1));
    let left_over = mails
        .iter()
        .find(|m| m.subject.starts_with("Geen buddykoppel"))
        .expect("the member left over hears why");
    assert!(
        left_over.text.contains("oneven aantal"),
        "{}",
        left_over.text
    );

    let mut paired = Vec::new();
    for tok in &t {
        let ms = app.my_matches(tok).await;
        if let Some(m) = ms.first() {
            paired.push((tok.clone(), m["id"].as_str().unwrap().to_string()));
        }
    }
    assert_eq!(paired.len(), 2);
    let note = "Ik zit ziek thuis, zie https://evil.example/x";
    app.answer_match(
        &paired[0].0,
        &paired[0].1,
        "decline",
        json!({"reason": note}),
    )
    .await;
    let before = mails;
    let mails = delivered(&app, &sink).await;
    let news = fresh(&before, &mails);
    assert_eq!(news.len(), 1);
    let news = &news[0];
    assert!(news.text.contains("gaat niet door"), "{}", news.text);
    for m in &mails {
        assert!(
            !m.text.contains("evil.example") && !m.html.contains("ziek thuis"),
            "{}",
            m.text
        );
    }
    let res = app
        .send_json(
            Method::PUT,
            &format!("/api/v1/me/matches/{}/convener", paired[1].1),
            Some(&paired[1].0),
            &json!({"user_id": "x"}),
        )
        .await;
    assert_problem(res, 409, "not_a_group").await;
    // The decliner still sees their own note.
    let mine = app.my_matches(&paired[0].0).await;
    assert_eq!(mine[0]["decline_reason"], note);
    assert_headers(&sink.raw_messages());
}

async fn a_group_hears_once_when_it_can_start(app: TestApp) {
    let group = json!({"meeting_modes": ["online"], "hours_per_month": 6});
    let mut xp = json!({"meeting_modes": ["online"], "hours_per_month": 6});
    xp["experience"] = json!(25);
    let t = members(
        &app,
        &[
            (
                "a@uwv.nl",
                "Ada",
                "uwv",
                json!(["intervision"]),
                group.clone(),
            ),
            (
                "b@zzp.nl",
                "Ben",
                "self_employed",
                json!(["intervision"]),
                xp,
            ),
            (
                "c@gemeente.nl",
                "Cas",
                "municipality",
                json!(["intervision"]),
                group.clone(),
            ),
            (
                "d@arbo.nl",
                "Dik",
                "occupational_health",
                json!(["intervision"]),
                json!({
                    "meeting_modes": ["online"],
                    "hours_per_month": 6,
                    "offers_to_convene": true,
                }),
            ),
        ],
    )
    .await;
    app.with_role("coord@vereniging.nl", Role::Coordinator)
        .await;
    let (app, sink) = app.over_smtp().await;
    let coord = app.login("coord@vereniging.nl").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, published) = app
        .published_round(
            &coord,
            json!({"kind": "intervision", "settings": {"group_min": 4, "group_max": 4}}),
        )
        .await;
    assert_eq!(published["matches"], 1, "{published}");
    let mails = delivered(&app, &sink).await;
    assert_eq!(mails.len(), 4);
    for m in &mails {
        assert!(
            m.text.contains("online bij elkaar"),
            "the group's mode: {}",
            m.text
        );
        assert!(
            !m.text.contains("Beiden"),
            "no pair wording to a group: {}",
            m.text
        );
        // Dik offered to convene; Ben, more experienced, did not.
        if m.to == "d@arbo.nl" {
            assert!(m.text.contains("Jij start de groep"), "{}", m.text);
        } else {
            assert!(m.text.contains("Dik start de groep"), "{}", m.text);
        }
    }
    let id = app.my_matches(&t[0]).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.answer_match(&t[0], &id, "accept", json!({})).await;
    app.answer_match(&t[1], &id, "accept", json!({})).await;
    assert_eq!(
        delivered(&app, &sink).await.len(),
        4,
        "no email per acceptance"
    );
    let before = delivered(&app, &sink).await;
    app.answer_match(&t[2], &id, "accept", json!({})).await;
    let mails = delivered(&app, &sink).await;
    assert_eq!(
        mails.len(),
        8,
        "all four hear once that the group can start"
    );
    assert_eq!(per_recipient(&fresh(&before, &mails)).len(), 4);
    app.answer_match(&t[3], &id, "accept", json!({})).await;
    assert_eq!(delivered(&app, &sink).await.len(), 8, "and not again");

    // The group may hand the convening to another member.
    let group = app.my_matches(&t[0]).await.remove(0);
    assert_eq!(group["meeting_mode"], "online");
    let dik = group["counterparts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["display_name"] == "Dik")
        .unwrap()["user_id"]
        .clone();
    let cas = group["counterparts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["display_name"] == "Cas")
        .unwrap()["user_id"]
        .clone();
    assert_eq!(group["convener"], dik, "the member who offered starts");
    let path = format!("/api/v1/me/matches/{id}/convener");
    let res = app
        .send_json(Method::PUT, &path, Some(&t[0]), &json!({"user_id": cas}))
        .await;
    assert_eq!(res.status(), 200);
    let changed: Value = res.json().await.unwrap();
    assert_eq!(changed["convener"], cas);
    assert_eq!(
        app.my_matches(&t[3]).await[0]["convener"],
        cas,
        "the whole group sees it"
    );
    let res = app
        .send_json(
            Method::PUT,
            &path,
            Some(&t[0]),
            &json!({"user_id": "someone-else"}),
        )
        .await;
    assert_problem(res, 422, "validation_failed").await;
}

async fn hours_given_in_one_round_count_in_the_next(app: TestApp) {
    let four = json!({"meeting_modes": ["online"], "hours_per_month": 4});
    let six = json!({"meeting_modes": ["online"], "hours_per_month": 6});
    members(
        &app,
        &[
            (
                "anna@uwv.nl",
                "Anna",
                "uwv",
                json!(["buddy", "intervision"]),
                four,
            ),
            (
                "bram@zzp.nl",
                "Bram",
                "self_employed",
                json!(["buddy", "intervision"]),
                six.clone(),
            ),
            (
                "chris@gemeente.nl",
                "Chris",
                "municipality",
                json!(["intervision"]),
                six.clone(),
            ),
            (
                "dewi@arbo.nl",
                "Dewi",
                "occupational_health",
                json!(["intervision"]),
                six.clone(),
            ),
            (
                "eva@bureau.nl",
                "Eva",
                "advisory_firm",
                json!(["intervision"]),
                six,
            ),
        ],
    )
    .await;
    let coord = app
        .with_role("coord@vereniging.nl", Role::Coordinator)
        .await;
    app.published_round(&coord, json!({"kind": "buddy"})).await;
    // Anna has 4 hours; the buddy pair takes 2, a group would take 3.
    let id = app
        .draft_round(
            &coord,
            json!({"kind": "intervision", "settings": {"group_min": 3, "group_max": 4}}),
        )
        .await;
    let preview: Value = app
        .round_action(&coord, &id, "preview")
        .await
        .json()
        .await
        .unwrap();
    let unmatched = preview["result"]["unmatched"].as_array().unwrap();
    let anna = preview["names"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, n)| *n == "Anna")
        .unwrap()
        .0;
    assert!(
        unmatched
            .iter()
            .any(|u| &u["member"] == anna && u["reason"] == "hours_committed"),
        "{preview}"
    );
    // Per-domain figures add up to the totals.
    let m = &preview["metrics"];
    crate::common::assert_per_domain_adds_up(m, "intervision preview");
    assert!(
        !m["per_domain"].as_object().unwrap().contains_key("uwv")
            || m["per_domain"]["uwv"]["eligible"] == 0,
        "Anna is not eligible: {m}"
    );
}

async fn empty_and_finished_rounds_are_conflicts(app: TestApp) {
    let coord = app
        .with_role("coord@vereniging.nl", Role::Coordinator)
        .await;
    let id = app.draft_round(&coord, json!({"kind": "buddy"})).await;
    let res = app.round_action(&coord, &id, "publish").await;
    assert_problem(res, 409, "round_empty").await;
    let preview: Value = app
        .round_action(&coord, &id, "preview")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        preview["metrics"]["score_spread"].to_string(),
        "0.0",
        "not -0.0"
    );
    let res = app.round_action(&coord, &id, "cancel").await;
    assert!(res.status().is_success());
    let res = app.round_action(&coord, &id, "preview").await;
    assert_problem(res, 409, "round_not_draft").await;
}

async fn unanswered_matches_are_reminded_then_expire(app: TestApp) {
    let online = json!({"meeting_modes": ["online"]});
    let t = members(
        &app,
        &[
            (
                "anna@uwv.nl",
                "Anna",
                "uwv",
                json!(["buddy"]),
                online.clone(),
            ),
            (
                "bram@zzp.nl",
                "Bram",
                "self_employed",
                json!(["buddy"]),
                online,
            ),
        ],
    )
    .await;
    let coord = app
        .with_role("coord@vereniging.nl", Role::Coordinator)
        .await;
    let (app, sink) = app.over_smtp().await;
    let (id, _) = app
        .published_round(
            &coord,
            json!({
                "kind": "buddy",
                "settings": {"reply_within_days": 3, "after_deadline": "remind_then_expire"},
            }),
        )
        .await;
    let detail: Value = app
        .get(&format!("/api/v1/rounds/{id}"), Some(&coord))
        .await
        .json()
        .await
        .unwrap();
    let due = detail["round"]["reply_by"]
        .as_str()
        .expect("a published round has a reply date")
        .to_string();
    let now = buddymatch::service::now();
    assert!(
        due > buddymatch::domain::time::rfc3339(now + 2 * 86_400)
            && due < buddymatch::domain::time::rfc3339(now + 4 * 86_400),
        "{due}"
    );
    let mails = until(&app, &sink, 2).await;
    let days = [
        "maandag",
        "dinsdag",
        "woensdag",
        "donderdag",
        "vrijdag",
        "zaterdag",
        "zondag",
    ];
    assert!(
        mails.iter().all(|m| days
            .iter()
            .any(|d| m.text.contains(&format!("Antwoord vóór {d} ")))),
        "a date a person reads"
    );
    assert!(
        mails.iter().all(|m| !m.text.contains(&due[..10])),
        "never an ISO date"
    );

    let anna_match = app.my_matches(&t[0]).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.answer_match(&t[0], &anna_match, "accept", json!({}))
        .await;
    let before = mails;
    let mails = until(&app, &sink, 3).await;
    assert_eq!(fresh(&before, &mails)[0].to, "bram@zzp.nl");

    // The reply date passes: Bram, who has not answered, is reminded once.
    reply_by(&app, &id, now - 1);
    let before = mails;
    let mails = until(&app, &sink, 4).await;
    let reminder = &fresh(&before, &mails)[0];
    assert_eq!(reminder.to, "bram@zzp.nl");
    assert!(
        reminder.subject.starts_with("Herinnering"),
        "{}",
        reminder.subject
    );
    assert!(
        reminder.text.contains("daarna vervalt de match"),
        "{}",
        reminder.text
    );
    // A week after the reminder the answer expires; Anna hears no answer came.
    reply_by(&app, &id, now - 8 * 86_400);
    let before = mails;
    let mails = until(&app, &sink, 6).await;
    assert_eq!(mails.len(), 6, "one reminder, one expiry notice each");
    let news = fresh(&before, &mails);
    let to_anna = news
        .iter()
        .find(|m| m.to == "anna@uwv.nl")
        .expect("Anna hears");
    assert!(
        to_anna.text.contains("niet op tijd geantwoord"),
        "{}",
        to_anna.text
    );
    let to_bram = news
        .iter()
        .find(|m| m.to == "bram@zzp.nl")
        .expect("Bram hears");
    assert!(to_bram.subject.contains("vervallen"), "{}", to_bram.subject);
    assert_eq!(app.my_matches(&t[1]).await[0]["response"], "expired");
    assert_headers(&sink.raw_messages());
}
