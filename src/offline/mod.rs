//! The offline commands `generate` and `solve`: files in, files out, no server.

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {}

#[derive(Debug, clap::Args)]
pub struct SolveArgs {}

pub fn generate(args: &GenerateArgs) -> anyhow::Result<()> {
    let _ = args;
    anyhow::bail!("being written")
}

pub fn solve(args: &SolveArgs) -> anyhow::Result<()> {
    let _ = args;
    anyhow::bail!("being written")
}
