//! Graceful shutdown of the real binary: on SIGTERM it stops accepting,
//! finishes the request in flight, leaves no email claimed, and exits 0.
//! Nothing is lost: after a restart every enqueued email is delivered once.

use crate::common::process::Server;
use crate::common::{folder_message_ids, outbox_at, wait_until, Backend, TestDb, PASSWORD};
use serde_json::json;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a restarted server and its worker get to settle.
const WAIT: Duration = Duration::from_secs(30);

/// Reads one HTTP/1.1 response with a Content-Length body; returns the
/// status code and the body.
fn read_response(conn: &mut TcpStream) -> (u16, String) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let status: u16 = head.split_whitespace().nth(1).unwrap().parse().unwrap();
            let len: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().unwrap())
                })
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = conn.read(&mut chunk).expect("reading the response");
                assert!(n > 0, "connection closed mid-response");
                buf.extend_from_slice(&chunk[..n]);
            }
            return (
                status,
                String::from_utf8_lossy(&buf[end + 4..end + 4 + len]).to_string(),
            );
        }
        let n = conn.read(&mut chunk).expect("reading the response");
        assert!(n > 0, "connection closed before a response");
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn refused(port: u16) -> bool {
    matches!(
        TcpStream::connect(("127.0.0.1", port)),
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused
    )
}

async fn register(client: &reqwest::Client, server: &Server, email: &str) {
    let res = client
        .post(server.url("/api/v1/auth/register"))
        .json(&json!({"email": email, "password": PASSWORD, "display_name": "Lid"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202, "registering {email}");
}

fn normalise(id: &str) -> String {
    id.trim_matches(['<', '>']).to_string()
}

async fn sigterm_finishes_requests_in_flight_and_loses_no_email(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let db = tokio::task::block_in_place(|| TestDb::create(backend, dir.path()));
    let mail_dir = dir.path().join("mail");
    let mut server = Server::start(dir.path(), &db.url, &[]);

    // Emails are being delivered while the signal comes: each sign-up
    // enqueues one and the worker polls every 50 ms.
    let client = reqwest::Client::new();
    for i in 0..10 {
        register(&client, &server, &format!("lid{i}@example.nl")).await;
    }
    // Idle keep-alive connections would only make the drain wait for them.
    drop(client);

    let port = server.port;
    let (status, body) = tokio::task::block_in_place(|| {
        let mut conn = TcpStream::connect(("127.0.0.1", port)).unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        // A first request on the connection proves a worker took it on, so
        // the second one is in flight, not waiting in the accept queue.
        conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            .unwrap();
        assert_eq!(read_response(&mut conn).0, 200);
        let body = json!({
            "email": "in.flight@example.nl",
            "password": PASSWORD,
            "display_name": "Onderweg",
        })
        .to_string();
        let (first, rest) = body.split_at(body.len() / 2);
        write!(
            conn,
            "POST /api/v1/auth/register HTTP/1.1\r\nHost: test\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{first}",
            body.len()
        )
        .unwrap();
        conn.flush().unwrap();
        std::thread::sleep(Duration::from_millis(100));

        server.sigterm();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !refused(port) {
            assert!(
                Instant::now() < deadline,
                "still accepting connections after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            server.child.try_wait().unwrap().is_none(),
            "the server exited with a request still in flight"
        );

        conn.write_all(rest.as_bytes()).unwrap();
        read_response(&mut conn)
    });
    assert_eq!(status, 202, "the request in flight completes: {body}");

    let exit = tokio::task::block_in_place(|| server.wait_exit(Duration::from_secs(30)));
    assert!(exit.success(), "exit status after SIGTERM: {exit:?}");
    assert!(server.logged("buddymatch is serving") && server.logged("stopped"));
    // Its connections closed by the stop itself, none left to the exit.
    assert!(
        server
            .lines()
            .iter()
            .any(|l| l["fields"]["message"] == "stopped" && l["fields"]["cleanly"] == true),
        "the stop did not end cleanly: {:?}",
        server.lines()
    );
    assert!(
        server.non_json_lines().is_empty(),
        "with BUDDYMATCH_LOG_FORMAT=json every log line is JSON: {:?}",
        server.non_json_lines()
    );
    drop(server);

    // After the stop: each email is sent (and in the folder) or waiting,
    // unclaimed, for the next worker.
    let rows = tokio::task::block_in_place(|| outbox_at(&db.url));
    assert_eq!(rows.len(), 11, "one email per sign-up: {rows:?}");
    for r in &rows {
        assert!(
            r.status == "sent" || (r.status == "pending" && r.locked_until.is_none()),
            "left claimed or failed by the stop: {r:?}"
        );
    }
    let mut sent: Vec<String> = rows
        .iter()
        .filter(|r| r.status == "sent")
        .map(|r| normalise(&r.message_id))
        .collect();
    sent.sort();
    assert_eq!(folder_message_ids(&mail_dir), sent);

    // A restart delivers the rest, each exactly once.
    let mut server = Server::start(dir.path(), &db.url, &[]);
    wait_until("every email to be sent after the restart", WAIT, || {
        tokio::task::block_in_place(|| outbox_at(&db.url))
            .iter()
            .all(|r| r.status == "sent")
    })
    .await;
    server.sigterm();
    let exit = tokio::task::block_in_place(|| server.wait_exit(Duration::from_secs(30)));
    assert!(exit.success(), "{exit:?}");
    let mut all: Vec<String> = rows.iter().map(|r| normalise(&r.message_id)).collect();
    all.sort();
    assert_eq!(folder_message_ids(&mail_dir), all);
    let recipients: std::collections::BTreeSet<_> = rows.iter().map(|r| &r.recipient).collect();
    assert!(recipients.contains(&"in.flight@example.nl".to_string()));
}

/// An SMTP relay that accepts connections and never says a word: the
/// worker's send hangs until the shutdown grace runs out.
fn silent_relay() -> (u16, Arc<Mutex<Vec<TcpStream>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = Arc::new(Mutex::new(Vec::new()));
    let keep = held.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            keep.lock().unwrap().push(conn);
        }
    });
    (port, held)
}

