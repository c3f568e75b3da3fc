//! A member's right of access (GDPR art. 15): everything stored about them.

use super::accounts::{self, UserView};
use super::matches::{self, Meeting, MyMatch};
use super::AppState;
use crate::domain::LearningProfile;
use crate::error::AppError;
use crate::store;

#[derive(Debug, serde::Serialize)]
pub struct Export {
    pub account: UserView,
    pub profile: Option<LearningProfile>,
    pub matches: Vec<MyMatch>,
    pub meetings: Vec<Meeting>,
    pub ratings: Vec<RatingGiven>,
    pub emails: Vec<EmailSent>,
}

#[derive(Debug, serde::Serialize)]
pub struct RatingGiven {
    pub match_id: String,
    pub stars: i32,
    pub comment: String,
    pub created_at: i64,
}

#[derive(Debug, serde::Serialize)]
pub struct EmailSent {
    pub kind: String,
    pub subject: String,
    pub status: String,
    pub created_at: i64,
}

pub fn export(state: &AppState, user_id: &str) -> Result<Export, AppError> {
    let account = accounts::me(state, user_id)?;
    let mut conn = state.conn()?;
    let profile = store::profiles::load(&mut conn, user_id)?;
    let ratings = store::evidence::ratings_by_user(&mut conn, user_id)?
        .into_iter()
        .map(|(match_id, stars, comment, created_at)| RatingGiven {
            match_id,
            stars,
            comment,
            created_at,
        })
        .collect();
    let emails = store::outbox::to_recipient(&mut conn, &account.email)?
        .into_iter()
        .map(|(kind, subject, status, created_at)| EmailSent {
            kind,
            subject,
            status,
            created_at,
        })
        .collect();
    drop(conn);
    Ok(Export {
        matches: matches::mine(state, user_id)?,
        meetings: matches::learning_record(state, user_id)?,
        account,
        profile,
        ratings,
        emails,
    })
}
