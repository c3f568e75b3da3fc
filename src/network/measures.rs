//! The network's measures, round by round: one pass over the rounds in
//! order keeps running counts, so the figure after the last round is the
//! summary and the figures after each round are how it moved.

use super::{History, Link};
use crate::domain::Domain;
use petgraph::unionfind::UnionFind;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LinkCounts {
    pub proposed: usize,
    pub accepted: usize,
    pub declined: usize,
    pub met: usize,
    pub meetings: u64,
    pub hours: u64,
}

impl LinkCounts {
    pub fn add(&mut self, l: &Link) {
        self.proposed += 1;
        self.accepted += usize::from(l.accepted);
        self.declined += usize::from(l.declined);
        self.met += usize::from(l.met());
        self.meetings += u64::from(l.meetings);
        self.hours += u64::from(l.hours);
    }
}

/// The measures as they stood after one round (cumulative from the first
/// round in scope).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub round_id: String,
    pub round_number: u32,
    pub kind: crate::domain::MatchKind,
    #[serde(serialize_with = "crate::domain::time::iso8601")]
    pub published_at: i64,
    pub members: usize,
    pub members_reached: usize,
    pub links_proposed: usize,
    pub links_met: usize,
    pub cross_domain_share: f64,
    pub members_with_cross_domain_meeting: usize,
    pub domain_pairs_connected: usize,
    pub isolated_members: usize,
    pub components: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossDomain {
    /// Links whose two members' domains are both known and differ.
    pub proposed: usize,
    pub met: usize,
    /// Of the links with both domains known.
    pub share: f64,
    pub met_share: f64,
    /// Per pair of different domains, the pairs with any link.
    pub per_domain_pair: Vec<DomainPairCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainPairCount {
    pub domains: [Domain; 2],
    pub proposed: usize,
    pub met: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainPairs {
    /// Domains some member in scope works in.
    pub domains: Vec<Domain>,
    /// Pairs of those domains: k(k-1)/2.
    pub possible: usize,
    /// Pairs with at least one met link.
    pub connected: usize,
    pub never_connected: Vec<[Domain; 2]>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Components {
    /// Connected components of the met links among the members in scope;
    /// a member who met nobody is one on their own.
    pub count: usize,
    pub largest: usize,
    pub alone: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Eligible in a round in scope, or in a link.
    pub members: usize,
    /// In at least one proposed link.
    pub members_reached: usize,
    pub links: LinkCounts,
    pub cross_domain: CrossDomain,
    /// With at least one met link to a member of another domain.
    pub members_with_cross_domain_meeting: usize,
    pub domain_pairs: DomainPairs,
    /// Eligible in at least one round, yet in no met link.
    pub isolated_members: usize,
    pub components: Components,
    pub rounds: Vec<Step>,
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn ordered(a: Domain, b: Domain) -> [Domain; 2] {
    if a <= b {
        [a, b]
    } else {
        [b, a]
    }
}

/// All measures but the bridges (see [`super::centrality`]).
pub fn summarise(h: &History) -> Summary {
    let n = h.members.len();
    let mut in_scope = vec![false; n];
    let mut reached = vec![false; n];
    let mut eligible = vec![false; n];
    let mut has_met = vec![false; n];
    let mut met_across = vec![false; n];
    let (mut members, mut members_reached, mut isolated, mut across) = (0, 0, 0, 0);
    let mut uf = UnionFind::<usize>::new(n);
    let mut components = 0usize;
    let mut links = LinkCounts::default();
    let (mut known, mut cross, mut cross_met, mut known_met) = (0, 0, 0, 0);
    let mut pairs: BTreeMap<[Domain; 2], (usize, usize)> = BTreeMap::new();
    let mut connected: BTreeSet<[Domain; 2]> = BTreeSet::new();
    let mut steps = Vec::with_capacity(h.rounds.len());

    let enter = |m: usize, in_scope: &mut Vec<bool>, members: &mut usize, comps: &mut usize| {
        if !in_scope[m] {
            in_scope[m] = true;
            *members += 1;
            *comps += 1;
        }
    };

    debug_assert!(h.links.windows(2).all(|w| w[0].round <= w[1].round));
    debug_assert!(h.eligible.windows(2).all(|w| w[0].0 <= w[1].0));
    let (mut li, mut ei) = (0, 0);
    for (r, round) in h.rounds.iter().enumerate() {
        while ei < h.eligible.len() && h.eligible[ei].0 == r {
            let m = h.eligible[ei].1;
            enter(m, &mut in_scope, &mut members, &mut components);
            if !eligible[m] {
                eligible[m] = true;
                isolated += usize::from(!has_met[m]);
            }
            ei += 1;
        }
        while li < h.links.len() && h.links[li].round == r {
            let l = &h.links[li];
            li += 1;
            links.add(l);
            for m in [l.a, l.b] {
                enter(m, &mut in_scope, &mut members, &mut components);
                if !reached[m] {
                    reached[m] = true;
                    members_reached += 1;
                }
            }
            let crosses = h.crosses_domains(l);
            if let Some(c) = crosses {
                known += 1;
                known_met += usize::from(l.met());
                if c {
                    cross += 1;
                    cross_met += usize::from(l.met());
                    let key = ordered(
                        h.members[l.a].domain.expect("known"),
                        h.members[l.b].domain.expect("known"),
                    );
                    let e = pairs.entry(key).or_default();
                    e.0 += 1;
                    e.1 += usize::from(l.met());
                    if l.met() {
                        connected.insert(key);
                    }
                }
            }
            if l.met() {
                for m in [l.a, l.b] {
                    if !has_met[m] {
                        has_met[m] = true;
                        isolated -= usize::from(eligible[m]);
                    }
                    if crosses == Some(true) && !met_across[m] {
                        met_across[m] = true;
                        across += 1;
                    }
                }
                if uf.union(l.a, l.b) {
                    components -= 1;
                }
            }
        }
        steps.push(Step {
            round_id: round.id.clone(),
            round_number: round.number,
            kind: round.kind,
            published_at: round.published_at,
            members,
            members_reached,
            links_proposed: links.proposed,
            links_met: links.met,
            cross_domain_share: share(cross, known),
            members_with_cross_domain_meeting: across,
            domain_pairs_connected: connected.len(),
            isolated_members: isolated,
            components,
        });
    }

    let domains: BTreeSet<Domain> = (0..n)
        .filter(|&m| in_scope[m])
        .filter_map(|m| h.members[m].domain)
        .collect();
    let domains: Vec<Domain> = domains.into_iter().collect();
    let mut never_connected = Vec::new();
    for (i, &a) in domains.iter().enumerate() {
        for &b in &domains[i + 1..] {
            if !connected.contains(&[a, b]) {
                never_connected.push([a, b]);
            }
        }
    }
    let k = domains.len();
    let mut sizes: BTreeMap<usize, usize> = BTreeMap::new();
    for m in (0..n).filter(|&m| in_scope[m]) {
        *sizes.entry(uf.find(m)).or_default() += 1;
    }
    Summary {
        members,
        members_reached,
        links,
        cross_domain: CrossDomain {
            proposed: cross,
            met: cross_met,
            share: share(cross, known),
            met_share: share(cross_met, known_met),
            per_domain_pair: pairs
                .into_iter()
                .map(|(domains, (proposed, met))| DomainPairCount {
                    domains,
                    proposed,
                    met,
                })
                .collect(),
        },
        members_with_cross_domain_meeting: across,
        domain_pairs: DomainPairs {
            possible: k * k.saturating_sub(1) / 2,
            connected: connected.len(),
            never_connected,
            domains,
        },
        isolated_members: isolated,
        components: Components {
            count: components,
            largest: sizes.values().copied().max().unwrap_or(0),
            alone: sizes.values().filter(|&&s| s == 1).count(),
        },
        rounds: steps,
    }
}

/// One round's outcome: what its matches became.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundOutcome {
    pub round_id: String,
    pub round_number: u32,
    pub kind: crate::domain::MatchKind,
    #[serde(serialize_with = "crate::domain::time::iso8601")]
    pub published_at: i64,
    pub eligible: usize,
    /// Members in a match of the round.
    pub matched: usize,
    pub matches: usize,
    pub links: LinkCounts,
    /// Of the round's links with both domains known.
    pub cross_domain_share: f64,
    /// Pairs of domains whose first met link in scope came from this round.
    pub new_domain_pairs: Vec<[Domain; 2]>,
}

pub fn round_outcomes(h: &History) -> Vec<RoundOutcome> {
    let mut out: Vec<RoundOutcome> = h
        .rounds
        .iter()
        .map(|r| RoundOutcome {
            round_id: r.id.clone(),
            round_number: r.number,
            kind: r.kind,
            published_at: r.published_at,
            eligible: 0,
            matched: 0,
            matches: 0,
            links: LinkCounts::default(),
            cross_domain_share: 0.0,
            new_domain_pairs: Vec::new(),
        })
        .collect();
    for &(r, _) in &h.eligible {
        out[r].eligible += 1;
    }
    let mut matched: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut matches: BTreeSet<(usize, &str)> = BTreeSet::new();
    let mut known = vec![(0usize, 0usize); h.rounds.len()];
    let mut connected: BTreeSet<[Domain; 2]> = BTreeSet::new();
    for l in &h.links {
        out[l.round].links.add(l);
        matched.insert((l.round, l.a));
        matched.insert((l.round, l.b));
        matches.insert((l.round, &l.match_id));
        if let Some(c) = h.crosses_domains(l) {
            known[l.round].0 += 1;
            known[l.round].1 += usize::from(c);
            if c && l.met() {
                let key = ordered(
                    h.members[l.a].domain.expect("known"),
                    h.members[l.b].domain.expect("known"),
                );
                if connected.insert(key) {
                    out[l.round].new_domain_pairs.push(key);
                }
            }
        }
    }
    for (r, _) in matched {
        out[r].matched += 1;
    }
    for (r, _) in matches {
        out[r].matches += 1;
    }
    for (o, (k, c)) in out.iter_mut().zip(known) {
        o.cross_domain_share = share(c, k);
    }
    out
}
