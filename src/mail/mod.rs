//! Email: templates per message and language, transports, and the outbox
//! delivery worker.

pub mod labels;
pub mod templates;
pub mod transport;
pub mod worker;
mod who;

pub use templates::{render, MailKind, Rendered};
pub use transport::Transport;
