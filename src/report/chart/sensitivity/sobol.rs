//! The Sobol' chart: per factor the bars of ST and S1 with their intervals, the panels
//! side by side sharing the factors' rows and the scale.

use super::panel::{
    estimates, halves, index_axis, panel_title, title_height, title_lines, x_axis, x_axis_height,
    x_grid,
};
use super::{S1_COLOUR, ST_COLOUR, Sensitivity};
use crate::report::chart::layout::{self, Align, Rect, fit, text, text_width};
use crate::report::chart::series::place;
use crate::report::chart::style::{Style, line, palette, pt};
use plotters::coord::Shift;
use plotters::prelude::*;

impl Sensitivity {
    /// Panels side by side, at most five to a row, sharing the factors' rows (named at
    /// the left of each row of panels) and the scale.
    pub(super) fn draw_sobol<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
        body: Rect,
    ) -> layout::Drawn<DB> {
        let n = self.panels.len().max(1);
        let factors = self.factors.len().max(1) as i32;
        let mut axis = index_axis("", self.panels.iter().flat_map(estimates), 5);
        let em = style.size.px(pt::TICK);
        let axis_h = x_axis_height(style, false);
        let last_row_title = x_axis_height(style, true) - axis_h;
        // Factor names take two lines where the rows of one row of panels have room
        // for two, so the panels keep their width.
        let band_of = |rows: usize, title_lines: usize| -> f64 {
            let gaps = style.px(10.0) * (rows as i32 - 1);
            let row_h = (body.height() - gaps) / rows as i32;
            (row_h - title_height(style, title_lines) - axis_h - last_row_title) as f64
                / factors as f64
        };
        let two_lines = band_of(1, 3) >= em * 2.2;
        let labels: Vec<Vec<String>> = self
            .factors
            .iter()
            .map(|f| {
                if two_lines {
                    halves(style, f)
                } else {
                    vec![f.clone()]
                }
            })
            .collect();
        let widest = labels
            .iter()
            .flatten()
            .map(|l| text_width(style, l, pt::TICK))
            .max()
            .unwrap_or(0);
        let labels_w = widest.min(body.width() * 7 / 20) + style.px(6.0);
        // Wide enough that the tick labels of neighbouring panels do not meet.
        let tick_w = axis
            .ticks
            .iter()
            .map(|(_, l)| text_width(style, l, pt::TICK))
            .max()
            .unwrap_or(0);
        let gap = style.px(10.0).max(tick_w + style.px(4.0));
        // As many panels to a row (five at most) as keep a panel wide enough for its
        // seed noise, the longest word of its title and its ticks, and the factors'
        // rows tall enough for their names; a narrow figure takes more rows of
        // panels only where the rows stay tall enough.
        let needed = self
            .panels
            .iter()
            .flat_map(|p| p.title.split(' '))
            .map(|w| text_width(style, w, pt::AXIS_TITLE))
            .chain([
                text_width(style, "seed noise 100.0%", pt::ANNOTATION),
                tick_w * (axis.ticks.len() as i32 + 1),
            ])
            .max()
            .unwrap_or(0)
            + style.px(4.0);
        let room = body.width() - labels_w;
        let line_h = em * 1.1 * if two_lines { 2.0 } else { 1.0 };
        let wide = |k: usize| (room - gap * (k as i32 - 1)) / k as i32 >= needed;
        let tall = |k: usize| band_of(n.div_ceil(k), 3) >= line_h;
        let most = n.min(5);
        let per_row = (1..=most)
            .rev()
            .find(|&k| wide(k) && tall(k))
            .or_else(|| (1..=most).rev().find(|&k| tall(k)))
            .unwrap_or(most);
        let rows = n.div_ceil(per_row);
        let row_h = (body.height() - gap * (rows as i32 - 1)) / rows as i32;
        let panel_w = (body.width() - labels_w - gap * (per_row as i32 - 1)) / per_row as i32;
        // Panels share their rows of factors, so their titles take the same height.
        let lines = self
            .panels
            .iter()
            .map(|p| title_lines(style, p, panel_w).len())
            .max()
            .unwrap_or(1)
            .max(1);
        let title_h = title_height(style, lines);
        for (p, panel) in self.panels.iter().enumerate() {
            let (r, c) = ((p / per_row) as i32, (p % per_row) as i32);
            let left = body.left + labels_w + c * (panel_w + gap);
            let cell = Rect {
                left,
                right: left + panel_w,
                top: body.top + r * (row_h + gap),
                bottom: body.top + r * (row_h + gap) + row_h,
            };
            panel_title(root, style, panel, cell)?;
            let rect = Rect {
                top: cell.top + title_h,
                bottom: cell.bottom - axis_h - last_row_title,
                ..cell
            };
            if rect.height() <= 0 || rect.width() <= 0 {
                continue;
            }
            x_grid(root, style, rect, &axis)?;
            let band = rect.height() as f64 / self.factors.len().max(1) as f64;
            let px = |v: f64| place(v, axis.low, axis.high, rect.left, rect.right);
            let zero = px(0.0);
            for (j, (s1, st)) in panel.indices.iter().enumerate() {
                let y0 = rect.top as f64 + band * j as f64;
                let bar = (band * 0.32).max(1.0);
                // ST above, S1 below, around the band's middle.
                for (k, (est, colour)) in [(st, ST_COLOUR), (s1, S1_COLOUR)].iter().enumerate() {
                    let Some(e) = est else { continue };
                    let a = (y0 + band * 0.5 + (k as f64 - 1.0) * bar).round() as i32;
                    let b = (a as f64 + bar).round() as i32;
                    let x = px(e.value);
                    root.draw(&Rectangle::new(
                        [(zero.min(x), a), (zero.max(x), b.max(a + 1))],
                        colour.filled(),
                    ))?;
                    if let Some((lo, hi)) = e.interval {
                        let mid = (a + b) / 2;
                        let s = palette::INK.stroke_width(style.px(line::INTERVAL) as u32);
                        root.draw(&PathElement::new(vec![(px(lo), mid), (px(hi), mid)], s))?;
                        let cap = ((b - a) / 3).max(1);
                        for x in [px(lo), px(hi)] {
                            root.draw(&PathElement::new(vec![(x, mid - cap), (x, mid + cap)], s))?;
                        }
                    }
                }
                // Names where their rows have room: every one, or on rows too
                // short for a line, every so many.
                let every = ((line_h / band).ceil() as usize).max(1);
                if c == 0 && j % every == 0 {
                    let lines = &labels[j];
                    let lead = em * 1.1;
                    let first = y0 + band * 0.5 + em * 0.36 - lead * (lines.len() - 1) as f64 / 2.0;
                    for (k, l) in lines.iter().enumerate() {
                        let l = fit(style, l, pt::TICK, labels_w - style.px(6.0));
                        text(
                            root,
                            style,
                            &l,
                            pt::TICK,
                            palette::INK,
                            (rect.left - style.px(6.0), (first + lead * k as f64) as i32),
                            Align::Right,
                        )?;
                    }
                }
            }
            // The 0 line and the axis.
            let s = palette::INK.stroke_width(style.px(line::AXIS) as u32);
            root.draw(&PathElement::new(
                vec![(zero, rect.top), (zero, rect.bottom)],
                s,
            ))?;
            x_axis(root, style, rect, &axis)?;
            // One axis title under each row of panels.
            if c == 0 {
                let last = (p + per_row).min(n) - 1;
                let right =
                    body.left + labels_w + (last % per_row) as i32 * (panel_w + gap) + panel_w;
                axis.title = "Sobol' index: share of the metric's variance".into();
                let title = fit(style, &axis.title, pt::AXIS_TITLE, right - rect.left);
                let y = rect.bottom + axis_h + style.px(5.0) + style.size.px(pt::AXIS_TITLE) as i32;
                text(
                    root,
                    style,
                    &title,
                    pt::AXIS_TITLE,
                    palette::INK,
                    ((rect.left + right) / 2, y),
                    Align::Center,
                )?;
                axis.title = String::new();
            }
        }
        Ok(())
    }
}
