//! Calibration: fit chosen scenario parameters to target figures.
//!
//! A *target file* (TOML, `docs/calibration.md`) names the parameters to fit, by the
//! same dotted paths as `--set`, each with search bounds, and the figures to match: a
//! metric the engine reports (a headline figure, retention in one bin of the retention
//! curve, or a firm's figure), optionally under a market *condition* (more overrides,
//! such as `constraint.r=strong`), with a value and a tolerance. The objective is
//!
//! ```text
//! Σ ((simulated − value) / tolerance)²
//! ```
//!
//! and [`calibrate`] minimises it with the bounded Nelder–Mead search of
//! [`nelder_mead`]: each evaluation applies the candidate values as overrides to the
//! base scenario and runs it once per distinct condition.
//!
//! **Common random numbers.** Every evaluation runs with the base scenario's seed. The
//! engine gives each customer the same draws every period whatever the parameters
//! (`docs/model.md`), so two candidates differ only by what the parameters do, not by
//! luck, and the objective is close to smooth: a small change of a parameter flips a
//! few decisions, not the whole sample. Without this the optimiser would chase noise.
//!
//! Pure: no I/O. Reading the target file and writing the results is the CLI's job.

pub mod nelder_mead;

pub use nelder_mead::Options;

use crate::engine::{RunResults, Simulation};
use crate::model::Voice;
use crate::report::RunReport;
use crate::scenario::{Override, Scenario, ScenarioError, Strength};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

/// The term a target adds to the objective when its metric cannot be measured for a
/// candidate (a curve bin nobody falls in, a firm without customers): as bad as missing
/// by a thousand tolerances.
pub const MISSING_PENALTY: f64 = 1e6;

/// After the search, each parameter is moved by this share of its range either way to
/// see whether the targets pin it down (`FittedParameter::pinned`).
pub const PROFILE_STEP: f64 = 0.05;

/// A calibration that cannot start: one line naming the field, the value and what was
/// expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalibrationError(pub String);

impl fmt::Display for CalibrationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CalibrationError {}

/// What a target file holds: the parameters to fit and the figures to match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetFile {
    /// Where the file came from, for messages.
    #[serde(skip)]
    pub source: String,
    #[serde(default)]
    pub parameter: Vec<Parameter>,
    #[serde(default)]
    pub target: Vec<Target>,
}

/// One parameter to fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    /// Dotted path, as for `--set` (e.g. `satisfaction.loss_slope`, `loyalty.breakpoints.0`).
    pub path: String,
    /// Lower search bound.
    pub from: f64,
    /// Upper search bound.
    pub to: f64,
    /// Starting value; the scenario's own value when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<f64>,
}

/// The figures a target can name: any market metric of the metric table
/// (src/report/metrics.rs, by its name), or a figure with a parameter (a curve bin, a
/// firm, a complaint group).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// A market metric of the table: `retention`, `hostage_share`, `mean_cs`, …
    Run(&'static str),
    /// Retention in the curve bin centred nearest `cs` (curve.csv's `retention`).
    CurveRetention,
    /// A firm's retention over the run (`firm`).
    FirmRetention,
    /// A firm's share of the market's customers in the last period (`firm`).
    FirmShare,
    /// Share of the problems of one complaint group (`group`) after which the customer
    /// stayed through the horizon: complaints.csv's `retention`.
    ComplaintRetention,
}

impl Metric {
    const WITH_PARAMETERS: [(&'static str, Metric); 4] = [
        ("curve_retention", Metric::CurveRetention),
        ("firm_retention", Metric::FirmRetention),
        ("firm_share", Metric::FirmShare),
        ("complaint_retention", Metric::ComplaintRetention),
    ];

    /// The metric's name in target files.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Run(name) => name,
            other => {
                Metric::WITH_PARAMETERS
                    .iter()
                    .find(|(_, m)| *m == other)
                    .expect("every metric with parameters is listed")
                    .0
            }
        }
    }

    /// The metric named `name`.
    pub fn from_name(name: &str) -> Option<Metric> {
        crate::report::metrics::find(name)
            .map(|m| Metric::Run(m.name))
            .or_else(|| {
                Metric::WITH_PARAMETERS
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, m)| *m)
            })
    }

    /// Every name a target may use, for messages.
    pub fn names() -> String {
        let mut all: Vec<&str> = crate::report::metrics::run()
            .iter()
            .map(|m| m.name)
            .collect();
        all.extend(Metric::WITH_PARAMETERS.iter().map(|(n, _)| *n));
        all.join(", ")
    }

    fn needs_firm(self) -> bool {
        matches!(self, Metric::FirmRetention | Metric::FirmShare)
    }
}

impl Serialize for Metric {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Metric {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Metric::from_name(&name).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown metric `{name}`: expected one of {}",
                Metric::names()
            ))
        })
    }
}

/// One figure to match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub metric: Metric,
    /// For `curve_retention`: the CS whose bin is meant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cs: Option<f64>,
    /// For firm metrics: the firm's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firm: Option<String>,
    /// For `complaint_retention`: the complaint group (complaints.csv's `group`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// `PATH=VALUE` overrides under which this figure holds (a market condition).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub condition: Vec<String>,
    pub value: f64,
    /// Met when |simulated − value| ≤ tolerance; the objective weights by 1/tolerance².
    pub tolerance: f64,
}

impl Target {
    /// "curve_retention at CS 3", "firm_retention of A", "retention".
    pub fn label(&self) -> String {
        match (&self.cs, &self.firm, &self.group) {
            (Some(cs), _, _) => format!("{} at CS {}", self.metric.name(), cs),
            (_, Some(firm), _) => format!("{} of {}", self.metric.name(), firm),
            (_, _, Some(group)) => format!("{} of {}", self.metric.name(), group),
            _ => self.metric.name().to_string(),
        }
    }
}

