"""One benchmark run, start to end: warm-up (compile and first result), the timed kernel and
NumPy reference runs (interleaved), the memory floor, and the record of the machine. Returns
the result as one flat dict; ``benchmarks/README.md`` lists every field.

Every heavy import (numpy, numba, ``sim.kernel``) happens inside ``run``, so ``--cold-cache``
can still point ``NUMBA_CACHE_DIR`` at an empty folder before numba loads.
"""

import math
import os
import platform
import time

from benchmarks.kernel import machine
from benchmarks.kernel.bandwidth import machine_bandwidth
from benchmarks.kernel.cases import DT, WARMUP_CUSTOMERS, build_case, build_network
from benchmarks.kernel.floor import (
    AGENT_COUNTING,
    AGGREGATE_COUNTING,
    agent_bytes_per_agent_step,
    aggregate_bytes_per_step,
)
from benchmarks.kernel.timing import (
    AGENT_PARTS,
    AGGREGATE_PARTS,
    agreement,
    generator_call_overhead_us,
    run_agent_kernel,
    run_agent_reference,
    run_aggregate_kernel,
    run_aggregate_reference,
    time_breakdown,
)

AGGREGATE_TARGET_US = 20.0
AGGREGATE_DRAWS = ("generator", "counter", "approx")  # sim.kernel.aggregate.DRAWS
FIRST_RESULT_TARGET_S = 2.0


def warm_up(args, res, t_script, t_import):
    """A tiny copy of the case, run twice: the first call is the process's first kernel
    result (compile or cache load), the second the steady state; ``compile_s`` is the
    difference. Fills the warm-up fields (and the device fields on the cuda backend)."""
    warmup = WARMUP_CUSTOMERS
    if args.backend == "cuda":
        from importlib.metadata import version

        from sim.kernel.cuda import device_description, load_backend

        if load_backend().SIMULATOR:  # ~1e4 customer-steps per second: keep it short
            warmup = min(WARMUP_CUSTOMERS, args.customers)
        res["device"] = device_description()
        res["simulator"] = load_backend().SIMULATOR
        res["numba_cuda_version"] = version("numba-cuda")

    def tiny_run():
        t0 = time.perf_counter()
        seg, offer, j_count = build_case(args.case, args.mode, max(warmup, args.segments),
                                         args.p, args.q, args.segments, args.products)[:3]
        if args.mode == "agent":
            net = build_network(args.case, warmup, args.seed)
            run_agent_kernel(seg, offer, j_count, net, 1, args.seed, args.backend)
        else:
            for draws in AGGREGATE_DRAWS:  # every path compiled (or loaded) before timing
                run_aggregate_kernel(seg, offer, j_count, 1, args.seed, draws)
        return time.perf_counter() - t0

    t_first = tiny_run()
    first_result_s, origin = machine.process_age(t_script)
    t_second = tiny_run()
    what = "build, network, one step" if args.mode == "agent" else "build, one step"
    res.update({
        "compile_s": max(t_first - t_second, 0.0),
        "compile_method": (f"first call of a {warmup}-customer warm-up of this case "
                           f"({what}) minus an identical second call"),
        "numba_cache_dir": os.environ.get("NUMBA_CACHE_DIR") or "next to the modules (__pycache__)",
        "cold_cache": bool(args.cold_cache),
        "first_result_s": first_result_s,
        "first_result_from": origin,
        "first_result_target_s": FIRST_RESULT_TARGET_S,
        "import_s": t_import - t_script,
    })


def measure_agent(args, res, seg, offer, j_count):
    """Agent mode: kernel and reference timed alternately ``repeat`` times (best of each).
    Returns (kernel best s, kernel share at the agreement step, reference best s,
    reference share, reference customers, bytes per agent-step, note)."""
    n, n_ref = args.customers, args.reference_customers
    t0 = time.perf_counter()
    network = build_network(args.case, n, args.seed)
    if network is not None:
        res["network_build_s"] = time.perf_counter() - t0
        res["network"] = "watts_strogatz(N, 10, 0.1, seed)"
        res["network_mean_degree"] = network.indices.shape[0] / n
    # the NumPy reference: same case (possibly smaller), same process
    if n_ref == n:
        seg_ref, net_ref = seg, network
    else:
        seg_ref = build_case(args.case, args.mode, n_ref, args.p, args.q)[0]
        net_ref = build_network(args.case, n_ref, args.seed)
    best, flows, ref_best, ref_share = math.inf, None, math.inf, None
    for _ in range(args.repeat):  # interleaved, so both see the same machine
        elapsed, f = run_agent_kernel(seg, offer, j_count, network, args.steps, args.seed,
                                      args.backend)
        if elapsed < best:
            best, flows = elapsed, f
        elapsed, share = run_agent_reference(seg_ref, offer, j_count, net_ref,
                                             args.reference_steps, args.seed)
        if elapsed < ref_best:
            ref_best, ref_share = elapsed, share
    kernel_share = float(flows["share"][args.reference_steps - 1])
    bytes_per, breakdown = agent_bytes_per_agent_step(seg, offer, j_count, network,
                                                      args.steps, flows)
    res["bytes_per_agent_step_breakdown"] = breakdown
    if args.backend == "cuda":
        cpu_reference(args, res, seg_ref, offer, j_count, net_ref)
    else:
        parts = time_breakdown(
            "sim.kernel.agent", AGENT_PARTS,
            lambda: run_agent_kernel(seg, offer, j_count, network, args.steps, args.seed)[0],
            args.steps)
        res["time_breakdown_ms_per_step"] = {k: v * 1e3 for k, v in parts.items()}
    res["bytes_per_agent_step_counting"] = AGENT_COUNTING
    res["final_adopter_share"] = float(flows["share"][-1])
    if args.case == "bass" and args.p > 0:
        from sim.kernel import bass_discrete

        res["bass_discrete_share"] = float(bass_discrete(args.steps, args.p, args.q, DT)[-1])
    note = "agent-step = one customer advanced one step"
    if args.backend == "cuda":
        res["transfer_s"] = flows["transfer_s"]
        res["transfer_method"] = (
            "upload of the state (held, tastes, neighbour counts, CSR network) when the "
            "market is built, apart from time_s; each timed step also uploads its "
            "parameters and downloads its flow counters (inside time_s)")
        res["threads_per_block"], res["blocks"] = flows["launch"]
        if res["simulator"]:
            note += ("; CUDA SIMULATOR (NUMBA_ENABLE_CUDASIM=1): the kernel runs as "
                     "Python threads, speeds are meaningless")
    return best, kernel_share, ref_best, float(ref_share[-1]), n_ref, bytes_per, note


