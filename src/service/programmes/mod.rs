//! Programmes: the association's, a region's or an employer's. Each has
//! coordinators (an admin assigns them) and members (who join an open
//! programme themselves, or accept an invitation); each round belongs to
//! one, and its cohort is drawn from the programme's members.

pub mod access;
pub mod invitations;

pub use crate::store::programmes::DEFAULT_PROGRAMME_ID;
pub use access::{coordinated, scope, Scope};

use super::audit::{self, Action};
use super::paging::{self, Page};
use super::{now, AppState};
use crate::auth::AuthUser;
use crate::domain::{free_text, single_line, FieldProblem, Role};
use crate::error::AppError;
use crate::store::db::write_tx;
use crate::store::programmes::{self as store, MemberRow, ProgrammeRow, Visible};
use crate::store::{users, DbConnection};

pub const MAX_NAME: usize = 100;
pub const MAX_DESCRIPTION: usize = 2_000;

/// How a member came into a programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// Was a member before programmes existed (the default programme).
    Migration,
    /// Joined an open programme, or the default one by signing up.
    Joined,
    /// Accepted an invitation.
    Invited,
    /// Put in by the demo or an operator.
    Added,
}

impl Via {
    pub fn code(self) -> &'static str {
        match self {
            Via::Migration => "migration",
            Via::Joined => "joined",
            Via::Invited => "invited",
            Via::Added => "added",
        }
    }

    fn parse(code: &str) -> Result<Via, AppError> {
        [Via::Migration, Via::Joined, Via::Invited, Via::Added]
            .into_iter()
            .find(|v| v.code() == code)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("stored membership via {code:?}")))
    }
}

#[derive(Debug, serde::Serialize)]
pub struct CoordinatorView {
    pub id: String,
    pub display_name: String,
}

#[derive(Debug, serde::Serialize)]
pub struct MembershipView {
    #[serde(serialize_with = "crate::domain::time::iso8601")]
    pub joined_at: i64,
    pub via: Via,
}

/// A programme as its caller may see it: coordinators and admins see who
/// coordinates it and how many members it has; a member sees their own
/// membership.
#[derive(Debug, serde::Serialize)]
pub struct ProgrammeView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub open: bool,
    #[serde(serialize_with = "crate::domain::time::iso8601")]
    pub created_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coordinators: Option<Vec<CoordinatorView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub membership: Option<MembershipView>,
}

fn view_of(
    conn: &mut DbConnection,
    p: ProgrammeRow,
    full: bool,
    membership: Option<MemberRow>,
) -> Result<ProgrammeView, AppError> {
    let (coordinators, member_count) = if full {
        let cs = store::coordinators(conn, &p.id)?
            .into_iter()
            .map(|(id, display_name)| CoordinatorView { id, display_name })
            .collect();
        (Some(cs), Some(store::member_count(conn, &p.id)?))
    } else {
        (None, None)
    };
    Ok(ProgrammeView {
        coordinators,
        member_count,
        membership: membership
            .map(|m| {
                Ok::<_, AppError>(MembershipView {
                    joined_at: m.joined_at,
                    via: Via::parse(&m.via)?,
                })
            })
            .transpose()?,
        id: p.id,
        name: p.name,
        description: p.description,
        open: p.open,
        created_at: p.created_at,
    })
}

fn membership_of(
    conn: &mut DbConnection,
    programme_id: &str,
    user_id: &str,
) -> Result<Option<MemberRow>, AppError> {
    Ok(store::of_member(conn, user_id)?
        .into_iter()
        .find(|(p, _)| p.id == programme_id)
        .map(|(_, m)| m))
}

/// What a caller may see of one programme, or "not found".
fn visible_view(
    conn: &mut DbConnection,
    actor: &AuthUser,
    p: ProgrammeRow,
) -> Result<ProgrammeView, AppError> {
    let coordinates = actor.role == Role::Admin || store::is_coordinator(conn, &p.id, &actor.id)?;
    let membership = membership_of(conn, &p.id, &actor.id)?;
    if !coordinates && !p.open && membership.is_none() {
        return Err(access::programme_not_found(&p.id));
    }
    view_of(conn, p, coordinates, membership)
}

pub struct NewProgramme {
    pub name: String,
    pub description: Option<String>,
    pub open: Option<bool>,
}

pub struct ProgrammeChange {
    pub name: Option<String>,
    pub description: Option<String>,
    pub open: Option<bool>,
}

