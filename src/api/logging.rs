//! The request span and the access log line. Query strings can carry
//! secrets (`?access_token=…`, a reset token pasted into the wrong place),
//! so the span holds the route pattern and the path with every query value
//! redacted, never the URI as it came; and a client error's message, which
//! may quote what the client sent, is not recorded either.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Uri;
use actix_web::{Error, HttpMessage};
use std::time::Instant;
use tracing::field::Empty;
use tracing::Span;
use tracing_actix_web::{RequestId, RootSpanBuilder};

pub struct RedactedSpans;

/// When the request started, for the access log's latency.
#[derive(Clone, Copy)]
struct Started(Instant);

const REDACTED: &str = "[redacted]";
const FEED_PREFIX: &str = "/api/v1/calendar/";

/// The path and, when there is a query, its parameter names with every
/// value replaced; a name that does not look like one (too long, or odd
/// characters: perhaps a token without `=`) is replaced too.
pub fn redacted_target(uri: &Uri) -> String {
    // A calendar feed's path is its secret (calendar apps cannot log in).
    let path = match uri.path().strip_prefix(FEED_PREFIX) {
        Some(_) => format!("{FEED_PREFIX}{REDACTED}"),
        None => uri.path().to_string(),
    };
    let path = path.as_str();
    let Some(query) = uri.query() else {
        return path.to_string();
    };
    let plain_name = |n: &str| {
        !n.is_empty()
            && n.len() <= 40
            && n.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_-.[]".contains(&b))
    };
    let params: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((name, _)) if plain_name(name) => format!("{name}={REDACTED}"),
            _ => REDACTED.to_string(),
        })
        .collect();
    format!("{path}?{}", params.join("&"))
}

impl RootSpanBuilder for RedactedSpans {
    fn on_request_start(request: &ServiceRequest) -> Span {
        request.extensions_mut().insert(Started(Instant::now()));
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(|id| id.to_string())
            .unwrap_or_default();
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "default".to_string());
        let method = request.method().as_str().to_string();
        tracing::info_span!(
            "HTTP request",
            http.method = %method,
            http.route = %route,
            http.target = %redacted_target(request.uri()),
            http.flavor = ?request.version(),
            http.status_code = Empty,
            otel.name = %format!("{method} {route}"),
            otel.kind = "server",
            otel.status_code = Empty,
            request_id = %request_id,
            exception.message = Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let (status, error, started) = match outcome {
            Ok(res) => (
                res.status(),
                res.response().error().map(|e| e.to_string()),
                res.request().extensions().get::<Started>().copied(),
            ),
            Err(e) => (
                e.as_response_error().status_code(),
                Some(e.to_string()),
                None,
            ),
        };
        span.record("http.status_code", status.as_u16());
        span.record(
            "otel.status_code",
            if status.is_server_error() {
                "ERROR"
            } else {
                "OK"
            },
        );
        // A server error's message is ours; a client error's may echo input.
        if let (true, Some(e)) = (status.is_server_error(), error) {
            span.record("exception.message", tracing::field::display(e));
        }
        let latency_ms = started.map_or(0, |Started(t)| t.elapsed().as_millis() as u64);
        tracing::info!(parent: &span, status = status.as_u16(), latency_ms, "request finished");
    }
}

#[cfg(test)]
mod tests {
    use super::redacted_target;

    #[test]
    fn query_values_never_reach_the_log() {
        let t = |s: &str| redacted_target(&s.parse().unwrap());
        assert_eq!(t("/api/v1/me"), "/api/v1/me");
        assert_eq!(
            t("/api/v1/me?access_token=eyJhbGci.x.y"),
            "/api/v1/me?access_token=[redacted]"
        );
        assert_eq!(
            t("/api/v1/members?page=2&per_page=10&domain=uwv"),
            "/api/v1/members?page=[redacted]&per_page=[redacted]&domain=[redacted]"
        );
        assert_eq!(t("/x?eyJhbGciOiJIUzI1NiJ9"), "/x?[redacted]");
        assert_eq!(
            t("/api/v1/calendar/abcDEF123.ics"),
            "/api/v1/calendar/[redacted]"
        );
        assert_eq!(
            t(&format!("/x?{}=1&a", "k".repeat(41))),
            "/x?[redacted]&[redacted]"
        );
        assert_eq!(t("/x?"), "/x?");
    }
}
