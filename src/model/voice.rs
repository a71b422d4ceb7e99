//! Voice: complaints and their handling (Hirschman's voice before exit; TARP).
//!
//! A customer whose experience falls below its adequate level has a *problem*; it
//! complains with a probability that rises as its satisfaction falls. While the
//! complaint is pending it is patient (its chance to defect is damped); the firm
//! resolves a pending complaint with its `resolution_rate` each period, from the period
//! the complaint is made, and a resolution lifts satisfaction, a quick one more; a
//! complaint still pending after `give_up` periods is unresolved and lowers
//! satisfaction. Each problem opens an *episode* whose outcome (stayed through `horizon`
//! periods or left) feeds the complaint table. A customer who leaves while its
//! complaint is still pending is counted apart (`left_while_pending`): the firm never
//! answered it, but nor did it fail to, and counting it as unresolved filled that group
//! with customers who left before any answer could come, so that the better a firm
//! handled complaints, the fewer of its "unresolved" customers stayed.

use crate::scenario::Complaints;

/// Where a customer stands after a problem. Stored as one byte per customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Voice {
    /// Had a problem and did not complain.
    Silent = 0,
    /// Complained; waiting for the firm.
    Pending = 1,
    /// Complained; the firm did not resolve it in time.
    Unresolved = 2,
    /// Complained; resolved.
    Resolved = 3,
    /// Complained; resolved within `complaints.quick` periods.
    ResolvedQuickly = 4,
}

impl Voice {
    /// The four groups of the complaint table, in TARP's order of loyalty.
    pub const GROUPS: [Voice; 4] = [
        Voice::Silent,
        Voice::Unresolved,
        Voice::Resolved,
        Voice::ResolvedQuickly,
    ];

    pub fn from_u8(v: u8) -> Voice {
        match v {
            1 => Voice::Pending,
            2 => Voice::Unresolved,
            3 => Voice::Resolved,
            4 => Voice::ResolvedQuickly,
            _ => Voice::Silent,
        }
    }

    /// The rows of the complaint table (complaints.csv): TARP's four groups, then the
    /// episodes that ended with the complaint still pending.
    pub const TABLE: [Voice; 5] = [
        Voice::Silent,
        Voice::Unresolved,
        Voice::Resolved,
        Voice::ResolvedQuickly,
        Voice::Pending,
    ];

    /// The name of the group in complaints.csv and calibration targets.
    pub fn name(self) -> &'static str {
        match self {
            Voice::Silent => "did_not_complain",
            // An episode ends while pending only when the customer leaves (the horizon
            // is longer than `give_up`, so a complaint is settled or given up first).
            Voice::Pending => "left_while_pending",
            Voice::Unresolved => "complained_unresolved",
            Voice::Resolved => "resolved",
            Voice::ResolvedQuickly => "resolved_quickly",
        }
    }
}

/// Probability of complaining after a problem at satisfaction `cs`.
#[inline]
pub fn complaint_probability(cs: f64, p: &Complaints) -> f64 {
    p.rate * ((p.threshold - cs) / (p.threshold - 1.0)).clamp(0.0, 1.0)
}

/// What happened to a pending complaint this period, `waited` periods after it was made.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Settlement {
    StillPending,
    /// Resolved; satisfaction rises by `lift`.
    Resolved {
        quick: bool,
        lift: f64,
    },
    /// Given up; satisfaction falls by `drop`.
    GivenUp {
        drop: f64,
    },
}

/// Settles a pending complaint with the firm's `resolution_rate` and a uniform draw.
#[inline]
pub fn settle(waited: u32, resolution_rate: f64, u: f64, p: &Complaints) -> Settlement {
    if u < resolution_rate {
        let quick = waited <= p.quick;
        Settlement::Resolved {
            quick,
            lift: if quick { p.quick_lift } else { p.resolved_lift },
        }
    } else if waited >= p.give_up {
        Settlement::GivenUp {
            drop: p.unresolved_drop,
        }
    } else {
        Settlement::StillPending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dissatisfied_complain_more() {
        let p = Complaints {
            rate: 0.6,
            threshold: 3.0,
            ..Complaints::default()
        };
        assert_eq!(complaint_probability(1.0, &p), 0.6);
        assert!((complaint_probability(2.0, &p) - 0.3).abs() < 1e-12);
        assert_eq!(complaint_probability(4.0, &p), 0.0);
    }

    #[test]
    fn quick_resolutions_lift_more_and_old_complaints_are_given_up() {
        let p = Complaints::default();
        assert_eq!(
            settle(1, 0.5, 0.1, &p),
            Settlement::Resolved {
                quick: true,
                lift: p.quick_lift
            }
        );
        assert_eq!(
            settle(2, 0.5, 0.1, &p),
            Settlement::Resolved {
                quick: false,
                lift: p.resolved_lift
            }
        );
        assert_eq!(settle(1, 0.5, 0.9, &p), Settlement::StillPending);
        assert_eq!(
            settle(p.give_up, 0.5, 0.9, &p),
            Settlement::GivenUp {
                drop: p.unresolved_drop
            }
        );
    }
}
