use super::json::ApiJson;
use crate::auth::Coordinator;
use crate::error::AppError;
use crate::service::{blocking, conflicts, AppState};
use actix_web::{web, HttpResponse};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConflictBody {
    members: [String; 2],
    #[serde(default)]
    note: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    member: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

pub async fn register(
    Coordinator(c): Coordinator,
    state: web::Data<AppState>,
    body: ApiJson<ConflictBody>,
) -> Result<HttpResponse, AppError> {
    let b = body.0;
    let (view, created) =
        blocking(move || conflicts::register(&state, &c, b.members, &b.note)).await?;
    Ok(if created {
        super::created(format!("/api/v1/conflicts/{}", view.id), view)
    } else {
        HttpResponse::Ok().json(view)
    })
}

pub async fn list(
    Coordinator(c): Coordinator,
    state: web::Data<AppState>,
    q: web::Query<ListParams>,
) -> Result<HttpResponse, AppError> {
    let p = q.into_inner();
    let out = blocking(move || {
        conflicts::list(
            &state,
            &c,
            p.member.as_deref(),
            p.page.unwrap_or(1),
            p.per_page.unwrap_or(25),
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn remove(
    Coordinator(c): Coordinator,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    blocking(move || conflicts::remove(&state, &c, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
