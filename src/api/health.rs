use crate::error::AppError;
use crate::service::{blocking, health, AppState};
use actix_web::{web, HttpResponse};

/// The process is up and serving.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// The process can reach its database: load balancers route by this.
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    blocking(move || health::database_ready(&state)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "ready" })))
}
