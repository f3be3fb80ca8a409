"""Schema of a competitor: a firm of the same kind as ours, with its own means.

It inherits nothing from the focal firm's defaults: its teams, its development tasks and
its roadmap are the ones its config lists (``configs/competitor/``), none by default, so a
rival's payroll and releases are its own, not a copy of ours. Every team that a task or the
roadmap relies on (the roadmap: engineering) must be among its teams with a headcount. A
rival with no tasks has a finished product that launches on its planned day.
"""

from dataclasses import dataclass, field

from sim.config.development import DevelopmentConfig
from sim.config.firm import FirmConfig
from sim.config.operations import TeamConfig


def _own_development():
    return DevelopmentConfig(tasks=[], roadmap=[])


@dataclass
class CompetitorConfig(FirmConfig):
    teams: dict[str, TeamConfig] = field(default_factory=dict)
    development: DevelopmentConfig = field(default_factory=_own_development)

    def __post_init__(self):
        super().__post_init__()
        key = f"competitor {self.name!r}"
        dev = self.development
        needs = {t.team: f"development.tasks[{t.name}]" for t in dev.tasks}
        if dev.roadmap:
            needs.setdefault("engineering", "development.roadmap")
        for team, why in sorted(needs.items()):
            cfg = self.teams.get(team)
            if cfg is None or cfg.headcount <= 0:
                raise ValueError(f"{key}.teams.{team}: {why} needs this team; list it with a "
                                 f"headcount > 0 (a rival has only the teams its config lists), "
                                 f"got {'none' if cfg is None else cfg.headcount}")
