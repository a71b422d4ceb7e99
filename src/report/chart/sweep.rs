//! Reading a sweep's results folder back: what the sweep charts draw, from
//! `manifest.json`, `scenario.toml` (the resolved base scenario and its `[sweep]`),
//! `sweep_summary.csv` (a row per point: the swept values, the runs and the mean,
//! standard deviation and 95% t-interval of every metric), `sensitivity.csv` (the
//! indices of a Morris or Sobol' design) and `sweep_curve.csv` (the retention curve of
//! every point, pooled over its replications), the last two when the folder has them.
//!
//! As for a run's folder (`results.rs`), columns are found by name and extra ones are
//! ignored; a metric of the table that `sweep_summary.csv` lacks (a folder of an older
//! version) is missing, and only the charts of that metric say so. Nothing is simulated:
//! the `[sweep]` is resolved into its plan again (pure, `parameter::Plan`) only to tell,
//! for each point, which swept fields apply there. A field a point does not use
//! (`constraint.r` at a structural point) must not be drawn as if it mattered, and the
//! scenario's own rules of settings that change nothing (`Scenario::idle`) say which
//! those are. The plan's values are checked against `sweep_summary.csv`'s, so a summary
//! and a scenario of different sweeps are refused rather than drawn together.

use super::compare::numeric;
use super::results::{ResultsError, Table, malformed};
use super::{thousands, words};
use crate::parameter::{Design, Plan, Sweep};
use crate::report::manifest::Finished;
use crate::report::metrics;
use crate::scenario::Scenario;
use std::path::{Path, PathBuf};

/// A sweep's results folder, as far as its charts need it.
#[derive(Debug, Clone)]
pub struct SweepFolder {
    pub dir: PathBuf,
    /// `manifest.json`: the sweep's name, its runs and which shard this is.
    pub manifest: Finished,
    /// The resolved base scenario (`scenario.toml`), its `[sweep]` included.
    pub scenario: Scenario,
    /// Its `[sweep]`.
    pub sweep: Sweep,
    /// The swept fields, as `sweep_summary.csv` names their columns.
    pub paths: Vec<String>,
    /// `sweep_summary.csv`, a row per point, in its order.
    pub points: Vec<SweepPoint>,
    /// `applies[i][k]`: whether `paths[k]` is used at `points[i]` (false where setting
    /// it changes nothing there). Every field applies at every point of a sensitivity
    /// design, whose factors are ranges of fields that must.
    pub applies: Vec<Vec<bool>>,
    /// `sensitivity.csv`, when the folder has one.
    pub sensitivity: Option<Vec<SensitivityRow>>,
    /// `sweep_curve.csv`, when the folder has one.
    pub curve: Option<Vec<SweepCurveBin>>,
}

/// One point of `sweep_summary.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepPoint {
    pub point: u64,
    /// The swept values as written, in [`SweepFolder::paths`] order.
    pub values: Vec<String>,
    pub runs: u64,
    /// Mean, sd, ci_low and ci_high of each metric of [`metrics::run`], in its order;
    /// `None` where the file has no columns for the metric.
    pub stats: Vec<Option<[Option<f64>; 4]>>,
}

impl SweepPoint {
    fn stats_of(&self, metric: &str) -> Option<[Option<f64>; 4]> {
        let i = metrics::run().iter().position(|m| m.name == metric)?;
        self.stats.get(i).copied().flatten()
    }

    /// The mean of `metric` over the point's runs; may be infinite.
    pub fn mean(&self, metric: &str) -> Option<f64> {
        self.stats_of(metric).and_then(|s| s[0])
    }

    /// The 95% t-interval of the mean of `metric`, when it has one.
    pub fn interval(&self, metric: &str) -> Option<(f64, f64)> {
        self.stats_of(metric)
            .and_then(|s| s[2].zip(s[3]))
            .filter(|(a, b)| a.is_finite() && b.is_finite())
    }
}

/// One row of `sensitivity.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityRow {
    pub metric: String,
    /// A swept path, a Morris group's name, or `seed` for the noise share.
    pub factor: String,
    /// `S1`, `ST`, `S2`, `mu`, `mu_star`, `sigma` or `noise_share`.
    pub index: String,
    pub value: Option<f64>,
    /// The 95% bootstrap interval.
    pub interval: Option<(f64, f64)>,
}

