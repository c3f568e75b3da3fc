//! What a round can achieve, read off its participants and candidate graph
//! before any solve: who takes part, supply against demand, and an upper
//! bound on the members the solver can match with what limits it. Built on
//! the same [`Round`] the solver gets, so its counts are the preview's.

use super::outcome::UnmatchedReason;
use super::{RemovedPairs, Round};
use crate::domain::{Domain, MatchKind, Province};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Readiness {
    pub kind: MatchKind,
    /// The round's participants: the preview's `participants`.
    pub participants: usize,
    /// Asked for the form but kept out before matching, by reason
    /// (`paused`, `insufficient_hours`, `hours_committed`, `no_host_capacity`).
    pub excluded: BTreeMap<&'static str, usize>,
    /// Participants whom no other participant passes every hard constraint
    /// with: the preview lists them `no_compatible_candidate`.
    pub without_candidate: Vec<String>,
    pub supply: Vec<Supply>,
    /// No solve can match more members than this.
    pub at_most_matched: usize,
    /// Matches the coordinator pinned: their members are matched whatever
    /// the solve does.
    pub pinned_matches: usize,
    /// Pairs of participants each pairwise rule rules out: the preview's
    /// `removed_pairs`.
    pub removed_pairs: RemovedPairs,
    /// What holds `at_most_matched` below the number of participants,
    /// tightest first.
    pub bottlenecks: Vec<Bottleneck>,
}

/// Supply and demand in one province or domain. Buddy and intervision:
/// participants there. Shadowing: visitors and hosts' visitor places.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Supply {
    /// `province` or `domain`.
    pub by: &'static str,
    pub key: &'static str,
    pub participants: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visitors: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_places: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bottleneck {
    /// Stable: `no_candidate`, `odd_one_out`, `host_places`, `visitors`,
    /// `group_size`, `second_domain`, `senior`.
    pub code: &'static str,
    /// Members this limit allows to be matched at most.
    pub limit: usize,
    pub detail: String,
}

pub fn assess(round: &Round) -> Readiness {
    let p = &round.participation;
    let mut excluded: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (_, reason) in &p.excluded {
        *excluded.entry(excluded_code(*reason)).or_default() += 1;
    }
    let (participants, without, supply, bottlenecks) = match round.instance.round.kind {
        MatchKind::Shadowing => shadowing(round),
        MatchKind::Buddy => symmetric(round, buddy_limits),
        MatchKind::Intervision => symmetric(round, group_limits),
    };
    // Pinned members are taken out of the round before its graph is built,
    // and matched whatever the solve does.
    let mut pinned: Vec<u32> = round.pins.iter().flatten().copied().collect();
    pinned.sort_unstable();
    pinned.dedup();
    let still_in = |m: &u32| {
        p.members.binary_search(m).is_ok()
            || (round.instance.round.kind == MatchKind::Shadowing
                && p.hosts.binary_search(m).is_ok())
    };
    let added = pinned.iter().filter(|m| !still_in(m)).count();
    let participants = participants + added;
    let mut bottlenecks = bottlenecks;
    for b in &mut bottlenecks {
        b.limit += added;
    }
    bottlenecks.sort_by_key(|b| (b.limit, b.code));
    Readiness {
        kind: round.instance.round.kind,
        participants,
        excluded,
        without_candidate: without
            .into_iter()
            .map(|m| round.id(m).to_string())
            .collect(),
        supply,
        at_most_matched: bottlenecks
            .iter()
            .map(|b| b.limit)
            .min()
            .unwrap_or(participants)
            .min(participants),
        pinned_matches: round.pins.len(),
        removed_pairs: round.removed_pairs(),
        bottlenecks: bottlenecks
            .into_iter()
            .filter(|b| b.limit < participants)
            .collect(),
    }
}

/// The code of a reason decided before matching.
pub fn excluded_code(r: UnmatchedReason) -> &'static str {
    match r {
        UnmatchedReason::Paused => "paused",
        UnmatchedReason::InsufficientHours => "insufficient_hours",
        UnmatchedReason::HoursCommitted => "hours_committed",
        UnmatchedReason::NoHostCapacity => "no_host_capacity",
        // Only reasons decided before matching are in `excluded`.
        _ => "other",
    }
}

