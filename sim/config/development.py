"""Schema of product development: the stage-gate task network, gates, the roadmap.

Effort in person-days, durations in days. Ranges: ``sim.config.bounds``.
"""

from dataclasses import dataclass, field

from sim.config._checks import (
    check_choice,
    check_finite_map,
    check_name,
    check_nonneg,
    check_positive,
    check_prob,
    check_range,
)
from sim.config.bounds import HEADCOUNT
from sim.config.market import ATTRIBUTES
from sim.config.operations import TEAMS


@dataclass
class TaskConfig:
    """A development task: effort in person-days (PERT min / most likely / max) plus a
    fixed duration that no headcount shortens (reviews, certification, supplier lead)."""

    name: str = "task"
    stage: str = "concept"
    team: str = "engineering"
    effort_min: float = 10.0
    effort_mode: float = 20.0
    effort_max: float = 40.0
    fixed_days: float = 0.0
    max_heads: float = 8.0
    cost: float = 0.0
    depends_on: list[str] = field(default_factory=list)
    testing: bool = False


def _tasks():
    # A hardware product of about a year: effort in person-days (min, most likely, max).
    return [
        TaskConfig("market_requirements", "concept", "design", 40, 60, 100, 10, 3, 20_000),
        TaskConfig("architecture", "design", "engineering", 150, 220, 350, 10, 6, 0,
                   ["market_requirements"]),
        TaskConfig("industrial_design", "design", "design", 90, 130, 220, 15, 3, 60_000,
                   ["market_requirements"]),
        TaskConfig("prototype_build", "prototype", "engineering", 600, 800, 1300, 20, 10, 250_000,
                   ["architecture", "industrial_design"]),
        TaskConfig("tooling", "prototype", "manufacturing", 100, 140, 240, 45, 2, 400_000,
                   ["industrial_design"]),
        TaskConfig("beta_test", "beta", "engineering", 300, 420, 700, 20, 10, 80_000,
                   ["prototype_build"], True),
        TaskConfig("certification", "beta", "engineering", 20, 30, 60, 45, 2, 60_000,
                   ["prototype_build"]),
        TaskConfig("launch_readiness", "launch", "marketing", 40, 60, 100, 14, 4, 50_000,
                   ["beta_test", "certification", "tooling"]),
    ]


@dataclass
class GatePolicyConfig:
    """Stage-gate decisions: go when quality clears the threshold; recycle the stage (re-run
    its testing at ``recycle_effort`` of the effort) otherwise, at most ``max_recycles``
    times; kill if the research estimate of the market is below ``min_market_estimate``;
    after ``deadline_day`` a gate goes regardless of quality (``deadline_action: go``) or
    kills the project (``kill``)."""

    min_quality: float = 0.6
    max_recycles: int = 2
    recycle_effort: float = 0.4
    min_market_estimate: float = 0.0
    deadline_day: float | None = None
    deadline_action: str = "go"

    def check(self, key):
        check_prob(f"{key}.min_quality", self.min_quality)
        check_range(f"{key}.max_recycles", self.max_recycles, 0, 20)
        check_range(f"{key}.recycle_effort", self.recycle_effort, 0.0, 1.0, low_open=True)
        check_nonneg(f"{key}.min_market_estimate", self.min_market_estimate)
        check_nonneg(f"{key}.deadline_day", self.deadline_day)
        check_choice(f"{key}.deadline_action", self.deadline_action, ("go", "kill"))


@dataclass
class ReleaseConfig:
    """A post-launch incremental release: effort, then attribute gains."""

    name: str = "release"
    effort: float = 120.0
    gains: dict[str, float] = field(default_factory=dict)


def _roadmap():
    return [
        ReleaseConfig("performance_update", 900.0, {"quality": 0.05}),
        ReleaseConfig("feature_pack", 1400.0, {"features": 0.15}),
        ReleaseConfig("design_refresh", 800.0, {"design": 0.1}),
    ]


GATE_SURVIVAL = {"concept": 0.57, "design": 0.78, "prototype": 0.78, "beta": 0.78, "launch": 0.78}


