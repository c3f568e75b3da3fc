//! Coordinator control over a draft: readiness, pins and exclusions,
//! conflicts of interest, and topping up a published round.

use crate::both_backends;
use crate::common::{assert_problem, sample_profile, TestApp};
use buddymatch::domain::Role;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// (email, name, domain, organisation, team, languages)
type Person = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

const PEOPLE: [Person; 6] = [
    ("anna@uwv.nl", "Anna", "uwv", "UWV", "Team Noord", &["nl"]),
    (
        "bram@uwv.nl",
        "Bram",
        "uwv",
        " uwv ",
        "team  noord",
        &["nl"],
    ),
    (
        "chris@gemeente.nl",
        "Chris",
        "municipality",
        "Gemeente Zwolle",
        "",
        &["nl"],
    ),
    (
        "dewi@arbo.nl",
        "Dewi",
        "occupational_health",
        "ArboNed",
        "Oost",
        &["nl"],
    ),
    ("eva@zzp.nl", "Eva", "self_employed", "", "", &["nl", "en"]),
    (
        "farid@bureau.nl",
        "Farid",
        "advisory_firm",
        "Bureau X",
        "",
        &["en"],
    ),
];

struct Cast {
    coord: String,
    /// name -> (user id, token)
    ids: std::collections::HashMap<&'static str, (String, String)>,
}

async fn cast(app: &TestApp) -> Cast {
    let mut ids = std::collections::HashMap::new();
    for (email, name, domain, org, team, langs) in PEOPLE {
        let mut p = sample_profile();
        p["domain"] = json!(domain);
        p["forms"] = json!(["buddy"]);
        p["meeting_modes"] = json!(["online"]);
        p["languages"] = json!(langs);
        p["organisation"] = json!(org);
        p["team"] = json!(team);
        let token = app.verified_member(email, name, "nl", &p).await;
        let me: Value = app
            .get("/api/v1/me", Some(&token))
            .await
            .json()
            .await
            .unwrap();
        ids.insert(name, (me["id"].as_str().unwrap().to_string(), token));
    }
    let coord = app
        .with_role("coord@vereniging.nl", Role::Coordinator)
        .await;
    Cast { coord, ids }
}

impl Cast {
    fn id(&self, name: &str) -> String {
        self.ids[name].0.clone()
    }
}

