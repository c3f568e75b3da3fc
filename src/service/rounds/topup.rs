//! Top-up after declines: a new draft of the same form whose cohort is the
//! members a published round left without a match that stands, so they need
//! not wait a whole cycle. Declined pairs are never matched again (history),
//! so the draft cannot propose them anew.

use super::settings::{Cohort, MeetingWindow, NewRound, Settings};
use super::view::{load_round_for, RoundView};
use crate::auth::AuthUser;
use crate::domain::{Answer, MatchKind, RoundStatus};
use crate::error::AppError;
use crate::service::audit::{self, Action};
use crate::service::AppState;
use crate::store;
use crate::store::rounds as store_rounds;
use std::collections::BTreeSet;

/// A group still meets while this many have accepted or may yet.
const GROUP_STANDS_WITH: usize = 3;

pub fn top_up(state: &AppState, actor: &AuthUser, round_id: &str) -> Result<RoundView, AppError> {
    let mut conn = state.conn()?;
    let source = load_round_for(&mut conn, actor, round_id)?;
    if source.status != RoundStatus::Published {
        return Err(AppError::conflict(
            "round_not_published",
            format!(
                "round {} is {}; only a published round can be topped up",
                source.number, source.status
            ),
        ));
    }
    let mut left: BTreeSet<String> = store::cohort::unmatched_of_round(&mut conn, round_id)?
        .into_iter()
        .collect();
    let mut standing: BTreeSet<String> = BTreeSet::new();
    for (_, members) in store_rounds::matches_of_round(&mut conn, round_id)? {
        let open = |a: Answer| matches!(a, Answer::Accepted | Answer::Pending);
        let alive = if source.kind == MatchKind::Intervision {
            members.iter().filter(|m| open(m.response)).count() >= GROUP_STANDS_WITH
        } else {
            members.iter().all(|m| open(m.response))
        };
        for m in members {
            if alive && open(m.response) {
                standing.insert(m.user_id);
            } else {
                left.insert(m.user_id);
            }
        }
    }
    drop(conn);
    // A host with one visit standing keeps hosting; other rounds' hours are
    // counted when the draft is matched anyway.
    let members: Vec<String> = left.difference(&standing).cloned().collect();
    if members.is_empty() {
        return Err(AppError::conflict(
            "round_empty",
            format!(
                "everyone in round {} has a match that stands or may yet; nobody to top up",
                source.number
            ),
        ));
    }
    let bad = |e: serde_json::Error| {
        AppError::Internal(anyhow::anyhow!("stored round {}: {e}", source.id))
    };
    let cohort: Cohort = serde_json::from_str(&source.cohort).map_err(bad)?;
    let settings: Settings = serde_json::from_str(&source.params).map_err(bad)?;
    let meeting_window: MeetingWindow =
        serde_json::from_str(&source.meeting_window).map_err(bad)?;
    let count = members.len();
    let new = NewRound {
        programme_id: source.programme_id.clone(),
        kind: source.kind,
        cohort: Cohort { members, ..cohort },
        settings,
        note: source.note.clone(),
        meeting_window,
    };
    let round = super::create::create(state, actor, new)?;
    audit::record_read(
        state,
        actor,
        Action::RoundToppedUp,
        ("round", round_id),
        serde_json::json!({
            "number": source.number,
            "top_up": round.id,
            "top_up_number": round.number,
            "members": count,
        }),
    )?;
    Ok(round)
}
