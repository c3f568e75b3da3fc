//! Delivers the outbox. A feeder claims due rows in batches, lanes send
//! them (each over its own relay connection, kept open from one email to the
//! next), and a recorder writes the outcomes in batches. Claims are short
//! leases that a keeper renews while this worker holds them, so a crashed
//! instance's emails are taken over within one lease, while a live one never
//! loses a claim to a slow relay. Failures back off exponentially; a relay's
//! permanent refusal (5xx), or running out of attempts, marks a message
//! failed (coordinators see those) rather than dropping it.

use super::transport::{build_message, SendError, Transport};
use crate::runtime::{blocking, now};
use crate::store::outbox::OutboxRow;
use crate::store::{self, Pool};
use lettre::message::Mailbox;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

#[derive(Debug, Clone)]
pub struct WorkerSettings {
    pub from: Mailbox,
    /// Where replies go, when not to `from`.
    pub reply_to: Option<Mailbox>,
    pub poll: Duration,
    pub max_attempts: i32,
    pub backoff_base_secs: i64,
    pub backoff_max_secs: i64,
    /// How long a claim lasts unless renewed. A live worker renews what it
    /// holds every third of it, so only a dead worker's claims run out, and
    /// another instance takes them over after at most this long.
    pub lease_secs: i64,
    /// After the stop signal: how long the emails in hand may still take
    /// (and their outcomes to be recorded) before their claims are released
    /// for another worker.
    pub shutdown_grace: Duration,
    /// Delivery lanes: each sends one email at a time over its own relay
    /// connection, so an instance has at most this many emails in flight.
    pub concurrency: usize,
}

impl WorkerSettings {
    /// Seconds to wait before attempt `attempts + 1`: base · 2^(attempts−1), capped.
    pub fn backoff(&self, attempts: i32) -> i64 {
        let exp = (attempts - 1).clamp(0, 30) as u32;
        self.backoff_base_secs
            .saturating_mul(1i64 << exp)
            .min(self.backoff_max_secs)
    }

    /// Rows claimed at once: enough to keep every lane busy until the next
    /// claim, few enough that a stopping worker has little to hand back.
    fn batch(&self) -> usize {
        self.concurrency.max(1) * 2
    }

    /// How long before a claim's recorded end this worker stops counting on
    /// it: the clocks of the instances and the whole seconds stored differ
    /// by a little, and a send still running then is cut off.
    fn margin(&self) -> Duration {
        Duration::from_secs((self.lease_secs as u64 / 4).max(2))
    }

    fn renew_every(&self) -> Duration {
        Duration::from_secs((self.lease_secs as u64 / 3).max(1))
    }
}

/// What this worker holds: each claimed row's claim token and until when
/// the claim is known to be ours (the last lease written, less a margin).
#[derive(Default)]
struct Held {
    rows: Mutex<HashMap<String, Hold>>,
}

struct Hold {
    claim: Arc<str>,
    valid_until: Instant,
}

impl Held {
    fn add(&self, rows: &[OutboxRow], claim: &Arc<str>, valid_until: Instant) {
        let mut held = self.rows.lock().unwrap();
        for r in rows {
            held.insert(
                r.id.clone(),
                Hold {
                    claim: claim.clone(),
                    valid_until,
                },
            );
        }
    }

    fn remove(&self, id: &str) {
        self.rows.lock().unwrap().remove(id);
    }

    fn valid_until(&self, id: &str) -> Option<Instant> {
        self.rows.lock().unwrap().get(id).map(|h| h.valid_until)
    }

    /// (ids, distinct claim tokens) held right now.
    fn snapshot(&self) -> (Vec<String>, Vec<String>) {
        let held = self.rows.lock().unwrap();
        let ids = held.keys().cloned().collect();
        let mut claims: Vec<String> = held.values().map(|h| h.claim.to_string()).collect();
        claims.sort();
        claims.dedup();
        (ids, claims)
    }

    fn extend(&self, ids: &[String], valid_until: Instant) {
        let mut held = self.rows.lock().unwrap();
        for id in ids {
            if let Some(h) = held.get_mut(id) {
                h.valid_until = h.valid_until.max(valid_until);
            }
        }
    }
}

/// A claimed row on its way to a lane.
struct Claimed {
    row: OutboxRow,
    claim: Arc<str>,
}

/// What a lane learnt about one email, for the recorder.
struct Outcome {
    row: OutboxRow,
    claim: Arc<str>,
    result: Result<(), SendError>,
}

