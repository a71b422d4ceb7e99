//! `retention_curve`: the Jones & Sasser figure of one run. Retention per period against
//! cumulative satisfaction, observed per CS bin with its 95% interval, beside the
//! loyalty curve f(CS) and the retention the model expects, over the shaded zones of
//! defection, indifference and affection.
//!
//! The zones are the breakpoints of a `zones` loyalty curve. The `logistic` and `table`
//! families have no breakpoints, so their zones are the defaults of the `zones` family
//! (defection below CS 2.5, affection above 4, where `types.satisfied` also starts):
//! the conventional reading of the scale, not a property of the curve.
//!
//! The expected retention line is the model's expectation for the customers observed.
//! In the reduced form every customer faces the scenario's R, so the closed form
//! `1 − (1 − f)·exp(−R)` (`min(1, R·f)` with `combine = "multiplicative"`) is that
//! expectation at every CS exactly, and is drawn as a curve. In the structural form R
//! differs between customers (switching costs, tenure, the alternatives), and the
//! expectation of a bin is the mean of `1 − P(defect)` over its own customers,
//! `cl_theory` of `curve.csv`: the line joins those, bin by bin. One R for everybody,
//! even the run's mean effective R, would not do: exp(−R) is convex, and the customers
//! of each bin hold their own mix of R (at low CS the long-tenured, strongly bound
//! ones), so the closed form at the run's mean R_eff missed the observations by
//! 13 points at CS 1 in the showcase, where `cl_theory` matches them. The reduced form
//! with complaints is drawn per bin too: a pending complaint makes its customer
//! patient (`complaints.patience`), which the closed form leaves out. The legend says
//! which line is drawn.

use super::Chart;
use super::layout::{
    self, Align, Axis, Entry, Frame, Key, Legend, MARGIN, Rect, Shape, draw_axes, draw_grid,
    header, number, plot_rect, scale, text, text_width,
};
use super::results::{CurveBin, ResultsError, RunFolder};
use super::selection::Resolved;
use super::style::{Style, line, palette, pt};
use crate::model::constraint::defect_probability;
use crate::model::loyalty::LoyaltyCurve;
use crate::scenario::{Combine, ConstraintForm, Scenario};
use plotters::coord::Shift;
use plotters::prelude::*;

/// The zones are the model's (one definition, model/loyalty.rs); a chart shades them.
pub use crate::model::loyalty::Zones;

/// The spans of the zones, each with its name and shade.
fn spans(zones: &Zones) -> [(f64, f64, &'static str, RGBColor); 3] {
    let names = Zones::NAMES;
    let shades = [
        palette::tint(palette::VERMILLION, 0.10),
        palette::tint(palette::YELLOW, 0.16),
        palette::tint(palette::BLUISH_GREEN, 0.12),
    ];
    let edges = [1.0, zones.indifference, zones.affection, 5.0];
    std::array::from_fn(|k| (edges[k], edges[k + 1], names[k], shades[k]))
}
/// The x axis of every satisfaction chart.
pub(super) fn cs_axis() -> Axis {
    Axis::linear("Cumulative satisfaction CS (1–5)", 1.0, 5.0, 4, number)
}

/// The retention axis in percent, 0 to 100 so that flat and steep curves compare.
pub(super) fn retention_axis() -> Axis {
    Axis::linear("Retention per period (%)", 0.0, 100.0, 5, number)
}

/// Zone names placed above the data area, in one row or, where they would touch, two.
pub(super) struct ZoneLabels {
    /// `(centre x, row)` of each zone's name.
    placed: Vec<(i32, usize, &'static str)>,
    rows: usize,
}

impl ZoneLabels {
    pub(super) fn place(style: &Style, rect: Rect, zones: &Zones) -> ZoneLabels {
        let pad = style.px(6.0);
        let mut placed: Vec<(i32, usize, &'static str)> = Vec::new();
        let mut ends: Vec<i32> = Vec::new();
        for (lo, hi, name, _) in spans(zones) {
            if hi - lo <= 0.0 {
                continue;
            }
            let w = text_width(style, name, pt::ANNOTATION);
            let a = scale(lo, 1.0, 5.0, rect.left, rect.right);
            let b = scale(hi, 1.0, 5.0, rect.left, rect.right);
            let cx = layout::within((a + b) / 2, rect.left + w / 2, rect.right - w / 2);
            let row = (0..)
                .find(|&r| ends.get(r).is_none_or(|&end| cx - w / 2 >= end + pad))
                .expect("a free row");
            if ends.len() <= row {
                ends.push(0);
            }
            ends[row] = cx + w / 2;
            placed.push((cx, row, name));
        }
        ZoneLabels {
            rows: ends.len().max(1),
            placed,
        }
    }

    pub(super) fn height(&self, style: &Style) -> i32 {
        (self.rows as f64 * style.size.px(pt::ANNOTATION) * 1.3 + style.size.px(3.0)) as i32
    }

    /// Draws the names with the lowest row just above `top`.
    pub(super) fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
        top: i32,
    ) -> layout::Drawn<DB> {
        let row_h = style.size.px(pt::ANNOTATION) * 1.3;
        for &(x, row, name) in &self.placed {
            let baseline = top - style.px(4.0) - ((self.rows - 1 - row) as f64 * row_h) as i32;
            text(
                root,
                style,
                name,
                pt::ANNOTATION,
                palette::MUTED,
                (x, baseline),
                Align::Center,
            )?;
        }
        Ok(())
    }
}

/// Shades the zones over the data area and marks their borders.
/// The data area of a retention chart within `area`: zones shaded and named above it,
/// the grid drawn. Returns the rectangle for the data.
pub(super) fn zoned_panel<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    style: &Style,
    area: Rect,
    x: &Axis,
    y: &Axis,
    zones: &Zones,
) -> Result<Rect, DrawingAreaErrorKind<DB::ErrorType>> {
    let mut rect = plot_rect(style, area, Some(x), y);
    let labels = ZoneLabels::place(style, rect, zones);
    rect.top += labels.height(style);
    shade_zones(root, rect, zones)?;
    draw_grid(root, style, rect, x, y, layout::Grid { x: false, y: true })?;
    labels.draw(root, style, rect.top)?;
    Ok(rect)
}

pub(super) fn shade_zones<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    rect: Rect,
    zones: &Zones,
) -> layout::Drawn<DB> {
    for (lo, hi, _, color) in spans(zones) {
        if hi - lo <= 0.0 {
            continue;
        }
        let a = scale(lo, 1.0, 5.0, rect.left, rect.right);
        let b = scale(hi, 1.0, 5.0, rect.left, rect.right);
        root.draw(&Rectangle::new(
            [(a, rect.top), (b, rect.bottom)],
            color.filled(),
        ))?;
    }
    Ok(())
}

