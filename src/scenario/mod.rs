//! Scenario files: what a user writes, parsed, overridden and validated.
//!
//! A scenario is plain data. This module turns TOML text plus `--set` overrides into a
//! [`Scenario`] whose every value has been checked, or into one [`ScenarioError`] that
//! names the field, the value and what was expected. Nothing downstream re-checks input:
//! the model compiles a validated scenario and may assume it is sane.
//!
//! Defaults make a tiny file valid (`name = "x"` alone runs a two-firm market); the
//! reference for every field is `docs/scenario.md`.

mod dynamics;
mod overrides;
mod strength;
pub mod sweep;
mod unused;
mod validate;

pub use dynamics::{
    Aggregate, Complaints, CostComponent, Economics, Event, FIRM_FIELDS, NetworkKind, ProductLine,
    ProductLines, Survey, WordOfMouth, firm_field,
};
pub use overrides::Override;
pub use strength::{LEVELS, Strength};
pub use unused::Unused;

pub use validate::{
    MAX_CUSTOMERS, MAX_FIRMS, MAX_LINES, MAX_NAME_CHARS, MAX_PERIODS, MAX_SEGMENTS,
};

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;

/// The showcase scenario, built into the binary so `loyalsim` with no arguments runs it.
pub const SHOWCASE: &str = include_str!("../../scenarios/showcase.toml");

/// A complete, validated scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    /// Short name; also the default output folder `output/<name>/`.
    pub name: String,
    /// Free text for the reader.
    pub description: String,
    /// Master seed; every random stream is derived from it.
    pub seed: u64,
    /// Number of periods (repurchase occasions) to simulate.
    pub periods: u32,
    /// Population size: customers of every firm plus prospects outside the market.
    pub customers: u64,
    /// Population segments (at least one).
    pub segments: Vec<Segment>,
    /// Firms in the market (at least one; one firm is a monopoly).
    pub firms: Vec<Firm>,
    pub satisfaction: Satisfaction,
    pub loyalty: Loyalty,
    pub constraint: Constraint,
    pub choice: Choice,
    pub initial_state: InitialState,
    pub types: TypeThresholds,
    pub report: Report,
    pub word_of_mouth: WordOfMouth,
    pub complaints: Complaints,
    pub survey: Survey,
    pub economics: Economics,
    pub product_lines: ProductLines,
    /// Scheduled changes to the market.
    pub events: Vec<Event>,
    /// A parameter sweep over this scenario (`loyalsim sweep`); ignored by `run`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sweep: Option<sweep::Sweep>,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            name: "scenario".into(),
            description: String::new(),
            seed: 1,
            periods: 50,
            customers: 10_000,
            segments: vec![Segment::default()],
            firms: vec![
                Firm {
                    name: "A".into(),
                    ..Firm::default()
                },
                Firm {
                    name: "B".into(),
                    ..Firm::default()
                },
            ],
            satisfaction: Satisfaction::default(),
            loyalty: Loyalty::default(),
            constraint: Constraint::default(),
            choice: Choice::default(),
            initial_state: InitialState::default(),
            types: TypeThresholds::default(),
            report: Report::default(),
            word_of_mouth: WordOfMouth::default(),
            complaints: Complaints::default(),
            survey: Survey::default(),
            economics: Economics::default(),
            product_lines: ProductLines::default(),
            events: Vec::new(),
            sweep: None,
        }
    }
}

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
    /// Weight λ of past cumulative satisfaction: CS ← λ·CS + (1 − λ)·(3 + 2·s).
    pub memory: f64,
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
            memory: 0.7,
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

