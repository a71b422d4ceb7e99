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

use crate::engine::tally::{Bins, CurveBin, FirmTally, PeriodBin, SurveyTally};
use crate::model::CustomerType;
use crate::parameter::Run;
use crate::stats::wilson;

/// The type of a column, as a reader should load it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dtype {
    /// A whole number, written plainly (`0`, `-3`); never missing.
    Int,
    /// A real number with a decimal point (`0.0`, `0.5`), `inf` or `-inf`, or missing
    /// (an empty cell) where it is undefined.
    Float,
    /// Text, quoted as CSV needs; empty when there is none.
    String,
}

impl Dtype {
    /// The name the docs and the schema use.
    pub fn name(self) -> &'static str {
        match self {
            Dtype::Int => "int",
            Dtype::Float => "float",
            Dtype::String => "string",
        }
    }
}

/// One value of a cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Int(u64),
    Signed(i64),
    /// A number, or missing (written as an empty cell) where it is undefined.
    Float(Option<f64>),
    Text(String),
}

impl Cell {
    /// The type of a column of such cells.
    pub fn dtype(&self) -> Dtype {
        match self {
            Cell::Int(_) | Cell::Signed(_) => Dtype::Int,
            Cell::Float(_) => Dtype::Float,
            Cell::Text(_) => Dtype::String,
        }
    }

    /// The CSV text: integers plainly; floats rounded to 9 decimals (far below any
    /// sampling error, and free of rounding noise such as 0.49999999999995) in shortest
    /// form, always with a decimal point (`1.0`, `0.0`), infinity as `inf`; missing and
    /// NaN (undefined, as 0/0) as an empty cell.
    pub fn to_csv(&self) -> String {
        let mut out = Vec::new();
        self.write_csv(&mut out);
        String::from_utf8(out).expect("cells are UTF-8")
    }

    /// Appends [`Cell::to_csv`]'s text to `out`, without allocating: a sweep writes
    /// hundreds of millions of cells.
    pub fn write_csv(&self, out: &mut Vec<u8>) {
        match self {
            Cell::Int(i) => push_digits(out, *i),
            Cell::Signed(i) => {
                if *i < 0 {
                    out.push(b'-');
                }
                push_digits(out, i.unsigned_abs());
            }
            Cell::Float(None) => {}
            Cell::Float(Some(x)) if x.is_nan() => {}
            Cell::Float(Some(x)) if x.is_infinite() => {
                out.extend_from_slice(if *x > 0.0 { &b"inf"[..] } else { &b"-inf"[..] });
            }
            Cell::Float(Some(x)) => push_rounded(out, *x),
            Cell::Text(t) => out.extend_from_slice(t.as_bytes()),
        }
    }
}

/// `x` unrounded in a float column's spelling: the shortest form that reads back as
/// `x`, with a decimal point (`1.0`), `inf`, `-inf`, or empty for NaN. For values a
/// user gave (a sweep's swept values), which are written as they were run.
pub fn exact_float(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.to_string()
    } else {
        let mut s = (x + 0.0).to_string();
        if !s.contains('.') {
            s.push_str(".0");
        }
        s
    }
}

/// Appends `field` to a CSV record in `out` as the `csv` crate writes it by default:
/// quoted, with quotes doubled, when it holds a comma, a quote or a line break, else
/// as it is. Numbers never need quotes.
pub fn push_csv_field(out: &mut Vec<u8>, field: &[u8]) {
    if field
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
    {
        out.push(b'"');
        for &b in field {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(field);
    }
}

/// Appends a record of `cells` to `out` after `prefix` (fields already in CSV form,
/// each followed by a comma, or empty), ending it with a line feed: the bytes
/// `csv::Writer` writes for the same fields with its defaults, without its per-field
/// bookkeeping (a sweep writes hundreds of millions of cells). A record of a single
/// empty field is not one of ours (the `csv` crate would quote it).
pub fn push_csv_record(out: &mut Vec<u8>, prefix: &[u8], cells: impl Iterator<Item = Cell>) {
    out.extend_from_slice(prefix);
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match cell {
            Cell::Text(t) => push_csv_field(out, t.as_bytes()),
            number => number.write_csv(out),
        }
    }
    out.push(b'\n');
}

