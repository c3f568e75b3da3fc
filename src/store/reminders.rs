//! Reminders: what members want, what is due, and which went out.

use super::schema::{
    appointments as a, match_members as mm, matches as m, meetings as mt,
    notification_settings as ns, profiles as p, reminders_sent as rs, rounds as r, users as u,
};
use super::DbConnection;
use crate::domain::{Answer, MatchKind, RoundStatus};
use diesel::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = ns)]
pub struct SettingsRow {
    pub answer_pending: bool,
    pub no_meeting_yet: bool,
    pub reflection_due: bool,
    pub next_session: bool,
}

/// A member's choice, or `None` when they never made one (all on).
pub fn settings(conn: &mut DbConnection, user_id: &str) -> QueryResult<Option<SettingsRow>> {
    ns::table
        .find(user_id)
        .select(SettingsRow::as_select())
        .first(conn)
        .optional()
}

pub fn save_settings(
    conn: &mut DbConnection,
    user_id: &str,
    s: &SettingsRow,
    now: i64,
) -> QueryResult<()> {
    // An upsert: a mail client's one-click POST and its retry may come at
    // once, and two plain inserts would collide on PostgreSQL.
    let upsert = diesel::insert_into(ns::table)
        .values((s, ns::user_id.eq(user_id), ns::updated_at.eq(now)))
        .on_conflict(ns::user_id)
        .do_update()
        .set((s, ns::updated_at.eq(now)));
    match conn {
        DbConnection::Postgres(pg) => upsert.execute(pg)?,
        DbConnection::Sqlite(lite) => upsert.execute(lite)?,
    };
    Ok(())
}

/// Records a reminder as sent; true for the one caller that did (the key
/// is the primary key, so two instances cannot both record it).
pub fn claim(
    conn: &mut DbConnection,
    key: &str,
    user_id: &str,
    kind: &str,
    now: i64,
) -> QueryResult<bool> {
    let row = (
        rs::reminder_key.eq(key),
        rs::user_id.eq(user_id),
        rs::kind.eq(kind),
        rs::sent_at.eq(now),
    );
    // ON CONFLICT DO NOTHING: on PostgreSQL a second instance's insert
    // waits for the first to commit and then inserts nothing, where a plain
    // insert would fail its whole transaction.
    let insert = diesel::insert_into(rs::table)
        .values(row)
        .on_conflict_do_nothing();
    let n = match conn {
        DbConnection::Postgres(pg) => insert.execute(pg)?,
        DbConnection::Sqlite(lite) => insert.execute(lite)?,
    };
    Ok(n == 1)
}

/// Which of `keys` went out already.
pub fn sent_among(conn: &mut DbConnection, keys: &[String]) -> QueryResult<Vec<String>> {
    let mut out = Vec::new();
    for chunk in keys.chunks(500) {
        out.extend(
            rs::table
                .filter(rs::reminder_key.eq_any(chunk))
                .select(rs::reminder_key)
                .load::<String>(conn)?,
        );
    }
    Ok(out)
}

/// A member who can be reminded: their account and language, whether they
/// paused, and their choice of reminders.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub locale: crate::domain::Locale,
    pub paused: bool,
    pub settings: Option<SettingsRow>,
}

/// The members among `ids` who are not erased, with their choices.
pub fn recipients(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<Recipient>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let people: Vec<(String, String, String, crate::domain::Locale, Option<bool>)> = u::table
            .left_join(p::table)
            .filter(u::id.eq_any(chunk))
            .filter(u::erased_at.is_null())
            .select((
                u::id,
                u::display_name,
                u::email,
                u::locale,
                p::paused.nullable(),
            ))
            .load(conn)?;
        let chosen: std::collections::HashMap<String, SettingsRow> = ns::table
            .filter(ns::user_id.eq_any(chunk))
            .select((ns::user_id, SettingsRow::as_select()))
            .load::<(String, SettingsRow)>(conn)?
            .into_iter()
            .collect();
        out.extend(
            people
                .into_iter()
                .map(|(user_id, name, email, locale, paused)| Recipient {
                    settings: chosen.get(&user_id).copied(),
                    user_id,
                    name,
                    email,
                    locale,
                    paused: paused.unwrap_or(false),
                }),
        );
    }
    Ok(out)
}

/// One member as [`recipients`] reads them, for the transaction that sends
/// their reminder: on PostgreSQL their user row is read `FOR SHARE`, so an
/// erasure waits until the email is queued (and then rewrites it).
pub fn recipient_locked(conn: &mut DbConnection, user_id: &str) -> QueryResult<Option<Recipient>> {
    if let DbConnection::Postgres(pg) = conn {
        let alive: Option<String> = u::table
            .filter(u::id.eq(user_id))
            .filter(u::erased_at.is_null())
            .select(u::id)
            .for_share()
            .first(pg)
            .optional()?;
        if alive.is_none() {
            return Ok(None);
        }
    }
    Ok(recipients(conn, &[user_id.to_string()])?.into_iter().next())
}

