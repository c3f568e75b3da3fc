//! What a member lets matched peers see, and the checks a choice passes
//! before it is stored.

use super::now;
use crate::domain::FieldProblem;
use crate::error::AppError;
use crate::store::privacy::ContactRow;

/// What matched peers may see of me besides my name, domain and profession
/// (always shown: they are why we were matched), and my phone number.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Sharing {
    pub phone: Option<String>,
    pub share_email: bool,
    pub share_phone: bool,
    pub share_province: bool,
}

impl Default for Sharing {
    /// Privacy by default: nothing until the member chooses.
    fn default() -> Self {
        Sharing {
            phone: None,
            share_email: false,
            share_phone: false,
            share_province: false,
        }
    }
}

impl From<ContactRow> for Sharing {
    fn from(r: ContactRow) -> Self {
        Sharing {
            phone: r.phone,
            share_email: r.share_email,
            share_phone: r.share_phone,
            share_province: r.share_province,
        }
    }
}

/// A phone number as people write it: digits with optional `+`, spaces,
/// dashes, dots and parentheses; 8 to 15 digits (E.164's maximum).
fn phone(raw: &str) -> Result<String, FieldProblem> {
    let t = raw.trim();
    let digits = t.chars().filter(char::is_ascii_digit).count();
    let allowed = t
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || " -.()".contains(c) || (c == '+' && i == 0));
    if !allowed || !(8..=15).contains(&digits) {
        return Err(FieldProblem::new(
            "phone",
            "must be a phone number of 8 to 15 digits, e.g. +31 6 1234 5678",
        ));
    }
    Ok(t.to_string())
}

/// A checked sharing choice, ready to store.
pub fn contact_row(user_id: &str, s: Sharing) -> Result<ContactRow, AppError> {
    let mut problems = Vec::new();
    let phone = match s.phone.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(p) => phone(p).map_err(|e| problems.push(e)).ok(),
    };
    if s.share_phone && phone.is_none() && problems.is_empty() {
        problems.push(FieldProblem::new(
            "share_phone",
            "can only be true with a phone number",
        ));
    }
    if !problems.is_empty() {
        return Err(AppError::validation(problems));
    }
    Ok(ContactRow {
        user_id: user_id.to_string(),
        phone,
        share_email: s.share_email,
        share_phone: s.share_phone,
        share_province: s.share_province,
        updated_at: now(),
    })
}
