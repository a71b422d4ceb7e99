//! Integration tests of the `loyalsim` binary: every shipped scenario runs and writes
//! well-formed results, results do not depend on the thread count, bad input is refused
//! with one clear line and exit code 2, and results folders are replaced whole.
//!
//! Every run writes below a temporary folder (`--out`), never into `output/`.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

mod common;
use common::{SCENARIOS, assert_typed_csvs, describe, loyalsim, output_of, shipped_scenarios};
const BAD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/bad");

/// The files a run writes into its results folder.
const RESULT_FILES: [&str; 7] = [
    "timeseries.csv",
    "curve.csv",
    "curve_by_period.csv",
    "survey.csv",
    "complaints.csv",
    "summary.json",
    "scenario.toml",
];

const TIMESERIES_COLUMNS: [&str; 16] = [
    "period",
    "firm",
    "customers",
    "share",
    "acquisitions",
    "defections",
    "retention",
    "mean_cs",
    "mean_expectation",
    "apostles",
    "loyalists",
    "mercenaries",
    "hostages",
    "defectors",
    "terrorists",
    "mean_r_eff",
];

const CURVE_COLUMNS: [&str; 7] = [
    "cs_low",
    "cs_high",
    "observations",
    "stayed",
    "retention",
    "f_theory",
    "cl_theory",
];

const SUMMARY_KEYS: [&str; 10] = [
    "name",
    "seed",
    "customer_steps",
    "elapsed_s",
    "steps_per_s",
    "retention",
    "correlation_cs_staying",
    "satisfied_defector_share",
    "hostage_share",
    "scenario",
];

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn command_line(args: &[&OsStr]) -> String {
    let parts: Vec<String> = args.iter().map(|a| a.to_string_lossy().into()).collect();
    format!("loyalsim {}", parts.join(" "))
}

/// Runs the binary with `args` and asserts it succeeded.
fn run_ok(args: &[&OsStr], envs: &[(&str, &str)]) -> Output {
    let out = output_of(loyalsim().args(args).envs(envs.iter().copied()));
    assert!(
        out.status.success(),
        "{}",
        describe(&command_line(args), &out)
    );
    out
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .expect("a file name")
        .to_string_lossy()
        .into_owned()
}

/// `loyalsim run SCENARIO --quiet --out OUT` plus `extra`, asserting success and that
/// `--quiet` printed nothing.
fn run_scenario(scenario: &Path, out: &Path, extra: &[&str], envs: &[(&str, &str)]) {
    let mut args: Vec<&OsStr> = vec![
        OsStr::new("run"),
        scenario.as_os_str(),
        OsStr::new("--quiet"),
        // Charts have their own tests (tests/charts.rs); here they would only be slow.
        OsStr::new("--no-charts"),
        OsStr::new("--out"),
        out.as_os_str(),
    ];
    args.extend(extra.iter().map(OsStr::new));
    let output = run_ok(&args, envs);
    assert!(
        output.stdout.is_empty() && output.stderr.is_empty(),
        "--quiet should print nothing on success\n{}",
        describe(&command_line(&args), &output)
    );
}

/// A CSV file as its header and its records.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("cannot read {path:?}: {e}"));
    let header = reader
        .headers()
        .unwrap_or_else(|e| panic!("{path:?}: bad header: {e}"))
        .iter()
        .map(String::from)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            r.unwrap_or_else(|e| panic!("{path:?}: bad record: {e}"))
                .iter()
                .map(String::from)
                .collect()
        })
        .collect();
    (header, rows)
}

fn column(header: &[String], name: &str, file: &Path) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("{file:?}: no column `{name}` in {header:?}"))
}

fn read_json(path: &Path) -> serde_json::Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?} is not JSON: {e}\n{text}"))
}

fn read_bytes(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("cannot read {path:?}: {e}"))
}

