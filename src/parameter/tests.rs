//! Unit tests of the plan: each design's points in order, seeds, the refusals of
//! designs too large or badly specified, and one type per swept column.

use super::*;
use crate::dtype::Dtype;

fn sweep(text: &str) -> Sweep {
    toml::from_str(text).unwrap()
}

#[test]
fn grid_is_the_full_factorial_in_order() {
    let s = sweep(
        "replications = 2\n[[vary]]\npath = \"a\"\nvalues = [1, 2]\n\
         [[vary]]\npath = \"b\"\nfrom = 0.0\nto = 1.0\nsteps = 3",
    );
    let p = Plan::new(&s, 1).unwrap();
    assert_eq!(p.points.len(), 6);
    assert_eq!(p.runs(), 12);
    assert_eq!(
        p.points[1],
        vec![toml::Value::Integer(1), toml::Value::Float(0.5)]
    );
    let r = p.run(5);
    assert_eq!((r.point, r.replicate), (2, 1));
    assert_ne!(
        p.run(0).seed,
        p.run(1).seed,
        "replicates have their own seeds"
    );
}

#[test]
fn zip_needs_equal_lengths_and_common_random_numbers_share_seeds() {
    let bad = sweep(
        "design = \"zip\"\n[[vary]]\npath = \"a\"\nvalues = [1, 2]\n[[vary]]\npath = \"b\"\nvalues = [1]",
    );
    assert!(
        Plan::new(&bad, 1)
            .unwrap_err()
            .to_string()
            .contains("sweep.vary[1]")
    );
    let crn = sweep(
        "design = \"zip\"\nreplications = 3\ncommon_random_numbers = true\n[[vary]]\npath = \"a\"\nvalues = [1, 2]",
    );
    let p = Plan::new(&crn, 1).unwrap();
    assert_eq!(p.run(0).seed, p.run(3).seed);
    assert_ne!(p.run(0).seed, p.run(1).seed);
}

#[test]
fn latin_hypercube_uses_every_stratum_once() {
    let s = sweep(
        "design = \"latin_hypercube\"\nsamples = 20\n[[vary]]\npath = \"a\"\nfrom = 0.0\nto = 20.0",
    );
    let p = Plan::new(&s, 9).unwrap();
    let mut strata: Vec<i64> = p
        .points
        .iter()
        .map(|pt| pt[0].as_float().unwrap().floor() as i64)
        .collect();
    strata.sort();
    assert_eq!(strata, (0..20).collect::<Vec<_>>());
    assert_eq!(Plan::new(&s, 9).unwrap(), p, "deterministic");
}

#[test]
fn designs_too_large_are_refused_naming_the_field_before_anything_is_made() {
    let cases = [
        (
            "[[vary]]\npath = \"a\"\nfrom = 0.0\nto = 1.0\nsteps = 4000000000",
            "sweep.vary[0].steps",
        ),
        (
            "design = \"zip\"\n[[vary]]\npath = \"a\"\nfrom = 0.0\nto = 1.0\nsteps = 4000000000\n\
             [[vary]]\npath = \"b\"\nfrom = 0.0\nto = 1.0\nsteps = 4000000000",
            "sweep.vary[0].steps",
        ),
        (
            "design = \"random\"\nsamples = 4000000000\n[[vary]]\npath = \"a\"\nfrom = 0.0\nto = 1.0",
            "sweep.samples",
        ),
        (
            "design = \"latin_hypercube\"\nsamples = 4000000000\n[[vary]]\npath = \"a\"\nfrom = 0.0\nto = 1.0",
            "sweep.samples",
        ),
        // Each list within the limit, their product not.
        (
            "[[vary]]\npath = \"a\"\nfrom = 0.0\nto = 1.0\nsteps = 100000\n\
             [[vary]]\npath = \"b\"\nfrom = 0.0\nto = 1.0\nsteps = 100000\n\
             [[vary]]\npath = \"c\"\nfrom = 0.0\nto = 1.0\nsteps = 100000",
            "100000 × 100000 × 100000 points",
        ),
        (
            "replications = 4000000000\n[[vary]]\npath = \"a\"\nvalues = [1, 2]",
            "sweep.replications",
        ),
        (
            "design = \"random\"\nsamples = 1000\nreplications = 1000000\n[[vary]]\npath = \"a\"\nvalues = [1, 2]",
            "sweep.samples",
        ),
    ];
    for (text, needle) in cases {
        let s = sweep(text);
        let size = Plan::size(&s).unwrap_err().to_string();
        assert!(
            size.contains(needle) && size.contains("100000000 runs"),
            "{size}"
        );
        // Plan::new refuses the same way, and (the test finishing shows) at once.
        assert_eq!(Plan::new(&s, 1).unwrap_err().to_string(), size);
    }
    let fine = sweep("[[vary]]\npath = \"a\"\nfrom = 0.0\nto = 1.0\nsteps = 1000");
    assert_eq!(Plan::size(&fine).unwrap(), 1000);
    let bytes = Plan::estimate_bytes(&fine, 1000);
    assert!(bytes > 1000 * 32 && bytes < 1000 * 1000, "{bytes}");
}

