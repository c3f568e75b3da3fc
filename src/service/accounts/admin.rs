//! Administration: roles, and the `admin create` command.

use super::signup::{insert_account, NewAccount};
use super::user::UserView;
use crate::auth::{password, AuthUser};
use crate::domain::Role;
use crate::error::AppError;
use crate::service::audit::{self, Action};
use crate::service::{now, AppState};
use crate::store::db::write_tx;
use crate::store::users;
use crate::store::{self, DbConnection};

pub fn set_role(
    state: &AppState,
    actor: &AuthUser,
    user_id: &str,
    role: Role,
) -> Result<UserView, AppError> {
    if actor.id == user_id && role != Role::Admin {
        return Err(AppError::conflict(
            "own_role",
            "admins cannot demote themselves; ask another admin",
        ));
    }
    let not_found = || AppError::not_found("user_not_found", format!("no user with id {user_id}"));
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        let t = now();
        let before = users::by_id(conn, user_id)?
            .filter(|u| u.erased_at.is_none())
            .ok_or_else(not_found)?;
        users::set_role(conn, user_id, role, t)?;
        audit::record(
            conn,
            actor,
            Action::RoleChanged,
            ("user", user_id),
            serde_json::json!({ "from": before.role, "to": role }),
        )?;
        // Requests already act with the new role; ending the logins makes
        // the person log in again and see it. Setting the role they already
        // have changes nothing, so it logs nobody out.
        if before.role != role {
            store::sessions::end_all_for_user(conn, user_id, t)?;
        }
        // Coordinating a programme takes the role: taken away, the
        // assignments go too (given again, an admin assigns anew).
        if role != Role::Coordinator {
            store::programmes::remove_all_coordination(conn, user_id)?;
        }
        Ok(users::by_id(conn, user_id)?.ok_or_else(not_found)?.into())
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
                if existing.role != acc.role {
                    // As through the API: a new role means logging in anew.
                    users::set_role(conn, &existing.id, acc.role, now())?;
                    store::sessions::end_all_for_user(conn, &existing.id, now())?;
                }
                coordinate_default(conn, &existing.id, acc.role)?;
                let row = users::by_id(conn, &existing.id)?
                    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("user vanished")))?;
                Ok((row.into(), false))
            }
            None => {
                let mut row = insert_account(conn, &acc, hash)?;
                // The operator vouches for the address; an unverified
                // account would be purged after a while.
                users::mark_verified(conn, &row.id, now())?;
                row.email_verified_at = Some(now());
                coordinate_default(conn, &row.id, acc.role)?;
                Ok((row.into(), true))
            }
        }
    })
}

/// A coordinator made by `admin create` coordinates the default programme,
/// as every coordinator did before programmes; one made through the API
/// coordinates what an admin assigns.
fn coordinate_default(conn: &mut DbConnection, user_id: &str, role: Role) -> Result<(), AppError> {
    use crate::store::programmes::{self, DEFAULT_PROGRAMME_ID};
    if role == Role::Coordinator && programmes::get(conn, DEFAULT_PROGRAMME_ID)?.is_some() {
        programmes::add_coordinator(conn, DEFAULT_PROGRAMME_ID, user_id, now())?;
    }
    Ok(())
}
