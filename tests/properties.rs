//! Property tests of the engine's invariants over random scenarios: every phase of the
//! step on changes nothing, the population is conserved, an infinite constraint stops
//! every defection, a stronger constraint never lowers retention on the same seed, and
//! results do not depend on the thread count.

use loyalsim::engine::{CHUNK, RunResults, Simulation};
use loyalsim::scenario::{
    Combine, ConstraintForm, Event, Firm, Loyalty, NetworkKind, Scenario, Strength,
};
use proptest::prelude::*;

mod common;

fn run_with_threads(s: &Scenario, threads: usize) -> RunResults {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(|| Simulation::new(s).run(s.periods))
}

prop_compose! {
    fn firm()(product in 3.0..9.0f64, service in 3.0..9.0f64, price in 1.0..6.0f64,
              inconsistency in 0.0..2.0f64, failure_rate in 0.0..0.3f64,
              initial_share in 0.1..1.0f64) -> Firm {
        let mut f = Firm { price, inconsistency, failure_rate, initial_share, ..Firm::default() };
        f.value.product = product;
        f.value.service = service;
        f
    }
}

fn loyalty() -> impl Strategy<Value = Loyalty> {
    prop_oneof![
        (
            1.2..2.9f64,
            3.0..4.8f64,
            0.0..0.5f64,
            0.5..0.8f64,
            0.8..1.0f64
        )
            .prop_map(|(a, b, lo, mid, hi)| Loyalty::Zones {
                breakpoints: vec![a, b],
                levels: vec![lo, mid, mid, hi],
            }),
        (2.0..4.0f64, 0.5..4.0f64).prop_map(|(midpoint, steepness)| Loyalty::Logistic {
            midpoint,
            steepness,
            floor: 0.05,
            ceiling: 0.99,
        }),
    ]
}

