"""Successive product generations: the Norton and Bass (1987) model as a stochastic market.

A chain of products linked by ``ProductConfig.generation_of`` (v1 <- v2 <- v3) is sold
through this module instead of the demand kernel. With a common p and q per segment and
``F(t)`` the Bass share, generation k launched at ``tau_k`` has in expectation

    S1 = m1 F1 (1 - F2),  S2 = F2 (m2 + F1 m1) (1 - F3),  S3 = F3 (m3 + F2 (m2 + F1 m1))

installed units, ``Fk = F(t - tau_k)`` (0 before ``tau_k``); ``m_k`` (``entry_share`` times
the segment's size) are the customers who first enter the category with generation k.

The stochastic reading implemented here: every customer carries one Bass clock per
generation; once generation k is on the market its clock fires with hazard
``c_k (p * advertising_k + q * x_k)``, where ``x_k`` is the share of the chain's customers
in the segment whose k-clock has fired (word of mouth, as in Bass 1969), the advertising
effect multiplies the innovation term and ``c_k`` is the buying factor of the product
offered alone (``purchase_factors``: its logit share against the outside option, times
its attractiveness, as in the Generalized Bass Model), so that price and attributes move
adoption as they do in the kernel; ``c_k = 1`` without an outside option. A customer of
entry group e owns the newest generation k such that the clocks e, e+1, ..., k have all
fired: generation k's potential is ``m_k`` plus the owners of generation k-1, as in
Norton and Bass. Moving from
an owned generation to a newer one is an *upgrade*: a unit of the new generation sold and
a unit of the old one cannibalised.

Within a step every clock fires with the probability that the Bass equation gives for the
share's own path over ``dt`` from the share at the start of the step, ``(x' - x)/(1 - x)``
with ``x' = F(F^{-1}(x) + dt)``; in expectation the shares then follow the closed form
whatever ``dt`` (no Euler bias), and the only error is sampling error.

Aggregate mode holds counts per (segment, entry group, pattern of fired clocks) and draws
binomials keyed by (seed, step, draw index) as the demand kernel's ``counter`` draws are
(``draws=generator``: from a ``numpy.random.Generator`` in turn, as until 2026-12-07), so two
options run on one seed keep the chain's draws in step; agent mode holds each customer's entry group
and fired clocks and draws counter-based uniforms keyed by (seed, step, generation), so
it does not depend on thread count. Both use the same probabilities; they agree in
distribution. Mixing is global within a segment (the agent mode's network is not used).

The chain's customers are its own part of each segment (``sum(entry_share)``); the
demand kernel, and the other firms' products, have the rest (``Generations.kernel_segments``),
so customers are conserved. Until a firm holds a product line this keeps generations and
rivals apart: a rival competes for the kernel's customers only.

Left out: churn and replacement purchases of a generation (a generation's owner leaves
only by upgrading), stock-outs, awareness (everyone knows a launched generation), and a
choice between generations (a later generation is bought by everyone whose clock fires
and who buys at all).
"""

import dataclasses

import numpy as np

from sim.config.commercial import generation_chains
from sim.kernel import libm
from sim.kernel.bass import cumulative_share, inverse_share
from sim.kernel.binomial import binomials, draw_key
from sim.kernel.choice import drivers
from sim.kernel.rng import uniforms
from sim.seeds import component_rng, component_seed


