"""Marketing: channels with weekly spend, adstock carry-over and saturating response
(Broadbent 1979 adstock; a Michaelis-Menten saturation curve), producing the advertising
effect and the awareness that the demand kernel consumes.

Each week channel c's adstock is ``A_c = decay_c * A_c + spend_c`` and its lift
``L_c = max_lift_c * A_c / (A_c + half_saturation_c)``. For segment s the advertising
effect multiplying the Bass innovation coefficient is ``1 + sum_c reach[s, c] * L_c``, and
awareness grows by ``1 - prod_c (1 - awareness_per_week_c * reach[s, c] * L_c / max_lift_c)``
of the unaware, forgets ``forgetting_per_week`` of the aware, and never falls below the
share of the segment that owns the product.

Allocation: ``fixed`` keeps the configured split; ``test_and_shift`` reviews every
``review_days`` a noisy measurement of each channel's marginal return (new-customer lift
per unit of money at the current adstock, times the reachable potential adopters, with
log-normal measurement error) and moves ``shift_fraction`` of the budget from the worst to
the best channel, as a product executive running channel experiments would, when the two
differ by more than the measurement error explains: the log-ratio of the best to the worst
of k measurements of equal returns is the range of k normals of sd ``measurement_noise``,
so it shifts only above that range's 95th percentile (Tukey's studentized range with
infinite degrees of freedom, ``RANGE_95``). Without the test it moved budget at every
review, back and forth between channels whose returns it had already equalised (the
``marketing_mix`` scenario, seed 0: 26 shifts in 26 reviews, each channel both given and
taken from).
"""

import math

import numpy as np

from sim.config import CHANNELS
from sim.kernel import dots, libm
from sim.kernel.advertising import advertising_week
from sim.units import DAYS_PER_WEEK

_ACCOUNTS = tuple(f"marketing:{c}" for c in CHANNELS)  # ledger account per channel
# the 95th percentile of the range of k independent standard normals (the studentized range
# q(0.95; k, inf): scipy.stats.studentized_range.ppf(0.95, k, inf)), by k channels measured
RANGE_95 = {2: 2.7718076, 3: 3.3144932, 4: 3.6331596}