/// The decimal digits of `v`.
fn push_digits(out: &mut Vec<u8>, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// `x` (finite) rounded to 9 decimals, in the shortest form that reads back as that
/// rounded double (Rust's `Display` of it, which never uses an exponent), with `.0`
/// after a whole number so that every reader takes the column for floats.
///
/// Below 10⁶ in magnitude the doubles are less than 10⁻⁹ / 8 apart, so no other decimal
/// of at most 9 places reads back as the rounded value `n / 10⁹`, and no shorter
/// decimal can either: its shortest form is `n / 10⁹` written out with trailing zeros
/// dropped, which is done here with integer arithmetic instead of the general
/// shortest-form search. Larger values (and NaN) take `Display`.
/// `tests::fast_cells_are_display_cells` compares the two on millions of values.
fn push_rounded(out: &mut Vec<u8>, x: f64) {
    let scaled = (x * 1e9).round();
    if scaled.abs() < 1e15 {
        let n = scaled as i64;
        if n < 0 {
            out.push(b'-');
        }
        let m = n.unsigned_abs();
        push_digits(out, m / 1_000_000_000);
        let mut fraction = m % 1_000_000_000;
        if fraction == 0 {
            out.extend_from_slice(b".0");
        } else {
            let mut places = 9;
            while fraction.is_multiple_of(10) {
                fraction /= 10;
                places -= 1;
            }
            out.push(b'.');
            let mut digits = [b'0'; 9];
            for d in digits[..places].iter_mut().rev() {
                *d = b'0' + (fraction % 10) as u8;
                fraction /= 10;
            }
            out.extend_from_slice(&digits[..places]);
        }
    } else {
        out.extend_from_slice(display_rounded(x).as_bytes());
    }
}

/// The number a float cell's CSV text reads back as: `x` rounded to 9 decimals (as
/// `push_rounded` and `display_rounded` write it), infinity and NaN as they are. A
/// binary format that stores this holds the same numbers as the CSV, to the bit.
pub fn csv_float(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let scaled = x * 1e9;
    // From 2⁵³ / 10⁹ (about 9·10⁶) on, doubles are further apart than 10⁻⁹: rounding
    // to 9 decimals gives `x` back, and scaling back down would only add noise.
    // + 0.0: a negative number that rounds to zero is written `0.0`, which reads as +0.
    if scaled.abs() < 9_007_199_254_740_992.0 {
        scaled.round() / 1e9 + 0.0
    } else {
        x + 0.0
    }
}

/// The general form of [`push_rounded`]: `Display` of the rounded value, with `.0`
/// when it has no decimal point.
fn display_rounded(x: f64) -> String {
    let mut text = csv_float(x).to_string();
    if !text.contains('.') {
        text.push_str(".0");
    }
    text
}

/// A declared column of rows of type `R`.
pub struct Column<R> {
    pub name: &'static str,
    pub meaning: &'static str,
    /// The type of every cell `value` gives (`columns_have_their_declared_types`).
    pub dtype: Dtype,
    pub value: fn(&R) -> Cell,
}

/// One row of `timeseries.csv`: a firm in a period.
pub struct TimeseriesRow {
    pub period: u32,
    pub firm: String,
    /// Customers of all firms at the start of the period.
    pub market_customers: u64,
    pub prospects: u64,
    pub tally: FirmTally,
    /// Whether the firm was in the market during the period.
    pub present: bool,
    /// Labels of the events that fired at the start of the period, `; `-separated.
    pub events: String,
}

fn ratio(a: u64, b: u64) -> Cell {
    Cell::Float((b > 0).then(|| a as f64 / b as f64))
}

macro_rules! type_column {
    ($t:expr, $name:literal, $meaning:literal) => {
        Column {
            name: $name,
            meaning: $meaning,
            dtype: Dtype::Int,
            value: |r: &TimeseriesRow| Cell::Int(r.tally.count($t)),
        }
    };
}

/// The columns of `timeseries.csv`.
pub fn timeseries() -> Vec<Column<TimeseriesRow>> {
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
            name: "customers",
            meaning: "customers at the start of the period (each made a decision)",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.tally.customers),
        },
        Column {
            name: "share",
            meaning: "customers / customers of all firms",
            dtype: Dtype::Float,
            value: |r| ratio(r.tally.customers, r.market_customers),
        },
        Column {
            name: "acquisitions",
            meaning: "customers who joined during the period (prospects and switchers)",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.tally.acquisitions),
        },
        Column {
            name: "defections",
            meaning: "customers who left during the period",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.tally.defections),
        },
        Column {
            name: "defections_to_outside",
            meaning: "leavers who stopped buying rather than switch",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.tally.to_outside),
        },
        Column {
            name: "retention",
            meaning: "1 − defections / customers",
            dtype: Dtype::Float,
            value: |r| Cell::Float(r.tally.retention()),
        },
        Column {
            name: "intenders",
            meaning: "customers who intended to leave (defected or held as hostages)",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.tally.intenders),
        },
        Column {
            name: "mean_cs",
            meaning: "mean cumulative satisfaction (1 to 5) after the period's experience",
            dtype: Dtype::Float,
            value: |r| Cell::Float(r.tally.mean_cs()),
        },
        Column {
            name: "mean_expectation",
            meaning: "mean expectation of delivered value",
            dtype: Dtype::Float,
            value: |r| Cell::Float(r.tally.mean_expectation()),
        },
        type_column!(
            CustomerType::Apostle,
            "apostles",
            "stayed with CS >= types.apostle"
        ),
        type_column!(
            CustomerType::Loyalist,
            "loyalists",
            "stayed without intending to leave, below the apostle threshold"
        ),
        type_column!(
            CustomerType::Mercenary,
            "mercenaries",
            "left although satisfied (CS >= types.satisfied)"
        ),
        type_column!(
            CustomerType::Hostage,
            "hostages",
            "intended to leave, held by the constraint"
        ),
        type_column!(
            CustomerType::Defector,
            "defectors",
            "left with CS below types.satisfied"
        ),
        type_column!(
            CustomerType::Terrorist,
            "terrorists",
            "CS <= types.terrorist, whether staying or leaving"
        ),
        Column {
            name: "mean_r_eff",
            meaning: "effective R: −ln of the mean chance an intending customer gets over the barriers",
            dtype: Dtype::Float,
            value: |r| Cell::Float(r.tally.mean_r_eff()),
        },
        Column {
            name: "prospects",
            meaning: "people outside the market at the start of the period (same in every row of a period)",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.prospects),
        },
        Column {
            name: "net_adds",
            meaning: "acquisitions − defections: the leaky bucket's net",
            dtype: Dtype::Int,
            value: |r| Cell::Signed(r.tally.acquisitions as i64 - r.tally.defections as i64),
        },
        Column {
            name: "revenue",
            meaning: "price paid by the customers who stayed",
            dtype: Dtype::Float,
            value: |r| Cell::Float(Some(r.tally.revenue)),
        },
        Column {
            name: "margin",
            meaning: "margin earned from the customers who stayed (grows with tenure when firms.margin_growth > 0)",
            dtype: Dtype::Float,
            value: |r| Cell::Float(Some(r.tally.margin)),
        },
        Column {
            name: "acquisition_spend",
            meaning: "acquisition cost × acquisitions",
            dtype: Dtype::Float,
            value: |r| Cell::Float(Some(r.tally.acquisition_spend)),
        },
        Column {
            name: "retention_spend",
            meaning: "retention spend × customers",
            dtype: Dtype::Float,
            value: |r| Cell::Float(Some(r.tally.retention_spend)),
        },
        Column {
            name: "profit",
            meaning: "margin − acquisition_spend − retention_spend",
            dtype: Dtype::Float,
            value: |r| Cell::Float(Some(r.tally.profit())),
        },
        Column {
            name: "wom_positive",
            meaning: "positive word-of-mouth messages about the firm heard this period",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.tally.wom_positive),
        },
        Column {
            name: "wom_negative",
            meaning: "negative word-of-mouth messages about the firm heard this period",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.tally.wom_negative),
        },
        Column {
            name: "complaints",
            meaning: "complaints made this period",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.tally.complaints),
        },
        Column {
            name: "resolved",
            meaning: "complaints resolved this period, after more than complaints.quick periods",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.tally.resolved),
        },
        Column {
            name: "resolved_quickly",
            meaning: "complaints resolved this period within complaints.quick periods",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.tally.resolved_quickly),
        },
        Column {
            name: "unresolved",
            meaning: "complaints given up as unresolved this period",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.tally.unresolved),
        },
        Column {
            name: "present",
            meaning: "1 if the firm was in the market this period, 0 before it enters or after it exits",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.present as u64),
        },
        Column {
            name: "events",
            meaning: "events that fired at the start of the period (same in every row of a period)",
            dtype: Dtype::String,
            value: |r| Cell::Text(r.events.clone()),
        },
    ]
}

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
            meaning: "did_not_complain, complained_unresolved, resolved, resolved_quickly",
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
    super::metrics::run()
        .iter()
        .map(|m| Described {
            name: m.name.to_string(),
            dtype: match m.unit {
                super::metrics::Unit::Count => Dtype::Int,
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

/// A column as the docs and the schema list it.
#[derive(Debug, Clone, PartialEq)]
pub struct Described {
    pub name: String,
    pub dtype: Dtype,
    pub meaning: String,
}

impl<R> From<&Column<R>> for Described {
    fn from(c: &Column<R>) -> Described {
        Described {
            name: c.name.to_string(),
            dtype: c.dtype,
            meaning: c.meaning.to_string(),
        }
    }
}

/// An entry of a file's columns.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Column(Described),
    /// A sweep's swept fields, one column each, named by their paths, with the types
    /// [`crate::parameter::Plan::dtypes`] gives them.
    Swept,
}

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

const BIN_COLUMN: (&str, Dtype, &str) = (BIN.0, Dtype::Int, BIN.1);

fn described<'a>(columns: &'a [(&str, Dtype, &str)]) -> impl Iterator<Item = Entry> + 'a {
    columns.iter().map(|&(name, dtype, meaning)| {
        Entry::Column(Described {
            name: name.into(),
            dtype,
            meaning: meaning.into(),
        })
    })
}

