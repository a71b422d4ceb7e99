//! The customer model of MODEL.md: one customer, one period, as a pure function.
//!
//! [`Model`] is a validated [`Scenario`] compiled into the numbers the step needs
//! (delivered value per segment and firm, choice tables, the loyalty curve). It does no
//! I/O and owns no customers: the engine keeps the population and calls
//! [`Model::step`] for each customer with that customer's random draws and what it
//! heard from its neighbours. Keeping the step free of generators, arrays and the
//! network is what lets tests check it draw by draw. Events rebuild the model: it is
//! cheap to compile.

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

/// Tenures for which [`Model::structural_pass`] holds `exp(−R)`.
pub const PASS_TABLE: usize = 256;

/// Most product lines a firm may have (the engine keeps their draws on the stack).
pub const MAX_LINES: usize = 16;

/// A scenario compiled for simulation.
#[derive(Debug, Clone)]
pub struct Model {
    pub n_firms: usize,
    pub n_segments: usize,
    /// Whether each firm is in the market now (firms that enter later are not).
    pub present: Vec<bool>,
    /// Kotler's customer delivered value `TCV − TCC`, `[segment * n_firms + firm]`.
    pub cdv: Vec<f64>,
    /// Best present alternative's delivered value minus the firm's,
    /// `[segment * n_firms + firm]`; `None` when the firm has no present alternative.
    pub advantage: Vec<Option<f64>>,
    /// Best delivered value on offer per segment.
    pub best_offer: Vec<f64>,
    /// What a customer of a segment gets from a firm, `[segment * n_firms + firm]`: the
    /// per-firm and per-segment numbers of the step gathered in one place for the
    /// engine's loop (the fields below stay the reference).
    pub offers: Vec<Offer>,
    pub price: Vec<f64>,
    pub inconsistency: Vec<f64>,
    pub failure_rate: Vec<f64>,
    pub failure_severity: Vec<f64>,
    /// Per firm: the product lines as (offset, failure rate); empty for a single experience.
    pub lines: Vec<Vec<(f64, f64)>>,
    pub aggregate: Aggregate,
    pub softness: f64,
    pub satisfaction: SatisfactionParams,
    pub new_customer_cs: f64,
    pub curve: LoyaltyCurve,
    pub form: ConstraintForm,
    pub combine: Combine,
    pub r: f64,
    /// `exp(−r)`, computed once for the reduced form.
    pub reduced_pass: f64,
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
    /// For the structural form combined exponentially, a customer's P(defect) is
    /// `(1 − f)·g` (`live`) or 0 (not `live`: R infinite or huge), with
    /// `(g, live)` at `[(segment * n_firms + firm) * PASS_TABLE + tenure]` for a cost
    /// scale of exactly 1 (no dispersion): [`constraint::defect_probability`] of
    /// [`Model::constraint_r`] without an `exp` per customer. Empty otherwise.
    pub structural_pass: Vec<(f64, bool)>,
    pub choice: ChoiceTable,
    pub beta: f64,
    pub outside_value: f64,
    pub prospect_rate: f64,
    pub types: TypeThresholds,
    pub word_of_mouth: WordOfMouth,
    pub complaints: Complaints,
    pub resolution_rate: Vec<f64>,
    pub margin: Vec<f64>,
    pub margin_growth: Vec<f64>,
    pub margin_growth_periods: u32,
    pub acquisition_cost: Vec<f64>,
    pub retention_spend: Vec<f64>,
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
    /// Periods since the problem that opened the current complaint episode, counting
    /// that period as 1; 0 when there is no episode.
    pub episode: u8,
    /// Where the customer stands in the episode.
    pub voice: Voice,
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
    /// Uniform [0, 1): whether a problem becomes a complaint, or a complaint is resolved.
    pub u_voice: f64,
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

/// How a complaint episode ended this period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpisodeEnd {
    pub group: Voice,
    pub stayed: bool,
}

