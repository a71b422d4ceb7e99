//! How a customer answers a satisfaction survey: whether it answers at all (non-response
//! that depends on satisfaction) and what it reports on the 1 to 5 scale (its CS plus
//! response noise, rounded). A survey measures; it changes nothing in the market.

use crate::scenario::Survey;

/// The reported score, or `None` when the customer does not answer. `u` is uniform and
/// `z` standard normal.
#[inline]
pub fn answer(cs: f64, u: f64, z: f64, p: &Survey) -> Option<u8> {
    let respond = (p.response_rate + p.response_slope * (cs - 3.0)).clamp(0.0, 1.0);
    (u < respond).then(|| (cs + p.noise * z).round().clamp(1.0, 5.0) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_on_the_scale_and_response_depends_on_satisfaction() {
        let p = Survey {
            response_rate: 0.5,
            response_slope: 0.1,
            noise: 0.0,
            ..Survey::default()
        };
        assert_eq!(answer(3.4, 0.0, 0.0, &p), Some(3));
        assert_eq!(answer(4.9, 0.0, 3.0, &Survey { noise: 1.0, ..p }), Some(5));
        assert_eq!(answer(1.2, 0.0, -3.0, &Survey { noise: 1.0, ..p }), Some(1));
        // At CS 5 the response rate is 0.7, at CS 1 it is 0.3.
        assert!(answer(5.0, 0.65, 0.0, &p).is_some());
        assert!(answer(1.0, 0.35, 0.0, &p).is_none());
    }
}
