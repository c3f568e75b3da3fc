//! Blossoms: their nesting, the lookup of a vertex's top-level blossom, and
//! shrinking, expanding and re-basing them.

use std::cmp::Reverse;

use super::events::Pending;
use super::ids::{Blossom, Group, IdVec, Label, Vertex};
use super::solver::Solver;
use crate::matching::primal_dual::Dual;

/// How blossoms nest, and which top-level blossom each vertex is in.
pub(super) struct Nesting {
    /// Number of vertices: blossom ids below it are trivial.
    n: u32,
    /// Enclosing blossom, NONE at the top level.
    pub(super) parent: IdVec<Blossom, Blossom>,
    /// The base vertex (the one not matched inside the blossom).
    pub(super) base: IdVec<Blossom, Vertex>,
    /// Sub-blossoms in cycle order, `childs[0]` holding the base.
    pub(super) childs: IdVec<Blossom, Vec<Blossom>>,
    /// `bedges[b][i] = (x, y)`: x in `childs[i]`, y in `childs[i + 1]` (cyclic).
    pub(super) bedges: IdVec<Blossom, Vec<(Vertex, Vertex)>>,
    /// Number of vertices in each blossom, and which child inherited a
    /// non-trivial blossom's group.
    bsize: IdVec<Blossom, u32>,
    heir: IdVec<Blossom, Blossom>,
    /// Unused non-trivial blossom ids.
    free_ids: Vec<Blossom>,
    /// Top-level blossom of a vertex is `gtop[grp[v]]`: each top-level
    /// blossom owns one group of vertices (`bgrp`). A new blossom takes over
    /// the group of its largest child and an expanded one hands it back, so
    /// only the smaller children's vertices are relabelled (nested blossoms
    /// typically grow by a few vertices around one big child).
    grp: IdVec<Vertex, Group>,
    gtop: IdVec<Group, Blossom>,
    bgrp: IdVec<Blossom, Group>,
    /// Unused group ids.
    gfree: Vec<Group>,
}

impl Nesting {
    /// Every vertex its own top-level blossom, for `n` vertices and `nb`
    /// blossom ids.
    pub(super) fn new(n: usize, nb: usize) -> Nesting {
        let trivial_or_none = |b: usize| if b < n { b as u32 } else { u32::MAX };
        Nesting {
            n: n as u32,
            parent: IdVec::filled(Blossom::NONE, nb),
            base: (0..nb).map(|b| Vertex(trivial_or_none(b))).collect(),
            childs: IdVec::filled(Vec::new(), nb),
            bedges: IdVec::filled(Vec::new(), nb),
            bsize: (0..nb).map(|b| u32::from(b < n)).collect(),
            heir: IdVec::filled(Blossom::NONE, nb),
            free_ids: (n as u32..nb as u32).rev().map(Blossom).collect(),
            grp: (0..n as u32).map(Group).collect(),
            gtop: (0..n as u32).map(Blossom).collect(),
            bgrp: (0..nb).map(|b| Group(trivial_or_none(b))).collect(),
            gfree: Vec::new(),
        }
    }

    /// Whether `b` is a single vertex.
    #[inline]
    pub(super) fn is_trivial(&self, b: Blossom) -> bool {
        b.0 < self.n
    }

    /// The top-level blossom that holds vertex `v`.
    #[inline]
    pub(super) fn top(&self, v: Vertex) -> Blossom {
        self.gtop[self.grp[v]]
    }

    /// The vertices inside blossom `b`, into `out`.
    pub(super) fn leaves(&self, b: Blossom, out: &mut Vec<Vertex>) {
        out.clear();
        if self.is_trivial(b) {
            // Nearly every call: no stack to allocate.
            out.push(Vertex(b.0));
            return;
        }
        let mut stack = vec![b];
        while let Some(x) = stack.pop() {
            if self.is_trivial(x) {
                out.push(Vertex(x.0));
            } else {
                stack.extend_from_slice(&self.childs[x]);
            }
        }
    }

