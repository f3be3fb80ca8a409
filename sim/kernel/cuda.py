"""GPU backend of the agent market: ``CudaAgentMarket``, the same market on an NVIDIA GPU.

``CudaAgentMarket`` is an ``AgentMarket`` whose per-step kernel runs on the device
(numba-cuda, an optional extra: ``pip install -e ".[cuda]"``; on a GPU machine
``numba-cuda[cu12]`` also brings the CUDA 12 toolkit libraries). Everything else is
inherited: validation, initial placement, taste draws, the CSR network and initial
neighbour counts, and each step's host-side plan (probabilities, integer thresholds and
keys, ``AgentMarket._plan``), so both backends take every decision from the same numbers.

Design:
- the customers' state (held, taste and price-sensitivity multipliers, neighbour counts,
  the CSR network) is copied to the device once and stays there; a step uploads one
  parameter vector (probabilities, thresholds and keys, from a page-locked host buffer) and
  downloads the 6 x S x J flow counters;
- each thread reads 8 customers' states in one 8-byte load (the device copy of ``held`` is
  padded with lapsed customers to a multiple of 8), grid-stride (``_cuda_device.step_kernel``):
  the CPU's screen and exact decision for each customer, with the same counter-based draws
  (``hash32``, SplitMix64 ``uniform``) and the same comparisons in the same order;
- flows are counted with integer atomics, first in per-block shared memory, then once per
  block into cumulative int64 counters: integer sums do not depend on the order of the
  threads, so the result is deterministic;
- word of mouth on a network: each block lists the customers whose state changed in its
  own region of a device list; ``scatter_kernel`` then moves their neighbours' counts with
  integer atomics, like the CPU's serial ``_scatter_changes``.

Exactness: the states and flows equal ``AgentMarket``'s bit for bit wherever the float
operations round alike. Thresholds and per-segment probabilities are computed on the host;
multiplies feeding adds use libdevice's non-contractible ``__nv_dmul_rn``/``__nv_dadd_rn``
(NVVM would otherwise fuse them into FMAs; numba-cuda 0.30 exposes no ``fma=False``
option). The residual risk is libm: the network hazard's ``expm1`` and the logit's ``exp``
are libdevice's on a GPU and glibc's on the CPU, and either may be off by one unit in the
last place. A decision flips only when its draw falls between the two neighbouring doubles,
with a probability about the size of one unit in the last place: ~1e-16 per logit choice,
~1e-18 per network hazard of size 1e-2. Over 10**8 customers and 10**3 steps the expected
number of flips is far below one, but not zero, and one flip makes the runs drift apart
from then on. ``tests/kernel_cuda/test_cuda_gpu.py`` compares the full states of both
backends at 10**6 customers on a real GPU, and bounds the libm differences (<= 2 ulp).
On numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``) the device code runs as Python with
the CPU's libm, so there the equality is exact and is what the tests check.
"""

import importlib
import math
import time
import warnings

import numpy as np

from sim.errors import MarketsimError
from sim.kernel.agent import FLOW_NAMES, LAPSED, AgentMarket, StepPlan

_BACKEND = None  # the device module, once loaded
SIMULATOR_THREADS = 8  # default launch on the simulator (blocks of 8 threads, at most 2)
SIMULATOR_BLOCKS = 2
# on a GPU: 128 threads a block, at most 32 blocks per multiprocessor, each thread taking 8
# customers at a time (the fastest of 4 x 5 launch configurations on an H200 at 10**8
# customers, bass and full cases: benchmarks/gpu_step_profile.py); the step kernel uses too
# many registers for blocks of 1024 threads
GPU_THREADS = 128
GPU_BLOCKS_PER_SM = 32
MAX_THREADS = 512

MISSING_MESSAGE = (
    "backend='cuda' needs the numba-cuda package, which is not installed: "
    "pip install -e \".[cuda]\" (on a GPU machine: pip install \"numba-cuda[cu12]>=0.30,<0.31\" "
    "for the CUDA 12 libraries), or use backend=cpu")


