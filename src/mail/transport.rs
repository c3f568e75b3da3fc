//! Where email goes: an SMTP relay in production, a folder of .eml files by
//! default (no setup needed), a real SMTP server in the tests.

use crate::store::outbox::OutboxRow;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::Message;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub enum Transport {
    Smtp(SmtpRelay),
    /// One `<uuid>.eml` file per message, as lettre's file transport names
    /// them, but written 0600: they hold live sign-in links.
    Folder(PathBuf),
}

/// Why an email did not go out, as the relay said it: the reply code
/// decides whether trying again can help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// A 5xx reply: the relay refuses this message for good (RFC 5321
    /// 4.2.1), so sending it again would only be refused again.
    #[error("{code} {reply}")]
    Refused { code: u16, reply: String },
    /// A 4xx reply: the relay asks us to come back later.
    #[error("{code} {reply}")]
    Deferred { code: u16, reply: String },
    /// The relay did not finish the exchange within the deadline; it may
    /// or may not have taken the message.
    #[error("the relay did not answer within {} s", .0.as_secs())]
    TimedOut(Duration),
    /// No relay to talk to, or the conversation broke (refused connection,
    /// dropped connection, TLS, a reply that is not SMTP).
    #[error("{0}")]
    Relay(String),
    /// The row cannot become a message (an address the mailer cannot use):
    /// no retry can change that.
    #[error("{0}")]
    Unsendable(String),
    /// Writing the .eml file failed.
    #[error("{0}")]
    Folder(String),
}

impl SendError {
    /// Whether trying again later is pointless.
    pub fn is_permanent(&self) -> bool {
        matches!(self, SendError::Refused { .. } | SendError::Unsendable(_))
    }

    fn from_smtp(e: lettre::transport::smtp::Error) -> SendError {
        let reply = std::error::Error::source(&e).map(|s| s.to_string());
        match (e.status(), reply) {
            (Some(code), reply) => {
                let code = code.to_string().parse().unwrap_or(0);
                let reply = reply.unwrap_or_default();
                if e.is_permanent() {
                    SendError::Refused { code, reply }
                } else {
                    SendError::Deferred { code, reply }
                }
            }
            (None, _) => SendError::Relay(e.to_string()),
        }
    }
}

/// The relay named by `--smtp-url`, and the deadline of each exchange with
/// it. Each delivery lane keeps its own connection ([`Session`]) instead of
/// sharing a pool: a connection whose exchange was cut off by the deadline
/// is in an unknown state (perhaps halfway through a message) and must
/// never carry another email, which a pool would let it do.
#[derive(Clone)]
pub struct SmtpRelay {
    host: String,
    port: u16,
    tls: Tls,
    hello: ClientId,
    credentials: Option<Credentials>,
    timeout: Duration,
}

impl SmtpRelay {
    /// `smtp://host:port` (plain), `smtp://host?tls=required` (STARTTLS,
    /// or `opportunistic`), `smtps://user:pass@host` (implicit TLS), an
    /// optional path naming the EHLO host: the URLs lettre reads, with its
    /// default ports (25, 587, 465).
    pub fn parse(url: &str, timeout: Duration) -> Result<SmtpRelay, String> {
        let u = url::Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
        let host = u.host_str().ok_or("the URL names no host")?.to_string();
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let tls_mode = u.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v);
        let params = || TlsParameters::new(host.clone()).map_err(|e| e.to_string());
        let (port, tls) = match (u.scheme(), tls_mode.as_deref()) {
            ("smtp", None) => (25, Tls::None),
            ("smtp", Some("required")) => (587, Tls::Required(params()?)),
            ("smtp", Some("opportunistic")) => (587, Tls::Opportunistic(params()?)),
            ("smtps", _) => (465, Tls::Wrapper(params()?)),
            (scheme, tls) => {
                return Err(format!(
                    "use smtp:// (with ?tls=required or ?tls=opportunistic for STARTTLS) or \
                     smtps://, not {scheme}://{}",
                    tls.map(|t| format!(" with tls={t}")).unwrap_or_default()
                ))
            }
        };
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|c| c.into_owned())
                .map_err(|e| format!("the user or password is not UTF-8: {e}"))
        };
        let credentials = match u.password() {
            Some(password) => Some(Credentials::new(decode(u.username())?, decode(password)?)),
            None => None,
        };
        let path = u.path().trim_matches('/');
        Ok(SmtpRelay {
            port: u.port().unwrap_or(port),
            host,
            tls,
            hello: if path.is_empty() {
                ClientId::default()
            } else {
                ClientId::Domain(path.into())
            },
            credentials,
            timeout,
        })
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let no_relay =
            |e: std::io::Error| SendError::Relay(format!("connecting to the relay: {e}"));
        let mut conn = match &self.tls {
            // Implicit TLS: lettre connects and wraps the socket itself.
            Tls::Wrapper(p) => AsyncSmtpConnection::connect_tokio1(
                (self.host.as_str(), self.port),
                Some(self.timeout),
                &self.hello,
                Some(p.clone()),
                None,
            )
            .await
            .map_err(SendError::from_smtp)?,
            // Our own socket, with Nagle's algorithm off: each SMTP command
            // is a small write awaiting its reply, and with it on, the end
            // of a message's data waits for the relay's delayed ACK (40 ms
            // on Linux), which capped each lane at about 20 emails a second.
            _ => {
                let tcp = tokio::net::TcpStream::connect((self.host.as_str(), self.port))
                    .await
                    .map_err(no_relay)?;
                tcp.set_nodelay(true).map_err(no_relay)?;
                AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello)
                    .await
                    .map_err(SendError::from_smtp)?
            }
        };
        let setup = async {
            match &self.tls {
                Tls::Opportunistic(p) if conn.can_starttls() => {
                    conn.starttls(p.clone(), &self.hello).await?
                }
                Tls::Required(p) => conn.starttls(p.clone(), &self.hello).await?,
                _ => {}
            }
            if let Some(c) = &self.credentials {
                conn.auth(DEFAULT_MECHANISMS, c).await?;
            }
            Ok::<_, lettre::transport::smtp::Error>(())
        };
        setup.await.map_err(SendError::from_smtp)?;
        Ok(conn)
    }
}

