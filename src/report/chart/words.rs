//! Words for what varies: field paths and their values as a reader of a paper says them,
//! for the legends, axes and panel titles of the comparison and sweep charts.
//!
//! Fields are given by the dotted paths `--set` takes (`firms.0.price`,
//! `segments.0.switching_costs.procedural`), which are exact but not prose; values by
//! their text in the scenario or the CSV (`none`, `0.0`, `structural`). The rules:
//!
//! - **Firms and segments are named**, from the scenario: `firms.0.price` is "Alpha's
//!   price"; a segment's field carries the segment's name only when there are several
//!   segments ("procedural switching cost of buyers"). An index past the scenario's
//!   lists is said as "firm 3".
//! - **Leaves are words**: a table of the fields that have a name in the literature
//!   (`constraint.r` is "constraint strength R", `switching_costs.procedural` is
//!   "procedural switching cost", `value.service` is "service value"); any other path is
//!   its parts with underscores as spaces (`choice.prospect_rate` → "choice prospect
//!   rate").
//! - **Values are numbers as numbers**: `0.0` → "0", `1000.0` → "1000", `inf` → "∞", at
//!   most three decimals; `true`/`false` → "yes"/"no"; other text with underscores as
//!   spaces.
//! - **Values that name their field say so**: a constraint strength is "R = 0 (none)",
//!   "R = 0.5 (low)", "R = ∞" (level names with their numbers, `scenario::LEVELS`); a
//!   constraint form is "reduced form" or "structural form". Other values are shown
//!   under a heading naming the field, or as "Alpha's price = 3" where no heading does.
//! - **Metrics** are named by the metric table's labels (`report::metrics`) with their
//!   unit: shares in percent, so an axis reads "Retention per period (%)".
//!
//! The words are for display only: files, `--set` and `--chart` keep the paths.

use super::retention_curve::short;
use crate::report::metrics::{self, Unit};
use crate::scenario::{Scenario, Strength};

/// `s` with its first letter in upper case: "procedural switching cost" →
/// "Procedural switching cost".
pub fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The words of a leaf of a path (its last parts), or `None` for one without a name.
fn leaf(parts: &[&str]) -> Option<&'static str> {
    Some(match parts {
        ["constraint", "r"] => "constraint strength R",
        ["constraint", "form"] => "form of the constraint",
        ["constraint", "combine"] => "how R combines with f(CS)",
        ["constraint", "kappa"] => "switching cost per unit of R (κ)",
        ["constraint", "monopoly"] => "R of a monopoly",
        ["constraint", "convenience"] => "convenience",
        ["constraint", "inertia"] => "inertia",
        ["constraint", "relational_growth"] => "periods for relational costs to build",
        ["switching_costs", "procedural"] => "procedural switching cost",
        ["switching_costs", "financial"] => "financial switching cost",
        ["switching_costs", "relational"] => "relational switching cost",
        ["switching_costs", "dispersion"] => "dispersion of switching costs",
        ["value", "product"] => "product value",
        ["value", "service"] => "service value",
        ["value", "personnel"] => "personnel value",
        ["value", "image"] => "image value",
        ["costs", "time"] => "time cost",
        ["costs", "energy"] => "energy cost",
        ["costs", "psychic"] => "psychic cost",
        ["value_weights", "product"] => "weight of product value",
        ["value_weights", "service"] => "weight of service value",
        ["value_weights", "personnel"] => "weight of personnel value",
        ["value_weights", "image"] => "weight of image value",
        ["cost_weights", "money"] => "weight of price",
        ["cost_weights", "time"] => "weight of time cost",
        ["cost_weights", "energy"] => "weight of energy cost",
        ["cost_weights", "psychic"] => "weight of psychic cost",
        ["resolution_rate"] => "complaint resolution rate",
        ["inconsistency"] => "inconsistency",
        ["failure_rate"] => "service failure rate",
        ["failure_severity"] => "severity of a service failure",
        ["initial_share"] => "initial share",
        ["expectation"] => "expectation",
        ["expectation_sd"] => "spread of expectations",
        ["tolerance"] => "zone of tolerance",
        ["tolerance_sd"] => "spread of the zone of tolerance",
        ["loyalty", "curve"] => "loyalty curve",
        ["choice", "beta"] => "sensitivity of choice to value (β)",
        ["choice", "outside_value"] => "value of not buying",
        ["choice", "prospect_rate"] => "share of prospects shopping",
        ["satisfaction", "gain_slope"] => "slope of delight (β+)",
        ["satisfaction", "loss_slope"] => "slope of disappointment (β−)",
        ["satisfaction", "memory"] => "memory of satisfaction (λ)",
        ["word_of_mouth", "network"] => "word-of-mouth network",
        ["complaints", "rate"] => "complaint rate",
        ["customers"] => "customers",
        ["periods"] => "periods",
        ["seed"] => "seed",
        _ => return None,
    })
}

