//! Sign-up, login, token refresh and logout, and role changes.

use super::{now, AppState};
use crate::auth::{password, tokens};
use crate::domain::{check_password, display_name, EmailAddress, FieldProblem, Locale, Role};
use crate::error::AppError;
use crate::mail::MailKind;
use crate::store::db::write_tx;
use crate::store::sessions::SessionRow;
use crate::store::tokens::RefreshTokenRow;
use crate::store::users::{self, UserRow};
use crate::store::{self, DbConnection};
use std::time::Instant;

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

impl TryFrom<UserRow> for UserView {
    type Error = AppError;
    fn try_from(r: UserRow) -> Result<Self, AppError> {
        let bad = |e: crate::domain::ParseEnumError| {
            AppError::Internal(anyhow::anyhow!("stored user {}: {e}", r.id))
        };
        Ok(UserView {
            locale: r.locale.parse().map_err(bad)?,
            role: r.role.parse().map_err(bad)?,
            email_verified: r.email_verified_at.is_some(),
            id: r.id,
            email: r.email,
            display_name: r.display_name,
            created_at: r.created_at,
        })
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Session {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
    pub refresh_token: String,
    pub user: UserView,
}

pub struct Registration {
    pub email: String,
    pub password: String,
    pub display_name: String,
    pub locale: Option<Locale>,
}

pub struct NewAccount {
    pub email: EmailAddress,
    pub password: String,
    pub display_name: String,
    pub locale: Locale,
    pub role: Role,
}

impl Registration {
    pub fn validate(self) -> Result<NewAccount, AppError> {
        let email = parse_address("email", &self.email);
        let name = display_name("display_name", &self.display_name, MAX_DISPLAY_NAME);
        // What was typed counts too, when it was refused or normalised.
        let personal: Vec<&str> = [email.as_ref().ok().map(EmailAddress::as_str)]
            .into_iter()
            .flatten()
            .chain(name.as_deref().ok())
            .chain([self.email.as_str(), self.display_name.as_str()])
            .collect();
        let password = check_password("password", &self.password, &personal);
        let problems: Vec<FieldProblem> = [
            email.as_ref().err(),
            password.as_ref().err(),
            name.as_ref().err(),
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
        match (email.ok(), name.ok()) {
            (Some(email), Some(display_name)) if problems.is_empty() => Ok(NewAccount {
                email,
                password: self.password,
                display_name,
                locale: self.locale.unwrap_or_default(),
                role: Role::Member,
            }),
            _ => Err(AppError::validation(problems)),
        }
    }
}

pub const MAX_DISPLAY_NAME: usize = 100;

/// An address as the domain reads it, that the mailer can also send to.
pub fn parse_address(field: &str, raw: &str) -> Result<EmailAddress, FieldProblem> {
    let email = EmailAddress::parse(field, raw)?;
    crate::mail::check_recipient(field, &email)?;
    Ok(email)
}

/// `hash` is computed by the caller before its transaction: Argon2 takes
/// tens of milliseconds, and SQLite's write lock should not wait on it.
fn insert_account(
    conn: &mut DbConnection,
    acc: &NewAccount,
    hash: String,
) -> Result<Option<UserRow>, AppError> {
    let t = now();
    let row = UserRow {
        id: uuid::Uuid::new_v4().to_string(),
        email: acc.email.to_string(),
        password_hash: hash,
        display_name: acc.display_name.clone(),
        locale: acc.locale.code().into(),
        role: acc.role.code().into(),
        created_at: t,
        updated_at: t,
        email_verified_at: None,
        erased_at: None,
    };
    if users::by_email(conn, &row.email)?.is_some() {
        return Ok(None);
    }
    match users::insert(conn, &row) {
        Ok(()) => Ok(Some(row)),
        // A concurrent sign-up won; the failed statement has spoilt a
        // PostgreSQL transaction, so this one must roll back.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Err(email_taken()),
        Err(e) => Err(e.into()),
    }
}

fn email_taken() -> AppError {
    AppError::conflict("email_taken", "an account with this email address exists")
}

pub const VERIFY_EMAIL: &str = "verify_email";
pub const RESET_PASSWORD: &str = "reset_password";
const VERIFY_VALID_HOURS: i64 = 48;
const RESET_VALID_MINUTES: i64 = 60;

/// What a sign-up answers, whether or not the address already had an
/// account: the same words, status and (Argon2-dominated) time, so sign-up
/// reveals nobody's membership. The owner of a taken address is told by
/// email instead.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RegistrationAccepted {
    pub email: String,
    pub status: &'static str,
    pub detail: &'static str,
}

/// The account and its verification email commit together or not at all.
pub fn register(
    state: &AppState,
    reg: Registration,
    client_addr: Option<String>,
) -> Result<RegistrationAccepted, AppError> {
    let acc = reg.validate()?;
    if let Some(addr) = client_addr {
        state
            .register_throttle
            .begin_attempt(&[format!("reg:{addr}")], Instant::now())
            .map_err(|wait| {
                AppError::too_many_requests(wait, "Too many sign-ups from this address.")
            })?;
    }
    let hash = password::hash(&acc.password)?;
    let mut conn = state.conn()?;
    let created = match write_tx(&mut conn, |conn| match insert_account(conn, &acc, hash)? {
        Some(user) => send_verification(state, conn, &user).map(|_| true),
        None => Ok(false),
    }) {
        Err(AppError::Problem(p)) if p.code == "email_taken" => false,
        other => other?,
    };
    if !created {
        tell_owner_of_signup_attempt(state, &mut conn, &acc.email)?;
    }
    Ok(RegistrationAccepted {
        email: acc.email.to_string(),
        status: "verification_sent",
        detail: "check your inbox for a link that confirms the address, then log in",
    })
}

/// Someone signed up with an address that has an account: its owner hears
/// of it (with a way back in), at most a few times an hour.
fn tell_owner_of_signup_attempt(
    state: &AppState,
    conn: &mut DbConnection,
    email: &EmailAddress,
) -> Result<(), AppError> {
    if limit_mail(state, format!("acct:exists:{email}"), None).is_err() {
        return Ok(());
    }
    write_tx(conn, |conn| {
        let Some(user) = users::by_email(conn, email.as_str())? else {
            return Ok(());
        };
        let mc = state.mail_context();
        let locale: Locale = user.locale.parse().unwrap_or_default();
        let ctx = minijinja::context! {
            name => user.display_name.clone(),
            login_url => format!("{}/login", state.public_base_url.trim_end_matches('/')),
        };
        let to = crate::service::mail::To {
            user_id: &user.id,
            email: &user.email,
            locale,
        };
        crate::service::mail::enqueue(conn, &mc, MailKind::AccountExists, to, ctx, &[])?;
        Ok(())
    })
}

fn new_email_token(
    conn: &mut DbConnection,
    user_id: &str,
    purpose: &str,
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
            purpose: purpose.to_string(),
            token_hash: tokens::hash_token(&token),
            created_at: t,
            expires_at: t + valid_secs,
            used_at: None,
        },
    )?;
    Ok(token)
}