/// One bin of one point's retention curve (`sweep_curve.csv`), pooled over its
/// replications.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepCurveBin {
    pub point: u64,
    pub bin: u64,
    pub cs_low: f64,
    pub cs_mid: f64,
    pub cs_high: f64,
    pub runs: u64,
    pub observations: u64,
    pub stayed: u64,
    pub retention: Option<f64>,
    /// The 95% Wilson interval of `retention`.
    pub interval: Option<(f64, f64)>,
    pub f_theory: Option<f64>,
    pub cl_theory: Option<f64>,
}

/// The files that make a folder a sweep's.
const MANIFEST: &str = "manifest.json";
const SUMMARY: &str = "sweep_summary.csv";
const SCENARIO: &str = "scenario.toml";
/// The optional ones.
pub const SENSITIVITY: &str = "sensitivity.csv";
pub const CURVE: &str = "sweep_curve.csv";

/// Whether `dir` holds a sweep's results (`manifest.json` and `sweep_summary.csv`)
/// rather than a run's.
pub fn is_sweep_folder(dir: &Path) -> bool {
    dir.join(MANIFEST).is_file() && dir.join(SUMMARY).is_file()
}

fn not_sweep(dir: &Path, file: &'static str) -> ResultsError {
    ResultsError::Malformed {
        file: dir.display().to_string(),
        message: format!("not a sweep results folder: no {file} (`loyalsim sweep` writes one)"),
    }
}

impl SweepFolder {
    /// Reads the sweep results folder `dir`.
    pub fn read(dir: &Path) -> Result<SweepFolder, ResultsError> {
        if !dir.is_dir() {
            return Err(ResultsError::NoFolder {
                dir: dir.display().to_string(),
            });
        }
        for file in [MANIFEST, SUMMARY, SCENARIO] {
            if !dir.join(file).is_file() {
                return Err(not_sweep(dir, file));
            }
        }
        let manifest_path = dir.join(MANIFEST);
        let manifest: Finished = std::fs::read_to_string(&manifest_path)
            .map_err(|e| malformed(&manifest_path, e.to_string()))
            .and_then(|t| {
                serde_json::from_str(&t)
                    .map_err(|e| malformed(&manifest_path, format!("not a sweep manifest: {e}")))
            })?;
        let scenario_path = dir.join(SCENARIO);
        let read = crate::scenario::read_text(&scenario_path)
            .and_then(|text| Scenario::read(&text, &scenario_path.display().to_string(), &[]))
            .map_err(|e| malformed(&scenario_path, e.to_string()))?;
        let scenario = read.scenario;
        let sweep = scenario
            .sweep
            .clone()
            .ok_or_else(|| malformed(&scenario_path, "no [sweep] table: not a sweep's scenario"))?;
        let paths: Vec<String> = sweep.vary.iter().map(|v| v.path.clone()).collect();
        let summary_path = dir.join(SUMMARY);
        let points = read_summary(&summary_path, &paths)?;
        let applies = applies(&scenario, &sweep, &manifest, &points, &summary_path)
            .map_err(|message| malformed(&scenario_path, message))?;
        let optional = |name: &str| Some(dir.join(name)).filter(|p| p.is_file());
        Ok(SweepFolder {
            dir: dir.to_path_buf(),
            sensitivity: optional(SENSITIVITY)
                .map(|p| read_sensitivity(&p))
                .transpose()?,
            curve: optional(CURVE)
                .map(|p| read_curve(&p, points.len()))
                .transpose()?,
            manifest,
            scenario,
            sweep,
            paths,
            points,
            applies,
        })
    }

    /// Whether `sweep_summary.csv` has the columns of `metric` (a folder of an older
    /// version may lack some).
    pub fn has_metric(&self, metric: &str) -> bool {
        self.points.iter().any(|p| p.stats_of(metric).is_some())
    }

    /// The distinct values of field `k` where it applies, in order of appearance.
    pub fn levels(&self, k: usize) -> Vec<String> {
        let mut levels: Vec<String> = Vec::new();
        for (p, applies) in self.points.iter().zip(&self.applies) {
            if applies[k] && !levels.contains(&p.values[k]) {
                levels.push(p.values[k].clone());
            }
        }
        levels
    }

