"""configs/competitor/challenger_twin.yaml is our challenger as a rival: the same product,
price, production, marketing, teams, hiring and research (only the name, the strategy and
the empty pipeline differ), so order_of_entry's three firms differ only in entry day."""

from dataclasses import asdict

from sim.cli import compose


def test_the_twin_equals_the_challenger():
    cfg = compose(["scenario=baseline", "+competitor@competitors.twin=challenger_twin"]).scenario()
    us, twin = asdict(cfg.firms[0]), asdict(_named(cfg.firms, "twin"))
    for key in ("product", "pricing", "production", "marketing", "teams", "hiring", "research",
                "initial_cash"):
        assert twin[key] == us[key], key
    assert twin["development"]["planned_launch_day"] == us["development"]["planned_launch_day"]


def test_order_of_entry_firms_differ_only_in_entry_day():
    cfg = compose(["scenario=order_of_entry"]).scenario()
    days = sorted(f.development.planned_launch_day for f in cfg.firms)
    assert days == [0.0, 365.0, 730.0]
    first = asdict(cfg.firms[0])
    for rival in cfg.firms[1:]:
        other = asdict(rival)
        for key in ("product", "pricing", "production", "marketing", "teams", "hiring",
                    "research"):
            assert other[key] == first[key], (rival.name, key)


def _named(firms, name):
    return next(f for f in firms if f.name == name)
