"""The assumptions name a late entrant's planned launch beside its entry day: a firm launches
no earlier than its planned day, a day of the run, so an entry day moved alone (200) left the
disruptor launching on day 1,100 while the report said only that it started on day 200."""

import dataclasses

from sim.cli import compose
from sim.results.assumptions import assumption_lines


def competitors_line(overrides):
    cfg = dataclasses.asdict(compose(overrides).scenario())
    return next(x for x in assumption_lines(cfg) if x.startswith("- **Competitors and"))


def test_a_late_entrant_names_its_planned_launch():
    line = competitors_line(["scenario=disruptor_entry",
                             "competitors.disruptor.strategy.entry_day=200"])
    assert ("starts developing on day 200 and launches no earlier than its planned day 1,100"
            in line)
    # a rival on the market from the start has no schedule to state
    assert "incumbent (incumbent, list price" in line
    assert "incumbent, list price 239 USD, starts" not in line


def test_a_plan_that_does_not_bind_is_not_named():
    line = competitors_line(["scenario=disruptor_entry",
                             "competitors.disruptor.development.launch_not_before_plan=false"])
    assert "starts developing on day 700)" in line


def test_a_plan_before_the_entry_is_not_named_and_one_past_the_horizon_says_so():
    """A disruptor entering on day 1,200 with a plan of day 1,100 launches when its
    development is done; a plan past the horizon means no launch within the run."""
    line = competitors_line(["scenario=disruptor_entry",
                             "competitors.disruptor.strategy.entry_day=1200"])
    assert "starts developing on day 1,200)" in line
    line = competitors_line(["scenario=disruptor_entry", "horizon_days=700"])
    assert "its planned day 1,100 (after the horizon))" in line


def test_a_plan_counted_from_the_start_is_named_from_the_entry():
    line = competitors_line(["scenario=disruptor_entry",
                             "competitors.disruptor.development.planned_after_start_days=300"])
    assert "starts developing on day 700 and launches no earlier than its planned day 1,000" \
        in line
