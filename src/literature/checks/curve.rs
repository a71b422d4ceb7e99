//! The satisfaction–retention curve and how market constraints shape it: Kotler's
//! defection ladder, Xerox, "six times", Jones & Sasser's three regimes and the
//! barriers regression. They share the Jones & Sasser markets and the bin helpers.

use crate::engine::RunResults;
use crate::literature::logit::{self, Group};
use crate::literature::measure::{observations_at, retention, retention_at};
use crate::literature::{Estimate, Lab, LabError, Row, Runs, Unit};

/// Defection in the bin centred on `cs`, as a share.
fn defection_at(r: &RunResults, cs: f64) -> f64 {
    1.0 - retention_at(r, cs)
}

/// Fails when a bin the check reads has too few observations to mean anything.
fn enough(lab_runs: &Runs, cs: &[f64], least: u64) -> Result<(), LabError> {
    for r in &lab_runs.results {
        for &c in cs {
            let n = observations_at(r, c);
            if n < least {
                return Err(LabError(format!(
                    "{}: only {n} observations at CS {c} (need {least})",
                    lab_runs.scenario.name
                )));
            }
        }
    }
    Ok(())
}

pub(super) fn kotler_ladder(lab: &mut Lab) -> Result<Vec<Row>, LabError> {
    let runs = lab.runs("kotler_ladder.toml", &[])?;
    let scores = [1.0, 2.0, 3.0, 4.0, 5.0];
    enough(&runs, &scores, 1_000)?;
    let ladder = [
        ("very dissatisfied", "80%", 0.80),
        ("somewhat dissatisfied", "40%", 0.40),
        ("neutral", "20%", 0.20),
        ("somewhat satisfied", "10%", 0.10),
        ("highly satisfied", "1–2%", 0.015),
    ];
    Ok(scores
        .iter()
        .zip(ladder)
        .map(|(&cs, (who, published, value))| {
            Row::within(
                format!("defection at CS {cs} ({who}), no constraint"),
                published,
                runs.estimate(|r| defection_at(r, cs)),
                Unit::Percent,
                ((value - 0.03f64).max(0.0), value + 0.03),
            )
        })
        .collect())
}

/// The competitive market of Jones & Sasser: the file as shipped.
pub const COMPETITIVE: &[&str] = &[];
/// The same customers in a moderately constrained and in a monopoly-like market.
pub const MODERATE: &[&str] = &["constraint.r=1"];
pub const MONOPOLY: &[&str] = &["constraint.r=3"];

pub(super) fn xerox(lab: &mut Lab) -> Result<Vec<Row>, LabError> {
    let runs = lab.runs("jones_sasser.toml", COMPETITIVE)?;
    enough(&runs, &[4.0, 5.0], 1_000)?;
    Ok(vec![Row::within(
        "defection at CS 4 ÷ defection at CS 5, competitive market",
        "6× as likely to repurchase",
        runs.estimate(|r| defection_at(r, 4.0) / defection_at(r, 5.0)),
        Unit::Number,
        (4.5, 7.5),
    )])
}

pub(super) fn six_times(lab: &mut Lab) -> Result<Vec<Row>, LabError> {
    let runs = lab.runs("jones_sasser.toml", COMPETITIVE)?;
    Ok(vec![Row::within(
        "retention at CS ≥ 4 ÷ retention at CS ≤ 2, competitive market",
        "6× as likely to buy again",
        runs.estimate(|r| retention(r, 4.0, 5.0) / retention(r, 1.0, 2.0)),
        Unit::Number,
        (4.5, 7.5),
    )])
}

/// Retention at the whole scores 1 to 5.
fn ladder(r: &RunResults) -> [f64; 5] {
    [1.0, 2.0, 3.0, 4.0, 5.0].map(|cs| retention_at(r, cs))
}

