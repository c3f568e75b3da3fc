//! Which reminders a member gets.

use super::json::ApiJson;
use crate::auth::AuthUser;
use crate::error::AppError;
use crate::service::reminders::{self, NotificationSettings};
use crate::service::{blocking, AppState};
use actix_web::{web, HttpResponse};

pub async fn get(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let out = blocking(move || reminders::settings(&state, &user.id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn put(
    user: AuthUser,
    state: web::Data<AppState>,
    body: ApiJson<NotificationSettings>,
) -> Result<HttpResponse, AppError> {
    let s = body.0;
    let out = blocking(move || reminders::save(&state, &user.id, s)).await?;
    Ok(HttpResponse::Ok().json(out))
}
