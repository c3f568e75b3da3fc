//! Learning profiles: a member's own, and the coordinator's view of all.

use super::paging::{offset, Page};
use super::sharing::{contact_row, Sharing};
use super::{now, AppState};
use crate::domain::{
    Domain, LearningForm, LearningProfile, Profession, ProfileDraft, Province, Role,
};
use crate::error::AppError;
use crate::store::db::write_tx;
use crate::store::profiles::{self, MemberFilter};
use crate::store::topics::{self, TopicRow};
use crate::store::DbConnection;
use std::collections::HashSet;

fn no_profile() -> AppError {
    AppError::not_found(
        "profile_not_found",
        "you have no learning profile yet; create it with PUT /api/v1/me/profile",
    )
}

pub fn get(state: &AppState, user_id: &str) -> Result<LearningProfile, AppError> {
    let mut conn = state.conn()?;
    profiles::load(&mut conn, user_id)?.ok_or_else(no_profile)
}

fn validate(conn: &mut DbConnection, draft: ProfileDraft) -> Result<LearningProfile, AppError> {
    let known: HashSet<String> = topics::all(conn)?.into_iter().map(|t| t.slug).collect();
    draft
        .validate(&|t| known.contains(t))
        .map_err(AppError::validation)
}

/// PUT: the draft is the whole profile; missing optional fields take defaults.
/// Privacy by default: nothing is shared with matches until the member
/// chose, and the choice is asked with the first save of a profile.
pub fn replace(
    state: &AppState,
    user_id: &str,
    draft: ProfileDraft,
    sharing: Option<Sharing>,
) -> Result<LearningProfile, AppError> {
    let sharing = sharing.map(|s| contact_row(user_id, s)).transpose()?;
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        profiles::lock_owner(conn, user_id)?;
        let profile = validate(conn, draft)?;
        match &sharing {
            Some(row) => crate::store::privacy::save_contact(conn, row)?,
            None if crate::store::privacy::contact(conn, user_id)?.is_none() => {
                return Err(AppError::invalid_field(
                    "sharing",
                    "choose what your matches may see (share_email, share_phone, share_province): nothing is shared until you choose",
                ))
            }
            None => {}
        }
        profiles::save(conn, user_id, &profile, now())?;
        Ok(profile)
    })
}

/// PATCH: fields in the draft replace the stored ones; the rest stay.
pub fn update(
    state: &AppState,
    user_id: &str,
    draft: ProfileDraft,
    sharing: Option<Sharing>,
) -> Result<LearningProfile, AppError> {
    let sharing = sharing.map(|s| contact_row(user_id, s)).transpose()?;
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        profiles::lock_owner(conn, user_id)?;
        let current = profiles::load(conn, user_id)?.ok_or_else(no_profile)?;
        let profile = validate(conn, draft.over(&current))?;
        if let Some(row) = &sharing {
            crate::store::privacy::save_contact(conn, row)?;
        }
        profiles::save(conn, user_id, &profile, now())?;
        Ok(profile)
    })
}

pub fn all_topics(state: &AppState) -> Result<Vec<TopicRow>, AppError> {
    Ok(topics::all(&mut *state.conn()?)?)
}

#[derive(Debug, Clone, Default)]
pub struct MemberQuery {
    pub domain: Option<Domain>,
    pub province: Option<Province>,
    pub profession: Option<Profession>,
    pub form: Option<LearningForm>,
    pub paused: Option<bool>,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, serde::Serialize)]
pub struct MemberSummary {
    pub id: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub profile: LearningProfile,
}

/// Members with a profile: a coordinator's programmes' members, or (an
/// admin asking) everyone's.
pub fn list_members(
    state: &AppState,
    actor: &crate::auth::AuthUser,
    q: MemberQuery,
) -> Result<Page<MemberSummary>, AppError> {
    let mut conn = state.conn()?;
    let scope = super::programmes::scope(&mut conn, actor)?;
    drop(conn);
    list_scoped(state, actor, q, scope.ids().map(<[String]>::to_vec), None)
}

/// The members of one programme, for its coordinators and admins.
pub fn list_programme_members(
    state: &AppState,
    actor: &crate::auth::AuthUser,
    programme_id: &str,
    q: MemberQuery,
) -> Result<Page<MemberSummary>, AppError> {
    let mut conn = state.conn()?;
    super::programmes::coordinated(&mut conn, actor, programme_id)?;
    drop(conn);
    list_scoped(
        state,
        actor,
        q,
        Some(vec![programme_id.to_string()]),
        Some(programme_id),
    )
}

fn list_scoped(
    state: &AppState,
    actor: &crate::auth::AuthUser,
    q: MemberQuery,
    programmes: Option<Vec<String>>,
    programme: Option<&str>,
) -> Result<Page<MemberSummary>, AppError> {
    let offset = offset(q.page, q.per_page)?;
    let filter = MemberFilter {
        domain: q.domain,
        province: q.province,
        profession: q.profession,
        form: q.form,
        paused: q.paused,
        programmes,
    };
    let mut conn = state.conn()?;
    let (rows, total) = profiles::list(&mut conn, &filter, offset, i64::from(q.per_page))?;
    drop(conn);
    let (action, target) = match programme {
        Some(p) => (
            super::audit::Action::ProgrammeMembersListed,
            ("programme", p),
        ),
        None => (super::audit::Action::MembersListed, ("members", "-")),
    };
    super::audit::record_read(
        state,
        actor,
        action,
        target,
        serde_json::json!({
            "filter": {
                "domain": filter.domain, "province": filter.province,
                "profession": filter.profession, "form": filter.form, "paused": filter.paused,
            },
            "page": q.page,
            "shown": rows.len(),
        }),
    )?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(|(u, profile)| MemberSummary {
                id: u.id,
                display_name: u.display_name,
                email: u.email,
                role: u.role,
                profile,
            })
            .collect(),
        page: q.page,
        per_page: q.per_page,
        total,
    })
}
