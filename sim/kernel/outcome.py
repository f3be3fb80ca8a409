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
            lost) -> "StepOutcome":
        """An outcome from arrays the kernel has just filled (no copies, no checks): the
        per-step path, where the dataclass's frozen ``__init__`` costs microseconds."""
        out = object.__new__(cls)
        out.__dict__.update(new_adopters=new_adopters, units=units, replacements=replacements,
                            churners=churners, returned=returned, active=active, pool=pool,
                            lapsed=lapsed, lost=lost)
        return out

    def population(self) -> np.ndarray:
        """(S,) customers per segment: pool + owners + lapsed (conserved)."""
        return self.pool + self.lapsed + self.active.sum(axis=1)
