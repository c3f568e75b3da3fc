//! A member's own matches: who, why, and their answer. Contact details are
//! shown only to the people in the match.

use super::reasons::{self, MatchReason};
use super::sharing::Sharing;
use super::{now, AppState};
use crate::domain::{Answer, GroupMeetingMode, Locale, MatchKind, MatchRole, RoundStatus};
use crate::error::AppError;
use crate::mail::notify::DropOut;
use crate::store::db::write_tx;
use crate::store::rounds as store_rounds;

#[derive(Debug, serde::Serialize)]
pub struct MyMatch {
    pub id: String,
    pub round: RoundRef,
    pub kind: MatchKind,
    pub role: MatchRole,
    pub response: Answer,
    /// My own note when I declined (only I see it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decline_reason: Option<String>,
    pub score: i64,
    pub reasons: Vec<MatchReason>,
    pub counterparts: Vec<Counterpart>,
    /// Intervision: the member who starts the group (the group may change it).
    pub convener: Option<String>,
    /// Intervision: how the group meets.
    pub meeting_mode: Option<GroupMeetingMode>,
}

#[derive(Debug, serde::Serialize)]
pub struct RoundRef {
    pub id: String,
    pub number: i32,
    pub note: String,
    /// `published`; `cancelled` only in the export, which keeps the
    /// matches of cancelled rounds that meetings and ratings point at.
    pub status: RoundStatus,
}

/// Name, domain and profession are always shown (they are why the match was
/// made); email, phone and province as the counterpart chose. An erased
/// account shows as a former member and nothing else.
#[derive(Debug, serde::Serialize)]
pub struct Counterpart {
    pub user_id: Option<String>,
    pub display_name: String,
    pub former_member: bool,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: MatchRole,
    pub response: Answer,
    pub domain: Option<crate::domain::Domain>,
    pub profession: Option<crate::domain::Profession>,
    pub province: Option<crate::domain::Province>,
}

impl Counterpart {
    fn former(p: &store_rounds::MatchMemberRow, locale: Locale) -> Counterpart {
        Counterpart {
            user_id: None,
            display_name: crate::mail::labels::former_member(locale).to_string(),
            former_member: true,
            email: None,
            phone: None,
            role: p.role,
            response: p.response,
            domain: None,
            profession: None,
            province: None,
        }
    }
}

/// What a counterpart's card shows: name, domain and profession always,
/// the rest as they chose to share it.
fn counterpart(c: store_rounds::SeatCard, locale: Locale) -> Counterpart {
    let Some(person) = c.person else {
        return Counterpart::former(&c.seat, locale);
    };
    let shared = c.contact.map(Sharing::from).unwrap_or_default();
    Counterpart {
        user_id: Some(c.seat.user_id),
        display_name: person.name,
        former_member: false,
        email: shared.share_email.then_some(person.email),
        phone: shared.phone.filter(|_| shared.share_phone),
        role: c.seat.role,
        response: c.seat.response,
        domain: c.facts.map(|f| f.0),
        profession: c.facts.map(|f| f.1),
        province: c.facts.map(|f| f.2).filter(|_| shared.share_province),
    }
}

pub fn mine(state: &AppState, user_id: &str) -> Result<Vec<MyMatch>, AppError> {
    in_rounds(state, user_id, &[RoundStatus::Published])
}

