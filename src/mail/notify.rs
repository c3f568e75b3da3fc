//! Every email the service sends, built from a typed context per template:
//! a struct names exactly what its template may print (README, "Who is told
//! what"), so a caller cannot forget a variable or add one by a typo. The
//! context is also stored with the email as JSON, so that erasing a member
//! can write their undelivered emails anew without them ([`recompose`]).
//!
//! A person an email names besides its recipient is a [`Person`] (or a
//! [`Counterpart`]) carrying their `user_id`: that is how the erasure finds
//! them in a stored context.

use super::templates::{self, MailKind, Rendered};
use crate::domain::Locale;
use serde::Serialize;

/// A template's context: which template it fills.
pub trait Notice: Serialize {
    const KIND: MailKind;
}

/// An email rendered for its recipient's language, with the context it was
/// rendered from as JSON to store beside it.
#[derive(Debug, Clone)]
pub struct Composed {
    pub kind: MailKind,
    pub rendered: Rendered,
    pub context: String,
}

/// What every email ends with: where the recipient chooses their
/// reminders and, on a reminder, the link that turns it off. Empty strings
/// where there is none (an address without an account).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Footer {
    pub settings_link: String,
    pub unsubscribe_link: String,
}

/// Renders `notice` in `locale` with its footer: subject, text and HTML
/// body.
pub fn compose<N: Notice>(notice: &N, locale: Locale, footer: &Footer) -> anyhow::Result<Composed> {
    let mut context = serde_json::to_value(notice)?;
    if let (Some(map), serde_json::Value::Object(f)) =
        (context.as_object_mut(), serde_json::to_value(footer)?)
    {
        map.extend(f);
    }
    Ok(Composed {
        kind: N::KIND,
        rendered: templates::render(N::KIND, locale, &context)?,
        context: context.to_string(),
    })
}

/// Renders a context stored with an email (as [`compose`] wrote it, perhaps
/// changed since) anew.
pub fn recompose(
    kind: MailKind,
    locale: Locale,
    context: &serde_json::Value,
) -> anyhow::Result<Composed> {
    Ok(Composed {
        kind,
        rendered: templates::render(kind, locale, context)?,
        context: context.to_string(),
    })
}

/// Each context is named after the message it fills.
macro_rules! notice {
    ($($kind:ident),* $(,)?) => {$(
        impl Notice for $kind<'_> {
            const KIND: MailKind = MailKind::$kind;
        }
    )*};
}

notice!(
    VerifyEmail,
    ResetPassword,
    AccountExists,
    MatchProposed,
    RoundUnmatched,
    MatchAccepted,
    MatchDeclined,
    AnswerReminder,
    AnswerExpired,
    RoundCancelled,
    ProgrammeInvitation,
    Appointment,
    MeetingReminder,
    ReflectionReminder,
    SessionReminder,
);

/// A member an email names besides its recipient.
#[derive(Debug, Clone, Serialize)]
pub struct Person<'a> {
    pub user_id: &'a str,
    pub name: &'a str,
}

/// Sign-up, or a new verification link asked for.
#[derive(Debug, Serialize)]
pub struct VerifyEmail<'a> {
    pub name: &'a str,
    pub link: String,
    pub valid_hours: i64,
}

/// A password reset asked for.
#[derive(Debug, Serialize)]
pub struct ResetPassword<'a> {
    pub name: &'a str,
    pub link: String,
    pub valid_minutes: i64,
}

/// Sign-up with an address that has an account.
#[derive(Debug, Serialize)]
pub struct AccountExists<'a> {
    pub name: &'a str,
    pub login_url: String,
}

/// A round is published and the recipient has one or more matches in it.
/// Labels (`kind`, dates) are in the recipient's language.
#[derive(Debug, Serialize)]
pub struct MatchProposed<'a> {
    pub name: &'a str,
    pub kind: &'static str,
    pub round: i32,
    pub matches: Vec<ProposedMatch<'a>>,
    /// Why a host's own visit could not be arranged, or empty.
    pub unplaced: &'static str,
    /// The coordinator's note.
    pub note: &'a str,
    pub reply_by: String,
    /// The meeting window's days, each empty when open.
    pub window_from: String,
    pub window_until: String,
}