class CudaUnavailableError(MarketsimError, RuntimeError):
    """``backend='cuda'`` cannot run here (numba-cuda missing, or no GPU and no simulator)."""


def ensure_row_stack() -> bool:
    """Put back ``numpy.row_stack`` (an alias of ``vstack``) where NumPy lacks it.

    numba-cuda 0.30.4 registers an overload of ``np.row_stack`` when its CUDA target starts
    (``numba.cuda.np.arrayobj``); NumPy 2.5 removed the alias, so that import fails with an
    AttributeError. Must run before the CUDA target loads; does nothing when the alias
    exists. Returns whether it added the alias.
    """
    if hasattr(np, "row_stack"):
        return False

    def row_stack(tup, *, dtype=None, casting="same_kind"):
        """``numpy.vstack`` (stand-in for the alias NumPy 2.5 removed; see sim.kernel.cuda)."""
        return np.vstack(tup, dtype=dtype, casting=casting)

    np.row_stack = row_stack
    return True


def load_backend():
    """The device module, after checking that it can run; raises ``CudaUnavailableError``.

    numba-cuda must be installed, and there must be a working GPU, or the simulator must be
    enabled (``NUMBA_ENABLE_CUDASIM=1`` in the environment before ``numba.cuda`` is first
    imported).
    """
    global _BACKEND
    if _BACKEND is not None:
        return _BACKEND
    try:
        importlib.import_module("numba_cuda")
    except ImportError:
        raise CudaUnavailableError(MISSING_MESSAGE) from None
    ensure_row_stack()
    cuda = importlib.import_module("numba.cuda")  # lazy: finds no GPU yet if there is none
    if getattr(cuda, "implementation", None) != "NVIDIA":
        raise CudaUnavailableError(
            "backend='cuda' found numba's deprecated built-in CUDA target instead of "
            "numba-cuda (numba.cuda.implementation is "
            f"{getattr(cuda, 'implementation', None)!r}): reinstall numba-cuda "
            "(pip install --force-reinstall \"numba-cuda>=0.30,<0.31\"), or use backend=cpu")
    dev = importlib.import_module("sim.kernel._cuda_device")  # compiles nothing yet
    if not dev.SIMULATOR and not cuda.is_available():
        reason = str(cuda.cuda_error() or "no CUDA device").strip().replace("\n", " ")
        raise CudaUnavailableError(
            f"backend='cuda' found no usable NVIDIA GPU ({reason}). Run on a machine with an "
            "NVIDIA GPU and driver (pip install \"numba-cuda[cu12]>=0.30,<0.31\"), or set "
            "NUMBA_ENABLE_CUDASIM=1 before starting Python to use numba's CUDA simulator "
            "(exact but a few thousand customer-steps per second: for tests), or use "
            "backend=cpu")
    _BACKEND = dev
    return _BACKEND


def device_description() -> str:
    """The device the backend runs on, in words (loads the backend)."""
    dev = load_backend()
    if dev.SIMULATOR:
        return "numba CUDA simulator (NUMBA_ENABLE_CUDASIM=1)"
    gpu = dev.cuda.get_current_device()  # pragma: no cover - needs a GPU
    name = gpu.name.decode() if isinstance(gpu.name, bytes) else str(gpu.name)
    return f"{name} (compute capability {gpu.compute_capability})"  # pragma: no cover


