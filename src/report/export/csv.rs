//! `timeseries.csv`, `curve.csv`, `curve_by_period.csv`, `survey.csv` and
//! `complaints.csv`: tidy tables, one row per observation unit, headers
//! from the declared columns.

use super::Exporter;
use crate::report::RunReport;
use crate::report::columns::{self, Column};
use std::io::{self, Write};

fn write_table<R>(
    columns: &[Column<R>],
    rows: impl Iterator<Item = R>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record(columns.iter().map(|c| c.name))?;
    let mut cell = Vec::new();
    for row in rows {
        for c in columns {
            cell.clear();
            (c.value)(&row).write_csv(&mut cell);
            w.write_field(&cell)?;
        }
        w.write_record(None::<&[u8]>)?;
    }
    w.flush()
}

pub struct Timeseries;

impl Exporter for Timeseries {
    fn file_name(&self) -> &'static str {
        "timeseries.csv"
    }
    fn write(&self, report: &RunReport, out: &mut dyn Write) -> io::Result<()> {
        write_table(&columns::timeseries(), report.timeseries_rows(), out)
    }
}

pub struct Curve;

impl Exporter for Curve {
    fn file_name(&self) -> &'static str {
        "curve.csv"
    }
    fn write(&self, report: &RunReport, out: &mut dyn Write) -> io::Result<()> {
        write_table(&columns::curve(), report.curve_rows(), out)
    }
}

pub struct CurveByPeriod;

impl Exporter for CurveByPeriod {
    fn file_name(&self) -> &'static str {
        "curve_by_period.csv"
    }
    fn write(&self, report: &RunReport, out: &mut dyn Write) -> io::Result<()> {
        write_table(
            &columns::curve_by_period(),
            report.curve_by_period_rows(),
            out,
        )
    }
}

pub struct Survey;

impl Exporter for Survey {
    fn file_name(&self) -> &'static str {
        "survey.csv"
    }
    fn write(&self, report: &RunReport, out: &mut dyn Write) -> io::Result<()> {
        write_table(&columns::survey(), report.survey_rows(), out)
    }
}

pub struct Complaints;

impl Exporter for Complaints {
    fn file_name(&self) -> &'static str {
        "complaints.csv"
    }
    fn write(&self, report: &RunReport, out: &mut dyn Write) -> io::Result<()> {
        write_table(&columns::complaints(), report.complaint_rows(), out)
    }
}
