"""Stage-gate product development (Cooper 1990) as SimPy processes.

Tasks carry effort in person-days, drawn from a Beta-PERT (Malcolm et al. 1959) or a
log-normal around the most likely effort, plus fixed days that headcount cannot shorten.
A task takes ``fixed_days + effort / heads`` days, where ``heads`` is its share of its
team's productive capacity when it starts (capacity over the team's tasks running at that
moment, at most ``max_heads``); the share is fixed for the task's duration. A stage's tasks start
when their dependencies are done; a gate closes each stage, and the next stage starts
only after the gate says go, so the launch day is the longest path through the task graph
with every task of a stage also depending on every task of the previous stages
(``critical_path_days``).

Defects (a Poisson number per person-day of engineering and design work) are found by
testing tasks
with probability ``1 - exp(-detection_rate * effort)`` each; fixing costs engineering
time that lengthens the testing task. Residual defects lower the product's quality. Gates
decide by the policy: kill when the research estimate of the market is too small, go when
the measured quality clears the threshold (or at the deadline), recycle testing otherwise
(the stage's testing tasks, or the latest earlier ones if the stage has none), and kill after ``max_recycles`` failed recycles. A project ready before
its planned launch day holds the launch until then (``launch_not_before_plan``); a killed
project's firm lays off its teams (``on_kill``).

After launch, a roadmap of incremental releases raises attributes; with
``feedback_reorders_roadmap`` the next release is the one whose gains customers value most
by the research estimates of attribute weights (and, where segments have ideal points, by
how far the gains close the estimated gap to the ideals, as of the latest study), with
quality weighted up while satisfaction is low. With ``research.aim_releases`` a release
moves an ideal-point attribute only as far as research's estimate of its best level
(``Research.aim_gains``), and one with nothing left to add is skipped (``release_skipped``):
the size of a release is decided from the estimate, not the truth, so a study can change it.
"""

import dataclasses
import math

import numpy as np

from sim.config import ATTRIBUTES
from sim.config.bounds import ATTRIBUTE_SCALE
from sim.firm import design_cost
from sim.firm.product import describe_gains
from sim.units import DAYS_PER_WEEK

QUALITY_MEASUREMENT_SD = 0.02
BUILDING_TEAMS = ("engineering", "design")
CASH_WAIT_DAYS = DAYS_PER_WEEK


def draw_effort(task, distribution: str, rng) -> float:
    """Person-days of a task: Beta-PERT(min, mode, max), log-normal, or fixed (mode)."""
    a, m, b = task.effort_min, task.effort_mode, task.effort_max
    if distribution == "fixed" or b <= a:
        return float(m)
    if distribution == "pert":
        alpha = 1.0 + 4.0 * (m - a) / (b - a)
        beta = 1.0 + 4.0 * (b - m) / (b - a)
        return float(a + (b - a) * rng.beta(alpha, beta))
    # log-normal with its median at the mode and sd of the log set by the range (~ +-3 sd)
    sigma = max(math.log(b / max(a, 1e-9)) / 6.0, 1e-9) if a > 0 else 0.5
    return float(max(m, 1e-9) * math.exp(sigma * rng.standard_normal()))


def critical_path_days(tasks, stages, durations: dict) -> float:
    """Longest path through the task graph, with stage barriers (see module docstring).

    ``durations`` maps task name to its duration in days.
    """
    order = {s: k for k, s in enumerate(stages)}
    finish: dict = {}
    stage_end = 0.0
    for stage in stages:
        in_stage = [t for t in tasks if t.stage == stage]
        pending = list(in_stage)
        while pending:
            progressed = False
            for t in list(pending):
                if all(d in finish for d in t.depends_on if order[_stage_of(tasks, d)] == order[stage]):
                    start = stage_end
                    for d in t.depends_on:
                        start = max(start, finish[d])
                    finish[t.name] = start + durations[t.name]
                    pending.remove(t)
                    progressed = True
            if not progressed:
                raise ValueError(f"tasks of stage {stage!r} have unresolved dependencies")
        if in_stage:
            stage_end = max([stage_end] + [finish[t.name] for t in in_stage])
    return stage_end


