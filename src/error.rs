//! The one error type of the service and its RFC 9457 problem+json form.

use crate::domain::FieldProblem;
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use std::fmt;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// Every code a problem can carry, with its status, in the order of the
/// README's error table: the one list of codes. tests/codes.rs holds the
/// README table, the spec's `ErrorCode` enum (which it regenerates with
/// `BUDDYMATCH_BLESS=1`), the constructors' codes and the tests to it, and a
/// debug build refuses to render a problem with a code not listed here.
pub const CODES: &[(u16, &str)] = &[
    (400, "malformed_json"),
    (400, "empty_body"),
    (400, "invalid_query"),
    (400, "unreadable_body"),
    (400, "bad_request"),
    (401, "missing_token"),
    (401, "invalid_token"),
    (401, "token_expired"),
    (401, "session_ended"),
    (401, "invalid_credentials"),
    (401, "invalid_refresh_token"),
    (403, "forbidden"),
    (403, "password_incorrect"),
    (403, "origin_not_allowed"),
    (403, "cors_not_allowed"),
    (404, "not_found"),
    (404, "profile_not_found"),
    (404, "user_not_found"),
    (405, "method_not_allowed"),
    (400, "invalid_email_token"),
    (404, "round_not_found"),
    (404, "match_not_found"),
    (404, "meeting_not_found"),
    (404, "appointment_not_found"),
    (404, "calendar_feed_not_found"),
    (404, "conflict_not_found"),
    (404, "programme_not_found"),
    (404, "membership_not_found"),
    (403, "programme_closed"),
    (403, "names_not_allowed"),
    (400, "invalid_invitation"),
    (400, "invalid_link"),
    (409, "not_a_coordinator"),
    (409, "programme_name_taken"),
    (409, "email_taken"),
    (409, "own_role"),
    (409, "already_verified"),
    (409, "round_not_draft"),
    (409, "round_not_published"),
    (409, "round_empty"),
    (409, "not_a_group"),
    (409, "already_answered"),
    (409, "match_declined"),
    (409, "demo_loaded"),
    (409, "round_cancelled"),
    (409, "round_changed"),
    (409, "round_unsolvable"),
    (409, "match_not_accepted"),
    (409, "counterpart_not_accepted"),
    (409, "counterpart_declined"),
    (409, "too_many_meetings"),
    (409, "monthly_hours_exceeded"),
    (409, "appointment_cancelled"),
    (409, "conflict"),
    (413, "payload_too_large"),
    (415, "unsupported_media_type"),
    (422, "validation_failed"),
    (429, "too_many_requests"),
    (503, "service_unavailable"),
    (500, "internal_error"),
];

/// The status `code` is answered with, if it is one of [`CODES`]
/// (`bad_request` also stands for the other 4xx statuses actix answers alone).
pub fn code_status(code: &str) -> Option<u16> {
    CODES.iter().find(|(_, c)| *c == code).map(|(s, _)| *s)
}

/// A request error the client can act on. `code` is stable and documented;
/// `detail` is for humans and names the field and the problem.
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    pub errors: Vec<FieldProblem>,
    pub retry_after_secs: Option<u64>,
}

#[derive(Debug)]
pub enum AppError {
    Problem(Box<Problem>),
    /// A bug or an outage: logged in full, answered without details.
    Internal(anyhow::Error),
}

impl AppError {
    fn problem(status: StatusCode, code: &'static str, detail: impl Into<String>) -> AppError {
        AppError::Problem(Box::new(Problem {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after_secs: None,
        }))
    }

    /// Well-formed input that breaks a rule (lengths, ranges, unknown topics).
    pub fn validation(errors: Vec<FieldProblem>) -> AppError {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        AppError::Problem(Box::new(Problem {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "validation_failed",
            detail,
            errors,
            retry_after_secs: None,
        }))
    }

    pub fn invalid_field(field: &str, message: impl Into<String>) -> AppError {
        AppError::validation(vec![FieldProblem::new(field, message)])
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> AppError {
        AppError::problem(StatusCode::BAD_REQUEST, code, detail)
    }
    pub fn unauthorized(code: &'static str, detail: impl Into<String>) -> AppError {
        AppError::problem(StatusCode::UNAUTHORIZED, code, detail)
    }
    pub fn forbidden(detail: impl Into<String>) -> AppError {
        AppError::problem(StatusCode::FORBIDDEN, "forbidden", detail)
    }
    /// Forbidden for a reason the client can fix, with its own code.
    pub fn forbidden_because(code: &'static str, detail: impl Into<String>) -> AppError {
        AppError::problem(StatusCode::FORBIDDEN, code, detail)
    }
    pub fn not_found(code: &'static str, detail: impl Into<String>) -> AppError {
        AppError::problem(StatusCode::NOT_FOUND, code, detail)
    }
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> AppError {
        AppError::problem(StatusCode::CONFLICT, code, detail)
    }
    pub fn email_taken() -> AppError {
        AppError::conflict("email_taken", "an account with this email address exists")
    }
    pub fn payload_too_large(limit: usize) -> AppError {
        AppError::problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("request body is larger than the limit of {limit} bytes"),
        )
    }
    pub fn unsupported_media_type(detail: impl Into<String>) -> AppError {
        AppError::problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            detail,
        )
    }
    pub fn too_many_requests(retry_after_secs: u64, detail: impl Into<String>) -> AppError {
        let mut p = Problem {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "too_many_requests",
            detail: detail.into(),
            errors: Vec::new(),
            retry_after_secs: Some(retry_after_secs.max(1)),
        };
        p.detail = format!(
            "{} Try again in {} seconds.",
            p.detail,
            p.retry_after_secs.unwrap_or(1)
        );
        AppError::Problem(Box::new(p))
    }
    /// The database is busy or away: nothing was changed, and a client may
    /// retry after a moment (said in `Retry-After`, as RFC 9110 allows for 503).
    pub fn unavailable(detail: impl Into<String>) -> AppError {
        let mut e = AppError::problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            detail,
        );
        if let AppError::Problem(p) = &mut e {
            p.retry_after_secs = Some(2);
        }
        e
    }
    /// For statuses actix produces on its own (404 for unknown routes, 405).
    pub fn from_status(status: StatusCode, detail: impl Into<String>) -> AppError {
        let code = match status {
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
            StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
            s if s.is_client_error() => "bad_request",
            _ => "internal_error",
        };
        AppError::problem(status, code, detail)
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Problem(p) => p.code,
            AppError::Internal(_) => "internal_error",
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppError::Problem(p) => write!(f, "{} ({}): {}", p.status.as_u16(), p.code, p.detail),
            AppError::Internal(e) => write!(f, "internal error: {e:#}"),
        }
    }
}

