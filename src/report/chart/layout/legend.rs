//! Legends: marker shapes, the keys beside their labels, and the rows a legend flows in
//! above the data, within its quarter of the figure.

use super::{Align, Drawn, LABEL_LINES, dashed, fit, text, text_width, wrap};
use crate::report::chart::style::{Style, line, palette, pt};
use plotters::coord::Shift;
use plotters::prelude::*;

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
pub(super) enum Item {
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
    pub(super) fn key_width(style: &Style, key: &Key) -> i32 {
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
    pub(super) fn rows(&self, style: &Style, width: i32) -> Vec<Vec<(i32, Item)>> {
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
