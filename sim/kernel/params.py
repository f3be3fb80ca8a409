"""Typed inputs of the demand kernel and their validation.

``Segments`` holds what does not change while a market runs (who the customers are);
``Offer`` holds what the firms put on the market at one step (prices, attributes,
availability, awareness, advertising, satisfaction, churn and replacement rates). Both are
plain containers of NumPy arrays; ``validate`` converts dtypes and raises one
``ValueError`` naming the argument on a wrong shape, a non-finite value or a value out of
range.

Units: time in days; ``p``, ``q``, churn and replacement rates are hazards per day; prices
in the model's single currency.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

from sim.kernel._checks import _as_array, _check_finite, _check_range, _scalar
from sim.kernel._offer_packed import pack_vectors, packed


@dataclass(frozen=True)
class Segments:
    """Customer segments of one category market (S segments, K attributes).

    Attributes
    ----------
    population : int64 (S,)
        Customers per segment (>= 0).
    p, q : float64 (S,)
        Bass innovation and imitation coefficients, per day (>= 0).
    attribute_weights : float64 (S, K)
        Utility per unit of each product attribute.
    price_sensitivity : float64 (S,)
        Logit coefficient on log price (>= 0): utility falls by this times log(price).
    outside_utility : float64 (S,)
        Utility of buying nothing when a customer considers the category; ``-inf`` means
        no outside option (every considering customer buys one of the products).
    attractiveness_elasticity : float64 (S,)
        Exponent beta of the Generalized-Bass attractiveness factor
        ``exp(beta * (IV - reference_inclusive_value))`` (>= 0; 0 switches it off).
    reference_inclusive_value : float64 (S,)
        Inclusive value at which the attractiveness factor is one.
    churn_return : float64 (S,)
        Share of churners who return to the pool of potential adopters (and may adopt
        another brand); the rest leave the category for good. In [0, 1].
    taste_sd : float64 (S,)
        Agent mode: standard deviation of a customer's multiplier on attribute utility
        (``1 + taste_sd * z``); 0 gives identical tastes.
    price_sensitivity_sd : float64 (S,)
        Agent mode: log-normal spread of individual price sensitivity (mean preserved).
    """

    population: np.ndarray
    p: np.ndarray
    q: np.ndarray
    attribute_weights: np.ndarray
    price_sensitivity: np.ndarray
    outside_utility: np.ndarray
    attractiveness_elasticity: np.ndarray
    reference_inclusive_value: np.ndarray
    churn_return: np.ndarray
    taste_sd: np.ndarray
    price_sensitivity_sd: np.ndarray

    @property
    def n_segments(self) -> int:
        return int(self.population.shape[0])

    @property
    def n_attributes(self) -> int:
        return int(self.attribute_weights.shape[1])

    @classmethod
    def build(
        cls,
        population,
        p,
        q,
        attribute_weights=None,
        price_sensitivity=None,
        outside_utility=None,
        attractiveness_elasticity=None,
        reference_inclusive_value=None,
        churn_return=None,
        taste_sd=None,
        price_sensitivity_sd=None,
    ) -> Segments:
        """Validated segments; omitted arguments take neutral defaults (pure Bass)."""
        pop = np.atleast_1d(np.asarray(population))
        s = pop.shape[0] if pop.ndim == 1 else -1
        if pop.ndim != 1 or s < 1:
            raise ValueError(f"population must be a non-empty 1-d array, got shape {pop.shape}")

        def full(value, fill):
            return np.full(s, fill, dtype=np.float64) if value is None else value

        weights = np.zeros((s, 1)) if attribute_weights is None else attribute_weights
        return cls(
            population=population,
            p=p,
            q=q,
            attribute_weights=weights,
            price_sensitivity=full(price_sensitivity, 0.0),
            outside_utility=full(outside_utility, -np.inf),
            attractiveness_elasticity=full(attractiveness_elasticity, 0.0),
            reference_inclusive_value=full(reference_inclusive_value, 0.0),
            churn_return=full(churn_return, 1.0),
            taste_sd=full(taste_sd, 0.0),
            price_sensitivity_sd=full(price_sensitivity_sd, 0.0),
        ).validate()

    def validate(self) -> Segments:
        pop = np.atleast_1d(np.asarray(self.population))
        if pop.ndim != 1 or pop.shape[0] < 1:
            raise ValueError(f"population must be a non-empty 1-d array, got shape {pop.shape}")
        s = pop.shape[0]
        w = np.asarray(self.attribute_weights)
        if w.ndim != 2 or w.shape[0] != s or w.shape[1] < 1:
            raise ValueError(f"attribute_weights must have shape ({s}, K) with K >= 1, got {w.shape}")
        k = w.shape[1]
        values = {}
        for f in fields(self):
            shape = (s, k) if f.name == "attribute_weights" else (s,)
            dtype = np.int64 if f.name == "population" else np.float64
            values[f.name] = _as_array(f.name, getattr(self, f.name), dtype, shape)
        for name, arr in values.items():
            if name == "outside_utility":
                if np.any(np.isnan(arr)) or np.any(arr == np.inf):
                    raise ValueError(f"outside_utility must be finite or -inf, got {arr}")
            elif name != "population":
                _check_finite(name, arr)
        _check_range("population", values["population"], 0)
        if values["population"].max() > np.iinfo(np.int32).max:
            raise ValueError(f"population must be < 2**31 per segment, got {values['population'].max()}")
        for name in ("p", "q", "price_sensitivity", "attractiveness_elasticity", "taste_sd",
                     "price_sensitivity_sd"):
            _check_range(name, values[name], 0.0)
        _check_range("churn_return", values["churn_return"], 0.0, 1.0)
        for name, arr in values.items():
            object.__setattr__(self, name, arr)
        return self


@dataclass(frozen=True)
class Offer:
    """What is on the market at one step (J products, S segments, K attributes).

    Attributes
    ----------
    price : float64 (J,)
        Price per unit (durable) or per period (subscription); > 0.
    attributes : float64 (J, K)
        Product attributes (quality, features, design, ...).
    available : bool (J,)
        Whether the product can be bought this step (launched, not withdrawn, in stock).
    awareness : float64 (S, J)
        Share of segment s aware of product j, in [0, 1]. In agent mode a customer is
        aware when a fixed per-customer draw falls below it, so awareness only grows
        customer by customer as the share rises.
    advertising : float64 (S, J)
        Advertising effect on innovation (>= 0; 1 is the baseline of the Bass model).
    satisfaction : float64 (J,)
        Customer satisfaction with each product in [0, 1]. Weights word of mouth (1 gives
        the Bass imitation term unchanged) and drives churn.
    churn_rate : float64 (J,)
        Churn hazard per day at full satisfaction (>= 0).
    churn_satisfaction_slope : float64 (J,)
        Extra churn hazard per day per unit of dissatisfaction ``1 - satisfaction``.
    replacement_rate : float64 (J,)
        Durables: replacement purchases per owner per day (1 / mean lifetime in days);
        0 for subscriptions or no replacement.
    fill_rate : float64 (J,)
        Probability that a customer who chooses the product finds it in stock, in [0, 1]
        (1: no stock-out). The others are lost sales and stay potential adopters.
    utility : float64 (S, J) or None
        Attribute utility of each product in each segment, replacing
        ``attribute_weights . attributes`` when given (e.g. ideal-point utilities of
        drifting preferences).
    season : float
        Demand seasonality: a multiplier (>= 0) on every segment's category-adoption hazard
        this step (1: none; ``sim.market.seasonality``).
    stockout_switching : float
        Share in [0, 1] of the customers who find their chosen product out of stock and at
        once buy another product instead (by their logit preferences among the other
        products they consider; lost again if that one is out of stock too). 0: none.
    backorders : bool (J,)
        Products whose stocked-out choosers who do not switch order anyway and wait
        (counted as adopters; only the switchers are its lost sales); False: they stay
        potential adopters (a lost sale). Default all False.
    silent : float64 (J,)
        Share in [0, 1] of each product's owners whose word of mouth is withheld: owners
        who ordered and still wait for their first unit (a backlog) are adopters (they
        churn and may cancel) but talk less, or not at all, until they have it (the
        market sets ``waiting share * (1 - market.waitlist_word_of_mouth)``; Jain,
        Mahajan and Muller 1991). Default all 0.

    ``voice`` (J,), derived: ``satisfaction * (1 - silent)``, the weight of each
    product's owners in the word-of-mouth term (``satisfaction`` itself where nobody is
    silent).
    """

    price: np.ndarray
    attributes: np.ndarray
    available: np.ndarray
    awareness: np.ndarray
    advertising: np.ndarray
    satisfaction: np.ndarray
    churn_rate: np.ndarray
    churn_satisfaction_slope: np.ndarray
    replacement_rate: np.ndarray
    fill_rate: np.ndarray | None = None
    utility: np.ndarray | None = None
    season: float = 1.0
    stockout_switching: float = 0.0
    backorders: np.ndarray | None = None
    silent: np.ndarray | None = None

    @property
    def n_products(self) -> int:
        price = self.price
        if type(price) is np.ndarray and price.ndim == 1:
            return price.shape[0]
        return int(np.asarray(price).shape[0])

    @classmethod
    def build(
        cls,
        segments: Segments,
        price,
        attributes=None,
        available=None,
        awareness=None,
        advertising=None,
        satisfaction=None,
        churn_rate=None,
        churn_satisfaction_slope=None,
        replacement_rate=None,
        fill_rate=None,
        utility=None,
        season=1.0,
        stockout_switching=0.0,
        backorders=None,
        silent=None,
    ) -> Offer:
        """Validated offer; omitted arguments take neutral defaults (pure Bass)."""
        price = np.atleast_1d(np.asarray(price, dtype=np.float64))
        j, s, k = price.shape[0], segments.n_segments, segments.n_attributes
        return cls(
            price=price,
            attributes=np.zeros((j, k)) if attributes is None else attributes,
            available=np.ones(j, np.bool_) if available is None else available,
            awareness=np.ones((s, j)) if awareness is None else awareness,
            advertising=np.ones((s, j)) if advertising is None else advertising,
            satisfaction=np.ones(j) if satisfaction is None else satisfaction,
            churn_rate=np.zeros(j) if churn_rate is None else churn_rate,
            churn_satisfaction_slope=np.zeros(j) if churn_satisfaction_slope is None else churn_satisfaction_slope,
            replacement_rate=np.zeros(j) if replacement_rate is None else replacement_rate,
            fill_rate=np.ones(j) if fill_rate is None else fill_rate,
            utility=utility,
            season=season,
            stockout_switching=stockout_switching,
            backorders=backorders,
            silent=np.zeros(j) if silent is None else silent,
        ).validate(segments)

    # the rows of ``packed``'s ``vectors`` (``sim.kernel._offer_packed``)
    PACKED_ROWS = ("price", "satisfaction", "fill_rate", "churn_rate",
                   "churn_satisfaction_slope", "replacement_rate", "silent")
    packed = classmethod(packed)

    def validate(self, segments: Segments) -> Offer:
        if self._plainly_valid(segments):  # the per-step path: a few reductions
            object.__setattr__(self, "season", float(self.season))
            object.__setattr__(self, "stockout_switching", float(self.stockout_switching))
            pack_vectors(self)
            object.__setattr__(self, "_validated_for", segments)
            return self
        return self._validate(segments)

    def _plainly_valid(self, segments: Segments) -> bool:
        """Whether every array already has its dtype, shape and contiguity and every value
        lies in its range (the full check's conditions, tested with one reduction per
        bound). False sends the offer through ``_validate``, which names what is wrong."""
        price = self.price
        if type(price) is not np.ndarray or price.ndim != 1 or price.shape[0] < 1:
            return False
        j, s, k = price.shape[0], segments.n_segments, segments.n_attributes
        vec = (self.price, self.satisfaction, self.churn_rate, self.churn_satisfaction_slope,
               self.replacement_rate, self.fill_rate, self.silent)
        mat = (self.awareness, self.advertising)
        arrays = (*vec, *mat, self.attributes, self.available, self.backorders)
        shapes = ((j,),) * 7 + ((s, j),) * 2 + ((j, k), (j,), (j,))
        if self.utility is not None:
            arrays, shapes = (*arrays, self.utility), (*shapes, (s, j))
        for arr, shape in zip(arrays, shapes, strict=True):
            if (type(arr) is not np.ndarray or arr.shape != shape
                    or not arr.flags.c_contiguous):
                return False
        if self.available.dtype != np.bool_ or self.backorders.dtype != np.bool_:
            return False
        floats = [a for a in arrays if a.dtype != np.bool_]
        if any(a.dtype != np.float64 for a in floats):
            return False
        season, switching = self.season, self.stockout_switching
        if not (isinstance(season, (float, int)) and isinstance(switching, (float, int))
                and 0.0 <= season < math.inf and 0.0 <= switching <= 1.0):
            return False
        # NaN fails every comparison below, so it takes the full path too
        unit = np.concatenate([self.awareness.ravel(), self.satisfaction, self.fill_rate,
                               self.silent])
        nonneg = np.concatenate([self.advertising.ravel(), self.churn_rate,
                                 self.churn_satisfaction_slope, self.replacement_rate])
        if not (unit.min() >= 0.0 and unit.max() <= 1.0 and nonneg.min() >= 0.0
                and nonneg.max() < math.inf and self.price.min() > 0.0
                and self.price.max() < math.inf):
            return False
        rest = self.attributes if self.utility is None else np.concatenate(
            [self.attributes.ravel(), self.utility.ravel()])
        return bool(np.isfinite(rest).all())

    def _validate(self, segments: Segments) -> Offer:
        price = np.atleast_1d(np.asarray(self.price))
        if price.ndim != 1 or price.shape[0] < 1:
            raise ValueError(f"price must be a non-empty 1-d array, got shape {price.shape}")
        j, s, k = price.shape[0], segments.n_segments, segments.n_attributes
        shapes = {
            "price": (j,), "attributes": (j, k), "available": (j,), "awareness": (s, j),
            "advertising": (s, j), "satisfaction": (j,), "churn_rate": (j,),
            "churn_satisfaction_slope": (j,), "replacement_rate": (j,), "fill_rate": (j,),
            "backorders": (j,), "silent": (j,),
        }
        if self.fill_rate is None:
            object.__setattr__(self, "fill_rate", np.ones(j))
        if self.backorders is None:
            object.__setattr__(self, "backorders", np.zeros(j, np.bool_))
        if self.silent is None:
            object.__setattr__(self, "silent", np.zeros(j))
        if self.utility is not None:
            shapes["utility"] = (s, j)
        values = {}
        for name, shape in shapes.items():
            dtype = np.bool_ if name in ("available", "backorders") else np.float64
            values[name] = _as_array(name, getattr(self, name), dtype, shape)
            if dtype is np.float64:
                _check_finite(name, values[name])
        _check_range("price", values["price"], 0.0, low_open=True)
        _check_range("awareness", values["awareness"], 0.0, 1.0)
        _check_range("satisfaction", values["satisfaction"], 0.0, 1.0)
        _check_range("fill_rate", values["fill_rate"], 0.0, 1.0)
        _check_range("silent", values["silent"], 0.0, 1.0)
        for name in ("advertising", "churn_rate", "churn_satisfaction_slope", "replacement_rate"):
            _check_range(name, values[name], 0.0)
        season = _scalar("season", self.season, 0.0)
        switching = _scalar("stockout_switching", self.stockout_switching, 0.0, 1.0)
        for name, arr in values.items():
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "season", season)
        object.__setattr__(self, "stockout_switching", switching)
        pack_vectors(self)
        # remembered so that a step does not validate the same offer twice (the arrays
        # must not be modified after validation)
        object.__setattr__(self, "_validated_for", segments)
        return self

    def validated_for(self, segments) -> bool:
        return getattr(self, "_validated_for", None) is segments
