//! `loyalsim sweep` and `loyalsim merge`.

use super::cluster::ShardSpec;
use super::{ScenarioArgs, at_least_one, claim, memory, progress_bar, say};
use crate::engine;
use crate::error::Error;
use crate::parameter::{self, Plan, TimeseriesFormat};
use crate::report::chart;
use crate::scenario::{self, Override, Read, ScenarioError, Unused};
use crate::sweep::{self, Shard, SweepError};
use clap::Args;
use indicatif::ProgressStyle;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct SweepArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Results folder [default: output/<name>, or output/<name>.shard-I-of-N with --shard];
    /// must be new, empty or a loyalsim results folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Worker threads [default: RAYON_NUM_THREADS, or one per CPU this process may use,
    /// at most the CPUs a Slurm, PBS, Grid Engine or LSF job was given]. Results do not
    /// depend on it.
    #[arg(long, value_name = "N", value_parser = at_least_one)]
    pub threads: Option<usize>,
    /// Run only the I-th of N equal slices of the runs (1 <= I <= N); combine the shard
    /// folders with `loyalsim merge`. SCHEDULER/N takes I from an array task's
    /// environment: slurm (SLURM_ARRAY_TASK_ID, tasks 0 to N-1), pbs (PBS_ARRAY_INDEX or
    /// PBS_ARRAYID, 0 to N-1), sge (SGE_TASK_ID, 1 to N), lsf (LSB_JOBINDEX, 1 to N), k8s
    /// (JOB_COMPLETION_INDEX, 0 to N-1), aws (AWS_BATCH_JOB_ARRAY_INDEX, 0 to N-1).
    #[arg(long, value_name = "I/N|SCHEDULER/N", value_parser = ShardSpec::parse)]
    pub shard: Option<ShardSpec>,
    /// What to keep of every run's periods [default: the scenario's sweep.timeseries, or
    /// csv]; sweep.csv and the summary are written either way.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub timeseries: Option<TimeseriesFormat>,
    /// Draw no charts (`loyalsim plot DIR` draws them later). A shard draws none: its
    /// merge does.
    #[arg(long)]
    pub no_charts: bool,
    /// Print nothing but errors (no progress bar, no table).
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard folders written by `loyalsim sweep --shard I/N`, all N of them.
    #[arg(required = true, value_name = "DIR")]
    pub shards: Vec<PathBuf>,
    /// Merged results folder [default: output/<name>]; must be new, empty or a loyalsim
    /// results folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Draw no charts (`loyalsim plot DIR` draws them later).
    #[arg(long)]
    pub no_charts: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Draws a finished sweep's charts into its folder, as `loyalsim plot DIR` draws them
/// (its default options), unless `draw` is false; what was drawn goes into `drawn`.
fn charts_into(
    draw: bool,
    drawn: &mut chart::ChartFiles,
) -> impl FnMut(&Path) -> Result<(), SweepError> + Send + '_ {
    move |dir| {
        if draw {
            *drawn = chart::draw_sweep(dir, dir, &chart::ChartOptions::default())
                .map_err(|e| SweepError::Failed(format!("the sweep's charts: {e}")))?;
        }
        Ok(())
    }
}

/// What a sweep's folder holds, for the line that says where it is.
fn contents(files: &[&str], name: &str, drawn: &chart::ChartFiles) -> String {
    let mut all: Vec<String> = files.iter().map(|f| f.to_string()).collect();
    all.push(format!("{name}.md"));
    format!("{}{}", all.join(", "), super::describe_charts(&drawn.files))
}

