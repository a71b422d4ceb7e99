//! Text in PNGs, typeset here from the embedded font rather than by plotters.
//!
//! plotters 0.3.7 draws ab_glyph text without each glyph's left side bearing (a gap
//! opens between "(" and "J") and puts the baseline at half the font's scale rather
//! than where the font says. Charts are meant to go into papers untouched, so PNG text
//! is laid out here: pen advances with kerning, glyphs at their bearings, coverage
//! blended into the picture. SVG text is drawn from the same glyphs and pen positions,
//! as outlines (`svg_text.rs`).

use super::style::FONT;
use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont, point};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::borrow::Cow;
use std::sync::OnceLock;

pub(super) fn font() -> &'static FontRef<'static> {
    static PARSED: OnceLock<FontRef<'static>> = OnceLock::new();
    PARSED.get_or_init(|| FontRef::try_from_slice(FONT).expect("the embedded font parses"))
}

/// The ab_glyph scale whose em square is `em` pixels.
fn scale(em: f64) -> PxScale {
    let f = font();
    PxScale::from((em * f.height_unscaled() as f64 / units_per_em()) as f32)
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

/// Font units per em of the embedded font.
pub(super) fn units_per_em() -> f64 {
    font().units_per_em().unwrap_or(2048.0) as f64
}

/// Each glyph of `s` with its pen position in font units, as [`layout`] sets them:
/// advances and kerning of the font (for SVG outlines, `svg_text.rs`).
pub(super) fn pen_units(s: &str) -> Vec<(GlyphId, f64)> {
    let f = font();
    let mut caret = 0.0_f64;
    let mut last: Option<GlyphId> = None;
    let mut glyphs = Vec::with_capacity(s.len());
    for c in s.chars() {
        let id = f.glyph_id(c);
        if let Some(prev) = last {
            caret += f.kern_unscaled(prev, id) as f64;
        }
        glyphs.push((id, caret));
        caret += f.h_advance_unscaled(id) as f64;
        last = Some(id);
    }
    glyphs
}

/// The advance width of `s` at an em of `em` pixels.
pub fn width(s: &str, em: f64) -> f64 {
    layout(s, em).1
}

/// The ellipsis that ends a shortened text.
pub const ELLIPSIS: char = '…';

/// How much of a text fits in a room: all of it, or up to where.
struct Scan {
    /// Bytes of the longest beginning narrower than the room (all when it fits).
    plain: usize,
    /// Bytes of the longest beginning that leaves room for the ellipsis after it.
    before_ellipsis: usize,
    whole: bool,
}

/// Measures `s` only as far as `room` pixels reach, so a text of a megabyte costs no
/// more than one as wide as the figure. Sums as `layout` sums, so a beginning found to
/// fit has a `width` below `room`.
fn scan(s: &str, em: f64, room: f64) -> Scan {
    let scaled = font().as_scaled(scale(em));
    let dots = scaled.h_advance(scaled.glyph_id(ELLIPSIS)) as f64;
    let mut caret = 0.0_f32;
    let mut last: Option<GlyphId> = None;
    let mut before_ellipsis = 0;
    for (i, c) in s.char_indices() {
        // Here `caret` is the width of s[..i], which fits.
        if caret as f64 + dots < room {
            before_ellipsis = i;
        }
        let id = scaled.glyph_id(c);
        if let Some(prev) = last {
            caret += scaled.kern(prev, id);
        }
        caret += scaled.h_advance(id);
        if caret as f64 >= room {
            return Scan {
                plain: i,
                before_ellipsis,
                whole: false,
            };
        }
        last = Some(id);
    }
    Scan {
        plain: s.len(),
        before_ellipsis,
        whole: true,
    }
}

/// `s` if it is narrower than `room` pixels at an em of `em`, otherwise its longest
/// beginning that is, with [`ELLIPSIS`] after it; empty when not even the ellipsis fits.
pub fn fit(s: &str, em: f64, room: f64) -> Cow<'_, str> {
    let found = scan(s, em, room);
    if found.whole {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(shortened(s, found.before_ellipsis, em, room))
    }
}

