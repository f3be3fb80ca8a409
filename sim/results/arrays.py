"""pandas' reductions on NumPy arrays, the same floats without building frames (each is
checked against pandas in tests/results/test_fast_paths.py)."""

from typing import NamedTuple

import numpy as np
import pandas as pd


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


class LedgerCodes(NamedTuple):
    """The ledger's firm and account columns factorized once (``pd.factorize``: codes, and
    the names in order of first appearance), for every reader of one run's ledger."""

    firm: np.ndarray
    firms: object
    account: np.ndarray
    accounts: object


def ledger_codes(ledger: pd.DataFrame) -> LedgerCodes:
    firm, firms = pd.factorize(ledger["firm"])
    account, accounts = pd.factorize(ledger["account"])
    return LedgerCodes(firm, firms, account, accounts)