/// One match of a [`MatchProposed`].
#[derive(Debug, Serialize)]
pub struct ProposedMatch<'a> {
    pub link: String,
    pub role: &'static str,
    pub counterparts: Vec<Counterpart<'a>>,
    pub reasons: Vec<ReasonLine<'a>>,
    pub i_convene: bool,
    pub convener: Option<Person<'a>>,
    /// How a group meets, or empty.
    pub mode: &'static str,
}

/// One line of "why this match". A line about one other member (their
/// domain, what they know) carries their `user_id`, so that erasing them
/// takes the whole line out of an email not yet sent.
#[derive(Debug, Clone, Serialize)]
pub struct ReasonLine<'a> {
    pub user_id: Option<&'a str>,
    pub text: String,
}

/// Someone the recipient meets in a match, with what they chose to share:
/// the caller leaves out what they did not.
#[derive(Debug, Serialize)]
pub struct Counterpart<'a> {
    pub user_id: &'a str,
    pub name: &'a str,
    pub job: String,
    pub shares_nothing: bool,
    pub email: Option<&'a str>,
    pub phone: Option<String>,
    pub province: Option<&'static str>,
}

/// A round is published and the recipient, a participant, got no match.
#[derive(Debug, Serialize)]
pub struct RoundUnmatched<'a> {
    pub name: &'a str,
    pub kind: &'static str,
    pub round: i32,
    pub why: &'static str,
    pub next: &'static str,
    pub link: String,
}

/// A member accepted: the other side of a pair or visit, or a group once
/// it can start.
#[derive(Debug, Serialize)]
pub struct MatchAccepted<'a> {
    pub name: &'a str,
    pub kind: &'static str,
    pub round: i32,
    pub group: bool,
    /// A group's members who accepted (empty for a pair or visit).
    pub accepted: Vec<Person<'a>>,
    pub i_accepted: bool,
    pub i_convene: bool,
    pub convener: Option<Person<'a>>,
    /// The member who accepted.
    pub other: Person<'a>,
    pub link: String,
}

/// Why a member is out of a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DropOut {
    Declined,
    Expired,
}

/// What a member's dropping out means for the one told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Situation {
    VisitOffHost,
    VisitOffVisitor,
    GroupContinues,
    GroupTooSmall,
    PairOff,
}

/// A member declined or let the deadline pass: the people they deal with in
/// the match hear it is off for them. Never why they declined.
#[derive(Debug, Serialize)]
pub struct MatchDeclined<'a> {
    pub name: &'a str,
    pub kind: &'static str,
    pub round: i32,
    pub why: DropOut,
    pub situation: Situation,
    /// Members still in the match.
    pub remaining: usize,
    /// The member who dropped out.
    pub other: Person<'a>,
}

/// The reply date passed without an answer.
#[derive(Debug, Serialize)]
pub struct AnswerReminder<'a> {
    pub name: &'a str,
    pub kind: &'static str,
    pub round: i32,
    /// The day the answer expires, or empty when it does not.
    pub expires: String,
    pub link: String,
}

/// Still no answer: the recipient's answer expired.
#[derive(Debug, Serialize)]
pub struct AnswerExpired<'a> {
    pub name: &'a str,
    pub kind: &'static str,
    pub round: i32,
}

/// A coordinator cancelled a published round the recipient had a match in.
#[derive(Debug, Serialize)]
pub struct RoundCancelled<'a> {
    pub name: &'a str,
    pub round: i32,
    pub kind: &'static str,
}

/// A coordinator invited the recipient's address to a programme.
#[derive(Debug, Serialize)]
pub struct ProgrammeInvitation<'a> {
    /// As the coordinator's list has it.
    pub name: &'a str,
    pub programme: &'a str,
    pub link: String,
    pub valid_days: i64,
    /// The address has an account: accepting needs no password.
    pub has_account: bool,
}

/// What happened to an appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentChange {
    Proposed,
    Changed,
    Cancelled,
}

