//! One typed configuration, from flags or environment, with defaults that
//! run on a bare machine: an SQLite file and a mail folder under `data/`.

use ipnet::IpNet;
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;

/// Holds a secret; its `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret(s.to_string()))
    }
}

/// One address (`10.0.0.2`, `::1`) or a CIDR range of them (`10.0.0.0/8`,
/// `fd00::/8`). A range must name its network: `10.0.0.5/8` is refused as a
/// likely typo rather than read as `10.0.0.0/8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange(IpNet);

impl IpRange {
    /// Whether `ip` lies in the range. An IPv4 address seen as IPv6
    /// (`::ffff:10.0.0.2`, from a dual-stack socket) counts as IPv4.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.contains(&ip.to_canonical())
    }
}

impl std::str::FromStr for IpRange {
    type Err = String;
    /// ipnet does the arithmetic; the address and the prefix are parsed
    /// apart here so that an operator is told which of the two is wrong.
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let Some((addr, prefix)) = s.split_once('/') else {
            let ip: IpAddr = s
                .parse()
                .map_err(|_| format!("{s:?} is not an IP address or CIDR range"))?;
            return Ok(IpRange(ip.to_canonical().into()));
        };
        let network: IpAddr = addr
            .parse()
            .map_err(|_| format!("{s:?}: {addr:?} is not an IP address"))?;
        // Clients are compared in their canonical form, so an IPv4-mapped
        // IPv6 range could never match: ask for the IPv4 spelling.
        if let (IpAddr::V6(_), IpAddr::V4(v4)) = (network, network.to_canonical()) {
            return Err(format!(
                "{s:?} is an IPv4-mapped IPv6 range; write it as an IPv4 range (e.g. {v4}/…)"
            ));
        }
        let max = if network.is_ipv4() { 32 } else { 128 };
        let range = prefix
            .parse()
            .ok()
            .and_then(|p| IpNet::new(network, p).ok())
            .ok_or_else(|| format!("{s:?}: the prefix length must be 0 to {max}"))?;
        if range.trunc() != range {
            return Err(format!(
                "{s:?} has bits set beyond its prefix; the range is {}",
                range.trunc()
            ));
        }
        Ok(IpRange(range))
    }
}

impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Address and port the HTTP API listens on.
    #[arg(
        long,
        env = "BUDDYMATCH_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: String,

    /// Folder for the default SQLite database, generated signing key and mail folder.
    #[arg(
        long,
        env = "BUDDYMATCH_DATA_DIR",
        default_value = "data",
        global = true
    )]
    pub data_dir: PathBuf,

    /// Database: sqlite://PATH or postgres://USER@HOST:PORT/DB. [default: sqlite://DATA_DIR/buddymatch.db]
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    pub database_url: Option<String>,

    /// Maximum open database connections.
    #[arg(
        long,
        env = "BUDDYMATCH_DB_POOL_SIZE",
        default_value_t = 8,
        global = true
    )]
    pub db_pool_size: u32,

    /// JWT signing key (HS256, at least 32 bytes). Production must set this or --signing-key-file.
    #[arg(
        long,
        env = "BUDDYMATCH_SIGNING_KEY",
        hide_env_values = true,
        global = true
    )]
    pub signing_key: Option<Secret>,

    /// Retired signing keys, comma-separated, still accepted for verifying access tokens
    /// (rotation without logging anyone out); tokens are signed with the current key only.
    #[arg(
        long,
        env = "BUDDYMATCH_PREVIOUS_SIGNING_KEYS",
        hide_env_values = true,
        value_delimiter = ',',
        global = true
    )]
    pub previous_signing_keys: Vec<Secret>,

    /// File holding the signing key; generated (mode 0600) on first start if missing. [default: DATA_DIR/signing.key]
    #[arg(long, env = "BUDDYMATCH_SIGNING_KEY_FILE", global = true)]
    pub signing_key_file: Option<PathBuf>,

    /// The address this service is reached at from outside (scheme, host,
    /// port): the pages and feeds it serves are linked from email under it,
    /// and it is the token issuer. Set it whenever the host or port differ
    /// from the default, or the links in email lead nowhere.
    #[arg(
        long,
        env = "BUDDYMATCH_PUBLIC_BASE_URL",
        default_value = "http://127.0.0.1:8080",
        global = true
    )]
    pub public_base_url: String,

    /// The web front end's address, when one is deployed: links in email
    /// (answering a match, settings, appointments) then lead there instead
    /// of to the small pages the service serves itself.
    #[arg(long, env = "BUDDYMATCH_WEB_APP_URL", global = true)]
    pub web_app_url: Option<String>,

    /// Folder where outgoing email is written as .eml files when no SMTP URL is set. [default: DATA_DIR/mail]
    #[arg(long, env = "BUDDYMATCH_MAIL_DIR", global = true)]
    pub mail_dir: Option<PathBuf>,

    /// SMTP relay, e.g. smtps://user:pass@smtp.example.nl or smtp://host:25?tls=required; overrides the mail folder.
    #[arg(
        long,
        env = "BUDDYMATCH_SMTP_URL",
        hide_env_values = true,
        global = true
    )]
    pub smtp_url: Option<Secret>,

    /// Sender address of outgoing email.
    #[arg(
        long,
        env = "BUDDYMATCH_MAIL_FROM",
        default_value = "buddymatch <noreply@buddymatch.local>",
        global = true
    )]
    pub mail_from: String,

    /// Where replies to our email go (a mailbox people read, such as the
    /// programme office), when the sender address is not read.
    #[arg(long, env = "BUDDYMATCH_MAIL_REPLY_TO", global = true)]
    pub mail_reply_to: Option<String>,

    /// Delivery attempts per email before it is marked failed.
    #[arg(
        long,
        env = "BUDDYMATCH_MAIL_MAX_ATTEMPTS",
        default_value_t = 8,
        global = true
    )]
    pub mail_max_attempts: i32,

    /// First retry delay in seconds; it doubles with each failed attempt.
    #[arg(
        long,
        env = "BUDDYMATCH_MAIL_BACKOFF_SECS",
        default_value_t = 30,
        global = true
    )]
    pub mail_backoff_secs: i64,

    /// Longest retry delay in seconds.
    #[arg(
        long,
        env = "BUDDYMATCH_MAIL_BACKOFF_MAX_SECS",
        default_value_t = 3600,
        global = true
    )]
    pub mail_backoff_max_secs: i64,

    /// How often the delivery worker looks for due email, in milliseconds.
    #[arg(
        long,
        env = "BUDDYMATCH_MAIL_POLL_MS",
        default_value_t = 1000,
        global = true
    )]
    pub mail_poll_ms: u64,

    /// Emails each instance delivers at once, each lane over its own SMTP
    /// connection kept open between emails; 1 sends them one after another.
    #[arg(
        long,
        env = "BUDDYMATCH_MAIL_CONCURRENCY",
        default_value_t = 16,
        value_parser = clap::value_parser!(u16).range(1..=64),
        global = true
    )]
    pub mail_concurrency: u16,

    /// Seconds an exchange with the SMTP relay may take, from connecting to
    /// its answer after the message; a relay silent that long is hung up on
    /// and the email tried again later.
    #[arg(
        long,
        env = "BUDDYMATCH_SMTP_TIMEOUT_SECS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..=600),
        global = true
    )]
    pub smtp_timeout_secs: u64,

    /// Comma-separated origins allowed by CORS (e.g. https://app.example.nl); none by default.
    #[arg(
        long,
        env = "BUDDYMATCH_CORS_ORIGINS",
        value_delimiter = ',',
        global = true
    )]
    pub cors_origins: Vec<String>,

    /// Log filter (tracing EnvFilter syntax), e.g. info or buddymatch=debug.
    #[arg(long, env = "BUDDYMATCH_LOG", default_value = "info", global = true)]
    pub log_level: String,

    /// Log output format.
    #[arg(long, env = "BUDDYMATCH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// Lifetime of access tokens, in seconds.
    #[arg(
        long,
        env = "BUDDYMATCH_ACCESS_TOKEN_TTL",
        default_value_t = 900,
        global = true
    )]
    pub access_token_ttl_secs: u64,

    /// Lifetime of refresh tokens, in days.
    #[arg(
        long,
        env = "BUDDYMATCH_REFRESH_TOKEN_TTL_DAYS",
        default_value_t = 30,
        global = true
    )]
    pub refresh_token_ttl_days: u64,

    /// Failed logins allowed per account, and per client address, within the lock-out window.
    #[arg(
        long,
        env = "BUDDYMATCH_LOGIN_MAX_FAILURES",
        default_value_t = 5,
        global = true
    )]
    pub login_max_failures: u32,

    /// Length of the failed-login window, in seconds.
    #[arg(
        long,
        env = "BUDDYMATCH_LOGIN_WINDOW_SECS",
        default_value_t = 900,
        global = true
    )]
    pub login_window_secs: u64,

    /// Sign-ups allowed per client address per hour.
    #[arg(
        long,
        env = "BUDDYMATCH_REGISTER_MAX_PER_HOUR",
        default_value_t = 30,
        global = true
    )]
    pub register_max_per_hour: u32,

    /// Proxy or load-balancer addresses or CIDR ranges (10.0.0.2, 10.0.0.0/8, fd00::/8) whose
    /// X-Forwarded-For is believed, comma-separated; the per-address login and email limits then
    /// count the client behind the proxy.
    #[arg(
        long,
        env = "BUDDYMATCH_TRUSTED_PROXIES",
        value_delimiter = ',',
        global = true
    )]
    pub trusted_proxies: Vec<IpRange>,

    /// Days after which an account whose email address was never confirmed is deleted.
    #[arg(
        long,
        env = "BUDDYMATCH_PURGE_UNVERIFIED_DAYS",
        default_value_t = 14,
        global = true
    )]
    pub purge_unverified_days: u64,

    /// How often expired tokens and stale unverified accounts are purged, in seconds.
    #[arg(
        long,
        env = "BUDDYMATCH_PURGE_INTERVAL_SECS",
        default_value_t = 3600,
        global = true
    )]
    pub purge_interval_secs: u64,
    /// Bearer token that GET /metrics requires; without it /metrics is open to anyone who reaches the port.
    #[arg(
        long,
        env = "BUDDYMATCH_METRICS_TOKEN",
        hide_env_values = true,
        global = true
    )]
    pub metrics_token: Option<Secret>,

    /// Answer every request with a Server-Timing header naming its database queries and their time (for development and load tests: the count can tell a client which branch a request took, so leave it off where the API is public).
    #[arg(
        long,
        env = "BUDDYMATCH_SERVER_TIMING",
        default_value_t = false,
        global = true
    )]
    pub server_timing: bool,

    /// On SIGTERM or SIGINT: seconds to let requests in flight, work they left running (a reset email) and the email in hand finish before they are cut off.
    #[arg(
        long,
        env = "BUDDYMATCH_SHUTDOWN_TIMEOUT_SECS",
        default_value_t = 20,
        global = true
    )]
    pub shutdown_timeout_secs: u64,

    /// Largest accepted request body, in bytes.
    #[arg(long, env = "BUDDYMATCH_MAX_BODY_BYTES", default_value_t = 64 * 1024, global = true)]
    pub max_body_bytes: usize,
}

