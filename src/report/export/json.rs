//! `summary.json`: the run's headline numbers, its speed, and the resolved scenario;
//! and how every JSON file of loyalsim (this one, a calibration's `fit.json`) writes
//! numbers that may be undefined or infinite.
//!
//! JSON has no infinity, and a number written as the string `"inf"` in one run and as
//! a number in the next gives a reader a field of two types. So a number is always a
//! JSON number or `null`: `null` where it is undefined (0/0: no decisions, no
//! variance), and, for the few fields that can be infinite (an effective R where no one
//! could leave, a lifetime value that never discounts), `null` too with a sibling
//! boolean `KEY_infinite` present in every run, true when the value is infinite. A
//! reader gets a float column with missing values and a bool column, whatever the run.

use super::Exporter;
use crate::model::CustomerType;
use crate::report::RunReport;
use crate::report::metrics::{self, Measured};
use serde_json::{Map, Value, json};
use std::io::{self, Write};

pub struct Summary;

/// A number of a field that cannot be infinite: the number, or `null` where it is
/// undefined (`None`, NaN). A field that can be infinite goes through [`unbounded`].
pub fn number(x: Option<f64>) -> Value {
    match x {
        Some(v) if v.is_finite() => json!(v),
        Some(v) => {
            debug_assert!(v.is_nan(), "an infinite number outside `unbounded`");
            Value::Null
        }
        None => Value::Null,
    }
}

/// Sets `key` of `object` to a number that may be infinite: the number when finite,
/// else `null`; and `KEY_infinite` to whether it is infinite (either sign).
pub fn unbounded(object: &mut Map<String, Value>, key: &str, x: Option<f64>) {
    let infinite = x.is_some_and(f64::is_infinite);
    object.insert(key.to_string(), number(x.filter(|v| !v.is_infinite())));
    object.insert(format!("{key}_infinite"), Value::Bool(infinite));
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
    let i = s.economics.discount_rate;
    let measured = Measured::of(report);
    let totals = report.firm_totals();
    let mut firms = Map::new();
    for (j, (f, t)) in s.firms.iter().zip(&totals).enumerate() {
        let retention = t.retention();
        let cohort = report
            .results
            .initial_customers
            .get(j)
            .copied()
            .unwrap_or(0);
        let cohort_retention =
            (t.cohort_decisions > 0).then(|| t.cohort_stays as f64 / t.cohort_decisions as f64);
        let closed = |r: f64| f.margin * r / (1.0 + i - r);
        let mut entry = json!({
            "decisions": t.customers,
            "gross_adds": t.acquisitions,
            "churn": t.defections,
            "revenue": t.revenue,
            "margin": t.margin,
            "acquisition_spend": t.acquisition_spend,
            "retention_spend": t.retention_spend,
            "profit": t.profit(),
            "complaints": t.complaints,
            "wom_positive": t.wom_positive,
            "wom_negative": t.wom_negative,
            "initial_customers": cohort,
            "cohort_retention": number(cohort_retention),
        });
        let e = entry.as_object_mut().expect("an object");
        // Infinite without discounting (discount_rate 0) when every customer stays.
        unbounded(e, "clv_closed_form", retention.map(closed));
        unbounded(
            e,
            "clv_closed_form_at_cohort_retention",
            cohort_retention.map(closed),
        );
        for m in metrics::firm() {
            metrics::insert_json(e, m.name, m.unit, (m.value)(&measured, j));
        }
        firms.insert(f.name.clone(), entry);
    }
    let complaints: Vec<Value> = report
        .complaint_rows()
        .map(|r| {
            json!({
                "group": r.group,
                "episodes": r.episodes,
                "stayed": r.stayed,
                "retention": number((r.episodes > 0).then(|| r.stayed as f64 / r.episodes as f64)),
            })
        })
        .collect();
    let pred = &report.results.survey_prediction;
    let survey = json!({
        "followed_respondents": pred.association.n as u64,
        "correlation_reported_staying": number(pred.association.correlation()),
        "later_defectors": pred.later_defectors,
        "later_defectors_reported_satisfied_share": number(
            (pred.later_defectors > 0)
                .then(|| pred.later_defectors_satisfied as f64 / pred.later_defectors as f64)
        ),
    });
    let events: Vec<Value> = report
        .results
        .periods
        .iter()
        .flat_map(|p| {
            p.events
                .iter()
                .map(move |e| json!({"period": p.period, "event": e}))
        })
        .collect();
    let mut out = json!({
        "name": s.name,
        "seed": s.seed,
        "periods": s.periods,
        "customers": s.customers,
        "customer_steps": report.results.customer_steps,
        "elapsed_s": report.elapsed.as_secs_f64(),
        "steps_per_s": report.steps_per_s(),
        "threads": report.threads,
        "types": types,
        "final_customers": final_customers,
        "firms": firms,
        "complaints": complaints,
        "survey": survey,
        "events": events,
        "network_edges": report.results.network_edges,
        "warnings": report.warnings,
        "scenario": serde_json::to_value(s.to_shown_table()).expect("scenarios serialise"),
    });
    // The market metrics, each under its name (src/report/metrics.rs).
    let obj = out.as_object_mut().expect("an object");
    for m in metrics::run() {
        metrics::insert_json(obj, m.name, m.unit, (m.value)(&measured));
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A number keeps its JSON type whatever its value: a number or null, and the flag
    /// of a number that can be infinite is there when it is finite too.
    #[test]
    fn numbers_are_numbers_or_null_with_a_flag_for_infinity() {
        assert_eq!(number(Some(1.0)).to_string(), "1.0");
        assert_eq!(number(Some(0.25)), json!(0.25));
        assert_eq!(number(None), Value::Null);
        assert_eq!(number(Some(f64::NAN)), Value::Null);
        let mut o = Map::new();
        unbounded(&mut o, "r", Some(f64::INFINITY));
        unbounded(&mut o, "s", Some(0.0));
        unbounded(&mut o, "t", None);
        unbounded(&mut o, "u", Some(f64::NEG_INFINITY));
        assert_eq!(
            Value::Object(o),
            json!({
                "r": null, "r_infinite": true,
                "s": 0.0, "s_infinite": false,
                "t": null, "t_infinite": false,
                "u": null, "u_infinite": true,
            })
        );
    }
}
