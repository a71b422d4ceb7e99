//! The customer model of MODEL.md: its equations, and a scenario compiled for them.
//!
//! [`Model`] is a validated [`Scenario`] compiled into the numbers the step needs
//! (delivered value per segment and firm, choice tables, the loyalty curve); the
//! submodules hold the equations as pure functions of plain numbers (satisfaction,
//! f(CS), R, the type, voice, the choice). It does no I/O and owns no customers: the
//! engine keeps the population in flat arrays and strings these equations together
//! into the one customer step (engine/kernel/), a block of customers at a time.
//! Keeping the equations free of generators, arrays and the network is what lets tests
//! check each one on its own. Events rebuild the model: it is cheap to compile.

pub mod choice;
pub mod constraint;
pub mod loyalty;
pub mod satisfaction;
pub mod survey;
pub mod types;
pub mod voice;

use crate::scenario::{
    Aggregate, Combine, Complaints, ConstraintForm, Event, Scenario, TypeThresholds, WordOfMouth,
};
use choice::ChoiceTable;
use loyalty::LoyaltyCurve;
use satisfaction::SatisfactionParams;
pub use types::CustomerType;
pub use voice::Voice;

/// Tenure beyond which relational build-up is computed rather than looked up.
const BUILD_UP_TABLE: usize = 1024;

/// Tenures for which the model's `structural_pass` table holds `exp(−R)`.
pub const PASS_TABLE: usize = 256;

pub use crate::scenario::MAX_LINES;

/// A scenario compiled for simulation.
#[derive(Debug, Clone)]
pub struct Model {
    pub(crate) n_firms: usize,
    /// Whether each firm is in the market now (firms that enter later are not).
    pub(crate) present: Vec<bool>,
    /// Kotler's customer delivered value `TCV − TCC`, `[segment * n_firms + firm]`.
    pub(crate) cdv: Vec<f64>,
    /// Best present alternative's delivered value minus the firm's,
    /// `[segment * n_firms + firm]`; `None` when the firm has no present alternative.
    pub(crate) advantage: Vec<Option<f64>>,
    /// Best delivered value on offer per segment.
    pub(crate) best_offer: Vec<f64>,
    /// What a customer of a segment gets from a firm, `[segment * n_firms + firm]`: the
    /// per-firm and per-segment numbers the step reads, gathered in one place (the
    /// only copy of a firm's price, noise, failures and margin in the model).
    pub(crate) offers: Vec<Offer>,
    /// Per firm: the product lines as (offset, failure rate); empty for a single experience.
    pub(crate) lines: Vec<Vec<(f64, f64)>>,
    pub(crate) aggregate: Aggregate,
    pub(crate) softness: f64,
    pub(crate) satisfaction: SatisfactionParams,
    pub(crate) new_customer_cs: f64,
    /// λ_I when critical incidents are remembered apart (`satisfaction.incident_memory`
    /// given and different from `memory`); `None` otherwise, and no incident state kept.
    pub(crate) incident_memory: Option<f64>,
    pub(crate) curve: LoyaltyCurve,
    pub(crate) form: ConstraintForm,
    pub(crate) combine: Combine,
    pub(crate) r: f64,
    /// `exp(−r)`, computed once for the reduced form.
    pub(crate) reduced_pass: f64,
    pub(crate) kappa: f64,
    pub(crate) monopoly: f64,
    pub(crate) convenience: f64,
    pub(crate) inertia: f64,
    /// Procedural plus financial switching cost per segment.
    pub(crate) fixed_switching_cost: Vec<f64>,
    /// Full relational switching cost per segment.
    pub(crate) relational_cost: Vec<f64>,
    relational_growth: f64,
    build_up: Vec<f64>,
    /// For the structural form combined exponentially, a customer's P(defect) is
    /// `(1 − f)·g` (`live`) or 0 (not `live`: R infinite or huge), with
    /// `(g, live)` at `[(segment * n_firms + firm) * PASS_TABLE + tenure]` for a cost
    /// scale of exactly 1 (no dispersion): [`constraint::defect_probability`] of
    /// [`Model::constraint_r`] without an `exp` per customer. Empty otherwise.
    pub(crate) structural_pass: Vec<(f64, bool)>,
    pub(crate) choice: ChoiceTable,
    pub(crate) beta: f64,
    pub(crate) outside_value: f64,
    pub(crate) prospect_rate: f64,
    pub(crate) types: TypeThresholds,
    pub(crate) word_of_mouth: WordOfMouth,
    pub(crate) complaints: Complaints,
    pub(crate) resolution_rate: Vec<f64>,
    pub(crate) margin_growth_periods: u32,
    pub(crate) acquisition_cost: Vec<f64>,
    pub(crate) retention_spend: Vec<f64>,
}

