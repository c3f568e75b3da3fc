//! A real SMTP server for the tests: aiosmtpd (PyPI) storing each message
//! in a Maildir. Installed into target/test-tools on first use.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The Python that has aiosmtpd, icalendar (the independent parser the
/// appointment tests read invites with), pypdf (the one the portfolio
/// tests read PDFs with) and networkx (the one the network tests read
/// GraphML and GEXF with): $BUDDYMATCH_TEST_PYTHON, or a
/// virtual environment made (once) under target/test-tools. The pins match
/// .ci/run.
#[allow(dead_code)]
pub fn python() -> PathBuf {
    if let Ok(p) = std::env::var("BUDDYMATCH_TEST_PYTHON") {
        return PathBuf::from(p);
    }
    super::tools::python_with(
        "venv",
        "aiosmtpd==1.4.6 icalendar==6.3.1 pypdf==7.1.1 networkx==3.4.2",
        "aiosmtpd, icalendar, pypdf, networkx",
    )
}

/// Runs `script` (with `args`) in the test Python, `input` on its stdin,
/// and reads the JSON it prints: how the tests hand a document to an
/// independent reader (pypdf, networkx, Python's csv and XML parsers).
#[allow(dead_code)]
pub fn python_reads(script: &str, args: &[&str], input: &[u8]) -> serde_json::Value {
    use std::io::Write;
    let mut child = Command::new(python())
        .args(["-c", script])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running python");
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "python could not read the document ({args:?}): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct SmtpSink {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Child,
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        SmtpSink::start_on(free_port())
    }

    pub fn start_on(port: u16) -> SmtpSink {
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new(python())
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(dir.path().join("maildir"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting aiosmtpd");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not start listening on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        SmtpSink { port, dir, child }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, raw.
    pub fn raw_messages(&self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(entries) = std::fs::read_dir(self.dir.path().join("maildir").join(sub)) {
                let mut files: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
                files.sort();
                for f in files {
                    out.push(std::fs::read(f).unwrap());
                }
            }
        }
        out
    }

    pub fn messages(&self) -> Vec<Received> {
        self.raw_messages()
            .iter()
            .map(|raw| Received::parse(raw))
            .collect()
    }

    /// Polls until at least `n` messages arrived (or panics after `within`).
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Received> {
        let deadline = Instant::now() + within;
        loop {
            let m = self.messages();
            if m.len() >= n {
                return m;
            }
            assert!(
                Instant::now() < deadline,
                "expected {n} messages, got {} within {within:?}",
                m.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug, Clone)]
pub struct Received {
    pub to: String,
    pub subject: String,
    pub message_id: String,
    pub text: String,
    pub html: String,
}

impl Received {
    fn parse(raw: &[u8]) -> Received {
        let m = mail_parser::MessageParser::default()
            .parse(raw)
            .expect("a parsable email");
        let to = m
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap_or_default()
            .to_string();
        Received {
            to,
            subject: m.subject().unwrap_or_default().to_string(),
            message_id: m.message_id().unwrap_or_default().to_string(),
            text: m.body_text(0).map(|c| c.to_string()).unwrap_or_default(),
            html: m.body_html(0).map(|c| c.to_string()).unwrap_or_default(),
        }
    }

    /// The token in the first link of the plain-text body.
    pub fn token(&self) -> String {
        let start = self.text.find("token=").expect("a link with a token") + "token=".len();
        self.text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }
}

/// What a [`SmtpSink::start_with_faults`] relay does with a message for one
/// recipient, for the first `times` messages to them (then it accepts).
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answers the data with this reply, e.g. `550 5.1.1 No such user`.
    Reply(&'static str),
    /// Takes the data and never answers, until the client hangs up.
    Hang,
    /// Takes the data, says so (see [`SmtpSink::wait_until_held`]) and waits
    /// for [`SmtpSink::release`] before accepting it; a client that hangs up
    /// first leaves nothing stored.
    Hold,
}

const FAULTY_SINK: &str = r#"
import asyncio, json, os, sys
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox

class Faulty(Mailbox):
    def __init__(self, maildir, control, rules):
        super().__init__(maildir)
        self.control, self.rules, self.seen = control, rules, {}

    async def handle_DATA(self, server, session, envelope):
        rcpt = envelope.rcpt_tos[0].lower()
        n = self.seen.get(rcpt, 0)
        self.seen[rcpt] = n + 1
        rule = self.rules.get(rcpt)
        if rule and n < rule["times"]:
            if rule["do"] == "reply":
                return rule["reply"]
            if rule["do"] == "hang":
                await asyncio.Event().wait()
            if rule["do"] == "hold":
                open(os.path.join(self.control, "held-" + rcpt), "w").close()
                release = os.path.join(self.control, "release-" + rcpt)
                while not os.path.exists(release):
                    await asyncio.sleep(0.02)
        return await super().handle_DATA(server, session, envelope)

port, maildir, control, rules = int(sys.argv[1]), sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
c = Controller(Faulty(maildir, control, rules), hostname="127.0.0.1", port=port)
c.start()
asyncio.get_event_loop().run_forever()
"#;

impl SmtpSink {
    /// A relay that misbehaves for the given recipients: `(address, fault,
    /// times)`; everything else it stores like [`SmtpSink::start`].
    pub fn start_with_faults(faults: &[(&str, Fault, u32)]) -> SmtpSink {
        let port = free_port();
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("faulty_sink.py");
        std::fs::write(&script, FAULTY_SINK).unwrap();
        let rules: serde_json::Map<String, serde_json::Value> = faults
            .iter()
            .map(|(to, fault, times)| {
                let rule = match fault {
                    Fault::Reply(r) => serde_json::json!({"do": "reply", "reply": r}),
                    Fault::Hang => serde_json::json!({"do": "hang"}),
                    Fault::Hold => serde_json::json!({"do": "hold"}),
                };
                let mut rule = rule.as_object().unwrap().clone();
                rule.insert("times".into(), (*times).into());
                (to.to_lowercase(), rule.into())
            })
            .collect();
        let child = Command::new(python())
            .arg(&script)
            .arg(port.to_string())
            .arg(dir.path().join("maildir"))
            .arg(dir.path())
            .arg(serde_json::Value::Object(rules).to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting the faulty SMTP sink");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the faulty SMTP sink did not start listening on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        SmtpSink { port, dir, child }
    }

    /// Waits until a [`Fault::Hold`] message to `to` is being held.
    pub async fn wait_until_held(&self, to: &str, within: Duration) {
        let marker = self.dir.path().join(format!("held-{}", to.to_lowercase()));
        super::wait::wait_until(
            format!("the relay to hold the email to {to}"),
            within,
            || marker.exists(),
        )
        .await
    }

    /// Lets the relay accept the held message to `to` (and any later one).
    pub fn release(&self, to: &str) {
        let file = self
            .dir
            .path()
            .join(format!("release-{}", to.to_lowercase()));
        std::fs::write(file, b"").unwrap();
    }
}

impl super::TestApp {
    /// Restarts the app onto a fresh SMTP sink: every email from here on
    /// goes there, and housekeeping (the answer and reminder sweeps) runs
    /// every second.
    #[allow(dead_code)]
    pub async fn over_smtp(self) -> (super::TestApp, SmtpSink) {
        let sink = SmtpSink::start();
        let url = sink.url();
        let app = self
            .restart_with(move |c| {
                c.smtp_url = Some(buddymatch::config::Secret::new(url));
                c.purge_interval_secs = 1;
            })
            .await;
        (app, sink)
    }
}
