"""The alternating A/B benchmark of two commits: its summary's arithmetic, its error for a
name that is no commit, and (slow: a fresh worktree compiles its kernels) one real
comparison of a commit with itself. Speed is never asserted."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "ab_commits.py"


def test_summary_takes_medians_over_processes_and_the_ratio():
    from benchmarks.ab_commits import summary
    out = summary({"base": [(80.0, 84.0), (90.0, 95.0), (70.0, 71.0)],
                   "head": [(60.0, 66.0), (75.0, 76.0)]})
    assert out["base"] == {"median_best_ms": 80.0, "median_p20_ms": 84.0,
                           "min_best_ms": 70.0, "processes": 3}
    assert out["head"]["median_best_ms"] == 67.5 and out["head"]["median_p20_ms"] == 71.0
    assert out["head_over_base_median_best"] == 67.5 / 80.0
    assert out["head_over_base_median_p20"] == 71.0 / 84.0


def test_summary_refuses_a_side_without_times():
    from benchmarks.ab_commits import summary
    with pytest.raises(ValueError, match="'head'"):
        summary({"base": [(1.0, 1.0)], "head": []})


def test_a_name_that_is_no_commit_is_one_clear_error():
    proc = subprocess.run([sys.executable, str(SCRIPT), "--base", "no-such-commit-xyz"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "'no-such-commit-xyz'" in proc.stderr and "--base" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_a_commit_against_itself_reports_both_sides():
    proc = subprocess.run([sys.executable, str(SCRIPT), "--base", "HEAD", "--head", "HEAD",
                           "--reps", "1", "--runs", "2", "--kpis-only",
                           "--override", "scenario=bass_only",
                           "--override", "horizon_days=140"],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    for side in ("base", "head"):
        assert out[side]["processes"] == 1 and out[side]["median_best_ms"] > 0.0
    assert out["head_over_base_median_best"] > 0.0
    assert out["base_commit"] == out["head_commit"] and len(out["base_commit"]) == 40
    listed = subprocess.run(["git", "worktree", "list"], cwd=ROOT, capture_output=True,
                            text=True).stdout
    assert "ab_commits_" not in listed  # the worktrees are gone
