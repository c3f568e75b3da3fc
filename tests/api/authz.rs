//! The authorization matrix: every operation in the spec against an
//! anonymous caller, a member in a match, another member, a coordinator, an
//! admin and a coordinator of another programme (who gets 403 or 404 for
//! anything of the first coordinator's programmes, and lists hold only
//! their own programme's data). An operation added to the spec without a
//! row here fails the test, so nothing ships unchecked.

use crate::both_backends;
use crate::common::{sample_profile, TestApp};
use buddymatch::domain::Role;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Callers, in the order of each row's expected statuses.
const CALLERS: [&str; 6] = [
    "anonymous",
    "member",
    "other member",
    "coordinator",
    "admin",
    "coordinator of another programme",
];

struct Row {
    method: &'static str,
    path: &'static str,
    body: Value,
    expect: [u16; 6],
}

fn row(method: &'static str, path: &'static str, body: Value, expect: [u16; 6]) -> Row {
    Row {
        method,
        path,
        body,
        expect,
    }
}

/// Rows run top to bottom, each caller left to right, so rows that change
/// state say what the earlier ones left behind.
#[rustfmt::skip]
fn matrix() -> Vec<Row> {
    let none = json!({});
    vec![
        // Public.
        row("GET", "/healthz", none.clone(), [200; 6]),
        row("GET", "/readyz", none.clone(), [200; 6]),
        row("GET", "/metrics", none.clone(), [200; 6]),
        row("GET", "/api/v1/openapi.yaml", none.clone(), [200; 6]),
        row("GET", "/api/v1/topics", none.clone(), [200; 6]),
        // Token-less auth flows answer the same whoever asks.
        // Five failed logins an address, then the address waits.
        row("POST", "/api/v1/auth/login", json!({
            "email": "niemand@uwv.nl",
            "password": "wrong password",
        }), [401, 401, 401, 401, 401, 429]),
        row("POST", "/api/v1/auth/refresh", json!({"refresh_token": "forged"}), [401; 6]),
        row("POST", "/api/v1/auth/logout", json!({"refresh_token": "forged"}), [204; 6]),
        row("POST", "/api/v1/auth/verify-email", json!({"token": "forged"}), [400; 6]),
        // Three reset emails an hour per address, asked for or not.
        row("POST", "/api/v1/auth/password-reset", json!({
            "email": "niemand@uwv.nl",
        }), [202, 202, 202, 429, 429, 429]),
        row("POST", "/api/v1/auth/password-reset/confirm", json!({
            "token": "forged",
            "password": "long enough",
        }), [400; 6]),
        row("POST", "/api/v1/auth/register", json!({
            "email": "nieuw@uwv.nl",
            "password": "long enough",
            "display_name": "Nieuw",
        }), [202; 6]),
        // Everyone's own data, and only their own.
        row("GET", "/api/v1/me", none.clone(), [401, 200, 200, 200, 200, 200]),
        row("GET", "/api/v1/me/export", none.clone(), [401, 200, 200, 200, 200, 200]),
        row("GET", "/api/v1/me/profile", none.clone(), [401, 200, 200, 404, 404, 404]),
        row("PATCH", "/api/v1/me/profile", json!({"paused": false}), [401, 200, 200, 404, 404, 404]),
        row("PUT", "/api/v1/me/profile", intervision_only(), [401, 200, 200, 200, 200, 200]),
        row("GET", "/api/v1/me/sharing", none.clone(), [401, 200, 200, 200, 200, 200]),
        row("GET", "/api/v1/me/notifications", none.clone(), [401, 200, 200, 200, 200, 200]),
        row("PUT", "/api/v1/me/notifications", json!({
            "answer_pending": true,
            "no_meeting_yet": false,
            "reflection_due": true,
            "next_session": true,
        }), [401, 200, 200, 200, 200, 200]),
        // The service's pages act on a signed link, never on a login: a
        // forged link is refused whoever holds a token, and the pages of
        // one-time links need their token.
        row("GET", "/pages/unsubscribe?token=forged", none.clone(), [400; 6]),
        row("POST", "/pages/unsubscribe?token=forged", none.clone(), [400; 6]),
        row("GET", "/pages/settings/notifications?token=forged", none.clone(), [400; 6]),
        row("POST", "/pages/settings/notifications?token=forged", none.clone(), [400; 6]),
        row("GET", "/pages/matches/{match}?token=forged", none.clone(), [400; 6]),
        row("POST", "/pages/matches/{match}?token=forged", none.clone(), [400; 6]),
        row("GET", "/pages/verify-email", none.clone(), [400; 6]),
        row("POST", "/pages/verify-email", none.clone(), [400; 6]),
        row("GET", "/pages/reset-password", none.clone(), [400; 6]),
        row("POST", "/pages/reset-password", none.clone(), [400; 6]),
        row("GET", "/pages/invitations/accept", none.clone(), [400; 6]),
        row("POST", "/pages/invitations/accept", none.clone(), [400; 6]),
        row("PUT", "/api/v1/me/sharing", json!({
            "share_email": true,
            "share_phone": false,
            "share_province": true,
        }), [401, 200, 200, 200, 200, 200]),
        row("POST", "/api/v1/me/verification-email", none.clone(), [401, 409, 409, 409, 409, 409]),
        row("GET", "/api/v1/me/matches", none.clone(), [401, 200, 200, 200, 200, 200]),
        row("GET", "/api/v1/me/learning-record", none.clone(), [401, 200, 200, 200, 200, 200]),
        row("GET", "/api/v1/me/portfolio", none.clone(), [401, 200, 200, 200, 200, 200]),
        // A match is reachable only by the people in it.
        row("POST", "/api/v1/me/matches/{match}/accept", none.clone(), [401, 200, 404, 404, 404, 404]),
        row("POST", "/api/v1/me/matches/{match}/meetings", json!({
            "date": crate::common::today(),
            "hours": 1,
            "reflection": "We bespraken hoe een gemeente re-integratie regelt.",
        }), [401, 201, 404, 404, 404, 404]),
        row("PUT", "/api/v1/me/matches/{match}/rating", json!({
            "stars": 5,
        }), [401, 204, 404, 404, 404, 404]),
        // Appointments: only the people of the match reach them.
        row("POST", "/api/v1/me/matches/{match}/appointments", json!({
            "starts_at": in_a_week(),
            "duration_minutes": 60,
            "mode": "online",
            "online_url": "https://meet.example.nl/x",
        }), [401, 201, 404, 404, 404, 404]),
        row("GET", "/api/v1/me/appointments", none.clone(), [401, 200, 200, 200, 200, 200]),
        // The appointment the member proposed just above.
        row("GET", "/api/v1/me/appointments/{appointment}", none.clone(), [401, 200, 404, 404, 404, 404]),
        row("PATCH", "/api/v1/me/appointments/{appointment}", json!({
            "duration_minutes": 90,
        }), [401, 200, 404, 404, 404, 404]),
        row("DELETE", "/api/v1/me/appointments/{appointment}", none.clone(), [401, 204, 404, 404, 404, 404]),
        row("GET", "/pages/appointments/{appointment}?token=forged", none.clone(), [400; 6]),
        row("POST", "/pages/appointments/{appointment}?token=forged", none.clone(), [400; 6]),
        // Everyone's own feed; the feed itself needs its secret, not a login.
        row("POST", "/api/v1/me/calendar-feed", none.clone(), [401, 200, 200, 200, 200, 200]),
        row("GET", "/api/v1/calendar/{token}.ics", none.clone(), [404; 6]),
        row("DELETE", "/api/v1/me/calendar-feed", none.clone(), [401, 204, 204, 204, 204, 204]),
        // The meeting the member recorded just above.
        row("GET", "/api/v1/me/learning-record/{meeting}", none.clone(), [401, 200, 404, 404, 404, 404]),
        // A pair has no convener; nobody else reaches the match at all.
        row("PUT", "/api/v1/me/matches/{match}/convener", json!({
            "user_id": "x",
        }), [401, 409, 404, 404, 404, 404]),
        row("POST", "/api/v1/me/matches/{match}/decline", json!({
            "reason": "te ver",
        }), [401, 409, 404, 404, 404, 404]),
        // Coordinators' work.
        // A coordinator of another programme lists only their own programme's
        // data (checked after the matrix) and reaches nothing of this one.
        row("GET", "/api/v1/members", none.clone(), [401, 403, 403, 200, 200, 200]),
        row("GET", "/api/v1/rounds", none.clone(), [401, 403, 403, 200, 200, 200]),
        row("POST", "/api/v1/rounds", json!({
            "programme_id": buddymatch::store::programmes::DEFAULT_PROGRAMME_ID,
            "kind": "shadowing",
        }), [401, 403, 403, 201, 201, 404]),
        row("GET", "/api/v1/rounds/{round}", none.clone(), [401, 403, 403, 200, 200, 404]),
        row("GET", "/api/v1/rounds/{draft}/readiness", none.clone(), [401, 403, 403, 200, 200, 404]),
        row("GET", "/api/v1/rounds/{draft}/overrides", none.clone(), [401, 403, 403, 200, 200, 404]),
        row("PUT", "/api/v1/rounds/{draft}/overrides", json!({"pinned": []}), [401, 403, 403, 200, 200, 404]),
        // Every match of the published round stands or may yet: nobody to top up.
        row("POST", "/api/v1/rounds/{round}/top-up", none.clone(), [401, 403, 403, 409, 409, 404]),
        // Conflicts name members of the caller's programmes only.
        row("GET", "/api/v1/conflicts", none.clone(), [401, 403, 403, 200, 200, 200]),
        row("POST", "/api/v1/conflicts", json!({
            "members": ["nobody", "nobody else"],
        }), [401, 403, 403, 404, 404, 404]),
        row("DELETE", "/api/v1/conflicts/{other}", none.clone(), [401, 403, 403, 404, 404, 404]),
        row("POST", "/api/v1/rounds/{draft}/preview", none.clone(), [401, 403, 403, 200, 200, 404]),
        row("POST", "/api/v1/rounds/{draft}/publish", none.clone(), [401, 403, 403, 200, 409, 404]),
        row("POST", "/api/v1/rounds/{draft}/cancel", none.clone(), [401, 403, 403, 200, 409, 404]),
        row("GET", "/api/v1/mail/failed", none.clone(), [401, 403, 403, 200, 200, 200]),
        // The learning network: each coordinator's own programmes; names
        // in an export for admins only.
        row("GET", "/api/v1/network/summary", none.clone(), [401, 403, 403, 200, 200, 200]),
        row("GET", "/api/v1/network/summary?programme={programme}", none.clone(), [401, 403, 403, 200, 200, 404]),
        row("GET", "/api/v1/network/domains?format=csv", none.clone(), [401, 403, 403, 200, 200, 200]),
        row("GET", "/api/v1/network/graph?format=graphml", none.clone(), [401, 403, 403, 200, 200, 200]),
        row("GET", "/api/v1/network/graph?names=true", none.clone(), [401, 403, 403, 403, 200, 403]),
        row("GET", "/api/v1/network/rounds?programme={programme}", none.clone(), [401, 403, 403, 200, 200, 404]),
        // Programmes: {programme} is closed, coordinated by the coordinator.
        row("GET", "/api/v1/programmes", none.clone(), [401, 200, 200, 200, 200, 200]),
        row("POST", "/api/v1/programmes", json!({"name": "Nieuw programma"}), [401, 403, 403, 403, 201, 403]),
        row("GET", "/api/v1/programmes/{programme}", none.clone(), [401, 404, 404, 200, 200, 404]),
        row("PATCH", "/api/v1/programmes/{programme}", json!({
            "description": "Kring in het oosten",
        }), [401, 403, 403, 200, 200, 404]),
        row("GET", "/api/v1/programmes/{programme}/members", none.clone(), [401, 403, 403, 200, 200, 404]),
        row("GET", "/api/v1/programmes/{programme}/audit-log", none.clone(), [401, 403, 403, 200, 200, 404]),
        // The matrix sends JSON: whoever may upload learns it must be CSV.
        row("POST", "/api/v1/programmes/{programme}/invitations", json!({}), [401, 403, 403, 415, 415, 404]),
        row("PUT", "/api/v1/programmes/{programme}/coordinators/{coord_id}", none.clone(), [401, 403, 403, 403, 200, 403]),
        row("DELETE", "/api/v1/programmes/{programme}/coordinators/{nobody}", none.clone(), [401, 403, 403, 403, 204, 403]),
        // Everyone is in the default programme, which is open: joining again changes nothing.
        row("POST", "/api/v1/programmes/{default}/join", none.clone(), [401, 200, 200, 200, 200, 200]),
        row("DELETE", "/api/v1/programmes/{programme}/membership", none.clone(), [401, 404, 404, 404, 404, 404]),
        row("GET", "/api/v1/me/programmes", none.clone(), [401, 200, 200, 200, 200, 200]),
        row("POST", "/api/v1/invitations/accept", json!({"token": "forged"}), [400; 6]),
        // Admins' work.
        row("GET", "/api/v1/admin/audit-log", none.clone(), [401, 403, 403, 403, 200, 403]),
        row("PUT", "/api/v1/admin/users/{other}/role", json!({
            "role": "member",
        }), [401, 403, 403, 403, 200, 403]),
        // Irreversible self-service, last: a wrong password never passes.
        row("POST", "/api/v1/me/password", json!({
            "current_password": "not it",
            "new_password": "whatever you like",
        }), [401, 403, 403, 403, 403, 403]),
        row("DELETE", "/api/v1/me", json!({"password": "not it"}), [401, 403, 403, 403, 403, 403]),
    ]
}

