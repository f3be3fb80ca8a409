"""The adoption-kernel benchmark (``python benchmarks/bench_kernel.py``), by concern.

- ``cases``: the named cases (``bass``, ``full``) and sizes (``small``, ``large``);
- ``timing``: timed step loops of the kernel and of the NumPy reference
  (``benchmarks/numpy_reference.py``), the per-function breakdown, the agreement check;
- ``bandwidth``: the machine's (or GPU's) memory bandwidth, measured in the same run;
- ``floor``: the memory-traffic model (compulsory bytes per agent-step);
- ``machine``: load, CPU steal, CPU model, threading layer, source commit;
- ``measure``: one run from warm-up to the result dict;
- ``cli``: options, the readable table and ``main``.

Nothing here imports numpy, numba or ``sim`` at module level, so ``--cold-cache`` can set
``NUMBA_CACHE_DIR`` before numba loads.
"""
