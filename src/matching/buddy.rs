//! Buddy pairs: exact maximum-weight matching (blossom) on the general
//! candidate graph. `prefer = coverage` asks for the most pairs first.

use super::blossom::max_weight_matching;
use super::candidates::{self, CandidateGraph, Spec};
use super::instance::Instance;
use super::outcome::{BuddyPair, GraphSummary, RoundResult, UnmatchedReason};
use super::participation::Participation;
use super::profile::Prepared;
use super::score::{breakdown, Direction};
use super::{share, Round};

pub fn candidate_graph(instance: &Instance, prep: &Prepared, p: &Participation) -> CandidateGraph {
    let r = &instance.round;
    let cost = u32::from(r.form_hours.buddy);
    let spec = Spec {
        prep,
        left: &p.members,
        right: &p.members,
        one_sided: true,
        in_person_required: false,
        k: r.candidates_per_member,
        full_graph_below: r.full_graph_below,
        seed: r.seed,
    };
    candidates::build(&spec, |i, j, m| {
        let (a, b) = (
            p.members[i as usize] as usize,
            p.members[j as usize] as usize,
        );
        breakdown(
            &r.weights,
            &prep.profiles[a],
            &prep.profiles[b],
            m,
            Direction::Mutual,
            cost,
            cost,
        )
        .total()
    })
}

pub fn solve(round: &Round) -> RoundResult {
    let g = &round.graph;
    let members = &round.participation.members;
    let mate = max_weight_matching(g.n_left, &g.edges, round.max_cardinality());
    let cost = u32::from(round.instance.round.form_hours.buddy);
    let degree = g.degrees(false);
    let mut pairs = Vec::new();
    let mut extra = Vec::new();
    let (mut total, mut crossing) = (0i64, 0usize);
    for (u, m) in mate.iter().enumerate() {
        match *m {
            Some(v) if (u as u32) < v => {
                let w = edge_weight(g, u as u32, v);
                let (a, b) = (members[u], members[v as usize]);
                let (score, reasons) = round.explain(a, b, Direction::Mutual, (cost, cost));
                debug_assert_eq!(score, w, "reasons add up to the edge weight");
                total += w;
                let pa = &round.prep.profiles;
                if pa[a as usize].domain != pa[b as usize].domain {
                    crossing += 1;
                }
                pairs.push(BuddyPair {
                    a: round.id(a).to_string(),
                    b: round.id(b).to_string(),
                    score: w,
                    reasons,
                    pinned: false,
                });
            }
            Some(_) => {}
            None => extra.push((
                members[u],
                if degree[u] == 0 {
                    UnmatchedReason::NoCompatibleCandidate
                } else {
                    UnmatchedReason::OddOneOut
                },
            )),
        }
    }
    let r = &round.instance.round;
    RoundResult {
        kind: r.kind,
        round: r.round,
        seed: r.seed,
        max_cardinality: round.max_cardinality(),
        participants: members.len(),
        graph: GraphSummary {
            nodes: g.n_left,
            edges: g.edges.len(),
            full: g.full,
            candidates_per_member: r.candidates_per_member,
        },
        matched_members: 2 * pairs.len(),
        placeable: None,
        cross_domain_share: share(crossing, pairs.len()),
        pairs,
        visits: Vec::new(),
        groups: Vec::new(),
        total_score: total,
        upper_bound: None,
        unmatched: round.unmatched(extra),
        removed_pairs: round.removed,
    }
}

/// The weight of a chosen edge; the solver must only choose edges.
fn edge_weight(g: &CandidateGraph, u: u32, v: u32) -> i64 {
    let (u, v) = if u < v { (u, v) } else { (v, u) };
    let i = g.edges.partition_point(|e| (e.0, e.1) < (u, v));
    match g.edges.get(i) {
        Some(&(a, b, w)) if (a, b) == (u, v) => w,
        _ => panic!("matching solver chose ({u}, {v}), which is not a candidate edge"),
    }
}
