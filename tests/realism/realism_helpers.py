"""Helpers for the market-realism tests."""

import dataclasses


def with_segments(cfg, **changes):
    """A copy of a scenario config with the same changes applied to every segment."""
    segs = [dataclasses.replace(s, **changes) for s in cfg.market.segments]
    return dataclasses.replace(cfg, market=dataclasses.replace(cfg.market, segments=segs))


def with_firm(cfg, **changes):
    """A copy of a scenario config with our firm's fields replaced."""
    return dataclasses.replace(cfg, firm=dataclasses.replace(cfg.firm, **changes))
