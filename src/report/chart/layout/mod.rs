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

mod axes;
mod label;
mod legend;
#[cfg(test)]
mod tests;

pub use axes::{
    Axis, Grid, dashed, draw_axes, draw_grid, nice_step, number, plot_rect, polyline, scale,
};
pub use label::{LABEL_LINES, fit, text, text_up, text_width, wrap};
pub use legend::{Entry, Key, Legend, Shape, marker};

use super::style::{Style, palette, pt};
use plotters::coord::Shift;
use plotters::prelude::*;

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
