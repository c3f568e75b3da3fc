//! Files holding personal data (the SQLite database, the .eml folder with
//! live sign-in links) are the service user's only: folders 0700, files
//! 0600, on a first start and after an upgrade from files left readable.

use crate::both_backends;
use crate::common::process::Server;
use crate::common::{sample_profile, wait_until, Backend, TestApp, TestDb, PASSWORD};
use buddymatch::domain::Role;
use serde_json::json;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o777
}

fn set_mode(p: &Path, m: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
}

/// The database URL the server gets: for SQLite the default file in the
/// data folder, for PostgreSQL the test's own database.
fn database_url(backend: Backend, data: &Path, db: &TestDb) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}", data.join("buddymatch.db").display()),
        Backend::Postgres => db.url.clone(),
    }
}

/// Every path the service keeps personal data in, with the mode it must
/// have: the data folder, the mail folder and each message in it, and the
/// SQLite database with its -wal and -shm files when they exist.
fn expected_modes(data: &Path) -> Vec<(PathBuf, u32)> {
    let mut out = vec![(data.to_path_buf(), 0o700), (data.join("mail"), 0o700)];
    for e in std::fs::read_dir(data.join("mail")).unwrap().flatten() {
        out.push((e.path(), 0o600));
    }
    for f in ["buddymatch.db", "buddymatch.db-wal", "buddymatch.db-shm"] {
        if data.join(f).exists() {
            out.push((data.join(f), 0o600));
        }
    }
    out
}

fn assert_private(data: &Path) {
    let wrong: Vec<String> = expected_modes(data)
        .into_iter()
        .filter(|(p, m)| mode(p) != *m)
        .map(|(p, m)| format!("{} is {:o}, not {m:o}", p.display(), mode(&p)))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Waits for the first .eml in `dir`; returns how many there are.
async fn wait_for_mail(dir: &Path) -> usize {
    let mut n = 0;
    let what = format!("an email in {}", dir.display());
    wait_until(what, Duration::from_secs(20), || {
        n = std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0);
        n > 0
    })
    .await;
    n
}

async fn a_first_start_keeps_personal_data_private(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let db = tokio::task::block_in_place(|| TestDb::create(backend, tmp.path()));
    let data = tmp.path().join("data");
    let server = Server::start(&data, &database_url(backend, &data, &db), &[]);
    if backend == Backend::Sqlite {
        assert!(data.join("buddymatch.db").exists());
    }
    assert_private(&data);

    // A sign-up writes an email with a live verification link.
    let res = reqwest::Client::new()
        .post(server.url("/api/v1/auth/register"))
        .json(&json!({"email": "anna@uwv.nl", "password": PASSWORD, "display_name": "Anna"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    wait_for_mail(&data.join("mail")).await;
    assert_private(&data);
}

async fn an_upgrade_makes_readable_files_private(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let db = tokio::task::block_in_place(|| TestDb::create(backend, tmp.path()));
    let data = tmp.path().join("data");
    let url = database_url(backend, &data, &db);
    // What an earlier version left: everything readable by every user.
    std::fs::create_dir_all(data.join("mail")).unwrap();
    std::fs::write(
        data.join("mail/old.eml"),
        "Subject: reset\r\n\r\nhttps://x/reset?token=abc\r\n",
    )
    .unwrap();
    if backend == Backend::Sqlite {
        let parsed = buddymatch::store::DatabaseUrl::parse(&url).unwrap();
        tokio::task::block_in_place(|| {
            let pool = buddymatch::store::db::pool(&parsed, 1).unwrap();
            buddymatch::store::db::run_migrations(&mut pool.get().unwrap()).unwrap();
        });
        set_mode(&data.join("buddymatch.db"), 0o644);
    }
    set_mode(&data.join("mail/old.eml"), 0o644);
    set_mode(&data.join("mail"), 0o755);
    set_mode(&data, 0o755);

    let _server = Server::start(&data, &url, &[]);
    assert_private(&data);
    assert_eq!(mode(&data.join("mail/old.eml")), 0o600);
}

crate::per_backend! {
    first_start => a_first_start_keeps_personal_data_private,
    upgrade => an_upgrade_makes_readable_files_private,
}

both_backends!(a_rounds_emails_are_private_files);

async fn a_rounds_emails_are_private_files(app: TestApp) {
    let mut p = sample_profile();
    p["forms"] = json!(["buddy"]);
    p["meeting_modes"] = json!(["online"]);
    app.verified_member("anna@uwv.nl", "Anna", "nl", &p).await;
    p["domain"] = json!("self_employed");
    app.verified_member("bram@zzp.nl", "Bram", "en", &p).await;
    let coord = app
        .with_role("coord@vereniging.nl", Role::Coordinator)
        .await;
    app.published_round(&coord, json!({"kind": "buddy"})).await;
    app.wait_for_folder_mail("anna@uwv.nl", "Waarom deze match")
        .await;
    app.wait_for_folder_mail("bram@zzp.nl", "Why this match")
        .await;

    let mail = app.config.mail_dir();
    assert_eq!(mode(&mail), 0o700);
    let files: Vec<(PathBuf, u32)> = std::fs::read_dir(&mail)
        .unwrap()
        .flatten()
        .map(|e| (e.path(), mode(&e.path())))
        .collect();
    assert_eq!(
        files.len(),
        4,
        "two verifications and two proposals: {files:?}"
    );
    assert!(files.iter().all(|(_, m)| *m == 0o600), "{files:?}");
    if app.backend == Backend::Sqlite {
        let db = app.data_dir().join("test.db");
        assert_eq!(mode(&db), 0o600, "{}", db.display());
    }
}
