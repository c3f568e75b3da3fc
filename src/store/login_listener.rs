//! On PostgreSQL, hears when any instance, a command-line tool or anyone's
//! SQL ends a login, changes a role, or erases or deletes an account:
//! triggers on `sessions` and `users` notify the channel [`CHANNEL`]
//! (migration `2026-12-09-000001_login_notifications`), and a connection of
//! this listener's own LISTENs to it and bumps the database's
//! [`LoginEpoch`] for each notification.
//!
//! Cached checks of logins count only while [`Hearing::is_sure`]: after the
//! listener connected and heard a probe it sent through a second connection
//! (a pooler in transaction mode accepts LISTEN and then delivers nothing),
//! and for as long as each later probe comes back in time. Otherwise every
//! request checks its login in the database, as it would without a cache.
//!
//! diesel's connection can only be asked whether a notification arrived,
//! not wait for one, so the listener asks every [`POLL`]: a read of the
//! socket that finds nothing costs microseconds, and a change elsewhere is
//! heard within that time plus the network's.

use super::login_changes::LoginEpoch;
use diesel::connection::SimpleConnection;
use diesel::PgConnection;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

pub const CHANNEL: &str = "buddymatch_logins";

const POLL: Duration = Duration::from_millis(2);
/// How often a probe checks that notifications still arrive.
const PROBE_EVERY: Duration = Duration::from_secs(10);
/// How long a probe may take to come back before the listener is given up.
const PROBE_DEADLINE: Duration = Duration::from_secs(2);
const MAX_RECONNECT_WAIT: Duration = Duration::from_secs(5);

/// Whether this instance hears every change of a login in time, and the
/// count of those changes.
#[derive(Debug, Default)]
pub struct Hearing {
    /// Until when the listener vouches for hearing: each probe heard back
    /// in time renews it, so a listener that stalls (a connection whose
    /// peer went silent, a thread that died) stops being trusted by
    /// itself, without having to notice.
    sure_until: Mutex<Option<Instant>>,
    epoch: LoginEpoch,
}

impl Hearing {
    pub fn new(epoch: LoginEpoch) -> Hearing {
        Hearing {
            sure_until: Mutex::new(None),
            epoch,
        }
    }

    pub fn is_sure(&self) -> bool {
        let until = self.sure_until.lock().unwrap_or_else(|p| p.into_inner());
        until.is_some_and(|t| Instant::now() < t)
    }

    pub fn epoch(&self) -> &LoginEpoch {
        &self.epoch
    }

    /// A probe came back in time. Changes missed while unsure must not be
    /// trusted after, so gaining it voids the checks made before.
    fn heard(&self) {
        let mut until = self.sure_until.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let was_sure = until.is_some_and(|t| now < t);
        *until = Some(now + PROBE_EVERY + PROBE_DEADLINE);
        if !was_sure {
            self.epoch.bump();
        }
    }

    fn lost(&self) {
        let mut until = self.sure_until.lock().unwrap_or_else(|p| p.into_inner());
        *until = None;
        self.epoch.bump();
    }

    #[cfg(test)]
    pub fn set_for_tests(&self, sure: bool) {
        if sure {
            self.heard()
        } else {
            self.lost()
        }
    }
}

/// The running listener: it stops when told to, or soon after the last
/// holder of its `Hearing` lets go of it (a test's app that is dropped).
pub struct ListenerHandle {
    stop: Arc<AtomicBool>,
    stopped: std::sync::mpsc::Receiver<()>,
}

impl ListenerHandle {
    /// Stops the listener and waits for it to close its connections, up to
    /// `within` (a connection attempt to a database that does not answer
    /// may take longer; the process exits anyway then).
    pub fn stop(self, within: Duration) {
        self.stop.store(true, Ordering::Release);
        let _ = self.stopped.recv_timeout(within);
    }
}

