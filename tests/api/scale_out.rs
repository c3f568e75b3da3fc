//! Two instances on one PostgreSQL database under concurrent traffic, as
//! behind a load balancer: sign-ups, profile updates, a publish sent to
//! both, and match answers racing each other across the instances. No
//! request fails with a 5xx, nobody is matched twice in the round, and
//! every intended email is one outbox row, delivered exactly once.

use crate::common::{folder_message_ids, outbox_at, sample_profile, Backend, TestApp, PASSWORD};
use buddymatch::domain::Role;
use diesel::prelude::*;
use futures_util::future::{join_all, BoxFuture};
use futures_util::FutureExt;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

const MEMBERS: usize = 24;
const SIGN_UPS: usize = 40;
const DOMAINS: [&str; 6] = [
    "uwv",
    "self_employed",
    "municipality",
    "occupational_health",
    "advisory_firm",
    "insurer",
];

/// One request; its status and JSON body (null when there is none).
async fn call(
    client: reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: Option<String>,
    body: Value,
) -> (u16, Value) {
    let mut r = client.request(method, url).json(&body);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let res = r.send().await.expect("request sent");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn assert_no_5xx(what: &str, results: &[(u16, Value)]) {
    let bad: Vec<_> = results.iter().filter(|(s, _)| *s >= 500).collect();
    assert!(bad.is_empty(), "{what}: server errors {bad:?}");
}

/// (round_id, user_id, match_id, response) of every match membership.
fn memberships(url: &str) -> Vec<(String, String, String, String)> {
    use buddymatch::store::schema::match_members::dsl::*;
    let parsed = buddymatch::store::DatabaseUrl::parse(url).unwrap();
    let pool = buddymatch::store::db::pool(&parsed, 1).unwrap();
    let mut conn = pool.get().unwrap();
    match_members
        .select((round_id, user_id, match_id, response))
        .load(&mut *conn)
        .unwrap()
}

/// (kind, recipient) of every outbox row.
fn outbox_kinds(url: &str) -> Vec<(String, String)> {
    use buddymatch::store::schema::outbox::dsl::*;
    let parsed = buddymatch::store::DatabaseUrl::parse(url).unwrap();
    let pool = buddymatch::store::db::pool(&parsed, 1).unwrap();
    let mut conn = pool.get().unwrap();
    outbox.select((kind, recipient)).load(&mut *conn).unwrap()
}

/// user id → email.
fn user_emails(url: &str) -> BTreeMap<String, String> {
    use buddymatch::store::schema::users::dsl::*;
    let parsed = buddymatch::store::DatabaseUrl::parse(url).unwrap();
    let pool = buddymatch::store::db::pool(&parsed, 1).unwrap();
    let mut conn = pool.get().unwrap();
    users
        .select((id, email))
        .load::<(String, String)>(&mut *conn)
        .unwrap()
        .into_iter()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgres_under_concurrent_traffic() {
    // Logins are counted against the address before the password check, so
    // 24 members logging in at once from one address would hit the limit.
    let app = TestApp::spawn_with(Backend::Postgres, |c| c.login_max_failures = 100).await;
    let db_url = app.config.database_url();
    let other = app.second_instance().await;
    let bases = [app.address.clone(), other.clone()];
    let base = |i: usize| bases[i % 2].clone();
    let client = app.client.clone();

    // Verified members with buddy profiles, set up through both instances'
    // shared database (verification links come from the shared folder).
    let setup = (0..MEMBERS).map(|i| {
        let app = &app;
        async move {
            let email = format!("lid{i:02}@example.nl");
            let mut p = sample_profile();
            p["domain"] = json!(DOMAINS[i % DOMAINS.len()]);
            p["experience"] = json!([1, 4, 9, 15][i % 4]);
            p["forms"] = json!(["buddy"]);
            p["meeting_modes"] = json!(["online"]);
            let token = app.verified_member(&email, "Lid", "nl", &p).await;
            (email, token)
        }
    });
    let members: Vec<(String, String)> = join_all(setup).await;
    let coord = app.with_role("coord@example.nl", Role::Coordinator).await;
    let (status, round) = call(
        client.clone(),
        reqwest::Method::POST,
        format!("{}/api/v1/rounds", base(1)),
        Some(coord.clone()),
        json!({"programme_id": buddymatch::store::programmes::DEFAULT_PROGRAMME_ID, "kind": "buddy"}),
    )
    .await;
    assert_eq!(status, 201, "{round}");
    let round_id = round["id"].as_str().unwrap().to_string();

    // Wave 1: sign-ups and profile updates on both instances while the
    // round is published on both at once.
    let mut wave: Vec<BoxFuture<'static, (&'static str, (u16, Value))>> = Vec::new();
    for i in 0..SIGN_UPS {
        let f = call(
            client.clone(),
            reqwest::Method::POST,
            format!("{}/api/v1/auth/register", base(i)),
            None,
            json!({
                "email": format!("nieuw{i:02}@example.nl"),
                "password": PASSWORD,
                "display_name": "Nieuw",
            }),
        );
        wave.push(f.map(|r| ("register", r)).boxed());
    }
    for (i, (_, token)) in members.iter().enumerate() {
        let f = call(
            client.clone(),
            reqwest::Method::PATCH,
            format!("{}/api/v1/me/profile", base(i + 1)),
            Some(token.clone()),
            json!({
                "hours_per_month": 4 + (i % 5),
                "learning_goal": format!("Doel {i}: leren van een ander domein."),
            }),
        );
        wave.push(f.map(|r| ("patch", r)).boxed());
    }
    for i in 0..2 {
        let f = call(
            client.clone(),
            reqwest::Method::POST,
            format!("{}/api/v1/rounds/{round_id}/publish", base(i)),
            Some(coord.clone()),
            json!({}),
        );
        wave.push(f.map(|r| ("publish", r)).boxed());
    }
    let results = join_all(wave).await;
    let all: Vec<(u16, Value)> = results.iter().map(|(_, r)| r.clone()).collect();
    assert_no_5xx("wave 1", &all);
    let by = |what: &str| -> Vec<u16> {
        let mut s: Vec<u16> = results
            .iter()
            .filter(|(w, _)| *w == what)
            .map(|(_, (s, _))| *s)
            .collect();
        s.sort();
        s
    };
    assert_eq!(by("register"), vec![202; SIGN_UPS]);
    assert_eq!(by("patch"), vec![200; MEMBERS]);
    assert_eq!(by("publish"), vec![200, 409], "one publish wins");
    let published = results
        .iter()
        .find(|(w, (s, _))| *w == "publish" && *s == 200)
        .map(|(_, (_, b))| b.clone())
        .unwrap();

    // Wave 2: every member answers twice at once, once per instance (a
    // double tap, a retry through the other instance); half change their
    // mind between the two. Only one answer may count.
    let mut wave: Vec<BoxFuture<'static, (usize, (u16, Value))>> = Vec::new();
    for (i, (_, token)) in members.iter().enumerate() {
        let (status, mine) = call(
            client.clone(),
            reqwest::Method::GET,
            format!("{}/api/v1/me/matches", base(i)),
            Some(token.clone()),
            Value::Null,
        )
        .await;
        assert_eq!(status, 200, "{mine}");
        let Some(m) = mine["items"].as_array().and_then(|a| a.first()) else {
            continue;
        };
        let match_id = m["id"].as_str().unwrap().to_string();
        let answers = if i % 2 == 0 {
            ["decline", "decline"]
        } else {
            ["accept", "decline"]
        };
        for (side, answer) in answers.into_iter().enumerate() {
            let f = call(
                client.clone(),
                reqwest::Method::POST,
                format!("{}/api/v1/me/matches/{match_id}/{answer}", base(side)),
                Some(token.clone()),
                json!({}),
            );
            wave.push(f.map(move |r| (i, r)).boxed());
        }
    }
    // More sign-ups keep arriving meanwhile.
    for i in 0..10 {
        let f = call(
            client.clone(),
            reqwest::Method::POST,
            format!("{}/api/v1/auth/register", base(i)),
            None,
            json!({
                "email": format!("later{i:02}@example.nl"),
                "password": PASSWORD,
                "display_name": "Later",
            }),
        );
        wave.push(f.map(|r| (usize::MAX, r)).boxed());
    }
    let results = join_all(wave).await;
    let all: Vec<(u16, Value)> = results.iter().map(|(_, r)| r.clone()).collect();
    assert_no_5xx("wave 2", &all);
    let mut per_member: BTreeMap<usize, Vec<(u16, Value)>> = BTreeMap::new();
    for (i, r) in results {
        if i == usize::MAX {
            assert_eq!(r.0, 202, "{}", r.1);
        } else {
            per_member.entry(i).or_default().push(r);
        }
    }
    assert!(!per_member.is_empty(), "nobody was matched: {published}");
    for (i, mut answers) in per_member {
        answers.sort_by_key(|(s, _)| *s);
        assert_eq!(answers[0].0, 200, "member {i}: {answers:?}");
        assert_eq!(answers[1].0, 409, "member {i}: {answers:?}");
        assert_eq!(answers[1].1["code"], "already_answered", "member {i}");
    }

    // Nobody is in two matches of the round; the published count stands.
    let rows = tokio::task::block_in_place(|| memberships(&db_url));
    let mut seen = BTreeSet::new();
    for (round, user, _, _) in &rows {
        assert!(
            seen.insert((round.clone(), user.clone())),
            "{user} matched twice in {round}"
        );
    }
    let matches: BTreeSet<&String> = rows.iter().map(|(_, _, m, _)| m).collect();
    assert_eq!(matches.len() as u64, published["matches"].as_u64().unwrap());

    // Every email: delivered exactly once, by one of the two workers.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let pending: Vec<_> = tokio::task::block_in_place(|| outbox_at(&db_url))
            .into_iter()
            .filter(|r| r.status != "sent")
            .collect();
        if pending.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "undelivered: {pending:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let outbox = tokio::task::block_in_place(|| outbox_at(&db_url));
    let mut ids: Vec<String> = outbox
        .iter()
        .map(|r| r.message_id.trim_matches(['<', '>']).to_string())
        .collect();
    ids.sort();
    assert_eq!(
        folder_message_ids(&app.config.mail_dir()),
        ids,
        "each outbox row delivered once"
    );

    // One outbox row per intended email.
    let emails = tokio::task::block_in_place(|| user_emails(&db_url));
    let mut expected: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut add = |kind: &str, to: &str| {
        *expected
            .entry((kind.to_string(), to.to_string()))
            .or_default() += 1;
    };
    for (email, _) in &members {
        add("verify_email", email);
    }
    for i in 0..SIGN_UPS {
        add("verify_email", &format!("nieuw{i:02}@example.nl"));
    }
    for i in 0..10 {
        add("verify_email", &format!("later{i:02}@example.nl"));
    }
    for (_, user, _, _) in &rows {
        add("match_proposed", &emails[user]);
    }
    let mut actual: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut answers: BTreeMap<String, Vec<&'static str>> = BTreeMap::new();
    for (kind, to) in tokio::task::block_in_place(|| outbox_kinds(&db_url)) {
        match kind.as_str() {
            "match_accepted" => answers.entry(to).or_default().push("accepted"),
            "match_declined" => answers.entry(to).or_default().push("declined"),
            _ => *actual.entry((kind, to)).or_default() += 1,
        }
    }
    assert_eq!(actual, expected);
    // The answers raced, so what each pair was told depends on which answer
    // landed first: the emails must be what one of the two orders gives.
    let mut by_match: BTreeMap<&String, Vec<(&String, &String)>> = BTreeMap::new();
    for (_, user, m, response) in &rows {
        by_match.entry(m).or_default().push((user, response));
    }
    for (m, pair) in by_match {
        let told = |orders: &[usize]| {
            let mut out: BTreeMap<String, Vec<&'static str>> = BTreeMap::new();
            let mut now = vec!["pending"; pair.len()];
            for &i in orders {
                now[i] = if pair[i].1 == "accepted" {
                    "accepted"
                } else {
                    "declined"
                };
                for (j, (other, _)) in pair.iter().enumerate() {
                    if j != i && matches!(now[j], "pending" | "accepted") {
                        out.entry(emails[*other].clone()).or_default().push(now[i]);
                    }
                }
            }
            out
        };
        let answered: Vec<usize> = (0..pair.len())
            .filter(|&i| pair[i].1 != "pending")
            .collect();
        let mut reversed = answered.clone();
        reversed.reverse();
        let got: BTreeMap<String, Vec<&'static str>> = pair
            .iter()
            .filter_map(|(u, _)| {
                answers
                    .get(&emails[*u])
                    .map(|a| (emails[*u].clone(), a.clone()))
            })
            .collect();
        assert!(
            got == told(&answered) || got == told(&reversed),
            "match {m}: {pair:?} were told {got:?}"
        );
    }
}

// One member saving from two devices at once, through two instances:
// every save succeeds and the profile ends as one of them wrote it. (On
// PostgreSQL this once answered 409 and 500: two transactions replacing
// the same rows both inserted.)
crate::both_backends!(concurrent_saves_of_one_profile_all_succeed);

async fn concurrent_saves_of_one_profile_all_succeed(app: TestApp) {
    let other = app.second_instance().await;
    let token = app.member("twee.apparaten@example.nl").await;
    let res = app
        .send_json(
            reqwest::Method::PUT,
            "/api/v1/me/profile",
            Some(&token),
            &sample_profile(),
        )
        .await;
    assert_eq!(res.status(), 200);
    let saves = (0..24).map(|i| {
        let base = if i % 2 == 0 {
            app.address.clone()
        } else {
            other.clone()
        };
        let (method, body) = if i % 3 == 0 {
            let mut p = sample_profile();
            p["hours_per_month"] = json!(10 + i);
            (reqwest::Method::PUT, p)
        } else {
            (reqwest::Method::PATCH, json!({"hours_per_month": 10 + i}))
        };
        call(
            app.client.clone(),
            method,
            format!("{base}/api/v1/me/profile"),
            Some(token.clone()),
            body,
        )
    });
    let results = join_all(saves).await;
    let statuses: Vec<u16> = results.iter().map(|(s, _)| *s).collect();
    assert!(statuses.iter().all(|s| *s == 200), "{results:?}");
    let (_, now) = call(
        app.client.clone(),
        reqwest::Method::GET,
        app.url("/api/v1/me/profile"),
        Some(token.clone()),
        Value::Null,
    )
    .await;
    let hours = now["hours_per_month"].as_u64().unwrap();
    assert!((10..34).contains(&hours), "{now}");
    let wanted: BTreeSet<&str> = now["topics_wanted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(
        wanted,
        BTreeSet::from(["soft_skills", "artificial_intelligence"]),
        "no save lost the rest of the profile"
    );
}

/// Instances of a fresh deployment start at the same moment on one empty
/// PostgreSQL database: every one comes up, and each migration is applied
/// exactly once (the advisory lock serialises them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_together_migrate_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = tokio::task::block_in_place(|| {
        crate::common::TestDb::create(Backend::Postgres, dir.path())
    });
    let starts = (0..4).map(|i| {
        let sub = dir.path().join(format!("instance{i}"));
        let config = crate::common::test_config(&sub, &db.url);
        async move { buddymatch::startup::App::build(config).await }
    });
    let apps: Vec<_> = join_all(starts).await;
    for (i, app) in apps.iter().enumerate() {
        assert!(app.is_ok(), "instance {i}: {:?}", app.as_ref().err());
    }
    let url = db.url.clone();
    let versions: Vec<String> = tokio::task::block_in_place(move || {
        let mut conn = buddymatch::store::db::establish_postgres(&url).unwrap();
        diesel::sql_query("SELECT version FROM __diesel_schema_migrations ORDER BY version")
            .load::<Version>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|v| v.version)
            .collect()
    });
    let expected = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
        .unwrap()
        .count();
    assert_eq!(versions.len(), expected, "{versions:?}");
    let unique: BTreeSet<&String> = versions.iter().collect();
    assert_eq!(unique.len(), expected);
}

#[derive(diesel::QueryableByName)]
struct Version {
    #[diesel(sql_type = diesel::sql_types::Text)]
    version: String,
}
