//! Hours a member already gave to matches of other rounds. The domain's
//! first precondition is time: a member states their hours a month, and no
//! set of matches, across every round and form, may go beyond them.
//!
//! A match takes a member's time while it is alive: they have not declined
//! it (nor let it expire) and at least one person they deal with in it has
//! not either. It counts against a new round when the two rounds' periods
//! overlap. A round's period is its meeting window (an open end runs on
//! forever) or, without one, the calendar month (Amsterdam time) it was
//! published in; a round not yet published uses the current month.

use crate::domain::time::{amsterdam_date, days_from_civil, parse_date};
use crate::domain::{in_contact, MatchKind, MatchRole};
use crate::error::AppError;
use crate::matching::instance::FormHours;
use crate::store::rounds::Membership;
use std::collections::HashMap;

/// A period as days since 1970-01-01, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: i64,
    pub until: i64,
}

impl Period {
    fn overlaps(self, other: Period) -> bool {
        self.from <= other.until && other.from <= self.until
    }

    /// The period of a round from its stored meeting window (JSON with
    /// optional `from` and `until` dates) and, without dates, the month of
    /// `at` (epoch seconds).
    pub fn of_round(meeting_window: &str, at: i64) -> Result<Period, serde_json::Error> {
        let w: super::rounds::settings::MeetingWindow = serde_json::from_str(meeting_window)?;
        let day = |d: &Option<String>| d.as_deref().and_then(parse_date).map(day_number);
        Ok(match (day(&w.from), day(&w.until)) {
            (None, None) => {
                let (y, m, _) = amsterdam_date(at);
                let first = day_number((y, m, 1));
                let next = if m == 12 {
                    (y + 1, 1, 1)
                } else {
                    (y, m + 1, 1)
                };
                Period {
                    from: first,
                    until: day_number(next) - 1,
                }
            }
            (from, until) => Period {
                from: from.unwrap_or(i64::MIN),
                until: until.unwrap_or(i64::MAX),
            },
        })
    }
}

fn day_number((y, m, d): (i64, u32, u32)) -> i64 {
    days_from_civil(y, m, d)
}

/// Hours one membership takes: the form's cost, a host paying once per
/// visitor still in the match.
fn cost(kind: MatchKind, role: MatchRole, visitors: u32, hours: &FormHours) -> u32 {
    match (kind, role) {
        (MatchKind::Buddy, _) => u32::from(hours.buddy),
        (MatchKind::Intervision, _) => u32::from(hours.intervision),
        (MatchKind::Shadowing, MatchRole::Host) => u32::from(hours.shadowing_visit) * visitors,
        (MatchKind::Shadowing, _) => u32::from(hours.shadowing_visit),
    }
}

/// Hours committed per member to matches of rounds whose period overlaps
/// `period`. `rows` are every membership of the published rounds, ordered
/// by match (the round being matched is a draft, so it is not among them).
pub fn committed(
    rows: &[Membership],
    period: Period,
    hours: &FormHours,
) -> Result<HashMap<String, u32>, AppError> {
    let mut out: HashMap<String, u32> = HashMap::new();
    for m in rows.chunk_by(|a, b| a.match_id == b.match_id) {
        let first = &m[0];
        let theirs = Period::of_round(&first.meeting_window, first.published_at.unwrap_or(0))
            .map_err(|e| anyhow::anyhow!("stored round of match {}: {e}", first.match_id))?;
        if !theirs.overlaps(period) {
            continue;
        }
        for me in m.iter().filter(|x| x.response.still_in()) {
            let partners = m
                .iter()
                .filter(|o| {
                    o.user_id != me.user_id && in_contact(me.role, o.role) && o.response.still_in()
                })
                .count() as u32;
            if partners == 0 {
                continue;
            }
            *out.entry(me.user_id.clone()).or_default() +=
                cost(first.kind, me.role, partners, hours);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(m: &str, u: &str, role: &str, resp: &str, kind: &str, window: &str) -> Membership {
        Membership {
            round_number: 1,
            match_id: m.into(),
            user_id: u.into(),
            role: role.parse().unwrap(),
            response: resp.parse().unwrap(),
            kind: kind.parse().unwrap(),
            meeting_window: window.into(),
            // 2026-12-06T12:00:00Z
            published_at: Some(1_796_558_400),
        }
    }

    #[test]
    fn periods_from_windows_and_months() {
        let dec = Period::of_round("{}", 1_796_558_400).unwrap();
        assert_eq!(dec.until - dec.from, 30);
        assert_eq!(dec.from, day_number((2026, 12, 1)));
        let jan = Period::of_round(r#"{"from":"2027-01-05","until":"2027-01-20"}"#, 0).unwrap();
        assert!(!dec.overlaps(jan));
        let open = Period::of_round(r#"{"from":"2026-12-31"}"#, 0).unwrap();
        assert!(dec.overlaps(open) && jan.overlaps(open));
    }

    #[test]
    fn an_unreadable_window_is_an_error() {
        assert!(Period::of_round("not json", 0).is_err());
    }

    #[test]
    fn live_matches_count_declined_and_dead_ones_do_not() {
        let h = FormHours::default();
        let dec = Period::of_round("{}", 1_796_558_400).unwrap();
        let rows = vec![
            row("a", "ann", "buddy", "accepted", "buddy", "{}"),
            row("a", "bob", "buddy", "pending", "buddy", "{}"),
            // Carl declined: Dirk's pair is off, Carl's too.
            row("b", "carl", "buddy", "declined", "buddy", "{}"),
            row("b", "dirk", "buddy", "accepted", "buddy", "{}"),
            // One host, two visits stored together (older rounds): the
            // host pays per live visitor, visitors never count each other.
            row("c", "eve", "host", "accepted", "shadowing", "{}"),
            row("c", "fay", "visitor", "accepted", "shadowing", "{}"),
            row("c", "gus", "visitor", "declined", "shadowing", "{}"),
            // Another month: no overlap.
            row(
                "d",
                "ann",
                "member",
                "accepted",
                "intervision",
                r#"{"from":"2027-02-01","until":"2027-02-28"}"#,
            ),
            row(
                "d",
                "hal",
                "member",
                "accepted",
                "intervision",
                r#"{"from":"2027-02-01","until":"2027-02-28"}"#,
            ),
        ];
        let c = committed(&rows, dec, &h).unwrap();
        assert_eq!(c.get("ann"), Some(&2));
        assert_eq!(c.get("bob"), Some(&2));
        assert_eq!(c.get("carl"), None);
        assert_eq!(c.get("dirk"), None);
        assert_eq!(c.get("eve"), Some(&4));
        assert_eq!(c.get("fay"), Some(&4));
        assert_eq!(c.get("gus"), None);
        assert_eq!(c.get("hal"), None);
    }
}
