//! Members turned into compact profiles (bit sets, ordinals) so the inner
//! loops of candidate generation compare integers, not strings.

use super::conflicts::Keys;
use super::instance::{ConflictRule, Instance, Member};
use crate::domain::{Domain, MeetingMode, Profession, Province, TOPICS};
use std::collections::{HashMap, HashSet};

/// Why an instance cannot be matched at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstanceError {
    #[error("member id \"{0}\" appears more than once")]
    DuplicateId(String),
    #[error("member \"{member}\" names unknown topic \"{topic}\"")]
    UnknownTopic { member: String, topic: String },
    #[error("more than {max} distinct languages in one instance")]
    TooManyLanguages { max: usize },
    #[error("group size bounds [{min}, {max}] are invalid (need 2 <= min <= max)")]
    GroupBounds { min: usize, max: usize },
    /// The first pin that cannot be kept (`check_pins` lists them all).
    #[error("pin {pin} ({members}) breaks rule {rule}: {detail}")]
    Pin {
        pin: usize,
        members: String,
        rule: &'static str,
        detail: String,
    },
}

/// Up to 256 distinct language codes per instance; enough for ISO 639-1 (184).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct LangSet(pub [u64; 4]);

impl LangSet {
    pub const CAPACITY: usize = 256;

    fn insert(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    pub fn intersect(self, other: LangSet) -> LangSet {
        LangSet([
            self.0[0] & other.0[0],
            self.0[1] & other.0[1],
            self.0[2] & other.0[2],
            self.0[3] & other.0[3],
        ])
    }

    pub fn is_empty(self) -> bool {
        self.0 == [0; 4]
    }

    pub fn all() -> LangSet {
        LangSet([u64::MAX; 4])
    }
}

/// What the engine needs of a member, precomputed.
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    pub domain: Domain,
    pub profession: Profession,
    pub experience: i32,
    pub junior: bool,
    pub province: Province,
    pub languages: LangSet,
    /// Index of the first listed language, `u16::MAX` when none.
    pub first_language: u16,
    /// Bit i = `TOPICS[i]`.
    pub wants: u32,
    pub offers: u32,
    pub in_person: bool,
    pub online: bool,
    pub max_travel_km: u32,
    pub hours: u32,
    pub host_capacity: u32,
    pub paused: bool,
    /// Normalised organisation as a small integer, 0 when none given.
    pub organisation: u32,
    /// Normalised (organisation, team), 0 unless both are given.
    pub team: u32,
    /// The key the round's conflict rule compares (team, organisation or
    /// 0 for none): two members with the same non-zero key never meet.
    pub conflict_key: u32,
    /// Domains and professions learned with in earlier rounds (bit
    /// `Domain as u32`, `Profession as u32`), and their part of the
    /// learning network: equal numbers are connected; a member without
    /// one has a number of their own.
    pub learned_domains: u16,
    pub learned_professions: u16,
    pub component: u32,
}

/// The instance, indexed: profiles in member order and the pairs that may
/// never be matched this round (recent history, blocks, exclusions and
/// registered conflicts), also kept per rule for the counts and pin checks.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub profiles: Vec<Profile>,
    forbidden: HashSet<(u32, u32), PairHash>,
    pub conflict_rule: ConflictRule,
    /// Per rule, the member pairs `(a, b)` with `a < b`, sorted, once each.
    pub repeat: Vec<(u32, u32)>,
    pub declined: Vec<(u32, u32)>,
    pub excluded: Vec<(u32, u32)>,
    pub registered: Vec<(u32, u32)>,
}

fn topic_bits(member: &Member, slugs: &[String]) -> Result<u32, InstanceError> {
    let mut bits = 0u32;
    for s in slugs {
        let i =
            TOPICS
                .iter()
                .position(|t| t.slug == s)
                .ok_or_else(|| InstanceError::UnknownTopic {
                    member: member.id.clone(),
                    topic: s.clone(),
                })?;
        bits |= 1 << i;
    }
    Ok(bits)
}

/// Hashes the member pairs of `Prepared::forbidden`. The candidate graph
/// asks about every sampled pair (millions on a large round), and the
/// standard SipHash was a tenth of that phase; these keys are not chosen by
/// an adversary who could aim collisions at them (they come from the
/// coordinator's own instance), so a fast mix is enough.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PairHash;

impl std::hash::BuildHasher for PairHash {
    type Hasher = PairHasher;
    fn build_hasher(&self) -> PairHasher {
        PairHasher(0)
    }
}

/// See [`PairHash`]: the words written are folded together and mixed once.
#[derive(Debug)]
pub(crate) struct PairHasher(u64);

impl std::hash::Hasher for PairHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u32(&mut self, x: u32) {
        self.0 = self.0.rotate_left(32) ^ u64::from(x);
    }
    fn finish(&self) -> u64 {
        super::primal_dual::mix64(self.0)
    }
}

pub(crate) fn ordered(a: u32, b: u32) -> (u32, u32) {
    if a < b {
        (a, b)
    } else {
        (b, a)
    }
}

