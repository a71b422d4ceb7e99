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
    /// `cdv[segment * n_firms + firm]`; `present[firm]` whether the firm is in the
    /// market; `beta` the logit sensitivity; `outside` the outside option's value.
    pub fn new(cdv: &[f64], present: &[bool], beta: f64, outside: f64) -> Self {
        let n_firms = present.len();
        let n_segments = cdv.len() / n_firms;
        let width = n_firms + 1;
        let mut cumulative = Vec::with_capacity(n_segments * width * width);
        for s in 0..n_segments {
            let values = &cdv[s * n_firms..(s + 1) * n_firms];
            for origin in 0..=n_firms {
                let probs = logit(values, present, origin, beta, outside, None);
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
        // The first option whose cumulative probability exceeds u, found by counting
        // the options at or below u rather than by a search whose exit a random u would
        // make hard to predict. The same option: the row never falls below u once it
        // has risen above it (it is non-decreasing, but for its last entry, set to 1,
        // which is above every u).
        let k = row.iter().map(|&c| (c <= u) as usize).sum::<usize>();
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

/// Utility of option `k` (firms, then the outside option at `values.len()`): absent
/// firms and the origin are never chosen; `appeal` adds word of mouth per firm.
#[inline]
fn utility(
    k: usize,
    values: &[f64],
    present: &[bool],
    origin: usize,
    beta: f64,
    outside: f64,
    appeal: Option<&[f64]>,
) -> f64 {
    if k == values.len() {
        beta * outside
    } else if k == origin || !present[k] {
        f64::NEG_INFINITY
    } else {
        beta * values[k] + appeal.map_or(0.0, |a| a[k])
    }
}

/// Logit probabilities over the present firms other than `origin` (an index of
/// `values.len()` or more excludes none) and the outside option, last. Stable for large
/// `beta·value`.
pub fn logit(
    values: &[f64],
    present: &[bool],
    origin: usize,
    beta: f64,
    outside: f64,
    appeal: Option<&[f64]>,
) -> Vec<f64> {
    let n = values.len();
    let u = |k| utility(k, values, present, origin, beta, outside, appeal);
    let top = (0..=n).map(u).fold(f64::NEG_INFINITY, f64::max);
    let weights: Vec<f64> = (0..=n).map(|k| (u(k) - top).exp()).collect();
    let total: f64 = weights.iter().sum();
    weights.iter().map(|w| w / total).collect()
}

/// A logit pick computed on the spot, for a customer whose word of mouth makes its
/// choice differ from the tabulated one. Allocates nothing: two passes over the options.
#[inline]
pub fn pick_with_appeal(
    values: &[f64],
    present: &[bool],
    origin: Option<usize>,
    beta: f64,
    outside: f64,
    appeal: &[f64],
    u: f64,
) -> Option<usize> {
    let n = values.len();
    let origin = origin.unwrap_or(n);
    let ut = |k| utility(k, values, present, origin, beta, outside, Some(appeal));
    let top = (0..=n).map(ut).fold(f64::NEG_INFINITY, f64::max);
    let total: f64 = (0..=n).map(|k| (ut(k) - top).exp()).sum();
    let target = u * total;
    let mut acc = 0.0;
    for k in 0..n {
        acc += (ut(k) - top).exp();
        if target < acc {
            return Some(k);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leaver_never_picks_its_own_firm() {
        let t = ChoiceTable::new(&[3.0, 1.0, 2.0], &[true; 3], 1.0, 0.0);
        let p = t.probabilities(0, Some(0));
        assert_eq!(p[0], 0.0);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        for i in 0..1000 {
            assert_ne!(t.pick(0, Some(0), i as f64 / 1000.0), Some(0));
        }
    }

    #[test]
    fn logit_prefers_more_value_and_beta_sharpens_it() {
        let both = [true, true];
        let soft = logit(&[2.0, 1.0], &both, 9, 0.5, -100.0, None);
        let sharp = logit(&[2.0, 1.0], &both, 9, 5.0, -100.0, None);
        assert!(soft[0] > soft[1]);
        assert!(sharp[0] > soft[0]);
        let even = logit(&[1.0, 1.0], &both, 9, 0.0, 1.0, None);
        for p in even {
            assert!((p - 1.0 / 3.0).abs() < 1e-12);
        }
    }

    #[test]
    fn monopoly_leavers_go_outside() {
        let t = ChoiceTable::new(&[3.0], &[true], 1.0, 0.0);
        assert_eq!(t.pick(0, Some(0), 0.5), None);
        let joins = (0..1000)
            .filter(|i| t.pick(0, None, *i as f64 / 1000.0) == Some(0))
            .count();
        // exp(3) / (exp(3) + 1) = 0.9526
        assert!((joins as i64 - 953).abs() <= 1, "{joins}");
    }

    #[test]
    fn absent_firms_are_never_chosen() {
        let t = ChoiceTable::new(&[3.0, 9.0], &[true, false], 1.0, 0.0);
        for i in 0..1000 {
            assert_ne!(t.pick(0, None, i as f64 / 1000.0), Some(1));
        }
    }

    #[test]
    fn picking_with_appeal_matches_the_table_without_appeal_and_shifts_with_it() {
        let values = [2.0, 1.0, 1.5];
        let present = [true; 3];
        let t = ChoiceTable::new(&values, &present, 1.0, 0.5);
        for i in 0..997 {
            let u = i as f64 / 997.0;
            let a = pick_with_appeal(&values, &present, Some(0), 1.0, 0.5, &[0.0; 3], u);
            assert_eq!(a, t.pick(0, Some(0), u), "u = {u}");
        }
        let count = |appeal: &[f64]| {
            (0..1000)
                .filter(|i| {
                    pick_with_appeal(
                        &values,
                        &present,
                        None,
                        1.0,
                        0.5,
                        appeal,
                        *i as f64 / 1000.0,
                    ) == Some(1)
                })
                .count()
        };
        assert!(count(&[0.0, 1.0, 0.0]) > count(&[0.0; 3]));
        assert!(count(&[0.0, -1.0, 0.0]) < count(&[0.0; 3]));
    }
}
