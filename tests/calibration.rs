//! Calibration recovers known parameters, and `loyalsim calibrate` writes its results
//! folder and refuses bad target files with one line and exit code 2.
//!
//! The recovery test: a small competitive market (5,000 customers × 15 periods, so an
//! evaluation takes about a tenth of a second in a debug build) is run once with
//! parameters we choose, β− = `satisfaction.loss_slope` = 1.6 and R = `constraint.r` =
//! 0.8. Its figures become the targets, each with a tolerance of two binomial standard
//! errors, √(p(1 − p)/n) for a share p measured on n decisions (or bin observations, or
//! defections); this treats decisions as independent, which they are not quite (a
//! customer makes 15 of them), so it is the scale of sampling error, not a test level.
//! The values are then forgotten: the calibration starts from the scenario file's own
//! β− = 1.2 or from other starts, searches β− in [0.5, 3] and R in [0, 2.5], and uses
//! the data's seed, so every evaluation shares the data's random numbers (common random
//! numbers) and the truth is an exact zero of the objective. The fit must land within
//! 5% of each range of the truth (±0.125 for β−, ±0.125 for R). When this was written
//! both starts landed within 0.001 of the truth in 6 to 10 s each (debug build, the two
//! tests in parallel on 2 shared cores).
//!
//! Mean CS is among the targets because the retention figures alone hardly respond to
//! β−: it shapes only disappointments small enough not to saturate s at −1, and
//! retention within a CS bin does not depend on it at all. Without mean CS the fit from
//! above stopped at β− = 1.82 with every target met.

use loyalsim::Simulation;
use loyalsim::calibrate::{self, Metric, Options, Parameter, Target, TargetFile};
use loyalsim::scenario::{Override, Scenario};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const COMPETITIVE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/competitive.toml");

const TRUE_LOSS_SLOPE: f64 = 1.6;
const TRUE_R: f64 = 0.8;
/// How close a fit must land, as a share of each parameter's search range.
const RECOVERY_TOLERANCE: f64 = 0.05;

fn small_competitive(extra: &[&str]) -> Scenario {
    let mut o: Vec<Override> = ["customers=5000", "periods=15"]
        .iter()
        .chain(extra)
        .map(|s| s.parse().unwrap())
        .collect();
    o.push(Override::seed(11));
    Scenario::load(Path::new(COMPETITIVE), &o).unwrap()
}

/// Targets measured on a run with the true parameters, each with a tolerance of two
/// binomial standard errors.
fn targets_from_truth() -> Vec<Target> {
    let truth = small_competitive(&[
        &format!("satisfaction.loss_slope={TRUE_LOSS_SLOPE}"),
        &format!("constraint.r={TRUE_R}"),
    ]);
    let results = Simulation::new(&truth).run(truth.periods);
    let decisions: u64 = results
        .periods
        .iter()
        .flat_map(|p| &p.firms)
        .map(|f| f.customers)
        .sum();
    let defections: u64 = results
        .periods
        .iter()
        .flat_map(|p| &p.firms)
        .map(|f| f.defections)
        .sum();
    let mut targets = Vec::new();
    // Mean CS: its standard error from the spread of CS over the curve's bins (each
    // observation at its bin's mean), as if the n decisions were independent.
    let mean_cs = calibrate::measure(&cs_target(), &truth, &results).expect("measurable");
    let var = results
        .curve
        .iter()
        .filter(|b| b.observations > 0)
        .map(|b| b.observations as f64 * (b.sum_cs / b.observations as f64 - mean_cs).powi(2))
        .sum::<f64>()
        / decisions as f64;
    targets.push(Target {
        value: mean_cs,
        tolerance: 2.0 * (var / decisions as f64).sqrt(),
        ..cs_target()
    });
    let mut add = |metric: Metric, cs: Option<f64>, n: u64| {
        let mut t = Target {
            metric,
            cs,
            ..cs_target()
        };
        let p = calibrate::measure(&t, &truth, &results).expect("measurable");
        t.value = p;
        t.tolerance = 2.0 * (p * (1.0 - p) / n as f64).sqrt();
        targets.push(t);
    };
    add(Metric::Run("retention"), None, decisions);
    add(Metric::Run("hostage_share"), None, decisions);
    add(Metric::Run("satisfied_defector_share"), None, defections);
    for cs in [2.0, 3.0, 4.0] {
        let n = results.curve[results.bins.index(cs)].observations;
        add(Metric::CurveRetention, Some(cs), n);
    }
    targets
}

fn cs_target() -> Target {
    Target {
        metric: Metric::Run("mean_cs"),
        cs: None,
        firm: None,
        group: None,
        condition: Vec::new(),
        value: 0.0,
        tolerance: 1.0,
    }
}

