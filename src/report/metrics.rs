//! The metrics of a run, declared once, as data.
//!
//! A metric is one number a run yields (retention, the correlation of CS with staying,
//! the hostage share, profit, …) with its meaning, its unit, how it is computed and how
//! it is aggregated over the replications of a sweep point. `summary.json`, `sweep.csv`,
//! `sweep_summary.csv`, the sweep's Markdown table, calibration targets, `plot --metric`
//! and the docs all walk these lists, as `columns.rs` does for the tables' columns, so
//! a metric is added in one place and spelled the same everywhere.
//!
//! Market metrics ([`run`]) are one value per run; firm metrics ([`firm`]) one value per
//! firm and run (`sweep_firms.csv`, `summary.json`'s `firms`).

use super::RunReport;
use crate::engine::tally::FirmTally;
use crate::model::loyalty::Zones;

/// How a metric's values over the replications of a sweep point are summarised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    /// Mean, standard deviation and 95% t-interval of the replications' values
    /// (missing values left out).
    Mean,
}

/// A market metric: one number per run.
pub struct Metric {
    pub name: &'static str,
    /// What it says, in a reader's words (chart axes and legends use [`Metric::label`]).
    pub meaning: &'static str,
    /// Short axis label.
    pub label: &'static str,
    pub unit: Unit,
    /// How it is computed, for the docs.
    pub computed: &'static str,
    pub aggregate: Aggregate,
    /// `None` where it is undefined (no decisions, no defections, …).
    pub value: fn(&Measured) -> Option<f64>,
}

/// A firm metric: one number per firm and run.
pub struct FirmMetric {
    pub name: &'static str,
    pub meaning: &'static str,
    pub label: &'static str,
    pub unit: Unit,
    pub computed: &'static str,
    pub aggregate: Aggregate,
    pub value: fn(&Measured, usize) -> Option<f64>,
}

/// What a metric's numbers are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A share from 0 to 1 (charts show it in percent).
    Share,
    /// A whole number of customers or decisions.
    Count,
    /// A correlation from −1 to 1.
    Correlation,
    /// The restraining factor R (0 to ∞).
    Constraint,
    /// Cumulative satisfaction, 1 to 5.
    Satisfaction,
    /// Money: margins and spends in the scenario's units.
    Money,
}

impl Unit {
    pub fn name(self) -> &'static str {
        match self {
            Unit::Share => "share (0 to 1)",
            Unit::Count => "count",
            Unit::Correlation => "correlation (−1 to 1)",
            Unit::Constraint => "R (0 to ∞)",
            Unit::Satisfaction => "CS (1 to 5)",
            Unit::Money => "money (the scenario's units)",
        }
    }
}

/// A run's tallies, added up once for every metric to read.
pub struct Measured<'a> {
    pub report: &'a RunReport<'a>,
    /// Every firm's tallies over the run.
    pub firms: Vec<FirmTally>,
    /// The market's tallies over the run.
    pub total: FirmTally,
    /// Observations and stays per zone of satisfaction (defection, indifference,
    /// affection), from the retention curve's bins.
    pub zones: [(u64, u64); 3],
}

impl<'a> Measured<'a> {
    pub fn of(report: &'a RunReport<'a>) -> Measured<'a> {
        let firms = report.firm_totals();
        let mut total = FirmTally::default();
        for f in &firms {
            total.add(f);
        }
        let zones = Zones::of(&report.scenario.loyalty);
        let mut by_zone = [(0, 0); 3];
        for row in report.curve_rows() {
            let (_, centre, _) = row.bins.bounds(row.index);
            let z = zones.index(centre);
            by_zone[z].0 += row.bin.observations;
            by_zone[z].1 += row.bin.stayed;
        }
        Measured {
            report,
            firms,
            total,
            zones: by_zone,
        }
    }

    fn share(a: u64, b: u64) -> Option<f64> {
        (b > 0).then(|| a as f64 / b as f64)
    }

    fn zone_retention(&self, z: usize) -> Option<f64> {
        Measured::share(self.zones[z].1, self.zones[z].0)
    }

    /// Customers of firm `j` after the last period.
    pub fn final_customers(&self, j: usize) -> Option<u64> {
        let p = self.report.results.periods.last()?;
        let t = &p.firms[j];
        Some(t.customers + t.acquisitions - t.defections)
    }

    fn final_share(&self, j: usize) -> Option<f64> {
        let p = self.report.results.periods.last()?;
        let all: u64 = (0..p.firms.len())
            .filter_map(|k| self.final_customers(k))
            .sum();
        Measured::share(self.final_customers(j)?, all)
    }

    /// Simulated lifetime value of firm `j`'s initial customers, per customer.
    fn clv(&self, j: usize) -> Option<f64> {
        let cohort = *self.report.results.initial_customers.get(j)?;
        (cohort > 0).then(|| self.firms[j].cohort_value / cohort as f64)
    }
}

