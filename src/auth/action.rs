//! Links in email that act for one member on one thing without a login:
//! answering a match, changing which reminders they get, opening an
//! appointment, one-click unsubscribe (RFC 8058). A link's token is signed
//! with the access-token keys (so rotating them keeps links working until
//! the retired key is dropped) under an audience of its own, names the
//! member, the action and the thing, and expires. An action is only ever
//! done on a POST: mail scanners follow every GET.

use super::jwt::{JwtKeys, TokenError};

pub const AUDIENCE: &str = "buddymatch-email-action";

/// What a link lets its holder do, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Act {
    /// Accept or decline one match (its id).
    Answer,
    /// See and change which reminders arrive (no object).
    Settings,
    /// See one appointment (its id).
    Appointment,
    /// Turn one kind of reminder off (its code).
    Unsubscribe,
}

impl Act {
    /// Long enough to outlast what the link is about; the unsubscribe link
    /// of a reminder must work for as long as people keep email.
    pub fn ttl_secs(self) -> u64 {
        const DAY: u64 = 86_400;
        match self {
            Act::Answer => 60 * DAY,
            Act::Settings | Act::Appointment => 180 * DAY,
            Act::Unsubscribe => 365 * DAY,
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ActionClaims {
    pub iss: String,
    pub aud: String,
    /// The member the link acts for.
    pub sub: String,
    pub iat: u64,
    pub exp: u64,
    pub act: Act,
    /// The thing acted on: a match or appointment id, a reminder code.
    pub obj: String,
}

impl JwtKeys {
    pub fn issue_action(
        &self,
        user_id: &str,
        act: Act,
        obj: &str,
        now: u64,
    ) -> anyhow::Result<String> {
        self.sign(&ActionClaims {
            iss: self.issuer().to_string(),
            aud: AUDIENCE.to_string(),
            sub: user_id.to_string(),
            iat: now,
            exp: now + act.ttl_secs(),
            act,
            obj: obj.to_string(),
        })
    }

    /// The claims of a link made for `act`; a link for another action, or
    /// one from the future, is refused.
    pub fn verify_action(
        &self,
        token: &str,
        act: Act,
        now: u64,
    ) -> Result<ActionClaims, TokenError> {
        let c: ActionClaims = self.check(token, AUDIENCE)?;
        if c.act != act || c.iat > now + 5 || c.exp.saturating_sub(c.iat) > act.ttl_secs() {
            return Err(TokenError::Invalid);
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_does_only_what_it_was_made_for() {
        let now = crate::runtime::now() as u64;
        let keys = JwtKeys::new(&[9u8; 32], "http://t", 60).unwrap();
        let t = keys.issue_action("u1", Act::Answer, "m1", now).unwrap();
        let c = keys.verify_action(&t, Act::Answer, now).unwrap();
        assert_eq!((c.sub.as_str(), c.obj.as_str()), ("u1", "m1"));
        assert_eq!(
            keys.verify_action(&t, Act::Unsubscribe, now).unwrap_err(),
            TokenError::Invalid
        );
        // Not an access token, and an access token is not a link.
        assert!(keys.verify(&t, now).is_err());
        let access = keys
            .issue("u1", "s1", crate::domain::Role::Member, now)
            .unwrap();
        assert!(keys.verify_action(&access, Act::Answer, now).is_err());
        let other = JwtKeys::new(&[8u8; 32], "http://t", 60).unwrap();
        assert!(other.verify_action(&t, Act::Answer, now).is_err());
    }
}
