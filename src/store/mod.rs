//! Storage: the only place that knows SQL. Functions take `&mut DbConnection`
//! so the service layer decides where transactions begin and end.

pub mod appointments;
pub mod audit;
pub mod cohort;
pub mod conflicts;
pub mod db;
pub mod email_tokens;
pub mod evidence;
pub mod login_changes;
pub mod login_listener;
pub mod network;
pub mod outbox;
pub mod overrides;
pub mod privacy;
pub mod profiles;
pub mod programmes;
pub mod reminders;
pub mod rounds;
pub mod schema;
pub mod sessions;
pub mod tokens;
pub mod topics;
pub mod users;
mod vocabulary;

pub use db::{DatabaseUrl, DbConnection, Pool};
