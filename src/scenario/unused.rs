//! Settings a scenario gives that change nothing, and table-shaped fields given as arrays.
//!
//! A setting that changes nothing is a mistake the user cannot see in the results: R set
//! directly in the structural form, switching costs in the reduced form, word-of-mouth
//! reach with no network. Such a setting is refused (or, in a file written for a sweep,
//! whose points may switch forms, reported as a warning), with what to set instead.
//!
//! "Gives" means the user wrote it: the check reads the TOML tree as written (after
//! `--set`), not the resolved scenario, in which every field has a value. The same
//! rules prune the resolved scenario that `scenario.toml` and `validate` show, so a
//! field the scenario does not use is never shown as if it applied, and a resolved file
//! runs again without a complaint.
//!
//! The rules are data: each names the paths that a condition on the scenario makes
//! idle, with the reason and what to set instead, so the check, the pruning and the
//! docs (docs/scenario.md, "Settings that change nothing") follow one list.

use super::{Event, NetworkKind, Scenario};
use crate::scenario::{Aggregate, ConstraintForm};

/// One step of a path in the TOML tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Key {
    Name(&'static str),
    Index(usize),
}

/// A field the scenario gives but does not use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unused {
    /// The field as messages name it: `constraint.r`, `segments[0].switching_costs`.
    pub path: String,
    /// Why it changes nothing, and what to set instead.
    pub why: String,
    keys: Vec<Key>,
}

impl Unused {
    /// Removes this field from a scenario's table, if it is there (list entries such as
    /// events are kept).
    pub fn remove_from(&self, table: &mut toml::Table) {
        remove(table, &self.keys);
    }

    fn new(keys: Vec<Key>, why: &str) -> Unused {
        Unused {
            path: display(&keys),
            why: why.to_string(),
            keys,
        }
    }
}

