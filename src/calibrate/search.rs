//! The calibration driver: settle each parameter's start and the distinct conditions,
//! check the start against the scenario, run the Nelder–Mead search, and profile how
//! sharply the targets pin each parameter down.

use super::evaluate::{Evaluator, Problem, objective};
use super::fit::{Fit, FittedParameter, TargetFit};
use super::targets::{invalid, strip_set};
use super::{CalibrationError, Options, PROFILE_STEP, Target, TargetFile, nelder_mead};
use crate::scenario::{Override, Scenario, ScenarioError, Strength, value_at};
use std::collections::HashMap;

/// A scenario value read as a number: numbers, and strengths given by level name.
fn as_number(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Float(f) => Some(*f),
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::String(s) => Strength::from_level(s).map(Strength::value),
        _ => None,
    }
}

/// Progress of a calibration, after each evaluation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub evaluations: usize,
    pub max_evals: usize,
    /// The objective of the evaluation just made.
    pub objective: f64,
    /// The best objective so far.
    pub best: f64,
}

/// Fits the target file's parameters to its targets, starting from `base` (validated,
/// its seed used by every evaluation).
pub fn calibrate(
    base: &Scenario,
    file: &TargetFile,
    options: &Options,
) -> Result<Fit, CalibrationError> {
    calibrate_with_progress(base, file, options, &mut |_| {})
}