    /// The fields that take more than one value where they apply, in `paths` order.
    pub fn varying(&self) -> Vec<usize> {
        (0..self.paths.len())
            .filter(|&k| self.levels(k).len() > 1)
            .collect()
    }

    /// Whether every value of field `k` where it applies is a number (a constraint
    /// level counts as its R, `inf` as infinity).
    pub fn is_numeric(&self, k: usize) -> bool {
        self.levels(k).iter().all(|v| numeric(v).is_some())
    }

    /// Whether field `k` applies at every point.
    pub fn applies_everywhere(&self, k: usize) -> bool {
        self.applies.iter().all(|a| a[k])
    }

    /// The words for field `k`: "constraint strength R", "Alpha's price".
    pub fn field_words(&self, k: usize) -> String {
        words::field(&self.paths[k], &self.scenario)
    }

    /// The design in words: "zip", "grid", "Sobol' design".
    pub fn design_words(&self) -> &'static str {
        match self.sweep.design {
            Design::Grid => "grid",
            Design::Zip => "zip",
            Design::Random => "random design",
            Design::LatinHypercube => "Latin hypercube",
            Design::Morris => "Morris design",
            Design::Sobol => "Sobol' design",
        }
    }

    /// "constraint_benchmark · zip of 10 points × 4 replications (40 runs) · 3,000
    /// customers · 20 periods · seed 1", and which shard when the folder holds one.
    pub fn subtitle(&self) -> String {
        let m = &self.manifest.manifest;
        let reps = self.sweep.replications;
        let design = match self.sweep.design {
            Design::Sobol => format!("Sobol' design of {} base samples,", self.sweep.samples),
            Design::Morris => format!("Morris design of {} trajectories,", self.sweep.samples),
            _ => format!("{} of", self.design_words()),
        };
        let mut parts = vec![
            m.name.clone(),
            format!(
                "{design} {} points × {reps} replication{} ({} runs)",
                thousands(m.runs / u64::from(reps.max(1))),
                if reps == 1 { "" } else { "s" },
                thousands(m.runs)
            ),
            format!("{} customers", thousands(self.scenario.customers)),
            format!("{} periods", self.scenario.periods),
            format!("seed {}", self.scenario.seed),
        ];
        if m.shard.count > 1 {
            parts.push(format!(
                "shard {} of {} (runs {} to {})",
                m.shard.index,
                m.shard.count,
                m.start,
                m.end.saturating_sub(1)
            ));
        }
        parts.join(" · ")
    }

    /// The constraint's form at point `i`: the swept `constraint.form`, or the base
    /// scenario's.
    pub fn form(&self, i: usize) -> String {
        match self.paths.iter().position(|p| p == "constraint.form") {
            Some(k) => self.points[i].values[k].clone(),
            None => match self.scenario.constraint.form {
                crate::scenario::ConstraintForm::Reduced => "reduced".into(),
                crate::scenario::ConstraintForm::Structural => "structural".into(),
            },
        }
    }
}

fn read_summary(path: &Path, paths: &[String]) -> Result<Vec<SweepPoint>, ResultsError> {
    let t = Table::read(path)?;
    t.require(&["point", "runs"])?;
    let names: Vec<&str> = paths.iter().map(String::as_str).collect();
    t.require(&names)?;
    let stats = ["mean", "sd", "ci_low", "ci_high"];
    let present: Vec<bool> = metrics::run()
        .iter()
        .map(|m| {
            stats
                .iter()
                .all(|s| t.columns.contains_key(&format!("{}_{s}", m.name)))
        })
        .collect();
    (0..t.rows.len())
        .map(|i| {
            let mut point_stats = Vec::new();
            for (m, present) in metrics::run().iter().zip(&present) {
                if !present {
                    point_stats.push(None);
                    continue;
                }
                let mut s = [None; 4];
                for (cell, stat) in s.iter_mut().zip(stats) {
                    *cell = t
                        .number(i, &format!("{}_{stat}", m.name))?
                        .filter(|v| !v.is_nan());
                }
                point_stats.push(Some(s));
            }
            Ok(SweepPoint {
                point: t.whole(i, "point")?,
                values: paths
                    .iter()
                    .map(|p| t.text(i, p).map(|v| v.trim().to_string()))
                    .collect::<Result<_, _>>()?,
                runs: t.whole(i, "runs")?,
                stats: point_stats,
            })
        })
        .collect()
}

