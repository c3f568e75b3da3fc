//! Prometheus metrics, rendered at `GET /metrics` on the API's own port.
//!
//! Every label takes its values from a small fixed set (route patterns,
//! methods, statuses, round and email kinds), never from user input, so the
//! number of series stays bounded whatever clients send.

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub const HTTP_REQUESTS: &str = "buddymatch_http_requests_total";
pub const HTTP_DURATION: &str = "buddymatch_http_request_duration_seconds";
pub const HTTP_QUERIES: &str = "buddymatch_http_request_queries";
pub const ROUNDS: &str = "buddymatch_rounds_total";
pub const ROUND_DURATION: &str = "buddymatch_round_duration_seconds";
pub const OUTBOX_MESSAGES: &str = "buddymatch_outbox_messages";
pub const OUTBOX_OLDEST_PENDING_AGE: &str = "buddymatch_outbox_oldest_pending_age_seconds";
pub const EMAILS_SENT: &str = "buddymatch_emails_sent_total";
pub const EMAILS_RETRIED: &str = "buddymatch_emails_retried_total";
pub const EMAILS_FAILED: &str = "buddymatch_emails_failed_total";
pub const EMAILS_RELEASED: &str = "buddymatch_emails_released_total";

const HTTP_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
// Database queries per request: a handful for most, more for a round.
const QUERY_BUCKETS: &[f64] = &[1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 32.0, 64.0, 128.0];
// Rounds run from milliseconds (a small cohort) to minutes (100,000 members).
const ROUND_BUCKETS: &[f64] = &[
    0.01, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's recorder, installed on first use. The `metrics` facade has
/// one global recorder, so every server in a process (the tests start many)
/// records into the same one.
pub fn handle() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.into()), HTTP_BUCKETS)
                .and_then(|b| {
                    b.set_buckets_for_metric(Matcher::Full(ROUND_DURATION.into()), ROUND_BUCKETS)
                })
                .and_then(|b| {
                    b.set_buckets_for_metric(Matcher::Full(HTTP_QUERIES.into()), QUERY_BUCKETS)
                })
                .expect("bucket lists are non-empty")
                .build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("another metrics recorder is installed; /metrics will stay empty");
            }
            describe();
            // Histogram samples pile up between scrapes until upkeep folds
            // them into the buckets; without a scraper nothing else would.
            let upkeep = handle.clone();
            std::thread::Builder::new()
                .name("metrics-upkeep".into())
                .spawn(move || loop {
                    std::thread::sleep(Duration::from_secs(5));
                    upkeep.run_upkeep();
                })
                .expect("spawning the metrics upkeep thread");
            handle
        })
        .clone()
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(
        HTTP_REQUESTS,
        "HTTP requests by route pattern, method and status"
    );
    describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "HTTP request latency by route pattern, method and status"
    );
    describe_histogram!(
        HTTP_QUERIES,
        "Database queries per HTTP request by route pattern, method and status"
    );
    describe_counter!(
        ROUNDS,
        "Matching rounds previewed or published, by kind and outcome"
    );
    describe_histogram!(
        ROUND_DURATION,
        Unit::Seconds,
        "Wall time of a round preview or publish, by kind and outcome"
    );
    describe_gauge!(
        OUTBOX_MESSAGES,
        "Outbox emails not yet sent, by status (pending, sending, failed), counted at scrape time"
    );
    describe_gauge!(
        OUTBOX_OLDEST_PENDING_AGE,
        Unit::Seconds,
        "Age of the oldest pending outbox email (0 when none)"
    );
    describe_counter!(EMAILS_SENT, "Emails delivered by this instance, by kind");
    describe_counter!(
        EMAILS_RETRIED,
        "Failed delivery attempts that will be retried, by kind"
    );
    describe_counter!(
        EMAILS_FAILED,
        "Emails that ran out of delivery attempts, by kind"
    );
    describe_counter!(
        EMAILS_RELEASED,
        "Emails handed back unsent because the instance was shutting down"
    );
}

/// The text exposition format (version 0.0.4).
pub fn render() -> String {
    handle().render()
}

/// Route templates only (`/api/v1/rounds/{id}`), never raw paths.
pub fn http_request(method: &str, route: &str, status: u16, elapsed: Duration, queries: u64) {
    // Clients may send any token as a method; keep the label set closed.
    let method = match method {
        "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS" => method,
        _ => "other",
    };
    let labels = [
        ("method", method.to_string()),
        ("route", route.to_string()),
        ("status", status.to_string()),
    ];
    metrics::counter!(HTTP_REQUESTS, &labels).increment(1);
    metrics::histogram!(HTTP_DURATION, &labels).record(elapsed.as_secs_f64());
    metrics::histogram!(HTTP_QUERIES, &labels).record(queries as f64);
}

/// Times a round preview or publish; dropped without `succeeded` it counts
/// as an error, so every early return is counted too.
pub struct RoundTimer {
    operation: &'static str,
    kind: &'static str,
    started: Instant,
    ok: bool,
}

impl RoundTimer {
    /// `kind` is the round's `MatchKind` code: a label of the closed set.
    pub fn start(operation: &'static str, kind: &'static str) -> RoundTimer {
        RoundTimer {
            operation,
            kind,
            started: Instant::now(),
            ok: false,
        }
    }

    pub fn succeeded(mut self) {
        self.ok = true;
    }
}

impl Drop for RoundTimer {
    fn drop(&mut self) {
        let labels = [
            ("operation", self.operation),
            ("kind", self.kind),
            ("outcome", if self.ok { "ok" } else { "error" }),
        ];
        metrics::counter!(ROUNDS, &labels).increment(1);
        metrics::histogram!(ROUND_DURATION, &labels).record(self.started.elapsed().as_secs_f64());
    }
}

/// Sets the outbox gauges; `None` (the database did not answer) shows as
/// NaN rather than a stale figure.
pub fn outbox_backlog(backlog: Option<&crate::store::outbox::Backlog>, now: i64) {
    let nan = f64::NAN;
    let (pending, sending, failed, age) = match backlog {
        Some(b) => (
            b.pending as f64,
            b.sending as f64,
            b.failed as f64,
            b.oldest_pending_at
                .map(|t| (now - t).max(0) as f64)
                .unwrap_or(0.0),
        ),
        None => (nan, nan, nan, nan),
    };
    metrics::gauge!(OUTBOX_MESSAGES, "status" => "pending").set(pending);
    metrics::gauge!(OUTBOX_MESSAGES, "status" => "sending").set(sending);
    metrics::gauge!(OUTBOX_MESSAGES, "status" => "failed").set(failed);
    metrics::gauge!(OUTBOX_OLDEST_PENDING_AGE).set(age);
}

pub fn email_sent(kind: &str) {
    metrics::counter!(EMAILS_SENT, "kind" => kind.to_string()).increment(1);
}

pub fn email_retried(kind: &str) {
    metrics::counter!(EMAILS_RETRIED, "kind" => kind.to_string()).increment(1);
}

pub fn email_failed(kind: &str) {
    metrics::counter!(EMAILS_FAILED, "kind" => kind.to_string()).increment(1);
}

pub fn email_released() {
    metrics::counter!(EMAILS_RELEASED).increment(1);
}
