//! From experience to satisfaction and expectation (MODEL.md §3 steps 2 to 5).
//!
//! Pure functions of numbers: the engine calls them in its hot loop, tests call them
//! directly.

/// Parameters of the satisfaction process, copied from the scenario.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SatisfactionParams {
    pub tolerance_slope: f64,
    pub gain_slope: f64,
    pub loss_slope: f64,
    pub memory: f64,
    pub adaptation: f64,
    pub anchor: f64,
    pub market_pull: f64,
}

/// Transaction satisfaction `s = g(d)` in [−1, 1] for a disconfirmation `d = v − e` and
/// a zone of tolerance of half-width `half_width` around the expectation.
///
/// Inside the zone the slope is `tolerance_slope`; beyond the desired level
/// (`d > half_width`) it continues with `gain_slope`, below the adequate level with
/// `loss_slope`. The function is continuous, non-decreasing, and clamped to [−1, 1].
///
/// Written as one formula on `|d|` with the slope and sign selected, rather than two
/// branches: gains and losses come in about equal numbers, so a branch would be
/// mispredicted half the time. For `d < 0`, `|d|` is exactly `−d`, so the numbers are
/// those of the two-branch form.
///
/// Written without branches (gains and losses come in about equal numbers, so a branch
/// would be mispredicted half the time): the slope beyond the zone and the sign are
/// chosen by multiplying with 0 and 1, which is exact (the slopes are at least 0, and
/// adding a zero product changes no sum), and `min` and `max` are plain comparisons,
/// which give the same for `size` and `half_width`: never NaN, never −0.0. For `d < 0`,
/// `|d|` is exactly `−d`, so the numbers are those of the two-branch form.
#[inline]
pub fn transaction_satisfaction(d: f64, half_width: f64, p: &SatisfactionParams) -> f64 {
    let gain = (d >= 0.0) as u8 as f64;
    let size = d.abs();
    let inside = if size < half_width { size } else { half_width };
    let outside = size - half_width;
    let outside = if outside > 0.0 { outside } else { 0.0 };
    let beyond = p.gain_slope * gain + p.loss_slope * (1.0 - gain);
    let magnitude = p.tolerance_slope * inside + beyond * outside;
    let x = magnitude * (2.0 * gain - 1.0);
    x.clamp(-1.0, 1.0)
}

/// Cumulative satisfaction on 1 to 5: `CS ← λ·CS + (1 − λ)·(3 + 2·s)` (Bolton 1998).
/// Stays in [1, 5] whenever `cs` is in [1, 5] and `s` in [−1, 1].
#[inline]
pub fn update_cs(cs: f64, s: f64, memory: f64) -> f64 {
    memory * cs + (1.0 - memory) * (3.0 + 2.0 * s)
}

/// Expectation after an experience `v`: adaptation to experience (α), a pull back to the
/// customer's own standard (ρ) and a pull toward the best offer in the market (μ).
#[inline]
pub fn update_expectation(
    e: f64,
    v: f64,
    standard: f64,
    best_offer: f64,
    p: &SatisfactionParams,
) -> f64 {
    e + p.adaptation * (v - e) + p.anchor * (standard - e) + p.market_pull * (best_offer - e)
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: SatisfactionParams = SatisfactionParams {
        tolerance_slope: 0.1,
        gain_slope: 0.5,
        loss_slope: 1.0,
        memory: 0.7,
        adaptation: 0.1,
        anchor: 0.05,
        market_pull: 0.0,
    };

    #[test]
    fn inside_the_zone_satisfaction_barely_moves() {
        assert_eq!(transaction_satisfaction(0.0, 1.0, &P), 0.0);
        assert!((transaction_satisfaction(0.5, 1.0, &P) - 0.05).abs() < 1e-12);
        assert!((transaction_satisfaction(-0.5, 1.0, &P) + 0.05).abs() < 1e-12);
    }

    #[test]
    fn beyond_the_zone_losses_weigh_more_than_gains() {
        // Mittal, Ross & Baldasare: an equal shortfall moves satisfaction more than an
        // equal surplus.
        let gain = transaction_satisfaction(1.5, 1.0, &P);
        let loss = transaction_satisfaction(-1.5, 1.0, &P);
        assert!((gain - (0.1 + 0.25)).abs() < 1e-12);
        assert!((loss + (0.1 + 0.5)).abs() < 1e-12);
        assert!(loss.abs() > gain.abs());
    }

    #[test]
    fn satisfaction_is_clamped_and_monotone() {
        assert_eq!(transaction_satisfaction(100.0, 1.0, &P), 1.0);
        assert_eq!(transaction_satisfaction(-100.0, 1.0, &P), -1.0);
        let mut last = -1.0;
        for i in -400..400 {
            let s = transaction_satisfaction(i as f64 / 50.0, 0.7, &P);
            assert!(s >= last);
            last = s;
        }
    }

    #[test]
    fn cumulative_satisfaction_stays_on_the_scale() {
        for cs in [1.0, 2.5, 5.0] {
            for s in [-1.0, 0.0, 1.0] {
                let next = update_cs(cs, s, 0.7);
                assert!((1.0..=5.0).contains(&next), "{cs} {s} {next}");
            }
        }
        assert!((update_cs(3.0, 1.0, 0.5) - 4.0).abs() < 1e-12);
    }

    #[test]
    fn expectations_adapt_toward_experience_and_standard() {
        let e = update_expectation(2.0, 4.0, 2.0, 0.0, &P);
        assert!((e - 2.2).abs() < 1e-12);
        let e = update_expectation(2.0, 2.0, 4.0, 0.0, &P);
        assert!((e - 2.1).abs() < 1e-12);
    }
}
