//! Who takes part: the round's cohort loaded into the engine's instance,
//! with each member's hours already given to other rounds.

use super::settings::{Cohort, Settings};
use crate::domain::Domain;
use crate::error::AppError;
use crate::matching::instance::{BlockedPair, Instance, Learned, Member, PastMeeting, RoundParams};
use crate::service::now;
use crate::store::rounds::{self as store_rounds, RoundRow};
use crate::store::{self, DbConnection};
use std::collections::{HashMap, HashSet};

/// Who is in the round and the engine's instance for them.
pub(super) struct Prepared {
    pub(super) instance: Instance,
    pub(super) people: HashMap<String, (String, Domain)>,
    /// Members who offered to start an intervision group.
    pub(super) conveners: HashSet<String>,
    /// Verified members with a profile whom the round's cohort filters
    /// leave out, with their names.
    pub(super) outside_cohort: Vec<(String, String)>,
}

pub(super) fn prepare(conn: &mut DbConnection, round: &RoundRow) -> Result<Prepared, AppError> {
    let cohort: Cohort = serde_json::from_str(&round.cohort).map_err(anyhow::Error::from)?;
    let settings: Settings = serde_json::from_str(&round.params).map_err(anyhow::Error::from)?;
    // The cohort is drawn from the round's programme.
    let in_programme: HashSet<String> = store::programmes::member_ids(conn, &round.programme_id)?
        .into_iter()
        .collect();
    let verified: HashMap<String, String> = store_rounds::verified_user_ids(conn)?
        .into_iter()
        .filter(|(id, _)| in_programme.contains(id))
        .collect();
    let mut profiles: Vec<_> = store::profiles::load_all(conn)?
        .into_iter()
        .filter(|(id, _)| verified.contains_key(id))
        .collect();
    // The engine's result depends on input order; a stable order makes a
    // round reproducible on either database.
    profiles.sort_by(|a, b| a.0.cmp(&b.0));
    let listed: HashSet<&str> = cohort.members.iter().map(String::as_str).collect();
    let in_cohort = |id: &str, p: &crate::domain::LearningProfile| {
        (listed.is_empty() || listed.contains(id))
            && (cohort.provinces.is_empty() || cohort.provinces.contains(&p.province))
            && (cohort.domains.is_empty() || cohort.domains.contains(&p.domain))
            && (cohort.professions.is_empty() || cohort.professions.contains(&p.profession))
    };
    let memberships = store_rounds::memberships(conn)?;
    // Hours other rounds of the same period already take (see commitments).
    let period = crate::service::commitments::Period::of_round(
        &round.meeting_window,
        round.published_at.unwrap_or_else(now),
    )
    .map_err(|e| anyhow::anyhow!("stored round {}: {e}", round.id))?;
    let committed = crate::service::commitments::committed(
        &memberships,
        period,
        &RoundParams::default().form_hours,
    )?;
    let mut people = HashMap::new();
    let mut conveners = HashSet::new();
    let mut members = Vec::new();
    let mut outside_cohort = Vec::new();
    for (id, p) in profiles {
        if !in_cohort(&id, &p) {
            let name = verified.get(&id).cloned().unwrap_or_default();
            outside_cohort.push((id, name));
            continue;
        }
        people.insert(
            id.clone(),
            (verified.get(&id).cloned().unwrap_or_default(), p.domain),
        );
        let committed_hours = committed
            .get(&id)
            .map_or(0, |&h| u8::try_from(h).unwrap_or(u8::MAX));
        if p.offers_to_convene {
            conveners.insert(id.clone());
        }
        let mut member = Member::from_profile(id, &p, committed_hours);
        member.organisation = p.organisation.clone();
        member.team = p.team.clone();
        members.push(member);
    }
    let h = store_rounds::History::of(&memberships);
    let known = |a: &String, b: &String| people.contains_key(a) && people.contains_key(b);
    let defaults = RoundParams::default();
    let params = RoundParams {
        kind: round.kind,
        round: round.number as u32,
        repeat_window: settings.repeat_window.unwrap_or(defaults.repeat_window),
        seed: settings.seed.unwrap_or(round.number as u64),
        prefer: settings.prefer.unwrap_or(defaults.prefer),
        candidates_per_member: settings
            .candidates_per_member
            .unwrap_or(defaults.candidates_per_member),
        group_min: settings.group_min.unwrap_or(defaults.group_min),
        group_max: settings.group_max.unwrap_or(defaults.group_max),
        weights: settings.weights.unwrap_or(defaults.weights),
        conflicts: settings.conflicts.unwrap_or(defaults.conflicts),
        ..defaults
    };
    if params.weights.novelty > 0 {
        fill_learned(conn, &round.programme_id, &mut members)?;
    }
    let instance = Instance {
        round: params,
        history: h
            .met
            .iter()
            .filter(|(a, b, _)| known(a, b))
            .map(|(a, b, r)| PastMeeting {
                a: a.clone(),
                b: b.clone(),
                round: *r as u32,
            })
            .collect(),
        blocked: h
            .declined
            .iter()
            .filter(|(a, b)| known(a, b))
            .map(|(a, b)| BlockedPair {
                a: a.clone(),
                b: b.clone(),
            })
            .collect(),
        conflicts: store::conflicts::all_pairs(conn)?
            .into_iter()
            .filter(|(a, b)| known(a, b))
            .map(|(a, b)| BlockedPair { a, b })
            .collect(),
        members,
        ..Instance::default()
    };
    Ok(Prepared {
        instance,
        people,
        conveners,
        outside_cohort,
    })
}

/// What each member has learned with in the programme's published rounds
/// (all of them, whatever the period), for the weight `novelty`: one
/// query set for the whole cohort.
fn fill_learned(
    conn: &mut DbConnection,
    programme_id: &str,
    members: &mut [Member],
) -> Result<(), AppError> {
    let programmes = [programme_id.to_string()];
    let rows = store::network::rows(
        conn,
        &store::network::Scope {
            programmes: Some(&programmes),
            from: None,
            until: None,
            kept_out: &crate::service::network::kept_out(),
        },
    )?;
    let history = crate::service::network::history(rows);
    let learned = crate::network::novelty::learned(&history);
    let at: HashMap<&str, usize> = history
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.as_str(), i))
        .collect();
    for m in members.iter_mut() {
        let Some(&i) = at.get(m.id.as_str()) else {
            continue;
        };
        let l = &learned[i];
        m.learned = Learned {
            domains: l.domains.clone(),
            professions: l.professions.clone(),
            // Member indices of one history: far below u32::MAX.
            component: l.component.map(|c| c as u32),
        };
    }
    Ok(())
}
