//! The satisfaction-loyalty curve f(CS): the probability of intending to stay.
//!
//! Three families (MODEL.md §3 step 6): `zones` (Jones & Sasser's defection,
//! indifference and affection zones as a piecewise linear curve), `logistic`, and
//! `table` (monotone interpolation through points the user gives, such as the
//! source's defection ladder). Every family is non-decreasing and in [0, 1] once the
//! scenario has been validated.

use crate::scenario::{Interpolation, Loyalty};

/// The three zones of the satisfaction scale (Jones & Sasser): defection, indifference
/// and affection, split at two values of CS.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Zones {
    /// CS where the zone of defection ends and the zone of indifference begins.
    pub indifference: f64,
    /// CS where the zone of affection begins.
    pub affection: f64,
}

impl Zones {
    /// Names of the zones, in [`Zones::index`] order.
    pub const NAMES: [&'static str; 3] = ["defection", "indifference", "affection"];

    /// The zones of a loyalty curve: the breakpoints of a `zones` curve; the `logistic`
    /// and `table` families have none, so theirs are the `zones` family's defaults.
    pub fn of(loyalty: &Loyalty) -> Zones {
        let from = |l: &Loyalty| match l {
            Loyalty::Zones { breakpoints, .. } if breakpoints.len() == 2 => Some(Zones {
                indifference: breakpoints[0],
                affection: breakpoints[1],
            }),
            _ => None,
        };
        from(loyalty)
            .or_else(|| from(&Loyalty::default()))
            .unwrap_or(Zones {
                indifference: 2.5,
                affection: 4.0,
            })
    }

    /// 0, 1 or 2: the zone of `cs`; a value on a breakpoint belongs to the higher zone.
    pub fn index(&self, cs: f64) -> usize {
        if cs < self.indifference {
            0
        } else if cs < self.affection {
            1
        } else {
            2
        }
    }
}

/// Most points of a piecewise linear curve kept in a [`Polyline`].
pub const POLYLINE_POINTS: usize = 8;

/// A compiled loyalty curve, cheap to evaluate. (A model holds one: the size of the
/// polyline variant costs nothing, and keeping it inline saves an indirection in the
/// hot loop.)
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum LoyaltyCurve {
    /// Piecewise linear through at most [`POLYLINE_POINTS`] points (every `zones`
    /// curve, and short `table`s with linear interpolation), in fixed arrays.
    Polyline(Polyline),
    /// Piecewise linear through more points.
    Linear { xs: Vec<f64>, ys: Vec<f64> },
    Logistic {
        midpoint: f64,
        steepness: f64,
        floor: f64,
        ceiling: f64,
    },
    /// Fritsch–Carlson monotone cubic Hermite through the points, with end slopes `ms`.
    Monotone {
        xs: Vec<f64>,
        ys: Vec<f64>,
        ms: Vec<f64>,
    },
}

impl LoyaltyCurve {
    /// Compiles the scenario's curve. The scenario must be validated.
    pub fn new(spec: &Loyalty) -> Self {
        match spec {
            Loyalty::Zones {
                breakpoints,
                levels,
            } => LoyaltyCurve::linear(
                vec![1.0, breakpoints[0], breakpoints[1], 5.0],
                levels.clone(),
            ),
            Loyalty::Logistic {
                midpoint,
                steepness,
                floor,
                ceiling,
            } => LoyaltyCurve::Logistic {
                midpoint: *midpoint,
                steepness: *steepness,
                floor: *floor,
                ceiling: *ceiling,
            },
            Loyalty::Table {
                points,
                interpolation,
            } => {
                let xs: Vec<f64> = points.iter().map(|p| p[0]).collect();
                let ys: Vec<f64> = points.iter().map(|p| p[1]).collect();
                match interpolation {
                    Interpolation::Linear => LoyaltyCurve::linear(xs, ys),
                    Interpolation::Monotone => {
                        let ms = fritsch_carlson_slopes(&xs, &ys);
                        LoyaltyCurve::Monotone { xs, ys, ms }
                    }
                }
            }
        }
    }

    /// Piecewise linear through the points `(xs[i], ys[i])`, `xs` increasing.
    fn linear(xs: Vec<f64>, ys: Vec<f64>) -> Self {
        if xs.len() <= POLYLINE_POINTS {
            LoyaltyCurve::Polyline(Polyline::new(&xs, &ys))
        } else {
            LoyaltyCurve::Linear { xs, ys }
        }
    }

