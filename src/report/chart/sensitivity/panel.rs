//! What the panels of both studies share: titles with the metric's seed noise, the
//! index axis along the bottom with its grid, and factor names broken to fit.

use super::Panel;
use crate::report::chart::layout::{
    self, Align, Axis, Rect, fit, nice_step, number, text, text_width, wrap,
};
use crate::report::chart::series::place;
use crate::report::chart::style::{Style, line, palette, pt};
use plotters::coord::Shift;
use plotters::prelude::*;

/// A factor's name in two lines of about equal width, broken at the space that makes
/// the longer line shortest (one line when it has no space).
pub(super) fn halves(style: &Style, name: &str) -> Vec<String> {
    let best = name
        .match_indices(' ')
        .map(|(i, _)| {
            let (a, b) = (name[..i].trim(), name[i..].trim());
            let w = text_width(style, a, pt::TICK).max(text_width(style, b, pt::TICK));
            (w, a, b)
        })
        .min_by_key(|(w, _, _)| *w);
    match best {
        Some((w, a, b)) if w < text_width(style, name, pt::TICK) => vec![a.into(), b.into()],
        _ => vec![name.to_string()],
    }
}

/// The lines of a panel's title (the metric, three lines at most) in `width` pixels.
pub(super) fn title_lines(style: &Style, panel: &Panel, width: i32) -> Vec<String> {
    wrap(style, &panel.title, pt::AXIS_TITLE, width, 3)
}

/// The height of panel titles of `lines` lines and their seed-noise line.
pub(super) fn title_height(style: &Style, lines: usize) -> i32 {
    let em = style.size.px(pt::AXIS_TITLE);
    (lines as f64 * em * 1.2 + style.size.px(pt::ANNOTATION) * 1.3) as i32 + style.px(6.0)
}

/// Draws a panel's title and its seed noise at the top of `rect`.
pub(super) fn panel_title<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    style: &Style,
    panel: &Panel,
    rect: Rect,
) -> layout::Drawn<DB> {
    let em = style.size.px(pt::AXIS_TITLE);
    let mut y = rect.top;
    for l in title_lines(style, panel, rect.width()) {
        y += (em * 1.2) as i32;
        text(
            root,
            style,
            &l,
            pt::AXIS_TITLE,
            palette::INK,
            (rect.left, y),
            Align::Left,
        )?;
    }
    let noise = match panel.noise {
        Some(n) => format!("seed noise {:.1}%", 100.0 * n),
        None => "seed noise unknown".into(),
    };
    y += (style.size.px(pt::ANNOTATION) * 1.3) as i32;
    let noise = fit(style, &noise, pt::ANNOTATION, rect.width());
    text(
        root,
        style,
        &noise,
        pt::ANNOTATION,
        palette::MUTED,
        (rect.left, y),
        Align::Left,
    )
}

/// Ticks and tick labels below `rect` for `axis`, the axis line, and `title` under
/// them when given.
pub(super) fn x_axis<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    style: &Style,
    rect: Rect,
    axis: &Axis,
) -> layout::Drawn<DB> {
    let s = palette::INK.stroke_width(style.px(line::AXIS) as u32);
    root.draw(&PathElement::new(
        vec![(rect.left, rect.bottom), (rect.right, rect.bottom)],
        s,
    ))?;
    let tick = style.px(3.0);
    let baseline = rect.bottom + tick * 2 + (style.size.px(pt::TICK) * 0.8) as i32;
    for (v, l) in &axis.ticks {
        let px = place(*v, axis.low, axis.high, rect.left, rect.right);
        root.draw(&PathElement::new(
            vec![(px, rect.bottom), (px, rect.bottom + tick)],
            s,
        ))?;
        text(
            root,
            style,
            l,
            pt::TICK,
            palette::INK,
            (px, baseline),
            Align::Center,
        )?;
    }
    if !axis.title.is_empty() {
        let y = baseline + style.px(5.0) + style.size.px(pt::AXIS_TITLE) as i32;
        let title = fit(style, &axis.title, pt::AXIS_TITLE, rect.width());
        text(
            root,
            style,
            &title,
            pt::AXIS_TITLE,
            palette::INK,
            ((rect.left + rect.right) / 2, y),
            Align::Center,
        )?;
    }
    Ok(())
}

/// Height below a panel for its ticks, labels and axis title.
pub(super) fn x_axis_height(style: &Style, titled: bool) -> i32 {
    let tick = style.px(3.0);
    let mut h = tick * 2 + (style.size.px(pt::TICK) * 1.1) as i32;
    if titled {
        h += style.px(5.0) + (style.size.px(pt::AXIS_TITLE) * 1.25) as i32;
    }
    h
}

/// Vertical grid lines at the axis' ticks.
pub(super) fn x_grid<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    style: &Style,
    rect: Rect,
    axis: &Axis,
) -> layout::Drawn<DB> {
    let s = palette::GRID.stroke_width(style.px(line::GRID) as u32);
    for (v, _) in &axis.ticks {
        let px = place(*v, axis.low, axis.high, rect.left, rect.right);
        root.draw(&PathElement::new(
            vec![(px, rect.top), (px, rect.bottom)],
            s,
        ))?;
    }
    Ok(())
}

/// An axis from 0 (or below, for estimates below 0) to past the largest value.
pub(super) fn index_axis(title: &str, values: impl Iterator<Item = f64>, count: usize) -> Axis {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((0.0_f64, 0.0_f64), |(a, b), v| (a.min(v), b.max(v)));
    let span = (hi - lo).max(1e-9);
    let step = nice_step(span, count);
    // Up to a tick past the largest value; down to the smallest as it is (an estimate
    // a little below 0 needs no tick of its own).
    let high = (hi / step).ceil() * step;
    let mut a = Axis::linear(title, lo, high.max(lo + step), count, number);
    // A little room so that nothing lies on the frame.
    let pad = (a.high - a.low) * 0.02;
    a.low -= pad;
    a.high += pad;
    a
}

pub(super) fn estimates(p: &Panel) -> impl Iterator<Item = f64> + '_ {
    p.indices
        .iter()
        .flat_map(|(a, b)| [a, b])
        .flatten()
        .flat_map(|e| {
            let (lo, hi) = e.interval.unwrap_or((e.value, e.value));
            [e.value, lo, hi]
        })
}

/// The first of `titles` (longest first) that fits in `room` pixels as an axis title,
/// or the last.
pub(super) fn longest_fitting<'a>(style: &Style, titles: &[&'a str], room: i32) -> &'a str {
    titles
        .iter()
        .find(|t| text_width(style, t, pt::AXIS_TITLE) <= room)
        .or(titles.last())
        .copied()
        .unwrap_or("")
}