async fn json_of(res: reqwest::Response, status: u16) -> Value {
    let code = res.status().as_u16();
    let body = res.text().await.unwrap();
    assert_eq!(code, status, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn pair_set(preview: &Value) -> BTreeSet<(String, String)> {
    preview["result"]["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let (a, b) = (p["a"].as_str().unwrap(), p["b"].as_str().unwrap());
            (a.min(b).to_string(), a.max(b).to_string())
        })
        .collect()
}

fn ordered(a: String, b: String) -> (String, String) {
    if a < b {
        (a, b)
    } else {
        (b, a)
    }
}

both_backends!(
    readiness_agrees_with_the_preview,
    colleagues_and_registered_conflicts_are_kept_apart,
    pins_and_exclusions_shape_the_preview,
    a_top_up_round_takes_those_left_without_a_match,
    an_id_with_a_nul_is_nobody,
);

/// PostgreSQL refuses a NUL in any text; an id holding one names nobody
/// (found by Schemathesis as a 500).
async fn an_id_with_a_nul_is_nobody(app: TestApp) {
    let admin = app.with_role("admin@vereniging.nl", Role::Admin).await;
    let res = app
        .send_json(
            Method::POST,
            "/api/v1/conflicts",
            Some(&admin),
            &json!({"members": ["\u{0}x", "y"]}),
        )
        .await;
    assert_problem(res, 404, "user_not_found").await;
    let res = app.get("/api/v1/conflicts?member=%00", Some(&admin)).await;
    assert_eq!(res.status(), 200);
    let page: Value = res.json().await.unwrap();
    assert_eq!(page["total"], 0);
    let res = app
        .send_json(
            Method::POST,
            "/api/v1/rounds",
            Some(&admin),
            &json!({"programme_id": "\u{0}", "kind": "buddy"}),
        )
        .await;
    assert_problem(res, 404, "programme_not_found").await;
}

async fn readiness_agrees_with_the_preview(app: TestApp) {
    let c = cast(&app).await;
    // One member paused, one without a profile, one who never verified.
    let paused = &c.ids["Chris"].1;
    let res = app
        .send_json(
            Method::PATCH,
            "/api/v1/me/profile",
            Some(paused),
            &json!({"paused": true}),
        )
        .await;
    assert_eq!(res.status(), 200);
    app.with_role("zonder@profiel.nl", Role::Member).await;
    app.register("onbevestigd@uwv.nl", "Onbevestigd").await;
    let round = app.draft_round(&c.coord, json!({"kind": "buddy"})).await;
    let path = format!("/api/v1/rounds/{round}/readiness");
    let ready = json_of(app.get(&path, Some(&c.coord)).await, 200).await;
    assert_eq!(ready["taking_part"], 5, "{ready}");
    assert_eq!(ready["not_taking_part"]["paused"], 1, "{ready}");
    assert_eq!(ready["not_taking_part"]["no_profile"], 1, "{ready}");
    assert_eq!(ready["not_taking_part"]["unverified"], 1, "{ready}");
    let reasons: BTreeSet<&str> = ready["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["reason"].as_str().unwrap())
        .collect();
    assert!(
        reasons.contains("paused") && reasons.contains("no_profile"),
        "{ready}"
    );
    // Anna and Bram share a team (written differently): one pair removed.
    assert_eq!(ready["engine"]["removed_pairs"]["same_team"], 1, "{ready}");
    // Farid speaks only English: nobody else is English-only, but Eva speaks
    // it, so he has a candidate; everyone does.
    assert_eq!(ready["engine"]["without_candidate"], json!([]), "{ready}");
    assert_eq!(
        ready["engine"]["at_most_matched"], 4,
        "five members: one is odd one out"
    );

    let preview = json_of(app.round_action(&c.coord, &round, "preview").await, 200).await;
    assert_eq!(preview["metrics"]["eligible"], ready["taking_part"]);
    assert_eq!(
        preview["result"]["removed_pairs"],
        ready["engine"]["removed_pairs"]
    );
    let matched = preview["metrics"]["matched"].as_u64().unwrap();
    assert!(matched <= ready["engine"]["at_most_matched"].as_u64().unwrap());

    // Only drafts, only coordinators.
    let member = &c.ids["Anna"].1;
    assert_problem(app.get(&path, Some(member)).await, 403, "forbidden").await;
    let res = app.round_action(&c.coord, &round, "publish").await;
    assert_eq!(res.status(), 200);
    assert_problem(app.get(&path, Some(&c.coord)).await, 409, "round_not_draft").await;
}

async fn colleagues_and_registered_conflicts_are_kept_apart(app: TestApp) {
    let c = cast(&app).await;
    let (anna, bram) = (c.id("Anna"), c.id("Bram"));
    let teammates = ordered(anna.clone(), bram.clone());
    // By default colleagues in one team are never paired.
    for _ in 0..2 {
        let round = app.draft_round(&c.coord, json!({"kind": "buddy"})).await;
        let preview = json_of(app.round_action(&c.coord, &round, "preview").await, 200).await;
        assert!(!pair_set(&preview).contains(&teammates), "{preview}");
        assert_eq!(preview["result"]["removed_pairs"]["same_team"], 1);
    }
    // `conflicts: none` lets them meet: four members left who can, and the
    // pair counts no more.
    let round = app
        .draft_round(
            &c.coord,
            json!({"kind": "buddy", "settings": {"conflicts": "none"}}),
        )
        .await;
    let preview = json_of(app.round_action(&c.coord, &round, "preview").await, 200).await;
    assert_eq!(
        preview["result"]["removed_pairs"]["same_team"], 0,
        "{preview}"
    );

    // A registered conflict keeps a pair apart in every round and form.
    let (chris, dewi) = (c.id("Chris"), c.id("Dewi"));
    let body = json!({"members": [dewi, chris], "note": "leidinggevende en medewerker"});
    let res = app
        .send_json(Method::POST, "/api/v1/conflicts", Some(&c.coord), &body)
        .await;
    let conflict = json_of(res, 201).await;
    // Registering it again answers the same conflict.
    let again = app
        .send_json(Method::POST, "/api/v1/conflicts", Some(&c.coord), &body)
        .await;
    assert_eq!(json_of(again, 200).await["id"], conflict["id"]);
    let round = app
        .draft_round(
            &c.coord,
            json!({"kind": "buddy", "settings": {"conflicts": "none"}}),
        )
        .await;
    let preview = json_of(app.round_action(&c.coord, &round, "preview").await, 200).await;
    assert!(!pair_set(&preview).contains(&ordered(chris.clone(), dewi.clone())));
    assert_eq!(preview["result"]["removed_pairs"]["conflict_registered"], 1);
    let list = json_of(
        app.get(&format!("/api/v1/conflicts?member={chris}"), Some(&c.coord))
            .await,
        200,
    )
    .await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["note"], "leidinggevende en medewerker");
    // Members cannot see or register conflicts.
    let member = &c.ids["Anna"].1;
    assert_problem(
        app.get("/api/v1/conflicts", Some(member)).await,
        403,
        "forbidden",
    )
    .await;
    // Bad input.
    let res = app
        .send_json(
            Method::POST,
            "/api/v1/conflicts",
            Some(&c.coord),
            &json!({"members": [chris, chris]}),
        )
        .await;
    assert_problem(res, 422, "validation_failed").await;
    let res = app
        .send_json(
            Method::POST,
            "/api/v1/conflicts",
            Some(&c.coord),
            &json!({"members": [chris, "no-such-member"]}),
        )
        .await;
    assert_problem(res, 404, "user_not_found").await;
    // A coordinator of another programme sees none of it and cannot remove it.
    let admin = app.with_role("beheer@vereniging.nl", Role::Admin).await;
    let other = app
        .with_role("noord@vereniging.nl", Role::Coordinator)
        .await;
    let programme = json_of(
        app.send_json(
            Method::POST,
            "/api/v1/programmes",
            Some(&admin),
            &json!({"name": "Regio Noord"}),
        )
        .await,
        201,
    )
    .await;
    let other_me: Value = app
        .get("/api/v1/me", Some(&other))
        .await
        .json()
        .await
        .unwrap();
    let assign = format!(
        "/api/v1/programmes/{}/coordinators/{}",
        programme["id"].as_str().unwrap(),
        other_me["id"].as_str().unwrap()
    );
    let res = app
        .send_json(Method::PUT, &assign, Some(&admin), &json!({}))
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    // `admin create` made them a coordinator of the default programme too.
    let unassign = format!(
        "/api/v1/programmes/{}/coordinators/{}",
        buddymatch::store::programmes::DEFAULT_PROGRAMME_ID,
        other_me["id"].as_str().unwrap()
    );
    let res = app
        .send_json(Method::DELETE, &unassign, Some(&admin), &json!({}))
        .await;
    assert_eq!(res.status(), 204, "{}", res.text().await.unwrap());
    let theirs = json_of(app.get("/api/v1/conflicts", Some(&other)).await, 200).await;
    assert_eq!(theirs["total"], 0, "{theirs}");
    let path = format!("/api/v1/conflicts/{}", conflict["id"].as_str().unwrap());
    let res = app
        .send_json(Method::DELETE, &path, Some(&other), &json!({}))
        .await;
    assert_problem(res, 404, "conflict_not_found").await;
    let res = app
        .send_json(Method::POST, "/api/v1/conflicts", Some(&other), &body)
        .await;
    assert_problem(res, 404, "user_not_found").await;
    // Removing it is logged, and a second removal finds nothing.
    let res = app
        .send_json(Method::DELETE, &path, Some(&c.coord), &json!({}))
        .await;
    assert_eq!(res.status(), 204);
    let res = app
        .send_json(Method::DELETE, &path, Some(&c.coord), &json!({}))
        .await;
    assert_problem(res, 404, "conflict_not_found").await;
    // A profile's team needs an organisation.
    let res = app
        .send_json(
            Method::PATCH,
            "/api/v1/me/profile",
            Some(&c.ids["Eva"].1),
            &json!({"team": "Zuid"}),
        )
        .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "team");
}

