//! Acting on a signed link from an email (auth/action.rs): whose it is,
//! and that it was made for this action on this thing.

use super::{now, AppState};
use crate::auth::action::{Act, ActionClaims};
use crate::domain::Locale;
use crate::error::AppError;

pub fn bad_link() -> AppError {
    AppError::bad_request(
        "invalid_link",
        "this link is not valid (any more): open it again from a recent email, or use the app",
    )
}

/// The claims of a link made for `act`, or a clear error.
pub fn claims(state: &AppState, token: &str, act: Act) -> Result<ActionClaims, AppError> {
    state
        .keys
        .verify_action(token, act, now() as u64)
        .map_err(|_| bad_link())
}

/// The member a link acts for, when it was made for `act` on `obj`.
pub struct LinkMember {
    pub user_id: String,
    pub locale: Locale,
}

pub fn member(state: &AppState, token: &str, act: Act, obj: &str) -> Result<LinkMember, AppError> {
    let c = claims(state, token, act)?;
    if c.obj != obj {
        return Err(bad_link());
    }
    let mut conn = state.conn()?;
    let user = crate::store::users::by_id(&mut conn, &c.sub)?
        .filter(|u| u.erased_at.is_none())
        .ok_or_else(bad_link)?;
    Ok(LinkMember {
        user_id: user.id,
        locale: user.locale,
    })
}
