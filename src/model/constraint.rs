//! The restraining factor R and the two-stage decision (MODEL.md §1, §3 steps 7 and 8).
//!
//! The default reading is `P(defect) = (1 − f(CS))·exp(−R)`: a customer intends to leave
//! with probability `1 − f(CS)` and gets over every barrier with probability `exp(−R)`.
//! R = 0 gives CL = f(CS), R → ∞ gives CL = 1, and barriers add in R. The literal
//! `CL = clamp(R·f(CS), 0, 1)` is offered for comparison; it is not the default because
//! with R = 0 ("no constraint") it makes every customer leave, the opposite of what the
//! source says, and because R = 1 rather than R = 0 is then the unconstrained market.

use crate::scenario::Combine;

/// Probability that a customer with loyalty `f` and constraint `r` defects this period.
#[inline]
pub fn defect_probability(f: f64, r: f64, combine: Combine) -> f64 {
    if r == f64::INFINITY {
        return 0.0;
    }
    match combine {
        // exp(−R) is 0 in f64 from R = 746 on (its exact value is below half the
        // smallest subnormal); libm gets there through its slow underflow path, and
        // enormous switching costs make such R common in some sweeps.
        Combine::Exponential if r >= 746.0 => 0.0,
        Combine::Exponential => (1.0 - f) * (-r).exp(),
        Combine::Multiplicative => 1.0 - (r * f).clamp(0.0, 1.0),
    }
}

/// The chance an intending customer gets over the barriers, `P(defect) / (1 − f)`;
/// `None` when nobody intends to leave (`f = 1`), where it is undefined.
#[inline]
pub fn pass_through(f: f64, p_defect: f64) -> Option<f64> {
    (f < 1.0).then(|| p_defect / (1.0 - f))
}

/// The effective R a pass-through probability implies: `−ln(q)`; infinite for `q = 0`.
#[inline]
pub fn effective_r(pass: f64) -> f64 {
    -pass.ln()
}

/// Structural R (MODEL.md §3 step 7): switching costs `switching_cost` against the best
/// alternative's advantage `advantage` (its delivered value minus the current firm's),
/// scaled by `kappa`, plus convenience and inertia. In a monopoly (`advantage` is
/// `None`: no alternative firm) switching costs do not apply and `monopoly` stands in
/// for the market term.
#[inline]
pub fn structural_r(
    switching_cost: f64,
    advantage: Option<f64>,
    kappa: f64,
    monopoly: f64,
    convenience: f64,
    inertia: f64,
) -> f64 {
    let market = match advantage {
        Some(delta) => (switching_cost - delta).max(0.0) / kappa,
        None => monopoly,
    };
    market + convenience + inertia
}

/// How much of the full relational cost a customer of `tenure` periods has built up:
/// `1 − exp(−tenure / growth)`.
#[inline]
pub fn relational_build_up(tenure: f64, growth: f64) -> f64 {
    1.0 - (-tenure / growth).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_zero_gives_pure_loyalty_curve_and_infinity_gives_no_defection() {
        for f in [0.0, 0.3, 0.9, 1.0] {
            assert!((defect_probability(f, 0.0, Combine::Exponential) - (1.0 - f)).abs() < 1e-15);
            assert_eq!(
                defect_probability(f, f64::INFINITY, Combine::Exponential),
                0.0
            );
            assert_eq!(
                defect_probability(f, f64::INFINITY, Combine::Multiplicative),
                0.0
            );
        }
    }

    #[test]
    fn exp_of_minus_r_is_zero_from_746_on() {
        for i in 0..100_000 {
            let r = 746.0 + i as f64 * 0.01;
            assert_eq!((-r).exp(), 0.0, "{r}");
        }
        assert!((-745.0f64).exp() > 0.0);
        assert_eq!(defect_probability(0.3, 1000.0, Combine::Exponential), 0.0);
    }

    #[test]
    fn defection_never_rises_with_r() {
        for f in [0.0, 0.2, 0.5, 0.99] {
            let mut last = 1.0;
            for i in 0..100 {
                let p = defect_probability(f, i as f64 * 0.1, Combine::Exponential);
                assert!(p <= last);
                last = p;
            }
        }
    }

    #[test]
    fn literal_reading_makes_everyone_leave_without_constraint() {
        assert_eq!(defect_probability(0.9, 0.0, Combine::Multiplicative), 1.0);
        assert!((defect_probability(0.5, 1.0, Combine::Multiplicative) - 0.5).abs() < 1e-15);
        assert_eq!(defect_probability(0.5, 3.0, Combine::Multiplicative), 0.0);
    }

    #[test]
    fn effective_r_recovers_reduced_r() {
        for r in [0.0, 0.5, 1.0, 2.0] {
            let f = 0.6;
            let p = defect_probability(f, r, Combine::Exponential);
            let q = pass_through(f, p).unwrap();
            assert!((effective_r(q) - r).abs() < 1e-12);
        }
        assert_eq!(pass_through(1.0, 0.0), None);
        assert_eq!(effective_r(0.0), f64::INFINITY);
    }

    #[test]
    fn switching_costs_bind_only_beyond_the_alternatives_advantage() {
        assert_eq!(structural_r(2.0, Some(0.5), 1.0, 9.0, 0.0, 0.0), 1.5);
        assert_eq!(structural_r(2.0, Some(3.0), 1.0, 9.0, 0.0, 0.0), 0.0);
        assert_eq!(structural_r(2.0, Some(0.0), 2.0, 9.0, 0.25, 0.25), 1.5);
        assert_eq!(
            structural_r(2.0, None, 1.0, f64::INFINITY, 0.0, 0.0),
            f64::INFINITY
        );
        assert!((relational_build_up(0.0, 5.0)).abs() < 1e-15);
        assert!((relational_build_up(5.0, 5.0) - (1.0 - (-1.0f64).exp())).abs() < 1e-15);
    }
}
