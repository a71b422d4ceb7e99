//! Engine benchmarks (divan). `cargo bench` prints, for each, the time per iteration
//! and the throughput in customer-steps (or runs) per second; ns per customer-step is
//! the time of one period divided by the customers, i.e. 1 / throughput.
//!
//! Targets on the project's 2-core machine (see docs/performance.md), measured here and
//! never in timed tests:
//! - reduced form, no word of mouth, one core: at most 20 ns per customer-step
//!   (`reduced_one_thread`, fastest sample), and at least 4× the NumPy peer
//!   (`bash benches/peers/run.sh`);
//! - structural form, three firms, word of mouth at mean degree 10: at most 60 ns
//!   (`structural_one_thread/small_world`);
//! - two threads at least 1.85× one thread on 1,000,000 customers (`million_customers`);
//! - a sweep of 10,000 runs of 1,000 customers × 50 periods in at most 10 seconds on
//!   two threads (`small_run` is its unit).
//!
//! (The one-kernel issue's targets; docs/performance.md says which are met.)

use divan::counter::ItemsCount;
use loyalsim::parameter::Plan;
use loyalsim::{Scenario, Simulation};

fn main() {
    divan::main();
}

fn scenario(file: &str, sets: &[&str]) -> Scenario {
    let path = format!("{}/scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
    let overrides: Vec<_> = sets.iter().map(|s| s.parse().unwrap()).collect();
    Scenario::load(std::path::Path::new(&path), &overrides).unwrap()
}

const CUSTOMERS: usize = 200_000;

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// One period of 200,000 customers of the competitive market (reduced form, no word of
/// mouth) on one thread.
#[divan::bench]
fn reduced_one_thread(bencher: divan::Bencher) {
    let s = scenario("competitive.toml", &[&format!("customers={CUSTOMERS}")]);
    let pool = pool(1);
    let mut sim = Simulation::new(&s);
    bencher
        .counter(ItemsCount::new(CUSTOMERS))
        .bench_local(|| pool.install(|| sim.step()));
}

/// One period of the showcase (structural form, three firms), without and with word of
/// mouth on a small world of mean degree 10, on one thread.
#[divan::bench(args = ["none", "small_world"])]
fn structural_one_thread(bencher: divan::Bencher, network: &str) {
    let customers = format!("customers={CUSTOMERS}");
    let talking = format!("word_of_mouth.network={network}");
    // A degree without a network is refused ("changes nothing").
    let sets: &[&str] = match network {
        "none" => &[&customers],
        _ => &[&customers, &talking, "word_of_mouth.degree=10"],
    };
    let s = scenario("showcase.toml", sets);
    let pool = pool(1);
    let mut sim = Simulation::new(&s);
    bencher
        .counter(ItemsCount::new(CUSTOMERS))
        .bench_local(|| pool.install(|| sim.step()));
}

/// One period of 1,000,000 customers (reduced form) on one and on two threads.
#[divan::bench(args = [1, 2], sample_count = 20)]
fn million_customers(bencher: divan::Bencher, threads: usize) {
    let s = scenario("competitive.toml", &["customers=1000000"]);
    let pool = pool(threads);
    let mut sim = pool.install(|| Simulation::new(&s));
    bencher
        .counter(ItemsCount::new(1_000_000usize))
        .bench_local(|| pool.install(|| sim.step()));
}

/// A whole run of 1,000 customers for 50 periods: the unit of a sweep.
#[divan::bench]
fn small_run(bencher: divan::Bencher) {
    let s = scenario("competitive.toml", &["customers=1000", "periods=50"]);
    bencher
        .counter(ItemsCount::new(50_000usize))
        .bench(|| Simulation::new(&s).run(s.periods));
}

/// 200 runs of 1,000 customers × 50 periods, in parallel as a sweep runs them
/// (without the files): runs per second.
#[divan::bench(sample_count = 10)]
fn sweep_of_small_runs(bencher: divan::Bencher) {
    use rayon::prelude::*;
    let base = scenario(
        "constraint_benchmark.toml",
        &["customers=1000", "periods=50", "sweep.replications=20"],
    );
    let plan = Plan::new(base.sweep.as_ref().unwrap(), base.seed).unwrap();
    let mut table = base.clone();
    table.sweep = None;
    let table = table.to_table();
    bencher
        .counter(ItemsCount::new(plan.runs() as usize))
        .bench(|| {
            (0..plan.runs())
                .into_par_iter()
                .map(|i| {
                    let s = plan.scenario(&table, &plan.run(i)).unwrap();
                    Simulation::new(&s).run(s.periods).customer_steps
                })
                .sum::<u64>()
        });
}

/// The draws of one block of customers for one period (a normal and four uniforms each,
/// by counter), on the baseline path and on the widest one this processor has: ns per
/// customer is 1 / throughput.
#[divan::bench(args = ["baseline", "widest"])]
fn block_draws(bencher: divan::Bencher, path: &str) {
    use loyalsim::engine::draw::{BLOCK, Block, Isa, Key};
    let isa = match path {
        "baseline" => Isa::Baseline,
        _ => Isa::detect(),
    };
    let mut block = Box::new(Block::EMPTY);
    let key = Key::new(1);
    let mut first = 0u64;
    bencher.counter(ItemsCount::new(BLOCK)).bench_local(|| {
        block.draw(isa, key, 3, first, BLOCK);
        first += BLOCK as u64;
        divan::black_box(&block.z);
    });
}
