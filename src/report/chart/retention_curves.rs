//! `retention_curves`: the Jones & Sasser figure over several runs, one observed
//! retention curve per run (per market, or per level of a varied parameter such as the
//! constraint strength) on the same zones.
//!
//! The zones are those of the first run's loyalty curve when every run has the same
//! ones, otherwise the defaults (see `retention_curve`).

use super::Chart;
use super::compare::Comparison;
use super::layout::{
    self, Entry, Frame, Key, Legend, Rect, Shape, draw_axes, header, plot_rect, scale,
};
use super::results::{CurveBin, RunFolder};
use super::retention_curve::{Zones, cs_axis, draw_bins, inner, retention_axis, zoned_panel};
use super::style::{Style, line, palette};
use crate::scenario::Loyalty;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One run's observed curve.
#[derive(Debug, Clone, PartialEq)]
pub struct CurveSeries {
    pub bins: Vec<CurveBin>,
    /// Index into [`RetentionCurves::colours`]: its colour and what it stands for.
    pub colour: usize,
    /// Index into the shape legend (or, without one, into the colour legend).
    pub shape: usize,
}

/// Observed retention curves of several runs.
#[derive(Debug, Clone, PartialEq)]
pub struct RetentionCurves {
    pub frame: Frame,
    pub series: Vec<CurveSeries>,
    /// What colours stand for: a heading (the varied field) and a label per colour.
    pub colours: (Option<String>, Vec<String>),
    /// What marker shapes stand for, when a second field varies; otherwise each colour
    /// has its own shape too.
    pub shapes: Option<(String, Vec<String>)>,
    pub zones: Zones,
}

impl RetentionCurves {
    pub const NAME: &'static str = "retention_curves";
    pub const TITLE: &'static str = "Retention across the zones of satisfaction, by run";

    /// One curve per run. With two varied fields, colour shows the first and marker
    /// shape the second; otherwise each run has its own colour and shape.
    pub fn from_runs(runs: &[RunFolder], comparison: &Comparison, frame: Frame) -> RetentionCurves {
        let same_zones = runs
            .windows(2)
            .all(|w| Zones::of(&w[0].scenario.loyalty) == Zones::of(&w[1].scenario.loyalty));
        let zones = match runs.first() {
            Some(r) if same_zones => Zones::of(&r.scenario.loyalty),
            _ => Zones::of(&Loyalty::default()),
        };
        if comparison.fields.len() == 2 {
            let (a, b) = (comparison.levels(0), comparison.levels(1));
            let series = runs
                .iter()
                .zip(&comparison.values)
                .map(|(r, v)| CurveSeries {
                    bins: r.curve.clone(),
                    colour: a.iter().position(|l| *l == v[0]).unwrap_or(0),
                    shape: b.iter().position(|l| *l == v[1]).unwrap_or(0),
                })
                .collect();
            return RetentionCurves {
                frame,
                series,
                colours: (Some(comparison.fields[0].clone()), a),
                shapes: Some((comparison.fields[1].clone(), b)),
                zones,
            };
        }
        RetentionCurves {
            frame,
            series: runs
                .iter()
                .enumerate()
                .map(|(i, r)| CurveSeries {
                    bins: r.curve.clone(),
                    colour: i,
                    shape: i,
                })
                .collect(),
            colours: (comparison.heading.clone(), comparison.labels.clone()),
            shapes: None,
            zones,
        }
    }

    fn legends(&self) -> Vec<Legend> {
        let heading = |h: &Option<String>| h.as_ref().map(|h| format!("{h}:"));
        let Some((shape_heading, shape_labels)) = &self.shapes else {
            return vec![Legend {
                heading_room: 0.0,
                heading: heading(&self.colours.0),
                entries: self
                    .colours
                    .1
                    .iter()
                    .enumerate()
                    .map(|(i, label)| Entry {
                        label: label.clone(),
                        key: Key::LineMarker {
                            color: palette::series(i),
                            shape: Shape::nth(i),
                        },
                    })
                    .collect(),
            }];
        };
        vec![
            Legend {
                heading_room: 0.0,
                heading: heading(&self.colours.0),
                entries: self
                    .colours
                    .1
                    .iter()
                    .enumerate()
                    .map(|(i, label)| Entry {
                        label: label.clone(),
                        key: Key::Line {
                            color: palette::series(i),
                            width: line::DATA,
                            dashed: false,
                        },
                    })
                    .collect(),
            },
            Legend {
                heading_room: 0.0,
                heading: Some(format!("{shape_heading}:")),
                entries: shape_labels
                    .iter()
                    .enumerate()
                    .map(|(i, label)| Entry {
                        label: label.clone(),
                        key: Key::Marker {
                            color: palette::MUTED,
                            shape: Shape::nth(i),
                        },
                    })
                    .collect(),
            },
        ]
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
        let probe = plot_rect(style, Rect { top, ..area }, Some(&x), &y);
        let width = area.right - probe.left;
        let mut legends = self.legends();
        Legend::align(&mut legends, style);
        for legend in legends {
            legend.draw(root, style, probe.left, top, width)?;
            top += legend.height(style, width);
        }
        top += style.px(4.0);
        let rect = zoned_panel(root, style, Rect { top, ..area }, &x, &y, &self.zones)?;
        for s in &self.series {
            let color = palette::series(s.colour);
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
            draw_bins(root, style, rect, &s.bins, color, Shape::nth(s.shape), true)?;
        }
        draw_axes(root, style, rect, &x, true, &y)
    }
}
