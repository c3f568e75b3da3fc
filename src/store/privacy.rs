//! What matched peers may see, erasure of an account, and the purge of
//! data nobody needs any more.

use super::schema::{
    contact_preferences as cp, email_tokens as et, match_members as mm, meetings as mt,
    outbox as ob, outbox_mentions as om, profiles as p, ratings as ra, refresh_tokens as rt,
    rounds as r, sessions as s, users as u,
};
use super::DbConnection;
use crate::domain::Role;
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = cp, treat_none_as_null = true)]
pub struct ContactRow {
    pub user_id: String,
    pub phone: Option<String>,
    pub share_email: bool,
    pub share_phone: bool,
    pub share_province: bool,
    pub updated_at: i64,
}

pub fn contact(conn: &mut DbConnection, user_id: &str) -> QueryResult<Option<ContactRow>> {
    cp::table
        .find(user_id)
        .select(ContactRow::as_select())
        .first(conn)
        .optional()
}

pub fn contacts(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<ContactRow>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(10_000) {
        out.extend(
            cp::table
                .filter(cp::user_id.eq_any(chunk))
                .select(ContactRow::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

pub fn save_contact(conn: &mut DbConnection, row: &ContactRow) -> QueryResult<()> {
    let n = diesel::update(cp::table.find(&row.user_id))
        .set(row)
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(cp::table).values(row).execute(conn)?;
    }
    Ok(())
}

/// A member's open logins: when each began, when it was last renewed and
/// when it runs out (its live refresh token's times).
pub fn open_sessions(
    conn: &mut DbConnection,
    user_id: &str,
    now: i64,
) -> QueryResult<Vec<(i64, i64, i64)>> {
    use super::schema::sessions as se;
    rt::table
        .inner_join(se::table.on(se::id.eq(rt::family_id)))
        .filter(rt::user_id.eq(user_id))
        .filter(rt::revoked_at.is_null())
        .filter(rt::expires_at.gt(now))
        .filter(se::ended_at.is_null())
        .order(se::created_at.asc())
        .select((se::created_at, rt::created_at, rt::expires_at))
        .load(conn)
}

/// Strips an account down to an id that past matches can still point at.
/// Everything that says who the person was, or what they wrote, goes; what
/// remains (roles, answers, stars, meeting dates and hours) is the anonymous
/// statistics coordinators keep. Returns false if the account was already
/// erased or does not exist.
pub fn erase_account(conn: &mut DbConnection, user_id: &str, now: i64) -> QueryResult<bool> {
    let Some(email) = u::table
        .find(user_id)
        .filter(u::erased_at.is_null())
        .select(u::email)
        .first::<String>(conn)
        .optional()?
    else {
        return Ok(false);
    };
    diesel::delete(p::table.find(user_id)).execute(conn)?;
    diesel::delete(cp::table.find(user_id)).execute(conn)?;
    super::conflicts::forget(conn, user_id)?;
    diesel::delete(rt::table.filter(rt::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(s::table.filter(s::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(et::table.filter(et::user_id.eq(user_id))).execute(conn)?;
    // An erased member's calendar feed stops at once.
    super::appointments::delete_feed(conn, user_id)?;
    super::reminders::forget(conn, user_id)?;
    {
        use super::schema::{
            programme_coordinators as pc, programme_invitations as pi, programme_members as pm,
        };
        diesel::delete(pm::table.filter(pm::user_id.eq(user_id))).execute(conn)?;
        diesel::delete(pc::table.filter(pc::user_id.eq(user_id))).execute(conn)?;
        diesel::delete(pi::table.filter(pi::email.eq(&email))).execute(conn)?;
    }
    // Mail not yet delivered is withdrawn; delivered mail keeps only its
    // status row, addressed to nobody.
    // Rows from before emails named their account are matched by address.
    let mine = || {
        ob::user_id
            .eq(user_id)
            .or(ob::user_id.is_null().and(ob::recipient.eq(&email)))
    };
    // Every outbox row this transaction changes, here and in the rewrite
    // of the emails that name the member after it, taken at once in the
    // lock order of store/outbox.rs: changed one statement at a time they
    // were taken in no order, and a mail worker marking some of them in
    // its own transaction could deadlock with us.
    if let DbConnection::Postgres(pg) = &mut *conn {
        let named = om::table
            .filter(om::user_id.eq(user_id))
            .select(om::outbox_id);
        ob::table
            .filter(mine().or(ob::id.eq_any(named)))
            .order(ob::id)
            .select(ob::id)
            .for_update()
            .execute(pg)?;
    }
    diesel::delete(ob::table.filter(mine()).filter(ob::status.ne("sent"))).execute(conn)?;
    diesel::update(ob::table.filter(mine()))
        .set((
            ob::recipient.eq(erased_address(user_id)),
            ob::subject.eq(""),
            ob::body_text.eq(""),
            ob::body_html.eq(""),
            ob::context.eq(None::<String>),
            ob::ics.eq(None::<String>),
            ob::unsubscribe.eq(None::<String>),
            ob::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    diesel::update(mt::table.filter(mt::user_id.eq(user_id)))
        .set(mt::reflection.eq(""))
        .execute(conn)?;
    diesel::update(ra::table.filter(ra::user_id.eq(user_id)))
        .set(ra::comment.eq(""))
        .execute(conn)?;
    diesel::update(mm::table.filter(mm::user_id.eq(user_id)))
        .set(mm::decline_reason.eq(None::<String>))
        .execute(conn)?;
    diesel::update(u::table.find(user_id))
        .set((
            u::email.eq(erased_address(user_id)),
            u::password_hash.eq("!erased"),
            u::display_name.eq(""),
            u::role.eq(Role::Member),
            u::erased_at.eq(now),
            u::updated_at.eq(now),
        ))
        .execute(conn)?;
    super::login_changes::changed(conn);
    Ok(true)
}

/// Unique (the email column is) and undeliverable by RFC 2606.
fn erased_address(user_id: &str) -> String {
    format!("erased-{user_id}@erased.invalid")
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Purged {
    pub unverified_accounts: usize,
    pub refresh_tokens: usize,
    pub sessions: usize,
    pub email_tokens: usize,
}

/// Deletes member accounts never verified and created before `unverified_before`
/// (nothing refers to them: only verified members are matched or create
/// rounds), tokens that expired before `tokens_before`, and the logins left
/// without tokens.
pub fn purge(
    conn: &mut DbConnection,
    unverified_before: i64,
    tokens_before: i64,
) -> QueryResult<Purged> {
    let stale: Vec<String> = u::table
        .filter(u::email_verified_at.is_null())
        .filter(u::erased_at.is_null())
        .filter(u::role.eq(Role::Member))
        .filter(u::created_at.lt(unverified_before))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            mm::table.filter(mm::user_id.eq(u::id)),
        )))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            r::table.filter(r::created_by.eq(u::id)),
        )))
        .select(u::id)
        .limit(10_000)
        .load(conn)?;
    // Profiles, contact details, tokens and their emails go with them (ON
    // DELETE CASCADE); emails from before those named their account go by
    // address.
    for chunk in stale.chunks(1_000) {
        let addresses = || u::table.filter(u::id.eq_any(chunk)).select(u::email);
        // The rows both deletes take (the second through ON DELETE
        // CASCADE), first and in the lock order of store/outbox.rs: a mail
        // worker may be marking some of them.
        if let DbConnection::Postgres(pg) = &mut *conn {
            ob::table
                .filter(
                    ob::user_id
                        .eq_any(chunk)
                        .or(ob::user_id.is_null().and(ob::recipient.eq_any(addresses()))),
                )
                .order(ob::id)
                .select(ob::id)
                .for_update()
                .execute(pg)?;
        }
        diesel::delete(
            ob::table
                .filter(ob::user_id.is_null())
                .filter(ob::recipient.eq_any(addresses())),
        )
        .execute(conn)?;
        diesel::delete(u::table.filter(u::id.eq_any(chunk))).execute(conn)?;
        super::login_changes::changed(conn);
    }
    let refresh_tokens =
        diesel::delete(rt::table.filter(rt::expires_at.lt(tokens_before))).execute(conn)?;
    let sessions = super::sessions::purge_without_tokens(conn)?;
    let email_tokens =
        diesel::delete(et::table.filter(et::expires_at.lt(tokens_before))).execute(conn)?;
    Ok(Purged {
        unverified_accounts: stale.len(),
        refresh_tokens,
        sessions,
        email_tokens,
    })
}
