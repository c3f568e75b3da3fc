//! `GET /metrics` and the middleware that counts and times every request.

use crate::config::Secret;
use crate::error::AppError;
use crate::service::{blocking, health, now, AppState};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{http::header, web, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};
use std::time::Instant;

/// Who may scrape: anyone who reaches the port, unless a token is set;
/// and whether each answer names its database work (`Server-Timing`).
#[derive(Clone)]
pub struct MetricsAccess {
    pub token: Option<Secret>,
    pub server_timing: bool,
}

pub async fn metrics(
    req: HttpRequest,
    state: web::Data<AppState>,
    access: web::Data<MetricsAccess>,
) -> Result<HttpResponse, AppError> {
    if let Some(expected) = &access.token {
        check_token(&req, expected)?;
    }
    let backlog = blocking(move || health::outbox_backlog(&state)).await;
    // An unreachable database must not hide the request metrics, which are
    // what one looks at during that outage.
    let backlog = match backlog {
        Ok(b) => Some(b),
        Err(e) => {
            tracing::warn!(error = %e, "outbox backlog unavailable for /metrics");
            None
        }
    };
    crate::metrics::outbox_backlog(backlog.as_ref(), now());
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(crate::metrics::render()))
}

fn check_token(req: &HttpRequest, expected: &Secret) -> Result<(), AppError> {
    let value = req.headers().get(header::AUTHORIZATION).ok_or_else(|| {
        AppError::unauthorized(
            "missing_token",
            "/metrics needs an Authorization: Bearer <metrics token> header",
        )
    })?;
    let given = value
        .to_str()
        .ok()
        .and_then(crate::auth::bearer_token)
        .unwrap_or_default();
    // Comparing digests keeps the comparison's timing independent of how
    // much of the token a guess got right.
    if Sha256::digest(given.as_bytes()) != Sha256::digest(expected.expose().as_bytes()) {
        return Err(AppError::unauthorized(
            "invalid_token",
            "the metrics token is wrong",
        ));
    }
    Ok(())
}

/// Counts and times each request by its route pattern, after routing and
/// after errors became problem responses, so the status is the one sent.
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let server_timing = req
        .app_data::<web::Data<MetricsAccess>>()
        .is_some_and(|a| a.server_timing);
    let (mut res, work) = crate::runtime::serving_request(next.call(req)).await;
    let queries = work.queries();
    let (route, status) = match &res {
        Ok(r) => (r.request().match_pattern(), r.status()),
        Err(e) => (None, e.as_response_error().status_code()),
    };
    // The front end's catch-all patterns take every address; one that is
    // no page was matched by nothing.
    let route = route.filter(|p| {
        !(status == actix_web::http::StatusCode::NOT_FOUND && super::front_end::catches_all(p))
    });
    crate::metrics::http_request(
        method.as_str(),
        route.as_deref().unwrap_or("unmatched"),
        status.as_u16(),
        started.elapsed(),
        queries.count(),
    );
    if let (true, Ok(r)) = (server_timing, &mut res) {
        let mut value = format!(
            "db;dur={:.3};desc=\"{} queries\"",
            queries.time().as_secs_f64() * 1000.0,
            queries.count()
        );
        // Whether the login was checked with one of those queries, or by
        // a check this instance made lately (the cache of checked logins).
        match work.login() {
            Some(crate::runtime::LoginCheck::Checked) => value.push_str(", login;desc=\"checked\""),
            Some(crate::runtime::LoginCheck::Cached) => value.push_str(", login;desc=\"cached\""),
            None => {}
        }
        if let Ok(v) = header::HeaderValue::from_str(&value) {
            r.headers_mut()
                .insert(header::HeaderName::from_static("server-timing"), v);
        }
    }
    res
}
