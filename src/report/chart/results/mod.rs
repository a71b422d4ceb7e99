//! Reading a results folder back: the part of `timeseries.csv`, `curve.csv`,
//! `complaints.csv`, `summary.json` and `scenario.toml` that the charts draw, and,
//! for charts of a window of periods or of one firm, `curve_by_period.csv`.
//!
//! Columns are found by name and extra columns are ignored, so the tables can grow
//! without breaking the charts; the only column read that `report/columns/` does not
//! declare is the optional `events` of `timeseries.csv`. A folder that is not a results
//! folder, or a table missing a column, is one [`ResultsError`] naming what is missing.

mod curve_by_period;
#[cfg(test)]
mod tests;

use crate::model::CustomerType;
use crate::scenario::Scenario;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A results folder, as far as the charts need it.
#[derive(Debug, Clone)]
pub struct RunFolder {
    pub dir: PathBuf,
    /// The resolved scenario of the run (`scenario.toml`).
    pub scenario: Scenario,
    pub summary: Summary,
    /// `curve.csv`, a row per CS bin.
    pub curve: Vec<CurveBin>,
    /// `timeseries.csv`, a row per period and firm.
    pub timeseries: Vec<FirmPeriod>,
    /// `complaints.csv`, a row per TARP group; `None` when the folder has no such file
    /// (it is optional: older results folders lack it).
    pub complaints: Option<Vec<ComplaintGroup>>,
}

/// The headline numbers of `summary.json` that charts show.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub name: String,
    pub seed: u64,
    pub customers: u64,
    pub periods: u64,
    pub retention: Option<f64>,
    pub correlation_cs_staying: Option<f64>,
    pub satisfied_defector_share: Option<f64>,
    pub hostage_share: Option<f64>,
    /// Effective R over the run; may be infinite.
    pub mean_r_eff: Option<f64>,
    /// Customer decisions over the run (the observations of the correlation); `None`
    /// in folders of versions that did not record them.
    pub decisions: Option<u64>,
}

/// The metrics of `summary.json` a comparison can map, by their key.
pub const SUMMARY_METRICS: [&str; 5] = [
    "retention",
    "correlation_cs_staying",
    "satisfied_defector_share",
    "hostage_share",
    "mean_r_eff",
];

impl Summary {
    /// The metric of [`SUMMARY_METRICS`] named `key`.
    pub fn metric(&self, key: &str) -> Option<f64> {
        match key {
            "retention" => self.retention,
            "correlation_cs_staying" => self.correlation_cs_staying,
            "satisfied_defector_share" => self.satisfied_defector_share,
            "hostage_share" => self.hostage_share,
            "mean_r_eff" => self.mean_r_eff,
            _ => None,
        }
    }
}

/// One CS bin of the empirical retention curve.
#[derive(Debug, Clone, PartialEq)]
pub struct CurveBin {
    /// Where to draw the bin: the mean CS of its observations, or its centre when empty.
    pub cs: f64,
    pub observations: u64,
    pub retention: Option<f64>,
    /// The 95% Wilson interval of `retention`.
    pub interval: Option<(f64, f64)>,
    /// The retention the model expects for the bin's observations (`cl_theory`);
    /// `None` for an empty bin, or a folder written before the column was.
    pub expected: Option<f64>,
}

/// One group of `complaints.csv`: the problems whose complaint ended one way.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplaintGroup {
    /// `did_not_complain`, `complained_unresolved`, `resolved` or `resolved_quickly`.
    pub group: String,
    pub episodes: u64,
    pub stayed: u64,
    /// `stayed / episodes`; `None` without episodes.
    pub retention: Option<f64>,
    /// The 95% Wilson interval of `retention`.
    pub interval: Option<(f64, f64)>,
}

/// One firm in one period.
#[derive(Debug, Clone, PartialEq)]
pub struct FirmPeriod {
    pub period: u32,
    pub firm: String,
    pub customers: u64,
    pub share: Option<f64>,
    pub retention: Option<f64>,
    /// Customers of each type, in [`CustomerType::ALL`] order.
    pub types: [u64; 6],
    /// Events that fired in this period (the optional `events` column), if any.
    pub events: Option<String>,
    /// Positive and negative word-of-mouth messages about the firm heard in this
    /// period (`wom_positive`, `wom_negative`); `None` in a folder without them.
    pub words: Option<(u64, u64)>,
}

/// Why a folder could not be read as results: bad input, one line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ResultsError {
    #[error("{dir}: no such folder")]
    NoFolder { dir: String },
    #[error("{dir} is not a results folder: no {file} (`loyalsim run` writes one)")]
    NotResults { dir: String, file: &'static str },
    #[error("{file}: {message}")]
    Malformed { file: String, message: String },
}

pub(super) fn malformed(file: &Path, message: impl Into<String>) -> ResultsError {
    ResultsError::Malformed {
        file: file.display().to_string(),
        message: message.into(),
    }
}

