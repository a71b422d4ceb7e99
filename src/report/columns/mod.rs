//! The columns of the tidy tables, declared as data.
//!
//! Each table is a list of [`Column`]s: a name (the CSV header, the same word as in the
//! code and the docs), what it means, its type, and how to read it from a row. Writers,
//! docs and tests all walk these lists, so adding a measure is one line here, as in the
//! data collectors of Mesa and Agents.jl.
//!
//! The type is declared, not left to the reader to guess, because the files are read by
//! tools that guess it from the text: pandas, Polars and DuckDB take a column of `0`
//! and `1` for integers and then fail (Polars) or change type from run to run (pandas)
//! when another run writes `0.5`. So every cell of a column is written in its type's
//! one spelling: an integer plainly, a float always with a decimal point (`0.0`, never
//! `0`), infinity as `inf` (which all three read as a float), a missing value as an
//! empty cell. [`tables`] lists every file's columns with their types for the docs
//! (docs/scenario.md) and for the test that loads the files in those tools
//! (tests/python/), from these declarations, so neither can drift from the writers.

mod cell;
mod run;
mod schema;
mod sweep;
#[cfg(test)]
mod tests;
mod timeseries;

pub use crate::dtype::{Dtype, exact_float};
pub use cell::{Cell, csv_float, push_csv_field, push_csv_record};
pub use run::{
    ComplaintRow, CurveRow, PeriodCurveRow, SurveyRow, complaints, curve, curve_by_period, survey,
};
pub use schema::{Described, Entry, swept_column, tables};
pub use sweep::{BIN, SUMMARY_STATS, SWEEP_CURVE, sweep_metrics, sweep_run};
pub use timeseries::{TimeseriesRow, timeseries};

/// A declared column of rows of type `R`.
pub struct Column<R> {
    pub name: &'static str,
    pub meaning: &'static str,
    /// The type of every cell `value` gives (`columns_have_their_declared_types`).
    pub dtype: Dtype,
    pub value: fn(&R) -> Cell,
}
