//! The files of a sweep: the work folder, its state, the streamed CSVs, the check and
//! the move of a finished sweep into place, and the merge of shards.
//!
//! The CRC-32 of each data file (`crc32fast`, already built for `png`) is there to catch
//! accidents, a file cut short by a full disk or a copy, or edited by hand, not forgery;
//! at gigabytes per second it costs little beside reading the file, which the row count
//! needs anyway. FNV-1a (the scenario's hash) would do too, at a fraction of the speed.

use super::parquet::{self as pq, Schema, Sink};
use super::{
    FileRecord, Finished, Manifest, RunSeries, Shard, State, SweepError, curve, fnv1a, headers,
    io_at, sensitivity, summary,
};
use crate::parameter::{Plan, TimeseriesFormat};
use crate::report::atomic::{self, Cleanup, Target};
use crate::scenario::Scenario;
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const SWEEP: &str = "sweep.csv";
const SERIES: &str = "sweep_timeseries.csv";
const SUMMARY: &str = "sweep_summary.csv";
const STATE: &str = "state.json";
const MANIFEST: &str = "manifest.json";
const SCENARIO: &str = "scenario.toml";
const SENSITIVITY: &str = "sensitivity.csv";
/// Every run's curve: kept by a shard (a merge pools them), pooled and removed by a
/// whole sweep.
const CURVE_RUNS: &str = "sweep_curve_runs.csv";
const CURVE: &str = "sweep_curve.csv";

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

/// The growing files of a sweep: `sweep.csv`, the runs' curves and the time series.
pub struct Outputs {
    sweep: BufWriter<File>,
    sweep_path: PathBuf,
    curve: BufWriter<File>,
    curve_path: PathBuf,
    series: Series,
}

enum Series {
    Csv(BufWriter<File>, PathBuf),
    Parquet(Sink),
    None,
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

/// Flushes a file to disk and returns its length.
fn flush_file(w: &mut BufWriter<File>, p: &Path) -> Result<u64, SweepError> {
    w.flush().map_err(io_at(p))?;
    let f = w.get_ref();
    f.sync_data().map_err(io_at(p))?;
    f.metadata().map(|m| m.len()).map_err(io_at(p))
}

impl Outputs {
    /// Opens the files of the sweep in `work` as `state` left them, cut back to its last
    /// commit.
    pub fn open(work: &Path, state: &State, plan: &Plan) -> Result<Outputs, SweepError> {
        let a = work.join(SWEEP);
        let m = &state.manifest;
        let series = match m.timeseries {
            TimeseriesFormat::Csv => {
                let b = work.join(SERIES);
                let f = open_at(&b, state.timeseries_bytes).map_err(io_at(&b))?;
                Series::Csv(BufWriter::new(f), b)
            }
            TimeseriesFormat::Parquet => {
                let schema = Arc::new(Schema::new(plan));
                Series::Parquet(Sink::open(
                    work,
                    schema,
                    m.start,
                    m.end,
                    m.start + state.done,
                )?)
            }
            TimeseriesFormat::None => Series::None,
        };
        let c = work.join(CURVE_RUNS);
        Ok(Outputs {
            sweep: BufWriter::new(open_at(&a, state.sweep_bytes).map_err(io_at(&a))?),
            sweep_path: a,
            curve: BufWriter::new(open_at(&c, state.curve_bytes).map_err(io_at(&c))?),
            curve_path: c,
            series,
        })
    }

    /// The columns of the Parquet time series, when the sweep keeps one.
    pub fn schema(&self) -> Option<Arc<Schema>> {
        match &self.series {
            Series::Parquet(sink) => Some(sink.schema()),
            _ => None,
        }
    }

    pub fn write_headers(&mut self, plan: &Plan) -> Result<(), SweepError> {
        let h = headers(plan);
        let line = |h: Vec<String>| {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(&h).expect("memory");
            w.into_inner().expect("memory")
        };
        let p = &self.sweep_path;
        self.sweep.write_all(&line(h.sweep)).map_err(io_at(p))?;
        let p = &self.curve_path;
        self.curve.write_all(&line(h.curve)).map_err(io_at(p))?;
        if let Series::Csv(w, p) = &mut self.series {
            w.write_all(&line(h.series)).map_err(io_at(p))?;
        }
        Ok(())
    }

    pub fn append(
        &mut self,
        row: &[u8],
        curve: &[u8],
        series: RunSeries,
    ) -> Result<(), SweepError> {
        let p = &self.sweep_path;
        self.sweep.write_all(row).map_err(io_at(p))?;
        let p = &self.curve_path;
        self.curve.write_all(curve).map_err(io_at(p))?;
        match (&mut self.series, series) {
            (Series::Csv(w, p), RunSeries::Csv(rows)) => w.write_all(&rows).map_err(io_at(p)),
            (Series::Parquet(sink), RunSeries::Parquet(rows)) => {
                sink.append(rows);
                Ok(())
            }
            (Series::None, RunSeries::None) => Ok(()),
            _ => Err(SweepError::Failed(
                "a run's time series is not in the sweep's format".into(),
            )),
        }
    }

