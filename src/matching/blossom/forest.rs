//! The alternating forest: labels, lazily offset duals and trees, and the
//! operations that grow a tree, flip its paths and take it apart.

use super::events::Pending;
use super::ids::{Blossom, EdgeId, IdVec, Label, SidedEdge, Vertex};
use super::solver::Solver;
use crate::matching::primal_dual::Dual;

/// Labels and duals of vertices and blossoms, and the trees they are in.
/// A tree is named by its root vertex.
pub(super) struct Forest<T: Dual> {
    /// The dual offset: how far all trees have grown in this run.
    pub(super) d: T,
    /// Vertex dual, stored relative to `d` according to the vertex's label:
    /// even `y - d`, odd `y + d`, free `y`.
    pub(super) y: IdVec<Vertex, T>,
    pub(super) vlab: IdVec<Vertex, Label>,
    /// Blossom dual, relative to `d` like `y` (even `z + 2d`, odd `z - 2d`).
    pub(super) z: IdVec<Blossom, T>,
    pub(super) blab: IdVec<Blossom, Label>,
    /// Tree of each labelled top-level blossom.
    pub(super) btree: IdVec<Blossom, Vertex>,
    /// Tree edge `(x, y)` by which a labelled top-level blossom was reached:
    /// x in the parent blossom, y in this one. `(NONE, NONE)` for the root.
    pub(super) ledge: IdVec<Blossom, (Vertex, Vertex)>,
    /// Vertices and blossoms ever labelled in each tree, for `dissolve`.
    pub(super) tree_verts: IdVec<Vertex, Vec<Vertex>>,
    pub(super) tree_blossoms: IdVec<Vertex, Vec<Blossom>>,
    /// The trees not yet dissolved, and each one's place in `live`.
    pub(super) live: Vec<Vertex>,
    live_at: IdVec<Vertex, u32>,
    /// Sum of `tree_verts` lengths over the live trees, and of the degrees
    /// of the even vertices: what re-queueing by pushing from the live
    /// trees' even vertices costs (see `dissolve`).
    pub(super) live_verts: u64,
    pub(super) even_degrees: u64,
    /// Tests set this to re-queue by pushing whenever there is a live tree.
    #[cfg(test)]
    pub(super) always_push: bool,
}

impl<T: Dual> Forest<T> {
    /// No trees, all duals zero, for `n` vertices and `nb` blossom ids.
    pub(super) fn new(n: usize, nb: usize) -> Forest<T> {
        Forest {
            d: T::ZERO,
            y: IdVec::filled(T::ZERO, n),
            vlab: IdVec::filled(Label::Free, n),
            z: IdVec::filled(T::ZERO, nb),
            blab: IdVec::filled(Label::Free, nb),
            btree: IdVec::filled(Vertex::NONE, nb),
            ledge: IdVec::filled((Vertex::NONE, Vertex::NONE), nb),
            tree_verts: IdVec::filled(Vec::new(), n),
            tree_blossoms: IdVec::filled(Vec::new(), n),
            live: Vec::new(),
            live_at: IdVec::filled(u32::MAX, n),
            live_verts: 0,
            even_degrees: 0,
            #[cfg(test)]
            always_push: false,
        }
    }

    /// Vertex `v`'s current dual.
    pub(super) fn y_now(&self, v: Vertex) -> T {
        match self.vlab[v] {
            Label::Even => self.y[v] - self.d,
            Label::Odd => self.y[v] + self.d,
            Label::Free => self.y[v],
        }
    }

    /// Starts tree `root`.
    pub(super) fn plant(&mut self, root: Vertex) {
        self.live_at[root] = self.live.len() as u32;
        self.live.push(root);
    }

    /// Records that `v` was labelled in `tree`.
    pub(super) fn enlist(&mut self, tree: Vertex, v: Vertex) {
        self.tree_verts[tree].push(v);
        self.live_verts += 1;
    }

    /// Ends tree `root`: takes it out of `live` and returns its vertices.
    fn uproot(&mut self, root: Vertex) -> Vec<Vertex> {
        let i = self.live_at[root] as usize;
        self.live.swap_remove(i);
        if let Some(&moved) = self.live.get(i) {
            self.live_at[moved] = i as u32;
        }
        self.live_at[root] = u32::MAX;
        let verts = std::mem::take(&mut self.tree_verts[root]);
        self.live_verts -= verts.len() as u64;
        verts
    }

    /// Blossom `b`'s current dual.
    pub(super) fn z_now(&self, b: Blossom) -> T {
        match self.blab[b] {
            Label::Even => self.z[b] + self.d + self.d,
            Label::Odd => self.z[b] - self.d - self.d,
            Label::Free => self.z[b],
        }
    }
}

