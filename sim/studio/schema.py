"""Form fields generated from the typed config schemas (``sim.config``).

``fields_of(app)`` walks the ``AppConfig`` dataclasses and lists every scalar setting with
its override key (``firm.pricing.list_price``), type, current value, unit (from the name:
``_days``, ``_per_week``, money words), allowed choices and the help text of its schema
class. Choices and ranges are read from the schema's own checks. ``choices_of`` sets a text
field to a value no list holds and parses the ``check_choice`` message ("... must be one of
fixed, to_load; got ..."), so every fixed set of strings is a choice list. ``range_of``
builds the config with a far-too-low and a far-too-high value and parses the one-line
``ValueError`` each check raises ("... must be >= 0.0, got ..."), so the form states the
same bound the CLI enforces. The form still sends values through ``compose``, which gives
the CLI's message.
"""

import dataclasses
import math
import re
import typing
from dataclasses import dataclass

import numpy as np
from omegaconf import OmegaConf

from sim.cli.compose import override_path
from sim.config import ATTRIBUTES, CHANNELS

MONEY = ("price", "cost", "cash", "budget", "spend", "credit_line", "half_saturation")
# the levers a strategist reaches for first (the rest is under "all settings")
MAIN_LEVERS = (
    "firm.pricing.list_price", "firm.pricing.strategy", "firm.marketing.budget_per_week",
    *(f"firm.marketing.split.{c}" for c in CHANNELS), "firm.marketing.policy",
    "firm.development.planned_launch_day", "firm.teams.engineering.headcount",
    "firm.production.capacity_per_week",
    *(f"firm.product.attributes.{a}" for a in ATTRIBUTES),
)
DICT_FIELDS = ("teams", "channels", "split", "attributes", "initial_installed_base",
               "target_by_segment", "initial_by_segment")
RUN_SETTINGS = ("replications", "seed", "horizon_days", "mode", "plots")
_BOUND = re.compile(r"must be (>=|>|<=|<) (-?[0-9.e+-]+)")
_BETWEEN = re.compile(r"must be between (-?[0-9.e+-]+) and (-?[0-9.e+-]+)")
_MAGNITUDE = re.compile(r"must be at most (-?[0-9.e+-]+) in magnitude")  # sim.config.bounds
_AT_MOST = re.compile(r"must be at most (-?[0-9.e+-]+)")  # sim.config.bounds, above
_PROBE = "?"  # a text no choice list of the schema holds


@dataclass
class Field:
    key: str  # the override key, e.g. firm.pricing.list_price
    kind: str  # "float", "int", "bool", "choice", "str"
    value: object
    unit: str = ""
    help: str = ""
    choices: tuple = ()
    low: tuple | None = None  # (op, number): ("> ", 0.0) means value > 0
    high: tuple | None = None

    @property
    def section(self) -> str:
        return self.key.rsplit(".", 1)[0] if "." in self.key else "run"

    @property
    def label(self) -> str:
        parts = self.key.split(".")
        name = parts[-1].replace("_", " ")
        if len(parts) >= 3 and parts[-2] in DICT_FIELDS:  # an entry of a mapping
            return f"{parts[-2]}: {name}"
        if len(parts) >= 3 and parts[-3] in DICT_FIELDS:  # a field of a mapping's entry
            return f"{parts[-2]} {name}"
        return name

    def range_text(self) -> str:
        parts = []
        if self.low:
            parts.append(f"{self.low[0]} {self.low[1]:g}")
        if self.high:
            parts.append(f"{self.high[0]} {self.high[1]:g}")
        return " and ".join(parts)


def unit_of(name: str, key: str = "") -> str:
    if name.endswith("_per_person_day"):  # defects found or made per person-day of work
        return "per person-day"
    if ".split." in key:  # weights over the channels, divided by their total
        return "weight, normalised"
    if ".attribute_cost." in key:  # the unit cost's rise per +0.1 of the attribute
        return "x unit cost per +0.1"
    if "_over_" in name:  # a multiple of the unit cost
        return "x unit cost"
    if name.endswith("_person_days"):
        return "person-days"
    if name.endswith("_days") or name == "day" or name.endswith("_day"):
        return "days"
    if name.endswith("_per_week"):
        if any(m in name for m in MONEY):
            return "currency/week"
        return "units/week" if ("capacity" in name or "units" in name) else "per week"
    if name.endswith("_per_year"):
        return "currency/year" if "cost" in name else "per year"
    if name.endswith("_years"):
        return "years"
    if any(m in name for m in MONEY):
        return "currency"
    if name in ("discount", "share_threshold") or name.endswith("_share"):
        return "fraction"
    if name == "headcount":
        return "people"
    return ""


