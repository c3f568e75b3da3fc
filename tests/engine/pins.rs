//! Pins, exclusions, conflicts of interest and the per-rule counts: every
//! rule of `check_pins` on hand-made rounds, the counts against pair
//! enumeration, and solving with pins against brute force.

use super::{brute_assignment, brute_matching};
use buddymatch::domain::{
    Domain, Experience, LearningForm, MatchKind, MeetingMode, Profession, Province, Registration,
};
use buddymatch::matching::conflicts::{normalise, RemovedPairs};
use buddymatch::matching::instance::{
    BlockedPair, ConflictRule, Instance, Member, PastMeeting, Pin, Prefer, RoundParams,
};
use buddymatch::matching::outcome::RoundResult;
use buddymatch::matching::pins::{check_pins, PinProblem};
use buddymatch::matching::{prepare, solve, InstanceError};
use buddymatch::offline::synthetic;
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};

fn m(id: &str) -> Member {
    Member {
        id: id.to_string(),
        domain: Domain::Uwv,
        profession: Profession::LabourExpert,
        experience: Experience::Years(10),
        registration: Registration::Certified,
        province: Province::Utrecht,
        languages: vec!["nl".into()],
        forms: vec![
            LearningForm::Buddy,
            LearningForm::Intervision,
            LearningForm::ShadowingVisitor,
            LearningForm::ShadowingHost,
        ],
        host_capacity: 1,
        hours_per_month: 20,
        committed_hours: 0,
        meeting_modes: vec![MeetingMode::InPerson, MeetingMode::Online],
        max_travel_km: 50,
        topics_wanted: Vec::new(),
        topics_offered: Vec::new(),
        paused: false,
        organisation: None,
        team: None,
        learned: Default::default(),
    }
}

fn inst(kind: MatchKind, members: Vec<Member>) -> Instance {
    Instance {
        round: RoundParams {
            kind,
            round: 10,
            group_min: 3,
            group_max: 4,
            ..RoundParams::default()
        },
        members,
        ..Instance::default()
    }
}

fn pin(ids: &[&str]) -> Pin {
    Pin {
        members: ids.iter().map(|s| s.to_string()).collect(),
        forced: false,
    }
}

fn forced(ids: &[&str]) -> Pin {
    Pin {
        forced: true,
        ..pin(ids)
    }
}

fn pair(a: &str, b: &str) -> BlockedPair {
    BlockedPair {
        a: a.into(),
        b: b.into(),
    }
}

fn four() -> Vec<Member> {
    ["a", "b", "c", "d"].iter().map(|i| m(i)).collect()
}

fn rules(problems: &[PinProblem]) -> Vec<(usize, &'static str)> {
    problems.iter().map(|p| (p.pin, p.rule)).collect()
}

fn with_org(mut x: Member, org: &str, team: Option<&str>) -> Member {
    x.organisation = Some(org.into());
    x.team = team.map(str::to_string);
    x
}

// ---- normalise ------------------------------------------------------------

#[test]
fn normalise_trims_collapses_and_folds_case() {
    assert_eq!(normalise("  Gemeente \t Utrecht\n"), "gemeente utrecht");
    assert_eq!(normalise("UWV"), normalise("uwv"));
    // NFC: a precomposed é and e + combining acute are the same name.
    assert_eq!(normalise("Caf\u{e9}"), normalise("Cafe\u{301}"));
    assert_eq!(normalise("   "), "");
}

// ---- conflicts of interest --------------------------------------------------

