//! The spec in api-spec/ and the server agree: every route in the route
//! table is documented with its methods, and every documented operation is
//! served (no 404 for an unknown route, no 405).

use crate::both_backends;
use crate::common::TestApp;
use std::collections::BTreeSet;
use yaml_rust2::YamlLoader;

pub fn spec_operations() -> BTreeSet<(String, String)> {
    let docs =
        YamlLoader::load_from_str(buddymatch::api::OPENAPI_YAML).expect("the spec is valid YAML");
    let paths = docs[0]["paths"].as_hash().expect("paths");
    let mut ops = BTreeSet::new();
    for (path, item) in paths {
        for (method, _) in item.as_hash().unwrap() {
            ops.insert((
                method.as_str().unwrap().to_uppercase(),
                path.as_str().unwrap().to_string(),
            ));
        }
    }
    ops
}

/// (METHOD, full path) from the route table's source: each
/// `web::resource("...")` opens a resource, each `web::get()`-style route
/// that follows adds a method to it; resources after `web::scope("...")`
/// sit under that prefix.
fn routed_operations() -> BTreeSet<(String, String)> {
    let src = include_str!("../../src/api/mod.rs");
    let mut ops = BTreeSet::new();
    let mut prefix = String::new();
    let mut current: Option<String> = None;
    for chunk in src.split("web::").skip(1) {
        if let Some(rest) = chunk.strip_prefix("scope(\"") {
            prefix = rest.split('"').next().unwrap().to_string();
        } else if let Some(rest) = chunk.strip_prefix("resource(\"") {
            let path = rest.split('"').next().unwrap();
            current = Some(format!("{prefix}{path}"));
        } else if let Some(path) = &current {
            for m in ["get", "post", "put", "patch", "delete"] {
                if chunk.starts_with(&format!("{m}()")) {
                    ops.insert((m.to_uppercase(), path.clone()));
                }
            }
        }
    }
    ops
}

#[test]
fn every_route_is_documented_and_every_operation_routed() {
    let spec = spec_operations();
    let routed = routed_operations();
    assert!(routed.len() >= 30, "parsed the route table: {routed:?}");
    let undocumented: Vec<_> = routed.difference(&spec).collect();
    let unrouted: Vec<_> = spec.difference(&routed).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from api-spec/openapi.yaml: {undocumented:?}"
    );
    assert!(
        unrouted.is_empty(),
        "documented but not routed: {unrouted:?}"
    );
}

both_backends!(every_documented_operation_is_served);

async fn every_documented_operation_is_served(app: TestApp) {
    let res = app.get("/api/v1/openapi.yaml", None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), buddymatch::api::OPENAPI_YAML);
    for (method, path) in spec_operations() {
        let url = app.url(&path.replace("{id}", "no-such-id"));
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let res = app
            .client
            .request(m, url)
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        assert!(status < 500, "{method} {path}: {status}");
        assert_ne!(status, 405, "{method} {path} is not served");
        if status == 404 {
            let body: serde_json::Value = res.json().await.unwrap();
            assert_ne!(body["code"], "not_found", "{method} {path} has no route");
        }
    }
}

#[test]
fn the_spec_lists_the_topic_taxonomy_and_score_weights() {
    let docs =
        YamlLoader::load_from_str(buddymatch::api::OPENAPI_YAML).expect("the spec is valid YAML");
    let schemas = &docs[0]["components"]["schemas"];
    let topics: Vec<&str> = schemas["Topic"]["enum"]
        .as_vec()
        .expect("Topic enum")
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    let ours: Vec<&str> = buddymatch::domain::TOPICS.iter().map(|t| t.slug).collect();
    assert_eq!(topics, ours);

    let weights =
        &schemas["RoundInput"]["properties"]["settings"]["properties"]["weights"]["properties"];
    let mut documented: Vec<&str> = weights
        .as_hash()
        .expect("weights")
        .keys()
        .map(|k| k.as_str().unwrap())
        .collect();
    documented.sort();
    let defaults =
        serde_json::to_value(buddymatch::matching::instance::Weights::default()).unwrap();
    let mut known: Vec<&str> = defaults
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    known.sort();
    assert_eq!(documented, known);
}

/// Every example in the spec is valid against its schema (checked with the
/// JSON Schema validator that comes with Schemathesis), so front ends can
/// copy them as they are.
#[test]
fn every_example_in_the_spec_matches_its_schema() {
    let py =
        crate::common::tools::python_with("fuzz-venv", crate::fuzz::SCHEMATHESIS, "schemathesis");
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new(py)
        .arg(repo.join("api-spec/check_examples.py"))
        .arg(repo.join("api-spec/openapi.yaml"))
        .output()
        .expect("running api-spec/check_examples.py");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains(" 0 problems"), "{text}");
}

