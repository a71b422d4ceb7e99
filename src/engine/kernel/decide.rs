//! The decision phase, in customer order: prospects shop, customers stay or leave, the
//! tallies, the survey, and the moves.

use super::*;

/// The decision phase, in customer order: prospects shop; customers stay or leave
/// (one uniform decides both stages), are counted, may be surveyed, and move.
#[inline(always)]
pub(super) fn decide<const F: Features>(
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
        incident,
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
    let incidents = model.incident_memory.is_some();
    let incident: &mut [f32] = if incidents {
        &mut incident[..m]
    } else {
        &mut []
    };
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
                    if incidents {
                        incident[k] = 0.0;
                    }
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
        let row = &mut complaints[vo as usize];
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
        // What is kept of CS: CS itself, or its routine memory beside the incident one.
        let kept_cs = if incidents {
            incident[k] = out.incident[k] as f32;
            out.routine[k]
        } else {
            now
        };
        if stayed {
            cs[k] = kept_cs as f32;
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
                if incidents {
                    incident[k] = 0.0;
                }
            }
            None => {
                firms[j].to_outside += 1;
                firm_of[k] = NO_FIRM;
                cs[k] = kept_cs as f32;
            }
        }
    }
    *association = assoc;
    *prospects = n_prospects;
}
