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

/// The block's draws in AVX2 (and no fused multiply-add, which would round differently
/// from the scalar path): each operation is the scalar path's, lane by lane, and
/// integer arithmetic, IEEE addition, multiplication, division and square root are
/// exact or correctly rounded, so every lane is the scalar path's double.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{ATANH, BLOCK, COS, Key, M0, M1, W0, W1, Words};
    use std::arch::x86_64::*;

    /// Philox4x32-10 of `N` sets of eight counters each, `[c0[i], c1[i], period,
    /// purposes[n]]`: the four output words of each lane of each set. The sets go
    /// through the rounds together, so their chains of dependent multiplies overlap.
    #[target_feature(enable = "avx2")]
    fn philox8<const N: usize>(
        c0: __m256i,
        c1: __m256i,
        period: u32,
        purposes: [u32; N],
        keys: &[[__m256i; 2]; 10],
    ) -> [[__m256i; 4]; N] {
        let (m0, m1) = (_mm256_set1_epi32(M0 as i32), _mm256_set1_epi32(M1 as i32));
        let p = _mm256_set1_epi32(period as i32);
        let mut x = purposes.map(|purpose| [c0, c1, p, _mm256_set1_epi32(purpose as i32)]);
        for [k0, k1] in keys {
            for x in &mut x {
                let (hi0, lo0) = mul_hi_lo(x[0], m0);
                let (hi1, lo1) = mul_hi_lo(x[2], m1);
                *x = [
                    _mm256_xor_si256(_mm256_xor_si256(hi1, x[1]), *k0),
                    lo1,
                    _mm256_xor_si256(_mm256_xor_si256(hi0, x[3]), *k1),
                    lo0,
                ];
            }
        }
        x
    }

    /// The ten round keys of Philox4x32-10 under `key`, each in every lane.
    #[target_feature(enable = "avx2")]
    fn round_keys(key: Key) -> [[__m256i; 2]; 10] {
        let [mut k0, mut k1] = key.0;
        std::array::from_fn(|round| {
            if round > 0 {
                k0 = k0.wrapping_add(W0);
                k1 = k1.wrapping_add(W1);
            }
            [_mm256_set1_epi32(k0 as i32), _mm256_set1_epi32(k1 as i32)]
        })
    }

    /// The high and low 32 bits of the 64-bit products `a[i]·m[i]`, lane by lane.
    #[target_feature(enable = "avx2")]
    fn mul_hi_lo(a: __m256i, m: __m256i) -> (__m256i, __m256i) {
        // Products of the even lanes, then of the odd lanes (moved down), as 64 bits.
        let even = _mm256_mul_epu32(a, m);
        let odd = _mm256_mul_epu32(_mm256_srli_epi64::<32>(a), _mm256_srli_epi64::<32>(m));
        let hi = _mm256_blend_epi32::<0b1010_1010>(_mm256_srli_epi64::<32>(even), odd);
        let lo = _mm256_blend_epi32::<0b1010_1010>(even, _mm256_slli_epi64::<32>(odd));
        (hi, lo)
    }

    /// Four 32-bit words as the uniforms of `super::uniform`: `w − 2³¹` is exact as a
    /// signed integer's double, and `(w − 2³¹) + (2³¹ + ½)` is `w + ½` exactly.
    #[target_feature(enable = "avx2")]
    fn uniform4(w: __m128i) -> __m256d {
        let centred = _mm256_cvtepi32_pd(_mm_xor_si128(w, _mm_set1_epi32(i32::MIN)));
        let w_half = _mm256_add_pd(centred, _mm256_set1_pd(2_147_483_648.5));
        _mm256_mul_pd(w_half, _mm256_set1_pd(1.0 / 4_294_967_296.0))
    }

    /// `N` vectors of four doubles, worked on together: independent chains whose
    /// latencies overlap.
    type V<const N: usize> = [__m256d; N];

    #[target_feature(enable = "avx2")]
    fn splat<const N: usize>(x: f64) -> V<N> {
        [_mm256_set1_pd(x); N]
    }

    #[target_feature(enable = "avx2")]
    fn add<const N: usize>(a: V<N>, b: V<N>) -> V<N> {
        std::array::from_fn(|i| _mm256_add_pd(a[i], b[i]))
    }

    #[target_feature(enable = "avx2")]
    fn sub<const N: usize>(a: V<N>, b: V<N>) -> V<N> {
        std::array::from_fn(|i| _mm256_sub_pd(a[i], b[i]))
    }

    #[target_feature(enable = "avx2")]
    fn mul<const N: usize>(a: V<N>, b: V<N>) -> V<N> {
        std::array::from_fn(|i| _mm256_mul_pd(a[i], b[i]))
    }

    /// `mask ? b : a`, lane by lane.
    #[target_feature(enable = "avx2")]
    fn select<const N: usize>(a: V<N>, b: V<N>, mask: V<N>) -> V<N> {
        std::array::from_fn(|i| _mm256_blendv_pd(a[i], b[i], mask[i]))
    }

    /// `a > b`, lane by lane, as all-ones masks.
    #[target_feature(enable = "avx2")]
    fn greater<const N: usize>(a: V<N>, b: V<N>) -> V<N> {
        std::array::from_fn(|i| _mm256_cmp_pd::<_CMP_GT_OQ>(a[i], b[i]))
    }

    /// Horner's rule as `super::horner`: multiply, then add, highest coefficient first.
    #[target_feature(enable = "avx2")]
    fn horner<const N: usize, const C: usize>(x: V<N>, c: &[f64; C]) -> V<N> {
        let mut acc = splat(c[C - 1]);
        for k in (0..C - 1).rev() {
            acc = add(mul(acc, x), splat(c[k]));
        }
        acc
    }

    /// `super::ln_unit`, lane by lane.
    #[target_feature(enable = "avx2")]
    fn ln_unit<const N: usize>(u: V<N>) -> V<N> {
        // The biased exponent as a double: 2⁵² + e read as a double, less 2⁵².
        let magic = _mm256_set1_epi64x(0x4330_0000_0000_0000);
        let fraction = _mm256_set1_epi64x((1i64 << 52) - 1);
        let one_bits = _mm256_set1_epi64x(1023 << 52);
        let biased: V<N> = std::array::from_fn(|i| {
            let bits = _mm256_castpd_si256(u[i]);
            _mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64::<52>(bits), magic))
        });
        let biased = sub(biased, splat(4_503_599_627_370_496.0));
        let m: V<N> = std::array::from_fn(|i| {
            let bits = _mm256_and_si256(_mm256_castpd_si256(u[i]), fraction);
            _mm256_castsi256_pd(_mm256_or_si256(bits, one_bits))
        });
        let high = greater(m, splat(std::f64::consts::SQRT_2));
        let m = select(m, mul(m, splat(0.5)), high);
        let one = splat(1.0);
        let high_one: V<N> = std::array::from_fn(|i| _mm256_and_pd(high[i], one[i]));
        let e = add(sub(biased, splat(1023.0)), high_one);
        let num = sub(m, one);
        let den = add(m, one);
        let s: V<N> = std::array::from_fn(|i| _mm256_div_pd(num[i], den[i]));
        let series = horner(mul(s, s), &ATANH);
        add(
            mul(e, splat(std::f64::consts::LN_2)),
            mul(mul(splat(2.0), s), series),
        )
    }

    /// `super::cos_tau`, lane by lane.
    #[target_feature(enable = "avx2")]
    fn cos_tau<const N: usize>(u: V<N>) -> V<N> {
        let sign = _mm256_set1_pd(-0.0);
        let centred = sub(u, splat(0.5));
        let a: V<N> = std::array::from_fn(|i| _mm256_andnot_pd(sign, centred[i]));
        let flip = greater(a, splat(0.25));
        let b = select(a, sub(splat(0.5), a), flip);
        let x = mul(splat(std::f64::consts::TAU), b);
        let c = horner(mul(x, x), &COS);
        let minus_c: V<N> = std::array::from_fn(|i| _mm256_xor_pd(c[i], sign));
        select(minus_c, c, flip)
    }

    /// `super::normal`, lane by lane.
    #[target_feature(enable = "avx2")]
    fn normal<const N: usize>(w1: [__m128i; N], w2: [__m128i; N]) -> V<N> {
        let r2 = mul(splat(-2.0), ln_unit(w1.map(|w| uniform4(w))));
        let r: V<N> = std::array::from_fn(|i| _mm256_sqrt_pd(r2[i]));
        mul(r, cos_tau(w2.map(|w| uniform4(w))))
    }

    /// `super::fill_words` for whole groups of eight lanes; returns how many lanes
    /// were drawn.
    ///
    /// # Safety
    /// The processor must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn fill_words<const P: usize>(
        key: Key,
        period: u32,
        first: u64,
        len: usize,
        purposes: [u32; P],
        out: &mut Words<P>,
    ) -> usize {
        let lanes = len / 8 * 8;
        let keys = round_keys(key);
        for k in (0..lanes).step_by(8) {
            let (mut lo, mut hi) = ([0u32; 8], [0u32; 8]);
            for i in 0..8 {
                let customer = first + (k + i) as u64;
                (lo[i], hi[i]) = (customer as u32, (customer >> 32) as u32);
            }
            // SAFETY: unaligned loads of two local arrays of eight words.
            let (c0, c1) = unsafe {
                (
                    _mm256_loadu_si256(lo.as_ptr().cast()),
                    _mm256_loadu_si256(hi.as_ptr().cast()),
                )
            };
            let x = philox8(c0, c1, period, purposes, &keys);
            for (x, out) in x.iter().zip(out.iter_mut()) {
                for (x, out) in x.iter().zip(out.iter_mut()) {
                    // SAFETY: k + 8 ≤ lanes ≤ BLOCK.
                    unsafe { _mm256_storeu_si256(out[k..k + 8].as_mut_ptr().cast(), *x) };
                }
            }
        }
        lanes
    }

    /// `super::fill_uniforms` for whole groups of four lanes; returns how many lanes
    /// were drawn.
    ///
    /// # Safety
    /// The processor must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn fill_uniforms(
        words: &[u32; BLOCK],
        out: &mut [f64; BLOCK],
        len: usize,
    ) -> usize {
        let lanes = len / 4 * 4;
        for k in (0..lanes).step_by(4) {
            // SAFETY: k + 4 ≤ lanes ≤ BLOCK.
            unsafe {
                let w = _mm_loadu_si128(words[k..k + 4].as_ptr().cast());
                _mm256_storeu_pd(out[k..k + 4].as_mut_ptr(), uniform4(w));
            }
        }
        lanes
    }

    /// `super::fill_normals` for whole groups of sixteen lanes; returns how many lanes
    /// were drawn.
    ///
    /// # Safety
    /// The processor must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn fill_normals(
        w1: &[u32; BLOCK],
        w2: &[u32; BLOCK],
        out: &mut [f64; BLOCK],
        len: usize,
    ) -> usize {
        let lanes = len / 16 * 16;
        for k in (0..lanes).step_by(16) {
            // SAFETY: k + 16 ≤ lanes ≤ BLOCK.
            let load = |w: &[u32; BLOCK], i: usize| unsafe {
                _mm_loadu_si128(w[k + 4 * i..k + 4 * i + 4].as_ptr().cast())
            };
            let z = normal::<4>(
                std::array::from_fn(|i| load(w1, i)),
                std::array::from_fn(|i| load(w2, i)),
            );
            for (i, z) in z.into_iter().enumerate() {
                let at = k + 4 * i;
                // SAFETY: at + 4 ≤ k + 16 ≤ BLOCK.
                unsafe { _mm256_storeu_pd(out[at..at + 4].as_mut_ptr(), z) };
            }
        }
        lanes
    }
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