/// [`calibrate`], calling `progress` after every evaluation.
pub fn calibrate_with_progress(
    base: &Scenario,
    file: &TargetFile,
    options: &Options,
    progress: &mut dyn FnMut(Progress),
) -> Result<Fit, CalibrationError> {
    file.check()?;
    let src = file.source.as_str();
    if !(options.x_tolerance.is_finite() && options.x_tolerance >= 0.0) {
        return Err(CalibrationError(format!(
            "x tolerance {}: expected a finite number >= 0",
            options.x_tolerance
        )));
    }
    if options.max_evals == 0 {
        return Err(CalibrationError(
            "max_evals 0: expected at least 1 evaluation".into(),
        ));
    }
    let base_table = base.to_table();

    // Starting values: given, or the scenario's own.
    let mut parameters = Vec::new();
    for (i, p) in file.parameter.iter().enumerate() {
        let path = p.path.trim().to_string();
        if let Some(u) = base.idle(&path) {
            return Err(invalid(
                src,
                &format!("parameter[{i}].path"),
                format!("\"{path}\""),
                &format!(
                    "a field the scenario uses; this one changes nothing: {}",
                    u.why
                ),
            ));
        }
        let start = match p.start {
            Some(s) => s,
            None => {
                let found = value_at(&base_table, &path).ok_or_else(|| {
                    invalid(
                        src,
                        &format!("parameter[{i}].path"),
                        format!("\"{path}\""),
                        "the path of a number in the scenario (no such field: check the path, or give `start`)",
                    )
                })?;
                let x = as_number(found).filter(|x| x.is_finite()).ok_or_else(|| {
                    invalid(
                        src,
                        &format!("parameter[{i}].path"),
                        format!("\"{path}\""),
                        &format!("the path of a finite number in the scenario (it holds {found})"),
                    )
                })?;
                if !(p.from <= x && x <= p.to) {
                    return Err(invalid(
                        src,
                        &format!("parameter[{i}].start"),
                        format!("(missing; the scenario's own value is {x})"),
                        &format!(
                            "a start within from and to ({} to {}): give `start` or widen the bounds",
                            p.from, p.to
                        ),
                    ));
                }
                x
            }
        };
        parameters.push(FittedParameter {
            path,
            from: p.from,
            to: p.to,
            start,
            fitted: start,
            objective_down: None,
            objective_up: None,
            pinned: false,
        });
    }

    // Distinct conditions, in order of first appearance.
    let mut keys: Vec<Vec<String>> = Vec::new();
    let mut conditions = Vec::new();
    let mut condition_of = Vec::new();
    for t in &file.target {
        let key: Vec<String> = t.condition.iter().map(|c| c.trim().to_string()).collect();
        let c = match keys.iter().position(|k| *k == key) {
            Some(c) => c,
            None => {
                let parsed = key
                    .iter()
                    .map(|c| c.parse::<Override>())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| CalibrationError(format!("{src}: {e}")))?;
                keys.push(key);
                conditions.push(parsed);
                keys.len() - 1
            }
        };
        condition_of.push(c);
    }
    let problem = Problem {
        base: base_table,
        parameters,
        conditions,
        condition_of,
        targets: &file.target,
    };

    // The starting point must be a valid scenario under every condition, and every
    // firm a target names must exist there.
    let start: Vec<f64> = problem.parameters.iter().map(|p| p.start).collect();
    for (c, key) in keys.iter().enumerate() {
        let s = problem
            .scenario(&start, c)
            .map_err(|e| start_error(src, file, key, e))?;
        for (i, t) in file.target.iter().enumerate() {
            if problem.condition_of[i] != c {
                continue;
            }
            if let Some(name) = &t.firm
                && !s.firms.iter().any(|f| &f.name == name)
            {
                let names: Vec<&str> = s.firms.iter().map(|f| f.name.as_str()).collect();
                return Err(invalid(
                    src,
                    &format!("target[{i}].firm"),
                    format!("\"{name}\""),
                    &format!("one of the scenario's firms: {}", names.join(", ")),
                ));
            }
        }
    }

    // Bounds the scenario refuses (others at their start) are worth a warning: the
    // search treats such candidates as infinitely bad, which is right for a joint
    // constraint (breakpoints in order) but a waste for a mistyped bound.
    let mut warnings = Vec::new();
    for (i, p) in problem.parameters.iter().enumerate() {
        for (bound, x) in [("from", p.from), ("to", p.to)] {
            let mut values = start.clone();
            values[i] = x;
            for c in 0..problem.conditions.len() {
                if let Err(e) = problem.scenario(&values, c) {
                    warnings.push(format!(
                        "parameter[{i}].{bound} = {x} ({}): the scenario refuses it with the other parameters at their start: {}",
                        p.path,
                        strip_set(&e)
                    ));
                    break;
                }
            }
        }
    }

    let unit_start: Vec<f64> = problem
        .parameters
        .iter()
        .map(|p| (p.start - p.from) / (p.to - p.from))
        .collect();
    let mut evaluator = Evaluator {
        problem: &problem,
        cache: HashMap::new(),
        refused: 0,
    };
    let mut evaluations = 0usize;
    let mut best = f64::INFINITY;
    let outcome = nelder_mead::minimize(
        |u: &[f64]| {
            let f = evaluator.objective(&problem.values(u));
            evaluations += 1;
            best = best.min(f);
            progress(Progress {
                evaluations,
                max_evals: options.max_evals,
                objective: f,
                best,
            });
            f
        },
        &unit_start,
        options,
    );

    let fitted = problem.values(&outcome.x);
    let start_sims = evaluator.simulated(&problem.values(&unit_start));
    let fitted_sims = evaluator.simulated(&fitted);
    let targets = file
        .target
        .iter()
        .zip(start_sims.iter().zip(&fitted_sims))
        .map(|(t, (&s0, &s))| TargetFit {
            target: t.clone(),
            start_simulated: s0,
            simulated: s,
            met: s.is_some_and(|s| (s - t.value).abs() <= t.tolerance),
        })
        .collect();
    // How sharply the targets pin each parameter down: the objective with it moved by
    // PROFILE_STEP of its range either way, the others at their fitted values.
    let mut fitted_parameters = problem.parameters.clone();
    for (i, p) in fitted_parameters.iter_mut().enumerate() {
        p.fitted = fitted[i];
        let mut moved = |delta: f64| {
            let mut u = outcome.x.clone();
            let before = u[i];
            u[i] = (u[i] + delta).clamp(0.0, 1.0);
            (u[i] != before).then(|| evaluator.objective(&problem.values(&u)))
        };
        p.objective_down = moved(-PROFILE_STEP);
        p.objective_up = moved(PROFILE_STEP);
        p.pinned = [p.objective_down, p.objective_up]
            .iter()
            .flatten()
            .all(|f| *f >= outcome.f + 1.0);
    }
    let start_objective = objective(&file.target, &start_sims);
    // The fitted scenario: the base with the fitted values, without any condition.
    let overrides: Vec<Override> = fitted_parameters
        .iter()
        .map(|p| Override::with_value(&p.path, toml::Value::Float(p.fitted)))
        .collect();
    let scenario = Scenario::from_table(problem.base.clone(), "calibration", &overrides)
        .map_err(|e| CalibrationError(format!("{src}: the fitted values are refused: {e}")))?;
    Ok(Fit {
        name: base.name.clone(),
        target_file: file.source.clone(),
        seed: base.seed,
        parameters: fitted_parameters,
        targets,
        objective: outcome.f,
        start_objective,
        evaluations: outcome.evaluations,
        max_evals: options.max_evals,
        converged: outcome.converged,
        x_tolerance: options.x_tolerance,
        conditions: problem.conditions.len(),
        refused: evaluator.refused,
        warnings,
        scenario,
    })
}

/// Why the starting point is refused, naming the parameter or condition at fault.
fn start_error(
    src: &str,
    file: &TargetFile,
    condition: &[String],
    e: ScenarioError,
) -> CalibrationError {
    if let ScenarioError::Override {
        assignment,
        message,
    } = &e
    {
        let (path, value) = assignment.split_once('=').unwrap_or((assignment, ""));
        let path = path.trim();
        if let Some(i) = file.parameter.iter().position(|p| p.path.trim() == path) {
            return CalibrationError(format!(
                "{src}: field `parameter[{i}].path` = \"{path}\" (at the start value {}): {message}",
                value.trim()
            ));
        }
        let same_condition = |t: &Target| {
            t.condition
                .iter()
                .map(|c| c.trim())
                .eq(condition.iter().map(String::as_str))
        };
        for (i, t) in file.target.iter().enumerate() {
            if !same_condition(t) {
                continue;
            }
            for (k, c) in t.condition.iter().enumerate() {
                if c.parse::<Override>().is_ok_and(|o| o.path() == path) {
                    return CalibrationError(format!(
                        "{src}: field `target[{i}].condition[{k}]` = \"{}\": {message}",
                        c.trim()
                    ));
                }
            }
        }
    }
    CalibrationError(format!("{src}: at the starting values: {e}"))
}
