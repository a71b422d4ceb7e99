//! The counting of the page and the command: a stated departure is never counted as
//! met, claims and rows that hold by construction are counted and listed apart.

use super::*;

fn no_run(_: &mut Lab) -> Result<Vec<Row>, LabError> {
    Ok(Vec::new())
}

static CHECK: Check = Check {
    id: "made_up",
    title: "A made-up check",
    source: "nobody",
    scenario: "made_up.toml",
    run: no_run,
};

fn estimate(mean: f64) -> Estimate {
    Estimate {
        mean,
        low: mean,
        high: mean,
    }
}

/// A claim met, a claim that departs as stated, a row by construction that holds.
fn rows() -> Vec<Row> {
    vec![
        Row::within(
            "a figure about customers",
            "half",
            estimate(0.5),
            Unit::Percent,
            (0.4, 0.6),
        ),
        Row::departure(
            "a figure the model parts from",
            "a quarter",
            estimate(0.01),
            Unit::Percent,
            "15 to 35%",
            true,
            "the reason it departs",
        ),
        Row::within(
            "the books balance",
            "one",
            estimate(1.0),
            Unit::Number,
            (0.99, 1.01),
        )
        .by_construction("bookkeeping of the made-up engine"),
    ]
}

fn outcome(rows: Vec<Row>) -> Vec<Outcome> {
    vec![Outcome {
        check: &CHECK,
        rows: Ok(rows),
    }]
}

#[test]
fn a_stated_departure_is_not_counted_as_met() {
    let outcomes = outcome(rows());
    let tally = Tally::of(&outcomes);
    assert_eq!(
        tally.claims,
        Count {
            met: 1,
            departs: 1,
            ..Count::default()
        }
    );
    assert_eq!(
        tally.claims_line(),
        "1 of 2 figures met, 1 departure stated"
    );
    assert_eq!(tally.construction_line(), "1 of 1 hold");
    // As the page states, so the command succeeds; but the check has not passed.
    assert!(tally.as_stated());
    assert!(outcomes[0].as_stated());
    assert!(!outcomes[0].passed());
    let md = page::markdown(&outcomes, &[], "Made up");
    assert!(
        md.contains("Claims about customers: **1 of 2 figures met, 1 departure stated**"),
        "{md}"
    );
    assert!(!md.contains("2 of 2"), "{md}");
}

#[test]
fn a_failure_and_a_stale_departure_are_counted_and_fail() {
    let mut rows = rows();
    rows[0].pass = false;
    rows[1].pass = true; // the departure no longer departs
    let outcomes = outcome(rows);
    let tally = Tally::of(&outcomes);
    assert_eq!(
        tally.claims_line(),
        "0 of 2 figures met, 0 departures stated, 1 not met, \
         1 stated departure now met (update the note)"
    );
    assert!(!tally.as_stated());
    assert!(!outcomes[0].as_stated());
    let md = page::markdown(&outcomes, &[], "Made up");
    assert!(md.contains("**not met**") && md.contains("**met: update the note**"));
}

#[test]
fn rows_by_construction_go_to_their_own_table() {
    let md = page::markdown(&outcome(rows()), &[], "Made up");
    let second = md
        .find("## Bookkeeping and arithmetic (hold by construction)")
        .expect("the second table");
    let each = md
        .find("## What each check tests")
        .expect("the checks' kinds");
    let (claims, built) = (&md[..second], &md[second..each]);
    assert!(claims.contains("a figure about customers"));
    assert!(claims.contains("a figure the model parts from"));
    assert!(!claims.contains("the books balance"), "{claims}");
    assert!(built.contains("the books balance"), "{built}");
    assert!(built.contains("| bookkeeping of the made-up engine | holds |"));
    assert!(built.contains("1 of 1 hold."), "{built}");
    assert!(!built.contains("a figure about customers"));
    // The check says it has both kinds.
    assert!(
        md[each..].contains(
            "| a claim about customers, with rows that hold by construction | 1 met, 1 departure stated | 1 hold |"
        ),
        "{}",
        &md[each..]
    );
}

#[test]
fn a_check_of_bookkeeping_only_says_so() {
    let built = rows().pop().unwrap();
    let md = page::markdown(&outcome(vec![built]), &[], "Made up");
    assert!(md.contains("Claims about customers: **0 of 0 figures met, 0 departures stated**"));
    assert!(
        md.contains("| holds by construction | — | 1 hold |"),
        "{md}"
    );
}

#[test]
fn departures_for_one_reason_share_a_line() {
    let mut rows = rows();
    rows.push(Row::departure(
        "another figure the model parts from",
        "a third",
        estimate(0.01),
        Unit::Percent,
        "25 to 40%",
        true,
        "the reason it departs",
    ));
    let md = page::markdown(&outcome(rows), &[], "Made up");
    assert_eq!(md.matches("the reason it departs").count(), 1, "{md}");
    assert!(md.contains("- **a quarter, a third** (A made-up check): the reason it departs."));
}

#[test]
fn a_reason_is_not_repeated_row_after_row() {
    let mut rows = rows();
    let again = rows[2].clone();
    rows.push(again);
    let md = page::markdown(&outcome(rows), &[], "Made up");
    assert_eq!(md.matches("bookkeeping of the made-up engine").count(), 1);
    assert!(md.contains("| as above | holds |"), "{md}");
}
