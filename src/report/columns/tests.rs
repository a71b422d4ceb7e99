use super::cell::{display_rounded, push_rounded};
use super::*;
use crate::parameter::Run;

#[test]
fn headers_carry_the_required_names() {
    let names: Vec<&str> = timeseries().iter().map(|c| c.name).collect();
    for required in [
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
    ] {
        assert!(names.contains(&required), "{required}");
    }
    let names: Vec<&str> = curve().iter().map(|c| c.name).collect();
    for required in [
        "cs_low",
        "cs_high",
        "observations",
        "stayed",
        "retention",
        "f_theory",
        "cl_theory",
    ] {
        assert!(names.contains(&required), "{required}");
    }
}

/// A float cell is a float whatever its value: whole numbers keep `.0`, infinity
/// is `inf`, and missing or undefined values are empty.
#[test]
fn cells_print_missing_and_infinite_values() {
    assert_eq!(Cell::Float(None).to_csv(), "");
    assert_eq!(Cell::Float(Some(f64::INFINITY)).to_csv(), "inf");
    assert_eq!(Cell::Float(Some(0.5)).to_csv(), "0.5");
    assert_eq!(Cell::Float(Some(0.49999999999995826)).to_csv(), "0.5");
    assert_eq!(Cell::Float(Some(0.0)).to_csv(), "0.0");
    assert_eq!(Cell::Float(Some(-0.0)).to_csv(), "0.0");
    assert_eq!(Cell::Float(Some(1.0)).to_csv(), "1.0");
    assert_eq!(Cell::Float(Some(-3.0)).to_csv(), "-3.0");
    assert_eq!(Cell::Float(Some(1959.0)).to_csv(), "1959.0");
    assert_eq!(Cell::Float(Some(0.999_999_999_7)).to_csv(), "1.0");
    assert_eq!(Cell::Float(Some(-1e-12)).to_csv(), "0.0");
    assert_eq!(Cell::Float(Some(1e20)).to_csv(), "100000000000000000000.0");
    assert_eq!(Cell::Float(Some(f64::NEG_INFINITY)).to_csv(), "-inf");
    assert_eq!(Cell::Float(Some(f64::NAN)).to_csv(), "");
    assert_eq!(exact_float(2.0), "2.0");
    assert_eq!(exact_float(0.1 + 0.2), "0.30000000000000004");
    assert_eq!(exact_float(-0.0), "0.0");
    assert_eq!(exact_float(f64::INFINITY), "inf");
    assert_eq!(exact_float(f64::NAN), "");
    assert_eq!(Cell::Int(0).to_csv(), "0");
    assert_eq!(Cell::Int(u64::MAX).to_csv(), u64::MAX.to_string());
    assert_eq!(Cell::Signed(i64::MIN).to_csv(), i64::MIN.to_string());
    assert_eq!(Cell::Signed(-7).to_csv(), "-7");
}

/// Records are the `csv` crate's, byte for byte, also for text that needs quotes.
#[test]
fn records_are_the_csv_crates() {
    let texts = [
        "",
        "plain",
        "a,b",
        "say \"hi\"",
        "two\nlines",
        "cr\r",
        "; ,\"",
        " x ",
    ];
    let mut theirs = csv::Writer::from_writer(Vec::new());
    let mut ours = Vec::new();
    for (i, t) in texts.iter().enumerate() {
        let cells = || {
            [
                Cell::Text(t.to_string()),
                Cell::Int(i as u64),
                Cell::Float(None),
                Cell::Float(Some(-0.125)),
                Cell::Signed(-3),
                Cell::Text(t.to_string()),
            ]
            .into_iter()
        };
        theirs
            .write_record(
                ["p,1", "q"]
                    .iter()
                    .map(|s| s.to_string())
                    .chain(cells().map(|c| c.to_csv())),
            )
            .unwrap();
        let mut prefix = Vec::new();
        for p in ["p,1", "q"] {
            push_csv_field(&mut prefix, p.as_bytes());
            prefix.push(b',');
        }
        push_csv_record(&mut ours, &prefix, cells());
    }
    assert_eq!(
        String::from_utf8(ours).unwrap(),
        String::from_utf8(theirs.into_inner().unwrap()).unwrap()
    );
}

