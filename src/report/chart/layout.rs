//! The pieces every chart is laid out with: a header (title and subtitle), a legend that
//! flows in rows above the data, axes with ticks and titles, and text placed by its
//! baseline.
//!
//! Charts place everything in pixels computed from measured text, rather than letting
//! plotters guess label areas, so nothing is clipped or overlaps at any size. Plotters
//! is used for coordinates and for drawing series clipped to the data area.

use super::style::{Style, line, palette, pt};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// What drawing on a backend returns.
pub type Drawn<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A rectangle in pixels of the whole figure: `left..right`, `top..bottom`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub left: i32,
    pub top: i32,
    pub right: i32,
    pub bottom: i32,
}

impl Rect {
    pub fn width(&self) -> i32 {
        self.right - self.left
    }
    pub fn height(&self) -> i32 {
        self.bottom - self.top
    }
}

/// Horizontal alignment of text at its point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// Draws `s` with its baseline at `y`, aligned at `x`.
pub fn text<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    style: &Style,
    s: &str,
    points: f64,
    color: RGBColor,
    (x, y): (i32, i32),
    align: Align,
) -> Drawn<DB> {
    if style.vector {
        let h = match align {
            Align::Left => HPos::Left,
            Align::Center => HPos::Center,
            Align::Right => HPos::Right,
        };
        let ts = style.text(points, color).pos(Pos::new(h, VPos::Top));
        return root.draw_text(s, &ts, (x, y - style.svg_baseline(points)));
    }
    let w = text_width(style, s, points);
    let start = match align {
        Align::Left => x,
        Align::Center => x - w / 2,
        Align::Right => x - w,
    };
    super::text::draw(root, s, style.size.px(points), color, (start, y), false)
}

/// Draws `s` reading upwards, centred on `y`, with its baseline at `x` (the glyphs
/// lie left of it).
pub fn text_up<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    style: &Style,
    s: &str,
    points: f64,
    color: RGBColor,
    (x, y): (i32, i32),
) -> Drawn<DB> {
    if style.vector {
        let ts = style
            .text(points, color)
            .transform(FontTransform::Rotate270)
            .pos(Pos::new(HPos::Center, VPos::Top));
        return root.draw_text(s, &ts, (x - style.svg_baseline(points), y));
    }
    let w = text_width(style, s, points);
    super::text::draw(root, s, style.size.px(points), color, (x, y + w / 2), true)
}

/// The width of `s` in pixels, as the embedded font sets it.
pub fn text_width(style: &Style, s: &str, points: f64) -> i32 {
    super::text::width(s, style.size.px(points)).round() as i32
}

/// Title and subtitle of a figure. An empty title is left out (journals put the
/// caption outside the figure).
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub title: String,
    pub subtitle: String,
}

/// The outer margin of every figure, in points.
pub const MARGIN: f64 = 9.0;

/// Draws the header at the top of `area` and returns the height it took.
pub fn header<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    style: &Style,
    frame: &Frame,
    area: Rect,
) -> Result<i32, DrawingAreaErrorKind<DB::ErrorType>> {
    let mut y = area.top;
    if !frame.title.is_empty() {
        y += style.size.px(pt::TITLE) as i32;
        text(
            root,
            style,
            &frame.title,
            pt::TITLE,
            palette::INK,
            (area.left, y),
            Align::Left,
        )?;
    }
    if !frame.subtitle.is_empty() {
        y += (style.size.px(pt::SUBTITLE) * if frame.title.is_empty() { 1.0 } else { 1.5 }) as i32;
        text(
            root,
            style,
            &frame.subtitle,
            pt::SUBTITLE,
            palette::MUTED,
            (area.left, y),
            Align::Left,
        )?;
    }
    let descent = style.size.px(pt::SUBTITLE) * 0.3;
    Ok(y - area.top + descent as i32)
}

/// Marker shapes, distinct in grey print as well as in colour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    Circle,
    Square,
    TriangleUp,
    Diamond,
    TriangleDown,
}

impl Shape {
    /// The shape of the `i`-th series.
    pub fn nth(i: usize) -> Shape {
        [
            Shape::Circle,
            Shape::Square,
            Shape::TriangleUp,
            Shape::Diamond,
            Shape::TriangleDown,
        ][i % 5]
    }
}

