"""Device code of the CUDA agent market (numba-cuda); imported only by ``sim.kernel.cuda``.

Every function here is the device twin of a CPU function of ``sim.kernel.agent`` and
``sim.kernel.rng`` and takes the same decisions from the same draws:

- ``hash32`` and ``uniform`` (in ``sim.kernel._cuda_jit``, with the compile options and the
  non-contractible arithmetic) redo ``rng.hash32`` and ``rng.uniform`` bit for bit;
- ``step_kernel`` is ``_screen`` followed by ``_decide`` (with its logit choice, ``_choose``
  here), ``_customer`` for one customer; each thread reads 8 customers' states in one 8-byte
  load, grid-stride; flows are integer atomics (order-independent);
- ``scatter_kernel`` is ``_scatter_changes`` for the customers that changed, from the
  device list each block wrote.

Floating point: the per-step probabilities and thresholds come from the host. On a GPU,
NVVM fuses a multiply and an add into one FMA (one rounding instead of two) unless told not
to, and numba-cuda 0.30 has no option for that (``fastmath=False`` leaves NVVM's default
``-fma=1``); so every multiply feeding an add here goes through ``_mul``/``_add``/``_sub``,
libdevice's ``__nv_dmul_rn``/``__nv_dadd_rn`` (subtraction as the addition of the
negation), which are never contracted. ``math.exp``, ``math.expm1`` and ``math.log`` are
libdevice's on a GPU and may differ from the CPU's libm in the last bit (see ``sim.kernel.cuda``). On numba's CUDA
simulator the same functions are plain Python operations on NumPy scalars and ``math``
(the CPU's libm).
"""

import math

import numpy as np
from numba import cuda

from sim.kernel._agent_passes import SWITCH_CHOICE, SWITCH_DRAW, SWITCH_FILL
from sim.kernel._cuda_jit import (  # SIMULATOR: read as _cuda_device.SIMULATOR
    SIMULATOR,  # noqa: F401
    _add,
    _mul,
    _sub,
    device,
    hash32,
    kernel,
    uniform,
)
from sim.kernel.agent import LAPSED, MAX_PRODUCTS, POOL

N_FLOWS = 6  # new, units, replacements, churners, returned, lost (agent.FLOW_NAMES)
SHARED_COUNTERS = N_FLOWS * 512  # per-block flow counters in shared memory (int32)

# Layout of the per-step float64 parameter vector (see ``pack_plan``): per segment
# (k * S + s), then per product (6 S + k * J + j), then per segment and product
# (6 S + 6 J + k * S * J + s * J + j).
P_PROB, P_INNOV, P_IMIT, P_RETURN, P_OUTSIDE, P_ALPHA = range(6)
Q_SAT, Q_LOGP, Q_FILL, Q_CHURN, Q_REPL, Q_AVAIL = range(6)
R_BASE, R_AWARE = range(2)

_BYTE = np.uint64(0xFF)
_INV32 = 1.0 / 4294967296.0
_FLOW_NEW, _FLOW_UNITS, _FLOW_REPL, _FLOW_CHURN, _FLOW_BACK, _FLOW_LOST = range(N_FLOWS)


def plan_size(n_segments, n_products):
    """Length of the step's parameter vector (``pack_plan``)."""
    return 6 * n_segments + 6 * n_products + 2 * n_segments * n_products + n_segments + 7


def _availability(plan):
    """1 where a product can be bought, 2 where it also takes backorders, else 0."""
    avail = np.asarray(plan.available, dtype=np.float64)
    if plan.backorders is None:
        return avail
    return avail + avail * np.asarray(plan.backorders, dtype=np.float64)