/// The names in a folder, hidden ones included.
fn entries(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {dir:?}: {e}"))
        .map(|e| {
            e.expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

fn assert_result_files(dir: &Path) {
    for file in RESULT_FILES {
        assert!(dir.join(file).is_file(), "{file} missing in {dir:?}");
    }
}

/// Asserts a refusal of bad input: exit code 2 and exactly one line on stderr,
/// `error: …`, containing every one of `needles`, without a panic or a backtrace.
fn assert_refused(what: &str, out: &Output, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let context = describe(what, out);
    assert_eq!(out.status.code(), Some(2), "{context}");
    assert!(
        stderr.ends_with('\n'),
        "stderr should end a line\n{context}"
    );
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "stderr should be one line\n{context}");
    assert!(lines[0].starts_with("error: "), "{context}");
    for needle in needles {
        assert!(
            lines[0].contains(needle),
            "stderr should mention {needle:?}\n{context}"
        );
    }
    assert!(!stderr.contains("panicked"), "{context}");
    assert!(!stderr.to_lowercase().contains("backtrace"), "{context}");
}

// ---------------------------------------------------------------------------------------
// 1. Every shipped scenario runs and writes well-formed results
// ---------------------------------------------------------------------------------------

#[test]
fn every_shipped_scenario_runs_and_writes_well_formed_results() {
    let tmp = tempfile::tempdir().unwrap();
    for scenario in shipped_scenarios() {
        let out = tmp.path().join(stem(&scenario));
        run_scenario(
            &scenario,
            &out,
            // Each scenario keeps its own periods: its events may fire late in the run.
            &["--set", "customers=3000"],
            &[],
        );
        assert_result_files(&out);
        let ctx = scenario.display();
        assert_eq!(
            assert_typed_csvs(&out, &[]),
            [
                "complaints.csv",
                "curve.csv",
                "curve_by_period.csv",
                "survey.csv",
                "timeseries.csv"
            ],
            "{ctx}"
        );

        let summary = read_json(&out.join("summary.json"));
        for key in SUMMARY_KEYS {
            assert!(
                summary.get(key).is_some(),
                "{ctx}: summary.json has no `{key}`"
            );
        }
        // A number that can be infinite is a number or null, with a bool beside it.
        assert!(summary["mean_r_eff_infinite"].is_boolean(), "{ctx}");
        assert!(
            summary["mean_r_eff"].is_f64() || summary["mean_r_eff"].is_null(),
            "{ctx}: mean_r_eff = {}",
            summary["mean_r_eff"]
        );
        assert!(summary["name"].is_string(), "{ctx}: name");
        assert!(summary["seed"].is_u64(), "{ctx}: seed");
        assert!(summary["customer_steps"].as_u64().unwrap() > 0, "{ctx}");
        assert!(summary["elapsed_s"].as_f64().unwrap() >= 0.0, "{ctx}");
        assert!(summary["steps_per_s"].as_f64().unwrap() > 0.0, "{ctx}");
        let resolved = &summary["scenario"];
        assert_eq!(resolved["customers"], 3000, "{ctx}: override not applied");
        assert!(resolved["periods"].as_u64().unwrap() >= 1, "{ctx}: periods");
        assert_eq!(resolved["name"], summary["name"], "{ctx}");
        let firms = resolved["firms"]
            .as_array()
            .unwrap_or_else(|| panic!("{ctx}: summary scenario.firms is not a list"));
        assert!(!firms.is_empty(), "{ctx}");
        let firm_names: BTreeSet<&str> =
            firms.iter().map(|f| f["name"].as_str().unwrap()).collect();

        let ts = out.join("timeseries.csv");
        let (header, rows) = read_csv(&ts);
        assert_eq!(
            header[..6],
            TIMESERIES_COLUMNS[..6],
            "{ctx}: leading columns"
        );
        for name in TIMESERIES_COLUMNS {
            column(&header, name, &ts);
        }
        let periods = resolved["periods"].as_u64().unwrap() as usize;
        assert_eq!(
            rows.len(),
            periods * firms.len(),
            "{ctx}: periods × firms rows"
        );
        let (period, firm) = (column(&header, "period", &ts), column(&header, "firm", &ts));
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row.len(), header.len(), "{ctx}: row {i} width");
            let p: usize = row[period].parse().unwrap();
            assert_eq!(p, i / firms.len() + 1, "{ctx}: row {i} period");
            assert!(
                firm_names.contains(row[firm].as_str()),
                "{ctx}: row {i} firm"
            );
        }

        let cv = out.join("curve.csv");
        let (header, rows) = read_csv(&cv);
        for name in CURVE_COLUMNS {
            column(&header, name, &cv);
        }
        assert!(!rows.is_empty(), "{ctx}: curve.csv has no bins");
        let (obs, stayed) = (
            column(&header, "observations", &cv),
            column(&header, "stayed", &cv),
        );
        for row in &rows {
            let o: u64 = row[obs].parse().unwrap();
            let s: u64 = row[stayed].parse().unwrap();
            assert!(s <= o, "{ctx}: stayed > observations in {row:?}");
        }

        let resolved_toml = fs::read_to_string(out.join("scenario.toml")).unwrap();
        let table: toml::Table = resolved_toml
            .parse()
            .unwrap_or_else(|e| panic!("{ctx}: scenario.toml does not parse: {e}"));
        assert_eq!(table["customers"].as_integer(), Some(3000), "{ctx}");
    }
}

#[test]
fn resolved_scenario_repeats_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    for scenario in shipped_scenarios() {
        let first = tmp.path().join(format!("{}-first", stem(&scenario)));
        let again = tmp.path().join(format!("{}-again", stem(&scenario)));
        run_scenario(
            &scenario,
            &first,
            &["--set", "customers=3000", "--seed", "11"],
            &[],
        );
        run_scenario(&first.join("scenario.toml"), &again, &[], &[]);
        for file in ["timeseries.csv", "curve.csv", "scenario.toml"] {
            assert!(
                read_bytes(&first.join(file)) == read_bytes(&again.join(file)),
                "{}: {file} differs when run again from the resolved scenario.toml",
                scenario.display()
            );
        }
    }
}

#[test]
fn seed_flag_equals_set_seed_and_seeds_matter() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = &shipped_scenarios()[0];
    let small = ["--set", "customers=3000", "--set", "periods=5"];
    let with = |name: &str, extra: &[&str]| {
        let out = tmp.path().join(name);
        let args: Vec<&str> = small.iter().chain(extra).copied().collect();
        run_scenario(scenario, &out, &args, &[]);
        out
    };
    let flag = with("flag", &["--seed", "7"]);
    let set = with("set", &["--set", "seed=7"]);
    let other = with("other", &["--seed", "8"]);
    assert_eq!(read_json(&flag.join("summary.json"))["seed"], 7);
    let ts = |dir: &Path| read_bytes(&dir.join("timeseries.csv"));
    assert!(ts(&flag) == ts(&set), "--seed 7 and --set seed=7 differ");
    assert!(
        ts(&flag) != ts(&other),
        "seeds 7 and 8 give the same timeseries"
    );
}

// ---------------------------------------------------------------------------------------
// 2. Results do not depend on the number of threads
// ---------------------------------------------------------------------------------------

/// summary.json without the fields that legitimately depend on the machine.
fn summary_without_timing(dir: &Path) -> serde_json::Value {
    let mut v = read_json(&dir.join("summary.json"));
    let map = v.as_object_mut().expect("summary.json is an object");
    for key in ["elapsed_s", "steps_per_s", "threads"] {
        map.remove(key);
    }
    v
}

/// A labelled run: its extra flags and environment.
type ThreadRun = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

