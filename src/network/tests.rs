use super::centrality::{betweenness, bridges, Method};
use super::matrix::domain_matrix;
use super::measures::{round_outcomes, summarise};
use super::*;
use crate::domain::{Domain, MatchKind};
use proptest::prelude::*;

pub(crate) fn member(i: usize, d: Option<Domain>) -> Member {
    Member {
        id: format!("m{i}"),
        name: Some(format!("Member {i}")),
        domain: d,
        profession: None,
        province: None,
        experience: None,
        erased: d.is_none(),
    }
}

pub(crate) fn round(i: usize, kind: MatchKind) -> Round {
    Round {
        id: format!("r{i}"),
        programme_id: "p".into(),
        number: i as u32 + 1,
        kind,
        published_at: i as i64 * 1000,
    }
}

const MET: LinkMeetings = LinkMeetings {
    meetings: 1,
    hours: 2,
};
const NONE: LinkMeetings = LinkMeetings {
    meetings: 0,
    hours: 0,
};

/// uwv(0) — municipality(1) met in round 1; 1 — 2 (self-employed)
/// declined in round 2; group {0, 2, 3} in round 2, where 3 (erased)
/// and 0 met; 4 eligible in both rounds, never matched.
fn small() -> History {
    let d = [
        Some(Domain::Uwv),
        Some(Domain::Municipality),
        Some(Domain::SelfEmployed),
        None,
        Some(Domain::Uwv),
    ];
    let mut h = History {
        members: d.iter().enumerate().map(|(i, &d)| member(i, d)).collect(),
        rounds: vec![round(0, MatchKind::Buddy), round(1, MatchKind::Intervision)],
        ..History::default()
    };
    h.eligible = vec![
        (0, 0),
        (0, 1),
        (0, 4),
        (1, 0),
        (1, 1),
        (1, 2),
        (1, 3),
        (1, 4),
    ];
    h.add_match(
        0,
        "x",
        MatchKind::Buddy,
        &[(0, Answered::Accepted, MET), (1, Answered::Accepted, NONE)],
    );
    h.add_match(
        1,
        "y",
        MatchKind::Buddy,
        &[(1, Answered::Declined, NONE), (2, Answered::Open, NONE)],
    );
    h.add_match(
        1,
        "z",
        MatchKind::Intervision,
        &[
            (0, Answered::Accepted, MET),
            (2, Answered::Accepted, NONE),
            (3, Answered::Accepted, MET),
        ],
    );
    h
}

#[test]
fn a_pair_counts_one_meeting_a_group_what_both_attended() {
    let two = LinkMeetings {
        meetings: 2,
        hours: 4,
    };
    assert_eq!(LinkMeetings::between(MatchKind::Buddy, MET, NONE), MET);
    assert_eq!(LinkMeetings::between(MatchKind::Buddy, two, MET), two);
    assert_eq!(LinkMeetings::between(MatchKind::Intervision, two, MET), MET);
    assert_eq!(
        LinkMeetings::between(MatchKind::Intervision, MET, NONE),
        NONE
    );
}

#[test]
fn summary_of_a_small_history() {
    let h = small();
    assert_eq!(h.links.len(), 1 + 1 + 3);
    let s = summarise(&h);
    assert_eq!(s.members, 5);
    assert_eq!(s.members_reached, 4);
    assert_eq!((s.links.proposed, s.links.accepted), (5, 4));
    assert_eq!((s.links.declined, s.links.met), (1, 2));
    // Known domains on both ends: 0-1, 1-2, 0-2; all three cross.
    assert_eq!(s.cross_domain.proposed, 3);
    assert_eq!(s.cross_domain.met, 1);
    assert!((s.cross_domain.share - 1.0).abs() < 1e-9);
    assert_eq!(s.members_with_cross_domain_meeting, 2);
    assert_eq!(s.domain_pairs.domains.len(), 3);
    assert_eq!(s.domain_pairs.possible, 3);
    assert_eq!(s.domain_pairs.connected, 1);
    assert_eq!(
        s.domain_pairs.never_connected,
        vec![
            [Domain::Uwv, Domain::SelfEmployed],
            [Domain::SelfEmployed, Domain::Municipality]
        ]
    );
    // 2 and 4 met nobody.
    assert_eq!(s.isolated_members, 2);
    // {0, 1, 3}, {2}, {4}.
    assert_eq!(s.components.count, 3);
    assert_eq!(s.components.largest, 3);
    assert_eq!(s.components.alone, 2);
    assert_eq!(s.rounds.len(), 2);
    let first = &s.rounds[0];
    assert_eq!((first.members, first.members_reached), (3, 2));
    assert_eq!((first.isolated_members, first.components), (1, 2));
    assert_eq!(first.domain_pairs_connected, 1);
}