fn invalid(source: &str, path: &str, value: impl fmt::Display, expected: &str) -> CalibrationError {
    CalibrationError(format!(
        "{source}: field `{path}` = {value}: expected {expected}"
    ))
}

impl TargetFile {
    /// Parses and checks a target file; `source` names it in messages.
    pub fn parse(text: &str, source: &str) -> Result<TargetFile, CalibrationError> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            CalibrationError(format!(
                "{source}: not valid TOML: {}",
                crate::scenario::one_line(&e.to_string())
            ))
        })?;
        let mut file: TargetFile = serde_path_to_error::deserialize(toml::Value::Table(table))
            .map_err(|e| {
                let path = e.path().to_string();
                CalibrationError(format!(
                    "{source}: field `{path}`: {}",
                    crate::scenario::one_line(&e.into_inner().to_string())
                ))
            })?;
        file.source = source.to_string();
        file.check()?;
        Ok(file)
    }

    /// Checks what can be checked without the scenario.
    pub fn check(&self) -> Result<(), CalibrationError> {
        let src = self.source.as_str();
        if self.parameter.is_empty() {
            return Err(invalid(
                src,
                "parameter",
                "[]",
                "at least one [[parameter]] with path, from and to",
            ));
        }
        if self.target.is_empty() {
            return Err(invalid(
                src,
                "target",
                "[]",
                "at least one [[target]] with metric, value and tolerance",
            ));
        }
        let mut seen: Vec<&str> = Vec::new();
        for (i, p) in self.parameter.iter().enumerate() {
            let at = |f: &str| format!("parameter[{i}].{f}");
            let path = p.path.trim();
            if path.is_empty() || format!("{path}=0").parse::<Override>().is_err() {
                return Err(invalid(
                    src,
                    &at("path"),
                    format!("\"{}\"", p.path),
                    "a dotted path such as satisfaction.loss_slope",
                ));
            }
            if path == "seed" {
                return Err(invalid(
                    src,
                    &at("path"),
                    "\"seed\"",
                    "a model parameter: every evaluation uses the scenario's seed (common random numbers)",
                ));
            }
            if seen.contains(&path) {
                return Err(invalid(src, &at("path"), path, "a path fitted only once"));
            }
            seen.push(path);
            if !p.from.is_finite() || !p.to.is_finite() || p.from >= p.to {
                return Err(invalid(
                    src,
                    &at("from"),
                    format!("{} (to = {})", p.from, p.to),
                    "finite bounds with from < to",
                ));
            }
            if let Some(start) = p.start
                && !(start.is_finite() && p.from <= start && start <= p.to)
            {
                return Err(invalid(
                    src,
                    &at("start"),
                    start,
                    &format!("a value within from and to ({} to {})", p.from, p.to),
                ));
            }
        }
        for (i, t) in self.target.iter().enumerate() {
            let at = |f: &str| format!("target[{i}].{f}");
            if !t.value.is_finite() {
                return Err(invalid(src, &at("value"), t.value, "a finite number"));
            }
            if !(t.tolerance.is_finite() && t.tolerance > 0.0) {
                return Err(invalid(
                    src,
                    &at("tolerance"),
                    t.tolerance,
                    "a finite number > 0 (the objective divides by it)",
                ));
            }
            match (t.metric, t.cs) {
                (Metric::CurveRetention, None) => {
                    return Err(invalid(
                        src,
                        &at("cs"),
                        "(missing)",
                        "the CS of the curve bin, 1 to 5, for metric curve_retention",
                    ));
                }
                (Metric::CurveRetention, Some(cs)) if !(1.0..=5.0).contains(&cs) => {
                    return Err(invalid(src, &at("cs"), cs, "a CS from 1 to 5"));
                }
                (Metric::CurveRetention, Some(_)) | (_, None) => {}
                (m, Some(cs)) => {
                    return Err(invalid(
                        src,
                        &at("cs"),
                        cs,
                        &format!("no cs: it is only for curve_retention, not {}", m.name()),
                    ));
                }
            }
            match (t.metric.needs_firm(), &t.firm) {
                (true, None) => {
                    return Err(invalid(
                        src,
                        &at("firm"),
                        "(missing)",
                        &format!("a firm's name for metric {}", t.metric.name()),
                    ));
                }
                (false, Some(firm)) => {
                    return Err(invalid(
                        src,
                        &at("firm"),
                        format!("\"{firm}\""),
                        &format!(
                            "no firm: it is only for firm_retention and firm_share, not {}",
                            t.metric.name()
                        ),
                    ));
                }
                _ => {}
            }
            let groups: Vec<&str> = Voice::GROUPS.iter().map(|g| g.name()).collect();
            match (t.metric == Metric::ComplaintRetention, &t.group) {
                (true, None) => {
                    return Err(invalid(
                        src,
                        &at("group"),
                        "(missing)",
                        &format!(
                            "a complaint group for metric complaint_retention: {}",
                            groups.join(", ")
                        ),
                    ));
                }
                (true, Some(g)) if !groups.contains(&g.as_str()) => {
                    return Err(invalid(
                        src,
                        &at("group"),
                        format!("\"{g}\""),
                        &format!("one of {}", groups.join(", ")),
                    ));
                }
                (false, Some(g)) => {
                    return Err(invalid(
                        src,
                        &at("group"),
                        format!("\"{g}\""),
                        &format!(
                            "no group: it is only for complaint_retention, not {}",
                            t.metric.name()
                        ),
                    ));
                }
                _ => {}
            }
            for (k, c) in t.condition.iter().enumerate() {
                let o: Override = c.parse().map_err(|e: ScenarioError| {
                    invalid(
                        src,
                        &format!("target[{i}].condition[{k}]"),
                        format!("\"{c}\""),
                        &format!("PATH=VALUE as for --set ({})", strip_set(&e)),
                    )
                })?;
                if let Some(p) = self
                    .parameter
                    .iter()
                    .find(|p| overlaps(o.path(), p.path.trim()))
                {
                    return Err(invalid(
                        src,
                        &format!("target[{i}].condition[{k}]"),
                        format!("\"{c}\""),
                        &format!(
                            "a condition on a field not being fitted (it would override parameter `{}`)",
                            p.path
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Whether one dotted path lies at or below the other.
fn overlaps(a: &str, b: &str) -> bool {
    let below = |x: &str, y: &str| x == y || x.starts_with(&format!("{y}."));
    below(a, b) || below(b, a)
}

/// The message of a scenario error without a leading `--set ASSIGNMENT: `.
fn strip_set(e: &ScenarioError) -> String {
    match e {
        ScenarioError::Override { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// The value at a dotted path of a TOML tree.
fn value_at<'a>(table: &'a toml::Table, path: &str) -> Option<&'a toml::Value> {
    let mut parts = path.split('.');
    let mut node = table.get(parts.next()?)?;
    for part in parts {
        node = match node {
            toml::Value::Table(t) => t.get(part)?,
            toml::Value::Array(a) => a.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

/// A scenario value read as a number: numbers, and strengths given by level name.
fn as_number(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Float(f) => Some(*f),
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::String(s) => Strength::from_level(s).map(Strength::value),
        _ => None,
    }
}

/// A parameter with its starting value settled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FittedParameter {
    pub path: String,
    pub from: f64,
    pub to: f64,
    pub start: f64,
    pub fitted: f64,
    /// The objective with this parameter moved down by [`PROFILE_STEP`] of its range
    /// (the others at their fitted values); `None` at the lower bound.
    pub objective_down: Option<f64>,
    /// The same moved up; `None` at the upper bound.
    pub objective_up: Option<f64>,
    /// Whether both moves raise the objective by at least 1 (one tolerance on one
    /// target): the targets pin the parameter down to within that step.
    pub pinned: bool,
}

/// How the fit does on one target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetFit {
    #[serde(flatten)]
    pub target: Target,
    /// The simulated figure at the starting values (`None`: could not be measured).
    pub start_simulated: Option<f64>,
    /// The simulated figure at the fitted values.
    pub simulated: Option<f64>,
    /// |simulated − value| ≤ tolerance.
    pub met: bool,
}

/// What a calibration found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fit {
    /// The base scenario's name.
    pub name: String,
    /// The target file, as given.
    pub target_file: String,
    /// The seed every evaluation used (common random numbers).
    pub seed: u64,
    pub parameters: Vec<FittedParameter>,
    pub targets: Vec<TargetFit>,
    /// Σ ((simulated − value) / tolerance)² at the fitted values.
    pub objective: f64,
    /// The same at the starting values.
    pub start_objective: f64,
    /// Objective evaluations made.
    pub evaluations: usize,
    /// The evaluation budget (`--max-evals`).
    pub max_evals: usize,
    /// Whether the search simplex shrank below `x_tolerance` of every range (otherwise
    /// the budget ran out).
    pub converged: bool,
    pub x_tolerance: f64,
    /// Simulations per evaluation: one per distinct condition.
    pub conditions: usize,
    /// Candidates the scenario's validation refused (counted as infinitely bad).
    pub refused: usize,
    /// Notes on the search space, such as a bound the scenario refuses.
    pub warnings: Vec<String>,
    /// The base scenario with the fitted values applied, resolved.
    #[serde(skip)]
    pub scenario: Scenario,
}

/// Progress of a calibration, after each evaluation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub evaluations: usize,
    pub max_evals: usize,
    /// The objective of the evaluation just made.
    pub objective: f64,
    /// The best objective so far.
    pub best: f64,
}

/// Everything an evaluation needs, resolved against the base scenario.
struct Problem<'a> {
    base: toml::Table,
    parameters: Vec<FittedParameter>,
    /// The distinct conditions, in order of first appearance.
    conditions: Vec<Vec<Override>>,
    /// For each target, its condition's index.
    condition_of: Vec<usize>,
    targets: &'a [Target],
}

impl Problem<'_> {
    fn overrides(&self, values: &[f64], condition: usize) -> Vec<Override> {
        let mut o: Vec<Override> = self
            .parameters
            .iter()
            .zip(values)
            .map(|(p, &x)| Override::with_value(&p.path, toml::Value::Float(x)))
            .collect();
        o.extend(self.conditions[condition].iter().cloned());
        o
    }

    fn scenario(&self, values: &[f64], condition: usize) -> Result<Scenario, ScenarioError> {
        Scenario::from_table(
            self.base.clone(),
            "calibration",
            &self.overrides(values, condition),
        )
    }

    /// The simulated figure of every target at `values`, or the scenario's refusal.
    fn simulate(&self, values: &[f64]) -> Result<Vec<Option<f64>>, ScenarioError> {
        let mut out = vec![None; self.targets.len()];
        for c in 0..self.conditions.len() {
            let s = self.scenario(values, c)?;
            let results = Simulation::new(&s).run(s.periods);
            for (t, target) in self.targets.iter().enumerate() {
                if self.condition_of[t] == c {
                    out[t] = measure(target, &s, &results);
                }
            }
        }
        Ok(out)
    }

    fn values(&self, unit: &[f64]) -> Vec<f64> {
        self.parameters
            .iter()
            .zip(unit)
            .map(|(p, u)| p.from + u.clamp(0.0, 1.0) * (p.to - p.from))
            .collect()
    }
}

/// Evaluates candidates, remembering every point (the search clamps onto bounds, and
/// reports revisit the start and the fit).
struct Evaluator<'a, 'b> {
    problem: &'a Problem<'b>,
    cache: HashMap<Vec<u64>, Option<Vec<Option<f64>>>>,
    /// Distinct candidates the scenario's validation refused.
    refused: usize,
}

impl Evaluator<'_, '_> {
    /// The simulated figures at `values`; `None` when the scenario refuses them.
    fn run(&mut self, values: &[f64]) -> Option<Vec<Option<f64>>> {
        let key: Vec<u64> = values.iter().map(|v| v.to_bits()).collect();
        if let Some(hit) = self.cache.get(&key) {
            return hit.clone();
        }
        let sims = self.problem.simulate(values).ok();
        self.refused += sims.is_none() as usize;
        self.cache.insert(key, sims.clone());
        sims
    }

    /// The objective at `values`, infinite when the scenario refuses them.
    fn objective(&mut self, values: &[f64]) -> f64 {
        match self.run(values) {
            Some(sims) => objective(self.problem.targets, &sims),
            None => f64::INFINITY,
        }
    }

    fn simulated(&mut self, values: &[f64]) -> Vec<Option<f64>> {
        self.run(values)
            .unwrap_or_else(|| vec![None; self.problem.targets.len()])
    }
}

/// Σ ((simulated − value) / tolerance)², a missing figure counting [`MISSING_PENALTY`].
pub fn objective(targets: &[Target], simulated: &[Option<f64>]) -> f64 {
    targets
        .iter()
        .zip(simulated)
        .map(|(t, s)| match s {
            Some(s) if s.is_finite() => ((s - t.value) / t.tolerance).powi(2),
            _ => MISSING_PENALTY,
        })
        .sum()
}

/// The figure a target names, from a finished run of scenario `s`.
pub fn measure(target: &Target, s: &Scenario, results: &RunResults) -> Option<f64> {
    let report = RunReport {
        scenario: s,
        results,
        elapsed: Duration::ZERO,
        threads: 1,
        warnings: &[],
    };
    let firm = || {
        let name = target.firm.as_deref()?;
        s.firms.iter().position(|f| f.name == name)
    };
    match target.metric {
        Metric::Run(name) => {
            let m = crate::report::metrics::find(name)?;
            (m.value)(&crate::report::metrics::Measured::of(&report))
        }
        Metric::CurveRetention => {
            let bin = results.curve.get(results.bins.index(target.cs?))?;
            (bin.observations > 0).then(|| bin.stayed as f64 / bin.observations as f64)
        }
        Metric::FirmRetention => {
            let j = firm()?;
            let (mut customers, mut defections) = (0u64, 0u64);
            for p in &results.periods {
                customers += p.firms[j].customers;
                defections += p.firms[j].defections;
            }
            (customers > 0).then(|| 1.0 - defections as f64 / customers as f64)
        }
        Metric::ComplaintRetention => {
            let name = target.group.as_deref()?;
            let g = Voice::GROUPS.into_iter().find(|g| g.name() == name)?;
            let (episodes, stayed) = results.complaints[g as usize];
            (episodes > 0).then(|| stayed as f64 / episodes as f64)
        }
        Metric::FirmShare => {
            let j = firm()?;
            let last = results.periods.last()?;
            let market: u64 = last.firms.iter().map(|f| f.customers).sum();
            (market > 0).then(|| last.firms[j].customers as f64 / market as f64)
        }
    }
}

/// Fits the target file's parameters to its targets, starting from `base` (validated,
/// its seed used by every evaluation).
pub fn calibrate(
    base: &Scenario,
    file: &TargetFile,
    options: &Options,
) -> Result<Fit, CalibrationError> {
    calibrate_with_progress(base, file, options, &mut |_| {})
}

/// [`calibrate`], calling `progress` after every evaluation.
pub fn calibrate_with_progress(
    base: &Scenario,
    file: &TargetFile,
    options: &Options,
    progress: &mut dyn FnMut(Progress),
) -> Result<Fit, CalibrationError> {
    file.check()?;
    let src = file.source.as_str();
    if !(options.x_tolerance.is_finite() && options.x_tolerance >= 0.0) {
        return Err(CalibrationError(format!(
            "x tolerance {}: expected a finite number >= 0",
            options.x_tolerance
        )));
    }
    if options.max_evals == 0 {
        return Err(CalibrationError(
            "--max-evals 0: expected at least 1 evaluation".into(),
        ));
    }
    let base_table = base.to_table();

    // Starting values: given, or the scenario's own.
    let mut parameters = Vec::new();
    for (i, p) in file.parameter.iter().enumerate() {
        let path = p.path.trim().to_string();
        if let Some(u) = base.idle(&path) {
            return Err(invalid(
                src,
                &format!("parameter[{i}].path"),
                format!("\"{path}\""),
                &format!(
                    "a field the scenario uses; this one changes nothing: {}",
                    u.why
                ),
            ));
        }
        let start = match p.start {
            Some(s) => s,
            None => {
                let found = value_at(&base_table, &path).ok_or_else(|| {
                    invalid(
                        src,
                        &format!("parameter[{i}].path"),
                        format!("\"{path}\""),
                        "the path of a number in the scenario (no such field: check the path, or give `start`)",
                    )
                })?;
                let x = as_number(found).filter(|x| x.is_finite()).ok_or_else(|| {
                    invalid(
                        src,
                        &format!("parameter[{i}].path"),
                        format!("\"{path}\""),
                        &format!("the path of a finite number in the scenario (it holds {found})"),
                    )
                })?;
                if !(p.from <= x && x <= p.to) {
                    return Err(invalid(
                        src,
                        &format!("parameter[{i}].start"),
                        format!("(missing; the scenario's own value is {x})"),
                        &format!(
                            "a start within from and to ({} to {}): give `start` or widen the bounds",
                            p.from, p.to
                        ),
                    ));
                }
                x
            }
        };
        parameters.push(FittedParameter {
            path,
            from: p.from,
            to: p.to,
            start,
            fitted: start,
            objective_down: None,
            objective_up: None,
            pinned: false,
        });
    }

    // Distinct conditions, in order of first appearance.
    let mut keys: Vec<Vec<String>> = Vec::new();
    let mut conditions = Vec::new();
    let mut condition_of = Vec::new();
    for t in &file.target {
        let key: Vec<String> = t.condition.iter().map(|c| c.trim().to_string()).collect();
        let c = match keys.iter().position(|k| *k == key) {
            Some(c) => c,
            None => {
                let parsed = key
                    .iter()
                    .map(|c| c.parse::<Override>())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| CalibrationError(format!("{src}: {e}")))?;
                keys.push(key);
                conditions.push(parsed);
                keys.len() - 1
            }
        };
        condition_of.push(c);
    }
    let problem = Problem {
        base: base_table,
        parameters,
        conditions,
        condition_of,
        targets: &file.target,
    };

    // The starting point must be a valid scenario under every condition, and every
    // firm a target names must exist there.
    let start: Vec<f64> = problem.parameters.iter().map(|p| p.start).collect();
    for (c, key) in keys.iter().enumerate() {
        let s = problem
            .scenario(&start, c)
            .map_err(|e| start_error(src, file, key, e))?;
        for (i, t) in file.target.iter().enumerate() {
            if problem.condition_of[i] != c {
                continue;
            }
            if let Some(name) = &t.firm
                && !s.firms.iter().any(|f| &f.name == name)
            {
                let names: Vec<&str> = s.firms.iter().map(|f| f.name.as_str()).collect();
                return Err(invalid(
                    src,
                    &format!("target[{i}].firm"),
                    format!("\"{name}\""),
                    &format!("one of the scenario's firms: {}", names.join(", ")),
                ));
            }
        }
    }

    // Bounds the scenario refuses (others at their start) are worth a warning: the
    // search treats such candidates as infinitely bad, which is right for a joint
    // constraint (breakpoints in order) but a waste for a mistyped bound.
    let mut warnings = Vec::new();
    for (i, p) in problem.parameters.iter().enumerate() {
        for (bound, x) in [("from", p.from), ("to", p.to)] {
            let mut values = start.clone();
            values[i] = x;
            for c in 0..problem.conditions.len() {
                if let Err(e) = problem.scenario(&values, c) {
                    warnings.push(format!(
                        "parameter[{i}].{bound} = {x} ({}): the scenario refuses it with the other parameters at their start: {}",
                        p.path,
                        strip_set(&e)
                    ));
                    break;
                }
            }
        }
    }

    let unit_start: Vec<f64> = problem
        .parameters
        .iter()
        .map(|p| (p.start - p.from) / (p.to - p.from))
        .collect();
    let mut evaluator = Evaluator {
        problem: &problem,
        cache: HashMap::new(),
        refused: 0,
    };
    let mut evaluations = 0usize;
    let mut best = f64::INFINITY;
    let outcome = nelder_mead::minimize(
        |u: &[f64]| {
            let f = evaluator.objective(&problem.values(u));
            evaluations += 1;
            best = best.min(f);
            progress(Progress {
                evaluations,
                max_evals: options.max_evals,
                objective: f,
                best,
            });
            f
        },
        &unit_start,
        options,
    );

    let fitted = problem.values(&outcome.x);
    let start_sims = evaluator.simulated(&problem.values(&unit_start));
    let fitted_sims = evaluator.simulated(&fitted);
    let targets = file
        .target
        .iter()
        .zip(start_sims.iter().zip(&fitted_sims))
        .map(|(t, (&s0, &s))| TargetFit {
            target: t.clone(),
            start_simulated: s0,
            simulated: s,
            met: s.is_some_and(|s| (s - t.value).abs() <= t.tolerance),
        })
        .collect();
    // How sharply the targets pin each parameter down: the objective with it moved by
    // PROFILE_STEP of its range either way, the others at their fitted values.
    let mut fitted_parameters = problem.parameters.clone();
    for (i, p) in fitted_parameters.iter_mut().enumerate() {
        p.fitted = fitted[i];
        let mut moved = |delta: f64| {
            let mut u = outcome.x.clone();
            let before = u[i];
            u[i] = (u[i] + delta).clamp(0.0, 1.0);
            (u[i] != before).then(|| evaluator.objective(&problem.values(&u)))
        };
        p.objective_down = moved(-PROFILE_STEP);
        p.objective_up = moved(PROFILE_STEP);
        p.pinned = [p.objective_down, p.objective_up]
            .iter()
            .flatten()
            .all(|f| *f >= outcome.f + 1.0);
    }
    let start_objective = objective(&file.target, &start_sims);
    // The fitted scenario: the base with the fitted values, without any condition.
    let overrides: Vec<Override> = fitted_parameters
        .iter()
        .map(|p| Override::with_value(&p.path, toml::Value::Float(p.fitted)))
        .collect();
    let scenario = Scenario::from_table(problem.base.clone(), "calibration", &overrides)
        .map_err(|e| CalibrationError(format!("{src}: the fitted values are refused: {e}")))?;
    Ok(Fit {
        name: base.name.clone(),
        target_file: file.source.clone(),
        seed: base.seed,
        parameters: fitted_parameters,
        targets,
        objective: outcome.f,
        start_objective,
        evaluations: outcome.evaluations,
        max_evals: options.max_evals,
        converged: outcome.converged,
        x_tolerance: options.x_tolerance,
        conditions: problem.conditions.len(),
        refused: evaluator.refused,
        warnings,
        scenario,
    })
}

/// Why the starting point is refused, naming the parameter or condition at fault.
fn start_error(
    src: &str,
    file: &TargetFile,
    condition: &[String],
    e: ScenarioError,
) -> CalibrationError {
    if let ScenarioError::Override {
        assignment,
        message,
    } = &e
    {
        let (path, value) = assignment.split_once('=').unwrap_or((assignment, ""));
        let path = path.trim();
        if let Some(i) = file.parameter.iter().position(|p| p.path.trim() == path) {
            return CalibrationError(format!(
                "{src}: field `parameter[{i}].path` = \"{path}\" (at the start value {}): {message}",
                value.trim()
            ));
        }
        let same_condition = |t: &Target| {
            t.condition
                .iter()
                .map(|c| c.trim())
                .eq(condition.iter().map(String::as_str))
        };
        for (i, t) in file.target.iter().enumerate() {
            if !same_condition(t) {
                continue;
            }
            for (k, c) in t.condition.iter().enumerate() {
                if c.parse::<Override>().is_ok_and(|o| o.path() == path) {
                    return CalibrationError(format!(
                        "{src}: field `target[{i}].condition[{k}]` = \"{}\": {message}",
                        c.trim()
                    ));
                }
            }
        }
    }
    CalibrationError(format!("{src}: at the starting values: {e}"))
}

/// A number for a table: up to 4 decimals, trailing zeros dropped.
fn num(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let s = if x != 0.0 && x.abs() < 1e-3 {
        format!("{x:.3e}")
    } else {
        format!("{x:.4}")
    };
    if s.contains('.') && !s.contains('e') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn opt(x: Option<f64>) -> String {
    x.map_or("n/a".into(), num)
}

impl Fit {
    /// The fit as `fit.json` holds it: its fields, with the numbers that may be
    /// infinite (the objective next to a refused candidate, a simulated effective R
    /// where no one could leave) as the run's `summary.json` writes them: `null` and a
    /// sibling `KEY_infinite` (see `report::export::json`). Serde alone would write an
    /// infinity as `null` too, but without saying so, the same as a missing value.
    pub fn to_json(&self) -> serde_json::Value {
        use crate::report::export::json::unbounded;
        let mut value = serde_json::to_value(self).expect("a fit serialises");
        for (i, p) in self.parameters.iter().enumerate() {
            let o = value["parameters"][i].as_object_mut().expect("an object");
            unbounded(o, "objective_down", p.objective_down);
            unbounded(o, "objective_up", p.objective_up);
        }
        for (i, t) in self.targets.iter().enumerate() {
            let o = value["targets"][i].as_object_mut().expect("an object");
            unbounded(o, "start_simulated", t.start_simulated);
            unbounded(o, "simulated", t.simulated);
        }
        value
    }

    /// The fit as a readable Markdown report: what was fitted, and how each target fares.
    pub fn markdown(&self) -> String {
        let met = self.targets.iter().filter(|t| t.met).count();
        let mut out = format!(
            "# Calibration of {}\n\n\
             Targets {} · seed {} (every evaluation) · {} evaluation{} of at most {} · {} simulation{} per evaluation\n\n\
             Objective Σ((simulated − value)/tolerance)²: {} at the start, {} fitted; {} of {} targets met; {}.\n",
            self.name,
            self.target_file,
            self.seed,
            self.evaluations,
            if self.evaluations == 1 { "" } else { "s" },
            self.max_evals,
            self.conditions,
            if self.conditions == 1 { "" } else { "s" },
            num(self.start_objective),
            num(self.objective),
            met,
            self.targets.len(),
            if self.converged {
                format!(
                    "converged (search simplex within {} of every range)",
                    num(self.x_tolerance)
                )
            } else {
                "stopped by the evaluation budget (not converged)".to_string()
            }
        );
        let step = num(100.0 * PROFILE_STEP);
        out.push_str(&format!(
            "\n| parameter | from | to | start | fitted | objective at −{step}% / +{step}% of range | pinned |\n\
             | --- | ---: | ---: | ---: | ---: | ---: | --- |\n"
        ));
        for p in &self.parameters {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} / {} | {} |\n",
                p.path,
                num(p.from),
                num(p.to),
                num(p.start),
                num(p.fitted),
                p.objective_down.map_or("(bound)".into(), num),
                p.objective_up.map_or("(bound)".into(), num),
                if p.pinned { "yes" } else { "no" }
            ));
        }
        out.push_str(
            "\n| target | condition | value | tolerance | at start | fitted | met |\n\
             | --- | --- | ---: | ---: | ---: | ---: | --- |\n",
        );
        for t in &self.targets {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                t.target.label(),
                t.target.condition.join(", "),
                num(t.target.value),
                num(t.target.tolerance),
                opt(t.start_simulated),
                opt(t.simulated),
                if t.met { "yes" } else { "no" }
            ));
        }
        let loose: Vec<&str> = self
            .parameters
            .iter()
            .filter(|p| !p.pinned)
            .map(|p| p.path.as_str())
            .collect();
        if !loose.is_empty() {
            out.push_str(&format!(
                "\nNot pinned down: {}. Moving it by {step}% of its range raises the objective by \
                 less than 1 (one tolerance on one target), so the targets hardly determine it: \
                 add a target that responds to it, or fix it.\n",
                loose.join(", ")
            ));
        }
        if self.refused > 0 {
            out.push_str(&format!(
                "\n{} candidate{} refused by the scenario's validation (counted as infinitely bad).\n",
                self.refused,
                if self.refused == 1 { " was" } else { "s were" }
            ));
        }
        for w in &self.warnings {
            out.push_str(&format!("\nWarning: {w}\n"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[parameter]]
path = "satisfaction.loss_slope"
from = 0.5
to = 3.0

[[parameter]]
path = "constraint.r"
from = 0.0
to = 2.5
start = 0.3

[[target]]
metric = "retention"
value = 0.8
tolerance = 0.01

[[target]]
metric = "curve_retention"
cs = 3.0
value = 0.7
tolerance = 0.02

[[target]]
metric = "firm_retention"
firm = "A"
condition = ["choice.beta=2"]
value = 0.75
tolerance = 0.02
"#;

    fn err(text: &str) -> String {
        TargetFile::parse(text, "t.toml").unwrap_err().to_string()
    }

    fn tiny() -> Scenario {
        Scenario::parse("customers = 600\nperiods = 4", "tiny", &[]).unwrap()
    }

    #[test]
    fn a_good_file_parses() {
        let f = TargetFile::parse(GOOD, "t.toml").unwrap();
        assert_eq!(f.parameter.len(), 2);
        assert_eq!(f.target[1].metric, Metric::CurveRetention);
        assert_eq!(f.target[2].label(), "firm_retention of A");
    }

    #[test]
    fn bad_files_name_the_field() {
        let cases = [
            (
                "[[target]]\nmetric = \"retention\"\nvalue = 1\ntolerance = 1",
                "`parameter`",
            ),
            ("[[parameter]]\npath = \"a\"\nfrom = 0\nto = 1", "`target`"),
            (
                &GOOD.replace("tolerance = 0.01", "tolerance = 0"),
                "target[0].tolerance",
            ),
            (
                &GOOD.replace("metric = \"retention\"", "metric = \"retension\""),
                "target[0].metric",
            ),
            (&GOOD.replace("cs = 3.0\n", ""), "target[1].cs"),
            (&GOOD.replace("cs = 3.0", "cs = 6"), "target[1].cs"),
            (&GOOD.replace("firm = \"A\"\n", ""), "target[2].firm"),
            (&GOOD.replace("to = 3.0", "to = 0.1"), "parameter[0].from"),
            (
                &GOOD.replace("start = 0.3", "start = 9"),
                "parameter[1].start",
            ),
            (&GOOD.replace("from = 0.5", "form = 0.5"), "parameter[0]"),
            (
                &GOOD.replace("choice.beta=2", "constraint.r=strong"),
                "target[2].condition[0]",
            ),
            (
                &GOOD.replace("choice.beta=2", "nonsense"),
                "target[2].condition[0]",
            ),
            (&GOOD.replace("constraint.r", "seed"), "parameter[1].path"),
            (
                &GOOD.replace("\"constraint.r\"", "\"satisfaction.loss_slope\""),
                "parameter[1].path",
            ),
            ("[[parameter]]\npath = ", "not valid TOML"),
            (
                &GOOD.replace("value = 0.8", "value = \"high\""),
                "expected a number",
            ),
        ];
        for (text, field) in cases {
            let m = err(text);
            assert!(m.contains(field), "{field}: {m}");
            assert!(m.starts_with("t.toml"), "{m}");
            assert_eq!(m.lines().count(), 1, "{m}");
        }
    }

    #[test]
    fn paths_and_firms_are_checked_against_the_scenario() {
        let options = Options {
            max_evals: 1,
            ..Options::default()
        };
        let bad_path = GOOD.replace("satisfaction.loss_slope", "satisfaction.los_slope");
        let f = TargetFile::parse(&bad_path, "t.toml").unwrap();
        let m = calibrate(&tiny(), &f, &options).unwrap_err().to_string();
        assert!(
            m.contains("parameter[0].path") && m.contains("los_slope"),
            "{m}"
        );

        let with_start = bad_path.replace("to = 3.0", "to = 3.0\nstart = 1.0");
        let f = TargetFile::parse(&with_start, "t.toml").unwrap();
        let m = calibrate(&tiny(), &f, &options).unwrap_err().to_string();
        assert!(
            m.contains("parameter[0].path") && m.contains("los_slope"),
            "{m}"
        );

        let f = TargetFile::parse(&GOOD.replace("\"A\"", "\"Z\""), "t.toml").unwrap();
        let m = calibrate(&tiny(), &f, &options).unwrap_err().to_string();
        assert!(m.contains("target[2].firm") && m.contains("A, B"), "{m}");

        let f =
            TargetFile::parse(&GOOD.replace("choice.beta=2", "choice.beta=-1"), "t.toml").unwrap();
        let m = calibrate(&tiny(), &f, &options).unwrap_err().to_string();
        assert!(m.contains("target[2].condition"), "{m}");

        let f =
            TargetFile::parse(&GOOD.replace("0.5\nto = 3.0", "1.5\nto = 3.0"), "t.toml").unwrap();
        let m = calibrate(&tiny(), &f, &options).unwrap_err().to_string();
        assert!(
            m.contains("parameter[0].start") && m.contains("own value is 1"),
            "{m}"
        );
    }

    #[test]
    fn a_level_name_is_a_start_and_refused_bounds_are_warned_about() {
        let text = "[[parameter]]\npath = \"constraint.r\"\nfrom = 0\nto = 1\n\
                    [[parameter]]\npath = \"satisfaction.memory\"\nfrom = 0.5\nto = 1.0\n\
                    [[target]]\nmetric = \"hostage_share\"\nvalue = 0.1\ntolerance = 0.05";
        let f = TargetFile::parse(text, "t.toml").unwrap();
        let fit = calibrate(
            &tiny(),
            &f,
            &Options {
                max_evals: 3,
                ..Options::default()
            },
        )
        .unwrap();
        assert_eq!(fit.parameters[0].start, 0.5, "`low` is R = 0.5");
        assert_eq!(fit.evaluations, 3);
        assert_eq!(fit.warnings.len(), 1, "{:?}", fit.warnings);
        assert!(
            fit.warnings[0].contains("parameter[1].to"),
            "{:?}",
            fit.warnings
        );
        let md = fit.markdown();
        assert!(
            md.contains("| constraint.r |") && md.contains("hostage_share"),
            "{md}"
        );
    }

    #[test]
    fn every_metric_is_measured_and_the_objective_weights_by_tolerance() {
        let s = tiny();
        let results = Simulation::new(&s).run(s.periods);
        let target = |metric, cs: Option<f64>, firm: Option<&str>| Target {
            metric,
            cs,
            firm: firm.map(String::from),
            group: None,
            condition: Vec::new(),
            value: 0.0,
            tolerance: 1.0,
        };
        let all = [
            target(Metric::Run("retention"), None, None),
            target(Metric::Run("correlation_cs_staying"), None, None),
            target(Metric::Run("satisfied_defector_share"), None, None),
            target(Metric::Run("hostage_share"), None, None),
            target(Metric::Run("mean_r_eff"), None, None),
            target(Metric::Run("mean_cs"), None, None),
            target(Metric::CurveRetention, Some(3.0), None),
            target(Metric::FirmRetention, None, Some("B")),
            target(Metric::FirmShare, None, Some("A")),
            Target {
                group: Some("did_not_complain".into()),
                ..target(Metric::ComplaintRetention, None, None)
            },
        ];
        for t in &all {
            let v = measure(t, &s, &results);
            assert!(v.is_some_and(f64::is_finite), "{:?}: {v:?}", t.metric);
        }
        let r = measure(&all[0], &s, &results).unwrap();
        let a = measure(&all[7], &s, &results).unwrap();
        assert!(r > 0.0 && r < 1.0 && a > 0.0 && a < 1.0);
        // mean_r_eff is R = 0.5 in the reduced form without complaints.
        assert!((measure(&all[4], &s, &results).unwrap() - 0.5).abs() < 1e-9);

        let mut t = all[0].clone();
        t.value = 0.5;
        t.tolerance = 0.1;
        assert!((objective(&[t.clone()], &[Some(0.7)]) - 4.0).abs() < 1e-9);
        assert_eq!(objective(&[t], &[None]), MISSING_PENALTY);
    }

    #[test]
    fn a_complaint_group_is_required_known_and_only_for_complaint_retention() {
        let head = "[[parameter]]\npath = \"constraint.r\"\nfrom = 0\nto = 3\n[[target]]\n";
        let parse = |target: &str| TargetFile::parse(&format!("{head}{target}"), "t.toml");
        let missing = parse("metric = \"complaint_retention\"\nvalue = 0.5\ntolerance = 0.1");
        assert!(
            missing
                .unwrap_err()
                .0
                .contains("`target[0].group` = (missing)")
        );
        let unknown = parse(
            "metric = \"complaint_retention\"\ngroup = \"angry\"\nvalue = 0.5\ntolerance = 0.1",
        );
        assert!(unknown.unwrap_err().0.contains("one of did_not_complain,"));
        let misplaced =
            parse("metric = \"retention\"\ngroup = \"resolved\"\nvalue = 0.5\ntolerance = 0.1");
        assert!(
            misplaced
                .unwrap_err()
                .0
                .contains("only for complaint_retention")
        );
        let fine = parse(
            "metric = \"complaint_retention\"\ngroup = \"resolved\"\nvalue = 0.5\ntolerance = 0.1",
        );
        assert_eq!(
            fine.unwrap().target[0].label(),
            "complaint_retention of resolved"
        );
    }

    #[test]
    fn calibration_is_deterministic_and_never_worse_than_the_start() {
        let text = "[[parameter]]\npath = \"constraint.r\"\nfrom = 0\nto = 3\nstart = 0.2\n\
                    [[target]]\nmetric = \"retention\"\nvalue = 0.9\ntolerance = 0.01";
        let f = TargetFile::parse(text, "t.toml").unwrap();
        let options = Options {
            max_evals: 12,
            ..Options::default()
        };
        let a = calibrate(&tiny(), &f, &options).unwrap();
        let b = calibrate(&tiny(), &f, &options).unwrap();
        assert_eq!(a, b);
        assert!(a.objective <= a.start_objective);
        assert!(a.parameters[0].fitted > 0.2, "{:?}", a.parameters);
        assert_eq!(a.scenario.constraint.r.value(), a.parameters[0].fitted);
        assert!(a.parameters[0].pinned, "{:?}", a.parameters[0]);
    }

    #[test]
    fn a_parameter_the_targets_do_not_see_is_not_pinned() {
        // The discount rate moves lifetime values, not retention.
        let text = "[[parameter]]\npath = \"economics.discount_rate\"\nfrom = 0\nto = 0.5\n\
                    [[target]]\nmetric = \"retention\"\nvalue = 0.9\ntolerance = 0.01";
        let f = TargetFile::parse(text, "t.toml").unwrap();
        let options = Options {
            max_evals: 4,
            ..Options::default()
        };
        let fit = calibrate(&tiny(), &f, &options).unwrap();
        let p = &fit.parameters[0];
        assert!(!p.pinned, "{p:?}");
        assert_eq!(p.objective_up, Some(fit.objective), "{p:?}");
        assert!(
            fit.markdown()
                .contains("Not pinned down: economics.discount_rate")
        );
    }

    /// fit.json says an infinity as `summary.json` does: `null` and `KEY_infinite`,
    /// present in every fit, never a bare `null` that reads as a missing figure.
    #[test]
    fn fit_json_flags_infinite_numbers() {
        let text = "[[parameter]]\npath = \"constraint.r\"\nfrom = 0\nto = 3\n\
                    [[target]]\nmetric = \"mean_r_eff\"\nvalue = 1\ntolerance = 0.5";
        let f = TargetFile::parse(text, "t.toml").unwrap();
        let options = Options {
            max_evals: 3,
            ..Options::default()
        };
        let mut fit = calibrate(&tiny(), &f, &options).unwrap();
        let json = fit.to_json();
        let (p, t) = (&json["parameters"][0], &json["targets"][0]);
        for (o, key) in [
            (p, "objective_down"),
            (p, "objective_up"),
            (t, "simulated"),
            (t, "start_simulated"),
        ] {
            assert_eq!(o[format!("{key}_infinite")], false, "{key}: {o}");
        }
        assert!(t["simulated"].is_f64(), "{t}");
        fit.parameters[0].objective_up = Some(f64::INFINITY);
        fit.parameters[0].objective_down = None;
        fit.targets[0].simulated = Some(f64::INFINITY);
        let json = fit.to_json();
        let (p, t) = (&json["parameters"][0], &json["targets"][0]);
        assert!(
            p["objective_up"].is_null() && p["objective_up_infinite"] == true,
            "{p}"
        );
        assert!(
            p["objective_down"].is_null() && p["objective_down_infinite"] == false,
            "{p}"
        );
        assert!(
            t["simulated"].is_null() && t["simulated_infinite"] == true,
            "{t}"
        );
        assert_eq!(t["metric"], "mean_r_eff", "the target's own fields stay");
    }
}
