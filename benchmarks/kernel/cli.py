"""The kernel benchmark's command line: its options (``parse_args``), the readable table
(``format_table``) and ``main``, which ``benchmarks/bench_kernel.py`` calls."""

import time

_T_IMPORTED = time.perf_counter()  # stands for the script's start when main() gets none

import argparse  # noqa: E402
import atexit  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402

from benchmarks.kernel.bandwidth import BANDWIDTH_MIB  # noqa: E402
from benchmarks.kernel.cases import DEFAULT_SIZE, SIZES, size_defaults  # noqa: E402
from benchmarks.kernel.measure import run  # noqa: E402

DESCRIPTION = ("Adoption-kernel benchmark: agent-steps per second against a NumPy reference "
               "and a floor.")


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=DESCRIPTION,
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--case", choices=("bass", "full"), default="bass")
    ap.add_argument("--mode", choices=("agent", "aggregate"), default="agent")
    ap.add_argument("--size", choices=tuple(SIZES), default=DEFAULT_SIZE,
                    help="named size: default customers and steps per mode ("
                         + "; ".join(f"{s}: {v['agent'][0]:.0e} x {v['agent'][1]} agent, "
                                     f"{v['aggregate'][0]:.0e} x {v['aggregate'][1]} aggregate"
                                     for s, v in SIZES.items()) + ")")
    ap.add_argument("--customers", type=int, default=None,
                    help="total customers (default: from --size; 1e6 agent, 1e7 aggregate)")
    ap.add_argument("--steps", type=int, default=None,
                    help="steps of dt = 1 day (default: from --size; 100 agent, 2000 aggregate)")
    ap.add_argument("--threads", type=int, default=None, help="numba.set_num_threads")
    ap.add_argument("--segments", type=int, default=20,
                    help="segments of the aggregate full case")
    ap.add_argument("--products", type=int, default=10,
                    help="products of the aggregate full case")
    ap.add_argument("--draws", choices=("generator", "counter", "approx"), default="approx",
                    help="aggregate mode: the draw path us_per_step reports (all three are "
                         "timed, interleaved, in the same run)")
    ap.add_argument("--p", type=float, default=0.003, help="innovation hazard per day")
    ap.add_argument("--q", type=float, default=0.05, help="imitation hazard per day")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1, help="timed runs; the best is reported")
    ap.add_argument("--backend", choices=("cpu", "cuda"), default="cpu",
                    help="cuda: sim.kernel.cuda.CudaAgentMarket on the GPU (agent mode; "
                         "numba-cuda, a GPU or NUMBA_ENABLE_CUDASIM=1)")
    ap.add_argument("--reference-customers", type=int, default=None,
                    help="customers of the NumPy reference run (default: same as --customers)")
    ap.add_argument("--reference-steps", type=int, default=None,
                    help="steps of the NumPy reference run (default: same as --steps)")
    ap.add_argument("--bandwidth-mib", type=int, default=BANDWIDTH_MIB,
                    help="total size of the three bandwidth-test arrays (keep far above the "
                         "last-level cache)")
    ap.add_argument("--cold-cache", action="store_true",
                    help="compile into an empty NUMBA_CACHE_DIR, so compile_s is a cold compile")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    if args.backend == "cuda" and args.mode != "agent":
        ap.error("--backend cuda runs agent mode only (the aggregate step is a few "
                 "microseconds of serial work: it stays on the CPU)")
    customers, steps = size_defaults(args.size, args.mode)
    if args.customers is not None or args.steps is not None:
        args.size = "custom"  # recorded as such: the run is not the named size
    if args.customers is None:
        args.customers = customers
    if args.steps is None:
        args.steps = steps
    if args.reference_customers is None:
        args.reference_customers = args.customers
    if args.reference_steps is None:
        args.reference_steps = args.steps
    if args.segments < 1 or args.products < 1:
        ap.error("--segments and --products must be >= 1")
    if (args.segments, args.products) != (20, 10) and not (
            args.mode == "aggregate" and args.case == "full"):
        ap.error("--segments and --products size the aggregate full case only")
    min_customers = args.segments if args.mode == "aggregate" and args.case == "full" else 12
    for name in ("customers", "reference_customers"):
        if getattr(args, name) < min_customers:
            ap.error(f"--{name.replace('_', '-')} must be >= {min_customers}")
    for name in ("steps", "reference_steps", "repeat"):
        if getattr(args, name) < 1:
            ap.error(f"--{name.replace('_', '-')} must be >= 1")
    if args.reference_steps > args.steps:
        ap.error("--reference-steps must be <= --steps (agreement compares the same step)")
    if args.bandwidth_mib < 1:
        ap.error("--bandwidth-mib must be >= 1")
    if args.threads is not None and args.threads < 1:
        ap.error("--threads must be >= 1")
    if args.p < 0 or args.q < 0 or args.seed < 0:
        ap.error("--p, --q and --seed must be >= 0")
    return args


def format_table(res):
    """The result as a readable two-column table (the run without ``--json``)."""
    order = ["mode", "case", "size", "backend", "customers", "steps", "segments", "products", "threads",
             "time_s", "agent_steps_per_s", "ns_per_agent_step", "us_per_step",
             "us_per_step_target", "meets_us_target", "draws", "us_per_step_by_draws",
             "cpu_us_per_step_by_draws", "approx_speedup_vs_counter",
             "approx_speedup_vs_generator", "counter_speedup_vs_generator",
             "cpu_approx_speedup_vs_counter", "cpu_approx_speedup_vs_generator", "kernel_only_us_per_step",
             "generator_call_overhead_us", "time_breakdown_us_per_step",
             "time_breakdown_ms_per_step",
             "numpy_reference_agent_steps_per_s", "numpy_reference_customers",
             "numpy_reference_steps", "ratio_vs_numpy", "reference_agrees",
             "kernel_adopter_share_at_agreement_step", "reference_adopter_share",
             "memory_bandwidth_gbs", "triad_bandwidth_gbs", "numpy_copy_bandwidth_gbs",
             "bytes_per_agent_step",
             "floor_ns_per_agent_step", "floor_fraction", "compile_s", "first_result_s",
             "network_build_s", "final_adopter_share", "bass_discrete_share"]
    keys = [k for k in order if k in res] + sorted(k for k in res if k not in order)
    width = max(len(k) for k in keys)
    lines = []
    for k in keys:
        v = res[k]
        if isinstance(v, float):
            v = f"{v:.4g}"
        elif isinstance(v, dict):
            v = ", ".join(f"{a}={b:.4g}" for a, b in v.items())
        lines.append(f"{k:<{width}}  {v}")
    return "\n".join(lines)


def main(argv=None, t_script=None):
    """Parse, measure, print; ``t_script`` is the script's start (``time.perf_counter()``)."""
    args = parse_args(argv)
    if args.cold_cache:  # must be set before numba is imported
        cache = tempfile.mkdtemp(prefix="bench-numba-cache-")
        os.environ["NUMBA_CACHE_DIR"] = cache
        atexit.register(shutil.rmtree, cache, ignore_errors=True)
    res = run(args, _T_IMPORTED if t_script is None else t_script)
    if args.json:
        print(json.dumps(res, allow_nan=False))
    else:
        print(format_table(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
