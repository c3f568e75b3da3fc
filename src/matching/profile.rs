//! Members turned into compact profiles (bit sets, ordinals) so the inner
//! loops of candidate generation compare integers, not strings.

use super::instance::{Instance, Member};
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
}

/// The instance, indexed: profiles in member order and the pairs that may
/// never be matched this round (recent history and blocks).
#[derive(Debug, Clone)]
pub struct Prepared {
    pub profiles: Vec<Profile>,
    forbidden: HashSet<(u32, u32)>,
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

fn ordered(a: u32, b: u32) -> (u32, u32) {
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
            });
        }
        // Ids in history or blocks that are not in the instance cannot be
        // matched anyway; they are skipped rather than rejected, so the
        // service may pass its whole history.
        let mut forbidden = HashSet::new();
        for h in &instance.history {
            let recent = h.round <= r.round && r.round - h.round <= r.repeat_window;
            if let (true, Some(&a), Some(&b)) =
                (recent, index.get(h.a.as_str()), index.get(h.b.as_str()))
            {
                forbidden.insert(ordered(a, b));
            }
        }
        for p in &instance.blocked {
            if let (Some(&a), Some(&b)) = (index.get(p.a.as_str()), index.get(p.b.as_str())) {
                forbidden.insert(ordered(a, b));
            }
        }
        Ok(Prepared {
            profiles,
            forbidden,
        })
    }

    /// History or a block rules this pair out.
    pub fn forbidden(&self, a: u32, b: u32) -> bool {
        !self.forbidden.is_empty() && self.forbidden.contains(&ordered(a, b))
    }

    pub fn len(&self) -> usize {
        self.profiles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.profiles.is_empty()
    }
}
