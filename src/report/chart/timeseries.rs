//! `timeseries`: market share and retention per period of each firm, in two panels
//! over a shared period axis, with the events of the run marked where they fired. Both
//! panels follow one axis rule ([`percent_axis`]).
//!
//! Events come from the optional `events` column of `timeseries.csv` (short texts such
//! as `enter:Challenger`); a period's events are gathered over its firms' rows.

use super::Chart;
use super::layout::{
    self, Align, Axis, Entry, Frame, Key, Legend, Rect, draw_axes, draw_grid, header, nice_step,
    number, plot_rect, scale, text, text_width,
};
use super::results::{FirmPeriod, RunFolder};
use super::retention_curve::inner;
use super::selection::Resolved;
use super::style::{Style, line, palette, pt};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::collections::HashMap;

/// The rows of `timeseries.csv` a selection draws: all without one.
pub(super) fn rows_of<'a>(
    run: &'a RunFolder,
    selection: Option<&'a Resolved>,
) -> impl Iterator<Item = &'a FirmPeriod> + 'a {
    run.timeseries
        .iter()
        .filter(move |r| selection.is_none_or(|s| s.has(r.period, &r.firm)))
}

/// The events of a run, `(period, what happened)` in period order: each period's
/// texts from the `events` column, gathered over its firms' rows without repeats; with
/// a selection, the events of its window (whichever firm they concern: an entry is
/// news to the incumbent too).
pub(super) fn events_of(run: &RunFolder, selection: Option<&Resolved>) -> Vec<(u32, String)> {
    let mut events: Vec<(u32, String)> = Vec::new();
    // Where each period is in `events`, so that many events cost no search each.
    let mut index: HashMap<u32, usize> = HashMap::new();
    let window = selection.map_or((0, u32::MAX), |s| s.periods);
    for row in &run.timeseries {
        if !(window.0..=window.1).contains(&row.period) {
            continue;
        }
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

/// `(period, value)` of one line (a share in [0, 1], a count), or missing.
pub type Series = Vec<(u32, Option<f64>)>;

/// One firm's lines.
#[derive(Debug, Clone, PartialEq)]
pub struct FirmSeries {
    pub firm: String,
    /// The firm's colour, the same in every chart of the run.
    pub colour: RGBColor,
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
    /// First and last period drawn.
    pub periods: (u32, u32),
    /// Whether the share panel is drawn: not in a market of one firm, where it is 100%.
    pub with_share: bool,
}

impl Timeseries {
    pub const NAME: &'static str = "timeseries";
    pub const TITLE: &'static str = "Market share and retention by firm";
    pub const TITLE_ONE_FIRM: &'static str = "Retention over time";

    pub fn from_run(run: &RunFolder, selection: Option<&Resolved>, frame: Frame) -> Timeseries {
        let mut by_firm: Vec<(String, Vec<&FirmPeriod>)> = Vec::new();
        let (mut first, mut last) = (u32::MAX, 0);
        for row in rows_of(run, selection) {
            first = first.min(row.period);
            last = last.max(row.period);
            match by_firm.iter_mut().find(|(f, _)| *f == row.firm) {
                Some((_, rows)) => rows.push(row),
                None => by_firm.push((row.firm.clone(), vec![row])),
            }
        }
        if let Some(s) = selection {
            (first, last) = s.periods;
        }
        let colour_of = firm_colours(run);
        let firms = by_firm
            .into_iter()
            .map(|(firm, rows)| {
                // A firm that enters later has no customers before: its lines start at
                // the period before its first customers, at zero.
                let skip = rows
                    .iter()
                    .position(|r| r.customers > 0)
                    .map_or(0, |i| i.saturating_sub(1));
                FirmSeries {
                    colour: colour_of(&firm),
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
            events: events_of(run, selection),
            periods: (first.min(last), last),
            with_share: run.scenario.firms.len() > 1,
        }
    }

    /// The title for a run: with one firm, share is 100% throughout and not drawn; with
    /// one firm selected, its name.
    pub fn title(run: &RunFolder, selection: Option<&Resolved>) -> String {
        match selection.and_then(|s| s.firm.as_deref()) {
            _ if run.scenario.firms.len() == 1 => Self::TITLE_ONE_FIRM.to_string(),
            Some(firm) => format!("Market share and retention of {firm}"),
            None => Self::TITLE.to_string(),
        }
    }
}

/// The colour of each firm of a run, by name: the same in every chart of the run
/// whichever firms it draws (the names of `timeseries.csv`, in order).
pub(super) fn firm_colours(run: &RunFolder) -> impl Fn(&str) -> RGBColor + use<> {
    let mut names: Vec<String> = Vec::new();
    for row in &run.timeseries {
        if names.last() != Some(&row.firm) && !names.contains(&row.firm) {
            names.push(row.firm.clone());
        }
    }
    let colours = palette::named(&names);
    move |firm: &str| {
        names
            .iter()
            .position(|n| n == firm)
            .map_or(palette::BLACK, |i| colours[i])
    }
}

/// The period axis shared by the charts over time: ticks on whole periods only.
pub(super) fn period_axis(low: f64, high: f64) -> Axis {
    let mut axis = Axis::linear("Period (repurchase occasions)", low, high, 8, number);
    axis.ticks.retain(|(v, _)| v.fract() == 0.0);
    axis
}

/// Fewest percentage points a panel of shares or retention spans.
pub(super) const MIN_SPAN: f64 = 10.0;

/// The one axis rule for shares and retention in percent (README, Charts): the axis
/// spans the panel's values (shares in [0, 1]) from just below the lowest to just
/// above the highest, in round steps within 0 to 100, and is at least [`MIN_SPAN`]
/// points tall. Zoomed, because retention moves by a few points, which a 0-to-100 axis
/// would flatten; never shorter than ten points, so that sampling noise of a point or
/// two is not drawn as a trend; the same for both panels, so that a line as flat in
/// one as in the other moved as little.
pub(super) fn percent_axis(title: &str, range: Option<(f64, f64)>) -> Axis {
    let (lo, hi) = range.map_or((0.0, 100.0), |(a, b)| (a * 100.0, b * 100.0));
    let widen = (MIN_SPAN - (hi - lo)).max(0.0) / 2.0;
    let (mut lo, mut hi) = (lo - widen, hi + widen);
    // Widened past an end, the span moves inward rather than shrinks.
    if lo < 0.0 {
        (lo, hi) = (0.0, (hi - lo).min(100.0));
    }
    if hi > 100.0 {
        (lo, hi) = ((lo - (hi - 100.0)).max(0.0), 100.0);
    }
    let pad = ((hi - lo) * 0.08).max(0.5);
    let step = nice_step(hi - lo + 2.0 * pad, 5);
    let low = (((lo - pad) / step).floor() * step).max(0.0);
    let high = (((hi + pad) / step).ceil() * step).min(100.0);
    Axis::linear(title, low, high.max(low + step), 5, number)
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

/// One panel of a chart over time: its y axis and its lines, each `(colour, values)`,
/// a value drawn at `value × scale` on the axis.
pub(super) struct Panel<'a> {
    pub axis: Axis,
    pub scale: f64,
    pub lines: Vec<(RGBColor, &'a Series)>,
}

/// Draws a chart over time: the header, the legend of `names` (a line each, in its
/// colour), the events, and `panels` stacked over one period axis spanning
/// `periods`, each line clipped to its panel.
pub(super) fn draw_over_time<DB: DrawingBackend>(
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

/// The smallest and largest of the values of `series`, if any.
pub(super) fn value_range<'a>(series: impl Iterator<Item = &'a Series>) -> Option<(f64, f64)> {
    series
        .flat_map(|s| s.iter().filter_map(|(_, v)| *v))
        .fold(None, |m: Option<(f64, f64)>, v| {
            Some(m.map_or((v, v), |(a, b)| (a.min(v), b.max(v))))
        })
}

/// The x range of a chart over `first..=last`: a single period is drawn one wide.
pub(super) fn x_range((lo, hi): (u32, u32)) -> (f64, f64) {
    if lo >= hi {
        (lo as f64 - 0.5, hi as f64 + 0.5)
    } else {
        (lo as f64, hi as f64)
    }
}

impl Chart for Timeseries {
    const NAME: &'static str = Timeseries::NAME;

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> layout::Drawn<DB> {
        let y_share = percent_axis(
            "Market share (%)",
            value_range(self.firms.iter().map(|f| &f.share)),
        );
        let y_ret = percent_axis(
            "Retention per period (%)",
            value_range(self.firms.iter().map(|f| &f.retention)),
        );
        let names: Vec<(String, RGBColor)> = self
            .firms
            .iter()
            .map(|f| (f.firm.clone(), f.colour))
            .collect();
        let mut panels = Vec::new();
        // With one firm in the market share is 100% throughout: only retention is drawn.
        if self.with_share {
            panels.push(Panel {
                axis: y_share,
                scale: 100.0,
                lines: self.firms.iter().map(|f| (f.colour, &f.share)).collect(),
            });
        }
        panels.push(Panel {
            axis: y_ret,
            scale: 100.0,
            lines: self
                .firms
                .iter()
                .map(|f| (f.colour, &f.retention))
                .collect(),
        });
        draw_over_time(
            root,
            style,
            &self.frame,
            &names,
            &self.events,
            x_range(self.periods),
            &panels,
        )
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

    /// One rule for shares and retention: zoomed to the values, at least ten points
    /// tall, within 0 to 100. Shares of 49–51% and retention of 76–84% (the
    /// service_recovery run) get axes of the same height.
    #[test]
    fn shares_and_retention_follow_one_axis_rule() {
        let span = |a: &Axis| a.high - a.low;
        let share = percent_axis("Market share (%)", Some((0.49, 0.51)));
        let retention = percent_axis("Retention per period (%)", Some((0.76, 0.84)));
        assert_eq!(span(&share), span(&retention));
        for (axis, (lo, hi)) in [(&share, (49.0, 51.0)), (&retention, (76.0, 84.0))] {
            assert!(
                axis.low < lo && axis.high > hi,
                "{} {}",
                axis.low,
                axis.high
            );
            assert!(span(axis) >= MIN_SPAN && span(axis) <= 2.0 * MIN_SPAN);
        }
        // The same values give the same axis whichever panel they are in.
        assert_eq!(
            percent_axis("a", Some((0.2, 0.6))).low,
            percent_axis("b", Some((0.2, 0.6))).low
        );
        // Near the ends, the span moves inward rather than past 0 or 100.
        let top = percent_axis("r", Some((0.995, 1.0)));
        assert!(top.high == 100.0 && span(&top) >= MIN_SPAN, "{}", top.low);
        let bottom = percent_axis("s", Some((0.0, 0.004)));
        assert!(bottom.low == 0.0 && span(&bottom) >= MIN_SPAN);
        let all = percent_axis("s", Some((0.0, 1.0)));
        assert_eq!((all.low, all.high), (0.0, 100.0));
        assert_eq!(percent_axis("s", None).high, 100.0);
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
