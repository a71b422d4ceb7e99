//! The files of a sweep: the work folder, its state, the streamed CSVs, and the move
//! of a finished sweep into place.

use super::{Manifest, Shard, State, SweepError, headers, io_at, summary};
use crate::parameter::Plan;
use crate::report::atomic::{self, Cleanup, Target};
use crate::scenario::Scenario;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

const SWEEP: &str = "sweep.csv";
const SERIES: &str = "sweep_timeseries.csv";
const SUMMARY: &str = "sweep_summary.csv";
const STATE: &str = "state.json";
const MANIFEST: &str = "manifest.json";
const SCENARIO: &str = "scenario.toml";

/// The hidden work folder beside the results, kept between attempts for resuming.
pub fn work_dir(target: &Target) -> PathBuf {
    target.sibling("sweep-partial")
}

pub fn read_state(work: &Path) -> Result<Option<State>, SweepError> {
    let path = work.join(STATE);
    match fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
            SweepError::Input(format!(
                "{}: unreadable ({e}); delete {} to start the sweep afresh",
                path.display(),
                work.display()
            ))
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_at(&path)(e)),
    }
}

/// Writes the state atomically: a temporary file renamed over the old one.
pub fn write_state(work: &Path, state: &State) -> Result<(), SweepError> {
    let path = work.join(STATE);
    let tmp = work.join("state.json.tmp");
    let text = serde_json::to_string_pretty(state).expect("state serialises");
    (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        fs::rename(&tmp, &path)
    })()
    .map_err(io_at(&path))
}

/// Starts an empty work folder (clearing leftovers without a state).
pub fn fresh(work: &Path) -> Result<(), SweepError> {
    if work.exists() {
        fs::remove_dir_all(work).map_err(io_at(work))?;
    }
    fs::create_dir_all(work).map_err(io_at(work))
}

/// The two growing CSV files.
pub struct Outputs {
    sweep: BufWriter<File>,
    series: BufWriter<File>,
    paths: (PathBuf, PathBuf),
}

fn open_at(path: &Path, len: u64) -> io::Result<File> {
    let mut f = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)?;
    // Anything past the last finished batch is a half-written batch: cut it off.
    f.set_len(len)?;
    f.seek(SeekFrom::Start(len))?;
    Ok(f)
}

impl Outputs {
    pub fn open(work: &Path, state: &State) -> Result<Outputs, SweepError> {
        let (a, b) = (work.join(SWEEP), work.join(SERIES));
        Ok(Outputs {
            sweep: BufWriter::new(open_at(&a, state.sweep_bytes).map_err(io_at(&a))?),
            series: BufWriter::new(open_at(&b, state.timeseries_bytes).map_err(io_at(&b))?),
            paths: (a, b),
        })
    }

    pub fn write_headers(&mut self, plan: &Plan) -> Result<(), SweepError> {
        let (h1, h2) = headers(plan);
        let line = |h: Vec<String>| {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(&h).expect("memory");
            w.into_inner().expect("memory")
        };
        self.append(&line(h1), &line(h2))
    }

    pub fn append(&mut self, row: &[u8], series: &[u8]) -> Result<(), SweepError> {
        self.sweep.write_all(row).map_err(io_at(&self.paths.0))?;
        self.series.write_all(series).map_err(io_at(&self.paths.1))
    }

    /// Flushes both files to disk and returns their lengths.
    pub fn flush(&mut self) -> Result<(u64, u64), SweepError> {
        let done = |w: &mut BufWriter<File>, p: &Path| -> Result<u64, SweepError> {
            w.flush().map_err(io_at(p))?;
            let f = w.get_ref();
            f.sync_data().map_err(io_at(p))?;
            f.metadata().map(|m| m.len()).map_err(io_at(p))
        };
        let a = done(&mut self.sweep, &self.paths.0.clone())?;
        let b = done(&mut self.series, &self.paths.1.clone())?;
        Ok((a, b))
    }
}

/// Writes the summary, the Markdown table, the manifest and the scenario, then moves
/// the work folder to `dir`. Returns the Markdown table.
pub fn finish(
    work: &Path,
    target: &Target,
    base: &Scenario,
    plan: &Plan,
    manifest: &Manifest,
) -> Result<String, SweepError> {
    let markdown = finish_files(work, base.to_toml(), plan.paths.clone(), manifest)?;
    let _ = fs::remove_file(work.join(STATE));
    atomic::place(target, work).map_err(io_at(target.dir()))?;
    Ok(markdown)
}

