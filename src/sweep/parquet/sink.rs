//! The time series of a sweep slice being written: a piece per commit, a part per
//! complete block, and what a resumed sweep keeps of them (the files of committed runs)
//! and deletes (anything written after the last commit).

use super::codec::{combine, encode, piece_properties};
use super::schema::{Columns, Schema, Values};
use super::{DIR, PART_RUNS, PIECES, blocks, part_name, pq_error};
use crate::sweep::{SweepError, io_at};
use parquet::file::reader::SerializedFileReader;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub(super) fn piece_name(a: u64, b: u64) -> String {
    format!("runs-{a:012}-{b:012}.parquet")
}

pub(super) fn parse_piece(name: &str) -> Option<(u64, u64)> {
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

pub(super) fn names_in(dir: &Path) -> Result<Vec<(String, PathBuf)>, SweepError> {
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
