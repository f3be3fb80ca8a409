"""``marketsim-fit`` at the edges a strategist reaches (the review of 2026-12-07): a
ceiling below the sales already made, a month column, too few bootstrap replicates for the
level, a series the curve cannot explain, an earlier fit's files in the same folder, and a
forecast from a series at or past its peak (Bass 1969: sales fall after t*)."""

import json

import numpy as np
import pytest
from test_cli import run, write_bass

from sim.calibration import cautions
from sim.calibration.bass import period_sales, unit_bounds
from sim.calibration.forecast import fit_bass_map, forecast, past_peak
from sim.calibration.priors import bass_prior


def test_a_ceiling_below_the_sales_already_made_is_refused(tmp_path):
    csv = write_bass(tmp_path / "s.csv")  # about 17,000 sold over 13 years
    res = run(csv, "--ceiling", 100, "--forecast", 3, "--out", tmp_path / "o")
    assert res.returncode == 2
    assert "--ceiling 100 is below the" in res.stderr and "already sold" in res.stderr
    assert not (tmp_path / "o").exists()


def test_a_month_column_is_read_as_months(tmp_path):
    """Monthly sales of p = 0.01, q = 0.4 per year: read as years, q came out about 12
    times too slow; the column's name now sets the period, and --period-years wins."""
    n = 60
    sales = period_sales(0.01 / 12, 0.4 / 12, 10_000.0, unit_bounds(n))
    csv = tmp_path / "monthly.csv"
    csv.write_text("month,sales\n" + "\n".join(f"{i + 1},{v:.3f}" for i, v in
                                               enumerate(sales)) + "\n")
    res = run(csv, "--json", "--out", tmp_path / "o")
    fit = json.loads(res.stdout)
    assert fit["period_years"] == pytest.approx(1 / 12)
    assert fit["q_per_year"] == pytest.approx(0.4, rel=0.1)
    assert any("from the period column's name 'month'" in n for n in fit["notes"])
    res = run(csv, "--json", "--period-years", 1, "--out", tmp_path / "p")
    assert json.loads(res.stdout)["period_years"] == 1.0


@pytest.mark.parametrize("n", [1, 9])
def test_an_nls_bootstrap_of_fewer_than_10_replicates_is_refused(tmp_path, n):
    res = run(write_bass(tmp_path / "s.csv"), "--method", "nls", "--bootstrap", n,
              "--out", tmp_path / "o")
    assert res.returncode == 2
    assert f"--bootstrap must be 0 (no intervals) or at least 10, got {n}" in res.stderr


def test_thin_tails_are_said():
    assert cautions.thin_tails(1000, 0.95, "draws") == []  # 25 a tail
    note = cautions.thin_tails(10, 0.999, "bootstrap replicates")[0]
    assert "rest on 0.005 of the 10 bootstrap replicates in each tail" in note
    assert "at least 10,000 bootstrap replicates" in note
    assert cautions.thin_tails(199, 0.95, "draws")  # 5 a tail is the least
    assert not cautions.thin_tails(200, 0.95, "draws")


def test_a_series_the_curve_cannot_explain_says_so(tmp_path):
    """A clean Bass series with one year multiplied by 20: R^2 falls to about 0.3 and the
    note says the parameters rest on the priors; the clean series has no such note."""
    clean = write_bass(tmp_path / "clean.csv")
    spiky = tmp_path / "spiky.csv"
    lines = clean.read_text().splitlines()
    year, value = lines[4].split(",")
    lines[4] = f"{year},{float(value) * 20:.1f}"
    spiky.write_text("\n".join(lines) + "\n")
    for path, poor in ((clean, False), (spiky, True)):
        fit = json.loads(run(path, "--json", "--out", tmp_path / path.stem).stdout)
        assert any("explains little" in n for n in fit["notes"]) is poor
        assert (fit["r2"] < cautions.POOR_R2) is poor


