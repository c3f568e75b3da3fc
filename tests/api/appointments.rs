//! Appointments with calendar invites, through a real SMTP server: the
//! invite, the update and the cancellation are read back from the delivered
//! emails and parsed by an independent iCalendar parser (Python's
//! `icalendar`, pinned beside aiosmtpd in the test venv); the private feed
//! likewise.

use crate::both_backends;
use crate::common::smtp::SmtpSink;
use crate::common::{assert_problem, sample_profile, TestApp};
use buddymatch::domain::Role;
use mail_parser::MimeHeaders;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::Write;
use std::process::{Command, Stdio};

both_backends!(
    invites_updates_and_cancels_reach_only_the_match,
    the_feed_lists_my_appointments_until_revoked
);

/// Reads iCalendar text with Python's `icalendar` and answers what the
/// tests check, as JSON.
const PARSE: &str = r#"
import sys, json, datetime, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
out = {"method": str(cal["METHOD"]) if "METHOD" in cal else None, "timezones": [], "events": [], "errors": []}
for c in cal.walk():
    out["errors"] += [str(e) for e in getattr(c, "errors", [])]
    if c.name == "VTIMEZONE":
        out["timezones"].append(str(c["TZID"]))
    elif c.name == "VEVENT":
        att = c.get("ATTENDEE", [])
        if not isinstance(att, list):
            att = [att]
        start = c["DTSTART"]
        out["events"].append({
            "uid": str(c["UID"]),
            "sequence": int(c.get("SEQUENCE", 0)),
            "status": str(c.get("STATUS", "")),
            "tzid": start.params.get("TZID"),
            "start_utc": start.dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "minutes": int((c["DTEND"].dt - start.dt).total_seconds() // 60),
            "organizer": str(c["ORGANIZER"]),
            "organizer_cn": c["ORGANIZER"].params.get("CN"),
            "attendees": [str(a) for a in att],
            "names": [a.params.get("CN") for a in att],
            "location": str(c.get("LOCATION", "")),
        })
print(json.dumps(out))
"#;

fn parse_ics(text: &str) -> Value {
    let python = crate::common::smtp::python();
    let mut child = Command::new(python)
        .args(["-c", PARSE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running python");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "icalendar could not read:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["errors"], json!([]), "{text}");
    v
}

/// One delivered email with an invite: to whom, the `method` of its
/// text/calendar part, and the invite (the part and the .ics attachment
/// carry the same text).
struct Invite {
    to: String,
    method: String,
    ics: String,
}

fn invites(sink: &SmtpSink) -> Vec<Invite> {
    let mut out = Vec::new();
    for raw in sink.raw_messages() {
        let m = mail_parser::MessageParser::default().parse(&raw).unwrap();
        let to = m
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap_or_default()
            .to_string();
        let mut inline = Vec::new();
        let mut attached = Vec::new();
        for part in &m.parts {
            let Some(ct) = part.content_type() else {
                continue;
            };
            let text = part.text_contents().unwrap_or_default().to_string();
            if part.attachment_name().is_some_and(|n| n.ends_with(".ics")) {
                attached.push(text);
            } else if ct.ctype() == "text" && ct.subtype() == Some("calendar") {
                assert_eq!(
                    ct.attribute("charset").map(str::to_lowercase).as_deref(),
                    Some("utf-8")
                );
                inline.push((ct.attribute("method").unwrap_or_default().to_string(), text));
            }
        }
        if inline.is_empty() && attached.is_empty() {
            continue;
        }
        assert_eq!(inline.len(), 1, "one text/calendar alternative");
        assert_eq!(attached.len(), 1, "one .ics attachment");
        let (method, ics) = inline.pop().unwrap();
        assert_eq!(ics, attached[0], "the attachment is the invite");
        out.push(Invite { to, method, ics });
    }
    // The Maildir's file names do not sort by arrival (the microseconds in
    // them are not zero-padded): in the order of the versions instead.
    let sequence = |ics: &str| -> u32 {
        let at = ics.find("\nSEQUENCE:").expect("a SEQUENCE") + 10;
        ics[at..]
            .split(['\r', '\n'])
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    out.sort_by_key(|i| (sequence(&i.ics), i.to.clone()));
    out
}

/// Waits until the outbox is empty and `n` invites arrived.
async fn until_invites(app: &TestApp, sink: &SmtpSink, n: usize) -> Vec<Invite> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        app.wait_for_outbox("every email to be delivered", |rows| {
            rows.iter().all(|(s, _, _)| s == "sent")
        })
        .await;
        let got = invites(sink);
        if got.len() >= n {
            return got;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "expected {n} invites, got {}",
            got.len()
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Anna (nl, UWV) and Bram (en, self-employed) paired by a published round,
/// Carol a member outside it; mail goes to an SMTP sink.
struct Pair {
    app: TestApp,
    sink: SmtpSink,
    anna: String,
    bram: String,
    carol: String,
    match_id: String,
}

async fn a_pair(app: TestApp) -> Pair {
    let mut p = sample_profile();
    p["forms"] = json!(["buddy"]);
    p["meeting_modes"] = json!(["online"]);
    let anna = app.verified_member("anna@uwv.nl", "Anna", "nl", &p).await;
    p["domain"] = json!("self_employed");
    // Anna shares her address with matched peers, Bram does not.
    p["sharing"]["share_email"] = json!(false);
    let bram = app.verified_member("bram@zzp.nl", "Bram", "en", &p).await;
    let coord = app
        .with_role("coord@vereniging.nl", Role::Coordinator)
        .await;
    app.published_round(&coord, json!({"kind": "buddy"})).await;
    let carol = app
        .verified_member("carol@gemeente.nl", "Carol", "nl", &p)
        .await;
    let match_id = app.my_matches(&anna).await[0]["id"]
        .as_str()
        .expect("Anna has a match")
        .to_string();
    // Sign-up and the round's emails went to the folder; from here on mail
    // goes to the SMTP sink.
    let sink = SmtpSink::start();
    let url = sink.url();
    let app = app
        .restart_with(move |c| {
            c.smtp_url = Some(buddymatch::config::Secret::new(url));
        })
        .await;
    Pair {
        app,
        sink,
        anna,
        bram,
        carol,
        match_id,
    }
}

async fn accept(app: &TestApp, token: &str, match_id: &str) {
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

fn in_days(days: i64) -> (String, String) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    // Whole hours, so the instant reads back the same from the invite.
    let t = (now / 3600 + days * 24) * 3600;
    let utc = buddymatch::domain::time::rfc3339(t);
    // The same instant as a member in Amsterdam writes it, with +01:00.
    let local = buddymatch::domain::time::rfc3339(t + 3600).replace('Z', "+01:00");
    (local, utc)
}

fn fields(problem: &Value) -> BTreeSet<String> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect()
}

async fn invites_updates_and_cancels_reach_only_the_match(app: TestApp) {
    let Pair {
        app,
        sink,
        anna,
        bram,
        carol,
        match_id,
    } = a_pair(app).await;
    let (starts, starts_utc) = in_days(3);
    let path = format!("/api/v1/me/matches/{match_id}/appointments");
    let body = json!({
        "starts_at": starts,
        "duration_minutes": 90,
        "mode": "online",
        "online_url": "https://meet.example.nl/anna-bram",
        "note": "Neem een casus mee."
    });
    let post = |token: &str, body: &Value| {
        let app = &app;
        let (path, token, body) = (path.clone(), token.to_string(), body.clone());
        async move {
            app.send_json(reqwest::Method::POST, &path, Some(&token), &body)
                .await
        }
    };

    // Only on a match both took up.
    accept(&app, &anna, &match_id).await;
    assert_problem(post(&anna, &body).await, 409, "counterpart_not_accepted").await;
    assert_problem(post(&bram, &body).await, 409, "match_not_accepted").await;
    accept(&app, &bram, &match_id).await;
    assert_problem(post(&carol, &body).await, 404, "match_not_found").await;

    // Validation names the fields.
    let bad = json!({
        "starts_at": "2026-12-10T14:00:00",
        "duration_minutes": 5,
        "mode": "by_phone",
        "online_url": "http://meet.example.nl/x"
    });
    let p = assert_problem(post(&anna, &bad).await, 422, "validation_failed").await;
    assert_eq!(
        fields(&p),
        ["duration_minutes", "mode", "online_url", "starts_at"]
            .map(String::from)
            .into()
    );

    let res = post(&anna, &body).await;
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let appt: Value = res.json().await.unwrap();
    let id = appt["id"].as_str().unwrap().to_string();
    assert_eq!(location, format!("/api/v1/me/appointments/{id}"));
    assert_eq!(appt["starts_at"], json!(starts_utc));
    assert_eq!(appt["sequence"], json!(0));
    assert_eq!(appt["status"], json!("scheduled"));
    assert_eq!(appt["record_meeting"], Value::Null, "not before its end");

    // The invite: one to each member of the match, no one else.
    let sent = until_invites(&app, &sink, 2).await;
    let to: BTreeSet<&str> = sent.iter().map(|i| i.to.as_str()).collect();
    assert_eq!(to, ["anna@uwv.nl", "bram@zzp.nl"].into());
    let mut uid = String::new();
    for i in &sent {
        assert_eq!(i.method, "REQUEST");
        let c = parse_ics(&i.ics);
        assert_eq!(c["method"], json!("REQUEST"));
        assert!(c["timezones"]
            .as_array()
            .unwrap()
            .contains(&json!("Europe/Amsterdam")));
        let e = &c["events"][0];
        assert_eq!(c["events"].as_array().unwrap().len(), 1);
        assert_eq!(e["tzid"], json!("Europe/Amsterdam"));
        assert_eq!(e["start_utc"], json!(starts_utc));
        assert_eq!(e["minutes"], json!(90));
        assert_eq!(e["sequence"], json!(0));
        assert_eq!(e["location"], json!("https://meet.example.nl/anna-bram"));
        assert!(e["organizer"].as_str().unwrap().starts_with("mailto:"));
        assert_eq!(e["organizer_cn"], json!("Anna via buddymatch"));
        let names: BTreeSet<&str> = e["names"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        assert_eq!(names, ["Anna", "Bram"].into(), "the match's members only");
        // Each reads their own address; the other's only if they share it
        // (Anna does, Bram does not).
        let own = format!("mailto:{}", i.to);
        let attendees: Vec<&str> = e["attendees"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert!(attendees.iter().any(|a| a.eq_ignore_ascii_case(&own)));
        assert!(
            !i.ics.contains("carol"),
            "no one outside the match: {}",
            i.ics
        );
        if i.to == "anna@uwv.nl" {
            assert!(
                !i.ics.contains("bram@zzp.nl"),
                "an address Bram did not share"
            );
            assert_eq!(attendees.len(), 2);
            assert!(attendees.iter().any(|a| a.starts_with("urn:uuid:")));
        } else {
            assert!(attendees
                .iter()
                .any(|a| a.eq_ignore_ascii_case("mailto:anna@uwv.nl")));
        }
        if uid.is_empty() {
            uid = e["uid"].as_str().unwrap().to_string();
        }
        assert_eq!(e["uid"], json!(uid), "one UID for everyone");
    }

    // Nobody outside the match sees or touches it: 404, never data.
    let appt_path = format!("/api/v1/me/appointments/{id}");
    assert_problem(
        app.get(&appt_path, Some(&carol)).await,
        404,
        "appointment_not_found",
    )
    .await;
    assert_problem(
        app.send_json(
            reqwest::Method::PATCH,
            &appt_path,
            Some(&carol),
            &json!({"duration_minutes": 60}),
        )
        .await,
        404,
        "appointment_not_found",
    )
    .await;
    let res = app
        .client
        .delete(app.url(&appt_path))
        .bearer_auth(&carol)
        .send()
        .await
        .unwrap();
    assert_problem(res, 404, "appointment_not_found").await;
    let list: Value = app
        .get("/api/v1/me/appointments", Some(&carol))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], json!(0));
    let list: Value = app
        .get("/api/v1/me/appointments", Some(&bram))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], json!(1));
    assert_eq!(list["items"][0]["id"], json!(id));

    // Bram reschedules: the same UID, SEQUENCE 1.
    let (later, later_utc) = in_days(4);
    let res = app
        .send_json(
            reqwest::Method::PATCH,
            &appt_path,
            Some(&bram),
            &json!({"starts_at": later, "duration_minutes": 60, "note": ""}),
        )
        .await;
    let status = res.status();
    let changed: Value = res.json().await.unwrap();
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["sequence"], json!(1));
    assert_eq!(changed["note"], Value::Null);
    let sent = until_invites(&app, &sink, 4).await;
    for i in &sent[2..] {
        let c = parse_ics(&i.ics);
        let e = &c["events"][0];
        assert_eq!(
            (i.method.as_str(), &c["method"]),
            ("REQUEST", &json!("REQUEST"))
        );
        assert_eq!(e["uid"], json!(uid));
        assert_eq!(e["sequence"], json!(1));
        assert_eq!(e["start_utc"], json!(later_utc));
        assert_eq!(e["minutes"], json!(60));
    }

    // Anna cancels: METHOD:CANCEL, STATUS:CANCELLED, the same UID, SEQUENCE 2.
    let res = app
        .client
        .delete(app.url(&appt_path))
        .bearer_auth(&anna)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let sent = until_invites(&app, &sink, 6).await;
    let to: BTreeSet<&str> = sent[4..].iter().map(|i| i.to.as_str()).collect();
    assert_eq!(to, ["anna@uwv.nl", "bram@zzp.nl"].into());
    for i in &sent[4..] {
        assert_eq!(i.method, "CANCEL");
        let c = parse_ics(&i.ics);
        let e = &c["events"][0];
        assert_eq!(c["method"], json!("CANCEL"));
        assert_eq!(e["status"], json!("CANCELLED"));
        assert_eq!(e["uid"], json!(uid));
        assert_eq!(e["sequence"], json!(2));
    }
    let got: Value = app.get(&appt_path, Some(&anna)).await.json().await.unwrap();
    assert_eq!(got["status"], json!("cancelled"));
    assert_problem(
        app.send_json(
            reqwest::Method::PATCH,
            &appt_path,
            Some(&anna),
            &json!({"duration_minutes": 60}),
        )
        .await,
        409,
        "appointment_cancelled",
    )
    .await;

    // Once an appointment is over, recording the meeting is offered.
    let res = post(&anna, &body).await;
    assert_eq!(res.status(), 201);
    let past: Value = res.json().await.unwrap();
    let past_id = past["id"].as_str().unwrap().to_string();
    let ended_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        - 2 * 3600;
    let pid = past_id.clone();
    app.with_db(move |c| {
        use buddymatch::store::schema::appointments::dsl as a;
        use diesel::prelude::*;
        diesel::update(a::appointments.find(pid))
            .set(a::starts_at.eq(ended_at))
            .execute(c)
            .unwrap();
    });
    let got: Value = app
        .get(&format!("/api/v1/me/appointments/{past_id}"), Some(&bram))
        .await
        .json()
        .await
        .unwrap();
    let (y, m, d) = buddymatch::domain::time::amsterdam_date(ended_at);
    assert_eq!(
        got["record_meeting"],
        json!({"date": format!("{y:04}-{m:02}-{d:02}"), "hours": 2})
    );
    until_invites(&app, &sink, 8).await;
}

