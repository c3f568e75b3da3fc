//! A realistic synthetic population drawn from the survey's distributions
//! (DOMAIN.md): domains, experience bands, registration, provinces by
//! population, topics wanted and offered, forms, hours, travel, capacities,
//! and some pair history. Deterministic for a seed.

use crate::domain::{
    Domain, Experience, LearningForm, MatchKind, MeetingMode, Profession, Province, Registration,
    TOPICS,
};
use crate::matching::instance::{BlockedPair, Instance, Member, PastMeeting, RoundParams};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Survey shares (n = 53), in per mille. Insurers are not in the survey.
const DOMAINS: &[(Domain, u32)] = &[
    (Domain::Uwv, 509),
    (Domain::OccupationalHealth, 132),
    (Domain::SelfEmployed, 113),
    (Domain::AdvisoryFirm, 113),
    (Domain::Municipality, 76),
    (Domain::Other, 38),
    (Domain::InHouseEmployer, 19),
];

/// Experience bands: in training 5.7%, 0-3 20.7%, 4-6 18.9%, 7-10 11.3%, >10 43.4%.
const BANDS: &[(u8, u32)] = &[(0, 57), (1, 207), (2, 189), (3, 113), (4, 434)];

/// None 15.1%, registered 17.0%, registered and certified 67.9%.
const REGISTRATION: &[(Registration, u32)] = &[
    (Registration::None, 151),
    (Registration::Registered, 170),
    (Registration::Certified, 679),
];

/// Inhabitants (thousands, 2024, rounded): members live where people live.
const PROVINCES: &[(Province, u32)] = &[
    (Province::Groningen, 590),
    (Province::Friesland, 660),
    (Province::Drenthe, 500),
    (Province::Overijssel, 1180),
    (Province::Flevoland, 440),
    (Province::Gelderland, 2130),
    (Province::Utrecht, 1390),
    (Province::NoordHolland, 2950),
    (Province::ZuidHolland, 3800),
    (Province::Zeeland, 390),
    (Province::NoordBrabant, 2630),
    (Province::Limburg, 1120),
];

/// Mostly labour experts; the service also serves the professionals beside them.
const PROFESSIONS: &[(Profession, u32)] = &[
    (Profession::LabourExpert, 780),
    (Profession::InsurancePhysician, 60),
    (Profession::CompanyDoctor, 60),
    (Profession::CaseManager, 40),
    (Profession::ReintegrationCoach, 30),
    (Profession::WorkHealthPsychologist, 20),
    (Profession::Other, 10),
];

const HOURS: &[(u8, u32)] = &[(2, 12), (3, 13), (4, 30), (6, 20), (8, 15), (12, 10)];
const TRAVEL_KM: &[(u16, u32)] = &[(0, 10), (30, 20), (60, 30), (100, 25), (150, 10), (250, 5)];
const EXTRA_LANGUAGES: &[(&str, u32)] = &[
    ("en", 650),
    ("de", 100),
    ("fr", 50),
    ("tr", 20),
    ("ar", 20),
    ("pl", 10),
];

/// What the survey says they want more of (weighted up) and what each
/// domain is good at offering.
const WANTED_MORE: &[&str] = &[
    "artificial_intelligence",
    "inclusive_technology",
    "soft_skills",
    "reflection_on_practice",
    "labour_market_change",
    "digital_inclusion",
    "multidisciplinary_collaboration",
];

fn domain_strengths(d: Domain) -> &'static [&'static str] {
    match d {
        Domain::Uwv => &[
            "social_security",
            "work_capacity_assessment",
            "law_and_policy",
        ],
        Domain::OccupationalHealth => {
            &["reintegration", "mental_health_and_work", "employer_advice"]
        }
        Domain::SelfEmployed => &["entrepreneurship", "employer_advice", "case_law"],
        Domain::AdvisoryFirm => &["case_law", "work_capacity_assessment", "law_and_policy"],
        Domain::Municipality => &[
            "participation_act",
            "clients_and_target_groups",
            "digital_inclusion",
        ],
        Domain::InHouseEmployer => &["sustainable_employability", "employer_advice"],
        Domain::Insurer | Domain::Other => &["knowledge_and_science", "methodical_work"],
    }
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, table: &[(T, u32)]) -> T {
    let total: u32 = table.iter().map(|x| x.1).sum();
    let mut x = rng.random_range(0..total);
    for &(v, w) in table {
        if x < w {
            return v;
        }
        x -= w;
    }
    table[table.len() - 1].0
}

