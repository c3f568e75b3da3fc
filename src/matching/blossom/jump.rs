//! The fractional jump start (Kolmogorov's Blossom V): before any tree
//! grows, solve the matching LP without its odd-set constraints and start
//! from its rounded optimum, so that only a few vertices (one per odd cycle
//! of the LP optimum) root trees.
//!
//! That LP is an assignment problem on the bipartite double cover: every
//! vertex `v` is a row `v` and a column `v`, an edge `{a, b}` of doubled
//! weight `W` gives the arcs `a -> b` and `b -> a` of value `c = W / 2`, and
//! each row also has the arc `v -> v` of value 0 ("`v` stays free"), which
//! makes the assignment perfect. An optimal assignment is a permutation whose
//! fixed points are free vertices, whose 2-cycles are matched edges and whose
//! longer cycles carry value one half on each edge; its value is the LP's.
//!
//! The assignment comes from Bertsekas' auction with ε-scaling on values
//! multiplied by `n + 1`, which is exact once ε reaches one; exact integral
//! duals then come from its prices by a few Bellman-Ford relaxations (the
//! prices are off by less than one unit along any simple path, so each
//! column's potential moves at most a couple of times). With row duals `u`
//! and column duals `p`, the vertex duals `y(v) = u(v) + p(v)` are feasible
//! for the blossom LP: `y(a) + y(b)` is the sum of the two arc constraints
//! of `{a, b}`, and the loop's constraint gives `y(v) >= 0`. Both arcs of a
//! used edge are tight, because the reversed permutation is optimal too and
//! optimal duals are complementary to every optimal assignment.
//!
//! Every other edge of each cycle is then matched. The whole start is
//! checked against the blossom solver's invariants before it is kept; a
//! start that fails (it should not) leaves the greedy one in place.

use super::ids::Vertex;
use super::solver::Solver;
use crate::matching::primal_dual::{
    Candidates, Dual, MAX_SCALED_I128, MAX_SCALED_I64, PRICE_CAP, SHRINK,
};

/// Bellman-Ford relaxations allowed per column before the repair gives up
/// (it needs about two; more means the auction's result was not optimal).
const MAX_RELAX_PER_COLUMN: u64 = 64;
const NONE: u32 = u32::MAX;

/// The double cover's optimal assignment and duals, in half-weight units.
struct Cover<A> {
    /// Column of each row.
    col: Vec<u32>,
    /// Column duals; a row's dual is its arc's value minus its column's.
    p: Vec<A>,
}

impl<T: Dual> Solver<T> {
    /// Sets duals and a matching from the fractional optimum. Returns false,
    /// touching nothing, when the instance's numbers are too large for the
    /// auction or the result fails its check; the caller then starts
    /// greedily.
    pub(super) fn jump_start(&mut self) -> bool {
        let n = self.g.n;
        if n == 0 {
            return false;
        }
        let max_half = self.g.ew.iter().map(|w| w.to_i128() / 2).max().unwrap_or(0);
        let scale = n as i128 + 1;
        let scaled = max_half.saturating_mul(scale);
        let y = if max_half <= 0 {
            None
        } else if scaled < MAX_SCALED_I64 {
            self.fractional_duals::<i64>(scale, max_half)
        } else if scaled < MAX_SCALED_I128 {
            self.fractional_duals::<i128>(scale, max_half)
        } else {
            None
        };
        let Some((y, col)) = y else {
            return false;
        };
        let mut mate = vec![NONE; n];
        let mut seen = vec![false; n];
        let mut cycle = Vec::new();
        for v in 0..n {
            if seen[v] {
                continue;
            }
            cycle.clear();
            let mut x = v;
            while !seen[x] {
                seen[x] = true;
                cycle.push(x as u32);
                x = col[x] as usize;
            }
            // A fixed point is a free vertex; an odd cycle leaves its last
            // vertex free.
            for pair in cycle.chunks_exact(2) {
                mate[pair[0] as usize] = pair[1];
                mate[pair[1] as usize] = pair[0];
            }
        }
        if !self.start_is_valid(&y, &mate) {
            return false;
        }
        for v in 0..n {
            self.forest.y[Vertex(v as u32)] = y[v];
            self.mate[Vertex(v as u32)] = Vertex(mate[v]);
        }
        true
    }

    /// The vertex duals `y = u + p` of the double cover's optimum and its
    /// assignment, computed in `A`; None if the auction's duals cannot be
    /// repaired or a dual would leave the solver's type `T` too little
    /// headroom (more than twice the largest weight: optimal duals stay far
    /// below that on every graph seen, so this only guards the type).
    fn fractional_duals<A: Dual>(&self, scale: i128, max_half: i128) -> Option<(Vec<T>, Vec<u32>)> {
        let cover = self.cover::<A>(A::from_i128(scale), A::from_i128(max_half))?;
        let limit = 4 * max_half;
        let y = (0..self.g.n)
            .map(|v| {
                let c = cover.col[v];
                let u = self.half::<A>(v as u32, c) - cover.p[c as usize];
                let y = (u + cover.p[v]).to_i128();
                (y <= limit).then(|| T::from_i128(y))
            })
            .collect::<Option<Vec<T>>>()?;
        Some((y, cover.col))
    }

