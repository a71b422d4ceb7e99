//! Parquet files written and read back through the crate's typed column writers and
//! readers: the properties of pieces and of parts, and a part combined from files of
//! the sweep's columns, one column at a time.

use super::pq_error;
use super::schema::{Schema, Values, mismatch};
use crate::report::columns::Dtype;
use crate::sweep::{SweepError, io_at};
use parquet::basic::{Compression, Encoding, ZstdLevel};
use parquet::column::reader::get_typed_column_reader;
use parquet::column::writer::ColumnWriter;
use parquet::data_type::{ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterPropertiesPtr};
use parquet::file::reader::{ChunkReader, FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::ColumnPath;
use std::collections::HashSet;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// zstd's level for the parts: its default (levels 1 to 12 are within 0.2% here).
const ZSTD_LEVEL: i32 = 3;

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
pub(super) fn piece_properties() -> WriterPropertiesPtr {
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
pub(super) fn encode(
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
pub(super) fn read_column<R: ChunkReader + 'static>(
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
pub(super) fn combine<R: ChunkReader + 'static>(
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
