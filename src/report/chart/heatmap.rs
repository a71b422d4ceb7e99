//! `heatmap`: a metric over two parameters, one cell per combination, coloured on
//! viridis (readable in colour blindness and in grey) with the value written in the
//! cell.
//!
//! Of runs: a headline metric of `summary.json`, drawn only when exactly two scenario
//! fields differ between the runs; runs that share a cell are averaged. Of a sweep: any
//! metric of the table, its mean over each point's replications, drawn only for a grid
//! design in which exactly two fields vary and both apply at every point (a cell of a
//! field that changes nothing there would show a value it did not make). The colour
//! scale is explained by a bar to the right of the data.

use super::Chart;
use super::compare::Comparison;
use super::layout::{
    self, Align, Axis, Frame, Rect, draw_axes, header, number, plot_rect, scale, text, text_up,
    text_width,
};
use super::results::RunFolder;
use super::retention_curve::{inner, short};
use super::style::{Style, palette, pt};
use super::sweep::SweepFolder;
use super::words;
use crate::parameter::Design;
use plotters::coord::Shift;
use plotters::prelude::*;

/// A metric over a grid of two parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    pub frame: Frame,
    /// The x parameter and its levels, left to right.
    pub x: (String, Vec<String>),
    /// The y parameter and its levels, bottom to top.
    pub y: (String, Vec<String>),
    /// `values[yi][xi]`, missing where no run has that combination.
    pub values: Vec<Vec<Option<f64>>>,
    /// The metric's title with units, for the colour bar.
    pub metric: String,
    /// Whether the metric is a share shown in percent.
    pub percent: bool,
}

/// The title of a metric of the table with its unit, and whether it is a share.
fn describe(metric: &str) -> (String, bool) {
    (
        words::metric_title(metric).unwrap_or_default(),
        words::is_share(metric),
    )
}

impl Heatmap {
    pub const NAME: &'static str = "heatmap";
    pub const TITLE: &'static str = "Outcome over two parameters";

    /// The heatmap of `metric`, or why there is none.
    pub fn from_runs(
        runs: &[RunFolder],
        comparison: &Comparison,
        metric: &str,
        frame: Frame,
    ) -> Result<Heatmap, String> {
        if comparison.fields.len() != 2 {
            return Err(format!(
                "needs exactly two scenario fields that differ between the runs, found {}{}",
                comparison.fields.len(),
                if comparison.fields.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", comparison.fields.join(", "))
                }
            ));
        }
        let (xs, ys) = (comparison.levels(0), comparison.levels(1));
        let mut sums = vec![vec![(0.0, 0u32); xs.len()]; ys.len()];
        for (run, v) in runs.iter().zip(&comparison.values) {
            let xi = xs.iter().position(|l| *l == v[0]).expect("a level");
            let yi = ys.iter().position(|l| *l == v[1]).expect("a level");
            if let Some(m) = run.summary.metric(metric).filter(|m| m.is_finite()) {
                sums[yi][xi].0 += m;
                sums[yi][xi].1 += 1;
            }
        }
        let (title, percent) = describe(metric);
        let mut frame = frame;
        if frame.title == Self::TITLE {
            frame.title = format!(
                "{} by {} and {}",
                title_of(&title),
                lower(&comparison.names[0]),
                lower(&comparison.names[1])
            );
        }
        Ok(Heatmap {
            frame,
            x: (comparison.names[0].clone(), comparison.level_words(0)),
            y: (comparison.names[1].clone(), comparison.level_words(1)),
            values: means(sums),
            metric: title,
            percent,
        })
    }

    /// The heatmap of `metric` over the two fields a grid sweep varies, or why there is
    /// none.
    pub fn from_sweep(folder: &SweepFolder, metric: &str, frame: Frame) -> Result<Heatmap, String> {
        let varying = folder.varying();
        if folder.sweep.design != Design::Grid {
            return Err(format!(
                "needs a grid design over exactly two fields; this sweep is a {} over {} \
                 field{}",
                folder.design_words(),
                folder.paths.len(),
                if folder.paths.len() == 1 { "" } else { "s" }
            ));
        }
        if varying.len() != 2 {
            return Err(format!(
                "needs exactly two swept fields that vary, found {}{}",
                varying.len(),
                if varying.is_empty() {
                    String::new()
                } else {
                    let paths: Vec<&str> =
                        varying.iter().map(|&k| folder.paths[k].as_str()).collect();
                    format!(" ({})", paths.join(", "))
                }
            ));
        }
        if let Some(&k) = varying.iter().find(|&&k| !folder.applies_everywhere(k)) {
            let idle = folder.applies.iter().filter(|a| !a[k]).count();
            return Err(format!(
                "{} changes nothing at {idle} of the {} points, so its cells there would \
                 show values it did not make",
                folder.paths[k],
                folder.points.len()
            ));
        }
        if !folder.has_metric(metric) {
            return Err(format!("sweep_summary.csv has no columns for {metric}"));
        }
        let (kx, ky) = (varying[0], varying[1]);
        let (xs, ys) = (sorted_levels(folder, kx), sorted_levels(folder, ky));
        let mut sums = vec![vec![(0.0, 0u32); xs.len()]; ys.len()];
        for p in &folder.points {
            let xi = xs.iter().position(|l| *l == p.values[kx]);
            let yi = ys.iter().position(|l| *l == p.values[ky]);
            if let (Some(xi), Some(yi), Some(m)) = (xi, yi, p.mean(metric))
                && m.is_finite()
            {
                sums[yi][xi].0 += m;
                sums[yi][xi].1 += 1;
            }
        }
        let (title, percent) = describe(metric);
        let (xname, yname) = (
            words::capitalised(&folder.field_words(kx)),
            words::capitalised(&folder.field_words(ky)),
        );
        let mut frame = frame;
        if frame.title == Self::TITLE {
            frame.title = format!(
                "{} by {} and {}",
                title_of(&title),
                lower(&xname),
                lower(&yname)
            );
        }
        let said = |k: usize, levels: &[String]| -> Vec<String> {
            levels
                .iter()
                .map(|v| words::value(&folder.paths[k], v))
                .collect()
        };
        Ok(Heatmap {
            frame,
            x: (xname, said(kx, &xs)),
            y: (yname, said(ky, &ys)),
            values: means(sums),
            metric: title,
            percent,
        })
    }

    fn display(&self, v: f64) -> String {
        if self.percent {
            format!("{:.1}", v * 100.0)
        } else {
            short(v)
        }
    }
}

