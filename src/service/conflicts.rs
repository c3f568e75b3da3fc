//! Conflicts of interest a coordinator registers between two members (a
//! manager and their report, partners, a dispute): such a pair is never
//! matched, in any round or form, until the conflict is removed. The note
//! is for coordinators; members are never shown it. A coordinator sees and
//! registers conflicts between members of their own programmes only.

use super::audit::{self, Action};
use super::paging::{self, Page};
use super::{now, AppState};
use crate::auth::AuthUser;
use crate::error::AppError;
use crate::service::programmes::access::{scope, Scope};
use crate::store::conflicts::{self as store, ConflictRow};
use crate::store::db::write_tx;
use crate::store::rounds as store_rounds;
use crate::store::DbConnection;
use std::collections::{HashMap, HashSet};

/// The members a coordinator may name: those of their programmes (`None`:
/// an admin, everyone).
fn visible(conn: &mut DbConnection, actor: &AuthUser) -> Result<Option<HashSet<String>>, AppError> {
    Ok(match scope(conn, actor)? {
        Scope::All => None,
        Scope::Programmes(ids) => {
            let mut members = HashSet::new();
            for id in ids {
                members.extend(crate::store::programmes::member_ids(conn, &id)?);
            }
            Some(members)
        }
    })
}

fn sees(visible: &Option<HashSet<String>>, row: &ConflictRow) -> bool {
    visible
        .as_ref()
        .is_none_or(|v| v.contains(&row.user_a) && v.contains(&row.user_b))
}

pub const MAX_NOTE: usize = 500;

#[derive(Debug, serde::Serialize)]
pub struct ConflictView {
    pub id: String,
    pub members: Vec<ConflictMember>,
    pub note: String,
    pub registered_by: String,
    #[serde(serialize_with = "crate::domain::time::iso8601")]
    pub created_at: i64,
}

#[derive(Debug, serde::Serialize)]
pub struct ConflictMember {
    pub user_id: String,
    pub display_name: String,
}

fn views(conn: &mut DbConnection, rows: Vec<ConflictRow>) -> Result<Vec<ConflictView>, AppError> {
    let ids: Vec<String> = rows
        .iter()
        .flat_map(|r| [r.user_a.clone(), r.user_b.clone()])
        .collect();
    let names: HashMap<String, String> = store_rounds::people(conn, &ids)?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| ConflictView {
            members: [&r.user_a, &r.user_b]
                .into_iter()
                .map(|id| ConflictMember {
                    user_id: id.clone(),
                    display_name: names.get(id).cloned().unwrap_or_default(),
                })
                .collect(),
            id: r.id,
            note: r.note,
            registered_by: r.registered_by,
            created_at: r.created_at,
        })
        .collect())
}

/// Registers the pair, or answers the conflict already registered for it
/// (`false`: nothing new was stored).
pub fn register(
    state: &AppState,
    actor: &AuthUser,
    members: [String; 2],
    note: &str,
) -> Result<(ConflictView, bool), AppError> {
    let note = crate::domain::free_text("note", note, MAX_NOTE)
        .map_err(|p| AppError::validation(vec![p]))?;
    let [a, b] = members;
    if a == b {
        return Err(AppError::invalid_field(
            "members[1]",
            "must name a member other than members[0]",
        ));
    }
    let (a, b) = if a < b { (a, b) } else { (b, a) };
    // No id holds a NUL, and PostgreSQL refuses one in any text it is sent.
    if let Some(id) = [&a, &b].into_iter().find(|id| id.contains('\0')) {
        return Err(AppError::not_found(
            "user_not_found",
            format!("no member with id {id}"),
        ));
    }
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        let known = store_rounds::people(conn, &[a.clone(), b.clone()])?;
        let visible = visible(conn, actor)?;
        for id in [&a, &b] {
            let in_scope = visible.as_ref().is_none_or(|v| v.contains(id));
            if !in_scope || !known.iter().any(|p| &p.id == id) {
                return Err(AppError::not_found(
                    "user_not_found",
                    format!("no member with id {id}"),
                ));
            }
        }
        if let Some(row) = store::find_pair(conn, &a, &b)? {
            return Ok((views(conn, vec![row])?.remove(0), false));
        }
        let row = ConflictRow {
            id: uuid::Uuid::new_v4().to_string(),
            user_a: a.clone(),
            user_b: b.clone(),
            note: note.clone(),
            registered_by: actor.id.clone(),
            created_at: now(),
        };
        store::insert(conn, &row)?;
        audit::record(
            conn,
            actor,
            Action::ConflictRegistered,
            ("conflict", &row.id),
            serde_json::json!({ "members": [a, b], "note": note }),
        )?;
        Ok((views(conn, vec![row])?.remove(0), true))
    })
}

pub fn list(
    state: &AppState,
    actor: &AuthUser,
    member: Option<&str>,
    page: u32,
    per_page: u32,
) -> Result<Page<ConflictView>, AppError> {
    let offset = paging::offset(page, per_page)?;
    if member.is_some_and(|m| m.contains('\0')) {
        // Nobody's id holds a NUL (and PostgreSQL refuses one).
        return Ok(Page {
            items: Vec::new(),
            page,
            per_page,
            total: 0,
        });
    }
    let mut conn = state.conn()?;
    let visible = visible(&mut conn, actor)?;
    if visible.is_none() {
        let (rows, total) = store::list(&mut conn, member, offset, i64::from(per_page))?;
        return Ok(Page {
            items: views(&mut conn, rows)?,
            page,
            per_page,
            total,
        });
    }
    // Registered conflicts are few (a handful per programme): filtered here.
    let (rows, _) = store::list(&mut conn, member, 0, i64::MAX)?;
    let rows: Vec<ConflictRow> = rows.into_iter().filter(|r| sees(&visible, r)).collect();
    let items = views(&mut conn, rows)?;
    Page::of(items, page, per_page)
}

pub fn remove(state: &AppState, actor: &AuthUser, id: &str) -> Result<(), AppError> {
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        let visible = visible(conn, actor)?;
        let Some(row) = store::get(conn, id)?.filter(|r| sees(&visible, r)) else {
            return Err(AppError::not_found(
                "conflict_not_found",
                format!("no registered conflict with id {id}"),
            ));
        };
        store::delete(conn, id)?;
        audit::record(
            conn,
            actor,
            Action::ConflictRemoved,
            ("conflict", id),
            serde_json::json!({ "members": [row.user_a, row.user_b] }),
        )
    })
}
