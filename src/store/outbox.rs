//! The outbox table: enqueue in the caller's transaction; workers claim due
//! rows with a lease, so several instances never deliver one row at once.

use super::db::insert_batched;
use super::schema::outbox as ob;
use super::schema::outbox_mentions as om;
use super::DbConnection;
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
    pub status: String,
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
}

/// A member an email names (see the migration `outbox_people`).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = om)]
pub struct MentionRow {
    pub outbox_id: String,
    pub user_id: String,
}

pub const PENDING: &str = "pending";
pub const SENDING: &str = "sending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";

/// Stores messages and whom they name, many at once (see [`insert_batched`]).
pub fn enqueue_many(
    conn: &mut DbConnection,
    rows: &[OutboxRow],
    mentions: &[MentionRow],
) -> QueryResult<()> {
    insert_batched!(conn, ob::table, rows)?;
    insert_batched!(conn, om::table, mentions).map(|_| ())
}

/// Messages not yet delivered that name `user_id`.
pub fn unsent_mentioning(conn: &mut DbConnection, user_id: &str) -> QueryResult<Vec<OutboxRow>> {
    ob::table
        .filter(ob::status.ne(SENT))
        .filter(
            ob::id.eq_any(
                om::table
                    .filter(om::user_id.eq(user_id))
                    .select(om::outbox_id),
            ),
        )
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
    let n = diesel::update(ob::table.find(id).filter(ob::status.ne(SENT)))
        .set((
            ob::subject.eq(subject),
            ob::body_text.eq(body_text),
            ob::body_html.eq(body_html),
            ob::context.eq(Some(context)),
        ))
        .execute(conn)?;
    diesel::update(ob::table.find(id).filter(ob::status.eq(SENDING)))
        .set((ob::status.eq(PENDING), ob::locked_until.eq(None::<i64>)))
        .execute(conn)?;
    Ok(n)
}

/// Drops a message not yet delivered.
pub fn withdraw(conn: &mut DbConnection, id: &str) -> QueryResult<usize> {
    diesel::delete(ob::table.find(id).filter(ob::status.ne(SENT))).execute(conn)
}

pub fn forget_mentions(conn: &mut DbConnection, user_id: &str) -> QueryResult<usize> {
    diesel::delete(om::table.filter(om::user_id.eq(user_id))).execute(conn)
}

/// Claims up to `want` due messages for `lease_secs`, looking at the `scan`
/// most overdue: pending ones whose time has come, and ones left "sending"
/// by a worker that died (lease over). Each claim is a conditional update,
/// so a row another worker or lane claimed between our read and our write
/// is skipped and the next candidate tried; scanning a few more than
/// wanted keeps lanes that read at once from all losing the same row.
pub fn claim_due(
    conn: &mut DbConnection,
    now: i64,
    lease_secs: i64,
    scan: i64,
    want: usize,
) -> QueryResult<Vec<OutboxRow>> {
    let candidates: Vec<String> = ob::table
        .filter(
            (ob::status.eq(PENDING).and(ob::next_attempt_at.le(now)))
                .or(ob::status.eq(SENDING).and(ob::locked_until.lt(now))),
        )
        .order((ob::next_attempt_at.asc(), ob::id.asc()))
        .limit(scan)
        .select(ob::id)
        .load(conn)?;
    let mut claimed = Vec::with_capacity(want);
    for id in candidates {
        if claimed.len() >= want {
            break;
        }
        let n = diesel::update(
            ob::table.find(&id).filter(
                (ob::status.eq(PENDING).and(ob::next_attempt_at.le(now)))
                    .or(ob::status.eq(SENDING).and(ob::locked_until.lt(now))),
            ),
        )
        .set((
            ob::status.eq(SENDING),
            ob::locked_until.eq(now + lease_secs),
        ))
        .execute(conn)?;
        if n == 1 {
            claimed.push(
                ob::table
                    .find(&id)
                    .select(OutboxRow::as_select())
                    .first(conn)?,
            );
        }
    }
    Ok(claimed)
}

/// Marks a delivered message sent and drops its bodies: they may hold
/// single-use links, and a delivered message has no more need of them.
///
/// `claim` is the lease expiry the worker got: a re-claim after a lease ran
/// out always sets a later one, so a worker that outlived its lease cannot
/// overwrite the outcome of the worker that took over.
pub fn mark_sent(conn: &mut DbConnection, id: &str, claim: i64, now: i64) -> QueryResult<usize> {
    let mine = ob::status.eq(SENDING).and(ob::locked_until.eq(Some(claim)));
    // Whom a delivered message named no longer matters: its text is gone.
    diesel::delete(
        om::table.filter(om::outbox_id.eq_any(ob::table.find(id).filter(mine).select(ob::id))),
    )
    .execute(conn)?;
    diesel::update(ob::table.find(id).filter(mine))
        .set((
            ob::status.eq(SENT),
            ob::sent_at.eq(now),
            ob::locked_until.eq(None::<i64>),
            ob::last_error.eq(None::<String>),
            ob::body_text.eq(""),
            ob::body_html.eq(""),
            ob::context.eq(None::<String>),
        ))
        .execute(conn)
}

/// Records a failed attempt: back to pending at `next_at`, or failed for good.
pub fn mark_attempt_failed(
    conn: &mut DbConnection,
    id: &str,
    claim: i64,
    attempts: i32,
    next_at: Option<i64>,
    error: &str,
) -> QueryResult<usize> {
    let status = if next_at.is_some() { PENDING } else { FAILED };
    let mine = ob::status.eq(SENDING).and(ob::locked_until.eq(Some(claim)));
    diesel::update(ob::table.find(id).filter(mine))
        .set((
            ob::status.eq(status),
            ob::attempts.eq(attempts),
            ob::next_attempt_at.eq(next_at.unwrap_or(0)),
            ob::locked_until.eq(None::<i64>),
            ob::last_error.eq(Some(error.chars().take(500).collect::<String>())),
        ))
        .execute(conn)
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
    let counts: Vec<(String, i64)> = ob::table
        .filter(ob::status.ne(SENT))
        .group_by(ob::status)
        .select((ob::status, diesel::dsl::count_star()))
        .load(conn)?;
    let mut b = Backlog::default();
    for (status, n) in counts {
        match status.as_str() {
            PENDING => b.pending = n,
            SENDING => b.sending = n,
            FAILED => b.failed = n,
            _ => {}
        }
    }
    b.oldest_pending_at = ob::table
        .filter(ob::status.eq(PENDING))
        .select(diesel::dsl::min(ob::created_at))
        .first(conn)?;
    Ok(b)
}

/// Gives a claimed message back untouched (no attempt counted) so another
/// worker takes it at once instead of after the lease: for a worker that
/// stops before it could finish sending. It was due when claimed, so its
/// `next_attempt_at` already lies in the past.
pub fn release(conn: &mut DbConnection, id: &str, claim: i64) -> QueryResult<usize> {
    let mine = ob::status.eq(SENDING).and(ob::locked_until.eq(Some(claim)));
    diesel::update(ob::table.find(id).filter(mine))
        .set((ob::status.eq(PENDING), ob::locked_until.eq(None::<i64>)))
        .execute(conn)
}

/// Messages that ran out of attempts, newest first; (rows, total failed).
pub fn failed(
    conn: &mut DbConnection,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<OutboxRow>, i64)> {
    let total = ob::table
        .filter(ob::status.eq(FAILED))
        .count()
        .get_result(conn)?;
    let rows = ob::table
        .filter(ob::status.eq(FAILED))
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
) -> QueryResult<Vec<(String, String, String, i64)>> {
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
