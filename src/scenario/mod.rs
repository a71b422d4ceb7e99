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
mod error;
mod overrides;
mod read;
mod strength;
pub mod sweep;
mod tables;
mod unused;
mod validate;

pub use dynamics::{
    Aggregate, Complaints, CostComponent, Economics, Event, FIRM_FIELDS, NetworkKind, ProductLine,
    ProductLines, Survey, WordOfMouth, firm_field,
};
pub(crate) use error::one_line;
pub use error::{ScenarioError, cut};
pub use overrides::{Override, paths_overlap, value_at};
pub use read::{MAX_FILE_BYTES, Read, read_text, unused_error};
pub use strength::{LEVELS, Strength};
pub use tables::{
    Choice, Combine, Constraint, ConstraintForm, CostWeights, Firm, InitialState, Interpolation,
    Loyalty, NonMonetaryCosts, Report, Satisfaction, Segment, SwitchingCosts, TypeThresholds,
    ValueComponents, ValueWeights,
};
pub use unused::Unused;

pub use validate::{
    MAX_CUSTOMERS, MAX_FIRMS, MAX_LINES, MAX_NAME_CHARS, MAX_PERIODS, MAX_SEGMENTS,
};

use serde::{Deserialize, Serialize};
use std::fmt;

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

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_toml())
    }
}

#[cfg(test)]
mod tests;