def bass_step_probability(x, p, q, dt):
    """Probability that a clock not yet fired fires within ``dt`` when a share ``x`` of
    the clocks has fired: ``(F(F^{-1}(x) + dt) - x) / (1 - x)`` (Bass 1969, exact for the
    deterministic path). Broadcasts; p, q per day (p >= 0, q >= 0), dt in days."""
    x = np.clip(np.asarray(x, float), 0.0, 1.0)
    p = np.asarray(p, float)
    q = np.broadcast_to(np.asarray(q, float), np.broadcast(x, p).shape)
    x, p = np.broadcast_arrays(x, p)
    out = np.zeros(x.shape)
    live = x < 1.0
    with np.errstate(divide="ignore", over="ignore"):
        ratio = q / np.where(p > 0.0, p, 1.0)
    bass = live & (p > 0.0) & np.isfinite(ratio)  # else innovation is nil next to imitation
    if np.any(bass):
        xb, pb, qb = x[bass], p[bass], q[bass]
        after = cumulative_share(inverse_share(xb, pb, qb) + dt, pb, qb)
        out[bass] = (after - xb) / (1.0 - xb)
    logistic = live & (p <= 0.0)  # no innovation: dx/dt = q x (1 - x)
    if np.any(logistic):
        xl, ql = x[logistic], q[logistic]
        g = libm.exp(ql * dt)
        after = xl * g / (1.0 - xl + xl * g)
        out[logistic] = (after - xl) / (1.0 - xl)
    return np.clip(out, 0.0, 1.0)


def purchase_factors(segments, offer, column):
    """(S,) advertising effect and (S,) buying factor of the product ``column`` offered
    alone to customers who all know it: its logit share against the outside option (the
    kernel's brand choice, section 1.2 of docs/model.md: price and attributes) times its
    Generalized Bass attractiveness. Both are 1 in a market without an outside option and
    with attractiveness_elasticity 0, where Norton-Bass holds exactly."""
    solo = dataclasses.replace(offer, available=np.arange(offer.n_products) == column,
                               awareness=np.ones_like(offer.awareness))
    _, shares, adv, attract, _ = drivers(segments, solo)
    return adv, shares[:, column] * attract


def owned_table(k: int) -> np.ndarray:
    """int64 (k + 1, 2**k): the generation owned by a customer of entry group e (row k:
    outside every generation's potential) whose fired clocks are the bits of the column;
    -1 for none. The newest g with clocks e..g all fired."""
    table = np.full((k + 1, 2**k), -1, np.int64)
    for e in range(k):
        for mask in range(2**k):
            if not mask >> e & 1:
                continue
            g = e
            while g + 1 < k and mask >> (g + 1) & 1:
                g += 1
            table[e, mask] = g
    return table


def entry_counts(sizes, shares) -> np.ndarray:
    """int64 (S, K + 1): customers of each segment per entry group (the last column: in no
    generation's potential), from cumulative rounded shares so the columns sum to the size."""
    sizes = np.asarray(sizes, np.int64)
    edges = np.round(np.outer(sizes, np.concatenate([[0.0], np.cumsum(shares)]))).astype(np.int64)
    edges = np.minimum(edges, sizes[:, None])
    counts = np.diff(edges, axis=1)
    return np.column_stack([counts, sizes - edges[:, -1]])


