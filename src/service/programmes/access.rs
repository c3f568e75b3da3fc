//! Who may see and act on which programme. A coordinator acts on the
//! programmes they coordinate; an admin on all. Anything outside a
//! coordinator's programmes answers as if it did not exist (404), so a
//! programme's rounds and members never show, not even their ids.

use crate::auth::AuthUser;
use crate::domain::Role;
use crate::error::AppError;
use crate::store::programmes::{self as store, ProgrammeRow};
use crate::store::DbConnection;

/// The programmes a caller's coordinator work reaches.
#[derive(Debug, Clone)]
pub enum Scope {
    All,
    Programmes(Vec<String>),
}

impl Scope {
    /// For store queries: `None` means every programme.
    pub fn ids(&self) -> Option<&[String]> {
        match self {
            Scope::All => None,
            Scope::Programmes(ids) => Some(ids),
        }
    }

    pub fn contains(&self, programme_id: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Programmes(ids) => ids.iter().any(|p| p == programme_id),
        }
    }
}

pub fn scope(conn: &mut DbConnection, actor: &AuthUser) -> Result<Scope, AppError> {
    Ok(match actor.role {
        Role::Admin => Scope::All,
        _ => Scope::Programmes(store::coordinated_by(conn, &actor.id)?),
    })
}

pub fn programme_not_found(id: &str) -> AppError {
    AppError::not_found("programme_not_found", format!("no programme with id {id}"))
}

/// The programme, if it exists at all.
pub fn load(conn: &mut DbConnection, id: &str) -> Result<ProgrammeRow, AppError> {
    // No id holds a NUL, and PostgreSQL refuses one in any text it is sent.
    if id.contains('\0') {
        return Err(programme_not_found(id));
    }
    store::get(conn, id)?.ok_or_else(|| programme_not_found(id))
}

/// The programme if `actor` coordinates it (or is an admin); otherwise
/// "not found", the same answer as for a programme that does not exist.
pub fn coordinated(
    conn: &mut DbConnection,
    actor: &AuthUser,
    id: &str,
) -> Result<ProgrammeRow, AppError> {
    let p = load(conn, id)?;
    if actor.role == Role::Admin || store::is_coordinator(conn, id, &actor.id)? {
        Ok(p)
    } else {
        Err(programme_not_found(id))
    }
}
