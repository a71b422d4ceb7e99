//! Unit tests of calibration: target-file parsing and checks, measuring, the search.

use super::*;
use crate::engine::Simulation;
use crate::scenario::Scenario;

const GOOD: &str = r#"
[[parameter]]
path = "satisfaction.loss_slope"
from = 0.5
to = 3.0

[[parameter]]
path = "constraint.r"
from = 0.0
to = 2.5
start = 0.3

[[target]]
metric = "retention"
value = 0.8
tolerance = 0.01

[[target]]
metric = "curve_retention"
cs = 3.0
value = 0.7
tolerance = 0.02

[[target]]
metric = "firm_retention"
firm = "A"
condition = ["choice.beta=2"]
value = 0.75
tolerance = 0.02
"#;

fn err(text: &str) -> String {
    TargetFile::parse(text, "t.toml").unwrap_err().to_string()
}

fn tiny() -> Scenario {
    Scenario::parse("customers = 600\nperiods = 4", "tiny", &[]).unwrap()
}

#[test]
fn a_good_file_parses() {
    let f = TargetFile::parse(GOOD, "t.toml").unwrap();
    assert_eq!(f.parameter.len(), 2);
    assert_eq!(f.target[1].metric, Metric::CurveRetention);
    assert_eq!(f.target[2].label(), "firm_retention of A");
}

#[test]
fn bad_files_name_the_field() {
    let cases = [
        (
            "[[target]]\nmetric = \"retention\"\nvalue = 1\ntolerance = 1",
            "`parameter`",
        ),
        ("[[parameter]]\npath = \"a\"\nfrom = 0\nto = 1", "`target`"),
        (
            &GOOD.replace("tolerance = 0.01", "tolerance = 0"),
            "target[0].tolerance",
        ),
        (
            &GOOD.replace("metric = \"retention\"", "metric = \"retension\""),
            "target[0].metric",
        ),
        (&GOOD.replace("cs = 3.0\n", ""), "target[1].cs"),
        (&GOOD.replace("cs = 3.0", "cs = 6"), "target[1].cs"),
        (&GOOD.replace("firm = \"A\"\n", ""), "target[2].firm"),
        (&GOOD.replace("to = 3.0", "to = 0.1"), "parameter[0].from"),
        (
            &GOOD.replace("start = 0.3", "start = 9"),
            "parameter[1].start",
        ),
        (&GOOD.replace("from = 0.5", "form = 0.5"), "parameter[0]"),
        (
            &GOOD.replace("choice.beta=2", "constraint.r=strong"),
            "target[2].condition[0]",
        ),
        (
            &GOOD.replace("choice.beta=2", "nonsense"),
            "target[2].condition[0]",
        ),
        (&GOOD.replace("constraint.r", "seed"), "parameter[1].path"),
        (
            &GOOD.replace("\"constraint.r\"", "\"satisfaction.loss_slope\""),
            "parameter[1].path",
        ),
        ("[[parameter]]\npath = ", "not valid TOML"),
        (
            &GOOD.replace("value = 0.8", "value = \"high\""),
            "expected a number",
        ),
    ];
    for (text, field) in cases {
        let m = err(text);
        assert!(m.contains(field), "{field}: {m}");
        assert!(m.starts_with("t.toml"), "{m}");
        assert_eq!(m.lines().count(), 1, "{m}");
    }
}

#[test]
fn paths_and_firms_are_checked_against_the_scenario() {
    let options = Options {
        max_evals: 1,
        ..Options::default()
    };
    let bad_path = GOOD.replace("satisfaction.loss_slope", "satisfaction.los_slope");
    let f = TargetFile::parse(&bad_path, "t.toml").unwrap();
    let m = calibrate(&tiny(), &f, &options).unwrap_err().to_string();
    assert!(
        m.contains("parameter[0].path") && m.contains("los_slope"),
        "{m}"
    );

    let with_start = bad_path.replace("to = 3.0", "to = 3.0\nstart = 1.0");
    let f = TargetFile::parse(&with_start, "t.toml").unwrap();
    let m = calibrate(&tiny(), &f, &options).unwrap_err().to_string();
    assert!(
        m.contains("parameter[0].path") && m.contains("los_slope"),
        "{m}"
    );

    let f = TargetFile::parse(&GOOD.replace("\"A\"", "\"Z\""), "t.toml").unwrap();
    let m = calibrate(&tiny(), &f, &options).unwrap_err().to_string();
    assert!(m.contains("target[2].firm") && m.contains("A, B"), "{m}");

    let f = TargetFile::parse(&GOOD.replace("choice.beta=2", "choice.beta=-1"), "t.toml").unwrap();
    let m = calibrate(&tiny(), &f, &options).unwrap_err().to_string();
    assert!(m.contains("target[2].condition"), "{m}");

    let f = TargetFile::parse(&GOOD.replace("0.5\nto = 3.0", "1.5\nto = 3.0"), "t.toml").unwrap();
    let m = calibrate(&tiny(), &f, &options).unwrap_err().to_string();
    assert!(
        m.contains("parameter[0].start") && m.contains("own value is 1"),
        "{m}"
    );
}

