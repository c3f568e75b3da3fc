//! Exact maximum-weight assignment of visitors to hosts with capacities.
//!
//! This is the bipartite b-matching LP (a min-cost flow: source → visitor,
//! visitor → host at cost −w, host → sink with the host's capacity), solved by
//! a primal-dual Hungarian method built like the blossom solver next door:
//!
//! - duals `y[visitor] >= 0`, `y[host] >= 0` with `y[v] + y[h] >= w(v, h)`;
//!   optimal when every used edge is tight, every unplaced visitor has
//!   `y = 0` and every host with room left has `y = 0`;
//! - a warm start (each visitor's dual at its best edge, hosts at zero, each
//!   visitor placed on its best host while that has room) leaves few visitors
//!   unplaced with positive dual; each roots an alternating tree;
//! - all trees grow together with the dual step applied lazily (an offset
//!   `d`), and the next event comes from a monotone radix queue (shared with
//!   the blossom solver): a tree visitor's dual reaching zero, or an edge from
//!   a tree visitor to a host outside all trees becoming tight (one entry per
//!   host: its best such edge). A tight edge to
//!   a host with room augments; to a full host it pulls that host (odd) and
//!   its visitors (even) into the tree. Only the tree that changed is taken
//!   apart afterwards, so work stays near the part of the graph involved.
//!
//! With `max_cardinality` every weight is shifted by a constant larger than
//! the sum of all |weights|, so placing one more visitor always wins. Ties
//! are broken by the same deterministic jitter as in the blossom solver, and
//! duals are `i64` or `i128` by the same rule.
//!
//! Worst case O(V·E) queue operations (each augmentation may relabel all);
//! 50,000 visitors, 20,000 hosts and 2.5·10⁶ candidate edges take about 1 s,
//! but the shadowing round at 100,000 members took 7.5 s, most of it
//! re-scanning hosts' edges in the tail. So [`max_weight_assignment`] first
//! runs an exact forward/reverse auction (`auction.rs`), whose answer is
//! kept only with an LP optimality proof, and falls back to this method
//! (it should not need to; the tests check both against brute force). The
//! auction works on the weights without jitter: among equally good
//! assignments it may pick a different one than this method would.

mod auction;

use std::cmp::Reverse;

use super::primal_dual::{fits_i64, mix64, tie_breaking, Dual, RadixQueue};

const NONE: u32 = u32::MAX;
const FREE: u8 = 0;
const EVEN: u8 = 1;
const ODD: u8 = 2;

/// Left side: `n_visitors` visitors, each assigned at most once. Right side:
/// hosts `0..capacity.len()`, host `h` takes at most `capacity[h]` visitors.
/// Edges are `(visitor, host, weight)`. Returns the host of each visitor.
/// With `max_cardinality`, the most visitors are placed and, among those
/// assignments, the total weight is largest.
///
/// Edges naming an unknown visitor or host are ignored; of parallel edges
/// only the heaviest counts. Without `max_cardinality`, edges of weight
/// `<= 0` are never used.
pub fn max_weight_assignment(
    n_visitors: usize,
    capacity: &[u32],
    edges: &[(u32, u32, i64)],
    max_cardinality: bool,
) -> Vec<Option<u32>> {
    let prepared = Prepared::build(n_visitors, capacity, edges, max_cardinality);
    let assign = if let Some(assign) = auction::assignment(&prepared) {
        assign
    } else if fits_i64(prepared.max_abs) {
        run(Solver::<i64>::new(prepared)).assign
    } else {
        run(Solver::<i128>::new(prepared)).assign
    };
    let mut out: Vec<Option<u32>> = assign.iter().map(|&h| (h != NONE).then_some(h)).collect();
    // Visitors past the u32 id range stay unplaced.
    out.resize(n_visitors, None);
    out
}

/// Total weight of an assignment, using the heaviest parallel edge for each
/// visitor–host pair (as the solver does).
pub fn assignment_weight(edges: &[(u32, u32, i64)], assign: &[Option<u32>]) -> i128 {
    let mut best: std::collections::HashMap<(u32, u32), i64> = std::collections::HashMap::new();
    for &(v, h, w) in edges {
        if assign.get(v as usize).copied().flatten() != Some(h) {
            continue;
        }
        let slot = best.entry((v, h)).or_insert(w);
        *slot = (*slot).max(w);
    }
    best.values().map(|&w| w as i128).sum()
}

