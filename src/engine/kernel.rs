//! The hot loop: every customer of one chunk through one period.
//!
//! Two loops, each compiled with and without word of mouth (`WOM`: listening to the
//! neighbours and saying something), so a market without a network pays nothing for it:
//!
//! - the *full* loop ([`run_full`]) builds a [`Customer`] and calls [`Model::step`] for
//!   each, then adds up the [`Decision`](crate::model::Decision) it returns. It does
//!   everything: product lines, complaints, surveys, firms that have left the market.
//!   It is the reference.
//! - the *core* loop ([`run_core`]) is the same period for the markets most runs
//!   simulate: no product lines, nobody complains (`complaints.rate` is 0 and no
//!   complaint is pending), no survey, every customer's firm in the market. It works
//!   on the chunk's arrays directly, with the model's own functions for every equation
//!   (satisfaction, expectation, f(CS), R, the type, the choice), makes the draws in
//!   tight blocks ahead of the customers (the same draws in the same order), and keeps
//!   only the tallies those markets can change. It gives the same numbers, bit for
//!   bit, as the full loop; `tests::the_core_loop_is_the_full_loop` checks it.
//!
//! The loop is chosen per chunk and period, from the model and the chunk's state (a
//! customer with a pending complaint needs the full loop even after an event switched
//! complaints off), so which loop ran never shows in the output.

use super::normal::standard_normal;
use super::seed::{self, Generator, Purpose, mix, uniform};
use super::tally::FirmTally;
use super::{Chunk, Context, NO_FIRM, TALK_FIRM, TALK_NEGATIVE, TALK_POSITIVE};
use crate::model::{
    Customer, CustomerType, Draws, Heard, MAX_LINES, Model, Outcome, PASS_TABLE, Voice, constraint,
    satisfaction, survey,
};
use crate::scenario::{Combine, ConstraintForm, MAX_FIRMS};
use rand::RngExt;
use rand_distr::StandardNormal;

/// A mask that clears a byte when `reset` (episode 0, voice `Silent`) and keeps it
/// otherwise: a choice without a branch, for conditions that are hard to predict.
#[inline(always)]
fn silenced(reset: bool) -> u8 {
    (reset as u8).wrapping_sub(1)
}
const _: () = assert!(Voice::Silent as u8 == 0);

/// Runs one chunk for one period with the loop it needs.
pub(super) fn step_chunk(chunk: &mut Chunk, ci: usize, ctx: &Context) {
    let talking = ctx.network.edges() > 0;
    match (talking, !ctx.force_full && core_applies(chunk, ctx)) {
        (false, true) => run_core::<false>(chunk, ci, ctx),
        (true, true) => run_core::<true>(chunk, ci, ctx),
        (false, false) => run_full::<false>(chunk, ci, ctx),
        (true, false) => run_full::<true>(chunk, ci, ctx),
    }
    chunk.tally.end_period();
}