/// "Retention per period (%)" → "Retention per period".
fn title_of(metric_title: &str) -> &str {
    metric_title.split(" (").next().unwrap_or(metric_title)
}

/// A field's words in a title's running text: lower case unless they begin with a
/// name ("Alpha's price" stays, "Procedural switching cost" → "procedural …").
fn lower(words: &str) -> String {
    let mut chars = words.chars();
    match (chars.next(), words.split(' ').next()) {
        (Some(c), Some(first)) if !first.contains('\'') => c.to_lowercase().chain(chars).collect(),
        _ => words.to_string(),
    }
}

/// The averages of cells of (sum, count), missing where nothing fell in.
fn means(sums: Vec<Vec<(f64, u32)>>) -> Vec<Vec<Option<f64>>> {
    sums.into_iter()
        .map(|row| {
            row.into_iter()
                .map(|(s, n)| (n > 0).then(|| s / n as f64))
                .collect()
        })
        .collect()
}

/// The values of swept field `k`, by their numbers where all are numbers (a constraint
/// level counts as its R), otherwise in the sweep's order.
fn sorted_levels(folder: &SweepFolder, k: usize) -> Vec<String> {
    let mut levels = folder.levels(k);
    if folder.is_numeric(k) {
        let n = |v: &String| super::compare::numeric(v).unwrap_or(0.0);
        levels.sort_by(|a, b| n(a).total_cmp(&n(b)));
    }
    levels
}