/// `a_b.c_d` → "a b c d".
fn plain(parts: &[&str]) -> String {
    parts.join(" ").replace('_', " ")
}

/// The words for the field at `path`, in lower case where the scenario's names allow:
/// "constraint strength R", "Alpha's price", "procedural switching cost".
pub fn field(path: &str, scenario: &Scenario) -> String {
    let parts: Vec<&str> = path.split('.').collect();
    let rest = |from: usize| {
        let tail = &parts[from.min(parts.len())..];
        leaf(tail).map_or_else(|| plain(tail), str::to_string)
    };
    match parts.as_slice() {
        ["firms", i, _, ..] => {
            let name = i
                .parse::<usize>()
                .ok()
                .and_then(|i| scenario.firms.get(i))
                .map_or_else(|| format!("firm {i}"), |f| f.name.clone());
            format!("{name}'s {}", rest(2))
        }
        ["segments", i, _, ..] => {
            let what = rest(2);
            let name = i
                .parse::<usize>()
                .ok()
                .and_then(|i| scenario.segments.get(i));
            match name {
                Some(_) if scenario.segments.len() == 1 => what,
                Some(s) => format!("{what} of {}", s.name),
                None => format!("{what} of segment {i}"),
            }
        }
        _ => rest(0),
    }
}

/// The words for a value of the field at `path`, alone: "R = 0 (none)", "reduced form",
/// "0.5", "∞".
pub fn value(path: &str, text: &str) -> String {
    let text = text.trim().trim_matches('"');
    if (path == "constraint.r" || path == "constraint.monopoly")
        && let Some(s) = strength(text)
    {
        let r = s.value();
        return match s.level() {
            _ if r.is_infinite() => "R = ∞".into(),
            Some(level) => format!("R = {} ({level})", short(r)),
            None => format!("R = {}", short(r)),
        };
    }
    if path == "constraint.form" {
        match text {
            "reduced" => return "reduced form".into(),
            "structural" => return "structural form".into(),
            _ => {}
        }
    }
    match text {
        "true" => return "yes".into(),
        "false" => return "no".into(),
        _ => {}
    }
    match text.parse::<f64>() {
        Ok(v) if !v.is_nan() => short(v),
        _ => text.replace('_', " "),
    }
}

/// A strength as written: a level name, `inf`, or a number.
fn strength(text: &str) -> Option<Strength> {
    Strength::from_level(text).or_else(|| {
        text.parse::<f64>()
            .ok()
            .filter(|v| !v.is_nan())
            .map(Strength::from_value)
    })
}

/// Whether [`value`] names the field itself ("R = 0.5", "structural form"), so a label
/// needs no "field =" before it.
fn names_its_field(path: &str) -> bool {
    matches!(
        path,
        "constraint.r" | "constraint.monopoly" | "constraint.form"
    )
}

/// A value with its field, for labels without a heading: "R = 0 (none)",
/// "structural form", "Alpha's price = 3".
pub fn labelled(path: &str, text: &str, scenario: &Scenario) -> String {
    if names_its_field(path) {
        value(path, text)
    } else {
        format!("{} = {}", field(path, scenario), value(path, text))
    }
}

/// Whether the field at `path` is part of the constraint R: the constraint's own fields
/// (its form and how it combines set what R is) and the switching costs it is built
/// from in the structural form.
pub fn shapes_constraint(path: &str) -> bool {
    path.starts_with("constraint.") || path.contains(".switching_costs.")
}

/// The metric's axis title with its unit: "Retention per period (%)", "Correlation of
/// CS with staying (Pearson r)"; `None` for a name not in the metric table.
pub fn metric_title(name: &str) -> Option<String> {
    let m = metrics::find(name)?;
    Some(match name {
        "correlation_cs_staying" => "Correlation of CS with staying (Pearson r)".into(),
        "satisfied_defector_share" => "Satisfied defectors (% of defections)".into(),
        "hostage_share" => "Hostages (% of decisions)".into(),
        "mean_r_eff" => "Effective R (run mean)".into(),
        _ => {
            let label = capitalised(m.label);
            match m.unit {
                Unit::Share => format!("{label} (%)"),
                Unit::Count => format!("{label} (count)"),
                Unit::Correlation => format!("{label} (−1 to 1)"),
                Unit::Constraint => label,
                Unit::Satisfaction => format!("{label} (1–5)"),
                Unit::Money => format!("{label} (the scenario's money units)"),
            }
        }
    })
}

