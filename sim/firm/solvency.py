"""The weekly solvency review: interest, payroll, and the firm's cash states.

Once a week (``DAYS_PER_WEEK``) the review of a firm with ledger L and teams T:

1. owes interest on the drawn credit, ``max(-cash, 0) * interest_per_year * 7/365``, and
   this week's payroll; together the week's fixed obligations ``due``;
2. if the headroom (cash + credit line) is below ``layoff_weeks`` weeks of ``due``, or
   cannot pay ``due`` and what went unpaid since the last review, or a payment went
   unpaid, it lays off ``layoff_fraction`` of every team (rounded up; one ``layoffs``
   event), once per crisis; if, after the layoffs (at once, or at a later review of the
   same crisis), ``due`` and what is owed cannot be paid, the firm is
   insolvent (one ``insolvent`` event): it pays nothing
   more, everybody leaves, and it leaves the market (``on_insolvent``);
3. pays what went unpaid since the last review (the ledger's ``arrears``, under the
   accounts it was owed for: a supplier or a bank is not paid less for waiting), then
   interest (account ``interest``) and salaries (``salaries:<team>``);
4. moves between two cash states with a band (hysteresis, as the lower and upper control
   limits of Miller and Orr 1966): *operating* becomes *constrained* (``cash_exhausted``:
   discretionary spending stops) when the headroom falls below ``reserve_weeks`` weeks of
   ``due``; *constrained* becomes *operating* again (``cash_recovered``, the layoff count
   starts afresh) only when it reaches ``recovery_weeks`` weeks. While operating,
   discretionary spending may use only the headroom above the reserve plus the cost of a
   week's output (``working_capital``: the supplier is paid before the advertiser).

Each change of state is one event; the review never flips within a week.
"""

from sim.firm.ledger import CONSTRAINED, INSOLVENT, OPERATING
from sim.units import DAYS_PER_WEEK, DAYS_PER_YEAR


class Solvency:
    def __init__(self, env, firm: str, cfg, ledger, teams, recorder, on_insolvent=None,
                 working_capital=None):
        self.env = env
        self.firm = firm
        self.cfg = cfg
        self.ledger = ledger
        self.teams = teams
        self.recorder = recorder
        self.on_insolvent = on_insolvent
        self.working_capital = working_capital or (lambda: 0.0)
        self.laid_off = False  # layoffs made in the current crisis

    def run(self):
        """Process: the review, every week from now on."""
        while self.ledger.state != INSOLVENT:
            self.review()
            yield self.env.timeout(DAYS_PER_WEEK)

    def interest_due(self) -> float:
        drawn = -self.ledger.cash
        if 0.0 > drawn:  # max(-cash, 0.0) spelt out (every week)
            drawn = 0.0
        return drawn * self.cfg.interest_per_year * DAYS_PER_WEEK / DAYS_PER_YEAR

    def review(self) -> None:
        led = self.ledger
        if led.state == INSOLVENT:
            return
        interest = self.interest_due()
        due = interest + self.teams.weekly_payroll()
        headroom = led.headroom
        unpaid = led.unpaid  # (read once: nothing below changes it before the layoffs)
        missed = unpaid > 0.0  # a payment went unpaid since the last review
        short = due + unpaid > headroom  # what is due and owed cannot be paid now
        # the reason is worded only when there is one (most weeks there is none)
        why = "" if not (short or missed) else (
            f"{unpaid:,.0f} unpaid since the last review" if missed else
            f"payroll and interest {due:,.0f} > cash {led.cash:,.0f} + credit line "
            f"{led.credit_line:,.0f}")
        if short and self.laid_off:  # a crisis that layoffs did not end
            if missed:
                why += (f", and with payroll and interest {due:,.0f} more than cash "
                        f"{led.cash:,.0f} + credit line {led.credit_line:,.0f}")
            self._insolvent(why)
            return
        thin = headroom < self.cfg.layoff_weeks * due
        if not self.laid_off and (short or missed or thin):
            if not short:
                why = (f"cash {led.cash:,.0f} + credit line {led.credit_line:,.0f} < "
                       f"{self.cfg.layoff_weeks:g} weeks of payroll and interest "
                       f"({self.cfg.layoff_weeks * due:,.0f})")
            self._lay_off(why)
            due = interest + self.teams.weekly_payroll()
            if due + led.unpaid > led.headroom:
                owed = f" and {led.unpaid:,.0f} unpaid" if led.unpaid > 0.0 else ""
                self._insolvent(f"payroll and interest {due:,.0f}{owed} after the layoffs > "
                                f"cash {led.cash:,.0f} + credit line {led.credit_line:,.0f}")
                return
        if led.arrears:  # owed since the last review: paid first, in full (checked above)
            led.settle_arrears()
        if not interest <= 0.0:  # spend returns at once for an amount <= 0
            led.spend("interest", interest, discretionary=False)
        self.teams.pay_salaries()
        self._update_state(due)

    def _update_state(self, due: float) -> None:
        led, cfg = self.ledger, self.cfg
        floor = cfg.reserve_weeks * due
        # discretionary spending also leaves the week's production to be paid for
        led.reserve = floor + self.working_capital()
        if led.state == OPERATING and led.headroom < floor:
            self._constrain(f"{cfg.reserve_weeks:g} weeks of payroll and interest "
                            f"({floor:,.0f})")
        elif led.state == CONSTRAINED and led.headroom >= cfg.recovery_weeks * due:
            led.state = OPERATING
            self.laid_off = False
            self._event("cash_recovered",
                        f"cash {led.cash:,.0f} + credit line {led.credit_line:,.0f} >= "
                        f"{cfg.recovery_weeks:g} weeks of payroll and interest "
                        f"({cfg.recovery_weeks * due:,.0f})")

    def _constrain(self, limit: str) -> None:
        led = self.ledger
        led.state = CONSTRAINED
        self._event("cash_exhausted", f"cash {led.cash:,.0f} + credit line "
                                      f"{led.credit_line:,.0f} < {limit}: discretionary "
                                      "spending stops")

    def _lay_off(self, why: str) -> None:
        if self.ledger.state == OPERATING:  # discretionary spending stops first
            self._constrain("this week's payroll and interest")
        left = self.teams.lay_off_share(self.cfg.layoff_fraction)
        self.laid_off = True
        cut = ", ".join(f"{team} -{n}" for team, n in left.items() if n) or "nobody to lay off"
        self._event("layoffs", f"{cut} ({why})")

    def _insolvent(self, why: str) -> None:
        self.ledger.state = INSOLVENT
        self.ledger.arrears = []  # what it owes is never paid (not accrued: model.md 6.2)
        self.teams.lay_off_all("insolvent", record=False)  # this one event says it
        self._event("insolvent", f"cannot pay: {why}; everybody leaves and the firm leaves "
                                 "the market")
        if self.on_insolvent is not None:
            self.on_insolvent()

    def _event(self, kind: str, detail: str) -> None:
        self.recorder.event(self.env.now, self.firm, "", kind, detail)
