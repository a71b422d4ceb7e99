//! `docs/validation.md`: the checks' rows as a table, the notes that say which
//! parameters the figures share and where they part, and the charts.

use super::{Outcome, REPLICATIONS, Unit};
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
    let mut md = String::new();
    let all = outcomes.iter().filter(|o| o.passed()).count();
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
         them. A check passes when the mean meets the criterion. \
         **{all} of {} checks pass.**\n",
        outcomes.len()
    );
    md.push_str("| check | figure | published | simulated (95% interval) | criterion | result |\n");
    md.push_str("| --- | --- | --- | --- | --- | --- |\n");
    for o in outcomes {
        match &o.rows {
            Ok(rows) => {
                for (i, r) in rows.iter().enumerate() {
                    let name = if i == 0 {
                        format!(
                            "[{}](#{}) ({}), `{}`",
                            o.check.title, o.check.id, o.check.source, o.check.scenario
                        )
                    } else {
                        String::new()
                    };
                    let sim = format!(
                        "{} ({} to {})",
                        value(r.simulated.mean, r.unit),
                        value(r.simulated.low, r.unit),
                        value(r.simulated.high, r.unit)
                    );
                    let verdict = match (r.departure, r.pass) {
                        (None, true) => "pass",
                        (None, false) => "**fail**",
                        (Some(_), false) => "departure, stated",
                        (Some(_), true) => "**met: update the note**",
                    };
                    let _ = writeln!(
                        md,
                        "| {name} | {} | {} | {sim} | {} | {verdict} |",
                        r.figure, r.published, r.criterion
                    );
                }
            }
            Err(e) => {
                let _ = writeln!(
                    md,
                    "| {} ({}) | — | — | — | — | **error**: {e} |",
                    o.check.title, o.check.source
                );
            }
        }
    }
    md.push('\n');
    for (file, caption) in charts {
        let _ = writeln!(md, "![{caption}]({file})\n\n*{caption}*\n");
    }
    md.push_str(NOTES);
    for o in outcomes {
        if let Ok(rows) = &o.rows {
            for r in rows {
                if let Some(why) = r.departure {
                    let _ = writeln!(md, "- **{}** ({}): {why}.", r.published, o.check.title);
                }
            }
        }
    }
    md
}

/// What the figures share, where they part, and how each scenario was chosen. Kept
/// here, beside the code that makes the table, so the two change together.
const NOTES: &str = include_str!("notes.md");
