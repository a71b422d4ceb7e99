//! Sweeps through the binary: byte-identical for any thread count and any number of
//! shards, resumable after a real kill, one writer per folder, merged only from shards
//! that check out, and clear about bad specs.

mod common;

use loyalsim::report::columns::Dtype;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const FILES: [&str; 9] = [
    "sweep.csv",
    "sweep_timeseries.csv",
    "sweep_summary.csv",
    "sweep_curve.csv",
    "retention_curves.png",
    "retention_curves.svg",
    "small_sweep.md",
    "manifest.json",
    "scenario.toml",
];

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/small_sweep.toml"
);

fn loyalsim(args: &[&str], envs: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loyalsim"))
        .args(args)
        .envs(envs.iter().copied())
        .output()
        .expect("the binary runs")
}

fn sweep(out: &Path, extra: &[&str], envs: &[(&str, &str)]) {
    let mut args = vec!["sweep", FIXTURE, "--quiet", "--out", out.to_str().unwrap()];
    args.extend(extra);
    let o = loyalsim(&args, envs);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn assert_same(a: &Path, b: &Path) {
    for f in FILES {
        let (x, y) = (fs::read(a.join(f)).unwrap(), fs::read(b.join(f)).unwrap());
        assert!(x == y, "{f} differs between {a:?} and {b:?}");
    }
}

#[test]
fn sweeps_are_identical_for_any_thread_count_and_when_sharded_and_merged() {
    let tmp = tempfile::tempdir().unwrap();
    let one = tmp.path().join("one");
    let two = tmp.path().join("two");
    sweep(&one, &[], &[("RAYON_NUM_THREADS", "1")]);
    sweep(&two, &[], &[("RAYON_NUM_THREADS", "2")]);
    assert_same(&one, &two);

    let shards: Vec<PathBuf> = (1..=3)
        .map(|i| tmp.path().join(format!("shard{i}")))
        .collect();
    for (i, dir) in shards.iter().enumerate() {
        sweep(dir, &["--shard", &format!("{}/3", i + 1)], &[]);
    }
    let merged = tmp.path().join("merged");
    let mut args = vec!["merge", "--quiet"];
    // Shards may be given in any order.
    args.extend([
        shards[2].to_str().unwrap(),
        shards[0].to_str().unwrap(),
        shards[1].to_str().unwrap(),
    ]);
    args.extend(["--out", merged.to_str().unwrap()]);
    let o = loyalsim(&args, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_same(&one, &merged);

    // Every run appears once, with its seed and swept values.
    let text = fs::read_to_string(one.join("sweep.csv")).unwrap();
    let mut lines = text.lines();
    let metric_names: Vec<&str> = loyalsim::report::metrics::run()
        .iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(
        lines.next().unwrap(),
        format!(
            "run,point,replicate,seed,constraint.r,firms.0.price,{}",
            metric_names.join(",")
        )
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 24);
    let seeds: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r.split(',').nth(3).unwrap()).collect();
    assert_eq!(seeds.len(), 24, "every run has its own seed");
}

/// A swept column has one type in all three files: a number field varied by integers,
/// numbers in strings and "inf" is floats, an integer field ints; an infinite metric
/// is `inf`, and so is the mean of a point where it is infinite.
#[test]
fn swept_values_and_metrics_are_typed() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("typed.toml");
    fs::write(
        &scenario,
        "name = \"typed\"\nseed = 2\nperiods = 3\ncustomers = 300\n\
         [constraint]\nform = \"reduced\"\n\
         [sweep]\ndesign = \"zip\"\nreplications = 2\n\
         [[sweep.vary]]\npath = \"constraint.r\"\nvalues = [0, \"1.5\", \"inf\"]\n\
         [[sweep.vary]]\npath = \"customers\"\nvalues = [300, 400, 500]\n\
         [[sweep.vary]]\npath = \"satisfaction.new_customer_cs\"\nvalues = [3, 3.5, 4]\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = loyalsim(
        &[
            "sweep",
            scenario.to_str().unwrap(),
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let swept = [
        ("constraint.r", Dtype::Float),
        ("customers", Dtype::Int),
        ("satisfaction.new_customer_cs", Dtype::Float),
    ];
    assert_eq!(
        common::assert_typed_csvs(&out, &swept),
        [
            "sweep.csv",
            "sweep_curve.csv",
            "sweep_summary.csv",
            "sweep_timeseries.csv"
        ]
    );
    let text = fs::read_to_string(out.join("sweep.csv")).unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let values: Vec<[&str; 3]> = rows.iter().map(|r| [r[4], r[5], r[6]]).collect();
    assert_eq!(
        values,
        [
            ["0.0", "300", "3.0"],
            ["0.0", "300", "3.0"],
            ["1.5", "400", "3.5"],
            ["1.5", "400", "3.5"],
            ["inf", "500", "4.0"],
            ["inf", "500", "4.0"],
        ]
    );
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let r_eff = header.iter().position(|h| *h == "mean_r_eff").unwrap();
    assert_eq!(rows[4][r_eff], "inf", "mean_r_eff at R = inf");
    let summary = fs::read_to_string(out.join("sweep_summary.csv")).unwrap();
    let header: Vec<&str> = summary.lines().next().unwrap().split(',').collect();
    let r_eff = header.iter().position(|h| *h == "mean_r_eff_mean").unwrap();
    let last: Vec<&str> = summary.lines().last().unwrap().split(',').collect();
    assert_eq!(&last[..5], ["2", "inf", "500", "4.0", "2"]);
    assert_eq!(
        &last[r_eff..r_eff + 4],
        ["inf", "", "", ""],
        "mean_r_eff stats"
    );
}

#[test]
fn a_killed_sweep_resumes_to_the_same_files() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    // Large enough that the kill lands mid-way (72 runs, committed 16 at a time).
    let sets = ["--set", "customers=20000", "--set", "sweep.replications=12"];
    sweep(&whole, &sets, &[]);

    let resumed = tmp.path().join("resumed");
    let state = tmp.path().join(".resumed.sweep-partial").join("state.json");
    let mut args = vec![
        "sweep",
        FIXTURE,
        "--quiet",
        "--out",
        resumed.to_str().unwrap(),
    ];
    args.extend(sets);
    let mut child = Command::new(env!("CARGO_BIN_EXE_loyalsim"))
        .args(&args)
        .env("RAYON_NUM_THREADS", "1")
        .spawn()
        .unwrap();
    // Wait until some runs are on disk, then kill the process for real.
    let start = Instant::now();
    let done = |p: &Path| -> u64 {
        fs::read_to_string(p)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| v["done"].as_u64())
            .unwrap_or(0)
    };
    while done(&state) == 0 {
        assert!(start.elapsed() < Duration::from_secs(120), "no progress");
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed = child.try_wait().unwrap().is_none();
    child.kill().ok();
    child.wait().unwrap();
    let lock = tmp.path().join(".resumed.lock");
    if killed {
        let finished = done(&state);
        assert!(
            finished > 0 && finished < 72,
            "killed after {finished} runs"
        );
        assert!(
            !resumed.exists(),
            "no results folder before the sweep completes"
        );
        // The killed process's lock file stays, but not its lock.
        assert!(lock.exists(), "the killed sweep held no lock");
    }
    // The same command again finishes the rest: the dead process's lock does not block.
    let o = loyalsim(&args, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_same(&whole, &resumed);
    assert!(!state.exists());
    assert!(!lock.exists());

    // Resuming a changed scenario is refused.
    let partial = tmp.path().join(".changed.sweep-partial");
    let changed = tmp.path().join("changed");
    fs::create_dir_all(&partial).unwrap();
    let mut state_text: serde_json::Value = serde_json::from_str(
        r#"{"manifest":{"name":"small_sweep","hash":"0000000000000000","runs":72,
            "shard":{"index":1,"count":1},"start":0,"end":72},
            "done":3,"sweep_bytes":0,"timeseries_bytes":0,"curve_bytes":0}"#,
    )
    .unwrap();
    state_text["done"] = 3.into();
    fs::write(partial.join("state.json"), state_text.to_string()).unwrap();
    let mut args = vec![
        "sweep",
        FIXTURE,
        "--quiet",
        "--out",
        changed.to_str().unwrap(),
    ];
    args.extend(sets);
    let o = loyalsim(&args, &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("different scenario") && err.contains("not resumed"),
        "{err}"
    );
}