    /// Makes the children of `b` top-level again: the heir gets `b`'s group
    /// back, the others get fresh groups.
    pub(super) fn release_children(
        &mut self,
        b: Blossom,
        childs: &[Blossom],
        leaves: &mut Vec<Vertex>,
    ) {
        let g = self.bgrp[b];
        let heir = self.heir[b];
        self.gtop[g] = heir;
        self.bgrp[heir] = g;
        self.bgrp[b] = Group::NONE;
        for &c in childs {
            self.parent[c] = Blossom::NONE;
            if c == heir {
                continue;
            }
            let ng = self.gfree.pop().unwrap_or(Group::NONE);
            debug_assert!(ng != Group::NONE, "out of group ids");
            self.bgrp[c] = ng;
            self.gtop[ng] = c;
            self.leaves(c, leaves);
            for &v in leaves.iter() {
                self.grp[v] = ng;
            }
        }
    }
}

impl<T: Dual> Solver<T> {
    /// Returns the id of the emptied non-trivial blossom `b` to the pool.
    pub(super) fn free_blossom(&mut self, b: Blossom) {
        self.nest.childs[b].clear();
        self.nest.bedges[b].clear();
        self.nest.parent[b] = Blossom::NONE;
        self.nest.base[b] = Vertex::NONE;
        self.forest.blab[b] = Label::Free;
        self.forest.btree[b] = Vertex::NONE;
        self.forest.z[b] = T::ZERO;
        self.nest.free_ids.push(b);
    }

