//! What edges to draw and drawing them: the [`Plan`] a graph kind and size come to
//! (shared by the build and the memory estimate), the network's own random stream, and
//! the generator that emits the edges in a fixed order.

use super::GraphKind;
use crate::engine::seed::{Generator, derive, mix, uniform};
use rand::{Rng, SeedableRng};

/// Label of the network's stream under the master seed ("NETWORK\0").
const NETWORK_LABEL: u64 = 0x4E45_5457_4F52_4B00;

/// Times a rewired edge's target is redrawn before the original edge is kept.
const REWIRE_TRIES: u32 = 16;

/// What to generate, once kind and size are known. Shared by `build` and
/// `estimate_bytes`, so the estimate follows the same rules.
#[derive(Debug, Clone, Copy)]
pub(super) enum Plan {
    Empty,
    Complete,
    Lattice { half: u64, rewiring: f64 },
    Pairs { m: u64 },
}

impl Plan {
    pub(super) fn new(n: u64, kind: GraphKind) -> Plan {
        let pairs = n as u128 * n.saturating_sub(1) as u128 / 2;
        match kind {
            GraphKind::None => Plan::Empty,
            GraphKind::SmallWorld { degree, rewiring } => {
                let k = (degree & !1) as u64;
                if k == 0 || n < 2 {
                    Plan::Empty
                } else if n <= k + 1 {
                    Plan::Complete
                } else {
                    Plan::Lattice {
                        half: k / 2,
                        rewiring,
                    }
                }
            }
            GraphKind::Random { degree } => {
                // round(n · degree / 2), exactly, in integers.
                let m = (n as u128 * degree as u128).div_ceil(2);
                if degree == 0 || n < 2 {
                    Plan::Empty
                } else if m >= pairs {
                    Plan::Complete
                } else {
                    Plan::Pairs { m: m as u64 }
                }
            }
        }
    }

    /// Undirected edges this plan yields, before duplicates are dropped.
    pub(super) fn edges(self, n: u64) -> u128 {
        match self {
            Plan::Empty => 0,
            Plan::Complete => n as u128 * n.saturating_sub(1) as u128 / 2,
            Plan::Lattice { half, .. } => n as u128 * half as u128,
            Plan::Pairs { m } => m as u128,
        }
    }
}

/// The network's own stream: `derive(seed, &[NETWORK_LABEL])`, its 256-bit state filled
/// by SplitMix64 as in [`super::seed::generator`](crate::engine::seed::generator).
pub(super) fn network_generator(seed: u64) -> Generator {
    let mut state = derive(seed, &[NETWORK_LABEL]);
    let mut bytes = [0u8; 32];
    for word in bytes.chunks_exact_mut(8) {
        state = mix(state);
        word.copy_from_slice(&state.to_le_bytes());
    }
    Generator::from_seed(bytes)
}

/// A uniform integer in `[0, n)`, `n > 0`, without bias: Lemire's multiply-shift with
/// rejection ("Fast random integer generation in an interval", 2019). The high word of
/// `x · n` is the result; the rare `x` whose low word falls below `2⁶⁴ mod n` are
/// redrawn, which removes the bias of a plain multiply or modulo.
#[inline]
pub(super) fn below(rng: &mut Generator, n: u64) -> u64 {
    debug_assert!(n > 0);
    let mut m = rng.next_u64() as u128 * n as u128;
    if (m as u64) < n {
        let threshold = n.wrapping_neg() % n;
        while (m as u64) < threshold {
            m = rng.next_u64() as u128 * n as u128;
        }
    }
    (m >> 64) as u64
}

/// Calls `emit(a, b)` once per generated undirected edge, in a fixed order from a fresh
/// stream, so two calls with the same inputs emit the same edges. Never emits
/// self-loops; may emit a few duplicates (dropped by the caller).
pub(super) fn generate(n: usize, plan: Plan, seed: u64, mut emit: impl FnMut(u32, u32)) {
    let n64 = n as u64;
    match plan {
        Plan::Empty => {}
        Plan::Complete => {
            for a in 0..n as u32 {
                for b in a + 1..n as u32 {
                    emit(a, b);
                }
            }
        }
        Plan::Lattice { half, rewiring } => {
            let mut rng = network_generator(seed);
            // Lattice neighbours of i: circular distance 1..=half (0 is i itself).
            let near = |i: u64, t: u64| {
                let d = i.abs_diff(t);
                d.min(n64 - d) <= half
            };
            let mut rewired: Vec<u64> = Vec::with_capacity(half as usize);
            for i in 0..n64 {
                rewired.clear();
                for j in 1..=half {
                    let mut target = (i + j) % n64;
                    if uniform(&mut rng) < rewiring {
                        for _ in 0..REWIRE_TRIES {
                            let t = below(&mut rng, n64);
                            if !near(i, t) && !rewired.contains(&t) {
                                target = t;
                                rewired.push(t);
                                break;
                            }
                        }
                    }
                    emit(i as u32, target as u32);
                }
            }
        }
        Plan::Pairs { m } => {
            let mut rng = network_generator(seed);
            for _ in 0..m {
                let a = below(&mut rng, n64);
                let mut b = below(&mut rng, n64);
                while b == a {
                    b = below(&mut rng, n64);
                }
                emit(a as u32, b as u32);
            }
        }
    }
}
