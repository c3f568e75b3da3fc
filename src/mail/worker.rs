//! Delivers the outbox: claims due rows, sends them, records the outcome.
//! Failures back off exponentially; after `max_attempts` a message is marked
//! failed (coordinators see those) rather than dropped.

use super::transport::{build_message, Transport};
use crate::runtime::{blocking, now};
use crate::store::{self, Pool};
use lettre::message::Mailbox;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

#[derive(Debug, Clone)]
pub struct WorkerSettings {
    pub from: Mailbox,
    pub poll: Duration,
    pub max_attempts: i32,
    pub backoff_base_secs: i64,
    pub backoff_max_secs: i64,
    /// How long a claim lasts; a worker that dies mid-send frees its row
    /// after it. Must exceed the transport's timeout (lettre SMTP: 60 s), and
    /// rows are claimed one at a time, so a live worker never loses its claim.
    pub lease_secs: i64,
    /// After the stop signal: how long the email in hand may still take
    /// before its claim is released for another worker.
    pub shutdown_grace: Duration,
    /// Delivery lanes: each claims and sends one email at a time, so an
    /// instance has at most this many emails in hand.
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
}

/// Runs `settings.concurrency` delivery lanes until `stop`, then lets each
/// finish (or release) the email in hand.
pub async fn run(
    pool: Pool,
    transport: Transport,
    settings: WorkerSettings,
    stop: watch::Receiver<bool>,
) {
    let lanes = settings.concurrency.max(1);
    tracing::info!(lanes, "mail delivery worker started");
    let transport = Arc::new(transport);
    let mut running = tokio::task::JoinSet::new();
    for _ in 0..lanes {
        running.spawn(lane(
            pool.clone(),
            transport.clone(),
            settings.clone(),
            stop.clone(),
        ));
    }
    while let Some(done) = running.join_next().await {
        if let Err(e) = done {
            tracing::error!(error = %e, "a mail delivery lane failed");
        }
    }
    tracing::info!("mail delivery worker stopped");
}

async fn lane(
    pool: Pool,
    transport: Arc<Transport>,
    settings: WorkerSettings,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        match deliver_due(&pool, &transport, &settings, &stop).await {
            Ok(0) => {}
            Ok(_) if !*stop.borrow() => continue,
            Ok(_) => break,
            Err(e) => tracing::warn!(error = %e, "outbox poll failed; will retry"),
        }
        tokio::select! {
            _ = tokio::time::sleep(settings.poll) => {}
            _ = stop.changed() => break,
        }
        if *stop.borrow() {
            break;
        }
    }
}

/// One batch. Returns how many messages it handled. A message whose
/// sending outlasts `shutdown_grace` after `stop` is released unsent.
pub async fn deliver_due(
    pool: &Pool,
    transport: &Transport,
    settings: &WorkerSettings,
    stop: &watch::Receiver<bool>,
) -> Result<usize, crate::error::AppError> {
    let p = pool.clone();
    let lease = settings.lease_secs;
    let scan = 2 * settings.concurrency.max(1) as i64;
    let batch = blocking(move || {
        let mut conn = p.get()?;
        Ok(store::db::write_tx(&mut conn, |c| {
            store::outbox::claim_due(c, now(), lease, scan, 1)
        })?)
    })
    .await?;
    let n = batch.len();
    for row in batch {
        let claim = row.locked_until.unwrap_or_default();
        let send = async {
            match build_message(&row, &settings.from) {
                Ok(msg) => transport.send(msg).await,
                Err(e) => Err(e),
            }
        };
        let outcome = tokio::select! {
            outcome = send => outcome,
            _ = grace_over(stop.clone(), settings.shutdown_grace) => {
                // The relay may still accept it after we hang up: then it
                // goes out twice, with the same Message-ID. Keeping the claim
                // instead would hold it back for the whole lease.
                let p = pool.clone();
                let id = row.id.clone();
                blocking(move || {
                    let mut conn = p.get()?;
                    store::outbox::release(&mut conn, &id, claim)?;
                    Ok(())
                })
                .await?;
                tracing::warn!(message_id = %row.message_id, kind = %row.kind, "shutting down: email released unsent for another worker");
                crate::metrics::email_released();
                continue;
            }
        };
        let attempts = row.attempts + 1;
        let p = pool.clone();
        let next = (attempts < settings.max_attempts).then(|| now() + settings.backoff(attempts));
        match &outcome {
            Ok(()) => {
                crate::metrics::email_sent(&row.kind);
                tracing::info!(message_id = %row.message_id, kind = %row.kind, "email delivered")
            }
            Err(e) => {
                if next.is_some() {
                    crate::metrics::email_retried(&row.kind);
                } else {
                    crate::metrics::email_failed(&row.kind);
                }
                tracing::warn!(message_id = %row.message_id, kind = %row.kind, attempts, error = %e, final_attempt = next.is_none(), "email delivery failed")
            }
        }
        blocking(move || {
            let mut conn = p.get()?;
            match outcome {
                Ok(()) => store::outbox::mark_sent(&mut conn, &row.id, claim, now())?,
                Err(e) => store::outbox::mark_attempt_failed(
                    &mut conn, &row.id, claim, attempts, next, &e,
                )?,
            };
            Ok(())
        })
        .await?;
    }
    Ok(n)
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
            poll: Duration::from_secs(1),
            max_attempts: 8,
            backoff_base_secs: 30,
            backoff_max_secs: 3600,
            lease_secs: 300,
            shutdown_grace: Duration::from_secs(1),
            concurrency: 1,
        };
        assert_eq!(s.backoff(1), 30);
        assert_eq!(s.backoff(2), 60);
        assert_eq!(s.backoff(3), 120);
        assert_eq!(s.backoff(10), 3600);
        assert_eq!(s.backoff(1000), 3600);
    }
}
