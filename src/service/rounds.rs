//! Matching rounds: a coordinator creates one, previews the engine's
//! proposal on the current cohort, and publishes it, which stores the
//! matches and enqueues every email in one transaction.

use super::audit::{self, Action};
use super::{now, AppState};
use crate::auth::AuthUser;
use crate::domain::{Domain, Locale, MatchKind, Profession, Province};
use crate::error::AppError;
use crate::mail::{labels, MailKind};
use crate::matching::instance::{
    BlockedPair, Instance, Member, PastMeeting, Prefer, RoundParams, Weights,
};
use crate::matching::outcome::{RoundResult, UnmatchedReason};
use crate::service::reasons::{self, MatchReason};
use crate::service::round_mail;
use crate::store::db::write_tx;
use crate::store::rounds::{self as store_rounds, MatchMemberRow, MatchRow, RoundRow, DRAFT};
use crate::store::{self, DbConnection};
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Cohort {
    pub provinces: Vec<Province>,
    pub domains: Vec<Domain>,
    pub professions: Vec<Profession>,
}

/// What a coordinator may set; everything else is the engine's default.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub repeat_window: Option<u32>,
    pub prefer: Option<Prefer>,
    pub group_min: Option<usize>,
    pub group_max: Option<usize>,
    pub seed: Option<u64>,
    pub candidates_per_member: Option<usize>,
    pub weights: Option<Weights>,
    /// Days members have to answer after the publish (default 14).
    pub reply_within_days: Option<u32>,
    /// What happens to an answer not given by then.
    pub after_deadline: Option<round_mail::AfterDeadline>,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MeetingWindow {
    pub from: Option<String>,
    pub until: Option<String>,
}

pub struct NewRound {
    pub kind: MatchKind,
    pub cohort: Cohort,
    pub settings: Settings,
    pub note: String,
    pub meeting_window: MeetingWindow,
}

#[derive(Debug, serde::Serialize)]
pub struct RoundView {
    pub id: String,
    pub number: i32,
    pub kind: String,
    pub status: String,
    pub cohort: Cohort,
    pub settings: Settings,
    pub note: String,
    pub meeting_window: MeetingWindow,
    #[serde(serialize_with = "crate::domain::time::iso8601")]
    pub created_at: i64,
    #[serde(serialize_with = "crate::domain::time::iso8601_opt")]
    pub published_at: Option<i64>,
    #[serde(serialize_with = "crate::domain::time::iso8601_opt")]
    pub cancelled_at: Option<i64>,
    /// Published rounds: answers are asked before this instant.
    #[serde(serialize_with = "crate::domain::time::iso8601_opt")]
    pub reply_by: Option<i64>,
    /// While a preview or publish runs: what it is doing and since when.
    pub progress: Option<Progress>,
    /// The round's metrics as published (absent for drafts).
    pub metrics: Option<serde_json::Value>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Progress {
    pub phase: String,
    #[serde(serialize_with = "crate::domain::time::iso8601")]
    pub since: i64,
}

fn view(r: RoundRow) -> Result<RoundView, AppError> {
    let bad =
        |e: serde_json::Error| AppError::Internal(anyhow::anyhow!("stored round {}: {e}", r.id));
    Ok(RoundView {
        cohort: serde_json::from_str(&r.cohort).map_err(bad)?,
        settings: serde_json::from_str(&r.params).map_err(bad)?,
        meeting_window: serde_json::from_str(&r.meeting_window).map_err(bad)?,
        id: r.id,
        number: r.number,
        kind: r.kind,
        status: r.status,
        note: r.note,
        created_at: r.created_at,
        published_at: r.published_at,
        cancelled_at: r.cancelled_at,
        reply_by: r.reply_by,
        progress: r
            .progress
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok()),
        metrics: r
            .metrics
            .as_deref()
            .and_then(|m| serde_json::from_str(m).ok()),
    })
}