#[test]
fn bad_sweep_specs_are_refused_with_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("bad");
    let cases: [(&[&str], &str); 6] = [
        (
            &["--set", "sweep.vary.0.path=constraint.rr"],
            "constraint.rr",
        ),
        // Every run's seed is derived: a varied seed would change nothing.
        (
            &[
                "--set",
                "sweep.vary.0.path=seed",
                "--set",
                "sweep.vary.0.values=[1, 2]",
            ],
            "`sweep.vary[0].path` = seed: expected a field other than seed",
        ),
        (&["--set", "sweep.vary.0.values=[]"], "sweep.vary[0].values"),
        (&["--shard", "4/3"], "--shard 4/3"),
        (&["--set", "sweep.replications=0"], "sweep.replications"),
        (
            &["--set", "sweep.vary.0.values=[\"none\", \"enormous\"]"],
            "constraint.r",
        ),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["sweep", FIXTURE, "--quiet", "--out", out.to_str().unwrap()];
        args.extend(extra);
        let o = loyalsim(&args, &[]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {err}");
        assert!(err.contains(needle), "{extra:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(!out.exists());
    }
    // A scenario without [sweep].
    let plain = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/competitive.toml");
    let o = loyalsim(
        &[
            "sweep",
            plain.to_str().unwrap(),
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no [sweep]"));
}

/// Asserts a refusal of bad input: exit 2 and one line, `error: …`, naming `needles`.
fn assert_refused(what: &str, o: &Output, needles: &[&str]) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{what}: {err}");
    assert_eq!(err.lines().count(), 1, "{what}: one line expected: {err}");
    assert!(err.starts_with("error: "), "{what}: {err}");
    for n in needles {
        assert!(err.contains(n), "{what}: {n:?} not named: {err}");
    }
    assert!(!err.contains("panicked"), "{what}: {err}");
}

/// The names in a folder, hidden ones included.
fn entries(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

fn names(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_second_sweep_on_the_same_folder_is_refused_at_once_while_the_first_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("busy");
    let work = tmp.path().join(".busy.sweep-partial");
    // Long enough (72 runs of 50,000 customers on one thread) to be running throughout.
    let args = [
        "sweep",
        FIXTURE,
        "--quiet",
        "--set",
        "customers=50000",
        "--set",
        "sweep.replications=12",
        "--out",
        out.to_str().unwrap(),
    ];
    let mut first = Command::new(env!("CARGO_BIN_EXE_loyalsim"))
        .args(args)
        .env("RAYON_NUM_THREADS", "1")
        .spawn()
        .unwrap();
    // The work folder is made once the first holds the lock.
    let start = Instant::now();
    while !work.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the first never started"
        );
        assert!(
            first.try_wait().unwrap().is_none(),
            "the first sweep ended early"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let second = loyalsim(&args, &[("RAYON_NUM_THREADS", "1")]);
    let still_running = first.try_wait().unwrap().is_none();
    first.kill().ok();
    first.wait().unwrap();
    assert_refused(
        "the second sweep",
        &second,
        &[out.to_str().unwrap(), "another loyalsim command"],
    );
    assert!(still_running, "the second sweep waited for the first");
    assert!(!out.exists(), "a results folder was published");
    // Only the first's work folder (kept for resuming) and its lock file, left unlocked
    // by the kill.
    assert_eq!(
        entries(tmp.path()),
        names(&[".busy.sweep-partial", ".busy.lock"])
    );
}

/// Three shards of the small sweep, in `dir`.
fn shards(dir: &Path) -> Vec<PathBuf> {
    let shards: Vec<PathBuf> = (1..=3).map(|i| dir.join(format!("shard{i}"))).collect();
    for (i, d) in shards.iter().enumerate() {
        sweep(d, &["--shard", &format!("{}/3", i + 1)], &[]);
    }
    shards
}

fn merge(shards: &[PathBuf], out: &Path) -> Output {
    let mut args = vec!["merge", "--quiet"];
    args.extend(shards.iter().map(|s| s.to_str().unwrap()));
    args.extend(["--out", out.to_str().unwrap()]);
    loyalsim(&args, &[])
}

#[test]
fn merge_refuses_a_truncated_edited_or_missing_shard_file_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let good = shards(tmp.path());
    let merged = tmp.path().join("merged");
    type Damage = fn(&Path);
    let cases: [(usize, &str, Damage); 4] = [
        // Cut mid-row, as a full disk or an interrupted copy leaves it.
        (1, "sweep_timeseries.csv", |f| {
            let len = fs::metadata(f).unwrap().len();
            fs::OpenOptions::new()
                .write(true)
                .open(f)
                .unwrap()
                .set_len(len - 100)
                .unwrap();
        }),
        // Cut at a row's end: every row whole, one missing.
        (2, "sweep_timeseries.csv", |f| {
            let text = fs::read_to_string(f).unwrap();
            let cut = text[..text.len() - 1].rfind('\n').unwrap() + 1;
            fs::write(f, &text[..cut]).unwrap();
        }),
        // One digit changed: same length, same rows.
        (0, "sweep.csv", |f| {
            let mut bytes = fs::read(f).unwrap();
            let at = bytes.len() - 3;
            bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
            fs::write(f, bytes).unwrap();
        }),
        (2, "sweep.csv", |f| fs::remove_file(f).unwrap()),
    ];
    let before = entries(tmp.path());
    for (i, file, damage) in cases {
        let mut given = good.clone();
        let bad = tmp.path().join(format!("damaged{}", i + 1));
        fs::create_dir(&bad).unwrap();
        for f in fs::read_dir(&good[i]).unwrap() {
            let f = f.unwrap().path();
            fs::copy(&f, bad.join(f.file_name().unwrap())).unwrap();
        }
        damage(&bad.join(file));
        given[i] = bad.clone();
        let o = merge(&given, &merged);
        let what = format!("merge with {file} of shard {} damaged", i + 1);
        assert_refused(&what, &o, &[bad.to_str().unwrap(), file]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("cannot write"), "{what}: {err}");
        fs::remove_dir_all(&bad).unwrap();
        assert_eq!(entries(tmp.path()), before, "{what}: left something behind");
    }
    // A merge killed while writing leaves its work folder, cleared by the next.
    fs::create_dir(tmp.path().join(".merged.merge-partial")).unwrap();
    fs::write(tmp.path().join(".merged.merge-partial/sweep.csv"), "half").unwrap();
    let o = merge(&good, &merged);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut after = before.clone();
    after.insert("merged".into());
    assert_eq!(entries(tmp.path()), after);
    // The merged sweep's manifest records its files like any sweep's.
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(merged.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["files"]["sweep.csv"]["rows"], 24);
    assert_eq!(
        manifest["files"]["sweep_timeseries.csv"]["rows"],
        24 * 8 * 2
    );
}

#[test]
fn out_naming_a_file_or_someone_s_folder_is_refused_before_anything_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let good = shards(tmp.path());
    let file = tmp.path().join("notes.txt");
    fs::write(&file, "mine").unwrap();
    let folder = tmp.path().join("thesis");
    fs::create_dir(&folder).unwrap();
    fs::write(folder.join("chapter1.tex"), "mine").unwrap();
    let before = entries(tmp.path());
    for (out, needle) in [
        (&file, "a file, not a folder"),
        (&folder, "loyalsim did not write"),
    ] {
        let out_text = out.to_str().unwrap();
        // Without --quiet: a sweep says what it runs before it runs, a second line.
        let o = loyalsim(&["sweep", FIXTURE, "--out", out_text], &[]);
        assert_refused("sweep --out", &o, &["--out", out_text, needle]);
        let o = merge(&good, out);
        assert_refused("merge --out", &o, &["--out", out_text, needle]);
        assert_eq!(entries(tmp.path()), before);
    }
    assert_eq!(fs::read_to_string(&file).unwrap(), "mine");
    assert_eq!(entries(&folder), names(&["chapter1.tex"]));
    assert_eq!(
        fs::read_to_string(folder.join("chapter1.tex")).unwrap(),
        "mine"
    );
    // Nor merged into one of its own shards.
    let o = merge(&good, &good[1]);
    assert_refused("merge --out a shard", &o, &["is shard 2/3"]);
}

// ---------------------------------------------------------------------------------------
// What a sweep keeps of the periods: --timeseries csv (above), parquet, none
// ---------------------------------------------------------------------------------------

/// `loyalsim ARGS` with its address space limited to 2 GiB where a shell can do it, so
/// that a plan that allocates tens of gigabytes aborts rather than being refused; and
/// how long it took.
fn limited(args: &[&str]) -> (Output, Duration) {
    let start = Instant::now();
    let bin = env!("CARGO_BIN_EXE_loyalsim");
    let out = if cfg!(unix) && Path::new("/bin/sh").exists() {
        Command::new("/bin/sh")
            .arg("-c")
            .arg("ulimit -v 2097152 && exec \"$0\" \"$@\"")
            .arg(bin)
            .args(args)
            .output()
    } else {
        Command::new(bin).args(args).output()
    }
    .expect("the binary runs");
    (out, start.elapsed())
}

/// Asserts a refusal in one line naming every needle, within a few seconds, before
/// anything was written.
fn assert_refused_at_once(args: &[&str], needles: &[&str], out: &Path) {
    let (o, took) = limited(args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: should mention {n:?}: {err}");
    }
    assert!(took < Duration::from_secs(5), "{args:?}: took {took:?}");
    assert!(!out.exists(), "{args:?}: wrote {out:?}");
    let partial = out.with_file_name(".out.sweep-partial");
    assert!(!partial.exists(), "{args:?}: started a work folder");
}

#[test]
fn a_sweep_point_too_large_for_memory_is_refused_before_any_run() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // Point 2 has 4,294,967,295 customers, each with a thousand neighbours: some
    // 17 TB, more than any machine has; the base scenario is small.
    let args = [
        "sweep",
        FIXTURE,
        "--quiet",
        "--out",
        out.to_str().unwrap(),
        "--set",
        "word_of_mouth.network=\"random\"",
        "--set",
        "word_of_mouth.degree=1000",
        "--set",
        "sweep.vary.0.path=customers",
        "--set",
        "sweep.vary.0.values=[600, 4294967295]",
    ];
    assert_refused_at_once(
        &args,
        &[
            "sweep point 2",
            "customers",
            "4294967295",
            "word_of_mouth.degree = 1000",
            "fits in memory",
            "GiB",
        ],
        &out,
    );
}

