//! Axes: round ticks and their labels, the data area left inside axis labels and titles,
//! the grid, and the lines drawn in it.

use super::{Align, Drawn, MARGIN, Rect, fit, text, text_up, text_width};
use crate::report::chart::style::{Style, line, palette, pt};
use plotters::coord::Shift;
use plotters::prelude::*;

/// An axis: its title (with units) and where its ticks go.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub title: String,
    pub low: f64,
    pub high: f64,
    pub ticks: Vec<(f64, String)>,
}

impl Axis {
    /// A linear axis over `low..high` with about `count` round ticks, labelled by `label`.
    pub fn linear(
        title: impl Into<String>,
        low: f64,
        high: f64,
        count: usize,
        label: impl Fn(f64, f64) -> String,
    ) -> Axis {
        let step = nice_step(high - low, count);
        let first = (low / step - 1e-9).ceil();
        let last = (high / step + 1e-9).floor();
        // Multiples of the step counted in floats, so that an axis far from zero (a
        // multiple beyond i64) still ticks inside its range; none for a range that is
        // not one (infinite, NaN, reversed), rather than billions.
        let ticks = if (0.0..=1000.0).contains(&(last - first)) {
            (0..=(last - first) as i64)
                .map(|j| {
                    let v = (first + j as f64) * step;
                    (v, label(v + 0.0, step))
                })
                .collect()
        } else {
            Vec::new()
        };
        Axis {
            title: title.into(),
            low,
            high,
            ticks,
        }
    }

    /// A category axis: `names` centred on `0.5, 1.5, …` over `0..n`.
    pub fn categories(title: impl Into<String>, names: &[String]) -> Axis {
        Axis {
            title: title.into(),
            low: 0.0,
            high: names.len() as f64,
            ticks: names
                .iter()
                .enumerate()
                .map(|(i, n)| (i as f64 + 0.5, n.clone()))
                .collect(),
        }
    }
}

/// A round step (1, 2 or 5 times a power of ten) giving about `count` ticks over `span`.
pub fn nice_step(span: f64, count: usize) -> f64 {
    let span = if span.is_finite() && span > 0.0 {
        span
    } else {
        1.0
    };
    let raw = span / count.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw * 0.999)
        .unwrap_or(10.0 * magnitude)
}

/// A tick label with as many decimals as the step needs.
pub fn number(v: f64, step: f64) -> String {
    // No "-0" for a tick at zero reached by rounding.
    let v = if v.abs() < step.abs() * 1e-9 { 0.0 } else { v };
    if (step.abs() >= 1e8 || v.abs() >= 1e9) && v.is_finite() {
        return powers_of_ten(v, step);
    }
    let mut decimals = 0;
    while decimals < 6
        && ((step * 10f64.powi(decimals)).round() - step * 10f64.powi(decimals)).abs() > 1e-6
    {
        decimals += 1;
    }
    let text = format!("{:.*}", decimals as usize, v);
    // Whole numbers of five digits and more in groups of three: "600,000", not "600000".
    if decimals == 0 && v.abs() >= 1e4 {
        let (sign, digits) = text.split_at(usize::from(v < 0.0));
        return format!(
            "{sign}{}",
            super::super::thousands(digits.parse().unwrap_or(0))
        );
    }
    text
}

/// A tick label in powers of ten, for numbers too large to write out (a constraint
/// R of 1e300 would tick at 300-digit numbers): digits down to the step's power,
/// 4e299 at a step of 2e299 → "4e299", 1.2e9 at 1e8 → "1.2e9"; the shortest digits
/// of `v` where the step is too fine for them (1e300 at 0.25 → "1e300").
fn powers_of_ten(v: f64, step: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let power = step.abs().log10().floor() as i32;
    let m = (v.abs() / 10f64.powi(power)).round();
    if !(1.0..1e17).contains(&m) {
        return format!("{v:e}");
    }
    let digits = format!("{m:.0}");
    let (lead, rest) = digits.split_at(1);
    let rest = rest.trim_end_matches('0');
    format!(
        "{}{lead}{}{rest}e{}",
        if v < 0.0 { "-" } else { "" },
        if rest.is_empty() { "" } else { "." },
        power + digits.len() as i32 - 1
    )
}

