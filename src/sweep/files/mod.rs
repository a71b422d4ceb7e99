//! The files of a sweep: the work folder, its state, the streamed CSVs, the check and
//! the move of a finished sweep into place, and the merge of shards.
//! Here the work folder, its state and the files a sweep streams into; the rest is in
//! `finish`, `measure` (a file read through), `shard` (a shard checked) and `merge`.
//!
//! The CRC-32 of each data file (`crc32fast`, already built for `png`) is there to catch
//! accidents, a file cut short by a full disk or a copy, or edited by hand, not forgery;
//! at gigabytes per second it costs little beside reading the file, which the row count
//! needs anyway. FNV-1a (the scenario's hash) would do too, at a fraction of the speed.

mod finish;
mod measure;
mod merge;
mod ready;
mod shard;

use super::parquet::{Schema, Sink};
use super::{RunSeries, State, SweepError, headers, io_at};
use crate::parameter::{Plan, TimeseriesFormat};
use crate::report::atomic::Target;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use finish::finish;
pub use merge::merge;
pub use ready::{Here, finished_here, sweep_name};

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

/// The CSV files a sweep streams (and a shard keeps).
fn csv_files(timeseries: TimeseriesFormat) -> &'static [&'static str] {
    match timeseries {
        TimeseriesFormat::Csv => &[SWEEP, SERIES, CURVE_RUNS],
        TimeseriesFormat::Parquet | TimeseriesFormat::None => &[SWEEP, CURVE_RUNS],
    }
}
