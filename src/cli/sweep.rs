//! `loyalsim sweep` and `loyalsim merge`.

use super::{ScenarioArgs, load, memory};
use crate::engine;
use crate::error::Error;
use crate::parameter::{self, Plan};
use crate::scenario::ScenarioError;
use crate::sweep::{self, Shard, SweepError};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct SweepArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Results folder [default: output/<name>, or output/<name>.shard-I-of-N with --shard].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Worker threads [default: RAYON_NUM_THREADS, or one per core]. Results do not depend on it.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Run only the I-th of N equal slices of the runs (1 <= I <= N); combine the shard
    /// folders with `loyalsim merge`.
    #[arg(long, value_name = "I/N", value_parser = Shard::parse)]
    pub shard: Option<Shard>,
    /// Print nothing but errors (no progress bar, no table).
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard folders written by `loyalsim sweep --shard I/N`, all N of them.
    #[arg(required = true, value_name = "DIR")]
    pub shards: Vec<PathBuf>,
    /// Merged results folder [default: output/<name>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

fn sweep_error(e: SweepError) -> Error {
    match e {
        SweepError::Input(message) => Error::Usage(message),
        SweepError::Io { path, source } => Error::Write { path, source },
    }
}

/// Checks every point of the sweep before anything runs, naming the field at fault;
/// then that each run of the slice `runs` (this process's) fits in memory alone, as
/// `loyalsim run` would check it, and `threads` of them at once, since each thread
/// runs one. (Points outside the slice are run, and checked, by another shard.)
fn check_points(
    plan: &Plan,
    base: &toml::Table,
    (start, end): (u64, u64),
    threads: usize,
) -> Result<(), Error> {
    let reps = plan.replications as u64;
    let have = memory::available_bytes();
    let mut at_once = memory::AtOnce::new(threads);
    for point in 0..plan.points.len() as u64 {
        let run = plan.run(point * reps);
        let scenario = plan.scenario(base, &run).map_err(|e| {
            let detail = match e {
                ScenarioError::Override {
                    assignment,
                    message,
                } => format!("sweep.vary {assignment}: {message}"),
                other => other.to_string(),
            };
            Error::Usage(format!("sweep point {point}: {detail}"))
        })?;
        let mine = (point * reps).max(start)..(point * reps + reps).min(end);
        if !mine.is_empty() {
            memory::check_against(&scenario, &format!("sweep point {point}"), have)?;
            at_once.add(
                point,
                engine::memory_estimate(&scenario),
                mine.end - mine.start,
            );
        }
    }
    let (runs, need) = at_once.together();
    if let (Some(have), Some((point, largest))) = (have, at_once.largest())
        && runs > 1
        && need > have
    {
        return Err(Error::Usage(format!(
            "--threads {threads}: {runs} runs at once need about {} (sweep point {point} \
             alone about {}), {} is available: expected fewer threads (--threads 1 runs one \
             at a time) or smaller points",
            memory::gib(need),
            memory::gib(largest),
            memory::gib(have)
        )));
    }
    Ok(())
}

/// Refuses a plan whose points alone would not fit in memory, before they are made.
fn check_plan(spec: &parameter::Sweep, base: &crate::scenario::Scenario) -> Result<(), Error> {
    let points = Plan::size(spec).map_err(|e| Error::Usage(e.to_string()))?;
    let point = crate::scenario::Scenario {
        sweep: None,
        ..base.clone()
    };
    let need = Plan::estimate_bytes(spec, points)
        .saturating_add(points.saturating_mul(sweep::bytes_per_point(&point, spec.vary.len())));
    match memory::available_bytes() {
        Some(have) if need > have => Err(Error::Usage(format!(
            "sweep: {points} points: expected a design that fits in memory: its points \
             alone need about {}, {} is available",
            memory::gib(need),
            memory::gib(have)
        ))),
        _ => Ok(()),
    }
}