#[test]
fn designs_of_billions_of_points_are_refused_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let range = "{ path = \"firms.0.price\", from = 2.0, to = 4.0, steps = 4000000000 }";
    let ranged = format!("sweep.vary=[{range}]");
    let cases: [(&[&str], &str); 4] = [
        (
            &["--set", "sweep.vary.1.steps=4000000000"],
            "sweep.vary[1].steps",
        ),
        (
            &["--set", "sweep.design=\"zip\"", "--set", &ranged],
            "sweep.vary[0].steps",
        ),
        (
            &[
                "--set",
                "sweep.design=\"random\"",
                "--set",
                "sweep.samples=4000000000",
            ],
            "sweep.samples",
        ),
        (
            &[
                "--set",
                "sweep.design=\"latin_hypercube\"",
                "--set",
                "sweep.samples=4000000000",
            ],
            "sweep.samples",
        ),
    ];
    for (extra, field) in cases {
        let mut args = vec!["sweep", FIXTURE, "--quiet", "--out", out.to_str().unwrap()];
        args.extend(extra);
        assert_refused_at_once(&args, &[field, "4000000000", "100000000 runs"], &out);
    }
}

/// A small Sobol' study of the shipped sensitivity scenario: 8 base samples of 8
/// factors, 160 runs of 300 customers.
const STUDY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/scenarios/constraint_sensitivity.toml"
);
const STUDY_SETS: [&str; 8] = [
    "--set",
    "customers=300",
    "--set",
    "periods=4",
    "--set",
    "sweep.samples=8",
    "--set",
    "sweep.replications=2",
];
const STUDY_FILES: [&str; 9] = [
    "sweep.csv",
    "sweep_summary.csv",
    "sweep_curve.csv",
    "sensitivity.csv",
    "sensitivity.png",
    "sensitivity.svg",
    "constraint_sensitivity.md",
    "manifest.json",
    "scenario.toml",
];

