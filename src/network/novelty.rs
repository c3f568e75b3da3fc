//! What each member has learned with so far, for the next round's matching
//! to reward what a match would add (the round weight `novelty`).
//!
//! A link counts once it is taken up: accepted by both, or met. Meetings
//! are recorded after the fact, weeks after the match; waiting for them
//! would reward the same domain again in the very next round.

use super::{components, History, Link};
use crate::domain::{Domain, Profession};

/// One member's learning so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Learned {
    /// Domains of the members they have a taken-up link with, sorted, once
    /// each (their own domain included when a partner shared it).
    pub domains: Vec<Domain>,
    pub professions: Vec<Profession>,
    /// Their part of the network over taken-up links (a member index
    /// standing for it); `None` while they have no such link, alone in a
    /// part of their own.
    pub component: Option<usize>,
}

impl Learned {
    pub fn is_empty(&self) -> bool {
        self.domains.is_empty() && self.professions.is_empty() && self.component.is_none()
    }
}

/// Both took the link up, or a meeting was recorded.
pub fn taken_up(l: &Link) -> bool {
    l.accepted || l.met()
}

/// Per member of `h` (by index), what they have learned with. An erased
/// partner still joins the parts of the network, but has no domain or
/// profession left to count.
pub fn learned(h: &History) -> Vec<Learned> {
    let mut out = vec![Learned::default(); h.members.len()];
    let part = components(h, taken_up);
    for l in h.links.iter().filter(|l| taken_up(l)) {
        for (me, other) in [(l.a, l.b), (l.b, l.a)] {
            let o = &h.members[other];
            let x = &mut out[me];
            x.domains.extend(o.domain);
            x.professions.extend(o.profession);
            x.component = Some(part[me]);
        }
    }
    for x in &mut out {
        x.domains.sort_unstable();
        x.domains.dedup();
        x.professions.sort_unstable();
        x.professions.dedup();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::{member, round};
    use super::super::{Answered, LinkMeetings};
    use super::*;
    use crate::domain::MatchKind;

    const NONE: LinkMeetings = LinkMeetings {
        meetings: 0,
        hours: 0,
    };
    const MET: LinkMeetings = LinkMeetings {
        meetings: 1,
        hours: 1,
    };

    /// 0 (uwv) and 1 (municipality) accepted a pair; 1 declined 2; 4 and
    /// 5 (insurer) never answered but met; a group {0, 2, 3 (erased)} where
    /// 2 has not answered.
    fn history() -> History {
        use Answered::*;
        let d = [
            Some(Domain::Uwv),
            Some(Domain::Municipality),
            Some(Domain::SelfEmployed),
            None,
            Some(Domain::Uwv),
            Some(Domain::Insurer),
        ];
        let mut h = History {
            members: d.iter().enumerate().map(|(i, &d)| member(i, d)).collect(),
            rounds: vec![round(0, MatchKind::Buddy), round(1, MatchKind::Intervision)],
            ..History::default()
        };
        h.members[1].profession = Some(Profession::CompanyDoctor);
        h.members[4].profession = Some(Profession::LabourExpert);
        h.add_match(
            0,
            "x",
            MatchKind::Buddy,
            &[(0, Accepted, NONE), (1, Accepted, NONE)],
        );
        h.add_match(
            1,
            "y",
            MatchKind::Buddy,
            &[(1, Declined, NONE), (2, Accepted, NONE)],
        );
        h.add_match(1, "z", MatchKind::Buddy, &[(4, Open, MET), (5, Open, NONE)]);
        h.add_match(
            1,
            "g",
            MatchKind::Intervision,
            &[(0, Accepted, NONE), (2, Open, NONE), (3, Accepted, NONE)],
        );
        h
    }

    #[test]
    fn what_each_member_learned_with_over_links_taken_up() {
        let l = learned(&history());
        assert_eq!(l[0].domains, [Domain::Municipality], "3 is erased");
        assert_eq!(l[0].professions, [Profession::CompanyDoctor]);
        assert_eq!(l[1].domains, [Domain::Uwv]);
        assert!(l[1].professions.is_empty(), "0's profession is unknown");
        assert!(
            l[2].is_empty(),
            "declined and unanswered links do not count"
        );
        assert_eq!(l[3].domains, [Domain::Uwv]);
        assert_eq!(
            (&l[4].domains[..], &l[5].domains[..]),
            (&[Domain::Insurer][..], &[Domain::Uwv][..])
        );
        assert_eq!(
            l[5].professions,
            [Profession::LabourExpert],
            "met counts unanswered"
        );
        // Parts: {0, 1, 3} and {4, 5}; 2 has none.
        assert_eq!(l[0].component, l[1].component);
        assert_eq!(l[0].component, l[3].component);
        assert_eq!(l[4].component, l[5].component);
        assert_ne!(l[0].component, l[4].component);
        assert!(l[0].component.is_some() && l[4].component.is_some());
        assert_eq!(l[2].component, None);
    }

    #[test]
    fn a_partner_of_ones_own_domain_is_listed_once() {
        let mut h = history();
        h.add_match(
            1,
            "w",
            MatchKind::Buddy,
            &[(0, Answered::Accepted, NONE), (4, Answered::Accepted, NONE)],
        );
        h.add_match(
            1,
            "v",
            MatchKind::Buddy,
            &[(1, Answered::Accepted, MET), (4, Answered::Accepted, MET)],
        );
        let l = learned(&h);
        assert_eq!(l[0].domains, [Domain::Uwv, Domain::Municipality]);
        assert_eq!(
            l[4].domains,
            [Domain::Uwv, Domain::Municipality, Domain::Insurer]
        );
        assert_eq!(l[0].component, l[5].component, "4 joined the two parts");
    }

    #[test]
    fn an_empty_history_has_learned_nothing() {
        assert!(learned(&History::default()).is_empty());
    }
}
