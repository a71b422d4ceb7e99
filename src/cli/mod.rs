//! The command line: an [`Options`] struct built once by clap, and one function per
//! command. This is the only layer that reads scenario files, looks at the machine and
//! prints to the console.
//!
//! The options' doc comments are clap's `--help` text, written for a terminal
//! (`[sweep]`, `output/<scenario name>`), so rustdoc is not to read them as links or
//! HTML.
#![allow(rustdoc::private_intra_doc_links, rustdoc::invalid_html_tags)]

mod calibrate;
mod literature;
mod memory;
mod sweep;

use crate::engine::{self, Simulation};
use crate::error::Error;
use crate::report::RunReport;
use crate::report::atomic::{self, Target};
use crate::report::chart::{self, ChartOptions};
use crate::report::lock::Lock;
use crate::scenario::{self, Override, SHOWCASE, Scenario, ScenarioError};
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::time::Instant;

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
    /// Worker threads [default: RAYON_NUM_THREADS, or one per core]. Results do not depend on it.
    #[arg(long, value_name = "N", value_parser = at_least_one)]
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
    fn selection(&self) -> chart::Selection {
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
    #[arg(long = "chart", value_name = "NAME")]
    pub only: Vec<String>,
    /// What the heatmap shows [default: retention]: of runs, from summary.json
    /// (retention, correlation_cs_staying, satisfied_defector_share, hostage_share or
    /// mean_r_eff); of a sweep, any metric of docs/metrics.md, which is then also the
    /// one metric chart drawn (instead of retention, correlation_cs_staying,
    /// hostage_share and profit) and the one sensitivity panel.
    #[arg(long, value_name = "NAME")]
    pub metric: Option<String>,
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// A count of at least one (`--threads`, `--max-evals`), parsed at the edge.
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err("expected a whole number, at least 1".into()),
    }
}

/// The thread count a `--threads` option asks for (at least 1, by [`at_least_one`]).
fn thread_count(threads: Option<usize>) -> usize {
    threads.unwrap_or_else(rayon::current_num_threads)
}

/// A rayon pool of `threads` workers for one command.
fn thread_pool(threads: usize) -> Result<rayon::ThreadPool, Error> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Usage(format!("--threads {threads}: {e}")))
}

/// Claims the results folder `out` (see [`atomic`]): locked, checked and cleared of
/// leftovers, before anything is simulated, so a wrong `--out` or a second command on the
/// same folder is refused at once.
fn claim(out: &Path) -> Result<Target, Error> {
    Target::claim(out).map_err(Error::from)
}

/// Locks a folder that files are written into (`plot`, `literature`).
fn claim_folder(out: &Path) -> Result<Lock, Error> {
    atomic::claim_folder(out).map_err(Error::from)
}

/// Runs the command the options name.
/// Help and version are printed as clap writes them (exit 0); a bad command line is one
/// line, as every other bad input is: clap's message with its indented details joined
/// on, without the usage block and tips, and where to read more (exit 2).
pub fn parse_error(e: clap::Error) -> std::process::ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return std::process::ExitCode::from(e.exit_code() as u8);
    }
    let text = e.render().to_string();
    // The command the arguments name, for the pointer to its help.
    let known = <Options as clap::CommandFactory>::command();
    let sub = std::env::args().skip(1).find(|a| {
        !a.starts_with('-') && known.get_subcommands().any(|c| c.get_name() == a.as_str())
    });
    let fallback = sub.map_or("loyalsim".to_string(), |s| format!("loyalsim {s}"));
    eprintln!("{}", one_line_parse_error(&text, &fallback));
    std::process::ExitCode::from(crate::error::EXIT_BAD_INPUT)
}

/// clap's rendered error as one line: `error: unexpected argument '--bogus' found (see
/// loyalsim sweep --help)`.
fn one_line_parse_error(text: &str, fallback: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let mut usage = None;
    for line in text.lines() {
        let t = line.trim();
        if let Some(u) = t.strip_prefix("Usage: ") {
            usage = u.split(" [").next().and_then(|u| u.split(" <").next());
            continue;
        }
        if t.is_empty() || t.starts_with("tip:") || t.starts_with("For more information") {
            continue;
        }
        parts.push(t);
    }
    let mut line = parts.join(" ");
    if !line.starts_with("error:") {
        line = format!("error: {line}");
    }
    let command = usage.unwrap_or(fallback).trim();
    format!("{line} (see {command} --help)")
}