#[test]
fn same_team_and_same_organisation_keep_colleagues_apart() {
    let members = vec![
        with_org(m("a"), "UWV", Some("Team Noord")),
        with_org(m("b"), " uwv ", Some("team  noord")),
        with_org(m("c"), "UWV", Some("Team Zuid")),
        with_org(m("d"), "Gemeente", None),
    ];
    let mut i = inst(MatchKind::Buddy, members);
    let r = solve(&i).unwrap();
    assert!(r.pairs.iter().all(|p| !(p.a == "a" && p.b == "b")));
    assert_eq!(r.removed_pairs.same_team, 1);
    assert_eq!(r.removed_pairs.same_organisation, 0);
    i.round.conflicts = ConflictRule::SameOrganisation;
    let r = solve(&i).unwrap();
    // a, b, c are all UWV: only d can meet one of them.
    assert_eq!(r.pairs.len(), 1);
    assert!(r.pairs[0].b == "d" || r.pairs[0].a == "d");
    assert_eq!(r.removed_pairs.same_organisation, 3);
    assert_eq!(r.removed_pairs.same_team, 0);
    i.round.conflicts = ConflictRule::None;
    let r = solve(&i).unwrap();
    assert_eq!(r.pairs.len(), 2);
    assert_eq!(r.removed_pairs, RemovedPairs::default());
}

#[test]
fn a_team_without_an_organisation_is_no_conflict() {
    let mut a = m("a");
    a.team = Some("x".into());
    let mut b = m("b");
    b.team = Some("x".into());
    let r = solve(&inst(MatchKind::Buddy, vec![a, b])).unwrap();
    assert_eq!(r.pairs.len(), 1);
}

#[test]
fn registered_conflicts_and_exclusions_forbid_the_pair() {
    let mut i = inst(MatchKind::Buddy, vec![m("a"), m("b")]);
    i.conflicts = vec![pair("a", "b")];
    let r = solve(&i).unwrap();
    assert!(r.pairs.is_empty());
    assert_eq!(r.removed_pairs.conflict_registered, 1);
    i.conflicts.clear();
    i.excluded = vec![pair("b", "a")];
    let r = solve(&i).unwrap();
    assert!(r.pairs.is_empty());
    assert_eq!(r.removed_pairs.excluded, 1);
}

#[test]
fn counts_buddy_each_rule_on_its_own() {
    // a-b: repeat, declined and excluded at once: counted under each.
    let mut members = vec![
        with_org(m("a"), "o", Some("t")),
        with_org(m("b"), "o", Some("t")),
        with_org(m("c"), "o", Some("t")),
        with_org(m("d"), "o", Some("u")),
        with_org(m("e"), "p", Some("t")),
    ];
    // Not a participant: paused members are not counted.
    let mut off = with_org(m("f"), "o", Some("t"));
    off.paused = true;
    members.push(off);
    let mut i = inst(MatchKind::Buddy, members);
    i.history = vec![PastMeeting {
        a: "a".into(),
        b: "b".into(),
        round: 9,
    }];
    i.blocked = vec![
        pair("a", "b"),
        pair("b", "a"),
        pair("a", "f"),
        pair("a", "zz"),
    ];
    i.excluded = vec![pair("a", "b")];
    i.conflicts = vec![pair("d", "e")];
    let round = prepare(&i).unwrap();
    assert_eq!(
        round.removed_pairs(),
        RemovedPairs {
            repeat_window: 1,
            declined: 1,
            excluded: 1,
            conflict_registered: 1,
            same_team: 3,
            same_organisation: 0,
        }
    );
    i.round.conflicts = ConflictRule::SameOrganisation;
    assert_eq!(prepare(&i).unwrap().removed_pairs().same_organisation, 6);
}

#[test]
fn counts_shadowing_visitor_host_pairs() {
    // v1, v2 visitors; h1, h2 hosts; x both. All one organisation.
    let role = |id: &str, forms: Vec<LearningForm>| {
        let mut x = with_org(m(id), "o", None);
        x.forms = forms;
        x.host_capacity = 1;
        x
    };
    use LearningForm::{ShadowingHost as H, ShadowingVisitor as V};
    let members = vec![
        role("v1", vec![V]),
        role("v2", vec![V]),
        role("h1", vec![H]),
        role("h2", vec![H]),
        role("x", vec![V, H]),
    ];
    let mut i = inst(MatchKind::Shadowing, members);
    i.round.conflicts = ConflictRule::SameOrganisation;
    i.excluded = vec![pair("v1", "h1"), pair("v1", "v2"), pair("x", "h1")];
    i.blocked = vec![pair("x", "v1")];
    let c = prepare(&i).unwrap().removed_pairs();
    // Visitors v1, v2, x; hosts h1, h2, x: 3 × 3 - 1 (x with x).
    assert_eq!(c.same_organisation, 8);
    // v1-h1 (1), v1-v2 (no host: 0), x-h1 (x visits h1: 1).
    assert_eq!(c.excluded, 2);
    // x-v1: v1 visits x (x hosts).
    assert_eq!(c.declined, 1);
}

