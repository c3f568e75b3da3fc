//! What every server layer needs of the process: the wall clock, and a way
//! to run blocking work (diesel, argon2) off the async workers. It sits
//! beneath mail, auth and the service layer, which all need it, so none of
//! them has to reach up into another for it.

use crate::error::AppError;
use tracing::Instrument;

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// Runs blocking work (diesel, argon2) off the async workers, inside the
/// caller's tracing span so logs keep the request id.
pub async fn blocking<T, F>(f: F) -> Result<T, AppError>
where
    F: FnOnce() -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let span = tracing::Span::current();
    actix_web::web::block(move || span.in_scope(f))
        .instrument(tracing::Span::current())
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("blocking task failed: {e}")))?
}