/// My matches in rounds of the given statuses.
pub fn in_rounds(
    state: &AppState,
    user_id: &str,
    statuses: &[RoundStatus],
) -> Result<Vec<MyMatch>, AppError> {
    let mut conn = state.conn()?;
    let rows = store_rounds::cards_of_user_in(&mut conn, user_id, statuses)?;
    drop(conn);
    // A reader with no account left sees labels in the default language;
    // the reader's own seat carries their account.
    let locale = rows
        .iter()
        .flat_map(|(_, _, cards)| cards)
        .find(|c| c.seat.user_id == user_id)
        .and_then(|c| c.person.as_ref())
        .map(|p| p.locale)
        .unwrap_or_default();
    rows.into_iter()
        .filter_map(|(round, m, cards)| {
            let me = cards
                .iter()
                .find(|c| c.seat.user_id == user_id)?
                .seat
                .clone();
            let counterparts: Vec<Counterpart> = cards
                .into_iter()
                .filter(|c| {
                    c.seat.user_id != user_id && crate::domain::in_contact(me.role, c.seat.role)
                })
                .map(|c| counterpart(c, locale))
                .collect();
            // A reason may name me, or a counterpart the card names.
            let named = |id: &str| {
                id == user_id
                    || counterparts
                        .iter()
                        .any(|c| c.user_id.as_deref() == Some(id))
            };
            let own_visit = (me.role == MatchRole::Visitor).then_some(user_id);
            let reasons = match reasons::parse(&m.id, &m.explanation) {
                Ok(all) => reasons::visible(all, own_visit, named),
                Err(e) => return Some(Err(e)),
            };
            Some(Ok(MyMatch {
                id: m.id,
                round: RoundRef {
                    id: round.id,
                    number: round.number,
                    note: round.note,
                    status: round.status,
                },
                kind: m.kind,
                role: me.role,
                response: me.response,
                decline_reason: me.decline_reason.filter(|r| !r.is_empty()),
                score: m.score,
                reasons,
                // An erased convener is nobody's to name.
                convener: m.convener_id.filter(|c| c == user_id || named(c)),
                meeting_mode: m.meeting_mode,
                counterparts,
            }))
        })
        .collect()
}

fn match_not_found(match_id: &str) -> AppError {
    AppError::not_found(
        "match_not_found",
        format!("you have no match with id {match_id}"),
    )
}

/// One match of the caller's, as they see it.
fn one_of_mine(state: &AppState, user_id: &str, match_id: &str) -> Result<MyMatch, AppError> {
    mine(state, user_id)?
        .into_iter()
        .find(|m| m.id == match_id)
        .ok_or_else(|| match_not_found(match_id))
}

/// Accept or decline. An answer is final: a declined pair is never proposed
/// again (the engine reads declines as blocked pairs).
pub fn respond(
    state: &AppState,
    user_id: &str,
    match_id: &str,
    accept: bool,
    reason: Option<String>,
) -> Result<MyMatch, AppError> {
    let reason = match reason {
        Some(r) => Some(
            crate::domain::free_text("reason", &r, 500)
                .map_err(|p| AppError::validation(vec![p]))?,
        ),
        None => None,
    };
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        let response = if accept {
            Answer::Accepted
        } else {
            Answer::Declined
        };
        match store_rounds::set_response(
            conn,
            match_id,
            user_id,
            response,
            reason.as_deref(),
            now(),
        )? {
            store_rounds::ResponseOutcome::Recorded => {
                tell_of_answer(state, conn, user_id, match_id, accept)
            }
            store_rounds::ResponseOutcome::NotInMatch => Err(match_not_found(match_id)),
            store_rounds::ResponseOutcome::AlreadyAnswered(prev) => Err(AppError::conflict(
                "already_answered",
                format!(
                    "you already {} this match",
                    prev.map_or("answered", Answer::code)
                ),
            )),
        }
    })?;
    drop(conn);
    one_of_mine(state, user_id, match_id)
}

fn open_match(
    conn: &mut crate::store::DbConnection,
    user_id: &str,
    match_id: &str,
) -> Result<(), AppError> {
    match store_rounds::membership(conn, match_id, user_id)? {
        None => Err(match_not_found(match_id)),
        Some(Answer::Accepted) => Ok(()),
        Some(Answer::Declined) => Err(AppError::conflict(
            "match_declined",
            "you declined this match",
        )),
        Some(_) => Err(AppError::conflict(
            "match_not_accepted",
            "accept the match first",
        )),
    }
}

pub fn rate(
    state: &AppState,
    user_id: &str,
    match_id: &str,
    stars: u8,
    comment: Option<String>,
) -> Result<(), AppError> {
    if !(1..=5).contains(&stars) {
        return Err(AppError::invalid_field("stars", "must be 1 to 5"));
    }
    let comment = crate::domain::free_text("comment", comment.as_deref().unwrap_or(""), 1000)
        .map_err(|p| AppError::validation(vec![p]))?;
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        open_match(conn, user_id, match_id)?;
        crate::store::evidence::set_rating(
            conn,
            match_id,
            user_id,
            i32::from(stars),
            &comment,
            now(),
        )?;
        Ok(())
    })
}

