use super::json::ApiJson;
use crate::auth::{Admin, AuthUser};
use crate::domain::{Locale, Role};
use crate::error::AppError;
use crate::service::{accounts, blocking, AppState};
use actix_web::{web, HttpRequest, HttpResponse};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    email: String,
    password: String,
    display_name: String,
    locale: Option<Locale>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    email: String,
    password: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshBody {
    refresh_token: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    role: Role,
}

pub async fn register(
    state: web::Data<AppState>,
    body: ApiJson<RegisterBody>,
) -> Result<HttpResponse, AppError> {
    let b = body.0;
    let reg = accounts::Registration {
        email: b.email,
        password: b.password,
        display_name: b.display_name,
        locale: b.locale,
    };
    let user = blocking(move || accounts::register(&state, reg)).await?;
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, "/api/v1/me"))
        .json(user))
}

pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: ApiJson<LoginBody>,
) -> Result<HttpResponse, AppError> {
    // The peer address, not X-Forwarded-For: a client could forge that header
    // to dodge the per-address limit.
    let addr = req.peer_addr().map(|a| a.ip().to_string());
    let LoginBody { email, password } = body.0;
    let session = blocking(move || accounts::login(&state, &email, &password, addr)).await?;
    Ok(HttpResponse::Ok().json(session))
}

pub async fn refresh(
    state: web::Data<AppState>,
    body: ApiJson<RefreshBody>,
) -> Result<HttpResponse, AppError> {
    let token = body.0.refresh_token;
    let session = blocking(move || accounts::refresh(&state, &token)).await?;
    Ok(HttpResponse::Ok().json(session))
}

pub async fn logout(
    state: web::Data<AppState>,
    body: ApiJson<RefreshBody>,
) -> Result<HttpResponse, AppError> {
    let token = body.0.refresh_token;
    blocking(move || accounts::logout(&state, &token)).await?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn me(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let me = blocking(move || accounts::me(&state, &user.id)).await?;
    Ok(HttpResponse::Ok().json(me))
}

pub async fn set_role(
    Admin(admin): Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: ApiJson<RoleBody>,
) -> Result<HttpResponse, AppError> {
    let user_id = path.into_inner();
    let role = body.0.role;
    let user = blocking(move || accounts::set_role(&state, &admin.id, &user_id, role)).await?;
    Ok(HttpResponse::Ok().json(user))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenBody {
    token: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetRequestBody {
    email: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetBody {
    token: String,
    password: String,
}

pub async fn verify_email(
    state: web::Data<AppState>,
    body: ApiJson<TokenBody>,
) -> Result<HttpResponse, AppError> {
    let token = body.0.token;
    let user = blocking(move || accounts::verify_email(&state, &token)).await?;
    Ok(HttpResponse::Ok().json(user))
}

pub async fn resend_verification(
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    blocking(move || accounts::resend_verification(&state, &user.id)).await?;
    Ok(HttpResponse::Accepted().finish())
}

pub async fn request_password_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: ApiJson<ResetRequestBody>,
) -> Result<HttpResponse, AppError> {
    let addr = req.peer_addr().map(|a| a.ip().to_string());
    let email = body.0.email;
    blocking(move || accounts::request_password_reset(&state, &email, addr)).await?;
    Ok(HttpResponse::Accepted().finish())
}

pub async fn reset_password(
    state: web::Data<AppState>,
    body: ApiJson<ResetBody>,
) -> Result<HttpResponse, AppError> {
    let ResetBody { token, password } = body.0;
    blocking(move || accounts::reset_password(&state, &token, &password)).await?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn export(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let out = blocking(move || crate::service::privacy::export(&state, &user.id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"buddymatch-export.json\"",
        ))
        .json(out))
}