async fn pins_and_exclusions_shape_the_preview(app: TestApp) {
    let c = cast(&app).await;
    let round = app.draft_round(&c.coord, json!({"kind": "buddy"})).await;
    let path = format!("/api/v1/rounds/{round}/overrides");
    let first = json_of(app.round_action(&c.coord, &round, "preview").await, 200).await;
    let chosen = pair_set(&first);
    // Pin a pair the optimum did not choose, and exclude one it did.
    let ids: Vec<String> = ["Chris", "Dewi", "Eva", "Anna"]
        .iter()
        .map(|n| c.id(n))
        .collect();
    let pin = ids
        .iter()
        .flat_map(|a| ids.iter().map(move |b| (a.clone(), b.clone())))
        .map(|(a, b)| ordered(a, b))
        .find(|(a, b)| a != b && !chosen.contains(&(a.clone(), b.clone())))
        .expect("some pair of four is not chosen");
    let exclude = chosen
        .iter()
        .find(|(a, b)| ![a, b].contains(&&pin.0) && ![a, b].contains(&&pin.1))
        .cloned();
    let mut body = json!({"pinned": [[pin.0, pin.1]], "excluded": []});
    if let Some((a, b)) = &exclude {
        body["excluded"] = json!([[a, b]]);
    }
    let res = app
        .send_json(Method::PUT, &path, Some(&c.coord), &body)
        .await;
    let stored = json_of(res, 200).await;
    assert_eq!(stored["pinned"][0]["forced"], false);
    let got = json_of(app.get(&path, Some(&c.coord)).await, 200).await;
    assert_eq!(got["pinned"], stored["pinned"]);
    let preview = json_of(app.round_action(&c.coord, &round, "preview").await, 200).await;
    let pairs = preview["result"]["pairs"].as_array().unwrap();
    let pinned: Vec<&Value> = pairs.iter().filter(|p| p["pinned"] == true).collect();
    assert_eq!(pinned.len(), 1, "{preview}");
    assert!(pair_set(&preview).contains(&pin));
    if let Some(x) = &exclude {
        assert!(!pair_set(&preview).contains(x), "{preview}");
    }

    // Farid speaks only English, Anna only Dutch: the pin breaks a rule.
    let (anna, farid) = (c.id("Anna"), c.id("Farid"));
    let bad = json!({"pinned": [[anna, farid]]});
    let res = app
        .send_json(Method::PUT, &path, Some(&c.coord), &bad)
        .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "pinned[0]");
    assert_eq!(problem["errors"][0]["reason"], "language", "{problem}");
    // Forcing needs a note; with one it is stored, marked and audited.
    let res = app
        .send_json(
            Method::PUT,
            &path,
            Some(&c.coord),
            &json!({"pinned": [[anna, farid]], "force": true}),
        )
        .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "note");
    let forced = json!({"pinned": [[anna, farid]], "force": true, "note": "tolk aanwezig"});
    let res = app
        .send_json(Method::PUT, &path, Some(&c.coord), &forced)
        .await;
    let stored = json_of(res, 200).await;
    assert_eq!(stored["pinned"][0]["forced"], true);
    assert_eq!(stored["pinned"][0]["breaks"], json!(["language"]));
    let preview = json_of(app.round_action(&c.coord, &round, "preview").await, 200).await;
    assert!(pair_set(&preview).contains(&ordered(c.id("Anna"), c.id("Farid"))));
    let admin = app.with_role("admin@vereniging.nl", Role::Admin).await;
    let log = json_of(
        app.get(
            "/api/v1/admin/audit-log?action=round_overrides_set",
            Some(&admin),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(log["items"][0]["detail"]["note"], "tolk aanwezig", "{log}");
    assert_eq!(
        log["items"][0]["detail"]["forced"][0]["breaks"],
        json!(["language"])
    );

    // Structure is never forced: a member in two pins, an unknown member.
    let twice = json!({
        "pinned": [[c.id("Chris"), c.id("Dewi")], [c.id("Dewi"), c.id("Eva")]],
        "force": true, "note": "x"
    });
    let res = app
        .send_json(Method::PUT, &path, Some(&c.coord), &twice)
        .await;
    let problem = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["reason"], "pinned_twice", "{problem}");
    let res = app
        .send_json(
            Method::PUT,
            &path,
            Some(&c.coord),
            &json!({"excluded": [["x", "y"]]}),
        )
        .await;
    assert_problem(res, 422, "validation_failed").await;
    // A published round's overrides are read-only.
    assert_eq!(
        app.round_action(&c.coord, &round, "publish").await.status(),
        200
    );
    let res = app
        .send_json(Method::PUT, &path, Some(&c.coord), &json!({}))
        .await;
    assert_problem(res, 409, "round_not_draft").await;
}