#[test]
fn the_matrix_adds_up_to_the_totals() {
    let h = small();
    let m = domain_matrix(&h);
    let mut sum = m.unattributed.clone();
    for c in &m.cells {
        sum.proposed += c.counts.proposed;
        sum.met += c.counts.met;
        sum.hours += c.counts.hours;
    }
    assert_eq!(sum.proposed, m.totals.proposed);
    assert_eq!(sum.met, m.totals.met);
    assert_eq!(sum.hours, m.totals.hours);
    assert_eq!(m.unattributed.proposed, 2);
    let c = m.cell(Domain::Municipality, Domain::Uwv).unwrap();
    assert_eq!((c.proposed, c.met, c.hours), (1, 1, 2));
    let uwv = m.domains.iter().find(|d| d.domain == Domain::Uwv).unwrap();
    assert_eq!(uwv.members, 2);
    let csv = matrix::to_csv(&m);
    assert!(csv.starts_with("domain_a,domain_b,"));
    assert_eq!(csv.lines().count(), 1 + m.cells.len() + 1);
}

#[test]
fn outcomes_per_round() {
    let o = round_outcomes(&small());
    assert_eq!((o[0].eligible, o[0].matched, o[0].matches), (3, 2, 1));
    assert_eq!((o[1].eligible, o[1].matched, o[1].matches), (5, 4, 2));
    assert_eq!(
        o[0].new_domain_pairs,
        vec![[Domain::Uwv, Domain::Municipality]]
    );
    assert!(o[1].new_domain_pairs.is_empty());
}

#[test]
fn pseudonyms_hide_ids_and_names_and_differ_per_export() {
    let h = small();
    let a = export::graph(&h, export::Identities::Pseudonyms { seed: 1 });
    let b = export::graph(&h, export::Identities::Pseudonyms { seed: 2 });
    assert_eq!(a.nodes.len(), 5);
    assert_eq!(a.edges.len(), 5);
    let text = serde_json::to_string(&a).unwrap() + &export::to_graphml(&a) + &export::to_gexf(&a);
    for m in &h.members {
        assert!(!text.contains(&format!("\"{}\"", m.id)));
        assert!(!text.contains(m.name.as_deref().unwrap()));
    }
    let order =
        |g: &export::GraphExport| g.nodes.iter().map(|n| n.domain.clone()).collect::<Vec<_>>();
    assert_ne!(
        (order(&a), &a.edges[0].source),
        (order(&b), &b.edges[0].source)
    );
    // An edge runs from the lower pseudonym to the higher, whatever the
    // members' order in the database.
    for e in &a.edges {
        let n = |p: &str| p[1..].parse::<usize>().unwrap();
        assert!(n(&e.source) < n(&e.target), "{e:?}");
    }
    let named = export::graph(&h, export::Identities::Names);
    assert!(named.nodes.iter().any(|n| n.label == "Member 0"));
    // The erased member is never named.
    assert!(named.nodes.iter().all(|n| n.label != "Member 3"));
}