/// An appointment in a match was proposed, changed or cancelled: every
/// member hears it, with a calendar invite (stored beside the email).
#[derive(Debug, Serialize)]
pub struct Appointment<'a> {
    pub name: &'a str,
    pub what: AppointmentChange,
    /// The member who proposed, changed or cancelled it.
    pub by: Person<'a>,
    /// Day and time in Amsterdam, in the recipient's language.
    pub when: String,
    pub minutes: i32,
    pub online: bool,
    pub location: Option<&'a str>,
    pub online_url: Option<&'a str>,
    pub note: Option<&'a str>,
    /// Everyone in the appointment besides the recipient.
    pub people: Vec<Person<'a>>,
    /// Where the recipient sees it (empty once it is cancelled).
    pub link: String,
}

/// Weeks after a match was taken up nobody has planned or recorded a
/// meeting.
#[derive(Debug, Serialize)]
pub struct MeetingReminder<'a> {
    pub name: &'a str,
    pub kind: &'static str,
    pub round: i32,
    /// The others in the match who took it up.
    pub others: Vec<Person<'a>>,
    pub link: String,
}

/// The day after an appointment: record what you learned.
#[derive(Debug, Serialize)]
pub struct ReflectionReminder<'a> {
    pub name: &'a str,
    /// Day and time in Amsterdam, in the recipient's language.
    pub when: String,
    pub others: Vec<Person<'a>>,
    pub link: String,
}

/// An intervision session is near.
#[derive(Debug, Serialize)]
pub struct SessionReminder<'a> {
    pub name: &'a str,
    pub when: String,
    pub minutes: i32,
    pub online: bool,
    pub location: Option<&'a str>,
    pub online_url: Option<&'a str>,
    pub others: Vec<Person<'a>>,
    pub link: String,
}

