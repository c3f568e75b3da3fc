//! The assignment by auction: the fast path in front of the primal-dual
//! method, which stays as the fallback.
//!
//! Host `h` is `cap[h]` places ("slots") with a price each; staying
//! unplaced is an option of every visitor, worth 0 at price 0. This is the
//! asymmetric assignment problem (places may stay empty), solved by
//! Bertsekas' forward/reverse auction with ε-scaling:
//!
//! - forward: each free visitor bids for its best option (value minus
//!   price) and raises that slot's price by its margin over the second-best
//!   plus ε, taking the slot from its holder, who bids again;
//! - reverse: a host with an empty place and a price above zero lowers the
//!   price of its places to attract the visitor who would gain most (the
//!   second-best gain minus ε), or to zero when nobody would gain more than
//!   ε; the visitor it draws leaves a place elsewhere, whose host may then
//!   do the same.
//!
//! Both keep ε-complementary slackness (every visitor within ε of its best
//! option, every place that stays empty at price zero), so with weights
//! multiplied by `visitors + 1` the placement is optimal once ε is one.
//! The auction runs on the weights before the tie-breaking jitter (bids do
//! not slow down on equal weights the way trees do) and caches each
//! visitor's best arcs ([`Candidates`]); a visitor's arc goes to the host,
//! whose price for bids is its cheapest place's.
//!
//! Its answer is only kept with a proof: host duals from the final prices
//! (rounded up to weight units, then lowered by Bellman-Ford where a
//! placed visitor is not at its best), visitor duals at their best option,
//! and every complementary-slackness condition of the b-matching LP
//! checked (see [`Auction::certified`]).

use super::Prepared;
use crate::matching::primal_dual::{
    Candidates, Dual, MAX_SCALED_I128, MAX_SCALED_I64, PRICE_CAP, SHRINK,
};

/// Bellman-Ford relaxations allowed per host before the repair gives up.
const MAX_RELAX_PER_HOST: u64 = 64;
const NONE: u32 = u32::MAX;

/// The host of each visitor (`NONE`: unplaced) in a maximum-weight
/// placement of `p`'s unjittered weights, or None when the numbers are too
/// large for the auction or its result fails the optimality check (it
/// should not); the caller then uses the primal-dual method.
pub(super) fn assignment(p: &Prepared) -> Option<Vec<u32>> {
    let base: Vec<i128> = p.ew.iter().map(|w| w.div_euclid(p.scale)).collect();
    let max_w = base.iter().copied().max().unwrap_or(0);
    if max_w <= 0 {
        // Only the max-cardinality shift makes weights positive, and
        // without it non-positive edges were dropped: nothing to place.
        return Some(vec![NONE; p.nv]);
    }
    let slots: u64 = (0..p.cap.len()).map(|h| u64::from(places(p, h))).sum();
    if p.nv as u64 + slots + p.cap.len() as u64 >= u64::from(NONE) {
        return None;
    }
    let scale = p.nv as i128 + 1;
    let scaled = max_w.saturating_mul(scale);
    if scaled < MAX_SCALED_I64 {
        Auction::<i64>::new(p, &base, scale).solve()
    } else if scaled < MAX_SCALED_I128 {
        Auction::<i128>::new(p, &base, scale).solve()
    } else {
        None
    }
}

/// A host's places in the auction: its capacity, but never more than one
/// beyond its candidates. It can never take more visitors than it has
/// candidates, and one place that always stays empty keeps its price at
/// zero as all the unused ones would; a capacity far above the candidates
/// would otherwise cost memory and every bid's scan of the host's places.
fn places(p: &Prepared, h: usize) -> u32 {
    let candidates = p.hstart[h + 1] - p.hstart[h];
    p.cap[h].min(candidates.saturating_add(1))
}

/// Column ids: hosts `0..nh` (for bids only: the host's cheapest place),
/// then `STAY = nh` (staying unplaced: price 0, any number of visitors),
/// then places `nh + 1 + s`.
struct Auction<'a, A: Dual> {
    p: &'a Prepared,
    nv: usize,
    nh: usize,
    /// Places of host `h`: `slot_start[h]..slot_start[h + 1]`.
    slot_start: Vec<u32>,
    slot_host: Vec<u32>,
    /// Each edge's weight, unjittered, in the auction's type.
    w: Vec<A>,
    scale: A,
}

