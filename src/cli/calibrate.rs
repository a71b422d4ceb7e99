//! `loyalsim calibrate`: fit parameters of a scenario to target figures.
//!
//! Reads the scenario and the target file, runs [`crate::calibrate`] in a thread pool of
//! the size asked for, and writes the results folder atomically: `scenario.toml` (the
//! fitted scenario), `fit.json` and `fit.md`.

use super::{Progress, ScenarioArgs, at_least_one, claim, load, say, thread_count};
use crate::calibrate::{self, Options, TargetFile};
use crate::error::Error;
use crate::report::atomic;
use clap::Args;
use indicatif::ProgressStyle;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Target file (TOML): the parameters to fit, with their bounds, and the figures to
    /// match, with their tolerances (see docs/calibration.md).
    #[arg(long, value_name = "FILE")]
    pub target: PathBuf,
    /// Results folder [default: output/<name>-calibrated]. Replaced whole when done; must
    /// be new, empty or a loyalsim results folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Most evaluations of the objective; each runs the scenario once per distinct
    /// target condition.
    #[arg(long, value_name = "N", default_value_t = 200, value_parser = at_least_one)]
    pub max_evals: usize,
    /// Worker threads (the help names the schedulers whose allocation bounds the default).
    #[arg(long, value_name = "N", value_parser = at_least_one, help = super::cluster::threads_help())]
    pub threads: Option<usize>,
    /// Print nothing but errors (no progress bar, no table).
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn calibrate(args: CalibrateArgs) -> Result<(), Error> {
    let base = load(&args.scenario)?;
    let source = args.target.display().to_string();
    let text = std::fs::read_to_string(&args.target)
        .map_err(|e| Error::Usage(format!("cannot read target file {source}: {e}")))?;
    let file = TargetFile::parse(&text, &source)?;
    let threads = thread_count(args.threads);
    let pool = super::thread_pool(threads)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(format!("{}-calibrated", base.name)));
    // Before the fit, which can take a while: a wrong --out is said at once.
    let target = claim(&out)?;
    let options = Options {
        max_evals: args.max_evals,
        ..Options::default()
    };
    // Said once the inputs are checked (at the first evaluation), so that a bad target
    // file gets one line: the error.
    let header = format!(
        "loyalsim calibrate: {} — {} parameter{}, {} target{}, up to {} evaluations, seed {}, {} thread{}",
        base.name,
        file.parameter.len(),
        if file.parameter.len() == 1 { "" } else { "s" },
        file.target.len(),
        if file.target.len() == 1 { "" } else { "s" },
        args.max_evals,
        base.seed,
        threads,
        if threads == 1 { "" } else { "s" }
    );
    let bar = Progress::new(
        args.quiet,
        args.max_evals as u64,
        "evaluations",
        format!("loyalsim calibrate: {}", base.name),
        || {
            ProgressStyle::with_template(
                "{spinner} {pos}/{len} evaluations (at most) · {msg} · {elapsed_precise} elapsed",
            )
            .expect("a valid template")
        },
    );
    let mut progress = |p: calibrate::Progress| {
        if p.evaluations == 1 && !args.quiet {
            eprintln!("{header}");
        }
        bar.set_message(format!("best objective {:.4}", p.best));
        bar.set_position(p.evaluations as u64);
    };
    let fit =
        pool.install(|| calibrate::calibrate_with_progress(&base, &file, &options, &mut progress))?;
    bar.finish();
    let markdown = fit.markdown();
    let json = serde_json::to_string_pretty(&fit.to_json()).map_err(|e| Error::Write {
        path: out.display().to_string(),
        source: std::io::Error::other(e),
    })?;
    let scenario = format!(
        "# Calibrated scenario: {} with the values fitted to {} (see fit.md).\n{}",
        base.name,
        source,
        fit.scenario.to_toml()
    );
    atomic::write_dir(&target, |tmp| {
        std::fs::write(tmp.join("scenario.toml"), &scenario)?;
        std::fs::write(tmp.join("fit.json"), format!("{json}\n"))?;
        std::fs::write(tmp.join("fit.md"), &markdown)
    })
    .map_err(|source| Error::Write {
        path: out.display().to_string(),
        source,
    })?;
    if !args.quiet {
        say(&format!(
            "wrote {}/ (scenario.toml, fit.json, fit.md)\n\n{markdown}",
            out.display()
        ));
    }
    Ok(())
}
