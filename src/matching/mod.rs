//! The matching engine: pure, deterministic, seeded.

pub mod blossom;
pub mod flow;
