//! Appointments: members of a taken-up match agree when and where to meet.
//! Every change goes to every member of the match by email with a calendar
//! invite (mail/ics.rs), in the same transaction as the change; a member's
//! private feed lists their appointments for calendar subscriptions.

use super::mail::{letter, MailContext, To};
use super::now;
use super::AppState;
use crate::domain::evidence::MAX_MEETING_HOURS;
use crate::domain::{time, Answer, FieldProblem, Locale};
use crate::error::AppError;
use crate::mail::ics::{self, CalUser, Entry, Method};
use crate::mail::notify::{self, AppointmentChange};
use crate::store::appointments::{self as store_appt, AppointmentRow};
use crate::store::db::write_tx;
use crate::store::outbox::{enqueue_many, MentionRow, OutboxRow};
use crate::store::rounds::Person as PersonRow;
use crate::store::{self, DbConnection};
use std::collections::HashSet;

pub const MIN_MINUTES: i64 = 15;
/// A working day: longer is no single appointment.
pub const MAX_MINUTES: i64 = 480;
const MAX_LOCATION_CHARS: usize = 200;
const MAX_URL_CHARS: usize = 500;
const MAX_NOTE_CHARS: usize = 1000;
/// Appointments are for the coming year, not a calendar for life.
const MAX_AHEAD_SECS: i64 = 400 * 86_400;

/// Where the feeds are served (api/mod.rs routes `/calendar/{token}.ics`).
const FEED_PATH: &str = "/api/v1/calendar/";

const IN_PERSON: &str = "in_person";
const ONLINE: &str = "online";

/// What a member sends to propose an appointment.
pub struct NewAppointment {
    pub starts_at: String,
    pub duration_minutes: i64,
    pub mode: String,
    pub location: Option<String>,
    pub online_url: Option<String>,
    pub note: Option<String>,
}

/// A change: fields left out stay; `Some(None)` or an empty string clears
/// an optional one.
#[derive(Default)]
pub struct Changes {
    pub starts_at: Option<String>,
    pub duration_minutes: Option<i64>,
    pub mode: Option<String>,
    pub location: Option<Option<String>>,
    pub online_url: Option<Option<String>>,
    pub note: Option<Option<String>>,
}

/// The meeting to record once an appointment is over, filled in.
#[derive(Debug, serde::Serialize)]
pub struct RecordMeeting {
    /// The day it took place, in Amsterdam.
    pub date: String,
    /// Its length in whole hours, rounded up.
    pub hours: u8,
}

#[derive(Debug, serde::Serialize)]
pub struct AttendeeView {
    pub name: String,
    pub me: bool,
}

#[derive(Debug, serde::Serialize)]
pub struct Appointment {
    pub id: String,
    pub match_id: String,
    #[serde(serialize_with = "crate::domain::time::iso8601")]
    pub starts_at: i64,
    #[serde(serialize_with = "crate::domain::time::iso8601")]
    pub ends_at: i64,
    pub duration_minutes: i32,
    pub mode: String,
    pub location: Option<String>,
    pub online_url: Option<String>,
    pub note: Option<String>,
    /// `scheduled` or `cancelled`.
    pub status: &'static str,
    /// The calendar SEQUENCE of the last invite: 0, one more per change.
    pub sequence: i32,
    pub proposed_by_me: bool,
    pub attendees: Vec<AttendeeView>,
    /// Offered once the appointment has ended (never for a cancelled one).
    pub record_meeting: Option<RecordMeeting>,
    #[serde(serialize_with = "crate::domain::time::iso8601")]
    pub created_at: i64,
    #[serde(serialize_with = "crate::domain::time::iso8601")]
    pub updated_at: i64,
}

/// Checked values, ready to store.
struct Valid {
    starts_at: i64,
    duration_minutes: i32,
    mode: &'static str,
    location: Option<String>,
    online_url: Option<String>,
    note: Option<String>,
}

/// Empty text is no text.
fn text(
    field: &str,
    v: Option<&str>,
    max: usize,
    problems: &mut Vec<FieldProblem>,
) -> Option<String> {
    match crate::domain::free_text(field, v?, max) {
        Ok(t) if t.is_empty() => None,
        Ok(t) => Some(t),
        Err(p) => {
            problems.push(p);
            None
        }
    }
}

