//! What the charts over time share (the time series, the type mix, word of mouth): the
//! period axis, the events' labels staggered above the data, and panels of lines
//! stacked over one period axis.

use super::Series;
use crate::report::chart::layout::{
    self, Align, Axis, Entry, Frame, Key, Legend, Rect, draw_axes, draw_grid, header, number,
    plot_rect, scale, text, text_width,
};
use crate::report::chart::retention_curve::inner;
use crate::report::chart::style::{Style, line, palette, pt};
use plotters::coord::Shift;
use plotters::prelude::*;

/// The period axis shared by the charts over time: ticks on whole periods only.
pub(in crate::report::chart) fn period_axis(low: f64, high: f64) -> Axis {
    let mut axis = Axis::linear("Period (repurchase occasions)", low, high, 8, number);
    axis.ticks.retain(|(v, _)| v.fract() == 0.0);
    axis
}

/// Event labels above the data, staggered into rows where they would touch.
pub(in crate::report::chart) struct EventLabels {
    /// The x of each period with events, where a dashed line marks it.
    pub(super) lines: Vec<i32>,
    /// `(index of its line, x of its centre, row, text)` of each label.
    pub(super) placed: Vec<(usize, i32, usize, String)>,
    pub(super) rows: usize,
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
    pub(in crate::report::chart) fn place(
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
    pub(in crate::report::chart) fn draw<DB: DrawingBackend>(
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
    pub(in crate::report::chart) fn height(&self, style: &Style) -> i32 {
        if self.rows == 0 {
            0
        } else {
            (self.rows as f64 * style.size.px(pt::ANNOTATION) * 1.3 + style.size.px(3.0)) as i32
        }
    }
}

/// One panel of a chart over time: its y axis and its lines, each `(colour, values)`,
/// a value drawn at `value × scale` on the axis.
pub(in crate::report::chart) struct Panel<'a> {
    pub axis: Axis,
    pub scale: f64,
    pub lines: Vec<(RGBColor, &'a Series)>,
}

/// Draws a chart over time: the header, the legend of `names` (a line each, in its
/// colour), the events, and `panels` stacked over one period axis spanning
/// `periods`, each line clipped to its panel.
pub(in crate::report::chart) fn draw_over_time<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    style: &Style,
    frame: &Frame,
    names: &[(String, RGBColor)],
    events: &[(u32, String)],
    (p0, p1): (f64, f64),
    panels: &[Panel],
) -> layout::Drawn<DB> {
    let area = inner(root, style);
    let mut top = area.top + header(root, style, frame, area)? + style.px(8.0);
    let x = period_axis(p0, p1);
    let legend = Legend {
        heading_room: 0.0,
        heading: None,
        entries: names
            .iter()
            .map(|(name, color)| Entry {
                label: name.clone(),
                key: Key::Line {
                    color: *color,
                    width: line::DATA,
                    dashed: false,
                },
            })
            .collect(),
    };
    let Some(last_panel) = panels.last() else {
        return Ok(());
    };
    // Every panel shares its left edge: the widest axis decides it.
    let probe_bottom = plot_rect(style, Rect { top, ..area }, Some(&x), &last_panel.axis);
    let left = panels
        .iter()
        .map(|p| plot_rect(style, Rect { top, ..area }, None, &p.axis).left)
        .fold(probe_bottom.left, i32::max);
    let right = probe_bottom.right;
    legend.draw(root, style, left, top, area.right - left)?;
    top += legend.height(style, area.right - left) + style.px(4.0);
    let probe = Rect {
        left,
        right,
        top,
        bottom: area.bottom,
    };
    let labels = EventLabels::place(style, probe, area.right, &x, events);
    top += labels.height(style);

    let gap = style.px(20.0);
    let bottom = probe_bottom.bottom;
    let n = panels.len() as i32;
    // Equal panels with a gap between each two.
    let each = (bottom - top - gap * (n - 1)) / n;
    let rects: Vec<Rect> = (0..n)
        .map(|k| {
            let t = top + k * (each + gap);
            Rect {
                left,
                right,
                top: t,
                bottom: if k == n - 1 { bottom } else { t + each },
            }
        })
        .collect();

    let grid = layout::Grid { x: false, y: true };
    for (rect, panel) in rects.iter().zip(panels) {
        draw_grid(root, style, *rect, &x, &panel.axis, grid)?;
    }

    labels.draw(root, style, top, bottom)?;

    let width = style.px(line::DATA);
    for (rect, panel) in rects.iter().zip(panels) {
        let axis = &panel.axis;
        for (color, series) in &panel.lines {
            let px: Vec<Option<(i32, i32)>> = series
                .iter()
                .map(|(p, v)| {
                    v.map(|v| {
                        (
                            scale(*p as f64, x.low, x.high, rect.left, rect.right),
                            scale(
                                (v * panel.scale).clamp(axis.low, axis.high),
                                axis.low,
                                axis.high,
                                rect.bottom,
                                rect.top,
                            ),
                        )
                    })
                })
                .collect();
            layout::polyline(root, &px, *color, width)?;
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
                        *color,
                    )?;
                }
            }
        }
    }
    for (k, (rect, panel)) in rects.iter().zip(panels).enumerate() {
        draw_axes(root, style, *rect, &x, k == rects.len() - 1, &panel.axis)?;
    }
    Ok(())
}

/// The x range of a chart over `first..=last`: a single period is drawn one wide.
pub(in crate::report::chart) fn x_range((lo, hi): (u32, u32)) -> (f64, f64) {
    if lo >= hi {
        (lo as f64 - 0.5, hi as f64 + 0.5)
    } else {
        (lo as f64, hi as f64)
    }
}
