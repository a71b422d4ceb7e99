//! Reading a results folder back: the part of `timeseries.csv`, `curve.csv`,
//! `complaints.csv`, `summary.json` and `scenario.toml` that the charts draw, and,
//! for charts of a window of periods or of one firm, `curve_by_period.csv`.
//!
//! Columns are found by name and extra columns are ignored, so the tables can grow
//! without breaking the charts; the only column read that `report/columns.rs` does not
//! declare is the optional `events` of `timeseries.csv`. A folder that is not a results
//! folder, or a table missing a column, is one [`ResultsError`] naming what is missing.

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

impl RunFolder {
    /// The retention curve of periods `first..=last` and, when `firm` names one, of
    /// that firm alone, added up from `curve_by_period.csv` as it is read (the table
    /// may be several times the size of `timeseries.csv`, and is never held whole).
    /// Bins without observations in the selection are left out.
    pub fn curve_of(
        &self,
        (first, last): (u32, u32),
        firm: Option<&str>,
    ) -> Result<Vec<CurveBin>, ResultsError> {
        let path = self.dir.join(CURVE_BY_PERIOD);
        if !path.is_file() {
            return Err(malformed(
                &path,
                "no such file: charts of a window of periods or of one firm (--periods, \
                 --firm) are drawn from it; this folder was written before runs wrote it, \
                 so run its scenario.toml again",
            ));
        }
        let mut reader =
            csv::Reader::from_path(&path).map_err(|e| malformed(&path, e.to_string()))?;
        let header = reader
            .headers()
            .map_err(|e| malformed(&path, e.to_string()))?
            .clone();
        let names = [
            "period",
            "firm",
            "cs_mid",
            "observations",
            "stayed",
            "cs_mean",
            "cl_theory",
        ];
        let mut at = [0usize; 7];
        for (slot, name) in at.iter_mut().zip(names) {
            *slot = header
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| malformed(&path, format!("no column `{name}`")))?;
        }
        #[derive(Default)]
        struct Sums {
            observations: u64,
            stayed: u64,
            sum_cs: f64,
            sum_cl: f64,
        }
        // Bins by their centre, in millionths of a CS point: ordered along the scale.
        let mut bins: std::collections::BTreeMap<i64, Sums> = Default::default();
        for (i, row) in reader.records().enumerate() {
            let row = row.map_err(|e| malformed(&path, e.to_string()))?;
            let cell = |k: usize| row.get(at[k]).unwrap_or("").trim();
            let bad = |k: usize, expected: &str| {
                malformed(
                    &path,
                    format!(
                        "row {}: `{}` = {:?}: expected {expected}",
                        i + 1,
                        names[k],
                        cell(k)
                    ),
                )
            };
            let whole = |k: usize| cell(k).parse::<u64>().map_err(|_| bad(k, "a whole number"));
            let number = |k: usize, lo: f64, hi: f64, expected: &str| {
                cell(k)
                    .parse::<f64>()
                    .ok()
                    .filter(|v| (lo..=hi).contains(v))
                    .ok_or_else(|| bad(k, expected))
            };
            let period = whole(0)?;
            if period < first as u64 || period > last as u64 {
                continue;
            }
            if firm.is_some_and(|f| f != cell(1)) {
                continue;
            }
            let mid = number(2, 1.0, 5.0, "a CS from 1 to 5")?;
            let observations = whole(3)?;
            let stayed = whole(4)?;
            if stayed > observations {
                return Err(bad(4, &format!("at most the {observations} observations")));
            }
            let cs = number(5, 1.0, 5.0, "a CS from 1 to 5")?;
            let cl = number(6, 0.0, 1.0, "a share from 0 to 1")?;
            let sums = bins.entry((mid * 1e6).round() as i64).or_default();
            sums.observations = sums.observations.saturating_add(observations);
            sums.stayed = sums.stayed.saturating_add(stayed);
            sums.sum_cs += cs * observations as f64;
            sums.sum_cl += cl * observations as f64;
        }
        Ok(bins
            .into_values()
            .filter(|b| b.observations > 0)
            .map(|b| {
                let n = b.observations as f64;
                CurveBin {
                    cs: b.sum_cs / n,
                    observations: b.observations,
                    retention: Some(b.stayed as f64 / n),
                    interval: crate::stats::wilson(b.stayed, b.observations),
                    expected: Some((b.sum_cl / n).clamp(0.0, 1.0)),
                }
            })
            .collect())
    }
}

