//! The published figures loyalsim must reproduce, written once as data and code that
//! both the tests (`tests/literature.rs`) and the validation page (`docs/validation.md`,
//! written by `loyalsim literature`) use, so the page can never show a comparison the
//! tests do not make.
//!
//! A [`Check`] names its source, the published figure, the scenario under
//! `scenarios/literature/` that reproduces it and a function that runs the scenario
//! (through a [`Lab`], which replicates each run with several seeds and caches runs that
//! several checks share) and returns [`Row`]s: what was simulated, with a 95% interval
//! over the replications, against the published figure and its stated tolerance.
//! Targets are the sources' numbers, never numbers copied from the engine's output.
//!
//! Each row also says what its verdict rests on ([`Basis`]): a claim about customers,
//! which the model could fail, or a figure that holds by construction (the engine's
//! bookkeeping against arithmetic, a number read off the scenario's own inputs, a
//! quantity the scenario is set up to have). Only claims count towards the page's
//! headline, and a stated departure is never counted as met ([`Tally`]).

mod checks;
pub mod logit;
pub mod page;
mod tally;

pub use checks::{CHECKS, COMPETITIVE, MODERATE, MONOPOLY, TARP};
pub use tally::{Count, Tally};

use crate::engine::{RunResults, Simulation};
use crate::scenario::{Override, Scenario, ScenarioError};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Seeds per scenario: each figure is simulated this many times, with the scenario's
/// seed plus 0, 1, 2, …; the interval on the page is the spread over them.
pub const REPLICATIONS: usize = 4;

/// One published figure and how it is checked.
pub struct Check {
    /// Short identifier: the test's name and `loyalsim literature --only ID`.
    pub id: &'static str,
    /// What the figure is about, for the page's headings.
    pub title: &'static str,
    /// Who published it.
    pub source: &'static str,
    /// The scenario file under `scenarios/literature/`.
    pub scenario: &'static str,
    /// Runs the scenario (and its variants) and compares.
    pub run: fn(&mut Lab) -> Result<Vec<Row>, LabError>,
}

/// A scenario could not be loaded: a broken shipped file, never a user's input.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LabError(pub String);

impl From<ScenarioError> for LabError {
    fn from(e: ScenarioError) -> Self {
        LabError(e.to_string())
    }
}

/// How a figure is shown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Unit {
    /// A share, shown in percent.
    Percent,
    /// Percentage points (a difference of shares), shown as "pts".
    Points,
    /// A plain number (a ratio, a coefficient, money).
    Number,
}

/// A simulated figure: the mean over the replications and a 95% t-interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
}

impl Estimate {
    /// Mean and 95% t-interval of `xs` (one value per replication).
    pub fn of(xs: &[f64]) -> Estimate {
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        if xs.len() < 2 {
            return Estimate {
                mean,
                low: mean,
                high: mean,
            };
        }
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let half = crate::stats::t_quantile(xs.len() as u64 - 1) * (var / n).sqrt();
        Estimate {
            mean,
            low: mean - half,
            high: mean + half,
        }
    }
}

/// One line of the validation table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The figure, in words: "defection at CS 4 ÷ at CS 5, competitive market".
    pub figure: String,
    /// The published figure, as the source gives it.
    pub published: String,
    pub simulated: Estimate,
    pub unit: Unit,
    /// The stated tolerance or condition: "4.5 to 7.5", "< 15 pts".
    pub criterion: String,
    pub pass: bool,
    /// A figure the engine does not meet with the parameters the other figures need,
    /// and why: the page shows the reason, and the test checks the departure still
    /// holds (so a model change that removes it also updates the page).
    pub departure: Option<&'static str>,
    /// A claim about customers, or a figure that holds by construction.
    pub basis: Basis,
}

/// What a row's verdict rests on.
#[derive(Debug, Clone, PartialEq)]
pub enum Basis {
    /// A claim about customers: the scenario's inputs were not chosen to give the
    /// figure, so the model could fail it. The page's headline counts these.
    Claim,
    /// Holds by construction, and why: the engine's bookkeeping checked against
    /// arithmetic, a figure read off the scenario's own inputs or the model's form, a
    /// quantity the scenario is set up to have, or another row's estimate restated. It
    /// tests the engine, not a claim about customers; the page lists it apart.
    Construction(String),
}

/// How a row came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The criterion is met.
    Met,
    /// The criterion is not met, and no departure is stated: a failure.
    NotMet,
    /// A stated departure that still departs: as the page says, but not met.
    Departs,
    /// A stated departure whose figure is now met: the note is stale, a failure.
    DepartureMet,
}