impl NewRound {
    fn validate(&self) -> Result<(), AppError> {
        let mut problems = Vec::new();
        let s = &self.settings;
        let (min, max) = (s.group_min.unwrap_or(4), s.group_max.unwrap_or(6));
        if !(3..=12).contains(&min) || !(3..=12).contains(&max) || min > max {
            problems.push(crate::domain::FieldProblem::new(
                "settings.group_min",
                format!("group sizes must satisfy 3 <= group_min <= group_max <= 12 (got {min} and {max})"),
            ));
        }
        if let Some(w) = &s.weights {
            // Bounded so that sums over any group stay far from overflow.
            let all = [
                ("base", w.base),
                ("cross_domain", w.cross_domain),
                ("cross_profession", w.cross_profession),
                ("complementary_experience", w.complementary_experience),
                ("topic", w.topic),
                ("in_person", w.in_person),
                ("online", w.online),
                ("hours_headroom", w.hours_headroom),
                ("shared_language", w.shared_language),
            ];
            for (name, v) in all {
                if !(0..=1000).contains(&v) {
                    problems.push(crate::domain::FieldProblem::new(
                        format!("settings.weights.{name}"),
                        "must be between 0 and 1000",
                    ));
                }
            }
            if w.topic_cap > 20 {
                problems.push(crate::domain::FieldProblem::new(
                    "settings.weights.topic_cap",
                    "must be at most 20",
                ));
            }
        }
        if s.repeat_window.is_some_and(|w| w > 120) {
            problems.push(crate::domain::FieldProblem::new(
                "settings.repeat_window",
                "must be at most 120 rounds",
            ));
        }
        if s.candidates_per_member
            .is_some_and(|k| !(1..=500).contains(&k))
        {
            problems.push(crate::domain::FieldProblem::new(
                "settings.candidates_per_member",
                "must be between 1 and 500",
            ));
        }
        if s.reply_within_days.is_some_and(|d| !(1..=60).contains(&d)) {
            problems.push(crate::domain::FieldProblem::new(
                "settings.reply_within_days",
                "must be between 1 and 60 days",
            ));
        }
        if let Err(p) = crate::domain::free_text("note", &self.note, 1000) {
            problems.push(p);
        }
        for (field, v) in [
            ("meeting_window.from", &self.meeting_window.from),
            ("meeting_window.until", &self.meeting_window.until),
        ] {
            if v.as_deref().is_some_and(|d| !crate::domain::is_date(d)) {
                problems.push(crate::domain::FieldProblem::new(
                    field,
                    "must be a date like 2026-12-01",
                ));
            }
        }
        if let (Some(f), Some(u)) = (&self.meeting_window.from, &self.meeting_window.until) {
            if crate::domain::is_date(f) && crate::domain::is_date(u) && f > u {
                problems.push(crate::domain::FieldProblem::new(
                    "meeting_window.until",
                    "must not be before meeting_window.from",
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(AppError::validation(problems))
        }
    }
}

pub fn create(state: &AppState, actor: &AuthUser, new: NewRound) -> Result<RoundView, AppError> {
    new.validate()?;
    let mut conn = state.conn()?;
    // Numbers are max + 1; two coordinators creating at once on PostgreSQL
    // can pick the same one, and the unique key sends the loser round again.
    let mut attempts = 0;
    loop {
        attempts += 1;
        let result = write_tx(&mut conn, |conn| {
            let row = RoundRow {
                id: uuid::Uuid::new_v4().to_string(),
                number: store_rounds::next_number(conn)?,
                kind: new.kind.code().into(),
                status: DRAFT.into(),
                params: serde_json::to_string(&new.settings).map_err(anyhow::Error::from)?,
                cohort: serde_json::to_string(&new.cohort).map_err(anyhow::Error::from)?,
                note: new.note.trim().to_string(),
                meeting_window: serde_json::to_string(&new.meeting_window)
                    .map_err(anyhow::Error::from)?,
                created_by: actor.id.clone(),
                created_at: now(),
                published_at: None,
                cancelled_at: None,
                progress: None,
                metrics: None,
                reply_by: None,
            };
            match store_rounds::insert(conn, &row) {
                Ok(()) => {
                    audit::record(
                        conn,
                        actor,
                        Action::RoundCreated,
                        ("round", &row.id),
                        serde_json::json!({ "number": row.number, "kind": row.kind }),
                    )?;
                    Ok(Some(row))
                }
                Err(diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::UniqueViolation,
                    _,
                )) => Ok(None),
                Err(e) => Err(AppError::from(e)),
            }
        })?;
        match result {
            Some(row) => return view(row),
            None if attempts < 5 => continue,
            None => {
                return Err(AppError::unavailable(
                    "too many rounds are being created at once; retry",
                ))
            }
        }
    }
}

fn round_not_found(id: &str) -> AppError {
    AppError::not_found("round_not_found", format!("no round with id {id}"))
}

fn load_round(conn: &mut DbConnection, id: &str) -> Result<RoundRow, AppError> {
    store_rounds::get(conn, id)?.ok_or_else(|| round_not_found(id))
}

/// Who is in the round and the engine's instance for them.
struct Prepared {
    instance: Instance,
    people: HashMap<String, (String, Domain)>,
}

fn prepare(conn: &mut DbConnection, round: &RoundRow) -> Result<Prepared, AppError> {
    let cohort: Cohort = serde_json::from_str(&round.cohort).map_err(anyhow::Error::from)?;
    let settings: Settings = serde_json::from_str(&round.params).map_err(anyhow::Error::from)?;
    let kind: MatchKind = round.kind.parse().map_err(anyhow::Error::from)?;
    let verified: HashMap<String, String> =
        store_rounds::verified_user_ids(conn)?.into_iter().collect();
    let mut profiles: Vec<_> = store::profiles::load_all(conn)?
        .into_iter()
        .filter(|(id, _)| verified.contains_key(id))
        .collect();
    // The engine's result depends on input order; a stable order makes a
    // round reproducible on either database.
    profiles.sort_by(|a, b| a.0.cmp(&b.0));
    let in_cohort = |p: &crate::domain::LearningProfile| {
        (cohort.provinces.is_empty() || cohort.provinces.contains(&p.province))
            && (cohort.domains.is_empty() || cohort.domains.contains(&p.domain))
            && (cohort.professions.is_empty() || cohort.professions.contains(&p.profession))
    };
    // Hours other rounds of the same period already take (see commitments).
    let period = super::commitments::Period::of_round(
        &round.meeting_window,
        round.published_at.unwrap_or_else(now),
    );
    let committed = super::commitments::committed(
        &store_rounds::commitments(conn, &round.id)?,
        period,
        &RoundParams::default().form_hours,
    );
    let mut people = HashMap::new();
    let mut members = Vec::new();
    for (id, p) in profiles.into_iter().filter(|(_, p)| in_cohort(p)) {
        people.insert(
            id.clone(),
            (verified.get(&id).cloned().unwrap_or_default(), p.domain),
        );
        let committed_hours = committed
            .get(&id)
            .map_or(0, |&h| u8::try_from(h).unwrap_or(u8::MAX));
        members.push(Member {
            id,
            domain: p.domain,
            profession: p.profession,
            experience: p.experience,
            registration: p.registration,
            province: p.province,
            languages: p.languages.into_iter().collect(),
            forms: p.forms.into_iter().collect(),
            host_capacity: p.host_capacity,
            hours_per_month: p.hours_per_month,
            committed_hours,
            meeting_modes: p.meeting_modes.into_iter().collect(),
            max_travel_km: p.max_travel_km,
            topics_wanted: p.topics_wanted.into_iter().collect(),
            topics_offered: p.topics_offered.into_iter().collect(),
            paused: p.paused,
        });
    }
    let h = store_rounds::history(conn)?;
    let known = |a: &String, b: &String| people.contains_key(a) && people.contains_key(b);
    let defaults = RoundParams::default();
    let params = RoundParams {
        kind,
        round: round.number as u32,
        repeat_window: settings.repeat_window.unwrap_or(defaults.repeat_window),
        seed: settings.seed.unwrap_or(round.number as u64),
        prefer: settings.prefer.unwrap_or(defaults.prefer),
        candidates_per_member: settings
            .candidates_per_member
            .unwrap_or(defaults.candidates_per_member),
        group_min: settings.group_min.unwrap_or(defaults.group_min),
        group_max: settings.group_max.unwrap_or(defaults.group_max),
        weights: settings.weights.unwrap_or(defaults.weights),
        ..defaults
    };
    let instance = Instance {
        round: params,
        history: h
            .met
            .iter()
            .filter(|(a, b, _)| known(a, b))
            .map(|(a, b, r)| PastMeeting {
                a: a.clone(),
                b: b.clone(),
                round: *r as u32,
            })
            .collect(),
        blocked: h
            .declined
            .iter()
            .filter(|(a, b)| known(a, b))
            .map(|(a, b)| BlockedPair {
                a: a.clone(),
                b: b.clone(),
            })
            .collect(),
        members,
    };
    Ok(Prepared { instance, people })
}

/// Records the phase a long preview or publish is in, in its own short
/// write, so `GET /rounds/{id}` shows it to anyone polling meanwhile.
/// Reporting is best effort: a failure to report never fails the round.
fn report(state: &AppState, round_id: &str, phase: Option<&str>) {
    let progress = phase.map(|p| serde_json::json!({ "phase": p, "since": now() }).to_string());
    let result = state.conn().and_then(|mut c| {
        Ok(store_rounds::set_progress(
            &mut c,
            round_id,
            progress.as_deref(),
        )?)
    });
    if let Err(e) = result {
        tracing::warn!(round = round_id, error = %e, "could not record round progress");
    }
}

/// Runs the engine, reporting its two phases.
fn solve(state: &AppState, round_id: &str, p: &Prepared) -> Result<RoundResult, AppError> {
    // The cohort's data, not the request, is at fault; tell the coordinator what.
    let refused = |e: crate::matching::InstanceError| {
        AppError::conflict(
            "round_unsolvable",
            format!("the cohort cannot be matched as it stands: {e}"),
        )
    };
    report(state, round_id, Some("building_candidate_graph"));
    let round = crate::matching::prepare(&p.instance).map_err(refused)?;
    report(state, round_id, Some("solving"));
    Ok(round.solve())
}

#[derive(Debug, serde::Serialize)]
pub struct Metrics {
    pub eligible: usize,
    pub matched: usize,
    pub matched_share: f64,
    pub cross_domain_share: f64,
    pub matches: usize,
    pub mean_score: f64,
    pub score_spread: f64,
    /// Per domain: members in the round and how many of them were matched.
    pub per_domain: BTreeMap<String, DomainCount>,
}

#[derive(Debug, Default, serde::Serialize)]
pub struct DomainCount {
    pub eligible: usize,
    pub matched: usize,
}

fn metrics(p: &Prepared, r: &RoundResult) -> Metrics {
    let scores: Vec<i64> = r
        .pairs
        .iter()
        .map(|x| x.score)
        .chain(r.visits.iter().map(|x| x.score))
        .chain(r.groups.iter().map(|x| x.score))
        .collect();
    let n = scores.len().max(1) as f64;
    let mean = scores.iter().sum::<i64>() as f64 / n;
    let var = scores
        .iter()
        .map(|s| (*s as f64 - mean).powi(2))
        .sum::<f64>()
        / n;
    // Counted from the result itself, so the per-domain figures add up to
    // the totals: a participant is matched when a match names them, and
    // eligible when matched or left unmatched by the solver (those excluded
    // before matching, e.g. paused, are in no count).
    let mut matched: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for x in &r.pairs {
        matched.extend([x.a.as_str(), x.b.as_str()]);
    }
    for x in &r.visits {
        matched.extend([x.visitor.as_str(), x.host.as_str()]);
    }
    for g in &r.groups {
        matched.extend(g.members.iter().map(String::as_str));
    }
    let mut eligible = matched.clone();
    eligible.extend(
        r.unmatched
            .iter()
            .filter(|u| !excluded_before_matching(u.reason))
            .map(|u| u.member.as_str()),
    );
    let mut per_domain: BTreeMap<String, DomainCount> = BTreeMap::new();
    for id in &eligible {
        let Some((_, d)) = p.people.get(*id) else {
            continue;
        };
        let e = per_domain.entry(d.code().to_string()).or_default();
        e.eligible += 1;
        if matched.contains(id) {
            e.matched += 1;
        }
    }
    Metrics {
        eligible: r.participants,
        matched: r.matched_members,
        matched_share: if r.participants == 0 {
            0.0
        } else {
            r.matched_members as f64 / r.participants as f64
        },
        cross_domain_share: r.cross_domain_share,
        matches: scores.len(),
        mean_score: if scores.is_empty() { 0.0 } else { mean },
        // An empty sum of floats is -0.0, which would print as "-0.0".
        score_spread: if scores.is_empty() { 0.0 } else { var.sqrt() },
        per_domain,
    }
}

/// Reasons that keep a member out before any match is looked at.
pub fn excluded_before_matching(r: UnmatchedReason) -> bool {
    matches!(
        r,
        UnmatchedReason::Paused
            | UnmatchedReason::InsufficientHours
            | UnmatchedReason::HoursCommitted
            | UnmatchedReason::NoHostCapacity
    )
}

#[derive(Debug, serde::Serialize)]
pub struct Preview {
    pub round: RoundView,
    pub metrics: Metrics,
    pub result: RoundResult,
    /// Display names of everyone the result mentions.
    pub names: BTreeMap<String, String>,
}

fn run_phases(state: &AppState, round: &RoundRow) -> Result<(Prepared, RoundResult), AppError> {
    report(state, &round.id, Some("loading_members"));
    let prepared = {
        let mut conn = state.conn()?;
        prepare(&mut conn, round)?
    };
    let result = solve(state, &round.id, &prepared)?;
    Ok((prepared, result))
}

pub fn preview(state: &AppState, actor: &AuthUser, round_id: &str) -> Result<Preview, AppError> {
    let mut conn = state.conn()?;
    let round = load_round(&mut conn, round_id)?;
    drop(conn);
    // A published round's proposal is what was published: a fresh solve
    // on today's profiles would show matches that do not exist.
    if round.status != DRAFT {
        return Err(not_draft(&round, "previewed"));
    }
    let timer = crate::metrics::RoundTimer::start("preview", &round.kind);
    let outcome = run_phases(state, &round);
    report(state, round_id, None);
    let (prepared, result) = outcome?;
    // A preview shows members' names and profiles: a read worth logging.
    audit::record_read(
        state,
        actor,
        Action::RoundPreviewed,
        ("round", round_id),
        serde_json::json!({ "number": round.number, "eligible": prepared.people.len() }),
    )?;
    timer.succeeded();
    Ok(Preview {
        metrics: metrics(&prepared, &result),
        names: prepared
            .people
            .iter()
            .map(|(id, (name, _))| (id.clone(), name.clone()))
            .collect(),
        round: view(round)?,
        result,
    })
}

/// One stored match: who is in it, in which role, and why.
struct PlannedMatch {
    score: i64,
    members: Vec<(String, &'static str)>,
    reasons: Vec<MatchReason>,
    /// Intervision: who starts the group, and how it meets.
    convener: Option<String>,
    mode: Option<&'static str>,
}

/// The group's convener: its most experienced member (the first by id on
/// a tie), who has seen most of the practice a group reflects on.
fn convener<'a>(members: &'a [String], by_id: &HashMap<&str, &Member>) -> Option<&'a String> {
    members.iter().max_by(|a, b| {
        let xp = |id: &str| by_id.get(id).map_or(-2, |m| m.experience.ordinal());
        xp(a).cmp(&xp(b)).then_with(|| b.cmp(a))
    })
}

/// How a group meets: the engine's mode, or `mixed` when it found them in
/// travel distance and every member also meets online.
fn group_mode(
    engine_mode: &'static str,
    members: &[String],
    by_id: &HashMap<&str, &Member>,
) -> &'static str {
    use crate::domain::MeetingMode;
    let all_online = members.iter().all(|id| {
        by_id
            .get(id.as_str())
            .is_some_and(|m| m.meeting_modes.contains(&MeetingMode::Online))
    });
    if engine_mode == "in_person" && all_online {
        "mixed"
    } else {
        engine_mode
    }
}

