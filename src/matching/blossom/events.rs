//! Events: what the dual offset `d` can grow to before something happens,
//! kept in one radix queue with one live entry per vertex or blossom.

use super::blossoms::Nesting;
use super::forest::Forest;
use super::ids::{Blossom, EdgeId, IdVec, Label, SidedEdge, Vertex};
use super::solver::Solver;
use crate::matching::primal_dual::{Dual, RadixQueue};

/// A queue entry: which slot to re-check when its key comes up. Entries are
/// not removed when they go stale; `next_event` drops them on pop.
/// Aligned like the `u64` it replaces, so the queue moves it in one load.
#[derive(Clone, Copy, Debug)]
#[repr(align(8))]
pub(super) enum Pending {
    /// The free-standing vertex's best edge to an even vertex turns tight.
    Out(Vertex),
    /// The even vertex's best edge to another even blossom turns tight.
    Even(Vertex),
    /// The odd blossom's dual reaches zero.
    Odd(Blossom),
    /// The even vertex's dual reaches zero.
    Vertex(Vertex),
}

/// An event that is due now.
pub(super) enum Event {
    /// A tight edge from an even vertex to a free-standing one.
    Out(SidedEdge),
    /// A tight edge between even vertices of different top-level blossoms.
    Even(EdgeId),
    /// An odd non-trivial blossom whose dual reached zero.
    Odd(Blossom),
    /// An even vertex whose dual reached zero.
    Vertex(Vertex),
}

/// Whether a popped entry may still be due: the slot it stands for still
/// holds its key. Dead entries are skipped without side effects, which is
/// what lets `compact_queue` drop them early.
fn is_live<T: Dual>(
    forest: &Forest<T>,
    nest: &Nesting,
    events: &Events<T>,
    at: T,
    pending: Pending,
) -> bool {
    match pending {
        Pending::Out(w) => forest.vlab[w] == Label::Free && events.best_out_key[w] == at,
        Pending::Even(u) => forest.vlab[u] == Label::Even && events.best_even_key[u] == at + at,
        Pending::Odd(b) => {
            nest.parent[b] == Blossom::NONE
                && forest.blab[b] == Label::Odd
                && !nest.childs[b].is_empty()
                && forest.z[b] / T::TWO == at
        }
        Pending::Vertex(v) => forest.vlab[v] == Label::Even && forest.y[v] == at,
    }
}

/// The queue and the best edges its entries stand for.
pub(super) struct Events<T: Dual> {
    /// All pending entries by the offset at which they fire.
    pub(super) queue: RadixQueue<T, Pending>,
    /// For each free-standing vertex, its least-slack edge to an even vertex
    /// and that edge's key; one live entry per vertex keeps the queue near
    /// n entries, not m.
    pub(super) best_out_key: IdVec<Vertex, T>,
    pub(super) best_out_edge: IdVec<Vertex, SidedEdge>,
    /// For each even vertex, its least-slack edge to an even vertex in
    /// another top-level blossom, and that edge's key (twice the offset at
    /// which it becomes tight).
    pub(super) best_even_key: IdVec<Vertex, T>,
    pub(super) best_even_edge: IdVec<Vertex, EdgeId>,
    /// Queue length at which dead entries are next dropped, and its floor.
    pub(super) compact_at: usize,
    pub(super) compact_floor: usize,
}

impl<T: Dual> Events<T> {
    /// No pending events for a graph of `n` vertices.
    pub(super) fn new(n: usize) -> Events<T> {
        Events {
            queue: RadixQueue::new(),
            best_out_key: IdVec::filled(T::MAX, n),
            best_out_edge: IdVec::filled(SidedEdge::NONE, n),
            best_even_key: IdVec::filled(T::MAX, n),
            best_even_edge: IdVec::filled(EdgeId::NONE, n),
            compact_at: 8 * n.max(1024),
            compact_floor: 8 * n.max(1024),
        }
    }

    /// Records `e` as even vertex `u`'s best even edge if its key beats the
    /// current one, and queues it.
    pub(super) fn offer_even(&mut self, u: Vertex, key2: T, e: EdgeId) {
        if key2 < self.best_even_key[u] {
            self.best_even_key[u] = key2;
            self.best_even_edge[u] = e;
            self.queue.push(key2 / T::TWO, Pending::Even(u));
        }
    }