/// The columns of a sensitivity study's `sensitivity.csv` (sweep/sensitivity.rs).
fn sensitivity() -> Vec<Entry> {
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

/// The name of a swept field's column in the sweep file `file`: its path, or
/// `swept.PATH` where the file has a column of that name already (`customers` in the
/// time series: the scenario's, beside each firm's), so that no file has two columns of
/// one name, which Polars refuses to load.
pub fn swept_column(file: &str, path: &str) -> String {
    let taken = tables()
        .into_iter()
        .find(|(f, _)| *f == file)
        .is_some_and(|(_, entries)| {
            entries
                .iter()
                .any(|e| matches!(e, Entry::Column(c) if c.name == path))
        });
    if taken {
        format!("swept.{path}")
    } else {
        path.to_string()
    }
}

/// Every CSV file loyalsim writes, with its columns in order.
pub fn tables() -> Vec<(&'static str, Vec<Entry>)> {
    fn all<R>(columns: &[Column<R>]) -> impl Iterator<Item = Entry> + '_ {
        columns.iter().map(|c| Entry::Column(c.into()))
    }
    let run: Vec<Entry> = all(&sweep_run()).chain([Entry::Swept]).collect();
    let mut summary = vec![
        Entry::Column(Described {
            name: "point".into(),
            dtype: Dtype::Int,
            meaning: "point of the design, from 0".into(),
        }),
        Entry::Swept,
        Entry::Column(Described {
            name: "runs".into(),
            dtype: Dtype::Int,
            meaning: "runs of the point".into(),
        }),
    ];
    for m in sweep_metrics() {
        for (stat, meaning) in SUMMARY_STATS {
            summary.push(Entry::Column(Described {
                name: format!("{}_{stat}", m.name),
                dtype: Dtype::Float,
                meaning: format!("`{}`: {meaning}", m.name),
            }));
        }
    }
    // `point` and the swept fields, then the pooled bin.
    let pooled = summary[..2]
        .iter()
        .cloned()
        .chain(described(&SWEEP_CURVE))
        .collect();
    vec![
        ("timeseries.csv", all(&timeseries()).collect()),
        ("curve.csv", all(&curve()).collect()),
        ("curve_by_period.csv", all(&curve_by_period()).collect()),
        ("survey.csv", all(&survey()).collect()),
        ("complaints.csv", all(&complaints()).collect()),
        (
            "sweep.csv",
            run.iter()
                .cloned()
                .chain(sweep_metrics().into_iter().map(Entry::Column))
                .collect(),
        ),
        (
            "sweep_timeseries.csv",
            run.iter().cloned().chain(all(&timeseries())).collect(),
        ),
        ("sweep_summary.csv", summary),
        ("sweep_curve.csv", pooled),
        (
            "sweep_curve_runs.csv",
            run.iter()
                .cloned()
                .chain(described(&[BIN_COLUMN]))
                .chain(all(&curve()))
                .collect(),
        ),
        ("sensitivity.csv", sensitivity()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_carry_the_required_names() {
        let names: Vec<&str> = timeseries().iter().map(|c| c.name).collect();
        for required in [
            "period",
            "firm",
            "customers",
            "share",
            "acquisitions",
            "defections",
            "retention",
            "mean_cs",
            "mean_expectation",
            "apostles",
            "loyalists",
            "mercenaries",
            "hostages",
            "defectors",
            "terrorists",
            "mean_r_eff",
        ] {
            assert!(names.contains(&required), "{required}");
        }
        let names: Vec<&str> = curve().iter().map(|c| c.name).collect();
        for required in [
            "cs_low",
            "cs_high",
            "observations",
            "stayed",
            "retention",
            "f_theory",
            "cl_theory",
        ] {
            assert!(names.contains(&required), "{required}");
        }
    }

    /// A float cell is a float whatever its value: whole numbers keep `.0`, infinity
    /// is `inf`, and missing or undefined values are empty.
    #[test]
    fn cells_print_missing_and_infinite_values() {
        assert_eq!(Cell::Float(None).to_csv(), "");
        assert_eq!(Cell::Float(Some(f64::INFINITY)).to_csv(), "inf");
        assert_eq!(Cell::Float(Some(0.5)).to_csv(), "0.5");
        assert_eq!(Cell::Float(Some(0.49999999999995826)).to_csv(), "0.5");
        assert_eq!(Cell::Float(Some(0.0)).to_csv(), "0.0");
        assert_eq!(Cell::Float(Some(-0.0)).to_csv(), "0.0");
        assert_eq!(Cell::Float(Some(1.0)).to_csv(), "1.0");
        assert_eq!(Cell::Float(Some(-3.0)).to_csv(), "-3.0");
        assert_eq!(Cell::Float(Some(1959.0)).to_csv(), "1959.0");
        assert_eq!(Cell::Float(Some(0.999_999_999_7)).to_csv(), "1.0");
        assert_eq!(Cell::Float(Some(-1e-12)).to_csv(), "0.0");
        assert_eq!(Cell::Float(Some(1e20)).to_csv(), "100000000000000000000.0");
        assert_eq!(Cell::Float(Some(f64::NEG_INFINITY)).to_csv(), "-inf");
        assert_eq!(Cell::Float(Some(f64::NAN)).to_csv(), "");
        assert_eq!(exact_float(2.0), "2.0");
        assert_eq!(exact_float(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(exact_float(-0.0), "0.0");
        assert_eq!(exact_float(f64::INFINITY), "inf");
        assert_eq!(exact_float(f64::NAN), "");
        assert_eq!(Cell::Int(0).to_csv(), "0");
        assert_eq!(Cell::Int(u64::MAX).to_csv(), u64::MAX.to_string());
        assert_eq!(Cell::Signed(i64::MIN).to_csv(), i64::MIN.to_string());
        assert_eq!(Cell::Signed(-7).to_csv(), "-7");
    }

    /// Records are the `csv` crate's, byte for byte, also for text that needs quotes.
    #[test]
    fn records_are_the_csv_crates() {
        let texts = [
            "",
            "plain",
            "a,b",
            "say \"hi\"",
            "two\nlines",
            "cr\r",
            "; ,\"",
            " x ",
        ];
        let mut theirs = csv::Writer::from_writer(Vec::new());
        let mut ours = Vec::new();
        for (i, t) in texts.iter().enumerate() {
            let cells = || {
                [
                    Cell::Text(t.to_string()),
                    Cell::Int(i as u64),
                    Cell::Float(None),
                    Cell::Float(Some(-0.125)),
                    Cell::Signed(-3),
                    Cell::Text(t.to_string()),
                ]
                .into_iter()
            };
            theirs
                .write_record(
                    ["p,1", "q"]
                        .iter()
                        .map(|s| s.to_string())
                        .chain(cells().map(|c| c.to_csv())),
                )
                .unwrap();
            let mut prefix = Vec::new();
            for p in ["p,1", "q"] {
                push_csv_field(&mut prefix, p.as_bytes());
                prefix.push(b',');
            }
            push_csv_record(&mut ours, &prefix, cells());
        }
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            String::from_utf8(theirs.into_inner().unwrap()).unwrap()
        );
    }

    /// The fast float cells are `Display`'s, over magnitudes from 10⁻¹² to 10¹⁶,
    /// whole numbers, halves at the ninth place and the edges of the fast range.
    #[test]
    fn fast_cells_are_display_cells() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.2,
            0.3,
            1e-9,
            -1e-9,
            5e-10,
            4.9999e-10,
            1.5e-9,
            999_999.999_999_999,
            1e6,
            1e6 + 0.5,
            999_999.999_999_999_5,
            123_456.789_012_345,
        ];
        for _ in 0..2_000_000 {
            let bits = next();
            let mantissa = (bits >> 11) as f64 / (1u64 << 53) as f64;
            let exponent = (bits % 29) as i32 - 12;
            let sign = if bits & 1 << 10 != 0 { -1.0 } else { 1.0 };
            values.push(sign * mantissa * 10f64.powi(exponent));
            values.push(sign * ((bits >> 20) % 100_000) as f64 / 1e3);
            values.push(sign * (((bits >> 12) % 2_000_000_000) as f64 + 0.5) / 1e9);
        }
        for x in values {
            let mut fast = Vec::new();
            push_rounded(&mut fast, x);
            assert_eq!(
                String::from_utf8(fast).unwrap(),
                display_rounded(x),
                "{x:e}"
            );
        }
    }

    /// A small run of every kind of output: complaints, a survey, word of mouth, an
    /// event.
    fn full_run() -> (crate::Scenario, crate::engine::RunResults) {
        let overrides: Vec<crate::scenario::Override> = [
            "customers=1500",
            "periods=32",
            "survey.every=4",
            "word_of_mouth.network=small_world",
        ]
        .iter()
        .map(|o| o.parse().unwrap())
        .collect();
        let s = crate::Scenario::parse(
            include_str!("../../scenarios/service_recovery.toml"),
            "service_recovery",
            &overrides,
        )
        .unwrap();
        let results = crate::engine::Simulation::new(&s).run(s.periods);
        (s, results)
    }

    /// Every cell a column's `value` gives has the column's declared type, in every
    /// table, so the docs and the schema say what the files hold.
    #[test]
    fn columns_have_their_declared_types() {
        fn check<R>(table: &str, columns: &[Column<R>], rows: impl Iterator<Item = R>) {
            let mut n = 0;
            for row in rows {
                n += 1;
                for c in columns {
                    let cell = (c.value)(&row);
                    assert_eq!(cell.dtype(), c.dtype, "{table}: {} = {cell:?}", c.name);
                }
            }
            assert!(n > 0, "{table}: no rows to check");
        }
        let (s, results) = full_run();
        let report = crate::report::RunReport {
            scenario: &s,
            results: &results,
            elapsed: std::time::Duration::ZERO,
            threads: 1,
            warnings: &[],
        };
        check("timeseries", &timeseries(), report.timeseries_rows());
        check("curve", &curve(), report.curve_rows());
        check(
            "curve_by_period",
            &curve_by_period(),
            report.curve_by_period_rows(),
        );
        check("survey", &survey(), report.survey_rows());
        check("complaints", &complaints(), report.complaint_rows());
        let measured = crate::report::metrics::Measured::of(&report);
        for (m, d) in crate::report::metrics::run().iter().zip(sweep_metrics()) {
            let cell = m.cell(&measured);
            assert_eq!(
                cell.dtype(),
                d.dtype,
                "sweep metrics: {} = {cell:?}",
                m.name
            );
        }
        let run = Run {
            index: 3,
            point: 1,
            replicate: 1,
            seed: 7,
        };
        check("sweep runs", &sweep_run(), [run].into_iter());
    }

    /// The generated part of docs/scenario.md: a table of every file's columns.
    fn docs_tables() -> String {
        let mut out = String::from(DOCS_BEGIN);
        out.push('\n');
        for (file, entries) in tables() {
            out.push_str(&format!(
                "\n#### `{file}`\n\n| column | type | meaning |\n| --- | --- | --- |\n"
            ));
            for e in entries {
                out.push_str(&match e {
                    Entry::Column(c) => format!(
                        "| `{}` | {} | {} |\n",
                        c.name,
                        c.dtype.name(),
                        c.meaning.replace('|', "\\|")
                    ),
                    Entry::Swept => "| *one per swept field* | see above | the field's value at the point, named by its path (`swept.PATH` where the file has a column PATH already: `swept.customers` in the time series) |\n".into(),
                });
            }
        }
        out.push('\n');
        out.push_str(DOCS_END);
        out
    }

    /// tests/python/schema.json: every file's columns with their types, for the test
    /// that loads the files in pandas, Polars and DuckDB.
    fn schema_json() -> String {
        let files: serde_json::Map<String, serde_json::Value> = tables()
            .into_iter()
            .map(|(file, entries)| {
                let columns = entries
                    .into_iter()
                    .map(|e| match e {
                        Entry::Column(c) => {
                            serde_json::json!({"name": c.name, "dtype": c.dtype.name()})
                        }
                        Entry::Swept => serde_json::json!({"swept": true}),
                    })
                    .collect();
                (file.to_string(), serde_json::Value::Array(columns))
            })
            .collect();
        let schema = serde_json::json!({
            "about": "The columns of every CSV file loyalsim writes, with their types. \
                      Written from src/report/columns.rs by \
                      `LOYALSIM_WRITE_SCHEMA=1 cargo test --lib columns`; do not edit.",
            "files": files,
        });
        serde_json::to_string_pretty(&schema).unwrap() + "\n"
    }

    const DOCS_BEGIN: &str = "<!-- columns:begin: written from src/report/columns.rs by \
                              `LOYALSIM_WRITE_SCHEMA=1 cargo test --lib columns` -->";
    const DOCS_END: &str = "<!-- columns:end -->";

    /// The docs' column tables and the schema the Python test reads are the
    /// declarations here; `LOYALSIM_WRITE_SCHEMA=1` rewrites them after a change.
    #[test]
    fn docs_and_schema_follow_the_declarations() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let write = std::env::var_os("LOYALSIM_WRITE_SCHEMA").is_some();
        let again = "run `LOYALSIM_WRITE_SCHEMA=1 cargo test --lib columns` to rewrite it";
        let docs_path = root.join("docs/scenario.md");
        let docs = std::fs::read_to_string(&docs_path).unwrap();
        let (begin, end) = (
            docs.find(DOCS_BEGIN)
                .expect("docs/scenario.md has the columns section"),
            docs.find(DOCS_END)
                .expect("docs/scenario.md has the columns section's end"),
        );
        let fresh = format!(
            "{}{}{}",
            &docs[..begin],
            docs_tables(),
            &docs[end + DOCS_END.len()..]
        );
        let schema_path = root.join("tests/python/schema.json");
        let schema = std::fs::read_to_string(&schema_path).unwrap_or_default();
        if write {
            std::fs::write(&docs_path, &fresh).unwrap();
            std::fs::write(&schema_path, schema_json()).unwrap();
        } else {
            assert!(
                docs == fresh,
                "docs/scenario.md's column tables are stale: {again}"
            );
            assert!(
                schema == schema_json(),
                "tests/python/schema.json is stale: {again}"
            );
        }
    }

    #[test]
    fn csv_float_is_the_number_the_csv_text_reads_back_as() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut values = vec![
            0.0,
            -0.0,
            -1e-12,
            5e-10,
            -5e-10,
            0.1 + 0.2,
            999_999.999_999_999_5,
            1e15,
            -3.5e17,
            1e300,
            -1e300,
            f64::MAX,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for _ in 0..300_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mantissa = (state >> 11) as f64 / (1u64 << 53) as f64;
            let exponent = (state % 41) as i32 - 15;
            let sign = if state & 1 << 10 != 0 { -1.0 } else { 1.0 };
            values.push(sign * mantissa * 10f64.powi(exponent));
        }
        for x in values {
            let text = Cell::Float(Some(x)).to_csv();
            let read: f64 = text.parse().unwrap();
            assert_eq!(csv_float(x).to_bits(), read.to_bits(), "{x:e} → {text}");
        }
        assert!(csv_float(f64::NAN).is_nan());
        assert_eq!(
            Cell::Float(Some(f64::NAN)).to_csv(),
            "",
            "NaN is written as missing"
        );
    }
}
