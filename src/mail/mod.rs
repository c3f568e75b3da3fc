//! Email: templates per message and language, transports, and the outbox
//! delivery worker.

mod examples;
pub mod ics;
pub mod labels;
pub mod notify;
pub mod sender;
pub mod templates;
pub mod transport;
mod who;
pub mod worker;

pub use templates::{MailKind, Rendered};
pub use transport::Transport;

use crate::domain::{EmailAddress, FieldProblem};
use lettre::message::Mailbox;

/// Whether the mailer can address an email to `email`, parsed exactly as
/// the delivery worker will parse the outbox row's recipient. The domain
/// rules accept only such addresses; this makes sure of it where an address
/// comes in, so a sign-up never leaves an email that fails on every retry.
pub fn check_recipient(field: &str, email: &EmailAddress) -> Result<(), FieldProblem> {
    email.as_str().parse::<Mailbox>().map(|_| ()).map_err(|e| {
        FieldProblem::because(
            field,
            "invalid_address",
            format!("is not an address email can be sent to ({e})"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The domain's address rules and lettre agree: whatever the domain
    /// accepts, lettre takes as an address and as a mailbox; and addresses
    /// lettre refuses, the domain refuses too.
    #[test]
    fn what_the_domain_accepts_lettre_can_send_to() {
        let accepted = [
            "anna@uwv.nl",
            "Anna.de.Vries@UWV.NL",
            "o'brien+buddy@sub.example.nl",
            "a!#$%&'*+-/=?^_`{|}~z@x.nl",
            "anna@bücher.nl",
            "anna@xn--bcher-kva.nl",
            "x@例え.テスト",
        ];
        for raw in accepted {
            let e = EmailAddress::parse("email", raw).unwrap_or_else(|p| panic!("{raw}: {p:?}"));
            assert!(e.as_str().is_ascii(), "{e}");
            e.as_str()
                .parse::<lettre::Address>()
                .unwrap_or_else(|err| panic!("{e}: {err}"));
            check_recipient("email", &e).unwrap_or_else(|p| panic!("{e}: {p:?}"));
        }
        for raw in [
            "a<b>@b.nl",
            "a b@b.nl",
            "a@@b.nl",
            "a..b@b.nl",
            "a@b..nl",
            "a@-b.nl",
        ] {
            assert!(
                raw.parse::<lettre::Address>().is_err(),
                "lettre takes {raw}"
            );
            assert!(
                EmailAddress::parse("email", raw).is_err(),
                "the domain takes {raw}"
            );
        }
    }
}
