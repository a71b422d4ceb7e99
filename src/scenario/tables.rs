//! The scenario's tables below the top level (segments, firms, satisfaction, loyalty,
//! constraint, choice, initial state, types, report): plain data with their defaults,
//! each field documented once here and in `docs/scenario.md`.

use super::{ProductLine, Strength};
use serde::{Deserialize, Serialize};

/// Kotler's four value components: product, service, personnel, image.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ValueComponents {
    pub product: f64,
    pub service: f64,
    pub personnel: f64,
    pub image: f64,
}

impl ValueComponents {
    pub fn as_array(&self) -> [f64; 4] {
        [self.product, self.service, self.personnel, self.image]
    }
}

impl Default for ValueComponents {
    fn default() -> Self {
        ValueComponents {
            product: 6.0,
            service: 6.0,
            personnel: 6.0,
            image: 6.0,
        }
    }
}

/// Weights `a_k` of Kotler's four value components in a segment's total customer value.
/// A partial table keeps the defaults for the components it leaves out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ValueWeights {
    pub product: f64,
    pub service: f64,
    pub personnel: f64,
    pub image: f64,
}

impl ValueWeights {
    pub fn as_array(&self) -> [f64; 4] {
        [self.product, self.service, self.personnel, self.image]
    }
}

impl Default for ValueWeights {
    fn default() -> Self {
        ValueWeights {
            product: 0.4,
            service: 0.3,
            personnel: 0.2,
            image: 0.1,
        }
    }
}

/// Kotler's four cost components as weights of a segment: money, time, energy, psychic.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CostWeights {
    pub money: f64,
    pub time: f64,
    pub energy: f64,
    pub psychic: f64,
}

impl CostWeights {
    pub fn as_array(&self) -> [f64; 4] {
        [self.money, self.time, self.energy, self.psychic]
    }
}

impl Default for CostWeights {
    fn default() -> Self {
        CostWeights {
            money: 1.0,
            time: 0.3,
            energy: 0.3,
            psychic: 0.4,
        }
    }
}

/// A firm's non-monetary costs to its customers (its monetary cost is `price`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NonMonetaryCosts {
    pub time: f64,
    pub energy: f64,
    pub psychic: f64,
}

impl Default for NonMonetaryCosts {
    fn default() -> Self {
        NonMonetaryCosts {
            time: 1.0,
            energy: 1.0,
            psychic: 1.0,
        }
    }
}

/// Switching costs of a segment (Burnham, Frels & Mahajan 2003), in units of delivered value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SwitchingCosts {
    /// Time and effort of changing provider (paperwork, learning, a new number).
    pub procedural: f64,
    /// Money lost by leaving (fees, lost benefits, points).
    pub financial: f64,
    /// Personal and brand bonds at full tenure; grows with tenure (see `constraint.relational_growth`).
    pub relational: f64,
    /// Spread between customers: each customer's costs are the segment's times a
    /// log-normal factor with mean 1 and this coefficient of variation.
    pub dispersion: f64,
}

impl Default for SwitchingCosts {
    fn default() -> Self {
        SwitchingCosts {
            procedural: 0.5,
            financial: 0.5,
            relational: 0.5,
            dispersion: 0.5,
        }
    }
}

/// A population segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Segment {
    pub name: String,
    /// Relative size; shares are normalised over segments.
    pub share: f64,
    /// Weights `a_k` of the value components in total customer value.
    pub value_weights: ValueWeights,
    /// Weights `b_c` of the cost components in total customer cost.
    pub cost_weights: CostWeights,
    /// Mean of the customers' own standard of delivered value, where expectations start
    /// and to which they are anchored.
    pub expectation: f64,
    /// Standard deviation of that standard across customers.
    pub expectation_sd: f64,
    /// Mean width `w` of the zone of tolerance (adequate = e − w/2, desired = e + w/2).
    pub tolerance: f64,
    /// Standard deviation of the width across customers (widths are kept >= 0).
    pub tolerance_sd: f64,
    pub switching_costs: SwitchingCosts,
}

impl Default for Segment {
    fn default() -> Self {
        Segment {
            name: "all".into(),
            share: 1.0,
            value_weights: ValueWeights::default(),
            cost_weights: CostWeights::default(),
            expectation: 2.0,
            expectation_sd: 1.5,
            tolerance: 1.0,
            tolerance_sd: 0.3,
            switching_costs: SwitchingCosts::default(),
        }
    }
}

