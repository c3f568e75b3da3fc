//! The solver's state and its main loop: warm start, then events until no
//! tree can grow.

use super::blossoms::Nesting;
use super::events::{Event, Events};
use super::forest::Forest;
use super::ids::{Blossom, IdVec, Vertex};
use super::prepare::Graph;
use crate::matching::flow::double_cover;
use crate::matching::primal_dual::Dual;

/// Everything one run needs, in parts by concern.
pub(super) struct Solver<T: Dual> {
    pub(super) g: Graph<T>,
    /// The vertex matched to each vertex, NONE if unmatched.
    pub(super) mate: IdVec<Vertex, Vertex>,
    pub(super) forest: Forest<T>,
    pub(super) nest: Nesting,
    pub(super) events: Events<T>,
    /// Visit marks for finding a new blossom's top (`add_blossom`): a
    /// blossom is marked when `mark[b] == stamp`, so clearing is a bump.
    pub(super) mark: IdVec<Blossom, u32>,
    pub(super) stamp: u32,
    /// A reusable vertex list, so hot paths do not allocate.
    pub(super) scratch: Vec<Vertex>,
}

impl<T: Dual> Solver<T> {
    /// An empty matching with zero duals on `g`.
    pub(super) fn new(g: Graph<T>) -> Solver<T> {
        let n = g.n;
        let nb = 2 * n.max(1);
        Solver {
            mate: IdVec::filled(Vertex::NONE, n),
            forest: Forest::new(n, nb),
            nest: Nesting::new(n, nb),
            events: Events::new(n),
            mark: IdVec::filled(0, nb),
            stamp: 0,
            scratch: Vec::new(),
            g,
        }
    }

    /// The fractional jump start (Kolmogorov's Blossom V): solves the
    /// matching LP without its blossom constraints, on the bipartite double
    /// cover (`flow::double_cover`), and rounds it.
    ///
    /// With optimal cover duals `yv`, `yh`, the vertex duals `y = yv + yh`
    /// (in the doubled weights) are feasible, since `y(a) + y(b)` is the sum
    /// of the two cover constraints of edge `{a, b}`, and zero wherever the
    /// cover leaves a vertex unused on both sides. Averaging the cover duals
    /// with their mirror image is optimal too, so every edge the cover uses
    /// is tight under `y`. The used edges form paths and cycles; taking
    /// every other edge of each matches all but one vertex of each odd
    /// cycle, and only those vertices root trees in `solve`.
    pub(super) fn warm_start(&mut self) {
        let n = self.g.n;
        let (start, to, w) = self.g.half_weight_adjacency();
        let cover = double_cover(start, to, w);
        for v in 0..n {
            self.forest.y[Vertex(v as u32)] = cover.yv[v] + cover.yh[v];
        }
        let out = cover.host;
        let mut inn = vec![u32::MAX; n];
        for (a, &b) in out.iter().enumerate() {
            if b != u32::MAX {
                inn[b as usize] = a as u32;
            }
        }
        let mut seen = vec![false; n];
        // Paths, from their first vertex.
        for v in 0..n {
            if seen[v] || inn[v] != u32::MAX {
                continue;
            }
            let (mut x, mut take) = (v, true);
            loop {
                seen[x] = true;
                let next = out[x];
                if next == u32::MAX {
                    break;
                }
                if take {
                    self.mate[Vertex(x as u32)] = Vertex(next);
                    self.mate[Vertex(next)] = Vertex(x as u32);
                }
                take = !take;
                x = next as usize;
            }
        }
        // What is left lies on cycles; an odd one leaves its last vertex free.
        let mut cycle = Vec::new();
        for v in 0..n {
            if seen[v] {
                continue;
            }
            cycle.clear();
            let mut x = v;
            while !seen[x] {
                seen[x] = true;
                cycle.push(Vertex(x as u32));
                x = out[x] as usize;
            }
            for pair in cycle.chunks_exact(2) {
                self.mate[pair[0]] = pair[1];
                self.mate[pair[1]] = pair[0];
            }
        }
    }

    /// Roots a tree at every free vertex with a positive dual, then handles
    /// events in time order until none is left; the matching is then
    /// optimal.
    pub(super) fn solve(&mut self) {
        for r in (0..self.g.n as u32).map(Vertex) {
            if self.mate[r] == Vertex::NONE && self.forest.y[r] > T::ZERO {
                // Every labelled vertex shares its root's parity (tight edges
                // have even weight), so equal root parities keep the slack of
                // any even-even edge even and every dual step integral.
                // Raising a free vertex's dual never breaks feasibility.
                let odd = self.forest.y[r] & T::ONE;
                self.forest.y[r] += odd;
                self.forest.plant(r);
                let rb = self.nest.top(r);
                self.label_even(rb, (Vertex::NONE, Vertex::NONE), r);
            }
        }
        while let Some((at, ev)) = self.next_event() {
            debug_assert!(at >= self.forest.d, "negative dual step");
            self.forest.d = at;
            match ev {
                Event::Out(de) => {
                    let (s, w) = self.g.ends(de);
                    let tree = self.forest.btree[self.nest.top(s)];
                    let bw = self.nest.top(w);
                    let bbase = self.nest.base[bw];
                    let bmate = self.mate[bbase];
                    if bmate == Vertex::NONE {
                        self.augment_from(s, w);
                        self.rotate(bw, w);
                        self.mate[w] = s;
                        self.dissolve(&[tree]);
                        // The popped entry was w's only one and w stays
                        // free-standing.
                        self.requeue_free(w);
                        continue;
                    }
                    self.label_odd(bw, (s, w), tree);
                    let bx = self.nest.top(bmate);
                    self.label_even(bx, (bbase, bmate), tree);
                }
                Event::Even(e) => {
                    let (u, w) = (self.g.eu[e], self.g.ev[e]);
                    let tu = self.forest.btree[self.nest.top(u)];
                    let tw = self.forest.btree[self.nest.top(w)];
                    if tu == tw {
                        self.add_blossom(u, w, tu);
                        // One of them just lost its only queue entry.
                        self.recompute_even(u);
                        self.recompute_even(w);
                    } else {
                        self.augment_from(u, w);
                        self.augment_from(w, u);
                        self.dissolve(&[tu, tw]);
                    }
                }
                Event::Odd(b) => self.expand_odd(b),
                Event::Vertex(v) => {
                    let tree = self.forest.btree[self.nest.top(v)];
                    self.augment_from(v, Vertex::NONE);
                    self.dissolve(&[tree]);
                }
            }
        }
    }
}
