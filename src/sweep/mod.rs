//! Sweeps: many runs of one scenario in parallel, streamed to disk, resumable and
//! shardable.
//!
//! Every thread of the pool takes the next run in run order as soon as it is free, and
//! a writing thread appends the finished runs in run order, so the files do not depend
//! on the thread count; no thread starts a run far ahead of the last one written, so
//! memory does not grow with the number of runs. After every batch of runs the files
//! are flushed and a small `state.json` records how many runs are done and how long each
//! file was; an interrupted sweep (Ctrl-C, a crash, a killed job) is resumed by running
//! the same command again, which cuts the files back to the last recorded batch and
//! carries on. A changed scenario is refused for resuming (its hash differs).
//!
//! What is kept of every run's periods is a choice ([`TimeseriesFormat`]: `--timeseries`,
//! or `sweep.timeseries` in the scenario): `sweep_timeseries.csv` as before, which any
//! tool reads but which a sweep of 10,000 runs makes 351 MB of; Parquet parts
//! (`parquet/`: typed, compressed, six times smaller); or nothing, when
//! `sweep.csv`'s row per run is all a study needs. The choice is in the manifest and in
//! the resolved scenario, so a sweep is resumed and merged only in the format it began
//! with, and a message says so.
//!
//! Work happens in a hidden folder beside the results (`.NAME.sweep-partial`) and is
//! renamed into place when complete, under the results folder's lock (a claimed
//! [`Target`]): two sweeps in one work folder would cut each other's files back. A shard
//! (`--shard I/N`) runs a contiguous slice of the runs; `merge` concatenates the slices in
//! order, so a merged sweep is identical, byte for byte, to a single-process one. The
//! per-point summary (`sweep_summary.csv`) and the Markdown table are always computed
//! from `sweep.csv`, the same way in both.
//!
//! A finished sweep is checked before it is published: `sweep.csv` must hold every run
//! of the slice, in order. Its `manifest.json` then records, for each data file, its
//! rows, bytes and CRC-32 as they were published, and `merge` checks every shard against
//! that record before writing anything, so a truncated, edited or missing file is
//! refused, never merged. A merged sweep's manifest records the same of the merged
//! files, the same code on the same bytes, so it equals a single-process sweep's.

mod curve;
mod files;
mod parquet;
pub mod sensitivity;
pub mod summary;

use crate::engine::Simulation;
use crate::parameter::{Plan, TimeseriesFormat};
use crate::report::RunReport;
use crate::report::atomic::Target;
use crate::report::columns::{self, Cell};
use crate::report::metrics;
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, OnceLock, mpsc};
use std::time::Duration;

pub use crate::report::manifest::{FileRecord, Finished, Manifest, Shard};
pub use files::{Here, sweep_name};

/// A run's `sweep.csv` row and its `sweep_curve_runs.csv` rows, as CSV bytes, and its
/// time series.
type RunRows = (Vec<u8>, Vec<u8>, RunSeries);

/// A run's time series, in the form its file takes.
enum RunSeries {
    /// `sweep_timeseries.csv` rows.
    Csv(Vec<u8>),
    Parquet(self::parquet::Columns),
    None,
}

/// Runs per batch: finished runs are committed to disk at least this often.
const BATCH: u64 = 16;

/// About how many bytes a sweep keeps for each point of its plan, whatever its runs
/// cost: the point's scenario, built from `base` with `fields` fields varied and kept
/// for the point's runs, then the point's summary and its row of the Markdown table.
/// (Reckoned from the base scenario's TOML, without its `[sweep]`: its text is about
/// what its lists and names take in memory. A sweep of 100,000 points of a small
/// scenario measured 2.4 kB a point in all; this and the plan's estimate say 3.5 kB.)
pub fn bytes_per_point(base: &Scenario, fields: usize) -> u64 {
    let scenario = std::mem::size_of::<OnceLock<Result<Scenario, String>>>() as u64
        + base.to_toml().len() as u64;
    let text = std::mem::size_of::<String>() as u64 + 16;
    let summary = std::mem::size_of::<summary::PointSummary>() as u64
        + fields as u64 * text
        + metrics::run().len() as u64 * std::mem::size_of::<[Option<f64>; 4]>() as u64;
    let table_row = (fields + metrics::run().len()) as u64 * 16;
    scenario + summary + table_row
}

