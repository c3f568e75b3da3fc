//! The learning network: every member who took part in a programme's rounds,
//! and every learning link between them (a buddy pair, a shadowing visit, two
//! members of one intervision group), with what became of it: proposed,
//! accepted, declined, met.
//!
//! Pure, like `matching`: the service reads the rows and hands them over as
//! a [`History`]; the measures, the domain matrix, the exports and the
//! pictures are computed here without IO, so they are tested and benchmarked
//! on their own. Measures are defined in the README ("The learning network").

pub mod centrality;
pub mod export;
pub mod matrix;
pub mod measures;
pub mod novelty;
pub mod picture;

use crate::domain::{Domain, ExperienceBand, MatchKind, Profession, Province};
use petgraph::graph::{NodeIndex, UnGraph};
use serde::Serialize;

/// A node. An erased member keeps their place (so the history's shape holds)
/// but nothing that says who they were: no name, no profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Member {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub domain: Option<Domain>,
    pub profession: Option<Profession>,
    pub province: Option<Province>,
    pub experience: Option<ExperienceBand>,
    pub erased: bool,
}

/// A published round in the network's scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Round {
    pub id: String,
    pub programme_id: String,
    pub number: u32,
    pub kind: MatchKind,
    /// Seconds since the epoch.
    #[serde(serialize_with = "crate::domain::time::iso8601")]
    pub published_at: i64,
}

/// Two members one match put together. A buddy pair and a shadowing visit
/// are one link; an intervision group of n members is n(n-1)/2 links.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    /// Index into [`History::rounds`].
    pub round: usize,
    pub match_id: String,
    pub kind: MatchKind,
    /// Indices into [`History::members`], `a < b`.
    pub a: usize,
    pub b: usize,
    /// Both took the match up.
    pub accepted: bool,
    /// Either said no to it.
    pub declined: bool,
    /// Meetings recorded for this link (see [`LinkMeetings`]).
    pub meetings: u32,
    pub hours: u32,
}

impl Link {
    pub fn met(&self) -> bool {
        self.meetings > 0
    }
}

/// What each member recorded in one match, turned into a link's meetings
/// and hours. In a pair or visit both usually record the same meeting, so
/// the link has the larger of the two records (never the sum, which would
/// count one afternoon twice); in a group a member's record says they were
/// at a session, so two members met as often as the fewer of their records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkMeetings {
    pub meetings: u32,
    pub hours: u32,
}

impl LinkMeetings {
    pub fn between(kind: MatchKind, a: LinkMeetings, b: LinkMeetings) -> LinkMeetings {
        match kind {
            MatchKind::Intervision => LinkMeetings {
                meetings: a.meetings.min(b.meetings),
                hours: a.hours.min(b.hours),
            },
            MatchKind::Buddy | MatchKind::Shadowing => LinkMeetings {
                meetings: a.meetings.max(b.meetings),
                hours: a.hours.max(b.hours),
            },
        }
    }
}

/// Everything the network is built from, for one scope (programme, period).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct History {
    pub members: Vec<Member>,
    /// Oldest first.
    pub rounds: Vec<Round>,
    /// In round order.
    pub links: Vec<Link>,
    /// (round, member): the member was matched or left unmatched by the
    /// solver in that round (those left out before matching, e.g. paused,
    /// are not), as the round's own `eligible` figure counts them.
    pub eligible: Vec<(usize, usize)>,
}

impl History {
    /// Adds a match's members as links; `members` are (member index,
    /// answer, recorded meetings). Rounds must be pushed first.
    pub fn add_match(
        &mut self,
        round: usize,
        match_id: &str,
        kind: MatchKind,
        members: &[(usize, Answered, LinkMeetings)],
    ) {
        let accepted = members.iter().all(|m| m.1 == Answered::Accepted);
        let declined = members.iter().any(|m| m.1 == Answered::Declined);
        for (i, x) in members.iter().enumerate() {
            for y in &members[i + 1..] {
                let (a, b) = if x.0 < y.0 { (x, y) } else { (y, x) };
                if a.0 == b.0 {
                    continue;
                }
                let m = LinkMeetings::between(kind, a.2, b.2);
                self.links.push(Link {
                    round,
                    match_id: match_id.to_owned(),
                    kind,
                    a: a.0,
                    b: b.0,
                    // A group link stands when both ends took it up, not the
                    // whole group.
                    accepted: if kind == MatchKind::Intervision {
                        a.1 == Answered::Accepted && b.1 == Answered::Accepted
                    } else {
                        accepted
                    },
                    declined: if kind == MatchKind::Intervision {
                        a.1 == Answered::Declined || b.1 == Answered::Declined
                    } else {
                        declined
                    },
                    meetings: m.meetings,
                    hours: m.hours,
                });
            }
        }
    }

    /// Whether a link joins two different, known domains.
    pub fn crosses_domains(&self, l: &Link) -> Option<bool> {
        Some(self.members[l.a].domain? != self.members[l.b].domain?)
    }
}

/// A member's answer as the network counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    Accepted,
    Declined,
    /// Pending or expired.
    Open,
}

/// The met links as an undirected simple graph over all members (node i is
/// member i): the graph the structural measures (components, bridges) and
/// the feedback into matching read.
pub fn met_graph(h: &History) -> UnGraph<(), ()> {
    graph_of(h, Link::met)
}

/// The links `keep` selects, one edge per pair however often they met.
pub fn graph_of(h: &History, keep: impl Fn(&Link) -> bool) -> UnGraph<(), ()> {
    let mut g = UnGraph::with_capacity(h.members.len(), h.links.len());
    for _ in &h.members {
        g.add_node(());
    }
    let mut seen = std::collections::HashSet::new();
    for l in h.links.iter().filter(|l| keep(l)) {
        if seen.insert((l.a, l.b)) {
            g.add_edge(NodeIndex::new(l.a), NodeIndex::new(l.b), ());
        }
    }
    g
}

/// The component each member is in (a representative member index), by
/// union-find over the links `keep` selects; a member with no such link is
/// alone in theirs.
pub fn components(h: &History, keep: impl Fn(&Link) -> bool) -> Vec<usize> {
    let mut uf = petgraph::unionfind::UnionFind::<usize>::new(h.members.len());
    for l in h.links.iter().filter(|l| keep(l)) {
        uf.union(l.a, l.b);
    }
    uf.into_labeling()
}

#[cfg(test)]
pub(crate) mod tests;
