//! Parameter scans: the list of runs a scenario's `[sweep]` table means. The table
//! itself, as users write it, is `crate::scenario::sweep` (re-exported here).
//!
//! A sweep varies fields of the base scenario by the same dotted paths as `--set`, so
//! every point of a sweep is exactly a scenario a user could run by hand. A design
//! (`grid`, `zip`, `random`, `latin_hypercube`) turns the varied fields into points;
//! `replications` repeats each point with fresh seeds. Run `i` is point `i / replications`,
//! replicate `i % replications`, and its seed is derived from the master seed and `i`
//! (or, with `common_random_numbers`, from the replicate alone, so every point of a
//! replicate sees the same luck). Everything here is pure: it does no I/O and never
//! simulates.

mod check;
mod points;
mod typed;

use points::{listed_values, points_per_sample, sample_points, sensitivity_points};

use crate::engine::seed;
pub use crate::scenario::sweep::{
    DEFAULT_METRICS, Design, Sweep, TimeseriesFormat, Vary, VaryScale,
};
use crate::scenario::{Override, Scenario, ScenarioError};

impl Vary {
    /// The factor's range, for sensitivity designs.
    pub fn range(&self) -> crate::sensitivity::Range {
        crate::sensitivity::Range {
            low: self.from.unwrap_or(0.0),
            high: self.to.unwrap_or(0.0),
            scale: match self.scale {
                VaryScale::Uniform => crate::sensitivity::Scale::Uniform,
                VaryScale::Log => crate::sensitivity::Scale::LogUniform,
            },
        }
    }
}

/// Most runs a sweep may have.
pub const MAX_RUNS: u64 = 100_000_000;

/// Label of the seed stream of sweep runs and of design sampling.
const STREAM_RUN: u64 = 0x5357_4545_5052_554E;
const STREAM_DESIGN: u64 = 0x5357_4545_5044_4553;
const STREAM_BLOCK: u64 = 0x5357_4545_5042_4C4B;

/// A sweep resolved into points: the value of every varied field at every point.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub paths: Vec<String>,
    /// `points[p][k]` is the value of `paths[k]` at point `p`.
    pub points: Vec<Vec<toml::Value>>,
    pub replications: u32,
    pub common_random_numbers: bool,
    pub master_seed: u64,
    pub timeseries: TimeseriesFormat,
    /// The swept columns' types ([`Plan::typed`]); empty until typed.
    pub swept: Vec<crate::dtype::Dtype>,
    /// The analysis a sensitivity design asks for, with what it needs to know of it.
    pub analysis: Option<Analysis>,
}

/// What a sensitivity design's analysis needs: the design, the factors and the metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub kind: AnalysisKind,
    /// Names of the factors (Sobol') or groups (Morris), in design order.
    pub factors: Vec<String>,
    pub metrics: Vec<String>,
    /// Points per block: a Sobol' base sample or a Morris trajectory. The runs of one
    /// block share their seeds replicate by replicate (common random numbers), so the
    /// differences an index is made of are not seed noise.
    pub block: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AnalysisKind {
    Morris(crate::sensitivity::morris::Design),
    Sobol { second_order: bool },
}

/// One run of a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub index: u64,
    pub point: u64,
    pub replicate: u32,
    pub seed: u64,
}

