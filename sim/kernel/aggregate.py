"""Aggregate mode: counts per segment and product, binomial and multinomial draws.

The cost of a step grows with segments x products, not with customers. Within a step all
transitions are decided from the state at its start (each customer makes at most one
transition per step), as in the agent mode:

- Category adoption (Bass 1969; Generalized Bass Model, Bass, Krishnan and Jain 1994).
  Potential adopters of segment s consider the category with hazard
  ``h = (p * advertising_effect + q * W) * attractiveness`` per day, where
  ``W = sum_j voice[j] * active[s, j] / population[s]`` is word of mouth weighted by
  satisfaction times the share of owners who talk (``Offer.voice``: owners still
  waiting for a backordered unit may not, Jain, Mahajan and Muller 1991);
  over ``dt`` days that is probability ``1 - exp(-h dt)``, times the reach
  (the share aware of a product they can buy). Considering customers split over the
  products and the outside option by the logit shares of ``choice.segment_drivers``; the
  outside option leaves them in the pool.
- Owners churn or buy a replacement (competing risks, ``choice.hazard_probabilities``);
  a replacement is a repeat purchase of the same product and waits while it cannot be
  bought. A share ``churn_return`` of churners returns to the pool; the rest lapse.
- Stock-outs: a customer who chooses product j finds it in stock with probability
  ``fill_rate[j]``; otherwise a share ``stockout_switching`` buys another product at once
  (by the others' shares, if in stock) and counts as j's lost sale (``lost``); the rest
  stay in the pool (a lost sale) or, where ``backorders[j]``, order j anyway and wait. A
  replacement buyer who finds no stock waits (replacement probability times the fill
  rate).

Randomness comes only from the ``numpy.random.Generator`` the caller passes in, in one of
three ways (``draws``):
- ``"generator"``: every binomial is ``rng.binomial``; Numba's Generator methods consume
  the bit generator exactly as NumPy's do, so a plain-Python twin (``tests/naive.py``)
  calling NumPy in the same order reproduces the kernel exactly;
- ``"counter"``: the step takes one 64-bit key from ``rng`` (``bit_generator.random_raw``)
  and every binomial is the exact counter-based sampler ``sim.kernel.binomial`` keyed by
  (key, draw index); the twin reproduces it with plain Python. Same distributions, other
  draws; faster (no Generator crosses into compiled code, cheaper samplers, the split of
  the considering customers as a binary tree of binomials: ``_aggregate_draw``);
- ``"approx"``: the counter keys of ``"counter"``, but a draw whose variance ``n p q`` is
  at least ``approx_min_variance`` (default 10) comes from the Cornish-Fisher corrected
  normal law (``sim.kernel.binomial.binomial_approx``: Kolmogorov distance to the
  binomial about ``0.014 / (n p q)``, at most 1.5e-3 at the default); the smaller ones are
  exact (those with a mean below 10 the draws of ``"counter"``, key for key; from 10 to 20
  by inversion where ``"counter"`` uses BTRD). Customers are conserved exactly (every
  draw lies in [0, n]). A whole step, where small exact draws (about 360 of the 820 draws
  of a 20 x 10 step in the benchmark) and the drivers remain, costs about 0.46x of
  ``"counter"`` and 0.22x of ``"generator"`` (``benchmarks/bench_kernel.py --mode
  aggregate``); docs/model.md states the error.

The step itself is one compiled call: ``_aggregate_step.step_aggregate`` for a Generator,
which goes to it as its ``sim.kernel.generator`` handle, read on its first step (the
market holds the Generator, so the handle stays valid; a step with another Generator
reads that one's); ``_aggregate_lanes.step_keyed`` for keyed draws, the same draws in
batches that the CPU computes several at a time (the same numbers as one at a time). For
keyed draws the market keeps the step's work arrays (``step_workspace``: no allocation a
step), and the compiled step draws each step's key from the Generator's handle
(``sim.kernel.generator.raw_uint64``: ``random_raw()`` for PCG64, PCG64DXSM, Philox and
SFC64; for MT19937, whose raw output is 32-bit, the market writes ``random_raw()`` into
them).
"""

import math

import numpy as np

