//! The money of retention: customer lifetime value against its formula, Reichheld &
//! Sasser's five points fewer defections, and the leaky bucket.

use super::{overall_retention, totals};
use crate::engine::RunResults;
use crate::engine::tally::FirmTally;
use crate::literature::{Estimate, Lab, LabError, Row, Runs, Unit};

pub(super) fn lifetime_value(lab: &mut Lab) -> Result<Vec<Row>, LabError> {
    let leaky: &[&str] = &[
        "loyalty.points.0.1=0.7",
        "loyalty.points.1.1=0.7",
        "firms.0.margin=2.5",
    ];
    let mut rows = Vec::new();
    for (sets, what) in [
        (&[][..], "retention 0.9, margin 1"),
        (leaky, "retention 0.7, margin 2.5"),
    ] {
        let runs = lab.runs("lifetime_value.toml", sets)?;
        let i = runs.scenario.economics.discount_rate;
        let m = runs.scenario.firms[0].margin;
        let ratio = runs.estimate(|r| {
            let t = &totals(r)[0];
            let simulated = t.cohort_value / r.initial_customers[0] as f64;
            let retention = t.cohort_stays as f64 / t.cohort_decisions as f64;
            simulated / (m * retention / (1.0 + i - retention))
        });
        rows.push(
            Row::within(
                format!("simulated CLV ÷ m·r/(1 + i − r), {what}"),
                "CLV = m·r/(1 + i − r)",
                ratio,
                Unit::Number,
                (0.98, 1.02),
            )
            .by_construction(
                "bookkeeping: the engine's margins, discounting and cohorts against the \
             closed form, under a flat curve that makes retention constant as the \
             formula assumes",
            ),
        );
    }
    Ok(rows)
}

/// Simulated lifetime value of firm `k`'s period-0 customers, per customer.
fn cohort_clv(r: &RunResults, k: usize) -> f64 {
    totals(r)[k].cohort_value / r.initial_customers[k] as f64
}

pub(super) fn reichheld_sasser(lab: &mut Lab) -> Result<Vec<Row>, LabError> {
    let base = lab.runs("reichheld_sasser.toml", &[])?;
    let better = lab.runs(
        "reichheld_sasser.toml",
        &["loyalty.points.0.1=0.85", "loyalty.points.1.1=0.85"],
    )?;
    let gain = Estimate::of(
        &base
            .results
            .iter()
            .zip(&better.results)
            .map(|(b, g)| cohort_clv(g, 0) / cohort_clv(b, 0) - 1.0)
            .collect::<Vec<_>>(),
    );
    let defection = base.estimate(|r| 1.0 - overall_retention(r));
    Ok(vec![
        Row::within(
            "defection a year before the cut",
            "(the cut is from 20% to 15%)",
            defection,
            Unit::Percent,
            (0.19, 0.21),
        )
        .by_construction(
            "set-up: a flat curve at 0.80 with no constraint makes defection 20% exactly",
        ),
        Row::within(
            "lifetime profit of a cohort, 15% ÷ 20% defection − 1",
            "+25% to +85% profit",
            gain,
            Unit::Percent,
            (0.25, 0.85),
        )
        .by_construction(
            "arithmetic of the inputs: with defection set to 20% and then 15% for every \
             customer, the gain is the closed form of margins that grow with tenure, \
             discounted; it checks the economics, not customers",
        ),
    ])
}

/// Second-half measures of one firm of `leaky_bucket.toml`: (gross adds ÷ defections,
/// change in customers, defections a period ÷ customers, acquisition spend ÷ margin).
struct Leak {
    adds: Estimate,
    drift: Estimate,
    churn: Estimate,
    spend: Estimate,
}

fn leak(runs: &Runs, firm: &str) -> Result<Leak, LabError> {
    let k = runs
        .scenario
        .firms
        .iter()
        .position(|f| f.name == firm)
        .ok_or_else(|| LabError(format!("leaky_bucket.toml needs a firm `{firm}`")))?;
    // The second half of the run, when the market has settled.
    let half = runs.scenario.periods as usize / 2;
    let later = |r: &RunResults| {
        let mut t = FirmTally::default();
        for p in &r.periods[half..] {
            t.add(&p.firms[k]);
        }
        t
    };
    Ok(Leak {
        drift: runs.estimate(|r| {
            let first = r.periods[half].firms[k].customers as f64;
            let last = r.periods[r.periods.len() - 1].firms[k].customers as f64;
            (last - first) / first
        }),
        adds: runs.estimate(|r| {
            let t = later(r);
            t.acquisitions as f64 / t.defections as f64
        }),
        churn: runs.estimate(|r| {
            let t = later(r);
            t.defections as f64 / t.customers as f64
        }),
        spend: runs.estimate(|r| {
            let t = later(r);
            t.acquisition_spend / t.margin
        }),
    })
}

/// A firm leaks when it loses at least this share of its customers a period...
const LEAKS: f64 = 0.20;
/// ...and buying their replacements costs more than this share of its margin.
const HIDDEN_COST: f64 = 0.5;

pub(super) fn leaky_bucket(lab: &mut Lab) -> Result<Vec<Row>, LabError> {
    let runs = lab.runs("leaky_bucket.toml", &[])?;
    let bucket = leak(&runs, "Bucket")?;
    // The contrast: a firm in the same market that keeps its customers must fail the
    // leak criteria, or they would not tell a leaking firm from any other. (Its count
    // is flat too, and its gross adds equal its defections: every settled firm's do.)
    let keeper = leak(&runs, "Keeper")?;
    Ok(vec![
        Row::within(
            "Bucket: gross adds ÷ defections, second half of the run",
            "gains 100 a week, loses 100",
            bucket.adds,
            Unit::Number,
            (0.95, 1.05),
        )
        .by_construction(
            "bookkeeping: customers at the end − at the start = gross adds − defections, \
             so once a run has settled adds equal defections whatever the customers do \
             (the source gives only this arithmetic, 100 in, 100 out)",
        ),
        Row::within(
            "Bucket: change in customers over the second half",
            "the bucket looks full",
            bucket.drift,
            Unit::Percent,
            (-0.03, 0.03),
        )
        .by_construction(
            "the row above restated (the change is gross adds − defections), over a \
             stretch chosen after the market has settled",
        ),
        Row::judged(
            "Bucket: defections a period ÷ customers",
            "while it leaks",
            bucket.churn,
            Unit::Percent,
            "≥ 20%",
            bucket.churn.mean >= LEAKS,
        ),
        Row::judged(
            "Bucket: acquisition spend ÷ margin",
            "hides the cost of acquisition",
            bucket.spend,
            Unit::Number,
            "> 0.5",
            bucket.spend.mean > HIDDEN_COST,
        )
        .by_construction(
            "arithmetic of Bucket's churn (a claim, in the first table): acquisition cost \
             ÷ margin per customer (inputs) × acquisitions ÷ customers kept, so any churn \
             of 20% or more puts it far above 0.5",
        ),
        Row::judged(
            "Keeper (the contrast): defections a period ÷ customers",
            "(a firm that keeps its customers does not leak)",
            keeper.churn,
            Unit::Percent,
            "< 20%",
            keeper.churn.mean < LEAKS,
        ),
        Row::judged(
            "Keeper (the contrast): acquisition spend ÷ margin",
            "(nor pays much to stay full)",
            keeper.spend,
            Unit::Number,
            "≤ 0.5",
            keeper.spend.mean <= HIDDEN_COST,
        )
        .by_construction(
            "arithmetic of Keeper's churn (the row above) with its inputs, as for Bucket",
        ),
    ])
}
