//! The pieces every chart is laid out with: a header (title and subtitle), a legend that
//! flows in rows above the data, axes with ticks and titles, and text placed by its
//! baseline.
//!
//! Charts place everything in pixels computed from measured text, rather than letting
//! plotters guess label areas, so nothing is clipped or overlaps at any size. Plotters
//! is used for coordinates and for drawing series clipped to the data area.
//!
//! Texts come from users (firm names, event labels, --title, varied values) and may be
//! of any length: a text too wide for its room goes on in a further line where the
//! layout has one ([`wrap`]) and otherwise ends in "…" ([`fit`]); what has no room at
//! all is left out, and each place says which and why. Legends and event labels take at
//! most a quarter of the figure's height each, so the data always keeps its room. No
//! placement may panic: ranges that can be empty use [`within`], not `clamp`.

use super::style::{Style, line, palette, pt};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::borrow::Cow;

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
    // Never past the figure's edges, whatever the text: what would run off is cut and
    // ends in "…" (the layouts fit their texts to their own room first; this is the
    // last guard, and it bounds the cost of drawing a text by the figure's width).
    let width = root.dim_in_pixel().0 as i32;
    let room = match align {
        Align::Left => width - x,
        Align::Center => 2 * x.min(width - x),
        Align::Right => x,
    };
    let s = fit(style, s, points, room);
    if s.is_empty() {
        return Ok(());
    }
    let s = s.as_ref();
    let w = text_width(style, s, points);
    let start = match align {
        Align::Left => x,
        Align::Center => x - w / 2,
        Align::Right => x - w,
    };
    if style.vector {
        return svg_text(root, style, s, points, color, (start, y), false);
    }
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
    // Centred on y: as for `text`, never past the figure's top or bottom.
    let height = root.dim_in_pixel().1 as i32;
    let s = fit(style, s, points, 2 * y.min(height - y));
    if s.is_empty() {
        return Ok(());
    }
    let s = s.as_ref();
    let w = text_width(style, s, points);
    if style.vector {
        return svg_text(root, style, s, points, color, (x, y + w / 2), true);
    }
    super::text::draw(root, s, style.size.px(points), color, (x, y + w / 2), true)
}

/// SVG text: recorded with its pen start on the baseline for `svg_text::outline`,
/// which replaces the `<text>` element plotters writes here by the glyphs' outlines.
fn svg_text<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    style: &Style,
    s: &str,
    points: f64,
    color: RGBColor,
    pen: (i32, i32),
    up: bool,
) -> Drawn<DB> {
    super::svg_text::record(super::svg_text::Placed {
        text: s.to_string(),
        em: style.size.px(points),
        color,
        pen,
        up,
    });
    let ts = style
        .text(points, color)
        .pos(Pos::new(HPos::Left, VPos::Bottom));
    root.draw_text(s, &ts, pen)
}

/// The width of `s` in pixels, as the embedded font sets it.
pub fn text_width(style: &Style, s: &str, points: f64) -> i32 {
    super::text::width(s, style.size.px(points)).round() as i32
}

/// `s` if its [`text_width`] is at most `room` pixels, otherwise its longest beginning
/// that is, ending in "…"; empty when not even "…" fits (the text is then left out).
pub fn fit<'a>(style: &Style, s: &'a str, points: f64, room: i32) -> Cow<'a, str> {
    // text_width rounds: a width w is at most `room` when w < room + 0.5.
    super::text::fit(s, style.size.px(points), room as f64 + 0.5)
}

/// `s` in at most `max_lines` lines each at most `room` pixels wide, broken after
/// words where it can be; the last line ends in "…" when text is left over (see
/// [`super::text::wrap`]).
pub fn wrap(style: &Style, s: &str, points: f64, room: i32, max_lines: usize) -> Vec<String> {
    super::text::wrap(s, style.size.px(points), room as f64 + 0.5, max_lines)
}

/// Lines a legend entry or an event label may take: a name of a hundred characters
/// fits in two across any figure, whatever its letters.
pub const LABEL_LINES: usize = 3;

