"""Each firm's one cash ledger: every movement is a signed posting; cash lives nowhere else.

A firm whose cash (plus its credit line) is exhausted stops discretionary spending
(marketing, research, hiring, capacity, development materials); the moment it runs out
and the moment it recovers are recorded as events.
"""


class Ledger:
    def __init__(self, env, firm: str, recorder, credit_line: float = 0.0):
        self.env = env
        self.firm = firm
        self.recorder = recorder
        self.credit_line = float(credit_line)
        self._cash = 0.0
        self.exhausted = False

    @property
    def cash(self) -> float:
        return self._cash

    def post(self, account: str, amount: float) -> None:
        """Record a movement (positive: money in)."""
        if amount == 0.0:
            return
        self._cash += amount
        self.recorder.cash(self.env.now, self.firm, account, amount)
        if not self.exhausted and self._cash + self.credit_line < 0.0:
            self.exhausted = True
            self.recorder.event(self.env.now, self.firm, "", "cash_exhausted",
                                f"cash {self._cash:,.0f} after {account}")
        elif self.exhausted and self._cash + self.credit_line > 0.0:
            self.exhausted = False
            self.recorder.event(self.env.now, self.firm, "", "cash_recovered",
                                f"cash {self._cash:,.0f}")

    def can_afford(self, amount: float) -> bool:
        """Whether a discretionary payment of ``amount`` would be made in full."""
        return not self.exhausted and self._cash + self.credit_line >= amount

    def spend(self, account: str, amount: float, discretionary: bool = True) -> float:
        """Pay ``amount`` unless it is discretionary and cash is exhausted; returns the paid
        amount (discretionary spending is cut to what cash plus credit still covers)."""
        if amount <= 0.0:
            return 0.0
        if discretionary:
            room = self._cash + self.credit_line
            if self.exhausted or room <= 0.0:
                return 0.0
            amount = min(amount, room)
        self.post(account, -amount)
        return amount
