//! Each message has `subject.txt`, `body.txt` and `body.html` per language,
//! compiled into the binary. HTML output is auto-escaped by minijinja.

use crate::domain::Locale;
use minijinja::Environment;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    VerifyEmail,
    ResetPassword,
    MatchProposed,
    MatchDeclined,
    RoundCancelled,
    AccountExists,
    MatchAccepted,
    RoundUnmatched,
    AnswerReminder,
    AnswerExpired,
    ProgrammeInvitation,
    Appointment,
    MeetingReminder,
    ReflectionReminder,
    SessionReminder,
}

impl MailKind {
    pub const ALL: [MailKind; 15] = [
        MailKind::VerifyEmail,
        MailKind::ResetPassword,
        MailKind::MatchProposed,
        MailKind::MatchDeclined,
        MailKind::RoundCancelled,
        MailKind::AccountExists,
        MailKind::MatchAccepted,
        MailKind::RoundUnmatched,
        MailKind::AnswerReminder,
        MailKind::AnswerExpired,
        MailKind::ProgrammeInvitation,
        MailKind::Appointment,
        MailKind::MeetingReminder,
        MailKind::ReflectionReminder,
        MailKind::SessionReminder,
    ];

    pub fn code(self) -> &'static str {
        match self {
            MailKind::VerifyEmail => "verify_email",
            MailKind::ResetPassword => "reset_password",
            MailKind::MatchProposed => "match_proposed",
            MailKind::MatchDeclined => "match_declined",
            MailKind::RoundCancelled => "round_cancelled",
            MailKind::AccountExists => "account_exists",
            MailKind::MatchAccepted => "match_accepted",
            MailKind::RoundUnmatched => "round_unmatched",
            MailKind::AnswerReminder => "answer_reminder",
            MailKind::AnswerExpired => "answer_expired",
            MailKind::ProgrammeInvitation => "programme_invitation",
            MailKind::Appointment => "appointment",
            MailKind::MeetingReminder => "meeting_reminder",
            MailKind::ReflectionReminder => "reflection_reminder",
            MailKind::SessionReminder => "session_reminder",
        }
    }

    /// Reminders carry a one-click unsubscribe; other emails a link to the
    /// settings.
    pub fn is_reminder(self) -> bool {
        matches!(
            self,
            MailKind::AnswerReminder
                | MailKind::MeetingReminder
                | MailKind::ReflectionReminder
                | MailKind::SessionReminder
        )
    }

    pub fn from_code(code: &str) -> Option<MailKind> {
        MailKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

macro_rules! template_files {
    ($($kind:literal),*) => {
        &[$(
            (concat!($kind, "/nl/subject.txt"), include_str!(concat!("templates/", $kind, "/nl/subject.txt"))),
            (concat!($kind, "/nl/body.txt"), include_str!(concat!("templates/", $kind, "/nl/body.txt"))),
            (concat!($kind, "/nl/body.html"), include_str!(concat!("templates/", $kind, "/nl/body.html"))),
            (concat!($kind, "/en/subject.txt"), include_str!(concat!("templates/", $kind, "/en/subject.txt"))),
            (concat!($kind, "/en/body.txt"), include_str!(concat!("templates/", $kind, "/en/body.txt"))),
            (concat!($kind, "/en/body.html"), include_str!(concat!("templates/", $kind, "/en/body.html"))),
        )*]
    };
}

pub(crate) const FILES: &[(&str, &str)] = template_files!(
    "verify_email",
    "reset_password",
    "match_proposed",
    "match_declined",
    "round_cancelled",
    "account_exists",
    "match_accepted",
    "round_unmatched",
    "answer_reminder",
    "answer_expired",
    "programme_invitation",
    "appointment",
    "meeting_reminder",
    "reflection_reminder",
    "session_reminder"
);

/// What every email ends with, included by each body.
const FOOTERS: &[(&str, &str)] = &[
    (
        "footer/nl/body.txt",
        include_str!("templates/footer/nl/body.txt"),
    ),
    (
        "footer/nl/body.html",
        include_str!("templates/footer/nl/body.html"),
    ),
    (
        "footer/en/body.txt",
        include_str!("templates/footer/en/body.txt"),
    ),
    (
        "footer/en/body.html",
        include_str!("templates/footer/en/body.html"),
    ),
];

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    for (name, source) in FILES.iter().chain(FOOTERS) {
        env.add_template(name, source)
            .expect("templates compile (checked by a unit test)");
    }
    env
});

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Renders one message from an untyped context: the typed way in is
/// [`super::notify`].
pub(super) fn render(
    kind: MailKind,
    locale: Locale,
    ctx: &impl serde::Serialize,
) -> anyhow::Result<Rendered> {
    let part = |p: &str| -> anyhow::Result<String> {
        let name = format!("{}/{}/{p}", kind.code(), locale.code());
        Ok(ENV.get_template(&name)?.render(ctx)?)
    };
    Ok(Rendered {
        subject: part("subject.txt")?.trim().to_string(),
        text: tidy(&part("body.txt")?),
        html: part("body.html")?,
    })
}

/// A text body's paragraphs are one blank line apart, however many lines
/// the template's left-out branches left empty.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.trim().lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(line);
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::notify::sample;

    #[test]
    fn every_message_renders_in_both_languages() {
        for kind in MailKind::ALL {
            for locale in [Locale::Nl, Locale::En] {
                let r = render(kind, locale, &sample(kind)).unwrap();
                assert!(!r.subject.is_empty());
                // Subjects show in notification previews and lock screens:
                // nobody's name goes there, the recipient's own included.
                for name in ["Anna", "Sam", "Bram"] {
                    assert!(!r.subject.contains(name), "{kind:?}: {}", r.subject);
                }
                let has_link = !matches!(
                    kind,
                    MailKind::MatchDeclined
                        | MailKind::RoundCancelled
                        | MailKind::AccountExists
                        | MailKind::AnswerExpired
                );
                // Every email says where reminders are chosen; a reminder
                // also how to turn it off, in both bodies.
                // (HTML escapes the slashes of a link.)
                for (body, sep) in [(&r.text, "/"), (&r.html, "&#x2f;")] {
                    let settings = format!("x{sep}settings");
                    let unsubscribe = format!("x{sep}unsubscribe");
                    assert!(body.contains(&settings), "{kind:?}: {body}");
                    assert_eq!(body.contains(&unsubscribe), kind.is_reminder(), "{kind:?}");
                }
                assert!(
                    !r.text.contains("\n\n\n"),
                    "{kind:?}: blank lines\n{}",
                    r.text
                );
                assert_eq!(
                    r.text.contains("http://x/login"),
                    kind == MailKind::AccountExists
                );
                assert_eq!(
                    r.text.contains("http://x/y?token=abc"),
                    has_link,
                    "{kind:?}"
                );
                assert!(
                    r.html.contains("Anna &lt;b&gt;"),
                    "HTML is escaped: {}",
                    r.html
                );
            }
        }
    }

    #[test]
    fn dutch_and_english_differ() {
        let ctx = sample(MailKind::VerifyEmail);
        let nl = render(MailKind::VerifyEmail, Locale::Nl, &ctx).unwrap();
        let en = render(MailKind::VerifyEmail, Locale::En, &ctx).unwrap();
        assert!(nl.subject.contains("Bevestig"));
        assert!(en.subject.contains("Confirm"));
    }

    #[test]
    fn a_missing_variable_is_an_error_not_a_blank() {
        assert!(render(
            MailKind::VerifyEmail,
            Locale::Nl,
            &serde_json::json!({ "name": "A" })
        )
        .is_err());
    }
}
