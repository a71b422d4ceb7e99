//! A results folder appears whole or not at all, one writer at a time, and nothing of
//! the user's is replaced.
//!
//! A command that writes a results folder (`run`, `sweep`, `merge`, `calibrate`) first
//! claims it ([`Target::claim`]), before it simulates anything: it takes the folder's
//! lock ([`super::lock`]), checks that the folder may be replaced, and clears what
//! earlier commands on it left behind. Files are then written into a hidden sibling
//! folder (`.NAME.partial`) and renamed into place when complete ([`write_dir`],
//! [`place`]); a folder already there is moved aside first (`.NAME.old`) and removed
//! after. An error leaves the previous results untouched and removes the partial folder.
//!
//! **Which folder may be replaced.** `--out` may name nothing yet (it is created, with
//! its parents), an empty folder, or a folder loyalsim wrote: one holding
//! `scenario.toml` and one of `summary.json` (a run), `manifest.json` (a sweep or merge)
//! or `fit.json` (a calibration); such a folder is replaced whole, files added to it
//! since included. Anything else is refused (exit 2) and left as it is: a file, a
//! symbolic link (replacing it would replace the link, not the folder it points to), or
//! a folder with other contents, which is more likely someone's work than old results.
//! The check is made under the lock, and again just before the rename.
//!
//! **Leftovers.** A killed command can leave `.NAME.partial` (`.NAME.partial-PID` from
//! versions that named them by process), a merge's `.NAME.merge-partial` or, killed
//! between the two renames, the previous results in `.NAME.old`. The next claim on the
//! same folder removes them, whatever process made them: only the holder of the folder's
//! lock writes them, and it holds that lock now. When the results folder itself is
//! missing, `.NAME.old` is put back instead: it is the previous results, whole. A sweep's
//! work folder, `.NAME.sweep-partial`, is not a leftover but an interrupted sweep kept
//! for resuming (see `crate::sweep`), and is left to the sweep.

use super::lock::{Lock, LockError};
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The files by which a folder is known as loyalsim's: `scenario.toml` and one of these.
const WRITTEN_BY_LOYALSIM: [&str; 3] = ["summary.json", "manifest.json", "fit.json"];

/// A results folder claimed for writing: locked for as long as this lives.
#[derive(Debug)]
pub struct Target {
    dir: PathBuf,
    _lock: Lock,
}

#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// The folder may not be written (bad input: exit 2); the message starts with it.
    #[error("{0}")]
    Refused(String),
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> TargetError + '_ {
    move |source| TargetError::Io {
        path: path.display().to_string(),
        source,
    }
}

impl From<LockError> for TargetError {
    fn from(e: LockError) -> TargetError {
        match e {
            e @ LockError::Busy { .. } => TargetError::Refused(e.to_string()),
            LockError::Io { path, source } => TargetError::Io { path, source },
        }
    }
}

impl Target {
    /// Locks `dir`, checks that it may be replaced and clears the leftovers beside it.
    pub fn claim(dir: &Path) -> Result<Target, TargetError> {
        if dir.file_name().is_none() {
            return Err(TargetError::Refused(format!(
                "{}: does not name a folder; expected a folder to write the results into, \
                 e.g. output/NAME",
                dir.display()
            )));
        }
        let lock = Lock::acquire(dir)?;
        replaceable(dir)?;
        clear_leftovers(dir)?;
        Ok(Target {
            dir: dir.to_path_buf(),
            _lock: lock,
        })
    }

    /// The results folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The hidden sibling `.NAME.TAG` of the results folder.
    pub fn sibling(&self, tag: &str) -> PathBuf {
        sibling(&self.dir, tag)
    }
}

/// Locks a folder that files are written into without replacing it (`plot`'s charts,
/// `literature`'s page), refusing one that exists and is not a folder. It is not
/// created here: `plot` may be redrawing a folder that turns out not to exist.
pub fn claim_folder(dir: &Path) -> Result<Lock, TargetError> {
    let lock = Lock::acquire(dir)?;
    match fs::metadata(dir) {
        Ok(m) if !m.is_dir() => Err(TargetError::Refused(format!(
            "{}: a file, not a folder; expected a folder to write into (the file is left \
             alone)",
            dir.display()
        ))),
        Ok(_) => Ok(lock),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(lock),
        Err(e) => Err(io_at(dir)(e)),
    }
}

