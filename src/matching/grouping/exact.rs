//! Exact grouping of small components: branch and bound over every valid
//! group, started from the local search's grouping, so the result is the
//! optimum whenever the search finishes within its step budget and the
//! local search's grouping otherwise.
//!
//! A group's members are pairwise compatible, so groups never cross the
//! components of the compatibility graph and each component is solved on
//! its own. Within one, members are taken in a fixed order: the lowest
//! still undecided either stays out or joins a valid group of undecided
//! members (each grouping is reached exactly once). The bound: each group's
//! value is split into shares of its members ([`shares`]), so the
//! undecided members can add at most the sum of the best share each gets
//! from any valid group of undecided members. Subproblems (the set of
//! undecided members) are remembered, with their value or a bound on it,
//! because many choices of earlier groups leave the same members undecided.

use super::Block;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Components of up to this many members are searched exactly (one bit each).
const MAX_MEMBERS: usize = 64;

/// Valid groups listed per component at most (the list is what the search
/// and its bound are made of): beyond, the component keeps the local
/// search's grouping. Listing takes its steps from the search's budget.
const MAX_GROUPS: usize = 200_000;

/// Subproblems remembered at most (about 66 MB: 2^21 buckets of 33 bytes,
/// about 100 MB while the table grows into them); beyond, the search stops
/// as when its steps run out.
const MAX_REMEMBERED: usize = 1 << 20;

pub struct Outcome {
    /// Valid groups (block indices, each sorted, sorted by first member).
    pub groups: Vec<Vec<u32>>,
    /// Every component's grouping is proven best for the block's objective
    /// (score, plus the coverage points when they are set).
    pub optimal: bool,
    /// A bound on the block's best objective: the proven best of each
    /// component, or the search's bound at its start where it ran out of
    /// steps; `None` when some component was too large to search, or the
    /// budget was spent before its turn.
    pub bound: Option<i64>,
}

/// What the search of one component found.
enum Solved {
    /// A better grouping, proven best, and its value.
    Better(Vec<Vec<u32>>, i64),
    /// The local search's grouping is best; its value.
    Kept(i64),
    /// Steps ran out; a bound on the best value.
    Bounded(i64),
    /// Too large to search, or the budget ran out while listing its groups.
    Unknown,
}

/// The best grouping of `b` the search can prove within `budget` search
/// steps over all components (what it spends is taken off, so that one
/// budget can cap a whole round), starting from `start` (the local
/// search's valid groups). A component whose search runs out of steps
/// keeps its groups from `start`, so the result is never worse than
/// `start`.
pub fn improve(b: &Block, start: Vec<Vec<u32>>, budget: &mut u64) -> Outcome {
    let mut optimal = true;
    let mut bound = Some(0i64);
    let mut groups: Vec<Vec<u32>> = Vec::new();
    let mut start_of: HashMap<u32, Vec<Vec<u32>>> = HashMap::new();
    let component = components(b);
    for g in start {
        start_of
            .entry(component[g[0] as usize])
            .or_default()
            .push(g);
    }
    let mut members_of: Vec<Vec<u32>> = vec![Vec::new(); b.n];
    for (x, &c) in component.iter().enumerate() {
        members_of[c as usize].push(x as u32);
    }
    for (c, members) in members_of.iter().enumerate() {
        let kept = start_of.remove(&(c as u32)).unwrap_or_default();
        if members.len() < b.min {
            // Too few for any group: nothing to prove.
            groups.extend(kept);
            continue;
        }
        let (proven, at_most) = match solve_component(b, members, &kept, budget) {
            Solved::Better(better, v) => {
                groups.extend(better);
                (true, Some(v))
            }
            Solved::Kept(v) => {
                groups.extend(kept);
                (true, Some(v))
            }
            Solved::Bounded(v) => {
                groups.extend(kept);
                (false, Some(v))
            }
            Solved::Unknown => {
                groups.extend(kept);
                (false, None)
            }
        };
        optimal &= proven;
        bound = bound.zip(at_most).map(|(a, b)| a + b);
    }
    for g in &mut groups {
        g.sort_unstable();
    }
    groups.sort_unstable();
    Outcome {
        groups,
        optimal,
        bound,
    }
}

