use buddymatch::offline;
use clap::{Parser, Subcommand};

/// buddymatch: cross-domain peer-learning matches for labour experts.
///
/// With no command it serves the HTTP API. Every setting can also be given
/// through the environment variable shown with it.
#[derive(Debug, Parser)]
#[command(name = "buddymatch", version, about, long_about = None)]
struct Cli {
    #[cfg(feature = "server")]
    #[command(flatten)]
    config: buddymatch::config::Config,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the HTTP API (the default).
    #[cfg(feature = "server")]
    Serve,
    /// Apply pending database migrations and exit.
    #[cfg(feature = "server")]
    Migrate,
    /// Manage accounts from the command line.
    #[cfg(feature = "server")]
    #[command(subcommand)]
    Admin(buddymatch::cli::AdminCommand),
    /// Check a deployment's settings (an environment file, or the environment).
    #[cfg(feature = "server")]
    #[command(subcommand)]
    Config(buddymatch::cli::ConfigCommand),
    /// Load a realistic demo population and a coordinator account.
    #[cfg(feature = "server")]
    Demo {
        /// Number of demo members (a third per learning form).
        #[arg(long, default_value_t = 200)]
        members: usize,
        /// Seed for the population; the same seed gives the same people.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Write a synthetic instance (JSON) drawn from the survey's distributions.
    Generate(offline::GenerateArgs),
    /// Solve an instance file offline and write the result (JSON).
    Solve(offline::SolveArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Generate(a)) => offline::generate(&a),
        Some(Command::Solve(a)) => offline::solve(&a),
        #[cfg(feature = "server")]
        Some(Command::Config(buddymatch::cli::ConfigCommand::Check(a))) => {
            buddymatch::cli::config_check::run(&a)
        }
        #[cfg(feature = "server")]
        other => server(cli.config, other),
        #[cfg(not(feature = "server"))]
        None => anyhow::bail!(
            "this build has no server (built without the `server` feature); use generate or solve"
        ),
    }
}

#[cfg(feature = "server")]
fn server(config: buddymatch::config::Config, command: Option<Command>) -> anyhow::Result<()> {
    // Before anything is written: the database, the emails and the key are
    // personal data or secrets, readable by this user only.
    buddymatch::files::private_umask();
    buddymatch::telemetry::init(&config.log_level, config.log_format);
    match command {
        Some(Command::Migrate) => buddymatch::cli::migrate(&config),
        Some(Command::Admin(cmd)) => buddymatch::cli::admin(&config, cmd),
        Some(Command::Demo { members, seed }) => buddymatch::cli::demo(&config, members, seed),
        _ => {
            let system = actix_web::rt::System::new();
            let result = system.block_on(buddymatch::cli::serve(config));
            // Dropping the runtime would wait for every blocking task, so a
            // request cut off at the shutdown timeout (say a long publish)
            // could hold the exit for minutes; leaving it to the process
            // exit ends that work, and its open transaction rolls back.
            std::mem::forget(system);
            result
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