/// The file [`RunFolder::curve_of`] reads.
pub const CURVE_BY_PERIOD: &str = "curve_by_period.csv";

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_read_by_name_and_extra_columns_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(
            &path,
            "extra,cs_mid,observations,retention,retention_low,retention_high,cs_mean,more\n\
             x,1,10,0.5,0.2,0.8,,y\n\
             x,1.25,0,,,,,y\n",
        )
        .unwrap();
        let bins = read_curve(&path).unwrap();
        assert_eq!(bins.len(), 2);
        assert_eq!(bins[0].cs, 1.0);
        assert_eq!(bins[0].interval, Some((0.2, 0.8)));
        assert_eq!(bins[1].retention, None);
    }

    #[test]
    fn shares_outside_0_to_1_are_refused_naming_the_cell() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("curve.csv");
        for bad in ["5", "NaN", "inf", "-0.1"] {
            std::fs::write(
                &path,
                format!(
                    "cs_mid,observations,retention,retention_low,retention_high,cs_mean\n\
                     1,10,0.5,0.2,0.8,\n1.25,10,{bad},0.2,0.8,\n"
                ),
            )
            .unwrap();
            let e = read_curve(&path).unwrap_err().to_string();
            assert!(
                e.contains("row 2") && e.contains("`retention`") && e.contains("0 to 1"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn a_missing_column_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("curve.csv");
        std::fs::write(&path, "cs_mid,observations\n1,10\n").unwrap();
        let e = read_curve(&path).unwrap_err().to_string();
        assert!(e.contains("curve.csv") && e.contains("`retention`"), "{e}");
    }

    /// A window's curve adds up the rows of its periods and firm, bin by bin, with
    /// the means weighted by observations; a bad cell is named by row and column.
    #[test]
    fn the_curve_of_a_selection_adds_up_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let folder = RunFolder {
            dir: dir.path().to_path_buf(),
            scenario: Scenario::default(),
            summary: Summary {
                name: "t".into(),
                seed: 1,
                customers: 10,
                periods: 3,
                retention: None,
                correlation_cs_staying: None,
                satisfied_defector_share: None,
                hostage_share: None,
                mean_r_eff: None,
                decisions: None,
            },
            curve: Vec::new(),
            timeseries: Vec::new(),
            complaints: None,
        };
        let e = folder.curve_of((1, 3), None).unwrap_err().to_string();
        assert!(e.contains("curve_by_period.csv") && e.contains("run its scenario.toml again"));
        let path = dir.path().join(CURVE_BY_PERIOD);
        std::fs::write(
            &path,
            "period,firm,cs_mid,observations,stayed,cs_mean,cl_theory\n\
             1,A,3.0,10,8,3.1,0.8\n\
             2,A,3.0,30,27,2.9,0.9\n\
             2,B,3.0,100,50,3.0,0.5\n\
             2,A,1.0,5,5,1.05,0.7\n\
             3,A,3.0,1000,0,3.0,0.1\n",
        )
        .unwrap();
        let bins = folder.curve_of((1, 2), Some("A")).unwrap();
        assert_eq!(bins.len(), 2);
        // In order along the scale.
        assert_eq!((bins[0].observations, bins[0].retention), (5, Some(1.0)));
        let b = &bins[1];
        assert_eq!((b.observations, b.retention), (40, Some(35.0 / 40.0)));
        assert!((b.cs - (3.1 * 10.0 + 2.9 * 30.0) / 40.0).abs() < 1e-12);
        assert!((b.expected.unwrap() - (0.8 * 10.0 + 0.9 * 30.0) / 40.0).abs() < 1e-12);
        assert_eq!(b.interval, crate::stats::wilson(35, 40));
        // Both firms, period 2 only.
        let both = folder.curve_of((2, 2), None).unwrap();
        assert_eq!(both[1].observations, 130);
        std::fs::write(
            &path,
            "period,firm,cs_mid,observations,stayed,cs_mean,cl_theory\n1,A,3.0,10,11,3.1,0.8\n",
        )
        .unwrap();
        let e = folder.curve_of((1, 2), None).unwrap_err().to_string();
        assert!(e.contains("row 1") && e.contains("`stayed`"), "{e}");
    }

    #[test]
    fn a_folder_without_results_is_named_with_the_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let e = RunFolder::read(dir.path()).unwrap_err().to_string();
        assert!(
            e.contains("not a results folder") && e.contains("scenario.toml"),
            "{e}"
        );
    }
}
