"""What better attributes cost: unit cost and development effort grow with the design.

Each +0.1 of an attribute above the product's ``reference_attributes`` multiplies the unit
cost by ``1 + production.attribute_cost[a]`` and the effort of the building teams'
development tasks by ``1 + development.attribute_effort[a]`` (below the reference, it
saves as much in proportion). ``production.unit_cost`` and the tasks' efforts are what the
reference design costs. Marginal cost rising with quality is the premise of quality
choice in Mussa and Rosen (1978) and Moorthy (1984); more functions lengthen development
(Griffin 1997). The rates are assumptions (docs/model.md section 2.1).
"""

import math

import numpy as np

from sim.config import ATTRIBUTES
from sim.kernel import dots

STEP = 0.1  # the rates are per this much of an attribute


def rates(per_step: dict) -> np.ndarray:
    """log(1 + rate) per unit of attribute, in ``ATTRIBUTES`` order."""
    return np.array([math.log1p(float(per_step.get(a, 0.0))) / STEP for a in ATTRIBUTES])


def factor(attributes, reference, log_rates) -> float:
    """``prod_a (1 + rate_a) ** ((attribute_a - reference_a) / STEP)``; 1 at the reference."""
    return math.exp(dots.vecdot(log_rates, np.asarray(attributes, dtype=float) - reference))
