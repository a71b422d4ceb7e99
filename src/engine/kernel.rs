//! The customer step: every customer of one chunk through one period, written once.
//!
//! A chunk goes through the period a block of [`BLOCK`] customers at a time, in phases:
//!
//! 1. **draws**: each customer's random numbers, in one tight loop (a normal and four
//!    uniforms, then a normal and a uniform per product line after the first);
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
#[cfg(test)]
use super::draw::{Isa, Key};
use super::seed::mix;
use super::tally::ChunkTally;
use super::{Chunk, Context, NO_FIRM, TALK_FIRM, TALK_NEGATIVE, TALK_POSITIVE};
use crate::model::{CustomerType, Heard, MAX_LINES, Voice, satisfaction, survey, voice};
use crate::scenario::MAX_FIRMS;

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

/// A uniform in [0, 1) from a hash.
#[inline]
pub(super) fn hashed_uniform(h: u64) -> f64 {
    (h >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Listens to the neighbours' words of the previous period. Fills `per_firm` (net
/// weighted messages per firm, cleared here) and, with `COUNT`, counts messages per
/// firm in `tally` (listening again to the same words counts nothing).
#[inline]
fn listen<const COUNT: bool>(
    ctx: &Context,
    listener: usize,
    firm: Option<usize>,
    per_firm: &mut [f64; MAX_FIRMS],
    tally: &mut [super::tally::FirmTally],
) -> (f64, f64, bool) {
    let w = &ctx.model.word_of_mouth;
    let reach_pos = w.reach;
    let reach_neg = (w.reach * w.negative_reach).min(1.0);
    let (mut own, mut all, mut any) = (0.0, 0.0, false);
    // Most neighbours said nothing, and which did is hard to predict: first mark the
    // ones that spoke, up to 64 at a time, without a branch, then visit only those, in
    // the same order.
    for group in ctx.network.neighbours(listener).chunks(64) {
        let mut spoke = 0u64;
        for (k, &speaker) in group.iter().enumerate() {
            spoke |= ((ctx.talk[speaker as usize] != 0) as u64) << k;
        }
        while spoke != 0 {
            let speaker = group[spoke.trailing_zeros() as usize];
            spoke &= spoke - 1;
            let said = ctx.talk[speaker as usize];
            let positive = said & TALK_POSITIVE != 0;
            let reach = if positive { reach_pos } else { reach_neg };
            let h = mix(ctx.wom_base ^ ((speaker as u64) << 32 | listener as u64));
            if hashed_uniform(h) >= reach {
                continue;
            }
            let about = (said & TALK_FIRM) as usize;
            let weight = if positive { 1.0 } else { -w.negative_weight };
            if !any {
                per_firm[..ctx.model.n_firms].fill(0.0);
                any = true;
            }
            per_firm[about] += weight;
            all += weight;
            if firm == Some(about) {
                own += weight;
            }
            if COUNT {
                if positive {
                    tally[about].wom_positive += 1;
                } else {
                    tally[about].wom_negative += 1;
                }
            }
        }
    }
    (own, all, any)
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
        reported,
        reported_age,
        cohort,
        talk,
        tally,
    } = chunk;
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

/// Listening: what each customer of the block heard, counted per firm.
#[inline(never)]
fn listen_block(
    ctx: &Context,
    listener: usize,
    firm_of: &[u8],
    out: &mut Outcomes,
    tally: &mut ChunkTally,
) {
    let mut per_firm = [0.0f64; MAX_FIRMS];
    let firms = &mut tally.firms[..ctx.model.n_firms];
    for (k, &f) in firm_of.iter().enumerate() {
        let firm = (f != NO_FIRM).then_some(f as usize);
        (out.own[k], out.all[k], out.any[k]) =
            listen::<true>(ctx, listener + k, firm, &mut per_firm, firms);
    }
}

/// The experience of every customer of a firm: perceived value, satisfaction,
/// expectation, the complaint episode, f(CS), P(defect). A prospect goes through it with
/// the last firm's numbers, and what comes out is not used.
#[inline(always)]
fn experience<const F: Features>(
    ctx: &Context,
    first: usize,
    rows: &Rows,
    block: &Block,
    out: &mut Outcomes,
) {
    let model = ctx.model;
    let m = rows.firm.len();
    let n_firms = model.n_firms;
    let p = &model.satisfaction;
    let wom = &model.word_of_mouth;
    let (firm_of, segment) = (&rows.firm[..m], &rows.segment[..m]);
    let (expectation, standard) = (&rows.expectation[..m], &rows.standard[..m]);
    let (tolerance, cs) = (&rows.tolerance[..m], &rows.cs[..m]);
    let (tenure, cost_scale) = (&rows.tenure[..m], &rows.cost_scale[..m]);
    let (episode, voice_of) = (&rows.episode[..m], &rows.voice[..m]);
    let (z, u_failure) = (&block.z[..m], &block.u_failure[..m]);
    for k in 0..m {
        let (own, all) = if on(F, WOM) {
            (out.own[k], out.all[k])
        } else {
            (0.0, 0.0)
        };
        let j = (firm_of[k] as usize).min(n_firms - 1);
        let sg = segment[k] as usize;
        let offer = &model.offers[sg * n_firms + j];
        let v = if on(F, LINES) {
            // The experience of each line after the first.
            let mut extra = [(0.0, 0.0); MAX_LINES - 1];
            let n_extra = model.lines[j].len().saturating_sub(1);
            for (l, e) in extra.iter_mut().enumerate().take(n_extra) {
                let purpose = Purpose::Line as u32 + 1 + l as u32;
                let w = draw::words(ctx.key, (first + k) as u64, ctx.period, purpose);
                *e = (draw::normal(w[0], w[1]), draw::uniform(w[2]));
            }
            model.perceived_value(true, offer, j, z[k], u_failure[k], &extra[..n_extra])
        } else {
            model.perceived_value(false, offer, j, z[k], u_failure[k], &[])
        };
        let half_width = 0.5 * tolerance[k] as f64;
        let e = expectation[k] as f64;
        let disconfirmation = v - e;
        let s = satisfaction::transaction_satisfaction(disconfirmation, half_width, p);
        let now = satisfaction::update_cs(cs[k] as f64, s, p.memory);
        out.expectation[k] =
            satisfaction::update_expectation(e, v, standard[k] as f64, offer.best_offer, p)
                + wom.expectation_weight * all;
        let mut now = (now + wom.satisfaction_weight * own).clamp(1.0, 5.0);
        // A problem opens an episode; an open one ages. In integer arithmetic: whether
        // a problem comes is hard to predict.
        let ep = episode[k];
        let opened = (ep == 0) & (disconfirmation < -half_width);
        let aged = ep.saturating_add((ep != 0) as u8 | opened as u8);
        let mut vo = voice_of[k] & silenced(opened);
        if on(F, VOICE) {
            // A problem may become a complaint; a pending complaint may be settled.
            let c = &model.complaints;
            let pending = ep != 0 && vo == Voice::Pending as u8;
            let u = if opened || pending {
                block.u_voice[k]
            } else {
                1.0
            };
            let mut complained = false;
            let mut settled = 0;
            if opened {
                complained = u < voice::complaint_probability(now, c);
                if complained {
                    vo = Voice::Pending as u8;
                }
            } else if pending {
                let waited = aged as u32 - 1;
                match voice::settle(waited, model.resolution_rate[j], u, c) {
                    voice::Settlement::StillPending => {}
                    voice::Settlement::Resolved { quick, lift } => {
                        vo = if quick {
                            Voice::ResolvedQuickly
                        } else {
                            Voice::Resolved
                        } as u8;
                        now = (now + lift).min(5.0);
                        settled = vo;
                    }
                    voice::Settlement::GivenUp { drop } => {
                        vo = Voice::Unresolved as u8;
                        now = (now - drop).max(1.0);
                        settled = vo;
                    }
                }
            }
            out.complained[k] = complained;
            out.settled[k] = settled;
        }
        let loyalty = model.curve.f(now);
        let (mut p_defect, mut pass) =
            model.defect_probability(loyalty, sg, j, cost_scale[k], tenure[k] as u32);
        if on(F, VOICE) && aged > 0 && vo == Voice::Pending as u8 {
            // A customer waiting for an answer is patient.
            let patience = model.complaints.patience;
            p_defect *= patience;
            pass = pass.map(|q| q * patience);
        }
        out.cs[k] = now;
        out.loyalty[k] = loyalty;
        out.p_defect[k] = p_defect;
        out.has_pass[k] = pass.is_some();
        out.pass[k] = pass.unwrap_or(0.0);
        out.episode[k] = aged;
        out.voice[k] = vo;
        if on(F, EXITS) {
            // The firm has left the market: the customer must go, whatever it felt, and
            // nothing of its state moves.
            let forced = firm_of[k] != NO_FIRM && !model.present[j];
            out.forced[k] = forced;
            if forced {
                out.cs[k] = cs[k] as f64;
                out.expectation[k] = e;
                out.loyalty[k] = model.curve.f(cs[k] as f64);
                out.p_defect[k] = 1.0;
                out.has_pass[k] = false;
                out.pass[k] = 0.0;
                out.episode[k] = ep;
                out.voice[k] = voice_of[k];
                if on(F, VOICE) {
                    out.complained[k] = false;
                    out.settled[k] = 0;
                }
            }
        }
    }
}

/// The decision phase, in customer order: prospects shop; customers stay or leave
/// (one uniform decides both stages), are counted, may be surveyed, and move.
#[inline(always)]
fn decide<const F: Features>(
    ctx: &Context,
    listener: usize,
    rows: Rows,
    block: &Block,
    out: &Outcomes,
    tally: &mut ChunkTally,
) {
    let model = ctx.model;
    let m = rows.firm.len();
    let n_firms = model.n_firms;
    let bins = tally.bins();
    let count = bins.count;
    let ChunkTally {
        firms,
        survey: survey_rows,
        prospects,
        period_curve,
        association,
        complaints,
        prediction,
        ..
    } = tally;
    let firms = &mut firms[..n_firms];
    let curve = &mut period_curve[..];
    // Sums kept in registers through the loop.
    let mut assoc = *association;
    let mut n_prospects = *prospects;
    let p = &model.satisfaction;
    let wom = &model.word_of_mouth;
    let survey = &ctx.scenario.survey;
    let horizon = survey.horizon as u8;
    let new_cs = model.new_customer_cs as f32;
    let mut per_firm = [0.0f64; MAX_FIRMS];
    let Rows {
        firm: firm_of,
        segment,
        expectation,
        standard,
        cs,
        tenure,
        episode,
        voice: voice_of,
        reported,
        reported_age,
        cohort,
        talk,
        ..
    } = rows;
    let (firm_of, segment, expectation) = (&mut firm_of[..m], &segment[..m], &mut expectation[..m]);
    let (standard, cs, tenure) = (&standard[..m], &mut cs[..m], &mut tenure[..m]);
    let (episode, voice_of, cohort) = (&mut episode[..m], &mut voice_of[..m], &mut cohort[..m]);
    let (reported, reported_age, talk) =
        (&mut reported[..m], &mut reported_age[..m], &mut talk[..m]);
    let u_decision = &block.u_decision[..m];
    for k in 0..m {
        let f = firm_of[k];
        let sg = segment[k] as usize;
        let heard = Heard {
            own: if on(F, WOM) { out.own[k] } else { 0.0 },
            all: if on(F, WOM) { out.all[k] } else { 0.0 },
            per_firm: None,
        };
        // The net messages per firm, for a choice, when any were heard: listened to
        // again, uncounted (the experience did not need them).
        let heard_by_firm = |firm: Option<usize>, per_firm: &mut [f64; MAX_FIRMS]| {
            if on(F, WOM) && out.any[k] {
                listen::<false>(ctx, listener + k, firm, per_firm, &mut []);
            }
        };
        if f == NO_FIRM {
            // A prospect: its expectation moves, and it may shop.
            n_prospects += 1;
            let e = expectation[k] as f64;
            let e = e
                + (p.anchor * (standard[k] as f64 - e)
                    + p.market_pull * (model.best_offer[sg] - e)
                    + wom.expectation_weight * heard.all);
            expectation[k] = e as f32;
            if u_decision[k] < model.prospect_rate {
                heard_by_firm(None, &mut per_firm);
                let heard = Heard {
                    per_firm: (on(F, WOM) && out.any[k]).then_some(&per_firm[..n_firms]),
                    ..heard
                };
                let u_choice = block.u_choice[k];
                if let Some(j) = model.choose(sg, None, u_choice, &heard) {
                    firms[j].acquisitions += 1;
                    firm_of[k] = j as u8;
                    cs[k] = new_cs;
                    tenure[k] = 0;
                    episode[k] = 0;
                    voice_of[k] = Voice::Silent as u8;
                }
            }
            if on(F, WOM) {
                talk[k] = 0;
            }
            continue;
        }
        let j = f as usize;
        let forced = on(F, EXITS) && out.forced[k];
        let now = out.cs[k];
        let loyalty = out.loyalty[k];
        let p_defect = out.p_defect[k];
        let (has_pass, q) = (out.has_pass[k], out.pass[k]);
        let held = tenure[k];
        // One uniform decides both stages, so leavers are always among the intending
        // and a stronger constraint can only turn leavers into hostages: u < P(defect)
        // leaves, u < max(1 − f, P(defect)) intends to.
        let left = u_decision[k] < p_defect;
        let stayed = !left;
        let intended = left | (u_decision[k] < 1.0 - loyalty);
        let kind = CustomerType::classify(now, intended, left, &model.types);
        let offer = &model.offers[sg * n_firms + j];
        let grown = (held as u32).min(model.margin_growth_periods) as f64;
        // Kept as a number 0 or 1 for the tallies' products below.
        let kept_on = stayed as u8 as f64;
        // For a leaver ±0.0, which leaves the sums it is added to as they are: sums
        // start at +0.0 and so are never −0.0, and adding a zero of either sign leaves
        // such a sum as it is.
        let margin = offer.margin * (1.0 + offer.margin_growth * grown) * kept_on;
        // The episode ends when the customer leaves or after the horizon.
        let ep = out.episode[k];
        let vo = out.voice[k];
        let ended = (ep != 0) & (left | (ep as u32 >= model.complaints.horizon));
        let row = &mut complaints[Voice::from_u8(vo).group() as usize];
        row.0 += ended as u64;
        row.1 += (ended & stayed) as u64;
        episode[k] = ep & silenced(ended);
        voice_of[k] = vo & silenced(ended);
        // The tallies.
        let in_cohort = cohort[k];
        let t = &mut firms[j];
        t.margin += margin;
        t.customers += 1;
        t.defections += left as u64;
        t.intenders += intended as u64;
        t.types[kind as usize] += 1;
        t.sum_cs += now;
        t.sum_expectation += out.expectation[k];
        if on(F, VOICE) {
            t.complaints += out.complained[k] as u64;
            match out.settled[k] {
                0 => {}
                s if s == Voice::Resolved as u8 => t.resolved += 1,
                s if s == Voice::ResolvedQuickly as u8 => t.resolved_quickly += 1,
                _ => t.unresolved += 1,
            }
        }
        t.cohort_decisions += in_cohort as u64;
        t.revenue += offer.price * kept_on;
        let kept = in_cohort & stayed;
        t.cohort_value += margin * ctx.discount * (kept as u8 as f64);
        t.cohort_stays += kept as u64;
        // A customer whose firm has left measured no barrier and says nothing about
        // satisfaction and loyalty.
        if !forced {
            t.sum_pass += q;
            t.n_pass += has_pass as u64;
            let bin = &mut curve[j * count + bins.index(now)];
            bin.observations += 1;
            bin.stayed += stayed as u64;
            bin.sum_cs += now;
            bin.sum_f += loyalty;
            bin.sum_cl += 1.0 - p_defect;
            bin.sum_pass += q;
            bin.n_pass += has_pass as u64;
            assoc.record_x(now, stayed);
        }
        cohort[k] = kept;
        expectation[k] = out.expectation[k] as f32;
        if on(F, WOM) {
            talk[k] = match kind {
                CustomerType::Apostle => TALK_POSITIVE | j as u8,
                CustomerType::Terrorist => TALK_NEGATIVE | j as u8,
                _ => 0,
            };
        }
        if on(F, SURVEY) {
            // Survey respondents followed: did they stay through the horizon?
            if reported[k] > 0 {
                let score = reported[k];
                if left {
                    prediction.record(score, false);
                    reported[k] = 0;
                } else {
                    reported_age[k] += 1;
                    if reported_age[k] >= horizon {
                        prediction.record(score, true);
                        reported[k] = 0;
                    }
                }
            }
            // A survey asks a sample of the customers who stayed.
            if stayed && let Some(base) = ctx.survey_base {
                let global = listener + k;
                let h1 = mix(base ^ global as u64);
                if hashed_uniform(h1) < survey.sample {
                    let (h2, h3, h4) = (mix(h1), mix(h1 ^ 1), mix(h1 ^ 2));
                    // Box–Muller from two hashed uniforms.
                    let z = (-2.0 * (1.0 - hashed_uniform(h3)).ln()).sqrt()
                        * (std::f64::consts::TAU * hashed_uniform(h4)).cos();
                    let row = &mut survey_rows[j];
                    row.sampled += 1;
                    if let Some(score) = survey::answer(now, hashed_uniform(h2), z, survey) {
                        row.respondents += 1;
                        row.sum_score += score as u64;
                        row.top_two += (score >= 4) as u64;
                        reported[k] = score;
                        reported_age[k] = 0;
                    }
                }
            }
        }
        if stayed {
            cs[k] = now as f32;
            tenure[k] = held.saturating_add(1);
            continue;
        }
        // The move.
        tenure[k] = 0;
        heard_by_firm(Some(j), &mut per_firm);
        let heard = Heard {
            per_firm: (on(F, WOM) && out.any[k]).then_some(&per_firm[..n_firms]),
            ..heard
        };
        let u_choice = block.u_choice[k];
        match model.choose(sg, Some(j), u_choice, &heard) {
            Some(k2) => {
                firms[k2].acquisitions += 1;
                firm_of[k] = k2 as u8;
                // Joining starts a customer afresh.
                cs[k] = new_cs;
                episode[k] = 0;
                voice_of[k] = Voice::Silent as u8;
            }
            None => {
                firms[j].to_outside += 1;
                firm_of[k] = NO_FIRM;
                cs[k] = now as f32;
            }
        }
    }
    *association = assoc;
    *prospects = n_prospects;
}

#[cfg(test)]
mod tests {
    use super::*;
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
        s.firms[0].resolution_rate = 0.5;
        // A seed whose customer 0 draws a voice uniform below 0.05 in periods 1 and 2:
        // it complains, then its complaint is resolved.
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
        let (c, t) = step_one(&m, &s, c, CALM, (0.0, 0.0), 1);
        assert_eq!(t.firms[0].complaints, 1);
        assert_eq!((c.episode, c.voice), (1, Voice::Pending));
        let (c, t) = step_one(&m, &s, c, CALM, (0.0, 0.0), 2);
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
}
