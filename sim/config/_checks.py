"""Range checks shared by the config dataclasses: one clear ValueError naming the key."""

import math


def check_range(key: str, value, low=None, high=None, low_open=False, high_open=False):
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{key} must be a number, got {value!r}")
    if math.isnan(value):
        raise ValueError(f"{key} must be a number, got nan")
    if low is not None and (value <= low if low_open else value < low):
        op = ">" if low_open else ">="
        raise ValueError(f"{key} must be {op} {low}, got {value}")
    if high is not None and (value >= high if high_open else value > high):
        op = "<" if high_open else "<="
        raise ValueError(f"{key} must be {op} {high}, got {value}")


def check_choice(key: str, value, allowed):
    if value not in allowed:
        raise ValueError(f"{key} must be one of {', '.join(map(str, allowed))}; got {value!r}")


def check_prob(key, value):
    check_range(key, value, 0.0, 1.0)


def check_nonneg(key, value):
    check_range(key, value, 0.0)


def check_positive(key, value):
    check_range(key, value, 0.0, low_open=True)


def check_finite_map(key, mapping, low=None, high=None):
    for name, value in mapping.items():
        check_range(f"{key}.{name}", value, low, high)
        if value is not None and math.isinf(value):
            raise ValueError(f"{key}.{name} must be finite, got {value}")
