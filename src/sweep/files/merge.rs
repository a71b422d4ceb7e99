//! The merge of complete shard folders into one result, identical to a single-process
//! sweep's: every shard checked first, then the CSV files concatenated, the Parquet
//! parts copied or rewritten, and the whole finished as a sweep is.

use super::finish::finish_files;
use super::measure::crc_hex;
use super::ready::{check_all_there, read_given};
use super::shard::{check_files, check_scenario, check_shard_part, rerun, who};
use super::{csv_files, fresh};
use crate::parameter::{Plan, TimeseriesFormat};
use crate::report::atomic::{self, Cleanup, Target};
use crate::scenario::Scenario;
use crate::sweep::parquet::{self as pq, Schema};
use crate::sweep::{FileRecord, Finished, Manifest, Shard, SweepError, Then, io_at};
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// Writes the merged Parquet parts: a block that one shard holds whole is its part,
/// copied; a block cut by shard boundaries is written again from its partial parts, as
/// a single process writes it from its pieces.
fn merge_parts(
    work: &Path,
    found: &[(Finished, &PathBuf)],
    schema: &Schema,
    runs: u64,
) -> Result<(), SweepError> {
    let dir = work.join(pq::DIR);
    fs::create_dir_all(&dir).map_err(io_at(&dir))?;
    for (k, a, b) in pq::blocks(0, runs) {
        let mut pieces = Vec::new();
        for (f, d) in found {
            let (from, to) = (a.max(f.manifest.start), b.min(f.manifest.end));
            if from < to {
                pieces.push((f, d, (from, to)));
            }
        }
        let path = dir.join(pq::part_name(k));
        match pieces.as_slice() {
            [(f, d, range)] if *range == (a, b) => {
                let name = pq::record_name(k);
                let mut out = BufWriter::new(File::create(&path).map_err(io_at(&path))?);
                append_checked(
                    &mut out,
                    &path,
                    &d.join(&name),
                    0,
                    &f.files[&name],
                    &who(f, d),
                )?;
                out.flush().map_err(io_at(&path))?;
            }
            _ => {
                // Checked again: a part may have changed since it was checked.
                let parts = pieces
                    .iter()
                    .map(|(f, d, range)| check_shard_part(d, f, schema, k, *range))
                    .collect::<Result<Vec<_>, _>>()?;
                pq::rewrite(schema, &parts, &path)?;
            }
        }
    }
    Ok(())
}

/// Appends the shard's file `src` to `dst` from byte `skip` on, checking on the way that
/// it is still the file checked before.
fn append_checked(
    dst: &mut impl Write,
    dst_path: &Path,
    src: &Path,
    skip: u64,
    recorded: &FileRecord,
    who: &str,
) -> Result<(), SweepError> {
    let name = src.file_name().unwrap_or_default().to_string_lossy();
    let read_err = |e: io::Error| SweepError::Failed(format!("{who}: cannot read {name}: {e}"));
    let mut f = File::open(src).map_err(read_err)?;
    let mut crc = crc32fast::Hasher::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut at = 0u64;
    loop {
        let n = match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(read_err(e)),
        };
        crc.update(&buf[..n]);
        let from = skip.saturating_sub(at).min(n as u64) as usize;
        dst.write_all(&buf[from..n]).map_err(io_at(dst_path))?;
        at += n as u64;
    }
    if at != recorded.bytes || crc_hex(crc) != recorded.crc32 {
        return Err(SweepError::Input(format!(
            "{who}: {name} changed while it was being merged; merge again"
        )));
    }
    Ok(())
}

