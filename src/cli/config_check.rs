//! `buddymatch config check`: reads a deployment's settings with the same
//! clap parser `serve` uses and checks them as `serve` does at start-up,
//! without opening a database, a port or a mail connection. Every problem is
//! reported, each with the file and line that set the value, so one run shows
//! all that must change.

use crate::auth::JwtKeys;
use crate::config::Config;
use crate::store::DatabaseUrl;
use clap::{ArgMatches, CommandFactory, FromArgMatches};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Environment file to check (KEY=VALUE lines, # comments, values optionally in quotes),
    /// as systemd's EnvironmentFile= or Compose's env_file reads it. Repeat it to layer files
    /// (a ConfigMap and a Secret), later ones winning. With files, only they count: settings in
    /// this process's environment are ignored. Without, the environment is checked.
    #[arg(long = "env-file", value_name = "FILE")]
    pub env_files: Vec<PathBuf>,

    /// Also print the resulting settings, defaults included and secrets hidden, as NAME=VALUE.
    #[arg(long)]
    pub print: bool,
}

/// The settings alone, as `serve` reads them (the same flattened `Config`).
#[derive(clap::Parser)]
#[command(name = "buddymatch")]
struct Settings {
    #[command(flatten)]
    config: Config,
}

/// One environment variable and where it was set.
struct Entry {
    name: String,
    value: String,
    origin: String,
}

pub fn run(args: &CheckArgs) -> anyhow::Result<()> {
    let known = setting_names();
    let mut problems = Vec::new();
    let (entries, what) = if args.env_files.is_empty() {
        (
            process_entries(&known, &mut problems),
            "the environment".to_string(),
        )
    } else {
        let mut entries = Vec::new();
        for path in &args.env_files {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
            let file = path.display().to_string();
            entries.extend(read_env_file(&file, &text, &known, &mut problems));
        }
        let files: Vec<String> = args
            .env_files
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        (entries, files.join(" + "))
    };
    // Later files win, as with layered env files.
    let effective: Vec<&Entry> = entries
        .iter()
        .enumerate()
        .filter(|(i, e)| !entries[i + 1..].iter().any(|later| later.name == e.name))
        .map(|(_, e)| e)
        .collect();

    // clap stops at the first bad value: parse each setting alone to name
    // every one that is refused, then check the rest together.
    let mut accepted = Vec::new();
    for e in &effective {
        match parse(&known, &[e]) {
            Ok(_) => accepted.push(*e),
            Err(err) => problems.push(format!("{}: {}: {}", e.origin, e.name, clap_reason(&err))),
        }
    }
    let (config, matches) =
        parse(&known, &accepted).map_err(|e| anyhow::anyhow!("{}", clap_reason(&e)))?;
    for (name, message) in start_up_problems(&config) {
        let origin = match accepted.iter().find(|e| e.name == name) {
            Some(e) => format!("{}: {name}", e.origin),
            None => format!("{name} (the default)"),
        };
        problems.push(format!("{origin}: {message}"));
    }
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("{p}");
        }
        anyhow::bail!(
            "{what}: {} problem{} in the configuration",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        );
    }
    println!(
        "{what}: {} setting{}, no problems",
        effective.len(),
        if effective.len() == 1 { "" } else { "s" }
    );
    if args.print {
        print_settings(&matches);
    }
    Ok(())
}

/// Each setting's environment name, and whether its value is secret.
fn setting_names() -> BTreeMap<String, bool> {
    Settings::command()
        .get_arguments()
        .filter_map(|a| {
            let env = a.get_env()?.to_str()?.to_string();
            Some((env, a.is_hide_env_values_set()))
        })
        .collect()
}

/// The settings in this process's environment; a `BUDDYMATCH_` name that is
/// no setting is most likely a misspelt one.
fn process_entries(known: &BTreeMap<String, bool>, problems: &mut Vec<String>) -> Vec<Entry> {
    let mut entries = Vec::new();
    for (name, value) in std::env::vars_os() {
        let (Some(name), Some(value)) = (name.to_str(), value.to_str()) else {
            continue;
        };
        if known.contains_key(name) {
            entries.push(Entry {
                name: name.to_string(),
                value: value.to_string(),
                origin: "environment".into(),
            });
        } else if name.starts_with("BUDDYMATCH_") {
            problems.push(format!(
                "environment: {name} is not a buddymatch setting (see buddymatch --help)"
            ));
        }
    }
    entries
}

