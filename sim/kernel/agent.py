"""Agent mode: one record per customer, word of mouth through a social network.

Customers are numbered segment by segment (segment s holds a contiguous range), so a
customer's segment needs no storage. Per customer the state is the product held (int8:
-1 in the pool of potential adopters, -2 lapsed from the category, j >= 0 owns product j);
its taste deviation and price-sensitivity multiplier (float32) are pure functions of the
seed and the customer, drawn by the step for the customers who choose (``taste`` and
``alpha_mult`` build the arrays of all customers on demand).

Each step decides every customer's transition from the state at the start of the step,
with the same rules as the aggregate mode (see ``aggregate``):

- a potential adopter considers the category with probability ``1 - exp(-h dt)``,
  ``h = (p * advertising_effect + q * W_i) * attractiveness``, where ``W_i`` is the
  share of its network neighbours owning a product (or of its segment, fully mixed),
  each weighted by the product's ``voice`` (satisfaction times the share of its owners
  who talk: ``Offer.voice``); it then chooses by logit among the products it is aware of and
  can buy, with utility ``(1 + taste_i) * w_s . a_j - alpha_s * m_i * log(price_j)``, and
  the outside option;
- an owner churns or buys a replacement (competing risks); a churner returns to the pool
  with probability ``churn_return`` or lapses.

Randomness is a counter-based hash of (seed, step, stream, customer) (``rng``), so the
result does not depend on the thread count. Work is split into fixed chunks of customers
(never straddling segments); each chunk counts its own flows, summed afterwards in chunk
order. Word of mouth on a network is an incremental count: ``counts[i, j]`` is the number
of i's neighbours owning product j, updated only for the neighbours of customers whose
state changed (in parallel, by atomic integer adds), so a step costs O(customers + edges
of changers), not a neighbour scan per customer.

Per chunk, pass 1 (``_screen``) hashes every customer in vectorised 32-bit lanes and marks,
in one 64-bit mask per 64 customers, those whose draw falls under an upper bound of their
event probability; pass 2 (``_decide``) decides only the marked ones, exactly.
"""

from typing import NamedTuple

import numpy as np

from sim.kernel import libm
from sim.kernel._agent_passes import (  # noqa: F401  (POOL, LAPSED, MAX_PRODUCTS: public)
    LAPSED,
    MAX_PRODUCTS,
    POOL,
    _scatter_changes,
    _step_agents,
    _sum_chunks,
)
from sim.kernel._agent_setup import _draw_tastes, _neighbour_counts, _place_initial
from sim.kernel.aggregate import _check_dt, _check_offer, _initial_state
from sim.kernel.choice import drivers, hazard_probabilities
from sim.kernel.network import Network, check_network
from sim.kernel.outcome import StepOutcome
from sim.kernel.params import Segments
from sim.kernel.rng import (
    STREAM_ALPHA_A,
    STREAM_ALPHA_B,
    STREAM_AWARE,
    STREAM_CHOICE,
    STREAM_FILL,
    STREAM_HOLD,
    STREAM_INITIAL,
    STREAM_TASTE_A,
    STREAM_TASTE_B,
    key_of,
    split_key,
    threshold32,
)

CHUNK_SIZE = 8192  # customers per work chunk with a network (finer load balance)
CHUNK_SIZE_MIXED = 32768  # fully mixed: less per-chunk overhead for the cheap screen
FLOW_NAMES = ("new", "units", "replacements", "churners", "returned", "lost")


class StepPlan(NamedTuple):
    """Everything one agent step needs besides the customers' state, computed on the host.

    float64 (S,): ``prob_mixed`` (fully mixed adoption probability), ``haz_innov`` and
    ``haz_imit`` (innovation and imitation hazards per day, attractiveness included),
    ``alpha`` (price sensitivity), ``outside_utility``, ``churn_return``; int64 (S,):
    ``t_pool`` (``threshold32`` of an upper bound of the adoption probability). float64
    (J,): ``voice`` (word of mouth's weight, ``Offer.voice``), ``log_price``, ``fill_rate``, ``p_churn``, ``p_replace``; bool
    (J,): ``available``. float64 (S, J): ``base`` (attribute utility), ``awareness``.
    ``t_owner``: int, threshold of an upper bound of the owner-event probability. Keys:
    ``key_lo``, ``key_hi`` (uint32 halves of the step's HOLD key), ``key_choice``,
    ``key_fill`` (uint64). ``dt`` in days. ``switching``: share of stocked-out choosers
    who buy another product at once (``Offer.stockout_switching``); ``backorders`` bool
    (J,): products whose other stocked-out choosers wait (``Offer.backorders``).
    """

    dt: float
    prob_mixed: np.ndarray
    haz_innov: np.ndarray
    haz_imit: np.ndarray
    t_pool: np.ndarray
    t_owner: int
    voice: np.ndarray
    base: np.ndarray
    alpha: np.ndarray
    log_price: np.ndarray
    available: np.ndarray
    awareness: np.ndarray
    outside_utility: np.ndarray
    key_lo: np.uint32
    key_hi: np.uint32
    key_choice: np.uint64
    key_fill: np.uint64
    fill_rate: np.ndarray
    p_churn: np.ndarray
    p_replace: np.ndarray
    churn_return: np.ndarray
    switching: float = 0.0
    backorders: np.ndarray | None = None


