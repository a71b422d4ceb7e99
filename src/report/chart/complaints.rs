//! `complaints`: TARP's ordering of one run. After a problem (an experience below the
//! customer's adequate level), the share of customers who stayed, by what became of the
//! complaint: did not complain, complained and unresolved, resolved, resolved quickly.
//! One bar per group from `complaints.csv` with its 95% Wilson interval (the interval
//! `curve.csv` gives the retention curve), its value above it and its number of
//! episodes under its name; a group without episodes says so instead of showing a bar
//! at zero.
//!
//! Published values (TARP's 9 / 19 / 54 / 82 % "would buy again") can be laid over the
//! bars with [`ComplaintOrdering::with_reference`]: a short line across each bar, its
//! value beside it, named in the legend.
//!
//! The chart applies only to runs in which customers could complain (the scenario's
//! `complaints.rate > 0`): otherwise every problem falls in `did_not_complain` and there
//! is no ordering to show, so [`ComplaintOrdering::from_run`] says why instead. The
//! scenario decides rather than the counts, so a run with complaints on draws the chart
//! even when a group happens to be empty (it is marked "no episodes").

use super::Chart;
use super::layout::{
    self, Align, Axis, Entry, Frame, Key, Legend, Rect, draw_axes, draw_grid, header, number,
    plot_rect, scale, text, text_width,
};
use super::results::{ComplaintGroup, RunFolder};
use super::retention_curve::{inner, short};
use super::style::{Style, line, palette, pt};
use crate::model::Voice;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The groups' names on the chart, in TARP's order ([`Voice::GROUPS`]).
const LABELS: [&str; 4] = [
    "did not complain",
    "complained, unresolved",
    "resolved",
    "resolved quickly",
];

/// Fill of the simulated bars.
const BAR: RGBColor = RGBColor(128, 184, 216);
/// Colour of the reference marks.
const REFERENCE: RGBColor = palette::VERMILLION;

/// Published shares to compare with, one per group.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// The legend's name for them, e.g. "TARP (published)".
    pub label: String,
    /// Shares in [0, 1] (not percent), in TARP's order.
    pub values: [f64; 4],
}

/// Retention after a problem by what happened to the complaint.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplaintOrdering {
    pub frame: Frame,
    /// The four groups of `complaints.csv` in TARP's order.
    pub groups: Vec<ComplaintGroup>,
    /// `complaints.horizon`: periods after a problem over which staying is counted.
    pub horizon: u32,
    pub reference: Option<Reference>,
}

impl ComplaintOrdering {
    pub const NAME: &'static str = "complaints";
    pub const TITLE: &'static str = "Who stays after a problem, by what happened to the complaint";

