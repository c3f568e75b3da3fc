//! Shared test harness: the real app on a random port, a fresh database per
//! test on SQLite or PostgreSQL, and an HTTP client.

#![allow(dead_code)]

pub mod browser;
pub mod process;
mod rounds;
pub mod smtp;
pub mod timing;
pub mod tools;
mod undelivered;
mod wait;
pub mod web;

pub use wait::{lock_waiters, wait_until};

use buddymatch::config::{Config, Secret};
use buddymatch::startup::App;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::{json, Value};

pub const SIGNING_KEY: &str = "test-signing-key-0123456789abcdef0123456789abcdef";
pub const PASSWORD: &str = "correct horse battery";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Every test runs once per backend. A test is a plain function, so rustfmt
/// formats it, registered by name: `both_backends!(name, ...);` next to
/// `async fn name(app: TestApp) { … }`. Each name becomes a module holding
/// the `sqlite` and `postgres` tests (`module::name::sqlite`); a module and a
/// function may share a name, as they live in different namespaces.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::common::TestApp::spawn($crate::common::Backend::Sqlite).await;
                super::$name(app).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let app = $crate::common::TestApp::spawn($crate::common::Backend::Postgres).await;
                super::$name(app).await
            }
        }
    )*};
}

/// Runs `async fn(Backend)` tests once per backend, for tests that start
/// their own servers (processes, special settings) rather than take a
/// `TestApp`: `per_backend! { module_name => test_fn, ... }`.
#[macro_export]
macro_rules! per_backend {
    ($($name:ident => $test:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$test($crate::common::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$test($crate::common::Backend::Postgres).await
            }
        }
    )*};
}

/// The server for PostgreSQL tests; each test gets its own database on it.
fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub struct TestDb {
    pub url: String,
    pg_name: Option<String>,
}

