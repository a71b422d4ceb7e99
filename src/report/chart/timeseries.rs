//! `timeseries`: market share and retention per period of each firm, in two panels
//! over a shared period axis, with the events of the run marked where they fired.
//!
//! Events come from the optional `events` column of `timeseries.csv` (short texts such
//! as `enter:Challenger`); a period's events are gathered over its firms' rows.

use super::Chart;
use super::layout::{
    self, Align, Axis, Entry, Frame, Key, Legend, Rect, draw_axes, draw_grid, header, nice_step,
    number, plot_rect, scale, text, text_width,
};
use super::results::RunFolder;
use super::retention_curve::inner;
use super::style::{Style, line, palette, pt};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One firm's lines.
#[derive(Debug, Clone, PartialEq)]
pub struct FirmSeries {
    pub firm: String,
    /// `(period, share)`, share in [0, 1] or missing.
    pub share: Vec<(u32, Option<f64>)>,
    /// `(period, retention)`, retention in [0, 1] or missing.
    pub retention: Vec<(u32, Option<f64>)>,
}

/// Share and retention per firm over time.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeseries {
    pub frame: Frame,
    pub firms: Vec<FirmSeries>,
    /// `(period, what happened)`, in period order.
    pub events: Vec<(u32, String)>,
}

impl Timeseries {
    pub const NAME: &'static str = "timeseries";
    pub const TITLE: &'static str = "Market share and retention by firm";

    pub fn from_run(run: &RunFolder, frame: Frame) -> Timeseries {
        let mut firms: Vec<FirmSeries> = Vec::new();
        let mut events: Vec<(u32, String)> = Vec::new();
        for row in &run.timeseries {
            let i = match firms.iter().position(|f| f.firm == row.firm) {
                Some(i) => i,
                None => {
                    firms.push(FirmSeries {
                        firm: row.firm.clone(),
                        share: Vec::new(),
                        retention: Vec::new(),
                    });
                    firms.len() - 1
                }
            };
            firms[i].share.push((row.period, row.share));
            firms[i].retention.push((row.period, row.retention));
            if let Some(e) = &row.events {
                match events.iter_mut().find(|(p, _)| *p == row.period) {
                    Some((_, text)) if !text.split("; ").any(|t| t == e) => {
                        text.push_str("; ");
                        text.push_str(e);
                    }
                    Some(_) => {}
                    None => events.push((row.period, e.clone())),
                }
            }
        }
        events.sort_by_key(|(p, _)| *p);
        Timeseries {
            frame,
            firms,
            events,
        }
    }

    fn periods(&self) -> (f64, f64) {
        let all = self.firms.iter().flat_map(|f| f.share.iter().map(|(p, _)| *p));
        let (lo, hi) = all.fold((u32::MAX, 0), |(a, b), p| (a.min(p), b.max(p)));
        if lo > hi {
            (0.5, 1.5)
        } else if lo == hi {
            (lo as f64 - 0.5, hi as f64 + 0.5)
        } else {
            (lo as f64, hi as f64)
        }
    }
}

/// The period axis shared by the charts over time: ticks on whole periods only.
pub(super) fn period_axis(low: f64, high: f64) -> Axis {
    let mut axis = Axis::linear("Period (repurchase occasions)", low, high, 8, number);
    axis.ticks.retain(|(v, _)| v.fract() == 0.0);
    axis
}

/// An axis in percent from a round value below `min` (a share in [0, 1]) to 100.
fn percent_axis_to_100(title: &str, min: Option<f64>) -> Axis {
    let min = min.map_or(0.0, |m| m * 100.0);
    let step = nice_step(100.0 - min, 5);
    let low = ((min - step * 0.25) / step).floor().max(0.0) * step;
    Axis::linear(title, low.min(90.0), 100.0, 5, number)
}

/// An axis in percent from 0 to a round value above `max` (a share in [0, 1]).
fn percent_axis_from_0(title: &str, max: Option<f64>) -> Axis {
    let max = max.map_or(100.0, |m| m * 100.0);
    let step = nice_step(max.max(1.0), 5);
    let high = ((max * 1.04 / step).ceil() * step).clamp(step, 100.0);
    Axis::linear(title, 0.0, high, 5, number)
}

/// Event labels above the data, staggered into rows where they would touch.
struct EventLabels {
    placed: Vec<(i32, i32, usize, String)>,
    rows: usize,
}

impl EventLabels {
    fn place<DB: DrawingBackend>(
        root: &DrawingArea<DB, Shift>,
        style: &Style,
        rect: Rect,
        right: i32,
        x: &Axis,
        events: &[(u32, String)],
    ) -> EventLabels {
        let pad = style.px(6.0);
        let mut ends: Vec<i32> = Vec::new();
        let mut placed = Vec::new();
        for (period, what) in events {
            let at = scale(*period as f64, x.low, x.high, rect.left, rect.right);
            let w = text_width(root, style, what, pt::ANNOTATION);
            let cx = at.clamp(rect.left + w / 2, right - w / 2);
            let row = (0..)
                .find(|&r| ends.get(r).is_none_or(|&end| cx - w / 2 >= end + pad))
                .expect("a free row");
            if ends.len() <= row {
                ends.push(i32::MIN / 2);
            }
            ends[row] = cx + w / 2;
            placed.push((at, cx, row, what.clone()));
        }
        EventLabels {
            rows: ends.len(),
            placed,
        }
    }