async fn sigterm_releases_an_email_stuck_in_sending(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let db = tokio::task::block_in_place(|| TestDb::create(backend, dir.path()));
    let (relay, _held) = silent_relay();
    let mut server = Server::start(
        dir.path(),
        &db.url,
        &[
            ("BUDDYMATCH_SMTP_URL", format!("smtp://127.0.0.1:{relay}")),
            ("BUDDYMATCH_SHUTDOWN_TIMEOUT_SECS", "1".into()),
        ],
    );
    let client = reqwest::Client::new();
    register(&client, &server, "wacht@example.nl").await;
    drop(client);
    wait_until("the worker to claim the email", WAIT, || {
        tokio::task::block_in_place(|| outbox_at(&db.url))
            .iter()
            .any(|r| r.status == "sending")
    })
    .await;

    let started = Instant::now();
    server.sigterm();
    let exit = tokio::task::block_in_place(|| server.wait_exit(Duration::from_secs(30)));
    assert!(exit.success(), "{exit:?}");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "the stop waited for the relay instead of the 1 s grace: {:?}",
        started.elapsed()
    );
    assert!(server.logged("shutting down: email released unsent for another worker"));
    drop(server);

    let rows = tokio::task::block_in_place(|| outbox_at(&db.url));
    assert_eq!(rows.len(), 1, "{rows:?}");
    let r = &rows[0];
    assert_eq!(
        (r.status.as_str(), r.locked_until, r.attempts),
        ("pending", None, 0),
        "released, due at once, no attempt counted: {r:?}"
    );

    // The next instance (here with the mail folder) sends it straight away,
    // not after the 300 s lease.
    let mut server = Server::start(dir.path(), &db.url, &[]);
    wait_until("the released email to be delivered", WAIT, || {
        tokio::task::block_in_place(|| outbox_at(&db.url))
            .iter()
            .all(|r| r.status == "sent")
    })
    .await;
    server.sigterm();
    assert!(tokio::task::block_in_place(|| server.wait_exit(Duration::from_secs(30))).success());
    assert_eq!(
        folder_message_ids(&dir.path().join("mail")),
        vec![normalise(&r.message_id)]
    );
}