fn run<T: Dual>(mut s: Solver<T>) -> Solver<T> {
    s.warm_start();
    s.solve();
    s
}

/// The deduplicated, scaled instance before the dual type is chosen.
struct Prepared {
    nv: usize,
    cap: Vec<u32>,
    vstart: Vec<u32>,
    ehost: Vec<u32>,
    ew: Vec<i128>,
    /// What the tie-breaking multiplied the weights by (each jitter is
    /// below it).
    scale: i128,
    max_abs: i128,
    hstart: Vec<u32>,
    hedges: Vec<u32>,
    evis: Vec<u32>,
}

struct Solver<T: Dual> {
    nv: usize,
    cap: Vec<u32>,
    /// Visitor-side CSR: for visitor v, edges `vstart[v]..vstart[v + 1]`.
    vstart: Vec<u32>,
    ehost: Vec<u32>,
    ew: Vec<T>,
    /// Host-side CSR of edge ids, and each edge's visitor.
    hstart: Vec<u32>,
    hedges: Vec<u32>,
    evis: Vec<u32>,
    /// Host and edge of each visitor's placement.
    assign: Vec<u32>,
    assign_e: Vec<u32>,
    members: Vec<Vec<u32>>,
    /// Duals, stored relative to `d` by label: even `y + d`, odd `y - d`.
    yv: Vec<T>,
    yh: Vec<T>,
    vlab: Vec<u8>,
    hlab: Vec<u8>,
    /// Tree (root visitor) of each labelled visitor / host.
    vtree: Vec<u32>,
    htree: Vec<u32>,
    /// The tight edge by which an odd host was reached.
    hparent_e: Vec<u32>,
    tree_vis: Vec<Vec<u32>>,
    tree_hosts: Vec<Vec<u32>>,
    d: T,
    /// Pending events by the offset at which they fire: a tree visitor's
    /// dual reaching zero, or a host's best edge from a tree visitor becoming
    /// tight (one live entry per host). Stale entries are dropped on pop.
    queue: RadixQueue<T, Pending>,
    best_key: Vec<T>,
    best_edge: Vec<u32>,
}

impl Prepared {
    /// Drops edges naming unknown visitors or hosts, keeps the heaviest of
    /// parallel edges, shifts weights for max-cardinality, then scales and
    /// jitters them (see `tie_breaking`).
    fn build(nv: usize, capacity: &[u32], edges: &[(u32, u32, i64)], mc: bool) -> Prepared {
        // Ids must stay below the NONE sentinel; an instance that large is
        // absurd, and the excess is simply left out.
        let limit = (u32::MAX - 1) as usize;
        let nv = nv.min(limit);
        let capacity = &capacity[..capacity.len().min(limit)];
        let nh = capacity.len();
        let mut list: Vec<(u32, u32, i64)> = edges
            .iter()
            .copied()
            .filter(|&(v, h, _)| (v as usize) < nv && (h as usize) < nh)
            .collect();
        list.sort_unstable_by_key(|e| (e.0, e.1, Reverse(e.2)));
        list.dedup_by(|later, earlier| later.0 == earlier.0 && later.1 == earlier.1);
        if !mc {
            list.retain(|e| e.2 > 0);
        }
        list.truncate(limit);
        let shift: i128 = if mc {
            list.iter().map(|e| (e.2 as i128).abs()).sum::<i128>() + 1
        } else {
            0
        };
        let m = list.len();
        // Same deterministic tie-breaking as the blossom solver: an
        // assignment uses at most `nv` edges, so the jitter sums stay below
        // one unit of the scaled weights.
        let (scale, spread) = tie_breaking(2 * nv, list.iter().map(|e| e.2 as i128 + shift));
        let mut vstart = vec![0u32; nv + 1];
        let mut hdeg = vec![0u32; nh + 1];
        let mut ehost = Vec::with_capacity(m);
        let mut evis = Vec::with_capacity(m);
        let mut ew = Vec::with_capacity(m);
        for &(v, h, w) in &list {
            vstart[v as usize + 1] += 1;
            hdeg[h as usize] += 1;
            ehost.push(h);
            evis.push(v);
            let jitter = (mix64((u64::from(v) << 32) | u64::from(h)) % spread) as i128;
            ew.push((w as i128 + shift) * scale + jitter);
        }
        drop(list);
        for v in 0..nv {
            vstart[v + 1] += vstart[v];
        }
        let mut hstart = vec![0u32; nh + 1];
        for h in 0..nh {
            hstart[h + 1] = hstart[h] + hdeg[h];
        }
        let mut fill: Vec<u32> = hstart[..nh].to_vec();
        let mut hedges = vec![0u32; m];
        for (e, &h) in ehost.iter().enumerate() {
            hedges[fill[h as usize] as usize] = e as u32;
            fill[h as usize] += 1;
        }
        let max_abs = ew.iter().map(|w: &i128| w.abs()).max().unwrap_or(0);
        Prepared {
            nv,
            cap: capacity.to_vec(),
            vstart,
            ehost,
            ew,
            scale,
            max_abs,
            hstart,
            hedges,
            evis,
        }
    }
}

