//! The weight `novelty`: what a match adds to the learning network, by the
//! pair rule restated here from the instance's fields; off, it changes
//! nothing, to the byte.

use super::instance;
use buddymatch::domain::{Domain, MatchKind, Profession};
use buddymatch::matching::instance::{Instance, Learned, Member, Prefer};
use buddymatch::matching::outcome::{Reason, RoundResult};
use buddymatch::matching::solve;
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;

/// Gives about half the members a past: some domains and professions
/// learned with, and one of a few parts of the network.
fn with_learned(mut inst: Instance, seed: u64) -> Instance {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for m in &mut inst.members {
        if rng.random_bool(0.5) {
            continue;
        }
        m.learned = Learned {
            domains: Domain::ALL
                .iter()
                .copied()
                .filter(|_| rng.random_bool(0.3))
                .collect(),
            professions: Profession::ALL
                .iter()
                .copied()
                .filter(|_| rng.random_bool(0.3))
                .collect(),
            component: Some(rng.random_range(0..4) * 1000),
        };
    }
    inst
}

/// The rule, from the README: one unit per side to whom the other's domain
/// is new, one per side to whom the other's profession is new, one when
/// they are in different parts (no part: one of their own).
fn units(a: &Member, b: &Member) -> i64 {
    let new = |me: &Member, other: &Member| {
        i64::from(me.domain != other.domain && !me.learned.domains.contains(&other.domain))
            + i64::from(
                me.profession != other.profession
                    && !me.learned.professions.contains(&other.profession),
            )
    };
    let apart = match (a.learned.component, b.learned.component) {
        (Some(x), Some(y)) => x != y,
        _ => true,
    };
    new(a, b) + new(b, a) + i64::from(apart)
}

fn novelty_points(reasons: &[Reason]) -> i64 {
    reasons
        .iter()
        .filter(|r| r.component == "novelty")
        .map(|r| r.points)
        .sum()
}

/// Every match's novelty reason against the rule; returns the units the
/// matches add up to.
fn check(inst: &Instance, r: &RoundResult) -> Result<i64, String> {
    let by_id: HashMap<&str, &Member> = inst.members.iter().map(|m| (m.id.as_str(), m)).collect();
    let w = inst.round.weights.novelty;
    let mut all = 0;
    let mut expect = |ids: &[&str], reasons: &[Reason], score: i64| -> Result<(), String> {
        let mut u = 0;
        for (i, a) in ids.iter().enumerate() {
            for b in &ids[i + 1..] {
                u += units(by_id[a], by_id[b]);
            }
        }
        all += u;
        if novelty_points(reasons) != w * u {
            return Err(format!("{ids:?}: {reasons:?}, expected {} points", w * u));
        }
        if reasons.iter().map(|x| x.points).sum::<i64>() != score {
            return Err(format!("{ids:?}: reasons do not add up to {score}"));
        }
        Ok(())
    };
    for p in &r.pairs {
        expect(&[&p.a, &p.b], &p.reasons, p.score)?;
    }
    for v in &r.visits {
        expect(&[&v.visitor, &v.host], &v.reasons, v.score)?;
    }
    for g in &r.groups {
        let ids: Vec<&str> = g.members.iter().map(String::as_str).collect();
        expect(&ids, &g.reasons, g.score)?;
    }
    Ok(all)
}

