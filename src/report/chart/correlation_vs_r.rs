//! `correlation_vs_r`: how the correlation of satisfaction with staying falls as the
//! constraint R rises, one point per run or sweep point, with its 95% interval ("from
//! unrelated, to very weakly, to weakly related" as constraints weaken).
//!
//! R is the mean effective R (`mean_r_eff`), which equals R in the reduced form and is
//! what the structural form implies, so both forms share an axis. Points with an
//! infinite R go in a column marked ∞ at the right. Points are grouped into lines by the
//! form of the constraint, when it differs between them, and by whatever else differs
//! apart from the constraint, so a sweep of R in several markets gives one line per
//! market and reduced and structural points are told apart.
//!
//! The intervals: for a run, the Fisher z interval of the correlation over the run's
//! decisions, `tanh(atanh(r) ± 1.96/√(n − 3))`, which treats the decisions as
//! independent (a customer decides every period, so the true interval is somewhat
//! wider: read it as the sampling error of one run at most); for a sweep point, the 95%
//! t-interval of the mean over its replications (`sweep_summary.csv`), which takes in
//! the seed-to-seed variation.

use super::Chart;
use super::compare::Comparison;
use super::layout::{
    self, Align, Axis, Entry, Frame, Key, Legend, Rect, Shape, draw_axes, draw_grid, header,
    nice_step, number, plot_rect, text,
};
use super::results::RunFolder;
use super::retention_curve::inner;
use super::series::{Look, dodge, place};
use super::style::{Style, palette, pt};
use super::sweep::SweepFolder;
use super::words;
use crate::parameter::Design;
use crate::stats::fisher_interval;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One run or sweep point on the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct RunPoint {
    /// Mean effective R; may be infinite.
    pub r: f64,
    pub correlation: f64,
    /// The 95% interval of the correlation, when known.
    pub interval: Option<(f64, f64)>,
}

/// Correlation of CS with staying against R, in groups of runs.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrelationVsR {
    pub frame: Frame,
    /// `(label, points)`; a single group may have an empty label (no legend).
    pub groups: Vec<(String, Vec<RunPoint>)>,
    /// Runs left out for want of a correlation: nobody left (an infinite R), so staying
    /// does not vary.
    pub left_out: usize,
    /// What the points are: "run", "point".
    pub unit: &'static str,
    /// What the intervals are, for the legend.
    pub interval_label: String,
    /// Whether a group's points are joined by a line (levels of a design, not draws).
    pub lines: bool,
}

/// A numeric axis over `low..high`, with a column one step beyond it marked ∞ when
/// some value is infinite; returns the axis and where ∞ sits on it.
pub(super) fn infinity_axis(
    title: impl Into<String>,
    low: f64,
    high: f64,
    any_infinite: bool,
) -> (Axis, f64) {
    let span = (high - low).max(if low == 0.0 {
        0.5
    } else {
        low.abs() * 0.1 + 1e-9
    });
    let step = nice_step(span, 5);
    let x_low = ((low / step).floor() * step).min(low);
    let x_high_finite = ((high / step - 1e-9).ceil() * step).max(x_low + step);
    let infinity_at = x_high_finite + step;
    let mut x = Axis::linear(title, x_low, x_high_finite, 5, number);
    if any_infinite {
        x.high = infinity_at + step * 0.5;
        x.ticks.push((infinity_at, "∞".into()));
    }
    // Points at the ends stand off the frame.
    let pad = (x.high - x.low) * 0.02;
    x.low -= pad;
    if !any_infinite {
        x.high += pad;
    }
    (x, infinity_at)
}

impl CorrelationVsR {
    pub const NAME: &'static str = "correlation_vs_r";
    pub const TITLE: &'static str = "Satisfaction predicts staying less as constraints rise";