    /// Shrinks the odd cycle closed by the tight edge `(u, w)` between two
    /// even blossoms of `tree` into a new even blossom; its odd children's
    /// vertices become even and are scanned.
    pub(super) fn add_blossom(&mut self, u: Vertex, w: Vertex, tree: Vertex) {
        let bu = self.nest.top(u);
        let bw = self.nest.top(w);
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.mark.fill(0);
            self.stamp = 1;
        }
        let (mut a, mut c) = (bu, bw);
        let lca = loop {
            if a != Blossom::NONE {
                if self.mark[a] == self.stamp {
                    break a;
                }
                self.mark[a] = self.stamp;
                a = self.tree_up(a);
            }
            std::mem::swap(&mut a, &mut c);
        };
        // Cycle order: lca, down the u side to bu, across (u, w), up the w side.
        let mut side_u = Vec::new();
        let mut x = bu;
        while x != lca {
            side_u.push(x);
            x = self.nest.top(self.forest.ledge[x].0);
        }
        side_u.reverse();
        let mut childs = vec![lca];
        let mut bedges = Vec::with_capacity(side_u.len() + 8);
        for &c in &side_u {
            bedges.push(self.forest.ledge[c]);
            childs.push(c);
        }
        bedges.push((u, w));
        let mut x = bw;
        while x != lca {
            childs.push(x);
            let (p, q) = self.forest.ledge[x];
            bedges.push((q, p));
            x = self.nest.top(p);
        }
        let Some(nb) = self.nest.free_ids.pop() else {
            debug_assert!(false, "out of blossom ids");
            return;
        };
        self.nest.base[nb] = self.nest.base[lca];
        self.nest.parent[nb] = Blossom::NONE;
        self.forest.ledge[nb] = self.forest.ledge[lca];
        self.forest.blab[nb] = Label::Even;
        self.forest.z[nb] = T::ZERO - self.forest.d - self.forest.d;
        self.forest.btree[nb] = tree;
        self.forest.tree_blossoms[tree].push(nb);
        let mut leaves = std::mem::take(&mut self.scratch);
        let mut scan = Vec::new();
        let heir = childs
            .iter()
            .copied()
            .max_by_key(|&c| (self.nest.bsize[c], Reverse(c)))
            .unwrap_or(lca);
        let g = self.nest.bgrp[heir];
        self.nest.gtop[g] = nb;
        self.nest.bgrp[nb] = g;
        self.nest.heir[nb] = heir;
        self.nest.bsize[nb] = childs.iter().map(|&c| self.nest.bsize[c]).sum();
        for &c in &childs {
            let zc = self.forest.z_now(c);
            let was_odd = self.forest.blab[c] == Label::Odd;
            self.forest.z[c] = zc;
            self.forest.blab[c] = Label::Free;
            self.nest.parent[c] = nb;
            if c == heir && !was_odd {
                continue;
            }
            if c != heir {
                let old = self.nest.bgrp[c];
                self.nest.gfree.push(old);
                self.nest.bgrp[c] = Group::NONE;
            }
            self.nest.leaves(c, &mut leaves);
            for &v in &leaves {
                self.nest.grp[v] = g;
                if was_odd {
                    self.make_vertex_even(v, tree);
                    scan.push(v);
                }
            }
        }
        self.scratch = leaves;
        self.nest.childs[nb] = childs;
        self.nest.bedges[nb] = bedges;
        for v in scan {
            self.scan_even(v);
        }
    }

    /// Expands the odd blossom `b` whose dual reached zero: the children on
    /// the even-length way from where the tree enters `b` to its base stay
    /// in the tree (alternately odd and even), the others leave it.
    pub(super) fn expand_odd(&mut self, b: Blossom) {
        let tree = self.forest.btree[b];
        let (s0, t0) = self.forest.ledge[b];
        let childs = std::mem::take(&mut self.nest.childs[b]);
        let bedges = std::mem::take(&mut self.nest.bedges[b]);
        let mut leaves = std::mem::take(&mut self.scratch);
        self.nest.release_children(b, &childs, &mut leaves);
        let k = childs.len();
        let entry = self.nest.top(t0);
        let j = childs.iter().position(|&c| c == entry).unwrap_or(0);
        // The even-length way round the cycle from the entry child to the base.
        let mut path: Vec<(usize, (Vertex, Vertex))> = vec![(j, (s0, t0))];
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
            self.nest.leaves(c, &mut leaves);
            for &v in &leaves {
                self.forest.y[v] = self.forest.y_now(v);
                self.forest.vlab[v] = Label::Free;
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
                self.forest.tree_blossoms[tree].push(c);
                self.forest.btree[c] = tree;
                self.forest.blab[c] = Label::Odd;
                self.forest.z[c] += self.forest.d + self.forest.d;
                self.forest.ledge[c] = ed;
                if !self.nest.is_trivial(c) {
                    self.events
                        .queue
                        .push(self.forest.z[c] / T::TWO, Pending::Odd(c));
                }
            } else {
                self.label_even(c, ed, tree);
            }
        }
    }

    /// Re-bases blossom `b` at vertex `v` by flipping the even path inside it.
    ///
    /// Each sub-blossom to re-base is walked once from its new base vertex up
    /// to itself, and every level of that chain is then re-based top-down:
    /// finding each level's child by walking up from the vertex again made
    /// deeply nested blossoms cost their size times their depth.
    pub(super) fn rotate(&mut self, b: Blossom, v: Vertex) {
        let mut work = vec![(b, v)];
        let mut chain = Vec::new();
        while let Some((top, v)) = work.pop() {
            chain.clear();
            let mut t = Blossom::from(v);
            while t != top {
                chain.push(t);
                t = self.nest.parent[t];
            }
            // `chain[k]` is the child of `chain[k + 1]` (of `top` for the
            // last) that holds `v`; `chain[0]` is `v` itself.
            for level in (0..chain.len()).rev() {
                let b = chain.get(level + 1).copied().unwrap_or(top);
                let t = chain[level];
                let childs = &self.nest.childs[b];
                let bedges = &self.nest.bedges[b];
                let k = childs.len();
                let i = childs.iter().position(|&c| c == t).unwrap_or(0);
                if i % 2 == 1 {
                    let mut j = i;
                    while j != k {
                        let (x, y) = bedges[j + 1];
                        work.push((childs[j + 1], x));
                        work.push((childs[(j + 2) % k], y));
                        self.mate[x] = y;
                        self.mate[y] = x;
                        j += 2;
                    }
                } else {
                    let mut j = i;
                    while j != 0 {
                        let (x, y) = bedges[j - 2];
                        work.push((childs[j - 2], x));
                        work.push((childs[j - 1], y));
                        self.mate[x] = y;
                        self.mate[y] = x;
                        j -= 2;
                    }
                }
                self.nest.childs[b].rotate_left(i);
                self.nest.bedges[b].rotate_left(i);
                self.nest.base[b] = v;
            }
        }
    }
}
