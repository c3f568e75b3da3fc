use super::*;
use proptest::prelude::*;

/// Certificate check with dual type `T`; skipped (None) when the
/// instance's numbers do not fit `T`, as the public entry point would.
fn certify<T: Dual>(n: usize, edges: &[(u32, u32, i64)], mc: bool) -> Option<String> {
    let prepared = Prepared::build(n, edges, mc);
    if T::BUCKETS == 65 && !fits_i64(prepared.max_abs) {
        return None;
    }
    let mut greedy = Solver::new(Prepared::build(n, edges, mc).into_graph::<T>());
    greedy.greedy_start();
    greedy.solve();
    let jumped = run(prepared.into_graph::<T>());
    // Both starts must end at an optimum; the result below is the jump's.
    assert_eq!(
        greedy.certificate_violation(),
        None,
        "greedy start, n={n} edges={edges:?} mc={mc}"
    );
    jumped.certificate_violation()
}

/// Best (cardinality, weight) key over all matchings, by enumeration.
fn brute(n: usize, edges: &[(u32, u32, i64)], max_cardinality: bool) -> (usize, i128) {
    let mut w = vec![vec![None::<i64>; n]; n];
    for &(u, v, x) in edges {
        let (u, v) = (u as usize, v as usize);
        if u == v || u >= n || v >= n {
            continue;
        }
        let cur = w[u][v].map_or(x, |c: i64| c.max(x));
        w[u][v] = Some(cur);
        w[v][u] = Some(cur);
    }
    fn rec(
        v: usize,
        used: &mut Vec<bool>,
        w: &[Vec<Option<i64>>],
        card: usize,
        tot: i128,
        best: &mut Vec<(usize, i128)>,
    ) {
        let n = used.len();
        let mut v = v;
        while v < n && used[v] {
            v += 1;
        }
        if v >= n {
            best.push((card, tot));
            return;
        }
        used[v] = true;
        rec(v + 1, used, w, card, tot, best);
        for u in v + 1..n {
            if let (false, Some(x)) = (used[u], w[v][u]) {
                used[u] = true;
                rec(v + 1, used, w, card + 1, tot + x as i128, best);
                used[u] = false;
            }
        }
        used[v] = false;
    }
    let mut all = Vec::new();
    rec(0, &mut vec![false; n], &w, 0, 0, &mut all);
    if max_cardinality {
        all.into_iter().max().unwrap_or((0, 0))
    } else {
        (0, all.into_iter().map(|x| x.1).max().unwrap_or(0))
    }
}

fn check(n: usize, edges: &[(u32, u32, i64)], max_cardinality: bool) {
    assert_eq!(certify::<i64>(n, edges, max_cardinality), None);
    assert_eq!(certify::<i128>(n, edges, max_cardinality), None);
    let mate = max_weight_matching(n, edges, max_cardinality);
    assert_eq!(mate.len(), n);
    let mut card = 0;
    for (v, m) in mate.iter().enumerate() {
        if let Some(u) = *m {
            assert_ne!(u as usize, v, "self-matched");
            assert_eq!(mate[u as usize], Some(v as u32), "mate not symmetric");
            assert!(
                edges
                    .iter()
                    .any(|&(a, b, _)| (a as usize == v && b == u) || (b as usize == v && a == u)),
                "matched along a missing edge"
            );
            card += 1;
        }
    }
    let got = (card / 2, matching_weight(edges, &mate));
    let want = brute(n, edges, max_cardinality);
    if max_cardinality {
        assert_eq!(got, want, "n={n} edges={edges:?}");
    } else {
        assert_eq!(got.1, want.1, "n={n} edges={edges:?}");
    }
}

