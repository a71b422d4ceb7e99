//! `correlation_vs_r`: how the correlation of satisfaction with staying falls as the
//! constraint R rises, one point per run ("from unrelated, to very weakly, to weakly
//! related" as constraints weaken).
//!
//! R is the run's mean effective R (`mean_r_eff` of `summary.json`), which equals R in
//! the reduced form and is what the structural form implies, so both forms share an
//! axis. Runs with an infinite R go in a column marked ∞ at the right. Runs are grouped
//! into lines by whatever differs between them apart from the constraint, so a sweep
//! of R in several markets gives one line per market.

use super::Chart;
use super::compare::Comparison;
use super::layout::{
    self, Align, Axis, Entry, Frame, Key, Legend, Rect, Shape, draw_axes, draw_grid, header,
    nice_step, number, plot_rect, scale, text,
};
use super::results::RunFolder;
use super::retention_curve::inner;
use super::style::{Style, line, palette, pt};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One run on the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct RunPoint {
    /// Mean effective R; may be infinite.
    pub r: f64,
    pub correlation: f64,
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
}

impl CorrelationVsR {
    pub const NAME: &'static str = "correlation_vs_r";
    pub const TITLE: &'static str = "Satisfaction predicts staying less as constraints rise";

    pub fn from_runs(runs: &[RunFolder], comparison: &Comparison, frame: Frame) -> CorrelationVsR {
        let other: Vec<usize> = comparison
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| !f.starts_with("constraint.") && f.as_str() != "seed")
            .map(|(i, _)| i)
            .collect();
        let mut groups: Vec<(String, Vec<RunPoint>)> = Vec::new();
        let mut left_out = 0;
        for (run, values) in runs.iter().zip(&comparison.values) {
            let (Some(r), Some(correlation)) =
                (run.summary.mean_r_eff, run.summary.correlation_cs_staying)
            else {
                left_out += 1;
                continue;
            };
            let label = other
                .iter()
                .map(|&i| format!("{} = {}", comparison.fields[i], values[i]))
                .collect::<Vec<_>>()
                .join(", ");
            let point = RunPoint { r, correlation };
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
        }
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
        let any_infinite = points().any(|p| p.r.is_infinite());
        let step = nice_step(finite_max.max(0.5), 5);
        let x_high_finite = ((finite_max * 1.05 / step).ceil() * step).max(step);
        // Infinite R sits one step beyond the finite axis, under a tick marked ∞.
        let infinity_at = x_high_finite + step;
        let x_high = if any_infinite {
            infinity_at + step * 0.5
        } else {
            x_high_finite
        };
        let mut x = Axis::linear(
            "Constraint strength R (run mean of effective R)",
            0.0,
            x_high_finite,
            5,
            number,
        );
        x.high = x_high;
        if any_infinite {
            x.ticks.push((infinity_at, "∞".into()));
        }
        let (c_low, c_high) = points().fold((0.0_f64, 0.0_f64), |(a, b), p| {
            (a.min(p.correlation), b.max(p.correlation))
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
        let legend = Legend {
            heading_room: 0.0,
            heading: None,
            entries: if named {
                self.groups
                    .iter()
                    .enumerate()
                    .map(|(i, (label, _))| Entry {
                        label: label.clone(),
                        key: Key::LineMarker {
                            color: palette::series(i),
                            shape: Shape::nth(i),
                        },
                    })
                    .collect()
            } else {
                Vec::new()
            },
        };
        let probe = plot_rect(style, Rect { top, ..area }, Some(&x), &y);
        legend.draw(root, style, probe.left, top, area.right - probe.left)?;
        let legend_h = legend.height(style, area.right - probe.left);
        top += legend_h + if legend_h > 0 { style.px(6.0) } else { 0 };
        if self.left_out > 0 {
            let note = format!(
                "Not shown: {} run{} where nobody left, so staying has no correlation with CS",
                self.left_out,
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
        let px = |p: &RunPoint| {
            let r = if p.r.is_infinite() { infinity_at } else { p.r };
            (
                scale(r, x.low, x.high, rect.left, rect.right),
                scale(p.correlation, y.low, y.high, rect.bottom, rect.top),
            )
        };
        for (i, (_, group)) in self.groups.iter().enumerate() {
            let color = palette::series(i);
            let finite: Vec<Option<(i32, i32)>> = group
                .iter()
                .filter(|p| p.r.is_finite())
                .map(|p| Some(px(p)))
                .collect();
            layout::polyline(root, &finite, color, style.px(line::DATA))?;
            for p in group {
                layout::marker(
                    root,
                    Shape::nth(i),
                    px(p),
                    style.px(line::MARKER * 1.2),
                    color,
                )?;
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
