//! `retention_curves`: the Jones & Sasser figure over several runs, one observed
//! retention curve per run (per market, or per level of a varied parameter such as the
//! constraint strength) on the same zones.
//!
//! The zones are those of the first run's loyalty curve when every run has the same
//! ones, otherwise the defaults (see `retention_curve`).

use super::Chart;
use super::compare::Comparison;
use super::layout::{self, Entry, Frame, Key, Legend, Rect, Shape, draw_axes, draw_grid, header, plot_rect, scale};
use super::results::{CurveBin, RunFolder};
use super::retention_curve::{
    ZoneLabels, Zones, cs_axis, draw_bins, inner, retention_axis, shade_zones,
};
use super::style::{Style, line, palette};
use crate::scenario::Loyalty;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One run's observed curve.
#[derive(Debug, Clone, PartialEq)]
pub struct CurveSeries {
    pub label: String,
    pub bins: Vec<CurveBin>,
}

/// Observed retention curves of several runs.
#[derive(Debug, Clone, PartialEq)]
pub struct RetentionCurves {
    pub frame: Frame,
    /// What the series labels are values of (the legend's heading), if one thing.
    pub heading: Option<String>,
    pub series: Vec<CurveSeries>,
    pub zones: Zones,
}

impl RetentionCurves {
    pub const NAME: &'static str = "retention_curves";
    pub const TITLE: &'static str = "Retention across the zones of satisfaction, by run";

    pub fn from_runs(runs: &[RunFolder], comparison: &Comparison, frame: Frame) -> RetentionCurves {
        let same_zones = runs
            .windows(2)
            .all(|w| Zones::of(&w[0].scenario.loyalty) == Zones::of(&w[1].scenario.loyalty));
        let zones = match runs.first() {
            Some(r) if same_zones => Zones::of(&r.scenario.loyalty),
            _ => Zones::of(&Loyalty::default()),
        };
        RetentionCurves {
            frame,
            heading: comparison.heading.clone(),
            series: runs
                .iter()
                .zip(&comparison.labels)
                .map(|(r, label)| CurveSeries {
                    label: label.clone(),
                    bins: r.curve.clone(),
                })
                .collect(),
            zones,
        }
    }
}

impl Chart for RetentionCurves {
    const NAME: &'static str = RetentionCurves::NAME;

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> layout::Drawn<DB> {
        let area = inner(root, style);
        let mut top = area.top + header(root, style, &self.frame, area)? + style.px(8.0);
        let (x, y) = (cs_axis(), retention_axis());
        let legend = Legend {
            heading: self.heading.as_ref().map(|h| format!("{h}:")),
            entries: self
                .series
                .iter()
                .enumerate()
                .map(|(i, s)| Entry {
                    label: s.label.clone(),
                    key: Key::LineMarker {
                        color: palette::series(i),
                        shape: Shape::nth(i),
                    },
                })
                .collect(),
        };
        let probe = plot_rect(root, style, Rect { top, ..area }, Some(&x), &y);
        legend.draw(root, style, probe.left, top, area.right - probe.left)?;
        top += legend.height(root, style, area.right - probe.left) + style.px(4.0);
        let mut rect = plot_rect(root, style, Rect { top, ..area }, Some(&x), &y);
        let labels = ZoneLabels::place(root, style, rect, &self.zones);
        rect.top += labels.height(style);

        shade_zones(root, style, rect, &self.zones)?;
        draw_grid(root, style, rect, &x, &y, layout::Grid { x: false, y: true })?;
        labels.draw(root, style, rect.top)?;
        for (i, s) in self.series.iter().enumerate() {
            let color = palette::series(i);
            let px: Vec<Option<(i32, i32)>> = s
                .bins
                .iter()
                .filter(|b| b.observations > 0)
                .map(|b| {
                    b.retention.map(|r| {
                        (
                            scale(b.cs, 1.0, 5.0, rect.left, rect.right),
                            scale(r * 100.0, 0.0, 100.0, rect.bottom, rect.top),
                        )
                    })
                })
                .collect();
            layout::polyline(root, &px, color, style.px(line::DATA))?;
            draw_bins(root, style, rect, &s.bins, color, Shape::nth(i), true)?;
        }
        draw_axes(root, style, rect, Some(&x), &y)
    }
}
