//! The swept columns' types and cells: one type per swept field, whatever the
//! point, so `sweep.csv` reads the same in every tool.

use super::Plan;
use crate::dtype::{Dtype, exact_float};
use crate::scenario::{ScenarioError, value_at};

impl Plan {
    /// The type of each swept field's column (in `paths` order), the same for every
    /// point so that a reader loads the column with one type: a field varied by
    /// integers alone that is an integer (`customers`) is an int column; one varied by
    /// numbers (integers included, `[0, 0.5, 1]`) or by strings that read as numbers
    /// (`"inf"` for a strength) is a float column; anything else (level names, enums,
    /// a mix of names and numbers) is a string column, each value as it was given.
    /// Whether a field is an integer, a number or text is read from the resolved
    /// scenario of the first point; `base_toml` must have no sweep.
    pub fn dtypes(&self, base_toml: &toml::Table) -> Result<Vec<Dtype>, ScenarioError> {
        let first = self.scenario(base_toml, &self.run(0))?.to_table();
        // A field some point does not use is `NaN` there (not applicable), so an
        // integer field that is idle somewhere is a float column.
        let mut idle_somewhere = vec![false; self.paths.len()];
        for point in 0..self.points.len() as u64 {
            let s = self.scenario(base_toml, &self.run(point * self.replications as u64))?;
            for (k, path) in self.paths.iter().enumerate() {
                idle_somewhere[k] |= s.idle(path).is_some();
            }
        }
        Ok(self
            .paths
            .iter()
            .enumerate()
            .map(|(k, path)| {
                let values = || self.points.iter().map(move |p| &p[k]);
                let resolved = value_at(&first, path);
                let numeric_field = match resolved {
                    Some(toml::Value::Integer(_) | toml::Value::Float(_)) | None => true,
                    // A strength resolves to its level name or "inf": a number either way.
                    Some(toml::Value::String(s)) => s == "inf" || is_strength(path),
                    Some(_) => false,
                };
                let integer_field = matches!(resolved, Some(toml::Value::Integer(_)) | None);
                if integer_field && !idle_somewhere[k] && values().all(toml::Value::is_integer) {
                    Dtype::Int
                } else if numeric_field && values().all(|v| number(v).is_some()) {
                    Dtype::Float
                } else {
                    Dtype::String
                }
            })
            .collect())
    }

    /// The plan with its swept columns typed ([`Plan::dtypes`]), as the writers of a
    /// sweep's files need it; `base_toml` must have no sweep.
    pub fn typed(&self, base_toml: &toml::Table) -> Result<Plan, ScenarioError> {
        Ok(Plan {
            swept: self.dtypes(base_toml)?,
            ..self.clone()
        })
    }

    /// A value as it appears in a CSV cell of a column of type `dtype` (from
    /// [`Plan::dtypes`]): an integer plainly; a number as a float, exactly as given,
    /// with a decimal point (`1.0`) or `inf`; anything else as it was given, strings
    /// unquoted.
    pub fn cell(value: &toml::Value, dtype: Dtype) -> String {
        Plan::cell_at(value, dtype, false)
    }

    /// [`Plan::cell`] at a point that does not use the field (`idle`): `NaN` in a
    /// number column (not applicable: distinct from an empty cell, which is a value
    /// that is undefined, and read as a float by pandas, Polars and DuckDB alike), empty
    /// in a text column.
    pub fn cell_at(value: &toml::Value, dtype: Dtype, idle: bool) -> String {
        if idle {
            return if dtype == Dtype::Float { "NaN" } else { "" }.into();
        }
        match (dtype, value) {
            (Dtype::Float, v) => number(v).map_or_else(String::new, exact_float),
            (_, toml::Value::String(s)) => s.clone(),
            (_, toml::Value::Float(f)) if f.is_infinite() => {
                if *f > 0.0 { "inf" } else { "-inf" }.into()
            }
            (_, other) => other.to_string(),
        }
    }
}

/// Whether the field at `path` is a constraint strength, which takes level names
/// (`none`, `low`, …, `infinite`) for numbers.
fn is_strength(path: &str) -> bool {
    matches!(path, "constraint.r" | "constraint.monopoly")
}

/// A swept value as a number: a TOML number, or a string that reads as one (`"inf"`,
/// `"2.5"`, or a strength's level name: `"strong"` is 2), so that every strength
/// column is numeric and can be an axis.
fn number(value: &toml::Value) -> Option<f64> {
    match value {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => Some(*f),
        toml::Value::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|x| !x.is_nan())
            .or_else(|| crate::scenario::Strength::from_level(s).map(|l| l.value())),
        _ => None,
    }
}
