"""The kernel's Numba cache is keyed by the whole kernel package (``sim.kernel._numba_cache``):
a change to a callee's module reaches a caller cached in another module."""

import subprocess
import sys
import textwrap

from numba.core import caching

import sim.kernel.aggregate  # noqa: F401  (its modules' functions decorated)
from sim.kernel import _aggregate_step, _binomial_lanes, binomial
from sim.kernel._numba_cache import LOCATORS, install, kernel_digest, source_digest

CALLEE = """
from numba import njit
@njit(cache=True)
def value():
    return {value}
"""
CALLER = """
from numba import njit
from callee import value
@njit(cache=True)
def twice():
    return 2 * value()
"""
RUN = """
import sys
from pathlib import Path
import sim.kernel._numba_cache as nc
nc.KERNEL_DIR = Path(sys.argv[1]).resolve()
nc.install()
sys.path.insert(0, sys.argv[1])
from caller import twice
print(twice())
"""


def test_the_digest_follows_every_file(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    first = source_digest(tmp_path)
    assert source_digest(tmp_path) == first
    (tmp_path / "a.py").write_text("x = 2\n")
    second = source_digest(tmp_path)
    (tmp_path / "b.py").write_text("")
    assert len({first, second, source_digest(tmp_path)}) == 3


def test_kernel_functions_are_cached_under_the_kernel_digest():
    assert caching.CacheImpl._locator_classes[:len(LOCATORS)] == list(LOCATORS)
    for fn in (binomial.binomial, _aggregate_step.step_aggregate, _binomial_lanes.draw_lanes):
        locator = fn._cache._impl._locator
        assert isinstance(locator, LOCATORS)
        assert locator.get_source_stamp()[1] == kernel_digest()


def test_files_outside_the_kernel_keep_numbas_locators(tmp_path):
    path = tmp_path / "elsewhere.py"
    path.write_text("def f():\n    return 1\n")
    in_tree = LOCATORS[1]
    assert in_tree.__name__ == "KernelInTreeCacheLocator"
    assert in_tree.from_function(test_the_digest_follows_every_file, str(path)) is None


def test_numba_cudas_cache_gets_the_same_locators():
    """numba-cuda keeps its own copy of Numba's caching module (GPU kernels are cached on a
    GPU only; the simulator caches nothing): the kernel's locators go first there too."""
    from numba.cuda.core import caching as cuda_caching

    locators = install(cuda_caching)
    assert install(cuda_caching) == locators  # once
    classes = cuda_caching.CacheImpl._locator_classes
    assert classes[:3] == list(locators) and classes.count(locators[0]) == 1
    assert all(issubclass(loc, base) for loc, base in zip(locators, classes[3:6], strict=True))


def test_a_changed_callee_reaches_a_cached_caller_in_another_file(tmp_path):
    """Numba alone keys the caller's cache by the caller's file: the second run would
    print 2 again (the callee's old code, compiled into the caller's cache)."""
    (tmp_path / "caller.py").write_text(textwrap.dedent(CALLER))
    (tmp_path / "run.py").write_text(textwrap.dedent(RUN))
    printed = []
    for value in (1, 5):
        (tmp_path / "callee.py").write_text(textwrap.dedent(CALLEE.format(value=value)))
        done = subprocess.run([sys.executable, str(tmp_path / "run.py"), str(tmp_path)],
                              capture_output=True, text=True, check=True)
        printed.append(done.stdout.split())
    assert printed == [["2"], ["10"]]
    assert list((tmp_path / "__pycache__").glob("caller.twice-*.nbi"))  # cached, not skipped
