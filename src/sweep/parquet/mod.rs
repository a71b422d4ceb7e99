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
//!
//! [`columns::csv_float`]: crate::report::columns::csv_float

mod check;
mod codec;
mod schema;
mod sink;
#[cfg(test)]
mod tests;

use crate::sweep::SweepError;
use std::path::Path;

pub use check::{check_part, measure};
pub use codec::rewrite;
pub use schema::{Columns, Schema};
pub use sink::Sink;

/// Runs per part file (one row group): 51,200 rows for 50 periods of 4 firms, enough for
/// zstd and the dictionaries to work well, and few files for a big sweep.
pub const PART_RUNS: u64 = 256;

/// The folder of part files, in a results folder.
pub const DIR: &str = "sweep_timeseries.parquet";

/// The pieces of the open block, in a work folder.
const PIECES: &str = "timeseries-pieces";

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

fn pq_error(what: &Path) -> impl Fn(parquet::errors::ParquetError) -> SweepError + '_ {
    move |e| SweepError::Failed(format!("{}: {e}", what.display()))
}