/// A seat in a match of a published round that has no appointment (not
/// cancelled) and no recorded meeting yet.
#[derive(Debug, Clone, Queryable)]
pub struct QuietSeat {
    pub match_id: String,
    pub kind: MatchKind,
    pub round: i32,
    pub params: String,
    pub ready_at: Option<i64>,
    pub user_id: String,
    pub response: Answer,
    pub responded_at: Option<i64>,
}

/// Every seat of the matches published after `since` in which nobody has
/// met or planned to meet.
pub fn quiet_matches(conn: &mut DbConnection, since: i64) -> QueryResult<Vec<QuietSeat>> {
    mm::table
        .inner_join(m::table.on(m::id.eq(mm::match_id)))
        .inner_join(r::table.on(r::id.eq(m::round_id)))
        .filter(r::status.eq(RoundStatus::Published))
        .filter(r::published_at.ge(since))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            a::table
                .filter(a::match_id.eq(mm::match_id))
                .filter(a::cancelled_at.is_null()),
        )))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            mt::table.filter(mt::match_id.eq(mm::match_id)),
        )))
        .order((mm::match_id.asc(), mm::user_id.asc()))
        .select((
            mm::match_id,
            m::kind,
            r::number,
            r::params,
            m::ready_at,
            mm::user_id,
            mm::response,
            mm::responded_at,
        ))
        .load(conn)
}

/// Whether a match still has no appointment and no meeting (checked again
/// in the transaction that sends its reminder).
pub fn still_quiet(conn: &mut DbConnection, match_id: &str) -> QueryResult<bool> {
    let planned: i64 = a::table
        .filter(a::match_id.eq(match_id))
        .filter(a::cancelled_at.is_null())
        .count()
        .get_result(conn)?;
    let met: i64 = mt::table
        .filter(mt::match_id.eq(match_id))
        .count()
        .get_result(conn)?;
    Ok(planned == 0 && met == 0)
}

/// An appointment (not cancelled) in a published round, with one accepted
/// member of its match: a row per member.
#[derive(Debug, Clone, Queryable)]
pub struct AppointmentSeat {
    pub appointment_id: String,
    pub match_id: String,
    pub kind: MatchKind,
    pub params: String,
    pub starts_at: i64,
    pub duration_minutes: i32,
    pub mode: String,
    pub location: Option<String>,
    pub online_url: Option<String>,
    pub user_id: String,
}

/// Appointments starting between `from` and `until`, per accepted member.
pub fn appointments_between(
    conn: &mut DbConnection,
    from: i64,
    until: i64,
    kind: Option<MatchKind>,
) -> QueryResult<Vec<AppointmentSeat>> {
    let mut q = a::table
        .inner_join(m::table.inner_join(r::table))
        .inner_join(mm::table.on(mm::match_id.eq(a::match_id)))
        .filter(r::status.eq(RoundStatus::Published))
        .filter(a::cancelled_at.is_null())
        .filter(a::starts_at.ge(from))
        .filter(a::starts_at.lt(until))
        .filter(mm::response.eq(Answer::Accepted))
        .into_boxed();
    if let Some(k) = kind {
        q = q.filter(m::kind.eq(k));
    }
    q.order((a::starts_at.asc(), a::id.asc(), mm::user_id.asc()))
        .select((
            a::id,
            a::match_id,
            m::kind,
            r::params,
            a::starts_at,
            a::duration_minutes,
            a::mode,
            a::location,
            a::online_url,
            mm::user_id,
        ))
        .load(conn)
}

/// Whether `user_id` recorded a meeting in `match_id` on or after `day`
/// (YYYY-MM-DD).
pub fn recorded_since(
    conn: &mut DbConnection,
    match_id: &str,
    user_id: &str,
    day: &str,
) -> QueryResult<bool> {
    let n: i64 = mt::table
        .filter(mt::match_id.eq(match_id))
        .filter(mt::user_id.eq(user_id))
        .filter(mt::met_on.ge(day))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Whether the appointment still stands at `starts_at` (checked again in
/// the transaction that sends its reminder).
pub fn appointment_stands(conn: &mut DbConnection, id: &str, starts_at: i64) -> QueryResult<bool> {
    let n: i64 = a::table
        .filter(a::id.eq(id))
        .filter(a::cancelled_at.is_null())
        .filter(a::starts_at.eq(starts_at))
        .count()
        .get_result(conn)?;
    Ok(n == 1)
}

/// An erased member's reminder records and choices go with them.
pub fn forget(conn: &mut DbConnection, user_id: &str) -> QueryResult<()> {
    diesel::delete(rs::table.filter(rs::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(ns::table.find(user_id)).execute(conn)?;
    Ok(())
}