#[test]
fn small_cases() {
    check(0, &[], false);
    check(1, &[(0, 0, 5)], true);
    check(2, &[(0, 1, 1)], false);
    check(3, &[(0, 1, 10), (1, 2, 11)], false);
    check(4, &[(0, 1, 5), (1, 2, 11), (2, 3, 5)], false);
    check(4, &[(0, 1, 5), (1, 2, 11), (2, 3, 5)], true);
    check(4, &[(0, 1, -5), (1, 2, -1), (2, 3, -5)], true);
    check(4, &[(0, 1, -5), (1, 2, -1), (2, 3, -5)], false);
    check(3, &[(0, 1, 2), (0, 1, 7), (1, 0, 3)], false);
    // Weights this large take the i128 path.
    let big = i64::MAX / 3;
    check(
        4,
        &[(0, 1, big), (1, 2, big), (2, 3, 1), (3, 0, -big)],
        true,
    );
    check(
        4,
        &[(0, 1, big), (1, 2, big), (2, 3, 1), (3, 0, -big)],
        false,
    );
    // Found by proptest: roots of different dual parity (half-integral
    // even-even slack) and a consumed queue entry not re-queued.
    check(
        6,
        &[(5, 4, 6), (1, 5, 0), (0, 3, 0), (2, 4, 0), (3, 1, 5)],
        true,
    );
    check(
        5,
        &[(2, 0, 8), (2, 3, 12), (2, 1, 12), (1, 4, 5), (4, 3, 5)],
        false,
    );
}

// Classic cases from van Rantwijk's mwmatching test suite (0-based).
#[test]
fn blossom_cases() {
    // create S-blossom and use it for augmentation
    check(5, &[(1, 2, 8), (1, 3, 9), (2, 3, 10), (3, 4, 7)], false);
    check(
        7,
        &[
            (1, 2, 8),
            (1, 3, 9),
            (2, 3, 10),
            (3, 4, 7),
            (1, 6, 5),
            (4, 5, 6),
        ],
        false,
    );
    // create S-blossom, relabel as T-blossom, use for augmentation
    check(
        7,
        &[
            (1, 2, 9),
            (1, 3, 8),
            (2, 3, 10),
            (1, 4, 5),
            (4, 5, 4),
            (1, 6, 3),
        ],
        false,
    );
    check(
        7,
        &[
            (1, 2, 9),
            (1, 3, 8),
            (2, 3, 10),
            (1, 4, 5),
            (4, 5, 3),
            (1, 6, 4),
        ],
        false,
    );
    check(
        7,
        &[
            (1, 2, 9),
            (1, 3, 8),
            (2, 3, 10),
            (1, 4, 5),
            (4, 5, 3),
            (3, 6, 4),
        ],
        false,
    );
    // create nested S-blossom, use for augmentation
    check(
        7,
        &[
            (1, 2, 9),
            (1, 3, 9),
            (2, 3, 10),
            (2, 4, 8),
            (3, 5, 8),
            (4, 5, 10),
            (5, 6, 6),
        ],
        false,
    );
    // create S-blossom, relabel as S, include in nested S-blossom
    check(
        9,
        &[
            (1, 2, 10),
            (1, 7, 10),
            (2, 3, 12),
            (3, 4, 20),
            (3, 5, 20),
            (4, 5, 25),
            (5, 6, 10),
            (6, 7, 10),
            (7, 8, 8),
        ],
        false,
    );
    // create nested S-blossom, augment, expand recursively
    check(
        9,
        &[
            (1, 2, 8),
            (1, 3, 8),
            (2, 3, 10),
            (2, 4, 12),
            (3, 5, 12),
            (4, 5, 14),
            (4, 6, 12),
            (5, 7, 12),
            (6, 7, 14),
            (7, 8, 12),
        ],
        false,
    );
    // create S-blossom, relabel as T, expand
    check(
        9,
        &[
            (1, 2, 23),
            (1, 5, 22),
            (1, 6, 15),
            (2, 3, 25),
            (3, 4, 22),
            (4, 5, 25),
            (4, 8, 14),
            (5, 7, 13),
        ],
        false,
    );
    // create nested S-blossom, relabel as T, expand
    check(
        9,
        &[
            (1, 2, 19),
            (1, 3, 20),
            (1, 8, 8),
            (2, 3, 25),
            (2, 4, 18),
            (3, 5, 18),
            (4, 5, 13),
            (4, 7, 7),
            (5, 6, 7),
        ],
        false,
    );
    // create blossom, relabel as T in more than one way, expand, augment
    check(
        11,
        &[
            (1, 2, 45),
            (1, 5, 45),
            (2, 3, 50),
            (3, 4, 45),
            (4, 5, 50),
            (1, 6, 30),
            (3, 9, 35),
            (4, 8, 35),
            (5, 7, 26),
            (9, 10, 5),
        ],
        false,
    );
    // again but slightly different
    check(
        11,
        &[
            (1, 2, 45),
            (1, 5, 45),
            (2, 3, 50),
            (3, 4, 45),
            (4, 5, 50),
            (1, 6, 30),
            (3, 9, 35),
            (4, 8, 26),
            (5, 7, 40),
            (9, 10, 5),
        ],
        false,
    );
    // create blossom, relabel as T, expand such that a new least-slack S-to-free edge is produced, augment
    check(
        11,
        &[
            (1, 2, 45),
            (1, 5, 45),
            (2, 3, 50),
            (3, 4, 45),
            (4, 5, 50),
            (1, 6, 30),
            (3, 9, 35),
            (4, 8, 28),
            (5, 7, 26),
            (9, 10, 5),
        ],
        false,
    );
    // create nested blossom, relabel as T in more than one way, expand outer blossom such that inner blossom ends up on an augmenting path
    check(
        13,
        &[
            (1, 2, 45),
            (1, 7, 45),
            (2, 3, 50),
            (3, 4, 45),
            (4, 5, 95),
            (4, 6, 94),
            (5, 6, 94),
            (6, 7, 50),
            (1, 8, 30),
            (3, 11, 35),
            (5, 9, 36),
            (7, 10, 26),
            (11, 12, 5),
        ],
        false,
    );
    // create nested S-blossom, relabel as S, expand recursively
    check(
        13,
        &[
            (1, 2, 40),
            (1, 3, 40),
            (2, 3, 60),
            (2, 4, 55),
            (3, 5, 55),
            (4, 5, 50),
            (1, 8, 15),
            (5, 7, 30),
            (7, 6, 10),
            (8, 10, 10),
            (4, 9, 30),
        ],
        false,
    );
    // odd cycles, with and without max cardinality
    for mc in [false, true] {
        check(
            5,
            &[(0, 1, 3), (1, 2, 3), (2, 3, 3), (3, 4, 3), (4, 0, 3)],
            mc,
        );
        check(
            7,
            &[
                (0, 1, 1),
                (1, 2, 9),
                (2, 0, 1),
                (2, 3, 1),
                (3, 4, 9),
                (4, 5, 1),
                (5, 6, 9),
                (6, 3, 1),
            ],
            mc,
        );
        check(
            6,
            &[
                (0, 1, 2),
                (1, 2, 2),
                (2, 0, 2),
                (3, 4, 2),
                (4, 5, 2),
                (5, 3, 2),
                (0, 3, 1),
            ],
            mc,
        );
    }
}

