//! Text placed by its baseline, measured in the embedded font, and fitted or wrapped to
//! its room: the one way every chart draws a text, so that none runs off the figure and
//! SVG text is recorded for its outlines.

use super::{Align, Drawn};
use crate::report::chart::style::Style;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::borrow::Cow;

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
    super::super::text::draw(root, s, style.size.px(points), color, (start, y), false)
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
    super::super::text::draw(root, s, style.size.px(points), color, (x, y + w / 2), true)
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
    super::super::svg_text::record(super::super::svg_text::Placed {
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
    super::super::text::width(s, style.size.px(points)).round() as i32
}

/// `s` if its [`text_width`] is at most `room` pixels, otherwise its longest beginning
/// that is, ending in "…"; empty when not even "…" fits (the text is then left out).
pub fn fit<'a>(style: &Style, s: &'a str, points: f64, room: i32) -> Cow<'a, str> {
    // text_width rounds: a width w is at most `room` when w < room + 0.5.
    super::super::text::fit(s, style.size.px(points), room as f64 + 0.5)
}

/// `s` in at most `max_lines` lines each at most `room` pixels wide, broken after
/// words where it can be; the last line ends in "…" when text is left over (see
/// [`super::super::text::wrap`]).
pub fn wrap(style: &Style, s: &str, points: f64, room: i32, max_lines: usize) -> Vec<String> {
    super::super::text::wrap(s, style.size.px(points), room as f64 + 0.5, max_lines)
}

/// Lines a legend entry or an event label may take: a name of a hundred characters
/// fits in two across any figure, whatever its letters.
pub const LABEL_LINES: usize = 3;
