"""Reading and checking a sales history (CSV) for calibration.

The file has a header row, a period column (one named ``period``, ``year`` or ``t``, else
the first column), a ``sales`` column and optionally ``price`` and ``advertising``
columns. Periods must increase in equal steps. Sales must be >= 0. Zeros are data: leading
and trailing zeros pad the periods outside the product's life (as in the IBM generation
series) and are trimmed and reported; zeros inside the series (a flat or lost period) are
kept. Only regular files up to ``MAX_BYTES`` and ``MAX_ROWS`` data rows are read (a named
pipe, a device such as /dev/zero or a huge file is refused before reading). Every problem
raises one ``SalesDataError`` whose message names the file, the column and the line.

Only the standard library and NumPy are imported here, so that the command line can
reject a bad file quickly, before SciPy and Matplotlib load.
"""

from __future__ import annotations

import csv
import math
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

PERIOD_NAMES = ("period", "year", "t")
MIN_PERIODS = 4
# A sales history has one row per period: 10,000 rows is 190 years of weeks. The cap keeps
# memory and the bootstrap's time bounded (it grows linearly with the rows).
MAX_ROWS = 10_000
MAX_BYTES = 4 * 2**20
MAX_SALES = 1e15
# A period column whose values all fall here is read as calendar years.
_CALENDAR_YEARS = (1600.0, 2400.0)


class SalesDataError(ValueError):
    """A sales file that cannot be fitted; the message is one line naming the problem."""


@dataclass(frozen=True)
class SalesSeries:
    """A checked, trimmed sales history: one value per period, oldest first.

    Attributes
    ----------
    source : str
        Where the data came from (the CSV path as given).
    period_column : str
        Name of the period column in the file.
    periods : float64 (n,)
        Period labels as in the file (years, or a period index), after trimming.
    sales : float64 (n,)
        Sales per period (>= 0; non-zero at both ends after trimming), in the file's units.
    price, advertising : float64 (n,) or None
        Optional marketing-mix columns (> 0), aligned with ``sales``.
    trimmed_leading, trimmed_trailing : list of float
        Labels of the zero-sales periods removed before and after the product's life.
    ignored : list of str
        Header columns not read (neither the period, ``sales``, ``price`` nor
        ``advertising``).
    """

    source: str
    period_column: str
    periods: np.ndarray
    sales: np.ndarray
    price: np.ndarray | None = None
    advertising: np.ndarray | None = None
    trimmed_leading: list = field(default_factory=list)
    trimmed_trailing: list = field(default_factory=list)
    ignored: list = field(default_factory=list)  # header columns not read

    @property
    def n(self) -> int:
        return int(self.sales.shape[0])

    @property
    def period_step(self) -> float:
        """Difference between consecutive period labels (1 for yearly or indexed data)."""
        return float(self.periods[1] - self.periods[0])

    @property
    def is_calendar_years(self) -> bool:
        """True when the period column is named ``year`` and holds calendar years."""
        lo, hi = _CALENDAR_YEARS
        return (self.period_column.lower() == "year"
                and bool(np.all((self.periods >= lo) & (self.periods <= hi))))

    def trim_note(self) -> str | None:
        """One sentence on the zero padding removed, or None when nothing was trimmed."""
        parts = []
        if self.trimmed_leading:
            parts.append(f"{len(self.trimmed_leading)} leading zero-sales periods "
                         f"({_span(self.trimmed_leading)})")
        if self.trimmed_trailing:
            parts.append(f"{len(self.trimmed_trailing)} trailing zero-sales periods "
                         f"({_span(self.trimmed_trailing)})")
        if not parts:
            return None
        return ("trimmed " + " and ".join(parts) + f" of {self.period_column!r}: zero padding "
                "marks periods outside the product's life; the fit starts at the first "
                "period with sales")


def _span(labels):
    first, last = _fmt(labels[0]), _fmt(labels[-1])
    return first if first == last else f"{first}..{last}"


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _number(text, source, line, column, guessed=False):
    """A cell's number; a cell that is not one is refused with a hint at the usual cause
    (``guessed``: the column was taken as the period column for being the first)."""
    try:
        value = float(text)
    except ValueError:
        raise SalesDataError(f"{source}: line {line}, column {column!r}: {text.strip()!r} "
                             f"is not a number{_hint(text.strip(), column, guessed)}") from None
    if not math.isfinite(value):
        raise SalesDataError(f"{source}: line {line}, column {column!r}: {text.strip()!r} "
                             "is not a finite number")
    return value


