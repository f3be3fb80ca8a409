"""Slow, obviously-correct plain-Python twins of the demand kernel.

Each twin is written from the model as documented in ``sim/kernel`` (module and function
docstrings), with plain Python integers and floats and explicit loops, so that it can be
read against the documentation line by line. The kernel must agree with its twin exactly:

- counter RNG: ``mix64``, ``stream_key``, ``uniform``, ``hash32`` with Python ints masked to
  64 or 32 bits;
- aggregate step: ``NaiveAggregate`` calls ``numpy.random.Generator.binomial`` in the
  order the kernel documents (per segment: consideration, the multinomial split by
  sequential binomials, then per product churn, replacement, return), so given the same
  Generator state the counts are identical; with ``draws="counter"`` it calls
  ``binomial`` here (inversion or Hoermann's BTRD on counter-based uniforms) instead;
- agent step: ``NaiveAgents`` loops over customers with the same counter-based draws and
  decision rules;
- network generators: ``watts_strogatz_edges`` and ``chung_lu_edges`` draw the same
  edges, ``csr_from_edges`` builds the symmetric, sorted, deduplicated adjacency.

Nothing here is fast: use tiny markets (hundreds of customers).
"""

import math

import numpy as np

M64 = (1 << 64) - 1
M32 = (1 << 32) - 1
GOLDEN64 = 0x9E3779B97F4A7C15
GOLDEN32 = 0x9E3779B9

# Stream identifiers (sim.kernel.rng): fixed names, fixed numbers.
STREAM_CHOICE = 2
STREAM_HOLD = 3
STREAM_AWARE = 4
STREAM_TASTE_A = 5
STREAM_TASTE_B = 6
STREAM_ALPHA_A = 7
STREAM_ALPHA_B = 8
STREAM_INITIAL = 9
STREAM_NETWORK = 10
STREAM_NETWORK_REWIRE = 11
STREAM_FILL = 12

POOL = -1
# a switcher's uniforms in the step's FILL stream (sim.kernel._agent_passes)
SWITCH_DRAW, SWITCH_CHOICE, SWITCH_FILL = 1 << 40, 2 << 40, 3 << 40
LAPSED = -2


# --------------------------------------------------------------------------- counter RNG


def mix64(z: int) -> int:
    """SplitMix64 output function (Steele, Lea and Flood 2014) on a 64-bit integer."""
    z &= M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def stream_key(seed: int, step: int, stream: int) -> int:
    """Key of stream ``stream`` at step ``step``: mix(mix(seed * G + stream) ^ (step * G + 1))."""
    k = mix64(seed * GOLDEN64 + stream)
    return mix64(k ^ ((step * GOLDEN64 + 1) & M64))


def uniform(key: int, index: int) -> float:
    """Element ``index`` of the SplitMix64 sequence started at ``key``: top 53 bits / 2**53."""
    return (mix64(key + (index + 1) * GOLDEN64) >> 11) / 2.0**53


def lowbias32(x: int) -> int:
    """Chris Wellons' lowbias32 integer hash."""
    x &= M32
    x ^= x >> 16
    x = (x * 0x7FEB352D) & M32
    x ^= x >> 15
    x = (x * 0x846CA68B) & M32
    return x ^ (x >> 16)


def hash32(key_lo: int, key_hi: int, index: int) -> int:
    """``lowbias32(lowbias32(i * 0x9E3779B9 + key_lo) ^ key_hi)``, all mod 2**32."""
    return lowbias32(lowbias32(index * GOLDEN32 + key_lo) ^ key_hi)


def split_key(key: int) -> tuple[int, int]:
    return key & M32, key >> 32


def standard_normal(key_a: int, key_b: int, index: int) -> float:
    """Box-Muller, cosine branch, from element ``index`` of two uniform streams."""
    u1 = uniform(key_a, index)
    u2 = uniform(key_b, index)
    return math.sqrt(-2.0 * math.log1p(-u1)) * math.cos(2.0 * math.pi * u2)


# ------------------------------------------------------------------ counter binomial

# log(k!) - [(k + 1/2) log(k + 1) - (k + 1) + log(2 pi) / 2], k = 0..9 (Stirling's tail)
_FC = [0.08106146679532726, 0.0413406959554093, 0.02767792568499834, 0.020790672103765093,
       0.016644691189821193, 0.013876128823070748, 0.01189670994589177, 0.010411265261972096,
       0.009255462182712733, 0.00833056343336287]