fn send_verification(
    state: &AppState,
    conn: &mut DbConnection,
    user: &UserRow,
) -> Result<(), AppError> {
    let token = new_email_token(conn, &user.id, VERIFY_EMAIL, VERIFY_VALID_HOURS * 3600)?;
    let mc = state.mail_context();
    let locale: Locale = user.locale.parse().unwrap_or_default();
    let ctx = minijinja::context! {
        name => user.display_name.clone(),
        link => mc.link("/verify-email", &token),
        valid_hours => VERIFY_VALID_HOURS,
    };
    let to = crate::service::mail::To {
        user_id: &user.id,
        email: &user.email,
        locale,
    };
    crate::service::mail::enqueue(conn, &mc, MailKind::VerifyEmail, to, ctx, &[])?;
    Ok(())
}

/// Sends a fresh verification link (the older ones stop working).
/// At most 3 such emails an hour per address (12 per client address),
/// whether or not the address has an account, so the limit reveals nothing.
fn limit_mail(state: &AppState, key: String, client_addr: Option<String>) -> Result<(), AppError> {
    let mut keys = vec![key];
    keys.extend(client_addr.map(|a| format!("addr:{a}")));
    state
        .mail_throttle
        .begin_attempt(&keys, Instant::now())
        .map_err(|wait| {
            AppError::too_many_requests(wait, "Too many emails requested for this address.")
        })
}

pub fn resend_verification(state: &AppState, user_id: &str) -> Result<(), AppError> {
    limit_mail(state, format!("acct:verify:{user_id}"), None)?;
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        let user = users::by_id(conn, user_id)?.ok_or_else(|| {
            AppError::unauthorized(
                "invalid_token",
                "the account of this token no longer exists",
            )
        })?;
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
        let user_id =
            store::email_tokens::consume(conn, VERIFY_EMAIL, &tokens::hash_token(token), t)?
                .ok_or_else(bad_email_token)?;
        users::mark_verified(conn, &user_id, t)?;
        users::by_id(conn, &user_id)?
            .ok_or_else(bad_email_token)?
            .try_into()
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
        let token = new_email_token(conn, &user.id, RESET_PASSWORD, RESET_VALID_MINUTES * 60)?;
        let mc = state.mail_context();
        let locale: Locale = user.locale.parse().unwrap_or_default();
        let ctx = minijinja::context! {
            name => user.display_name.clone(),
            link => mc.link("/reset-password", &token),
            valid_minutes => RESET_VALID_MINUTES,
        };
        let to = crate::service::mail::To {
            user_id: &user.id,
            email: &user.email,
            locale,
        };
        crate::service::mail::enqueue(conn, &mc, MailKind::ResetPassword, to, ctx, &[])?;
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
        RESET_PASSWORD,
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
        let user_id =
            store::email_tokens::consume(conn, RESET_PASSWORD, &tokens::hash_token(token), t)?
                .ok_or_else(bad_email_token)?;
        users::set_password(conn, &user_id, &hash, t)?;
        users::mark_verified(conn, &user_id, t)?;
        store::sessions::end_all_for_user(conn, &user_id, t)?;
        Ok::<(), AppError>(())
    })?;
    state.throttle.succeeded(&keys);
    Ok(())
}

