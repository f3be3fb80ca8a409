"""A small sweep on a local Ray instance through hydra-ray-launcher (the cluster path)."""

import os
import subprocess
import sys

import pandas as pd
import pytest

pytest.importorskip("hydra_plugins.hydra_ray_launcher")


def test_ray_local_sweep_writes_the_combined_table(tmp_path):
    sweep = tmp_path / "sweep"
    env = {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}
    proc = subprocess.run(
        [sys.executable, "-m", "sim.cli", "-m", "hydra/launcher=ray_local",
         "scenario=baseline,price_war", "seed=0,1", "horizon_days=200", "plots=false",
         f"hydra.sweep.dir={sweep}"],
        capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "include_dashboard': False" in proc.stdout + proc.stderr
    table = pd.read_parquet(sweep / "kpis.parquet")
    assert len(table) == 4
    assert (table["status"] == "ok").all()
    assert sorted(zip(table["override.scenario"], table["override.seed"], strict=True)) == [
        ("baseline", "0"), ("baseline", "1"), ("price_war", "0"), ("price_war", "1")]
    assert table["npv"].notna().all()
