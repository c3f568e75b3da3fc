//! Exact maximum-weight matching on a general graph.
//!
//! Edmonds' primal-dual blossom algorithm (vertex duals `y`, blossom duals
//! `z`, optimal once every matched edge is tight, every free vertex has
//! `y = 0` and every blossom with `z > 0` is full), organised for large
//! sparse graphs:
//!
//! - Warm start: each vertex's dual starts at half its heaviest edge, then
//!   each vertex in turn lowers its dual until an edge becomes tight and takes
//!   it if the other end is free. About a quarter of the vertices stay free
//!   with a positive dual on random sparse graphs; each roots an alternating
//!   tree.
//! - All trees grow together. The dual step is applied lazily (a global
//!   offset `d`; a labelled vertex stores its dual relative to it), so a step
//!   costs O(1) instead of O(n), and the next event comes from one monotone
//!   radix queue: an even vertex's dual reaching zero, a free-standing
//!   vertex's best edge to an even vertex becoming tight, an even vertex's best
//!   edge to another even blossom becoming tight, an odd blossom's dual
//!   reaching zero. Keeping one entry per vertex (its best edge) rather than
//!   one per edge, re-checked when popped, keeps the queue near n entries.
//! - An augmentation (or a root whose path is flipped because an even
//!   vertex's dual hit zero) takes apart only the trees involved; the rest
//!   keep growing. This is what makes 10⁵ vertices with 2.5·10⁶ edges take
//!   about 2 s instead of the hours a textbook O(n³) version needs.
//! - Top-level blossom lookup goes through vertex groups that new blossoms
//!   inherit from their largest child (small-to-large relabelling).
//! - Ties are broken by a small deterministic jitter on scaled weights (see
//!   `tie_breaking`), which keeps the optimum but avoids the slow degenerate
//!   growth that many equal weights cause.
//!
//! Worst case this is the O(n·m) queue operations of the O(nm log n) family
//! (at most n/2 augmentations, each possibly relabelling the whole graph); on
//! the sparse candidate graphs of this product it behaves near-linearly.
//!
//! Weights are doubled internally so all duals stay integral. Duals are `i64`
//! when the scaled weights leave headroom and `i128` otherwise, so the
//! max-cardinality transformation (adding a constant larger than the sum of
//! all |weights| to every edge) can never overflow.

use std::cmp::Reverse;

const NONE: u32 = u32::MAX;
/// Blossom ids run up to 2n and must stay below `NONE` in a u32; vertices
/// beyond this (an absurd instance) are treated as having no edges.
const MAX_VERTICES: usize = (u32::MAX / 2 - 1) as usize;
/// Edge ids are stored doubled (with a side bit) in a u32; further edges are
/// ignored.
const MAX_EDGES: usize = (u32::MAX / 2 - 1) as usize;
const FREE: u8 = 0;
const EVEN: u8 = 1;
const ODD: u8 = 2;

// Event kinds, kept in the top bits of a queue entry's payload.
const EV_OUT: u64 = 0;
const EV_EVEN: u64 = 1 << 32;
const EV_ODD: u64 = 2 << 32;
const EV_VERTEX: u64 = 3 << 32;

/// Integer type of the duals and scaled weights: `i64` whenever the
/// instance's numbers leave ample headroom (half the memory traffic of
/// `i128`, about 30% faster), `i128` otherwise.
pub(crate) trait Dual:
    Copy
    + Ord
    + std::fmt::Debug
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Div<Output = Self>
    + std::ops::BitAnd<Output = Self>
    + std::ops::AddAssign
    + std::ops::SubAssign
{
    const ZERO: Self;
    const ONE: Self;
    const TWO: Self;
    const MAX: Self;
    /// Number of buckets a radix queue over non-negative keys needs.
    const BUCKETS: usize;
    /// Callers only pass values that fit (checked by `fits_i64`).
    fn from_i128(x: i128) -> Self;
    /// Index of the highest bit where two non-negative keys differ, plus one.
    fn radix(self, last: Self) -> usize;
}

impl Dual for i64 {
    const ZERO: i64 = 0;
    const ONE: i64 = 1;
    const TWO: i64 = 2;
    const MAX: i64 = i64::MAX;
    const BUCKETS: usize = 65;
    fn from_i128(x: i128) -> i64 {
        x as i64
    }
    fn radix(self, last: i64) -> usize {
        64 - (self ^ last).leading_zeros() as usize
    }
}

impl Dual for i128 {
    const ZERO: i128 = 0;
    const ONE: i128 = 1;
    const TWO: i128 = 2;
    const MAX: i128 = i128::MAX;
    const BUCKETS: usize = 129;
    fn from_i128(x: i128) -> i128 {
        x
    }
    fn radix(self, last: i128) -> usize {
        128 - (self ^ last).leading_zeros() as usize
    }
}

/// Whether every scaled weight is small enough that duals, offsets and
/// slacks (sums of a few of them) stay far from the `i64` limits.
pub(crate) fn fits_i64(max_abs_weight: i128) -> bool {
    max_abs_weight < (1i128 << 58)
}

/// Monotone priority queue (radix heap): every key pushed is at least the
/// last key popped, which holds here because event times never lie in the
/// past. Pushes are O(1) appends and each entry moves through at most
/// `BUCKETS` buckets, which keeps memory access sequential, unlike a binary
/// heap over millions of entries. Keys are never negative.
pub(crate) struct RadixQueue<T: Dual> {
    last: T,
    buckets: Vec<Vec<(T, u64)>>,
}

impl<T: Dual> RadixQueue<T> {
    pub(crate) fn new() -> RadixQueue<T> {
        RadixQueue {
            last: T::ZERO,
            buckets: (0..T::BUCKETS).map(|_| Vec::new()).collect(),
        }
    }

    /// Keys below the last popped key would break the order; they cannot
    /// occur while duals stay feasible, so they are clamped rather than lost.
    pub(crate) fn push(&mut self, key: T, val: u64) {
        debug_assert!(key >= self.last, "radix queue key in the past");
        let key = key.max(self.last);
        let b = key.radix(self.last);
        self.buckets[b].push((key, val));
    }

    pub(crate) fn pop(&mut self) -> Option<(T, u64)> {
        if self.buckets[0].is_empty() {
            let i = self.buckets.iter().position(|b| !b.is_empty())?;
            let mut moving = std::mem::take(&mut self.buckets[i]);
            self.last = moving.iter().map(|e| e.0).min().unwrap_or(self.last);
            for &(k, v) in &moving {
                let b = k.radix(self.last);
                self.buckets[b].push((k, v));
            }
            moving.clear();
            if self.buckets[i].is_empty() {
                self.buckets[i] = moving;
            }
        }
        self.buckets[0].pop()
    }
}

/// `mate[v]` is the vertex matched to `v`, if any. Edges are `(u, v, weight)`
/// with `u != v` and `u, v < n`. With `max_cardinality`, the matching has the
/// most edges possible and, among those, the largest total weight.
///
/// Self-loops and edges with an endpoint `>= n` are ignored; of parallel edges
/// only the heaviest counts. Without `max_cardinality`, edges of weight `<= 0`
/// are never used (they cannot raise the total).
pub fn max_weight_matching(
    n: usize,
    edges: &[(u32, u32, i64)],
    max_cardinality: bool,
) -> Vec<Option<u32>> {
    let prepared = Prepared::build(n, edges, max_cardinality);
    let mate = if fits_i64(prepared.max_abs) {
        run(prepared.into_graph::<i64>()).mate
    } else {
        run(prepared.into_graph::<i128>()).mate
    };
    let mut out: Vec<Option<u32>> = mate.iter().map(|&m| (m != NONE).then_some(m)).collect();
    // Vertices past the solver's id range (see `MAX_VERTICES`) stay free.
    out.resize(n, None);
    out
}

