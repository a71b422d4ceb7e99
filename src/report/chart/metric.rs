//! `metric`: one metric of a sweep against a swept field, its mean over each point's
//! replications with the 95% t-interval (`sweep_summary.csv`), one line per value of
//! the other swept fields; drawn once per metric (`metric_retention.png`, …).
//!
//! Which field goes along the x axis:
//!
//! - the first swept field that takes numbers (a constraint level counts as its R, so
//!   `none`, `low`, … sit at 0, 0.5, …; R = ∞ goes in a column marked ∞ at the right)
//!   and applies at every point; the other varying fields make the lines (in a zip,
//!   where they move with it, only those that are not numbers);
//! - when no numeric field applies at every point but each is part of the constraint
//!   (`constraint.r` of the reduced points and a switching cost of the structural ones
//!   in `constraint_benchmark.toml`), the points' mean effective R, on which both forms
//!   agree, with a line per form: R is never read off a field that changed nothing at
//!   a point;
//! - otherwise the first numeric field, leaving out, and saying so, the points where
//!   it changes nothing; and when no swept field takes numbers, the values of the first
//!   as categories, unjoined.
//!
//! Points of a grid or zip are joined by lines; those of a random or Latin hypercube
//! design are draws, shown as points alone. A Morris or Sobol' design places its points
//! for the indices of the `sensitivity` chart, so it has no metric charts. Points
//! without a value (a correlation where nobody left) are left out with a note saying how
//! many and why.

use super::correlation_vs_r::infinity_axis;
use super::layout::{
    self, Align, Axis, Entry, Frame, Key, Legend, Rect, Shape, draw_axes, draw_grid, header,
    nice_step, number, plot_rect, text,
};
use super::retention_curve::inner;
use super::series::{Look, dodge, place};
use super::style::{Style, palette, pt};
use super::sweep::SweepFolder;
use super::{Chart, words};
use crate::parameter::Design;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The metrics drawn when none is asked for.
pub const DEFAULT_METRICS: [&str; 4] = [
    "retention",
    "correlation_cs_staying",
    "hostage_share",
    "profit",
];

/// One point: where on the x axis (may be infinite), the mean and its interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricPoint {
    pub x: f64,
    pub mean: f64,
    pub interval: Option<(f64, f64)>,
}

/// The points of one line.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricLine {
    pub label: String,
    pub points: Vec<MetricPoint>,
}

/// What the x axis holds.
#[derive(Debug, Clone, PartialEq)]
pub enum XScale {
    /// Numbers; infinite ones in a column marked ∞.
    Numbers,
    /// Named values; the i-th at `i + 0.5`.
    Categories(Vec<String>),
}

/// A metric against a swept field.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricChart {
    pub frame: Frame,
    /// The metric's name in the table, for the file's name.
    pub metric: String,
    pub y_title: String,
    /// A share, drawn in percent.
    pub percent: bool,
    pub x_title: String,
    pub x: XScale,
    /// What the line labels are values of.
    pub heading: Option<String>,
    pub lines: Vec<MetricLine>,
    /// Whether a line's points are joined.
    pub connect: bool,
    /// What is left out and why.
    pub notes: Vec<String>,
    pub interval_label: String,
}

/// Where the x of a point comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
enum X {
    Field(usize),
    EffectiveR,
    Category(usize),
}

impl MetricChart {
    pub const NAME: &'static str = "metric";

    /// "Retention per period across the sweep".
    pub fn title(metric: &str) -> String {
        format!("{} across the sweep", words::metric_name(metric))
    }