/// Progress of a sweep in its work folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct State {
    manifest: Manifest,
    /// Runs of the slice finished and on disk.
    done: u64,
    /// Length of each data file after the last finished batch.
    sweep_bytes: u64,
    timeseries_bytes: u64,
    /// (Required: a sweep interrupted by a loyalsim that kept no curves cannot be
    /// resumed, and says so at once rather than at its end.)
    curve_bytes: u64,
}

/// A 64-bit FNV-1a hash, stable across versions and machines.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The identity of a sweep of `base` (resolved, sweep included).
/// `scenario_toml` is what the sweep's `scenario.toml` holds
/// ([`Plan::resolved_toml`]), so a merge can check each shard's file against its hash.
pub fn manifest(
    base: &Scenario,
    scenario_toml: &str,
    plan: &Plan,
    shard: Shard,
    warnings: &[String],
) -> Manifest {
    let (start, end) = shard.slice(plan.runs());
    Manifest {
        name: base.name.clone(),
        hash: format!("{:016x}", fnv1a(scenario_toml.as_bytes())),
        runs: plan.runs(),
        shard,
        start,
        end,
        timeseries: plan.timeseries,
        warnings: warnings.to_vec(),
        loyalsim: env!("CARGO_PKG_VERSION").to_string(),
    }
}

/// Errors of a sweep: bad input (exit 2), a failure writing files or one found in them
/// (exit 1).
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("{0}")]
    Input(String),
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    /// Something other than writing failed: a file read back, a check of the results.
    #[error("{0}")]
    Failed(String),
    /// Stopped by its [`Progress`] after `done` runs of the slice, which are on disk in
    /// the work folder `work`: the same sweep into the same folder resumes from there.
    #[error("stopped after {done} of {runs} runs; {} holds them, and the same sweep resumes from there", work.display())]
    Stopped { done: u64, runs: u64, work: PathBuf },
}

fn io_at(path: &Path) -> impl Fn(io::Error) -> SweepError + '_ {
    move |source| SweepError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Reports progress: called with runs finished so far (of the slice) after each batch,
/// once that batch is on disk. [`ControlFlow::Break`] stops the sweep there, as Ctrl-C
/// does the command: [`run`] returns [`SweepError::Stopped`] and the work folder is
/// left to be resumed.
pub type Progress<'a> = &'a (dyn Fn(u64, u64) -> ControlFlow<()> + Sync);

/// What is added to a finished sweep's folder before it is moved into place (its
/// charts: the sweep module draws nothing itself), given the folder.
pub type Then<'a> = &'a mut (dyn FnMut(&Path) -> Result<(), SweepError> + Send);

/// What a finished sweep left behind.
pub struct Outcome {
    pub dir: PathBuf,
    pub runs_done_now: u64,
    pub resumed_from: u64,
    pub summary_markdown: String,
}

/// What a sweep slice is, made once for [`run`] and [`finished_in`]: the base scenario
/// as a table (no `[sweep]`), the plan typed (its swept columns' types, for the CSV and
/// the Parquet writers alike), the resolved scenario's text and the slice's manifest.
struct Prepared {
    base_table: toml::Table,
    plan: Plan,
    scenario_toml: String,
    manifest: Manifest,
}

fn prepare(
    base: &Scenario,
    plan: &Plan,
    shard: Shard,
    warnings: &[String],
) -> Result<Prepared, SweepError> {
    let base_table = {
        let mut b = base.clone();
        b.sweep = None;
        b.to_table()
    };
    if let Some(analysis) = &plan.analysis {
        sensitivity::check_metrics(&analysis.metrics)
            .map_err(|e| SweepError::Input(e.to_string()))?;
    }
    let plan = plan
        .typed(&base_table)
        .map_err(|e| SweepError::Input(e.to_string()))?;
    let scenario_toml = plan
        .resolved_toml(base)
        .map_err(|e| SweepError::Input(e.to_string()))?;
    let manifest = manifest(base, &scenario_toml, &plan, shard, warnings);
    Ok(Prepared {
        base_table,
        plan,
        scenario_toml,
        manifest,
    })
}