impl Plan {
    /// Resolves the sweep of a validated base scenario into points, checking the spec.
    pub fn new(sweep: &Sweep, master_seed: u64) -> Result<Plan, ScenarioError> {
        Plan::size(sweep)?;
        let paths: Vec<String> = sweep.vary.iter().map(|v| v.path.clone()).collect();
        let lists: Vec<Vec<toml::Value>> = match sweep.design {
            Design::Grid | Design::Zip => sweep.vary.iter().map(listed_values).collect(),
            _ => Vec::new(),
        };
        let (points, analysis) = match sweep.design {
            Design::Morris | Design::Sobol => {
                let (points, analysis) = sensitivity_points(sweep, master_seed);
                (Some(points), Some(analysis))
            }
            _ => (None, None),
        };
        let points = match (points, sweep.design) {
            (Some(points), _) => points,
            (None, Design::Grid) => {
                let mut points = vec![Vec::new()];
                for list in &lists {
                    points = points
                        .into_iter()
                        .flat_map(|p| {
                            list.iter().map(move |v| {
                                let mut q = p.clone();
                                q.push(v.clone());
                                q
                            })
                        })
                        .collect();
                }
                points
            }
            (None, Design::Zip) => (0..lists[0].len())
                .map(|i| lists.iter().map(|l| l[i].clone()).collect())
                .collect(),
            (None, _) => sample_points(sweep, master_seed, sweep.design == Design::LatinHypercube),
        };
        Ok(Plan {
            paths,
            points,
            replications: sweep.replications,
            common_random_numbers: sweep.common_random_numbers,
            master_seed,
            analysis,
            timeseries: sweep.timeseries,
            swept: Vec::new(),
        })
    }

    pub fn runs(&self) -> u64 {
        self.points.len() as u64 * self.replications as u64
    }

    /// Run `index`: its point, replicate and seed.
    pub fn run(&self, index: u64) -> Run {
        let reps = self.replications as u64;
        let (point, replicate) = (index / reps, (index % reps) as u32);
        // Seeds stay within TOML's integers, so a run's scenario.toml can say it.
        let seed = match (&self.analysis, self.common_random_numbers) {
            // A sensitivity design: the points of a block share their luck.
            (Some(a), false) => {
                seed::derive(
                    self.master_seed,
                    &[STREAM_BLOCK, point / a.block, replicate as u64],
                ) >> 1
            }
            (_, true) => seed::derive(self.master_seed, &[STREAM_RUN, replicate as u64]) >> 1,
            (None, false) => seed::derive(self.master_seed, &[STREAM_RUN, index]) >> 1,
        };
        Run {
            index,
            point,
            replicate,
            seed,
        }
    }

    /// The overrides that make run `r` from the base scenario.
    pub fn overrides(&self, r: &Run) -> Vec<Override> {
        let mut o: Vec<Override> = self
            .paths
            .iter()
            .zip(&self.points[r.point as usize])
            .map(|(path, value)| Override::with_value(path, value.clone()))
            .collect();
        o.push(Override::seed(r.seed));
        o
    }

    /// The scenario of run `r`, validated; `base` must have no sweep.
    pub fn scenario(&self, base_toml: &toml::Table, r: &Run) -> Result<Scenario, ScenarioError> {
        Scenario::from_table(base_toml.clone(), "sweep point", &self.overrides(r))
    }

    /// The resolved sweep scenario as TOML, `[sweep]` included: every default spelled
    /// out except the fields that no point of the sweep uses, so the file shows what
    /// applies and loads again without a complaint.
    pub fn resolved_toml(&self, base: &Scenario) -> Result<String, ScenarioError> {
        let mut full = base.to_table();
        let base_table = {
            let mut b = base.clone();
            b.sweep = None;
            b.to_table()
        };
        let mut idle: Option<Vec<crate::scenario::Unused>> = None;
        for point in 0..self.points.len() as u64 {
            let s = self.scenario(&base_table, &self.run(point * self.replications as u64))?;
            let here = s.idle_fields();
            idle = Some(match idle {
                None => here,
                Some(before) => before
                    .into_iter()
                    .filter(|u| here.iter().any(|h| h.path == u.path))
                    .collect(),
            });
        }
        for u in idle.unwrap_or_default() {
            u.remove_from(&mut full);
        }
        // The [sweep] fields its design does not use.
        if let (Some(sweep), Some(toml::Value::Table(t))) = (&base.sweep, full.get_mut("sweep")) {
            if !sweep.design.is_sensitivity() {
                t.remove("levels");
                t.remove("second_order");
                t.remove("metrics");
            }
            if sweep.design != Design::Morris {
                t.remove("levels");
            }
            if sweep.design != Design::Sobol {
                t.remove("second_order");
            }
            if !sweep.design.sampled() {
                t.remove("samples");
            }
        }
        Ok(toml::to_string(&full).expect("a validated scenario serialises"))
    }
}

#[cfg(test)]
mod tests;