    /// The chart of `metric` over the sweep, or why there is none.
    pub fn from_sweep(
        folder: &SweepFolder,
        metric: &str,
        frame: Frame,
    ) -> Result<MetricChart, String> {
        if folder.sweep.design.is_sensitivity() {
            return Err(format!(
                "a {} places its points for the sensitivity indices, not along a field \
                 (see the sensitivity chart)",
                folder.design_words()
            ));
        }
        if !folder.has_metric(metric) {
            return Err(format!("sweep_summary.csv has no columns for {metric}"));
        }
        let varying = folder.varying();
        let (categorical, numeric): (Vec<usize>, Vec<usize>) =
            varying.iter().partition(|&&k| !folder.is_numeric(k));
        let x = match numeric.iter().find(|&&k| folder.applies_everywhere(k)) {
            Some(&k) => X::Field(k),
            None if !numeric.is_empty()
                && numeric
                    .iter()
                    .all(|&k| words::shapes_constraint(&folder.paths[k])) =>
            {
                X::EffectiveR
            }
            None => match (numeric.first(), categorical.first()) {
                (Some(&k), _) => X::Field(k),
                (None, Some(&k)) => X::Category(k),
                (None, None) => {
                    return Err("no swept field takes more than one value".into());
                }
            },
        };
        let is_x = |k: usize| matches!(x, X::Field(j) | X::Category(j) if j == k);
        let mut key: Vec<usize> = match x {
            X::EffectiveR => varying
                .iter()
                .copied()
                .filter(|&k| !folder.is_numeric(k) || !words::shapes_constraint(&folder.paths[k]))
                .collect(),
            X::Category(_) => categorical.iter().copied().filter(|&k| !is_x(k)).collect(),
            X::Field(_) => varying.iter().copied().filter(|&k| !is_x(k)).collect(),
        };
        let categories = match x {
            X::Category(k) => folder.levels(k),
            _ => Vec::new(),
        };
        let mut notes = Vec::new();
        let mut not_applying = 0;
        let mut undefined = 0;
        let mut no_r = 0;
        // (key values, point)
        let mut placed: Vec<(Vec<String>, MetricPoint)> = Vec::new();
        for (i, p) in folder.points.iter().enumerate() {
            let at = match x {
                X::Field(k) if !folder.applies[i][k] => {
                    not_applying += 1;
                    continue;
                }
                X::Field(k) => super::compare::numeric(&p.values[k]),
                X::Category(k) => categories
                    .iter()
                    .position(|c| *c == p.values[k])
                    .map(|c| c as f64 + 0.5),
                X::EffectiveR => p.mean("mean_r_eff"),
            };
            let Some(at) = at else {
                no_r += 1;
                continue;
            };
            let Some(mean) = p.mean(metric).filter(|m| m.is_finite()) else {
                undefined += 1;
                continue;
            };
            let values = key
                .iter()
                .map(|&k| {
                    if folder.applies[i][k] {
                        p.values[k].clone()
                    } else {
                        String::new()
                    }
                })
                .collect();
            placed.push((
                values,
                MetricPoint {
                    x: at,
                    mean,
                    interval: p.interval(metric),
                },
            ));
        }
        // In a zip or a draw the other fields move with x: lines of one point each say
        // nothing, so only the fields that are not numbers split the lines, or none.
        let singletons = |key_len: usize, placed: &[(Vec<String>, MetricPoint)]| {
            let mut seen: Vec<&[String]> = Vec::new();
            for (v, _) in placed {
                if !seen.contains(&&v[..key_len]) {
                    seen.push(&v[..key_len]);
                }
            }
            placed.len() > 1 && seen.len() == placed.len()
        };
        if !key.is_empty() && singletons(key.len(), &placed) {
            let keep: Vec<bool> = key.iter().map(|&k| !folder.is_numeric(k)).collect();
            for (v, _) in &mut placed {
                let mut j = 0;
                v.retain(|_| {
                    j += 1;
                    keep[j - 1]
                });
            }
            key.retain(|&k| !folder.is_numeric(k));
            if singletons(key.len(), &placed) {
                for (v, _) in &mut placed {
                    v.clear();
                }
                key.clear();
            }
        }
        let mut lines: Vec<(Vec<String>, MetricLine)> = Vec::new();
        for (values, point) in placed {
            let label = line_label(folder, &key, &values);
            match lines.iter_mut().find(|(v, _)| *v == values) {
                Some((_, line)) => line.points.push(point),
                None => lines.push((
                    values,
                    MetricLine {
                        label,
                        points: vec![point],
                    },
                )),
            }
        }
        let mut lines: Vec<MetricLine> = lines.into_iter().map(|(_, l)| l).collect();
        for l in &mut lines {
            l.points.sort_by(|a, b| a.x.total_cmp(&b.x));
        }
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        if not_applying > 0
            && let X::Field(k) = x
        {
            notes.push(format!(
                "Not shown: {not_applying} point{} where {} changes nothing",
                plural(not_applying),
                folder.field_words(k)
            ));
        }
        if no_r > 0 {
            notes.push(format!(
                "Not shown: {no_r} point{} without an effective R",
                plural(no_r)
            ));
        }
        if undefined > 0 {
            notes.push(format!(
                "Not shown: {undefined} point{} where {} has no value ({})",
                plural(undefined),
                words::lower_first(&words::metric_name(metric)),
                words::undefined_because(metric)
            ));
        }
        let heading = match key.as_slice() {
            [k] if !matches!(
                folder.paths[*k].as_str(),
                "constraint.r" | "constraint.form"
            ) =>
            {
                Some(words::capitalised(&folder.field_words(*k)))
            }
            _ => None,
        };
        let x_title = match x {
            X::Field(k) | X::Category(k) => words::capitalised(&folder.field_words(k)),
            X::EffectiveR => "Constraint strength: effective R (mean over the point's runs)".into(),
        };
        let reps = folder.sweep.replications;
        Ok(MetricChart {
            frame,
            metric: metric.to_string(),
            y_title: words::metric_title(metric).unwrap_or_else(|| metric.to_string()),
            percent: words::is_share(metric),
            x_title,
            x: match x {
                X::Category(_) => XScale::Categories(
                    categories
                        .iter()
                        .map(|c| match x {
                            X::Category(k) => words::value(&folder.paths[k], c),
                            _ => c.clone(),
                        })
                        .collect(),
                ),
                _ => XScale::Numbers,
            },
            heading,
            lines,
            connect: matches!(folder.sweep.design, Design::Grid | Design::Zip)
                && !matches!(x, X::Category(_)),
            notes,
            interval_label: if reps > 1 {
                format!("Mean and 95% t-interval over {reps} replications")
            } else {
                "Mean of one replication (no interval)".into()
            },
        })
    }
}

