//! The checks a `[sweep]` table must pass before it is resolved, each naming the
//! field: kept apart from the resolving so the refusals and their limits read as one list.

use super::{Design, MAX_RUNS, Plan, Sweep, Vary, VaryScale, points_per_sample};
use crate::scenario::ScenarioError;

impl Plan {
    /// The checks of the spec's fields, each naming the field.
    fn check_spec(sweep: &Sweep) -> Result<(), ScenarioError> {
        if sweep.vary.is_empty() {
            return Err(invalid(
                "sweep.vary",
                "[]",
                "at least one field to vary: [[sweep.vary]] path = \"constraint.r\", values = [...]",
            ));
        }
        if sweep.replications == 0 {
            return Err(invalid("sweep.replications", 0, "at least 1"));
        }
        let sampled = sweep.design.sampled();
        if sampled && sweep.samples == 0 {
            return Err(invalid("sweep.samples", 0, "at least 1 point"));
        }
        Plan::check_sensitivity(sweep)?;
        let mut paths = Vec::new();
        for (i, v) in sweep.vary.iter().enumerate() {
            let at = |f: &str| format!("sweep.vary[{i}].{f}");
            if v.path.trim().is_empty() {
                return Err(invalid(
                    &at("path"),
                    "\"\"",
                    "a dotted path such as constraint.r",
                ));
            }
            if paths.contains(&v.path) {
                return Err(invalid(&at("path"), &v.path, "a path not varied twice"));
            }
            if v.path.trim() == "seed" {
                // Each run's seed is derived from the scenario's and the run's index.
                return Err(invalid(
                    &at("path"),
                    &v.path,
                    "a field other than seed, which would change nothing: every run's seed \
                     is derived from the scenario's seed; for more seeds per point raise \
                     sweep.replications, for other seeds set seed",
                ));
            }
            paths.push(v.path.clone());
            match (&v.values, v.from, v.to) {
                (Some(values), None, None) => {
                    if values.is_empty() {
                        return Err(invalid(&at("values"), "[]", "at least one value"));
                    }
                }
                (None, Some(from), Some(to)) => {
                    if !from.is_finite() || !to.is_finite() || from > to {
                        return Err(invalid(
                            &at("from"),
                            format!("{from} to {to}"),
                            "finite numbers with from <= to",
                        ));
                    }
                    if !sampled && v.steps.unwrap_or(0) < 1 {
                        return Err(invalid(
                            &at("steps"),
                            v.steps.unwrap_or(0),
                            "at least 1 value for a grid or zip over a range",
                        ));
                    }
                }
                _ => {
                    return Err(invalid(
                        &at("values"),
                        "neither or both of values and from/to",
                        "either `values = [...]` or `from` and `to` (with `steps` for grid and zip)",
                    ));
                }
            }
        }
        Ok(())
    }

