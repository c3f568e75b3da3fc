//! What the two primal-dual solvers share: the blossom solver for buddy
//! pairs (`blossom`) and the assignment solver for shadowing visits
//! (`flow`). Both keep their duals as integers of one of two widths
//! ([`Dual`]), take their next event from a monotone radix queue
//! ([`RadixQueue`]) and break ties with the same deterministic jitter
//! ([`tie_breaking`], [`mix64`]). The auctions in front of them (the
//! blossom solver's jump start, the assignment solver's fast path) share
//! their cache of each row's best arcs ([`Candidates`]) and their limits
//! ([`MAX_SCALED_I64`], [`PRICE_CAP`], [`SHRINK`]).

mod candidates;
mod dual;
mod queue;
mod weights;

pub(crate) use candidates::{Candidates, MAX_SCALED_I128, MAX_SCALED_I64, PRICE_CAP, SHRINK};
pub(crate) use dual::{fits_i64, Dual};
pub(crate) use queue::RadixQueue;
pub(crate) use weights::{mix64, tie_breaking};