/// Days members have to answer, unless the round says otherwise.
pub const DEFAULT_REPLY_DAYS: u32 = 14;

/// Answers are due before midnight (Amsterdam) `days` days after `t`.
fn reply_by(t: i64, days: u32) -> i64 {
    use crate::domain::time::{add_days, amsterdam_date, amsterdam_midnight};
    let (y, m, d) = add_days(amsterdam_date(t), i64::from(days));
    amsterdam_midnight(y, m, d)
}

fn planned(result: &RoundResult, prepared: &Prepared) -> Vec<PlannedMatch> {
    let by_id: HashMap<&str, &Member> = prepared
        .instance
        .members
        .iter()
        .map(|m| (m.id.as_str(), m))
        .collect();
    let mut out: Vec<PlannedMatch> = result
        .pairs
        .iter()
        .map(|p| PlannedMatch {
            score: p.score,
            members: vec![(p.a.clone(), "buddy"), (p.b.clone(), "buddy")],
            reasons: p
                .reasons
                .iter()
                .map(|r| MatchReason::stored(r, None))
                .collect(),
            convener: None,
            mode: None,
        })
        .collect();
    // Each visit is a match of its own: a host answers each visitor apart,
    // and nothing one visitor does reaches another.
    out.extend(result.visits.iter().map(|v| {
        PlannedMatch {
            score: v.score,
            members: vec![(v.host.clone(), "host"), (v.visitor.clone(), "visitor")],
            reasons: v
                .reasons
                .iter()
                .map(|r| MatchReason::stored(r, Some(&v.visitor)))
                .collect(),
            convener: None,
            mode: None,
        }
    }));
    out.extend(result.groups.iter().map(|g| {
        PlannedMatch {
            score: g.score,
            members: g.members.iter().map(|m| (m.clone(), "member")).collect(),
            reasons: g
                .reasons
                .iter()
                .map(|r| MatchReason::stored(r, None))
                .collect(),
            convener: convener(&g.members, &by_id).cloned(),
            mode: Some(group_mode(g.meeting_mode, &g.members, &by_id)),
        }
    }));
    out
}