/// The binary honours `RAYON_NUM_THREADS` and `--threads`, and its files are the same
/// bytes whatever the count. One scenario with a network and word of mouth is enough
/// here: that every shipped scenario's results are the same on any thread count is
/// checked in-process (`shipped_scenarios_do_not_depend_on_the_thread_count`,
/// tests/properties.rs), and the files are written from the results alone.
#[test]
fn results_do_not_depend_on_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    // 9000 customers are three chunks of 4096, so threads really share the work.
    let small = ["--set", "customers=9000"];
    for scenario in [PathBuf::from(format!("{SCENARIOS}/word_of_mouth.toml"))] {
        let name = stem(&scenario);
        let runs: [ThreadRun; 5] = [
            ("env1", &[], &[("RAYON_NUM_THREADS", "1")]),
            ("env2", &[], &[("RAYON_NUM_THREADS", "2")]),
            ("flag1", &["--threads", "1"], &[]),
            ("flag2", &["--threads", "2"], &[]),
            ("flag3", &["--threads", "3"], &[]),
        ];
        let mut dirs = Vec::new();
        for (label, flags, envs) in runs {
            let out = tmp.path().join(format!("{name}-{label}"));
            let args: Vec<&str> = small.iter().chain(flags).copied().collect();
            run_scenario(&scenario, &out, &args, envs);
            dirs.push((label, out));
        }
        let (base_label, base) = &dirs[0];
        for (label, dir) in &dirs[1..] {
            for file in ["timeseries.csv", "curve.csv", "curve_by_period.csv"] {
                assert!(
                    read_bytes(&base.join(file)) == read_bytes(&dir.join(file)),
                    "{}: {file} differs between {base_label} and {label}",
                    scenario.display()
                );
            }
            assert_eq!(
                summary_without_timing(base),
                summary_without_timing(dir),
                "{}: summary.json differs between {base_label} and {label}",
                scenario.display()
            );
        }
        let threads = |i: usize| read_json(&dirs[i].1.join("summary.json"))["threads"].clone();
        assert_eq!(threads(0), 1, "RAYON_NUM_THREADS=1 is not honoured");
        assert_eq!(threads(1), 2, "RAYON_NUM_THREADS=2 is not honoured");
        assert_eq!(threads(4), 3, "--threads 3 is not honoured");
    }
}

// ---------------------------------------------------------------------------------------
// 3. An infinite constraint holds every customer
// ---------------------------------------------------------------------------------------

#[test]
fn infinite_constraint_means_no_defections() {
    let tmp = tempfile::tempdir().unwrap();
    for scenario in shipped_scenarios() {
        let out = tmp.path().join(stem(&scenario));
        run_scenario(
            &scenario,
            &out,
            &[
                "--set",
                "customers=3000",
                "--set",
                "constraint.form=reduced",
                "--set",
                "constraint.r=inf",
            ],
            &[],
        );
        let ts = out.join("timeseries.csv");
        let (header, rows) = read_csv(&ts);
        assert!(!rows.is_empty(), "{}: no rows", scenario.display());
        let defections = column(&header, "defections", &ts);
        let mercenaries = column(&header, "mercenaries", &ts);
        for row in &rows {
            assert_eq!(
                row[defections],
                "0",
                "{}: a customer defected with R = inf: {row:?}",
                scenario.display()
            );
            assert_eq!(row[mercenaries], "0", "{}: {row:?}", scenario.display());
        }
        let summary = read_json(&out.join("summary.json"));
        assert_eq!(summary["defections"], 0, "{}", scenario.display());
        assert_eq!(summary["retention"], 1.0, "{}", scenario.display());
        // Infinity in the one spelling of each format: `inf` in CSV, null and a flag in
        // JSON.
        assert_typed_csvs(&out, &[]);
        let r_eff = column(&header, "mean_r_eff", &ts);
        assert!(
            rows.iter().any(|r| r[r_eff] == "inf"),
            "{}: no infinite mean_r_eff in timeseries.csv",
            scenario.display()
        );
        assert_eq!(
            (&summary["mean_r_eff"], &summary["mean_r_eff_infinite"]),
            (&serde_json::Value::Null, &serde_json::Value::Bool(true)),
            "{}",
            scenario.display()
        );
    }
}

// ---------------------------------------------------------------------------------------
// 4. Bad input is refused with one line and exit code 2, and nothing is written
// ---------------------------------------------------------------------------------------

/// A bad scenario file and what its error message must mention.
struct BadFile {
    file: &'static str,
    needles: &'static [&'static str],
    /// Whether the message names the file (every one should, but the memory check names
    /// the scenario instead).
    names_file: bool,
}

const BAD_FILES: &[BadFile] = &[
    BadFile {
        file: "event_unknown_firm.toml",
        needles: &["events[0].firm", "Nobody"],
        names_file: true,
    },
    BadFile {
        file: "event_beyond_the_run.toml",
        needles: &["events[0].period", "12"],
        names_file: true,
    },
    BadFile {
        file: "event_unknown_kind.toml",
        needles: &["events[0].kind", "merger"],
        names_file: true,
    },
    BadFile {
        file: "event_unknown_firm_field.toml",
        needles: &["events[0].field", "prise"],
        names_file: true,
    },
    BadFile {
        file: "survey_sample_above_one.toml",
        needles: &["survey.sample", "1.5"],
        names_file: true,
    },
    BadFile {
        file: "economics_negative_acquisition_cost.toml",
        needles: &["firms[0].acquisition_cost", "-2"],
        names_file: true,
    },
    BadFile {
        file: "word_of_mouth_odd_degree.toml",
        needles: &["word_of_mouth.degree", "7"],
        names_file: true,
    },
    BadFile {
        file: "complaints_rate_above_one.toml",
        needles: &["complaints.rate", "1.2"],
        names_file: true,
    },
    BadFile {
        file: "malformed_toml.toml",
        needles: &["TOML"],
        names_file: true,
    },
    BadFile {
        file: "unknown_top_level_key.toml",
        needles: &["custmers"],
        names_file: true,
    },
    BadFile {
        file: "unknown_firm_key.toml",
        needles: &["firms[0].prise"],
        names_file: true,
    },
    BadFile {
        file: "wrong_type_periods.toml",
        needles: &["periods", "ten"],
        names_file: true,
    },
    BadFile {
        file: "failure_rate_above_one.toml",
        needles: &["firms[0].failure_rate", "1.5", "[0, 1]"],
        names_file: true,
    },
    BadFile {
        file: "negative_inconsistency.toml",
        needles: &["firms[0].inconsistency", "-0.5"],
        names_file: true,
    },
    BadFile {
        file: "zero_customers.toml",
        needles: &["customers", "= 0"],
        names_file: true,
    },
    BadFile {
        file: "zero_periods.toml",
        needles: &["periods", "= 0"],
        names_file: true,
    },
    BadFile {
        file: "zones_breakpoints_decreasing.toml",
        needles: &["loyalty.breakpoints", "increasing"],
        names_file: true,
    },
    BadFile {
        file: "table_not_monotone.toml",
        needles: &["loyalty.points", "non-decreasing"],
        names_file: true,
    },
    BadFile {
        file: "weight_not_a_number.toml",
        needles: &["segments[0].value_weights.product", "heavy"],
        names_file: true,
    },
    BadFile {
        file: "unknown_constraint_level.toml",
        needles: &["constraint.r", "extreme"],
        names_file: true,
    },
    BadFile {
        file: "customers_above_range.toml",
        needles: &["customers", "5000000000", "4294967295"],
        names_file: true,
    },
    BadFile {
        file: "satisfaction_is_an_array.toml",
        needles: &["satisfaction", "expected a table", "found an array"],
        names_file: true,
    },
    BadFile {
        file: "constraint_is_an_array.toml",
        needles: &["constraint", "expected a table", "found an array"],
        names_file: true,
    },
    BadFile {
        file: "r_in_the_structural_form.toml",
        needles: &["constraint.r", "changes nothing", "structural"],
        names_file: true,
    },
    BadFile {
        file: "switching_costs_in_the_reduced_form.toml",
        needles: &["segments[0].switching_costs", "changes nothing", "reduced"],
        names_file: true,
    },
    BadFile {
        file: "reach_without_a_network.toml",
        needles: &["word_of_mouth.reach", "changes nothing", "network"],
        names_file: true,
    },
    BadFile {
        file: "share_of_an_entering_firm.toml",
        needles: &["firms[1].initial_share", "changes nothing", "enters"],
        names_file: true,
    },
    BadFile {
        file: "firm_name_too_long.toml",
        needles: &["firms[0].name", "at most 100 characters", "…"],
        names_file: true,
    },
    BadFile {
        file: "initial_share_in_a_firm_event.toml",
        needles: &["events[0].field", "initial_share"],
        names_file: true,
    },
    BadFile {
        file: "customers_do_not_fit_in_memory.toml",
        needles: &["customers", "memory"],
        names_file: false,
    },
];

