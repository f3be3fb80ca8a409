"""Where a ``CudaAgentMarket`` step's time goes, and how the step kernel's time depends on
the launch configuration. One JSON object; needs a GPU (or numba's CUDA simulator, where
every figure is meaningless: that is how it is tested).

    python benchmarks/gpu_step_profile.py --case bass --customers 100000000 --steps 20 --json

Per step, each part timed apart with a device synchronisation after it (so the parts add
up to a little more than an unsynchronised step): ``plan`` (the host's probabilities and
thresholds, ``AgentMarket._plan``), ``upload`` (parameters and thresholds to the device),
``step_kernel``, ``scatter_kernel`` (network cases), ``download`` (the flow counters back)
and ``record`` (the host's bookkeeping of the outcome). ``launch_sweep`` times the step
kernel alone for threads per block x blocks per multiprocessor.
"""

import argparse
import json
import os
import sys
import time

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from benchmarks.kernel.cases import DT, build_case, build_network  # noqa: E402


def part_times(market, offer, steps):
    """Mean seconds per step of each part of ``market.step`` (synchronised after each)."""
    cuda = market._dev.cuda
    spent = dict.fromkeys(("plan", "upload", "step_kernel", "scatter_kernel", "download",
                           "record"), 0.0)
    for _ in range(steps):
        t0 = time.perf_counter()
        plan = market._plan(offer, DT)
        t1 = time.perf_counter()
        market._upload(plan)
        cuda.synchronize()
        t2 = time.perf_counter()
        market._launch_step(plan)
        cuda.synchronize()
        t3 = time.perf_counter()
        if market.network is not None:
            market._launch_scatter()
            cuda.synchronize()
        t4 = time.perf_counter()
        flows = market._download()
        t5 = time.perf_counter()
        market._record(*flows)
        t6 = time.perf_counter()
        for name, a, b in (("plan", t0, t1), ("upload", t1, t2), ("step_kernel", t2, t3),
                           ("scatter_kernel", t3, t4), ("download", t4, t5),
                           ("record", t5, t6)):
            spent[name] += b - a
    return {k: v / steps for k, v in spent.items()}


def step_time(market, offer, steps):
    """Mean seconds per whole ``market.step`` (as the scenario calls it)."""
    t0 = time.perf_counter()
    for _ in range(steps):
        market.step(offer, DT)
    return (time.perf_counter() - t0) / steps


def kernel_time(market, offer, steps):
    """Mean seconds of the step kernel alone (synchronised), same plan each time."""
    cuda = market._dev.cuda
    plan = market._plan(offer, DT)
    market._upload(plan)
    market._launch_step(plan)
    cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(steps):
        market._launch_step(plan)
    cuda.synchronize()
    return (time.perf_counter() - t0) / steps


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", choices=("bass", "full"), default="bass")
    ap.add_argument("--customers", type=int, default=100_000_000)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", default="128,256,512,1024",
                    help="threads per block to sweep (comma-separated)")
    ap.add_argument("--blocks-per-sm", default="2,4,8,16,32",
                    help="blocks per multiprocessor to sweep (comma-separated)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.customers < 12 or args.steps < 1:
        ap.error("--customers must be >= 12 and --steps >= 1")

    from sim.kernel.cuda import _simulator_quiet, load_backend

    with _simulator_quiet(load_backend().SIMULATOR):
        res = profile(args)
    print(json.dumps(res) if args.json else json.dumps(res, indent=1))
    return 0


def profile(args):
    """The measurements ``main`` prints, as a dict."""
    from sim.kernel.cuda import CudaAgentMarket, device_description, load_backend

    dev = load_backend()
    sms = 1 if dev.SIMULATOR else dev.cuda.get_current_device().MULTIPROCESSOR_COUNT
    seg, offer, j_count, _ = build_case(args.case, "agent", args.customers, 0.003, 0.05)
    network = build_network(args.case, args.customers, args.seed)
    market = CudaAgentMarket(seg, j_count, seed=args.seed, network=network)
    market.step(offer, DT)  # compile
    kernel = dev.step_kernel.overloads
    regs = [k.get_regs_per_thread() for k in kernel.values()
            if hasattr(k, "get_regs_per_thread")] if not dev.SIMULATOR else []
    res = {"case": args.case, "customers": args.customers, "steps": args.steps,
           "device": device_description(), "simulator": dev.SIMULATOR,
           "multiprocessors": sms,
           "default_launch": [market.threads_per_block, market.blocks],
           "step_kernel_registers_per_thread": regs}
    res["s_per_step"] = step_time(market, offer, args.steps)
    res["parts_s_per_step"] = part_times(market, offer, args.steps)
    sweep = []
    for threads in (int(t) for t in args.threads.split(",")):
        for per_sm in (int(b) for b in args.blocks_per_sm.split(",")):
            row = {"threads_per_block": threads, "blocks_per_sm": per_sm}
            try:
                market.configure_launch(threads, per_sm * sms)
                row["kernel_s"] = kernel_time(market, offer, args.steps)
            except Exception as e:  # noqa: BLE001 - e.g. too many threads for the registers
                row["error"] = f"{type(e).__name__}: {e}"[:200]
            sweep.append(row)
    market.configure_launch()
    res["launch_sweep"] = sweep
    best = min((r for r in sweep if "kernel_s" in r), key=lambda r: r["kernel_s"])
    res["best_launch"] = best
    res["agent_steps_per_s_kernel_best"] = args.customers / best["kernel_s"]
    return res


if __name__ == "__main__":
    sys.exit(main())
