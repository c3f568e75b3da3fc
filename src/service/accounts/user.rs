//! The account as every part of `accounts` reads it.

use crate::domain::{EmailAddress, FieldProblem, Locale, Role};
use crate::error::AppError;
use crate::store::users::UserRow;

#[derive(Debug, Clone, serde::Serialize)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub locale: Locale,
    pub role: Role,
    pub email_verified: bool,
    #[serde(serialize_with = "crate::domain::time::iso8601")]
    pub created_at: i64,
}

impl From<UserRow> for UserView {
    fn from(r: UserRow) -> Self {
        UserView {
            locale: r.locale,
            role: r.role,
            email_verified: r.email_verified_at.is_some(),
            id: r.id,
            email: r.email,
            display_name: r.display_name,
            created_at: r.created_at,
        }
    }
}

/// An address as the domain reads it, that the mailer can also send to.
pub fn parse_address(field: &str, raw: &str) -> Result<EmailAddress, FieldProblem> {
    let email = EmailAddress::parse(field, raw)?;
    crate::mail::check_recipient(field, &email)?;
    Ok(email)
}

/// A valid token whose account is gone (deleted or purged).
pub(super) fn account_gone() -> AppError {
    AppError::unauthorized(
        "invalid_token",
        "the account of this token no longer exists",
    )
}
