//! The scenario loader on arbitrary text: every input is either refused with one short
//! line or accepted as a scenario whose resolved form loads again to itself; accepted
//! scenarios that are small enough are also simulated, and a sweep's plan is built.
//!
//! Lines `#set PATH=VALUE` (TOML comments) are applied as `--set` assignments, so the
//! fuzzer explores overrides too. The seed corpus is the shipped scenarios and the bad
//! fixtures (see fuzz/README.md).
#![no_main]

use libfuzzer_sys::fuzz_target;
use loyalsim::parameter::Plan;
use loyalsim::scenario::{Override, Scenario};

/// An error message as users see it: one line, and short whatever the input.
fn check_message(message: &str) {
    assert!(!message.contains('\n'), "a message of several lines: {message:?}");
    assert!(
        message.chars().count() <= 2000,
        "a message of {} characters",
        message.chars().count()
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut overrides = Vec::new();
    for line in text.lines() {
        if let Some(assignment) = line.strip_prefix("#set ") {
            match assignment.parse::<Override>() {
                Ok(o) => overrides.push(o),
                Err(e) => return check_message(&e.to_string()),
            }
        }
    }
    let read = match Scenario::read(text, "fuzz", &overrides) {
        Ok(read) => read,
        Err(e) => return check_message(&e.to_string()),
    };
    // What `run` refuses: a setting that changes nothing, outside a sweep.
    if read.scenario.sweep.is_none()
        && let Some(u) = read.unused.first()
    {
        return check_message(&loyalsim::scenario::unused_error(u, "fuzz", &overrides).to_string());
    }
    let s = read.scenario;
    for w in s.warnings() {
        check_message(&w);
    }
    if let Some(sweep) = &s.sweep {
        // A sweep: its plan is built or refused in one line; a small one's resolved
        // file (scenario.toml of the results) loads again to the same text.
        match Plan::size(sweep) {
            Ok(points) if points <= 200 => {}
            Ok(_) => return,
            Err(e) => return check_message(&e.to_string()),
        }
        let plan = match Plan::new(sweep, s.seed) {
            Ok(plan) => plan,
            Err(e) => return check_message(&e.to_string()),
        };
        let shown = match plan.resolved_toml(&s) {
            Ok(text) => text,
            Err(e) => return check_message(&e.to_string()),
        };
        let again = Scenario::read(&shown, "resolved", &[])
            .unwrap_or_else(|e| panic!("the resolved sweep is refused: {e}\n{shown}"));
        let again_plan = Plan::new(again.scenario.sweep.as_ref().expect("a sweep"), again.scenario.seed)
            .expect("the resolved sweep's plan");
        assert_eq!(
            again_plan.resolved_toml(&again.scenario).expect("its points"),
            shown,
            "resolving a sweep is not a fixed point"
        );
        return;
    }
    // The resolved scenario loads again, without a complaint, to the same text.
    let shown = s.to_toml();
    let again = Scenario::read(&shown, "resolved", &[])
        .unwrap_or_else(|e| panic!("the resolved scenario is refused: {e}\n{shown}"));
    assert!(again.unused.is_empty(), "{:?}\n{shown}", again.unused);
    assert_eq!(again.scenario.to_toml(), shown, "resolving is not a fixed point");
    // Small enough to simulate in a moment: run it (a panic in the engine is a bug).
    let small = s.customers <= 2_000
        && s.periods <= 30
        && s.customers * s.periods as u64 * (1 + s.word_of_mouth.degree as u64) <= 200_000;
    if small {
        let results = loyalsim::Simulation::new(&s).run(s.periods);
        assert_eq!(results.periods.len(), s.periods as usize);
    }
});