/// Draws observed retention per bin: a vertical 95% interval and a marker.
pub(super) fn draw_bins<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    style: &Style,
    rect: Rect,
    bins: &[CurveBin],
    color: RGBColor,
    shape: Shape,
    intervals: bool,
) -> layout::Drawn<DB> {
    let r = style.px(line::MARKER);
    let s = color.stroke_width(style.px(line::INTERVAL) as u32);
    let y = |v: f64| scale(v * 100.0, 0.0, 100.0, rect.bottom, rect.top);
    for bin in bins.iter().filter(|b| b.observations > 0) {
        let Some(retention) = bin.retention else {
            continue;
        };
        let x = scale(bin.cs, 1.0, 5.0, rect.left, rect.right);
        if intervals && let Some((lo, hi)) = bin.interval {
            let (ylo, yhi) = (y(lo), y(hi));
            root.draw(&PathElement::new(vec![(x, ylo), (x, yhi)], s))?;
            let cap = (r * 4) / 5;
            for yy in [ylo, yhi] {
                root.draw(&PathElement::new(vec![(x - cap, yy), (x + cap, yy)], s))?;
            }
        }
        layout::marker(root, shape, (x, y(retention)), r, color)?;
    }
    Ok(())
}

/// The loyalty curve, sampled over CS 1 to 5, and the retention the model expects.
#[derive(Debug, Clone, PartialEq)]
pub struct Theory {
    pub loyalty: Vec<(f64, f64)>,
    /// Expected retention, `(CS, share)` points joined by a line, and how it was
    /// computed, for the legend.
    pub retention: Option<(Vec<(f64, f64)>, String)>,
}

