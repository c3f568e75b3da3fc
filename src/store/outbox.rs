//! The outbox table: enqueue in the caller's transaction; workers claim due
//! rows with a lease, so several instances never deliver one row at once.
//!
//! Lock order (PostgreSQL). Several transactions change many outbox rows
//! at once: the worker's recorder marks a batch, a release hands a batch
//! back, an erasure or a purge changes every email of an account and every
//! one that names it. Each of them that may wait for a row's lock takes
//! the rows in id order, and a message's row before its mentions
//! (`outbox_mentions`), so no two of them ever each hold a row the other
//! waits for. Claiming and renewing wait for no row at all: they skip
//! the rows others hold.

use super::db::insert_batched;
use super::schema::outbox as ob;
use super::schema::outbox_mentions as om;
use super::DbConnection;
use crate::domain::OutboxStatus;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ob)]
pub struct OutboxRow {
    pub id: String,
    pub message_id: String,
    pub kind: String,
    pub recipient: String,
    pub locale: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    /// A code [`OutboxStatus`] does not know is an error, not a row the
    /// worker silently never picks up.
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: i64,
    pub locked_until: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    /// The recipient's account.
    pub user_id: Option<String>,
    /// What the bodies were rendered from (JSON), kept until delivery.
    pub context: Option<String>,
    /// An iCalendar invite the email carries (text/calendar part and .ics
    /// attachment), blanked with the bodies.
    pub ics: Option<String>,
    /// A reminder's one-click unsubscribe address (RFC 8058), blanked with
    /// the bodies: it holds a token.
    pub unsubscribe: Option<String>,
}

/// A member an email names (see the migration `outbox_people`).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = om)]
pub struct MentionRow {
    pub outbox_id: String,
    pub user_id: String,
}

/// Stores messages and whom they name, many at once (see [`insert_batched`]).
pub fn enqueue_many(
    conn: &mut DbConnection,
    rows: &[OutboxRow],
    mentions: &[MentionRow],
) -> QueryResult<()> {
    insert_batched!(conn, ob::table, rows)?;
    insert_batched!(conn, om::table, mentions).map(|_| ())
}

/// Messages not yet delivered that name `user_id`, in id order: the order
/// the erasure that changes them one by one must take their rows in (see
/// the module's lock order).
pub fn unsent_mentioning(conn: &mut DbConnection, user_id: &str) -> QueryResult<Vec<OutboxRow>> {
    ob::table
        .filter(ob::status.ne(OutboxStatus::Sent))
        .filter(
            ob::id.eq_any(
                om::table
                    .filter(om::user_id.eq(user_id))
                    .select(om::outbox_id),
            ),
        )
        .order(ob::id)
        .select(OutboxRow::as_select())
        .load(conn)
}

/// Replaces a message not yet delivered with a new rendering of it. A claim
/// on it ends (back to pending): the worker holding it sends the old text,
/// cannot then mark it sent, and the new text goes out after.
pub fn rewrite(
    conn: &mut DbConnection,
    id: &str,
    subject: &str,
    body_text: &str,
    body_html: &str,
    context: &str,
) -> QueryResult<usize> {
    let n = diesel::update(ob::table.find(id).filter(ob::status.ne(OutboxStatus::Sent)))
        .set((
            ob::subject.eq(subject),
            ob::body_text.eq(body_text),
            ob::body_html.eq(body_html),
            ob::context.eq(Some(context)),
            // An invite lists the people of the appointment by name and
            // address; it cannot be written without one of them, so the
            // email goes out without it.
            ob::ics.eq(None::<String>),
        ))
        .execute(conn)?;
    diesel::update(
        ob::table
            .find(id)
            .filter(ob::status.eq(OutboxStatus::Sending)),
    )
    .set(unclaimed())
    .execute(conn)?;
    Ok(n)
}

/// Drops a message not yet delivered.
pub fn withdraw(conn: &mut DbConnection, id: &str) -> QueryResult<usize> {
    diesel::delete(ob::table.find(id).filter(ob::status.ne(OutboxStatus::Sent))).execute(conn)
}

