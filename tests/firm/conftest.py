"""Builders for per-actor tests: a fresh SimPy clock, a recorder and a funded ledger."""

import pytest
import simpy

from sim.firm.ledger import Ledger
from sim.recorder import Recorder


@pytest.fixture
def env():
    return simpy.Environment()


@pytest.fixture
def rec():
    return Recorder()


@pytest.fixture
def ledger(env, rec):
    """A ledger holding 10^9 (so discretionary spending is never cut) and no credit."""
    led = Ledger(env, "f", rec)
    led.post("financing:equity", 1e9)
    return led