class Chain:
    """One chain of generations over all segments (module docstring)."""

    def __init__(self, columns, shares, sizes, p, q, mode, seed, index, draws="counter"):
        self.columns = list(columns)
        k = len(self.columns)
        self.k = k
        self.p = np.asarray(p, float)  # (S,) per day
        self.q = np.asarray(q, float)
        self.own = owned_table(k)
        groups = entry_counts(sizes, shares)  # (S, K + 1)
        groups[:, k] = 0  # the rest of the segment is the demand kernel's
        self.sizes = groups.sum(axis=1)  # the chain's customers: sum of m_k per segment
        self.mode = mode
        self.steps = 0
        self.keyed = draws != "generator"  # aggregate mode's draws (``draws``)
        if mode == "aggregate":
            if self.keyed:
                self.key = component_seed(seed, f"generations:{index}")
            else:
                self.rng = component_rng(seed, f"generations:{index}")
            self.cells = np.zeros((len(self.sizes), k + 1, 2**k), np.int64)
            self.cells[:, :, 0] = groups
        else:
            self.key = component_seed(seed, f"generations:{index}")
            self.segment = np.repeat(np.arange(len(self.sizes)), self.sizes)
            self.entry = np.concatenate([np.repeat(np.arange(k + 1), g) for g in groups])
            self.mask = np.zeros(int(self.sizes.sum()), np.uint8)
            self.fired = np.zeros((len(self.sizes), k), np.int64)  # (S, K) clocks fired

    def fired_share(self) -> np.ndarray:
        """(S, K) share of each segment's customers whose generation-k clock has fired."""
        bits = (np.arange(2**self.k)[:, None] >> np.arange(self.k)) & 1  # (M, K)
        if self.mode == "aggregate":
            fired = self.cells.sum(axis=1) @ bits
        else:
            fired = self.fired
        return fired / np.maximum(self.sizes, 1)[:, None]

    def step(self, on_market, advertising, dt, buying=None):
        """Fire the clocks for one step. ``on_market`` (K,) bool; ``advertising`` (S, K);
        ``buying`` (S, K) multiplies the whole hazard (``purchase_factors``; None: 1).
        Returns int64 (S, K) arrays: new adopters, upgraders (into k), cannibalised (units
        of k lost to newer ones), owners after the step."""
        prob = np.zeros((len(self.sizes), self.k))
        live = np.flatnonzero(on_market)
        if len(live):
            c = 1.0 if buying is None else np.asarray(buying, float)[:, live]
            prob[:, live] = bass_step_probability(
                self.fired_share()[:, live], c * self.p[:, None] * advertising[:, live],
                c * self.q[:, None], dt)
        if self.mode == "aggregate":
            flows = self._step_cells(prob, live)
        else:
            flows = self._step_agents(prob, live)
        self.steps += 1
        return (*flows, self.owners())

    def _step_cells(self, prob, live):
        s_count, m = len(self.sizes), 2**self.k
        # moves[s, e, m0, m1]: customers who started the step at pattern m0, now at m1
        moves = np.zeros((s_count, self.k + 1, m, m), np.int64)
        idx = np.arange(m)
        moves[:, :, idx, idx] = self.cells
        # keyed draws: draw (g, s, cell) has a fixed index whatever the counts, so a draw an
        # option changes leaves the others as they were (docs/model.md 1.5)
        step_key = int(draw_key(np.uint64(self.key), self.steps)) if self.keyed else 0
        block = (self.k + 1) * m * (m // 2)  # the cells one (generation, segment) draws
        for g in live:
            bit = 1 << int(g)
            src = idx[(idx & bit) == 0]
            for s in range(s_count):
                n = moves[s][:, :, src]
                if self.keyed:
                    flat = n.ravel()
                    fired = binomials(flat, np.full(flat.size, prob[s, g]), step_key,
                                      (int(g) * s_count + s) * block).reshape(n.shape)
                else:
                    fired = self.rng.binomial(n, prob[s, g])
                moves[s][:, :, src] -= fired
                moves[s][:, :, src | bit] += fired
        self.cells = moves.sum(axis=2)
        own0 = np.broadcast_to(self.own[:, :, None], moves.shape[1:])
        own1 = np.broadcast_to(self.own[:, None, :], moves.shape[1:])
        seg = np.broadcast_to(np.arange(s_count)[:, None, None, None], moves.shape)
        return self._flows(seg.ravel(), np.broadcast_to(own0, moves.shape).ravel(),
                           np.broadcast_to(own1, moves.shape).ravel(), moves.ravel())

    def _step_agents(self, prob, live):
        before = self.mask.copy()
        for g in live:
            u = uniforms(self.key, self.steps, int(g), len(self.mask))
            fire = ((before >> int(g)) & 1 == 0) & (u < prob[self.segment, g])
            self.mask[fire] |= 1 << int(g)
            self.fired[:, g] += np.bincount(self.segment[fire], minlength=len(self.sizes))
        changed = np.flatnonzero(self.mask != before)
        e = self.entry[changed]
        return self._flows(self.segment[changed], self.own[e, before[changed]],
                           self.own[e, self.mask[changed]], np.ones(len(changed), np.int64))

    def _flows(self, seg, own0, own1, count):
        s_count, k = len(self.sizes), self.k
        moved = (own1 != own0) & (count > 0)
        seg, own0, own1, count = seg[moved], own0[moved], own1[moved], count[moved]
        new = np.zeros((s_count, k), np.int64)
        upgraders = np.zeros((s_count, k), np.int64)
        lost = np.zeros((s_count, k), np.int64)
        first = own0 < 0
        np.add.at(new, (seg[first], own1[first]), count[first])
        np.add.at(upgraders, (seg[~first], own1[~first]), count[~first])
        np.add.at(lost, (seg[~first], own0[~first]), count[~first])
        return new, upgraders, lost

    def owners(self) -> np.ndarray:
        """int64 (S, K): owners of each generation."""
        out = np.zeros((len(self.sizes), self.k), np.int64)
        if self.mode == "aggregate":
            for e in range(self.k):
                for g in range(self.k):
                    out[:, g] += self.cells[:, e, self.own[e] == g].sum(axis=1)
        else:
            g = self.own[self.entry, self.mask]
            cell = self.segment[g >= 0] * self.k + g[g >= 0]
            out[:] = np.bincount(cell, minlength=out.size).reshape(out.shape)
        return out

    def potential(self) -> np.ndarray:
        """int64 (S,): customers in some generation's potential who own none."""
        if self.mode == "aggregate":
            return (self.cells[:, :self.k] * (self.own[:self.k] < 0)).sum(axis=(1, 2))
        idle = (self.entry < self.k) & (self.own[self.entry, self.mask] < 0)
        return np.bincount(self.segment[idle], minlength=len(self.sizes)).astype(np.int64)


class Generations:
    """The market's chains of generations (``generation_chains``), each a ``Chain``.

    ``hide`` takes the chains' products out of the demand kernel's offer; ``settle`` steps
    the chains and writes their columns into the kernel's step outcome.
    """

    def __init__(self, chains, products, sizes, p, q, mode, seed, draws="counter"):
        self.chains = [Chain(c, [products[i].entry_share for i in c], sizes, p, q, mode,
                             seed, n, draws) for n, c in enumerate(chains)]
        self.columns = [j for c in chains for j in c]

    def kernel_segments(self, segments):
        """``segments`` less the chains' customers (a segment's share ``sum(entry_share)``
        is the chains' alone; the demand kernel and its products have the rest)."""
        if not self.chains:
            return segments
        taken = sum(c.sizes for c in self.chains)
        return dataclasses.replace(segments, population=segments.population - taken)

    @classmethod
    def of(cls, cfg, products, segments, seed):
        """The chains among the kernel columns' ``products`` (their configs; none: an
        object that changes nothing)."""
        return cls(generation_chains(products), products, segments.population, segments.p,
                   segments.q, cfg.mode, seed, cfg.draws)

    def hide(self, available):
        """``available`` (J,) with the chains' products off the kernel's offer."""
        available = np.array(available, bool)
        if self.columns:
            available[self.columns] = False
        return available

    def settle(self, out, on_market, offer, segments, dt):
        """Step every chain and put its flows into the kernel's outcome ``out`` (in place):
        new adopters, units (adopters plus upgraders), owners; no replacements, churn or
        lost sales; the pool gains the chains' customers who own no generation yet.
        Returns int64 (S, J) upgraders and cannibalised units (zeros outside the chains)."""
        upgraders = np.zeros_like(out.new_adopters)
        cannibalised = np.zeros_like(out.new_adopters)
        on_market = np.asarray(on_market, bool)
        for chain in self.chains:
            cols = chain.columns
            adv = np.ones((segments.n_segments, len(cols)))
            buying = np.ones_like(adv)
            for g, j in enumerate(cols):
                if on_market[j]:
                    adv[:, g], buying[:, g] = purchase_factors(segments, offer, j)
            new, up, lost, owners = chain.step(on_market[cols], adv, dt, buying)
            out.new_adopters[:, cols] = new
            out.units[:, cols] = new + up
            out.active[:, cols] = owners
            for flow in (out.replacements, out.churners, out.returned, out.lost):
                flow[:, cols] = 0
            upgraders[:, cols] = up
            cannibalised[:, cols] = lost
            out.pool[:] += chain.potential()
        return upgraders, cannibalised