fn kind() -> impl Strategy<Value = MatchKind> {
    prop_oneof![
        Just(MatchKind::Buddy),
        Just(MatchKind::Shadowing),
        Just(MatchKind::Intervision),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Off (the default), a past changes nothing: the same bytes as an
    /// instance without one.
    #[test]
    fn off_it_leaves_every_result_as_it_was(
        n in 2usize..150,
        seed in any::<u64>(),
        kind in kind(),
    ) {
        let mut plain = instance(n, seed, kind, Prefer::Score);
        plain.round.search_effort = 1_000;
        let past = with_learned(plain.clone(), seed);
        prop_assert_eq!(past.round.weights.novelty, 0);
        let a = serde_json::to_string(&solve(&plain).unwrap()).unwrap();
        let b = serde_json::to_string(&solve(&past).unwrap()).unwrap();
        prop_assert_eq!(a, b);
    }

    /// On, every match's novelty points follow the pair rule (a group: summed
    /// over its pairs), and an exact solver's matching adds at least as
    /// much to the network as with the weight off.
    #[test]
    fn on_it_scores_by_the_pair_rule(
        n in 2usize..80,
        seed in any::<u64>(),
        kind in kind(),
        w in 1i64..60,
    ) {
        let mut off = with_learned(instance(n, seed, kind, Prefer::Score), seed);
        off.round.search_effort = 1_000;
        let mut on = off.clone();
        on.round.weights.novelty = w;
        let (r_off, r_on) = (solve(&off).unwrap(), solve(&on).unwrap());
        let before = check(&off, &r_off);
        prop_assert!(before.is_ok(), "{:?}", before);
        let gained = check(&on, &r_on);
        prop_assert!(gained.is_ok(), "{:?}", gained);
        if kind != MatchKind::Intervision {
            // Same candidate graph (full below 600), exact optimum: the
            // best matching for score + w·units has at least the units of
            // the best for score alone.
            prop_assert!(gained.unwrap() >= before.unwrap());
        }
    }
}

fn member(id: &str, domain: Domain, profession: Profession) -> Member {
    let mut m = instance(1, 5, MatchKind::Buddy, Prefer::Score)
        .members
        .remove(0);
    m.id = id.into();
    m.domain = domain;
    m.profession = profession;
    m.paused = false;
    m.forms = vec![buddymatch::domain::LearningForm::Buddy];
    m.hours_per_month = 8;
    m.meeting_modes = vec![buddymatch::domain::MeetingMode::Online];
    m.languages = vec!["nl".into()];
    m.topics_wanted.clear();
    m.topics_offered.clear();
    m
}

/// Two members, one of whom has learned with a municipality doctor in the
/// same part of the network: the reason says what is new to whom.
#[test]
fn the_reason_says_what_is_new_to_whom() {
    let mut a = member("a", Domain::Uwv, Profession::LabourExpert);
    let b = member("b", Domain::Municipality, Profession::CompanyDoctor);
    a.learned = Learned {
        domains: vec![Domain::Municipality],
        professions: vec![Profession::CompanyDoctor],
        component: Some(3),
    };
    let mut inst = instance(0, 1, MatchKind::Buddy, Prefer::Score);
    inst.members = vec![a, b];
    inst.history.clear();
    inst.blocked.clear();
    inst.round.weights.novelty = 7;
    let r = solve(&inst).unwrap();
    let n = r.pairs[0]
        .reasons
        .iter()
        .find(|r| r.component == "novelty")
        .unwrap();
    // b has learned with nobody: uwv and labour_expert are new to b, and b
    // is a part of their own.
    assert_eq!(n.points, 7 * 3);
    assert_eq!(
        n.detail.as_deref(),
        Some("new to b: uwv, labour_expert; joins two parts of the network")
    );
    inst.members[1].learned.component = Some(3);
    let r = solve(&inst).unwrap();
    let n = r.pairs[0].reasons.iter().find(|r| r.component == "novelty");
    assert_eq!(n.map(|n| n.points), Some(7 * 2));
}

/// Instances written before the weight and the field existed read as
/// before, and an instance without a past writes no `learned`.
#[test]
fn old_instances_read_and_write_as_before() {
    let inst = instance(4, 9, MatchKind::Buddy, Prefer::Score);
    let mut json = serde_json::to_value(&inst).unwrap();
    assert!(json["members"][0].get("learned").is_none());
    json["round"]["weights"]
        .as_object_mut()
        .unwrap()
        .remove("novelty");
    let back: Instance = serde_json::from_value(json).unwrap();
    assert_eq!(back, inst);
    let past = with_learned(instance(30, 9, MatchKind::Buddy, Prefer::Score), 9);
    let text = serde_json::to_string(&past).unwrap();
    assert!(text.contains("\"learned\""));
    assert_eq!(serde_json::from_str::<Instance>(&text).unwrap(), past);
}
