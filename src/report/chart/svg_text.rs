//! Text in SVGs as outlines of the embedded font, so an SVG looks the same on every
//! machine, as the PNGs do.
//!
//! plotters writes SVG text as `<text font-family="DejaVu Sans, sans-serif">`, which a
//! viewer sets in whatever font it has under that name: on a machine without DejaVu
//! Sans the text takes another font's widths, and labels the layout fitted to their
//! room overlap or run past it. Two ways out were weighed:
//!
//! - **Embedding the font** (`@font-face` with the TTF as a data URL) keeps `<text>`,
//!   but the whole of DejaVu Sans is 760 kB (a megabyte in base64) in every file, a
//!   subset needs a font subsetter, and many of the renderers an SVG meets on its way
//!   into a paper (librsvg, resvg, Inkscape's import, LaTeX's svg packages via them)
//!   ignore web fonts and fall back to a system font anyway.
//! - **Outlines**, chosen: every renderer draws a path the same. Each glyph used is
//!   written once, in font units, as a `<path>` in `<defs>`, and each text is a group
//!   placed, scaled (and, reading upwards, turned) by one transform, with a `<use>` per
//!   glyph at its pen position: the pen advances and kerning are the font's, as in the
//!   PNGs (`text.rs`), so the SVG and the PNG are set alike. Each group carries its
//!   text as `aria-label`, for screen readers, search and the tests.
//!
//! The cost is size, measured on the showcase's charts at the default size:
//! `retention_curve.svg` 24.6 kB with `<text>`, 45.8 kB outlined; `timeseries.svg`
//! 11.5 → 28.4 kB; `types.svg` 15.1 → 33.1 kB. About 12–13 kB of each is the glyph
//! shapes of the chart's alphabet (written once), the rest some 30 bytes per glyph
//! placed; embedding even a subset of the font would cost more than the shapes, and
//! the whole font 1 MB.
//!
//! How it is done: in SVG mode `layout::text` records each text (its glyphs, size,
//! colour, pen start and direction) while plotters writes its `<text>` element as
//! before; [`outline`] then replaces the `<text>` elements, in document order, by the
//! recorded texts, so what is drawn over what is unchanged. The record is a
//! thread-local list that only [`collect`] opens, around one SVG's drawing: the
//! drawing code passes a `&Style`, shared by every chart, which has no room for it.

use super::text;
use plotters::style::RGBColor;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Write;

/// A text as drawn: what it says, its em in pixels, its colour, where its pen starts
/// on the baseline, and whether it reads upwards.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Placed {
    pub text: String,
    pub em: f64,
    pub color: RGBColor,
    pub pen: (i32, i32),
    pub up: bool,
}

thread_local! {
    static PLACED: RefCell<Option<Vec<Placed>>> = const { RefCell::new(None) };
}

/// Records a text drawn to SVG, when an SVG is being drawn ([`collect`]).
pub(super) fn record(placed: Placed) {
    PLACED.with_borrow_mut(|p| {
        if let Some(list) = p {
            list.push(placed);
        }
    });
}

/// Runs `draw`, returning what it returns and the texts it recorded, in order.
pub(super) fn collect<R>(draw: impl FnOnce() -> R) -> (R, Vec<Placed>) {
    let before = PLACED.with_borrow_mut(|p| p.replace(Vec::new()));
    let result = draw();
    let placed = PLACED.with_borrow_mut(|p| std::mem::replace(p, before));
    (result, placed.unwrap_or_default())
}

/// `svg` with its `<text>` elements replaced, in order, by the outlines of `placed`,
/// and the glyphs they use defined once at the top. An error when the two disagree in
/// number (a text drawn other than through `layout`).
pub(super) fn outline(svg: &str, placed: &[Placed]) -> Result<String, String> {
    let mut out = String::with_capacity(svg.len() + placed.len() * 400);
    // Each glyph's path, `None` for one without an outline.
    let mut glyphs: BTreeMap<u16, Option<String>> = BTreeMap::new();
    let mut rest = svg;
    let mut texts = placed.iter();
    while let Some(at) = rest.find("<text") {
        let Some(end) = rest[at..].find("</text>") else {
            return Err("an SVG <text> element without its end".into());
        };
        let Some(p) = texts.next() else {
            return Err("more SVG texts than were laid out".into());
        };
        out.push_str(&rest[..at]);
        group(&mut out, p, &mut glyphs);
        rest = &rest[at + end + "</text>".len()..];
    }
    if texts.next().is_some() {
        return Err("fewer SVG texts than were laid out".into());
    }
    out.push_str(rest);
    let mut defs = String::from("<defs>");
    for (id, d) in &glyphs {
        if let Some(d) = d {
            let _ = write!(defs, "<path id=\"g{id}\" d=\"{d}\"/>");
        }
    }
    defs.push_str("</defs>\n");
    // After the root element's start tag, which gains the namespace of `xlink:href`.
    let Some(open) = out.find("<svg") else {
        return Err("no <svg> element".into());
    };
    let Some(close) = out[open..].find('>').map(|i| open + i + 1) else {
        return Err("an unfinished <svg> tag".into());
    };
    out.insert_str(close, &format!("\n{defs}"));
    out.insert_str(open + 4, " xmlns:xlink=\"http://www.w3.org/1999/xlink\"");
    Ok(out)
}

