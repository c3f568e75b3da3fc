//! Rounds, their matches and the people in them.

use super::db::insert_batched;
use super::privacy::ContactRow;
use super::schema::{
    contact_preferences as cp, match_members as mm, matches as m, profiles as p, rounds as r,
    users as u,
};
use super::DbConnection;
use crate::domain::{
    Answer, Domain, GroupMeetingMode, Locale, MatchKind, MatchRole, Profession, Province,
    RoundStatus,
};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = r)]
pub struct RoundRow {
    pub id: String,
    pub number: i32,
    pub kind: MatchKind,
    pub status: RoundStatus,
    pub params: String,
    pub cohort: String,
    pub note: String,
    pub meeting_window: String,
    pub created_by: String,
    pub created_at: i64,
    pub published_at: Option<i64>,
    pub cancelled_at: Option<i64>,
    pub progress: Option<String>,
    pub metrics: Option<String>,
    /// Answers are asked before this instant (midnight, Amsterdam).
    pub reply_by: Option<i64>,
    pub programme_id: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = m)]
pub struct MatchRow {
    pub id: String,
    pub round_id: String,
    pub kind: MatchKind,
    pub score: i64,
    pub explanation: String,
    pub created_at: i64,
    /// Intervision: the member who starts the group.
    pub convener_id: Option<String>,
    /// Intervision: how the group meets.
    pub meeting_mode: Option<GroupMeetingMode>,
    /// Intervision: when enough members had accepted to start.
    pub ready_at: Option<i64>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = mm)]
pub struct MatchMemberRow {
    pub match_id: String,
    pub round_id: String,
    pub user_id: String,
    pub role: MatchRole,
    pub response: Answer,
    pub responded_at: Option<i64>,
    pub decline_reason: Option<String>,
    pub reminded_at: Option<i64>,
}

/// One member of a stored match: who, in which role, with which answer.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = mm)]
pub struct Seat {
    pub user_id: String,
    pub role: MatchRole,
    pub response: Answer,
}

pub fn next_number(conn: &mut DbConnection) -> QueryResult<i32> {
    let max: Option<i32> = r::table.select(diesel::dsl::max(r::number)).first(conn)?;
    Ok(max.unwrap_or(0) + 1)
}

