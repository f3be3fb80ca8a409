"""The scenario engine with backend=cuda (agent mode) gives the CPU backend's results."""

import pandas as pd
from cuda_helpers import require_backend

from sim.cli import compose
from sim.scenario import run_scenario

# bass_only with 250 customers and hazards raised so that a short run moves
OVERRIDES = ["scenario=bass_only", "mode=agent", "market.segments.0.size=250",
             "market.segments.0.p=0.5", "market.segments.0.q=3.0", "horizon_days=140"]


def test_bass_only_identical_on_both_backends():
    require_backend()
    runs = {}
    for backend in ("cpu", "cuda"):
        app = compose([*OVERRIDES, f"backend={backend}"])
        assert (app.mode, app.backend) == ("agent", backend)
        runs[backend] = run_scenario(app.scenario(), 3)
    cpu, gpu = runs["cpu"], runs["cuda"]
    for table in ("timeseries", "segments", "events", "ledger"):
        pd.testing.assert_frame_equal(getattr(gpu, table), getattr(cpu, table), obj=table)
    assert gpu.kpis == cpu.kpis
    assert cpu.timeseries["installed_base"].iloc[-1] > 20  # the market moved
