//! Finding the reminders that are due and queueing each once.

use super::kind::Reminder;
use crate::domain::{in_contact, time, Answer, MatchKind};
use crate::error::AppError;
use crate::mail::{labels, notify};
use crate::service::mail::{reminder_letter, MailContext, To};
use crate::service::rounds::settings::{ReminderDelays, Settings};
use crate::service::{now, AppState};
use crate::store::db::write_tx;
use crate::store::reminders::{self as store, Recipient};
use crate::store::{self as db, DbConnection};
use std::collections::{BTreeMap, HashMap, HashSet};

const DAY: i64 = 86_400;
/// A reminder that could not go out in this long after it was due (the
/// service was down, the member paused) would only confuse: it is dropped.
const STALE_AFTER: i64 = 14 * DAY;

/// How many reminders of each kind this sweep queued.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    pub no_meeting_yet: usize,
    pub reflection_due: usize,
    pub next_session: usize,
}

/// One reminder that is due, before the checks in its own transaction.
struct Due {
    reminder: Reminder,
    key: String,
    user_id: String,
    match_id: String,
    what: What,
}

enum What {
    Quiet { kind: MatchKind, round: i32 },
    Appointment(db::reminders::AppointmentSeat),
}

fn delays(params: &str) -> ReminderDelays {
    serde_json::from_str::<Settings>(params)
        .ok()
        .and_then(|s| s.reminders)
        .unwrap_or_default()
}

