//! Readiness against the solve it precedes: the same participants and rule
//! counts, a bound no solve exceeds, and (buddy, shadowing, and intervision
//! rounds searched whole) the same members without a candidate.

use buddymatch::domain::MatchKind;
use buddymatch::matching::instance::Prefer;
use buddymatch::matching::outcome::UnmatchedReason;
use buddymatch::matching::prepare;
use buddymatch::matching::readiness::assess;
use buddymatch::offline::synthetic;
use proptest::prelude::*;
use std::collections::BTreeSet;

fn kind() -> impl Strategy<Value = MatchKind> {
    prop_oneof![
        Just(MatchKind::Buddy),
        Just(MatchKind::Shadowing),
        Just(MatchKind::Intervision)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn readiness_bounds_and_agrees_with_the_solve(
        n in 4usize..80, seed in 0u64..10_000, kind in kind(), coverage: bool,
    ) {
        let mut inst = synthetic::instance(n, seed, kind);
        inst.round.prefer = if coverage { Prefer::Coverage } else { Prefer::Score };
        let round = prepare(&inst).unwrap();
        let ready = assess(&round);
        let result = round.solve();
        prop_assert_eq!(ready.participants, result.participants);
        prop_assert_eq!(ready.removed_pairs, result.removed_pairs);
        prop_assert!(result.matched_members <= ready.at_most_matched,
            "{} matched, bound {}", result.matched_members, ready.at_most_matched);
        for b in &ready.bottlenecks {
            prop_assert!(result.matched_members <= b.limit, "{} over {:?}", result.matched_members, b);
        }
        let without: BTreeSet<&str> = ready.without_candidate.iter().map(String::as_str).collect();
        let unmatched: BTreeSet<&str> = result
            .unmatched
            .iter()
            .filter(|u| u.reason == UnmatchedReason::NoCompatibleCandidate)
            .map(|u| u.member.as_str())
            .collect();
        prop_assert_eq!(without, unmatched);
        let excluded: usize = ready.excluded.values().sum();
        prop_assert_eq!(excluded, result.unmatched.iter().filter(|u| u.reason.before_matching()).count());
    }
}
