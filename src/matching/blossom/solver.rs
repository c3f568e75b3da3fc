//! The solver's state and its main loop: warm start, then events until no
//! tree can grow.

use super::blossoms::Nesting;
use super::events::{Event, Events};
use super::forest::Forest;
use super::ids::{Blossom, IdVec, Vertex};
use super::prepare::Graph;
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

    /// Initial feasible duals and a matching on tight edges: the fractional
    /// optimum (`jump`) when it can be had, else a greedy start.
    pub(super) fn warm_start(&mut self) {
        if !self.jump_start() {
            self.greedy_start();
        }
    }

    /// Each vertex's dual at half its heaviest edge, then lowered until an
    /// edge becomes tight, taking that edge if its other end is free.
    pub(super) fn greedy_start(&mut self) {
        for v in (0..self.g.n as u32).map(Vertex) {
            let best = self
                .g
                .edges_of(v)
                .iter()
                .map(|&(_, _, w)| w)
                .max()
                .unwrap_or(T::ZERO);
            self.forest.y[v] = best / T::TWO;
        }
        let y = &mut self.forest.y;
        for v in (0..self.g.n as u32).map(Vertex) {
            if self.mate[v] != Vertex::NONE {
                continue;
            }
            let mut min_slack = T::MAX;
            let mut pick = Vertex::NONE;
            for &(x, _, w) in self.g.edges_of(v) {
                let slack = y[v] + y[x] - w;
                let better = slack < min_slack
                    || (slack == min_slack && pick == Vertex::NONE && self.mate[x] == Vertex::NONE);
                if better {
                    min_slack = slack;
                    pick = if self.mate[x] == Vertex::NONE {
                        x
                    } else {
                        Vertex::NONE
                    };
                }
            }
            if min_slack == T::MAX {
                y[v] = T::ZERO;
                continue;
            }
            if min_slack > y[v] {
                y[v] = T::ZERO;
                continue;
            }
            y[v] -= min_slack;
            if pick != Vertex::NONE {
                self.mate[v] = pick;
                self.mate[pick] = v;
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