impl TestDb {
    pub fn create(backend: Backend, dir: &std::path::Path) -> TestDb {
        match backend {
            Backend::Sqlite => TestDb {
                url: format!("sqlite://{}", dir.join("test.db").display()),
                pg_name: None,
            },
            Backend::Postgres => {
                let admin = postgres_admin_url();
                let name = format!("bm_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn =
                    buddymatch::store::db::establish_postgres(&admin).unwrap_or_else(|e| {
                        panic!(
                            "PostgreSQL tests need a server at {admin} \
                         (set TEST_POSTGRES_URL to another one): {e}"
                        )
                    });
                conn.batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("creating the test database");
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
                TestDb {
                    url: format!("{base}/{name}"),
                    pg_name: Some(name),
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            if let Ok(mut conn) = buddymatch::store::db::establish_postgres(&postgres_admin_url()) {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

pub struct TestApp {
    /// First, so that it runs while the server and database are still up.
    undelivered: undelivered::UndeliveredCheck,
    pub address: String,
    pub client: reqwest::Client,
    pub backend: Backend,
    pub config: Config,
    handle: actix_web::dev::ServerHandle,
    db: TestDb,
    dir: tempfile::TempDir,
}

pub fn test_config(dir: &std::path::Path, database_url: &str) -> Config {
    let mut c = Config::with_data_dir(dir);
    c.bind = "127.0.0.1:0".into();
    c.database_url = Some(database_url.to_string());
    c.signing_key = Some(Secret::new(SIGNING_KEY));
    c.db_pool_size = 4;
    c.smtp_url = None;
    c.cors_origins = vec![];
    c.mail_poll_ms = 50;
    c.mail_backoff_secs = 1;
    c.mail_backoff_max_secs = 2;
    // Tests sign many people up from one address; the limit has its own test.
    c.register_max_per_hour = 100_000;
    c
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        TestApp::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
        if std::env::var("TEST_LOG").is_ok() {
            buddymatch::telemetry::init("debug", buddymatch::config::LogFormat::Text);
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let db = tokio::task::block_in_place(|| TestDb::create(backend, dir.path()));
        let mut config = test_config(dir.path(), &db.url);
        tweak(&mut config);
        let undelivered = undelivered::UndeliveredCheck::new(&db.url);
        TestApp::start(undelivered, backend, config, db, dir).await
    }

    async fn start(
        undelivered: undelivered::UndeliveredCheck,
        backend: Backend,
        config: Config,
        db: TestDb,
        dir: tempfile::TempDir,
    ) -> TestApp {
        let app = App::build(config.clone()).await.expect("app starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        TestApp {
            undelivered,
            address,
            client: reqwest::Client::new(),
            backend,
            config,
            handle,
            db,
            dir,
        }
    }

    /// Stops the server and starts a new one on the same database and files.
    pub async fn restart(self) -> TestApp {
        self.restart_with(|_| {}).await
    }

    /// Stops the server and starts a new one with changed settings on the
    /// same database and files.
    pub async fn restart_with(self, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let TestApp {
            undelivered,
            backend,
            mut config,
            handle,
            db,
            dir,
            ..
        } = self;
        handle.stop(true).await;
        tweak(&mut config);
        // The outbox is checked when the new server goes: it delivers
        // what the old one left.
        TestApp::start(undelivered, backend, config, db, dir).await
    }

    /// Lets the test end with email still pending or being sent, for tests
    /// that keep it from going on purpose (a stopped SMTP server).
    pub fn allow_undelivered_mail(&self) {
        self.undelivered.allow();
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut r = self.client.get(self.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().await.expect("request sent")
    }

    pub async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> reqwest::Response {
        let mut r = self.client.request(method, self.url(path)).json(body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().await.expect("request sent")
    }

    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.send_json(reqwest::Method::POST, path, None, body)
            .await
    }

    pub async fn register(&self, email: &str, name: &str) -> Value {
        let res = self
            .post(
                "/api/v1/auth/register",
                &json!({"email": email, "password": PASSWORD, "display_name": name}),
            )
            .await;
        assert_eq!(res.status(), 202, "registering {email}");
        res.json().await.unwrap()
    }

    pub async fn login(&self, email: &str) -> Value {
        let res = self
            .post(
                "/api/v1/auth/login",
                &json!({"email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(res.status(), 200, "logging in {email}");
        res.json().await.unwrap()
    }

    /// A registered, logged-in member; returns the access token.
    pub async fn member(&self, email: &str) -> String {
        self.register(email, "Test Lid").await;
        self.login(email).await["access_token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Creates an account with a role the way `buddymatch admin create` does,
    /// then logs in over HTTP; returns the access token.
    pub async fn with_role(&self, email: &str, role: buddymatch::domain::Role) -> String {
        let url = self.db.url.clone();
        let email_owned = email.to_string();
        tokio::task::block_in_place(move || {
            use buddymatch::service::accounts::{create_or_promote, NewAccount};
            let parsed = buddymatch::store::DatabaseUrl::parse(&url).unwrap();
            let pool = buddymatch::store::db::pool(&parsed, 1).unwrap();
            let mut conn = pool.get().unwrap();
            let acc = NewAccount {
                email: buddymatch::domain::EmailAddress::parse("email", &email_owned).unwrap(),
                password: PASSWORD.into(),
                display_name: "Coördinator".into(),
                locale: buddymatch::domain::Locale::Nl,
                role,
            };
            create_or_promote(&mut conn, acc).unwrap();
        });
        self.login(email).await["access_token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// A second server on the same database and files, as in a scale-out
    /// deployment; returns its base address. It stops with the test.
    pub async fn second_instance(&self) -> String {
        let app = App::build(self.config.clone())
            .await
            .expect("second instance starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        address
    }

    /// Signs up through HTTP, confirms the address with the link from the
    /// email in the mail folder, logs in and saves `profile`. Returns the token.
    pub async fn verified_member(
        &self,
        email: &str,
        name: &str,
        locale: &str,
        profile: &Value,
    ) -> String {
        let res = self
            .post(
                "/api/v1/auth/register",
                &json!({
                    "email": email,
                    "password": PASSWORD,
                    "display_name": name,
                    "locale": locale,
                }),
            )
            .await;
        assert_eq!(res.status(), 202, "registering {email}");
        let mail = self.wait_for_folder_mail(email, "token=").await;
        let start = mail.find("token=").unwrap() + "token=".len();
        let token: String = mail[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        let res = self
            .post("/api/v1/auth/verify-email", &json!({"token": token}))
            .await;
        assert_eq!(res.status(), 200, "verifying {email}");
        let access = self.login(email).await["access_token"]
            .as_str()
            .unwrap()
            .to_string();
        let res = self
            .send_json(
                reqwest::Method::PUT,
                "/api/v1/me/profile",
                Some(&access),
                profile,
            )
            .await;
        assert_eq!(res.status(), 200, "profile of {email}");
        access
    }

    /// The decoded text of the first .eml in the mail folder sent to `to`
    /// and containing `needle`.
    pub async fn wait_for_folder_mail(&self, to: &str, needle: &str) -> String {
        let dir = self.config.mail_dir();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            if let Ok(entries) = std::fs::read_dir(&dir) {
                for e in entries.flatten() {
                    let raw = std::fs::read(e.path()).unwrap_or_default();
                    if let Some(m) = mail_parser::MessageParser::default().parse(&raw) {
                        let rcpt = m
                            .to()
                            .and_then(|a| a.first())
                            .and_then(|a| a.address())
                            .unwrap_or_default()
                            .to_string();
                        let text = m.body_text(0).map(|c| c.to_string()).unwrap_or_default();
                        if rcpt == to && text.contains(needle) {
                            return text;
                        }
                    }
                }
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no email to {to} containing {needle:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    pub fn data_dir(&self) -> &std::path::Path {
        self.dir.path()
    }
}

/// Asserts an RFC 9457 problem with the given status and code; returns it.
pub async fn assert_problem(res: reqwest::Response, status: u16, code: &str) -> Value {
    let got = res.status().as_u16();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string());
    let body: Value = res.json().await.expect("problem body is JSON");
    assert_eq!(got, status, "status; body {body}");
    assert_eq!(
        ct.as_deref(),
        Some("application/problem+json"),
        "content type; body {body}"
    );
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["title"].is_string() && body["type"].is_string(),
        "{body}"
    );
    assert!(!body["detail"].as_str().unwrap_or("").is_empty(), "{body}");
    body
}

impl TestApp {
    /// Runs `f` on a connection of the test's own database, for checks that
    /// HTTP cannot make (what is really stored) and for ageing rows.
    pub fn with_db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut buddymatch::store::DbConnection) -> T + Send + 'static,
    ) -> T {
        let url = self.db.url.clone();
        tokio::task::block_in_place(move || {
            let parsed = buddymatch::store::DatabaseUrl::parse(&url).unwrap();
            let pool = buddymatch::store::db::pool(&parsed, 1).unwrap();
            let mut conn = pool.get().unwrap();
            f(&mut conn)
        })
    }

    /// Reads the outbox as the worker sees it: (status, attempts) per message.
    pub fn outbox(&self) -> Vec<(String, i32, String)> {
        let url = self.db.url.clone();
        tokio::task::block_in_place(move || {
            use buddymatch::store::schema::outbox::dsl::*;
            let parsed = buddymatch::store::DatabaseUrl::parse(&url).unwrap();
            let pool = buddymatch::store::db::pool(&parsed, 1).unwrap();
            let mut conn = pool.get().unwrap();
            outbox
                .order(created_at.asc())
                .select((status, attempts, recipient))
                .load::<(String, i32, String)>(&mut *conn)
                .unwrap()
        })
    }
}

/// One outbox row as the shutdown tests look at it.
#[derive(Debug, Clone)]
pub struct OutboxEntry {
    pub message_id: String,
    pub recipient: String,
    pub status: String,
    pub attempts: i32,
    pub locked_until: Option<i64>,
}

/// Every outbox row of the database at `url`, oldest first.
pub fn outbox_at(url: &str) -> Vec<OutboxEntry> {
    use buddymatch::store::schema::outbox::dsl::*;
    let parsed = buddymatch::store::DatabaseUrl::parse(url).unwrap();
    let pool = buddymatch::store::db::pool(&parsed, 1).unwrap();
    let mut conn = pool.get().unwrap();
    outbox
        .order((created_at.asc(), id.asc()))
        .select((message_id, recipient, status, attempts, locked_until))
        .load::<(String, String, String, i32, Option<i64>)>(&mut *conn)
        .unwrap()
        .into_iter()
        .map(|(m, r, s, a, l)| OutboxEntry {
            message_id: m,
            recipient: r,
            status: s,
            attempts: a,
            locked_until: l,
        })
        .collect()
}

/// Message-IDs (without angle brackets) of the .eml files in `dir`, one
/// entry per file, so a message written twice shows up twice.
pub fn folder_message_ids(dir: &std::path::Path) -> Vec<String> {
    let mut ids = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let raw = std::fs::read(e.path()).unwrap_or_default();
            if let Some(m) = mail_parser::MessageParser::default().parse(&raw) {
                ids.push(m.message_id().unwrap_or_default().to_string());
            }
        }
    }
    ids.sort();
    ids
}

pub fn sample_profile() -> Value {
    json!({
        "domain": "uwv",
        "profession": "labour_expert",
        "experience": 2,
        "registration": "registered",
        "province": "utrecht",
        "languages": ["nl", "en"],
        "forms": ["buddy", "shadowing_visitor", "intervision"],
        "hours_per_month": 6,
        "meeting_modes": ["in_person", "online"],
        "max_travel_km": 60,
        "topics_wanted": ["soft_skills", "artificial_intelligence"],
        "topics_offered": ["social_security"],
        "learning_goal": "Ik wil leren hoe zelfstandigen een re-integratietraject aanpakken.",
        "sharing": {"share_email": true, "share_phone": false, "share_province": true}
    })
}

/// Today's UTC date (`2026-12-06`), the latest a meeting may be dated.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    // The members' day, as the service counts it (Amsterdam).
    buddymatch::domain::time::amsterdam_day(secs)
}

/// A round's per-domain figures add up to its totals (eligible, matched).
pub fn assert_per_domain_adds_up(metrics: &Value, what: &str) {
    let per: Vec<&Value> = metrics["per_domain"]
        .as_object()
        .unwrap()
        .values()
        .collect();
    for field in ["eligible", "matched"] {
        let sum: u64 = per.iter().map(|d| d[field].as_u64().unwrap()).sum();
        assert_eq!(
            sum,
            metrics[field].as_u64().unwrap(),
            "{what} {field}: {metrics}"
        );
    }
}
