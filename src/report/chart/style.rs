//! The look every chart shares: the embedded font, the Okabe–Ito palette, and sizes in
//! points that scale with the resolution.
//!
//! Sizes are given in typographic points (1/72 in) and converted with the figure's dpi,
//! so a print figure (300 dpi) has the same proportions as a screen one (200 dpi) and
//! text stays 8–11 pt whatever the pixel count. Colours are fixed by meaning (a firm
//! keeps its colour across charts, a customer type always has the same one), from the
//! Okabe–Ito palette, which stays distinct for the common forms of colour blindness.
//! Light fills are opaque tints rather than transparency, so PNG and SVG agree.

use plotters::style::{FontFamily, IntoFont, RGBColor, TextStyle};
use std::sync::Once;

/// The embedded font: DejaVu Sans (licence in `assets/fonts/`).
pub(super) const FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// The family name charts ask for. The embedded font is registered under it, so
/// plotters never looks for system fonts; PNG and SVG text are both drawn from the
/// embedded font itself (`text.rs`, `svg_text.rs`), so no viewer ever needs it.
pub const FAMILY: &str = "DejaVu Sans, sans-serif";

/// Registers the embedded font with plotters, once per process.
pub fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if plotters::style::register_font(FAMILY, plotters::style::FontStyle::Normal, FONT).is_err()
        {
            panic!("the embedded font does not parse");
        }
    });
}

/// A figure's size in pixels and its resolution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Size {
    pub width: u32,
    pub height: u32,
    /// Dots per inch: what a point is in pixels, and the PNG's stated pixel density.
    pub dpi: f64,
}

impl Size {
    /// The default: 8 × 5 in at 200 dpi, for screens, slides and the README.
    pub const SCREEN: Size = Size {
        width: 1600,
        height: 1000,
        dpi: 200.0,
    };
    /// A journal's double column, 7 × 4.5 in at 300 dpi.
    pub const PRINT: Size = Size {
        width: 2100,
        height: 1350,
        dpi: 300.0,
    };

    /// Most pixels a chart may have on either side: an 8000 × 8000 PNG takes about
    /// 200 MB to draw (it is drawn once, not supersampled, at that size).
    pub const MAX_SIDE: u32 = 8000;
    /// Highest resolution a chart may have (`Size::pixels(8000, 8000)` is 1000 dpi):
    /// text and markers grow with it, and beyond it no text would fit anyway.
    pub const MAX_DPI: f64 = 1200.0;

    /// A size in pixels, with text and lines scaled as on [`Size::SCREEN`] to fit.
    pub fn pixels(width: u32, height: u32) -> Size {
        let scale = (width as f64 / 1600.0).min(height as f64 / 1000.0);
        Size {
            width,
            height,
            dpi: 200.0 * scale,
        }
    }

    /// Points to pixels.
    pub fn px(&self, points: f64) -> f64 {
        points * self.dpi / 72.0
    }

    /// Points to whole pixels, at least one.
    pub fn ipx(&self, points: f64) -> i32 {
        (self.px(points).round() as i32).max(1)
    }
}

impl std::str::FromStr for Size {
    type Err = String;

    /// `screen`, `print`, or `WIDTHxHEIGHT` in pixels.
    fn from_str(s: &str) -> Result<Size, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "screen" | "default" => Ok(Size::SCREEN),
            "print" => Ok(Size::PRINT),
            other => {
                let parsed = other.split_once('x').and_then(|(w, h)| {
                    Some((w.trim().parse::<u32>().ok()?, h.trim().parse::<u32>().ok()?))
                });
                match parsed {
                    Some((w, h))
                        if (400..=Size::MAX_SIDE).contains(&w)
                            && (300..=Size::MAX_SIDE).contains(&h) =>
                    {
                        Ok(Size::pixels(w, h))
                    }
                    _ => Err(format!(
                        "expected screen (1600x1000), print (2100x1350 at 300 dpi) or \
                         WIDTHxHEIGHT in pixels, 400x300 to {0}x{0}",
                        Size::MAX_SIDE
                    )),
                }
            }
        }
    }
}