impl RunFolder {
    /// Reads the results folder `dir`.
    pub fn read(dir: &Path) -> Result<RunFolder, ResultsError> {
        if !dir.is_dir() {
            return Err(ResultsError::NoFolder {
                dir: dir.display().to_string(),
            });
        }
        for file in [
            "scenario.toml",
            "summary.json",
            "curve.csv",
            "timeseries.csv",
        ] {
            if !dir.join(file).is_file() {
                return Err(ResultsError::NotResults {
                    dir: dir.display().to_string(),
                    file,
                });
            }
        }
        let scenario_path = dir.join("scenario.toml");
        // Read, not loaded strictly: a results folder of an older version may name a
        // setting its run did not use, and redrawing it changes nothing either way.
        let scenario = crate::scenario::read_text(&scenario_path)
            .and_then(|text| Scenario::read(&text, &scenario_path.display().to_string(), &[]))
            .map(|read| read.scenario)
            .map_err(|e| ResultsError::Malformed {
                file: scenario_path.display().to_string(),
                message: e.to_string(),
            })?;
        let complaints = dir.join("complaints.csv");
        Ok(RunFolder {
            dir: dir.to_path_buf(),
            scenario,
            summary: read_summary(&dir.join("summary.json"))?,
            curve: read_curve(&dir.join("curve.csv"))?,
            timeseries: read_timeseries(&dir.join("timeseries.csv"))?,
            complaints: if complaints.is_file() {
                Some(read_complaints(&complaints)?)
            } else {
                None
            },
        })
    }

    /// The folder's own name, for labels when nothing else tells runs apart.
    pub fn folder_name(&self) -> String {
        self.dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.dir.display().to_string())
    }
}
fn read_summary(path: &Path) -> Result<Summary, ResultsError> {
    let text = std::fs::read_to_string(path).map_err(|e| malformed(path, e.to_string()))?;
    let json: Value =
        serde_json::from_str(&text).map_err(|e| malformed(path, format!("not valid JSON: {e}")))?;
    // An infinite number is `null` with `KEY_infinite: true` (see
    // `report::export::json`); folders of versions before that say "inf".
    let number = |key: &str| -> Result<Option<f64>, ResultsError> {
        let infinite = json.get(format!("{key}_infinite")) == Some(&Value::Bool(true));
        match json.get(key) {
            None => Err(malformed(path, format!("no key `{key}`"))),
            Some(Value::Null) if infinite => Ok(Some(f64::INFINITY)),
            Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s == "inf" => Ok(Some(f64::INFINITY)),
            Some(v) => v
                .as_f64()
                .map(Some)
                .ok_or_else(|| malformed(path, format!("`{key}` = {v}: expected a number"))),
        }
    };
    let whole = |key: &str| -> Result<u64, ResultsError> {
        json.get(key)
            .and_then(Value::as_u64)
            .ok_or_else(|| malformed(path, format!("no whole number `{key}`")))
    };
    Ok(Summary {
        name: json
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed(path, "no text `name`"))?
            .to_string(),
        seed: whole("seed")?,
        customers: whole("customers")?,
        periods: whole("periods")?,
        retention: number("retention")?,
        correlation_cs_staying: number("correlation_cs_staying")?,
        satisfied_defector_share: number("satisfied_defector_share")?,
        hostage_share: number("hostage_share")?,
        mean_r_eff: number("mean_r_eff")?,
        decisions: json.get("decisions").and_then(Value::as_u64),
    })
}

/// A CSV table read by column name (also by the sweep charts' reader, `sweep.rs`).
pub(super) struct Table<'a> {
    pub(super) path: &'a Path,
    pub(super) columns: HashMap<String, usize>,
    pub(super) rows: Vec<csv::StringRecord>,
}

impl<'a> Table<'a> {
    pub(super) fn read(path: &'a Path) -> Result<Table<'a>, ResultsError> {
        let mut reader =
            csv::Reader::from_path(path).map_err(|e| malformed(path, e.to_string()))?;
        let columns = reader
            .headers()
            .map_err(|e| malformed(path, e.to_string()))?
            .iter()
            .enumerate()
            .map(|(i, name)| (name.to_string(), i))
            .collect();
        let rows = reader
            .records()
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| malformed(path, e.to_string()))?;
        Ok(Table {
            path,
            columns,
            rows,
        })
    }

    /// Fails naming the first of `names` the table lacks, even when it has no rows.
    pub(super) fn require(&self, names: &[&str]) -> Result<(), ResultsError> {
        names.iter().try_for_each(|n| self.column(n).map(|_| ()))
    }

    /// The index of a required column.
    pub(super) fn column(&self, name: &str) -> Result<usize, ResultsError> {
        self.columns
            .get(name)
            .copied()
            .ok_or_else(|| malformed(self.path, format!("no column `{name}`")))
    }

