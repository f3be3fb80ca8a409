"""A player's decision for one period and how it reaches the firm's components.

This is the one module that maps a decision to component calls (pricing, marketing,
teams, production, development, research). When ``Firm`` grows lever methods
(``set_price``, ``set_marketing_budget``, ``hire``, ``set_capacity``, ``kill_project``,
``buy_study``), ``apply`` switches to them here and nowhere else.

A lever left at ``None`` (or empty) keeps what the firm is doing. Every check raises one
``ValueError`` naming the lever and the value, with the same wording as the config checks.
"""

from dataclasses import asdict, dataclass, field

import numpy as np

from sim.config import CHANNELS, TEAMS, StudyConfig
from sim.config._checks import check_choice, check_nonneg, check_positive, check_range

LEVERS = ("price", "marketing_budget_per_week", "marketing_split", "hires",
          "capacity_per_week", "launch_project", "kill_project", "research_studies")


@dataclass
class Decision:
    """Levers for the next period (all optional).

    price: list price, currency per unit (per month for a subscription).
    marketing_budget_per_week: currency per week, split over the channels by the mix.
    marketing_split: channel -> share of the budget (normalised; tv, online, social, search).
    hires: team -> people (positive: start hiring, they join after the team's hiring lag;
        negative: lay off now).
    capacity_per_week: target production capacity, units per week; a rise is ordered now at
        the configured expansion cost (pro rata per ``expansion_units_per_week``) and
        arrives after ``expansion_lead_days``; a cut is immediate.
    launch_project: start a deferred development project now.
    kill_project: stop the project: off the market, teams laid off.
    research_studies: market studies to buy now (the firm's study cost, duration and noise).
    """

    price: float | None = None
    marketing_budget_per_week: float | None = None
    marketing_split: dict[str, float] | None = None
    hires: dict[str, int] = field(default_factory=dict)
    capacity_per_week: float | None = None
    launch_project: bool = False
    kill_project: bool = False
    research_studies: int = 0

    def __post_init__(self):
        check_positive("price", self.price)
        check_nonneg("marketing_budget_per_week", self.marketing_budget_per_week)
        if self.marketing_split is not None:
            for c, v in self.marketing_split.items():
                check_choice("marketing_split key", c, CHANNELS)
                check_nonneg(f"marketing_split.{c}", v)
            if sum(self.marketing_split.values()) <= 0:
                raise ValueError("marketing_split must have a positive total, got "
                                 f"{dict(self.marketing_split)}")
        for team, n in self.hires.items():
            check_choice("hires key", team, TEAMS)
            if isinstance(n, bool) or int(n) != n:
                raise ValueError(f"hires.{team} must be a whole number, got {n!r}")
        check_nonneg("capacity_per_week", self.capacity_per_week)
        if isinstance(self.research_studies, bool) or int(self.research_studies) != self.research_studies:
            raise ValueError(f"research_studies must be a whole number, got {self.research_studies!r}")
        check_range("research_studies", self.research_studies, 0, 20)
        if self.launch_project and self.kill_project:
            raise ValueError("launch_project and kill_project cannot both be true")

    def merged(self, **levers) -> "Decision":
        """A copy with ``levers`` set (unknown names refused)."""
        for name in levers:
            check_choice("decision lever", name, LEVERS)
        data = asdict(self)
        if "hires" in levers:
            levers = {**levers, "hires": {**data["hires"], **levers["hires"]}}
        return Decision(**{**data, **levers})

    def to_dict(self) -> dict:
        """Only the levers that change something (what the log records)."""
        default = Decision()
        return {k: v for k, v in asdict(self).items() if v != getattr(default, k)}


def check(firm, decision: Decision) -> None:
    """Raise ``ValueError`` for a lever ``firm`` cannot take now (capacity above its
    maximum, launching a project that is already running, killing a killed one)."""
    if decision.capacity_per_week is not None:
        check_range("capacity_per_week", decision.capacity_per_week, 0.0,
                    firm.production.cfg.max_capacity_per_week)
    if decision.launch_project and firm.project.state != "planned":
        raise ValueError(f"launch_project: the project is already {firm.project.state}")
    if decision.kill_project and firm.project.state == "killed":
        raise ValueError("kill_project: the project is already killed")