impl<T: Dual> Solver<T> {
    /// Takes finished alternating trees apart: their duals become plain
    /// values again and the edges from other trees into them are re-queued.
    pub(super) fn dissolve(&mut self, trees: &[Vertex]) {
        let mut freed = Vec::new();
        for &tree in trees {
            self.dissolve_one(tree, &mut freed);
        }
        self.requeue_freed(&freed);
    }

    /// Unlabels one tree's vertices and blossoms, adding the vertices to
    /// `freed`.
    fn dissolve_one(&mut self, tree: Vertex, freed: &mut Vec<Vertex>) {
        let verts = self.forest.uproot(tree);
        let blossoms = std::mem::take(&mut self.forest.tree_blossoms[tree]);
        freed.reserve(verts.len());
        for &v in &verts {
            if self.forest.vlab[v] != Label::Free && self.forest.btree[self.nest.top(v)] == tree {
                if self.forest.vlab[v] == Label::Even {
                    self.forest.even_degrees -= self.g.degree(v);
                }
                self.forest.y[v] = self.forest.y_now(v);
                self.forest.vlab[v] = Label::Free;
                freed.push(v);
            }
        }
        for &b in &blossoms {
            if self.forest.blab[b] != Label::Free && self.forest.btree[b] == tree {
                self.forest.z[b] = self.forest.z_now(b);
                self.forest.blab[b] = Label::Free;
                self.forest.btree[b] = Vertex::NONE;
            }
        }
        // Blossoms whose dual dropped to zero no longer constrain anything;
        // dissolving them keeps later relabelling cheap.
        let mut stack: Vec<Blossom> = Vec::new();
        for &b in &blossoms {
            if !self.nest.is_trivial(b)
                && self.nest.parent[b] == Blossom::NONE
                && !self.nest.childs[b].is_empty()
                && self.forest.blab[b] == Label::Free
                && self.forest.z[b] == T::ZERO
            {
                stack.push(b);
            }
        }
        let mut leaves = std::mem::take(&mut self.scratch);
        while let Some(b) = stack.pop() {
            if self.nest.childs[b].is_empty() || self.nest.parent[b] != Blossom::NONE {
                continue;
            }
            let childs = std::mem::take(&mut self.nest.childs[b]);
            self.nest.release_children(b, &childs, &mut leaves);
            for &c in &childs {
                if !self.nest.is_trivial(c) && self.forest.z[c] == T::ZERO {
                    stack.push(c);
                }
            }
            self.free_blossom(b);
        }
        self.scratch = leaves;
    }

    /// Gives each vertex just freed its best edge to an even vertex. Either
    /// each freed vertex looks through its edges (pull), or each even vertex
    /// of the live trees offers its edges (push), whichever reads fewer
    /// edges. Late in a run one tree often spans most of the graph while the
    /// others are small: when it is dissolved, pushing from the small trees
    /// reads a fraction of the edges pulling would.
    fn requeue_freed(&mut self, freed: &[Vertex]) {
        let pull: u64 = freed.iter().map(|&v| self.g.degree(v)).sum();
        let push = self.forest.even_degrees + self.forest.live_verts < pull;
        #[cfg(test)]
        let push = push || self.forest.always_push;
        if !push {
            for &v in freed {
                self.requeue_free(v);
            }
            return;
        }
        for &v in freed {
            self.events.best_out_key[v] = T::MAX;
        }
        for i in 0..self.forest.live.len() {
            let tree = self.forest.live[i];
            let verts = std::mem::take(&mut self.forest.tree_verts[tree]);
            for &x in &verts {
                if self.forest.vlab[x] == Label::Even && self.forest.btree[self.nest.top(x)] == tree
                {
                    self.offer_to_free(x);
                }
            }
            self.forest.tree_verts[tree] = verts;
        }
    }

    /// Offers each edge of even vertex `x` to its free-standing ends.
    fn offer_to_free(&mut self, x: Vertex) {
        let yx = self.forest.y[x];
        for &(v, e, w) in self.g.edges_of(x) {
            if self.forest.vlab[v] == Label::Free {
                let key = yx + self.forest.y[v] - w;
                // Edges are stored with eu < ev.
                self.events.offer_out(v, key, SidedEdge::new(e, x > v));
            }
        }
    }