fn check_name(raw: &str) -> Result<String, FieldProblem> {
    single_line("name", raw, 1, MAX_NAME)
}

fn check_description(raw: &str) -> Result<String, FieldProblem> {
    free_text("description", raw, MAX_DESCRIPTION)
}

fn name_taken(name: &str) -> AppError {
    AppError::conflict(
        "programme_name_taken",
        format!("a programme named {name:?} exists"),
    )
}

fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

pub fn create(
    state: &AppState,
    actor: &AuthUser,
    new: NewProgramme,
) -> Result<ProgrammeView, AppError> {
    let name = check_name(&new.name);
    let description = check_description(new.description.as_deref().unwrap_or(""));
    let (name, description) = match (name, description) {
        (Ok(n), Ok(d)) => (n, d),
        (n, d) => {
            return Err(AppError::validation(
                [n.err(), d.err()].into_iter().flatten().collect(),
            ))
        }
    };
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        let t = now();
        let row = ProgrammeRow {
            id: uuid::Uuid::new_v4().to_string(),
            name: name.clone(),
            description,
            open: new.open.unwrap_or(false),
            created_at: t,
            updated_at: t,
        };
        match store::insert(conn, &row) {
            Ok(()) => {}
            Err(e) if is_unique_violation(&e) => return Err(name_taken(&name)),
            Err(e) => return Err(e.into()),
        }
        audit::record(
            conn,
            actor,
            Action::ProgrammeCreated,
            ("programme", &row.id),
            serde_json::json!({ "name": row.name, "open": row.open }),
        )?;
        view_of(conn, row, true, None)
    })
}

pub fn update(
    state: &AppState,
    actor: &AuthUser,
    id: &str,
    change: ProgrammeChange,
) -> Result<ProgrammeView, AppError> {
    let name = change.name.as_deref().map(check_name).transpose();
    let description = change
        .description
        .as_deref()
        .map(check_description)
        .transpose();
    let (name, description) = match (name, description) {
        (Ok(n), Ok(d)) => (n, d),
        (n, d) => {
            return Err(AppError::validation(
                [n.err(), d.err()].into_iter().flatten().collect(),
            ))
        }
    };
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        let mut row = coordinated(conn, actor, id)?;
        if let Some(n) = &name {
            row.name = n.clone();
        }
        if let Some(d) = description {
            row.description = d;
        }
        if let Some(o) = change.open {
            row.open = o;
        }
        row.updated_at = now();
        match store::update(conn, &row) {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Err(name_taken(&row.name)),
            Err(e) => return Err(e.into()),
        }
        audit::record(
            conn,
            actor,
            Action::ProgrammeUpdated,
            ("programme", id),
            serde_json::json!({ "name": row.name, "open": row.open }),
        )?;
        view_of(conn, row, true, None)
    })
}

pub fn get(state: &AppState, actor: &AuthUser, id: &str) -> Result<ProgrammeView, AppError> {
    let mut conn = state.conn()?;
    let p = access::load(&mut conn, id)?;
    visible_view(&mut conn, actor, p)
}

/// Admins list all programmes, coordinators the ones they coordinate,
/// members the open ones and their own.
pub fn list(
    state: &AppState,
    actor: &AuthUser,
    page: u32,
    per_page: u32,
) -> Result<Page<ProgrammeView>, AppError> {
    let offset = paging::offset(page, per_page)?;
    let mut conn = state.conn()?;
    let visible = match actor.role {
        Role::Admin => Visible::All,
        Role::Coordinator => Visible::CoordinatedBy(&actor.id),
        Role::Member => Visible::OpenOrMemberOf(&actor.id),
    };
    let (rows, total) = store::list(&mut conn, visible, offset, i64::from(per_page))?;
    let items = rows
        .into_iter()
        .map(|p| {
            let full = actor.role != Role::Member;
            let m = membership_of(&mut conn, &p.id, &actor.id)?;
            view_of(&mut conn, p, full, m)
        })
        .collect::<Result<_, _>>()?;
    Ok(Page {
        items,
        page,
        per_page,
        total,
    })
}

/// The programmes the caller is a member of.
pub fn mine(state: &AppState, actor: &AuthUser) -> Result<Vec<ProgrammeView>, AppError> {
    of_member(state, &actor.id)
}

