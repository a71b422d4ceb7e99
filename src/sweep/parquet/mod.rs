//! A sweep's time series as Parquet (`--timeseries parquet`): the columns of
//! `sweep_timeseries.csv`, typed and compressed, in a folder of part files that pandas,
//! Polars, DuckDB and arrow read as one table.
//!
//! **Layout.** `sweep_timeseries.parquet/part-000000.parquet`, `part-000001.parquet`, …:
//! part `k` holds the runs `[k·256, (k+1)·256)` ([`PART_RUNS`]) of the sweep, as one row
//! group, in run order. The blocks are fixed by run index, not by a process's slice or
//! by when it was interrupted, so a part's bytes depend on its runs alone: the same for
//! any thread count, after a resume, and whether the sweep ran in one process or in
//! shards. Columns are those of the CSV, by the same names: integers as INT64, numbers
//! as DOUBLE (missing ones as nulls, infinity as IEEE infinity, rounded to the CSV's 9
//! decimals so that both files hold the same numbers, [`columns::csv_float`]), text as
//! UTF-8 strings; a swept field is INT64 when all its values are integers, DOUBLE when
//! all are numbers, else the CSV's text. A folder rather than one file because a
//! Parquet file is only readable once its footer is written at its end: part files are
//! each finished and never appended to, so an interrupted sweep has nothing half
//! written to repair.
//!
//! **Writing and resuming.** The sweep commits a batch of runs at a time (`state.json`
//! records how many); here each commit is a small uncompressed Parquet file of its runs,
//! a piece (`timeseries-pieces/runs-A-B.parquet`, in the work folder only). Commits fall
//! on block ends too, so no piece straddles two blocks. When a block is complete its
//! pieces are read back column by column and written as its part (zstd), and the
//! pieces are removed once the state recording the block is on disk. Memory holds one
//! batch and one column of one block, whatever the sweep's size. A resumed sweep keeps
//! the parts and pieces of committed runs and deletes the rest (what a killed process
//! wrote after its last commit), then carries on: a part is written from the values of
//! its runs, however they were committed, so resuming gives the same bytes.
//!
//! **Merging.** A shard writes the blocks it touches, clipped to its slice: a block cut
//! by a shard boundary is a partial part in each shard. `merge` copies a part that one
//! shard holds whole and re-writes a cut block from its partial parts, through the same
//! column-by-column path as the sweep's own pieces, so the merged folder equals a
//! single process's byte for byte. Every part file is recorded in `manifest.json` (rows,
//! bytes, CRC-32) and checked, with its columns and runs, before anything is merged.
//!
//! **The crate.** Apache's `parquet` (arrow-rs), the reference implementation in Rust,
//! without its `arrow` feature: values go through its typed column writers and readers,
//! so none of the arrow crates is built. Of its codecs only zstd: the 10,000-run sweep
//! of docs/performance.md is 55.9 MB of parts with zstd and 60.4 MB with snappy, and
//! zstd's levels hardly differ (1 to 12 within 0.2%); zstd's C library is most of what
//! the crate adds to a clean build.