pub fn forget_mentions(conn: &mut DbConnection, user_id: &str) -> QueryResult<usize> {
    diesel::delete(om::table.filter(om::user_id.eq(user_id))).execute(conn)
}

type Unclaimed = (
    diesel::dsl::Eq<ob::status, OutboxStatus>,
    diesel::dsl::Eq<ob::locked_until, Option<i64>>,
    diesel::dsl::Eq<ob::claim, Option<String>>,
);

/// Back to pending with no claim on it.
fn unclaimed() -> Unclaimed {
    (
        ob::status.eq(OutboxStatus::Pending),
        ob::locked_until.eq(None::<i64>),
        ob::claim.eq(None::<String>),
    )
}

/// Claims up to `want` due messages for `lease_secs` under `claim`, a token
/// no other claim uses, oldest due first: pending ones whose time has come,
/// and ones left "sending" by a worker that died (lease over). One
/// statement claims them all, and it re-checks that each row is still due,
/// so a row another worker claimed between our read and our write is left
/// to it (on PostgreSQL the read also skips rows another claim has locked,
/// so two instances claiming at once take different rows). Rows in `held`
/// are never claimed: the caller holds them already (a lease it could not
/// renew while the database was away must not become a second send of its
/// own).
pub fn claim_due(
    conn: &mut DbConnection,
    claim: &str,
    now: i64,
    lease_secs: i64,
    want: i64,
    held: &[String],
) -> QueryResult<Vec<OutboxRow>> {
    let due = ob::status
        .eq(OutboxStatus::Pending)
        .and(ob::next_attempt_at.le(now))
        .or(ob::status
            .eq(OutboxStatus::Sending)
            .and(ob::locked_until.lt(now)));
    let candidates = ob::table
        .filter(due)
        .filter(ob::id.ne_all(held))
        .order((ob::next_attempt_at.asc(), ob::id.asc()))
        .limit(want)
        .select(ob::id);
    let ids: Vec<String> = match conn {
        DbConnection::Postgres(pg) => candidates.for_update().skip_locked().load(pg)?,
        DbConnection::Sqlite(_) => candidates.load(conn)?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(ob::table.filter(ob::id.eq_any(&ids)).filter(due))
        .set((
            ob::status.eq(OutboxStatus::Sending),
            ob::locked_until.eq(now + lease_secs),
            ob::claim.eq(claim),
        ))
        .execute(conn)?;
    ob::table
        .filter(ob::id.eq_any(&ids))
        .filter(ob::claim.eq(claim))
        .order((ob::next_attempt_at.asc(), ob::id.asc()))
        .select(OutboxRow::as_select())
        .load(conn)
}

/// Extends the lease of every row in `ids` still held under one of
/// `claims` (a row another worker took over, or one already marked, is
/// left alone). Returns the ids it extended: only their claims are known
/// to last longer now.
///
/// On PostgreSQL it also leaves alone a row another transaction has
/// locked. Renewing takes many rows in one statement while the recorder
/// marks many in one transaction and an erasure changes the rows that name
/// a member: a renewal that waited for one of those rows while holding
/// others deadlocked with them, and one that waited at all held up every
/// claim of the worker. A row locked by a mark or an erasure is being
/// marked or taken back; should that transaction roll back instead, the
/// next renewal, a third of a lease later, still comes before the lease
/// ends. SQLite has one writer at a time, so nothing holds a row there.
pub fn renew(
    conn: &mut DbConnection,
    ids: &[String],
    claims: &[String],
    until: i64,
) -> QueryResult<Vec<String>> {
    match conn {
        DbConnection::Postgres(pg) => {
            // Takes no lock it has to wait for, so the order it takes them
            // in does not matter.
            let free = diesel::alias!(ob as free);
            let lockable = free
                .filter(free.field(ob::id).eq_any(ids))
                .filter(free.field(ob::claim).eq_any(claims))
                .filter(free.field(ob::status).eq(OutboxStatus::Sending))
                .select(free.field(ob::id))
                .for_no_key_update()
                .skip_locked();
            diesel::update(ob::table.filter(ob::id.eq_any(lockable)))
                .set(ob::locked_until.eq(until))
                .returning(ob::id)
                .get_results(pg)
        }
        DbConnection::Sqlite(sqlite) => diesel::update(
            ob::table
                .filter(ob::id.eq_any(ids))
                .filter(ob::claim.eq_any(claims))
                .filter(ob::status.eq(OutboxStatus::Sending)),
        )
        .set(ob::locked_until.eq(until))
        .returning(ob::id)
        .get_results(sqlite),
    }
}

/// Marks a delivered message sent and drops its bodies: they may hold
/// single-use links, and a delivered message has no more need of them.
///
/// Only the holder of `claim` can mark it, and marking again is harmless:
/// the token stays on the sent row, so a mark retried because its answer
/// was lost (the connection dropped after the commit) finds its own mark
/// and counts it. Returns 1 when the row is marked sent under `claim`, 0
/// when the claim was lost (taken back by an erasure, or taken over after
/// a lease ran out).
pub fn mark_sent(conn: &mut DbConnection, id: &str, claim: &str, now: i64) -> QueryResult<usize> {
    let held = ob::status
        .eq(OutboxStatus::Sending)
        .and(ob::claim.eq(claim));
    let n = diesel::update(ob::table.find(id).filter(held))
        .set((
            ob::status.eq(OutboxStatus::Sent),
            ob::sent_at.eq(now),
            ob::locked_until.eq(None::<i64>),
            ob::last_error.eq(None::<String>),
            ob::body_text.eq(""),
            ob::body_html.eq(""),
            ob::context.eq(None::<String>),
            ob::ics.eq(None::<String>),
            ob::unsubscribe.eq(None::<String>),
        ))
        .execute(conn)?;
    if n == 1 {
        // Whom a delivered message named no longer matters: its text is
        // gone. After the row, not before: an erasure deletes a member's
        // mentions after it has locked the rows they belong to, so taking
        // a mention first could wait for an erasure that waits for us.
        diesel::delete(om::table.filter(om::outbox_id.eq(id))).execute(conn)?;
        return Ok(1);
    }
    ob::table
        .find(id)
        .filter(ob::status.eq(OutboxStatus::Sent))
        .filter(ob::claim.eq(claim))
        .count()
        .get_result::<i64>(conn)
        .map(|n| n as usize)
}

/// Records a failed attempt: back to pending at `next_at`, or failed for
/// good (`None`). Like [`mark_sent`], only under `claim`, and repeatable.
pub fn mark_attempt_failed(
    conn: &mut DbConnection,
    id: &str,
    claim: &str,
    attempts: i32,
    next_at: Option<i64>,
    error: &str,
) -> QueryResult<usize> {
    let status = match next_at {
        Some(_) => OutboxStatus::Pending,
        None => OutboxStatus::Failed,
    };
    let error: String = error.chars().take(500).collect();
    let n = diesel::update(
        ob::table
            .find(id)
            .filter(ob::status.eq(OutboxStatus::Sending))
            .filter(ob::claim.eq(claim)),
    )
    .set((
        ob::status.eq(status),
        ob::attempts.eq(attempts),
        ob::next_attempt_at.eq(next_at.unwrap_or(0)),
        ob::locked_until.eq(None::<i64>),
        ob::last_error.eq(Some(&error)),
    ))
    .execute(conn)?;
    if n == 1 {
        return Ok(1);
    }
    // Already recorded by an earlier try whose answer was lost: the row is
    // as this call would leave it, still under our token.
    ob::table
        .find(id)
        .filter(ob::status.eq(status))
        .filter(ob::claim.eq(claim))
        .filter(ob::attempts.eq(attempts))
        .count()
        .get_result::<i64>(conn)
        .map(|n| n as usize)
}

/// What the workers still have to do, for the metrics endpoint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backlog {
    pub pending: i64,
    /// Claimed by a worker right now (or by one that died, until its lease ends).
    pub sending: i64,
    pub failed: i64,
    /// Enqueue time of the oldest message still pending.
    pub oldest_pending_at: Option<i64>,
}