def test_a_later_fit_removes_the_earlier_fits_other_files(tmp_path):
    """A default fit with a forecast, then an nls fit without a figure into the same folder:
    the first fit's posterior, forecast and figure would describe another product."""
    out = tmp_path / "o"
    assert run(write_bass(tmp_path / "a.csv"), "--forecast", 3, "--out", out,
               "--name", "prod").returncode == 0
    assert {"posterior.json", "posterior.csv", "forecast.csv", "fit.png"} <= {
        p.name for p in out.iterdir()}
    assert run(write_bass(tmp_path / "b.csv", q=0.6), "--method", "nls", "--no-plot",
               "--out", out, "--name", "prod").returncode == 0
    assert sorted(p.name for p in out.iterdir()) == [".marketsim-fit-files.json", "fit.json",
                                                     "market"]
    assert json.loads((out / "fit.json").read_text())["method"] != "bass-map"


def test_a_fit_removes_only_what_an_earlier_fit_wrote(tmp_path):
    """A file of the same name that no fit wrote stays, and so does the input, even when it
    is called forecast.csv and sits in the output folder (the first version of the clean-up
    deleted both)."""
    out = tmp_path / "o"
    out.mkdir()
    (out / "posterior.csv").write_text("mine\n")
    data = write_bass(out / "forecast.csv")
    assert run(data, "--method", "nls", "--bootstrap", 0, "--no-plot", "--out", out,
               "--name", "p").returncode == 0
    assert (out / "posterior.csv").read_text() == "mine\n"
    assert data.is_file()
    assert json.loads((out / ".marketsim-fit-files.json").read_text()) == [
        "fit.json", "market/p.yaml"]
    # a default fit would write its forecast.csv over the input: refused, nothing written
    before = data.read_bytes()
    res = run(data, "--forecast", 2, "--out", out, "--name", "p")
    assert res.returncode == 2 and "would be overwritten" in res.stderr
    assert data.read_bytes() == before


def test_a_failed_write_leaves_the_earlier_folder_as_it_was(tmp_path):
    out = tmp_path / "o"
    assert run(write_bass(tmp_path / "a.csv"), "--out", out, "--name", "x").returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    (out / "market" / "x.yaml").unlink()
    (out / "market" / "x.yaml").mkdir()  # the config cannot be written
    res = run(write_bass(tmp_path / "b.csv", q=0.6), "--out", out, "--name", "x")
    assert res.returncode == 2 and "x.yaml" in res.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert not [p for p in out.rglob(".*tmp*")]


def bass_sales(n, p=0.01, q=0.5, m=10_000.0):
    return period_sales(p, q, m, unit_bounds(n))


def test_past_its_peak_the_plain_fit_drives_the_forecast():
    """An exact Bass series (p 0.01, q 0.5, peak at t* = 7.9) cut two periods after its
    peak: the plain fit's curve is past its peak and the last period sold less than the
    best, so the plain fit drives the forecast. Its next four periods (885, 644, 440, 289)
    fall as the true curve's do (805, 568, 379, 243; the prior keeps m 4% high), where the
    discounted refit's (1,090, 922, 738, 565) ran 35-130% over them."""
    true = bass_sales(14)
    sales = true[:10]
    prior = bass_prior()
    plain = fit_bass_map(sales, prior, discount=1.0)
    assert past_peak(plain) and sales[-1] < sales.max()
    f = forecast(sales, 4, prior, seed=0)
    assert f.discount_per_year == 1.0
    np.testing.assert_allclose(f.sales_point, true[10:14], rtol=0.20)
    assert np.all(np.diff(f.sales_point) < 0)
    assert f.posterior.m == pytest.approx(10_000.0, rel=0.05)


def test_before_its_peak_the_discounted_fit_drives_the_forecast():
    sales = bass_sales(6)  # rising, t* = 7.9
    f = forecast(sales, 3, bass_prior(), seed=0)
    assert f.discount_per_year == 0.75