/// The fast float cells are `Display`'s, over magnitudes from 10⁻¹² to 10¹⁶,
/// whole numbers, halves at the ninth place and the edges of the fast range.
#[test]
fn fast_cells_are_display_cells() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut values = vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.1,
        0.2,
        0.3,
        1e-9,
        -1e-9,
        5e-10,
        4.9999e-10,
        1.5e-9,
        999_999.999_999_999,
        1e6,
        1e6 + 0.5,
        999_999.999_999_999_5,
        123_456.789_012_345,
    ];
    for _ in 0..2_000_000 {
        let bits = next();
        let mantissa = (bits >> 11) as f64 / (1u64 << 53) as f64;
        let exponent = (bits % 29) as i32 - 12;
        let sign = if bits & 1 << 10 != 0 { -1.0 } else { 1.0 };
        values.push(sign * mantissa * 10f64.powi(exponent));
        values.push(sign * ((bits >> 20) % 100_000) as f64 / 1e3);
        values.push(sign * (((bits >> 12) % 2_000_000_000) as f64 + 0.5) / 1e9);
    }
    for x in values {
        let mut fast = Vec::new();
        push_rounded(&mut fast, x);
        assert_eq!(
            String::from_utf8(fast).unwrap(),
            display_rounded(x),
            "{x:e}"
        );
    }
}

/// A small run of every kind of output: complaints, a survey, word of mouth, an
/// event.
fn full_run() -> (crate::Scenario, crate::engine::RunResults) {
    let overrides: Vec<crate::scenario::Override> = [
        "customers=1500",
        "periods=32",
        "survey.every=4",
        "word_of_mouth.network=small_world",
    ]
    .iter()
    .map(|o| o.parse().unwrap())
    .collect();
    let s = crate::Scenario::parse(
        include_str!("../../../scenarios/service_recovery.toml"),
        "service_recovery",
        &overrides,
    )
    .unwrap();
    let results = crate::engine::Simulation::new(&s).run(s.periods);
    (s, results)
}

/// Every cell a column's `value` gives has the column's declared type, in every
/// table, so the docs and the schema say what the files hold.
#[test]
fn columns_have_their_declared_types() {
    fn check<R>(table: &str, columns: &[Column<R>], rows: impl Iterator<Item = R>) {
        let mut n = 0;
        for row in rows {
            n += 1;
            for c in columns {
                let cell = (c.value)(&row);
                assert_eq!(cell.dtype(), c.dtype, "{table}: {} = {cell:?}", c.name);
            }
        }
        assert!(n > 0, "{table}: no rows to check");
    }
    let (s, results) = full_run();
    let report = crate::report::RunReport {
        scenario: &s,
        results: &results,
        elapsed: std::time::Duration::ZERO,
        threads: 1,
        warnings: &[],
    };
    check("timeseries", &timeseries(), report.timeseries_rows());
    check("curve", &curve(), report.curve_rows());
    check(
        "curve_by_period",
        &curve_by_period(),
        report.curve_by_period_rows(),
    );
    check("survey", &survey(), report.survey_rows());
    check("complaints", &complaints(), report.complaint_rows());
    let measured = crate::report::metrics::Measured::of(&report);
    for (m, d) in crate::report::metrics::run().iter().zip(sweep_metrics()) {
        let cell = m.cell(&measured);
        assert_eq!(
            cell.dtype(),
            d.dtype,
            "sweep metrics: {} = {cell:?}",
            m.name
        );
    }
    let run = Run {
        index: 3,
        point: 1,
        replicate: 1,
        seed: 7,
    };
    check("sweep runs", &sweep_run(), [run].into_iter());
}

/// The generated part of docs/scenario.md: a table of every file's columns.
fn docs_tables() -> String {
    let mut out = String::from(DOCS_BEGIN);
    out.push('\n');
    for (file, entries) in tables() {
        out.push_str(&format!(
            "\n#### `{file}`\n\n| column | type | meaning |\n| --- | --- | --- |\n"
        ));
        for e in entries {
            out.push_str(&match e {
                Entry::Column(c) => format!(
                    "| `{}` | {} | {} |\n",
                    c.name,
                    c.dtype.name(),
                    c.meaning.replace('|', "\\|")
                ),
                Entry::Swept => "| *one per swept field* | see above | the field's value at the point, named by its path (`swept.PATH` where the file has a column PATH already: `swept.customers` in the time series) |\n".into(),
            });
        }
    }
    out.push('\n');
    out.push_str(DOCS_END);
    out
}