impl Row {
    /// A row that passes when the mean lies in `[low, high]`.
    pub fn within(
        figure: impl Into<String>,
        published: impl Into<String>,
        simulated: Estimate,
        unit: Unit,
        (low, high): (f64, f64),
    ) -> Row {
        let show = |v| page::value(v, unit);
        let criterion = format!("{} to {}", show(low), show(high));
        let pass = (low..=high).contains(&simulated.mean);
        Row::judged(figure, published, simulated, unit, criterion, pass)
    }

    /// A row with its own criterion text and verdict.
    pub fn judged(
        figure: impl Into<String>,
        published: impl Into<String>,
        simulated: Estimate,
        unit: Unit,
        criterion: impl Into<String>,
        pass: bool,
    ) -> Row {
        Row {
            figure: figure.into(),
            published: published.into(),
            simulated,
            unit,
            criterion: criterion.into(),
            pass,
            departure: None,
            basis: Basis::Claim,
        }
    }

    /// A figure not met, on purpose and for the reason `why`; `departs` says whether
    /// the simulated value is still outside the published one.
    pub fn departure(
        figure: impl Into<String>,
        published: impl Into<String>,
        simulated: Estimate,
        unit: Unit,
        criterion: impl Into<String>,
        departs: bool,
        why: &'static str,
    ) -> Row {
        Row {
            departure: Some(why),
            ..Row::judged(figure, published, simulated, unit, criterion, !departs)
        }
    }

    /// The same row, marked as holding by construction, for the reason `why` (a short
    /// phrase the page prints beside it).
    pub fn by_construction(self, why: impl Into<String>) -> Row {
        Row {
            basis: Basis::Construction(why.into()),
            ..self
        }
    }

    /// Whether the row is a claim about customers (not one that holds by construction).
    pub fn is_claim(&self) -> bool {
        self.basis == Basis::Claim
    }

    pub fn verdict(&self) -> Verdict {
        match (self.departure, self.pass) {
            (None, true) => Verdict::Met,
            (None, false) => Verdict::NotMet,
            (Some(_), false) => Verdict::Departs,
            (Some(_), true) => Verdict::DepartureMet,
        }
    }

    /// Met, or a stated departure that still departs: the row is as the page states
    /// it. (A departure is as stated, not met.)
    pub fn as_stated(&self) -> bool {
        matches!(self.verdict(), Verdict::Met | Verdict::Departs)
    }
}

/// Replicated runs of one scenario variant.
pub struct Runs {
    /// The scenario as run (first replication's seed).
    pub scenario: Scenario,
    /// One result per replication, in seed order.
    pub results: Vec<RunResults>,
}

impl Runs {
    /// Applies `metric` to every replication and summarises.
    pub fn estimate(&self, metric: impl Fn(&RunResults) -> f64) -> Estimate {
        let xs: Vec<f64> = self.results.iter().map(metric).collect();
        Estimate::of(&xs)
    }
}

/// Runs the literature's scenarios: loads them from `root` (the `scenarios/literature`
/// folder), replicates each variant [`REPLICATIONS`] times and keeps the results so that
/// checks sharing a run do not repeat it.
pub struct Lab {
    root: PathBuf,
    replications: usize,
    cache: HashMap<String, Arc<Runs>>,
    /// Folders of representative runs (first replication) kept for the page's charts:
    /// (file, overrides) → folder. Only when [`Lab::keep_runs`] was called.
    keep: Option<PathBuf>,
    kept: HashMap<String, PathBuf>,
}

impl Lab {
    pub fn new(root: &Path) -> Lab {
        Lab {
            root: root.to_path_buf(),
            replications: REPLICATIONS,
            cache: HashMap::new(),
            keep: None,
            kept: HashMap::new(),
        }
    }

    /// The shipped scenarios: `scenarios/literature` of this source tree.
    pub fn shipped() -> Lab {
        Lab::new(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/literature"))
    }

    /// Writes the first replication of every variant run from now on as a results
    /// folder under `dir`, for charts.
    pub fn keep_runs(&mut self, dir: &Path) {
        self.keep = Some(dir.to_path_buf());
    }

    /// The folder a variant was written to by [`Lab::keep_runs`].
    pub fn kept(&self, file: &str, sets: &[&str]) -> Option<&Path> {
        self.kept.get(&key(file, sets)).map(PathBuf::as_path)
    }

    /// The scenario `file` with `sets` (`PATH=VALUE`) applied.
    pub fn scenario(&self, file: &str, sets: &[&str]) -> Result<Scenario, LabError> {
        let overrides = sets
            .iter()
            .map(|s| s.parse::<Override>())
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Scenario::load(&self.root.join(file), &overrides)?)
    }

    /// The table `name` of `file` as written (before defaults), for checks that apply
    /// one file's description to another: the file stays the one source of the numbers.
    pub fn table(&self, file: &str, name: &str) -> Result<toml::Value, LabError> {
        let path = self.root.join(file);
        let text = crate::scenario::read_text(&path)?;
        let read = Scenario::read(&text, &path.display().to_string(), &[])?;
        read.given
            .get(name)
            .cloned()
            .ok_or_else(|| LabError(format!("{file} has no [{name}] table")))
    }