def test_a_series_at_its_peak_by_the_fit_yet_still_rising_is_warned_of(tmp_path):
    """The plain fit puts the peak inside the data while the last period is the best yet
    (color TV's first six years): the forecast stays with the discounted refit and a note
    says that it keeps projecting growth."""
    csv = tmp_path / "ctv.csv"
    csv.write_text("year,sales\n1963,747\n1964,1480\n1965,2646\n1966,5118\n1967,5777\n"
                   "1968,5982\n")
    fit = json.loads(run(csv, "--json", "--forecast", 3, "--out", tmp_path / "o").stdout)
    assert fit["forecast"]["fit"]["discount_per_year"] == 0.75
    assert any("puts the peak inside the data" in n for n in fit["notes"])
    # without a forecast there is nothing to warn of
    fit = json.loads(run(csv, "--json", "--out", tmp_path / "p").stdout)
    assert not any("puts the peak inside the data" in n for n in fit["notes"])


def test_cumulative_figures_given_as_sales_are_noted(tmp_path):
    """The cumulative adopters of a Bass curve given as sales: never falling, its last rises
    flat; a sales series is not flagged (none of the 12 real sales series of the shared data
    nor the development set's 57 differenced series were, 2026-12-07)."""
    sales = period_sales(0.01, 0.4, 10_000.0, unit_bounds(25))
    cum = np.cumsum(sales)
    assert cautions.cumulative_like(cum)
    assert not cautions.cumulative_like(sales)
    assert not cautions.cumulative_like(cum[:5])  # too short to tell
    csv = tmp_path / "cum.csv"
    csv.write_text("year,sales\n" + "\n".join(f"{1990 + i},{v:.1f}" for i, v in
                                              enumerate(cum)) + "\n")
    fit = json.loads(run(csv, "--json", "--out", tmp_path / "o").stdout)
    assert any("cumulative figures" in n for n in fit["notes"])


@pytest.mark.parametrize("column, step, years", [("month", 1.0, 1 / 12), ("Quarter", 1.0, 0.25),
                                                 ("week", 2.0, 14 / 365.25), ("t", 1.0, 1.0),
                                                 ("year", 5.0, 5.0)])
def test_the_period_column_sets_the_period(column, step, years):
    """Both commands (a single series and --generations) read the period's length so."""
    from sim.calibration.data import SalesSeries, period_length

    series = SalesSeries("x", column, 1990 + step * np.arange(6.0), np.ones(6))
    notes = []
    assert period_length(series, None, notes) == pytest.approx(years)
    assert bool(notes) is (column.lower() in ("month", "quarter", "week"))
    assert period_length(series, 0.5, []) == 0.5


@pytest.mark.parametrize("cell, hint", [
    ("1949-01-01", "(a date: give the periods as numbers"),
    ('"96,5"', "(a decimal comma: write the number with a decimal point)"),
    ('"96,000"', "(a thousands separator: write the number without commas)"),
])
def test_a_cell_that_is_not_a_number_says_the_likely_cause(tmp_path, cell, hint):
    """Dates, decimal commas and thousands separators had each read only "is not a
    number" (the review of a new user's CSVs)."""
    column = "date" if "-" in cell else "sales"
    rows = [f"{cell},10" if column == "date" else f"{1949 + i},{cell if i == 0 else 10}"
            for i in range(5)]
    header = "date,sales" if column == "date" else "year,sales"
    csv = tmp_path / "s.csv"
    csv.write_text(header + "\n" + "\n".join(rows) + "\n")
    res = run(csv, "--out", tmp_path / "o")
    assert res.returncode == 2 and hint in res.stderr, res.stderr


def test_a_first_column_taken_as_the_periods_and_a_repeated_column_are_named(tmp_path):
    csv = tmp_path / "s.csv"
    csv.write_text("product,yr,sales\n" + "".join(f"A,{2000 + i},{10 + i}\n" for i in range(6)))
    res = run(csv, "--out", tmp_path / "o")
    assert res.returncode == 2
    assert "so the first, 'product', was read as the periods" in res.stderr
    csv.write_text("year,sales,sales\n" + "".join(f"{2000 + i},{10 + i},1\n" for i in range(6)))
    res = run(csv, "--out", tmp_path / "p")
    assert res.returncode == 2 and "column 'sales' appears 2 times" in res.stderr


