"""Adoption-kernel benchmark: agent-steps per second against a NumPy reference and a floor.

One run measures, in this one process: the kernel's steady-state speed, the same model in
plain NumPy (``benchmarks/numpy_reference.py``), the machine's memory bandwidth, the
kernel's compile (or cache-load) time apart from its steady state, and the time from
process start to the first kernel result. ``--json`` prints one JSON object; without it a
readable table. See ``benchmarks/README.md`` for every field.

    python benchmarks/bench_kernel.py --case bass --customers 10000000 --steps 100 --json
    python benchmarks/bench_kernel.py --case full --customers 1000000 --steps 100 --json
    python benchmarks/bench_kernel.py --mode aggregate --case full --json
    python benchmarks/bench_kernel.py --backend cuda --case full --customers 100000000 --json

``--backend cuda`` times ``sim.kernel.cuda.CudaAgentMarket`` on the GPU (agent mode only;
the NumPy reference still runs on the CPU). On numba's CUDA simulator
(``NUMBA_ENABLE_CUDASIM=1``, no GPU) it runs but at ~1e4 customer-steps per second: use
tiny sizes there (``--customers 300 --steps 2``), and read its speeds as meaningless.

Speed is measured here, never asserted by tests.

This script is the entry point only; the benchmark lives in ``benchmarks/kernel/``:
``cases`` (the named cases and sizes), ``timing`` (timed runs of the kernel and the NumPy
reference, breakdown, agreement), ``bandwidth`` (memory bandwidth), ``floor`` (the
memory-traffic model), ``machine`` (load, CPU, commit), ``measure`` (one run, start to
end) and ``cli`` (options, table, ``main``).
"""

import time

_T_SCRIPT = time.perf_counter()  # before any heavy import: import_s and first_result_s

import os  # noqa: E402
import sys  # noqa: E402

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _ROOT not in sys.path:  # `python benchmarks/bench_kernel.py` from a plain checkout
    sys.path.insert(0, _ROOT)

from benchmarks.kernel.cli import format_table, parse_args  # noqa: E402
from benchmarks.kernel.cli import main as _main  # noqa: E402

_format = format_table  # the name this script's table had before the split

__all__ = ["format_table", "main", "parse_args"]


def main(argv=None):
    return _main(argv, t_script=_T_SCRIPT)


if __name__ == "__main__":
    sys.exit(main())