/// Whether the folder `dir` already holds this finished slice of the sweep, every data
/// file verified against its manifest ([`Here::Complete`]): a resubmitted shard then
/// need not run again. Nothing is simulated.
pub fn finished_in(
    dir: &Path,
    base: &Scenario,
    plan: &Plan,
    shard: Shard,
    warnings: &[String],
) -> Result<Here, SweepError> {
    let p = prepare(base, plan, shard, warnings)?;
    Ok(files::finished_here(dir, &p.manifest, &p.plan))
}

/// Runs (or resumes) the sweep slice and moves the complete results into the target.
pub fn run(
    base: &Scenario,
    plan: &Plan,
    shard: Shard,
    target: &Target,
    warnings: &[String],
    progress: Progress,
    then: Then,
) -> Result<Outcome, SweepError> {
    let Prepared {
        base_table,
        plan,
        scenario_toml,
        manifest,
    } = prepare(base, plan, shard, warnings)?;
    let plan = &plan;
    let work = files::work_dir(target);
    let mut state = match files::read_state(&work)? {
        Some(old) if old.manifest == manifest => old,
        Some(old) if old.manifest.timeseries != manifest.timeseries => {
            let was = old.manifest.timeseries.word();
            return Err(SweepError::Input(format!(
                "{} holds an interrupted sweep that keeps its time series as {was}, and \
                 this one asks for {}; it was not resumed. Run it with --timeseries {was} \
                 to finish it, or delete that folder to start this sweep afresh",
                work.display(),
                manifest.timeseries.word()
            )));
        }
        // The same sweep, begun by another version.
        Some(old)
            if old.manifest.loyalsim != manifest.loyalsim
                && Manifest {
                    loyalsim: manifest.loyalsim.clone(),
                    ..old.manifest.clone()
                } == manifest =>
        {
            return Err(SweepError::Input(format!(
                "{} holds an interrupted sweep begun by {}, and this is loyalsim {}; it was \
                 not resumed (another version may give other numbers). Finish it with that \
                 loyalsim, or delete that folder to start this sweep afresh",
                work.display(),
                match old.manifest.loyalsim.as_str() {
                    "" => "an earlier loyalsim".to_string(),
                    v => format!("loyalsim {v}"),
                },
                manifest.loyalsim
            )));
        }
        Some(old) => {
            return Err(SweepError::Input(format!(
                "{} holds an interrupted sweep of a different scenario or shard \
                 (hash {} {}/{} vs now {} {}/{}); it was not resumed. Delete that folder \
                 to start this sweep afresh, or run the original scenario to finish it",
                work.display(),
                old.manifest.hash,
                old.manifest.shard.index,
                old.manifest.shard.count,
                manifest.hash,
                manifest.shard.index,
                manifest.shard.count
            )));
        }
        None => {
            files::fresh(&work)?;
            State {
                manifest: manifest.clone(),
                done: 0,
                sweep_bytes: 0,
                timeseries_bytes: 0,
                curve_bytes: 0,
            }
        }
    };
    let resumed_from = state.done;
    let mut out = files::Outputs::open(&work, &state, plan)?;
    let schema = out.schema();
    if state.done == 0 {
        out.write_headers(plan)?;
    }
    let (start, end) = (manifest.start, manifest.end);
    let first = start + state.done;
    // Every worker thread takes the next run as soon as it has finished one, and a
    // writing thread commits the runs in run order, a batch at a time: no thread waits
    // at the end of a batch for the others, nor while a batch is written. A worker
    // does not start a run more than WINDOW runs ahead of the last one written, so
    // memory stays bounded whatever the runs cost.
    let next = AtomicU64::new(first);
    let points: Vec<OnceLock<_>> = plan.points.iter().map(|_| OnceLock::new()).collect();
    let window = Window::new(first);
    let (tx, rx) = mpsc::channel::<(u64, Result<RunRows, SweepError>)>();
    std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            let written = write_in_order(
                rx, first, start, end, &mut out, &mut state, &work, progress, &window,
            );
            // Whatever happened, no worker waits for the writer any more.
            window.close();
            written
        });
        rayon::broadcast(|_| {
            let tx = tx.clone();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= end || !window.admit(i) {
                    break;
                }
                if tx
                    .send((i, one_run(plan, schema.as_deref(), &base_table, &points, i)))
                    .is_err()
                {
                    break;
                }
            }
        });
        drop(tx);
        writer.join().expect("the sweep's writing thread panicked")
    })?;
    out.close()?;
    let summary_markdown = files::finish(&work, target, scenario_toml, plan, &manifest, then)?;
    Ok(Outcome {
        dir: target.dir().to_path_buf(),
        runs_done_now: (end - start) - resumed_from,
        resumed_from,
        summary_markdown,
    })
}