/// Where the auction ends: each visitor's column and the prices.
struct Outcome<A> {
    col: Vec<u32>,
    price: Vec<A>,
}

impl<'a, A: Dual> Auction<'a, A> {
    fn new(p: &'a Prepared, base: &[i128], scale: i128) -> Auction<'a, A> {
        let nh = p.cap.len();
        let mut slot_start = Vec::with_capacity(nh + 1);
        let mut slot_host = Vec::new();
        slot_start.push(0u32);
        for h in 0..nh {
            slot_host.extend(std::iter::repeat_n(h as u32, places(p, h) as usize));
            slot_start.push(slot_host.len() as u32);
        }
        Auction {
            p,
            nv: p.nv,
            nh,
            slot_start,
            slot_host,
            w: base.iter().map(|&x| A::from_i128(x)).collect(),
            scale: A::from_i128(scale),
        }
    }

    fn stay(&self) -> u32 {
        self.nh as u32
    }

    fn slots_of(&self, h: u32) -> std::ops::Range<usize> {
        self.slot_start[h as usize] as usize..self.slot_start[h as usize + 1] as usize
    }

    fn slot_col(&self, s: usize) -> u32 {
        (self.nh + 1 + s) as u32
    }

    /// The host whose place column `c` is, if it is one.
    fn host_of(&self, c: u32) -> Option<u32> {
        let first = self.nh + 1;
        (c as usize >= first).then(|| self.slot_host[c as usize - first])
    }

    fn vedges(&self, v: usize) -> std::ops::Range<usize> {
        self.p.vstart[v] as usize..self.p.vstart[v + 1] as usize
    }

    fn hedges(&self, h: usize) -> &[u32] {
        &self.p.hedges[self.p.hstart[h] as usize..self.p.hstart[h + 1] as usize]
    }

    /// Auction, exact duals, then the optimality check.
    fn solve(&self) -> Option<Vec<u32>> {
        let out = self.auction()?;
        self.certified(&out)
    }

    /// Forward/reverse auction with ε-scaling (all bids reset each phase,
    /// prices kept, FIFO queues) on weights times `visitors + 1`, exact
    /// once ε is one. None if a price climbs too far.
    fn auction(&self) -> Option<Outcome<A>> {
        let (nv, nh) = (self.nv, self.nh);
        let cols = nh + 1 + self.slot_host.len();
        let shrink = A::from_i128(SHRINK);
        let none = A::ZERO - A::MAX;
        let mut price = vec![A::ZERO; cols];
        let mut owner = vec![NONE; cols];
        let mut col = vec![NONE; nv];
        // What each visitor's column is worth to it, scaled.
        let mut own = vec![A::ZERO; nv];
        let mut queue = std::collections::VecDeque::with_capacity(nv);
        let mut hosts = std::collections::VecDeque::new();
        let mut queued = vec![false; nh];
        let max_w = self.w.iter().copied().max().unwrap_or(A::ZERO);
        let mut eps = (max_w * self.scale / shrink).max(A::ONE);
        let cap = A::MAX / A::from_i128(PRICE_CAP);
        loop {
            owner.fill(NONE);
            col.fill(NONE);
            queue.extend(0..nv as u32);
            // The cache relies on prices only rising, which holds within
            // the forward part of a phase; reverse bids lower some.
            let mut cache = Candidates::new(nv, none);
            while let Some(v) = queue.pop_front() {
                let (best, mut second, at) = match cache.bid(v, &price) {
                    Some(bid) => bid,
                    None => cache.rescan(v, &price, |visit| self.arcs(v, visit)),
                };
                if at == self.stay() {
                    col[v as usize] = at;
                    own[v as usize] = A::ZERO;
                    continue;
                }
                // The host's cheapest place; its next cheapest is an option
                // of this visitor too.
                let range = self.slots_of(at);
                let (mut s1, mut p1, mut p2) = (range.start, A::MAX, A::MAX);
                for s in range {
                    let ps = price[self.slot_col(s) as usize];
                    if ps < p1 {
                        (s1, p2, p1) = (s, p1, ps);
                    } else if ps < p2 {
                        p2 = ps;
                    }
                }
                if p2 != A::MAX {
                    second = second.max(best - (p2 - p1));
                }
                let target = self.slot_col(s1);
                // Staying is always an option, so `second` is a value.
                price[target as usize] += best - second + eps;
                if price[target as usize] > cap {
                    return None;
                }
                self.refresh_host(&mut price, at);
                let before = std::mem::replace(&mut owner[target as usize], v);
                col[v as usize] = target;
                own[v as usize] = best + p1;
                if before != NONE {
                    col[before as usize] = NONE;
                    queue.push_back(before);
                }
            }
            // Reverse: hosts with an empty place and a price.
            for h in 0..nh as u32 {
                if self.needs_reverse(h, &owner, &price) {
                    queued[h as usize] = true;
                    hosts.push_back(h);
                }
            }
            // Each draw raises the drawn visitor's gain by at least ε and
            // nothing lowers a gain here, so this ends.
            while let Some(h) = hosts.pop_front() {
                queued[h as usize] = false;
                while self.needs_reverse(h, &owner, &price) {
                    // The non-member who would gain most from a place here,
                    // and the second-best gain.
                    let (mut beta, mut omega, mut pick, mut pick_w) = (none, none, NONE, A::ZERO);
                    for &e in self.hedges(h as usize) {
                        let x = self.p.evis[e as usize];
                        let c = col[x as usize];
                        if self.host_of(c) == Some(h) {
                            continue;
                        }
                        let a = self.w[e as usize] * self.scale;
                        let gain = a - (own[x as usize] - price[c as usize]);
                        if gain > beta {
                            omega = beta;
                            (beta, pick, pick_w) = (gain, x, a);
                        } else if gain > omega {
                            omega = gain;
                        }
                    }
                    // Every place's price is at least `omega - eps` (ε-CS of
                    // the non-members), so this lowers all of them to one
                    // level, which keeps the members' conditions too.
                    let draws = pick != NONE && beta - eps > A::ZERO;
                    let level = if draws && omega != none {
                        (omega - eps).max(A::ZERO)
                    } else {
                        A::ZERO
                    };
                    for s in self.slots_of(h) {
                        let c = self.slot_col(s) as usize;
                        price[c] = price[c].min(level);
                    }
                    self.refresh_host(&mut price, h);
                    if !draws {
                        break;
                    }
                    let empty = self
                        .slots_of(h)
                        .map(|s| self.slot_col(s))
                        .find(|&c| owner[c as usize] == NONE)
                        .expect("a host in reverse has an empty place");
                    let old = col[pick as usize];
                    if let Some(g) = self.host_of(old) {
                        owner[old as usize] = NONE;
                        if !queued[g as usize] && self.needs_reverse(g, &owner, &price) {
                            queued[g as usize] = true;
                            hosts.push_back(g);
                        }
                    }
                    owner[empty as usize] = pick;
                    col[pick as usize] = empty;
                    own[pick as usize] = pick_w;
                }
            }
            if eps == A::ONE {
                break;
            }
            eps = (eps / shrink).max(A::ONE);
        }
        Some(Outcome { col, price })
    }

    /// Whether host `h` has an empty place while a place has a price.
    fn needs_reverse(&self, h: u32, owner: &[u32], price: &[A]) -> bool {
        let mut empty = false;
        let mut priced = false;
        for s in self.slots_of(h) {
            let c = self.slot_col(s) as usize;
            empty |= owner[c] == NONE;
            priced |= price[c] > A::ZERO;
        }
        empty && priced
    }

    /// Sets host `h`'s bid price to its cheapest place's.
    fn refresh_host(&self, price: &mut [A], h: u32) {
        price[h as usize] = self
            .slots_of(h)
            .map(|s| price[self.slot_col(s) as usize])
            .min()
            .unwrap_or(A::ZERO);
    }

    /// Visits visitor `v`'s options with their scaled values.
    fn arcs(&self, v: u32, visit: &mut dyn FnMut(u32, A)) {
        visit(self.stay(), A::ZERO);
        for e in self.vedges(v as usize) {
            let h = self.p.ehost[e];
            if self.p.cap[h as usize] > 0 {
                visit(h, self.w[e] * self.scale);
            }
        }
    }

    /// The host of each visitor, if the auction's placement comes with
    /// duals that prove it optimal: host duals `y(h) >= 0`, zero where a
    /// place is empty, visitor duals `y(v)` at their best option (so every
    /// constraint `y(v) + y(h) >= w` holds), every placed visitor's edge
    /// tight and every unplaced visitor's dual zero.
    fn certified(&self, out: &Outcome<A>) -> Option<Vec<u32>> {
        let nh = self.nh;
        let host: Vec<u32> = out
            .col
            .iter()
            .map(|&c| self.host_of(c).unwrap_or(NONE))
            .collect();
        let mut load = vec![0u32; nh];
        for &h in &host {
            if h != NONE {
                load[h as usize] += 1;
            }
        }
        // Hosts' duals: the prices in weight units, rounded up (an
        // unplaced visitor's ε-CS leaves its hosts' prices at most ε below
        // its weights; a placed visitor's preferences are repaired below).
        let mut yh: Vec<A> = (0..nh)
            .map(|h| {
                if load[h] < self.p.cap[h] {
                    A::ZERO
                } else {
                    (out.price[h] + self.scale - A::ONE) / self.scale
                }
            })
            .collect();
        self.repair(&host, &mut yh)?;
        for (v, &at) in host.iter().enumerate() {
            let mut y = A::ZERO;
            let mut assigned = None;
            for e in self.vedges(v) {
                let h = self.p.ehost[e] as usize;
                if self.p.cap[h] > 0 {
                    y = y.max(self.w[e] - yh[h]);
                }
                if h as u32 == at {
                    assigned = Some(self.w[e] - yh[h]);
                }
            }
            let tight = match assigned {
                Some(value) => value == y,
                None => y == A::ZERO && at == NONE,
            };
            if !tight {
                return None;
            }
        }
        for h in 0..nh {
            if yh[h] < A::ZERO || (load[h] < self.p.cap[h] && yh[h] != A::ZERO) {
                return None;
            }
        }
        Some(host)
    }

    /// Lowers hosts' duals until every placed visitor's host is its best
    /// option (queue-based Bellman-Ford on `y(h) <= y(g) + w(v, h) -
    /// w(v, g)` and `y(h) <= w(v, h)` for each visitor `v` placed at `h`
    /// and each other candidate host `g`). Rounding the prices up is off
    /// by less than one unit along any path, so this rarely moves anything.
    /// None if it runs past its budget.
    fn repair(&self, host: &[u32], yh: &mut [A]) -> Option<()> {
        let nh = self.nh;
        // The weight of each placed visitor's edge.
        let mut placed_w = vec![A::ZERO; self.nv];
        let mut queue = Lowered::new(nh);
        for v in 0..self.nv {
            let h = host[v];
            if h == NONE {
                continue;
            }
            let wh = self
                .vedges(v)
                .find(|&e| self.p.ehost[e] == h)
                .map(|e| self.w[e])
                .expect("a visitor is placed along one of its edges");
            placed_w[v] = wh;
            let mut bound = wh;
            for e in self.vedges(v) {
                let g = self.p.ehost[e];
                if g != h && self.p.cap[g as usize] > 0 {
                    bound = bound.min(yh[g as usize] + wh - self.w[e]);
                }
            }
            queue.lower(yh, h, bound);
        }
        let mut budget = MAX_RELAX_PER_HOST * nh as u64;
        while let Some(g) = queue.pop() {
            budget = budget.checked_sub(1)?;
            // A lowered host bounds the hosts of its other candidates.
            for &e in self.hedges(g as usize) {
                let v = self.p.evis[e as usize] as usize;
                let h = host[v];
                if h != NONE && h != g {
                    queue.lower(yh, h, yh[g as usize] + placed_w[v] - self.w[e as usize]);
                }
            }
        }
        Some(())
    }
}

/// The repair's queue of hosts whose dual was lowered, each at most once.
struct Lowered {
    queued: Vec<bool>,
    queue: std::collections::VecDeque<u32>,
}

impl Lowered {
    fn new(n: usize) -> Lowered {
        Lowered {
            queued: vec![false; n],
            queue: std::collections::VecDeque::new(),
        }
    }

    /// Lowers `y[h]` to `bound` if it is above, and queues `h`.
    fn lower<A: Dual>(&mut self, y: &mut [A], h: u32, bound: A) {
        if y[h as usize] > bound {
            y[h as usize] = bound;
            if !self.queued[h as usize] {
                self.queued[h as usize] = true;
                self.queue.push_back(h);
            }
        }
    }

    fn pop(&mut self) -> Option<u32> {
        let h = self.queue.pop_front()?;
        self.queued[h as usize] = false;
        Some(h)
    }
}
