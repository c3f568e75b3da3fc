//! The learning record: meetings a member records with what they learned,
//! the evidence (of learning, not attendance) a member exports for PE
//! points. The rules keep it evidence: a meeting lies between the match's
//! publication and today, on a match both sides took up, with plausible
//! hours and a reflection a reader can see.

use super::{now, AppState};
use crate::domain::evidence::{
    month_of, visible_chars, MAX_MEETING_HOURS, MAX_RECORDED_HOURS_PER_MONTH, MIN_REFLECTION_CHARS,
};
use crate::domain::{Answer, FieldProblem, MatchKind, MatchRole};
use crate::error::AppError;
use crate::store::db::write_tx;
use crate::store::rounds::Seat;
use crate::store::{self, DbConnection};

/// Enough for weekly meetings over a long buddy relation; more is noise.
const MAX_MEETINGS_PER_MATCH: usize = 52;

const MAX_REFLECTION_CHARS: usize = 2000;

pub struct NewMeeting {
    pub date: String,
    pub hours: u8,
    pub reflection: String,
}

#[derive(Debug, serde::Serialize)]
pub struct Meeting {
    pub id: String,
    pub match_id: String,
    pub kind: MatchKind,
    pub round: i32,
    pub date: String,
    pub hours: i32,
    pub reflection: String,
}

impl From<(store::evidence::MeetingRow, MatchKind, i32)> for Meeting {
    fn from((row, kind, round): (store::evidence::MeetingRow, MatchKind, i32)) -> Self {
        Meeting {
            id: row.id,
            match_id: row.match_id,
            kind,
            round,
            date: row.met_on,
            hours: row.hours,
            reflection: row.reflection,
        }
    }
}

/// What can be checked without the database; returns the trimmed reflection.
fn check_input(m: &NewMeeting, today: &str) -> Result<String, AppError> {
    let mut problems = Vec::new();
    if !crate::domain::is_date(&m.date) {
        problems.push(FieldProblem::new("date", "must be a date like 2026-12-01"));
    } else if m.date.as_str() > today {
        problems.push(FieldProblem::new(
            "date",
            "must not be in the future: record a meeting once it took place",
        ));
    }
    if !(1..=MAX_MEETING_HOURS).contains(&m.hours) {
        problems.push(FieldProblem::new(
            "hours",
            format!("must be between 1 and {MAX_MEETING_HOURS}: one meeting takes at most a long working day"),
        ));
    }
    let reflection = match crate::domain::free_text(
        "reflection",
        &m.reflection,
        MAX_REFLECTION_CHARS,
    ) {
        Ok(r) if visible_chars(&r) >= MIN_REFLECTION_CHARS => r,
        Ok(_) => {
            problems.push(FieldProblem::new(
                "reflection",
                format!(
                    "must say in at least {MIN_REFLECTION_CHARS} visible characters what you learned (spaces and invisible characters do not count)"
                ),
            ));
            String::new()
        }
        Err(p) => {
            problems.push(p);
            String::new()
        }
    };
    if problems.is_empty() {
        Ok(reflection)
    } else {
        Err(AppError::validation(problems))
    }
}

/// The people a member meets in a match: their buddy; for a shadowing
/// visitor the host, for a host their visitors; the rest of an intervision
/// group.
pub(crate) fn meets(my_role: MatchRole, their_role: MatchRole) -> bool {
    match my_role {
        MatchRole::Visitor => their_role == MatchRole::Host,
        MatchRole::Host => their_role == MatchRole::Visitor,
        MatchRole::Buddy | MatchRole::Member => true,
    }
}

