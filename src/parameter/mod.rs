//! Parameter scans: the `[sweep]` table of a scenario, and the list of runs it means.
//!
//! A sweep varies fields of the base scenario by the same dotted paths as `--set`, so
//! every point of a sweep is exactly a scenario a user could run by hand. A design
//! (`grid`, `zip`, `random`, `latin_hypercube`) turns the varied fields into points;
//! `replications` repeats each point with fresh seeds. Run `i` is point `i / replications`,
//! replicate `i % replications`, and its seed is derived from the master seed and `i`
//! (or, with `common_random_numbers`, from the replicate alone, so every point of a
//! replicate sees the same luck). Everything here is pure: it does no I/O and never
//! simulates.

use crate::engine::seed;
use crate::scenario::{Override, Scenario, ScenarioError};
use serde::{Deserialize, Serialize};

/// How the varied fields combine into points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Design {
    /// Every combination (full factorial).
    #[default]
    Grid,
    /// The i-th value of every field together; all lists have the same length.
    Zip,
    /// `samples` points drawn uniformly and independently.
    Random,
    /// `samples` points, each field's range cut into `samples` strata used once each.
    LatinHypercube,
}

/// What a sweep keeps of every run's periods (`sweep.timeseries`, or `--timeseries`,
/// which overrides it). The runs, `sweep.csv` and the summary are the same whichever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum TimeseriesFormat {
    /// sweep_timeseries.csv: one long CSV file, any tool reads it.
    #[default]
    Csv,
    /// sweep_timeseries.parquet/: a folder of zstd-compressed Parquet files, read as one
    /// table by pandas, Polars, DuckDB, arrow.
    Parquet,
    /// No per-period file: sweep.csv (a row per run) and the summary only.
    None,
}

impl TimeseriesFormat {
    /// The word used in files and messages: `csv`, `parquet`, `none`.
    pub fn word(self) -> &'static str {
        match self {
            TimeseriesFormat::Csv => "csv",
            TimeseriesFormat::Parquet => "parquet",
            TimeseriesFormat::None => "none",
        }
    }

    /// The CSV default, which the resolved scenario leaves out: scenario files and
    /// hashes of CSV sweeps stay what they were before the choice existed, so their
    /// interrupted sweeps still resume and their shards still merge.
    pub fn is_csv(&self) -> bool {
        *self == TimeseriesFormat::Csv
    }
}

/// One varied field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vary {
    /// Dotted path, as for `--set` (e.g. `constraint.r`, `firms.0.price`).
    pub path: String,
    /// Explicit values (any TOML value the field accepts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<toml::Value>>,
    /// A numeric range: `from` to `to`; grid and zip take `steps` evenly spaced values
    /// including both ends, random and Latin hypercube designs draw within it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<u32>,
}

/// The `[sweep]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Sweep {
    pub design: Design,
    /// Points of a random or Latin hypercube design.
    pub samples: u32,
    /// Runs per point, each with its own seed.
    pub replications: u32,
    /// Seed runs by replicate rather than by run, so all points share their luck.
    pub common_random_numbers: bool,
    /// The varied fields.
    pub vary: Vec<Vary>,
    /// What is kept of every run's periods.
    #[serde(skip_serializing_if = "TimeseriesFormat::is_csv")]
    pub timeseries: TimeseriesFormat,
}

impl Default for Sweep {
    fn default() -> Self {
        Sweep {
            design: Design::Grid,
            samples: 10,
            replications: 1,
            common_random_numbers: false,
            vary: Vec::new(),
            timeseries: TimeseriesFormat::Csv,
        }
    }
}

/// Most runs a sweep may have.
pub const MAX_RUNS: u64 = 100_000_000;

/// Label of the seed stream of sweep runs and of design sampling.
const STREAM_RUN: u64 = 0x5357_4545_5052_554E;
const STREAM_DESIGN: u64 = 0x5357_4545_5044_4553;

/// A sweep resolved into points: the value of every varied field at every point.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub paths: Vec<String>,
    /// `points[p][k]` is the value of `paths[k]` at point `p`.
    pub points: Vec<Vec<toml::Value>>,
    pub replications: u32,
    pub common_random_numbers: bool,
    pub master_seed: u64,
    pub timeseries: TimeseriesFormat,
}