    fn cell<'r>(&self, row: &'r csv::StringRecord, index: usize) -> &'r str {
        row.get(index).unwrap_or("")
    }

    /// A number, or `None` for an empty cell.
    pub(super) fn number(&self, row_index: usize, name: &str) -> Result<Option<f64>, ResultsError> {
        let text = self.cell(&self.rows[row_index], self.column(name)?);
        match text.trim() {
            "" => Ok(None),
            "inf" => Ok(Some(f64::INFINITY)),
            t => t.parse().map(Some).map_err(|_| {
                malformed(
                    self.path,
                    format!("row {}: `{name}` = {t:?}: expected a number", row_index + 1),
                )
            }),
        }
    }

    /// A share in [0, 1], or `None` for an empty cell: charts place shares on axes
    /// from 0 to 100%, so anything else (NaN, 5, inf) is refused here, naming the cell.
    pub(super) fn share(&self, row_index: usize, name: &str) -> Result<Option<f64>, ResultsError> {
        match self.number(row_index, name)? {
            Some(v) if !(0.0..=1.0).contains(&v) => Err(malformed(
                self.path,
                format!(
                    "row {}: `{name}` = {v}: expected a share from 0 to 1",
                    row_index + 1
                ),
            )),
            v => Ok(v),
        }
    }

    pub(super) fn whole(&self, row_index: usize, name: &str) -> Result<u64, ResultsError> {
        let text = self.cell(&self.rows[row_index], self.column(name)?);
        text.trim().parse().map_err(|_| {
            malformed(
                self.path,
                format!(
                    "row {}: `{name}` = {text:?}: expected a whole number",
                    row_index + 1
                ),
            )
        })
    }

    pub(super) fn text(&self, row_index: usize, name: &str) -> Result<String, ResultsError> {
        Ok(self
            .cell(&self.rows[row_index], self.column(name)?)
            .to_string())
    }
}

fn read_curve(path: &Path) -> Result<Vec<CurveBin>, ResultsError> {
    let t = Table::read(path)?;
    t.require(&[
        "cs_mid",
        "observations",
        "retention",
        "retention_low",
        "retention_high",
        "cs_mean",
    ])?;
    let has_expected = t.columns.contains_key("cl_theory");
    (0..t.rows.len())
        .map(|i| {
            let mid = t
                .number(i, "cs_mid")?
                .ok_or_else(|| malformed(path, format!("row {}: empty `cs_mid`", i + 1)))?;
            let low = t.share(i, "retention_low")?;
            let high = t.share(i, "retention_high")?;
            Ok(CurveBin {
                cs: t.number(i, "cs_mean")?.unwrap_or(mid),
                observations: t.whole(i, "observations")?,
                retention: t.share(i, "retention")?,
                interval: low.zip(high),
                expected: if has_expected {
                    t.share(i, "cl_theory")?
                } else {
                    None
                },
            })
        })
        .collect()
}

fn read_complaints(path: &Path) -> Result<Vec<ComplaintGroup>, ResultsError> {
    let t = Table::read(path)?;
    t.require(&[
        "group",
        "episodes",
        "stayed",
        "retention",
        "retention_low",
        "retention_high",
    ])?;
    (0..t.rows.len())
        .map(|i| {
            let low = t.share(i, "retention_low")?;
            let high = t.share(i, "retention_high")?;
            Ok(ComplaintGroup {
                group: t.text(i, "group")?.trim().to_string(),
                episodes: t.whole(i, "episodes")?,
                stayed: t.whole(i, "stayed")?,
                retention: t.share(i, "retention")?,
                interval: low.zip(high),
            })
        })
        .collect()
}

fn read_timeseries(path: &Path) -> Result<Vec<FirmPeriod>, ResultsError> {
    let t = Table::read(path)?;
    t.require(&["period", "firm", "customers", "share", "retention"])?;
    t.require(&CustomerType::ALL.map(CustomerType::plural))?;
    let has_events = t.columns.contains_key("events");
    let has_words = ["wom_positive", "wom_negative"]
        .iter()
        .all(|c| t.columns.contains_key(*c));
    (0..t.rows.len())
        .map(|i| {
            let mut types = [0; 6];
            for (n, kind) in types.iter_mut().zip(CustomerType::ALL) {
                *n = t.whole(i, kind.plural())?;
            }
            let events = if has_events {
                Some(t.text(i, "events")?.trim().to_string()).filter(|e| !e.is_empty())
            } else {
                None
            };
            let period = t.whole(i, "period")?;
            let period = u32::try_from(period).map_err(|_| {
                malformed(
                    path,
                    format!(
                        "row {}: `period` = {period}: expected at most {}",
                        i + 1,
                        u32::MAX
                    ),
                )
            })?;
            Ok(FirmPeriod {
                period,
                firm: t.text(i, "firm")?,
                customers: t.whole(i, "customers")?,
                share: t.share(i, "share")?,
                retention: t.share(i, "retention")?,
                types,
                events,
                words: if has_words {
                    Some((t.whole(i, "wom_positive")?, t.whole(i, "wom_negative")?))
                } else {
                    None
                },
            })
        })
        .collect()
}