/// Whether the core loop does everything this chunk needs this period.
fn core_applies(chunk: &Chunk, ctx: &Context) -> bool {
    let model = ctx.model;
    let present = &model.present;
    model.complaints.rate == 0.0
        && model.lines.iter().all(|l| l.is_empty())
        && ctx.scenario.survey.every == 0
        && !chunk.voice.contains(&(Voice::Pending as u8))
        && (present.iter().all(|&here| here)
            || chunk
                .firm
                .iter()
                .all(|&f| f == NO_FIRM || present[f as usize]))
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
    tally: &mut [FirmTally],
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

/// Customers whose draws are made ahead of their steps, in one tight loop.
const BLOCK: usize = 256;

/// The draws of up to [`BLOCK`] customers, made in the order the full loop makes them
/// (a normal and four uniforms per customer), for a loop without product lines (whose
/// extra draws would come in between) and without voice (whose uniform is drawn, to keep
/// the stream, but not kept). The generator's state stays in registers and the rare
/// slow path of the normal stays out of the customers' loop.
struct Block {
    z: [f64; BLOCK],
    u_failure: [f64; BLOCK],
    u_decision: [f64; BLOCK],
    u_choice: [f64; BLOCK],
}

impl Block {
    const EMPTY: Block = Block {
        z: [0.0; BLOCK],
        u_failure: [0.0; BLOCK],
        u_decision: [0.0; BLOCK],
        u_choice: [0.0; BLOCK],
    };

    /// Draws for the next `len` customers.
    #[inline(never)]
    fn draw(&mut self, rng: &mut Generator, len: usize) {
        let z = &mut self.z[..len];
        let u_failure = &mut self.u_failure[..len];
        let u_decision = &mut self.u_decision[..len];
        let u_choice = &mut self.u_choice[..len];
        for k in 0..len {
            z[k] = standard_normal(rng);
            u_failure[k] = uniform(rng);
            u_decision[k] = uniform(rng);
            u_choice[k] = uniform(rng);
            // The voice uniform: not used without complaints, drawn all the same.
            uniform(rng);
        }
    }
}

/// The full loop, the reference: every feature, through [`Model::step`].
fn run_full<const WOM: bool>(chunk: &mut Chunk, ci: usize, ctx: &Context) {
    let model: &Model = ctx.model;
    let mut rng: Generator =
        seed::generator(ctx.seed, Purpose::Period, ctx.period as u64, ci as u64);
    chunk.tally.start_period();
    let n = chunk.firm.len();
    let Chunk {
        start,
        firm: firm_of,
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
    // The same length for every array, so the compiler drops the bounds checks.
    let firm_of = &mut firm_of[..n];
    let segment = &segment[..n];
    let expectation = &mut expectation[..n];
    let standard = &standard[..n];
    let tolerance = &tolerance[..n];
    let cs = &mut cs[..n];
    let tenure = &mut tenure[..n];
    let cost_scale = &cost_scale[..n];
    let episode = &mut episode[..n];
    let voice = &mut voice[..n];
    let reported = &mut reported[..n];
    let reported_age = &mut reported_age[..n];
    let cohort = &mut cohort[..n];
    let talk = &mut talk[..n];
    let mut per_firm = [0.0f64; MAX_FIRMS];
    // Draws for product lines after the first; only the entries a firm needs are written.
    let mut extra = [(0.0, 0.0); MAX_LINES];
    let survey = &ctx.scenario.survey;
    let horizon = survey.horizon as u8;
    for i in 0..n {
        let draws = Draws {
            z: rng.sample(StandardNormal),
            u_failure: uniform(&mut rng),
            u_decision: uniform(&mut rng),
            u_choice: uniform(&mut rng),
            u_voice: uniform(&mut rng),
        };
        let f = firm_of[i];
        let firm = (f != NO_FIRM).then_some(f as usize);
        let n_extra = firm.map_or(0, |j| model.lines[j].len()).saturating_sub(1);
        for e in extra.iter_mut().take(n_extra) {
            *e = (rng.sample(StandardNormal), uniform(&mut rng));
        }
        let global = *start + i;
        let heard = if WOM {
            let (own, all, any) =
                listen::<true>(ctx, global, firm, &mut per_firm, &mut tally.firms);
            Heard {
                own,
                all,
                per_firm: any.then_some(&per_firm[..model.n_firms]),
            }
        } else {
            Heard::default()
        };
        let mut c = Customer {
            firm,
            segment: segment[i] as usize,
            expectation: expectation[i] as f64,
            standard: standard[i] as f64,
            tolerance: tolerance[i] as f64,
            cs: cs[i] as f64,
            tenure: tenure[i] as u32,
            cost_scale: cost_scale[i] as f64,
            episode: episode[i],
            voice: Voice::from_u8(voice[i]),
        };
        let mut said = 0;
        let mut stayed_with = None;
        match model.step(&mut c, &draws, &heard, &extra[..n_extra]) {
            Outcome::Prospect { joined } => tally.record_prospect(joined),
            Outcome::Customer(d) => {
                tally.record(&d);
                let t = &mut tally.firms[d.firm];
                let in_cohort = cohort[i];
                t.cohort_decisions += in_cohort as u64;
                if d.left {
                    cohort[i] = false;
                } else {
                    t.revenue += model.price[d.firm];
                    stayed_with = Some(d.firm);
                    if in_cohort {
                        t.cohort_value += d.margin * ctx.discount;
                        t.cohort_stays += 1;
                    }
                }
                if WOM {
                    use crate::model::CustomerType::{Apostle, Terrorist};
                    said = match d.kind {
                        Apostle => TALK_POSITIVE | d.firm as u8,
                        Terrorist => TALK_NEGATIVE | d.firm as u8,
                        _ => 0,
                    };
                }
                // Follow survey respondents: did they stay through the horizon?
                if reported[i] > 0 {
                    let score = reported[i];
                    if d.left {
                        tally.prediction.record(score, false);
                        reported[i] = 0;
                    } else {
                        reported_age[i] += 1;
                        if reported_age[i] >= horizon {
                            tally.prediction.record(score, true);
                            reported[i] = 0;
                        }
                    }
                }
            }
        }
        if let (Some(base), Some(j)) = (ctx.survey_base, stayed_with) {
            let h1 = mix(base ^ global as u64);
            if hashed_uniform(h1) < survey.sample {
                let (h2, h3, h4) = (mix(h1), mix(h1 ^ 1), mix(h1 ^ 2));
                // Box–Muller from two hashed uniforms.
                let z = (-2.0 * (1.0 - hashed_uniform(h3)).ln()).sqrt()
                    * (std::f64::consts::TAU * hashed_uniform(h4)).cos();
                let row = &mut tally.survey[j];
                row.sampled += 1;
                if let Some(score) = survey::answer(c.cs, hashed_uniform(h2), z, survey) {
                    row.respondents += 1;
                    row.sum_score += score as u64;
                    row.top_two += (score >= 4) as u64;
                    reported[i] = score;
                    reported_age[i] = 0;
                }
            }
        }
        // Without word of mouth nobody listens, and `talk` stays all silent.
        if WOM {
            talk[i] = said;
        }
        firm_of[i] = c.firm.map_or(NO_FIRM, |k| k as u8);
        expectation[i] = c.expectation as f32;
        cs[i] = c.cs as f32;
        tenure[i] = c.tenure.min(u16::MAX as u32) as u16;
        episode[i] = c.episode;
        voice[i] = c.voice as u8;
    }
}

/// What the experience phase of the core loop works out for a block of customers, for
/// the decision phase to read.
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
    };
}

