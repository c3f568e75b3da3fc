//! Refresh tokens, stored only as hashes. Tokens from one login form a
//! family; rotation revokes the used token, and presenting a revoked one
//! again revokes the whole family (it was stolen or replayed).

use super::schema::refresh_tokens as rt;
use super::DbConnection;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rt)]
pub struct RefreshTokenRow {
    pub id: String,
    pub user_id: String,
    pub family_id: String,
    pub token_hash: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

pub fn insert(conn: &mut DbConnection, row: &RefreshTokenRow) -> QueryResult<()> {
    diesel::insert_into(rt::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn by_hash(conn: &mut DbConnection, hash: &str) -> QueryResult<Option<RefreshTokenRow>> {
    rt::table
        .filter(rt::token_hash.eq(hash))
        .select(RefreshTokenRow::as_select())
        .first(conn)
        .optional()
}

/// Marks one token used. Returns false when someone else revoked it first,
/// which makes concurrent refreshes of one token yield a single winner.
pub fn revoke_if_active(conn: &mut DbConnection, id: &str, now: i64) -> QueryResult<bool> {
    let n = diesel::update(rt::table.find(id).filter(rt::revoked_at.is_null()))
        .set(rt::revoked_at.eq(now))
        .execute(conn)?;
    Ok(n == 1)
}

pub fn revoke_family(conn: &mut DbConnection, family_id: &str, now: i64) -> QueryResult<usize> {
    diesel::update(
        rt::table
            .filter(rt::family_id.eq(family_id))
            .filter(rt::revoked_at.is_null()),
    )
    .set(rt::revoked_at.eq(now))
    .execute(conn)
}

pub fn revoke_all_for_user(conn: &mut DbConnection, user_id: &str, now: i64) -> QueryResult<usize> {
    diesel::update(
        rt::table
            .filter(rt::user_id.eq(user_id))
            .filter(rt::revoked_at.is_null()),
    )
    .set(rt::revoked_at.eq(now))
    .execute(conn)
}
