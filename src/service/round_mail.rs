//! Who is told what about a round (README, "Who is told what"):
//!
//! - publish: every member the round considered hears once, with their
//!   matches (a host: every visit) or with why they got none;
//! - an answer: a decline or an expiry tells the people the member deals
//!   with in that match that it is off, never why; an acceptance tells the
//!   other side of a pair or visit, and a group once, when it can start;
//! - the reply deadline: a reminder, then the answer expires, as the round
//!   is set.
//!
//! Nothing a member typed reaches another member's email except their
//! display name and the contact details they chose to share.

use super::reasons::{self, MatchReason};
use super::rounds::settings::AfterDeadline;
use super::sharing::Sharing;
use crate::domain::{in_contact, LearningProfile, Locale, MatchKind};
use crate::error::AppError;
use crate::mail::{labels, MailKind};
use crate::matching::outcome::{Unmatched, UnmatchedReason};
use crate::service::mail::{letter, Letter, MailContext, To};
use std::collections::{BTreeMap, HashMap};

/// A group can start once this many of its members have accepted.
pub const GROUP_START: usize = 3;

/// (display name, email, locale) by user id.
pub type Contacts = HashMap<String, (String, String, String)>;

/// A stored match, as the publish emails need it.
pub struct MatchNews<'a> {
    pub match_id: &'a str,
    pub members: &'a [(String, &'static str)],
    pub reasons: &'a [MatchReason],
    pub convener: Option<&'a str>,
    pub mode: Option<&'a str>,
}

/// The round and the people in it.
pub struct RoundNews<'a> {
    pub kind: MatchKind,
    pub number: i32,
    pub note: &'a str,
    pub reply_by: i64,
    pub window: (Option<&'a str>, Option<&'a str>),
    pub contacts: &'a Contacts,
    pub profiles: &'a HashMap<String, LearningProfile>,
    pub sharing: &'a HashMap<String, Sharing>,
    pub public_base_url: &'a str,
}

/// "vóór vrijdag 15 januari 2027": the day an answer is due, read in
/// Amsterdam. The deadline is that day's midnight, so the day before it is
/// the last one to answer on; "before" the deadline's day says that.
pub fn human_deadline(reply_by: i64, locale: Locale) -> String {
    crate::domain::time::human_date(crate::domain::time::amsterdam_date(reply_by), locale)
}

fn human_day(date: Option<&str>, locale: Locale) -> String {
    date.and_then(crate::domain::time::parse_date)
        .map(|d| crate::domain::time::human_date(d, locale))
        .unwrap_or_default()
}

fn person(news: &RoundNews<'_>, id: &str, locale: Locale) -> Option<minijinja::Value> {
    let (name, email, _) = news.contacts.get(id)?;
    let p = news.profiles.get(id)?;
    let shared = news.sharing.get(id).cloned().unwrap_or_default();
    let email = shared.share_email.then_some(email);
    let phone = shared.phone.filter(|_| shared.share_phone);
    let province = shared.share_province.then(|| p.province.name());
    Some(minijinja::context! {
        user_id => id,
        name => name,
        job => labels::job(p.profession, p.domain, locale),
        shares_nothing => email.is_none() && phone.is_none(),
        email => email,
        phone => phone,
        province => province,
    })
}