def _stage_of(tasks, name):
    for t in tasks:
        if t.name == name:
            return t.stage
    raise ValueError(f"unknown task {name!r}")


class Project:
    """One development project of a firm, from concept to launch and then the roadmap."""

    def __init__(self, env, firm: str, cfg, product, teams, ledger, recorder, rng, research,
                 on_launch=None, on_kill=None, allocation=None):
        self.env = env
        self.firm = firm
        self.cfg = cfg
        self.product = product
        self.teams = teams
        self.ledger = ledger
        self.recorder = recorder
        self.rng = rng
        self.research = research
        self.on_launch = on_launch
        self.on_kill = on_kill
        self.state = "planned"
        self.open_defects = 0
        self.found_defects = 0
        self.tested = False
        self.running: dict[str, int] = {}
        self.demand: dict[str, float] = {}  # max_heads of the tasks at work, per team
        # a product line's shared teams (``sim.firm.allocation``); None: the whole team
        self.allocation = allocation
        self.value = None  # expected value per week, for the ``value`` allocation policy
        self.start_day: float | None = None
        # the planned launch day: a date, or counted from the start (set when it starts;
        # ``Offering.start_development`` makes it unknown, inf, while a start is deferred)
        self.planned_launch_day = cfg.plan_for(cfg.start_day)
        self.quality_target = product.quality
        self._effort_rates = design_cost.rates(cfg.attribute_effort)
        order = {s: k for k, s in enumerate(cfg.stages)}
        for t in cfg.tasks:
            for d in t.depends_on:
                if order[_stage_of(cfg.tasks, d)] > order[t.stage]:
                    raise ValueError(f"development.tasks[{t.name}] (stage {t.stage}) depends on "
                                     f"{d!r} of a later stage")

    # --- the pipeline ---------------------------------------------------------------
    def run(self, start_day: float | None = None, target=None):
        """Process: run the stages from ``start_day`` (default: the config's) to launch."""
        start = self.cfg.start_day if start_day is None else start_day
        if start > self.env.now:
            yield self.env.timeout(start - self.env.now)
        if self.product.killed:  # the firm went insolvent first (``Firm.exit_market``)
            return
        if self.state not in ("planned", "starting"):  # started meanwhile by another call
            return  # (a game's ``launch_project`` before the configured start day)
        if target is not None:
            self.product.target = np.clip(np.asarray(target, dtype=float), *ATTRIBUTE_SCALE)
            self.product.attributes = self.product.target.copy()
            self.product.design = self.product.target.copy()
            self.quality_target = self.product.quality
        self.state = "running"
        self.start_day = self.env.now
        self.planned_launch_day = self.cfg.plan_for(self.start_day)
        self._event("project_started", f"planned launch day {self.planned_launch_day:g}")
        for stage in self.cfg.stages:
            tasks = [t for t in self.cfg.tasks if t.stage == stage]
            recycles = 0
            scale = 1.0
            while True:
                done = {t.name: self.env.event() for t in tasks}
                procs = [self.env.process(self._task(t, scale, done, recycles)) for t in tasks]
                if procs:
                    yield self.env.all_of(procs)
                decision, why = self._gate(stage, recycles)
                self._event(f"gate_{decision}", f"{stage}: {why}")
                if decision == "go":
                    break
                if decision == "kill":
                    self.state = "killed"
                    self.product.killed = True
                    self._event("project_killed", f"at the {stage} gate: {why}")
                    if self.on_kill is not None:
                        self.on_kill()
                    return
                recycles += 1
                scale = self.cfg.gate.recycle_effort
                tasks = self._retest(stage)
        if self.cfg.launch_not_before_plan and self.env.now < self.planned_launch_day:
            # ready early: hold the launch for the announced date (channel and campaign plans)
            self._event("launch_held", f"ready on day {self.env.now:.0f}, launching on the "
                                       f"planned day {self.planned_launch_day:g}")
            yield self.env.timeout(self.planned_launch_day - self.env.now)
        self._launch()
        yield from self.roadmap()

    def _retest(self, stage):
        """Tasks a recycle re-runs: the testing of this stage or, if it has none, of the
        latest earlier stage that tested (only testing can raise quality), else the stage."""
        order = self.cfg.stages[: self.cfg.stages.index(stage) + 1]
        for st in reversed(order):
            tests = [t for t in self.cfg.tasks if t.stage == st and t.testing]
            if tests:
                return [dataclasses.replace(t, depends_on=[]) for t in tests]
        return [t for t in self.cfg.tasks if t.stage == stage]

    def _task(self, task, scale, done, recycle):
        for d in task.depends_on:
            if d in done:
                yield done[d]
        while self.ledger.exhausted:  # materials are discretionary: the task waits for cash
            yield self.env.timeout(CASH_WAIT_DAYS)
        team = self.teams[task.team]
        if team.capacity(self.env.now) <= 0.0:  # nobody to do it yet: said once
            self._event("task_waiting", f"{task.name}: the {task.team} team has nobody; "
                                        "the task waits until someone joins")
        while team.capacity(self.env.now) <= 0.0:
            yield self.env.timeout(CASH_WAIT_DAYS)
        self.running[task.team] = self.running.get(task.team, 0) + 1
        self.demand[task.team] = self.demand.get(task.team, 0.0) + task.max_heads
        yield self.env.timeout(0)  # let tasks starting at the same moment register first
        while self._held(task.team, team) <= 0.0:  # other projects of the line come first
            yield self.env.timeout(CASH_WAIT_DAYS)
        start = self.env.now
        effort = draw_effort(task, self.cfg.distribution, self.rng) * scale
        if task.team in BUILDING_TEAMS:  # a better design takes more building
            p = self.product
            effort *= design_cost.factor(p.design, p.reference, self._effort_rates)
        heads = min(task.max_heads, self._held(task.team, team) / self.running[task.team])
        self.ledger.spend("development", task.cost * scale)
        duration = task.fixed_days * (1.0 if recycle == 0 else scale) + effort / heads
        found = 0
        if task.testing:
            self.tested = True
            p_find = -math.expm1(-self.cfg.detection_rate_per_person_day * effort)
            found = int(self.rng.binomial(self.open_defects, p_find)) if self.open_defects else 0
            self.open_defects -= found
            self.found_defects += found
            duration += found * self.cfg.fix_effort_person_days / heads
        elif task.team in BUILDING_TEAMS:  # marketing or manufacturing work adds no defects
            self.open_defects += int(self.rng.poisson(self.cfg.defects_per_person_day * effort))
        yield self.env.timeout(duration)
        self.running[task.team] -= 1
        self.demand[task.team] -= task.max_heads
        self.product.set_quality(self.true_quality())
        self.recorder.task(firm=self.firm, task=task.name, stage=task.stage, start=start,
                           end=self.env.now, depends_on=",".join(task.depends_on),
                           effort_person_days=effort, heads=heads, defects_found=found,
                           recycle=recycle, product=self.product.name)
        if task.name in done:
            done[task.name].succeed()

    def _held(self, name: str, team) -> float:
        """The productive heads of ``team`` this project may use now."""
        capacity = team.capacity(self.env.now)
        if self.allocation is None:
            return capacity
        return self.allocation.capacity(self, name, capacity)

    def expected_value(self) -> float:
        """Expected contribution per week once launched (the ``value`` policy's weight)."""
        return float(self.value()) if self.value is not None else 1.0

    def true_quality(self) -> float:
        loss = self.cfg.quality_loss_per_defect * self.open_defects
        return float(min(max(self.quality_target - loss, ATTRIBUTE_SCALE[0]),
                         ATTRIBUTE_SCALE[1]))

    def _gate(self, stage: str, recycles: int):
        gate = self.cfg.gate
        market = self.research.market_size_estimate() if self.research else math.inf
        if market < gate.min_market_estimate:
            return "kill", f"market estimate {market:,.0f} < {gate.min_market_estimate:,.0f}"
        if gate.deadline_day is not None and self.env.now > gate.deadline_day:
            return gate.deadline_action, f"past the deadline day {gate.deadline_day:g}"
        if not self.tested:
            return "go", "no quality measurement yet"
        measured = self.true_quality() + QUALITY_MEASUREMENT_SD * self.rng.standard_normal()
        if measured >= gate.min_quality:
            return "go", f"measured quality {measured:.3f} >= {gate.min_quality:g}"
        if recycles < gate.max_recycles:
            return "recycle", f"measured quality {measured:.3f} < {gate.min_quality:g}"
        return "kill", f"quality {measured:.3f} still < {gate.min_quality:g} after {recycles} recycles"

    def _launch(self):
        self.state = "launched"
        p = self.product
        p.launched = True
        p.launch_day = self.env.now
        p.set_quality(self.true_quality())
        slip = self.env.now - self.planned_launch_day
        self._event("launch", f"quality {p.quality:.3f}, {self.open_defects} residual defects, "
                              f"slip {slip:+.0f} days")
        if self.on_launch is not None:
            self.on_launch()

    # --- after launch -----------------------------------------------------------------
    def roadmap(self):
        """Process: incremental releases, in feedback order if configured."""
        releases = list(self.cfg.roadmap)
        while releases and not self.product.killed:
            k = self._next_release(releases) if self.cfg.feedback_reorders_roadmap else 0
            release = releases.pop(k)
            while self.ledger.exhausted:
                yield self.env.timeout(CASH_WAIT_DAYS)
            gains = self._aimed(release.gains)
            if gains is not release.gains and not any(g > 0 for g in gains.values()):
                self._event("release_skipped", f"{release.name}: research puts the product at "
                                               "or past the estimated ideals")
                continue
            heads = min(8.0, max(self.teams.capacity("engineering"), 0.5))
            yield self.env.timeout(release.effort / heads)
            if self.product.killed:  # withdrawn meanwhile (insolvent): the work is lost
                return
            gains = self._aimed(release.gains)  # aimed by the latest study at its delivery
            done = self.product.improve(gains)
            self.quality_target += done.get("quality", 0.0)
            self._event("release", f"{release.name}: {describe_gains(gains, done)}")

    def _aimed(self, gains: dict) -> dict:
        """The release's gains, aimed at research's estimated ideals where configured."""
        r = self.research
        if r is None or not r.has_ideals or not getattr(r.cfg, "aim_releases", False):
            return gains
        return r.aim_gains(self.product.attributes, gains)

    def _next_release(self, releases) -> int:
        if self.research is not None and self.research.has_ideals:
            return self._next_release_by_ideals(releases)
        weights = self.research.weight_estimate() if self.research else np.ones(len(ATTRIBUTES))
        boost = np.ones(len(ATTRIBUTES))
        boost[ATTRIBUTES.index("quality")] += 2.0 * (1.0 - self.product.satisfaction)
        scores = [sum(g * weights[ATTRIBUTES.index(a)] * boost[ATTRIBUTES.index(a)]
                      for a, g in r.gains.items()) / max(r.effort, 1e-9) for r in releases]
        return int(np.argmax(scores))

    def _next_release_by_ideals(self, releases) -> int:
        """The release whose gains research values most per unit of effort, valuing a gain
        by how much closer it brings the product to the estimated ideal points (as of the
        latest study: an old study ranks by old tastes)."""
        boost = np.ones(len(ATTRIBUTES))
        boost[ATTRIBUTES.index("quality")] += 2.0 * (1.0 - self.product.satisfaction)
        scores = []
        for r in releases:
            gains = np.zeros(len(ATTRIBUTES))
            for a, g in r.gains.items():
                gains[ATTRIBUTES.index(a)] += g
            value = self.research.gain_values(self.product.attributes, gains)
            scores.append(float((value * boost).sum()) / max(r.effort, 1e-9))
        return int(np.argmax(scores))

    def _event(self, kind, detail):
        self.recorder.event(self.env.now, self.firm, self.product.name, kind, detail)