/// The market metrics, in `sweep.csv` order.
pub fn run() -> &'static [Metric] {
    use crate::model::CustomerType::{Hostage, Mercenary};
    const RUN: &[Metric] = &[
        Metric {
            name: "decisions",
            meaning: "customer decisions: customer-periods at a firm",
            label: "decisions",
            unit: Unit::Count,
            computed: "sum over periods and firms of the customers at the start of the period",
            aggregate: Aggregate::Mean,
            value: |m| Some(m.total.customers as f64),
        },
        Metric {
            name: "defections",
            meaning: "customers who left a firm",
            label: "defections",
            unit: Unit::Count,
            computed: "sum over periods and firms of the leavers",
            aggregate: Aggregate::Mean,
            value: |m| Some(m.total.defections as f64),
        },
        Metric {
            name: "retention",
            meaning: "retention per period: the share of decisions that stayed",
            label: "retention per period",
            unit: Unit::Share,
            computed: "1 − defections / decisions",
            aggregate: Aggregate::Mean,
            value: |m| m.total.retention(),
        },
        Metric {
            name: "correlation_cs_staying",
            meaning: "how much satisfaction says about staying",
            label: "corr(CS, staying)",
            unit: Unit::Correlation,
            computed: "Pearson (point-biserial) correlation of CS with staying, over every decision",
            aggregate: Aggregate::Mean,
            value: |m| m.report.results.association.correlation(),
        },
        Metric {
            name: "satisfied_defector_share",
            meaning: "share of defections made by satisfied customers (mercenaries)",
            label: "satisfied defectors",
            unit: Unit::Share,
            computed: "mercenaries / defections",
            aggregate: Aggregate::Mean,
            value: |m| Measured::share(m.total.count(Mercenary), m.total.defections),
        },
        Metric {
            name: "hostage_share",
            meaning: "share of decisions in which a customer who wanted to leave was held",
            label: "hostages",
            unit: Unit::Share,
            computed: "hostages / decisions",
            aggregate: Aggregate::Mean,
            value: |m| Measured::share(m.total.count(Hostage), m.total.customers),
        },
        Metric {
            name: "mean_r_eff",
            meaning: "the constraint customers met, as the R it implies",
            label: "effective R",
            unit: Unit::Constraint,
            computed: "−ln(mean pass-through), the pass-through P(defect) / (1 − f(CS)) of every decision with f < 1",
            aggregate: Aggregate::Mean,
            value: |m| m.total.mean_r_eff(),
        },
        Metric {
            name: "mean_cs",
            meaning: "mean cumulative satisfaction of the decisions",
            label: "mean CS",
            unit: Unit::Satisfaction,
            computed: "sum of CS / decisions",
            aggregate: Aggregate::Mean,
            value: |m| m.total.mean_cs(),
        },
        Metric {
            name: "retention_defection_zone",
            meaning: "retention per period of decisions in the zone of defection",
            label: "retention, zone of defection",
            unit: Unit::Share,
            computed: "stayed / observations over the curve bins centred below the zone of indifference",
            aggregate: Aggregate::Mean,
            value: |m| m.zone_retention(0),
        },
        Metric {
            name: "retention_indifference_zone",
            meaning: "retention per period of decisions in the zone of indifference",
            label: "retention, zone of indifference",
            unit: Unit::Share,
            computed: "stayed / observations over the curve bins centred in the zone of indifference",
            aggregate: Aggregate::Mean,
            value: |m| m.zone_retention(1),
        },
        Metric {
            name: "retention_affection_zone",
            meaning: "retention per period of decisions in the zone of affection",
            label: "retention, zone of affection",
            unit: Unit::Share,
            computed: "stayed / observations over the curve bins centred in the zone of affection",
            aggregate: Aggregate::Mean,
            value: |m| m.zone_retention(2),
        },
        Metric {
            name: "net_adds",
            meaning: "customers gained minus customers lost, all firms",
            label: "net adds",
            unit: Unit::Count,
            computed: "acquisitions − defections, summed over periods and firms",
            aggregate: Aggregate::Mean,
            value: |m| Some(m.total.acquisitions as f64 - m.total.defections as f64),
        },
        Metric {
            name: "profit",
            meaning: "profit of all firms over the run",
            label: "profit",
            unit: Unit::Money,
            computed: "margin − acquisition spend − retention spend, summed over periods and firms",
            aggregate: Aggregate::Mean,
            value: |m| Some(m.total.profit()),
        },
    ];
    RUN
}

