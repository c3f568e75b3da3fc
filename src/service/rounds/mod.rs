//! Matching rounds: a coordinator creates one, previews the engine's
//! proposal on the current cohort, and publishes it, which stores the
//! matches and enqueues every email in one transaction.

mod cohort;
mod create;
pub mod overrides;
mod publish;
mod readiness;
mod run;
pub mod settings;
mod stats;
mod topup;
mod view;

pub use create::create;
pub use overrides::{Overrides, OverridesInput};
pub use publish::{publish, Published, DEFAULT_REPLY_DAYS};
pub use readiness::{readiness, Readiness};
pub use run::{preview, Preview};
pub use settings::{Cohort, MeetingWindow, NewRound, Settings};
pub use stats::{DomainCount, Metrics};
pub use topup::top_up;
use view::{load_round, load_round_for, view};
pub use view::{Progress, RoundView};

use crate::auth::AuthUser;
use crate::domain::{Answer, MatchRole, RoundStatus};
use crate::error::AppError;
use crate::mail::labels;
use crate::mail::notify::RoundCancelled;
use crate::service::audit::{self, Action};
use crate::service::reasons::{self, MatchReason};
use crate::service::{now, AppState};
use crate::store;
use crate::store::db::write_tx;
use crate::store::rounds as store_rounds;
use std::collections::HashMap;

/// Cancels a draft, or a published round: then its matches no longer
/// stand (nor count as history) and everyone in them is told by email.
pub fn cancel(state: &AppState, actor: &AuthUser, round_id: &str) -> Result<RoundView, AppError> {
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        let round = load_round_for(conn, actor, round_id)?;
        if round.status == RoundStatus::Cancelled {
            return Err(AppError::conflict(
                "round_cancelled",
                format!("round {} is already cancelled", round.number),
            ));
        }
        if !store_rounds::cancel_if(conn, round_id, round.status, now())? {
            return Err(AppError::conflict(
                "round_changed",
                format!(
                    "round {} changed while it was being cancelled; read it and retry",
                    round.number
                ),
            ));
        }
        audit::record(
            conn,
            actor,
            Action::RoundCancelled,
            ("round", round_id),
            serde_json::json!({ "number": round.number, "was": round.status }),
        )?;
        if round.status == RoundStatus::Published {
            let kind = round.kind;
            let ids: Vec<String> = store_rounds::matches_of_round(conn, round_id)?
                .into_iter()
                .flat_map(|(_, ms)| ms.into_iter().map(|m| m.user_id))
                .collect();
            let mc = state.mail_context();
            for p in store_rounds::people(conn, &ids)? {
                let locale = p.locale;
                let notice = RoundCancelled {
                    name: &p.name,
                    kind: labels::kind(kind, locale),
                    round: round.number,
                };
                let to = crate::service::mail::To {
                    user_id: &p.id,
                    email: &p.email,
                    locale,
                };
                crate::service::mail::enqueue(conn, &mc, to, &notice, &[])?;
            }
        }
        view(load_round(conn, round_id)?)
    })
}

#[derive(Debug, serde::Serialize)]
pub struct RoundDetail {
    pub round: RoundView,
    pub matches: Vec<StoredMatch>,
    pub ratings: RatingSummary,
}

/// Members' ratings of the round's matches, aggregated: coordinators see how
/// a round landed without seeing who said what.
#[derive(Debug, serde::Serialize)]
pub struct RatingSummary {
    pub count: usize,
    pub mean: Option<f64>,
    /// Number of ratings with 1, 2, 3, 4 and 5 stars.
    pub distribution: [usize; 5],
    pub comments: Vec<String>,
}

#[derive(Debug, serde::Serialize)]
pub struct StoredMatch {
    pub id: String,
    pub score: i64,
    pub reasons: Vec<MatchReason>,
    pub members: Vec<MatchMemberView>,
    /// Meetings recorded in the match: the most any one member recorded,
    /// so two people writing down the same meeting count it once (the
    /// learning network's rule for a pair).
    pub meetings: u32,
    pub hours: u32,
}

#[derive(Debug, serde::Serialize)]
pub struct MatchMemberView {
    /// Both `None` for an erased account: it stays in the statistics only.
    pub user_id: Option<String>,
    pub display_name: Option<String>,
    pub former_member: bool,
    pub role: MatchRole,
    pub response: Answer,
}

