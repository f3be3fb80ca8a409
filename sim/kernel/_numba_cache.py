"""Numba's on-disk cache of the kernel, kept fresh across its modules.

Numba keys a cached function by the content of its own source file only, yet the cached
code includes every function it calls, compiled into it. A change to ``binomial.py``
therefore left ``_aggregate_step.py``'s cached step running the old draws (a known Numba
limitation: numba/numba#1833 and its documentation's caching notes), and a change of a
layout shared across two files crashed a process that loaded such a mix. After a
``git pull`` of a checkout installed with ``pip install -e .``, a strategist could get
either.

``install()`` puts locators in front of Numba's own for the files of ``sim/kernel``: the
same cache directories (``NUMBA_CACHE_DIR``, then ``__pycache__`` next to the module,
then the user-wide one), with a source stamp that is the module's own and a digest of
every ``sim/kernel/*.py`` file: a change to any kernel module recompiles every kernel
function once. Files outside ``sim/kernel`` keep Numba's locators unchanged.
"""

import functools
import hashlib
from pathlib import Path

from numba.core import caching

KERNEL_DIR = Path(__file__).resolve().parent


def source_digest(directory: Path) -> str:
    """SHA-256 over the names and contents of the ``*.py`` files of ``directory``."""
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


_digest_once = functools.lru_cache(maxsize=4)(source_digest)


def kernel_digest() -> str:
    """``source_digest`` of ``KERNEL_DIR`` (``sim/kernel``), once per process."""
    return _digest_once(KERNEL_DIR)


class _KernelStamp:
    """A locator of Numba's whose source stamp also covers the whole kernel package."""

    def get_source_stamp(self):
        return (super().get_source_stamp(), kernel_digest())

    @classmethod
    def from_function(cls, py_func, py_file):
        try:
            in_kernel = Path(py_file).resolve().parent == KERNEL_DIR
        except (OSError, TypeError):
            in_kernel = False
        return super().from_function(py_func, py_file) if in_kernel else None


def _locators(module) -> tuple:
    """The kernel's locators over ``module``'s (Numba's ``numba.core.caching`` or
    numba-cuda's ``numba.cuda.core.caching``, whose classes have a leading underscore):
    ``NUMBA_CACHE_DIR``, then ``__pycache__`` next to the module, then the user-wide cache
    directory (a read-only install)."""
    names = ("UserProvidedCacheLocator", "InTreeCacheLocator", "UserWideCacheLocator")
    bases = [getattr(module, name, None) or getattr(module, "_" + name) for name in names]
    return tuple(type("Kernel" + base.__name__.lstrip("_"), (_KernelStamp, base), {})
                 for base in bases)


LOCATORS = _locators(caching)
_BUILT = {caching.__name__: LOCATORS}  # the locators of each caching module, built once


def install(module=caching) -> tuple:
    """Put the kernel's locators first in ``module``'s list of locators (once); to run
    before any kernel function is decorated (``sim.kernel._numba`` does, on import, for
    Numba; ``sim.kernel._cuda_jit`` for numba-cuda). Returns the locators."""
    locators = _BUILT.get(module.__name__)
    if locators is None:
        locators = _BUILT[module.__name__] = _locators(module)
    classes = module.CacheImpl._locator_classes
    if classes[:len(locators)] != list(locators):
        classes[:0] = locators
    return locators
