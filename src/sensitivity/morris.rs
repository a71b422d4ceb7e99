//! Morris's elementary effects (Morris 1991; Campolongo, Cariboni & Saltelli 2007).
//!
//! Each factor takes `p` levels 0, 1/(p−1), …, 1 (p even) and moves by
//! Δ = p / (2(p − 1)), so every move joins level k to level k + p/2: half the grid
//! apart, and every level equally often. A trajectory starts at a random grid point and
//! moves one factor (or one group of factors, together) at a time, in a random order,
//! each exactly once: g + 1 points for g groups. Every member of a group moves the same
//! way (all up or all down, the direction drawn per group and trajectory, the start
//! levels drawn in the half of the grid the direction allows), so a group's elementary
//! effect (y_after − y_before)/Δ, signed by the direction, is a derivative along the
//! group's diagonal and μ keeps a meaning for groups too.
//!
//! Over r trajectories: μ (mean effect: its sign says which way a factor pushes), μ*
//! (mean absolute effect: the ranking measure, as effects of opposite sign do not
//! cancel) and σ (their standard deviation: non-linearity or interaction). Intervals
//! are percentile bootstraps over the trajectories.

use super::{Index, bootstrap, index, unit};

/// Labels of the design's draws.
const STREAM_MORRIS: u64 = 0x4D4F_5252_4953_5452;

/// A Morris design over `k` factors in `groups` (each factor's group index, 0-based,
/// every group non-empty), `trajectories` of them on `levels` levels.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    pub k: usize,
    pub groups: Vec<usize>,
    pub n_groups: usize,
    pub levels: u32,
    pub trajectories: usize,
    /// `rows[t·(g+1) + s]`: point `s` of trajectory `t`, in the unit cube.
    pub rows: Vec<Vec<f64>>,
    /// `moved[t·g + s]`: the group moved between points s and s + 1 of trajectory t,
    /// and its direction (+1 up, −1 down).
    pub moved: Vec<(usize, f64)>,
}

impl Design {
    /// The step between levels that every move makes.
    pub fn delta(levels: u32) -> f64 {
        levels as f64 / (2.0 * (levels as f64 - 1.0))
    }

    /// Rows per trajectory.
    pub fn rows_per_trajectory(&self) -> usize {
        self.n_groups + 1
    }

    pub fn new(groups: Vec<usize>, levels: u32, trajectories: usize, master: u64) -> Design {
        let k = groups.len();
        let n_groups = groups.iter().map(|g| g + 1).max().unwrap_or(0);
        let p = levels as usize;
        let mut rows = Vec::with_capacity(trajectories * (n_groups + 1));
        let mut moved = Vec::with_capacity(trajectories * n_groups);
        for t in 0..trajectories {
            let draw =
                |what: u64, i: usize| unit(master, &[STREAM_MORRIS, t as u64, what, i as u64]);
            let up: Vec<bool> = (0..n_groups).map(|g| draw(0, g) < 0.5).collect();
            // Start levels in the half of the grid the group's direction leaves room in.
            let mut x: Vec<f64> = (0..k)
                .map(|i| {
                    let half = index(master, &[STREAM_MORRIS, t as u64, 1, i as u64], p / 2);
                    let level = if up[groups[i]] { half } else { half + p / 2 };
                    level as f64 / (p as f64 - 1.0)
                })
                .collect();
            // A random order of the groups (Fisher–Yates on counter draws).
            let mut order: Vec<usize> = (0..n_groups).collect();
            for s in (1..n_groups).rev() {
                let j = index(master, &[STREAM_MORRIS, t as u64, 2, s as u64], s + 1);
                order.swap(s, j);
            }
            rows.push(x.clone());
            for &g in &order {
                let sign = if up[g] { 1.0 } else { -1.0 };
                for i in 0..k {
                    if groups[i] == g {
                        // Levels stay exact: k/(p−1) ± (p/2)/(p−1).
                        x[i] = ((x[i] * (p as f64 - 1.0)).round() + sign * (p / 2) as f64)
                            / (p as f64 - 1.0);
                    }
                }
                rows.push(x.clone());
                moved.push((g, sign));
            }
            debug_assert!(x.iter().all(|v| (0.0..=1.0).contains(v)));
        }
        Design {
            k,
            groups,
            n_groups,
            levels,
            trajectories,
            rows,
            moved,
        }
    }

    /// The elementary effects `ee[t][g]` from the outputs of the rows, in order.
    pub fn effects(&self, y: &[f64]) -> Vec<Vec<f64>> {
        let g = self.n_groups;
        let delta = Design::delta(self.levels);
        (0..self.trajectories)
            .map(|t| {
                let mut ee = vec![f64::NAN; g];
                for s in 0..g {
                    let (group, sign) = self.moved[t * g + s];
                    let (before, after) = (y[t * (g + 1) + s], y[t * (g + 1) + s + 1]);
                    ee[group] = sign * (after - before) / delta;
                }
                ee
            })
            .collect()
    }

