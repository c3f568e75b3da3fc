//! The engine's input: who takes part, what happened before, and how this
//! round is to be matched. A plain serde data type: the service builds it
//! from the database, the `generate` command writes it, `solve` reads it.
//! The JSON format is documented in the README's engine section.

use crate::domain::{
    Domain, Experience, LearningForm, MatchKind, MeetingMode, Profession, Province, Registration,
};
use serde::{Deserialize, Serialize};

/// One matching problem: members, their shared past, and the round's settings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Instance {
    pub round: RoundParams,
    pub members: Vec<Member>,
    /// Who met whom in which round; used for the repeat window.
    #[serde(default)]
    pub history: Vec<PastMeeting>,
    /// Pairs where one side blocked or declined the other: never matched again.
    #[serde(default)]
    pub blocked: Vec<BlockedPair>,
    /// Conflicts of interest a coordinator registered between two members:
    /// never matched, like `blocked`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<BlockedPair>,
    /// Pairs a coordinator excluded from this round only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<BlockedPair>,
    /// Matches a coordinator fixed before solving (see [`Pin`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pinned: Vec<Pin>,
}

/// A match that must be in the result: a buddy pair `[a, b]`, a shadowing
/// visit `[visitor, host]` or an intervision group `[a, b, c, ...]`.
/// `forced` skips the hard constraints (hours, language, travel, repeat
/// window, declines, exclusions, conflicts of interest), never the
/// structural rules (known members, each once, the form's shape) nor
/// participation (asked for the form, not paused).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pin {
    pub members: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub forced: bool,
}

/// Which colleagues never meet in a round: `same_team` (the default) keeps
/// apart members of the same organisation and team (both given);
/// `same_organisation` members of the same organisation; `none` nobody.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictRule {
    #[default]
    SameTeam,
    SameOrganisation,
    None,
}

impl ConflictRule {
    pub fn is_default(&self) -> bool {
        *self == ConflictRule::SameTeam
    }

    pub fn code(self) -> &'static str {
        match self {
            ConflictRule::SameTeam => "same_team",
            ConflictRule::SameOrganisation => "same_organisation",
            ConflictRule::None => "none",
        }
    }
}

/// A member's profile as far as matching needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    /// Opaque, unique within the instance (the service uses its own ids).
    pub id: String,
    pub domain: Domain,
    pub profession: Profession,
    pub experience: Experience,
    pub registration: Registration,
    pub province: Province,
    /// ISO 639-1 codes; at least one must be shared for any match.
    pub languages: Vec<String>,
    /// The learning forms this member asked for.
    pub forms: Vec<LearningForm>,
    /// Visitors per round this member accepts when hosting a shadowing visit.
    #[serde(default)]
    pub host_capacity: u8,
    /// Hours a month this member can give; no match goes beyond it.
    pub hours_per_month: u8,
    /// Of those, hours already given to matches of other rounds in the same
    /// period: only the rest is free for this round.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub committed_hours: u8,
    pub meeting_modes: Vec<MeetingMode>,
    /// Furthest one-way distance (km, province centroids) for in-person meetings.
    #[serde(default)]
    pub max_travel_km: u16,
    /// Topic slugs from `domain::TOPICS`.
    #[serde(default)]
    pub topics_wanted: Vec<String>,
    #[serde(default)]
    pub topics_offered: Vec<String>,
    #[serde(default)]
    pub paused: bool,
    /// Employer or organisation (free text; compared after
    /// [`super::conflicts::normalise`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// Team within the organisation (free text, normalised likewise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Whom they have learned with in earlier rounds, for the weight
    /// `novelty`; left out when nothing (a newcomer, or the weight is off).
    #[serde(default, skip_serializing_if = "Learned::is_empty")]
    pub learned: Learned,
}

/// What a member has learned with in earlier rounds: the domains and
/// professions of the members they took a match up with, and which part of
/// the learning network that put them in (members with the same
/// `component` are connected; `None`: a part of their own). The service
/// fills it from the network (`network::novelty`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Learned {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<Domain>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub professions: Vec<Profession>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<u32>,
}

impl Learned {
    pub fn is_empty(&self) -> bool {
        self.domains.is_empty() && self.professions.is_empty() && self.component.is_none()
    }
}

/// `a` and `b` were matched (in any form) in round `round`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastMeeting {
    pub a: String,
    pub b: String,
    pub round: u32,
}

/// One side blocked or declined the other; symmetric and permanent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockedPair {
    pub a: String,
    pub b: String,
}

/// Whether to maximise total score, or first the number of people matched
/// and then the score among those matchings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Prefer {
    #[default]
    Score,
    Coverage,
}

