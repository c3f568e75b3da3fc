//! Criterion benchmarks of the engine's phases on synthetic rounds:
//! candidate graph, and each solver on a prepared graph, at a few sizes.
//! `cargo bench --no-default-features --bench engine`

use buddymatch::domain::MatchKind;
use buddymatch::matching::prepare;
use buddymatch::offline::synthetic;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;

fn round(kind: MatchKind, n: usize, k: usize) -> buddymatch::matching::instance::Instance {
    let mut inst = synthetic::instance(n, 1, kind);
    inst.round.candidates_per_member = k;
    // Sparse from the start, so sizes compare like with like.
    inst.round.full_graph_below = 0;
    inst
}

fn candidate_graph(c: &mut Criterion) {
    let mut g = c.benchmark_group("candidate_graph");
    g.sample_size(10);
    for &n in &[1_000usize, 10_000] {
        let inst = round(MatchKind::Buddy, n, 20);
        g.bench_with_input(BenchmarkId::new("buddy_k20", n), &inst, |b, inst| {
            b.iter(|| black_box(prepare(inst).unwrap().graph.edges.len()))
        });
    }
    g.finish();
}

fn solvers(c: &mut Criterion) {
    let mut g = c.benchmark_group("solve");
    g.sample_size(10);
    for (kind, name, sizes) in [
        (MatchKind::Buddy, "buddy_k20", &[1_000usize, 10_000][..]),
        (MatchKind::Shadowing, "shadowing_k20", &[1_000, 10_000][..]),
        (MatchKind::Intervision, "intervision", &[24, 1_000][..]),
    ] {
        for &n in sizes {
            let mut inst = round(kind, n, 20);
            if kind == MatchKind::Intervision {
                inst.round.full_graph_below = 600;
            }
            let prepared = prepare(&inst).unwrap();
            g.bench_with_input(BenchmarkId::new(name, n), &prepared, |b, r| {
                b.iter(|| black_box(r.solve().total_score))
            });
        }
    }
    g.finish();
}

/// The buddy solve at the shape of a large round (k = 50, as `generate`
/// sets it), where the start the blossom solver takes decides the time.
fn buddy_large(c: &mut Criterion) {
    let mut g = c.benchmark_group("solve");
    g.sample_size(10);
    let inst = round(MatchKind::Buddy, 20_000, 50);
    let prepared = prepare(&inst).unwrap();
    g.bench_with_input(BenchmarkId::new("buddy_k50", 20_000), &prepared, |b, r| {
        b.iter(|| black_box(r.solve().total_score))
    });
    g.finish();
}

criterion_group!(benches, candidate_graph, solvers, buddy_large);
criterion_main!(benches);
