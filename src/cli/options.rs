//! The command line's shape: the [`Options`] clap builds, the commands and the
//! arguments `run`, `validate` and `plot` take, with their `--help` text and examples.
//! Separate from the commands so the interface can be read in one place.

use super::{calibrate, literature, sweep};
use crate::report::chart;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Simulate why satisfied customers still leave and dissatisfied ones still stay.
///
/// loyalsim runs an agent-based model of CL = R·f(CS): loyalty follows satisfaction
/// through an indifference zone, damped by constraints R (monopoly, switching costs,
/// convenience, inertia). With no command it runs the built-in showcase scenario and
/// writes its results to output/showcase/.
#[derive(Debug, Parser)]
#[command(name = "loyalsim", version, about, long_about, after_help = EXAMPLES)]
pub struct Options {
    #[command(subcommand)]
    pub command: Option<Command>,
}

const EXAMPLES: &str = "\
Examples:
  loyalsim                                      run the built-in showcase
  loyalsim run scenarios/competitive.toml       run a scenario file
  loyalsim run scenarios/monopoly.toml --set customers=100000 --set constraint.r=inf
  loyalsim validate scenarios/literature/kotler_ladder.toml  check a file, print it resolved
  loyalsim plot output/showcase --size print    redraw a run's charts for a journal
  loyalsim plot output/low output/strong --out output/compare   compare runs

Scenario fields are documented in docs/scenario.md.";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario and write its tables (CSV), summary.json, scenario.toml and charts.
    Run(RunArgs),
    /// Check a scenario and print it with every default filled in.
    Validate(ScenarioArgs),
    /// Run the [sweep] of a scenario: many runs in parallel, resumable and shardable.
    ///
    /// Writes sweep.csv (a row per run), sweep_timeseries.csv (every run's periods; or
    /// sweep_timeseries.parquet/ or nothing, see --timeseries),
    /// sweep_summary.csv (a row per point: mean, sd and 95% interval of each metric) and
    /// NAME.md (the summary table, also printed). Interrupted? Run the same command again:
    /// finished runs are kept and the rest completed, with the same files as an
    /// uninterrupted sweep.
    Sweep(sweep::SweepArgs),
    /// Combine the folders of `loyalsim sweep --shard I/N` into one result, identical to
    /// a single-process sweep.
    Merge(sweep::MergeArgs),
    /// Draw charts from results folders, without running anything again.
    ///
    /// With one folder, redraws its run's charts (retention_curve, timeseries, types,
    /// complaints when customers could complain, word_of_mouth when they talk) from its
    /// CSVs; with default options the files equal those `loyalsim run` wrote, byte for
    /// byte. --periods and --firm draw a window of the run or one firm. With several folders, compares the runs: retention_curves (one
    /// curve per run), correlation_vs_r (correlation of CS with staying against R) and,
    /// when exactly two scenario fields differ between the runs, heatmap. Runs are
    /// labelled by the fields that differ between their scenarios.
    ///
    /// With a sweep's folder (`loyalsim sweep`), draws its charts: retention_curves
    /// (one curve per point, from sweep_curve.csv), metric_NAME (a metric against a
    /// swept field, for retention, correlation_cs_staying, hostage_share and profit or
    /// --metric), correlation_vs_r, heatmap (a grid over two fields) and sensitivity
    /// (a Morris or Sobol' study).
    #[command(after_help = PLOT_EXAMPLES)]
    Plot(PlotArgs),
    /// Fit chosen parameters of a scenario to target figures (Nelder–Mead, common random
    /// numbers).
    ///
    /// The target file (TOML, see docs/calibration.md) names the parameters by dotted
    /// path with search bounds, and the figures to match (retention, a curve bin, a
    /// firm's retention, ...) with tolerances. Writes scenario.toml (the fitted scenario),
    /// fit.json and fit.md (the fit table, also printed).
    Calibrate(calibrate::CalibrateArgs),
    /// Check the published figures loyalsim must reproduce and write the validation page.
    ///
    /// Runs every scenario of scenarios/literature (each with several seeds), compares
    /// the simulated figures with the sources' (Kotler's ladder, Xerox, Jones & Sasser,
    /// Bain, TARP, ...) within stated tolerances, prints a line per check and writes
    /// docs/validation.md with its charts. Exit code 1 when a figure is not reproduced.
    Literature(literature::LiteratureArgs),
}

const PLOT_EXAMPLES: &str = "\
Examples:
  loyalsim plot output/showcase                       redraw into the results folder
  loyalsim plot output/showcase --size print --format png --out figures
  loyalsim plot output/showcase --chart retention_curve --title \"\"   no title, for a caption
  loyalsim plot output/monopoly_entry --periods 20.. --firm Incumbent   after the entry
  for r in none low medium strong inf; do
    loyalsim run scenarios/competitive.toml --set constraint.r=$r --no-charts --out runs/r-$r
  done
  loyalsim plot runs/r-* --out runs/compare            one curve per constraint level
  loyalsim plot output/constraint_benchmark --metric hostage_share   a sweep's charts";

