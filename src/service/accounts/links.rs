//! The links sent by email: address verification and password reset.

use super::user::{account_gone, parse_address, UserView};
use crate::auth::{password, tokens};
use crate::domain::{check_password, EmailAddress, TokenPurpose};
use crate::error::AppError;
use crate::mail::notify::{ResetPassword, VerifyEmail};
use crate::service::{now, AppState};
use crate::store::db::write_tx;
use crate::store::users::{self, UserRow};
use crate::store::{self, DbConnection};
use std::time::Instant;

const VERIFY_VALID_HOURS: i64 = 48;
const RESET_VALID_MINUTES: i64 = 60;

fn new_email_token(
    conn: &mut DbConnection,
    user_id: &str,
    purpose: TokenPurpose,
    valid_secs: i64,
) -> Result<String, AppError> {
    let t = now();
    store::email_tokens::expire_unused(conn, user_id, purpose, t)?;
    let token = tokens::new_token();
    store::email_tokens::insert(
        conn,
        &store::email_tokens::EmailTokenRow {
            id: uuid::Uuid::new_v4().to_string(),
            user_id: user_id.to_string(),
            purpose,
            token_hash: tokens::hash_token(&token),
            created_at: t,
            expires_at: t + valid_secs,
            used_at: None,
        },
    )?;
    Ok(token)
}

pub(super) fn send_verification(
    state: &AppState,
    conn: &mut DbConnection,
    user: &UserRow,
) -> Result<(), AppError> {
    let token = new_email_token(
        conn,
        &user.id,
        TokenPurpose::VerifyEmail,
        VERIFY_VALID_HOURS * 3600,
    )?;
    let mc = state.mail_context();
    let locale = user.locale;
    let notice = VerifyEmail {
        name: &user.display_name,
        link: mc.link("/verify-email", &token),
        valid_hours: VERIFY_VALID_HOURS,
    };
    let to = crate::service::mail::To {
        user_id: &user.id,
        email: &user.email,
        locale,
    };
    crate::service::mail::enqueue(conn, &mc, to, &notice, &[])?;
    Ok(())
}

/// At most 3 such emails an hour per address (12 per client address),
/// whether or not the address has an account, so the limit reveals nothing.
pub(super) fn limit_mail(
    state: &AppState,
    key: String,
    client_addr: Option<String>,
) -> Result<(), AppError> {
    let mut keys = vec![key];
    keys.extend(client_addr.map(|a| format!("addr:{a}")));
    state
        .mail_throttle
        .begin_attempt(&keys, Instant::now())
        .map_err(|wait| {
            AppError::too_many_requests(wait, "Too many emails requested for this address.")
        })
}

/// Sends a fresh verification link (the older ones stop working).
pub fn resend_verification(state: &AppState, user_id: &str) -> Result<(), AppError> {
    limit_mail(state, format!("acct:verify:{user_id}"), None)?;
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        let user = users::by_id(conn, user_id)?.ok_or_else(account_gone)?;
        if user.email_verified_at.is_some() {
            return Err(AppError::conflict(
                "already_verified",
                "this email address is already confirmed",
            ));
        }
        send_verification(state, conn, &user)
    })
}

fn bad_email_token() -> AppError {
    AppError::bad_request(
        "invalid_email_token",
        "the link is unknown, expired or already used; ask for a new one",
    )
}

/// Email-link tokens have 256 random bits, so guessing is hopeless; the
/// per-address budget still stops anyone from hammering the endpoints.
fn begin_token_attempt(
    state: &AppState,
    client_addr: Option<String>,
) -> Result<Vec<String>, AppError> {
    let keys: Vec<String> = client_addr
        .map(|a| format!("addr:token:{a}"))
        .into_iter()
        .collect();
    state
        .throttle
        .begin_attempt(&keys, Instant::now())
        .map_err(|wait| {
            AppError::too_many_requests(wait, "Too many invalid links from this address.")
        })?;
    Ok(keys)
}

pub fn verify_email(
    state: &AppState,
    token: &str,
    client_addr: Option<String>,
) -> Result<UserView, AppError> {
    let keys = begin_token_attempt(state, client_addr)?;
    let mut conn = state.conn()?;
    let user = write_tx(&mut conn, |conn| {
        let t = now();
        let user_id = store::email_tokens::consume(
            conn,
            TokenPurpose::VerifyEmail,
            &tokens::hash_token(token),
            t,
        )?
        .ok_or_else(bad_email_token)?;
        users::mark_verified(conn, &user_id, t)?;
        let user = users::by_id(conn, &user_id)?.ok_or_else(bad_email_token)?;
        Ok::<_, AppError>(UserView::from(user))
    })?;
    state.throttle.succeeded(&keys);
    Ok(user)
}

/// Always succeeds from the caller's view, so it does not reveal who has an
/// account; a known address gets a single-use link by email.
pub fn request_password_reset(
    state: &AppState,
    email: &str,
    client_addr: Option<String>,
) -> Result<EmailAddress, AppError> {
    let email = parse_address("email", email).map_err(|p| AppError::validation(vec![p]))?;
    limit_mail(state, format!("acct:reset:{email}"), client_addr)?;
    Ok(email)
}

/// The part of a reset request that depends on whether the address has an
/// account. The caller runs it after answering, so the answer takes the
/// same time either way.
pub fn send_reset_link(state: &AppState, email: &EmailAddress) -> Result<(), AppError> {
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        let Some(user) = users::by_email(conn, email.as_str())? else {
            return Ok(());
        };
        let token = new_email_token(
            conn,
            &user.id,
            TokenPurpose::ResetPassword,
            RESET_VALID_MINUTES * 60,
        )?;
        let mc = state.mail_context();
        let locale = user.locale;
        let notice = ResetPassword {
            name: &user.display_name,
            link: mc.link("/reset-password", &token),
            valid_minutes: RESET_VALID_MINUTES,
        };
        let to = crate::service::mail::To {
            user_id: &user.id,
            email: &user.email,
            locale,
        };
        crate::service::mail::enqueue(conn, &mc, to, &notice, &[])?;
        Ok(())
    })
}

/// Sets the new password and ends every login of the account. Following
/// the link also proves the address works, so it counts as verification.
pub fn reset_password(
    state: &AppState,
    token: &str,
    new_password: &str,
    client_addr: Option<String>,
) -> Result<(), AppError> {
    check_password("password", new_password, &[]).map_err(|p| AppError::validation(vec![p]))?;
    let keys = begin_token_attempt(state, client_addr)?;
    let mut conn = state.conn()?;
    // The account's own words can be checked only once the link says whose
    // it is; a refusal leaves the link unused, so the person can try again.
    let user = store::email_tokens::user_of_unused(
        &mut conn,
        TokenPurpose::ResetPassword,
        &tokens::hash_token(token),
        now(),
    )?
    .and_then(|id| users::by_id(&mut conn, &id).transpose())
    .transpose()?
    .ok_or_else(bad_email_token)?;
    check_password("password", new_password, &[&user.email, &user.display_name])
        .map_err(|p| AppError::validation(vec![p]))?;
    drop(conn);
    let hash = password::hash(new_password)?;
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        let t = now();
        let user_id = store::email_tokens::consume(
            conn,
            TokenPurpose::ResetPassword,
            &tokens::hash_token(token),
            t,
        )?
        .ok_or_else(bad_email_token)?;
        users::set_password(conn, &user_id, &hash, t)?;
        users::mark_verified(conn, &user_id, t)?;
        store::sessions::end_all_for_user(conn, &user_id, t)?;
        Ok::<(), AppError>(())
    })?;
    state.throttle.succeeded(&keys);
    Ok(())
}
