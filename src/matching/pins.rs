//! Pins: matches a coordinator fixes before solving. Checked against every
//! rule a match must keep ([`check_pins`]), taken out of the round before
//! the candidate graph is built ([`reduce`]), and added back to the result
//! with scores and reasons like any other match ([`add_pinned`]).

use super::constraints::{in_person_possible, meeting};
use super::instance::{ConflictRule, Instance};
use super::outcome::{BuddyPair, Group, RoundResult, UnmatchedReason, Visit};
use super::participation::{self, Participation};
use super::profile::{ordered, Prepared};
use super::score::{group_reasons, Breakdown, Direction};
use super::{share, Round};
use crate::domain::{LearningForm, MatchKind};
use serde::Serialize;
use std::collections::HashMap;

/// One rule a pin breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PinProblem {
    /// Index of the pin in `Instance::pinned`.
    pub pin: usize,
    /// Stable snake_case code: `unknown_member`, `shape`, `pinned_twice`,
    /// `not_taking_part` (never overridable), `hours`, `host_capacity`,
    /// `language`, `travel`, `repeat_window`, `declined`, `excluded`,
    /// `conflict_of_interest`, `group_mix` (overridable with `forced`).
    pub rule: &'static str,
    /// English text naming the members.
    pub detail: String,
    /// True when the problem stops the round: a structural rule, or any
    /// rule of a pin that is not forced.
    pub blocking: bool,
}

/// Rules `forced` cannot override: the pin could not be a match of this
/// round's form at all.
pub const STRUCTURAL: [&str; 4] = ["unknown_member", "shape", "pinned_twice", "not_taking_part"];

/// Every rule every pin breaks, in pin order. An instance that cannot be
/// prepared at all (duplicate ids, unknown topics, ...) has no pin
/// problems: [`super::prepare`] reports what is wrong with it.
pub fn check_pins(instance: &Instance) -> Vec<PinProblem> {
    if instance.pinned.is_empty() {
        return Vec::new();
    }
    match Prepared::new(instance) {
        Ok(prep) => {
            let p = participation(instance);
            problems(instance, &prep, &p).0
        }
        Err(_) => Vec::new(),
    }
}

