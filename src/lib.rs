//! buddymatch: peer-learning matching for Dutch labour experts.
//!
//! `domain`, `matching` and `network` are pure (no IO, no clock); `offline` holds the
//! file-based `generate` and `solve` commands. Everything that talks HTTP,
//! SQL or SMTP sits behind the default `server` feature.

pub mod domain;
pub mod matching;
pub mod network;
pub mod offline;

#[cfg(feature = "server")]
pub mod api;
#[cfg(feature = "server")]
pub mod auth;
#[cfg(feature = "server")]
pub mod cli;
#[cfg(feature = "server")]
pub mod config;
#[cfg(feature = "server")]
pub mod error;
#[cfg(feature = "server")]
pub mod files;
#[cfg(feature = "server")]
pub mod mail;
#[cfg(feature = "server")]
pub mod metrics;
#[cfg(feature = "server")]
pub mod runtime;
#[cfg(feature = "server")]
pub mod service;
#[cfg(feature = "server")]
pub mod startup;
#[cfg(feature = "server")]
pub mod store;
#[cfg(feature = "server")]
pub mod telemetry;
