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

mod buckets;
mod generate;

use buckets::Buckets;
use generate::{Plan, generate};

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

#[cfg(test)]
mod tests;