/// `v` within `low..=high`, or `low` when the range is empty (`low > high`), where
/// `i32::clamp` would panic: for placing text that may be wider than its room.
pub fn within(v: i32, low: i32, high: i32) -> i32 {
    v.min(high).max(low)
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
    // Titles and subtitles too long for the figure take a second line, and end in "…"
    // at its margin beyond that.
    for (k, line) in wrap(style, &frame.title, pt::TITLE, area.width(), 2)
        .iter()
        .enumerate()
    {
        y += (style.size.px(pt::TITLE) * if k == 0 { 1.0 } else { 1.25 }) as i32;
        text(
            root,
            style,
            line,
            pt::TITLE,
            palette::INK,
            (area.left, y),
            Align::Left,
        )?;
    }
    for (k, line) in wrap(style, &frame.subtitle, pt::SUBTITLE, area.width(), 2)
        .iter()
        .enumerate()
    {
        let lead = match k {
            0 if frame.title.is_empty() => 1.0,
            0 => 1.5,
            _ => 1.25,
        };
        y += (style.size.px(pt::SUBTITLE) * lead) as i32;
        text(
            root,
            style,
            line,
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
    /// A line in a dash pattern (dash and gap in points; solid when `None`), with a
    /// marker on it when `shape` is given: for series told apart by line style too.
    Pattern {
        color: RGBColor,
        shape: Option<Shape>,
        dash: Option<(f64, f64)>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub label: String,
    pub key: Key,
}

/// What a legend row holds, with its text as drawn (shortened to fit).
#[derive(Debug, Clone, PartialEq)]
enum Item {
    Heading(String),
    /// Entry `i` of [`Legend::entries`], its first line.
    Entry(usize, String),
    /// A further line of entry `i`, in a row of its own.
    Continued(usize, String),
    /// How many entries were left out.
    More(String),
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
            Key::Line { .. } | Key::LineMarker { .. } | Key::Pattern { .. } => 2.4,
            Key::Interval { .. } | Key::Marker { .. } => 1.2,
            Key::Fill(_) => 1.0,
        };
        style.size.px(pt::LEGEND * ems) as i32
    }

    /// Each row's items with their x offsets: the heading, the entries, and, when they
    /// do not all fit in the rows a legend may take, how many were left out.
    ///
    /// A label wider than the band goes on in the rows below it ([`LABEL_LINES`] at
    /// most, the last ending in "…" if even they are too few). A legend takes at most a
    /// quarter of the figure's height: the entries that would go below are left out and
    /// its last row says "and N more" instead, so the data keeps its room and the legend
    /// says it is incomplete (the tables have every series).
    fn rows(&self, style: &Style, width: i32) -> Vec<Vec<(i32, Item)>> {
        let em = style.size.px(pt::LEGEND);
        let gap = (em * 1.4) as i32;
        let inner = (em * 0.5) as i32;
        let mut rows: Vec<Vec<(i32, Item)>> = Vec::new();
        let mut x = 0;
        if let Some(h) = &self.heading {
            let h = fit(style, h, pt::LEGEND, width).into_owned();
            let room = (style.size.px(self.heading_room) as i32).min(width);
            x = text_width(style, &h, pt::LEGEND).max(room) + gap;
            rows.push(vec![(0, Item::Heading(h))]);
        }
        // After an entry of several lines, the next starts a row of its own.
        let mut fresh = false;
        for (i, e) in self.entries.iter().enumerate() {
            let key = Self::key_width(style, &e.key) + inner;
            let mut lines = wrap(style, &e.label, pt::LEGEND, width - key, LABEL_LINES);
            let first = if lines.is_empty() {
                String::new()
            } else {
                lines.remove(0)
            };
            let w = key + text_width(style, &first, pt::LEGEND);
            let wrapped = !lines.is_empty();
            if rows.is_empty() || (x > 0 && (fresh || wrapped || x + w > width)) {
                rows.push(Vec::new());
                x = 0;
            }
            rows.last_mut()
                .expect("a row")
                .push((x, Item::Entry(i, first)));
            x += w + gap;
            fresh = wrapped;
            for line in lines {
                rows.push(vec![(0, Item::Continued(i, line))]);
            }
        }
        let max_rows = ((style.size.height as f64 * 0.25) as i32 / Self::row_height(style).max(1))
            .max(1) as usize;
        if rows.len() > max_rows {
            // Keep whole entries: never the first lines of one without the rest.
            let mut keep = max_rows - 1;
            while keep > 0 && matches!(rows[keep].first(), Some((_, Item::Continued(..)))) {
                keep -= 1;
            }
            let left_out = rows[keep..]
                .iter()
                .flatten()
                .filter(|(_, item)| matches!(item, Item::Entry(..)))
                .count();
            rows.truncate(keep);
            rows.push(vec![(0, Item::More(format!("and {left_out} more")))]);
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
            for (x, item) in row {
                let x = left + *x;
                let (i, label) = match item {
                    Item::Heading(note) | Item::More(note) => {
                        text(
                            root,
                            style,
                            note,
                            pt::LEGEND,
                            palette::MUTED,
                            (x, baseline),
                            Align::Left,
                        )?;
                        continue;
                    }
                    Item::Continued(i, line) => {
                        let key_w = Self::key_width(style, &self.entries[*i].key);
                        text(
                            root,
                            style,
                            line,
                            pt::LEGEND,
                            palette::INK,
                            (x + key_w + (em * 0.5) as i32, baseline),
                            Align::Left,
                        )?;
                        continue;
                    }
                    Item::Entry(i, label) => (*i, label),
                };
                let entry = &self.entries[i];
                let key_w = Self::key_width(style, &entry.key);
                draw_key(root, style, &entry.key, (x, mid), key_w)?;
                text(
                    root,
                    style,
                    label,
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
        Key::Pattern { color, shape, dash } => {
            let width = style.px(line::DATA);
            match dash {
                Some((a, b)) => dashed(
                    root,
                    &[(x, y), (x + w, y)],
                    color,
                    width,
                    (style.size.px(a), style.size.px(b)),
                )?,
                None => root.draw(&PathElement::new(
                    vec![(x, y), (x + w, y)],
                    color.stroke_width(width as u32),
                ))?,
            }
            match shape {
                Some(shape) => marker(root, shape, (x + w / 2, y), r, color),
                None => Ok(()),
            }
        }
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
        return format!("{sign}{}", super::thousands(digits.parse().unwrap_or(0)));
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
    fn huge_steps_are_written_in_powers_of_ten() {
        assert_eq!(number(4e299, 2e299), "4e299");
        assert_eq!(number(1.2e9, 1e8), "1.2e9");
        assert_eq!(number(-3e8, 1e8), "-3e8");
        assert_eq!(number(0.0, 2e299), "0");
        assert_eq!(number(2e7, 1e7), "20,000,000", "below 1e8 written out");
        assert_eq!(number(600000.0, 100000.0), "600,000");
        assert_eq!(number(-12000.0, 2000.0), "-12,000");
        assert_eq!(number(9000.0, 1000.0), "9000", "four digits as they are");
        assert_eq!(number(12500.5, 0.5), "12500.5", "decimals ungrouped");
        assert_eq!(number(1e300, 0.25), "1e300");
        let a = Axis::linear("", 0.0, 1e300, 5, number);
        assert!(a.ticks.len() <= 7 && a.ticks.iter().all(|(_, l)| l.len() <= 6));
    }

    #[test]
    fn degenerate_ranges_give_few_ticks_and_never_outside() {
        for (low, high) in [
            (1e300, 1e300),
            (0.0, f64::INFINITY),
            (f64::NAN, 1.0),
            (5.0, 1.0),
            (-1e308, 1e308),
        ] {
            let a = Axis::linear("", low, high, 5, number);
            assert!(a.ticks.len() <= 12, "{low}..{high}: {}", a.ticks.len());
            let slack = |x: f64| x.abs() * 1e-12;
            for (v, _) in &a.ticks {
                assert!(*v >= low - slack(low) && *v <= high + slack(high), "{v}");
            }
        }
    }

    fn entry(label: String) -> Entry {
        Entry {
            label,
            key: Key::Fill(palette::INK),
        }
    }

    /// Each item's `(left, right)` in the rows of `legend`.
    fn spans(legend: &Legend, style: &Style, width: i32) -> Vec<Vec<(i32, i32)>> {
        let em = style.size.px(pt::LEGEND);
        legend
            .rows(style, width)
            .iter()
            .map(|row| {
                row.iter()
                    .map(|(x, item)| {
                        let w = match item {
                            Item::Heading(t) | Item::More(t) => text_width(style, t, pt::LEGEND),
                            Item::Entry(i, t) | Item::Continued(i, t) => {
                                Legend::key_width(style, &legend.entries[*i].key)
                                    + (em * 0.5) as i32
                                    + text_width(style, t, pt::LEGEND)
                            }
                        };
                        (*x, x + w)
                    })
                    .collect()
            })
            .collect()
    }

    /// The lines of entry `i` in `rows`, in order.
    fn lines_of(rows: &[Vec<(i32, Item)>], i: usize) -> Vec<String> {
        rows.iter()
            .flatten()
            .filter_map(|(_, item)| match item {
                Item::Entry(j, t) | Item::Continued(j, t) if *j == i => Some(t.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn legend_labels_wider_than_the_band_go_on_below_and_stay_inside_it() {
        let style = Style::new(crate::report::chart::Size::SCREEN, true);
        let legend = Legend {
            heading: Some("N".repeat(1000)),
            entries: vec![entry("N".repeat(1000)), entry("short".into())],
            heading_room: 1e6,
        };
        for width in [1400, 300, 10, 0, -20] {
            let rows = legend.rows(&style, width);
            for row in spans(&legend, &style, width) {
                for (left, right) in row {
                    assert!(left >= 0 && (right <= width || left == 0), "{width}");
                }
            }
            if width >= 300 {
                // Heading, three lines of the long entry, the short one.
                assert_eq!(rows.len(), 5, "{width}: {rows:?}");
                let lines = lines_of(&rows, 0);
                assert_eq!(lines.len(), LABEL_LINES);
                assert!(lines[2].ends_with('…') && !lines[1].ends_with('…'));
                assert_eq!(lines_of(&rows, 1), ["short"]);
            }
        }
    }

    #[test]
    fn a_name_of_a_hundred_wide_letters_is_shown_whole() {
        use crate::report::chart::Size;
        let name = "W".repeat(100);
        for size in [Size::SCREEN, Size::PRINT, Size::pixels(400, 300)] {
            let style = Style::new(size, true);
            // The band of a legend: the figure less its margins and the y axis.
            let width = size.width as i32 - style.px(MARGIN) * 2 - style.px(40.0);
            let legend = Legend {
                heading: None,
                entries: vec![entry(name.clone()), entry("B".into())],
                heading_room: 0.0,
            };
            let rows = legend.rows(&style, width);
            assert_eq!(lines_of(&rows, 0).concat(), name, "{size:?}");
            assert_eq!(lines_of(&rows, 1), ["B"]);
        }
    }

    #[test]
    fn a_legend_too_long_for_its_quarter_of_the_figure_says_how_many_are_left_out() {
        let style = Style::new(crate::report::chart::Size::SCREEN, true);
        let legend = Legend {
            heading: None,
            entries: (0..64)
                .map(|i| entry(format!("firm {i} {}", "N".repeat(100))))
                .collect(),
            heading_room: 0.0,
        };
        let width = 1400;
        let rows = legend.rows(&style, width);
        let quarter = (style.size.height / 4) as i32;
        assert!(legend.height(&style, width) <= quarter, "{}", rows.len());
        let shown = rows
            .iter()
            .flatten()
            .filter(|(_, i)| matches!(i, Item::Entry(..)));
        let shown = shown.count();
        let Some((_, Item::More(note))) = rows.last().and_then(|r| r.last()) else {
            panic!("no note in {rows:?}");
        };
        assert_eq!(*note, format!("and {} more", 64 - shown));
        for row in spans(&legend, &style, width) {
            assert!(row.iter().all(|&(_, right)| right <= width));
        }
        // A legend that fits has no note.
        let few = Legend {
            entries: legend.entries[..3].to_vec(),
            ..legend.clone()
        };
        let items = few.rows(&style, width).concat();
        assert!(!items.iter().any(|(_, i)| matches!(i, Item::More(_))));
    }

    #[test]
    fn within_never_panics_on_an_empty_range() {
        assert_eq!(within(5, 0, 10), 5);
        assert_eq!(within(-5, 0, 10), 0);
        assert_eq!(within(50, 0, 10), 10);
        assert_eq!(within(5, 10, 0), 10, "the lower bound wins");
    }

    #[test]
    fn linear_axes_tick_at_round_values_inside_the_range() {
        let a = Axis::linear("", 1.0, 5.0, 4, number);
        let labels: Vec<&str> = a.ticks.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["1", "2", "3", "4", "5"]);
    }
}
