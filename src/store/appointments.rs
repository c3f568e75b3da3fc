//! Appointments in matches and members' calendar feeds.

use super::schema::{appointments as a, calendar_feeds as cf, match_members as mm};
use super::DbConnection;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = a, treat_none_as_null = true)]
pub struct AppointmentRow {
    pub id: String,
    pub match_id: String,
    pub proposed_by: String,
    pub starts_at: i64,
    pub duration_minutes: i32,
    pub mode: String,
    pub location: Option<String>,
    pub online_url: Option<String>,
    pub note: Option<String>,
    pub sequence: i32,
    pub cancelled_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub fn insert(conn: &mut DbConnection, row: &AppointmentRow) -> QueryResult<()> {
    diesel::insert_into(a::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Saves a changed appointment (read with [`of_member_locked`] in the
/// same transaction).
pub fn save(conn: &mut DbConnection, row: &AppointmentRow) -> QueryResult<()> {
    diesel::update(a::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}

/// [`of_member`] for a change: on PostgreSQL the row is locked until the
/// transaction ends, so two changes at once run one after the other and
/// each sends its own SEQUENCE (SQLite's write transaction runs alone).
pub fn of_member_locked(
    conn: &mut DbConnection,
    user_id: &str,
    id: &str,
) -> QueryResult<Option<AppointmentRow>> {
    let DbConnection::Postgres(pg) = conn else {
        return of_member(conn, user_id, id);
    };
    a::table
        .filter(a::id.eq(id))
        .filter(
            a::match_id.eq_any(
                mm::table
                    .filter(mm::user_id.eq(user_id))
                    .select(mm::match_id),
            ),
        )
        .select(AppointmentRow::as_select())
        .for_update()
        .first(pg)
        .optional()
}

/// The appointment if `user_id` is in its match; `None` for one that does
/// not exist as for one in another match.
pub fn of_member(
    conn: &mut DbConnection,
    user_id: &str,
    id: &str,
) -> QueryResult<Option<AppointmentRow>> {
    a::table
        .filter(a::id.eq(id))
        .filter(
            a::match_id.eq_any(
                mm::table
                    .filter(mm::user_id.eq(user_id))
                    .select(mm::match_id),
            ),
        )
        .select(AppointmentRow::as_select())
        .first(conn)
        .optional()
}

/// Every appointment in the matches of `user_id`, the latest start first
/// among those to come, then the past ones (see the caller's order).
pub fn all_of_member(conn: &mut DbConnection, user_id: &str) -> QueryResult<Vec<AppointmentRow>> {
    a::table
        .filter(
            a::match_id.eq_any(
                mm::table
                    .filter(mm::user_id.eq(user_id))
                    .select(mm::match_id),
            ),
        )
        .order((a::starts_at.asc(), a::id.asc()))
        .select(AppointmentRow::as_select())
        .load(conn)
}

/// Sets (or replaces) a member's feed secret.
pub fn set_feed(
    conn: &mut DbConnection,
    user_id: &str,
    token_hash: &str,
    now: i64,
) -> QueryResult<()> {
    diesel::delete(cf::table.find(user_id)).execute(conn)?;
    diesel::insert_into(cf::table)
        .values((
            cf::user_id.eq(user_id),
            cf::token_hash.eq(token_hash),
            cf::created_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

pub fn delete_feed(conn: &mut DbConnection, user_id: &str) -> QueryResult<usize> {
    diesel::delete(cf::table.find(user_id)).execute(conn)
}

/// Whose feed a secret opens.
pub fn feed_owner(conn: &mut DbConnection, token_hash: &str) -> QueryResult<Option<String>> {
    cf::table
        .filter(cf::token_hash.eq(token_hash))
        .select(cf::user_id)
        .first(conn)
        .optional()
}
