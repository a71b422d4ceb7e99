//! Published figures the engine must reproduce, one test per check of
//! `loyalsim::literature` (the code that also writes docs/validation.md). The targets
//! and tolerances live there, beside the page's words; these tests only run them.
//!
//! The checks simulate a few million customer-steps each, several seconds apiece in an
//! unoptimised build, so they are `#[ignore]`d in `cargo test` and run in release mode
//! by CI: `cargo test --release --test literature -- --include-ignored`. The tests that
//! keep the checks honest (shared parameters, the calibration of TARP's scenario) are
//! cheap and always run.

use loyalsim::literature::{self, Lab};

fn check(id: &str) {
    let check = literature::check(id).unwrap_or_else(|| panic!("no check {id}"));
    let mut lab = Lab::shipped();
    let rows = (check.run)(&mut lab).unwrap_or_else(|e| panic!("{id}: {e}"));
    let failed: Vec<String> = rows
        .iter()
        .filter(|r| !r.as_stated())
        .map(|r| {
            format!(
                "{}: simulated {:.4} ({:.4} to {:.4}), criterion {}{}",
                r.figure,
                r.simulated.mean,
                r.simulated.low,
                r.simulated.high,
                r.criterion,
                if r.departure.is_some() {
                    " (a stated departure that no longer departs: update the page's note)"
                } else {
                    ""
                }
            )
        })
        .collect();
    assert!(failed.is_empty(), "{id}:\n{}", failed.join("\n"));
}

macro_rules! checks {
    ($($id:ident),* $(,)?) => {
        $(
            #[test]
            #[ignore = "release: cargo test --release --test literature -- --include-ignored"]
            fn $id() {
                check(stringify!($id));
            }
        )*

        /// Every check of the library has a test above, and no test names a missing one.
        #[test]
        fn every_check_has_a_test() {
            let tested = [$(stringify!($id)),*];
            let ids: Vec<&str> = literature::CHECKS.iter().map(|c| c.id).collect();
            assert_eq!(tested.to_vec(), ids);
        }
    };
}

checks!(
    kotler_ladder,
    xerox,
    six_times,
    jones_sasser,
    barriers,
    bain,
    asymmetry,
    tarp,
    lifetime_value,
    reichheld_sasser,
    leaky_bucket,
    one_bad_line,
    monopoly_opens,
    number_portability,
);

/// The scenario files' `[name]` table, as TOML.
fn table(file: &str, name: &str) -> Option<toml::Value> {
    let path = format!("{}/scenarios/literature/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let doc: toml::Table = text.parse().unwrap();
    doc.get(name).cloned()
}

/// The figures are not tuned one by one: the competitive consumer's loyalty curve and
/// satisfaction dynamics are the same in every file that claims them (docs/validation.md,
/// "One set of customers"), TARP's included, which adds only how long a complaint's
/// outcome is remembered.
#[test]
fn the_literature_scenarios_share_one_consumer() {
    let loyalty = table("jones_sasser.toml", "loyalty").unwrap();
    let satisfaction = table("jones_sasser.toml", "satisfaction").unwrap();
    for file in [
        "bain.toml",
        "telecom.toml",
        "tarp.toml",
        "one_bad_line.toml",
        "leaky_bucket.toml",
    ] {
        assert_eq!(
            table(file, "loyalty").as_ref(),
            Some(&loyalty),
            "{file}: [loyalty]"
        );
    }
    for file in [
        "bain.toml",
        "telecom.toml",
        "asymmetry.toml",
        "one_bad_line.toml",
        "leaky_bucket.toml",
    ] {
        assert_eq!(
            table(file, "satisfaction").as_ref(),
            Some(&satisfaction),
            "{file}: [satisfaction]"
        );
    }
    // TARP's market is the one with complaints, so its customers also say how long a
    // complaint's outcome is remembered (in the others the setting would change nothing,
    // and is refused); apart from that, the same table.
    let mut tarp = table("tarp.toml", "satisfaction").unwrap();
    let incident = tarp.as_table_mut().unwrap().remove("incident_memory");
    assert!(
        incident.is_some(),
        "tarp.toml: satisfaction.incident_memory"
    );
    assert_eq!(tarp, satisfaction, "tarp.toml: [satisfaction]");
}

/// Every scenario file under scenarios/literature is used by a check, and every check
/// names a file that exists.
#[test]
fn every_literature_scenario_is_checked() {
    let dir = format!("{}/scenarios/literature", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".toml") && !f.ends_with(".target.toml"))
        .collect();
    files.sort();
    let mut named: Vec<String> = literature::CHECKS
        .iter()
        .map(|c| c.scenario.to_string())
        .collect();
    named.sort();
    named.dedup();
    assert_eq!(files, named);
    for f in &files {
        Lab::shipped()
            .scenario(f, &[])
            .unwrap_or_else(|e| panic!("{f}: {e}"));
    }
}

/// `loyalsim literature --only ID` runs one check from the scenario folder and prints
/// its verdict without writing the page; an unknown check or folder is bad input (exit
/// 2, one line).
#[test]
fn the_command_runs_one_check_and_refuses_unknown_ones() {
    let bin = env!("CARGO_BIN_EXE_loyalsim");
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/literature");
    let tmp = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(bin)
            .args(args)
            .current_dir(tmp.path())
            .output()
            .unwrap()
    };
    let ok = run(&["literature", "--scenarios", dir, "--only", "asymmetry"]);
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert_eq!(ok.status.code(), Some(0), "{stdout}");
    // Every asymmetry row holds by construction (the shape of the bounded score): the
    // check is met, and no claim about customers is counted. Departures are counted
    // apart, never as met (src/literature/tests.rs).
    assert!(stdout.starts_with("met     asymmetry "), "{stdout}");
    assert!(
        stdout.contains(
            "claims about customers: 0 of 0 figures met, 0 departures stated; \
             by construction (in brackets above): 3 of 3 hold"
        ),
        "{stdout}"
    );
    assert!(
        !tmp.path().join("docs").join("validation.md").exists(),
        "--only must not write the page"
    );
    for args in [
        &["literature", "--scenarios", dir, "--only", "nope"][..],
        &["literature", "--scenarios", "/no/such/folder"][..],
    ] {
        let bad = run(args);
        let stderr = String::from_utf8_lossy(&bad.stderr);
        assert_eq!(bad.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: --"), "{stderr}");
    }
}
