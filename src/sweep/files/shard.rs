//! A finished shard read back for a merge: its manifest, and each of its CSV files and
//! Parquet parts checked against what the manifest records and against the sweep, with
//! how the messages name the shard and what to do about it.

use super::measure::{RunBlocks, is_run, measure};
use super::{CURVE_RUNS, MANIFEST, SCENARIO, SERIES, SWEEP, csv_files};
use crate::parameter::{Plan, TimeseriesFormat};
use crate::sweep::parquet::{self as pq, Schema};
use crate::sweep::{FileRecord, Finished, Headers, SweepError, fnv1a, headers};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub(super) fn read_manifest(dir: &Path) -> Result<Finished, SweepError> {
    let path = dir.join(MANIFEST);
    let text = fs::read_to_string(&path).map_err(|e| {
        SweepError::Input(format!(
            "{}: not a finished sweep folder ({}: {e})",
            dir.display(),
            MANIFEST
        ))
    })?;
    serde_json::from_str(&text)
        .map_err(|e| SweepError::Input(format!("{}: unreadable manifest: {e}", path.display())))
}

/// "shard 2/3 (DIR)": how messages name a shard.
pub(super) fn who(finished: &Finished, dir: &Path) -> String {
    let s = finished.manifest.shard;
    format!("shard {}/{} ({})", s.index, s.count, dir.display())
}

/// What to do about a damaged shard.
pub(super) fn rerun(finished: &Finished, dir: &Path) -> String {
    let s = finished.manifest.shard;
    format!(
        "run that shard again (loyalsim sweep SCENARIO --shard {}/{} --out {})",
        s.index,
        s.count,
        dir.display()
    )
}

fn describe(r: &FileRecord) -> String {
    format!("{} rows, {} bytes, CRC-32 {}", r.rows, r.bytes, r.crc32)
}

/// Checks a shard's data file against its manifest, and its rows against the sweep;
/// returns the length of its header and its record.
pub(super) fn check_shard_file(
    dir: &Path,
    finished: &Finished,
    name: &str,
    header: &[String],
) -> Result<(u64, FileRecord), SweepError> {
    let (who, rerun) = (who(finished, dir), rerun(finished, dir));
    let bad = |what: String| SweepError::Input(format!("{who}: {name} {what}"));
    let recorded = finished
        .files
        .get(name)
        .ok_or_else(|| bad(format!("is not recorded in its manifest.json; {rerun}")))?;
    let start = finished.manifest.start;
    let mut misplaced = None;
    let mut blocks = RunBlocks::new(start);
    let m = match measure(&dir.join(name), |i, rec| {
        if name == SWEEP && misplaced.is_none() && !is_run(rec, start + i) {
            misplaced = Some(i);
        }
        if name == CURVE_RUNS {
            blocks.see(i, rec);
        }
    }) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(bad(format!(
                "is missing (its manifest records {}); {rerun}",
                describe(recorded)
            )));
        }
        Err(e) => {
            return Err(SweepError::Failed(format!(
                "{who}: cannot read {name}: {e}"
            )));
        }
    };
    if m.record != *recorded {
        return Err(bad(format!(
            "does not match its manifest: {} now, {} when the shard finished; it was cut \
             short or edited since: {rerun}",
            describe(&m.record),
            describe(recorded)
        )));
    }
    // The file is the one the shard wrote; a manifest edited to match a damaged file
    // still cannot pass these.
    if !m.header.iter().eq(header.iter().map(|h| h.as_bytes())) {
        return Err(bad(format!(
            "has the header of another sweep; expected {}",
            header.join(",")
        )));
    }
    if let Some((row, fields)) = m.ragged {
        return Err(bad(format!(
            "row {row} has {fields} fields, the header {}; {rerun}",
            header.len()
        )));
    }
    if name == SWEEP {
        let runs = finished.manifest.end - start;
        if m.record.rows != runs {
            return Err(bad(format!(
                "holds {} runs, but the shard has {runs}; {rerun}",
                m.record.rows
            )));
        }
        if let Some(i) = misplaced {
            return Err(bad(format!(
                "row {} is not run {}; {rerun}",
                i + 1,
                start + i
            )));
        }
    }
    if name == CURVE_RUNS {
        blocks
            .check(finished.manifest.end)
            .map_err(|what| bad(format!("{what}; {rerun}")))?;
    }
    Ok((m.header_bytes, m.record))
}

