//! Who is told what about a round (README, "Who is told what"):
//!
//! - publish: every member the round considered hears once, with their
//!   matches (a host: every visit) or with why they got none;
//! - an answer: a decline or an expiry tells the people the member deals
//!   with in that match that it is off, never why; an acceptance tells the
//!   other side of a pair or visit, and a group once, when it can start;
//! - the reply deadline: a reminder, then the answer expires, as the round
//!   is set.
//!
//! Nothing a member typed reaches another member's email except their
//! display name and the contact details they chose to share.

mod answers;
mod deadline;
mod people;
mod publish;

pub use answers::{accepted_letters, dropped_out_letters};
pub use deadline::{sweep_answers, Swept, GRACE_SECS};
pub use people::{human_deadline, Contacts, Seat, GROUP_START};
pub use publish::{publish_letters, MatchNews, RoundNews};
