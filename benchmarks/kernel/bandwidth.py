"""Memory bandwidth of this machine (or its GPU), measured in the benchmark's own run: the
denominator of the memory-traffic floor (``benchmarks.kernel.floor``)."""

import math
import time

BANDWIDTH_MIB = 768  # three float64 arrays of 256 MiB, each 8x the 32 MiB L3 of the dev box


def _triad_kernel():
    import numba

    @numba.njit(parallel=True, cache=True, fastmath=False)
    def triad(a, b, c, scalar):
        for i in numba.prange(a.shape[0]):
            a[i] = b[i] + scalar * c[i]

    return triad


def memory_bandwidth(total_mib=BANDWIDTH_MIB, trials=5):
    """STREAM-like triad ``a = b + s*c`` (numba prange, all kernel threads) and a NumPy copy
    ``b -> a`` (one thread) over three float64 arrays of ``total_mib / 3`` MiB each, far larger
    than the last-level cache; best of ``trials`` each, in GB/s, and the MiB of one array.
    Bytes counted as STREAM does: 24 B per triad element, 16 B per copied element (the
    write-allocate read is not counted)."""
    import numpy as np

    n = max(int(total_mib) * 2**20 // 24, 1)
    triad = _triad_kernel()
    a = np.zeros(n)
    b = np.full(n, 1.0)
    c = np.full(n, 2.0)
    triad(a, b, c, 3.0)
    best_triad = math.inf
    for _ in range(trials):
        t0 = time.perf_counter()
        triad(a, b, c, 3.0)
        best_triad = min(best_triad, time.perf_counter() - t0)
    best_copy = math.inf
    for _ in range(trials):
        t0 = time.perf_counter()
        np.copyto(a, b)
        best_copy = min(best_copy, time.perf_counter() - t0)
    return 24.0 * n / best_triad / 1e9, 16.0 * n / best_copy / 1e9, 8 * n / 2**20


def gpu_memory_bandwidth(total_mib=BANDWIDTH_MIB, trials=5):
    """The same STREAM-like triad on the GPU (numba-cuda kernel over three float64 device
    arrays of ``total_mib / 3`` MiB each, best of ``trials``): GB/s, method, MiB per array.
    On the simulator the arrays are 4096 elements and the number is meaningless."""
    import numpy as np

    from sim.kernel.cuda import load_backend

    dev = load_backend()
    cuda = dev.cuda
    n = 4096 if dev.SIMULATOR else max(int(total_mib) * 2**20 // 24, 1)
    triad = dev.triad_kernel

    a = cuda.to_device(np.zeros(n))
    b = cuda.to_device(np.full(n, 1.0))
    c = cuda.to_device(np.full(n, 2.0))
    grid = (2, 8) if dev.SIMULATOR else (min((n + 255) // 256, 65535), 256)
    triad[grid](a, b, c, 3.0)
    cuda.synchronize()
    best = math.inf
    for _ in range(trials):
        t0 = time.perf_counter()
        triad[grid](a, b, c, 3.0)
        cuda.synchronize()
        best = min(best, time.perf_counter() - t0)
    method = (f"STREAM-like triad a = b + s*c on the GPU (numba-cuda kernel, float64 device "
              f"arrays of {8 * n / 2**20:.3g} MiB each, best of {trials}, 24 B per element; "
              "write-allocate not counted)")
    if dev.SIMULATOR:
        method += "; CUDA SIMULATOR: not a hardware measurement"
    return 24.0 * n / best / 1e9, method, 8 * n / 2**20


def machine_bandwidth(total_mib, backend, threads):
    """The bandwidth that bounds the kernel: the GPU's triad on the cuda backend; on the CPU
    the higher of the triad and the copy (the floor must be a lower bound of time, and on a
    shared machine a parallel region can be slowed by a descheduled thread).
    Returns (GB/s, method, triad GB/s, copy GB/s or None)."""
    if backend == "cuda":  # the GPU's memory bounds the GPU kernel
        bw, method, _ = gpu_memory_bandwidth(total_mib)
        return bw, method, bw, None
    triad, copy, mib = memory_bandwidth(total_mib)
    if triad >= copy:
        bw, method = triad, (f"STREAM-like triad a = b + s*c, numba prange on {threads} "
                             f"threads, 24 B per element")
    else:
        bw, method = copy, "np.copyto on one thread, 16 B per element"
    method += (f" (the higher of a numba prange triad and a NumPy copy over float64 "
               f"arrays of {mib:.0f} MiB, best of 5 each; write-allocate not counted)")
    return bw, method, triad, copy