#[test]
fn bad_specs_name_the_field() {
    assert!(
        Plan::new(&Sweep::default(), 1)
            .unwrap_err()
            .to_string()
            .contains("sweep.vary")
    );
    let empty = sweep("[[vary]]\npath = \"a\"\nvalues = []");
    assert!(
        Plan::new(&empty, 1)
            .unwrap_err()
            .to_string()
            .contains("sweep.vary[0].values")
    );
    let both = sweep("[[vary]]\npath = \"a\"\nvalues = [1]\nfrom = 0.0\nto = 1.0");
    assert!(Plan::new(&both, 1).is_err());
}

/// A swept column has one type for the whole sweep: integers of an integer field
/// are ints, numbers (integers, "inf" and a strength's level names included) of a
/// number field are floats written with a decimal point, anything else is text as
/// given.
#[test]
fn swept_columns_have_one_type() {
    let base = Scenario::parse("customers = 300", "t", &[])
        .unwrap()
        .to_table();
    let cases: [(&str, &str, Dtype, &[&str]); 7] = [
        (
            "constraint.r",
            "[0, 0.5, \"inf\"]",
            Dtype::Float,
            &["0.0", "0.5", "inf"],
        ),
        (
            "constraint.r",
            "[\"strong\", 1, \"none\"]",
            Dtype::Float,
            &["2.0", "1.0", "0.0"],
        ),
        (
            "customers",
            "[300, 400, 500]",
            Dtype::Int,
            &["300", "400", "500"],
        ),
        (
            "firms.0.price",
            "[2, 3, 0.25]",
            Dtype::Float,
            &["2.0", "3.0", "0.25"],
        ),
        (
            "firms.0.price",
            "[1e-7, 2.5, 1e11]",
            Dtype::Float,
            &["0.0000001", "2.5", "100000000000.0"],
        ),
        (
            "constraint.form",
            "[\"reduced\", \"structural\", \"reduced\"]",
            Dtype::String,
            &["reduced", "structural", "reduced"],
        ),
        (
            "firms.0.name",
            "[\"1\", \"2\", \"3\"]",
            Dtype::String,
            &["1", "2", "3"],
        ),
    ];
    for (path, values, dtype, cells) in cases {
        let plan = Plan::new(
            &sweep(&format!(
                "design = \"zip\"\n[[vary]]\npath = \"{path}\"\nvalues = {values}"
            )),
            1,
        )
        .unwrap();
        assert_eq!(plan.dtypes(&base).unwrap(), [dtype], "{path} = {values}");
        let written: Vec<String> = plan
            .points
            .iter()
            .map(|p| Plan::cell(&p[0], dtype))
            .collect();
        assert_eq!(written, cells, "{path} = {values}");
    }
}
