//! Email: templates per message and language, transports, and the outbox
//! delivery worker.

pub mod labels;
pub mod sender;
pub mod templates;
pub mod transport;
mod who;
pub mod worker;

pub use templates::{render, MailKind, Rendered};
pub use transport::Transport;