def cpu_reference(args, res, seg_ref, offer, j_count, net_ref):
    """cuda backend: the CPU backend (Numba, all threads) on the reference customers and
    steps, in this run, and the GPU on the same market: its speed, the GPU's ratio to it,
    and whether both gave the same flows at every step (they must: same draws)."""
    n_ref, steps = args.reference_customers, args.reference_steps
    run_agent_kernel(seg_ref, offer, j_count, net_ref, 1, args.seed)  # compile, untimed
    cpu_s, cpu_flows = run_agent_kernel(seg_ref, offer, j_count, net_ref, steps, args.seed)
    gpu_s, gpu_flows = run_agent_kernel(seg_ref, offer, j_count, net_ref, steps, args.seed,
                                        "cuda")
    same = all(bool((cpu_flows[k] == gpu_flows[k]).all())
               for k in ("share", "pool_start", "changers", "adopters"))
    res["cpu_kernel_customers"] = n_ref
    res["cpu_kernel_steps"] = steps
    res["cpu_kernel_agent_steps_per_s"] = n_ref * steps / cpu_s
    res["gpu_agent_steps_per_s_at_cpu_size"] = n_ref * steps / gpu_s
    res["cpu_equals_gpu"] = same
    res["cpu_equals_gpu_method"] = (
        "share, pool at step start, adopters and changers of every step equal between "
        "AgentMarket (CPU) and CudaAgentMarket on the reference customers and steps")


def measure_aggregate(args, res, seg, offer, j_count):
    """Aggregate mode: as ``measure_agent`` (the reference runs on the same customers), for
    the ``--draws`` path; the three draw paths (``generator``, the scenarios' until
    2026-12-07; ``counter``, exact, their default since; ``approx``) are timed interleaved on the same steps, so their ratios compare
    them on the same machine state."""
    n = args.customers
    best = {d: math.inf for d in AGGREGATE_DRAWS}
    cpu = dict(best)
    shares = {}
    ref_best, ref_final = math.inf, None
    for _ in range(args.repeat):  # interleaved, so all see the same machine
        for draws in AGGREGATE_DRAWS:
            elapsed, shares[draws] = run_aggregate_kernel(seg, offer, j_count, args.steps,
                                                          args.seed, draws)
            best[draws] = min(best[draws], elapsed)
            cpu[draws] = min(cpu[draws], run_aggregate_kernel(
                seg, offer, j_count, args.steps, args.seed, draws, time.thread_time)[0])
        elapsed, share = run_aggregate_reference(seg, offer, j_count, args.reference_steps,
                                                 args.seed)
        if elapsed < ref_best:
            ref_best, ref_final = elapsed, float(share)
    kernel_share = float(shares[args.draws])
    res["draws"] = args.draws
    res["final_adopter_share"] = kernel_share
    res["final_adopter_share_by_draws"] = {d: float(v) for d, v in shares.items()}
    if args.reference_steps != args.steps:  # compare at the same step
        kernel_share = float(run_aggregate_kernel(seg, offer, j_count, args.reference_steps,
                                                  args.seed, args.draws)[1])
    us = best[args.draws] / args.steps * 1e6
    res["us_per_step"] = us
    res["us_per_step_by_draws"] = {d: v / args.steps * 1e6 for d, v in best.items()}
    res["cpu_us_per_step_by_draws"] = {d: v / args.steps * 1e6 for d, v in cpu.items()}
    res["approx_speedup_vs_counter"] = best["counter"] / best["approx"]
    res["approx_speedup_vs_generator"] = best["generator"] / best["approx"]
    res["counter_speedup_vs_generator"] = best["generator"] / best["counter"]
    res["cpu_approx_speedup_vs_counter"] = cpu["counter"] / cpu["approx"]
    res["cpu_approx_speedup_vs_generator"] = cpu["generator"] / cpu["approx"]
    res["us_per_step_target"] = AGGREGATE_TARGET_US
    res["meets_us_target"] = us < AGGREGATE_TARGET_US
    parts = time_breakdown(
        "sim.kernel.aggregate", AGGREGATE_PARTS,
        lambda: run_aggregate_kernel(seg, offer, j_count, args.steps, args.seed,
                                     args.draws)[0],
        args.steps)
    res["time_breakdown_us_per_step"] = {k: v * 1e6 for k, v in parts.items()}
    res["kernel_only_us_per_step"] = (parts.get("_step_aggregate", 0.0)
                                      + parts.get("_step_aggregate_handle", 0.0)
                                      + parts.get("_step_keyed", 0.0)) * 1e6 or None
    res["generator_call_overhead_us"] = generator_call_overhead_us()
    res["numpy_reference_us_per_step"] = ref_best / args.reference_steps * 1e6
    per_step = aggregate_bytes_per_step(seg, j_count)
    res["bytes_per_step"] = per_step
    res["bytes_per_agent_step_counting"] = AGGREGATE_COUNTING
    note = ("aggregate mode: agent_steps_per_s = customers*steps/time is NOT comparable "
            "with agent mode (the step costs segments x products, not customers)")
    return best[args.draws], kernel_share, ref_best, ref_final, n, per_step / n, note


