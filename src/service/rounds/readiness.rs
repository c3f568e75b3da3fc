//! Readiness of a draft: who takes part and who does not and why, supply
//! against demand, and what the engine can match at most, before anyone
//! runs a preview. Built from the same cohort and candidate graph as the
//! preview, so the counts agree with the one that follows.

use super::overrides::prepare_with_overrides as prepare;
use super::view::{load_round_for, not_draft, view, RoundView};
use crate::auth::AuthUser;
use crate::domain::{LearningForm, MatchKind, RoundStatus};
use crate::error::AppError;
use crate::matching::readiness::{self, Readiness as EngineReadiness};
use crate::service::AppState;
use crate::store;
use std::collections::{BTreeMap, HashSet};

#[derive(Debug, serde::Serialize)]
pub struct Readiness {
    pub round: RoundView,
    /// Members who take part: the preview's `metrics.eligible`.
    pub taking_part: usize,
    /// Members who do not, counted by reason: `no_profile`, `unverified`,
    /// `outside_cohort`, `form_not_asked`, `paused`, `insufficient_hours`,
    /// `hours_committed`, `no_host_capacity`.
    pub not_taking_part: BTreeMap<&'static str, usize>,
    /// Everyone counted in `not_taking_part` except `form_not_asked` (they
    /// did not ask for this form), with the reason.
    pub left_out: Vec<LeftOut>,
    pub engine: EngineReadiness,
    /// `engine.at_most_matched` as a share of those taking part.
    pub matched_share_at_most: f64,
    pub warnings: Vec<Warning>,
}

#[derive(Debug, serde::Serialize)]
pub struct LeftOut {
    pub user_id: String,
    pub display_name: String,
    pub reason: &'static str,
}

#[derive(Debug, serde::Serialize)]
pub struct Warning {
    pub code: &'static str,
    pub detail: String,
}

fn form_of(kind: MatchKind) -> &'static [LearningForm] {
    match kind {
        MatchKind::Buddy => &[LearningForm::Buddy],
        MatchKind::Intervision => &[LearningForm::Intervision],
        MatchKind::Shadowing => &[LearningForm::ShadowingVisitor, LearningForm::ShadowingHost],
    }
}

pub fn readiness(
    state: &AppState,
    actor: &AuthUser,
    round_id: &str,
) -> Result<Readiness, AppError> {
    let mut conn = state.conn()?;
    let round = load_round_for(&mut conn, actor, round_id)?;
    if round.status != RoundStatus::Draft {
        return Err(not_draft(&round, "assessed for readiness"));
    }
    let prepared = prepare(&mut conn, &round)?;
    let in_programme: HashSet<String> =
        store::programmes::member_ids(&mut conn, &round.programme_id)?
            .into_iter()
            .collect();
    let unready: Vec<_> = store::cohort::unready_members(&mut conn)?
        .into_iter()
        .filter(|u| in_programme.contains(&u.id))
        .collect();
    drop(conn);
    let engine_round = crate::matching::prepare(&prepared.instance).map_err(|e| {
        AppError::conflict(
            "round_unsolvable",
            format!("the cohort cannot be matched as it stands: {e}"),
        )
    })?;
    let engine = readiness::assess(&engine_round);

    let mut left_out = Vec::new();
    for u in unready {
        // Confirming the address comes first: without it nothing counts.
        let reason = if !u.verified {
            "unverified"
        } else {
            "no_profile"
        };
        left_out.push((u.id, u.name, reason));
    }
    for (id, name) in &prepared.outside_cohort {
        left_out.push((id.clone(), name.clone(), "outside_cohort"));
    }
    let forms = form_of(round.kind);
    let mut form_not_asked = 0;
    for m in &prepared.instance.members {
        if !forms.iter().any(|f| m.asks_for(*f)) {
            form_not_asked += 1;
        }
    }
    for (i, reason) in &engine_round.participation.excluded {
        let m = &prepared.instance.members[*i as usize];
        let name = prepared
            .people
            .get(&m.id)
            .map(|(n, _)| n.clone())
            .unwrap_or_default();
        left_out.push((m.id.clone(), name, readiness::excluded_code(*reason)));
    }
    left_out.sort();
    let mut not_taking_part: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (_, _, r) in &left_out {
        *not_taking_part.entry(r).or_default() += 1;
    }
    if form_not_asked > 0 {
        not_taking_part.insert("form_not_asked", form_not_asked);
    }
    let warnings = warnings(&engine, &not_taking_part);
    let taking_part = engine.participants;
    Ok(Readiness {
        round: view(round)?,
        taking_part,
        not_taking_part,
        left_out: left_out
            .into_iter()
            .map(|(user_id, display_name, reason)| LeftOut {
                user_id,
                display_name,
                reason,
            })
            .collect(),
        matched_share_at_most: crate::matching::share(engine.at_most_matched, taking_part),
        engine,
        warnings,
    })
}

/// What a coordinator can act on, most useful first.
fn warnings(e: &EngineReadiness, out: &BTreeMap<&'static str, usize>) -> Vec<Warning> {
    let mut w = Vec::new();
    if e.participants == 0 {
        w.push(Warning {
            code: "nobody_takes_part",
            detail: "nobody in the cohort can take part: publishing would be refused \
                     (round_empty)"
                .into(),
        });
    }
    if let Some(n) = out.get("unverified") {
        w.push(Warning {
            code: "unverified",
            detail: format!(
                "{n} members never confirmed their address; they can ask for a new \
                 link (POST /api/v1/me/resend-verification)"
            ),
        });
    }
    if let Some(n) = out.get("no_profile") {
        w.push(Warning {
            code: "no_profile",
            detail: format!("{n} members have not filled in their learning profile yet"),
        });
    }
    if let Some(n) = out.get("hours_committed") {
        w.push(Warning {
            code: "hours_committed",
            detail: format!(
                "{n} members' hours this period are taken by matches of other rounds; \
                 a later meeting window frees them"
            ),
        });
    }
    if !e.without_candidate.is_empty() {
        w.push(Warning {
            code: "without_candidate",
            detail: format!(
                "{} participants have nobody to be matched with; a wider cohort or \
                 online meetings would help",
                e.without_candidate.len()
            ),
        });
    }
    let named: HashSet<&str> = w.iter().map(|x| x.code).collect();
    for b in &e.bottlenecks {
        if !named.contains(b.code) && b.code != "no_candidate" {
            w.push(Warning {
                code: b.code,
                detail: b.detail.clone(),
            });
        }
    }
    w
}