/// Which swept fields apply at each point, from the plan of the `[sweep]`, whose values
/// must be those of `sweep_summary.csv`.
fn applies(
    scenario: &Scenario,
    sweep: &Sweep,
    manifest: &Finished,
    points: &[SweepPoint],
    summary: &Path,
) -> Result<Vec<Vec<bool>>, String> {
    let all = || vec![vec![true; sweep.vary.len()]; points.len()];
    if sweep.design.is_sensitivity() {
        return Ok(all());
    }
    let n = Plan::size(sweep).map_err(|e| e.to_string())?;
    let reps = u64::from(sweep.replications.max(1));
    if n.saturating_mul(reps) != manifest.manifest.runs {
        return Err(format!(
            "its [sweep] makes {n} points × {reps} replications, but manifest.json says {} \
             runs: the files are of different sweeps",
            manifest.manifest.runs
        ));
    }
    // The plan is about as large as the summary for a whole sweep; a shard's summary
    // holds a slice of it. Far beyond that the files cannot belong together.
    let summary_bytes = std::fs::metadata(summary).map_or(0, |m| m.len());
    let limit = summary_bytes
        .saturating_mul(manifest.manifest.shard.count.max(1))
        .saturating_mul(4)
        .saturating_add(64 << 20);
    if Plan::estimate_bytes(sweep, n) > limit {
        return Err(format!(
            "its [sweep] makes {n} points, too many for the {} rows of {}",
            points.len(),
            summary.display()
        ));
    }
    let plan = Plan::new(sweep, scenario.seed).map_err(|e| e.to_string())?;
    let base = {
        let mut b = scenario.clone();
        b.sweep = None;
        b.to_table()
    };
    let dtypes = plan.dtypes(&base).map_err(|e| e.to_string())?;
    points
        .iter()
        .map(|p| {
            let values = usize::try_from(p.point)
                .ok()
                .and_then(|i| plan.points.get(i))
                .ok_or_else(|| {
                    format!(
                        "{} has point {}, but its [sweep] makes points 0 to {}",
                        summary.display(),
                        p.point,
                        n.saturating_sub(1)
                    )
                })?;
            let run = plan.run(p.point.saturating_mul(reps));
            let s = plan
                .scenario(&base, &run)
                .map_err(|e| format!("sweep point {}: {e}", p.point))?;
            for ((path, (v, dtype)), written) in plan
                .paths
                .iter()
                .zip(values.iter().zip(&dtypes))
                .zip(&p.values)
            {
                // As the sweep wrote it: NaN where the point does not use the field.
                let cell = Plan::cell_at(v, *dtype, s.idle(path).is_some());
                if cell != *written {
                    return Err(format!(
                        "its [sweep] gives `{path}` = {cell:?} at point {}, but {} says \
                         {written:?}: the files are of different sweeps",
                        p.point,
                        summary.display()
                    ));
                }
            }
            Ok(plan.paths.iter().map(|k| s.idle(k).is_none()).collect())
        })
        .collect()
}

fn read_sensitivity(path: &Path) -> Result<Vec<SensitivityRow>, ResultsError> {
    let t = Table::read(path)?;
    t.require(&["metric", "factor", "index", "value", "ci_low", "ci_high"])?;
    (0..t.rows.len())
        .map(|i| {
            let finite = |name: &str| -> Result<Option<f64>, ResultsError> {
                Ok(t.number(i, name)?.filter(|v| v.is_finite()))
            };
            Ok(SensitivityRow {
                metric: t.text(i, "metric")?.trim().to_string(),
                factor: t.text(i, "factor")?.trim().to_string(),
                index: t.text(i, "index")?.trim().to_string(),
                value: finite("value")?,
                interval: finite("ci_low")?.zip(finite("ci_high")?),
            })
        })
        .collect()
}

/// The columns of `sweep_curve.csv` the chart reads (the swept fields' are ignored:
/// `point` says which point a row is of).
const CURVE_COLUMNS: [&str; 13] = [
    "point",
    "bin",
    "cs_low",
    "cs_mid",
    "cs_high",
    "runs",
    "observations",
    "stayed",
    "retention",
    "retention_low",
    "retention_high",
    "f_theory",
    "cl_theory",
];

