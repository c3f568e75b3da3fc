//! Running the engine on a round, with its progress visible to anyone
//! polling, and the preview a coordinator reviews before publishing.

use super::cohort::Prepared;
use super::overrides::prepare_with_overrides as prepare;
use super::stats::{metrics, Metrics};
use super::view::{load_round_for, not_draft, view, RoundView};
use crate::auth::AuthUser;
use crate::domain::{Domain, RoundStatus};
use crate::error::AppError;
use crate::matching::outcome::RoundResult;
use crate::service::audit::{self, Action};
use crate::service::{now, AppState};
use crate::store::rounds::{self as store_rounds, RoundRow};
use std::collections::BTreeMap;

/// Records the phase a long preview or publish is in, in its own short
/// write, so `GET /rounds/{id}` shows it to anyone polling meanwhile.
/// Reporting is best effort: a failure to report never fails the round.
pub(super) fn report(state: &AppState, round_id: &str, phase: Option<&str>) {
    let progress = phase.map(|p| serde_json::json!({ "phase": p, "since": now() }).to_string());
    let result = state.conn().and_then(|mut c| {
        crate::store::db::write_tx(&mut c, |c| {
            store_rounds::set_progress(c, round_id, progress.as_deref())
        })
        .map_err(AppError::from)
    });
    if let Err(e) = result {
        tracing::warn!(round = round_id, error = %e, "could not record round progress");
    }
}

/// Runs the engine, reporting its two phases.
pub(super) fn solve(
    state: &AppState,
    round_id: &str,
    p: &Prepared,
) -> Result<RoundResult, AppError> {
    // The cohort's data, not the request, is at fault; tell the coordinator what.
    let refused = |e: crate::matching::InstanceError| {
        AppError::conflict(
            "round_unsolvable",
            format!("the cohort cannot be matched as it stands: {e}"),
        )
    };
    report(state, round_id, Some("building_candidate_graph"));
    let round = crate::matching::prepare(&p.instance).map_err(refused)?;
    report(state, round_id, Some("solving"));
    Ok(round.solve())
}

#[derive(Debug, serde::Serialize)]
pub struct Preview {
    pub round: RoundView,
    pub metrics: Metrics,
    pub result: RoundResult,
    /// Display names of everyone the result mentions.
    pub names: BTreeMap<String, String>,
    /// The domain of everyone the result mentions, so a front end can draw
    /// which domains the proposal brings together without a second request.
    pub domains: BTreeMap<String, Domain>,
}

pub(super) fn run_phases(
    state: &AppState,
    round: &RoundRow,
) -> Result<(Prepared, RoundResult), AppError> {
    report(state, &round.id, Some("loading_members"));
    let prepared = {
        let mut conn = state.conn()?;
        prepare(&mut conn, round)?
    };
    let result = solve(state, &round.id, &prepared)?;
    Ok((prepared, result))
}

pub fn preview(state: &AppState, actor: &AuthUser, round_id: &str) -> Result<Preview, AppError> {
    let mut conn = state.conn()?;
    let round = load_round_for(&mut conn, actor, round_id)?;
    drop(conn);
    // A published round's proposal is what was published: a fresh solve
    // on today's profiles would show matches that do not exist.
    if round.status != RoundStatus::Draft {
        return Err(not_draft(&round, "previewed"));
    }
    let timer = crate::metrics::RoundTimer::start("preview", round.kind.code());
    let outcome = run_phases(state, &round);
    report(state, round_id, None);
    let (prepared, result) = outcome?;
    // A preview shows members' names and profiles: a read worth logging.
    audit::record_read(
        state,
        actor,
        Action::RoundPreviewed,
        ("round", round_id),
        serde_json::json!({ "number": round.number, "eligible": prepared.people.len() }),
    )?;
    timer.succeeded();
    Ok(Preview {
        metrics: metrics(&prepared, &result),
        names: prepared
            .people
            .iter()
            .map(|(id, (name, _))| (id.clone(), name.clone()))
            .collect(),
        domains: prepared
            .people
            .iter()
            .map(|(id, (_, domain))| (id.clone(), *domain))
            .collect(),
        round: view(round)?,
        result,
    })
}