impl<T: Dual> Solver<T> {
    /// Nobody placed, all duals zero.
    fn new(p: Prepared) -> Solver<T> {
        let (nv, nh) = (p.nv, p.cap.len());
        Solver {
            nv,
            cap: p.cap,
            vstart: p.vstart,
            ehost: p.ehost,
            ew: p.ew.into_iter().map(T::from_i128).collect(),
            hstart: p.hstart,
            hedges: p.hedges,
            evis: p.evis,
            assign: vec![NONE; nv],
            assign_e: vec![NONE; nv],
            members: vec![Vec::new(); nh],
            yv: vec![T::ZERO; nv],
            yh: vec![T::ZERO; nh],
            vlab: vec![FREE; nv],
            hlab: vec![FREE; nh],
            vtree: vec![NONE; nv],
            htree: vec![NONE; nh],
            hparent_e: vec![NONE; nh],
            tree_vis: vec![Vec::new(); nv],
            tree_hosts: vec![Vec::new(); nv],
            d: T::ZERO,
            queue: RadixQueue::new(),
            best_key: vec![T::MAX; nh],
            best_edge: vec![NONE; nh],
        }
    }

    /// Edge ids of visitor `v`.
    fn vedges(&self, v: u32) -> std::ops::Range<usize> {
        self.vstart[v as usize] as usize..self.vstart[v as usize + 1] as usize
    }

    /// Visitor `v`'s current dual.
    fn yv_now(&self, v: u32) -> T {
        match self.vlab[v as usize] {
            EVEN => self.yv[v as usize] - self.d,
            _ => self.yv[v as usize],
        }
    }

    /// Host `h`'s current dual.
    fn yh_now(&self, h: u32) -> T {
        match self.hlab[h as usize] {
            ODD => self.yh[h as usize] + self.d,
            _ => self.yh[h as usize],
        }
    }

    /// Places visitor `v` on edge `e`'s host.
    fn place(&mut self, v: u32, e: u32) {
        let h = self.ehost[e as usize];
        self.assign[v as usize] = h;
        self.assign_e[v as usize] = e;
        self.members[h as usize].push(v);
    }

    /// Takes visitor `v` off its host, if it has one.
    fn unplace(&mut self, v: u32) {
        let h = self.assign[v as usize];
        if h == NONE {
            return;
        }
        let list = &mut self.members[h as usize];
        if let Some(pos) = list.iter().position(|&x| x == v) {
            list.remove(pos);
        }
        self.assign[v as usize] = NONE;
        self.assign_e[v as usize] = NONE;
    }

