//! Scenario tables for market dynamics: word of mouth, events, complaints, surveys,
//! economics and product lines (MODEL.md §3.9, §5, §6).
//!
//! Every table defaults to "off" (no network, no events, nobody complains, no survey,
//! no product lines), so the engine-core scenarios behave exactly as before.

use serde::{Deserialize, Serialize};

/// Which social network word of mouth travels on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetworkKind {
    /// No word of mouth.
    #[default]
    None,
    /// Watts–Strogatz: a ring lattice of `degree` neighbours with a share `rewiring` of
    /// links rewired at random.
    SmallWorld,
    /// Erdős–Rényi random graph with mean degree `degree`.
    Random,
}

/// Word of mouth on a social network (MODEL.md §3 step 9).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WordOfMouth {
    pub network: NetworkKind,
    /// Mean number of neighbours (even, for the small world).
    pub degree: u32,
    /// Small world: probability that a lattice link is rewired at random.
    pub rewiring: f64,
    /// Probability that an apostle tells a given neighbour about its firm in a period.
    pub reach: f64,
    /// Terrorists' reach relative to apostles' ("bad news travels further"); the
    /// resulting probability is capped at 1.
    pub negative_reach: f64,
    /// Weight of one negative message relative to a positive one.
    pub negative_weight: f64,
    /// Change of a listener's CS per positive message about its own firm.
    pub satisfaction_weight: f64,
    /// Change of a listener's expectation per positive message about any firm
    /// (negative messages lower it).
    pub expectation_weight: f64,
    /// Logit utility per positive message about a firm, for customers choosing a firm.
    pub appeal_weight: f64,
}

impl Default for WordOfMouth {
    fn default() -> Self {
        WordOfMouth {
            network: NetworkKind::None,
            degree: 10,
            rewiring: 0.1,
            reach: 0.2,
            negative_reach: 2.0,
            negative_weight: 2.0,
            satisfaction_weight: 0.05,
            expectation_weight: 0.02,
            appeal_weight: 0.3,
        }
    }
}

/// Voice: complaints and how firms handle them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Complaints {
    /// Probability that a customer at CS 1 complains after a problem (an experience
    /// below its adequate level); 0 turns complaints off.
    pub rate: f64,
    /// CS at and above which nobody complains; the probability falls linearly from
    /// `rate` at CS 1 to 0 here.
    pub threshold: f64,
    /// Factor on P(defect) while a complaint is pending: customers give voice a chance
    /// before they exit.
    pub patience: f64,
    /// Periods after which a pending complaint is given up as unresolved.
    pub give_up: u32,
    /// A complaint resolved at most this many periods after it was made counts as
    /// resolved quickly (0: only in the period it was made; settlement starts then).
    pub quick: u32,
    /// CS lift of a resolved complaint.
    pub resolved_lift: f64,
    /// CS lift of a quickly resolved complaint.
    pub quick_lift: f64,
    /// CS drop when a complaint is given up as unresolved.
    pub unresolved_drop: f64,
    /// Periods after a problem over which staying is measured for the complaint table.
    pub horizon: u32,
}

impl Default for Complaints {
    fn default() -> Self {
        Complaints {
            rate: 0.0,
            threshold: 3.5,
            patience: 0.5,
            give_up: 3,
            quick: 1,
            resolved_lift: 0.8,
            quick_lift: 1.5,
            unresolved_drop: 0.5,
            horizon: 6,
        }
    }
}

/// A satisfaction survey on the 1 to 5 scale.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Survey {
    /// Survey every this many periods; 0 = no survey.
    pub every: u32,
    /// Share of each firm's customers asked.
    pub sample: f64,
    /// Probability that a customer at CS 3 answers.
    pub response_rate: f64,
    /// Change of the response probability per CS point above 3 (non-response bias;
    /// negative: the dissatisfied answer more).
    pub response_slope: f64,
    /// Standard deviation of the answer around the customer's CS before rounding.
    pub noise: f64,
    /// Periods after a survey over which staying is observed.
    pub horizon: u32,
}

impl Default for Survey {
    fn default() -> Self {
        Survey {
            every: 0,
            sample: 0.05,
            response_rate: 0.3,
            response_slope: 0.05,
            noise: 0.5,
            horizon: 4,
        }
    }
}

/// Market-wide economics.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Economics {
    /// Discount rate i per period for customer lifetime value.
    pub discount_rate: f64,
    /// Periods of tenure over which margins keep growing (`firms.margin_growth`).
    pub margin_growth_periods: u32,
}

impl Default for Economics {
    fn default() -> Self {
        Economics {
            discount_rate: 0.01,
            margin_growth_periods: 20,
        }
    }
}

/// How the experiences of a firm's product lines combine (100 − 1 = 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Aggregate {
    /// The average line: a bad line is diluted.
    #[default]
    Mean,
    /// The worst line: one bad line is the whole experience.
    Min,
    /// A soft minimum `−s·ln(mean(exp(−v/s)))`: between the two, `softness` s → 0 is the
    /// minimum, large s the mean.
    Softmin,
}

/// Product-line aggregation, used by firms that list `lines`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProductLines {
    pub aggregate: Aggregate,
    pub softness: f64,
}

impl Default for ProductLines {
    fn default() -> Self {
        ProductLines {
            aggregate: Aggregate::Mean,
            softness: 0.5,
        }
    }
}

/// One product line of a firm: its delivered value differs from the firm's by `offset`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProductLine {
    pub name: String,
    /// Delivered value of the line relative to the firm's.
    pub offset: f64,
    /// Service-failure probability of the line (the firm's when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_rate: Option<f64>,
}

