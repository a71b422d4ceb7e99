//! Where a leaving customer or a shopping prospect goes: a multinomial logit over the
//! firms' delivered value for its segment, with an outside option "stop buying"
//! (MODEL.md §3 steps 8 and 10).
//!
//! The probabilities depend only on the market, not on the customer, so they are
//! tabulated once per market state as cumulative distributions, one per (segment,
//! current firm or none); a pick is then a scan of at most 65 numbers.

/// Cumulative choice probabilities for every (segment, origin).
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceTable {
    n_firms: usize,
    /// `[segment][origin][option]`, origin `n_firms` = a prospect, option `n_firms` = outside.
    cumulative: Vec<f64>,
}

impl ChoiceTable {
    /// `cdv[segment * n_firms + firm]`; `beta` the logit sensitivity; `outside` the
    /// outside option's value.
    pub fn new(cdv: &[f64], n_firms: usize, beta: f64, outside: f64) -> Self {
        let n_segments = cdv.len() / n_firms;
        let width = n_firms + 1;
        let mut cumulative = Vec::with_capacity(n_segments * width * width);
        for s in 0..n_segments {
            let values = &cdv[s * n_firms..(s + 1) * n_firms];
            for origin in 0..=n_firms {
                let probs = logit(values, origin, beta, outside);
                let mut acc = 0.0;
                for p in probs {
                    acc += p;
                    cumulative.push(acc);
                }
                // Guard the last entry against rounding so a pick always lands.
                *cumulative.last_mut().expect("one option at least") = 1.0;
            }
        }
        ChoiceTable {
            n_firms,
            cumulative,
        }
    }

    /// The option a uniform draw `u` in [0, 1) picks: `Some(firm)` or `None` for the
    /// outside option. `origin` is the current firm, or `None` for a prospect.
    #[inline]
    pub fn pick(&self, segment: usize, origin: Option<usize>, u: f64) -> Option<usize> {
        let width = self.n_firms + 1;
        let origin = origin.unwrap_or(self.n_firms);
        let row = &self.cumulative[(segment * width + origin) * width..][..width];
        let k = row.iter().position(|&c| u < c).unwrap_or(self.n_firms);
        (k < self.n_firms).then_some(k)
    }

    /// The probability of each option (firms, then outside) from `origin`.
    pub fn probabilities(&self, segment: usize, origin: Option<usize>) -> Vec<f64> {
        let width = self.n_firms + 1;
        let origin = origin.unwrap_or(self.n_firms);
        let row = &self.cumulative[(segment * width + origin) * width..][..width];
        let mut last = 0.0;
        row.iter()
            .map(|&c| {
                let p = c - last;
                last = c;
                p
            })
            .collect()
    }
}

/// Logit probabilities over the firms other than `origin` (index `values.len()` or more
/// excludes none) and the outside option, last. Stable for large `beta·value`.
pub fn logit(values: &[f64], origin: usize, beta: f64, outside: f64) -> Vec<f64> {
    let n = values.len();
    let utility = |k: usize| -> f64 {
        if k == n {
            beta * outside
        } else if k == origin {
            f64::NEG_INFINITY
        } else {
            beta * values[k]
        }
    };
    let top = (0..=n).map(utility).fold(f64::NEG_INFINITY, f64::max);
    let weights: Vec<f64> = (0..=n).map(|k| (utility(k) - top).exp()).collect();
    let total: f64 = weights.iter().sum();
    weights.iter().map(|w| w / total).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leaver_never_picks_its_own_firm() {
        let t = ChoiceTable::new(&[3.0, 1.0, 2.0], 3, 1.0, 0.0);
        let p = t.probabilities(0, Some(0));
        assert_eq!(p[0], 0.0);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        for i in 0..1000 {
            assert_ne!(t.pick(0, Some(0), i as f64 / 1000.0), Some(0));
        }
    }

    #[test]
    fn logit_prefers_more_value_and_beta_sharpens_it() {
        let soft = logit(&[2.0, 1.0], 9, 0.5, -100.0);
        let sharp = logit(&[2.0, 1.0], 9, 5.0, -100.0);
        assert!(soft[0] > soft[1]);
        assert!(sharp[0] > soft[0]);
        let even = logit(&[1.0, 1.0], 9, 0.0, 1.0);
        for p in even {
            assert!((p - 1.0 / 3.0).abs() < 1e-12);
        }
    }

    #[test]
    fn monopoly_leavers_go_outside() {
        let t = ChoiceTable::new(&[3.0], 1, 1.0, 0.0);
        assert_eq!(t.pick(0, Some(0), 0.5), None);
        let joins = (0..1000)
            .filter(|i| t.pick(0, None, *i as f64 / 1000.0) == Some(0))
            .count();
        // exp(3) / (exp(3) + 1) = 0.9526
        assert!((joins as i64 - 953).abs() <= 1, "{joins}");
    }
}
