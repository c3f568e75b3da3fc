//! Authentication as extractors: a handler's signature says who may call it.

use super::jwt::{JwtKeys, TokenError};
use crate::domain::Role;
use crate::error::AppError;
use actix_web::dev::Payload;
use actix_web::{http::header, web, FromRequest, HttpRequest};
use std::future::{ready, Ready};

#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: String,
    pub role: Role,
}

fn authenticate(req: &HttpRequest) -> Result<AuthUser, AppError> {
    let keys = req
        .app_data::<web::Data<JwtKeys>>()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("JwtKeys missing from app data")))?;
    let value = req.headers().get(header::AUTHORIZATION).ok_or_else(|| {
        AppError::unauthorized(
            "missing_token",
            "this endpoint needs an Authorization: Bearer <access token> header",
        )
    })?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            AppError::unauthorized(
                "invalid_token",
                "the Authorization header must be \"Bearer <access token>\"",
            )
        })?;
    match keys.verify(token) {
        Ok(c) => Ok(AuthUser {
            id: c.sub,
            role: c.role,
        }),
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

fn with_role(req: &HttpRequest, needed: Role) -> Result<AuthUser, AppError> {
    let user = authenticate(req)?;
    if user.role.at_least(needed) {
        Ok(user)
    } else {
        Err(AppError::forbidden(format!(
            "this needs the {needed} role; you are a {}",
            user.role
        )))
    }
}

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

/// A caller with the coordinator role or higher.
#[derive(Debug, Clone)]
pub struct Coordinator(pub AuthUser);

impl FromRequest for Coordinator {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(with_role(req, Role::Coordinator).map(Coordinator))
    }
}

/// A caller with the admin role.
#[derive(Debug, Clone)]
pub struct Admin(pub AuthUser);

impl FromRequest for Admin {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(with_role(req, Role::Admin).map(Admin))
    }
}
