use super::json::ApiJson;
use crate::auth::{AuthUser, Coordinator};
use crate::domain::{
    Domain, Experience, LearningForm, MeetingMode, Profession, ProfileDraft, Province, Registration,
};
use crate::error::AppError;
use crate::service::profiles::{self, MemberQuery};
use crate::service::{blocking, reading, AppState};
use actix_web::{web, HttpResponse};

/// The profile as clients send it. PUT and PATCH share it: every field is
/// optional here so that validation can report all missing fields at once.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileBody {
    domain: Option<Domain>,
    profession: Option<Profession>,
    experience: Option<Experience>,
    registration: Option<Registration>,
    province: Option<Province>,
    languages: Option<Vec<String>>,
    forms: Option<Vec<LearningForm>>,
    host_capacity: Option<u8>,
    hours_per_month: Option<u8>,
    meeting_modes: Option<Vec<MeetingMode>>,
    max_travel_km: Option<u16>,
    topics_wanted: Option<Vec<String>>,
    topics_offered: Option<Vec<String>>,
    learning_goal: Option<String>,
    paused: Option<bool>,
    offers_to_convene: Option<bool>,
    /// Empty clears it.
    organisation: Option<String>,
    team: Option<String>,
    /// What matches may see; asked (required) when the profile is first saved.
    sharing: Option<super::accounts::SharingBody>,
}

impl From<ProfileBody> for ProfileDraft {
    fn from(b: ProfileBody) -> Self {
        ProfileDraft {
            domain: b.domain,
            profession: b.profession,
            experience: b.experience,
            registration: b.registration,
            province: b.province,
            languages: b.languages,
            forms: b.forms,
            host_capacity: b.host_capacity,
            hours_per_month: b.hours_per_month,
            meeting_modes: b.meeting_modes,
            max_travel_km: b.max_travel_km,
            topics_wanted: b.topics_wanted,
            topics_offered: b.topics_offered,
            learning_goal: b.learning_goal,
            paused: b.paused,
            offers_to_convene: b.offers_to_convene,
            organisation: b.organisation,
            team: b.team,
        }
    }
}

pub async fn get(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let p = reading(state.inline_reads(), move || {
        profiles::get(&state, &user.id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(p))
}

pub async fn put(
    user: AuthUser,
    state: web::Data<AppState>,
    body: ApiJson<ProfileBody>,
) -> Result<HttpResponse, AppError> {
    let mut body = body.0;
    let sharing = body.sharing.take().map(Into::into);
    let draft = ProfileDraft::from(body);
    let p = blocking(move || profiles::replace(&state, &user.id, draft, sharing)).await?;
    Ok(HttpResponse::Ok().json(p))
}

pub async fn patch(
    user: AuthUser,
    state: web::Data<AppState>,
    body: ApiJson<ProfileBody>,
) -> Result<HttpResponse, AppError> {
    let mut body = body.0;
    let sharing = body.sharing.take().map(Into::into);
    let draft = ProfileDraft::from(body);
    let p = blocking(move || profiles::update(&state, &user.id, draft, sharing)).await?;
    Ok(HttpResponse::Ok().json(p))
}

pub async fn topics(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let t = reading(state.inline_reads(), move || profiles::all_topics(&state)).await?;
    Ok(HttpResponse::Ok().json(t))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MembersParams {
    domain: Option<Domain>,
    province: Option<Province>,
    profession: Option<Profession>,
    form: Option<LearningForm>,
    paused: Option<bool>,
    page: Option<u32>,
    per_page: Option<u32>,
}

impl MembersParams {
    pub(super) fn query(self) -> MemberQuery {
        MemberQuery {
            domain: self.domain,
            province: self.province,
            profession: self.profession,
            form: self.form,
            paused: self.paused,
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(25),
        }
    }
}

pub async fn list_members(
    Coordinator(c): Coordinator,
    state: web::Data<AppState>,
    q: web::Query<MembersParams>,
) -> Result<HttpResponse, AppError> {
    let query = q.into_inner().query();
    let page = blocking(move || profiles::list_members(&state, &c, query)).await?;
    Ok(HttpResponse::Ok().json(page))
}