class CudaAgentMarket(AgentMarket):
    """``AgentMarket`` with its state resident on an NVIDIA GPU; same constructor and
    ``step(offer, dt) -> StepOutcome``, same draws, same results.

    Extra keyword-only parameters: ``threads_per_block`` (default 128 on a GPU, 8 on the
    simulator; at most 512) and ``blocks`` (default: enough for 8 customers per thread, at
    most 32 per multiprocessor on a GPU, 2 on the simulator). Results do not depend on
    either.

    ``held`` and ``counts`` read back from the device on access. ``transfer_s`` is the time
    the initial upload took.
    """

    def __init__(self, segments, n_products, seed, network=None, initial_active=None,
                 initial_lapsed=None, chunk_size: int | None = None, *,
                 threads_per_block=None, blocks=None):
        self._dev = load_backend()  # fail before any work when the backend cannot run
        for name, value in (("threads_per_block", threads_per_block), ("blocks", blocks)):
            if value is not None and int(value) < 1:
                raise ValueError(f"{name} must be >= 1, got {value}")
        self._launch = (threads_per_block, blocks)
        self._d = None
        super().__init__(segments, n_products, seed, network=network,
                         initial_active=initial_active, initial_lapsed=initial_lapsed,
                         chunk_size=chunk_size)

    # --- state, read back from the device -------------------------------------------------
    @property
    def held(self):
        """int8 (N,): -1 pool, -2 lapsed, j >= 0 owns product j (a copy, from the device)."""
        if self._d is None:
            return self._held
        return self._d["held"].copy_to_host()[:self.n_customers]

    @held.setter
    def held(self, value):
        self._held = value

    @property
    def counts(self):
        """int32 (N, J): neighbours owning each product (network only; from the device)."""
        if self._d is None:
            return self._counts
        return self._d["counts"].copy_to_host()

    @counts.setter
    def counts(self, value):
        self._counts = value

    # --- upload ---------------------------------------------------------------------------
    def configure_launch(self, threads_per_block=None, blocks=None):
        """Set the step's launch configuration (defaults as in the constructor); results do
        not depend on it. Allocates the per-block lists of changed customers it needs."""
        dev, d = self._dev, self._d
        cuda = dev.cuda
        n_words = -(-self.n_customers // 8)  # each thread takes 8 customers at a time
        threads = threads_per_block
        if threads is None:
            # the simulator runs a block's threads as Python threads: few are fastest
            threads = SIMULATOR_THREADS if dev.SIMULATOR else GPU_THREADS
        threads = int(threads)
        if blocks is None:
            if dev.SIMULATOR:
                cap = SIMULATOR_BLOCKS
            else:  # pragma: no cover - needs a GPU
                cap = GPU_BLOCKS_PER_SM * cuda.get_current_device().MULTIPROCESSOR_COUNT
            blocks = min(max(math.ceil(n_words / threads), 1), cap)
        blocks = int(blocks)
        if not 1 <= threads <= MAX_THREADS or blocks < 1:
            raise ValueError(f"threads_per_block must be in 1..{MAX_THREADS} (the step kernel's "
                             f"registers allow no more) and blocks >= 1, got {threads} and "
                             f"{blocks}")
        self.threads_per_block, self.blocks = threads, blocks
        self._per_block = 8 * threads * max(math.ceil(n_words / (threads * blocks)), 1)
        d["block_changes"] = cuda.to_device(np.zeros(blocks, np.int32))
        if self.network is not None:
            d["changed"] = cuda.device_array(blocks * self._per_block, np.int32)
            d["changed_from"] = cuda.device_array(blocks * self._per_block, np.int8)
        else:  # never read: placeholders of the right types
            d["changed"] = cuda.to_device(np.zeros(1, np.int32))
            d["changed_from"] = cuda.to_device(np.zeros(1, np.int8))

    def _init_backend(self):
        dev = self._dev
        cuda = dev.cuda
        s, j = self.segments.n_segments, self.n_products
        t0 = time.perf_counter()
        held = np.full(8 * -(-self.n_customers // 8), LAPSED, np.int8)  # padded: skipped
        held[:self.n_customers] = self._held
        d = {"held": cuda.to_device(held), "taste": cuda.to_device(self.taste),
             "alpha_mult": cuda.to_device(self.alpha_mult),
             "seg_start": cuda.to_device(self.seg_start),
             "counts": cuda.to_device(self._counts),
             "aware_keys": cuda.to_device(self.aware_keys),
             "flows": cuda.to_device(np.zeros(dev.N_FLOWS * s * j, np.int64)),
             "par": cuda.device_array(dev.plan_size(s, j), np.float64)}
        d["ipar"], d["upar"] = d["par"].view(np.int64), d["par"].view(np.uint64)
        # page-locked host copy of the step's parameters: one fast upload per step
        self._par_host = cuda.pinned_array(dev.plan_size(s, j), np.float64)
        if self.network is not None:
            d["indptr"] = cuda.to_device(self.network.indptr)
            d["indices"] = cuda.to_device(self.network.indices)
        else:  # never read: placeholders of the right types
            d["indptr"] = cuda.to_device(np.zeros(2, np.int64))
            d["indices"] = cuda.to_device(np.zeros(1, np.int32))
        d["held_words"] = d["held"].view(np.uint64)
        self._d = d
        self.configure_launch(*self._launch)
        cuda.synchronize()
        self.transfer_s = time.perf_counter() - t0
        self._flows_before = np.zeros(dev.N_FLOWS * s * j, np.int64)
        # the device holds the state from now on: drop the host copies
        self._held = None
        self._counts = None

    # --- one step -------------------------------------------------------------------------
    def _advance(self, plan: StepPlan):
        self._upload(plan)
        with _simulator_quiet(self._dev.SIMULATOR):
            if self.n_customers > 0:
                self._launch_step(plan)
                if self.network is not None:
                    self._launch_scatter()
            return self._download()

    # the parts of a step, apart so that benchmarks/gpu_step_profile.py can time each
    def _upload(self, plan: StepPlan):
        """The step's parameters, thresholds and keys to the device, in one copy."""
        dev, d = self._dev, self._d
        dev.pack_plan(plan, self.segments.n_segments, self.n_products, self._par_host)
        d["par"].copy_to_device(self._par_host)

    def _launch_step(self, plan: StepPlan):
        """Every customer's screen and decision (``step_kernel``), queued."""
        dev, d = self._dev, self._d
        dev.step_kernel[self.blocks, self.threads_per_block](
            d["held"], d["held_words"], d["taste"], d["alpha_mult"], d["seg_start"], d["indptr"],
            d["counts"], self.network is not None, d["par"], d["ipar"], d["upar"],
            d["aware_keys"], d["flows"], d["changed"], d["changed_from"],
            d["block_changes"], np.int64(self._per_block))

    def _launch_scatter(self):
        """Neighbours' owner counts follow the customers that changed (``scatter_kernel``)."""
        dev, d = self._dev, self._d
        dev.scatter_kernel[self.blocks, self.threads_per_block](
            d["held"], d["indptr"], d["indices"], d["counts"], d["changed"],
            d["changed_from"], d["block_changes"], np.int64(self._per_block))

    def _download(self):
        """This step's flows: the cumulative counters back from the device (waits for the
        kernels), minus the last step's."""
        s, j = self.segments.n_segments, self.n_products
        total = self._d["flows"].copy_to_host()
        delta = total - self._flows_before
        self._flows_before = total
        per_flow = delta.reshape(len(FLOW_NAMES), s, j)
        return [np.ascontiguousarray(per_flow[k]) for k in range(len(FLOW_NAMES))]


class _simulator_quiet(warnings.catch_warnings):
    """numba-cuda's "Grid size ... under-utilization" hint is silenced (a small market
    launches few blocks on purpose). On the simulator, SplitMix64's intended uint64
    wrap-around runs as NumPy scalar arithmetic, which warns "overflow encountered in scalar
    multiply/add": silence exactly that, and only there."""

    def __init__(self, simulator: bool):
        super().__init__()
        self._simulator = simulator

    def __enter__(self):
        out = super().__enter__()
        # numba-cuda's occupancy hint: a small market fills few blocks, as intended
        warnings.filterwarnings("ignore", message=".*Grid size .* under-utilization")
        if self._simulator:
            warnings.filterwarnings("ignore", message="overflow encountered in scalar",
                                    category=RuntimeWarning)
        return out