/// Starts the listener thread for the database at `url`.
pub fn spawn(url: &str, hearing: &Arc<Hearing>) -> std::io::Result<ListenerHandle> {
    let url = url.to_string();
    let weak = Arc::downgrade(hearing);
    let stop = Arc::new(AtomicBool::new(false));
    let (done, stopped) = std::sync::mpsc::channel();
    let flag = stop.clone();
    std::thread::Builder::new()
        .name("login-listener".into())
        .spawn(move || {
            let alive = Alive {
                hearing: weak,
                stop: flag,
            };
            run(&url, &alive);
            // The connections are closed by now.
            let _ = done.send(());
        })?;
    Ok(ListenerHandle { stop, stopped })
}

/// What the listener asks before each step: is it still wanted?
struct Alive {
    hearing: Weak<Hearing>,
    stop: Arc<AtomicBool>,
}

impl Alive {
    fn upgrade(&self) -> Option<Arc<Hearing>> {
        if self.stop.load(Ordering::Acquire) {
            return None;
        }
        self.hearing.upgrade()
    }

    fn wanted(&self) -> bool {
        !self.stop.load(Ordering::Acquire) && self.hearing.strong_count() > 0
    }
}

fn run(url: &str, hearing: &Alive) {
    let mut wait = Duration::from_millis(100);
    let mut outage = false;
    while hearing.wanted() {
        let stopped = Listener::connect(url).and_then(|mut l| l.serve(hearing, &mut wait));
        let Err(e) = stopped else {
            return;
        };
        if let Some(h) = hearing.upgrade() {
            h.lost();
        }
        // Said once per outage: a database that is away says so already.
        if !outage {
            tracing::warn!(error = %e, "not hearing changes of logins from the database; every request checks its login there until this recovers");
        }
        outage = true;
        let until = Instant::now() + wait;
        while Instant::now() < until && hearing.wanted() {
            std::thread::sleep(Duration::from_millis(100).min(wait));
        }
        wait = (wait * 2).min(MAX_RECONNECT_WAIT);
    }
}

struct Listener {
    listen: PgConnection,
    /// Sends the probes: a notification from the listening connection
    /// itself would prove nothing behind a pooler.
    probe: PgConnection,
    probes_sent: u64,
}

impl Listener {
    fn connect(url: &str) -> Result<Listener, String> {
        let mut listen = super::db::establish_postgres(url).map_err(|e| e.to_string())?;
        listen
            .batch_execute(&format!("LISTEN {CHANNEL}"))
            .map_err(|e| e.to_string())?;
        let probe = super::db::establish_postgres(url).map_err(|e| e.to_string())?;
        Ok(Listener {
            listen,
            probe,
            probes_sent: 0,
        })
    }

    /// Hears until something goes wrong (an error) or the app is gone (ok).
    /// Sets `wait`, the pause before reconnecting, back to its least once a
    /// probe came back: a listener that connects and never hears (behind a
    /// pooler) keeps backing off.
    fn serve(&mut self, hearing: &Alive, wait: &mut Duration) -> Result<(), String> {
        let mine = format!("probe:{}:", uuid::Uuid::new_v4().simple());
        let mut awaited: Option<(String, Instant)> = None;
        let mut next_probe = Instant::now();
        loop {
            let Some(h) = hearing.upgrade() else {
                return Ok(());
            };
            let now = Instant::now();
            match &awaited {
                Some((_, sent)) if now.duration_since(*sent) > PROBE_DEADLINE => {
                    return Err(format!(
                        "a probe sent on channel {CHANNEL} was not heard back within {PROBE_DEADLINE:?}"
                    ));
                }
                None if now >= next_probe => {
                    self.probes_sent += 1;
                    let payload = format!("{mine}{}", self.probes_sent);
                    self.probe
                        .batch_execute(&format!("NOTIFY {CHANNEL}, '{payload}'"))
                        .map_err(|e| e.to_string())?;
                    awaited = Some((payload, now));
                }
                _ => {}
            }
            for n in self.listen.notifications_iter() {
                let payload = n.map_err(|e| e.to_string())?.payload;
                if awaited.as_ref().is_some_and(|(p, _)| *p == payload) {
                    awaited = None;
                    next_probe = Instant::now() + PROBE_EVERY;
                    *wait = Duration::from_millis(100);
                    h.heard();
                } else if !payload.starts_with("probe:") {
                    h.epoch.bump();
                }
            }
            drop(h);
            std::thread::sleep(POLL);
        }
    }
}
