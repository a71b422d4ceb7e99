//! A bounded Nelder–Mead simplex minimiser.
//!
//! Calibration minimises a distance between simulated and target figures, and each
//! evaluation of that distance is a whole simulation: there is no gradient to take, and
//! even with common random numbers the objective is only approximately smooth (a change
//! of parameter flips whole decisions, so it moves in tiny steps). A derivative-free
//! direct search that needs one or two evaluations per iteration is the right tool, and
//! Nelder–Mead (1965) is the classic one.
//!
//! Bounds are handled by working in the unit cube `[0, 1]^n` (the caller maps each
//! coordinate to its own `[from, to]`) and clamping every trial point into it. The
//! coefficients are the standard ones: reflection 1, expansion 2, contraction ½,
//! shrink ½. The search stops when the simplex is smaller than `x_tolerance` in every
//! coordinate (measured from its best vertex, in unit-cube units) or when `max_evals`
//! evaluations have been made; the budget is never exceeded. A converged search is
//! restarted from its best point with a fresh simplex (`restarts`, default 2) as long as
//! that improves it, since a simplex can collapse short of the minimum (onto a bound, or
//! across a narrow valley). The best point ever evaluated is returned.
//!
//! Pure code: no I/O, no randomness; the same function and start give the same steps.

/// Reflection, expansion, contraction and shrink coefficients.
const ALPHA: f64 = 1.0;
const GAMMA: f64 = 2.0;
const RHO: f64 = 0.5;
const SIGMA: f64 = 0.5;

/// When to stop, and how large the first simplex is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Most evaluations of the objective, the first included.
    pub max_evals: usize,
    /// Stop when every vertex is within this distance of the best one in every coordinate
    /// (unit-cube units: 0.001 is a thousandth of each parameter's range).
    pub x_tolerance: f64,
    /// Edge of the first simplex in unit-cube units: vertex i is the start moved by this
    /// much along coordinate i (backwards when that would leave the cube).
    pub initial_step: f64,
    /// Fresh searches from the best point after a converged one, while they improve it.
    pub restarts: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_evals: 200,
            x_tolerance: 1e-3,
            initial_step: 0.2,
            restarts: 2,
        }
    }
}

/// What the search found.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The best point evaluated, in the unit cube.
    pub x: Vec<f64>,
    /// The objective there.
    pub f: f64,
    /// Evaluations made (at most `max_evals`).
    pub evaluations: usize,
    /// Whether the simplex shrank below `x_tolerance` (rather than the budget running out).
    pub converged: bool,
}

/// Counts evaluations, refuses them past the budget, and remembers the best point.
struct Budget<F> {
    f: F,
    evaluations: usize,
    max: usize,
    best: Option<(Vec<f64>, f64)>,
}

impl<F: FnMut(&[f64]) -> f64> Budget<F> {
    fn eval(&mut self, x: &[f64]) -> Option<f64> {
        if self.evaluations >= self.max {
            return None;
        }
        self.evaluations += 1;
        let mut y = (self.f)(x);
        if y.is_nan() {
            y = f64::INFINITY;
        }
        if self.best.as_ref().is_none_or(|(_, b)| y < *b) {
            self.best = Some((x.to_vec(), y));
        }
        Some(y)
    }
}

fn clamp_unit(x: &mut [f64]) {
    for v in x {
        *v = v.clamp(0.0, 1.0);
    }
}

/// `a + t·(b − a)`, clamped into the unit cube.
fn along(a: &[f64], b: &[f64], t: f64) -> Vec<f64> {
    let mut x: Vec<f64> = a.iter().zip(b).map(|(a, b)| a + t * (b - a)).collect();
    clamp_unit(&mut x);
    x
}

/// Minimises `f` over the unit cube from `start` (clamped into it).
pub fn minimize(f: impl FnMut(&[f64]) -> f64, start: &[f64], options: &Options) -> Outcome {
    let mut budget = Budget {
        f,
        evaluations: 0,
        max: options.max_evals.max(1),
        best: None,
    };
    let mut x0 = start.to_vec();
    clamp_unit(&mut x0);
    let mut f0 = budget.eval(&x0).expect("a budget of at least one");
    let mut converged = search(&mut budget, &x0, f0, options);
    // A converged simplex can have collapsed (onto a bound, or into a narrow valley)
    // short of the minimum: start afresh from the best point while that helps.
    for _ in 0..options.restarts {
        let (x, f) = budget.best.clone().expect("at least one evaluation");
        if !converged || f >= f0 {
            break;
        }
        (x0, f0) = (x, f);
        converged = search(&mut budget, &x0, f0, options);
    }
    let (x, f) = budget.best.expect("at least one evaluation");
    Outcome {
        x,
        f,
        evaluations: budget.evaluations,
        converged,
    }
}