def _help(cls) -> str:
    doc = (cls.__doc__ or "").strip()
    if doc.startswith(f"{cls.__name__}("):  # dataclass's generated signature: no help
        return ""
    return " ".join(doc.split())


def _kind(tp, value) -> str:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        tp = args[0] if args else str
    if tp is bool:
        return "bool"
    if tp is int:
        return "int"
    if tp is float:
        return "float"
    return "str"


def fields_of(app) -> list[Field]:
    """Every scalar setting of ``app`` (an ``AppConfig``) under the run settings and
    ``firm``, in schema order; lists (tasks, studies, campaigns) are left to YAML."""
    out = []
    hints = typing.get_type_hints(type(app))
    for name in RUN_SETTINGS:
        out.append(_field(name, name, hints[name], getattr(app, name), _help(type(app))))
    _walk(app.firm, "firm", out)
    return [choices_of(app, f) for f in out]


def choices_of(app, field: Field) -> Field:
    """``field`` as a choice where the schema's check allows a fixed set of strings (read
    from its ``check_choice`` message, as ranges are read from the range checks)."""
    if field.kind != "str":
        return field
    name = field.key.rsplit(".", 1)[-1]
    try:
        with_value(app, field.key, _PROBE)
    except ValueError as e:
        m = re.search(rf"(?:^|[.' ]){re.escape(name)} must be one of (.+); got ", str(e))
        if m:
            return dataclasses.replace(field, kind="choice",
                                       choices=tuple(m.group(1).split(", ")))
    except (TypeError, KeyError, AttributeError):
        pass
    return field


def _walk(obj, prefix, out):
    hints = typing.get_type_hints(type(obj))
    help_ = _help(type(obj))
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        key = f"{prefix}.{f.name}"
        if key == "firm.strategy" or f.name == "name":
            continue  # our firm's strategy is "focal"; names are identities, not levers
        if dataclasses.is_dataclass(value):
            _walk(value, key, out)
        elif isinstance(value, dict):
            for k, v in value.items():
                if dataclasses.is_dataclass(v):
                    _walk(v, f"{key}.{k}", out)
                elif isinstance(v, (int, float)) and not isinstance(v, bool):
                    out.append(_field(f"{key}.{k}", f.name, float, v, help_))
        elif isinstance(value, (list, tuple)):
            continue
        else:
            out.append(_field(key, f.name, hints.get(f.name, type(value)), value, help_))


def _field(key, name, tp, value, help_) -> Field:
    return Field(key, _kind(tp, value), value, unit_of(name, key), help_)


def cli_message(app, message: str) -> str:
    """A schema message as the command line words it: the CLI renames ``firm 'us'.x`` to
    the override key ``firm.x`` (``sim.cli.compose.override_path``), so the form does too."""
    names = OmegaConf.create({
        "firm": {"name": app.firm.name},
        "competitors": {k: {"name": c.name} for k, c in app.competitors.items()},
        "market": {"segments": [{"name": s.name} for s in app.market.segments]}})
    return override_path(message, names)


def check_value(app, key: str, value) -> str | None:
    """The CLI's one-line message if ``key=value`` is refused by the schema, else None."""
    try:
        with_value(app, key, value)
    except ValueError as e:
        return cli_message(app, str(e))
    return None


def with_value(app, key: str, value):
    """A copy of ``app`` with ``key`` set, every dataclass on the path rebuilt (so each
    level's ``__post_init__`` checks run). Raises the check's ``ValueError``."""
    return with_values(app, {key: value})


class _Leaf:
    def __init__(self, value):
        self.value = value


def with_values(app, values: dict):
    """A copy of ``app`` with every ``key: value`` of ``values`` set, each dataclass on the
    paths rebuilt once with all its changes (its checks run on them together: a capacity
    above the old maximum passes where the maximum is raised beside it). Raises the
    check's ``ValueError``."""
    tree: dict = {}
    for key, value in values.items():
        node = tree
        *path, last = key.split(".")
        for part in path:
            node = node.setdefault(part, {})
        node[last] = _Leaf(value)

    def rebuild(obj, sub: dict):
        new = {k: (s.value if isinstance(s, _Leaf) else
                   rebuild(obj[k] if isinstance(obj, dict) else getattr(obj, k), s))
               for k, s in sub.items()}
        return {**obj, **new} if isinstance(obj, dict) else dataclasses.replace(obj, **new)

    return rebuild(app, tree)


