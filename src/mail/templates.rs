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
}

impl MailKind {
    pub const ALL: [MailKind; 10] = [
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
        }
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
    "answer_expired"
);

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    for (name, source) in FILES {
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

pub fn render(kind: MailKind, locale: Locale, ctx: minijinja::Value) -> anyhow::Result<Rendered> {
    let part = |p: &str| -> anyhow::Result<String> {
        let name = format!("{}/{}/{p}", kind.code(), locale.code());
        Ok(ENV.get_template(&name)?.render(&ctx)?)
    };
    Ok(Rendered {
        subject: part("subject.txt")?.trim().to_string(),
        text: part("body.txt")?,
        html: part("body.html")?,
    })
}

/// A context every template renders from, for tests.
#[cfg(test)]
pub(crate) fn sample_context() -> minijinja::Value {
    use minijinja::context;
    context! {
            name => "Anna <b>", link => "http://x/y?token=abc", valid_hours => 48, valid_minutes => 60,
            kind => "een buddykoppel", round => 3, note => "",
            matches => vec![context! {
                link => "http://x/y?token=abc", role => "buddy", mode => "", i_convene => false, convener => (),
                counterparts => vec![context! { name => "Sam", email => "sam@zzp.nl", job => "zelfstandig arbeidsdeskundige", province => "Utrecht", phone => "+31 6 1234 5678", shares_nothing => false }],
                reasons => vec!["Verschillende domeinen (+40)"],
            }],
            unplaced => "", reply_by => "vrijdag 15 januari 2027",
            other => context! { name => "Bram" }, why => "declined", situation => "pair_off", remaining => 1,
            group => false, accepted => Vec::<String>::new(), i_accepted => true, i_convene => false, convener => (),
            next => "Volgende ronde", expires => "vrijdag 22 januari 2027",
            window_from => "", window_until => "", login_url => "http://x/login",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    #[test]
    fn every_message_renders_in_both_languages() {
        for kind in MailKind::ALL {
            for locale in [Locale::Nl, Locale::En] {
                let r = render(kind, locale, sample_context()).unwrap();
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
        let ctx = || context! { name => "A", link => "l", valid_hours => 1, valid_minutes => 1 };
        let nl = render(MailKind::VerifyEmail, Locale::Nl, ctx()).unwrap();
        let en = render(MailKind::VerifyEmail, Locale::En, ctx()).unwrap();
        assert!(nl.subject.contains("Bevestig"));
        assert!(en.subject.contains("Confirm"));
    }

    #[test]
    fn a_missing_variable_is_an_error_not_a_blank() {
        assert!(render(MailKind::VerifyEmail, Locale::Nl, context! { name => "A" }).is_err());
    }
}
