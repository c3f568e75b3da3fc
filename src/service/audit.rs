//! The audit log of coordinator and admin actions. An action that changes
//! something is logged in its own transaction, so the log and the change
//! commit together; a read of members' data is logged once it succeeded.

use super::paging::{self, Page};
use super::{now, AppState};
use crate::auth::AuthUser;
use crate::domain::Role;
use crate::error::AppError;
use crate::store::audit::{self, AuditFilter, AuditRow};
use crate::store::db::write_tx;
use crate::store::DbConnection;

/// What was done, in the log's words: `round_published`, `user_role_changed`…
/// (lowercase snake_case, like every enum value of the API).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    RoundCreated,
    RoundPreviewed,
    RoundPublished,
    RoundCancelled,
    RoundViewed,
    MembersListed,
    FailedMailViewed,
    RoleChanged,
    AuditLogViewed,
    ConflictRegistered,
    ConflictRemoved,
    RoundOverridesSet,
    RoundToppedUp,
    ProgrammeCreated,
    ProgrammeUpdated,
    CoordinatorAssigned,
    CoordinatorRemoved,
    ProgrammeMembersListed,
    InvitationsSent,
    NetworkExported,
}

impl Action {
    pub fn code(self) -> &'static str {
        match self {
            Action::RoundCreated => "round_created",
            Action::RoundPreviewed => "round_previewed",
            Action::RoundPublished => "round_published",
            Action::RoundCancelled => "round_cancelled",
            Action::RoundViewed => "round_viewed",
            Action::MembersListed => "members_listed",
            Action::FailedMailViewed => "mail_failed_viewed",
            Action::RoleChanged => "user_role_changed",
            Action::AuditLogViewed => "audit_log_viewed",
            Action::ConflictRegistered => "conflict_registered",
            Action::ConflictRemoved => "conflict_removed",
            Action::RoundOverridesSet => "round_overrides_set",
            Action::RoundToppedUp => "round_topped_up",
            Action::ProgrammeCreated => "programme_created",
            Action::ProgrammeUpdated => "programme_updated",
            Action::CoordinatorAssigned => "programme_coordinator_assigned",
            Action::CoordinatorRemoved => "programme_coordinator_removed",
            Action::ProgrammeMembersListed => "programme_members_listed",
            Action::InvitationsSent => "programme_invitations_sent",
            Action::NetworkExported => "network_exported",
        }
    }

    pub const ALL: [Action; 20] = [
        Action::RoundCreated,
        Action::RoundPreviewed,
        Action::RoundPublished,
        Action::RoundCancelled,
        Action::RoundViewed,
        Action::MembersListed,
        Action::FailedMailViewed,
        Action::RoleChanged,
        Action::AuditLogViewed,
        Action::ConflictRegistered,
        Action::ConflictRemoved,
        Action::RoundOverridesSet,
        Action::RoundToppedUp,
        Action::ProgrammeCreated,
        Action::ProgrammeUpdated,
        Action::CoordinatorAssigned,
        Action::CoordinatorRemoved,
        Action::ProgrammeMembersListed,
        Action::InvitationsSent,
        Action::NetworkExported,
    ];
}

/// Logs inside the caller's transaction.
pub fn record(
    conn: &mut DbConnection,
    actor: &AuthUser,
    action: Action,
    target: (&str, &str),
    detail: serde_json::Value,
) -> Result<(), AppError> {
    audit::insert(
        conn,
        &AuditRow {
            // Time-ordered (UUIDv7, monotonic within a process), so entries
            // of the same second still list in the order they happened.
            id: uuid::Uuid::now_v7().to_string(),
            at: now(),
            actor_id: actor.id.clone(),
            actor_role: actor.role,
            action: action.code().to_string(),
            target_type: target.0.to_string(),
            target_id: target.1.to_string(),
            detail: detail.to_string(),
        },
    )?;
    Ok(())
}

/// Logs a read in a transaction of its own.
pub fn record_read(
    state: &AppState,
    actor: &AuthUser,
    action: Action,
    target: (&str, &str),
    detail: serde_json::Value,
) -> Result<(), AppError> {
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        record(conn, actor, action, target, detail)
    })
}

#[derive(Debug, serde::Serialize)]
pub struct AuditEntry {
    pub id: String,
    #[serde(serialize_with = "crate::domain::time::iso8601")]
    pub at: i64,
    pub actor_id: String,
    pub actor_role: Role,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub detail: serde_json::Value,
}

pub struct AuditQuery {
    pub actor_id: Option<String>,
    pub action: Option<String>,
    pub target_id: Option<String>,
    /// Only actions on this programme and its rounds.
    pub programme_id: Option<String>,
    pub page: u32,
    pub per_page: u32,
}

pub fn list(
    state: &AppState,
    admin: &AuthUser,
    q: AuditQuery,
) -> Result<Page<AuditEntry>, AppError> {
    let offset = paging::offset(q.page, q.per_page)?;
    if let Some(a) = &q.action {
        if !Action::ALL.iter().any(|x| x.code() == a) {
            let known: Vec<_> = Action::ALL.iter().map(|x| x.code()).collect();
            return Err(AppError::invalid_field(
                "action",
                format!("unknown action {a:?}; one of {}", known.join(", ")),
            ));
        }
    }
    let filter = AuditFilter {
        actor_id: q.actor_id,
        action: q.action,
        target_id: q.target_id,
        programme_id: q.programme_id.clone(),
    };
    let mut conn = state.conn()?;
    let (rows, total) = audit::list(&mut conn, &filter, offset, i64::from(q.per_page))?;
    drop(conn);
    let entry = |r: AuditRow| {
        Ok(AuditEntry {
            detail: serde_json::from_str(&r.detail).map_err(|e| {
                AppError::Internal(anyhow::anyhow!("stored audit entry {}: {e}", r.id))
            })?,
            id: r.id,
            at: r.at,
            actor_id: r.actor_id,
            actor_role: r.actor_role,
            action: r.action,
            target_type: r.target_type,
            target_id: r.target_id,
        })
    };
    let items = rows
        .into_iter()
        .map(entry)
        .collect::<Result<_, AppError>>()?;
    // Who reads the log is itself logged, after the read so a page never
    // shows its own viewing.
    record_read(
        state,
        admin,
        Action::AuditLogViewed,
        match &q.programme_id {
            Some(p) => ("programme", p.as_str()),
            None => ("audit_log", "-"),
        },
        serde_json::json!({ "page": q.page }),
    )?;
    Ok(Page {
        items,
        page: q.page,
        per_page: q.per_page,
        total,
    })
}
