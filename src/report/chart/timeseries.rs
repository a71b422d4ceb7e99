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
use std::collections::HashMap;

/// The events of a run, `(period, what happened)` in period order: each period's
/// texts from the `events` column, gathered over its firms' rows without repeats.
pub(super) fn events_of(run: &RunFolder) -> Vec<(u32, String)> {
    let mut events: Vec<(u32, String)> = Vec::new();
    // Where each period is in `events`, so that many events cost no search each.
    let mut index: HashMap<u32, usize> = HashMap::new();
    for row in &run.timeseries {
        let Some(e) = &row.events else { continue };
        let at = index.get(&row.period).copied();
        if at.is_none() {
            index.insert(row.period, events.len());
        }
        // Every row of a period has the same cell, normally; a cell of several events
        // is compared event by event, so that none is added twice.
        match at.map(|i| &mut events[i].1) {
            Some(text) if text == e => {}
            Some(text) => {
                for one in e.split("; ") {
                    if !text.split("; ").any(|t| t == one) {
                        text.push_str("; ");
                        text.push_str(one);
                    }
                }
            }
            None => events.push((row.period, e.clone())),
        }
    }
    events.sort_by_key(|(p, _)| *p);
    events
}

/// `(period, value)` of one line, a share in [0, 1] or missing.
pub type Series = Vec<(u32, Option<f64>)>;

/// One firm's lines.
#[derive(Debug, Clone, PartialEq)]
pub struct FirmSeries {
    pub firm: String,
    /// Market share per period.
    pub share: Series,
    /// Retention per period.
    pub retention: Series,
}

/// Share and retention per firm over time.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeseries {
    pub frame: Frame,
    pub firms: Vec<FirmSeries>,
    /// `(period, what happened)`, in period order.
    pub events: Vec<(u32, String)>,
    /// First and last period of the run.
    pub periods: (u32, u32),
}

impl Timeseries {
    pub const NAME: &'static str = "timeseries";
    pub const TITLE: &'static str = "Market share and retention by firm";
    pub const TITLE_ONE_FIRM: &'static str = "Retention over time";

    pub fn from_run(run: &RunFolder, frame: Frame) -> Timeseries {
        let mut rows_of: Vec<(String, Vec<&super::results::FirmPeriod>)> = Vec::new();
        let (mut first, mut last) = (u32::MAX, 0);
        for row in &run.timeseries {
            first = first.min(row.period);
            last = last.max(row.period);
            match rows_of.iter_mut().find(|(f, _)| *f == row.firm) {
                Some((_, rows)) => rows.push(row),
                None => rows_of.push((row.firm.clone(), vec![row])),
            }
        }
        let firms = rows_of
            .into_iter()
            .map(|(firm, rows)| {
                // A firm that enters later has no customers before: its lines start at
                // the period before its first customers, at zero.
                let skip = rows
                    .iter()
                    .position(|r| r.customers > 0)
                    .map_or(0, |i| i.saturating_sub(1));
                FirmSeries {
                    firm,
                    share: rows[skip..].iter().map(|r| (r.period, r.share)).collect(),
                    retention: rows[skip..]
                        .iter()
                        .map(|r| (r.period, r.retention))
                        .collect(),
                }
            })
            .collect();
        Timeseries {
            frame,
            firms,
            events: events_of(run),
            periods: (first.min(last), last),
        }
    }

