"""Innovation pipeline strength: the risk-adjusted NPV of the focal firm's projects still in
development at a day (formulas in ``docs/kpis.md``).

A project is in the pipeline on day ``t`` when its product is neither launched nor killed by
then and its firm is not insolvent (a planned project that has not started yet counts, at
its first stage). Its value is
the stage-wise risk-adjusted NPV of drug development (Stewart, Allison and Johnson 2001),
the staged form of Cooper, Edgett and Kleinschmidt's expected commercial value:

    rNPV = P_tech * P_comm * V * (1 + r) ** (-(L - t) / 365) - sum_s P_reach(s) * C_s

- ``P_tech``: the product of ``development.survival(stage)`` over the stages whose gate is
  still ahead; ``P_comm``: ``development.commercial_success``;
- ``V``: the business case at launch, ``product.business_case_value``, or else the planned
  contribution: unit margin at list price (the unit cost of the product's design,
  ``sim.firm.design_cost``) times the plant's weekly capacity, for
  ``product.business_case_years`` at the scenario's discount rate (a digital product has no
  plant: without a business case its value is unknown);
- ``L``: the planned launch day, or ``t`` if that has passed (a plan counted from the start,
  ``planned_after_start_days``, from the day the project started, else from its configured
  start or ``t``, whichever is later); ``r``: the scenario's discount rate;
- ``C_s``: what stage ``s`` still costs: its tasks not finished by ``t`` at their most likely
  effort (building teams' effort scaled for the design as in development), priced at their
  team's cost per head, plus their cash cost; ``P_reach(s)``: the survival of the gates still
  ahead before ``s`` (the first remaining stage is reached for sure).

A project whose stages lack a survival probability (a custom stage name not configured in
``development.gate_survival``) or whose value is unknown makes the total None: a number
that leaves a project out would look like a weaker pipeline.
"""

import numpy as np

from sim.config import ATTRIBUTES
from sim.firm import design_cost
from sim.firm.development import BUILDING_TEAMS
from sim.firm.firm import line_parts
from sim.results.columns import table_columns
from sim.units import DAYS_PER_WEEK, DAYS_PER_YEAR


def business_case(parts, rate: float) -> float | None:
    """V: the product's value at launch if it succeeds (see the module docstring)."""
    product = parts.product
    if product.business_case_value is not None:
        return float(product.business_case_value)
    if product.digital:
        return None
    prod = parts.production
    attrs = np.array([float(product.attributes.get(a, 0.0)) for a in ATTRIBUTES])
    ref = np.array([float(product.reference_attributes.get(a, 0.0)) for a in ATTRIBUTES])
    unit_cost = prod.unit_cost * design_cost.factor(attrs, ref,
                                                    design_cost.rates(prod.attribute_cost))
    yearly = max(parts.pricing.list_price - unit_cost, 0.0) * prod.capacity_per_week * (
        DAYS_PER_YEAR / DAYS_PER_WEEK)
    years = product.business_case_years
    if rate == 0.0:
        return yearly * years
    return yearly * (1.0 - (1.0 + rate) ** (-years)) / rate


def _state(events, firm: str, product: str, day: float):
    """(launched or killed by ``day``, the stages whose gate went by ``day``, the day the
    project started or None); ``events`` a DataFrame or its columns."""
    events = table_columns(events)
    # the columns as arrays (a filter of the table, without its string comparisons)
    hit = ((np.asarray(events["firm"], object) == firm)
           & (np.asarray(events["product"], object) == product)
           & (np.asarray(events["t"], float) <= day))
    kinds = np.asarray(events["kind"], object)[hit]
    # an insolvent firm (an event of the firm, not of a product) develops nothing more
    insolvent = ((np.asarray(events["firm"], object) == firm)
                 & (np.asarray(events["kind"], object) == "insolvent")
                 & (np.asarray(events["t"], float) <= day))
    if insolvent.any() or any(k in ("launch", "project_killed") for k in kinds):
        return True, set(), None
    details = np.asarray(events["detail"], object)[hit]
    starts = np.asarray(events["t"], float)[hit][kinds == "project_started"]
    return False, {d.split(":")[0] for k, d in zip(kinds, details, strict=True)
                   if k == "gate_go"}, (float(starts[0]) if len(starts) else None)


def project_rnpv(parts, firm_cfg, events, tasks, day: float, rate: float) -> dict | None:
    """The project's rNPV and its parts on ``day``; None when it is not in the pipeline."""
    done, passed, started = _state(events, firm_cfg.name, parts.product.name, day)
    if done:
        return None
    dev = parts.development
    ahead = [s for s in dev.stages if s not in passed]
    survival = [dev.survival(s) for s in ahead]
    value = business_case(parts, rate)
    if value is None or any(p is None for p in survival):
        return {"rnpv": None, "stages_ahead": len(ahead)}
    finished = set()
    tasks = table_columns(tasks)
    if "product" in tasks and len(tasks["product"]):  # a filter of the table, as arrays
        done = ((tasks["firm"] == firm_cfg.name) & (tasks["product"] == parts.product.name)
                & (tasks["end"] <= day) & (tasks["recycle"] == 0))
        finished = set(tasks["task"][done])
    product = parts.product
    attrs = np.array([float(product.attributes.get(a, 0.0)) for a in ATTRIBUTES])
    ref = np.array([float(product.reference_attributes.get(a, 0.0)) for a in ATTRIBUTES])
    build = design_cost.factor(attrs, ref, design_cost.rates(dev.attribute_effort))
    reach, cost = 1.0, 0.0
    for stage, p in zip(ahead, survival, strict=True):
        stage_cost = 0.0
        for task in dev.tasks:
            if task.stage != stage or task.name in finished:
                continue
            effort = task.effort_mode * (build if task.team in BUILDING_TEAMS else 1.0)
            team = firm_cfg.teams.get(task.team)
            per_day = team.cost_per_head_per_year / DAYS_PER_YEAR if team is not None else 0.0
            stage_cost += effort * per_day + task.cost
        cost += reach * stage_cost
        reach *= p
    # a plan counted from the start: from the day it started, else from its configured
    # start (today at the earliest)
    launch = max(dev.plan_for(max(dev.start_day, day) if started is None else started), day)
    success = reach * dev.commercial_success
    rnpv = success * value * (1.0 + rate) ** (-(launch - day) / DAYS_PER_YEAR) - cost
    return {"rnpv": float(rnpv), "stages_ahead": len(ahead), "success_probability": success,
            "business_case": value, "remaining_cost": cost}


def pipeline_kpis(config, events, tasks, day: float | None = None) -> dict:
    """``pipeline_strength`` (the sum of the projects' rNPV; 0 with none in development,
    None when one cannot be valued), ``pipeline_projects`` and ``pipeline_rnpv.<product>``
    on ``day`` (default: the end of the run), from the events and the tasks (each a
    DataFrame or its columns)."""
    day = config.horizon_days if day is None else day
    rate = config.discount_rate_per_year
    out, total, count = {}, 0.0, 0
    for parts in line_parts(config.firm):
        project = project_rnpv(parts, config.firm, events, tasks, day, rate)
        if project is None:
            continue
        count += 1
        out[f"pipeline_rnpv.{parts.product.name}"] = project["rnpv"]
        total = None if total is None or project["rnpv"] is None else total + project["rnpv"]
    return {"pipeline_strength": total, "pipeline_projects": count, **out}