/// Runs a worker may start ahead of the last one written.
const WINDOW: u64 = 4 * BATCH;

/// The runs written so far, for the workers to keep within [`WINDOW`] of them.
struct Window {
    written: Mutex<(u64, bool)>,
    moved: Condvar,
}

impl Window {
    fn new(first: u64) -> Window {
        Window {
            written: Mutex::new((first, false)),
            moved: Condvar::new(),
        }
    }

    /// Waits until run `i` is within the window; false when the writer has stopped.
    fn admit(&self, i: u64) -> bool {
        let mut w = self.written.lock().expect("window lock");
        while !w.1 && i >= w.0 + WINDOW {
            w = self.moved.wait(w).expect("window lock");
        }
        !w.1
    }

    fn advance(&self, to: u64) {
        self.written.lock().expect("window lock").0 = to;
        self.moved.notify_all();
    }

    fn close(&self) {
        self.written.lock().expect("window lock").1 = true;
        self.moved.notify_all();
    }
}

/// Appends the runs from `rx` in run order from `first`, flushing the files and
/// recording the state after every [`BATCH`] runs and after the last; stops at the
/// first run (in run order) that failed.
#[allow(clippy::too_many_arguments)]
fn write_in_order(
    rx: mpsc::Receiver<(u64, Result<RunRows, SweepError>)>,
    first: u64,
    start: u64,
    end: u64,
    out: &mut files::Outputs,
    state: &mut State,
    work: &Path,
    progress: Progress,
    window: &Window,
) -> Result<(), SweepError> {
    let mut pending = BTreeMap::new();
    let mut at = first;
    for (i, r) in rx {
        pending.insert(i, r);
        while let Some(r) = pending.remove(&at) {
            let (row, curve, series) = r?;
            out.append(&row, &curve, series)?;
            at += 1;
            // Also at the end of every block of Parquet parts, so that none of the
            // pieces committed straddles two.
            if (at - first).is_multiple_of(BATCH)
                || at == end
                || at.is_multiple_of(self::parquet::PART_RUNS)
            {
                state.done = at - start;
                (state.sweep_bytes, state.timeseries_bytes, state.curve_bytes) = out.flush()?;
                files::write_state(work, state)?;
                out.committed()?;
                if progress(state.done, end - start).is_break() {
                    return Err(SweepError::Stopped {
                        done: state.done,
                        runs: end - start,
                        work: work.to_path_buf(),
                    });
                }
            }
        }
        window.advance(at);
    }
    Ok(())
}

/// Each point's scenario, built (from TOML, validated) by its first run: the runs of a
/// point differ only in their seed.
type PointScenarios = [OnceLock<Result<Scenario, String>>];