/// The hidden sibling `.NAME.TAG` of the folder `dir`.
pub fn sibling(dir: &Path, tag: &str) -> PathBuf {
    let mut name = OsString::from(".");
    name.push(dir.file_name().unwrap_or(OsStr::new("")));
    name.push(".");
    name.push(tag);
    dir.parent().unwrap_or(Path::new("")).join(name)
}

/// Ok when `dir` is missing, an empty folder or a folder loyalsim wrote.
fn replaceable(dir: &Path) -> Result<(), TargetError> {
    let refuse = |what: &str| {
        Err(TargetError::Refused(format!(
            "{}: {what} (left alone); expected a new or empty folder, or a loyalsim results \
             folder to replace (scenario.toml with summary.json, manifest.json or fit.json)",
            dir.display()
        )))
    };
    let meta = match fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_at(dir)(e)),
    };
    if meta.file_type().is_symlink() {
        return refuse("a symbolic link, not the folder it points to");
    }
    if !meta.is_dir() {
        return refuse("a file, not a folder");
    }
    let mut entries = fs::read_dir(dir).map_err(io_at(dir))?;
    if entries.next().is_none() {
        return Ok(());
    }
    let has = |f: &str| dir.join(f).is_file();
    if has("scenario.toml") && WRITTEN_BY_LOYALSIM.iter().any(|f| has(f)) {
        return Ok(());
    }
    refuse("a folder loyalsim did not write, and not empty")
}

/// What a name beside `dir` is, if a leftover of an earlier command on `dir`.
#[derive(Debug, PartialEq)]
enum Leftover {
    Partial,
    Old,
}

fn leftover(entry: &OsStr, dir_name: &OsStr) -> Option<Leftover> {
    let mut prefix = b".".to_vec();
    prefix.extend_from_slice(dir_name.as_encoded_bytes());
    prefix.push(b'.');
    let rest = entry.as_encoded_bytes().strip_prefix(&prefix[..])?;
    // `TAG` or `TAG-PID`.
    let tag = match rest.iter().rposition(|&b| b == b'-') {
        Some(i) if i + 1 < rest.len() && rest[i + 1..].iter().all(u8::is_ascii_digit) => &rest[..i],
        _ => rest,
    };
    match tag {
        b"partial" | b"merge-partial" => Some(Leftover::Partial),
        b"old" => Some(Leftover::Old),
        _ => None,
    }
}

fn remove_any(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Removes the leftovers beside `dir`, putting the previous results back if they were
/// left aside (see the module doc). The caller holds `dir`'s lock.
fn clear_leftovers(dir: &Path) -> Result<(), TargetError> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = dir.file_name().unwrap_or(OsStr::new(""));
    let mut olds = Vec::new();
    for entry in fs::read_dir(parent).map_err(io_at(parent))? {
        let entry = entry.map_err(io_at(parent))?;
        let path = dir
            .parent()
            .unwrap_or(Path::new(""))
            .join(entry.file_name());
        match leftover(&entry.file_name(), name) {
            Some(Leftover::Partial) => remove_any(&path).map_err(io_at(&path))?,
            Some(Leftover::Old) => olds.push(path),
            None => {}
        }
    }
    olds.sort();
    for old in olds {
        let missing =
            matches!(fs::symlink_metadata(dir), Err(e) if e.kind() == io::ErrorKind::NotFound);
        if missing && old.is_dir() {
            fs::rename(&old, dir).map_err(io_at(dir))?;
        } else {
            remove_any(&old).map_err(io_at(&old))?;
        }
    }
    Ok(())
}

/// Removes a folder on drop unless disarmed: what a failed command started.
pub struct Cleanup(Option<PathBuf>);

impl Cleanup {
    pub fn new(dir: &Path) -> Cleanup {
        Cleanup(Some(dir.to_path_buf()))
    }

    /// Keeps the folder (it was moved into place).
    pub fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = fs::remove_dir_all(p);
        }
    }
}