    /// The title for a run: with one firm, share is 100% throughout and not drawn.
    pub fn title(run: &RunFolder) -> &'static str {
        if run.scenario.firms.len() == 1 {
            Self::TITLE_ONE_FIRM
        } else {
            Self::TITLE
        }
    }

    fn x_range(&self) -> (f64, f64) {
        let (lo, hi) = self.periods;
        if lo >= hi {
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

/// An axis in percent around `low..high` (shares in [0, 1]), in round steps, within
/// 0 to 100: retention moves by a few points, which a 0-to-100 axis would flatten.
fn percent_axis_around(title: &str, range: Option<(f64, f64)>) -> Axis {
    let (lo, hi) = range.map_or((0.0, 100.0), |(a, b)| (a * 100.0, b * 100.0));
    // At least 5 points tall, so that sampling noise is not blown up into a trend.
    let widen = (5.0 - (hi - lo)).max(0.0) / 2.0;
    let (lo, hi) = ((lo - widen).max(0.0), (hi + widen).min(100.0));
    let pad = ((hi - lo) * 0.08).max(0.5);
    let step = nice_step(hi - lo + 2.0 * pad, 5);
    let low = (((lo - pad) / step).floor() * step).max(0.0);
    let high = (((hi + pad) / step).ceil() * step).min(100.0);
    Axis::linear(title, low, high.max(low + step), 5, number)
}

/// An axis in percent from 0 to a round value above `max` (a share in [0, 1]).
fn percent_axis_from_0(title: &str, max: Option<f64>) -> Axis {
    let max = max.map_or(100.0, |m| m * 100.0);
    let step = nice_step(max.max(1.0), 5);
    // Not `clamp(step, 100.0)`: a step above 100 (shares above 1) would panic.
    let high = ((max * 1.04 / step).ceil() * step).min(100.0).max(step);
    Axis::linear(title, 0.0, high, 5, number)
}

/// Event labels above the data, staggered into rows where they would touch.
pub(super) struct EventLabels {
    /// The x of each period with events, where a dashed line marks it.
    lines: Vec<i32>,
    /// `(index of its line, x of its centre, row, text)` of each label.
    placed: Vec<(usize, i32, usize, String)>,
    rows: usize,
}

impl EventLabels {
    /// Lays out labels over the data area `rect` (they may run on to `right`).
    ///
    /// Each event of a period gets its own label (a period's events are joined by "; "
    /// in the `events` column), so events of one period stack rather than make one line
    /// wider than the chart. A label wider than the band goes on in the rows below
    /// ([`layout::LABEL_LINES`] at most, the last ending in "…" if even they are too
    /// few). The labels take at most a quarter of the figure's height: a label with no
    /// free place in those rows is left out, so the data keeps its room; its period's
    /// dashed line is still drawn, and `timeseries.csv` and `summary.json` list every
    /// event in full.
    pub(super) fn place(
        style: &Style,
        rect: Rect,
        right: i32,
        x: &Axis,
        events: &[(u32, String)],
    ) -> EventLabels {
        let pad = style.px(6.0);
        let row_h = style.size.px(pt::ANNOTATION) * 1.3;
        let max_rows = ((style.size.height as f64 * 0.25 / row_h) as usize).max(1);
        let band = right - rect.left;
        let mut ends: Vec<i32> = Vec::new();
        let mut lines = Vec::new();
        let mut placed = Vec::new();
        for (period, what) in events {
            let at = scale(*period as f64, x.low, x.high, rect.left, rect.right);
            // One line per pixel: periods that fall on the same one share it.
            if lines.last() != Some(&at) {
                lines.push(at);
            }
            for one in what.split("; ") {
                let most = layout::LABEL_LINES.min(max_rows);
                let label = layout::wrap(style, one, pt::ANNOTATION, band, most);
                let Some(w) = label
                    .iter()
                    .map(|l| text_width(style, l, pt::ANNOTATION))
                    .max()
                else {
                    continue;
                };
                let cx = layout::within(at, rect.left + w / 2, right - w / 2);
                // The first row from which the label's lines find free rows below it.
                let free = |r: usize| ends.get(r).is_none_or(|&end| cx - w / 2 >= end + pad);
                let fits = |r: &usize| (*r..*r + label.len()).all(free);
                let Some(row) = (0..=max_rows - label.len()).find(fits) else {
                    continue;
                };
                for (k, line) in label.into_iter().enumerate() {
                    if ends.len() <= row + k {
                        ends.resize(row + k + 1, i32::MIN / 2);
                    }
                    ends[row + k] = cx + w / 2;
                    placed.push((lines.len() - 1, cx, row + k, line));
                }
            }
        }
        EventLabels {
            rows: ends.len(),
            lines,
            placed,
        }
    }

    /// Draws each event as a dashed line from `top` to `bottom`, its label above `top`.
    pub(super) fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
        top: i32,
        bottom: i32,
    ) -> layout::Drawn<DB> {
        let row_h = style.size.px(pt::ANNOTATION) * 1.3;
        let dash = (style.size.px(2.5), style.size.px(2.0));
        // Labels are in the order of their lines: each line, then its labels.
        let mut labels = self.placed.iter().peekable();
        for (i, at) in self.lines.iter().enumerate() {
            layout::dashed(
                root,
                &[(*at, top), (*at, bottom)],
                palette::MUTED,
                style.px(line::GRID * 1.5),
                dash,
            )?;
            while let Some((_, cx, row, what)) = labels.next_if(|p| p.0 == i) {
                let baseline = top - style.px(4.0) - ((self.rows - 1 - row) as f64 * row_h) as i32;
                text(
                    root,
                    style,
                    what,
                    pt::ANNOTATION,
                    palette::INK,
                    (*cx, baseline),
                    Align::Center,
                )?;
            }
        }
        Ok(())
    }

    /// The height of the band the labels need above the data.
    pub(super) fn height(&self, style: &Style) -> i32 {
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
        let (p0, p1) = self.x_range();
        let x = period_axis(p0, p1);
        let values = |pick: fn(&FirmSeries) -> &Series| {
            self.firms
                .iter()
                .flat_map(move |f| pick(f).iter().filter_map(|(_, v)| *v))
                .fold(None, |m: Option<(f64, f64)>, v| {
                    Some(m.map_or((v, v), |(a, b)| (a.min(v), b.max(v))))
                })
        };
        let y_share = percent_axis_from_0("Market share (%)", values(|f| &f.share).map(|r| r.1));
        let y_ret = percent_axis_around("Retention per period (%)", values(|f| &f.retention));
        // With one firm share is 100% throughout: only retention is drawn.
        let with_share = self.firms.len() > 1;
        let names: Vec<String> = self.firms.iter().map(|f| f.firm.clone()).collect();
        let colours = palette::named(&names);
        let legend = Legend {
            heading_room: 0.0,
            heading: None,
            entries: names
                .iter()
                .zip(&colours)
                .map(|(name, &color)| Entry {
                    label: name.clone(),
                    key: Key::Line {
                        color,
                        width: line::DATA,
                        dashed: false,
                    },
                })
                .collect(),
        };
        // Both panels share their left edge: the wider of the two axes decides it.
        let probe_bottom = plot_rect(style, Rect { top, ..area }, Some(&x), &y_ret);
        let left = if with_share {
            plot_rect(style, Rect { top, ..area }, None, &y_share)
                .left
                .max(probe_bottom.left)
        } else {
            probe_bottom.left
        };
        let right = probe_bottom.right;
        legend.draw(root, style, left, top, area.right - left)?;
        top += legend.height(style, area.right - left) + style.px(4.0);
        let probe = Rect {
            left,
            right,
            top,
            bottom: area.bottom,
        };
        let events = EventLabels::place(style, probe, area.right, &x, &self.events);
        top += events.height(style);

        let gap = style.px(20.0);
        let bottom = probe_bottom.bottom;
        let lower_top = if with_share {
            top + (bottom - top - gap) / 2 + gap
        } else {
            top
        };
        let upper = Rect {
            left,
            right,
            top,
            bottom: lower_top - gap,
        };
        let lower = Rect {
            left,
            right,
            top: lower_top,
            bottom,
        };
        // (data area, y axis, whether it shows share rather than retention)
        let mut panels = vec![(lower, &y_ret, false)];
        if with_share {
            panels.insert(0, (upper, &y_share, true));
        }

        let grid = layout::Grid { x: false, y: true };
        for (rect, axis, _) in &panels {
            draw_grid(root, style, *rect, &x, axis, grid)?;
        }

        events.draw(root, style, top, bottom)?;

        let width = style.px(line::DATA);
        for (firm, &color) in self.firms.iter().zip(&colours) {
            for (rect, axis, share) in &panels {
                let series = if *share { &firm.share } else { &firm.retention };
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
                // A value with no neighbour would not show as a line.
                for (k, p) in px.iter().enumerate() {
                    let before = k > 0 && px[k - 1].is_some();
                    let after = px.get(k + 1).is_some_and(|q| q.is_some());
                    if let (Some(p), false, false) = (p, before, after) {
                        layout::marker(
                            root,
                            layout::Shape::Circle,
                            *p,
                            style.px(line::MARKER),
                            color,
                        )?;
                    }
                }
            }
        }
        let last = panels.len() - 1;
        for (k, (rect, axis, _)) in panels.iter().enumerate() {
            draw_axes(root, style, *rect, &x, k == last, axis)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::chart::Size;

    /// `(left, right, row)` of every label placed.
    fn spans(style: &Style, labels: &EventLabels) -> Vec<(i32, i32, usize)> {
        labels
            .placed
            .iter()
            .map(|(_, cx, row, t)| {
                let w = text_width(style, t, pt::ANNOTATION);
                (cx - w / 2, cx + w / 2, *row)
            })
            .collect()
    }

    #[test]
    fn event_labels_stay_over_the_chart_whatever_their_length() {
        let style = Style::new(Size::SCREEN, true);
        let rect = Rect {
            left: 200,
            top: 300,
            right: 1500,
            bottom: 900,
        };
        let x = period_axis(1.0, 12.0);
        let six = (0..6)
            .map(|i| format!("A value.product = {i}"))
            .collect::<Vec<_>>()
            .join("; ");
        let exit = format!("{} exits", "N".repeat(120));
        let huge = "N".repeat(1000);
        let events = vec![(6, six), (12, exit)];
        let labels = EventLabels::place(&style, rect, 1580, &x, &events);
        // Six events of one period: six labels, stacked, none cut.
        let of_six: Vec<&String> = labels
            .placed
            .iter()
            .filter(|p| p.3.starts_with("A value"))
            .map(|p| &p.3)
            .collect();
        assert_eq!(of_six.len(), 6);
        assert!(of_six.iter().all(|t| !t.contains('…')));
        for (left, right, _) in spans(&style, &labels) {
            assert!(left >= rect.left - 1 && right <= 1581, "{left}..{right}");
        }
        // Labels in a row do not touch.
        let mut by_row = spans(&style, &labels);
        by_row.sort_by_key(|&(l, _, r)| (r, l));
        for w in by_row.windows(2) {
            assert!(w[0].2 != w[1].2 || w[0].1 < w[1].0, "{w:?}");
        }
        // The exit goes on below, whole; one of 1000 letters ends in "…" (below).
        let text: Vec<&str> = labels.placed.iter().map(|p| p.3.as_str()).collect();
        assert!(
            text.concat()
                .contains(&format!("{} exits", "N".repeat(120)))
        );
        assert!(!text.iter().any(|t| t.ends_with('…')));
        assert!(labels.height(&style) <= (style.size.height as f64 * 0.25) as i32 + 10);
        assert_eq!(labels.lines.len(), 2, "one line per period");
        let again = EventLabels::place(&style, rect, 1580, &x, &[(12, huge)]);
        assert_eq!(again.placed.len(), layout::LABEL_LINES);
        assert!(again.placed[2].3.ends_with('…'));
        for (left, right, _) in spans(&style, &again) {
            assert!(left >= rect.left - 1 && right <= 1581, "{left}..{right}");
        }
    }

    #[test]
    fn labels_beyond_the_rows_allowed_are_left_out_and_narrow_bands_do_not_panic() {
        let style = Style::new(Size::SCREEN, true);
        let x = period_axis(1.0, 12.0);
        let many: Vec<(u32, String)> = (0..100).map(|i| (5, format!("event {i}"))).collect();
        let rect = Rect {
            left: 200,
            top: 300,
            right: 1500,
            bottom: 900,
        };
        let labels = EventLabels::place(&style, rect, 1580, &x, &many);
        let max_rows =
            (style.size.height as f64 * 0.25 / (style.size.px(pt::ANNOTATION) * 1.3)) as usize;
        assert!(labels.rows <= max_rows && labels.placed.len() < 100);
        // A band narrower than any label, or reversed.
        for (left, right) in [(200, 201), (200, 100)] {
            let rect = Rect {
                left,
                right,
                ..rect
            };
            let labels = EventLabels::place(&style, rect, right, &x, &many);
            assert!(labels.rows <= max_rows);
        }
    }
}