fn graph_strategy(
    max_n: usize,
    max_m: usize,
) -> impl Strategy<Value = (usize, Vec<(u32, u32, i64)>, bool)> {
    (1..=max_n).prop_flat_map(move |n| {
        let edge = (
            0..n as u32,
            0..n as u32,
            prop_oneof![8 => -6i64..=12i64, 1 => Just(0i64), 1 => Just(5i64), 1 => Just(i64::MAX / 40)],
        );
        (
            Just(n),
            proptest::collection::vec(edge, 0..=max_m),
            any::<bool>(),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]
    #[test]
    fn equals_brute_force((n, edges, mc) in graph_strategy(12, 30)) {
        check(n, &edges, mc);
    }

    #[test]
    fn equals_brute_force_dense((n, edges, mc) in graph_strategy(9, 40)) {
        check(n, &edges, mc);
    }

    /// The answer depends on the edge set, not on the order it came in,
    /// so it is trivially deterministic for a given instance.
    #[test]
    fn independent_of_edge_order((n, edges, mc) in graph_strategy(12, 30), rot in 0usize..30) {
        let mut shuffled: Vec<_> = edges.iter().rev().map(|&(u, v, w)| (v, u, w)).collect();
        let len = shuffled.len().max(1);
        shuffled.rotate_left(rot % len);
        prop_assert_eq!(max_weight_matching(n, &edges, mc), max_weight_matching(n, &shuffled, mc));
    }
}

/// A seeded xorshift for the larger randomised tests (the same graphs on
/// every run).
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// 20 to 419 vertices with 1 to 8 random edges each (self-loops and
    /// duplicates included); the weight range cycles with `round` (3, 20 or
    /// 1000 values, about a quarter of them negative).
    fn sparse_graph(&mut self, round: usize) -> (usize, Vec<(u32, u32, i64)>) {
        let n = 20 + (self.next() % 400) as usize;
        let k = 1 + (self.next() % 8) as usize;
        let maxw = [3u64, 20, 1000][round % 3];
        let mut edges = Vec::new();
        for u in 0..n as u32 {
            for _ in 0..k {
                let v = (self.next() % n as u64) as u32;
                edges.push((u, v, (self.next() % maxw) as i64 - (maxw / 4) as i64));
            }
        }
        (n, edges)
    }
}

/// The two paths that large runs take, forced on small graphs: dead queue
/// entries dropped at every chance, and freed vertices re-queued by pushing
/// from the live trees. The matching must keep its certificate and its
/// weight; compaction alone must not change it at all.
#[test]
fn eager_compaction_and_push_requeue_keep_the_optimum() {
    let mut rng = XorShift(0x0DDB_1A5E_5BAD_5EED);
    let weight = |edges: &[(u32, u32, i64)], s: &Solver<i64>| {
        let mate: Vec<Option<u32>> = s
            .mate
            .iter()
            .map(|&m| (m != Vertex::NONE).then_some(m.0))
            .collect();
        (mate.iter().flatten().count(), matching_weight(edges, &mate))
    };
    for round in 0..60 {
        let (n, edges) = rng.sparse_graph(round);
        for mc in [false, true] {
            let graph = || Prepared::build(n, &edges, mc).into_graph::<i64>();
            let plain = run(graph());
            for push in [false, true] {
                let mut s = Solver::new(graph());
                s.events.compact_floor = 0;
                s.events.compact_at = 0;
                s.forest.always_push = push;
                s.warm_start();
                s.solve();
                let what = format!("round {round} n={n} mc={mc} push={push}");
                assert_eq!(s.certificate_violation(), None, "{what}");
                assert_eq!(weight(&edges, &s), weight(&edges, &plain), "{what}");
                if !push {
                    assert!(s.mate.iter().eq(plain.mate.iter()), "{what}");
                }
            }
        }
    }
}

/// The fractional jump start is taken on ordinary graphs (not refused in
/// favour of the greedy start), leaves no more trees than the greedy start,
/// and both end at the same optimum with a certificate.
#[test]
fn jump_start_is_taken_and_reaches_the_same_optimum() {
    let mut rng = XorShift(0x51A7_0FF5_E7E7_0001);
    let roots = |s: &Solver<i64>| {
        (0..s.g.n as u32)
            .map(Vertex)
            .filter(|&v| s.mate[v] == Vertex::NONE && s.forest.y[v] > 0)
            .count()
    };
    let (mut jump_roots, mut greedy_roots) = (0, 0);
    for round in 0..60 {
        let (n, edges) = rng.sparse_graph(round);
        for mc in [false, true] {
            let what = format!("round {round} n={n} mc={mc}");
            let graph = || Prepared::build(n, &edges, mc).into_graph::<i64>();
            let mut jumped = Solver::new(graph());
            assert!(jumped.jump_start(), "{what}");
            jump_roots += roots(&jumped);
            jumped.solve();
            let mut greedy = Solver::new(graph());
            greedy.greedy_start();
            greedy_roots += roots(&greedy);
            greedy.solve();
            assert_eq!(jumped.certificate_violation(), None, "{what}");
            assert_eq!(greedy.certificate_violation(), None, "{what}");
            let weight = |s: &Solver<i64>| {
                let mate: Vec<Option<u32>> = s
                    .mate
                    .iter()
                    .map(|&m| (m != Vertex::NONE).then_some(m.0))
                    .collect();
                matching_weight(&edges, &mate)
            };
            assert_eq!(weight(&jumped), weight(&greedy), "{what}");
        }
    }
    assert!(
        jump_roots * 4 < greedy_roots,
        "the jump start should leave far fewer trees: {jump_roots} against {greedy_roots}"
    );
}

/// A triangle's LP optimum is one half on each edge (an odd cycle), so the
/// jump start matches one edge and roots a tree at the third vertex; a path
/// of four has an integral optimum and starts fully matched.
#[test]
fn jump_start_on_a_triangle_and_a_path() {
    let mut tri = Solver::new(
        Prepared::build(3, &[(0, 1, 4), (1, 2, 4), (0, 2, 4)], false).into_graph::<i64>(),
    );
    assert!(tri.jump_start());
    let free: Vec<_> = (0..3u32)
        .map(Vertex)
        .filter(|&v| tri.mate[v] == Vertex::NONE)
        .collect();
    assert_eq!(free.len(), 1);
    assert!(tri.forest.y[free[0]] > 0);
    tri.solve();
    assert_eq!(tri.certificate_violation(), None);
    let mut path = Solver::new(
        Prepared::build(4, &[(0, 1, 5), (1, 2, 6), (2, 3, 5)], false).into_graph::<i64>(),
    );
    assert!(path.jump_start());
    assert_eq!(path.mate[Vertex(0)], Vertex(1));
    assert_eq!(path.mate[Vertex(2)], Vertex(3));
    // Weights this large (or the max-cardinality shift) put the auction's
    // values past i64: it runs in i128 and is still taken.
    let big = i64::MAX / 40;
    let edges = [(0, 1, big), (1, 2, big - 7), (2, 3, big), (3, 0, 5)];
    for mc in [false, true] {
        let prepared = Prepared::build(4, &edges, mc);
        assert!(prepared.max_abs / 2 * 5 >= 1 << 58, "mc={mc}");
        let mut s = Solver::new(prepared.into_graph::<i128>());
        assert!(s.jump_start(), "mc={mc}");
        s.solve();
        assert_eq!(s.certificate_violation(), None, "mc={mc}");
    }
}

/// Larger random sparse graphs have no brute-force oracle; the LP
/// certificate proves optimality instead.
#[test]
fn certificate_on_random_sparse_graphs() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for round in 0..60 {
        let (n, edges) = rng.sparse_graph(round);
        for mc in [false, true] {
            assert_eq!(
                certify::<i64>(n, &edges, mc),
                None,
                "round {round} n={n} mc={mc}"
            );
            assert_eq!(
                certify::<i128>(n, &edges, mc),
                None,
                "i128 round {round} n={n} mc={mc}"
            );
        }
    }
}