/// `segments[0].switching_costs`, as serde_path_to_error names fields.
fn display(keys: &[Key]) -> String {
    let mut out = String::new();
    for k in keys {
        match k {
            Key::Name(n) if out.is_empty() => out.push_str(n),
            Key::Name(n) => {
                out.push('.');
                out.push_str(n);
            }
            Key::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

const REDUCED_ONLY: &str = "the structural form (constraint.form = \"structural\") builds R from \
     switching costs, constraint.monopoly, convenience and inertia and ignores constraint.r; \
     set those instead, or constraint.form = \"reduced\" to give R directly";
const STRUCTURAL_ONLY: &str = "the reduced form (constraint.form = \"reduced\", the default) takes R \
     from constraint.r alone; set constraint.r instead, or constraint.form = \"structural\" to \
     build R from switching costs";
const NO_NETWORK: &str = "word_of_mouth.network is \"none\" (the default), so nobody talks; set \
     word_of_mouth.network = \"small_world\" or \"random\" to turn word of mouth on";
const NO_COMPLAINTS: &str = "complaints.rate is 0 (the default), so nobody complains; set \
     complaints.rate above 0 to turn complaints on";
const NO_SURVEY: &str = "survey.every is 0 (the default), so no survey is taken; set survey.every \
     = N to survey every N periods";
const NO_LINES: &str = "no firm lists product lines (firms.N.lines), so there is nothing to \
     aggregate; give a firm `lines` to use them";
const NOT_SOFTMIN: &str = "softness shapes only product_lines.aggregate = \"softmin\"; set that, \
     or leave softness out";

/// The fields of the tables that one switch turns off, the switch left out (a test
/// keeps these lists equal to the structs' fields).
const WORD_OF_MOUTH_KEYS: [&str; 8] = [
    "degree",
    "rewiring",
    "reach",
    "negative_reach",
    "negative_weight",
    "satisfaction_weight",
    "expectation_weight",
    "appeal_weight",
];
const COMPLAINTS_KEYS: [&str; 8] = [
    "threshold",
    "patience",
    "give_up",
    "quick",
    "resolved_lift",
    "quick_lift",
    "unresolved_drop",
    "horizon",
];
const SURVEY_KEYS: [&str; 5] = [
    "sample",
    "response_rate",
    "response_slope",
    "noise",
    "horizon",
];

/// The fields the scenario's own settings make idle, whether or not they are given.
fn candidates(s: &Scenario) -> Vec<Unused> {
    use Key::{Index, Name};
    let mut out = Vec::new();
    match s.constraint.form {
        ConstraintForm::Structural => {
            out.push(Unused::new(
                vec![Name("constraint"), Name("r")],
                REDUCED_ONLY,
            ));
        }
        ConstraintForm::Reduced => {
            for k in [
                "kappa",
                "monopoly",
                "convenience",
                "inertia",
                "relational_growth",
            ] {
                out.push(Unused::new(
                    vec![Name("constraint"), Name(k)],
                    STRUCTURAL_ONLY,
                ));
            }
            for i in 0..s.segments.len() {
                out.push(Unused::new(
                    vec![Name("segments"), Index(i), Name("switching_costs")],
                    STRUCTURAL_ONLY,
                ));
            }
            for (i, e) in s.events.iter().enumerate() {
                if matches!(e, Event::SwitchingCost { .. }) {
                    out.push(Unused::new(
                        vec![Name("events"), Index(i)],
                        &format!(
                            "a switching_cost event changes switching costs: {STRUCTURAL_ONLY}"
                        ),
                    ));
                }
            }
        }
    }
    for (i, f) in s.firms.iter().enumerate() {
        let enters = s
            .events
            .iter()
            .any(|e| matches!(e, Event::Enter { firm, .. } if *firm == f.name));
        if enters {
            out.push(Unused::new(
                vec![Name("firms"), Index(i), Name("initial_share")],
                "the firm enters by an event, so it starts with no customers whatever its \
                 share; leave initial_share out",
            ));
        }
    }
    if s.word_of_mouth.network == NetworkKind::None {
        for k in WORD_OF_MOUTH_KEYS {
            out.push(Unused::new(
                vec![Name("word_of_mouth"), Name(k)],
                NO_NETWORK,
            ));
        }
    }
    if s.complaints.rate == 0.0 {
        out.push(Unused::new(
            vec![Name("satisfaction"), Name("incident_memory")],
            &format!(
                "the incident memory holds complaints' outcomes (a resolution's lift, a \
                 give-up's drop): {NO_COMPLAINTS}"
            ),
        ));
        for k in COMPLAINTS_KEYS {
            out.push(Unused::new(
                vec![Name("complaints"), Name(k)],
                NO_COMPLAINTS,
            ));
        }
        for i in 0..s.firms.len() {
            out.push(Unused::new(
                vec![Name("firms"), Index(i), Name("resolution_rate")],
                NO_COMPLAINTS,
            ));
        }
        for (i, e) in s.events.iter().enumerate() {
            let about_complaints = match e {
                Event::ComplaintPolicy { .. } => true,
                Event::Firm { field, .. } => field == "resolution_rate",
                _ => false,
            };
            if about_complaints {
                out.push(Unused::new(
                    vec![Name("events"), Index(i)],
                    &format!("the event changes complaint handling, but {NO_COMPLAINTS}"),
                ));
            }
        }
    }
    if s.survey.every == 0 {
        for k in SURVEY_KEYS {
            out.push(Unused::new(vec![Name("survey"), Name(k)], NO_SURVEY));
        }
    }
    if s.firms.iter().all(|f| f.lines.is_empty()) {
        out.push(Unused::new(vec![Name("product_lines")], NO_LINES));
    } else if s.product_lines.aggregate != Aggregate::Softmin {
        out.push(Unused::new(
            vec![Name("product_lines"), Name("softness")],
            NOT_SOFTMIN,
        ));
    }
    out
}

fn get<'t>(tree: &'t toml::Table, keys: &[Key]) -> Option<&'t toml::Value> {
    let (Key::Name(first), rest) = keys.split_first()? else {
        return None;
    };
    let mut at = tree.get(*first)?;
    for k in rest {
        at = match (k, at) {
            (Key::Name(n), toml::Value::Table(t)) => t.get(*n)?,
            (Key::Index(i), toml::Value::Array(a)) => a.get(*i)?,
            _ => return None,
        };
    }
    Some(at)
}

/// Removes the field at `keys` from the tree, if it is there.
fn remove(tree: &mut toml::Table, keys: &[Key]) {
    fn walk(value: &mut toml::Value, keys: &[Key]) {
        match (keys, value) {
            ([Key::Name(n)], toml::Value::Table(t)) => {
                t.remove(*n);
            }
            ([Key::Name(n), rest @ ..], toml::Value::Table(t)) => {
                if let Some(v) = t.get_mut(*n) {
                    walk(v, rest);
                }
            }
            ([Key::Index(i), rest @ ..], toml::Value::Array(a)) if !rest.is_empty() => {
                if let Some(v) = a.get_mut(*i) {
                    walk(v, rest);
                }
            }
            _ => {}
        }
    }
    let mut root = toml::Value::Table(std::mem::take(tree));
    walk(&mut root, keys);
    if let toml::Value::Table(t) = root {
        *tree = t;
    }
}

impl Scenario {
    /// The fields `tree` (the scenario as written, after `--set`) gives that this
    /// scenario does not use.
    pub fn unused_in(&self, tree: &toml::Table) -> Vec<Unused> {
        candidates(self)
            .into_iter()
            .filter(|u| get(tree, &u.keys).is_some())
            .collect()
    }

    /// Whether the field at the dotted `path` (as `--set` writes it) is one this scenario
    /// does not use, and why: for paths a sweep varies or a calibration fits.
    pub fn idle(&self, path: &str) -> Option<Unused> {
        let o = super::Override::with_value(path, toml::Value::Integer(0));
        candidates(self).into_iter().find(|u| o.touches(&u.path))
    }

    /// Warnings about what the scenario's numbers became: shares that do not sum to 1
    /// are normalised, which is not always what the writer meant (0.9 and 0.4 give
    /// 69% and 31%). Shares left at their default (1 each, equal shares) are silent.
    pub fn warnings(&self) -> Vec<String> {
        let entering: Vec<&str> = self
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Enter { firm, .. } => Some(firm.as_str()),
                _ => None,
            })
            .collect();
        let firms: Vec<(&str, f64)> = self
            .firms
            .iter()
            .filter(|f| !entering.contains(&f.name.as_str()))
            .map(|f| (f.name.as_str(), f.initial_share))
            .collect();
        let segments: Vec<(&str, f64)> = self
            .segments
            .iter()
            .map(|g| (g.name.as_str(), g.share))
            .collect();
        [
            ("firms[*].initial_share", firms),
            ("segments[*].share", segments),
        ]
        .into_iter()
        .filter_map(|(path, shares)| normalised(path, &shares))
        .collect()
    }

    /// Every field this scenario's own settings make idle, given or not.
    pub fn idle_fields(&self) -> Vec<Unused> {
        candidates(self)
    }

    /// Removes from a resolved table the fields this scenario does not use (list
    /// entries such as events are kept: a valid scenario has none that are idle).
    pub(super) fn prune_unused(&self, table: &mut toml::Table) {
        for u in candidates(self) {
            u.remove_from(table);
        }
    }
}

