"""Shared builders for scenario-engine tests."""

import dataclasses

import pytest

from sim.cli import compose


@pytest.fixture(scope="session")
def shipped():
    """Every shipped scenario's config (typed), by name, composed once for the session."""
    from sim.cli.compose import scenarios

    return {name: compose([f"scenario={name}"]).scenario() for name in sorted(scenarios())}


@pytest.fixture(scope="session")
def baseline():
    """The shipped baseline scenario (typed), for tests to copy and modify."""
    return compose([]).scenario()


def with_changes(cfg, **changes):
    """A copy of a dataclass config with top-level fields replaced."""
    return dataclasses.replace(cfg, **changes)