/// One run of a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub index: u64,
    pub point: u64,
    pub replicate: u32,
    pub seed: u64,
}

fn invalid(path: &str, value: impl ToString, expected: &str) -> ScenarioError {
    ScenarioError::Invalid {
        source_name: "sweep".into(),
        path: path.to_string(),
        value: value.to_string(),
        expected: expected.to_string(),
    }
}

impl Plan {
    /// Resolves the sweep of a validated base scenario into points, checking the spec.
    pub fn new(sweep: &Sweep, master_seed: u64) -> Result<Plan, ScenarioError> {
        if sweep.vary.is_empty() {
            return Err(invalid(
                "sweep.vary",
                "[]",
                "at least one field to vary: [[sweep.vary]] path = \"constraint.r\", values = [...]",
            ));
        }
        if sweep.replications == 0 {
            return Err(invalid("sweep.replications", 0, "at least 1"));
        }
        let sampled = matches!(sweep.design, Design::Random | Design::LatinHypercube);
        if sampled && sweep.samples == 0 {
            return Err(invalid("sweep.samples", 0, "at least 1 point"));
        }
        let mut paths = Vec::new();
        for (i, v) in sweep.vary.iter().enumerate() {
            let at = |f: &str| format!("sweep.vary[{i}].{f}");
            if v.path.trim().is_empty() {
                return Err(invalid(
                    &at("path"),
                    "\"\"",
                    "a dotted path such as constraint.r",
                ));
            }
            if paths.contains(&v.path) {
                return Err(invalid(&at("path"), &v.path, "a path not varied twice"));
            }
            paths.push(v.path.clone());
            match (&v.values, v.from, v.to) {
                (Some(values), None, None) => {
                    if values.is_empty() {
                        return Err(invalid(&at("values"), "[]", "at least one value"));
                    }
                }
                (None, Some(from), Some(to)) => {
                    if !from.is_finite() || !to.is_finite() || from > to {
                        return Err(invalid(
                            &at("from"),
                            format!("{from} to {to}"),
                            "finite numbers with from <= to",
                        ));
                    }
                    if !sampled && v.steps.unwrap_or(0) < 1 {
                        return Err(invalid(
                            &at("steps"),
                            v.steps.unwrap_or(0),
                            "at least 1 value for a grid or zip over a range",
                        ));
                    }
                }
                _ => {
                    return Err(invalid(
                        &at("values"),
                        "neither or both of values and from/to",
                        "either `values = [...]` or `from` and `to` (with `steps` for grid and zip)",
                    ));
                }
            }
        }
        let lists: Vec<Vec<toml::Value>> = sweep.vary.iter().map(listed_values).collect();
        let points = match sweep.design {
            Design::Grid => {
                let total: u128 = lists.iter().map(|l| l.len() as u128).product();
                if total * sweep.replications as u128 > MAX_RUNS as u128 {
                    return Err(invalid(
                        "sweep",
                        format!("{total} points × {} replications", sweep.replications),
                        &format!("at most {MAX_RUNS} runs"),
                    ));
                }
                let mut points = vec![Vec::new()];
                for list in &lists {
                    points = points
                        .into_iter()
                        .flat_map(|p| {
                            list.iter().map(move |v| {
                                let mut q = p.clone();
                                q.push(v.clone());
                                q
                            })
                        })
                        .collect();
                }
                points
            }
            Design::Zip => {
                let n = lists[0].len();
                if let Some((i, l)) = lists.iter().enumerate().find(|(_, l)| l.len() != n) {
                    return Err(invalid(
                        &format!("sweep.vary[{i}]"),
                        format!("{} values", l.len()),
                        &format!("{n} values, as many as sweep.vary[0] (a zip pairs them up)"),
                    ));
                }
                (0..n)
                    .map(|i| lists.iter().map(|l| l[i].clone()).collect())
                    .collect()
            }
            Design::Random | Design::LatinHypercube => {
                sample_points(sweep, master_seed, sweep.design == Design::LatinHypercube)
            }
        };
        let runs = points.len() as u64 * sweep.replications as u64;
        if runs > MAX_RUNS {
            return Err(invalid("sweep", runs, &format!("at most {MAX_RUNS} runs")));
        }
        Ok(Plan {
            paths,
            points,
            replications: sweep.replications,
            common_random_numbers: sweep.common_random_numbers,
            master_seed,
            timeseries: sweep.timeseries,
        })
    }