/// Brute force: for every pair (s, t) of other members, the share of
/// shortest s–t paths through v, by enumerating paths with BFS counts.
fn brute_betweenness(n: usize, edges: &[(usize, usize)]) -> Vec<f64> {
    let mut adj = vec![vec![false; n]; n];
    for &(a, b) in edges {
        adj[a][b] = true;
        adj[b][a] = true;
    }
    // dist and path counts by BFS from each node.
    let bfs = |s: usize| {
        let mut d = vec![usize::MAX; n];
        let mut c = vec![0f64; n];
        d[s] = 0;
        c[s] = 1.0;
        let mut q = std::collections::VecDeque::from([s]);
        while let Some(v) = q.pop_front() {
            for w in 0..n {
                if adj[v][w] {
                    if d[w] == usize::MAX {
                        d[w] = d[v] + 1;
                        q.push_back(w);
                    }
                    if d[w] == d[v] + 1 {
                        c[w] += c[v];
                    }
                }
            }
        }
        (d, c)
    };
    let all: Vec<_> = (0..n).map(bfs).collect();
    let active: Vec<usize> = (0..n).filter(|&v| adj[v].iter().any(|&x| x)).collect();
    let k = active.len() as f64;
    let mut out = vec![0.0; n];
    if k < 3.0 {
        return out;
    }
    for &v in &active {
        for (i, &s) in active.iter().enumerate() {
            for &t in &active[i + 1..] {
                if s == v || t == v || all[s].0[t] == usize::MAX {
                    continue;
                }
                if all[s].0[v] != usize::MAX
                    && all[v].0[t] != usize::MAX
                    && all[s].0[v] + all[v].0[t] == all[s].0[t]
                {
                    out[v] += all[s].1[v] * all[v].1[t] / all[s].1[t];
                }
            }
        }
        out[v] /= (k - 1.0) * (k - 2.0) / 2.0;
    }
    out
}

proptest! {
    #[test]
    fn betweenness_matches_brute_force(
        n in 3usize..9,
        raw in proptest::collection::vec((0usize..9, 0usize..9), 0..20),
    ) {
        let edges: Vec<(usize, usize)> = raw
            .into_iter()
            .map(|(a, b)| (a % n, b % n))
            .filter(|(a, b)| a != b)
            .collect();
        let mut h = History {
            members: (0..n).map(|i| member(i, Some(Domain::Uwv))).collect(),
            rounds: vec![round(0, MatchKind::Buddy)],
            ..History::default()
        };
        for (i, &(a, b)) in edges.iter().enumerate() {
            h.add_match(0, &i.to_string(), MatchKind::Buddy,
                &[(a, Answered::Accepted, MET), (b, Answered::Accepted, MET)]);
        }
        let b = betweenness(&met_graph(&h), 0);
        prop_assert_eq!(b.method, Method::Exact);
        let want = brute_betweenness(n, &edges);
        for (v, (got, want)) in b.scores.iter().zip(&want).enumerate() {
            prop_assert!((got - want).abs() < 1e-9, "{} {} {}", v, got, want);
        }
        // Components agree with petgraph's own count.
        let labels = components(&h, Link::met);
        let distinct: std::collections::BTreeSet<_> = labels.iter().collect();
        prop_assert_eq!(distinct.len(), petgraph::algo::connected_components(&met_graph(&h)));
        let s = summarise(&h);
        prop_assert_eq!(s.components.count, distinct.len() - (n - s.members));
        let top = bridges(&h, &b, 3);
        prop_assert!(top.windows(2).all(|w| w[0].betweenness >= w[1].betweenness));
    }
}

#[test]
fn a_path_bridges_through_its_middle() {
    let mut h = History {
        members: (0..3).map(|i| member(i, Some(Domain::ALL[i]))).collect(),
        rounds: vec![round(0, MatchKind::Buddy)],
        ..History::default()
    };
    h.add_match(
        0,
        "a",
        MatchKind::Buddy,
        &[(0, Answered::Accepted, MET), (1, Answered::Accepted, MET)],
    );
    h.add_match(
        0,
        "b",
        MatchKind::Buddy,
        &[(1, Answered::Accepted, MET), (2, Answered::Accepted, MET)],
    );
    let b = betweenness(&met_graph(&h), 0);
    assert!((b.scores[1] - 1.0).abs() < 1e-9);
    let top = bridges(&h, &b, 10);
    assert_eq!(top.len(), 1);
    assert_eq!((top[0].member, top[0].domains_met), (1, 3));
}
