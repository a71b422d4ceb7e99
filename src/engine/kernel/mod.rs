//! The customer step: every customer of one chunk through one period, written once.
//!
//! A chunk goes through the period a block of [`BLOCK`] customers at a time, in phases:
//!
//! 1. **draws** ([`Block::draw`], engine/draw/): each customer's random numbers by
//!    counter, in vector loops (a normal and four uniforms; a normal and a uniform per
//!    product line after the first are drawn in the experience, by the lines' owners);
//! 2. **listening** (word of mouth): what the neighbours said in the previous period;
//! 3. **experience**: perceived value, transaction and cumulative satisfaction, the
//!    expectation, the complaint episode, f(CS) and P(defect), customer by customer with
//!    no customer depending on another, so the long chains of dependent operations of
//!    successive customers overlap in the processor;
//! 4. **decision**, in customer order: prospects shop, customers stay or leave, the
//!    tallies, the survey, and the moves.
//!
//! The step is generic over the features a chunk uses this period, as bits of one
//! constant ([`Features`]): word of mouth, product lines, complaints, surveys, and firms
//! that have left the market. A feature that is off is a constant `false` in the code,
//! so a plain market compiles to a loop with no branch on what it does not use, and a
//! full market runs the same code with more phases on. Which bits a chunk needs is
//! decided per chunk and period ([`needs`]): a customer with a pending complaint needs
//! the complaints phase even after an event switched complaints off. A feature that is
//! on but unused gives the same numbers, bit for bit, as the feature off, so which
//! instance ran never shows in the output; `tests::every_phase_on_changes_nothing` and
//! the property test `every_phase_on_changes_nothing_on_generated_scenarios`
//! (tests/properties.rs) keep it so.
//!
//! The model's equations (satisfaction, expectation, f(CS), R, the type, the choice)
//! are [`Model`]'s and its submodules'; this file strings them together for a block of
//! customers and counts what happened, each phase written here once.

use super::draw::{self, BLOCK, Block, Purpose};
use super::seed::mix;
use super::tally::ChunkTally;
use super::{Chunk, Context, NO_FIRM, TALK_FIRM, TALK_NEGATIVE, TALK_POSITIVE};
use crate::model::{CustomerType, Heard, MAX_LINES, Voice, satisfaction, survey, voice};
use crate::scenario::MAX_FIRMS;

mod decide;
mod experience;
mod listen;

use decide::decide;
use experience::experience;
use listen::{listen, listen_block};