use super::{SweepError, headers, io_at};
use crate::parameter::Plan;
use crate::report::columns::{self, Cell, Dtype, TimeseriesRow};
use parquet::basic::{Compression, Encoding, LogicalType, Repetition, Type as Physical, ZstdLevel};
use parquet::column::reader::get_typed_column_reader;
use parquet::column::writer::ColumnWriter;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterPropertiesPtr};
use parquet::file::reader::{ChunkReader, FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::{ColumnPath, Type, TypePtr};
use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, BufWriter, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Runs per part file (one row group): 51,200 rows for 50 periods of 4 firms, enough for
/// zstd and the dictionaries to work well, and few files for a big sweep.
pub const PART_RUNS: u64 = 256;

/// The folder of part files, in a results folder.
pub const DIR: &str = "sweep_timeseries.parquet";

/// The pieces of the open block, in a work folder.
const PIECES: &str = "timeseries-pieces";

/// zstd's level for the parts: its default (levels 1 to 12 are within 0.2% here).
const ZSTD_LEVEL: i32 = 3;

/// `part-000042.parquet`: six digits, so the names sort in run order up to the largest
/// sweep (100,000,000 runs are 390,625 parts).
pub fn part_name(k: u64) -> String {
    format!("part-{k:06}.parquet")
}

/// How `manifest.json` names part `k`.
pub fn record_name(k: u64) -> String {
    format!("{DIR}/{}", part_name(k))
}

/// The blocks of the runs `[start, end)`: `(k, a, b)`, block `k` clipped to `[a, b)`.
pub fn blocks(start: u64, end: u64) -> impl Iterator<Item = (u64, u64, u64)> {
    let first = start / PART_RUNS;
    let last = end.div_ceil(PART_RUNS);
    (first..last.max(first)).filter_map(move |k| {
        let (a, b) = ((k * PART_RUNS).max(start), ((k + 1) * PART_RUNS).min(end));
        (a < b).then_some((k, a, b))
    })
}

/// The columns of a sweep's time series: names, kinds and the Parquet schema.
#[derive(Debug)]
pub struct Schema {
    names: Vec<String>,
    kinds: Vec<Dtype>,
    root: TypePtr,
}

/// How a swept field's column is typed: by all the values the sweep gives it.
fn swept_kind(values: &[&toml::Value]) -> Dtype {
    if values.iter().all(|v| v.is_integer()) {
        Dtype::Int
    } else if values.iter().all(|v| v.is_integer() || v.is_float()) {
        Dtype::Float
    } else {
        Dtype::String
    }
}

impl Schema {
    pub fn new(plan: &Plan) -> Schema {
        let names = headers(plan).series;
        // Every cell of a column is of one kind (tests::every_cell_is_of_its_column_s_kind).
        let sample = TimeseriesRow {
            period: 1,
            firm: String::new(),
            market_customers: 0,
            prospects: 0,
            tally: Default::default(),
            present: true,
            events: String::new(),
        };
        let mut kinds = vec![Dtype::Int; 4];
        // The swept columns as the CSV types them ([`Plan::typed`]); a plan not typed
        // (a test's) by its values alone.
        if plan.swept.len() == plan.paths.len() {
            kinds.extend(plan.swept.iter().copied());
        } else {
            kinds.extend((0..plan.paths.len()).map(|k| {
                let values: Vec<&toml::Value> = plan.points.iter().map(|p| &p[k]).collect();
                swept_kind(&values)
            }));
        }
        kinds.extend(
            columns::timeseries()
                .iter()
                .map(|c| (c.value)(&sample).dtype()),
        );
        assert_eq!(names.len(), kinds.len(), "a kind for every column");
        let fields = names
            .iter()
            .zip(&kinds)
            .map(|(name, kind)| {
                let b = match kind {
                    Dtype::Int => Type::primitive_type_builder(name, Physical::INT64)
                        .with_repetition(Repetition::REQUIRED),
                    Dtype::Float => Type::primitive_type_builder(name, Physical::DOUBLE)
                        .with_repetition(Repetition::OPTIONAL),
                    Dtype::String => Type::primitive_type_builder(name, Physical::BYTE_ARRAY)
                        .with_repetition(Repetition::REQUIRED)
                        .with_logical_type(Some(LogicalType::String)),
                };
                Arc::new(b.build().expect("a primitive column builds"))
            })
            .collect();
        let root = Type::group_type_builder("schema")
            .with_fields(fields)
            .build()
            .expect("a group of primitive columns builds");
        Schema {
            names,
            kinds,
            root: Arc::new(root),
        }
    }

    /// A run's cells that come before its time series columns: run, point, replicate,
    /// seed and the swept values, as the CSV writes them (`idle[k]`: the point does not
    /// use field k, NaN), typed as their columns are.
    pub fn prefix(&self, plan: &Plan, run: &crate::parameter::Run, idle: &[bool]) -> Vec<Value> {
        let mut out: Vec<Value> = [run.index, run.point, run.replicate as u64, run.seed]
            .iter()
            .map(|&v| Value::Int(v as i64))
            .collect();
        for (k, v) in plan.points[run.point as usize].iter().enumerate() {
            let kind = self.kinds[4 + k];
            let cell = Plan::cell_at(v, kind, idle.get(k).copied().unwrap_or(false));
            out.push(match kind {
                Dtype::Int => Value::Int(cell.parse().unwrap_or_default()),
                // The CSV's text read back: the same number, NaN where idle.
                Dtype::Float => Value::Float(cell.parse().unwrap_or(f64::NAN)),
                Dtype::String => Value::Text(ByteArray::from(cell.into_bytes())),
            });
        }
        out
    }
}

/// A value of a column that is never missing.
#[derive(Debug, Clone)]
pub enum Value {
    Int(i64),
    Float(f64),
    Text(ByteArray),
}

/// One column's values as Parquet takes them: the numbers present, and a definition
/// level per row (1 present, 0 null).
#[derive(Debug)]
enum Values {
    Int(Vec<i64>),
    Float(Vec<f64>, Vec<i16>),
    Text(Vec<ByteArray>),
}

impl Values {
    fn new(kind: Dtype) -> Values {
        match kind {
            Dtype::Int => Values::Int(Vec::new()),
            Dtype::Float => Values::Float(Vec::new(), Vec::new()),
            Dtype::String => Values::Text(Vec::new()),
        }
    }

    fn kind(&self) -> Dtype {
        match self {
            Values::Int(_) => Dtype::Int,
            Values::Float(..) => Dtype::Float,
            Values::Text(_) => Dtype::String,
        }
    }

    fn push(&mut self, v: &Value) -> bool {
        match (self, v) {
            (Values::Int(x), Value::Int(v)) => x.push(*v),
            (Values::Float(x, d), Value::Float(v)) => {
                x.push(*v);
                d.push(1);
            }
            (Values::Text(x), Value::Text(v)) => x.push(v.clone()),
            _ => return false,
        }
        true
    }

    fn push_cell(&mut self, cell: Cell) -> Result<(), Cell> {
        match (self, cell) {
            (Values::Int(x), Cell::Int(v)) => match i64::try_from(v) {
                Ok(v) => x.push(v),
                Err(_) => return Err(Cell::Int(v)),
            },
            (Values::Int(x), Cell::Signed(v)) => x.push(v),
            (Values::Float(x, d), Cell::Float(v)) => match v {
                Some(v) => {
                    x.push(columns::csv_float(v));
                    d.push(1);
                }
                None => d.push(0),
            },
            (Values::Text(x), Cell::Text(v)) => x.push(ByteArray::from(v.into_bytes())),
            (_, cell) => return Err(cell),
        }
        Ok(())
    }

    fn append(&mut self, other: Values) {
        match (self, other) {
            (Values::Int(x), Values::Int(y)) => x.extend(y),
            (Values::Float(x, d), Values::Float(y, e)) => {
                x.extend(y);
                d.extend(e);
            }
            (Values::Text(x), Values::Text(y)) => x.extend(y),
            (a, b) => unreachable!("a {:?} column appended to a {:?} one", b.kind(), a.kind()),
        }
    }
}

/// Rows of the time series in column form: a run's, or a batch's.
#[derive(Debug)]
pub struct Columns {
    values: Vec<Values>,
}

impl Columns {
    pub fn new(schema: &Schema) -> Columns {
        Columns {
            values: schema.kinds.iter().map(|&k| Values::new(k)).collect(),
        }
    }

    /// Appends a row: the run's `prefix` ([`Schema::prefix`]), then the time series cells.
    pub fn push_row(
        &mut self,
        schema: &Schema,
        prefix: &[Value],
        cells: impl Iterator<Item = Cell>,
    ) -> Result<(), SweepError> {
        let mut j = 0;
        for v in prefix {
            if !self.values[j].push(v) {
                return Err(mismatch(schema, j, &format!("{v:?}")));
            }
            j += 1;
        }
        for cell in cells {
            if let Err(cell) = self.values[j].push_cell(cell) {
                return Err(mismatch(schema, j, &format!("{cell:?}")));
            }
            j += 1;
        }
        if j != self.values.len() {
            return Err(SweepError::Failed(format!(
                "{DIR}: a row of {j} cells, the sweep has {} columns",
                self.values.len()
            )));
        }
        Ok(())
    }

    pub fn append(&mut self, other: Columns) {
        for (a, b) in self.values.iter_mut().zip(other.values) {
            a.append(b);
        }
    }

    fn is_empty(&self) -> bool {
        match self.values.first() {
            Some(Values::Int(x)) => x.is_empty(),
            _ => true,
        }
    }
}

fn mismatch(schema: &Schema, j: usize, what: &str) -> SweepError {
    SweepError::Failed(format!(
        "{DIR}: column {} ({:?}) was given {what}",
        schema.names[j], schema.kinds[j]
    ))
}

fn pq_error(what: &Path) -> impl Fn(parquet::errors::ParquetError) -> SweepError + '_ {
    move |e| SweepError::Failed(format!("{}: {e}", what.display()))
}

