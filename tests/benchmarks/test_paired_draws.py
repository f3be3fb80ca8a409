"""The common-random-numbers benchmark (benchmarks/paired_draws.py) on a few seeds: it
prints every figure for both draw paths, and with keyed draws a +0.01% pulse that moves no
draw's outcome leaves the run as it was, where the Generator may drift."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_paired_draws_prints_both_paths():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "paired_draws.py"),
                          "--json", "--seeds", "3", "--price-seeds", "3", "--tiny-seeds", "3",
                          "--reactions"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    res = json.loads(out.stdout)
    keys = {"pulse_short_term_mean", "pulse_short_term_sd", "pulse_long_term_mean",
            "pulse_long_term_sd", "tiny_pulse_max_effect", "budget_paired_mean",
            "budget_paired_sd", "price_paired_mean", "price_paired_sd"}
    assert set(res["generator"]) == keys and set(res["counter"]) == keys
    assert res["counter"]["tiny_pulse_max_effect"] <= 0.001  # measured 0.0002
    assert res["counter"]["pulse_long_term_mean"] > 0
    # the rivals' reactions: each setting gives both levers' paired mean and sd
    assert list(res["reactions"]) == ["as_shipped", "follower_at_list_price",
                                      "and_incumbent_passive"]
    for row in res["reactions"].values():
        assert set(row) == {"budget_paired_mean", "budget_paired_sd", "price_paired_mean",
                            "price_paired_sd"}
    # as shipped, the keyed pairs are the benchmark's own (the same seeds and levers)
    assert res["reactions"]["as_shipped"]["price_paired_sd"] == res["counter"]["price_paired_sd"]
