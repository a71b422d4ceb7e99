//! Reports: turning a finished run into files. Reports never simulate.
//!
//! [`RunReport`] gathers what a run produced with the scenario that produced it and the
//! rows of every table; the exporters in [`export`] each write one file from it;
//! [`atomic`] makes sure a results folder appears whole or not at all, and [`lock`] that
//! one command at a time writes it.

pub mod atomic;
pub mod chart;
pub mod columns;
pub mod export;
pub mod frame;
pub mod lock;
pub mod manifest;
pub mod metrics;

use crate::engine::RunResults;
use crate::model::CustomerType;
use crate::model::Voice;
use crate::scenario::Scenario;
use atomic::Target;
use columns::{ComplaintRow, CurveRow, PeriodCurveRow, SurveyRow, TimeseriesRow};
use std::path::Path;
use std::time::Duration;

/// A finished run, ready to be written.
pub struct RunReport<'a> {
    pub scenario: &'a Scenario,
    pub results: &'a RunResults,
    pub elapsed: Duration,
    pub threads: usize,
    /// What the user was warned of (shares normalised, settings that change nothing):
    /// kept in summary.json beside the numbers they concern.
    pub warnings: &'a [String],
}

/// Headline numbers of a run, as they go into `summary.json` and the console.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    /// Customer decisions (customer-periods at a firm).
    pub decisions: u64,
    pub defections: u64,
    /// 1 − defections / decisions.
    pub retention: Option<f64>,
    /// Pearson (point-biserial) correlation of CS with staying, over every decision.
    pub correlation_cs_staying: Option<f64>,
    /// Share of defections made by satisfied customers (mercenaries).
    pub satisfied_defector_share: Option<f64>,
    /// Share of decisions in which the customer was held as a hostage.
    pub hostage_share: Option<f64>,
    /// Counts of each type over the run, in [`CustomerType::ALL`] order.
    pub types: [u64; 6],
    /// Effective R over the run.
    pub mean_r_eff: Option<f64>,
}

impl RunReport<'_> {
    pub fn timeseries_rows(&self) -> impl Iterator<Item = TimeseriesRow> + '_ {
        self.results.periods.iter().flat_map(move |p| {
            let market: u64 = p.firms.iter().map(|f| f.customers).sum();
            let events = p.events.join("; ");
            p.firms
                .iter()
                .zip(&self.scenario.firms)
                .zip(&p.present)
                .map(move |((tally, firm), &present)| TimeseriesRow {
                    period: p.period,
                    firm: firm.name.clone(),
                    market_customers: market,
                    prospects: p.prospects,
                    tally: tally.clone(),
                    present,
                    events: events.clone(),
                })
        })
    }

    pub fn survey_rows(&self) -> impl Iterator<Item = SurveyRow> + '_ {
        self.results.periods.iter().flat_map(move |p| {
            p.survey.iter().flat_map(move |per_firm| {
                per_firm
                    .iter()
                    .zip(&self.scenario.firms)
                    .map(move |(tally, firm)| SurveyRow {
                        period: p.period,
                        firm: firm.name.clone(),
                        tally: *tally,
                    })
            })
        })
    }

    pub fn complaint_rows(&self) -> impl Iterator<Item = ComplaintRow> + '_ {
        Voice::TABLE.iter().map(|g| {
            let (episodes, stayed) = self.results.complaints[*g as usize];
            ComplaintRow {
                group: g.name(),
                episodes,
                stayed,
            }
        })
    }

    /// Each firm's tallies added over the whole run.
    pub fn firm_totals(&self) -> Vec<crate::engine::tally::FirmTally> {
        let mut totals =
            vec![crate::engine::tally::FirmTally::default(); self.scenario.firms.len()];
        for p in &self.results.periods {
            for (t, f) in totals.iter_mut().zip(&p.firms) {
                t.add(f);
            }
        }
        totals
    }

    pub fn curve_rows(&self) -> impl Iterator<Item = CurveRow> + '_ {
        self.results
            .curve
            .iter()
            .enumerate()
            .map(|(index, bin)| CurveRow {
                bins: self.results.bins,
                index,
                bin: bin.clone(),
            })
    }

    /// The rows of `curve_by_period.csv`: each period's bins with observations, firm
    /// by firm.
    pub fn curve_by_period_rows(&self) -> impl Iterator<Item = PeriodCurveRow> + '_ {
        let bins = self.results.bins;
        self.results.periods.iter().flat_map(move |p| {
            p.curve.iter().map(move |bin| PeriodCurveRow {
                period: p.period,
                firm: self.scenario.firms[bin.firm as usize].name.clone(),
                bins,
                bin: *bin,
            })
        })
    }

    pub fn headline(&self) -> Headline {
        let mut total = crate::engine::tally::FirmTally::default();
        for p in &self.results.periods {
            for f in &p.firms {
                total.add(f);
            }
        }
        let share = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
        Headline {
            decisions: total.customers,
            defections: total.defections,
            retention: total.retention(),
            correlation_cs_staying: self.results.association.correlation(),
            satisfied_defector_share: share(total.count(CustomerType::Mercenary), total.defections),
            hostage_share: share(total.count(CustomerType::Hostage), total.customers),
            types: total.types,
            mean_r_eff: total.mean_r_eff(),
        }
    }

    pub fn steps_per_s(&self) -> f64 {
        self.results.customer_steps as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Writes every file of a run into the claimed folder, atomically.
    pub fn write(&self, target: &Target) -> std::io::Result<Vec<&'static str>> {
        self.write_then(target, |_| Ok(()))
    }

    /// Writes every file of a run into `dir`, atomically, calling `then` on the
    /// temporary folder once the exporters are done and before it is renamed into place:
    /// charts are drawn there from the files just written, so they are part of the
    /// whole that appears at once.
    pub fn write_then(
        &self,
        target: &Target,
        then: impl FnOnce(&Path) -> std::io::Result<()>,
    ) -> std::io::Result<Vec<&'static str>> {
        let exporters = export::run_exporters();
        atomic::write_dir(target, |tmp| {
            for e in &exporters {
                let file = std::fs::File::create(tmp.join(e.file_name()))?;
                let mut w = std::io::BufWriter::new(file);
                e.write(self, &mut w)?;
                std::io::Write::flush(&mut w)?;
            }
            then(tmp)
        })?;
        Ok(exporters.iter().map(|e| e.file_name()).collect())
    }
}