type Limits = fn(&Round, &[u32]) -> Vec<Bottleneck>;

/// Buddy and intervision: one side; `connected` are the participants with
/// at least one candidate.
fn symmetric(round: &Round, limits: Limits) -> (usize, Vec<u32>, Vec<Supply>, Vec<Bottleneck>) {
    let p = &round.participation;
    let degree = round.graph.degrees(false);
    let (mut connected, mut without) = (Vec::new(), Vec::new());
    for (local, &m) in p.members.iter().enumerate() {
        if degree[local] == 0 {
            without.push(m);
        } else {
            connected.push(m);
        }
    }
    let mut bottlenecks = Vec::new();
    if !without.is_empty() {
        bottlenecks.push(Bottleneck {
            code: "no_candidate",
            limit: connected.len(),
            detail: format!(
                "{} of {} participants share no language, meeting mode or travel range \
                 with anyone else in the round, or met all of them recently",
                without.len(),
                p.members.len()
            ),
        });
    }
    bottlenecks.extend(limits(round, &connected));
    let supply = tally(round, &p.members, |_| (1, None, None));
    (p.members.len(), without, supply, bottlenecks)
}

fn buddy_limits(_round: &Round, connected: &[u32]) -> Vec<Bottleneck> {
    if connected.len() % 2 == 1 {
        vec![Bottleneck {
            code: "odd_one_out",
            limit: connected.len() - 1,
            detail: format!(
                "{} members with a candidate: pairs leave at least one out",
                connected.len()
            ),
        }]
    } else {
        Vec::new()
    }
}

/// Every group needs `group_min` members, a member of a second domain and
/// a senior (not in training, 3+ years): each caps the number of groups.
fn group_limits(round: &Round, connected: &[u32]) -> Vec<Bottleneck> {
    let r = &round.instance.round;
    let profiles = &round.prep.profiles;
    let n = connected.len();
    let mut per_domain: BTreeMap<Domain, usize> = BTreeMap::new();
    for &m in connected {
        *per_domain.entry(profiles[m as usize].domain).or_default() += 1;
    }
    let (largest, in_largest) = per_domain
        .iter()
        .max_by_key(|(d, c)| (**c, std::cmp::Reverse(**d)))
        .map_or((None, 0), |(d, c)| (Some(*d), *c));
    let seniors = connected
        .iter()
        .filter(|&&m| !profiles[m as usize].junior)
        .count();
    let members_of = |groups: usize| (groups * r.group_max).min(n);
    let mut out = Vec::new();
    let by_size = n / r.group_min.max(1);
    out.push(Bottleneck {
        code: "group_size",
        limit: if by_size == 0 { 0 } else { n },
        detail: format!(
            "{n} members with a candidate make at most {by_size} groups of {} to {}",
            r.group_min, r.group_max
        ),
    });
    if let Some(d) = largest {
        let others = n - in_largest;
        out.push(Bottleneck {
            code: "second_domain",
            limit: members_of(others),
            detail: format!(
                "{in_largest} of {n} members are {}: every group needs a member of another \
                 domain, and the {others} others can carry at most {others} groups \
                 ({} members)",
                d.code(),
                members_of(others)
            ),
        });
    }
    out.push(Bottleneck {
        code: "senior",
        limit: members_of(seniors),
        detail: format!(
            "every group needs a member beyond their first years; {seniors} can carry at \
             most {seniors} groups ({} members)",
            members_of(seniors)
        ),
    });
    out
}