/// A line's label: the value alone under a heading when one field splits the lines,
/// otherwise each field with its value.
fn line_label(folder: &SweepFolder, key: &[usize], values: &[String]) -> String {
    let parts: Vec<String> = key
        .iter()
        .zip(values)
        .filter(|(_, v)| !v.is_empty())
        .map(|(&k, v)| {
            if key.len() == 1 {
                words::value(&folder.paths[k], v)
            } else {
                words::labelled(&folder.paths[k], v, &folder.scenario)
            }
        })
        .collect();
    words::capitalised(&parts.join(", "))
}

impl Chart for MetricChart {
    const NAME: &'static str = MetricChart::NAME;

    fn file_stem(&self) -> String {
        format!("{}_{}", Self::NAME, self.metric)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> layout::Drawn<DB> {
        let area = inner(root, style);
        let mut top = area.top + header(root, style, &self.frame, area)? + style.px(8.0);
        let unit = if self.percent { 100.0 } else { 1.0 };
        let points = || self.lines.iter().flat_map(|l| l.points.iter());
        let (x, infinity_at) = match &self.x {
            XScale::Categories(names) => (Axis::categories(self.x_title.clone(), names), 0.0),
            XScale::Numbers => {
                let finite = || points().map(|p| p.x).filter(|v| v.is_finite());
                let low = finite().fold(f64::INFINITY, f64::min);
                let high = finite().fold(f64::NEG_INFINITY, f64::max);
                let (low, high) = if low <= high { (low, high) } else { (0.0, 1.0) };
                let low = if low >= 0.0 && low <= (high - low) * 0.5 {
                    0.0
                } else {
                    low
                };
                let any_infinite = points().any(|p| p.x.is_infinite());
                infinity_axis(self.x_title.clone(), low, high, any_infinite)
            }
        };
        let (lo, hi) = points().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            let (l, h) = p.interval.unwrap_or((p.mean, p.mean));
            (a.min(l.min(p.mean)), b.max(h.max(p.mean)))
        });
        let (lo, hi) = if lo.is_finite() && hi.is_finite() {
            (lo * unit, hi * unit)
        } else {
            (0.0, 1.0)
        };
        let span = (hi - lo).max(hi.abs().max(lo.abs()) * 1e-3).max(1e-9);
        let step = nice_step(span, 5);
        let (y_low, y_high) = ((lo / step).floor() * step, (hi / step).ceil() * step);
        let mut y = Axis::linear(
            self.y_title.clone(),
            y_low,
            y_high.max(y_low + step),
            5,
            number,
        );
        // Nothing on the frame: a little room beyond the outer ticks.
        let pad = (y.high - y.low) * 0.03;
        y.low -= pad;
        y.high += pad;