/// A scenario that could not be read: one message naming the field, the value and what
/// was expected. Values and messages are cut to a few dozen characters ([`cut`]), so a
/// mistake in a huge value still gives a line one can read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read scenario file {}: {reason}", cut(path, 200))]
    Read { path: String, reason: String },
    #[error("{}: not valid TOML: {}", cut(source_name, 200), cut(message, 300))]
    Syntax {
        source_name: String,
        message: String,
    },
    #[error(
        "{}: field `{}`: {}",
        cut(source_name, 200),
        cut(path, 100),
        cut(message, 300)
    )]
    Field {
        source_name: String,
        path: String,
        message: String,
    },
    #[error("--set {}: {}", cut(assignment, 100), cut(message, 600))]
    Override { assignment: String, message: String },
    #[error(
        "{}: field `{}` = {}: expected {expected}",
        cut(source_name, 200),
        cut(path, 100),
        cut(value, 100)
    )]
    Invalid {
        source_name: String,
        path: String,
        value: String,
        expected: String,
    },
    #[error(
        "{}: field `{}` is given but changes nothing: {why}",
        cut(source_name, 200),
        cut(path, 100)
    )]
    Unused {
        source_name: String,
        path: String,
        why: String,
    },
}

/// Longest scenario file read, in bytes: the largest shipped file is a few KiB, and a
/// file this size could only be a mistake (`loyalsim validate /dev/zero`).
pub const MAX_FILE_BYTES: u64 = 4 << 20;

/// `text` if it has at most `max` characters, else its start, "…" and its length.
pub fn cut(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if text.chars().count() <= max {
        return text.into();
    }
    let keep = max.saturating_sub(20).max(8);
    let head: String = text.chars().take(keep).collect();
    format!("{head}… ({} characters)", text.chars().count()).into()
}

/// A scenario read from its text, with the tree the user wrote (after `--set`) and the
/// settings in it that change nothing.
#[derive(Debug, Clone)]
pub struct Read {
    pub scenario: Scenario,
    /// The TOML as written, with the overrides applied and no defaults filled in.
    pub given: toml::Table,
    /// Fields given that the scenario does not use: errors, unless the file has a
    /// `[sweep]` whose points may use them.
    pub unused: Vec<Unused>,
    /// Fields of the file that the scenario does not use only because a `--set` of
    /// another field (a form, a switch) made them idle: warnings.
    pub idled: Vec<Unused>,
}

impl Scenario {
    /// Reads and validates a scenario file, applying overrides in order; a setting that
    /// changes nothing is an error (see [`Scenario::parse`]).
    pub fn load(path: &Path, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
        let text = read_text(path)?;
        Scenario::parse(&text, &path.display().to_string(), overrides)
    }

    /// Parses and validates scenario text. `source_name` names it in messages. A field
    /// given that the scenario does not use is an error, unless the file has a
    /// `[sweep]`, whose points may use it ([`Scenario::read`] lists them).
    pub fn parse(
        text: &str,
        source_name: &str,
        overrides: &[Override],
    ) -> Result<Scenario, ScenarioError> {
        let read = Scenario::read(text, source_name, overrides)?;
        if read.scenario.sweep.is_none()
            && let Some(u) = read.unused.first()
        {
            return Err(unused_error(u, source_name, overrides));
        }
        Ok(read.scenario)
    }

    /// Parses and validates scenario text, keeping the tree as written and listing the
    /// settings that change nothing instead of refusing them.
    pub fn read(
        text: &str,
        source_name: &str,
        overrides: &[Override],
    ) -> Result<Read, ScenarioError> {
        let mut given: toml::Table =
            text.parse()
                .map_err(|e: toml::de::Error| ScenarioError::Syntax {
                    source_name: source_name.to_string(),
                    message: one_line(&e.to_string()),
                })?;
        let file = given.clone();
        for o in overrides {
            o.apply(&mut given)?;
        }
        let scenario = Scenario::from_table(given.clone(), source_name, &[])
            .map_err(|e| blame(e, overrides))?;
        // A field of the file that a `--set` of another field made idle (the file's
        // switching costs after `--set constraint.form=reduced`) is a what-if the user
        // asked for, not a mistake in the file: a warning, not an error.
        let mut unused = Vec::new();
        let mut idled = Vec::new();
        let all = scenario.unused_in(&given);
        let own = match overrides.is_empty() || all.is_empty() {
            true => None,
            false => Scenario::from_table(file.clone(), source_name, &[]).ok(),
        };
        for u in all {
            let by_set = overrides.iter().any(|o| o.touches(&u.path));
            let idle_in_file = own
                .as_ref()
                .is_none_or(|s| s.unused_in(&file).iter().any(|v| v.path == u.path));
            if by_set || idle_in_file {
                unused.push(u);
            } else {
                idled.push(u);
            }
        }
        Ok(Read {
            scenario,
            given,
            unused,
            idled,
        })
    }