/// Where the data area of a plot goes inside `area`, leaving room for the axes.
pub fn plot_rect(style: &Style, area: Rect, x: Option<&Axis>, y: &Axis) -> Rect {
    let tick = style.px(3.0);
    let widest = y
        .ticks
        .iter()
        .map(|(_, l)| text_width(style, l, pt::TICK))
        .max()
        .unwrap_or(0);
    let axis_title = style.size.px(pt::AXIS_TITLE) as i32;
    let left = area.left + axis_title + style.px(7.0) + widest + tick * 2;
    let bottom = match x {
        Some(x) => {
            let mut b = area.bottom - tick * 2 - (style.size.px(pt::TICK) * 1.0) as i32;
            if !x.title.is_empty() {
                b -= axis_title + style.px(6.0);
            }
            b
        }
        None => area.bottom,
    };
    // Half of the last x tick label may hang past the data area.
    let overhang = x
        .and_then(|x| x.ticks.last())
        .filter(|(v, _)| (*v - x.map_or(0.0, |x| x.high)).abs() < 1e-9)
        .map(|(_, l)| text_width(style, l, pt::TICK) / 2)
        .unwrap_or(0);
    Rect {
        left,
        top: area.top,
        right: area.right - overhang.max(style.px(4.0)),
        bottom,
    }
}

/// The pixel of `v` on an axis from `low..high` to `a..b`.
pub fn scale(v: f64, low: f64, high: f64, a: i32, b: i32) -> i32 {
    (a as f64 + (v - low) / (high - low) * (b - a) as f64).round() as i32
}

/// Grid lines to draw behind the data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    pub x: bool,
    pub y: bool,
}

/// Draws grid lines (before the data).
pub fn draw_grid<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    style: &Style,
    rect: Rect,
    x: &Axis,
    y: &Axis,
    grid: Grid,
) -> Drawn<DB> {
    let s = palette::GRID.stroke_width(style.px(line::GRID) as u32);
    if grid.y {
        for (v, _) in &y.ticks {
            let py = scale(*v, y.low, y.high, rect.bottom, rect.top);
            root.draw(&PathElement::new(
                vec![(rect.left, py), (rect.right, py)],
                s,
            ))?;
        }
    }
    if grid.x {
        for (v, _) in &x.ticks {
            let px = scale(*v, x.low, x.high, rect.left, rect.right);
            root.draw(&PathElement::new(
                vec![(px, rect.top), (px, rect.bottom)],
                s,
            ))?;
        }
    }
    Ok(())
}

