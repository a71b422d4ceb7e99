//! The checks, one function per published figure. Each states its tolerance where it
//! compares, and the page (docs/validation.md) prints the same words.
//!
//! One file per group of figures: the satisfaction–retention curve, how satisfaction is
//! formed and heard, the money of retention, and market events. This file holds the
//! list in the page's order and the measures several groups share.

mod curve;
mod events;
mod satisfaction;
mod value;

pub use curve::{COMPETITIVE, MODERATE, MONOPOLY};
pub use satisfaction::TARP;

use super::Check;
use crate::engine::RunResults;
use crate::engine::tally::FirmTally;
use curve::{barriers, jones_sasser, kotler_ladder, six_times, xerox};
use events::{monopoly_opens, number_portability};
use satisfaction::{asymmetry, bain, one_bad_line, tarp};
use value::{leaky_bucket, lifetime_value, reichheld_sasser};

/// Every check, in the order of the page.
pub static CHECKS: [Check; 14] = [
    Check {
        id: "kotler_ladder",
        title: "The defection ladder",
        source: "Kotler, cited in seed 002",
        scenario: "kotler_ladder.toml",
        run: kotler_ladder,
    },
    Check {
        id: "xerox",
        title: "Completely satisfied against satisfied (Xerox)",
        source: "Heskett et al. 1994",
        scenario: "jones_sasser.toml",
        run: xerox,
    },
    Check {
        id: "six_times",
        title: "Satisfied against dissatisfied",
        source: "seed 002",
        scenario: "jones_sasser.toml",
        run: six_times,
    },
    Check {
        id: "jones_sasser",
        title: "Three competitive regimes",
        source: "Jones & Sasser 1995",
        scenario: "jones_sasser.toml",
        run: jones_sasser,
    },
    Check {
        id: "barriers",
        title: "Barriers matter at low satisfaction",
        source: "Jones, Mothersbaugh & Beatty 2000",
        scenario: "jones_sasser.toml",
        run: barriers,
    },
    Check {
        id: "bain",
        title: "Satisfied customers who defect",
        source: "Bain (Reichheld 1993), cited in seed 002",
        scenario: "bain.toml",
        run: bain,
    },
    Check {
        id: "asymmetry",
        title: "Losses weigh more than gains",
        source: "Mittal, Ross & Baldasare 1998",
        scenario: "asymmetry.toml",
        run: asymmetry,
    },
    Check {
        id: "tarp",
        title: "Complaint handling",
        source: "TARP",
        scenario: "tarp.toml",
        run: tarp,
    },
    Check {
        id: "lifetime_value",
        title: "Customer lifetime value",
        source: "Gupta & Lehmann 2003",
        scenario: "lifetime_value.toml",
        run: lifetime_value,
    },
    Check {
        id: "reichheld_sasser",
        title: "Five points fewer defections",
        source: "Reichheld & Sasser 1990",
        scenario: "reichheld_sasser.toml",
        run: reichheld_sasser,
    },
    Check {
        id: "leaky_bucket",
        title: "The leaky bucket",
        source: "seed 002",
        scenario: "leaky_bucket.toml",
        run: leaky_bucket,
    },
    Check {
        id: "one_bad_line",
        title: "100 − 1 = 0",
        source: "seed 002",
        scenario: "one_bad_line.toml",
        run: one_bad_line,
    },
    Check {
        id: "monopoly_opens",
        title: "A monopoly opens",
        source: "seed 002",
        scenario: "telecom.toml",
        run: monopoly_opens,
    },
    Check {
        id: "number_portability",
        title: "Number portability",
        source: "seed 002; portability studies",
        scenario: "telecom.toml",
        run: number_portability,
    },
];

/// Totals over the run per firm.
fn totals(r: &RunResults) -> Vec<FirmTally> {
    let mut out = vec![FirmTally::default(); r.periods[0].firms.len()];
    for p in &r.periods {
        for (t, f) in out.iter_mut().zip(&p.firms) {
            t.add(f);
        }
    }
    out
}

/// Retention over every decision of the run.
fn overall_retention(r: &RunResults) -> f64 {
    let (mut customers, mut defections) = (0u64, 0u64);
    for t in totals(r) {
        customers += t.customers;
        defections += t.defections;
    }
    1.0 - defections as f64 / customers as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_distinct() {
        for (i, a) in CHECKS.iter().enumerate() {
            for b in &CHECKS[i + 1..] {
                assert_ne!(a.id, b.id);
            }
        }
    }
}