/// Queues every reminder after a match that is due now. Several instances
/// may sweep at once: each reminder's key is recorded with its email.
pub fn sweep_reminders(state: &AppState) -> Result<Sent, AppError> {
    let t = now();
    let mut conn = state.conn()?;
    let mut due = quiet_matches(&mut conn, t)?;
    due.extend(appointments(&mut conn, t)?);
    // Keys already recorded and members who do not want a reminder are
    // left out before any transaction.
    let keys: Vec<String> = due.iter().map(|d| d.key.clone()).collect();
    let sent: HashSet<String> = store::sent_among(&mut conn, &keys)?.into_iter().collect();
    due.retain(|d| !sent.contains(&d.key));
    let ids: Vec<String> = due
        .iter()
        .map(|d| d.user_id.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let people: HashMap<String, Recipient> = store::recipients(&mut conn, &ids)?
        .into_iter()
        .map(|r| (r.user_id.clone(), r))
        .collect();
    let mc = state.mail_context();
    let mut out = Sent::default();
    for d in due {
        // A first look, to spare a transaction; `send` looks again.
        let wanted = people
            .get(&d.user_id)
            .is_some_and(|w| !w.paused && d.reminder.wanted(w.settings.as_ref()));
        if wanted && send(&mut conn, &mc, &d, t)? {
            match d.reminder {
                Reminder::NoMeetingYet => out.no_meeting_yet += 1,
                Reminder::ReflectionDue => out.reflection_due += 1,
                Reminder::NextSession => out.next_session += 1,
                Reminder::AnswerPending => {}
            }
        }
    }
    if out != Sent::default() {
        tracing::info!(?out, "reminders queued");
    }
    Ok(out)
}

/// Matches everyone took up (a group: that could start) with no
/// appointment or meeting since, past the round's delay.
fn quiet_matches(conn: &mut DbConnection, t: i64) -> Result<Vec<Due>, AppError> {
    let rows = store::quiet_matches(conn, t - 365 * DAY)?;
    let mut by_match: BTreeMap<&str, Vec<&store::QuietSeat>> = BTreeMap::new();
    for r in &rows {
        by_match.entry(r.match_id.as_str()).or_default().push(r);
    }
    let mut out = Vec::new();
    for (match_id, seats) in by_match {
        let first = seats[0];
        let started = if first.kind == MatchKind::Intervision {
            first.ready_at
        } else if seats.iter().all(|s| s.response == Answer::Accepted) {
            seats.iter().filter_map(|s| s.responded_at).max()
        } else {
            None
        };
        let Some(started) = started else { continue };
        let at = started + delays(&first.params).no_meeting_secs();
        if t < at || t > at + STALE_AFTER {
            continue;
        }
        for s in seats.iter().filter(|s| s.response == Answer::Accepted) {
            out.push(Due {
                reminder: Reminder::NoMeetingYet,
                key: format!("{}:{match_id}:{}", Reminder::NoMeetingYet.code(), s.user_id),
                user_id: s.user_id.clone(),
                match_id: match_id.to_string(),
                what: What::Quiet {
                    kind: first.kind,
                    round: first.round,
                },
            });
        }
    }
    Ok(out)
}

/// Reflections due after appointments that ended, and intervision
/// sessions about to start.
fn appointments(conn: &mut DbConnection, t: i64) -> Result<Vec<Due>, AppError> {
    let horizon = i64::from(ReminderDelays::MAX_HOURS) * 3600;
    let mut out = Vec::new();
    for a in store::appointments_between(conn, t - horizon - STALE_AFTER, t, None)? {
        let ends = a.starts_at + i64::from(a.duration_minutes) * 60;
        let at = ends + delays(&a.params).reflection_secs();
        if t < at || t > at + STALE_AFTER {
            continue;
        }
        out.push(Due {
            reminder: Reminder::ReflectionDue,
            key: format!(
                "{}:{}:{}",
                Reminder::ReflectionDue.code(),
                a.appointment_id,
                a.user_id
            ),
            user_id: a.user_id.clone(),
            match_id: a.match_id.clone(),
            what: What::Appointment(a),
        });
    }
    for a in store::appointments_between(conn, t, t + horizon, Some(MatchKind::Intervision))? {
        if t < a.starts_at - delays(&a.params).session_secs() {
            continue;
        }
        // A session moved to another time is announced again.
        out.push(Due {
            reminder: Reminder::NextSession,
            key: format!(
                "{}:{}:{}:{}",
                Reminder::NextSession.code(),
                a.appointment_id,
                a.starts_at,
                a.user_id
            ),
            user_id: a.user_id.clone(),
            match_id: a.match_id.clone(),
            what: What::Appointment(a),
        });
    }
    Ok(out)
}

/// Checks the member and the reason again, records the key and queues the
/// email, in one transaction; false when the member was erased, paused or
/// turned the reminder off since the sweep began, the reason is gone, or
/// another instance sent it.
fn send(conn: &mut DbConnection, mc: &MailContext<'_>, d: &Due, t: i64) -> Result<bool, AppError> {
    write_tx(conn, |conn| {
        // On PostgreSQL the member's row (and the others', below) is read
        // FOR SHARE: an erasure waits for this email to be queued, then
        // finds and rewrites it; SQLite's write transaction runs alone.
        let Some(who) = store::recipient_locked(conn, &d.user_id)? else {
            return Ok(false);
        };
        if who.paused || !d.reminder.wanted(who.settings.as_ref()) {
            return Ok(false);
        }
        let still = match &d.what {
            What::Quiet { .. } => store::still_quiet(conn, &d.match_id)?,
            What::Appointment(a) if d.reminder == Reminder::ReflectionDue => {
                let day = time::amsterdam_day(a.starts_at);
                store::appointment_stands(conn, &a.appointment_id, a.starts_at)?
                    && !store::recorded_since(conn, &d.match_id, &d.user_id, &day)?
            }
            What::Appointment(a) => {
                store::appointment_stands(conn, &a.appointment_id, a.starts_at)?
            }
        };
        if !still {
            return Ok(false);
        }
        // The others in the match the member deals with (never another
        // visitor of a host), by name: not erased, still in it.
        let seats = db::rounds::seats(conn, &d.match_id)?;
        let Some(mine) = seats
            .iter()
            .find(|s| s.user_id == d.user_id)
            .map(|s| s.role)
        else {
            return Ok(false);
        };
        let ids: Vec<String> = seats
            .into_iter()
            .filter(|s| s.user_id != d.user_id && s.response == Answer::Accepted)
            .filter(|s| in_contact(mine, s.role))
            .map(|s| s.user_id)
            .collect();
        let mut others = db::rounds::people_for_publish(conn, &ids)?;
        // Nobody left to meet (the others were erased): nothing to remind of.
        if others.is_empty() && d.reminder != Reminder::ReflectionDue {
            return Ok(false);
        }
        others.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        let others: Vec<notify::Person<'_>> = others
            .iter()
            .map(|p| notify::Person {
                user_id: &p.id,
                name: &p.name,
            })
            .collect();
        let mentioned: Vec<&str> = others.iter().map(|p| p.user_id).collect();
        let who = &who;
        let to = To {
            user_id: &who.user_id,
            email: &who.email,
            locale: who.locale,
        };
        let l = who.locale;
        let code = d.reminder.code();
        let letter = match &d.what {
            What::Quiet { kind, round } => reminder_letter(
                mc,
                to,
                &notify::MeetingReminder {
                    name: &who.name,
                    kind: labels::kind(*kind, l),
                    round: *round,
                    others,
                    link: mc.answer_link(&d.match_id, &who.user_id)?,
                },
                &mentioned,
                code,
            )?,
            What::Appointment(a) if d.reminder == Reminder::ReflectionDue => reminder_letter(
                mc,
                to,
                &notify::ReflectionReminder {
                    name: &who.name,
                    when: time::human_time(a.starts_at, l),
                    others,
                    link: mc.appointment_link(&a.appointment_id, &who.user_id)?,
                },
                &mentioned,
                code,
            )?,
            What::Appointment(a) => reminder_letter(
                mc,
                to,
                &notify::SessionReminder {
                    name: &who.name,
                    when: time::human_time(a.starts_at, l),
                    minutes: a.duration_minutes,
                    online: a.mode == "online",
                    location: a.location.as_deref(),
                    online_url: a.online_url.as_deref(),
                    others,
                    link: mc.appointment_link(&a.appointment_id, &who.user_id)?,
                },
                &mentioned,
                code,
            )?,
        };
        // Last, so that every way out above leaves no key behind.
        if !store::claim(conn, &d.key, &d.user_id, d.reminder.code(), t)? {
            return Ok(false);
        }
        crate::store::outbox::enqueue_many(conn, &[letter.row], &letter.mentions)?;
        Ok::<_, AppError>(true)
    })
}