/// Moves the complete folder `complete` (a sibling of the target) into place, replacing
/// what is there; if that fails, what was there stays.
pub fn place(target: &Target, complete: &Path) -> io::Result<()> {
    let dir = target.dir();
    // Under the lock nothing of loyalsim's changed it since the claim; someone else
    // might have.
    replaceable(dir).map_err(|e| match e {
        TargetError::Refused(m) => io::Error::new(io::ErrorKind::AlreadyExists, m),
        TargetError::Io { source, .. } => source,
    })?;
    swap_in(complete, dir)
}

/// Moves the complete folder `complete` to `dir`, replacing what is there without a
/// moment when neither is: the old folder is renamed aside (`.NAME.old`), the new one
/// renamed into place, and the old one removed; if the second rename fails the old one
/// is put back. For folders whose replacement the caller has already settled (`place`
/// checks a results folder first; the literature page replaces its own charts folder,
/// under its output's lock).
pub fn swap_in(complete: &Path, dir: &Path) -> io::Result<()> {
    if matches!(fs::symlink_metadata(dir), Err(e) if e.kind() == io::ErrorKind::NotFound) {
        return fs::rename(complete, dir);
    }
    let old = sibling(dir, "old");
    remove_any(&old)?;
    fs::rename(dir, &old)?;
    if let Err(e) = fs::rename(complete, dir) {
        let _ = fs::rename(&old, dir);
        return Err(e);
    }
    // The new folder is in place; an old one that cannot be removed now is a leftover
    // the next claim (or swap) clears.
    let _ = fs::remove_dir_all(&old);
    Ok(())
}

