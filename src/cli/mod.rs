//! The command line: an [`Options`] struct built once by clap, and one function per
//! command. This is the only layer that reads scenario files, looks at the machine and
//! prints to the console.

mod memory;

use crate::engine::{self, Simulation};
use crate::error::Error;
use crate::report::RunReport;
use crate::scenario::{Override, SHOWCASE, Scenario, ScenarioError};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
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
  loyalsim validate scenarios/kotler_ladder.toml   check a file, print it resolved

Scenario fields are documented in docs/scenario.md.";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario and write timeseries.csv, curve.csv, summary.json and scenario.toml.
    Run(RunArgs),
    /// Check a scenario and print it with every default filled in.
    Validate(ScenarioArgs),
}

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
    /// Results folder [default: output/<scenario name>]. Replaced whole when the run completes.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Worker threads [default: RAYON_NUM_THREADS, or one per core]. Results do not depend on it.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs the command the options name.
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
        }),
        Some(Command::Run(args)) => run_scenario(args),
        Some(Command::Validate(args)) => {
            let scenario = load(&args)?;
            say(&format!(
                "{}{}",
                describe_market(&scenario),
                scenario.to_toml()
            ));
            Ok(())
        }
    }
}

/// Reads, overrides and validates the scenario the arguments name.
pub fn load(args: &ScenarioArgs) -> Result<Scenario, Error> {
    let mut overrides = args
        .set
        .iter()
        .map(|s| s.parse::<Override>())
        .collect::<Result<Vec<_>, ScenarioError>>()?;
    if let Some(seed) = args.seed {
        overrides.push(Override::seed(seed));
    }
    let (scenario, source) = match &args.scenario {
        Some(path) => (
            Scenario::load(path, &overrides)?,
            path.display().to_string(),
        ),
        None => (
            Scenario::parse(SHOWCASE, "showcase (built in)", &overrides)?,
            "showcase (built in)".to_string(),
        ),
    };
    memory::check(&scenario, &source)?;
    Ok(scenario)
}

fn run_scenario(args: RunArgs) -> Result<(), Error> {
    let scenario = load(&args.scenario)?;
    let threads = match args.threads {
        Some(0) => {
            return Err(Error::Usage(
                "--threads 0: expected at least 1 thread".into(),
            ));
        }
        Some(n) => n,
        None => rayon::current_num_threads(),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Usage(format!("--threads {threads}: {e}")))?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(&scenario.name));
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
    };
    let files = report.write(&out).map_err(|source| Error::Write {
        path: out.display().to_string(),
        source,
    })?;
    if !args.quiet {
        say(&format!(
            "wrote {}/ ({})\n{}\n",
            out.display(),
            files.join(", "),
            console_summary(&report)
        ));
    }
    Ok(())
}

/// Prints to standard output; a closed pipe (`loyalsim validate | head`) is not an error.
fn say(text: &str) {
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
