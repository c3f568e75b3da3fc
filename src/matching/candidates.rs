//! The candidate graph: which pairs a solver may choose, with integer
//! weights. Small rounds get every compatible pair. Large rounds get, for
//! each member, the best `k` of a deterministic sample of candidates drawn
//! from where compatible people are (the provinces within travel, the online
//! pool, and the members offering a topic the member wants), so building it
//! costs O(n·k), never O(n²).

use super::constraints::{compatible, Meeting};
use super::profile::Prepared;
use crate::domain::{Province, TOPICS};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Local node indices, integer weights: exactly what the solver maximises over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateGraph {
    /// Undirected (buddy): `u < v`, both in `0..n_left`. Bipartite
    /// (shadowing): `(visitor, host)` with host in `0..n_right`.
    pub edges: Vec<(u32, u32, i64)>,
    pub n_left: usize,
    pub n_right: usize,
    /// Every compatible pair is present.
    pub full: bool,
}

impl CandidateGraph {
    /// Edges at each participant (hosts after visitors when bipartite):
    /// zero means nobody passes the hard constraints with them.
    pub fn degrees(&self, bipartite: bool) -> Vec<usize> {
        let (offset, nodes) = if bipartite {
            (self.n_left, self.n_left + self.n_right)
        } else {
            (0, self.n_left)
        };
        let mut degree = vec![0; nodes];
        for &(u, v, _) in &self.edges {
            degree[u as usize] += 1;
            degree[v as usize + offset] += 1;
        }
        degree
    }
}

/// What the builder needs to know about the round.
pub struct Spec<'a> {
    pub prep: &'a Prepared,
    /// Member indices on each side; the same slice for a one-sided form.
    pub left: &'a [u32],
    pub right: &'a [u32],
    pub one_sided: bool,
    pub in_person_required: bool,
    pub k: usize,
    pub full_graph_below: usize,
    pub seed: u64,
}

/// Where compatible candidates on one side can be found.
struct Pools {
    online: Vec<u32>,
    by_province: Vec<Vec<u32>>,
    by_offer: Vec<Vec<u32>>,
}

impl Pools {
    fn new(prep: &Prepared, side: &[u32]) -> Pools {
        let mut p = Pools {
            online: Vec::new(),
            by_province: vec![Vec::new(); Province::ALL.len()],
            by_offer: vec![Vec::new(); TOPICS.len()],
        };
        for (local, &m) in side.iter().enumerate() {
            let pr = &prep.profiles[m as usize];
            if pr.online {
                p.online.push(local as u32);
            }
            if pr.in_person {
                p.by_province[pr.province as usize].push(local as u32);
            }
            for (t, pool) in p.by_offer.iter_mut().enumerate() {
                if pr.offers & (1 << t) != 0 {
                    pool.push(local as u32);
                }
            }
        }
        p
    }
}

/// Build the graph; `score(left_local, right_local, meeting)` weighs a
/// compatible pair.
pub fn build(spec: &Spec, score: impl Fn(u32, u32, Meeting) -> i64) -> CandidateGraph {
    let total = if spec.one_sided {
        spec.left.len()
    } else {
        spec.left.len() + spec.right.len()
    };
    let mut edges = if total < spec.full_graph_below {
        full(spec, &score)
    } else {
        sparse(spec, &score)
    };
    edges.sort_unstable();
    edges.dedup();
    CandidateGraph {
        edges,
        n_left: spec.left.len(),
        n_right: if spec.one_sided {
            spec.left.len()
        } else {
            spec.right.len()
        },
        full: total < spec.full_graph_below,
    }
}

fn full(spec: &Spec, score: &impl Fn(u32, u32, Meeting) -> i64) -> Vec<(u32, u32, i64)> {
    let mut edges = Vec::new();
    for (i, &a) in spec.left.iter().enumerate() {
        let from = if spec.one_sided { i + 1 } else { 0 };
        for (j, &b) in spec.right.iter().enumerate().skip(from) {
            if let Some(m) = compatible(spec.prep, a, b, spec.in_person_required) {
                edges.push((i as u32, j as u32, score(i as u32, j as u32, m)));
            }
        }
    }
    edges
}

/// Draws per member: enough that the best k of them are good, few enough
/// that 100,000 members stay within seconds.
fn sample_size(k: usize) -> usize {
    3 * k + 16
}