fn topic(rng: &mut ChaCha8Rng, preferred: &[&'static str], share_preferred: f64) -> String {
    if rng.random_bool(share_preferred) {
        preferred[rng.random_range(0..preferred.len())].to_string()
    } else {
        TOPICS[rng.random_range(0..TOPICS.len())].slug.to_string()
    }
}

fn topics(rng: &mut ChaCha8Rng, n: usize, preferred: &[&'static str], share: f64) -> Vec<String> {
    let mut v: Vec<String> = (0..n).map(|_| topic(rng, preferred, share)).collect();
    v.sort();
    v.dedup();
    v
}

fn member(rng: &mut ChaCha8Rng, i: usize, kind: MatchKind) -> Member {
    let domain = pick(rng, DOMAINS);
    let experience = match pick(rng, BANDS) {
        0 => Experience::InTraining,
        1 => Experience::Years(rng.random_range(0..=3)),
        2 => Experience::Years(rng.random_range(4..=6)),
        3 => Experience::Years(rng.random_range(7..=10)),
        _ => Experience::Years(rng.random_range(11..=35)),
    };
    let junior = experience.is_junior();
    let registration = if experience == Experience::InTraining {
        Registration::None
    } else {
        pick(rng, REGISTRATION)
    };
    let mut languages = Vec::new();
    if rng.random_bool(0.99) {
        languages.push("nl".to_string());
    }
    for &(code, per_mille) in EXTRA_LANGUAGES {
        if rng.random_ratio(per_mille, 1000) || (languages.is_empty() && code == "en") {
            languages.push(code.to_string());
        }
    }
    let meeting_modes = match rng.random_range(0..100) {
        0..70 => vec![MeetingMode::InPerson, MeetingMode::Online],
        70..85 => vec![MeetingMode::Online],
        _ => vec![MeetingMode::InPerson],
    };
    let in_person = meeting_modes.contains(&MeetingMode::InPerson);
    let max_travel_km = if in_person { pick(rng, TRAVEL_KM) } else { 0 };
    // The round's own form is asked by nearly everyone in it; other forms by some.
    let mut forms = Vec::new();
    let asks_round_form = rng.random_bool(0.95);
    match kind {
        MatchKind::Buddy if asks_round_form => forms.push(LearningForm::Buddy),
        MatchKind::Intervision if asks_round_form => forms.push(LearningForm::Intervision),
        MatchKind::Shadowing if asks_round_form => {
            // Juniors visit; experienced members host, some do both.
            let p_host = if junior { 0.05 } else { 0.45 };
            if rng.random_bool(p_host) {
                forms.push(LearningForm::ShadowingHost);
                if rng.random_bool(0.1) {
                    forms.push(LearningForm::ShadowingVisitor);
                }
            } else {
                forms.push(LearningForm::ShadowingVisitor);
            }
        }
        _ => {}
    }
    for f in [LearningForm::Buddy, LearningForm::Intervision] {
        if !forms.contains(&f) && rng.random_bool(0.3) {
            forms.push(f);
        }
    }
    forms.sort();
    let host_capacity = if forms.contains(&LearningForm::ShadowingHost) {
        rng.random_range(1..=3)
    } else {
        0
    };
    let n_wanted = rng.random_range(1..=4);
    let n_offered = if junior {
        rng.random_range(0..=2)
    } else {
        rng.random_range(1..=4)
    };
    Member {
        id: format!("m{i:06}"),
        domain,
        profession: pick(rng, PROFESSIONS),
        experience,
        registration,
        province: pick(rng, PROVINCES),
        languages,
        forms,
        host_capacity,
        hours_per_month: pick(rng, HOURS),
        committed_hours: 0,
        meeting_modes,
        max_travel_km,
        topics_wanted: topics(rng, n_wanted, WANTED_MORE, 0.6),
        topics_offered: topics(rng, n_offered, domain_strengths(domain), 0.6),
        paused: rng.random_bool(0.02),
        organisation: None,
        team: None,
        learned: Default::default(),
    }
}

/// `members` members for a round of `kind`, round number 12, with history
/// from the rounds before (about one past meeting per two members, some of
/// them inside the repeat window) and a few blocked pairs.
pub fn instance(members: usize, seed: u64, kind: MatchKind) -> Instance {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let round = RoundParams {
        kind,
        round: 12,
        seed,
        ..RoundParams::default()
    };
    let people: Vec<Member> = (0..members).map(|i| member(&mut rng, i, kind)).collect();
    let mut history = Vec::new();
    let mut blocked = Vec::new();
    if members >= 2 {
        // Past partners are mostly close in the member list (same cohort),
        // which makes history bite on small instances too.
        for _ in 0..members / 2 {
            let a = rng.random_range(0..members);
            let b = (a + rng.random_range(1..members.min(50))) % members;
            if a != b {
                history.push(PastMeeting {
                    a: people[a].id.clone(),
                    b: people[b].id.clone(),
                    round: rng.random_range(1..12),
                });
            }
        }
        for _ in 0..members / 50 + 1 {
            let a = rng.random_range(0..members);
            let b = rng.random_range(0..members);
            if a != b {
                blocked.push(BlockedPair {
                    a: people[a].id.clone(),
                    b: people[b].id.clone(),
                });
            }
        }
    }
    Instance {
        round,
        members: people,
        history,
        blocked,
        ..Instance::default()
    }
}
