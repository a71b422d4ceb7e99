//! The columns of a run's other tables: `survey.csv`, `complaints.csv`, `curve.csv` and
//! `curve_by_period.csv`.

use super::cell::ratio;
use super::{Cell, Column, Dtype};
use crate::engine::tally::{Bins, CurveBin, PeriodBin, SurveyTally};
use crate::stats::wilson;

/// One row of `survey.csv`: a firm's survey in a period.
pub struct SurveyRow {
    pub period: u32,
    pub firm: String,
    pub tally: SurveyTally,
}

/// The columns of `survey.csv`.
pub fn survey() -> Vec<Column<SurveyRow>> {
    vec![
        Column {
            name: "period",
            meaning: "period of the survey",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.period as u64),
        },
        Column {
            name: "firm",
            meaning: "firm name",
            dtype: Dtype::String,
            value: |r| Cell::Text(r.firm.clone()),
        },
        Column {
            name: "sampled",
            meaning: "customers asked",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.tally.sampled),
        },
        Column {
            name: "respondents",
            meaning: "customers who answered",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.tally.respondents),
        },
        Column {
            name: "response_rate",
            meaning: "respondents / sampled",
            dtype: Dtype::Float,
            value: |r| ratio(r.tally.respondents, r.tally.sampled),
        },
        Column {
            name: "mean_score",
            meaning: "mean reported score (1 to 5)",
            dtype: Dtype::Float,
            value: |r| {
                Cell::Float(
                    (r.tally.respondents > 0)
                        .then(|| r.tally.sum_score as f64 / r.tally.respondents as f64),
                )
            },
        },
        Column {
            name: "top_two_box",
            meaning: "share of respondents who answered 4 or 5",
            dtype: Dtype::Float,
            value: |r| ratio(r.tally.top_two, r.tally.respondents),
        },
    ]
}

/// One row of `complaints.csv`: a group of complaint episodes over the run.
pub struct ComplaintRow {
    pub group: &'static str,
    pub episodes: u64,
    pub stayed: u64,
}

/// The columns of `complaints.csv` (TARP's table).
pub fn complaints() -> Vec<Column<ComplaintRow>> {
    vec![
        Column {
            name: "group",
            meaning: "did_not_complain, complained_unresolved, resolved, resolved_quickly (TARP's groups), left_while_pending (left before the firm answered)",
            dtype: Dtype::String,
            value: |r| Cell::Text(r.group.to_string()),
        },
        Column {
            name: "episodes",
            meaning: "problems (experiences below the adequate level) whose outcome is known",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.episodes),
        },
        Column {
            name: "stayed",
            meaning: "of those, customers who stayed through complaints.horizon periods after the problem",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.stayed),
        },
        Column {
            name: "retention",
            meaning: "stayed / episodes",
            dtype: Dtype::Float,
            value: |r| ratio(r.stayed, r.episodes),
        },
        Column {
            name: "retention_low",
            meaning: "lower end of the 95% Wilson interval",
            dtype: Dtype::Float,
            value: |r| Cell::Float(wilson(r.stayed, r.episodes).map(|w| w.0)),
        },
        Column {
            name: "retention_high",
            meaning: "upper end of the 95% Wilson interval",
            dtype: Dtype::Float,
            value: |r| Cell::Float(wilson(r.stayed, r.episodes).map(|w| w.1)),
        },
    ]
}

/// One row of `curve.csv`: a CS bin over the whole run.
pub struct CurveRow {
    pub bins: Bins,
    pub index: usize,
    pub bin: CurveBin,
}

fn per_obs(sum: f64, n: u64) -> Cell {
    Cell::Float((n > 0).then(|| sum / n as f64))
}

