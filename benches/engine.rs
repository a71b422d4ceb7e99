//! Engine benchmarks (divan): one period of the customer step, per customer, for the
//! reduced and the structural constraint form, and a whole small run.
//!
//! `cargo bench` prints the time per period and customer-steps per second (the
//! throughput column). Speed targets belong here, never in timed tests.

use divan::counter::ItemsCount;
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

/// One period of 200,000 customers on one thread.
#[divan::bench(args = ["reduced", "structural"])]
fn period_one_thread(bencher: divan::Bencher, form: &str) {
    let s = scenario(
        "competitive.toml",
        &[
            &format!("customers={CUSTOMERS}"),
            &format!("constraint.form={form}"),
        ],
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let mut sim = Simulation::new(&s);
    bencher
        .counter(ItemsCount::new(CUSTOMERS))
        .bench_local(|| pool.install(|| sim.step()));
}

/// One period of 200,000 customers on every core.
#[divan::bench]
fn period_all_threads(bencher: divan::Bencher) {
    let s = scenario("competitive.toml", &[&format!("customers={CUSTOMERS}")]);
    let mut sim = Simulation::new(&s);
    bencher
        .counter(ItemsCount::new(CUSTOMERS))
        .bench_local(|| sim.step());
}

/// A whole run of 1,000 customers for 50 periods: the unit of a sweep.
#[divan::bench]
fn small_run(bencher: divan::Bencher) {
    let s = scenario("competitive.toml", &["customers=1000", "periods=50"]);
    bencher
        .counter(ItemsCount::new(50_000usize))
        .bench(|| Simulation::new(&s).run(s.periods));
}