/// "firms[*].initial_share sum to 1.3, not 1: normalised to A 69.2%, B 30.8%".
fn normalised(path: &str, shares: &[(&str, f64)]) -> Option<String> {
    let total: f64 = shares.iter().map(|(_, s)| s).sum();
    let defaults = shares.iter().all(|(_, s)| *s == 1.0);
    if defaults || (total - 1.0).abs() <= 1e-9 || total <= 0.0 {
        return None;
    }
    let became: Vec<String> = shares
        .iter()
        .map(|(name, s)| format!("{} {:.1}%", super::cut(name, 30), 100.0 * s / total))
        .collect();
    Some(format!(
        "{path} sum to {total}, not 1: normalised to {}",
        became.join(", ")
    ))
}

/// The first place where `given` has an array and the resolved scenario a table: serde
/// reads a struct from a sequence by position (`satisfaction = [1, 2]` would set the
/// first two slopes), which no user means.
pub(super) fn array_for_table(given: &toml::Table, resolved: &toml::Table) -> Option<String> {
    fn walk(given: &toml::Value, resolved: &toml::Value, at: &mut Vec<String>) -> Option<String> {
        match (given, resolved) {
            (toml::Value::Array(_), toml::Value::Table(_)) => Some(at.concat()),
            (toml::Value::Table(g), toml::Value::Table(r)) => {
                for (k, v) in g {
                    if let Some(rv) = r.get(k) {
                        at.push(if at.is_empty() {
                            k.clone()
                        } else {
                            format!(".{k}")
                        });
                        let found = walk(v, rv, at);
                        at.pop();
                        if found.is_some() {
                            return found;
                        }
                    }
                }
                None
            }
            (toml::Value::Array(g), toml::Value::Array(r)) => {
                for (i, (v, rv)) in g.iter().zip(r).enumerate() {
                    at.push(format!("[{i}]"));
                    let found = walk(v, rv, at);
                    at.pop();
                    if found.is_some() {
                        return found;
                    }
                }
                None
            }
            _ => None,
        }
    }
    walk(
        &toml::Value::Table(given.clone()),
        &toml::Value::Table(resolved.clone()),
        &mut Vec::new(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Complaints, Survey, WordOfMouth};

    fn fields<T: serde::Serialize>(value: &T, switch: &str) -> Vec<String> {
        let toml::Value::Table(t) = toml::Value::try_from(value).unwrap() else {
            panic!("a struct serialises to a table")
        };
        let mut keys: Vec<String> = t.keys().filter(|k| *k != switch).cloned().collect();
        keys.sort();
        keys
    }

    fn sorted(keys: &[&str]) -> Vec<String> {
        let mut k: Vec<String> = keys.iter().map(|s| s.to_string()).collect();
        k.sort();
        k
    }

    #[test]
    fn the_key_lists_are_the_tables_fields() {
        assert_eq!(
            fields(&WordOfMouth::default(), "network"),
            sorted(&WORD_OF_MOUTH_KEYS)
        );
        assert_eq!(
            fields(&Complaints::default(), "rate"),
            sorted(&COMPLAINTS_KEYS)
        );
        assert_eq!(fields(&Survey::default(), "every"), sorted(&SURVEY_KEYS));
    }

    fn tree(text: &str) -> toml::Table {
        text.parse().unwrap()
    }

    #[test]
    fn given_fields_that_the_form_ignores_are_found() {
        let t = tree("[constraint]\nform = \"structural\"\nr = \"inf\"");
        let s = Scenario::from_table(t.clone(), "t", &[]).unwrap();
        let u = s.unused_in(&t);
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].path, "constraint.r");
        let t = tree("[[segments]]\nswitching_costs = { procedural = 1.0 }");
        let s = Scenario::from_table(t.clone(), "t", &[]).unwrap();
        assert_eq!(s.unused_in(&t)[0].path, "segments[0].switching_costs");
    }

    #[test]
    fn pruning_removes_what_the_form_ignores_and_nothing_else() {
        let s = Scenario::default();
        let mut t = s.to_table();
        s.prune_unused(&mut t);
        assert!(!t["constraint"].as_table().unwrap().contains_key("kappa"));
        assert!(t["constraint"].as_table().unwrap().contains_key("r"));
        assert!(
            !t["segments"].as_array().unwrap()[0]
                .as_table()
                .unwrap()
                .contains_key("switching_costs")
        );
        assert!(s.unused_in(&t).is_empty());
        assert_eq!(Scenario::from_table(t, "t", &[]).unwrap(), s);
    }

    #[test]
    fn an_array_where_a_table_belongs_is_found() {
        let s = Scenario::default();
        let given = tree("satisfaction = [1, 2]");
        assert_eq!(
            array_for_table(&given, &s.to_table()).as_deref(),
            Some("satisfaction")
        );
        let given = tree("[[firms]]\nvalue = [1, 2, 3, 4]");
        assert_eq!(
            array_for_table(&given, &s.to_table()).as_deref(),
            Some("firms[0].value")
        );
        assert_eq!(array_for_table(&tree("periods = 3"), &s.to_table()), None);
    }
}
