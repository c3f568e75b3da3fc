use crate::error::AppError;
use crate::service::{blocking, AppState};
use actix_web::{web, HttpResponse};
use diesel::connection::SimpleConnection;

/// The process is up and serving.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// The process can reach its database: load balancers route by this.
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    blocking(move || {
        let mut conn = state.conn()?;
        conn.batch_execute("SELECT 1")
            .map_err(|_| AppError::unavailable("the database does not answer"))
    })
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "ready" })))
}
