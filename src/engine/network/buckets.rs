//! The bucket layout of the build: nodes grouped into buckets of consecutive ids, and
//! each directed entry packed into one `u32`, so the scatter and the sort stay in cache.

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
pub(super) struct Buckets {
    pub(super) shift: u32,
    pub(super) id_bits: u32,
    pub(super) count: usize,
}

impl Buckets {
    pub(super) fn new(n: usize) -> Buckets {
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
    pub(super) fn pack(self, source: u32, target: u32) -> u32 {
        let low = (source & ((1 << self.shift) - 1)) as u64;
        ((low << self.id_bits) | target as u64) as u32
    }

    /// The source's offset in its bucket.
    #[inline]
    pub(super) fn low(self, packed: u32) -> usize {
        (packed as u64 >> self.id_bits) as usize
    }

    /// The target.
    #[inline]
    pub(super) fn id(self, packed: u32) -> u32 {
        (packed as u64 & ((1u64 << self.id_bits) - 1)) as u32
    }
}