pub fn detail(state: &AppState, actor: &AuthUser, round_id: &str) -> Result<RoundDetail, AppError> {
    let mut conn = state.conn()?;
    let round = load_round_for(&mut conn, actor, round_id)?;
    let stored = store_rounds::matches_of_round(&mut conn, round_id)?;
    let ids: Vec<String> = stored
        .iter()
        .flat_map(|(_, ms)| ms.iter().map(|m| m.user_id.clone()))
        .collect();
    let names: HashMap<String, String> = store_rounds::people(&mut conn, &ids)?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let mut recorded: HashMap<(String, String), (u32, u32)> = HashMap::new();
    for (match_id, user_id, hours) in store::evidence::meetings_of_round(&mut conn, round_id)? {
        let e = recorded.entry((match_id, user_id)).or_default();
        e.0 += 1;
        e.1 += u32::try_from(hours).unwrap_or(0);
    }
    let mut per_match: HashMap<String, (u32, u32)> = HashMap::new();
    for ((match_id, _), (n, h)) in recorded {
        let e = per_match.entry(match_id).or_default();
        *e = (e.0.max(n), e.1.max(h));
    }
    let of_match = |id: &str| per_match.get(id).copied().unwrap_or_default();
    let one = |(m, ms): (store_rounds::MatchRow, Vec<store_rounds::MatchMemberRow>)| {
        let (meetings, hours) = of_match(&m.id);
        Ok::<_, AppError>(StoredMatch {
            meetings,
            hours,
            reasons: reasons::visible(reasons::parse(&m.id, &m.explanation)?, None, |id| {
                names.contains_key(id)
            }),
            id: m.id,
            score: m.score,
            members: ms
                .into_iter()
                .map(|x| MatchMemberView {
                    display_name: names.get(&x.user_id).cloned(),
                    former_member: !names.contains_key(&x.user_id),
                    user_id: names.contains_key(&x.user_id).then_some(x.user_id),
                    role: x.role,
                    response: x.response,
                })
                .collect(),
        })
    };
    let matches = stored.into_iter().map(one).collect::<Result<_, _>>()?;
    let rated = store::evidence::ratings_of_round(&mut conn, round_id)?;
    let mut distribution = [0usize; 5];
    for (stars, _) in &rated {
        if let Some(slot) = usize::try_from(*stars - 1)
            .ok()
            .and_then(|i| distribution.get_mut(i))
        {
            *slot += 1;
        }
    }
    let ratings = RatingSummary {
        count: rated.len(),
        mean: (!rated.is_empty())
            .then(|| rated.iter().map(|(s, _)| f64::from(*s)).sum::<f64>() / rated.len() as f64),
        distribution,
        comments: rated
            .into_iter()
            .map(|(_, c)| c)
            .filter(|c| !c.is_empty())
            .collect(),
    };
    drop(conn);
    audit::record_read(
        state,
        actor,
        Action::RoundViewed,
        ("round", round_id),
        serde_json::json!({ "number": round.number }),
    )?;
    Ok(RoundDetail {
        round: view(round)?,
        matches,
        ratings,
    })
}

/// The rounds the caller may see, newest first; with `programme`, only that
/// programme's (none when the caller does not coordinate it).
pub fn list(
    state: &AppState,
    actor: &AuthUser,
    programme: Option<&str>,
    page: u32,
    per_page: u32,
) -> Result<crate::service::paging::Page<RoundView>, AppError> {
    let offset = crate::service::paging::offset(page, per_page)?;
    let mut conn = state.conn()?;
    let scope = crate::service::programmes::scope(&mut conn, actor)?;
    let within: Option<Vec<String>> = match (programme, scope.ids()) {
        // A NUL can name no programme, and PostgreSQL refuses it in a query.
        (Some(p), _) if p.contains('\0') => Some(vec![]),
        (Some(p), None) => Some(vec![p.to_string()]),
        (Some(p), Some(ids)) => Some(ids.iter().filter(|i| *i == p).cloned().collect()),
        (None, ids) => ids.map(<[String]>::to_vec),
    };
    let (rows, total) =
        store_rounds::list(&mut conn, within.as_deref(), offset, i64::from(per_page))?;
    Ok(crate::service::paging::Page {
        items: rows.into_iter().map(view).collect::<Result<_, _>>()?,
        page,
        per_page,
        total,
    })
}
