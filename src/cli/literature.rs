//! `loyalsim literature`: run the published figures' checks and write the validation
//! page.
//!
//! The checks themselves live in [`crate::literature`] (the tests run the same code);
//! this command loads their scenarios from a folder, runs them in a thread pool, prints
//! one line per check and writes `validation.md` with its charts, atomically, holding
//! the output folder's lock (`report::lock`) so that two of them do not interleave.

use super::{at_least_one, claim_folder, say, thread_count};
use crate::error::Error;
use crate::literature::{self, Lab, Tally, Verdict, page};
use crate::report::chart::{self, ChartOptions};
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct LiteratureArgs {
    /// Folder of the literature's scenarios.
    #[arg(long, value_name = "DIR", default_value = "scenarios/literature")]
    pub scenarios: PathBuf,
    /// Write validation.md and its charts (validation/*.png) into this folder.
    #[arg(long, value_name = "DIR", default_value = "docs")]
    pub out: PathBuf,
    /// Only these checks (repeatable); the page is not written then.
    #[arg(long, value_name = "ID")]
    pub only: Vec<String>,
    /// Worker threads (the help names the schedulers whose allocation bounds the default).
    #[arg(long, value_name = "N", value_parser = at_least_one, help = super::cluster::threads_help())]
    pub threads: Option<usize>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn literature(args: LiteratureArgs) -> Result<(), Error> {
    for id in &args.only {
        if literature::check(id).is_none() {
            let ids: Vec<&str> = literature::CHECKS.iter().map(|c| c.id).collect();
            return Err(Error::Usage(format!(
                "--only {id}: no such check; expected one of {}",
                ids.join(", ")
            )));
        }
    }
    if !args.scenarios.is_dir() {
        return Err(Error::Usage(format!(
            "--scenarios {}: not a folder (run from the source tree, or point it at scenarios/literature)",
            args.scenarios.display()
        )));
    }
    let threads = thread_count(args.threads);
    let pool = super::thread_pool(threads)?;
    let mut lab = Lab::new(&args.scenarios);
    let writing_page = args.only.is_empty();
    // Only the page writes into --out; with --only nothing is written.
    let (_lock, work) = if writing_page {
        let lock = claim_folder(&args.out)?;
        std::fs::create_dir_all(&args.out).map_err(|source| Error::Write {
            path: args.out.display().to_string(),
            source,
        })?;
        let work = tempfile_dir(&args.out)?;
        lab.keep_runs(&work.join("runs"));
        (Some(lock), Some(work))
    } else {
        (None, None)
    };
    let outcomes = pool.install(|| literature::run(&mut lab, &args.only));
    let tally = Tally::of(&outcomes);
    if !args.quiet {
        for o in &outcomes {
            // "met": every row met; "departs": the rest are stated departures that
            // still depart (not a pass); "FAIL": something the page does not say.
            let verdict = if o.passed() {
                "met"
            } else if o.as_stated() {
                "departs"
            } else {
                "FAIL"
            };
            let detail = match &o.rows {
                Ok(rows) => rows
                    .iter()
                    .map(|r| {
                        let v = page::value(r.simulated.mean, r.unit);
                        if r.is_claim() { v } else { format!("({v})") }
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                Err(e) => e.to_string(),
            };
            say(&format!("{verdict:7} {:20} {detail}\n", o.check.id));
            // Say which rows fall short or depart, so neither needs a trip to the page.
            for r in o
                .rows
                .iter()
                .flatten()
                .filter(|r| r.verdict() != Verdict::Met)
            {
                let what = match r.verdict() {
                    Verdict::Departs => "departure, stated",
                    Verdict::DepartureMet => "a stated departure now met: update its note",
                    _ if r.is_claim() => "not met",
                    _ => "does not hold (by construction)",
                };
                say(&format!(
                    "        {what}: {}: {} against {} (published: {})\n",
                    r.figure,
                    page::value(r.simulated.mean, r.unit),
                    r.criterion,
                    r.published
                ));
            }
        }
        say(&format!(
            "claims about customers: {}; by construction (in brackets above): {}\n",
            tally.claims_line(),
            tally.construction_line()
        ));
    }
    if let Some(work) = &work {
        let result = write_page(&lab, &outcomes, &args.out, work);
        let _ = std::fs::remove_dir_all(work);
        result?;
    }
    if !args.quiet && writing_page {
        say(&format!(
            "wrote {}\n",
            args.out.join("validation.md").display()
        ));
    }
    // Stated departures that still depart are as the page says: not met, but no
    // failure of the command.
    if tally.as_stated() {
        Ok(())
    } else {
        Err(Error::Failed(format!(
            "not as the page states: {}; by construction: {}",
            tally.claims_line(),
            tally.construction_line()
        )))
    }
}

/// A scratch folder inside the output, so the final moves stay on one file system.
/// Made under the output's lock, so one left by a killed command (`.validation-partial`,
/// or `.validation-partial-PID` from versions that named it by process) is removed.
fn tempfile_dir(out: &Path) -> Result<PathBuf, Error> {
    fn failed(p: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
        move |source| Error::Write {
            path: p.display().to_string(),
            source,
        }
    }
    for entry in std::fs::read_dir(out).map_err(failed(out))? {
        let name = entry.map_err(failed(out))?.file_name();
        let name = name.to_string_lossy();
        let stale = name == ".validation-partial"
            || name
                .strip_prefix(".validation-partial-")
                .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()));
        if stale {
            let path = out.join(&*name);
            std::fs::remove_dir_all(&path).map_err(failed(&path))?;
        }
    }
    let dir = out.join(".validation-partial");
    std::fs::create_dir(&dir).map_err(failed(&dir))?;
    Ok(dir)
}

/// The charts the page shows: (the runs compared or drawn, file name, caption).
fn write_page(
    lab: &Lab,
    outcomes: &[literature::Outcome],
    out: &Path,
    work: &Path,
) -> Result<(), Error> {
    let write_err = |e: &dyn std::fmt::Display| Error::Failed(e.to_string());
    let charts_dir = work.join("validation");
    std::fs::create_dir_all(&charts_dir).map_err(|e| write_err(&e))?;
    let mut charts = Vec::new();
    let png = |only: &str| ChartOptions {
        format: chart::Format::Png,
        only: vec![only.to_string()],
        ..ChartOptions::default()
    };
    // The regimes: one retention curve per constraint strength.
    let regimes: Vec<PathBuf> = [
        literature::COMPETITIVE,
        literature::MODERATE,
        literature::MONOPOLY,
    ]
    .iter()
    .filter_map(|sets| lab.kept("jones_sasser.toml", sets).map(Path::to_path_buf))
    .collect();
    if regimes.len() == 3 {
        let dir = work.join("regimes");
        chart::draw_comparison(&regimes, &dir, &png("retention_curves"))
            .map_err(|e| write_err(&e))?;
        move_file(
            &dir.join("retention_curves.png"),
            &charts_dir.join("regimes.png"),
        )?;
        charts.push((
            "validation/regimes.png".to_string(),
            "Jones & Sasser's regimes: the same customers with R = 0.05 (competitive), 1 (moderate) and 3 (monopoly-like)".to_string(),
        ));
    }
    if let Some(run) = lab.kept("kotler_ladder.toml", &[]) {
        let dir = work.join("ladder");
        chart::draw_run(run, &dir, &png("retention_curve")).map_err(|e| write_err(&e))?;
        move_file(
            &dir.join("retention_curve.png"),
            &charts_dir.join("ladder.png"),
        )?;
        charts.push((
            "validation/ladder.png".to_string(),
            "The defection ladder with its own curve (rows by construction): retention against CS with no constraint follows the table curve through Kotler's rungs that the scenario is given".to_string(),
        ));
    }
    if let Some(run) = lab.kept("tarp.toml", &[]) {
        let dir = work.join("tarp");
        let tarp = ("TARP (published)", literature::TARP);
        chart::draw_complaints(run, &dir, &png("complaints"), Some(tarp))
            .map_err(|e| write_err(&e))?;
        move_file(&dir.join("complaints.png"), &charts_dir.join("tarp.png"))?;
        charts.push((
            "validation/tarp.png".to_string(),
            "TARP's complaint ordering: who stays after a problem, simulated (tarp.toml) against the published figures".to_string(),
        ));
    }
    let stamp = format!("Generated by loyalsim {}", env!("CARGO_PKG_VERSION"),);
    let md = page::markdown(outcomes, &charts, &stamp);
    std::fs::write(work.join("validation.md"), md).map_err(|e| write_err(&e))?;
    // Move into place: the charts folder whole, then the page.
    let final_charts = out.join("validation");
    crate::report::atomic::swap_in(&charts_dir, &final_charts).map_err(|source| Error::Write {
        path: final_charts.display().to_string(),
        source,
    })?;
    move_file(&work.join("validation.md"), &out.join("validation.md"))
}

fn move_file(from: &Path, to: &Path) -> Result<(), Error> {
    std::fs::rename(from, to).map_err(|source| Error::Write {
        path: to.display().to_string(),
        source,
    })
}