    /// Visitor duals at their best edge, hosts at zero (so every constraint
    /// holds); each visitor then takes its best host while that has room.
    fn warm_start(&mut self) {
        for v in 0..self.nv as u32 {
            let mut best = NONE;
            for e in self.vedges(v) {
                if best == NONE || self.ew[e] > self.ew[best as usize] {
                    best = e as u32;
                }
            }
            if best == NONE {
                continue;
            }
            self.yv[v as usize] = self.ew[best as usize].max(T::ZERO);
            // Any tight edge will do; prefer the first host with room.
            let mut pick = NONE;
            for e in self.vedges(v) {
                let h = self.ehost[e];
                if self.ew[e] == self.yv[v as usize]
                    && (self.members[h as usize].len() as u64) < u64::from(self.cap[h as usize])
                {
                    pick = e as u32;
                    break;
                }
            }
            if pick != NONE {
                self.place(v, pick);
            }
        }
    }

    /// Roots a tree at every unplaced visitor with a positive dual, then
    /// handles events in time order until none is left.
    fn solve(&mut self) {
        for r in 0..self.nv as u32 {
            if self.assign[r as usize] == NONE && self.yv[r as usize] > T::ZERO {
                self.tree_vis[r as usize].push(r);
                self.label_even(r, r);
            }
        }
        while let Some((at, ev)) = self.next_event() {
            debug_assert!(at >= self.d, "negative dual step");
            self.d = at;
            match ev {
                Event::Visitor(v) => {
                    let tree = self.vtree[v as usize];
                    let old = self.assign[v as usize];
                    self.unplace(v);
                    if old != NONE {
                        let pe = self.hparent_e[old as usize];
                        self.augment(self.evis[pe as usize], pe);
                    }
                    self.dissolve(tree);
                }
                Event::Host(h) => {
                    let e = self.best_edge[h as usize];
                    let v = self.evis[e as usize];
                    let tree = self.vtree[v as usize];
                    if (self.members[h as usize].len() as u64) < u64::from(self.cap[h as usize]) {
                        self.augment(v, e);
                        self.dissolve(tree);
                        // The popped entry was h's only one and h stays
                        // outside every tree.
                        self.requeue_host(h);
                    } else {
                        self.hlab[h as usize] = ODD;
                        self.htree[h as usize] = tree;
                        self.hparent_e[h as usize] = e;
                        self.yh[h as usize] -= self.d;
                        self.tree_hosts[tree as usize].push(h);
                        let kids = self.members[h as usize].clone();
                        for c in kids {
                            self.tree_vis[tree as usize].push(c);
                            self.label_even(c, tree);
                        }
                    }
                }
            }
        }
    }

    /// Visitor `v` moves to edge `e`'s host; whoever reached `v`'s old host
    /// in the tree moves there, and so on up to the root.
    fn augment(&mut self, mut v: u32, mut e: u32) {
        loop {
            let old = self.assign[v as usize];
            self.unplace(v);
            self.place(v, e);
            if old == NONE {
                break;
            }
            e = self.hparent_e[old as usize];
            v = self.evis[e as usize];
        }
    }

    /// Labels visitor `v` even in `tree`, queues its dual's event and offers
    /// its edges to the hosts outside all trees.
    fn label_even(&mut self, v: u32, tree: u32) {
        let now = self.yv_now(v);
        self.vlab[v as usize] = EVEN;
        self.vtree[v as usize] = tree;
        self.yv[v as usize] = now + self.d;
        let key = self.yv[v as usize];
        self.queue.push(key, Pending::Visitor(v));
        for e in self.vedges(v) {
            let h = self.ehost[e];
            if self.hlab[h as usize] == FREE {
                let k = key + self.yh[h as usize] - self.ew[e];
                self.offer(h, k, e as u32);
            }
        }
    }

    /// Records `e` as free-standing host `h`'s best edge if its key beats the
    /// current one, and queues it.
    fn offer(&mut self, h: u32, key: T, e: u32) {
        if key < self.best_key[h as usize] {
            self.best_key[h as usize] = key;
            self.best_edge[h as usize] = e;
            self.queue.push(key, Pending::Host(h));
        }
    }

    /// Recomputes the best edge from an even visitor to free-standing `h`.
    fn requeue_host(&mut self, h: u32) {
        self.best_key[h as usize] = T::MAX;
        let lo = self.hstart[h as usize] as usize;
        let hi = self.hstart[h as usize + 1] as usize;
        for i in lo..hi {
            let e = self.hedges[i];
            let v = self.evis[e as usize];
            if self.vlab[v as usize] == EVEN {
                let k = self.yv[v as usize] + self.yh[h as usize] - self.ew[e as usize];
                self.offer(h, k, e);
            }
        }
    }