/// A firm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Firm {
    pub name: String,
    /// Value components `V_k` it delivers.
    pub value: ValueComponents,
    /// Monetary cost to the customer per period.
    pub price: f64,
    /// Time, energy and psychic costs to the customer.
    pub costs: NonMonetaryCosts,
    /// Inconsistency σ: standard deviation of perceived value around the delivered value.
    pub inconsistency: f64,
    /// Probability φ of a service failure per customer and period.
    pub failure_rate: f64,
    /// Value δ lost in a service failure.
    pub failure_severity: f64,
    /// Relative share of the initial customers (normalised over firms).
    pub initial_share: f64,
    /// Margin per customer and period.
    pub margin: f64,
    /// Growth of the margin per period of tenure, as a share of `margin` (Reichheld &
    /// Sasser: long-standing customers are worth more), up to
    /// `economics.margin_growth_periods`.
    pub margin_growth: f64,
    /// Cost of acquiring one new customer.
    pub acquisition_cost: f64,
    /// Retention spend per customer and period.
    pub retention_spend: f64,
    /// Probability per period that a pending complaint is resolved.
    pub resolution_rate: f64,
    /// Product lines; empty means one experience of the whole firm.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<ProductLine>,
}

impl Default for Firm {
    fn default() -> Self {
        Firm {
            name: "firm".into(),
            value: ValueComponents::default(),
            price: 3.0,
            costs: NonMonetaryCosts::default(),
            inconsistency: 1.0,
            failure_rate: 0.05,
            failure_severity: 2.0,
            initial_share: 1.0,
            margin: 1.0,
            margin_growth: 0.0,
            acquisition_cost: 0.0,
            retention_spend: 0.0,
            resolution_rate: 0.5,
            lines: Vec::new(),
        }
    }
}

/// How experience becomes satisfaction and expectation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Satisfaction {
    /// Slope of transaction satisfaction per unit of disconfirmation inside the zone of tolerance.
    pub tolerance_slope: f64,
    /// Slope beyond the desired level (delight), β+.
    pub gain_slope: f64,
    /// Slope below the adequate level (disappointment), β−; β− > β+ is the asymmetry.
    pub loss_slope: f64,
    /// Score c at which transaction satisfaction reaches tanh(1) = 76% of its bound:
    /// s = tanh(score / c), where the score is the piecewise-linear function of the
    /// disconfirmation the slopes give. Larger c keeps s nearly linear in the score over
    /// a wider range of surprises.
    pub saturation: f64,
    /// Weight λ of past cumulative satisfaction: CS ← λ·CS + (1 − λ)·(3 + 2·s).
    pub memory: f64,
    /// Persistence λ_I of critical incidents (a problem, a complaint's outcome), which
    /// are remembered apart from routine experience when given (MODEL.md §3 step 4).
    /// Left out, an incident fades like any experience, at `memory`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident_memory: Option<f64>,
    /// Adaptation α of expectations to experience: e ← e + α·(v − e).
    pub adaptation: f64,
    /// Pull ρ of expectations back to the customer's own standard.
    pub anchor: f64,
    /// Pull μ of expectations toward the best offer in the market for the segment.
    pub market_pull: f64,
    /// Cumulative satisfaction of a customer who has just joined a firm.
    pub new_customer_cs: f64,
}

impl Default for Satisfaction {
    fn default() -> Self {
        Satisfaction {
            tolerance_slope: 0.15,
            gain_slope: 0.5,
            loss_slope: 1.0,
            saturation: 2.0,
            memory: 0.7,
            incident_memory: None,
            adaptation: 0.05,
            anchor: 0.05,
            market_pull: 0.0,
            new_customer_cs: 3.0,
        }
    }
}

/// The satisfaction-loyalty curve f(CS): probability of intending to stay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "curve", rename_all = "lowercase", deny_unknown_fields)]
pub enum Loyalty {
    /// Piecewise linear through (1, `levels[0]`), (`breakpoints[0]`, `levels[1]`),
    /// (`breakpoints[1]`, `levels[2]`), (5, `levels[3]`): the zones of defection,
    /// indifference and affection of Jones & Sasser.
    Zones {
        #[serde(default = "default_breakpoints")]
        breakpoints: Vec<f64>,
        #[serde(default = "default_levels")]
        levels: Vec<f64>,
    },
    /// floor + (ceiling − floor) / (1 + exp(−steepness·(CS − midpoint))).
    Logistic {
        #[serde(default = "default_midpoint")]
        midpoint: f64,
        #[serde(default = "default_steepness")]
        steepness: f64,
        #[serde(default = "default_floor")]
        floor: f64,
        #[serde(default = "default_ceiling")]
        ceiling: f64,
    },
    /// Monotone interpolation through points `[CS, f]` the user gives.
    Table {
        #[serde(default)]
        points: Vec<[f64; 2]>,
        #[serde(default)]
        interpolation: Interpolation,
    },
}