def apply(firm, decision: Decision) -> list[str]:
    """Apply ``decision`` to ``firm`` now (between periods); returns what was done, in words.

    A lever the firm cannot take (``check``) raises ``ValueError`` before anything is
    changed.
    """
    env, rec, name = firm.env, firm.recorder, firm.name
    check(firm, decision)
    done = []
    if decision.price is not None:
        firm.pricing.cfg.list_price = float(decision.price)
        firm.pricing.reprice()
        done.append(f"list price {decision.price:,.2f}")
    if decision.marketing_budget_per_week is not None:
        firm.marketing.cfg.budget_per_week = float(decision.marketing_budget_per_week)
        done.append(f"marketing {decision.marketing_budget_per_week:,.0f}/week")
    if decision.marketing_split is not None:
        total = sum(decision.marketing_split.values())
        firm.marketing.split = np.array([decision.marketing_split.get(c, 0.0) / total
                                         for c in CHANNELS])
        done.append("mix " + ", ".join(f"{c} {s:.0%}" for c, s in
                                       zip(CHANNELS, firm.marketing.split, strict=True)))
    for team, n in decision.hires.items():
        if n:
            env.process(firm.teams.hire(team, int(n), "player"))
            done.append(f"{team} {int(n):+d}")
    if decision.capacity_per_week is not None:
        done.append(_set_capacity(firm, float(decision.capacity_per_week)))
    for _ in range(int(decision.research_studies)):
        env.process(_study(firm.research, _study_terms(firm.research)))
        done.append("research study bought")
    if decision.launch_project:
        firm.start_development()
        done.append("project started")
    if decision.kill_project:
        firm.project.state = "killed"
        firm.product.killed = True
        rec.event(env.now, name, firm.product.name, "project_killed", "by the player")
        firm.wind_down()
        done.append("project killed")
    return done


def _set_capacity(firm, target: float) -> str:
    prod, env = firm.production, firm.env
    planned = prod.capacity_per_week + prod.pending_expansion
    if target < prod.capacity_per_week:
        prod.capacity_per_week = target
        firm.recorder.event(env.now, firm.name, firm.product.name, "capacity_cut",
                            f"capacity {target:,.0f}/week (player)")
        return f"capacity cut to {target:,.0f}/week"
    step = target - planned
    if step <= 0.0:
        return f"capacity {planned:,.0f}/week already planned"
    cfg = prod.cfg
    cost = cfg.expansion_cost * step / max(cfg.expansion_units_per_week, 1e-9)
    if not firm.ledger.can_afford(cost):
        firm.recorder.event(env.now, firm.name, firm.product.name, "capacity_refused",
                            f"+{step:,.0f}/week needs {cost:,.0f} (player)")
        return f"capacity +{step:,.0f}/week refused: not enough cash for {cost:,.0f}"
    firm.ledger.spend("capacity", cost)
    prod.pending_expansion += step
    firm.recorder.event(env.now, firm.name, firm.product.name, "capacity_ordered",
                        f"+{step:,.0f}/week, arrives in {cfg.expansion_lead_days:g} days (player)")
    env.process(_capacity_arrives(prod, step))
    return f"capacity +{step:,.0f}/week ordered for {cost:,.0f}"


def _capacity_arrives(prod, step):
    yield prod.env.timeout(prod.cfg.expansion_lead_days)
    prod.capacity_per_week += step
    prod.pending_expansion = max(prod.pending_expansion - step, 0.0)
    prod.recorder.event(prod.env.now, prod.firm, prod.product.name, "capacity_added",
                        f"capacity {prod.capacity_per_week:,.0f}/week")


def _study_terms(research) -> StudyConfig:
    """The firm's own study terms (its first configured study), else the schema default."""
    return research.cfg.studies[0] if research.cfg.studies else StudyConfig()


def _study(research, study):
    """Process: one study bought now, as ``Research.run`` does each planned study."""
    env = research.env
    if not research.ledger.can_afford(study.cost):
        research.recorder.event(env.now, research.firm, "", "research_cancelled",
                                "no cash for the study")
        return
    research.ledger.spend("research", study.cost)
    fieldwork_day = env.now
    seen = research.true_ideals() if research.has_ideals else None
    yield env.timeout(study.duration_days)
    research.sizes, research.weights = research._noisy(study.noise)
    detail = f"estimated market {research.market_size_estimate():,.0f} customers"
    if research.has_ideals:
        research.ideals = research._noisy_ideals(seen, study.noise)
        research.ideals_as_of = fieldwork_day
        detail += f"; ideals as of day {fieldwork_day:g}"
    research.studies_done += 1
    research.recorder.event(env.now, research.firm, "", "research_result", detail + " (player)")