    /// The earliest pending event, discarding queue entries that went stale.
    fn next_event(&mut self) -> Option<(T, Event)> {
        while let Some((at, pending)) = self.queue.pop() {
            match pending {
                Pending::Host(h) => {
                    if self.hlab[h as usize] != FREE || self.best_key[h as usize] != at {
                        continue;
                    }
                    let e = self.best_edge[h as usize];
                    let v = self.evis[e as usize];
                    if self.vlab[v as usize] == EVEN
                        && self.yv[v as usize] + self.yh[h as usize] - self.ew[e as usize] == at
                    {
                        return Some((at, Event::Host(h)));
                    }
                    // Its visitor left a tree: find the host's new best edge.
                    self.requeue_host(h);
                }
                Pending::Visitor(v) => {
                    if self.vlab[v as usize] == EVEN && self.yv[v as usize] == at {
                        return Some((at, Event::Visitor(v)));
                    }
                }
            }
        }
        None
    }

    /// Takes a finished tree apart and re-queues edges from other trees into
    /// the hosts it released.
    fn dissolve(&mut self, tree: u32) {
        let vis = std::mem::take(&mut self.tree_vis[tree as usize]);
        let hosts = std::mem::take(&mut self.tree_hosts[tree as usize]);
        for &v in &vis {
            if self.vlab[v as usize] != FREE && self.vtree[v as usize] == tree {
                self.yv[v as usize] = self.yv_now(v);
                self.vlab[v as usize] = FREE;
                self.vtree[v as usize] = NONE;
            }
        }
        let mut freed = Vec::with_capacity(hosts.len());
        for &h in &hosts {
            if self.hlab[h as usize] != FREE && self.htree[h as usize] == tree {
                self.yh[h as usize] = self.yh_now(h);
                self.hlab[h as usize] = FREE;
                self.htree[h as usize] = NONE;
                freed.push(h);
            }
        }
        for h in freed {
            self.requeue_host(h);
        }
    }
}

/// An event that is due now.
enum Event {
    /// A tree visitor's dual reached zero.
    Visitor(u32),
    /// A host outside all trees has a tight edge from a tree visitor.
    Host(u32),
}

/// A queue entry: which slot to re-check when its key comes up (stale
/// entries are dropped on pop). Aligned like a `u64`, so the queue moves it
/// in one load.
#[derive(Clone, Copy)]
#[repr(align(8))]
enum Pending {
    /// The host's best edge from a tree visitor turns tight.
    Host(u32),
    /// The tree visitor's dual reaches zero.
    Visitor(u32),
}

