"""The keyed split of aggregate mode (``sim.kernel._aggregate_draw.tree_split``): a binary
tree of binomials over the choices must be the multinomial law of the logit shares.

- The law: for fixed shares and n, 60,000 splits (each with its own step key) against
  the exact multinomial probabilities of every outcome, by a chi-square test over the
  outcomes of expected count >= 20 (the rest pooled). The keys are fixed, so the test is
  deterministic; a split off by about 1% of an outcome's mass fails it far below the
  1e-4 bar (a wrong node probability, such as the sequential split's ratio used at a
  node, moves whole outcomes by tens of percent).
- Odd and even numbers of choices, a product of share 0 (never chosen), a lone product.
- Conservation: every customer lands in exactly one choice, whatever the shares.
"""

import math
from itertools import product

import numpy as np
import pytest
from scipy import stats

from sim.kernel._aggregate_draw import tree_nodes, tree_split
from sim.kernel.binomial import draw_key

KEY = 0x5EED_0000_7EE5_0001


def _splits(shares, n, trials, key=KEY, approx=None):
    """Outcomes (products..., outside) of ``trials`` splits of n customers."""
    shares = np.array([shares], dtype=np.float64)
    new = np.zeros((1, shares.shape[1] - 1), np.int64)
    out = np.empty((trials, shares.shape[1]), np.int64)
    for t in range(trials):
        k = np.uint64(draw_key(np.uint64(key), t))
        tree_split(k if approx is None else (k, approx), 0, 0, n, shares, new)
        out[t, :-1] = new[0]
        out[t, -1] = n - new[0].sum()
    return out


def _multinomial_pmf(counts, shares):
    n = sum(counts)
    coef = math.factorial(n)
    prob = 1.0
    for c, p in zip(counts, shares, strict=True):
        coef //= math.factorial(c)
        prob *= p ** c
    return coef * prob


@pytest.mark.parametrize("shares, n", [
    ([0.1, 0.3, 0.2, 0.4], 6),               # 3 products and the outside option
    ([0.05, 0.15, 0.25, 0.1, 0.2, 0.25], 4),  # an even number of choices
    ([0.3, 0.0, 0.2, 0.5], 5),                # a product of share 0
    ([0.35, 0.65], 9),                        # one product
])
def test_tree_split_is_the_multinomial_law(shares, n):
    trials = 60_000
    draws = _splits(shares, n, trials)
    seen = {}
    for row in map(tuple, draws.tolist()):
        seen[row] = seen.get(row, 0) + 1
    outcomes = [c for c in product(range(n + 1), repeat=len(shares)) if sum(c) == n]
    expected = np.array([trials * _multinomial_pmf(c, shares) for c in outcomes])
    observed = np.array([seen.get(c, 0) for c in outcomes], dtype=float)
    assert observed.sum() == trials  # nothing outside the support
    for c, e, o in zip(outcomes, expected, observed, strict=True):
        if e == 0.0:  # a product of share 0 is never chosen
            assert o == 0, c
    big = expected >= 20
    obs = np.append(observed[big], observed[~big].sum())
    exp = np.append(expected[big], expected[~big].sum())
    if exp[-1] == 0.0:
        obs, exp = obs[:-1], exp[:-1]
    _, pvalue = stats.chisquare(obs, exp * obs.sum() / exp.sum())
    assert pvalue > 1e-4, pvalue


@pytest.mark.parametrize("approx", [None, 10.0])
def test_tree_split_conserves_customers(approx):
    g = np.random.default_rng(5)
    for trial in range(200):
        width = int(g.integers(2, 14))
        shares = g.random(width) * (g.random(width) < 0.8)
        shares = shares / shares.sum() if shares.sum() > 0 else np.eye(width)[-1]
        n = int(g.integers(0, 5_000_000))
        draws = _splits(shares.tolist(), n, 1, key=KEY + trial, approx=approx)[0]
        assert draws.sum() == n and (draws >= 0).all()
        assert (draws[shares == 0.0] == 0).all()


def test_tree_split_means_at_market_scale():
    """At the benchmark's scale (about 1,500 considering customers over 10 products and
    the outside option), each choice's mean count within 5 standard errors of n p_k."""
    shares = np.array([0.02, 0.05, 0.08, 0.03, 0.11, 0.07, 0.04, 0.09, 0.06, 0.05, 0.4])
    n, trials = 1500, 4000
    draws = _splits(shares.tolist(), n, trials, approx=10.0)
    mean = draws.mean(axis=0)
    se = np.sqrt(n * shares * (1 - shares) / trials)
    assert (np.abs(mean - n * shares) < 5 * se).all(), (mean, n * shares)


@pytest.mark.parametrize("width", [2, 3, 4, 5, 8, 11, 16, 17])
def test_tree_nodes_cover_every_boundary_once_parents_first(width):
    """Every boundary 1..J between choices is one node's split point (so one draw slot
    each); a node's range is its parent's half; the levels number ceil(log2(width))."""
    nodes = np.empty((3, width - 1), np.int64)
    starts = np.empty(width + 1, np.int64)
    levels = tree_nodes(width, nodes, starts)
    assert levels == math.ceil(math.log2(width))
    assert starts[0] == 0 and starts[levels] == width - 1
    assert sorted(nodes[1].tolist()) == list(range(1, width))
    seen = {(0, width)}
    for q in range(width - 1):
        lo, mid, hi = nodes[:, q].tolist()
        assert (lo, hi) in seen and lo < mid < hi and mid == (lo + hi) // 2
        seen |= {(lo, mid), (mid, hi)}