/// Shadowing: a visitor is placed only at a compatible host with a place
/// left; a host is matched once they have a visitor. Each bottleneck's
/// limit is a sound upper bound on the members matched.
fn shadowing(round: &Round) -> (usize, Vec<u32>, Vec<Supply>, Vec<Bottleneck>) {
    let p = &round.participation;
    let g = &round.graph;
    let degree = g.degrees(true);
    let (visitor_degree, host_degree) = degree.split_at(g.n_left);
    let hosting = |m: u32| {
        p.hosts
            .iter()
            .position(|h| *h == m)
            .is_some_and(|i| host_degree[i] > 0)
    };
    let visiting = |m: u32| {
        p.members
            .binary_search(&m)
            .is_ok_and(|i| visitor_degree[i] > 0)
    };
    let mut all: Vec<u32> = p.members.iter().chain(&p.hosts).copied().collect();
    all.sort_unstable();
    all.dedup();
    let participants = all.len();
    let without: Vec<u32> = p
        .members
        .iter()
        .zip(visitor_degree)
        .filter(|(_, d)| **d == 0)
        .map(|(m, _)| *m)
        .collect();
    let mut bottlenecks = Vec::new();
    // Members who can be matched in no role.
    let stranded_visitors = without.iter().filter(|m| !hosting(**m)).count();
    if stranded_visitors > 0 {
        bottlenecks.push(Bottleneck {
            code: "no_candidate",
            limit: participants - stranded_visitors,
            detail: format!(
                "{} of {} visitors have no host within their travel range, language and \
                 history",
                without.len(),
                p.members.len()
            ),
        });
    }
    let idle_hosts: Vec<u32> = p
        .hosts
        .iter()
        .zip(host_degree)
        .filter(|(h, d)| **d == 0 && !visiting(**h))
        .map(|(h, _)| *h)
        .collect();
    if !idle_hosts.is_empty() {
        bottlenecks.push(Bottleneck {
            code: "visitors",
            limit: participants - idle_hosts.len(),
            detail: format!(
                "{} of {} hosts have no visitor within reach",
                idle_hosts.len(),
                p.hosts.len()
            ),
        });
    }
    // A host takes at most as many visitors as places and as candidates.
    let usable_places: usize = p
        .capacity
        .iter()
        .zip(host_degree)
        .map(|(c, d)| (*c as usize).min(*d))
        .sum();
    let reachable = p.members.len() - without.len();
    if usable_places < reachable {
        let hosts = host_degree.iter().filter(|d| **d > 0).count();
        let places: usize = p.capacity.iter().map(|c| *c as usize).sum();
        bottlenecks.push(Bottleneck {
            code: "host_places",
            limit: (usable_places + hosts).min(participants),
            detail: format!(
                "{reachable} visitors can reach a host, but the hosts they can reach offer \
                 {usable_places} places ({places} in all)"
            ),
        });
    }
    let mut supply = tally(round, &all, |_| (1, Some(0), Some(0)));
    let visitors = tally(round, &p.members, |_| (0, Some(1), Some(0)));
    let places = tally(round, &p.hosts, |h| {
        let i = p.hosts.iter().position(|x| *x == h).unwrap_or(0);
        (0, Some(0), Some(p.capacity[i] as usize))
    });
    for ((s, v), h) in supply.iter_mut().zip(visitors).zip(places) {
        s.visitors = v.visitors;
        s.host_places = h.host_places;
    }
    (participants, without, supply, bottlenecks)
}

/// Counts per province then per domain, every province and domain listed
/// (zeros included) so two rounds' answers line up.
fn tally(
    round: &Round,
    members: &[u32],
    count: impl Fn(u32) -> (usize, Option<usize>, Option<usize>),
) -> Vec<Supply> {
    let profiles = &round.prep.profiles;
    let mut rows: Vec<Supply> = Province::ALL
        .iter()
        .map(|p| ("province", p.code()))
        .chain(Domain::ALL.iter().map(|d| ("domain", d.code())))
        .map(|(by, key)| Supply {
            by,
            key,
            participants: 0,
            visitors: None,
            host_places: None,
        })
        .collect();
    let provinces = Province::ALL.len();
    for &m in members {
        let pr = &profiles[m as usize];
        let (n, v, h) = count(m);
        let p_row = Province::ALL
            .iter()
            .position(|x| *x == pr.province)
            .unwrap_or(0);
        let d_row = provinces
            + Domain::ALL
                .iter()
                .position(|x| *x == pr.domain)
                .unwrap_or(0);
        for row in [p_row, d_row] {
            let r = &mut rows[row];
            r.participants += n;
            if let Some(v) = v {
                r.visitors = Some(r.visitors.unwrap_or(0) + v);
            }
            if let Some(h) = h {
                r.host_places = Some(r.host_places.unwrap_or(0) + h);
            }
        }
    }
    rows
}
