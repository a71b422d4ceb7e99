//! Unit tests of the scenario: tiny and shipped files, round trips, and the one-line
//! messages of unknown keys, wrong types, syntax errors and `--set` blame.

use super::*;

#[test]
fn tiny_file_is_valid() {
    let s = Scenario::parse("name = \"tiny\"", "t", &[]).unwrap();
    assert_eq!(s.name, "tiny");
    assert_eq!(s.firms.len(), 2);
}

#[test]
fn showcase_parses() {
    Scenario::parse(SHOWCASE, "showcase", &[]).unwrap();
}

#[test]
fn resolved_scenario_round_trips() {
    let s = Scenario::parse(SHOWCASE, "showcase", &[]).unwrap();
    let again = Scenario::parse(&s.to_toml(), "again", &[]).unwrap();
    assert_eq!(s, again);
}

#[test]
fn unknown_key_is_named() {
    let e = Scenario::parse("[[firms]]\nname=\"a\"\nprise = 3", "t", &[]).unwrap_err();
    let m = e.to_string();
    assert!(m.contains("firms[0].prise") || m.contains("prise"), "{m}");
}

#[test]
fn a_partial_weights_table_keeps_the_other_defaults() {
    let s = Scenario::parse("[[segments]]\nvalue_weights = { product = 0.5 }", "t", &[]).unwrap();
    assert_eq!(s.segments[0].value_weights.product, 0.5);
    assert_eq!(s.segments[0].value_weights.service, 0.3);
}

#[test]
fn wrong_type_is_named_in_plain_words() {
    let e = Scenario::parse("periods = \"ten\"", "t", &[]).unwrap_err();
    let m = e.to_string();
    assert!(m.contains("periods") && m.contains("whole number"), "{m}");
    assert!(!m.contains("u32") && !m.ends_with('`'), "{m}");
}

#[test]
fn syntax_errors_are_one_clean_line() {
    let e = Scenario::parse("name = \"x\nperiods = 3", "t", &[]).unwrap_err();
    let m = e.to_string();
    assert!(
        m.contains("TOML") && m.contains("line 1") && !m.contains(" | "),
        "{m}"
    );
    assert_eq!(m.lines().count(), 1);
}

#[test]
fn range_errors_caused_by_set_name_the_set() {
    let o = ["firms.0.failure_rate=2".parse().unwrap()];
    let m = Scenario::parse("", "t", &o).unwrap_err().to_string();
    assert!(
        m.starts_with("--set firms.0.failure_rate=2") && m.contains("[0, 1]"),
        "{m}"
    );
}