impl Config {
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!("sqlite://{}", self.data_dir.join("buddymatch.db").display())
        })
    }

    /// The database URL with any password replaced, for messages and logs.
    pub fn database_url_redacted(&self) -> String {
        let url = self.database_url();
        match (url.find("://"), url.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                let userinfo = &url[scheme + 3..at];
                match userinfo.split_once(':') {
                    Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                    None => url,
                }
            }
            _ => url,
        }
    }

    pub fn signing_key_file(&self) -> PathBuf {
        self.signing_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("signing.key"))
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.mail_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("mail"))
    }

    /// Defaults for a given data folder; tests and tools start from this.
    pub fn with_data_dir(data_dir: impl Into<PathBuf>) -> Config {
        use clap::Parser;
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            config: Config,
        }
        let mut c = Only::parse_from(["buddymatch"]).config;
        c.data_dir = data_dir.into();
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_from_database_urls() {
        let mut c = Config::with_data_dir("d");
        c.database_url = Some("postgres://app:s3cret@db:5432/bm".into());
        assert_eq!(c.database_url_redacted(), "postgres://app:***@db:5432/bm");
        c.database_url = Some("postgres://app@db/bm".into());
        assert_eq!(c.database_url_redacted(), "postgres://app@db/bm");
        c.database_url = None;
        assert_eq!(c.database_url_redacted(), "sqlite://d/buddymatch.db");
    }

    #[test]
    fn trusted_proxies_take_addresses_and_cidr_ranges() {
        let r = |s: &str| s.parse::<IpRange>().unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let pods = r("10.244.0.0/16");
        assert!(pods.contains(ip("10.244.0.1")));
        assert!(pods.contains(ip("10.244.255.254")));
        assert!(!pods.contains(ip("10.245.0.1")));
        assert!(!pods.contains(ip("::1")));
        // Dual-stack sockets show IPv4 peers as IPv4-mapped IPv6.
        assert!(pods.contains(ip("::ffff:10.244.3.4")));
        let one = r("10.0.0.2");
        assert!(one.contains(ip("10.0.0.2")) && !one.contains(ip("10.0.0.3")));
        assert_eq!(one.to_string(), "10.0.0.2/32");
        assert!(r("0.0.0.0/0").contains(ip("203.0.113.9")));
        assert!(r("fd00::/8").contains(ip("fd12:3456::1")));
        assert!(!r("fd00::/8").contains(ip("fe80::1")));
        assert!(r("2001:db8::1/128").contains(ip("2001:db8::1")));
        assert!(r("::1").contains(ip("::1")));
        for bad in [
            "10.0.0.5/8",
            "10.0.0.0/33",
            "fd00::/129",
            "10.0.0.0/",
            "10.0.0/8",
            "nginx",
            "",
            "::ffff:10.0.0.0/104",
        ] {
            assert!(bad.parse::<IpRange>().is_err(), "{bad:?}");
        }
        assert!("10.0.0.5/8"
            .parse::<IpRange>()
            .unwrap_err()
            .contains("10.0.0.0/8"));

        use clap::Parser;
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            config: Config,
        }
        let c =
            Only::parse_from(["buddymatch", "--trusted-proxies", "127.0.0.1,10.244.0.0/16"]).config;
        assert_eq!(c.trusted_proxies, vec![r("127.0.0.1"), pods]);
    }

    #[test]
    fn secrets_do_not_print() {
        assert_eq!(
            format!("{:?}", Secret::new("hunter2")),
            "Secret([redacted])"
        );
    }
}
