//! Writing an email = inserting an outbox row, inside the caller's
//! transaction, so the email exists if and only if the event does.

use super::now;
use crate::auth::action::Act;
use crate::domain::{Locale, OutboxStatus};
use crate::error::AppError;
use crate::mail::notify::{self, Notice};
use crate::mail::MailKind;
use crate::store::outbox::{self, MentionRow, OutboxRow};
use crate::store::DbConnection;

pub struct MailContext<'a> {
    pub public_base_url: &'a str,
    /// The web front end, when deployed: links lead there.
    pub web_app_url: Option<&'a str>,
    /// Sign the links that act without a login (auth/action.rs).
    pub keys: &'a crate::auth::JwtKeys,
}

// Beside the context it builds, not beside `AppState`: the service's root
// module then needs none of its children.
impl super::AppState {
    pub fn mail_context(&self) -> MailContext<'_> {
        MailContext {
            public_base_url: &self.public_base_url,
            web_app_url: self.web_app_url.as_deref(),
            keys: &self.keys,
        }
    }
}

/// Where the service's own pages live (api/pages.rs), under the public base.
pub const PAGES: &str = "/pages";

impl MailContext<'_> {
    fn base(&self) -> &str {
        self.public_base_url.trim_end_matches('/')
    }

    /// A page of the web front end: the one this binary serves at its
    /// public base (api/front_end.rs), or another deployed at
    /// `web_app_url`.
    fn page(&self, path: &str) -> String {
        let web = self.web_app_url.unwrap_or(self.public_base_url);
        format!("{}{path}", web.trim_end_matches('/'))
    }

    /// A page of the web front end that needs a login (the profile, the
    /// login page itself).
    pub fn app_page(&self, path: &str) -> String {
        self.page(path)
    }

    /// A link carrying a one-time token the page hands to the API (verify
    /// an address, reset a password, accept an invitation); the token is
    /// URL-safe base64.
    pub fn link(&self, path: &str, token: &str) -> String {
        format!("{}?token={token}", self.page(path))
    }

    /// A page about `obj` for `user_id`. A logged-in member sees it in the
    /// front end; for anyone else the front end hands the signed token on
    /// to the service's own page under [`PAGES`], which acts without a
    /// login.
    fn acting(&self, path: &str, user_id: &str, act: Act, obj: &str) -> Result<String, AppError> {
        let token = self.keys.issue_action(user_id, act, obj, now() as u64)?;
        Ok(format!("{}?token={token}", self.page(path)))
    }

    /// Where a member accepts or declines a match.
    pub fn answer_link(&self, match_id: &str, user_id: &str) -> Result<String, AppError> {
        self.acting(
            &format!("/matches/{match_id}"),
            user_id,
            Act::Answer,
            match_id,
        )
    }

    /// Where a member chooses their reminders.
    pub fn settings_link(&self, user_id: &str) -> Result<String, AppError> {
        self.acting("/settings/notifications", user_id, Act::Settings, "")
    }

    /// Where a member sees one appointment.
    pub fn appointment_link(&self, id: &str, user_id: &str) -> Result<String, AppError> {
        self.acting(
            &format!("/appointments/{id}"),
            user_id,
            Act::Appointment,
            id,
        )
    }

    /// The one-click unsubscribe address of a reminder (RFC 8058): always
    /// the service's own, which takes the POST a mail client sends.
    pub fn unsubscribe_link(&self, user_id: &str, reminder: &str) -> Result<String, AppError> {
        let token = self
            .keys
            .issue_action(user_id, Act::Unsubscribe, reminder, now() as u64)?;
        Ok(format!("{}{PAGES}/unsubscribe?token={token}", self.base()))
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
    letter_with(mc, to, notice, mentions, None)
}

/// A reminder: [`letter`] with a one-click unsubscribe from `reminder`.
pub fn reminder_letter(
    mc: &MailContext<'_>,
    to: To<'_>,
    notice: &impl Notice,
    mentions: &[&str],
    reminder: &str,
) -> Result<Letter, AppError> {
    letter_with(mc, to, notice, mentions, Some(reminder))
}

fn letter_with(
    mc: &MailContext<'_>,
    to: To<'_>,
    notice: &impl Notice,
    mentions: &[&str],
    reminder: Option<&str>,
) -> Result<Letter, AppError> {
    // Every email to an account says where its reminders are chosen; an
    // address without an account has no settings.
    let footer = notify::Footer {
        settings_link: if to.user_id.is_empty() {
            String::new()
        } else {
            mc.settings_link(to.user_id)?
        },
        unsubscribe_link: match reminder {
            Some(r) => mc.unsubscribe_link(to.user_id, r)?,
            None => String::new(),
        },
    };
    let notify::Composed {
        kind,
        rendered,
        context,
    } = notify::compose(notice, to.locale, &footer)?;
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
            unsubscribe: (!footer.unsubscribe_link.is_empty()).then_some(footer.unsubscribe_link),
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
