//! Writing an email = inserting an outbox row, inside the caller's
//! transaction, so the email exists if and only if the event does.

use super::now;
use crate::domain::Locale;
use crate::error::AppError;
use crate::mail::{render, MailKind};
use crate::store::outbox::{self, OutboxRow, PENDING};
use crate::store::DbConnection;

pub struct MailContext<'a> {
    pub public_base_url: &'a str,
}

impl MailContext<'_> {
    /// Front-end link with a query parameter; the token is URL-safe base64.
    pub fn link(&self, path: &str, token: &str) -> String {
        format!(
            "{}{path}?token={token}",
            self.public_base_url.trim_end_matches('/')
        )
    }

    fn message_id_host(&self) -> String {
        url::Url::parse(self.public_base_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "buddymatch.local".into())
    }
}

pub fn enqueue(
    conn: &mut DbConnection,
    mc: &MailContext<'_>,
    kind: MailKind,
    recipient: &str,
    locale: Locale,
    ctx: minijinja::Value,
) -> Result<String, AppError> {
    let row = outbox_row(mc, kind, recipient, locale, ctx)?;
    outbox::enqueue(conn, &row)?;
    Ok(row.id)
}

/// A rendered email as an outbox row, for callers that store many at once.
pub fn outbox_row(
    mc: &MailContext<'_>,
    kind: MailKind,
    recipient: &str,
    locale: Locale,
    ctx: minijinja::Value,
) -> Result<OutboxRow, AppError> {
    let rendered = render(kind, locale, ctx)?;
    let id = uuid::Uuid::new_v4().to_string();
    let t = now();
    Ok(OutboxRow {
        message_id: format!("<{id}@{}>", mc.message_id_host()),
        id,
        kind: kind.code().into(),
        recipient: recipient.into(),
        locale: locale.code().into(),
        subject: rendered.subject,
        body_text: rendered.text,
        body_html: rendered.html,
        status: PENDING.into(),
        attempts: 0,
        next_attempt_at: t,
        locked_until: None,
        last_error: None,
        created_at: t,
        sent_at: None,
    })
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
) -> Result<super::profiles::Page<FailedMail>, AppError> {
    let offset = super::profiles::offset(page, per_page)?;
    let mut conn = state.conn()?;
    let (rows, total) = outbox::failed(&mut conn, offset, i64::from(per_page))?;
    drop(conn);
    // The list shows members' addresses.
    super::audit::record_read(
        state,
        actor,
        super::audit::Action::FailedMailViewed,
        ("outbox", "failed"),
        serde_json::json!({ "page": page, "shown": rows.len() }),
    )?;
    Ok(super::profiles::Page {
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
