"""Equity rounds at milestones: cash from investors when the firm reaches them.

Each configured round (``FinanceConfig.equity_rounds``) is paid in once, as a
``financing:equity`` posting (paid-in capital on the balance sheet, not revenue), with one
``equity_round`` event, when its milestone is reached: ``day N``; ``launch`` (the firm's
``launch`` event); ``gate STAGE`` (the first ``go`` of that stage's gate). An insolvent
firm raises nothing. The milestones are read from the run's event log, checked daily
while a round waits for one, so the rounds need no hook in the firm's other actors.
"""

from sim.firm.ledger import INSOLVENT

POLL_DAYS = 1.0


class EquityRounds:
    def __init__(self, env, firm: str, rounds, ledger, recorder):
        self.env = env
        self.firm = firm
        self.rounds = list(rounds)
        self.ledger = ledger
        self.recorder = recorder
        self._seen = 0  # events already read
        self._reached: set = set()  # ("launch", None) and ("gate", STAGE) seen so far

    def run(self):
        """Process: pays in each round when its milestone is reached (rounds in order of
        their milestones, whatever their order in the config)."""
        waiting = list(self.rounds)
        while waiting:
            self._read_events()
            due = [r for r in waiting if self._reached_milestone(r)]
            for r in due:
                waiting.remove(r)
                self._pay(r)
            if not waiting or self.ledger.state == INSOLVENT:
                return
            yield self.env.timeout(self._next_wait(waiting))

    def _read_events(self) -> None:
        events = self.recorder.events
        for _t, firm, _product, kind, detail in events[self._seen:]:
            if firm != self.firm:
                continue
            if kind == "launch":
                self._reached.add(("launch", None))
            elif kind == "gate_go":
                self._reached.add(("gate", detail.split(":", 1)[0].strip()))
        self._seen = len(events)

    def _reached_milestone(self, r) -> bool:
        kind, value = r.milestone()
        if kind == "day":
            return self.env.now >= value
        return (kind, value) in self._reached

    def _next_wait(self, waiting) -> float:
        """Until the next day milestone, or a day when a round waits for an event."""
        waits = []
        for r in waiting:
            kind, value = r.milestone()
            waits.append(max(value - self.env.now, 0.0) if kind == "day" else POLL_DAYS)
        return max(min(waits), 1e-9)

    def _pay(self, r) -> None:
        if self.ledger.state == INSOLVENT:
            return
        self.ledger.post("financing:equity", float(r.amount))
        self.recorder.event(self.env.now, self.firm, "", "equity_round",
                            f"{float(r.amount):,.0f} raised at {r.at}")