/// Sum of the weights of the matched pairs, each pair counted once, using the
/// heaviest parallel edge for each pair (as the solver does).
pub fn matching_weight(edges: &[(u32, u32, i64)], mate: &[Option<u32>]) -> i128 {
    let mut best: std::collections::HashMap<(u32, u32), i64> = std::collections::HashMap::new();
    for &(u, v, w) in edges {
        let (a, b) = if u < v { (u, v) } else { (v, u) };
        if a == b || mate.get(a as usize).copied().flatten() != Some(b) {
            continue;
        }
        let slot = best.entry((a, b)).or_insert(w);
        *slot = (*slot).max(w);
    }
    best.values().map(|&w| w as i128).sum()
}

fn run<T: Dual>(graph: Graph<T>) -> Solver<T> {
    let mut solver = Solver::new(graph);
    solver.warm_start();
    solver.solve();
    solver
}

/// Equal weights make the primal-dual method slow: many edges become tight
/// at the same moment and alternating trees grow large before an augmenting
/// path turns up (10x slower with weights in 1..20 on 10^5 vertices). Each
/// weight is therefore scaled by `scale` and given a small jitter in
/// `0..spread` (a hash of the vertex pair, so a pure function of the input).
/// Any matching holds fewer than n/2 edges, so the total jitter stays below
/// `scale`: every optimum of the jittered weights is an optimum of the real
/// ones. Falls back to no jitter if the numbers could get near i128 limits.
pub(crate) fn tie_breaking(n: usize, weights: impl Iterator<Item = i128>) -> (i128, u64) {
    const SPREAD: u64 = 1 << 10;
    let max_abs = weights.map(|w| w.abs()).max().unwrap_or(0);
    let scale = (n as i128 / 2 + 1) * SPREAD as i128;
    match max_abs.checked_mul(scale) {
        Some(x) if x < (1i128 << 118) => (scale, SPREAD),
        _ => (1, 1),
    }
}

/// splitmix64 finaliser: a cheap, well-mixed deterministic hash.
pub(crate) fn mix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The deduplicated graph with its scaled weights, before the dual type is
/// chosen.
struct Prepared {
    n: usize,
    eu: Vec<u32>,
    ev: Vec<u32>,
    ew: Vec<i128>,
    max_abs: i128,
    adj_start: Vec<u32>,
    /// `(neighbour, edge id)` per incidence, so scans read neighbours
    /// sequentially instead of looking up both endpoints of each edge.
    adj: Vec<(u32, u32)>,
}

struct Graph<T> {
    n: usize,
    eu: Vec<u32>,
    ev: Vec<u32>,
    /// Doubled, scaled, jittered (and for max-cardinality, shifted) weights.
    ew: Vec<T>,
    adj_start: Vec<u32>,
    /// `(neighbour, edge id, weight)` per incidence. The weight is a copy of
    /// `ew`: the scans that dominate the run time then read memory
    /// sequentially instead of missing the cache on `ew` once per edge.
    adj: Vec<(u32, u32, T)>,
}

impl Prepared {
    fn into_graph<T: Dual>(self) -> Graph<T> {
        let ew: Vec<T> = self.ew.into_iter().map(T::from_i128).collect();
        let adj = self
            .adj
            .into_iter()
            .map(|(x, e)| (x, e, ew[e as usize]))
            .collect();
        Graph {
            n: self.n,
            eu: self.eu,
            ev: self.ev,
            ew,
            adj_start: self.adj_start,
            adj,
        }
    }

    fn build(n: usize, edges: &[(u32, u32, i64)], max_cardinality: bool) -> Prepared {
        let n = n.min(MAX_VERTICES);
        let mut list: Vec<(u32, u32, i64)> = edges
            .iter()
            .filter(|&&(u, v, _)| u != v && (u as usize) < n && (v as usize) < n)
            .map(|&(u, v, w)| if u < v { (u, v, w) } else { (v, u, w) })
            .collect();
        // Heaviest first within a pair so dedup keeps the best parallel edge.
        list.sort_unstable_by_key(|a| (a.0, a.1, Reverse(a.2)));
        list.dedup_by(|later, earlier| later.0 == earlier.0 && later.1 == earlier.1);
        if !max_cardinality {
            list.retain(|e| e.2 > 0);
        }
        list.truncate(MAX_EDGES);
        // Any matching with one more edge gains at least `shift - sum|w| > 0`.
        let shift: i128 = if max_cardinality {
            list.iter().map(|e| (e.2 as i128).abs()).sum::<i128>() + 1
        } else {
            0
        };
        let m = list.len();
        let (scale, spread) = tie_breaking(n, list.iter().map(|e| e.2 as i128 + shift));
        let mut eu = Vec::with_capacity(m);
        let mut ev = Vec::with_capacity(m);
        let mut ew = Vec::with_capacity(m);
        let mut deg = vec![0u32; n + 1];
        for &(u, v, w) in &list {
            eu.push(u);
            ev.push(v);
            let jitter = (mix64((u64::from(u) << 32) | u64::from(v)) % spread) as i128;
            ew.push(2 * ((w as i128 + shift) * scale + jitter));
            deg[u as usize] += 1;
            deg[v as usize] += 1;
        }
        drop(list);
        let mut adj_start = vec![0u32; n + 1];
        for i in 0..n {
            adj_start[i + 1] = adj_start[i] + deg[i];
        }
        let mut fill: Vec<u32> = adj_start[..n].to_vec();
        let mut adj = vec![(0u32, 0u32); 2 * m];
        for e in 0..m {
            for (x, y) in [(eu[e], ev[e]), (ev[e], eu[e])] {
                adj[fill[x as usize] as usize] = (y, e as u32);
                fill[x as usize] += 1;
            }
        }
        let max_abs = ew.iter().map(|w: &i128| w.abs()).max().unwrap_or(0);
        Prepared {
            n,
            eu,
            ev,
            ew,
            max_abs,
            adj_start,
            adj,
        }
    }
}

impl<T: Dual> Graph<T> {
    fn edges_of(&self, v: u32) -> &[(u32, u32, T)] {
        &self.adj[self.adj_start[v as usize] as usize..self.adj_start[v as usize + 1] as usize]
    }

    fn other(&self, e: u32, v: u32) -> u32 {
        let u = self.eu[e as usize];
        if u == v {
            self.ev[e as usize]
        } else {
            u
        }
    }
}

