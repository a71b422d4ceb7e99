//! `scenario.toml`: the resolved scenario, every default and override spelled out, so
//! `loyalsim run output/NAME/scenario.toml` repeats the run.

use super::Exporter;
use crate::report::RunReport;
use std::io::{self, Write};

pub struct ResolvedScenario;

impl Exporter for ResolvedScenario {
    fn file_name(&self) -> &'static str {
        "scenario.toml"
    }
    fn write(&self, report: &RunReport, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "# Resolved scenario of this run: defaults and --set overrides included."
        )?;
        out.write_all(report.scenario.to_toml().as_bytes())
    }
}