/// KEY=VALUE lines, blank lines and # comments; a value wholly in double or
/// single quotes loses them (systemd and Compose both read it so).
fn read_env_file(
    file: &str,
    text: &str,
    known: &BTreeMap<String, bool>,
    problems: &mut Vec<String>,
) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let origin = format!("{file}:{}", n + 1);
        let Some((name, value)) = line.split_once('=') else {
            problems.push(format!("{origin}: not a KEY=VALUE line"));
            continue;
        };
        let name = name.trim();
        let value = value.trim();
        let value = match value.chars().next() {
            Some(q @ ('"' | '\'')) => match value.strip_prefix(q).and_then(|v| v.strip_suffix(q)) {
                Some(inner) => inner,
                None => {
                    problems.push(format!(
                        "{origin}: {name}: the value's quotes are not closed"
                    ));
                    continue;
                }
            },
            _ => value,
        };
        if !known.contains_key(name) {
            problems.push(format!(
                "{origin}: {name} is not a buddymatch setting (see buddymatch --help)"
            ));
            continue;
        }
        if let Some(earlier) = entries.iter().find(|e| e.name == name) {
            problems.push(format!(
                "{origin}: {name} is set twice in {file} (first at {})",
                earlier.origin
            ));
            continue;
        }
        entries.push(Entry {
            name: name.to_string(),
            value: value.to_string(),
            origin,
        });
    }
    entries
}

/// Parses exactly these settings from the environment, the way `serve`
/// reads its own. clap reads the environment when the command is built, so
/// the process's settings are replaced first; this runs on the main thread
/// before anything else is started, so nothing reads the environment meanwhile.
fn parse(
    known: &BTreeMap<String, bool>,
    entries: &[&Entry],
) -> Result<(Config, ArgMatches), clap::Error> {
    for name in known.keys() {
        std::env::remove_var(name);
    }
    for e in entries {
        std::env::set_var(&e.name, &e.value);
    }
    let matches = Settings::command().try_get_matches_from(["buddymatch"])?;
    let config = Settings::from_arg_matches(&matches)?.config;
    Ok((config, matches))
}

