//! The learning network: measures, the domain matrix, the graph and the
//! round outcomes, for coordinators.

use crate::auth::Coordinator;
use crate::error::AppError;
use crate::service::network::{self, Filters, GraphFormat, MatrixFormat, Output, RoundsFormat};
use crate::service::{blocking, AppState};
use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{web, HttpResponse};

/// The scope every network view takes, and the view's own `format`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params<F> {
    programme: Option<String>,
    from: Option<String>,
    until: Option<String>,
    #[serde(default)]
    format: F,
}

impl<F> Params<F> {
    fn split(self) -> (Filters, F) {
        let Params {
            programme,
            from,
            until,
            format,
        } = self;
        let f = Filters {
            programme,
            from,
            until,
        };
        (f, format)
    }
}

/// The summary has one form only.
#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Json {
    #[default]
    Json,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraphParams {
    programme: Option<String>,
    from: Option<String>,
    until: Option<String>,
    #[serde(default)]
    format: GraphFormat,
    #[serde(default)]
    names: bool,
}

fn respond(out: Output) -> HttpResponse {
    match out {
        Output::Json(v) => HttpResponse::Ok().json(v),
        Output::File(d) => HttpResponse::Ok()
            .content_type(d.content_type)
            .insert_header(ContentDisposition {
                disposition: DispositionType::Attachment,
                parameters: vec![DispositionParam::Filename(d.filename)],
            })
            .body(d.bytes),
    }
}

pub async fn summary(
    Coordinator(c): Coordinator,
    state: web::Data<AppState>,
    q: web::Query<Params<Json>>,
) -> Result<HttpResponse, AppError> {
    let (f, Json::Json) = q.into_inner().split();
    let out = blocking(move || network::summary(&state, &c, f)).await?;
    Ok(respond(out))
}

pub async fn domains(
    Coordinator(c): Coordinator,
    state: web::Data<AppState>,
    q: web::Query<Params<MatrixFormat>>,
) -> Result<HttpResponse, AppError> {
    let (f, format) = q.into_inner().split();
    let out = blocking(move || network::domains(&state, &c, f, format)).await?;
    Ok(respond(out))
}

pub async fn rounds(
    Coordinator(c): Coordinator,
    state: web::Data<AppState>,
    q: web::Query<Params<RoundsFormat>>,
) -> Result<HttpResponse, AppError> {
    let (f, format) = q.into_inner().split();
    let out = blocking(move || network::rounds(&state, &c, f, format)).await?;
    Ok(respond(out))
}

pub async fn graph(
    Coordinator(c): Coordinator,
    state: web::Data<AppState>,
    q: web::Query<GraphParams>,
) -> Result<HttpResponse, AppError> {
    let GraphParams {
        programme,
        from,
        until,
        format,
        names,
    } = q.into_inner();
    let f = Filters {
        programme,
        from,
        until,
    };
    let out = blocking(move || network::graph_export(&state, &c, f, format, names)).await?;
    Ok(respond(out))
}
