use super::curve_by_period::CURVE_BY_PERIOD;
use super::*;

#[test]
fn columns_are_read_by_name_and_extra_columns_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    std::fs::write(
        &path,
        "extra,cs_mid,observations,retention,retention_low,retention_high,cs_mean,more\n\
         x,1,10,0.5,0.2,0.8,,y\n\
         x,1.25,0,,,,,y\n",
    )
    .unwrap();
    let bins = read_curve(&path).unwrap();
    assert_eq!(bins.len(), 2);
    assert_eq!(bins[0].cs, 1.0);
    assert_eq!(bins[0].interval, Some((0.2, 0.8)));
    assert_eq!(bins[1].retention, None);
}

#[test]
fn shares_outside_0_to_1_are_refused_naming_the_cell() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("curve.csv");
    for bad in ["5", "NaN", "inf", "-0.1"] {
        std::fs::write(
            &path,
            format!(
                "cs_mid,observations,retention,retention_low,retention_high,cs_mean\n\
                 1,10,0.5,0.2,0.8,\n1.25,10,{bad},0.2,0.8,\n"
            ),
        )
        .unwrap();
        let e = read_curve(&path).unwrap_err().to_string();
        assert!(
            e.contains("row 2") && e.contains("`retention`") && e.contains("0 to 1"),
            "{bad}: {e}"
        );
    }
}

#[test]
fn a_missing_column_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("curve.csv");
    std::fs::write(&path, "cs_mid,observations\n1,10\n").unwrap();
    let e = read_curve(&path).unwrap_err().to_string();
    assert!(e.contains("curve.csv") && e.contains("`retention`"), "{e}");
}

/// A window's curve adds up the rows of its periods and firm, bin by bin, with
/// the means weighted by observations; a bad cell is named by row and column.
#[test]
fn the_curve_of_a_selection_adds_up_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let folder = RunFolder {
        dir: dir.path().to_path_buf(),
        scenario: Scenario::default(),
        summary: Summary {
            name: "t".into(),
            seed: 1,
            customers: 10,
            periods: 3,
            retention: None,
            correlation_cs_staying: None,
            satisfied_defector_share: None,
            hostage_share: None,
            mean_r_eff: None,
            decisions: None,
        },
        curve: Vec::new(),
        timeseries: Vec::new(),
        complaints: None,
    };
    let e = folder.curve_of((1, 3), None).unwrap_err().to_string();
    assert!(e.contains("curve_by_period.csv") && e.contains("run its scenario.toml again"));
    let path = dir.path().join(CURVE_BY_PERIOD);
    std::fs::write(
        &path,
        "period,firm,cs_mid,observations,stayed,cs_mean,cl_theory\n\
         1,A,3.0,10,8,3.1,0.8\n\
         2,A,3.0,30,27,2.9,0.9\n\
         2,B,3.0,100,50,3.0,0.5\n\
         2,A,1.0,5,5,1.05,0.7\n\
         3,A,3.0,1000,0,3.0,0.1\n",
    )
    .unwrap();
    let bins = folder.curve_of((1, 2), Some("A")).unwrap();
    assert_eq!(bins.len(), 2);
    // In order along the scale.
    assert_eq!((bins[0].observations, bins[0].retention), (5, Some(1.0)));
    let b = &bins[1];
    assert_eq!((b.observations, b.retention), (40, Some(35.0 / 40.0)));
    assert!((b.cs - (3.1 * 10.0 + 2.9 * 30.0) / 40.0).abs() < 1e-12);
    assert!((b.expected.unwrap() - (0.8 * 10.0 + 0.9 * 30.0) / 40.0).abs() < 1e-12);
    assert_eq!(b.interval, crate::stats::wilson(35, 40));
    // Both firms, period 2 only.
    let both = folder.curve_of((2, 2), None).unwrap();
    assert_eq!(both[1].observations, 130);
    std::fs::write(
        &path,
        "period,firm,cs_mid,observations,stayed,cs_mean,cl_theory\n1,A,3.0,10,11,3.1,0.8\n",
    )
    .unwrap();
    let e = folder.curve_of((1, 2), None).unwrap_err().to_string();
    assert!(e.contains("row 1") && e.contains("`stayed`"), "{e}");
}

#[test]
fn a_folder_without_results_is_named_with_the_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let e = RunFolder::read(dir.path()).unwrap_err().to_string();
    assert!(
        e.contains("not a results folder") && e.contains("scenario.toml"),
        "{e}"
    );
}