    /// Builds and validates a scenario from a parsed TOML table, applying overrides.
    /// The table may be a resolved one (every field given), so settings that change
    /// nothing are not looked for here; [`Scenario::read`] does that.
    pub fn from_table(
        mut value: toml::Table,
        source_name: &str,
        overrides: &[Override],
    ) -> Result<Scenario, ScenarioError> {
        for o in overrides {
            o.apply(&mut value)?;
        }
        let given = value.clone();
        let scenario: Scenario = serde_path_to_error::deserialize(toml::Value::Table(value))
            .map_err(|e| {
                let path = e.path().to_string();
                let message = one_line(&e.into_inner().to_string());
                blame(
                    ScenarioError::Field {
                        source_name: source_name.to_string(),
                        path,
                        message,
                    },
                    overrides,
                )
            })?;
        if let Ok(toml::Value::Table(resolved)) = toml::Value::try_from(&scenario)
            && let Some(path) = unused::array_for_table(&given, &resolved)
        {
            return Err(blame(
                ScenarioError::Field {
                    source_name: source_name.to_string(),
                    path,
                    message: "expected a table (`{ key = value, ... }` or a [section]), \
                              found an array"
                        .into(),
                },
                overrides,
            ));
        }
        scenario
            .validate(source_name)
            .map_err(|e| blame(e, overrides))?;
        Ok(scenario)
    }

    /// The resolved scenario as a TOML table, every field given (what sweeps and
    /// calibration apply their overrides to).
    pub fn to_table(&self) -> toml::Table {
        match toml::Value::try_from(self).expect("a validated scenario serialises") {
            toml::Value::Table(t) => t,
            _ => unreachable!("a struct serialises to a table"),
        }
    }

    /// The resolved scenario as TOML, every default spelled out, except the fields the
    /// scenario does not use (which a file with a `[sweep]` keeps: its points may).
    pub fn to_toml(&self) -> String {
        toml::to_string(&self.to_shown_table()).expect("a validated scenario serialises")
    }

    /// The table [`Scenario::to_toml`] writes: every field the scenario uses.
    pub fn to_shown_table(&self) -> toml::Table {
        let mut table = self.to_table();
        if self.sweep.is_none() {
            self.prune_unused(&mut table);
        }
        table
    }
}

