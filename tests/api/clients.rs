//! The contract as front ends use it: they generate a client from
//! api-spec/openapi.yaml. A Python client (openapi-python-client, PyPI) walks
//! the member and coordinator journeys against a live server on both
//! databases, and every answer must parse into its generated typed model
//! (api-spec/clients/journeys.py); TypeScript types (openapi-typescript) and
//! an openapi-fetch file using them pass `tsc --noEmit --strict` without
//! casts (api-spec/clients/journey.ts); Redocly's recommended rules find
//! nothing (api-spec/redocly.yaml turns off what does not apply, with the
//! reason). All tools are pinned: PyPI below, npm in
//! api-spec/clients/package-lock.json, installed under target/test-tools.

use crate::both_backends;
use crate::common::{tools, TestApp, PASSWORD};
use buddymatch::domain::Role;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const PYTHON_CLIENT: &str = "openapi-python-client==0.29.1 python-dateutil==2.9.0.post0";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr)
}

/// Generates the Python client into `dir/buddymatch_client`, as the README
/// tells a front-end developer to.
fn generate_python_client(python: &Path, dir: &Path) {
    let out = Command::new(python.with_file_name("openapi-python-client"))
        .arg("generate")
        .arg("--path")
        .arg(repo().join("api-spec/openapi.yaml"))
        .arg("--output-path")
        .arg(dir.join("buddymatch_client"))
        .args(["--meta", "none", "--config"])
        .arg(repo().join("api-spec/clients/python-client.yaml"))
        .output()
        .expect("running openapi-python-client");
    assert!(
        out.status.success(),
        "generating the Python client:\n{}",
        text(&out)
    );
}

both_backends!(the_generated_python_client_walks_both_journeys);

async fn the_generated_python_client_walks_both_journeys(app: TestApp) {
    let coordinator = "coordinator@vereniging.nl";
    app.with_role(coordinator, Role::Coordinator).await;
    let base = app.address.clone();
    let mail: PathBuf = app.config.mail_dir();
    let out = tokio::task::spawn_blocking(move || {
        let python = tools::python_with(
            "client-venv",
            PYTHON_CLIENT,
            "openapi_python_client, dateutil",
        );
        let dir = tempfile::tempdir().unwrap();
        generate_python_client(&python, dir.path());
        Command::new(&python)
            .arg(repo().join("api-spec/clients/journeys.py"))
            .arg(dir.path())
            .arg(&base)
            .arg(&mail)
            .args([coordinator, PASSWORD])
            .output()
            .expect("running api-spec/clients/journeys.py")
    })
    .await
    .unwrap();
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains("every answer parsed into its typed model"),
        "{log}"
    );
}

/// No `as` casts, non-null assertions, `any` or ts-comments: what compiles
/// does so because the generated types say what the server sends.
fn casts_in(ts: &str) -> Vec<String> {
    let code = ts
        .lines()
        .filter(|l| !l.trim_start().starts_with("//") && !l.trim_start().starts_with('*'));
    let mut found = Vec::new();
    for (i, line) in code.enumerate() {
        let bang = line.char_indices().any(|(j, c)| {
            c == '!'
                && j > 0
                && line[..j].ends_with(|p: char| p.is_alphanumeric() || ")]_".contains(p))
                && !line[j + 1..].starts_with('=')
        });
        let words: Vec<&str> = line
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '@'))
            .collect();
        if bang || words.contains(&"as") || words.contains(&"any") || line.contains("@ts-") {
            found.push(format!("{}: {line}", i + 1));
        }
    }
    found
}

#[test]
fn the_cast_check_sees_casts() {
    assert_eq!(casts_in("const a = b as string;").len(), 1);
    assert_eq!(casts_in("const a = b!.c;").len(), 1);
    assert_eq!(casts_in("let x: any = 1;").len(), 1);
    assert!(casts_in("if (a !== b && !c) { d(); }").is_empty());
    assert!(casts_in("import type { paths } from \"./api\";").is_empty());
}

#[test]
fn the_typescript_client_passes_tsc_strict_without_casts() {
    let journey = std::fs::read_to_string(repo().join("api-spec/clients/journey.ts")).unwrap();
    let casts = casts_in(&journey);
    assert!(casts.is_empty(), "journey.ts must not cast: {casts:#?}");
    let bin = tools::npm_tools();
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(bin.parent().unwrap(), dir.path().join("node_modules")).unwrap();
    for f in ["journey.ts", "tsconfig.json"] {
        std::fs::copy(repo().join("api-spec/clients").join(f), dir.path().join(f)).unwrap();
    }
    let out = Command::new(bin.join("openapi-typescript"))
        .arg(repo().join("api-spec/openapi.yaml"))
        .arg("--output")
        .arg(dir.path().join("api.d.ts"))
        .output()
        .expect("running openapi-typescript");
    assert!(out.status.success(), "openapi-typescript:\n{}", text(&out));
    let out = Command::new(bin.join("tsc"))
        .current_dir(dir.path())
        .args(["--project", "tsconfig.json", "--noEmit", "--strict"])
        .output()
        .expect("running tsc");
    assert!(
        out.status.success(),
        "tsc --noEmit --strict:\n{}",
        text(&out)
    );
}

#[test]
fn redocly_recommended_rules_find_nothing() {
    let bin = tools::npm_tools();
    let out = Command::new(bin.join("redocly"))
        .current_dir(repo())
        .args([
            "lint",
            "--config",
            "api-spec/redocly.yaml",
            "--format",
            "stylish",
        ])
        .arg("api-spec/openapi.yaml")
        .env("REDOCLY_TELEMETRY", "off")
        .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true")
        .output()
        .expect("running redocly");
    let log = text(&out);
    assert!(out.status.success(), "redocly lint:\n{log}");
    assert!(log.contains("Your API description is valid"), "{log}");
    assert!(!log.contains(" warning "), "redocly lint warns:\n{log}");
}
