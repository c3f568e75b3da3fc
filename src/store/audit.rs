//! The audit log: who with which role did what to what, and when.

use super::schema::audit_log as al;
use super::DbConnection;
use crate::domain::Role;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = al)]
pub struct AuditRow {
    pub id: String,
    pub at: i64,
    pub actor_id: String,
    pub actor_role: Role,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub detail: String,
}

pub fn insert(conn: &mut DbConnection, row: &AuditRow) -> QueryResult<()> {
    diesel::insert_into(al::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

#[derive(Debug, Default)]
pub struct AuditFilter {
    pub actor_id: Option<String>,
    pub action: Option<String>,
    pub target_id: Option<String>,
    /// Only actions on this programme and on its rounds.
    pub programme_id: Option<String>,
}

/// Newest first; (rows, total matching the filter).
pub fn list(
    conn: &mut DbConnection,
    f: &AuditFilter,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<AuditRow>, i64)> {
    let filtered = || {
        let mut q = al::table.into_boxed();
        if let Some(a) = &f.actor_id {
            q = q.filter(al::actor_id.eq(a.clone()));
        }
        if let Some(a) = &f.action {
            q = q.filter(al::action.eq(a.clone()));
        }
        if let Some(t) = &f.target_id {
            q = q.filter(al::target_id.eq(t.clone()));
        }
        if let Some(p) = &f.programme_id {
            use super::schema::rounds as r;
            q = q.filter(
                al::target_type
                    .eq("programme")
                    .and(al::target_id.eq(p.clone()))
                    .or(al::target_type.eq("round").and(
                        al::target_id
                            .eq_any(r::table.filter(r::programme_id.eq(p.clone())).select(r::id)),
                    )),
            );
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order((al::at.desc(), al::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}