    fn height(&self, style: &Style) -> i32 {
        if self.rows == 0 {
            0
        } else {
            (self.rows as f64 * style.size.px(pt::ANNOTATION) * 1.3 + style.size.px(3.0)) as i32
        }
    }
}

impl Chart for Timeseries {
    const NAME: &'static str = Timeseries::NAME;

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> layout::Drawn<DB> {
        let area = inner(root, style);
        let mut top = area.top + header(root, style, &self.frame, area)? + style.px(8.0);
        let (p0, p1) = self.periods();
        let x = period_axis(p0, p1);
        let shares = self.firms.iter().flat_map(|f| f.share.iter().filter_map(|(_, v)| *v));
        let retentions = self.firms.iter().flat_map(|f| f.retention.iter().filter_map(|(_, v)| *v));
        let y_share = percent_axis_from_0("Market share (%)", shares.fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v)))));
        let y_ret = percent_axis_to_100(
            "Retention per period (%)",
            retentions.fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.min(v)))),
        );
        let legend = Legend {
            heading: None,
            entries: self
                .firms
                .iter()
                .enumerate()
                .map(|(i, f)| Entry {
                    label: f.firm.clone(),
                    key: Key::Line {
                        color: palette::series(i),
                        width: line::DATA,
                        dashed: false,
                    },
                })
                .collect(),
        };
        // Both panels share their left edge: the wider of the two axes decides it.
        let probe_top = plot_rect(root, style, Rect { top, ..area }, None, &y_share);
        let probe_bottom = plot_rect(root, style, Rect { top, ..area }, Some(&x), &y_ret);
        let left = probe_top.left.max(probe_bottom.left);
        let right = probe_bottom.right;
        legend.draw(root, style, left, top, area.right - left)?;
        top += legend.height(root, style, area.right - left) + style.px(4.0);
        let probe = Rect {
            left,
            right,
            top,
            bottom: area.bottom,
        };
        let events = EventLabels::place(root, style, probe, area.right, &x, &self.events);
        top += events.height(style);

        let gap = style.px(14.0);
        let x_space = area.bottom - probe_bottom.bottom;
        let panel = (area.bottom - x_space - top - gap) / 2;
        let upper = Rect {
            left,
            right,
            top,
            bottom: top + panel,
        };
        let lower = Rect {
            left,
            right,
            top: upper.bottom + gap,
            bottom: upper.bottom + gap + panel,
        };

        let grid = layout::Grid { x: false, y: true };
        draw_grid(root, style, upper, &x, &y_share, grid)?;
        draw_grid(root, style, lower, &x, &y_ret, grid)?;

        // Events: a dashed line through both panels, the label above.
        let row_h = style.size.px(pt::ANNOTATION) * 1.3;
        for (at, cx, row, what) in &events.placed {
            let dash = (style.size.px(2.5), style.size.px(2.0));
            layout::dashed(
                root,
                &[(*at, upper.top), (*at, lower.bottom)],
                palette::MUTED,
                style.px(line::GRID * 1.5),
                dash,
            )?;
            let baseline = upper.top - style.px(4.0) - ((events.rows - 1 - row) as f64 * row_h) as i32;
            text(root, style, what, pt::ANNOTATION, palette::INK, (*cx, baseline), Align::Center)?;
        }

        let width = style.px(line::DATA);
        for (i, firm) in self.firms.iter().enumerate() {
            let color = palette::series(i);
            for (rect, series, axis) in [
                (upper, &firm.share, &y_share),
                (lower, &firm.retention, &y_ret),
            ] {
                let px: Vec<Option<(i32, i32)>> = series
                    .iter()
                    .map(|(p, v)| {
                        v.map(|v| {
                            (
                                scale(*p as f64, x.low, x.high, rect.left, rect.right),
                                scale(
                                    (v * 100.0).clamp(axis.low, axis.high),
                                    axis.low,
                                    axis.high,
                                    rect.bottom,
                                    rect.top,
                                ),
                            )
                        })
                    })
                    .collect();
                layout::polyline(root, &px, color, width)?;
                if series.len() == 1 {
                    if let Some(p) = px[0] {
                        layout::marker(root, layout::Shape::Circle, p, style.px(line::MARKER), color)?;
                    }
                }
            }
        }
        draw_axes(root, style, upper, None, &y_share)?;
        draw_axes(root, style, lower, Some(&x), &y_ret)
    }
}