/// A context per template with every branch's variables set, for tests.
#[cfg(test)]
pub(crate) fn sample(kind: MailKind) -> serde_json::Value {
    let name = "Anna <b>";
    let link = || "http://x/y?token=abc".to_string();
    let kind_label = "buddykoppel";
    let bram = Person {
        user_id: "u-bram",
        name: "Bram",
    };
    match kind {
        MailKind::VerifyEmail => serde_json::to_value(VerifyEmail {
            name,
            link: link(),
            valid_hours: 48,
        }),
        MailKind::ResetPassword => serde_json::to_value(ResetPassword {
            name,
            link: link(),
            valid_minutes: 60,
        }),
        MailKind::AccountExists => serde_json::to_value(AccountExists {
            name,
            login_url: "http://x/login".into(),
        }),
        MailKind::MatchProposed => serde_json::to_value(MatchProposed {
            name,
            kind: kind_label,
            round: 3,
            matches: vec![ProposedMatch {
                link: link(),
                role: "buddy",
                counterparts: vec![Counterpart {
                    user_id: "u-sam",
                    name: "Sam",
                    job: "zelfstandig arbeidsdeskundige".into(),
                    email: Some("sam@zzp.nl"),
                    phone: Some("+31 6 1234 5678".into()),
                    province: Some("Utrecht"),
                    shares_nothing: false,
                }],
                reasons: vec![
                    ReasonLine {
                        user_id: Some("u-sam"),
                        text: "Jullie werken in verschillende domeinen: UWV en zelfstandig".into(),
                    },
                    ReasonLine {
                        user_id: Some("u-sam"),
                        text: "Sam weet veel van sociale zekerheid, wat jij wilt leren".into(),
                    },
                    ReasonLine {
                        user_id: None,
                        text: "Jullie willen allebei online afspreken".into(),
                    },
                ],
                i_convene: false,
                convener: None,
                mode: "",
            }],
            unplaced: "",
            note: "",
            reply_by: "vrijdag 15 januari 2027".into(),
            window_from: String::new(),
            window_until: String::new(),
        }),
        MailKind::RoundUnmatched => serde_json::to_value(RoundUnmatched {
            name,
            kind: kind_label,
            round: 3,
            why: "Niemand anders in deze ronde paste bij je wensen: regio, reisafstand, vorm van afspreken of taal.",
            next: "Je doet vanzelf mee in de volgende ronde. Meer kans: sta ook online afspreken of een grotere reisafstand toe.",
            link: link(),
        }),
        MailKind::MatchAccepted => serde_json::to_value(MatchAccepted {
            name,
            kind: kind_label,
            round: 3,
            group: false,
            accepted: Vec::new(),
            i_accepted: true,
            i_convene: false,
            convener: None,
            other: bram,
            link: link(),
        }),
        MailKind::MatchDeclined => serde_json::to_value(MatchDeclined {
            name,
            kind: kind_label,
            round: 3,
            why: DropOut::Declined,
            situation: Situation::PairOff,
            remaining: 1,
            other: bram,
        }),
        MailKind::AnswerReminder => serde_json::to_value(AnswerReminder {
            name,
            kind: kind_label,
            round: 3,
            expires: "vrijdag 22 januari 2027".into(),
            link: link(),
        }),
        MailKind::AnswerExpired => serde_json::to_value(AnswerExpired {
            name,
            kind: kind_label,
            round: 3,
        }),
        MailKind::RoundCancelled => serde_json::to_value(RoundCancelled {
            name,
            kind: kind_label,
            round: 3,
        }),
        MailKind::ProgrammeInvitation => serde_json::to_value(ProgrammeInvitation {
            name,
            programme: "Regio Noord",
            link: link(),
            valid_days: 30,
            has_account: false,
        }),
        MailKind::Appointment => serde_json::to_value(Appointment {
            name,
            what: AppointmentChange::Changed,
            by: bram.clone(),
            when: "donderdag 10 december 2026 om 14:00".into(),
            minutes: 90,
            online: true,
            location: None,
            online_url: Some("https://meet.example.nl/abc"),
            note: Some("Neem je casus mee."),
            people: vec![bram],
            link: link(),
        }),
        MailKind::MeetingReminder => serde_json::to_value(MeetingReminder {
            name,
            kind: kind_label,
            round: 3,
            others: vec![bram],
            link: link(),
        }),
        MailKind::ReflectionReminder => serde_json::to_value(ReflectionReminder {
            name,
            when: "donderdag 10 december 2026 om 14:00".into(),
            others: vec![bram],
            link: link(),
        }),
        MailKind::SessionReminder => serde_json::to_value(SessionReminder {
            name,
            when: "donderdag 10 december 2026 om 14:00".into(),
            minutes: 120,
            online: false,
            location: Some("UWV Utrecht, Daalsedijk 4"),
            online_url: None,
            others: vec![bram],
            link: link(),
        }),
    }
    .map(|mut v| {
        // Every email's footer (see `compose`).
        v["settings_link"] = "http://x/settings".into();
        v["unsubscribe_link"] = if kind.is_reminder() {
            "http://x/unsubscribe".into()
        } else {
            "".into()
        };
        v
    })
    .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What is stored with an email is the context as plain JSON, which an
    /// erasure reads back and renders anew to the same email.
    #[test]
    fn a_stored_context_renders_the_same_email_again() {
        for kind in MailKind::ALL {
            for locale in [Locale::Nl, Locale::En] {
                let first = recompose(kind, locale, &sample(kind)).unwrap();
                let stored: serde_json::Value = serde_json::from_str(&first.context).unwrap();
                let again = recompose(kind, locale, &stored).unwrap();
                assert_eq!(first.rendered, again.rendered, "{kind:?}");
            }
        }
        let c = compose(
            &AnswerExpired {
                name: "A",
                kind: "k",
                round: 2,
            },
            Locale::En,
            &Footer {
                settings_link: "http://s".into(),
                unsubscribe_link: String::new(),
            },
        )
        .unwrap();
        assert_eq!(c.kind, MailKind::AnswerExpired);
        assert_eq!(
            c.context,
            r#"{"kind":"k","name":"A","round":2,"settings_link":"http://s","unsubscribe_link":""}"#
        );
        assert!(c.rendered.text.contains("http://s"), "{}", c.rendered.text);
    }

    #[test]
    fn enums_read_as_the_templates_compare_them() {
        let v = serde_json::to_value((DropOut::Expired, Situation::GroupTooSmall)).unwrap();
        assert_eq!(v, serde_json::json!(["expired", "group_too_small"]));
    }
}