// ---- check_pins: every rule --------------------------------------------------

#[test]
fn pin_unknown_member_shape_and_twice() {
    let mut i = inst(MatchKind::Buddy, four());
    i.pinned = vec![
        pin(&["a", "nobody"]),
        pin(&["a", "a"]),
        pin(&["a", "b", "c"]),
        pin(&["a", "b"]),
        forced(&["b", "c"]),
    ];
    let p = check_pins(&i);
    assert_eq!(
        rules(&p),
        vec![
            (0, "unknown_member"),
            (1, "shape"),
            (2, "shape"),
            (4, "pinned_twice")
        ]
    );
    assert!(p[0].detail.contains("nobody"));
    assert!(p[3].detail.contains('b'));
    // Structural rules stop even a forced pin.
    assert!(p.iter().all(|x| x.blocking));
    let err = prepare(&i).err().expect("refused");
    assert!(matches!(
        err,
        InstanceError::Pin {
            pin: 0,
            rule: "unknown_member",
            ..
        }
    ));
    assert!(err.to_string().contains("unknown_member"));
}

#[test]
fn pin_group_shape_follows_group_bounds() {
    let mut members = four();
    members.push(m("e"));
    members[0].domain = Domain::Insurer;
    let mut i = inst(MatchKind::Intervision, members);
    i.pinned = vec![pin(&["a", "b"]), pin(&["a", "b", "c", "d", "e"])];
    assert_eq!(rules(&check_pins(&i)), vec![(0, "shape"), (1, "shape")]);
    i.pinned = vec![pin(&["a", "b", "c"])];
    assert!(check_pins(&i).is_empty());
}

#[test]
fn pin_not_taking_part_is_never_forced() {
    let mut members = four();
    members[0].paused = true;
    members[1].forms = vec![LearningForm::Intervision];
    let mut i = inst(MatchKind::Buddy, members);
    i.pinned = vec![forced(&["a", "c"]), forced(&["b", "d"])];
    let p = check_pins(&i);
    assert_eq!(
        rules(&p),
        vec![(0, "not_taking_part"), (1, "not_taking_part")]
    );
    assert!(p[0].detail.contains("a paused"));
    assert!(p[1].detail.contains("b did not ask for buddy"));
    assert!(p.iter().all(|x| x.blocking));
}

#[test]
fn pin_hours_and_host_capacity_can_be_forced() {
    let mut members = four();
    members[0].hours_per_month = 1;
    members[1].hours_per_month = 4;
    members[1].committed_hours = 3;
    let mut i = inst(MatchKind::Buddy, members);
    i.pinned = vec![pin(&["a", "b"])];
    let p = check_pins(&i);
    assert_eq!(rules(&p), vec![(0, "hours")]);
    assert!(p[0].detail.contains("a: too few hours"));
    assert!(p[0].detail.contains("b: other rounds"));
    i.pinned[0].forced = true;
    assert!(!check_pins(&i)[0].blocking);
    let r = solve(&i).unwrap();
    assert!(r.pairs.iter().any(|x| x.pinned && x.a == "a" && x.b == "b"));
    assert!(r
        .unmatched
        .iter()
        .all(|u| u.member != "a" && u.member != "b"));

    // Shadowing: d hosts one visitor; a second pinned visit is beyond it.
    let mut i = inst(MatchKind::Shadowing, four());
    i.pinned = vec![pin(&["a", "d"]), pin(&["b", "d"])];
    let p = check_pins(&i);
    assert_eq!(rules(&p), vec![(1, "host_capacity")]);
    i.pinned[1].forced = true;
    let r = solve(&i).unwrap();
    assert_eq!(r.visits.iter().filter(|v| v.pinned).count(), 2);
    // A host who wants to host but has no places.
    let mut members = four();
    members[3].host_capacity = 0;
    let mut i = inst(MatchKind::Shadowing, members);
    i.pinned = vec![pin(&["a", "d"])];
    assert_eq!(rules(&check_pins(&i)), vec![(0, "host_capacity")]);
}