/// What happened to a customer of a firm this period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    /// The firm the customer was with at the start of the period.
    pub firm: usize,
    /// Cumulative satisfaction the customer decided with.
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
    /// Margin the firm earned from the customer this period (0 for a leaver).
    pub margin: f64,
    /// A complaint was made this period.
    pub complained: bool,
    /// A pending complaint was settled this period: resolved, resolved quickly or given up.
    pub settled: Option<Voice>,
    pub episode_end: Option<EpisodeEnd>,
    /// The firm had left the market: the customer had to leave, whatever it felt.
    pub forced: bool,
    /// The chance an intending customer got over the barriers, P(defect)/(1 − f);
    /// `None` when nobody could intend to leave (f = 1) or the firm was gone.
    pub pass: Option<f64>,
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
            n_segments,
            present: present.to_vec(),
            offers,
            choice: ChoiceTable::new(&cdv, present, s.choice.beta, s.choice.outside_value),
            cdv,
            advantage,
            best_offer,
            price: per_firm(|f| f.price),
            inconsistency: per_firm(|f| f.inconsistency),
            failure_rate: per_firm(|f| f.failure_rate),
            failure_severity: per_firm(|f| f.failure_severity),
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
            structural_pass: Vec::new(),
            beta: s.choice.beta,
            outside_value: s.choice.outside_value,
            prospect_rate: s.choice.prospect_rate,
            types: s.types,
            word_of_mouth: s.word_of_mouth,
            complaints: s.complaints,
            resolution_rate: per_firm(|f| f.resolution_rate),
            margin: per_firm(|f| f.margin),
            margin_growth: per_firm(|f| f.margin_growth),
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

    /// The margin a customer of `firm` with `tenure` periods earns the firm in a period.
    #[inline]
    pub fn margin_of(&self, firm: usize, tenure: u32) -> f64 {
        let grown = tenure.min(self.margin_growth_periods) as f64;
        self.margin[firm] * (1.0 + self.margin_growth[firm] * grown)
    }

    /// The value a customer of `firm` perceives this period: the firm's delivered value
    /// plus noise, less a failure; with product lines, the lines' experiences combined.
    /// `extra` holds (normal, uniform) pairs for the lines after the first.
    #[inline]
    pub fn perceived_value(&self, idx: usize, firm: usize, d: &Draws, extra: &[(f64, f64)]) -> f64 {
        let base = self.cdv[idx];
        let sigma = self.inconsistency[firm];
        let lines = &self.lines[firm];
        if lines.is_empty() {
            let failure = if d.u_failure < self.failure_rate[firm] {
                self.failure_severity[firm]
            } else {
                0.0
            };
            return base + sigma * d.z - failure;
        }
        let line_value = |l: usize| {
            let (z, u) = if l == 0 {
                (d.z, d.u_failure)
            } else {
                extra[l - 1]
            };
            let (offset, rate) = lines[l];
            let failure = if u < rate {
                self.failure_severity[firm]
            } else {
                0.0
            };
            base + offset + sigma * z - failure
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

    /// One customer's period: experience, satisfaction, expectation, voice, decision and
    /// move. Updates `c` in place and reports what happened.
    #[inline]
    pub fn step(
        &self,
        c: &mut Customer,
        d: &Draws,
        heard: &Heard,
        extra: &[(f64, f64)],
    ) -> Outcome {
        let p = &self.satisfaction;
        let wom = &self.word_of_mouth;
        let Some(firm) = c.firm else {
            // A prospect: marketing, word of mouth and its own standard move its
            // expectation; it shops with probability `prospect_rate`.
            c.expectation += p.anchor * (c.standard - c.expectation)
                + p.market_pull * (self.best_offer[c.segment] - c.expectation)
                + wom.expectation_weight * heard.all;
            let joined = if d.u_decision < self.prospect_rate {
                self.choose(c.segment, None, d.u_choice, heard)
            } else {
                None
            };
            if let Some(k) = joined {
                self.join(c, k);
            }
            return Outcome::Prospect { joined };
        };
        let mut complained = false;
        let mut settled = None;
        let forced = !self.present[firm];
        let mut pass = None;
        let (f, p_defect) = if !forced {
            let idx = c.segment * self.n_firms + firm;
            let v = self.perceived_value(idx, firm, d, extra);
            let half_width = 0.5 * c.tolerance;
            let disconfirmation = v - c.expectation;
            let s = satisfaction::transaction_satisfaction(disconfirmation, half_width, p);
            c.cs = satisfaction::update_cs(c.cs, s, p.memory);
            c.expectation = satisfaction::update_expectation(
                c.expectation,
                v,
                c.standard,
                self.best_offer[c.segment],
                p,
            ) + wom.expectation_weight * heard.all;
            c.cs = (c.cs + wom.satisfaction_weight * heard.own).clamp(1.0, 5.0);
            // Voice: a problem opens an episode; a pending complaint may be settled.
            let k = &self.complaints;
            if c.episode == 0 {
                if disconfirmation < -half_width {
                    c.episode = 1;
                    complained = d.u_voice < voice::complaint_probability(c.cs, k);
                    c.voice = if complained {
                        Voice::Pending
                    } else {
                        Voice::Silent
                    };
                }
            } else {
                c.episode = c.episode.saturating_add(1);
                if c.voice == Voice::Pending {
                    let waited = c.episode as u32 - 1;
                    match voice::settle(waited, self.resolution_rate[firm], d.u_voice, k) {
                        voice::Settlement::StillPending => {}
                        voice::Settlement::Resolved { quick, lift } => {
                            c.voice = if quick {
                                Voice::ResolvedQuickly
                            } else {
                                Voice::Resolved
                            };
                            c.cs = (c.cs + lift).min(5.0);
                            settled = Some(c.voice);
                        }
                        voice::Settlement::GivenUp { drop } => {
                            c.voice = Voice::Unresolved;
                            c.cs = (c.cs - drop).max(1.0);
                            settled = Some(c.voice);
                        }
                    }
                }
            }
            let f = self.curve.f(c.cs);
            let mut p_defect = match (self.form, self.combine) {
                // The common case: R is one number, so exp(−R) is computed once.
                (ConstraintForm::Reduced, Combine::Exponential) => {
                    pass = (f < 1.0).then_some(self.reduced_pass);
                    (1.0 - f) * self.reduced_pass
                }
                _ => {
                    let r = self.constraint_r(c.segment, firm, c.cost_scale, c.tenure);
                    let p = constraint::defect_probability(f, r, self.combine);
                    pass = constraint::pass_through(f, p);
                    p
                }
            };
            if c.episode > 0 && c.voice == Voice::Pending {
                p_defect *= k.patience;
                pass = pass.map(|q| q * k.patience);
            }
            (f, p_defect)
        } else {
            // The firm has left the market: every customer must go.
            (self.curve.f(c.cs), 1.0)
        };
        // One uniform decides both stages, so leavers are always among the intending and
        // a stronger constraint can only turn leavers into hostages.
        let left = d.u_decision < p_defect;
        let intended = d.u_decision < (1.0 - f).max(p_defect);
        let (cs, expectation) = (c.cs, c.expectation);
        let kind = CustomerType::classify(cs, intended, left, &self.types);
        let margin = if left {
            0.0
        } else {
            self.margin_of(firm, c.tenure)
        };
        let episode_end = if c.episode == 0 {
            None
        } else if left {
            Some(EpisodeEnd {
                group: c.voice.group(),
                stayed: false,
            })
        } else if c.episode as u32 >= self.complaints.horizon {
            Some(EpisodeEnd {
                group: c.voice.group(),
                stayed: true,
            })
        } else {
            None
        };
        if episode_end.is_some() {
            c.episode = 0;
            c.voice = Voice::Silent;
        }
        let mut destination = None;
        if left {
            destination = self.choose(c.segment, Some(firm), d.u_choice, heard);
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
            margin,
            complained,
            settled,
            episode_end,
            forced,
            pass,
        })
    }

    fn join(&self, c: &mut Customer, firm: usize) {
        c.firm = Some(firm);
        c.cs = self.new_customer_cs;
        c.tenure = 0;
        c.episode = 0;
        c.voice = Voice::Silent;
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

    fn customer(firm: Option<usize>) -> Customer {
        Customer {
            firm,
            segment: 0,
            expectation: 2.0,
            standard: 2.0,
            tolerance: 1.0,
            cs: 3.0,
            tenure: 4,
            cost_scale: 1.0,
            episode: 0,
            voice: Voice::Silent,
        }
    }

    const CALM: Draws = Draws {
        z: 0.0,
        u_failure: 0.99,
        u_decision: 0.99,
        u_choice: 0.5,
        u_voice: 0.99,
    };

    #[test]
    fn customers_of_an_exited_firm_all_leave() {
        let s = Scenario::default();
        let m = Model::with_presence(&s, &[false, true]);
        let mut c = customer(Some(0));
        let Outcome::Customer(d) = m.step(&mut c, &CALM, &Heard::default(), &[]) else {
            panic!("a customer")
        };
        assert!(d.left && d.intended);
        assert_ne!(c.firm, Some(0));
    }

    #[test]
    fn a_problem_opens_an_episode_and_a_complaint_is_patient() {
        let mut s = Scenario::default();
        s.complaints.rate = 1.0;
        s.complaints.threshold = 5.0;
        let m = Model::new(&s);
        let mut c = customer(Some(0));
        c.expectation = 6.0; // far above the delivered value of 2: a problem
        let draws = Draws {
            u_voice: 0.0,
            ..CALM
        };
        let Outcome::Customer(d) = m.step(&mut c, &draws, &Heard::default(), &[]) else {
            panic!("a customer")
        };
        assert!(d.complained);
        assert_eq!((c.episode, c.voice), (1, Voice::Pending));
        let Outcome::Customer(d) = m.step(&mut c, &draws, &Heard::default(), &[]) else {
            panic!("a customer")
        };
        assert_eq!(d.settled, Some(Voice::ResolvedQuickly));
    }

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
            m.perceived_value(0, 0, &CALM, &[(0.0, 0.99)])
        };
        assert!((value(Aggregate::Mean) - 0.0).abs() < 1e-12);
        assert!((value(Aggregate::Min) + 2.0).abs() < 1e-12);
        let soft = value(Aggregate::Softmin);
        assert!(soft > -2.0 && soft < 0.0, "{soft}");
    }

    #[test]
    fn negative_word_of_mouth_about_the_own_firm_lowers_satisfaction() {
        let mut s = Scenario::default();
        s.word_of_mouth.satisfaction_weight = 0.1;
        let m = Model::new(&s);
        let (mut a, mut b) = (customer(Some(0)), customer(Some(0)));
        m.step(&mut a, &CALM, &Heard::default(), &[]);
        let heard = Heard {
            own: -4.0,
            all: -4.0,
            per_firm: None,
        };
        m.step(&mut b, &CALM, &heard, &[]);
        assert!((a.cs - b.cs - 0.4).abs() < 1e-12);
        assert!(b.expectation < a.expectation);
    }
}