pub fn run(options: Options) -> Result<(), Error> {
    match options.command {
        None => run_scenario(RunArgs {
            scenario: ScenarioArgs {
                scenario: None,
                set: Vec::new(),
                seed: None,
            },
            out: None,
            threads: None,
            quiet: false,
            no_charts: false,
            selection: SelectionArgs::default(),
        }),
        Some(Command::Run(args)) => run_scenario(args),
        Some(Command::Sweep(args)) => sweep::sweep(args),
        Some(Command::Merge(args)) => sweep::merge(args),
        Some(Command::Plot(args)) => plot(args),
        Some(Command::Calibrate(args)) => calibrate::calibrate(args),
        Some(Command::Literature(args)) => literature::literature(args),
        Some(Command::Validate(args)) => {
            let (read, source) = read(&args)?;
            let mut warnings = read.scenario.warnings();
            let resolved = match &read.scenario.sweep {
                Some(_) => {
                    let (plan, more) = sweep::check(&read, &source, &args)?;
                    warnings.extend(more);
                    plan.resolved_toml(&read.scenario)?
                }
                None => read.scenario.to_toml(),
            };
            warn(&warnings);
            say(&format!("{}{resolved}", describe_market(&read.scenario)));
            Ok(())
        }
    }
}

/// Reads, overrides and validates the scenario the arguments name; a setting that
/// changes nothing is an error, unless the file has a `[sweep]` (its points may use it).
pub fn load(args: &ScenarioArgs) -> Result<Scenario, Error> {
    let (read, _) = read(args)?;
    Ok(read.scenario)
}

/// The overrides of `--set` and `--seed`, in order.
pub(super) fn overrides(args: &ScenarioArgs) -> Result<Vec<Override>, Error> {
    let mut overrides = args
        .set
        .iter()
        .map(|s| s.parse::<Override>())
        .collect::<Result<Vec<_>, ScenarioError>>()?;
    if let Some(seed) = args.seed {
        overrides.push(Override::seed(seed));
    }
    Ok(overrides)
}

/// [`load`], keeping the tree as written and the settings in it that change nothing,
/// with the name of the source for messages.
pub fn read(args: &ScenarioArgs) -> Result<(scenario::Read, String), Error> {
    let overrides = overrides(args)?;
    let (text, source) = match &args.scenario {
        Some(path) => (scenario::read_text(path)?, path.display().to_string()),
        None => (SHOWCASE.to_string(), "showcase (built in)".to_string()),
    };
    let read = Scenario::read(&text, &source, &overrides)?;
    if read.scenario.sweep.is_none()
        && let Some(u) = read.unused.first()
    {
        return Err(scenario::unused_error(u, &source, &overrides).into());
    }
    memory::check(&read.scenario, &source)?;
    Ok((read, source))
}

/// What a run tells the user beside its results: shares normalised and, for a file
/// written for a sweep, its `[sweep]` and the settings that only its points use.
fn run_warnings(
    read: &scenario::Read,
    source: &str,
    args: &ScenarioArgs,
) -> Result<Vec<String>, Error> {
    if let Some(set) = args
        .set
        .iter()
        .find(|s| s.trim_start().starts_with("sweep"))
    {
        return Err(ScenarioError::Override {
            assignment: set.clone(),
            message: "`loyalsim run` runs one scenario and ignores [sweep]; \
                      use `loyalsim sweep` to run a sweep"
                .into(),
        }
        .into());
    }
    let mut warnings = read.scenario.warnings();
    warnings.extend(read.idled.iter().map(|u| {
        format!(
            "field `{}` of {source} changes nothing after --set: {}",
            u.path, u.why
        )
    }));
    if read.scenario.sweep.is_some() {
        warnings.push(format!(
            "{source} has a [sweep] table, which `run` ignores: this is one run of its base \
             scenario (`loyalsim sweep` runs the sweep)"
        ));
        warnings.extend(
            read.unused
                .iter()
                .map(|u| format!("field `{}` changes nothing in this run: {}", u.path, u.why)),
        );
    }
    Ok(warnings)
}