        let mut entries: Vec<Entry> = self
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| !l.label.is_empty())
            .map(|(i, l)| Entry {
                label: l.label.clone(),
                key: Look::nth(i).key(),
            })
            .collect();
        let key = if points().any(|p| p.interval.is_some()) {
            Key::Interval {
                color: palette::INK,
                shape: Shape::Circle,
            }
        } else {
            Key::Marker {
                color: palette::INK,
                shape: Shape::Circle,
            }
        };
        entries.push(Entry {
            label: self.interval_label.clone(),
            key,
        });
        let legend = Legend {
            heading: self.heading.as_ref().map(|h| format!("{h}:")),
            entries,
            heading_room: 0.0,
        };
        let probe = plot_rect(style, Rect { top, ..area }, Some(&x), &y);
        let width = area.right - probe.left;
        legend.draw(root, style, probe.left, top, width)?;
        top += legend.height(style, width) + style.px(4.0);
        for note in &self.notes {
            top += style.size.px(pt::ANNOTATION) as i32;
            text(
                root,
                style,
                note,
                pt::ANNOTATION,
                palette::MUTED,
                (probe.left, top),
                Align::Left,
            )?;
            top += style.px(3.0);
        }
        top += style.px(6.0);
        let rect = plot_rect(style, Rect { top, ..area }, Some(&x), &y);
        draw_grid(root, style, rect, &x, &y, layout::Grid { x: true, y: true })?;
        let gaps: Vec<i32> = x
            .ticks
            .windows(2)
            .map(|w| {
                place(w[1].0, x.low, x.high, rect.left, rect.right)
                    - place(w[0].0, x.low, x.high, rect.left, rect.right)
            })
            .collect();
        let room = gaps.iter().copied().min().unwrap_or(rect.width()) / 6;
        let n = self.lines.len();
        let py = |v: f64| place(v * unit, y.low, y.high, rect.bottom, rect.top);
        let px = |i: usize, p: &MetricPoint| {
            let at = if p.x.is_infinite() { infinity_at } else { p.x };
            (
                place(at, x.low, x.high, rect.left, rect.right) + dodge(style, i, n, room),
                py(p.mean),
            )
        };
        let joined: Vec<Vec<Option<(i32, i32)>>> = self
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                l.points
                    .iter()
                    .filter(|p| self.connect && p.x.is_finite())
                    .map(|p| Some(px(i, p)))
                    .collect()
            })
            .collect();
        for (i, points) in joined.iter().enumerate() {
            Look::nth(i).draw_halo(root, style, points)?;
        }
        for (i, points) in joined.iter().enumerate() {
            Look::nth(i).draw_line(root, style, points)?;
        }
        for (i, l) in self.lines.iter().enumerate() {
            for p in &l.points {
                let interval = p.interval.map(|(a, b)| (py(a), py(b)));
                Look::nth(i).draw_point(root, style, px(i, p), interval)?;
            }
        }
        if self.lines.is_empty() {
            text(
                root,
                style,
                "No point has a value of this metric.",
                pt::ANNOTATION,
                palette::MUTED,
                ((rect.left + rect.right) / 2, (rect.top + rect.bottom) / 2),
                Align::Center,
            )?;
        }
        draw_axes(root, style, rect, &x, true, &y)
    }
}
