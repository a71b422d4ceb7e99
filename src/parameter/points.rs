//! The designs' points: lists and ranges for grids and zips, draws for sampled
//! designs, trajectories and base samples for Morris and Sobol'.

use super::{Analysis, AnalysisKind, Design, STREAM_DESIGN, Sweep, Vary};
use crate::engine::seed;

/// The values of a field for grid and zip designs.
pub(super) fn listed_values(v: &Vary) -> Vec<toml::Value> {
    if let Some(values) = &v.values {
        return values.clone();
    }
    let (from, to, steps) = (
        v.from.unwrap_or(0.0),
        v.to.unwrap_or(0.0),
        v.steps.unwrap_or(1),
    );
    (0..steps)
        .map(|i| {
            let x = if steps == 1 {
                from
            } else {
                from + (to - from) * i as f64 / (steps - 1) as f64
            };
            toml::Value::Float(x)
        })
        .collect()
}

/// Points a sampled design makes per sample: 1, a Morris trajectory's groups + 1, or a
/// Sobol' base sample's rows.
pub(super) fn points_per_sample(sweep: &Sweep) -> u64 {
    match sweep.design {
        Design::Morris => groups(sweep).1.len() as u64 + 1,
        Design::Sobol => {
            crate::sensitivity::sobol::rows_per_sample(sweep.vary.len(), sweep.second_order) as u64
        }
        _ => 1,
    }
}

/// Each factor's group index, and the groups' names in order of first appearance (a
/// factor without a group is a group of its own, named by its path).
fn groups(sweep: &Sweep) -> (Vec<usize>, Vec<String>) {
    let mut names: Vec<String> = Vec::new();
    let index = sweep
        .vary
        .iter()
        .map(|v| {
            let name = v.group.clone().unwrap_or_else(|| v.path.clone());
            match names.iter().position(|n| *n == name) {
                Some(i) => i,
                None => {
                    names.push(name);
                    names.len() - 1
                }
            }
        })
        .collect();
    (index, names)
}

/// The points of a Morris or Sobol' design and the analysis they are for.
pub(super) fn sensitivity_points(
    sweep: &Sweep,
    master_seed: u64,
) -> (Vec<Vec<toml::Value>>, Analysis) {
    use crate::sensitivity::{morris, sobol};
    let seed = seed::derive(master_seed, &[STREAM_DESIGN]);
    let ranges: Vec<_> = sweep.vary.iter().map(Vary::range).collect();
    let (rows, kind, factors, block) = match sweep.design {
        Design::Morris => {
            let (index, names) = groups(sweep);
            let design = morris::Design::new(index, sweep.levels, sweep.samples as usize, seed);
            let block = design.rows_per_trajectory() as u64;
            (
                design.rows.clone(),
                AnalysisKind::Morris(design),
                names,
                block,
            )
        }
        _ => {
            let k = sweep.vary.len();
            let rows = sobol::design(sweep.samples as usize, k, sweep.second_order, seed);
            let names = sweep.vary.iter().map(|v| v.path.clone()).collect();
            let block = sobol::rows_per_sample(k, sweep.second_order) as u64;
            (
                rows,
                AnalysisKind::Sobol {
                    second_order: sweep.second_order,
                },
                names,
                block,
            )
        }
    };
    let points = rows
        .iter()
        .map(|u| {
            u.iter()
                .zip(&ranges)
                .map(|(u, r)| toml::Value::Float(r.at(*u)))
                .collect()
        })
        .collect();
    let analysis = Analysis {
        kind,
        factors,
        metrics: sweep.metrics.clone(),
        block,
    };
    (points, analysis)
}

/// Points of a random or Latin hypercube design, drawn from the master seed.
pub(super) fn sample_points(
    sweep: &Sweep,
    master_seed: u64,
    stratified: bool,
) -> Vec<Vec<toml::Value>> {
    let n = sweep.samples as usize;
    let mut rng = seed::generator(master_seed, seed::Purpose::Initial, STREAM_DESIGN, 0);
    // Per field, a position in [0, 1) for every point.
    let columns: Vec<Vec<f64>> = sweep
        .vary
        .iter()
        .map(|_| {
            if stratified {
                let mut strata: Vec<usize> = (0..n).collect();
                // Fisher–Yates with the named generator.
                for i in (1..n).rev() {
                    let j = (seed::uniform(&mut rng) * (i + 1) as f64) as usize;
                    strata.swap(i, j.min(i));
                }
                strata
                    .iter()
                    .map(|&s| (s as f64 + seed::uniform(&mut rng)) / n as f64)
                    .collect()
            } else {
                (0..n).map(|_| seed::uniform(&mut rng)).collect()
            }
        })
        .collect();
    (0..n)
        .map(|p| {
            sweep
                .vary
                .iter()
                .zip(&columns)
                .map(|(v, col)| {
                    let u = col[p];
                    match &v.values {
                        Some(values) => values
                            [((u * values.len() as f64) as usize).min(values.len() - 1)]
                        .clone(),
                        None => toml::Value::Float(v.range().at(u)),
                    }
                })
                .collect()
        })
        .collect()
}
