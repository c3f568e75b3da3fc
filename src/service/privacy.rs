//! A member's right of access (GDPR art. 15): everything stored about them.

use super::accounts::{self, UserView};
use super::evidence::{self, Meeting};
use super::matches::{self, MyMatch};
use super::sharing::{contact_row, Sharing};
use super::AppState;
use crate::domain::LearningProfile;
use crate::error::AppError;
use crate::store;

#[derive(Debug, serde::Serialize)]
pub struct Export {
    pub account: UserView,
    pub profile: Option<LearningProfile>,
    pub sharing: Sharing,
    pub matches: Vec<MyMatch>,
    pub meetings: Vec<Meeting>,
    pub ratings: Vec<RatingGiven>,
    pub emails: Vec<EmailSent>,
    pub sessions: Vec<Session>,
    /// The programmes I am in, since when and how.
    pub programmes: Vec<super::programmes::ProgrammeView>,
    /// The appointments in my matches, cancelled ones too.
    pub appointments: Vec<super::appointments::Appointment>,
    /// Which reminders I get.
    pub notifications: super::reminders::NotificationSettings,
}

/// One login that is still open (its refresh token not used up nor ended).
#[derive(Debug, serde::Serialize)]
pub struct Session {
    #[serde(serialize_with = "crate::domain::time::iso8601")]
    pub started_at: i64,
    #[serde(serialize_with = "crate::domain::time::iso8601")]
    pub renewed_at: i64,
    #[serde(serialize_with = "crate::domain::time::iso8601")]
    pub expires_at: i64,
}

#[derive(Debug, serde::Serialize)]
pub struct RatingGiven {
    pub match_id: String,
    pub stars: i32,
    pub comment: String,
    #[serde(serialize_with = "crate::domain::time::iso8601")]
    pub created_at: i64,
}

#[derive(Debug, serde::Serialize)]
pub struct EmailSent {
    pub kind: String,
    pub subject: String,
    pub status: crate::domain::OutboxStatus,
    #[serde(serialize_with = "crate::domain::time::iso8601")]
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
    let emails = store::outbox::to_user(&mut conn, user_id, &account.email)?
        .into_iter()
        .map(|(kind, subject, status, created_at)| EmailSent {
            kind,
            subject,
            status,
            created_at,
        })
        .collect();
    let sessions = store::privacy::open_sessions(&mut conn, user_id, super::now())?
        .into_iter()
        .map(|(started_at, renewed_at, expires_at)| Session {
            started_at,
            renewed_at,
            expires_at,
        })
        .collect();
    drop(conn);
    Ok(Export {
        programmes: super::programmes::of_member(state, user_id)?,
        appointments: super::appointments::mine(state, user_id)?,
        notifications: super::reminders::settings(state, user_id)?,
        sessions,
        sharing: sharing(state, user_id)?,
        matches: exported_matches(state, user_id)?,
        meetings: evidence::learning_record(state, user_id)?,
        account,
        profile,
        ratings,
        emails,
    })
}

/// My matches, those of cancelled rounds too: my meetings and ratings may
/// point at them. A cancelled match no longer connects us, so it keeps no
/// contact details of the others.
fn exported_matches(state: &AppState, user_id: &str) -> Result<Vec<MyMatch>, AppError> {
    use crate::domain::RoundStatus::{Cancelled, Published};
    let mut all = matches::in_rounds(state, user_id, &[Published, Cancelled])?;
    for m in all.iter_mut().filter(|m| m.round.status == Cancelled) {
        for c in &mut m.counterparts {
            c.email = None;
            c.phone = None;
            c.province = None;
        }
    }
    Ok(all)
}

pub fn sharing(state: &AppState, user_id: &str) -> Result<Sharing, AppError> {
    let mut conn = state.conn()?;
    Ok(store::privacy::contact(&mut conn, user_id)?
        .map(Sharing::from)
        .unwrap_or_default())
}

pub fn set_sharing(state: &AppState, user_id: &str, s: Sharing) -> Result<Sharing, AppError> {
    let row = contact_row(user_id, s)?;
    let mut conn = state.conn()?;
    crate::store::db::write_tx(&mut conn, |conn| store::privacy::save_contact(conn, &row))?;
    Ok(row.into())
}

/// The right to erasure (GDPR art. 17): the account's personal data goes;
/// its past matches remain as anonymous statistics, and counterparts see
/// "a former member".
pub fn erase(state: &AppState, user_id: &str, password: &str) -> Result<(), AppError> {
    accounts::confirm_password(state, user_id, password)?;
    let mut conn = state.conn()?;
    let erased = crate::store::db::write_tx(&mut conn, |conn| {
        // The account row first: its update waits for a publish that has
        // read it (FOR SHARE), so what that publish wrote is seen below.
        let erased = store::privacy::erase_account(conn, user_id, super::now())?;
        // Stored reasons name who learns which topics: they stop naming me.
        for (match_id, stored) in store::rounds::explanations_of_user(conn, user_id)? {
            let kept = super::reasons::without(&match_id, &stored, user_id)?;
            if kept != stored {
                store::rounds::set_explanation(conn, &match_id, &kept)?;
            }
        }
        super::mail::forget_in_unsent(conn, user_id)?;
        Ok::<_, AppError>(erased)
    })?;
    if erased {
        tracing::info!(user = user_id, "account erased on request");
    }
    Ok(())
}

/// Deletes never-verified accounts past their time and expired tokens.
pub fn purge(state: &AppState) -> Result<store::privacy::Purged, AppError> {
    let t = super::now();
    let mut conn = state.conn()?;
    let purged = crate::store::db::write_tx(&mut conn, |conn| {
        store::privacy::purge(conn, t - state.unverified_ttl_secs, t)
    })?;
    if purged != store::privacy::Purged::default() {
        tracing::info!(?purged, "purged stale accounts and tokens");
    }
    Ok(purged)
}

/// Runs [`purge`] now and then every `every`, until told to stop. Several
/// instances may do this at once: the deletes are idempotent.
pub async fn purge_periodically(
    state: std::sync::Arc<AppState>,
    every: std::time::Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        let s = state.clone();
        match tokio::task::spawn_blocking(move || purge(&s)).await {
            Ok(Err(e)) => tracing::warn!(error = ?e, "purge failed; retrying later"),
            Err(e) => tracing::warn!(error = %e, "purge task failed"),
            Ok(Ok(_)) => {}
        }
        // Answers past their reply date and reminders after a match are
        // housekeeping of the same kind.
        let s = state.clone();
        match tokio::task::spawn_blocking(move || super::round_mail::sweep_answers(&s)).await {
            Ok(Err(e)) => tracing::warn!(error = ?e, "answer sweep failed; retrying later"),
            Err(e) => tracing::warn!(error = %e, "answer sweep task failed"),
            Ok(Ok(_)) => {}
        }
        let s = state.clone();
        match tokio::task::spawn_blocking(move || super::reminders::sweep_reminders(&s)).await {
            Ok(Err(e)) => tracing::warn!(error = ?e, "reminder sweep failed; retrying later"),
            Err(e) => tracing::warn!(error = %e, "reminder sweep task failed"),
            Ok(Ok(_)) => {}
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}
