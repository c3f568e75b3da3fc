//! Writing an email = inserting an outbox row, inside the caller's
//! transaction, so the email exists if and only if the event does.

use super::now;
use crate::domain::{Locale, OutboxStatus};
use crate::error::AppError;
use crate::mail::notify::{self, Notice};
use crate::mail::MailKind;
use crate::store::outbox::{self, MentionRow, OutboxRow};
use crate::store::DbConnection;

pub struct MailContext<'a> {
    pub public_base_url: &'a str,
}

// Beside the context it builds, not beside `AppState`: the service's root
// module then needs none of its children.
impl super::AppState {
    pub fn mail_context(&self) -> MailContext<'_> {
        MailContext {
            public_base_url: &self.public_base_url,
        }
    }
}

impl MailContext<'_> {
    /// Front-end link with a query parameter; the token is URL-safe base64.
    pub fn link(&self, path: &str, token: &str) -> String {
        format!(
            "{}{path}?token={token}",
            self.public_base_url.trim_end_matches('/')
        )
    }

    pub(crate) fn message_id_host(&self) -> String {
        url::Url::parse(self.public_base_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "buddymatch.local".into())
    }
}

/// Whom an email is for: their account, address and language.
#[derive(Debug, Clone, Copy)]
pub struct To<'a> {
    pub user_id: &'a str,
    pub email: &'a str,
    pub locale: Locale,
}

/// A rendered email and the members it names, ready to store.
pub struct Letter {
    pub row: OutboxRow,
    pub mentions: Vec<MentionRow>,
}

/// Renders and stores one email in the caller's transaction. `mentions` are
/// the members the email names besides its recipient.
pub fn enqueue(
    conn: &mut DbConnection,
    mc: &MailContext<'_>,
    to: To<'_>,
    notice: &impl Notice,
    mentions: &[&str],
) -> Result<String, AppError> {
    let l = letter(mc, to, notice, mentions)?;
    outbox::enqueue_many(conn, std::slice::from_ref(&l.row), &l.mentions)?;
    Ok(l.row.id)
}

/// A rendered email as an outbox row, for callers that store many at once.
pub fn letter(
    mc: &MailContext<'_>,
    to: To<'_>,
    notice: &impl Notice,
    mentions: &[&str],
) -> Result<Letter, AppError> {
    let notify::Composed {
        kind,
        rendered,
        context,
    } = notify::compose(notice, to.locale)?;
    let id = uuid::Uuid::new_v4().to_string();
    let t = now();
    let mentions = mentions
        .iter()
        .map(|m| MentionRow {
            outbox_id: id.clone(),
            user_id: (*m).to_string(),
        })
        .collect();
    Ok(Letter {
        row: OutboxRow {
            message_id: format!("<{id}@{}>", mc.message_id_host()),
            kind: kind.code().into(),
            recipient: to.email.into(),
            locale: to.locale.code().into(),
            subject: rendered.subject,
            body_text: rendered.text,
            body_html: rendered.html,
            status: OutboxStatus::Pending,
            attempts: 0,
            next_attempt_at: t,
            locked_until: None,
            last_error: None,
            created_at: t,
            sent_at: None,
            user_id: Some(to.user_id.into()),
            context: Some(context),
            ics: None,
            id,
        },
        mentions,
    })
}

/// Writes every undelivered email that names `user_id` anew without them:
/// each object in its context that carries their `user_id` becomes "a
/// former member" with nothing else filled in. The email itself still goes
/// out (the others in a group still need to hear of it); only the person is
/// gone from it. An email with no context to write it from is withdrawn. An
/// email a worker is sending right now may still leave in its old form; its
/// claim is taken back, so the new form is sent after it (never "sent" for
/// a text that did not go out).
pub fn forget_in_unsent(conn: &mut DbConnection, user_id: &str) -> Result<(), AppError> {
    for row in outbox::unsent_mentioning(conn, user_id)? {
        let ctx = row
            .context
            .as_deref()
            .and_then(|c| serde_json::from_str::<serde_json::Value>(c).ok());
        let kind = MailKind::from_code(&row.kind);
        let (Some(mut ctx), Some(kind)) = (ctx, kind) else {
            outbox::withdraw(conn, &row.id)?;
            continue;
        };
        let locale: Locale = row.locale.parse().unwrap_or_default();
        forget_person(
            &mut ctx,
            user_id,
            crate::mail::labels::former_member(locale),
        );
        // A context stored by an older version may no longer fit the
        // templates: the erasure must not fail on it, the email goes.
        let Ok(c) = notify::recompose(kind, locale, &ctx) else {
            outbox::withdraw(conn, &row.id)?;
            continue;
        };
        let r = c.rendered;
        outbox::rewrite(conn, &row.id, &r.subject, &r.text, &r.html, &c.context)?;
    }
    outbox::forget_mentions(conn, user_id)?;
    Ok(())
}

fn forget_person(v: &mut serde_json::Value, user_id: &str, former: &str) {
    use serde_json::Value;
    match v {
        Value::Object(map) if map.get("user_id").and_then(Value::as_str) == Some(user_id) => {
            for value in map.values_mut() {
                *value = Value::Null;
            }
            map.insert("name".into(), Value::String(former.into()));
        }
        Value::Object(map) => map
            .values_mut()
            .for_each(|x| forget_person(x, user_id, former)),
        Value::Array(items) => items
            .iter_mut()
            .for_each(|x| forget_person(x, user_id, former)),
        _ => {}
    }
}

#[derive(Debug, serde::Serialize)]
pub struct FailedMail {
    pub id: String,
    pub message_id: String,
    pub kind: String,
    pub recipient: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    #[serde(serialize_with = "crate::domain::time::iso8601")]
    pub created_at: i64,
}

/// Messages that ran out of attempts, newest first, a page at a time:
/// shown to coordinators, never dropped.
pub fn failed(
    state: &super::AppState,
    actor: &crate::auth::AuthUser,
    page: u32,
    per_page: u32,
) -> Result<super::paging::Page<FailedMail>, AppError> {
    let offset = super::paging::offset(page, per_page)?;
    let mut conn = state.conn()?;
    // A coordinator sees mail to the members of their programmes only;
    // mail to no account (from before emails named their account, or an
    // invitation to a new address) goes to the default programme's
    // coordinators, who hold what was there before programmes.
    let scope = super::programmes::scope(&mut conn, actor)?;
    let unaddressed = scope.contains(super::programmes::DEFAULT_PROGRAMME_ID);
    let (rows, total) = outbox::failed(
        &mut conn,
        scope.ids().map(|ids| (ids, unaddressed)),
        offset,
        i64::from(per_page),
    )?;
    drop(conn);
    // The list shows members' addresses.
    super::audit::record_read(
        state,
        actor,
        super::audit::Action::FailedMailViewed,
        ("outbox", "failed"),
        serde_json::json!({ "page": page, "shown": rows.len() }),
    )?;
    Ok(super::paging::Page {
        items: rows
            .into_iter()
            .map(|r| FailedMail {
                id: r.id,
                message_id: r.message_id,
                kind: r.kind,
                recipient: r.recipient,
                attempts: r.attempts,
                last_error: r.last_error,
                created_at: r.created_at,
            })
            .collect(),
        page,
        per_page,
        total,
    })
}
