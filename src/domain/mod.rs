//! Plain domain types and rules shared by the engine and the service.
//!
//! Nothing here knows about HTTP, SQL or mail: the engine and the offline
//! tools compile against this module alone (`--no-default-features`).

pub mod csv;
mod enums;
pub mod evidence;
pub mod labels;
pub mod markup;
mod profile;
mod province;
pub mod time;
mod topics;
mod validation;

pub use enums::{
    Answer, Domain, ExperienceBand, GroupMeetingMode, LearningForm, Locale, MatchKind, MatchRole,
    MeetingMode, OutboxStatus, ParseEnumError, Profession, Registration, Role, RoundStatus,
    TokenPurpose,
};
pub use profile::{LearningProfile, ProfileDraft, MAX_TRAVEL_KM};
pub use province::Province;
pub use topics::{Topic, TOPICS};
pub use validation::{
    check_password, display_name, free_text, is_date, is_language_code, single_line, EmailAddress,
    FieldProblem,
};

/// Whether two people in one match deal with each other, by their roles in
/// it. Visitors of a host never meet one another (each visit is its own
/// match, and older rounds stored a host's visitors together), so nothing
/// about one visitor reaches another: not their answer, not a decline, not
/// a repeat-pair rule.
pub fn in_contact(role_a: MatchRole, role_b: MatchRole) -> bool {
    !(role_a == MatchRole::Visitor && role_b == MatchRole::Visitor)
}

/// Years as a labour expert, or still in training (the survey's first band).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Experience {
    InTraining,
    Years(u8),
}

impl Experience {
    pub fn band(self) -> ExperienceBand {
        match self {
            Experience::InTraining => ExperienceBand::InTraining,
            Experience::Years(0..=3) => ExperienceBand::UpTo3,
            Experience::Years(4..=6) => ExperienceBand::From4To6,
            Experience::Years(7..=10) => ExperienceBand::From7To10,
            Experience::Years(_) => ExperienceBand::Over10,
        }
    }

    /// Juniors report less self-efficacy (DOMAIN.md): in training or under
    /// three years. Groups made only of juniors are not allowed.
    pub fn is_junior(self) -> bool {
        match self {
            Experience::InTraining => true,
            Experience::Years(y) => y < 3,
        }
    }

    /// A single ordinal for "how far apart" two people are in experience;
    /// in training counts as -1 year.
    pub fn ordinal(self) -> i32 {
        match self {
            Experience::InTraining => -1,
            Experience::Years(y) => i32::from(y),
        }
    }
}

/// On the wire an experience is `{"in_training": true}` or `{"years": 7}`,
/// flattened into the profile as two fields by the API layer; the engine's
/// instance format uses the compact form below: `"in_training"` or a number.
impl serde::Serialize for Experience {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Experience::InTraining => s.serialize_str("in_training"),
            Experience::Years(y) => s.serialize_u8(*y),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Experience {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Years(u8),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Years(y) if y <= 60 => Ok(Experience::Years(y)),
            Raw::Years(y) => Err(serde::de::Error::custom(format!(
                "experience of {y} years is out of range 0..=60"
            ))),
            Raw::Text(t) if t == "in_training" => Ok(Experience::InTraining),
            Raw::Text(t) => Err(serde::de::Error::custom(format!(
                "experience must be \"in_training\" or a number of years, got \"{t}\""
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_follow_the_survey() {
        assert_eq!(Experience::InTraining.band(), ExperienceBand::InTraining);
        assert_eq!(Experience::Years(0).band(), ExperienceBand::UpTo3);
        assert_eq!(Experience::Years(3).band(), ExperienceBand::UpTo3);
        assert_eq!(Experience::Years(4).band(), ExperienceBand::From4To6);
        assert_eq!(Experience::Years(10).band(), ExperienceBand::From7To10);
        assert_eq!(Experience::Years(11).band(), ExperienceBand::Over10);
        assert!(Experience::Years(2).is_junior());
        assert!(!Experience::Years(3).is_junior());
    }

    #[test]
    fn experience_round_trips_through_json() {
        for e in [Experience::InTraining, Experience::Years(12)] {
            let s = serde_json::to_string(&e).unwrap();
            assert_eq!(serde_json::from_str::<Experience>(&s).unwrap(), e);
        }
        assert!(serde_json::from_str::<Experience>("\"senior\"").is_err());
        assert!(serde_json::from_str::<Experience>("99").is_err());
    }
}