/// Any member still in a group may hand the convening to another member
/// still in it (or take it): the group decides who starts, not the engine.
pub fn set_convener(
    state: &AppState,
    user_id: &str,
    match_id: &str,
    convener: &str,
) -> Result<MyMatch, AppError> {
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        let Some((_, m, people)) = store_rounds::matches_of_user(conn, user_id)?
            .into_iter()
            .find(|(_, m, _)| m.id == match_id)
        else {
            return Err(match_not_found(match_id));
        };
        if m.kind != MatchKind::Intervision {
            return Err(AppError::conflict(
                "not_a_group",
                "only an intervision group has a convener",
            ));
        }
        let still_in = |id: &str| {
            people
                .iter()
                .any(|p| p.user_id == id && p.response.still_in())
        };
        if !still_in(user_id) {
            return Err(AppError::conflict(
                "match_declined",
                "you are no longer in this group",
            ));
        }
        if !still_in(convener) {
            return Err(AppError::invalid_field(
                "user_id",
                "must be a member still in this group",
            ));
        }
        store_rounds::set_convener(conn, match_id, convener)?;
        Ok(())
    })?;
    drop(conn);
    one_of_mine(state, user_id, match_id)
}

/// The people a member deals with in the match hear of their answer, in
/// the same transaction as the answer itself (see `round_mail`).
fn tell_of_answer(
    state: &AppState,
    conn: &mut crate::store::DbConnection,
    user_id: &str,
    match_id: &str,
    accepted: bool,
) -> Result<(), AppError> {
    use super::round_mail::{self, Seat};
    let Some((round, m, people)) = store_rounds::matches_of_user(conn, user_id)?
        .into_iter()
        .find(|(_, m, _)| m.id == match_id)
    else {
        return Ok(());
    };
    let ids: Vec<String> = people.iter().map(|p| p.user_id.clone()).collect();
    let contacts: round_mail::Contacts = store_rounds::people(conn, &ids)?
        .into_iter()
        .map(|p| (p.id, (p.name, p.email, p.locale)))
        .collect();
    let seats: Vec<Seat> = people
        .into_iter()
        .map(|p| Seat {
            user_id: p.user_id,
            role: p.role,
            response: p.response,
        })
        .collect();
    let kind = m.kind;
    let mc = state.mail_context();
    let letters = if accepted {
        // A group is told once: by the acceptance that makes it startable.
        let ready = kind == MatchKind::Intervision
            && m.ready_at.is_none()
            && seats
                .iter()
                .filter(|s| s.response == Answer::Accepted)
                .count()
                >= round_mail::GROUP_START
            && store_rounds::mark_ready(conn, match_id, now())?;
        round_mail::accepted_letters(
            &mc,
            kind,
            round.number,
            match_id,
            user_id,
            &seats,
            &contacts,
            ready,
            m.convener_id.as_deref(),
        )?
    } else {
        round_mail::dropped_out_letters(
            &mc,
            kind,
            round.number,
            user_id,
            DropOut::Declined,
            &seats,
            &contacts,
        )?
    };
    let (rows, mentions): (Vec<_>, Vec<_>) =
        letters.into_iter().map(|l| (l.row, l.mentions)).unzip();
    let mentions: Vec<_> = mentions.into_iter().flatten().collect();
    crate::store::outbox::enqueue_many(conn, &rows, &mentions)?;
    Ok(())
}

/// A match in words, as the service's page shows it to one member.
pub struct MatchCard {
    pub kind: &'static str,
    pub round: i32,
    pub role: &'static str,
    pub response: crate::domain::Answer,
    /// Each counterpart's name and job ("Bram, zelfstandig arbeidsdeskundige").
    pub people: Vec<(String, String)>,
}

/// The member's match `match_id` as a card in language `l`.
pub fn card(
    state: &AppState,
    user_id: &str,
    l: crate::domain::Locale,
    match_id: &str,
) -> Result<MatchCard, AppError> {
    use crate::mail::labels;
    let m = mine(state, user_id)?
        .into_iter()
        .find(|m| m.id == match_id)
        .ok_or_else(|| {
            AppError::not_found(
                "match_not_found",
                format!("you have no match with id {match_id}"),
            )
        })?;
    Ok(MatchCard {
        kind: labels::kind(m.kind, l),
        round: m.round.number,
        role: labels::role(m.role, l),
        response: m.response,
        people: m
            .counterparts
            .iter()
            .map(|c| {
                let job = match (c.profession, c.domain) {
                    (Some(p), Some(d)) => labels::job(p, d, l),
                    _ => String::new(),
                };
                (c.display_name.clone(), job)
            })
            .collect(),
    })
}
