"""What the peers share: the scenario, compiled into the numbers one step needs.

Every peer reads the *resolved* scenario that `loyalsim validate` prints (every default
filled in), so a parameter cannot differ between the four implementations. They accept
only the reduced-form core of the model (see peer.toml) and refuse anything else rather
than silently simulate a different market. Nothing here is timed.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tomllib
from dataclasses import dataclass

import numpy as np

LEVELS = {"none": 0.0, "low": 0.5, "medium": 1.0, "strong": 2.0, "infinite": math.inf}


def strength(value) -> float:
    """A constraint strength as loyalsim writes it: a number, "inf" or a level name."""
    if isinstance(value, (int, float)):
        return float(value)
    name = str(value).strip().lower()
    if name in ("inf", "+inf", "infinity"):
        return math.inf
    return LEVELS[name]


@dataclass
class Params:
    """The reduced-form model of peer.toml, as plain numbers (firms in file order)."""

    n_firms: int
    cdv: np.ndarray  # delivered value per firm (one segment)
    sigma: np.ndarray  # inconsistency σ per firm
    phi: np.ndarray  # failure rate φ per firm
    delta: np.ndarray  # failure severity δ per firm
    initial_cum: np.ndarray  # cumulative initial shares, last entry 1.0
    best_offer: float  # highest CDV on offer (the market pull's target)
    expectation: float  # segment's mean standard ê
    expectation_sd: float
    tolerance: float  # mean tolerance width w
    tolerance_sd: float
    tolerance_slope: float
    gain_slope: float
    loss_slope: float
    memory: float  # λ
    adaptation: float  # α
    anchor: float  # ρ
    market_pull: float  # μ
    new_customer_cs: float
    zones_x: np.ndarray  # (1, B1, B2, 5)
    zones_y: np.ndarray  # (L0, L1, L2, L3)
    pass_through: float  # exp(−R)
    choice_cum: np.ndarray  # [origin, option] cumulative logit; origin n_firms = prospect
    prospect_rate: float
    outside: float  # initial share outside the market
    cs0: float
    cs0_sd: float
    bin_width: float
    n_bins: int


def refuse(what: str) -> None:
    sys.exit(f"peer: the scenario uses {what}, which the peers do not implement")


def load(path: str) -> Params:
    with open(path, "rb") as f:
        s = tomllib.load(f)
    # The peers implement the reduced-form core only; anything else is refused.
    if len(s["segments"]) != 1:
        refuse("more than one segment")
    if s["constraint"]["form"] != "reduced" or s["constraint"]["combine"] != "exponential":
        refuse("a constraint other than the reduced, exponential form")
    if s["loyalty"]["curve"] != "zones":
        refuse(f"the {s['loyalty']['curve']} loyalty curve")
    if s["word_of_mouth"]["network"] != "none":
        refuse("word of mouth")
    if s["complaints"]["rate"] != 0.0:
        refuse("complaints")
    if s.get("events"):
        refuse("events")
    if any(f.get("lines") for f in s["firms"]):
        refuse("product lines")
    seg = s["segments"][0]
    firms = s["firms"]
    vw, cw = seg["value_weights"], seg["cost_weights"]

    def delivered(firm) -> float:
        v, c = firm["value"], firm["costs"]
        tcv = sum(vw[k] * v[k] for k in ("product", "service", "personnel", "image"))
        tcc = (
            cw["money"] * firm["price"]
            + cw["time"] * c["time"]
            + cw["energy"] * c["energy"]
            + cw["psychic"] * c["psychic"]
        )
        return tcv - tcc

    cdv = np.array([delivered(f) for f in firms])
    n = len(firms)
    ch = s["choice"]
    beta, outside_value = ch["beta"], ch["outside_value"]
    # Logit over the other firms (all firms for a prospect) and the outside option,
    # tabulated as cumulative probabilities like loyalsim's ChoiceTable.
    choice_cum = np.zeros((n + 1, n + 1))
    for origin in range(n + 1):
        u = np.append(beta * cdv, beta * outside_value)
        if origin < n:
            u[origin] = -np.inf
        w = np.exp(u - u.max())
        cum = np.cumsum(w / w.sum())
        cum[-1] = 1.0
        choice_cum[origin] = cum
    shares = np.array([f["initial_share"] for f in firms], dtype=float)
    initial_cum = np.cumsum(shares / shares.sum())
    initial_cum[-1] = 1.0
    sat, loy, init = s["satisfaction"], s["loyalty"], s["initial_state"]
    width = s["report"]["curve_bin_width"]
    return Params(
        n_firms=n,
        cdv=cdv,
        sigma=np.array([f["inconsistency"] for f in firms], dtype=float),
        phi=np.array([f["failure_rate"] for f in firms], dtype=float),
        delta=np.array([f["failure_severity"] for f in firms], dtype=float),
        initial_cum=initial_cum,
        best_offer=float(cdv.max()),
        expectation=seg["expectation"],
        expectation_sd=seg["expectation_sd"],
        tolerance=seg["tolerance"],
        tolerance_sd=seg["tolerance_sd"],
        tolerance_slope=sat["tolerance_slope"],
        gain_slope=sat["gain_slope"],
        loss_slope=sat["loss_slope"],
        memory=sat["memory"],
        adaptation=sat["adaptation"],
        anchor=sat["anchor"],
        market_pull=sat["market_pull"],
        new_customer_cs=sat["new_customer_cs"],
        zones_x=np.array([1.0, *loy["breakpoints"], 5.0]),
        zones_y=np.array(loy["levels"], dtype=float),
        pass_through=math.exp(-strength(s["constraint"]["r"])),
        choice_cum=choice_cum,
        prospect_rate=ch["prospect_rate"],
        outside=init["outside"],
        cs0=init["cs"],
        cs0_sd=init["cs_sd"],
        bin_width=width,
        n_bins=int(math.floor(4.0 / width + 1e-9)) + 1,
    )


def arguments(description: str) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--scenario", required=True, help="resolved scenario (loyalsim validate)")
    p.add_argument("--customers", type=int, required=True)
    p.add_argument("--periods", type=int, required=True)
    p.add_argument("--seed", type=int, default=1)
    return p.parse_args()


def report(
    implementation: str,
    customers: int,
    periods: int,
    seed: int,
    elapsed: float,
    decisions_per_customer: np.ndarray,
    defections_per_customer: np.ndarray,
    bin_observations: np.ndarray,
    bin_stayed: np.ndarray,
    bin_width: float,
    extra: dict,
) -> None:
    """Prints the run's JSON: speed, retention, its standard errors, and the curve.

    Retention is 1 − defections / decisions over all periods and firms. Its standard
    error is given twice: binomial (every decision independent) and cluster-robust,
    with each customer's whole history as one cluster (the ratio estimator's sandwich
    variance). Customers are independent in this scenario (no word of mouth, no market
    feedback), but one customer's decisions are not (its CS carries over), so the
    cluster-robust one is the right one; their squared ratio is the design effect.
    """
    n_i = decisions_per_customer.astype(np.float64)
    d_i = defections_per_customer.astype(np.float64)
    decisions, defections = n_i.sum(), d_i.sum()
    rate = defections / decisions
    se_binomial = math.sqrt(rate * (1.0 - rate) / decisions)
    resid = d_i - rate * n_i
    m = len(n_i)
    se_cluster = math.sqrt(m / (m - 1) * float(resid @ resid)) / decisions
    steps = customers * periods
    curve = []
    for i, (obs, st) in enumerate(zip(bin_observations.tolist(), bin_stayed.tolist())):
        centre = min(1.0 + i * bin_width, 5.0)
        curve.append(
            {
                "cs_mid": round(centre, 10),
                "observations": int(obs),
                "stayed": int(st),
                "retention": (st / obs) if obs else None,
            }
        )
    out = {
        "implementation": implementation,
        "customers": customers,
        "periods": periods,
        "seed": seed,
        "customer_steps": steps,
        "elapsed_s": elapsed,
        "steps_per_s": steps / elapsed,
        "decisions": int(decisions),
        "defections": int(defections),
        "retention": 1.0 - rate,
        "se_binomial": se_binomial,
        "se_cluster": se_cluster,
        "design_effect": (se_cluster / se_binomial) ** 2,
        "curve": curve,
        **extra,
    }
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")