struct Solver<T: Dual> {
    g: Graph<T>,
    n: u32,
    mate: Vec<u32>,
    /// Vertex dual, stored relative to the phase offset `d` according to the
    /// vertex's label: even `y - d`, odd `y + d`, free `y`.
    y: Vec<T>,
    vlab: Vec<u8>,
    /// Top-level blossom of a vertex is `gtop[grp[v]]`: each top-level
    /// blossom owns one group of vertices. A new blossom takes over the group
    /// of its largest child and an expanded one hands it back, so only the
    /// smaller children's vertices are relabelled (nested blossoms typically
    /// grow by a few vertices around one big child).
    grp: Vec<u32>,
    gtop: Vec<u32>,
    bgrp: Vec<u32>,
    gfree: Vec<u32>,
    /// Number of vertices in each blossom, and which child inherited a
    /// non-trivial blossom's group.
    bsize: Vec<u32>,
    heir: Vec<u32>,
    // Blossoms: ids < n are the vertices themselves, ids >= n are non-trivial.
    parent: Vec<u32>,
    base: Vec<u32>,
    /// Sub-blossoms in cycle order, `childs[0]` holding the base.
    childs: Vec<Vec<u32>>,
    /// `bedges[b][i] = (x, y)`: x in `childs[i]`, y in `childs[i + 1]` (cyclic).
    bedges: Vec<Vec<(u32, u32)>>,
    /// Blossom dual, relative to `d` like `y` (even `z + 2d`, odd `z - 2d`).
    z: Vec<T>,
    blab: Vec<u8>,
    /// Tree edge `(x, y)` by which a labelled top-level blossom was reached:
    /// x in the parent blossom, y in this one. `(NONE, NONE)` for the root.
    ledge: Vec<(u32, u32)>,
    free_ids: Vec<u32>,
    d: T,
    /// All pending events by the offset at which they fire: an even
    /// vertex's dual reaching zero, a free-standing vertex's best edge to an
    /// even vertex becoming tight, an even vertex's best edge to another even
    /// blossom becoming tight, an odd blossom's dual reaching zero. Entries
    /// are checked when popped and dropped if stale.
    queue: RadixQueue<T>,
    /// For each free-standing vertex, its least-slack edge to an even vertex
    /// (`2e + side`, side 1 meaning `ev` is the even end) and that edge's
    /// key; one live heap entry per vertex keeps the heap near n, not m.
    best_out_key: Vec<T>,
    best_out_edge: Vec<u32>,
    /// For each even vertex, its least-slack edge to an even vertex in another
    /// top-level blossom, and that edge's key (twice the offset at which it becomes tight).
    best_even_key: Vec<T>,
    best_even_edge: Vec<u32>,
    /// Tree (root vertex) of each labelled top-level blossom.
    btree: Vec<u32>,
    /// Vertices and blossoms ever labelled in each tree, for `dissolve`.
    tree_verts: Vec<Vec<u32>>,
    tree_blossoms: Vec<Vec<u32>>,
    mark: Vec<u32>,
    stamp: u32,
    scratch: Vec<u32>,
}

enum Event {
    Vertex(u32),
    Out(u32),
    Even(u32),
    Odd(u32),
}

impl<T: Dual> Solver<T> {
    fn new(g: Graph<T>) -> Solver<T> {
        let n = g.n;
        let nb = 2 * n.max(1);
        Solver {
            n: n as u32,
            mate: vec![NONE; n],
            y: vec![T::ZERO; n],
            vlab: vec![FREE; n],
            grp: (0..n as u32).collect(),
            gtop: (0..n as u32).collect(),
            bgrp: (0..nb as u32)
                .map(|b| if (b as usize) < n { b } else { NONE })
                .collect(),
            gfree: Vec::new(),
            bsize: (0..nb).map(|b| u32::from(b < n)).collect(),
            heir: vec![NONE; nb],
            parent: vec![NONE; nb],
            base: (0..nb as u32)
                .map(|b| if (b as usize) < n { b } else { NONE })
                .collect(),
            childs: vec![Vec::new(); nb],
            bedges: vec![Vec::new(); nb],
            z: vec![T::ZERO; nb],
            blab: vec![FREE; nb],
            ledge: vec![(NONE, NONE); nb],
            free_ids: (n as u32..nb as u32).rev().collect(),
            d: T::ZERO,
            queue: RadixQueue::new(),
            best_out_key: vec![T::MAX; n],
            best_out_edge: vec![NONE; n],
            best_even_key: vec![T::MAX; n],
            best_even_edge: vec![NONE; n],
            btree: vec![NONE; nb],
            tree_verts: vec![Vec::new(); n],
            tree_blossoms: vec![Vec::new(); n],
            mark: vec![0; nb],
            stamp: 0,
            scratch: Vec::new(),
            g,
        }
    }

    fn y_now(&self, v: u32) -> T {
        match self.vlab[v as usize] {
            EVEN => self.y[v as usize] - self.d,
            ODD => self.y[v as usize] + self.d,
            _ => self.y[v as usize],
        }
    }

    fn z_now(&self, b: u32) -> T {
        match self.blab[b as usize] {
            EVEN => self.z[b as usize] + self.d + self.d,
            ODD => self.z[b as usize] - self.d - self.d,
            _ => self.z[b as usize],
        }
    }

    fn leaves(&self, b: u32, out: &mut Vec<u32>) {
        out.clear();
        let mut stack = vec![b];
        while let Some(x) = stack.pop() {
            if x < self.n {
                out.push(x);
            } else {
                stack.extend_from_slice(&self.childs[x as usize]);
            }
        }
    }

    /// Initial feasible duals and a greedy matching on tight edges.
    fn warm_start(&mut self) {
        for v in 0..self.n {
            let best = self
                .g
                .edges_of(v)
                .iter()
                .map(|&(_, _, w)| w)
                .max()
                .unwrap_or(T::ZERO);
            self.y[v as usize] = best / T::TWO;
        }
        for v in 0..self.n {
            if self.mate[v as usize] != NONE {
                continue;
            }
            let mut min_slack = T::MAX;
            let mut pick = NONE;
            for &(x, _, w) in self.g.edges_of(v) {
                let slack = self.y[v as usize] + self.y[x as usize] - w;
                let better = slack < min_slack
                    || (slack == min_slack && pick == NONE && self.mate[x as usize] == NONE);
                if better {
                    min_slack = slack;
                    pick = if self.mate[x as usize] == NONE {
                        x
                    } else {
                        NONE
                    };
                }
            }
            if min_slack == T::MAX {
                self.y[v as usize] = T::ZERO;
                continue;
            }
            if min_slack > self.y[v as usize] {
                self.y[v as usize] = T::ZERO;
                continue;
            }
            self.y[v as usize] -= min_slack;
            if pick != NONE {
                self.mate[v as usize] = pick;
                self.mate[pick as usize] = v;
            }
        }
    }

