//! Unit tests of validation: each range error names the field, the value and what
//! was expected.

use super::super::Scenario;

fn err(text: &str) -> String {
    Scenario::parse(text, "t", &[]).unwrap_err().to_string()
}

#[test]
fn each_range_error_names_field_value_and_expectation() {
    let e = err("[[firms]]\nfailure_rate = 1.5");
    assert!(
        e.contains("firms[0].failure_rate") && e.contains("1.5") && e.contains("[0, 1]"),
        "{e}"
    );
    let e = err("[[firms]]\ninconsistency = -1");
    assert!(
        e.contains("firms[0].inconsistency") && e.contains("-1"),
        "{e}"
    );
    assert!(err("customers = 0").contains("customers"));
    assert!(err("periods = 0").contains("periods"));
    let e = err("[loyalty]\ncurve = \"zones\"\nbreakpoints = [4.0, 2.0]");
    assert!(
        e.contains("loyalty.breakpoints") && e.contains("increasing"),
        "{e}"
    );
    let e = err("[loyalty]\ncurve = \"table\"\npoints = [[1, 0.5], [2, 0.3]]");
    assert!(
        e.contains("loyalty.points") && e.contains("non-decreasing"),
        "{e}"
    );
    let e = err("[constraint]\nr = -1");
    assert!(e.contains("constraint.r"), "{e}");
    let e = err("[[firms]]\nname = \"a\"\n[[firms]]\nname = \"a\"");
    assert!(e.contains("firms[1].name"), "{e}");
}
