"""The hardening audit's malformed inputs (issue 14) as a table-driven test.

Every row of ``fuzz_table.FUZZ`` (at least 60) must end with exit status 2 and one line
``marketsim: error: ...`` naming the key, with no traceback and within ``TIMEOUT`` seconds
(no hang), and leave a complete earlier run's files byte-for-byte as they were (hashed
before and after). Two sweep rows join them: a bad sweep into an earlier sweep's directory
must not rewrite its ``multirun.yaml``, and a sweep into a directory whose lock another
sweep holds is refused. All rows run through ``cli_forkrun.py`` (real processes running
``sim.cli.main``, one import for all, two at a time).
"""

import hashlib
import os

import pytest
from cli_helpers import run_forked_timed, run_marketsim
from fuzz_audit import BASE, TIMEOUT, classify, command
from fuzz_table import FUZZ

from sim.results.sweeps import sweep_lock

# numba's CUDA simulator (on in CI) runs backend=cuda, slowly: that row then proves nothing
SIMULATOR = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"
ROWS = [row for row in FUZZ if not (SIMULATOR and row[0] == "cuda_without_gpu")]
EXTRA = {
    "bad_sweep_into_an_earlier_sweep": (["sed", "did you mean 'seed'"]),
    "sweep_into_a_locked_directory": (["hydra.sweep.dir", "another marketsim sweep"]),
}


def digests(root) -> dict:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory):
    work = tmp_path_factory.mktemp("fuzz")
    run_dir = work / "run"
    proc = run_marketsim([*BASE, f"hydra.run.dir={run_dir}"], cwd=work)
    assert proc.returncode == 0, proc.stderr
    old_sweep = work / "old_sweep"
    (old_sweep / "0").mkdir(parents=True)
    (old_sweep / "multirun.yaml").write_text("an earlier sweep's config\n")
    (old_sweep / "0" / "job.json").write_text('{"overrides": ["seed=0"], "status": "ok"}')
    locked = work / "locked_sweep"
    locked.mkdir()
    before = {"run": digests(run_dir), "old_sweep": digests(old_sweep)}
    # with a GPU (or numba's simulator, on in CI) the CUDA row succeeds, which rightly
    # replaces the run it points at: it gets a directory of its own
    cases = [(command(work / "cuda_run" if name == "cuda_without_gpu" else run_dir, args), {})
             for name, args, _ in ROWS]
    cases.append((["-m", "sed=0,1", f"hydra.sweep.dir={old_sweep}"], {}))
    cases.append((["-m", "seed=0,1", "horizon_days=30", f"hydra.sweep.dir={locked}"], {}))
    lock = sweep_lock(locked)  # another sweep is writing there
    try:
        results = run_forked_timed(cases, work / "forked", TIMEOUT)
    finally:
        lock.close()
    after = {"run": digests(run_dir), "old_sweep": digests(old_sweep)}
    names = [name for name, _, _ in ROWS] + list(EXTRA)
    return dict(zip(names, results, strict=True)), before, after, work


def test_at_least_sixty_malformed_inputs():
    assert len(ROWS) >= 60
    assert len({name for name, _, _ in FUZZ}) == len(FUZZ)


@pytest.mark.parametrize(("name", "fragments"),
                         [(n, f) for n, _, f in ROWS] + list(EXTRA.items()))
def test_malformed_input_is_one_clear_line_exit_2(fuzzed, name, fragments):
    result = fuzzed[0][name]
    if name == "cuda_without_gpu" and result["rc"] == 0:
        pytest.skip("this machine has a usable CUDA GPU (or the simulator is on)")
    kind = classify(result, fragments)
    assert kind == "clear", (kind, result["rc"], result["stderr"][-1500:])


def test_the_earlier_run_and_sweep_are_untouched(fuzzed):
    _, before, after, work = fuzzed
    assert after == before
    # nothing was written beside them either (no attempt directories, no stray output)
    assert sorted(p.name for p in work.iterdir() if p.name != "cuda_run") == [
        "forked", "locked_sweep", "old_sweep", "run"]
