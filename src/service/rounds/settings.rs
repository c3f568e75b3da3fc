//! What a coordinator sets when creating a round, and its checks.

use crate::domain::{Domain, MatchKind, Profession, Province};
use crate::error::AppError;
use crate::matching::instance::{ConflictRule, Prefer, Weights};

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Cohort {
    pub provinces: Vec<Province>,
    pub domains: Vec<Domain>,
    pub professions: Vec<Profession>,
    /// Only these members (user ids), when given: a top-up round's cohort.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
}

/// More members than any programme holds; bounds the stored list.
pub const MAX_COHORT_MEMBERS: usize = 100_000;

/// What a coordinator may set; everything else is the engine's default.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub repeat_window: Option<u32>,
    pub prefer: Option<Prefer>,
    pub group_min: Option<usize>,
    pub group_max: Option<usize>,
    pub seed: Option<u64>,
    pub candidates_per_member: Option<usize>,
    pub weights: Option<Weights>,
    /// Days members have to answer after the publish (default 14).
    pub reply_within_days: Option<u32>,
    /// What happens to an answer not given by then.
    pub after_deadline: Option<AfterDeadline>,
    /// Who is kept apart as colleagues (default `same_team`).
    pub conflicts: Option<ConflictRule>,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MeetingWindow {
    pub from: Option<String>,
    pub until: Option<String>,
}

pub struct NewRound {
    /// The programme whose members make up the cohort.
    pub programme_id: String,
    pub kind: MatchKind,
    pub cohort: Cohort,
    pub settings: Settings,
    pub note: String,
    pub meeting_window: MeetingWindow,
}

impl NewRound {
    pub(super) fn validate(&self) -> Result<(), AppError> {
        let mut problems = Vec::new();
        let s = &self.settings;
        let (min, max) = (s.group_min.unwrap_or(4), s.group_max.unwrap_or(6));
        if !(3..=12).contains(&min) || !(3..=12).contains(&max) || min > max {
            problems.push(crate::domain::FieldProblem::new(
                "settings.group_min",
                format!("group sizes must satisfy 3 <= group_min <= group_max <= 12 (got {min} and {max})"),
            ));
        }
        if let Some(w) = &s.weights {
            // Bounded so that sums over any group stay far from overflow.
            let all = [
                ("base", w.base),
                ("cross_domain", w.cross_domain),
                ("cross_profession", w.cross_profession),
                ("complementary_experience", w.complementary_experience),
                ("topic", w.topic),
                ("in_person", w.in_person),
                ("online", w.online),
                ("hours_headroom", w.hours_headroom),
                ("shared_language", w.shared_language),
            ];
            for (name, v) in all {
                if !(0..=1000).contains(&v) {
                    problems.push(crate::domain::FieldProblem::new(
                        format!("settings.weights.{name}"),
                        "must be between 0 and 1000",
                    ));
                }
            }
            if w.topic_cap > 20 {
                problems.push(crate::domain::FieldProblem::new(
                    "settings.weights.topic_cap",
                    "must be at most 20",
                ));
            }
        }
        if s.repeat_window.is_some_and(|w| w > 120) {
            problems.push(crate::domain::FieldProblem::new(
                "settings.repeat_window",
                "must be at most 120 rounds",
            ));
        }
        if s.candidates_per_member
            .is_some_and(|k| !(1..=500).contains(&k))
        {
            problems.push(crate::domain::FieldProblem::new(
                "settings.candidates_per_member",
                "must be between 1 and 500",
            ));
        }
        if s.reply_within_days.is_some_and(|d| !(1..=60).contains(&d)) {
            problems.push(crate::domain::FieldProblem::new(
                "settings.reply_within_days",
                "must be between 1 and 60 days",
            ));
        }
        if self.cohort.members.len() > MAX_COHORT_MEMBERS {
            problems.push(crate::domain::FieldProblem::new(
                "cohort.members",
                format!("must have at most {MAX_COHORT_MEMBERS} entries"),
            ));
        }
        if let Err(p) = crate::domain::free_text("note", &self.note, 1000) {
            problems.push(p);
        }
        for (field, v) in [
            ("meeting_window.from", &self.meeting_window.from),
            ("meeting_window.until", &self.meeting_window.until),
        ] {
            if v.as_deref().is_some_and(|d| !crate::domain::is_date(d)) {
                problems.push(crate::domain::FieldProblem::new(
                    field,
                    "must be a date like 2026-12-01",
                ));
            }
        }
        if let (Some(f), Some(u)) = (&self.meeting_window.from, &self.meeting_window.until) {
            if crate::domain::is_date(f) && crate::domain::is_date(u) && f > u {
                problems.push(crate::domain::FieldProblem::new(
                    "meeting_window.until",
                    "must not be before meeting_window.from",
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(AppError::validation(problems))
        }
    }
}

/// After the reply date: what happens to an answer not given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AfterDeadline {
    /// A reminder at the reply date, then the answer expires a week later.
    #[default]
    RemindThenExpire,
    /// The answer expires at the reply date.
    Expire,
    /// A reminder at the reply date; the match stays open.
    Remind,
}
