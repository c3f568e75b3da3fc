//! Single-use tokens sent by email (address verification, password reset),
//! stored only as hashes.

use super::schema::email_tokens as et;
use super::DbConnection;
use crate::domain::TokenPurpose;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = et)]
pub struct EmailTokenRow {
    pub id: String,
    pub user_id: String,
    pub purpose: TokenPurpose,
    pub token_hash: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

pub fn insert(conn: &mut DbConnection, row: &EmailTokenRow) -> QueryResult<()> {
    diesel::insert_into(et::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Spends the token if it is unused, unexpired and for `purpose`; returns
/// its user. The conditional update makes two concurrent uses yield one.
pub fn consume(
    conn: &mut DbConnection,
    purpose: TokenPurpose,
    hash: &str,
    now: i64,
) -> QueryResult<Option<String>> {
    let row: Option<EmailTokenRow> = et::table
        .filter(et::token_hash.eq(hash))
        .filter(et::purpose.eq(purpose))
        .select(EmailTokenRow::as_select())
        .first(conn)
        .optional()?;
    let Some(row) = row else { return Ok(None) };
    if row.expires_at <= now {
        return Ok(None);
    }
    let n = diesel::update(et::table.find(&row.id).filter(et::used_at.is_null()))
        .set(et::used_at.eq(now))
        .execute(conn)?;
    Ok((n == 1).then_some(row.user_id))
}

/// The user of a token that could still be spent (unused, unexpired, for
/// `purpose`), without spending it.
pub fn user_of_unused(
    conn: &mut DbConnection,
    purpose: TokenPurpose,
    hash: &str,
    now: i64,
) -> QueryResult<Option<String>> {
    et::table
        .filter(et::token_hash.eq(hash))
        .filter(et::purpose.eq(purpose))
        .filter(et::used_at.is_null())
        .filter(et::expires_at.gt(now))
        .select(et::user_id)
        .first(conn)
        .optional()
}

/// A new token supersedes older unused ones of the same purpose.
pub fn expire_unused(
    conn: &mut DbConnection,
    user_id: &str,
    purpose: TokenPurpose,
    now: i64,
) -> QueryResult<usize> {
    diesel::update(
        et::table
            .filter(et::user_id.eq(user_id))
            .filter(et::purpose.eq(purpose))
            .filter(et::used_at.is_null()),
    )
    .set(et::expires_at.eq(now))
    .execute(conn)
}
