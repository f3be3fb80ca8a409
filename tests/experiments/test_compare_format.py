"""Differences of shares are written in percentage points, not %, and never as a signed
zero (``experiments.compare``; the reports' answer and winner sentences)."""

import pandas as pd
import pytest

from experiments.compare import fmt, fmt_diff, signed_points, winner, winner_sentence


@pytest.mark.parametrize("v, text", [(0.012, "1.2 points"), (-0.004, "-0.4 points"),
                                     (-0.0001, "0.0 points"), (float("nan"), "n/a")])
def test_a_share_difference_is_in_points(v, text):
    assert fmt_diff(v, "final_market_share") == text
    assert fmt_diff(1234.0, "npv") == fmt(1234.0, "npv")


@pytest.mark.parametrize("v, text", [(0.012, "+1.2"), (-0.004, "-0.4"), (-0.0001, "0.0"),
                                     (0.0, "0.0")])
def test_signed_points_have_no_signed_zero(v, text):
    assert signed_points(v) == text


def test_the_sentences_give_share_levels_in_percent_and_gaps_in_points():
    from experiments.report import answer_text

    kpis = pd.DataFrame({"option": ["a", "a", "b", "b"], "seed": [0, 1, 0, 1],
                         "final_market_share": [0.30, 0.32, 0.28, 0.30]})
    w = winner(kpis, "final_market_share")
    text = winner_sentence(w, "final share")
    assert "(31.0%), 2.0 points more than the runner-up **b** (29.0%)" in text
    answer = answer_text(kpis, None, kpi="final_market_share", label="final share")
    assert "expected final share 2.0 points more than **b**" in answer
    assert "[2.0 points, 2.0 points]" in answer


def test_options_tied_at_the_best_mean_are_not_a_winner():
    kpis = pd.DataFrame({"option": ["skim", "list", "pen"] * 2, "seed": [0, 0, 0, 1, 1, 1],
                         "final_market_share": [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]})
    w = winner(kpis, "final_market_share")
    assert w["tied"] == ["skim", "list", "pen"]
    text = winner_sentence(w, "final unit share")
    assert text == ("**skim**, **list** and **pen** tie for the highest mean final unit share "
                    "(100.0%): none is best on it.")
    kpis.loc[0, "final_market_share"] = 0.9
    assert winner(kpis, "final_market_share")["tied"] == ["list", "pen"]
    assert winner_sentence(winner(kpis, "final_market_share"), "share").startswith(
        "**list** and **pen** tie")