/// A connection left idle longer than this is checked (NOOP) before it
/// carries an email: relays close idle connections, and finding that out
/// halfway through a message would cost the email an attempt.
const IDLE_CHECK: Duration = Duration::from_secs(2);

impl Transport {
    /// Email over SMTP, each exchange (connecting included) given up on
    /// after `timeout`.
    pub fn smtp(url: &str, timeout: Duration) -> anyhow::Result<Transport> {
        Ok(Transport::Smtp(
            SmtpRelay::parse(url, timeout).map_err(anyhow::Error::msg)?,
        ))
    }

    /// The folder is created 0700, or tightened (with the messages already
    /// in it) when an earlier version left it readable.
    pub fn folder(dir: PathBuf) -> anyhow::Result<Transport> {
        crate::files::private_dir(&dir)?;
        crate::files::private_files_in(&dir)?;
        Ok(Transport::Folder(dir))
    }

    /// A delivery lane's session: it reuses one relay connection from one
    /// email to the next.
    pub fn session(&self) -> Session<'_> {
        Session {
            transport: self,
            conn: None,
        }
    }
}

pub struct Session<'a> {
    transport: &'a Transport,
    /// The open connection and when it last finished an exchange.
    conn: Option<(AsyncSmtpConnection, Instant)>,
}

impl Session<'_> {
    /// Sends one message. Over SMTP the whole exchange, from connecting to
    /// the relay's reply after the data, has the relay's deadline; a
    /// connection that failed or ran out of time is dropped (the relay
    /// discards a message whose data never ended), never reused.
    pub async fn send(&mut self, msg: &Message) -> Result<(), SendError> {
        let relay = match self.transport {
            Transport::Smtp(relay) => relay,
            Transport::Folder(dir) => {
                let path = dir.join(format!("{}.eml", uuid::Uuid::new_v4()));
                let raw = msg.formatted();
                return tokio::task::spawn_blocking(move || {
                    crate::files::write_private(&path, &raw)
                })
                .await
                .map_err(|e| SendError::Folder(e.to_string()))?
                .map_err(|e| SendError::Folder(e.to_string()));
            }
        };
        let raw = msg.formatted();
        let kept = self.conn.take();
        let exchange = async {
            let mut conn = match kept {
                Some((mut c, idle_since)) => {
                    if idle_since.elapsed() < IDLE_CHECK || c.test_connected().await {
                        c
                    } else {
                        relay.connect().await?
                    }
                }
                None => relay.connect().await?,
            };
            conn.send(msg.envelope(), &raw)
                .await
                .map(|_| conn)
                .map_err(SendError::from_smtp)
        };
        match tokio::time::timeout(relay.timeout, exchange).await {
            Ok(Ok(conn)) => {
                self.conn = Some((conn, Instant::now()));
                Ok(())
            }
            Ok(Err(e)) => Err(e),
            Err(_) => Err(SendError::TimedOut(relay.timeout)),
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

/// Text and HTML as alternatives; with an invite, the invite is a third
/// alternative (`text/calendar; method=...`, which Outlook and Gmail show as
/// an invitation with answer buttons) and also an `.ics` attachment (which
/// Apple Mail and others open in the calendar): iTIP over email, RFC 6047.
fn body(row: &OutboxRow) -> Result<MultiPart, SendError> {
    let alternative = MultiPart::alternative()
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(row.body_text.clone()),
        )
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(row.body_html.clone()),
        );
    let Some(ics) = row.ics.as_deref() else {
        return Ok(alternative);
    };
    let method = if ics.contains("\r\nMETHOD:CANCEL\r\n") {
        "CANCEL"
    } else {
        "REQUEST"
    };
    let calendar = ContentType::parse(&format!("text/calendar; method={method}; charset=UTF-8"))
        .map_err(|e| SendError::Unsendable(format!("calendar content type: {e}")))?;
    let attachment = ContentType::parse("application/ics; name=\"invite.ics\"")
        .map_err(|e| SendError::Unsendable(format!("calendar content type: {e}")))?;
    Ok(MultiPart::mixed()
        .multipart(
            alternative.singlepart(SinglePart::builder().header(calendar).body(ics.to_string())),
        )
        .singlepart(
            lettre::message::Attachment::new("invite.ics".into()).body(ics.to_string(), attachment),
        ))
}

