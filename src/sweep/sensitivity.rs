//! The analysis of a sensitivity design (`design = "morris"` or `"sobol"`), computed from
//! `sweep.csv` once every run is in, the same way for a single process and a merge.
//!
//! Each point's output is the mean of its replications' metric (the model is
//! stochastic; the replicates of a point differ in their seeds alone, and the points of
//! one base sample or trajectory share those seeds, so the differences the indices are
//! made of are not seed noise). Beside the indices, `sensitivity.csv` says how much of
//! each metric's variance across runs is seed noise (the mean variance within a point
//! over the variance of every run), and the analysis warns when the intervals are too
//! wide to tell the two leading factors apart, or when noise dominates.

use crate::parameter::{Analysis, AnalysisKind, Plan};
use crate::report::columns::{Cell, push_csv_record};
use crate::scenario::ScenarioError;
use crate::sensitivity::Index;
use std::io;
use std::path::Path;

/// Refuses the metrics of a sensitivity design (`sweep.metrics`) when one is not in the
/// metric table, naming the entry (`sweep.metrics[1]`). The plan checks the rest of the
/// `[sweep]` table (`crate::parameter::Plan::size`) but sits below `report`, whose
/// table this is; `loyalsim sweep` calls this before making the plan, `run` again.
pub fn check_metrics(metrics: &[String]) -> Result<(), ScenarioError> {
    match metrics
        .iter()
        .enumerate()
        .find(|(_, m)| crate::report::metrics::find(m).is_none())
    {
        Some((i, m)) => Err(ScenarioError::Invalid {
            source_name: "sweep".into(),
            path: format!("sweep.metrics[{i}]"),
            value: format!("{m:?}"),
            expected: format!("one of {}", crate::report::metrics::names()),
        }),
        None => Ok(()),
    }
}

/// The indices of every metric, with the seed-noise shares and the warnings.
#[derive(Debug, Clone, PartialEq)]
pub struct Study {
    /// `(metric, index)`, metric by metric in the order asked for.
    pub indices: Vec<(String, Index)>,
    /// `(metric, share of the variance across runs that is seed noise)`; `None` with
    /// one replication.
    pub noise: Vec<(String, Option<f64>)>,
    pub warnings: Vec<String>,
}

/// Running sums of one metric at one point.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    n: u64,
    sum: f64,
    sum_sq: f64,
}

impl Sums {
    fn add(&mut self, x: f64) {
        self.n += 1;
        self.sum += x;
        self.sum_sq += x * x;
    }
    fn mean(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.sum / self.n as f64
        }
    }
    /// Sample variance; needs two values.
    fn variance(&self) -> Option<f64> {
        (self.n >= 2).then(|| {
            let n = self.n as f64;
            ((self.sum_sq - self.sum * self.sum / n) / (n - 1.0)).max(0.0)
        })
    }
}

/// Reads `sweep.csv` and analyses every metric the design asks for.
pub fn analyze(sweep_csv: &Path, plan: &Plan, analysis: &Analysis) -> io::Result<Study> {
    let mut reader = csv::Reader::from_path(sweep_csv)?;
    let header = reader.headers()?.clone();
    let columns: Vec<usize> = analysis
        .metrics
        .iter()
        .map(|m| {
            header
                .iter()
                .position(|h| h == m)
                .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, format!("no column {m}")))
        })
        .collect::<io::Result<_>>()?;
    let points = plan.points.len();
    let mut sums = vec![vec![Sums::default(); points]; columns.len()];
    let mut all = vec![Sums::default(); columns.len()];
    for row in reader.records() {
        let row = row?;
        let point: usize = row
            .get(1)
            .and_then(|p| p.parse().ok())
            .filter(|&p| p < points)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "a row without its point"))?;
        for (m, &c) in columns.iter().enumerate() {
            if let Some(x) = row.get(c).and_then(|v| v.parse::<f64>().ok())
                && x.is_finite()
            {
                sums[m][point].add(x);
                all[m].add(x);
            }
        }
    }
    let mut study = Study {
        indices: Vec::new(),
        noise: Vec::new(),
        warnings: Vec::new(),
    };
    for (m, metric) in analysis.metrics.iter().enumerate() {
        let y: Vec<f64> = sums[m].iter().map(Sums::mean).collect();
        let seed = crate::engine::seed::derive(plan.master_seed, &[0x414E_414C, m as u64]);
        let indices = match &analysis.kind {
            AnalysisKind::Sobol { second_order } => {
                crate::sensitivity::sobol::analyze(&y, &analysis.factors, *second_order, seed)
            }
            AnalysisKind::Morris(design) => design.analyze(&y, &analysis.factors, seed),
        };
        let within: Vec<f64> = sums[m].iter().filter_map(Sums::variance).collect();
        let noise = match (all[m].variance(), within.is_empty()) {
            (Some(total), false) if total > 0.0 => {
                Some((within.iter().sum::<f64>() / within.len() as f64 / total).min(1.0))
            }
            _ => None,
        };
        study.warnings.extend(warnings(
            metric,
            &analysis.kind,
            &indices,
            noise,
            all[m].variance(),
        ));
        study.noise.push((metric.clone(), noise));
        study
            .indices
            .extend(indices.into_iter().map(|i| (metric.clone(), i)));
    }
    Ok(study)
}

