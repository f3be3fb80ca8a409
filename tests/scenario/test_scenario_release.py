"""``run_scenario`` frees the demand kernel's state when its run ends (``Market.close``),
not when the garbage collector next breaks the SimPy world's reference cycles: an agent
market's arrays (hundreds of MB at 10^7 customers) would otherwise pile up over the runs
of a sweep or a benchmark. Checked with the collector off, so only reference counting can
free it."""

import gc
import weakref

import pytest

from sim.cli import compose
from sim.kernel import AgentMarket, AggregateMarket
from sim.scenario import build_world, run_scenario

SMALL = ["horizon_days=60", "market.segments.0.size=60000", "market.segments.1.size=150000",
         "market.segments.2.size=80000"]


def _kernels(monkeypatch, cls):
    made = []
    real = cls.__init__

    def spy(self, *a, **k):
        made.append(weakref.ref(self))
        real(self, *a, **k)

    monkeypatch.setattr(cls, "__init__", spy)
    return made


@pytest.mark.parametrize("mode, cls", [("agent", AgentMarket), ("aggregate", AggregateMarket)])
def test_the_kernel_is_freed_when_the_run_ends(monkeypatch, mode, cls):
    cfg = compose(["scenario=baseline", f"mode={mode}", *SMALL]).scenario()
    # a warm process, as in a sweep or a benchmark: a process's first run also compiles
    # or loads the kernels and freezes the heap (``sim.scenario._freeze_warm_heap``),
    # one-time work outside what is checked here (the agent case failed once in a whole
    # suite and passed in every rerun; the cause was not found)
    run_scenario(cfg, 2)
    made = _kernels(monkeypatch, cls)
    gc.collect()
    gc.disable()
    try:
        res = run_scenario(cfg, 3)
        assert len(made) == 1
        assert made[0]() is None  # gone by reference counting alone
        assert res.kpis["npv"] is not None
        # a world run without run_scenario keeps its kernel until the market is closed
        env, _firms, market, _rec = build_world(cfg, 3)
        env.run(until=cfg.horizon_days)
        assert made[1]() is market.kernel
        market.close()
        assert made[1]() is None
    finally:
        gc.enable()