fn recover(start_loss_slope: Option<f64>, start_r: f64) {
    let targets = targets_from_truth();
    let file = TargetFile {
        source: "recovery test".into(),
        parameter: vec![
            Parameter {
                path: "satisfaction.loss_slope".into(),
                from: 0.5,
                to: 3.0,
                start: start_loss_slope,
            },
            Parameter {
                path: "constraint.r".into(),
                from: 0.0,
                to: 2.5,
                start: Some(start_r),
            },
        ],
        target: targets,
    };
    // The base scenario knows nothing of the truth: the file's own β− = 1.2, R = 0.25.
    let base = small_competitive(&[]);
    let options = Options {
        max_evals: 150,
        x_tolerance: 1e-3,
        initial_step: 0.2,
        restarts: 2,
    };
    let clock = Instant::now();
    let fit = calibrate::calibrate(&base, &file, &options).unwrap();
    let elapsed = clock.elapsed();
    eprintln!(
        "start ({:?}, {start_r}): fitted loss_slope {:.4} (truth {TRUE_LOSS_SLOPE}), r {:.4} (truth {TRUE_R}); \
         objective {:.4} from {:.1}; {} evaluations, converged {}; {:.1} s",
        start_loss_slope,
        fit.parameters[0].fitted,
        fit.parameters[1].fitted,
        fit.objective,
        fit.start_objective,
        fit.evaluations,
        fit.converged,
        elapsed.as_secs_f64()
    );
    for p in &fit.parameters {
        eprintln!(
            "  {}: objective {:?} at −5% of range, {:?} at +5%",
            p.path, p.objective_down, p.objective_up
        );
    }
    let truth = [TRUE_LOSS_SLOPE, TRUE_R];
    for (p, t) in fit.parameters.iter().zip(truth) {
        let allowed = RECOVERY_TOLERANCE * (p.to - p.from);
        assert!(
            (p.fitted - t).abs() <= allowed,
            "{}: fitted {} vs truth {t} (allowed ±{allowed})\n{}",
            p.path,
            p.fitted,
            fit.markdown()
        );
    }
    assert!(
        fit.targets.iter().all(|t| t.met),
        "every target is met at the fit\n{}",
        fit.markdown()
    );
    assert!(fit.objective < fit.start_objective);
    // R is pinned down by the targets: 5% of its range moves them by many tolerances.
    // β− is a strict minimum but a shallow one: when this test was written, 5% of its
    // range (±0.125) raised the objective by only 0.4 to 0.7 (`pinned` false), so with
    // real data, without common random numbers, these targets would leave β− uncertain
    // by more than that; the recovery is sharp because the fit shares the data's luck.
    assert!(fit.parameters[1].pinned, "{}", fit.markdown());
    let beta = &fit.parameters[0];
    assert!(
        [beta.objective_down, beta.objective_up]
            .iter()
            .all(|f| f.is_some_and(|f| f > fit.objective)),
        "{}",
        fit.markdown()
    );
}

#[test]
fn recovers_known_parameters_from_below() {
    // β− from the scenario file's own 1.2, R from 0.3.
    recover(None, 0.3);
}

#[test]
fn recovers_known_parameters_from_above() {
    recover(Some(2.6), 2.0);
}

fn loyalsim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_loyalsim"))
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn the_command_writes_the_fitted_scenario_and_the_fit_report() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("tiny.toml");
    std::fs::write(&scenario, "name = \"tiny\"\ncustomers = 800\nperiods = 5\n").unwrap();
    let targets = dir.path().join("targets.toml");
    std::fs::write(
        &targets,
        "[[parameter]]\npath = \"constraint.r\"\nfrom = 0\nto = 3\n\n\
         [[target]]\nmetric = \"retention\"\nvalue = 0.9\ntolerance = 0.01\n\n\
         [[target]]\nmetric = \"firm_retention\"\nfirm = \"B\"\ncondition = [\"choice.beta=2\"]\n\
         value = 0.9\ntolerance = 0.02\n",
    )
    .unwrap();
    let out = dir.path().join("fitted");
    let o = loyalsim(&[
        "calibrate",
        scenario.to_str().unwrap(),
        "--target",
        targets.to_str().unwrap(),
        "--max-evals",
        "6",
        "--threads",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("| constraint.r |"), "{stdout}");
    let fit: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("fit.json")).unwrap()).unwrap();
    assert_eq!(fit["evaluations"], 6);
    assert_eq!(fit["conditions"], 2);
    assert_eq!(fit["seed"], 1);
    let fitted = fit["parameters"][0]["fitted"].as_f64().unwrap();
    assert_eq!(fit["targets"][1]["condition"][0], "choice.beta=2");
    assert!(fit["targets"][0]["simulated"].is_f64());
    // The fitted scenario is a scenario `loyalsim run` accepts, with the fitted value.
    let s = Scenario::load(&out.join("scenario.toml"), &[]).unwrap();
    assert_eq!(s.constraint.r.value(), fitted);
    assert!(out.join("fit.md").exists());

    // A bad target file: exit 2, one line naming the field, nothing written.
    std::fs::write(
        &targets,
        "[[parameter]]\npath = \"constraint.r\"\nfrom = 0\nto = 3\n\n\
         [[target]]\nmetric = \"retention\"\nvalue = 0.9\ntolerance = -1\n",
    )
    .unwrap();
    let again = dir.path().join("again");
    let o = loyalsim(&[
        "calibrate",
        scenario.to_str().unwrap(),
        "--target",
        targets.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("target[0].tolerance"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(!again.exists());

    // An unknown path: exit 2, naming the parameter.
    std::fs::write(
        &targets,
        "[[parameter]]\npath = \"constraint.rr\"\nfrom = 0\nto = 3\nstart = 1\n\n\
         [[target]]\nmetric = \"retention\"\nvalue = 0.9\ntolerance = 0.01\n",
    )
    .unwrap();
    let o = loyalsim(&[
        "calibrate",
        scenario.to_str().unwrap(),
        "--target",
        targets.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("parameter[0].path") && stderr.contains("rr"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}
