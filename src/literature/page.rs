//! `docs/validation.md`: the checks' rows as a table, the notes that say which
//! parameters the figures share and where they part, and the charts.

use super::{Basis, Count, Outcome, REPLICATIONS, Row, Tally, Unit, Verdict};
use std::fmt::Write;

/// A value in its unit: 0.123 → "12.3%" (Percent), "+12.3 pts" (Points), "0.123".
pub fn value(v: f64, unit: Unit) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    match unit {
        Unit::Percent => format!("{:.1}%", 100.0 * v),
        Unit::Points => format!("{:+.1} pts", 100.0 * v),
        Unit::Number => {
            if v.abs() >= 100.0 {
                format!("{v:.0}")
            } else if v.abs() >= 10.0 {
                format!("{v:.1}")
            } else {
                format!("{v:.3}")
            }
        }
    }
}

/// The page. `charts` lists (file name relative to the page, caption).
pub fn markdown(outcomes: &[Outcome], charts: &[(String, String)], stamp: &str) -> String {
    let tally = Tally::of(outcomes);
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# Validation against the literature\n\n\
         <!-- Written by `cargo run --release -- literature`; edit src/literature/, not this file. -->\n\n\
         Every published figure loyalsim is meant to reproduce, the scenario that \
         reproduces it (under `scenarios/literature/`), what the engine simulates and \
         whether that lies within the stated tolerance. The same code runs as \
         `cargo test --release --test literature -- --include-ignored` (one test per check), so this page and \
         the tests cannot disagree.\n\n\
         {stamp}. Each scenario is run {REPLICATIONS} times with seeds seed, seed + 1, …; \
         *simulated* is the mean over the runs and, in brackets, its 95% t-interval over \
         them. A figure is *met* when the mean meets the criterion.\n\n\
         Rows are of two kinds. A **claim about customers** is a figure the scenario's \
         inputs were not chosen to give, so the model could fail it; the headline counts \
         these only. A row that **holds by construction** tests the engine, not customers: \
         its figure is the engine's bookkeeping checked against arithmetic, a number read \
         off the scenario's own inputs or off the form P(defect) = (1 − f)·e^−R, a quantity \
         the scenario is set up to have, or another row's estimate restated. Those are \
         listed apart, each with the reason. A *stated departure* is a figure the engine \
         does not meet, for the reason given under [Departures stated](#departures-stated); \
         it is never counted as met.\n\n\
         Claims about customers: **{}**. Bookkeeping and arithmetic (hold by \
         construction): {}.\n",
        tally.claims_line(),
        tally.construction_line()
    );
    md.push_str("## Claims about customers\n\n");
    md.push_str("| check | figure | published | simulated (95% interval) | criterion | result |\n");
    md.push_str("| --- | --- | --- | --- | --- | --- |\n");
    table(&mut md, outcomes, true);
    md.push_str("\n## Bookkeeping and arithmetic (hold by construction)\n\n");
    let _ = writeln!(
        md,
        "{}. These rows check the engine, not the customers: a failure here is a bug, \
         and a pass is no evidence about customers.\n",
        upper_first(&tally.construction_line())
    );
    md.push_str(
        "| check | figure | published | simulated (95% interval) | criterion | why it holds by construction | result |\n",
    );
    md.push_str("| --- | --- | --- | --- | --- | --- | --- |\n");
    table(&mut md, outcomes, false);
    md.push_str("\n## What each check tests\n\n");
    md.push_str("| check | tests | claims about customers | rows by construction |\n");
    md.push_str("| --- | --- | --- | --- |\n");
    for o in outcomes {
        let name = format!("[{}](#{})", o.check.title, o.check.id);
        match &o.rows {
            Ok(rows) => {
                let (claims, built): (Vec<&Row>, Vec<&Row>) =
                    rows.iter().partition(|r| r.is_claim());
                let tests = match (claims.is_empty(), built.is_empty()) {
                    (false, true) => "a claim about customers",
                    (true, false) => "holds by construction",
                    _ => "a claim about customers, with rows that hold by construction",
                };
                let _ = writeln!(
                    md,
                    "| {name} | {tests} | {} | {} |",
                    counts(&claims, "met", "not met"),
                    counts(&built, "hold", "do not hold")
                );
            }
            Err(_) => {
                let _ = writeln!(md, "| {name} | could not run | — | — |");
            }
        }
    }
    md.push('\n');
    for (file, caption) in charts {
        let _ = writeln!(md, "![{caption}]({file})\n\n*{caption}*\n");
    }
    md.push_str(NOTES);
    departures(&mut md, outcomes);
    md
}

