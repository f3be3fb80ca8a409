"""Shared builders for scenario-engine tests."""

import dataclasses

import pytest

from sim.cli import compose


@pytest.fixture(scope="session")
def baseline():
    """The shipped baseline scenario (typed), for tests to copy and modify."""
    return compose([]).scenario()


def with_changes(cfg, **changes):
    """A copy of a dataclass config with top-level fields replaced."""
    return dataclasses.replace(cfg, **changes)