impl Prepared {
    pub fn new(instance: &Instance) -> Result<Prepared, InstanceError> {
        let r = &instance.round;
        if r.group_min < 2 || r.group_min > r.group_max {
            return Err(InstanceError::GroupBounds {
                min: r.group_min,
                max: r.group_max,
            });
        }
        let mut index: HashMap<&str, u32> = HashMap::with_capacity(instance.members.len());
        let mut languages: HashMap<&str, usize> = HashMap::new();
        let mut profiles = Vec::with_capacity(instance.members.len());
        let mut keys = Keys::default();
        // The instance's component labels renumbered densely, and a fresh
        // number for each member alone in theirs.
        let mut components: HashMap<u32, u32> = HashMap::new();
        let mut next_component = 0u32;
        for (i, m) in instance.members.iter().enumerate() {
            if index.insert(m.id.as_str(), i as u32).is_some() {
                return Err(InstanceError::DuplicateId(m.id.clone()));
            }
            let mut langs = LangSet::default();
            let mut first_language = u16::MAX;
            for (k, code) in m.languages.iter().enumerate() {
                let next = languages.len();
                let li = *languages.entry(code.as_str()).or_insert(next);
                if li >= LangSet::CAPACITY {
                    return Err(InstanceError::TooManyLanguages {
                        max: LangSet::CAPACITY,
                    });
                }
                langs.insert(li);
                if k == 0 {
                    first_language = li as u16;
                }
            }
            profiles.push(Profile {
                domain: m.domain,
                profession: m.profession,
                experience: m.experience.ordinal(),
                junior: m.experience.is_junior(),
                province: m.province,
                languages: langs,
                first_language,
                wants: topic_bits(m, &m.topics_wanted)?,
                offers: topic_bits(m, &m.topics_offered)?,
                in_person: m.meeting_modes.contains(&MeetingMode::InPerson),
                online: m.meeting_modes.contains(&MeetingMode::Online),
                max_travel_km: u32::from(m.max_travel_km),
                hours: u32::from(m.free_hours()),
                host_capacity: u32::from(m.host_capacity),
                paused: m.paused,
                organisation: 0,
                team: 0,
                conflict_key: 0,
                learned_domains: m
                    .learned
                    .domains
                    .iter()
                    .fold(0, |bits, &d| bits | 1 << d as u16),
                learned_professions: m
                    .learned
                    .professions
                    .iter()
                    .fold(0, |bits, &p| bits | 1 << p as u16),
                component: {
                    let fresh = next_component;
                    let c = match m.learned.component {
                        Some(label) => *components.entry(label).or_insert(fresh),
                        None => fresh,
                    };
                    if c == fresh {
                        next_component += 1;
                    }
                    c
                },
            });
            let (organisation, team) = keys.of(m);
            let p = profiles.last_mut().expect("just pushed");
            p.organisation = organisation;
            p.team = team;
            p.conflict_key = match r.conflicts {
                ConflictRule::SameTeam => team,
                ConflictRule::SameOrganisation => organisation,
                ConflictRule::None => 0,
            };
        }
        // Ids in history or blocks that are not in the instance cannot be
        // matched anyway; they are skipped rather than rejected, so the
        // service may pass its whole history.
        let pairs = |list: &mut dyn Iterator<Item = (&str, &str)>| -> Vec<(u32, u32)> {
            let mut out: Vec<(u32, u32)> = list
                .filter_map(|(a, b)| match (index.get(a), index.get(b)) {
                    (Some(&a), Some(&b)) if a != b => Some(ordered(a, b)),
                    _ => None,
                })
                .collect();
            out.sort_unstable();
            out.dedup();
            out
        };
        let repeat = pairs(
            &mut instance
                .history
                .iter()
                .filter(|h| h.round <= r.round && r.round - h.round <= r.repeat_window)
                .map(|h| (h.a.as_str(), h.b.as_str())),
        );
        let declined = pairs(
            &mut instance
                .blocked
                .iter()
                .map(|p| (p.a.as_str(), p.b.as_str())),
        );
        let excluded = pairs(
            &mut instance
                .excluded
                .iter()
                .map(|p| (p.a.as_str(), p.b.as_str())),
        );
        let registered = pairs(
            &mut instance
                .conflicts
                .iter()
                .map(|p| (p.a.as_str(), p.b.as_str())),
        );
        let forbidden: HashSet<(u32, u32), PairHash> = repeat
            .iter()
            .chain(&declined)
            .chain(&excluded)
            .chain(&registered)
            .copied()
            .collect();
        Ok(Prepared {
            profiles,
            forbidden,
            conflict_rule: r.conflicts,
            repeat,
            declined,
            excluded,
            registered,
        })
    }

    /// History, a block, an exclusion or a registered conflict rules this pair out.
    pub fn forbidden(&self, a: u32, b: u32) -> bool {
        !self.forbidden.is_empty() && self.forbidden.contains(&ordered(a, b))
    }

    /// The round's conflict rule keeps these two colleagues apart.
    pub fn colleagues(&self, a: u32, b: u32) -> bool {
        let (ka, kb) = (
            self.profiles[a as usize].conflict_key,
            self.profiles[b as usize].conflict_key,
        );
        ka != 0 && ka == kb
    }

    pub fn len(&self) -> usize {
        self.profiles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.profiles.is_empty()
    }
}