from sim.kernel._aggregate_lanes import set_source, step_workspace, write_key
from sim.kernel._aggregate_lanes import step_keyed as _step_keyed
from sim.kernel._aggregate_step import N_ROWS, packed_log_q
from sim.kernel._aggregate_step import step_aggregate_handle as _step_aggregate_handle
from sim.kernel.binomial import MIN_APPROX_VARIANCE
from sim.kernel.generator import generator_handle
from sim.kernel.outcome import StepOutcome
from sim.kernel.params import Offer, Segments

DRAWS = ("generator", "counter", "approx")
_GENERATOR = np.random.Generator
_NO_UTILITY = np.zeros((0, 0))  # a step's "no utility" (has_utility False): no rows
APPROX_MIN_VARIANCE = 10.0  # Kolmogorov distance to the binomial at most about 1.5e-3


def _check_dt(dt):
    try:
        value = float(dt)
    except (TypeError, ValueError):
        raise ValueError(f"dt must be a finite number of days > 0, got {dt!r}") from None
    if not math.isfinite(value) or value <= 0.0:
        raise ValueError(f"dt must be a finite number of days > 0, got {dt}")
    return value


class AggregateMarket:
    """State and step of the aggregate-mode market.

    Parameters
    ----------
    segments : Segments
    n_products : int
        Number of products J (launched or not; availability is in each ``Offer``).
    initial_active : int (S, J), optional
        Owners of each product at the start (an incumbent's installed base).
    initial_lapsed : int (S,), optional
        Customers outside the category at the start.
    draws : {"generator", "counter", "approx"}
        Where the binomials come from (module docstring): ``rng.binomial`` itself, the
        counter-based sampler keyed by one draw from ``rng`` per step, or its approximate
        twin above a variance of ``approx_min_variance``.
    approx_min_variance : float
        With ``draws="approx"``: the smallest variance ``n p q`` drawn approximately
        (>= 9; default 10).
    """

    def __init__(self, segments: Segments, n_products: int, initial_active=None,
                 initial_lapsed=None, draws: str = "generator",
                 approx_min_variance: float = APPROX_MIN_VARIANCE):
        if not isinstance(segments, Segments):
            raise ValueError(f"segments must be a Segments, got {type(segments).__name__}")
        segments.validate()
        if int(n_products) < 1:
            raise ValueError(f"n_products must be >= 1, got {n_products}")
        if draws not in DRAWS:
            raise ValueError(f"draws must be one of {', '.join(DRAWS)}; got {draws!r}")
        try:
            min_variance = float(approx_min_variance)
        except (TypeError, ValueError):
            min_variance = math.nan
        if not min_variance >= MIN_APPROX_VARIANCE or not math.isfinite(min_variance):
            raise ValueError(f"approx_min_variance must be a finite number >= "
                             f"{MIN_APPROX_VARIANCE}, got {approx_min_variance!r}")
        self.draws = draws
        self.approx_min_variance = min_variance
        self.segments = segments
        self.n_products = int(n_products)
        j = self.n_products
        active, lapsed = _initial_state(segments, j, initial_active, initial_lapsed)
        self.active = active
        self.lapsed = lapsed
        self.pool = segments.population - lapsed - active.sum(axis=1)
        # the segment parameters a step reads, packed once (one argument instead of eight)
        self._seg = np.ascontiguousarray(np.column_stack([
            segments.p, segments.q, segments.price_sensitivity, segments.outside_utility,
            segments.attractiveness_elasticity, segments.reference_inclusive_value,
            segments.churn_return, packed_log_q(np.ascontiguousarray(segments.churn_return,
                                                                    dtype=np.float64))]))
        self._out_shape = (N_ROWS, segments.n_segments, self.n_products)
        # the handle of the Generator last stepped with (sim.kernel.generator), and it
        self._handle, self._handle_of = None, None
        self._after_shape = (2, segments.n_segments)
        # keyed draws: the step's work arrays, kept (made on the first step), and whether
        # the compiled step draws each key from the Generator's handle itself
        self._work, self._own_key = None, False

    def __getstate__(self) -> dict:
        """A copy or pickle leaves the Generator's handle behind: its addresses are this
        object's Generator's in this process, and the copy reads its own on its first step."""
        state = self.__dict__.copy()
        state["_handle"] = state["_handle_of"] = None
        state["_work"] = None  # its source row holds that handle; scratch otherwise
        return state

    def step(self, offer: Offer, dt: float, rng: np.random.Generator) -> StepOutcome:
        """Advance the market by ``dt`` days under ``offer``; draws come from ``rng``."""
        if type(dt) is not float or not 0.0 < dt < math.inf:  # the per-step path: a float
            dt = _check_dt(dt)
        if not isinstance(rng, _GENERATOR):
            raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        if type(offer) is not Offer or not offer.validated_for(self.segments):
            _check_offer(offer, self.segments, self.n_products)
        elif offer.price.shape[0] != self.n_products:  # a validated offer: arrays, checked
            _check_offer(offer, self.segments, self.n_products)
        out = np.empty(self._out_shape, np.int64)
        after = np.empty(self._after_shape, np.int64)
        utility = offer.utility
        if self.draws == "generator":
            if rng is not self._handle_of:  # the Generator as its handle, read once
                self._handle, self._handle_of = generator_handle(rng), rng
            _step_aggregate_handle(
                self._handle, dt, self._seg, self.segments.attribute_weights, offer.price,
                offer.attributes, _NO_UTILITY if utility is None else utility,
                utility is not None, offer.available, offer.awareness, offer.advertising,
                offer.satisfaction, offer.voice, offer.churn_rate,
                offer.churn_satisfaction_slope,
                offer.replacement_rate, offer.fill_rate, self.pool, self.lapsed, self.active,
                out, after, float(offer.season), float(offer.stockout_switching),
                offer.backorders)
            return StepOutcome._of_buffers(out, after)
        work = self._work
        if work is None:
            work = self._work = step_workspace(
                self._seg, self.segments.attribute_weights, self.n_products,
                self.approx_min_variance if self.draws == "approx" else math.inf)
            self._handle_of = None
        if rng is not self._handle_of:  # the key's source: the Generator's handle
            self._own_key, self._handle_of = set_source(work[2], rng), rng
        if not self._own_key:  # the key drawn here (module docstring)
            write_key(work[2], rng)
        fw, iw, kw = work
        _step_keyed(dt, offer._vectors, offer.voice, offer.attributes,
                    _NO_UTILITY if utility is None else utility, offer.available,
                    offer.awareness, offer.advertising, self.pool, self.lapsed, self.active,
                    out, after, offer.season, offer.stockout_switching, offer.backorders,
                    fw, iw, kw)
        return StepOutcome._of_buffers(out, after)