/// Speed and certificate check at scale:
/// `cargo test --release --lib blossom::tests::large -- --ignored --nocapture`.
#[test]
#[ignore]
fn large_random_sparse_graph() {
    let mut st: u64 = 0x2545_F491_4F6C_DD1D;
    let mut rnd = move || {
        st ^= st << 13;
        st ^= st >> 7;
        st ^= st << 17;
        st
    };
    for (n, k) in [(2_000usize, 20usize), (30_000, 50), (100_000, 50)] {
        let mut edges = Vec::new();
        for u in 0..n as u32 {
            for _ in 0..k / 2 {
                edges.push(((u), (rnd() % n as u64) as u32, (rnd() % 1000) as i64 + 1));
            }
        }
        for mc in [false, true] {
            let t = std::time::Instant::now();
            let solver = run(Prepared::build(n, &edges, mc).into_graph::<i64>());
            let secs = t.elapsed().as_secs_f64();
            assert_eq!(solver.certificate_violation(), None, "n={n} mc={mc}");
            println!("n={n} m={} mc={mc} secs={secs:.3}", edges.len());
        }
    }
}

/// Weights just under where the auction would leave `i64` once made its
/// prices climb past the type's limit (found in review: a single edge of
/// 4e13 overflowed). They are exact now, in both modes, and brute force agrees.
#[test]
fn large_weights_near_the_auction_bounds_stay_exact() {
    for w in [
        20_000_000_000_000i64,
        34_000_000_000_000,
        40_000_000_000_000,
        46_000_000_000_000,
    ] {
        for mc in [false, true] {
            check(2, &[(0, 1, w)], mc);
            check(3, &[(0, 1, w), (1, 2, w - 3), (0, 2, w / 2)], mc);
            check(4, &[(0, 1, w), (1, 2, w - 1), (2, 3, w), (3, 0, 7)], mc);
        }
    }
}
