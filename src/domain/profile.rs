//! A member's learning profile: who they are professionally and what they
//! want to learn, in what form, how far they travel and how much time they have.

use super::{
    Domain, Experience, FieldProblem, LearningForm, MeetingMode, Profession, Province, Registration,
};
use std::collections::BTreeSet;

pub const MAX_TOPICS: usize = 20;
pub const MAX_LANGUAGES: usize = 8;
pub const MAX_LEARNING_GOAL: usize = 500;
pub const MAX_HOST_CAPACITY: u8 = 10;
pub const MAX_HOURS_PER_MONTH: u8 = 80;
pub const MAX_TRAVEL_KM: u16 = 400;
pub const MAX_WORKPLACE: usize = 120;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LearningProfile {
    pub domain: Domain,
    pub profession: Profession,
    pub experience: Experience,
    pub registration: Registration,
    pub province: Province,
    pub languages: BTreeSet<String>,
    pub forms: BTreeSet<LearningForm>,
    pub host_capacity: u8,
    pub hours_per_month: u8,
    pub meeting_modes: BTreeSet<MeetingMode>,
    pub max_travel_km: u16,
    pub topics_wanted: BTreeSet<String>,
    pub topics_offered: BTreeSet<String>,
    pub learning_goal: String,
    pub paused: bool,
    /// Offers to start an intervision group: such a member convenes first.
    pub offers_to_convene: bool,
    /// Where the member works, and their team there: rounds keep people who
    /// work together apart (the round setting `conflicts`).
    pub organisation: Option<String>,
    pub team: Option<String>,
}

/// Everything a client may send, before checking. Both PUT (all fields)
/// and PATCH (some fields, merged onto the stored profile) end here.
#[derive(Debug, Clone, Default)]
pub struct ProfileDraft {
    pub domain: Option<Domain>,
    pub profession: Option<Profession>,
    pub experience: Option<Experience>,
    pub registration: Option<Registration>,
    pub province: Option<Province>,
    pub languages: Option<Vec<String>>,
    pub forms: Option<Vec<LearningForm>>,
    pub host_capacity: Option<u8>,
    pub hours_per_month: Option<u8>,
    pub meeting_modes: Option<Vec<MeetingMode>>,
    pub max_travel_km: Option<u16>,
    pub topics_wanted: Option<Vec<String>>,
    pub topics_offered: Option<Vec<String>>,
    pub learning_goal: Option<String>,
    pub paused: Option<bool>,
    pub offers_to_convene: Option<bool>,
    /// `Some("")` clears the stored value; `None` keeps it (PATCH).
    pub organisation: Option<String>,
    pub team: Option<String>,
}

impl ProfileDraft {
    /// Fields not in `self` are taken from `base`.
    pub fn over(self, base: &LearningProfile) -> ProfileDraft {
        let b = base.clone();
        ProfileDraft {
            domain: self.domain.or(Some(b.domain)),
            profession: self.profession.or(Some(b.profession)),
            experience: self.experience.or(Some(b.experience)),
            registration: self.registration.or(Some(b.registration)),
            province: self.province.or(Some(b.province)),
            languages: self.languages.or(Some(b.languages.into_iter().collect())),
            forms: self.forms.or(Some(b.forms.into_iter().collect())),
            host_capacity: self.host_capacity.or(Some(b.host_capacity)),
            hours_per_month: self.hours_per_month.or(Some(b.hours_per_month)),
            meeting_modes: self
                .meeting_modes
                .or(Some(b.meeting_modes.into_iter().collect())),
            max_travel_km: self.max_travel_km.or(Some(b.max_travel_km)),
            topics_wanted: self
                .topics_wanted
                .or(Some(b.topics_wanted.into_iter().collect())),
            topics_offered: self
                .topics_offered
                .or(Some(b.topics_offered.into_iter().collect())),
            learning_goal: self.learning_goal.or(Some(b.learning_goal)),
            paused: self.paused.or(Some(b.paused)),
            offers_to_convene: self.offers_to_convene.or(Some(b.offers_to_convene)),
            organisation: self.organisation.or(b.organisation),
            team: self.team.or(b.team),
        }
    }

