"""GPU-backend tests: on numba's CUDA simulator by default (tests/conftest.py sets
NUMBA_ENABLE_CUDASIM=1 unless the environment says otherwise); the ``gpu``-marked tests
need a real GPU. Makes ``tests/naive.py`` and ``tests/kernel/kernel_markets.py``
importable."""

import pathlib
import sys

_TESTS = pathlib.Path(__file__).resolve().parents[1]
for _path in (str(_TESTS), str(_TESTS / "kernel")):
    if _path not in sys.path:
        sys.path.insert(0, _path)
