//! Sessions: login, token refresh and logout, the role a token acts with,
//! and the password that opens them.

use super::user::{account_gone, UserView};
use crate::auth::{password, tokens};
use crate::domain::{check_password, EmailAddress, Role};
use crate::error::AppError;
use crate::service::{now, AppState};
use crate::store::db::write_tx;
use crate::store::sessions::SessionRow;
use crate::store::tokens::RefreshTokenRow;
use crate::store::users::{self, UserRow};
use crate::store::{self, DbConnection};
use std::time::Instant;

#[derive(Debug, Clone, serde::Serialize)]
pub struct Session {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
    pub refresh_token: String,
    pub user: UserView,
}

/// A new login (`family` None) or the next token pair of one. Call inside a
/// write transaction: the session and its first refresh token belong together.
fn start_session(
    state: &AppState,
    conn: &mut DbConnection,
    user: UserRow,
    family: Option<String>,
) -> Result<Session, AppError> {
    let view = UserView::from(user);
    let t = now();
    let family = family.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    // A family begun by a version without sessions (during a rolling
    // update) gets its session on its first rotation here.
    if store::sessions::ended_at(conn, &family)?.is_none() {
        store::sessions::insert(
            conn,
            &SessionRow {
                id: family.clone(),
                user_id: view.id.clone(),
                created_at: t,
                ended_at: None,
            },
        )?;
    }
    let refresh = tokens::new_token();
    store::tokens::insert(
        conn,
        &RefreshTokenRow {
            id: uuid::Uuid::new_v4().to_string(),
            user_id: view.id.clone(),
            family_id: family.clone(),
            token_hash: tokens::hash_token(&refresh),
            created_at: t,
            expires_at: t + state.refresh_ttl_secs,
            revoked_at: None,
        },
    )?;
    let access = state.keys.issue(&view.id, &family, view.role, t as u64)?;
    Ok(Session {
        access_token: access,
        token_type: "Bearer",
        expires_in: state.keys.ttl_secs(),
        refresh_token: refresh,
        user: view,
    })
}

pub fn login(
    state: &AppState,
    email: &str,
    password_in: &str,
    client_addr: Option<String>,
) -> Result<Session, AppError> {
    let email = EmailAddress::parse("email", email).map_err(|p| AppError::validation(vec![p]))?;
    let mut keys = vec![format!("acct:{email}")];
    if let Some(addr) = client_addr {
        keys.push(format!("addr:{addr}"));
    }
    if let Err(wait) = state.throttle.begin_attempt(&keys, Instant::now()) {
        return Err(AppError::too_many_requests(
            wait,
            "Too many failed logins for this account or address.",
        ));
    }
    let mut conn = state.conn()?;
    let user = users::by_email(&mut conn, email.as_str())?;
    let ok = match &user {
        Some(u) => password::verify(password_in, &u.password_hash),
        None => {
            password::verify_dummy(password_in);
            false
        }
    };
    match user {
        Some(u) if ok => {
            state.throttle.succeeded(&keys);
            write_tx(&mut conn, |conn| start_session(state, conn, u, None))
        }
        // The attempt was already counted by begin_attempt.
        _ => Err(AppError::unauthorized(
            "invalid_credentials",
            "email or password is incorrect",
        )),
    }
}

fn refresh_rejected() -> AppError {
    AppError::unauthorized(
        "invalid_refresh_token",
        "the refresh token is unknown, expired or already used; log in again",
    )
}

/// Rotates a refresh token: the old one is spent, a new one (same family)
/// comes back with a fresh access token carrying the current role.
pub fn refresh(state: &AppState, token: &str) -> Result<Session, AppError> {
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        let t = now();
        let row = store::tokens::by_hash(conn, &tokens::hash_token(token))?
            .ok_or_else(refresh_rejected)?;
        // Spent before we read it, or spent by a request presenting it at
        // the same moment (on PostgreSQL both can read it unspent; the
        // update lets one win): either way it came twice, so it leaked.
        // End the whole login, including whatever the winner got.
        let spent = row.revoked_at.is_some()
            || (row.expires_at > t && !store::tokens::revoke_if_active(conn, &row.id, t)?);
        if spent {
            store::sessions::end(conn, &row.family_id, t)?;
            tracing::warn!(family = %row.family_id, "refresh token reused; family revoked");
            return Ok(Err(refresh_rejected()));
        }
        if row.expires_at <= t {
            return Ok(Err(refresh_rejected()));
        }
        let user = users::by_id(conn, &row.user_id)?.ok_or_else(refresh_rejected)?;
        start_session(state, conn, user, Some(row.family_id)).map(Ok)
    })
    .and_then(|r| r)
}