#[test]
fn a_level_name_is_a_start_and_refused_bounds_are_warned_about() {
    let text = "[[parameter]]\npath = \"constraint.r\"\nfrom = 0\nto = 1\n\
                [[parameter]]\npath = \"satisfaction.memory\"\nfrom = 0.5\nto = 1.0\n\
                [[target]]\nmetric = \"hostage_share\"\nvalue = 0.1\ntolerance = 0.05";
    let f = TargetFile::parse(text, "t.toml").unwrap();
    let fit = calibrate(
        &tiny(),
        &f,
        &Options {
            max_evals: 3,
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(fit.parameters[0].start, 0.5, "`low` is R = 0.5");
    assert_eq!(fit.evaluations, 3);
    assert_eq!(fit.warnings.len(), 1, "{:?}", fit.warnings);
    assert!(
        fit.warnings[0].contains("parameter[1].to"),
        "{:?}",
        fit.warnings
    );
    let md = fit.markdown();
    assert!(
        md.contains("| constraint.r |") && md.contains("hostage_share"),
        "{md}"
    );
}

#[test]
fn every_metric_is_measured_and_the_objective_weights_by_tolerance() {
    let s = tiny();
    let results = Simulation::new(&s).run(s.periods);
    let target = |metric, cs: Option<f64>, firm: Option<&str>| Target {
        metric,
        cs,
        firm: firm.map(String::from),
        group: None,
        condition: Vec::new(),
        value: 0.0,
        tolerance: 1.0,
    };
    let all = [
        target(Metric::Run("retention"), None, None),
        target(Metric::Run("correlation_cs_staying"), None, None),
        target(Metric::Run("satisfied_defector_share"), None, None),
        target(Metric::Run("hostage_share"), None, None),
        target(Metric::Run("mean_r_eff"), None, None),
        target(Metric::Run("mean_cs"), None, None),
        target(Metric::CurveRetention, Some(3.0), None),
        target(Metric::FirmRetention, None, Some("B")),
        target(Metric::FirmShare, None, Some("A")),
        Target {
            group: Some("did_not_complain".into()),
            ..target(Metric::ComplaintRetention, None, None)
        },
    ];
    for t in &all {
        let v = measure(t, &s, &results);
        assert!(v.is_some_and(f64::is_finite), "{:?}: {v:?}", t.metric);
    }
    let r = measure(&all[0], &s, &results).unwrap();
    let a = measure(&all[7], &s, &results).unwrap();
    assert!(r > 0.0 && r < 1.0 && a > 0.0 && a < 1.0);
    // mean_r_eff is R = 0.5 in the reduced form without complaints.
    assert!((measure(&all[4], &s, &results).unwrap() - 0.5).abs() < 1e-9);

    let mut t = all[0].clone();
    t.value = 0.5;
    t.tolerance = 0.1;
    assert!((objective(&[t.clone()], &[Some(0.7)]) - 4.0).abs() < 1e-9);
    assert_eq!(objective(&[t], &[None]), MISSING_PENALTY);
}

#[test]
fn a_complaint_group_is_required_known_and_only_for_complaint_retention() {
    let head = "[[parameter]]\npath = \"constraint.r\"\nfrom = 0\nto = 3\n[[target]]\n";
    let parse = |target: &str| TargetFile::parse(&format!("{head}{target}"), "t.toml");
    let missing = parse("metric = \"complaint_retention\"\nvalue = 0.5\ntolerance = 0.1");
    assert!(
        missing
            .unwrap_err()
            .0
            .contains("`target[0].group` = (missing)")
    );
    let unknown =
        parse("metric = \"complaint_retention\"\ngroup = \"angry\"\nvalue = 0.5\ntolerance = 0.1");
    assert!(unknown.unwrap_err().0.contains("one of did_not_complain,"));
    let misplaced =
        parse("metric = \"retention\"\ngroup = \"resolved\"\nvalue = 0.5\ntolerance = 0.1");
    assert!(
        misplaced
            .unwrap_err()
            .0
            .contains("only for complaint_retention")
    );
    let fine = parse(
        "metric = \"complaint_retention\"\ngroup = \"resolved\"\nvalue = 0.5\ntolerance = 0.1",
    );
    assert_eq!(
        fine.unwrap().target[0].label(),
        "complaint_retention of resolved"
    );
}

#[test]
fn calibration_is_deterministic_and_never_worse_than_the_start() {
    let text = "[[parameter]]\npath = \"constraint.r\"\nfrom = 0\nto = 3\nstart = 0.2\n\
                [[target]]\nmetric = \"retention\"\nvalue = 0.9\ntolerance = 0.01";
    let f = TargetFile::parse(text, "t.toml").unwrap();
    let options = Options {
        max_evals: 12,
        ..Options::default()
    };
    let a = calibrate(&tiny(), &f, &options).unwrap();
    let b = calibrate(&tiny(), &f, &options).unwrap();
    assert_eq!(a, b);
    assert!(a.objective <= a.start_objective);
    assert!(a.parameters[0].fitted > 0.2, "{:?}", a.parameters);
    assert_eq!(a.scenario.constraint.r.value(), a.parameters[0].fitted);
    assert!(a.parameters[0].pinned, "{:?}", a.parameters[0]);
}

#[test]
fn a_parameter_the_targets_do_not_see_is_not_pinned() {
    // The discount rate moves lifetime values, not retention.
    let text = "[[parameter]]\npath = \"economics.discount_rate\"\nfrom = 0\nto = 0.5\n\
                [[target]]\nmetric = \"retention\"\nvalue = 0.9\ntolerance = 0.01";
    let f = TargetFile::parse(text, "t.toml").unwrap();
    let options = Options {
        max_evals: 4,
        ..Options::default()
    };
    let fit = calibrate(&tiny(), &f, &options).unwrap();
    let p = &fit.parameters[0];
    assert!(!p.pinned, "{p:?}");
    assert_eq!(p.objective_up, Some(fit.objective), "{p:?}");
    assert!(
        fit.markdown()
            .contains("Not pinned down: economics.discount_rate")
    );
}

/// fit.json says an infinity as `summary.json` does: `null` and `KEY_infinite`,
/// present in every fit, never a bare `null` that reads as a missing figure.
#[test]
fn fit_json_flags_infinite_numbers() {
    let text = "[[parameter]]\npath = \"constraint.r\"\nfrom = 0\nto = 3\n\
                [[target]]\nmetric = \"mean_r_eff\"\nvalue = 1\ntolerance = 0.5";
    let f = TargetFile::parse(text, "t.toml").unwrap();
    let options = Options {
        max_evals: 3,
        ..Options::default()
    };
    let mut fit = calibrate(&tiny(), &f, &options).unwrap();
    let json = fit.to_json();
    let (p, t) = (&json["parameters"][0], &json["targets"][0]);
    for (o, key) in [
        (p, "objective_down"),
        (p, "objective_up"),
        (t, "simulated"),
        (t, "start_simulated"),
    ] {
        assert_eq!(o[format!("{key}_infinite")], false, "{key}: {o}");
    }
    assert!(t["simulated"].is_f64(), "{t}");
    fit.parameters[0].objective_up = Some(f64::INFINITY);
    fit.parameters[0].objective_down = None;
    fit.targets[0].simulated = Some(f64::INFINITY);
    let json = fit.to_json();
    let (p, t) = (&json["parameters"][0], &json["targets"][0]);
    assert!(
        p["objective_up"].is_null() && p["objective_up_infinite"] == true,
        "{p}"
    );
    assert!(
        p["objective_down"].is_null() && p["objective_down_infinite"] == false,
        "{p}"
    );
    assert!(
        t["simulated"].is_null() && t["simulated_infinite"] == true,
        "{t}"
    );
    assert_eq!(t["metric"], "mean_r_eff", "the target's own fields stay");
}