/// Runs the feeder, `settings.concurrency` delivery lanes, the recorder and
/// the keeper until `stop`; then lets each lane finish (or release) the
/// email in hand, hands back what was claimed but not started, and records
/// what was sent.
pub async fn run(
    pool: Pool,
    transport: Transport,
    settings: WorkerSettings,
    stop: watch::Receiver<bool>,
) {
    let lanes = settings.concurrency.max(1);
    tracing::info!(lanes, "mail delivery worker started");
    let transport = Arc::new(transport);
    let held = Arc::new(Held::default());
    let (queue_tx, queue_rx) = mpsc::channel::<Claimed>(settings.batch() * 2);
    let queue_rx = Arc::new(tokio::sync::Mutex::new(queue_rx));
    let (outcome_tx, outcome_rx) = mpsc::unbounded_channel::<Outcome>();
    let (done_tx, done_rx) = watch::channel(false);

    let keeper = tokio::spawn(keep_claims(
        pool.clone(),
        held.clone(),
        settings.clone(),
        done_rx,
    ));
    let recorder = tokio::spawn(record(
        pool.clone(),
        held.clone(),
        settings.clone(),
        outcome_rx,
        stop.clone(),
    ));
    let mut running = tokio::task::JoinSet::new();
    for _ in 0..lanes {
        running.spawn(lane(
            pool.clone(),
            transport.clone(),
            held.clone(),
            settings.clone(),
            queue_rx.clone(),
            outcome_tx.clone(),
            stop.clone(),
        ));
    }
    drop(outcome_tx);
    feed(&pool, &held, &settings, queue_tx, stop).await;
    while let Some(done) = running.join_next().await {
        if let Err(e) = done {
            tracing::error!(error = %e, "a mail delivery lane failed");
        }
    }
    // Claimed, never started: back to pending at once.
    let mut left = Vec::new();
    while let Ok(c) = queue_rx.lock().await.try_recv() {
        left.push((c.row.id, c.claim.to_string()));
    }
    if !left.is_empty() {
        let n = left.len();
        match release(&pool, left, &held).await {
            Ok(()) => tracing::info!(emails = n, "shutting down: claimed emails released"),
            Err(e) => {
                tracing::warn!(error = %e, emails = n, "could not release claimed emails; they are taken over when their lease ends")
            }
        }
    }
    if let Err(e) = recorder.await {
        tracing::error!(error = %e, "the mail outcome recorder failed");
    }
    let _ = done_tx.send(true);
    let _ = keeper.await;
    tracing::info!("mail delivery worker stopped");
}

/// Claims due rows a batch at a time while the lanes have room for them.
async fn feed(
    pool: &Pool,
    held: &Held,
    settings: &WorkerSettings,
    queue: mpsc::Sender<Claimed>,
    mut stop: watch::Receiver<bool>,
) {
    let batch = settings.batch();
    loop {
        let permits = tokio::select! {
            p = queue.reserve_many(batch) => p,
            _ = stop.wait_for(|s| *s) => break,
        };
        let Ok(permits) = permits else { break };
        let claim: Arc<str> = uuid::Uuid::new_v4().to_string().into();
        let started = Instant::now();
        let (p, token, lease) = (pool.clone(), claim.to_string(), settings.lease_secs);
        let want = batch as i64;
        let (mine, _) = held.snapshot();
        let claimed = blocking(move || {
            let mut conn = p.get()?;
            Ok(store::db::write_tx(&mut conn, |c| {
                store::outbox::claim_due(c, &token, now(), lease, want, &mine)
            })?)
        })
        .await;
        let rows = match claimed {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!(error = %e, "outbox poll failed; will retry");
                Vec::new()
            }
        };
        let full = rows.len() == batch;
        let valid_until = started + Duration::from_secs(lease as u64) - settings.margin();
        held.add(&rows, &claim, valid_until);
        for (row, permit) in rows.into_iter().zip(permits) {
            permit.send(Claimed {
                row,
                claim: claim.clone(),
            });
        }
        if full {
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(settings.poll) => {}
            _ = stop.wait_for(|s| *s) => break,
        }
    }
}

