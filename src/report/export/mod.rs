//! One file per format, behind a small trait.

mod csv;
pub mod json;
mod toml;

use super::RunReport;
use std::io::{self, Write};

/// Writes one file of a run's results.
pub trait Exporter {
    /// The file's name inside the results folder.
    fn file_name(&self) -> &'static str;
    fn write(&self, report: &RunReport, out: &mut dyn Write) -> io::Result<()>;
}

/// The files `loyalsim run` writes, in order.
pub fn run_exporters() -> Vec<Box<dyn Exporter>> {
    vec![
        Box::new(csv::Timeseries),
        Box::new(csv::Curve),
        Box::new(csv::CurveByPeriod),
        Box::new(csv::Survey),
        Box::new(csv::Complaints),
        Box::new(json::Summary),
        Box::new(toml::ResolvedScenario),
    ]
}