def pack_plan(plan, n_segments, n_products, out=None):
    """The parameter vector of one step (host side), laid out as above, into ``out`` (float64,
    ``plan_size``; a new array if None). After the float64 parameters come, at
    ``o = 6 S + 6 J + 2 S J``, the integers of the step stored bit for bit: the S adoption
    thresholds (int64), the keys hold_lo, hold_hi, choice and fill (uint64), the owners'
    threshold (int64), then dt and the stock-out switching share (float64). The kernel reads them through int64 and uint64
    views of the same device memory, so one copy uploads the whole step."""
    s, j = n_segments, n_products
    if out is None:
        out = np.empty(plan_size(s, j))
    for k, arr in ((P_PROB, plan.prob_mixed), (P_INNOV, plan.haz_innov),
                   (P_IMIT, plan.haz_imit), (P_RETURN, plan.churn_return),
                   (P_OUTSIDE, plan.outside_utility), (P_ALPHA, plan.alpha)):
        out[k * s:(k + 1) * s] = arr
    o = 6 * s
    for k, arr in ((Q_SAT, plan.voice), (Q_LOGP, plan.log_price),
                   (Q_FILL, plan.fill_rate), (Q_CHURN, plan.p_churn),
                   (Q_REPL, plan.p_replace), (Q_AVAIL, _availability(plan))):
        out[o + k * j:o + (k + 1) * j] = arr
    o += 6 * j
    out[o:o + s * j] = plan.base.ravel()
    out[o + s * j:o + 2 * s * j] = plan.awareness.ravel()
    o += 2 * s * j
    out[o:o + s].view(np.int64)[:] = plan.t_pool
    out[o + s:o + s + 4].view(np.uint64)[:] = (plan.key_lo, plan.key_hi, plan.key_choice,
                                               plan.key_fill)
    out[o + s + 4:o + s + 5].view(np.int64)[0] = plan.t_owner
    out[o + s + 5] = plan.dt
    out[o + s + 6] = plan.switching
    return out


@kernel
def hash_kernel(key_lo, key_hi, key, first, out_hash, out_uniform):
    """Test support: ``hash32`` and ``uniform`` of indices ``first + k``."""
    for k in range(cuda.grid(1), out_hash.shape[0], cuda.gridsize(1)):
        out_hash[k] = hash32(key_lo, key_hi, first + k)
        out_uniform[k] = uniform(key, first + k)


@kernel
def libm_kernel(x, out_exp, out_expm1, out_log):
    """Test support: the device's exp, expm1 and log (libdevice on a GPU) of ``x``."""
    for k in range(cuda.grid(1), x.shape[0], cuda.gridsize(1)):
        out_exp[k] = math.exp(x[k])
        out_expm1[k] = math.expm1(x[k])
        out_log[k] = math.log(abs(x[k]) + 1e-300)


@kernel
def triad_kernel(a, b, c, scalar):
    """Benchmark support: STREAM triad ``a = b + scalar * c`` (memory bandwidth)."""
    for i in range(cuda.grid(1), a.shape[0], cuda.gridsize(1)):
        a[i] = b[i] + scalar * c[i]


# --------------------------------------------------------------------------- the step

@device
def _segment_of(seg_start, n_segments, i):
    """The last segment s with seg_start[s] <= i (empty segments are skipped)."""
    lo = 0
    hi = n_segments - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if seg_start[mid] <= i:
            lo = mid
        else:
            hi = mid - 1
    return lo


@device
def _choose(i, s, taste, alpha_mult, par, n_segments, n_products, aware_keys, key_choice,
            buf):
    """The logit choice written out in ``agent._decide`` (same comparisons, same order); a
    product index or -1."""
    ns = n_segments
    oj = 6 * ns
    osj = oj + 6 * n_products
    nsj = ns * n_products
    outside = par[P_OUTSIDE * ns + s]
    vmax = outside
    considered = 0
    last = -1
    a_i = par[P_ALPHA * ns + s] * np.float64(alpha_mult)
    t_i = 1.0 + np.float64(taste)
    for j in range(n_products):
        buf[j] = -math.inf
        if par[oj + Q_AVAIL * n_products + j] != 0.0:
            a = par[osj + R_AWARE * nsj + s * n_products + j]
            if a >= 1.0 or (a > 0.0 and uniform(aware_keys[j], i) < a):
                v = _sub(_mul(t_i, par[osj + R_BASE * nsj + s * n_products + j]),
                         _mul(a_i, par[oj + Q_LOGP * n_products + j]))
                buf[j] = v
                considered += 1
                last = j
                if v > vmax:
                    vmax = v
    if considered == 0:
        return -1
    if considered == 1 and outside == -math.inf:
        return last
    total = 0.0
    for j in range(n_products):
        if buf[j] > -math.inf:
            buf[j] = math.exp(buf[j] - vmax)
            total += buf[j]
        else:
            buf[j] = 0.0
    e_out = 0.0
    if outside > -math.inf:
        e_out = math.exp(outside - vmax)
    total += e_out
    u = uniform(key_choice, i) * total
    acc = 0.0
    for j in range(n_products):
        if buf[j] > 0.0:
            acc += buf[j]
            if u < acc:
                return j
    if e_out > 0.0:
        return -1
    return last