/// The component of each member (the lowest member in it).
fn components(b: &Block) -> Vec<u32> {
    let mut component: Vec<u32> = vec![u32::MAX; b.n];
    let mut stack = Vec::new();
    for s in 0..b.n {
        if component[s] != u32::MAX {
            continue;
        }
        component[s] = s as u32;
        stack.push(s);
        while let Some(x) = stack.pop() {
            for (y, c) in component.iter_mut().enumerate() {
                if *c == u32::MAX && b.ok(x, y) {
                    *c = s as u32;
                    stack.push(y);
                }
            }
        }
    }
    component
}

/// The best grouping of one component's `members`, if the search can
/// prove it within `budget` steps (what it spends is taken off), starting
/// from `kept`, the local search's groups in it.
fn solve_component(b: &Block, members: &[u32], kept: &[Vec<u32>], budget: &mut u64) -> Solved {
    if members.len() > MAX_MEMBERS {
        return Solved::Unknown;
    }
    let Some(listed) = list_groups(b, members, budget) else {
        return Solved::Unknown;
    };
    // Members with the fewest groups first: they decide the most.
    let k = members.len();
    let mut count = vec![0usize; k];
    for (mask, _) in &listed {
        for x in bits(*mask) {
            count[x] += 1;
        }
    }
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by_key(|&x| (count[x], x));
    let mut rank = vec![0usize; k];
    for (r, &x) in order.iter().enumerate() {
        rank[x] = r;
    }
    let relabel = |mask: u64| bits(mask).fold(0u64, |m, x| m | 1 << rank[x]);
    let groups: Vec<(u64, i64)> = listed.iter().map(|&(m, v)| (relabel(m), v)).collect();
    let member = |r: usize| members[order[r]];

    let mut search = Search::new(b, k, &groups, &member, *budget);
    let incumbent: i64 = kept.iter().map(|g| value(b, g)).sum();
    let all = if k == 64 { u64::MAX } else { (1u64 << k) - 1 };
    let found = search.best(all, 1, incumbent);
    *budget = budget.saturating_sub(search.steps);
    let Some(found) = found else {
        return Solved::Bounded(search.root_bound().max(incumbent));
    };
    if found <= incumbent {
        return Solved::Kept(incumbent);
    }
    // The improving choices are all remembered as exact values.
    let mut out = Vec::new();
    let mut left = all;
    while left != 0 {
        let entry = search.memo[&left];
        debug_assert!(entry.exact);
        if entry.choice == 0 {
            left &= left - 1;
        } else {
            out.push(bits(entry.choice).map(member).collect());
            left &= !entry.choice;
        }
    }
    Solved::Better(out, found)
}

/// A group's value in the search's objective: its score plus the coverage
/// points of its members.
fn value(b: &Block, g: &[u32]) -> i64 {
    b.group_weight(g) + b.per_member * g.len() as i64
}

/// Every valid group of the component as (set of component positions,
/// value); `None` when there are too many to list or `budget` steps run
/// out (what listing spends is taken off).
fn list_groups(b: &Block, members: &[u32], budget: &mut u64) -> Option<Vec<(u64, i64)>> {
    let k = members.len();
    let adj: Vec<u64> = (0..k)
        .map(|x| {
            (0..k)
                .filter(|&y| b.ok(members[x] as usize, members[y] as usize))
                .fold(0u64, |m, y| m | 1 << y)
        })
        .collect();
    let mut lister = Lister {
        b,
        members,
        adj: &adj,
        group: Vec::new(),
        out: Vec::new(),
        steps: 0,
        budget: *budget,
    };
    for x in 0..k {
        let higher = if x == 63 { 0 } else { !0u64 << (x + 1) };
        lister.group.push(members[x]);
        let fits = lister.grow(1 << x, adj[x] & higher);
        lister.group.pop();
        if !fits {
            *budget = budget.saturating_sub(lister.steps);
            return None;
        }
    }
    *budget = budget.saturating_sub(lister.steps);
    Some(lister.out)
}