/// A meeting link people click from an email: https only, with a host.
fn https_url(v: Option<&str>, problems: &mut Vec<FieldProblem>) -> Option<String> {
    let raw = v?.trim();
    if raw.is_empty() {
        return None;
    }
    let ok = raw.chars().count() <= MAX_URL_CHARS
        && url::Url::parse(raw)
            .map(|u| u.scheme() == "https" && u.host_str().is_some_and(|h| !h.is_empty()))
            .unwrap_or(false);
    if ok {
        Some(raw.to_string())
    } else {
        problems.push(FieldProblem::new(
            "online_url",
            format!("must be an https:// address of at most {MAX_URL_CHARS} characters"),
        ));
        None
    }
}

/// The rules for a whole appointment. `starts_raw` is a start the member
/// sent (checked to lie ahead); without one, `starts_at` is the stored one.
#[allow(clippy::too_many_arguments)]
fn validate(
    starts_raw: Option<&str>,
    starts_at: i64,
    duration: i64,
    mode: &str,
    location: Option<&str>,
    online_url: Option<&str>,
    note: Option<&str>,
    now: i64,
) -> Result<Valid, AppError> {
    let mut problems = Vec::new();
    let starts_at = match starts_raw {
        None => starts_at,
        Some(raw) => match time::parse_instant(raw) {
            None => {
                problems.push(FieldProblem::new(
                    "starts_at",
                    "must be a date and time with its offset, like 2026-12-10T14:00:00+01:00",
                ));
                0
            }
            Some(t) if t <= now => {
                problems.push(FieldProblem::new(
                    "starts_at",
                    "must lie in the future: record a meeting that took place instead",
                ));
                t
            }
            Some(t) if t > now + MAX_AHEAD_SECS => {
                problems.push(FieldProblem::new(
                    "starts_at",
                    "must lie within 400 days from now",
                ));
                t
            }
            Some(t) => t,
        },
    };
    if !(MIN_MINUTES..=MAX_MINUTES).contains(&duration) {
        problems.push(FieldProblem::new(
            "duration_minutes",
            format!("must be between {MIN_MINUTES} and {MAX_MINUTES} minutes"),
        ));
    }
    let mode = match mode {
        IN_PERSON => IN_PERSON,
        ONLINE => ONLINE,
        _ => {
            problems.push(FieldProblem::new("mode", "must be in_person or online"));
            IN_PERSON
        }
    };
    let location = text("location", location, MAX_LOCATION_CHARS, &mut problems);
    let online_url = https_url(online_url, &mut problems);
    if online_url.is_some() && mode == IN_PERSON {
        problems.push(FieldProblem::new(
            "online_url",
            "is for an online appointment (mode online) only",
        ));
    }
    let note = text("note", note, MAX_NOTE_CHARS, &mut problems);
    if !problems.is_empty() {
        return Err(AppError::validation(problems));
    }
    Ok(Valid {
        starts_at,
        duration_minutes: i32::try_from(duration).unwrap_or(i32::MAX),
        mode,
        location,
        online_url,
        note,
    })
}

fn not_found(id: &str) -> AppError {
    AppError::not_found(
        "appointment_not_found",
        format!("you have no appointment with id {id}"),
    )
}

fn ends_at(row: &AppointmentRow) -> i64 {
    row.starts_at + i64::from(row.duration_minutes) * 60
}

/// The meeting to record once it is over: its Amsterdam date and its
/// length rounded up to whole hours, within the learning record's limit.
fn record_meeting(row: &AppointmentRow, now: i64) -> Option<RecordMeeting> {
    if row.cancelled_at.is_some() || now < ends_at(row) {
        return None;
    }
    let date = time::amsterdam_day(row.starts_at);
    let hours = (row.duration_minutes.max(1) + 59) / 60;
    let hours = u8::try_from(hours.clamp(1, i32::from(MAX_MEETING_HOURS))).unwrap_or(1);
    Some(RecordMeeting { date, hours })
}