    pub fn from_runs(runs: &[RunFolder], comparison: &Comparison, frame: Frame) -> CorrelationVsR {
        // The form tells reduced and structural runs apart; other fields of the
        // constraint are what moves R along the axis.
        let other: Vec<usize> = comparison
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                f.as_str() == "constraint.form"
                    || (!words::shapes_constraint(f) && f.as_str() != "seed")
            })
            .map(|(i, _)| i)
            .collect();
        let scenario = runs.first().map(|r| r.scenario.clone()).unwrap_or_default();
        let mut groups: Vec<(String, Vec<RunPoint>)> = Vec::new();
        let mut left_out = 0;
        for (run, values) in runs.iter().zip(&comparison.values) {
            let (Some(r), Some(correlation)) =
                (run.summary.mean_r_eff, run.summary.correlation_cs_staying)
            else {
                left_out += 1;
                continue;
            };
            let label = words::capitalised(
                &other
                    .iter()
                    .map(|&i| words::labelled(&comparison.fields[i], &values[i], &scenario))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            let interval = run
                .summary
                .decisions
                .and_then(|n| fisher_interval(correlation, n));
            let point = RunPoint {
                r,
                correlation,
                interval,
            };
            match groups.iter_mut().find(|(l, _)| *l == label) {
                Some((_, points)) => points.push(point),
                None => groups.push((label, vec![point])),
            }
        }
        for (_, points) in &mut groups {
            points.sort_by(|a, b| a.r.total_cmp(&b.r));
        }
        CorrelationVsR {
            frame,
            groups,
            left_out,
            unit: "run",
            interval_label: "95% interval (Fisher z over the run's decisions)".into(),
            lines: true,
        }
    }

    /// One point per sweep point, against its mean effective R, or why there is none
    /// (R is the same at every point).
    pub fn from_sweep(folder: &SweepFolder, frame: Frame) -> Result<CorrelationVsR, String> {
        let rs: Vec<f64> = folder
            .points
            .iter()
            .filter_map(|p| p.mean("mean_r_eff"))
            .collect();
        if rs.is_empty() {
            return Err("no point has an effective R (sweep_summary.csv: mean_r_eff_mean)".into());
        }
        if rs.iter().all(|r| *r == rs[0]) {
            return Err(format!(
                "the effective R is {} at every point: the sweep does not vary the constraint",
                super::retention_curve::short(rs[0])
            ));
        }
        let forms: Vec<String> = (0..folder.points.len()).map(|i| folder.form(i)).collect();
        let other: Vec<usize> = folder
            .varying()
            .into_iter()
            .filter(|&k| !words::shapes_constraint(&folder.paths[k]) && folder.paths[k] != "seed")
            .collect();
        let mut groups: Vec<(String, Vec<RunPoint>)> = Vec::new();
        let mut left_out = 0;
        for (i, p) in folder.points.iter().enumerate() {
            let (Some(r), Some(correlation)) =
                (p.mean("mean_r_eff"), p.mean("correlation_cs_staying"))
            else {
                left_out += 1;
                continue;
            };
            let mut parts = vec![words::value("constraint.form", &forms[i])];
            parts.extend(
                other
                    .iter()
                    .filter(|&&k| folder.applies[i][k])
                    .map(|&k| words::labelled(&folder.paths[k], &p.values[k], &folder.scenario)),
            );
            let label = words::capitalised(&parts.join(", "));
            let point = RunPoint {
                r,
                correlation,
                interval: p.interval("correlation_cs_staying"),
            };
            match groups.iter_mut().find(|(l, _)| *l == label) {
                Some((_, points)) => points.push(point),
                None => groups.push((label, vec![point])),
            }
        }
        for (_, points) in &mut groups {
            points.sort_by(|a, b| a.r.total_cmp(&b.r));
        }
        if groups.len() > super::MAX_SERIES {
            return Err(format!(
                "the points fall into {} series (one per value of the fields that do not                  shape the constraint), more than the {} a chart tells apart; the metric                  charts show them",
                groups.len(),
                super::MAX_SERIES
            ));
        }
        Ok(CorrelationVsR {
            frame,
            groups,
            left_out,
            unit: "point",
            interval_label: format!(
                "95% t-interval over the point's {}",
                if folder.sweep.replications == 1 {
                    "replication (none with one)".to_string()
                } else {
                    format!("{} replications", folder.sweep.replications)
                }
            ),
            lines: matches!(folder.sweep.design, Design::Grid | Design::Zip),
        })
    }
}

