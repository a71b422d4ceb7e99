//! The customers' random numbers, by counter: each draw a pure function of (seed,
//! customer, period, purpose).
//!
//! A draw is Philox4x32-10 (Salmon, Moraes, Dror & Shaw 2011, "Parallel random numbers:
//! as easy as 1, 2, 3", the Random123 generator) of the counter
//! `[customer low 32 bits, customer high 32 bits, period, purpose]` under a key derived
//! from the master seed: four 32-bit words, each a uniform. So a customer's numbers do
//! not depend on which chunk it sits in, how the chunks are cut, which thread runs them
//! or what other customers drew; a customer draws only what it uses (a leaver's choice,
//! a complaint's voice, a product line's experience) and every other draw stays where it
//! was; and the draws of a block of customers are independent lanes of the same
//! arithmetic, which vectorises.
//!
//! Philox is 32-bit multiplies, xors and adds, exact on every machine. The normal is
//! Box–Muller's `√(−2 ln u₁)·cos(2π u₂)` with `ln` and `cos` computed here by fixed
//! polynomials and IEEE operations only (no fused multiply-add, no platform `libm`), so
//! it is the same double on every machine and instruction set, and vectorises too.
//! The Philox implementation is checked against Random123's known-answer vectors, and
//! `ln`, `cos` and the normal against the standard library and the normal's moments.
//!
//! No published crate fits: the `philox` crate (0.0.0, 2019) is unmaintained, and the
//! general ones draw a stream rather than a pure function of a counter.

/// What a draw is for: the last word of its counter, so no two purposes share a draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum Purpose {
    /// The experience: the normal of perceived value (two words), the failure and the
    /// decision uniforms. Every customer of a firm, every period.
    Experience = 0,
    /// Where a leaver or a shopping prospect goes, and whether a problem becomes a
    /// complaint or a complaint is resolved.
    ChoiceAndVoice = 1,
    /// The initial population: segment, outside, firm, tenure.
    Initial = 2,
    /// The initial population's four normals (standard, tolerance, CS, switching cost),
    /// from two draws: this purpose and the next.
    InitialNormals = 3,
    /// Product line `l` (1 to 15) of the customer's firm: its normal and failure uniform,
    /// at `Line as u32 + l`.
    Line = 16,
}

/// A key of the customers' draws, from the master seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key([u32; 2]);

impl Key {
    pub fn new(seed: u64) -> Key {
        let k = super::seed::derive(seed, &[STREAM_CUSTOMERS]);
        Key([k as u32, (k >> 32) as u32])
    }
}

/// Label of the customers' draws among the seed's streams.
const STREAM_CUSTOMERS: u64 = 5;

/// Philox4x32's multipliers and key increments (Random123).
const M0: u32 = 0xD251_1F53;
const M1: u32 = 0xCD9E_8D57;
const W0: u32 = 0x9E37_79B9;
const W1: u32 = 0xBB67_AE85;

/// Philox4x32-10 of `ctr` under `key`.
#[inline(always)]
pub fn philox(mut ctr: [u32; 4], key: Key) -> [u32; 4] {
    let [mut k0, mut k1] = key.0;
    for round in 0..10 {
        if round > 0 {
            k0 = k0.wrapping_add(W0);
            k1 = k1.wrapping_add(W1);
        }
        let p0 = M0 as u64 * ctr[0] as u64;
        let p1 = M1 as u64 * ctr[2] as u64;
        ctr = [
            (p1 >> 32) as u32 ^ ctr[1] ^ k0,
            p1 as u32,
            (p0 >> 32) as u32 ^ ctr[3] ^ k1,
            p0 as u32,
        ];
    }
    ctr
}

/// The four words of customer `customer`'s draw for `purpose` in `period` (0 for the
/// initial population; periods count from 1).
#[inline(always)]
pub fn words(key: Key, customer: u64, period: u32, purpose: u32) -> [u32; 4] {
    philox(
        [customer as u32, (customer >> 32) as u32, period, purpose],
        key,
    )
}

/// A uniform in (0, 1) from a 32-bit word: the centre of one of 2³² equal cells, so
/// never 0 or 1 (`u < p` is false for p = 0 and true for p = 1) and safe for `ln`.
#[inline(always)]
pub fn uniform(word: u32) -> f64 {
    (word as f64 + 0.5) * (1.0 / 4_294_967_296.0)
}

/// A standard normal from two words: Box–Muller's cosine branch.
#[inline(always)]
pub fn normal(w1: u32, w2: u32) -> f64 {
    (-2.0 * ln_unit(uniform(w1))).sqrt() * cos_tau(uniform(w2))
}

/// `1/(2k+1)`, k = 0…8: `ln m = 2 atanh s = 2 Σ s^(2k+1)/(2k+1)`.
const ATANH: [f64; 9] = {
    let mut c = [0.0; 9];
    let mut k = 0;
    while k < 9 {
        c[k] = 1.0 / (2 * k + 1) as f64;
        k += 1;
    }
    c
};