    pub fn runs(&self) -> u64 {
        self.points.len() as u64 * self.replications as u64
    }

    /// Run `index`: its point, replicate and seed.
    pub fn run(&self, index: u64) -> Run {
        let reps = self.replications as u64;
        let (point, replicate) = (index / reps, (index % reps) as u32);
        let key = if self.common_random_numbers {
            replicate as u64
        } else {
            index
        };
        // Seeds stay within TOML's integers, so a run's scenario.toml can say it.
        let seed = seed::derive(self.master_seed, &[STREAM_RUN, key]) >> 1;
        Run {
            index,
            point,
            replicate,
            seed,
        }
    }

    /// The overrides that make run `r` from the base scenario.
    pub fn overrides(&self, r: &Run) -> Vec<Override> {
        let mut o: Vec<Override> = self
            .paths
            .iter()
            .zip(&self.points[r.point as usize])
            .map(|(path, value)| Override::with_value(path, value.clone()))
            .collect();
        o.push(Override::seed(r.seed));
        o
    }

    /// The scenario of run `r`, validated; `base` must have no sweep.
    pub fn scenario(&self, base_toml: &toml::Table, r: &Run) -> Result<Scenario, ScenarioError> {
        Scenario::from_table(base_toml.clone(), "sweep point", &self.overrides(r))
    }

    /// The resolved sweep scenario as TOML, `[sweep]` included: every default spelled
    /// out except the fields that no point of the sweep uses, so the file shows what
    /// applies and loads again without a complaint.
    pub fn resolved_toml(&self, base: &Scenario) -> Result<String, ScenarioError> {
        let mut full = base.to_table();
        let base_table = {
            let mut b = base.clone();
            b.sweep = None;
            b.to_table()
        };
        let mut idle: Option<Vec<crate::scenario::Unused>> = None;
        for point in 0..self.points.len() as u64 {
            let s = self.scenario(&base_table, &self.run(point * self.replications as u64))?;
            let here = s.idle_fields();
            idle = Some(match idle {
                None => here,
                Some(before) => before
                    .into_iter()
                    .filter(|u| here.iter().any(|h| h.path == u.path))
                    .collect(),
            });
        }
        for u in idle.unwrap_or_default() {
            u.remove_from(&mut full);
        }
        Ok(toml::to_string(&full).expect("a validated scenario serialises"))
    }

    /// A value as it appears in CSV cells: numbers plainly, strings unquoted.
    pub fn cell(value: &toml::Value) -> String {
        match value {
            toml::Value::String(s) => s.clone(),
            toml::Value::Float(f) if f.is_infinite() => "inf".into(),
            other => other.to_string(),
        }
    }
}

/// The values of a field for grid and zip designs.
fn listed_values(v: &Vary) -> Vec<toml::Value> {
    if let Some(values) = &v.values {
        return values.clone();
    }
    let (from, to, steps) = (
        v.from.unwrap_or(0.0),
        v.to.unwrap_or(0.0),
        v.steps.unwrap_or(1),
    );
    (0..steps)
        .map(|i| {
            let x = if steps == 1 {
                from
            } else {
                from + (to - from) * i as f64 / (steps - 1) as f64
            };
            toml::Value::Float(x)
        })
        .collect()
}