def _hint(text: str, column: str, guessed: bool) -> str:
    if re.fullmatch(r"\d{4}-\d{1,2}(-\d{1,2})?", text):
        return (" (a date: give the periods as numbers, e.g. the year, or 1, 2, 3 in a "
                "column named 'month' or 'week')")
    if guessed:
        return (f" (no column is named 'period', 'year' or 't', so the first, {column!r}, "
                "was read as the periods: name the period column or put it first)")
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d*)?", text):
        return " (a thousands separator: write the number without commas)"
    if re.fullmatch(r"-?\d*,\d+", text):
        return " (a decimal comma: write the number with a decimal point)"
    return ""


def _check_file(path: Path, source: str):
    """Refuse what is not a regular file of a sane size, without opening it."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise SalesDataError(f"{source}: no such file") from None
    except (OSError, ValueError) as exc:
        raise SalesDataError(f"{source}: cannot read: {exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise SalesDataError(f"{source}: is a directory, not a CSV file")
    if not stat.S_ISREG(info.st_mode):
        raise SalesDataError(f"{source}: not a regular file (a pipe, socket or device); "
                             "give a CSV file")
    if info.st_size > MAX_BYTES:
        raise SalesDataError(f"{source}: file is {info.st_size:,} bytes, over the limit of "
                             f"{MAX_BYTES:,} for a sales history (at most {MAX_ROWS:,} rows)")


def _read_rows(path: Path, source: str):
    _check_file(path, source)
    rows = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for i, row in enumerate(csv.reader(handle), start=1):
                if any(cell.strip() for cell in row):
                    rows.append((i, row))
                    if len(rows) > MAX_ROWS + 1:
                        raise SalesDataError(f"{source}: more than {MAX_ROWS:,} data rows; a "
                                             "sales history has one row per period (use "
                                             "coarser periods, e.g. weeks or months)")
    except FileNotFoundError:
        raise SalesDataError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise SalesDataError(f"{source}: is a directory, not a CSV file") from None
    except UnicodeDecodeError:
        raise SalesDataError(f"{source}: not a text CSV file (cannot decode as UTF-8)") from None
    except (OSError, csv.Error) as exc:
        raise SalesDataError(f"{source}: cannot read: {exc}") from None
    if not rows:
        raise SalesDataError(f"{source}: file is empty (expected a header row with a "
                             "period column and a 'sales' column)")
    return rows


def _columns(header, source):
    names = [cell.strip().lower() for cell in header]
    if "sales" not in names:
        joined = ",".join(header)
        sep = next((f" (the file looks {name}-separated: write it with commas)"
                    for mark, name in ((";", "semicolon"), ("\t", "tab"), ("|", "pipe"))
                    if mark in joined and "sales" in joined.lower()), "")
        raise SalesDataError(f"{source}: missing column 'sales' (header has "
                             f"{', '.join(repr(c.strip()) for c in header)}){sep}")
    twice = sorted({n for n in names if n and names.count(n) > 1})
    if twice:
        raise SalesDataError(f"{source}: column {twice[0]!r} appears {names.count(twice[0])} "
                             "times in the header; keep one")
    period = next((names.index(n) for n in PERIOD_NAMES if n in names), 0)
    if names[period] == "sales":
        raise SalesDataError(f"{source}: missing period column (name one 'period', 'year' "
                             "or 't', or put the periods first)")
    optional = {name: names.index(name) for name in ("price", "advertising") if name in names}
    return period, names.index("sales"), optional


def read_sales_csv(path) -> SalesSeries:
    """Read, check and trim a sales history; raise ``SalesDataError`` on any problem."""
    source = str(path)
    rows = _read_rows(Path(path), source)
    (_, header), body = rows[0], rows[1:]
    i_period, i_sales, optional = _columns(header, source)
    period_name = header[i_period].strip()
    guessed = period_name.lower() not in PERIOD_NAMES + tuple(UNIT_COLUMNS)
    wanted = {period_name: i_period, "sales": i_sales, **optional}
    values = {name: [] for name in wanted}
    lines = []
    for line, row in body:
        if len(row) != len(header):
            raise SalesDataError(f"{source}: line {line} has {len(row)} fields, the header "
                                 f"has {len(header)}")
        for name, i in wanted.items():
            values[name].append(_number(row[i], source, line, name,
                                        guessed and name == period_name))
        lines.append(line)
    periods = np.array(values[period_name])
    sales = np.array(values["sales"])
    _check_periods(periods, lines, source, period_name)
    big = np.flatnonzero(sales > MAX_SALES)
    if big.size:
        k = big[0]
        raise SalesDataError(f"{source}: line {lines[k]}, column 'sales': {sales[k]:g} is over "
                             f"{MAX_SALES:g}; rescale the column (e.g. to thousands)")
    neg = np.flatnonzero(sales < 0)
    if neg.size:
        k = neg[0]
        raise SalesDataError(f"{source}: line {lines[k]}, column 'sales': {sales[k]:g} is "
                             "negative (sales must be >= 0)")
    nonzero = np.flatnonzero(sales > 0)
    if nonzero.size < MIN_PERIODS:
        raise SalesDataError(f"{source}: column 'sales' has {nonzero.size} non-zero periods; "
                             f"at least {MIN_PERIODS} are needed to fit p, q and m")
    first, last = int(nonzero[0]), int(nonzero[-1])
    keep = slice(first, last + 1)
    mix = {}
    for name in optional:
        col = np.array(values[name])[keep]
        bad = np.flatnonzero(col <= 0)
        if bad.size:
            k = first + int(bad[0])
            raise SalesDataError(f"{source}: line {lines[k]}, column {name!r}: {col[bad[0]]:g} "
                                 "must be > 0 (the Generalized Bass Model uses percentage "
                                 "changes)")
        mix[name] = col
    used = set(wanted.values())
    return SalesSeries(
        source=source, period_column=period_name, periods=periods[keep], sales=sales[keep],
        price=mix.get("price"), advertising=mix.get("advertising"),
        ignored=[c.strip() for i, c in enumerate(header) if i not in used and c.strip()],
        trimmed_leading=[float(x) for x in periods[:first]],
        trimmed_trailing=[float(x) for x in periods[last + 1:]],
    )


def _check_periods(periods, lines, source, name):
    if periods.size < 2:
        raise SalesDataError(f"{source}: column 'sales' has {periods.size} rows; at least "
                             f"{MIN_PERIODS} periods with sales are needed")
    steps = np.diff(periods)
    bad = np.flatnonzero(steps <= 0)
    if bad.size:
        k = int(bad[0]) + 1
        raise SalesDataError(f"{source}: line {lines[k]}, column {name!r}: period "
                             f"{_fmt(periods[k])} does not increase on the previous "
                             f"{_fmt(periods[k - 1])} (periods must be strictly increasing)")
    uneven = np.flatnonzero(np.abs(steps - steps[0]) > 1e-9 * max(1.0, abs(steps[0])))
    if uneven.size:
        k = int(uneven[0]) + 1
        raise SalesDataError(f"{source}: line {lines[k]}, column {name!r}: period "
                             f"{_fmt(periods[k])} breaks the step of {_fmt(steps[0])} "
                             "(periods must be equally spaced, with no gaps)")


# a period column named by its unit: its periods' length in years, times its step
UNIT_COLUMNS = {"month": 1.0 / 12.0, "quarter": 0.25, "week": 7.0 / 365.25, "day": 1.0 / 365.25}


def period_length(series: SalesSeries, given: float | None, notes: list) -> float:
    """One period's length in years: ``given`` (``--period-years``) where set; else from a
    period column named ``month``, ``quarter``, ``week`` or ``day`` (times its step: read as
    years, 60 months of a Bass process with q = 0.4 a year gave q = 0.035 "per year"); else
    the step of a calendar-year column; else 1. What it decides is added to ``notes``."""
    if given is not None:
        if series.is_calendar_years and abs(given - series.period_step) > 1e-9:
            notes.append(f"--period-years {given:g} differs from the step of the year column "
                         f"({series.period_step:g}); using --period-years")
        return given
    unit = series.period_column.strip().lower()
    if unit in UNIT_COLUMNS:
        years = UNIT_COLUMNS[unit] * series.period_step
        notes.append(f"one period = {series.period_step:g} {unit}(s) = {years:.6g} years, from "
                     f"the period column's name {series.period_column!r} (--period-years "
                     "overrides)")
        return years
    return series.period_step if series.is_calendar_years else 1.0