/// Sends one email at a time from the queue until `stop`.
async fn lane(
    pool: Pool,
    transport: Arc<Transport>,
    held: Arc<Held>,
    settings: WorkerSettings,
    queue: Arc<tokio::sync::Mutex<mpsc::Receiver<Claimed>>>,
    outcomes: mpsc::UnboundedSender<Outcome>,
    mut stop: watch::Receiver<bool>,
) {
    let mut session = transport.session();
    loop {
        let next = tokio::select! {
            biased;
            _ = stop.wait_for(|s| *s) => break,
            next = async { queue.lock().await.recv().await } => next,
        };
        let Some(Claimed { row, claim }) = next else {
            break;
        };
        if held
            .valid_until(&row.id)
            .is_none_or(|until| until <= Instant::now())
        {
            // Waited in the queue while its claim could not be renewed.
            held.remove(&row.id);
            continue;
        }
        let msg = match build_message(&row, &settings.from, settings.reply_to.as_ref()) {
            Ok(msg) => msg,
            Err(e) => {
                let _ = outcomes.send(Outcome {
                    row,
                    claim,
                    result: Err(e),
                });
                continue;
            }
        };
        // A send cut off here drops its connection with it (the session
        // holds none while sending), so the relay discards the unfinished
        // message and no later email rides on a connection in an unknown state.
        let step = tokio::select! {
            result = session.send(&msg) => Step::Done(result),
            _ = claim_lapses(&held, &row.id) => Step::ClaimLapsed,
            _ = grace_over(stop.clone(), settings.shutdown_grace) => Step::GraceOver,
        };
        let result = match step {
            Step::Done(result) => result,
            Step::ClaimLapsed => {
                // The claim could not be renewed (the database did not
                // answer): another worker may take the email over, so this
                // one must not also send it.
                held.remove(&row.id);
                tracing::warn!(message_id = %row.message_id, kind = %row.kind, "claim could not be renewed; email left to the next worker");
                continue;
            }
            Step::GraceOver => {
                // The relay may still accept it after we hang up: then it
                // goes out twice, with the same Message-ID. Keeping the claim
                // instead would hold it back for the whole lease.
                let rows = vec![(row.id.clone(), claim.to_string())];
                if let Err(e) = release(&pool, rows, &held).await {
                    tracing::warn!(error = %e, "could not release an email; it is taken over when its lease ends");
                }
                tracing::warn!(message_id = %row.message_id, kind = %row.kind, "shutting down: email released unsent for another worker");
                crate::metrics::email_released();
                break;
            }
        };
        let _ = outcomes.send(Outcome { row, claim, result });
    }
}

/// How one email's send ended.
enum Step {
    Done(Result<(), SendError>),
    ClaimLapsed,
    GraceOver,
}

/// Resolves once the claim on `id` is no longer known to be ours.
async fn claim_lapses(held: &Held, id: &str) {
    loop {
        match held.valid_until(id) {
            Some(until) if until > Instant::now() => tokio::time::sleep_until(until).await,
            _ => return,
        }
    }
}

/// Writes outcomes, many to a transaction, and retries a write that fails
/// until it lands: an email the relay took must not be sent again because
/// the database connection dropped as we marked it. Its claim stays held
/// (and renewed) meanwhile. After `stop` it keeps trying for the shutdown
/// grace.
async fn record(
    pool: Pool,
    held: Arc<Held>,
    settings: WorkerSettings,
    mut outcomes: mpsc::UnboundedReceiver<Outcome>,
    stop: watch::Receiver<bool>,
) {
    const MOST: usize = 256;
    let mut batch = Vec::with_capacity(MOST);
    while outcomes.recv_many(&mut batch, MOST).await > 0 {
        let mut marks: Vec<Mark> = batch.drain(..).map(|o| Mark::of(o, &settings)).collect();
        // The lock order of store/outbox.rs: in the order the sends ended,
        // a batch could hold one row and wait for another that an erasure
        // holds while it waits for the first. The ids are UUIDs, whose text
        // sorts alike bytewise and under the database's collation.
        marks.sort_by(|a, b| a.id.cmp(&b.id));
        let mut wait = Duration::from_millis(50);
        let mut gave_up_at = None;
        loop {
            let (p, m) = (pool.clone(), marks.clone());
            let landed = blocking(move || {
                let mut conn = p.get()?;
                let t = now();
                Ok(store::db::write_tx(&mut conn, |c| {
                    m.iter()
                        .map(|m| m.apply(c, t))
                        .collect::<Result<Vec<_>, _>>()
                })?)
            })
            .await;
            match landed {
                Ok(counts) => {
                    for (m, n) in marks.iter().zip(counts) {
                        m.log(n);
                        held.remove(&m.id);
                    }
                    break;
                }
                Err(e) => {
                    if *stop.borrow() {
                        let since = *gave_up_at.get_or_insert_with(Instant::now);
                        if since.elapsed() >= settings.shutdown_grace {
                            tracing::error!(error = %e, emails = marks.len(), "shutting down: could not record the outcome of emails; those sent may be sent again");
                            break;
                        }
                    }
                    tracing::warn!(error = %e, emails = marks.len(), "recording email outcomes failed; retrying");
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(2));
                }
            }
        }
    }
}

/// One outcome as the row should record it.
#[derive(Clone)]
struct Mark {
    id: String,
    message_id: String,
    kind: String,
    claim: Arc<str>,
    /// `None`: sent. Otherwise the attempts so far, when to try again
    /// (`None`: never), and why it failed.
    failed: Option<(i32, Option<i64>, String)>,
}

