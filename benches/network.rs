//! The learning network's summary on a large synthetic history: 20,000
//! members, 100,000 links over 24 rounds (issue 15: under a second).
//! `cargo bench --no-default-features --bench network`
//!
//! Links are drawn with a preference for members' own province and a few
//! hubs, so the network has the components and bridges a real one has;
//! 60% of links are met.

use buddymatch::domain::{Domain, MatchKind};
use buddymatch::network::{
    centrality, matrix, measures, met_graph, Answered, History, LinkMeetings, Member, Round,
};
use criterion::{criterion_group, criterion_main, Criterion};
use rand::{Rng, SeedableRng};
use std::hint::black_box;

pub fn history(members: usize, links: usize, rounds: usize, seed: u64) -> History {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut h = History {
        members: (0..members)
            .map(|i| Member {
                id: format!("m{i}"),
                name: Some(format!("Member {i}")),
                domain: Some(Domain::ALL[rng.random_range(0..Domain::ALL.len())]),
                profession: None,
                province: None,
                experience: None,
                erased: false,
            })
            .collect(),
        rounds: (0..rounds)
            .map(|r| Round {
                id: format!("r{r}"),
                programme_id: "p".into(),
                number: r as u32 + 1,
                kind: MatchKind::Buddy,
                published_at: r as i64 * 86_400,
            })
            .collect(),
        ..History::default()
    };
    let per_round = links / rounds;
    for r in 0..rounds {
        for i in 0..per_round {
            let a = rng.random_range(0..members);
            // Half the links stay near (a block of 500), the rest anywhere.
            let b = if rng.random_bool(0.5) {
                (a / 500 * 500 + rng.random_range(0..500)).min(members - 1)
            } else {
                rng.random_range(0..members)
            };
            if a == b {
                continue;
            }
            let met = rng.random_bool(0.6);
            let m = LinkMeetings {
                meetings: u32::from(met),
                hours: if met { 2 } else { 0 },
            };
            h.add_match(
                r,
                &format!("x{r}-{i}"),
                MatchKind::Buddy,
                &[(a, Answered::Accepted, m), (b, Answered::Accepted, m)],
            );
            h.eligible.push((r, a));
        }
        h.eligible.sort_unstable();
        h.eligible.dedup();
    }
    h
}

fn summary(c: &mut Criterion) {
    let h = history(20_000, 100_000, 24, 1);
    let mut g = c.benchmark_group("network_20k_members_100k_links");
    g.sample_size(10);
    g.bench_function("summary", |b| b.iter(|| black_box(measures::summarise(&h))));
    g.bench_function("domain_matrix", |b| {
        b.iter(|| black_box(matrix::domain_matrix(&h)))
    });
    g.bench_function("summary_with_bridges", |b| {
        b.iter(|| {
            let s = measures::summarise(&h);
            let bt = centrality::betweenness(&met_graph(&h), 0);
            black_box((s, centrality::bridges(&h, &bt, 10)))
        })
    });
    g.finish();
}

criterion_group!(benches, summary);
criterion_main!(benches);
