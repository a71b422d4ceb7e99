//! Where a shard stands: finished (its folder verified against its manifest), partial
//! (its work folder, with the runs done so far) or not begun.
//!
//! Two readers need this. A resubmitted array task (`sbatch` of the whole array again,
//! a requeue) should not redo a shard that is already complete, so a shard first looks
//! at its own results folder. A merge given the shards it can find should say which
//! ones are still missing or partial, by number, rather than only that some are. A
//! shard that has not finished has no results folder yet, only its hidden work folder
//! `.NAME.sweep-partial` beside where the results will be, so a shell glob of the shard
//! folders does not list it; the merge looks for the missing ones by name, beside the
//! ones it was given ([`Shard::sibling_folder`]).

use super::shard::{check_files, check_scenario, read_manifest};
use super::{MANIFEST, read_state};
use crate::parameter::Plan;
use crate::report::atomic;
use crate::sweep::{Finished, Manifest, Shard, SweepError};
use std::path::{Path, PathBuf};

/// What a shard's results folder holds for the slice it is to run.
#[derive(Debug)]
pub enum Here {
    /// This very slice (same scenario, shard, format, warnings and loyalsim version),
    /// every data file as its manifest records it.
    Complete,
    /// This slice, but a file does not verify: why.
    Damaged(String),
    /// No finished folder, or one of another sweep (replaced when this one finishes).
    No,
}

/// Whether the folder `dir` already holds the finished slice `manifest` of the sweep
/// `plan` (typed, as [`crate::sweep::run`] types it).
pub fn finished_here(dir: &Path, manifest: &Manifest, plan: &Plan) -> Here {
    if !dir.join(MANIFEST).exists() {
        return Here::No;
    }
    let finished = match read_manifest(dir) {
        Ok(f) => f,
        Err(e) => return Here::Damaged(e.to_string()),
    };
    if finished.manifest != *manifest {
        return Here::No;
    }
    if finished.files.is_empty() {
        return Here::Damaged("its manifest.json records no checksums".into());
    }
    match check_scenario(dir, &finished).and_then(|_| check_files(dir, &finished, plan)) {
        Ok(_) => Here::Complete,
        Err(e) => Here::Damaged(e.to_string()),
    }
}

/// A shard that has begun and not finished: its work folder's state.
pub(super) struct Partial {
    /// The results folder it is to become.
    pub dir: PathBuf,
    pub work: PathBuf,
    pub manifest: Manifest,
    pub done: u64,
}

impl Partial {
    /// "shard 4 is partial: 37 of 250 runs done (output/.x.shard-4-of-4.sweep-partial)".
    fn describe(&self, sweep: &Manifest) -> String {
        let m = &self.manifest;
        let other = if sweep.hash != m.hash || sweep.runs != m.runs {
            format!(", a shard of another sweep (hash {})", m.hash)
        } else {
            String::new()
        };
        format!(
            "shard {} is partial: {} of {} runs done ({}{other})",
            m.shard.index,
            self.done,
            m.end - m.start,
            self.work.display()
        )
    }
}

/// The partial shard whose results are to be `dir`, if its work folder is there.
pub(super) fn partial_at(dir: &Path) -> Result<Option<Partial>, SweepError> {
    let work = atomic::sibling(dir, "sweep-partial");
    Ok(read_state(&work)?.map(|state| Partial {
        dir: dir.to_path_buf(),
        work,
        manifest: state.manifest,
        done: state.done,
    }))
}

/// What the merge was given: finished shards and partial ones.
pub(super) struct Given<'a> {
    pub finished: Vec<(Finished, &'a PathBuf)>,
    pub partial: Vec<Partial>,
    /// Folders named that do not exist, with no work folder beside them either (a
    /// shard not begun, named by a script that lists all N).
    pub absent: Vec<&'a PathBuf>,
}

