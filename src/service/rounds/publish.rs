//! Publishing: the matches and every email of a round stored in one
//! transaction (who is told what is `round_mail`'s).

use super::cohort::Prepared;
use super::run::{report, run_phases};
use super::settings::{MeetingWindow, Settings};
use super::stats::{metrics, Metrics};
use super::view::{load_round, load_round_for, not_draft, view, RoundView};
use crate::auth::AuthUser;
use crate::domain::{Answer, GroupMeetingMode, MatchRole, RoundStatus};
use crate::error::AppError;
use crate::matching::instance::Member;
use crate::matching::outcome::RoundResult;
use crate::service::audit::{self, Action};
use crate::service::reasons::{self, MatchReason};
use crate::service::round_mail;
use crate::service::{now, AppState};
use crate::store;
use crate::store::db::write_tx;
use crate::store::rounds::{self as store_rounds, MatchMemberRow, MatchRow};
use std::collections::HashMap;

/// One stored match: who is in it, in which role, and why.
struct PlannedMatch {
    score: i64,
    members: Vec<(String, MatchRole)>,
    reasons: Vec<MatchReason>,
    /// Intervision: who starts the group, and how it meets.
    convener: Option<String>,
    mode: Option<GroupMeetingMode>,
}

/// The group's convener: a member who offered to, else anyone; of those
/// the most experienced (the first by id on a tie), who has seen most of
/// the practice a group reflects on.
fn convener<'a>(
    members: &'a [String],
    by_id: &HashMap<&str, &Member>,
    offered: &std::collections::HashSet<String>,
) -> Option<&'a String> {
    members.iter().max_by(|a, b| {
        let xp = |id: &str| by_id.get(id).map_or(-2, |m| m.experience.ordinal());
        offered
            .contains(*a)
            .cmp(&offered.contains(*b))
            .then_with(|| xp(a).cmp(&xp(b)))
            .then_with(|| b.cmp(a))
    })
}

/// How a group meets: the engine's mode, or `mixed` when it found them in
/// travel distance and every member also meets online.
fn group_mode(
    engine_mode: &str,
    members: &[String],
    by_id: &HashMap<&str, &Member>,
) -> Result<GroupMeetingMode, AppError> {
    use crate::domain::MeetingMode;
    let all_online = members.iter().all(|id| {
        by_id
            .get(id.as_str())
            .is_some_and(|m| m.meeting_modes.contains(&MeetingMode::Online))
    });
    Ok(match engine_mode.parse().map_err(anyhow::Error::from)? {
        GroupMeetingMode::InPerson if all_online => GroupMeetingMode::Mixed,
        mode => mode,
    })
}

/// Days members have to answer, unless the round says otherwise.
pub const DEFAULT_REPLY_DAYS: u32 = 14;

/// Answers are due before midnight (Amsterdam) `days` days after `t`.
fn reply_by(t: i64, days: u32) -> i64 {
    use crate::domain::time::{add_days, amsterdam_date, amsterdam_midnight};
    let (y, m, d) = add_days(amsterdam_date(t), i64::from(days));
    amsterdam_midnight(y, m, d)
}

fn planned(result: &RoundResult, prepared: &Prepared) -> Result<Vec<PlannedMatch>, AppError> {
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
            members: vec![
                (p.a.clone(), MatchRole::Buddy),
                (p.b.clone(), MatchRole::Buddy),
            ],
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
            members: vec![
                (v.host.clone(), MatchRole::Host),
                (v.visitor.clone(), MatchRole::Visitor),
            ],
            reasons: v
                .reasons
                .iter()
                .map(|r| MatchReason::stored(r, Some(&v.visitor)))
                .collect(),
            convener: None,
            mode: None,
        }
    }));
    for g in &result.groups {
        out.push(PlannedMatch {
            score: g.score,
            members: g
                .members
                .iter()
                .map(|m| (m.clone(), MatchRole::Member))
                .collect(),
            reasons: g
                .reasons
                .iter()
                .map(|r| MatchReason::stored(r, None))
                .collect(),
            convener: convener(&g.members, &by_id, &prepared.conveners).cloned(),
            mode: Some(group_mode(g.meeting_mode, &g.members, &by_id)?),
        });
    }
    Ok(out)
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
    let round = load_round_for(&mut conn, actor, round_id)?;
    if round.status != RoundStatus::Draft {
        return Err(not_draft(&round, "published"));
    }
    let timer = crate::metrics::RoundTimer::start("publish", round.kind.code());
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
    let plan = planned(&result, &prepared)?;
    report(state, round_id, Some("storing_matches_and_emails"));
    let settings: Settings = serde_json::from_str(&round.params).map_err(anyhow::Error::from)?;
    let window: MeetingWindow =
        serde_json::from_str(&round.meeting_window).map_err(anyhow::Error::from)?;
    let t = now();
    let reply_by = reply_by(t, settings.reply_within_days.unwrap_or(DEFAULT_REPLY_DAYS));
    let metrics_json =
        serde_json::to_string(&metrics(&prepared, &result)).map_err(anyhow::Error::from)?;
    let rows = Rows::of(&plan, &result, round_id, round.kind, t)?;
    let people: Vec<String> = prepared.people.keys().cloned().collect();
    // Everything the emails say is read and written before the write
    // transaction: on SQLite it holds the only writer, and a member saving
    // their profile meanwhile would wait for 10,000 emails to be rendered.
    let mut facts = MailFacts::read(&mut conn, &people)?;
    let letters_of = |facts: &MailFacts| {
        let news = round_mail::RoundNews {
            kind: round.kind,
            number: round.number,
            note: &round.note,
            reply_by,
            window: (window.from.as_deref(), window.until.as_deref()),
            contacts: &facts.contacts,
            profiles: &facts.profiles,
            sharing: &facts.sharing,
        };
        let stored: Vec<round_mail::MatchNews<'_>> = plan
            .iter()
            .zip(&rows.match_ids)
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
        Ok::<_, AppError>((mails, mentions.into_iter().flatten().collect::<Vec<_>>()))
    };
    let mut letters = letters_of(&facts)?;
    let emails = write_tx(&mut conn, |conn| {
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
        // Who may be named, and what they share, as of now: a member erased,
        // renamed or sharing less since the emails were written gets them
        // written again here (on PostgreSQL the rows are now locked against
        // an erasure until this commits).
        if facts.changed_since(conn, &people)? {
            facts = MailFacts::read_locked(conn, &people)?;
            letters = letters_of(&facts)?;
        }
        let (mails, mentions) = &letters;
        store_rounds::insert_matches(conn, &rows.matches, &rows.members)?;
        store::cohort::insert_unmatched(conn, &rows.unmatched)?;
        store::outbox::enqueue_many(conn, mails, mentions)?;
        Ok(mails.len())
    })?;
    timer.succeeded();
    crate::store::db::refresh_statistics(
        &mut conn,
        &[
            "matches",
            "match_members",
            "round_unmatched",
            "outbox",
            "outbox_mentions",
        ],
    );
    let round = load_round(&mut conn, round_id)?;
    Ok(Published {
        metrics: metrics(&prepared, &result),
        matches: plan.len(),
        emails,
        round: view(round)?,
    })
}

