//! `loyalsim run` (and no command at all): one scenario simulated, its tables and
//! charts written, and a short summary printed.

use super::{RunArgs, claim, describe_charts, memory, read, say, thread_count, thread_pool, warn};
use crate::engine::Simulation;
use crate::error::Error;
use crate::report::RunReport;
use crate::report::atomic::Target;
use crate::report::chart::{self, ChartOptions};
use crate::scenario::{self, ScenarioError};
use std::path::PathBuf;
use std::time::Instant;

/// What a run tells the user beside its results: shares normalised and, for a file
/// written for a sweep, its `[sweep]` and the settings that only its points use.
pub(super) fn run_warnings(
    read: &scenario::Read,
    source: &str,
    set: &[String],
) -> Result<Vec<String>, Error> {
    if let Some(set) = set.iter().find(|s| s.trim_start().starts_with("sweep")) {
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

pub(super) fn run_scenario(args: RunArgs) -> Result<(), Error> {
    let (read, source) = read(&args.scenario)?;
    let warnings = run_warnings(&read, &source, &args.scenario.set)?;
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
    let options = ChartOptions {
        selection,
        ..ChartOptions::default()
    };
    let (files, charts) = write(&report, &target, (!args.no_charts).then_some(&options))?;
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

/// Writes a run's files into the claimed folder and, unless `charts` is `None`, its
/// charts, drawn from the tables just written as `loyalsim plot` draws them; all of it
/// appears at once. Returns the files and the charts.
pub(super) fn write(
    report: &RunReport,
    target: &Target,
    charts: Option<&ChartOptions>,
) -> Result<(Vec<&'static str>, chart::ChartFiles), Error> {
    let mut drawn = chart::ChartFiles::default();
    let files = report
        .write_then(target, |tmp| {
            if let Some(options) = charts {
                drawn = chart::draw_run(tmp, tmp, options).map_err(std::io::Error::other)?;
            }
            Ok(())
        })
        .map_err(|source| Error::Write {
            path: target.dir().display().to_string(),
            source,
        })?;
    Ok((files, drawn))
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
