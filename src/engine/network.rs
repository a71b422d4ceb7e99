//! The social network for word of mouth: an undirected graph over customers `0..n`.
//!
//! **Why compressed sparse row (CSR).** The graph is two flat arrays: `offsets` (n + 1
//! `u64`s) and `targets` (2 × edges `u32`s, each edge stored in both directions). The
//! neighbours of customer `i` are the contiguous slice `targets[offsets[i]..offsets[i+1]]`,
//! so the hot loop reads them with one bounds check and no pointer chasing, 4 bytes per
//! link and no per-node allocation. A million customers with ten contacts each take
//! about 48 MB.
//!
//! **Why built sequentially.** The graph is drawn once per run from its own stream,
//! `derive(seed, &[NETWORK_LABEL])`, in a fixed order (node by node, edge by edge), so
//! it depends on the inputs alone — never on the machine or the thread count. Building
//! it is cheap next to the periods that use it (a million nodes at degree ten take
//! about a third of a second), so there is little to gain from parallelism and
//! determinism to lose.
//!
//! **How it is built.** The edges are generated twice from the same stream, which is
//! cheaper than storing them: once to count, once to write each direction into the
//! target array, grouped by buckets of consecutive source nodes (a few thousand
//! append streams instead of a million scattered rows). Each bucket, small enough for
//! the cache, is then counting-sorted into rows, each row sorted and deduplicated, and
//! written back compacted. No hash sets and no edge list: the build holds the final
//! arrays plus a bucket table (kilobytes up to a few million nodes), so
//! [`Network::estimate_bytes`] is also its peak.
//!
//! **Read-only during a period.** Word-of-mouth updates read the neighbours' state of
//! the *previous* period (double-buffered), so the graph and that state are read-only
//! while chunks step in parallel and results stay independent of thread count.
//!
//! Kinds of graph:
//!
//! - [`GraphKind::None`]: no edges; every neighbour list is empty.
//! - [`GraphKind::SmallWorld`]: Watts–Strogatz. A ring lattice where each node links to
//!   `degree / 2` neighbours on each side; then each lattice edge `(i, i + j)` is, with
//!   probability `rewiring`, moved to `(i, t)` with `t` uniform over the nodes. A target
//!   is rejected if it is `i` itself, a lattice neighbour of `i`, or a node `i` already
//!   rewired to; it is redrawn up to 16 times, and the original edge is kept if no valid
//!   target turns up. An odd `degree` is rounded down to even (`degree` 0 or 1 gives no
//!   edges); scenario validation requires it to be even.
//! - [`GraphKind::Random`]: Erdős–Rényi G(n, m) with `m = round(n · degree / 2)` edges,
//!   each drawn as a uniform pair of distinct nodes.
//!
//! In both random kinds, duplicate edges are dropped after drawing. The rewiring check
//! does not see edges other nodes rewired *to* `i`, and G(n, m) does not check at all,
//! so a few duplicates make the mean degree slightly below `degree`: about
//! `degree / (2n)` relatively for G(n, m) (negligible beyond a few thousand nodes, but
//! visible for tiny `n`), and far less for the small world.
//!
//! When `n` is too small for the requested degree, `n <= degree + 1` (the even-rounded
//! degree for the small world), the graph is complete: everyone is linked to everyone.
//! At `n = degree + 1` the ring lattice is complete already and G(n, m) would need
//! every pair, so this only spares G(n, m) the duplicates of drawing them all.

use super::seed::{Generator, derive, mix, uniform};
use rand::{Rng, SeedableRng};

/// Label of the network's stream under the master seed ("NETWORK\0").
const NETWORK_LABEL: u64 = 0x4E45_5457_4F52_4B00;

/// Times a rewired edge's target is redrawn before the original edge is kept.
const REWIRE_TRIES: u32 = 16;

/// Kind of graph.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GraphKind {
    /// No edges.
    None,
    /// Watts–Strogatz: ring lattice of `degree` (even) links per node, each lattice edge
    /// rewired with probability `rewiring`.
    SmallWorld { degree: u32, rewiring: f64 },
    /// Erdős–Rényi G(n, m) with m = round(n · degree / 2).
    Random { degree: u32 },
}