/// A firm's offer to a segment: the numbers a step of one of its customers reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Offer {
    /// Delivered value `TCV − TCC`.
    pub cdv: f64,
    pub inconsistency: f64,
    pub failure_rate: f64,
    pub failure_severity: f64,
    /// The best delivered value on offer to the segment.
    pub best_offer: f64,
    pub price: f64,
    pub margin: f64,
    pub margin_growth: f64,
}

/// What a customer heard from its neighbours this period, already weighted: positive
/// messages count +1, negative ones −`negative_weight`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Heard<'a> {
    /// Net messages about the customer's own firm.
    pub own: f64,
    /// Net messages about all firms.
    pub all: f64,
    /// Net messages per firm, when any were heard (for the choice of a firm).
    pub per_firm: Option<&'a [f64]>,
}

/// Which firms are in the market at the start: all but those that enter by an event.
pub fn initial_presence(s: &Scenario) -> Vec<bool> {
    s.firms
        .iter()
        .map(|f| {
            !s.events
                .iter()
                .any(|e| matches!(e, Event::Enter { firm, .. } if *firm == f.name))
        })
        .collect()
}

impl Model {
    /// Compiles a validated scenario with the firms present at the start.
    pub fn new(s: &Scenario) -> Model {
        Model::with_presence(s, &initial_presence(s))
    }

    /// Compiles a validated scenario with the given firms present.
    pub fn with_presence(s: &Scenario, present: &[bool]) -> Model {
        let n_firms = s.firms.len();
        let n_segments = s.segments.len();
        let mut cdv = Vec::with_capacity(n_firms * n_segments);
        for seg in &s.segments {
            for firm in &s.firms {
                cdv.push(delivered_value(seg, firm));
            }
        }
        let mut advantage = vec![None; n_firms * n_segments];
        let mut best_offer = vec![s.choice.outside_value; n_segments];
        for sg in 0..n_segments {
            let row = &cdv[sg * n_firms..(sg + 1) * n_firms];
            let offers = (0..n_firms).filter(|&k| present[k]).map(|k| row[k]);
            best_offer[sg] = offers.fold(f64::NEG_INFINITY, f64::max);
            if best_offer[sg] == f64::NEG_INFINITY {
                best_offer[sg] = s.choice.outside_value;
            }
            for j in 0..n_firms {
                let best_alt = (0..n_firms)
                    .filter(|&k| k != j && present[k])
                    .map(|k| row[k])
                    .fold(f64::NEG_INFINITY, f64::max);
                advantage[sg * n_firms + j] =
                    (best_alt > f64::NEG_INFINITY).then(|| best_alt - row[j]);
            }
        }
        let k = &s.constraint;
        let build_up = (0..BUILD_UP_TABLE)
            .map(|t| constraint::relational_build_up(t as f64, k.relational_growth))
            .collect();
        let sat = &s.satisfaction;
        let per_firm = |f: fn(&crate::scenario::Firm) -> f64| s.firms.iter().map(f).collect();
        let offers = (0..n_segments * n_firms)
            .map(|idx| {
                let (sg, f) = (idx / n_firms, &s.firms[idx % n_firms]);
                Offer {
                    cdv: cdv[idx],
                    inconsistency: f.inconsistency,
                    failure_rate: f.failure_rate,
                    failure_severity: f.failure_severity,
                    best_offer: best_offer[sg],
                    price: f.price,
                    margin: f.margin,
                    margin_growth: f.margin_growth,
                }
            })
            .collect();
        let mut model = Model {
            n_firms,
            present: present.to_vec(),
            offers,
            choice: ChoiceTable::new(&cdv, present, s.choice.beta, s.choice.outside_value),
            cdv,
            advantage,
            best_offer,
            lines: s
                .firms
                .iter()
                .map(|f| {
                    f.lines
                        .iter()
                        .map(|l| (l.offset, l.failure_rate.unwrap_or(f.failure_rate)))
                        .collect()
                })
                .collect(),
            aggregate: s.product_lines.aggregate,
            softness: s.product_lines.softness,
            satisfaction: SatisfactionParams {
                tolerance_slope: sat.tolerance_slope,
                gain_slope: sat.gain_slope,
                loss_slope: sat.loss_slope,
                saturation: sat.saturation,
                memory: sat.memory,
                adaptation: sat.adaptation,
                anchor: sat.anchor,
                market_pull: sat.market_pull,
            },
            new_customer_cs: sat.new_customer_cs,
            incident_memory: sat.incident_memory.filter(|&m| m != sat.memory),
            curve: LoyaltyCurve::new(&s.loyalty),
            form: k.form,
            combine: k.combine,
            r: k.r.value(),
            reduced_pass: (-k.r.value()).exp(),
            kappa: k.kappa,
            monopoly: k.monopoly.value(),
            convenience: k.convenience,
            inertia: k.inertia,
            fixed_switching_cost: s
                .segments
                .iter()
                .map(|g| g.switching_costs.procedural + g.switching_costs.financial)
                .collect(),
            relational_cost: s
                .segments
                .iter()
                .map(|g| g.switching_costs.relational)
                .collect(),
            relational_growth: k.relational_growth,
            build_up,
            structural_pass: Vec::new(),
            beta: s.choice.beta,
            outside_value: s.choice.outside_value,
            prospect_rate: s.choice.prospect_rate,
            types: s.types,
            word_of_mouth: s.word_of_mouth,
            complaints: s.complaints,
            resolution_rate: per_firm(|f| f.resolution_rate),
            margin_growth_periods: s.economics.margin_growth_periods,
            acquisition_cost: per_firm(|f| f.acquisition_cost),
            retention_spend: per_firm(|f| f.retention_spend),
        };
        if model.form == ConstraintForm::Structural && model.combine == Combine::Exponential {
            model.structural_pass = (0..n_segments * n_firms * PASS_TABLE)
                .map(|i| {
                    let (idx, tenure) = (i / PASS_TABLE, (i % PASS_TABLE) as u32);
                    let r = model.constraint_r(idx / n_firms, idx % n_firms, 1.0, tenure);
                    // defect_probability(f, r, Exponential), less its factor 1 − f.
                    if r == f64::INFINITY || r >= 746.0 {
                        (0.0, false)
                    } else {
                        ((-r).exp(), true)
                    }
                })
                .collect();
        }
        model
    }