struct Lister<'a> {
    b: &'a Block,
    members: &'a [u32],
    adj: &'a [u64],
    /// The growing group (block indices).
    group: Vec<u32>,
    out: Vec<(u64, i64)>,
    steps: u64,
    budget: u64,
}

impl Lister<'_> {
    /// Record `group` if valid, then extend it by each candidate in turn
    /// (higher positions only, so each set is seen once); false when a limit
    /// is reached.
    fn grow(&mut self, mask: u64, candidates: u64) -> bool {
        self.steps += 1;
        if self.steps > self.budget {
            return false;
        }
        let b = self.b;
        if self.group.len() >= b.min && b.valid(&self.group).is_some() {
            self.out.push((mask, value(b, &self.group)));
            if self.out.len() > MAX_GROUPS {
                return false;
            }
        }
        if self.group.len() >= b.max {
            return true;
        }
        let mut rest = candidates;
        while rest != 0 {
            let y = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            let c = self.members[y];
            // Sharing a language and a meeting mode only gets harder as
            // the group grows.
            if !b.could_meet(&self.group, c as usize) {
                continue;
            }
            self.group.push(c);
            let fits = self.grow(mask | 1 << y, rest & self.adj[y]);
            self.group.pop();
            if !fits {
                return false;
            }
        }
        true
    }
}

fn bits(mask: u64) -> impl Iterator<Item = usize> {
    let mut rest = mask;
    std::iter::from_fn(move || {
        (rest != 0).then(|| {
            let x = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            x
        })
    })
}

/// Hashes a set of members (the memo's key) with splitmix64's finalizer:
/// the keys are the search's own, so no defence against chosen keys is
/// needed, and SipHash was a tenth of the search's time; the shifts both
/// ways let every key bit reach the low bits that pick the bucket.
#[derive(Default)]
struct MixHasher(u64);