/// The programmes `user_id` is a member of, with the membership (also for
/// the member's data export).
pub fn of_member(state: &AppState, user_id: &str) -> Result<Vec<ProgrammeView>, AppError> {
    let mut conn = state.conn()?;
    store::of_member(&mut conn, user_id)?
        .into_iter()
        .map(|(p, m)| view_of(&mut conn, p, false, Some(m)))
        .collect()
}

pub fn assign_coordinator(
    state: &AppState,
    actor: &AuthUser,
    id: &str,
    user_id: &str,
) -> Result<ProgrammeView, AppError> {
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        let p = access::load(conn, id)?;
        let user = users::by_id(conn, user_id)?
            .filter(|u| u.erased_at.is_none())
            .ok_or_else(|| {
                AppError::not_found("user_not_found", format!("no user with id {user_id}"))
            })?;
        if user.role != Role::Coordinator {
            return Err(AppError::conflict(
                "not_a_coordinator",
                format!(
                    "user {user_id} has the role {}; give them the coordinator role first \
                     (PUT /api/v1/admin/users/{user_id}/role)",
                    user.role
                ),
            ));
        }
        if store::add_coordinator(conn, id, user_id, now())? {
            audit::record(
                conn,
                actor,
                Action::CoordinatorAssigned,
                ("programme", id),
                serde_json::json!({ "user_id": user_id }),
            )?;
        }
        view_of(conn, p, true, None)
    })
}

pub fn remove_coordinator(
    state: &AppState,
    actor: &AuthUser,
    id: &str,
    user_id: &str,
) -> Result<(), AppError> {
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        access::load(conn, id)?;
        if store::remove_coordinator(conn, id, user_id)? > 0 {
            audit::record(
                conn,
                actor,
                Action::CoordinatorRemoved,
                ("programme", id),
                serde_json::json!({ "user_id": user_id }),
            )?;
        }
        Ok(())
    })
}

/// Joins an open programme (again: no change). A closed one takes an
/// invitation.
pub fn join(state: &AppState, actor: &AuthUser, id: &str) -> Result<ProgrammeView, AppError> {
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        let p = access::load(conn, id)?;
        if let Some(m) = membership_of(conn, id, &actor.id)? {
            return view_of(conn, p, false, Some(m));
        }
        if !p.open {
            return Err(AppError::forbidden_because(
                "programme_closed",
                format!(
                    "programme {:?} is closed: members join it by invitation from its \
                     coordinators",
                    p.name
                ),
            ));
        }
        let m = MemberRow {
            programme_id: id.to_string(),
            user_id: actor.id.clone(),
            joined_at: now(),
            via: Via::Joined.code().into(),
        };
        store::add_members(conn, std::slice::from_ref(&m))?;
        view_of(conn, p, false, Some(m))
    })
}

pub fn leave(state: &AppState, actor: &AuthUser, id: &str) -> Result<(), AppError> {
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        access::load(conn, id)?;
        if store::remove_member(conn, id, &actor.id)? == 0 {
            return Err(AppError::not_found(
                "membership_not_found",
                format!("you are not a member of programme {id}"),
            ));
        }
        Ok(())
    })
}

/// Fails unless `actor` coordinates the programme (or is an admin): for
/// checks before a large upload is read.
pub fn check_coordinates(state: &AppState, actor: &AuthUser, id: &str) -> Result<(), AppError> {
    let mut conn = state.conn()?;
    coordinated(&mut conn, actor, id).map(|_| ())
}

/// The programme's audit entries: actions on it and on its rounds.
pub fn audit_log(
    state: &AppState,
    actor: &AuthUser,
    id: &str,
    mut q: audit::AuditQuery,
) -> Result<Page<audit::AuditEntry>, AppError> {
    let mut conn = state.conn()?;
    coordinated(&mut conn, actor, id)?;
    drop(conn);
    q.programme_id = Some(id.to_string());
    audit::list(state, actor, q)
}

/// Puts members into a programme (the demo, tests): those already in stay
/// as they were. Returns how many were added.
pub fn add_members(
    conn: &mut DbConnection,
    id: &str,
    user_ids: &[String],
    via: Via,
) -> Result<usize, AppError> {
    let present: std::collections::HashSet<String> =
        store::member_ids(conn, id)?.into_iter().collect();
    let t = now();
    let rows: Vec<MemberRow> = user_ids
        .iter()
        .filter(|u| !present.contains(*u))
        .map(|u| MemberRow {
            programme_id: id.to_string(),
            user_id: u.clone(),
            joined_at: t,
            via: via.code().into(),
        })
        .collect();
    Ok(store::add_members(conn, &rows)?)
}