/// Checks every point of the sweep before anything runs, naming the field at fault, and
/// finds the settings that change nothing. A varied field that a point does not use
/// (`constraint.r` at a structural point) is a warning naming those points, or an error
/// when no point uses it; a field of the base scenario that no point uses is an error,
/// as for `run`. Returns the warnings.
fn check_points(
    plan: &Plan,
    read: &Read,
    source: &str,
    overrides: &[Override],
) -> Result<Vec<String>, Error> {
    let mut given = read.given.clone();
    given.remove("sweep");
    // For each idle field: the points where it is idle, and why.
    let mut idle: BTreeMap<String, (Vec<u64>, Unused)> = BTreeMap::new();
    for point in 0..plan.points.len() as u64 {
        let run = plan.run(point * plan.replications as u64);
        let s = plan.scenario(&given, &run).map_err(|e| {
            let detail = match e {
                ScenarioError::Override {
                    assignment,
                    message,
                } => format!("sweep.vary {assignment}: {message}"),
                other => other.to_string(),
            };
            Error::Usage(format!("sweep point {point}: {detail}"))
        })?;
        let varied = plan
            .paths
            .iter()
            .filter_map(|p| s.idle(p).map(|u| (p.clone(), u)));
        let base = s
            .unused_in(&given)
            .into_iter()
            .filter(|u| plan.paths.iter().all(|p| s.idle(p).as_ref() != Some(u)))
            .map(|u| (format!("base {}", u.path), u));
        for (key, u) in varied.chain(base) {
            idle.entry(key)
                .or_insert_with(|| (Vec::new(), u))
                .0
                .push(point);
        }
    }
    let all = plan.points.len();
    let mut warnings = Vec::new();
    for (key, (points, u)) in idle {
        let why = &u.why;
        match key.strip_prefix("base ") {
            Some(path) if points.len() == all => {
                if read.idled.iter().any(|v| v.path == path) {
                    warnings.push(format!(
                        "field `{path}` of {source} changes nothing at any point after --set: {why}"
                    ));
                } else {
                    return Err(scenario::unused_error(&u, source, overrides).into());
                }
            }
            Some(_) => {} // used by the points that can use it
            None if points.len() == all => {
                return Err(Error::Usage(format!(
                    "sweep.vary {key}: changes nothing at any point of the sweep: {why}"
                )));
            }
            None => warnings.push(format!(
                "sweep.vary {key} changes nothing at {} of {all} points ({}): {why}",
                points.len(),
                ranges(&points)
            )),
        }
    }
    Ok(warnings)
}

/// "0–4, 7, 9–10".
fn ranges(points: &[u64]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < points.len() {
        let mut j = i;
        while j + 1 < points.len() && points[j + 1] == points[j] + 1 {
            j += 1;
        }
        parts.push(if j == i {
            points[i].to_string()
        } else {
            format!("{}–{}", points[i], points[j])
        });
        i = j + 1;
    }
    if parts.len() > 8 {
        let more = parts.len() - 8;
        parts.truncate(8);
        parts.push(format!("and {more} more"));
    }
    format!(
        "point{} {}",
        if points.len() == 1 { "" } else { "s" },
        parts.join(", ")
    )
}

