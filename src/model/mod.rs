//! The customer model of MODEL.md: one customer, one period, as a pure function.
//!
//! [`Model`] is a validated [`Scenario`] compiled into the numbers the step needs
//! (delivered value per segment and firm, choice tables, the loyalty curve). It does no
//! I/O and owns no customers: the engine keeps the population and calls
//! [`Model::step`] for each customer with that customer's random draws. Keeping the
//! step free of generators and arrays is what lets tests check it draw by draw.

pub mod choice;
pub mod constraint;
pub mod loyalty;
pub mod satisfaction;
pub mod types;

use crate::scenario::{Combine, ConstraintForm, Scenario, TypeThresholds};
use choice::ChoiceTable;
use loyalty::LoyaltyCurve;
use satisfaction::SatisfactionParams;
pub use types::CustomerType;

/// Tenure beyond which relational build-up is computed rather than looked up.
const BUILD_UP_TABLE: usize = 1024;

/// A scenario compiled for simulation.
#[derive(Debug, Clone)]
pub struct Model {
    pub n_firms: usize,
    pub n_segments: usize,
    /// Kotler's customer delivered value `TCV − TCC`, `[segment * n_firms + firm]`.
    pub cdv: Vec<f64>,
    /// Best alternative's delivered value minus the firm's, `[segment * n_firms + firm]`;
    /// meaningless with one firm.
    pub advantage: Vec<f64>,
    /// Best delivered value on offer per segment.
    pub best_offer: Vec<f64>,
    pub inconsistency: Vec<f64>,
    pub failure_rate: Vec<f64>,
    pub failure_severity: Vec<f64>,
    pub satisfaction: SatisfactionParams,
    pub new_customer_cs: f64,
    pub curve: LoyaltyCurve,
    pub form: ConstraintForm,
    pub combine: Combine,
    pub r: f64,
    /// `exp(−r)`, computed once for the reduced form.
    reduced_pass: f64,
    pub kappa: f64,
    pub monopoly: f64,
    pub convenience: f64,
    pub inertia: f64,
    /// Procedural plus financial switching cost per segment.
    pub fixed_switching_cost: Vec<f64>,
    /// Full relational switching cost per segment.
    pub relational_cost: Vec<f64>,
    relational_growth: f64,
    build_up: Vec<f64>,
    pub choice: ChoiceTable,
    pub prospect_rate: f64,
    pub types: TypeThresholds,
}

/// One customer's state, as plain numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Customer {
    pub firm: Option<usize>,
    pub segment: usize,
    pub expectation: f64,
    /// The customer's own standard, where its expectations start and are anchored.
    pub standard: f64,
    /// Width of the zone of tolerance.
    pub tolerance: f64,
    pub cs: f64,
    pub tenure: u32,
    /// The customer's switching costs relative to its segment's.
    pub cost_scale: f64,
}

/// The random numbers one customer uses in one period. Every customer takes the same
/// draws every period whatever its state, so two runs with the same seed stay on common
/// random numbers even when their parameters differ.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Draws {
    /// Standard normal: the noise of perceived value.
    pub z: f64,
    /// Uniform [0, 1): whether a service failure happens.
    pub u_failure: f64,
    /// Uniform [0, 1): the decision (intend, leave), or whether a prospect shops.
    pub u_decision: f64,
    /// Uniform [0, 1): where a leaver or a shopping prospect goes.
    pub u_choice: f64,
}

/// What happened to a customer of a firm this period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    /// The firm the customer was with at the start of the period.
    pub firm: usize,
    /// Cumulative satisfaction after this period's experience.
    pub cs: f64,
    pub expectation: f64,
    /// f(CS): probability of intending to stay.
    pub f: f64,
    pub p_defect: f64,
    pub intended: bool,
    pub left: bool,
    pub kind: CustomerType,
    /// Where a leaver went: a firm, or `None` for outside the market.
    pub destination: Option<usize>,
}

/// The outcome of one customer's period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcome {
    /// A prospect that joined a firm, or stayed outside (`None`).
    Prospect {
        joined: Option<usize>,
    },
    Customer(Decision),
}

