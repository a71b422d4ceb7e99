//! What differs between several runs: their scenarios compared field by field, so that
//! comparison charts label each run by what was varied (`constraint.r = strong`) rather
//! than by its folder.
//!
//! Fields are found by the dotted paths `--set` takes (`firms.0.price`) and labelled in
//! a reader's words (`words`: "Alpha's price", "R = 0 (none)"). The scenario's `name`
//! and `description` are left out: they name a run, they do not vary the market.

use super::results::RunFolder;
use super::thousands;
use super::words;
use crate::scenario::Strength;
use std::collections::{BTreeMap, BTreeSet};

/// At most this many differing fields go into a label; beyond, folder names are used.
const MAX_FIELDS_IN_LABEL: usize = 2;

/// The fields that differ between runs and what each run has in them.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Dotted paths of the fields that differ, in path order.
    pub fields: Vec<String>,
    /// The differing fields in words ("Alpha's price"), in `fields` order.
    pub names: Vec<String>,
    /// `values[run][field]`: each run's value of each differing field, as text.
    pub values: Vec<Vec<String>>,
    /// Each run's label for legends, in words.
    pub labels: Vec<String>,
    /// What the labels are values of, when one field differs (for the legend heading).
    pub heading: Option<String>,
}

impl Comparison {
    pub fn of(runs: &[RunFolder]) -> Comparison {
        let flat: Vec<BTreeMap<String, String>> = runs
            .iter()
            .map(|r| {
                let mut leaves = BTreeMap::new();
                if let Ok(value) = toml::Value::try_from(&r.scenario) {
                    flatten("", &value, &mut leaves);
                }
                leaves.remove("name");
                leaves.remove("description");
                leaves
            })
            .collect();
        let all: BTreeSet<&String> = flat.iter().flat_map(|m| m.keys()).collect();
        let missing = "—".to_string();
        let fields: Vec<String> = all
            .into_iter()
            .filter(|k| {
                let first = flat[0].get(*k).unwrap_or(&missing);
                flat.iter().any(|m| m.get(*k).unwrap_or(&missing) != first)
            })
            .cloned()
            .collect();
        let values: Vec<Vec<String>> = flat
            .iter()
            .map(|m| {
                fields
                    .iter()
                    .map(|f| m.get(f).unwrap_or(&missing).clone())
                    .collect()
            })
            .collect();
        let scenario = runs.first().map(|r| r.scenario.clone()).unwrap_or_default();
        let names: Vec<String> = fields
            .iter()
            .map(|f| words::capitalised(&words::field(f, &scenario)))
            .collect();
        let (labels, heading) = match fields.len() {
            1 => (
                values
                    .iter()
                    .map(|v| words::value(&fields[0], &v[0]))
                    .collect(),
                Some(names[0].clone()),
            ),
            n if n >= 2 && n <= MAX_FIELDS_IN_LABEL => (
                values
                    .iter()
                    .map(|v| {
                        fields
                            .iter()
                            .zip(v)
                            .map(|(f, v)| words::labelled(f, v, &scenario))
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .collect(),
                None,
            ),
            _ => (runs.iter().map(RunFolder::folder_name).collect(), None),
        };
        Comparison {
            fields,
            names,
            values,
            labels,
            heading,
        }
    }

    /// [`Comparison::levels`] of field `f` in words: "R = 0 (none)", "3".
    pub fn level_words(&self, f: usize) -> Vec<String> {
        self.levels(f)
            .iter()
            .map(|v| words::value(&self.fields[f], v))
            .collect()
    }

    /// "4 runs of competitive · seed 1 · 100,000 customers · 40 periods"; what varies
    /// between the runs is said as "seeds vary".
    pub fn subtitle(&self, runs: &[RunFolder]) -> String {
        fn common<T: PartialEq + Clone>(items: impl Iterator<Item = T>) -> Option<T> {
            let items: Vec<T> = items.collect();
            let first = items.first()?.clone();
            items.iter().all(|i| *i == first).then_some(first)
        }
        let names: Vec<&str> = runs.iter().fold(Vec::new(), |mut v, r| {
            if !v.contains(&r.summary.name.as_str()) {
                v.push(&r.summary.name);
            }
            v
        });
        let mut parts = vec![format!(
            "{} runs of {}",
            runs.len(),
            if names.len() <= 3 {
                names.join(", ")
            } else {
                format!("{} scenarios", names.len())
            }
        )];
        parts.push(match common(runs.iter().map(|r| r.summary.seed)) {
            Some(s) => format!("seed {s}"),
            None => "seeds vary".into(),
        });
        parts.push(match common(runs.iter().map(|r| r.summary.customers)) {
            Some(c) => format!("{} customers", thousands(c)),
            None => "customers vary".into(),
        });
        parts.push(match common(runs.iter().map(|r| r.summary.periods)) {
            Some(p) => format!("{p} periods"),
            None => "periods vary".into(),
        });
        parts.join(" · ")
    }

    /// Run indices in the order of the differing fields' values (numbers by size, see
    /// [`Comparison::levels`]), first field first; ties keep the given order.
    pub fn order(&self) -> Vec<usize> {
        let levels: Vec<Vec<String>> = (0..self.fields.len()).map(|f| self.levels(f)).collect();
        let rank = |run: usize| -> Vec<usize> {
            levels
                .iter()
                .enumerate()
                .map(|(f, l)| {
                    l.iter()
                        .position(|v| *v == self.values[run][f])
                        .unwrap_or(0)
                })
                .collect()
        };
        let mut order: Vec<usize> = (0..self.values.len()).collect();
        order.sort_by_key(|&run| rank(run));
        order
    }

    /// The distinct values of field `f`, in the order of their numbers where every value
    /// is one (a constraint level counts as its R), otherwise in order of appearance.
    pub fn levels(&self, f: usize) -> Vec<String> {
        let mut levels: Vec<String> = Vec::new();
        for v in &self.values {
            if !levels.contains(&v[f]) {
                levels.push(v[f].clone());
            }
        }
        if levels.iter().all(|l| numeric(l).is_some()) {
            levels.sort_by(|a, b| {
                numeric(a)
                    .unwrap_or(0.0)
                    .total_cmp(&numeric(b).unwrap_or(0.0))
            });
        }
        levels
    }
}

/// The number a field's text stands for: a number, `inf`, or a constraint level.
pub fn numeric(value: &str) -> Option<f64> {
    value
        .parse::<f64>()
        .ok()
        .filter(|v| !v.is_nan())
        .or_else(|| Strength::from_level(value).map(Strength::value))
}

fn flatten(prefix: &str, value: &toml::Value, out: &mut BTreeMap<String, String>) {
    let path = |key: &str| {
        if prefix.is_empty() {
            key.to_string()
        } else {
            format!("{prefix}.{key}")
        }
    };
    match value {
        toml::Value::Table(t) => {
            for (k, v) in t {
                flatten(&path(k), v, out);
            }
        }
        toml::Value::Array(items) if items.iter().any(|i| i.is_table()) => {
            for (i, v) in items.iter().enumerate() {
                flatten(&path(&i.to_string()), v, out);
            }
        }
        toml::Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_numbers_sort_together() {
        assert_eq!(numeric("strong"), Some(2.0));
        assert_eq!(numeric("0.25"), Some(0.25));
        assert_eq!(numeric("inf"), Some(f64::INFINITY));
        assert_eq!(numeric("zones"), None);
    }

    #[test]
    fn runs_are_ordered_by_the_values_that_differ() {
        let c = Comparison {
            fields: vec!["constraint.r".into()],
            names: vec!["Constraint strength R".into()],
            values: ["strong", "none", "inf", "0.5"]
                .iter()
                .map(|v| vec![v.to_string()])
                .collect(),
            labels: Vec::new(),
            heading: None,
        };
        assert_eq!(c.levels(0), ["none", "0.5", "strong", "inf"]);
        assert_eq!(c.order(), [1, 3, 0, 2]);
    }

    #[test]
    fn nested_tables_and_lists_flatten_to_set_paths() {
        let v: toml::Value = toml::from_str(
            "seed = 1\n[constraint]\nr = \"low\"\n[[firms]]\nprice = 3.0\n[loyalty]\nbreakpoints = [2.5, 4.0]",
        )
        .unwrap();
        let mut out = BTreeMap::new();
        flatten("", &v, &mut out);
        assert_eq!(out["constraint.r"], "low");
        assert_eq!(out["firms.0.price"], "3.0");
        assert_eq!(out["seed"], "1");
        assert_eq!(out["loyalty.breakpoints"], "[2.5, 4.0]");
    }
}