/// Problems, and the pins as member indices (those with a structural
/// problem left out).
pub(crate) fn problems(
    instance: &Instance,
    prep: &Prepared,
    p: &Participation,
) -> (Vec<PinProblem>, Vec<Vec<u32>>) {
    if instance.pinned.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let r = &instance.round;
    let index: HashMap<&str, u32> = instance
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.as_str(), i as u32))
        .collect();
    let id = |m: u32| instance.members[m as usize].id.as_str();
    let mut out = Vec::new();
    let mut pins = Vec::new();
    // Pins each member is in so far (buddy, intervision, shadowing visitor)
    // and visits each host has so far.
    let mut taken: HashMap<u32, usize> = HashMap::new();
    let mut hosting: HashMap<u32, u32> = HashMap::new();
    let shadowing = r.kind == MatchKind::Shadowing;
    for (pi, pin) in instance.pinned.iter().enumerate() {
        let mut push = |rule: &'static str, detail: String| {
            out.push(PinProblem {
                pin: pi,
                rule,
                detail,
                blocking: !pin.forced || STRUCTURAL.contains(&rule),
            })
        };
        let unknown: Vec<&str> = pin
            .members
            .iter()
            .filter(|m| !index.contains_key(m.as_str()))
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            push(
                "unknown_member",
                format!(
                    "not members of this round's instance: {}",
                    unknown.join(", ")
                ),
            );
            continue;
        }
        let ms: Vec<u32> = pin.members.iter().map(|m| index[m.as_str()]).collect();
        let mut distinct = ms.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let (min, max, what) = match r.kind {
            MatchKind::Buddy => (2, 2, "a buddy pair needs two different members"),
            MatchKind::Shadowing => (2, 2, "a visit needs a visitor and a different host"),
            MatchKind::Intervision => (r.group_min, r.group_max, "a group needs different members"),
        };
        if distinct.len() != ms.len() || ms.len() < min || ms.len() > max {
            let size = if min == max {
                format!("{min}")
            } else {
                format!("{min} to {max}")
            };
            push(
                "shape",
                format!("{what} ({size}), got [{}]", pin.members.join(", ")),
            );
            continue;
        }
        // Members in two pins (a host may host several pinned visits).
        let once: &[u32] = if shadowing { &ms[..1] } else { &ms };
        let twice: Vec<&str> = once
            .iter()
            .filter(|m| taken.contains_key(m))
            .map(|&m| id(m))
            .collect();
        if !twice.is_empty() {
            push(
                "pinned_twice",
                format!("already in an earlier pin: {}", twice.join(", ")),
            );
            continue;
        }
        for &m in once {
            taken.insert(m, pi);
        }
        // Participation: asked for the form and not paused.
        let forms: Vec<(u32, LearningForm)> = match r.kind {
            MatchKind::Buddy => ms.iter().map(|&m| (m, LearningForm::Buddy)).collect(),
            MatchKind::Intervision => ms.iter().map(|&m| (m, LearningForm::Intervision)).collect(),
            MatchKind::Shadowing => vec![
                (ms[0], LearningForm::ShadowingVisitor),
                (ms[1], LearningForm::ShadowingHost),
            ],
        };
        let mut out_of_round = Vec::new();
        for &(m, form) in &forms {
            let member = &instance.members[m as usize];
            if member.paused {
                out_of_round.push(format!("{} paused their participation", member.id));
            } else if !member.asks_for(form) {
                out_of_round.push(format!("{} did not ask for {form}", member.id));
            }
        }
        if !out_of_round.is_empty() {
            push("not_taking_part", out_of_round.join("; "));
            continue;
        }
        pins.push(ms.clone());
        // Hours (and a host's places).
        let excluded_reason = |m: u32| {
            p.excluded
                .binary_search_by_key(&m, |e| e.0)
                .ok()
                .map(|i| p.excluded[i].1)
        };
        let hours_detail = |m: u32| match excluded_reason(m) {
            Some(UnmatchedReason::HoursCommitted) => {
                format!("{}: other rounds of the period take their hours", id(m))
            }
            _ => format!("{}: too few hours a month for this form", id(m)),
        };
        if shadowing {
            let (v, h) = (ms[0], ms[1]);
            if p.members.binary_search(&v).is_err() {
                push("hours", hours_detail(v));
            }
            let n = hosting.entry(h).or_insert(0);
            *n += 1;
            let places = p
                .hosts
                .binary_search(&h)
                .map(|i| p.capacity[i])
                .unwrap_or(0);
            if *n > places {
                push(
                    "host_capacity",
                    format!(
                        "{} has {places} visitor place(s) this round, pinned visit {n} is beyond them",
                        id(h)
                    ),
                );
            }
        } else {
            let short: Vec<String> = ms
                .iter()
                .filter(|m| p.members.binary_search(m).is_err())
                .map(|&m| hours_detail(m))
                .collect();
            if !short.is_empty() {
                push("hours", short.join("; "));
            }
        }
        // Pairwise rules, each pair of the pin.
        let in_person = shadowing;
        let mut pair_rules: Vec<(&'static str, String)> = Vec::new();
        for (x, &a) in ms.iter().enumerate() {
            for &b in &ms[x + 1..] {
                let (pa, pb) = (&prep.profiles[a as usize], &prep.profiles[b as usize]);
                let pair = format!("{} and {}", id(a), id(b));
                if pa.languages.intersect(pb.languages).is_empty() {
                    pair_rules.push(("language", format!("{pair} share no language")));
                }
                if meeting(pa, pb, in_person).is_none() {
                    let how = if in_person {
                        "cannot meet in person within both travel limits"
                    } else {
                        "cannot meet: not in person within both travel limits, and not both online"
                    };
                    pair_rules.push(("travel", format!("{pair} {how}")));
                }
                let key = ordered(a, b);
                for (rule, list, why) in [
                    (
                        "repeat_window",
                        &prep.repeat,
                        "met within the repeat window",
                    ),
                    (
                        "declined",
                        &prep.declined,
                        "one declined or blocked the other",
                    ),
                    ("excluded", &prep.excluded, "are excluded for this round"),
                ] {
                    if list.binary_search(&key).is_ok() {
                        pair_rules.push((rule, format!("{pair} {why}")));
                    }
                }
                if prep.registered.binary_search(&key).is_ok() {
                    pair_rules.push((
                        "conflict_of_interest",
                        format!("{pair} have a registered conflict of interest"),
                    ));
                }
                if prep.colleagues(a, b) {
                    let why = match prep.conflict_rule {
                        ConflictRule::SameTeam => "work in the same organisation and team",
                        _ => "work in the same organisation",
                    };
                    pair_rules.push(("conflict_of_interest", format!("{pair} {why}")));
                }
            }
        }
        if r.kind == MatchKind::Intervision {
            let prof = |m: &u32| &prep.profiles[*m as usize];
            let common = ms.iter().fold(super::profile::LangSet::all(), |l, m| {
                l.intersect(prof(m).languages)
            });
            if common.is_empty() {
                pair_rules.push(("language", "the group shares no language".to_string()));
            }
            if group_mode(prep, &ms).is_none() {
                pair_rules.push((
                    "travel",
                    "the group has no way to meet: not all online, and not all in person within travel"
                        .to_string(),
                ));
            }
            let first = prof(&ms[0]).domain;
            if ms.iter().all(|m| prof(m).domain == first) {
                pair_rules.push((
                    "group_mix",
                    "the group has members of one domain only".into(),
                ));
            }
            if ms.iter().all(|m| prof(m).junior) {
                pair_rules.push(("group_mix", "the group has juniors only".into()));
            }
        }
        // One problem per rule, details joined, in a fixed rule order.
        for rule in [
            "language",
            "travel",
            "repeat_window",
            "declined",
            "excluded",
            "conflict_of_interest",
            "group_mix",
        ] {
            let details: Vec<&str> = pair_rules
                .iter()
                .filter(|x| x.0 == rule)
                .map(|x| x.1.as_str())
                .collect();
            if !details.is_empty() {
                push(rule, details.join("; "));
            }
        }
    }
    (out, pins)
}

