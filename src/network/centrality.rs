//! Members who bridge: betweenness centrality (Brandes 2001) on the met
//! links, the share of shortest paths between two other members that run
//! through a member. Exact while the work (members × links) stays small;
//! beyond that it is estimated from shortest paths out of a fixed number of
//! sampled members (Brandes & Pich 2007), seeded so the same network gives
//! the same answer.

use super::History;
use petgraph::graph::{NodeIndex, UnGraph};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde::Serialize;

/// Above this many (members with a met link) × (met links), sample.
pub const EXACT_WORK: usize = 50_000_000;
/// Sources sampled when estimating.
pub const SAMPLES: usize = 128;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Exact,
    Sampled,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Betweenness {
    pub method: Method,
    /// Sources the shortest paths were counted from.
    pub sources: usize,
    /// Per member (index into `History::members`), normalised to 0..=1 by
    /// the (n-1)(n-2)/2 pairs of other members of the n with a met link.
    pub scores: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bridge {
    /// Index into `History::members`.
    pub member: usize,
    pub betweenness: f64,
    /// Distinct domains among those they met, their own included.
    pub domains_met: usize,
}

pub fn betweenness(g: &UnGraph<(), ()>, seed: u64) -> Betweenness {
    let n = g.node_count();
    let active: Vec<usize> = (0..n)
        .filter(|&v| g.neighbors(NodeIndex::new(v)).next().is_some())
        .collect();
    let work = active.len().saturating_mul(g.edge_count());
    let (method, sources) = if work <= EXACT_WORK || active.len() <= SAMPLES {
        (Method::Exact, active.clone())
    } else {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut s = active.clone();
        s.shuffle(&mut rng);
        s.truncate(SAMPLES);
        (Method::Sampled, s)
    };
    // Neighbours as one flat array (CSR): the BFS walks memory in order.
    let mut start = vec![0u32; n + 1];
    for v in 0..n {
        start[v + 1] = start[v] + g.neighbors(NodeIndex::new(v)).count() as u32;
    }
    let mut adj = vec![0u32; start[n] as usize];
    for v in 0..n {
        for (i, w) in g.neighbors(NodeIndex::new(v)).enumerate() {
            adj[start[v] as usize + i] = w.index() as u32;
        }
    }
    let nbrs = |v: usize| &adj[start[v] as usize..start[v + 1] as usize];
    let mut score = vec![0.0f64; n];
    let mut sigma = vec![0.0f64; n];
    let mut dist = vec![u32::MAX; n];
    let mut delta = vec![0.0f64; n];
    let mut order: Vec<u32> = Vec::with_capacity(n);
    for &s in &sources {
        order.clear();
        sigma[s] = 1.0;
        dist[s] = 0;
        order.push(s as u32);
        // `order` is the BFS queue too: everything before `head` is done.
        let mut head = 0;
        while head < order.len() {
            let v = order[head] as usize;
            head += 1;
            let dv = dist[v];
            for &w in nbrs(v) {
                let w = w as usize;
                if dist[w] == u32::MAX {
                    dist[w] = dv + 1;
                    order.push(w as u32);
                }
                if dist[w] == dv + 1 {
                    sigma[w] += sigma[v];
                }
            }
        }
        for &w in order.iter().rev() {
            let w = w as usize;
            let coeff = (1.0 + delta[w]) / sigma[w];
            let dw = dist[w];
            for &v in nbrs(w) {
                let v = v as usize;
                if dist[v] != u32::MAX && dist[v] + 1 == dw {
                    delta[v] += sigma[v] * coeff;
                }
            }
            if w != s {
                score[w] += delta[w];
            }
        }
        for &v in &order {
            let v = v as usize;
            sigma[v] = 0.0;
            dist[v] = u32::MAX;
            delta[v] = 0.0;
        }
    }
    let k = active.len() as f64;
    // Each unordered pair is counted from both ends when every member is a
    // source; a sample of s sources stands for k/s times as many.
    let scale = if sources.is_empty() || k < 3.0 {
        0.0
    } else {
        (k / sources.len() as f64) / 2.0 / ((k - 1.0) * (k - 2.0) / 2.0)
    };
    for x in &mut score {
        *x *= scale;
    }
    Betweenness {
        method,
        sources: sources.len(),
        scores: score,
    }
}

/// The `limit` members with the highest betweenness above zero, highest
/// first (ties by member index, so the list is stable).
pub fn bridges(h: &History, b: &Betweenness, limit: usize) -> Vec<Bridge> {
    let mut met: Vec<std::collections::BTreeSet<crate::domain::Domain>> =
        vec![Default::default(); h.members.len()];
    for l in h.links.iter().filter(|l| l.met()) {
        for (x, y) in [(l.a, l.b), (l.b, l.a)] {
            if let Some(d) = h.members[y].domain {
                met[x].insert(d);
            }
            if let Some(d) = h.members[x].domain {
                met[x].insert(d);
            }
        }
    }
    let mut ranked: Vec<usize> = (0..h.members.len())
        .filter(|&m| b.scores[m] > 0.0)
        .collect();
    ranked.sort_by(|&x, &y| b.scores[y].total_cmp(&b.scores[x]).then(x.cmp(&y)));
    ranked.truncate(limit);
    ranked
        .into_iter()
        .map(|m| Bridge {
            member: m,
            betweenness: b.scores[m],
            domains_met: met[m].len(),
        })
        .collect()
}
