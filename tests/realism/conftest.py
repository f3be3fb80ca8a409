"""Fixtures for the market-realism tests (drifting preferences, distribution channels,
perceptual maps, analogy priors); ``realism_helpers`` importable."""

import pathlib
import sys

import pytest

from sim.cli import compose

_HERE = str(pathlib.Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)


@pytest.fixture(scope="session")
def two_firms():
    """Our hub against the incumbent only (features 0.70 vs 0.55), three years."""
    return compose(["~competitor@competitors.warrior", "~competitor@competitors.follower",
                    "horizon_days=1100"]).scenario()


@pytest.fixture(scope="session")
def channel_build():
    return compose(["scenario=channel_build", "horizon_days=900"]).scenario()