/// Draws a filled marker of radius `r` pixels centred at `(x, y)`.
pub fn marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    shape: Shape,
    (x, y): (i32, i32),
    r: i32,
    color: RGBColor,
) -> Drawn<DB> {
    let fill = color.filled();
    let rf = r as f64;
    let pts = |v: &[(f64, f64)]| -> Vec<(i32, i32)> {
        v.iter()
            .map(|(dx, dy)| (x + (dx * rf).round() as i32, y + (dy * rf).round() as i32))
            .collect()
    };
    match shape {
        Shape::Circle => root.draw(&Circle::new((x, y), r, fill)),
        Shape::Square => root.draw(&Polygon::new(
            pts(&[(-0.85, -0.85), (0.85, -0.85), (0.85, 0.85), (-0.85, 0.85)]),
            fill,
        )),
        Shape::TriangleUp => root.draw(&Polygon::new(
            pts(&[(0.0, -1.2), (1.1, 0.8), (-1.1, 0.8)]),
            fill,
        )),
        Shape::Diamond => root.draw(&Polygon::new(
            pts(&[(0.0, -1.2), (1.1, 0.0), (0.0, 1.2), (-1.1, 0.0)]),
            fill,
        )),
        Shape::TriangleDown => root.draw(&Polygon::new(
            pts(&[(0.0, 1.2), (1.1, -0.8), (-1.1, -0.8)]),
            fill,
        )),
    }
}

/// What a legend entry shows next to its label.
#[derive(Debug, Clone, PartialEq)]
pub enum Key {
    /// A line; dashed when the series is drawn dashed.
    Line {
        color: RGBColor,
        width: f64,
        dashed: bool,
    },
    /// A marker with a vertical interval through it.
    Interval { color: RGBColor, shape: Shape },
    /// A line with a marker on it.
    LineMarker { color: RGBColor, shape: Shape },
    /// A marker alone.
    Marker { color: RGBColor, shape: Shape },
    /// A filled square.
    Fill(RGBColor),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub label: String,
    pub key: Key,
}

/// A legend laid out in rows, left to right, above the data it explains.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Legend {
    /// Text before the first entry, e.g. the name of the varied parameter.
    pub heading: Option<String>,
    pub entries: Vec<Entry>,
    /// Room kept for the heading, in points, so that stacked legends line up.
    pub heading_room: f64,
}

impl Legend {
    /// Lines need length to show a dash pattern; a swatch or a marker does not.
    fn key_width(style: &Style, key: &Key) -> i32 {
        let ems = match key {
            Key::Line { .. } | Key::LineMarker { .. } => 2.4,
            Key::Interval { .. } | Key::Marker { .. } => 1.2,
            Key::Fill(_) => 1.0,
        };
        style.size.px(pt::LEGEND * ems) as i32
    }

    /// Each row's items: `(x offset, index)`, index `None` for the heading.
    fn rows(&self, style: &Style, width: i32) -> Vec<Vec<(i32, Option<usize>)>> {
        let em = style.size.px(pt::LEGEND);
        let gap = (em * 1.4) as i32;
        let inner = (em * 0.5) as i32;
        let mut items: Vec<(i32, Option<usize>)> = Vec::new();
        if let Some(h) = &self.heading {
            let room = style.size.px(self.heading_room) as i32;
            items.push((text_width(style, h, pt::LEGEND).max(room), None));
        }
        for (i, e) in self.entries.iter().enumerate() {
            let w =
                Self::key_width(style, &e.key) + inner + text_width(style, &e.label, pt::LEGEND);
            items.push((w, Some(i)));
        }
        let mut rows: Vec<Vec<(i32, Option<usize>)>> = Vec::new();
        let mut x = 0;
        for (w, item) in items {
            if rows.is_empty() || (x > 0 && x + w > width) {
                rows.push(Vec::new());
                x = 0;
            }
            rows.last_mut().expect("a row").push((x, item));
            x += w + gap;
        }
        rows
    }

    /// Makes the headings of stacked legends take the same room, so their entries
    /// start at the same place.
    pub fn align(legends: &mut [Legend], style: &Style) {
        let widest = legends
            .iter()
            .filter_map(|l| l.heading.as_ref())
            .map(|h| text_width(style, h, pt::LEGEND) as f64 * 72.0 / style.size.dpi)
            .fold(0.0, f64::max);
        for l in legends {
            l.heading_room = widest;
        }
    }

    fn row_height(style: &Style) -> i32 {
        (style.size.px(pt::LEGEND) * 1.6) as i32
    }

    /// The height the legend takes in a band `width` wide.
    pub fn height(&self, style: &Style, width: i32) -> i32 {
        if self.entries.is_empty() {
            return 0;
        }
        self.rows(style, width).len() as i32 * Self::row_height(style)
    }

