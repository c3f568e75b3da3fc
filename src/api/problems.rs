//! Turns the error responses actix makes on its own (unknown route, wrong
//! method) into problem+json, so clients see one error format everywhere.

use crate::error::{AppError, PROBLEM_JSON};
use actix_web::dev::ServiceResponse;
use actix_web::http::{header, StatusCode};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::ResponseError;

pub fn problem_responses<B: 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(to_problem)
}

fn to_problem<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let already = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == PROBLEM_JSON.as_bytes());
    if already {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let (req, _) = res.into_parts();
    let detail = match status {
        StatusCode::NOT_FOUND => format!("there is no resource at {}", req.path()),
        StatusCode::METHOD_NOT_ALLOWED => {
            format!("{} is not allowed on {}", req.method(), req.path())
        }
        s => s.canonical_reason().unwrap_or("request failed").to_string(),
    };
    let problem = AppError::from_status(status, detail).error_response();
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, problem).map_into_right_body(),
    ))
}
