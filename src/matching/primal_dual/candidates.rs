//! The auctions' cache of each row's best arcs (the blossom solver's jump
//! start and the assignment solver's auction).

use super::Dual;

const NONE: u32 = u32::MAX;

/// Bounds on the largest scaled value an auction takes. Scaled values must
/// leave room for prices to climb: every phase bids afresh, so a price can
/// gain about twice the largest value per phase, over up to some fifty
/// phases. The bounds leave a factor of 2^12 below the limit of the
/// auction's integer type (`i64` below the first bound, half the memory
/// traffic; `i128` below the second, for max-cardinality rounds, whose
/// shifted weights are huge), and [`PRICE_CAP`] stops an auction that
/// climbs further anyway: its caller then starts otherwise.
pub(crate) const MAX_SCALED_I64: i128 = 1 << 50;
pub(crate) const MAX_SCALED_I128: i128 = 1 << 114;
/// A price above the type's maximum divided by this ends the auction.
pub(crate) const PRICE_CAP: i128 = 4;
/// How much ε shrinks from one auction phase to the next.
pub(crate) const SHRINK: i128 = 6;

/// How many of a row's best arcs a bid looks at before it scans them all.
const CACHED: usize = 4;

/// Each row's best arcs at its last full scan, and the value of the next
/// best then (its threshold). Prices only rise, so no arc left out can have
/// gained since: while the best cached arc is still worth at least the
/// threshold, it is the row's best arc, and the threshold bounds the second
/// best from above. A bid made with that bound raises the price by no more
/// than the exact one would, which keeps ε-complementary slackness, so the
/// auction stays exact; most bids then read four arcs instead of a hundred.
pub(crate) struct Candidates<A> {
    /// `(column, scaled value)`, `CACHED` slots per row, `NONE` past the end.
    arcs: Vec<(u32, A)>,
    threshold: Vec<A>,
    none: A,
}

impl<A: Dual> Candidates<A> {
    pub(crate) fn new(n: usize, none: A) -> Candidates<A> {
        Candidates {
            arcs: vec![(NONE, none); n * CACHED],
            threshold: vec![none; n],
            none,
        }
    }

    /// `(best value, second value or bound, best column)` from the cache, or
    /// None when row `i` needs a full scan.
    pub(crate) fn bid(&self, i: u32, price: &[A]) -> Option<(A, A, u32)> {
        let slots = &self.arcs[i as usize * CACHED..(i as usize + 1) * CACHED];
        if slots[0].0 == NONE {
            return None;
        }
        let (mut best, mut second, mut at) = (self.none, self.none, NONE);
        for &(j, a) in slots.iter().take_while(|s| s.0 != NONE) {
            let v = a - price[j as usize];
            if v > best {
                second = best;
                best = v;
                at = j;
            } else if v > second {
                second = v;
            }
        }
        let t = self.threshold[i as usize];
        (best >= t).then_some((best, second.max(t), at))
    }

    /// Scans row `i` (every arc `arcs` visits), refills its cache and
    /// returns its exact bid.
    pub(crate) fn rescan(
        &mut self,
        i: u32,
        price: &[A],
        arcs: impl FnOnce(&mut dyn FnMut(u32, A)),
    ) -> (A, A, u32) {
        let none = self.none;
        // Best first; `(value now, column, scaled value)`.
        let mut top = [(none, NONE, none); CACHED + 1];
        let mut visit = |j: u32, a: A| {
            let v = a - price[j as usize];
            if v > top[CACHED].0 {
                let mut k = CACHED;
                while k > 0 && v > top[k - 1].0 {
                    top[k] = top[k - 1];
                    k -= 1;
                }
                top[k] = (v, j, a);
            }
        };
        arcs(&mut visit);
        let slots = &mut self.arcs[i as usize * CACHED..(i as usize + 1) * CACHED];
        for (slot, &(_, j, a)) in slots.iter_mut().zip(&top) {
            *slot = (j, a);
        }
        self.threshold[i as usize] = top[CACHED].0;
        (top[0].0, top[1].0, top[0].1)
    }
}