/// The rows a publish stores besides its emails.
struct Rows {
    match_ids: Vec<String>,
    matches: Vec<MatchRow>,
    members: Vec<MatchMemberRow>,
    unmatched: Vec<store::cohort::UnmatchedRow>,
}

impl Rows {
    fn of(
        plan: &[PlannedMatch],
        result: &RoundResult,
        round_id: &str,
        kind: crate::domain::MatchKind,
        t: i64,
    ) -> Result<Rows, AppError> {
        let match_ids: Vec<String> = plan
            .iter()
            .map(|_| uuid::Uuid::new_v4().to_string())
            .collect();
        let mut matches = Vec::with_capacity(plan.len());
        let mut members = Vec::new();
        for (m, match_id) in plan.iter().zip(&match_ids) {
            matches.push(MatchRow {
                id: match_id.clone(),
                round_id: round_id.into(),
                kind,
                score: m.score,
                explanation: reasons::to_stored(&m.reasons).map_err(anyhow::Error::from)?,
                created_at: t,
                convener_id: m.convener.clone(),
                meeting_mode: m.mode,
                ready_at: None,
            });
            members.extend(m.members.iter().map(|(uid, role)| MatchMemberRow {
                match_id: match_id.clone(),
                round_id: round_id.into(),
                user_id: uid.clone(),
                role: *role,
                response: Answer::Pending,
                responded_at: None,
                decline_reason: None,
                reminded_at: None,
            }));
        }
        // Left unmatched by the solve (not kept out before it): a top-up
        // round starts from them. A member once, in their first role.
        let mut seen = std::collections::HashSet::new();
        let unmatched = result
            .unmatched
            .iter()
            .filter(|u| !u.reason.before_matching() && seen.insert(u.member.as_str()))
            .map(|u| store::cohort::UnmatchedRow {
                round_id: round_id.to_string(),
                user_id: u.member.clone(),
                reason: serde_json::to_value(u.reason)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default(),
            })
            .collect();
        Ok(Rows {
            match_ids,
            matches,
            members,
            unmatched,
        })
    }
}

/// What the emails of a publish say about the people in it.
struct MailFacts {
    contacts: round_mail::Contacts,
    profiles: HashMap<String, crate::domain::LearningProfile>,
    sharing: HashMap<String, crate::service::sharing::Sharing>,
}

impl MailFacts {
    fn read(conn: &mut store::DbConnection, ids: &[String]) -> Result<MailFacts, AppError> {
        let contacts = contacts(store_rounds::people(conn, ids)?);
        MailFacts::with(conn, ids, contacts)
    }

    /// On PostgreSQL the people's rows are read `FOR SHARE`, so an erasure
    /// waits for the publish and then finds the emails that name them.
    fn read_locked(conn: &mut store::DbConnection, ids: &[String]) -> Result<MailFacts, AppError> {
        let contacts = contacts(store_rounds::people_for_publish(conn, ids)?);
        MailFacts::with(conn, ids, contacts)
    }

    fn with(
        conn: &mut store::DbConnection,
        ids: &[String],
        contacts: round_mail::Contacts,
    ) -> Result<MailFacts, AppError> {
        Ok(MailFacts {
            contacts,
            profiles: store::profiles::load_many(conn, ids)?,
            sharing: sharing(conn, ids)?,
        })
    }

    /// Whether anyone's name, address, language or sharing choice differs
    /// from what was read (locking the rows on PostgreSQL, as above).
    fn changed_since(
        &self,
        conn: &mut store::DbConnection,
        ids: &[String],
    ) -> Result<bool, AppError> {
        let now = contacts(store_rounds::people_for_publish(conn, ids)?);
        Ok(now != self.contacts || sharing(conn, ids)? != self.sharing)
    }
}

fn contacts(people: Vec<store_rounds::Person>) -> round_mail::Contacts {
    people
        .into_iter()
        .map(|p| (p.id, (p.name, p.email, p.locale)))
        .collect()
}

fn sharing(
    conn: &mut store::DbConnection,
    ids: &[String],
) -> Result<HashMap<String, crate::service::sharing::Sharing>, AppError> {
    Ok(store::privacy::contacts(conn, ids)?
        .into_iter()
        .map(|r| (r.user_id.clone(), r.into()))
        .collect())
}
