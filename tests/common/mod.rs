//! Helpers shared by the integration tests that run the binary.
#![allow(dead_code)] // each test crate uses a different subset

use std::ffi::OsStr;
use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output};

/// The shipped scenarios' folder.
pub const SCENARIOS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");

pub const BIN: &str = env!("CARGO_BIN_EXE_loyalsim");

/// A command for the binary, with no inherited thread setting so runs are comparable.
pub fn loyalsim() -> Command {
    let mut c = Command::new(BIN);
    c.env_remove("RAYON_NUM_THREADS");
    c
}

pub fn output_of(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot start {BIN}: {e}"))
}

/// A failed command, its exit code and both streams, for an assertion message.
pub fn describe(cmd_line: &str, out: &Output) -> String {
    format!(
        "`{cmd_line}` exited with {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Checks that every CSV file loyalsim wrote into `dir` is a declared table
/// (`loyalsim::report::columns::tables`) with its declared header, and that every cell
/// is in its column's type's one spelling (docs/scenario.md, "Columns"): an int plainly,
/// a float with a decimal point, `inf`, `-inf` or empty, never `0` or `NaN`. A sweep's
/// swept columns, named by their paths (`swept.PATH` where the file has a column PATH),
/// have the types `swept` gives. Returns the
/// files checked.
pub fn assert_typed_csvs(
    dir: &std::path::Path,
    swept: &[(&str, loyalsim::report::columns::Dtype)],
) -> Vec<String> {
    use loyalsim::report::columns::{Dtype, Entry, tables};
    let declared = tables();
    let mut checked = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !name.ends_with(".csv") {
            continue;
        }
        let (_, entries) = declared
            .iter()
            .find(|(file, _)| *file == name)
            .unwrap_or_else(|| panic!("{name}: a CSV file not declared in columns::tables"));
        let columns: Vec<(String, Dtype)> = entries
            .iter()
            .flat_map(|e| match e {
                Entry::Column(c) => vec![(c.name.clone(), c.dtype)],
                Entry::Swept => swept
                    .iter()
                    .map(|(p, d)| (loyalsim::report::columns::swept_column(&name, p), *d))
                    .collect(),
            })
            .collect();
        let path = dir.join(&name);
        let mut reader = csv::Reader::from_path(&path).unwrap();
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        let names: Vec<&String> = columns.iter().map(|c| &c.0).collect();
        assert_eq!(header.iter().collect::<Vec<_>>(), names, "{name}: header");
        for (i, row) in reader.records().enumerate() {
            let row = row.unwrap();
            for ((column, dtype), cell) in columns.iter().zip(row.iter()) {
                let ok = match dtype {
                    Dtype::Int => cell.parse::<i64>().is_ok(),
                    Dtype::Float => {
                        matches!(cell, "" | "inf" | "-inf")
                            || (cell.contains('.')
                                && !cell.contains(['e', 'E'])
                                && cell.parse::<f64>().is_ok())
                    }
                    Dtype::String => true,
                };
                assert!(
                    ok,
                    "{name}: row {}: `{column}` = {cell:?} is not {dtype:?}",
                    i + 1
                );
            }
        }
        checked.push(name);
    }
    checked.sort();
    checked
}

/// The shipped scenario files, found at test time: `scenarios/` and
/// `scenarios/literature/` (without the calibration target files), sorted.
pub fn shipped_scenarios() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = [SCENARIOS.to_string(), format!("{SCENARIOS}/literature")]
        .iter()
        .flat_map(|dir| {
            fs::read_dir(dir)
                .unwrap_or_else(|e| panic!("cannot list {dir}: {e}"))
                .map(|entry| entry.expect("a directory entry").path())
        })
        .filter(|p| p.extension() == Some(OsStr::new("toml")))
        .filter(|p| !p.to_string_lossy().ends_with(".target.toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no scenario files found in {SCENARIOS}");
    files
}