/// A new login (`family` None) or the next token pair of one. Call inside a
/// write transaction: the session and its first refresh token belong together.
fn start_session(
    state: &AppState,
    conn: &mut DbConnection,
    user: UserRow,
    family: Option<String>,
) -> Result<Session, AppError> {
    let view = UserView::try_from(user)?;
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
    users::by_id(&mut conn, user_id)?
        .ok_or_else(|| {
            AppError::unauthorized(
                "invalid_token",
                "the account of this token no longer exists",
            )
        })?
        .try_into()
}

pub fn set_role(
    state: &AppState,
    actor: &crate::auth::AuthUser,
    user_id: &str,
    role: Role,
) -> Result<UserView, AppError> {
    if actor.id == user_id && role != Role::Admin {
        return Err(AppError::conflict(
            "own_role",
            "admins cannot demote themselves; ask another admin",
        ));
    }
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        let t = now();
        let before = users::by_id(conn, user_id)?
            .filter(|u| u.erased_at.is_none())
            .ok_or_else(|| {
                AppError::not_found("user_not_found", format!("no user with id {user_id}"))
            })?;
        users::set_role(conn, user_id, role.code(), t)?;
        super::audit::record(
            conn,
            actor,
            super::audit::Action::RoleChanged,
            ("user", user_id),
            serde_json::json!({ "from": before.role, "to": role.code() }),
        )?;
        // Requests already act with the new role; ending the logins makes
        // the person log in again and see it. Setting the role they already
        // have changes nothing, so it logs nobody out.
        if before.role != role.code() {
            store::sessions::end_all_for_user(conn, user_id, t)?;
        }
        users::by_id(conn, user_id)?
            .ok_or_else(|| {
                AppError::not_found("user_not_found", format!("no user with id {user_id}"))
            })?
            .try_into()
    })
}

/// For the `admin create` command: creates the account, or gives an existing
/// one the role. Returns the account and whether it was created.
pub fn create_or_promote(
    conn: &mut DbConnection,
    acc: NewAccount,
) -> Result<(UserView, bool), AppError> {
    let hash = password::hash(&acc.password)?;
    write_tx(conn, |conn| {
        match users::by_email(conn, acc.email.as_str())? {
            Some(existing) => {
                if existing.role != acc.role.code() {
                    // As through the API: a new role means logging in anew.
                    users::set_role(conn, &existing.id, acc.role.code(), now())?;
                    store::sessions::end_all_for_user(conn, &existing.id, now())?;
                }
                let row = users::by_id(conn, &existing.id)?
                    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("user vanished")))?;
                Ok((row.try_into()?, false))
            }
            None => {
                let mut row = insert_account(conn, &acc, hash)?.ok_or_else(email_taken)?;
                // The operator vouches for the address; an unverified
                // account would be purged after a while.
                users::mark_verified(conn, &row.id, now())?;
                row.email_verified_at = Some(now());
                Ok((row.try_into()?, true))
            }
        }
    })
}

/// The role a valid access token acts with now: the account's current
/// role, provided the account is not gone or erased and the token's login
/// (`sid`) has not been ended.
pub fn current_role(state: &AppState, user_id: &str, session_id: &str) -> Result<Role, AppError> {
    let mut conn = state.conn()?;
    let found = store::sessions::account_session(&mut conn, user_id, session_id)?;
    let Some(a) = found.filter(|a| a.erased_at.is_none()) else {
        return Err(AppError::unauthorized(
            "invalid_token",
            "the account of this token no longer exists",
        ));
    };
    if a.session != Some(None) {
        return Err(AppError::unauthorized(
            "session_ended",
            "this login has ended (logout, password change or reset, or a new role); log in again",
        ));
    }
    a.role
        .parse()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("stored user {user_id}: {e}")))
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
        return Err(AppError::unauthorized(
            "invalid_token",
            "the account of this token no longer exists",
        ));
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
