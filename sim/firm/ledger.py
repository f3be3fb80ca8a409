"""Each firm's one cash ledger: every movement is a signed posting; cash lives nowhere else.

The credit line is a real limit: cash may go down to ``-credit_line`` and no further. What
the firm can still pay is its *headroom*, ``cash + credit_line``:

- a non-discretionary payment (salaries, production, serving, interest) is paid up to the
  headroom; what it cannot pay is owed: it is added to ``arrears`` (account, amount,
  product; ``unpaid`` is their total), a default the firm's weekly solvency review acts
  on and pays first (``sim.firm.solvency``);
- a discretionary payment (marketing, research, hiring, capacity, development materials)
  is paid only from the headroom above the ``reserve`` the review keeps, and not at all
  while the firm is ``exhausted`` (cash constrained) or insolvent.

The states and their events (``cash_exhausted``, ``cash_recovered``, ``layoffs``,
``insolvent``) are the review's; the ledger only keeps the money and the state flags.
"""

OPERATING, CONSTRAINED, INSOLVENT = "operating", "constrained", "insolvent"


class Ledger:
    def __init__(self, env, firm: str, recorder, credit_line: float = 0.0):
        self.env = env
        self.firm = firm
        self.recorder = recorder
        self.credit_line = float(credit_line)
        self._cash = 0.0
        self.state = OPERATING
        self.reserve = 0.0  # headroom kept back from discretionary spending
        # non-discretionary payments that found no headroom, owed: (account, amount,
        # product), oldest first
        self.arrears = []

    @property
    def cash(self) -> float:
        return self._cash

    @property
    def unpaid(self) -> float:
        """What is owed of the payments that found no headroom (``arrears``); 0, as
        ``sum`` of nothing, when nothing is (most weeks: the review reads it every week)."""
        arrears = self.arrears
        return sum(amount for _, amount, _ in arrears) if arrears else 0

    @property
    def headroom(self) -> float:
        """What the firm can still pay: cash plus the undrawn credit line."""
        return self._cash + self.credit_line

    @property
    def exhausted(self) -> bool:
        """Discretionary spending has stopped (cash constrained, or insolvent)."""
        return self.state != OPERATING

    def post(self, account: str, amount: float, product: str = "") -> None:
        """Record a movement (positive: money in); ``product``: the product of the line it
        belongs to ("" for the firm's shared costs: salaries, research, interest)."""
        if amount == 0.0:
            return
        self._cash += amount
        rec = self.recorder  # Recorder.cash's row spelt out, as in spend (every step's revenue)
        rec.ledger.append((float(self.env.now), self.firm, account, float(amount)))
        rec.ledger_products.append(product)

    def room(self) -> float:
        """What a discretionary payment may use now."""
        if self.exhausted:
            return 0.0
        return max(self.headroom - self.reserve, 0.0)

    def can_afford(self, amount: float) -> bool:
        """Whether a discretionary payment of ``amount`` would be made in full."""
        return not self.exhausted and self.room() >= amount

    def spend(self, account: str, amount: float, discretionary: bool = True,
              product: str = "") -> float:
        """Pay ``amount`` as far as the rules above allow; returns the paid amount."""
        if amount <= 0.0:
            return 0.0
        # room() and headroom spelt out: this runs for every salary, channel and batch
        if discretionary:
            room = (0.0 if self.state != OPERATING
                    else max(self._cash + self.credit_line - self.reserve, 0.0))
            paid = min(amount, room)
        elif self.state == INSOLVENT:
            paid = 0.0
        else:
            head = self._cash + self.credit_line
            if head >= amount:  # paid in full (most payments): min(amount, max(head, 0.0))
                paid = amount
            else:
                paid = min(amount, max(head, 0.0))
                if paid < amount:
                    self.arrears.append((account, amount - paid, product))
        if paid > 0.0:  # post(account, -paid, product), Recorder.cash's row spelt out
            self._cash += -paid
            rec = self.recorder
            rec.ledger.append((float(self.env.now), self.firm, account, float(-paid)))
            rec.ledger_products.append(product)
        return paid

    def spend_each(self, payments, product: str = "") -> list:
        """Discretionary payments ``(account, amount)`` in order: the same postings as
        ``spend(account, amount, product=product)`` for each; returns the paid amounts."""
        rec = self.recorder
        rows, products = rec.ledger, rec.ledger_products
        t = None
        out = []
        for account, amount in payments:
            if amount <= 0.0:
                out.append(0.0)
                continue
            room = (0.0 if self.state != OPERATING
                    else max(self._cash + self.credit_line - self.reserve, 0.0))
            paid = min(amount, room)
            if paid > 0.0:
                if t is None:
                    t = float(self.env.now)
                self._cash += -paid
                rows.append((t, self.firm, account, float(-paid)))
                products.append(product)
            out.append(paid)
        return out

    def terms(self) -> tuple:
        """(cash, credit line, reserve, operating): what a discretionary payment's rule
        reads (``spend_each``; ``sim.kernel.advertising.advertising_week`` applies it
        compiled)."""
        return self._cash, self.credit_line, self.reserve, self.state == OPERATING

    def post_paid(self, accounts, paid, product: str = "") -> None:
        """Book discretionary payments already sized by ``spend_each``'s rule (``paid``, a
        list of Python floats, one per account, in order; 0 where nothing was paid): the
        same postings and the same cash, payment by payment, as ``spend_each`` makes (its
        ``float(-paid)`` is ``-paid`` for a float: left out, as it runs every week for
        every channel of every product)."""
        rec = self.recorder
        rows, products = rec.ledger, rec.ledger_products
        t, firm = float(self.env.now), self.firm
        cash = self._cash  # each payment taken off in turn, as spend_each does
        # zip without keywords: with strict= (True or False) it took 0.12 us more, of this
        # call's 0.7 (the lengths are the caller's: Marketing's one amount per channel)
        for account, amount in zip(accounts, paid):  # noqa: B905
            if amount > 0.0:
                cash += -amount
                rows.append((t, firm, account, -amount))
                products.append(product)
        self._cash = cash

    def pay_all(self, payments) -> None:
        """Non-discretionary payments ``(account, amount)`` in order, ``amount`` a Python
        float: the same postings as ``spend(account, amount, discretionary=False)`` for
        each (the weekly salaries; ``float(-paid)`` is ``-paid`` for a float)."""
        if self.state == INSOLVENT:  # pays nothing, and owes nothing more
            return
        rec = self.recorder
        rows, products = rec.ledger, rec.ledger_products
        t = float(self.env.now)
        firm, credit = self.firm, self.credit_line
        cash = self._cash  # each payment taken off in turn, as spend does
        for account, amount in payments:
            if amount <= 0.0:
                continue
            if cash + credit >= amount:  # paid in full (most weeks): nothing owed
                cash += -amount
                rows.append((t, firm, account, -amount))
                products.append("")
                continue
            paid = min(amount, max(cash + credit, 0.0))
            self.arrears.append((account, amount - paid, ""))
            if paid > 0.0:
                cash += -paid
                rows.append((t, firm, account, -paid))
                products.append("")
        self._cash = cash

    def settle_arrears(self) -> float:
        """Pay what is owed (``arrears``), oldest first, under the accounts and products it
        was owed for, as far as the headroom goes; what is still owed stays owed. Returns
        the amount paid."""
        owed, self.arrears = self.arrears, []
        total = 0.0
        for account, amount, product in owed:
            total += self.spend(account, amount, discretionary=False, product=product)
        return total

    def for_product(self, product: str) -> "ProductLedger":
        """This ledger as one product of the line sees it: its postings carry its name."""
        return ProductLedger(self, product)