/// The parts: zstd; a dictionary per column (the writer's default), except for numbers
/// that are mostly distinct in the part (the means of CS and of expectation), which are
/// written byte-stream-split instead: their 8 bytes are split into 8 streams, of which
/// zstd shrinks the sign, exponent and leading digits, 25% smaller than dictionary
/// indices beside a dictionary as large as the column. The choice is made from the
/// part's values alone, so it is the same wherever the part is written.
fn part_properties(schema: &Schema, distinct: &[bool]) -> WriterPropertiesPtr {
    let mut b = WriterProperties::builder().set_compression(Compression::ZSTD(
        ZstdLevel::try_new(ZSTD_LEVEL).expect("a valid zstd level"),
    ));
    for (name, _) in schema.names.iter().zip(distinct).filter(|(_, d)| **d) {
        let column = ColumnPath::new(vec![name.clone()]);
        b = b
            .set_column_dictionary_enabled(column.clone(), false)
            .set_column_encoding(column, Encoding::BYTE_STREAM_SPLIT);
    }
    Arc::new(b.build())
}

/// Whether more than half of a column's values are distinct (nulls aside).
fn mostly_distinct(values: &Values) -> bool {
    match values {
        Values::Float(x, _) => {
            let distinct: HashSet<u64> = x.iter().map(|v| v.to_bits()).collect();
            distinct.len() * 2 > x.len()
        }
        Values::Int(_) | Values::Text(_) => false,
    }
}

