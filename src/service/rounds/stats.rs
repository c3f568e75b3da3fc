//! A round's figures, counted from the engine's result so that they add up.

use super::cohort::Prepared;
use crate::matching::outcome::RoundResult;
use std::collections::BTreeMap;

#[derive(Debug, serde::Serialize)]
pub struct Metrics {
    pub eligible: usize,
    pub matched: usize,
    pub matched_share: f64,
    pub cross_domain_share: f64,
    pub matches: usize,
    pub mean_score: f64,
    pub score_spread: f64,
    /// Per domain: members in the round and how many of them were matched.
    pub per_domain: BTreeMap<String, DomainCount>,
}

#[derive(Debug, Default, serde::Serialize)]
pub struct DomainCount {
    pub eligible: usize,
    pub matched: usize,
}

pub(super) fn metrics(p: &Prepared, r: &RoundResult) -> Metrics {
    let scores: Vec<i64> = r
        .pairs
        .iter()
        .map(|x| x.score)
        .chain(r.visits.iter().map(|x| x.score))
        .chain(r.groups.iter().map(|x| x.score))
        .collect();
    let n = scores.len().max(1) as f64;
    let mean = scores.iter().sum::<i64>() as f64 / n;
    let var = scores
        .iter()
        .map(|s| (*s as f64 - mean).powi(2))
        .sum::<f64>()
        / n;
    // Counted from the result itself, so the per-domain figures add up to
    // the totals: a participant is matched when a match names them, and
    // eligible when matched or left unmatched by the solver (those excluded
    // before matching, e.g. paused, are in no count).
    let mut matched: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for x in &r.pairs {
        matched.extend([x.a.as_str(), x.b.as_str()]);
    }
    for x in &r.visits {
        matched.extend([x.visitor.as_str(), x.host.as_str()]);
    }
    for g in &r.groups {
        matched.extend(g.members.iter().map(String::as_str));
    }
    let mut eligible = matched.clone();
    eligible.extend(
        r.unmatched
            .iter()
            .filter(|u| !u.reason.before_matching())
            .map(|u| u.member.as_str()),
    );
    let mut per_domain: BTreeMap<String, DomainCount> = BTreeMap::new();
    for id in &eligible {
        let Some((_, d)) = p.people.get(*id) else {
            continue;
        };
        let e = per_domain.entry(d.code().to_string()).or_default();
        e.eligible += 1;
        if matched.contains(id) {
            e.matched += 1;
        }
    }
    Metrics {
        eligible: r.participants,
        matched: r.matched_members,
        matched_share: if r.participants == 0 {
            0.0
        } else {
            r.matched_members as f64 / r.participants as f64
        },
        cross_domain_share: r.cross_domain_share,
        matches: scores.len(),
        mean_score: if scores.is_empty() { 0.0 } else { mean },
        // An empty sum of floats is -0.0, which would print as "-0.0".
        score_spread: if scores.is_empty() { 0.0 } else { var.sqrt() },
        per_domain,
    }
}
