//! `loyalsim sweep` and `loyalsim merge`.

use super::cluster::{ShardSpec, shard_help, shard_short_help, threads_help};
use super::{Progress, ScenarioArgs, at_least_one, claim, memory, say};
use crate::engine;
use crate::error::Error;
use crate::parameter::{self, Plan, TimeseriesFormat};
use crate::report::chart;
use crate::scenario::{self, Override, Read, ScenarioError, Unused};
use crate::sweep::{self, Here, Shard, SweepError};
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
    /// Worker threads (the long help names the schedulers, from their table).
    #[arg(long, value_name = "N", value_parser = at_least_one, help = threads_help())]
    pub threads: Option<usize>,
    /// Run only the I-th of N slices of the runs, I from an array task with SCHEDULER/N
    /// (the long help names the schedulers, from their table).
    #[arg(
        long,
        value_name = "I/N|SCHEDULER/N",
        value_parser = ShardSpec::parse,
        help = shard_short_help(),
        long_help = shard_help()
    )]
    pub shard: Option<ShardSpec>,
    /// What to keep of every run's periods [default: the scenario's sweep.timeseries, or
    /// csv]; sweep.csv and the summary are written either way.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub timeseries: Option<TimeseriesFormat>,
    /// Draw no charts (`loyalsim plot DIR` draws them later). A shard draws none: its
    /// merge does.
    #[arg(long)]
    pub no_charts: bool,
    /// Print nothing but errors (no progress, no table).
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard folders written by `loyalsim sweep --shard I/N`, all N of them (a shell glob
    /// does: shards missing or still partial are named, with their runs done).
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
pub(super) fn charts_into(
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
pub(super) fn check_memory(
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

/// The sweep of a scenario read with `overrides`: its base scenario (with the
/// `--timeseries` choice, if any, in its `[sweep]`), its plan, every point checked, and
/// the warnings to give.
pub(super) fn plan(
    read: &Read,
    source: &str,
    overrides: &[Override],
    timeseries: Option<TimeseriesFormat>,
) -> Result<(scenario::Scenario, Plan, Vec<String>), Error> {
    let mut base = read.scenario.clone();
    let mut spec = base.sweep.clone().ok_or_else(|| {
        Error::Usage(format!(
            "{source}: no [sweep] table: add one with [[sweep.vary]] entries (see \
             docs/scenario.md), or use `loyalsim run` for a single run"
        ))
    })?;
    // The flag overrides the file, and the resolved scenario (scenario.toml, the hash)
    // says what was kept, so that running it again gives the same folder.
    if let Some(t) = timeseries {
        spec.timeseries = t;
        base.sweep = Some(spec.clone());
    }
    // Sizes first, from the spec alone: nothing of the plan is made before they pass.
    check_plan(&spec, &base)?;
    let plan = Plan::new(&spec, base.seed)?;
    let mut warnings = base.warnings();
    warnings.extend(check_points(&plan, read, source, overrides)?);
    Ok((base, plan, warnings))
}

pub fn sweep(args: SweepArgs) -> Result<(), Error> {
    let (read, source) = super::read(&args.scenario)?;
    let (base, plan, warnings) = plan(
        &read,
        &source,
        &super::overrides(&args.scenario)?,
        args.timeseries,
    )?;
    if !args.quiet {
        super::warn(&warnings);
    }
    let (shard, shard_from) = match &args.shard {
        Some(spec) => spec
            .resolve(&|k| std::env::var(k).ok())
            .map_err(Error::Usage)?,
        None => (Shard::WHOLE, None),
    };
    if args.shard.is_some() && shard == Shard::WHOLE && !args.quiet {
        // Said, not kept with the results: the sweep is the same as without it.
        super::warn(&[
            "--shard: 1 of 1 shards is the whole sweep, run and written as one (its charts \
             drawn, no merge needed)"
                .to_string(),
        ]);
    }
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
    let what = if shard == Shard::WHOLE {
        String::new()
    } else {
        format!(
            " (shard {}/{}{}: runs {start} to {})",
            shard.index,
            shard.count,
            shard_from
                .as_ref()
                .map(|f| format!(", {f}"))
                .unwrap_or_default(),
            end.max(1) - 1
        )
    };
    // A shard resubmitted after it finished (a whole array sent again, a requeue) is
    // not run again: its folder is checked, not trusted.
    if shard != Shard::WHOLE {
        match sweep::finished_in(&out, &base, &plan, shard, &warnings)? {
            Here::Complete => {
                if !args.quiet {
                    say(&format!(
                        "loyalsim sweep: {}{what}: already complete in {}/ (its manifest \
                         and files verified), nothing to run.\n{}\n",
                        base.name,
                        out.display(),
                        next_step(&out, shard, &base.name)
                    ));
                }
                return Ok(());
            }
            Here::Damaged(why) if !args.quiet => super::warn(&[format!(
                "{} holds this shard, but it does not verify, so it is run again: {why}",
                out.display()
            )]),
            _ => {}
        }
    }
    let bar = Progress::new(
        args.quiet,
        end - start,
        "runs",
        format!("loyalsim sweep: {}", base.name),
        || {
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
        },
    );
    if !args.quiet {
        eprintln!(
            "loyalsim sweep: {} — {} points × {} replications = {} runs{what}, {}",
            base.name,
            plan.points.len(),
            plan.replications,
            plan.runs(),
            allowed
        );
    }
    let progress = |done: u64, _total: u64| {
        bar.set_position(done);
        std::ops::ControlFlow::Continue(())
    };
    let mut drawn = chart::ChartFiles::default();
    let mut then = charts_into(!args.no_charts && shard == Shard::WHOLE, &mut drawn);
    let outcome = pool.install(|| {
        sweep::run(
            &base, &plan, shard, &target, &warnings, &progress, &mut then,
        )
    })?;
    drop(then);
    bar.finish();
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
        if shard == Shard::WHOLE {
            say(&format!(
                "wrote {}/ ({})\n\n{}",
                outcome.dir.display(),
                contents(&files, &base.name, &drawn),
                outcome.summary_markdown
            ));
        } else {
            // A shard's table is of its slice only: not printed as if it were the result.
            say(&format!(
                "wrote {}/ ({}): shard {}/{} of {}, runs {start} to {} of {}; a part of \
                 the sweep, not its result.\n{}\n",
                outcome.dir.display(),
                contents(&files, &base.name, &drawn),
                shard.index,
                shard.count,
                base.name,
                end.max(1) - 1,
                plan.runs(),
                next_step(&out, shard, &base.name)
            ));
        }
        for why in &drawn.skipped {
            eprintln!("loyalsim: no {why}");
        }
    }
    Ok(())
}

/// What to run once every shard is complete: the merge, over the shard folders named as
/// this one is (`output/NAME.shard-*-of-4`), into a folder beside them.
fn next_step(out: &Path, shard: Shard, name: &str) -> String {
    let merged = out.with_file_name(name);
    match shard.sibling_folder(out, "*") {
        Some(all) => format!(
            "When all {} shards are complete: loyalsim merge {} --out {}",
            shard.count,
            all.display(),
            merged.display()
        ),
        None => format!(
            "When all {} shards are complete: loyalsim merge with the {} shard folders \
             (this one is {}) --out {}",
            shard.count,
            shard.count,
            out.display(),
            merged.display()
        ),
    }
}

pub fn merge(args: MergeArgs) -> Result<(), Error> {
    let out = match (&args.out, sweep::sweep_name(&args.shards)) {
        (Some(o), _) => o.clone(),
        (None, Some(n)) => PathBuf::from("output").join(n),
        (None, None) => {
            return Err(Error::Usage(format!(
                "{}: not a sweep shard, finished or partial (no readable manifest.json, \
                 nor a partial shard's work folder beside it)",
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