/// Reads a scenario file, refusing one too large to be a scenario before reading it all.
pub fn read_text(path: &Path) -> Result<String, ScenarioError> {
    use std::io::Read as _;
    let fail = |reason: String| ScenarioError::Read {
        path: path.display().to_string(),
        reason,
    };
    let file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(e.to_string()))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(fail(format!(
            "larger than {} MiB; a scenario is a small text file",
            MAX_FILE_BYTES >> 20
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        fail(format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// An error about a field, told as the `--set` that caused it when one did: the last
/// override on the field's path, since a later `--set` replaces an earlier one.
fn blame(e: ScenarioError, overrides: &[Override]) -> ScenarioError {
    let path = match &e {
        ScenarioError::Field { path, .. }
        | ScenarioError::Invalid { path, .. }
        | ScenarioError::Unused { path, .. } => path.clone(),
        _ => return e,
    };
    match overrides.iter().rev().find(|o| o.touches(&path)) {
        Some(o) => {
            let message = match &e {
                ScenarioError::Field { path, message, .. } => format!("field `{path}`: {message}"),
                ScenarioError::Unused { why, .. } => format!("changes nothing: {why}"),
                other => other.to_string(),
            };
            ScenarioError::Override {
                assignment: o.to_string(),
                message,
            }
        }
        None => e,
    }
}

/// The error for a setting that changes nothing, blamed on its `--set` if one gave it.
pub fn unused_error(u: &Unused, source_name: &str, overrides: &[Override]) -> ScenarioError {
    blame(
        ScenarioError::Unused {
            source_name: source_name.to_string(),
            path: u.path.clone(),
            why: u.why.clone(),
        },
        overrides,
    )
}

/// Folds a multi-line parser message (toml prints a source excerpt) into one line.
/// Also drops the source excerpt (`2 | name = "x`), the trailing ``in `path` `` that
/// repeats the field already named, and Rust's type names.
pub(crate) fn one_line(message: &str) -> String {
    let is_excerpt = |l: &str| {
        let rest = l
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start();
        rest.starts_with('|') || l.chars().all(|c| matches!(c, '|' | '^' | ' '))
    };
    let mut text = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !is_excerpt(l))
        .collect::<Vec<_>>()
        .join(": ");
    if let Some(at) = text.rfind(" in `").filter(|_| text.ends_with('`')) {
        text.truncate(at);
        text = text.trim_end_matches([':', ' ']).to_string();
    }
    for (rust, plain) in [
        ("expected u32", "expected a whole number >= 0"),
        ("expected u64", "expected a whole number >= 0"),
        ("expected i64", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected usize", "expected a whole number >= 0"),
    ] {
        text = text.replace(rust, plain);
    }
    text
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_toml())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiny_file_is_valid() {
        let s = Scenario::parse("name = \"tiny\"", "t", &[]).unwrap();
        assert_eq!(s.name, "tiny");
        assert_eq!(s.firms.len(), 2);
    }

    #[test]
    fn showcase_parses() {
        Scenario::parse(SHOWCASE, "showcase", &[]).unwrap();
    }

    #[test]
    fn resolved_scenario_round_trips() {
        let s = Scenario::parse(SHOWCASE, "showcase", &[]).unwrap();
        let again = Scenario::parse(&s.to_toml(), "again", &[]).unwrap();
        assert_eq!(s, again);
    }

    #[test]
    fn unknown_key_is_named() {
        let e = Scenario::parse("[[firms]]\nname=\"a\"\nprise = 3", "t", &[]).unwrap_err();
        let m = e.to_string();
        assert!(m.contains("firms[0].prise") || m.contains("prise"), "{m}");
    }

    #[test]
    fn a_partial_weights_table_keeps_the_other_defaults() {
        let s =
            Scenario::parse("[[segments]]\nvalue_weights = { product = 0.5 }", "t", &[]).unwrap();
        assert_eq!(s.segments[0].value_weights.product, 0.5);
        assert_eq!(s.segments[0].value_weights.service, 0.3);
    }

    #[test]
    fn wrong_type_is_named_in_plain_words() {
        let e = Scenario::parse("periods = \"ten\"", "t", &[]).unwrap_err();
        let m = e.to_string();
        assert!(m.contains("periods") && m.contains("whole number"), "{m}");
        assert!(!m.contains("u32") && !m.ends_with('`'), "{m}");
    }

    #[test]
    fn syntax_errors_are_one_clean_line() {
        let e = Scenario::parse("name = \"x\nperiods = 3", "t", &[]).unwrap_err();
        let m = e.to_string();
        assert!(
            m.contains("TOML") && m.contains("line 1") && !m.contains(" | "),
            "{m}"
        );
        assert_eq!(m.lines().count(), 1);
    }

    #[test]
    fn range_errors_caused_by_set_name_the_set() {
        let o = ["firms.0.failure_rate=2".parse().unwrap()];
        let m = Scenario::parse("", "t", &o).unwrap_err().to_string();
        assert!(
            m.starts_with("--set firms.0.failure_rate=2") && m.contains("[0, 1]"),
            "{m}"
        );
    }
}