    fn solve(&mut self) {
        for r in 0..self.n {
            if self.mate[r as usize] == NONE && self.y[r as usize] > T::ZERO {
                // Every labelled vertex shares its root's parity (tight edges
                // have even weight), so equal root parities keep the slack of
                // any even-even edge even and every dual step integral.
                // Raising a free vertex's dual never breaks feasibility.
                let odd = self.y[r as usize] & T::ONE;
                self.y[r as usize] += odd;
                let rb = self.top(r);
                self.label_even(rb, (NONE, NONE), r);
            }
        }
        while let Some((at, ev)) = self.next_event() {
            debug_assert!(at >= self.d, "negative dual step");
            self.d = at;
            match ev {
                Event::Out(de) => {
                    let e = de >> 1;
                    let (s, w) = if de & 1 == 0 {
                        (self.g.eu[e as usize], self.g.ev[e as usize])
                    } else {
                        (self.g.ev[e as usize], self.g.eu[e as usize])
                    };
                    let tree = self.btree[self.top(s) as usize];
                    let bw = self.top(w);
                    let bbase = self.base[bw as usize];
                    let bmate = self.mate[bbase as usize];
                    if bmate == NONE {
                        self.augment_from(s, w);
                        self.rotate(bw, w);
                        self.mate[w as usize] = s;
                        self.dissolve(tree);
                        // The popped entry was w's only one and w stays
                        // free-standing.
                        self.requeue_free(w);
                        continue;
                    }
                    self.label_odd(bw, (s, w), tree);
                    let bx = self.top(bmate);
                    self.label_even(bx, (bbase, bmate), tree);
                }
                Event::Even(e) => {
                    let (u, w) = (self.g.eu[e as usize], self.g.ev[e as usize]);
                    let tu = self.btree[self.top(u) as usize];
                    let tw = self.btree[self.top(w) as usize];
                    if tu == tw {
                        self.add_blossom(u, w, tu);
                        // One of them just lost its only queue entry.
                        self.recompute_even(u);
                        self.recompute_even(w);
                    } else {
                        self.augment_from(u, w);
                        self.augment_from(w, u);
                        self.dissolve(tu);
                        self.dissolve(tw);
                    }
                }
                Event::Odd(b) => self.expand_odd(b),
                Event::Vertex(v) => {
                    let tree = self.btree[self.top(v) as usize];
                    self.augment_from(v, NONE);
                    self.dissolve(tree);
                }
            }
        }
    }

    /// The earliest pending event, discarding queue entries that went stale.
    fn next_event(&mut self) -> Option<(T, Event)> {
        while let Some((at, tagged)) = self.queue.pop() {
            let id = tagged as u32;
            match tagged & !u64::from(u32::MAX) {
                EV_OUT => {
                    let w = id;
                    if self.vlab[w as usize] != FREE || self.best_out_key[w as usize] != at {
                        continue;
                    }
                    let de = self.best_out_edge[w as usize];
                    let e = de >> 1;
                    let s = if de & 1 == 0 {
                        self.g.eu[e as usize]
                    } else {
                        self.g.ev[e as usize]
                    };
                    if self.vlab[s as usize] == EVEN
                        && self.y[s as usize] + self.y[w as usize] - self.g.ew[e as usize] == at
                    {
                        return Some((at, Event::Out(de)));
                    }
                    // Its even end left a tree: find the vertex's new best edge.
                    self.requeue_free(w);
                }
                EV_EVEN => {
                    let u = id;
                    let key2 = at + at;
                    if self.vlab[u as usize] != EVEN || self.best_even_key[u as usize] != key2 {
                        continue;
                    }
                    let e = self.best_even_edge[u as usize];
                    let x = self.g.other(e, u);
                    if self.vlab[x as usize] == EVEN
                        && self.top(u) != self.top(x)
                        && self.y[u as usize] + self.y[x as usize] - self.g.ew[e as usize] == key2
                    {
                        return Some((at, Event::Even(e)));
                    }
                    // The edge went inside a blossom or its far end left a tree.
                    self.recompute_even(u);
                }
                EV_ODD => {
                    let b = id;
                    let live = self.parent[b as usize] == NONE
                        && self.blab[b as usize] == ODD
                        && !self.childs[b as usize].is_empty()
                        && self.z[b as usize] / T::TWO == at;
                    if live {
                        return Some((at, Event::Odd(b)));
                    }
                }
                _ => {
                    let v = id;
                    if self.vlab[v as usize] == EVEN && self.y[v as usize] == at {
                        return Some((at, Event::Vertex(v)));
                    }
                }
            }
        }
        None
    }

    /// Takes a finished alternating tree apart: its duals become plain
    /// values again and the edges from other trees into it are re-queued.
    fn dissolve(&mut self, tree: u32) {
        let verts = std::mem::take(&mut self.tree_verts[tree as usize]);
        let blossoms = std::mem::take(&mut self.tree_blossoms[tree as usize]);
        let mut freed = Vec::with_capacity(verts.len());
        for &v in &verts {
            if self.vlab[v as usize] != FREE && self.btree[self.top(v) as usize] == tree {
                self.y[v as usize] = self.y_now(v);
                self.vlab[v as usize] = FREE;
                freed.push(v);
            }
        }
        for &b in &blossoms {
            if self.blab[b as usize] != FREE && self.btree[b as usize] == tree {
                self.z[b as usize] = self.z_now(b);
                self.blab[b as usize] = FREE;
                self.btree[b as usize] = NONE;
            }
        }
        // Blossoms whose dual dropped to zero no longer constrain anything;
        // dissolving them keeps later relabelling cheap.
        let mut stack: Vec<u32> = Vec::new();
        for &b in &blossoms {
            if b >= self.n
                && self.parent[b as usize] == NONE
                && !self.childs[b as usize].is_empty()
                && self.blab[b as usize] == FREE
                && self.z[b as usize] == T::ZERO
            {
                stack.push(b);
            }
        }
        let mut leaves = std::mem::take(&mut self.scratch);
        while let Some(b) = stack.pop() {
            if self.childs[b as usize].is_empty() || self.parent[b as usize] != NONE {
                continue;
            }
            let childs = std::mem::take(&mut self.childs[b as usize]);
            self.release_children(b, &childs, &mut leaves);
            for &c in &childs {
                if c >= self.n && self.z[c as usize] == T::ZERO {
                    stack.push(c);
                }
            }
            self.free_blossom(b);
        }
        self.scratch = leaves;
        for v in freed {
            self.requeue_free(v);
        }
    }

    /// (Re)computes the best edge from an even vertex to free-standing `v`.
    fn requeue_free(&mut self, v: u32) {
        self.best_out_key[v as usize] = T::MAX;
        let yv = self.y[v as usize];
        let lo = self.g.adj_start[v as usize] as usize;
        let hi = self.g.adj_start[v as usize + 1] as usize;
        // The minimum is taken locally and queued once: one push per call
        // instead of one per improvement, and a loop without calls.
        let mut best = T::MAX;
        let mut best_de = NONE;
        for &(x, e, w) in &self.g.adj[lo..hi] {
            if self.vlab[x as usize] == EVEN {
                let key = self.y[x as usize] + yv - w;
                if key < best {
                    best = key;
                    // Edges are stored with eu < ev; side 1 means ev is even.
                    best_de = 2 * e + u32::from(x > v);
                }
            }
        }
        if best_de != NONE {
            self.offer_out(v, best, best_de);
        }
    }

    fn offer_even(&mut self, u: u32, key2: T, e: u32) {
        if key2 < self.best_even_key[u as usize] {
            self.best_even_key[u as usize] = key2;
            self.best_even_edge[u as usize] = e;
            self.queue.push(key2 / T::TWO, EV_EVEN | u64::from(u));
        }
    }

    fn recompute_even(&mut self, u: u32) {
        self.best_even_key[u as usize] = T::MAX;
        let tu = self.top(u);
        let yu = self.y[u as usize];
        let lo = self.g.adj_start[u as usize] as usize;
        let hi = self.g.adj_start[u as usize + 1] as usize;
        let mut best = T::MAX;
        let mut best_e = NONE;
        for &(x, e, w) in &self.g.adj[lo..hi] {
            if self.vlab[x as usize] == EVEN && self.top(x) != tu {
                let key2 = yu + self.y[x as usize] - w;
                if key2 < best {
                    best = key2;
                    best_e = e;
                }
            }
        }
        if best_e != NONE {
            self.offer_even(u, best, best_e);
        }
    }

