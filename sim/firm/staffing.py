"""The support team staffed to its load (``firm.support.staffing: to_load``).

With ``fixed`` (the default) the support team is what the config and its hiring plan
give: a firm whose installed base outgrows it answers a falling share of the tickets, and
its satisfaction falls with that service level (``sim.firm.support``). With ``to_load``,
a review every ``staffing_review_days`` sets the agents the load needs for the target
service level,

    needed = ceil(target_service_level * load / tickets_per_agent_per_week),
    load = sum over products still supported of installed_base * tickets_per_customer_per_year / 52,

and starts hiring the gap over the heads the team has and those already being hired
(``Teams.hire``: the team's hiring lag, then its ramp-up; each hire is a ``hiring_started``
and a ``hired`` event, paid as salaries like any other member). Nobody is hired while
discretionary spending is stopped (cash constrained or insolvent), and nobody is laid off
when the load falls. Staffing from the offered load (arrival rate times work per arrival,
over the work one agent does) is the base of call-centre staffing rules (Gans, Koole and
Mandelbaum 2003, "Telephone Call Centers: Tutorial, Review, and Research Prospects",
*Manufacturing & Service Operations Management* 5(2): 79-141); here the service level is
the share of tickets answered, so the target sets the share of the load to staff.
"""

import math

from sim.units import WEEKS_PER_YEAR

TEAM = "support"


class SupportStaffing:
    """Process: hire support agents to the load, reviewed every ``staffing_review_days``."""

    def __init__(self, env, cfg, teams, ledger, offerings):
        self.env = env
        self.cfg = cfg  # the firm's SupportConfig
        self.teams = teams
        self.ledger = ledger
        self.offerings = offerings
        self._pending = []  # (day they join, heads) of hires under way

    def load(self) -> float:
        """Tickets a week from the installed bases still supported."""
        now = self.env.now
        return sum(o.product.installed_base * o.product.tickets_per_customer_per_year
                   for o in self.offerings if now < o.support_until) / WEEKS_PER_YEAR

    def needed(self) -> int:
        """Agents for the target service level at the current load."""
        return math.ceil(self.cfg.target_service_level * self.load()
                         / self.cfg.tickets_per_agent_per_week - 1e-9)

    def review(self) -> int:
        """Start hiring the gap; returns the heads asked for (0 when none are needed or
        hiring is stopped)."""
        now = self.env.now
        self._pending = [(day, n) for day, n in self._pending if day > now]
        have = self.teams[TEAM].headcount + sum(n for _, n in self._pending)
        gap = self.needed() - have
        if gap <= 0 or self.ledger.exhausted or self.teams.frozen:
            return 0
        self._pending.append((now + self.teams[TEAM].hiring_lag_days, gap))
        self.env.process(self.teams.hire(TEAM, gap, "support load"))
        return gap

    def run(self):
        while True:
            self.review()
            yield self.env.timeout(self.cfg.staffing_review_days)
