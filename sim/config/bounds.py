"""The range of every number in the config schemas.

Each schema field is a number of one *kind*, and each kind has a magnitude that a real
market stays well inside; beyond it, a run would overflow, lose precision or take hours.
NaN and infinity are refused for every number (``_checks.check_range``). The kinds:

========== ============== ==============================================================
kind       largest |x|    why
========== ============== ==============================================================
money      1e12           a cash balance, budget, cost or credit line. float64 resolves
                          1.2e-4 at 1e12, so cents survive the sums of a run; at 1e300 a
                          3.36M loss vanished in rounding (issue 14)
price      1e7            a price or unit cost per unit (per month for a subscription)
units      1e9            units per week, units in stock, person-days of effort
days       1e5            a day or a duration in days (274 years; horizon_days <= 36,500)
years      1e3            a duration in years (``lifetime_years``)
rate       1e6            anything else: rates, weights, multipliers, noise levels
count      2**31 - 2      customers (a segment's ``size``): the kernel's int32 holds them
heads      100,000        a headcount (``headcount``, ``max_heads``)
estimate   1e12           a threshold on a research estimate of the market (customers)
========== ============== ==============================================================

Integer counts have their own limits where they are declared: a segment's ``size`` and an
installed base fit the kernel's int32 (``INT32_COUNT``), a team's headcount is at most
``HEADCOUNT``. Periods that schedule a SimPy event (``review_days``, ...) are at least
``MIN_PERIOD_DAYS``, so that a tiny value cannot schedule millions of events.
``ScenarioConfig`` refuses more than ``MAX_STEPS`` market steps per run (see
``sim.config.scenario``). Fields name their kind by their unit suffix (``_days``,
``_per_week``, ...), as the house style asks; ``kind_of`` maps a field name to its kind,
and a schema class can name exceptions in ``NUMBER_KINDS``.
"""

import dataclasses

from sim.config._checks import check_range

# product attributes (quality, features, design) are scores on one scale, as a segment's
# quality_expectation is: a product reaches at most the top of it, whatever it spends
ATTRIBUTE_SCALE = (0.0, 1.0)
MONEY = 1e12
PRICE = 1e7
UNITS = 1e9
DAYS = 1e5
YEARS = 1e3
RATE = 1e6
INT32_COUNT = 2**31 - 2
HEADCOUNT = 100_000
LIMITS = {"money": MONEY, "price": PRICE, "units": UNITS, "days": DAYS, "years": YEARS,
          "rate": RATE, "count": INT32_COUNT, "heads": HEADCOUNT, "estimate": 1e12}
MIN_PERIOD_DAYS = 0.01
MAX_STEPS = 100_000

_MONEY_WORDS = ("cash", "credit_line", "budget", "spend", "cost", "half_saturation")
_PRICE_WORDS = ("list_price", "reference_price", "unit_cost")
_UNIT_WORDS = ("capacity", "inventory", "units", "effort")


def kind_of(name: str) -> str:
    """The kind of the field ``name`` (see the module docstring)."""
    if name == "size" or "installed_base" in name:
        return "count"
    if "headcount" in name or "heads" in name:
        return "heads"
    if "market_estimate" in name:
        return "estimate"
    if name in _PRICE_WORDS:
        return "price"
    if any(w in name for w in _MONEY_WORDS) and "per_person_day" not in name:
        return "money"
    if any(w in name for w in _UNIT_WORDS):
        return "units"
    if name.endswith("_years"):
        return "years"
    if name == "day" or name.endswith(("_day", "_days")):
        return "days"
    return "rate"


def check_numbers(obj, key: str) -> None:
    """Every number in the dataclass ``obj`` (and in its lists, dicts and dataclasses) is
    finite and within its kind's magnitude; raises ``ValueError`` naming the key."""
    kinds = getattr(type(obj), "NUMBER_KINDS", {})
    for f in dataclasses.fields(obj):
        _check_value(getattr(obj, f.name), f"{key}.{f.name}", kinds.get(f.name, kind_of(f.name)))


def _check_value(value, key: str, kind: str) -> None:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, (int, float)):
        check_range(key, value)
        limit = LIMITS[kind]
        if value > limit:  # the side crossed alone: "between -1e+07 and 1e+07" had told a
            # price's user that negative prices were allowed (its own check refuses them)
            raise ValueError(f"{key} must be at most {limit:g} (a {kind} value), "
                             f"got {value:g}")
        if value < -limit:  # in magnitude: "at least -1e+07" read as negatives allowed
            raise ValueError(f"{key} must be at most {limit:g} in magnitude (a {kind} "
                             f"value), got {value:g}")
        return
    if dataclasses.is_dataclass(value):
        check_numbers(value, key)
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_value(v, f"{key}.{k}", kind)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _check_value(v, f"{key}[{i}]", kind)

