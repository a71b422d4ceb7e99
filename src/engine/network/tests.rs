//! Tests of the network: invariants, determinism, degrees, tiny and complete graphs,
//! the memory estimate, the bucket packing and the uniform draw.

use super::generate::{below, network_generator};
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