/// The pieces: read back once, soon; written as fast as can be (at most a block of
/// runs is ever in pieces).
fn piece_properties() -> WriterPropertiesPtr {
    Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::UNCOMPRESSED)
            .set_dictionary_enabled(false)
            .set_statistics_enabled(EnabledStatistics::None)
            .build(),
    )
}

/// Writes a Parquet file of one row group to `path`, its column `j` given by
/// `column(j)`, and syncs it: on disk before the state that counts on it.
fn encode(
    schema: &Schema,
    properties: WriterPropertiesPtr,
    path: &Path,
    mut column: impl FnMut(usize) -> Result<Values, SweepError>,
) -> Result<(), SweepError> {
    let e = pq_error(path);
    let file = BufWriter::new(File::create(path).map_err(io_at(path))?);
    let mut w = SerializedFileWriter::new(file, schema.root.clone(), properties).map_err(&e)?;
    let mut group = w.next_row_group().map_err(&e)?;
    let mut j = 0;
    while let Some(mut c) = group.next_column().map_err(&e)? {
        let values = column(j)?;
        let written = match (c.untyped(), &values) {
            (ColumnWriter::Int64ColumnWriter(w), Values::Int(x)) => w.write_batch(x, None, None),
            (ColumnWriter::DoubleColumnWriter(w), Values::Float(x, d)) => {
                w.write_batch(x, Some(d), None)
            }
            (ColumnWriter::ByteArrayColumnWriter(w), Values::Text(x)) => {
                w.write_batch(x, None, None)
            }
            _ => return Err(mismatch(schema, j, &format!("{:?} values", values.kind()))),
        };
        written.map_err(&e)?;
        c.close().map_err(&e)?;
        j += 1;
    }
    group.close().map_err(&e)?;
    let file = w.into_inner().map_err(&e)?;
    let file = file.into_inner().map_err(|e| io_at(path)(e.into_error()))?;
    file.sync_data().map_err(io_at(path))
}

