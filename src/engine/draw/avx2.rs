//! The block's draws in AVX2 (and no fused multiply-add, which would round differently
//! from the scalar path): each operation is the scalar path's, lane by lane, and
//! integer arithmetic, IEEE addition, multiplication, division and square root are
//! exact or correctly rounded, so every lane is the scalar path's double.

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
