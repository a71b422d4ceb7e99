//! A finished slice checked and published: its files read back against the runs it
//! should hold, then the summary, the Markdown table, the scenario and the manifest
//! written beside them, and the folder moved into place.

use super::measure::{RunBlocks, is_run, measure};
use super::{CURVE, CURVE_RUNS, MANIFEST, SCENARIO, SENSITIVITY, STATE, SUMMARY, SWEEP, csv_files};
use crate::parameter::{Plan, TimeseriesFormat};
use crate::report::atomic::{self, Target};
use crate::sweep::parquet::{self as pq, Schema};
use crate::sweep::{
    FileRecord, Finished, Manifest, SweepError, Then, curve, io_at, sensitivity, summary,
};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// Checks the finished files, writes the summary, the Markdown table, the scenario and
/// the manifest, lets `then` add to the finished folder (the charts), then moves the
/// work folder into place. Returns the Markdown table. Should `then` fail, the state
/// is still there: running the sweep again finishes it without running anything.
pub fn finish(
    work: &Path,
    target: &Target,
    scenario_toml: String,
    plan: &Plan,
    manifest: &Manifest,
    then: Then,
) -> Result<String, SweepError> {
    let again = format!("delete {} to run the sweep afresh", work.display());
    let markdown = finish_files(work, scenario_toml, plan, manifest, &again)?;
    then(work)?;
    let _ = fs::remove_file(work.join(STATE));
    atomic::place(target, work).map_err(io_at(target.dir()))?;
    Ok(markdown)
}

pub(super) fn finish_files(
    work: &Path,
    scenario_toml: String,
    plan: &Plan,
    manifest: &Manifest,
    again: &str,
) -> Result<String, SweepError> {
    let paths = &plan.paths;
    let files = check_finished(work, plan, manifest, again)?;
    let sweep_csv = work.join(SWEEP);
    let points =
        summary::write(&sweep_csv, &work.join(SUMMARY), paths.len()).map_err(|(path, e)| {
            if path == sweep_csv {
                SweepError::Failed(format!("{}: cannot read it back: {e}", path.display()))
            } else {
                io_at(&path)(e)
            }
        })?;
    let (runs_csv, curve_csv) = (work.join(CURVE_RUNS), work.join(CURVE));
    curve::pool(&runs_csv, &curve_csv, paths.len()).map_err(|e| {
        SweepError::Failed(format!(
            "{}: cannot pool the curves: {e}",
            runs_csv.display()
        ))
    })?;
    // A whole sweep keeps the pooled curves only; a shard keeps its runs' for the merge.
    let mut files = files;
    if manifest.shard.count == 1 {
        fs::remove_file(&runs_csv).map_err(io_at(&runs_csv))?;
        files.remove(CURVE_RUNS);
    }
    let mut markdown = summary::markdown(
        &manifest.name,
        paths,
        &points,
        manifest.end - manifest.start,
    );
    if !manifest.warnings.is_empty() {
        markdown.push_str("\nWarnings when the sweep began (also in manifest.json):\n\n");
        for w in &manifest.warnings {
            markdown.push_str(&format!("- {w}\n"));
        }
    }
    // A sensitivity design is analysed once every run is in: by a whole sweep, or by
    // the merge of its shards (a shard alone holds part of the design).
    if let Some(analysis) = &plan.analysis {
        if manifest.shard.count == 1 {
            let study = sensitivity::analyze(&sweep_csv, plan, analysis).map_err(|e| {
                SweepError::Failed(format!("{}: cannot read it back: {e}", sweep_csv.display()))
            })?;
            let csv = work.join(SENSITIVITY);
            sensitivity::write_csv(&csv, &study).map_err(io_at(&csv))?;
            markdown.push_str(&sensitivity::markdown(&study, &analysis.kind));
        } else {
            markdown.push_str(
                "
This shard holds part of a sensitivity design: `loyalsim merge` of every \
                 shard writes the indices (sensitivity.csv).\n",
            );
        }
    }
    let md = work.join(format!("{}.md", manifest.name));
    fs::write(&md, &markdown).map_err(io_at(&md))?;
    let sc = work.join(SCENARIO);
    fs::write(&sc, scenario_toml).map_err(io_at(&sc))?;
    // The manifest last: a folder with one is finished.
    let finished = Finished {
        manifest: manifest.clone(),
        files,
    };
    let m = work.join(MANIFEST);
    let text = serde_json::to_string_pretty(&finished).expect("manifest serialises") + "\n";
    fs::write(&m, text).map_err(io_at(&m))?;
    Ok(markdown)
}