    /// The checks of a sensitivity design's fields.
    fn check_sensitivity(sweep: &Sweep) -> Result<(), ScenarioError> {
        use crate::sensitivity::sobol;
        let defaults = Sweep::default();
        if !sweep.design.is_sensitivity() {
            if sweep.levels != defaults.levels {
                return Err(invalid(
                    "sweep.levels",
                    sweep.levels,
                    "no levels: only design = \"morris\" has levels",
                ));
            }
            if sweep.second_order {
                return Err(invalid(
                    "sweep.second_order",
                    true,
                    "false: only design = \"sobol\" has second-order indices",
                ));
            }
            if sweep.metrics != defaults.metrics {
                return Err(invalid(
                    "sweep.metrics",
                    format!("{:?}", sweep.metrics),
                    "no metrics: only the sensitivity designs (morris, sobol) analyse metrics; \
                     every sweep writes them all",
                ));
            }
        }
        for (i, v) in sweep.vary.iter().enumerate() {
            let at = |f: &str| format!("sweep.vary[{i}].{f}");
            if v.group.is_some() && sweep.design != Design::Morris {
                return Err(invalid(
                    &at("group"),
                    v.group.as_deref().unwrap_or(""),
                    "no group: groups belong to design = \"morris\"",
                ));
            }
            if v.scale == VaryScale::Log {
                if !sweep.design.sampled() {
                    return Err(invalid(
                        &at("scale"),
                        "log",
                        "uniform: a log scale spreads the draws of random, latin_hypercube, morris and sobol designs",
                    ));
                }
                if v.from.is_some_and(|f| f <= 0.0) {
                    return Err(invalid(
                        &at("from"),
                        v.from.unwrap_or(0.0),
                        "a number > 0 for scale = \"log\"",
                    ));
                }
            }
            if sweep.design.is_sensitivity() && (v.values.is_some() || v.steps.is_some()) {
                return Err(invalid(
                    &at(if v.values.is_some() {
                        "values"
                    } else {
                        "steps"
                    }),
                    "given",
                    "a range `from` and `to` alone: a sensitivity design places its own points",
                ));
            }
            if sweep.design.is_sensitivity() && v.from.is_some() && v.from == v.to {
                return Err(invalid(
                    &at("to"),
                    v.to.unwrap_or(0.0),
                    "a value above `from`: a factor must vary",
                ));
            }
        }
        // The names are checked against the metric table by
        // `crate::sweep::sensitivity::check_metrics`, one layer up, where it is known.
        if sweep.design.is_sensitivity() && sweep.metrics.is_empty() {
            return Err(invalid("sweep.metrics", "[]", "at least one metric"));
        }
        match sweep.design {
            Design::Morris => {
                if sweep.levels < 2 || sweep.levels % 2 == 1 || sweep.levels > 1000 {
                    return Err(invalid(
                        "sweep.levels",
                        sweep.levels,
                        "an even number of levels from 2 to 1000 (4 is usual)",
                    ));
                }
                if sweep.samples < 2 {
                    return Err(invalid(
                        "sweep.samples",
                        sweep.samples,
                        "at least 2 trajectories (σ needs two; 10 to 50 are usual)",
                    ));
                }
            }
            Design::Sobol => {
                if sweep.vary.len() > sobol::MAX_FACTORS {
                    return Err(invalid(
                        "sweep.vary",
                        format!("{} factors", sweep.vary.len()),
                        &format!("at most {} factors", sobol::MAX_FACTORS),
                    ));
                }
                let n = sweep.samples as usize;
                if n > sobol::MAX_SAMPLES || !n.is_power_of_two() || n < 2 {
                    return Err(invalid(
                        "sweep.samples",
                        n,
                        &format!(
                            "a power of two from 2 to {} base samples (Sobol' points are balanced in powers of two; 512 to 4096 are usual)",
                            sobol::MAX_SAMPLES
                        ),
                    ));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The number of points of a sweep, from the lengths of its lists alone, after the
    /// checks of its fields that [`Plan::new`] makes: refused when its runs would exceed [`MAX_RUNS`]
    /// (a range's `steps` or a design's `samples` may ask for billions), or when a zip's
    /// lists differ in length. Nothing is allocated, so a plan of a hundred billion
    /// points is refused at once rather than after filling the memory.
    pub fn size(sweep: &Sweep) -> Result<u64, ScenarioError> {
        Plan::check_spec(sweep)?;
        let reps = sweep.replications.max(1) as u128;
        let limit = MAX_RUNS as u128;
        let lengths: Vec<u128> = sweep.vary.iter().map(|v| list_length(v) as u128).collect();
        // The field named in the message: the one that alone exceeds the limit, if any.
        let field = |i: usize| {
            let v = &sweep.vary[i];
            let what = if v.values.is_some() {
                "values"
            } else {
                "steps"
            };
            format!("sweep.vary[{i}].{what}")
        };
        let too_many = |path: &str, value: String| {
            invalid(
                path,
                value,
                &format!(
                    "at most {MAX_RUNS} runs (points × sweep.replications = {})",
                    sweep.replications
                ),
            )
        };
        let points = match sweep.design {
            Design::Grid | Design::Zip => {
                if let Some(i) = lengths.iter().position(|&n| n * reps > limit) {
                    return Err(too_many(&field(i), lengths[i].to_string()));
                }
                if sweep.design == Design::Zip {
                    let n = lengths[0];
                    if let Some(i) = lengths.iter().position(|&l| l != n) {
                        return Err(invalid(
                            &format!("sweep.vary[{i}]"),
                            format!("{} values", lengths[i]),
                            &format!("{n} values, as many as sweep.vary[0] (a zip pairs them up)"),
                        ));
                    }
                    n
                } else {
                    // Each factor is at most MAX_RUNS, so the product saturates rather
                    // than overflows before it is compared.
                    let total = lengths
                        .iter()
                        .fold(1u128, |t, &n| t.saturating_mul(n).min(limit + 1));
                    if total * reps > limit {
                        let factors: Vec<String> = lengths.iter().map(u128::to_string).collect();
                        return Err(too_many(
                            "sweep.vary",
                            format!("{} points", factors.join(" × ")),
                        ));
                    }
                    total
                }
            }
            Design::Random | Design::LatinHypercube | Design::Morris | Design::Sobol => {
                let per = points_per_sample(sweep) as u128;
                let n = sweep.samples as u128 * per;
                if n * reps > limit {
                    return Err(too_many(
                        "sweep.samples",
                        format!("{} ({n} points)", sweep.samples),
                    ));
                }
                n
            }
        };
        if points * reps > limit {
            return Err(too_many(
                "sweep.replications",
                sweep.replications.to_string(),
            ));
        }
        Ok(points as u64)
    }

    /// About how many bytes [`Plan::new`] takes for a sweep of `points` points (from
    /// [`Plan::size`]), before it takes them: the points' values, and the lists or the
    /// sampled positions they are made from.
    pub fn estimate_bytes(sweep: &Sweep, points: u64) -> u64 {
        let value = std::mem::size_of::<toml::Value>() as u128;
        let fields = sweep.vary.len() as u128;
        // A point's values grow by pushing: at least four of them are allocated.
        let point = std::mem::size_of::<Vec<toml::Value>>() as u128 + fields.max(4) * value;
        let made_from = match sweep.design {
            // The grid is built field by field: the last stage and the one before it.
            Design::Grid | Design::Zip => {
                sweep
                    .vary
                    .iter()
                    .map(|v| list_length(v) as u128)
                    .sum::<u128>()
                    * value
                    + points as u128 * point
            }
            Design::Random | Design::LatinHypercube | Design::Morris | Design::Sobol => {
                (fields + 1)
                    * sweep.samples as u128
                    * points_per_sample(sweep) as u128
                    * std::mem::size_of::<f64>() as u128
            }
        };
        (points as u128 * point + made_from).min(u64::MAX as u128) as u64
    }
}

/// How many values [`listed_values`] gives a field, without making them.
fn list_length(v: &Vary) -> u64 {
    match &v.values {
        Some(values) => values.len() as u64,
        None => v.steps.unwrap_or(1) as u64,
    }
}

fn invalid(path: &str, value: impl ToString, expected: &str) -> ScenarioError {
    ScenarioError::Invalid {
        source_name: "sweep".into(),
        path: path.to_string(),
        value: value.to_string(),
        expected: expected.to_string(),
    }
}
