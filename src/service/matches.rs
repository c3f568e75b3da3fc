//! A member's own matches: who, why, and their answer. Contact details are
//! shown only to the people in the match.

use super::{now, AppState};
use crate::error::AppError;
use crate::store::db::write_tx;
use crate::store::rounds as store_rounds;
use std::collections::HashMap;

#[derive(Debug, serde::Serialize)]
pub struct MyMatch {
    pub id: String,
    pub round: RoundRef,
    pub kind: String,
    pub role: String,
    pub response: String,
    pub score: i64,
    pub reasons: serde_json::Value,
    pub counterparts: Vec<Counterpart>,
}

#[derive(Debug, serde::Serialize)]
pub struct RoundRef {
    pub id: String,
    pub number: i32,
    pub note: String,
}

#[derive(Debug, serde::Serialize)]
pub struct Counterpart {
    pub user_id: String,
    pub display_name: String,
    pub email: String,
    pub role: String,
    pub response: String,
    pub domain: Option<crate::domain::Domain>,
    pub profession: Option<crate::domain::Profession>,
    pub province: Option<crate::domain::Province>,
}

pub fn mine(state: &AppState, user_id: &str) -> Result<Vec<MyMatch>, AppError> {
    let mut conn = state.conn()?;
    let rows = store_rounds::matches_of_user(&mut conn, user_id)?;
    let ids: Vec<String> = rows
        .iter()
        .flat_map(|(_, _, ms)| ms.iter().map(|m| m.user_id.clone()))
        .collect();
    let contacts: HashMap<String, (String, String)> = store_rounds::people(&mut conn, &ids)?
        .into_iter()
        .map(|(id, n, e, _)| (id, (n, e)))
        .collect();
    let profiles = crate::store::profiles::load_many(&mut conn, &ids)?;
    Ok(rows
        .into_iter()
        .filter_map(|(round, m, people)| {
            let me = people.iter().find(|p| p.user_id == user_id)?.clone();
            let counterparts = people
                .iter()
                .filter(|p| p.user_id != user_id && (me.role != "visitor" || p.role == "host"))
                .map(|p| {
                    let (name, email) = contacts.get(&p.user_id).cloned().unwrap_or_default();
                    let prof = profiles.get(&p.user_id);
                    Counterpart {
                        user_id: p.user_id.clone(),
                        display_name: name,
                        email,
                        role: p.role.clone(),
                        response: p.response.clone(),
                        domain: prof.map(|x| x.domain),
                        profession: prof.map(|x| x.profession),
                        province: prof.map(|x| x.province),
                    }
                })
                .collect();
            Some(MyMatch {
                id: m.id,
                round: RoundRef {
                    id: round.id,
                    number: round.number,
                    note: round.note,
                },
                kind: m.kind,
                role: me.role,
                response: me.response,
                score: m.score,
                reasons: serde_json::from_str(&m.explanation).unwrap_or(serde_json::Value::Null),
                counterparts,
            })
        })
        .collect())
}

/// Accept or decline. An answer is final: a declined pair is never proposed
/// again (the engine reads declines as blocked pairs).
pub fn respond(
    state: &AppState,
    user_id: &str,
    match_id: &str,
    accept: bool,
    reason: Option<String>,
) -> Result<MyMatch, AppError> {
    let reason = match reason {
        Some(r) => Some(
            crate::domain::free_text("reason", &r, 500)
                .map_err(|p| AppError::validation(vec![p]))?,
        ),
        None => None,
    };
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        let response = if accept { "accepted" } else { "declined" };
        match store_rounds::set_response(
            conn,
            match_id,
            user_id,
            response,
            reason.as_deref(),
            now(),
        )? {
            store_rounds::ResponseOutcome::Recorded => Ok(()),
            store_rounds::ResponseOutcome::NotInMatch => Err(AppError::not_found(
                "match_not_found",
                format!("you have no match with id {match_id}"),
            )),
            store_rounds::ResponseOutcome::AlreadyAnswered(prev) => Err(AppError::conflict(
                "already_answered",
                format!("you already {prev} this match"),
            )),
        }
    })?;
    drop(conn);
    mine(state, user_id)?
        .into_iter()
        .find(|m| m.id == match_id)
        .ok_or_else(|| {
            AppError::not_found(
                "match_not_found",
                format!("you have no match with id {match_id}"),
            )
        })
}
