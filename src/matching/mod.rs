//! The matching engine: pure, deterministic, seeded.
//!
//! A round goes through two phases, so callers can time them apart:
//! [`prepare`] decides who takes part and builds the candidate graph;
//! [`Round::solve`] runs the exact solver (buddy, shadowing) or the
//! intervision search on it and explains every match.

pub mod blossom;
pub mod buddy;
pub mod candidates;
pub mod conflicts;
pub mod constraints;
pub mod emit;
pub mod flow;
pub mod grouping;
pub mod instance;
pub mod intervision;
pub mod outcome;
pub mod participation;
pub mod pins;
mod primal_dual;
pub mod profile;
pub mod readiness;
pub mod score;
pub mod shadowing;

use crate::domain::MatchKind;
use candidates::CandidateGraph;
pub use conflicts::RemovedPairs;
use constraints::{compatible, meeting, Meeting};
use instance::{Instance, Prefer};
use outcome::{Reason, RoundResult, Unmatched, UnmatchedReason};
use participation::Participation;
pub use pins::{check_pins, PinProblem};
pub use profile::InstanceError;
use profile::Prepared;
use score::{breakdown, pair_reasons, Breakdown, Direction};

/// A round ready to solve: participants and the candidate graph.
pub struct Round<'a> {
    pub instance: &'a Instance,
    pub prep: Prepared,
    pub participation: Participation,
    pub graph: CandidateGraph,
    /// Intervision: the members (local indices) searched together; one block
    /// when the graph is full.
    pub blocks: Vec<Vec<u32>>,
    /// Pinned matches as member indices (`[a, b]`, `[visitor, host]`, a
    /// group); their members (a host: one place per visit) are not in
    /// `participation` nor in the graph.
    pub pins: Vec<Vec<u32>>,
    /// Pairs each rule ruled out, over all participants (pinned included).
    pub removed: RemovedPairs,
}

/// Decide participation, check and take out the pins, and build the
/// candidate graph for the rest of the round.
pub fn prepare(instance: &Instance) -> Result<Round<'_>, InstanceError> {
    let prep = Prepared::new(instance)?;
    let kind = instance.round.kind;
    let mut participation = pins::participation(instance);
    let removed = conflicts::removed_pairs(&prep, &participation, kind);
    let (problems, pinned) = pins::problems(instance, &prep, &participation);
    if let Some(first) = problems.into_iter().find(|x| x.blocking) {
        return Err(InstanceError::Pin {
            pin: first.pin,
            members: instance.pinned[first.pin].members.join(", "),
            rule: first.rule,
            detail: first.detail,
        });
    }
    pins::reduce(kind, &mut participation, &pinned, instance.members.len());
    let (graph, blocks) = match kind {
        MatchKind::Buddy => (
            buddy::candidate_graph(instance, &prep, &participation),
            Vec::new(),
        ),
        MatchKind::Shadowing => (
            shadowing::candidate_graph(instance, &prep, &participation),
            Vec::new(),
        ),
        MatchKind::Intervision => intervision::candidate_graph(instance, &prep, &participation),
    };
    Ok(Round {
        instance,
        prep,
        participation,
        graph,
        blocks,
        pins: pinned,
        removed,
    })
}

/// The per-rule counts alone, without building the candidate graph (for a
/// readiness report): the same figures as `prepare(instance)?.removed_pairs()`
/// and the result's `removed_pairs`. Pins are not checked here.
pub fn removed_pairs(instance: &Instance) -> Result<RemovedPairs, InstanceError> {
    let prep = Prepared::new(instance)?;
    let p = pins::participation(instance);
    Ok(conflicts::removed_pairs(&prep, &p, instance.round.kind))
}

/// Prepare and solve in one call.
pub fn solve(instance: &Instance) -> Result<RoundResult, InstanceError> {
    Ok(prepare(instance)?.solve())
}

impl Round<'_> {
    pub fn solve(&self) -> RoundResult {
        let mut result = match self.instance.round.kind {
            MatchKind::Buddy => buddy::solve(self),
            MatchKind::Shadowing => shadowing::solve(self),
            MatchKind::Intervision => intervision::solve(self),
        };
        pins::add_pinned(self, &mut result);
        result
    }

    /// Pairs of participants each pairwise rule ruled out.
    pub fn removed_pairs(&self) -> RemovedPairs {
        self.removed
    }

    pub fn max_cardinality(&self) -> bool {
        self.instance.round.prefer == Prefer::Coverage
    }

    pub fn id(&self, member: u32) -> &str {
        &self.instance.members[member as usize].id
    }

    /// The score breakdown of two members as the candidate graph weighs
    /// them. A forced pin may break hard constraints: it is scored on what
    /// can be scored (a pair with no way to meet gets no meeting points).
    pub fn breakdown(&self, a: u32, b: u32, direction: Direction, cost: (u32, u32)) -> Breakdown {
        let in_person = self.instance.round.kind == MatchKind::Shadowing;
        let (pa, pb) = (
            &self.prep.profiles[a as usize],
            &self.prep.profiles[b as usize],
        );
        let how = compatible(&self.prep, a, b, in_person).or_else(|| meeting(pa, pb, in_person));
        let mut bd = breakdown(
            &self.instance.round.weights,
            pa,
            pb,
            how.unwrap_or(Meeting::Online),
            direction,
            cost.0,
            cost.1,
        );
        if how.is_none() {
            bd.online = 0;
        }
        bd
    }

    /// Score and reasons of one chosen pair.
    pub fn explain(
        &self,
        a: u32,
        b: u32,
        direction: Direction,
        cost: (u32, u32),
    ) -> (i64, Vec<Reason>) {
        let bd = self.breakdown(a, b, direction, cost);
        let w = &self.instance.round.weights;
        let reasons = pair_reasons(
            &bd,
            (self.id(a), &self.prep.profiles[a as usize]),
            (self.id(b), &self.prep.profiles[b as usize]),
            w.topic,
            w.topic_cap,
        );
        (bd.total(), reasons)
    }

    /// Members excluded before matching, then `extra`, in member order.
    pub fn unmatched(&self, extra: Vec<(u32, UnmatchedReason)>) -> Vec<Unmatched> {
        let mut all: Vec<(u32, UnmatchedReason)> = self
            .participation
            .excluded
            .iter()
            .copied()
            .chain(extra)
            .collect();
        all.sort_by_key(|x| x.0);
        all.into_iter()
            .map(|(m, reason)| {
                let role = match (self.instance.round.kind, reason) {
                    (MatchKind::Shadowing, UnmatchedReason::NoVisitor) => Some("host"),
                    (
                        MatchKind::Shadowing,
                        UnmatchedReason::HostCapacity | UnmatchedReason::NoCompatibleCandidate,
                    ) => Some("visitor"),
                    _ => None,
                };
                Unmatched {
                    member: self.id(m).to_string(),
                    reason,
                    role,
                }
            })
            .collect()
    }
}

/// Share as a fraction rounded to 4 decimals, so the JSON stays short and stable.
pub fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 / whole as f64 * 10_000.0).round() / 10_000.0
    }
}