fn read_curve(path: &Path, points: usize) -> Result<Vec<SweepCurveBin>, ResultsError> {
    let t = Table::read(path)?;
    t.require(&CURVE_COLUMNS)?;
    // A curve has a few dozen bins at most; far more rows than the points could have
    // are not a sweep's curves (and would take their memory in the chart).
    let at_most = points.saturating_mul(1000).max(1000);
    if t.rows.len() > at_most {
        return Err(malformed(
            path,
            format!(
                "{} rows for {points} points: expected at most 1000 bins a point",
                t.rows.len()
            ),
        ));
    }
    (0..t.rows.len())
        .map(|i| {
            let cs = |name: &str| -> Result<f64, ResultsError> {
                match t.number(i, name)? {
                    Some(v) if (1.0..=5.0).contains(&v) => Ok(v),
                    v => Err(malformed(
                        path,
                        format!(
                            "row {}: `{name}` = {}: expected a CS from 1 to 5",
                            i + 1,
                            v.map_or("empty".into(), |v| v.to_string())
                        ),
                    )),
                }
            };
            let low = t.share(i, "retention_low")?;
            let high = t.share(i, "retention_high")?;
            Ok(SweepCurveBin {
                point: t.whole(i, "point")?,
                bin: t.whole(i, "bin")?,
                cs_low: cs("cs_low")?,
                cs_mid: cs("cs_mid")?,
                cs_high: cs("cs_high")?,
                runs: t.whole(i, "runs")?,
                observations: t.whole(i, "observations")?,
                stayed: t.whole(i, "stayed")?,
                retention: t.share(i, "retention")?,
                interval: low.zip(high),
                f_theory: t.share(i, "f_theory")?,
                cl_theory: t.share(i, "cl_theory")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "point,constraint.r,bin,cs_low,cs_mid,cs_high,runs,observations,\
                          stayed,retention,retention_low,retention_high,f_theory,cl_theory\n";

    #[test]
    fn curve_rows_are_read_by_name_with_empty_retentions_missing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CURVE);
        std::fs::write(
            &path,
            format!(
                "{HEADER}0,none,0,1.0,1.125,1.25,4,100,60,0.6,0.5,0.69,0.1,0.1\n\
                 0,none,1,1.25,1.375,1.5,4,0,0,,,,0.1,\n"
            ),
        )
        .unwrap();
        let bins = read_curve(&path, 1).unwrap();
        assert_eq!(bins.len(), 2);
        assert_eq!(bins[0].interval, Some((0.5, 0.69)));
        assert_eq!(
            (bins[1].bin, bins[1].retention, bins[1].cl_theory),
            (1, None, None)
        );
    }

    #[test]
    fn bad_curve_cells_are_refused_naming_the_row_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CURVE);
        for (row, needle) in [
            (
                "0,none,0,1.0,7.0,1.25,4,100,60,0.6,0.5,0.69,0.1,0.1",
                "`cs_mid` = 7",
            ),
            (
                "0,none,0,1.0,1.1,1.25,4,100,60,1.6,0.5,0.69,0.1,0.1",
                "`retention` = 1.6",
            ),
            (
                "x,none,0,1.0,1.1,1.25,4,100,60,0.6,0.5,0.69,0.1,0.1",
                "`point`",
            ),
            (
                "0,none,0,1.0,NaN,1.25,4,100,60,0.6,0.5,0.69,0.1,0.1",
                "`cs_mid` = NaN",
            ),
        ] {
            std::fs::write(&path, format!("{HEADER}{row}\n")).unwrap();
            let e = read_curve(&path, 1).unwrap_err().to_string();
            assert!(e.contains("row 1") && e.contains(needle), "{e}");
        }
        std::fs::write(&path, "point,bin\n0,0\n").unwrap();
        let e = read_curve(&path, 1).unwrap_err().to_string();
        assert!(
            e.contains("sweep_curve.csv") && e.contains("`cs_low`"),
            "{e}"
        );
    }

    #[test]
    fn a_folder_without_a_manifest_is_not_a_sweep() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!is_sweep_folder(dir.path()));
        let e = SweepFolder::read(dir.path()).unwrap_err().to_string();
        assert!(
            e.contains("not a sweep results folder") && e.contains(MANIFEST),
            "{e}"
        );
    }
}
