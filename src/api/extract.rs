//! Authentication as extractors: a handler's signature says who may call it
//! (`AuthUser`, `Coordinator`, `Admin`, defined in `auth::caller`).
//!
//! The token proves who the caller was when it was issued; one query per
//! request (two primary-key lookups) confirms the account still exists, is
//! not erased, and that the login the token belongs to has not been ended,
//! and reads the role as it is now. So a logout, a password change or reset,
//! a demotion or an erasure takes effect at once instead of when the token
//! expires.

use crate::auth::jwt::TokenError;
use crate::auth::{Admin, AuthUser, Coordinator};
use crate::domain::Role;
use crate::error::AppError;
use crate::runtime::{before_any_data, note_login, LoginCheck};
use crate::service::{accounts, blocking, now, AppState};
use actix_web::dev::Payload;
use actix_web::{http::header, web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

fn state(req: &HttpRequest) -> Result<web::Data<AppState>, AppError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("AppState missing from app data")))
}

/// The subject, session and role of a valid bearer token.
fn token_subject(req: &HttpRequest, state: &AppState) -> Result<(String, String, Role), AppError> {
    let value = req.headers().get(header::AUTHORIZATION).ok_or_else(|| {
        AppError::unauthorized(
            "missing_token",
            "this endpoint needs an Authorization: Bearer <access token> header",
        )
    })?;
    let token = value
        .to_str()
        .ok()
        .and_then(crate::auth::bearer_token)
        .ok_or_else(|| {
            AppError::unauthorized(
                "invalid_token",
                "the Authorization header must be \"Bearer <access token>\"",
            )
        })?;
    match state.keys.verify(token, now() as u64) {
        Ok(c) => Ok((c.sub, c.sid, c.role)),
        Err(TokenError::Expired) => Err(AppError::unauthorized(
            "token_expired",
            "the access token has expired; get a new one from POST /api/v1/auth/refresh",
        )),
        Err(TokenError::Invalid) => Err(AppError::unauthorized(
            "invalid_token",
            "the access token is not valid (malformed, tampered with, or from another issuer)",
        )),
    }
}

fn authenticate(
    req: &HttpRequest,
    needed: Role,
) -> LocalBoxFuture<'static, Result<AuthUser, AppError>> {
    let checked = state(req).and_then(|s| token_subject(req, &s).map(|t| (s, t)));
    Box::pin(async move {
        let (state, (sub, sid, role)) = checked?;
        // A new role ends every login of the account, so while the token's
        // login is on, its role is the account's.
        if role.at_least(needed) && accounts::checked_role(&state, &sub, &sid) == Some(role) {
            note_login(LoginCheck::Cached);
            return Ok(AuthUser { id: sub, role });
        }
        note_login(LoginCheck::Checked);
        let id = sub.clone();
        let check = move || match accounts::current_role(&state, &id, &sid)? {
            now if now == role => Ok(()),
            _ => Err(accounts::session_ended()),
        };
        if !role.at_least(needed) {
            // An ended login is told so before it is told it may not.
            blocking(check).await?;
            return Err(AppError::forbidden(format!(
                "this needs the {needed} role; you are a {role}"
            )));
        }
        before_any_data(Box::new(check)).await?;
        Ok(AuthUser { id: sub, role })
    })
}

/// Runs a deferred login check that no database work of the request ran
/// (see `runtime::before_any_data`). Innermost of the middleware, so its
/// refusal is a problem response with every header like any other.
pub async fn settle_login_checks(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let res = next.call(req).await?;
    match crate::runtime::settle_checks().await {
        Ok(()) => Ok(res.map_into_boxed_body()),
        Err(e) => {
            let (req, _) = res.into_parts();
            Ok(actix_web::dev::ServiceResponse::from_err(e, req))
        }
    }
}

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        authenticate(req, Role::Member)
    }
}

impl FromRequest for Coordinator {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let f = authenticate(req, Role::Coordinator);
        Box::pin(async move { f.await.map(Coordinator) })
    }
}

impl FromRequest for Admin {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let f = authenticate(req, Role::Admin);
        Box::pin(async move { f.await.map(Admin) })
    }
}