    /// The constraint R on a customer of `firm`.
    #[inline]
    pub fn constraint_r(&self, segment: usize, firm: usize, cost_scale: f64, tenure: u32) -> f64 {
        match self.form {
            ConstraintForm::Reduced => self.r,
            ConstraintForm::Structural => {
                let build_up = match self.build_up.get(tenure as usize) {
                    Some(&b) => b,
                    None => constraint::relational_build_up(tenure as f64, self.relational_growth),
                };
                let cost = cost_scale
                    * (self.fixed_switching_cost[segment]
                        + self.relational_cost[segment] * build_up);
                constraint::structural_r(
                    cost,
                    self.advantage[segment * self.n_firms + firm],
                    self.kappa,
                    self.monopoly,
                    self.convenience,
                    self.inertia,
                )
            }
        }
    }

    /// P(defect) of a customer of `firm` whose f(CS) is `loyalty`, and the pass-through
    /// P(defect)/(1 − f) where it is defined: [`constraint::defect_probability`] of
    /// [`Model::constraint_r`], with `exp(−R)` computed once for the reduced form and
    /// looked up in the `structural_pass` table where the structural form allows.
    #[inline(always)]
    pub fn defect_probability(
        &self,
        loyalty: f64,
        segment: usize,
        firm: usize,
        cost_scale: f32,
        tenure: u32,
    ) -> (f64, Option<f64>) {
        if self.form == ConstraintForm::Reduced && self.combine == Combine::Exponential {
            let q = self.reduced_pass;
            ((1.0 - loyalty) * q, (loyalty < 1.0).then_some(q))
        } else if !self.structural_pass.is_empty()
            && cost_scale == 1.0
            && (tenure as usize) < PASS_TABLE
        {
            let at = (segment * self.n_firms + firm) * PASS_TABLE + tenure as usize;
            let (g, live) = self.structural_pass[at];
            let p_defect = if live { (1.0 - loyalty) * g } else { 0.0 };
            (p_defect, constraint::pass_through(loyalty, p_defect))
        } else {
            let r = self.constraint_r(segment, firm, cost_scale as f64, tenure);
            let p_defect = constraint::defect_probability(loyalty, r, self.combine);
            (p_defect, constraint::pass_through(loyalty, p_defect))
        }
    }

