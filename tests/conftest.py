"""Test-wide settings."""

import os

# GPU kernels are tested on numba's CUDA simulator; must be set before numba.cuda loads.
os.environ.setdefault("NUMBA_ENABLE_CUDASIM", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