    /// Puts everything appended on disk (the Parquet time series as a piece, and as a part
    /// when a block is complete); returns the lengths of `sweep.csv`,
    /// `sweep_timeseries.csv` (0 for other formats) and `sweep_curve_runs.csv`.
    pub fn flush(&mut self) -> Result<(u64, u64, u64), SweepError> {
        let a = flush_file(&mut self.sweep, &self.sweep_path)?;
        let c = flush_file(&mut self.curve, &self.curve_path)?;
        let b = match &mut self.series {
            Series::Csv(w, p) => flush_file(w, p)?,
            Series::Parquet(sink) => {
                sink.commit()?;
                0
            }
            Series::None => 0,
        };
        Ok((a, b, c))
    }

    /// After the state recording the last flush is written: removes what it replaced.
    pub fn committed(&mut self) -> Result<(), SweepError> {
        match &mut self.series {
            Series::Parquet(sink) => sink.tidy(),
            _ => Ok(()),
        }
    }

    /// The slice is done: closes the files.
    pub fn close(self) -> Result<(), SweepError> {
        match self.series {
            Series::Parquet(sink) => sink.close(),
            _ => Ok(()),
        }
    }
}

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
    then: super::Then,
) -> Result<String, SweepError> {
    let again = format!("delete {} to run the sweep afresh", work.display());
    let markdown = finish_files(work, scenario_toml, plan, manifest, &again)?;
    then(work)?;
    let _ = fs::remove_file(work.join(STATE));
    atomic::place(target, work).map_err(io_at(target.dir()))?;
    Ok(markdown)
}

fn finish_files(
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

/// The CSV files a sweep streams (and a shard keeps).
fn csv_files(timeseries: TimeseriesFormat) -> &'static [&'static str] {
    match timeseries {
        TimeseriesFormat::Csv => &[SWEEP, SERIES, CURVE_RUNS],
        TimeseriesFormat::Parquet | TimeseriesFormat::None => &[SWEEP, CURVE_RUNS],
    }
}

/// A streamed file's header.
fn header_of<'h>(h: &'h super::Headers, name: &str) -> &'h [String] {
    match name {
        SWEEP => &h.sweep,
        SERIES => &h.series,
        _ => &h.curve,
    }
}

/// Checks that a file whose rows begin with their run holds the runs `[start, end)`,
/// each a contiguous block of rows (a run's curve has a row per bin), in order: the
/// index of the first record out of place.
#[derive(Debug)]
struct RunBlocks {
    next: u64,
    at: Option<u64>,
    wrong: Option<u64>,
}

impl RunBlocks {
    fn new(start: u64) -> RunBlocks {
        RunBlocks {
            next: start,
            at: None,
            wrong: None,
        }
    }

    fn see(&mut self, i: u64, rec: &csv::ByteRecord) {
        if self.wrong.is_some() {
            return;
        }
        if self.at.is_some_and(|run| is_run(rec, run)) {
            return;
        }
        if is_run(rec, self.next) {
            self.at = Some(self.next);
            self.next += 1;
        } else {
            self.wrong = Some(i);
        }
    }

