"""pandas' reductions and Series operations on NumPy arrays, the same floats without
building frames (checked against pandas in tests/results/test_fast_paths.py and
tests/results/test_customers_arrays.py)."""

from typing import NamedTuple

import numpy as np


def group_sum(keys: np.ndarray, values: np.ndarray):
    """``pd.Series(values).groupby(keys).sum()`` as (sorted keys, sums), the same floats:
    pandas adds a group's values in row order, by ``np.add.reduceat`` when the groups come
    in key order and no value is NaN, else with Kahan compensation (its cython
    ``group_sum``: NaN skipped, the compensation reset after an infinity)."""
    uniq, codes = np.unique(keys, return_inverse=True)
    values = np.asarray(values, float)
    if not len(values):
        return uniq, np.zeros(0)
    if np.all(codes[1:] >= codes[:-1]) and not np.isnan(values).any():
        return uniq, np.add.reduceat(values, np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]))
    order = np.argsort(codes, kind="stable")  # each group's values in row order
    start = np.searchsorted(codes[order], np.arange(len(uniq)))
    size = np.bincount(codes, minlength=len(uniq))
    total, comp = np.zeros(len(uniq)), np.zeros(len(uniq))
    for k in range(int(size.max())):
        g = np.flatnonzero(size > k)
        v = values[order[start[g] + k]]
        ok = ~np.isnan(v)
        g, v = g[ok], v[ok]
        with np.errstate(invalid="ignore"):  # an infinity: NaN compensation, reset
            y = v - comp[g]
            t = total[g] + y
            c = t - total[g] - y
        comp[g] = np.where(np.isnan(c), 0.0, c)
        total[g] = t
    return uniq, total


def running(x: np.ndarray) -> np.ndarray:
    """``Series.cumsum()``: NaN kept in place, skipped in the running sum."""
    nan = np.isnan(x)
    out = np.cumsum(np.where(nan, 0.0, x))
    out[nan] = np.nan
    return out


def clip(x, lower=None, upper=None):
    """``Series.clip(lower, upper)`` with scalar bounds: a value below ``lower`` (above
    ``upper``) is replaced by it, NaN kept."""
    nan = np.isnan(x)
    out = x
    if lower is not None:
        out = np.where(nan | (x >= lower), out, lower)
    if upper is not None:
        out = np.where(nan | (x <= upper), out, upper)
    return out


def clip_upper_to(x, bound):
    """``Series.clip(upper=other)`` with a Series of bounds: a NaN bound is no bound."""
    keep = (x <= np.where(np.isnan(bound), np.inf, bound)) | np.isnan(x)
    return np.where(keep, x, bound)


def fillna(x, value: float):
    return np.where(np.isnan(x), value, x)


def positive_or_nan(x):
    """``Series.where(x > 0)``: NaN where not positive."""
    return np.where(x > 0, x, np.nan)


def shift(x, fill=np.nan):
    """``Series.shift(1)`` (as float: an integer column becomes float64 with NaN first)."""
    out = np.empty(len(x))
    if len(x):
        out[0] = fill
        out[1:] = x[:-1]
    return out


def total(x) -> float:
    """``float(Series(x).sum())``: an integer column's exact sum, a float column's NaN
    skipped (numpy's summation of the same array, as pandas')."""
    return float(x.sum()) if x.dtype.kind in "iub" else float(np.nansum(x))


def reindex(keys, values, at, fill=np.nan):
    """``Series(values, index=keys).reindex(at, fill_value=fill)`` for sorted unique
    ``keys``: each value of ``at``'s key, ``fill`` where it has none."""
    pos = np.minimum(np.searchsorted(keys, at), max(len(keys) - 1, 0))
    found = (keys[pos] == at) if len(keys) else np.zeros(len(at), bool)
    return np.where(found, values[pos] if len(keys) else fill, fill)


def code_filter(codes: np.ndarray, names, match) -> np.ndarray:
    """The rows whose name matches (``match(name)``), of a column given as its codes and
    names (``pd.factorize``; -1, a missing value, never matches): the filter
    ``np.isin(codes, [k for k, n in enumerate(names) if match(n)])`` gives, by a lookup of
    each code in a table of the names (a tenth of ``isin``'s time on a ledger's rows)."""
    return np.array([bool(match(n)) for n in names] + [False])[codes]


class LedgerCodes(NamedTuple):
    """The ledger's firm and account columns factorized once (``pd.factorize``: codes, and
    the names in order of first appearance), for every reader of one run's ledger."""

    firm: np.ndarray
    firms: object
    account: np.ndarray
    accounts: object
