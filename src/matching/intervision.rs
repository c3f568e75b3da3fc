//! Intervision groups: sizes in [min, max], every pair compatible, at least
//! two domains, not juniors only, a shared language and meeting mode;
//! maximising the sum of pairwise scores inside groups.
//!
//! Small rounds are one block over the full graph. Large rounds are cut into
//! blocks of about [`BLOCK`] members of nearby provinces (a seeded shuffle
//! within each province), each block a full graph searched on its own: the
//! search is then linear in the number of members, and the in-person groups
//! that need short distances stay possible.

use super::candidates::CandidateGraph;
use super::constraints::{compatible, in_person_possible};
use super::grouping::{self, exact, Block, GroupMode};
use super::instance::{Instance, Prefer};
use super::outcome::{GraphSummary, Group, RoundResult, UnmatchedReason};
use super::participation::Participation;
use super::profile::Prepared;
use super::score::{breakdown, group_reasons, Breakdown, Direction};
use super::{share, Round};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Members per block in large rounds: big enough for good groups, small
/// enough that the dense block search stays fast.
pub const BLOCK: usize = 120;

/// A block is searched as if it had at least this many members, so small
/// rounds (where optimality matters most and time is nothing) search long:
/// 2 million evaluations at the default effort.
pub const MIN_BLOCK_EFFORT_MEMBERS: u64 = 200;

/// The candidate graph (all compatible pairs inside each block) and the blocks.
pub fn candidate_graph(
    instance: &Instance,
    prep: &Prepared,
    p: &Participation,
) -> (CandidateGraph, Vec<Vec<u32>>) {
    let r = &instance.round;
    let n = p.members.len();
    let blocks: Vec<Vec<u32>> = if n < r.full_graph_below {
        vec![(0..n as u32).collect()]
    } else {
        let mut rng = ChaCha8Rng::seed_from_u64(r.seed);
        rng.set_stream(u64::MAX);
        let mut order: Vec<(u8, u64, u32)> = (0..n as u32)
            .map(|i| {
                (
                    prep.profiles[p.members[i as usize] as usize].province as u8,
                    rng.random(),
                    i,
                )
            })
            .collect();
        order.sort_unstable();
        let mut blocks: Vec<Vec<u32>> = order
            .chunks(BLOCK)
            .map(|c| c.iter().map(|x| x.2).collect())
            .collect();
        if blocks.len() > 1 && blocks.last().is_some_and(|b| b.len() < BLOCK / 2) {
            let last = blocks.pop().unwrap_or_default();
            blocks.last_mut().expect("more than one block").extend(last);
        }
        for b in &mut blocks {
            b.sort_unstable();
        }
        blocks
    };
    let cost = u32::from(r.form_hours.intervision);
    let mut edges = Vec::new();
    for b in &blocks {
        for (x, &i) in b.iter().enumerate() {
            for &j in &b[x + 1..] {
                let (mi, mj) = (p.members[i as usize], p.members[j as usize]);
                if let Some(m) = compatible(prep, mi, mj, false) {
                    let (pa, pb) = (&prep.profiles[mi as usize], &prep.profiles[mj as usize]);
                    let w = breakdown(&r.weights, pa, pb, m, Direction::Mutual, cost, cost).total();
                    edges.push((i.min(j), i.max(j), w));
                }
            }
        }
    }
    edges.sort_unstable();
    let full = blocks.len() == 1;
    (
        CandidateGraph {
            edges,
            n_left: n,
            n_right: n,
            full,
        },
        blocks,
    )
}

/// Steps per unit of `search_effort` for the exact search of a round's
/// small components, shared by all its blocks: 2 billion at the default
/// effort, about 1 second of one core (a step is a call or one group
/// looked at; 29 of the 30 rounds of 12–24 members `bench/run
/// --intervision-small` solves are proven within it, 27 within 100
/// million; the 30th is proven at 40 billion), then the local search's
/// grouping stands.
pub const EXACT_STEPS_PER_EFFORT: u64 = 200_000;

