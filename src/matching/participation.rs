//! Who takes part in a round, decided per member before any pair is looked
//! at: the form asked for, not paused, enough monthly hours, and for
//! shadowing hosts the number of visitor places.

use super::instance::Instance;
use super::outcome::UnmatchedReason;
use crate::domain::LearningForm;

/// Participants by member index, plus those who asked but cannot take part.
#[derive(Debug, Clone, Default)]
pub struct Participation {
    /// Buddy and intervision: everyone in the round. Shadowing: visitors.
    pub members: Vec<u32>,
    /// Shadowing only: hosts and their visitor places this round.
    pub hosts: Vec<u32>,
    pub capacity: Vec<u32>,
    /// Asked for the form but excluded before matching, in member order.
    pub excluded: Vec<(u32, UnmatchedReason)>,
}

/// One side of a symmetric form (buddy, intervision).
pub fn symmetric(instance: &Instance, form: LearningForm, cost: u8) -> Participation {
    let mut p = Participation::default();
    for (i, m) in instance.members.iter().enumerate() {
        if !m.asks_for(form) {
            continue;
        }
        if m.paused {
            p.excluded.push((i as u32, UnmatchedReason::Paused));
        } else if m.hours_per_month < cost {
            p.excluded
                .push((i as u32, UnmatchedReason::InsufficientHours));
        } else if m.free_hours() < cost {
            p.excluded.push((i as u32, UnmatchedReason::HoursCommitted));
        } else {
            p.members.push(i as u32);
        }
    }
    p
}

/// Shadowing: visitors need one visit's hours; a host's places are
/// min(host_capacity, spare hours / visit hours). A member who asks for
/// both roles keeps one visit's hours for their own visit first, so that
/// the two solvers' sides can never add up beyond their hours.
pub fn shadowing(instance: &Instance, visit_hours: u8) -> Participation {
    let mut p = Participation::default();
    let visit = u32::from(visit_hours.max(1));
    for (i, m) in instance.members.iter().enumerate() {
        let visitor = m.asks_for(LearningForm::ShadowingVisitor);
        let host = m.asks_for(LearningForm::ShadowingHost);
        if !visitor && !host {
            continue;
        }
        if m.paused {
            p.excluded.push((i as u32, UnmatchedReason::Paused));
            continue;
        }
        let mut hours = u32::from(m.free_hours());
        let mut took_part = false;
        if visitor && hours >= visit {
            p.members.push(i as u32);
            hours -= visit;
            took_part = true;
        }
        if host {
            let places = u32::from(m.host_capacity).min(hours / visit);
            if places > 0 {
                p.hosts.push(i as u32);
                p.capacity.push(places);
                took_part = true;
            } else if !took_part && m.host_capacity == 0 {
                p.excluded.push((i as u32, UnmatchedReason::NoHostCapacity));
                continue;
            }
        }
        if !took_part {
            // Would their whole monthly hours have been enough?
            let reason = if u32::from(m.hours_per_month) >= visit {
                UnmatchedReason::HoursCommitted
            } else {
                UnmatchedReason::InsufficientHours
            };
            p.excluded.push((i as u32, reason));
        }
    }
    p
}