#[test]
fn the_spec_lists_every_audit_action() {
    let docs =
        YamlLoader::load_from_str(buddymatch::api::OPENAPI_YAML).expect("the spec is valid YAML");
    let documented: Vec<&str> = docs[0]["components"]["schemas"]["AuditAction"]["enum"]
        .as_vec()
        .expect("AuditAction enum")
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let ours: Vec<&str> = buddymatch::service::audit::Action::ALL
        .iter()
        .map(|a| a.code())
        .collect();
    assert_eq!(documented, ours);
    // Enum values are lowercase snake_case, as the spec's description says.
    for a in ours {
        assert!(a.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{a}");
    }
}

/// Operations that never touch the database, so never answer 503: the
/// spec itself, liveness, metrics (a database error only leaves the backlog
/// out), the reset request (its lookup runs after the answer) and the
/// pages that only show a one-time link's form.
const WITHOUT_DATABASE: [(&str, &str); 7] = [
    ("GET", "/api/v1/openapi.yaml"),
    ("GET", "/healthz"),
    ("GET", "/metrics"),
    ("POST", "/api/v1/auth/password-reset"),
    ("GET", "/pages/verify-email"),
    ("GET", "/pages/reset-password"),
    ("GET", "/pages/invitations/accept"),
];

/// A busy or unreachable database answers 503 on any operation that uses
/// it (src/error.rs), so each documents that 503.
pub fn documents_503(method: &str, path: &str) -> bool {
    let docs =
        YamlLoader::load_from_str(buddymatch::api::OPENAPI_YAML).expect("the spec is valid YAML");
    let op = &docs[0]["paths"][path][method.to_lowercase().as_str()];
    op["responses"]["503"]["$ref"].as_str() == Some("#/components/responses/ServiceUnavailable")
}

#[test]
fn every_operation_that_uses_the_database_documents_503() {
    let missing: Vec<_> = spec_operations()
        .into_iter()
        .filter(|(m, p)| !WITHOUT_DATABASE.contains(&(m.as_str(), p.as_str())))
        .filter(|(m, p)| !documents_503(m, p))
        .collect();
    assert!(missing.is_empty(), "no 503 documented: {missing:?}");
    let docs =
        YamlLoader::load_from_str(buddymatch::api::OPENAPI_YAML).expect("the spec is valid YAML");
    let unavailable = &docs[0]["components"]["responses"]["ServiceUnavailable"];
    assert_eq!(
        unavailable["content"]["application/problem+json"]["schema"]["$ref"].as_str(),
        Some("#/components/schemas/Problem")
    );
}

/// What a client generator names and documents: every operation has a
/// unique camelCase `operationId` (the function a front end calls; stable
/// from now on) and a description, every tag is declared with one, and
/// `info` says the licence and whom to contact.
#[test]
fn every_operation_is_named_and_described_for_client_generators() {
    let docs =
        YamlLoader::load_from_str(buddymatch::api::OPENAPI_YAML).expect("the spec is valid YAML");
    let spec = &docs[0];
    let tags: BTreeSet<&str> = spec["tags"]
        .as_vec()
        .expect("tags")
        .iter()
        .map(|t| {
            assert!(
                t["description"].as_str().is_some(),
                "tag without description: {t:?}"
            );
            t["name"].as_str().unwrap()
        })
        .collect();
    let mut ids = BTreeSet::new();
    for (method, path) in spec_operations() {
        let op = &spec["paths"][path.as_str()][method.to_lowercase().as_str()];
        let id = op["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
        assert!(
            id.starts_with(|c: char| c.is_ascii_lowercase())
                && id.chars().all(|c| c.is_ascii_alphanumeric()),
            "{method} {path}: operationId {id} is not camelCase"
        );
        assert!(ids.insert(id.to_string()), "operationId {id} is used twice");
        assert!(
            op["description"].as_str().is_some_and(|d| d.len() > 20),
            "{method} {path} has no description"
        );
        for tag in op["tags"].as_vec().expect("tags") {
            assert!(
                tags.contains(tag.as_str().unwrap()),
                "{method} {path}: {tag:?}"
            );
        }
    }
    assert!(spec["info"]["license"]["identifier"].as_str().is_some());
    assert!(spec["info"]["contact"]["name"].as_str().is_some());
}

/// The front-end pages emails link to, from the source that builds the
/// links: `mc.link("/verify-email", ..)`, `self.acting(&format!("/matches/{match_id}"), ..)`,
/// `mc.app_page("/login")`; an id in the path reads `{id}`.
fn linked_pages() -> BTreeSet<String> {
    fn walk(dir: &std::path::Path, out: &mut BTreeSet<String>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
                continue;
            }
            // Without whitespace, so a call rustfmt spread over lines reads as one.
            let text: String = std::fs::read_to_string(&p)
                .unwrap()
                .split_whitespace()
                .collect();
            for marker in [
                ".link(\"",
                "{base}/",
                "\"{}/",
                "acting(\"",
                "acting(&format!(\"",
                "app_page(\"",
            ] {
                for (i, _) in text.match_indices(marker) {
                    let rest = &text[i + marker.len()..];
                    let path: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || "-_/{}".contains(*c))
                        .collect();
                    let path = format!("/{}", path.trim_start_matches('/'));
                    let path = path.replace("{}", "{id}").replace("{match_id}", "{id}");
                    out.insert(path);
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/service"),
        &mut out,
    );
    out
}

#[test]
fn the_spec_names_every_front_end_page_emails_link_to() {
    let docs =
        YamlLoader::load_from_str(buddymatch::api::OPENAPI_YAML).expect("the spec is valid YAML");
    let documented: BTreeSet<String> = docs[0]["x-front-end-routes"]
        .as_vec()
        .expect("x-front-end-routes")
        .iter()
        .map(|r| r["path"].as_str().unwrap().to_string())
        .collect();
    let linked = linked_pages();
    assert!(linked.contains("/verify-email"), "{linked:?}");
    assert_eq!(documented, linked);
    let readme = include_str!("../../README.md");
    for page in &linked {
        assert!(
            readme.contains(&format!("| `{page}")),
            "README does not name {page}"
        );
    }
}