def draw_key(step_key: int, index: int) -> int:
    """Key of draw ``index`` of a step: ``mix64(step_key + (index + 1) * G)``."""
    return mix64(step_key + (index + 1) * GOLDEN64)


def _fc(k: float) -> float:
    if k <= 9.0:
        return _FC[int(k)]
    kp1sq = (k + 1.0) * (k + 1.0)
    return (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / 1260.0 / kp1sq) / kp1sq) / (k + 1.0)


def binomial(n: int, p: float, key: int) -> int:
    """Binomial(n, p) from uniforms ``uniform(key, 0), uniform(key, 1), ...``.

    Mean below 10: inversion by sequential search from 0 (restarting with a fresh uniform
    past ``n p + 10 sd``); otherwise Hoermann's (1993) BTRD transformed rejection; p > 1/2
    by symmetry.
    """
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    flip = p > 0.5
    pp = 1.0 - p if flip else p
    x = _binomial_inversion(n, pp, key) if n * pp < 10.0 else _binomial_btrd(n, pp, key)
    return n - x if flip else x


def exp_nonpositive(x):
    """exp(x) for -708 <= x <= 0 as ``sim.kernel.exp_poly`` documents it (x held to that
    domain first; NaN to -708): k = floor(x / ln 2 + 1/2), r = (x - k ln2_hi) - k ln2_lo, the Taylor series to r^13 / 13!
    in Horner's form with the coefficients 1 / k! rounded, times 2^k."""
    x = x if x > -708.0 else -708.0
    x = x if x < 0.0 else 0.0
    k = float(math.floor(x * 1.4426950408889634 + 0.5))
    r = (x - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10
    y = 1.0 / math.factorial(13)
    for m in range(12, -1, -1):
        y = y * r + 1.0 / math.factorial(m)
    return y * 2.0 ** int(k)


def _binomial_inversion(n, p, key):
    """Sequential search from 0: P(0) = (1 - p)^n = ``exp_nonpositive(n log1p(-p))``,
    P(x) = P(x - 1) (n - x + 1) r / x with r = p / q (``1 / x`` rounded first, as the
    kernel's table holds it); ``u <= 1 - n p`` is x = 0 at once (Bernoulli's
    inequality)."""
    mean = n * p
    u = uniform(key, 0)
    if u <= 1.0 - mean:
        return 0
    q = 1.0 - p
    r = p / q
    qn = exp_nonpositive(n * math.log1p(-p))
    bound = min(float(n), mean + 10.0 * math.sqrt(mean * q + 1.0))
    used = 1
    x, px = 0, qn
    while u > px:
        x += 1
        if x > bound:
            x, px = 0, qn
            u = uniform(key, used)
            used += 1
        else:
            u -= px
            px = px * ((n - x + 1) * r * (1.0 / x)) if x < 64 else px * ((n - x + 1) * r / x)
    return x


def _binomial_btrd(n, p, key):
    """Hoermann's (1993) BTRD: transformed rejection with decomposition (Boost.Random's
    binomial_distribution): box acceptance, recursion of f(k)/f(m) near the mode, squeeze,
    then Stirling's series."""
    nf = float(n)
    q = 1.0 - p
    m = float(math.floor((nf + 1.0) * p))
    r = p / q
    nr = (nf + 1.0) * r
    npq = nf * p * q
    spq = math.sqrt(npq)
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = nf * p + 0.5
    alpha = (2.83 + 5.1 / b) * spq
    v_r = 0.92 - 4.2 / b
    u_rv_r = 0.86 * v_r
    used = 0

    def fresh():
        nonlocal used
        used += 1
        return uniform(key, used - 1)

    while True:
        v = fresh()
        if v <= u_rv_r:
            u = v / v_r - 0.43
            return int(math.floor((2.0 * a / (0.5 - abs(u)) + b) * u + c))
        if v >= v_r:
            u = fresh() - 0.5
        else:
            u = v / v_r - 0.93
            u = (-0.5 if u < 0.0 else 0.5) - u
            v = fresh() * v_r
        us = 0.5 - abs(u)
        k = float(math.floor((2.0 * a / us + b) * u + c))
        if k < 0.0 or k > nf:
            continue
        v = v * alpha / (a / (us * us) + b)
        km = abs(k - m)
        if km <= 15.0:
            f = 1.0
            for i in range(int(min(m, k)) + 1, int(max(m, k)) + 1):
                if m < k:
                    f = f * (nr / i - r)
                else:
                    v = v * (nr / i - r)
            if v <= f:
                return int(k)
            continue
        v = math.log(v)
        rho = (km / npq) * (((km / 3.0 + 0.625) * km + 1.0 / 6.0) / npq + 0.5)
        t = -km * km / (2.0 * npq)
        if v < t - rho:
            return int(k)
        if v > t + rho:
            continue
        nm = nf - m + 1.0
        h = (m + 0.5) * math.log((m + 1.0) / (r * nm)) + _fc(m) + _fc(nf - m)
        nk = nf - k + 1.0
        if v <= (h + (nf + 1.0) * math.log(nm / nk) + (k + 0.5) * math.log(nk * r / (k + 1.0))
                 - _fc(k) - _fc(nf - k)):
            return int(k)


# ------------------------------------------------------------- approximate binomial


_QA = (-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
       1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00)
_QB = (-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
       6.680131188771972e+01, -1.328068155288572e+01)
_QC = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
       -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00)