fn bad_path(file: &str) -> PathBuf {
    Path::new(BAD).join(file)
}

#[test]
fn every_bad_fixture_is_in_the_table_and_says_what_is_wrong() {
    let listed: BTreeSet<String> = BAD_FILES.iter().map(|b| b.file.to_string()).collect();
    let on_disk: BTreeSet<String> = entries(Path::new(BAD))
        .into_iter()
        .filter(|n| n.ends_with(".toml"))
        .collect();
    assert_eq!(listed, on_disk, "tests/bad/*.toml and BAD_FILES disagree");
    for file in &on_disk {
        let text = fs::read_to_string(bad_path(file)).unwrap();
        let first = text.lines().next().unwrap_or("");
        assert!(
            first.starts_with("# Bad: "),
            "{file}: the first line should be a comment saying what is wrong"
        );
    }
}

/// `loyalsim validate FILE`: refused without printing anything on stdout. Returns
/// whether it was refused (the memory check depends on the machine).
fn validate_refuses(path: &Path, needles: &[&str], may_pass: bool) -> bool {
    let out = output_of(loyalsim().arg("validate").arg(path));
    if may_pass && out.status.success() {
        return false;
    }
    let what = format!("loyalsim validate {}", path.display());
    assert_refused(&what, &out, needles);
    assert!(out.stdout.is_empty(), "{}", describe(&what, &out));
    true
}

/// `loyalsim run ARGS --out TMP/out`: refused, and nothing written into TMP.
fn run_refuses(args: &[&OsStr], needles: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("out");
    let mut full: Vec<&OsStr> = vec![OsStr::new("run")];
    full.extend_from_slice(args);
    full.extend([OsStr::new("--out"), out_dir.as_os_str()]);
    let out = output_of(loyalsim().args(&full));
    let what = command_line(&full);
    assert_refused(&what, &out, needles);
    assert!(out.stdout.is_empty(), "{}", describe(&what, &out));
    assert!(!out_dir.exists(), "{what}: created the results folder");
    assert!(
        entries(tmp.path()).is_empty(),
        "{what}: left {:?} in the parent of --out",
        entries(tmp.path())
    );
}

#[test]
fn bad_scenario_files_are_refused_with_one_line() {
    for bad in BAD_FILES {
        let path = bad_path(bad.file);
        let path_text = path.display().to_string();
        let mut needles: Vec<&str> = bad.needles.to_vec();
        if bad.names_file {
            needles.push(&path_text);
        }
        let is_memory = bad.file == "customers_do_not_fit_in_memory.toml";
        // Check with `validate` first, which never simulates: on a machine with ~100 GiB
        // free the memory case is legitimately accepted, and must then not be run.
        if !validate_refuses(&path, &needles, is_memory) {
            eprintln!("note: {} fits in memory on this machine; not run", bad.file);
            continue;
        }
        // Without --quiet too: nothing but the error may be printed.
        run_refuses(&[path.as_os_str()], &needles);
    }
}