    /// The replicated runs of `file` with `sets` applied.
    pub fn runs(&mut self, file: &str, sets: &[&str]) -> Result<Arc<Runs>, LabError> {
        let k = key(file, sets);
        if let Some(r) = self.cache.get(&k) {
            return Ok(r.clone());
        }
        let scenario = self.scenario(file, sets)?;
        let mut results = Vec::with_capacity(self.replications);
        for i in 0..self.replications {
            let mut s = scenario.clone();
            s.seed = scenario.seed.wrapping_add(i as u64);
            let start = std::time::Instant::now();
            let r = Simulation::new(&s).run(s.periods);
            if i == 0
                && let Some(dir) = &self.keep
            {
                let out = dir.join(folder_name(file, sets));
                let report = crate::report::RunReport {
                    scenario: &s,
                    results: &r,
                    elapsed: start.elapsed(),
                    threads: rayon::current_num_threads(),
                    warnings: &[],
                };
                let target = crate::report::atomic::Target::claim(&out)
                    .map_err(|e| LabError(e.to_string()))?;
                report
                    .write(&target)
                    .map_err(|e| LabError(format!("{}: {e}", out.display())))?;
                self.kept.insert(k.clone(), out);
            }
            results.push(r);
        }
        let runs = Arc::new(Runs { scenario, results });
        self.cache.insert(k, runs.clone());
        Ok(runs)
    }
}

fn key(file: &str, sets: &[&str]) -> String {
    format!("{file} {}", sets.join(" "))
}

/// `jones_sasser.toml` with `constraint.r=3` → `jones_sasser-constraint.r=3`; what is
/// not a letter, a digit or one of `.=-` (an override's spaces, quotes, brackets) → `_`.
fn folder_name(file: &str, sets: &[&str]) -> String {
    let mut name = file.trim_end_matches(".toml").to_string();
    for s in sets {
        name.push('-');
        name.extend(s.chars().map(|c| {
            if c.is_ascii_alphanumeric() || ".=-".contains(c) {
                c
            } else {
                '_'
            }
        }));
    }
    name
}

/// The verdict of one check.
pub struct Outcome {
    pub check: &'static Check,
    pub rows: Result<Vec<Row>, LabError>,
}

impl Outcome {
    /// Every row met. A check with a stated departure has not passed, even while the
    /// departure holds as stated.
    pub fn passed(&self) -> bool {
        matches!(&self.rows, Ok(rows) if rows.iter().all(|r| r.verdict() == Verdict::Met))
    }

    /// Every row met or a stated departure that still departs: nothing the page does
    /// not say. What the tests and the command's exit status require.
    pub fn as_stated(&self) -> bool {
        matches!(&self.rows, Ok(rows) if rows.iter().all(Row::as_stated))
    }
}

/// Runs the checks whose id is in `only` (all when empty), in [`CHECKS`] order.
pub fn run(lab: &mut Lab, only: &[String]) -> Vec<Outcome> {
    CHECKS
        .iter()
        .filter(|c| only.is_empty() || only.iter().any(|o| o == c.id))
        .map(|check| Outcome {
            check,
            rows: (check.run)(lab),
        })
        .collect()
}

/// The check called `id`.
pub fn check(id: &str) -> Option<&'static Check> {
    CHECKS.iter().find(|c| c.id == id)
}

/// Measures on a run's results that several checks use.
pub mod measure {
    use crate::engine::RunResults;

    /// (observations, stayed) over the curve bins whose centre lies in `[low, high]`.
    pub fn pooled(r: &RunResults, low: f64, high: f64) -> (u64, u64) {
        let mut out = (0, 0);
        for (i, bin) in r.curve.iter().enumerate() {
            let mid = r.bins.bounds(i).1;
            if mid >= low - 1e-9 && mid <= high + 1e-9 {
                out.0 += bin.observations;
                out.1 += bin.stayed;
            }
        }
        out
    }

    /// Retention of the customers in the bins centred in `[low, high]`; NaN when empty.
    pub fn retention(r: &RunResults, low: f64, high: f64) -> f64 {
        let (n, stayed) = pooled(r, low, high);
        stayed as f64 / n as f64
    }

    /// Retention in the single curve bin centred on `cs`.
    pub fn retention_at(r: &RunResults, cs: f64) -> f64 {
        retention(r, cs, cs)
    }

    /// Observations in the single curve bin centred on `cs`.
    pub fn observations_at(r: &RunResults, cs: f64) -> u64 {
        pooled(r, cs, cs).0
    }
}

#[cfg(test)]
mod tests;
