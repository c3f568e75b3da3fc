//! buddymatch: peer-learning matching for Dutch labour experts.
//!
//! `domain` and `matching` are pure (no IO, no clock); `offline` holds the
//! file-based `generate` and `solve` commands. Everything that talks HTTP,
//! SQL or SMTP sits behind the default `server` feature.

pub mod domain;
pub mod matching;
pub mod offline;
