//! Voice: complaints and their handling (Hirschman's voice before exit; TARP).
//!
//! A customer whose experience falls below its adequate level has a *problem*; it
//! complains with a probability that rises as its satisfaction falls. While the
//! complaint is pending it is patient (its chance to defect is damped); the firm
//! resolves a pending complaint with its `resolution_rate` each period, and a resolution
//! lifts satisfaction, a quick one more; a complaint still pending after `give_up`
//! periods is unresolved and lowers satisfaction. Each problem opens an *episode* whose
//! outcome (stayed through `horizon` periods or left) feeds the complaint table.

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

    /// The group an episode counts in: a complaint still pending when the customer
    /// leaves was not resolved.
    pub fn group(self) -> Voice {
        match self {
            Voice::Pending => Voice::Unresolved,
            v => v,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Voice::Silent => "did_not_complain",
            Voice::Pending => "pending",
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
        assert_eq!(Voice::Pending.group(), Voice::Unresolved);
    }
}
