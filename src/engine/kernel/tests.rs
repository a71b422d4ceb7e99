//! Tests of the step: feature paths, instruction sets, one customer through a period.

use super::*;
use crate::engine::draw::{Isa, Key};
use crate::engine::network::{GraphKind, Network};
use crate::engine::tally::Bins;
use crate::engine::{RunResults, Simulation};
use crate::model::Model;
use crate::scenario::Scenario;

fn run(s: &Scenario, every_phase: bool) -> RunResults {
    let mut sim = Simulation::new(s);
    sim.every_phase = every_phase;
    sim.run(s.periods)
}

/// The baseline path and the widest one this processor has give the same bytes,
/// draw by draw and for whole runs (with the rare features and word of mouth on).
#[test]
fn the_instruction_set_changes_no_bit() {
    let widest = Isa::detect();
    let (mut a, mut b) = (Box::new(Block::EMPTY), Box::new(Block::EMPTY));
    for (first, period) in [
        (0u64, 1u32),
        (4096 * 7 + 3, 9),
        (u32::MAX as u64 - 100, 500),
    ] {
        a.draw(Isa::Baseline, Key::new(3), period, first, BLOCK);
        b.draw(widest, Key::new(3), period, first, BLOCK);
        let bits = |x: &[f64; BLOCK]| x.map(f64::to_bits);
        assert_eq!(bits(&a.z), bits(&b.z));
        assert_eq!(bits(&a.u_failure), bits(&b.u_failure));
        assert_eq!(bits(&a.u_decision), bits(&b.u_decision));
        assert_eq!(bits(&a.u_choice), bits(&b.u_choice));
        assert_eq!(bits(&a.u_voice), bits(&b.u_voice));
    }
    for file in [
        "showcase.toml",
        "literature/tarp.toml",
        "product_lines.toml",
    ] {
        let path = format!("{}/scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
        let overrides: Vec<_> = ["customers=3000", "word_of_mouth.network=small_world"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let s = Scenario::load(std::path::Path::new(&path), &overrides).unwrap();
        let baseline = Simulation::new(&s)
            .with_baseline_instructions()
            .run(s.periods);
        assert_eq!(Simulation::new(&s).run(s.periods), baseline, "{file}");
    }
}

/// The step with every phase on gives the plain step's results, bit for bit, on the
/// shipped scenarios (those that need a rare feature exercise the choice of
/// features), with and without word of mouth.
#[test]
fn every_phase_on_changes_nothing() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 5);
    for path in files {
        let overrides: Vec<_> = ["customers=5000"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let base = Scenario::load(&path, &overrides).unwrap();
        let mut talking = base.clone();
        talking.word_of_mouth.network = crate::scenario::NetworkKind::SmallWorld;
        talking.word_of_mouth.degree = 6;
        let mut structural = base.clone();
        structural.constraint.form = crate::scenario::ConstraintForm::Structural;
        for s in [base, talking, structural] {
            assert_eq!(run(&s, false), run(&s, true), "{}", path.display());
        }
    }
}

/// One customer's row, as plain numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
struct One {
    firm: u8,
    expectation: f32,
    cs: f32,
    tenure: u16,
    episode: u8,
    voice: Voice,
}

const ONE: One = One {
    firm: 0,
    expectation: 2.0,
    cs: 3.0,
    tenure: 4,
    episode: 0,
    voice: Voice::Silent,
};

/// Experience draws that change little: no noise, no failure, a stay.
const CALM: [f64; 3] = [0.0, 0.99, 0.99];

/// The step in `period` on a block of one customer, customer 0 of `s`'s seed, with
/// every phase on, given its experience draws (z and the failure and decision
/// uniforms) and what it heard (net messages about its firm and about all firms):
/// the customer after the period, and what the period counted.
fn step_one(
    model: &Model,
    s: &Scenario,
    c: One,
    draws: [f64; 3],
    heard: (f64, f64),
    period: u32,
) -> (One, ChunkTally) {
    let network = Network::build(1, GraphKind::None, s.seed);
    let talk_before = [0u8];
    let ctx = Context {
        model,
        scenario: s,
        network: &network,
        talk: &talk_before,
        key: Key::new(s.seed),
        isa: Isa::detect(),
        period,
        wom_base: 0,
        survey_base: None,
        discount: 1.0,
        every_phase: true,
    };
    let (mut firm, mut expectation, mut cs, mut tenure) =
        ([c.firm], [c.expectation], [c.cs], [c.tenure]);
    let (mut episode, mut voice) = ([c.episode], [c.voice as u8]);
    let (mut reported, mut reported_age, mut cohort, mut talk) = ([0], [0], [true], [0]);
    let mut block = Box::new(Block::EMPTY);
    [block.z[0], block.u_failure[0], block.u_decision[0]] = draws;
    let w = draw::words(ctx.key, 0, period, Purpose::ChoiceAndVoice as u32);
    [block.u_choice[0], block.u_voice[0]] = [draw::uniform(w[0]), draw::uniform(w[1])];
    let mut out = Box::new(Outcomes::EMPTY);
    (out.own[0], out.all[0], out.any[0]) = (heard.0, heard.1, false);
    let mut tally = ChunkTally::new(model.n_firms, Bins::new(0.25));
    let rows = Rows {
        firm: &mut firm,
        segment: &[0],
        expectation: &mut expectation,
        standard: &[2.0],
        tolerance: &[1.0],
        cs: &mut cs,
        tenure: &mut tenure,
        cost_scale: &[1.0],
        episode: &mut episode,
        voice: &mut voice,
        incident: &mut [],
        reported: &mut reported,
        reported_age: &mut reported_age,
        cohort: &mut cohort,
        talk: &mut talk,
    };
    const ALL: Features = WOM | RARE;
    experience::<ALL>(&ctx, 0, &rows, &block, &mut out);
    decide::<ALL>(&ctx, 0, rows, &block, &out, &mut tally);
    let after = One {
        firm: firm[0],
        expectation: expectation[0],
        cs: cs[0],
        tenure: tenure[0],
        episode: episode[0],
        voice: Voice::from_u8(voice[0]),
    };
    (after, tally)
}

#[test]
fn customers_of_an_exited_firm_all_leave() {
    let s = Scenario::default();
    let m = Model::with_presence(&s, &[false, true]);
    let (c, t) = step_one(&m, &s, ONE, CALM, (0.0, 0.0), 1);
    let gone = &t.firms[0];
    assert_eq!((gone.customers, gone.defections, gone.intenders), (1, 1, 1));
    assert_ne!(c.firm, 0);
    // The customer measured no barrier and is not on the retention curve.
    assert_eq!(gone.n_pass, 0);
    assert!(t.period_curve.iter().all(|b| b.observations == 0));
}

#[test]
fn a_problem_opens_an_episode_and_a_complaint_is_patient() {
    let mut s = Scenario::default();
    s.complaints.rate = 1.0;
    s.complaints.threshold = 5.0;
    s.firms[0].resolution_rate = 0.0;
    // A seed whose customer 0 draws a voice uniform below 0.05 in periods 1 and 2:
    // it complains (its chance is at least 0.5 at CS 3 or below).
    let voice = |seed: u64, period: u32| {
        let w = draw::words(Key::new(seed), 0, period, Purpose::ChoiceAndVoice as u32);
        draw::uniform(w[1])
    };
    s.seed = (0..)
        .find(|&seed| voice(seed, 1) < 0.05 && voice(seed, 2) < 0.05)
        .unwrap();
    let m = Model::new(&s);
    // Expecting far above the delivered value of 2: a problem.
    let c = One {
        expectation: 6.0,
        ..ONE
    };
    // A firm that never answers: the complaint is pending after its period.
    let (pending, t) = step_one(&m, &s, c, CALM, (0.0, 0.0), 1);
    assert_eq!(t.firms[0].complaints, 1);
    assert_eq!((pending.episode, pending.voice), (1, Voice::Pending));
    // One that answers half the complaints: the complaint is resolved in the period it
    // is made (the rescaled voice uniform is below 0.1).
    s.firms[0].resolution_rate = 0.5;
    let m = Model::new(&s);
    let (c, t) = step_one(&m, &s, c, CALM, (0.0, 0.0), 1);
    assert_eq!((t.firms[0].complaints, t.firms[0].resolved_quickly), (1, 1));
    assert_eq!((c.episode, c.voice), (1, Voice::ResolvedQuickly));
    // And the pending one, the next period.
    let (c, t) = step_one(&m, &s, pending, CALM, (0.0, 0.0), 2);
    assert_eq!(t.firms[0].resolved_quickly, 1);
    assert_eq!(c.voice, Voice::ResolvedQuickly);
}

#[test]
fn negative_word_of_mouth_about_the_own_firm_lowers_satisfaction() {
    let mut s = Scenario::default();
    s.word_of_mouth.satisfaction_weight = 0.1;
    let m = Model::new(&s);
    let (a, _) = step_one(&m, &s, ONE, CALM, (0.0, 0.0), 1);
    let (b, _) = step_one(&m, &s, ONE, CALM, (-4.0, -4.0), 1);
    assert!((a.cs - b.cs - 0.4).abs() < 1e-6, "{} {}", a.cs, b.cs);
    assert!(b.expectation < a.expectation);
}
