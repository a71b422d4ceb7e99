"""The reduced-form loyalsim model as a Numba-compiled loop (one of the peers).

What a performance-minded Python user writes instead of vectorised NumPy: the state in
flat NumPy arrays (one entry per customer, as in numpy_model.py) and, in each period, a
plain loop over the customers, compiled to machine code by @numba.njit. Each customer
goes through the whole step before the next one starts, so no temporary array is made.
The step is the one in numpy_model.py's docstring (loyalsim's Model::step for the
reduced-form core), in the same order and with the same parameters from common.py,
written per customer with branches where the NumPy program uses masks.
Single-threaded (no parallel=True, no prange), like loyalsim's `--threads 1` row; no
fastmath, so the arithmetic is IEEE float64 as in the NumPy program.

Random numbers are drawn one at a time inside the compiled loop, four per customer and
period (z, u_failure, u_decision, u_choice, for every customer, as loyalsim, NumPy and
Mesa draw them), from a np.random.Generator passed in (Numba compiles its methods):
NumPy's default PCG64 with ziggurat normals, seeded from --seed on a stream of its own
(spawn key 1 of the seed's SeedSequence), so that its numbers are not the NumPy peer's.
Numba's older np.random functions (its own Mersenne Twister, np.random.seed inside njit
code) would do as well, but they took about four times as long per draw here, which
would make the peer slower than Numba need be.

Numba compiles a function the first time it is called with given argument types. A
user runs the compiled code many times, so the program first calls it on a tiny
population (WARM_UP customers, 2 periods), which compiles everything, and times that
call separately: it is reported as compile_seconds and is not in elapsed_s. Nothing is
cached on disk (no cache=True), so every run compiles afresh and writes no file.

Usage: python numba_model.py --scenario resolved.toml --customers N --periods T --seed S
Prints JSON (see common.report). The time covers drawing the population and stepping it,
like loyalsim's elapsed_s; reading the scenario, compiling and writing the JSON are not
timed.
"""

import time

import llvmlite
import numba
import numpy as np

import common

WARM_UP = 100  # customers in the compiling call


@numba.njit
def loyalty(cs, xs, ys):
    """The zones curve f(CS): piecewise linear through (xs, ys), end values beyond."""
    if cs <= xs[0]:
        return ys[0]
    for i in range(1, len(xs)):
        if cs < xs[i]:
            return ys[i - 1] + (cs - xs[i - 1]) / (xs[i] - xs[i - 1]) * (ys[i] - ys[i - 1])
    return ys[len(ys) - 1]


@numba.njit
def choose(choice_cum, origin, u):
    """Logit pick from `origin` (a firm, or n_firms for a prospect): the first option k
    with u < cum_k; options 0 … n_firms − 1 are firms, n_firms is the outside option."""
    row = choice_cum[origin]
    for k in range(len(row)):
        if u < row[k]:
            return k
    return len(row) - 1


