"""The same seed gives the same KPIs, to the bit, whichever SIMD code NumPy and OpenBLAS
pick for the CPU.

On a CPU with AVX-512 NumPy computes ``exp``, ``log``, ``expm1``, ``log1p`` and ``power`` on
float64 with its own vectorised code, which differs from the C library's in the last
place; OpenBLAS, which NumPy's ``@`` calls, picks its kernels by CPU, and they add in other
orders. A run that called them gave other bits on another machine (measured on an AMD
EPYC with AVX-512: 72 of the 342 files ``benchmarks/check_identical.py`` digests
differed without NumPy's AVX-512 code, 38 with OpenBLAS's Haswell kernels). The domain
and results layers call the C library's functions (``sim.kernel.libm``) and multiply in
a fixed order (``sim.kernel.dots``). Here every shipped scenario runs with seeds 0 and 1
in this process, as NumPy and OpenBLAS choose on this machine, and in a second process
with NumPy's AVX-512 and AVX2 code switched off (``NPY_DISABLE_CPU_FEATURES``, which may
name features a machine lacks) and OpenBLAS's kernels for an older CPU
(``OPENBLAS_CORETYPE``). On that EPYC, with NumPy's functions in the run, ``norton_bass``
seed 0, ``order_of_entry`` seed 1 and ``product_line`` seed 0 differed.
"""

import os
import pickle
import subprocess
import sys

from sim.results.files import kpis_text
from sim.scenario import run_scenario

# NumPy's dispatch targets above its x86-64 baseline; OpenBLAS's kernels for a CPU of 2008
# (SSE only, no fused multiply-add), which runs on any x86-64 CPU
PLAIN = {"NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR",
         "OPENBLAS_CORETYPE": "Nehalem"}
SEEDS = (0, 1)

SCRIPT = """
import pickle, sys
from sim.results.files import kpis_text
from sim.scenario import run_scenario
for name, cfg in pickle.load(sys.stdin.buffer).items():
    for seed in SEEDS:
        print(f"{name}/{seed}", kpis_text(run_scenario(cfg, seed, kpis_only=True).kpis)
              .replace(chr(10), " "))
""".replace("SEEDS", repr(SEEDS))


def test_every_shipped_scenario_gives_the_same_kpis_with_older_simd_code(shipped, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in PLAIN}
    (tmp_path / "configs.pkl").write_bytes(pickle.dumps(shipped))
    with open(tmp_path / "configs.pkl", "rb") as configs, \
            open(tmp_path / "out.txt", "w+") as out, open(tmp_path / "err.txt", "w+") as err:
        proc = subprocess.Popen([sys.executable, "-c", SCRIPT],
                                env={**env, **PLAIN},
                                stdin=configs, stdout=out, stderr=err)
        # the same runs here while that process runs them (kpis.json's text: every bit)
        native = {f"{name}/{seed}": kpis_text(run_scenario(cfg, seed, kpis_only=True).kpis)
                  .replace("\n", " ") for name, cfg in shipped.items() for seed in SEEDS}
        assert proc.wait(timeout=600) == 0, (tmp_path / "err.txt").read_text()[-2000:]
    plain = dict(line.split(" ", 1) for line in (tmp_path / "out.txt").read_text().splitlines())
    assert len(native) >= 30 and plain.keys() == native.keys()
    differ = [run for run in native if plain[run] != native[run]]
    assert not differ, f"KPIs differ with NumPy's and OpenBLAS's older code in {differ}"