/// Whether the metric is a share, drawn in percent.
pub fn is_share(name: &str) -> bool {
    metrics::find(name).is_some_and(|m| m.unit == Unit::Share)
}

/// `s` with its first letter in lower case, for running text ("Correlation of CS" →
/// "correlation of CS").
pub fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The metric's title without its unit: "Retention per period".
pub fn metric_name(name: &str) -> String {
    let title = metric_title(name).unwrap_or_else(|| name.replace('_', " "));
    match title.rsplit_once(" (") {
        Some((head, _)) if !head.is_empty() => head.to_string(),
        _ => title,
    }
}

/// Why the metric has no value at a point or run, for "not shown" notes.
pub fn undefined_because(name: &str) -> &'static str {
    match name {
        "correlation_cs_staying" => "nobody left, so staying does not vary",
        "satisfied_defector_share" => "nobody left",
        "retention_defection_zone" | "retention_indifference_zone" | "retention_affection_zone" => {
            "no decision fell in the zone"
        }
        "mean_r_eff" => "no decision could be damped",
        _ => "no decisions",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario() -> Scenario {
        let text = "name = \"w\"\n[[segments]]\nname = \"buyers\"\n\
                    [[firms]]\nname = \"Alpha\"\n[[firms]]\nname = \"Beta\"\n";
        Scenario::parse(text, "test", &[]).unwrap()
    }

    #[test]
    fn fields_are_said_in_words_with_the_scenario_s_names() {
        let s = scenario();
        assert_eq!(field("firms.0.price", &s), "Alpha's price");
        assert_eq!(field("firms.1.value.service", &s), "Beta's service value");
        assert_eq!(field("firms.7.price", &s), "firm 7's price");
        assert_eq!(
            field("firms.0.resolution_rate", &s),
            "Alpha's complaint resolution rate"
        );
        assert_eq!(
            field("segments.0.switching_costs.procedural", &s),
            "procedural switching cost"
        );
        assert_eq!(field("constraint.r", &s), "constraint strength R");
        assert_eq!(
            field("choice.prospect_rate", &s),
            "share of prospects shopping"
        );
        assert_eq!(field("word_of_mouth.reach", &s), "word of mouth reach");
        let mut two = s.clone();
        two.segments.push(two.segments[0].clone());
        two.segments[1].name = "sellers".into();
        assert_eq!(
            field("segments.1.switching_costs.financial", &two),
            "financial switching cost of sellers"
        );
    }

    #[test]
    fn values_are_numbers_and_levels_say_their_r() {
        assert_eq!(value("constraint.r", "none"), "R = 0 (none)");
        assert_eq!(value("constraint.r", "low"), "R = 0.5 (low)");
        assert_eq!(value("constraint.r", "infinite"), "R = ∞");
        assert_eq!(value("constraint.r", "inf"), "R = ∞");
        assert_eq!(value("constraint.r", "1.5"), "R = 1.5");
        assert_eq!(value("constraint.form", "structural"), "structural form");
        assert_eq!(value("firms.0.price", "3.0"), "3");
        assert_eq!(value("firms.0.price", "0.125"), "0.125");
        assert_eq!(value("segments.0.switching_costs.procedural", "inf"), "∞");
        assert_eq!(value("loyalty.curve", "zones"), "zones");
        assert_eq!(value("x", "latin_hypercube"), "latin hypercube");
        assert_eq!(value("x", "true"), "yes");
        let s = scenario();
        assert_eq!(labelled("firms.0.price", "3.0", &s), "Alpha's price = 3");
        assert_eq!(labelled("constraint.r", "strong", &s), "R = 2 (strong)");
    }

    #[test]
    fn metrics_have_titles_with_units() {
        assert_eq!(
            metric_title("retention").as_deref(),
            Some("Retention per period (%)")
        );
        assert_eq!(
            metric_title("profit").as_deref(),
            Some("Profit (the scenario's money units)")
        );
        assert_eq!(metric_title("nonsense"), None);
        assert_eq!(metric_name("hostage_share"), "Hostages");
        assert!(is_share("hostage_share") && !is_share("profit"));
        for m in metrics::run() {
            assert!(metric_title(m.name).is_some_and(|t| !t.is_empty()));
        }
    }

    #[test]
    fn the_constraint_s_fields_are_told_apart() {
        assert!(shapes_constraint("constraint.r"));
        assert!(shapes_constraint("segments.2.switching_costs.relational"));
        assert!(!shapes_constraint("firms.0.price"));
    }
}