/// A password reset answers 202 at once and writes its email just after
/// (the same time whether or not the address has an account). With the
/// database held, that write is still waiting when SIGTERM comes: the stop
/// must wait for it instead of exiting and losing the email.
async fn sigterm_waits_for_a_reset_email_still_being_written(backend: Backend) {
    use diesel::connection::SimpleConnection;
    let dir = tempfile::tempdir().unwrap();
    let db = tokio::task::block_in_place(|| TestDb::create(backend, dir.path()));
    let mut server = Server::start(dir.path(), &db.url, &[]);
    let client = reqwest::Client::new();
    register(&client, &server, "vergeten@example.nl").await;

    let url = db.url.clone();
    let (held_tx, held_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        let parsed = buddymatch::store::DatabaseUrl::parse(&url).unwrap();
        let pool = buddymatch::store::db::pool(&parsed, 1).unwrap();
        let mut c = pool.get().unwrap();
        // SQLite: the write lock (the reset waits up to its 5 s busy
        // timeout). PostgreSQL: the table the reset token goes into.
        let hold = match backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN; LOCK TABLE email_tokens IN EXCLUSIVE MODE",
        };
        c.batch_execute(hold).unwrap();
        held_tx.send(()).unwrap();
        release_rx.recv().unwrap();
        c.batch_execute("COMMIT").unwrap();
    });
    tokio::task::block_in_place(|| held_rx.recv().unwrap());
    let res = client
        .post(server.url("/api/v1/auth/password-reset"))
        .json(&json!({"email": "vergeten@example.nl"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    drop(client);

    server.sigterm();
    wait_until("the stop to wait for the reset email", WAIT, || {
        server.logged("shutting down: waiting for work started by answered requests")
    })
    .await;
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "exited with the reset email unwritten"
    );
    release_tx.send(()).unwrap();
    tokio::task::block_in_place(|| holder.join().unwrap());
    let exit = tokio::task::block_in_place(|| server.wait_exit(Duration::from_secs(30)));
    assert!(exit.success(), "{exit:?}");
    drop(server);

    // The verification email and the reset email.
    let rows = tokio::task::block_in_place(|| outbox_at(&db.url));
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.iter().all(|r| r.recipient == "vergeten@example.nl"));
}

/// The process ends while some of its threads still run, so OpenSSL (which
/// libpq encrypts with) must not free its state in an exit handler: a thread
/// leaving at that moment freed it too, and a server sometimes ended with
/// "double free or corruption". `buddymatch migrate` connects (over TLS
/// where the server offers it, as libpq prefers) and returns from main like
/// `serve` does; gdb reports that OpenSSL was started and that its cleanup
/// did not run.
#[test]
fn exit_leaves_openssl_state_to_the_system() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::create(Backend::Postgres, dir.path());
    let out = std::process::Command::new("gdb")
        .args(["-batch", "-nx", "-ex", "set breakpoint pending on"])
        .args([
            "-ex",
            r#"dprintf OPENSSL_init_ssl,"OPENSSL_init_ssl ran\n""#,
        ])
        .args(["-ex", r#"dprintf OPENSSL_cleanup,"OPENSSL_cleanup ran\n""#])
        .args([
            "-ex",
            "run",
            "--args",
            env!("CARGO_BIN_EXE_buddymatch"),
            "migrate",
        ])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &db.url)
        .env("BUDDYMATCH_DATA_DIR", dir.path())
        .output()
        .expect("gdb is needed for this test (.ci/run installs it)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let ran = |what: &str| stdout.lines().any(|l| l == format!("{what} ran"));
    assert!(
        stdout.contains("postgres: ") && stdout.contains("exited normally"),
        "migrate did not run to its end under gdb:\n{stdout}\n{stderr}"
    );
    assert!(
        ran("OPENSSL_init_ssl"),
        "OpenSSL was not started:\n{stdout}"
    );
    assert!(
        !ran("OPENSSL_cleanup"),
        "OpenSSL's exit handler ran:\n{stdout}"
    );
}

crate::per_backend! {
    sigterm_waits_for_background_work => sigterm_waits_for_a_reset_email_still_being_written,
    sigterm_in_flight => sigterm_finishes_requests_in_flight_and_loses_no_email,
    sigterm_releases_claim => sigterm_releases_an_email_stuck_in_sending,
}