impl Chart for CorrelationVsR {
    const NAME: &'static str = CorrelationVsR::NAME;

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> layout::Drawn<DB> {
        let area = inner(root, style);
        let mut top = area.top + header(root, style, &self.frame, area)? + style.px(8.0);
        let points = || self.groups.iter().flat_map(|(_, p)| p.iter());
        let finite_max = points()
            .map(|p| p.r)
            .filter(|r| r.is_finite())
            .fold(0.0, f64::max);
        let finite_min = points()
            .map(|p| p.r)
            .filter(|r| r.is_finite())
            .fold(0.0, f64::min);
        let any_infinite = points().any(|p| p.r.is_infinite());
        let title = match self.unit {
            "run" => "Constraint strength R (run mean of effective R)".to_string(),
            _ => "Constraint strength R (mean effective R of the point's runs)".to_string(),
        };
        let (x, infinity_at) = infinity_axis(title, finite_min, finite_max, any_infinite);
        let (c_low, c_high) = points().fold((0.0_f64, 0.0_f64), |(a, b), p| {
            let (lo, hi) = p.interval.unwrap_or((p.correlation, p.correlation));
            (a.min(p.correlation).min(lo), b.max(p.correlation).max(hi))
        });
        let y_step = nice_step((c_high - c_low).max(0.05), 5);
        let y_low = (c_low / y_step).floor() * y_step;
        let y_high = ((c_high * 1.05 / y_step).ceil() * y_step).max(y_low + y_step);
        let y = Axis::linear(
            "Correlation of CS with staying (Pearson r)",
            y_low,
            y_high,
            5,
            number,
        );
        let named = self.groups.iter().any(|(l, _)| !l.is_empty());
        let mut entries: Vec<Entry> = if named {
            self.groups
                .iter()
                .enumerate()
                .map(|(i, (label, _))| Entry {
                    label: label.clone(),
                    key: Look::nth(i).key(),
                })
                .collect()
        } else {
            Vec::new()
        };
        if points().any(|p| p.interval.is_some()) {
            entries.push(Entry {
                label: self.interval_label.clone(),
                key: Key::Interval {
                    color: palette::INK,
                    shape: Shape::Circle,
                },
            });
        }
        let legend = Legend {
            heading_room: 0.0,
            heading: None,
            entries,
        };
        let probe = plot_rect(style, Rect { top, ..area }, Some(&x), &y);
        legend.draw(root, style, probe.left, top, area.right - probe.left)?;
        let legend_h = legend.height(style, area.right - probe.left);
        top += legend_h + if legend_h > 0 { style.px(6.0) } else { 0 };
        if self.left_out > 0 {
            let note = format!(
                "Not shown: {} {}{} where nobody left, so staying has no correlation with CS",
                self.left_out,
                self.unit,
                if self.left_out == 1 { "" } else { "s" }
            );
            top += style.size.px(pt::ANNOTATION) as i32;
            text(
                root,
                style,
                &note,
                pt::ANNOTATION,
                palette::MUTED,
                (probe.left, top),
                Align::Left,
            )?;
            top += style.px(6.0);
        }
        top += style.px(4.0);
        let rect = plot_rect(style, Rect { top, ..area }, Some(&x), &y);
        draw_grid(root, style, rect, &x, &y, layout::Grid { x: true, y: true })?;
        let step_px = x
            .ticks
            .windows(2)
            .map(|w| {
                place(w[1].0, x.low, x.high, rect.left, rect.right)
                    - place(w[0].0, x.low, x.high, rect.left, rect.right)
            })
            .min()
            .unwrap_or(rect.width());
        let n = self.groups.len();
        let py = |v: f64| place(v, y.low, y.high, rect.bottom, rect.top);
        let px = |i: usize, p: &RunPoint| {
            let r = if p.r.is_infinite() { infinity_at } else { p.r };
            (
                place(r, x.low, x.high, rect.left, rect.right) + dodge(style, i, n, step_px / 8),
                py(p.correlation),
            )
        };
        let lines: Vec<Vec<Option<(i32, i32)>>> = self
            .groups
            .iter()
            .enumerate()
            .map(|(i, (_, group))| {
                group
                    .iter()
                    .filter(|p| self.lines && p.r.is_finite())
                    .map(|p| Some(px(i, p)))
                    .collect()
            })
            .collect();
        for (i, points) in lines.iter().enumerate() {
            Look::nth(i).draw_halo(root, style, points)?;
        }
        for (i, points) in lines.iter().enumerate() {
            Look::nth(i).draw_line(root, style, points)?;
        }
        for (i, (_, group)) in self.groups.iter().enumerate() {
            for p in group {
                let interval = p.interval.map(|(lo, hi)| (py(lo), py(hi)));
                Look::nth(i).draw_point(root, style, px(i, p), interval)?;
            }
        }
        if self.groups.is_empty() {
            text(
                root,
                style,
                "No run has both an R and a correlation (a correlation needs someone to leave).",
                pt::ANNOTATION,
                palette::MUTED,
                ((rect.left + rect.right) / 2, (rect.top + rect.bottom) / 2),
                Align::Center,
            )?;
        }
        draw_axes(root, style, rect, &x, true, &y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infinite_values_get_a_column_beyond_the_finite_axis() {
        let (x, at) = infinity_axis("R", 0.0, 2.0, true);
        assert!(at > 2.0 && at < x.high);
        assert_eq!(x.ticks.last().map(|(_, l)| l.as_str()), Some("∞"));
        let (x, _) = infinity_axis("price", 3.0, 5.0, false);
        assert!(x.low <= 3.0 && x.high >= 5.0 && x.high < 7.0, "{x:?}");
        assert!(!x.ticks.iter().any(|(_, l)| l == "∞"));
    }
}