    /// Makes vertex `v` even (it was free or odd) and queues its dual's
    /// event; the caller then scans it (`scan_even`).
    pub(super) fn make_vertex_even(&mut self, v: Vertex, tree: Vertex) {
        let now = self.forest.y_now(v);
        if self.forest.vlab[v] == Label::Free {
            self.forest.enlist(tree, v);
        }
        if self.forest.vlab[v] != Label::Even {
            self.forest.even_degrees += self.g.degree(v);
        }
        self.forest.y[v] = now + self.forest.d;
        self.forest.vlab[v] = Label::Even;
        self.events.best_even_key[v] = T::MAX;
        self.events.queue.push(self.forest.y[v], Pending::Vertex(v));
    }

    /// Offers each edge of the new even vertex `v` to its other end: to
    /// free-standing vertices as their edge into the forest, to even
    /// vertices of other blossoms as an even-even edge; and `v`'s own best
    /// even edge to `v`.
    pub(super) fn scan_even(&mut self, v: Vertex) {
        let tv = self.nest.top(v);
        let yv = self.forest.y[v];
        // `v`'s own best even edge is offered once, after the loop; nothing
        // in the loop offers to `v` itself.
        let mut best = T::MAX;
        let mut best_e = EdgeId::NONE;
        for &(x, e, w) in self.g.edges_of(v) {
            match self.forest.vlab[x] {
                Label::Even if self.nest.top(x) != tv => {
                    let key2 = yv + self.forest.y[x] - w;
                    if key2 < best {
                        best = key2;
                        best_e = e;
                    }
                    self.events.offer_even(x, key2, e);
                }
                Label::Free => {
                    let key = yv + self.forest.y[x] - w;
                    // Edges are stored with eu < ev.
                    self.events.offer_out(x, key, SidedEdge::new(e, v > x));
                }
                _ => {}
            }
        }
        if best_e != EdgeId::NONE {
            self.events.offer_even(v, best, best_e);
        }
    }

    /// Labels top-level blossom `b` even in `tree`, reached by `edge`, and
    /// scans its vertices.
    pub(super) fn label_even(&mut self, b: Blossom, edge: (Vertex, Vertex), tree: Vertex) {
        let znow = self.forest.z_now(b);
        if self.forest.blab[b] == Label::Free {
            self.forest.tree_blossoms[tree].push(b);
        }
        self.forest.btree[b] = tree;
        self.forest.blab[b] = Label::Even;
        self.forest.z[b] = znow - self.forest.d - self.forest.d;
        self.forest.ledge[b] = edge;
        let mut leaves = std::mem::take(&mut self.scratch);
        self.nest.leaves(b, &mut leaves);
        for &v in &leaves {
            self.make_vertex_even(v, tree);
        }
        for &v in &leaves {
            self.scan_even(v);
        }
        self.scratch = leaves;
    }

    /// Labels a free-standing blossom odd in `tree`, reached by `edge`.
    pub(super) fn label_odd(&mut self, b: Blossom, edge: (Vertex, Vertex), tree: Vertex) {
        let znow = self.forest.z_now(b);
        self.forest.tree_blossoms[tree].push(b);
        self.forest.btree[b] = tree;
        self.forest.blab[b] = Label::Odd;
        self.forest.z[b] = znow + self.forest.d + self.forest.d;
        self.forest.ledge[b] = edge;
        if !self.nest.is_trivial(b) {
            self.events
                .queue
                .push(self.forest.z[b] / T::TWO, Pending::Odd(b));
        }
        let mut leaves = std::mem::take(&mut self.scratch);
        self.nest.leaves(b, &mut leaves);
        for &v in &leaves {
            self.forest.enlist(tree, v);
            self.forest.y[v] -= self.forest.d;
            self.forest.vlab[v] = Label::Odd;
        }
        self.scratch = leaves;
    }

    /// The top-level blossom above `b` in the alternating tree (two steps:
    /// through its odd parent to the even grandparent), or NONE at the root.
    pub(super) fn tree_up(&self, b: Blossom) -> Blossom {
        let x = self.forest.ledge[b].0;
        if x == Vertex::NONE {
            return Blossom::NONE;
        }
        let t = self.nest.top(x);
        self.nest.top(self.forest.ledge[t].0)
    }

    /// Flips the alternating path from even vertex `s` to the tree root and
    /// matches `s` to `p` (or leaves it free when `p` is NONE).
    pub(super) fn augment_from(&mut self, mut s: Vertex, mut p: Vertex) {
        loop {
            let bs = self.nest.top(s);
            self.rotate(bs, s);
            self.mate[s] = p;
            let x = self.forest.ledge[bs].0;
            if x == Vertex::NONE {
                break;
            }
            let bt = self.nest.top(x);
            let (sx, ty) = self.forest.ledge[bt];
            self.rotate(bt, ty);
            self.mate[ty] = sx;
            s = sx;
            p = ty;
        }
    }
}