def test_columns_not_read_are_named_and_the_default_fit_says_it_ignores_the_mix(tmp_path):
    """A misspelt 'advertizing', extra columns, and price/advertising under the default
    (plain Bass) method had all been dropped without a word."""
    sales = period_sales(0.01, 0.4, 18_000.0, unit_bounds(13))
    csv = tmp_path / "s.csv"
    csv.write_text("year,sales,price,advertizing,region\n" + "".join(
        f"{1949 + i},{v:.1f},{400 - 10 * i},{50 + i},US\n" for i, v in enumerate(sales)))
    fit = json.loads(run(csv, "--json", "--out", tmp_path / "o").stdout)
    assert any("columns not read: 'advertizing', 'region'" in n for n in fit["notes"])
    assert any("price and advertising columns are read by --method nls" in n
               for n in fit["notes"])


def test_a_prior_that_overrules_the_data_says_so():
    """Weekly sales of 5 to 150 in 8 weeks: the default fit followed the prior (m 29,134,
    R^2 0.01, next week 57 after 150) without saying that a least-squares curve fits them
    (R^2 1.00, m 1,024)."""
    from sim.calibration.bayes import calibrate_bayes
    from sim.calibration.data import SalesSeries

    weeks = np.arange(1.0, 9.0)
    series = SalesSeries("weekly.csv", "week", weeks,
                         np.array([5, 9, 20, 33, 60, 90, 120, 150], float))
    cal = calibrate_bayes(series, "weekly", period_years=7 / 365.25)
    [note] = [n for n in cal.notes if n.startswith("the prior and the data disagree")]
    assert "--method nls" in note and "m = 1,02" in note
    # a series the prior agrees with gets no such note
    sales = period_sales(0.01, 0.4, 18_000.0, unit_bounds(13))
    fine = calibrate_bayes(SalesSeries("s.csv", "year", np.arange(1949.0, 1962.0), sales), "s")
    assert not any(n.startswith("the prior and the data disagree") for n in fine.notes)


def test_running_totals_past_their_inflection_are_flagged_as_cumulative():
    """Running totals still rising at the end (room air conditioners summed: fitted m
    126,760 against about 18,000 sold) had no note. Sales per period that fall, or still
    accelerate, get none; sales that rise to their peak and stop have the same shape as a
    running total, and the note says both readings."""
    sales = period_sales(0.01, 0.4, 18_000.0, unit_bounds(15))  # peaks near period 9
    # the running total still rises by 651 a period at the end (4% of its level)
    [note] = cautions.cumulative_like(np.cumsum(sales))
    assert "if these are cumulative figures" in note and "near its peak" in note
    assert not cautions.cumulative_like(sales)  # falls after its peak
    assert not cautions.cumulative_like(sales[:6])  # still accelerating
    assert "near its peak" in cautions.cumulative_like(sales[:9])[0]


def test_a_generalized_bass_coefficient_at_its_bound_is_not_reported_as_an_estimate(tmp_path):
    """A falling price with noisy advertising (a reviewer's adv2.csv) printed beta_price =
    20, its interval the whole search box, with no note; a positive price coefficient is
    also the wrong sign."""
    sales = [96, 195, 238, 380, 1045, 1230, 1267, 1828, 1586, 1673, 1800, 1580, 1500]
    adv = [44, 61, 48, 57, 55, 70, 72, 76, 84, 79, 76, 76, 91]
    csv = tmp_path / "adv2.csv"
    csv.write_text("year,sales,price,advertising\n" + "".join(
        f"{1949 + i},{s},{400 - 10 * i},{a}\n"
        for i, (s, a) in enumerate(zip(sales, adv, strict=True))))
    fit = json.loads(run(csv, "--json", "--method", "nls", "--out", tmp_path / "o").stdout)
    assert abs(fit["gbm"]["beta_price"]) >= 19.99
    assert any(n.startswith("Generalized Bass: beta_price = 20 is at the edge of its search")
               for n in fit["notes"])
    assert any("the opposite of the expected sign" in n for n in fit["notes"])