#[test]
fn bad_command_lines_are_refused_with_one_line() {
    // (arguments after `run`, what the message must mention)
    let cases: &[(&[&str], &[&str])] = &[
        (&["--set", "firms.0.prise=4"], &["firms.0.prise", "prise"]),
        (
            &["--set", "firms.9.price=4"],
            &["firms.9.price", "out of range"],
        ),
        (&["--set", "customers"], &["customers", "PATH=VALUE"]),
        (&["--set", "=3"], &["--set =3", "empty"]),
        (
            &["--set", "constraint.r=extreme"],
            &["constraint.r", "extreme"],
        ),
        (&["--set", "periods.x=3"], &["periods.x", "not a table"]),
        (&["--set", "customers=0"], &["customers", "= 0"]),
        (
            &["--set", "firms.0.failure_rate=2"],
            &["firms[0].failure_rate"],
        ),
        (&["--threads", "0"], &["--threads"]),
        // A number so large that the run's sums would overflow to infinity.
        (
            &["--set", "firms.0.margin=1e300"],
            &["firms[0].margin", "1e12"],
        ),
        // The last --set of a field is the one at fault.
        (
            &["--set", "periods=5", "--set", "periods=0"],
            &["--set periods=0", "= 0"],
        ),
        (
            &["--set", "sweep.replications=5"],
            &["--set sweep.replications=5", "loyalsim sweep"],
        ),
        (
            &["--set", "satisfaction=[1, 2]"],
            &["--set satisfaction=[1, 2]", "expected a table"],
        ),
        (
            &["--set", "complaints.patience=0.9"],
            &[
                "--set complaints.patience=0.9",
                "changes nothing",
                "complaints.rate",
            ],
        ),
    ];
    for (args, needles) in cases {
        let os: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        run_refuses(&os, needles);
        // The same overrides through `validate` (it has no --threads; a [sweep] is
        // part of what it checks, so it refuses that one for want of a varied field).
        if args[0] == "--set" && !args[1].starts_with("sweep") {
            let out = output_of(loyalsim().arg("validate").args(*args));
            let what = format!("loyalsim validate {}", args.join(" "));
            assert_refused(&what, &out, needles);
        }
    }
    // On a shipped file as well as on the built-in showcase.
    let scenario = &shipped_scenarios()[0];
    run_refuses(
        &[
            scenario.as_os_str(),
            OsStr::new("--set"),
            OsStr::new("firms.0.prise=4"),
        ],
        &["firms.0.prise"],
    );
}

#[test]
fn a_missing_scenario_file_is_refused_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("no_such_scenario.toml");
    let path_text = missing.display().to_string();
    run_refuses(&[missing.as_os_str()], &[&path_text]);
    let out = output_of(loyalsim().arg("validate").arg(&missing));
    assert_refused("loyalsim validate <missing>", &out, &[&path_text]);
}

#[test]
fn unknown_flags_are_usage_errors() {
    // clap's own messages span several lines (a tip and the usage), so only the exit
    // code, the `error:` prefix and the absence of results are checked here.
    for args in [
        &["run", "--bogus"][..],
        &["run", "--seed", "abc"],
        &["frobnicate"],
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let out_dir = tmp.path().join("out");
        let out = output_of(loyalsim().args(args).arg("--out").arg(&out_dir));
        let what = format!("loyalsim {}", args.join(" "));
        assert_eq!(out.status.code(), Some(2), "{}", describe(&what, &out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with("error: "), "{}", describe(&what, &out));
        assert!(!stderr.contains("panicked"), "{}", describe(&what, &out));
        assert!(entries(tmp.path()).is_empty(), "{what}: wrote results");
    }
}

#[test]
fn a_refused_run_leaves_previous_results_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("results");
    let scenario = &shipped_scenarios()[0];
    run_scenario(
        scenario,
        &out,
        &["--set", "customers=2000", "--set", "periods=3"],
        &[],
    );
    fs::write(out.join("marker.txt"), "keep me").unwrap();
    let bad = bad_path("zero_periods.toml");
    let output = output_of(
        loyalsim()
            .arg("run")
            .arg(&bad)
            .arg("--quiet")
            .arg("--out")
            .arg(&out),
    );
    assert_refused("loyalsim run zero_periods.toml", &output, &["periods"]);
    assert_eq!(
        fs::read_to_string(out.join("marker.txt")).unwrap(),
        "keep me"
    );
    assert_result_files(&out);
    assert_eq!(entries(tmp.path()), BTreeSet::from(["results".to_string()]));
}

// ---------------------------------------------------------------------------------------
// 5. `validate` prints the resolved scenario as TOML
// ---------------------------------------------------------------------------------------

#[test]
fn validate_prints_toml_that_parses_back_and_is_a_fixed_point() {
    let tmp = tempfile::tempdir().unwrap();
    for scenario in shipped_scenarios() {
        let args = [OsStr::new("validate"), scenario.as_os_str()];
        let out = run_ok(&args, &[]);
        let text = String::from_utf8(out.stdout).expect("UTF-8 output");
        let table: toml::Table = text.parse().unwrap_or_else(|e| {
            panic!(
                "{}: validate output is not TOML: {e}\n{text}",
                scenario.display()
            )
        });
        for key in ["name", "seed", "periods", "customers", "firms", "segments"] {
            assert!(
                table.contains_key(key),
                "{}: resolved scenario lacks `{key}`",
                scenario.display()
            );
        }
        // The resolved scenario validates to itself.
        let resolved = tmp.path().join(format!("{}.toml", stem(&scenario)));
        fs::write(&resolved, &text).unwrap();
        let again = run_ok(&[OsStr::new("validate"), resolved.as_os_str()], &[]);
        assert_eq!(
            text,
            String::from_utf8(again.stdout).unwrap(),
            "{}: validating the resolved scenario changes it",
            scenario.display()
        );
    }
    // Overrides show in the resolved scenario.
    let scenario = &shipped_scenarios()[0];
    let out = run_ok(
        &[
            OsStr::new("validate"),
            scenario.as_os_str(),
            OsStr::new("--set"),
            OsStr::new("customers=1234"),
            OsStr::new("--seed"),
            OsStr::new("99"),
        ],
        &[],
    );
    let table: toml::Table = String::from_utf8(out.stdout).unwrap().parse().unwrap();
    assert_eq!(table["customers"].as_integer(), Some(1234));
    assert_eq!(table["seed"].as_integer(), Some(99));
}

// ---------------------------------------------------------------------------------------
// 6. Help
// ---------------------------------------------------------------------------------------

#[test]
fn help_mentions_set() {
    for args in [
        &["--help"][..],
        &["run", "--help"],
        &["validate", "--help"],
        &["help", "run"],
    ] {
        let os: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        let out = run_ok(&os, &[]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("--set"),
            "`loyalsim {}` does not mention --set:\n{text}",
            args.join(" ")
        );
    }
    let out = run_ok(&[OsStr::new("--version")], &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(env!("CARGO_PKG_VERSION")), "{text}");
}

// ---------------------------------------------------------------------------------------
// 7. Results folders are replaced whole
// ---------------------------------------------------------------------------------------

