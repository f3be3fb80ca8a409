"""The compiled prototype bonus equals the NumPy form it replaced, bit for bit: ``twin`` is
``PrototypePreference.bonus`` as it was. Random installed bases (whole counts, as the
market passes, and fractions, where the order of the row's sum shows), rows without
owners, zero and negative weights."""

import numpy as np
import pytest

from sim.kernel.prototype import prototype_bonus


def twin(weight, installed):
    n = np.asarray(installed, dtype=float)
    total = n.sum(axis=1, keepdims=True)
    share = np.divide(n, total, out=np.zeros(n.shape), where=total > 0)
    return weight[:, None] * share


@pytest.mark.parametrize("seed", range(30))
def test_the_compiled_bonus_is_the_numpy_one_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    s, j = int(rng.integers(1, 6)), int(rng.integers(1, 9))
    installed = rng.choice([0.0, 1.0, 1e3, 1e7, 1e16], size=(s, j)) * (
        rng.uniform(size=(s, j)) if seed % 2 else 1.0)
    if seed % 2 == 0:
        installed = np.floor(installed * rng.uniform(size=(s, j)))
    installed[rng.uniform(size=s) < 0.3] = 0.0  # segments without owners
    weight = rng.choice([0.0, 0.5, 3.0, -1.0], size=s)
    out = np.empty((s, j))
    prototype_bonus(weight, installed, out)
    assert out.tobytes() == twin(weight, installed).tobytes()