/// A uniform in [0, 1) from a hash.
#[inline]
pub(super) fn hashed_uniform(h: u64) -> f64 {
    (h >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// The features of the step, as bits of its constant parameter.
pub(super) type Features = u8;
/// Listening to the neighbours and saying something.
pub(super) const WOM: Features = 1;
/// Firms with product lines (more draws, the lines' experiences combined).
pub(super) const LINES: Features = 2;
/// Complaints: made, pending, settled (the voice uniform used).
pub(super) const VOICE: Features = 4;
/// Surveys: respondents sampled and followed.
pub(super) const SURVEY: Features = 8;
/// Firms that have left the market, whose customers must go.
pub(super) const EXITS: Features = 16;
/// The rare features, compiled together: a market with any of them runs them all.
const RARE: Features = LINES | VOICE | SURVEY | EXITS;

/// Whether feature `bit` is on in `F`.
const fn on(f: Features, bit: Features) -> bool {
    f & bit != 0
}

/// A mask that clears a byte when `reset` (episode 0, voice `Silent`) and keeps it
/// otherwise: a choice without a branch, for conditions that are hard to predict.
#[inline(always)]
fn silenced(reset: bool) -> u8 {
    (reset as u8).wrapping_sub(1)
}
const _: () = assert!(Voice::Silent as u8 == 0);

/// Runs one chunk for one period with the features it needs: four instances of the one
/// step, with and without word of mouth, with and without the rare features.
pub(super) fn step_chunk(chunk: &mut Chunk, ctx: &Context) {
    let needed = needs(chunk, ctx) | if ctx.every_phase { RARE } else { 0 };
    let rare = needed & RARE != 0;
    SCRATCH.with_borrow_mut(|s| match (on(needed, WOM), rare) {
        (false, false) => step::<0>(chunk, ctx, s),
        (true, false) => step::<WOM>(chunk, ctx, s),
        (false, true) => step::<RARE>(chunk, ctx, s),
        (true, true) => step::<{ WOM | RARE }>(chunk, ctx, s),
    });
    chunk.tally.end_period();
}

/// The features this chunk uses this period.
fn needs(chunk: &Chunk, ctx: &Context) -> Features {
    let model = ctx.model;
    let present = &model.present;
    let mut f = 0;
    if ctx.network.edges() > 0 {
        f |= WOM;
    }
    if model.lines.iter().any(|l| !l.is_empty()) {
        f |= LINES;
    }
    if model.complaints.rate != 0.0 || chunk.voice.contains(&(Voice::Pending as u8)) {
        f |= VOICE;
    }
    if ctx.scenario.survey.every != 0 {
        f |= SURVEY;
    }
    let gone = |&f: &u8| f != NO_FIRM && !present[f as usize];
    if !present.iter().all(|&here| here) && chunk.firm.iter().any(gone) {
        f |= EXITS;
    }
    f
}

/// What the listening and experience phases work out for a block of customers, for the
/// decision phase to read.
struct Outcomes {
    /// What the customer heard: net messages about its firm and about all firms, and
    /// whether any reached it.
    own: [f64; BLOCK],
    all: [f64; BLOCK],
    any: [bool; BLOCK],
    /// CS and expectation after the experience, f(CS), P(defect), the pass-through
    /// (0 where undefined) and whether it is defined.
    cs: [f64; BLOCK],
    expectation: [f64; BLOCK],
    loyalty: [f64; BLOCK],
    p_defect: [f64; BLOCK],
    pass: [f64; BLOCK],
    has_pass: [bool; BLOCK],
    /// The routine and incident memories after the experience, when the scenario keeps
    /// them apart (`cs` above is then their sum on the scale).
    routine: [f64; BLOCK],
    incident: [f64; BLOCK],
    /// The complaint episode and voice after the experience.
    episode: [u8; BLOCK],
    voice: [u8; BLOCK],
    /// With complaints: a complaint made, and a settlement (the voice it left, or 0).
    complained: [bool; BLOCK],
    settled: [u8; BLOCK],
    /// With exits: the customer's firm has left the market.
    forced: [bool; BLOCK],
}

impl Outcomes {
    const EMPTY: Outcomes = Outcomes {
        own: [0.0; BLOCK],
        all: [0.0; BLOCK],
        any: [false; BLOCK],
        cs: [0.0; BLOCK],
        expectation: [0.0; BLOCK],
        loyalty: [0.0; BLOCK],
        p_defect: [0.0; BLOCK],
        pass: [0.0; BLOCK],
        has_pass: [false; BLOCK],
        routine: [0.0; BLOCK],
        incident: [0.0; BLOCK],
        episode: [0; BLOCK],
        voice: [0; BLOCK],
        complained: [false; BLOCK],
        settled: [0; BLOCK],
        forced: [false; BLOCK],
    };
}

/// The draws and outcomes of a block of customers, kept per thread rather than zeroed
/// on the stack for every chunk and period (which cost a sweep of small runs 4% of its
/// instructions). Nothing reads an entry the same period has not written.
struct Scratch {
    block: Block,
    out: Outcomes,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = const {
        std::cell::RefCell::new(Scratch {
            block: Block::EMPTY,
            out: Outcomes::EMPTY,
        })
    };
}

/// One block's customers: the chunk's arrays over the block's range, one length for
/// all, so the compiler drops the bounds checks.
pub(super) struct Rows<'r> {
    pub firm: &'r mut [u8],
    pub segment: &'r [u8],
    pub expectation: &'r mut [f32],
    pub standard: &'r [f32],
    pub tolerance: &'r [f32],
    pub cs: &'r mut [f32],
    pub tenure: &'r mut [u16],
    pub cost_scale: &'r [f32],
    pub episode: &'r mut [u8],
    pub voice: &'r mut [u8],
    /// Empty when the scenario keeps no incident memory.
    pub incident: &'r mut [f32],
    pub reported: &'r mut [u8],
    pub reported_age: &'r mut [u8],
    pub cohort: &'r mut [bool],
    pub talk: &'r mut [u8],
}

/// The step of one chunk for one period, block by block (see the module docs).
fn step<const F: Features>(chunk: &mut Chunk, ctx: &Context, scratch: &mut Scratch) {
    chunk.tally.start_period();
    let n = chunk.firm.len();
    let Chunk {
        start,
        firm,
        segment,
        expectation,
        standard,
        tolerance,
        cs,
        tenure,
        cost_scale,
        episode,
        voice,
        incident,
        reported,
        reported_age,
        cohort,
        talk,
        tally,
    } = chunk;
    let incidents = !incident.is_empty();
    let Scratch { block, out } = scratch;
    let mut first = 0;
    while first < n {
        let r = first..first + BLOCK.min(n - first);
        let rows = Rows {
            firm: &mut firm[r.clone()],
            segment: &segment[r.clone()],
            expectation: &mut expectation[r.clone()],
            standard: &standard[r.clone()],
            tolerance: &tolerance[r.clone()],
            cs: &mut cs[r.clone()],
            tenure: &mut tenure[r.clone()],
            cost_scale: &cost_scale[r.clone()],
            episode: &mut episode[r.clone()],
            voice: &mut voice[r.clone()],
            incident: if incidents {
                &mut incident[r.clone()]
            } else {
                &mut []
            },
            reported: &mut reported[r.clone()],
            reported_age: &mut reported_age[r.clone()],
            cohort: &mut cohort[r.clone()],
            talk: &mut talk[r.clone()],
        };
        let listener = *start + first;
        block.draw(ctx.isa, ctx.key, ctx.period, listener as u64, r.len());
        if on(F, WOM) {
            listen_block(ctx, listener, rows.firm, out, tally);
        }
        experience::<F>(ctx, listener, &rows, block, out);
        decide::<F>(ctx, listener, rows, block, out, tally);
        first = r.end;
    }
}

#[cfg(test)]
mod tests;
