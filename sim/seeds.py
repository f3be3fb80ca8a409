"""Independent random streams per named component of a run.

Each component (the market, each firm's development, research, marketing, each
competitor's observations, ...) gets a child of ``numpy.random.SeedSequence(seed)``
addressed by a fixed stream name, so adding a competitor or a component does not change
the draws of the others.
"""

import zlib

import numpy as np


def _sequence(seed: int, name: str) -> np.random.SeedSequence:
    if int(seed) < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    return np.random.SeedSequence(int(seed), spawn_key=(zlib.crc32(name.encode("utf-8")),))


def component_rng(seed: int, name: str) -> np.random.Generator:
    """A Generator for component ``name`` of the run with root ``seed``."""
    return np.random.default_rng(_sequence(seed, name))


def component_seed(seed: int, name: str) -> int:
    """A 63-bit integer seed for component ``name`` (for counter-based kernels)."""
    return int(_sequence(seed, name).generate_state(1, np.uint64)[0] >> np.uint64(1))