/// tests/python/schema.json: every file's columns with their types, for the test
/// that loads the files in pandas, Polars and DuckDB.
fn schema_json() -> String {
    let files: serde_json::Map<String, serde_json::Value> = tables()
        .into_iter()
        .map(|(file, entries)| {
            let columns = entries
                .into_iter()
                .map(|e| match e {
                    Entry::Column(c) => {
                        serde_json::json!({"name": c.name, "dtype": c.dtype.name()})
                    }
                    Entry::Swept => serde_json::json!({"swept": true}),
                })
                .collect();
            (file.to_string(), serde_json::Value::Array(columns))
        })
        .collect();
    let schema = serde_json::json!({
        "about": "The columns of every CSV file loyalsim writes, with their types. \
                  Written from src/report/columns/ by \
                  `LOYALSIM_WRITE_SCHEMA=1 cargo test --lib columns`; do not edit.",
        "files": files,
    });
    serde_json::to_string_pretty(&schema).unwrap() + "\n"
}

const DOCS_BEGIN: &str = "<!-- columns:begin: written from src/report/columns/ by \
                          `LOYALSIM_WRITE_SCHEMA=1 cargo test --lib columns` -->";
const DOCS_END: &str = "<!-- columns:end -->";

/// The docs' column tables and the schema the Python test reads are the
/// declarations here; `LOYALSIM_WRITE_SCHEMA=1` rewrites them after a change.
#[test]
fn docs_and_schema_follow_the_declarations() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let write = std::env::var_os("LOYALSIM_WRITE_SCHEMA").is_some();
    let again = "run `LOYALSIM_WRITE_SCHEMA=1 cargo test --lib columns` to rewrite it";
    let docs_path = root.join("docs/scenario.md");
    let docs = std::fs::read_to_string(&docs_path).unwrap();
    let (begin, end) = (
        docs.find(DOCS_BEGIN)
            .expect("docs/scenario.md has the columns section"),
        docs.find(DOCS_END)
            .expect("docs/scenario.md has the columns section's end"),
    );
    let fresh = format!(
        "{}{}{}",
        &docs[..begin],
        docs_tables(),
        &docs[end + DOCS_END.len()..]
    );
    let schema_path = root.join("tests/python/schema.json");
    let schema = std::fs::read_to_string(&schema_path).unwrap_or_default();
    if write {
        std::fs::write(&docs_path, &fresh).unwrap();
        std::fs::write(&schema_path, schema_json()).unwrap();
    } else {
        assert!(
            docs == fresh,
            "docs/scenario.md's column tables are stale: {again}"
        );
        assert!(
            schema == schema_json(),
            "tests/python/schema.json is stale: {again}"
        );
    }
}

#[test]
fn csv_float_is_the_number_the_csv_text_reads_back_as() {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut values = vec![
        0.0,
        -0.0,
        -1e-12,
        5e-10,
        -5e-10,
        0.1 + 0.2,
        999_999.999_999_999_5,
        1e15,
        -3.5e17,
        1e300,
        -1e300,
        f64::MAX,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    for _ in 0..300_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mantissa = (state >> 11) as f64 / (1u64 << 53) as f64;
        let exponent = (state % 41) as i32 - 15;
        let sign = if state & 1 << 10 != 0 { -1.0 } else { 1.0 };
        values.push(sign * mantissa * 10f64.powi(exponent));
    }
    for x in values {
        let text = Cell::Float(Some(x)).to_csv();
        let read: f64 = text.parse().unwrap();
        assert_eq!(csv_float(x).to_bits(), read.to_bits(), "{x:e} → {text}");
    }
    assert!(csv_float(f64::NAN).is_nan());
    assert_eq!(
        Cell::Float(Some(f64::NAN)).to_csv(),
        "",
        "NaN is written as missing"
    );
}
