//! Conflicts of interest and the pairs each rule removes from a round.
//!
//! Organisations and teams are free text, so they are compared after
//! [`normalise`] and interned to small integers (`Profile::organisation`,
//! `Profile::team`): the hot path compares one integer per pair, and the
//! counts come from group sizes, never from enumerating pairs.

use super::instance::{ConflictRule, Member};
use super::participation::Participation;
use super::profile::Prepared;
use crate::domain::MatchKind;
use serde::Serialize;
use std::collections::HashMap;
use unicode_normalization::UnicodeNormalization;

/// The form in which organisation and team names are compared: Unicode NFC,
/// lower case, surrounding white space trimmed and inner runs of white space
/// collapsed to one space. `" Gemeente  Utrecht "` and `"gemeente utrecht"`
/// are the same organisation. Empty after normalising means not given.
pub fn normalise(s: &str) -> String {
    let nfc: String = s.nfc().collect::<String>().to_lowercase();
    let mut out = String::with_capacity(nfc.len());
    for word in nfc.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    // Lower-casing can produce decomposed forms (rare); compose again.
    out.nfc().collect()
}

/// Interns normalised organisations and (organisation, team) pairs; key 0
/// means not given.
#[derive(Debug, Default)]
pub struct Keys {
    organisations: HashMap<String, u32>,
    teams: HashMap<(u32, String), u32>,
}

impl Keys {
    /// The member's organisation key and team key (0 when absent; a team
    /// without an organisation has no key).
    pub fn of(&mut self, m: &Member) -> (u32, u32) {
        let org = m.organisation.as_deref().map(normalise).unwrap_or_default();
        if org.is_empty() {
            return (0, 0);
        }
        let next = self.organisations.len() as u32 + 1;
        let o = *self.organisations.entry(org).or_insert(next);
        let team = m.team.as_deref().map(normalise).unwrap_or_default();
        if team.is_empty() {
            return (o, 0);
        }
        let next = self.teams.len() as u32 + 1;
        let t = *self.teams.entry((o, team)).or_insert(next);
        (o, t)
    }
}

/// How many pairs of participants each rule forbids in this round.
///
/// Pairs are those the form could otherwise match: buddy and intervision,
/// unordered pairs of participants; shadowing, (visitor, host) pairs of a
/// participating visitor and a host with places (not a member with
/// themselves). Each rule is counted on its own: a pair that breaks several
/// rules (say a repeat and a decline) counts once under each, so the counts
/// say what each rule removes and may add up to more than the pairs removed.
/// Only the active organisation rule counts (`same_team` or
/// `same_organisation`; the other stays 0). Pinned members are counted like
/// every participant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RemovedPairs {
    /// Met within the round's `repeat_window`.
    pub repeat_window: u64,
    /// One declined or blocked the other (`blocked`).
    pub declined: u64,
    /// Excluded by a coordinator for this round (`excluded`).
    pub excluded: u64,
    /// A conflict of interest a coordinator registered (`conflicts`).
    pub conflict_registered: u64,
    /// Same organisation and team (`conflicts: same_team`).
    pub same_team: u64,
    /// Same organisation (`conflicts: same_organisation`).
    pub same_organisation: u64,
}

impl RemovedPairs {
    pub fn is_zero(&self) -> bool {
        *self == RemovedPairs::default()
    }
}

/// Count per rule; O(participants + listed pairs).
pub fn removed_pairs(prep: &Prepared, p: &Participation, kind: MatchKind) -> RemovedPairs {
    let n = prep.len();
    // Role flags per member: 1 = on the left side (participant or visitor),
    // 2 = host.
    let mut role = vec![0u8; n];
    for &m in &p.members {
        role[m as usize] |= 1;
    }
    let bipartite = kind == MatchKind::Shadowing;
    if bipartite {
        for &h in &p.hosts {
            role[h as usize] |= 2;
        }
    }
    let pair_count = |a: u32, b: u32| -> u64 {
        let (ra, rb) = (role[a as usize], role[b as usize]);
        if bipartite {
            u64::from(ra & 1 != 0 && rb & 2 != 0) + u64::from(rb & 1 != 0 && ra & 2 != 0)
        } else {
            u64::from(ra & 1 != 0 && rb & 1 != 0)
        }
    };
    let listed = |pairs: &[(u32, u32)]| pairs.iter().map(|&(a, b)| pair_count(a, b)).sum();
    // Per key: (left side, hosts, both) sizes.
    let grouped = |key: &dyn Fn(usize) -> u32| -> u64 {
        let mut sizes: HashMap<u32, (u64, u64, u64)> = HashMap::new();
        for (m, &r) in role.iter().enumerate() {
            let k = key(m);
            if k == 0 || r == 0 {
                continue;
            }
            let e = sizes.entry(k).or_default();
            e.0 += u64::from(r & 1 != 0);
            e.1 += u64::from(r & 2 != 0);
            e.2 += u64::from(r == 3);
        }
        sizes
            .values()
            .map(|&(l, h, both)| {
                if bipartite {
                    l * h - both
                } else {
                    l * l.saturating_sub(1) / 2
                }
            })
            .sum()
    };
    let mut out = RemovedPairs {
        repeat_window: listed(&prep.repeat),
        declined: listed(&prep.declined),
        excluded: listed(&prep.excluded),
        conflict_registered: listed(&prep.registered),
        ..RemovedPairs::default()
    };
    match prep.conflict_rule {
        ConflictRule::SameTeam => {
            out.same_team = grouped(&|m| prep.profiles[m].team);
        }
        ConflictRule::SameOrganisation => {
            out.same_organisation = grouped(&|m| prep.profiles[m].organisation);
        }
        ConflictRule::None => {}
    }
    out
}
