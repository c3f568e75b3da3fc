//! Conflicts of interest a coordinator registered between two members.

use super::schema::member_conflicts as mc;
use super::DbConnection;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = mc)]
pub struct ConflictRow {
    pub id: String,
    /// The smaller of the two user ids (the table's check holds it).
    pub user_a: String,
    pub user_b: String,
    pub note: String,
    pub registered_by: String,
    pub created_at: i64,
}

pub fn insert(conn: &mut DbConnection, row: &ConflictRow) -> QueryResult<()> {
    diesel::insert_into(mc::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn get(conn: &mut DbConnection, id: &str) -> QueryResult<Option<ConflictRow>> {
    mc::table
        .find(id)
        .select(ConflictRow::as_select())
        .first(conn)
        .optional()
}

/// The conflict registered for the pair (`a < b`), if any.
pub fn find_pair(conn: &mut DbConnection, a: &str, b: &str) -> QueryResult<Option<ConflictRow>> {
    mc::table
        .filter(mc::user_a.eq(a))
        .filter(mc::user_b.eq(b))
        .select(ConflictRow::as_select())
        .first(conn)
        .optional()
}

pub fn delete(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
    Ok(diesel::delete(mc::table.find(id)).execute(conn)? == 1)
}

/// Newest first; (rows, total). `member` limits to conflicts naming them.
pub fn list(
    conn: &mut DbConnection,
    member: Option<&str>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<ConflictRow>, i64)> {
    let filtered = || {
        let mut q = mc::table.into_boxed();
        if let Some(m) = member {
            q = q.filter(
                mc::user_a
                    .eq(m.to_string())
                    .or(mc::user_b.eq(m.to_string())),
            );
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order((mc::created_at.desc(), mc::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(ConflictRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Every registered pair, for building a round's instance.
pub fn all_pairs(conn: &mut DbConnection) -> QueryResult<Vec<(String, String)>> {
    mc::table.select((mc::user_a, mc::user_b)).load(conn)
}

/// An erased member's conflicts no longer protect anyone.
pub fn forget(conn: &mut DbConnection, user_id: &str) -> QueryResult<usize> {
    diesel::delete(mc::table.filter(mc::user_a.eq(user_id).or(mc::user_b.eq(user_id))))
        .execute(conn)
}