    /// f(CS). Outside the table's range the end values hold.
    ///
    /// The piecewise linear curves (every `zones` curve) are evaluated without a
    /// data-dependent branch: the interval is counted rather than searched for, and the
    /// end values are selected afterwards. CS is spread over the scale, so the branches
    /// of a search would be mispredicted often; the numbers are the same either way.
    #[inline(always)]
    pub fn f(&self, cs: f64) -> f64 {
        match self {
            LoyaltyCurve::Polyline(p) => p.f(cs),
            LoyaltyCurve::Linear { xs, ys } => {
                let last = xs.len() - 1;
                let i = interval(xs, cs);
                let t = (cs - xs[i]) / (xs[i + 1] - xs[i]);
                let inside = ys[i] + t * (ys[i + 1] - ys[i]);
                let end = if cs <= xs[0] { ys[0] } else { ys[last] };
                if cs <= xs[0] || cs >= xs[last] {
                    end
                } else {
                    inside
                }
            }
            LoyaltyCurve::Logistic {
                midpoint,
                steepness,
                floor,
                ceiling,
            } => floor + (ceiling - floor) / (1.0 + (-steepness * (cs - midpoint)).exp()),
            LoyaltyCurve::Monotone { xs, ys, ms } => {
                let (i, t) = locate(xs, cs);
                match t {
                    None => ys[i],
                    Some(t) => {
                        let h = xs[i + 1] - xs[i];
                        let (t2, t3) = (t * t, t * t * t);
                        let h00 = 2.0 * t3 - 3.0 * t2 + 1.0;
                        let h10 = t3 - 2.0 * t2 + t;
                        let h01 = -2.0 * t3 + 3.0 * t2;
                        let h11 = t3 - t2;
                        (h00 * ys[i] + h10 * h * ms[i] + h01 * ys[i + 1] + h11 * h * ms[i + 1])
                            .clamp(0.0, 1.0)
                    }
                }
            }
        }
    }
}

/// A piecewise linear curve of at most [`POLYLINE_POINTS`] points, evaluated with no
/// data-dependent branch and no bounds check: the interval is counted over a fixed
/// number of inner breakpoints (the missing ones +∞, never reached), each interval's
/// width and rise are stored, and the end values are selected afterwards. CS is spread
/// over the scale, so the branches of a search would be mispredicted often. Widths and
/// rises are the same subtractions the plain evaluation makes, so f is the same to the
/// last bit.
#[derive(Debug, Clone, PartialEq)]
pub struct Polyline {
    inner: [f64; POLYLINE_POINTS - 2],
    /// Per interval: where it starts, its width, f at its start, and f's rise over it.
    start: [f64; POLYLINE_POINTS - 1],
    width: [f64; POLYLINE_POINTS - 1],
    level: [f64; POLYLINE_POINTS - 1],
    rise: [f64; POLYLINE_POINTS - 1],
    /// The end points.
    first: (f64, f64),
    last: (f64, f64),
}

impl Polyline {
    /// Through `(xs[i], ys[i])`: from 2 to [`POLYLINE_POINTS`] points, `xs` increasing.
    fn new(xs: &[f64], ys: &[f64]) -> Polyline {
        let n = xs.len();
        assert!((2..=POLYLINE_POINTS).contains(&n) && ys.len() == n);
        let mut p = Polyline {
            inner: [f64::INFINITY; POLYLINE_POINTS - 2],
            start: [0.0; POLYLINE_POINTS - 1],
            width: [1.0; POLYLINE_POINTS - 1],
            level: [0.0; POLYLINE_POINTS - 1],
            rise: [0.0; POLYLINE_POINTS - 1],
            first: (xs[0], ys[0]),
            last: (xs[n - 1], ys[n - 1]),
        };
        p.inner[..n - 2].copy_from_slice(&xs[1..n - 1]);
        for i in 0..n - 1 {
            p.start[i] = xs[i];
            p.width[i] = xs[i + 1] - xs[i];
            p.level[i] = ys[i];
            p.rise[i] = ys[i + 1] - ys[i];
        }
        p
    }