async fn the_feed_lists_my_appointments_until_revoked(app: TestApp) {
    let Pair {
        app,
        sink,
        anna,
        bram,
        match_id,
        ..
    } = a_pair(app).await;
    accept(&app, &anna, &match_id).await;
    accept(&app, &bram, &match_id).await;
    let (starts, starts_utc) = in_days(2);
    let res = app
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/me/matches/{match_id}/appointments"),
            Some(&bram),
            &json!({"starts_at": starts, "duration_minutes": 45, "mode": "in_person", "location": "UWV Utrecht, kamer 4"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    let feed = |token: &str| {
        let app = &app;
        let token = token.to_string();
        async move {
            let res = app
                .client
                .post(app.url("/api/v1/me/calendar-feed"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            res.json::<Value>().await.unwrap()
        }
    };
    let f = feed(&anna).await;
    let url = f["url"].as_str().unwrap();
    let https_url = f["https_url"].as_str().unwrap().to_string();
    assert!(url.starts_with("webcal://"), "{url}");
    assert!(url.ends_with(".ics"));
    assert_eq!(
        url.trim_start_matches("webcal://"),
        https_url.split_once("://").unwrap().1
    );
    // A calendar app subscribes without logging in.
    let path = https_url[https_url.find("/api/v1/").unwrap()..].to_string();
    let res = app.get(&path, None).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let c = parse_ics(&res.text().await.unwrap());
    assert_eq!(c["method"], Value::Null);
    assert!(c["timezones"]
        .as_array()
        .unwrap()
        .contains(&json!("Europe/Amsterdam")));
    let e = &c["events"][0];
    assert_eq!(c["events"].as_array().unwrap().len(), 1);
    assert_eq!(e["tzid"], json!("Europe/Amsterdam"));
    assert_eq!(e["start_utc"], json!(starts_utc));
    assert_eq!(e["location"], json!("UWV Utrecht, kamer 4"));
    assert!(e["uid"].as_str().unwrap().starts_with(&id));

    // Rotating: the old address is gone.
    let f2 = feed(&anna).await;
    assert_problem(app.get(&path, None).await, 404, "calendar_feed_not_found").await;
    let https2 = f2["https_url"].as_str().unwrap();
    let path2 = https2[https2.find("/api/v1/").unwrap()..].to_string();
    assert_eq!(app.get(&path2, None).await.status(), 200);
    // Revoking: 404 from then on.
    let res = app
        .client
        .delete(app.url("/api/v1/me/calendar-feed"))
        .bearer_auth(&anna)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_problem(app.get(&path2, None).await, 404, "calendar_feed_not_found").await;
    assert_problem(
        app.get("/api/v1/calendar/not-a-token.ics", None).await,
        404,
        "calendar_feed_not_found",
    )
    .await;
    until_invites(&app, &sink, 2).await;
    // A delivered invite is not kept: blanked with the bodies.
    let kept: Vec<Option<String>> = app.with_db(|c| {
        use buddymatch::store::schema::outbox::dsl as ob;
        use diesel::prelude::*;
        ob::outbox
            .filter(ob::kind.eq("appointment"))
            .select(ob::ics)
            .load(c)
            .unwrap()
    });
    assert_eq!(kept, vec![None, None]);

    // Erasing Anna ends her feed at once.
    let f = feed(&anna).await;
    let https = f["https_url"].as_str().unwrap();
    let path = https[https.find("/api/v1/").unwrap()..].to_string();
    assert_eq!(app.get(&path, None).await.status(), 200);
    let res = app
        .client
        .delete(app.url("/api/v1/me"))
        .bearer_auth(&anna)
        .json(&json!({"password": crate::common::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    assert_problem(app.get(&path, None).await, 404, "calendar_feed_not_found").await;
}
