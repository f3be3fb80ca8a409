"""Named benchmark cases of the adoption kernel: what is simulated (``bass``, ``full``) and
how big (``small``, ``large``).

A case is a ``(segments, offer, n_products, description)`` built from ``sim.kernel``'s
public ``Segments.build`` and ``Offer.build``; a size is a default (customers, steps) per
mode, which ``--customers`` and ``--steps`` override. ``large`` is the default and the
size the README's figures refer to; ``small`` is a quick look (seconds) at the same case.
"""

DT = 1.0  # days: p, q and the churn rates are per-day hazards
WARMUP_CUSTOMERS = 2048

CASES = ("bass", "full")
# (customers, steps) per size and mode; steps of DT days
SIZES = {
    "small": {"agent": (100_000, 20), "aggregate": (1_000_000, 200)},
    "large": {"agent": (1_000_000, 100), "aggregate": (10_000_000, 2000)},
}
DEFAULT_SIZE = "large"


def size_defaults(size, mode):
    """(customers, steps) of a named size in a mode."""
    return SIZES[size][mode]


def build_case(case, mode, customers, p, q, segments=20, products=10):
    """(segments, offer, n_products, description) of a named case; ``segments`` and
    ``products`` size the aggregate ``full`` case (20 x 10 by default)."""
    import numpy as np

    from sim.kernel import Offer, Segments

    if case == "bass":
        seg = Segments.build(population=[customers], p=[p], q=[q])
        offer = Offer.build(seg, price=[1.0])
        return seg, offer, 1, "1 segment x 1 product, fully mixed, no churn, price 1, awareness 1"
    if mode == "agent":
        seg = Segments.build(
            population=[customers], p=[p], q=[q],
            attribute_weights=[[1.0, 0.5]], price_sensitivity=[1.5], outside_utility=[0.0],
            churn_return=[0.5], taste_sd=[0.3], price_sensitivity_sd=[0.25])
        offer = Offer.build(
            seg, price=[1.2, 1.0, 0.7],
            attributes=[[1.0, 0.2], [0.6, 0.8], [0.3, 0.3]],
            awareness=[[1.0, 1.0, 0.6]],
            satisfaction=[0.8, 0.8, 0.8], churn_rate=[0.002] * 3,
            churn_satisfaction_slope=[0.01] * 3, replacement_rate=[0.001] * 3)
        return seg, offer, 3, ("1 segment x 3 products, logit with outside option, awareness "
                               "(1, 1, 0.6), churn 0.002/day + 0.01/day per unit "
                               "dissatisfaction at satisfaction 0.8, churn_return 0.5, "
                               "replacement 0.001/day, taste_sd 0.3, price_sensitivity_sd "
                               "0.25, Watts-Strogatz network (mean degree 10, rewire 0.1)")
    # aggregate, full: 20 segments x 10 products by default, fixed pseudo-random parameters
    s_count, j_count, k_count = int(segments), int(products), 3
    g = np.random.default_rng(20240)
    pop = np.full(s_count, customers // s_count, np.int64)
    pop[: customers % s_count] += 1
    seg = Segments.build(
        population=pop, p=p * g.uniform(0.5, 1.5, s_count), q=q * g.uniform(0.5, 1.5, s_count),
        attribute_weights=g.uniform(0.0, 1.0, (s_count, k_count)),
        price_sensitivity=g.uniform(0.5, 2.5, s_count), outside_utility=np.zeros(s_count),
        attractiveness_elasticity=np.full(s_count, 0.2),
        reference_inclusive_value=np.full(s_count, 2.0),
        churn_return=np.full(s_count, 0.5))
    offer = Offer.build(
        seg, price=g.uniform(0.5, 2.0, j_count), attributes=g.uniform(0.0, 1.0, (j_count, k_count)),
        awareness=g.uniform(0.5, 1.0, (s_count, j_count)),
        advertising=g.uniform(0.8, 1.2, (s_count, j_count)),
        satisfaction=g.uniform(0.7, 0.9, j_count), churn_rate=np.full(j_count, 0.002),
        churn_satisfaction_slope=np.full(j_count, 0.01),
        replacement_rate=np.full(j_count, 0.001))
    return seg, offer, j_count, (f"{s_count} segments x {j_count} products, logit with outside option, "
                                 "awareness 0.5-1, advertising, attractiveness 0.2, churn, "
                                 "churn_return 0.5, replacement")


def build_network(case, customers, seed):
    from sim.kernel import watts_strogatz

    if case != "full":
        return None
    return watts_strogatz(customers, 10, 0.1, seed)