    /// The value a customer of `firm` perceives this period from `offer`: the delivered
    /// value plus noise `z`, less the severity of a failure (when `u_failure` falls
    /// under the failure rate); with product lines (`with_lines`, and the firm has
    /// lines), the lines' experiences combined, `extra` holding (normal, uniform) pairs
    /// for the lines after the first. Always inlined, so a constant `with_lines` of
    /// `false` leaves no trace of the lines in the caller.
    #[inline(always)]
    pub fn perceived_value(
        &self,
        with_lines: bool,
        offer: &Offer,
        firm: usize,
        z: f64,
        u_failure: f64,
        extra: &[(f64, f64)],
    ) -> f64 {
        // Times 0 or 1 rather than a branch (a failure is hard to predict); the
        // severity is finite and at least 0, so no failure subtracts +0.0.
        let experience = |base: f64, z: f64, u: f64, rate: f64| {
            base + offer.inconsistency * z - offer.failure_severity * (u < rate) as u8 as f64
        };
        let lines = &self.lines[firm];
        if !with_lines || lines.is_empty() {
            return experience(offer.cdv, z, u_failure, offer.failure_rate);
        }
        let line_value = |l: usize| {
            let (z, u) = if l == 0 { (z, u_failure) } else { extra[l - 1] };
            let (offset, rate) = lines[l];
            experience(offer.cdv + offset, z, u, rate)
        };
        let n = lines.len();
        match self.aggregate {
            Aggregate::Mean => (0..n).map(line_value).sum::<f64>() / n as f64,
            Aggregate::Min => (0..n).map(line_value).fold(f64::INFINITY, f64::min),
            Aggregate::Softmin => {
                let values: [f64; MAX_LINES] =
                    std::array::from_fn(|l| if l < n { line_value(l) } else { 0.0 });
                let lowest = values[..n].iter().copied().fold(f64::INFINITY, f64::min);
                let s = self.softness;
                let mean = values[..n]
                    .iter()
                    .map(|v| (-(v - lowest) / s).exp())
                    .sum::<f64>()
                    / n as f64;
                lowest - s * mean.ln()
            }
        }
    }

    /// Where a customer leaving `origin` (or a prospect, `None`) goes.
    #[inline]
    pub fn choose(
        &self,
        segment: usize,
        origin: Option<usize>,
        u: f64,
        heard: &Heard,
    ) -> Option<usize> {
        match heard.per_firm {
            Some(net) if self.word_of_mouth.appeal_weight > 0.0 => {
                let mut appeal = [0.0; crate::scenario::MAX_FIRMS];
                for (a, n) in appeal.iter_mut().zip(net) {
                    *a = self.word_of_mouth.appeal_weight * n;
                }
                choice::pick_with_appeal(
                    &self.cdv[segment * self.n_firms..(segment + 1) * self.n_firms],
                    &self.present,
                    origin,
                    self.beta,
                    self.outside_value,
                    &appeal[..self.n_firms],
                    u,
                )
            }
            _ => self.choice.pick(segment, origin, u),
        }
    }
}

/// Kotler's customer delivered value of `firm` for `segment`: `Σ a_k·V_k − Σ b_c·C_c`.
pub fn delivered_value(segment: &crate::scenario::Segment, firm: &crate::scenario::Firm) -> f64 {
    let tcv: f64 = segment
        .value_weights
        .as_array()
        .iter()
        .zip(firm.value.as_array())
        .map(|(a, v)| a * v)
        .sum();
    let costs = [
        firm.price,
        firm.costs.time,
        firm.costs.energy,
        firm.costs.psychic,
    ];
    let tcc: f64 = segment
        .cost_weights
        .as_array()
        .iter()
        .zip(costs)
        .map(|(b, c)| b * c)
        .sum();
    tcv - tcc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_bad_line_sinks_the_firm_under_min_but_not_under_mean() {
        let mut s = Scenario::default();
        s.firms[0].lines = vec![
            crate::scenario::ProductLine {
                name: "good".into(),
                offset: 0.0,
                failure_rate: Some(0.0),
            },
            crate::scenario::ProductLine {
                name: "bad".into(),
                offset: -4.0,
                failure_rate: Some(0.0),
            },
        ];
        let value = |agg: Aggregate| {
            let mut s = s.clone();
            s.product_lines.aggregate = agg;
            let m = Model::new(&s);
            m.perceived_value(true, &m.offers[0], 0, 0.0, 0.99, &[(0.0, 0.99)])
        };
        assert!((value(Aggregate::Mean) - 0.0).abs() < 1e-12);
        assert!((value(Aggregate::Min) + 2.0).abs() < 1e-12);
        let soft = value(Aggregate::Softmin);
        assert!(soft > -2.0 && soft < 0.0, "{soft}");
    }
}
