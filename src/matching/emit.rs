//! The candidate graph as written by `solve --emit-graph`: exactly the
//! integer-weighted edges the solver maximised over, so anyone can check the
//! optimum independently (the formats are documented in the README's engine section).

use super::constraints::in_person_possible;
use super::Round;
use crate::domain::{Domain, MatchKind};
use serde::Serialize;

#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum EmittedGraph<'a> {
    Buddy {
        kind: &'static str,
        n: usize,
        max_cardinality: bool,
        edges: &'a [(u32, u32, i64)],
    },
    Shadowing {
        kind: &'static str,
        n_visitors: usize,
        capacity: &'a [u32],
        max_cardinality: bool,
        edges: &'a [(u32, u32, i64)],
    },
    Intervision {
        kind: &'static str,
        n: usize,
        group_min: usize,
        group_max: usize,
        nodes: Vec<IntervisionNode<'a>>,
        /// `[u, v, weight, in_person_ok]` with `in_person_ok` 0 or 1.
        edges: Vec<(u32, u32, i64, u8)>,
    },
}

/// What a MIP needs to state the group constraints of one participant.
#[derive(Debug, Serialize)]
pub struct IntervisionNode<'a> {
    pub id: &'a str,
    pub domain: Domain,
    pub junior: bool,
    pub online: bool,
    pub in_person: bool,
    pub languages: &'a [String],
}

pub fn graph<'a>(round: &'a Round) -> EmittedGraph<'a> {
    let g = &round.graph;
    let p = &round.participation;
    match round.instance.round.kind {
        MatchKind::Buddy => EmittedGraph::Buddy {
            kind: "buddy",
            n: g.n_left,
            max_cardinality: round.max_cardinality(),
            edges: &g.edges,
        },
        MatchKind::Shadowing => EmittedGraph::Shadowing {
            kind: "shadowing",
            n_visitors: g.n_left,
            capacity: &p.capacity,
            max_cardinality: round.max_cardinality(),
            edges: &g.edges,
        },
        MatchKind::Intervision => {
            let prof = |i: u32| &round.prep.profiles[p.members[i as usize] as usize];
            EmittedGraph::Intervision {
                kind: "intervision",
                n: g.n_left,
                group_min: round.instance.round.group_min,
                group_max: round.instance.round.group_max,
                nodes: p
                    .members
                    .iter()
                    .map(|&m| {
                        let member = &round.instance.members[m as usize];
                        let pr = &round.prep.profiles[m as usize];
                        IntervisionNode {
                            id: &member.id,
                            domain: pr.domain,
                            junior: pr.junior,
                            online: pr.online,
                            in_person: pr.in_person,
                            languages: &member.languages,
                        }
                    })
                    .collect(),
                edges: g
                    .edges
                    .iter()
                    .map(|&(u, v, w)| (u, v, w, u8::from(in_person_possible(prof(u), prof(v)))))
                    .collect(),
            }
        }
    }
}