def range_of(app, field: Field) -> Field:
    """``field`` with ``low``/``high`` read from the schema's checks (numbers only).

    Each side is probed from a far-out value; a check that names a bound ("must be > 0.0",
    "must be between 0.0 and 1.0", "must be at most 1e+07") moves the probe to that bound,
    until the tightest bound on that side stops moving."""
    if field.kind not in ("float", "int"):
        return field
    far = 1e300 if field.kind == "float" else 2**62
    field.low = _probe(app, field, -far, "low")
    field.high = _probe(app, field, far, "high")
    return field


def _probe(app, field, value, side):
    bound = None
    for _ in range(6):
        try:
            with_value(app, field.key, value)
        except ValueError as e:
            message = str(e)
            if field.key.rsplit(".", 1)[-1] not in message:
                break
            found = _side_bound(message, side)
            if found is None or found == bound:
                break
            bound, value = found, found[1]
            continue
        except (TypeError, KeyError, AttributeError):
            pass
        break
    return bound


def _side_bound(message: str, side: str):
    m = _BETWEEN.search(message)
    if m:
        lo, hi = float(m.group(1)), float(m.group(2))
        return (">=", lo) if side == "low" else ("<=", hi)
    m = _MAGNITUDE.search(message)
    if m:
        limit = float(m.group(1))
        return (">=", -limit) if side == "low" else ("<=", limit)
    m = _AT_MOST.search(message)
    if m and side == "high":
        return "<=", float(m.group(1))
    for op, number in _BOUND.findall(message):
        if (side == "low") == (op in (">", ">=")) and math.isfinite(float(number)):
            return op, float(number)
    return None


def form_fields(app) -> list[Field]:
    """All fields with their ranges, main levers first."""
    fields = [range_of(app, f) for f in fields_of(app)]
    # money in the scenario's currency, as the results name it ("(currency)" beside USD)
    cur = getattr(app, "currency", "") or "currency"
    fields = [dataclasses.replace(f, unit=f.unit.replace("currency", cur))
              if "currency" in (f.unit or "") else f for f in fields]
    order = {k: i for i, k in enumerate(MAIN_LEVERS)}
    return sorted(fields, key=lambda f: (f.key not in RUN_SETTINGS,
                                         order.get(f.key, len(order))))


def changes(fields: list[Field], values: dict) -> list[tuple[Field, object]]:
    """The fields whose form value differs from the config's, with the value typed as the
    schema's field (a whole number for an int field, a float for a float field). A
    fraction in a whole-number field raises the command line's ``ValueError``."""
    out = []
    for f in fields:
        if f.key not in values:
            continue
        v = values[f.key]
        if v is None or v == "" or v == f.value:
            continue
        if f.kind == "bool":
            v = bool(v)
        elif f.kind == "int" and isinstance(v, float):
            if not v.is_integer():
                raise ValueError(f"{f.key} must be a whole number, got {v:g}")
            v = int(v)
        elif f.kind == "float" and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        out.append((f, v))
    return out


def value_text(v) -> str:
    """A value as an override writes it: a whole float without ".0" (``364``, which Hydra
    reads back as 364.0 into a float setting), other floats as Python's shortest exact
    text (``0.25``, ``1e+20``), never "-0"; switches ``true``/``false``."""
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (float, np.floating)):  # float(): NumPy's repr names its type
        text = repr(float(v) + 0.0)  # + 0.0: -0.0 is 0.0
        return text.removesuffix(".0")
    if isinstance(v, np.integer):
        return str(int(v))
    return str(v)


def normal_override(o: str) -> str:
    """An override with its number written as ``value_text`` writes it (``horizon_days=364.0``
    and ``=364`` are the same setting: runs catalogued before 2026-12-07 wrote the first)."""
    key, sep, value = o.partition("=")
    if not sep:
        return o
    try:
        number = float(value)
    except ValueError:
        return o
    return f"{key}={value_text(number)}" if value.strip() == value else o


def overrides_from(fields: list[Field], values: dict) -> list[str]:
    """``key=value`` overrides for the values that differ from the fields' defaults."""
    return [f"{f.key}={value_text(v)}"
            for f, v in changes(fields, values)]


def apply_changes(app, fields: list[Field], values: dict):
    """``app`` with the form's changes set field by field (each level's checks run again):
    the config ``compose`` gives for ``overrides_from(fields, values)`` on the same base,
    without Hydra's 2 s composition (equality tested in tests/studio)."""
    return with_values(app, {f.key: v for f, v in changes(fields, values)})