/// Draws the axes of a plot (after the data): lines on the left and bottom, ticks,
/// tick labels and axis titles. `x_labels` is false for a panel that shares the x axis
/// of the panel below it (it keeps its axis line and ticks). The y title sits at the
/// figure's left margin, so stacked panels align.
pub fn draw_axes<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    style: &Style,
    rect: Rect,
    x: &Axis,
    x_labels: bool,
    y: &Axis,
) -> Drawn<DB> {
    let s = palette::INK.stroke_width(style.px(line::AXIS) as u32);
    let tick = style.px(3.0);
    let em_tick = style.size.px(pt::TICK);
    root.draw(&PathElement::new(
        vec![(rect.left, rect.top), (rect.left, rect.bottom)],
        s,
    ))?;
    for (v, l) in &y.ticks {
        let py = scale(*v, y.low, y.high, rect.bottom, rect.top);
        root.draw(&PathElement::new(
            vec![(rect.left - tick, py), (rect.left, py)],
            s,
        ))?;
        text(
            root,
            style,
            l,
            pt::TICK,
            palette::INK,
            (rect.left - tick * 2, py + (em_tick * 0.36) as i32),
            Align::Right,
        )?;
    }
    if !y.title.is_empty() {
        let x_title = style.px(MARGIN) + (style.size.px(pt::AXIS_TITLE) * 0.78) as i32;
        // Kept to the figure only (by text_up), not to the panel: a fixed title may reach
        // past a short panel into the gap beside it (a print-size timeseries does).
        text_up(
            root,
            style,
            &y.title,
            pt::AXIS_TITLE,
            palette::INK,
            (x_title, (rect.top + rect.bottom) / 2),
        )?;
    }
    root.draw(&PathElement::new(
        vec![(rect.left, rect.bottom), (rect.right, rect.bottom)],
        s,
    ))?;
    let label_baseline = rect.bottom + tick * 2 + (em_tick * 0.8) as i32;
    for (v, l) in &x.ticks {
        let px = scale(*v, x.low, x.high, rect.left, rect.right);
        root.draw(&PathElement::new(
            vec![(px, rect.bottom), (px, rect.bottom + tick)],
            s,
        ))?;
        if !x_labels {
            continue;
        }
        text(
            root,
            style,
            l,
            pt::TICK,
            palette::INK,
            (px, label_baseline),
            Align::Center,
        )?;
    }
    if x_labels && !x.title.is_empty() {
        let y_title = label_baseline + style.px(6.0) + style.size.px(pt::AXIS_TITLE) as i32;
        text(
            root,
            style,
            &fit(style, &x.title, pt::AXIS_TITLE, rect.width()),
            pt::AXIS_TITLE,
            palette::INK,
            ((rect.left + rect.right) / 2, y_title),
            Align::Center,
        )?;
    }
    Ok(())
}

/// Draws a solid line through pixel points; `None` breaks the line.
pub fn polyline<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    points: &[Option<(i32, i32)>],
    color: RGBColor,
    width: i32,
) -> Drawn<DB> {
    let s = color.stroke_width(width.max(1) as u32);
    for run in points.split(|p| p.is_none()) {
        let run: Vec<(i32, i32)> = run.iter().flatten().copied().collect();
        if run.len() >= 2 {
            root.draw(&PathElement::new(run, s))?;
        }
    }
    Ok(())
}

/// Draws a dashed line through pixel points: dashes of `dash` pixels, gaps of `gap`,
/// continuing across the points so the pattern does not restart at each one.
pub fn dashed<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    points: &[(i32, i32)],
    color: RGBColor,
    width: i32,
    (dash, gap): (f64, f64),
) -> Drawn<DB> {
    let s = color.stroke_width(width.max(1) as u32);
    let (dash, gap) = (dash.max(1.0), gap.max(1.0));
    // Walk the line, switching between dash and gap whenever the current one is used up.
    let mut on = true;
    let mut left = dash;
    let mut current: Vec<(f64, f64)> = Vec::new();
    let mut pieces: Vec<Vec<(f64, f64)>> = Vec::new();
    for pair in points.windows(2) {
        let (ax, ay) = (pair[0].0 as f64, pair[0].1 as f64);
        let (bx, by) = (pair[1].0 as f64, pair[1].1 as f64);
        let len = ((bx - ax).powi(2) + (by - ay).powi(2)).sqrt();
        let at = |t: f64| (ax + (bx - ax) * t / len, ay + (by - ay) * t / len);
        let mut t = 0.0;
        while len - t > 1e-9 {
            let step = left.min(len - t);
            if on {
                if current.is_empty() {
                    current.push(at(t));
                }
                current.push(at(t + step));
            }
            t += step;
            left -= step;
            if left <= 1e-9 {
                if on {
                    pieces.push(std::mem::take(&mut current));
                }
                on = !on;
                left = if on { dash } else { gap };
            }
        }
    }
    if current.len() >= 2 {
        pieces.push(current);
    }
    for piece in pieces {
        let px: Vec<(i32, i32)> = piece
            .iter()
            .map(|(x, y)| (x.round() as i32, y.round() as i32))
            .collect();
        root.draw(&PathElement::new(px, s))?;
    }
    Ok(())
}