/// The settings of one round. Every field has a documented default so a
/// coordinator only states what differs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RoundParams {
    pub kind: MatchKind,
    /// The number of the round being matched; history rounds count back from it.
    pub round: u32,
    /// A pair that met in round r is not matched again while `round - r <= repeat_window`.
    pub repeat_window: u32,
    /// Seeds sampling and the intervision search; same seed, same result.
    pub seed: u64,
    pub prefer: Prefer,
    /// k: candidates kept per member when the graph is sparse.
    pub candidates_per_member: usize,
    /// Below this many participants every compatible pair is an edge.
    pub full_graph_below: usize,
    pub group_min: usize,
    pub group_max: usize,
    pub form_hours: FormHours,
    pub weights: Weights,
    /// Intervision local search: move evaluations per member of a block
    /// (blocks under 200 members count as 200). Counted, not timed, so the
    /// result does not depend on machine speed.
    pub search_effort: u64,
    /// Colleagues kept apart (conflicts of interest). Left out of the JSON
    /// when it is the default, so instances written before it stay the same.
    #[serde(skip_serializing_if = "ConflictRule::is_default")]
    pub conflicts: ConflictRule,
}

impl Default for RoundParams {
    fn default() -> Self {
        RoundParams {
            kind: MatchKind::Buddy,
            round: 1,
            repeat_window: 6,
            seed: 0,
            prefer: Prefer::Score,
            candidates_per_member: 50,
            full_graph_below: 600,
            group_min: 4,
            group_max: 6,
            form_hours: FormHours::default(),
            weights: Weights::default(),
            search_effort: 10_000,
            conflicts: ConflictRule::SameTeam,
        }
    }
}

/// Hours per month each form costs a participant. A shadowing host pays the
/// visit's hours once per visitor, which caps how many visitors they take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FormHours {
    pub buddy: u8,
    pub intervision: u8,
    pub shadowing_visit: u8,
}

impl Default for FormHours {
    fn default() -> Self {
        FormHours {
            buddy: 2,
            intervision: 3,
            shadowing_visit: 4,
        }
    }
}

/// Points per score component (see `score.rs` for what each rewards).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    /// Every compatible pair: a meeting is worth having at all.
    pub base: i64,
    /// Different domains (UWV with self-employed, ...): the product's reason to exist.
    pub cross_domain: i64,
    /// Different professions (labour expert with a company doctor, ...).
    pub cross_profession: i64,
    /// A junior (in training or under 3 years) with a peer of 7+ years.
    pub complementary_experience: i64,
    /// Per topic one wants and the other offers, each direction.
    pub topic: i64,
    /// At most this many topics count per direction.
    pub topic_cap: u8,
    /// In-person within travel limits, scaled down with distance.
    pub in_person: i64,
    /// Online only: both allow it.
    pub online: i64,
    /// Per member, scaled by spare hours beyond the form's cost (up to the cost again).
    pub hours_headroom: i64,
    /// Same first (preferred) language.
    pub shared_language: i64,
    /// Per unit of what a match adds to the learning network (see
    /// `score::novelty_units`); 0, the default, leaves it out.
    pub novelty: i64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            base: 10,
            cross_domain: 40,
            cross_profession: 15,
            complementary_experience: 20,
            topic: 8,
            topic_cap: 3,
            in_person: 6,
            online: 3,
            hours_headroom: 3,
            shared_language: 2,
            novelty: 0,
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(h: &u8) -> bool {
    *h == 0
}

impl Member {
    /// The engine's view of a member's learning profile; `committed_hours`
    /// are those other rounds of the period already take.
    pub fn from_profile(
        id: String,
        p: &crate::domain::LearningProfile,
        committed_hours: u8,
    ) -> Member {
        Member {
            id,
            domain: p.domain,
            profession: p.profession,
            experience: p.experience,
            registration: p.registration,
            province: p.province,
            languages: p.languages.iter().cloned().collect(),
            forms: p.forms.iter().copied().collect(),
            host_capacity: p.host_capacity,
            hours_per_month: p.hours_per_month,
            committed_hours,
            meeting_modes: p.meeting_modes.iter().copied().collect(),
            max_travel_km: p.max_travel_km,
            topics_wanted: p.topics_wanted.iter().cloned().collect(),
            topics_offered: p.topics_offered.iter().cloned().collect(),
            paused: p.paused,
            organisation: None,
            team: None,
            learned: Learned::default(),
        }
    }

    /// The learning profile a member of a synthetic population would save
    /// (demo data); travel is capped at what profiles allow.
    pub fn to_profile(&self) -> crate::domain::LearningProfile {
        crate::domain::LearningProfile {
            domain: self.domain,
            profession: self.profession,
            experience: self.experience,
            registration: self.registration,
            province: self.province,
            languages: self.languages.iter().cloned().collect(),
            forms: self.forms.iter().copied().collect(),
            host_capacity: self.host_capacity,
            hours_per_month: self.hours_per_month,
            meeting_modes: self.meeting_modes.iter().copied().collect(),
            max_travel_km: self.max_travel_km.min(crate::domain::MAX_TRAVEL_KM),
            topics_wanted: self.topics_wanted.iter().cloned().collect(),
            topics_offered: self.topics_offered.iter().cloned().collect(),
            learning_goal: String::new(),
            paused: self.paused,
            offers_to_convene: false,
            organisation: None,
            team: None,
        }
    }

    /// Hours free for this round.
    pub fn free_hours(&self) -> u8 {
        self.hours_per_month.saturating_sub(self.committed_hours)
    }

    pub fn asks_for(&self, form: LearningForm) -> bool {
        self.forms.contains(&form)
    }
}
