use super::accounts::AuditParams;
use super::json::ApiJson;
use super::profile::MembersParams;
use super::rounds::PageParams;
use crate::auth::{Admin, AuthUser, Coordinator};
use crate::error::AppError;
use crate::service::programmes::invitations::{self, Acceptance, MAX_CSV_BYTES};
use crate::service::programmes::{self, NewProgramme, ProgrammeChange};
use crate::service::{blocking, profiles, AppState};
use actix_web::{web, HttpRequest, HttpResponse};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeBody {
    name: String,
    description: Option<String>,
    open: Option<bool>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgrammePatch {
    name: Option<String>,
    description: Option<String>,
    open: Option<bool>,
}

pub async fn create(
    Admin(a): Admin,
    state: web::Data<AppState>,
    body: ApiJson<ProgrammeBody>,
) -> Result<HttpResponse, AppError> {
    let b = body.0;
    let new = NewProgramme {
        name: b.name,
        description: b.description,
        open: b.open,
    };
    let p = blocking(move || programmes::create(&state, &a, new)).await?;
    Ok(super::created(format!("/api/v1/programmes/{}", p.id), p))
}

pub async fn list(
    user: AuthUser,
    state: web::Data<AppState>,
    q: web::Query<PageParams>,
) -> Result<HttpResponse, AppError> {
    let (page, per_page) = q.resolve();
    let out = blocking(move || programmes::list(&state, &user, page, per_page)).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn mine(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let out = blocking(move || programmes::mine(&state, &user)).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn get(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let out = blocking(move || programmes::get(&state, &user, &id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn update(
    Coordinator(c): Coordinator,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: ApiJson<ProgrammePatch>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let b = body.0;
    let change = ProgrammeChange {
        name: b.name,
        description: b.description,
        open: b.open,
    };
    let out = blocking(move || programmes::update(&state, &c, &id, change)).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn assign_coordinator(
    Admin(a): Admin,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, user_id) = path.into_inner();
    let out = blocking(move || programmes::assign_coordinator(&state, &a, &id, &user_id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn remove_coordinator(
    Admin(a): Admin,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, user_id) = path.into_inner();
    blocking(move || programmes::remove_coordinator(&state, &a, &id, &user_id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn members(
    Coordinator(c): Coordinator,
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<MembersParams>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let query = q.into_inner().query();
    let out = blocking(move || profiles::list_programme_members(&state, &c, &id, query)).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn join(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let out = blocking(move || programmes::join(&state, &user, &id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn leave(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    blocking(move || programmes::leave(&state, &user, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn audit_log(
    Coordinator(c): Coordinator,
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<AuditParams>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let query = q.into_inner().query();
    let out = blocking(move || programmes::audit_log(&state, &c, &id, query)).await?;
    Ok(HttpResponse::Ok().json(out))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteParams {
    dry_run: Option<bool>,
}

/// The invitation list comes as `text/csv` (a spreadsheet's export), so it
/// is read here rather than by the JSON extractor, with a limit of its own.
pub async fn invite(
    Coordinator(c): Coordinator,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<InviteParams>,
    mut payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    // Whether the caller may upload here is known before the body is read.
    let (st, actor, pid) = (state.clone(), c.clone(), id.clone());
    blocking(move || programmes::check_coordinates(&st, &actor, &pid)).await?;
    let content_type = super::json::media_type(&req);
    if content_type.as_deref() != Some("text/csv") {
        return Err(AppError::unsupported_media_type(format!(
            "send the list as CSV with Content-Type: text/csv (got {})",
            content_type
                .map(|s| format!("\"{s}\""))
                .unwrap_or_else(|| "no Content-Type".into())
        )));
    }
    let body = super::json::read_body(
        &mut payload,
        MAX_CSV_BYTES,
        "a CSV file whose first line names the columns",
    )
    .await?;
    let dry_run = q.dry_run.unwrap_or(false);
    let out = blocking(move || invitations::import(&state, &c, &id, &body, dry_run)).await?;
    Ok(HttpResponse::Ok().json(out))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptBody {
    token: String,
    password: Option<String>,
    display_name: Option<String>,
}

pub async fn accept_invitation(
    state: web::Data<AppState>,
    body: ApiJson<AcceptBody>,
) -> Result<HttpResponse, AppError> {
    let b = body.0;
    let a = Acceptance {
        token: b.token,
        password: b.password,
        display_name: b.display_name,
    };
    let out = blocking(move || invitations::accept(&state, a)).await?;
    Ok(HttpResponse::Ok().json(out))
}