@device
def _switch_choice(i, j, buf, switching, key_fill, par, oj, n_products):
    """``_agent_passes._switch_choice``: -1 (no switch), -2 (switched to a product out of
    stock too) or the product bought instead of the stocked-out j."""
    total = 0.0
    last = -1
    for q in range(n_products):
        if q != j and buf[q] > 0.0:
            total += buf[q]
            last = q
    if last < 0 or uniform(key_fill, i + SWITCH_DRAW) >= switching:
        return -1
    x = uniform(key_fill, i + SWITCH_CHOICE) * total
    acc = 0.0
    k = last
    for q in range(n_products):
        if q != j and buf[q] > 0.0:
            acc += buf[q]
            if x < acc:
                k = q
                break
    fill = par[oj + Q_FILL * n_products + k]
    if fill < 1.0 and uniform(key_fill, i + SWITCH_FILL) >= fill:
        return -2
    return k


@device
def _count(shared, flows, use_shared, k):
    if use_shared:
        cuda.atomic.add(shared, k, 1)
    else:
        cuda.atomic.add(flows, k, 1)


@device
def _customer(i, h, held, taste, alpha_mult, seg_start, indptr, counts, use_network, par,
              ipar, o_pool, aware_keys, key_lo, key_hi, key_choice, key_fill, t_owner, dt,
              switching, flows, changed, changed_from, shared, use_shared, n_block, region,
              buf):
    """One customer's step (``h``: its state, not lapsed): the CPU kernel's ``_screen``, then
    ``_decide`` for a draw under the bound."""
    n_segments = seg_start.shape[0] - 1
    n_products = aware_keys.shape[0]
    ns = n_segments
    oj = 6 * ns
    sj = n_segments * n_products
    x = np.int64(hash32(key_lo, key_hi, i))
    s = _segment_of(seg_start, n_segments, i)
    # pass 1 of the CPU kernel (_screen): only a draw under the bound can be an event
    if h == POOL:
        if x >= ipar[o_pool + s]:
            return
    elif x >= t_owner:
        return
    u = np.float64(x) * _INV32
    old = h
    now = h
    if h == POOL:
        if use_network:
            lo = indptr[i]
            degree = indptr[i + 1] - lo
            w = 0.0
            if degree > 0:
                for j in range(n_products):
                    w = _add(w, _mul(par[oj + Q_SAT * n_products + j],
                                     np.float64(counts[i, j])))
                w = w / np.float64(degree)
            prob = -math.expm1(_mul(-_add(par[P_INNOV * ns + s],
                                          _mul(par[P_IMIT * ns + s], w)), dt))
        else:
            prob = par[P_PROB * ns + s]
        if u < prob:
            j = _choose(i, s, taste[i], alpha_mult[i], par, n_segments, n_products,
                        aware_keys, key_choice, buf)
            if j >= 0:
                fill = par[oj + Q_FILL * n_products + j]
                if fill < 1.0 and uniform(key_fill, i) >= fill:
                    # switch at once, wait (backorders: availability 2) or a lost sale
                    r = -1
                    if switching > 0.0:
                        r = _switch_choice(i, j, buf, switching, key_fill, par, oj,
                                           n_products)
                    if r != -1 or par[oj + Q_AVAIL * n_products + j] != 2.0:
                        _count(shared, flows, use_shared,
                               _FLOW_LOST * sj + s * n_products + j)
                        j = r if r >= 0 else -1
                if j >= 0:
                    held[i] = j
                    now = j
                    _count(shared, flows, use_shared, _FLOW_NEW * sj + s * n_products + j)
                    _count(shared, flows, use_shared, _FLOW_UNITS * sj + s * n_products + j)
    else:
        k = s * n_products + h
        pc = par[oj + Q_CHURN * n_products + h]
        if u < pc:
            _count(shared, flows, use_shared, _FLOW_CHURN * sj + k)
            if u < pc * par[P_RETURN * ns + s]:
                held[i] = POOL
                now = POOL
                _count(shared, flows, use_shared, _FLOW_BACK * sj + k)
            else:
                held[i] = LAPSED
                now = LAPSED
        elif (u < _add(pc, _mul(par[oj + Q_REPL * n_products + h],
                                par[oj + Q_FILL * n_products + h]))
              and par[oj + Q_AVAIL * n_products + h] != 0.0):
            _count(shared, flows, use_shared, _FLOW_UNITS * sj + k)
            _count(shared, flows, use_shared, _FLOW_REPL * sj + k)
    if use_network and now != old:
        slot = cuda.atomic.add(n_block, 0, 1)
        changed[region + slot] = i
        changed_from[region + slot] = old