/// Reads every folder given to a merge: a finished shard, a partial one (its work
/// folder beside it) or one not begun (no folder); a folder that is there and is no
/// shard is refused, naming it.
pub(super) fn read_given(shards: &[PathBuf]) -> Result<Given<'_>, SweepError> {
    let mut given = Given {
        finished: Vec::new(),
        partial: Vec::new(),
        absent: Vec::new(),
    };
    for d in shards {
        match read_manifest(d) {
            Ok(f) => given.finished.push((f, d)),
            Err(e) => match partial_at(d)? {
                Some(p) => given.partial.push(p),
                None if !d.exists() => given.absent.push(d),
                None => return Err(e),
            },
        }
    }
    Ok(given)
}

/// Refuses a merge that lacks shards of 1 to `sweep.shard.count`, naming each missing one
/// (and where it was looked for) and each partial one with its runs done.
pub(super) fn check_all_there(given: &Given, sweep: &Manifest) -> Result<(), SweepError> {
    let count = sweep.shard.count;
    let mut seen: Vec<Option<&PathBuf>> = vec![None; count as usize];
    for (f, d) in &given.finished {
        let k = f.manifest.shard.index;
        if let Some(other) = seen[(k - 1) as usize] {
            return Err(SweepError::Input(format!(
                "merge: shard {k}/{count} is given twice ({} and {}); give each shard once",
                other.display(),
                d.display()
            )));
        }
        seen[(k - 1) as usize] = Some(d);
    }
    // Where the others would be, by the names of the folders given.
    let named: Vec<(Shard, &Path)> = given
        .finished
        .iter()
        .map(|(f, d)| (f.manifest.shard, d.as_path()))
        .chain(
            given
                .partial
                .iter()
                .map(|p| (p.manifest.shard, p.dir.as_path())),
        )
        .collect();
    let mut lacking = Vec::new();
    for k in 1..=count {
        if seen[(k - 1) as usize].is_some() {
            continue;
        }
        if let Some(p) = given.partial.iter().find(|p| p.manifest.shard.index == k) {
            lacking.push(p.describe(sweep));
            continue;
        }
        let place = named.iter().find_map(|(s, d)| {
            (s.count == count)
                .then(|| s.sibling_folder(d, &k.to_string()))
                .flatten()
        });
        lacking.push(match place {
            Some(dir) => match (read_manifest(&dir), partial_at(&dir)?) {
                (Ok(_), _) => format!(
                    "shard {k} is finished in {} but was not given",
                    dir.display()
                ),
                (Err(_), Some(p)) => p.describe(sweep),
                (Err(_), None) => format!("shard {k} is missing (no {})", dir.display()),
            },
            None => format!("shard {k} is missing (not given)"),
        });
    }
    let absent: Vec<String> = given
        .absent
        .iter()
        .filter(|d| {
            !lacking
                .iter()
                .any(|l| l.contains(&format!("(no {})", d.display())))
        })
        .map(|d| format!("{} does not exist", d.display()))
        .collect();
    if lacking.is_empty() {
        return match absent.is_empty() {
            true => Ok(()),
            false => Err(SweepError::Input(format!(
                "merge: {}; expected the folders of shards 1 to {count} only",
                absent.join("; ")
            ))),
        };
    }
    lacking.extend(absent);
    Err(SweepError::Input(format!(
        "merge: {} of {count} shards are not ready: {}; run each (loyalsim sweep SCENARIO \
         --shard K/{count}; a partial shard resumes where it stopped), then merge again",
        lacking.len(),
        lacking.join("; ")
    )))
}

/// The name of the sweep the folders given to a merge belong to (`output/NAME` is where
/// it merges by default): the first finished shard's, else a partial one's.
pub fn sweep_name(shards: &[PathBuf]) -> Option<String> {
    let finished = shards.iter().find_map(|d| read_manifest(d).ok());
    finished.map(|f| f.manifest.name).or_else(|| {
        shards
            .iter()
            .find_map(|d| partial_at(d).ok().flatten())
            .map(|p| p.manifest.name)
    })
}