impl std::error::Error for AppError {}

#[derive(serde::Serialize)]
struct ProblemBody<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    detail: &'a str,
    code: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [FieldProblem],
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::Problem(p) => p.status,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let internal_detail = "an unexpected error occurred; it has been logged";
        let (status, code, detail, errors) = match self {
            AppError::Problem(p) => (p.status, p.code, p.detail.as_str(), p.errors.as_slice()),
            AppError::Internal(e) => {
                tracing::error!(error = %format!("{e:#}"), "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal_error",
                    internal_detail,
                    &[][..],
                )
            }
        };
        // A new code goes into CODES first, so the README and the spec list it.
        debug_assert!(
            code_status(code).is_some(),
            "problem code {code} is not in error::CODES"
        );
        let body = ProblemBody {
            kind: format!("/problems/{}", code.replace('_', "-")),
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail,
            code,
            errors,
        };
        let mut res = HttpResponse::build(status);
        res.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        if let AppError::Problem(p) = self {
            if let Some(secs) = p.retry_after_secs {
                res.insert_header((header::RETRY_AFTER, secs.to_string()));
            }
            if p.status == StatusCode::UNAUTHORIZED {
                res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
        }
        res.body(serde_json::to_string(&body).unwrap_or_default())
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                tracing::info!(constraint = ?info.constraint_name(), "unique violation");
                unique_violation(info.constraint_name(), info.message())
            }
            // SQLite's busy timeout ran out: another writer held the lock.
            Error::DatabaseError(_, info) if info.message().contains("database is locked") => {
                AppError::unavailable("the database was busy; retry the request")
            }
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                AppError::unavailable("the database was busy; retry the request")
            }
            // The server went away in the middle of a request, or before it
            // (a pooled connection is handed out unchecked for a moment after
            // a clean use, so the first sign of an outage can be a query
            // that cannot be sent).
            Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _,
            ) => AppError::unavailable("the database is not reachable right now; retry shortly"),
            other => AppError::Internal(anyhow::Error::new(other).context("database query failed")),
        }
    }
}

/// A unique key with a documented code of its own; any other key is
/// `conflict`. PostgreSQL names the violated constraint, SQLite only its
/// columns ("UNIQUE constraint failed: users.email"), so a key has both.
struct UniqueKey {
    constraint: &'static str,
    columns: &'static str,
    error: fn() -> AppError,
}

const UNIQUE_KEYS: &[UniqueKey] = &[UniqueKey {
    constraint: "users_email_key",
    columns: "users.email",
    error: AppError::email_taken,
}];

fn unique_violation(constraint: Option<&str>, message: &str) -> AppError {
    let columns = message.strip_prefix("UNIQUE constraint failed: ");
    match UNIQUE_KEYS
        .iter()
        .find(|k| constraint == Some(k.constraint) || columns == Some(k.columns))
    {
        Some(key) => (key.error)(),
        None => AppError::conflict("conflict", "this conflicts with data that already exists"),
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        tracing::warn!(error = %e, "no database connection");
        AppError::unavailable("the database is not reachable right now; retry shortly")
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        AppError::Internal(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    #[test]
    fn problems_render_as_rfc9457() {
        let res = AppError::too_many_requests(30, "Too many failed logins.").error_response();
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            res.headers().get(header::CONTENT_TYPE).unwrap(),
            PROBLEM_JSON
        );
        assert_eq!(res.headers().get(header::RETRY_AFTER).unwrap(), "30");
        let body = res.into_body().try_into_bytes().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["status"], 429);
        assert_eq!(v["type"], "/problems/too-many-requests");
        assert_eq!(v["title"], "Too Many Requests");
    }

    #[test]
    fn unique_violations_answer_their_key_code_on_both_backends() {
        use diesel::result::{DatabaseErrorKind, Error};
        let violation = |message: &str| {
            AppError::from(Error::DatabaseError(
                DatabaseErrorKind::UniqueViolation,
                Box::new(message.to_string()),
            ))
        };
        assert_eq!(
            violation("UNIQUE constraint failed: users.email").code(),
            "email_taken"
        );
        assert_eq!(
            unique_violation(Some("users_email_key"), "duplicate key").code(),
            "email_taken"
        );
        assert_eq!(
            violation("UNIQUE constraint failed: rounds.number").code(),
            "conflict"
        );
        assert_eq!(
            unique_violation(Some("rounds_number_key"), "duplicate key").code(),
            "conflict"
        );
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let res = AppError::Internal(anyhow::anyhow!("secret detail")).error_response();
        let body = res.into_body().try_into_bytes().unwrap();
        let body = String::from_utf8_lossy(&body);
        assert!(!body.contains("secret"));
        assert!(body.contains(r#""code":"internal_error""#), "{body}");
    }
}
