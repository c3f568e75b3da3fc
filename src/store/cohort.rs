//! Who could take part in rounds but cannot yet: members without a profile
//! or with an address they never confirmed.

use super::schema::{profiles as p, users as u};
use super::DbConnection;
use crate::domain::Role;
use diesel::prelude::*;

#[derive(Debug, Clone)]
pub struct Unready {
    pub id: String,
    pub name: String,
    pub has_profile: bool,
    pub verified: bool,
}

/// Members (not erased) with no profile or no confirmed address.
pub fn unready_members(conn: &mut DbConnection) -> QueryResult<Vec<Unready>> {
    let rows: Vec<(String, String, Option<String>, Option<i64>)> = u::table
        .left_join(p::table)
        .filter(u::erased_at.is_null())
        .filter(u::role.eq(Role::Member))
        .filter(
            p::user_id
                .nullable()
                .is_null()
                .or(u::email_verified_at.is_null()),
        )
        .select((
            u::id,
            u::display_name,
            p::user_id.nullable(),
            u::email_verified_at,
        ))
        .order(u::id)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, profile, verified)| Unready {
            id,
            name,
            has_profile: profile.is_some(),
            verified: verified.is_some(),
        })
        .collect())
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = super::schema::round_unmatched)]
pub struct UnmatchedRow {
    pub round_id: String,
    pub user_id: String,
    pub reason: String,
}

/// The members a published round left unmatched, with the engine's reason.
pub fn insert_unmatched(conn: &mut DbConnection, rows: &[UnmatchedRow]) -> QueryResult<usize> {
    super::db::insert_batched!(conn, super::schema::round_unmatched::table, rows)
}

pub fn unmatched_of_round(conn: &mut DbConnection, round_id: &str) -> QueryResult<Vec<String>> {
    use super::schema::round_unmatched as ru;
    ru::table
        .filter(ru::round_id.eq(round_id))
        .select(ru::user_id)
        .order(ru::user_id)
        .load(conn)
}