@numba.njit
def simulate(
    rng,
    n,
    periods,
    cdv,
    sigma,
    phi,
    delta,
    initial_cum,
    best,
    expectation,
    expectation_sd,
    tolerance,
    tolerance_sd,
    ts,
    gain,
    loss,
    lam,
    adaptation,
    anchor,
    pull,
    new_cs,
    zones_x,
    zones_y,
    pass_through,
    choice_cum,
    prospect_rate,
    outside,
    cs0,
    cs0_sd,
    bin_width,
    n_bins,
):
    n_firms = len(cdv)

    # The initial population: firm (−1 outside the market), standard ê, expectation e,
    # half the tolerance width, CS.
    firm = np.empty(n, dtype=np.int64)
    standard = np.empty(n)
    e = np.empty(n)
    h = np.empty(n)
    cs = np.empty(n)
    for i in range(n):
        u_out = rng.random()
        u_firm = rng.random()
        k = 0
        while k < n_firms - 1 and u_firm >= initial_cum[k]:
            k += 1
        firm[i] = -1 if u_out < outside else k
        standard[i] = expectation + expectation_sd * rng.standard_normal()
        e[i] = standard[i]
        h[i] = 0.5 * max(tolerance + tolerance_sd * rng.standard_normal(), 0.0)
        cs[i] = min(max(cs0 + cs0_sd * rng.standard_normal(), 1.0), 5.0)

    # What is counted, as in numpy_model.py.
    decisions = np.zeros(n, dtype=np.int32)
    defections = np.zeros(n, dtype=np.int32)
    bin_obs = np.zeros(n_bins, dtype=np.int64)
    bin_stayed = np.zeros(n_bins, dtype=np.int64)
    for _ in range(periods):
        for i in range(n):
            z = rng.standard_normal()
            u_failure = rng.random()
            u_decision = rng.random()
            u_choice = rng.random()
            j = firm[i]
            ei = e[i]
            if j < 0:
                # A prospect: its standard and the market move its expectation; it
                # shops with probability prospect_rate.
                e[i] = ei + anchor * (standard[i] - ei) + pull * (best - ei)
                if u_decision < prospect_rate:
                    k = choose(choice_cum, n_firms, u_choice)
                    if k < n_firms:
                        firm[i] = k
                        cs[i] = new_cs
                continue
            # Experience, transaction satisfaction, CS and expectation.
            v = cdv[j] + sigma[j] * z
            if u_failure < phi[j]:
                v -= delta[j]
            d = v - ei
            hi = h[i]
            if d >= 0.0:
                s = ts * min(d, hi) + gain * max(d - hi, 0.0)
            else:
                s = -(ts * min(-d, hi) + loss * max(-d - hi, 0.0))
            s = min(max(s, -1.0), 1.0)
            c = lam * cs[i] + (1.0 - lam) * (3.0 + 2.0 * s)
            cs[i] = c
            e[i] = ei + adaptation * (v - ei) + anchor * (standard[i] - ei) + pull * (best - ei)
            # Loyalty, constraint, decision.
            left = u_decision < (1.0 - loyalty(c, zones_x, zones_y)) * pass_through
            decisions[i] += 1
            b = min(int((c - 1.0) / bin_width + 0.5), n_bins - 1)
            bin_obs[b] += 1
            if left:
                defections[i] += 1
                # A leaver picks another firm or the outside option.
                k = choose(choice_cum, j, u_choice)
                if k < n_firms:
                    firm[i] = k
                    cs[i] = new_cs
                else:
                    firm[i] = -1
            else:
                bin_stayed[b] += 1
    final = np.zeros(n_firms, dtype=np.int64)
    for i in range(n):
        if firm[i] >= 0:
            final[firm[i]] += 1
    return decisions, defections, bin_obs, bin_stayed, final


def generator(seed: int) -> np.random.Generator:
    """PCG64 on the stream of spawn key 1 of `seed`, apart from the NumPy peer's."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,)))


def run(p: common.Params, rng: np.random.Generator, n: int, periods: int):
    return simulate(
        rng,
        n,
        periods,
        p.cdv,
        p.sigma,
        p.phi,
        p.delta,
        p.initial_cum,
        p.best_offer,
        p.expectation,
        p.expectation_sd,
        p.tolerance,
        p.tolerance_sd,
        p.tolerance_slope,
        p.gain_slope,
        p.loss_slope,
        p.memory,
        p.adaptation,
        p.anchor,
        p.market_pull,
        p.new_customer_cs,
        p.zones_x,
        p.zones_y,
        p.pass_through,
        p.choice_cum,
        p.prospect_rate,
        p.outside,
        p.cs0,
        p.cs0_sd,
        p.bin_width,
        p.n_bins,
    )


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0])
    p = common.load(args.scenario)
    # Compile: the same argument types as the timed call, on a tiny population.
    start = time.perf_counter()
    run(p, generator(args.seed), WARM_UP, 2)
    compile_seconds = time.perf_counter() - start
    rng = generator(args.seed)
    start = time.perf_counter()
    decisions, defections, bin_obs, bin_stayed, final = run(p, rng, args.customers, args.periods)
    elapsed = time.perf_counter() - start
    common.report(
        "Numba " + numba.__version__,
        args.customers,
        args.periods,
        args.seed,
        elapsed,
        decisions,
        defections,
        bin_obs,
        bin_stayed,
        p.bin_width,
        {
            "final_customers": [int(x) for x in final],
            "compile_seconds": compile_seconds,
            "warm_up_customers": WARM_UP,
            "numpy": np.__version__,
            "llvmlite": llvmlite.__version__,
        },
    )


if __name__ == "__main__":
    main()