/// Text sizes in points.
pub mod pt {
    pub const TITLE: f64 = 11.0;
    pub const SUBTITLE: f64 = 8.5;
    pub const AXIS_TITLE: f64 = 9.0;
    pub const TICK: f64 = 8.0;
    pub const LEGEND: f64 = 8.5;
    pub const ANNOTATION: f64 = 8.0;
}

/// Line widths in points.
pub mod line {
    pub const DATA: f64 = 1.25;
    pub const THEORY: f64 = 1.0;
    pub const AXIS: f64 = 0.6;
    pub const GRID: f64 = 0.4;
    pub const INTERVAL: f64 = 0.7;
    pub const MARKER: f64 = 2.2;
}

/// Scales points to the figure and makes text styles.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub size: Size,
    /// Drawing for SVG rather than pixels: text is then recorded for outlining.
    pub vector: bool,
}

impl Style {
    pub fn new(size: Size, vector: bool) -> Style {
        register_font();
        Style { size, vector }
    }

    /// Points to whole pixels, at least one.
    pub fn px(&self, points: f64) -> i32 {
        self.size.ipx(points)
    }

    /// plotters' style for text of `points` in `color`: the `<text>` elements it
    /// writes in SVGs are replaced by outlines (`svg_text.rs`), so this only has to
    /// name the registered font.
    pub fn text(&self, points: f64, color: RGBColor) -> TextStyle<'static> {
        (FontFamily::Name(FAMILY), self.size.px(points))
            .into_font()
            .color(&color)
    }
}

/// Okabe & Ito (2008), "Color Universal Design".
pub mod palette {
    use plotters::style::RGBColor;

    pub const BLACK: RGBColor = RGBColor(0, 0, 0);
    pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
    pub const SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
    pub const BLUISH_GREEN: RGBColor = RGBColor(0, 158, 115);
    pub const YELLOW: RGBColor = RGBColor(240, 228, 66);
    pub const BLUE: RGBColor = RGBColor(0, 114, 178);
    pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
    pub const REDDISH_PURPLE: RGBColor = RGBColor(204, 121, 167);

    /// Text, axes and frames: near black.
    pub const INK: RGBColor = RGBColor(34, 34, 34);
    /// Secondary text (subtitles, zone names).
    pub const MUTED: RGBColor = RGBColor(90, 90, 90);
    /// Grid lines.
    pub const GRID: RGBColor = RGBColor(225, 225, 225);

    /// Colours of series in order (firms, runs): yellow is left out, it is too light
    /// for lines on white.
    const SERIES: [RGBColor; 7] = [
        BLUE,
        VERMILLION,
        BLUISH_GREEN,
        REDDISH_PURPLE,
        ORANGE,
        SKY_BLUE,
        BLACK,
    ];

    /// The colour of the `i`-th series.
    pub fn series(i: usize) -> RGBColor {
        SERIES[i % SERIES.len()]
    }

    /// Colours of named series such as firms: a name that is a colour word gets that
    /// colour (a firm called "Red" is not drawn blue), the others take the series
    /// colours in order, skipping those already taken.
    pub fn named(names: &[String]) -> Vec<RGBColor> {
        let word = |name: &str| match name.trim().to_ascii_lowercase().as_str() {
            "red" | "vermillion" | "vermilion" => Some(VERMILLION),
            "blue" => Some(BLUE),
            "green" => Some(BLUISH_GREEN),
            "orange" => Some(ORANGE),
            "yellow" => Some(YELLOW),
            "purple" | "pink" | "magenta" => Some(REDDISH_PURPLE),
            "sky" | "light blue" | "cyan" => Some(SKY_BLUE),
            "black" => Some(BLACK),
            _ => None,
        };
        let mut colours: Vec<Option<RGBColor>> = names.iter().map(|n| word(n)).collect();
        // Two firms named alike keep distinct colours: only the first takes the word's.
        for i in 0..colours.len() {
            if colours[..i].contains(&colours[i]) {
                colours[i] = None;
            }
        }
        let free: Vec<RGBColor> = SERIES
            .iter()
            .copied()
            .filter(|c| !colours.contains(&Some(*c)))
            .collect();
        let mut next = free.iter().copied().cycle();
        colours
            .into_iter()
            .map(|c| c.unwrap_or_else(|| next.next().unwrap_or(BLACK)))
            .collect()
    }