prop_compose! {
    fn scenario()(seed in any::<u64>(), customers in 1u64..(3 * CHUNK as u64),
                  periods in 1u32..6, firms in prop::collection::vec(firm(), 1..4),
                  r in 0.0..4.0f64, structural in any::<bool>(), multiplicative in any::<bool>(),
                  loyalty in loyalty(), outside in 0.0..0.5f64, prospect_rate in 0.0..1.0f64,
                  network in 0u8..3, degree in 1u32..6, complaints in 0.0..1.0f64,
                  exit_last in any::<bool>(), survey in any::<bool>())
                  -> Scenario {
        let mut s = Scenario { seed, customers, periods, loyalty, ..Scenario::default() };
        s.firms = firms.into_iter().enumerate()
            .map(|(i, f)| Firm { name: format!("F{i}"), ..f }).collect();
        s.constraint.r = Strength::from_value(r);
        s.constraint.form = if structural { ConstraintForm::Structural } else { ConstraintForm::Reduced };
        s.constraint.combine = if multiplicative { Combine::Multiplicative } else { Combine::Exponential };
        s.constraint.monopoly = Strength::from_value(2.0);
        s.initial_state.outside = outside;
        s.choice.prospect_rate = prospect_rate;
        // Market dynamics: word of mouth, complaints, a survey, and a firm that exits.
        s.word_of_mouth.network = [NetworkKind::None, NetworkKind::SmallWorld, NetworkKind::Random][network as usize];
        s.word_of_mouth.degree = 2 * degree;
        s.word_of_mouth.reach = 0.8;
        s.word_of_mouth.satisfaction_weight = 0.5;
        s.complaints.rate = complaints;
        if survey {
            s.survey.every = 1;
            s.survey.sample = 0.5;
        }
        if exit_last && s.firms.len() > 1 && periods > 1 {
            let firm = s.firms.last().unwrap().name.clone();
            s.events.push(Event::Exit { period: 2, firm });
        }
        s.validate("proptest").expect("generated scenarios are valid");
        s
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// The step with every phase on and the step with only the phases a chunk needs
    /// give the same results, bit for bit, on generated scenarios: with `plain`, nobody
    /// complains and no survey or exit is scheduled, so the plain step runs wherever it
    /// can; otherwise the scenario as generated, where the phases are chosen chunk by
    /// chunk and period by period (a complaint pending, a firm gone).
    #[test]
    fn every_phase_on_changes_nothing_on_generated_scenarios(mut s in scenario(), plain in any::<bool>()) {
        if plain {
            s.complaints.rate = 0.0;
            s.survey.every = 0;
            s.events.clear();
        }
        let fast = Simulation::new(&s).run(s.periods);
        let reference = Simulation::new(&s).with_every_phase().run(s.periods);
        prop_assert_eq!(fast, reference);
    }

    #[test]
    fn the_population_is_conserved(s in scenario()) {
        let mut sim = Simulation::new(&s);
        let n = s.customers;
        let mut before = sim.census();
        prop_assert_eq!(before.iter().sum::<u64>(), n);
        for _ in 0..s.periods {
            let rec = sim.step();
            let after = sim.census();
            prop_assert_eq!(after.iter().sum::<u64>(), n);
            prop_assert_eq!(rec.prospects, before[s.firms.len()]);
            for (j, f) in rec.firms.iter().enumerate() {
                prop_assert_eq!(f.customers, before[j]);
                prop_assert_eq!(after[j], f.customers + f.acquisitions - f.defections);
                prop_assert_eq!(f.types.iter().sum::<u64>(), f.customers);
            }
            before = after;
        }
    }

    #[test]
    fn infinite_r_gives_zero_defection_at_every_cs(mut s in scenario()) {
        // A firm that exits forces its customers out whatever R is.
        s.events.clear();
        s.constraint.form = ConstraintForm::Reduced;
        s.constraint.r = Strength::from_value(f64::INFINITY);
        let res = Simulation::new(&s).run(s.periods);
        for p in &res.periods {
            for f in &p.firms {
                prop_assert_eq!(f.defections, 0);
            }
        }
        for bin in &res.curve {
            prop_assert_eq!(bin.stayed, bin.observations);
        }
    }

    #[test]
    fn retention_never_falls_as_r_rises(mut s in scenario(), r1 in 0.0..3.0f64, extra in 0.0..3.0f64) {
        // Common random numbers: every customer takes the same draws whatever R is, and
        // one uniform decides the two stages, so in the first period the leavers under a
        // stronger constraint are a subset of those under a weaker one.
        s.constraint.form = ConstraintForm::Reduced;
        s.periods = 1;
        let mut weak = s.clone();
        weak.constraint.r = Strength::from_value(r1);
        let mut strong = s.clone();
        strong.constraint.r = Strength::from_value(r1 + extra);
        let a = Simulation::new(&weak).run(1);
        let b = Simulation::new(&strong).run(1);
        for (fa, fb) in a.periods[0].firms.iter().zip(&b.periods[0].firms) {
            prop_assert_eq!(fa.customers, fb.customers);
            prop_assert!(fb.defections <= fa.defections,
                "R {} -> {}: defections {} -> {}", r1, r1 + extra, fa.defections, fb.defections);
        }
    }

    #[test]
    fn results_do_not_depend_on_the_thread_count(s in scenario()) {
        prop_assert_eq!(run_with_threads(&s, 1), run_with_threads(&s, 2));
    }
}

/// Over a whole run, where paths diverge after the first defection, retention still
/// rises with R in a realistic market (a large population keeps sampling error far
/// below the differences between levels).
#[test]
fn run_retention_rises_with_constraint_level() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/competitive.toml"
    ))
    .unwrap();
    let mut last = 0.0;
    for level in ["none", "low", "medium", "strong", "infinite"] {
        let o = [
            "customers=20000".parse().unwrap(),
            "periods=10".parse().unwrap(),
            format!("constraint.r={level}").parse().unwrap(),
        ];
        let s = Scenario::parse(&text, "competitive", &o).unwrap();
        let res = Simulation::new(&s).run(s.periods);
        let (mut stayed, mut all) = (0u64, 0u64);
        for p in &res.periods {
            for f in &p.firms {
                stayed += f.customers - f.defections;
                all += f.customers;
            }
        }
        let retention = stayed as f64 / all as f64;
        assert!(retention > last, "{level}: {retention} <= {last}");
        last = retention;
    }
    assert_eq!(last, 1.0);
}

/// Every shipped scenario, as `loyalsim run` reads it (9000 customers: three chunks, so
/// the threads share the work), gives the same results on one thread and on three
/// (more threads than the machine's two cores, one chunk each).
/// The files are written from these results alone, so their bytes follow; that the
/// binary honours `--threads` and `RAYON_NUM_THREADS` is tests/cli.rs's, on one scenario.
#[test]
fn shipped_scenarios_do_not_depend_on_the_thread_count() {
    let customers: loyalsim::scenario::Override = "customers=9000".parse().unwrap();
    let files = common::shipped_scenarios();
    assert!(files.len() > 10, "the shipped scenarios: {files:?}");
    for file in files {
        let s = Scenario::load(&file, std::slice::from_ref(&customers))
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(
            run_with_threads(&s, 1) == run_with_threads(&s, 3),
            "{}: three threads differ from one",
            file.display()
        );
    }
}