/// Checks that each run of the slice `runs` (this process's) fits in memory alone, as
/// `loyalsim run` would check it, and `threads` of them at once, since each thread
/// runs one. (Points outside the slice are run, and checked, by another shard.)
fn check_memory(
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

/// Refuses a plan that cannot be made (its spec's checks and its metrics' names) or
/// whose points alone would not fit in memory, before they are made.
fn check_plan(spec: &parameter::Sweep, base: &crate::scenario::Scenario) -> Result<(), Error> {
    let points = Plan::size(spec)?;
    if spec.design.is_sensitivity() {
        sweep::sensitivity::check_metrics(&spec.metrics)?;
    }
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

/// The plan of a scenario's `[sweep]`, every point checked; returns the warnings.
pub fn check(read: &Read, source: &str, args: &ScenarioArgs) -> Result<(Plan, Vec<String>), Error> {
    let Some(spec) = &read.scenario.sweep else {
        return Err(Error::Usage(format!("{source}: no [sweep] table")));
    };
    check_plan(spec, &read.scenario)?;
    let plan = Plan::new(spec, read.scenario.seed)?;
    let warnings = check_points(&plan, read, source, &super::overrides(args)?)?;
    Ok((plan, warnings))
}

pub fn sweep(args: SweepArgs) -> Result<(), Error> {
    let (read, source) = super::read(&args.scenario)?;
    let mut base = read.scenario.clone();
    let mut spec = base.sweep.clone().ok_or_else(|| {
        Error::Usage(format!(
            "{}: no [sweep] table: add one with [[sweep.vary]] entries (see docs/scenario.md), \
             or use `loyalsim run` for a single run",
            args.scenario
                .scenario
                .as_ref()
                .map_or("the scenario".into(), |p| p.display().to_string())
        ))
    })?;
    // The flag overrides the file, and the resolved scenario (scenario.toml, the hash)
    // says what was kept, so that running it again gives the same folder.
    if let Some(t) = args.timeseries {
        spec.timeseries = t;
        base.sweep = Some(spec.clone());
    }
    // Sizes first, from the spec alone: nothing of the plan is made before they pass.
    check_plan(&spec, &base)?;
    let plan = Plan::new(&spec, base.seed)?;
    let mut warnings = base.warnings();
    warnings.extend(check_points(
        &plan,
        &read,
        &source,
        &super::overrides(&args.scenario)?,
    )?);
    if !args.quiet {
        super::warn(&warnings);
    }
    let (shard, shard_from) = match &args.shard {
        Some(spec) => spec
            .resolve(&|k| std::env::var(k).ok())
            .map_err(Error::Usage)?,
        None => (Shard::WHOLE, None),
    };
    if args.no_charts && shard != Shard::WHOLE && !args.quiet {
        // Said, not kept with the results: it is about this command, not the sweep.
        super::warn(&[
            "--no-charts changes nothing here: a shard draws no charts, its \
                       merge does (loyalsim merge --no-charts for none)"
                .to_string(),
        ]);
    }
    let allowed = super::threads_allowed(args.threads);
    let threads = allowed.n;
    let base_table = {
        let mut b = base.clone();
        b.sweep = None;
        b.to_table()
    };
    check_memory(&plan, &base_table, shard.slice(plan.runs()), threads)?;
    let out = args.out.clone().unwrap_or_else(|| {
        let name = if shard == Shard::WHOLE {
            base.name.clone()
        } else {
            format!("{}.shard-{}-of-{}", base.name, shard.index, shard.count)
        };
        PathBuf::from("output").join(name)
    });
    let pool = super::thread_pool(threads)?;
    let target = claim(&out)?;
    let (start, end) = shard.slice(plan.runs());
    let bar = progress_bar(args.quiet, end - start, || {
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
        .progress_chars("=> ")
    });
    if !args.quiet {
        eprintln!(
            "loyalsim sweep: {} — {} points × {} replications = {} runs{}, {}",
            base.name,
            plan.points.len(),
            plan.replications,
            plan.runs(),
            if shard == Shard::WHOLE {
                String::new()
            } else {
                format!(
                    " (shard {}/{}{}: runs {start} to {})",
                    shard.index,
                    shard.count,
                    shard_from.map(|f| format!(", {f}")).unwrap_or_default(),
                    end.max(1) - 1
                )
            },
            allowed
        );
    }
    let progress = |done: u64, _total: u64| bar.set_position(done);
    let mut drawn = chart::ChartFiles::default();
    let mut then = charts_into(!args.no_charts && shard == Shard::WHOLE, &mut drawn);
    let outcome = pool.install(|| {
        sweep::run(
            &base, &plan, shard, &target, &warnings, &progress, &mut then,
        )
    })?;
    drop(then);
    bar.finish_and_clear();
    if !args.quiet {
        if outcome.resumed_from > 0 {
            eprintln!(
                "resumed after {} finished runs; ran {} more",
                outcome.resumed_from, outcome.runs_done_now
            );
        }
        let mut files = vec!["sweep.csv"];
        files.extend(match plan.timeseries {
            TimeseriesFormat::Csv => Some("sweep_timeseries.csv"),
            TimeseriesFormat::Parquet => Some("sweep_timeseries.parquet/"),
            TimeseriesFormat::None => None,
        });
        files.extend(["sweep_summary.csv", "sweep_curve.csv"]);
        if shard != Shard::WHOLE {
            files.push("sweep_curve_runs.csv");
        } else if plan.analysis.is_some() {
            files.push("sensitivity.csv");
        }
        say(&format!(
            "wrote {}/ ({})\n\n{}",
            outcome.dir.display(),
            contents(&files, &base.name, &drawn),
            outcome.summary_markdown
        ));
        for why in &drawn.skipped {
            eprintln!("loyalsim: no {why}");
        }
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
    let target = claim(&out)?;
    let mut drawn = chart::ChartFiles::default();
    let mut then = charts_into(!args.no_charts, &mut drawn);
    let markdown = sweep::merge(&args.shards, &target, &mut then)?;
    drop(then);
    if !args.quiet {
        let charts = super::describe_charts(&drawn.files);
        let charts = match charts.strip_prefix("; ") {
            Some(c) => format!(" ({c})"),
            None => charts,
        };
        say(&format!(
            "merged {} shards into {}/{charts}\n\n{markdown}",
            args.shards.len(),
            out.display()
        ));
        for why in &drawn.skipped {
            eprintln!("loyalsim: no {why}");
        }
    }
    Ok(())
}