impl Hasher for MixHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, x: u64) {
        let mut h = self.0 ^ x;
        h = (h ^ (h >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        h = (h ^ (h >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        self.0 = h ^ (h >> 31);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type Mix = BuildHasherDefault<MixHasher>;

/// Groups and a value for each, best first (apart, so that scanning for
/// a group reads only groups).
struct List {
    groups: Vec<u64>,
    values: Vec<i64>,
}

impl List {
    fn new(mut items: Vec<(u64, i64)>) -> List {
        items.sort_by(|p, q| q.1.cmp(&p.1).then(p.0.cmp(&q.0)));
        List {
            groups: items.iter().map(|x| x.0).collect(),
            values: items.iter().map(|x| x.1).collect(),
        }
    }
}

/// Per member, every group with (twice) the member's share of its value:
/// any split of each group's value among its members bounds the best
/// grouping by the sum of each member's best share, and the tighter the
/// shares, the less the search has to try.
///
/// The split starts from half of each member's weights inside the group
/// (plus the coverage points). Then each member gets a price, their best
/// share; lowering prices while every group's prices still cover its value
/// keeps a valid bound (the prices of a group's members bound what it can
/// add) and lowers it; a group's surplus of prices over its value is taken
/// off its members' shares equally.
fn shares(
    b: &Block,
    k: usize,
    groups: &[(u64, i64)],
    member: &dyn Fn(usize) -> u32,
) -> Vec<Vec<(u64, i64)>> {
    let mut price = vec![0i64; k];
    let mut of: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (gi, &(mask, _)) in groups.iter().enumerate() {
        for x in bits(mask) {
            let within: i64 = bits(mask)
                .filter(|&y| y != x)
                .map(|y| b.w(member(x) as usize, member(y) as usize))
                .sum();
            price[x] = price[x].max(2 * b.per_member + within);
            of[x].push(gi);
        }
    }
    let mut priced: Vec<i64> = groups
        .iter()
        .map(|&(mask, _)| bits(mask).map(|x| price[x]).sum())
        .collect();
    for _pass in 0..2 {
        for x in 0..k {
            let surplus = of[x]
                .iter()
                .map(|&gi| priced[gi] - 2 * groups[gi].1)
                .min()
                .unwrap_or(price[x]);
            let cut = surplus.clamp(0, price[x]);
            price[x] -= cut;
            for &gi in &of[x] {
                priced[gi] -= cut;
            }
        }
    }
    let mut share: Vec<Vec<(u64, i64)>> = vec![Vec::new(); k];
    for (gi, &(mask, v)) in groups.iter().enumerate() {
        let surplus = priced[gi] - 2 * v;
        let size = i64::from(mask.count_ones());
        let (each, rest) = (surplus / size, surplus % size);
        for (nth, x) in bits(mask).enumerate() {
            let cut = each + i64::from((nth as i64) < rest);
            share[x].push((mask, price[x] - cut));
        }
    }
    share
}

#[derive(Clone, Copy)]
struct Entry {
    /// The best value of the subproblem when `exact`, else a bound on it.
    value: i64,
    exact: bool,
    /// The group the lowest undecided member joins in the best grouping
    /// (0: they stay out); meaningful when `exact`.
    choice: u64,
}

struct Search {
    k: usize,
    /// Per member: the groups and twice the member's share of each one's
    /// value, best first.
    share: Vec<List>,
    /// Per member: the groups in which they come first and their values,
    /// best first.
    led: Vec<List>,
    /// `at[depth * k + x]`: how far member x's `share` list is known to hold
    /// only groups with decided members, on the current path.
    at: Vec<u32>,
    /// `top[depth * k + x]`: twice the best share member x can still get on
    /// the current path (0 if staying out is better).
    top: Vec<i64>,
    memo: HashMap<u64, Entry, Mix>,
    steps: u64,
    budget: u64,
}

impl Search {
    fn new(
        b: &Block,
        k: usize,
        groups: &[(u64, i64)],
        member: &dyn Fn(usize) -> u32,
        budget: u64,
    ) -> Search {
        let mut led: Vec<Vec<(u64, i64)>> = vec![Vec::new(); k];
        for &(mask, v) in groups {
            led[mask.trailing_zeros() as usize].push((mask, v));
        }
        Search {
            k,
            share: shares(b, k, groups, member)
                .into_iter()
                .map(List::new)
                .collect(),
            led: led.into_iter().map(List::new).collect(),
            at: vec![0; (k + 2) * k],
            top: vec![0; (k + 2) * k],
            memo: HashMap::default(),
            steps: 0,
            budget,
        }
    }

    /// Every member's best share, summed and halved: a bound on the whole
    /// component's best value.
    fn root_bound(&self) -> i64 {
        let twice: i64 = self
            .share
            .iter()
            .map(|list| list.values.first().map_or(0, |&v| v.max(0)))
            .sum();
        twice.div_euclid(2)
    }

    /// The best value of grouping the members of `left`, if it is above
    /// `need`; else a bound on it that is at most `need`. `None` when the
    /// step budget runs out or too many subproblems are remembered.
    fn best(&mut self, left: u64, depth: usize, need: i64) -> Option<i64> {
        if left == 0 {
            return Some(0);
        }
        // Every call counts, answered from the memo or not, and so does
        // every group looked at below, so that the budget bounds the time.
        self.spend(1)?;
        let known = self.memo.get(&left).copied();
        if let Some(e) = known {
            if e.exact || e.value <= need {
                return Some(e.value);
            }
        }
        let k = self.k;
        let mut twice = 0i64;
        for x in bits(left) {
            let list = &self.share[x];
            let mut p = self.at[(depth - 1) * k + x] as usize;
            let from = p;
            while p < list.groups.len() && list.groups[p] & !left != 0 {
                p += 1;
            }
            // Staying out is worth 0.
            let best = list.values.get(p).map_or(0, |&v| v.max(0));
            self.spend((p - from) as u64)?;
            self.at[depth * k + x] = p as u32;
            self.top[depth * k + x] = best;
            twice += best;
        }
        let mut bound = twice.div_euclid(2);
        if let Some(e) = known {
            bound = bound.min(e.value);
        }
        if bound <= need {
            self.remember(
                left,
                Entry {
                    value: bound,
                    exact: false,
                    choice: 0,
                },
            )?;
            return Some(bound);
        }
        let first = left.trailing_zeros() as usize;
        let (mut best, mut choice) = (i64::MIN, 0u64);
        let mut floor = need;
        // The best bound of a group settled without a call: when nothing
        // beats `need`, the answer must still bound those groups.
        let mut skipped = i64::MIN;
        for i in 0..self.led[first].groups.len() {
            self.spend(1)?;
            let (g, v) = (self.led[first].groups[i], self.led[first].values[i]);
            if g & !left != 0 {
                continue;
            }
            // The others keep at most their best share here: a cheap bound
            // that settles most groups without a call.
            let taken: i64 = bits(g).map(|x| self.top[depth * k + x]).sum();
            let cheap = v + (twice - taken).div_euclid(2);
            if cheap <= floor {
                skipped = skipped.max(cheap);
                continue;
            }
            let rest = self.best(left & !g, depth + 1, floor - v)?;
            if rest + v > best {
                (best, choice) = (rest + v, g);
                floor = floor.max(best);
            }
        }
        let rest = self.best(left & (left - 1), depth + 1, floor)?;
        if rest > best {
            (best, choice) = (rest, 0);
        }
        let exact = best > need;
        if !exact {
            best = best.max(skipped);
        }
        self.remember(
            left,
            Entry {
                value: best,
                exact,
                choice,
            },
        )?;
        Some(best)
    }

    /// Counts `n` steps; `None` once the budget is spent.
    fn spend(&mut self, n: u64) -> Option<()> {
        self.steps += n;
        (self.steps <= self.budget).then_some(())
    }

    /// `None` once the memo is full: the improving choices are read back
    /// from it, so it must keep every one.
    fn remember(&mut self, left: u64, e: Entry) -> Option<()> {
        if self.memo.len() >= MAX_REMEMBERED {
            return None;
        }
        self.memo.insert(left, e);
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{search, Block};
    use super::*;
    use crate::matching::profile::LangSet;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// A random block: pairs compatible with probability `dense` (a few
    /// negative weights), two or three domains, some juniors, two
    /// languages, mixed meeting modes, groups of 3–4 or 4–6.
    fn block(rng: &mut ChaCha8Rng, n: usize, dense: f64, per_member: i64) -> Block {
        let mut w = vec![0i64; n * n];
        let mut ok = vec![false; n * n];
        let mut near = vec![false; n * n];
        for x in 0..n {
            for y in x + 1..n {
                let c = rng.random_bool(dense);
                let v = rng.random_range(-5..60);
                let f = rng.random_bool(0.7);
                (ok[x * n + y], ok[y * n + x]) = (c, c);
                (w[x * n + y], w[y * n + x]) = (v, v);
                (near[x * n + y], near[y * n + x]) = (f, f);
            }
        }
        let (min, max) = if rng.random_bool(0.5) { (3, 4) } else { (4, 6) };
        Block {
            n,
            w,
            ok,
            near,
            domain: (0..n).map(|_| rng.random_range(0..3)).collect(),
            junior: (0..n).map(|_| rng.random_bool(0.3)).collect(),
            online: (0..n).map(|_| rng.random_bool(0.8)).collect(),
            in_person: (0..n).map(|_| rng.random_bool(0.6)).collect(),
            langs: (0..n)
                .map(|_| LangSet([rng.random_range(1..4), 0, 0, 0]))
                .collect(),
            min,
            max,
            per_member,
        }
    }

    /// The best objective by dynamic programming over every subset.
    fn brute(b: &Block) -> i64 {
        let n = b.n;
        let groups: Vec<(u32, i64)> = (1u32..1 << n)
            .filter_map(|m| {
                let g: Vec<u32> = (0..n as u32).filter(|&x| m & 1 << x != 0).collect();
                b.valid(&g).map(|_| (m, value(b, &g)))
            })
            .collect();
        let mut best = vec![0i64; 1 << n];
        for free in 1usize..1 << n {
            let low = free & free.wrapping_neg();
            let mut v = best[free & !low];
            for &(m, s) in &groups {
                let m = m as usize;
                if m & low != 0 && m & !free == 0 {
                    v = v.max(s + best[free & !m]);
                }
            }
            best[free] = v;
        }
        best[(1 << n) - 1]
    }

    fn objective(b: &Block, groups: &[Vec<u32>]) -> i64 {
        groups.iter().map(|g| value(b, g)).sum()
    }

    /// From the local search's groups (at a tiny effort, so they are often
    /// not the best) and from none: always the optimum, proven, valid and
    /// disjoint, and the bound is the optimum.
    #[test]
    fn optimum_on_random_blocks_against_every_subset() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        // Rounds the search improved, from the local search and from nothing.
        let mut improved = [0; 2];
        for round in 0..300u64 {
            let n = rng.random_range(4..=14);
            let per_member = if round % 3 == 0 { 500 } else { 0 };
            let dense = rng.random_range(0.3..1.0);
            let b = block(&mut rng, n, dense, per_member);
            let want = brute(&b);
            let start = search(&b, round, 0, 200);
            for from in [start.clone(), Vec::new()] {
                let out = improve(&b, from.clone(), &mut (1 << 40));
                assert!(out.optimal, "round {round}");
                assert_eq!(objective(&b, &out.groups), want, "round {round}");
                assert_eq!(out.bound, Some(want), "round {round}");
                let mut seen = vec![false; n];
                for g in &out.groups {
                    assert!(b.valid(g).is_some(), "round {round}: invalid group");
                    for &x in g {
                        assert!(!std::mem::replace(&mut seen[x as usize], true));
                    }
                }
                improved[usize::from(from.is_empty())] += usize::from(objective(&b, &from) < want);
            }
        }
        // The search has work to do on many of them.
        eprintln!("improved {improved:?} of 300");
        assert!(
            improved[0] >= 20 && improved[1] >= 150,
            "improved {improved:?}"
        );
    }

    /// Out of steps: the start stands, not proven, and the bound still
    /// holds.
    #[test]
    fn out_of_steps_keeps_the_start() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        // Rounds stopped while listing the groups, and while searching.
        let mut stopped = [0; 2];
        for round in 0..40u64 {
            let b = block(&mut rng, 14, 0.9, 0);
            let want = brute(&b);
            let start = search(&b, round, 0, 100);
            for steps in [3, 100, 200, 300, 500, 700, 1_000, 1_500] {
                let out = improve(&b, start.clone(), &mut { steps });
                if !out.optimal {
                    stopped[usize::from(out.bound.is_some())] += 1;
                    assert_eq!(out.groups, start);
                    assert!(out.bound.is_none_or(|x| x >= want), "round {round}");
                }
            }
        }
        eprintln!("stopped {stopped:?}");
        assert!(stopped[0] > 20 && stopped[1] > 3, "stopped {stopped:?}");
    }
}
