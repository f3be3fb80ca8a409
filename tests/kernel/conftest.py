"""Kernel tests: make ``tests/naive.py`` and ``tests/kernel/kernel_markets.py`` importable."""

import pathlib
import sys

_HERE = pathlib.Path(__file__).resolve().parent
for _path in (str(_HERE.parent), str(_HERE)):
    if _path not in sys.path:
        sys.path.insert(0, _path)
