//! The command line: an [`Options`] struct built once by clap, and one function per
//! command. This is the only layer that reads scenario files, looks at the machine and
//! prints to the console.
//!
//! The options' doc comments are clap's `--help` text, written for a terminal
//! (`[sweep]`, `output/<scenario name>`), so rustdoc is not to read them as links or
//! HTML.
#![allow(rustdoc::private_intra_doc_links, rustdoc::invalid_html_tags)]

mod calibrate;
mod cluster;
pub mod embed;
mod literature;
mod memory;
mod options;
mod parse_error;
mod plot;
mod progress;
mod run;
mod sweep;

pub use options::{Command, Options, PlotArgs, RunArgs, ScenarioArgs, SelectionArgs};
pub use parse_error::parse_error;

use crate::engine;
use crate::error::Error;
use crate::report::atomic::{self, Target};
use crate::report::lock::Lock;
use crate::scenario::{self, Override, SHOWCASE, Scenario, ScenarioError};
use options::at_least_one;
use plot::plot;
use progress::Progress;
use run::run_scenario;
use std::path::Path;

/// The thread count a `--threads` option asks for (at least 1, by [`at_least_one`]).
fn thread_count(threads: Option<usize>) -> usize {
    threads_allowed(threads).n
}

/// The thread count and what bounded it: `--threads`, else `RAYON_NUM_THREADS`, else
/// the CPUs this process may use, bounded by a scheduler's allocation
/// ([`cluster::threads`]).
fn threads_allowed(threads: Option<usize>) -> cluster::Threads {
    let available = std::thread::available_parallelism().map_or(1, |n| n.get());
    cluster::threads(threads, &|k| std::env::var(k).ok(), available)
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
    overrides_of(&args.set, args.seed)
}

/// The overrides of `PATH=VALUE` assignments and a seed, in order.
fn overrides_of(set: &[String], seed: Option<u64>) -> Result<Vec<Override>, Error> {
    let mut overrides = set
        .iter()
        .map(|s| s.parse::<Override>())
        .collect::<Result<Vec<_>, ScenarioError>>()?;
    if let Some(seed) = seed {
        overrides.push(Override::seed(seed));
    }
    Ok(overrides)
}

/// [`load`], keeping the tree as written and the settings in it that change nothing,
/// with the name of the source for messages.
pub fn read(args: &ScenarioArgs) -> Result<(scenario::Read, String), Error> {
    let input = match &args.scenario {
        Some(path) => embed::Input::File(path.clone()),
        None => embed::Input::Showcase,
    };
    read_input(&input, &overrides(args)?)
}

/// [`read`] of a scenario given as a file, as text or not at all (the showcase).
fn read_input(
    input: &embed::Input,
    overrides: &[Override],
) -> Result<(scenario::Read, String), Error> {
    let (text, source) = match input {
        embed::Input::File(path) => (scenario::read_text(path)?, path.display().to_string()),
        embed::Input::Text { text, name } => (text.clone(), name.clone()),
        embed::Input::Showcase => (SHOWCASE.to_string(), "showcase (built in)".to_string()),
    };
    let read = Scenario::read(&text, &source, overrides)?;
    if read.scenario.sweep.is_none()
        && let Some(u) = read.unused.first()
    {
        return Err(scenario::unused_error(u, &source, overrides).into());
    }
    memory::check(&read.scenario, &source)?;
    Ok((read, source))
}

/// Prints each warning as one line on standard error.
pub(super) fn warn(warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {}", scenario::cut(w, 600));
    }
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

/// Prints to standard output; a closed pipe (`loyalsim validate | head`) is not an error.
pub(super) fn say(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
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
