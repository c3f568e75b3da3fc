//! The emails an answer sends: a drop-out (decline or expiry) or an acceptance.

use super::people::{still_in, Contacts, Seat, GROUP_START};
use crate::domain::{in_contact, Locale, MatchKind};
use crate::error::AppError;
use crate::mail::{labels, MailKind};
use crate::service::mail::{letter, Letter, MailContext, To};

/// What the people left in a match hear when one member drops out.
fn situation(kind: MatchKind, my_role: &str, remaining: usize) -> &'static str {
    match (kind, my_role) {
        (MatchKind::Shadowing, "host") => "visit_off_host",
        (MatchKind::Shadowing, _) => "visit_off_visitor",
        (MatchKind::Intervision, _) if remaining >= GROUP_START => "group_continues",
        (MatchKind::Intervision, _) => "group_too_small",
        (MatchKind::Buddy, _) => "pair_off",
    }
}

/// A member declined (`why = "declined"`) or let the deadline pass
/// (`"expired"`): the people they deal with in the match hear that it is
/// off for them and what happens next. Never the decliner's note.
#[allow(clippy::too_many_arguments)]
pub fn dropped_out_letters(
    mc: &MailContext<'_>,
    kind: MatchKind,
    round: i32,
    who: &str,
    why: &str,
    seats: &[Seat],
    contacts: &Contacts,
) -> Result<Vec<Letter>, AppError> {
    let Some(me) = seats.iter().find(|s| s.user_id == who) else {
        return Ok(Vec::new());
    };
    let remaining = seats.iter().filter(|s| still_in(&s.response)).count();
    let mut out = Vec::new();
    for s in seats
        .iter()
        .filter(|s| s.user_id != who && in_contact(&me.role, &s.role) && s.response != "declined")
    {
        let Some((name, email, locale)) = contacts.get(&s.user_id) else {
            continue;
        };
        let locale: Locale = locale.parse().unwrap_or_default();
        let other = contacts.get(who).map(|c| c.0.clone()).unwrap_or_default();
        // The one who dropped out is an object of their own, so that erasing
        // them later can take their name out of this email.
        let ctx = minijinja::context! {
            name => name,
            kind => labels::kind(kind, locale),
            round => round,
            why => why,
            situation => situation(kind, &s.role, remaining),
            remaining => remaining,
            other => minijinja::context! { user_id => who, name => other },
        };
        let to = To {
            user_id: &s.user_id,
            email,
            locale,
        };
        out.push(letter(mc, MailKind::MatchDeclined, to, ctx, &[who])?);
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
    let base = mc.public_base_url.trim_end_matches('/');
    let name_of = |id: &str| contacts.get(id).map(|c| c.0.clone()).unwrap_or_default();
    let group = kind == MatchKind::Intervision;
    if group && !group_ready {
        return Ok(Vec::new());
    }
    let accepted: Vec<minijinja::Value> = seats
        .iter()
        .filter(|s| group && s.response == "accepted")
        .map(|s| minijinja::context! { user_id => s.user_id, name => name_of(&s.user_id) })
        .collect();
    // A group hears as a whole (the acceptor too); a pair or visit, the other side.
    let told = |s: &&Seat| {
        still_in(&s.response) && (group || (s.user_id != who && in_contact(&me.role, &s.role)))
    };
    let mut out = Vec::new();
    for s in seats.iter().filter(told) {
        let Some((name, email, locale)) = contacts.get(&s.user_id) else {
            continue;
        };
        let locale: Locale = locale.parse().unwrap_or_default();
        let convener = convener.filter(|_| group);
        let ctx = minijinja::context! {
            name => name,
            kind => labels::kind(kind, locale),
            round => round,
            group => group,
            accepted => accepted.clone(),
            i_accepted => s.response == "accepted",
            i_convene => convener == Some(s.user_id.as_str()),
            convener => convener.map(|c| minijinja::context! { user_id => c, name => name_of(c) }),
            other => minijinja::context! { user_id => who, name => name_of(who) },
            link => format!("{base}/matches/{match_id}"),
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
        out.push(letter(mc, MailKind::MatchAccepted, to, ctx, &mentions)?);
    }
    Ok(out)
}