/// How a group meets: online when all allow it, else in person when every
/// pair can; `None` when neither.
fn group_mode(prep: &Prepared, ms: &[u32]) -> Option<&'static str> {
    let prof = |m: u32| &prep.profiles[m as usize];
    if ms.iter().all(|&m| prof(m).online) {
        return Some("online");
    }
    let near = ms.iter().enumerate().all(|(x, &a)| {
        ms[x + 1..]
            .iter()
            .all(|&b| in_person_possible(prof(a), prof(b)))
    });
    near.then_some("in_person")
}

/// Take the pinned members out of the round: buddy and intervision
/// participants in a pin; shadowing pinned visitors, and one place of the
/// host per pinned visit (the place carries the visit's hours). Pinned
/// members are no longer listed as kept out before matching.
pub(crate) fn reduce(kind: MatchKind, p: &mut Participation, pins: &[Vec<u32>], n: usize) {
    if pins.is_empty() {
        return;
    }
    let mut pinned = vec![false; n];
    for pin in pins {
        for &m in pin {
            pinned[m as usize] = true;
        }
    }
    p.excluded.retain(|e| !pinned[e.0 as usize]);
    if kind != MatchKind::Shadowing {
        p.members.retain(|&m| !pinned[m as usize]);
        return;
    }
    let mut visitor = vec![false; n];
    let mut visits = vec![0u32; n];
    for pin in pins {
        visitor[pin[0] as usize] = true;
        visits[pin[1] as usize] += 1;
    }
    p.members.retain(|&m| !visitor[m as usize]);
    let mut hosts = Vec::with_capacity(p.hosts.len());
    let mut capacity = Vec::with_capacity(p.hosts.len());
    for (&h, &c) in p.hosts.iter().zip(&p.capacity) {
        let left = c.saturating_sub(visits[h as usize]);
        if left > 0 {
            hosts.push(h);
            capacity.push(left);
        }
    }
    p.hosts = hosts;
    p.capacity = capacity;
}