impl Default for ProductLine {
    fn default() -> Self {
        ProductLine {
            name: "line".into(),
            offset: 0.0,
            failure_rate: None,
        }
    }
}

/// A switching-cost component an event can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CostComponent {
    Procedural,
    Financial,
    Relational,
}

/// A scheduled change to the market (MODEL.md §6). Fires at the start of `period`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Event {
    /// A firm enters the market (absent until then; a monopoly opens).
    Enter { period: u32, firm: String },
    /// A firm leaves; its customers must choose another firm or go without.
    Exit { period: u32, firm: String },
    /// A switching-cost component changes, for one segment or all (number portability).
    SwitchingCost {
        period: u32,
        component: CostComponent,
        value: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        segment: Option<String>,
    },
    /// A firm field changes: one of [`FIRM_FIELDS`].
    Firm {
        period: u32,
        firm: String,
        field: String,
        value: f64,
    },
    /// Service failures rise to `failure_rate` for `duration` periods, at one firm or all.
    FailureWave {
        period: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        firm: Option<String>,
        failure_rate: f64,
        duration: u32,
    },
    /// A firm's complaint handling changes.
    ComplaintPolicy {
        period: u32,
        firm: String,
        resolution_rate: f64,
    },
}

impl Event {
    pub fn period(&self) -> u32 {
        match self {
            Event::Enter { period, .. }
            | Event::Exit { period, .. }
            | Event::SwitchingCost { period, .. }
            | Event::Firm { period, .. }
            | Event::FailureWave { period, .. }
            | Event::ComplaintPolicy { period, .. } => *period,
        }
    }

    /// A short label for `timeseries.csv` and charts; its numbers as `compact` writes them.
    pub fn label(&self) -> String {
        match self {
            Event::Enter { firm, .. } => format!("{firm} enters"),
            Event::Exit { firm, .. } => format!("{firm} exits"),
            Event::SwitchingCost {
                component,
                value,
                segment,
                ..
            } => {
                let who = segment.as_deref().unwrap_or("all");
                let what = format!("{component:?}").to_lowercase();
                format!("{what} switching cost = {} ({who})", compact(*value))
            }
            Event::Firm {
                firm, field, value, ..
            } => format!("{firm} {field} = {}", compact(*value)),
            Event::FailureWave {
                firm,
                failure_rate,
                duration,
                ..
            } => format!(
                "failure wave {} for {duration} at {}",
                compact(*failure_rate),
                firm.as_deref().unwrap_or("all firms")
            ),
            Event::ComplaintPolicy {
                firm,
                resolution_rate,
                ..
            } => format!("{firm} resolution rate = {}", compact(*resolution_rate)),
        }
    }
}

/// A number for a label: as a scenario would write it when that is short (0.3, 2.5,
/// 1200), otherwise in four significant digits, with a power of ten when the number is
/// very large or small (1e-308 rather than 308 digits, 0.1235 for 0.123456789).
pub fn compact(v: f64) -> String {
    let plain = v.to_string();
    if plain.len() <= 10 || !v.is_finite() {
        return plain;
    }
    let trim = |s: &str| {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s.to_string()
        }
    };
    let exp = format!("{v:.3e}");
    let (mantissa, power) = exp.split_once('e').unwrap_or((&exp, "0"));
    match power.parse::<i32>() {
        Ok(p) if (-4..6).contains(&p) => trim(&format!("{v:.*}", (3 - p).max(0) as usize)),
        _ => format!("{}e{power}", trim(mantissa)),
    }
}

/// The firm fields an event of kind `firm` may change.
pub const FIRM_FIELDS: [&str; 16] = [
    "price",
    "value.product",
    "value.service",
    "value.personnel",
    "value.image",
    "costs.time",
    "costs.energy",
    "costs.psychic",
    "inconsistency",
    "failure_rate",
    "failure_severity",
    "margin",
    "margin_growth",
    "acquisition_cost",
    "retention_spend",
    "resolution_rate",
];

/// A mutable reference to a firm's field by its event name.
pub fn firm_field<'a>(firm: &'a mut super::Firm, field: &str) -> Option<&'a mut f64> {
    Some(match field {
        "price" => &mut firm.price,
        "value.product" => &mut firm.value.product,
        "value.service" => &mut firm.value.service,
        "value.personnel" => &mut firm.value.personnel,
        "value.image" => &mut firm.value.image,
        "costs.time" => &mut firm.costs.time,
        "costs.energy" => &mut firm.costs.energy,
        "costs.psychic" => &mut firm.costs.psychic,
        "inconsistency" => &mut firm.inconsistency,
        "failure_rate" => &mut firm.failure_rate,
        "failure_severity" => &mut firm.failure_severity,
        "margin" => &mut firm.margin,
        "margin_growth" => &mut firm.margin_growth,
        "acquisition_cost" => &mut firm.acquisition_cost,
        "retention_spend" => &mut firm.retention_spend,
        "resolution_rate" => &mut firm.resolution_rate,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_numbers_are_compact() {
        assert_eq!(compact(0.3), "0.3");
        assert_eq!(compact(2.0), "2");
        assert_eq!(compact(-2.5), "-2.5");
        assert_eq!(compact(123456.789), "123456.789");
        assert_eq!(compact(1e-308), "1e-308");
        assert_eq!(compact(1e20), "1e20");
        assert_eq!(compact(0.123456789), "0.1235");
        assert_eq!(compact(0.00012345678), "0.0001235");
        assert_eq!(compact(1234567.891), "1.235e6");
        assert_eq!(compact(f64::MAX), "1.798e308");
        let e = Event::Firm {
            period: 5,
            firm: "A".into(),
            field: "price".into(),
            value: 1e-308,
        };
        assert_eq!(e.label(), "A price = 1e-308");
    }
}
