//! Database work per request, as the server reports it in `Server-Timing`
//! (`--server-timing`): reading one's matches costs the same number of
//! queries however many matches and counterparts there are.

use crate::common::timing::{login_check, queries};
use crate::common::{sample_profile, Backend, TestApp};
use crate::per_backend;
use serde_json::json;

async fn matches_and_queries(app: &TestApp, token: &str) -> (usize, usize, u64) {
    let res = app.get("/api/v1/me/matches", Some(token)).await;
    assert_eq!(res.status(), 200);
    // A login this instance checked lately needs no query (on PostgreSQL,
    // see `login_cache`); the count here is the reading's own.
    let n = queries(&res) - u64::from(login_check(&res).as_deref() == Some("checked"));
    let page: serde_json::Value = res.json().await.unwrap();
    let items = page["items"].as_array().unwrap();
    let counterparts = items
        .iter()
        .map(|m| m["counterparts"].as_array().unwrap().len())
        .sum();
    (items.len(), counterparts, n)
}

async fn my_matches_cost_a_fixed_number_of_queries(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.server_timing = true).await;
    // The first member asks for both forms: a buddy (the second member, the
    // only other one who asks for one) and a group with the other three.
    let members = [
        ("uwv", json!(["buddy", "intervision"])),
        ("self_employed", json!(["buddy"])),
        ("municipality", json!(["intervision"])),
        ("occupational_health", json!(["intervision"])),
        ("self_employed", json!(["intervision"])),
    ];
    let mut tokens = Vec::new();
    for (i, (domain, forms)) in members.iter().enumerate() {
        let mut p = sample_profile();
        p["domain"] = json!(domain);
        p["forms"] = forms.clone();
        p["meeting_modes"] = json!(["online"]);
        p["hours_per_month"] = json!(20);
        if i == 4 {
            // A group needs a senior.
            p["experience"] = json!(25);
        }
        let email = format!("lid{i}@example.nl");
        let name = format!("Lid {i}");
        tokens.push(app.verified_member(&email, &name, "nl", &p).await);
    }
    let coord = app
        .with_role("coord@example.nl", buddymatch::domain::Role::Coordinator)
        .await;
    let none = matches_and_queries(&app, &tokens[0]).await;
    assert_eq!((none.0, none.1), (0, 0));

    app.published_round(&coord, json!({"kind": "buddy"})).await;
    let one = matches_and_queries(&app, &tokens[0]).await;
    assert_eq!(
        (one.0, one.1),
        (1, 1),
        "a buddy: one match, one counterpart"
    );

    let group = json!({"kind": "intervision", "settings": {"group_min": 4, "group_max": 4}});
    let (_, published) = app.published_round(&coord, group).await;
    assert_eq!(published["matches"], 1, "one group: {published}");
    if backend == Backend::Postgres {
        // The publish refreshed the statistics of the tables it filled, so
        // the member reads that follow are planned for the rows now there.
        let analyzed = app.with_db(|c| {
            #[derive(diesel::QueryableByName)]
            struct Analyzed {
                #[diesel(sql_type = diesel::sql_types::Text)]
                relname: String,
            }
            let buddymatch::store::DbConnection::Postgres(pg) = c else {
                unreachable!("a PostgreSQL app")
            };
            diesel::RunQueryDsl::load::<Analyzed>(
                diesel::sql_query(
                    "SELECT relname::text AS relname FROM pg_stat_user_tables \
                     WHERE last_analyze IS NOT NULL ORDER BY relname",
                ),
                pg,
            )
            .unwrap()
            .into_iter()
            .map(|a| a.relname)
            .collect::<Vec<_>>()
        });
        for table in ["match_members", "matches", "outbox"] {
            assert!(
                analyzed.iter().any(|t| t == table),
                "{table} analyzed after the publish: {analyzed:?}"
            );
        }
    }
    let two = matches_and_queries(&app, &tokens[0]).await;
    assert_eq!((two.0, two.1), (2, 4), "and a group of four: three more");

    assert_eq!(
        one.2, two.2,
        "queries for 1 match and 1 counterpart, then 2 matches and 4 counterparts"
    );
    // With nobody to look up, the lookup of the people in them is skipped.
    assert_eq!(none.2, 1, "queries for GET /me/matches with no matches");
    // The matches with their rounds, and everyone in them with what their
    // cards show.
    assert_eq!(one.2, 2, "queries for GET /me/matches");
}

per_backend! { my_matches_queries => my_matches_cost_a_fixed_number_of_queries }

/// A publish reads the profiles of everyone in the round at once: more
/// people than one SQLite statement may bind (32,766 values; the union
/// binds each id four times) must still be read, as a 10,000-member round
/// once failed to publish.
async fn profiles_of_a_large_round_are_read(backend: Backend) {
    let app = TestApp::spawn_with(backend, |_| {}).await;
    let token = app
        .verified_member("groot@example.nl", "Groot", "nl", &sample_profile())
        .await;
    let me = app.get("/api/v1/me", Some(&token)).await;
    let my_id = me.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let read = app.with_db(move |c| {
        let mut ids: Vec<String> = (0..9_000).map(|i| format!("nobody-{i}")).collect();
        ids.push(my_id.clone());
        buddymatch::store::profiles::load_many(c, &ids).map(|m| m.into_keys().collect::<Vec<_>>())
    });
    assert_eq!(read.map(|ids| ids.len()).map_err(|e| e.to_string()), Ok(1));
}

per_backend! { large_profile_reads => profiles_of_a_large_round_are_read }
