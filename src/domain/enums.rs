//! Closed vocabularies. Each has one stable snake_case code used on the wire,
//! in the database and in instance files, so the three never drift.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} \"{got}\"; expected one of: {expected}")]
pub struct ParseEnumError {
    pub what: &'static str,
    pub got: String,
    pub expected: String,
}

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }

        impl FromStr for $name {
            type Err = ParseEnumError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($code => Ok($name::$variant),)+
                    _ => Err(ParseEnumError {
                        what: $what,
                        got: s.chars().take(64).collect(),
                        expected: [$($code),+].join(", "),
                    }),
                }
            }
        }
    };
}

vocabulary!(
    /// Where a professional works. Crossing these is the product's reason to exist.
    Domain, "domain" {
        Uwv => "uwv",
        SelfEmployed => "self_employed",
        AdvisoryFirm => "advisory_firm",
        Municipality => "municipality",
        OccupationalHealth => "occupational_health",
        InHouseEmployer => "in_house_employer",
        Insurer => "insurer",
        Other => "other",
    }
);

vocabulary!(
    Profession, "profession" {
        LabourExpert => "labour_expert",
        CompanyDoctor => "company_doctor",
        InsurancePhysician => "insurance_physician",
        CaseManager => "case_manager",
        ReintegrationCoach => "reintegration_coach",
        WorkHealthPsychologist => "work_health_psychologist",
        Other => "other",
    }
);

vocabulary!(
    /// The survey's experience bands (DOMAIN.md).
    ExperienceBand, "experience band" {
        InTraining => "in_training",
        UpTo3 => "0_3",
        From4To6 => "4_6",
        From7To10 => "7_10",
        Over10 => "over_10",
    }
);

vocabulary!(
    /// Registration with the professional register; certification runs on PE points.
    Registration, "registration" {
        None => "none",
        Registered => "registered",
        Certified => "certified",
    }
);

vocabulary!(
    /// What a member asks to take part in. Shadowing has two sides.
    LearningForm, "learning form" {
        Buddy => "buddy",
        Intervision => "intervision",
        ShadowingVisitor => "shadowing_visitor",
        ShadowingHost => "shadowing_host",
    }
);

vocabulary!(
    /// The kind of a matching round and of the matches it produces.
    MatchKind, "match kind" {
        Buddy => "buddy",
        Shadowing => "shadowing",
        Intervision => "intervision",
    }
);

vocabulary!(
    MeetingMode, "meeting mode" {
        InPerson => "in_person",
        Online => "online",
    }
);

vocabulary!(
    /// Member-facing language; Dutch is the default.
    Locale, "locale" {
        Nl => "nl",
        En => "en",
    }
);

vocabulary!(
    Role, "role" {
        Member => "member",
        Coordinator => "coordinator",
        Admin => "admin",
    }
);

vocabulary!(
    /// Where an email is on its way out: written and due (`pending`), claimed
    /// by a delivery worker (`sending`), accepted by the relay (`sent`), or
    /// given up on (`failed`: refused for good, or out of attempts).
    OutboxStatus, "outbox status" {
        Pending => "pending",
        Sending => "sending",
        Sent => "sent",
        Failed => "failed",
    }
);

vocabulary!(
    /// Where a round is: only a draft is previewed or published, and a
    /// cancelled round's matches no longer stand.
    RoundStatus, "round status" {
        Draft => "draft",
        Published => "published",
        Cancelled => "cancelled",
    }
);

vocabulary!(
    /// A member's place in a match: one of a buddy pair, the host or the
    /// visitor of a shadowing visit, or one of an intervision group.
    MatchRole, "match role" {
        Buddy => "buddy",
        Host => "host",
        Visitor => "visitor",
        Member => "member",
    }
);

vocabulary!(
    /// A member's answer to a match; `expired` when the reply date passed
    /// without one.
    Answer, "answer" {
        Pending => "pending",
        Accepted => "accepted",
        Declined => "declined",
        Expired => "expired",
    }
);

vocabulary!(
    /// How an intervision group meets: the engine's mode, or `mixed` when it
    /// was formed in travel distance and every member also meets online.
    GroupMeetingMode, "group meeting mode" {
        InPerson => "in_person",
        Online => "online",
        Mixed => "mixed",
    }
);

vocabulary!(
    /// What a single-use email token is for.
    TokenPurpose, "token purpose" {
        VerifyEmail => "verify_email",
        ResetPassword => "reset_password",
    }
);

impl Answer {
    /// Not declined nor expired: the match still counts on this member.
    pub fn still_in(self) -> bool {
        matches!(self, Answer::Pending | Answer::Accepted)
    }
}

// Dutch members are the majority, so Dutch is what an unset locale means.
#[allow(clippy::derivable_impls)] // the vocabulary! macro cannot carry #[default]
impl Default for Locale {
    fn default() -> Self {
        Locale::Nl
    }
}

impl Role {
    /// Coordinators may do what members do plus run rounds; admins all of it.
    pub fn at_least(self, needed: Role) -> bool {
        self.rank() >= needed.rank()
    }

    fn rank(self) -> u8 {
        match self {
            Role::Member => 0,
            Role::Coordinator => 1,
            Role::Admin => 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_match_serde() {
        for d in Domain::ALL {
            assert_eq!(d.code().parse::<Domain>().unwrap(), *d);
            assert_eq!(
                serde_json::to_string(d).unwrap(),
                format!("\"{}\"", d.code())
            );
        }
        for p in Profession::ALL {
            assert_eq!(
                serde_json::to_string(p).unwrap(),
                format!("\"{}\"", p.code())
            );
        }
        for f in LearningForm::ALL {
            assert_eq!(
                serde_json::to_string(f).unwrap(),
                format!("\"{}\"", f.code())
            );
        }
        for m in MeetingMode::ALL {
            assert_eq!(
                serde_json::to_string(m).unwrap(),
                format!("\"{}\"", m.code())
            );
        }
    }

    #[test]
    fn unknown_code_names_the_choices() {
        let err = "police".parse::<Domain>().unwrap_err();
        assert!(err.to_string().contains("uwv, self_employed"), "{err}");
    }

    #[test]
    fn roles_are_ordered() {
        assert!(Role::Admin.at_least(Role::Coordinator));
        assert!(!Role::Member.at_least(Role::Coordinator));
    }
}