    fn offer_out(&mut self, w: u32, key: T, de: u32) {
        if key < self.best_out_key[w as usize] {
            self.best_out_key[w as usize] = key;
            self.best_out_edge[w as usize] = de;
            self.queue.push(key, EV_OUT | u64::from(w));
        }
    }

    fn top(&self, v: u32) -> u32 {
        self.gtop[self.grp[v as usize] as usize]
    }

    /// Makes the children of `b` top-level again: the heir gets `b`'s group
    /// back, the others get fresh groups.
    fn release_children(&mut self, b: u32, childs: &[u32], leaves: &mut Vec<u32>) {
        let g = self.bgrp[b as usize];
        let heir = self.heir[b as usize];
        self.gtop[g as usize] = heir;
        self.bgrp[heir as usize] = g;
        self.bgrp[b as usize] = NONE;
        for &c in childs {
            self.parent[c as usize] = NONE;
            if c == heir {
                continue;
            }
            let ng = self.gfree.pop().unwrap_or(NONE);
            debug_assert!(ng != NONE, "out of group ids");
            self.bgrp[c as usize] = ng;
            self.gtop[ng as usize] = c;
            self.leaves(c, leaves);
            for &v in leaves.iter() {
                self.grp[v as usize] = ng;
            }
        }
    }

    fn free_blossom(&mut self, b: u32) {
        self.childs[b as usize].clear();
        self.bedges[b as usize].clear();
        self.parent[b as usize] = NONE;
        self.base[b as usize] = NONE;
        self.blab[b as usize] = FREE;
        self.btree[b as usize] = NONE;
        self.z[b as usize] = T::ZERO;
        self.free_ids.push(b);
    }

    /// Makes vertex `v` even (it was free or odd) and queues its events.
    fn make_vertex_even(&mut self, v: u32, tree: u32, scan: &mut Vec<u32>) {
        let now = self.y_now(v);
        if self.vlab[v as usize] == FREE {
            self.tree_verts[tree as usize].push(v);
        }
        self.y[v as usize] = now + self.d;
        self.vlab[v as usize] = EVEN;
        self.best_even_key[v as usize] = T::MAX;
        self.queue
            .push(self.y[v as usize], EV_VERTEX | u64::from(v));
        scan.push(v);
    }

    fn scan_even(&mut self, v: u32) {
        let tv = self.top(v);
        let yv = self.y[v as usize];
        let lo = self.g.adj_start[v as usize] as usize;
        let hi = self.g.adj_start[v as usize + 1] as usize;
        // `v`'s own best even edge is offered once, after the loop; nothing
        // in the loop offers to `v` itself.
        let mut best = T::MAX;
        let mut best_e = NONE;
        for i in lo..hi {
            let (x, e, w) = self.g.adj[i];
            match self.vlab[x as usize] {
                EVEN if self.top(x) != tv => {
                    let key2 = yv + self.y[x as usize] - w;
                    if key2 < best {
                        best = key2;
                        best_e = e;
                    }
                    self.offer_even(x, key2, e);
                }
                FREE => {
                    // Edges are stored with eu < ev; side 1 means ev is even.
                    let side = u32::from(v > x);
                    let key = yv + self.y[x as usize] - w;
                    self.offer_out(x, key, 2 * e + side);
                }
                _ => {}
            }
        }
        if best_e != NONE {
            self.offer_even(v, best, best_e);
        }
    }

    fn label_even(&mut self, b: u32, edge: (u32, u32), tree: u32) {
        let znow = self.z_now(b);
        if self.blab[b as usize] == FREE {
            self.tree_blossoms[tree as usize].push(b);
        }
        self.btree[b as usize] = tree;
        self.blab[b as usize] = EVEN;
        self.z[b as usize] = znow - self.d - self.d;
        self.ledge[b as usize] = edge;
        let mut leaves = std::mem::take(&mut self.scratch);
        self.leaves(b, &mut leaves);
        let mut scan = Vec::with_capacity(leaves.len());
        for &v in &leaves {
            self.make_vertex_even(v, tree, &mut scan);
        }
        self.scratch = leaves;
        for v in scan {
            self.scan_even(v);
        }
    }

    /// Labels a free-standing blossom odd.
    fn label_odd(&mut self, b: u32, edge: (u32, u32), tree: u32) {
        let znow = self.z_now(b);
        self.tree_blossoms[tree as usize].push(b);
        self.btree[b as usize] = tree;
        self.blab[b as usize] = ODD;
        self.z[b as usize] = znow + self.d + self.d;
        self.ledge[b as usize] = edge;
        if b >= self.n {
            self.queue
                .push(self.z[b as usize] / T::TWO, EV_ODD | u64::from(b));
        }
        let mut leaves = std::mem::take(&mut self.scratch);
        self.leaves(b, &mut leaves);
        for &v in &leaves {
            self.tree_verts[tree as usize].push(v);
            self.y[v as usize] -= self.d;
            self.vlab[v as usize] = ODD;
        }
        self.scratch = leaves;
    }

    /// The top-level blossom above `b` in the alternating tree (two steps:
    /// through its odd parent to the even grandparent), or NONE at the root.
    fn tree_up(&self, b: u32) -> u32 {
        let x = self.ledge[b as usize].0;
        if x == NONE {
            return NONE;
        }
        let t = self.top(x);
        self.top(self.ledge[t as usize].0)
    }