#[derive(Debug, serde::Serialize)]
pub struct Published {
    pub round: RoundView,
    pub metrics: Metrics,
    pub matches: usize,
    pub emails: usize,
}

/// Stores the proposal and enqueues its emails; the progress shown while it
/// runs is cleared however it ends (success, a lost race, an error).
pub fn publish(state: &AppState, actor: &AuthUser, round_id: &str) -> Result<Published, AppError> {
    let outcome = publish_steps(state, actor, round_id);
    report(state, round_id, None);
    outcome
}

fn publish_steps(
    state: &AppState,
    actor: &AuthUser,
    round_id: &str,
) -> Result<Published, AppError> {
    let mut conn = state.conn()?;
    let round = load_round(&mut conn, round_id)?;
    if round.status != DRAFT {
        return Err(not_draft(&round, "published"));
    }
    let timer = crate::metrics::RoundTimer::start("publish", &round.kind);
    let (prepared, result) = run_phases(state, &round)?;
    if result.participants == 0 {
        return Err(AppError::conflict(
            "round_empty",
            format!(
                "round {} has nobody to match: no verified member in its cohort asks for {} with enough free hours; change the cohort or wait for sign-ups",
                round.number, round.kind
            ),
        ));
    }
    let plan = planned(&result, &prepared);
    report(state, round_id, Some("storing_matches_and_emails"));
    let settings: Settings = serde_json::from_str(&round.params).map_err(anyhow::Error::from)?;
    let emails = write_tx(&mut conn, |conn| {
        let t = now();
        let reply_by = reply_by(t, settings.reply_within_days.unwrap_or(DEFAULT_REPLY_DAYS));
        let metrics_json =
            serde_json::to_string(&metrics(&prepared, &result)).map_err(anyhow::Error::from)?;
        if !store_rounds::publish_if_draft(conn, round_id, t, &metrics_json, reply_by)? {
            let current = load_round(conn, round_id)?;
            return Err(not_draft(&current, "published"));
        }
        audit::record(
            conn,
            actor,
            Action::RoundPublished,
            ("round", round_id),
            serde_json::json!({ "number": round.number, "matches": plan.len() }),
        )?;
        let ids: Vec<String> = prepared.people.keys().cloned().collect();
        let contacts: round_mail::Contacts = store_rounds::people_for_publish(conn, &ids)?
            .into_iter()
            .map(|(id, name, email, locale)| (id, (name, email, locale)))
            .collect();
        let profiles = store::profiles::load_many(conn, &ids)?;
        let sharing: HashMap<String, crate::service::sharing::Sharing> =
            store::privacy::contacts(conn, &ids)?
                .into_iter()
                .map(|r| (r.user_id.clone(), r.into()))
                .collect();
        let window: MeetingWindow = serde_json::from_str(&round.meeting_window).unwrap_or_default();
        let kind: MatchKind = round.kind.parse().map_err(anyhow::Error::from)?;
        let ids: Vec<String> = plan
            .iter()
            .map(|_| uuid::Uuid::new_v4().to_string())
            .collect();
        let mut match_rows = Vec::with_capacity(plan.len());
        let mut member_rows = Vec::new();
        for (m, match_id) in plan.iter().zip(&ids) {
            match_rows.push(MatchRow {
                id: match_id.clone(),
                round_id: round_id.into(),
                kind: round.kind.clone(),
                score: m.score,
                explanation: reasons::to_stored(&m.reasons).map_err(anyhow::Error::from)?,
                created_at: t,
                convener_id: m.convener.clone(),
                meeting_mode: m.mode.map(str::to_string),
                ready_at: None,
            });
            member_rows.extend(m.members.iter().map(|(uid, role)| MatchMemberRow {
                match_id: match_id.clone(),
                round_id: round_id.into(),
                user_id: uid.clone(),
                role: (*role).into(),
                response: "pending".into(),
                responded_at: None,
                decline_reason: None,
                reminded_at: None,
            }));
        }
        let news = round_mail::RoundNews {
            kind,
            number: round.number,
            note: &round.note,
            reply_by,
            window: (window.from.as_deref(), window.until.as_deref()),
            contacts: &contacts,
            profiles: &profiles,
            sharing: &sharing,
            public_base_url: &state.public_base_url,
        };
        let stored: Vec<round_mail::MatchNews<'_>> = plan
            .iter()
            .zip(&ids)
            .map(|(m, id)| round_mail::MatchNews {
                match_id: id,
                members: &m.members,
                reasons: &m.reasons,
                convener: m.convener.as_deref(),
                mode: m.mode,
            })
            .collect();
        let letters =
            round_mail::publish_letters(&state.mail_context(), &news, &stored, &result.unmatched)?;
        let (mails, mentions): (Vec<_>, Vec<_>) =
            letters.into_iter().map(|l| (l.row, l.mentions)).unzip();
        let mentions: Vec<_> = mentions.into_iter().flatten().collect();
        store_rounds::insert_matches(conn, &match_rows, &member_rows)?;
        store::outbox::enqueue_many(conn, &mails, &mentions)?;
        Ok(mails.len())
    })?;
    timer.succeeded();
    let round = load_round(&mut conn, round_id)?;
    Ok(Published {
        metrics: metrics(&prepared, &result),
        matches: plan.len(),
        emails,
        round: view(round)?,
    })
}

