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
use crate::report::columns::{Dtype, exact_float};
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
    /// Morris's elementary effects: `samples` trajectories on `levels` levels, each
    /// moving every factor (or `group` of factors) once: `samples · (groups + 1)` points.
    Morris,
    /// Saltelli's scheme for Sobol' indices: `samples` base samples (a power of two) of
    /// a scrambled Sobol' sequence, `samples · (factors + 2)` points
    /// (`samples · (2·factors + 2)` with `second_order`).
    Sobol,
}

impl Design {
    /// Whether the design is a sensitivity analysis, analysed after the runs.
    pub fn is_sensitivity(self) -> bool {
        matches!(self, Design::Morris | Design::Sobol)
    }

    /// Whether points are drawn from ranges (`samples` of them or derived from it).
    fn sampled(self) -> bool {
        matches!(
            self,
            Design::Random | Design::LatinHypercube | Design::Morris | Design::Sobol
        )
    }
}

/// How a range maps onto a factor's values in a sampled design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VaryScale {
    /// Evenly from `from` to `to`.
    #[default]
    Uniform,
    /// Evenly in the logarithm (`from > 0`): for factors that matter by ratios.
    Log,
}

impl VaryScale {
    fn is_uniform(&self) -> bool {
        *self == VaryScale::Uniform
    }
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
    /// How sampled designs spread the range: `uniform` (default) or `log`.
    #[serde(default, skip_serializing_if = "VaryScale::is_uniform")]
    pub scale: VaryScale,
    /// Morris: factors with the same group move together and share one effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

impl Vary {
    /// The factor's range, for sensitivity designs.
    pub fn range(&self) -> crate::sensitivity::Range {
        crate::sensitivity::Range {
            low: self.from.unwrap_or(0.0),
            high: self.to.unwrap_or(0.0),
            scale: match self.scale {
                VaryScale::Uniform => crate::sensitivity::Scale::Uniform,
                VaryScale::Log => crate::sensitivity::Scale::LogUniform,
            },
        }
    }
}

/// The `[sweep]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Sweep {
    pub design: Design,
    /// Points of a random or Latin hypercube design; trajectories of a Morris design;
    /// base samples of a Sobol' design (a power of two).
    pub samples: u32,
    /// Morris: levels of each factor (even, at least 2).
    pub levels: u32,
    /// Sobol': also the second-order indices S2 (doubles the runs, nearly).
    pub second_order: bool,
    /// Sensitivity designs: the metrics analysed (names of the metric table,
    /// docs/metrics.md).
    pub metrics: Vec<String>,
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
            levels: 4,
            second_order: false,
            metrics: DEFAULT_METRICS.iter().map(|m| m.to_string()).collect(),
            replications: 1,
            common_random_numbers: false,
            vary: Vec::new(),
            timeseries: TimeseriesFormat::Csv,
        }
    }
}

/// The metrics a sensitivity design analyses unless `metrics` says otherwise: where on
/// the satisfaction scale a factor moves retention, and the hostages it makes.
pub const DEFAULT_METRICS: [&str; 5] = [
    "retention",
    "retention_defection_zone",
    "retention_indifference_zone",
    "retention_affection_zone",
    "hostage_share",
];

/// Most runs a sweep may have.
pub const MAX_RUNS: u64 = 100_000_000;

/// Label of the seed stream of sweep runs and of design sampling.
const STREAM_RUN: u64 = 0x5357_4545_5052_554E;
const STREAM_DESIGN: u64 = 0x5357_4545_5044_4553;
const STREAM_BLOCK: u64 = 0x5357_4545_5042_4C4B;

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
    /// The swept columns' types ([`Plan::typed`]); empty until typed.
    pub swept: Vec<crate::report::columns::Dtype>,
    /// The analysis a sensitivity design asks for, with what it needs to know of it.
    pub analysis: Option<Analysis>,
}

