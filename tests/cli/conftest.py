"""Fixtures for command-line tests."""

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def cli_workdir(tmp_path_factory) -> Path:
    """A scratch working directory for command lines (default outputs/ land here)."""
    return tmp_path_factory.mktemp("cli")
