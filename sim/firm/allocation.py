"""How a firm's shared teams are split across its development projects.

A development task takes its heads when it starts (``sim.firm.development``): its share of
the capacity its project holds in the task's team, over the project's tasks running in that
team. With several projects (a product line), the team's productive capacity ``C`` is first
split between the projects that have tasks running in the team at that moment, by the
firm's policy (``sim.config.line.AllocationConfig``):

- ``priority``: projects in priority order each take what their running tasks can use
  (``max_heads`` per task) out of what the earlier ones left; a project left with nothing
  waits for heads to free up (the queue discipline of a multi-project firm that ranks its
  projects, as in Wheelwright and Clark 1992's aggregate project plan);
- ``fixed``: shares ``w_p`` from the config, ``C * w_p / sum(w)`` over the projects
  running there;
- ``value``: the same with ``w_p`` the project's expected value, its unit margin at list
  price times its planned weekly output (capacity, or for a digital product the research
  estimate of the market per week).

With one project running in a team every policy gives it ``C`` (exactly: ``C * w / w``),
so a single-product firm takes the same heads as before product lines existed.
"""

from sim.units import DAYS_PER_WEEK, DAYS_PER_YEAR


class Allocation:
    def __init__(self, cfg, names):
        self.cfg = cfg
        order = list(cfg.order) + [n for n in names if n not in cfg.order]
        self.rank = {n: k for k, n in enumerate(order)}
        self.projects = []

    def register(self, project) -> None:
        self.projects.append(project)

    def _weight(self, project) -> float:
        if self.cfg.policy == "fixed":
            return float(self.cfg.shares.get(project.product.name, 0.0))
        return project.expected_value()

    def capacity(self, project, team: str, capacity: float) -> float:
        """The heads of ``team`` (productive capacity ``capacity``) that ``project`` may
        spread over its running tasks there."""
        active = [p for p in self.projects if p.running.get(team, 0) > 0 or p is project]
        if len(active) == 1:
            return capacity
        if self.cfg.policy == "priority":
            left = capacity
            for p in sorted(active, key=lambda p: self.rank.get(p.product.name, len(self.rank))):
                if p is project:
                    return max(left, 0.0)
                left -= min(left, p.demand.get(team, 0.0))
            return 0.0
        weights = {id(p): max(self._weight(p), 0.0) for p in active}
        total = sum(weights.values())
        if total <= 0.0:  # nobody has a claim: an equal split
            return capacity / len(active)
        return capacity * weights[id(project)] / total


def expected_weekly_value(pricing_cfg, production_cfg, digital: bool,
                          market_estimate: float) -> float:
    """A project's expected contribution per week at launch: unit margin at list price
    times planned output (capacity per week; a digital product's output is the market
    estimate spread over a year)."""
    margin = max(pricing_cfg.list_price - production_cfg.unit_cost, 0.0)
    if digital:
        per_week = market_estimate * DAYS_PER_WEEK / DAYS_PER_YEAR
    else:
        per_week = production_cfg.capacity_per_week
    return margin * per_week
