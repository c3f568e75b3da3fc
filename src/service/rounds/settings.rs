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
    /// When members are reminded after the match (service/reminders).
    pub reminders: Option<ReminderDelays>,
}

/// When the reminders after a match go out; each unset one has its
/// default. Hours, so that a test or a pilot can make them short.
#[derive(Debug, Clone, Copy, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReminderDelays {
    /// After the match was accepted by all (a group: could start) with no
    /// appointment or meeting since (default three weeks).
    pub no_meeting_after_hours: Option<u32>,
    /// After an appointment ended, when its reflection is due (default the
    /// next day).
    pub reflection_after_hours: Option<u32>,
    /// Before an intervision session starts (default a day).
    pub session_before_hours: Option<u32>,
}

impl ReminderDelays {
    pub const DEFAULT_NO_MEETING_HOURS: u32 = 21 * 24;
    pub const DEFAULT_REFLECTION_HOURS: u32 = 24;
    pub const DEFAULT_SESSION_HOURS: u32 = 24;
    /// A quarter: longer than any delay means something else.
    pub const MAX_HOURS: u32 = 92 * 24;

    pub fn no_meeting_secs(&self) -> i64 {
        secs(self.no_meeting_after_hours, Self::DEFAULT_NO_MEETING_HOURS)
    }
    pub fn reflection_secs(&self) -> i64 {
        secs(self.reflection_after_hours, Self::DEFAULT_REFLECTION_HOURS)
    }
    pub fn session_secs(&self) -> i64 {
        secs(self.session_before_hours, Self::DEFAULT_SESSION_HOURS)
    }
}

fn secs(hours: Option<u32>, default: u32) -> i64 {
    i64::from(hours.unwrap_or(default)) * 3600
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
                ("novelty", w.novelty),
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
        if let Some(d) = &s.reminders {
            for (name, v) in [
                ("no_meeting_after_hours", d.no_meeting_after_hours),
                ("reflection_after_hours", d.reflection_after_hours),
                ("session_before_hours", d.session_before_hours),
            ] {
                if v.is_some_and(|h| h > ReminderDelays::MAX_HOURS) {
                    problems.push(crate::domain::FieldProblem::new(
                        format!("settings.reminders.{name}"),
                        format!("must be between 0 and {} hours", ReminderDelays::MAX_HOURS),
                    ));
                }
            }
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