/// Prints each warning as one line on standard error.
pub(super) fn warn(warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {}", scenario::cut(w, 600));
    }
}

fn run_scenario(args: RunArgs) -> Result<(), Error> {
    let (read, source) = read(&args.scenario)?;
    let warnings = run_warnings(&read, &source, &args.scenario)?;
    if !args.quiet {
        warn(&warnings);
    }
    let scenario = read.scenario;
    let selection = args.selection.selection();
    if args.no_charts && !selection.is_whole() {
        return Err(Error::Usage(
            "--periods, --firm: choose what the charts draw, and --no-charts draws none".into(),
        ));
    }
    if !args.no_charts {
        // A window outside the run or an unknown firm, before anything is simulated.
        let firms: Vec<String> = scenario.firms.iter().map(|f| f.name.clone()).collect();
        selection
            .resolve(scenario.periods, &firms)
            .map_err(Error::Usage)?;
        memory::check_with_charts(&scenario, &source)?;
    }
    let threads = thread_count(args.threads);
    let pool = thread_pool(threads)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(&scenario.name));
    let target = claim(&out)?;
    if !args.quiet {
        eprintln!(
            "loyalsim: {} — {} customers × {} periods, seed {}, {} thread{}",
            scenario.name,
            scenario.customers,
            scenario.periods,
            scenario.seed,
            threads,
            if threads == 1 { "" } else { "s" }
        );
    }
    let start = Instant::now();
    let results = pool.install(|| Simulation::new(&scenario).run(scenario.periods));
    let elapsed = start.elapsed();
    let report = RunReport {
        scenario: &scenario,
        results: &results,
        elapsed,
        threads,
        warnings: &warnings,
    };
    // Charts are drawn from the tables just written, as `loyalsim plot` draws them.
    let mut charts = chart::ChartFiles::default();
    let options = ChartOptions {
        selection,
        ..ChartOptions::default()
    };
    let files = report
        .write_then(&target, |tmp| {
            if !args.no_charts {
                charts = chart::draw_run(tmp, tmp, &options).map_err(std::io::Error::other)?;
            }
            Ok(())
        })
        .map_err(|source| Error::Write {
            path: out.display().to_string(),
            source,
        })?;
    if !args.quiet {
        say(&format!(
            "wrote {}/ ({}{})\n{}\n",
            out.display(),
            files.join(", "),
            describe_charts(&charts.files),
            console_summary(&report)
        ));
        for why in &charts.skipped {
            eprintln!("loyalsim: no {why}");
        }
    }
    Ok(())
}

/// "; charts retention_curve, timeseries, types (.png, .svg)".
fn describe_charts(files: &[String]) -> String {
    let mut stems: Vec<&str> = Vec::new();
    let mut kinds: Vec<&str> = Vec::new();
    for f in files {
        if let Some((stem, ext)) = f.rsplit_once('.') {
            if !stems.contains(&stem) {
                stems.push(stem);
            }
            if !kinds.contains(&ext) {
                kinds.push(ext);
            }
        }
    }
    if stems.is_empty() {
        return String::new();
    }
    let kinds: Vec<String> = kinds.iter().map(|k| format!(".{k}")).collect();
    format!("; charts {} ({})", stems.join(", "), kinds.join(", "))
}

fn plot(args: PlotArgs) -> Result<(), Error> {
    let options = ChartOptions {
        size: args.size,
        format: args.format,
        title: args.title.clone(),
        only: args.only.clone(),
        metric: args.metric.clone(),
        selection: args.selection.selection(),
    };
    memory::check_plot(&args.dirs, options.size)?;
    if let [dir] = &args.dirs[..] {
        let out = args.out.clone().unwrap_or_else(|| dir.clone());
        let _lock = claim_folder(&out)?;
        let drawn = if chart::is_sweep_folder(dir) {
            chart::draw_sweep(dir, &out, &options)
        } else {
            chart::draw_run(dir, &out, &options)
        }?;
        if !args.quiet {
            report_drawn(&out, &drawn);
        }
        return Ok(());
    }
    if !options.selection.is_whole() {
        return Err(Error::Usage(format!(
            "--periods, --firm: draw the charts of one run; {} results folders are compared \
             over their whole runs",
            args.dirs.len()
        )));
    }
    let Some(out) = &args.out else {
        return Err(Error::Usage(format!(
            "plot: {} results folders are compared into one set of charts; say where with --out DIR",
            args.dirs.len()
        )));
    };
    let _lock = claim_folder(out)?;
    let drawn = chart::draw_comparison(&args.dirs, out, &options)?;
    if !args.quiet {
        report_drawn(out, &drawn);
    }
    Ok(())
}