/// Counts by status, leaving out `sent`: that one only grows, and counting
/// it on every scrape would cost more and more; the worker's counters say
/// how many went out.
pub fn backlog(conn: &mut DbConnection) -> QueryResult<Backlog> {
    let counts: Vec<(OutboxStatus, i64)> = ob::table
        .filter(ob::status.ne(OutboxStatus::Sent))
        .group_by(ob::status)
        .select((ob::status, diesel::dsl::count_star()))
        .load(conn)?;
    let mut b = Backlog::default();
    for (status, n) in counts {
        match status {
            OutboxStatus::Pending => b.pending = n,
            OutboxStatus::Sending => b.sending = n,
            OutboxStatus::Failed => b.failed = n,
            OutboxStatus::Sent => {}
        }
    }
    b.oldest_pending_at = ob::table
        .filter(ob::status.eq(OutboxStatus::Pending))
        .select(diesel::dsl::min(ob::created_at))
        .first(conn)?;
    Ok(b)
}

/// Gives claimed messages back untouched (no attempt counted) so another
/// worker takes them at once instead of after the lease: for a worker that
/// stops before it could send them. They were due when claimed, so their
/// `next_attempt_at` already lies in the past.
pub fn release(conn: &mut DbConnection, ids: &[String], claims: &[String]) -> QueryResult<usize> {
    match conn {
        DbConnection::Postgres(pg) => {
            // It may wait for an erasure that holds some of these rows, so
            // it takes them in id order (see the module's lock order).
            let ours = diesel::alias!(ob as ours);
            let in_order = ours
                .filter(ours.field(ob::id).eq_any(ids))
                .filter(ours.field(ob::claim).eq_any(claims))
                .filter(ours.field(ob::status).eq(OutboxStatus::Sending))
                .order(ours.field(ob::id))
                .select(ours.field(ob::id))
                .for_no_key_update();
            diesel::update(ob::table.filter(ob::id.eq_any(in_order)))
                .set(unclaimed())
                .execute(pg)
        }
        DbConnection::Sqlite(_) => diesel::update(
            ob::table
                .filter(ob::id.eq_any(ids))
                .filter(ob::claim.eq_any(claims))
                .filter(ob::status.eq(OutboxStatus::Sending)),
        )
        .set(unclaimed())
        .execute(conn),
    }
}

