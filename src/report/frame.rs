//! A run's tables as typed columns in memory: what the CSV files hold, for front ends
//! that hand tables over without a file (the Python package builds Arrow arrays from
//! them, so a notebook gets frames without parsing text).
//!
//! The columns are the declared ones ([`super::columns`]), walked over the same rows
//! the CSV exporters write, so a frame has the file's columns, in its order, of its
//! types: an `int` column as 64-bit integers, a `float` column as doubles with a mask
//! of the cells that are missing (an empty cell in the file), a `string` column as
//! text. The one difference is the spelling the files need: a float here is the
//! double itself, where the CSV rounds it to nine decimals
//! (`frames_hold_what_the_csv_files_hold`).

use super::RunReport;
use super::columns::{self, Cell, Column, Dtype};

/// The values of a column, in its declared type.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    Int(Vec<i64>),
    /// The values and, for each, whether it is present (false: missing, as an empty
    /// cell of the CSV; the value is then NaN).
    Float(Vec<f64>, Vec<bool>),
    Text(Vec<String>),
}

impl Values {
    pub fn len(&self) -> usize {
        match self {
            Values::Int(v) => v.len(),
            Values::Float(v, _) => v.len(),
            Values::Text(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A declared column and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameColumn {
    pub name: &'static str,
    pub meaning: &'static str,
    pub dtype: Dtype,
    pub values: Values,
}

/// One table of a run: the rows of the file `{name}.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// The table's name, its file's stem: `timeseries`, `curve`, …
    pub name: &'static str,
    pub columns: Vec<FrameColumn>,
}

impl Frame {
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.values.len())
    }
}

/// The declared `columns` of `rows`, as typed columns.
fn frame<R>(name: &'static str, columns: &[Column<R>], rows: impl Iterator<Item = R>) -> Frame {
    let mut values: Vec<Values> = columns
        .iter()
        .map(|c| match c.dtype {
            Dtype::Int => Values::Int(Vec::new()),
            Dtype::Float => Values::Float(Vec::new(), Vec::new()),
            Dtype::String => Values::Text(Vec::new()),
        })
        .collect();
    for row in rows {
        for (c, v) in columns.iter().zip(values.iter_mut()) {
            match (v, (c.value)(&row)) {
                (Values::Int(v), Cell::Int(i)) => v.push(i64::try_from(i).unwrap_or(i64::MAX)),
                (Values::Int(v), Cell::Signed(i)) => v.push(i),
                (Values::Float(v, present), Cell::Float(x)) => {
                    let x = x.filter(|x| !x.is_nan());
                    v.push(x.unwrap_or(f64::NAN));
                    present.push(x.is_some());
                }
                (Values::Text(v), Cell::Text(t)) => v.push(t),
                (_, cell) => panic!(
                    "column `{}` is declared {} and gave {cell:?}",
                    c.name,
                    c.dtype.name()
                ),
            }
        }
    }
    Frame {
        name,
        columns: columns
            .iter()
            .zip(values)
            .map(|(c, values)| FrameColumn {
                name: c.name,
                meaning: c.meaning,
                dtype: c.dtype,
                values,
            })
            .collect(),
    }
}

impl RunReport<'_> {
    /// The run's tables, in the order (and with the names) of its CSV files.
    pub fn frames(&self) -> Vec<Frame> {
        vec![
            frame("timeseries", &columns::timeseries(), self.timeseries_rows()),
            frame("curve", &columns::curve(), self.curve_rows()),
            frame(
                "curve_by_period",
                &columns::curve_by_period(),
                self.curve_by_period_rows(),
            ),
            frame("survey", &columns::survey(), self.survey_rows()),
            frame("complaints", &columns::complaints(), self.complaint_rows()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Simulation;
    use crate::report::export::run_exporters;
    use crate::scenario::Scenario;
    use std::time::Duration;

    /// Every CSV file of a run is a frame of the same name, columns and rows, and each
    /// cell written from the frame is the file's cell.
    #[test]
    fn frames_hold_what_the_csv_files_hold() {
        let text = "name = \"frames\"\nseed = 3\ncustomers = 600\nperiods = 8\n\
                    [complaints]\nrate = 0.7\n[survey]\nevery = 2\n";
        let scenario = Scenario::parse(text, "frames.toml", &[]).expect("a valid scenario");
        let results = Simulation::new(&scenario).run(scenario.periods);
        let report = RunReport {
            scenario: &scenario,
            results: &results,
            elapsed: Duration::ZERO,
            threads: 1,
            warnings: &[],
        };
        let frames = report.frames();
        let csv_files: Vec<_> = run_exporters()
            .into_iter()
            .filter(|e| e.file_name().ends_with(".csv"))
            .collect();
        assert_eq!(frames.len(), csv_files.len(), "a frame per CSV file");
        for (frame, exporter) in frames.iter().zip(&csv_files) {
            assert_eq!(format!("{}.csv", frame.name), exporter.file_name());
            let mut bytes = Vec::new();
            exporter.write(&report, &mut bytes).expect("written");
            let mut reader = ::csv::Reader::from_reader(bytes.as_slice());
            let header: Vec<String> = reader
                .headers()
                .expect("a header")
                .iter()
                .map(String::from)
                .collect();
            let names: Vec<&str> = frame.columns.iter().map(|c| c.name).collect();
            assert_eq!(header, names, "{}", frame.name);
            let records: Vec<::csv::StringRecord> =
                reader.records().map(|r| r.expect("a record")).collect();
            assert_eq!(records.len(), frame.rows(), "{}", frame.name);
            assert!(frame.rows() > 0, "{} has rows to compare", frame.name);
            for (i, record) in records.iter().enumerate() {
                for (c, field) in frame.columns.iter().zip(record.iter()) {
                    let cell = match &c.values {
                        Values::Int(v) => Cell::Signed(v[i]),
                        Values::Float(v, present) => Cell::Float(present[i].then_some(v[i])),
                        Values::Text(v) => Cell::Text(v[i].clone()),
                    };
                    assert_eq!(cell.to_csv(), field, "{} row {i} `{}`", frame.name, c.name);
                }
            }
        }
    }
}