    /// Value of arc `row -> col` in half-weight units (0 for the loop).
    fn half<A: Dual>(&self, row: u32, col: u32) -> A {
        if row == col {
            return A::ZERO;
        }
        let &(_, _, w) = self
            .g
            .edges_of(Vertex(row))
            .iter()
            .find(|a| a.0 .0 == col)
            .expect("an assigned arc is an edge");
        A::from_i128(w.to_i128() / 2)
    }

    /// Auction, then exact duals; None if the duals cannot be repaired.
    fn cover<A: Dual>(&self, scale: A, max_half: A) -> Option<Cover<A>> {
        let n = self.g.n;
        let shrink = A::from_i128(SHRINK);
        // Below any value a bid can see: prices stay under a few times the
        // largest value.
        let none = A::ZERO - A::MAX;
        let mut price = vec![A::ZERO; n];
        let mut owner = vec![NONE; n];
        let mut col = vec![NONE; n];
        let mut queue = std::collections::VecDeque::with_capacity(n);
        let mut cache = Candidates::new(n, none);
        let mut eps = (max_half * scale / shrink).max(A::ONE);
        // Values and raises stay far below this (see MAX_SCALED_I64), so a
        // price crosses it before any sum could overflow.
        let cap = A::MAX / A::from_i128(PRICE_CAP);
        loop {
            owner.fill(NONE);
            col.fill(NONE);
            queue.extend(0..n as u32);
            while let Some(i) = queue.pop_front() {
                let (best, second, at) = match cache.bid(i, &price) {
                    Some(bid) => bid,
                    None => cache.rescan(i, &price, |visit| {
                        visit(i, A::ZERO);
                        for &(x, _, w) in self.g.edges_of(Vertex(i)) {
                            visit(x.0, A::from_i128(w.to_i128() / 2) * scale);
                        }
                    }),
                };
                let raise = if second == none {
                    eps
                } else {
                    best - second + eps
                };
                price[at as usize] += raise;
                if price[at as usize] > cap {
                    return None;
                }
                let before = std::mem::replace(&mut owner[at as usize], i);
                col[i as usize] = at;
                if before != NONE {
                    col[before as usize] = NONE;
                    queue.push_back(before);
                }
            }
            if eps == A::ONE {
                break;
            }
            eps = (eps / shrink).max(A::ONE);
        }
        let p = self.exact_duals(&col, &price, scale)?;
        Some(Cover { col, p })
    }

    /// Column duals that make the assignment `col` provably optimal:
    /// `p(col(i)) <= p(j) + c(i, col(i)) - c(i, j)` for every arc `i -> j`.
    /// Starts from the auction's prices rounded down and lowers columns
    /// until every constraint holds (queue-based Bellman-Ford).
    fn exact_duals<A: Dual>(&self, col: &[u32], price: &[A], scale: A) -> Option<Vec<A>> {
        let n = self.g.n;
        // Prices only ever rise from zero, so division rounds down.
        let mut p: Vec<A> = price.iter().map(|&x| x / scale).collect();
        let own: Vec<A> = (0..n as u32)
            .map(|i| self.half(i, col[i as usize]))
            .collect();
        let mut queued = vec![false; n];
        let mut queue = std::collections::VecDeque::new();
        let mut budget = MAX_RELAX_PER_COLUMN * n as u64;
        // First pass: each row's assigned column against all its arcs.
        for i in 0..n as u32 {
            let k = col[i as usize] as usize;
            let mut bound = p[i as usize] + own[i as usize];
            for &(x, _, w) in self.g.edges_of(Vertex(i)) {
                let c = A::from_i128(w.to_i128() / 2);
                bound = bound.min(p[x.0 as usize] + own[i as usize] - c);
            }
            if p[k] > bound {
                p[k] = bound;
                if !queued[k] {
                    queued[k] = true;
                    queue.push_back(k as u32);
                }
            }
        }
        // A lowered column `j` tightens the rows with an arc into it: `j`'s
        // own row (the loop) and its neighbours (edges are symmetric).
        while let Some(j) = queue.pop_front() {
            queued[j as usize] = false;
            let pj = p[j as usize];
            let loop_row = std::iter::once((j, A::ZERO));
            let rows = self
                .g
                .edges_of(Vertex(j))
                .iter()
                .map(|&(x, _, w)| (x.0, A::from_i128(w.to_i128() / 2)));
            for (i, c) in loop_row.chain(rows) {
                let k = col[i as usize] as usize;
                let bound = pj + own[i as usize] - c;
                if p[k] > bound {
                    budget = budget.checked_sub(1)?;
                    p[k] = bound;
                    if !queued[k] {
                        queued[k] = true;
                        queue.push_back(k as u32);
                    }
                }
            }
        }
        Some(p)
    }

    /// Whether `y` and `mate` are a start the solver may take: duals never
    /// negative, every edge's slack non-negative, matched edges tight and
    /// the matching symmetric.
    fn start_is_valid(&self, y: &[T], mate: &[u32]) -> bool {
        for v in 0..self.g.n as u32 {
            if y[v as usize] < T::ZERO {
                return false;
            }
            let m = mate[v as usize];
            let mut tight_mate = m == NONE;
            for &(x, _, w) in self.g.edges_of(Vertex(v)) {
                let slack = y[v as usize] + y[x.0 as usize] - w;
                if slack < T::ZERO {
                    return false;
                }
                if x.0 == m && mate[m as usize] == v && slack == T::ZERO {
                    tight_mate = true;
                }
            }
            if !tight_mate {
                return false;
            }
        }
        true
    }
}