/// Messages that ran out of attempts, newest first; (rows, total failed).
/// With `programmes`, only those to members of them, and (`unaddressed`)
/// those to no account.
pub fn failed(
    conn: &mut DbConnection,
    programmes: Option<(&[String], bool)>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<OutboxRow>, i64)> {
    use super::schema::programme_members as pm;
    let boxed = || {
        let q = ob::table
            .filter(ob::status.eq(OutboxStatus::Failed))
            .into_boxed::<super::db::MultiBackend>();
        match programmes {
            Some((ps, unaddressed)) => {
                let members = ob::user_id.eq_any(
                    pm::table
                        .filter(pm::programme_id.eq_any(ps.to_vec()))
                        .select(pm::user_id.nullable()),
                );
                if unaddressed {
                    q.filter(members.or(ob::user_id.is_null()))
                } else {
                    q.filter(members)
                }
            }
            None => q,
        }
    };
    let total = boxed().count().get_result(conn)?;
    let rows = boxed()
        .order((ob::created_at.desc(), ob::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(OutboxRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Emails sent to one account: (kind, subject, status, created_at). Rows
/// written before emails named their account count by address.
pub fn to_user(
    conn: &mut DbConnection,
    user_id: &str,
    email: &str,
) -> QueryResult<Vec<(String, String, OutboxStatus, i64)>> {
    ob::table
        .filter(
            ob::user_id
                .eq(user_id)
                .or(ob::user_id.is_null().and(ob::recipient.eq(email))),
        )
        .order(ob::created_at.asc())
        .select((ob::kind, ob::subject, ob::status, ob::created_at))
        .load(conn)
}
