//! Counts failed logins per account and per client address in a fixed
//! window. In memory, per instance: with N instances an attacker gets at
//! most N times the budget, which still stops online guessing.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct LoginThrottle {
    max_failures: u32,
    window: Duration,
    entries: Mutex<HashMap<String, (Instant, u32)>>,
}

/// Many colleagues can share one office address, so an address gets more
/// attempts than a single account.
const ADDRESS_FACTOR: u32 = 4;

impl LoginThrottle {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        LoginThrottle {
            max_failures: max_failures.max(1),
            window,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn limit(&self, key: &str) -> u32 {
        if key.starts_with("addr:") {
            self.max_failures * ADDRESS_FACTOR
        } else {
            self.max_failures
        }
    }

    /// `Err(seconds)` when any key is locked out, with the time until it frees.
    pub fn check(&self, keys: &[String], now: Instant) -> Result<(), u64> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = 0u64;
        for k in keys {
            if let Some((start, n)) = entries.get(k) {
                let end = *start + self.window;
                if *n >= self.limit(k) && end > now {
                    wait = wait.max((end - now).as_secs_f64().ceil() as u64);
                }
            }
        }
        if wait > 0 {
            Err(wait)
        } else {
            Ok(())
        }
    }

    pub fn record_failure(&self, keys: &[String], now: Instant) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() > 100_000 {
            let window = self.window;
            entries.retain(|_, (start, _)| *start + window > now);
        }
        for k in keys {
            let e = entries.entry(k.clone()).or_insert((now, 0));
            if e.0 + self.window <= now {
                *e = (now, 0);
            }
            e.1 += 1;
        }
    }

    pub fn clear(&self, key: &str) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_max_failures_until_the_window_ends() {
        let t = LoginThrottle::new(3, Duration::from_secs(60));
        let keys = vec!["acct:a@b.nl".to_string()];
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(t.check(&keys, t0).is_ok());
            t.record_failure(&keys, t0);
        }
        assert_eq!(t.check(&keys, t0), Err(60));
        assert_eq!(t.check(&keys, t0 + Duration::from_secs(59)), Err(1));
        assert!(t.check(&keys, t0 + Duration::from_secs(60)).is_ok());
        t.clear("acct:a@b.nl");
        assert!(t.check(&keys, t0).is_ok());
    }

    #[test]
    fn addresses_get_a_larger_budget() {
        let t = LoginThrottle::new(2, Duration::from_secs(60));
        let keys = vec!["addr:10.0.0.1".to_string()];
        let t0 = Instant::now();
        for _ in 0..7 {
            t.record_failure(&keys, t0);
        }
        assert!(t.check(&keys, t0).is_ok());
        t.record_failure(&keys, t0);
        assert!(t.check(&keys, t0).is_err());
    }
}