/// `(−1)^k/(2k)!`, k = 0…10: the cosine's Taylor series.
const COS: [f64; 11] = {
    let mut c = [0.0; 11];
    let mut term = 1.0;
    let mut k = 0;
    while k < 11 {
        c[k] = term;
        term = -term / ((2 * k + 1) * (2 * k + 2)) as f64;
        k += 1;
    }
    c
};

/// Horner's rule, highest coefficient last, without fused multiply-add (Rust never
/// fuses on its own).
#[inline(always)]
fn horner<const N: usize>(x: f64, c: &[f64; N]) -> f64 {
    let mut acc = c[N - 1];
    for k in (0..N - 1).rev() {
        acc = acc * x + c[k];
    }
    acc
}

/// `ln u` for a uniform of [`uniform`] (a positive normal double below 1): `u = m·2^e`
/// with m in [√½, √2), `ln m = 2 atanh((m − 1)/(m + 1))` by its series through the
/// 17th power (|s| ≤ 0.172, so the first term left out is below 1e−15 of the sum).
#[inline(always)]
pub fn ln_unit(u: f64) -> f64 {
    let bits = u.to_bits();
    let exponent = (bits >> 52) as i64 - 1023;
    let m = f64::from_bits((bits & ((1u64 << 52) - 1)) | (1023u64 << 52));
    let high = m > std::f64::consts::SQRT_2;
    let m = if high { m * 0.5 } else { m };
    let e = (exponent + high as i64) as f64;
    let s = (m - 1.0) / (m + 1.0);
    e * std::f64::consts::LN_2 + 2.0 * s * horner(s * s, &ATANH)
}

/// `cos 2πu` for u in (0, 1): folded to an angle in [0, π/2] (`u − ½` and `½ − a` are
/// exact for uniforms of [`uniform`]), then the Taylor series through x²⁰ (the first
/// term left out is below 2e−17).
#[inline(always)]
pub fn cos_tau(u: f64) -> f64 {
    // cos 2πu = −cos 2π(u − ½), and cos is even.
    let a = (u - 0.5).abs();
    // cos 2πa = −cos 2π(½ − a).
    let flip = a > 0.25;
    let b = if flip { 0.5 - a } else { a };
    let x = std::f64::consts::TAU * b;
    let c = horner(x * x, &COS);
    if flip { c } else { -c }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random123's known-answer vectors for Philox4x32-10 (kat_vectors: counter, key,
    /// output).
    #[test]
    fn philox_gives_random123s_known_answers() {
        let cases = [
            (
                [0; 4],
                [0; 2],
                [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8],
            ),
            (
                [u32::MAX; 4],
                [u32::MAX; 2],
                [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
            ),
            (
                [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
                [0xa4093822, 0x299f31d0],
                [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
            ),
        ];
        for (ctr, key, want) in cases {
            assert_eq!(philox(ctr, Key(key)), want);
        }
    }

    #[test]
    fn ln_and_cos_match_the_standard_library() {
        let mut worst = (0.0f64, 0.0f64);
        for w in (0..=u32::MAX)
            .step_by(65_537)
            .chain([0, 1, u32::MAX - 1, u32::MAX])
        {
            let u = uniform(w);
            assert!(u > 0.0 && u < 1.0);
            let ln_err = (ln_unit(u) - u.ln()).abs() / u.ln().abs();
            let cos_err = (cos_tau(u) - (std::f64::consts::TAU * u).cos()).abs();
            worst = (worst.0.max(ln_err), worst.1.max(cos_err));
        }
        assert!(worst.0 < 1e-14 && worst.1 < 1e-14, "{worst:?}");
    }

    #[test]
    fn the_normal_has_the_moments_of_a_standard_normal() {
        let key = Key::new(7);
        let n = 400_000;
        let (mut s1, mut s2, mut s4, mut beyond) = (0.0, 0.0, 0.0, 0u32);
        for i in 0..n {
            let w = words(key, i, 1, Purpose::Experience as u32);
            let z = normal(w[0], w[1]);
            s1 += z;
            s2 += z * z;
            s4 += z * z * z * z;
            beyond += (z.abs() > 1.959964) as u32;
        }
        let n = n as f64;
        let (mean, var, kurt) = (s1 / n, s2 / n, s4 / n);
        // Standard errors: 1/√n = 0.0016 for the mean, √2/√n = 0.0022 for the
        // variance, √96/√n = 0.015 for the fourth moment; four of each allowed.
        assert!(mean.abs() < 0.0064, "{mean}");
        assert!((var - 1.0).abs() < 0.009, "{var}");
        assert!((kurt - 3.0).abs() < 0.062, "{kurt}");
        let tail = beyond as f64 / n;
        assert!((tail - 0.05).abs() < 0.0014, "{tail}");
    }

    #[test]
    fn draws_depend_on_every_word_of_the_counter() {
        let key = Key::new(1);
        let base = words(key, 5, 3, 0);
        assert_ne!(base, words(key, 6, 3, 0));
        assert_ne!(base, words(key, 5 + (1 << 32), 3, 0));
        assert_ne!(base, words(key, 5, 4, 0));
        assert_ne!(base, words(key, 5, 3, 1));
        assert_ne!(base, words(Key::new(2), 5, 3, 0));
        assert_eq!(base, words(key, 5, 3, 0));
    }
}
