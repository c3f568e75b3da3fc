//! Programmes, who coordinates them, who is in them, and the invitations
//! to join them.

use super::db::insert_batched;
use super::schema::{
    programme_coordinators as pc, programme_invitations as pi, programme_members as pm,
    programmes as pg, rounds as r, users as u,
};
use super::DbConnection;
use diesel::prelude::*;
use std::collections::HashMap;

/// Where everything that existed before programmes went (see the
/// migration `2026-12-06-000013_programmes`); every new account joins it.
pub const DEFAULT_PROGRAMME_ID: &str = "00000000-0000-0000-0000-000000000001";

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = pg)]
pub struct ProgrammeRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub open: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = pm)]
pub struct MemberRow {
    pub programme_id: String,
    pub user_id: String,
    pub joined_at: i64,
    pub via: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = pi)]
pub struct InvitationRow {
    pub id: String,
    pub programme_id: String,
    pub email: String,
    pub display_name: String,
    pub locale: String,
    pub token_hash: String,
    pub invited_by: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
}

pub fn insert(conn: &mut DbConnection, row: &ProgrammeRow) -> QueryResult<()> {
    diesel::insert_into(pg::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn get(conn: &mut DbConnection, id: &str) -> QueryResult<Option<ProgrammeRow>> {
    pg::table
        .find(id)
        .select(ProgrammeRow::as_select())
        .first(conn)
        .optional()
}

pub fn update(conn: &mut DbConnection, row: &ProgrammeRow) -> QueryResult<usize> {
    diesel::update(pg::table.find(&row.id))
        .set((
            pg::name.eq(&row.name),
            pg::description.eq(&row.description),
            pg::open.eq(row.open),
            pg::updated_at.eq(row.updated_at),
        ))
        .execute(conn)
}

pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    pg::table.count().get_result(conn)
}

/// Which programmes a listing shows.
pub enum Visible<'a> {
    All,
    /// The ones `user` coordinates.
    CoordinatedBy(&'a str),
    /// Open ones and the ones `user` is a member of.
    OpenOrMemberOf(&'a str),
}

pub fn list(
    conn: &mut DbConnection,
    visible: Visible<'_>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<ProgrammeRow>, i64)> {
    let boxed = |v: &Visible<'_>| {
        let mut q = pg::table.into_boxed::<super::db::MultiBackend>();
        match v {
            Visible::All => {}
            Visible::CoordinatedBy(user) => {
                q = q.filter(
                    pg::id.eq_any(
                        pc::table
                            .filter(pc::user_id.eq(user.to_string()))
                            .select(pc::programme_id),
                    ),
                )
            }
            Visible::OpenOrMemberOf(user) => {
                q = q.filter(
                    pg::open.eq(true).or(pg::id.eq_any(
                        pm::table
                            .filter(pm::user_id.eq(user.to_string()))
                            .select(pm::programme_id),
                    )),
                )
            }
        }
        q
    };
    let total = boxed(&visible).count().get_result(conn)?;
    let rows = boxed(&visible)
        .order((pg::name.asc(), pg::id.asc()))
        .offset(offset)
        .limit(limit)
        .select(ProgrammeRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// The programmes `user_id` is a member of.
pub fn of_member(
    conn: &mut DbConnection,
    user_id: &str,
) -> QueryResult<Vec<(ProgrammeRow, MemberRow)>> {
    pg::table
        .inner_join(pm::table)
        .filter(pm::user_id.eq(user_id))
        .order((pg::name.asc(), pg::id.asc()))
        .select((ProgrammeRow::as_select(), MemberRow::as_select()))
        .load(conn)
}

pub fn coordinated_by(conn: &mut DbConnection, user_id: &str) -> QueryResult<Vec<String>> {
    pc::table
        .filter(pc::user_id.eq(user_id))
        .select(pc::programme_id)
        .load(conn)
}

pub fn is_coordinator(
    conn: &mut DbConnection,
    programme_id: &str,
    user_id: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        pc::table
            .filter(pc::programme_id.eq(programme_id))
            .filter(pc::user_id.eq(user_id)),
    ))
    .get_result(conn)
}

/// Coordinators of a programme: (id, display name).
pub fn coordinators(
    conn: &mut DbConnection,
    programme_id: &str,
) -> QueryResult<Vec<(String, String)>> {
    pc::table
        .inner_join(u::table)
        .filter(pc::programme_id.eq(programme_id))
        .order(u::display_name.asc())
        .select((u::id, u::display_name))
        .load(conn)
}

/// Adds a coordinator; false if they already were one.
pub fn add_coordinator(
    conn: &mut DbConnection,
    programme_id: &str,
    user_id: &str,
    now: i64,
) -> QueryResult<bool> {
    if is_coordinator(conn, programme_id, user_id)? {
        return Ok(false);
    }
    diesel::insert_into(pc::table)
        .values((
            pc::programme_id.eq(programme_id),
            pc::user_id.eq(user_id),
            pc::assigned_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

pub fn remove_coordinator(
    conn: &mut DbConnection,
    programme_id: &str,
    user_id: &str,
) -> QueryResult<usize> {
    diesel::delete(
        pc::table
            .filter(pc::programme_id.eq(programme_id))
            .filter(pc::user_id.eq(user_id)),
    )
    .execute(conn)
}

/// Drops every programme role of a user (their role was taken away).
pub fn remove_all_coordination(conn: &mut DbConnection, user_id: &str) -> QueryResult<usize> {
    diesel::delete(pc::table.filter(pc::user_id.eq(user_id))).execute(conn)
}

pub fn is_member(conn: &mut DbConnection, programme_id: &str, user_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        pm::table
            .filter(pm::programme_id.eq(programme_id))
            .filter(pm::user_id.eq(user_id)),
    ))
    .get_result(conn)
}

/// Adds members who are not in yet; returns how many were added.
pub fn add_members(conn: &mut DbConnection, rows: &[MemberRow]) -> QueryResult<usize> {
    insert_batched!(conn, pm::table, rows)
}

pub fn remove_member(
    conn: &mut DbConnection,
    programme_id: &str,
    user_id: &str,
) -> QueryResult<usize> {
    diesel::delete(
        pm::table
            .filter(pm::programme_id.eq(programme_id))
            .filter(pm::user_id.eq(user_id)),
    )
    .execute(conn)
}

pub fn member_ids(conn: &mut DbConnection, programme_id: &str) -> QueryResult<Vec<String>> {
    pm::table
        .filter(pm::programme_id.eq(programme_id))
        .select(pm::user_id)
        .load(conn)
}

pub fn member_count(conn: &mut DbConnection, programme_id: &str) -> QueryResult<i64> {
    pm::table
        .filter(pm::programme_id.eq(programme_id))
        .count()
        .get_result(conn)
}

/// Members of a programme by lowercased address: (address, user id).
pub fn member_emails(
    conn: &mut DbConnection,
    programme_id: &str,
) -> QueryResult<Vec<(String, String)>> {
    pm::table
        .inner_join(u::table)
        .filter(pm::programme_id.eq(programme_id))
        .select((u::email, u::id))
        .load(conn)
}

/// Accounts among `emails`: address -> (id, erased).
pub fn accounts_by_email(
    conn: &mut DbConnection,
    emails: &[String],
) -> QueryResult<HashMap<String, (String, bool)>> {
    let mut out = HashMap::new();
    for chunk in emails.chunks(1_000) {
        let rows: Vec<(String, String, Option<i64>)> = u::table
            .filter(u::email.eq_any(chunk))
            .select((u::email, u::id, u::erased_at))
            .load(conn)?;
        out.extend(
            rows.into_iter()
                .map(|(e, id, erased)| (e, (id, erased.is_some()))),
        );
    }
    Ok(out)
}

/// The programme a round belongs to.
pub fn of_round(conn: &mut DbConnection, round_id: &str) -> QueryResult<Option<String>> {
    r::table
        .find(round_id)
        .select(r::programme_id)
        .first(conn)
        .optional()
}

/// Round ids of a programme.
pub fn round_ids(conn: &mut DbConnection, programme_id: &str) -> QueryResult<Vec<String>> {
    r::table
        .filter(r::programme_id.eq(programme_id))
        .select(r::id)
        .load(conn)
}

/// Invitations of a programme by address.
pub fn invitations(
    conn: &mut DbConnection,
    programme_id: &str,
) -> QueryResult<HashMap<String, InvitationRow>> {
    let rows: Vec<InvitationRow> = pi::table
        .filter(pi::programme_id.eq(programme_id))
        .select(InvitationRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.email.clone(), r)).collect())
}