#[test]
fn a_run_replaces_an_existing_results_folder_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("results");
    let scenario = &shipped_scenarios()[0];
    let small = ["--set", "customers=2000", "--set", "periods=3"];
    run_scenario(scenario, &out, &small, &[]);
    fs::write(out.join("marker.txt"), "from before").unwrap();
    fs::create_dir(out.join("subfolder")).unwrap();
    let args: Vec<&str> = small.iter().copied().chain(["--seed", "5"]).collect();
    run_scenario(scenario, &out, &args, &[]);
    assert!(
        !out.join("marker.txt").exists(),
        "old file survived the new run"
    );
    assert!(
        !out.join("subfolder").exists(),
        "old folder survived the new run"
    );
    let expected: BTreeSet<String> = RESULT_FILES.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        entries(&out),
        expected,
        "the results folder holds exactly the new files"
    );
    assert_eq!(read_json(&out.join("summary.json"))["seed"], 5);
    assert_eq!(
        entries(tmp.path()),
        BTreeSet::from(["results".to_string()]),
        "a hidden partial or old folder was left beside the results"
    );
}

#[test]
fn out_may_be_a_nested_folder_that_does_not_exist_yet() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("a").join("b").join("results");
    let scenario = &shipped_scenarios()[0];
    run_scenario(
        scenario,
        &out,
        &["--set", "customers=1000", "--set", "periods=2"],
        &[],
    );
    assert_result_files(&out);
    assert_eq!(entries(out.parent().unwrap()).len(), 1);
}

/// `loyalsim ARGS` (without `--quiet`) refused with one line naming `needles`, before
/// it ran anything: the line a run prints before simulating would be a second one.
fn refused_before_running(args: &[&OsStr], needles: &[&str]) {
    let output = output_of(loyalsim().args(args));
    let what = command_line(args);
    assert_refused(&what, &output, needles);
    assert!(output.stdout.is_empty(), "{}", describe(&what, &output));
}

#[test]
fn out_naming_a_file_is_refused_before_anything_runs_and_the_file_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("results");
    fs::write(&out, "not a folder").unwrap();
    let scenario = &shipped_scenarios()[0];
    let target = tmp.path().join("fit.target.toml");
    fs::write(
        &target,
        "[[parameter]]\npath = \"constraint.r\"\nfrom = 0\nto = 3\n\n\
         [[target]]\nmetric = \"retention\"\nvalue = 0.9\ntolerance = 0.01\n",
    )
    .unwrap();
    let small = ["--set", "customers=1000", "--set", "periods=2"].map(OsStr::new);
    let out_text = out.display().to_string();
    let needles = ["--out", &out_text, "a file, not a folder"];
    let mut run: Vec<&OsStr> = vec![OsStr::new("run"), scenario.as_os_str()];
    run.extend(small);
    run.extend([OsStr::new("--out"), out.as_os_str()]);
    refused_before_running(&run, &needles);
    let mut calibrate: Vec<&OsStr> = vec![OsStr::new("calibrate"), scenario.as_os_str()];
    calibrate.extend(small);
    calibrate.extend(
        [OsStr::new("--target"), target.as_os_str()]
            .into_iter()
            .chain([OsStr::new("--out"), out.as_os_str()]),
    );
    refused_before_running(&calibrate, &needles);
    assert_eq!(fs::read_to_string(&out).unwrap(), "not a folder");
    assert_eq!(
        entries(tmp.path()),
        BTreeSet::from(["results".to_string(), "fit.target.toml".to_string()])
    );
}

#[test]
fn out_naming_a_folder_loyalsim_did_not_write_is_refused_and_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("thesis");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("chapter1.tex"), "months of work").unwrap();
    // A lone summary.json does not make it a results folder either.
    fs::write(out.join("summary.json"), "{}").unwrap();
    let scenario = &shipped_scenarios()[0];
    let out_text = out.display().to_string();
    refused_before_running(
        &[
            OsStr::new("run"),
            scenario.as_os_str(),
            OsStr::new("--out"),
            out.as_os_str(),
        ],
        &["--out", &out_text, "loyalsim did not write"],
    );
    assert_eq!(
        entries(&out),
        BTreeSet::from(["chapter1.tex".to_string(), "summary.json".to_string()])
    );
    assert_eq!(
        fs::read_to_string(out.join("chapter1.tex")).unwrap(),
        "months of work"
    );
    assert_eq!(entries(tmp.path()), BTreeSet::from(["thesis".to_string()]));
    // An empty folder is fine, and so is a results folder (another test replaces one).
    fs::remove_dir_all(&out).unwrap();
    fs::create_dir(&out).unwrap();
    run_scenario(
        scenario,
        &out,
        &["--set", "customers=1000", "--set", "periods=2"],
        &[],
    );
    assert_result_files(&out);
}

#[test]
fn a_killed_run_s_partial_folder_and_lock_are_cleared_by_the_next_run() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("results");
    // What a run killed while writing leaves: its partial folder, named by its PID, and
    // its lock file, unlocked since the process died. Also an older partial of this
    // version's naming, and one of another folder, which must stay.
    for stale in [".results.partial-12345", ".results.partial"] {
        fs::create_dir(tmp.path().join(stale)).unwrap();
        fs::write(tmp.path().join(stale).join("timeseries.csv"), "half").unwrap();
    }
    fs::write(tmp.path().join(".results.lock"), "12345\n").unwrap();
    fs::create_dir(tmp.path().join(".other.partial-12345")).unwrap();
    let scenario = &shipped_scenarios()[0];
    run_scenario(
        scenario,
        &out,
        &["--set", "customers=1000", "--set", "periods=2"],
        &[],
    );
    assert_result_files(&out);
    assert_eq!(
        entries(tmp.path()),
        BTreeSet::from(["results".to_string(), ".other.partial-12345".to_string()])
    );
}