#[cfg(test)]
impl<T: Dual> Solver<T> {
    /// Checks the LP optimality certificate; returns the first violation.
    fn certificate_violation(&self) -> Option<String> {
        for v in 0..self.nv {
            if self.vlab[v] != FREE || self.yv[v] < T::ZERO {
                return Some(format!("visitor {v} labelled or negative"));
            }
            if self.assign[v] == NONE && self.yv[v] != T::ZERO {
                return Some(format!("unplaced visitor {v} with dual {:?}", self.yv[v]));
            }
        }
        for h in 0..self.cap.len() {
            if self.hlab[h] != FREE || self.yh[h] < T::ZERO {
                return Some(format!("host {h} labelled or negative"));
            }
            if self.members[h].len() as u64 > u64::from(self.cap[h]) {
                return Some(format!("host {h} over capacity"));
            }
            if (self.members[h].len() as u64) < u64::from(self.cap[h]) && self.yh[h] != T::ZERO {
                return Some(format!("host {h} has room and dual {:?}", self.yh[h]));
            }
            for &v in &self.members[h] {
                if self.assign[v as usize] != h as u32 {
                    return Some(format!("members of {h} inconsistent"));
                }
            }
        }
        for e in 0..self.ew.len() {
            let (v, h) = (self.evis[e], self.ehost[e]);
            let slack = self.yv[v as usize] + self.yh[h as usize] - self.ew[e];
            if slack < T::ZERO {
                return Some(format!("edge {v}->{h} slack {slack:?}"));
            }
            if self.assign_e[v as usize] == e as u32 && slack != T::ZERO {
                return Some(format!("used edge {v}->{h} slack {slack:?}"));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Certificate check with dual type `T`; skipped (None) when the
    /// instance's numbers do not fit `T`, as the public entry point would.
    fn certify<T: Dual>(
        nv: usize,
        cap: &[u32],
        edges: &[(u32, u32, i64)],
        mc: bool,
    ) -> Option<String> {
        let prepared = Prepared::build(nv, cap, edges, mc);
        if T::BUCKETS == 65 && !fits_i64(prepared.max_abs) {
            return None;
        }
        run(Solver::<T>::new(prepared)).certificate_violation()
    }

    /// Best (placed, weight) over all assignments, by enumeration.
    fn brute(nv: usize, cap: &[u32], edges: &[(u32, u32, i64)], mc: bool) -> (usize, i128) {
        let nh = cap.len();
        let mut w = vec![vec![None::<i64>; nh]; nv];
        for &(v, h, x) in edges {
            if (v as usize) < nv && (h as usize) < nh {
                let cur = w[v as usize][h as usize].map_or(x, |c: i64| c.max(x));
                w[v as usize][h as usize] = Some(cur);
            }
        }
        fn rec(
            v: usize,
            w: &[Vec<Option<i64>>],
            load: &mut Vec<u32>,
            cap: &[u32],
            acc: (usize, i128),
            out: &mut Vec<(usize, i128)>,
        ) {
            if v == w.len() {
                out.push(acc);
                return;
            }
            rec(v + 1, w, load, cap, acc, out);
            for h in 0..cap.len() {
                if let Some(x) = w[v][h] {
                    if load[h] < cap[h] {
                        load[h] += 1;
                        rec(v + 1, w, load, cap, (acc.0 + 1, acc.1 + x as i128), out);
                        load[h] -= 1;
                    }
                }
            }
        }
        let mut all = Vec::new();
        rec(0, &w, &mut vec![0; nh], cap, (0, 0), &mut all);
        if mc {
            all.into_iter().max().unwrap_or((0, 0))
        } else {
            (0, all.into_iter().map(|x| x.1).max().unwrap_or(0))
        }
    }

    /// The primal-dual method's answer alone (the auction's fallback).
    fn by_hungarian(nv: usize, cap: &[u32], edges: &[(u32, u32, i64)], mc: bool) -> Vec<u32> {
        let prepared = Prepared::build(nv, cap, edges, mc);
        if fits_i64(prepared.max_abs) {
            run(Solver::<i64>::new(prepared)).assign
        } else {
            run(Solver::<i128>::new(prepared)).assign
        }
    }

    /// The auction's answer alone; it must give one (and pass its check).
    fn by_auction(nv: usize, cap: &[u32], edges: &[(u32, u32, i64)], mc: bool) -> Vec<u32> {
        auction::assignment(&Prepared::build(nv, cap, edges, mc)).expect("the auction answers")
    }

    fn as_options(assign: &[u32]) -> Vec<Option<u32>> {
        assign.iter().map(|&h| (h != NONE).then_some(h)).collect()
    }

    /// Checks one answer: along edges, within capacities, and as good as
    /// `want` (placed count too with max-cardinality).
    fn verify(
        cap: &[u32],
        edges: &[(u32, u32, i64)],
        mc: bool,
        assign: &[Option<u32>],
        want: (usize, i128),
    ) {
        let mut load = vec![0u32; cap.len()];
        for (v, a) in assign.iter().enumerate() {
            if let Some(h) = *a {
                assert!(
                    edges.iter().any(|&(x, y, _)| x as usize == v && y == h),
                    "placement along a missing edge"
                );
                load[h as usize] += 1;
            }
        }
        for h in 0..cap.len() {
            assert!(load[h] <= cap[h], "capacity exceeded");
        }
        let placed = assign.iter().filter(|a| a.is_some()).count();
        let got = (placed, assignment_weight(edges, assign));
        if mc {
            assert_eq!(got, want, "cap={cap:?} edges={edges:?}");
        } else {
            assert_eq!(got.1, want.1, "cap={cap:?} edges={edges:?}");
        }
    }

    /// The public answer, the auction's and the primal-dual method's, each
    /// against brute force, and the latter's certificate in both types.
    fn check(nv: usize, cap: &[u32], edges: &[(u32, u32, i64)], mc: bool) {
        assert_eq!(certify::<i64>(nv, cap, edges, mc), None);
        assert_eq!(certify::<i128>(nv, cap, edges, mc), None);
        let want = brute(nv, cap, edges, mc);
        let assign = max_weight_assignment(nv, cap, edges, mc);
        assert_eq!(assign.len(), nv);
        verify(cap, edges, mc, &assign, want);
        for assign in [
            by_auction(nv, cap, edges, mc),
            by_hungarian(nv, cap, edges, mc),
        ] {
            assert_eq!(assign.len(), nv);
            verify(cap, edges, mc, &as_options(&assign), want);
        }
    }

    #[test]
    fn small_cases() {
        check(0, &[], &[], false);
        check(2, &[1], &[(0, 0, 5), (1, 0, 7)], false);
        check(2, &[1, 1], &[(0, 0, 5), (1, 0, 7), (1, 1, 1)], false);
        check(2, &[1, 1], &[(0, 0, 5), (1, 0, 7), (1, 1, 1)], true);
        check(3, &[2], &[(0, 0, -1), (1, 0, 0), (2, 0, 3)], true);
        // Weights this large take the i128 path.
        let big = i64::MAX / 3;
        check(
            3,
            &[1, 1],
            &[(0, 0, big), (1, 0, big), (2, 1, -big), (1, 1, 1)],
            true,
        );
        check(
            3,
            &[1, 1],
            &[(0, 0, big), (1, 0, big), (2, 1, -big), (1, 1, 1)],
            false,
        );
        check(3, &[2], &[(0, 0, -1), (1, 0, 0), (2, 0, 3)], false);
        // A capacity far beyond the candidates costs the auction no places
        // (it would otherwise allocate one per unit of capacity).
        check(
            3,
            &[u32::MAX - 8, 1],
            &[(0, 0, 4), (1, 0, 6), (2, 1, 2)],
            false,
        );
        check(
            3,
            &[u32::MAX - 8, 1],
            &[(0, 0, 4), (1, 0, 6), (2, 1, 2)],
            true,
        );
        check(
            2,
            &[0, 1],
            &[(0, 0, 5), (1, 1, 2), (1, 1, 9), (5, 0, 1), (0, 7, 1)],
            false,
        );
    }

    type Instance = (usize, Vec<u32>, Vec<(u32, u32, i64)>, bool);

    fn instance() -> impl Strategy<Value = Instance> {
        (1usize..=8, 1usize..=4).prop_flat_map(|(nv, nh)| {
            let edge = (
                0..nv as u32,
                0..nh as u32,
                prop_oneof![8 => -5i64..=10i64, 1 => Just(0i64), 1 => Just(4i64), 1 => Just(i64::MAX / 30)],
            );
            (
                Just(nv),
                proptest::collection::vec(0u32..=3, nh),
                proptest::collection::vec(edge, 0..=20),
                any::<bool>(),
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]
        #[test]
        fn equals_brute_force((nv, cap, edges, mc) in instance()) {
            check(nv, &cap, &edges, mc);
        }

        /// The answer depends on the edge set, not on the order it came in.
        #[test]
        fn independent_of_edge_order((nv, cap, edges, mc) in instance(), rot in 0usize..20) {
            let mut shuffled: Vec<_> = edges.iter().rev().copied().collect();
            let len = shuffled.len().max(1);
            shuffled.rotate_left(rot % len);
            prop_assert_eq!(
                max_weight_assignment(nv, &cap, &edges, mc),
                max_weight_assignment(nv, &cap, &shuffled, mc)
            );
        }
    }

    /// A seeded xorshift generator for the random instances below.
    fn xorshift(mut st: u64) -> impl FnMut() -> u64 {
        move || {
            st ^= st << 13;
            st ^= st >> 7;
            st ^= st << 17;
            st
        }
    }

    #[test]
    fn certificate_on_random_instances() {
        let mut rnd = xorshift(0x9E37_79B9_7F4A_7C15);
        for round in 0..80 {
            let nv = 10 + (rnd() % 300) as usize;
            let nh = 1 + (rnd() % 120) as usize;
            let cap: Vec<u32> = (0..nh).map(|_| (rnd() % 4) as u32).collect();
            let k = 1 + (rnd() % 10) as usize;
            let maxw = [3u64, 20, 1000][round % 3];
            let mut edges = Vec::new();
            for v in 0..nv as u32 {
                for _ in 0..k {
                    let h = (rnd() % nh as u64) as u32;
                    edges.push((v, h, (rnd() % maxw) as i64 - (maxw / 4) as i64));
                }
            }
            for mc in [false, true] {
                assert_eq!(
                    certify::<i64>(nv, &cap, &edges, mc),
                    None,
                    "round {round} mc={mc}"
                );
                assert_eq!(
                    certify::<i128>(nv, &cap, &edges, mc),
                    None,
                    "i128 round {round} mc={mc}"
                );
            }
        }
    }

    /// Larger instances than brute force can take: the auction answers
    /// (its own check passed) with the primal-dual method's weight and
    /// placed count.
    #[test]
    fn auction_agrees_on_random_instances() {
        let mut rnd = xorshift(0x6A09_E667_F3BC_C908);
        for round in 0..80 {
            let nv = 10 + (rnd() % 400) as usize;
            let nh = 1 + (rnd() % 150) as usize;
            let cap: Vec<u32> = (0..nh).map(|_| (rnd() % 5) as u32).collect();
            let k = 1 + (rnd() % 12) as usize;
            let maxw = [3u64, 20, 1000, 1 << 40][round % 4];
            let mut edges = Vec::new();
            for v in 0..nv as u32 {
                for _ in 0..k {
                    let h = (rnd() % nh as u64) as u32;
                    edges.push((v, h, (rnd() % maxw) as i64 - (maxw / 4) as i64));
                }
            }
            for mc in [false, true] {
                let a = as_options(&by_auction(nv, &cap, &edges, mc));
                let b = as_options(&by_hungarian(nv, &cap, &edges, mc));
                // Without max-cardinality, equal weights may place
                // different numbers.
                let count = |x: &[Option<u32>]| {
                    let placed = x.iter().filter(|h| h.is_some()).count();
                    (if mc { placed } else { 0 }, assignment_weight(&edges, x))
                };
                assert_eq!(count(&a), count(&b), "round {round} mc={mc}");
            }
        }
    }

    /// Speed and certificate check at scale, both methods:
    /// `cargo test --release --lib flow::tests::large -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn large_random_instance() {
        let mut rnd = xorshift(0x2545_F491_4F6C_DD1D);
        let (nv, nh, k) = (50_000usize, 20_000usize, 50usize);
        let cap: Vec<u32> = (0..nh).map(|_| 1 + (rnd() % 3) as u32).collect();
        let mut edges = Vec::new();
        for v in 0..nv as u32 {
            for _ in 0..k {
                edges.push((v, (rnd() % nh as u64) as u32, (rnd() % 1000) as i64 + 1));
            }
        }
        for mc in [false, true] {
            let t = std::time::Instant::now();
            let solver = run(Solver::<i64>::new(Prepared::build(nv, &cap, &edges, mc)));
            let secs = t.elapsed().as_secs_f64();
            assert_eq!(solver.certificate_violation(), None, "mc={mc}");
            let placed = solver.assign.iter().filter(|&&h| h != NONE).count();
            let t = std::time::Instant::now();
            let fast = by_auction(nv, &cap, &edges, mc);
            let auction_secs = t.elapsed().as_secs_f64();
            assert_eq!(
                assignment_weight(&edges, &as_options(&fast)),
                assignment_weight(&edges, &as_options(&solver.assign)),
                "mc={mc}"
            );
            println!(
                "nv={nv} nh={nh} m={} mc={mc} placed={placed} primal-dual secs={secs:.3} \
                 auction secs={auction_secs:.3}",
                edges.len()
            );
        }
    }
}
