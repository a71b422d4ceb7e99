//! `types`: the mix of Jones & Sasser customer types over time, all firms together (or
//! the one selected, `--firm`), as stacked areas adding up to 100% of the customers
//! who decided in each period.
//!
//! Stayers are stacked from the bottom (apostles, loyalists, hostages), leavers on top
//! (defectors, mercenaries), terrorists between them since they may do either; the
//! legend reads in the order of the stack from the top. Events are marked as on the
//! `timeseries` chart.

use super::Chart;
use super::layout::{
    self, Axis, Entry, Frame, Key, Legend, Rect, draw_axes, header, number, plot_rect, scale,
};
use super::results::RunFolder;
use super::retention_curve::inner;
use super::selection::Resolved;
use super::style::{Style, type_color};
use super::timeseries::{EventLabels, events_of, period_axis, rows_of};
use crate::model::CustomerType;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::collections::HashMap;

/// Stacking order, from the bottom.
const STACK: [CustomerType; 6] = [
    CustomerType::Apostle,
    CustomerType::Loyalist,
    CustomerType::Hostage,
    CustomerType::Terrorist,
    CustomerType::Defector,
    CustomerType::Mercenary,
];

/// Counts of each type per period.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeMix {
    pub frame: Frame,
    /// `(period, counts in CustomerType::ALL order)`, in period order.
    pub periods: Vec<(u32, [u64; 6])>,
    /// `(period, what happened)`, marked as on the timeseries chart.
    pub events: Vec<(u32, String)>,
}

impl TypeMix {
    pub const NAME: &'static str = "types";
    pub const TITLE: &'static str = "Customer types over time (Jones & Sasser), all firms";

    /// The title: all firms, or the one selected.
    pub fn title(selection: Option<&Resolved>) -> String {
        match selection.and_then(|s| s.firm.as_deref()) {
            Some(firm) => format!("Customer types over time (Jones & Sasser), {firm}"),
            None => Self::TITLE.to_string(),
        }
    }

    pub fn from_run(run: &RunFolder, selection: Option<&Resolved>, frame: Frame) -> TypeMix {
        let mut periods: Vec<(u32, [u64; 6])> = Vec::new();
        // Where each period is in `periods`: a run of a million periods is not searched
        // a million times over.
        let mut index: HashMap<u32, usize> = HashMap::new();
        for row in rows_of(run, selection) {
            let i = *index.entry(row.period).or_insert_with(|| {
                periods.push((row.period, [0; 6]));
                periods.len() - 1
            });
            for (sum, n) in periods[i].1.iter_mut().zip(row.types) {
                *sum += n;
            }
        }
        periods.sort_by_key(|(p, _)| *p);
        TypeMix {
            frame,
            periods,
            events: events_of(run, selection),
        }
    }

    /// Each period's cumulative shares in percent, at the top of each layer of [`STACK`].
    fn stacked(&self) -> Vec<(f64, [f64; 6])> {
        self.periods
            .iter()
            .map(|(p, counts)| {
                let total: u64 = counts.iter().sum();
                let mut tops = [0.0; 6];
                let mut sum = 0u64;
                for (top, t) in tops.iter_mut().zip(STACK) {
                    sum += counts[t as usize];
                    *top = if total == 0 {
                        0.0
                    } else {
                        100.0 * sum as f64 / total as f64
                    };
                }
                (*p as f64, tops)
            })
            .collect()
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

impl Chart for TypeMix {
    const NAME: &'static str = TypeMix::NAME;

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> layout::Drawn<DB> {
        let area = inner(root, style);
        let mut top = area.top + header(root, style, &self.frame, area)? + style.px(8.0);
        let mut stacked = self.stacked();
        // A single period is drawn as a band one period wide.
        if let [(p, tops)] = stacked[..] {
            stacked = vec![(p - 0.5, tops), (p + 0.5, tops)];
        }
        let (x0, x1) = match (stacked.first(), stacked.last()) {
            (Some(a), Some(b)) => (a.0, b.0),
            _ => (0.5, 1.5),
        };
        let x = period_axis(x0, x1);
        let y = Axis::linear("Share of customers (%)", 0.0, 100.0, 5, number);
        let legend = Legend {
            heading_room: 0.0,
            heading: None,
            entries: STACK
                .iter()
                .rev()
                .map(|&t| Entry {
                    label: capitalised(t.plural()),
                    key: Key::Fill(type_color(t)),
                })
                .collect(),
        };
        let probe = plot_rect(style, Rect { top, ..area }, Some(&x), &y);
        legend.draw(root, style, probe.left, top, area.right - probe.left)?;
        top += legend.height(style, area.right - probe.left) + style.px(10.0);
        let events = EventLabels::place(style, probe, area.right, &x, &self.events);
        top += events.height(style);
        let rect = plot_rect(style, Rect { top, ..area }, Some(&x), &y);

        let px = |v: f64, share: f64| {
            (
                scale(v, x.low, x.high, rect.left, rect.right),
                scale(share, 0.0, 100.0, rect.bottom, rect.top),
            )
        };
        for (layer, &t) in STACK.iter().enumerate() {
            let mut outline: Vec<(i32, i32)> = stacked
                .iter()
                .map(|(p, tops)| px(*p, tops[layer]))
                .collect();
            outline.extend(
                stacked
                    .iter()
                    .rev()
                    .map(|(p, tops)| px(*p, if layer == 0 { 0.0 } else { tops[layer - 1] })),
            );
            root.draw(&Polygon::new(outline, type_color(t).filled()))?;
        }
        // Thin white seams make neighbouring layers distinct in grey print.
        for layer in 0..STACK.len() - 1 {
            let seam: Vec<Option<(i32, i32)>> = stacked
                .iter()
                .map(|(p, tops)| Some(px(*p, tops[layer])))
                .collect();
            layout::polyline(root, &seam, RGBColor(255, 255, 255), style.px(0.5))?;
        }
        events.draw(root, style, rect.top, rect.bottom)?;
        draw_axes(root, style, rect, &x, true, &y)
    }
}