/// Writes one text as a group of glyph uses, defining the glyphs it needs.
fn group(out: &mut String, p: &Placed, glyphs: &mut BTreeMap<u16, Option<String>>) {
    let font = text::font();
    let per_unit = p.em / text::units_per_em();
    let RGBColor(r, g, b) = p.color;
    let turn = if p.up { " rotate(-90)" } else { "" };
    let _ = write!(
        out,
        "<g aria-label=\"{}\" fill=\"#{r:02X}{g:02X}{b:02X}\" \
         transform=\"translate({} {}){turn} scale({} -{})\">",
        escape(&p.text),
        p.pen.0,
        p.pen.1,
        short(per_unit),
        short(per_unit),
    );
    for (id, x) in text::pen_units(&p.text) {
        let shape = glyphs.entry(id.0).or_insert_with(|| path(font, id));
        if shape.is_none() {
            // Nothing to draw (a space): the pen moves on.
            continue;
        }
        if x == 0.0 {
            let _ = write!(out, "<use xlink:href=\"#g{}\"/>", id.0);
        } else {
            let _ = write!(out, "<use xlink:href=\"#g{}\" x=\"{}\"/>", id.0, short(x));
        }
    }
    out.push_str("</g>");
}

/// The outline of glyph `id` as SVG path data in font units (y up), `None` for a glyph
/// without one.
fn path(font: &impl ab_glyph::Font, id: ab_glyph::GlyphId) -> Option<String> {
    use ab_glyph::OutlineCurve::{Cubic, Line, Quad};
    let outline = font.outline(id)?;
    let curves = &outline.curves;
    let mut d = String::new();
    let start_of = |c: &ab_glyph::OutlineCurve| match c {
        Line(a, _) | Quad(a, _, _) | Cubic(a, _, _, _) => *a,
    };
    let end_of = |c: &ab_glyph::OutlineCurve| match c {
        Line(_, b) | Quad(_, _, b) | Cubic(_, _, _, b) => *b,
    };
    let pt = |p: ab_glyph::Point| format!("{} {}", short(p.x as f64), short(p.y as f64));
    let mut contour_start = None;
    for (i, c) in curves.iter().enumerate() {
        let a = start_of(c);
        if contour_start.is_none() || end_of(&curves[i - 1]) != a {
            if contour_start.is_some() {
                d.push('Z');
            }
            let _ = write!(d, "M{}", pt(a));
            contour_start = Some(a);
        }
        let closes = i + 1 == curves.len() || start_of(&curves[i + 1]) != end_of(c);
        match c {
            // The line back to the contour's start is the `Z`.
            Line(_, b) if closes && Some(*b) == contour_start => {}
            Line(_, b) => {
                let _ = write!(d, "L{}", pt(*b));
            }
            Quad(_, c1, b) => {
                let _ = write!(d, "Q{} {}", pt(*c1), pt(*b));
            }
            Cubic(_, c1, c2, b) => {
                let _ = write!(d, "C{} {} {}", pt(*c1), pt(*c2), pt(*b));
            }
        }
    }
    if contour_start.is_some() {
        d.push('Z');
    }
    (!d.is_empty()).then_some(d)
}

/// A number in at most six significant digits, without trailing zeros: 1352, 0.5,
/// 0.0122070.
fn short(v: f64) -> String {
    if v == v.round() && v.abs() < 1e9 {
        return format!("{}", v as i64);
    }
    let digits = (5 - v.abs().log10().floor() as i32).clamp(0, 12) as usize;
    let s = format!("{v:.digits$}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Text as an XML attribute value.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(short(1352.0), "1352");
        assert_eq!(short(-0.5), "-0.5");
        assert_eq!(short(0.012207031), "0.012207");
        assert_eq!(short(12.25), "12.25");
    }

    #[test]
    fn texts_become_glyph_uses_defined_once() {
        let placed = |s: &str, up| Placed {
            text: s.into(),
            em: 20.0,
            color: RGBColor(34, 34, 34),
            pen: (10, 50),
            up,
        };
        let svg = "<svg width=\"10\" xmlns=\"http://www.w3.org/2000/svg\">\n\
                   <rect/>\n<text x=\"1\">a</text>\n<line/>\n<text x=\"2\">\nb\n</text>\n</svg>";
        let out = outline(svg, &[placed("Aa & <b>", false), placed("AA", true)]).unwrap();
        let doc = roxmltree::Document::parse(&out).unwrap();
        assert!(doc.descendants().all(|n| !n.has_tag_name("text")));
        let labels: Vec<&str> = doc
            .descendants()
            .filter_map(|n| n.attribute("aria-label"))
            .collect();
        assert_eq!(labels, ["Aa & <b>", "AA"]);
        // "A" is defined once and used three times; the spaces have no glyph.
        let defined: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("path"))
            .filter_map(|n| n.attribute("id"))
            .collect();
        let uses = doc.descendants().filter(|n| n.has_tag_name("use")).count();
        assert_eq!(uses, 8, "{out}");
        let unique: std::collections::BTreeSet<&&str> = defined.iter().collect();
        assert_eq!(unique.len(), defined.len());
        assert_eq!(defined.len(), 6, "A a & < b >: {defined:?}");
        // In document order: the texts stay between the shapes they were drawn between.
        let order: Vec<&str> = doc
            .root_element()
            .children()
            .filter(|n| n.is_element())
            .map(|n| n.tag_name().name())
            .collect();
        assert_eq!(order, ["defs", "rect", "g", "line", "g"]);
        assert!(out.contains("rotate(-90)"));
        assert!(outline(svg, &[placed("a", false)]).is_err());
    }
}
