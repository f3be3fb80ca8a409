"""A firm's product line as the market sees it: attributes, price, launch state,
awareness and advertising effect per segment, satisfaction. Other components write it
(development launches and improves it, pricing sets the price, marketing builds awareness)
and the market process reads it each step."""

import numpy as np

from sim.config import ATTRIBUTES
from sim.config.bounds import ATTRIBUTE_SCALE
from sim.units import DAYS_PER_YEAR

_QUALITY = ATTRIBUTES.index("quality")


class Product:
    def __init__(self, firm: str, cfg, n_segments: int):
        self.firm = firm
        self.name = cfg.name
        self.kind = cfg.kind
        self.digital = bool(cfg.digital) or cfg.kind == "subscription"
        self.design_version = 0  # counts the replacements of design and reference
        self.target = np.array([float(cfg.attributes.get(a, 0.0)) for a in ATTRIBUTES])
        self.attributes = self.target.copy()
        # the attributes designed in (target plus released gains; residual defects lower
        # the quality customers see, not what the design costs to make)
        self.design = self.target
        # the design the unit cost and development efforts are priced at (design_cost)
        self.reference = [float(cfg.reference_attributes.get(a, 0.0)) for a in ATTRIBUTES]
        self.lifetime_days = float(cfg.lifetime_years) * DAYS_PER_YEAR
        self.churn_per_day = float(cfg.churn_per_year) / DAYS_PER_YEAR
        self.churn_dissatisfaction_per_day = float(cfg.churn_dissatisfaction_per_year) / DAYS_PER_YEAR
        self.tickets_per_customer_per_year = float(cfg.tickets_per_customer_per_year)
        self._launched = self._killed = self._retired = False
        self.on_market = False  # launched, not killed, not retired (kept by their setters)
        self.launch_day: float | None = None
        self.price = float("nan")
        self.awareness = np.zeros(n_segments)
        self.advertising = np.ones(n_segments)
        self.satisfaction = 0.5
        self.service_level = 1.0
        self.installed_base = 0
        self.in_trial = 0.0  # subscribers inside a free trial (they pay nothing yet)

    # design and reference are read-only copies, replaced (never changed in place) when they
    # change, and each replacement counts in design_version: whoever caches what they price
    # (Production.unit_cost) checks that number
    @property
    def design(self) -> np.ndarray:
        return self._design

    @design.setter
    def design(self, value) -> None:
        self._design = _frozen(value)
        self.design_version += 1

    @property
    def reference(self) -> np.ndarray:
        return self._reference

    @reference.setter
    def reference(self, value) -> None:
        self._reference = _frozen(value)
        self.design_version += 1

    # on_market is read some 7,000 times a default run (the market, the plant, pricing,
    # marketing); it is a plain attribute, kept by the setters of the three flags it
    # depends on (a property computing it cost about 1% of a run)
    @property
    def launched(self) -> bool:
        return self._launched

    @launched.setter
    def launched(self, value: bool) -> None:
        self._launched = value
        self._set_on_market()

    @property
    def killed(self) -> bool:
        return self._killed

    @killed.setter
    def killed(self, value: bool) -> None:
        self._killed = value
        self._set_on_market()

    @property
    def retired(self) -> bool:
        """Withdrawn from the market by the line's retirement rule."""
        return self._retired

    @retired.setter
    def retired(self, value: bool) -> None:
        self._retired = value
        self._set_on_market()

    def _set_on_market(self) -> None:
        self.on_market = self._launched and not self._killed and not self._retired

    @property
    def quality(self) -> float:
        return float(self.attributes[_QUALITY])

    def set_quality(self, value: float) -> None:
        """The measured quality of the product built (on the attributes' scale)."""
        self.attributes[_QUALITY] = min(max(value, ATTRIBUTE_SCALE[0]),
                                                           ATTRIBUTE_SCALE[1])

    def improve(self, gains: dict) -> dict:
        """Add ``gains`` ({attribute: change}) to the attributes, each kept on its scale
        (``ATTRIBUTE_SCALE``); returns the changes actually made, so that the caller can say
        where the scale stopped one."""
        done = {}
        design = self.design.copy()
        for name, gain in gains.items():
            k = ATTRIBUTES.index(name)
            new = min(max(self.attributes[k] + gain, ATTRIBUTE_SCALE[0]), ATTRIBUTE_SCALE[1])
            done[name] = float(new - self.attributes[k])
            self.attributes[k] = new
            design[k] = min(max(design[k] + done[name], ATTRIBUTE_SCALE[0]), ATTRIBUTE_SCALE[1])
        self.design = design
        return done


def _frozen(value) -> np.ndarray:
    """A read-only float copy of ``value``."""
    out = np.array(value, dtype=float)
    out.flags.writeable = False
    return out


def describe_gains(asked: dict, done: dict) -> str:
    """``"quality +0.03, design +0.05"``; a gain the scale cut short says so."""
    parts = []
    for a, g in asked.items():
        part = f"{a} {done[a]:+.2f}"
        if abs(done[a] - g) > 1e-12:
            part += f" (of {g:+.2f}: at the end of the {ATTRIBUTE_SCALE[0]:g}-{ATTRIBUTE_SCALE[1]:g} scale)"
        parts.append(part)
    return ", ".join(parts)
