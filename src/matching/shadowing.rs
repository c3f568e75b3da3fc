//! Shadowing visits: visitors to hosts with visitor places, an exact
//! maximum-weight assignment (min-cost flow). Visits are in person.

use super::candidates::{self, CandidateGraph, Spec};
use super::flow::max_weight_assignment;
use super::instance::Instance;
use super::outcome::{GraphSummary, RoundResult, UnmatchedReason, Visit};
use super::participation::Participation;
use super::profile::Prepared;
use super::score::{breakdown, Direction};
use super::{share, Round};

pub fn candidate_graph(instance: &Instance, prep: &Prepared, p: &Participation) -> CandidateGraph {
    let r = &instance.round;
    let cost = u32::from(r.form_hours.shadowing_visit);
    let spec = Spec {
        prep,
        left: &p.members,
        right: &p.hosts,
        one_sided: false,
        in_person_required: true,
        k: r.candidates_per_member,
        full_graph_below: r.full_graph_below,
        seed: r.seed,
    };
    candidates::build(&spec, |i, j, m| {
        let (v, h) = (p.members[i as usize] as usize, p.hosts[j as usize] as usize);
        let (pv, ph) = (&prep.profiles[v], &prep.profiles[h]);
        breakdown(&r.weights, pv, ph, m, Direction::VisitorToHost, cost, cost).total()
    })
}

pub fn solve(round: &Round) -> RoundResult {
    let g = &round.graph;
    let p = &round.participation;
    let host_of = max_weight_assignment(g.n_left, &p.capacity, &g.edges, round.max_cardinality());
    let cost = u32::from(round.instance.round.form_hours.shadowing_visit);
    let visitor_degree = g.degrees(true);
    let mut visits = Vec::new();
    let mut extra = Vec::new();
    let mut hosted = vec![0u32; g.n_right];
    let (mut total, mut crossing) = (0i64, 0usize);
    for (v, h) in host_of.iter().enumerate() {
        let visitor = p.members[v];
        match *h {
            Some(h) => {
                let w = edge_weight(g, v as u32, h);
                hosted[h as usize] += 1;
                assert!(
                    hosted[h as usize] <= p.capacity[h as usize],
                    "host over capacity"
                );
                let host = p.hosts[h as usize];
                let (score, reasons) =
                    round.explain(visitor, host, Direction::VisitorToHost, (cost, cost));
                debug_assert_eq!(score, w, "reasons add up to the edge weight");
                total += w;
                let pr = &round.prep.profiles;
                if pr[visitor as usize].domain != pr[host as usize].domain {
                    crossing += 1;
                }
                visits.push(Visit {
                    visitor: round.id(visitor).to_string(),
                    host: round.id(host).to_string(),
                    score: w,
                    reasons,
                    pinned: false,
                });
            }
            None => extra.push((
                visitor,
                if visitor_degree[v] == 0 {
                    UnmatchedReason::NoCompatibleCandidate
                } else {
                    UnmatchedReason::HostCapacity
                },
            )),
        }
    }
    // Matched people: visitors placed and hosts with a visitor, once each
    // (one member may be both).
    let mut matched: Vec<u32> = host_of
        .iter()
        .enumerate()
        .filter(|(_, h)| h.is_some())
        .map(|(v, _)| p.members[v])
        .collect();
    for (h, &n) in hosted.iter().enumerate() {
        let host = p.hosts[h];
        if n > 0 {
            matched.push(host);
        } else if p.members.binary_search(&host).is_err() {
            // Someone who is also a visitor is reported as a visitor.
            extra.push((host, UnmatchedReason::NoVisitor));
        }
    }
    matched.sort_unstable();
    matched.dedup();
    let r = &round.instance.round;
    RoundResult {
        kind: r.kind,
        round: r.round,
        seed: r.seed,
        max_cardinality: round.max_cardinality(),
        participants: distinct_members(p),
        graph: GraphSummary {
            nodes: g.n_left + g.n_right,
            edges: g.edges.len(),
            full: g.full,
            candidates_per_member: r.candidates_per_member,
        },
        matched_members: matched.len(),
        placeable: None,
        cross_domain_share: share(crossing, visits.len()),
        pairs: Vec::new(),
        visits,
        groups: Vec::new(),
        total_score: total,
        upper_bound: None,
        unmatched: round.unmatched(extra),
        removed_pairs: round.removed,
    }
}

fn distinct_members(p: &Participation) -> usize {
    let both = p
        .hosts
        .iter()
        .filter(|h| p.members.binary_search(h).is_ok())
        .count();
    p.members.len() + p.hosts.len() - both
}

fn edge_weight(g: &CandidateGraph, v: u32, h: u32) -> i64 {
    let i = g.edges.partition_point(|e| (e.0, e.1) < (v, h));
    match g.edges.get(i) {
        Some(&(a, b, w)) if (a, b) == (v, h) => w,
        _ => panic!("assignment solver chose ({v}, {h}), which is not a candidate edge"),
    }
}