/// `s` in at most `max_lines` lines narrower than `room` pixels, broken after a word
/// where one ends in the line (inside a word longer than a line otherwise); the last
/// line is shortened with [`ELLIPSIS`] when text is left over. No lines when not even
/// one character fits.
pub fn wrap(s: &str, em: f64, room: f64, max_lines: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut rest = s;
    while !rest.is_empty() && lines.len() < max_lines {
        if lines.len() + 1 == max_lines {
            let last = fit(rest, em, room);
            if !last.is_empty() {
                lines.push(last.into_owned());
            }
            break;
        }
        let found = scan(rest, em, room);
        if found.whole {
            lines.push(rest.to_string());
            break;
        }
        let n = found.plain;
        if n == 0 {
            break;
        }
        // After the last word that ends in the line, unless the word after it is too
        // long for a line of its own anyway (then it is broken where the line ends).
        let cut = if rest[n..].starts_with(' ') {
            n
        } else {
            rest[..n]
                .rfind(' ')
                .filter(|&i| !rest[..i].trim().is_empty())
                .filter(|&i| {
                    let next = rest[i..].trim_start();
                    scan(next.split(' ').next().unwrap_or(""), em, room).whole
                })
                .unwrap_or(n)
        };
        lines.push(rest[..cut].trim_end().to_string());
        rest = rest[cut..].trim_start();
    }
    lines
}

/// `s[..cut]` without trailing spaces, then the ellipsis; shortened further while
/// kerning against the ellipsis makes it too wide, empty when nothing fits.
fn shortened(s: &str, cut: usize, em: f64, room: f64) -> String {
    let mut head = s[..cut].trim_end();
    loop {
        let text = format!("{head}{ELLIPSIS}");
        if width(&text, em) < room {
            return text;
        }
        match head.char_indices().next_back() {
            Some((i, _)) => head = head[..i].trim_end(),
            None => return String::new(),
        }
    }
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

    #[test]
    fn texts_too_wide_are_shortened_with_an_ellipsis() {
        let s = "Retention per period";
        let w = width(s, 20.0);
        assert_eq!(fit(s, 20.0, w + 1.0), s, "a text that fits is left alone");
        let short = fit(s, 20.0, w / 2.0);
        assert!(
            short.ends_with(ELLIPSIS) && short.len() < s.len(),
            "{short}"
        );
        assert!(width(&short, 20.0) < w / 2.0);
        assert!(s.starts_with(short.trim_end_matches(ELLIPSIS)));
        // Too narrow for the ellipsis itself: nothing.
        assert_eq!(fit(s, 20.0, 1.0), "");
        assert_eq!(fit(s, 20.0, -50.0), "");
        assert_eq!(fit("", 20.0, 0.0), "");
        // A megabyte is measured only as far as the room reaches.
        let huge = "N".repeat(1 << 20);
        let fitted = fit(&huge, 20.0, 500.0);
        assert!(width(&fitted, 20.0) < 500.0 && fitted.chars().count() < 100);
    }

    #[test]
    fn long_texts_wrap_after_words_into_the_lines_allowed() {
        let room = width("Retention per period", 20.0) + 1.0;
        assert_eq!(
            wrap("Retention per period by firm", 20.0, room, 3),
            ["Retention per period", "by firm"]
        );
        assert_eq!(wrap("short", 20.0, room, 3), ["short"]);
        // Not a line for "firm" alone when the word after it needs more than one.
        let lines = wrap(&format!("firm {}", "N".repeat(100)), 20.0, room, 3);
        assert!(lines[0].starts_with("firm NN"), "{lines:?}");
        // A word longer than a line is broken inside; what is left over ends in "…".
        let lines = wrap(&"N".repeat(1000), 20.0, room, 3);
        assert_eq!(lines.len(), 3);
        assert!(lines[2].ends_with(ELLIPSIS) && !lines[1].ends_with(ELLIPSIS));
        assert!(lines.iter().all(|l| width(l, 20.0) < room));
        assert!(wrap("anything", 20.0, 1.0, 3).is_empty());
        assert!(wrap("", 20.0, room, 3).is_empty());
    }
}