#[test]
fn a_second_writer_of_a_folder_is_refused_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = &shipped_scenarios()[0];
    let small = ["--set", "customers=1000", "--set", "periods=2"];
    let done = tmp.path().join("done");
    run_scenario(scenario, &done, &small, &[]);
    let out = tmp.path().join("results");
    // This process holds the folders' locks, as a running `loyalsim` command would.
    let held = loyalsim::report::lock::Lock::acquire(&out).unwrap();
    let held_done = loyalsim::report::lock::Lock::acquire(&done).unwrap();
    let out_text = out.display().to_string();
    let done_text = done.display().to_string();
    let mut run: Vec<&OsStr> = vec![OsStr::new("run"), scenario.as_os_str()];
    run.extend(small.map(OsStr::new));
    run.extend([OsStr::new("--out"), out.as_os_str()]);
    let pid = format!("process {}", std::process::id());
    refused_before_running(
        &run,
        &["--out", &out_text, "another loyalsim command", &pid],
    );
    assert!(!out.exists());
    // `plot` redraws into the results folder: the same lock.
    let plot = [OsStr::new("plot"), done.as_os_str()];
    refused_before_running(&plot, &[&done_text, "another loyalsim command"]);
    drop((held, held_done));
    run_scenario(scenario, &out, &small, &[]);
    run_ok(
        &[OsStr::new("plot"), done.as_os_str(), OsStr::new("-q")],
        &[],
    );
    // `plot --out` into a file: refused too, the file kept.
    let file = tmp.path().join("figure");
    fs::write(&file, "mine").unwrap();
    let file_text = file.display().to_string();
    refused_before_running(
        &[
            OsStr::new("plot"),
            done.as_os_str(),
            OsStr::new("--out"),
            file.as_os_str(),
        ],
        &["--out", &file_text, "a file, not a folder"],
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), "mine");
    assert_eq!(
        entries(tmp.path()),
        BTreeSet::from(["results", "done", "figure"].map(String::from))
    );
}

#[test]
fn without_quiet_the_run_reports_where_it_wrote() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("results");
    let scenario = &shipped_scenarios()[0];
    let output = run_ok(
        &[
            OsStr::new("run"),
            scenario.as_os_str(),
            OsStr::new("--set"),
            OsStr::new("customers=1000"),
            OsStr::new("--set"),
            OsStr::new("periods=2"),
            OsStr::new("--out"),
            out.as_os_str(),
        ],
        &[],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains(&out.display().to_string()), "{stdout}");
    for file in RESULT_FILES {
        assert!(
            stdout.contains(file),
            "stdout does not list {file}:\n{stdout}"
        );
    }
    assert_result_files(&out);
}

#[test]
fn no_command_runs_the_showcase_into_output_of_the_working_folder() {
    // Run in a temporary working folder, so `output/showcase/` lands there and not in
    // the repository.
    let tmp = tempfile::tempdir().unwrap();
    let out = output_of(loyalsim().current_dir(tmp.path()));
    assert!(out.status.success(), "{}", describe("loyalsim", &out));
    let dir = tmp.path().join("output").join("showcase");
    assert_result_files(&dir);
    assert_eq!(read_json(&dir.join("summary.json"))["name"], "showcase");
}

// ---------------------------------------------------------------------------------------
// Nothing wrong without saying so: settings that change nothing, shares, long values
// ---------------------------------------------------------------------------------------

fn scenario_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_set_the_form_ignores_is_refused_and_a_file_field_a_set_idles_is_warned_about() {
    let airline = Path::new(SCENARIOS).join("airline.toml");
    // airline.toml is structural: R given directly changes nothing.
    run_refuses(
        &[
            airline.as_os_str(),
            OsStr::new("--set"),
            OsStr::new("constraint.r=inf"),
        ],
        &["--set constraint.r=inf", "changes nothing", "structural"],
    );
    // Switching the form by --set leaves the file's switching costs idle: a what-if the
    // user asked for, so a warning (also in summary.json), not an error.
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("out");
    let args = [
        "run",
        airline.to_str().unwrap(),
        "--set",
        "constraint.form=reduced",
        "--set",
        "constraint.r=inf",
        "--set",
        "customers=500",
        "--set",
        "periods=2",
        "--no-charts",
        "--out",
        out_dir.to_str().unwrap(),
    ];
    let os: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    let out = run_ok(&os, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: field `segments[0].switching_costs`")
            && stderr.contains("changes nothing after --set"),
        "{stderr}"
    );
    let summary = read_json(&out_dir.join("summary.json"));
    let warnings = summary["warnings"].as_array().unwrap();
    assert!(!warnings.is_empty(), "{summary}");
    // The resolved scenario shows only what the run used, and runs again cleanly.
    let resolved = fs::read_to_string(out_dir.join("scenario.toml")).unwrap();
    assert!(
        !resolved.contains("switching_costs") && !resolved.contains("kappa"),
        "{resolved}"
    );
    assert!(summary["scenario"]["constraint"].get("kappa").is_none());
    let again = tmp.path().join("again");
    run_scenario(&out_dir.join("scenario.toml"), &again, &[], &[]);
}

#[test]
fn shares_that_do_not_sum_to_one_are_warned_about_with_what_they_became() {
    let tmp = tempfile::tempdir().unwrap();
    let file = scenario_file(
        tmp.path(),
        "shares.toml",
        "name = \"shares\"\ncustomers = 500\nperiods = 2\n\
         [[firms]]\nname = \"Incumbent\"\ninitial_share = 0.9\n\
         [[firms]]\nname = \"Entrant\"\ninitial_share = 0.4\n",
    );
    let out_dir = tmp.path().join("out");
    let out = run_ok(
        &[
            OsStr::new("run"),
            file.as_os_str(),
            OsStr::new("--no-charts"),
            OsStr::new("--out"),
            out_dir.as_os_str(),
        ],
        &[],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: firms[*].initial_share sum to 1.3")
            && stderr.contains("Incumbent 69.2%")
            && stderr.contains("Entrant 30.8%"),
        "{stderr}"
    );
    let summary = read_json(&out_dir.join("summary.json"));
    assert!(
        summary["warnings"][0]
            .as_str()
            .unwrap()
            .contains("Incumbent 69.2%"),
        "{summary}"
    );
    // Shares that sum to 1, or left at their default, are silent.
    let fine = scenario_file(
        tmp.path(),
        "fine.toml",
        "name = \"fine\"\n[[firms]]\nname = \"A\"\ninitial_share = 0.75\n\
         [[firms]]\nname = \"B\"\ninitial_share = 0.25\n",
    );
    for path in [fine, Path::new(SCENARIOS).join("competitive.toml")] {
        let out = output_of(loyalsim().arg("validate").arg(&path));
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{}",
            describe("validate", &out)
        );
    }
}