#[derive(Debug, Args)]
pub struct ScenarioArgs {
    /// Scenario file (TOML); the built-in showcase when omitted.
    pub scenario: Option<PathBuf>,
    /// Override a field by dotted path, e.g. --set constraint.r=inf --set firms.0.price=4.5
    /// (repeatable; applied in order).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Master seed, 0 to 9223372036854775807 (same as --set seed=N).
    #[arg(long, value_parser = clap::value_parser!(u64).range(0..=i64::MAX as u64))]
    pub seed: Option<u64>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Results folder [default: output/<scenario name>]. Replaced whole when the run
    /// completes; must be new, empty or a loyalsim results folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Worker threads (the help names the schedulers whose allocation bounds the default).
    #[arg(long, value_name = "N", value_parser = at_least_one, help = super::cluster::threads_help())]
    pub threads: Option<usize>,
    /// Print nothing but errors (warnings are still kept in summary.json).
    #[arg(long, short)]
    pub quiet: bool,
    /// Write the tables only: no charts (`loyalsim plot DIR` draws them later).
    #[arg(long)]
    pub no_charts: bool,
    #[command(flatten)]
    pub selection: SelectionArgs,
}

/// Which part of a run its charts draw.
#[derive(Debug, Args, Default, Clone)]
pub struct SelectionArgs {
    /// Draw the run's charts for periods A to B only, both included: A..B, A.. (to the
    /// end), ..B or A (one period). The whole run by default.
    #[arg(long, value_name = "A..B")]
    pub periods: Option<chart::Periods>,
    /// Draw the run's charts for this firm only (its name in the scenario). Every firm
    /// by default.
    #[arg(long, value_name = "NAME")]
    pub firm: Option<String>,
}

impl SelectionArgs {
    pub(super) fn selection(&self) -> chart::Selection {
        chart::Selection {
            periods: self.periods,
            firm: self.firm.clone(),
        }
    }
}

#[derive(Debug, Args)]
pub struct PlotArgs {
    /// Results folders written by `loyalsim run`: one to redraw its charts, several to
    /// compare them; or one folder of `loyalsim sweep` to draw its charts.
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Folder for the charts [default: the results folder; required with several].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// screen (1600x1000 px, 200 dpi), print (7 x 4.5 in at 300 dpi: 2100x1350 px), or
    /// WIDTHxHEIGHT in pixels. Text and lines keep their size in points.
    #[arg(long, value_name = "SIZE", default_value = "screen")]
    pub size: chart::Size,
    /// png, svg or both.
    #[arg(long, value_name = "FORMAT", default_value = "both")]
    pub format: chart::Format,
    /// Title of every chart drawn, instead of its own; "" for none (a caption instead).
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// Draw only this chart (repeatable): retention_curve, timeseries, types, complaints,
    /// word_of_mouth;
    /// or, with several folders, retention_curves, correlation_vs_r, heatmap; or, of a
    /// sweep, retention_curves, metric, correlation_vs_r, heatmap, sensitivity.
    #[arg(long = "chart", value_name = "NAME", value_parser = chart_name)]
    pub only: Vec<String>,
    /// What the heatmap shows [default: retention]: of runs, from summary.json
    /// (retention, correlation_cs_staying, satisfied_defector_share, hostage_share or
    /// mean_r_eff); of a sweep, any metric of docs/metrics.md, which is then also the
    /// one metric chart drawn (instead of retention, correlation_cs_staying,
    /// hostage_share and profit) and the one sensitivity panel.
    #[arg(long, value_name = "NAME", value_parser = metric_name)]
    pub metric: Option<String>,
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// A chart's name (`--chart`), of any kind: a typo is refused here, before any folder
/// is read; whether the folder's kind (a run, several, a sweep) has that chart is
/// known, and checked, once it is read.
pub(super) fn chart_name(text: &str) -> Result<String, String> {
    let mut known: Vec<&str> = chart::RUN_CHARTS.to_vec();
    for name in chart::COMPARISON_CHARTS.iter().chain(&chart::SWEEP_CHARTS) {
        if !known.contains(name) {
            known.push(name);
        }
    }
    if known.contains(&text) {
        Ok(text.to_string())
    } else {
        Err(format!("expected one of {}", known.join(", ")))
    }
}

/// A metric's name (`--metric`): one of the metric table (docs/metrics.md).
pub(super) fn metric_name(text: &str) -> Result<String, String> {
    match crate::report::metrics::find(text) {
        Some(_) => Ok(text.to_string()),
        None => Err(format!(
            "expected one of {}",
            crate::report::metrics::names()
        )),
    }
}

/// A count of at least one (`--threads`, `--max-evals`), parsed at the edge.
pub(super) fn at_least_one(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err("expected a whole number, at least 1".into()),
    }
}