/// Calls `fill` with an empty temporary folder, then moves it into place.
pub fn write_dir(target: &Target, fill: impl FnOnce(&Path) -> io::Result<()>) -> io::Result<()> {
    let tmp = target.sibling("partial");
    remove_any(&tmp)?;
    fs::create_dir(&tmp)?;
    let mut guard = Cleanup::new(&tmp);
    fill(&tmp)?;
    place(target, &tmp)?;
    guard.disarm();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn names(dir: &Path) -> BTreeSet<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn a_swap_replaces_the_folder_whole_and_leaves_nothing_aside() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("validation");
        let fill = |name: &str, file: &str| {
            let d = root.path().join(name);
            fs::create_dir(&d).unwrap();
            fs::write(d.join(file), name).unwrap();
            d
        };
        // Into nothing, then over a folder: only the new files, and no `.NAME.old`.
        swap_in(&fill("first", "a.png"), &dir).unwrap();
        swap_in(&fill("second", "b.png"), &dir).unwrap();
        let names = |d: &Path| -> BTreeSet<String> {
            fs::read_dir(d)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        };
        assert_eq!(names(&dir), BTreeSet::from(["b.png".to_string()]));
        assert_eq!(
            names(root.path()),
            BTreeSet::from(["validation".to_string()])
        );
        // A complete folder that is not there fails and leaves the old one in place.
        assert!(swap_in(&root.path().join("missing"), &dir).is_err());
        assert_eq!(names(&dir), BTreeSet::from(["b.png".to_string()]));
    }

    #[test]
    fn a_failed_fill_leaves_nothing_and_keeps_old_results() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        let results = |t: &Path, text: &str| {
            fs::write(t.join("scenario.toml"), "")?;
            fs::write(t.join("summary.json"), text)
        };
        write_dir(&Target::claim(&dir).unwrap(), |t| results(t, "first")).unwrap();
        let err = write_dir(&Target::claim(&dir).unwrap(), |t| {
            results(t, "half")?;
            Err(io::Error::other("disk full"))
        });
        assert!(err.is_err());
        assert_eq!(
            fs::read_to_string(dir.join("summary.json")).unwrap(),
            "first"
        );
        assert_eq!(names(root.path()), BTreeSet::from(["out".to_string()]));
        write_dir(&Target::claim(&dir).unwrap(), |t| {
            fs::write(t.join("b.txt"), "second")
        })
        .unwrap();
        assert!(!dir.join("summary.json").exists());
        assert_eq!(fs::read_to_string(dir.join("b.txt")).unwrap(), "second");
    }

    #[test]
    fn only_new_empty_or_loyalsim_folders_are_replaced() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("notes.txt");
        fs::write(&file, "mine").unwrap();
        let foreign = root.path().join("thesis");
        fs::create_dir(&foreign).unwrap();
        fs::write(foreign.join("chapter1.tex"), "mine").unwrap();
        // summary.json alone is not enough: loyalsim always writes scenario.toml too.
        let lookalike = root.path().join("lookalike");
        fs::create_dir(&lookalike).unwrap();
        fs::write(lookalike.join("summary.json"), "{}").unwrap();
        for dir in [&file, &foreign, &lookalike] {
            match Target::claim(dir) {
                Err(TargetError::Refused(m)) => {
                    assert!(m.starts_with(&dir.display().to_string()), "{m}")
                }
                other => panic!("{dir:?}: expected a refusal, got {other:?}"),
            }
        }
        assert_eq!(fs::read_to_string(&file).unwrap(), "mine");
        assert_eq!(
            fs::read_to_string(foreign.join("chapter1.tex")).unwrap(),
            "mine"
        );
        assert_eq!(
            names(root.path()),
            BTreeSet::from(["notes.txt", "thesis", "lookalike"].map(String::from)),
            "no lock file or partial folder left by a refusal"
        );
        let empty = root.path().join("empty");
        fs::create_dir(&empty).unwrap();
        for ok in ["empty", "new", "new/nested"] {
            let t = Target::claim(&root.path().join(ok)).unwrap();
            write_dir(&t, |t| fs::write(t.join("scenario.toml"), "")).unwrap();
        }
        let sweep = root.path().join("sweep");
        fs::create_dir(&sweep).unwrap();
        fs::write(sweep.join("scenario.toml"), "").unwrap();
        fs::write(sweep.join("manifest.json"), "{}").unwrap();
        Target::claim(&sweep).unwrap();
        assert!(Target::claim(Path::new("/")).is_err());
    }

    #[test]
    fn leftovers_of_any_process_are_cleared_and_old_results_put_back() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        for stale in [".out.partial-12345", ".out.partial", ".out.merge-partial"] {
            fs::create_dir(root.path().join(stale)).unwrap();
            fs::write(root.path().join(stale).join("x"), "").unwrap();
        }
        // Not leftovers of `out`: another target's, a sweep's resumable work, a user's.
        let keep = [
            ".out2.partial-1",
            ".out.sweep-partial",
            ".out.partial-x",
            "out.partial-1",
        ];
        for k in keep {
            fs::create_dir(root.path().join(k)).unwrap();
        }
        // Killed between the renames: the previous results aside, none in place.
        let old = root.path().join(".out.old");
        fs::create_dir(&old).unwrap();
        fs::write(old.join("scenario.toml"), "").unwrap();
        fs::write(old.join("summary.json"), "previous").unwrap();
        let t = Target::claim(&dir).unwrap();
        assert_eq!(
            fs::read_to_string(dir.join("summary.json")).unwrap(),
            "previous"
        );
        let mut expected: BTreeSet<String> = keep.iter().map(|s| s.to_string()).collect();
        expected.extend(["out".to_string(), ".out.lock".to_string()]);
        assert_eq!(names(root.path()), expected);
        drop(t);
        // With results in place, an old folder beside them is removed.
        fs::create_dir(root.path().join(".out.old-999")).unwrap();
        drop(Target::claim(&dir).unwrap());
        assert!(!root.path().join(".out.old-999").exists());
    }

    #[test]
    fn leftover_names_are_matched_exactly() {
        let l = |e: &str| leftover(OsStr::new(e), OsStr::new("out"));
        assert_eq!(l(".out.partial"), Some(Leftover::Partial));
        assert_eq!(l(".out.partial-42"), Some(Leftover::Partial));
        assert_eq!(l(".out.merge-partial"), Some(Leftover::Partial));
        assert_eq!(l(".out.merge-partial-3"), Some(Leftover::Partial));
        assert_eq!(l(".out.old"), Some(Leftover::Old));
        assert_eq!(l(".out.old-7"), Some(Leftover::Old));
        for none in [
            ".out.sweep-partial",
            ".out.partial-",
            ".out.partial-4x",
            ".out.lock",
            ".out",
            "out",
            ".outer.partial",
            ".out.x.partial",
        ] {
            assert_eq!(l(none), None, "{none}");
        }
    }
}
