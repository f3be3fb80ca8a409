"""Small shared pieces of the pages: number formatting, KPI tables, form inputs."""

import math

from nicegui import app, ui

from sim.cli.table import fmt_value
from sim.studio.schema import Field


def fmt(v) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "-"
    if isinstance(v, bool):  # "yes"/"no", not Python's True/False
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if abs(v) < 5e-4:
            v = 0.0  # no "-0.000"
        if abs(v) >= 1e4 or v == round(v):  # whole: counts and days ("9,606", not "9,606.0")
            return f"{v:,.0f}"
        if abs(v) < 10:
            return f"{v:.3f}"
        return f"{v:,.1f}"
    return str(v)


def kpi_text(v, kind: str = "number") -> str:
    """A KPI's value as the command line's table writes it (``sim.cli.table.fmt_value``)."""
    return fmt_value(v, kind)


def dom_id(key: str) -> str:
    return "f-" + key.replace(".", "__")


def table(rows: list[dict], columns: list[str], classes: str = "", row_key: str | None = None,
          selection=None, labels: dict | None = None, keep: tuple = ()):
    """A table of ``rows`` (values by ``fmt``); a column's header is its name with spaces,
    or ``labels[column]`` (a name with its unit); ``keep``: row keys passed as they are,
    for a cell's slot (not columns)."""
    labels = labels or {}
    cols = [{"name": c, "label": labels.get(c, c.replace("_", " ")), "field": c,
             "align": "left"} for c in columns]
    shown = [{c: (r.get(c) if c == row_key else fmt(r.get(c))) for c in columns} | (
        {row_key: r[row_key]} if row_key else {}) | {k: r.get(k) for k in keep}
        for r in rows]
    if row_key is None:
        for i, r in enumerate(shown):
            r["_i"] = i
        row_key = "_i"
    return ui.table(columns=cols, rows=shown, row_key=row_key, selection=selection).classes(
        classes).props("dense flat bordered")


def field_input(field: Field, check):
    """An input for ``field``; ``check(key, value)`` returns an error message or None."""
    label = field.label + (f" ({field.unit})" if field.unit else "")
    hint = field.range_text()

    def message(v, k=field.key):
        # a whole-number field refuses a fraction in the command line's words (shown as
        # "%.0f", 12.5 engineers had been run as 12 without a word)
        if field.kind == "int" and isinstance(v, float) and not v.is_integer():
            return f"{k} must be a whole number, got {v:g}"
        return check(k, v)

    if field.kind == "choice":
        el = ui.select(list(field.choices), value=field.value, label=label)
    elif field.kind == "bool":
        el = ui.switch(label, value=bool(field.value))
    elif field.kind in ("float", "int"):
        el = ui.number(label, value=field.value, validation=message)
        if hint:
            el.props(f'hint="{hint}"')
    else:
        el = ui.input(label, value="" if field.value is None else str(field.value))
    el.props(f'for="{dom_id(field.key)}"')
    if field.help:
        el.tooltip(field.help[:300])
    return el


def tab_memory(key: str) -> dict:
    """The browser tab's kept state under ``key`` (NiceGUI's tab storage, on the server:
    it outlives a reload of the page); a dict of its own where the page has no connection
    yet."""
    try:
        store = app.storage.tab
    except (RuntimeError, AssertionError):  # no connection yet (a page built before it)
        store = {}
    return store.setdefault(key, {})
