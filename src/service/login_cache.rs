//! Checks of logins this instance made and may use again: on PostgreSQL the
//! check of a request's login is a round trip of its own, as much as the
//! rest of a small read. An entry counts only while
//!
//! - this instance is sure to hear every change of a login
//!   (`store::login_listener`; on SQLite never, so there every request
//!   checks, at the cost of a read of microseconds),
//! - no login changed anywhere since the check was made (the database's
//!   `LoginEpoch`: a change made here counts once it committed, before its
//!   request is answered; a change elsewhere once its notification arrived,
//!   within milliseconds), and
//! - the check is younger than [`LIFETIME`], a bound that holds even if a
//!   notification were lost on a connection that still looks alive.
//!
//! Only logins found on are kept: a refused one is checked again each time.

use crate::domain::Role;
use crate::store::login_listener::Hearing;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The longest a checked login is trusted without checking it again.
pub const LIFETIME: Duration = Duration::from_secs(5);
/// Past this many logins the cache starts over rather than grow.
const MOST: usize = 100_000;

struct Entry {
    user_id: String,
    role: Role,
    checked: Instant,
}

pub struct LoginCache {
    hearing: Arc<Hearing>,
    /// The epoch of the entries, and the entries by session id (a session
    /// belongs to one account): entries of an older epoch are void, so the
    /// first of a new epoch clears them out.
    entries: Mutex<(u64, HashMap<String, Entry>)>,
}

/// The epoch a check began in, when its outcome may be kept, and the time
/// it began, from which its outcome is counted as trusted.
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    epoch: u64,
    taken: Instant,
}

impl LoginCache {
    /// A cache that keeps nothing until `hearing` is sure.
    pub fn new(hearing: Arc<Hearing>) -> LoginCache {
        LoginCache {
            hearing,
            entries: Mutex::new((0, HashMap::new())),
        }
    }

    /// The account's role if this login was found on and nothing since can
    /// have ended it.
    pub fn role(&self, user_id: &str, session_id: &str) -> Option<Role> {
        if !self.hearing.is_sure() {
            return None;
        }
        let epoch = self.hearing.epoch().current();
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let e = entries.1.get(session_id)?;
        (entries.0 == epoch && e.user_id == user_id && e.checked.elapsed() < LIFETIME)
            .then_some(e.role)
    }

    /// Taken before a check reads the database, so a change that commits
    /// while it reads voids its outcome.
    pub fn ticket(&self) -> Option<Ticket> {
        self.hearing.is_sure().then(|| Ticket {
            epoch: self.hearing.epoch().current(),
            taken: Instant::now(),
        })
    }

    /// Keeps a check that found the login on, unless a login changed since
    /// `ticket` was taken.
    pub fn remember(&self, ticket: Ticket, user_id: &str, session_id: &str, role: Role) {
        if ticket.epoch != self.hearing.epoch().current() || !self.hearing.is_sure() {
            return;
        }
        let mut guard = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (epoch, entries) = &mut *guard;
        if *epoch != ticket.epoch || entries.len() >= MOST {
            entries.clear();
            *epoch = ticket.epoch;
        }
        entries.insert(
            session_id.to_string(),
            Entry {
                user_id: user_id.to_string(),
                role,
                checked: ticket.taken,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sure_cache() -> LoginCache {
        let hearing = Arc::new(Hearing::default());
        hearing.set_for_tests(true);
        LoginCache::new(hearing)
    }

    fn kept(cache: &LoginCache, user: &str, session: &str, role: Role) -> bool {
        let ticket = cache.ticket().expect("sure");
        cache.remember(ticket, user, session, role);
        cache.role(user, session) == Some(role)
    }

    #[test]
    fn a_kept_check_counts_for_its_own_account_only() {
        let cache = sure_cache();
        assert!(kept(&cache, "u1", "s1", Role::Coordinator));
        assert_eq!(cache.role("u2", "s1"), None);
        assert_eq!(cache.role("u1", "s2"), None);
    }

    #[test]
    fn a_change_of_any_login_voids_every_kept_check() {
        let cache = sure_cache();
        assert!(kept(&cache, "u1", "s1", Role::Member));
        cache.hearing.epoch().bump();
        assert_eq!(cache.role("u1", "s1"), None);
    }

    #[test]
    fn a_check_that_began_before_a_change_is_not_kept() {
        let cache = sure_cache();
        let ticket = cache.ticket().expect("sure");
        cache.hearing.epoch().bump();
        cache.remember(ticket, "u1", "s1", Role::Member);
        assert_eq!(cache.role("u1", "s1"), None);
    }

    #[test]
    fn a_check_is_trusted_for_its_lifetime_from_when_it_began() {
        let cache = sure_cache();
        let mut ticket = cache.ticket().expect("sure");
        ticket.taken -= LIFETIME;
        cache.remember(ticket, "u1", "s1", Role::Member);
        assert_eq!(cache.role("u1", "s1"), None);
    }

    #[test]
    fn nothing_is_kept_or_used_while_changes_may_go_unheard() {
        let cache = sure_cache();
        assert!(kept(&cache, "u1", "s1", Role::Member));
        cache.hearing.set_for_tests(false);
        assert_eq!(cache.role("u1", "s1"), None);
        assert!(cache.ticket().is_none());
    }
}