/// Appends column `j` of every row group of `file` to `into`.
fn read_column<R: ChunkReader + 'static>(
    file: &SerializedFileReader<R>,
    j: usize,
    into: &mut Values,
) -> parquet::errors::Result<()> {
    for g in 0..file.num_row_groups() {
        let group = file.get_row_group(g)?;
        let rows = group.metadata().num_rows() as usize;
        let column = group.get_column_reader(j)?;
        let read = match into {
            Values::Int(x) => {
                get_typed_column_reader::<Int64Type>(column).read_records(rows, None, None, x)?
            }
            Values::Float(x, d) => get_typed_column_reader::<DoubleType>(column).read_records(
                rows,
                Some(d),
                None,
                x,
            )?,
            Values::Text(x) => get_typed_column_reader::<ByteArrayType>(column)
                .read_records(rows, None, None, x)?,
        };
        if read.0 != rows {
            return Err(parquet::errors::ParquetError::General(format!(
                "column {j} of row group {g}: {} of {rows} rows",
                read.0
            )));
        }
    }
    Ok(())
}

/// Writes `sources` (each a Parquet file of the sweep's columns, in run order) as one
/// part file of one row group: column by column, so only one column is in memory.
fn combine<R: ChunkReader + 'static>(
    schema: &Schema,
    sources: &[SerializedFileReader<R>],
    path: &Path,
) -> Result<(), SweepError> {
    let read = |j: usize| -> Result<Values, SweepError> {
        let mut values = Values::new(schema.kinds[j]);
        for s in sources {
            read_column(s, j, &mut values).map_err(pq_error(path))?;
        }
        Ok(values)
    };
    let mut distinct = vec![false; schema.kinds.len()];
    for (j, &kind) in schema.kinds.iter().enumerate() {
        if kind == Dtype::Float {
            distinct[j] = mostly_distinct(&read(j)?);
        }
    }
    encode(schema, part_properties(schema, &distinct), path, read)
}

/// Checks that the file at `path` is a Parquet file of the sweep's columns holding the
/// runs `[a, b)`, each with at least one row, in order; returns its rows. The message
/// says what is wrong, to follow the file's name.
pub fn check_part(path: &Path, schema: &Schema, a: u64, b: u64) -> Result<u64, String> {
    let file = File::open(path).map_err(|e| format!("cannot be read ({e})"))?;
    let file = SerializedFileReader::new(file)
        .map_err(|e| format!("is not a readable Parquet file ({e})"))?;
    let meta = file.metadata().file_metadata();
    if *meta.schema() != *schema.root {
        let names: Vec<&str> = meta
            .schema()
            .get_fields()
            .iter()
            .map(|f| f.name())
            .collect();
        return Err(format!(
            "has other columns than this sweep's ({}; expected {})",
            names.join(","),
            schema.names.join(",")
        ));
    }
    let mut runs = Values::new(Dtype::Int);
    read_column(&file, 0, &mut runs).map_err(|e| format!("cannot be read ({e})"))?;
    let Values::Int(runs) = runs else {
        unreachable!("an INT64 column")
    };
    let should = format!("it should hold runs {a} to {}, in order", b - 1);
    if runs.first() != Some(&(a as i64)) {
        return Err(format!("does not start with run {a}; {should}"));
    }
    if let Some(i) = runs
        .windows(2)
        .position(|w| w[1] != w[0] && w[1] != w[0] + 1)
    {
        return Err(format!(
            "row {} is run {}, after run {}; {should}",
            i + 2,
            runs[i + 1],
            runs[i]
        ));
    }
    if runs.last() != Some(&(b as i64 - 1)) {
        return Err(format!("does not end with run {}; {should}", b - 1));
    }
    if meta.num_rows() as usize != runs.len() {
        return Err(format!(
            "says it has {} rows but holds {}",
            meta.num_rows(),
            runs.len()
        ));
    }
    Ok(runs.len() as u64)
}

fn piece_name(a: u64, b: u64) -> String {
    format!("runs-{a:012}-{b:012}.parquet")
}

fn parse_piece(name: &str) -> Option<(u64, u64)> {
    let rest = name.strip_prefix("runs-")?.strip_suffix(".parquet")?;
    let (a, b) = rest.split_once('-')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

fn parse_part(name: &str) -> Option<u64> {
    name.strip_prefix("part-")?
        .strip_suffix(".parquet")?
        .parse()
        .ok()
}

fn remove(path: &Path) -> Result<(), SweepError> {
    let r = if path.is_dir() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    };
    match r {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_at(path)(e)),
        _ => Ok(()),
    }
}

fn names_in(dir: &Path) -> Result<Vec<(String, PathBuf)>, SweepError> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).map_err(io_at(dir))? {
        let e = e.map_err(io_at(dir))?;
        out.push((e.file_name().to_string_lossy().into_owned(), e.path()));
    }
    out.sort();
    Ok(out)
}

