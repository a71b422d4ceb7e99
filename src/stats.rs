//! The few statistics the reports and checks share: Student's t quantile, the Wilson
//! interval of a proportion, the Fisher interval of a correlation. Plain numbers in and
//! out, no crate imports: the bottom of the layers, usable by every module.

/// The standard normal's two-sided 95% quantile, Φ⁻¹(0.975).
pub const Z_95: f64 = 1.959_963_984_540_054;

/// The 97.5% quantile of Student's t with `df` degrees of freedom: the half-width, in
/// standard errors, of a two-sided 95% interval.
pub fn t_quantile(df: u64) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => TABLE[df as usize - 1],
        _ => {
            // Cornish–Fisher expansion around the normal quantile.
            let z = Z_95;
            let d = df as f64;
            z + (z.powi(3) + z) / (4.0 * d)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * d * d)
        }
    }
}

/// Wilson score interval for a proportion at 95%.
pub fn wilson(successes: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let z = Z_95;
    let n = n as f64;
    let p = successes as f64 / n;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / denom;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// The 95% Fisher z interval of a Pearson correlation `r` over `n` observations.
pub fn fisher_interval(r: f64, n: u64) -> Option<(f64, f64)> {
    if n <= 3 || !r.is_finite() || r.abs() >= 1.0 {
        return None;
    }
    let z = r.atanh();
    let half = Z_95 / ((n - 3) as f64).sqrt();
    Some(((z - half).tanh(), (z + half).tanh()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_fall_toward_the_normal() {
        assert_eq!(t_quantile(1), 12.706);
        assert!((t_quantile(31) - 2.040).abs() < 0.002);
        assert!((t_quantile(1000) - 1.962).abs() < 0.001);
    }

    #[test]
    fn wilson_interval_brackets_the_proportion() {
        let (lo, hi) = wilson(80, 100).unwrap();
        assert!(lo < 0.8 && 0.8 < hi);
        assert!(
            (lo - 0.711).abs() < 0.002 && (hi - 0.866).abs() < 0.002,
            "{lo} {hi}"
        );
        assert_eq!(wilson(0, 0), None);
    }

    #[test]
    fn fisher_intervals_narrow_with_the_decisions_and_stay_inside_minus_one_to_one() {
        let (lo, hi) = fisher_interval(0.2, 1000).unwrap();
        assert!(lo < 0.2 && hi > 0.2 && lo > 0.13 && hi < 0.26, "{lo} {hi}");
        let (lo2, hi2) = fisher_interval(0.2, 100_000).unwrap();
        assert!(hi2 - lo2 < (hi - lo) / 5.0);
        let (a, b) = fisher_interval(0.999, 10).unwrap();
        assert!(a > -1.0 && b < 1.0);
        assert_eq!(fisher_interval(0.5, 3), None);
        assert_eq!(fisher_interval(1.0, 100), None);
        assert_eq!(fisher_interval(f64::NAN, 100), None);
    }
}