    /// μ, μ* and σ of every group (`names[g]`), with intervals; trajectories with an
    /// output that is not finite are left out. `master` seeds the bootstrap.
    pub fn analyze(&self, y: &[f64], names: &[String], master: u64) -> Vec<Index> {
        let effects: Vec<Vec<f64>> = self
            .effects(y)
            .into_iter()
            .filter(|e| e.iter().all(|v| v.is_finite()))
            .collect();
        let r = effects.len();
        let g = names.len();
        // μ, μ* and σ of every group over the trajectories `p`.
        let stats = |p: &[usize]| -> Vec<f64> {
            let n = p.len() as f64;
            (0..g)
                .flat_map(|group| {
                    let ee = |t: usize| effects[t][group];
                    let mu = p.iter().map(|&t| ee(t)).sum::<f64>() / n;
                    let mu_star = p.iter().map(|&t| ee(t).abs()).sum::<f64>() / n;
                    let ss: f64 = p.iter().map(|&t| (ee(t) - mu).powi(2)).sum();
                    [mu, mu_star, (ss / (n - 1.0)).sqrt()]
                })
                .collect()
        };
        let everyone: Vec<usize> = (0..r).collect();
        let values = stats(&everyone);
        let intervals = bootstrap(master, r, stats);
        names
            .iter()
            .flat_map(|n| ["mu", "mu_star", "sigma"].map(|i| (i, n.clone())))
            .zip(values)
            .zip(intervals)
            .map(|(((index, factor), value), (ci_low, ci_high))| Index {
                index,
                factor,
                value,
                ci_low,
                ci_high,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensitivity::functions::g_function;

    #[test]
    fn every_trajectory_moves_each_group_once_by_delta_on_the_grid() {
        let groups = vec![0, 1, 1, 2];
        let d = Design::new(groups.clone(), 4, 20, 3);
        assert_eq!(d.rows.len(), 20 * 4);
        let delta = Design::delta(4);
        for t in 0..20 {
            let mut seen = [false; 3];
            for s in 0..3 {
                let (a, b) = (&d.rows[t * 4 + s], &d.rows[t * 4 + s + 1]);
                let (g, sign) = d.moved[t * 3 + s];
                assert!(!seen[g]);
                seen[g] = true;
                for i in 0..4 {
                    let step = b[i] - a[i];
                    if groups[i] == g {
                        assert!((step - sign * delta).abs() < 1e-12, "{step}");
                    } else {
                        assert_eq!(step, 0.0);
                    }
                    let level = b[i] * 3.0;
                    assert!((level - level.round()).abs() < 1e-12 && (0.0..=1.0).contains(&b[i]));
                }
            }
        }
        assert_eq!(
            d,
            Design::new(groups, 4, 20, 3),
            "a pure function of the seed"
        );
    }

    #[test]
    fn morris_ranks_the_g_function_factors_in_their_known_order() {
        // Sobol's G with a = (0, 1, 4.5, 9, 99, 99, 99, 99): importance falls with a_i,
        // so μ* must rank x1 > x2 > x3 > x4 > each of x5 … x8 (Saltelli et al. 2008, §3.5).
        let a = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0];
        let names: Vec<String> = (1..=8).map(|i| format!("x{i}")).collect();
        let d = Design::new((0..8).collect(), 4, 100, 11);
        let y: Vec<f64> = d.rows.iter().map(|u| g_function(u, &a)).collect();
        let indices = d.analyze(&y, &names, 11);
        let mu_star = |name: &str| {
            indices
                .iter()
                .find(|i| i.index == "mu_star" && i.factor == name)
                .unwrap()
                .value
        };
        for (hi, lo) in [("x1", "x2"), ("x2", "x3"), ("x3", "x4")] {
            assert!(
                mu_star(hi) > mu_star(lo),
                "{hi} {} vs {lo} {}",
                mu_star(hi),
                mu_star(lo)
            );
        }
        for small in ["x5", "x6", "x7", "x8"] {
            assert!(mu_star("x4") > mu_star(small), "x4 vs {small}");
        }
    }

    #[test]
    fn a_group_moves_together_and_gets_one_effect() {
        // y = x1 + x2: as one group, the effect along the diagonal is 2.
        let d = Design::new(vec![0, 0], 4, 10, 5);
        let y: Vec<f64> = d.rows.iter().map(|u| u[0] + u[1]).collect();
        let i = d.analyze(&y, &["both".to_string()], 5);
        let mu = i.iter().find(|i| i.index == "mu").unwrap();
        assert!((mu.value - 2.0).abs() < 1e-12, "{mu:?}");
    }
}