/// The core loop: the full loop's numbers for a market without product lines,
/// complaints, surveys or departed firms (see the module docs), on the arrays directly.
///
/// A block of customers goes through three phases: listening (with word of mouth),
/// the experience (value, satisfaction, expectation, f(CS), P(defect)), then, customer
/// by customer, the decision, the tallies and the move. The experience of one
/// customer is a long chain of dependent operations, longer than the processor can
/// look ahead when a whole step is one iteration; as a loop of its own, with no
/// customer depending on another, the chains of successive customers overlap.
fn run_core<const WOM: bool>(chunk: &mut Chunk, ci: usize, ctx: &Context) {
    SCRATCH.with_borrow_mut(|s| {
        let Scratch { block, out } = s;
        run_core_in::<WOM>(chunk, ci, ctx, block, out)
    })
}

/// The draws and outcomes of a block of customers: 23 KB, kept per thread rather than
/// zeroed on the stack for every chunk and period (which cost a sweep of small runs 4%
/// of its instructions). Nothing reads an entry the same period has not written.
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

/// [`run_core`] with its scratch space.
fn run_core_in<const WOM: bool>(
    chunk: &mut Chunk,
    ci: usize,
    ctx: &Context,
    block: &mut Block,
    out: &mut Outcomes,
) {
    let model: &Model = ctx.model;
    let mut rng: Generator =
        seed::generator(ctx.seed, Purpose::Period, ctx.period as u64, ci as u64);
    chunk.tally.start_period();
    let bins = chunk.tally.bins();
    let n = chunk.firm.len();
    let Chunk {
        start,
        firm: firm_of,
        segment,
        expectation,
        standard,
        tolerance,
        cs,
        tenure,
        cost_scale,
        episode,
        voice,
        cohort,
        talk,
        tally,
        ..
    } = chunk;
    let n_firms = model.n_firms;
    let firms = &mut tally.firms[..n_firms];
    let curve = &mut tally.period_curve[..];
    let count = bins.count;
    let complaints = &mut tally.complaints;
    // Run-long sums, kept in registers through the loop.
    let mut association = tally.association;
    let mut prospects = 0u64;
    let p = &model.satisfaction;
    let wom = &model.word_of_mouth;
    let reduced = model.form == ConstraintForm::Reduced && model.combine == Combine::Exponential;
    let structural_table = !model.structural_pass.is_empty();
    let new_cs = model.new_customer_cs as f32;
    let mut per_firm = [0.0f64; MAX_FIRMS];
    let mut first = 0;
    while first < n {
        let m = BLOCK.min(n - first);
        block.draw(&mut rng, m);
        // This block's customers, as arrays of one length (no bounds checks below).
        let range = first..first + m;
        let firm_of = &mut firm_of[range.clone()];
        let segment = &segment[range.clone()];
        let expectation = &mut expectation[range.clone()];
        let standard = &standard[range.clone()];
        let tolerance = &tolerance[range.clone()];
        let cs = &mut cs[range.clone()];
        let tenure = &mut tenure[range.clone()];
        let cost_scale = &cost_scale[range.clone()];
        let episode = &mut episode[range.clone()];
        let voice = &mut voice[range.clone()];
        let cohort = &mut cohort[range.clone()];
        let talk = &mut talk[range.clone()];
        let z = &block.z[..m];
        let u_failure = &block.u_failure[..m];
        let u_decision = &block.u_decision[..m];
        let u_choice = &block.u_choice[..m];
        let listener = *start + first;
        first += m;

        // Listening.
        if WOM {
            for (k, &f) in firm_of.iter().enumerate() {
                let firm = (f != NO_FIRM).then_some(f as usize);
                (out.own[k], out.all[k], out.any[k]) =
                    listen::<true>(ctx, listener + k, firm, &mut per_firm, firms);
            }
        }

        // The experience of every customer of a firm (Model::step without lines and
        // voice). A prospect goes through it with the last firm's numbers, and what
        // comes out is not used.
        for k in 0..m {
            let (own, all) = if WOM {
                (out.own[k], out.all[k])
            } else {
                (0.0, 0.0)
            };
            let j = (firm_of[k] as usize).min(n_firms - 1);
            let sg = segment[k] as usize;
            let offer = &model.offers[sg * n_firms + j];
            // Times 0 or 1 rather than a branch (a failure is hard to predict); the
            // severity is at least 0, so no failure is +0.0, as in
            // Model::perceived_value.
            let failure = offer.failure_severity * (u_failure[k] < offer.failure_rate) as u8 as f64;
            let v = offer.cdv + offer.inconsistency * z[k] - failure;
            let half_width = 0.5 * tolerance[k] as f64;
            let e = expectation[k] as f64;
            let disconfirmation = v - e;
            let s = satisfaction::transaction_satisfaction(disconfirmation, half_width, p);
            let now = satisfaction::update_cs(cs[k] as f64, s, p.memory);
            out.expectation[k] =
                satisfaction::update_expectation(e, v, standard[k] as f64, offer.best_offer, p)
                    + wom.expectation_weight * all;
            let now = (now + wom.satisfaction_weight * own).clamp(1.0, 5.0);
            out.cs[k] = now;
            // A problem opens an episode (nobody complains in this loop); an open one
            // ages. In integer arithmetic: whether a problem comes is hard to predict.
            let ep = episode[k];
            let opened = (ep == 0) & (disconfirmation < -half_width);
            out.episode[k] = ep.saturating_add((ep != 0) as u8 | opened as u8);
            out.voice[k] = voice[k] & silenced(opened);
            let loyalty = model.curve.f(now);
            out.loyalty[k] = loyalty;
            let (p_defect, pass) = if reduced {
                let q = model.reduced_pass;
                ((1.0 - loyalty) * q, (loyalty < 1.0).then_some(q))
            } else if structural_table && cost_scale[k] == 1.0 && (tenure[k] as usize) < PASS_TABLE
            {
                // Model::constraint_r and constraint::defect_probability, looked up.
                let (g, live) =
                    model.structural_pass[(sg * n_firms + j) * PASS_TABLE + tenure[k] as usize];
                let p_defect = if live { (1.0 - loyalty) * g } else { 0.0 };
                (p_defect, constraint::pass_through(loyalty, p_defect))
            } else {
                let r = model.constraint_r(sg, j, cost_scale[k] as f64, tenure[k] as u32);
                let p_defect = constraint::defect_probability(loyalty, r, model.combine);
                (p_defect, constraint::pass_through(loyalty, p_defect))
            };
            out.p_defect[k] = p_defect;
            out.has_pass[k] = pass.is_some();
            out.pass[k] = pass.unwrap_or(0.0);
        }

        // In customer order: prospects, decisions, tallies, moves.
        for k in 0..m {
            let f = firm_of[k];
            let sg = segment[k] as usize;
            let heard = Heard {
                own: if WOM { out.own[k] } else { 0.0 },
                all: if WOM { out.all[k] } else { 0.0 },
                per_firm: None,
            };
            // The net messages per firm, for a choice, when any were heard: listened
            // to again, uncounted (the experience did not need them).
            let with_appeal = |firm: Option<usize>, per_firm: &mut [f64; MAX_FIRMS]| {
                if WOM && out.any[k] {
                    listen::<false>(ctx, listener + k, firm, per_firm, &mut []);
                }
            };
            if f == NO_FIRM {
                // A prospect (Model::step): its expectation moves, and it may shop.
                prospects += 1;
                let e = expectation[k] as f64;
                let e = e
                    + (p.anchor * (standard[k] as f64 - e)
                        + p.market_pull * (model.best_offer[sg] - e)
                        + wom.expectation_weight * heard.all);
                expectation[k] = e as f32;
                if u_decision[k] < model.prospect_rate {
                    with_appeal(None, &mut per_firm);
                    let heard = Heard {
                        per_firm: (WOM && out.any[k]).then_some(&per_firm[..n_firms]),
                        ..heard
                    };
                    if let Some(j) = model.choose(sg, None, u_choice[k], &heard) {
                        firms[j].acquisitions += 1;
                        firm_of[k] = j as u8;
                        cs[k] = new_cs;
                        tenure[k] = 0;
                        episode[k] = 0;
                        voice[k] = Voice::Silent as u8;
                    }
                }
                if WOM {
                    talk[k] = 0;
                }
                continue;
            }
            let j = f as usize;
            let now = out.cs[k];
            let loyalty = out.loyalty[k];
            let p_defect = out.p_defect[k];
            let (has_pass, q) = (out.has_pass[k], out.pass[k]);
            let held = tenure[k];
            // One uniform decides both stages (Model::step).
            let left = u_decision[k] < p_defect;
            let stayed = !left;
            // u < max(1 − f, P(defect)), as in Model::step.
            let intended = left | (u_decision[k] < 1.0 - loyalty);
            let kind = CustomerType::classify(now, intended, left, &model.types);
            let offer = &model.offers[sg * n_firms + j];
            let grown = (held as u32).min(model.margin_growth_periods) as f64;
            // Kept as a number 0 or 1 for the tallies' products below.
            let kept_on = stayed as u8 as f64;
            // For a leaver ±0.0 (Model::step: 0.0); either leaves the sums it is added
            // to as they are.
            let margin = offer.margin * (1.0 + offer.margin_growth * grown) * kept_on;
            let ep = out.episode[k];
            let vo = out.voice[k];
            let ended = (ep != 0) & (left | (ep as u32 >= model.complaints.horizon));
            let row = &mut complaints[Voice::from_u8(vo).group() as usize];
            row.0 += ended as u64;
            row.1 += (ended & stayed) as u64;
            episode[k] = ep & silenced(ended);
            voice[k] = vo & silenced(ended);
            // The tallies (FirmTally::record, the cohort, ChunkTally::record). Sums
            // start at +0.0 and so are never −0.0, and adding a zero of either sign
            // leaves such a sum as it is: the additions below that add a zero where the
            // full loop adds nothing change no bit.
            let in_cohort = cohort[k];
            let t = &mut firms[j];
            t.margin += margin;
            t.customers += 1;
            t.defections += left as u64;
            t.intenders += intended as u64;
            t.types[kind as usize] += 1;
            t.sum_cs += now;
            t.sum_expectation += out.expectation[k];
            t.sum_pass += q;
            t.n_pass += has_pass as u64;
            t.cohort_decisions += in_cohort as u64;
            t.revenue += offer.price * kept_on;
            let kept = in_cohort & stayed;
            t.cohort_value += margin * ctx.discount * (kept as u8 as f64);
            t.cohort_stays += kept as u64;
            let bin = &mut curve[j * count + bins.index(now)];
            bin.observations += 1;
            bin.stayed += stayed as u64;
            bin.sum_cs += now;
            bin.sum_f += loyalty;
            bin.sum_cl += 1.0 - p_defect;
            bin.sum_pass += q;
            bin.n_pass += has_pass as u64;
            association.record_x(now, stayed);
            cohort[k] = kept;
            expectation[k] = out.expectation[k] as f32;
            if WOM {
                talk[k] = match kind {
                    CustomerType::Apostle => TALK_POSITIVE | j as u8,
                    CustomerType::Terrorist => TALK_NEGATIVE | j as u8,
                    _ => 0,
                };
            }
            if stayed {
                cs[k] = now as f32;
                tenure[k] = held.saturating_add(1);
                continue;
            }
            // The move.
            tenure[k] = 0;
            with_appeal(Some(j), &mut per_firm);
            let heard = Heard {
                per_firm: (WOM && out.any[k]).then_some(&per_firm[..n_firms]),
                ..heard
            };
            match model.choose(sg, Some(j), u_choice[k], &heard) {
                Some(k2) => {
                    firms[k2].acquisitions += 1;
                    firm_of[k] = k2 as u8;
                    // Joining starts a customer afresh (Model::join).
                    cs[k] = new_cs;
                    episode[k] = 0;
                    voice[k] = Voice::Silent as u8;
                }
                None => {
                    firms[j].to_outside += 1;
                    firm_of[k] = NO_FIRM;
                    cs[k] = now as f32;
                }
            }
        }
    }
    tally.association = association;
    tally.prospects = prospects;
}

#[cfg(test)]
mod tests {
    use crate::engine::{RunResults, Simulation};
    use crate::scenario::Scenario;

    fn run(s: &Scenario, full: bool) -> RunResults {
        let mut sim = Simulation::new(s);
        sim.force_full = full;
        sim.run(s.periods)
    }

    /// The core loop gives the full loop's results, bit for bit, on the shipped
    /// scenarios (those it does not apply to exercise the choice of loop), with and
    /// without word of mouth.
    #[test]
    fn the_core_loop_is_the_full_loop() {
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
}