impl Theory {
    /// Evaluates f(CS) of the scenario, and the expected retention: the closed form with
    /// the scenario's R where it is the model's expectation for every customer (the
    /// reduced form, without complaints that make pending complainers patient), else
    /// each bin's own expectation (`cl_theory` of `bins`), as the structural form needs.
    pub fn of(scenario: &Scenario, bins: &[CurveBin], mean_r_eff: Option<f64>) -> Theory {
        let curve = LoyaltyCurve::new(&scenario.loyalty);
        let grid: Vec<f64> = (0..=200).map(|i| 1.0 + i as f64 / 50.0).collect();
        let loyalty = grid.iter().map(|&cs| (cs, curve.f(cs))).collect();
        let c = &scenario.constraint;
        let k = &scenario.complaints;
        let patient = k.rate > 0.0 && k.patience != 1.0;
        if c.form == ConstraintForm::Reduced && !patient {
            let r = c.r.value();
            let named = match c.r.level() {
                Some(level) if r.is_finite() => format!("R = {} ({level})", short(r)),
                _ => format!("R = {}", short(r)),
            };
            let label = match c.combine {
                _ if r.is_infinite() => "Expected retention, R = ∞: everyone stays".to_string(),
                Combine::Exponential => format!("Expected CL = 1 − (1 − f)·exp(−R), {named}"),
                Combine::Multiplicative => format!("Expected CL = min(1, R·f), {named}"),
            };
            let points = grid
                .iter()
                .map(|&cs| (cs, 1.0 - defect_probability(curve.f(cs), r, c.combine)))
                .collect();
            return Theory {
                loyalty,
                retention: Some((points, label)),
            };
        }
        let points: Vec<(f64, f64)> = bins
            .iter()
            .filter(|b| b.observations > 0)
            .filter_map(|b| b.expected.map(|e| (b.cs, e)))
            .collect();
        let label = if c.form == ConstraintForm::Reduced {
            "Expected CL per bin: mean 1 − P(defect) of its customers, patient while a \
             complaint is pending"
                .to_string()
        } else {
            let mean = match mean_r_eff {
                Some(r) if r.is_infinite() => ", run mean R_eff = ∞".to_string(),
                Some(r) if r.abs() >= 1e6 => format!(", run mean R_eff = {}", short(r)),
                Some(r) => format!(", run mean R_eff = {r:.2}"),
                None => String::new(),
            };
            format!(
                "Expected CL per bin: mean 1 − (1 − f)·exp(−R) of its customers, \
                 each with their own R{mean}"
            )
        };
        Theory {
            loyalty,
            retention: (!points.is_empty()).then_some((points, label)),
        }
    }
}

/// A number in at most three decimals: 0.25, 1.5, 0.934; from a million on, in four
/// significant digits and a power of ten (1e300, 1.235e6) rather than every digit.
pub(super) fn short(v: f64) -> String {
    if v.is_infinite() {
        return "∞".into();
    }
    let trim = |s: &str| s.trim_end_matches('0').trim_end_matches('.').to_string();
    if v.abs() >= 1e6 {
        let s = format!("{v:.3e}");
        let (mantissa, power) = s.split_once('e').unwrap_or((&s, "0"));
        return format!("{}e{power}", trim(mantissa));
    }
    trim(&format!("{v:.3}"))
}

/// The retention curve of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct RetentionCurve {
    pub frame: Frame,
    pub bins: Vec<CurveBin>,
    pub theory: Theory,
    pub zones: Zones,
}

impl RetentionCurve {
    pub const NAME: &'static str = "retention_curve";
    pub const TITLE: &'static str = "Retention across the zones of satisfaction";

    /// The curve of the whole run (`curve.csv`), or of the selected periods and firm
    /// (`curve_by_period.csv`).
    pub fn from_run(
        run: &RunFolder,
        selection: Option<&Resolved>,
        frame: Frame,
    ) -> Result<RetentionCurve, ResultsError> {
        let bins = match selection {
            None => run.curve.clone(),
            Some(s) => run.curve_of(s.periods, s.firm.as_deref())?,
        };
        // The run's mean R_eff, for the legend of the whole run only: a window's is
        // not in the files.
        let mean_r_eff = run.summary.mean_r_eff.filter(|_| selection.is_none());
        Ok(RetentionCurve {
            frame,
            theory: Theory::of(&run.scenario, &bins, mean_r_eff),
            bins,
            zones: Zones::of(&run.scenario.loyalty),
        })
    }

    fn legend(&self) -> Legend {
        let mut entries = vec![Entry {
            label: "Observed retention, 95% interval".into(),
            key: Key::Interval {
                color: palette::INK,
                shape: Shape::Circle,
            },
        }];
        entries.push(Entry {
            label: "Loyalty f(CS): share intending to stay".into(),
            key: Key::Line {
                color: palette::BLUE,
                width: line::THEORY,
                dashed: true,
            },
        });
        if let Some((_, label)) = &self.theory.retention {
            entries.push(Entry {
                label: label.clone(),
                key: Key::Line {
                    color: palette::VERMILLION,
                    width: line::DATA,
                    dashed: false,
                },
            });
        }
        Legend {
            heading_room: 0.0,
            heading: None,
            entries,
        }
    }
}

/// The rectangle inside the figure margins.
pub(super) fn inner<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, style: &Style) -> Rect {
    let (w, h) = root.dim_in_pixel();
    let m = style.px(MARGIN);
    Rect {
        left: m,
        top: m,
        right: w as i32 - m,
        bottom: h as i32 - m,
    }
}