/// Checks part `k` of a shard, holding its runs `[a, b)`, against the shard's manifest
/// and the sweep's columns; returns its path.
pub(super) fn check_shard_part(
    dir: &Path,
    finished: &Finished,
    schema: &Schema,
    k: u64,
    (a, b): (u64, u64),
) -> Result<PathBuf, SweepError> {
    let (who, rerun) = (who(finished, dir), rerun(finished, dir));
    let name = pq::record_name(k);
    let bad = |what: String| SweepError::Input(format!("{who}: {name} {what}"));
    let recorded = finished
        .files
        .get(&name)
        .ok_or_else(|| bad(format!("is not recorded in its manifest.json; {rerun}")))?;
    let path = dir.join(&name);
    let (bytes, crc32) = match pq::measure(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(bad(format!(
                "is missing (its manifest records {}); {rerun}",
                describe(recorded)
            )));
        }
        Err(e) => {
            return Err(SweepError::Failed(format!(
                "{who}: cannot read {name}: {e}"
            )));
        }
    };
    if bytes != recorded.bytes || crc32 != recorded.crc32 {
        return Err(bad(format!(
            "does not match its manifest: {bytes} bytes, CRC-32 {crc32} now, {} when the \
             shard finished; it was cut short or edited since: {rerun}",
            describe(recorded)
        )));
    }
    // The file is the one the shard wrote; a manifest edited to match a damaged file
    // still cannot pass these.
    let rows = pq::check_part(&path, schema, a, b).map_err(|m| bad(format!("{m}; {rerun}")))?;
    if rows != recorded.rows {
        return Err(bad(format!(
            "holds {rows} rows, its manifest records {}; {rerun}",
            recorded.rows
        )));
    }
    Ok(path)
}

/// A streamed file's header.
pub(super) fn header_of<'h>(h: &'h Headers, name: &str) -> &'h [String] {
    match name {
        SWEEP => &h.sweep,
        SERIES => &h.series,
        _ => &h.curve,
    }
}

/// Checks every data file of a finished folder, its CSV files and its Parquet parts,
/// against its manifest and against the sweep's (typed) plan; returns each CSV file's
/// header length and record, in the order of [`csv_files`].
pub(super) fn check_files(
    dir: &Path,
    finished: &Finished,
    plan: &Plan,
) -> Result<Vec<(u64, FileRecord)>, SweepError> {
    let h = headers(plan);
    let mut checked = Vec::new();
    for &name in csv_files(finished.manifest.timeseries) {
        checked.push(check_shard_file(dir, finished, name, header_of(&h, name))?);
    }
    if finished.manifest.timeseries == TimeseriesFormat::Parquet {
        let schema = Schema::new(plan);
        for (k, a, b) in pq::blocks(finished.manifest.start, finished.manifest.end) {
            check_shard_part(dir, finished, &schema, k, (a, b))?;
        }
    }
    Ok(checked)
}

/// The scenario a finished folder ran, checked against the hash its manifest records.
pub(super) fn check_scenario(dir: &Path, finished: &Finished) -> Result<String, SweepError> {
    let path = dir.join(SCENARIO);
    let text = fs::read_to_string(&path).map_err(|e| {
        SweepError::Input(format!(
            "{}: cannot read {SCENARIO}: {e}; {}",
            who(finished, dir),
            rerun(finished, dir)
        ))
    })?;
    let hash = format!("{:016x}", fnv1a(text.as_bytes()));
    if hash != finished.manifest.hash {
        return Err(SweepError::Input(format!(
            "{}: {SCENARIO} is not the scenario the shard ran (hash {hash}, its manifest's \
             {}); it was edited since: {}",
            who(finished, dir),
            finished.manifest.hash,
            rerun(finished, dir)
        )));
    }
    Ok(text)
}
