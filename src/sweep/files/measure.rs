//! A data file read through: its CSV records counted and its bytes checksummed, and
//! the check that a file's rows hold their runs in order, for a finished sweep and for
//! a shard about to be merged alike.

use crate::sweep::FileRecord;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Checks that a file whose rows begin with their run holds the runs `[start, end)`,
/// each a contiguous block of rows (a run's curve has a row per bin), in order: the
/// index of the first record out of place.
#[derive(Debug)]
pub(super) struct RunBlocks {
    next: u64,
    at: Option<u64>,
    wrong: Option<u64>,
}

impl RunBlocks {
    pub(super) fn new(start: u64) -> RunBlocks {
        RunBlocks {
            next: start,
            at: None,
            wrong: None,
        }
    }

    pub(super) fn see(&mut self, i: u64, rec: &csv::ByteRecord) {
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
    pub(super) fn check(&self, end: u64) -> Result<(), String> {
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

/// Whether a `sweep.csv` record is run `index`.
pub(super) fn is_run(rec: &csv::ByteRecord, index: u64) -> bool {
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

pub(super) fn crc_hex(crc: crc32fast::Hasher) -> String {
    format!("{:08x}", crc.finalize())
}

/// A data file read through.
pub(super) struct Measured {
    pub(super) record: FileRecord,
    pub(super) header: csv::ByteRecord,
    /// Bytes of the header line, terminator included.
    pub(super) header_bytes: u64,
    /// The first record (1-based) whose field count is not the header's, and that count.
    pub(super) ragged: Option<(u64, usize)>,
}

/// Reads the CSV file at `path` through, checksumming its bytes and counting its records
/// (as CSV: a quoted field may hold a line break); `each` sees every record after the
/// header with its 0-based index.
pub(super) fn measure(
    path: &Path,
    mut each: impl FnMut(u64, &csv::ByteRecord),
) -> io::Result<Measured> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

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