/// Who takes part: the match's members who have not declined or let their
/// answer expire, erased members left out (they have no name or address).
fn attendees(conn: &mut DbConnection, match_id: &str) -> Result<Vec<PersonRow>, AppError> {
    let ids: Vec<String> = store::rounds::seats(conn, match_id)?
        .into_iter()
        .filter(|s| !matches!(s.response, Answer::Declined | Answer::Expired))
        .map(|s| s.user_id)
        .collect();
    let mut people = store::rounds::people(conn, &ids)?;
    people.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    Ok(people)
}

fn view(
    conn: &mut DbConnection,
    user_id: &str,
    row: AppointmentRow,
) -> Result<Appointment, AppError> {
    let people = attendees(conn, &row.match_id)?;
    let t = now();
    Ok(Appointment {
        ends_at: ends_at(&row),
        record_meeting: record_meeting(&row, t),
        status: if row.cancelled_at.is_some() {
            "cancelled"
        } else {
            "scheduled"
        },
        proposed_by_me: row.proposed_by == user_id,
        attendees: people
            .into_iter()
            .map(|p| AttendeeView {
                me: p.id == user_id,
                name: p.name,
            })
            .collect(),
        id: row.id,
        match_id: row.match_id,
        starts_at: row.starts_at,
        duration_minutes: row.duration_minutes,
        mode: row.mode,
        location: row.location,
        online_url: row.online_url,
        note: row.note,
        sequence: row.sequence,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// How the calendar entry is titled, in the reader's language.
fn summary(others: &[&str], locale: Locale) -> String {
    let names = others.join(", ");
    match (locale, names.is_empty()) {
        (Locale::Nl, false) => format!("Afspraak via buddymatch met {names}"),
        (Locale::Nl, true) => "Afspraak via buddymatch".into(),
        (Locale::En, false) => format!("Meeting via buddymatch with {names}"),
        (Locale::En, true) => "Meeting via buddymatch".into(),
    }
}

#[allow(clippy::too_many_arguments)]
/// One appointment as the calendar entry `reader` sees: the reader's own
/// address, the others' only where they share it with matched peers
/// (otherwise an opaque `urn:uuid:` that reaches nobody).
fn entry(
    state: &AppState,
    row: &AppointmentRow,
    people: &[PersonRow],
    sharing: &HashSet<String>,
    reader: &PersonRow,
    organizer_name: &str,
    stamp: i64,
    cancelled: bool,
) -> Entry {
    let others: Vec<&str> = people
        .iter()
        .filter(|p| p.id != reader.id)
        .map(|p| p.name.as_str())
        .collect();
    let mut description = String::new();
    if let Some(n) = &row.note {
        description.push_str(n);
    }
    Entry {
        uid: format!("{}@{}", row.id, state.mail_context().message_id_host()),
        sequence: u32::try_from(row.sequence).unwrap_or(0),
        stamp,
        starts_at: row.starts_at,
        ends_at: ends_at(row),
        summary: summary(&others, reader.locale),
        location: row.location.clone().or_else(|| row.online_url.clone()),
        url: row.online_url.clone(),
        description,
        organizer: CalUser {
            name: format!("{organizer_name} via buddymatch"),
            address: format!("mailto:{}", state.organizer_email),
        },
        attendees: people
            .iter()
            .map(|p| CalUser {
                name: p.name.clone(),
                address: if p.id == reader.id || sharing.contains(&p.id) {
                    format!("mailto:{}", p.email)
                } else {
                    format!("urn:uuid:{}", p.id)
                },
            })
            .collect(),
        cancelled,
    }
}

fn sharing_email(
    conn: &mut DbConnection,
    people: &[PersonRow],
) -> Result<HashSet<String>, AppError> {
    let ids: Vec<String> = people.iter().map(|p| p.id.clone()).collect();
    Ok(store::privacy::contacts(conn, &ids)?
        .into_iter()
        .filter(|c| c.share_email)
        .map(|c| c.user_id)
        .collect())
}

/// Enqueues the email with its invite to every attendee, in the caller's
/// transaction.
fn tell_everyone(
    conn: &mut DbConnection,
    state: &AppState,
    row: &AppointmentRow,
    what: AppointmentChange,
    actor: &str,
) -> Result<(), AppError> {
    let people = attendees(conn, &row.match_id)?;
    let sharing = sharing_email(conn, &people)?;
    let organizer_name = store::rounds::people(conn, std::slice::from_ref(&row.proposed_by))?
        .into_iter()
        .next()
        .map(|p| p.name)
        .unwrap_or_else(|| "buddymatch".into());
    let actor_name = people
        .iter()
        .find(|p| p.id == actor)
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let method = if what == AppointmentChange::Cancelled {
        Method::Cancel
    } else {
        Method::Request
    };
    let mc: MailContext<'_> = state.mail_context();
    let stamp = now();
    let mut rows: Vec<OutboxRow> = Vec::new();
    let mut mentions: Vec<MentionRow> = Vec::new();
    for reader in &people {
        let others: Vec<notify::Person<'_>> = people
            .iter()
            .filter(|p| p.id != reader.id)
            .map(|p| notify::Person {
                user_id: &p.id,
                name: &p.name,
            })
            .collect();
        let mentioned: Vec<&str> = others.iter().map(|p| p.user_id).collect();
        let notice = notify::Appointment {
            name: &reader.name,
            what,
            by: notify::Person {
                user_id: actor,
                name: &actor_name,
            },
            when: time::human_time(row.starts_at, reader.locale),
            minutes: row.duration_minutes,
            online: row.mode == ONLINE,
            location: row.location.as_deref(),
            online_url: row.online_url.as_deref(),
            note: row.note.as_deref(),
            people: others,
            link: if what == AppointmentChange::Cancelled {
                String::new()
            } else {
                mc.appointment_link(&row.id, &reader.id)?
            },
        };
        let mut l = letter(
            &mc,
            To {
                user_id: &reader.id,
                email: &reader.email,
                locale: reader.locale,
            },
            &notice,
            &mentioned,
        )?;
        let e = entry(
            state,
            row,
            &people,
            &sharing,
            reader,
            &organizer_name,
            stamp,
            method == Method::Cancel,
        );
        l.row.ics = Some(ics::calendar(&[e], method, None));
        rows.push(l.row);
        mentions.extend(l.mentions);
    }
    enqueue_many(conn, &rows, &mentions)?;
    Ok(())
}

/// Proposes an appointment in a match the member and a counterpart took up.
pub fn propose(
    state: &AppState,
    user_id: &str,
    match_id: &str,
    a: NewAppointment,
) -> Result<Appointment, AppError> {
    let t = now();
    let mut conn = state.conn()?;
    let row = write_tx(&mut conn, |conn| {
        let Some(m) = store::evidence::published_match(conn, match_id)? else {
            return Err(AppError::not_found(
                "match_not_found",
                format!("you have no match with id {match_id}"),
            ));
        };
        // The same rule as recording a meeting: a meeting needs both sides.
        super::evidence::check_taken_up(user_id, match_id, &m.members)?;
        let v = validate(
            Some(&a.starts_at),
            0,
            a.duration_minutes,
            &a.mode,
            a.location.as_deref(),
            a.online_url.as_deref(),
            a.note.as_deref(),
            t,
        )?;
        let row = AppointmentRow {
            id: uuid::Uuid::new_v4().to_string(),
            match_id: match_id.into(),
            proposed_by: user_id.into(),
            starts_at: v.starts_at,
            duration_minutes: v.duration_minutes,
            mode: v.mode.into(),
            location: v.location,
            online_url: v.online_url,
            note: v.note,
            sequence: 0,
            cancelled_at: None,
            created_at: t,
            updated_at: t,
        };
        store_appt::insert(conn, &row)?;
        tell_everyone(conn, state, &row, AppointmentChange::Proposed, user_id)?;
        Ok::<_, AppError>(row)
    })?;
    view(&mut conn, user_id, row)
}

/// Changes an appointment (any member of its match): one more SEQUENCE, and
/// everyone gets the updated invite.
pub fn change(
    state: &AppState,
    user_id: &str,
    id: &str,
    c: Changes,
) -> Result<Appointment, AppError> {
    let t = now();
    let mut conn = state.conn()?;
    let row = write_tx(&mut conn, |conn| {
        let Some(old) = store_appt::of_member_locked(conn, user_id, id)? else {
            return Err(not_found(id));
        };
        if old.cancelled_at.is_some() {
            return Err(AppError::conflict(
                "appointment_cancelled",
                "this appointment was cancelled: propose a new one",
            ));
        }
        let pick = |new: &Option<Option<String>>, old: &Option<String>| -> Option<String> {
            match new {
                Some(v) => v.clone(),
                None => old.clone(),
            }
        };
        let mode = c.mode.clone().unwrap_or_else(|| old.mode.clone());
        // Switching to in person drops a meeting link nobody sent anew.
        let online_url = match (&c.online_url, mode.as_str()) {
            (None, IN_PERSON) => None,
            _ => pick(&c.online_url, &old.online_url),
        };
        let v = validate(
            c.starts_at.as_deref(),
            old.starts_at,
            c.duration_minutes
                .unwrap_or(i64::from(old.duration_minutes)),
            &mode,
            pick(&c.location, &old.location).as_deref(),
            online_url.as_deref(),
            pick(&c.note, &old.note).as_deref(),
            t,
        )?;
        let row = AppointmentRow {
            starts_at: v.starts_at,
            duration_minutes: v.duration_minutes,
            mode: v.mode.into(),
            location: v.location,
            online_url: v.online_url,
            note: v.note,
            sequence: old.sequence + 1,
            updated_at: t,
            ..old.clone()
        };
        store_appt::save(conn, &row)?;
        tell_everyone(conn, state, &row, AppointmentChange::Changed, user_id)?;
        Ok::<_, AppError>(row)
    })?;
    view(&mut conn, user_id, row)
}

/// Cancels an appointment (any member of its match): everyone gets the
/// cancellation, with the same UID and one more SEQUENCE.
pub fn cancel(state: &AppState, user_id: &str, id: &str) -> Result<(), AppError> {
    let t = now();
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        let Some(old) = store_appt::of_member_locked(conn, user_id, id)? else {
            return Err(not_found(id));
        };
        if old.cancelled_at.is_some() {
            return Err(AppError::conflict(
                "appointment_cancelled",
                "this appointment was cancelled already",
            ));
        }
        let row = AppointmentRow {
            sequence: old.sequence + 1,
            cancelled_at: Some(t),
            updated_at: t,
            ..old.clone()
        };
        store_appt::save(conn, &row)?;
        tell_everyone(conn, state, &row, AppointmentChange::Cancelled, user_id)?;
        Ok::<_, AppError>(())
    })
}

pub fn get(state: &AppState, user_id: &str, id: &str) -> Result<Appointment, AppError> {
    let mut conn = state.conn()?;
    let row = store_appt::of_member(&mut conn, user_id, id)?.ok_or_else(|| not_found(id))?;
    view(&mut conn, user_id, row)
}

/// The member's appointments: those not yet over first, soonest first;
/// then those that are over, the latest first. Cancelled ones stand where
/// their time puts them, with `status: cancelled`.
pub fn mine(state: &AppState, user_id: &str) -> Result<Vec<Appointment>, AppError> {
    let mut conn = state.conn()?;
    let t = now();
    let rows = store_appt::all_of_member(&mut conn, user_id)?;
    let (mut ahead, mut over): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| ends_at(r) > t);
    over.reverse();
    ahead.append(&mut over);
    ahead
        .into_iter()
        .map(|r| view(&mut conn, user_id, r))
        .collect()
}

