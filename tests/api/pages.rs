//! The links in email lead to pages that exist: the web front end's (this
//! binary's own, or another at `--web-app-url`), which hands a visitor who
//! is not logged in on to the service's own page under `/pages`; those act
//! only after a click (a POST), on the signed link instead of a login.

use crate::both_backends;
use crate::common::smtp::{Received, SmtpSink};
use crate::common::TestApp;
use diesel::prelude::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

both_backends!(
    email_links_lead_to_pages_that_act_only_on_a_click,
    with_a_web_front_end_links_lead_there
);

/// The first link in `text` that contains `needle`, as it stands.
fn link(text: &str, needle: &str) -> String {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("no link with {needle} in:\n{text}"));
    let start = text[..at].rfind("http").expect("a link");
    text[start..]
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap()
        .to_string()
}

/// The service's own page for a front-end link, as the front end sends a
/// visitor without a login there: `/pages` + the link's path and query
/// (emails name the configured public base URL, not the test server).
fn local(link: &str) -> String {
    let after_scheme = link.split_once("://").expect("an absolute link").1;
    let at = after_scheme.find('/').expect("a path");
    format!("/pages{}", &after_scheme[at..])
}

async fn mail_to(sink: &SmtpSink, to: &str, needle: &str) -> Received {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(m) = sink
            .messages()
            .into_iter()
            .find(|m| m.to == to && m.text.contains(needle))
        {
            return m;
        }
        assert!(Instant::now() < deadline, "no email to {to} with {needle}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let res = app
        .client
        .get(app.url(path))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    if status == 200 {
        assert_eq!(res.headers()["cache-control"], "no-store");
        assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    }
    (status, res.text().await.unwrap())
}

async fn click(app: &TestApp, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let res = app
        .client
        .post(app.url(path))
        .header("accept", "text/html")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

struct Pair {
    app: TestApp,
    sink: SmtpSink,
    anna: String,
    bram: String,
    match_id: String,
}

async fn a_pair(app: TestApp, web: Option<&str>) -> Pair {
    let (anna, bram, coord) = app.anna_and_bram().await;
    let sink = SmtpSink::start();
    let url = sink.url();
    let web = web.map(str::to_string);
    let app = app
        .restart_with(move |c| {
            c.smtp_url = Some(buddymatch::config::Secret::new(url));
            c.mail_reply_to = web
                .as_ref()
                .map(|_| "Programmabureau <leren@vereniging.nl>".to_string());
            c.web_app_url = web;
        })
        .await;
    app.published_round(&coord, json!({"kind": "buddy"})).await;
    let match_id = app.my_matches(&anna).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    Pair {
        app,
        sink,
        anna,
        bram,
        match_id,
    }
}

async fn email_links_lead_to_pages_that_act_only_on_a_click(app: TestApp) {
    let Pair {
        app,
        sink,
        anna,
        bram,
        match_id,
    } = a_pair(app, None).await;
    let proposal = mail_to(&sink, "anna@uwv.nl", "/matches/").await;
    // Reasons in words, not points.
    assert!(
        proposal
            .text
            .contains("Jullie werken in verschillende domeinen: UWV en zelfstandig"),
        "{}",
        proposal.text
    );
    assert!(!proposal.text.contains("(+"), "{}", proposal.text);
    let answer = local(&link(&proposal.text, "/matches/"));
    assert!(answer.starts_with(&format!("/pages/matches/{match_id}?token=")));

    // Opening the link shows the match and changes nothing.
    let (status, html) = page(&app, &answer).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Accepteren") && html.contains("Bram"),
        "{html}"
    );
    assert_eq!(app.my_matches(&anna).await[0]["response"], "pending");
    // The click answers.
    let (status, html) = click(&app, &answer, &[("answer", "accept")]).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("geaccepteerd"), "{html}");
    assert_eq!(app.my_matches(&anna).await[0]["response"], "accepted");
    // The token is for this match only.
    let elsewhere = answer.replace(&match_id, "another-match");
    let (status, html) = page(&app, &elsewhere).await;
    assert_eq!(status, 400);
    assert!(html.contains("<html"), "a page for a browser: {html}");

    // Once both took it up, the page proposes an appointment: a local time
    // in Amsterdam, as a browser's datetime-local field sends it.
    app.answer_match(&bram, &match_id, "accept", json!({}))
        .await;
    let (_, html) = page(&app, &answer).await;
    assert!(html.contains("datetime-local"), "{html}");
    let day = buddymatch::domain::time::add_days(
        buddymatch::domain::time::amsterdam_date(buddymatch::runtime::now()),
        3,
    );
    let local_time = format!("{:04}-{:02}-{:02}T14:00", day.0, day.1, day.2);
    let (status, html) = click(
        &app,
        &answer,
        &[
            ("answer", "appointment"),
            ("starts_at", &local_time),
            ("duration_minutes", "90"),
            ("mode", "online"),
            ("online_url", "https://meet.example.nl/ab"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    let mine: Value = app
        .get("/api/v1/me/appointments", Some(&anna))
        .await
        .json()
        .await
        .unwrap();
    let appointment = &mine["items"][0];
    let expected = buddymatch::domain::time::parse_instant(
        &buddymatch::domain::time::amsterdam_local(&local_time).unwrap(),
    )
    .unwrap();
    assert_eq!(
        appointment["starts_at"],
        json!(buddymatch::domain::time::rfc3339(expected))
    );
    let (status, html) = click(&app, &answer, &[("answer", "maybe")]).await;
    assert_eq!(status, 422, "{html}");

    // Bram's invite links to the appointment's page; after its end the page
    // offers recording the meeting with date and hours filled in.
    let invite = mail_to(&sink, "bram@zzp.nl", "/appointments/").await;
    let at = local(&link(&invite.text, "/appointments/"));
    let (status, html) = page(&app, &at).await;
    assert_eq!(status, 200);
    assert!(html.contains("https://meet.example.nl/ab") && !html.contains("name=\"reflection\""));
    let id = appointment["id"].as_str().unwrap().to_string();
    app.with_db(move |c| {
        use buddymatch::store::schema::appointments as a;
        diesel::update(a::table.find(&id))
            .set((
                a::starts_at.eq(buddymatch::runtime::now() - 120),
                a::duration_minutes.eq(1),
            ))
            .execute(c)
            .unwrap();
    });
    let (_, html) = page(&app, &at).await;
    assert!(html.contains("name=\"reflection\""), "{html}");
    assert!(
        html.contains(&format!("value=\"{}\"", crate::common::today())),
        "{html}"
    );
    let (status, html) = click(
        &app,
        &at,
        &[
            ("date", &crate::common::today()),
            ("hours", "1"),
            (
                "reflection",
                "How a municipality weighs a claim differs from UWV's way.",
            ),
        ],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    let record: Value = app
        .get("/api/v1/me/learning-record", Some(&bram))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(record["items"].as_array().unwrap().len(), 1, "{record}");

    // The settings link at the foot of every email.
    let settings = local(&link(&proposal.text, "/settings/notifications"));
    let (status, html) = page(&app, &settings).await;
    assert_eq!(status, 200);
    assert_eq!(html.matches(" checked").count(), 4, "{html}");
    let (status, _) = click(&app, &settings, &[("reflection_due", "on"), ("save", "1")]).await;
    assert_eq!(status, 200);
    let chosen: Value = app
        .get("/api/v1/me/notifications", Some(&anna))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        chosen,
        json!({"answer_pending": false, "no_meeting_yet": false, "reflection_due": true, "next_session": false})
    );
    // A settings link is not an answer link.
    let wrong = format!(
        "/pages/matches/{match_id}?{}",
        settings.split('?').nth(1).unwrap()
    );
    assert_eq!(page(&app, &wrong).await.0, 400);

    // Sign-up: the verification page confirms on the click only.
    app.register("cas@gemeente.nl", "Cas").await;
    let welcome = mail_to(&sink, "cas@gemeente.nl", "/verify-email").await;
    let verify = local(&link(&welcome.text, "/verify-email"));
    let (status, _) = page(&app, &verify).await;
    assert_eq!(status, 200);
    let (status, html) = click(&app, &verify, &[("confirm", "1")]).await;
    assert_eq!(status, 200, "{html}");
    let token = verify.split("token=").nth(1).unwrap();
    let res = app
        .post("/api/v1/auth/verify-email", &json!({"token": token}))
        .await;
    assert_eq!(res.status(), 400, "the click used the link");
}

async fn with_a_web_front_end_links_lead_there(app: TestApp) {
    let Pair {
        app: _app, sink, ..
    } = a_pair(app, Some("https://app.buddymatch.example.nl")).await;
    let proposal = mail_to(&sink, "anna@uwv.nl", "Accepteer of weiger").await;
    let answer = link(&proposal.text, "/matches/");
    assert!(
        answer.starts_with("https://app.buddymatch.example.nl/matches/"),
        "{answer}"
    );
    // The token is for a visitor without a login, whom the front end
    // hands on to the service's own page.
    assert!(answer.contains("?token="), "{answer}");
    let settings = link(&proposal.text, "/settings/notifications");
    assert!(
        settings.starts_with("https://app.buddymatch.example.nl/settings/notifications?token="),
        "{settings}"
    );
    assert!(!proposal.text.contains("/pages/"), "{}", proposal.text);
    // Replies go to the programme office, as set.
    for raw in sink.raw_messages() {
        let m = mail_parser::MessageParser::default().parse(&raw).unwrap();
        let reply_to = m
            .reply_to()
            .and_then(|a| a.first())
            .and_then(|a| a.address());
        assert_eq!(reply_to, Some("leren@vereniging.nl"));
    }
}
