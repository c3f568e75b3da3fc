//! Appointments in matches and the member's calendar feed.

use super::json::ApiJson;
use super::rounds::PageParams;
use crate::auth::AuthUser;
use crate::error::AppError;
use crate::service::appointments::{self, Changes, NewAppointment};
use crate::service::paging::Page;
use crate::service::{blocking, AppState};
use actix_web::{web, HttpResponse};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppointmentBody {
    starts_at: String,
    duration_minutes: i64,
    mode: String,
    location: Option<String>,
    online_url: Option<String>,
    note: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangesBody {
    starts_at: Option<String>,
    duration_minutes: Option<i64>,
    mode: Option<String>,
    /// An empty string clears it (`null` is refused, as everywhere).
    location: Option<String>,
    online_url: Option<String>,
    note: Option<String>,
}

pub async fn propose(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: ApiJson<AppointmentBody>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let b = body.0;
    let a = NewAppointment {
        starts_at: b.starts_at,
        duration_minutes: b.duration_minutes,
        mode: b.mode,
        location: b.location,
        online_url: b.online_url,
        note: b.note,
    };
    let out = blocking(move || appointments::propose(&state, &user.id, &id, a)).await?;
    Ok(super::created(
        format!("/api/v1/me/appointments/{}", out.id),
        out,
    ))
}

pub async fn change(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: ApiJson<ChangesBody>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let b = body.0;
    let c = Changes {
        starts_at: b.starts_at,
        duration_minutes: b.duration_minutes,
        mode: b.mode,
        location: b.location.map(Some),
        online_url: b.online_url.map(Some),
        note: b.note.map(Some),
    };
    let out = blocking(move || appointments::change(&state, &user.id, &id, c)).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn cancel(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    blocking(move || appointments::cancel(&state, &user.id, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn get(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let out = blocking(move || appointments::get(&state, &user.id, &id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn mine(
    user: AuthUser,
    state: web::Data<AppState>,
    q: web::Query<PageParams>,
) -> Result<HttpResponse, AppError> {
    let (page, per_page) = q.resolve();
    let out =
        blocking(move || Page::of(appointments::mine(&state, &user.id)?, page, per_page)).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn rotate_feed(
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let out = blocking(move || appointments::rotate_feed(&state, &user.id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn revoke_feed(
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    blocking(move || appointments::revoke_feed(&state, &user.id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// No login: the secret in the path is the key (calendar apps cannot log
/// in). An unknown or revoked secret is a plain 404.
pub async fn feed(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    let out = blocking(move || appointments::feed(&state, &token)).await?;
    match out {
        Some(body) => Ok(HttpResponse::Ok()
            .content_type("text/calendar; charset=utf-8")
            .body(body)),
        None => Err(AppError::not_found(
            "calendar_feed_not_found",
            "no calendar feed has this address",
        )),
    }
}
