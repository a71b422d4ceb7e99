//! Text in PNGs, typeset here from the embedded font rather than by plotters.
//!
//! plotters 0.3.7 draws ab_glyph text without each glyph's left side bearing (a gap
//! opens between "(" and "J") and puts the baseline at half the font's scale rather
//! than where the font says. Charts are meant to go into papers untouched, so PNG text
//! is laid out here: pen advances with kerning, glyphs at their bearings, coverage
//! blended into the picture. SVG text stays text, typeset by the viewer.

use super::style::FONT;
use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont, point};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::sync::OnceLock;

fn font() -> &'static FontRef<'static> {
    static PARSED: OnceLock<FontRef<'static>> = OnceLock::new();
    PARSED.get_or_init(|| FontRef::try_from_slice(FONT).expect("the embedded font parses"))
}

/// The ab_glyph scale whose em square is `em` pixels.
fn scale(em: f64) -> PxScale {
    let f = font();
    let units = f.units_per_em().unwrap_or(2048.0) as f64;
    PxScale::from((em * f.height_unscaled() as f64 / units) as f32)
}

/// Pen positions of each glyph of `s` along the baseline, and the total advance.
fn layout(s: &str, em: f64) -> (Vec<(GlyphId, f32)>, f64) {
    let scaled = font().as_scaled(scale(em));
    let mut caret = 0.0_f32;
    let mut last: Option<GlyphId> = None;
    let mut glyphs = Vec::with_capacity(s.len());
    for c in s.chars() {
        let id = scaled.glyph_id(c);
        if let Some(prev) = last {
            caret += scaled.kern(prev, id);
        }
        glyphs.push((id, caret));
        caret += scaled.h_advance(id);
        last = Some(id);
    }
    (glyphs, caret as f64)
}

/// The advance width of `s` at an em of `em` pixels.
pub fn width(s: &str, em: f64) -> f64 {
    layout(s, em).1
}

/// Draws `s` in `color` with its pen starting at `(x, y)` on the baseline, reading to
/// the right, or upwards when `up` (glyph tops then point left).
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &str,
    em: f64,
    color: RGBColor,
    (x, y): (i32, i32),
    up: bool,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let f = font();
    let px_scale = scale(em);
    let (glyphs, _) = layout(s, em);
    let mut pixels: Vec<(i32, i32, f32)> = Vec::new();
    for (id, caret) in glyphs {
        let glyph = id.with_scale_and_position(px_scale, point(caret, 0.0));
        let Some(outline) = f.outline_glyph(glyph) else {
            continue;
        };
        let bounds = outline.px_bounds();
        let (bx, by) = (bounds.min.x as i32, bounds.min.y as i32);
        outline.draw(|gx, gy, coverage| {
            if coverage > 0.0 {
                pixels.push((bx + gx as i32, by + gy as i32, coverage.min(1.0)));
            }
        });
    }
    for (lx, ly, coverage) in pixels {
        let at = if up {
            (x + ly, y - lx)
        } else {
            (x + lx, y + ly)
        };
        root.draw_pixel(at, &color.mix(coverage as f64))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_grow_with_text_and_size() {
        let a = width("Retention", 20.0);
        assert!(a > 50.0 && a < 150.0, "{a}");
        assert!((width("Retention", 40.0) - 2.0 * a).abs() < 1.0);
        assert!(width("Retention per period", 20.0) > a);
        assert_eq!(width("", 20.0), 0.0);
    }
}