/// clap's message without its "error: " prefix and usage hints.
fn clap_reason(err: &clap::Error) -> String {
    let text = err.render().to_string();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
        .map(|l| l.strip_prefix("error: ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What `serve` refuses, or would silently get wrong, before it connects to
/// anything: (setting, message) for each problem.
fn start_up_problems(c: &Config) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Err(e) = DatabaseUrl::parse(&c.database_url()) {
        out.push(("DATABASE_URL", e));
    }
    if let Some(problem) = bind_problem(&c.bind) {
        out.push(("BUDDYMATCH_BIND", problem));
    }
    if let Some(url) = &c.smtp_url {
        let timeout = std::time::Duration::from_secs(c.smtp_timeout_secs);
        if let Err(e) = crate::mail::transport::SmtpRelay::parse(url.expose(), timeout) {
            out.push(("BUDDYMATCH_SMTP_URL", format!("not a usable SMTP URL: {e}")));
        }
    }
    match c.mail_from.parse::<lettre::message::Mailbox>() {
        Err(e) => out.push((
            "BUDDYMATCH_MAIL_FROM",
            format!(
                "{:?} is not an address or `Name <address>`: {e}",
                c.mail_from
            ),
        )),
        // Only mail that leaves through a relay meets SPF and replies; the
        // .eml folder does not care.
        Ok(_) if c.smtp_url.is_some() => {
            if let Some(problem) = crate::mail::sender::domain_problem(&c.mail_from) {
                out.push((
                    "BUDDYMATCH_MAIL_FROM",
                    format!("{problem}; with BUDDYMATCH_SMTP_URL set, use an address at your own domain"),
                ));
            }
        }
        Ok(_) => {}
    }
    if let Some(key) = &c.signing_key {
        if let Err(e) = JwtKeys::new(key.expose().as_bytes(), &c.public_base_url, 1) {
            out.push((
                "BUDDYMATCH_SIGNING_KEY",
                format!("{e} (this one is {} bytes)", key.expose().len()),
            ));
        }
    }
    for (i, key) in c.previous_signing_keys.iter().enumerate() {
        if let Err(e) = JwtKeys::new(key.expose().as_bytes(), &c.public_base_url, 1) {
            out.push((
                "BUDDYMATCH_PREVIOUS_SIGNING_KEYS",
                format!("key {} is {} bytes: {e}", i + 1, key.expose().len()),
            ));
        }
    }
    match url::Url::parse(&c.public_base_url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
        _ => out.push((
            "BUDDYMATCH_PUBLIC_BASE_URL",
            format!(
                "{:?} is not an http(s) URL; emailed links start with it",
                c.public_base_url
            ),
        )),
    }
    if let Some(web) = &c.web_app_url {
        match url::Url::parse(web) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
            _ => out.push((
                "BUDDYMATCH_WEB_APP_URL",
                format!("{web:?} is not an http(s) URL; emailed links start with it"),
            )),
        }
    }
    if let Some(reply_to) = &c.mail_reply_to {
        if let Err(e) = reply_to.parse::<lettre::message::Mailbox>() {
            out.push((
                "BUDDYMATCH_MAIL_REPLY_TO",
                format!("{reply_to:?} is not an address or `Name <address>`: {e}"),
            ));
        }
    }
    for origin in &c.cors_origins {
        // Browsers send Origin as scheme://host[:port] and the server
        // compares it as a string: anything else never matches.
        let serialised = url::Url::parse(origin)
            .ok()
            .map(|u| u.origin().ascii_serialization());
        if serialised.as_deref() != Some(origin.as_str()) {
            let hint = match serialised.filter(|s| s != "null") {
                Some(s) => format!("; write it as {s}"),
                None => String::new(),
            };
            out.push((
                "BUDDYMATCH_CORS_ORIGINS",
                format!("{origin:?} can never equal a browser's Origin header{hint}"),
            ));
        }
    }
    if let Err(e) = tracing_subscriber::EnvFilter::try_new(&c.log_level) {
        out.push((
            "BUDDYMATCH_LOG",
            format!(
                "{:?} is not a log filter ({e}); the server would log at info",
                c.log_level
            ),
        ));
    }
    out
}

/// `serve` binds HOST:PORT; a name is resolved then, so only the form is
/// checked here.
fn bind_problem(bind: &str) -> Option<String> {
    if bind.parse::<std::net::SocketAddr>().is_ok() {
        return None;
    }
    match bind.rsplit_once(':') {
        Some((host, port))
            if !host.is_empty() && !host.contains(':') && port.parse::<u16>().is_ok() =>
        {
            None
        }
        _ => Some(format!(
            "{bind:?} is not HOST:PORT (e.g. 0.0.0.0:8080 or [::]:8080)"
        )),
    }
}

fn print_settings(matches: &ArgMatches) {
    for arg in Settings::command().get_arguments() {
        let Some(env) = arg.get_env().and_then(|e| e.to_str()) else {
            continue;
        };
        let Some(raw) = matches.get_raw(arg.get_id().as_str()) else {
            continue;
        };
        let value = if arg.is_hide_env_values_set() {
            "(hidden)".to_string()
        } else {
            raw.map(|v| v.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(",")
        };
        println!("{env}={value}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_files_read_like_systemd_and_compose() {
        let known = setting_names();
        let mut problems = Vec::new();
        let text = "# c\n\nBUDDYMATCH_BIND=0.0.0.0:8080\nBUDDYMATCH_MAIL_FROM=\"a <b@c.nl>\"\n\
                    BUDDYMATCH_LOG='info'\nBUDDYMATCH_BINDD=x\nno equals\nBUDDYMATCH_BIND=1:2\n\
                    BUDDYMATCH_LOG_FORMAT=\"json\n";
        let got = read_env_file("f", text, &known, &mut problems);
        let pairs: Vec<_> = got
            .iter()
            .map(|e| (e.name.as_str(), e.value.as_str(), e.origin.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("BUDDYMATCH_BIND", "0.0.0.0:8080", "f:3"),
                ("BUDDYMATCH_MAIL_FROM", "a <b@c.nl>", "f:4"),
                ("BUDDYMATCH_LOG", "info", "f:5"),
            ]
        );
        assert_eq!(
            problems,
            [
                "f:6: BUDDYMATCH_BINDD is not a buddymatch setting (see buddymatch --help)",
                "f:7: not a KEY=VALUE line",
                "f:8: BUDDYMATCH_BIND is set twice in f (first at f:3)",
                "f:9: BUDDYMATCH_LOG_FORMAT: the value's quotes are not closed",
            ]
        );
    }

    #[test]
    fn start_up_problems_name_their_setting() {
        let mut c = Config::with_data_dir("d");
        assert!(start_up_problems(&c).is_empty(), "defaults run as they are");
        c.database_url = Some("mysql://x/y".into());
        c.bind = "8080".into();
        c.smtp_url = Some(crate::config::Secret::new("smtp://relay.example.nl:587"));
        c.signing_key = Some(crate::config::Secret::new("short"));
        c.public_base_url = "buddymatch.nl".into();
        c.cors_origins = vec!["https://app.nl/".into()];
        c.log_level = "buddymatch=loud".into();
        let names: Vec<_> = start_up_problems(&c).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "DATABASE_URL",
                "BUDDYMATCH_BIND",
                "BUDDYMATCH_MAIL_FROM",
                "BUDDYMATCH_SIGNING_KEY",
                "BUDDYMATCH_PUBLIC_BASE_URL",
                "BUDDYMATCH_CORS_ORIGINS",
                "BUDDYMATCH_LOG",
            ]
        );
        assert_eq!(bind_problem("[::]:8080"), None);
        assert_eq!(bind_problem("localhost:8080"), None);
        assert!(bind_problem("localhost").is_some());
    }
}
