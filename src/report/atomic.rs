//! A results folder appears whole or not at all.
//!
//! Files are written into a hidden sibling folder (`.NAME.partial-PID`) and renamed into
//! place when complete; an existing folder of the same name is moved aside first and
//! removed after. A crash or an error leaves the previous results untouched and, at
//! worst, a hidden partial folder that the next run of the same name clears.

use std::io;
use std::path::{Path, PathBuf};

/// Removes the temporary folder unless it was moved into place.
struct Cleanup(Option<PathBuf>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_dir_all(p);
        }
    }
}

fn sibling(dir: &Path, tag: &str) -> io::Result<PathBuf> {
    let name = dir.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} does not name a folder", dir.display()),
        )
    })?;
    let parent = dir.parent().unwrap_or(Path::new(""));
    Ok(parent.join(format!(
        ".{}.{tag}-{}",
        name.to_string_lossy(),
        std::process::id()
    )))
}

/// Calls `fill` with an empty temporary folder, then moves it to `dir`.
pub fn write_dir(dir: &Path, fill: impl FnOnce(&Path) -> io::Result<()>) -> io::Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists and is not a folder", dir.display()),
        ));
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = sibling(dir, "partial")?;
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp)?;
    }
    std::fs::create_dir(&tmp)?;
    let mut guard = Cleanup(Some(tmp.clone()));
    fill(&tmp)?;
    if dir.exists() {
        let old = sibling(dir, "old")?;
        if old.exists() {
            std::fs::remove_dir_all(&old)?;
        }
        std::fs::rename(dir, &old)?;
        std::fs::rename(&tmp, dir)?;
        guard.0 = None;
        std::fs::remove_dir_all(&old)?;
    } else {
        std::fs::rename(&tmp, dir)?;
        guard.0 = None;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_fill_leaves_nothing_and_keeps_old_results() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        write_dir(&dir, |t| std::fs::write(t.join("a.txt"), "first")).unwrap();
        let err = write_dir(&dir, |t| {
            std::fs::write(t.join("a.txt"), "half")?;
            Err(io::Error::other("disk full"))
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read_to_string(dir.join("a.txt")).unwrap(), "first");
        let names: Vec<_> = std::fs::read_dir(root.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no partial folder left behind");
        write_dir(&dir, |t| std::fs::write(t.join("b.txt"), "second")).unwrap();
        assert!(!dir.join("a.txt").exists());
        assert_eq!(
            std::fs::read_to_string(dir.join("b.txt")).unwrap(),
            "second"
        );
    }
}
