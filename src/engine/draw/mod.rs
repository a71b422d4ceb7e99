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

/// The instruction set the block's draws run on. Every path gives the same bytes
/// (`tests::the_vector_path_gives_the_scalar_bytes` here, and
/// `kernel::tests::the_instruction_set_changes_no_bit` for whole runs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    /// What every processor of the target has: one customer at a time.
    Baseline,
    /// x86-64 with AVX2: eight customers at a time for Philox's 32-bit multiplies,
    /// four for the normal's doubles.
    Avx2,
}

impl Isa {
    /// The widest instruction set this processor has.
    pub fn detect() -> Isa {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            return Isa::Avx2;
        }
        Isa::Baseline
    }
}

/// Customers whose draws are made ahead of their steps, in one tight loop.
pub const BLOCK: usize = 256;

/// The four words of each of `P` purposes for up to [`BLOCK`] customers:
/// `[purpose][word][customer]`.
pub type Words<const P: usize> = [[[u32; BLOCK]; 4]; P];

/// The words of customers `first..first + len` in `period` for each of `purposes`, on
/// instruction set `isa`.
pub fn fill_words<const P: usize>(
    isa: Isa,
    key: Key,
    period: u32,
    first: u64,
    len: usize,
    purposes: [u32; P],
    out: &mut Words<P>,
) {
    assert!(len <= BLOCK);
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if isa == Isa::Avx2 {
        // SAFETY: `Isa::Avx2` is only ever chosen where the processor has AVX2
        // (`Isa::detect`).
        done = unsafe { avx2::fill_words(key, period, first, len, purposes, out) };
    }
    let _ = isa;
    // The lane indexes the innermost of three dimensions.
    #[allow(clippy::needless_range_loop)]
    for k in done..len {
        for (p, &purpose) in purposes.iter().enumerate() {
            let w = words(key, first + k as u64, period, purpose);
            for (i, w) in w.into_iter().enumerate() {
                out[p][i][k] = w;
            }
        }
    }
}

/// The uniforms of the first `len` words, on instruction set `isa`.
pub fn fill_uniforms(isa: Isa, words: &[u32; BLOCK], out: &mut [f64; BLOCK], len: usize) {
    assert!(len <= BLOCK);
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if isa == Isa::Avx2 {
        // SAFETY: as in `fill_words`.
        done = unsafe { avx2::fill_uniforms(words, out, len) };
    }
    let _ = isa;
    for (out, &w) in out[done..len].iter_mut().zip(&words[done..len]) {
        *out = uniform(w);
    }
}

/// The normals of the first `len` pairs of words, on instruction set `isa`.
pub fn fill_normals(
    isa: Isa,
    w1: &[u32; BLOCK],
    w2: &[u32; BLOCK],
    out: &mut [f64; BLOCK],
    len: usize,
) {
    assert!(len <= BLOCK);
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if isa == Isa::Avx2 {
        // SAFETY: as in `fill_words`.
        done = unsafe { avx2::fill_normals(w1, w2, out, len) };
    }
    let _ = isa;
    for ((out, &w1), &w2) in out[done..len]
        .iter_mut()
        .zip(&w1[done..len])
        .zip(&w2[done..len])
    {
        *out = normal(w1, w2);
    }
}

/// The draws of up to [`BLOCK`] customers for one period: the experience
/// ([`Purpose::Experience`]: a normal and two uniforms) and the choice and voice
/// ([`Purpose::ChoiceAndVoice`]: two uniforms), made for every customer of the block
/// in loops of independent lanes, whether the customer uses them or not (the choice
/// is used by leavers and shoppers, the voice by complaints). Drawing the choice for
/// everyone costs a second Philox per customer in the vector loop; drawing it where it
/// is used cost a scalar Philox, a chain of 40 dependent operations, for each leaver
/// and shopper, which was slower. Product lines draw theirs where they are used
/// ([`Purpose::Line`]).
pub struct Block {
    /// Standard normal: the noise of perceived value.
    pub z: [f64; BLOCK],
    /// Whether a service failure happens.
    pub u_failure: [f64; BLOCK],
    /// The decision (intend, leave), or whether a prospect shops.
    pub u_decision: [f64; BLOCK],
    /// Where a leaver or a shopper goes.
    pub u_choice: [f64; BLOCK],
    /// Whether a problem becomes a complaint, or a pending complaint is settled.
    pub u_voice: [f64; BLOCK],
    words: Words<2>,
}

impl Block {
    pub const EMPTY: Block = Block {
        z: [0.0; BLOCK],
        u_failure: [0.0; BLOCK],
        u_decision: [0.0; BLOCK],
        u_choice: [0.0; BLOCK],
        u_voice: [0.0; BLOCK],
        words: [[[0; BLOCK]; 4]; 2],
    };

