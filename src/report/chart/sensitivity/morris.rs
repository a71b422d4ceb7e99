//! The Morris chart: per metric a scatter of μ* against σ, a marker per factor, with
//! the diagonal σ = μ*.

use super::Sensitivity;
use super::panel::{
    index_axis, longest_fitting, panel_title, title_height, title_lines, x_axis, x_axis_height,
    x_grid,
};
use crate::report::chart::layout::{self, Align, Rect, text, text_up, text_width};
use crate::report::chart::series::{Look, place, whisker};
use crate::report::chart::style::{Style, line, palette, pt};
use plotters::coord::Shift;
use plotters::prelude::*;

impl Sensitivity {
    /// A grid of scatter panels, each with its own scale.
    pub(super) fn draw_morris<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
        body: Rect,
    ) -> layout::Drawn<DB> {
        let n = self.panels.len().max(1);
        let cols = if n <= 3 {
            n
        } else {
            (n as f64).sqrt().ceil() as usize
        };
        let rows = n.div_ceil(cols);
        let gap = style.px(14.0);
        let cell_w = (body.width() - gap * (cols as i32 - 1)) / cols as i32;
        let cell_h = (body.height() - gap * (rows as i32 - 1)) / rows as i32;
        for (p, panel) in self.panels.iter().enumerate() {
            let (r, c) = ((p / cols) as i32, (p % cols) as i32);
            let cell = Rect {
                left: body.left + c * (cell_w + gap),
                right: body.left + c * (cell_w + gap) + cell_w,
                top: body.top + r * (cell_h + gap),
                bottom: body.top + r * (cell_h + gap) + cell_h,
            };
            panel_title(root, style, panel, cell)?;
            let title_h = title_height(style, title_lines(style, panel, cell.width()).len().max(1));
            let mu: Vec<f64> = panel
                .indices
                .iter()
                .flat_map(|(m, _)| m)
                .flat_map(|e| [e.value, e.interval.map_or(e.value, |i| i.1)])
                .collect();
            let sigma: Vec<f64> = panel
                .indices
                .iter()
                .flat_map(|(_, s)| s)
                .flat_map(|e| [e.value, e.interval.map_or(e.value, |i| i.1)])
                .collect();
            let mut x = index_axis("", mu.into_iter(), 4);
            let y = index_axis("", sigma.into_iter(), 4);
            let y_labels = y
                .ticks
                .iter()
                .map(|(_, l)| text_width(style, l, pt::TICK))
                .max()
                .unwrap_or(0);
            let rect = Rect {
                left: cell.left
                    + (style.size.px(pt::AXIS_TITLE) * 1.3) as i32
                    + y_labels
                    + style.px(6.0),
                right: cell.right - style.px(4.0),
                top: cell.top + title_h,
                bottom: cell.bottom - x_axis_height(style, true),
            };
            if rect.height() <= 0 || rect.width() <= 0 {
                continue;
            }
            let px = |v: f64| place(v, x.low, x.high, rect.left, rect.right);
            let py = |v: f64| place(v, y.low, y.high, rect.bottom, rect.top);
            x_grid(root, style, rect, &x)?;
            let grid = palette::GRID.stroke_width(style.px(line::GRID) as u32);
            let s = palette::INK.stroke_width(style.px(line::AXIS) as u32);
            let tick = style.px(3.0);
            for (v, l) in &y.ticks {
                let yy = py(*v);
                root.draw(&PathElement::new(
                    vec![(rect.left, yy), (rect.right, yy)],
                    grid,
                ))?;
                root.draw(&PathElement::new(
                    vec![(rect.left - tick, yy), (rect.left, yy)],
                    s,
                ))?;
                text(
                    root,
                    style,
                    l,
                    pt::TICK,
                    palette::INK,
                    (
                        rect.left - tick * 2,
                        yy + (style.size.px(pt::TICK) * 0.36) as i32,
                    ),
                    Align::Right,
                )?;
            }
            root.draw(&PathElement::new(
                vec![(rect.left, rect.top), (rect.left, rect.bottom)],
                s,
            ))?;
            let title_x = cell.left + (style.size.px(pt::AXIS_TITLE) * 0.85) as i32;
            let y_title = longest_fitting(
                style,
                &["σ (spread of effects)", "σ (spread)", "σ"],
                rect.height(),
            );
            text_up(
                root,
                style,
                y_title,
                pt::AXIS_TITLE,
                palette::INK,
                (title_x, (rect.top + rect.bottom) / 2),
            )?;
            // σ = μ*, as far as both axes reach.
            let end = x.high.min(y.high);
            if end > 0.0 {
                layout::dashed(
                    root,
                    &[(px(0.0), py(0.0)), (px(end), py(end))],
                    palette::MUTED,
                    style.px(line::GRID * 2.0),
                    (style.size.px(3.0), style.size.px(2.5)),
                )?;
            }
            // Markers and intervals, then labels where they fit.
            let r = style.px(line::MARKER);
            let mut taken: Vec<Rect> = Vec::new();
            let mut placed: Vec<(usize, (i32, i32))> = Vec::new();
            for (j, (m, sg)) in panel.indices.iter().enumerate() {
                let (Some(m), Some(sg)) = (m, sg) else {
                    continue;
                };
                let at = (px(m.value), py(sg.value));
                let look = Look::nth(j);
                if let Some((lo, hi)) = sg.interval {
                    whisker(root, style, at.0, (py(lo), py(hi)), look.color())?;
                }
                if let Some((lo, hi)) = m.interval {
                    let st = look.color().stroke_width(style.px(line::INTERVAL) as u32);
                    root.draw(&PathElement::new(vec![(px(lo), at.1), (px(hi), at.1)], st))?;
                }
                look.draw_point(root, style, at, None)?;
                taken.push(Rect {
                    left: at.0 - r,
                    right: at.0 + r,
                    top: at.1 - r,
                    bottom: at.1 + r,
                });
                placed.push((j, at));
            }
            let em = style.size.px(pt::ANNOTATION);
            for (j, at) in placed {
                // Whole or not at all: the legend names every factor.
                let label = &self.factors[j];
                let w = text_width(style, label, pt::ANNOTATION);
                let h = em as i32;
                let pad = r + style.px(2.0);
                // Beside the marker on its line, right or left; else above or below it.
                let baseline = at.1 + (h as f64 * 0.36) as i32;
                let candidates = [
                    (at.0 + pad, baseline),
                    (at.0 - pad - w, baseline),
                    (at.0 - w / 2, at.1 - pad),
                    (at.0 - w / 2, at.1 + pad + (h as f64 * 0.75) as i32),
                ];
                let fits = |&(x0, base): &(i32, i32)| {
                    let b = Rect {
                        left: x0,
                        right: x0 + w,
                        top: base - (h as f64 * 0.75) as i32,
                        bottom: base + h / 5,
                    };
                    let inside = b.left >= rect.left
                        && b.right <= rect.right
                        && b.top >= rect.top
                        && b.bottom <= rect.bottom;
                    let free = taken.iter().all(|t| {
                        b.right < t.left || b.left > t.right || b.bottom < t.top || b.top > t.bottom
                    });
                    (inside && free).then_some(b)
                };
                if let Some((spot, b)) = candidates.iter().find_map(|c| fits(c).map(|b| (*c, b))) {
                    taken.push(b);
                    text(
                        root,
                        style,
                        label,
                        pt::ANNOTATION,
                        palette::INK,
                        spot,
                        Align::Left,
                    )?;
                }
            }
            x.title = longest_fitting(
                style,
                &["μ* (mean absolute effect)", "μ* (mean |effect|)", "μ*"],
                rect.width(),
            )
            .into();
            x_axis(root, style, rect, &x)?;
        }
        Ok(())
    }
}
