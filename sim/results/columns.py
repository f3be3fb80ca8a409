"""A run's records as columns: each table a dict of NumPy arrays, the arrays its DataFrame
would hand out (``frame[c].to_numpy()``), made without building the frame.

The KPIs read a run's tables as columns (``sim.results.kpis`` and the modules it calls);
``Results`` builds the DataFrames only when a table is read. A table's column array is
made by the rule ``sim.results.frames`` uses for the frame (the dtype pandas infers for a
column of Python ints, floats or bools); strings become an object array of the strings, as
``to_numpy()`` gives them from pandas' string column; any other column (None, mixed types)
is inferred by pandas, as the frame's is. ``tests/results/test_columns.py`` checks every
shipped scenario's columns against its frames', value for value and dtype for dtype.
"""

from typing import NamedTuple

import numpy as np
import pandas as pd

from sim.results.arrays import LedgerCodes
from sim.results.frames import _ARRAYS, _STR

EVENT_COLUMNS = ["t", "firm", "product", "kind", "detail"]
LEDGER_COLUMNS = ["t", "firm", "account", "amount", "product"]


def object_array(values) -> np.ndarray:
    """The values as an object array, each kept as it is (as ``pd.Series(values,
    dtype=object)`` holds them)."""
    out = np.empty(len(values), object)
    out[:] = values
    return out


def column_array(values, floats: bool = False) -> np.ndarray:
    """The array ``frame[c].to_numpy()`` gives for a column of these values;
    ``floats``: the values are all Python floats (no check)."""
    if floats:
        return np.array(values, np.float64)
    kinds = set(map(type, values))
    if kinds == {str}:
        return object_array(values)
    for types, dtype in _ARRAYS:
        if kinds and kinds <= types:
            try:
                return np.array(values, dtype)
            except OverflowError:  # an int beyond int64: pandas decides
                break
    return pd.Series(list(values)).to_numpy()


def table_columns(table) -> dict:
    """A table as columns: a DataFrame's ``{c: frame[c].to_numpy()}``; columns as they are."""
    if isinstance(table, pd.DataFrame):
        return {c: table[c].to_numpy() for c in table.columns}
    return table


def n_rows(table: dict) -> int:
    """The number of rows of a table given as columns (0 without columns)."""
    return len(next(iter(table.values()))) if table else 0


def tuple_columns(rows: list, names: list, floats=()) -> dict | None:
    """The columns of ``pd.DataFrame(rows, columns=names)`` for a list of tuples of
    ``len(names)`` values; None where there are no rows or a row of another length (the
    caller builds the frame)."""
    if not rows or len(set(names)) != len(names):
        return None
    try:
        values = list(zip(*rows, strict=True))
    except ValueError:
        return None
    if len(values) != len(names):
        return None
    return {k: column_array(v, k in floats) for k, v in zip(names, values, strict=True)}


def dict_columns(rows: list) -> dict | None:
    """The columns of ``pd.DataFrame(rows)`` for a list of dicts; None where there are no
    rows or a row has other keys than the first (the caller builds the frame)."""
    if not rows:
        return None
    keys = tuple(rows[0])
    if not all(map(keys.__eq__, map(tuple, rows))):
        return None
    values = zip(*[r.values() for r in rows], strict=True)
    return {k: column_array(v) for k, v in zip(keys, values, strict=True)}


def frame_of_columns(columns: dict, names: list) -> pd.DataFrame:
    """A DataFrame of these columns, a column of strings as pandas' string column (the
    frame of the run's rows has them so)."""
    def column(v):
        if v.dtype == object and len(v) and set(map(type, v)) == {str}:
            return pd.array(v, dtype=_STR)
        return v
    return pd.DataFrame({c: column(np.asarray(columns[c])) for c in names})


def sort_by(columns: dict, key: str) -> dict:
    """The columns' rows in the order of ``frame.sort_values(key, kind="stable")`` (pandas'
    ``nargsort``: the values that are not NaN sorted, ties in table order, then the NaN rows
    in table order). Stable, not the quicksort ``sort_values`` uses by default: NumPy's
    quicksort is a SIMD sort on AVX2 and AVX-512 CPUs, which leaves ties in an order that
    depends on the CPU (a day's ledger rows summed in another order: docs/architecture.md)."""
    values = np.asarray(columns[key])
    nan = pd.isna(values)
    rows = np.arange(len(values))
    order = rows[~nan][values[~nan].argsort(kind="stable")]
    if nan.any():
        order = np.concatenate([order, rows[nan]])
    return {c: v[order] for c, v in columns.items()}


class RunColumns(NamedTuple):
    """A run's tables as columns, and the ledger's firm and account codes (``LedgerCodes``,
    shared by every reader of the ledger)."""

    timeseries: dict
    events: dict
    ledger: dict
    tasks: dict
    codes: LedgerCodes


def ledger_codes(ledger) -> LedgerCodes:
    """The ledger's ``LedgerCodes`` (a DataFrame or its columns)."""
    ledger = table_columns(ledger)
    firm, firms = pd.factorize(ledger["firm"])
    account, accounts = pd.factorize(ledger["account"])
    return LedgerCodes(firm, firms, account, accounts)