    fn add_blossom(&mut self, u: u32, w: u32, tree: u32) {
        let bu = self.top(u);
        let bw = self.top(w);
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.mark.iter_mut().for_each(|m| *m = 0);
            self.stamp = 1;
        }
        let (mut a, mut c) = (bu, bw);
        let lca = loop {
            if a != NONE {
                if self.mark[a as usize] == self.stamp {
                    break a;
                }
                self.mark[a as usize] = self.stamp;
                a = self.tree_up(a);
            }
            std::mem::swap(&mut a, &mut c);
        };
        // Cycle order: lca, down the u side to bu, across (u, w), up the w side.
        let mut side_u = Vec::new();
        let mut x = bu;
        while x != lca {
            side_u.push(x);
            x = self.top(self.ledge[x as usize].0);
        }
        side_u.reverse();
        let mut childs = vec![lca];
        let mut bedges = Vec::with_capacity(side_u.len() + 8);
        for &c in &side_u {
            bedges.push(self.ledge[c as usize]);
            childs.push(c);
        }
        bedges.push((u, w));
        let mut x = bw;
        while x != lca {
            childs.push(x);
            let (p, q) = self.ledge[x as usize];
            bedges.push((q, p));
            x = self.top(p);
        }
        let Some(nb) = self.free_ids.pop() else {
            debug_assert!(false, "out of blossom ids");
            return;
        };
        self.base[nb as usize] = self.base[lca as usize];
        self.parent[nb as usize] = NONE;
        self.ledge[nb as usize] = self.ledge[lca as usize];
        self.blab[nb as usize] = EVEN;
        self.z[nb as usize] = T::ZERO - self.d - self.d;
        self.btree[nb as usize] = tree;
        self.tree_blossoms[tree as usize].push(nb);
        let mut leaves = std::mem::take(&mut self.scratch);
        let mut scan = Vec::new();
        let heir = childs
            .iter()
            .copied()
            .max_by_key(|&c| (self.bsize[c as usize], Reverse(c)))
            .unwrap_or(lca);
        let g = self.bgrp[heir as usize];
        self.gtop[g as usize] = nb;
        self.bgrp[nb as usize] = g;
        self.heir[nb as usize] = heir;
        self.bsize[nb as usize] = childs.iter().map(|&c| self.bsize[c as usize]).sum();
        for &c in &childs {
            let zc = self.z_now(c);
            let was_odd = self.blab[c as usize] == ODD;
            self.z[c as usize] = zc;
            self.blab[c as usize] = FREE;
            self.parent[c as usize] = nb;
            if c == heir && !was_odd {
                continue;
            }
            if c != heir {
                let old = self.bgrp[c as usize];
                self.gfree.push(old);
                self.bgrp[c as usize] = NONE;
            }
            self.leaves(c, &mut leaves);
            for &v in &leaves {
                self.grp[v as usize] = g;
                if was_odd {
                    self.make_vertex_even(v, tree, &mut scan);
                }
            }
        }
        self.scratch = leaves;
        self.childs[nb as usize] = childs;
        self.bedges[nb as usize] = bedges;
        for v in scan {
            self.scan_even(v);
        }
    }

    fn expand_odd(&mut self, b: u32) {
        let tree = self.btree[b as usize];
        let (s0, t0) = self.ledge[b as usize];
        let childs = std::mem::take(&mut self.childs[b as usize]);
        let bedges = std::mem::take(&mut self.bedges[b as usize]);
        let mut leaves = std::mem::take(&mut self.scratch);
        self.release_children(b, &childs, &mut leaves);
        let k = childs.len();
        let entry = self.top(t0);
        let j = childs.iter().position(|&c| c == entry).unwrap_or(0);
        // The even-length way round the cycle from the entry child to the base.
        let mut path: Vec<(usize, (u32, u32))> = vec![(j, (s0, t0))];
        let mut on_path = vec![false; k];
        on_path[j] = true;
        if j % 2 == 1 {
            let mut i = j;
            while i != k {
                let ed = bedges[i];
                i += 1;
                path.push((i % k, ed));
                on_path[i % k] = true;
            }
        } else {
            let mut i = j;
            while i != 0 {
                let (p, q) = bedges[i - 1];
                i -= 1;
                path.push((i, (q, p)));
                on_path[i] = true;
            }
        }
        self.free_blossom(b);
        // Children off the path leave the tree; do them first so the even
        // children's scans below see them as free-standing.
        let mut scan = Vec::new();
        for (idx, &c) in childs.iter().enumerate() {
            if on_path[idx] {
                continue;
            }
            self.leaves(c, &mut leaves);
            for &v in &leaves {
                self.y[v as usize] = self.y_now(v);
                self.vlab[v as usize] = FREE;
                scan.push(v);
            }
        }
        for v in scan.drain(..) {
            self.requeue_free(v);
        }
        self.scratch = leaves;
        for (pos, &(idx, ed)) in path.iter().enumerate() {
            let c = childs[idx];
            if pos % 2 == 0 {
                // Vertices keep their odd offsets; only the blossom dual starts
                // moving.
                self.tree_blossoms[tree as usize].push(c);
                self.btree[c as usize] = tree;
                self.blab[c as usize] = ODD;
                self.z[c as usize] += self.d + self.d;
                self.ledge[c as usize] = ed;
                if c >= self.n {
                    self.queue
                        .push(self.z[c as usize] / T::TWO, EV_ODD | u64::from(c));
                }
            } else {
                self.label_even(c, ed, tree);
            }
        }
    }

    /// Flips the alternating path from even vertex `s` to the tree root and
    /// matches `s` to `p` (or leaves it free when `p` is NONE).
    fn augment_from(&mut self, mut s: u32, mut p: u32) {
        loop {
            let bs = self.top(s);
            self.rotate(bs, s);
            self.mate[s as usize] = p;
            let x = self.ledge[bs as usize].0;
            if x == NONE {
                break;
            }
            let bt = self.top(x);
            let (sx, ty) = self.ledge[bt as usize];
            self.rotate(bt, ty);
            self.mate[ty as usize] = sx;
            s = sx;
            p = ty;
        }
    }

    /// Re-bases blossom `b` at vertex `v` by flipping the even path inside it.
    fn rotate(&mut self, b: u32, v: u32) {
        let mut work = vec![(b, v)];
        while let Some((b, v)) = work.pop() {
            if b < self.n {
                continue;
            }
            let mut t = v;
            while self.parent[t as usize] != b {
                t = self.parent[t as usize];
            }
            work.push((t, v));
            let k = self.childs[b as usize].len();
            let i = self.childs[b as usize]
                .iter()
                .position(|&c| c == t)
                .unwrap_or(0);
            if i % 2 == 1 {
                let mut j = i;
                while j != k {
                    let (x, y) = self.bedges[b as usize][j + 1];
                    let cx = self.childs[b as usize][j + 1];
                    let cy = self.childs[b as usize][(j + 2) % k];
                    work.push((cx, x));
                    work.push((cy, y));
                    self.mate[x as usize] = y;
                    self.mate[y as usize] = x;
                    j += 2;
                }
            } else {
                let mut j = i;
                while j != 0 {
                    let (x, y) = self.bedges[b as usize][j - 2];
                    let cx = self.childs[b as usize][j - 2];
                    let cy = self.childs[b as usize][j - 1];
                    work.push((cx, x));
                    work.push((cy, y));
                    self.mate[x as usize] = y;
                    self.mate[y as usize] = x;
                    j -= 2;
                }
            }
            self.childs[b as usize].rotate_left(i);
            self.bedges[b as usize].rotate_left(i);
            self.base[b as usize] = v;
        }
    }
}