/// An undirected graph over customers 0..n in compressed sparse row form.
pub struct Network {
    /// Row starts: node `i`'s neighbours are `targets[offsets[i]..offsets[i + 1]]`.
    offsets: Vec<u64>,
    /// Neighbours, row by row; each row sorted, without self-loops or duplicates.
    targets: Vec<u32>,
}

/// What to generate, once kind and size are known. Shared by `build` and
/// `estimate_bytes`, so the estimate follows the same rules.
#[derive(Debug, Clone, Copy)]
enum Plan {
    Empty,
    Complete,
    Lattice { half: u64, rewiring: f64 },
    Pairs { m: u64 },
}

impl Plan {
    fn new(n: u64, kind: GraphKind) -> Plan {
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
    fn edges(self, n: u64) -> u128 {
        match self {
            Plan::Empty => 0,
            Plan::Complete => n as u128 * n.saturating_sub(1) as u128 / 2,
            Plan::Lattice { half, .. } => n as u128 * half as u128,
            Plan::Pairs { m } => m as u128,
        }
    }
}

impl Network {
    /// Builds the graph deterministically from `seed` (same inputs → same graph, on any
    /// machine and thread count).
    ///
    /// # Panics
    /// If `n` exceeds 2³² (node ids are `u32`); validation keeps runs far below that.
    pub fn build(n: usize, kind: GraphKind, seed: u64) -> Network {
        assert!(
            n as u64 <= u32::MAX as u64 + 1,
            "network of {n} nodes: ids must fit in u32"
        );
        let plan = Plan::new(n as u64, kind);

        let layout = Buckets::new(n);
        let shift = layout.shift;

        // Pass 1: count the directed entries of each bucket into starts[b + 1].
        let mut starts = vec![0u64; layout.count + 1];
        generate(n, plan, seed, |a, b| {
            starts[(a >> shift) as usize + 1] += 1;
            starts[(b >> shift) as usize + 1] += 1;
        });
        // Prefix sum: starts[b] = first entry of bucket b (the cursor of pass 2).
        for b in 1..starts.len() {
            starts[b] += starts[b - 1];
        }
        let total = starts[layout.count] as usize;

        // Pass 2: the same edges again, each direction appended to its source's bucket
        // as (source's offset in the bucket, target) packed in a u32. Appends go to a
        // few thousand streams, not to a million rows.
        let mut targets = vec![0u32; total];
        generate(n, plan, seed, |a, b| {
            for (x, y) in [(a, b), (b, a)] {
                let cursor = &mut starts[(x >> shift) as usize];
                targets[*cursor as usize] = layout.pack(x, y);
                *cursor += 1;
            }
        });
        // Each cursor now holds the end of its bucket: shift right to get the starts.
        for b in (1..starts.len()).rev() {
            starts[b] = starts[b - 1];
        }
        starts[0] = 0;

        // Pass 3, bucket by bucket (tens of kilobytes each): counting-sort the entries into
        // rows, sort each row, drop duplicates, and write the rows back compacted. The
        // write position never overtakes the bucket being read, which is copied out
        // first.
        let mut offsets = vec![0u64; n + 1];
        let mut ends = vec![0usize; (1usize << shift) + 1];
        let mut scratch: Vec<u32> = Vec::new();
        let mut write = 0usize;
        for b in 0..layout.count {
            let entries = starts[b] as usize..starts[b + 1] as usize;
            let first = b << shift;
            let nodes = (1usize << shift).min(n - first);
            // ends[l + 1] = entries of node first + l, then prefix sums: row starts.
            ends[..=nodes].fill(0);
            for &p in &targets[entries.clone()] {
                ends[layout.low(p) + 1] += 1;
            }
            for l in 1..=nodes {
                ends[l] += ends[l - 1];
            }
            scratch.clear();
            scratch.resize(entries.len(), 0);
            for &p in &targets[entries] {
                let cursor = &mut ends[layout.low(p)];
                scratch[*cursor] = layout.id(p);
                *cursor += 1;
            }
            // ends[l] is now the end of node first + l's row in scratch.
            let mut row_start = 0;
            for l in 0..nodes {
                let row = &mut scratch[row_start..ends[l]];
                row.sort_unstable();
                let mut last = None;
                for &t in row.iter() {
                    if last != Some(t) {
                        targets[write] = t;
                        write += 1;
                        last = Some(t);
                    }
                }
                offsets[first + l + 1] = write as u64;
                row_start = ends[l];
            }
        }
        targets.truncate(write);
        targets.shrink_to_fit();
        Network { offsets, targets }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of undirected edges.
    pub fn edges(&self) -> usize {
        self.targets.len() / 2
    }

    /// Mean number of neighbours per node (0 for an empty graph).
    pub fn mean_degree(&self) -> f64 {
        if self.is_empty() {
            0.0
        } else {
            self.targets.len() as f64 / self.len() as f64
        }
    }

    /// Neighbours of node `i`: sorted, no self-loops, no duplicates.
    #[inline]
    pub fn neighbours(&self, i: usize) -> &[u32] {
        &self.targets[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// Memory used by the arrays, in bytes.
    pub fn bytes(&self) -> u64 {
        (self.offsets.capacity() * size_of::<u64>() + self.targets.capacity() * size_of::<u32>())
            as u64
    }

    /// Estimated bytes for a graph of this kind and size, before building it (for
    /// refusing runs that would not fit in memory). This is also the build's peak, give
    /// or take the small bucket table: the arrays are allocated once at this size and
    /// only shrink by dropped duplicates.
    /// Saturates at `u64::MAX`.
    pub fn estimate_bytes(n: u64, kind: GraphKind) -> u64 {
        let edges = Plan::new(n, kind).edges(n);
        let bytes =
            (n as u128 + 1) * size_of::<u64>() as u128 + edges * 2 * size_of::<u32>() as u128;
        bytes.min(u64::MAX as u128) as u64
    }
}

/// How the build groups nodes into buckets of `2^shift` consecutive nodes, so the
/// scatter of pass 2 writes to few streams and pass 3 sorts each bucket in cache.
///
/// A directed entry is packed in one `u32` as (source's offset in its bucket, target):
/// `id_bits` bits hold any node id, the `shift` bits above them the offset. Buckets aim
/// at no more than 2,048 of them; up to about two million nodes that holds. Beyond, the
/// offset has fewer spare bits, so buckets shrink and grow in number: locality degrades
/// gradually (results never change), down to one node per bucket near 2³² nodes, where
/// the bucket table would cost as much as `offsets`. Packing itself costs no memory.
#[derive(Debug, Clone, Copy)]
struct Buckets {
    shift: u32,
    id_bits: u32,
    count: usize,
}

impl Buckets {
    fn new(n: usize) -> Buckets {
        let id_bits = (usize::BITS - n.saturating_sub(1).leading_zeros()).max(1);
        let shift = id_bits.saturating_sub(11).min(32 - id_bits);
        Buckets {
            shift,
            id_bits,
            count: n.div_ceil(1 << shift),
        }
    }

    /// The entry "`source` links to `target`".
    #[inline]
    fn pack(self, source: u32, target: u32) -> u32 {
        let low = (source & ((1 << self.shift) - 1)) as u64;
        ((low << self.id_bits) | target as u64) as u32
    }

    /// The source's offset in its bucket.
    #[inline]
    fn low(self, packed: u32) -> usize {
        (packed as u64 >> self.id_bits) as usize
    }

    /// The target.
    #[inline]
    fn id(self, packed: u32) -> u32 {
        (packed as u64 & ((1u64 << self.id_bits) - 1)) as u32
    }
}

/// The network's own stream: `derive(seed, &[NETWORK_LABEL])`, its 256-bit state filled
/// by SplitMix64 as in [`super::seed::generator`].
fn network_generator(seed: u64) -> Generator {
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
fn below(rng: &mut Generator, n: u64) -> u64 {
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
fn generate(n: usize, plan: Plan, seed: u64, mut emit: impl FnMut(u32, u32)) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn small_world(degree: u32, rewiring: f64) -> GraphKind {
        GraphKind::SmallWorld { degree, rewiring }
    }

    /// Symmetric, sorted, no self-loops, no duplicates; offsets consistent.
    fn check_invariants(g: &Network) {
        assert_eq!(g.offsets[0], 0);
        assert_eq!(*g.offsets.last().unwrap() as usize, g.targets.len());
        assert_eq!(g.targets.len() % 2, 0);
        for i in 0..g.len() {
            let row = g.neighbours(i);
            assert!(
                row.windows(2).all(|w| w[0] < w[1]),
                "row {i} not strictly sorted"
            );
            for &j in row {
                assert_ne!(j as usize, i, "self-loop at {i}");
                assert!((j as usize) < g.len());
                assert!(
                    g.neighbours(j as usize).binary_search(&(i as u32)).is_ok(),
                    "{j} in N({i}) but {i} not in N({j})"
                );
            }
        }
    }

    fn all_kinds() -> [GraphKind; 5] {
        [
            GraphKind::None,
            small_world(6, 0.0),
            small_world(6, 0.2),
            small_world(4, 1.0),
            GraphKind::Random { degree: 7 },
        ]
    }

    #[test]
    fn same_seed_same_graph_different_seed_different_graph() {
        for kind in [small_world(10, 0.1), GraphKind::Random { degree: 10 }] {
            let a = Network::build(5_000, kind, 42);
            let b = Network::build(5_000, kind, 42);
            let c = Network::build(5_000, kind, 43);
            assert_eq!(a.offsets, b.offsets);
            assert_eq!(a.targets, b.targets);
            assert_ne!(a.targets, c.targets, "{kind:?}");
        }
    }

    #[test]
    fn pinned_graph() {
        // A change to the generator or its seeding would silently change every result.
        let g = Network::build(1_000, small_world(4, 0.5), 7);
        assert_eq!(g.edges(), PINNED_EDGES);
        assert_eq!(g.neighbours(0), PINNED_ROW_0);
        let r = Network::build(1_000, GraphKind::Random { degree: 4 }, 7);
        assert_eq!(r.neighbours(0), PINNED_RANDOM_ROW_0);
    }
    const PINNED_EDGES: usize = 1998;
    const PINNED_ROW_0: &[u32] = &[1, 2, 998, 999];
    const PINNED_RANDOM_ROW_0: &[u32] = &[482, 889];

    /// The same graph built the plain way: every directed edge in one list, sorted and
    /// deduplicated.
    fn reference(n: usize, kind: GraphKind, seed: u64) -> Vec<Vec<u32>> {
        let mut directed = Vec::new();
        generate(n, Plan::new(n as u64, kind), seed, |a, b| {
            directed.push((a, b));
            directed.push((b, a));
        });
        directed.sort_unstable();
        directed.dedup();
        let mut rows = vec![Vec::new(); n];
        for (a, b) in directed {
            rows[a as usize].push(b);
        }
        rows
    }

    #[test]
    fn bucketed_build_matches_a_plain_edge_list() {
        // Sizes with one node per bucket, several, and a partial last bucket.
        for n in [10, 2_048, 2_049, 5_000, 30_011] {
            for kind in all_kinds() {
                let g = Network::build(n, kind, 4);
                let rows = reference(n, kind, 4);
                assert!(
                    (0..n).all(|i| g.neighbours(i) == rows[i]),
                    "{kind:?}, n = {n}"
                );
            }
        }
    }

    #[test]
    fn packing_round_trips_at_every_size() {
        for n in [
            1usize,
            2,
            2_048,
            2_049,
            1 << 21,
            (1 << 21) + 1,
            1 << 24,
            1 << 32,
        ] {
            let layout = Buckets::new(n);
            assert!(layout.id_bits + layout.shift <= 32, "n = {n}");
            assert_eq!(layout.count, n.div_ceil(1 << layout.shift));
            let last = (n - 1) as u32;
            for (x, y) in [(0, last), (last, 0), (last, last / 2 + 1)] {
                let p = layout.pack(x, y);
                assert_eq!(layout.id(p), y);
                assert_eq!(layout.low(p), (x as usize) % (1 << layout.shift));
            }
        }
    }

    #[test]
    fn graphs_are_symmetric_without_loops_or_duplicates() {
        for kind in all_kinds() {
            for n in [0, 1, 2, 3, 5, 7, 8, 9, 50, 2_000] {
                let g = Network::build(n, kind, 1);
                assert_eq!(g.len(), n);
                check_invariants(&g);
            }
        }
    }

    #[test]
    fn lattice_mean_degree_is_exact_without_rewiring() {
        for degree in [2, 4, 10] {
            let g = Network::build(100_000, small_world(degree, 0.0), 3);
            assert_eq!(g.edges(), 100_000 * degree as usize / 2);
            assert_eq!(g.mean_degree(), degree as f64);
            assert!((0..g.len()).all(|i| g.neighbours(i).len() == degree as usize));
        }
    }

    #[test]
    fn small_world_mean_degree_within_one_percent() {
        let g = Network::build(100_000, small_world(10, 0.1), 3);
        check_invariants(&g);
        assert!(
            (g.mean_degree() / 10.0 - 1.0).abs() < 0.01,
            "{}",
            g.mean_degree()
        );
        // Rewiring actually happened: about 10% of edges left the lattice.
        let n = g.len();
        let far = (0..n)
            .flat_map(|i| g.neighbours(i).iter().map(move |&j| (i, j as usize)))
            .filter(|&(i, j)| i.abs_diff(j).min(n - i.abs_diff(j)) > 5)
            .count() as f64
            / g.targets.len() as f64;
        assert!((0.08..0.12).contains(&far), "{far}");
    }

    #[test]
    fn random_mean_degree_within_two_percent() {
        let g = Network::build(100_000, GraphKind::Random { degree: 10 }, 3);
        check_invariants(&g);
        assert!(
            (g.mean_degree() / 10.0 - 1.0).abs() < 0.02,
            "{}",
            g.mean_degree()
        );
        // Odd degrees are fine for G(n, m): m = round(n · 7 / 2).
        let g = Network::build(100_001, GraphKind::Random { degree: 7 }, 3);
        assert!(g.edges() <= 350_004);
        assert!(
            (g.mean_degree() / 7.0 - 1.0).abs() < 0.02,
            "{}",
            g.mean_degree()
        );
    }

    #[test]
    fn no_rewiring_gives_the_ring_lattice() {
        let (n, k) = (1_000usize, 6usize);
        let g = Network::build(n, small_world(k as u32, 0.0), 9);
        let expected: Vec<u32> = (1..=k / 2).chain(n - k / 2..n).map(|j| j as u32).collect();
        assert_eq!(g.neighbours(0), expected);
        // Every node: i ± 1..=k/2 around the ring.
        for i in 0..n {
            let mut row: Vec<u32> = (1..=k / 2)
                .flat_map(|j| [(i + j) % n, (i + n - j) % n])
                .map(|j| j as u32)
                .collect();
            row.sort_unstable();
            assert_eq!(g.neighbours(i), row, "node {i}");
        }
    }

    #[test]
    fn full_rewiring_keeps_edge_count_and_connectivity() {
        let (n, k) = (10_000usize, 10u32);
        let g = Network::build(n, small_world(k, 1.0), 11);
        check_invariants(&g);
        let lattice = n * k as usize / 2;
        assert!(g.edges() <= lattice && g.edges() as f64 >= 0.999 * lattice as f64);
        // Every node keeps its own k/2 (rewired) edges, so none is isolated.
        assert!((0..n).all(|i| g.neighbours(i).len() >= 4));
        // Mostly long-range now: few links are lattice links.
        let near = (0..n)
            .flat_map(|i| g.neighbours(i).iter().map(move |&j| (i, j as usize)))
            .filter(|&(i, j)| i.abs_diff(j).min(n - i.abs_diff(j)) <= 5)
            .count();
        assert!(near < g.targets.len() / 100, "{near}");
        // Connected: a breadth-first search from node 0 reaches everyone.
        let mut seen = vec![false; n];
        let mut queue = std::collections::VecDeque::from([0usize]);
        seen[0] = true;
        let mut reached = 1;
        while let Some(i) = queue.pop_front() {
            for &j in g.neighbours(i) {
                if !seen[j as usize] {
                    seen[j as usize] = true;
                    reached += 1;
                    queue.push_back(j as usize);
                }
            }
        }
        assert_eq!(reached, n);
    }

    #[test]
    fn tiny_graphs() {
        for kind in all_kinds() {
            let g = Network::build(0, kind, 5);
            assert!(g.is_empty());
            assert_eq!((g.len(), g.edges(), g.mean_degree()), (0, 0, 0.0));

            let g = Network::build(1, kind, 5);
            assert!(!g.is_empty());
            assert_eq!((g.len(), g.edges()), (1, 0));
            assert!(g.neighbours(0).is_empty());
        }
        for kind in [small_world(2, 0.5), GraphKind::Random { degree: 1 }] {
            let g = Network::build(2, kind, 5);
            assert_eq!(g.edges(), 1);
            assert_eq!(g.neighbours(0), [1]);
            assert_eq!(g.neighbours(1), [0]);
        }
    }

    #[test]
    fn too_few_nodes_for_the_degree_gives_a_complete_graph() {
        for kind in [
            small_world(10, 0.0),
            small_world(10, 1.0),
            GraphKind::Random { degree: 10 },
        ] {
            for n in 2..=11 {
                let g = Network::build(n, kind, 5);
                check_invariants(&g);
                assert_eq!(g.edges(), n * (n - 1) / 2, "{kind:?}, n = {n}");
                for i in 0..n {
                    let all: Vec<u32> = (0..n as u32).filter(|&j| j as usize != i).collect();
                    assert_eq!(g.neighbours(i), all);
                }
            }
            // Just above: no longer complete.
            let g = Network::build(12, kind, 5);
            assert!(g.edges() < 66);
        }
    }

    #[test]
    fn odd_small_world_degree_rounds_down() {
        let odd = Network::build(500, small_world(5, 0.3), 8);
        let even = Network::build(500, small_world(4, 0.3), 8);
        assert_eq!(odd.targets, even.targets);
        assert_eq!(Network::build(50, small_world(1, 0.3), 8).edges(), 0);
    }

    #[test]
    fn none_has_no_edges() {
        let g = Network::build(1_000, GraphKind::None, 1);
        assert_eq!((g.len(), g.edges(), g.mean_degree()), (1_000, 0, 0.0));
        assert!((0..1_000).all(|i| g.neighbours(i).is_empty()));
        assert!(g.offsets.iter().all(|&o| o == 0));
    }

    #[test]
    fn estimate_bytes_is_close_to_bytes() {
        let cases = [
            (100_000, GraphKind::None),
            (100_000, small_world(10, 0.0)),
            (100_000, small_world(10, 0.1)),
            (100_000, small_world(10, 1.0)),
            (100_000, GraphKind::Random { degree: 10 }),
            (1_000, GraphKind::Random { degree: 3 }),
            (11, small_world(10, 0.5)),
            (5, GraphKind::Random { degree: 10 }),
        ];
        for (n, kind) in cases {
            let g = Network::build(n, kind, 2);
            let (est, got) = (
                Network::estimate_bytes(n as u64, kind) as f64,
                g.bytes() as f64,
            );
            assert!(est >= got, "{kind:?}: estimate {est} below {got}");
            assert!(est <= got * 1.02, "{kind:?}: estimate {est} vs {got}");
        }
        // Absurd sizes saturate instead of overflowing.
        let huge = Network::estimate_bytes(u64::MAX, GraphKind::Random { degree: u32::MAX });
        assert_eq!(huge, u64::MAX);
    }

    #[test]
    fn below_is_in_range_and_roughly_uniform() {
        let mut rng = network_generator(1);
        let mut counts = [0u32; 7];
        for _ in 0..70_000 {
            counts[below(&mut rng, 7) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (9_500..10_500).contains(&c)),
            "{counts:?}"
        );
        assert!((0..1_000).all(|_| below(&mut rng, 1) == 0));
    }
}
