//! The six Jones & Sasser customer types (MODEL.md §4).
//!
//! Every customer of a firm gets exactly one type each period, so the six counts add up
//! to the firm's customers. Where two rules apply, the first in this order wins:
//! terrorist, mercenary, defector, hostage, apostle, loyalist. A terrorist is a terrorist
//! whether it stays or leaves; a leaver is a mercenary when satisfied, a defector
//! otherwise; a stayer who intended to leave is a hostage; a stayer at or above the
//! apostle threshold is an apostle; every other stayer is a loyalist.

use crate::scenario::TypeThresholds;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CustomerType {
    Apostle = 0,
    Loyalist = 1,
    Mercenary = 2,
    Hostage = 3,
    Defector = 4,
    Terrorist = 5,
}

impl CustomerType {
    pub const ALL: [CustomerType; 6] = [
        CustomerType::Apostle,
        CustomerType::Loyalist,
        CustomerType::Mercenary,
        CustomerType::Hostage,
        CustomerType::Defector,
        CustomerType::Terrorist,
    ];

    /// Plural name, as used in CSV headers and charts.
    pub fn plural(self) -> &'static str {
        match self {
            CustomerType::Apostle => "apostles",
            CustomerType::Loyalist => "loyalists",
            CustomerType::Mercenary => "mercenaries",
            CustomerType::Hostage => "hostages",
            CustomerType::Defector => "defectors",
            CustomerType::Terrorist => "terrorists",
        }
    }

    /// Classifies a customer from its satisfaction after this period's experience and
    /// its decision.
    ///
    /// Written as selections rather than nested branches (the rules are those of the
    /// table, in its order), so the compiler can avoid jumps that CS, spread over the
    /// scale, would make hard to predict.
    #[inline]
    pub fn classify(cs: f64, intended: bool, left: bool, t: &TypeThresholds) -> CustomerType {
        let leaver = if cs >= t.satisfied {
            CustomerType::Mercenary
        } else {
            CustomerType::Defector
        };
        let content = if cs >= t.apostle {
            CustomerType::Apostle
        } else {
            CustomerType::Loyalist
        };
        let stayer = if intended {
            CustomerType::Hostage
        } else {
            content
        };
        let kind = if left { leaver } else { stayer };
        if cs <= t.terrorist {
            CustomerType::Terrorist
        } else {
            kind
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CustomerType::*;
    use super::*;

    #[test]
    fn the_rules_of_the_table() {
        let t = TypeThresholds::default();
        assert_eq!(CustomerType::classify(4.8, false, false, &t), Apostle);
        assert_eq!(CustomerType::classify(3.0, false, false, &t), Loyalist);
        assert_eq!(CustomerType::classify(4.2, true, true, &t), Mercenary);
        assert_eq!(CustomerType::classify(2.5, true, false, &t), Hostage);
        assert_eq!(CustomerType::classify(2.5, true, true, &t), Defector);
        assert_eq!(CustomerType::classify(1.2, true, false, &t), Terrorist);
        assert_eq!(CustomerType::classify(1.2, true, true, &t), Terrorist);
    }
}