/// Add the pinned matches to a result of the rest of the round and bring
/// its totals up to date: pinned members count as participants and as
/// matched, never as unmatched; `total_score` (and intervision's
/// `upper_bound`) include the pinned matches' scores.
pub(crate) fn add_pinned(round: &Round, result: &mut RoundResult) {
    if round.pins.is_empty() {
        return;
    }
    let inst = round.instance;
    let r = &inst.round;
    let n = inst.members.len();
    let index: HashMap<&str, u32> = inst
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.as_str(), i as u32))
        .collect();
    let domain = |id: &str| round.prep.profiles[index[id] as usize].domain;
    let mut pinned_score = 0i64;
    let mut in_pin = vec![false; n];
    let mut pinned_visitor = vec![false; n];
    for pin in &round.pins {
        for &m in pin {
            in_pin[m as usize] = true;
        }
        match r.kind {
            MatchKind::Buddy => {
                let cost = u32::from(r.form_hours.buddy);
                let (a, b) = (pin[0].min(pin[1]), pin[0].max(pin[1]));
                let (score, reasons) = round.explain(a, b, Direction::Mutual, (cost, cost));
                pinned_score += score;
                result.pairs.push(BuddyPair {
                    a: round.id(a).to_string(),
                    b: round.id(b).to_string(),
                    score,
                    reasons,
                    pinned: true,
                });
            }
            MatchKind::Shadowing => {
                let cost = u32::from(r.form_hours.shadowing_visit);
                let (v, h) = (pin[0], pin[1]);
                pinned_visitor[v as usize] = true;
                let (score, reasons) = round.explain(v, h, Direction::VisitorToHost, (cost, cost));
                pinned_score += score;
                result.visits.push(Visit {
                    visitor: round.id(v).to_string(),
                    host: round.id(h).to_string(),
                    score,
                    reasons,
                    pinned: true,
                });
            }
            MatchKind::Intervision => {
                let cost = u32::from(r.form_hours.intervision);
                let mut ms = pin.clone();
                ms.sort_unstable();
                let mut sum = Breakdown::default();
                for (x, &a) in ms.iter().enumerate() {
                    for &b in &ms[x + 1..] {
                        sum.add(&round.breakdown(a, b, Direction::Mutual, (cost, cost)));
                    }
                }
                let score = sum.total();
                pinned_score += score;
                let mut domains: Vec<_> = ms
                    .iter()
                    .map(|&m| round.prep.profiles[m as usize].domain)
                    .collect();
                domains.sort_unstable();
                domains.dedup();
                // A forced group with no common way to meet is told to meet
                // online if all can, else in person (the coordinator's call).
                let mode = group_mode(&round.prep, &ms).unwrap_or(
                    if ms.iter().all(|&m| round.prep.profiles[m as usize].online) {
                        "online"
                    } else {
                        "in_person"
                    },
                );
                result.groups.push(Group {
                    members: ms.iter().map(|&m| round.id(m).to_string()).collect(),
                    score,
                    domains,
                    meeting_mode: mode,
                    reasons: group_reasons(&sum),
                    pinned: true,
                });
            }
        }
    }
    // Participants: pinned members the reduced round no longer holds.
    let p = &round.participation;
    let still_in = |m: u32| {
        p.members.binary_search(&m).is_ok()
            || (r.kind == MatchKind::Shadowing && p.hosts.binary_search(&m).is_ok())
    };
    let added = (0..n as u32)
        .filter(|&m| in_pin[m as usize] && !still_in(m))
        .count();
    result.participants += added;
    result.total_score += pinned_score;
    if let Some(ub) = result.upper_bound.as_mut() {
        *ub += pinned_score;
    }
    if let Some(pl) = result.placeable.as_mut() {
        *pl += round.pins.iter().map(Vec::len).sum::<usize>();
    }
    // Matches in member order, as the solvers emit them.
    let key = |id: &str| index[id];
    result.pairs.sort_by_key(|x| (key(&x.a), key(&x.b)));
    result
        .visits
        .sort_by_key(|x| (key(&x.visitor), key(&x.host)));
    result.groups.sort_by_key(|g| key(&g.members[0]));
    result.unmatched.retain(|u| {
        let m = index[u.member.as_str()] as usize;
        match r.kind {
            // A pinned host may still be an unplaced visitor (listed with
            // role `visitor`, as when the solver gives a host a visitor);
            // a pinned visitor is matched, in whatever other role.
            MatchKind::Shadowing => {
                !(pinned_visitor[m] || in_pin[m] && u.reason == UnmatchedReason::NoVisitor)
            }
            _ => !in_pin[m],
        }
    });
    // Totals over every match.
    let (mut crossing, mut pairs) = (0usize, 0usize);
    let mut matched: Vec<u32> = Vec::new();
    for x in &result.pairs {
        crossing += usize::from(domain(&x.a) != domain(&x.b));
        pairs += 1;
        matched.extend([key(&x.a), key(&x.b)]);
    }
    for x in &result.visits {
        crossing += usize::from(domain(&x.visitor) != domain(&x.host));
        pairs += 1;
        matched.extend([key(&x.visitor), key(&x.host)]);
    }
    for g in &result.groups {
        for (i, a) in g.members.iter().enumerate() {
            matched.push(key(a));
            for b in &g.members[i + 1..] {
                crossing += usize::from(domain(a) != domain(b));
                pairs += 1;
            }
        }
    }
    matched.sort_unstable();
    matched.dedup();
    result.matched_members = matched.len();
    result.cross_domain_share = share(crossing, pairs);
}

/// Participation of the instance's form, before pins are taken out.
pub(crate) fn participation(instance: &Instance) -> Participation {
    let r = &instance.round;
    match r.kind {
        MatchKind::Buddy => {
            participation::symmetric(instance, LearningForm::Buddy, r.form_hours.buddy)
        }
        MatchKind::Shadowing => participation::shadowing(instance, r.form_hours.shadowing_visit),
        MatchKind::Intervision => participation::symmetric(
            instance,
            LearningForm::Intervision,
            r.form_hours.intervision,
        ),
    }
}
