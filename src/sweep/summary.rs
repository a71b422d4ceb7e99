//! The per-point summary of a sweep, computed by streaming `sweep.csv`.
//!
//! Rows of one point are contiguous (run = point × replications + replicate), so the
//! summary needs memory for one point at a time, and a merged sweep's summary is the
//! same bytes as a single process's: both read the same `sweep.csv` in the same order.
//!
//! An infinite value (an effective R where nobody could leave) counts: the mean of a
//! point with one is infinite, and its spread undefined (missing), rather than the
//! value being dropped and the mean taken over the other runs, which would report a
//! finite R for a point where some run had an unbreakable constraint.

use crate::report::columns::{Cell, SUMMARY_STATS};
use crate::report::metrics;
use crate::stats::t_quantile;
use std::io;
use std::path::{Path, PathBuf};

/// Running statistics of one metric at one point.
#[derive(Debug, Clone, Copy, Default)]
struct Stat {
    /// Finite values.
    n: u64,
    sum: f64,
    sum_sq: f64,
    /// Values of +inf and of −inf.
    infinite: [u64; 2],
}

impl Stat {
    fn add(&mut self, x: f64) {
        if x.is_infinite() {
            self.infinite[(x < 0.0) as usize] += 1;
            return;
        }
        self.n += 1;
        self.sum += x;
        self.sum_sq += x * x;
    }

    /// (mean, sd, ci_low, ci_high); sd and interval need two values, all finite. With
    /// an infinite value the mean is that infinity (undefined with both signs).
    fn describe(&self) -> [Option<f64>; 4] {
        match self.infinite {
            [0, 0] => {}
            [_, 0] => return [Some(f64::INFINITY), None, None, None],
            [0, _] => return [Some(f64::NEG_INFINITY), None, None, None],
            _ => return [None; 4],
        }
        if self.n == 0 {
            return [None; 4];
        }
        let n = self.n as f64;
        let mean = self.sum / n;
        if self.n < 2 {
            return [Some(mean), None, None, None];
        }
        let var = ((self.sum_sq - n * mean * mean) / (n - 1.0)).max(0.0);
        let sd = var.sqrt();
        let half = t_quantile(self.n - 1) * sd / n.sqrt();
        [Some(mean), Some(sd), Some(mean - half), Some(mean + half)]
    }
}

/// One point's summary, kept for the Markdown table.
pub struct PointSummary {
    pub point: String,
    pub values: Vec<String>,
    pub runs: u64,
    /// Per metric: mean, sd, ci_low, ci_high.
    pub stats: Vec<[Option<f64>; 4]>,
}