/// "wrote DIR/ (files)", unless nothing was, then why each chart was left out.
fn report_drawn(out: &Path, drawn: &chart::ChartFiles) {
    if !drawn.files.is_empty() {
        say(&format!(
            "wrote {}/ ({})\n",
            out.display(),
            drawn.files.join(", ")
        ));
    }
    for why in &drawn.skipped {
        eprintln!("loyalsim: no {why}");
    }
}

/// A progress bar of `len` steps on standard error in `style`, hidden with `--quiet`
/// or when standard error is not a terminal (a log file gets no bar).
pub(super) fn progress_bar(
    quiet: bool,
    len: u64,
    style: impl FnOnce() -> indicatif::ProgressStyle,
) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(style());
    bar
}

/// Prints to standard output; a closed pipe (`loyalsim validate | head`) is not an error.
pub(super) fn say(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn percent(x: Option<f64>) -> String {
    x.map_or("n/a".into(), |v| format!("{:.1}%", 100.0 * v))
}

fn console_summary(report: &RunReport) -> String {
    let h = report.headline();
    format!(
        "retention per period {} · corr(CS, staying) {} · satisfied defectors {} · hostages {}\n\
         {:.1} M customer-steps in {:.2} s ({:.1} M/s)",
        percent(h.retention),
        h.correlation_cs_staying
            .map_or("n/a".into(), |c| format!("{c:.3}")),
        percent(h.satisfied_defector_share),
        percent(h.hostage_share),
        report.results.customer_steps as f64 / 1e6,
        report.elapsed.as_secs_f64(),
        report.steps_per_s() / 1e6,
    )
}

/// The delivered value of every firm for every segment: what the scenario's numbers mean.
fn describe_market(s: &Scenario) -> String {
    let model = crate::model::Model::new(s);
    let mut out = String::from("# Customer delivered value (TCV − TCC) by segment and firm:\n");
    for (g, seg) in s.segments.iter().enumerate() {
        let cells: Vec<String> = s
            .firms
            .iter()
            .enumerate()
            .map(|(j, f)| format!("{} {:.2}", f.name, model.cdv[g * s.firms.len() + j]))
            .collect();
        out.push_str(&format!(
            "#   {} (expectation {}): {}\n",
            seg.name,
            seg.expectation,
            cells.join(", ")
        ));
    }
    out.push_str(&format!(
        "# Estimated memory: {:.1} MiB\n",
        engine::memory_estimate(s) as f64 / (1u64 << 20) as f64
    ));
    out
}

#[cfg(test)]
mod parse_error_tests {
    use super::one_line_parse_error;

    #[test]
    fn clap_errors_become_one_line_with_a_pointer_to_help() {
        let text = "error: unexpected argument '--bogus' found\n\n  tip: to pass '--bogus' as a \
                    value, use '-- --bogus'\n\nUsage: loyalsim sweep [OPTIONS] [SCENARIO]\n\n\
                    For more information, try '--help'.\n";
        assert_eq!(
            one_line_parse_error(text, "loyalsim"),
            "error: unexpected argument '--bogus' found (see loyalsim sweep --help)"
        );
        let text = "error: the following required arguments were not provided:\n  <DIR>...\n\n\
                    Usage: loyalsim merge <DIR>...\n\nFor more information, try '--help'.\n";
        assert_eq!(
            one_line_parse_error(text, "loyalsim"),
            "error: the following required arguments were not provided: <DIR>... (see \
             loyalsim merge --help)"
        );
        let text = "error: invalid value 'x' for '--threads <N>'\n\nFor more information, try \
                    '--help'.\n";
        assert_eq!(
            one_line_parse_error(text, "loyalsim run"),
            "error: invalid value 'x' for '--threads <N>' (see loyalsim run --help)"
        );
    }
}
