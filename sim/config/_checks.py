"""Range checks shared by the config dataclasses: one clear ValueError naming the key.

Every number must be finite (NaN and infinity are refused everywhere); ``bounds.py`` gives
the magnitude each kind of number may have, and ``check_numbers`` applies it to every
numeric field of a dataclass tree.
"""

import math
import unicodedata


def number_text(x) -> str:
    """A number as a user would write it: a whole float without its ``.0`` (a key typed
    ``-3`` is held as ``-3.0`` by a float field, and its error said ``got -3.0``), any
    other value as Python prints it (``0.5``, ``1e-07``)."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return str(x)


def check_range(key: str, value, low=None, high=None, low_open=False, high_open=False):
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{key} must be a number, got {value!r}")
    if math.isnan(value):
        raise ValueError(f"{key} must be a number, got nan")
    if math.isinf(value):
        raise ValueError(f"{key} must be finite, got {value}")
    if low is not None and (value <= low if low_open else value < low):
        op = ">" if low_open else ">="
        raise ValueError(f"{key} must be {op} {number_text(low)}, got {number_text(value)}")
    if high is not None and (value >= high if high_open else value > high):
        op = "<" if high_open else "<="
        # a fraction given as a percent (discount_rate_per_year=10): say how to write it
        hint = (f" (a fraction: write {value / 100:g} for {value:g}%)"
                if 0 < high <= 2 and 1 < value <= 100 and value / 100 <= high else "")
        raise ValueError(f"{key} must be {op} {number_text(high)}, got "
                         f"{number_text(value)}{hint}")


def check_choice(key: str, value, allowed):
    if value not in allowed:
        raise ValueError(f"{key} must be one of {', '.join(map(str, allowed))}; got {value!r}")


def check_prob(key, value):
    check_range(key, value, 0.0, 1.0)


def check_nonneg(key, value, high=None):
    check_range(key, value, 0.0, high)


def check_positive(key, value, high=None):
    check_range(key, value, 0.0, high, low_open=True)


def check_finite_map(key, mapping, low=None, high=None):
    for name, value in mapping.items():
        check_range(f"{key}.{name}", value, low, high)


NAME_MAX_CHARS = 100


def check_name(key: str, value) -> None:
    """A name: non-empty text of at most ``NAME_MAX_CHARS`` characters, without path
    separators or control characters (names become table values, labels and, for a
    scenario, part of the run directory's path)."""
    if not isinstance(value, str):
        raise ValueError(f"{key} must be text, got {value!r}")
    if not value.strip():
        raise ValueError(f"{key} must not be empty, got {value!r}")
    if len(value) > NAME_MAX_CHARS:
        raise ValueError(f"{key} must be at most {NAME_MAX_CHARS} characters, got "
                         f"{len(value)}")
    bad = [c for c in value if c in "/\\" or unicodedata.category(c).startswith("C")]
    if bad:
        raise ValueError(f"{key} must not contain {bad[0]!r} (no '/', '\\' or control "
                         f"characters), got {value!r}")
