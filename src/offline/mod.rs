//! The offline commands `generate` and `solve`: files in, files out, no
//! server. The only place in the engine's reach that touches files and the
//! clock (for timings).

pub mod synthetic;

use crate::domain::MatchKind;
use crate::matching::emit;
use crate::matching::instance::{Instance, Prefer};
use crate::matching::outcome::RoundResult;
use anyhow::Context;
use serde::Serialize;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    Buddy,
    Shadowing,
    Intervision,
}

impl From<Kind> for MatchKind {
    fn from(k: Kind) -> MatchKind {
        match k {
            Kind::Buddy => MatchKind::Buddy,
            Kind::Shadowing => MatchKind::Shadowing,
            Kind::Intervision => MatchKind::Intervision,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PreferArg {
    Score,
    Coverage,
}

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Number of members in the synthetic population.
    #[arg(long)]
    pub members: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The round's kind; also decides which form nearly everyone asks for.
    #[arg(long, value_enum, default_value_t = Kind::Buddy)]
    pub kind: Kind,
    /// Candidates per member (k) to put in the round's parameters.
    #[arg(long)]
    pub candidates: Option<usize>,
    /// Write here instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct SolveArgs {
    /// Overrides the instance's `round.kind`.
    #[arg(long, value_enum)]
    pub kind: Option<Kind>,
    /// Instance JSON (see the README); `-` for standard input.
    #[arg(long, short)]
    pub input: PathBuf,
    /// Result JSON; standard output when absent.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Also write the candidate graph the solver maximised over.
    #[arg(long)]
    pub emit_graph: Option<PathBuf>,
    /// Overrides the instance's `round.seed`.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Overrides `round.prefer`.
    #[arg(long, value_enum)]
    pub prefer: Option<PreferArg>,
    /// Overrides `round.candidates_per_member` (k).
    #[arg(long)]
    pub candidates: Option<usize>,
    /// Overrides `round.full_graph_below`.
    #[arg(long)]
    pub full_graph_below: Option<usize>,
    /// Overrides `round.search_effort` (intervision).
    #[arg(long)]
    pub search_effort: Option<u64>,
    /// Leave out the `timings` object, so equal inputs give equal bytes.
    #[arg(long)]
    pub no_timings: bool,
}

pub fn generate(args: &GenerateArgs) -> anyhow::Result<()> {
    let mut inst = synthetic::instance(args.members, args.seed, args.kind.into());
    if let Some(k) = args.candidates {
        inst.round.candidates_per_member = k;
    }
    write_json(args.output.as_deref(), &inst)
}

/// Seconds per phase: the only field that differs between equal runs.
#[derive(Debug, Serialize)]
pub struct Timings {
    pub read_seconds: f64,
    pub candidates_seconds: f64,
    pub solve_seconds: f64,
}

#[derive(Debug, Serialize)]
struct Output<'a> {
    #[serde(flatten)]
    result: &'a RoundResult,
    #[serde(skip_serializing_if = "Option::is_none")]
    timings: Option<Timings>,
}

pub fn solve(args: &SolveArgs) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let mut inst = read_instance(&args.input)?;
    if let Some(k) = args.kind {
        inst.round.kind = k.into();
    }
    if let Some(s) = args.seed {
        inst.round.seed = s;
    }
    if let Some(p) = args.prefer {
        inst.round.prefer = match p {
            PreferArg::Score => Prefer::Score,
            PreferArg::Coverage => Prefer::Coverage,
        };
    }
    if let Some(k) = args.candidates {
        inst.round.candidates_per_member = k;
    }
    if let Some(f) = args.full_graph_below {
        inst.round.full_graph_below = f;
    }
    if let Some(e) = args.search_effort {
        inst.round.search_effort = e;
    }
    let t1 = Instant::now();
    let round = crate::matching::prepare(&inst).context("instance cannot be matched")?;
    let t2 = Instant::now();
    let result = round.solve();
    let t3 = Instant::now();
    if let Some(path) = &args.emit_graph {
        write_json(Some(path), &emit::graph(&round))?;
    }
    let timings = (!args.no_timings).then(|| Timings {
        read_seconds: (t1 - t0).as_secs_f64(),
        candidates_seconds: (t2 - t1).as_secs_f64(),
        solve_seconds: (t3 - t2).as_secs_f64(),
    });
    write_json(
        args.output.as_deref(),
        &Output {
            result: &result,
            timings,
        },
    )
}

fn read_instance(path: &Path) -> anyhow::Result<Instance> {
    let mut text = String::new();
    if path == Path::new("-") {
        std::io::stdin().read_to_string(&mut text)?;
    } else {
        BufReader::new(File::open(path).with_context(|| format!("opening {}", path.display()))?)
            .read_to_string(&mut text)?;
    }
    serde_json::from_str(&text).with_context(|| format!("reading instance {}", path.display()))
}

fn write_json<T: Serialize>(path: Option<&Path>, value: &T) -> anyhow::Result<()> {
    let sink: Box<dyn Write> = match path {
        Some(p) => Box::new(File::create(p).with_context(|| format!("creating {}", p.display()))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = BufWriter::new(sink);
    serde_json::to_writer(&mut w, value)?;
    w.write_all(b"\n")?;
    w.flush()?;
    Ok(())
}