fn not_draft(round: &RoundRow, action: &str) -> AppError {
    AppError::conflict(
        "round_not_draft",
        format!(
            "round {} is {}; only a draft can be {action}",
            round.number, round.status
        ),
    )
}

/// Cancels a draft, or a published round: then its matches no longer
/// stand (nor count as history) and everyone in them is told by email.
pub fn cancel(state: &AppState, actor: &AuthUser, round_id: &str) -> Result<RoundView, AppError> {
    let mut conn = state.conn()?;
    write_tx(&mut conn, |conn| {
        let round = load_round(conn, round_id)?;
        if round.status == store_rounds::CANCELLED {
            return Err(AppError::conflict(
                "round_cancelled",
                format!("round {} is already cancelled", round.number),
            ));
        }
        if !store_rounds::cancel_if(conn, round_id, &round.status, now())? {
            return Err(AppError::conflict(
                "round_changed",
                format!(
                    "round {} changed while it was being cancelled; read it and retry",
                    round.number
                ),
            ));
        }
        audit::record(
            conn,
            actor,
            Action::RoundCancelled,
            ("round", round_id),
            serde_json::json!({ "number": round.number, "was": round.status }),
        )?;
        if round.status == store_rounds::PUBLISHED {
            let kind: MatchKind = round.kind.parse().unwrap_or(MatchKind::Buddy);
            let ids: Vec<String> = store_rounds::matches_of_round(conn, round_id)?
                .into_iter()
                .flat_map(|(_, ms)| ms.into_iter().map(|m| m.user_id))
                .collect();
            let mc = state.mail_context();
            for (user_id, name, email, locale) in store_rounds::people(conn, &ids)? {
                let locale: Locale = locale.parse().unwrap_or_default();
                let ctx = minijinja::context! { name => name, round => round.number, kind => labels::kind(kind, locale) };
                let to = crate::service::mail::To {
                    user_id: &user_id,
                    email: &email,
                    locale,
                };
                crate::service::mail::enqueue(conn, &mc, MailKind::RoundCancelled, to, ctx, &[])?;
            }
        }
        view(load_round(conn, round_id)?)
    })
}

