//! Hard constraints: filters, never penalties. A pair that fails any of
//! them is not an edge of the candidate graph, so no solver can pick it.

use super::profile::{Prepared, Profile};

/// How a compatible pair would meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meeting {
    /// Both meet in person and the distance is within both travel limits.
    InPerson { distance_km: u32, limit_km: u32 },
    /// Both allow online (and in person is not possible or not required).
    Online,
}

/// In person if both allow it within both travel limits (preferred: it is
/// what shadowing needs and what most members value), otherwise online if
/// both allow that and the form permits it.
pub fn meeting(a: &Profile, b: &Profile, in_person_required: bool) -> Option<Meeting> {
    if a.in_person && b.in_person {
        let distance_km = a.province.distance_km(b.province);
        let limit_km = a.max_travel_km.min(b.max_travel_km);
        if distance_km <= limit_km {
            return Some(Meeting::InPerson {
                distance_km,
                limit_km,
            });
        }
    }
    if !in_person_required && a.online && b.online {
        return Some(Meeting::Online);
    }
    None
}

/// True when an in-person meeting between the two is within both limits.
pub fn in_person_possible(a: &Profile, b: &Profile) -> bool {
    matches!(meeting(a, b, true), Some(Meeting::InPerson { .. }))
}

/// Every pairwise hard constraint: not the same member, no recent meeting,
/// block, exclusion or conflict of interest, a shared language, a way to meet. Participation (paused,
/// form asked, hours, host capacity) is decided before, per member.
pub fn compatible(prep: &Prepared, a: u32, b: u32, in_person_required: bool) -> Option<Meeting> {
    if a == b {
        return None;
    }
    let (pa, pb) = (&prep.profiles[a as usize], &prep.profiles[b as usize]);
    if pa.languages.intersect(pb.languages).is_empty() {
        return None;
    }
    if pa.conflict_key != 0 && pa.conflict_key == pb.conflict_key {
        return None;
    }
    let m = meeting(pa, pb, in_person_required)?;
    if prep.forbidden(a, b) {
        return None;
    }
    Some(m)
}