pub fn insert(conn: &mut DbConnection, row: &RoundRow) -> QueryResult<()> {
    diesel::insert_into(r::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn get(conn: &mut DbConnection, id: &str) -> QueryResult<Option<RoundRow>> {
    r::table
        .find(id)
        .select(RoundRow::as_select())
        .first(conn)
        .optional()
}

/// Rounds, newest first; only those of `programmes` when given.
pub fn list(
    conn: &mut DbConnection,
    programmes: Option<&[String]>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<RoundRow>, i64)> {
    let boxed = || {
        let q = r::table.into_boxed::<super::db::MultiBackend>();
        match programmes {
            Some(ps) => q.filter(r::programme_id.eq_any(ps)),
            None => q,
        }
    };
    let total = boxed().count().get_result(conn)?;
    let rows = boxed()
        .order(r::number.desc())
        .offset(offset)
        .limit(limit)
        .select(RoundRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Moves a draft to published. Of two concurrent publishers exactly one
/// sees `true`: the other's update finds the status already changed.
pub fn publish_if_draft(
    conn: &mut DbConnection,
    id: &str,
    now: i64,
    metrics: &str,
    reply_by: i64,
) -> QueryResult<bool> {
    let n = diesel::update(r::table.find(id).filter(r::status.eq(RoundStatus::Draft)))
        .set((
            r::status.eq(RoundStatus::Published),
            r::published_at.eq(now),
            r::reply_by.eq(reply_by),
            r::metrics.eq(metrics),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Cancels the round if its status is still `expected`: a publish that
/// committed in between makes this a no-op (false), never a silent overwrite.
pub fn cancel_if(
    conn: &mut DbConnection,
    id: &str,
    expected: RoundStatus,
    now: i64,
) -> QueryResult<bool> {
    let n = diesel::update(r::table.find(id).filter(r::status.eq(expected)))
        .set((
            r::status.eq(RoundStatus::Cancelled),
            r::cancelled_at.eq(now),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Stores a round's matches and their members (see [`insert_batched`]).
pub fn insert_matches(
    conn: &mut DbConnection,
    matches: &[MatchRow],
    members: &[MatchMemberRow],
) -> QueryResult<()> {
    insert_batched!(conn, m::table, matches)?;
    insert_batched!(conn, mm::table, members)?;
    Ok(())
}

pub fn matches_of_round(
    conn: &mut DbConnection,
    round_id: &str,
) -> QueryResult<Vec<(MatchRow, Vec<MatchMemberRow>)>> {
    let ms: Vec<MatchRow> = m::table
        .filter(m::round_id.eq(round_id))
        .order(m::id.asc())
        .select(MatchRow::as_select())
        .load(conn)?;
    let members: Vec<MatchMemberRow> = mm::table
        .filter(mm::round_id.eq(round_id))
        .order((mm::match_id.asc(), mm::user_id.asc()))
        .select(MatchMemberRow::as_select())
        .load(conn)?;
    Ok(group(ms, members, |s| &s.match_id))
}

/// Puts each match's members (rows of any shape) with it, keeping the
/// matches' order.
fn group<T>(
    ms: Vec<MatchRow>,
    members: Vec<T>,
    match_id: impl Fn(&T) -> &String,
) -> Vec<(MatchRow, Vec<T>)> {
    let mut by_match: std::collections::HashMap<String, Vec<T>> = std::collections::HashMap::new();
    for mem in members {
        by_match
            .entry(match_id(&mem).clone())
            .or_default()
            .push(mem);
    }
    ms.into_iter()
        .map(|row| {
            let people = by_match.remove(&row.id).unwrap_or_default();
            (row, people)
        })
        .collect()
}

/// The stored reasons of every match a member was in, any round status.
pub fn explanations_of_user(
    conn: &mut DbConnection,
    user_id: &str,
) -> QueryResult<Vec<(String, String)>> {
    m::table
        .filter(
            m::id.eq_any(
                mm::table
                    .filter(mm::user_id.eq(user_id))
                    .select(mm::match_id),
            ),
        )
        .select((m::id, m::explanation))
        .load(conn)
}

pub fn set_explanation(
    conn: &mut DbConnection,
    match_id: &str,
    explanation: &str,
) -> QueryResult<()> {
    diesel::update(m::table.find(match_id))
        .set(m::explanation.eq(explanation))
        .execute(conn)
        .map(drop)
}

/// A member's matches in published rounds, newest round first, with everyone in them.
pub fn matches_of_user(
    conn: &mut DbConnection,
    user_id: &str,
) -> QueryResult<Vec<(RoundRow, MatchRow, Vec<MatchMemberRow>)>> {
    matches_of_user_in(conn, user_id, &[RoundStatus::Published])
}

/// The ids of a member's matches, as a subquery (a statement the same
/// text for every member, so it stays prepared). Read from an alias of
/// `match_members`: the queries it goes into read that table too, and the
/// inner one needs another name. A macro because each alias is a type of
/// its own.
macro_rules! match_ids_of {
    ($user_id:expr) => {{
        let me = diesel::alias!(crate::store::schema::match_members as me);
        me.filter(me.field(mm::user_id).eq($user_id))
            .select(me.field(mm::match_id))
    }};
}

/// A member's matches in rounds of the given statuses, newest round first,
/// with everyone in them.
pub fn matches_of_user_in(
    conn: &mut DbConnection,
    user_id: &str,
    statuses: &[RoundStatus],
) -> QueryResult<Vec<(RoundRow, MatchRow, Vec<MatchMemberRow>)>> {
    let ms = my_matches_in(conn, user_id, statuses)?;
    let members: Vec<MatchMemberRow> = mm::table
        .filter(mm::match_id.eq_any(match_ids_of!(user_id)))
        .order((mm::match_id.asc(), mm::user_id.asc()))
        .select(MatchMemberRow::as_select())
        .load(conn)?;
    Ok(with_members(ms, members, |s| &s.match_id))
}

/// Everyone in a match as the match card shows them: the seat, and where
/// the account is not erased, the person, the profile facts the match was
/// made on and their sharing choices. Which of it a reader may see is the
/// service's to decide.
#[derive(Debug, Clone)]
pub struct SeatCard {
    pub seat: MatchMemberRow,
    pub person: Option<Person>,
    pub facts: Option<(Domain, Profession, Province)>,
    pub contact: Option<ContactRow>,
}

/// [`matches_of_user_in`] with a [`SeatCard`] for everyone: two queries
/// whatever the number of matches and people (one when there are none),
/// each the same text every time (subqueries by member rather than id
/// lists), so both backends keep them prepared.
pub fn cards_of_user_in(
    conn: &mut DbConnection,
    user_id: &str,
    statuses: &[RoundStatus],
) -> QueryResult<Vec<(RoundRow, MatchRow, Vec<SeatCard>)>> {
    let ms = my_matches_in(conn, user_id, statuses)?;
    if ms.is_empty() {
        return Ok(Vec::new());
    }
    type Row = (
        MatchMemberRow,
        Option<Person>,
        Option<(Domain, Profession, Province)>,
        Option<ContactRow>,
    );
    let rows: Vec<Row> = mm::table
        .left_join(u::table.on(u::id.eq(mm::user_id).and(u::erased_at.is_null())))
        .left_join(p::table.on(p::user_id.eq(mm::user_id)))
        .left_join(cp::table.on(cp::user_id.eq(mm::user_id)))
        .filter(mm::match_id.eq_any(match_ids_of!(user_id)))
        .order((mm::match_id.asc(), mm::user_id.asc()))
        .select((
            MatchMemberRow::as_select(),
            Option::<Person>::as_select(),
            (p::domain, p::profession, p::province).nullable(),
            Option::<ContactRow>::as_select(),
        ))
        .load(conn)?;
    let cards = rows
        .into_iter()
        .map(|(seat, person, facts, contact)| SeatCard {
            seat,
            person,
            facts,
            contact,
        })
        .collect();
    Ok(with_members(ms, cards, |c| &c.seat.match_id))
}

/// A member's matches in rounds of the given statuses with their rounds,
/// newest round first.
fn my_matches_in(
    conn: &mut DbConnection,
    user_id: &str,
    statuses: &[RoundStatus],
) -> QueryResult<Vec<(MatchRow, RoundRow)>> {
    let query = m::table
        .inner_join(r::table)
        .filter(m::id.eq_any(match_ids_of!(user_id)))
        .order((r::number.desc(), m::id.asc()))
        .select((MatchRow::as_select(), RoundRow::as_select()));
    // One status (a member's own view) with `=`: SQLite keeps no `IN (…)`
    // list prepared, and this statement is read on every visit.
    match statuses {
        [status] => query.filter(r::status.eq(status)).load(conn),
        _ => query.filter(r::status.eq_any(statuses)).load(conn),
    }
}

/// [`group`] for matches read with their rounds.
fn with_members<T>(
    ms: Vec<(MatchRow, RoundRow)>,
    members: Vec<T>,
    match_id: impl Fn(&T) -> &String,
) -> Vec<(RoundRow, MatchRow, Vec<T>)> {
    let (matches, rounds): (Vec<_>, Vec<_>) = ms.into_iter().unzip();
    group(matches, members, match_id)
        .into_iter()
        .zip(rounds)
        .map(|((mr, people), rr)| (rr, mr, people))
        .collect()
}

/// Everyone who was in a match together in a published round, with the
/// round number: the engine's repeat window reads this. Declines are
/// returned apart: a declined pair is never proposed again.
pub struct History {
    pub met: Vec<(String, String, i32)>,
    pub declined: Vec<(String, String)>,
}

impl History {
    /// Pairs who dealt with each other, from every membership of the
    /// published rounds (ordered by match, as [`memberships`] returns them).
    pub fn of(rows: &[Membership]) -> History {
        let mut met = Vec::new();
        let mut declined = Vec::new();
        for m in rows.chunk_by(|a, b| a.match_id == b.match_id) {
            for (k, a) in m.iter().enumerate() {
                for b in m[k + 1..]
                    .iter()
                    .filter(|b| crate::domain::in_contact(a.role, b.role))
                {
                    met.push((a.user_id.clone(), b.user_id.clone(), a.round_number));
                    if a.response == Answer::Declined || b.response == Answer::Declined {
                        declined.push((a.user_id.clone(), b.user_id.clone()));
                    }
                }
            }
        }
        History { met, declined }
    }
}

/// Whom an email about a match goes to, and who it may name.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = u)]
pub struct Person {
    pub id: String,
    #[diesel(column_name = display_name)]
    pub name: String,
    pub email: String,
    pub locale: Locale,
}

/// The given users; erased accounts are left out (they have no name or
/// address any more). Queried in chunks: a round can hold far more people
/// than one statement may bind (SQLite allows 32,766 parameters).
pub fn people(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<Person>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(10_000) {
        out.extend(
            u::table
                .filter(u::id.eq_any(chunk))
                .filter(u::erased_at.is_null())
                .select(Person::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// [`people`] for a publish: on PostgreSQL the rows are read `FOR SHARE`,
/// so an erasure (which updates the row) waits until the publish has
/// committed and then finds, and rewrites, the emails that name the member.
/// SQLite's write transaction already runs alone.
pub fn people_for_publish(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<Person>> {
    let DbConnection::Postgres(pg) = conn else {
        return people(conn, ids);
    };
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(10_000) {
        out.extend(
            u::table
                .filter(u::id.eq_any(chunk))
                .filter(u::erased_at.is_null())
                .select(Person::as_select())
                .for_share()
                .load(pg)?,
        );
    }
    Ok(out)
}

pub fn verified_user_ids(conn: &mut DbConnection) -> QueryResult<Vec<(String, String)>> {
    u::table
        .filter(u::email_verified_at.is_not_null())
        .select((u::id, u::display_name))
        .load(conn)
}

pub enum ResponseOutcome {
    Recorded,
    NotInMatch,
    /// With the answer given, unless a concurrent one got there first.
    AlreadyAnswered(Option<Answer>),
}

/// Records an answer once; the pending filter makes a second one a no-op.
pub fn set_response(
    conn: &mut DbConnection,
    match_id: &str,
    user_id: &str,
    response: Answer,
    reason: Option<&str>,
    now: i64,
) -> QueryResult<ResponseOutcome> {
    // Answers to one match take turns on PostgreSQL, so each sees the ones
    // before it and who is told what follows one order (SQLite's write
    // transactions already run one at a time).
    if let DbConnection::Postgres(pg) = conn {
        mm::table
            .filter(mm::match_id.eq(match_id))
            .select(mm::user_id)
            .for_update()
            .load::<String>(pg)?;
    }
    let current: Option<Answer> = mm::table
        .inner_join(r::table)
        .filter(mm::match_id.eq(match_id))
        .filter(mm::user_id.eq(user_id))
        .filter(r::status.eq(RoundStatus::Published))
        .select(mm::response)
        .first(conn)
        .optional()?;
    match current {
        None => Ok(ResponseOutcome::NotInMatch),
        Some(Answer::Pending) => {
            let n = diesel::update(
                mm::table
                    .find((match_id, user_id))
                    .filter(mm::response.eq(Answer::Pending)),
            )
            .set((
                mm::response.eq(response),
                mm::responded_at.eq(now),
                mm::decline_reason.eq(reason),
            ))
            .execute(conn)?;
            // A concurrent answer (a double click) got there first.
            Ok(if n == 1 {
                ResponseOutcome::Recorded
            } else {
                ResponseOutcome::AlreadyAnswered(None)
            })
        }
        Some(prev) => Ok(ResponseOutcome::AlreadyAnswered(Some(prev))),
    }
}

/// A member's answer to a match of a published round, if they are in it.
pub fn membership(
    conn: &mut DbConnection,
    match_id: &str,
    user_id: &str,
) -> QueryResult<Option<Answer>> {
    mm::table
        .inner_join(r::table)
        .filter(mm::match_id.eq(match_id))
        .filter(mm::user_id.eq(user_id))
        .filter(r::status.eq(RoundStatus::Published))
        .select(mm::response)
        .first(conn)
        .optional()
}

pub fn set_progress(
    conn: &mut DbConnection,
    id: &str,
    progress: Option<&str>,
) -> QueryResult<usize> {
    diesel::update(r::table.find(id))
        .set(r::progress.eq(progress))
        .execute(conn)
}

/// One member's place in a match of a published round, with what decides
/// whether it still takes their time and whether the pair may meet again:
/// the answers in that match, the round's number and period.
#[derive(Debug, Clone, Queryable)]
pub struct Membership {
    pub match_id: String,
    pub user_id: String,
    pub role: MatchRole,
    pub response: Answer,
    pub kind: MatchKind,
    pub round_number: i32,
    pub meeting_window: String,
    pub published_at: Option<i64>,
}

/// Every membership of every published round, ordered by match: one read
/// serves both the repeat-pair history and the hours already committed.
pub fn memberships(conn: &mut DbConnection) -> QueryResult<Vec<Membership>> {
    mm::table
        .inner_join(r::table)
        .filter(r::status.eq(RoundStatus::Published))
        .order((mm::match_id.asc(), mm::user_id.asc()))
        .select((
            mm::match_id,
            mm::user_id,
            mm::role,
            mm::response,
            r::kind,
            r::number,
            r::meeting_window,
            r::published_at,
        ))
        .load(conn)
}

/// Marks a group as startable; true for the one caller that did it.
pub fn mark_ready(conn: &mut DbConnection, match_id: &str, now: i64) -> QueryResult<bool> {
    let n = diesel::update(m::table.find(match_id).filter(m::ready_at.is_null()))
        .set(m::ready_at.eq(now))
        .execute(conn)?;
    Ok(n == 1)
}

/// A pending answer of a published round whose reply date has passed.
#[derive(Debug, Clone)]
pub struct DueAnswer {
    pub round: RoundRow,
    pub match_id: String,
    pub user_id: String,
    pub reminded_at: Option<i64>,
}

pub fn due_answers(conn: &mut DbConnection, now: i64) -> QueryResult<Vec<DueAnswer>> {
    let rows: Vec<(RoundRow, String, String, Option<i64>)> = mm::table
        .inner_join(r::table)
        .filter(r::status.eq(RoundStatus::Published))
        .filter(r::reply_by.le(now))
        .filter(mm::response.eq(Answer::Pending))
        .order((r::number.asc(), mm::match_id.asc(), mm::user_id.asc()))
        .select((
            RoundRow::as_select(),
            mm::match_id,
            mm::user_id,
            mm::reminded_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(round, match_id, user_id, reminded_at)| DueAnswer {
            round,
            match_id,
            user_id,
            reminded_at,
        })
        .collect())
}

/// Records a reminder once; true for the one caller that did.
pub fn mark_reminded(
    conn: &mut DbConnection,
    match_id: &str,
    user_id: &str,
    now: i64,
) -> QueryResult<bool> {
    let n = diesel::update(
        mm::table
            .find((match_id, user_id))
            .filter(mm::response.eq(Answer::Pending))
            .filter(mm::reminded_at.is_null()),
    )
    .set(mm::reminded_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

/// Lets a pending answer lapse; true for the one caller that did.
pub fn expire_answer(
    conn: &mut DbConnection,
    match_id: &str,
    user_id: &str,
    now: i64,
) -> QueryResult<bool> {
    let n = diesel::update(
        mm::table
            .find((match_id, user_id))
            .filter(mm::response.eq(Answer::Pending)),
    )
    .set((mm::response.eq(Answer::Expired), mm::responded_at.eq(now)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Everyone in one match of a published round.
pub fn seats(conn: &mut DbConnection, match_id: &str) -> QueryResult<Vec<Seat>> {
    mm::table
        .filter(mm::match_id.eq(match_id))
        .order(mm::user_id.asc())
        .select(Seat::as_select())
        .load(conn)
}

pub fn set_convener(conn: &mut DbConnection, match_id: &str, user_id: &str) -> QueryResult<()> {
    diesel::update(m::table.find(match_id))
        .set(m::convener_id.eq(user_id))
        .execute(conn)
        .map(drop)
}
