//! The server-side commands: serve, migrate, admin and config check.

pub mod config_check;

use crate::config::Config;
use crate::domain::{check_password, display_name, Locale, Role};
use crate::service::accounts::{self, NewAccount};
use crate::startup::App;
use crate::store::{db, DatabaseUrl};
use anyhow::Context;

#[derive(Debug, clap::Subcommand)]
pub enum AdminCommand {
    /// Create an account with a role, or give an existing account that role.
    Create {
        /// Email address of the account.
        #[arg(long)]
        email: String,
        /// Role to create or promote to.
        #[arg(long, value_parser = ["member", "coordinator", "admin"])]
        role: String,
        /// Display name for a new account.
        #[arg(long, default_value = "Coördinator")]
        name: String,
        /// Read the new account's password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum ConfigCommand {
    /// Check settings as `serve` does at start-up, without starting anything; names every
    /// problem with the file and line that set it, and exits 1 if there is one.
    Check(config_check::CheckArgs),
}

pub async fn serve(config: Config) -> anyhow::Result<()> {
    let app = App::build(config.clone()).await?;
    tracing::info!(bind = %config.bind, port = app.port(), "buddymatch is serving");
    let signals = tokio::spawn(crate::startup::shutdown_on_signals(app.shutdown()));
    let stopped = app.run_until_stopped().await?;
    signals.abort();
    tracing::info!(
        cleanly = stopped == crate::startup::Stopped::Cleanly,
        "stopped"
    );
    Ok(())
}

fn connect(config: &Config) -> anyhow::Result<db::PooledConn> {
    let url = DatabaseUrl::parse(&config.database_url()).map_err(anyhow::Error::msg)?;
    let pool = db::pool(&url, 1)?;
    let mut conn = pool.get().context("connecting to the database")?;
    db::run_migrations(&mut conn)?;
    Ok(conn)
}

pub fn migrate(config: &Config) -> anyhow::Result<()> {
    let url = DatabaseUrl::parse(&config.database_url()).map_err(anyhow::Error::msg)?;
    let pool = db::pool(&url, 1)?;
    let mut conn = pool.get().context("connecting to the database")?;
    let applied = db::run_migrations(&mut conn)?;
    if applied.is_empty() {
        println!("{}: schema is up to date", url.backend_name());
    }
    for v in applied {
        println!("{}: applied {v}", url.backend_name());
    }
    Ok(())
}

pub fn admin(config: &Config, cmd: AdminCommand) -> anyhow::Result<()> {
    match cmd {
        AdminCommand::Create {
            email,
            role,
            name,
            password_stdin,
        } => {
            let email = accounts::parse_address("email", &email)
                .map_err(|p| anyhow::anyhow!("--email {}", p.message))?;
            let name = display_name("name", &name, accounts::MAX_DISPLAY_NAME)
                .map_err(|p| anyhow::anyhow!("--name {}", p.message))?;
            let role: Role = role.parse()?;
            let (password, generated) = if password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                let p = line.trim_end_matches(['\r', '\n']).to_string();
                check_password("password", &p, &[email.as_str(), &name])
                    .map_err(|e| anyhow::anyhow!("the password {}", e.message))?;
                (p, false)
            } else {
                (crate::auth::tokens::new_token(), true)
            };
            let mut conn = connect(config)?;
            let acc = NewAccount {
                email,
                password: password.clone(),
                display_name: name,
                locale: Locale::Nl,
                role,
            };
            let (user, created) =
                accounts::create_or_promote(&mut conn, acc).map_err(|e| anyhow::anyhow!("{e}"))?;
            if created {
                println!(
                    "created {} ({}) with role {}",
                    user.email, user.id, user.role
                );
                if generated {
                    println!("password (shown once): {password}");
                }
            } else {
                println!("{} ({}) now has role {}", user.email, user.id, user.role);
            }
            Ok(())
        }
    }
}

/// Loads the demo population and coordinator into the configured database.
pub fn demo(config: &Config, members: usize, seed: u64) -> anyhow::Result<()> {
    let mut conn = connect(config)?;
    let summary =
        crate::service::demo::load(&mut conn, members, seed).map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "loaded {} demo members into {}",
        summary.members,
        config.database_url()
    );
    for p in &summary.programmes {
        println!(
            "programme {:?} ({}, {} members): coordinator {}  password: {}",
            p.name, p.id, p.members, p.coordinator, summary.password
        );
    }
    println!("every demo member has the same password; their emails end in @demo.buddymatch.nl");
    Ok(())
}
