//! The reply deadline: a reminder, then the answer expires, as the round is set.

use super::answers::dropped_out_letters;
use super::people::{human_deadline, Contacts, Seat};
use crate::domain::Answer;
use crate::error::AppError;
use crate::mail::labels;
use crate::mail::notify::{AnswerExpired, AnswerReminder, DropOut};
use crate::service::mail::{letter, reminder_letter, To};
use crate::service::reminders::Reminder;
use crate::service::rounds::settings::{AfterDeadline, Settings};
use crate::service::{now, AppState};
use crate::store::db::write_tx;
use crate::store::reminders as store;
use crate::store::rounds as store_rounds;

/// A reminded member has this long before the answer expires.
pub const GRACE_SECS: i64 = 7 * 86_400;

/// What the sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub reminded: usize,
    pub expired: usize,
}

/// Reminds or lets expire the answers whose reply date passed, as each
/// round is set. Each step is a conditional update in its own transaction
/// with its emails, so several instances sweeping at once act once.
pub fn sweep_answers(state: &AppState) -> Result<Swept, AppError> {
    let t = now();
    let mut conn = state.conn()?;
    let due = store_rounds::due_answers(&mut conn, t)?;
    let mut swept = Swept::default();
    let mc = state.mail_context();
    for d in due {
        let settings: Settings =
            serde_json::from_str(&d.round.params).map_err(anyhow::Error::from)?;
        let policy = settings.after_deadline.unwrap_or_default();
        let reply_by = d.round.reply_by.unwrap_or(t);
        let remind = policy != AfterDeadline::Expire && d.reminded_at.is_none();
        let expire = match policy {
            AfterDeadline::Expire => true,
            AfterDeadline::RemindThenExpire => {
                d.reminded_at.is_some() && t >= reply_by + GRACE_SECS
            }
            AfterDeadline::Remind => false,
        };
        if !remind && !expire {
            continue;
        }
        let kind = d.round.kind;
        write_tx(&mut conn, |conn| {
            let seats = store_rounds::seats(conn, &d.match_id)?;
            let ids: Vec<String> = seats.iter().map(|s| s.user_id.clone()).collect();
            let contacts: Contacts = store_rounds::people(conn, &ids)?
                .into_iter()
                .map(|p| (p.id, (p.name, p.email, p.locale)))
                .collect();
            let Some((name, email, locale)) = contacts.get(&d.user_id).cloned() else {
                return Ok(());
            };
            let to = To {
                user_id: &d.user_id,
                email: &email,
                locale,
            };
            let mut letters = Vec::new();
            if remind {
                if !store_rounds::mark_reminded(conn, &d.match_id, &d.user_id, t)? {
                    return Ok(());
                }
                let expires = if policy == AfterDeadline::RemindThenExpire {
                    human_deadline(reply_by + GRACE_SECS, locale)
                } else {
                    String::new()
                };
                // The expiry clock runs from here either way; a member who
                // paused or turned this reminder off just gets no email.
                let wanted = store::recipients(conn, std::slice::from_ref(&d.user_id))?
                    .first()
                    .is_some_and(|r| {
                        !r.paused && Reminder::AnswerPending.wanted(r.settings.as_ref())
                    });
                if wanted {
                    let notice = AnswerReminder {
                        name: &name,
                        kind: labels::kind(kind, locale),
                        round: d.round.number,
                        expires,
                        link: mc.answer_link(&d.match_id, &d.user_id)?,
                    };
                    let code = Reminder::AnswerPending.code();
                    letters.push(reminder_letter(&mc, to, &notice, &[], code)?);
                    swept.reminded += 1;
                }
            } else {
                if !store_rounds::expire_answer(conn, &d.match_id, &d.user_id, t)? {
                    return Ok(());
                }
                let seats: Vec<Seat> = seats
                    .into_iter()
                    .map(|mut s| {
                        if s.user_id == d.user_id {
                            s.response = Answer::Expired;
                        }
                        s
                    })
                    .collect();
                let notice = AnswerExpired {
                    name: &name,
                    kind: labels::kind(kind, locale),
                    round: d.round.number,
                };
                letters.push(letter(&mc, to, &notice, &[])?);
                letters.extend(dropped_out_letters(
                    &mc,
                    kind,
                    d.round.number,
                    &d.user_id,
                    DropOut::Expired,
                    &seats,
                    &contacts,
                )?);
                swept.expired += 1;
            }
            let (rows, mentions): (Vec<_>, Vec<_>) =
                letters.into_iter().map(|l| (l.row, l.mentions)).unzip();
            let mentions: Vec<_> = mentions.into_iter().flatten().collect();
            crate::store::outbox::enqueue_many(conn, &rows, &mentions)?;
            Ok::<_, AppError>(())
        })?;
    }
    if swept != Swept::default() {
        tracing::info!(?swept, "answers past their reply date reminded or expired");
    }
    Ok(swept)
}
