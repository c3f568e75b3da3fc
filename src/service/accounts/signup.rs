//! Sign-up: the new account and its verification email, answered the same
//! way whether or not the address already had an account.

use super::links::{limit_mail, send_verification};
use super::user::parse_address;
use crate::auth::password;
use crate::domain::{check_password, display_name, EmailAddress, FieldProblem, Locale, Role};
use crate::error::AppError;
use crate::mail::notify::AccountExists;
use crate::service::{now, AppState};
use crate::store::db::write_tx;
use crate::store::users::{self, UserRow};
use crate::store::DbConnection;
use std::time::Instant;

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

/// Why `insert_account` added no account. As an error it rolls back the
/// transaction around it.
pub(super) enum NotCreated {
    /// The address has an account, or a concurrent sign-up took it.
    Taken,
    Failed(AppError),
}

impl From<diesel::result::Error> for NotCreated {
    fn from(e: diesel::result::Error) -> Self {
        NotCreated::Failed(e.into())
    }
}

impl From<AppError> for NotCreated {
    fn from(e: AppError) -> Self {
        NotCreated::Failed(e)
    }
}

impl From<NotCreated> for AppError {
    fn from(n: NotCreated) -> Self {
        match n {
            NotCreated::Taken => AppError::email_taken(),
            NotCreated::Failed(e) => e,
        }
    }
}

/// `hash` is computed by the caller before its transaction: Argon2 takes
/// tens of milliseconds, and SQLite's write lock should not wait on it.
pub(super) fn insert_account(
    conn: &mut DbConnection,
    acc: &NewAccount,
    hash: String,
) -> Result<UserRow, NotCreated> {
    let t = now();
    let row = UserRow {
        id: uuid::Uuid::new_v4().to_string(),
        email: acc.email.to_string(),
        password_hash: hash,
        display_name: acc.display_name.clone(),
        locale: acc.locale,
        role: acc.role,
        created_at: t,
        updated_at: t,
        email_verified_at: None,
        erased_at: None,
    };
    if users::by_email(conn, &row.email)?.is_some() {
        return Err(NotCreated::Taken);
    }
    match users::insert(conn, &row) {
        Ok(()) => {
            join_default_programme(conn, &row)?;
            Ok(row)
        }
        // A concurrent sign-up won; the failed statement has spoilt a
        // PostgreSQL transaction, which the error rolls back.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Err(NotCreated::Taken),
        Err(e) => Err(e.into()),
    }
}

/// Every account is a member of the default programme ("Alle leden / All
/// members"), as every account was a member of the one cohort before
/// programmes; an install that never makes another programme works as
/// before.
fn join_default_programme(conn: &mut DbConnection, user: &UserRow) -> Result<(), NotCreated> {
    use crate::store::programmes::{self, MemberRow, DEFAULT_PROGRAMME_ID};
    if programmes::get(conn, DEFAULT_PROGRAMME_ID)?.is_some() {
        programmes::add_members(
            conn,
            &[MemberRow {
                programme_id: DEFAULT_PROGRAMME_ID.into(),
                user_id: user.id.clone(),
                joined_at: user.created_at,
                via: "joined".into(),
            }],
        )?;
    }
    Ok(())
}

/// An account whose address is proven by other means than the verification
/// email (an accepted invitation: its link reached that inbox), in the
/// caller's transaction. `hash` is computed before the transaction.
pub fn insert_verified_account(
    conn: &mut DbConnection,
    acc: &NewAccount,
    hash: String,
) -> Result<UserRow, AppError> {
    let mut row = insert_account(conn, acc, hash)?;
    users::mark_verified(conn, &row.id, now())?;
    row.email_verified_at = Some(now());
    Ok(row)
}

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
    let created = write_tx(&mut conn, |conn| -> Result<(), NotCreated> {
        let user = insert_account(conn, &acc, hash)?;
        Ok(send_verification(state, conn, &user)?)
    });
    match created {
        Ok(()) => {}
        Err(NotCreated::Taken) => tell_owner_of_signup_attempt(state, &mut conn, &acc.email)?,
        Err(NotCreated::Failed(e)) => return Err(e),
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
        let locale = user.locale;
        let notice = AccountExists {
            name: &user.display_name,
            login_url: mc.app_page("/login"),
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