fn finish_files(
    work: &Path,
    scenario_toml: String,
    paths: Vec<String>,
    manifest: &Manifest,
) -> Result<String, SweepError> {
    let points = summary::write(&work.join(SWEEP), &work.join(SUMMARY), paths.len())
        .map_err(io_at(&work.join(SUMMARY)))?;
    let markdown = summary::markdown(
        &manifest.name,
        &paths,
        &points,
        manifest.end - manifest.start,
    );
    let md = work.join(format!("{}.md", manifest.name));
    fs::write(&md, &markdown).map_err(io_at(&md))?;
    let m = work.join(MANIFEST);
    let text = serde_json::to_string_pretty(manifest).expect("manifest serialises") + "\n";
    fs::write(&m, text).map_err(io_at(&m))?;
    let sc = work.join(SCENARIO);
    fs::write(&sc, scenario_toml).map_err(io_at(&sc))?;
    Ok(markdown)
}

fn read_manifest(dir: &Path) -> Result<Manifest, SweepError> {
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

/// Appends `src` to `dst`, skipping its first line (the header) unless `with_header`.
fn append_file(dst: &mut impl Write, src: &Path, with_header: bool) -> Result<(), SweepError> {
    let bytes = fs::read(src).map_err(io_at(src))?;
    let body = if with_header {
        &bytes[..]
    } else {
        match bytes.iter().position(|&b| b == b'\n') {
            Some(i) => &bytes[i + 1..],
            None => &[][..],
        }
    };
    dst.write_all(body).map_err(io_at(src))
}

/// Merges the shard folders into the target.
pub fn merge(shards: &[PathBuf], target: &Target) -> Result<String, SweepError> {
    let mut found: Vec<(Manifest, &PathBuf)> = shards
        .iter()
        .map(|d| read_manifest(d).map(|m| (m, d)))
        .collect::<Result<_, _>>()?;
    let first = found
        .first()
        .ok_or_else(|| SweepError::Input("merge: no shard folders given".into()))?
        .0
        .clone();
    for (m, d) in &found {
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
    found.sort_by_key(|(m, _)| m.shard.index);
    let indices: Vec<u64> = found.iter().map(|(m, _)| m.shard.index).collect();
    let expected: Vec<u64> = (1..=first.shard.count).collect();
    if indices != expected {
        return Err(SweepError::Input(format!(
            "merge: shards {indices:?} given, but all of 1 to {} are needed, once each",
            first.shard.count
        )));
    }
    let manifest = Manifest {
        shard: Shard::WHOLE,
        start: 0,
        end: first.runs,
        ..first.clone()
    };
    let scenario_toml =
        fs::read_to_string(found[0].1.join(SCENARIO)).map_err(io_at(&found[0].1.join(SCENARIO)))?;
    let base = Scenario::parse(&scenario_toml, "merged sweep", &[])
        .map_err(|e| SweepError::Input(e.to_string()))?;
    let sweep = base
        .sweep
        .clone()
        .ok_or_else(|| SweepError::Input("merge: the shards' scenario has no [sweep]".into()))?;
    let plan = Plan::new(&sweep, base.seed).map_err(|e| SweepError::Input(e.to_string()))?;
    // Written in a work folder of the merge's own, so that an interrupted sweep's
    // `.NAME.sweep-partial` beside it is left alone; removed if anything fails.
    let work = target.sibling("merge-partial");
    fresh(&work)?;
    let mut cleanup = Cleanup::new(&work);
    for name in [SWEEP, SERIES] {
        let path = work.join(name);
        let mut out = BufWriter::new(File::create(&path).map_err(io_at(&path))?);
        for (i, (_, d)) in found.iter().enumerate() {
            append_file(&mut out, &d.join(name), i == 0)?;
        }
        out.flush().map_err(io_at(&path))?;
    }
    let markdown = finish_files(&work, scenario_toml, plan.paths.clone(), &manifest)?;
    atomic::place(target, &work).map_err(io_at(target.dir()))?;
    cleanup.disarm();
    Ok(markdown)
}
