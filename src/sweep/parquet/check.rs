//! The check of a finished part file against the sweep's columns and runs, and the
//! length and CRC-32 that the manifest records of it: what a sweep verifies before it
//! is published and a merge before it copies anything.

use super::codec::read_column;
use super::schema::{Schema, Values};
use crate::report::columns::Dtype;
use parquet::file::reader::{FileReader, SerializedFileReader};
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

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