class AgentMarket:
    """State and step of the agent-mode market.

    Parameters
    ----------
    segments : Segments
    n_products : int
    seed : int
        Root of the counter-based draws (>= 0). A step's draws depend on (seed, step,
        customer) only.
    network : Network or None
        Symmetric social network over all customers (numbered segment by segment), or
        None for a fully mixed market.
    initial_active : int (S, J), optional
    initial_lapsed : int (S,), optional
    chunk_size : int, optional
        Customers per work chunk (fixed, so results do not depend on the thread count; they
        do not depend on the chunk size either). Default ``CHUNK_SIZE`` with a network,
        ``CHUNK_SIZE_MIXED`` without (the fastest of those measured for each).
    """

    def __init__(self, segments: Segments, n_products: int, seed: int, network=None,
                 initial_active=None, initial_lapsed=None, chunk_size: int | None = None):
        if not isinstance(segments, Segments):
            raise ValueError(f"segments must be a Segments, got {type(segments).__name__}")
        segments.validate()
        n_products = int(n_products)
        if not 1 <= n_products <= MAX_PRODUCTS:
            raise ValueError(f"n_products must be in [1, {MAX_PRODUCTS}] in agent mode, "
                             f"got {n_products}")
        if int(seed) < 0:
            raise ValueError(f"seed must be >= 0, got {seed}")
        if chunk_size is None:
            chunk_size = CHUNK_SIZE if network is not None else CHUNK_SIZE_MIXED
        if int(chunk_size) < 1:
            raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
        self.segments = segments
        self.n_products = n_products
        self.seed = int(seed)
        self.step_index = 0
        s = segments.n_segments
        pop = segments.population
        self.seg_start = np.zeros(s + 1, np.int64)
        np.cumsum(pop, out=self.seg_start[1:])
        n = int(self.seg_start[-1])
        if n >= 2**31 - 1:
            raise ValueError(f"population must total < 2**31 - 1 customers in agent mode, got {n}")
        self.n_customers = n
        if network is not None:
            if not isinstance(network, Network):
                raise ValueError(f"network must be a Network or None, got {type(network).__name__}")
            check_network(network, n)
        self.network = network
        active, lapsed = _initial_state(segments, n_products, initial_active, initial_lapsed)
        self.held = np.empty(n, np.int8)
        _place_initial(self.seg_start, active, lapsed, self._key(0, STREAM_INITIAL), self.held)
        self.active = active
        self.lapsed = lapsed
        self.pool = pop - lapsed - active.sum(axis=1)
        # tastes are pure functions of (keys, customer): the step draws the adopters' on
        # demand; the arrays are built only when read (``taste``, ``alpha_mult``)
        self.taste_keys = np.array([self._key(0, k) for k in (STREAM_TASTE_A, STREAM_TASTE_B,
                                                                STREAM_ALPHA_A, STREAM_ALPHA_B)],
                                   np.uint64)
        self._tastes = None
        chunks = []
        for seg in range(s):
            for lo in range(int(self.seg_start[seg]), int(self.seg_start[seg + 1]), int(chunk_size)):
                chunks.append((seg, lo, min(lo + int(chunk_size), int(self.seg_start[seg + 1]))))
        arr = np.array(chunks, np.int64).reshape(-1, 3)
        self.chunk_segment = np.ascontiguousarray(arr[:, 0])
        self.chunk_start = np.ascontiguousarray(arr[:, 1])
        self.chunk_stop = np.ascontiguousarray(arr[:, 2])
        self.aware_keys = np.array([self._key(j, STREAM_AWARE) for j in range(n_products)],
                                   np.uint64)
        if network is not None:
            self.counts = np.zeros((n, n_products), np.int32)
            _neighbour_counts(self.held, network.indptr, network.indices, self.counts)
            self._indptr = network.indptr
        else:
            self.counts = np.zeros((1, n_products), np.int32)
            self._indptr = np.zeros(2, np.int64)
        self._init_backend()

    def _draw_tastes(self):
        if self._tastes is None:
            taste = np.empty(self.n_customers, np.float32)
            alpha_mult = np.empty(self.n_customers, np.float32)
            _draw_tastes(self.seg_start, self.segments.taste_sd,
                         self.segments.price_sensitivity_sd, self.taste_keys, taste, alpha_mult)
            self._tastes = (taste, alpha_mult)
        return self._tastes

    @property
    def taste(self) -> np.ndarray:
        """float32 (N,): each customer's taste deviation (drawn once, on first read)."""
        return self._draw_tastes()[0]

    @property
    def alpha_mult(self) -> np.ndarray:
        """float32 (N,): each customer's price-sensitivity multiplier (mean 1)."""
        return self._draw_tastes()[1]

    def _init_backend(self):
        """Work arrays of the per-step kernel (a GPU backend uploads the state here)."""
        n = self.n_customers if self.network is not None else 1  # only the scatter reads it
        self.changed = np.empty(n, np.int32)
        self.changed_from = np.empty(n, np.int8)

    def _key(self, step, stream):
        return key_of(self.seed, step, stream)

    def step(self, offer, dt: float) -> StepOutcome:
        """Advance all customers by ``dt`` days under ``offer``."""
        return self._record(*self._advance(self._plan(offer, dt)))

    def _plan(self, offer, dt) -> StepPlan:
        """Validate the inputs and compute the step's probabilities, thresholds and keys."""
        dt = _check_dt(dt)
        _check_offer(offer, self.segments, self.n_products)
        seg = self.segments
        base, _, adv, attract, _ = drivers(seg, offer)
        haz_innov = seg.p * adv * attract * offer.season
        haz_imit = seg.q * attract * offer.season
        population = np.maximum(seg.population, 1)
        wom = (self.active * offer.voice[None, :]).sum(axis=1) / population
        prob_mixed = -libm.expm1(-(haz_innov + haz_imit * wom) * dt)
        p_churn, p_replace = hazard_probabilities(
            offer.churn_rate, offer.churn_satisfaction_slope, offer.replacement_rate,
            offer.satisfaction, dt)
        if self.network is not None:
            # bound on word of mouth: a neighbour share of 1 at the highest voice
            w_max = float(offer.voice.max()) * (1.0 + 1e-9) + 1e-12
            t_pool = threshold32(-libm.expm1(-(haz_innov + haz_imit * w_max) * dt) + 1e-12)
        else:
            t_pool = threshold32(prob_mixed)
        t_owner = int(threshold32((p_churn + p_replace).max()))
        t = self.step_index + 1  # step 0 keys are reserved for initial draws
        key_lo, key_hi = split_key(self._key(t, STREAM_HOLD))
        return StepPlan(dt, prob_mixed, haz_innov, haz_imit, t_pool, t_owner,
                        offer.voice, base, seg.price_sensitivity, libm.log(offer.price),
                        offer.available, offer.awareness, seg.outside_utility, key_lo, key_hi,
                        self._key(t, STREAM_CHOICE), self._key(t, STREAM_FILL),
                        offer.fill_rate, p_churn, p_replace, seg.churn_return,
                        offer.stockout_switching, offer.backorders)

    def _advance(self, plan: StepPlan):
        """Run the step on every customer; the flows (new, units, replacements, churners,
        returned, lost) per segment and product, int64 (S, J) each."""
        s, j = self.segments.n_segments, self.n_products
        c = self.chunk_segment.shape[0]
        flows = [np.zeros((c, j), np.int64) for _ in range(len(FLOW_NAMES))]
        n_changed = np.zeros(c, np.int64)
        _step_agents(self.held, self.segments.taste_sd, self.segments.price_sensitivity_sd,
                     self.taste_keys, self.chunk_segment,
                     self.chunk_start, self.chunk_stop, self._indptr, self.counts,
                     self.network is not None, plan.prob_mixed, plan.haz_innov,
                     plan.haz_imit, plan.dt, plan.t_pool, np.int64(plan.t_owner),
                     plan.voice, plan.base, plan.alpha, plan.log_price, plan.available,
                     plan.awareness, plan.outside_utility, self.aware_keys, plan.key_lo,
                     plan.key_hi, plan.key_choice, plan.key_fill, plan.fill_rate,
                     plan.p_churn, plan.p_replace, plan.churn_return, plan.switching,
                     plan.backorders, *flows, self.changed, self.changed_from, n_changed)
        if self.network is not None:
            _scatter_changes(self.chunk_start, n_changed, self.changed, self.changed_from,
                             self.held, self.network.indptr, self.network.indices, self.counts)
        per_segment = []
        for f in flows:
            out = np.zeros((s, j), np.int64)
            _sum_chunks(self.chunk_segment, f, out)
            per_segment.append(out)
        return per_segment

    def _record(self, new, units, repl, churn, back, lost) -> StepOutcome:
        """Update the segment counts with one step's flows and return its outcome."""
        self.active += new - churn
        self.pool += back.sum(axis=1) - new.sum(axis=1)
        self.lapsed += (churn - back).sum(axis=1)
        self.step_index += 1
        return StepOutcome(new, units, repl, churn, back, self.active.copy(), self.pool.copy(),
                           self.lapsed.copy(), lost)
