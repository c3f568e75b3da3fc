//! The match score: named integer components, so optimality is exact and
//! every match can say why it was made. The hot path computes only the
//! numbers (`Breakdown`); reasons are built for the chosen matches alone.

use super::constraints::Meeting;
use super::instance::Weights;
use super::outcome::Reason;
use super::profile::Profile;
use crate::domain::TOPICS;

/// Experience (years) that counts as "experienced" next to a junior.
pub const EXPERIENCED_YEARS: i32 = 7;

/// How the two sides relate: a buddy pair and an intervision pair are
/// symmetric; a shadowing visit goes from the visitor (`a`) to the host (`b`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Mutual,
    VisitorToHost,
}

/// The numbers behind one pair's score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Breakdown {
    pub base: i64,
    pub cross_domain: i64,
    pub cross_profession: i64,
    pub complementary_experience: i64,
    /// Topics `a` wants and `b` offers, and the reverse (bit sets, uncapped).
    pub a_learns: u32,
    pub b_learns: u32,
    pub topics: i64,
    pub in_person: i64,
    pub online: i64,
    pub hours_headroom: i64,
    pub shared_language: i64,
    pub novelty: i64,
}

impl Breakdown {
    pub fn total(&self) -> i64 {
        self.base
            + self.cross_domain
            + self.cross_profession
            + self.complementary_experience
            + self.topics
            + self.in_person
            + self.online
            + self.hours_headroom
            + self.shared_language
            + self.novelty
    }

    /// Component-wise sum, for a group's reasons.
    pub fn add(&mut self, o: &Breakdown) {
        self.base += o.base;
        self.cross_domain += o.cross_domain;
        self.cross_profession += o.cross_profession;
        self.complementary_experience += o.complementary_experience;
        self.a_learns |= o.a_learns | o.b_learns;
        self.topics += o.topics;
        self.in_person += o.in_person;
        self.online += o.online;
        self.hours_headroom += o.hours_headroom;
        self.shared_language += o.shared_language;
        self.novelty += o.novelty;
    }
}

fn junior_with_experienced(junior: &Profile, senior: &Profile) -> bool {
    junior.junior && senior.experience >= EXPERIENCED_YEARS
}

/// Spare hours beyond the form's cost, up to the cost again, as a share of
/// the weight: someone with room to spare is likelier to keep the appointment.
fn headroom(w: i64, hours: u32, cost: u32) -> i64 {
    if cost == 0 {
        return w;
    }
    let spare = hours.saturating_sub(cost).min(cost);
    w * i64::from(spare) / i64::from(cost)
}

/// What a pair adds to the learning network, in units of the weight
/// `novelty`: one for each side to whom the other's domain is new (not
/// their own, not learned with before), one for each side to whom the
/// other's profession is new, and one when they are in different parts of
/// the network. A shadowing visit counts both ways too: host and visitor
/// both learn with someone new.
pub fn novelty_units(a: &Profile, b: &Profile) -> i64 {
    let new = |me: &Profile, other: &Profile| {
        let (domain, profession) = new_to(me, other);
        i64::from(domain) + i64::from(profession)
    };
    new(a, b) + new(b, a) + i64::from(a.component != b.component)
}

/// Whether `other`'s domain and profession are new to `me`.
fn new_to(me: &Profile, other: &Profile) -> (bool, bool) {
    (
        me.domain != other.domain && me.learned_domains & (1 << other.domain as u16) == 0,
        me.profession != other.profession
            && me.learned_professions & (1 << other.profession as u16) == 0,
    )
}

/// Score a compatible pair. `cost_a`/`cost_b` are the hours the form costs each.
pub fn breakdown(
    w: &Weights,
    a: &Profile,
    b: &Profile,
    meeting: Meeting,
    direction: Direction,
    cost_a: u32,
    cost_b: u32,
) -> Breakdown {
    let cap = u32::from(w.topic_cap);
    let a_learns = a.wants & b.offers;
    let b_learns = b.wants & a.offers;
    let complementary = match direction {
        Direction::Mutual => junior_with_experienced(a, b) || junior_with_experienced(b, a),
        Direction::VisitorToHost => junior_with_experienced(a, b),
    };
    let (in_person, online) = match meeting {
        Meeting::InPerson {
            distance_km,
            limit_km,
        } => {
            // Full points next door, half at the edge of the travel limit.
            let far = if limit_km == 0 {
                0
            } else {
                w.in_person * i64::from(distance_km) / (2 * i64::from(limit_km))
            };
            (w.in_person - far, 0)
        }
        Meeting::Online => (0, w.online),
    };
    Breakdown {
        base: w.base,
        cross_domain: if a.domain != b.domain {
            w.cross_domain
        } else {
            0
        },
        cross_profession: if a.profession != b.profession {
            w.cross_profession
        } else {
            0
        },
        complementary_experience: if complementary {
            w.complementary_experience
        } else {
            0
        },
        a_learns,
        b_learns,
        topics: w.topic
            * i64::from(a_learns.count_ones().min(cap) + b_learns.count_ones().min(cap)),
        in_person,
        online,
        hours_headroom: headroom(w.hours_headroom, a.hours, cost_a)
            + headroom(w.hours_headroom, b.hours, cost_b),
        shared_language: if a.first_language == b.first_language && a.first_language != u16::MAX {
            w.shared_language
        } else {
            0
        },
        // Off by default; skipped then, so the hot path stays as it was.
        novelty: if w.novelty == 0 {
            0
        } else {
            w.novelty * novelty_units(a, b)
        },
    }
}

