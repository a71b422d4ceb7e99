//! `summary.json`: the run's headline numbers, its speed, and the resolved scenario.
//! Undefined numbers are `null`; an infinite R is the string `"inf"`.

use super::Exporter;
use crate::model::CustomerType;
use crate::report::RunReport;
use serde_json::{Map, Value, json};
use std::io::{self, Write};

pub struct Summary;

fn number(x: Option<f64>) -> Value {
    match x {
        Some(v) if v.is_infinite() && v > 0.0 => json!("inf"),
        Some(v) if v.is_finite() => json!(v),
        _ => Value::Null,
    }
}

/// The summary as a JSON value.
pub fn summary(report: &RunReport) -> Value {
    let h = report.headline();
    let s = report.scenario;
    let mut types = Map::new();
    for t in CustomerType::ALL {
        types.insert(t.plural().into(), json!(h.types[t as usize]));
    }
    let last = report.results.periods.last();
    let mut final_customers = Map::new();
    if let Some(p) = last {
        for (f, tally) in s.firms.iter().zip(&p.firms) {
            final_customers.insert(
                f.name.clone(),
                json!(tally.customers + tally.acquisitions - tally.defections),
            );
        }
    }
    json!({
        "name": s.name,
        "seed": s.seed,
        "periods": s.periods,
        "customers": s.customers,
        "customer_steps": report.results.customer_steps,
        "elapsed_s": report.elapsed.as_secs_f64(),
        "steps_per_s": report.steps_per_s(),
        "threads": report.threads,
        "decisions": h.decisions,
        "defections": h.defections,
        "retention": number(h.retention),
        "correlation_cs_staying": number(h.correlation_cs_staying),
        "satisfied_defector_share": number(h.satisfied_defector_share),
        "hostage_share": number(h.hostage_share),
        "mean_r_eff": number(h.mean_r_eff),
        "types": types,
        "final_customers": final_customers,
        "scenario": serde_json::to_value(s).expect("scenarios serialise"),
    })
}

impl Exporter for Summary {
    fn file_name(&self) -> &'static str {
        "summary.json"
    }
    fn write(&self, report: &RunReport, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &summary(report))?;
        writeln!(out)
    }
}
