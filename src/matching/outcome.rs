//! The engine's output: every match with its score and reasons, who stayed
//! unmatched and why, and round totals. Deterministic: the same instance and
//! seed serialise to the same bytes (timings are added outside the engine).

use super::conflicts::RemovedPairs;
use crate::domain::{Domain, MatchKind};
use serde::Serialize;

/// One score component's contribution to a match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// `base`, `cross_domain`, `cross_profession`, `complementary_experience`,
    /// `topics`, `in_person`, `online`, `hours_headroom`, `shared_language`.
    pub component: &'static str,
    pub points: i64,
    /// Human-readable detail, e.g. `uwv × self_employed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For `topics`: the member who learns and what they learn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub learner: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuddyPair {
    pub a: String,
    pub b: String,
    pub score: i64,
    pub reasons: Vec<Reason>,
    /// A coordinator pinned this match (`Instance::pinned`).
    #[serde(skip_serializing_if = "is_false")]
    pub pinned: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Visit {
    pub visitor: String,
    pub host: String,
    pub score: i64,
    pub reasons: Vec<Reason>,
    #[serde(skip_serializing_if = "is_false")]
    pub pinned: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub members: Vec<String>,
    /// Sum of the pairwise scores inside the group.
    pub score: i64,
    pub domains: Vec<Domain>,
    /// `online` or `in_person`: the mode every member can use.
    pub meeting_mode: &'static str,
    /// Pairwise reasons summed per component (topics: the union).
    pub reasons: Vec<Reason>,
    #[serde(skip_serializing_if = "is_false")]
    pub pinned: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Why a participant got no match this round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnmatchedReason {
    /// Asked for the form but paused their participation.
    Paused,
    /// Monthly hours below what the form costs.
    InsufficientHours,
    /// Monthly hours would do, but matches of other rounds in the same
    /// period already take so many that too few are left.
    HoursCommitted,
    /// Asked to host but offers no visitor places.
    NoHostCapacity,
    /// No other participant passes every hard constraint with them.
    NoCompatibleCandidate,
    /// Buddy: every compatible candidate is matched with someone else in the optimum.
    OddOneOut,
    /// Shadowing visitor: every compatible host is full.
    HostCapacity,
    /// Shadowing host: no visitor assigned.
    NoVisitor,
    /// Intervision: compatible candidates exist, but no valid group (size,
    /// every pair compatible, two domains, a senior, a shared language and
    /// meeting mode) among this round's participants includes them.
    NoFeasibleGroup,
    /// Intervision, `prefer: score`: a valid group with them existed, but the
    /// groups chosen for the highest total score leave them out.
    LeftOutForScore,
    /// Intervision, `prefer: coverage`: a valid group with them existed, but
    /// the groups place as many members as the search could, and they could
    /// not be added without leaving someone else out.
    LeftOutForCoverageLimit,
    /// Intervision, large rounds (searched in regional blocks): a valid group
    /// with them exists only with members of other blocks.
    LeftOutByRegionSplit,
}

impl UnmatchedReason {
    /// Kept out before any match was looked at (by their own settings or
    /// other rounds): not among the round's participants.
    pub fn before_matching(self) -> bool {
        Self::BEFORE_MATCHING.contains(&self)
    }

    pub const BEFORE_MATCHING: [UnmatchedReason; 4] = [
        UnmatchedReason::Paused,
        UnmatchedReason::InsufficientHours,
        UnmatchedReason::HoursCommitted,
        UnmatchedReason::NoHostCapacity,
    ];

    /// The code stored and sent for it.
    pub fn code(self) -> String {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(s)) => s,
            _ => unreachable!("a unit variant serialises as its name"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unmatched {
    pub member: String,
    pub reason: UnmatchedReason,
    /// Shadowing: the side left without a match (`visitor` or `host`); a
    /// member asking for both may host and still be an unplaced visitor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<&'static str>,
}

/// The candidate graph the solver maximised over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GraphSummary {
    pub nodes: usize,
    pub edges: usize,
    /// True when every compatible pair is an edge (nothing pruned).
    pub full: bool,
    pub candidates_per_member: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundResult {
    pub kind: MatchKind,
    pub round: u32,
    pub seed: u64,
    pub max_cardinality: bool,
    pub participants: usize,
    pub graph: GraphSummary,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pairs: Vec<BuddyPair>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub visits: Vec<Visit>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Group>,
    /// Sum of match scores; equals the sum of the chosen edges' weights in the emitted graph.
    pub total_score: i64,
    /// Intervision only: an upper bound on `total_score` over the same candidate graph.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upper_bound: Option<i64>,
    pub matched_members: usize,
    /// Intervision only: participants for whom some valid group exists
    /// (matched or not); the rest are `no_compatible_candidate` or
    /// `no_feasible_group`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placeable: Option<usize>,
    pub unmatched: Vec<Unmatched>,
    /// Share of matched pairs (in groups: of pairs inside groups) that cross domains.
    pub cross_domain_share: f64,
    /// Pairs of participants each pairwise rule ruled out (see [`RemovedPairs`]).
    pub removed_pairs: RemovedPairs,
}