impl Chart for Heatmap {
    const NAME: &'static str = Heatmap::NAME;

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> layout::Drawn<DB> {
        let area = inner(root, style);
        let top = area.top + header(root, style, &self.frame, area)? + style.px(12.0);
        let mut x = Axis::categories(self.x.0.clone(), &self.x.1);
        let mut y = Axis::categories(self.y.0.clone(), &self.y.1);
        // Levels are the varied fields' values, any text: those of the y axis take at
        // most a quarter of the width (longer ones end in "…"), those of the x axis their
        // cell, below (an "…" alone, or nothing, where the cells are too narrow).
        for (_, label) in &mut y.ticks {
            *label = layout::fit(style, label, pt::TICK, area.width() / 4).into_owned();
        }
        let values: Vec<f64> = self.values.iter().flatten().flatten().copied().collect();
        let (lo, hi) = values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(*v), b.max(*v))
            });
        let (lo, hi) = if lo.is_finite() && hi > lo {
            (lo, hi)
        } else if lo.is_finite() {
            // Wide enough to be a range however large the value.
            let pad = 0.5e-3_f64.max(lo.abs() * 1e-9);
            (lo - pad, hi + pad)
        } else {
            (0.0, 1.0)
        };
        let unit = if self.percent { 100.0 } else { 1.0 };
        let bar_axis = Axis::linear(self.metric.clone(), lo * unit, hi * unit, 4, number);
        // The colour bar: a strip, its tick labels and its title, right of the data.
        let bar_w = style.px(9.0);
        let bar_labels = bar_axis
            .ticks
            .iter()
            .map(|(_, l)| text_width(style, l, pt::TICK))
            .max()
            .unwrap_or(0);
        let bar_space = style.px(14.0)
            + bar_w
            + style.px(4.0)
            + bar_labels
            + style.px(8.0)
            + style.size.px(pt::AXIS_TITLE) as i32;
        let rect = plot_rect(
            style,
            Rect {
                top,
                right: area.right - bar_space,
                ..area
            },
            Some(&x),
            &y,
        );

        let cell = rect.width() / self.x.1.len().max(1) as i32 - style.px(3.0);
        for (_, label) in &mut x.ticks {
            *label = layout::fit(style, label, pt::TICK, cell).into_owned();
        }
        y.title = layout::fit(style, &y.title, pt::AXIS_TITLE, rect.height()).into_owned();

        let t = |v: f64| (v - lo) / (hi - lo);
        let cell_h = rect.height() as f64 / self.y.1.len().max(1) as f64;
        let cell_w = rect.width() as f64 / self.x.1.len().max(1) as f64;
        let em = style.size.px(pt::ANNOTATION);
        for (yi, row) in self.values.iter().enumerate() {
            for (xi, v) in row.iter().enumerate() {
                let x0 = scale(xi as f64, x.low, x.high, rect.left, rect.right);
                let x1 = scale(xi as f64 + 1.0, x.low, x.high, rect.left, rect.right);
                let y0 = scale(yi as f64, y.low, y.high, rect.bottom, rect.top);
                let y1 = scale(yi as f64 + 1.0, y.low, y.high, rect.bottom, rect.top);
                let (fill, label) = match v {
                    Some(v) => (palette::viridis(t(*v)), self.display(*v)),
                    None => (palette::GRID, "n/a".to_string()),
                };
                root.draw(&Rectangle::new([(x0, y1), (x1, y0)], fill.filled()))?;
                root.draw(&Rectangle::new(
                    [(x0, y1), (x1, y0)],
                    RGBColor(255, 255, 255).stroke_width(style.px(1.0) as u32),
                ))?;
                let fits = text_width(style, &label, pt::ANNOTATION) as f64 + em < cell_w
                    && em * 1.6 < cell_h;
                if fits {
                    let ink = if palette::is_dark(fill) {
                        RGBColor(255, 255, 255)
                    } else {
                        palette::INK
                    };
                    let cy = (y0 + y1) / 2 + (em * 0.36) as i32;
                    text(
                        root,
                        style,
                        &label,
                        pt::ANNOTATION,
                        ink,
                        ((x0 + x1) / 2, cy),
                        Align::Center,
                    )?;
                }
            }
        }
        draw_axes(root, style, rect, &x, true, &y)?;

        // Colour bar.
        let bx = rect.right + style.px(14.0);
        let steps = 64;
        for i in 0..steps {
            let a = scale(i as f64, 0.0, steps as f64, rect.bottom, rect.top);
            let b = scale(i as f64 + 1.0, 0.0, steps as f64, rect.bottom, rect.top);
            let c = palette::viridis((i as f64 + 0.5) / steps as f64);
            root.draw(&Rectangle::new([(bx, b), (bx + bar_w, a)], c.filled()))?;
        }
        let s = palette::INK.stroke_width(style.px(0.6) as u32);
        let tick = style.px(2.5);
        for (v, l) in &bar_axis.ticks {
            let py = scale(*v, bar_axis.low, bar_axis.high, rect.bottom, rect.top);
            root.draw(&PathElement::new(
                vec![(bx + bar_w, py), (bx + bar_w + tick, py)],
                s,
            ))?;
            text(
                root,
                style,
                l,
                pt::TICK,
                palette::INK,
                (
                    bx + bar_w + tick + style.px(2.0),
                    py + (style.size.px(pt::TICK) * 0.36) as i32,
                ),
                Align::Left,
            )?;
        }
        // Rotated text reads upwards with its glyphs left of the baseline.
        let title_x = bx
            + bar_w
            + tick
            + style.px(2.0)
            + bar_labels
            + style.px(6.0)
            + (style.size.px(pt::AXIS_TITLE) * 0.8) as i32;
        text_up(
            root,
            style,
            &self.metric,
            pt::AXIS_TITLE,
            palette::INK,
            (title_x, (rect.top + rect.bottom) / 2),
        )
    }
}
