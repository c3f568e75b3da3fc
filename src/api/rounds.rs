use super::json::ApiJson;
use crate::auth::{AuthUser, Coordinator};
use crate::domain::MatchKind;
use crate::error::AppError;
use crate::service::paging::Page;
use crate::service::rounds::{self, Cohort, MeetingWindow, NewRound, Settings};
use crate::service::{blocking, evidence, matches, reading, AppState};
use actix_web::{web, HttpResponse};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundBody {
    programme_id: String,
    kind: MatchKind,
    #[serde(default)]
    cohort: Cohort,
    #[serde(default)]
    settings: Settings,
    #[serde(default)]
    note: String,
    #[serde(default)]
    meeting_window: MeetingWindow,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    page: Option<u32>,
    per_page: Option<u32>,
}

impl PageParams {
    /// (page, per_page) with the defaults every list uses.
    pub(super) fn resolve(&self) -> (u32, u32) {
        (self.page.unwrap_or(1), self.per_page.unwrap_or(25))
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclineBody {
    reason: Option<String>,
}

pub async fn create(
    Coordinator(c): Coordinator,
    state: web::Data<AppState>,
    body: ApiJson<RoundBody>,
) -> Result<HttpResponse, AppError> {
    let b = body.0;
    let new = NewRound {
        programme_id: b.programme_id,
        kind: b.kind,
        cohort: b.cohort,
        settings: b.settings,
        note: b.note,
        meeting_window: b.meeting_window,
    };
    let round = blocking(move || rounds::create(&state, &c, new)).await?;
    Ok(super::created(
        format!("/api/v1/rounds/{}", round.id),
        round,
    ))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundListParams {
    page: Option<u32>,
    per_page: Option<u32>,
    programme: Option<String>,
}

pub async fn list(
    Coordinator(c): Coordinator,
    state: web::Data<AppState>,
    q: web::Query<RoundListParams>,
) -> Result<HttpResponse, AppError> {
    let RoundListParams {
        page,
        per_page,
        programme,
    } = q.into_inner();
    let (page, per_page) = PageParams { page, per_page }.resolve();
    let out =
        blocking(move || rounds::list(&state, &c, programme.as_deref(), page, per_page)).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn detail(
    Coordinator(c): Coordinator,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let out = blocking(move || rounds::detail(&state, &c, &id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn preview(
    Coordinator(c): Coordinator,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let out = blocking(move || rounds::preview(&state, &c, &id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn readiness(
    Coordinator(c): Coordinator,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let out = blocking(move || rounds::readiness(&state, &c, &id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn top_up(
    Coordinator(c): Coordinator,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let round = blocking(move || rounds::top_up(&state, &c, &id)).await?;
    Ok(super::created(
        format!("/api/v1/rounds/{}", round.id),
        round,
    ))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverridesBody {
    #[serde(default)]
    pinned: Vec<Vec<String>>,
    #[serde(default)]
    excluded: Vec<Vec<String>>,
    #[serde(default)]
    force: bool,
    #[serde(default)]
    note: String,
}

pub async fn overrides(
    Coordinator(c): Coordinator,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let out = blocking(move || rounds::overrides::get(&state, &c, &id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn set_overrides(
    Coordinator(c): Coordinator,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: ApiJson<OverridesBody>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let b = body.0;
    let input = rounds::OverridesInput {
        pinned: b.pinned,
        excluded: b.excluded,
        force: b.force,
        note: b.note,
    };
    let out = blocking(move || rounds::overrides::put(&state, &c, &id, input)).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn publish(
    Coordinator(c): Coordinator,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let out = blocking(move || rounds::publish(&state, &c, &id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn cancel(
    Coordinator(c): Coordinator,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let out = blocking(move || rounds::cancel(&state, &c, &id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn my_matches(
    user: AuthUser,
    state: web::Data<AppState>,
    q: web::Query<PageParams>,
) -> Result<HttpResponse, AppError> {
    let (page, per_page) = q.resolve();
    let out = reading(state.inline_reads(), move || {
        Page::of(matches::mine(&state, &user.id)?, page, per_page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn accept(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let out = blocking(move || matches::respond(&state, &user.id, &id, true, None)).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn decline(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: ApiJson<DeclineBody>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let reason = body.0.reason;
    let out = blocking(move || matches::respond(&state, &user.id, &id, false, reason)).await?;
    Ok(HttpResponse::Ok().json(out))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConvenerBody {
    user_id: String,
}

pub async fn set_convener(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: ApiJson<ConvenerBody>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let convener = body.0.user_id;
    let out = blocking(move || matches::set_convener(&state, &user.id, &id, &convener)).await?;
    Ok(HttpResponse::Ok().json(out))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingBody {
    date: String,
    hours: u8,
    reflection: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingBody {
    stars: u8,
    comment: Option<String>,
}

pub async fn record_meeting(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: ApiJson<MeetingBody>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let b = body.0;
    let m = evidence::NewMeeting {
        date: b.date,
        hours: b.hours,
        reflection: b.reflection,
    };
    let out = blocking(move || evidence::record_meeting(&state, &user.id, &id, m)).await?;
    // The new meeting is an entry of the member's learning record, which is
    // where it can be read back.
    Ok(super::created(
        format!("/api/v1/me/learning-record/{}", out.id),
        out,
    ))
}

pub async fn learning_record_entry(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let out = blocking(move || evidence::learning_record_entry(&state, &user.id, &id)).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn learning_record(
    user: AuthUser,
    state: web::Data<AppState>,
    q: web::Query<PageParams>,
) -> Result<HttpResponse, AppError> {
    let (page, per_page) = q.resolve();
    let out =
        blocking(move || Page::of(evidence::learning_record(&state, &user.id)?, page, per_page))
            .await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn rate(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: ApiJson<RatingBody>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let RatingBody { stars, comment } = body.0;
    blocking(move || matches::rate(&state, &user.id, &id, stars, comment)).await?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn failed_mail(
    Coordinator(c): Coordinator,
    state: web::Data<AppState>,
    q: web::Query<PageParams>,
) -> Result<HttpResponse, AppError> {
    let (page, per_page) = q.resolve();
    let out = blocking(move || crate::service::mail::failed(&state, &c, page, per_page)).await?;
    Ok(HttpResponse::Ok().json(out))
}