/// A meeting needs the match taken up: accepted by the member who records
/// it and by at least one of the people they meet in it (for a pair, that
/// is both; in a group or at a host, one other member is enough, as a
/// session with one peer present still took place).
pub(crate) fn check_taken_up(
    user_id: &str,
    match_id: &str,
    members: &[Seat],
) -> Result<(), AppError> {
    let Some(me) = members.iter().find(|s| s.user_id == user_id) else {
        return Err(AppError::not_found(
            "match_not_found",
            format!("you have no match with id {match_id}"),
        ));
    };
    match me.response {
        Answer::Accepted => {}
        Answer::Declined => {
            return Err(AppError::conflict(
                "match_declined",
                "you declined this match",
            ))
        }
        Answer::Pending | Answer::Expired => {
            return Err(AppError::conflict(
                "match_not_accepted",
                "accept the match first",
            ))
        }
    }
    let others: Vec<Answer> = members
        .iter()
        .filter(|s| s.user_id != user_id && meets(me.role, s.role))
        .map(|s| s.response)
        .collect();
    if others.contains(&Answer::Accepted) {
        Ok(())
    } else if !others.is_empty() && others.iter().all(|a| *a == Answer::Declined) {
        Err(AppError::conflict(
            "counterpart_declined",
            "the other side declined this match: no meeting can take place in it",
        ))
    } else {
        Err(AppError::conflict(
            "counterpart_not_accepted",
            "the other side has not accepted this match yet: record the meeting once they have",
        ))
    }
}

/// Records that a meeting took place and what the member learned.
pub fn record_meeting(
    state: &AppState,
    user_id: &str,
    match_id: &str,
    m: NewMeeting,
) -> Result<Meeting, AppError> {
    // The members' day, not UTC's: a meeting that evening in Amsterdam is
    // recorded under that day, after midnight UTC too.
    let today = crate::domain::time::amsterdam_day(now());
    let reflection = check_input(&m, &today)?;
    let mut conn = state.conn()?;
    let id = write_tx(&mut conn, |conn| {
        // Two recordings at once must not both pass the month's limit.
        store::profiles::lock_owner(conn, user_id)?;
        let Some(store::evidence::PublishedMatch {
            published_at,
            members,
        }) = store::evidence::published_match(conn, match_id)?
        else {
            return Err(AppError::not_found(
                "match_not_found",
                format!("you have no match with id {match_id}"),
            ));
        };
        check_taken_up(user_id, match_id, &members)?;
        let published = crate::domain::time::amsterdam_day(published_at);
        if m.date < published {
            return Err(AppError::validation(vec![FieldProblem::new(
                "date",
                format!("must not be before the match was published on {published}"),
            )]));
        }
        check_limits(conn, user_id, match_id, &m)?;
        let row = store::evidence::MeetingRow {
            id: uuid::Uuid::new_v4().to_string(),
            match_id: match_id.into(),
            user_id: user_id.into(),
            met_on: m.date.clone(),
            hours: i32::from(m.hours),
            reflection: reflection.clone(),
            created_at: now(),
        };
        store::evidence::insert_meeting(conn, &row)?;
        Ok::<_, AppError>(row.id)
    })?;
    learning_record_entry(state, user_id, &id)
}

/// Meetings per match, and recorded hours per calendar month over all of
/// the member's matches.
fn check_limits(
    conn: &mut DbConnection,
    user_id: &str,
    match_id: &str,
    m: &NewMeeting,
) -> Result<(), AppError> {
    let mine = store::evidence::meetings_of_user(conn, user_id)?;
    if mine
        .iter()
        .filter(|(r, _, _)| r.match_id == match_id)
        .count()
        >= MAX_MEETINGS_PER_MATCH
    {
        return Err(AppError::conflict(
            "too_many_meetings",
            format!("at most {MAX_MEETINGS_PER_MATCH} meetings per match"),
        ));
    }
    let month = month_of(&m.date);
    let recorded: i32 = mine
        .iter()
        .filter(|(r, _, _)| month_of(&r.met_on) == month)
        .map(|(r, _, _)| r.hours)
        .sum();
    if recorded + i32::from(m.hours) > MAX_RECORDED_HOURS_PER_MONTH {
        return Err(AppError::conflict(
            "monthly_hours_exceeded",
            format!(
                "you recorded {recorded} hours of meetings in {month} already; at most {MAX_RECORDED_HOURS_PER_MONTH} hours a calendar month can be recorded"
            ),
        ));
    }
    Ok(())
}

pub fn learning_record(state: &AppState, user_id: &str) -> Result<Vec<Meeting>, AppError> {
    let mut conn = state.conn()?;
    Ok(store::evidence::meetings_of_user(&mut conn, user_id)?
        .into_iter()
        .map(Meeting::from)
        .collect())
}

