//! The real buddymatch binary as a process of its own: for what only a
//! process shows (signals, exit status, its own metrics recorder).

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// The buddymatch binary serving on a port of its own choosing, logging
/// JSON to a pipe that a thread reads (which also checks every line is JSON).
pub struct Server {
    pub child: Child,
    pub port: u16,
    logs: Arc<Mutex<Vec<Value>>>,
}

impl Server {
    pub fn start(dir: &std::path::Path, database_url: &str, extra: &[(&str, String)]) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_buddymatch"));
        cmd.arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("BUDDYMATCH_BIND", "127.0.0.1:0")
            .env("BUDDYMATCH_DATA_DIR", dir)
            .env("DATABASE_URL", database_url)
            .env("BUDDYMATCH_SIGNING_KEY", super::SIGNING_KEY)
            .env("BUDDYMATCH_MAIL_POLL_MS", "50")
            .env("BUDDYMATCH_LOG_FORMAT", "json")
            .env("BUDDYMATCH_LOG", "info")
            .env("BUDDYMATCH_SHUTDOWN_TIMEOUT_SECS", "10")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("starting the buddymatch binary");
        let stderr = child.stderr.take().unwrap();
        let logs = Arc::new(Mutex::new(Vec::new()));
        let (port_tx, port_rx) = mpsc::channel();
        let sink = logs.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if std::env::var("TEST_LOG").is_ok() {
                    eprintln!("{line}");
                }
                let entry: Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| json!({"not_json": line, "error": e.to_string()}));
                if entry["fields"]["message"] == "buddymatch is serving" {
                    let _ = port_tx.send(entry["fields"]["port"].as_u64().unwrap_or(0) as u16);
                }
                sink.lock().unwrap().push(entry);
            }
        });
        let port = port_rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the binary logs the port it serves on");
        Server { child, port, logs }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn sigterm(&self) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("running kill")
            .success();
        assert!(ok, "kill -TERM failed");
    }

    pub fn wait_exit(&mut self, within: Duration) -> ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the server did not exit within {within:?} of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn logged(&self, message: &str) -> bool {
        self.logs
            .lock()
            .unwrap()
            .iter()
            .any(|e| e["fields"]["message"] == message)
    }

    /// Every line logged so far, as parsed.
    pub fn lines(&self) -> Vec<Value> {
        self.logs.lock().unwrap().clone()
    }

    pub fn non_json_lines(&self) -> Vec<Value> {
        self.logs
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.get("not_json").is_some())
            .cloned()
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `buddymatch admin create` on the database at `database_url`: an account
/// with `role` and the test password.
pub fn admin_create(dir: &std::path::Path, database_url: &str, email: &str, role: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_buddymatch"))
        .args([
            "admin",
            "create",
            "--email",
            email,
            "--role",
            role,
            "--password-stdin",
        ])
        .env("BUDDYMATCH_DATA_DIR", dir)
        .env("DATABASE_URL", database_url)
        .env("BUDDYMATCH_SIGNING_KEY", super::SIGNING_KEY)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("running buddymatch admin create");
    writeln!(child.stdin.take().unwrap(), "{}", super::PASSWORD).unwrap();
    assert!(child.wait().unwrap().success(), "admin create {email}");
}
