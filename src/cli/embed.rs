//! `run` and `sweep` for front ends other than the command line (the Python package,
//! `python/`): the same reading of a scenario, the same checks, warnings and messages,
//! the same files when a folder is asked for, with what the commands print returned
//! instead, and a way to stop. Nothing here prints.
//!
//! A front end that is not a terminal cannot be interrupted by a signal the way the
//! command is (a notebook's Ctrl-C reaches its own interpreter): a run checks the
//! caller's `stop` before each period, a sweep after each batch of runs, which it has
//! put on disk first, so a stopped sweep resumes like an interrupted command.

use super::sweep::{charts_into, check_memory};
use super::{claim, memory, overrides_of, read_input, run::run_warnings};
use crate::engine::{RunResults, Simulation};
use crate::error::Error;
use crate::parameter::TimeseriesFormat;
use crate::report::RunReport;
use crate::report::chart::{ChartFiles, ChartOptions};
use crate::report::columns::{Described, Entry, swept_column, tables};
use crate::report::export::Exporter;
use crate::scenario::Scenario;
use crate::sweep::{self, Shard};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Where a scenario comes from.
#[derive(Debug, Clone)]
pub enum Input {
    /// The built-in showcase (the command with no file).
    Showcase,
    File(PathBuf),
    /// A scenario's TOML text, and the name messages give it.
    Text {
        text: String,
        name: String,
    },
}

/// A scenario and its overrides, as `--set` and `--seed` give them.
#[derive(Debug, Clone)]
pub struct Request {
    pub input: Input,
    /// `PATH=VALUE` assignments, in order, as `--set` takes them.
    pub set: Vec<String>,
    pub seed: Option<u64>,
}

/// A scenario read and checked as `loyalsim run` reads it, and its warnings.
pub struct Loaded {
    pub scenario: Scenario,
    pub warnings: Vec<String>,
    /// The name messages give the scenario (its path, or the text's name).
    pub source: String,
}

/// Reads the scenario of `request` for one run: every check of `loyalsim run`, the same
/// errors, the warnings it prints.
pub fn load_run(request: &Request) -> Result<Loaded, Error> {
    let (read, source) = read_input(&request.input, &overrides_of(&request.set, request.seed)?)?;
    let warnings = run_warnings(&read, &source, &request.set)?;
    Ok(Loaded {
        scenario: read.scenario,
        warnings,
        source,
    })
}

/// A finished run, as `loyalsim run` has it before writing.
pub struct Ran {
    pub results: RunResults,
    pub elapsed: Duration,
    pub threads: usize,
}

