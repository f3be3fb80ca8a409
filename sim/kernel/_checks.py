"""The kernel inputs' value checks (``sim.kernel.params``): each raises one ``ValueError``
naming the argument and the first bad value."""

import numpy as np


def _as_array(name, value, dtype, shape):
    arr = np.asarray(value)
    if dtype is np.bool_:
        if arr.dtype != np.bool_:
            raise ValueError(f"{name} must be boolean, got dtype {arr.dtype}")
    elif not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise ValueError(f"{name} must be numeric, got dtype {arr.dtype}")
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    if dtype is np.int64:
        if not np.issubdtype(arr.dtype, np.integer):
            if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
                raise ValueError(f"{name} must hold whole numbers, got {arr!r}")
    return np.ascontiguousarray(arr, dtype=dtype)


def _check_finite(name, arr):
    if not np.all(np.isfinite(arr)):
        bad = arr[~np.isfinite(arr)].ravel()[0]
        raise ValueError(f"{name} must be finite, got {bad}")


def _check_range(name, arr, low=None, high=None, low_open=False):
    if low is not None:
        bad = arr <= low if low_open else arr < low
        if np.any(bad):
            op = ">" if low_open else ">="
            raise ValueError(f"{name} must be {op} {low}, got {arr[bad].ravel()[0]}")
    if high is not None and np.any(arr > high):
        raise ValueError(f"{name} must be <= {high}, got {arr[arr > high].ravel()[0]}")


def _scalar(name, value, low=None, high=None) -> float:
    """A finite number within [low, high], as a float."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.shape != ():
        raise ValueError(f"{name} must be a number, got shape {arr.shape}")
    _check_finite(name, arr.reshape(1))
    _check_range(name, arr.reshape(1), low, high)
    return float(arr)
