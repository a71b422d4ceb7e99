//! The checks of the loyalty curve f(CS): breakpoints, levels and logistic shapes,
//! each a probability that rises with satisfaction.

use super::{Checker, Res, fmt_list};
use crate::scenario::{Loyalty, Scenario};

impl Scenario {
    pub(super) fn validate_loyalty(&self, c: &Checker) -> Res {
        match &self.loyalty {
            Loyalty::Zones {
                breakpoints,
                levels,
            } => {
                c.check(
                    breakpoints.len() == 2,
                    "loyalty.breakpoints",
                    fmt_list(breakpoints),
                    "two CS values [end of defection zone, start of affection zone]",
                )?;
                let (a, b) = (breakpoints[0], breakpoints[1]);
                c.check(
                    1.0 < a && a < b && b < 5.0,
                    "loyalty.breakpoints",
                    fmt_list(breakpoints),
                    "strictly increasing values between 1 and 5",
                )?;
                c.check(
                    levels.len() == 4,
                    "loyalty.levels",
                    fmt_list(levels),
                    "four probabilities: f at CS 1, at each breakpoint, and at CS 5",
                )?;
                monotone_probabilities(c, "loyalty.levels", levels, &fmt_list(levels))
            }
            Loyalty::Logistic {
                midpoint,
                steepness,
                floor,
                ceiling,
            } => {
                c.finite("loyalty.midpoint", *midpoint)?;
                c.positive("loyalty.steepness", *steepness)?;
                c.probability("loyalty.floor", *floor)?;
                c.probability("loyalty.ceiling", *ceiling)?;
                c.check(
                    floor <= ceiling,
                    "loyalty.ceiling",
                    ceiling,
                    &format!("a value at or above loyalty.floor = {floor}"),
                )
            }
            Loyalty::Table { points, .. } => {
                let shown = || {
                    let p: Vec<String> =
                        points.iter().map(|[x, y]| format!("[{x}, {y}]")).collect();
                    format!("[{}]", p.join(", "))
                };
                c.check(
                    points.len() >= 2,
                    "loyalty.points",
                    shown(),
                    "at least two points [CS, f]",
                )?;
                for (i, [x, _]) in points.iter().enumerate() {
                    c.on_scale(&format!("loyalty.points[{i}][0]"), *x)?;
                }
                c.check(
                    points.windows(2).all(|w| w[0][0] < w[1][0]),
                    "loyalty.points",
                    shown(),
                    "CS values strictly increasing",
                )?;
                let ys: Vec<f64> = points.iter().map(|p| p[1]).collect();
                monotone_probabilities(c, "loyalty.points", &ys, &shown())
            }
        }
    }
}

fn monotone_probabilities(c: &Checker, path: &str, ys: &[f64], shown: &str) -> Res {
    for (i, y) in ys.iter().enumerate() {
        c.probability(&format!("{path}[{i}]"), *y)?;
    }
    c.check(
        ys.windows(2).all(|w| w[0] <= w[1]),
        path,
        shown,
        "loyalty that never falls as satisfaction rises (non-decreasing values)",
    )
}
