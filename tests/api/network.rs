//! The learning network (`/api/v1/network/*`): the domain matrix adds up to
//! what the round details list; the GraphML and GEXF exports read back with
//! an independent reader (networkx) into the same nodes and edges, with
//! pseudonyms; the pictures are valid SVG and PNG, the report a PDF that
//! pypdf reads; erased members stay as anonymous nodes; scoping holds.

use crate::both_backends;
use crate::common::smtp::python_reads;
use crate::common::{assert_problem, sample_profile, today, TestApp, PASSWORD};
use buddymatch::domain::Role;
use buddymatch::store::programmes::DEFAULT_PROGRAMME_ID;
use reqwest::Method;
use serde_json::{json, Value};

both_backends!(
    the_matrix_adds_up_to_the_round_details,
    pictures_and_the_report_are_what_they_say,
    exports_read_back_the_same_and_hide_who_is_who,
    erased_members_stay_as_anonymous_nodes,
    scoping_and_filters_hold,
);

struct Round {
    coord: String,
    /// (token, email, name) per member.
    members: Vec<(String, String, String)>,
    detail: Value,
}

/// Four members from four domains in a published buddy round (two
/// matches); in the first match both accept and one records a meeting of
/// two hours, in the second one declines.
async fn a_round(app: &TestApp) -> Round {
    let mut members = Vec::new();
    for (i, domain) in [
        "uwv",
        "self_employed",
        "municipality",
        "occupational_health",
    ]
    .iter()
    .enumerate()
    {
        let mut p = sample_profile();
        p["forms"] = json!(["buddy"]);
        p["meeting_modes"] = json!(["online"]);
        p["domain"] = json!(domain);
        let email = format!("m{i}@{}.nl", domain.replace('_', "-"));
        let name = format!("Lid{i} Achternaam");
        let t = app.verified_member(&email, &name, "nl", &p).await;
        members.push((t, email, name));
    }
    let coord = app
        .with_role("coord@vereniging.nl", Role::Coordinator)
        .await;
    let (round, _) = app.published_round(&coord, json!({"kind": "buddy"})).await;
    let m0 = app.my_matches(&members[0].0).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut other = None;
    for (t, _, _) in &members[1..] {
        let id = app.my_matches(t).await[0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        if id == m0 {
            app.answer_match(t, &id, "accept", json!({})).await;
        } else if other.is_none() {
            app.answer_match(t, &id, "decline", json!({})).await;
            other = Some(id);
        }
    }
    app.answer_match(&members[0].0, &m0, "accept", json!({}))
        .await;
    let res = app
        .send_json(
            Method::POST,
            &format!("/api/v1/me/matches/{m0}/meetings"),
            Some(&members[0].0),
            &json!({"date": today(), "hours": 2, "reflection": "Veel geleerd over de Ziektewet."}),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let detail: Value = app
        .get(&format!("/api/v1/rounds/{round}"), Some(&coord))
        .await
        .json()
        .await
        .unwrap();
    Round {
        coord,
        members,
        detail,
    }
}

async fn get_json(app: &TestApp, path: &str, token: &str) -> Value {
    let res = app.get(path, Some(token)).await;
    assert_eq!(res.status(), 200, "{path}: {}", res.text().await.unwrap());
    res.json().await.unwrap()
}

async fn get_text(app: &TestApp, path: &str, token: &str) -> (String, String) {
    let res = app.get(path, Some(token)).await;
    assert_eq!(res.status(), 200, "{path}");
    let ct = res.headers()["content-type"].to_str().unwrap().to_string();
    (ct, res.text().await.unwrap())
}

fn sum(cells: &Value, field: &str) -> u64 {
    cells
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c[field].as_u64().unwrap())
        .sum()
}

async fn the_matrix_adds_up_to_the_round_details(app: TestApp) {
    let r = a_round(&app).await;
    let matches = r.detail["matches"].as_array().unwrap();
    assert_eq!(matches.len(), 2);
    let with_meetings = matches
        .iter()
        .filter(|m| m["meetings"].as_u64().unwrap() > 0)
        .count() as u64;
    let meetings: u64 = matches
        .iter()
        .map(|m| m["meetings"].as_u64().unwrap())
        .sum();
    let hours: u64 = matches.iter().map(|m| m["hours"].as_u64().unwrap()).sum();
    assert_eq!((with_meetings, meetings, hours), (1, 1, 2));

    let m = get_json(&app, "/api/v1/network/domains", &r.coord).await;
    let cells = &m["cells"];
    for (field, want) in [
        ("proposed", matches.len() as u64),
        ("met", with_meetings),
        ("meetings", meetings),
        ("hours", hours),
        ("accepted", 1),
        ("declined", 1),
    ] {
        assert_eq!(
            sum(cells, field) + m["unattributed"][field].as_u64().unwrap(),
            want,
            "{field} in {m}"
        );
        assert_eq!(m["totals"][field].as_u64().unwrap(), want, "{field}");
    }
    // Every pair crosses domains: nothing on the diagonal.
    for c in cells.as_array().unwrap() {
        assert_ne!(c["domains"][0], c["domains"][1]);
    }
    let members: u64 = m["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["members"].as_u64().unwrap())
        .sum();
    assert_eq!(members, 4);

    let (ct, csv) = get_text(&app, "/api/v1/network/domains?format=csv", &r.coord).await;
    assert!(ct.starts_with("text/csv"), "{ct}");
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(
        rows[0],
        "domain_a,domain_b,proposed,accepted,declined,met,meetings,hours"
    );
    assert_eq!(rows.len(), 1 + cells.as_array().unwrap().len() + 1);
    let proposed: u64 = rows[1..]
        .iter()
        .map(|r| r.split(',').nth(2).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(proposed, 2);

    let s = get_json(&app, "/api/v1/network/summary", &r.coord).await;
    assert_eq!(s["members"], 4);
    assert_eq!(s["members_reached"], 4);
    assert_eq!(s["links"]["proposed"], 2);
    assert_eq!(s["links"]["met"], 1);
    assert_eq!(s["cross_domain"]["share"], 1.0);
    assert_eq!(s["members_with_cross_domain_meeting"], 2);
    assert_eq!(s["isolated_members"], 2);
    assert_eq!(s["components"]["count"], 3);
    assert_eq!(s["domain_pairs"]["possible"], 6);
    assert_eq!(s["domain_pairs"]["connected"], 1);
    assert_eq!(
        s["domain_pairs"]["never_connected"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    assert_eq!(s["rounds"].as_array().unwrap().len(), 1);
    assert_eq!(s["rounds"][0]["links_met"], 1);
    assert!(s["bridges"].is_null(), "bridges only within a programme");
    let s = get_json(
        &app,
        &format!("/api/v1/network/summary?programme={DEFAULT_PROGRAMME_ID}"),
        &r.coord,
    )
    .await;
    assert_eq!(s["bridges"]["method"], "exact");
    // Two people who met: nobody lies between others.
    assert_eq!(s["bridges"]["members"], json!([]));

    let o = get_json(&app, "/api/v1/network/rounds", &r.coord).await;
    let o = &o["rounds"][0];
    assert_eq!(
        (o["eligible"].as_u64(), o["matched"].as_u64()),
        (Some(4), Some(4))
    );
    assert_eq!(o["matches"], 2);
    assert_eq!(o["links"]["met"], 1);
    assert_eq!(o["new_domain_pairs"].as_array().unwrap().len(), 1);
}

/// networkx reads the file and answers its node and edge counts, and the
/// node ids.
const READ_GRAPH: &str = r#"
import sys, io, json
import networkx as nx
kind = sys.argv[1]
data = sys.stdin.buffer.read()
if kind == "graphml":
    g = nx.read_graphml(io.BytesIO(data))
else:
    g = nx.read_gexf(io.BytesIO(data))
edge = next(iter(g.edges(data=True)), None)
print(json.dumps({
    "nodes": g.number_of_nodes(),
    "edges": g.number_of_edges(),
    "directed": g.is_directed(),
    "ids": sorted(str(n) for n in g.nodes),
    "domains": sorted(str(d.get("domain")) for _, d in g.nodes(data=True)),
    "edge": {k: v for k, v in edge[2].items()} if edge else None,
}))
"#;

async fn exports_read_back_the_same_and_hide_who_is_who(app: TestApp) {
    let r = a_round(&app).await;
    let g = get_json(&app, "/api/v1/network/graph", &r.coord).await;
    let nodes = g["nodes"].as_array().unwrap().len();
    let edges = g["edges"].as_array().unwrap().len();
    assert_eq!((nodes, edges), (4, 2));
    let mut ids: Vec<String> = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    assert_eq!(ids, ["p1", "p2", "p3", "p4"]);
    for (kind, ct) in [
        ("graphml", "application/graphml+xml"),
        ("gexf", "application/gexf+xml"),
    ] {
        let (got_ct, body) = get_text(
            &app,
            &format!("/api/v1/network/graph?format={kind}"),
            &r.coord,
        )
        .await;
        assert!(got_ct.starts_with(ct), "{got_ct}");
        let read = python_reads(READ_GRAPH, &[kind], body.as_bytes());
        assert_eq!(read["nodes"], nodes, "{kind}: {read}");
        assert_eq!(read["edges"], edges, "{kind}: {read}");
        assert_eq!(read["directed"], false);
        assert_eq!(read["ids"], json!(ids));
        assert_eq!(
            read["domains"],
            json!([
                "municipality",
                "occupational_health",
                "self_employed",
                "uwv"
            ])
        );
        assert_eq!(read["edge"]["proposed"], 1, "{kind}: {read}");
        // Nobody's id, address or name is in a pseudonymous export.
        for (t, email, name) in &r.members {
            let me: Value = get_json(&app, "/api/v1/me", t).await;
            for secret in [me["id"].as_str().unwrap(), email, name] {
                assert!(!body.contains(secret), "{kind} names {secret}");
            }
        }
    }
    // A fresh numbering per export: across a few, not all the same.
    let mut numberings = std::collections::BTreeSet::new();
    for _ in 0..6 {
        let g = get_json(&app, "/api/v1/network/graph", &r.coord).await;
        numberings.insert(g["edges"].to_string());
    }
    assert!(numberings.len() > 1, "every export numbered alike");

    let res = app
        .get("/api/v1/network/graph?names=true", Some(&r.coord))
        .await;
    assert_problem(res, 403, "names_not_allowed").await;
    let admin = app.with_role("admin@vereniging.nl", Role::Admin).await;
    let g = get_json(&app, "/api/v1/network/graph?names=true", &admin).await;
    let labels: Vec<&str> = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["label"].as_str().unwrap())
        .collect();
    for (_, _, name) in &r.members {
        assert!(labels.contains(&name.as_str()), "{name} in {labels:?}");
    }
    // Every export is in the audit log, the one with names as such.
    let log = get_json(&app, "/api/v1/admin/audit-log?per_page=100", &admin).await;
    let exports: Vec<&Value> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "network_exported")
        .collect();
    assert_eq!(exports.len(), 1 + 2 + 6 + 1, "{log}");
    assert!(exports
        .iter()
        .any(|e| e["detail"]["names"] == true && e["detail"]["shown"] == 4));
}

async fn erased_members_stay_as_anonymous_nodes(app: TestApp) {
    let r = a_round(&app).await;
    let (t, email, name) = &r.members[3];
    let res = app
        .send_json(
            Method::DELETE,
            "/api/v1/me",
            Some(t),
            &json!({"password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let admin = app.with_role("admin@vereniging.nl", Role::Admin).await;
    let g = get_json(&app, "/api/v1/network/graph?names=true", &admin).await;
    let nodes = g["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 4, "the history keeps its shape");
    assert_eq!(g["edges"].as_array().unwrap().len(), 2);
    let erased: Vec<&Value> = nodes.iter().filter(|n| n["erased"] == true).collect();
    assert_eq!(erased.len(), 1);
    assert!(erased[0]["domain"].is_null());
    let text = g.to_string();
    assert!(!text.contains(name.as_str()) && !text.contains(email.as_str()));
    let m = get_json(&app, "/api/v1/network/domains", &r.coord).await;
    assert_eq!(m["unattributed"]["proposed"], 1);
    assert_eq!(m["totals"]["proposed"], 2);
    let s = get_json(&app, "/api/v1/network/summary", &r.coord).await;
    assert_eq!(s["members"], 4);
}

async fn scoping_and_filters_hold(app: TestApp) {
    let r = a_round(&app).await;
    let admin = app.with_role("admin@vereniging.nl", Role::Admin).await;
    // A programme with a coordinator of its own, who coordinates nothing else.
    let res = app
        .send_json(
            Method::POST,
            "/api/v1/programmes",
            Some(&admin),
            &json!({"name": "Regio Noord", "description": "test", "open": true}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let north = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let regional = app.with_role("noord@vereniging.nl", Role::Member).await;
    let id = get_json(&app, "/api/v1/me", &regional).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    for (method, path, body) in [
        (
            Method::PUT,
            format!("/api/v1/admin/users/{id}/role"),
            json!({"role": "coordinator"}),
        ),
        (
            Method::PUT,
            format!("/api/v1/programmes/{north}/coordinators/{id}"),
            json!({}),
        ),
    ] {
        let res = app.send_json(method, &path, Some(&admin), &body).await;
        assert_eq!(res.status(), 200, "{path}");
    }
    let regional = app.login("noord@vereniging.nl").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();

    for path in [
        "/api/v1/network/summary",
        "/api/v1/network/domains",
        "/api/v1/network/graph",
        "/api/v1/network/rounds",
    ] {
        let res = app
            .get(
                &format!("{path}?programme={DEFAULT_PROGRAMME_ID}"),
                Some(&regional),
            )
            .await;
        assert_problem(res, 404, "programme_not_found").await;
        let res = app.get(path, Some(&r.members[0].0)).await;
        assert_problem(res, 403, "forbidden").await;
    }
    // All of the regional coordinator's programmes: nothing happened there.
    let s = get_json(&app, "/api/v1/network/summary", &regional).await;
    assert_eq!(
        (s["members"].as_u64(), s["links"]["proposed"].as_u64()),
        (Some(0), Some(0))
    );
    let g = get_json(&app, "/api/v1/network/graph", &regional).await;
    assert_eq!(g["nodes"], json!([]));
    let s = get_json(
        &app,
        &format!("/api/v1/network/summary?programme={north}"),
        &regional,
    )
    .await;
    assert_eq!(s["members"], 0);
    assert_eq!(s["scope"]["programme"], json!(north));
    // The admin sees every programme.
    let s = get_json(&app, "/api/v1/network/summary", &admin).await;
    assert_eq!(s["links"]["proposed"], 2);

    // The period: rounds published from tomorrow are none; until today all.
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let tomorrow = buddymatch::domain::time::amsterdam_day(secs + 86_400);
    let s = get_json(
        &app,
        &format!("/api/v1/network/summary?from={tomorrow}"),
        &r.coord,
    )
    .await;
    assert_eq!(s["links"]["proposed"], 0);
    let s = get_json(
        &app,
        &format!("/api/v1/network/summary?from={}&until={}", today(), today()),
        &r.coord,
    )
    .await;
    assert_eq!(s["links"]["proposed"], 2);
    let res = app
        .get(
            &format!("/api/v1/network/summary?from={tomorrow}&until={}", today()),
            Some(&r.coord),
        )
        .await;
    assert_problem(res, 422, "validation_failed").await;
    // The calendar's far end is an open end, or a period with nothing in it.
    let s = get_json(&app, "/api/v1/network/summary?until=9999-12-31", &r.coord).await;
    assert_eq!(s["links"]["proposed"], 2);
    let s = get_json(&app, "/api/v1/network/summary?from=9999-12-31", &r.coord).await;
    assert_eq!(s["links"]["proposed"], 0);
    let res = app
        .get("/api/v1/network/domains?until=2026-02-30", Some(&r.coord))
        .await;
    assert_problem(res, 422, "validation_failed").await;
    let res = app
        .get("/api/v1/network/graph?format=dot", Some(&r.coord))
        .await;
    assert_problem(res, 400, "invalid_query").await;
}

/// Python's own XML parser: the root, and how many elements carry each
/// class.
const READ_SVG: &str = r#"
import sys, json, collections
import xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.buffer.read())
classes = collections.Counter(e.get("class") for e in root.iter() if e.get("class"))
texts = [e.text for e in root.iter() if e.text]
print(json.dumps({"root": root.tag, "classes": classes, "texts": texts}))
"#;

/// pypdf: page count and text.
const READ_PDF: &str = r#"
import sys, io, json
from pypdf import PdfReader
r = PdfReader(io.BytesIO(sys.stdin.buffer.read()), strict=True)
print(json.dumps({"pages": len(r.pages), "text": " ".join(p.extract_text() for p in r.pages)}))
"#;

async fn get_bytes(app: &TestApp, path: &str, token: &str, content_type: &str) -> Vec<u8> {
    let res = app.get(path, Some(token)).await;
    assert_eq!(res.status(), 200, "{path}");
    let ct = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with(content_type), "{path}: {ct}");
    res.bytes().await.unwrap().to_vec()
}

async fn pictures_and_the_report_are_what_they_say(app: TestApp) {
    let r = a_round(&app).await;
    let svg = get_bytes(
        &app,
        "/api/v1/network/domains?format=svg",
        &r.coord,
        "image/svg+xml",
    )
    .await;
    let read = python_reads(READ_SVG, &[], &svg);
    assert_eq!(read["root"], "{http://www.w3.org/2000/svg}svg");
    // Four domains with members: a 4 × 4 grid; the met link's count shows.
    assert_eq!(read["classes"]["cell"], 16, "{read}");
    assert!(
        read["texts"].as_array().unwrap().iter().any(|t| t == "UWV"),
        "{read}"
    );
    let svg = get_bytes(
        &app,
        "/api/v1/network/graph?format=svg",
        &r.coord,
        "image/svg+xml",
    )
    .await;
    let read = python_reads(READ_SVG, &[], &svg);
    assert_eq!(read["classes"]["domain"], 4, "{read}");
    // One pair met, the other only proposed.
    assert_eq!(read["classes"]["link"], 1, "{read}");
    assert_eq!(read["classes"]["link-unmet"], 1, "{read}");
    let text = String::from_utf8(svg).unwrap();
    for (_, email, name) in &r.members {
        assert!(!text.contains(name.as_str()) && !text.contains(email.as_str()));
    }
    for path in [
        "/api/v1/network/domains?format=png",
        "/api/v1/network/graph?format=png",
    ] {
        let png = get_bytes(&app, path, &r.coord, "image/png").await;
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{path}");
        let (w, h) = (
            u32::from_be_bytes(png[16..20].try_into().unwrap()),
            u32::from_be_bytes(png[20..24].try_into().unwrap()),
        );
        assert!(w >= 300 && h >= 300, "{path}: {w}x{h}");
    }
    let pdf = get_bytes(
        &app,
        &format!("/api/v1/network/rounds?format=pdf&programme={DEFAULT_PROGRAMME_ID}"),
        &r.coord,
        "application/pdf",
    )
    .await;
    let read = python_reads(READ_PDF, &[], &pdf);
    let text = read["text"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(read["pages"].as_u64().unwrap() >= 2, "{read}");
    for needle in [
        "Uitkomsten van de rondes",
        "Koppelingen tussen domeinen",
        "Het netwerk van domeinen",
    ] {
        assert!(text.contains(needle), "{needle} in {text}");
    }
    for (_, email, name) in &r.members {
        assert!(!text.contains(name.as_str()) && !text.contains(email.as_str()));
    }
}
