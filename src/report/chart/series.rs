//! How a series of the comparison and sweep charts looks: its colour, marker shape and
//! line style, and how series that share their x values are kept apart.
//!
//! Series of two varied fields (R and a price, a form and a switching cost) often lie
//! on top of each other where the second field changes little. Colour alone then hides
//! all but the last one drawn, so a series differs from its neighbours in three ways:
//! colour (Okabe–Ito), marker shape and line style (solid, dashed, dotted, long
//! dashes), each readable in grey print. Markers and intervals of series at the same x
//! are moved sideways by a few points ([`dodge`]), and lines are drawn over white
//! halos (every series' halo first, then the lines, so lines never cut each other), so
//! a line stands out from the shaded zones of satisfaction and the grid, as a curve of
//! an infinite constraint at 100% does along the top of the data.

use super::layout::{self, Key, Shape};
use super::style::{Style, line, palette};
use plotters::coord::Shift;
use plotters::prelude::*;

/// A series' colour, marker and line style, each an index into its own sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Look {
    pub colour: usize,
    pub shape: usize,
    pub dash: usize,
}

/// Dash patterns in points (dash, gap); the first is solid.
const DASHES: [Option<(f64, f64)>; 4] =
    [None, Some((5.0, 2.5)), Some((1.3, 1.7)), Some((9.0, 2.5))];

impl Look {
    /// The `i`-th look of a single sequence: its own colour and shape, a solid line.
    pub fn nth(i: usize) -> Look {
        Look {
            colour: i,
            shape: i,
            dash: 0,
        }
    }

    pub fn color(&self) -> RGBColor {
        palette::series(self.colour)
    }

    pub fn shape(&self) -> Shape {
        Shape::nth(self.shape)
    }

    /// The dash pattern in points, `None` for a solid line.
    pub fn pattern(&self) -> Option<(f64, f64)> {
        DASHES[self.dash % DASHES.len()]
    }

    /// The legend key: the line in its pattern with the marker on it.
    pub fn key(&self) -> Key {
        Key::Pattern {
            color: self.color(),
            shape: Some(self.shape()),
            dash: self.pattern(),
        }
    }

    /// The key of what the line style and marker stand for, in a neutral colour.
    pub fn style_key(&self) -> Key {
        Key::Pattern {
            color: palette::MUTED,
            shape: Some(self.shape()),
            dash: self.pattern(),
        }
    }

    /// Draws the white halo a line in this look is drawn over (`None` breaks the
    /// line). A chart draws every series' halo before any line, so that lines stand
    /// out from shading and grid without cutting each other.
    pub fn draw_halo<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
        points: &[Option<(i32, i32)>],
    ) -> layout::Drawn<DB> {
        let halo = style.px(line::DATA) + 2 * style.px(0.9);
        layout::polyline(root, points, RGBColor(255, 255, 255), halo)
    }

    /// Draws a line through pixel points in this look; `None` breaks the line.
    pub fn draw_line<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
        points: &[Option<(i32, i32)>],
    ) -> layout::Drawn<DB> {
        let width = style.px(line::DATA);
        match self.pattern() {
            None => layout::polyline(root, points, self.color(), width),
            Some((dash, gap)) => {
                for run in points.split(|p| p.is_none()) {
                    let run: Vec<(i32, i32)> = run.iter().flatten().copied().collect();
                    if run.len() >= 2 {
                        layout::dashed(
                            root,
                            &run,
                            self.color(),
                            width,
                            (style.size.px(dash), style.size.px(gap)),
                        )?;
                    }
                }
                Ok(())
            }
        }
    }

    /// Draws the marker at `at` over a white rim, with a vertical interval from `low`
    /// to `high` (pixel rows) when given.
    pub fn draw_point<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
        at: (i32, i32),
        interval: Option<(i32, i32)>,
    ) -> layout::Drawn<DB> {
        let r = style.px(line::MARKER);
        if let Some((low, high)) = interval {
            whisker(root, style, at.0, (low, high), self.color())?;
        }
        layout::marker(
            root,
            self.shape(),
            at,
            r + style.px(0.6),
            RGBColor(255, 255, 255),
        )?;
        layout::marker(root, self.shape(), at, r, self.color())
    }
}

/// Pixels beyond which nothing is placed: far off any figure, near enough to zero that
/// offsets and caps added to a placed pixel cannot overflow.
const FAR: i32 = 1 << 22;

/// The pixel of `v` on an axis from `low..high` to `a..b`, as `layout::scale` gives it,
/// kept within [`FAR`] pixels: an interval that reaches 1e300 is drawn to far off the
/// figure (and clipped there), not to the edge of the integers.
pub fn place(v: f64, low: f64, high: f64, a: i32, b: i32) -> i32 {
    layout::scale(v, low, high, a, b).clamp(-FAR, FAR)
}

/// A vertical interval at pixel column `x` from row `low` to `high`, with caps.
pub fn whisker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    style: &Style,
    x: i32,
    (low, high): (i32, i32),
    color: RGBColor,
) -> layout::Drawn<DB> {
    let s = color.stroke_width(style.px(line::INTERVAL) as u32);
    root.draw(&PathElement::new(vec![(x, low), (x, high)], s))?;
    let cap = (style.px(line::MARKER) * 4) / 5;
    for y in [low, high] {
        root.draw(&PathElement::new(vec![(x - cap, y), (x + cap, y)], s))?;
    }
    Ok(())
}

/// How far, in pixels, series `k` of `n` is moved sideways so that markers and
/// intervals at the same x stand apart: evenly around the true x, at most `room`
/// pixels either side (half the gap between neighbouring x values, say).
pub fn dodge(style: &Style, k: usize, n: usize, room: i32) -> i32 {
    if n < 2 {
        return 0;
    }
    let step = style.px(line::MARKER) as f64 * 1.6;
    let step = step.min(2.0 * room.max(0) as f64 / (n - 1) as f64);
    ((k as f64 - (n - 1) as f64 / 2.0) * step).round() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dodged_series_are_centred_and_kept_within_their_room() {
        let style = Style::new(super::super::Size::SCREEN, false);
        assert_eq!(dodge(&style, 0, 1, 100), 0);
        let offsets: Vec<i32> = (0..3).map(|k| dodge(&style, k, 3, 100)).collect();
        assert_eq!(offsets[1], 0);
        assert_eq!(offsets[0], -offsets[2]);
        assert!(offsets[2] > 0);
        let tight: Vec<i32> = (0..5).map(|k| dodge(&style, k, 5, 4)).collect();
        assert!(tight.iter().all(|d| d.abs() <= 4), "{tight:?}");
        assert_eq!(dodge(&style, 1, 2, -5), 0);
    }

    #[test]
    fn looks_differ_in_line_style_as_well_as_colour() {
        let a = Look {
            colour: 0,
            shape: 0,
            dash: 0,
        };
        let b = Look {
            colour: 0,
            shape: 1,
            dash: 1,
        };
        assert_eq!(a.pattern(), None);
        assert!(b.pattern().is_some());
        assert_ne!(a.key(), b.key());
    }
}
