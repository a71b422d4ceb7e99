//! One writer per output folder: an advisory lock held for a command's life.
//!
//! Every command that writes a folder (`run`, `sweep`, `merge`, `calibrate`, `plot`,
//! `literature`) first locks it, and a second command on the same folder is refused at
//! once (exit 2) rather than made to wait or let in: two sweeps in one work folder cut
//! each other's files back and one of them publishes a fraction of the runs as the
//! result.
//!
//! The lock is an exclusive advisory lock ([`File::try_lock`], `flock` on Unix) on
//! `PARENT/.NAME.lock`, beside the folder `PARENT/NAME`, never inside it: a results folder
//! is replaced by renaming a new folder into its place (a sweep's work folder too), so a
//! lock file inside would leave with the old folder and the next writer would lock
//! another file. Beside the folder it is on the same file system, so the processes of a
//! cluster sharing that file system see it too (Linux emulates `flock` over NFS with
//! POSIX locks).
//!
//! The kernel drops the lock when its process ends, however it ends, so the lock of a
//! killed command never blocks the next one: its file is still there, unlocked, and is
//! simply locked again. Nothing has to guess whether a lock is stale (no PIDs compared,
//! no timeouts); the PID written into the file is only for the refusal's message.
//!
//! The file is removed on release, so that results folders do not collect hidden lock
//! files. Removing it opens a race: B opens the file, A (the holder) removes it and
//! exits, B's lock then succeeds on a file no longer in the folder while C creates a new
//! one and locks that: two writers. So the holder removes the file while it still holds
//! the lock, and after locking a command checks that the path still names the file it
//! locked (same device and inode), and starts over if not. Where that check is not
//! available (not Unix) the file is kept, unlocked, after the command.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// An exclusive lock on a folder, released (and its file removed) when dropped.
#[derive(Debug)]
pub struct Lock {
    file: File,
    path: PathBuf,
    /// Folders created to hold the lock file, innermost first: removed on release when
    /// empty, so that a refused or failed command leaves nothing behind.
    created: Vec<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds the lock.
    #[error(
        "{target}: another loyalsim command{holder} is writing there now; wait for it to \
         finish, or choose another folder"
    )]
    Busy { target: String, holder: String },
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
}

/// The lock file of `target`: `.NAME.lock` in its parent folder.
pub fn lock_path(target: &Path) -> io::Result<PathBuf> {
    let resolved;
    let target = if target.file_name().is_some() {
        target
    } else {
        // `.`, `..`, `out/..`: the folder they name.
        resolved = fs::canonicalize(target)?;
        &resolved
    };
    let name = target.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} does not name a folder", target.display()),
        )
    })?;
    let mut lock = OsString::from(".");
    lock.push(name);
    lock.push(".lock");
    Ok(target.parent().unwrap_or(Path::new("")).join(lock))
}

impl Lock {
    /// Locks `target` (which need not exist yet; its parent folders are created), or
    /// says who holds it. Never waits.
    pub fn acquire(target: &Path) -> Result<Lock, LockError> {
        let io_at = |path: &Path| {
            let path = path.display().to_string();
            move |source| LockError::Io { path, source }
        };
        let path = lock_path(target).map_err(io_at(target))?;
        let parent = path.parent().unwrap_or(Path::new("")).to_path_buf();
        let created = create_parents(&parent).map_err(io_at(&parent))?;
        let fail = |e: LockError| {
            remove_empty(&created);
            Err(e)
        };
        // Each round either locks the file the path names or sees it replaced; a few
        // rounds suffice unless other processes keep removing it.
        for _ in 0..100 {
            let file = match OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
            {
                Ok(f) => f,
                // The parent was removed (empty) by a command that just ended.
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    if let Err(e) = fs::create_dir_all(&parent) {
                        return fail(io_at(&parent)(e));
                    }
                    continue;
                }
                Err(e) => return fail(io_at(&path)(e)),
            };
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    let holder = fs::read_to_string(&path)
                        .ok()
                        .and_then(|t| t.trim().parse::<u32>().ok())
                        .map_or(String::new(), |pid| format!(" (process {pid})"));
                    return fail(LockError::Busy {
                        target: target.display().to_string(),
                        holder,
                    });
                }
                Err(TryLockError::Error(e)) => return fail(io_at(&path)(e)),
            }
            match still_named(&file, &path) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => return fail(io_at(&path)(e)),
            }
            // Who holds it, for the message of a refused command; not needed otherwise.
            let _ = file.set_len(0);
            let _ = writeln!(&file, "{}", std::process::id());
            return Ok(Lock {
                file,
                path,
                created,
            });
        }
        fail(io_at(&path)(io::Error::other(
            "the lock file kept being replaced by other processes",
        )))
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still locked (see the module doc); the lock goes with the file
        // handle, closed after this.
        if cfg!(unix) {
            let _ = fs::remove_file(&self.path);
        }
        let _ = self.file.unlock();
        remove_empty(&self.created);
    }
}