class Marketing:
    def __init__(self, env, firm: str, cfg, product, reach, ledger, recorder, rng,
                 plan):
        self.env = env
        self.firm = firm
        self.cfg = cfg
        self.product = product
        self.reach = np.asarray(reach, dtype=float)  # (S, C)
        self.ledger = ledger
        self.recorder = recorder
        self._rng = rng  # a Generator, or a function making it (made at the first draw)
        # the planned launch day: a number, or a function giving the project's plan now
        # (``Project.planned_launch_day``: a plan counted from a deferred start is unknown,
        # inf, until the start)
        self._plan = plan if callable(plan) else (lambda day=float(plan): day)
        total = sum(cfg.split.values())
        self.split = np.array([cfg.split.get(c, 0.0) / total if total > 0 else 0.0
                               for c in CHANNELS])
        chans = [cfg.channels.get(c) for c in CHANNELS]
        self.max_lift = np.array([ch.max_lift if ch else 0.0 for ch in chans])
        self.half = np.array([ch.half_saturation if ch else 1.0 for ch in chans])
        self.decay = np.array([ch.adstock_decay_per_week if ch else 0.0 for ch in chans])
        self.aw_rate = np.array([ch.awareness_per_week if ch else 0.0 for ch in chans])
        self.adstock = np.zeros(len(CHANNELS))
        # the weekly call's work rows: the spend with campaigns, the paid amounts, the lifts
        self._campaign_spend_row, self._paid, self._lifts = (np.zeros(len(CHANNELS))
                                                             for _ in range(3))
        self.inv_max_lift = np.divide(1.0, self.max_lift, out=np.zeros(len(CHANNELS)),
                                      where=self.max_lift > 0)
        self.budget_multiplier = 1.0
        self.segment_multiplier = np.ones(self.reach.shape[0])
        self._reach_for = None  # the segment_multiplier that _reach and _aw_reach are for
        self.spent = 0.0
        self._no_effect = np.ones(self.reach.shape[0])  # the effect without advertising
        self._no_effect.flags.writeable = False  # (shared week after week: read-only)
        self.pool = np.ones(self.reach.shape[0])  # potential adopters, updated by the market
        self.capped = False
        self._paused = False  # the pre-launch campaign paused by a slip (``active``)
        self._record_cap()

    def focus(self, segment_multiplier) -> None:
        """Scale the reach in each segment (a strategy's targeting); the spend is unchanged."""
        self.segment_multiplier = np.asarray(segment_multiplier, dtype=float)
        self._record_cap()

    def _record_cap(self) -> None:
        """A channel's weekly chance of making an unaware customer aware,
        ``awareness_per_week * reach * focus`` at full lift, is a probability: where the
        configured reach (above 1) makes it exceed 1 it is used as 1, and the moment that
        starts (and stops) is recorded as an ``awareness_capped`` event."""
        chance = self.aw_rate * self.reach * self.segment_multiplier[:, None]
        capped = bool((chance > 1.0).any())
        if capped != self.capped:
            self.capped = capped
            s, c = np.unravel_index(int(np.argmax(chance)), chance.shape)
            detail = (f"awareness_per_week x reach x focus reaches {chance[s, c]:.3g} "
                      f"(segment {s}, {CHANNELS[c]}): used as 1" if capped
                      else "no channel's awareness chance exceeds 1 any more")
            self.recorder.event(self.env.now, self.firm, self.product.name, "awareness_capped",
                                detail)

    @property
    def rng(self) -> np.random.Generator:
        """The marketing's random stream (only ``test_and_shift`` draws from it): given as
        a function, it is made at the first draw (about 20 us a product a run saved where
        none is drawn; a stream made from the seed and its name draws the same whenever it
        is made, ``sim.seeds``)."""
        if not isinstance(self._rng, np.random.Generator):
            self._rng = self._rng()
        return self._rng

    @property
    def adstock(self) -> np.ndarray:
        """(C,) each channel's adstock (a copy: assign a new vector to change it)."""
        return self._adstock.copy()

    @adstock.setter
    def adstock(self, value) -> None:
        adstock = np.array(value, dtype=float)  # a copy, updated in place by the week
        if adstock.shape != (len(CHANNELS),):  # the compiled week reads one per channel
            raise ValueError(f"adstock must hold one value per channel ({len(CHANNELS)}: "
                             f"{', '.join(CHANNELS)}), got shape {adstock.shape}")
        self._adstock = adstock

    @property
    def planned_launch_day(self) -> float:
        """The product's planned launch day as the project plans it now."""
        return self._plan()

    def lift(self) -> np.ndarray:
        """(C,) each channel's lift at the current adstock."""
        return self.max_lift * self._adstock / (self._adstock + self.half)

    def active(self) -> bool:
        """On the market, or not yet launched (not killed, not retired) and within
        ``prelaunch_days`` of the planned launch. Past the planned day, a launch that
        slipped: with ``during_slip: pause`` the pre-launch campaign stops until the
        product is on the market (one ``prelaunch_paused`` event, once there is a budget
        or a campaign to stop), with ``continue`` it goes on spending. A launch at the
        very instant of a weekly tick after the planned day is seen at that tick only if
        the launch came first (SimPy's order at one instant); development's task times
        are continuous, so that needs a hand-made schedule."""
        p = self.product
        if p.on_market:
            return True
        if p.killed or p.retired:
            return False
        now, planned = self.env.now, self.planned_launch_day
        if now < planned - self.cfg.prelaunch_days:
            return False
        if now <= planned or self.cfg.during_slip == "continue":
            return True
        # said once, when there is something to stop: a budget, or a campaign still to run
        if not self._paused and (self.cfg.budget_per_week > 0.0 or any(
                c.end_day > now for c in self.cfg.campaigns)):
            self._paused = True
            self.recorder.event(now, self.firm, p.name, "prelaunch_paused",
                                f"the launch planned for day {planned:,.0f} has slipped: "
                                "pre-launch marketing stops until the product is on the "
                                "market")
        return False

    def run(self):
        """Process: weekly spend, response, awareness; periodic budget shifts."""
        next_review = self.env.now + self.cfg.review_days
        while True:
            self._week()
            if self.cfg.policy == "test_and_shift" and self.env.now >= next_review:
                self._shift()
                next_review = self.env.now + self.cfg.review_days
            yield self.env.timeout(DAYS_PER_WEEK)

    def _week(self) -> None:
        """One week: the spend (while ``active``), paid as far as the ledger allows (a
        discretionary payment per channel), the adstock ``A = decay A + spend`` and the
        response; compiled in one call (``sim.kernel.advertising.advertising_week``: the
        operations of the Python form, in order; about 8% of a default run when the spend,
        payment and adstock were Python), the ledger's postings made here
        (``Ledger.post_paid``)."""
        p = self.product
        cfg = self.cfg
        if self._reach_for is not self.segment_multiplier:
            self._focus_reach()
        paying = p.on_market or self.active()  # (on the market most weeks: no call)
        base, use_spend = 0.0, False
        cash = credit = reserve = 0.0
        operating = False
        if paying:
            base = cfg.budget_per_week * self.budget_multiplier
            if cfg.campaigns:
                use_spend = self._campaign_spend(base)
            cash, credit, reserve, operating = self.ledger.terms()
        n_segments = self._aw_reach.shape[0]
        aware, effect = np.empty(n_segments), np.empty(n_segments)
        total, responded = advertising_week(
            paying, base, self.split, self._campaign_spend_row, use_spend, cash, credit,
            reserve, operating, self._adstock, self.decay, self.max_lift, self.half,
            self.inv_max_lift, self._reach, self._aw_reach, p.awareness,
            cfg.forgetting_per_week, self._paid, self._lifts, aware, effect)
        if paying:
            self.ledger.post_paid(_ACCOUNTS, self._paid.tolist())
            self.spent += total
        if responded:
            p.advertising = effect
            p.awareness = aware
        else:  # no advertising now or carried over: awareness is only forgotten
            p.advertising = self._no_effect
            if cfg.forgetting_per_week > 0.0:
                p.awareness = aware

    def _campaign_spend(self, base: float) -> bool:
        """Whether a campaign runs this week; if one does, the week's spend per channel,
        the split of ``base`` plus the campaigns' spend, in ``_campaign_spend_row``."""
        now = self.env.now
        running = [cp for cp in self.cfg.campaigns if cp.start_day <= now < cp.end_day]
        if not running:
            return False
        spend = [base * x for x in self.split.tolist()]
        for cp in running:
            spend[CHANNELS.index(cp.channel)] += cp.spend_per_week
        self._campaign_spend_row[:] = spend
        return True

    def _focus_reach(self) -> None:
        """The reach and awareness reach under the current focus (``_week`` makes them
        when it changed)."""
        self._reach = self.reach * self.segment_multiplier[:, None]
        self._aw_reach = self.aw_rate * self._reach
        self._reach_for = self.segment_multiplier

    def marginal_returns(self) -> np.ndarray:
        """Noisy measured new-customer lift per unit of weekly spend, per channel (C,)."""
        # lift per unit of weekly spend: d lift / d adstock times the adstock a steady unit
        # of weekly spend builds, 1 / (1 - decay) (carry-over counts)
        slope = self.max_lift * self.half / (self.adstock + self.half) ** 2 / (1.0 - self.decay)
        # potential adopters reachable by each channel (pool @ reach, in a fixed order)
        reachable = dots.vecmat(self.pool, self.reach)
        noise = libm.exp(self.cfg.measurement_noise * self.rng.standard_normal(len(CHANNELS)))
        return slope * reachable * noise

    def differ(self, best: float, worst: float, k: int) -> bool:
        """Whether the best of ``k`` measured returns beats the worst by more than their
        measurement error explains (module docstring); a worst return of 0 always does."""
        if worst <= 0.0:
            return best > 0.0
        noise = self.cfg.measurement_noise
        return math.log(best / worst) > noise * RANGE_95[k]

    def _shift(self):
        usable = self.max_lift > 0
        if usable.sum() < 2 or not self.active():
            return
        ret = np.where(usable, self.marginal_returns(), np.nan)
        best, worst = int(np.nanargmax(ret)), int(np.nanargmin(ret))
        if best == worst or self.split[worst] <= 0.0:
            return
        if not self.differ(ret[best], ret[worst], int(usable.sum())):
            return  # within the measurement error: no evidence that one channel is better
        moved = min(self.cfg.shift_fraction, self.split[worst])
        self.split[worst] -= moved
        self.split[best] += moved
        self.recorder.event(self.env.now, self.firm, self.product.name, "budget_shift",
                            f"{moved:.0%} of budget {CHANNELS[worst]} -> {CHANNELS[best]}")