    /// The draws of customers `first..first + len` in `period`, on instruction set
    /// `isa`: the same arithmetic on every path, so the same bytes.
    #[inline(never)]
    pub fn draw(&mut self, isa: Isa, key: Key, period: u32, first: u64, len: usize) {
        let purposes = [Purpose::Experience as u32, Purpose::ChoiceAndVoice as u32];
        fill_words(isa, key, period, first, len, purposes, &mut self.words);
        let [[z1, z2, failure, decision], [choice, voice, _, _]] = &self.words;
        fill_normals(isa, z1, z2, &mut self.z, len);
        fill_uniforms(isa, failure, &mut self.u_failure, len);
        fill_uniforms(isa, decision, &mut self.u_decision, len);
        fill_uniforms(isa, choice, &mut self.u_choice, len);
        fill_uniforms(isa, voice, &mut self.u_voice, len);
    }
}

/// The initial population's draws of up to [`BLOCK`] customers (period 0): four
/// uniforms ([`Purpose::Initial`]: segment, outside, firm, tenure) and four normals
/// ([`Purpose::InitialNormals`] and the next: standard, tolerance, CS, switching cost).
pub struct Initial {
    /// Segment, outside, firm, tenure.
    pub u: [[f64; BLOCK]; 4],
    /// Standard, tolerance, CS, switching cost.
    pub z: [[f64; BLOCK]; 4],
    words: Words<3>,
}

impl Initial {
    pub fn new() -> Box<Initial> {
        Box::new(Initial {
            u: [[0.0; BLOCK]; 4],
            z: [[0.0; BLOCK]; 4],
            words: [[[0; BLOCK]; 4]; 3],
        })
    }

    /// The draws of customers `first..first + len`, on instruction set `isa`.
    pub fn draw(&mut self, isa: Isa, key: Key, first: u64, len: usize) {
        let n = Purpose::InitialNormals as u32;
        let purposes = [Purpose::Initial as u32, n, n + 1];
        fill_words(isa, key, 0, first, len, purposes, &mut self.words);
        let [uniforms, [a1, a2, b1, b2], [c1, c2, d1, d2]] = &self.words;
        for (w, u) in uniforms.iter().zip(&mut self.u) {
            fill_uniforms(isa, w, u, len);
        }
        for ((w1, w2), z) in [(a1, a2), (b1, b2), (c1, c2), (d1, d2)]
            .into_iter()
            .zip(&mut self.z)
        {
            fill_normals(isa, w1, w2, z, len);
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2;

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

    /// The vector path gives the scalar path's bits: words, uniforms and normals, at
    /// lengths that leave a scalar tail, on words at the edges of the uniforms and of
    /// the folds in `ln_unit` (√2) and `cos_tau` (¼, ½, ¾).
    #[test]
    fn the_vector_path_gives_the_scalar_bytes() {
        let widest = Isa::detect();
        let key = Key::new(11);
        for (first, period, len) in [
            (0u64, 1u32, BLOCK),
            (u32::MAX as u64 - 5, 7, 203),
            (999, 2, 15),
        ] {
            let purposes = [0, 1, 5];
            let (mut a, mut b) = (
                Box::new([[[0u32; BLOCK]; 4]; 3]),
                Box::new([[[0u32; BLOCK]; 4]; 3]),
            );
            fill_words(Isa::Baseline, key, period, first, len, purposes, &mut a);
            fill_words(widest, key, period, first, len, purposes, &mut b);
            assert_eq!(a, b);
            assert_eq!(
                a[2][3][len - 1],
                words(key, first + len as u64 - 1, period, 5)[3]
            );
        }
        // Words whose uniforms sit at the folds: u = ¼, ½, ¾ and m = √2 lie between
        // neighbouring words.
        let at = |u: f64| (u * 4_294_967_296.0) as u32;
        let sqrt_half = at(std::f64::consts::FRAC_1_SQRT_2);
        let mut w1 = [0u32; BLOCK];
        let mut w2 = [0u32; BLOCK];
        let edges = [
            0,
            1,
            2,
            u32::MAX - 1,
            u32::MAX,
            at(0.25),
            at(0.5),
            at(0.75),
            sqrt_half,
        ];
        let mut k = 0;
        for e in edges {
            for d in 0..3u32 {
                w1[k] = e.wrapping_add(d).wrapping_sub(1);
                w2[BLOCK - 1 - k] = w1[k];
                k += 1;
            }
        }
        let mut state = 0x9e37_79b9_u32;
        for w in w1[k..BLOCK - k].iter_mut().chain(&mut w2[k..BLOCK - k]) {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            *w = state;
        }
        for len in [BLOCK, BLOCK - 3] {
            let (mut a, mut b) = ([0.0; BLOCK], [0.0; BLOCK]);
            fill_normals(Isa::Baseline, &w1, &w2, &mut a, len);
            fill_normals(widest, &w1, &w2, &mut b, len);
            assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits));
            fill_uniforms(Isa::Baseline, &w1, &mut a, len);
            fill_uniforms(widest, &w1, &mut b, len);
            assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits));
            assert_eq!(a[0], uniform(w1[0]));
        }
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