    /// f(x); outside the range the end values hold.
    #[inline(always)]
    pub fn f(&self, x: f64) -> f64 {
        let i: usize = self.inner.iter().map(|&b| (x >= b) as usize).sum();
        let i = i.min(POLYLINE_POINTS - 2);
        let t = (x - self.start[i]) / self.width[i];
        let inside = self.level[i] + t * self.rise[i];
        let end = if x <= self.first.0 {
            self.first.1
        } else {
            self.last.1
        };
        if x <= self.first.0 || x >= self.last.0 {
            end
        } else {
            inside
        }
    }
}

/// The interval `i` (from 0 to `xs.len() − 2`) of `x` in the sorted `xs`, with
/// `xs[i] <= x < xs[i + 1]` when `x` lies strictly inside the table; counted without
/// branches. Tables have two points at least.
#[inline(always)]
fn interval(xs: &[f64], x: f64) -> usize {
    xs[1..xs.len() - 1].iter().map(|&b| (x >= b) as usize).sum()
}

/// The interval of `x` in the sorted `xs`: `(i, Some(t))` with `x = xs[i] + t·(xs[i+1] − xs[i])`,
/// or `(end, None)` when `x` lies at or beyond an end.
#[inline]
fn locate(xs: &[f64], x: f64) -> (usize, Option<f64>) {
    let last = xs.len() - 1;
    if x <= xs[0] {
        return (0, None);
    }
    if x >= xs[last] {
        return (last, None);
    }
    // Tables are short: a linear scan beats a binary search.
    let mut i = 0;
    while x >= xs[i + 1] {
        i += 1;
    }
    (i, Some((x - xs[i]) / (xs[i + 1] - xs[i])))
}

/// Slopes for a monotone cubic Hermite interpolant (Fritsch & Carlson 1980), so the
/// curve never overshoots the data: a non-decreasing table gives a non-decreasing f.
fn fritsch_carlson_slopes(xs: &[f64], ys: &[f64]) -> Vec<f64> {
    let n = xs.len();
    let delta: Vec<f64> = (0..n - 1)
        .map(|i| (ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]))
        .collect();
    let mut m = vec![0.0; n];
    m[0] = delta[0];
    m[n - 1] = delta[n - 2];
    for i in 1..n - 1 {
        m[i] = if delta[i - 1] * delta[i] <= 0.0 {
            0.0
        } else {
            (delta[i - 1] + delta[i]) / 2.0
        };
    }
    for i in 0..n - 1 {
        if delta[i] == 0.0 {
            m[i] = 0.0;
            m[i + 1] = 0.0;
            continue;
        }
        let a = m[i] / delta[i];
        let b = m[i + 1] / delta[i];
        let s = a * a + b * b;
        if s > 9.0 {
            let tau = 3.0 / s.sqrt();
            m[i] = tau * a * delta[i];
            m[i + 1] = tau * b * delta[i];
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ladder() -> LoyaltyCurve {
        LoyaltyCurve::new(&Loyalty::Table {
            points: vec![[1.0, 0.2], [2.0, 0.6], [3.0, 0.8], [4.0, 0.9], [5.0, 0.985]],
            interpolation: Interpolation::Monotone,
        })
    }

    #[test]
    fn table_passes_through_its_points() {
        let f = ladder();
        for (x, y) in [(1.0, 0.2), (2.0, 0.6), (3.0, 0.8), (4.0, 0.9), (5.0, 0.985)] {
            assert!((f.f(x) - y).abs() < 1e-12, "f({x}) = {}", f.f(x));
        }
        assert_eq!(f.f(0.0), 0.2);
        assert_eq!(f.f(9.0), 0.985);
    }

    #[test]
    fn every_family_is_monotone_and_bounded() {
        let curves = [
            ladder(),
            LoyaltyCurve::new(&Loyalty::default()),
            LoyaltyCurve::new(&Loyalty::Logistic {
                midpoint: 3.5,
                steepness: 3.0,
                floor: 0.1,
                ceiling: 0.95,
            }),
            LoyaltyCurve::new(&Loyalty::Table {
                points: vec![[1.0, 0.0], [1.1, 0.9], [4.9, 0.91], [5.0, 1.0]],
                interpolation: Interpolation::Monotone,
            }),
        ];
        for c in &curves {
            let mut last = 0.0;
            for i in 0..=4000 {
                let y = c.f(1.0 + i as f64 / 1000.0);
                assert!((0.0..=1.0).contains(&y));
                assert!(y >= last - 1e-12, "{c:?} falls at {i}");
                last = y;
            }
        }
    }

    #[test]
    fn a_polyline_is_the_plain_linear_curve_to_the_last_bit() {
        let tables: [&[[f64; 2]]; 3] = [
            &[[1.0, 0.1], [2.5, 0.55], [4.0, 0.65], [5.0, 0.98]],
            &[
                [1.0, 0.2],
                [1.7, 0.3],
                [2.0, 0.6],
                [3.3, 0.8],
                [4.0, 0.9],
                [4.1, 0.93],
                [4.6, 0.95],
                [5.0, 0.985],
            ],
            &[[2.0, 0.3], [4.5, 0.9]],
        ];
        for points in tables {
            let xs: Vec<f64> = points.iter().map(|p| p[0]).collect();
            let ys: Vec<f64> = points.iter().map(|p| p[1]).collect();
            let fast = LoyaltyCurve::linear(xs.clone(), ys.clone());
            assert!(matches!(fast, LoyaltyCurve::Polyline(_)));
            let plain = LoyaltyCurve::Linear { xs, ys };
            for i in 0..=100_000 {
                let cs = 0.5 + i as f64 * 5e-5;
                assert_eq!(fast.f(cs).to_bits(), plain.f(cs).to_bits(), "{cs}");
            }
        }
    }

    #[test]
    fn zones_are_flat_in_the_indifference_zone() {
        let c = LoyaltyCurve::new(&Loyalty::Zones {
            breakpoints: vec![2.0, 4.0],
            levels: vec![0.1, 0.7, 0.7, 0.95],
        });
        assert_eq!(c.f(2.5), 0.7);
        assert_eq!(c.f(3.9), 0.7);
        assert!((c.f(1.5) - 0.4).abs() < 1e-12);
        assert!((c.f(4.5) - 0.825).abs() < 1e-12);
    }
}
