//! The target file: its TOML form (parameters to fit, figures to match) and the checks
//! that need no scenario. Separate from the search so the file format can be read and
//! tested on its own.

use super::CalibrationError;
use crate::model::Voice;
use crate::scenario::{Override, ScenarioError, paths_overlap};
use serde::{Deserialize, Serialize};
use std::fmt;

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

pub(super) fn invalid(
    source: &str,
    path: &str,
    value: impl fmt::Display,
    expected: &str,
) -> CalibrationError {
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
            let groups: Vec<&str> = Voice::TABLE.iter().map(|g| g.name()).collect();
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
                    .find(|p| paths_overlap(o.path(), p.path.trim()))
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

/// The message of a scenario error without a leading `--set ASSIGNMENT: `.
pub(super) fn strip_set(e: &ScenarioError) -> String {
    match e {
        ScenarioError::Override { message, .. } => message.clone(),
        other => other.to_string(),
    }
}