/// One entry of the caller's learning record: a meeting they recorded.
pub fn learning_record_entry(
    state: &AppState,
    user_id: &str,
    meeting_id: &str,
) -> Result<Meeting, AppError> {
    let mut conn = state.conn()?;
    store::evidence::meeting_of_user(&mut conn, user_id, meeting_id)?
        .map(Meeting::from)
        .ok_or_else(|| {
            AppError::not_found(
                "meeting_not_found",
                format!("you recorded no meeting with id {meeting_id}"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(rows: &[(&str, &str, &str)]) -> Vec<Seat> {
        rows.iter()
            .map(|(id, role, answer)| Seat {
                user_id: id.to_string(),
                role: role.parse().unwrap(),
                response: answer.parse().unwrap(),
            })
            .collect()
    }

    fn code(r: Result<(), AppError>) -> &'static str {
        r.err().map(|e| e.code()).unwrap_or("ok")
    }

    #[test]
    fn a_pair_needs_both_answers() {
        let m = members(&[("a", "buddy", "accepted"), ("b", "buddy", "pending")]);
        assert_eq!(
            code(check_taken_up("a", "x", &m)),
            "counterpart_not_accepted"
        );
        assert_eq!(code(check_taken_up("b", "x", &m)), "match_not_accepted");
        let m = members(&[("a", "buddy", "accepted"), ("b", "buddy", "declined")]);
        assert_eq!(code(check_taken_up("a", "x", &m)), "counterpart_declined");
        assert_eq!(code(check_taken_up("b", "x", &m)), "match_declined");
        let m = members(&[("a", "buddy", "accepted"), ("b", "buddy", "accepted")]);
        assert_eq!(code(check_taken_up("a", "x", &m)), "ok");
        assert_eq!(code(check_taken_up("c", "x", &m)), "match_not_found");
    }

    #[test]
    fn a_visit_needs_the_host_and_a_host_one_visitor() {
        let m = members(&[
            ("h", "host", "accepted"),
            ("v1", "visitor", "accepted"),
            ("v2", "visitor", "pending"),
        ]);
        assert_eq!(code(check_taken_up("h", "x", &m)), "ok");
        assert_eq!(code(check_taken_up("v1", "x", &m)), "ok");
        // Another visitor's answer does not stand in for the host's.
        let m = members(&[
            ("h", "host", "pending"),
            ("v1", "visitor", "accepted"),
            ("v2", "visitor", "accepted"),
        ]);
        assert_eq!(
            code(check_taken_up("v1", "x", &m)),
            "counterpart_not_accepted"
        );
    }

    #[test]
    fn a_group_needs_one_other_member() {
        let m = members(&[
            ("a", "member", "accepted"),
            ("b", "member", "declined"),
            ("c", "member", "pending"),
        ]);
        assert_eq!(
            code(check_taken_up("a", "x", &m)),
            "counterpart_not_accepted"
        );
        let m = members(&[
            ("a", "member", "accepted"),
            ("b", "member", "declined"),
            ("c", "member", "accepted"),
        ]);
        assert_eq!(code(check_taken_up("a", "x", &m)), "ok");
    }

    #[test]
    fn input_rules() {
        let ok = |date: &str, hours: u8, reflection: &str| {
            check_input(
                &NewMeeting {
                    date: date.into(),
                    hours,
                    reflection: reflection.into(),
                },
                "2026-12-10",
            )
            .is_ok()
        };
        let text = "Ik leerde hoe een zelfstandige werkt.";
        assert!(ok("2026-12-10", 12, text));
        assert!(!ok("2026-12-11", 2, text), "future");
        assert!(!ok("2026-12-10", 13, text), "hours");
        assert!(!ok("2026-12-10", 0, text), "hours");
        assert!(!ok("2026-12-10", 2, &"\u{200B}".repeat(25)), "invisible");
        assert!(!ok(
            "2026-12-10",
            2,
            &format!("{}abc", " \u{200B}".repeat(20))
        ));
    }
}