/// Dense block views, built from the candidate graph's own edges so that the
/// search maximises exactly the emitted weights.
fn dense_blocks(round: &Round) -> Vec<Block> {
    let r = &round.instance.round;
    let p = &round.participation;
    let mut where_: Vec<(usize, usize)> = vec![(0, 0); p.members.len()];
    for (bi, b) in round.blocks.iter().enumerate() {
        for (x, &i) in b.iter().enumerate() {
            where_[i as usize] = (bi, x);
        }
    }
    let mut out: Vec<Block> = round
        .blocks
        .iter()
        .map(|b| {
            let n = b.len();
            let prof = |x: usize| &round.prep.profiles[p.members[b[x] as usize] as usize];
            let mut near = vec![false; n * n];
            for x in 0..n {
                for y in 0..n {
                    near[x * n + y] = x != y && in_person_possible(prof(x), prof(y));
                }
            }
            Block {
                n,
                w: vec![0; n * n],
                ok: vec![false; n * n],
                near,
                domain: (0..n).map(|x| prof(x).domain as u8).collect(),
                junior: (0..n).map(|x| prof(x).junior).collect(),
                online: (0..n).map(|x| prof(x).online).collect(),
                in_person: (0..n).map(|x| prof(x).in_person).collect(),
                langs: (0..n).map(|x| prof(x).languages).collect(),
                min: r.group_min,
                max: r.group_max,
                per_member: 0,
            }
        })
        .collect();
    for &(u, v, w) in &round.graph.edges {
        let ((bu, x), (bv, y)) = (where_[u as usize], where_[v as usize]);
        debug_assert_eq!(bu, bv, "edges stay inside blocks");
        let blk = &mut out[bu];
        let n = blk.n;
        blk.w[x * n + y] = w;
        blk.w[y * n + x] = w;
        blk.ok[x * n + y] = true;
        blk.ok[y * n + x] = true;
    }
    if r.prefer == Prefer::Coverage {
        // One more member placed outweighs any difference in score.
        for blk in &mut out {
            blk.per_member = 1 + blk.w.iter().map(|w| w.abs()).sum::<i64>() / 2;
        }
    }
    out
}

/// A block of `m` and every participant compatible with `m` anywhere in
/// the round (not only in `m`'s block), with `m` at index 0: enough to
/// decide whether any valid group includes `m`.
fn neighbourhood(round: &Round, m: u32) -> Option<Block> {
    let r = &round.instance.round;
    let p = &round.participation;
    let member = p.members[m as usize];
    let mut who: Vec<u32> = vec![member];
    who.extend(
        p.members
            .iter()
            .copied()
            .filter(|&o| compatible(&round.prep, member, o, false).is_some()),
    );
    if who.len() == 1 {
        return None;
    }
    let n = who.len();
    let prof = |x: usize| &round.prep.profiles[who[x] as usize];
    let mut ok = vec![false; n * n];
    let mut near = vec![false; n * n];
    for x in 0..n {
        for y in x + 1..n {
            let c = compatible(&round.prep, who[x], who[y], false).is_some();
            let f = in_person_possible(prof(x), prof(y));
            (ok[x * n + y], ok[y * n + x]) = (c, c);
            (near[x * n + y], near[y * n + x]) = (f, f);
        }
    }
    Some(Block {
        n,
        w: vec![0; n * n],
        ok,
        near,
        domain: (0..n).map(|x| prof(x).domain as u8).collect(),
        junior: (0..n).map(|x| prof(x).junior).collect(),
        online: (0..n).map(|x| prof(x).online).collect(),
        in_person: (0..n).map(|x| prof(x).in_person).collect(),
        langs: (0..n).map(|x| prof(x).languages).collect(),
        min: r.group_min,
        max: r.group_max,
        per_member: 0,
    })
}

/// Why a participant the search did not place stayed out; every reason is
/// checked, not assumed. `x` is their index in block `bi`.
fn why_unplaced(round: &Round, blocks: &[Block], bi: usize, x: usize) -> UnmatchedReason {
    let left_out = match round.instance.round.prefer {
        Prefer::Score => UnmatchedReason::LeftOutForScore,
        Prefer::Coverage => UnmatchedReason::LeftOutForCoverageLimit,
    };
    if blocks[bi].placeable(x) {
        return left_out;
    }
    let i = round.blocks[bi][x];
    if blocks.len() == 1 {
        // The block is the whole round: its edges are every compatible pair.
        return if (0..blocks[bi].n).any(|y| blocks[bi].ok[x * blocks[bi].n + y]) {
            UnmatchedReason::NoFeasibleGroup
        } else {
            UnmatchedReason::NoCompatibleCandidate
        };
    }
    // Large rounds search regional blocks; a group with members of other
    // blocks may still exist, and only the whole round can say.
    match neighbourhood(round, i) {
        None => UnmatchedReason::NoCompatibleCandidate,
        Some(nb) if nb.placeable(0) => UnmatchedReason::LeftOutByRegionSplit,
        Some(_) => UnmatchedReason::NoFeasibleGroup,
    }
}

/// For every participant, the best `max - 1` incident weights: no group can
/// give a member more, so half their sum bounds the objective.
fn upper_bound(g: &CandidateGraph, max: usize) -> i64 {
    let mut incident: Vec<Vec<i64>> = vec![Vec::new(); g.n_left];
    for &(u, v, w) in &g.edges {
        incident[u as usize].push(w);
        incident[v as usize].push(w);
    }
    let twice: i64 = incident
        .iter_mut()
        .map(|ws| {
            ws.sort_unstable_by(|a, b| b.cmp(a));
            ws.iter().take(max.saturating_sub(1)).sum::<i64>()
        })
        .sum();
    twice / 2
}

