//! The columns of a sweep's files and of a sensitivity study's: the run prefix, the
//! metrics and their summary statistics, the pooled curve. The per-run tables they
//! repeat are declared beside the run's.

use super::{Cell, Column, Described, Dtype, Entry};
use crate::parameter::Run;

/// The first columns of every row of `sweep.csv` and `sweep_timeseries.csv`: which run
/// it is. The swept fields follow, one column each.
pub fn sweep_run() -> Vec<Column<Run>> {
    vec![
        Column {
            name: "run",
            meaning: "run index, from 0: point × replications + replicate",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.index),
        },
        Column {
            name: "point",
            meaning: "point of the design, from 0",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.point),
        },
        Column {
            name: "replicate",
            meaning: "replicate of the point, from 0",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.replicate as u64),
        },
        Column {
            name: "seed",
            meaning: "the run's seed (below 2⁶³)",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.seed),
        },
    ]
}

/// The metrics of a run in `sweep.csv`, after the swept fields: the metric table's
/// (report/metrics.rs), counts as integers and the rest as floats.
pub fn sweep_metrics() -> Vec<Described> {
    crate::report::metrics::run()
        .iter()
        .map(|m| Described {
            name: m.name.to_string(),
            dtype: match m.unit {
                crate::report::metrics::Unit::Count => Dtype::Int,
                _ => Dtype::Float,
            },
            meaning: m.meaning.to_string(),
        })
        .collect()
}

/// What `sweep_summary.csv` gives of each metric of [`sweep_metrics`], as the suffix
/// of its column (`retention_mean`), with its meaning. All are floats.
pub const SUMMARY_STATS: [(&str, &str); 4] = [
    (
        "mean",
        "mean over the point's runs (inf when a run's value is infinite)",
    ),
    (
        "sd",
        "standard deviation over the point's runs (missing for one run, or when a value is infinite)",
    ),
    ("ci_low", "lower end of the 95% t-interval of the mean"),
    ("ci_high", "upper end of the 95% t-interval of the mean"),
];

/// The column of `sweep_curve_runs.csv` between a run's prefix and curve.csv's columns.
pub const BIN: (&str, &str) = ("bin", "the CS bin, from 0 (bin 0 is centred on CS = 1)");

/// The columns of `sweep_curve.csv` after `point` and the swept fields: each point's
/// retention curve, the bins of its runs pooled (sweep/curve.rs). The counts are added
/// over the runs; the means are over all the point's observations in the bin.
pub const SWEEP_CURVE: [(&str, Dtype, &str); 13] = [
    BIN_COLUMN,
    ("cs_low", Dtype::Float, "lower edge of the CS bin"),
    ("cs_mid", Dtype::Float, "centre of the CS bin"),
    (
        "cs_high",
        Dtype::Float,
        "upper edge of the CS bin (the last bin includes 5)",
    ),
    ("runs", Dtype::Int, "runs of the point"),
    (
        "observations",
        Dtype::Int,
        "customer decisions with CS in the bin, over the point's runs, periods and firms",
    ),
    ("stayed", Dtype::Int, "of those, decisions to stay"),
    (
        "retention",
        Dtype::Float,
        "stayed / observations: the point's satisfaction-retention curve",
    ),
    (
        "retention_low",
        Dtype::Float,
        "lower end of the 95% Wilson interval of retention (decisions taken as independent)",
    ),
    (
        "retention_high",
        Dtype::Float,
        "upper end of the 95% Wilson interval of retention (decisions taken as independent)",
    ),
    ("cs_mean", Dtype::Float, "mean CS of the bin's observations"),
    (
        "f_theory",
        Dtype::Float,
        "mean f(CS) of the bin's observations: the loyalty curve, the intention to stay",
    ),
    (
        "cl_theory",
        Dtype::Float,
        "mean 1 − P(defect) of the bin's observations: the retention the model expects",
    ),
];

pub(super) const BIN_COLUMN: (&str, Dtype, &str) = (BIN.0, Dtype::Int, BIN.1);

pub(super) fn described<'a>(
    columns: &'a [(&str, Dtype, &str)],
) -> impl Iterator<Item = Entry> + 'a {
    columns.iter().map(|&(name, dtype, meaning)| {
        Entry::Column(Described {
            name: name.into(),
            dtype,
            meaning: meaning.into(),
        })
    })
}

/// The columns of a sensitivity study's `sensitivity.csv` (sweep/sensitivity.rs).
pub(super) fn sensitivity() -> Vec<Entry> {
    [
        (
            "metric",
            Dtype::String,
            "the metric analysed (docs/metrics.md)",
        ),
        (
            "factor",
            Dtype::String,
            "the varied field (its path), a Morris group's name, `A × B` for S2, or `seed`",
        ),
        (
            "index",
            Dtype::String,
            "S1, ST, S2 (Sobol'); mu, mu_star, sigma (Morris); noise_share (of factor `seed`)",
        ),
        ("value", Dtype::Float, "the estimate"),
        (
            "ci_low",
            Dtype::Float,
            "lower end of its 95% bootstrap interval (missing for noise_share)",
        ),
        (
            "ci_high",
            Dtype::Float,
            "upper end of its 95% bootstrap interval (missing for noise_share)",
        ),
    ]
    .into_iter()
    .map(|(name, dtype, meaning)| {
        Entry::Column(Described {
            name: name.into(),
            dtype,
            meaning: meaning.into(),
        })
    })
    .collect()
}
