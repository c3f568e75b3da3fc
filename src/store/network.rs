//! The rows the learning network is built from: published rounds in scope,
//! their matches' members and answers, the meetings recorded, who the round
//! left unmatched, and the members' profiles (none for an erased member).

use super::schema::{
    match_members as mm, matches as m, meetings as mt, profiles as p, round_unmatched as ru,
    rounds as r, users as u,
};
use super::DbConnection;
use crate::domain::{Answer, Domain, MatchKind, Profession, Province, RoundStatus};
use diesel::prelude::*;

pub struct Scope<'a> {
    /// `None`: every programme.
    pub programmes: Option<&'a [String]>,
    /// Rounds published in `[from, until)`, seconds since the epoch.
    pub from: Option<i64>,
    pub until: Option<i64>,
    /// Unmatched reasons that kept a member out before matching: they were
    /// not eligible (the engine's `UnmatchedReason::before_matching`).
    pub kept_out: &'a [String],
}

#[derive(Queryable)]
pub struct RoundRow {
    pub id: String,
    pub programme_id: String,
    pub number: i32,
    pub kind: MatchKind,
    pub published_at: Option<i64>,
}

#[derive(Queryable)]
pub struct SeatRow {
    pub round_id: String,
    pub match_id: String,
    pub kind: MatchKind,
    pub user_id: String,
    pub response: Answer,
}

#[derive(Queryable)]
pub struct MeetingRow {
    pub match_id: String,
    pub user_id: String,
    pub hours: i32,
}

#[derive(Queryable)]
pub struct MemberRow {
    pub id: String,
    pub display_name: String,
    pub erased_at: Option<i64>,
    pub domain: Option<Domain>,
    pub profession: Option<Profession>,
    pub province: Option<Province>,
    pub experience_years: Option<i32>,
}

pub struct Rows {
    pub rounds: Vec<RoundRow>,
    /// Ordered by match, then member.
    pub seats: Vec<SeatRow>,
    pub meetings: Vec<MeetingRow>,
    /// (round, member) the solver left unmatched.
    pub unmatched: Vec<(String, String)>,
    pub members: Vec<MemberRow>,
}

pub fn rows(conn: &mut DbConnection, scope: &Scope) -> QueryResult<Rows> {
    let mut q = r::table
        .filter(r::status.eq(RoundStatus::Published))
        .into_boxed();
    if let Some(ids) = scope.programmes {
        q = q.filter(r::programme_id.eq_any(ids));
    }
    if let Some(from) = scope.from {
        q = q.filter(r::published_at.ge(from));
    }
    if let Some(until) = scope.until {
        q = q.filter(r::published_at.lt(until));
    }
    let rounds: Vec<RoundRow> = q
        .order((r::published_at.asc(), r::number.asc(), r::id.asc()))
        .select((r::id, r::programme_id, r::number, r::kind, r::published_at))
        .load(conn)?;
    // Rounds are few (a programme runs one a month or so), so their ids
    // bind as a list.
    let ids: Vec<&str> = rounds.iter().map(|r| r.id.as_str()).collect();
    let seats: Vec<SeatRow> = mm::table
        .inner_join(m::table.on(m::id.eq(mm::match_id)))
        .filter(mm::round_id.eq_any(&ids))
        .order((mm::match_id.asc(), mm::user_id.asc()))
        .select((
            mm::round_id,
            mm::match_id,
            m::kind,
            mm::user_id,
            mm::response,
        ))
        .load(conn)?;
    let meetings: Vec<MeetingRow> = mt::table
        .inner_join(m::table.on(m::id.eq(mt::match_id)))
        .filter(m::round_id.eq_any(&ids))
        .select((mt::match_id, mt::user_id, mt::hours))
        .load(conn)?;
    let unmatched: Vec<(String, String)> = ru::table
        .filter(ru::round_id.eq_any(&ids))
        .filter(ru::reason.ne_all(scope.kept_out))
        .select((ru::round_id, ru::user_id))
        .load(conn)?;
    let in_rounds = mm::table
        .filter(mm::round_id.eq_any(&ids))
        .select(mm::user_id);
    let left_out = ru::table
        .filter(ru::round_id.eq_any(&ids))
        .select(ru::user_id);
    let members: Vec<MemberRow> = u::table
        .left_join(p::table.on(p::user_id.eq(u::id)))
        .filter(u::id.eq_any(in_rounds).or(u::id.eq_any(left_out)))
        .order(u::id.asc())
        .select((
            u::id,
            u::display_name,
            u::erased_at,
            p::domain.nullable(),
            p::profession.nullable(),
            p::province.nullable(),
            p::experience_years.nullable(),
        ))
        .load(conn)?;
    Ok(Rows {
        rounds,
        seats,
        meetings,
        unmatched,
        members,
    })
}