#[derive(Debug, serde::Serialize)]
pub struct RoundDetail {
    pub round: RoundView,
    pub matches: Vec<StoredMatch>,
    pub ratings: RatingSummary,
}

/// Members' ratings of the round's matches, aggregated: coordinators see how
/// a round landed without seeing who said what.
#[derive(Debug, serde::Serialize)]
pub struct RatingSummary {
    pub count: usize,
    pub mean: Option<f64>,
    /// Number of ratings with 1, 2, 3, 4 and 5 stars.
    pub distribution: [usize; 5],
    pub comments: Vec<String>,
}

#[derive(Debug, serde::Serialize)]
pub struct StoredMatch {
    pub id: String,
    pub score: i64,
    pub reasons: Vec<MatchReason>,
    pub members: Vec<MatchMemberView>,
}

#[derive(Debug, serde::Serialize)]
pub struct MatchMemberView {
    /// Both `None` for an erased account: it stays in the statistics only.
    pub user_id: Option<String>,
    pub display_name: Option<String>,
    pub former_member: bool,
    pub role: String,
    pub response: String,
}

pub fn detail(state: &AppState, actor: &AuthUser, round_id: &str) -> Result<RoundDetail, AppError> {
    let mut conn = state.conn()?;
    let round = load_round(&mut conn, round_id)?;
    let stored = store_rounds::matches_of_round(&mut conn, round_id)?;
    let ids: Vec<String> = stored
        .iter()
        .flat_map(|(_, ms)| ms.iter().map(|m| m.user_id.clone()))
        .collect();
    let names: HashMap<String, String> = store_rounds::people(&mut conn, &ids)?
        .into_iter()
        .map(|(id, n, _, _)| (id, n))
        .collect();
    let matches = stored
        .into_iter()
        .map(|(m, ms)| StoredMatch {
            id: m.id,
            score: m.score,
            reasons: reasons::visible(reasons::parse(&m.explanation), None, |id| {
                names.contains_key(id)
            }),
            members: ms
                .into_iter()
                .map(|x| MatchMemberView {
                    display_name: names.get(&x.user_id).cloned(),
                    former_member: !names.contains_key(&x.user_id),
                    user_id: names.contains_key(&x.user_id).then_some(x.user_id),
                    role: x.role,
                    response: x.response,
                })
                .collect(),
        })
        .collect();
    let rated = store::evidence::ratings_of_round(&mut conn, round_id)?;
    let mut distribution = [0usize; 5];
    for (stars, _) in &rated {
        if let Some(slot) = usize::try_from(*stars - 1)
            .ok()
            .and_then(|i| distribution.get_mut(i))
        {
            *slot += 1;
        }
    }
    let ratings = RatingSummary {
        count: rated.len(),
        mean: (!rated.is_empty())
            .then(|| rated.iter().map(|(s, _)| f64::from(*s)).sum::<f64>() / rated.len() as f64),
        distribution,
        comments: rated
            .into_iter()
            .map(|(_, c)| c)
            .filter(|c| !c.is_empty())
            .collect(),
    };
    drop(conn);
    audit::record_read(
        state,
        actor,
        Action::RoundViewed,
        ("round", round_id),
        serde_json::json!({ "number": round.number }),
    )?;
    Ok(RoundDetail {
        round: view(round)?,
        matches,
        ratings,
    })
}

pub fn list(
    state: &AppState,
    page: u32,
    per_page: u32,
) -> Result<super::paging::Page<RoundView>, AppError> {
    let offset = super::paging::offset(page, per_page)?;
    let mut conn = state.conn()?;
    let (rows, total) = store_rounds::list(&mut conn, offset, i64::from(per_page))?;
    Ok(super::paging::Page {
        items: rows.into_iter().map(view).collect::<Result<_, _>>()?,
        page,
        per_page,
        total,
    })
}