    /// Draws the legend with its first row's top at `top`.
    pub fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
        left: i32,
        top: i32,
        width: i32,
    ) -> Drawn<DB> {
        let em = style.size.px(pt::LEGEND);
        let row_h = Self::row_height(style);
        for (r, row) in self.rows(style, width).iter().enumerate() {
            let baseline = top + r as i32 * row_h + (em * 1.05) as i32;
            let mid = baseline - (em * 0.35) as i32;
            for &(x, item) in row {
                let x = left + x;
                let Some(i) = item else {
                    let heading = self.heading.as_deref().unwrap_or("");
                    text(
                        root,
                        style,
                        heading,
                        pt::LEGEND,
                        palette::MUTED,
                        (x, baseline),
                        Align::Left,
                    )?;
                    continue;
                };
                let entry = &self.entries[i];
                let key_w = Self::key_width(style, &entry.key);
                draw_key(root, style, &entry.key, (x, mid), key_w)?;
                text(
                    root,
                    style,
                    &entry.label,
                    pt::LEGEND,
                    palette::INK,
                    (x + key_w + (em * 0.5) as i32, baseline),
                    Align::Left,
                )?;
            }
        }
        Ok(())
    }
}

fn draw_key<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    style: &Style,
    key: &Key,
    (x, y): (i32, i32),
    w: i32,
) -> Drawn<DB> {
    let r = style.px(line::MARKER);
    match *key {
        Key::Line {
            color,
            width,
            dashed,
        } => {
            let s = color.stroke_width(style.px(width) as u32);
            if dashed {
                let dash = style.px(3.0);
                let mut x0 = x;
                while x0 < x + w {
                    root.draw(&PathElement::new(
                        vec![(x0, y), ((x0 + dash).min(x + w), y)],
                        s,
                    ))?;
                    x0 += dash * 2;
                }
                Ok(())
            } else {
                root.draw(&PathElement::new(vec![(x, y), (x + w, y)], s))
            }
        }
        Key::Interval { color, shape } => {
            let s = color.stroke_width(style.px(line::INTERVAL) as u32);
            let c = x + w / 2;
            let h = (style.size.px(pt::LEGEND) * 0.55) as i32;
            root.draw(&PathElement::new(vec![(c, y - h), (c, y + h)], s))?;
            for yy in [y - h, y + h] {
                root.draw(&PathElement::new(vec![(c - r, yy), (c + r, yy)], s))?;
            }
            marker(root, shape, (c, y), r, color)
        }
        Key::LineMarker { color, shape } => {
            let s = color.stroke_width(style.px(line::DATA) as u32);
            root.draw(&PathElement::new(vec![(x, y), (x + w, y)], s))?;
            marker(root, shape, (x + w / 2, y), r, color)
        }
        Key::Marker { color, shape } => marker(root, shape, (x + w / 2, y), r, color),
        Key::Fill(color) => {
            let h = (style.size.px(pt::LEGEND) * 0.4) as i32;
            let c = x + w / 2;
            root.draw(&Rectangle::new(
                [(c - h, y - h), (c + h, y + h)],
                color.filled(),
            ))
        }
    }
}

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
        let first = (low / step - 1e-9).ceil() as i64;
        let last = (high / step + 1e-9).floor() as i64;
        let ticks = (first..=last)
            .map(|k| {
                let v = k as f64 * step;
                (v, label(v + 0.0, step))
            })
            .collect();
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
    let mut decimals = 0;
    while decimals < 6
        && ((step * 10f64.powi(decimals)).round() - step * 10f64.powi(decimals)).abs() > 1e-6
    {
        decimals += 1;
    }
    format!("{:.*}", decimals as usize, v)
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
            &x.title,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(100.0, 5), 20.0);
        assert_eq!(nice_step(4.0, 8), 0.5);
        assert_eq!(nice_step(1.0, 4), 0.5);
        assert_eq!(nice_step(12.5, 5), 5.0);
        assert!((nice_step(0.3, 5) - 0.1).abs() < 1e-12);
    }

    #[test]
    fn labels_have_the_decimals_of_the_step() {
        assert_eq!(number(20.0, 20.0), "20");
        assert_eq!(number(1.5, 0.5), "1.5");
        assert_eq!(number(0.25, 0.05), "0.25");
        assert_eq!(number(-0.0, 0.1), "0.0");
    }

    #[test]
    fn linear_axes_tick_at_round_values_inside_the_range() {
        let a = Axis::linear("", 1.0, 5.0, 4, number);
        let labels: Vec<&str> = a.ticks.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["1", "2", "3", "4", "5"]);
    }
}
