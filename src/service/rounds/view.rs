//! A round as coordinators see it, and the lookups every step shares.

use super::settings::{Cohort, MeetingWindow, Settings};
use crate::domain::{MatchKind, RoundStatus};
use crate::error::AppError;
use crate::store::rounds::{self as store_rounds, RoundRow};
use crate::store::DbConnection;

#[derive(Debug, serde::Serialize)]
pub struct RoundView {
    pub id: String,
    pub number: i32,
    pub programme_id: String,
    pub kind: MatchKind,
    pub status: RoundStatus,
    pub cohort: Cohort,
    pub settings: Settings,
    pub note: String,
    pub meeting_window: MeetingWindow,
    #[serde(serialize_with = "crate::domain::time::iso8601")]
    pub created_at: i64,
    #[serde(serialize_with = "crate::domain::time::iso8601_opt")]
    pub published_at: Option<i64>,
    #[serde(serialize_with = "crate::domain::time::iso8601_opt")]
    pub cancelled_at: Option<i64>,
    /// Published rounds: answers are asked before this instant.
    #[serde(serialize_with = "crate::domain::time::iso8601_opt")]
    pub reply_by: Option<i64>,
    /// While a preview or publish runs: what it is doing and since when.
    pub progress: Option<Progress>,
    /// The round's metrics as published (absent for drafts).
    pub metrics: Option<serde_json::Value>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Progress {
    pub phase: String,
    #[serde(serialize_with = "crate::domain::time::iso8601")]
    pub since: i64,
}

pub(super) fn view(r: RoundRow) -> Result<RoundView, AppError> {
    let bad =
        |e: serde_json::Error| AppError::Internal(anyhow::anyhow!("stored round {}: {e}", r.id));
    Ok(RoundView {
        cohort: serde_json::from_str(&r.cohort).map_err(bad)?,
        settings: serde_json::from_str(&r.params).map_err(bad)?,
        meeting_window: serde_json::from_str(&r.meeting_window).map_err(bad)?,
        progress: r
            .progress
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(bad)?,
        metrics: r
            .metrics
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(bad)?,
        id: r.id,
        number: r.number,
        programme_id: r.programme_id,
        kind: r.kind,
        status: r.status,
        note: r.note,
        created_at: r.created_at,
        published_at: r.published_at,
        cancelled_at: r.cancelled_at,
        reply_by: r.reply_by,
    })
}

pub(super) fn round_not_found(id: &str) -> AppError {
    AppError::not_found("round_not_found", format!("no round with id {id}"))
}

pub(super) fn load_round(conn: &mut DbConnection, id: &str) -> Result<RoundRow, AppError> {
    store_rounds::get(conn, id)?.ok_or_else(|| round_not_found(id))
}

/// The round if the caller's programmes hold it (an admin's hold all);
/// otherwise the answer for a round that does not exist.
pub(super) fn load_round_for(
    conn: &mut DbConnection,
    actor: &crate::auth::AuthUser,
    id: &str,
) -> Result<RoundRow, AppError> {
    let round = load_round(conn, id)?;
    if crate::service::programmes::scope(conn, actor)?.contains(&round.programme_id) {
        Ok(round)
    } else {
        Err(round_not_found(id))
    }
}

pub(super) fn not_draft(round: &RoundRow, action: &str) -> AppError {
    AppError::conflict(
        "round_not_draft",
        format!(
            "round {} is {}; only a draft can be {action}",
            round.number, round.status
        ),
    )
}
