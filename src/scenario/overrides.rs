//! `--set PATH=VALUE`: override any scenario field by dotted path.
//!
//! Overrides act on the parsed TOML tree before it is turned into a [`Scenario`], so a
//! wrong path or a wrong type is caught by the same checks as a wrong file, and the
//! message can say which `--set` caused it. Paths name table keys and array indices
//! (`firms.0.price`); an array the file leaves to its default (no `[[firms]]` at all) is
//! filled in from the defaults first, so `--set firms.0.price=4.5` works on a tiny file.

use super::{Scenario, ScenarioError};
use std::fmt;
use std::str::FromStr;

/// One `PATH=VALUE` assignment.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    path: Vec<Step>,
    raw_path: String,
    raw_value: String,
    value: toml::Value,
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

impl FromStr for Override {
    type Err = ScenarioError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |message: &str| ScenarioError::Override {
            assignment: s.to_string(),
            message: message.to_string(),
        };
        let (raw_path, raw_value) = s
            .split_once('=')
            .ok_or_else(|| bad("expected PATH=VALUE, e.g. constraint.r=inf"))?;
        let raw_path = raw_path.trim();
        if raw_path.is_empty() {
            return Err(bad("the path before `=` is empty"));
        }
        let mut path = Vec::new();
        for part in raw_path.split('.') {
            if part.is_empty() {
                return Err(bad(
                    "the path has an empty part (two dots, or a dot at an end)",
                ));
            }
            path.push(match part.parse::<usize>() {
                Ok(i) => Step::Index(i),
                Err(_) => Step::Key(part.to_string()),
            });
        }
        if matches!(path[0], Step::Index(_)) {
            return Err(bad("a path starts with a field name, not an index"));
        }
        Ok(Override {
            path,
            raw_path: raw_path.to_string(),
            raw_value: raw_value.to_string(),
            value: parse_value(raw_value.trim()),
        })
    }
}

/// The value at a dotted path (`firms.0.price`: keys, and indices into arrays) of a
/// scenario's TOML tree, if there is one. The one reading of a dotted path, as `--set`
/// writes it, for those that read a value back (the sweep plan, calibration).
pub fn value_at<'a>(table: &'a toml::Table, path: &str) -> Option<&'a toml::Value> {
    let mut parts = path.split('.');
    let mut node = table.get(parts.next()?)?;
    for part in parts {
        node = match node {
            toml::Value::Table(t) => t.get(part)?,
            toml::Value::Array(a) => a.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

/// Whether two dotted paths name the same field or one lies inside the other
/// (`constraint` and `constraint.r`; not `firms.1` and `firms.10`).
pub fn paths_overlap(a: &str, b: &str) -> bool {
    let below = |x: &str, y: &str| x == y || x.starts_with(&format!("{y}."));
    below(a, b) || below(b, a)
}

/// A TOML value (`4.5`, `inf`, `true`, `[1, 2]`, `"text"`), or else the bare text as a
/// string, so that `constraint.r=strong` needs no quotes.
fn parse_value(text: &str) -> toml::Value {
    let doc = format!("v = {text}");
    match doc.parse::<toml::Table>() {
        Ok(mut t) if t.len() == 1 => t.remove("v").expect("the key just written"),
        _ => toml::Value::String(text.to_string()),
    }
}

impl fmt::Display for Override {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.raw_path, self.raw_value)
    }
}

impl Override {
    /// An override of `path` with a value already parsed (a sweep point).
    pub fn with_value(path: &str, value: toml::Value) -> Override {
        let shown = match &value {
            toml::Value::String(s) => s.clone(),
            v => v.to_string(),
        };
        let mut o: Override = format!("{path}=0").parse().unwrap_or_else(|_| Override {
            path: vec![Step::Key(path.to_string())],
            raw_path: path.to_string(),
            raw_value: String::new(),
            value: toml::Value::Integer(0),
        });
        o.raw_value = shown;
        o.value = value;
        o
    }

    /// A seed override, as `--seed N` gives.
    pub fn seed(seed: u64) -> Override {
        format!("seed={seed}").parse().expect("a valid assignment")
    }

    /// The dotted path as the user wrote it.
    pub fn path(&self) -> &str {
        &self.raw_path
    }

    /// Whether a deserialisation error at `error_path` (as serde_path_to_error prints
    /// it, `firms[0].price`) lies on this override's path: at, below, or above it.
    pub(super) fn touches(&self, error_path: &str) -> bool {
        let below = |a: &str, b: &str| {
            a == b || a.starts_with(&format!("{b}.")) || a.starts_with(&format!("{b}["))
        };
        let mine = self.display_path();
        below(error_path, &mine) || below(&mine, error_path)
    }

