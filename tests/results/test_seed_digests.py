"""``seed_digests``: a replication's config digest from the group's fields dumped once
equals ``fields_digest`` of the fields with its seed, for every seed (the resume check
compares them with the digests that earlier sweeps recorded)."""

import dataclasses

import numpy as np
import pytest

from sim.cli import compose
from sim.results.sweeps import SEED_MARK, config_digest, fields_digest, seed_digests


@pytest.fixture(scope="module")
def fields():
    return dataclasses.asdict(compose(["scenario=baseline", "outputs=compact"]))


@pytest.mark.parametrize("seed", [0, 1, 7, 9999, 12345678901234567890, -3])
def test_an_int_seeds_digest_equals_the_full_dump(fields, seed):
    assert seed_digests(fields)(seed) == fields_digest({**fields, "seed": seed})


@pytest.mark.parametrize("seed", [True, np.int64(5), 5.0, "5", None])
def test_a_seed_that_is_not_an_int_takes_the_full_dump(fields, seed):
    assert seed_digests(fields)(seed) == fields_digest({**fields, "seed": seed})


def test_the_digest_is_the_configs_digest():
    app = compose(["scenario=baseline", "outputs=compact", "seed=42"])
    assert seed_digests(dataclasses.asdict(app))(42) == config_digest(app)


def test_a_config_holding_the_mark_elsewhere_takes_the_full_dump(fields):
    """The text is split only where the mark occurs once: a value that reads like it
    (here a name) leaves every digest to ``fields_digest``."""
    odd = {**fields, "name": SEED_MARK}
    digests = seed_digests(odd)
    assert digests(3) == fields_digest({**odd, "seed": 3})
    assert digests(3) != seed_digests(fields)(3)