/// One Nelder–Mead search from `x0` (already evaluated: `f0`); whether it converged.
fn search<F: FnMut(&[f64]) -> f64>(
    budget: &mut Budget<F>,
    x0: &[f64],
    f0: f64,
    options: &Options,
) -> bool {
    let n = x0.len();
    if n == 0 {
        return true;
    }
    let mut simplex: Vec<(Vec<f64>, f64)> = vec![(x0.to_vec(), f0)];
    for i in 0..n {
        let mut x = x0.to_vec();
        let step = options.initial_step.clamp(1e-9, 1.0);
        x[i] = if x[i] + step <= 1.0 {
            x[i] + step
        } else {
            (x[i] - step).max(0.0)
        };
        match budget.eval(&x) {
            Some(y) => simplex.push((x, y)),
            None => return false,
        }
    }
    loop {
        // Stable sort: ties keep their order, so the search is deterministic.
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let best = &simplex[0].0;
        let size = simplex[1..]
            .iter()
            .flat_map(|(x, _)| x.iter().zip(best).map(|(a, b)| (a - b).abs()))
            .fold(0.0, f64::max);
        if size < options.x_tolerance {
            return true;
        }
        let centroid: Vec<f64> = (0..n)
            .map(|k| simplex[..n].iter().map(|(x, _)| x[k]).sum::<f64>() / n as f64)
            .collect();
        let (worst, f_worst) = simplex[n].clone();
        let (f_best, f_second_worst) = (simplex[0].1, simplex[n - 1].1);
        let xr = along(&centroid, &worst, -ALPHA);
        let Some(fr) = budget.eval(&xr) else {
            return false;
        };
        if fr < f_best {
            let xe = along(&centroid, &xr, GAMMA);
            let Some(fe) = budget.eval(&xe) else {
                return false;
            };
            simplex[n] = if fe < fr { (xe, fe) } else { (xr, fr) };
            continue;
        }
        if fr < f_second_worst {
            simplex[n] = (xr, fr);
            continue;
        }
        // Contract: outside (toward the reflected point) when it beat the worst,
        // inside (toward the worst) otherwise.
        let outside = fr < f_worst;
        let xc = if outside {
            along(&centroid, &xr, RHO)
        } else {
            along(&centroid, &worst, RHO)
        };
        let Some(fc) = budget.eval(&xc) else {
            return false;
        };
        if (outside && fc <= fr) || (!outside && fc < f_worst) {
            simplex[n] = (xc, fc);
            continue;
        }
        // Shrink every vertex toward the best.
        let best = simplex[0].0.clone();
        for vertex in simplex.iter_mut().skip(1) {
            let x = along(&best, &vertex.0, SIGMA);
            match budget.eval(&x) {
                Some(y) => *vertex = (x, y),
                None => return false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Maps the unit cube to `[lo, hi]^n`.
    fn scale(x: &[f64], lo: f64, hi: f64) -> Vec<f64> {
        x.iter().map(|u| lo + u * (hi - lo)).collect()
    }

    #[test]
    fn finds_the_minimum_of_rosenbrock_within_bounds() {
        // Minimum at (1, 1) in [−2, 2]²: (0.75, 0.75) in the unit cube; the classic start
        // (−1.2, 1) is (0.2, 0.75).
        let rosenbrock = |u: &[f64]| {
            let p = scale(u, -2.0, 2.0);
            (1.0 - p[0]).powi(2) + 100.0 * (p[1] - p[0] * p[0]).powi(2)
        };
        let options = Options {
            max_evals: 2000,
            x_tolerance: 1e-9,
            initial_step: 0.1,
            restarts: 2,
        };
        let out = minimize(rosenbrock, &[0.2, 0.75], &options);
        let p = scale(&out.x, -2.0, 2.0);
        assert!(
            (p[0] - 1.0).abs() < 1e-3 && (p[1] - 1.0).abs() < 1e-3,
            "{out:?}"
        );
        assert!(out.f < 1e-6, "{out:?}");
        assert!(out.converged, "{out:?}");
    }

    #[test]
    fn finds_the_minimum_of_a_quadratic_and_respects_the_budget() {
        let target = [0.3, 0.6, 0.9];
        let mut calls = 0;
        let quadratic = |u: &[f64]| {
            calls += 1;
            u.iter()
                .zip(target)
                .enumerate()
                .map(|(k, (a, b))| (k as f64 + 1.0) * (a - b).powi(2))
                .sum::<f64>()
        };
        let out = minimize(quadratic, &[0.5, 0.5, 0.5], &Options::default());
        assert_eq!(calls, out.evaluations);
        assert!(out.evaluations <= 200);
        for (a, b) in out.x.iter().zip(target) {
            assert!((a - b).abs() < 2e-3, "{out:?}");
        }
        assert!(out.converged);

        // A budget smaller than a converged search needs is never exceeded.
        for max_evals in [1, 2, 4, 7, 25] {
            let mut calls = 0;
            let out = minimize(
                |u: &[f64]| {
                    calls += 1;
                    u.iter().map(|v| (v - 0.4).powi(2)).sum()
                },
                &[0.9, 0.1, 0.5],
                &Options {
                    max_evals,
                    ..Options::default()
                },
            );
            assert_eq!(out.evaluations, max_evals);
            assert_eq!(calls, max_evals);
            assert!(!out.converged);
        }
    }

    #[test]
    fn a_minimum_outside_the_cube_lands_on_its_boundary() {
        // Unconstrained minimum at (1.5, −0.2): the bounded one is (1, 0).
        let out = minimize(
            |u: &[f64]| (u[0] - 1.5).powi(2) + (u[1] + 0.2).powi(2),
            &[0.5, 0.5],
            &Options::default(),
        );
        assert!(out.x.iter().all(|v| (0.0..=1.0).contains(v)));
        assert!(
            (out.x[0] - 1.0).abs() < 1e-3 && out.x[1].abs() < 1e-3,
            "{out:?}"
        );
    }

    #[test]
    fn nan_counts_as_worse_than_anything_and_the_search_is_deterministic() {
        let f = |u: &[f64]| {
            if u[0] > 0.8 {
                f64::NAN
            } else {
                (u[0] - 0.7).powi(2) + (u[1] - 0.2).powi(2)
            }
        };
        let a = minimize(f, &[0.1, 0.9], &Options::default());
        let b = minimize(f, &[0.1, 0.9], &Options::default());
        assert_eq!(a, b);
        assert!(
            (a.x[0] - 0.7).abs() < 2e-3 && (a.x[1] - 0.2).abs() < 2e-3,
            "{a:?}"
        );
    }

    #[test]
    fn one_dimension_and_a_start_at_the_upper_bound() {
        let out = minimize(|u: &[f64]| (u[0] - 0.25).abs(), &[1.0], &Options::default());
        assert!((out.x[0] - 0.25).abs() < 2e-3, "{out:?}");
    }

    #[test]
    fn a_restart_frees_a_simplex_collapsed_onto_a_bound() {
        // A kinked valley whose minimum (0.02, 0.9) lies near a bound: the first search
        // collapses against the upper bound of u[1] and stops at f ≈ 0.4.
        let f = |u: &[f64]| {
            3.0 * (u[0] - 0.02).abs() + (u[1] - 0.9).abs() + 10.0 * (u[0] - u[1] + 0.88).abs()
        };
        let once = minimize(
            f,
            &[0.5, 0.5],
            &Options {
                restarts: 0,
                ..Options::default()
            },
        );
        let restarted = minimize(f, &[0.5, 0.5], &Options::default());
        assert!(once.f > 0.1, "{once:?}");
        assert!(restarted.f < 0.01, "{restarted:?}");
        assert!((restarted.x[0] - 0.02).abs() < 2e-3 && (restarted.x[1] - 0.9).abs() < 2e-3);
        assert!(restarted.evaluations <= 200);
    }
}