    fn display_path(&self) -> String {
        let mut out = String::new();
        for step in &self.path {
            match step {
                Step::Key(k) if out.is_empty() => out.push_str(k),
                Step::Key(k) => {
                    out.push('.');
                    out.push_str(k)
                }
                Step::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }

    /// Writes the value into the tree, creating missing tables on the way.
    pub(super) fn apply(&self, root: &mut toml::Table) -> Result<(), ScenarioError> {
        let fail = |message: String| ScenarioError::Override {
            assignment: self.to_string(),
            message,
        };
        let mut tree = toml::Value::Table(std::mem::take(root));
        let result = write_at(&mut tree, &self.path, &self.value, &mut Vec::new());
        if let toml::Value::Table(t) = tree {
            *root = t;
        }
        result.map_err(fail)
    }
}

fn write_at(
    node: &mut toml::Value,
    path: &[Step],
    value: &toml::Value,
    walked: &mut Vec<String>,
) -> Result<(), String> {
    let (step, rest) = path.split_first().expect("paths are never empty");
    let here = if walked.is_empty() {
        "the scenario".to_string()
    } else {
        format!("`{}`", walked.join("."))
    };
    match (step, node) {
        (Step::Key(key), toml::Value::Table(table)) => {
            walked.push(key.clone());
            if rest.is_empty() {
                table.insert(key.clone(), value.clone());
                return Ok(());
            }
            if !table.contains_key(key) {
                // A missing list is filled from the defaults, so its entries can be
                // indexed; a missing table starts empty, since its defaults apply anyway
                // (and a default table could hold fields another variant rejects).
                let fill = match rest[0] {
                    Step::Key(_) => toml::Value::Table(toml::Table::new()),
                    Step::Index(_) => {
                        default_at(walked).unwrap_or_else(|| toml::Value::Array(Vec::new()))
                    }
                };
                table.insert(key.clone(), fill);
            }
            write_at(table.get_mut(key).expect("inserted"), rest, value, walked)
        }
        (Step::Index(i), toml::Value::Array(items)) => {
            let len = items.len();
            walked.push(i.to_string());
            let item = items.get_mut(*i).ok_or_else(|| {
                format!(
                    "index {i} is out of range: {here} has {len} entries (indices 0 to {})",
                    len.saturating_sub(1)
                )
            })?;
            if rest.is_empty() {
                *item = value.clone();
                return Ok(());
            }
            write_at(item, rest, value, walked)
        }
        (Step::Key(key), other) => Err(format!(
            "{here} is {}, not a table, so it has no field `{key}`",
            describe(other)
        )),
        (Step::Index(i), other) => Err(format!(
            "{here} is {}, not a list, so it has no entry {i}",
            describe(other)
        )),
    }
}

/// The default scenario's list at a dotted path, as TOML, each entry cut to its name:
/// the other fields of an entry take their defaults anyway, and a field written into
/// the tree would count as given by the user (and may be one the scenario does not use).
fn default_at(path: &[String]) -> Option<toml::Value> {
    match default_value_at(path)? {
        toml::Value::Array(items) => Some(toml::Value::Array(
            items
                .into_iter()
                .map(|item| match item {
                    toml::Value::Table(mut t) => match t.remove("name") {
                        Some(name) => {
                            toml::Value::Table(toml::Table::from_iter([("name".to_string(), name)]))
                        }
                        None => toml::Value::Table(t),
                    },
                    other => other,
                })
                .collect(),
        )),
        other => Some(other),
    }
}

/// The default scenario's value at a dotted path, as TOML.
fn default_value_at(path: &[String]) -> Option<toml::Value> {
    let mut node = toml::Value::try_from(Scenario::default()).ok()?;
    for key in path {
        node = match node {
            toml::Value::Table(mut t) => t.remove(key)?,
            toml::Value::Array(mut a) => {
                let i: usize = key.parse().ok()?;
                if i < a.len() {
                    a.swap_remove(i)
                } else {
                    return None;
                }
            }
            _ => return None,
        };
    }
    Some(node)
}

fn describe(v: &toml::Value) -> &'static str {
    match v {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) => "an integer",
        toml::Value::Float(_) => "a number",
        toml::Value::Boolean(_) => "a boolean",
        toml::Value::Datetime(_) => "a date",
        toml::Value::Array(_) => "a list",
        toml::Value::Table(_) => "a table",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(text: &str, sets: &[&str]) -> Result<Scenario, ScenarioError> {
        let o: Vec<Override> = sets.iter().map(|s| s.parse().unwrap()).collect();
        Scenario::parse(text, "t", &o)
    }

    #[test]
    fn sets_top_level_nested_and_indexed_fields() {
        let s = set(
            "",
            &[
                "customers=100000",
                "constraint.r=inf",
                "firms.0.price=4.5",
                "name=My market",
            ],
        )
        .unwrap();
        assert_eq!(s.customers, 100_000);
        assert!(s.constraint.r.value().is_infinite());
        assert_eq!(s.firms[0].price, 4.5);
        assert_eq!(s.firms.len(), 2, "defaults filled in, not replaced");
        assert_eq!(s.name, "My market");
    }

    #[test]
    fn switching_the_curve_family_of_a_file_without_loyalty_table() {
        let s = set("", &["loyalty.curve=logistic"]).unwrap();
        assert!(matches!(
            s.loyalty,
            crate::scenario::Loyalty::Logistic { .. }
        ));
    }

    #[test]
    fn level_names_need_no_quotes() {
        let s = set("", &["constraint.r=strong"]).unwrap();
        assert_eq!(s.constraint.r.value(), 2.0);
    }

    #[test]
    fn unknown_path_is_an_error_naming_the_assignment() {
        let e = set("", &["firms.0.prise=4"]).unwrap_err().to_string();
        assert!(
            e.contains("--set firms.0.prise=4") && e.contains("prise"),
            "{e}"
        );
        let e = set("", &["firms.7.price=4"]).unwrap_err().to_string();
        assert!(e.contains("out of range"), "{e}");
        let e = set("periods = 5", &["periods.x=4"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a table"), "{e}");
        let e = set("", &["periods.x=4"]).unwrap_err().to_string();
        assert!(
            e.contains("--set periods.x=4") && e.contains("whole number"),
            "{e}"
        );
        assert!("novalue".parse::<Override>().is_err());
        assert!("a..b=1".parse::<Override>().is_err());
    }

    #[test]
    fn wrong_type_through_set_names_it() {
        let e = set("", &["periods=many"]).unwrap_err().to_string();
        assert!(e.contains("--set periods=many"), "{e}");
    }
}
