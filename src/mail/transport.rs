//! Where email goes: an SMTP relay in production, a folder of .eml files by
//! default (no setup needed), a real SMTP server in the tests.

use crate::store::outbox::OutboxRow;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// One `<uuid>.eml` file per message, as lettre's file transport names
    /// them, but written 0600: they hold live sign-in links.
    Folder(PathBuf),
}

impl Transport {
    /// `smtp://host:port` (plain, or STARTTLS with `?tls=required`),
    /// `smtps://user:pass@host` (implicit TLS), as lettre reads them.
    /// Connections are pooled (up to `connections`, one per delivery lane),
    /// so a round's emails do not each pay for a TCP and TLS handshake.
    pub fn smtp(url: &str, connections: u32) -> anyhow::Result<Transport> {
        let pool = PoolConfig::new().max_size(connections.max(1));
        Ok(Transport::Smtp(
            AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?
                .pool_config(pool)
                .build(),
        ))
    }

    /// The folder is created 0700, or tightened (with the messages already
    /// in it) when an earlier version left it readable.
    pub fn folder(dir: PathBuf) -> anyhow::Result<Transport> {
        crate::files::private_dir(&dir)?;
        crate::files::private_files_in(&dir)?;
        Ok(Transport::Folder(dir))
    }

    pub async fn send(&self, msg: Message) -> Result<(), String> {
        match self {
            Transport::Smtp(t) => t.send(msg).await.map(|_| ()).map_err(|e| e.to_string()),
            Transport::Folder(dir) => {
                let path = dir.join(format!("{}.eml", uuid::Uuid::new_v4()));
                let raw = msg.formatted();
                tokio::task::spawn_blocking(move || crate::files::write_private(&path, &raw))
                    .await
                    .map_err(|e| e.to_string())?
                    .map_err(|e| e.to_string())
            }
        }
    }
}

/// Only our two languages reach the header; anything else in a row (an
/// older version's value) reads as the default.
fn content_language(locale: &str) -> &'static str {
    match locale {
        "en" => "en",
        _ => "nl",
    }
}

/// Builds the message from the outbox row. The Message-ID comes from the
/// row, so a retry after an unclear failure carries the same id and a
/// receiving system can drop the duplicate.
pub fn build_message(row: &OutboxRow, from: &Mailbox) -> Result<Message, String> {
    let to: Mailbox = row
        .recipient
        .parse()
        .map_err(|e| format!("bad recipient: {e}"))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(row.subject.clone())
        .message_id(Some(row.message_id.clone()))
        // RFC 3834: no vacation replies or other auto-answers to us.
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".into(),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Content-Language"),
            content_language(&row.locale).into(),
        ))
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(row.body_text.clone()),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(row.body_html.clone()),
                ),
        )
        .map_err(|e| format!("building message: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Locale;
    use crate::mail::notify::{recompose, sample};
    use crate::mail::MailKind;

    #[test]
    fn every_email_says_it_is_automated_and_names_its_language() {
        let from: Mailbox = "buddymatch <noreply@buddymatch.nl>".parse().unwrap();
        for kind in MailKind::ALL {
            for locale in [Locale::Nl, Locale::En] {
                let r = recompose(kind, locale, &sample(kind)).unwrap().rendered;
                let row = OutboxRow {
                    id: "1".into(),
                    message_id: "<1@buddymatch.nl>".into(),
                    kind: kind.code().into(),
                    recipient: "anna@uwv.nl".into(),
                    locale: locale.code().into(),
                    subject: r.subject,
                    body_text: r.text,
                    body_html: r.html,
                    status: "pending".into(),
                    attempts: 0,
                    next_attempt_at: 0,
                    locked_until: None,
                    last_error: None,
                    created_at: 0,
                    sent_at: None,
                    user_id: None,
                    context: None,
                };
                let raw =
                    String::from_utf8(build_message(&row, &from).unwrap().formatted()).unwrap();
                let head = &raw[..raw.find("\r\n\r\n").unwrap()];
                assert!(
                    head.contains("\r\nAuto-Submitted: auto-generated\r\n"),
                    "{kind:?}: {head}"
                );
                assert!(
                    head.contains(&format!("\r\nContent-Language: {}\r\n", locale.code())),
                    "{kind:?}: {head}"
                );
                assert!(
                    head.contains("\r\nTo: anna@uwv.nl\r\n"),
                    "only the address: {head}"
                );
            }
        }
    }
}