impl Mark {
    fn of(o: Outcome, settings: &WorkerSettings) -> Mark {
        let Outcome { row, claim, result } = o;
        let failed = match result {
            Ok(()) => {
                crate::metrics::email_sent(&row.kind);
                None
            }
            Err(e) => {
                let attempts = row.attempts + 1;
                let next = (!e.is_permanent() && attempts < settings.max_attempts)
                    .then(|| now() + settings.backoff(attempts));
                if next.is_some() {
                    crate::metrics::email_retried(&row.kind);
                } else {
                    crate::metrics::email_failed(&row.kind);
                }
                tracing::warn!(message_id = %row.message_id, kind = %row.kind, attempts, error = %e, permanent = e.is_permanent(), final_attempt = next.is_none(), "email delivery failed");
                Some((attempts, next, e.to_string()))
            }
        };
        Mark {
            id: row.id,
            message_id: row.message_id,
            kind: row.kind,
            claim,
            failed,
        }
    }

    fn apply(&self, c: &mut store::DbConnection, t: i64) -> diesel::QueryResult<usize> {
        match &self.failed {
            None => store::outbox::mark_sent(c, &self.id, &self.claim, t),
            Some((attempts, next, error)) => store::outbox::mark_attempt_failed(
                c,
                &self.id,
                &self.claim,
                *attempts,
                *next,
                error,
            ),
        }
    }

    fn log(&self, marked: usize) {
        match (&self.failed, marked) {
            (None, 1) => {
                tracing::info!(message_id = %self.message_id, kind = %self.kind, "email delivered")
            }
            (None, _) => {
                tracing::warn!(message_id = %self.message_id, kind = %self.kind, "email delivered, but its claim had been taken back; the newer claim decides")
            }
            (Some(_), 1) => {}
            (Some(_), _) => {
                tracing::warn!(message_id = %self.message_id, kind = %self.kind, "failed attempt not recorded: the claim had been taken back")
            }
        }
    }
}

/// Renews the claims this worker holds every third of the lease, until
/// `done`.
async fn keep_claims(
    pool: Pool,
    held: Arc<Held>,
    settings: WorkerSettings,
    mut done: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(settings.renew_every()) => {}
            _ = done.wait_for(|d| *d) => return,
        }
        let (ids, claims) = held.snapshot();
        if ids.is_empty() {
            continue;
        }
        let started = Instant::now();
        let lease = settings.lease_secs;
        let p = pool.clone();
        let renewed = blocking(move || {
            let mut conn = p.get()?;
            Ok(store::outbox::renew(
                &mut conn,
                &ids,
                &claims,
                now() + lease,
            )?)
        })
        .await;
        match renewed {
            // Only those: a row it skipped (locked by a mark or an erasure
            // on PostgreSQL) keeps the lease it had.
            Ok(renewed) => held.extend(
                &renewed,
                started + Duration::from_secs(lease as u64) - settings.margin(),
            ),
            Err(e) => tracing::warn!(error = %e, "renewing mail claims failed; will retry"),
        }
    }
}

/// Hands claimed rows back (id, claim) for another worker, at once.
async fn release(
    pool: &Pool,
    rows: Vec<(String, String)>,
    held: &Held,
) -> Result<(), crate::error::AppError> {
    for (id, _) in &rows {
        held.remove(id);
    }
    let p = pool.clone();
    blocking(move || {
        let (ids, claims): (Vec<String>, Vec<String>) = rows.into_iter().unzip();
        let mut conn = p.get()?;
        store::outbox::release(&mut conn, &ids, &claims)?;
        Ok(())
    })
    .await
}

/// Resolves `grace` after `stop` turns true; never, if it never does.
async fn grace_over(mut stop: watch::Receiver<bool>, grace: Duration) {
    if stop.wait_for(|stopped| *stopped).await.is_err() {
        std::future::pending::<()>().await;
    }
    tokio::time::sleep(grace).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let s = WorkerSettings {
            from: "a@b.nl".parse().unwrap(),
            reply_to: None,
            poll: Duration::from_secs(1),
            max_attempts: 8,
            backoff_base_secs: 30,
            backoff_max_secs: 3600,
            lease_secs: 10,
            shutdown_grace: Duration::from_secs(1),
            concurrency: 1,
        };
        assert_eq!(s.backoff(1), 30);
        assert_eq!(s.backoff(2), 60);
        assert_eq!(s.backoff(3), 120);
        assert_eq!(s.backoff(10), 3600);
        assert_eq!(s.backoff(1000), 3600);
        assert!(s.renew_every() + s.margin() < Duration::from_secs(10));
    }
}
