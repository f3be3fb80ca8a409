"""Run in a subprocess by test_kernel_determinism: digests of networks and an agent run.

``python tests/kernel/thread_probe.py`` prints one JSON object: SHA-256 digests of the
generated networks, the customer records and every step's outcome, and the thread count
Numba used. The parent sets NUMBA_NUM_THREADS and compares the digests.
"""

import hashlib
import json
import pathlib
import sys

import numba
import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from kernel_markets import tiny_offer, tiny_segments  # noqa: E402

from sim.kernel import AgentMarket, heavy_tailed, watts_strogatz  # noqa: E402

FIELDS = ("new_adopters", "units", "replacements", "churners", "returned", "active", "pool",
          "lapsed")


def digest(*arrays):
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def main():
    n_ws, n_ht = 140_000, 90_000  # more than 2**16 nodes: several buckets in the CSR build
    ws = watts_strogatz(n_ws, 10, 0.2, seed=3)
    ht = heavy_tailed(n_ht, 8.0, 2.4, seed=3)
    seg = tiny_segments((50_000, 40_000))
    market = AgentMarket(seg, 3, seed=17, network=ht, chunk_size=997,
                         initial_active=[[500, 300, 0], [200, 800, 10]],
                         initial_lapsed=[100, 50])
    outcomes = []
    for step in range(12):
        out = market.step(tiny_offer(seg, step), 7.0)
        outcomes.append(digest(*(getattr(out, f) for f in FIELDS)))
    mixed = AgentMarket(seg, 3, seed=17, chunk_size=997)
    for step in range(6):
        mixed.step(tiny_offer(seg, step), 7.0)
    print(json.dumps({
        "threads": numba.get_num_threads(),
        "watts_strogatz": digest(ws.indptr, ws.indices),
        "heavy_tailed": digest(ht.indptr, ht.indices),
        "records": digest(market.held, market.counts, market.taste, market.alpha_mult),
        "outcomes": digest(*[o.encode() for o in outcomes]),
        "mixed": digest(mixed.held, mixed.active),
    }))


if __name__ == "__main__":
    main()
