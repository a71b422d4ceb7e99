//! What a calibration found (the fitted parameters, how each target fares) and its two
//! reports: `fit.json` and the Markdown summary. Separate from the search, which only
//! fills these in.

use super::{PROFILE_STEP, Target};
use crate::scenario::Scenario;
use serde::Serialize;

/// A parameter with its starting value settled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FittedParameter {
    pub path: String,
    pub from: f64,
    pub to: f64,
    pub start: f64,
    pub fitted: f64,
    /// The objective with this parameter moved down by [`PROFILE_STEP`] of its range
    /// (the others at their fitted values); `None` at the lower bound.
    pub objective_down: Option<f64>,
    /// The same moved up; `None` at the upper bound.
    pub objective_up: Option<f64>,
    /// Whether both moves raise the objective by at least 1 (one tolerance on one
    /// target): the targets pin the parameter down to within that step.
    pub pinned: bool,
}

/// How the fit does on one target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetFit {
    #[serde(flatten)]
    pub target: Target,
    /// The simulated figure at the starting values (`None`: could not be measured).
    pub start_simulated: Option<f64>,
    /// The simulated figure at the fitted values.
    pub simulated: Option<f64>,
    /// |simulated − value| ≤ tolerance.
    pub met: bool,
}

/// What a calibration found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fit {
    /// The base scenario's name.
    pub name: String,
    /// The target file, as given.
    pub target_file: String,
    /// The seed every evaluation used (common random numbers).
    pub seed: u64,
    pub parameters: Vec<FittedParameter>,
    pub targets: Vec<TargetFit>,
    /// Σ ((simulated − value) / tolerance)² at the fitted values.
    pub objective: f64,
    /// The same at the starting values.
    pub start_objective: f64,
    /// Objective evaluations made.
    pub evaluations: usize,
    /// The evaluation budget (`--max-evals`).
    pub max_evals: usize,
    /// Whether the search simplex shrank below `x_tolerance` of every range (otherwise
    /// the budget ran out).
    pub converged: bool,
    pub x_tolerance: f64,
    /// Simulations per evaluation: one per distinct condition.
    pub conditions: usize,
    /// Candidates the scenario's validation refused (counted as infinitely bad).
    pub refused: usize,
    /// Notes on the search space, such as a bound the scenario refuses.
    pub warnings: Vec<String>,
    /// The base scenario with the fitted values applied, resolved.
    #[serde(skip)]
    pub scenario: Scenario,
}

/// A number for a table: up to 4 decimals, trailing zeros dropped.
fn num(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let s = if x != 0.0 && x.abs() < 1e-3 {
        format!("{x:.3e}")
    } else {
        format!("{x:.4}")
    };
    if s.contains('.') && !s.contains('e') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn opt(x: Option<f64>) -> String {
    x.map_or("n/a".into(), num)
}

impl Fit {
    /// The fit as `fit.json` holds it: its fields, with the numbers that may be
    /// infinite (the objective next to a refused candidate, a simulated effective R
    /// where no one could leave) as the run's `summary.json` writes them: `null` and a
    /// sibling `KEY_infinite` (see `report::export::json`). Serde alone would write an
    /// infinity as `null` too, but without saying so, the same as a missing value.
    pub fn to_json(&self) -> serde_json::Value {
        use crate::report::export::json::unbounded;
        let mut value = serde_json::to_value(self).expect("a fit serialises");
        for (i, p) in self.parameters.iter().enumerate() {
            let o = value["parameters"][i].as_object_mut().expect("an object");
            unbounded(o, "objective_down", p.objective_down);
            unbounded(o, "objective_up", p.objective_up);
        }
        for (i, t) in self.targets.iter().enumerate() {
            let o = value["targets"][i].as_object_mut().expect("an object");
            unbounded(o, "start_simulated", t.start_simulated);
            unbounded(o, "simulated", t.simulated);
        }
        value
    }

    /// The fit as a readable Markdown report: what was fitted, and how each target fares.
    pub fn markdown(&self) -> String {
        let met = self.targets.iter().filter(|t| t.met).count();
        let mut out = format!(
            "# Calibration of {}\n\n\
             Targets {} · seed {} (every evaluation) · {} evaluation{} of at most {} · {} simulation{} per evaluation\n\n\
             Objective Σ((simulated − value)/tolerance)²: {} at the start, {} fitted; {} of {} targets met; {}.\n",
            self.name,
            self.target_file,
            self.seed,
            self.evaluations,
            if self.evaluations == 1 { "" } else { "s" },
            self.max_evals,
            self.conditions,
            if self.conditions == 1 { "" } else { "s" },
            num(self.start_objective),
            num(self.objective),
            met,
            self.targets.len(),
            if self.converged {
                format!(
                    "converged (search simplex within {} of every range)",
                    num(self.x_tolerance)
                )
            } else {
                "stopped by the evaluation budget (not converged)".to_string()
            }
        );
        let step = num(100.0 * PROFILE_STEP);
        out.push_str(&format!(
            "\n| parameter | from | to | start | fitted | objective at −{step}% / +{step}% of range | pinned |\n\
             | --- | ---: | ---: | ---: | ---: | ---: | --- |\n"
        ));
        for p in &self.parameters {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} / {} | {} |\n",
                p.path,
                num(p.from),
                num(p.to),
                num(p.start),
                num(p.fitted),
                p.objective_down.map_or("(bound)".into(), num),
                p.objective_up.map_or("(bound)".into(), num),
                if p.pinned { "yes" } else { "no" }
            ));
        }
        out.push_str(
            "\n| target | condition | value | tolerance | at start | fitted | met |\n\
             | --- | --- | ---: | ---: | ---: | ---: | --- |\n",
        );
        for t in &self.targets {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                t.target.label(),
                t.target.condition.join(", "),
                num(t.target.value),
                num(t.target.tolerance),
                opt(t.start_simulated),
                opt(t.simulated),
                if t.met { "yes" } else { "no" }
            ));
        }
        let loose: Vec<&str> = self
            .parameters
            .iter()
            .filter(|p| !p.pinned)
            .map(|p| p.path.as_str())
            .collect();
        if !loose.is_empty() {
            out.push_str(&format!(
                "\nNot pinned down: {}. Moving it by {step}% of its range raises the objective by \
                 less than 1 (one tolerance on one target), so the targets hardly determine it: \
                 add a target that responds to it, or fix it.\n",
                loose.join(", ")
            ));
        }
        if self.refused > 0 {
            out.push_str(&format!(
                "\n{} candidate{} refused by the scenario's validation (counted as infinitely bad).\n",
                self.refused,
                if self.refused == 1 { " was" } else { "s were" }
            ));
        }
        for w in &self.warnings {
            out.push_str(&format!("\nWarning: {w}\n"));
        }
        out
    }
}