pub(super) fn jones_sasser(lab: &mut Lab) -> Result<Vec<Row>, LabError> {
    let competitive = lab.runs("jones_sasser.toml", COMPETITIVE)?;
    let moderate = lab.runs("jones_sasser.toml", MODERATE)?;
    let monopoly = lab.runs("jones_sasser.toml", MONOPOLY)?;
    let scores = [1.0, 2.0, 3.0, 4.0, 5.0];
    for runs in [&competitive, &moderate, &monopoly] {
        enough(runs, &scores, 100)?;
    }
    let low = |r: &RunResults| retention(r, 1.0, 2.0);
    // Paired by replication: the same seed in each market.
    let paired = |a: &Runs, b: &Runs, f: &dyn Fn(&RunResults, &RunResults) -> f64| {
        let xs: Vec<f64> = a
            .results
            .iter()
            .zip(&b.results)
            .map(|(x, y)| f(x, y))
            .collect();
        Estimate::of(&xs)
    };
    let monopoly_over_moderate = paired(&monopoly, &moderate, &|m, d| low(m) - low(d));
    let moderate_over_competitive = paired(&moderate, &competitive, &|d, c| low(d) - low(c));
    let spread = monopoly.estimate(|r| {
        let l = ladder(r);
        l.iter().cloned().fold(f64::MIN, f64::max) - l.iter().cloned().fold(f64::MAX, f64::min)
    });
    let rise45 = |r: &RunResults| {
        let l = ladder(r);
        l[4] - l[3]
    };
    let steepest_other = |r: &RunResults| {
        let l = ladder(r);
        (0..3).map(|i| l[i + 1] - l[i]).fold(f64::MIN, f64::max)
    };
    let margin = competitive.estimate(|r| rise45(r) - steepest_other(r));
    let only = {
        let xs: Vec<f64> = (0..competitive.results.len())
            .map(|i| {
                rise45(&competitive.results[i])
                    - rise45(&moderate.results[i]).max(rise45(&monopoly.results[i]))
            })
            .collect();
        Estimate::of(&xs)
    };
    Ok(vec![
        Row::judged(
            "retention at CS ≤ 2: monopoly (R = 3) − moderate (R = 1)",
            "monopoly > moderate",
            monopoly_over_moderate,
            Unit::Points,
            "> 0",
            monopoly_over_moderate.mean > 0.0,
        ),
        Row::judged(
            "retention at CS ≤ 2: moderate (R = 1) − competitive (R = 0.05)",
            "moderate > competitive",
            moderate_over_competitive,
            Unit::Points,
            "> 0",
            moderate_over_competitive.mean > 0.0,
        ),
        Row::judged(
            "monopoly: highest − lowest retention over CS 1 to 5",
            "nearly flat",
            spread,
            Unit::Points,
            "< 15 pts",
            spread.mean < 0.15,
        ),
        Row::judged(
            "competitive: rise 4 → 5 − steepest other adjacent rise",
            "steepest rise 4 → 5",
            margin,
            Unit::Points,
            "> 0",
            margin.mean > 0.0,
        ),
        Row::judged(
            "rise 4 → 5: competitive − the larger of moderate and monopoly",
            "in the competitive market only",
            only,
            Unit::Points,
            "> 0",
            only.mean > 0.0,
        ),
    ])
}

/// Barrier levels for the moderated regression: the three regimes and two between.
const BARRIERS: [f64; 5] = [0.05, 0.5, 1.0, 2.0, 3.0];

pub(super) fn barriers(lab: &mut Lab) -> Result<Vec<Row>, LabError> {
    let mut variants = Vec::new();
    for r in BARRIERS {
        let set = format!("constraint.r={r}");
        let sets: &[&str] = if r == 0.05 { COMPETITIVE } else { &[&set] };
        variants.push((r, lab.runs("jones_sasser.toml", sets)?));
    }
    let replications = variants[0].1.results.len();
    let mut interaction = Vec::new();
    for i in 0..replications {
        let mut groups = Vec::new();
        for (r, runs) in &variants {
            let res = &runs.results[i];
            for bin in res.curve.iter().filter(|b| b.observations > 0) {
                let cs = bin.sum_cs / bin.observations as f64;
                groups.push(Group {
                    x: vec![cs, *r, cs * r],
                    trials: bin.observations as f64,
                    successes: bin.stayed as f64,
                });
            }
        }
        let fit = logit::fit(&groups)
            .ok_or_else(|| LabError("the logistic fit of staying did not converge".into()))?;
        interaction.push(fit.coefficients[3]);
    }
    let b3 = Estimate::of(&interaction);
    let (low_cs, high_cs) = (
        |r: &RunResults| retention(r, 1.0, 2.0),
        |r: &RunResults| retention(r, 4.5, 5.0),
    );
    let weakest = &variants[0].1;
    let strongest = &variants[variants.len() - 1].1;
    let ratio = Estimate::of(
        &(0..replications)
            .map(|i| {
                let (w, s) = (&weakest.results[i], &strongest.results[i]);
                (high_cs(s) - high_cs(w)) / (low_cs(s) - low_cs(w))
            })
            .collect::<Vec<_>>(),
    );
    Ok(vec![
        Row::judged(
            "CS × R coefficient of a logistic fit of staying on CS, R, CS × R (R 0.05 to 3)",
            "negative interaction",
            b3,
            Unit::Number,
            "< 0, interval below 0",
            b3.high < 0.0,
        ),
        Row::judged(
            "retention gained from R 0.05 → 3 at CS ≥ 4.5 ÷ gained at CS ≤ 2",
            "little difference at high CS",
            ratio,
            Unit::Number,
            "< 1/3",
            ratio.mean < 1.0 / 3.0,
        ),
    ])
}
