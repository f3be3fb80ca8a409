"""Customer support and satisfaction.

The service level is the share of support tickets the team can answer:
``min(1, agents * tickets_per_agent_per_week / (installed_base * tickets_per_customer_per_week))``.
Satisfaction (in [0, 1]) is a logistic function of the quality gap and the service gap,
``1 / (1 + exp(-(baseline + quality_weight * (quality - expectation) + service_weight *
(service_level - target_service_level) - waiting_weight * waiting_share)))``, in the spirit
of the expectation-disconfirmation model (Oliver 1980). ``waiting_share`` is the share of
recent orders that met a stock-out and had to wait (``Production.waiting_share``): a delay lowers the evaluation of
the service (Taylor 1994, J. Marketing 58:56-69; Anderson, Fornell and Lehmann 1994).
Satisfaction weights word of mouth and drives churn in the kernel.

Free trials convert on experienced satisfaction (``trial_conversion``): the configured
conversion holds when satisfaction sits at its baseline (quality at expectation, service on
target, no waiting); each logit unit of satisfaction above or below it moves the log-odds
of converting by one (disconfirmation of what the trial showed, Oliver 1980; trial users
who meet poor quality do not adopt, Foubert and Gijsbrechts 2016).
"""

import math

from sim.units import WEEKS_PER_YEAR

# service_level and satisfaction run for every product at every market step: their min and
# max are spelt out (Python's min(a, b) is a unless b < a, max(a, b) is a unless b > a: the
# same value, NaN included, without a builtin's call)


def service_level(agents: float, installed_base: float, tickets_per_customer_per_year: float,
                  tickets_per_agent_per_week: float) -> float:
    demand = installed_base * tickets_per_customer_per_year / WEEKS_PER_YEAR
    if demand <= 0.0:
        return 1.0
    answered = agents * tickets_per_agent_per_week / demand
    return answered if answered < 1.0 else 1.0  # min(1.0, answered)


def satisfaction(cfg, quality: float, expectation: float, service: float,
                 waiting_share: float = 0.0) -> float:
    z = (cfg.baseline + cfg.quality_weight * (quality - expectation)
         + cfg.service_weight * (service - cfg.target_service_level)
         - cfg.waiting_weight * waiting_share)
    if 50.0 < z:  # max(min(z, 50.0), -50.0)
        z = 50.0
    if -50.0 > z:
        z = -50.0
    return 1.0 / (1.0 + math.exp(-z))


def logit(x: float) -> float:
    """Log-odds of ``x``, kept within 1e-12 of 0 and 1."""
    x = min(max(x, 1e-12), 1.0 - 1e-12)
    return math.log(x / (1.0 - x))


def trial_conversion(base: float, satisfaction_now: float, baseline: float) -> float:
    """Share of trialists who convert at the end of their free trial: ``base`` at the
    satisfaction baseline, shifted in log-odds by ``logit(satisfaction) - baseline``."""
    return trial_conversion_from_logit(base, logit(base), satisfaction_now, baseline)


def trial_conversion_from_logit(base: float, base_logit: float, satisfaction_now: float,
                                baseline: float) -> float:
    """``trial_conversion`` given ``logit(base)`` (a caller that keeps it)."""
    if base <= 0.0 or base >= 1.0:
        return base
    z = base_logit + logit(satisfaction_now) - baseline
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))
