//! What every round email reads: who sits in a match, how to reach them,
//! and the day an answer is due.

use crate::domain::Locale;
pub use crate::store::rounds::Seat;
use std::collections::HashMap;

/// A group can start once this many of its members have accepted.
pub const GROUP_START: usize = 3;

/// (display name, email, language) by user id.
pub type Contacts = HashMap<String, (String, String, Locale)>;

/// "vóór vrijdag 15 januari 2027": the day an answer is due, read in
/// Amsterdam. The deadline is that day's midnight, so the day before it is
/// the last one to answer on; "before" the deadline's day says that.
pub fn human_deadline(reply_by: i64, locale: Locale) -> String {
    crate::domain::time::human_date(crate::domain::time::amsterdam_date(reply_by), locale)
}