pub fn topic_slugs(bits: u32) -> Vec<&'static str> {
    TOPICS
        .iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, t)| t.slug)
        .collect()
}

fn reason(component: &'static str, points: i64, detail: Option<String>) -> Reason {
    Reason {
        component,
        points,
        detail,
        learner: None,
        topics: Vec::new(),
    }
}

/// The reasons of a pair, in a fixed order, zero components left out. The
/// points add up to the pair's score.
pub fn pair_reasons(
    bd: &Breakdown,
    a: (&str, &Profile),
    b: (&str, &Profile),
    topic_weight: i64,
    topic_cap: u8,
) -> Vec<Reason> {
    let mut out = Vec::new();
    let mut push = |r: Reason| {
        if r.points != 0 {
            out.push(r)
        }
    };
    push(reason("base", bd.base, None));
    push(reason(
        "cross_domain",
        bd.cross_domain,
        Some(format!("{} × {}", a.1.domain, b.1.domain)),
    ));
    push(reason(
        "cross_profession",
        bd.cross_profession,
        Some(format!("{} × {}", a.1.profession, b.1.profession)),
    ));
    push(reason(
        "novelty",
        bd.novelty,
        (bd.novelty != 0).then(|| novelty_detail(a, b)),
    ));
    let (junior, senior) = if a.1.junior { (a, b) } else { (b, a) };
    push(reason(
        "complementary_experience",
        bd.complementary_experience,
        Some(format!(
            "{} (junior) with {} ({} years)",
            junior.0, senior.0, senior.1.experience
        )),
    ));
    let cap = u32::from(topic_cap);
    for (learner, bits) in [(a.0, bd.a_learns), (b.0, bd.b_learns)] {
        if bits != 0 && topic_weight != 0 {
            out.push(Reason {
                component: "topics",
                points: topic_weight * i64::from(bits.count_ones().min(cap)),
                detail: None,
                learner: Some(learner.to_string()),
                topics: topic_slugs(bits),
            });
        }
    }
    let mut push = |r: Reason| {
        if r.points != 0 {
            out.push(r)
        }
    };
    let km = a.1.province.distance_km(b.1.province);
    push(reason(
        "in_person",
        bd.in_person,
        Some(format!("{} – {}, {km} km", a.1.province, b.1.province)),
    ));
    push(reason("online", bd.online, None));
    push(reason("hours_headroom", bd.hours_headroom, None));
    push(reason("shared_language", bd.shared_language, None));
    out
}

/// For the coordinator: what is new to whom, e.g. `new to m1: municipality,
/// company_doctor; new to m2: uwv; joins two parts of the network`.
fn novelty_detail(a: (&str, &Profile), b: (&str, &Profile)) -> String {
    let mut parts = Vec::new();
    for (me, other) in [(a, b), (b, a)] {
        let (domain, profession) = new_to(me.1, other.1);
        let mut new = Vec::new();
        if domain {
            new.push(other.1.domain.code());
        }
        if profession {
            new.push(other.1.profession.code());
        }
        if !new.is_empty() {
            parts.push(format!("new to {}: {}", me.0, new.join(", ")));
        }
    }
    if a.1.component != b.1.component {
        parts.push("joins two parts of the network".to_string());
    }
    parts.join("; ")
}

/// A group's reasons: components summed over its pairs; topics as the union
/// of what any member learns from another.
pub fn group_reasons(sum: &Breakdown) -> Vec<Reason> {
    let mut out = Vec::new();
    for (c, p) in [
        ("base", sum.base),
        ("cross_domain", sum.cross_domain),
        ("cross_profession", sum.cross_profession),
        ("novelty", sum.novelty),
        ("complementary_experience", sum.complementary_experience),
    ] {
        if p != 0 {
            out.push(reason(c, p, None));
        }
    }
    if sum.topics != 0 {
        out.push(Reason {
            component: "topics",
            points: sum.topics,
            detail: None,
            learner: None,
            topics: topic_slugs(sum.a_learns),
        });
    }
    for (c, p) in [
        ("in_person", sum.in_person),
        ("online", sum.online),
        ("hours_headroom", sum.hours_headroom),
        ("shared_language", sum.shared_language),
    ] {
        if p != 0 {
            out.push(reason(c, p, None));
        }
    }
    out
}
