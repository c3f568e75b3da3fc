//! A coordinator's pins and exclusions on a draft: matches that must be in
//! the result and pairs that must not. A pin breaking a hard rule is refused
//! with the rule, unless forced with a note; the engine then solves the
//! rest as before (see `matching` for what stays optimal).

use super::cohort::prepare;
use super::view::{load_round_for, not_draft};
use crate::auth::AuthUser;
use crate::domain::{FieldProblem, RoundStatus};
use crate::error::AppError;
use crate::matching::instance::{BlockedPair, Pin};
use crate::service::audit::{self, Action};
use crate::service::{now, AppState};
use crate::store;
use crate::store::db::write_tx;
use crate::store::DbConnection;
use std::collections::HashSet;

pub const MAX_PINS: usize = 500;
pub const MAX_EXCLUDED: usize = 1_000;
pub const MAX_NOTE: usize = 1_000;

/// What a coordinator sends.
pub struct OverridesInput {
    pub pinned: Vec<Vec<String>>,
    pub excluded: Vec<Vec<String>>,
    pub force: bool,
    pub note: String,
}

/// What is stored and shown.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Overrides {
    pub pinned: Vec<PinnedMatch>,
    pub excluded: Vec<[String; 2]>,
    pub note: String,
    /// Kept in the row's own columns, not in the stored body.
    #[serde(skip_deserializing)]
    pub updated_by: Option<String>,
    #[serde(
        skip_deserializing,
        serialize_with = "crate::domain::time::iso8601_opt"
    )]
    pub updated_at: Option<i64>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PinnedMatch {
    /// `[a, b]`, `[visitor, host]` or a group's members.
    pub members: Vec<String>,
    /// Pinned although it breaks `breaks`, on the coordinator's word.
    pub forced: bool,
    pub breaks: Vec<String>,
}

impl Overrides {
    /// The engine's view: pins (forced ones are not checked against the
    /// hard rules) and excluded pairs.
    pub(super) fn apply(&self, instance: &mut crate::matching::instance::Instance) {
        instance.pinned = self
            .pinned
            .iter()
            .map(|p| Pin {
                members: p.members.clone(),
                forced: p.forced,
            })
            .collect();
        instance.excluded = self
            .excluded
            .iter()
            .map(|[a, b]| BlockedPair {
                a: a.clone(),
                b: b.clone(),
            })
            .collect();
    }
}

/// The round's cohort with its stored pins and exclusions: what readiness,
/// preview and publish match.
pub(super) fn prepare_with_overrides(
    conn: &mut DbConnection,
    round: &crate::store::rounds::RoundRow,
) -> Result<super::cohort::Prepared, AppError> {
    let mut prepared = prepare(conn, round)?;
    load(conn, &round.id)?.apply(&mut prepared.instance);
    Ok(prepared)
}

pub(super) fn load(conn: &mut DbConnection, round_id: &str) -> Result<Overrides, AppError> {
    match store::overrides::get(conn, round_id)? {
        None => Ok(Overrides::default()),
        Some((body, by, at)) => {
            let mut o: Overrides = serde_json::from_str(&body).map_err(|e| {
                AppError::Internal(anyhow::anyhow!("stored overrides of round {round_id}: {e}"))
            })?;
            o.updated_by = Some(by);
            o.updated_at = Some(at);
            Ok(o)
        }
    }
}

pub fn get(state: &AppState, actor: &AuthUser, round_id: &str) -> Result<Overrides, AppError> {
    let mut conn = state.conn()?;
    load_round_for(&mut conn, actor, round_id)?;
    load(&mut conn, round_id)
}

/// Shapes and sizes, before the cohort is looked at.
fn check_shape(input: &OverridesInput) -> Vec<FieldProblem> {
    let mut problems = Vec::new();
    if input.pinned.len() > MAX_PINS {
        problems.push(FieldProblem::new(
            "pinned",
            format!("must have at most {MAX_PINS} entries"),
        ));
    }
    if input.excluded.len() > MAX_EXCLUDED {
        problems.push(FieldProblem::new(
            "excluded",
            format!("must have at most {MAX_EXCLUDED} entries"),
        ));
    }
    for (i, pin) in input.pinned.iter().enumerate() {
        if pin.len() < 2 {
            problems.push(FieldProblem::new(
                format!("pinned[{i}]"),
                "must name at least two members",
            ));
        }
    }
    for (i, pair) in input.excluded.iter().enumerate() {
        if pair.len() != 2 || pair[0] == pair[1] {
            problems.push(FieldProblem::new(
                format!("excluded[{i}]"),
                "must name two different members",
            ));
        }
    }
    match crate::domain::free_text("note", &input.note, MAX_NOTE) {
        Err(p) => problems.push(p),
        Ok(n) if input.force && n.is_empty() => problems.push(FieldProblem::new(
            "note",
            "is required with force: say why the rules are set aside",
        )),
        Ok(_) => {}
    }
    problems
}

