//! Reminders after a match, and which of them a member wants. Each goes out
//! through the outbox once, whatever the number of instances and restarts:
//! its key (the kind, the match or appointment, the member) is recorded in
//! the transaction that queues it. None goes to an erased or paused member
//! or one who turned it off, and each stops once its reason is gone: both
//! are checked again in that transaction.

mod kind;
mod sweep;

pub use kind::Reminder;
pub use sweep::{sweep_reminders, Sent};

use super::{now, AppState};
use crate::auth::action::Act;
use crate::error::AppError;
use crate::store::reminders::{self as store, SettingsRow};

/// Which reminders a member gets (`GET/PUT /me/notifications`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationSettings {
    pub answer_pending: bool,
    pub no_meeting_yet: bool,
    pub reflection_due: bool,
    pub next_session: bool,
}

impl From<SettingsRow> for NotificationSettings {
    fn from(s: SettingsRow) -> Self {
        NotificationSettings {
            answer_pending: s.answer_pending,
            no_meeting_yet: s.no_meeting_yet,
            reflection_due: s.reflection_due,
            next_session: s.next_session,
        }
    }
}

const ALL_ON: SettingsRow = SettingsRow {
    answer_pending: true,
    no_meeting_yet: true,
    reflection_due: true,
    next_session: true,
};

pub fn settings(state: &AppState, user_id: &str) -> Result<NotificationSettings, AppError> {
    let mut conn = state.conn()?;
    Ok(store::settings(&mut conn, user_id)?
        .unwrap_or(ALL_ON)
        .into())
}

pub fn save(
    state: &AppState,
    user_id: &str,
    s: NotificationSettings,
) -> Result<NotificationSettings, AppError> {
    let row = SettingsRow {
        answer_pending: s.answer_pending,
        no_meeting_yet: s.no_meeting_yet,
        reflection_due: s.reflection_due,
        next_session: s.next_session,
    };
    let mut conn = state.conn()?;
    crate::store::db::write_tx(&mut conn, |conn| {
        store::save_settings(conn, user_id, &row, now())
    })?;
    Ok(s)
}

/// What a one-click unsubscribe did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Unsubscribed {
    pub reminder: &'static str,
    pub settings: NotificationSettings,
}

/// Turns one reminder off for the member a signed unsubscribe link names
/// (RFC 8058: no login). Doing it twice is harmless.
pub fn unsubscribe(state: &AppState, token: &str) -> Result<Unsubscribed, AppError> {
    let claims = super::email_links::claims(state, token, Act::Unsubscribe)?;
    let reminder = Reminder::from_code(&claims.obj).ok_or_else(super::email_links::bad_link)?;
    let mut conn = state.conn()?;
    let settings = crate::store::db::write_tx(&mut conn, |conn| {
        if crate::store::users::by_id(conn, &claims.sub)?.is_none_or(|u| u.erased_at.is_some()) {
            return Err(super::email_links::bad_link());
        }
        let mut s = store::settings(conn, &claims.sub)?.unwrap_or(ALL_ON);
        reminder.set(&mut s, false);
        store::save_settings(conn, &claims.sub, &s, now())?;
        Ok(s)
    })?;
    tracing::info!(
        user = claims.sub,
        reminder = reminder.code(),
        "unsubscribed from a reminder"
    );
    Ok(Unsubscribed {
        reminder: reminder.code(),
        settings: settings.into(),
    })
}
