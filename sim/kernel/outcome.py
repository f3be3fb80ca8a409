"""What one market step returns, the same for both modes."""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class StepOutcome:
    """Flows during one step and the state after it, per segment and product.

    All arrays are int64 counts of customers or units, shape (S, J) unless noted.

    new_adopters : customers who adopted the product this step (from the pool).
    units : units sold: new adopters plus replacement purchases (durables).
    replacements : owners who bought a replacement of the product they hold.
    churners : owners who dropped the product this step.
    returned : churners who went back to the pool (the rest left the category).
    active : owners (installed base, or active subscribers) after the step.
    pool : (S,) potential adopters after the step (never adopted, or returned).
    lapsed : (S,) customers who left the category for good.
    lost : customers who chose the product but found it out of stock (a lost sale; they
        stay in the pool).
    """

    new_adopters: np.ndarray
    units: np.ndarray
    replacements: np.ndarray
    churners: np.ndarray
    returned: np.ndarray
    active: np.ndarray
    pool: np.ndarray
    lapsed: np.ndarray
    lost: np.ndarray | None = None

    def __post_init__(self):
        if self.lost is None:
            object.__setattr__(self, "lost", np.zeros_like(self.new_adopters))

    @classmethod
    def _of(cls, new_adopters, units, replacements, churners, returned, active, pool, lapsed,
            lost, buffer=None) -> "StepOutcome":
        """An outcome from arrays the kernel has just filled (no copies, no checks): the
        per-step path, where the dataclass's frozen ``__init__`` costs microseconds.
        ``buffer``: the (7, S, J) array of which the seven (S, J) arrays are the rows, in
        the order new_adopters, units, replacements, churners, returned, lost, active
        (the aggregate kernel's; ``product_totals`` sums it at once)."""
        out = object.__new__(cls)
        out.__dict__.update(new_adopters=new_adopters, units=units, replacements=replacements,
                            churners=churners, returned=returned, active=active, pool=pool,
                            lapsed=lapsed, lost=lost)
        if buffer is not None:
            out.__dict__["_buffer"] = buffer
        return out

    def product_totals(self) -> list:
        """Per product, summed over segments, as lists of ints: [units, active,
        new_adopters, replacements, churners, lost]. An outcome of the aggregate kernel
        sums its whole (7, S, J) buffer in one reduction (int64 sums: exact either way)."""
        buffer = self.__dict__.get("_buffer")
        if buffer is not None:
            new, units, repl, churn, _, lost, active = buffer.sum(axis=1).tolist()
            return [units, active, new, repl, churn, lost]
        return np.array((self.units, self.active, self.new_adopters, self.replacements,
                         self.churners, self.lost)).sum(axis=1).tolist()

    def population(self) -> np.ndarray:
        """(S,) customers per segment: pool + owners + lapsed (conserved)."""
        return self.pool + self.lapsed + self.active.sum(axis=1)