/// Reads `sweep.csv` and writes `sweep_summary.csv`; returns the points for the table.
/// An error names the file it came from: reading one and writing the other fail for
/// different reasons, and a message must not blame the one for the other.
pub fn write(
    sweep_csv: &Path,
    summary_csv: &Path,
    n_paths: usize,
) -> Result<Vec<PointSummary>, (PathBuf, io::Error)> {
    let read = |e: csv::Error| (sweep_csv.to_path_buf(), io::Error::from(e));
    let write = |e: csv::Error| (summary_csv.to_path_buf(), io::Error::from(e));
    let mut reader = csv::Reader::from_path(sweep_csv).map_err(read)?;
    let header = reader.headers().map_err(read)?.clone();
    let paths: Vec<String> = header
        .iter()
        .skip(4)
        .take(n_paths)
        .map(String::from)
        .collect();
    let first_metric = 4 + n_paths;
    let mut writer = csv::Writer::from_path(summary_csv).map_err(write)?;
    let metrics: Vec<&str> = metrics::run().iter().map(|m| m.name).collect();
    let mut head: Vec<String> = vec!["point".into()];
    head.extend(paths.iter().cloned());
    head.push("runs".into());
    for m in &metrics {
        for (s, _) in SUMMARY_STATS {
            head.push(format!("{m}_{s}"));
        }
    }
    writer.write_record(&head).map_err(write)?;
    let mut points = Vec::new();
    let mut current: Option<(String, Vec<String>, u64, Vec<Stat>)> = None;
    let mut emit = |c: (String, Vec<String>, u64, Vec<Stat>),
                    w: &mut csv::Writer<std::fs::File>| {
        let stats: Vec<[Option<f64>; 4]> = c.3.iter().map(Stat::describe).collect();
        let mut rec = vec![c.0.clone()];
        rec.extend(c.1.iter().cloned());
        rec.push(c.2.to_string());
        for s in &stats {
            rec.extend(s.iter().map(|x| Cell::Float(*x).to_csv()));
        }
        points.push(PointSummary {
            point: c.0,
            values: c.1,
            runs: c.2,
            stats,
        });
        w.write_record(&rec)
    };
    for row in reader.records() {
        let row = row.map_err(read)?;
        let point = row.get(1).unwrap_or("").to_string();
        if current.as_ref().is_some_and(|c| c.0 != point) {
            emit(current.take().expect("checked"), &mut writer).map_err(write)?;
        }
        let c = current.get_or_insert_with(|| {
            let values = row.iter().skip(4).take(n_paths).map(String::from).collect();
            (
                point.clone(),
                values,
                0,
                vec![Stat::default(); metrics.len()],
            )
        });
        c.2 += 1;
        for (k, stat) in c.3.iter_mut().enumerate() {
            let cell = row.get(first_metric + k).unwrap_or("");
            // Empty is missing; `inf` parses as infinity.
            if let Some(x) = cell.parse::<f64>().ok().filter(|x| !x.is_nan()) {
                stat.add(x);
            }
        }
    }
    if let Some(c) = current.take() {
        emit(c, &mut writer).map_err(write)?;
    }
    writer.flush().map_err(|e| (summary_csv.to_path_buf(), e))?;
    Ok(points)
}

/// The Markdown table of a sweep: one row per point, the headline metrics' means.
pub fn markdown(name: &str, paths: &[String], points: &[PointSummary], runs: u64) -> String {
    let pct = |x: Option<f64>| x.map_or("n/a".into(), |v| format!("{:.1}%", 100.0 * v));
    let num = |x: Option<f64>| x.map_or("n/a".into(), |v| format!("{v:.3}"));
    let metrics = metrics::run();
    let idx = |m: &str| metrics.iter().position(|c| c.name == m).expect("a metric");
    let mut out = format!(
        "# {name}: sweep summary\n\n{runs} runs, {} points; means over replications, \
         95% t-interval for retention.\n\n",
        points.len()
    );
    let mut head: Vec<String> = paths.to_vec();
    head.extend(
        [
            "runs",
            "retention",
            "95% interval",
            "corr(CS, staying)",
            "hostage share",
            "satisfied-defector share",
            "effective R",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    out.push_str(&format!("| {} |\n", head.join(" | ")));
    out.push_str(&format!("|{}\n", " --- |".repeat(head.len())));
    for p in points {
        let r = p.stats[idx("retention")];
        let interval = match (r[2], r[3]) {
            (Some(a), Some(b)) => format!("{} – {}", pct(Some(a)), pct(Some(b))),
            _ => "n/a".into(),
        };
        // NaN: a field this point does not use (sweep.csv's "not applicable").
        let mut cells: Vec<String> = p
            .values
            .iter()
            .map(|v| {
                if v == "NaN" {
                    "—".to_string()
                } else {
                    v.clone()
                }
            })
            .collect();
        cells.push(p.runs.to_string());
        cells.push(pct(r[0]));
        cells.push(interval);
        cells.push(num(p.stats[idx("correlation_cs_staying")][0]));
        cells.push(pct(p.stats[idx("hostage_share")][0]));
        cells.push(pct(p.stats[idx("satisfied_defector_share")][0]));
        cells.push(num(p.stats[idx("mean_r_eff")][0]));
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_of_a_point() {
        let mut s = Stat::default();
        for x in [1.0, 2.0, 3.0] {
            s.add(x);
        }
        let [mean, sd, lo, hi] = s.describe();
        assert_eq!(mean, Some(2.0));
        assert!((sd.unwrap() - 1.0).abs() < 1e-12);
        assert!((hi.unwrap() - 2.0 - 4.303 / 3f64.sqrt()).abs() < 1e-9);
        assert!(lo.unwrap() < 2.0);
    }
}
