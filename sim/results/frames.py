"""A run's recorded rows -> a DataFrame, column by column: the same frame (columns, dtypes,
values) as ``pd.DataFrame(rows)``, with less of pandas' per-value type inference.

A column whose values are all Python ints (or ints and floats, or all bools) becomes its
NumPy array directly, of the dtype pandas infers for such a column (int64, float64, bool); any other column (strings,
mixed types, None) is handed to pandas as a list and inferred as before. Checked against
``pd.DataFrame(rows)`` on every shipped scenario in tests/results/test_frames.py.
"""

import numpy as np
import pandas as pd
import pyarrow as pa

_FLOAT = frozenset({float, np.float64})
# (value types, dtype) in order: pandas makes ints mixed with floats float64 (not bools)
_ARRAYS = ((frozenset({int}), np.int64), (_FLOAT | {int}, np.float64),
           (frozenset({bool}), np.bool_))


# pandas' dtype for a column of strings; Arrow-backed (pandas 3's "str") is built from
# an Arrow array of the strings, as pandas builds it from the list
_STR = pd.Series([""]).dtype
_ARROW_STR = getattr(_STR, "storage", None) == "pyarrow"


def _column(values: tuple, floats: bool = False):
    """The column's array where its values' types fix pandas' dtype, else a list;
    ``floats``: the caller's values are all Python floats (no check)."""
    if floats:
        return np.array(values, np.float64)
    kinds = set(map(type, values))
    if kinds == {str} and _ARROW_STR:
        return pd.array(pa.array(values, pa.large_string()), dtype=_STR)
    for types, dtype in _ARRAYS:
        if kinds <= types:
            try:
                return np.array(values, dtype)
            except OverflowError:  # an int beyond int64: pandas decides
                break
    return list(values)


def frame_of_dicts(rows: list) -> pd.DataFrame:
    """``pd.DataFrame(rows)`` for a list of dicts; by columns where every row has the
    first row's keys in its order (else pandas builds it from the rows)."""
    if not rows:
        return pd.DataFrame(rows)
    keys = tuple(rows[0])
    if not all(map(keys.__eq__, map(tuple, rows))):
        return pd.DataFrame(rows)
    columns = zip(*[r.values() for r in rows], strict=True)
    return pd.DataFrame({k: _column(v) for k, v in zip(keys, columns, strict=True)})


def frame_of_tuples(rows: list, columns: list, floats=()) -> pd.DataFrame:
    """``pd.DataFrame(rows, columns=columns)`` for a list of tuples of ``len(columns)``
    values (else pandas builds it from the rows); ``floats``: the columns whose values
    are all Python floats (the recorder makes them so)."""
    try:  # strict: every row of one length
        values = list(zip(*rows, strict=True)) if len(set(columns)) == len(columns) else []
    except ValueError:
        values = []
    if not rows or len(values) != len(columns):
        return pd.DataFrame(rows, columns=columns)
    return pd.DataFrame({k: _column(v, k in floats) for k, v in zip(columns, values, strict=True)})
