"""The reduced-form loyalsim model as a vectorised NumPy program (one of the peers).

Every customer is one entry of a few float64 arrays; a period is a handful of whole-array
operations. One generator, np.random.default_rng(seed), draws everything. The step is
loyalsim's Model::step for the scenario subset common.py accepts (reduced form, zones
curve, no word of mouth, complaints, lines or events):

    customer of firm j:
        v  = CDV_j + σ_j·z − δ_j·[u_failure < φ_j]
        d  = v − e;  h = w/2
        s  = clamp(d ≥ 0 ?  ts·min(d, h) + β+·max(d − h, 0)
                         : −(ts·min(−d, h) + β−·max(−d − h, 0)), −1, 1)
        CS ← λ·CS + (1 − λ)·(3 + 2s)
        e  ← e + α(v − e) + ρ(ê − e) + μ(best − e)
        P(defect) = (1 − f(CS))·exp(−R); leaves if u_decision < P(defect)
        a leaver picks another firm or outside by logit on CDV (u_choice)
    prospect:
        e  ← e + ρ(ê − e) + μ(best − e)
        shops if u_decision < prospect_rate; picks a firm or outside by logit (u_choice)
    a customer who joins a firm starts at new_customer_cs.

Usage: python numpy_model.py --scenario resolved.toml --customers N --periods T --seed S
Prints JSON (see common.report). The time covers drawing the population and stepping it,
like loyalsim's elapsed_s; reading the scenario and writing the JSON are not timed.
"""

import time

import numpy as np

import common


def run(p: common.Params, n: int, periods: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    start = time.perf_counter()

    # The initial population.
    u_out = rng.random(n)
    u_firm = rng.random(n)
    z0 = rng.standard_normal((3, n))
    firm = np.searchsorted(p.initial_cum, u_firm, side="right")  # first k with u < cum_k
    firm[u_out < p.outside] = -1
    standard = p.expectation + p.expectation_sd * z0[0]
    e = standard.copy()
    h = 0.5 * np.maximum(p.tolerance + p.tolerance_sd * z0[1], 0.0)
    cs = np.clip(p.cs0 + p.cs0_sd * z0[2], 1.0, 5.0)

    # What is counted: decisions and defections per customer (for the cluster-robust
    # standard error) and the retention curve per CS bin.
    decisions = np.zeros(n, dtype=np.int32)
    defections = np.zeros(n, dtype=np.int32)
    bin_obs = np.zeros(p.n_bins, dtype=np.int64)
    bin_stayed = np.zeros(p.n_bins, dtype=np.int64)
    lam = p.memory
    for _ in range(periods):
        z = rng.standard_normal(n)
        u_failure = rng.random(n)
        u_decision = rng.random(n)
        u_choice = rng.random(n)
        at = firm >= 0
        j = np.where(at, firm, 0)  # prospects get firm 0's numbers, masked out below
        # Experience, transaction satisfaction, CS and expectation.
        v = p.cdv[j] + p.sigma[j] * z - p.delta[j] * (u_failure < p.phi[j])
        d = v - e
        # g(d) in one expression: the slope inside the zone, plus the gain beyond its
        # top, minus the loss below its bottom (at most one of the last two is non-zero).
        s = (
            p.tolerance_slope * np.clip(d, -h, h)
            + p.gain_slope * np.maximum(d - h, 0.0)
            - p.loss_slope * np.maximum(-d - h, 0.0)
        )
        s = np.clip(s, -1.0, 1.0)
        cs = np.where(at, lam * cs + (1.0 - lam) * (3.0 + 2.0 * s), cs)
        e = (
            e
            + np.where(at, p.adaptation * (v - e), 0.0)
            + p.anchor * (standard - e)
            + p.market_pull * (p.best_offer - e)
        )
        # Loyalty, constraint, decision.
        p_defect = (1.0 - np.interp(cs, p.zones_x, p.zones_y)) * p.pass_through
        left = at & (u_decision < p_defect)
        decisions += at
        defections += left
        b = np.minimum(((cs - 1.0) / p.bin_width + 0.5).astype(np.intp), p.n_bins - 1)
        bin_obs += np.bincount(b[at], minlength=p.n_bins)
        bin_stayed += np.bincount(b[at & ~left], minlength=p.n_bins)
        # Moves: leavers and shopping prospects pick by the logit table of their origin.
        movers = np.flatnonzero(left | (~at & (u_decision < p.prospect_rate)))
        origin = np.where(firm[movers] >= 0, firm[movers], p.n_firms)
        dest = (u_choice[movers, None] >= p.choice_cum[origin]).sum(axis=1)
        joined = dest < p.n_firms
        firm[movers] = np.where(joined, dest, -1)
        cs[movers[joined]] = p.new_customer_cs
    elapsed = time.perf_counter() - start
    return dict(
        elapsed=elapsed,
        decisions=decisions,
        defections=defections,
        bin_obs=bin_obs,
        bin_stayed=bin_stayed,
        final_customers=[int(x) for x in np.bincount(firm[firm >= 0], minlength=p.n_firms)],
    )


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0])
    p = common.load(args.scenario)
    r = run(p, args.customers, args.periods, args.seed)
    common.report(
        "NumPy " + np.__version__,
        args.customers,
        args.periods,
        args.seed,
        r["elapsed"],
        r["decisions"],
        r["defections"],
        r["bin_obs"],
        r["bin_stayed"],
        p.bin_width,
        {"final_customers": r["final_customers"]},
    )


if __name__ == "__main__":
    main()