    /// Checks every field and reports every problem at once, so a form can
    /// show them all. `is_topic` says whether a slug is in the taxonomy.
    pub fn validate(
        self,
        is_topic: &dyn Fn(&str) -> bool,
    ) -> Result<LearningProfile, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        fn required<T>(problems: &mut Vec<FieldProblem>, field: &str, v: Option<T>) -> Option<T> {
            if v.is_none() {
                problems.push(FieldProblem::new(field, "is required"));
            }
            v
        }
        let domain = required(&mut problems, "domain", self.domain);
        let profession = required(&mut problems, "profession", self.profession);
        let experience = required(&mut problems, "experience", self.experience);
        let registration = required(&mut problems, "registration", self.registration);
        let province = required(&mut problems, "province", self.province);
        let hours_per_month = required(&mut problems, "hours_per_month", self.hours_per_month);
        let max_travel_km = required(&mut problems, "max_travel_km", self.max_travel_km);

        let languages = set_of(
            &mut problems,
            "languages",
            self.languages.unwrap_or_else(|| vec!["nl".into()]),
            MAX_LANGUAGES,
            |p, f, l| {
                let ok = super::is_language_code(l);
                if !ok {
                    p.push(FieldProblem::new(
                        f,
                        format!(
                            "\"{}\" is not a two-letter ISO 639-1 language code like \"nl\"",
                            clip(l)
                        ),
                    ));
                }
                ok
            },
        );
        if languages.is_empty() {
            problems.push(FieldProblem::new(
                "languages",
                "must name at least one language",
            ));
        }
        let forms: BTreeSet<LearningForm> = self.forms.unwrap_or_default().into_iter().collect();
        let meeting_modes: BTreeSet<MeetingMode> = self
            .meeting_modes
            .unwrap_or_else(|| vec![MeetingMode::InPerson, MeetingMode::Online])
            .into_iter()
            .collect();
        if meeting_modes.is_empty() {
            problems.push(FieldProblem::new(
                "meeting_modes",
                "must allow in_person, online or both",
            ));
        }
        let host_capacity = self.host_capacity.unwrap_or(0);
        if host_capacity > MAX_HOST_CAPACITY {
            problems.push(FieldProblem::new(
                "host_capacity",
                format!("must be at most {MAX_HOST_CAPACITY} visitors per round"),
            ));
        }
        if forms.contains(&LearningForm::ShadowingHost) && host_capacity == 0 {
            problems.push(FieldProblem::new(
                "host_capacity",
                "must be at least 1 when forms include shadowing_host",
            ));
        }
        if let Some(h) = hours_per_month {
            if h > MAX_HOURS_PER_MONTH {
                problems.push(FieldProblem::new(
                    "hours_per_month",
                    format!("must be at most {MAX_HOURS_PER_MONTH}"),
                ));
            }
        }
        if let Some(km) = max_travel_km {
            if km > MAX_TRAVEL_KM {
                problems.push(FieldProblem::new(
                    "max_travel_km",
                    format!("must be at most {MAX_TRAVEL_KM}"),
                ));
            }
        }
        let topic_check = |p: &mut Vec<FieldProblem>, f: &str, t: &str| {
            let ok = is_topic(t);
            if !ok {
                p.push(FieldProblem::new(
                    f,
                    format!(
                        "unknown topic \"{}\"; GET /api/v1/topics lists them",
                        clip(t)
                    ),
                ));
            }
            ok
        };
        let topics_wanted = set_of(
            &mut problems,
            "topics_wanted",
            self.topics_wanted.unwrap_or_default(),
            MAX_TOPICS,
            topic_check,
        );
        let topics_offered = set_of(
            &mut problems,
            "topics_offered",
            self.topics_offered.unwrap_or_default(),
            MAX_TOPICS,
            topic_check,
        );
        let learning_goal = match super::validation::free_text(
            "learning_goal",
            &self.learning_goal.unwrap_or_default(),
            MAX_LEARNING_GOAL,
        ) {
            Ok(s) => s,
            Err(p) => {
                problems.push(p);
                String::new()
            }
        };
        let mut workplace = |field: &str, v: Option<String>| match super::validation::free_text(
            field,
            &v.unwrap_or_default(),
            MAX_WORKPLACE,
        ) {
            Ok(s) if s.contains(['\n', '\r', '\t']) => {
                problems.push(FieldProblem::new(field, "must be a single line"));
                None
            }
            Ok(s) => (!s.is_empty()).then_some(s),
            Err(p) => {
                problems.push(p);
                None
            }
        };
        let organisation = workplace("organisation", self.organisation);
        let team = workplace("team", self.team);
        if team.is_some() && organisation.is_none() {
            problems.push(FieldProblem::new(
                "team",
                "needs an organisation: a team is compared within its organisation",
            ));
        }
        match (
            domain,
            profession,
            experience,
            registration,
            province,
            hours_per_month,
            max_travel_km,
        ) {
            (
                Some(domain),
                Some(profession),
                Some(experience),
                Some(registration),
                Some(province),
                Some(hours_per_month),
                Some(max_travel_km),
            ) if problems.is_empty() => Ok(LearningProfile {
                domain,
                profession,
                experience,
                registration,
                province,
                languages,
                forms,
                host_capacity,
                hours_per_month,
                meeting_modes,
                max_travel_km,
                topics_wanted,
                topics_offered,
                learning_goal,
                paused: self.paused.unwrap_or(false),
                offers_to_convene: self.offers_to_convene.unwrap_or(false),
                organisation,
                team,
            }),
            _ => Err(problems),
        }
    }
}

fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

fn set_of(
    problems: &mut Vec<FieldProblem>,
    field: &str,
    items: Vec<String>,
    max: usize,
    mut check: impl FnMut(&mut Vec<FieldProblem>, &str, &str) -> bool,
) -> BTreeSet<String> {
    if items.len() > max {
        problems.push(FieldProblem::new(
            field,
            format!("must have at most {max} entries"),
        ));
        return BTreeSet::new();
    }
    let mut out = BTreeSet::new();
    for (i, item) in items.iter().enumerate() {
        let item = item.trim();
        if check(problems, &format!("{field}[{i}]"), item) {
            out.insert(item.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> ProfileDraft {
        ProfileDraft {
            domain: Some(Domain::Uwv),
            profession: Some(Profession::LabourExpert),
            experience: Some(Experience::Years(2)),
            registration: Some(Registration::Registered),
            province: Some(Province::Utrecht),
            hours_per_month: Some(6),
            max_travel_km: Some(50),
            forms: Some(vec![LearningForm::Buddy]),
            topics_wanted: Some(vec!["soft_skills".into()]),
            ..Default::default()
        }
    }

    fn known(t: &str) -> bool {
        super::super::Topic::by_slug(t).is_some()
    }

    #[test]
    fn a_complete_draft_becomes_a_profile_with_defaults() {
        let p = full().validate(&known).unwrap();
        assert_eq!(p.languages.iter().collect::<Vec<_>>(), vec!["nl"]);
        assert_eq!(p.meeting_modes.len(), 2);
        assert!(!p.paused);
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let mut d = full();
        d.domain = None;
        d.topics_wanted = Some(vec!["soft_skills".into(), "astrology".into()]);
        d.forms = Some(vec![LearningForm::ShadowingHost]);
        d.languages = Some(vec!["dutch".into()]);
        let problems = d.validate(&known).unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "domain",
                "languages[0]",
                "languages",
                "host_capacity",
                "topics_wanted[1]"
            ]
        );
    }

    #[test]
    fn patch_keeps_unsent_fields() {
        let base = full().validate(&known).unwrap();
        let patch = ProfileDraft {
            paused: Some(true),
            ..Default::default()
        };
        let p = patch.over(&base).validate(&known).unwrap();
        assert!(p.paused);
        assert_eq!(p.domain, Domain::Uwv);
        assert_eq!(p.topics_wanted, base.topics_wanted);
    }
}