#[test]
fn pin_language_and_travel() {
    let mut members = four();
    members[0].languages = vec!["en".into()];
    members[2].province = Province::Limburg;
    members[2].meeting_modes = vec![MeetingMode::InPerson];
    members[3].province = Province::Groningen;
    members[3].meeting_modes = vec![MeetingMode::InPerson];
    let mut i = inst(MatchKind::Buddy, members);
    i.pinned = vec![pin(&["a", "b"]), pin(&["c", "d"])];
    let p = check_pins(&i);
    assert_eq!(rules(&p), vec![(0, "language"), (1, "travel")]);
    assert!(p[1].detail.contains("c and d"));
    // Shadowing needs in person: online alone is no way to meet.
    let mut members = four();
    members[0].meeting_modes = vec![MeetingMode::Online];
    let mut i = inst(MatchKind::Shadowing, members);
    i.pinned = vec![pin(&["a", "b"])];
    assert_eq!(rules(&check_pins(&i)), vec![(0, "travel")]);
    // Forced: matched and scored without meeting points, no panic.
    i.pinned[0].forced = true;
    let r = solve(&i).unwrap();
    let v = r.visits.iter().find(|v| v.pinned).expect("pinned visit");
    assert!(v
        .reasons
        .iter()
        .all(|x| x.component != "online" && x.component != "in_person"));
    assert_eq!(v.score, v.reasons.iter().map(|x| x.points).sum::<i64>());
}

#[test]
fn pin_repeat_declined_excluded_conflict() {
    let mut members = vec![m("a"), m("b"), m("c"), m("d"), m("e"), m("f")];
    members[4] = with_org(m("e"), "O", Some("T"));
    members[5] = with_org(m("f"), "o", Some("t"));
    let mut i = inst(MatchKind::Buddy, members);
    i.history = vec![PastMeeting {
        a: "a".into(),
        b: "b".into(),
        round: 8,
    }];
    i.blocked = vec![pair("c", "d")];
    i.pinned = vec![pin(&["a", "b"]), pin(&["c", "d"]), pin(&["e", "f"])];
    let p = check_pins(&i);
    assert_eq!(
        rules(&p),
        vec![
            (0, "repeat_window"),
            (1, "declined"),
            (2, "conflict_of_interest")
        ]
    );
    assert!(p[2].detail.contains("same organisation and team"));
    i.blocked.clear();
    i.excluded = vec![pair("c", "d")];
    i.conflicts = vec![pair("a", "b")];
    i.history.clear();
    let p = check_pins(&i);
    assert_eq!(
        rules(&p),
        vec![
            (0, "conflict_of_interest"),
            (1, "excluded"),
            (2, "conflict_of_interest")
        ]
    );
    assert!(p[0].detail.contains("registered"));
    // An old meeting outside the window is no problem.
    i.excluded.clear();
    i.conflicts.clear();
    i.history = vec![PastMeeting {
        a: "a".into(),
        b: "b".into(),
        round: 1,
    }];
    i.round.conflicts = ConflictRule::None;
    assert!(check_pins(&i).is_empty());
}

