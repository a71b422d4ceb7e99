//! Unit tests of the sweep module's own helpers (the shards' are in `report/manifest.rs`).

use super::*;

#[test]
fn fnv_is_pinned() {
    assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
}
