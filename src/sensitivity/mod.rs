//! Global sensitivity analysis: which factor moves a metric how much.
//!
//! Two designs and their estimators, written as pure functions of the unit cube so they
//! can be checked on test functions with known answers (Ishigami, Sobol's G) before they
//! judge a loyalty model:
//!
//! - [`morris`]: elementary effects on a grid of levels along random one-at-a-time
//!   trajectories (Morris 1991), summarised as μ, μ* (the mean absolute effect of
//!   Campolongo, Cariboni & Saltelli 2007, which does not let effects of opposite sign
//!   cancel) and σ, optionally for groups of factors that move together. Cheap: r·(k+1)
//!   runs for k factors or groups; it ranks, it does not apportion variance.
//! - [`sobol`]: variance-based indices from Saltelli's scheme on a scrambled Sobol'
//!   sequence: S1 by the estimator of Saltelli et al. (2010), ST by Jansen's (1999),
//!   optionally S2 (Saltelli 2002), with percentile bootstrap intervals. N·(k+2) runs
//!   (N·(2k+2) with S2).
//!
//! Everything random here is a counter-based draw from the master seed ([`unit()`]), and
//! every sum runs in a fixed order, so designs and indices are the same bytes on every
//! machine, thread count and shard count.

pub mod morris;
pub mod sobol;

use crate::engine::seed;

/// How a factor's unit interval maps onto its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Evenly: `low + u·(high − low)`.
    Uniform,
    /// Evenly in the logarithm (`low > 0`): for factors that matter by ratios.
    LogUniform,
}

/// One factor of a design: its range and scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub low: f64,
    pub high: f64,
    pub scale: Scale,
}

impl Range {
    /// The factor's value at `u` in [0, 1].
    pub fn at(&self, u: f64) -> f64 {
        match self.scale {
            Scale::Uniform => self.low + u * (self.high - self.low),
            Scale::LogUniform => {
                let (a, b) = (self.low.ln(), self.high.ln());
                (a + u * (b - a)).exp()
            }
        }
    }
}

/// A uniform draw in [0, 1) that is a pure function of the seed and the labels.
pub fn unit(master: u64, labels: &[u64]) -> f64 {
    (seed::derive(master, labels) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// An index below `n`, a pure function of the seed and the labels.
pub fn index(master: u64, labels: &[u64], n: usize) -> usize {
    ((unit(master, labels) * n as f64) as usize).min(n.saturating_sub(1))
}

/// The `q`-quantile (0 to 1) of sorted values, linearly interpolated.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let at = q * (sorted.len() - 1) as f64;
    let (i, frac) = (at.floor() as usize, at.fract());
    match sorted.get(i + 1) {
        Some(next) => sorted[i] + frac * (next - sorted[i]),
        None => sorted[i],
    }
}

/// One index of one factor, with its 95% interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    /// `S1`, `ST`, `S2` (Sobol) or `mu`, `mu_star`, `sigma` (Morris).
    pub index: &'static str,
    /// The factor (or `factor × factor` for S2, the group's name for grouped Morris).
    pub factor: String,
    pub value: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// Labels of the bootstrap streams.
const STREAM_BOOTSTRAP: u64 = 0x424F_4F54_5354_5250;

/// Resamples of a bootstrap interval.
pub const BOOTSTRAP_RESAMPLES: usize = 1000;

/// The percentile bootstrap intervals (2.5% to 97.5%) of several statistics over `n`
/// units (base samples, trajectories) resampled with replacement: every statistic is
/// computed from the same resamples, in one call per resample. Resample `b` draws its
/// units from (seed, b, draw), so the intervals are the same everywhere.
pub fn bootstrap(
    master: u64,
    n: usize,
    statistics: impl Fn(&[usize]) -> Vec<f64>,
) -> Vec<(f64, f64)> {
    let mut values: Vec<Vec<f64>> = Vec::new();
    let mut picks = vec![0usize; n];
    for b in 0..BOOTSTRAP_RESAMPLES {
        for (k, p) in picks.iter_mut().enumerate() {
            *p = index(master, &[STREAM_BOOTSTRAP, b as u64, k as u64], n);
        }
        for (s, v) in statistics(&picks).into_iter().enumerate() {
            if values.len() <= s {
                values.push(Vec::with_capacity(BOOTSTRAP_RESAMPLES));
            }
            if v.is_finite() {
                values[s].push(v);
            }
        }
    }
    values
        .into_iter()
        .map(|mut v| {
            v.sort_by(f64::total_cmp);
            (quantile(&v, 0.025), quantile(&v, 0.975))
        })
        .collect()
}

/// Test functions with known sensitivity indices.
#[cfg(test)]
pub(crate) mod functions {
    use std::f64::consts::PI;

    /// Ishigami & Homma (1990) on [−π, π]³ with a = 7, b = 0.1.
    pub fn ishigami(u: &[f64]) -> f64 {
        let x: Vec<f64> = u.iter().map(|v| -PI + 2.0 * PI * v).collect();
        x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
    }

    /// Sobol's G function on [0, 1]^k: factors matter less as a_i grows.
    pub fn g_function(u: &[f64], a: &[f64]) -> f64 {
        u.iter()
            .zip(a)
            .map(|(x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
            .product()
    }
}
