//! `timeseries`: market share and retention per period of each firm, in two panels
//! over a shared period axis, with the events of the run marked where they fired. Both
//! panels follow one axis rule ([`percent_axis`]).
//!
//! Events come from the optional `events` column of `timeseries.csv` (short texts such
//! as `enter:Challenger`); a period's events are gathered over its firms' rows.
mod over_time;
#[cfg(test)]
mod tests;

pub(super) use over_time::{EventLabels, Panel, draw_over_time, period_axis, x_range};

use super::Chart;
use super::layout::{self, Axis, Frame, nice_step, number};
use super::results::{FirmPeriod, RunFolder};
use super::selection::Resolved;
use super::style::{Style, palette};
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

/// The smallest and largest of the values of `series`, if any.
pub(super) fn value_range<'a>(series: impl Iterator<Item = &'a Series>) -> Option<(f64, f64)> {
    series
        .flat_map(|s| s.iter().filter_map(|(_, v)| *v))
        .fold(None, |m: Option<(f64, f64)>, v| {
            Some(m.map_or((v, v), |(a, b)| (a.min(v), b.max(v))))
        })
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