impl Model {
    /// Compiles a validated scenario.
    pub fn new(s: &Scenario) -> Model {
        let n_firms = s.firms.len();
        let n_segments = s.segments.len();
        let mut cdv = Vec::with_capacity(n_firms * n_segments);
        for seg in &s.segments {
            for firm in &s.firms {
                cdv.push(delivered_value(seg, firm));
            }
        }
        let mut advantage = vec![0.0; n_firms * n_segments];
        let mut best_offer = vec![f64::NEG_INFINITY; n_segments];
        for sg in 0..n_segments {
            let row = &cdv[sg * n_firms..(sg + 1) * n_firms];
            best_offer[sg] = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            for j in 0..n_firms {
                let best_alt = (0..n_firms)
                    .filter(|&k| k != j)
                    .map(|k| row[k])
                    .fold(f64::NEG_INFINITY, f64::max);
                advantage[sg * n_firms + j] = best_alt - row[j];
            }
        }
        let k = &s.constraint;
        let build_up = (0..BUILD_UP_TABLE)
            .map(|t| constraint::relational_build_up(t as f64, k.relational_growth))
            .collect();
        let sat = &s.satisfaction;
        Model {
            n_firms,
            n_segments,
            choice: ChoiceTable::new(&cdv, n_firms, s.choice.beta, s.choice.outside_value),
            cdv,
            advantage,
            best_offer,
            inconsistency: s.firms.iter().map(|f| f.inconsistency).collect(),
            failure_rate: s.firms.iter().map(|f| f.failure_rate).collect(),
            failure_severity: s.firms.iter().map(|f| f.failure_severity).collect(),
            satisfaction: SatisfactionParams {
                tolerance_slope: sat.tolerance_slope,
                gain_slope: sat.gain_slope,
                loss_slope: sat.loss_slope,
                memory: sat.memory,
                adaptation: sat.adaptation,
                anchor: sat.anchor,
                market_pull: sat.market_pull,
            },
            new_customer_cs: sat.new_customer_cs,
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
            prospect_rate: s.choice.prospect_rate,
            types: s.types,
        }
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
                let advantage =
                    (self.n_firms > 1).then(|| self.advantage[segment * self.n_firms + firm]);
                constraint::structural_r(
                    cost,
                    advantage,
                    self.kappa,
                    self.monopoly,
                    self.convenience,
                    self.inertia,
                )
            }
        }
    }

    /// One customer's period: experience, satisfaction, expectation, decision and move.
    /// Updates `c` in place and reports what happened.
    #[inline]
    pub fn step(&self, c: &mut Customer, d: &Draws) -> Outcome {
        let p = &self.satisfaction;
        let Some(firm) = c.firm else {
            // A prospect: marketing and its own standard move its expectation; it shops
            // with probability `prospect_rate`.
            c.expectation += p.anchor * (c.standard - c.expectation)
                + p.market_pull * (self.best_offer[c.segment] - c.expectation);
            let joined = if d.u_decision < self.prospect_rate {
                self.choice.pick(c.segment, None, d.u_choice)
            } else {
                None
            };
            if let Some(k) = joined {
                self.join(c, k);
            }
            return Outcome::Prospect { joined };
        };
        let idx = c.segment * self.n_firms + firm;
        let failure = if d.u_failure < self.failure_rate[firm] {
            self.failure_severity[firm]
        } else {
            0.0
        };
        let v = self.cdv[idx] + self.inconsistency[firm] * d.z - failure;
        let s = satisfaction::transaction_satisfaction(v - c.expectation, 0.5 * c.tolerance, p);
        c.cs = satisfaction::update_cs(c.cs, s, p.memory);
        c.expectation = satisfaction::update_expectation(
            c.expectation,
            v,
            c.standard,
            self.best_offer[c.segment],
            p,
        );
        let f = self.curve.f(c.cs);
        let p_defect = match (self.form, self.combine) {
            // The common case: R is one number, so exp(−R) is computed once.
            (ConstraintForm::Reduced, Combine::Exponential) => (1.0 - f) * self.reduced_pass,
            _ => {
                let r = self.constraint_r(c.segment, firm, c.cost_scale, c.tenure);
                constraint::defect_probability(f, r, self.combine)
            }
        };
        // One uniform decides both stages, so leavers are always among the intending and
        // a stronger constraint can only turn leavers into hostages.
        let left = d.u_decision < p_defect;
        let intended = d.u_decision < (1.0 - f).max(p_defect);
        let (cs, expectation) = (c.cs, c.expectation);
        let kind = CustomerType::classify(cs, intended, left, &self.types);
        let mut destination = None;
        if left {
            destination = self.choice.pick(c.segment, Some(firm), d.u_choice);
            match destination {
                Some(k) => self.join(c, k),
                None => {
                    c.firm = None;
                    c.tenure = 0;
                }
            }
        } else {
            c.tenure = c.tenure.saturating_add(1);
        }
        Outcome::Customer(Decision {
            firm,
            cs,
            expectation,
            f,
            p_defect,
            intended,
            left,
            kind,
            destination,
        })
    }

    fn join(&self, c: &mut Customer, firm: usize) {
        c.firm = Some(firm);
        c.cs = self.new_customer_cs;
        c.tenure = 0;
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