@dataclass
class DevelopmentConfig:
    start_day: float = 0.0
    planned_launch_day: float = 400.0
    # the plan counted from the day development actually starts (None: the date above);
    # for a firm whose start waits on a rival (a fast follower), which cannot plan a date
    planned_after_start_days: float | None = None
    stages: list[str] = field(default_factory=lambda: ["concept", "design", "prototype", "beta", "launch"])
    tasks: list[TaskConfig] = field(default_factory=_tasks)
    distribution: str = "pert"
    defects_per_person_day: float = 0.5
    detection_rate_per_person_day: float = 0.02
    fix_effort_person_days: float = 0.5
    quality_loss_per_defect: float = 0.002
    gate: GatePolicyConfig = field(default_factory=GatePolicyConfig)
    roadmap: list[ReleaseConfig] = field(default_factory=_roadmap)
    feedback_reorders_roadmap: bool = True
    launch_not_before_plan: bool = True
    # effort rise of the engineering and design tasks per +0.1 of each target attribute
    # above product.reference_attributes (sim.firm.design_cost; an assumption, docs/model.md 2.1)
    attribute_effort: dict[str, float] = field(
        default_factory=lambda: {"quality": 0.10, "features": 0.10, "design": 0.05})
    # probability that a project in each stage passes its gate, and that a launched product
    # succeeds commercially: the pipeline_strength KPI's risk adjustment (sim.results.pipeline).
    # Defaults from the attrition of new-product ideas, 7 : 4 : 1.5 : 1 (Booz, Allen and
    # Hamilton 1982, in Cooper 2001): 4/7 pass the concept screen, 1.5/4 ~ 0.78^4 survive
    # design, prototype, beta and launch; 59% of launched products succeed (Griffin 1997).
    # A stage left out of gate_survival takes GATE_SURVIVAL's value for its name, if any.
    gate_survival: dict[str, float] = field(default_factory=dict)
    commercial_success: float = 0.59

    def plan_for(self, start: float) -> float:
        """The planned launch day of a project that starts on ``start``:
        ``planned_after_start_days`` after it where set, else ``planned_launch_day``."""
        if self.planned_after_start_days is None:
            return self.planned_launch_day
        return start + self.planned_after_start_days

    def survival(self, stage: str) -> float | None:
        """The probability of passing ``stage``'s gate (None: not configured, not a default
        stage name)."""
        return self.gate_survival.get(stage, GATE_SURVIVAL.get(stage))

    def check(self, key):
        check_nonneg(f"{key}.start_day", self.start_day)
        check_nonneg(f"{key}.planned_launch_day", self.planned_launch_day)
        if self.planned_after_start_days is not None:
            check_nonneg(f"{key}.planned_after_start_days", self.planned_after_start_days)
        check_choice(f"{key}.distribution", self.distribution, ("pert", "lognormal", "fixed"))
        check_nonneg(f"{key}.defects_per_person_day", self.defects_per_person_day)
        check_nonneg(f"{key}.detection_rate_per_person_day", self.detection_rate_per_person_day)
        check_nonneg(f"{key}.fix_effort_person_days", self.fix_effort_person_days)
        check_nonneg(f"{key}.quality_loss_per_defect", self.quality_loss_per_defect)
        for a in self.attribute_effort:
            check_choice(f"{key}.attribute_effort key", a, ATTRIBUTES)
        check_finite_map(f"{key}.attribute_effort", self.attribute_effort, 0.0, 10.0)
        if not self.stages:
            raise ValueError(f"{key}.stages must list at least one stage, got []")
        for i, stage in enumerate(self.stages):
            check_name(f"{key}.stages[{i}]", stage)
        for i, t in enumerate(self.tasks):
            check_name(f"{key}.tasks[{i}].name", t.name)
        names = [t.name for t in self.tasks]
        if len(set(names)) != len(names):
            raise ValueError(f"{key}.tasks names must be unique, got {names}")
        for t in self.tasks:
            tk = f"{key}.tasks[{t.name}]"
            check_choice(f"{tk}.stage", t.stage, self.stages)
            check_choice(f"{tk}.team", t.team, TEAMS)
            check_nonneg(f"{tk}.effort_min", t.effort_min)
            if not t.effort_min <= t.effort_mode <= t.effort_max:
                raise ValueError(f"{tk} needs effort_min <= effort_mode <= effort_max, got "
                                 f"{t.effort_min}, {t.effort_mode}, {t.effort_max}")
            check_nonneg(f"{tk}.fixed_days", t.fixed_days)
            check_positive(f"{tk}.max_heads", t.max_heads, HEADCOUNT)
            check_nonneg(f"{tk}.cost", t.cost)
            for d in t.depends_on:
                check_choice(f"{tk}.depends_on", d, names)
        _check_acyclic(key, self.tasks)
        self.gate.check(f"{key}.gate")
        for stage in self.gate_survival:
            check_choice(f"{key}.gate_survival key", stage, self.stages)
        check_finite_map(f"{key}.gate_survival", self.gate_survival, 0.0, 1.0)
        check_prob(f"{key}.commercial_success", self.commercial_success)
        for i, r in enumerate(self.roadmap):
            check_name(f"{key}.roadmap[{i}].name", r.name)
            check_nonneg(f"{key}.roadmap[{r.name}].effort", r.effort)
            for a in r.gains:
                check_choice(f"{key}.roadmap[{r.name}].gains key", a, ATTRIBUTES)
            check_finite_map(f"{key}.roadmap[{r.name}].gains", r.gains, -1.0, 1.0)


def _check_acyclic(key, tasks):
    deps = {t.name: list(t.depends_on) for t in tasks}
    state = {}

    def visit(n, path):
        if state.get(n) == 1:
            raise ValueError(f"{key}.tasks dependencies form a cycle: {' -> '.join(path + [n])}")
        if state.get(n) == 2:
            return
        state[n] = 1
        for d in deps[n]:
            visit(d, path + [n])
        state[n] = 2

    for n in deps:
        visit(n, [])