/// One run: its `sweep.csv` row and its time series rows; the plan must be typed
/// ([`Plan::typed`]): its swept columns' types are how the values are written.
fn one_run(
    plan: &Plan,
    schema: Option<&self::parquet::Schema>,
    base: &toml::Table,
    points: &PointScenarios,
    index: u64,
) -> Result<RunRows, SweepError> {
    let run = plan.run(index);
    let built = points[run.point as usize]
        .get_or_init(|| plan.scenario(base, &run).map_err(|e| e.to_string()));
    let scenario = match built {
        // What plan.scenario(base, &run) gives: the seed is its only other override.
        Ok(s) => Scenario {
            seed: run.seed,
            ..s.clone()
        },
        Err(e) => return Err(SweepError::Input(format!("run {index}: {e}"))),
    };
    let results = Simulation::new(&scenario).run(scenario.periods);
    let report = RunReport {
        scenario: &scenario,
        results: &results,
        elapsed: Duration::ZERO,
        threads: 1,
        warnings: &[],
    };
    let measured = metrics::Measured::of(&report);
    let metric_cells: Vec<Cell> = metrics::run().iter().map(|m| m.cell(&measured)).collect();
    // The prefix (which run, the swept values) in CSV form once, then each record's
    // cells appended to it (the `csv` crate's bytes, without a string per cell).
    let mut prefix_csv = Vec::new();
    for c in columns::sweep_run() {
        (c.value)(&run).write_csv(&mut prefix_csv);
        prefix_csv.push(b',');
    }
    // A swept field this point does not use (R at a structural point) is not shown as
    // if it applied: `NaN`, not applicable.
    let point = &plan.points[run.point as usize];
    assert_eq!(
        plan.swept.len(),
        plan.paths.len(),
        "a typed plan (Plan::typed)"
    );
    for ((value, &dtype), path) in point.iter().zip(&plan.swept).zip(&plan.paths) {
        let idle = scenario.idle(path).is_some();
        columns::push_csv_field(
            &mut prefix_csv,
            Plan::cell_at(value, dtype, idle).as_bytes(),
        );
        prefix_csv.push(b',');
    }
    let mut row = Vec::new();
    columns::push_csv_record(&mut row, &prefix_csv, metric_cells.into_iter());
    // The run's retention curve, every bin, for the point's pooled curve.
    let mut curve = Vec::new();
    let curve_cols = columns::curve();
    for r in report.curve_rows() {
        let bin = std::iter::once(Cell::Int(r.index as u64));
        let cells = bin.chain(curve_cols.iter().map(|c| (c.value)(&r)));
        columns::push_csv_record(&mut curve, &prefix_csv, cells);
    }
    let cols = columns::timeseries();
    // A schema is given when, and only when, the sweep keeps Parquet.
    let series = match schema {
        Some(schema) => {
            let idle: Vec<bool> = plan
                .paths
                .iter()
                .map(|p| scenario.idle(p).is_some())
                .collect();
            let prefix = schema.prefix(plan, &run, &idle);
            let mut series = self::parquet::Columns::new(schema);
            for r in report.timeseries_rows() {
                series.push_row(schema, &prefix, cols.iter().map(|c| (c.value)(&r)))?;
            }
            RunSeries::Parquet(series)
        }
        None if plan.timeseries == TimeseriesFormat::Csv => {
            let mut series = Vec::new();
            for r in report.timeseries_rows() {
                let cells = cols.iter().map(|c| (c.value)(&r));
                columns::push_csv_record(&mut series, &prefix_csv, cells);
            }
            RunSeries::Csv(series)
        }
        None => RunSeries::None,
    };
    Ok((row, curve, series))
}

/// The headers of a sweep's files.
pub struct Headers {
    pub sweep: Vec<String>,
    /// `sweep_timeseries.csv`, and the columns of `sweep_timeseries.parquet`.
    pub series: Vec<String>,
    /// `sweep_curve_runs.csv`.
    pub curve: Vec<String>,
}

/// A swept field's column is named by its path, or `swept.PATH` where that is already
/// a column of the file ([`columns::swept_column`]).
pub fn headers(plan: &Plan) -> Headers {
    let run: Vec<String> = columns::sweep_run()
        .iter()
        .map(|c| c.name.to_string())
        .collect();
    let prefix: Vec<String> = run
        .iter()
        .cloned()
        .chain(plan.paths.iter().cloned())
        .collect();
    let then = |rest: Vec<String>| prefix.iter().cloned().chain(rest).collect();
    let series: Vec<String> = columns::timeseries()
        .iter()
        .map(|c| c.name.to_string())
        .collect();
    let swept_in_series = plan
        .paths
        .iter()
        .map(|p| columns::swept_column("sweep_timeseries.csv", p));
    Headers {
        sweep: then(metrics::run().iter().map(|m| m.name.to_string()).collect()),
        series: run
            .iter()
            .cloned()
            .chain(swept_in_series)
            .chain(series.iter().cloned())
            .collect(),
        curve: then(
            std::iter::once(columns::BIN.0.to_string())
                .chain(columns::curve().iter().map(|c| c.name.to_string()))
                .collect(),
        ),
    }
}

/// Merges complete shard folders into one result identical to a single-process sweep,
/// after checking every shard against its manifest.
pub fn merge(shards: &[PathBuf], target: &Target, then: Then) -> Result<String, SweepError> {
    files::merge(shards, target, then)
}

#[cfg(test)]
mod tests;
