//! CORS: browsers may call the API from the configured origins only.
//!
//! actix-cors answers a refused preflight itself, with a plain-text 400 that
//! no error handler sees. A preflight is therefore checked here first, and a
//! refusal is a problem+json 403 like any other; actix-cors then only has
//! allowed preflights to answer and CORS headers to add. A non-preflight
//! request from another origin is served without CORS headers, so the
//! browser withholds the response from the page; without a preflight a
//! page can neither send a bearer token nor a JSON body, so such a request
//! changes nothing and reads nothing private.

use crate::error::AppError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{web, ResponseError};

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];
const HEADERS: [header::HeaderName; 2] = [header::AUTHORIZATION, header::CONTENT_TYPE];
const MAX_AGE_SECS: usize = 3600;

/// The origins allowed to call the API from a browser.
#[derive(Debug, Clone, Default)]
pub struct AllowedOrigins(pub Vec<String>);

pub fn cors(origins: &AllowedOrigins) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(METHODS)
        .allowed_headers(HEADERS)
        .max_age(MAX_AGE_SECS);
    for o in &origins.0 {
        cors = cors.allowed_origin(o);
    }
    cors
}

/// Why a preflight is refused, if it is; `None` lets it through.
fn refusal(req: &ServiceRequest, origins: &AllowedOrigins) -> Option<AppError> {
    let origin = req.headers().get(header::ORIGIN)?.to_str().unwrap_or("");
    if !origins.0.iter().any(|o| o == origin) {
        return Some(AppError::forbidden_because(
            "origin_not_allowed",
            format!("browsers may not call this API from the origin {origin:?}"),
        ));
    }
    let method = req
        .headers()
        .get(header::ACCESS_CONTROL_REQUEST_METHOD)
        .and_then(|m| m.to_str().ok())
        .unwrap_or("");
    if !METHODS.contains(&method) {
        return Some(AppError::forbidden_because(
            "cors_not_allowed",
            format!(
                "{method:?} is not allowed from a browser; allowed: {}",
                METHODS.join(", ")
            ),
        ));
    }
    let asked = req
        .headers()
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let unknown: Vec<&str> = asked
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty() && !HEADERS.iter().any(|k| k.as_str().eq_ignore_ascii_case(h)))
        .collect();
    if !unknown.is_empty() {
        return Some(AppError::forbidden_because(
            "cors_not_allowed",
            format!(
                "request headers {unknown:?} are not allowed from a browser; allowed: {}",
                HEADERS.map(|h| h.to_string()).join(", ")
            ),
        ));
    }
    None
}

/// Answers refused preflights with problem+json, before actix-cors does.
pub async fn preflight_refusals(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if !preflight {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let empty = AllowedOrigins::default();
    let refused = match req.app_data::<web::Data<AllowedOrigins>>() {
        Some(origins) => refusal(&req, origins),
        None => refusal(&req, &empty),
    };
    if let Some(problem) = refused {
        return Ok(req.into_response(problem.error_response()));
    }
    let res = next.call(req).await?;
    // What actix-cors still refuses (a preflight without Origin) comes as
    // plain text.
    if res.status().is_client_error() && !is_problem(&res) {
        let (req, res) = res.into_parts();
        let detail = format!(
            "{}: a CORS preflight needs an Origin header",
            res.status().canonical_reason().unwrap_or("refused")
        );
        let problem = AppError::from_status(res.status(), detail).error_response();
        return Ok(ServiceResponse::new(req, problem));
    }
    Ok(res.map_into_boxed_body())
}

fn is_problem<B>(res: &ServiceResponse<B>) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == crate::error::PROBLEM_JSON.as_bytes())
}