/// The columns of `curve.csv`.
pub fn curve() -> Vec<Column<CurveRow>> {
    vec![
        Column {
            name: "cs_low",
            meaning: "lower edge of the CS bin",
            dtype: Dtype::Float,
            value: |r| Cell::Float(Some(r.bins.bounds(r.index).0)),
        },
        Column {
            name: "cs_mid",
            meaning: "centre of the CS bin",
            dtype: Dtype::Float,
            value: |r| Cell::Float(Some(r.bins.bounds(r.index).1)),
        },
        Column {
            name: "cs_high",
            meaning: "upper edge of the CS bin (the last bin includes 5)",
            dtype: Dtype::Float,
            value: |r| Cell::Float(Some(r.bins.bounds(r.index).2)),
        },
        Column {
            name: "observations",
            meaning: "customer decisions with CS in the bin, over all periods and firms",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.bin.observations),
        },
        Column {
            name: "stayed",
            meaning: "of those, decisions to stay",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.bin.stayed),
        },
        Column {
            name: "retention",
            meaning: "stayed / observations: the empirical satisfaction-retention curve",
            dtype: Dtype::Float,
            value: |r| ratio(r.bin.stayed, r.bin.observations),
        },
        Column {
            name: "retention_low",
            meaning: "lower end of the 95% Wilson interval of retention",
            dtype: Dtype::Float,
            value: |r| Cell::Float(wilson(r.bin.stayed, r.bin.observations).map(|w| w.0)),
        },
        Column {
            name: "retention_high",
            meaning: "upper end of the 95% Wilson interval of retention",
            dtype: Dtype::Float,
            value: |r| Cell::Float(wilson(r.bin.stayed, r.bin.observations).map(|w| w.1)),
        },
        Column {
            name: "cs_mean",
            meaning: "mean CS of the bin's observations",
            dtype: Dtype::Float,
            value: |r| per_obs(r.bin.sum_cs, r.bin.observations),
        },
        Column {
            name: "f_theory",
            meaning: "mean f(CS) of the bin's observations: the loyalty curve, the intention to stay",
            dtype: Dtype::Float,
            value: |r| per_obs(r.bin.sum_f, r.bin.observations),
        },
        Column {
            name: "cl_theory",
            meaning: "mean 1 − P(defect) of the bin's observations: the retention the model expects, 1 − (1 − f)·exp(−R)",
            dtype: Dtype::Float,
            value: |r| per_obs(r.bin.sum_cl, r.bin.observations),
        },
        Column {
            name: "r_eff",
            meaning: "effective R of the bin's observations",
            dtype: Dtype::Float,
            value: |r| {
                Cell::Float((r.bin.n_pass > 0).then(|| {
                    crate::model::constraint::effective_r(r.bin.sum_pass / r.bin.n_pass as f64)
                }))
            },
        },
    ]
}

/// One row of `curve_by_period.csv`: a firm's decisions in one CS bin in one period.
pub struct PeriodCurveRow {
    pub period: u32,
    pub firm: String,
    pub bins: Bins,
    pub bin: PeriodBin,
}

/// The columns of `curve_by_period.csv`: the retention curve per period and firm, for
/// charts of a window of periods or of one firm (`--periods`, `--firm`). Only bins with
/// observations have a row, and only what such a chart needs is kept, so the table
/// stays within a few times the size of `timeseries.csv`; added up over periods and
/// firms, `observations` and `stayed` are `curve.csv`'s.
pub fn curve_by_period() -> Vec<Column<PeriodCurveRow>> {
    vec![
        Column {
            name: "period",
            meaning: "period number, from 1",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.period as u64),
        },
        Column {
            name: "firm",
            meaning: "firm name",
            dtype: Dtype::String,
            value: |r| Cell::Text(r.firm.clone()),
        },
        Column {
            name: "cs_mid",
            meaning: "centre of the CS bin (the bins of curve.csv)",
            dtype: Dtype::Float,
            value: |r| Cell::Float(Some(r.bins.bounds(r.bin.bin as usize).1)),
        },
        Column {
            name: "observations",
            meaning: "the firm's customer decisions in the period with CS in the bin (a bin without any has no row)",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.bin.observations),
        },
        Column {
            name: "stayed",
            meaning: "of those, decisions to stay",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.bin.stayed),
        },
        Column {
            name: "cs_mean",
            meaning: "mean CS of those decisions",
            dtype: Dtype::Float,
            value: |r| per_obs(r.bin.sum_cs, r.bin.observations),
        },
        Column {
            name: "cl_theory",
            meaning: "mean 1 − P(defect) of those decisions: the retention the model expects for them",
            dtype: Dtype::Float,
            value: |r| per_obs(r.bin.sum_cl, r.bin.observations),
        },
    ]
}
