//! Logistic regression on grouped binary data, by iteratively reweighted least squares.
//!
//! Jones, Mothersbaugh & Beatty (2000) tested whether switching barriers matter less at
//! high satisfaction with a moderated regression; the validation check fits
//! `logit P(stay) = b0 + b1·CS + b2·R + b3·CS·R` to the engine's curve bins and reads
//! the sign of b3. A few hundred groups and four coefficients: a dense solve is enough.

/// One group of identical covariates: `trials` customers, `successes` of whom stayed.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Covariates, without the intercept (it is added).
    pub x: Vec<f64>,
    pub trials: f64,
    pub successes: f64,
}

/// Fitted coefficients (intercept first) and their standard errors.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub coefficients: Vec<f64>,
    pub standard_errors: Vec<f64>,
    pub iterations: usize,
}

/// Maximum-likelihood fit; `None` when the data do not identify the coefficients
/// (a singular information matrix) or the iterations do not converge.
pub fn fit(groups: &[Group]) -> Option<Fit> {
    let k = groups.first()?.x.len() + 1;
    let row = |g: &Group| {
        let mut v = Vec::with_capacity(k);
        v.push(1.0);
        v.extend_from_slice(&g.x);
        v
    };
    let mut beta = vec![0.0; k];
    for iteration in 1..=100 {
        // Information matrix X'WX and score X'(y − n·p).
        let mut info = vec![vec![0.0; k]; k];
        let mut score = vec![0.0; k];
        for g in groups.iter().filter(|g| g.trials > 0.0) {
            let x = row(g);
            let eta: f64 = x.iter().zip(&beta).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-eta).exp());
            let w = g.trials * p * (1.0 - p);
            let resid = g.successes - g.trials * p;
            for i in 0..k {
                score[i] += x[i] * resid;
                for j in 0..k {
                    info[i][j] += w * x[i] * x[j];
                }
            }
        }
        let step = solve(info.clone(), score)?;
        let mut largest = 0.0f64;
        for (b, s) in beta.iter_mut().zip(&step) {
            *b += s;
            largest = largest.max(s.abs());
        }
        if !beta.iter().all(|b| b.is_finite()) {
            return None;
        }
        if largest < 1e-10 {
            let standard_errors = (0..k)
                .map(|i| {
                    let mut e = vec![0.0; k];
                    e[i] = 1.0;
                    solve(info.clone(), e).map(|col| col[i].max(0.0).sqrt())
                })
                .collect::<Option<Vec<_>>>()?;
            return Some(Fit {
                coefficients: beta,
                standard_errors,
                iterations: iteration,
            });
        }
    }
    None
}

/// Solves `a·x = b` by Gaussian elimination with partial pivoting.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let (top, rest) = a.split_at_mut(col + 1);
        let pivot_row = &top[col];
        for (r, row) in rest.iter_mut().enumerate() {
            let factor = row[col] / pivot_row[col];
            for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= factor * p;
            }
            b[col + 1 + r] -= factor * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|c| a[r][c] * x[c]).sum();
        x[r] = (b[r] - s) / a[r][r];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exact expected counts from known coefficients are fitted back exactly.
    #[test]
    fn recovers_known_coefficients() {
        let truth = [-1.0, 0.8, 1.5, -0.4];
        let mut groups = Vec::new();
        for cs in [1.0, 2.0, 3.0, 4.0, 5.0] {
            for r in [0.0, 0.5, 1.0, 2.0] {
                let eta = truth[0] + truth[1] * cs + truth[2] * r + truth[3] * cs * r;
                let p = 1.0 / (1.0 + f64::exp(-eta));
                groups.push(Group {
                    x: vec![cs, r, cs * r],
                    trials: 10_000.0,
                    successes: 10_000.0 * p,
                });
            }
        }
        let fit = fit(&groups).unwrap();
        for (b, t) in fit.coefficients.iter().zip(truth) {
            assert!((b - t).abs() < 1e-6, "{b} vs {t}");
        }
        assert!(fit.standard_errors.iter().all(|s| *s > 0.0 && *s < 0.1));
    }

    #[test]
    fn a_singular_design_is_refused() {
        let groups: Vec<Group> = (0..5)
            .map(|i| Group {
                x: vec![1.0, 1.0],
                trials: 100.0,
                successes: 10.0 * i as f64 + 5.0,
            })
            .collect();
        assert!(fit(&groups).is_none());
    }
}