fn sparse(spec: &Spec, score: &impl Fn(u32, u32, Meeting) -> i64) -> Vec<(u32, u32, i64)> {
    let mut edges = Vec::with_capacity(spec.left.len() * spec.k);
    let right_pools = Pools::new(spec.prep, spec.right);
    let mut picked: Vec<(i64, u32)> = Vec::new();
    for (i, &a) in spec.left.iter().enumerate() {
        best_of_sample(
            spec,
            a,
            spec.right,
            &right_pools,
            i as u64,
            &mut picked,
            |j, m| score(i as u32, j, m),
        );
        for &(w, j) in &picked {
            let (u, v) = if spec.one_sided && j < i as u32 {
                (j, i as u32)
            } else {
                (i as u32, j)
            };
            edges.push((u, v, w));
        }
    }
    if !spec.one_sided {
        // Hosts pick too, so a popular host is not left with only leftovers.
        let left_pools = Pools::new(spec.prep, spec.left);
        let stream = spec.left.len() as u64;
        for (j, &b) in spec.right.iter().enumerate() {
            best_of_sample(
                spec,
                b,
                spec.left,
                &left_pools,
                stream + j as u64,
                &mut picked,
                |i, m| score(i, j as u32, m),
            );
            for &(w, i) in &picked {
                edges.push((i, j as u32, w));
            }
        }
    }
    edges
}

/// Fill `out` with the best `k` (score desc, index asc) compatible
/// candidates of member `me` among a deterministic sample of `side`.
fn best_of_sample(
    spec: &Spec,
    me: u32,
    side: &[u32],
    pools: &Pools,
    stream: u64,
    out: &mut Vec<(i64, u32)>,
    weigh: impl Fn(u32, Meeting) -> i64,
) {
    out.clear();
    let prep = spec.prep;
    let p = &prep.profiles[me as usize];
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    rng.set_stream(stream);
    let budget = sample_size(spec.k);
    let draw = |pool: &[u32], n: usize, out: &mut Vec<(i64, u32)>, rng: &mut ChaCha8Rng| {
        if pool.is_empty() {
            return;
        }
        for _ in 0..n {
            let j = pool[rng.random_range(0..pool.len())];
            let other = side[j as usize];
            if let Some(m) = compatible(prep, me, other, spec.in_person_required) {
                out.push((weigh(j, m), j));
            }
        }
    };
    // A quarter of the draws go to people offering what this member wants:
    // topic matches are the score's most selective part.
    let wanted = p.wants.count_ones() as usize;
    if wanted > 0 {
        let per_topic = (budget / 4).div_ceil(wanted);
        for (t, pool) in pools.by_offer.iter().enumerate() {
            if p.wants & (1 << t) != 0 {
                draw(pool, per_topic, out, &mut rng);
            }
        }
    }
    let rest = budget - budget / 4;
    let online = p.online && !spec.in_person_required;
    let in_person_share = if !p.in_person {
        0
    } else if online {
        rest / 2
    } else {
        rest
    };
    if online {
        draw(&pools.online, rest - in_person_share, out, &mut rng);
    }
    if in_person_share > 0 {
        // Provinces within this member's travel limit, drawn by their size.
        // On the stack: this runs once per member.
        let mut within: [&[u32]; Province::ALL.len()] = [&[]; Province::ALL.len()];
        let mut count = 0;
        for q in Province::ALL {
            let pool = &pools.by_province[q as usize];
            if p.province.distance_km(q) <= p.max_travel_km && !pool.is_empty() {
                within[count] = pool;
                count += 1;
            }
        }
        let reach = &within[..count];
        let size: usize = reach.iter().map(|v| v.len()).sum();
        for _ in 0..if size == 0 { 0 } else { in_person_share } {
            let mut x = rng.random_range(0..size);
            let pool = reach
                .iter()
                .find(|v| {
                    if x < v.len() {
                        true
                    } else {
                        x -= v.len();
                        false
                    }
                })
                .expect("x < size");
            let j = pool[x];
            if let Some(m) = compatible(prep, me, side[j as usize], spec.in_person_required) {
                out.push((weigh(j, m), j));
            }
        }
    }
    out.sort_unstable_by_key(|x| x.1);
    out.dedup_by_key(|x| x.1);
    out.sort_unstable_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
    out.truncate(spec.k);
}
