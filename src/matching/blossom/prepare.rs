//! From the caller's edge list to the solver's graph: deduplicated, scaled,
//! jittered weights in adjacency arrays.

use std::cmp::Reverse;

use super::ids::{EdgeId, IdVec, SidedEdge, Vertex};
use super::{MAX_EDGES, MAX_VERTICES};
use crate::matching::primal_dual::{mix64, tie_breaking, Dual};

/// The deduplicated graph with its scaled weights, before the dual type is
/// chosen.
pub(super) struct Prepared {
    n: usize,
    eu: IdVec<EdgeId, Vertex>,
    ev: IdVec<EdgeId, Vertex>,
    ew: Vec<i128>,
    /// Largest |scaled weight|, which decides the dual type.
    pub(super) max_abs: i128,
    adj_start: Vec<u32>,
    /// `(neighbour, edge)` per incidence, so scans read neighbours
    /// sequentially instead of looking up both endpoints of each edge.
    adj: Vec<(Vertex, EdgeId)>,
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
    /// The graph with weights converted to `T` (which must hold them).
    pub(super) fn into_graph<T: Dual>(self) -> Graph<T> {
        let ew: Vec<T> = self.ew.into_iter().map(T::from_i128).collect();
        let adj = self
            .adj
            .into_iter()
            .map(|(x, e)| (x, e, ew[e.0 as usize]))
            .collect();
        Graph {
            n: self.n,
            eu: self.eu,
            ev: self.ev,
            ew: IdVec::from(ew),
            adj_start: self.adj_start,
            adj,
        }
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
            eu.push(Vertex(u));
            ev.push(Vertex(v));
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
        let mut adj = vec![(Vertex(0), EdgeId(0)); 2 * m];
        for e in 0..m {
            for (x, y) in [(eu[e], ev[e]), (ev[e], eu[e])] {
                adj[fill[x.0 as usize] as usize] = (y, EdgeId(e as u32));
                fill[x.0 as usize] += 1;
            }
        }
        let max_abs = ew.iter().map(|w: &i128| w.abs()).max().unwrap_or(0);
        Prepared {
            n,
            eu: IdVec::from(eu),
            ev: IdVec::from(ev),
            ew,
            max_abs,
            adj_start,
            adj,
        }
    }
}

impl<T: Dual> Graph<T> {
    /// `(neighbour, edge, weight)` for each edge at `v`.
    #[inline]
    pub(super) fn edges_of(&self, v: Vertex) -> &[(Vertex, EdgeId, T)] {
        let i = v.0 as usize;
        &self.adj[self.adj_start[i] as usize..self.adj_start[i + 1] as usize]
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
