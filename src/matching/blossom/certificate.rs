//! The LP optimality certificate, checked by the tests after each run.

use super::ids::{Blossom, Label, Vertex};
use super::solver::Solver;
use crate::matching::primal_dual::Dual;

impl<T: Dual> Solver<T> {
    /// Checks the LP optimality certificate (feasible duals, complementary
    /// slackness); returns a description of the first violation found.
    pub(super) fn certificate_violation(&self) -> Option<String> {
        let n = self.g.n;
        let (y, z) = (&self.forest.y, &self.forest.z);
        for v in (0..n as u32).map(Vertex) {
            if self.forest.vlab[v] != Label::Free {
                return Some(format!("vertex {v:?} still labelled"));
            }
            if y[v] < T::ZERO {
                return Some(format!("y[{v:?}] < 0"));
            }
            let m = self.mate[v];
            if m == Vertex::NONE && y[v] != T::ZERO {
                return Some(format!("exposed {v:?} has y {:?}", y[v]));
            }
            if m != Vertex::NONE && self.mate[m] != v {
                return Some(format!("mate asymmetric at {v:?}"));
            }
        }
        let ancestors = |v: Vertex| {
            let mut out = Vec::new();
            let mut b = self.nest.parent[Blossom::from(v)];
            while b != Blossom::NONE {
                out.push(b);
                b = self.nest.parent[b];
            }
            out
        };
        let mut matched_edges = 0;
        for e in (0..self.g.edge_count() as u32).map(super::ids::EdgeId) {
            let (u, v) = (self.g.eu[e], self.g.ev[e]);
            let au = ancestors(u);
            let av = ancestors(v);
            let zsum = au
                .iter()
                .filter(|b| av.contains(b))
                .fold(T::ZERO, |acc, &b| acc + z[b]);
            let slack = y[u] + y[v] + zsum - self.g.ew[e];
            if slack < T::ZERO {
                return Some(format!("edge {u:?}-{v:?} slack {slack:?}"));
            }
            if self.mate[u] == v {
                matched_edges += 1;
                if slack != T::ZERO {
                    return Some(format!("matched edge {u:?}-{v:?} slack {slack:?}"));
                }
            }
        }
        let paired = (0..n as u32)
            .filter(|&v| self.mate[Vertex(v)] != Vertex::NONE)
            .count();
        if matched_edges * 2 != paired {
            return Some("a mate pair is not an edge".into());
        }
        for b in (n as u32..self.nest.childs.len() as u32).map(Blossom) {
            if self.nest.childs[b].is_empty() {
                continue;
            }
            if z[b] < T::ZERO {
                return Some(format!("z[{b:?}] < 0"));
            }
            let mut leaves = Vec::new();
            self.nest.leaves(b, &mut leaves);
            let inside = leaves
                .iter()
                .filter(|&&v| {
                    let m = self.mate[v];
                    m != Vertex::NONE && leaves.contains(&m)
                })
                .count();
            if z[b] > T::ZERO && inside + 1 != leaves.len() {
                return Some(format!("blossom {b:?} with z > 0 not full"));
            }
        }
        None
    }
}
