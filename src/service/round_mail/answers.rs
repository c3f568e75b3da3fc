//! The emails an answer sends: a drop-out (decline or expiry) or an acceptance.

use super::people::{Contacts, Seat, GROUP_START};
use crate::domain::{in_contact, Answer, MatchKind, MatchRole};
use crate::error::AppError;
use crate::mail::labels;
use crate::mail::notify::{DropOut, MatchAccepted, MatchDeclined, Person, Situation};
use crate::service::mail::{letter, Letter, MailContext, To};

/// What the people left in a match hear when one member drops out.
fn situation(kind: MatchKind, my_role: MatchRole, remaining: usize) -> Situation {
    match (kind, my_role) {
        (MatchKind::Shadowing, MatchRole::Host) => Situation::VisitOffHost,
        (MatchKind::Shadowing, _) => Situation::VisitOffVisitor,
        (MatchKind::Intervision, _) if remaining >= GROUP_START => Situation::GroupContinues,
        (MatchKind::Intervision, _) => Situation::GroupTooSmall,
        (MatchKind::Buddy, _) => Situation::PairOff,
    }
}

/// A member an email names, by their id so that erasing them finds them.
fn person<'a>(contacts: &'a Contacts, id: &'a str) -> Person<'a> {
    Person {
        user_id: id,
        name: contacts.get(id).map_or("", |c| c.0.as_str()),
    }
}

/// A member declined or let the deadline pass: the people they deal with in
/// the match hear that it is off for them and what happens next. Never the
/// decliner's note.
#[allow(clippy::too_many_arguments)]
pub fn dropped_out_letters(
    mc: &MailContext<'_>,
    kind: MatchKind,
    round: i32,
    who: &str,
    why: DropOut,
    seats: &[Seat],
    contacts: &Contacts,
) -> Result<Vec<Letter>, AppError> {
    let Some(me) = seats.iter().find(|s| s.user_id == who) else {
        return Ok(Vec::new());
    };
    let remaining = seats.iter().filter(|s| s.response.still_in()).count();
    let mut out = Vec::new();
    for s in seats.iter().filter(|s| {
        s.user_id != who && in_contact(me.role, s.role) && s.response != Answer::Declined
    }) {
        let Some((name, email, locale)) = contacts.get(&s.user_id) else {
            continue;
        };
        let locale = *locale;
        let notice = MatchDeclined {
            name,
            kind: labels::kind(kind, locale),
            round,
            why,
            situation: situation(kind, s.role, remaining),
            remaining,
            // The one who dropped out is an object of their own, so that
            // erasing them later can take their name out of this email.
            other: person(contacts, who),
        };
        let to = To {
            user_id: &s.user_id,
            email,
            locale,
        };
        out.push(letter(mc, to, &notice, &[who])?);
    }
    Ok(out)
}

/// A member accepted. In a pair or visit the other side hears it; a group
/// hears once, when `GROUP_START` members have accepted (`group_ready`).
#[allow(clippy::too_many_arguments)]
pub fn accepted_letters(
    mc: &MailContext<'_>,
    kind: MatchKind,
    round: i32,
    match_id: &str,
    who: &str,
    seats: &[Seat],
    contacts: &Contacts,
    group_ready: bool,
    convener: Option<&str>,
) -> Result<Vec<Letter>, AppError> {
    let Some(me) = seats.iter().find(|s| s.user_id == who) else {
        return Ok(Vec::new());
    };
    let group = kind == MatchKind::Intervision;
    if group && !group_ready {
        return Ok(Vec::new());
    }
    let accepted: Vec<Person<'_>> = seats
        .iter()
        .filter(|s| group && s.response == Answer::Accepted)
        .map(|s| person(contacts, &s.user_id))
        .collect();
    // A group hears as a whole (the acceptor too); a pair or visit, the other side.
    let told = |s: &&Seat| {
        s.response.still_in() && (group || (s.user_id != who && in_contact(me.role, s.role)))
    };
    let mut out = Vec::new();
    for s in seats.iter().filter(told) {
        let Some((name, email, locale)) = contacts.get(&s.user_id) else {
            continue;
        };
        let locale = *locale;
        let convener = convener.filter(|_| group);
        let notice = MatchAccepted {
            name,
            kind: labels::kind(kind, locale),
            round,
            group,
            accepted: accepted.clone(),
            i_accepted: s.response == Answer::Accepted,
            i_convene: convener == Some(s.user_id.as_str()),
            convener: convener.map(|c| person(contacts, c)),
            other: person(contacts, who),
            link: mc.answer_link(match_id, &s.user_id)?,
        };
        let to = To {
            user_id: &s.user_id,
            email,
            locale,
        };
        let mentions: Vec<&str> = seats
            .iter()
            .map(|x| x.user_id.as_str())
            .filter(|x| *x != s.user_id && (group || *x == who))
            .collect();
        out.push(letter(mc, to, &notice, &mentions)?);
    }
    Ok(out)
}