fn default_breakpoints() -> Vec<f64> {
    vec![2.5, 4.0]
}
fn default_levels() -> Vec<f64> {
    vec![0.2, 0.8, 0.85, 0.99]
}
fn default_midpoint() -> f64 {
    3.0
}
fn default_steepness() -> f64 {
    2.0
}
fn default_floor() -> f64 {
    0.1
}
fn default_ceiling() -> f64 {
    0.99
}

impl Default for Loyalty {
    fn default() -> Self {
        Loyalty::Zones {
            breakpoints: default_breakpoints(),
            levels: default_levels(),
        }
    }
}

/// Interpolation between table points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Interpolation {
    /// Fritsch–Carlson monotone cubic (PCHIP): smooth, never overshoots.
    #[default]
    Monotone,
    /// Straight lines between points.
    Linear,
}

/// Where R comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConstraintForm {
    /// R given directly by `constraint.r`.
    #[default]
    Reduced,
    /// R built from switching costs, monopoly, convenience and inertia.
    Structural,
}

/// How R damps the wish to leave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Combine {
    /// P(defect) = (1 − f(CS))·exp(−R): R = 0 gives CL = f(CS), R → ∞ gives CL = 1.
    #[default]
    Exponential,
    /// The literal CL = clamp(R·f(CS), 0, 1); R = 0 makes everyone leave (see docs).
    Multiplicative,
}

/// The restraining factor R.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Constraint {
    pub form: ConstraintForm,
    pub combine: Combine,
    /// Reduced form: R as a number, `inf`, or none / low / medium / strong / infinite.
    pub r: Strength,
    /// Structural form: switching-cost units per unit of R, κ in R_sc = max(0, SC − Δ)/κ.
    pub kappa: f64,
    /// Structural form: R when no alternative firm exists (a monopoly); `inf` = no way out.
    pub monopoly: Strength,
    /// Structural form: R added for the convenience of the current provider.
    pub convenience: f64,
    /// Structural form: R added for inertia (habit, not bothering).
    pub inertia: f64,
    /// Structural form: periods of tenure over which relational costs grow
    /// (63% of the full relational cost after this many periods).
    pub relational_growth: f64,
}

impl Default for Constraint {
    fn default() -> Self {
        Constraint {
            form: ConstraintForm::Reduced,
            combine: Combine::Exponential,
            r: Strength::from_level("low").expect("known level"),
            kappa: 1.0,
            monopoly: Strength::from_value(f64::INFINITY),
            convenience: 0.0,
            inertia: 0.0,
            relational_growth: 8.0,
        }
    }
}

/// How a customer who leaves, or a prospect, picks a firm.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Choice {
    /// Logit sensitivity β to delivered value: P(j) ∝ exp(β·CDV_j).
    pub beta: f64,
    /// Delivered value of the outside option "stop buying".
    pub outside_value: f64,
    /// Probability per period that a prospect (outside the market) shops.
    pub prospect_rate: f64,
}

impl Default for Choice {
    fn default() -> Self {
        Choice {
            beta: 1.0,
            outside_value: 0.0,
            prospect_rate: 0.2,
        }
    }
}

/// The population at period 0.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InitialState {
    /// Share of the population that starts outside the market, as prospects.
    pub outside: f64,
    /// Mean initial cumulative satisfaction of customers.
    pub cs: f64,
    /// Its standard deviation (values are kept in [1, 5]).
    pub cs_sd: f64,
    /// Mean initial tenure in periods (geometric).
    pub tenure: f64,
}

impl Default for InitialState {
    fn default() -> Self {
        InitialState {
            outside: 0.05,
            cs: 3.5,
            cs_sd: 0.7,
            tenure: 5.0,
        }
    }
}

/// Thresholds of the Jones & Sasser types, on the CS scale.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TypeThresholds {
    /// CS at or above which a customer who stays is an apostle.
    pub apostle: f64,
    /// CS at or above which a customer counts as satisfied (a leaver is then a mercenary).
    pub satisfied: f64,
    /// CS at or below which a customer is a terrorist, whether it stays or leaves.
    pub terrorist: f64,
}

impl Default for TypeThresholds {
    fn default() -> Self {
        TypeThresholds {
            apostle: 4.5,
            satisfied: 4.0,
            terrorist: 1.5,
        }
    }
}

/// What the run reports beyond the fixed tables.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Report {
    /// Width of the CS bins of the retention curve; bins are centred on multiples of it
    /// (1, 1 + w, …, 5), the two end bins half as wide.
    pub curve_bin_width: f64,
}

impl Default for Report {
    fn default() -> Self {
        Report {
            curve_bin_width: 0.25,
        }
    }
}