#[cfg(test)]
impl<T: Dual> Solver<T> {
    /// Checks the LP optimality certificate (feasible duals, complementary
    /// slackness); returns a description of the first violation found.
    fn certificate_violation(&self) -> Option<String> {
        let n = self.n as usize;
        for v in 0..n {
            if self.vlab[v] != FREE {
                return Some(format!("vertex {v} still labelled"));
            }
            if self.y[v] < T::ZERO {
                return Some(format!("y[{v}] < 0"));
            }
            let m = self.mate[v];
            if m == NONE && self.y[v] != T::ZERO {
                return Some(format!("exposed {v} has y {:?}", self.y[v]));
            }
            if m != NONE && self.mate[m as usize] != v as u32 {
                return Some(format!("mate asymmetric at {v}"));
            }
        }
        let ancestors = |v: u32| {
            let mut out = Vec::new();
            let mut b = self.parent[v as usize];
            while b != NONE {
                out.push(b);
                b = self.parent[b as usize];
            }
            out
        };
        let mut matched_edges = 0;
        for e in 0..self.g.eu.len() {
            let (u, v) = (self.g.eu[e], self.g.ev[e]);
            let au = ancestors(u);
            let av = ancestors(v);
            let zsum = au
                .iter()
                .filter(|b| av.contains(b))
                .fold(T::ZERO, |acc, &b| acc + self.z[b as usize]);
            let slack = self.y[u as usize] + self.y[v as usize] + zsum - self.g.ew[e];
            if slack < T::ZERO {
                return Some(format!("edge {u}-{v} slack {slack:?}"));
            }
            if self.mate[u as usize] == v {
                matched_edges += 1;
                if slack != T::ZERO {
                    return Some(format!("matched edge {u}-{v} slack {slack:?}"));
                }
            }
        }
        let paired = (0..n).filter(|&v| self.mate[v] != NONE).count();
        if matched_edges * 2 != paired {
            return Some("a mate pair is not an edge".into());
        }
        for b in n..self.childs.len() {
            if self.childs[b].is_empty() {
                continue;
            }
            if self.z[b] < T::ZERO {
                return Some(format!("z[{b}] < 0"));
            }
            let mut leaves = Vec::new();
            self.leaves(b as u32, &mut leaves);
            let inside = leaves
                .iter()
                .filter(|&&v| {
                    let m = self.mate[v as usize];
                    m != NONE && leaves.contains(&m)
                })
                .count();
            if self.z[b] > T::ZERO && inside + 1 != leaves.len() {
                return Some(format!("blossom {b} with z > 0 not full"));
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
    fn certify<T: Dual>(n: usize, edges: &[(u32, u32, i64)], mc: bool) -> Option<String> {
        let prepared = Prepared::build(n, edges, mc);
        if T::BUCKETS == 65 && !fits_i64(prepared.max_abs) {
            return None;
        }
        run(prepared.into_graph::<T>()).certificate_violation()
    }

    /// Best (cardinality, weight) key over all matchings, by enumeration.
    fn brute(n: usize, edges: &[(u32, u32, i64)], max_cardinality: bool) -> (usize, i128) {
        let mut w = vec![vec![None::<i64>; n]; n];
        for &(u, v, x) in edges {
            let (u, v) = (u as usize, v as usize);
            if u == v || u >= n || v >= n {
                continue;
            }
            let cur = w[u][v].map_or(x, |c: i64| c.max(x));
            w[u][v] = Some(cur);
            w[v][u] = Some(cur);
        }
        fn rec(
            v: usize,
            used: &mut Vec<bool>,
            w: &[Vec<Option<i64>>],
            card: usize,
            tot: i128,
            best: &mut Vec<(usize, i128)>,
        ) {
            let n = used.len();
            let mut v = v;
            while v < n && used[v] {
                v += 1;
            }
            if v >= n {
                best.push((card, tot));
                return;
            }
            used[v] = true;
            rec(v + 1, used, w, card, tot, best);
            for u in v + 1..n {
                if let (false, Some(x)) = (used[u], w[v][u]) {
                    used[u] = true;
                    rec(v + 1, used, w, card + 1, tot + x as i128, best);
                    used[u] = false;
                }
            }
            used[v] = false;
        }
        let mut all = Vec::new();
        rec(0, &mut vec![false; n], &w, 0, 0, &mut all);
        if max_cardinality {
            all.into_iter().max().unwrap_or((0, 0))
        } else {
            (0, all.into_iter().map(|x| x.1).max().unwrap_or(0))
        }
    }

    fn check(n: usize, edges: &[(u32, u32, i64)], max_cardinality: bool) {
        assert_eq!(certify::<i64>(n, edges, max_cardinality), None);
        assert_eq!(certify::<i128>(n, edges, max_cardinality), None);
        let mate = max_weight_matching(n, edges, max_cardinality);
        assert_eq!(mate.len(), n);
        let mut card = 0;
        for (v, m) in mate.iter().enumerate() {
            if let Some(u) = *m {
                assert_ne!(u as usize, v, "self-matched");
                assert_eq!(mate[u as usize], Some(v as u32), "mate not symmetric");
                assert!(
                    edges.iter().any(
                        |&(a, b, _)| (a as usize == v && b == u) || (b as usize == v && a == u)
                    ),
                    "matched along a missing edge"
                );
                card += 1;
            }
        }
        let got = (card / 2, matching_weight(edges, &mate));
        let want = brute(n, edges, max_cardinality);
        if max_cardinality {
            assert_eq!(got, want, "n={n} edges={edges:?}");
        } else {
            assert_eq!(got.1, want.1, "n={n} edges={edges:?}");
        }
    }

    #[test]
    fn small_cases() {
        check(0, &[], false);
        check(1, &[(0, 0, 5)], true);
        check(2, &[(0, 1, 1)], false);
        check(3, &[(0, 1, 10), (1, 2, 11)], false);
        check(4, &[(0, 1, 5), (1, 2, 11), (2, 3, 5)], false);
        check(4, &[(0, 1, 5), (1, 2, 11), (2, 3, 5)], true);
        check(4, &[(0, 1, -5), (1, 2, -1), (2, 3, -5)], true);
        check(4, &[(0, 1, -5), (1, 2, -1), (2, 3, -5)], false);
        check(3, &[(0, 1, 2), (0, 1, 7), (1, 0, 3)], false);
        // Weights this large take the i128 path.
        let big = i64::MAX / 3;
        check(
            4,
            &[(0, 1, big), (1, 2, big), (2, 3, 1), (3, 0, -big)],
            true,
        );
        check(
            4,
            &[(0, 1, big), (1, 2, big), (2, 3, 1), (3, 0, -big)],
            false,
        );
        // Found by proptest: roots of different dual parity (half-integral
        // even-even slack) and a consumed queue entry not re-queued.
        check(
            6,
            &[(5, 4, 6), (1, 5, 0), (0, 3, 0), (2, 4, 0), (3, 1, 5)],
            true,
        );
        check(
            5,
            &[(2, 0, 8), (2, 3, 12), (2, 1, 12), (1, 4, 5), (4, 3, 5)],
            false,
        );
    }

    // Classic cases from van Rantwijk's mwmatching test suite (0-based).
    #[test]
    fn blossom_cases() {
        // create S-blossom and use it for augmentation
        check(5, &[(1, 2, 8), (1, 3, 9), (2, 3, 10), (3, 4, 7)], false);
        check(
            7,
            &[
                (1, 2, 8),
                (1, 3, 9),
                (2, 3, 10),
                (3, 4, 7),
                (1, 6, 5),
                (4, 5, 6),
            ],
            false,
        );
        // create S-blossom, relabel as T-blossom, use for augmentation
        check(
            7,
            &[
                (1, 2, 9),
                (1, 3, 8),
                (2, 3, 10),
                (1, 4, 5),
                (4, 5, 4),
                (1, 6, 3),
            ],
            false,
        );
        check(
            7,
            &[
                (1, 2, 9),
                (1, 3, 8),
                (2, 3, 10),
                (1, 4, 5),
                (4, 5, 3),
                (1, 6, 4),
            ],
            false,
        );
        check(
            7,
            &[
                (1, 2, 9),
                (1, 3, 8),
                (2, 3, 10),
                (1, 4, 5),
                (4, 5, 3),
                (3, 6, 4),
            ],
            false,
        );
        // create nested S-blossom, use for augmentation
        check(
            7,
            &[
                (1, 2, 9),
                (1, 3, 9),
                (2, 3, 10),
                (2, 4, 8),
                (3, 5, 8),
                (4, 5, 10),
                (5, 6, 6),
            ],
            false,
        );
        // create S-blossom, relabel as S, include in nested S-blossom
        check(
            9,
            &[
                (1, 2, 10),
                (1, 7, 10),
                (2, 3, 12),
                (3, 4, 20),
                (3, 5, 20),
                (4, 5, 25),
                (5, 6, 10),
                (6, 7, 10),
                (7, 8, 8),
            ],
            false,
        );
        // create nested S-blossom, augment, expand recursively
        check(
            9,
            &[
                (1, 2, 8),
                (1, 3, 8),
                (2, 3, 10),
                (2, 4, 12),
                (3, 5, 12),
                (4, 5, 14),
                (4, 6, 12),
                (5, 7, 12),
                (6, 7, 14),
                (7, 8, 12),
            ],
            false,
        );
        // create S-blossom, relabel as T, expand
        check(
            9,
            &[
                (1, 2, 23),
                (1, 5, 22),
                (1, 6, 15),
                (2, 3, 25),
                (3, 4, 22),
                (4, 5, 25),
                (4, 8, 14),
                (5, 7, 13),
            ],
            false,
        );
        // create nested S-blossom, relabel as T, expand
        check(
            9,
            &[
                (1, 2, 19),
                (1, 3, 20),
                (1, 8, 8),
                (2, 3, 25),
                (2, 4, 18),
                (3, 5, 18),
                (4, 5, 13),
                (4, 7, 7),
                (5, 6, 7),
            ],
            false,
        );
        // create blossom, relabel as T in more than one way, expand, augment
        check(
            11,
            &[
                (1, 2, 45),
                (1, 5, 45),
                (2, 3, 50),
                (3, 4, 45),
                (4, 5, 50),
                (1, 6, 30),
                (3, 9, 35),
                (4, 8, 35),
                (5, 7, 26),
                (9, 10, 5),
            ],
            false,
        );
        // again but slightly different
        check(
            11,
            &[
                (1, 2, 45),
                (1, 5, 45),
                (2, 3, 50),
                (3, 4, 45),
                (4, 5, 50),
                (1, 6, 30),
                (3, 9, 35),
                (4, 8, 26),
                (5, 7, 40),
                (9, 10, 5),
            ],
            false,
        );
        // create blossom, relabel as T, expand such that a new least-slack S-to-free edge is produced, augment
        check(
            11,
            &[
                (1, 2, 45),
                (1, 5, 45),
                (2, 3, 50),
                (3, 4, 45),
                (4, 5, 50),
                (1, 6, 30),
                (3, 9, 35),
                (4, 8, 28),
                (5, 7, 26),
                (9, 10, 5),
            ],
            false,
        );
        // create nested blossom, relabel as T in more than one way, expand outer blossom such that inner blossom ends up on an augmenting path
        check(
            13,
            &[
                (1, 2, 45),
                (1, 7, 45),
                (2, 3, 50),
                (3, 4, 45),
                (4, 5, 95),
                (4, 6, 94),
                (5, 6, 94),
                (6, 7, 50),
                (1, 8, 30),
                (3, 11, 35),
                (5, 9, 36),
                (7, 10, 26),
                (11, 12, 5),
            ],
            false,
        );
        // create nested S-blossom, relabel as S, expand recursively
        check(
            13,
            &[
                (1, 2, 40),
                (1, 3, 40),
                (2, 3, 60),
                (2, 4, 55),
                (3, 5, 55),
                (4, 5, 50),
                (1, 8, 15),
                (5, 7, 30),
                (7, 6, 10),
                (8, 10, 10),
                (4, 9, 30),
            ],
            false,
        );
        // odd cycles, with and without max cardinality
        for mc in [false, true] {
            check(
                5,
                &[(0, 1, 3), (1, 2, 3), (2, 3, 3), (3, 4, 3), (4, 0, 3)],
                mc,
            );
            check(
                7,
                &[
                    (0, 1, 1),
                    (1, 2, 9),
                    (2, 0, 1),
                    (2, 3, 1),
                    (3, 4, 9),
                    (4, 5, 1),
                    (5, 6, 9),
                    (6, 3, 1),
                ],
                mc,
            );
            check(
                6,
                &[
                    (0, 1, 2),
                    (1, 2, 2),
                    (2, 0, 2),
                    (3, 4, 2),
                    (4, 5, 2),
                    (5, 3, 2),
                    (0, 3, 1),
                ],
                mc,
            );
        }
    }

    fn graph_strategy(
        max_n: usize,
        max_m: usize,
    ) -> impl Strategy<Value = (usize, Vec<(u32, u32, i64)>, bool)> {
        (1..=max_n).prop_flat_map(move |n| {
            let edge = (
                0..n as u32,
                0..n as u32,
                prop_oneof![8 => -6i64..=12i64, 1 => Just(0i64), 1 => Just(5i64), 1 => Just(i64::MAX / 40)],
            );
            (
                Just(n),
                proptest::collection::vec(edge, 0..=max_m),
                any::<bool>(),
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]
        #[test]
        fn equals_brute_force((n, edges, mc) in graph_strategy(12, 30)) {
            check(n, &edges, mc);
        }

        #[test]
        fn equals_brute_force_dense((n, edges, mc) in graph_strategy(9, 40)) {
            check(n, &edges, mc);
        }

        /// The answer depends on the edge set, not on the order it came in,
        /// so it is trivially deterministic for a given instance.
        #[test]
        fn independent_of_edge_order((n, edges, mc) in graph_strategy(12, 30), rot in 0usize..30) {
            let mut shuffled: Vec<_> = edges.iter().rev().map(|&(u, v, w)| (v, u, w)).collect();
            let len = shuffled.len().max(1);
            shuffled.rotate_left(rot % len);
            prop_assert_eq!(max_weight_matching(n, &edges, mc), max_weight_matching(n, &shuffled, mc));
        }
    }

    /// Larger random sparse graphs have no brute-force oracle; the LP
    /// certificate proves optimality instead.
    #[test]
    fn certificate_on_random_sparse_graphs() {
        let mut st: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut rnd = move || {
            st ^= st << 13;
            st ^= st >> 7;
            st ^= st << 17;
            st
        };
        for round in 0..60 {
            let n = 20 + (rnd() % 400) as usize;
            let k = 1 + (rnd() % 8) as usize;
            let maxw = [3u64, 20, 1000][round % 3];
            let mut edges = Vec::new();
            for u in 0..n as u32 {
                for _ in 0..k {
                    let v = (rnd() % n as u64) as u32;
                    edges.push((u, v, (rnd() % maxw) as i64 - (maxw / 4) as i64));
                }
            }
            for mc in [false, true] {
                assert_eq!(
                    certify::<i64>(n, &edges, mc),
                    None,
                    "round {round} n={n} mc={mc}"
                );
                assert_eq!(
                    certify::<i128>(n, &edges, mc),
                    None,
                    "i128 round {round} n={n} mc={mc}"
                );
            }
        }
    }

    /// Speed and certificate check at scale:
    /// `cargo test --release --lib blossom::tests::large -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn large_random_sparse_graph() {
        let mut st: u64 = 0x2545_F491_4F6C_DD1D;
        let mut rnd = move || {
            st ^= st << 13;
            st ^= st >> 7;
            st ^= st << 17;
            st
        };
        for (n, k) in [(2_000usize, 20usize), (30_000, 50), (100_000, 50)] {
            let mut edges = Vec::new();
            for u in 0..n as u32 {
                for _ in 0..k / 2 {
                    edges.push(((u), (rnd() % n as u64) as u32, (rnd() % 1000) as i64 + 1));
                }
            }
            for mc in [false, true] {
                let t = std::time::Instant::now();
                let solver = run(Prepared::build(n, &edges, mc).into_graph::<i64>());
                let secs = t.elapsed().as_secs_f64();
                assert_eq!(solver.certificate_violation(), None, "n={n} mc={mc}");
                println!("n={n} m={} mc={mc} secs={secs:.3}", edges.len());
            }
        }
    }
}