    /// The record out of place, or whether the runs ended before `end`.
    fn check(&self, end: u64) -> Result<(), String> {
        match self.wrong {
            Some(i) => Err(format!(
                "row {} is not of run {} or {}",
                i + 1,
                self.at.map_or("-".into(), |r| r.to_string()),
                self.next
            )),
            None if self.next != end => Err(format!(
                "holds runs up to {}, expected up to {}",
                self.next as i128 - 1,
                end - 1
            )),
            None => Ok(()),
        }
    }
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

/// Whether a `sweep.csv` record is run `index`.
fn is_run(rec: &csv::ByteRecord, index: u64) -> bool {
    rec.get(0) == Some(index.to_string().as_bytes())
}

/// Passes bytes through, checksumming and counting them.
struct Tee<R> {
    inner: R,
    crc: crc32fast::Hasher,
    bytes: u64,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.crc.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

fn crc_hex(crc: crc32fast::Hasher) -> String {
    format!("{:08x}", crc.finalize())
}

/// A data file read through.
struct Measured {
    record: FileRecord,
    header: csv::ByteRecord,
    /// Bytes of the header line, terminator included.
    header_bytes: u64,
    /// The first record (1-based) whose field count is not the header's, and that count.
    ragged: Option<(u64, usize)>,
}

/// Reads the CSV file at `path` through, checksumming its bytes and counting its records
/// (as CSV: a quoted field may hold a line break); `each` sees every record after the
/// header with its 0-based index.
fn measure(path: &Path, mut each: impl FnMut(u64, &csv::ByteRecord)) -> io::Result<Measured> {
    let tee = Tee {
        inner: File::open(path)?,
        crc: crc32fast::Hasher::new(),
        bytes: 0,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(tee);
    let header = reader.byte_headers().map_err(io::Error::from)?.clone();
    let header_bytes = reader.position().byte();
    let mut rec = csv::ByteRecord::new();
    let (mut rows, mut ragged) = (0, None);
    while reader.read_byte_record(&mut rec).map_err(io::Error::from)? {
        if rec.len() != header.len() && ragged.is_none() {
            ragged = Some((rows + 1, rec.len()));
        }
        each(rows, &rec);
        rows += 1;
    }
    let tee = reader.into_inner();
    Ok(Measured {
        record: FileRecord {
            rows,
            bytes: tee.bytes,
            crc32: crc_hex(tee.crc),
        },
        header,
        header_bytes,
        ragged,
    })
}

fn read_manifest(dir: &Path) -> Result<Finished, SweepError> {
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
fn who(finished: &Finished, dir: &Path) -> String {
    let s = finished.manifest.shard;
    format!("shard {}/{} ({})", s.index, s.count, dir.display())
}

/// What to do about a damaged shard.
fn rerun(finished: &Finished, dir: &Path) -> String {
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
fn check_shard_file(
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
fn check_shard_part(
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
pub fn merge(shards: &[PathBuf], target: &Target, then: super::Then) -> Result<String, SweepError> {
    let mut found: Vec<(Finished, &PathBuf)> = shards
        .iter()
        .map(|d| read_manifest(d).map(|m| (m, d)))
        .collect::<Result<_, _>>()?;
    let first = found
        .first()
        .ok_or_else(|| SweepError::Input("merge: no shard folders given".into()))?
        .0
        .manifest
        .clone();
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
    found.sort_by_key(|(f, _)| f.manifest.shard.index);
    let indices: Vec<u64> = found.iter().map(|(f, _)| f.manifest.shard.index).collect();
    let expected: Vec<u64> = (1..=first.shard.count).collect();
    if indices != expected {
        return Err(SweepError::Input(format!(
            "merge: shards {indices:?} given, but all of 1 to {} are needed, once each",
            first.shard.count
        )));
    }
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
        let path = d.join(SCENARIO);
        let text = fs::read_to_string(&path).map_err(|e| {
            SweepError::Input(format!(
                "{}: cannot read {SCENARIO}: {e}; {}",
                who(f, d),
                rerun(f, d)
            ))
        })?;
        let hash = format!("{:016x}", fnv1a(text.as_bytes()));
        if hash != f.manifest.hash {
            return Err(SweepError::Input(format!(
                "{}: {SCENARIO} is not the scenario the shard ran (hash {hash}, its manifest's \
                 {}); it was edited since: {}",
                who(f, d),
                f.manifest.hash,
                rerun(f, d)
            )));
        }
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
    let h = headers(&plan);
    let csv = csv_files(first.timeseries);
    let mut checked = Vec::with_capacity(found.len());
    for (f, d) in &found {
        let mut c = Vec::new();
        for &name in csv {
            c.push(check_shard_file(d, f, name, header_of(&h, name))?);
        }
        checked.push(c);
    }
    let schema = (first.timeseries == TimeseriesFormat::Parquet).then(|| Schema::new(&plan));
    if let Some(schema) = &schema {
        for (f, d) in &found {
            for (k, a, b) in pq::blocks(f.manifest.start, f.manifest.end) {
                check_shard_part(d, f, schema, k, (a, b))?;
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_measured_in_csv_records_with_its_checksum() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        // A quoted line break is inside a record, not between two.
        let text = "run,events\n0,\"launch\nprice cut\"\n1,\n";
        fs::write(&path, text).unwrap();
        let mut runs = Vec::new();
        let m = measure(&path, |i, rec| runs.push((i, is_run(rec, i)))).unwrap();
        assert_eq!(runs, [(0, true), (1, true)]);
        assert_eq!(
            m.record,
            FileRecord {
                rows: 2,
                bytes: text.len() as u64,
                crc32: format!("{:08x}", crc32fast::hash(text.as_bytes())),
            }
        );
        assert_eq!(m.header_bytes, "run,events\n".len() as u64);
        assert_eq!(m.ragged, None);
        // Cut inside the last record: it is short of fields.
        fs::write(&path, &text[..text.len() - 2]).unwrap();
        let m = measure(&path, |_, _| {}).unwrap();
        assert_eq!((m.record.rows, m.ragged), (2, Some((2, 1))));
        assert_ne!(
            m.record.crc32,
            format!("{:08x}", crc32fast::hash(text.as_bytes()))
        );
    }
}
