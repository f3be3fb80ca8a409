"""The fast follower: it copies the first new entrant it sees launch.

Its development waits; when it observes a new entrant on the market, it starts developing a
product whose target attributes are ``copy_quality`` times the leader's observed ones.
"""

import numpy as np

from sim.firm.strategies.base import Strategy


class FastFollower(Strategy):
    kind = "fast_follower"
    defers_development = True

    def react(self, seen) -> None:
        # it reacts to new entrants, not to the products already on the market at day 0
        rivals = self.entrants(seen)
        if self.firm.project.state != "planned" or not rivals:
            return
        leader = max(rivals.items(), key=lambda kv: kv[1]["share"])
        target = self.cfg.copy_quality * leader[1]["attributes"]
        self.firm.start_development(target)
        self.move(f"copies {leader[0]} (target {np.round(target, 2).tolist()})")