pub fn put(
    state: &AppState,
    actor: &AuthUser,
    round_id: &str,
    input: OverridesInput,
) -> Result<Overrides, AppError> {
    let problems = check_shape(&input);
    if !problems.is_empty() {
        return Err(AppError::validation(problems));
    }
    let note = input.note.trim().to_string();
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        let round = load_round_for(conn, actor, round_id)?;
        if round.status != RoundStatus::Draft {
            return Err(not_draft(&round, "changed"));
        }
        let mut prepared = prepare(conn, &round)?;
        let in_cohort: HashSet<&str> = prepared
            .instance
            .members
            .iter()
            .map(|m| m.id.as_str())
            .collect();
        let mut problems = Vec::new();
        let pinned_pairs: HashSet<(&str, &str)> = input
            .pinned
            .iter()
            .flat_map(|p| {
                p.iter().flat_map(move |a| {
                    p.iter()
                        .filter(move |b| a < *b)
                        .map(move |b| (a.as_str(), b.as_str()))
                })
            })
            .collect();
        for (i, pair) in input.excluded.iter().enumerate() {
            for id in pair {
                if !in_cohort.contains(id.as_str()) {
                    problems.push(FieldProblem::new(
                        format!("excluded[{i}]"),
                        format!("{id} is not in this round's cohort"),
                    ));
                }
            }
            let (a, b) = (pair[0].as_str(), pair[1].as_str());
            let key = if a < b { (a, b) } else { (b, a) };
            if pinned_pairs.contains(&key) {
                problems.push(FieldProblem::new(
                    format!("excluded[{i}]"),
                    format!("{a} and {b} are also pinned together"),
                ));
            }
        }
        let unchecked = Overrides {
            pinned: input
                .pinned
                .iter()
                .map(|m| PinnedMatch {
                    members: m.clone(),
                    forced: false,
                    breaks: Vec::new(),
                })
                .collect(),
            excluded: input
                .excluded
                .iter()
                .map(|p| [p[0].clone(), p[1].clone()])
                .collect(),
            ..Overrides::default()
        };
        unchecked.apply(&mut prepared.instance);
        let mut pinned = unchecked.pinned;
        for p in crate::matching::check_pins(&prepared.instance) {
            let field = format!("pinned[{}]", p.pin);
            if crate::matching::pins::STRUCTURAL.contains(&p.rule) || !input.force {
                let mut fp = FieldProblem::new(field, p.detail.clone());
                fp.reason = Some(p.rule);
                problems.push(fp);
            } else if let Some(pin) = pinned.get_mut(p.pin) {
                pin.forced = true;
                pin.breaks.push(p.rule.to_string());
            }
        }
        if !problems.is_empty() {
            return Err(AppError::validation(problems));
        }
        let stored = Overrides {
            pinned,
            excluded: unchecked.excluded,
            note: note.clone(),
            updated_by: Some(actor.id.clone()),
            updated_at: Some(now()),
        };
        let body = serde_json::to_string(&stored).map_err(anyhow::Error::from)?;
        store::overrides::put(conn, round_id, &body, &actor.id, now())?;
        let forced: Vec<_> = stored
            .pinned
            .iter()
            .filter(|p| p.forced)
            .map(|p| serde_json::json!({ "members": p.members, "breaks": p.breaks }))
            .collect();
        audit::record(
            conn,
            actor,
            Action::RoundOverridesSet,
            ("round", round_id),
            serde_json::json!({
                "number": round.number,
                "pinned": stored.pinned.iter().map(|p| &p.members).collect::<Vec<_>>(),
                "excluded": stored.excluded,
                "forced": forced,
                "note": note,
            }),
        )?;
        Ok(stored)
    })
}
