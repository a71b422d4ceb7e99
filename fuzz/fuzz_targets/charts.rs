//! The charts of a run with arbitrary names, titles, events and sizes: every chart is
//! drawn (PNG or SVG) without a panic, however long or many the labels.
//!
//! The input chooses a small market (1 to 6 firms with names of up to 100 characters,
//! up to 10 events of any kind with any valid value (0, 1e-308, 1e12, …), 2 to 12 periods), a chart size
//! and a title; the run is simulated, written and drawn as `loyalsim run` does.
#![no_main]

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use loyalsim::Simulation;
use loyalsim::report::RunReport;
use loyalsim::report::atomic::Target;
use loyalsim::report::chart::{self, ChartOptions};
use loyalsim::scenario::{FIRM_FIELDS, Scenario};
use std::time::Duration;
use toml::{Table, Value};

/// A firm name: short, arbitrary, or long (a few input bytes give up to 100 wide
/// characters, so the fuzzer meets long labels often).
fn name(u: &mut Unstructured, i: usize) -> Result<String> {
    let s: String = match u.int_in_range(0..=2)? {
        0 => format!("F{i}"),
        1 => {
            let c = *u.choose(&['W', 'i', 'é', '字', ' ', 'm'])?;
            let len = u.int_in_range(1..=100usize)?;
            format!("{i}{}", std::iter::repeat_n(c, len - 1).collect::<String>())
        }
        _ => u.arbitrary()?,
    };
    let s: String = s.chars().filter(|c| !c.is_control()).take(100).collect();
    Ok(if s.trim().is_empty() { format!("F{i}") } else { s })
}

fn number(u: &mut Unstructured) -> Result<f64> {
    Ok(match u.int_in_range(0..=5)? {
        0 => 0.0,
        1 => 1e-308,
        2 => 1e12,
        3 => u.int_in_range(0..=1000)? as f64 / 1000.0,
        _ => {
            let x: f64 = u.arbitrary()?;
            if x.is_finite() { x.abs() } else { 0.5 }
        }
    })
}

fn market(u: &mut Unstructured) -> Result<(Table, ChartOptions)> {
    let periods = u.int_in_range(2..=12u32)?;
    let n_firms = u.int_in_range(1..=6usize)?;
    let mut names: Vec<String> = Vec::new();
    for i in 0..n_firms {
        let n = name(u, i)?;
        names.push(if names.contains(&n) { format!("F{i}") } else { n });
    }
    let firms: Vec<Value> = names
        .iter()
        .map(|n| Value::Table(Table::from_iter([("name".to_string(), Value::String(n.clone()))])))
        .collect();
    let mut events = Vec::new();
    for _ in 0..u.int_in_range(0..=10)? {
        let period = u.int_in_range(1..=periods - 1)? as i64;
        let firm = Value::String(u.choose(&names)?.clone());
        let mut e = Table::new();
        e.insert("period".into(), Value::Integer(period));
        match u.int_in_range(0..=2)? {
            0 => {
                e.insert("kind".into(), Value::String("exit".into()));
                e.insert("firm".into(), firm);
            }
            1 => {
                e.insert("kind".into(), Value::String("firm".into()));
                e.insert("firm".into(), firm);
                let field = *u.choose(&FIRM_FIELDS)?;
                e.insert("field".into(), Value::String(field.into()));
                let v = number(u)?;
                let v = if field.ends_with("rate") { v.min(1.0) } else { v };
                e.insert("value".into(), Value::Float(v));
            }
            _ => {
                e.insert("kind".into(), Value::String("failure_wave".into()));
                e.insert("failure_rate".into(), Value::Float(number(u)?.min(1.0)));
                e.insert("duration".into(), Value::Integer(u.int_in_range(1..=5)?));
            }
        }
        events.push(Value::Table(e));
    }
    let mut t = Table::new();
    t.insert("name".into(), Value::String("fuzz".into()));
    t.insert("customers".into(), Value::Integer(80));
    t.insert("periods".into(), Value::Integer(periods as i64));
    t.insert("firms".into(), Value::Array(firms));
    t.insert("events".into(), Value::Array(events));
    let size = format!(
        "{}x{}",
        u.int_in_range(400..=1200u32)?,
        u.int_in_range(300..=900u32)?
    );
    let options = ChartOptions {
        size: size.parse().expect("a size in range"),
        format: if u.arbitrary()? { "png" } else { "svg" }.parse().expect("a format"),
        title: if u.arbitrary()? { Some(u.arbitrary()?) } else { None },
        ..ChartOptions::default()
    };
    Ok((t, options))
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok((table, options)) = market(&mut u) else {
        return;
    };
    // Events a valid scenario cannot have (two exits of one firm, the last firm gone)
    // are refused by validation: not this target's concern.
    let Ok(scenario) = Scenario::from_table(table, "fuzz", &[]) else {
        return;
    };
    let results = Simulation::new(&scenario).run(scenario.periods);
    let report = RunReport {
        scenario: &scenario,
        results: &results,
        elapsed: Duration::ZERO,
        threads: 1,
        warnings: &[],
    };
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = dir.path().join("run");
    let target = Target::claim(&out).expect("a fresh folder to write");
    report.write(&target).expect("the run's files are written");
    if let Err(e) = chart::draw_run(&out, &out, &options) {
        panic!("the charts of a valid run are not drawn: {e}");
    }
});
