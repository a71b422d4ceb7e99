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
    pub saturation: f64,
    pub memory: f64,
    pub adaptation: f64,
    pub anchor: f64,
    pub market_pull: f64,
}

/// Transaction satisfaction `s = g(d)` in (−1, 1) for a disconfirmation `d = v − e` and
/// a zone of tolerance of half-width `half_width` around the expectation.
///
/// First a piecewise-linear *score*: inside the zone the slope is `tolerance_slope`;
/// beyond the desired level (`d > half_width`) it continues with `gain_slope`, below the
/// adequate level with `loss_slope`. Then a smooth bound, `s = tanh(score / saturation)`:
/// a small surprise counts as its score over `saturation`, and every larger one less and
/// less (diminishing sensitivity), while a loss still weighs more than an equal gain at every
/// size of surprise (Mittal, Ross & Baldasare 1998). A hard clamp did neither: it piled
/// customers at −1, where noise could only raise s, so a firm's inconsistency cost less
/// satisfaction when losses weighed more (MODEL.md §3 step 3; docs/model.md).
/// Strictly increasing and odd in the score.
///
/// Written without branches (gains and losses come in about equal numbers, so a branch
/// would be mispredicted half the time): the slope beyond the zone and the sign are
/// chosen by multiplying with 0 and 1, which is exact (the slopes are at least 0, and
/// adding a zero product changes no sum), and `min` and `max` are plain comparisons,
/// which give the same for `size` and `half_width`: never NaN, never −0.0. For `d < 0`,
/// `|d|` is exactly `−d`, so the numbers are those of the two-branch form. The bound is
/// taken of the score's size, so `s(−d)` is exactly `−s(d)` when the slopes agree.
#[inline]
pub fn transaction_satisfaction(d: f64, half_width: f64, p: &SatisfactionParams) -> f64 {
    let gain = (d >= 0.0) as u8 as f64;
    let size = d.abs();
    let inside = if size < half_width { size } else { half_width };
    let outside = size - half_width;
    let outside = if outside > 0.0 { outside } else { 0.0 };
    let beyond = p.gain_slope * gain + p.loss_slope * (1.0 - gain);
    let score = p.tolerance_slope * inside + beyond * outside;
    bounded(score / p.saturation) * (2.0 * gain - 1.0)
}

/// `tanh(x)` for `x ≥ 0`, as `1 − 2 / (e^(2x) + 1)`: one `exp` and a division, cheaper
/// than the library's `tanh` in the hot loop, within 2 ulp of 1 near the top and within
/// 1e-16 absolute near 0 (where the score is small and so is its share of CS's update).
/// For large `x`, `e^(2x)` is infinite and the result exactly 1.
#[inline(always)]
fn bounded(x: f64) -> f64 {
    1.0 - 2.0 / ((2.0 * x).exp() + 1.0)
}

/// Cumulative satisfaction on 1 to 5: `CS ← λ·CS + (1 − λ)·(3 + 2·s)` (Bolton 1998).
/// Stays in [1, 5] whenever `cs` is in [1, 5] and `s` in [−1, 1].
#[inline]
pub fn update_cs(cs: f64, s: f64, memory: f64) -> f64 {
    memory * cs + (1.0 - memory) * (3.0 + 2.0 * s)
}

/// Cumulative satisfaction with critical incidents remembered apart (MODEL.md §3 step
/// 4): a routine memory and an incident memory, and `CS = routine + incident` kept to
/// the scale ([`combined`]).
///
/// Every experience updates the routine memory as [`update_cs`] does; the incident
/// memory fades at `incident_memory` (λ_I) a period. The incidents are a complaint's
/// outcomes (a resolution's lift, a give-up's drop; [`remember`]). The problem itself
/// is routine experience: in markets where problems are frequent (Bain's autos, where
/// one customer in twenty meets a failure each period), a slowly fading memory of each
/// one piles up, and satisfied customers could not become satisfied again before they
/// switch, which Bain's figures rule out (docs/model.md, "Critical incidents"). With no
/// outcome the split changes nothing: CS follows [`update_cs`].
///
/// A new problem (`problem`: the experience that opens a complaint episode) ends the
/// goodwill of an earlier recovery: a positive incident memory is forgotten, a negative
/// one kept. Maxham & Netemeyer (2002) followed complainers through two failures: the
/// recovery paradox of the first vanished after the second. Without this, a market
/// that answers nearly every complaint fills with customers still glowing from a past
/// recovery, whose next problem they do not complain about, and TARP's customers who
/// did not complain came to stay more often than those whose complaint went unanswered.
///
/// Returns `(routine, incident)` after the experience.
#[inline]
pub fn update_with_incidents(
    routine: f64,
    incident: f64,
    s: f64,
    problem: bool,
    memory: f64,
    incident_memory: f64,
) -> (f64, f64) {
    let kept = if problem { incident.min(0.0) } else { incident };
    (update_cs(routine, s, memory), incident_memory * kept)
}

/// The largest size of the incident memory: the width of the scale. A recovery that
/// lifts CS beyond 5 is remembered (up to this), so its effect outlasts a slide of the
/// routine memory, as a clamp of CS at 5 would not let it.
pub const INCIDENT_BOUND: f64 = 4.0;

/// The incident memory after an incident of `shift` CS points (a lift or, negative, a
/// drop), kept within ±[`INCIDENT_BOUND`].
#[inline]
pub fn remember(incident: f64, shift: f64) -> f64 {
    (incident + shift).clamp(-INCIDENT_BOUND, INCIDENT_BOUND)
}

