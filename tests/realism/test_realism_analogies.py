"""Analogy priors: published Bass p and q by category, shipped as package data."""

import csv
import io
from importlib import resources

import pytest

from sim.analogies import list_analogies, load_analogies, lookup
from sim.cli import UserError, compose
from sim.config import MarketConfig, SegmentConfig
from sim.market import build_segments


def shipped_rows():
    """The CSV read independently of sim.analogies (comment lines dropped)."""
    text = resources.files("sim").joinpath("data", "analogies.csv").read_text("utf-8")
    body = "\n".join(ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#"))
    return list(csv.DictReader(io.StringIO(body))), text


def test_every_category_comes_from_the_shipped_table_with_a_source():
    rows, text = shipped_rows()
    table = load_analogies()
    assert [r["category"] for r in rows] == list(table)
    assert len(table) >= 20
    for r in rows:
        a = table[r["category"]]
        assert (a.p, a.q) == (float(r["p"]), float(r["q"]))
        assert r["source"] and r["url"].startswith("http") and r["note"]
        assert r["source"] in text.split("category,label")[0]  # described in the header
        if r["source"] == "van_den_bulte":
            assert "average" in r["note"]
    assert "ANNUAL" in text  # p, q per year, for annual data


def test_published_values_are_in_plausible_ranges():
    for a in load_analogies().values():
        assert 0.0 < a.p < 0.2, a
        assert 0.0 < a.q < 1.5, a
    mean = lookup("meta_analysis_mean")  # Sultan, Farley and Lehmann 1990
    assert (mean.p, mean.q) == (0.03, 0.38)


def test_analogy_sets_every_segment_p_and_q():
    segs = [SegmentConfig(name="a", p=0.5, q=0.1), SegmentConfig(name="b", p=0.01, q=0.9)]
    for name, a in load_analogies().items():
        market = MarketConfig(segments=[SegmentConfig(**vars(s)) for s in segs], analogy=name)
        assert [(s.p, s.q) for s in market.segments] == [(a.p, a.q)] * 2
    cfg = compose(["market.analogy=color_tv"]).scenario()
    kernel = build_segments(cfg.market)
    assert list(kernel.p * 365.0) == pytest.approx([0.005] * 3, rel=1e-12)
    assert list(kernel.q * 365.0) == pytest.approx([0.84] * 3, rel=1e-12)


def test_unknown_category_names_the_key_and_valid_ones():
    with pytest.raises(UserError, match=r"market\.analogy must be a category .*'cdplayer'.*"
                                        r"did you mean 'cd_player'.*cd_player"):
        compose(["market.analogy=cdplayer"])
    with pytest.raises(ValueError, match=r"market\.analogy .* \(e\.g\. "):
        lookup("tamagotchi")


def test_list_analogies_prints_every_category(capsys):
    list_analogies()
    out = capsys.readouterr().out
    for name in load_analogies():
        assert name in out
    assert "per year" in out
