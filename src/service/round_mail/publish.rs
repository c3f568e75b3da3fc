//! The emails of a publish: every member the round considered hears once.

use super::people::{human_deadline, Contacts};
use crate::domain::{in_contact, GroupMeetingMode, LearningProfile, Locale, MatchKind, MatchRole};
use crate::error::AppError;
use crate::mail::labels;
use crate::mail::notify::{
    Counterpart, MatchProposed, Person, ProposedMatch, ReasonLine, RoundUnmatched,
};
use crate::matching::outcome::{Unmatched, UnmatchedReason};
use crate::service::mail::{letter, Letter, MailContext, To};
use crate::service::reasons::{self, MatchReason};
use crate::service::sharing::Sharing;
use std::collections::{BTreeMap, HashMap};

/// A stored match, as the publish emails need it.
pub struct MatchNews<'a> {
    pub match_id: &'a str,
    pub members: &'a [(String, MatchRole)],
    pub reasons: &'a [MatchReason],
    pub convener: Option<&'a str>,
    pub mode: Option<GroupMeetingMode>,
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
}

fn human_day(date: Option<&str>, locale: Locale) -> String {
    date.and_then(crate::domain::time::parse_date)
        .map(|d| crate::domain::time::human_date(d, locale))
        .unwrap_or_default()
}

/// Someone the recipient meets, with only what they chose to share.
fn counterpart<'a>(news: &RoundNews<'a>, id: &'a str, locale: Locale) -> Option<Counterpart<'a>> {
    let (name, email, _) = news.contacts.get(id)?;
    let p = news.profiles.get(id)?;
    let shared = news.sharing.get(id).cloned().unwrap_or_default();
    let email = shared.share_email.then_some(email.as_str());
    let phone = shared.phone.filter(|_| shared.share_phone);
    let province = shared.share_province.then(|| p.province.name());
    Some(Counterpart {
        user_id: id,
        name,
        job: labels::job(p.profession, p.domain, locale),
        shares_nothing: email.is_none() && phone.is_none(),
        email,
        phone,
        province,
    })
}

/// Why a match was made, in words from `me`'s side; reasons that would say
/// nothing to a member are left out.
fn reasons_in_words<'a>(
    news: &RoundNews<'a>,
    me: &str,
    shown: &[&str],
    m: &MatchNews<'_>,
    own_visit: Option<&str>,
    locale: Locale,
) -> Vec<ReasonLine<'a>> {
    let person = |id: &str| -> Option<labels::ReasonPerson<'a>> {
        let p = news.profiles.get(id)?;
        let (name, _, _) = news.contacts.get(id)?;
        Some(labels::ReasonPerson {
            user_id: news.contacts.get_key_value(id)?.0,
            name,
            domain: p.domain,
            profession: p.profession,
        })
    };
    let Some(me) = person(me) else {
        return Vec::new();
    };
    let others: Vec<_> = shown.iter().filter_map(|o| person(o)).collect();
    reasons::visible(m.reasons.to_vec(), own_visit, |_| true)
        .iter()
        .filter_map(|r| {
            labels::reason_in_words(
                &r.component,
                &r.topics,
                r.learner.as_deref(),
                &me,
                &others,
                locale,
            )
            .map(|(text, user_id)| ReasonLine { user_id, text })
        })
        .collect()
}

/// The emails of a publish: one per member the round considered.
pub fn publish_letters(
    mc: &MailContext<'_>,
    news: &RoundNews<'_>,
    matches: &[MatchNews<'_>],
    unmatched: &[Unmatched],
) -> Result<Vec<Letter>, AppError> {
    let mut by_member: BTreeMap<&str, Vec<(&MatchNews<'_>, MatchRole)>> = BTreeMap::new();
    for m in matches {
        for (uid, role) in m.members {
            by_member.entry(uid).or_default().push((m, *role));
        }
    }
    let mut left_out: BTreeMap<&str, UnmatchedReason> = BTreeMap::new();
    for u in unmatched.iter().filter(|u| !u.reason.before_matching()) {
        left_out.entry(&u.member).or_insert(u.reason);
    }
    let mut out = Vec::new();
    for (uid, mine) in &by_member {
        let Some((name, email, locale)) = news.contacts.get(*uid) else {
            continue;
        };
        let locale = *locale;
        let mut mentioned: Vec<&str> = Vec::new();
        let mut items = Vec::new();
        for (m, role) in mine {
            let shown: Vec<&str> = m
                .members
                .iter()
                .filter(|(other, other_role)| other != uid && in_contact(*role, *other_role))
                .map(|(other, _)| other.as_str())
                .collect();
            mentioned.extend(&shown);
            let counterparts: Vec<Counterpart<'_>> = shown
                .iter()
                .filter_map(|o| counterpart(news, o, locale))
                .collect();
            let own_visit = (*role == MatchRole::Visitor).then_some(*uid);
            let reasons = reasons_in_words(news, uid, &shown, m, own_visit, locale);
            let convener = m.convener.and_then(|c| {
                let (n, _, _) = news.contacts.get(c)?;
                Some(Person {
                    user_id: c,
                    name: n,
                })
            });
            items.push(ProposedMatch {
                link: mc.answer_link(m.match_id, uid)?,
                role: labels::role(*role, locale),
                counterparts,
                reasons,
                i_convene: m.convener == Some(*uid),
                convener,
                mode: m
                    .mode
                    .map(|x| labels::meeting_mode(x, locale))
                    .unwrap_or_default(),
            });
        }
        // A host may also have asked to visit, and not been placed.
        let unplaced = left_out
            .get(*uid)
            .map(|r| labels::unmatched(*r, locale).0)
            .unwrap_or_default();
        let notice = MatchProposed {
            name,
            kind: labels::kind(news.kind, locale),
            round: news.number,
            matches: items,
            unplaced,
            note: news.note,
            reply_by: human_deadline(news.reply_by, locale),
            window_from: human_day(news.window.0, locale),
            window_until: human_day(news.window.1, locale),
        };
        let to = To {
            user_id: uid,
            email,
            locale,
        };
        out.push(letter(mc, to, &notice, &mentioned)?);
    }
    for (uid, reason) in left_out.iter().filter(|(u, _)| !by_member.contains_key(*u)) {
        let Some((name, email, locale)) = news.contacts.get(*uid) else {
            continue;
        };
        let locale = *locale;
        let (why, next) = labels::unmatched(*reason, locale);
        let notice = RoundUnmatched {
            name,
            kind: labels::kind(news.kind, locale),
            round: news.number,
            why,
            next,
            link: mc.app_page("/profile"),
        };
        let to = To {
            user_id: uid,
            email,
            locale,
        };
        out.push(letter(mc, to, &notice, &[])?);
    }
    Ok(out)
}