fn study(out: &Path, extra: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut args = vec!["sweep", STUDY, "--quiet", "--out", out.to_str().unwrap()];
    args.extend(STUDY_SETS);
    args.extend(extra);
    let o = loyalsim(&args, envs);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn assert_same_study(a: &Path, b: &Path) {
    for f in STUDY_FILES {
        let (x, y) = (fs::read(a.join(f)).unwrap(), fs::read(b.join(f)).unwrap());
        assert!(x == y, "{f} differs between {a:?} and {b:?}");
    }
}

#[test]
fn a_sensitivity_study_is_the_same_for_any_thread_count_shards_and_a_resume() {
    let tmp = tempfile::tempdir().unwrap();
    let one = tmp.path().join("one");
    study(&one, &[], &[("RAYON_NUM_THREADS", "1")]);
    let two = tmp.path().join("two");
    study(&two, &["--threads", "2"], &[]);
    assert_same_study(&one, &two);

    // sensitivity.csv: S1 and ST of every factor for every metric, then the noise.
    let text = fs::read_to_string(one.join("sensitivity.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("metric,factor,index,value,ci_low,ci_high")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(
        rows.len(),
        5 * 8 * 2 + 5,
        "5 metrics × 8 factors × (S1, ST) + noise"
    );
    for r in &rows[..80] {
        let (v, lo, hi): (f64, f64, f64) = (
            r[3].parse().unwrap(),
            r[4].parse().unwrap(),
            r[5].parse().unwrap(),
        );
        assert!(lo <= hi && v.is_finite(), "{r:?}");
    }
    assert!(
        rows[80..]
            .iter()
            .all(|r| r[1] == "seed" && r[2] == "noise_share")
    );

    // Three shards: none writes indices alone; their merge equals the single process.
    let shards: Vec<PathBuf> = (1..=3).map(|i| tmp.path().join(format!("s{i}"))).collect();
    for (i, dir) in shards.iter().enumerate() {
        study(dir, &["--shard", &format!("{}/3", i + 1)], &[]);
        assert!(!dir.join("sensitivity.csv").exists());
    }
    let merged = tmp.path().join("merged");
    let mut args = vec!["merge", "--quiet"];
    args.extend(shards.iter().map(|d| d.to_str().unwrap()));
    args.extend(["--out", merged.to_str().unwrap()]);
    let o = loyalsim(&args, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_same_study(&one, &merged);

    // Killed part-way (after its first committed batch), then resumed.
    let resumed = tmp.path().join("resumed");
    let state = tmp.path().join(".resumed.sweep-partial").join("state.json");
    let mut args = vec![
        "sweep",
        STUDY,
        "--quiet",
        "--out",
        resumed.to_str().unwrap(),
    ];
    args.extend(STUDY_SETS);
    let mut child = Command::new(env!("CARGO_BIN_EXE_loyalsim"))
        .args(&args)
        .env("RAYON_NUM_THREADS", "1")
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !state.exists() && child.try_wait().unwrap().is_none() {
        assert!(start.elapsed() < Duration::from_secs(120), "no progress");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().ok();
    child.wait().unwrap();
    let o = loyalsim(&args, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_same_study(&one, &resumed);
}

#[test]
fn a_morris_study_ranks_and_writes_its_effects() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("morris");
    study(
        &out,
        &[
            "--set",
            "sweep.design=morris",
            "--set",
            "sweep.samples=4",
            "--set",
            "sweep.vary.0.group=switching costs",
            "--set",
            "sweep.vary.1.group=switching costs",
            "--set",
            "sweep.vary.2.group=switching costs",
        ],
        &[],
    );
    let text = fs::read_to_string(out.join("sensitivity.csv")).unwrap();
    // Six groups (the three switching costs as one) × mu, mu_star, sigma per metric.
    let rows: Vec<&str> = text
        .lines()
        .skip(1)
        .filter(|l| !l.contains(",seed,"))
        .collect();
    assert_eq!(rows.len(), 5 * 6 * 3);
    assert!(
        rows.iter()
            .any(|r| r.starts_with("retention,switching costs,mu_star,"))
    );
    let md = fs::read_to_string(out.join("constraint_sensitivity.md")).unwrap();
    assert!(md.contains("Morris elementary effects"), "{md}");
}

#[test]
fn bad_sensitivity_specs_are_refused_naming_the_field() {
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["--set", "sweep.samples=100"],
            &["sweep.samples", "power of two"],
        ),
        (
            &["--set", "sweep.metrics=[\"loyalty\"]"],
            &["sweep.metrics[0]", "retention"],
        ),
        (
            &["--set", "sweep.design=morris", "--set", "sweep.levels=3"],
            &["sweep.levels", "even"],
        ),
        (
            &["--set", "sweep.vary.0.group=x"],
            &["sweep.vary[0].group", "morris"],
        ),
        (
            &["--set", "sweep.vary.0.scale=log"],
            &["sweep.vary[0].from", "> 0"],
        ),
    ];
    let tmp = tempfile::tempdir().unwrap();
    for (sets, needles) in cases {
        let out = tmp.path().join("bad");
        let mut args = vec!["sweep", STUDY, "--out", out.to_str().unwrap()];
        args.extend(*sets);
        let o = loyalsim(&args, &[]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{sets:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{sets:?}: {err}");
        for n in *needles {
            assert!(err.contains(n), "{sets:?}: {n:?} not in {err}");
        }
        assert!(!out.exists());
    }
}

/// Every file under `dir`, by its path inside it, with its bytes.
fn tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let name = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(name, fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// The same files, byte for byte, and no others.
fn assert_same_tree(a: &Path, b: &Path) {
    let (x, y) = (tree(a), tree(b));
    assert_eq!(
        x.keys().collect::<Vec<_>>(),
        y.keys().collect::<Vec<_>>(),
        "{a:?} and {b:?} hold other files"
    );
    for (name, bytes) in &x {
        assert!(*bytes == y[name], "{name} differs between {a:?} and {b:?}");
    }
}

fn sweep_of(file: &str, out: &Path, extra: &[&str], envs: &[(&str, &str)]) {
    let mut args = vec!["sweep", file, "--quiet", "--out", out.to_str().unwrap()];
    args.extend(extra);
    let o = loyalsim(&args, envs);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn parts(dir: &Path) -> Vec<PathBuf> {
    let mut parts: Vec<PathBuf> = fs::read_dir(dir.join("sweep_timeseries.parquet"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    parts.sort();
    parts
}

fn manifest_of(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn parquet_sweeps_are_identical_for_any_thread_count_and_when_sharded_and_merged() {
    let tmp = tempfile::tempdir().unwrap();
    // 600 runs: parts of runs 0–255, 256–511 and 512–599. Three shards of 200 runs cut
    // the first two blocks (merge writes them again from the shards' pieces) and hold
    // the last whole (merge copies it).
    let sets = [
        "--timeseries",
        "parquet",
        "--set",
        "customers=200",
        "--set",
        "sweep.replications=100",
    ];
    let one = tmp.path().join("one");
    let two = tmp.path().join("two");
    sweep(&one, &sets, &[("RAYON_NUM_THREADS", "1")]);
    sweep(&two, &sets, &[("RAYON_NUM_THREADS", "2")]);
    assert_same_tree(&one, &two);
    // (Its charts aside.)
    let names: Vec<String> = tree(&one)
        .into_keys()
        .filter(|n| !n.ends_with(".png") && !n.ends_with(".svg"))
        .collect();
    assert_eq!(
        names,
        [
            "manifest.json",
            "scenario.toml",
            "small_sweep.md",
            "sweep.csv",
            "sweep_curve.csv",
            "sweep_summary.csv",
            "sweep_timeseries.parquet/part-000000.parquet",
            "sweep_timeseries.parquet/part-000001.parquet",
            "sweep_timeseries.parquet/part-000002.parquet",
        ]
    );
    let manifest = manifest_of(&one);
    assert_eq!(manifest["timeseries"], "parquet");
    let rows: u64 = (0..3)
        .map(|k| {
            let name = format!("sweep_timeseries.parquet/part-{k:06}.parquet");
            let r = &manifest["files"][&name];
            assert_eq!(r["bytes"], fs::metadata(one.join(&name)).unwrap().len());
            r["rows"].as_u64().unwrap()
        })
        .sum();
    assert_eq!(rows, 600 * 8 * 2, "600 runs of 8 periods of 2 firms");

    let shards: Vec<PathBuf> = (1..=3)
        .map(|i| tmp.path().join(format!("shard{i}")))
        .collect();
    for (i, dir) in shards.iter().enumerate() {
        let mut args = sets.to_vec();
        let shard = format!("{}/3", i + 1);
        args.extend(["--shard", &shard]);
        sweep(dir, &args, &[]);
    }
    // The first shard holds part of block 0 only; the second, parts of blocks 0 and 1.
    assert_eq!(parts(&shards[0]).len(), 1);
    assert_eq!(parts(&shards[1]).len(), 2);
    let merged = tmp.path().join("merged");
    let o = merge(
        &[shards[1].clone(), shards[2].clone(), shards[0].clone()],
        &merged,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_same_tree(&one, &merged);
}

#[test]
fn the_parquet_time_series_holds_the_csv_s_values_typed() {
    use parquet::basic::{LogicalType, Type as Physical};
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    let tmp = tempfile::tempdir().unwrap();
    // A firm that enters late (missing means before), a name with a comma (quoted in
    // the CSV), an infinite constraint (R_eff infinite), swept integers, numbers and text.
    let scenario = tmp.path().join("small_entry.toml");
    fs::write(
        &scenario,
        r#"name = "small_entry"
seed = 5
periods = 8
customers = 400

[[firms]]
name = "Incumbent"
price = 2.5

[[firms]]
name = "Entrant, new"
price = 2.3

[[events]]
period = 5
kind = "enter"
firm = "Entrant, new"

[sweep]
replications = 2

[[sweep.vary]]
path = "constraint.r"
values = ["none", "inf"]

[[sweep.vary]]
path = "firms.0.price"
values = [2, 3]

[[sweep.vary]]
path = "firms.1.price"
values = [2.3, 2.45]
"#,
    )
    .unwrap();
    let scenario = scenario.to_str().unwrap();
    let csv_dir = tmp.path().join("csv");
    let pq_dir = tmp.path().join("parquet");
    sweep_of(scenario, &csv_dir, &[], &[]);
    sweep_of(scenario, &pq_dir, &["--timeseries", "parquet"], &[]);
    for f in ["sweep.csv", "sweep_summary.csv", "small_entry.md"] {
        assert!(
            fs::read(csv_dir.join(f)).unwrap() == fs::read(pq_dir.join(f)).unwrap(),
            "{f} differs"
        );
    }
    assert!(!pq_dir.join("sweep_timeseries.csv").exists());

    let mut csv = csv::Reader::from_path(csv_dir.join("sweep_timeseries.csv")).unwrap();
    let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    let files: Vec<SerializedFileReader<fs::File>> = parts(&pq_dir)
        .iter()
        .map(|p| SerializedFileReader::try_from(p.as_path()).unwrap())
        .collect();
    // The columns: the CSV's, typed.
    let schema = files[0].metadata().file_metadata().schema_descr_ptr();
    let names: Vec<String> = schema
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    assert_eq!(names, header);
    let kind = |name: &str| {
        let c = schema.column(header.iter().position(|h| h == name).unwrap());
        (
            c.physical_type(),
            c.logical_type_ref().cloned(),
            c.self_type().is_optional(),
        )
    };
    assert_eq!(kind("seed"), (Physical::INT64, None, false));
    assert_eq!(kind("customers"), (Physical::INT64, None, false));
    assert_eq!(kind("net_adds"), (Physical::INT64, None, false));
    assert_eq!(kind("retention"), (Physical::DOUBLE, None, true));
    // A price is a number field: a float column, even of whole values (as in the CSV).
    assert_eq!(kind("firms.0.price"), (Physical::DOUBLE, None, true));
    assert_eq!(kind("firms.1.price"), (Physical::DOUBLE, None, true));
    let text = (Physical::BYTE_ARRAY, Some(LogicalType::String), false);
    assert_eq!(kind("firm"), text);
    assert_eq!(kind("events"), text);
    // "none", "inf": strengths are numbers (0 and ∞), as in the CSV.
    assert_eq!(kind("constraint.r"), (Physical::DOUBLE, None, true));

    // Row by row, cell by cell, the same values.
    let (mut rows, mut nulls, mut infinities, mut numbers, mut quoted) = (0, 0, 0, 0, 0);
    let mut records = csv.records();
    for file in &files {
        for row in file.get_row_iter(None).unwrap() {
            let row = row.unwrap();
            let rec = records.next().expect("as many CSV rows").unwrap();
            for ((name, field), cell) in row.get_column_iter().zip(rec.iter()) {
                let at = format!("row {rows}, {name}: {field:?} vs {cell:?}");
                match field {
                    Field::Long(v) => assert_eq!(cell.parse::<i64>().unwrap(), *v, "{at}"),
                    Field::Double(v) => {
                        let read: f64 = cell.parse().unwrap();
                        assert!(
                            read.to_bits() == v.to_bits() || (read.is_nan() && v.is_nan()),
                            "{at}"
                        );
                        infinities += v.is_infinite() as u64;
                        numbers += 1;
                    }
                    Field::Str(s) => {
                        assert_eq!(cell, s, "{at}");
                        quoted += s.contains(',') as u64;
                    }
                    Field::Null => {
                        assert_eq!(cell, "", "{at}");
                        nulls += 1;
                    }
                    other => panic!("{at}: {other:?} is not a type of ours"),
                }
            }
            rows += 1;
        }
    }
    assert!(records.next().is_none(), "as many Parquet rows");
    assert_eq!(rows, 16 * 8 * 2);
    // What makes the comparison bite: missing values, infinities, quoted text and
    // plenty of numbers.
    assert!(
        nulls > 0 && infinities > 0 && quoted > 0 && numbers > 5 * rows,
        "{nulls} {infinities} {quoted} {numbers}"
    );
}

#[test]
fn a_killed_parquet_sweep_resumes_to_the_same_files_and_only_in_its_format() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    // 402 runs, long enough that the kill lands after the first block of 256 runs is a
    // part, with pieces of the next block committed.
    let sets = [
        "--timeseries",
        "parquet",
        "--set",
        "customers=2000",
        "--set",
        "sweep.replications=67",
    ];
    sweep(&whole, &sets, &[]);

    let resumed = tmp.path().join("resumed");
    let work = tmp.path().join(".resumed.sweep-partial");
    let state = work.join("state.json");
    let mut args = vec![
        "sweep",
        FIXTURE,
        "--quiet",
        "--out",
        resumed.to_str().unwrap(),
    ];
    args.extend(sets);
    let mut child = Command::new(env!("CARGO_BIN_EXE_loyalsim"))
        .args(&args)
        .env("RAYON_NUM_THREADS", "1")
        .spawn()
        .unwrap();
    let start = Instant::now();
    let done = |p: &Path| -> u64 {
        fs::read_to_string(p)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| v["done"].as_u64())
            .unwrap_or(0)
    };
    while done(&state) < 272 {
        assert!(start.elapsed() < Duration::from_secs(300), "no progress");
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let killed = child.try_wait().unwrap().is_none();
    child.kill().ok();
    child.wait().unwrap();
    if killed {
        let finished = done(&state);
        assert!(
            (272..402).contains(&finished),
            "killed after {finished} runs"
        );
        assert!(!resumed.exists());
        assert!(
            work.join("sweep_timeseries.parquet/part-000000.parquet")
                .is_file()
        );
        assert!(
            fs::read_dir(work.join("timeseries-pieces"))
                .unwrap()
                .count()
                > 0,
            "pieces of the second block"
        );
        // Another format does not resume it, and leaves it as it is.
        let mut other = args.clone();
        let at = other.iter().position(|a| *a == "parquet").unwrap();
        other[at] = "csv";
        let o = loyalsim(&other, &[]);
        assert_refused(
            "resuming in another format",
            &o,
            &["keeps its time series as parquet", "--timeseries parquet"],
        );
        assert_eq!(done(&state), finished);
    }
    let o = loyalsim(&args, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_same_tree(&whole, &resumed);
    assert!(!work.exists());
}

#[test]
fn timeseries_none_writes_no_per_period_file_and_the_scenario_may_choose_it() {
    let tmp = tempfile::tempdir().unwrap();
    let csv_dir = tmp.path().join("csv");
    let none = tmp.path().join("none");
    sweep(&csv_dir, &[], &[]);
    sweep(&none, &["--timeseries", "none"], &[]);
    // (Its charts aside.)
    let kept: BTreeSet<String> = entries(&none)
        .into_iter()
        .filter(|n| !n.ends_with(".png") && !n.ends_with(".svg"))
        .collect();
    assert_eq!(
        kept,
        names(&[
            "sweep.csv",
            "sweep_summary.csv",
            "sweep_curve.csv",
            "small_sweep.md",
            "manifest.json",
            "scenario.toml"
        ])
    );
    for f in ["sweep.csv", "sweep_summary.csv", "small_sweep.md"] {
        assert!(
            fs::read(csv_dir.join(f)).unwrap() == fs::read(none.join(f)).unwrap(),
            "{f} differs"
        );
    }
    let manifest = manifest_of(&none);
    assert_eq!(manifest["timeseries"], "none");
    let files: Vec<&String> = manifest["files"].as_object().unwrap().keys().collect();
    assert_eq!(files, ["sweep.csv"]);
    // The results' scenario says what was kept; a CSV sweep's says nothing (as before
    // the choice existed, so its hash is unchanged).
    let scenario = fs::read_to_string(none.join("scenario.toml")).unwrap();
    assert!(scenario.contains("timeseries = \"none\""), "{scenario}");
    let scenario = fs::read_to_string(csv_dir.join("scenario.toml")).unwrap();
    assert!(!scenario.contains("timeseries"), "{scenario}");
    assert_eq!(manifest_of(&csv_dir)["timeseries"], "csv");

    // The scenario's sweep.timeseries does the same; the flag overrides it.
    let set = tmp.path().join("set");
    sweep(&set, &["--set", "sweep.timeseries=none"], &[]);
    assert_same_tree(&none, &set);
    let over = tmp.path().join("over");
    sweep(
        &over,
        &["--set", "sweep.timeseries=parquet", "--timeseries", "none"],
        &[],
    );
    assert_same_tree(&none, &over);
    // And the results' scenario.toml runs again to the same folder.
    let again = tmp.path().join("again");
    sweep_of(
        none.join("scenario.toml").to_str().unwrap(),
        &again,
        &[],
        &[],
    );
    assert_same_tree(&none, &again);

    // A format that is none of them is refused, naming the field.
    let bad = tmp.path().join("bad");
    let o = loyalsim(
        &[
            "sweep",
            FIXTURE,
            "--set",
            "sweep.timeseries=xml",
            "--out",
            bad.to_str().unwrap(),
        ],
        &[],
    );
    assert_refused(
        "sweep.timeseries=xml",
        &o,
        &["sweep.timeseries", "xml", "parquet"],
    );
    assert!(!bad.exists());
}

#[test]
fn merge_checks_every_parquet_part_and_refuses_shards_of_two_formats() {
    let tmp = tempfile::tempdir().unwrap();
    let pq: Vec<PathBuf> = (1..=3).map(|i| tmp.path().join(format!("pq{i}"))).collect();
    for (i, d) in pq.iter().enumerate() {
        let shard = format!("{}/3", i + 1);
        sweep(d, &["--timeseries", "parquet", "--shard", &shard], &[]);
    }
    let csv = shards(&tmp.path().join("csv"));
    let merged = tmp.path().join("merged");
    let part = "sweep_timeseries.parquet/part-000000.parquet";

    // A part cut short, and one with a byte changed.
    type Damage = fn(&Path);
    let cases: [(usize, Damage, &str); 3] = [
        (
            1,
            |f| {
                let len = fs::metadata(f).unwrap().len();
                let file = fs::OpenOptions::new().write(true).open(f).unwrap();
                file.set_len(len - 10).unwrap();
            },
            "does not match its manifest",
        ),
        (
            2,
            |f| {
                let mut bytes = fs::read(f).unwrap();
                bytes[100] ^= 1;
                fs::write(f, bytes).unwrap();
            },
            "does not match its manifest",
        ),
        (0, |f| fs::remove_file(f).unwrap(), "is missing"),
    ];
    for (i, damage, needle) in cases {
        let bad = tmp.path().join(format!("damaged{}", i + 1));
        fs::create_dir_all(bad.join("sweep_timeseries.parquet")).unwrap();
        for (name, bytes) in tree(&pq[i]) {
            fs::write(bad.join(name), bytes).unwrap();
        }
        damage(&bad.join(part));
        let mut given = pq.clone();
        given[i] = bad.clone();
        let o = merge(&given, &merged);
        assert_refused(
            &format!("shard {} damaged", i + 1),
            &o,
            &[bad.to_str().unwrap(), part, needle],
        );
        assert!(!merged.exists());
        fs::remove_dir_all(&bad).unwrap();
    }

    // A CSV shard among Parquet ones.
    let o = merge(&[csv[0].clone(), pq[1].clone(), pq[2].clone()], &merged);
    assert_refused(
        "shards of two formats",
        &o,
        &[
            pq[1].to_str().unwrap(),
            "keeps its time series as parquet",
            "as csv",
        ],
    );
    assert!(!merged.exists());

    let o = merge(&pq, &merged);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let single = tmp.path().join("single");
    sweep(&single, &["--timeseries", "parquet"], &[]);
    assert_same_tree(&single, &merged);
}

/// The constraint benchmark, small: its sweep draws its charts, `plot` redraws them byte
/// for byte, and the retention curves are one per point, the R = ∞ one among them; the
/// pooled curves are the sums of the shards' per-run curves.
#[test]
fn a_sweep_draws_its_charts_and_plot_redraws_them_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/constraint_benchmark.toml"
    );
    let sets = [
        "--set",
        "customers=300",
        "--set",
        "periods=6",
        "--set",
        "sweep.replications=2",
    ];
    let out = tmp.path().join("benchmark");
    let mut args = vec!["sweep", scenario, "--out", out.to_str().unwrap()];
    args.extend(sets);
    let o = loyalsim(&args, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(
        said.contains("charts retention_curves, metric_retention"),
        "{said}"
    );
    let charts: Vec<String> = entries(&out)
        .into_iter()
        .filter(|n| n.ends_with(".png") || n.ends_with(".svg"))
        .collect();
    let stems = [
        "correlation_vs_r",
        "metric_correlation_cs_staying",
        "metric_hostage_share",
        "metric_profit",
        "metric_retention",
        "retention_curves",
    ];
    let expected: Vec<String> = stems
        .iter()
        .flat_map(|s| [format!("{s}.png"), format!("{s}.svg")])
        .collect();
    assert_eq!(charts, expected);
    // No heatmap for a zip, and the sweep says why.
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no heatmap: needs a grid design"), "{err}");
    // Its warnings (constraint.r idle at the structural points, the procedural cost at
    // the reduced ones) are kept with the results, not only printed.
    let md = fs::read_to_string(out.join("constraint_benchmark.md")).unwrap();
    let manifest = manifest_of(&out);
    let warnings = manifest["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    for w in warnings {
        let w = w.as_str().unwrap();
        assert!(w.contains("changes nothing at 5 of 10 points"), "{w}");
        assert!(err.contains(w), "printed: {err}");
        assert!(md.contains(&format!("- {w}\n")), "{md}");
    }
    assert!(md.contains("Warnings when the sweep began"), "{md}");

    let redrawn = tmp.path().join("redrawn");
    let o = loyalsim(
        &[
            "plot",
            out.to_str().unwrap(),
            "--out",
            redrawn.to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        entries(&redrawn).into_iter().collect::<Vec<_>>(),
        charts,
        "plot draws the same charts"
    );
    for c in &charts {
        assert!(
            fs::read(out.join(c)).unwrap() == fs::read(redrawn.join(c)).unwrap(),
            "{c} differs when redrawn"
        );
    }

    // One curve per point; point 4 is R = ∞: everybody stays, in every bin observed.
    use loyalsim::report::chart::{Frame, RetentionCurves, SweepFolder};
    let folder = SweepFolder::read(&out).unwrap();
    let frame = Frame {
        title: String::new(),
        subtitle: String::new(),
    };
    let curves = RetentionCurves::from_sweep(&folder, frame).unwrap();
    assert_eq!(curves.series.len(), 10);
    let infinite = &curves.series[4];
    let observed: Vec<_> = infinite
        .bins
        .iter()
        .filter(|b| b.observations > 0)
        .collect();
    assert!(observed.len() >= 3, "{observed:?}");
    assert!(observed.iter().all(|b| b.retention == Some(1.0)));

    // With --no-charts, none; a shard draws none and keeps its runs' curves, which its
    // merge pools into the same sweep_curve.csv and draws the same charts from.
    let bare = tmp.path().join("bare");
    let mut args = vec!["sweep", scenario, "--quiet", "--no-charts"];
    args.extend(["--out", bare.to_str().unwrap()]);
    args.extend(sets);
    assert!(loyalsim(&args, &[]).status.success());
    assert!(entries(&bare).iter().all(|n| !n.ends_with(".png")));
    assert!(
        fs::read(bare.join("sweep_curve.csv")).unwrap()
            == fs::read(out.join("sweep_curve.csv")).unwrap()
    );
    let mut shards = Vec::new();
    for i in 1..=2 {
        let dir = tmp.path().join(format!("shard{i}"));
        let shard = format!("{i}/2");
        let mut args = vec!["sweep", scenario, "--quiet", "--shard", &shard];
        args.extend(["--out", dir.to_str().unwrap()]);
        args.extend(sets);
        assert!(loyalsim(&args, &[]).status.success());
        let names = entries(&dir);
        assert!(names.contains("sweep_curve_runs.csv"), "{names:?}");
        assert!(names.iter().all(|n| !n.ends_with(".png")), "{names:?}");
        shards.push(dir);
    }
    let merged = tmp.path().join("merged");
    let o = loyalsim(
        &[
            "merge",
            "--quiet",
            shards[0].to_str().unwrap(),
            shards[1].to_str().unwrap(),
            "--out",
            merged.to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_same_tree(&out, &merged);
    // The pooled counts are the per-run counts added up.
    let mut added = std::collections::BTreeMap::<(u64, u64), (u64, u64, u64)>::new();
    for dir in &shards {
        let mut r = csv::Reader::from_path(dir.join("sweep_curve_runs.csv")).unwrap();
        let h = r.headers().unwrap().clone();
        let at = |n: &str| h.iter().position(|c| c == n).unwrap();
        let (p, b, n, s) = (at("point"), at("bin"), at("observations"), at("stayed"));
        for row in r.records() {
            let row = row.unwrap();
            let num = |k: usize| row[k].parse::<u64>().unwrap();
            let e = added.entry((num(p), num(b))).or_default();
            *e = (e.0 + 1, e.1 + num(n), e.2 + num(s));
        }
    }
    let mut r = csv::Reader::from_path(out.join("sweep_curve.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let at = |n: &str| h.iter().position(|c| c == n).unwrap();
    let mut pooled = std::collections::BTreeMap::new();
    for row in r.records() {
        let row = row.unwrap();
        let num = |k: usize| row[k].parse::<u64>().unwrap();
        pooled.insert(
            (num(at("point")), num(at("bin"))),
            (num(at("runs")), num(at("observations")), num(at("stayed"))),
        );
    }
    assert_eq!(pooled, added);
    assert!(pooled.values().all(|v| v.0 == 2), "two runs a point");
}

/// More points than a chart tells apart: no retention curves, saying why; and a
/// sensitivity study draws its indices, not a curve or a point per sample.
#[test]
fn charts_of_too_many_points_are_left_out_saying_why() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("many");
    let o = loyalsim(
        &[
            "sweep",
            FIXTURE,
            "--out",
            out.to_str().unwrap(),
            "--timeseries",
            "none",
            "--set",
            "sweep.replications=1",
            "--set",
            "sweep.vary.1.steps=5",
            "--set",
            "customers=200",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no retention_curves: 15 points are more curves than the 12"),
        "{err}"
    );
    let names = entries(&out);
    assert!(!names.contains("retention_curves.png"), "{names:?}");
    assert!(names.contains("heatmap.png") && names.contains("metric_retention.png"));

    // --no-charts on a shard, which draws none anyway, changes nothing: said so.
    let shard = tmp.path().join("shard");
    let o = loyalsim(
        &[
            "sweep",
            FIXTURE,
            "--shard",
            "1/2",
            "--no-charts",
            "--timeseries",
            "none",
            "--set",
            "customers=200",
            "--out",
            shard.to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("warning: --no-charts changes nothing here: a shard draws no charts"),
        "{err}"
    );

    let study_dir = tmp.path().join("study");
    study(&study_dir, &["--timeseries", "none"], &[]);
    let charts: Vec<String> = entries(&study_dir)
        .into_iter()
        .filter(|n| n.ends_with(".png"))
        .collect();
    assert_eq!(charts, ["sensitivity.png"]);
}