def _check_offer(offer, segments, n_products):
    if not isinstance(offer, Offer):
        raise ValueError(f"offer must be an Offer, got {type(offer).__name__}")
    if offer.n_products != n_products:
        raise ValueError(f"offer.price must have {n_products} products, got {offer.n_products}")
    if not offer.validated_for(segments):
        offer.validate(segments)


def _initial_state(segments, n_products, initial_active, initial_lapsed):
    s = segments.n_segments
    if initial_active is None:
        active = np.zeros((s, n_products), np.int64)
    else:
        active = np.asarray(initial_active)
        if active.shape != (s, n_products):
            raise ValueError(f"initial_active must have shape {(s, n_products)}, got {active.shape}")
        if not np.issubdtype(active.dtype, np.integer) or np.any(active < 0):
            raise ValueError(f"initial_active must hold counts >= 0, got {active!r}")
        active = active.astype(np.int64).copy()
    if initial_lapsed is None:
        lapsed = np.zeros(s, np.int64)
    else:
        lapsed = np.asarray(initial_lapsed)
        if lapsed.shape != (s,):
            raise ValueError(f"initial_lapsed must have shape {(s,)}, got {lapsed.shape}")
        if not np.issubdtype(lapsed.dtype, np.integer) or np.any(lapsed < 0):
            raise ValueError(f"initial_lapsed must hold counts >= 0, got {lapsed!r}")
        lapsed = lapsed.astype(np.int64).copy()
    over = active.sum(axis=1) + lapsed > segments.population
    if np.any(over):
        raise ValueError(
            "initial_active plus initial_lapsed exceed population in segment "
            f"{int(np.argmax(over))}: {int(active.sum(axis=1)[over][0] + lapsed[over][0])} > "
            f"{int(segments.population[over][0])}")
    return active, lapsed