/// The rows of one kind (claims, or those that hold by construction) as table lines;
/// the checks that could not run go with the claims.
fn table(md: &mut String, outcomes: &[Outcome], claims: bool) {
    for o in outcomes {
        let heading = format!(
            "[{}](#{}) ({}), `{}`",
            o.check.title, o.check.id, o.check.source, o.check.scenario
        );
        let rows = match &o.rows {
            Ok(rows) => rows,
            Err(e) => {
                if claims {
                    let _ = writeln!(
                        md,
                        "| {} ({}) | — | — | — | — | **error**: {e} |",
                        o.check.title, o.check.source
                    );
                }
                continue;
            }
        };
        let mut previous: Option<&str> = None;
        for (i, r) in rows.iter().filter(|r| r.is_claim() == claims).enumerate() {
            let name = if i == 0 { heading.as_str() } else { "" };
            let sim = format!(
                "{} ({} to {})",
                value(r.simulated.mean, r.unit),
                value(r.simulated.low, r.unit),
                value(r.simulated.high, r.unit)
            );
            let verdict = match (r.verdict(), claims) {
                (Verdict::Met, true) => "met",
                (Verdict::Met, false) => "holds",
                (Verdict::NotMet, true) => "**not met**",
                (Verdict::NotMet, false) => "**does not hold**",
                (Verdict::Departs, _) => "departure, stated",
                (Verdict::DepartureMet, _) => "**met: update the note**",
            };
            // A reason the row before (of the same check) gave is not repeated.
            let why = match &r.basis {
                Basis::Construction(why) if previous == Some(why.as_str()) => {
                    " as above |".to_string()
                }
                Basis::Construction(why) => {
                    previous = Some(why);
                    format!(" {why} |")
                }
                Basis::Claim => String::new(),
            };
            let _ = writeln!(
                md,
                "| {name} | {} | {} | {sim} | {} |{why} {verdict} |",
                r.figure, r.published, r.criterion
            );
        }
    }
}

/// A check's rows of one kind by verdict: "3 met", "1 met, 5 departures stated", "—".
fn counts(rows: &[&Row], met: &str, not_met: &str) -> String {
    let c = Count::of(rows.iter().copied());
    if c.rows() == 0 {
        return "—".into();
    }
    let mut words = if c.met > 0 {
        format!("{} {met}", c.met)
    } else {
        String::new()
    };
    words += &c.rest(false, not_met);
    words.trim_start_matches(", ").to_string()
}

/// The stated departures and their reasons, after the notes' "Departures stated"
/// heading: rows of one check that depart for one reason share a line.
fn departures(md: &mut String, outcomes: &[Outcome]) {
    for o in outcomes {
        let Ok(rows) = &o.rows else { continue };
        let mut seen: Vec<&str> = Vec::new();
        for why in rows.iter().filter_map(|r| r.departure) {
            if seen.contains(&why) {
                continue;
            }
            seen.push(why);
            let same: Vec<&Row> = rows.iter().filter(|r| r.departure == Some(why)).collect();
            let published: Vec<&str> = same.iter().map(|r| r.published.as_str()).collect();
            let built = if same.iter().all(|r| !r.is_claim()) {
                ", a row by construction"
            } else {
                ""
            };
            let _ = writeln!(
                md,
                "- **{}** ({}{built}): {why}.",
                published.join(", "),
                o.check.title
            );
        }
    }
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// What the figures share, where they part, and how each scenario was chosen. Kept
/// here, beside the code that makes the table, so the two change together.
const NOTES: &str = include_str!("notes.md");