pub fn insert_invitations(conn: &mut DbConnection, rows: &[InvitationRow]) -> QueryResult<usize> {
    insert_batched!(conn, pi::table, rows)
}

/// Sends an invitation again: a new token, a new expiry, pending again.
pub fn renew_invitation(conn: &mut DbConnection, row: &InvitationRow) -> QueryResult<usize> {
    diesel::update(pi::table.find(&row.id))
        .set((
            pi::display_name.eq(&row.display_name),
            pi::locale.eq(&row.locale),
            pi::token_hash.eq(&row.token_hash),
            pi::invited_by.eq(&row.invited_by),
            pi::created_at.eq(row.created_at),
            pi::expires_at.eq(row.expires_at),
            pi::accepted_at.eq(None::<i64>),
        ))
        .execute(conn)
}

pub fn invitation_by_hash(
    conn: &mut DbConnection,
    hash: &str,
) -> QueryResult<Option<InvitationRow>> {
    pi::table
        .filter(pi::token_hash.eq(hash))
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()
}

/// Spends an invitation; of two concurrent accepts exactly one sees `true`.
pub fn accept_invitation(
    conn: &mut DbConnection,
    id: &str,
    hash: &str,
    now: i64,
) -> QueryResult<bool> {
    let n = diesel::update(
        pi::table
            .find(id)
            .filter(pi::token_hash.eq(hash))
            .filter(pi::accepted_at.is_null()),
    )
    .set(pi::accepted_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}
