"""The memory-floor model: the compulsory bytes a step must move, counted from the timed
run's own flows. Divided by the measured bandwidth (``benchmarks.kernel.bandwidth``) it is
a lower bound of the time per agent-step that no implementation can beat."""

from benchmarks.kernel.cases import DT


def agent_bytes_per_agent_step(seg, offer, j_count, network, steps, flows):
    """Compulsory bytes per agent-step, counted from the timed run's own flows.

    - state read: every customer's state (int8) is read once per step: 1 B;
    - state write: 1 B per customer whose state changed (adopters, churners);
    - choice: 8 B per adopter (its float32 taste and price-sensitivity multipliers), when
      a draw among several options is needed (several products or an outside option; with
      a single option nothing of the customer's own is read);
    - network only: each pool customer whose draw falls below the step's upper bound of its
      adoption probability must read its neighbour counts (J int32) and row bounds
      (2 int64): 4 J + 16 B; each customer whose state changed reads its row bounds (16 B)
      and its neighbour ids (4 B each) and updates one int32 count per neighbour per
      product it left or joined (read + write: 8 B).
    Cache-line granularity, write-allocate and the work arrays of the implementation are
    not counted: this is a lower bound of the traffic, so the floor is a lower bound of time.
    """
    import numpy as np

    from sim.kernel import segment_drivers

    n = int(seg.population.sum())
    agent_steps = n * steps
    parts = {"state_read": 1.0 * agent_steps,
             "state_write": 1.0 * flows["changers"].sum(),
             "choice": 8.0 * flows["adopters"].sum()
             if j_count > 1 or np.any(np.isfinite(seg.outside_utility)) else 0.0}
    if network is not None:
        _, adv, attract, _ = segment_drivers(seg, offer)
        w_max = float(offer.satisfaction.max())
        bound = -np.expm1(-(seg.p * adv * attract + seg.q * attract * w_max) * DT)
        candidates = float((flows["pool_start"] * bound[None, :]).sum())
        mean_degree = network.indices.shape[0] / n
        parts["network_wom_read"] = (4.0 * j_count + 16.0) * candidates
        # a change touches one count per neighbour: a switch between products is not a
        # single-step transition (churn goes to the pool or lapses)
        parts["network_scatter"] = (16.0 + mean_degree * (4.0 + 8.0)) * flows["changers"].sum()
    per = {k: v / agent_steps for k, v in parts.items()}
    return sum(per.values()), per


def aggregate_bytes_per_step(seg, j_count):
    """Bytes one aggregate step must touch: per (segment, product) the owners (int64 read
    and write), five int64 flows written, the choice share read, and per-product
    probabilities; per segment p, q, churn_return, drivers, pool and lapsed (read + write)."""
    s = seg.n_segments
    return float(s * j_count * (16 + 40 + 8) + s * 8 + j_count * 32 + s * (6 * 8 + 2 * 16))


AGENT_COUNTING = (
    "compulsory bytes from this run's flows: 1 B state read per customer-step, 1 B "
    "state write per change, 8 B taste per adopter facing several options; with a "
    "network 4J+16 B per pool customer under the adoption bound (neighbour counts, "
    "row bounds) and "
    "16 + degree*12 B per change (row bounds, neighbour ids, one int32 "
    "read+write per neighbour). Lower bound: no cache-line rounding, no "
    "write-allocate, no implementation work arrays")
AGGREGATE_COUNTING = (
    "bytes one step must touch (counts and flows per segment x product, int64; "
    "shares and rates) divided by customers; the step's cost does not grow with "
    "customers")
