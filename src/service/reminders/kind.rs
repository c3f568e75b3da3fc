//! The kinds of reminder, as members choose them and keys name them.

use crate::store::reminders::SettingsRow;

/// A kind of reminder, as members choose them and keys name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reminder {
    /// An answer to a match still pending at the reply date.
    AnswerPending,
    /// A match taken up with no appointment or meeting weeks later.
    NoMeetingYet,
    /// The day after an appointment: record what you learned.
    ReflectionDue,
    /// An intervision group's next session is near.
    NextSession,
}

impl Reminder {
    pub const ALL: [Reminder; 4] = [
        Reminder::AnswerPending,
        Reminder::NoMeetingYet,
        Reminder::ReflectionDue,
        Reminder::NextSession,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Reminder::AnswerPending => "answer_pending",
            Reminder::NoMeetingYet => "no_meeting_yet",
            Reminder::ReflectionDue => "reflection_due",
            Reminder::NextSession => "next_session",
        }
    }

    pub fn from_code(code: &str) -> Option<Reminder> {
        Reminder::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Whether `settings` (none: the defaults) let this reminder through.
    pub fn wanted(self, settings: Option<&SettingsRow>) -> bool {
        let Some(s) = settings else { return true };
        match self {
            Reminder::AnswerPending => s.answer_pending,
            Reminder::NoMeetingYet => s.no_meeting_yet,
            Reminder::ReflectionDue => s.reflection_due,
            Reminder::NextSession => s.next_session,
        }
    }

    pub(super) fn set(self, s: &mut SettingsRow, on: bool) {
        match self {
            Reminder::AnswerPending => s.answer_pending = on,
            Reminder::NoMeetingYet => s.no_meeting_yet = on,
            Reminder::ReflectionDue => s.reflection_due = on,
            Reminder::NextSession => s.next_session = on,
        }
    }
}