    /// The chart of a run, or why it has none: complaints were off (`complaints.rate`
    /// is 0), or the folder has no `complaints.csv` or lacks one of its groups.
    pub fn from_run(run: &RunFolder, frame: Frame) -> Result<ComplaintOrdering, String> {
        let c = &run.scenario.complaints;
        if c.rate <= 0.0 {
            return Err(
                "customers could not complain in this run (complaints.rate = 0), so every \
                 problem is in did_not_complain and there is no ordering to show"
                    .into(),
            );
        }
        let Some(rows) = &run.complaints else {
            return Err(format!(
                "{} has no complaints.csv",
                run.dir.join("complaints.csv").display()
            ));
        };
        let groups = Voice::GROUPS
            .iter()
            .map(|g| {
                rows.iter()
                    .find(|r| r.group == g.name())
                    .cloned()
                    .ok_or_else(|| format!("complaints.csv has no row `{}`", g.name()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ComplaintOrdering {
            frame,
            groups,
            horizon: c.horizon,
            reference: None,
        })
    }

    /// Marks `values` (shares in [0, 1], in TARP's order) on each group, named `label`
    /// in the legend.
    pub fn with_reference(mut self, label: &str, values: [f64; 4]) -> ComplaintOrdering {
        self.reference = Some(Reference {
            label: label.to_string(),
            values,
        });
        self
    }

    fn legend(&self) -> Legend {
        let after = match self.horizon {
            1 => "the period after the problem".to_string(),
            h => format!("the {h} periods after the problem"),
        };
        let mut entries = vec![Entry {
            label: format!("Simulated: stayed through {after}, 95% interval"),
            key: Key::Fill(BAR),
        }];
        if let Some(r) = &self.reference {
            entries.push(Entry {
                label: r.label.clone(),
                key: Key::Line {
                    color: REFERENCE,
                    width: REFERENCE_WIDTH,
                    dashed: false,
                },
            });
        }
        Legend {
            heading_room: 0.0,
            heading: None,
            entries,
        }
    }
}

/// Width of a reference mark, in points.
const REFERENCE_WIDTH: f64 = 2.0;
/// How far a reference mark reaches past each side of its bar, in groups (a bar is 0.6).
const OVERHANG: f64 = 0.05;

/// A reference share as written beside its mark: 0.82 → "82%", 0.545 → "54.5%".
fn reference_label(v: f64) -> String {
    format!("{}%", short(100.0 * v))
}

/// `label` in one line, or split after its comma into two when it is wider than `room`.
fn wrap(style: &Style, label: &str, room: i32) -> Vec<String> {
    if text_width(style, label, pt::TICK) <= room {
        return vec![label.to_string()];
    }
    match label.split_once(", ") {
        Some((a, b)) => vec![format!("{a},"), b.to_string()],
        None => vec![label.to_string()],
    }
}

/// A share as a percentage with one decimal: 0.2861 → "28.6%".
fn percent(v: f64) -> String {
    format!("{:.1}%", 100.0 * v)
}

impl Chart for ComplaintOrdering {
    const NAME: &'static str = ComplaintOrdering::NAME;

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> layout::Drawn<DB> {
        let area = inner(root, style);
        let mut top = area.top + header(root, style, &self.frame, area)? + style.px(8.0);
        let y = Axis::linear("Stayed after a problem (%)", 0.0, 100.0, 5, number);
        // Categories without ticks: their names and counts are set below the axis here.
        let x = Axis {
            title: String::new(),
            low: 0.0,
            high: LABELS.len() as f64,
            ticks: Vec::new(),
        };
        let legend = self.legend();
        let probe = plot_rect(style, Rect { top, ..area }, Some(&x), &y);
        let legend_width = area.right - probe.left;
        legend.draw(root, style, probe.left, top, legend_width)?;
        top += legend.height(style, legend_width) + style.px(4.0);
        let em = style.size.px(pt::ANNOTATION);
        let em_tick = style.size.px(pt::TICK);
        // Room above the data for the value over a full bar.
        top += (em * 1.4) as i32;
        let mut rect = plot_rect(style, Rect { top, ..area }, Some(&x), &y);
        let pad = style.px(3.0);
        // The last reference value is written right of its bar: keep it inside the figure.
        if let Some(r) = &self.reference {
            let slot = rect.width() as f64 / LABELS.len() as f64;
            let label = text_width(style, &reference_label(r.values[3]), pt::ANNOTATION);
            let room = (slot * (0.2 - OVERHANG)) as i32;
            rect.right -= (label + pad - room).max(0);
        }
        let slot = rect.width() / LABELS.len() as i32;
        let names: Vec<Vec<String>> = LABELS
            .iter()
            .map(|l| wrap(style, l, slot - style.px(6.0)))
            .collect();
        let name_lines = names.iter().map(Vec::len).max().unwrap_or(1);
        // plot_rect keeps one line of tick labels; the names may take two, then the counts.
        let line_h = (em_tick * 1.3) as i32;
        rect.bottom -= name_lines as i32 * line_h;
        draw_grid(
            root,
            style,
            rect,
            &x,
            &y,
            layout::Grid { x: false, y: true },
        )?;

        let px_x = |v: f64| scale(v, x.low, x.high, rect.left, rect.right);
        let px_y = |share: f64| {
            scale(
                share.clamp(0.0, 1.0) * 100.0,
                0.0,
                100.0,
                rect.bottom,
                rect.top,
            )
        };
        let interval = palette::INK.stroke_width(style.px(line::INTERVAL) as u32);
        let cap = (style.px(line::MARKER) * 4) / 5;
        let half_mark = style.px(REFERENCE_WIDTH) / 2;
        for (i, group) in self.groups.iter().enumerate() {
            let (left, right) = (px_x(i as f64 + 0.2), px_x(i as f64 + 0.8));
            let centre = px_x(i as f64 + 0.5);
            let reference = self.reference.as_ref().map(|r| r.values[i]);
            let share = group.retention.filter(|_| group.episodes > 0);
            if let Some(share) = share {
                root.draw(&Rectangle::new(
                    [(left, px_y(share)), (right, rect.bottom)],
                    BAR.filled(),
                ))?;
            }
            // The mark over the bar and under the interval, which stays visible.
            if let Some(r) = reference {
                let overhang = (OVERHANG * (px_x(1.0) - px_x(0.0)) as f64) as i32;
                let mark = px_y(r);
                root.draw(&PathElement::new(
                    vec![(left - overhang, mark), (right + overhang, mark)],
                    REFERENCE.stroke_width(style.px(REFERENCE_WIDTH) as u32),
                ))?;
                text(
                    root,
                    style,
                    &reference_label(r),
                    pt::ANNOTATION,
                    REFERENCE,
                    (right + overhang + pad, mark + (em * 0.36) as i32),
                    Align::Left,
                )?;
            }
            match share {
                Some(share) => {
                    let mut above = px_y(share);
                    if let Some((lo, hi)) = group.interval {
                        let (ylo, yhi) = (px_y(lo), px_y(hi));
                        root.draw(&PathElement::new(
                            vec![(centre, ylo), (centre, yhi)],
                            interval,
                        ))?;
                        for yy in [ylo, yhi] {
                            root.draw(&PathElement::new(
                                vec![(centre - cap, yy), (centre + cap, yy)],
                                interval,
                            ))?;
                        }
                        above = above.min(yhi);
                    }
                    // The value over the bar, lifted over a reference mark it would touch.
                    let mut baseline = above - pad;
                    if let Some(r) = reference {
                        let mark = px_y(r);
                        let cap_height = (em * 0.75) as i32;
                        if mark + half_mark + pad > baseline - cap_height
                            && mark - half_mark - pad < baseline
                        {
                            baseline = mark - half_mark - pad;
                        }
                    }
                    text(
                        root,
                        style,
                        &percent(share),
                        pt::ANNOTATION,
                        palette::INK,
                        (centre, baseline),
                        Align::Center,
                    )?;
                }
                None => {
                    text(
                        root,
                        style,
                        "no episodes",
                        pt::ANNOTATION,
                        palette::MUTED,
                        (centre, rect.bottom - pad - (em * 0.3) as i32),
                        Align::Center,
                    )?;
                }
            }
        }
        draw_axes(root, style, rect, &x, true, &y)?;

        // Names and counts under the axis, where tick labels would be.
        let first = rect.bottom + style.px(6.0) + (em_tick * 0.8) as i32;
        for (i, (lines, group)) in names.iter().zip(&self.groups).enumerate() {
            let centre = px_x(i as f64 + 0.5);
            for (k, l) in lines.iter().enumerate() {
                text(
                    root,
                    style,
                    l,
                    pt::TICK,
                    palette::INK,
                    (centre, first + k as i32 * line_h),
                    Align::Center,
                )?;
            }
            text(
                root,
                style,
                &format!("n = {}", super::thousands(group.episodes)),
                pt::TICK,
                palette::MUTED,
                (centre, first + name_lines as i32 * line_h),
                Align::Center,
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_groups_are_in_tarps_order() {
        let names: Vec<&str> = Voice::GROUPS.iter().map(|g| g.name()).collect();
        assert_eq!(
            names,
            [
                "did_not_complain",
                "complained_unresolved",
                "resolved",
                "resolved_quickly"
            ]
        );
        assert_eq!(LABELS.len(), Voice::GROUPS.len());
    }

    #[test]
    fn percentages_have_one_decimal() {
        assert_eq!(percent(0.286147), "28.6%");
        assert_eq!(percent(1.0), "100.0%");
    }
}
