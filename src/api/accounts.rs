use super::json::ApiJson;
use crate::auth::{Admin, AuthUser};
use crate::domain::{Locale, Role};
use crate::error::AppError;
use crate::service::{accounts, blocking, reading, AppState};
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
    req: HttpRequest,
    state: web::Data<AppState>,
    body: ApiJson<RegisterBody>,
) -> Result<HttpResponse, AppError> {
    let addr = super::client::address(&req, &state.trusted_proxies);
    let b = body.0;
    let reg = accounts::Registration {
        email: b.email,
        password: b.password,
        display_name: b.display_name,
        locale: b.locale,
    };
    let accepted = blocking(move || accounts::register(&state, reg, addr)).await?;
    Ok(HttpResponse::Accepted().json(accepted))
}

pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: ApiJson<LoginBody>,
) -> Result<HttpResponse, AppError> {
    let addr = super::client::address(&req, &state.trusted_proxies);
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
    let me = reading(state.inline_reads(), move || accounts::me(&state, &user.id)).await?;
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
    let user = blocking(move || accounts::set_role(&state, &admin, &user_id, role)).await?;
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
    req: HttpRequest,
    state: web::Data<AppState>,
    body: ApiJson<TokenBody>,
) -> Result<HttpResponse, AppError> {
    let addr = super::client::address(&req, &state.trusted_proxies);
    let token = body.0.token;
    let user = blocking(move || accounts::verify_email(&state, &token, addr)).await?;
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
    let addr = super::client::address(&req, &state.trusted_proxies);
    let email = body.0.email;
    let checked = state.clone();
    let email = blocking(move || accounts::request_password_reset(&checked, &email, addr)).await?;
    // Looking the address up happens after the answer, so its time does not
    // tell whether the address has an account. A graceful stop waits for it;
    // a failure is logged and the member can ask again.
    let background = state.background.clone();
    background.spawn(async move {
        if let Err(e) = blocking(move || accounts::send_reset_link(&state, &email)).await {
            tracing::error!(error = ?e, "could not send a password-reset link");
        }
    });
    Ok(HttpResponse::Accepted().finish())
}

pub async fn reset_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: ApiJson<ResetBody>,
) -> Result<HttpResponse, AppError> {
    let addr = super::client::address(&req, &state.trusted_proxies);
    let ResetBody { token, password } = body.0;
    blocking(move || accounts::reset_password(&state, &token, &password, addr)).await?;
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

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EraseBody {
    password: String,
}

/// Erases the caller's account; the password is asked again because this
/// cannot be undone.
pub async fn erase(
    user: AuthUser,
    state: web::Data<AppState>,
    body: ApiJson<EraseBody>,
) -> Result<HttpResponse, AppError> {
    let password = body.0.password;
    blocking(move || crate::service::privacy::erase(&state, &user.id, &password)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharingBody {
    phone: Option<String>,
    share_email: bool,
    share_phone: bool,
    share_province: bool,
}

impl From<SharingBody> for crate::service::sharing::Sharing {
    fn from(b: SharingBody) -> Self {
        crate::service::sharing::Sharing {
            phone: b.phone,
            share_email: b.share_email,
            share_phone: b.share_phone,
            share_province: b.share_province,
        }
    }
}

pub async fn sharing(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let out = blocking(move || crate::service::privacy::sharing(&state, &user.id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn set_sharing(
    user: AuthUser,
    state: web::Data<AppState>,
    body: ApiJson<SharingBody>,
) -> Result<HttpResponse, AppError> {
    let s = crate::service::sharing::Sharing::from(body.0);
    let out = blocking(move || crate::service::privacy::set_sharing(&state, &user.id, s)).await?;
    Ok(HttpResponse::Ok().json(out))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    actor_id: Option<String>,
    action: Option<String>,
    target_id: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

impl AuditParams {
    pub(super) fn query(self) -> crate::service::audit::AuditQuery {
        crate::service::audit::AuditQuery {
            actor_id: self.actor_id,
            action: self.action,
            target_id: self.target_id,
            programme_id: None,
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(50),
        }
    }
}

pub async fn audit_log(
    Admin(admin): Admin,
    state: web::Data<AppState>,
    q: web::Query<AuditParams>,
) -> Result<HttpResponse, AppError> {
    let query = q.into_inner().query();
    let out = blocking(move || crate::service::audit::list(&state, &admin, query)).await?;
    Ok(HttpResponse::Ok().json(out))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeBody {
    current_password: String,
    new_password: String,
}

pub async fn change_password(
    user: AuthUser,
    state: web::Data<AppState>,
    body: ApiJson<PasswordChangeBody>,
) -> Result<HttpResponse, AppError> {
    let PasswordChangeBody {
        current_password,
        new_password,
    } = body.0;
    blocking(move || accounts::change_password(&state, &user.id, &current_password, &new_password))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