/// Merges the shard folders into the target: every shard is read and checked against
/// its manifest first, and only then is anything written.
pub fn merge(shards: &[PathBuf], target: &Target, then: Then) -> Result<String, SweepError> {
    let given = read_given(shards)?;
    let Some(first) = given
        .finished
        .first()
        .map(|(f, _)| f.manifest.clone())
        .or_else(|| given.partial.first().map(|p| p.manifest.clone()))
    else {
        return Err(SweepError::Input("merge: no shard folders given".into()));
    };
    let mut found = given.finished.clone();
    for (f, d) in &found {
        let m = &f.manifest;
        // Before the hash, which the format is part of: the message says which differs.
        if m.timeseries != first.timeseries {
            return Err(SweepError::Input(format!(
                "{}: a shard that keeps its time series as {}, but {} keeps them as {}; \
                 the shards of a sweep keep one format: run that shard again with \
                 --timeseries {}",
                d.display(),
                m.timeseries.word(),
                found[0].1.display(),
                first.timeseries.word(),
                first.timeseries.word()
            )));
        }
        if m.loyalsim != first.loyalsim {
            let version = |v: &str| match v {
                "" => "an earlier loyalsim".to_string(),
                v => format!("loyalsim {v}"),
            };
            return Err(SweepError::Input(format!(
                "{}: a shard run by {}, but {} by {}; run the shards with one loyalsim",
                d.display(),
                version(&m.loyalsim),
                found[0].1.display(),
                version(&first.loyalsim)
            )));
        }
        if m.hash == first.hash && m.warnings != first.warnings {
            return Err(SweepError::Input(format!(
                "{}: a shard run with other warnings than {} (another loyalsim, or other \
                 options); run the shards with one command",
                d.display(),
                found[0].1.display()
            )));
        }
        if m.hash != first.hash || m.runs != first.runs || m.shard.count != first.shard.count {
            return Err(SweepError::Input(format!(
                "{}: a shard of another sweep (hash {}, {} runs, {} shards) than {} \
                 (hash {}, {} runs, {} shards)",
                d.display(),
                m.hash,
                m.runs,
                m.shard.count,
                found[0].1.display(),
                first.hash,
                first.runs,
                first.shard.count
            )));
        }
    }
    check_all_there(&given, &first)?;
    found.sort_by_key(|(f, _)| f.manifest.shard.index);
    let out = fs::canonicalize(target.dir()).ok();
    for (f, d) in &found {
        let m = &f.manifest;
        if (m.start, m.end) != m.shard.slice(m.runs) {
            return Err(SweepError::Input(format!(
                "{}: manifest.json says runs {} to {}, which are not shard {}/{} of {} runs; \
                 {}",
                who(f, d),
                m.start,
                m.end,
                m.shard.index,
                m.shard.count,
                m.runs,
                rerun(f, d)
            )));
        }
        if f.files.is_empty() {
            return Err(SweepError::Input(format!(
                "{}: manifest.json records no checksums of the shard's files (written by an \
                 earlier loyalsim), so it cannot be checked; {}",
                who(f, d),
                rerun(f, d)
            )));
        }
        if out.is_some() && fs::canonicalize(d).ok() == out {
            return Err(SweepError::Input(format!(
                "--out {}: is {} itself; choose another folder for the merged sweep",
                target.dir().display(),
                who(f, d)
            )));
        }
    }
    // The scenario each shard ran: the one its manifest's hash names.
    let mut scenario_toml = None;
    for (f, d) in &found {
        let text = check_scenario(d, f)?;
        scenario_toml.get_or_insert(text);
    }
    let scenario_toml = scenario_toml.expect("at least one shard");
    let base = Scenario::parse(&scenario_toml, "merged sweep", &[])
        .map_err(|e| SweepError::Input(e.to_string()))?;
    let sweep = base
        .sweep
        .clone()
        .ok_or_else(|| SweepError::Input("merge: the shards' scenario has no [sweep]".into()))?;
    let base_table = {
        let mut b = base.clone();
        b.sweep = None;
        b.to_table()
    };
    let plan = Plan::new(&sweep, base.seed)
        .and_then(|p| p.typed(&base_table))
        .map_err(|e| SweepError::Input(e.to_string()))?;
    let csv = csv_files(first.timeseries);
    let checked = found
        .iter()
        .map(|(f, d)| check_files(d, f, &plan))
        .collect::<Result<Vec<_>, _>>()?;
    let schema = (first.timeseries == TimeseriesFormat::Parquet).then(|| Schema::new(&plan));
    // Written in a work folder of the merge's own, so that an interrupted sweep's
    // `.NAME.sweep-partial` beside it is left alone; removed if anything fails.
    let work = target.sibling("merge-partial");
    fresh(&work)?;
    let mut cleanup = Cleanup::new(&work);
    for (k, &name) in csv.iter().enumerate() {
        let path = work.join(name);
        let mut out = BufWriter::new(File::create(&path).map_err(io_at(&path))?);
        for (i, ((f, d), c)) in found.iter().zip(&checked).enumerate() {
            let (header_bytes, record) = &c[k];
            let skip = if i == 0 { 0 } else { *header_bytes };
            append_checked(&mut out, &path, &d.join(name), skip, record, &who(f, d))?;
        }
        out.flush().map_err(io_at(&path))?;
    }
    if let Some(schema) = &schema {
        merge_parts(&work, &found, schema, first.runs)?;
    }
    let manifest = Manifest {
        shard: Shard::WHOLE,
        start: 0,
        end: first.runs,
        ..first.clone()
    };
    let again = "merge again";
    let markdown = finish_files(&work, scenario_toml, &plan, &manifest, again)?;
    then(&work)?;
    atomic::place(target, &work).map_err(io_at(target.dir()))?;
    cleanup.disarm();
    Ok(markdown)
}