/// Pixels of a curve given in (CS, share) on the satisfaction-retention plane.
pub(super) fn curve_pixels(rect: Rect, points: &[(f64, f64)]) -> Vec<(i32, i32)> {
    points
        .iter()
        .map(|&(cs, v)| {
            (
                scale(cs, 1.0, 5.0, rect.left, rect.right),
                scale(v * 100.0, 0.0, 100.0, rect.bottom, rect.top),
            )
        })
        .collect()
}

impl Chart for RetentionCurve {
    const NAME: &'static str = RetentionCurve::NAME;

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> layout::Drawn<DB> {
        let area = inner(root, style);
        let mut top = area.top + header(root, style, &self.frame, area)? + style.px(8.0);
        let (x, y) = (cs_axis(), retention_axis());
        let legend = self.legend();
        let probe = plot_rect(style, Rect { top, ..area }, Some(&x), &y);
        let legend_width = area.right - probe.left;
        legend.draw(root, style, probe.left, top, legend_width)?;
        top += legend.height(style, legend_width) + style.px(4.0);
        let rect = zoned_panel(root, style, Rect { top, ..area }, &x, &y, &self.zones)?;
        if let Some((points, _)) = &self.theory.retention {
            let px: Vec<Option<(i32, i32)>> =
                curve_pixels(rect, points).into_iter().map(Some).collect();
            layout::polyline(root, &px, palette::VERMILLION, style.px(line::DATA))?;
        }
        // Dashed over solid: with R = 0 the two lines coincide and both stay visible.
        let dash = (style.size.px(4.0), style.size.px(2.5));
        layout::dashed(
            root,
            &curve_pixels(rect, &self.theory.loyalty),
            palette::BLUE,
            style.px(line::THEORY),
            dash,
        )?;
        draw_bins(
            root,
            style,
            rect,
            &self.bins,
            palette::INK,
            Shape::Circle,
            true,
        )?;
        draw_axes(root, style, rect, &x, true, &y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bin(cs: f64, observations: u64, expected: f64) -> CurveBin {
        CurveBin {
            cs,
            observations,
            retention: Some(expected),
            interval: Some((expected - 0.01, expected + 0.01)),
            expected: Some(expected),
        }
    }

    /// The reduced form draws the closed form with the scenario's R over the whole
    /// scale; the structural form, and the reduced form with patient complainers, each
    /// bin's own expectation at the bin, not a closed form with a mean R.
    #[test]
    fn the_expected_line_is_the_closed_form_only_where_it_is_exact() {
        let bins = [bin(1.1, 500, 0.88), bin(3.0, 900, 0.91), bin(4.0, 0, 0.5)];
        let mut s = Scenario::default();
        s.constraint.form = ConstraintForm::Reduced;
        s.constraint.r = crate::scenario::Strength::from_value(1.0);
        let reduced = Theory::of(&s, &bins, Some(1.0));
        let (points, label) = reduced.retention.unwrap();
        assert_eq!(points.len(), 201);
        let curve = LoyaltyCurve::new(&s.loyalty);
        let at_1 = 1.0 - (1.0 - curve.f(1.0)) * (-1.0f64).exp();
        assert!((points[0].1 - at_1).abs() < 1e-12, "{points:?}");
        assert!(
            label.starts_with("Expected CL = 1 − (1 − f)·exp(−R), R = 1"),
            "{label}"
        );

        s.constraint.form = ConstraintForm::Structural;
        let structural = Theory::of(&s, &bins, Some(1.21));
        let (points, label) = structural.retention.unwrap();
        // The empty bin has no expectation to draw.
        assert_eq!(points, [(1.1, 0.88), (3.0, 0.91)]);
        assert!(
            label.contains("per bin") && label.contains("R_eff = 1.21"),
            "{label}"
        );

        s.constraint.form = ConstraintForm::Reduced;
        s.complaints.rate = 0.3;
        s.complaints.patience = 0.5;
        let (points, label) = Theory::of(&s, &bins, None).retention.unwrap();
        assert_eq!(points.len(), 2, "{label}");
    }

    #[test]
    fn short_numbers_stay_short() {
        assert_eq!(short(0.25), "0.25");
        assert_eq!(short(0.93449), "0.934");
        assert_eq!(short(2.0), "2");
        assert_eq!(short(999_999.0), "999999");
        assert_eq!(short(1e300), "1e300");
        assert_eq!(short(1_234_567.0), "1.235e6");
        assert_eq!(short(-5e7), "-5e7");
        assert_eq!(short(f64::INFINITY), "∞");
    }
}