/// Simulates `loaded` on `threads` threads (the command's default when `None`),
/// checking `stop` before each period; `Ok(None)` when it said to stop. (Reading it
/// checked that the machine has the memory for it, as for the command.)
pub fn simulate(
    loaded: &Loaded,
    threads: Option<usize>,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Option<Ran>, Error> {
    let threads = super::thread_count(threads);
    let pool = super::thread_pool(threads)?;
    let scenario = &loaded.scenario;
    let start = Instant::now();
    let results = pool.install(|| {
        let mut sim = Simulation::new(scenario);
        let mut periods = Vec::with_capacity(scenario.periods as usize);
        for _ in 0..scenario.periods {
            if stop() {
                return None;
            }
            periods.push(sim.step());
        }
        Some(sim.finish(periods))
    });
    Ok(results.map(|results| Ran {
        results,
        elapsed: start.elapsed(),
        threads,
    }))
}

/// The report of a finished run, which its frames, summary and files are made from.
pub fn report<'a>(loaded: &'a Loaded, ran: &'a Ran) -> RunReport<'a> {
    RunReport {
        scenario: &loaded.scenario,
        results: &ran.results,
        elapsed: ran.elapsed,
        threads: ran.threads,
        warnings: &loaded.warnings,
    }
}

/// `summary.json` as `loyalsim run` writes it.
pub fn summary_json(report: &RunReport) -> String {
    let mut out = Vec::new();
    crate::report::export::json::Summary
        .write(report, &mut out)
        .expect("writing to memory does not fail");
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// Writes the run's folder `out` as `loyalsim run --out` does, charts included unless
/// `charts` is false (the same memory check first); returns the files and charts
/// written.
pub fn write_run(report: &RunReport, out: &Path, charts: bool) -> Result<Vec<String>, Error> {
    if charts {
        memory::check_with_charts(report.scenario, &out.display().to_string())?;
    }
    let target = claim(out)?;
    let options = ChartOptions::default();
    let (files, drawn) = super::run::write(report, &target, charts.then_some(&options))?;
    Ok(files
        .iter()
        .map(|f| f.to_string())
        .chain(drawn.files)
        .collect())
}

/// A sweep asked for: what `loyalsim sweep SCENARIO --out OUT` runs (never a shard).
pub struct SweepRequest {
    pub request: Request,
    pub out: PathBuf,
    pub threads: Option<usize>,
    pub timeseries: Option<TimeseriesFormat>,
    pub charts: bool,
}

/// What a sweep left in its folder.
pub struct Swept {
    pub dir: PathBuf,
    pub warnings: Vec<String>,
    /// Its summary table, as the command prints it.
    pub summary_markdown: String,
    pub runs: u64,
    pub resumed_from: u64,
    /// Its CSV files, each with its columns in order (the swept fields typed as the
    /// plan types them).
    pub files: Vec<(String, Vec<Described>)>,
    /// Its time series as written: `sweep_timeseries.csv`, the `sweep_timeseries.parquet`
    /// folder, or none.
    pub timeseries: TimeseriesFormat,
    pub charts: ChartFiles,
}

/// Checks a sweep as `loyalsim sweep` checks it, then calls `started` with the run
/// count and the warnings (before any run), runs (or resumes) it into `out` and
/// verifies it; `progress` is called after each batch and may stop the sweep
/// ([`sweep::SweepError::Stopped`], as an [`Error::Failed`]).
pub fn sweep(
    request: &SweepRequest,
    started: &mut dyn FnMut(u64, &[String]),
    progress: sweep::Progress,
) -> Result<Swept, Error> {
    let r = &request.request;
    let overrides = overrides_of(&r.set, r.seed)?;
    let (read, source) = read_input(&r.input, &overrides)?;
    let (base, plan, warnings) =
        super::sweep::plan(&read, &source, &overrides, request.timeseries)?;
    let threads = super::thread_count(request.threads);
    let base_table = {
        let mut b = base.clone();
        b.sweep = None;
        b.to_table()
    };
    check_memory(&plan, &base_table, Shard::WHOLE.slice(plan.runs()), threads)?;
    let swept_types = plan.dtypes(&base_table)?;
    let pool = super::thread_pool(threads)?;
    let target = claim(&request.out)?;
    started(plan.runs(), &warnings);
    let mut drawn = ChartFiles::default();
    let mut then = charts_into(request.charts, &mut drawn);
    let outcome = pool.install(|| {
        sweep::run(
            &base,
            &plan,
            Shard::WHOLE,
            &target,
            &warnings,
            progress,
            &mut then,
        )
    })?;
    drop(then);
    let mut wanted = vec!["sweep.csv", "sweep_summary.csv", "sweep_curve.csv"];
    if plan.timeseries == TimeseriesFormat::Csv {
        wanted.push("sweep_timeseries.csv");
    }
    if plan.analysis.is_some() {
        wanted.push("sensitivity.csv");
    }
    let files = tables()
        .into_iter()
        .filter(|(file, _)| wanted.contains(file))
        .map(|(file, entries)| {
            let columns = entries
                .into_iter()
                .flat_map(|e| match e {
                    Entry::Column(c) => vec![c],
                    Entry::Swept => plan
                        .paths
                        .iter()
                        .zip(&swept_types)
                        .map(|(path, &dtype)| Described {
                            name: swept_column(file, path),
                            dtype,
                            meaning: format!("the swept field `{path}`"),
                        })
                        .collect(),
                })
                .collect();
            (file.to_string(), columns)
        })
        .collect();
    Ok(Swept {
        dir: outcome.dir,
        warnings,
        summary_markdown: outcome.summary_markdown,
        runs: plan.runs(),
        resumed_from: outcome.resumed_from,
        files,
        timeseries: plan.timeseries,
        charts: drawn,
    })
}