def run(args, t_script):
    """Measure what ``args`` (``benchmarks.kernel.cli.parse_args``) asks; ``t_script`` is the
    ``time.perf_counter()`` at script start (for ``import_s``)."""
    import numba
    import numpy as np

    import sim.kernel  # noqa: F401  (import time is part of time to first result)

    t_import = time.perf_counter()
    if args.threads is not None:
        numba.set_num_threads(args.threads)
    load_start = machine.load_average()
    ticks_start = machine.cpu_ticks()
    res = {"mode": args.mode, "case": args.case, "size": args.size, "backend": args.backend,
           "customers": args.customers, "steps": args.steps, "dt_days": DT,
           "p": args.p, "q": args.q, "seed": args.seed, "repeat": args.repeat}
    warm_up(args, res, t_script, t_import)

    seg, offer, j_count, description = build_case(args.case, args.mode, args.customers,
                                                  args.p, args.q, args.segments, args.products)
    res.update({"segments": seg.n_segments, "products": j_count, "description": description})
    measure = measure_agent if args.mode == "agent" else measure_aggregate
    best, kernel_share, ref_best, ref_final, n_ref, bytes_per, note = measure(
        args, res, seg, offer, j_count)

    n, steps_ref = args.customers, args.reference_steps
    ok, tol = agreement(kernel_share, n, ref_final, n_ref)
    kernel_rate = n * args.steps / best
    ref_rate = n_ref * steps_ref / ref_best
    bw, bw_method, bw_triad, bw_copy = machine_bandwidth(args.bandwidth_mib, args.backend,
                                                         numba.get_num_threads())
    floor_ns = bytes_per / (bw * 1e9) * 1e9
    ns = best / (n * args.steps) * 1e9
    res.update({
        "threads": numba.get_num_threads(),
        "load_average_1m_start": load_start,
        "load_average_1m_end": machine.load_average(),
        "cpu_steal_fraction": machine.steal_fraction(ticks_start, machine.cpu_ticks()),
        "time_s": best,
        "agent_steps_per_s": kernel_rate,
        "ns_per_agent_step": ns,
        "numpy_reference_agent_steps_per_s": ref_rate,
        "numpy_reference_customers": n_ref,
        "numpy_reference_steps": steps_ref,
        "numpy_reference_time_s": ref_best,
        "numpy_reference_threads": 1,
        "ratio_vs_numpy": kernel_rate / ref_rate,
        **({"ratio_vs_cpu_kernel": kernel_rate / res["cpu_kernel_agent_steps_per_s"]}
           if "cpu_kernel_agent_steps_per_s" in res else {}),
        "reference_agrees": bool(ok),
        "agreement_step": steps_ref,
        "kernel_adopter_share_at_agreement_step": kernel_share,
        "reference_adopter_share": ref_final,
        "agreement_tolerance": tol,
        "memory_bandwidth_gbs": bw,
        "memory_bandwidth_method": bw_method,
        "triad_bandwidth_gbs": bw_triad,
        "numpy_copy_bandwidth_gbs": bw_copy,
        "bytes_per_agent_step": bytes_per,
        "floor_ns_per_agent_step": floor_ns,
        "floor_fraction": floor_ns / ns,
        "note": note,
        "numpy_version": np.__version__,
        "numba_version": numba.__version__,
        "python_version": platform.python_version(),
        "threading_layer": machine.threading_layer(numba),
        "cpu": machine.cpu_model(),
        "cpu_count": os.cpu_count(),
        **machine.source_version(),
    })
    return res
