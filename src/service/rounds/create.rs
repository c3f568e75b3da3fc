//! A new draft round: numbered max + 1, audited.

use super::settings::NewRound;
use super::view::{view, RoundView};
use crate::auth::AuthUser;
use crate::domain::RoundStatus;
use crate::error::AppError;
use crate::service::audit::{self, Action};
use crate::service::now;
use crate::service::AppState;
use crate::store::db::write_tx;
use crate::store::rounds::{self as store_rounds, RoundRow};

pub fn create(state: &AppState, actor: &AuthUser, new: NewRound) -> Result<RoundView, AppError> {
    new.validate()?;
    let mut conn = state.conn()?;
    // A programme the coordinator does not coordinate is, to them, none.
    crate::service::programmes::coordinated(&mut conn, actor, &new.programme_id)?;
    // Numbers are max + 1; two coordinators creating at once on PostgreSQL
    // can pick the same one, and the unique key sends the loser round again.
    let mut attempts = 0;
    loop {
        attempts += 1;
        let result = write_tx(&mut conn, |conn| {
            let row = RoundRow {
                id: uuid::Uuid::new_v4().to_string(),
                number: store_rounds::next_number(conn)?,
                kind: new.kind,
                status: RoundStatus::Draft,
                params: serde_json::to_string(&new.settings).map_err(anyhow::Error::from)?,
                cohort: serde_json::to_string(&new.cohort).map_err(anyhow::Error::from)?,
                note: new.note.trim().to_string(),
                meeting_window: serde_json::to_string(&new.meeting_window)
                    .map_err(anyhow::Error::from)?,
                created_by: actor.id.clone(),
                created_at: now(),
                published_at: None,
                cancelled_at: None,
                progress: None,
                metrics: None,
                reply_by: None,
                programme_id: new.programme_id.clone(),
            };
            match store_rounds::insert(conn, &row) {
                Ok(()) => {
                    audit::record(
                        conn,
                        actor,
                        Action::RoundCreated,
                        ("round", &row.id),
                        serde_json::json!({
                            "number": row.number,
                            "kind": row.kind,
                            "programme_id": row.programme_id,
                        }),
                    )?;
                    Ok(Some(row))
                }
                Err(diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::UniqueViolation,
                    _,
                )) => Ok(None),
                Err(e) => Err(AppError::from(e)),
            }
        })?;
        match result {
            Some(row) => return view(row),
            None if attempts < 5 => continue,
            None => {
                return Err(AppError::unavailable(
                    "too many rounds are being created at once; retry",
                ))
            }
        }
    }
}
