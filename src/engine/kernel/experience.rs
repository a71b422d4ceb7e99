//! The experience phase: perceived value, satisfaction, expectation, the complaint
//! episode, f(CS) and P(defect), customer by customer with no customer depending on
//! another.

use super::*;

/// The experience of every customer of a firm: perceived value, satisfaction,
/// expectation, the complaint episode, f(CS), P(defect). A prospect goes through it with
/// the last firm's numbers, and what comes out is not used.
#[inline(always)]
pub(super) fn experience<const F: Features>(
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
    // Critical incidents remembered apart: a scenario-wide setting, so the branch on it
    // below is always predicted.
    let incident_memory = model.incident_memory;
    let incident: &[f32] = if incident_memory.is_some() {
        &rows.incident[..m]
    } else {
        &[]
    };
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
        out.expectation[k] =
            satisfaction::update_expectation(e, v, standard[k] as f64, offer.best_offer, p)
                + wom.expectation_weight * all;
        // A problem opens an episode; an open one ages. In integer arithmetic: whether
        // a problem comes is hard to predict.
        let ep = episode[k];
        let opened = (ep == 0) & (disconfirmation < -half_width);
        let aged = ep.saturating_add((ep != 0) as u8 | opened as u8);
        // CS; when incidents are remembered apart, `cs` holds the routine memory and
        // CS is it plus the incident memory (a complaint's outcome; word of mouth is
        // routine).
        let (mut now, routine, mut remembered) = match incident_memory {
            None => {
                let now = satisfaction::update_cs(cs[k] as f64, s, p.memory);
                (
                    (now + wom.satisfaction_weight * own).clamp(1.0, 5.0),
                    0.0,
                    0.0,
                )
            }
            Some(lambda_i) => {
                let (routine, remembered) = satisfaction::update_with_incidents(
                    cs[k] as f64,
                    incident[k] as f64,
                    s,
                    opened,
                    p.memory,
                    lambda_i,
                );
                let routine = (routine + wom.satisfaction_weight * own).clamp(1.0, 5.0);
                let now = satisfaction::combined(routine, remembered);
                (now, routine, remembered)
            }
        };
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
            let mut settled = 0;
            // A complaint can be settled in the period it is made: given that it was
            // made (u below the chance to complain), u rescaled to that chance is a
            // fresh uniform, so no other draw is needed.
            let chance = if opened {
                voice::complaint_probability(now, c)
            } else {
                1.0
            };
            let complained = opened && u < chance;
            if complained {
                vo = Voice::Pending as u8;
            }
            if complained || pending {
                let waited = aged as u32 - 1;
                let mut shift = 0.0;
                match voice::settle(waited, model.resolution_rate[j], u / chance, c) {
                    voice::Settlement::StillPending => {}
                    voice::Settlement::Resolved { quick, lift } => {
                        vo = if quick {
                            Voice::ResolvedQuickly
                        } else {
                            Voice::Resolved
                        } as u8;
                        shift = lift;
                        settled = vo;
                    }
                    voice::Settlement::GivenUp { drop } => {
                        vo = Voice::Unresolved as u8;
                        shift = -drop;
                        settled = vo;
                    }
                }
                // The outcome is an incident: remembered apart when incidents are.
                if incident_memory.is_some() {
                    remembered = satisfaction::remember(remembered, shift);
                    now = satisfaction::combined(routine, remembered);
                } else {
                    now = (now + shift).clamp(1.0, 5.0);
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
        if incident_memory.is_some() {
            (out.routine[k], out.incident[k]) = (routine, remembered);
        }
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
                if incident_memory.is_some() {
                    (out.routine[k], out.incident[k]) = (cs[k] as f64, incident[k] as f64);
                    out.cs[k] = satisfaction::combined(out.routine[k], out.incident[k]);
                }
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