/// CS from its two memories, on the scale [1, 5].
#[inline]
pub fn combined(routine: f64, incident: f64) -> f64 {
    (routine + incident).clamp(1.0, 5.0)
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
        saturation: 1.0,
        memory: 0.7,
        adaptation: 0.1,
        anchor: 0.05,
        market_pull: 0.0,
    };

    #[test]
    fn inside_the_zone_satisfaction_barely_moves() {
        assert_eq!(transaction_satisfaction(0.0, 1.0, &P), 0.0);
        assert!((transaction_satisfaction(0.5, 1.0, &P) - 0.05f64.tanh()).abs() < 1e-12);
        assert!((transaction_satisfaction(-0.5, 1.0, &P) + 0.05f64.tanh()).abs() < 1e-12);
    }

    #[test]
    fn beyond_the_zone_losses_weigh_more_than_gains() {
        // Mittal, Ross & Baldasare: an equal shortfall moves satisfaction more than an
        // equal surplus.
        let gain = transaction_satisfaction(1.5, 1.0, &P);
        let loss = transaction_satisfaction(-1.5, 1.0, &P);
        assert!((gain - (0.1f64 + 0.25).tanh()).abs() < 1e-12);
        assert!((loss + (0.1f64 + 0.5).tanh()).abs() < 1e-12);
        assert!(loss.abs() > gain.abs());
        // At every size of surprise, not only small ones (a clamp made them equal at
        // ±1 beyond a shortfall of 1.9).
        for i in 1..400 {
            let d = i as f64 / 20.0;
            let (gain, loss) = (
                transaction_satisfaction(d, 1.0, &P),
                transaction_satisfaction(-d, 1.0, &P),
            );
            assert!(-loss >= gain, "{d}: {loss} {gain}");
            if d > 1.0 && d < 8.0 {
                assert!(-loss > gain, "{d}: {loss} {gain}");
            }
        }
    }

    #[test]
    fn sensitivity_diminishes_with_the_size_of_the_surprise() {
        // Each further unit of shortfall (and of surplus) beyond the zone moves
        // satisfaction less than the one before.
        for sign in [-1.0, 1.0] {
            let at = |d: f64| transaction_satisfaction(sign * d, 1.0, &P).abs();
            let mut last = f64::INFINITY;
            for i in 1..8 {
                let step = at(1.0 + i as f64) - at(i as f64);
                assert!(step < last, "{sign} {i}: {step} {last}");
                last = step;
            }
        }
    }

    #[test]
    fn the_bound_is_tanh() {
        for i in 0..200 {
            let x = i as f64 / 10.0;
            assert!((bounded(x) - x.tanh()).abs() < 4e-16, "{x}");
        }
        assert_eq!(bounded(1e6), 1.0);
        assert_eq!(bounded(0.0), 0.0);
    }

    #[test]
    fn satisfaction_is_bounded_and_strictly_increasing() {
        assert_eq!(transaction_satisfaction(100.0, 1.0, &P), 1.0);
        assert_eq!(transaction_satisfaction(-100.0, 1.0, &P), -1.0);
        let mut last = -1.0;
        for i in -400..400 {
            let s = transaction_satisfaction(i as f64 / 50.0, 0.7, &P);
            assert!(s > last, "{i}");
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
    fn an_incident_is_remembered_apart_and_fades_at_its_own_pace() {
        let (lambda, lambda_i) = (0.3, 0.9);
        // A customer at CS 2 whose complaint is resolved with a lift of 2.5.
        let (mut r, mut i) = (2.0, remember(0.0, 2.5));
        assert_eq!(combined(r, i), 4.5);
        // Then the same routine experience as before (s = −0.5) for five periods: the
        // routine memory stays where it was, the lift fades at 0.9 a period, while in
        // one memory it would have faded at 0.3.
        let mut one = 4.5;
        for _ in 0..5 {
            (r, i) = update_with_incidents(r, i, -0.5, false, lambda, lambda_i);
            one = update_cs(one, -0.5, lambda);
        }
        assert!((i - 2.5 * 0.9f64.powi(5)).abs() < 1e-12);
        assert!((r - 2.0).abs() < 1e-12);
        assert!(combined(r, i) > one + 1.0, "{r} + {i} against {one}");
        // A recovery beyond the scale is remembered up to the bound.
        assert_eq!(remember(3.5, 1.0), INCIDENT_BOUND);
        assert_eq!(remember(-3.5, -1.0), -INCIDENT_BOUND);
        assert_eq!(combined(4.0, 3.0), 5.0);
        // A second problem ends a recovery's goodwill, not a grievance.
        assert_eq!(
            update_with_incidents(2.0, 1.5, 0.0, true, lambda, lambda_i).1,
            0.0
        );
        let grievance = update_with_incidents(2.0, -1.0, 0.0, true, lambda, lambda_i).1;
        assert!((grievance + 0.9).abs() < 1e-12);
    }

    #[test]
    fn with_no_incident_the_split_changes_nothing() {
        let mut one = 3.0;
        let (mut r, mut i) = (3.0, 0.0);
        for t in 0..50 {
            let s = ((t * 37 % 19) as f64 / 9.0 - 1.0).clamp(-1.0, 1.0);
            (r, i) = update_with_incidents(r, i, s, t % 3 == 0, 0.6, 0.9);
            one = update_cs(one, s, 0.6);
            assert_eq!(combined(r, i), one, "{t}");
        }
    }

    #[test]
    fn expectations_adapt_toward_experience_and_standard() {
        let e = update_expectation(2.0, 4.0, 2.0, 0.0, &P);
        assert!((e - 2.2).abs() < 1e-12);
        let e = update_expectation(2.0, 2.0, 4.0, 0.0, &P);
        assert!((e - 2.1).abs() < 1e-12);
    }
}
