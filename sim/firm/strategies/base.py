"""What every strategy shares: its clock, what it sees, and how it records a move.

A strategy owns its firm's start: ``start()`` starts the firm's processes (development now,
or deferred for a strategy that decides when to develop), then its own. Every
``review_days`` it looks at the market as the observer shows it (``observation_lag_days``
late, shares and attributes with log-normal noise of sd ``observation_noise``) and
``react``s through the firm's levers (``Firm.cut_price``, ``Firm.boost_marketing``, ...),
never by writing another component's fields.
"""


class Strategy:
    kind = ""
    defers_development = False  # True: the strategy starts development itself

    def __init__(self, env, firm, cfg, observer, rng, recorder, segments, incumbents=()):
        self.env = env
        self.firm = firm
        self.cfg = cfg
        self.observer = observer
        self.rng = rng
        self.recorder = recorder
        self.segments = segments
        self.incumbents = set(incumbents)  # firms on the market at day 0

    def start(self) -> None:
        self.firm.start(defer_development=self.defers_development)
        self.start_own()
        self.env.process(self.run())

    def start_own(self) -> None:
        """Processes or settings of the strategy itself, before its review loop."""

    def run(self):
        while True:
            yield self.env.timeout(self.cfg.review_days)
            seen = self.observer.view(self.env.now, self.cfg.observation_lag_days,
                                      self.cfg.observation_noise, self.rng)
            if seen:
                self.react(seen)

    def react(self, seen: dict) -> None:
        raise NotImplementedError

    def move(self, what: str) -> None:
        self.recorder.event(self.env.now, self.firm.name, self.firm.product.name,
                            "competitor_move", f"{self.kind}: {what}")

    def rivals(self, seen) -> dict:
        """The other firms seen on the market."""
        me = self.firm.name
        return {f: d for f, d in seen.items() if f != me and d["launched"]}

    def entrants(self, seen) -> dict:
        """The rivals that were not on the market at day 0 (one pass, in ``seen``'s order,
        as ``rivals`` and a filter of its result give)."""
        me, incumbents = self.firm.name, self.incumbents
        return {f: d for f, d in seen.items()
                if f != me and d["launched"] and f not in incumbents}
