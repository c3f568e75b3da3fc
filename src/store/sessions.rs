//! Logins. A session is one refresh-token family; its id is the family id
//! and the `sid` of every access token issued in it. Ending a session spends
//! its refresh tokens too, so neither kind of token outlives it.

use super::schema::{sessions as s, users as u};
use super::tokens;
use super::DbConnection;
use crate::domain::Role;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = s)]
pub struct SessionRow {
    pub id: String,
    pub user_id: String,
    pub created_at: i64,
    pub ended_at: Option<i64>,
}

pub fn insert(conn: &mut DbConnection, row: &SessionRow) -> QueryResult<()> {
    diesel::insert_into(s::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// `None` if there is no such session, else when it ended (if it did).
pub fn ended_at(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Option<i64>>> {
    s::table.find(id).select(s::ended_at).first(conn).optional()
}

/// Ends one login: its session and every refresh token of its family.
pub fn end(conn: &mut DbConnection, id: &str, now: i64) -> QueryResult<()> {
    let ended = diesel::update(s::table.find(id).filter(s::ended_at.is_null()))
        .set(s::ended_at.eq(now))
        .execute(conn)?;
    if ended > 0 {
        super::login_changes::changed(conn);
    }
    tokens::revoke_family(conn, id, now)?;
    Ok(())
}

/// Ends every login of an account.
pub fn end_all_for_user(conn: &mut DbConnection, user_id: &str, now: i64) -> QueryResult<()> {
    let ended = diesel::update(
        s::table
            .filter(s::user_id.eq(user_id))
            .filter(s::ended_at.is_null()),
    )
    .set(s::ended_at.eq(now))
    .execute(conn)?;
    if ended > 0 {
        super::login_changes::changed(conn);
    }
    tokens::revoke_all_for_user(conn, user_id, now)?;
    Ok(())
}

/// What an access token's request needs to know, in one query (two
/// primary-key lookups): the account as it is now, and whether the token's
/// login is still on. `session` is `None` when that login does not exist
/// (or belongs to someone else), `Some(ended_at)` otherwise.
#[derive(Debug, Clone)]
pub struct AccountSession {
    pub role: Role,
    pub erased_at: Option<i64>,
    pub session: Option<Option<i64>>,
}

pub fn account_session(
    conn: &mut DbConnection,
    user_id: &str,
    session_id: &str,
) -> QueryResult<Option<AccountSession>> {
    let row = u::table
        .left_join(s::table.on(s::id.eq(session_id).and(s::user_id.eq(u::id))))
        .filter(u::id.eq(user_id))
        .select((u::role, u::erased_at, (s::id, s::ended_at).nullable()))
        .first::<(Role, Option<i64>, Option<(String, Option<i64>)>)>(conn)
        .optional()?;
    Ok(row.map(|(role, erased_at, session)| AccountSession {
        role,
        erased_at,
        session: session.map(|(_, ended_at)| ended_at),
    }))
}

/// Deletes sessions that have no refresh token left: their tokens expired
/// and were purged, and every access token of theirs expired long before.
pub fn purge_without_tokens(conn: &mut DbConnection) -> QueryResult<usize> {
    use super::schema::refresh_tokens as rt;
    diesel::delete(s::table.filter(diesel::dsl::not(diesel::dsl::exists(
        rt::table.filter(rt::family_id.eq(s::id)),
    ))))
    .execute(conn)
}
