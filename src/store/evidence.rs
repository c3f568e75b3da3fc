//! Meetings members record (their evidence of learning) and match ratings.

use super::rounds::Seat;
use super::schema::{
    match_members as mm, matches as m, meetings as mt, ratings as rt, rounds as r,
};
use super::DbConnection;
use crate::domain::{MatchKind, RoundStatus};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = mt)]
pub struct MeetingRow {
    pub id: String,
    pub match_id: String,
    pub user_id: String,
    pub met_on: String,
    pub hours: i32,
    pub reflection: String,
    pub created_at: i64,
}

pub fn insert_meeting(conn: &mut DbConnection, row: &MeetingRow) -> QueryResult<()> {
    diesel::insert_into(mt::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// A match of a published round, as a meeting on it needs it.
pub struct PublishedMatch {
    pub published_at: i64,
    /// Everyone in it.
    pub members: Vec<Seat>,
}

pub fn published_match(
    conn: &mut DbConnection,
    match_id: &str,
) -> QueryResult<Option<PublishedMatch>> {
    let published: Option<Option<i64>> = m::table
        .inner_join(r::table)
        .filter(m::id.eq(match_id))
        .filter(r::status.eq(RoundStatus::Published))
        .select(r::published_at)
        .first(conn)
        .optional()?;
    let Some(published) = published else {
        return Ok(None);
    };
    let members = mm::table
        .filter(mm::match_id.eq(match_id))
        .order(mm::user_id.asc())
        .select(Seat::as_select())
        .load(conn)?;
    Ok(Some(PublishedMatch {
        // Publishing sets it; 0 would only widen the window, never refuse.
        published_at: published.unwrap_or(0),
        members,
    }))
}

/// A member's meetings with the kind and round of the match, oldest first.
pub fn meetings_of_user(
    conn: &mut DbConnection,
    user_id: &str,
) -> QueryResult<Vec<(MeetingRow, MatchKind, i32)>> {
    mt::table
        .inner_join(m::table.inner_join(r::table))
        .filter(mt::user_id.eq(user_id))
        .order((mt::met_on.asc(), mt::created_at.asc()))
        .select((MeetingRow::as_select(), m::kind, r::number))
        .load(conn)
}

/// One of a member's meetings, with the kind and round of the match; `None`
/// for another member's meeting as for one that does not exist.
pub fn meeting_of_user(
    conn: &mut DbConnection,
    user_id: &str,
    meeting_id: &str,
) -> QueryResult<Option<(MeetingRow, MatchKind, i32)>> {
    mt::table
        .inner_join(m::table.inner_join(r::table))
        .filter(mt::id.eq(meeting_id))
        .filter(mt::user_id.eq(user_id))
        .select((MeetingRow::as_select(), m::kind, r::number))
        .first(conn)
        .optional()
}

/// Sets (or replaces) a member's rating of a match.
pub fn set_rating(
    conn: &mut DbConnection,
    match_id: &str,
    user_id: &str,
    stars: i32,
    comment: &str,
    now: i64,
) -> QueryResult<()> {
    diesel::delete(rt::table.find((match_id, user_id))).execute(conn)?;
    diesel::insert_into(rt::table)
        .values((
            rt::match_id.eq(match_id),
            rt::user_id.eq(user_id),
            rt::stars.eq(stars),
            rt::comment.eq(comment),
            rt::created_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Ratings of one round's matches: (stars, comment) pairs, no names.
pub fn ratings_of_round(
    conn: &mut DbConnection,
    round_id: &str,
) -> QueryResult<Vec<(i32, String)>> {
    rt::table
        .inner_join(m::table)
        .filter(m::round_id.eq(round_id))
        .order(rt::created_at.asc())
        .select((rt::stars, rt::comment))
        .load(conn)
}

/// Meetings recorded in one round's matches: (match id, member, hours).
pub fn meetings_of_round(
    conn: &mut DbConnection,
    round_id: &str,
) -> QueryResult<Vec<(String, String, i32)>> {
    mt::table
        .inner_join(m::table)
        .filter(m::round_id.eq(round_id))
        .select((mt::match_id, mt::user_id, mt::hours))
        .load(conn)
}

/// A member's own ratings: (match id, stars, comment, when).
pub fn ratings_by_user(
    conn: &mut DbConnection,
    user_id: &str,
) -> QueryResult<Vec<(String, i32, String, i64)>> {
    rt::table
        .filter(rt::user_id.eq(user_id))
        .order(rt::created_at.asc())
        .select((rt::match_id, rt::stars, rt::comment, rt::created_at))
        .load(conn)
}

/// A member's meetings with dates from `from` to `until` (both included;
/// `None` leaves that end open), oldest first, with the kind of the match.
/// Dates are `YYYY-MM-DD` text, so text order is date order.
pub fn meetings_between(
    conn: &mut DbConnection,
    user_id: &str,
    from: Option<&str>,
    until: Option<&str>,
) -> QueryResult<Vec<(MeetingRow, MatchKind)>> {
    mt::table
        .inner_join(m::table)
        .filter(mt::user_id.eq(user_id))
        .filter(mt::met_on.ge(from.unwrap_or("0000-01-01")))
        .filter(mt::met_on.le(until.unwrap_or("9999-12-31")))
        .order((mt::met_on.asc(), mt::created_at.asc()))
        .select((MeetingRow::as_select(), m::kind))
        .load(conn)
}

/// Everyone in the given matches: (match id, seat).
pub fn seats_of_matches(
    conn: &mut DbConnection,
    match_ids: &[String],
) -> QueryResult<Vec<(String, Seat)>> {
    let mut ids = match_ids.to_vec();
    ids.sort();
    ids.dedup();
    let mut out = Vec::new();
    for chunk in ids.chunks(10_000) {
        out.extend(
            mm::table
                .filter(mm::match_id.eq_any(chunk))
                .order((mm::match_id.asc(), mm::user_id.asc()))
                .select((mm::match_id, Seat::as_select()))
                .load(conn)?,
        );
    }
    Ok(out)
}