    /// Records `de` as free-standing vertex `w`'s best edge to an even vertex
    /// if its key beats the current one, and queues it.
    pub(super) fn offer_out(&mut self, w: Vertex, key: T, de: SidedEdge) {
        if key < self.best_out_key[w] {
            self.best_out_key[w] = key;
            self.best_out_edge[w] = de;
            self.queue.push(key, Pending::Out(w));
        }
    }
}

impl<T: Dual> Solver<T> {
    /// The earliest pending event, discarding queue entries that went stale.
    pub(super) fn next_event(&mut self) -> Option<(T, Event)> {
        if self.events.queue.len() > self.events.compact_at {
            self.compact_queue();
        }
        while let Some((at, pending)) = self.events.queue.pop() {
            if !is_live(&self.forest, &self.nest, &self.events, at, pending) {
                continue;
            }
            match pending {
                Pending::Out(w) => {
                    let de = self.events.best_out_edge[w];
                    let (s, _) = self.g.ends(de);
                    if self.forest.vlab[s] == Label::Even
                        && self.forest.y[s] + self.forest.y[w] - self.g.ew[de.edge()] == at
                    {
                        return Some((at, Event::Out(de)));
                    }
                    // Its even end left a tree: find the vertex's new best edge.
                    self.requeue_free(w);
                }
                Pending::Even(u) => {
                    let key2 = at + at;
                    let e = self.events.best_even_edge[u];
                    let x = self.g.other(e, u);
                    if self.forest.vlab[x] == Label::Even
                        && self.nest.top(u) != self.nest.top(x)
                        && self.forest.y[u] + self.forest.y[x] - self.g.ew[e] == key2
                    {
                        return Some((at, Event::Even(e)));
                    }
                    // The edge went inside a blossom or its far end left a tree.
                    self.recompute_even(u);
                }
                Pending::Odd(b) => return Some((at, Event::Odd(b))),
                Pending::Vertex(v) => return Some((at, Event::Vertex(v))),
            }
        }
        None
    }

    /// Drops the queue's dead entries. Entries go stale far faster than they
    /// come up (an offer that is beaten, a vertex that leaves its tree), and
    /// without this the queue of a 10^5-vertex round held most of the run's
    /// memory. The entries kept pop in the same order as before, so the run
    /// is unchanged.
    fn compact_queue(&mut self) {
        let Solver {
            forest,
            nest,
            events,
            ..
        } = self;
        let mut queue = std::mem::replace(&mut events.queue, RadixQueue::new());
        queue.retain(|at, p| is_live(forest, nest, events, at, p));
        events.compact_at = (2 * queue.len()).max(events.compact_floor);
        events.queue = queue;
    }

    /// (Re)computes the best edge from an even vertex to free-standing `v`.
    pub(super) fn requeue_free(&mut self, v: Vertex) {
        self.events.best_out_key[v] = T::MAX;
        let yv = self.forest.y[v];
        // The minimum is taken locally and queued once: one push per call
        // instead of one per improvement, and a loop without calls.
        let mut best = T::MAX;
        let mut best_de = SidedEdge::NONE;
        for &(x, e, w) in self.g.edges_of(v) {
            if self.forest.vlab[x] == Label::Even {
                let key = self.forest.y[x] + yv - w;
                if key < best {
                    best = key;
                    // Edges are stored with eu < ev.
                    best_de = SidedEdge::new(e, x > v);
                }
            }
        }
        if best_de != SidedEdge::NONE {
            self.events.offer_out(v, best, best_de);
        }
    }

    /// (Re)computes even vertex `u`'s best edge to another even blossom.
    pub(super) fn recompute_even(&mut self, u: Vertex) {
        self.events.best_even_key[u] = T::MAX;
        let tu = self.nest.top(u);
        let yu = self.forest.y[u];
        let mut best = T::MAX;
        let mut best_e = EdgeId::NONE;
        for &(x, e, w) in self.g.edges_of(u) {
            if self.forest.vlab[x] == Label::Even && self.nest.top(x) != tu {
                let key2 = yu + self.forest.y[x] - w;
                if key2 < best {
                    best = key2;
                    best_e = e;
                }
            }
        }
        if best_e != EdgeId::NONE {
            self.events.offer_even(u, best, best_e);
        }
    }
}