#[test]
fn pin_group_mix_and_group_rules() {
    let mut members = four();
    let mut i = inst(MatchKind::Intervision, members.clone());
    i.pinned = vec![pin(&["a", "b", "c"])];
    assert_eq!(rules(&check_pins(&i)), vec![(0, "group_mix")]);
    members[0].domain = Domain::Insurer;
    for x in &mut members {
        x.experience = Experience::InTraining;
    }
    members[3].meeting_modes = vec![MeetingMode::Online];
    members[2].meeting_modes = vec![MeetingMode::InPerson];
    let mut i = inst(MatchKind::Intervision, members);
    i.pinned = vec![pin(&["a", "b", "c", "d"])];
    let p = check_pins(&i);
    // c in person only, d online only: no pair meets, no group mode.
    assert_eq!(rules(&p), vec![(0, "travel"), (0, "group_mix")]);
    assert!(p[1].detail.contains("juniors only"));
    i.pinned[0].forced = true;
    let r = solve(&i).unwrap();
    assert_eq!(r.groups.len(), 1);
    assert!(r.groups[0].pinned);
    assert_eq!(r.matched_members, 4);
}

#[test]
fn unforced_breaking_pin_is_refused_forced_is_kept() {
    let mut i = inst(MatchKind::Buddy, four());
    i.excluded = vec![pair("a", "b")];
    i.pinned = vec![pin(&["a", "b"])];
    let err = prepare(&i).err().expect("refused");
    assert_eq!(
        err.to_string(),
        "pin 0 (a, b) breaks rule excluded: a and b are excluded for this round"
    );
    i.pinned[0].forced = true;
    let r = solve(&i).unwrap();
    assert_eq!(r.pairs.len(), 2);
    let p = r.pairs.iter().find(|p| p.pinned).unwrap();
    assert_eq!((p.a.as_str(), p.b.as_str()), ("a", "b"));
    assert_eq!(r.total_score, r.pairs.iter().map(|p| p.score).sum::<i64>());
    assert_eq!(r.matched_members, 4);
    assert_eq!(r.participants, 4);
    // The JSON marks the pinned match only.
    let json = serde_json::to_value(&r).unwrap();
    let flags: Vec<_> = json["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.get("pinned").cloned())
        .collect();
    assert!(flags.contains(&Some(serde_json::Value::Bool(true))));
    assert!(flags.contains(&None));
}

#[test]
fn shadowing_pinned_host_keeps_other_places() {
    let mut members = four();
    members[3].host_capacity = 2;
    for x in &mut members[..3] {
        x.forms = vec![LearningForm::ShadowingVisitor];
    }
    members[3].forms = vec![LearningForm::ShadowingHost];
    let mut i = inst(MatchKind::Shadowing, members);
    i.pinned = vec![pin(&["a", "d"])];
    let r = solve(&i).unwrap();
    assert_eq!(r.visits.len(), 2);
    assert_eq!(r.participants, 4);
    assert_eq!(r.matched_members, 3);
    assert!(r.visits.iter().any(|v| v.pinned && v.visitor == "a"));
    let left = r
        .unmatched
        .iter()
        .map(|u| u.member.as_str())
        .collect::<Vec<_>>();
    assert_eq!(left.len(), 1);
    assert!(left[0] == "b" || left[0] == "c");
}

#[test]
fn instances_without_the_new_fields_serialise_as_before() {
    let i = synthetic::instance(20, 3, MatchKind::Buddy);
    let json = serde_json::to_string(&i).unwrap();
    for field in ["organisation", "team", "pinned", "excluded", "conflicts"] {
        assert!(!json.contains(field), "{field} in {json}");
    }
    let back: Instance = serde_json::from_str(&json).unwrap();
    assert_eq!(back, i);
}

// ---- brute force with pins ---------------------------------------------------

fn small(n: usize, seed: u64, kind: MatchKind, prefer: Prefer) -> Instance {
    let mut i = synthetic::instance(n, seed, kind);
    i.round.prefer = prefer;
    i
}

fn pairs_of(r: &RoundResult) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = r
        .pairs
        .iter()
        .map(|p| (p.a.clone(), p.b.clone()))
        .chain(r.visits.iter().map(|v| (v.visitor.clone(), v.host.clone())))
        .collect();
    for g in &r.groups {
        for (x, a) in g.members.iter().enumerate() {
            for b in &g.members[x + 1..] {
                out.push((a.clone(), b.clone()));
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Buddy: the result holds the pins and scores exactly the best matching
    /// of the compatible graph among those that contain the pins.
    #[test]
    fn buddy_optimal_given_pins(seed in 0u64..5000, picks in prop::collection::vec(0usize..1000, 1..4), coverage: bool) {
        let prefer = if coverage { Prefer::Coverage } else { Prefer::Score };
        let mut i = small(14, seed, MatchKind::Buddy, prefer);
        let round = prepare(&i).unwrap();
        let g = round.graph.clone();
        let members = round.participation.members.clone();
        drop(round);
        prop_assume!(!g.edges.is_empty());
        // Disjoint pinned edges, chosen by `picks`.
        let mut used = HashSet::new();
        let mut pinned = Vec::new();
        for &x in &picks {
            let (u, v, w) = g.edges[x % g.edges.len()];
            if !used.contains(&u) && !used.contains(&v) {
                used.extend([u, v]);
                pinned.push((u, v, w));
            }
        }
        i.pinned = pinned
            .iter()
            .map(|&(u, v, _)| Pin {
                members: vec![
                    i.members[members[u as usize] as usize].id.clone(),
                    i.members[members[v as usize] as usize].id.clone(),
                ],
                forced: false,
            })
            .collect();
        let r = solve(&i).unwrap();
        // The rest: the graph without the pinned nodes, renumbered.
        let keep: Vec<u32> = (0..g.n_left as u32).filter(|x| !used.contains(x)).collect();
        let at: HashMap<u32, u32> = keep.iter().enumerate().map(|(k, &x)| (x, k as u32)).collect();
        let rest: Vec<(u32, u32, i64)> = g
            .edges
            .iter()
            .filter_map(|&(u, v, w)| Some((*at.get(&u)?, *at.get(&v)?, w)))
            .collect();
        let (c, s) = brute_matching(keep.len(), &rest, coverage);
        let pin_w: i64 = pinned.iter().map(|x| x.2).sum();
        prop_assert_eq!(r.total_score, s + pin_w);
        if coverage {
            prop_assert_eq!(r.pairs.len(), c + pinned.len());
        }
        prop_assert_eq!(r.pairs.iter().filter(|p| p.pinned).count(), pinned.len());
        for p in &i.pinned {
            let (a, b) = (&p.members[0], &p.members[1]);
            prop_assert!(r.pairs.iter().any(|x| x.pinned
                && ((&x.a, &x.b) == (a, b) || (&x.a, &x.b) == (b, a))));
            prop_assert!(r.unmatched.iter().all(|u| &u.member != a && &u.member != b));
        }
        prop_assert_eq!(r.total_score, r.pairs.iter().map(|p| p.score).sum::<i64>());
        prop_assert_eq!(r.matched_members, 2 * r.pairs.len());
        prop_assert_eq!(r.participants, members.len());
    }

    /// Shadowing: the same with (visitor, host) pins; a pinned visit takes
    /// one of the host's places.
    #[test]
    fn shadowing_optimal_given_pins(seed in 0u64..5000, picks in prop::collection::vec(0usize..1000, 1..4), coverage: bool) {
        let prefer = if coverage { Prefer::Coverage } else { Prefer::Score };
        let mut i = small(14, seed, MatchKind::Shadowing, prefer);
        let round = prepare(&i).unwrap();
        let g = round.graph.clone();
        let p = round.participation.clone();
        let participants = round.solve().participants;
        drop(round);
        prop_assume!(!g.edges.is_empty());
        let mut cap = p.capacity.clone();
        let mut visitors = HashSet::new();
        let mut pinned = Vec::new();
        for &x in &picks {
            let (v, h, w) = g.edges[x % g.edges.len()];
            if cap[h as usize] > 0 && visitors.insert(v) {
                cap[h as usize] -= 1;
                pinned.push((v, h, w));
            }
        }
        i.pinned = pinned
            .iter()
            .map(|&(v, h, _)| Pin {
                members: vec![
                    i.members[p.members[v as usize] as usize].id.clone(),
                    i.members[p.hosts[h as usize] as usize].id.clone(),
                ],
                forced: false,
            })
            .collect();
        let r = solve(&i).unwrap();
        let keep: Vec<u32> = (0..g.n_left as u32).filter(|x| !visitors.contains(x)).collect();
        let at: HashMap<u32, u32> = keep.iter().enumerate().map(|(k, &x)| (x, k as u32)).collect();
        let rest: Vec<(u32, u32, i64)> = g
            .edges
            .iter()
            .filter_map(|&(v, h, w)| Some((*at.get(&v)?, h, w)))
            .collect();
        let (c, s) = brute_assignment(keep.len(), &cap, &rest, coverage);
        let pin_w: i64 = pinned.iter().map(|x| x.2).sum();
        prop_assert_eq!(r.total_score, s + pin_w);
        if coverage {
            prop_assert_eq!(r.visits.len(), c + pinned.len());
        }
        for pin in &i.pinned {
            prop_assert!(r.visits.iter().any(|x| x.pinned && x.visitor == pin.members[0] && x.host == pin.members[1]));
            prop_assert!(r.unmatched.iter().all(|u| u.member != pin.members[0]));
            prop_assert!(r.unmatched.iter().all(|u| u.member != pin.members[1] || u.role == Some("visitor")));
        }
        let mut hosted: HashMap<&str, u32> = HashMap::new();
        for x in &r.visits {
            *hosted.entry(x.host.as_str()).or_default() += 1;
        }
        for (h, &c) in p.hosts.iter().zip(&p.capacity) {
            prop_assert!(hosted.get(i.members[*h as usize].id.as_str()).copied().unwrap_or(0) <= c);
        }
        prop_assert_eq!(r.participants, participants);
    }

    /// Exclusions, registered conflicts and colleagues never meet in any
    /// form, and the counts agree with enumerating the pairs.
    #[test]
    fn exclusions_and_conflicts_never_matched(
        seed in 0u64..5000,
        kind in prop::sample::select(vec![MatchKind::Buddy, MatchKind::Shadowing, MatchKind::Intervision]),
        rule in prop::sample::select(vec![ConflictRule::SameTeam, ConflictRule::SameOrganisation, ConflictRule::None]),
        raw in prop::collection::vec((0usize..40, 0usize..40, 0u8..3), 0..40),
    ) {
        let mut i = small(40, seed, kind, Prefer::Score);
        i.round.conflicts = rule;
        i.round.search_effort = 200;
        let n = i.members.len();
        for (x, mem) in i.members.iter_mut().enumerate() {
            // Three organisations, two teams each; some without.
            if x % 7 != 0 {
                mem.organisation = Some(["UWV", " uwv", "Gemeente"][x % 3].into());
                mem.team = (x % 5 != 0).then(|| ["A", "b"][x % 2].to_string());
            }
        }
        for &(a, b, which) in &raw {
            let pr = pair(&i.members[a % n].id, &i.members[b % n].id);
            match which {
                0 => i.excluded.push(pr),
                1 => i.conflicts.push(pr),
                _ => i.blocked.push(pr),
            }
        }
        let r = solve(&i).unwrap();
        let key = |a: &str, b: &str| if a < b { (a.to_string(), b.to_string()) } else { (b.to_string(), a.to_string()) };
        let forbidden: HashSet<(String, String)> = i.excluded.iter().chain(&i.conflicts).chain(&i.blocked).map(|p| key(&p.a, &p.b)).collect();
        let by_id: HashMap<&str, &Member> = i.members.iter().map(|x| (x.id.as_str(), x)).collect();
        let colleagues = |a: &Member, b: &Member| {
            let org = |x: &Member| x.organisation.as_deref().map(normalise).filter(|s| !s.is_empty());
            let team = |x: &Member| x.team.as_deref().map(normalise).filter(|s| !s.is_empty());
            match rule {
                ConflictRule::None => false,
                ConflictRule::SameOrganisation => org(a).is_some() && org(a) == org(b),
                ConflictRule::SameTeam => org(a).is_some() && org(a) == org(b) && team(a).is_some() && team(a) == team(b),
            }
        };
        for (a, b) in pairs_of(&r) {
            prop_assert!(!forbidden.contains(&key(&a, &b)), "{}-{} forbidden", a, b);
            prop_assert!(!colleagues(by_id[a.as_str()], by_id[b.as_str()]), "{}-{} colleagues", a, b);
        }
        // Counts by enumeration.
        let round = prepare(&i).unwrap();
        let p = &round.participation;
        let left: Vec<&Member> = p.members.iter().map(|&x| &i.members[x as usize]).collect();
        let right: Vec<&Member> = if kind == MatchKind::Shadowing {
            p.hosts.iter().map(|&x| &i.members[x as usize]).collect()
        } else {
            left.clone()
        };
        let r0 = &i.round;
        let recent: HashSet<(String, String)> = i.history.iter()
            .filter(|h| h.round <= r0.round && r0.round - h.round <= r0.repeat_window)
            .map(|h| key(&h.a, &h.b)).collect();
        let set = |l: &[BlockedPair]| l.iter().map(|p| key(&p.a, &p.b)).collect::<HashSet<_>>();
        let (declined, excluded, registered) = (set(&i.blocked), set(&i.excluded), set(&i.conflicts));
        let mut want = RemovedPairs::default();
        for (x, a) in left.iter().enumerate() {
            for (y, b) in right.iter().enumerate() {
                if a.id == b.id || (kind != MatchKind::Shadowing && y <= x) {
                    continue;
                }
                let k = key(&a.id, &b.id);
                want.repeat_window += u64::from(recent.contains(&k));
                want.declined += u64::from(declined.contains(&k));
                want.excluded += u64::from(excluded.contains(&k));
                want.conflict_registered += u64::from(registered.contains(&k));
                let c = u64::from(colleagues(a, b));
                match rule {
                    ConflictRule::SameTeam => want.same_team += c,
                    ConflictRule::SameOrganisation => want.same_organisation += c,
                    ConflictRule::None => {}
                }
            }
        }
        prop_assert_eq!(round.removed_pairs(), want);
        prop_assert_eq!(buddymatch::matching::removed_pairs(&i).unwrap(), want);
        prop_assert_eq!(r.removed_pairs, want);
    }

    /// Intervision keeps pinned groups whole and still returns valid groups
    /// for the rest; pinned members are never unmatched.
    #[test]
    fn intervision_keeps_pinned_groups(seed in 0u64..5000) {
        let mut i = small(30, seed, MatchKind::Intervision, Prefer::Score);
        i.round.search_effort = 200;
        let free = solve(&i).unwrap();
        prop_assume!(!free.groups.is_empty());
        let g = free.groups[0].members.clone();
        i.pinned = vec![Pin { members: g.clone(), forced: false }];
        let r = solve(&i).unwrap();
        prop_assert!(r.groups.iter().any(|x| x.pinned && x.members == g));
        prop_assert_eq!(r.groups.iter().filter(|x| x.pinned).count(), 1);
        prop_assert!(r.unmatched.iter().all(|u| !g.contains(&u.member)));
        prop_assert_eq!(r.participants, free.participants);
        prop_assert_eq!(r.matched_members, r.groups.iter().map(|x| x.members.len()).sum::<usize>());
        prop_assert_eq!(r.total_score, r.groups.iter().map(|x| x.score).sum::<i64>());
        prop_assert!(r.upper_bound.unwrap() >= r.total_score);
        let mut seen = HashSet::new();
        for x in r.groups.iter().flat_map(|x| &x.members) {
            prop_assert!(seen.insert(x.clone()), "{} twice", x);
        }
    }
}
