//! A sweep's identity and what its `manifest.json` records: which slice of the runs a
//! process does ([`Shard`]), the sweep it belongs to ([`Manifest`]) and each data file as
//! it was published ([`Finished`], [`FileRecord`]). A file format, so it lives with the
//! other files' shapes in `report`: the sweep writes it (`crate::sweep` re-exports these
//! types), the sweep charts and the merge read it back.

use crate::scenario::sweep::TimeseriesFormat;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which slice of the runs a process does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// 1-based.
    pub index: u64,
    pub count: u64,
}

impl Shard {
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Parses `I/N` with 1 <= I <= N.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("--shard {text}: expected I/N with 1 <= I <= N, e.g. 2/8");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (u64, u64) = (
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if count == 0 || index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// The folder beside `dir` (this shard's folder) named as `dir` is but with `index`
    /// for this shard's index: `out/x.shard-2-of-4` gives `out/x.shard-3-of-4` for "3"
    /// and `out/x.shard-*-of-4` for "*". None when `dir`'s name does not hold "I-of-N".
    pub fn sibling_folder(&self, dir: &std::path::Path, index: &str) -> Option<std::path::PathBuf> {
        let name = dir.file_name()?.to_str()?;
        let needle = format!("{}-of-{}", self.index, self.count);
        let at = name.rmatch_indices(&needle).map(|(at, _)| at).find(|&at| {
            let after = &name[at + needle.len()..];
            !name[..at].ends_with(|c: char| c.is_ascii_digit())
                && !after.starts_with(|c: char| c.is_ascii_digit())
        })?;
        let digits = self.index.to_string().len();
        let renamed = format!("{}{index}{}", &name[..at], &name[at + digits..]);
        Some(dir.with_file_name(renamed))
    }

    /// The runs `[start, end)` of this shard out of `runs`.
    pub fn slice(&self, runs: u64) -> (u64, u64) {
        let at = |k: u64| ((k as u128 * runs as u128) / self.count as u128) as u64;
        (at(self.index - 1), at(self.index))
    }
}

/// What identifies a sweep's work: kept in `state.json` and `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub name: String,
    /// FNV-1a hash of the resolved scenario, sweep included.
    pub hash: String,
    pub runs: u64,
    pub shard: Shard,
    pub start: u64,
    pub end: u64,
    /// What the sweep keeps of every run's periods (CSV in manifests that do not say).
    #[serde(default)]
    pub timeseries: TimeseriesFormat,
    /// The warnings the sweep began with (a field that changes nothing at some points,
    /// shares normalised, …), kept with its results and in its Markdown table rather
    /// than only on a terminal; every shard of a sweep has the same.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The version of loyalsim that ran it: a shard is taken as already complete, or
    /// resumed, or merged with others, only by the same version (empty in manifests of
    /// versions that did not say).
    #[serde(default)]
    pub loyalsim: String,
}

/// What `manifest.json` holds: the sweep's identity and, for each data file, what it
/// held when the sweep (or shard) finished, which `merge` checks a shard against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finished {
    #[serde(flatten)]
    pub manifest: Manifest,
    /// File name → record; empty in manifests of versions that kept none.
    #[serde(default)]
    pub files: BTreeMap<String, FileRecord>,
}

/// A data file as it was published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// Records after the header of a CSV file, rows of a Parquet file.
    pub rows: u64,
    pub bytes: u64,
    /// CRC-32 (IEEE) of the whole file, 8 hex digits.
    pub crc32: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_the_runs_in_order_without_overlap() {
        for runs in [0, 1, 7, 10, 1000] {
            for count in 1..=5 {
                let mut next = 0;
                for index in 1..=count {
                    let (a, b) = Shard { index, count }.slice(runs);
                    assert_eq!(a, next);
                    next = b;
                }
                assert_eq!(next, runs);
            }
        }
        assert!(Shard::parse("4/3").is_err());
        assert!(Shard::parse("0/3").is_err());
        assert!(Shard::parse("x").is_err());
        assert_eq!(Shard::parse("2/3").unwrap(), Shard { index: 2, count: 3 });
    }

    #[test]
    fn a_shards_siblings_are_named_as_it_is() {
        use std::path::{Path, PathBuf};
        let s = Shard { index: 2, count: 4 };
        let at = |dir: &str, i: &str| s.sibling_folder(Path::new(dir), i);
        assert_eq!(
            at("out/x.shard-2-of-4", "3"),
            Some(PathBuf::from("out/x.shard-3-of-4"))
        );
        assert_eq!(at("out/2-of-4", "*"), Some(PathBuf::from("out/*-of-4")));
        // The index is a whole number, not the end of a larger one.
        assert_eq!(at("out/x12-of-4", "3"), None);
        assert_eq!(at("out/x2-of-40", "3"), None);
        assert_eq!(at("out/shard-2", "3"), None);
        let big = Shard {
            index: 10,
            count: 12,
        };
        assert_eq!(
            big.sibling_folder(Path::new("a/r10-of-12.b"), "7"),
            Some(PathBuf::from("a/r7-of-12.b"))
        );
    }
}