/// The time series of a sweep slice being written in its work folder.
pub struct Sink {
    schema: Arc<Schema>,
    parts: PathBuf,
    pieces: PathBuf,
    start: u64,
    end: u64,
    /// Runs appended so far (absolute run index of the next one).
    at: u64,
    /// The runs appended since the last commit, from `batch_from`.
    batch: Columns,
    batch_from: u64,
    /// The pieces of the open block, in run order.
    open: Vec<PathBuf>,
    /// Pieces of blocks now in their part, removed once the state says so.
    done: Vec<PathBuf>,
}

impl Sink {
    /// Opens the time series of the slice `[start, end)` in `work` with the runs before
    /// `committed` on disk: keeps their parts and pieces, deletes anything else.
    pub fn open(
        work: &Path,
        schema: Arc<Schema>,
        start: u64,
        end: u64,
        committed: u64,
    ) -> Result<Sink, SweepError> {
        let parts = work.join(DIR);
        let pieces = work.join(PIECES);
        for d in [&parts, &pieces] {
            fs::create_dir_all(d).map_err(io_at(d))?;
        }
        let complete = |k: u64| ((k + 1) * PART_RUNS).min(end) <= committed;
        let mut kept_parts = Vec::new();
        for (name, path) in names_in(&parts)? {
            match parse_part(&name) {
                Some(k)
                    if part_name(k) == name
                        && blocks(start, end).any(|(b, ..)| b == k)
                        && complete(k) =>
                {
                    kept_parts.push(k)
                }
                _ => remove(&path)?,
            }
        }
        // Names sort in run order (zero-padded).
        let mut open = Vec::new();
        let mut next = (committed / PART_RUNS * PART_RUNS).max(start);
        let mut gap = false;
        for (name, path) in names_in(&pieces)? {
            match parse_piece(&name) {
                Some((a, b))
                    if piece_name(a, b) == name
                        && start <= a
                        && a < b
                        && b <= committed
                        && a / PART_RUNS == (b - 1) / PART_RUNS
                        && !complete(a / PART_RUNS) =>
                {
                    gap |= a != next;
                    next = b;
                    open.push(path);
                }
                _ => remove(&path)?,
            }
        }
        let cannot = |what: String| {
            SweepError::Failed(format!(
                "{what}, so the sweep cannot resume; delete {} to run it afresh",
                work.display()
            ))
        };
        if gap || (committed < end && next != committed) {
            return Err(cannot(format!(
                "{}: pieces of the runs before {committed} are missing",
                pieces.display()
            )));
        }
        if let Some((k, ..)) =
            blocks(start, end).find(|&(k, _, b)| b <= committed && !kept_parts.contains(&k))
        {
            return Err(cannot(format!(
                "{} is missing",
                parts.join(part_name(k)).display()
            )));
        }
        Ok(Sink {
            batch: Columns::new(&schema),
            schema,
            parts,
            pieces,
            start,
            end,
            at: committed,
            batch_from: committed,
            open,
            done: Vec::new(),
        })
    }

    pub fn schema(&self) -> Arc<Schema> {
        self.schema.clone()
    }

    /// Adds the next run's rows, in memory until the next commit.
    pub fn append(&mut self, run: Columns) {
        self.batch.append(run);
        self.at += 1;
    }

    /// Writes the runs appended since the last commit as a piece and, when they end a
    /// block, the block's part; the pieces it replaces go at [`Sink::tidy`].
    pub fn commit(&mut self) -> Result<(), SweepError> {
        if self.at > self.batch_from {
            let path = self.pieces.join(piece_name(self.batch_from, self.at));
            let mut batch = std::mem::replace(&mut self.batch, Columns::new(&self.schema));
            encode(&self.schema, piece_properties(), &path, |j| {
                Ok(std::mem::replace(
                    &mut batch.values[j],
                    Values::new(self.schema.kinds[j]),
                ))
            })?;
            self.open.push(path);
            self.batch_from = self.at;
        }
        debug_assert!(self.batch.is_empty());
        let block_end = self.at == self.end || self.at.is_multiple_of(PART_RUNS);
        if block_end && self.at > self.start && !self.open.is_empty() {
            let k = (self.at - 1) / PART_RUNS;
            let path = self.parts.join(part_name(k));
            let sources = self
                .open
                .iter()
                .map(|p| {
                    let f = File::open(p).map_err(io_at(p))?;
                    SerializedFileReader::new(f).map_err(pq_error(p))
                })
                .collect::<Result<Vec<_>, _>>()?;
            combine(&self.schema, &sources, &path)?;
            self.done.append(&mut self.open);
        }
        Ok(())
    }