    /// `c` mixed with white: `amount` 0 is white, 1 is `c`.
    pub fn tint(c: RGBColor, amount: f64) -> RGBColor {
        let mix = |v: u8| (255.0 - (255.0 - v as f64) * amount).round() as u8;
        RGBColor(mix(c.0), mix(c.1), mix(c.2))
    }

    /// Viridis (a sequential map readable in colour blindness and in grey), `t` in [0, 1].
    pub fn viridis(t: f64) -> RGBColor {
        const STOPS: [(u8, u8, u8); 9] = [
            (68, 1, 84),
            (71, 44, 122),
            (59, 81, 139),
            (44, 113, 142),
            (33, 144, 141),
            (39, 173, 129),
            (92, 200, 99),
            (170, 220, 50),
            (253, 231, 37),
        ];
        let t = if t.is_finite() {
            t.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let x = t * (STOPS.len() - 1) as f64;
        let i = (x.floor() as usize).min(STOPS.len() - 2);
        let f = x - i as f64;
        let lerp = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
        let (a, b) = (STOPS[i], STOPS[i + 1]);
        RGBColor(lerp(a.0, b.0), lerp(a.1, b.1), lerp(a.2, b.2))
    }

    /// Whether text on `c` should be white rather than ink.
    pub fn is_dark(c: RGBColor) -> bool {
        let luma = 0.299 * f64::from(c.0) + 0.587 * f64::from(c.1) + 0.114 * f64::from(c.2);
        luma < 140.0
    }
}

/// Colour of a Jones & Sasser type, the same in every chart.
pub fn type_color(t: crate::model::CustomerType) -> RGBColor {
    use crate::model::CustomerType::*;
    match t {
        Apostle => palette::BLUISH_GREEN,
        Loyalist => palette::SKY_BLUE,
        Hostage => palette::ORANGE,
        Mercenary => palette::REDDISH_PURPLE,
        Defector => palette::VERMILLION,
        Terrorist => palette::BLACK,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn firms_named_after_colours_get_them() {
        let names: Vec<String> = ["Red", "Blue", "Green", "Acme"].map(String::from).to_vec();
        let c = palette::named(&names);
        assert_eq!(
            c[..3],
            [palette::VERMILLION, palette::BLUE, palette::BLUISH_GREEN]
        );
        assert!(!c[..3].contains(&c[3]));
        let plain: Vec<String> = ["A", "B"].map(String::from).to_vec();
        assert_eq!(
            palette::named(&plain),
            [palette::series(0), palette::series(1)]
        );
    }

    #[test]
    fn sizes_parse() {
        assert_eq!("print".parse::<Size>().unwrap(), Size::PRINT);
        assert_eq!("screen".parse::<Size>().unwrap(), Size::SCREEN);
        let s: Size = "800x500".parse().unwrap();
        assert_eq!((s.width, s.height, s.dpi), (800, 500, 100.0));
        assert!("big".parse::<Size>().is_err());
        assert!("10x10".parse::<Size>().is_err());
    }

    #[test]
    fn print_is_seven_inches_at_300_dpi() {
        assert_eq!(Size::PRINT.width as f64 / Size::PRINT.dpi, 7.0);
        assert_eq!(Size::PRINT.px(72.0), 300.0);
    }
}