/// Ends the login the refresh token belongs to, its access tokens included.
/// Unknown tokens are fine: logging out twice is not an error.
pub fn logout(state: &AppState, token: &str) -> Result<(), AppError> {
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        if let Some(row) = store::tokens::by_hash(conn, &tokens::hash_token(token))? {
            store::sessions::end(conn, &row.family_id, now())?;
        }
        Ok(())
    })
}

pub fn me(state: &AppState, user_id: &str) -> Result<UserView, AppError> {
    let mut conn = state.conn()?;
    Ok(users::by_id(&mut conn, user_id)?
        .ok_or_else(account_gone)?
        .into())
}

/// The role a valid access token acts with now: the account's current
/// role, provided the account is not gone or erased and the token's login
/// (`sid`) has not been ended.
pub fn current_role(state: &AppState, user_id: &str, session_id: &str) -> Result<Role, AppError> {
    let ticket = state.logins.ticket();
    let mut conn = state.conn()?;
    let found = store::sessions::account_session(&mut conn, user_id, session_id)?;
    let Some(a) = found.filter(|a| a.erased_at.is_none()) else {
        return Err(account_gone());
    };
    if a.session != Some(None) {
        return Err(session_ended());
    }
    if let Some(ticket) = ticket {
        state.logins.remember(ticket, user_id, session_id, a.role);
    }
    Ok(a.role)
}

/// The account's role if this instance checked the login lately and nothing
/// can have ended it since (see `login_cache`): then the request needs no
/// check in the database.
pub fn checked_role(state: &AppState, user_id: &str, session_id: &str) -> Option<Role> {
    state.logins.role(user_id, session_id)
}

pub fn session_ended() -> AppError {
    AppError::unauthorized(
        "session_ended",
        "this login has ended (logout, password change or reset, or a new role); log in again",
    )
}

/// Checks the account's password for an action that needs it again. Wrong
/// guesses count against the account's login budget.
pub fn confirm_password(
    state: &AppState,
    user_id: &str,
    password_in: &str,
) -> Result<(), AppError> {
    confirmed_user(state, user_id, password_in).map(|_| ())
}

fn confirmed_user(state: &AppState, user_id: &str, password_in: &str) -> Result<UserRow, AppError> {
    let mut conn = state.conn()?;
    let user = users::by_id(&mut conn, user_id)?;
    drop(conn);
    let Some(user) = user else {
        return Err(account_gone());
    };
    let keys = [format!("acct:{}", user.email)];
    if let Err(wait) = state.throttle.begin_attempt(&keys, Instant::now()) {
        return Err(AppError::too_many_requests(
            wait,
            "Too many wrong passwords for this account.",
        ));
    }
    if password::verify(password_in, &user.password_hash) {
        state.throttle.succeeded(&keys);
        Ok(user)
    } else {
        Err(AppError::forbidden_because(
            "password_incorrect",
            "the password is incorrect; this action needs your current password",
        ))
    }
}

/// Sets a new password after checking the current one, and ends every
/// login of the account (refresh tokens); the caller logs in again.
pub fn change_password(
    state: &AppState,
    user_id: &str,
    current: &str,
    new_password: &str,
) -> Result<(), AppError> {
    check_password("new_password", new_password, &[]).map_err(|p| AppError::validation(vec![p]))?;
    let user = confirmed_user(state, user_id, current)?;
    check_password(
        "new_password",
        new_password,
        &[&user.email, &user.display_name],
    )
    .map_err(|p| AppError::validation(vec![p]))?;
    let hash = password::hash(new_password)?;
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        let t = now();
        users::set_password(conn, user_id, &hash, t)?;
        store::sessions::end_all_for_user(conn, user_id, t)?;
        Ok(())
    })
}