/// Keeps everyone who saves it out of the buddy rounds below.
/// A start a week ahead, as an appointment needs one.
fn in_a_week() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    buddymatch::domain::time::rfc3339(now + 7 * 86_400)
}

fn intervision_only() -> Value {
    let mut p = sample_profile();
    p["forms"] = json!(["intervision"]);
    p
}

struct World {
    tokens: [Option<String>; 6],
    ids: Vec<(&'static str, String)>,
}

/// A published buddy pair (the member and a partner), another member who
/// is in no match, a coordinator, an admin and a draft round.
async fn world(app: &TestApp) -> World {
    let mut p = sample_profile();
    p["forms"] = json!(["buddy"]);
    p["meeting_modes"] = json!(["online"]);
    let member = app.verified_member("anna@uwv.nl", "Anna", "nl", &p).await;
    p["domain"] = json!("municipality");
    let partner = app
        .verified_member("bram@gemeente.nl", "Bram", "nl", &p)
        .await;
    let other = app
        .verified_member("chris@arbo.nl", "Chris", "nl", &intervision_only())
        .await;
    let coord = app
        .with_role("coord@vereniging.nl", Role::Coordinator)
        .await;
    let admin = app.with_role("beheer@vereniging.nl", Role::Admin).await;
    let id_of = |token: String| async move {
        let me: Value = app
            .get("/api/v1/me", Some(&token))
            .await
            .json()
            .await
            .unwrap();
        me["id"].as_str().unwrap().to_string()
    };
    let send = |method: reqwest::Method, path: String, token: String, body: Value| async move {
        let res = app.send_json(method, &path, Some(&token), &body).await;
        assert!(res.status().is_success(), "{path}: {}", res.status());
        res.json::<Value>().await.unwrap_or(Value::Null)
    };
    // A closed programme the coordinator coordinates (besides the default
    // one), and another programme with a coordinator of its own.
    let programme = send(
        reqwest::Method::POST,
        "/api/v1/programmes".into(),
        admin.clone(),
        json!({"name": "Kring Oost"}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let elsewhere = send(
        reqwest::Method::POST,
        "/api/v1/programmes".into(),
        admin.clone(),
        json!({"name": "Elders"}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let coord_id = id_of(coord.clone()).await;
    send(
        reqwest::Method::PUT,
        format!("/api/v1/programmes/{programme}/coordinators/{coord_id}"),
        admin.clone(),
        json!({}),
    )
    .await;
    let stranger = app.with_role("elders@vereniging.nl", Role::Member).await;
    let stranger_id = id_of(stranger).await;
    send(
        reqwest::Method::PUT,
        format!("/api/v1/admin/users/{stranger_id}/role"),
        admin.clone(),
        json!({"role": "coordinator"}),
    )
    .await;
    send(
        reqwest::Method::PUT,
        format!("/api/v1/programmes/{elsewhere}/coordinators/{stranger_id}"),
        admin.clone(),
        json!({}),
    )
    .await;
    let stranger = app.login("elders@vereniging.nl").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();

    let post = |path: String, token: String| async move {
        app.send_json(
            reqwest::Method::POST,
            &path,
            Some(&token),
            &json!({
                "programme_id": buddymatch::store::programmes::DEFAULT_PROGRAMME_ID,
                "kind": "buddy",
            }),
        )
        .await
    };
    let round: Value = post("/api/v1/rounds".into(), coord.clone())
        .await
        .json()
        .await
        .unwrap();
    let round = round["id"].as_str().unwrap().to_string();
    let res = post(format!("/api/v1/rounds/{round}/publish"), coord.clone()).await;
    assert_eq!(res.status(), 200);
    let draft: Value = post("/api/v1/rounds".into(), coord.clone())
        .await
        .json()
        .await
        .unwrap();
    let matches: Value = app
        .get("/api/v1/me/matches", Some(&member))
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    // The partner takes the match up, so the member can record meetings.
    let res = app
        .send_json(
            reqwest::Method::POST,
            &format!(
                "/api/v1/me/matches/{}/accept",
                matches[0]["id"].as_str().unwrap()
            ),
            Some(&partner),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let other_id: Value = app
        .get("/api/v1/me", Some(&other))
        .await
        .json()
        .await
        .unwrap();
    World {
        ids: vec![
            (
                "{match}",
                matches[0]["id"]
                    .as_str()
                    .expect("Anna has a match")
                    .to_string(),
            ),
            ("{round}", round),
            ("{draft}", draft["id"].as_str().unwrap().to_string()),
            ("{other}", other_id["id"].as_str().unwrap().to_string()),
            ("{nobody}", other_id["id"].as_str().unwrap().to_string()),
            ("{programme}", programme),
            (
                "{default}",
                buddymatch::store::programmes::DEFAULT_PROGRAMME_ID.to_string(),
            ),
            ("{coord_id}", coord_id),
        ],
        tokens: [
            None,
            Some(member),
            Some(other),
            Some(coord),
            Some(admin),
            Some(stranger),
        ],
    }
}

fn spec_path(path: &str) -> String {
    let path = path.split('?').next().unwrap();
    let p = ["{coord_id}", "{nobody}"]
        .iter()
        .fold(path.to_string(), |p, k| p.replace(k, "{user_id}"));
    [
        "{match}",
        "{round}",
        "{draft}",
        "{other}",
        "{meeting}",
        "{appointment}",
        "{programme}",
        "{default}",
    ]
    .iter()
    .fold(p, |p, k| p.replace(k, "{id}"))
}

#[test]
fn every_documented_operation_has_a_row() {
    let rows: BTreeSet<(String, String)> = matrix()
        .iter()
        .map(|r| (r.method.to_string(), spec_path(r.path)))
        .collect();
    let missing: Vec<_> = crate::contract::spec_operations()
        .into_iter()
        .filter(|op| !rows.contains(op))
        .collect();
    assert!(
        missing.is_empty(),
        "operations without a row in the matrix: {missing:?}"
    );
}

both_backends!(every_operation_answers_each_kind_of_caller_as_expected);

async fn every_operation_answers_each_kind_of_caller_as_expected(app: TestApp) {
    let w = world(&app).await;
    let mut wrong = Vec::new();
    for r in matrix() {
        let mut path = w
            .ids
            .iter()
            .fold(r.path.to_string(), |p, (k, v)| p.replace(k, v));
        if path.contains("{meeting}") {
            // Recorded by an earlier row, so looked up when its row comes.
            let record: Value = app
                .get("/api/v1/me/learning-record", w.tokens[1].as_deref())
                .await
                .json::<serde_json::Value>()
                .await
                .unwrap()["items"]
                .clone();
            path = path.replace(
                "{meeting}",
                record[0]["id"]
                    .as_str()
                    .expect("the member recorded a meeting"),
            );
        }
        if path.contains("{appointment}") {
            // Proposed by an earlier row, so looked up when its row comes.
            let mine: Value = app
                .get("/api/v1/me/appointments", w.tokens[1].as_deref())
                .await
                .json::<serde_json::Value>()
                .await
                .unwrap()["items"]
                .clone();
            path = path.replace(
                "{appointment}",
                mine[0]["id"]
                    .as_str()
                    .expect("the member proposed an appointment"),
            );
        }
        for (i, token) in w.tokens.iter().enumerate() {
            let method = reqwest::Method::from_bytes(r.method.as_bytes()).unwrap();
            let mut req = app.client.request(method, app.url(&path));
            if r.method != "GET" {
                req = req.json(&r.body);
            }
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            let res = req.send().await.unwrap();
            let got = res.status().as_u16();
            if got >= 400 {
                let ct = res
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                assert_eq!(
                    ct, "application/problem+json",
                    "{} {} as {}",
                    r.method, r.path, CALLERS[i]
                );
            }
            if got != r.expect[i] {
                wrong.push(format!(
                    "{} {} as {}: {got}, expected {}",
                    r.method, r.path, CALLERS[i], r.expect[i]
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // The coordinator of another programme listed nothing of this one.
    let stranger = w.tokens[5].as_deref();
    for list in ["/api/v1/members", "/api/v1/rounds", "/api/v1/mail/failed"] {
        let page: Value = app.get(list, stranger).await.json().await.unwrap();
        assert_eq!(page["total"], 0, "{list}: {page}");
    }
    let page: Value = app
        .get("/api/v1/programmes", stranger)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 1, "only their own programme: {page}");

    // The member who is in no match saw nobody: no matches, no members.
    let other = w.tokens[2].as_deref();
    let mine: Value = app
        .get("/api/v1/me/matches", other)
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap()["items"]
        .clone();
    assert_eq!(mine, json!([]));
    let export: Value = app
        .get("/api/v1/me/export", other)
        .await
        .json()
        .await
        .unwrap();
    let text = export.to_string();
    for stranger in ["anna@uwv.nl", "bram@gemeente.nl", "Anna", "Bram"] {
        assert!(!text.contains(stranger), "{stranger} in {text}");
    }
}
