//! Sweeps as an array scheduler runs them, through the binary: tasks that take their
//! shard from the environment, a whole array resubmitted after it finished (nothing runs
//! again), a shard's output in a log (plain progress lines, no partial table), and a
//! merge that names the shards it still lacks. The real scheduler is tested by
//! `tests/slurm/run.sh` (CI).

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/small_sweep.toml"
);

/// `loyalsim ARGS` in `dir`, with standard error captured (not a terminal).
fn loyalsim(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loyalsim"))
        .current_dir(dir)
        .args(args)
        .envs(envs.iter().copied())
        .output()
        .expect("the binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Array task `task` (Slurm numbering, from 0) of a 4-shard array of the small sweep.
fn task(dir: &Path, task: u64) -> Output {
    let id = task.to_string();
    loyalsim(
        dir,
        &["sweep", FIXTURE, "--shard", "slurm/4"],
        &[
            ("SLURM_ARRAY_TASK_ID", id.as_str()),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_MAX", "3"),
        ],
    )
}

fn shard_dir(dir: &Path, i: u64) -> PathBuf {
    dir.join(format!("output/small_sweep.shard-{i}-of-4"))
}

#[test]
fn a_resubmitted_array_runs_nothing_again_and_says_what_to_do_next() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for t in 0..4 {
        let o = task(dir, t);
        assert!(o.status.success(), "task {t}: {}", text(&o.stderr));
        let (out, err) = (text(&o.stdout), text(&o.stderr));
        // The start line names the variable that gave the shard.
        assert!(
            err.contains(&format!(
                "(shard {}/4, SLURM_ARRAY_TASK_ID={t}: runs",
                t + 1
            )),
            "{err}"
        );
        // A log gets plain progress lines: the last one at 100%.
        assert!(
            err.contains("loyalsim sweep: small_sweep: 6/6 runs (100%)"),
            "{err}"
        );
        // Not the shard's table as if it were the sweep's result, but what it is and
        // what to run next.
        assert!(!out.contains("| "), "a shard printed a table: {out}");
        assert!(
            out.contains(&format!("shard {}/4 of small_sweep, runs", t + 1))
                && out.contains("not its result"),
            "{out}"
        );
        assert!(
            out.contains(
                "When all 4 shards are complete: loyalsim merge \
                 output/small_sweep.shard-*-of-4 --out output/small_sweep"
            ),
            "{out}"
        );
    }
    let inode = |i| fs::metadata(shard_dir(dir, i)).unwrap().ino();
    let before: Vec<u64> = (1..=4).map(inode).collect();
    let bytes = |i| fs::read(shard_dir(dir, i).join("sweep.csv")).unwrap();
    let sweep_csv: Vec<Vec<u8>> = (1..=4).map(bytes).collect();

    // The whole array again: every task exits 0 at once, saying so, and no folder is
    // rebuilt (a shard that ran again would be swapped in as a new folder).
    for t in 0..4 {
        let o = task(dir, t);
        assert!(o.status.success(), "task {t} again: {}", text(&o.stderr));
        let out = text(&o.stdout);
        assert!(
            out.contains(&format!(
                "(shard {}/4, SLURM_ARRAY_TASK_ID={t}: runs",
                t + 1
            )) && out.contains("already complete in output/small_sweep.shard-")
                && out.contains("nothing to run"),
            "{out}"
        );
        assert!(
            out.contains("loyalsim merge output/small_sweep.shard-*-of-4"),
            "{out}"
        );
        let err = text(&o.stderr);
        assert!(!err.contains("runs ("), "task {t} ran again: {err}");
    }
    assert_eq!((1..=4).map(inode).collect::<Vec<_>>(), before);
    assert_eq!((1..=4).map(bytes).collect::<Vec<_>>(), sweep_csv);
    let leftovers: Vec<String> = fs::read_dir(dir.join("output"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A finished folder that no longer verifies is not taken as complete: run again,
    // with a warning saying why, to the same bytes.
    let damaged = shard_dir(dir, 3).join("sweep.csv");
    let mut b = fs::read(&damaged).unwrap();
    let at = b.len() - 3;
    b[at] = if b[at] == b'1' { b'2' } else { b'1' };
    fs::write(&damaged, &b).unwrap();
    let o = task(dir, 2);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("warning: output/small_sweep.shard-3-of-4 holds this shard, but it does not verify, so it is run again")
            && err.contains("sweep.csv does not match its manifest"),
        "{err}"
    );
    assert_eq!(fs::read(&damaged).unwrap(), sweep_csv[2]);

    // Another version's shard is not this one's: the manifest records the version.
    let manifest = shard_dir(dir, 1).join("manifest.json");
    let mut m: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&manifest).unwrap()).unwrap();
    assert_eq!(m["loyalsim"], env!("CARGO_PKG_VERSION"));
    m["loyalsim"] = "0.0.1".into();
    fs::write(&manifest, m.to_string()).unwrap();
    let o = task(dir, 0);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(!text(&o.stdout).contains("already complete"));
    assert_eq!(
        fs::read(shard_dir(dir, 1).join("sweep.csv")).unwrap(),
        sweep_csv[0]
    );
}

