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

from operator import itemgetter
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


def tuple_columns(rows: list, names: list, floats=(), keep=None) -> dict | None:
    """The columns of ``pd.DataFrame(rows, columns=names)`` for a list of tuples of
    ``len(names)`` values; None where there are no rows or a row of another length (the
    caller builds the frame). ``keep``: only these of the names, in this order (a full
    run's KPIs read 19 of its timeseries' 37 columns: the others' type checks and arrays
    were half of the columns' time)."""
    if not rows or len(set(names)) != len(names):
        return None
    try:
        values = list(zip(*rows, strict=True))
    except ValueError:
        return None
    if len(values) != len(names):
        return None
    if keep is not None:
        at = {k: i for i, k in enumerate(names)}
        return {k: column_array(values[at[k]], k in floats) for k in keep if k in at}
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
    if values.dtype.kind in "iuf" and bool(np.all(values[1:] >= values[:-1])):
        # in order already, no NaN (a NaN compares False): the stable order is the rows'
        # own (a run's timeseries, recorded step by step); the same arrays, not copies
        return dict(columns)
    nan = pd.isna(values)
    rows = np.arange(len(values))
    order = rows[~nan][values[~nan].argsort(kind="stable")]
    if nan.any():
        order = np.concatenate([order, rows[nan]])
    return {c: v[order] for c, v in columns.items()}


class RunColumns(NamedTuple):
    """A run's tables as columns (of the timeseries, the columns the KPIs read,
    ``sim.recorder.KPI_COLUMNS``), and the ledger's firm and account codes
    (``LedgerCodes``, shared by every reader of the ledger)."""

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


def _string_codes(column: np.ndarray):
    """(column, codes, uniques) of a column of strings (an object array, as
    ``column_array`` makes it): ``pd.factorize``'s codes and names; None where a value is
    not a string. The types are checked on the few names, not on every value (that pass
    was a sixth of the ledger's columns' time): a value that is not a string is a name of
    its own, or missing (code -1), unless it equals a string before it (a ``str``
    subclass, ``np.str_``: equal values, as a KPI compares them)."""
    codes, names = pd.factorize(column)
    if not len(column) or (codes < 0).any() or not all(type(n) is str for n in names):
        return None
    return column, codes, names


def ledger_columns(rows: list, products: list):
    """(columns, ``LedgerCodes``) of the ledger's rows (t, firm, account, amount tuples, the
    times and amounts Python floats, as the firms' ledgers post them) and their products:
    the columns ``tuple_columns`` makes, the firms and accounts factorized as
    ``ledger_codes`` does; None where the rows make no columns or a firm or account is not
    a string (the caller takes the general way).

    Each column is taken from the rows by an ``itemgetter`` pass, not by ``zip(*rows)``:
    the zip makes an iterator per row (some 12,000 in a baseline run), each tracked by the
    garbage collector, which set off about 15 of a run's 35 young collections and, through
    them, some of its full ones."""
    n = len(rows)
    # every row of 4 values: none shorter (itemgetter(3) would raise), their sum 4 n
    if not n or sum(map(len, rows)) != 4 * n:
        return None
    try:
        t, amount = (np.fromiter(map(itemgetter(k), rows), np.float64, n) for k in (0, 3))
    except IndexError:  # a row shorter than 4
        return None
    firms, accounts = (_string_codes(np.fromiter(map(itemgetter(k), rows), object, n))
                       for k in (1, 2))
    if firms is None or accounts is None:
        return None
    columns = {"t": t, "firm": firms[0], "account": accounts[0], "amount": amount,
               "product": object_array(products)}
    return columns, LedgerCodes(*firms[1:], *accounts[1:])