/// The emails of a publish: one per member the round considered.
pub fn publish_letters(
    mc: &MailContext<'_>,
    news: &RoundNews<'_>,
    matches: &[MatchNews<'_>],
    unmatched: &[Unmatched],
) -> Result<Vec<Letter>, AppError> {
    let mut by_member: BTreeMap<&str, Vec<(&MatchNews<'_>, &'static str)>> = BTreeMap::new();
    for m in matches {
        for (uid, role) in m.members {
            by_member.entry(uid).or_default().push((m, role));
        }
    }
    let mut left_out: BTreeMap<&str, UnmatchedReason> = BTreeMap::new();
    for u in unmatched.iter().filter(|u| !u.reason.before_matching()) {
        left_out.entry(&u.member).or_insert(u.reason);
    }
    let base = news.public_base_url.trim_end_matches('/');
    let mut out = Vec::new();
    for (uid, mine) in &by_member {
        let Some((name, email, locale)) = news.contacts.get(*uid) else {
            continue;
        };
        let locale: Locale = locale.parse().unwrap_or_default();
        let mut mentioned: Vec<&str> = Vec::new();
        let mut items = Vec::new();
        for (m, role) in mine {
            let shown: Vec<&str> = m
                .members
                .iter()
                .filter(|(other, other_role)| other != uid && in_contact(role, other_role))
                .map(|(other, _)| other.as_str())
                .collect();
            mentioned.extend(&shown);
            let counterparts: Vec<minijinja::Value> = shown
                .iter()
                .filter_map(|o| person(news, o, locale))
                .collect();
            let own_visit = (*role == "visitor").then_some(*uid);
            let group = news.kind == MatchKind::Intervision;
            let reasons: Vec<String> = reasons::visible(m.reasons.to_vec(), own_visit, |_| true)
                .iter()
                .map(|r| labels::reason(&r.component, r.points, &r.topics, locale, group))
                .collect();
            let convener = m.convener.and_then(|c| {
                let (n, _, _) = news.contacts.get(c)?;
                Some(minijinja::context! { user_id => c, name => n })
            });
            items.push(minijinja::context! {
                link => format!("{base}/matches/{}", m.match_id),
                role => labels::role(role, locale),
                counterparts => counterparts,
                reasons => reasons,
                i_convene => m.convener == Some(*uid),
                convener => convener,
                mode => m.mode.map(|x| labels::meeting_mode(x, locale)).unwrap_or_default(),
            });
        }
        // A host may also have asked to visit, and not been placed.
        let unplaced = left_out
            .get(*uid)
            .map(|r| labels::unmatched(*r, locale).0)
            .unwrap_or_default();
        let ctx = minijinja::context! {
            name => name,
            kind => labels::kind(news.kind, locale),
            round => news.number,
            matches => items,
            unplaced => unplaced,
            note => news.note,
            reply_by => human_deadline(news.reply_by, locale),
            window_from => human_day(news.window.0, locale),
            window_until => human_day(news.window.1, locale),
        };
        let to = To {
            user_id: uid,
            email,
            locale,
        };
        out.push(letter(mc, MailKind::MatchProposed, to, ctx, &mentioned)?);
    }
    for (uid, reason) in left_out.iter().filter(|(u, _)| !by_member.contains_key(*u)) {
        let Some((name, email, locale)) = news.contacts.get(*uid) else {
            continue;
        };
        let locale: Locale = locale.parse().unwrap_or_default();
        let (why, next) = labels::unmatched(*reason, locale);
        let ctx = minijinja::context! {
            name => name,
            kind => labels::kind(news.kind, locale),
            round => news.number,
            why => why,
            next => next,
            link => format!("{base}/profile"),
        };
        let to = To {
            user_id: uid,
            email,
            locale,
        };
        out.push(letter(mc, MailKind::RoundUnmatched, to, ctx, &[])?);
    }
    Ok(out)
}

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

/// One member of a stored match: id, role, answer.
pub struct Seat {
    pub user_id: String,
    pub role: String,
    pub response: String,
}

fn still_in(response: &str) -> bool {
    matches!(response, "pending" | "accepted")
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

/// A reminded member has this long before the answer expires.
pub const GRACE_SECS: i64 = 7 * 86_400;

/// What the sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub reminded: usize,
    pub expired: usize,
}

/// Reminds or lets expire the answers whose reply date passed, as each
/// round is set. Each step is a conditional update in its own transaction
/// with its emails, so several instances sweeping at once act once.
pub fn sweep_answers(state: &super::AppState) -> Result<Swept, AppError> {
    use crate::store::db::write_tx;
    use crate::store::rounds as store_rounds;
    let t = super::now();
    let mut conn = state.conn()?;
    let due = store_rounds::due_answers(&mut conn, t)?;
    let mut swept = Swept::default();
    let mc = state.mail_context();
    for d in due {
        let settings: super::rounds::settings::Settings =
            serde_json::from_str(&d.round.params).unwrap_or_default();
        let policy = settings.after_deadline.unwrap_or_default();
        let reply_by = d.round.reply_by.unwrap_or(t);
        let remind = policy != AfterDeadline::Expire && d.reminded_at.is_none();
        let expire = match policy {
            AfterDeadline::Expire => true,
            AfterDeadline::RemindThenExpire => {
                d.reminded_at.is_some() && t >= reply_by + GRACE_SECS
            }
            AfterDeadline::Remind => false,
        };
        if !remind && !expire {
            continue;
        }
        let kind: MatchKind = d.round.kind.parse().map_err(anyhow::Error::from)?;
        write_tx(&mut conn, |conn| {
            let seats: Vec<Seat> = store_rounds::seats(conn, &d.match_id)?
                .into_iter()
                .map(|s| Seat {
                    user_id: s.user_id,
                    role: s.role,
                    response: s.response,
                })
                .collect();
            let ids: Vec<String> = seats.iter().map(|s| s.user_id.clone()).collect();
            let contacts: Contacts = store_rounds::people(conn, &ids)?
                .into_iter()
                .map(|(id, n, e, l)| (id, (n, e, l)))
                .collect();
            let Some((name, email, locale)) = contacts.get(&d.user_id).cloned() else {
                return Ok(());
            };
            let locale: Locale = locale.parse().unwrap_or_default();
            let to = To {
                user_id: &d.user_id,
                email: &email,
                locale,
            };
            let base = mc.public_base_url.trim_end_matches('/');
            let mut letters = Vec::new();
            if remind {
                if !store_rounds::mark_reminded(conn, &d.match_id, &d.user_id, t)? {
                    return Ok(());
                }
                let expires = if policy == AfterDeadline::RemindThenExpire {
                    human_deadline(reply_by + GRACE_SECS, locale)
                } else {
                    String::new()
                };
                let ctx = minijinja::context! {
                    name => name, kind => labels::kind(kind, locale), round => d.round.number,
                    expires => expires, link => format!("{base}/matches/{}", d.match_id),
                };
                letters.push(letter(&mc, MailKind::AnswerReminder, to, ctx, &[])?);
                swept.reminded += 1;
            } else {
                if !store_rounds::expire_answer(conn, &d.match_id, &d.user_id, t)? {
                    return Ok(());
                }
                let seats: Vec<Seat> = seats
                    .into_iter()
                    .map(|mut s| {
                        if s.user_id == d.user_id {
                            s.response = "expired".into();
                        }
                        s
                    })
                    .collect();
                let ctx = minijinja::context! {
                    name => name, kind => labels::kind(kind, locale), round => d.round.number,
                };
                letters.push(letter(&mc, MailKind::AnswerExpired, to, ctx, &[])?);
                letters.extend(dropped_out_letters(
                    &mc,
                    kind,
                    d.round.number,
                    &d.user_id,
                    "expired",
                    &seats,
                    &contacts,
                )?);
                swept.expired += 1;
            }
            let (rows, mentions): (Vec<_>, Vec<_>) =
                letters.into_iter().map(|l| (l.row, l.mentions)).unzip();
            let mentions: Vec<_> = mentions.into_iter().flatten().collect();
            crate::store::outbox::enqueue_many(conn, &rows, &mentions)?;
            Ok::<_, AppError>(())
        })?;
    }
    if swept != Swept::default() {
        tracing::info!(?swept, "answers past their reply date reminded or expired");
    }
    Ok(swept)
}