pub fn sweep(args: SweepArgs) -> Result<(), Error> {
    let base = load(&args.scenario)?;
    let spec = base.sweep.clone().ok_or_else(|| {
        Error::Usage(format!(
            "{}: no [sweep] table: add one with [[sweep.vary]] entries (see docs/scenario.md), \
             or use `loyalsim run` for a single run",
            args.scenario
                .scenario
                .as_ref()
                .map_or("the scenario".into(), |p| p.display().to_string())
        ))
    })?;
    // Sizes first, from the spec alone: nothing of the plan is made before they pass.
    check_plan(&spec, &base)?;
    let plan = Plan::new(&spec, base.seed).map_err(|e| Error::Usage(e.to_string()))?;
    let base_table = {
        let mut b = base.clone();
        b.sweep = None;
        b.to_table()
    };
    let shard = args.shard.unwrap_or(Shard::WHOLE);
    let threads = super::thread_count(args.threads)?;
    check_points(&plan, &base_table, shard.slice(plan.runs()), threads)?;
    let out = args.out.clone().unwrap_or_else(|| {
        let name = if shard == Shard::WHOLE {
            base.name.clone()
        } else {
            format!("{}.shard-{}-of-{}", base.name, shard.index, shard.count)
        };
        PathBuf::from("output").join(name)
    });
    let pool = super::thread_pool(threads)?;
    let (start, end) = shard.slice(plan.runs());
    let bar = if args.quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::with_draw_target(Some(end - start), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {pos}/{len} runs [{bar:30}] {rate} · {elapsed_precise} elapsed · {eta} left",
            )
            .expect("a valid template")
            .with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.1} runs/s", state.per_sec());
                },
            )
            .progress_chars("=> "),
        );
        bar
    };
    if !args.quiet {
        eprintln!(
            "loyalsim sweep: {} — {} points × {} replications = {} runs{}, {} thread{}",
            base.name,
            plan.points.len(),
            plan.replications,
            plan.runs(),
            if shard == Shard::WHOLE {
                String::new()
            } else {
                format!(
                    " (shard {}/{}: runs {start} to {})",
                    shard.index,
                    shard.count,
                    end.max(1) - 1
                )
            },
            threads,
            if threads == 1 { "" } else { "s" }
        );
    }
    let progress = |done: u64, _total: u64| bar.set_position(done);
    let outcome = pool
        .install(|| sweep::run(&base, &plan, shard, &out, &progress))
        .map_err(sweep_error)?;
    bar.finish_and_clear();
    if !args.quiet {
        if outcome.resumed_from > 0 {
            eprintln!(
                "resumed after {} finished runs; ran {} more",
                outcome.resumed_from, outcome.runs_done_now
            );
        }
        sweep::say(&format!(
            "wrote {}/ (sweep.csv, sweep_timeseries.csv, sweep_summary.csv, {}.md)\n\n{}",
            outcome.dir.display(),
            base.name,
            outcome.summary_markdown
        ));
    }
    Ok(())
}

pub fn merge(args: MergeArgs) -> Result<(), Error> {
    let first = args.shards[0].join("manifest.json");
    let name = std::fs::read_to_string(&first)
        .ok()
        .and_then(|t| serde_json::from_str::<sweep::Manifest>(&t).ok())
        .map(|m| m.name);
    let out = match (&args.out, name) {
        (Some(o), _) => o.clone(),
        (None, Some(n)) => PathBuf::from("output").join(n),
        (None, None) => {
            return Err(Error::Usage(format!(
                "{}: not a finished sweep shard (no readable manifest.json)",
                args.shards[0].display()
            )));
        }
    };
    let markdown = sweep::merge(&args.shards, &out).map_err(sweep_error)?;
    if !args.quiet {
        sweep::say(&format!(
            "merged {} shards into {}/\n\n{markdown}",
            args.shards.len(),
            out.display()
        ));
    }
    Ok(())
}