/// The firm metrics, in `sweep_firms.csv` order.
pub fn firm() -> &'static [FirmMetric] {
    const FIRM: &[FirmMetric] = &[
        FirmMetric {
            name: "retention",
            meaning: "the firm's retention per period",
            label: "retention per period",
            unit: Unit::Share,
            computed: "1 − the firm's defections / its decisions",
            aggregate: Aggregate::Mean,
            value: |m, j| m.firms[j].retention(),
        },
        FirmMetric {
            name: "final_share",
            meaning: "the firm's share of all firms' customers after the last period",
            label: "final share",
            unit: Unit::Share,
            computed: "customers after the last period / all firms' customers then",
            aggregate: Aggregate::Mean,
            value: |m, j| m.final_share(j),
        },
        FirmMetric {
            name: "net_adds",
            meaning: "customers the firm gained minus those it lost",
            label: "net adds",
            unit: Unit::Count,
            computed: "acquisitions − defections, summed over periods",
            aggregate: Aggregate::Mean,
            value: |m, j| Some(m.firms[j].acquisitions as f64 - m.firms[j].defections as f64),
        },
        FirmMetric {
            name: "profit",
            meaning: "the firm's profit over the run",
            label: "profit",
            unit: Unit::Money,
            computed: "margin − acquisition spend − retention spend, summed over periods",
            aggregate: Aggregate::Mean,
            value: |m, j| Some(m.firms[j].profit()),
        },
        FirmMetric {
            name: "clv_simulated",
            meaning: "simulated lifetime value of the firm's initial customers, per customer",
            label: "customer lifetime value",
            unit: Unit::Money,
            computed: "discounted margins of the customers the firm had at period 0 / their number",
            aggregate: Aggregate::Mean,
            value: |m, j| m.clv(j),
        },
    ];
    FIRM
}

impl Metric {
    /// The value as a cell of `sweep.csv`: counts as integers, the rest as floats.
    pub fn cell(&self, m: &Measured) -> super::columns::Cell {
        cell(self.unit, (self.value)(m))
    }
}

impl FirmMetric {
    /// The value for firm `j` as a cell: counts as integers, the rest as floats.
    pub fn cell(&self, m: &Measured, j: usize) -> super::columns::Cell {
        cell(self.unit, (self.value)(m, j))
    }
}

fn cell(unit: Unit, v: Option<f64>) -> super::columns::Cell {
    use super::columns::Cell;
    match (unit, v) {
        (Unit::Count, Some(x)) => Cell::Signed(x as i64),
        (_, v) => Cell::Float(v),
    }
}

/// Sets `name` of a JSON object to a metric's value: counts as integers, other numbers
/// as numbers, `null` when undefined; a metric that can be infinite (an effective R)
/// as `null` with `NAME_infinite` beside it (see report/export/json.rs).
pub fn insert_json(
    object: &mut serde_json::Map<String, serde_json::Value>,
    name: &str,
    unit: Unit,
    v: Option<f64>,
) {
    use super::export::json::{number, unbounded};
    match (unit, v) {
        (Unit::Count, Some(x)) => {
            object.insert(name.into(), serde_json::json!(x as i64));
        }
        (Unit::Constraint, v) => unbounded(object, name, v),
        (_, v) => {
            object.insert(name.into(), number(v));
        }
    }
}

/// The market metric called `name`.
pub fn find(name: &str) -> Option<&'static Metric> {
    run().iter().find(|m| m.name == name)
}

/// Every market metric's name, for messages ("expected one of …").
pub fn names() -> String {
    run().iter().map(|m| m.name).collect::<Vec<_>>().join(", ")
}

/// The metric tables as Markdown, as docs/metrics.md shows them (a test keeps the page
/// equal to this).
pub fn markdown() -> String {
    let mut out =
        String::from("| metric | meaning | unit | computed as |\n| --- | --- | --- | --- |\n");
    for m in run() {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            m.name,
            m.meaning,
            m.unit.name(),
            m.computed
        ));
    }
    out.push_str("\nPer firm (`summary.json`'s `firms`; `sweep_firms.csv`):\n\n");
    out.push_str("| metric | meaning | unit | computed as |\n| --- | --- | --- | --- |\n");
    for m in firm() {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            m.name,
            m.meaning,
            m.unit.name(),
            m.computed
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_docs_page_shows_the_tables() {
        let page = include_str!("../../docs/metrics.md");
        let start = "<!-- metrics:start -->\n";
        let end = "<!-- metrics:end -->";
        let a = page.find(start).expect("the start marker") + start.len();
        let b = page.find(end).expect("the end marker");
        if std::env::var_os("LOYALSIM_BLESS").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/metrics.md");
            let text = format!("{}{}{}", &page[..a], markdown(), &page[b..]);
            std::fs::write(path, text).expect("docs/metrics.md written");
            return;
        }
        assert_eq!(
            &page[a..b],
            markdown(),
            "docs/metrics.md is out of date: run `LOYALSIM_BLESS=1 cargo test --lib metrics`"
        );
    }

    #[test]
    fn names_are_unique_snake_case_and_documented() {
        let mut seen = std::collections::BTreeSet::new();
        let all = run()
            .iter()
            .map(|m| (m.name, m.meaning, m.computed))
            .chain(firm().iter().map(|m| (m.name, m.meaning, m.computed)));
        for (name, meaning, computed) in run().iter().map(|m| (m.name, m.meaning, m.computed)) {
            assert!(seen.insert(name), "{name} twice");
            assert!(!meaning.is_empty() && !computed.is_empty());
        }
        for (name, _, _) in all {
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{name}"
            );
        }
    }
}
