"""The reduced-form loyalsim model as a Mesa model (one of the peers).

One mesa.Agent per customer, a Model whose step() steps every agent once per period
(AgentSet.do, in creation order: customers do not interact in this scenario, so order
does not matter). Random numbers come from the model's seeded generator `random`, as a
Mesa agent normally draws them (self.random). The step is the one in numpy_model.py's
docstring (loyalsim's Model::step for the reduced-form core); written per agent, in
plain Python, as a Mesa user would.

Usage: python mesa_model.py --scenario resolved.toml --customers N --periods T --seed S
Prints JSON (see common.report). The time covers creating the agents and running the
periods, like loyalsim's elapsed_s.
"""

import time

import mesa
import numpy as np

import common


class Customer(mesa.Agent):
    """A customer: its firm (None outside the market) and its satisfaction state."""

    def __init__(self, model, firm, standard, half_width, cs):
        super().__init__(model)
        self.firm = firm
        self.standard = standard
        self.expectation = standard
        self.half_width = half_width
        self.cs = cs
        self.decisions = 0
        self.defections = 0

    def step(self):
        m = self.model
        rnd = self.random
        z = rnd.gauss(0.0, 1.0)
        u_failure = rnd.random()
        u_decision = rnd.random()
        u_choice = rnd.random()
        e = self.expectation
        j = self.firm
        if j is None:
            # A prospect: its standard and the market move its expectation; it shops
            # with probability prospect_rate.
            self.expectation = e + m.anchor * (self.standard - e) + m.pull * (m.best - e)
            if u_decision < m.prospect_rate:
                k = m.choose(m.n_firms, u_choice)
                if k is not None:
                    self.firm = k
                    self.cs = m.new_cs
            return
        # Experience and transaction satisfaction.
        v = m.cdv[j] + m.sigma[j] * z
        if u_failure < m.phi[j]:
            v -= m.delta[j]
        d = v - e
        h = self.half_width
        if d >= 0.0:
            s = m.ts * min(d, h) + m.gain * max(d - h, 0.0)
        else:
            s = -(m.ts * min(-d, h) + m.loss * max(-d - h, 0.0))
        s = min(max(s, -1.0), 1.0)
        cs = m.memory * self.cs + (1.0 - m.memory) * (3.0 + 2.0 * s)
        self.cs = cs
        self.expectation = (
            e + m.adaptation * (v - e) + m.anchor * (self.standard - e) + m.pull * (m.best - e)
        )
        # Loyalty, constraint and decision.
        left = u_decision < (1.0 - m.f(cs)) * m.pass_through
        self.decisions += 1
        m.decisions += 1
        b = min(int((cs - 1.0) / m.bin_width + 0.5), m.n_bins - 1)
        m.bin_obs[b] += 1
        if left:
            self.defections += 1
            m.defections += 1
            k = m.choose(j, u_choice)
            self.firm = k
            if k is not None:
                self.cs = m.new_cs
        else:
            m.bin_stayed[b] += 1


class Market(mesa.Model):
    """The market: the scenario's numbers, the customers, and what is counted."""

    def __init__(self, p: common.Params, customers: int, seed: int):
        super().__init__(seed=seed)
        self.n_firms = p.n_firms
        self.cdv = p.cdv.tolist()
        self.sigma = p.sigma.tolist()
        self.phi = p.phi.tolist()
        self.delta = p.delta.tolist()
        self.best = p.best_offer
        self.ts, self.gain, self.loss = p.tolerance_slope, p.gain_slope, p.loss_slope
        self.memory, self.adaptation = p.memory, p.adaptation
        self.anchor, self.pull = p.anchor, p.market_pull
        self.new_cs = p.new_customer_cs
        self.zx, self.zy = p.zones_x.tolist(), p.zones_y.tolist()
        self.pass_through = p.pass_through
        self.choice_cum = p.choice_cum.tolist()
        self.prospect_rate = p.prospect_rate
        self.bin_width, self.n_bins = p.bin_width, p.n_bins
        self.decisions = 0
        self.defections = 0
        self.bin_obs = [0] * p.n_bins
        self.bin_stayed = [0] * p.n_bins
        rnd = self.random
        initial_cum = p.initial_cum.tolist()
        for _ in range(customers):
            if rnd.random() < p.outside:
                firm = None
            else:
                u = rnd.random()
                firm = next(k for k, c in enumerate(initial_cum) if u < c)
            standard = p.expectation + p.expectation_sd * rnd.gauss(0.0, 1.0)
            width = max(p.tolerance + p.tolerance_sd * rnd.gauss(0.0, 1.0), 0.0)
            cs = min(max(p.cs0 + p.cs0_sd * rnd.gauss(0.0, 1.0), 1.0), 5.0)
            Customer(self, firm, standard, 0.5 * width, cs)

    def f(self, cs):
        """The zones loyalty curve: piecewise linear, end values beyond the ends."""
        xs, ys = self.zx, self.zy
        if cs <= xs[0]:
            return ys[0]
        for i in range(1, len(xs)):
            if cs < xs[i]:
                return ys[i - 1] + (cs - xs[i - 1]) / (xs[i] - xs[i - 1]) * (ys[i] - ys[i - 1])
        return ys[-1]

    def choose(self, origin, u):
        """Logit pick from `origin` (a firm, or n_firms for a prospect): a firm or None."""
        for k, c in enumerate(self.choice_cum[origin]):
            if u < c:
                return k if k < self.n_firms else None
        return None

    def step(self):
        self.agents.do("step")


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0])
    p = common.load(args.scenario)
    start = time.perf_counter()
    model = Market(p, args.customers, args.seed)
    for _ in range(args.periods):
        model.step()
    elapsed = time.perf_counter() - start
    agents = list(model.agents)
    final = [0] * p.n_firms
    for a in agents:
        if a.firm is not None:
            final[a.firm] += 1
    common.report(
        "Mesa " + mesa.__version__,
        args.customers,
        args.periods,
        args.seed,
        elapsed,
        np.array([a.decisions for a in agents]),
        np.array([a.defections for a in agents]),
        np.array(model.bin_obs),
        np.array(model.bin_stayed),
        p.bin_width,
        {"final_customers": final},
    )


if __name__ == "__main__":
    main()
