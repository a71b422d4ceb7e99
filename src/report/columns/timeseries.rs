//! The columns of a run's `timeseries.csv` (also the per-run part of a sweep's time
//! series): the longest table, a firm in a period, kept in a file of its own.

use super::cell::ratio;
use super::{Cell, Column, Dtype};
use crate::engine::tally::FirmTally;
use crate::model::CustomerType;

/// One row of `timeseries.csv`: a firm in a period.
pub struct TimeseriesRow {
    pub period: u32,
    pub firm: String,
    /// Customers of all firms at the start of the period.
    pub market_customers: u64,
    pub prospects: u64,
    pub tally: FirmTally,
    /// Whether the firm was in the market during the period.
    pub present: bool,
    /// Labels of the events that fired at the start of the period, `; `-separated.
    pub events: String,
}

macro_rules! type_column {
    ($t:expr, $name:literal, $meaning:literal) => {
        Column {
            name: $name,
            meaning: $meaning,
            dtype: Dtype::Int,
            value: |r: &TimeseriesRow| Cell::Int(r.tally.count($t)),
        }
    };
}

/// The columns of `timeseries.csv`.
pub fn timeseries() -> Vec<Column<TimeseriesRow>> {
    vec![
        Column {
            name: "period",
            meaning: "period number, from 1",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.period as u64),
        },
        Column {
            name: "firm",
            meaning: "firm name",
            dtype: Dtype::String,
            value: |r| Cell::Text(r.firm.clone()),
        },
        Column {
            name: "customers",
            meaning: "customers at the start of the period (each made a decision)",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.tally.customers),
        },
        Column {
            name: "share",
            meaning: "customers / customers of all firms",
            dtype: Dtype::Float,
            value: |r| ratio(r.tally.customers, r.market_customers),
        },
        Column {
            name: "acquisitions",
            meaning: "customers who joined during the period (prospects and switchers)",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.tally.acquisitions),
        },
        Column {
            name: "defections",
            meaning: "customers who left during the period",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.tally.defections),
        },
        Column {
            name: "defections_to_outside",
            meaning: "leavers who stopped buying rather than switch",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.tally.to_outside),
        },
        Column {
            name: "retention",
            meaning: "1 − defections / customers",
            dtype: Dtype::Float,
            value: |r| Cell::Float(r.tally.retention()),
        },
        Column {
            name: "intenders",
            meaning: "customers who intended to leave (defected or held as hostages)",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.tally.intenders),
        },
        Column {
            name: "mean_cs",
            meaning: "mean cumulative satisfaction (1 to 5) after the period's experience",
            dtype: Dtype::Float,
            value: |r| Cell::Float(r.tally.mean_cs()),
        },
        Column {
            name: "mean_expectation",
            meaning: "mean expectation of delivered value",
            dtype: Dtype::Float,
            value: |r| Cell::Float(r.tally.mean_expectation()),
        },
        type_column!(
            CustomerType::Apostle,
            "apostles",
            "stayed with CS >= types.apostle"
        ),
        type_column!(
            CustomerType::Loyalist,
            "loyalists",
            "stayed without intending to leave, below the apostle threshold"
        ),
        type_column!(
            CustomerType::Mercenary,
            "mercenaries",
            "left although satisfied (CS >= types.satisfied)"
        ),
        type_column!(
            CustomerType::Hostage,
            "hostages",
            "intended to leave, held by the constraint"
        ),
        type_column!(
            CustomerType::Defector,
            "defectors",
            "left with CS below types.satisfied"
        ),
        type_column!(
            CustomerType::Terrorist,
            "terrorists",
            "CS <= types.terrorist, whether staying or leaving"
        ),
        Column {
            name: "mean_r_eff",
            meaning: "effective R: −ln of the mean chance an intending customer gets over the barriers",
            dtype: Dtype::Float,
            value: |r| Cell::Float(r.tally.mean_r_eff()),
        },
        Column {
            name: "prospects",
            meaning: "people outside the market at the start of the period (same in every row of a period)",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.prospects),
        },
        Column {
            name: "net_adds",
            meaning: "acquisitions − defections: the leaky bucket's net",
            dtype: Dtype::Int,
            value: |r| Cell::Signed(r.tally.acquisitions as i64 - r.tally.defections as i64),
        },
        Column {
            name: "revenue",
            meaning: "price paid by the customers who stayed",
            dtype: Dtype::Float,
            value: |r| Cell::Float(Some(r.tally.revenue)),
        },
        Column {
            name: "margin",
            meaning: "margin earned from the customers who stayed (grows with tenure when firms.margin_growth > 0)",
            dtype: Dtype::Float,
            value: |r| Cell::Float(Some(r.tally.margin)),
        },
        Column {
            name: "acquisition_spend",
            meaning: "acquisition cost × acquisitions",
            dtype: Dtype::Float,
            value: |r| Cell::Float(Some(r.tally.acquisition_spend)),
        },
        Column {
            name: "retention_spend",
            meaning: "retention spend × customers",
            dtype: Dtype::Float,
            value: |r| Cell::Float(Some(r.tally.retention_spend)),
        },
        Column {
            name: "profit",
            meaning: "margin − acquisition_spend − retention_spend",
            dtype: Dtype::Float,
            value: |r| Cell::Float(Some(r.tally.profit())),
        },
        Column {
            name: "wom_positive",
            meaning: "positive word-of-mouth messages about the firm heard this period",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.tally.wom_positive),
        },
        Column {
            name: "wom_negative",
            meaning: "negative word-of-mouth messages about the firm heard this period",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.tally.wom_negative),
        },
        Column {
            name: "complaints",
            meaning: "complaints made this period",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.tally.complaints),
        },
        Column {
            name: "resolved",
            meaning: "complaints resolved this period, after more than complaints.quick periods",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.tally.resolved),
        },
        Column {
            name: "resolved_quickly",
            meaning: "complaints resolved this period within complaints.quick periods",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.tally.resolved_quickly),
        },
        Column {
            name: "unresolved",
            meaning: "complaints given up as unresolved this period",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.tally.unresolved),
        },
        Column {
            name: "present",
            meaning: "1 if the firm was in the market this period, 0 before it enters or after it exits",
            dtype: Dtype::Int,
            value: |r| Cell::Int(r.present as u64),
        },
        Column {
            name: "events",
            meaning: "events that fired at the start of the period (same in every row of a period)",
            dtype: Dtype::String,
            value: |r| Cell::Text(r.events.clone()),
        },
    ]
}
