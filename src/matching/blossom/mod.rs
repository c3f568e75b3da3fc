//! Exact maximum-weight matching on a general graph.
//!
//! Edmonds' primal-dual blossom algorithm (vertex duals `y`, blossom duals
//! `z`, optimal once every matched edge is tight, every free vertex has
//! `y = 0` and every blossom with `z > 0` is full), organised for large
//! sparse graphs:
//!
//! - Jump start (`jump`, after Kolmogorov's Blossom V): the matching LP
//!   without its odd-set constraints is solved exactly first (an auction on
//!   the bipartite double cover) and its optimum rounded, so only one vertex
//!   per odd cycle of that optimum roots a tree: one root among 94,411
//!   vertices on the 100,000-member benchmark round. Growing all trees from the old
//!   greedy start (kept as the fallback: each vertex's dual at half its
//!   heaviest edge, lowered until an edge is tight, taken if the other end
//!   is free) left 57,919 roots there, and the last thousand augmentations
//!   each re-grew trees over most of the graph.
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
//! - Queue entries are never removed when they go stale (an offer beaten
//!   by a better one, a vertex that left its tree); they are dropped in bulk
//!   once the queue doubles past its live size, which keeps memory O(n).
//!   Vertices freed when a tree is taken apart are re-queued by pushing from
//!   the live trees' even vertices when that reads fewer edges than each
//!   freed vertex pulling from its own: late in a run one tree spans most of
//!   the graph and the others are small.
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
//!
//! # Modules
//!
//! `prepare` builds the graph, `jump` the start, `solver` holds the state and the main loop,
//! `events` the queue and the best edges, `forest` labels, duals and trees,
//! `blossoms` nesting, shrinking and expanding, `ids` the typed ids,
//! `certificate` the optimality check the tests run.
//!
//! # Glossary
//!
//! - **vertex** ([`ids::Vertex`]): `0..n`. **edge** ([`ids::EdgeId`]): an
//!   edge of the deduplicated graph, ends `eu < ev`; a **sided edge**
//!   ([`ids::SidedEdge`]) also says which end is even.
//! - **blossom** ([`ids::Blossom`]): an odd cycle of sub-blossoms shrunk
//!   into one node. Ids below n are **trivial** blossoms (single vertices);
//!   the others are built by `add_blossom`. A blossom is **top-level** when
//!   no other blossom contains it; `top(v)` is the one holding `v`. Its
//!   **base** is the one vertex not matched inside it; its **children** are
//!   listed in cycle order from the one holding the base; **full** means
//!   all vertices but the base are matched inside.
//! - **group** ([`ids::Group`]): the vertex set of one top-level blossom,
//!   for the `top` lookup; a new blossom inherits the group of its
//!   **heir**, its largest child.
//! - **label** ([`ids::Label`]): **free** (free-standing, in no tree),
//!   **even** or **odd** (at even or odd distance from a tree's root).
//!   Labels belong to top-level blossoms; vertices carry a copy.
//! - **tree**: an alternating tree, named by its **root**, a free vertex
//!   with a positive dual. The trees together are the **forest**.
//! - **`d`**: the dual offset, how far all trees have grown; even duals
//!   fall and odd duals rise by it, so a labelled dual is stored relative
//!   to `d` and `y_now`/`z_now` give the current value.
//! - **slack** of an edge: `y(u) + y(v) - w(u, v)` (plus `z` of blossoms
//!   containing both ends); **tight** when zero. Optimality needs all
//!   slacks `>= 0` and matched edges tight.
//! - **key**: the offset `d` at which an event fires; even-even edges keep
//!   twice that (`key2`), as both their ends' duals fall.
//! - **event** ([`events::Event`]): something due at a key; a **pending**
//!   entry ([`events::Pending`]) is the queue's record of it, re-checked
//!   when popped. **best out edge**: a free-standing vertex's least-slack
//!   edge to an even vertex; **best even edge**: an even vertex's
//!   least-slack edge to another even blossom.
//! - **augment**: flip matched and unmatched edges along the path from an
//!   even vertex to its root; **rotate**: re-base a blossom at another of
//!   its vertices; **expand**: undo an odd blossom whose dual reached zero;
//!   **dissolve**: take a finished tree apart, unlabelling it.

mod blossoms;
#[cfg(test)]
mod certificate;
mod events;
mod forest;
mod ids;
mod jump;
mod prepare;
mod solver;
#[cfg(test)]
mod tests;

use ids::Vertex;
use prepare::{Graph, Prepared};
use solver::Solver;

use super::primal_dual::{fits_i64, Dual};

/// Blossom ids run up to 2n and must stay below `NONE` in a u32; vertices
/// beyond this (an absurd instance) are treated as having no edges.
const MAX_VERTICES: usize = (u32::MAX / 2 - 1) as usize;
/// Edge ids are stored doubled (with a side bit) in a u32; further edges are
/// ignored.
const MAX_EDGES: usize = (u32::MAX / 2 - 1) as usize;

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
    let mut out: Vec<Option<u32>> = mate
        .iter()
        .map(|&m| (m != Vertex::NONE).then_some(m.0))
        .collect();
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

/// Solves `graph` from scratch.
fn run<T: Dual>(graph: Graph<T>) -> Solver<T> {
    let mut solver = Solver::new(graph);
    solver.warm_start();
    solver.solve();
    solver
}
