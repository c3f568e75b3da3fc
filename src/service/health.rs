//! What the operations endpoints read: whether the database answers, and
//! how much email is still to be delivered.

use super::AppState;
use crate::error::AppError;
use crate::store::{self, outbox::Backlog};

/// Ready when a connection can be had and answers a query.
pub fn database_ready(state: &AppState) -> Result<(), AppError> {
    let mut conn = state.conn()?;
    store::db::ping(&mut conn).map_err(|_| AppError::unavailable("the database does not answer"))
}

pub fn outbox_backlog(state: &AppState) -> Result<Backlog, AppError> {
    let mut conn = state.conn()?;
    Ok(store::outbox::backlog(&mut conn)?)
}
