//! One evaluation of a candidate: the problem resolved against the base scenario, the
//! simulations it runs (one per condition, cached), the figure each target names and
//! the objective. Separate from the search driver, which only asks for objectives.

use super::{FittedParameter, MISSING_PENALTY, Metric, Target};
use crate::engine::{RunResults, Simulation};
use crate::model::Voice;
use crate::report::RunReport;
use crate::scenario::{Override, Scenario, ScenarioError};
use std::collections::HashMap;
use std::time::Duration;

/// Everything an evaluation needs, resolved against the base scenario.
pub(super) struct Problem<'a> {
    pub(super) base: toml::Table,
    pub(super) parameters: Vec<FittedParameter>,
    /// The distinct conditions, in order of first appearance.
    pub(super) conditions: Vec<Vec<Override>>,
    /// For each target, its condition's index.
    pub(super) condition_of: Vec<usize>,
    pub(super) targets: &'a [Target],
}

impl Problem<'_> {
    fn overrides(&self, values: &[f64], condition: usize) -> Vec<Override> {
        let mut o: Vec<Override> = self
            .parameters
            .iter()
            .zip(values)
            .map(|(p, &x)| Override::with_value(&p.path, toml::Value::Float(x)))
            .collect();
        o.extend(self.conditions[condition].iter().cloned());
        o
    }

    pub(super) fn scenario(
        &self,
        values: &[f64],
        condition: usize,
    ) -> Result<Scenario, ScenarioError> {
        Scenario::from_table(
            self.base.clone(),
            "calibration",
            &self.overrides(values, condition),
        )
    }

    /// The simulated figure of every target at `values`, or the scenario's refusal.
    fn simulate(&self, values: &[f64]) -> Result<Vec<Option<f64>>, ScenarioError> {
        let mut out = vec![None; self.targets.len()];
        for c in 0..self.conditions.len() {
            let s = self.scenario(values, c)?;
            let results = Simulation::new(&s).run(s.periods);
            for (t, target) in self.targets.iter().enumerate() {
                if self.condition_of[t] == c {
                    out[t] = measure(target, &s, &results);
                }
            }
        }
        Ok(out)
    }

    pub(super) fn values(&self, unit: &[f64]) -> Vec<f64> {
        self.parameters
            .iter()
            .zip(unit)
            .map(|(p, u)| p.from + u.clamp(0.0, 1.0) * (p.to - p.from))
            .collect()
    }
}

/// Evaluates candidates, remembering every point (the search clamps onto bounds, and
/// reports revisit the start and the fit).
pub(super) struct Evaluator<'a, 'b> {
    pub(super) problem: &'a Problem<'b>,
    pub(super) cache: HashMap<Vec<u64>, Option<Vec<Option<f64>>>>,
    /// Distinct candidates the scenario's validation refused.
    pub(super) refused: usize,
}

impl Evaluator<'_, '_> {
    /// The simulated figures at `values`; `None` when the scenario refuses them.
    fn run(&mut self, values: &[f64]) -> Option<Vec<Option<f64>>> {
        let key: Vec<u64> = values.iter().map(|v| v.to_bits()).collect();
        if let Some(hit) = self.cache.get(&key) {
            return hit.clone();
        }
        let sims = self.problem.simulate(values).ok();
        self.refused += sims.is_none() as usize;
        self.cache.insert(key, sims.clone());
        sims
    }

    /// The objective at `values`, infinite when the scenario refuses them.
    pub(super) fn objective(&mut self, values: &[f64]) -> f64 {
        match self.run(values) {
            Some(sims) => objective(self.problem.targets, &sims),
            None => f64::INFINITY,
        }
    }

    pub(super) fn simulated(&mut self, values: &[f64]) -> Vec<Option<f64>> {
        self.run(values)
            .unwrap_or_else(|| vec![None; self.problem.targets.len()])
    }
}

/// Σ ((simulated − value) / tolerance)², a missing figure counting [`MISSING_PENALTY`].
pub fn objective(targets: &[Target], simulated: &[Option<f64>]) -> f64 {
    targets
        .iter()
        .zip(simulated)
        .map(|(t, s)| match s {
            Some(s) if s.is_finite() => ((s - t.value) / t.tolerance).powi(2),
            _ => MISSING_PENALTY,
        })
        .sum()
}

/// The figure a target names, from a finished run of scenario `s`.
pub fn measure(target: &Target, s: &Scenario, results: &RunResults) -> Option<f64> {
    let report = RunReport {
        scenario: s,
        results,
        elapsed: Duration::ZERO,
        threads: 1,
        warnings: &[],
    };
    let firm = || {
        let name = target.firm.as_deref()?;
        s.firms.iter().position(|f| f.name == name)
    };
    match target.metric {
        Metric::Run(name) => {
            let m = crate::report::metrics::find(name)?;
            (m.value)(&crate::report::metrics::Measured::of(&report))
        }
        Metric::CurveRetention => {
            let bin = results.curve.get(results.bins.index(target.cs?))?;
            (bin.observations > 0).then(|| bin.stayed as f64 / bin.observations as f64)
        }
        Metric::FirmRetention => {
            let j = firm()?;
            let (mut customers, mut defections) = (0u64, 0u64);
            for p in &results.periods {
                customers += p.firms[j].customers;
                defections += p.firms[j].defections;
            }
            (customers > 0).then(|| 1.0 - defections as f64 / customers as f64)
        }
        Metric::ComplaintRetention => {
            let name = target.group.as_deref()?;
            let g = Voice::TABLE.into_iter().find(|g| g.name() == name)?;
            let (episodes, stayed) = results.complaints[g as usize];
            (episodes > 0).then(|| stayed as f64 / episodes as f64)
        }
        Metric::FirmShare => {
            let j = firm()?;
            let last = results.periods.last()?;
            let market: u64 = last.firms.iter().map(|f| f.customers).sum();
            (market > 0).then(|| last.firms[j].customers as f64 / market as f64)
        }
    }
}