/// Starts shard `i`/4 of a larger sweep and kills it once some of its runs are on
/// disk: a partial shard, with its work folder and no results folder.
fn partial_shard(dir: &Path, i: u64) -> u64 {
    let state = dir.join(format!(
        "output/.small_sweep.shard-{i}-of-4.sweep-partial/state.json"
    ));
    let shard = format!("{i}/4");
    let mut child = Command::new(env!("CARGO_BIN_EXE_loyalsim"))
        .current_dir(dir)
        .args(["sweep", FIXTURE, "--quiet", "--shard", &shard])
        .args(["--set", "customers=20000", "--set", "sweep.replications=48"])
        .env("RAYON_NUM_THREADS", "1")
        .spawn()
        .unwrap();
    let done = || -> u64 {
        fs::read_to_string(&state)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| v["done"].as_u64())
            .unwrap_or(0)
    };
    let start = Instant::now();
    while done() == 0 {
        assert!(start.elapsed() < Duration::from_secs(300), "no progress");
        assert!(
            child.try_wait().unwrap().is_none(),
            "shard {i} finished before it could be killed"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let done = done();
    assert!(done > 0 && done < 72, "killed after {done} runs");
    assert!(
        !dir.join(format!("output/small_sweep.shard-{i}-of-4"))
            .exists()
    );
    done
}

#[test]
fn merge_names_the_missing_and_the_partial_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let sets = ["--set", "customers=20000", "--set", "sweep.replications=48"];
    for i in [1, 3] {
        let shard = format!("{i}/4");
        let mut args = vec!["sweep", FIXTURE, "--quiet", "--shard", &shard];
        args.extend(sets);
        let o = loyalsim(dir, &args, &[("RAYON_NUM_THREADS", "2")]);
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    let done = partial_shard(dir, 4);
    // Shard 2 never started. As a shell's glob gives them: the finished ones only.
    let o = loyalsim(
        dir,
        &[
            "merge",
            "output/small_sweep.shard-1-of-4",
            "output/small_sweep.shard-3-of-4",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("merge: 2 of 4 shards are not ready")
            && err.contains("shard 2 is missing (no output/small_sweep.shard-2-of-4)")
            && err.contains(&format!(
                "shard 4 is partial: {done} of 72 runs done \
                 (output/.small_sweep.shard-4-of-4.sweep-partial)"
            ))
            && err.contains("--shard K/4"),
        "{err}"
    );
    assert!(!dir.join("output/small_sweep").exists());

    // All four named, as a script lists them: the partial one and the one not begun
    // are reported the same way.
    let o = loyalsim(
        dir,
        &[
            "merge",
            "output/small_sweep.shard-1-of-4",
            "output/small_sweep.shard-2-of-4",
            "output/small_sweep.shard-4-of-4",
            "output/small_sweep.shard-3-of-4",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("2 of 4 shards are not ready")
            && err.contains("shard 2 is missing (no output/small_sweep.shard-2-of-4)")
            && err.contains(&format!("shard 4 is partial: {done} of 72 runs done"))
            && !err.contains("does not exist"),
        "{err}"
    );

    // Finished but not given: said so.
    let mut args = vec!["sweep", FIXTURE, "--quiet", "--shard", "2/4"];
    args.extend(sets);
    assert!(loyalsim(dir, &args, &[]).status.success());
    let o = loyalsim(dir, &["merge", "output/small_sweep.shard-1-of-4"], &[]);
    let err = text(&o.stderr);
    assert!(
        err.contains("3 of 4 shards are not ready")
            && err.contains(
                "shard 2 is finished in output/small_sweep.shard-2-of-4 but was not given"
            ),
        "{err}"
    );

    // A partial shard begun by another version is not resumed by this one.
    let mut args = vec!["sweep", FIXTURE, "--quiet", "--shard", "4/4"];
    args.extend(sets);
    let state = dir.join("output/.small_sweep.shard-4-of-4.sweep-partial/state.json");
    let kept = fs::read_to_string(&state).unwrap();
    let mut other: serde_json::Value = serde_json::from_str(&kept).unwrap();
    assert_eq!(other["manifest"]["loyalsim"], env!("CARGO_PKG_VERSION"));
    other["manifest"]["loyalsim"] = "0.0.1".into();
    fs::write(&state, other.to_string()).unwrap();
    let o = loyalsim(dir, &args, &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("holds an interrupted sweep begun by loyalsim 0.0.1")
            && err.contains("not resumed"),
        "{err}"
    );
    fs::write(&state, kept).unwrap();

    // The partial shard resumed, the merge goes through.
    assert!(loyalsim(dir, &args, &[]).status.success());
    let all: Vec<String> = (1..=4)
        .map(|i| format!("output/small_sweep.shard-{i}-of-4"))
        .collect();
    let mut args = vec!["merge", "--quiet", "--no-charts"];
    args.extend(all.iter().map(String::as_str));
    let o = loyalsim(dir, &args, &[]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    // Given twice: said so.
    let o = loyalsim(
        dir,
        &[
            "merge",
            &all[0],
            &all[1],
            &all[1],
            &all[2],
            &all[3],
            "--out",
            "output/twice",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("shard 2/4 is given twice"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn one_shard_of_one_is_the_whole_sweep_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let o = loyalsim(
        tmp.path(),
        &["sweep", FIXTURE, "--shard", "1/1", "--no-charts"],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("warning: --shard: 1 of 1 shards is the whole sweep"),
        "{}",
        text(&o.stderr)
    );
    assert!(
        tmp.path()
            .join("output/small_sweep/sweep_summary.csv")
            .exists()
    );
}