/// Whether `path` still names the file `file` is open on.
#[cfg(unix)]
fn still_named(file: &File, path: &Path) -> io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    let held = file.metadata()?;
    match fs::metadata(path) {
        Ok(now) => Ok(now.dev() == held.dev() && now.ino() == held.ino()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// The file is never removed where this check is unavailable, so the path always names
/// the file opened.
#[cfg(not(unix))]
fn still_named(_file: &File, _path: &Path) -> io::Result<bool> {
    Ok(true)
}

/// Creates `dir` and its missing parents; returns those it created, innermost first.
fn create_parents(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let missing: Vec<PathBuf> = dir
        .ancestors()
        .filter(|a| !a.as_os_str().is_empty())
        .take_while(|a| fs::symlink_metadata(a).is_err())
        .map(Path::to_path_buf)
        .collect();
    fs::create_dir_all(dir)?;
    Ok(missing)
}

/// Removes the folders (innermost first) as long as they are empty.
fn remove_empty(dirs: &[PathBuf]) {
    for d in dirs {
        if fs::remove_dir(d).is_err() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_a_folder_is_refused_until_the_first_is_released() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        let first = Lock::acquire(&dir).unwrap();
        assert_eq!(first.path(), root.path().join(".out.lock"));
        // A second open file description, as another process would have.
        match Lock::acquire(&dir) {
            Err(LockError::Busy { target, holder }) => {
                assert_eq!(target, dir.display().to_string());
                assert_eq!(holder, format!(" (process {})", std::process::id()));
            }
            other => panic!("expected Busy, got {other:?}"),
        }
        // Another folder in the same parent is not affected.
        let other = Lock::acquire(&root.path().join("out2")).unwrap();
        drop(other);
        drop(first);
        assert_eq!(
            fs::read_dir(root.path()).unwrap().count(),
            0,
            "lock files removed"
        );
        let again = Lock::acquire(&dir).unwrap();
        drop(again);
    }

    #[test]
    fn a_lock_file_left_unlocked_does_not_block() {
        // What a killed process leaves: the file, with its PID, and no lock on it.
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        fs::write(root.path().join(".out.lock"), "12345\n").unwrap();
        let lock = Lock::acquire(&dir).unwrap();
        drop(lock);
        assert!(!root.path().join(".out.lock").exists());
    }

    #[test]
    fn parents_created_for_the_lock_are_removed_when_left_empty() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a").join("b").join("out");
        let lock = Lock::acquire(&dir).unwrap();
        assert!(root.path().join("a/b/.out.lock").is_file());
        drop(lock);
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 0);
        // Kept when something was written there meanwhile.
        let lock = Lock::acquire(&dir).unwrap();
        fs::create_dir(&dir).unwrap();
        drop(lock);
        assert!(dir.is_dir());
    }

    #[cfg(unix)]
    #[test]
    fn a_lock_on_a_removed_file_is_not_taken_for_the_folder_s() {
        // B opened the file before A removed it: B's lock must not count.
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        let a = Lock::acquire(&dir).unwrap();
        let stale = File::open(a.path()).unwrap();
        drop(a);
        assert!(!still_named(&stale, &root.path().join(".out.lock")).unwrap());
        let c = Lock::acquire(&dir).unwrap();
        assert!(still_named(&c.file, c.path()).unwrap());
        assert!(!still_named(&stale, c.path()).unwrap());
    }
}
