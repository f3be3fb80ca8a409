"""Customers waiting for a backordered first unit, and word of mouth.

A customer who ordered and waits for a backordered unit is an adopter in the demand kernel
(it holds its order, churns, and may cancel) but has nothing to show or tell yet. In the
supply-restricted diffusion model of Jain, Mahajan and Muller (1991, Marketing Science
10(1):83-90), and in Ho, Savin and Terwiesch (2002, Management Science 48(2):187-206),
applications follow ``dA/dt = (p + q N / m)(m - A)`` with ``N`` the customers served:
waiting customers do not talk. Each step, product ``j``'s *silent* share of owners is

    z_j = (1 - waitlist_word_of_mouth) * min(backlog_j * f_j / N_j, 1)

with ``f_j`` the first purchases' share of its last step's orders (a FIFO backlog holds the
latest orders; a waiting replacement buyer still owns a unit and talks) and ``N_j`` its
installed base; the same share in every segment and region. The kernel's word of mouth
weighs ``j``'s owners by ``satisfaction_j * (1 - z_j)`` (``Offer.silent``, ``Offer.voice``);
the brand word of mouth (``sim.market.organic``) and the cross-region influence
(``sim.market.regions``) hear the owners times ``1 - z_j``. ``waitlist_word_of_mouth`` 1
gives the waitlist a full voice (Keith, Sterman and Struben, System Dynamics Review, 2018,
found the Toyota Prius's waitlist talked).
"""

import numpy as np


class Waitlist:
    def __init__(self, market_cfg, columns, products):
        self.columns = columns
        self.products = products
        self.hushed = 1.0 - market_cfg.waitlist_word_of_mouth  # of a waiting owner's voice
        # per column, the first purchases' share of its last step's orders
        self.first_share = [1.0] * len(columns)

    def silent(self, installed):
        """``(z, talking)``: each product's silent share (J,) and the owners who talk,
        ``installed * (1 - z)`` (S, J); ``(None, None)`` when no product has a backlog or
        the waitlist talks in full (the owners as they are)."""
        if self.hushed == 0.0 or not any(o.production.backlog > 0.0 for o in self.columns):
            return None, None
        z = np.array([
            min(o.production.backlog * first / p.installed_base, 1.0) * self.hushed
            if o.production.backlog > 0.0 and p.installed_base > 0 else 0.0
            for o, p, first in zip(self.columns, self.products, self.first_share,
                                   strict=True)])
        return z, installed * (1.0 - z)

    def observe(self, orders, news) -> None:
        """A step's orders (units) and first purchases per product."""
        for k, units in enumerate(orders):
            if units > 0:
                self.first_share[k] = news[k] / units