async fn a_top_up_round_takes_those_left_without_a_match(app: TestApp) {
    let c = cast(&app).await;
    let (round, _) = app
        .published_round(
            &c.coord,
            json!({"kind": "buddy", "settings": {"conflicts": "none"}}),
        )
        .await;
    // A draft cannot be topped up.
    let draft = app.draft_round(&c.coord, json!({"kind": "buddy"})).await;
    let res = app.round_action(&c.coord, &draft, "top-up").await;
    assert_problem(res, 409, "round_not_published").await;
    // Anna declines her match: she and her buddy are left without one; the
    // others keep theirs (pending or accepted).
    let anna = &c.ids["Anna"].1;
    let mine = app.my_matches(anna).await;
    let m = mine
        .iter()
        .find(|m| m["round"]["id"] == round.as_str())
        .expect("Anna is matched");
    let buddy_id = m["counterparts"][0]["user_id"]
        .as_str()
        .unwrap()
        .to_string();
    let match_id = m["id"].as_str().unwrap();
    app.answer_match(anna, match_id, "decline", json!({})).await;
    let res = app.round_action(&c.coord, &round, "top-up").await;
    let top = json_of(res, 201).await;
    assert_eq!(top["status"], "draft");
    assert_eq!(top["kind"], "buddy");
    let cohort: BTreeSet<&str> = top["cohort"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let anna_id = c.id("Anna");
    let expected: BTreeSet<&str> = [anna_id.as_str(), buddy_id.as_str()].into_iter().collect();
    assert_eq!(cohort, expected, "{top}");
    // The declined pair is never proposed again: nobody to pair them with.
    let id = top["id"].as_str().unwrap();
    let preview = json_of(app.round_action(&c.coord, id, "preview").await, 200).await;
    assert_eq!(preview["metrics"]["eligible"], 2);
    assert_eq!(preview["result"]["pairs"], Value::Null, "{preview}");
}
