//! The `[sweep]` table as a user writes it: the design, the varied fields, the
//! replications. It is parsed with the scenario, so it lives with what users write;
//! resolving it into runs (`crate::parameter::Plan`) and checking that it can be
//! resolved are the plan's, one layer up.

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
    pub(crate) fn sampled(self) -> bool {
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
