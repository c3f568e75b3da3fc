//! From the caller's edge list to the solver's graph: deduplicated, scaled,
//! jittered weights in adjacency arrays.

use std::cmp::Reverse;

use super::ids::{EdgeId, IdVec, SidedEdge, Vertex};
use super::{MAX_EDGES, MAX_VERTICES};
use crate::matching::primal_dual::{mix64, tie_breaking, Dual};

/// The deduplicated edge list and how its weights will be scaled, before
/// the dual type is chosen.
pub(super) struct Prepared {
    n: usize,
    /// `(u, v, w)` with `u < v`, sorted, one edge per pair.
    list: Vec<(u32, u32, i64)>,
    shift: i128,
    scale: i128,
    spread: u64,
    /// Largest |scaled weight|, which decides the dual type.
    pub(super) max_abs: i128,
}

/// The graph the solver runs on, with weights in the dual type `T`.
pub(super) struct Graph<T> {
    /// Number of vertices.
    pub(super) n: usize,
    /// Ends of each edge, `eu < ev`.
    pub(super) eu: IdVec<EdgeId, Vertex>,
    pub(super) ev: IdVec<EdgeId, Vertex>,
    /// Doubled, scaled, jittered (and for max-cardinality, shifted) weights.
    pub(super) ew: IdVec<EdgeId, T>,
    adj_start: Vec<u32>,
    /// `(neighbour, edge, weight)` per incidence. The weight is a copy of
    /// `ew`: the scans that dominate the run time then read memory
    /// sequentially instead of missing the cache on `ew` once per edge.
    adj: Vec<(Vertex, EdgeId, T)>,
}

impl Prepared {
    /// The graph with weights converted to `T` (which must hold them). Built
    /// straight from the edge list, with no intermediate wide copy, so the
    /// peak while building is the list plus the graph.
    pub(super) fn into_graph<T: Dual>(self) -> Graph<T> {
        let (n, m) = (self.n, self.list.len());
        let mut eu = Vec::with_capacity(m);
        let mut ev = Vec::with_capacity(m);
        let mut ew = Vec::with_capacity(m);
        let mut adj_start = vec![0u32; n + 1];
        for &(u, v, w) in &self.list {
            eu.push(Vertex(u));
            ev.push(Vertex(v));
            ew.push(T::from_i128(self.scaled(u, v, w)));
            adj_start[u as usize + 1] += 1;
            adj_start[v as usize + 1] += 1;
        }
        drop(self.list);
        for i in 0..n {
            adj_start[i + 1] += adj_start[i];
        }
        let mut fill: Vec<u32> = adj_start[..n].to_vec();
        let mut adj = vec![(Vertex(0), EdgeId(0), T::ZERO); 2 * m];
        for e in 0..m {
            for (x, y) in [(eu[e], ev[e]), (ev[e], eu[e])] {
                adj[fill[x.0 as usize] as usize] = (y, EdgeId(e as u32), ew[e]);
                fill[x.0 as usize] += 1;
            }
        }
        Graph {
            n,
            eu: IdVec::from(eu),
            ev: IdVec::from(ev),
            ew: IdVec::from(ew),
            adj_start,
            adj,
        }
    }

    /// The doubled, scaled and jittered weight of edge `(u, v)`.
    fn scaled(&self, u: u32, v: u32, w: i64) -> i128 {
        let jitter = (mix64((u64::from(u) << 32) | u64::from(v)) % self.spread) as i128;
        2 * ((w as i128 + self.shift) * self.scale + jitter)
    }

    /// Drops self-loops and out-of-range edges, keeps the heaviest of
    /// parallel edges, shifts weights for max-cardinality, then scales,
    /// jitters and doubles them (see `tie_breaking`).
    pub(super) fn build(n: usize, edges: &[(u32, u32, i64)], max_cardinality: bool) -> Prepared {
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
        list.shrink_to_fit();
        // Any matching with one more edge gains at least `shift - sum|w| > 0`.
        let shift: i128 = if max_cardinality {
            list.iter().map(|e| (e.2 as i128).abs()).sum::<i128>() + 1
        } else {
            0
        };
        let (scale, spread) = tie_breaking(n, list.iter().map(|e| e.2 as i128 + shift));
        let mut prepared = Prepared {
            n,
            list,
            shift,
            scale,
            spread,
            max_abs: 0,
        };
        prepared.max_abs = prepared
            .list
            .iter()
            .map(|&(u, v, w)| prepared.scaled(u, v, w).abs())
            .max()
            .unwrap_or(0);
        prepared
    }
}

impl<T: Dual> Graph<T> {
    /// `(neighbour, edge, weight)` for each edge at `v`.
    #[inline]
    pub(super) fn edges_of(&self, v: Vertex) -> &[(Vertex, EdgeId, T)] {
        let i = v.0 as usize;
        &self.adj[self.adj_start[i] as usize..self.adj_start[i + 1] as usize]
    }

    /// Number of edges at `v`.
    #[inline]
    pub(super) fn degree(&self, v: Vertex) -> u64 {
        let i = v.0 as usize;
        u64::from(self.adj_start[i + 1] - self.adj_start[i])
    }

    /// The end of edge `e` that is not `v`.
    pub(super) fn other(&self, e: EdgeId, v: Vertex) -> Vertex {
        let u = self.eu[e];
        if u == v {
            self.ev[e]
        } else {
            u
        }
    }

    /// `(even end, other end)` of a sided edge.
    #[inline]
    pub(super) fn ends(&self, de: SidedEdge) -> (Vertex, Vertex) {
        let e = de.edge();
        if de.even_is_v() {
            (self.ev[e], self.eu[e])
        } else {
            (self.eu[e], self.ev[e])
        }
    }

    /// Number of edges.
    #[cfg(test)]
    pub(super) fn edge_count(&self) -> usize {
        self.ew.len()
    }
}