#[test]
fn long_values_are_cut_in_messages() {
    let long = format!("name={}", "x".repeat(100_000));
    let out = output_of(loyalsim().args(["validate", "--set", &long]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr:.300}");
    assert_eq!(stderr.lines().count(), 1, "{stderr:.300}");
    assert!(stderr.len() < 600, "{} bytes: {stderr:.300}", stderr.len());
    assert!(
        stderr.contains("… (") && stderr.contains("characters)"),
        "{stderr}"
    );
}

#[test]
fn a_file_too_large_to_be_a_scenario_is_refused_before_it_is_read_whole() {
    let started = std::time::Instant::now();
    let out = output_of(loyalsim().args(["validate", "/dev/zero"]));
    assert_refused("loyalsim validate /dev/zero", &out, &["/dev/zero", "MiB"]);
    assert!(started.elapsed().as_secs() < 10);
    let tmp = tempfile::tempdir().unwrap();
    let binary = scenario_file(tmp.path(), "binary.toml", "");
    fs::write(&binary, [b'n', b'a', 0xff, 0xfe]).unwrap();
    let out = output_of(loyalsim().arg("validate").arg(&binary));
    assert_refused("loyalsim validate binary.toml", &out, &["not UTF-8"]);
}

#[test]
fn a_varied_field_no_point_uses_is_refused_and_one_some_points_use_is_warned_about() {
    let tmp = tempfile::tempdir().unwrap();
    let file = scenario_file(
        tmp.path(),
        "idle.toml",
        "name = \"idle\"\ncustomers = 200\nperiods = 2\n\
         [constraint]\nform = \"structural\"\n\
         [sweep]\n[[sweep.vary]]\npath = \"constraint.r\"\nvalues = [0.5, 2.0]\n",
    );
    let out_dir = tmp.path().join("out");
    let out = output_of(
        loyalsim()
            .arg("sweep")
            .arg(&file)
            .arg("--out")
            .arg(&out_dir),
    );
    assert_refused(
        "loyalsim sweep idle.toml",
        &out,
        &["sweep.vary constraint.r", "changes nothing at any point"],
    );
    assert!(!out_dir.exists());
    // The constraint benchmark varies R at its reduced points and switching costs at its
    // structural ones: each is idle at the other half, said once each.
    let bench = Path::new(SCENARIOS).join("constraint_benchmark.toml");
    let out = output_of(
        loyalsim()
            .arg("sweep")
            .arg(&bench)
            .args(["--set", "customers=100", "--set", "periods=1"])
            .args(["--set", "sweep.replications=1", "--out"])
            .arg(&out_dir),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{}", describe("sweep", &out));
    assert!(
        stderr.contains(
            "warning: sweep.vary constraint.r changes nothing at 5 of 10 points (points 5–9)"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "warning: sweep.vary segments.0.switching_costs.procedural changes nothing at 5 of 10 points (points 0–4)"
        ),
        "{stderr}"
    );
}

#[test]
fn the_complete_example_in_the_docs_is_valid_and_warns_of_nothing() {
    let doc = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/scenario.md")).unwrap();
    let at = doc.find("## A complete example").expect("the section");
    let block = doc[at..].split("```toml\n").nth(1).expect("a TOML block");
    let text = block.split("\n```").next().unwrap();
    let read = loyalsim::Scenario::read(text, "docs/scenario.md", &[])
        .unwrap_or_else(|e| panic!("the complete example is refused: {e}"));
    assert!(read.unused.is_empty(), "{:?}", read.unused);
    assert!(
        read.scenario.warnings().is_empty(),
        "{:?}",
        read.scenario.warnings()
    );
}

#[test]
fn every_metric_of_the_table_is_in_summary_json_under_its_name() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("m");
    run_scenario(
        &Path::new(SCENARIOS).join("competitive.toml"),
        &out,
        &["--set", "customers=1000", "--set", "periods=3"],
        &[],
    );
    let summary = read_json(&out.join("summary.json"));
    for m in loyalsim::report::metrics::run() {
        let v = &summary[m.name];
        assert!(v.is_number() || v.is_null(), "{}: {v}", m.name);
    }
    let firms = summary["firms"].as_object().unwrap();
    assert!(!firms.is_empty());
    for (firm, entry) in firms {
        for m in loyalsim::report::metrics::firm() {
            let v = &entry[m.name];
            assert!(v.is_number() || v.is_null(), "{firm} {}: {v}", m.name);
        }
    }
}

/// A bad command line is one line, as every other bad input, naming what was wrong and
/// where to read more, with exit 2; help and version still print whole, with exit 0.
#[test]
fn a_bad_command_line_is_one_line_and_exit_2() {
    let cases: [(&[&str], &str); 5] = [
        (
            &["sweep", "--bogus"],
            "unexpected argument '--bogus' found (see loyalsim sweep --help)",
        ),
        (
            &["run", "--threads", "x"],
            "invalid value 'x' for '--threads <N>'",
        ),
        (
            &["frob"],
            "unrecognized subcommand 'frob' (see loyalsim --help)",
        ),
        (
            &["merge"],
            "required arguments were not provided: <DIR>... (see loyalsim merge --help)",
        ),
        (
            &["sweep", "x.toml", "--timeseries", "xml"],
            "[possible values: csv, parquet, none] (see loyalsim sweep --help)",
        ),
    ];
    for (args, says) in cases {
        let out = output_of(loyalsim().args(args));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.starts_with("error: ") && err.contains(says),
            "{args:?}: {err}"
        );
    }
    for args in [&["--help"][..], &["sweep", "--help"], &["--version"]] {
        let out = output_of(loyalsim().args(args));
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(out.stdout.len() > 10, "{args:?}");
    }
}