    /// Removes the pieces now in a part: called once the state recording it is written.
    pub fn tidy(&mut self) -> Result<(), SweepError> {
        for p in self.done.drain(..) {
            remove(&p)?;
        }
        Ok(())
    }

    /// The slice is complete: the pieces' folder goes.
    pub fn close(self) -> Result<(), SweepError> {
        debug_assert!(self.open.is_empty() && self.done.is_empty());
        remove(&self.pieces)
    }
}

/// The length and CRC-32 of a file, read through.
pub fn measure(path: &Path) -> io::Result<(u64, String)> {
    let mut f = File::open(path)?;
    let mut crc = crc32fast::Hasher::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut len = 0u64;
    loop {
        match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                crc.update(&buf[..n]);
                len += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok((len, format!("{:08x}", crc.finalize())))
}

/// Merge: a block written again from its partial parts (in run order), as the sweep
/// writes it from its pieces.
pub fn rewrite(schema: &Schema, parts: &[PathBuf], path: &Path) -> Result<(), SweepError> {
    let sources = parts
        .iter()
        .map(|p| {
            let f = File::open(p).map_err(io_at(p))?;
            SerializedFileReader::new(f).map_err(pq_error(p))
        })
        .collect::<Result<Vec<_>, _>>()?;
    combine(schema, &sources, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;
    use std::sync::OnceLock;

    /// A sweep of `runs` tiny runs whose second firm enters late (missing means).
    fn tiny(runs: u32) -> (Plan, toml::Table) {
        let text = format!(
            "customers = 30\nperiods = 3\n\
             [[firms]]\nname = \"A\"\n[[firms]]\nname = \"B\"\n\
             [[events]]\nperiod = 2\nkind = \"enter\"\nfirm = \"B\"\n\
             [sweep]\nreplications = {runs}\ntimeseries = \"parquet\"\n\
             [[sweep.vary]]\npath = \"constraint.r\"\nvalues = [\"inf\"]\n"
        );
        let mut base = Scenario::parse(&text, "tiny", &[]).unwrap();
        let plan = Plan::new(base.sweep.as_ref().unwrap(), base.seed).unwrap();
        base.sweep = None;
        let table = base.to_table();
        (plan.typed(&table).unwrap(), table)
    }

    fn columns_of(plan: &Plan, schema: &Schema, table: &toml::Table, i: u64) -> Columns {
        let points: Vec<OnceLock<_>> = plan.points.iter().map(|_| OnceLock::new()).collect();
        match super::super::one_run(plan, Some(schema), table, &points, i)
            .unwrap()
            .2
        {
            super::super::RunSeries::Parquet(c) => c,
            _ => panic!("a Parquet sweep's run gives columns"),
        }
    }

    #[test]
    fn every_cell_is_of_its_column_s_kind() {
        let (plan, table) = tiny(1);
        let schema = Schema::new(&plan);
        let run = plan.run(0);
        let scenario = plan.scenario(&table, &run).unwrap();
        let results = crate::engine::Simulation::new(&scenario).run(scenario.periods);
        let report = crate::report::RunReport {
            scenario: &scenario,
            results: &results,
            elapsed: std::time::Duration::ZERO,
            threads: 1,
            warnings: &[],
        };
        let cols = columns::timeseries();
        let (mut rows, mut nulls) = (0, 0);
        for r in report.timeseries_rows() {
            for (j, c) in cols.iter().enumerate() {
                let cell = (c.value)(&r);
                nulls += (cell == Cell::Float(None)) as u32;
                assert_eq!(
                    cell.dtype(),
                    schema.kinds[4 + plan.paths.len() + j],
                    "{}",
                    c.name
                );
            }
            rows += 1;
        }
        assert_eq!(rows, 6);
        assert!(
            nulls > 0,
            "the entrant's means are missing before it enters"
        );
        let c = columns_of(&plan, &schema, &table, 0);
        // A strength is a number, as in the CSV: "inf" is an infinite double.
        assert!(
            matches!(&c.values[4], Values::Float(x, _) if x.len() == 6 && x.iter().all(|v| v.is_infinite())),
            "constraint.r"
        );
    }

    fn listing(dir: &Path) -> Vec<String> {
        names_in(dir).unwrap().into_iter().map(|(n, _)| n).collect()
    }

    /// Appends runs `from..to` to `sink`, committing as the sweep does.
    fn feed(sink: &mut Sink, plan: &Plan, table: &toml::Table, from: u64, to: u64) {
        for i in from..to {
            sink.append(columns_of(plan, &sink.schema(), table, i));
            let at = i + 1;
            if (at - from).is_multiple_of(16) || at == to || at.is_multiple_of(PART_RUNS) {
                sink.commit().unwrap();
                sink.tidy().unwrap();
            }
        }
    }

    #[test]
    fn a_reopened_sink_keeps_what_was_committed_and_nothing_else() {
        let (plan, table) = tiny(300);
        let schema = Arc::new(Schema::new(&plan));
        let whole = tempfile::tempdir().unwrap();
        let mut sink = Sink::open(whole.path(), schema.clone(), 0, 300, 0).unwrap();
        feed(&mut sink, &plan, &table, 0, 300);
        sink.close().unwrap();
        assert!(!whole.path().join(PIECES).exists());
        let parts = whole.path().join(DIR);
        assert_eq!(listing(&parts), [part_name(0), part_name(1)]);

        let work = tempfile::tempdir().unwrap();
        let (w, pieces, partial) = (work.path(), work.path().join(PIECES), work.path().join(DIR));
        let mut sink = Sink::open(w, schema.clone(), 0, 300, 0).unwrap();
        feed(&mut sink, &plan, &table, 0, 272);
        drop(sink);
        assert_eq!(listing(&partial), [part_name(0)]);
        assert_eq!(listing(&pieces), [piece_name(256, 272)]);
        // What a process killed after its commit of run 272 may leave: a piece and a
        // part written but not committed, a piece of the finished block not yet removed.
        for stray in [
            pieces.join(piece_name(272, 288)),
            pieces.join(piece_name(240, 256)),
            pieces.join("runs-x.parquet"),
            partial.join(part_name(1)),
        ] {
            fs::write(stray, b"half written").unwrap();
        }
        let mut sink = Sink::open(w, schema.clone(), 0, 300, 272).unwrap();
        assert_eq!(listing(&partial), [part_name(0)]);
        assert_eq!(listing(&pieces), [piece_name(256, 272)]);
        feed(&mut sink, &plan, &table, 272, 300);
        sink.close().unwrap();
        for k in 0..2 {
            let name = part_name(k);
            assert!(fs::read(parts.join(&name)).unwrap() == fs::read(partial.join(&name)).unwrap());
        }

        // Committed runs whose pieces are gone: refused, not papered over.
        let gone = tempfile::tempdir().unwrap();
        let mut sink = Sink::open(gone.path(), schema.clone(), 0, 300, 0).unwrap();
        feed(&mut sink, &plan, &table, 0, 32);
        drop(sink);
        fs::remove_file(gone.path().join(PIECES).join(piece_name(0, 16))).unwrap();
        let e = Sink::open(gone.path(), schema, 0, 300, 32).err().unwrap();
        assert!(e.to_string().contains("missing"), "{e}");
    }

    #[test]
    fn blocks_are_fixed_by_run_index_and_clipped_to_the_slice() {
        let b: Vec<_> = blocks(0, 600).collect();
        assert_eq!(b, [(0, 0, 256), (1, 256, 512), (2, 512, 600)]);
        let b: Vec<_> = blocks(200, 300).collect();
        assert_eq!(b, [(0, 200, 256), (1, 256, 300)]);
        assert_eq!(blocks(256, 512).collect::<Vec<_>>(), [(1, 256, 512)]);
        assert_eq!(blocks(5, 5).count(), 0);
        assert_eq!(part_name(3), "part-000003.parquet");
        assert_eq!(parse_piece(&piece_name(16, 32)), Some((16, 32)));
    }
}
