use buddymatch::offline;
use clap::{Parser, Subcommand};

/// buddymatch: cross-domain peer-learning matches for labour experts.
#[derive(Debug, Parser)]
#[command(name = "buddymatch", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
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
        None => anyhow::bail!("no command given"),
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