/// Builds the message from the outbox row. The Message-ID comes from the
/// row, so a retry after an unclear failure carries the same id and a
/// receiving system can drop the duplicate.
pub fn build_message(
    row: &OutboxRow,
    from: &Mailbox,
    reply_to: Option<&Mailbox>,
) -> Result<Message, SendError> {
    let to: Mailbox = row
        .recipient
        .parse()
        .map_err(|e| SendError::Unsendable(format!("bad recipient: {e}")))?;
    let mut builder = Message::builder().from(from.clone()).to(to);
    if let Some(r) = reply_to {
        builder = builder.reply_to(r.clone());
    }
    if let Some(url) = row.unsubscribe.as_deref() {
        // RFC 8058: a mail client unsubscribes with one POST to this
        // address, without the member logging in (or a browser opening it).
        builder = builder
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{url}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".into(),
            ));
    }
    builder
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
        .multipart(body(row)?)
        .map_err(|e| SendError::Unsendable(format!("building message: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Locale;
    use crate::mail::notify::{recompose, sample};
    use crate::mail::MailKind;

    #[test]
    fn relay_urls_read_as_lettre_reads_them() {
        let t = Duration::from_secs(7);
        let r = SmtpRelay::parse("smtp://127.0.0.1:2525", t).unwrap();
        assert_eq!((r.host.as_str(), r.port), ("127.0.0.1", 2525));
        assert!(matches!(r.tls, Tls::None) && r.credentials.is_none());
        assert_eq!(r.timeout, t);
        let r = SmtpRelay::parse("smtp://relay.example.nl?tls=required", t).unwrap();
        assert!(matches!(r.tls, Tls::Required(_)) && r.port == 587);
        let r =
            SmtpRelay::parse("smtps://user:p%40ss@relay.example.nl/mail.example.nl", t).unwrap();
        assert!(matches!(r.tls, Tls::Wrapper(_)) && r.port == 465);
        assert_eq!(
            r.credentials,
            Some(Credentials::new("user".into(), "p@ss".into()))
        );
        assert_eq!(r.hello, ClientId::Domain("mail.example.nl".into()));
        for bad in [
            "http://relay.example.nl",
            "smtp://x?tls=maybe",
            "relay.example.nl",
        ] {
            assert!(SmtpRelay::parse(bad, t).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_refusals_and_unsendable_rows_are_permanent() {
        let refused = SendError::Refused {
            code: 550,
            reply: "5.1.1 no such user".into(),
        };
        assert!(refused.is_permanent());
        assert_eq!(refused.to_string(), "550 5.1.1 no such user");
        assert!(SendError::Unsendable("bad recipient".into()).is_permanent());
        for retried in [
            SendError::Deferred {
                code: 451,
                reply: "try later".into(),
            },
            SendError::TimedOut(Duration::from_secs(30)),
            SendError::Relay("connection refused".into()),
            SendError::Folder("disk full".into()),
        ] {
            assert!(!retried.is_permanent(), "{retried}");
        }
    }

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
                    status: crate::domain::OutboxStatus::Pending,
                    attempts: 0,
                    next_attempt_at: 0,
                    locked_until: None,
                    last_error: None,
                    created_at: 0,
                    sent_at: None,
                    user_id: None,
                    context: None,
                    ics: None,
                    unsubscribe: None,
                };
                let raw = String::from_utf8(build_message(&row, &from, None).unwrap().formatted())
                    .unwrap();
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
