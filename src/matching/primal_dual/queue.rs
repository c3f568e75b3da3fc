//! The monotone priority queue both solvers take their events from.

use super::Dual;

/// Monotone priority queue (radix heap): every key pushed is at least the
/// last key popped, which holds here because event times never lie in the
/// past. Pushes are O(1) appends and each entry moves through at most
/// `BUCKETS` buckets, which keeps memory access sequential, unlike a binary
/// heap over millions of entries. Keys are never negative.
///
/// `P` is the payload, the solver's own small `Copy` description of what
/// the entry is about; the queue only orders by key.
pub(crate) struct RadixQueue<T: Dual, P> {
    last: T,
    buckets: Vec<Vec<(T, P)>>,
    /// Number of entries held.
    len: usize,
}

impl<T: Dual, P: Copy> RadixQueue<T, P> {
    /// An empty queue whose first key may be zero.
    pub(crate) fn new() -> RadixQueue<T, P> {
        RadixQueue {
            last: T::ZERO,
            buckets: (0..T::BUCKETS).map(|_| Vec::new()).collect(),
            len: 0,
        }
    }

    /// Adds an entry. Keys below the last popped key would break the order;
    /// they cannot occur while duals stay feasible, so they are clamped
    /// rather than lost.
    pub(crate) fn push(&mut self, key: T, val: P) {
        debug_assert!(key >= self.last, "radix queue key in the past");
        let key = key.max(self.last);
        let b = key.radix(self.last);
        self.buckets[b].push((key, val));
        self.len += 1;
    }

    /// Number of entries held, stale ones included.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Keeps only the entries for which `keep` holds, in their order, so
    /// the entries left pop exactly as they would have. A solver whose
    /// entries go stale faster than they come up calls this to keep the
    /// queue near its live size.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(T, P) -> bool) {
        for bucket in &mut self.buckets {
            bucket.retain(|&(k, v)| keep(k, v));
            bucket.shrink_to(bucket.len() * 2);
        }
        self.len = self.buckets.iter().map(Vec::len).sum();
    }

    /// Removes an entry with the smallest key; among equal keys, the one
    /// pushed last (the solvers' results depend on this order, so it must
    /// stay as it is).
    pub(crate) fn pop(&mut self) -> Option<(T, P)> {
        if self.buckets[0].is_empty() {
            let i = self.buckets.iter().position(|b| !b.is_empty())?;
            let mut moving = std::mem::take(&mut self.buckets[i]);
            self.last = moving.iter().map(|e| e.0).min().unwrap_or(self.last);
            for &(k, v) in &moving {
                let b = k.radix(self.last);
                self.buckets[b].push((k, v));
            }
            moving.clear();
            if self.buckets[i].is_empty() {
                self.buckets[i] = moving;
            }
        }
        let top = self.buckets[0].pop();
        self.len -= usize::from(top.is_some());
        top
    }
}