class ProductLedger:
    """The firm's one ledger, seen by one product: ``post`` and ``spend`` tag the product;
    everything else (cash, headroom, states) is the firm's."""

    def __init__(self, ledger: Ledger, product: str):
        self._ledger = ledger
        self.product = product
        self.terms = ledger.terms  # the firm's, untagged (read every marketing week)

    def __getattr__(self, name):
        return getattr(self._ledger, name)

    # what the product's plant and plans read every week, without __getattr__'s detour
    @property
    def unpaid(self) -> float:
        """What is owed of the payments that found no headroom (``arrears``)."""
        return self._ledger.unpaid

    @property
    def headroom(self) -> float:
        ledger = self._ledger  # (Ledger.headroom spelt out: the plant reads it every step)
        return ledger._cash + ledger.credit_line

    @property
    def exhausted(self) -> bool:
        return self._ledger.exhausted

    def can_afford(self, amount: float) -> bool:
        return self._ledger.can_afford(amount)

    def post(self, account: str, amount: float) -> None:
        self._ledger.post(account, amount, self.product)

    def spend(self, account: str, amount: float, discretionary: bool = True) -> float:
        return self._ledger.spend(account, amount, discretionary, self.product)

    def spend_each(self, payments) -> list:
        return self._ledger.spend_each(payments, self.product)

    def post_paid(self, accounts, paid) -> None:
        self._ledger.post_paid(accounts, paid, self.product)