_QD = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
       3.754408661907416e+00)


def _horner(coefficients, x):
    acc = coefficients[0]
    for c in coefficients[1:]:
        acc = acc * x + c
    return acc


def normal_quantile(u: float) -> float:
    """Acklam's rational approximation of the standard normal quantile."""
    if 0.02425 <= u <= 1.0 - 0.02425:
        q = u - 0.5
        r = q * q
        return _horner(_QA, r) * q / (_horner(_QB, r) * r + 1.0)
    q = math.sqrt(-2.0 * math.log(u if u < 0.5 else 1.0 - u))
    z = _horner(_QC, q) / (_horner(_QD, q) * q + 1.0)
    return z if u < 0.5 else -z


def binomial_approx(n: int, p: float, key: int, min_variance: float) -> int:
    """Exact below variance ``min_variance``: inversion while ``n p < 20``, else
    ``binomial``; above it ``floor(n p + 1/2 + sd z + (1 - 2 p) / 6 (z^2 - 1))`` in [0, n]
    (``sd (z + g (z^2 - 1))``, ``g = (1 - 2 p) / (6 sd)``) with ``z`` the normal quantile of
    the key's top 53 bits (plus 2**-54); p > 1/2 by symmetry."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    pp = 1.0 - p if p > 0.5 else p
    var = float(n) * pp * (1.0 - pp)
    if var < min_variance:
        if float(n) * pp >= 20.0:
            return binomial(n, p, key)
        x = _binomial_inversion(n, pp, key)
    else:
        sd = math.sqrt(var)
        z = normal_quantile(float(key >> 11) * 2.0 ** -53 + 2.0 ** -54)
        y = math.floor(float(n) * pp + 0.5 + sd * z + (1.0 - 2.0 * pp) / 6.0 * (z * z - 1.0))
        x = int(min(max(y, 0.0), float(n)))
    return n - x if p > 0.5 else x


# ------------------------------------------------------------------- segment-level model


def _floats(a):
    return np.asarray(a, dtype=np.float64).tolist()


def _voice(offer) -> list:
    """Word of mouth's weight per product: satisfaction times the share of owners who
    talk, ``s * (1 - silent)`` in Python floats (``Offer.voice``)."""
    silent = _floats(offer.silent) if offer.silent is not None else None
    sat = _floats(offer.satisfaction)
    if silent is None or not any(silent):
        return sat
    return [s * (1.0 - w) for s, w in zip(sat, silent, strict=True)]


def mean_utility(weights_s, attributes_j, alpha, price) -> float:
    """``V = w_s . a_j - alpha_s * log(price_j)`` (McFadden logit utility)."""
    acc = 0.0
    for w, a in zip(weights_s, attributes_j, strict=True):
        acc += w * a
    return acc - alpha * math.log(price)


def drivers(segments, offer):
    """Per segment: (shares over products + outside, advertising effect, attractiveness, reach).

    From ``sim.kernel.choice``: a customer who considers the category has been reached
    (aware of at least one product it can buy, probability ``reach = 1 - prod(1 - a_j)``);
    conditional on that, a product is in its awareness set with probability
    ``a_j / reach``, and the mean-field logit weight of product j is
    ``(a_j / reach) * exp(V_j)`` against ``exp(V0)`` for the outside option.
    ``advertising_effect = sum_j sigma_j * adv_j`` with sigma the shares among products
    only; ``attractiveness = exp(beta * (IV - IV_ref))``, ``IV = log sum_j a_j exp(V_j)``.
    """
    out = []
    weights = np.asarray(segments.attribute_weights).tolist()
    attributes = np.asarray(offer.attributes).tolist()
    price = _floats(offer.price)
    available = np.asarray(offer.available).tolist()
    awareness = np.asarray(offer.awareness).tolist()
    advertising = np.asarray(offer.advertising).tolist()
    j_count = len(price)
    for s in range(segments.n_segments):
        alpha = float(segments.price_sensitivity[s])
        v0 = float(segments.outside_utility[s])
        beta = float(segments.attractiveness_elasticity[s])
        iv_ref = float(segments.reference_inclusive_value[s])
        considered = [j for j in range(j_count) if available[j] and awareness[s][j] > 0.0]
        if offer.utility is None:
            v = {j: mean_utility(weights[s], attributes[j], alpha, price[j]) for j in considered}
        else:  # attribute utility given directly
            v = {j: float(offer.utility[s, j]) - alpha * math.log(price[j]) for j in considered}
        not_reached = 1.0
        for j in considered:
            not_reached *= 1.0 - awareness[s][j]
        reach = 1.0 - not_reached
        vmax = max([v0] + [v[j] for j in considered])
        scale = 1.0 / reach if reach > 0.0 else 1.0
        e = [0.0] * j_count
        sum_aware = 0.0
        for j in considered:
            x = math.exp(v[j] - vmax)
            sum_aware += awareness[s][j] * x
            e[j] = awareness[s][j] * x * scale
        e_out = math.exp(v0 - vmax) if v0 > -math.inf else 0.0
        total_products = sum(e)
        total = total_products + e_out
        if total > 0.0:
            shares = [x / total for x in e] + [e_out / total]
        else:
            shares = [0.0] * j_count + [1.0]
        adv = 0.0
        if total_products > 0.0:
            adv = sum(e[j] / total_products * advertising[s][j] for j in range(j_count))
        if beta == 0.0:
            attract = 1.0
        elif sum_aware > 0.0:
            attract = math.exp(beta * (math.log(sum_aware) + vmax - iv_ref))
        else:
            attract = 0.0
        out.append((shares, adv, attract, reach))
    return out


def tree_split(considering, shares, draw_node):
    """The keyed split of ``considering`` customers over the products (returned) and the
    outside option (the last share), from ``sim.kernel._aggregate_draw``: a range of
    choices ``[lo, hi)`` with m customers sends ``draw_node(m, P[lo, mid) / P[lo, hi),
    mid)`` of them to ``[lo, mid)``, ``mid = (lo + hi) // 2``, the rest to ``[mid, hi)``,
    down to single choices (written recursively here, level by level there)."""
    counts = [0] * len(shares)

    def split(m, lo, hi):
        if hi - lo == 1:
            counts[lo] = m
            return
        mid = (lo + hi) // 2
        left = 0.0
        for k in range(lo, mid):
            left += shares[k]
        right = 0.0
        for k in range(mid, hi):
            right += shares[k]
        total = left + right
        x = draw_node(m, left / total if total > 0.0 else 0.0, mid)
        split(x, lo, mid)
        split(m - x, mid, hi)

    split(considering, 0, len(shares))
    return counts[:-1]


def owner_probabilities(offer, dt):
    """Per product (p_churn, p_replace): competing risks over ``dt`` days."""
    result = []
    for j in range(offer.n_products):
        churn = float(offer.churn_rate[j]) + float(offer.churn_satisfaction_slope[j]) * (
            1.0 - float(offer.satisfaction[j]))
        repl = float(offer.replacement_rate[j])
        total = churn + repl
        p_event = -math.expm1(-total * dt)
        p_churn = p_event * churn / total if total > 0.0 else 0.0
        result.append((p_churn, max(p_event - p_churn, 0.0)))
    return result


def _zeros(s, j):
    return [[0] * j for _ in range(s)]


def _outcome(new, units, repl, churn, back, active, pool, lapsed, lost):
    a = {"new_adopters": new, "units": units, "replacements": repl, "churners": churn,
         "returned": back, "active": active, "pool": pool, "lapsed": lapsed, "lost": lost}
    return {k: np.array(v, dtype=np.int64) for k, v in a.items()}


# ------------------------------------------------------------------------ aggregate mode


class NaiveAggregate:
    """Aggregate market, one segment at a time, one binomial call per random count.

    ``draws="generator"``: each count is ``rng.binomial``; ``"counter"`` (``"approx"``:
    the same with ``binomial_approx``): the step takes
    ``key = rng.bit_generator.random_raw()`` and draw ``slot`` of segment s is
    ``binomial(n, p, draw_key(key, s * (5 J + 1) + slot))`` with slot 0 consideration,
    1 + j the split to product j, 1 + J + j its stock-outs, 1 + 2J + j churn, 1 + 3J + j
    replacement, 1 + 4J + j returns.
    """

    def __init__(self, segments, n_products, initial_active=None, initial_lapsed=None,
                 draws="generator", approx_min_variance=10.0):
        self.draws = draws
        self.approx_min_variance = approx_min_variance
        s = segments.n_segments
        self.segments = segments
        self.n_products = n_products
        self.active = (np.zeros((s, n_products), np.int64) if initial_active is None
                       else np.asarray(initial_active)).tolist()
        self.lapsed = ([0] * s if initial_lapsed is None
                       else np.asarray(initial_lapsed).tolist())
        pop = np.asarray(segments.population).tolist()
        self.pool = [pop[k] - self.lapsed[k] - sum(self.active[k]) for k in range(s)]

    def step(self, offer, dt, rng):
        seg = self.segments
        s_count, j_count = seg.n_segments, self.n_products
        drv = drivers(seg, offer)
        owner = owner_probabilities(offer, dt)
        sat = _voice(offer)
        available = np.asarray(offer.available).tolist()
        fill = _floats(offer.fill_rate)
        new, units, repl, churn, back, lost = (_zeros(s_count, j_count) for _ in range(6))
        if self.draws == "counter":
            key = int(rng.bit_generator.random_raw())

            def draw_at(n, p, index):
                return binomial(n, p, draw_key(key, index))
        elif self.draws == "approx":
            key = int(rng.bit_generator.random_raw())

            def draw_at(n, p, index):
                return binomial_approx(n, p, draw_key(key, index), self.approx_min_variance)
        else:
            def draw_at(n, p, index):
                return int(rng.binomial(n, p))

        def draw(n, p, s, slot):
            return draw_at(n, p, s * (5 * j_count + 1) + slot)
        for s in range(s_count):
            shares, adv, attract, reach = drv[s]
            active = self.active[s]
            population = self.pool[s] + self.lapsed[s] + sum(active)
            wom = 0.0
            for j in range(j_count):
                wom += sat[j] * active[j]
            if population > 0:
                wom /= population
            hazard = (float(seg.p[s]) * adv + float(seg.q[s]) * wom) * attract * float(offer.season)
            prob = -math.expm1(-hazard * dt) * reach
            considering = 0
            if self.pool[s] > 0 and prob > 0.0:
                considering = draw(self.pool[s], min(prob, 1.0), s, 0)
            # multinomial over products and the outside option: keyed draws by a binary
            # tree over the choices, the Generator's as sequential binomials
            if self.draws in ("counter", "approx"):
                new[s] = tree_split(considering, shares,
                                    lambda m, q, mid, s=s: draw(m, q, s, mid))
            else:
                remaining = considering
                for j in range(j_count):
                    if remaining == 0 or shares[j] <= 0.0:
                        continue
                    conditional = shares[j] / sum(shares[j:])
                    x = remaining if conditional >= 1.0 else draw(remaining, conditional, s,
                                                                  1 + j)
                    new[s][j] = x
                    remaining -= x
            # a chooser finds the product in stock with probability fill; else a lost sale
            for j in range(j_count):
                if new[s][j] > 0 and fill[j] < 1.0:
                    lost[s][j] = draw(new[s][j], 1.0 - fill[j], s, 1 + j_count + j)
                    new[s][j] -= lost[s][j]
            # stock-out switching: a share of the lost buy another product at once; with
            # backorders the others order anyway and wait
            switching = float(offer.stockout_switching)
            waits = np.asarray(offer.backorders).tolist()
            for j in range(j_count):
                m = lost[s][j]
                if m == 0:
                    continue
                alternatives = 0.0
                for k in range(j_count):
                    if k != j:
                        alternatives += shares[k]
                switched = 0
                if switching > 0.0 and alternatives > 0.0:
                    first = s_count * (5 * j_count + 1) + (s * j_count + j) * (2 * j_count + 1)
                    switched = draw_at(m, switching, first)
                remaining = switched
                for k in range(j_count):
                    if remaining == 0:
                        break
                    if k == j or shares[k] <= 0.0:
                        continue
                    conditional = shares[k] / sum(shares[q] for q in range(k, j_count) if q != j)
                    x = remaining if conditional >= 1.0 else draw_at(remaining, conditional,
                                                                       first + 1 + k)
                    remaining -= x
                    if x > 0 and fill[k] < 1.0:
                        x -= draw_at(x, 1.0 - fill[k], first + 1 + j_count + k)
                    new[s][k] += x
                if waits[j]:
                    new[s][j] += m - switched
                    lost[s][j] = switched
            for j in range(j_count):
                p_churn, p_replace = owner[j]
                n = active[j]
                c = draw(n, p_churn, s, 1 + 2 * j_count + j) if n > 0 and p_churn > 0.0 else 0
                r = 0
                if n - c > 0 and p_replace > 0.0 and available[j] and fill[j] > 0.0:
                    r = draw(n - c, min(p_replace * fill[j] / (1.0 - p_churn), 1.0), s,
                             1 + 3 * j_count + j)
                cr = float(seg.churn_return[s])
                b = draw(c, cr, s, 1 + 4 * j_count + j) if c > 0 and cr > 0.0 else 0
                churn[s][j], repl[s][j], back[s][j] = c, r, b
                units[s][j] = new[s][j] + r
            for j in range(j_count):
                active[j] += new[s][j] - churn[s][j]
                self.lapsed[s] += churn[s][j] - back[s][j]
                self.pool[s] += back[s][j] - new[s][j]
        return _outcome(new, units, repl, churn, back, [list(a) for a in self.active],
                        list(self.pool), list(self.lapsed), lost)


# ---------------------------------------------------------------------------- agent mode


class NaiveAgents:
    """Agent market: a Python list of customers, each decided from the step's start state.

    Draws (``sim.kernel.agent``): at step index t (1 for the first step) a customer's one
    draw is ``u = hash32(key_lo, key_hi, i) * 2**-32`` with the halves of
    ``stream_key(seed, t, STREAM_HOLD)``; a potential adopter who considers the category
    chooses with ``uniform(stream_key(seed, t, STREAM_CHOICE), i)``; it is aware of product
    j when ``uniform(stream_key(seed, j, STREAM_AWARE), i) < awareness[s, j]``.
    Tastes are drawn once: ``taste_i = taste_sd * z`` and ``m_i = exp(sd * z - sd**2 / 2)``
    with Box-Muller normals from the step-0 TASTE/ALPHA streams, stored as float32.
    """

    def __init__(self, segments, n_products, seed, network=None, initial_active=None,
                 initial_lapsed=None):
        self.segments = segments
        self.n_products = n_products
        self.seed = int(seed)
        self.t = 0
        pop = np.asarray(segments.population).tolist()
        self.segment_of = [s for s, n in enumerate(pop) for _ in range(n)]
        self.n = len(self.segment_of)
        starts = [0]
        for n in pop:
            starts.append(starts[-1] + n)
        self.starts = starts
        s_count = segments.n_segments
        active = (np.zeros((s_count, n_products), np.int64) if initial_active is None
                  else np.asarray(initial_active)).tolist()
        lapsed = [0] * s_count if initial_lapsed is None else np.asarray(initial_lapsed).tolist()
        self.held = self._place(active, lapsed)
        self.neighbours = None
        if network is not None:
            ptr, idx = network.indptr.tolist(), network.indices.tolist()
            self.neighbours = [idx[ptr[i]:ptr[i + 1]] for i in range(self.n)]
        ka, kb, kc, kd = (stream_key(self.seed, 0, k) for k in
                          (STREAM_TASTE_A, STREAM_TASTE_B, STREAM_ALPHA_A, STREAM_ALPHA_B))
        self.taste, self.alpha_mult = [], []
        for i in range(self.n):
            s = self.segment_of[i]
            sd, asd = float(segments.taste_sd[s]), float(segments.price_sensitivity_sd[s])
            taste = sd * standard_normal(ka, kb, i) if sd > 0.0 else 0.0
            mult = 1.0
            if asd > 0.0:
                mult = math.exp(asd * standard_normal(kc, kd, i) - 0.5 * asd * asd)
            self.taste.append(float(np.float32(taste)))
            self.alpha_mult.append(float(np.float32(mult)))

    def _place(self, active, lapsed):
        """Knuth's selection sampling: exact initial counts at random positions.

        Customer i of a segment [lo, hi) is selected when
        ``uniform(k, i) * (hi - i) < still_needed``; a selected customer takes a state in
        proportion to what is still needed (products in order, then lapsed), by
        ``uniform(k, N + i)`` with N the number of customers (indices past every first
        draw), k the step-0 key of STREAM_INITIAL.
        """
        key = stream_key(self.seed, 0, STREAM_INITIAL)
        held = [POOL] * self.n
        for s in range(len(self.starts) - 1):
            lo, hi = self.starts[s], self.starts[s + 1]
            need = list(active[s]) + [lapsed[s]]
            for i in range(lo, hi):
                still = sum(need)
                if still > 0 and uniform(key, i) * (hi - i) < still:
                    r = uniform(key, self.n + i) * still
                    state, acc = 0, need[0]
                    while r >= acc:  # r < still = sum(need): stops at a needed state
                        state += 1
                        acc += need[state]
                    need[state] -= 1
                    held[i] = state if state < len(need) - 1 else LAPSED
        return held

    def counts(self):
        """(active (S, J), pool (S,), lapsed (S,)) recounted from the customer records."""
        s_count, j_count = self.segments.n_segments, self.n_products
        active, pool, lapsed = _zeros(s_count, j_count), [0] * s_count, [0] * s_count
        for i, h in enumerate(self.held):
            s = self.segment_of[i]
            if h == POOL:
                pool[s] += 1
            elif h == LAPSED:
                lapsed[s] += 1
            else:
                active[s][h] += 1
        return active, pool, lapsed

    def _options(self, i, s, offer):
        """(product, utility) of the products i is aware of and can buy."""
        seg = self.segments
        weights = np.asarray(seg.attribute_weights)[s].tolist()
        alpha = float(seg.price_sensitivity[s]) * self.alpha_mult[i]
        options = []
        for j in range(self.n_products):
            if not offer.available[j]:
                continue
            if uniform(stream_key(self.seed, j, STREAM_AWARE), i) < float(offer.awareness[s, j]):
                base = 0.0
                for w, a in zip(weights, offer.attributes[j].tolist(), strict=True):
                    base += w * a
                if offer.utility is not None:
                    base = float(offer.utility[s, j])
                options.append((j, (1.0 + self.taste[i]) * base
                                - alpha * math.log(float(offer.price[j]))))
        return options

    def _choose(self, i, s, offer, key_choice):
        """Logit over the products i is aware of and can buy, plus the outside option."""
        options = self._options(i, s, offer)
        v0 = float(self.segments.outside_utility[s])
        if not options:
            return POOL
        vmax = max([v0] + [v for _, v in options])
        e = [(j, math.exp(v - vmax)) for j, v in options]
        e_out = math.exp(v0 - vmax) if v0 > -math.inf else 0.0
        total = sum(x for _, x in e) + e_out
        u = uniform(key_choice, i) * total
        acc = 0.0
        for j, x in e:
            acc += x
            if u < acc:
                return j
        return POOL if e_out > 0.0 else e[-1][0]

    def _switch(self, i, s, j, offer, key_fill, fill):
        """Stock-out switching of the stocked-out chooser of j: -1 (no switch: no other
        product considered, or the draw says stay), -2 (switched to a product out of stock
        too) or the product bought (logit weights of the others, no outside option)."""
        options = self._options(i, s, offer)
        v0 = float(self.segments.outside_utility[s])
        vmax = max([v0] + [v for _, v in options])
        e = [(q, math.exp(v - vmax)) for q, v in options if q != j]
        e = [(q, x) for q, x in e if x > 0.0]
        if not e or uniform(key_fill, i + SWITCH_DRAW) >= float(offer.stockout_switching):
            return -1
        total = 0.0
        for _, x in e:
            total += x
        u = uniform(key_fill, i + SWITCH_CHOICE) * total
        acc, k = 0.0, e[-1][0]
        for q, x in e:
            acc += x
            if u < acc:
                k = q
                break
        if fill[k] < 1.0 and uniform(key_fill, i + SWITCH_FILL) >= fill[k]:
            return -2
        return k

    def step(self, offer, dt):
        seg = self.segments
        s_count, j_count = seg.n_segments, self.n_products
        self.t += 1
        t = self.t
        key_lo, key_hi = split_key(stream_key(self.seed, t, STREAM_HOLD))
        key_choice = stream_key(self.seed, t, STREAM_CHOICE)
        key_fill = stream_key(self.seed, t, STREAM_FILL)
        fill = _floats(offer.fill_rate)
        drv = drivers(seg, offer)
        owner = owner_probabilities(offer, dt)
        sat = _voice(offer)
        active0, _, _ = self.counts()
        pop = np.asarray(seg.population).tolist()
        start = list(self.held)
        new, units, repl, churn, back, lost = (_zeros(s_count, j_count) for _ in range(6))
        for i in range(self.n):
            s = self.segment_of[i]
            _, adv, attract, _ = drv[s]
            u = hash32(key_lo, key_hi, i) / 2.0**32
            h = start[i]
            if h == POOL:
                if self.neighbours is None:  # fully mixed: the whole segment
                    w = sum(sat[j] * active0[s][j] for j in range(j_count)) / max(pop[s], 1)
                else:
                    nbs = self.neighbours[i]
                    w = sum(sat[start[k]] for k in nbs if start[k] >= 0) / len(nbs) if nbs else 0.0
                hazard = (float(seg.p[s]) * adv + float(seg.q[s]) * w) * attract * float(offer.season)
                if u < -math.expm1(-hazard * dt):
                    j = self._choose(i, s, offer, key_choice)
                    if j >= 0 and fill[j] < 1.0 and uniform(key_fill, i) >= fill[j]:
                        # out of stock: switch at once, wait (backorders) or a lost sale
                        r = (self._switch(i, s, j, offer, key_fill, fill)
                             if float(offer.stockout_switching) > 0.0 else -1)
                        if r != -1 or not bool(offer.backorders[j]):
                            lost[s][j] += 1
                            j = r if r >= 0 else POOL
                    if j >= 0:
                        self.held[i] = j
                        new[s][j] += 1
                        units[s][j] += 1
            elif h >= 0:
                p_churn, p_replace = owner[h]
                if u < p_churn:
                    churn[s][h] += 1
                    if u < p_churn * float(seg.churn_return[s]):
                        self.held[i] = POOL
                        back[s][h] += 1
                    else:
                        self.held[i] = LAPSED
                elif u < p_churn + p_replace * fill[h] and offer.available[h]:
                    units[s][h] += 1
                    repl[s][h] += 1
        active, pool, lapsed = self.counts()
        return _outcome(new, units, repl, churn, back, active, pool, lapsed, lost)


# ------------------------------------------------------------------------------ networks


def csr_from_edges(n, edges):
    """(indptr, indices) of the undirected graph: symmetric, sorted, no loops or repeats."""
    rows = [set() for _ in range(n)]
    for a, b in edges:
        if a != b:
            rows[a].add(b)
            rows[b].add(a)
    indptr, indices = [0], []
    for r in rows:
        indices.extend(sorted(r))
        indptr.append(len(indices))
    return np.array(indptr, np.int64), np.array(indices, np.int32)


def watts_strogatz_edges(n, mean_degree, rewire, seed):
    """Ring lattice, edge (i, i + o) for o = 1..k/2, edge e = i * k/2 + o - 1 rewired to a
    uniform other customer when ``uniform(k1, e) < rewire`` (k1, k2: steps 0 and 1 of
    STREAM_NETWORK_REWIRE)."""
    half = mean_degree // 2
    k1 = stream_key(seed, 0, STREAM_NETWORK_REWIRE)
    k2 = stream_key(seed, 1, STREAM_NETWORK_REWIRE)
    edges = []
    for i in range(n):
        for o in range(1, half + 1):
            e = i * half + o - 1
            v = (i + o) % n
            if uniform(k1, e) < rewire:
                v = int(uniform(k2, e) * (n - 1))
                v += v >= i
            edges.append((i, v))
    return edges


def chung_lu_edges(n, mean_degree, exponent, seed):
    """Chung-Lu: ``round(n * d / 2)`` edges whose ends are ranks drawn from the density
    ``(x + 10)^(-1 / (exponent - 1))`` on [0, n) by inverse CDF, then relabelled
    ``r -> (r * mult + shift) mod n`` (mult ~ 0.618 n, odd, coprime to n)."""
    a = 1.0 / (exponent - 1.0)
    r0 = 10.0
    lo = r0 ** (1.0 - a)
    span = (n + r0) ** (1.0 - a) - lo
    mult = int(n * 0.6180339887) | 1
    while math.gcd(mult, n) != 1:
        mult += 2
    shift = stream_key(seed, 2, STREAM_NETWORK) % n
    ka, kb = stream_key(seed, 0, STREAM_NETWORK), stream_key(seed, 1, STREAM_NETWORK)

    def rank(u):
        return min(max(int((lo + u * span) ** (1.0 / (1.0 - a)) - r0), 0), n - 1)

    edges = []
    for e in range(int(round(n * mean_degree / 2.0))):
        i, j = rank(uniform(ka, e)), rank(uniform(kb, e))
        if i != j:
            edges.append(((i * mult + shift) % n, (j * mult + shift) % n))
    return edges