/// Checks that `sweep.csv` holds every run of the slice once, in order, that every row
/// of a CSV file is whole and that every Parquet part holds its runs in order; returns
/// what the manifest records of them.
fn check_finished(
    work: &Path,
    plan: &Plan,
    manifest: &Manifest,
    again: &str,
) -> Result<BTreeMap<String, FileRecord>, SweepError> {
    let mut files = BTreeMap::new();
    if manifest.timeseries == TimeseriesFormat::Parquet {
        files.extend(check_parts(work, plan, manifest, again)?);
    }
    for &name in csv_files(manifest.timeseries) {
        let path = work.join(name);
        let mut misplaced = None;
        let mut blocks = RunBlocks::new(manifest.start);
        let m = measure(&path, |i, rec| {
            if name == SWEEP && misplaced.is_none() && !is_run(rec, manifest.start + i) {
                misplaced = Some(i);
            }
            if name == CURVE_RUNS {
                blocks.see(i, rec);
            }
        })
        .map_err(|e| SweepError::Failed(format!("{}: cannot read it back: {e}", path.display())))?;
        let wrong = |what: String| {
            SweepError::Failed(format!(
                "{}: {what}; the sweep was not published: {again}",
                path.display()
            ))
        };
        if let Some((row, fields)) = m.ragged {
            return Err(wrong(format!(
                "row {row} has {fields} fields, the header {}",
                m.header.len()
            )));
        }
        if name == SWEEP {
            let runs = manifest.end - manifest.start;
            if m.record.rows != runs {
                return Err(wrong(format!(
                    "holds {} runs, expected {runs}",
                    m.record.rows
                )));
            }
            if let Some(i) = misplaced {
                return Err(wrong(format!(
                    "row {} is not run {}",
                    i + 1,
                    manifest.start + i
                )));
            }
        }
        if name == CURVE_RUNS {
            blocks.check(manifest.end).map_err(wrong)?;
        }
        files.insert(name.to_string(), m.record);
    }
    Ok(files)
}

/// Checks the Parquet parts of a finished slice: exactly the blocks of its runs, each
/// holding them in order.
fn check_parts(
    work: &Path,
    plan: &Plan,
    manifest: &Manifest,
    again: &str,
) -> Result<Vec<(String, FileRecord)>, SweepError> {
    let schema = Schema::new(plan);
    let dir = work.join(pq::DIR);
    let wrong = |path: &Path, what: String| {
        SweepError::Failed(format!(
            "{}: {what}; the sweep was not published: {again}",
            path.display()
        ))
    };
    let mut expected = Vec::new();
    let mut out = Vec::new();
    for (k, a, b) in pq::blocks(manifest.start, manifest.end) {
        let path = dir.join(pq::part_name(k));
        let rows = pq::check_part(&path, &schema, a, b).map_err(|m| wrong(&path, m))?;
        let (bytes, crc32) = pq::measure(&path).map_err(|e| {
            SweepError::Failed(format!("{}: cannot read it back: {e}", path.display()))
        })?;
        let record = FileRecord { rows, bytes, crc32 };
        expected.push(pq::part_name(k));
        out.push((pq::record_name(k), record));
    }
    // Nothing else: a reader takes every file of the folder as part of the table.
    if dir.exists() || !expected.is_empty() {
        for e in fs::read_dir(&dir).map_err(io_at(&dir))? {
            let name = e.map_err(io_at(&dir))?.file_name();
            let name = name.to_string_lossy();
            if !expected.iter().any(|n| *n == name) {
                return Err(wrong(
                    &dir,
                    format!("holds {name}, which is not a part of it"),
                ));
            }
        }
    }
    Ok(out)
}