/// The addresses of a new feed.
#[derive(Debug, serde::Serialize)]
pub struct Feed {
    pub url: String,
    pub https_url: String,
}

/// Creates or replaces the member's feed secret; the old URL stops working.
pub fn rotate_feed(state: &AppState, user_id: &str) -> Result<Feed, AppError> {
    let token = crate::auth::tokens::new_token();
    let mut conn = state.conn()?;
    store_appt::set_feed(
        &mut conn,
        user_id,
        &crate::auth::tokens::hash_token(&token),
        now(),
    )?;
    // Not a page of the front end: the API serves the feed itself.
    let https_url = format!(
        "{base}{FEED_PATH}{token}.ics",
        base = state.public_base_url.trim_end_matches('/')
    );
    let url = match https_url.split_once("://") {
        Some((_, rest)) => format!("webcal://{rest}"),
        None => https_url.clone(),
    };
    Ok(Feed { url, https_url })
}

pub fn revoke_feed(state: &AppState, user_id: &str) -> Result<(), AppError> {
    let mut conn = state.conn()?;
    if store_appt::delete_feed(&mut conn, user_id)? == 0 {
        return Err(AppError::not_found(
            "calendar_feed_not_found",
            "you have no calendar feed",
        ));
    }
    Ok(())
}

/// The feed a secret opens, as iCalendar text: the owner's appointments
/// that are not cancelled. `None` for an unknown or revoked secret.
pub fn feed(state: &AppState, token: &str) -> Result<Option<String>, AppError> {
    let mut conn = state.conn()?;
    let Some(owner) = store_appt::feed_owner(&mut conn, &crate::auth::tokens::hash_token(token))?
    else {
        return Ok(None);
    };
    let Some(reader) = store::rounds::people(&mut conn, std::slice::from_ref(&owner))?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let mut entries = Vec::new();
    for row in store_appt::all_of_member(&mut conn, &owner)? {
        if row.cancelled_at.is_some() {
            continue;
        }
        let people = attendees(&mut conn, &row.match_id)?;
        let sharing = sharing_email(&mut conn, &people)?;
        let organizer = store::rounds::people(&mut conn, std::slice::from_ref(&row.proposed_by))?
            .into_iter()
            .next()
            .map(|p| p.name)
            .unwrap_or_else(|| "buddymatch".into());
        entries.push(entry(
            state,
            &row,
            &people,
            &sharing,
            &reader,
            &organizer,
            row.updated_at,
            false,
        ));
    }
    Ok(Some(ics::calendar(
        &entries,
        Method::Publish,
        Some("buddymatch"),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(starts_at: i64, minutes: i32) -> AppointmentRow {
        AppointmentRow {
            id: "a".into(),
            match_id: "m".into(),
            proposed_by: "u".into(),
            starts_at,
            duration_minutes: minutes,
            mode: IN_PERSON.into(),
            location: None,
            online_url: None,
            note: None,
            sequence: 0,
            cancelled_at: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn recording_is_offered_after_the_end_with_hours_rounded_up() {
        // 23:30 in Amsterdam on 10 December: the Amsterdam date, not UTC's.
        let t = time::parse_instant("2026-12-10T23:30:00+01:00").unwrap();
        assert!(record_meeting(&row(t, 90), t + 89 * 60).is_none());
        let r = record_meeting(&row(t, 90), t + 90 * 60).unwrap();
        assert_eq!((r.date.as_str(), r.hours), ("2026-12-10", 2));
        assert_eq!(record_meeting(&row(t, 60), t + 3600).unwrap().hours, 1);
        assert_eq!(record_meeting(&row(t, 480), t + 480 * 60).unwrap().hours, 8);
        let mut cancelled = row(t, 60);
        cancelled.cancelled_at = Some(t);
        assert!(record_meeting(&cancelled, t + 7200).is_none());
    }

    #[test]
    fn input_rules() {
        let now = time::parse_instant("2026-12-01T10:00:00Z").unwrap();
        let ok = |start: &str, minutes: i64, mode: &str, url: Option<&str>| {
            validate(Some(start), 0, minutes, mode, None, url, None, now).is_ok()
        };
        let s = "2026-12-10T14:00:00+01:00";
        assert!(ok(s, 15, "online", Some("https://meet.example.nl/x")));
        assert!(ok(s, 480, "in_person", None));
        assert!(!ok(s, 14, "in_person", None));
        assert!(!ok(s, 481, "in_person", None));
        assert!(!ok(s, 60, "by_phone", None));
        assert!(!ok(s, 60, "online", Some("http://meet.example.nl/x")));
        assert!(!ok(s, 60, "online", Some("javascript:alert(1)")));
        assert!(!ok(s, 60, "in_person", Some("https://meet.example.nl/x")));
        assert!(!ok("2026-12-10T14:00:00", 60, "online", None), "no offset");
        assert!(!ok("2026-11-30T14:00:00+01:00", 60, "online", None), "past");
        assert!(
            !ok("2029-11-30T14:00:00+01:00", 60, "online", None),
            "too far"
        );
    }
}