/// What a sensitivity design's analysis needs: the design, the factors and the metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub kind: AnalysisKind,
    /// Names of the factors (Sobol') or groups (Morris), in design order.
    pub factors: Vec<String>,
    pub metrics: Vec<String>,
    /// Points per block: a Sobol' base sample or a Morris trajectory. The runs of one
    /// block share their seeds replicate by replicate (common random numbers), so the
    /// differences an index is made of are not seed noise.
    pub block: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AnalysisKind {
    Morris(crate::sensitivity::morris::Design),
    Sobol { second_order: bool },
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
    /// The checks of the spec's fields, each naming the field.
    fn check_spec(sweep: &Sweep) -> Result<(), ScenarioError> {
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
        let sampled = sweep.design.sampled();
        if sampled && sweep.samples == 0 {
            return Err(invalid("sweep.samples", 0, "at least 1 point"));
        }
        Plan::check_sensitivity(sweep)?;
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
            if v.path.trim() == "seed" {
                // Each run's seed is derived from the scenario's and the run's index.
                return Err(invalid(
                    &at("path"),
                    &v.path,
                    "a field other than seed, which would change nothing: every run's seed \
                     is derived from the scenario's seed; for more seeds per point raise \
                     sweep.replications, for other seeds set seed",
                ));
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
        Ok(())
    }

    /// The checks of a sensitivity design's fields.
    fn check_sensitivity(sweep: &Sweep) -> Result<(), ScenarioError> {
        use crate::sensitivity::sobol;
        let defaults = Sweep::default();
        if !sweep.design.is_sensitivity() {
            if sweep.levels != defaults.levels {
                return Err(invalid(
                    "sweep.levels",
                    sweep.levels,
                    "no levels: only design = \"morris\" has levels",
                ));
            }
            if sweep.second_order {
                return Err(invalid(
                    "sweep.second_order",
                    true,
                    "false: only design = \"sobol\" has second-order indices",
                ));
            }
            if sweep.metrics != defaults.metrics {
                return Err(invalid(
                    "sweep.metrics",
                    format!("{:?}", sweep.metrics),
                    "no metrics: only the sensitivity designs (morris, sobol) analyse metrics; \
                     every sweep writes them all",
                ));
            }
        }
        for (i, v) in sweep.vary.iter().enumerate() {
            let at = |f: &str| format!("sweep.vary[{i}].{f}");
            if v.group.is_some() && sweep.design != Design::Morris {
                return Err(invalid(
                    &at("group"),
                    v.group.as_deref().unwrap_or(""),
                    "no group: groups belong to design = \"morris\"",
                ));
            }
            if v.scale == VaryScale::Log {
                if !sweep.design.sampled() {
                    return Err(invalid(
                        &at("scale"),
                        "log",
                        "uniform: a log scale spreads the draws of random, latin_hypercube, morris and sobol designs",
                    ));
                }
                if v.from.is_some_and(|f| f <= 0.0) {
                    return Err(invalid(
                        &at("from"),
                        v.from.unwrap_or(0.0),
                        "a number > 0 for scale = \"log\"",
                    ));
                }
            }
            if sweep.design.is_sensitivity() && (v.values.is_some() || v.steps.is_some()) {
                return Err(invalid(
                    &at(if v.values.is_some() {
                        "values"
                    } else {
                        "steps"
                    }),
                    "given",
                    "a range `from` and `to` alone: a sensitivity design places its own points",
                ));
            }
            if sweep.design.is_sensitivity() && v.from.is_some() && v.from == v.to {
                return Err(invalid(
                    &at("to"),
                    v.to.unwrap_or(0.0),
                    "a value above `from`: a factor must vary",
                ));
            }
        }
        if sweep.design.is_sensitivity() {
            if sweep.metrics.is_empty() {
                return Err(invalid("sweep.metrics", "[]", "at least one metric"));
            }
            for (i, m) in sweep.metrics.iter().enumerate() {
                if crate::report::metrics::find(m).is_none() {
                    return Err(invalid(
                        &format!("sweep.metrics[{i}]"),
                        format!("{m:?}"),
                        &format!("one of {}", crate::report::metrics::names()),
                    ));
                }
            }
        }
        match sweep.design {
            Design::Morris => {
                if sweep.levels < 2 || sweep.levels % 2 == 1 || sweep.levels > 1000 {
                    return Err(invalid(
                        "sweep.levels",
                        sweep.levels,
                        "an even number of levels from 2 to 1000 (4 is usual)",
                    ));
                }
                if sweep.samples < 2 {
                    return Err(invalid(
                        "sweep.samples",
                        sweep.samples,
                        "at least 2 trajectories (σ needs two; 10 to 50 are usual)",
                    ));
                }
            }
            Design::Sobol => {
                if sweep.vary.len() > sobol::MAX_FACTORS {
                    return Err(invalid(
                        "sweep.vary",
                        format!("{} factors", sweep.vary.len()),
                        &format!("at most {} factors", sobol::MAX_FACTORS),
                    ));
                }
                let n = sweep.samples as usize;
                if n > sobol::MAX_SAMPLES || !n.is_power_of_two() || n < 2 {
                    return Err(invalid(
                        "sweep.samples",
                        n,
                        &format!(
                            "a power of two from 2 to {} base samples (Sobol' points are balanced in powers of two; 512 to 4096 are usual)",
                            sobol::MAX_SAMPLES
                        ),
                    ));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Resolves the sweep of a validated base scenario into points, checking the spec.
    pub fn new(sweep: &Sweep, master_seed: u64) -> Result<Plan, ScenarioError> {
        Plan::size(sweep)?;
        let paths: Vec<String> = sweep.vary.iter().map(|v| v.path.clone()).collect();
        let lists: Vec<Vec<toml::Value>> = match sweep.design {
            Design::Grid | Design::Zip => sweep.vary.iter().map(listed_values).collect(),
            _ => Vec::new(),
        };
        let (points, analysis) = match sweep.design {
            Design::Morris | Design::Sobol => {
                let (points, analysis) = sensitivity_points(sweep, master_seed);
                (Some(points), Some(analysis))
            }
            _ => (None, None),
        };
        let points = match (points, sweep.design) {
            (Some(points), _) => points,
            (None, Design::Grid) => {
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
            (None, Design::Zip) => (0..lists[0].len())
                .map(|i| lists.iter().map(|l| l[i].clone()).collect())
                .collect(),
            (None, _) => sample_points(sweep, master_seed, sweep.design == Design::LatinHypercube),
        };
        Ok(Plan {
            paths,
            points,
            replications: sweep.replications,
            common_random_numbers: sweep.common_random_numbers,
            master_seed,
            analysis,
            timeseries: sweep.timeseries,
            swept: Vec::new(),
        })
    }

    /// The number of points of a sweep, from the lengths of its lists alone, after the
    /// checks of its fields that [`Plan::new`] makes: refused when its runs would exceed [`MAX_RUNS`]
    /// (a range's `steps` or a design's `samples` may ask for billions), or when a zip's
    /// lists differ in length. Nothing is allocated, so a plan of a hundred billion
    /// points is refused at once rather than after filling the memory.
    pub fn size(sweep: &Sweep) -> Result<u64, ScenarioError> {
        Plan::check_spec(sweep)?;
        let reps = sweep.replications.max(1) as u128;
        let limit = MAX_RUNS as u128;
        let lengths: Vec<u128> = sweep.vary.iter().map(|v| list_length(v) as u128).collect();
        // The field named in the message: the one that alone exceeds the limit, if any.
        let field = |i: usize| {
            let v = &sweep.vary[i];
            let what = if v.values.is_some() {
                "values"
            } else {
                "steps"
            };
            format!("sweep.vary[{i}].{what}")
        };
        let too_many = |path: &str, value: String| {
            invalid(
                path,
                value,
                &format!(
                    "at most {MAX_RUNS} runs (points × sweep.replications = {})",
                    sweep.replications
                ),
            )
        };
        let points = match sweep.design {
            Design::Grid | Design::Zip => {
                if let Some(i) = lengths.iter().position(|&n| n * reps > limit) {
                    return Err(too_many(&field(i), lengths[i].to_string()));
                }
                if sweep.design == Design::Zip {
                    let n = lengths[0];
                    if let Some(i) = lengths.iter().position(|&l| l != n) {
                        return Err(invalid(
                            &format!("sweep.vary[{i}]"),
                            format!("{} values", lengths[i]),
                            &format!("{n} values, as many as sweep.vary[0] (a zip pairs them up)"),
                        ));
                    }
                    n
                } else {
                    // Each factor is at most MAX_RUNS, so the product saturates rather
                    // than overflows before it is compared.
                    let total = lengths
                        .iter()
                        .fold(1u128, |t, &n| t.saturating_mul(n).min(limit + 1));
                    if total * reps > limit {
                        let factors: Vec<String> = lengths.iter().map(u128::to_string).collect();
                        return Err(too_many(
                            "sweep.vary",
                            format!("{} points", factors.join(" × ")),
                        ));
                    }
                    total
                }
            }
            Design::Random | Design::LatinHypercube | Design::Morris | Design::Sobol => {
                let per = points_per_sample(sweep) as u128;
                let n = sweep.samples as u128 * per;
                if n * reps > limit {
                    return Err(too_many(
                        "sweep.samples",
                        format!("{} ({n} points)", sweep.samples),
                    ));
                }
                n
            }
        };
        if points * reps > limit {
            return Err(too_many(
                "sweep.replications",
                sweep.replications.to_string(),
            ));
        }
        Ok(points as u64)
    }

    /// About how many bytes [`Plan::new`] takes for a sweep of `points` points (from
    /// [`Plan::size`]), before it takes them: the points' values, and the lists or the
    /// sampled positions they are made from.
    pub fn estimate_bytes(sweep: &Sweep, points: u64) -> u64 {
        let value = std::mem::size_of::<toml::Value>() as u128;
        let fields = sweep.vary.len() as u128;
        // A point's values grow by pushing: at least four of them are allocated.
        let point = std::mem::size_of::<Vec<toml::Value>>() as u128 + fields.max(4) * value;
        let made_from = match sweep.design {
            // The grid is built field by field: the last stage and the one before it.
            Design::Grid | Design::Zip => {
                sweep
                    .vary
                    .iter()
                    .map(|v| list_length(v) as u128)
                    .sum::<u128>()
                    * value
                    + points as u128 * point
            }
            Design::Random | Design::LatinHypercube | Design::Morris | Design::Sobol => {
                (fields + 1)
                    * sweep.samples as u128
                    * points_per_sample(sweep) as u128
                    * std::mem::size_of::<f64>() as u128
            }
        };
        (points as u128 * point + made_from).min(u64::MAX as u128) as u64
    }

    pub fn runs(&self) -> u64 {
        self.points.len() as u64 * self.replications as u64
    }

    /// Run `index`: its point, replicate and seed.
    pub fn run(&self, index: u64) -> Run {
        let reps = self.replications as u64;
        let (point, replicate) = (index / reps, (index % reps) as u32);
        // Seeds stay within TOML's integers, so a run's scenario.toml can say it.
        let seed = match (&self.analysis, self.common_random_numbers) {
            // A sensitivity design: the points of a block share their luck.
            (Some(a), false) => {
                seed::derive(
                    self.master_seed,
                    &[STREAM_BLOCK, point / a.block, replicate as u64],
                ) >> 1
            }
            (_, true) => seed::derive(self.master_seed, &[STREAM_RUN, replicate as u64]) >> 1,
            (None, false) => seed::derive(self.master_seed, &[STREAM_RUN, index]) >> 1,
        };
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
        // The [sweep] fields its design does not use.
        if let (Some(sweep), Some(toml::Value::Table(t))) = (&base.sweep, full.get_mut("sweep")) {
            if !sweep.design.is_sensitivity() {
                t.remove("levels");
                t.remove("second_order");
                t.remove("metrics");
            }
            if sweep.design != Design::Morris {
                t.remove("levels");
            }
            if sweep.design != Design::Sobol {
                t.remove("second_order");
            }
            if !sweep.design.sampled() {
                t.remove("samples");
            }
        }
        Ok(toml::to_string(&full).expect("a validated scenario serialises"))
    }

    /// The type of each swept field's column (in `paths` order), the same for every
    /// point so that a reader loads the column with one type: a field varied by
    /// integers alone that is an integer (`customers`) is an int column; one varied by
    /// numbers (integers included, `[0, 0.5, 1]`) or by strings that read as numbers
    /// (`"inf"` for a strength) is a float column; anything else (level names, enums,
    /// a mix of names and numbers) is a string column, each value as it was given.
    /// Whether a field is an integer, a number or text is read from the resolved
    /// scenario of the first point; `base_toml` must have no sweep.
    pub fn dtypes(&self, base_toml: &toml::Table) -> Result<Vec<Dtype>, ScenarioError> {
        let first = self.scenario(base_toml, &self.run(0))?.to_table();
        // A field some point does not use is `NaN` there (not applicable), so an
        // integer field that is idle somewhere is a float column.
        let mut idle_somewhere = vec![false; self.paths.len()];
        for point in 0..self.points.len() as u64 {
            let s = self.scenario(base_toml, &self.run(point * self.replications as u64))?;
            for (k, path) in self.paths.iter().enumerate() {
                idle_somewhere[k] |= s.idle(path).is_some();
            }
        }
        Ok(self
            .paths
            .iter()
            .enumerate()
            .map(|(k, path)| {
                let values = || self.points.iter().map(move |p| &p[k]);
                let resolved = resolved_at(&first, path);
                let numeric_field = match resolved {
                    Some(toml::Value::Integer(_) | toml::Value::Float(_)) | None => true,
                    // A strength resolves to its level name or "inf": a number either way.
                    Some(toml::Value::String(s)) => s == "inf" || is_strength(path),
                    Some(_) => false,
                };
                let integer_field = matches!(resolved, Some(toml::Value::Integer(_)) | None);
                if integer_field && !idle_somewhere[k] && values().all(toml::Value::is_integer) {
                    Dtype::Int
                } else if numeric_field && values().all(|v| number(v).is_some()) {
                    Dtype::Float
                } else {
                    Dtype::String
                }
            })
            .collect())
    }

    /// The plan with its swept columns typed ([`Plan::dtypes`]), as the writers of a
    /// sweep's files need it; `base_toml` must have no sweep.
    pub fn typed(&self, base_toml: &toml::Table) -> Result<Plan, ScenarioError> {
        Ok(Plan {
            swept: self.dtypes(base_toml)?,
            ..self.clone()
        })
    }

    /// A value as it appears in a CSV cell of a column of type `dtype` (from
    /// [`Plan::dtypes`]): an integer plainly; a number as a float, exactly as given,
    /// with a decimal point (`1.0`) or `inf`; anything else as it was given, strings
    /// unquoted.
    pub fn cell(value: &toml::Value, dtype: Dtype) -> String {
        Plan::cell_at(value, dtype, false)
    }

    /// [`Plan::cell`] at a point that does not use the field (`idle`): `NaN` in a
    /// number column (not applicable: distinct from an empty cell, which is a value
    /// that is undefined, and read as a float by pandas, Polars and DuckDB alike), empty
    /// in a text column.
    pub fn cell_at(value: &toml::Value, dtype: Dtype, idle: bool) -> String {
        if idle {
            return if dtype == Dtype::Float { "NaN" } else { "" }.into();
        }
        match (dtype, value) {
            (Dtype::Float, v) => number(v).map_or_else(String::new, exact_float),
            (_, toml::Value::String(s)) => s.clone(),
            (_, toml::Value::Float(f)) if f.is_infinite() => {
                if *f > 0.0 { "inf" } else { "-inf" }.into()
            }
            (_, other) => other.to_string(),
        }
    }
}

/// How many values [`listed_values`] gives a field, without making them.
fn list_length(v: &Vary) -> u64 {
    match &v.values {
        Some(values) => values.len() as u64,
        None => v.steps.unwrap_or(1) as u64,
    }
}

/// Whether the field at `path` is a constraint strength, which takes level names
/// (`none`, `low`, …, `infinite`) for numbers.
fn is_strength(path: &str) -> bool {
    matches!(path, "constraint.r" | "constraint.monopoly")
}

/// A swept value as a number: a TOML number, or a string that reads as one (`"inf"`,
/// `"2.5"`, or a strength's level name: `"strong"` is 2), so that every strength
/// column is numeric and can be an axis.
fn number(value: &toml::Value) -> Option<f64> {
    match value {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => Some(*f),
        toml::Value::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|x| !x.is_nan())
            .or_else(|| crate::scenario::Strength::from_level(s).map(|l| l.value())),
        _ => None,
    }
}

/// The value at a dotted path (`segments.0.switching_costs.procedural`) of a table.
fn resolved_at<'a>(table: &'a toml::Table, path: &str) -> Option<&'a toml::Value> {
    let mut parts = path.split('.');
    let mut at = table.get(parts.next()?)?;
    for part in parts {
        at = match at {
            toml::Value::Table(t) => t.get(part)?,
            toml::Value::Array(a) => a.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(at)
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

/// Points a sampled design makes per sample: 1, a Morris trajectory's groups + 1, or a
/// Sobol' base sample's rows.
fn points_per_sample(sweep: &Sweep) -> u64 {
    match sweep.design {
        Design::Morris => groups(sweep).1.len() as u64 + 1,
        Design::Sobol => {
            crate::sensitivity::sobol::rows_per_sample(sweep.vary.len(), sweep.second_order) as u64
        }
        _ => 1,
    }
}

/// Each factor's group index, and the groups' names in order of first appearance (a
/// factor without a group is a group of its own, named by its path).
fn groups(sweep: &Sweep) -> (Vec<usize>, Vec<String>) {
    let mut names: Vec<String> = Vec::new();
    let index = sweep
        .vary
        .iter()
        .map(|v| {
            let name = v.group.clone().unwrap_or_else(|| v.path.clone());
            match names.iter().position(|n| *n == name) {
                Some(i) => i,
                None => {
                    names.push(name);
                    names.len() - 1
                }
            }
        })
        .collect();
    (index, names)
}

/// The points of a Morris or Sobol' design and the analysis they are for.
fn sensitivity_points(sweep: &Sweep, master_seed: u64) -> (Vec<Vec<toml::Value>>, Analysis) {
    use crate::sensitivity::{morris, sobol};
    let seed = seed::derive(master_seed, &[STREAM_DESIGN]);
    let ranges: Vec<_> = sweep.vary.iter().map(Vary::range).collect();
    let (rows, kind, factors, block) = match sweep.design {
        Design::Morris => {
            let (index, names) = groups(sweep);
            let design = morris::Design::new(index, sweep.levels, sweep.samples as usize, seed);
            let block = design.rows_per_trajectory() as u64;
            (
                design.rows.clone(),
                AnalysisKind::Morris(design),
                names,
                block,
            )
        }
        _ => {
            let k = sweep.vary.len();
            let rows = sobol::design(sweep.samples as usize, k, sweep.second_order, seed);
            let names = sweep.vary.iter().map(|v| v.path.clone()).collect();
            let block = sobol::rows_per_sample(k, sweep.second_order) as u64;
            (
                rows,
                AnalysisKind::Sobol {
                    second_order: sweep.second_order,
                },
                names,
                block,
            )
        }
    };
    let points = rows
        .iter()
        .map(|u| {
            u.iter()
                .zip(&ranges)
                .map(|(u, r)| toml::Value::Float(r.at(*u)))
                .collect()
        })
        .collect();
    let analysis = Analysis {
        kind,
        factors,
        metrics: sweep.metrics.clone(),
        block,
    };
    (points, analysis)
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
                        None => toml::Value::Float(v.range().at(u)),
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
    fn designs_too_large_are_refused_naming_the_field_before_anything_is_made() {
        let cases = [
            (
                "[[vary]]\npath = \"a\"\nfrom = 0.0\nto = 1.0\nsteps = 4000000000",
                "sweep.vary[0].steps",
            ),
            (
                "design = \"zip\"\n[[vary]]\npath = \"a\"\nfrom = 0.0\nto = 1.0\nsteps = 4000000000\n\
                 [[vary]]\npath = \"b\"\nfrom = 0.0\nto = 1.0\nsteps = 4000000000",
                "sweep.vary[0].steps",
            ),
            (
                "design = \"random\"\nsamples = 4000000000\n[[vary]]\npath = \"a\"\nfrom = 0.0\nto = 1.0",
                "sweep.samples",
            ),
            (
                "design = \"latin_hypercube\"\nsamples = 4000000000\n[[vary]]\npath = \"a\"\nfrom = 0.0\nto = 1.0",
                "sweep.samples",
            ),
            // Each list within the limit, their product not.
            (
                "[[vary]]\npath = \"a\"\nfrom = 0.0\nto = 1.0\nsteps = 100000\n\
                 [[vary]]\npath = \"b\"\nfrom = 0.0\nto = 1.0\nsteps = 100000\n\
                 [[vary]]\npath = \"c\"\nfrom = 0.0\nto = 1.0\nsteps = 100000",
                "100000 × 100000 × 100000 points",
            ),
            (
                "replications = 4000000000\n[[vary]]\npath = \"a\"\nvalues = [1, 2]",
                "sweep.replications",
            ),
            (
                "design = \"random\"\nsamples = 1000\nreplications = 1000000\n[[vary]]\npath = \"a\"\nvalues = [1, 2]",
                "sweep.samples",
            ),
        ];
        for (text, needle) in cases {
            let s = sweep(text);
            let size = Plan::size(&s).unwrap_err().to_string();
            assert!(
                size.contains(needle) && size.contains("100000000 runs"),
                "{size}"
            );
            // Plan::new refuses the same way, and (the test finishing shows) at once.
            assert_eq!(Plan::new(&s, 1).unwrap_err().to_string(), size);
        }
        let fine = sweep("[[vary]]\npath = \"a\"\nfrom = 0.0\nto = 1.0\nsteps = 1000");
        assert_eq!(Plan::size(&fine).unwrap(), 1000);
        let bytes = Plan::estimate_bytes(&fine, 1000);
        assert!(bytes > 1000 * 32 && bytes < 1000 * 1000, "{bytes}");
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

    /// A swept column has one type for the whole sweep: integers of an integer field
    /// are ints, numbers (integers, "inf" and a strength's level names included) of a
    /// number field are floats written with a decimal point, anything else is text as
    /// given.
    #[test]
    fn swept_columns_have_one_type() {
        let base = Scenario::parse("customers = 300", "t", &[])
            .unwrap()
            .to_table();
        let cases: [(&str, &str, Dtype, &[&str]); 7] = [
            (
                "constraint.r",
                "[0, 0.5, \"inf\"]",
                Dtype::Float,
                &["0.0", "0.5", "inf"],
            ),
            (
                "constraint.r",
                "[\"strong\", 1, \"none\"]",
                Dtype::Float,
                &["2.0", "1.0", "0.0"],
            ),
            (
                "customers",
                "[300, 400, 500]",
                Dtype::Int,
                &["300", "400", "500"],
            ),
            (
                "firms.0.price",
                "[2, 3, 0.25]",
                Dtype::Float,
                &["2.0", "3.0", "0.25"],
            ),
            (
                "firms.0.price",
                "[1e-7, 2.5, 1e11]",
                Dtype::Float,
                &["0.0000001", "2.5", "100000000000.0"],
            ),
            (
                "constraint.form",
                "[\"reduced\", \"structural\", \"reduced\"]",
                Dtype::String,
                &["reduced", "structural", "reduced"],
            ),
            (
                "firms.0.name",
                "[\"1\", \"2\", \"3\"]",
                Dtype::String,
                &["1", "2", "3"],
            ),
        ];
        for (path, values, dtype, cells) in cases {
            let plan = Plan::new(
                &sweep(&format!(
                    "design = \"zip\"\n[[vary]]\npath = \"{path}\"\nvalues = {values}"
                )),
                1,
            )
            .unwrap();
            assert_eq!(plan.dtypes(&base).unwrap(), [dtype], "{path} = {values}");
            let written: Vec<String> = plan
                .points
                .iter()
                .map(|p| Plan::cell(&p[0], dtype))
                .collect();
            assert_eq!(written, cells, "{path} = {values}");
        }
    }
}
