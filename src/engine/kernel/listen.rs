//! Word of mouth heard: each customer's neighbours' words of the previous period,
//! weighted and netted per firm (the listening phase, and again for a choice).

use super::*;

/// Listens to the neighbours' words of the previous period. Fills `per_firm` (net
/// weighted messages per firm, cleared here) and, with `COUNT`, counts messages per
/// firm in `tally` (listening again to the same words counts nothing).
#[inline]
pub(super) fn listen<const COUNT: bool>(
    ctx: &Context,
    listener: usize,
    firm: Option<usize>,
    per_firm: &mut [f64; MAX_FIRMS],
    tally: &mut [crate::engine::tally::FirmTally],
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

/// Listening: what each customer of the block heard, counted per firm.
#[inline(never)]
pub(super) fn listen_block(
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
