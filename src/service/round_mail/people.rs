//! What every round email reads: who sits in a match, how to reach them,
//! and the day an answer is due.

use crate::domain::Locale;
use std::collections::HashMap;

/// A group can start once this many of its members have accepted.
pub const GROUP_START: usize = 3;

/// (display name, email, locale) by user id.
pub type Contacts = HashMap<String, (String, String, String)>;

/// One member of a stored match: id, role, answer.
pub struct Seat {
    pub user_id: String,
    pub role: String,
    pub response: String,
}

pub(super) fn still_in(response: &str) -> bool {
    matches!(response, "pending" | "accepted")
}

/// "vóór vrijdag 15 januari 2027": the day an answer is due, read in
/// Amsterdam. The deadline is that day's midnight, so the day before it is
/// the last one to answer on; "before" the deadline's day says that.
pub fn human_deadline(reply_by: i64, locale: Locale) -> String {
    crate::domain::time::human_date(crate::domain::time::amsterdam_date(reply_by), locale)
}