/// Points of a random or Latin hypercube design, drawn from the master seed.
fn sample_points(sweep: &Sweep, master_seed: u64, stratified: bool) -> Vec<Vec<toml::Value>> {
    let n = sweep.samples as usize;
    let mut rng = seed::generator(master_seed, seed::Purpose::Initial, STREAM_DESIGN, 0);
    // Per field, a position in [0, 1) for every point.
    let columns: Vec<Vec<f64>> = sweep
        .vary
        .iter()
        .map(|_| {
            if stratified {
                let mut strata: Vec<usize> = (0..n).collect();
                // Fisher–Yates with the named generator.
                for i in (1..n).rev() {
                    let j = (seed::uniform(&mut rng) * (i + 1) as f64) as usize;
                    strata.swap(i, j.min(i));
                }
                strata
                    .iter()
                    .map(|&s| (s as f64 + seed::uniform(&mut rng)) / n as f64)
                    .collect()
            } else {
                (0..n).map(|_| seed::uniform(&mut rng)).collect()
            }
        })
        .collect();
    (0..n)
        .map(|p| {
            sweep
                .vary
                .iter()
                .zip(&columns)
                .map(|(v, col)| {
                    let u = col[p];
                    match &v.values {
                        Some(values) => values
                            [((u * values.len() as f64) as usize).min(values.len() - 1)]
                        .clone(),
                        None => {
                            let (from, to) = (v.from.unwrap_or(0.0), v.to.unwrap_or(0.0));
                            toml::Value::Float(from + (to - from) * u)
                        }
                    }
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sweep(text: &str) -> Sweep {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn grid_is_the_full_factorial_in_order() {
        let s = sweep(
            "replications = 2\n[[vary]]\npath = \"a\"\nvalues = [1, 2]\n\
             [[vary]]\npath = \"b\"\nfrom = 0.0\nto = 1.0\nsteps = 3",
        );
        let p = Plan::new(&s, 1).unwrap();
        assert_eq!(p.points.len(), 6);
        assert_eq!(p.runs(), 12);
        assert_eq!(
            p.points[1],
            vec![toml::Value::Integer(1), toml::Value::Float(0.5)]
        );
        let r = p.run(5);
        assert_eq!((r.point, r.replicate), (2, 1));
        assert_ne!(
            p.run(0).seed,
            p.run(1).seed,
            "replicates have their own seeds"
        );
    }

    #[test]
    fn zip_needs_equal_lengths_and_common_random_numbers_share_seeds() {
        let bad = sweep(
            "design = \"zip\"\n[[vary]]\npath = \"a\"\nvalues = [1, 2]\n[[vary]]\npath = \"b\"\nvalues = [1]",
        );
        assert!(
            Plan::new(&bad, 1)
                .unwrap_err()
                .to_string()
                .contains("sweep.vary[1]")
        );
        let crn = sweep(
            "design = \"zip\"\nreplications = 3\ncommon_random_numbers = true\n[[vary]]\npath = \"a\"\nvalues = [1, 2]",
        );
        let p = Plan::new(&crn, 1).unwrap();
        assert_eq!(p.run(0).seed, p.run(3).seed);
        assert_ne!(p.run(0).seed, p.run(1).seed);
    }

    #[test]
    fn latin_hypercube_uses_every_stratum_once() {
        let s = sweep(
            "design = \"latin_hypercube\"\nsamples = 20\n[[vary]]\npath = \"a\"\nfrom = 0.0\nto = 20.0",
        );
        let p = Plan::new(&s, 9).unwrap();
        let mut strata: Vec<i64> = p
            .points
            .iter()
            .map(|pt| pt[0].as_float().unwrap().floor() as i64)
            .collect();
        strata.sort();
        assert_eq!(strata, (0..20).collect::<Vec<_>>());
        assert_eq!(Plan::new(&s, 9).unwrap(), p, "deterministic");
    }

    #[test]
    fn bad_specs_name_the_field() {
        assert!(
            Plan::new(&Sweep::default(), 1)
                .unwrap_err()
                .to_string()
                .contains("sweep.vary")
        );
        let empty = sweep("[[vary]]\npath = \"a\"\nvalues = []");
        assert!(
            Plan::new(&empty, 1)
                .unwrap_err()
                .to_string()
                .contains("sweep.vary[0].values")
        );
        let both = sweep("[[vary]]\npath = \"a\"\nvalues = [1]\nfrom = 0.0\nto = 1.0");
        assert!(Plan::new(&both, 1).is_err());
    }
}