@kernel
def step_kernel(held, held_words, taste, alpha_mult, seg_start, indptr, counts, use_network,
                par, ipar, upar, aware_keys, flows, changed, changed_from, block_changes,
                per_block):
    """One agent step in place on ``held``; each thread takes 8 customers at a time (one
    8-byte word of ``held``), grid-stride.

    held int8 (N8,), N8 a multiple of 8, customers past the last one lapsed (skipped);
    held_words uint64 (N8 / 8,), the same memory; taste, alpha_mult float32 (N,); seg_start
    int64 (S + 1,); indptr int64 (N + 1,) and counts int32 (N, J) (network only); par
    float64 (``pack_plan``), ipar and upar its int64 and uint64 views (thresholds, keys);
    aware_keys uint64 (J,). flows int64 (6 * S * J,): cumulative counters,
    incremented by this step's flows (the host takes differences). Each block appends the
    customers whose state changed to its region ``[b * per_block, (b + 1) * per_block)`` of
    changed (int32) / changed_from (int8) and writes their number to block_changes[b]
    (network only). A thread reads its 8 states in one load and writes only its own bytes.
    """
    n_segments = seg_start.shape[0] - 1
    n_products = aware_keys.shape[0]
    n_counters = N_FLOWS * n_segments * n_products
    o_pool = 6 * n_segments + 6 * n_products + 2 * n_segments * n_products
    key_lo = upar[o_pool + n_segments]
    key_hi = upar[o_pool + n_segments + 1]
    key_choice = upar[o_pool + n_segments + 2]
    key_fill = upar[o_pool + n_segments + 3]
    t_owner = ipar[o_pool + n_segments + 4]
    dt = par[o_pool + n_segments + 5]
    switching = par[o_pool + n_segments + 6]
    use_shared = n_counters <= SHARED_COUNTERS
    shared = cuda.shared.array(SHARED_COUNTERS, np.int32)
    n_block = cuda.shared.array(1, np.int32)
    buf = cuda.local.array(MAX_PRODUCTS, np.float64)
    tid = cuda.threadIdx.x
    if use_shared:
        for k in range(tid, n_counters, cuda.blockDim.x):
            shared[k] = 0
    if tid == 0:
        n_block[0] = 0
    cuda.syncthreads()
    region = cuda.blockIdx.x * per_block
    for w in range(cuda.grid(1), held_words.shape[0], cuda.gridsize(1)):
        word = held_words[w]
        for b in range(8):
            h = np.int64((word >> np.uint64(8 * b)) & _BYTE)
            if h >= 128:  # the int8 states -1 (pool) and -2 (lapsed)
                h -= 256
            if h != LAPSED:
                _customer(8 * w + b, h, held, taste, alpha_mult, seg_start, indptr, counts,
                          use_network, par, ipar, o_pool, aware_keys, key_lo, key_hi,
                          key_choice, key_fill, t_owner, dt, switching, flows, changed,
                          changed_from, shared, use_shared, n_block, region, buf)
    cuda.syncthreads()
    if use_shared:
        for k in range(tid, n_counters, cuda.blockDim.x):
            v = shared[k]
            if v != 0:
                cuda.atomic.add(flows, k, np.int64(v))
    if tid == 0:
        block_changes[cuda.blockIdx.x] = n_block[0]


@kernel
def scatter_kernel(held, indptr, indices, counts, changed, changed_from, block_changes,
                   per_block):
    """``agent._scatter_changes``: neighbours' owner counts follow the customers that
    changed (integer atomics, so the order of the updates does not matter)."""
    for b in range(cuda.blockIdx.x, block_changes.shape[0], cuda.gridDim.x):
        n_changed = block_changes[b]
        for k in range(cuda.threadIdx.x, n_changed, cuda.blockDim.x):
            i = changed[b * per_block + k]
            old = np.int64(changed_from[b * per_block + k])
            now = np.int64(held[i])
            if old == now:
                continue
            for e in range(indptr[i], indptr[i + 1]):
                nb = indices[e]
                if old >= 0:
                    cuda.atomic.sub(counts, (nb, old), 1)
                if now >= 0:
                    cuda.atomic.add(counts, (nb, now), 1)
