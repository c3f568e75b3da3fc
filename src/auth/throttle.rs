//! Counts login attempts per account and per client address in a fixed
//! window. In memory, per instance: with N instances an attacker gets at
//! most N times the budget, which still stops online guessing.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

type Entries = HashMap<String, (Instant, u32)>;

pub struct LoginThrottle {
    max_failures: u32,
    window: Duration,
    entries: Mutex<Entries>,
}

/// Many colleagues can share one office address, so an address gets more
/// attempts than a single account.
const ADDRESS_FACTOR: u32 = 4;

/// Per-client-address budgets (`addr:…`, `addr:token:…`) are never cleared
/// by a success; other keys are accounts'.
fn is_client_address(key: &str) -> bool {
    key.starts_with("addr:")
}

impl LoginThrottle {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        LoginThrottle {
            max_failures: max_failures.max(1),
            window,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn limit(&self, key: &str) -> u32 {
        if is_client_address(key) {
            self.max_failures * ADDRESS_FACTOR
        } else {
            self.max_failures
        }
    }

    /// Checks and counts an attempt in one step, before the (slow) password
    /// check, so a burst of parallel guesses cannot all slip through. On
    /// `Err`, the seconds until the first locked key frees up. A successful
    /// login hands its attempt back with [`LoginThrottle::succeeded`].
    /// Keys of client addresses start with `addr:`; any other key is an
    /// account's.
    pub fn begin_attempt(&self, keys: &[String], now: Instant) -> Result<(), u64> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
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
            return Err(wait);
        }
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
        Ok(())
    }

    /// An account starts afresh: its owner proved who they are. A client
    /// address only gets this attempt back: one good login or email link
    /// says nothing about the other attempts from that address, so it must
    /// not wipe their count.
    pub fn succeeded(&self, keys: &[String]) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        for k in keys {
            if !is_client_address(k) {
                entries.remove(k);
            } else if let Some(e) = entries.get_mut(k) {
                e.1 = e.1.saturating_sub(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_max_attempts_until_the_window_ends() {
        let t = LoginThrottle::new(3, Duration::from_secs(60));
        let keys = vec!["acct:a@b.nl".to_string()];
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(t.begin_attempt(&keys, t0).is_ok());
        }
        assert_eq!(t.begin_attempt(&keys, t0), Err(60));
        assert_eq!(t.begin_attempt(&keys, t0 + Duration::from_secs(59)), Err(1));
        assert!(t.begin_attempt(&keys, t0 + Duration::from_secs(60)).is_ok());
    }

    #[test]
    fn parallel_guesses_count_before_the_password_check() {
        let t = LoginThrottle::new(2, Duration::from_secs(60));
        let keys = vec!["acct:a@b.nl".to_string(), "addr:10.0.0.1".to_string()];
        let t0 = Instant::now();
        assert!(t.begin_attempt(&keys, t0).is_ok());
        assert!(t.begin_attempt(&keys, t0).is_ok());
        assert!(t.begin_attempt(&keys, t0).is_err());
        t.succeeded(&keys);
        assert!(
            t.begin_attempt(&keys, t0).is_ok(),
            "success clears the account"
        );
    }

    #[test]
    fn a_good_email_link_does_not_wipe_the_addresss_bad_ones() {
        // verify_email and reset_password count only the client address.
        let t = LoginThrottle::new(2, Duration::from_secs(60));
        let keys = vec!["addr:token:203.0.113.9".to_string()];
        let t0 = Instant::now();
        for _ in 0..7 {
            assert!(t.begin_attempt(&keys, t0).is_ok());
        }
        // A good link: counted first, then handed back, and nothing more.
        assert!(t.begin_attempt(&keys, t0).is_ok());
        t.succeeded(&keys);
        assert!(t.begin_attempt(&keys, t0).is_ok(), "the 8th bad link");
        assert_eq!(t.begin_attempt(&keys, t0), Err(60), "the budget is 8");
    }

    #[test]
    fn a_good_login_clears_the_account_but_not_the_address() {
        let t = LoginThrottle::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        let addr = "addr:10.0.0.1".to_string();
        for i in 0..7 {
            let keys = vec![format!("acct:{i}@b.nl"), addr.clone()];
            assert!(t.begin_attempt(&keys, t0).is_ok());
        }
        let good = vec!["acct:0@b.nl".to_string(), addr.clone()];
        assert!(t.begin_attempt(&good, t0).is_ok());
        t.succeeded(&good);
        // The account is fresh (two more tries), the address has one left.
        let other = vec!["acct:9@b.nl".to_string(), addr];
        assert!(t.begin_attempt(&other, t0).is_ok());
        assert!(t.begin_attempt(&other, t0).is_err());
        assert!(t.begin_attempt(&good[..1], t0).is_ok());
        assert!(t.begin_attempt(&good[..1], t0).is_ok());
    }

    #[test]
    fn addresses_get_a_larger_budget() {
        let t = LoginThrottle::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        for i in 0..8 {
            let keys = vec![format!("acct:{i}@b.nl"), "addr:10.0.0.1".to_string()];
            assert!(t.begin_attempt(&keys, t0).is_ok(), "attempt {i}");
        }
        let keys = vec!["acct:new@b.nl".to_string(), "addr:10.0.0.1".to_string()];
        assert!(t.begin_attempt(&keys, t0).is_err());
    }
}
