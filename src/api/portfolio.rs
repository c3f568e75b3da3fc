//! The PE portfolio download.

use crate::auth::AuthUser;
use crate::error::AppError;
use crate::service::portfolio::{self, Format};
use crate::service::{blocking, AppState};
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{web, HttpResponse};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortfolioParams {
    #[serde(default = "pdf")]
    format: Format,
    from: Option<String>,
    until: Option<String>,
}

fn pdf() -> Format {
    Format::Pdf
}

pub async fn get(
    user: AuthUser,
    state: web::Data<AppState>,
    q: web::Query<PortfolioParams>,
) -> Result<HttpResponse, AppError> {
    let PortfolioParams {
        format,
        from,
        until,
    } = q.into_inner();
    let out = blocking(move || portfolio::portfolio(&state, &user.id, format, from, until)).await?;
    Ok(HttpResponse::Ok()
        .content_type(out.content_type)
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(out.filename)],
        })
        // A member's own record: no shared cache keeps it.
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(out.bytes))
}