/// The index a factor is ranked by: ST (Sobol') or μ* (Morris).
fn ranking(kind: &AnalysisKind) -> &'static str {
    match kind {
        AnalysisKind::Sobol { .. } => "ST",
        AnalysisKind::Morris(_) => "mu_star",
    }
}

fn warnings(
    metric: &str,
    kind: &AnalysisKind,
    indices: &[Index],
    noise: Option<f64>,
    variance: Option<f64>,
) -> Vec<String> {
    let mut out = Vec::new();
    if variance.is_none_or(|v| v == 0.0) {
        out.push(format!(
            "{metric}: the metric does not vary across the runs, so no factor can be ranked by it"
        ));
        return out;
    }
    let by = ranking(kind);
    let mut ranked: Vec<&Index> = indices
        .iter()
        .filter(|i| i.index == by && i.value.is_finite())
        .collect();
    ranked.sort_by(|a, b| b.value.total_cmp(&a.value));
    if let [first, second, ..] = ranked[..]
        && first.ci_low <= second.ci_high
    {
        out.push(format!(
            "{metric}: the intervals of {} ({by} {:.3}, {:.3} to {:.3}) and {} ({:.3}, {:.3} to \
             {:.3}) overlap, so which of them moves it more is not settled: more samples or \
             replications are needed",
            first.factor,
            first.value,
            first.ci_low,
            first.ci_high,
            second.factor,
            second.value,
            second.ci_low,
            second.ci_high
        ));
    }
    if let Some(share) = noise
        && share > 0.5
    {
        out.push(format!(
            "{metric}: {:.0}% of its variance across runs is seed noise; more customers or \
             replications would sharpen the indices",
            100.0 * share
        ));
    }
    out
}

/// `sensitivity.csv`: metric, factor, index, value, ci_low, ci_high; the seed-noise
/// share of each metric as index `noise_share` of the factor `seed`.
pub fn write_csv(path: &Path, study: &Study) -> io::Result<()> {
    let mut out = b"metric,factor,index,value,ci_low,ci_high\n".to_vec();
    for (metric, i) in &study.indices {
        let finite = |x: f64| Cell::Float(x.is_finite().then_some(x));
        push_csv_record(
            &mut out,
            b"",
            [
                Cell::Text(metric.clone()),
                Cell::Text(i.factor.clone()),
                Cell::Text(i.index.to_string()),
                finite(i.value),
                finite(i.ci_low),
                finite(i.ci_high),
            ]
            .into_iter(),
        );
    }
    for (metric, share) in &study.noise {
        push_csv_record(
            &mut out,
            b"",
            [
                Cell::Text(metric.clone()),
                Cell::Text("seed".into()),
                Cell::Text("noise_share".into()),
                Cell::Float(*share),
                Cell::Float(None),
                Cell::Float(None),
            ]
            .into_iter(),
        );
    }
    std::fs::write(path, out)
}

/// The study as Markdown: a table per metric, factors by their ranking index.
pub fn markdown(study: &Study, kind: &AnalysisKind) -> String {
    let by = ranking(kind);
    let (title, columns): (&str, &[&str]) = match kind {
        AnalysisKind::Sobol { .. } => ("Sobol' indices", &["S1", "ST"]),
        AnalysisKind::Morris(_) => ("Morris elementary effects", &["mu_star", "mu", "sigma"]),
    };
    let mut out = format!(
        "\n## Sensitivity: {title}\n\nFactors ranked by {by}; 95% bootstrap intervals in \
         brackets. Seed noise is the share of a metric's variance across runs that the \
         replicates of one point show.\n"
    );
    let metrics: Vec<&String> = {
        let mut seen: Vec<&String> = Vec::new();
        for (m, _) in &study.indices {
            if !seen.contains(&m) {
                seen.push(m);
            }
        }
        seen
    };
    for metric in metrics {
        let noise = study
            .noise
            .iter()
            .find(|(m, _)| m == metric)
            .and_then(|(_, s)| *s)
            .map_or("n/a (one replication)".into(), |s| {
                format!("{:.1}%", 100.0 * s)
            });
        out.push_str(&format!(
            "\n### {metric} (seed noise {noise})\n\n| factor |"
        ));
        for c in columns {
            out.push_str(&format!(" {c} |"));
        }
        out.push_str(&format!("\n| --- |{}\n", " --- |".repeat(columns.len())));
        let of = |factor: &str, index: &str| {
            study
                .indices
                .iter()
                .find(|(m, i)| m == metric && i.factor == factor && i.index == index)
                .map(|(_, i)| i)
        };
        let mut factors: Vec<&Index> = study
            .indices
            .iter()
            .filter(|(m, i)| m == metric && i.index == by)
            .map(|(_, i)| i)
            .collect();
        factors.sort_by(|a, b| b.value.total_cmp(&a.value));
        for f in factors {
            out.push_str(&format!("| {} |", f.factor));
            for c in columns {
                let cell = of(&f.factor, c).map_or("n/a".into(), |i| {
                    format!("{:.3} [{:.3}, {:.3}]", i.value, i.ci_low, i.ci_high)
                });
                out.push_str(&format!(" {cell} |"));
            }
            out.push('\n');
        }
    }
    if !study.warnings.is_empty() {
        out.push_str("\nWarnings:\n\n");
        for w in &study.warnings {
            out.push_str(&format!("- {w}\n"));
        }
    }
    out
}
