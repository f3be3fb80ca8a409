"""Teams: headcount, cost per head, hiring lag and ramp-up, payroll, and a hiring plan.

A hire becomes a member ``hiring_lag_days`` after the decision and reaches full
productivity linearly over ``ramp_up_days``; the team's capacity in heads is the sum of
its members' productivity. Salaries are paid weekly from the ledger (not discretionary; in a firm the
solvency review pays them, ``sim.firm.solvency``); hiring is discretionary and is frozen
while the firm is cash constrained.
"""

import functools
import math

from sim.units import DAYS_PER_WEEK, DAYS_PER_YEAR

SALARY_PERIOD_DAYS = DAYS_PER_WEEK


@functools.cache
def _salaries_account(team: str) -> str:
    return f"salaries:{team}"


def _salary(team) -> float:
    """One salary period's pay of a team: headcount x cost per head x period / year
    (kept while the headcount stays: the review and the payroll ask for it every week)."""
    n = len(team.joined)
    if n != team._pay_heads:
        team._pay_heads = n
        team._pay = n * team.cost_per_head_per_year * SALARY_PERIOD_DAYS / DAYS_PER_YEAR
    return team._pay


class Team:
    def __init__(self, name: str, cfg, on_change=None):
        self.name = name
        self.on_change = on_change  # called when members join or leave (Teams' payroll)
        self.cost_per_head_per_year = float(cfg.cost_per_head_per_year)
        self.hiring_lag_days = float(cfg.hiring_lag_days)
        self.ramp_up_days = float(cfg.ramp_up_days)
        self.joined = [-math.inf] * int(cfg.headcount)  # day each member joined
        self._latest = -math.inf  # max(joined), kept by join and leave
        self._pay_heads, self._pay = -1, 0.0  # _salary's cache: headcount, pay

    @property
    def headcount(self) -> int:
        return len(self.joined)

    def capacity(self, t: float) -> float:
        """Productive heads at day t (members still ramping up count partially)."""
        if self.ramp_up_days <= 0.0:
            return float(len(self.joined))
        joined = self.joined
        # the latest joiner fully productive: so is everyone (a sum of ones, exact)
        if joined and (t - self._latest) / self.ramp_up_days >= 1.0:
            return float(len(joined))
        return sum(min(1.0, (t - j) / self.ramp_up_days) for j in joined)

    def join(self, t: float, n: int) -> None:
        self.joined.extend([t] * n)
        if n > 0 and t > self._latest:
            self._latest = t
        if self.on_change is not None:
            self.on_change()

    def leave(self, n: int) -> int:
        """The ``n`` most recent joiners leave (at most the whole team); returns how many."""
        n = min(n, len(self.joined))
        self.joined.sort()
        del self.joined[len(self.joined) - n:]
        self._latest = self.joined[-1] if self.joined else -math.inf
        if self.on_change is not None:
            self.on_change()
        return n


class Teams:
    """A firm's teams; ``run`` pays salaries, ``hire`` realises the hiring plan."""

    def __init__(self, env, firm: str, cfgs: dict, ledger, recorder):
        self.env = env
        self.firm = firm
        self.ledger = ledger
        self.recorder = recorder
        self.teams = {name: Team(name, cfg, self._changed) for name, cfg in cfgs.items()}
        self.frozen = False  # no more hiring (after a kill)
        self._payroll = None  # (total, [(account, pay)]) while no member joins or leaves

    def _changed(self) -> None:
        self._payroll = None

    def __getitem__(self, name: str) -> Team:
        team = self.teams.get(name)
        if team is None:
            team = self.teams[name] = Team(name, _Empty(), self._changed)
            self._payroll = None
        return team

    def capacity(self, name: str) -> float:
        return self[name].capacity(self.env.now)

    def _weekly(self) -> tuple:
        """(this week's salaries of all teams, [(account, pay) of each team]), kept until a
        member joins or leaves."""
        if self._payroll is None:
            pays = [(_salaries_account(name), _salary(team)) for name, team in self.teams.items()]
            self._payroll = (sum([pay for _, pay in pays]), pays)
        return self._payroll

    def weekly_payroll(self) -> float:
        """This week's salaries, all teams."""
        return self._weekly()[0]

    def pay_salaries(self) -> None:
        """One week's salaries, one ledger posting per team (not discretionary)."""
        self.ledger.pay_all(self._weekly()[1])

    def payroll(self):
        """Process: weekly salaries (a firm's solvency review pays them instead)."""
        while True:
            self.pay_salaries()
            yield self.env.timeout(SALARY_PERIOD_DAYS)

    def lay_off_all(self, reason: str, record: bool = True) -> None:
        """Everybody leaves now (a kill of the firm's only product); pending hires too.
        One ``layoff`` event per team unless ``record`` is False (the caller records)."""
        self.frozen = True
        for name, team in self.teams.items():
            if team.headcount:
                if record:
                    self.recorder.event(self.env.now, self.firm, "", "layoff",
                                        f"{name} -{team.headcount} ({reason})")
                team.leave(team.headcount)

    def lay_off_share(self, fraction: float) -> dict:
        """``fraction`` of every team leaves now (rounded up, the latest joiners first);
        returns how many left each team (the caller records one event)."""
        return {name: team.leave(math.ceil(fraction * team.headcount))
                for name, team in self.teams.items() if team.headcount}

    def hire(self, team: str, n: int, reason: str = "plan"):
        """Process: decide to hire n (frozen without cash), join after the hiring lag."""
        if n < 0:
            left = self[team].leave(-n)
            short = f", {-n} planned but the team had {left}" if left < -n else ""
            self.recorder.event(self.env.now, self.firm, "", "layoff",
                                f"{team} -{left} ({reason}{short})")
            return
        if self.ledger.exhausted or self.frozen:
            self.recorder.event(self.env.now, self.firm, "", "hiring_frozen", f"{team} +{n} ({reason})")
            return
        self.recorder.event(self.env.now, self.firm, "", "hiring_started", f"{team} +{n} ({reason})")
        yield self.env.timeout(self[team].hiring_lag_days)
        if self.frozen:
            return
        self[team].join(self.env.now, n)
        self.recorder.event(self.env.now, self.firm, "", "hired", f"{team} +{n}")

    def plan(self, hires):
        """Process: the hiring plan, in order of day."""
        for h in sorted(hires, key=lambda h: h.day):
            if h.day > self.env.now:
                yield self.env.timeout(h.day - self.env.now)
            self.env.process(self.hire(h.team, int(h.headcount)))



class _Empty:
    headcount = 0
    cost_per_head_per_year = 0.0
    hiring_lag_days = 0.0
    ramp_up_days = 0.0