pub fn solve(round: &Round) -> RoundResult {
    let r = &round.instance.round;
    let p = &round.participation;
    let g = &round.graph;
    let cost = u32::from(r.form_hours.intervision);
    let blocks = dense_blocks(round);
    let mut groups = Vec::new();
    let mut placed = vec![false; p.members.len()];
    let mut placed_local: Vec<Vec<bool>> = blocks.iter().map(|b| vec![false; b.n]).collect();
    let (mut total, mut pairs, mut crossing) = (0i64, 0usize, 0usize);
    let mut proven = true;
    // The blocks' own bounds, summed while every block has one.
    let mut bounded = Some(0i64);
    // One budget for the whole round's exact search, so that many small
    // blocks cannot each spend a full one.
    let mut exact_budget = r.search_effort.saturating_mul(EXACT_STEPS_PER_EFFORT);
    for (bi, blk) in blocks.iter().enumerate() {
        let budget = r
            .search_effort
            .saturating_mul((blk.n as u64).max(MIN_BLOCK_EFFORT_MEMBERS));
        let found = grouping::search(blk, r.seed, bi as u64, budget);
        let exact = exact::improve(blk, found, &mut exact_budget);
        proven &= exact.optimal;
        bounded = bounded.zip(exact.bound).map(|(a, b)| a + b);
        for local in exact.groups {
            let mode = blk
                .valid(&local)
                .expect("the search returns valid groups only");
            let score = blk.group_weight(&local);
            let mut members: Vec<u32> = local
                .iter()
                .map(|&x| p.members[round.blocks[bi][x as usize] as usize])
                .collect();
            members.sort_unstable();
            let mut sum = Breakdown::default();
            for (x, &a) in members.iter().enumerate() {
                for &b in &members[x + 1..] {
                    sum.add(&round.breakdown(a, b, Direction::Mutual, (cost, cost)));
                    pairs += 1;
                    let pr = &round.prep.profiles;
                    crossing += usize::from(pr[a as usize].domain != pr[b as usize].domain);
                }
            }
            debug_assert_eq!(sum.total(), score, "reasons add up to the group's weight");
            for &x in &local {
                placed[round.blocks[bi][x as usize] as usize] = true;
                placed_local[bi][x as usize] = true;
            }
            total += score;
            let mut domains: Vec<_> = members
                .iter()
                .map(|&m| round.prep.profiles[m as usize].domain)
                .collect();
            domains.sort_unstable();
            domains.dedup();
            groups.push((
                members[0],
                Group {
                    members: members.iter().map(|&m| round.id(m).to_string()).collect(),
                    score,
                    domains,
                    meeting_mode: match mode {
                        GroupMode::Online => "online",
                        GroupMode::InPerson => "in_person",
                    },
                    reasons: group_reasons(&sum),
                    pinned: false,
                },
            ));
        }
    }
    groups.sort_by_key(|x| x.0);
    let mut extra: Vec<(u32, UnmatchedReason)> = Vec::new();
    for (bi, local) in placed_local.iter().enumerate() {
        for x in (0..local.len()).filter(|&x| !local[x]) {
            let i = round.blocks[bi][x] as usize;
            extra.push((p.members[i], why_unplaced(round, &blocks, bi, x)));
        }
    }
    let matched_members = placed.iter().filter(|&&x| x).count();
    let placeable = matched_members
        + extra
            .iter()
            .filter(|(_, why)| {
                !matches!(
                    why,
                    UnmatchedReason::NoFeasibleGroup | UnmatchedReason::NoCompatibleCandidate
                )
            })
            .count();
    RoundResult {
        kind: r.kind,
        round: r.round,
        seed: r.seed,
        max_cardinality: false,
        participants: p.members.len(),
        graph: GraphSummary {
            nodes: g.n_left,
            edges: g.edges.len(),
            full: g.full,
            candidates_per_member: if g.full {
                g.n_left.saturating_sub(1)
            } else {
                BLOCK - 1
            },
        },
        matched_members,
        placeable: Some(placeable),
        cross_domain_share: share(crossing, pairs),
        pairs: Vec::new(),
        visits: Vec::new(),
        groups: groups.into_iter().map(|x| x.1).collect(),
        total_score: total,
        // The exact search's bound is on the score alone only without
        // coverage points; a proven best score is its own bound.
        upper_bound: Some(match bounded {
            Some(b) if r.prefer == Prefer::Score => {
                debug_assert!(!proven || b == total, "a proven optimum bounds itself");
                b.min(upper_bound(g, r.group_max))
            }
            _ => upper_bound(g, r.group_max),
        }),
        unmatched: round.unmatched(extra),
        removed_pairs: round.removed,
    }
}
