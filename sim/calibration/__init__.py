"""Calibration: fit the diffusion model to a sales history and simulate from the fit.

- ``read_sales_csv`` / ``SalesSeries`` / ``SalesDataError``: checked, trimmed input;
- ``fit_nls``, ``fit_ols`` (``bass``): Bass (1969) by NLS on the closed form
  (Srinivasan and Mason 1986) and by Bass's discrete OLS;
- ``fit_gbm`` (``gbm``): Generalized Bass Model (Bass, Krishnan and Jain 1994);
- ``calibrate`` (``fit``): all of it plus bootstrap intervals, as a ``Calibration``
  (``marketsim-fit --method nls``);
- ``bass_prior`` (``priors``): priors for p, q (the analogy table) and m (a ceiling);
- ``fit_bass_map``, ``forecast`` (``forecast``): the Bass model with priors, MAP + Laplace,
  and predictive intervals; ``curves``: logistic, Gompertz, naive and trend benchmarks;
- ``calibrate_bayes`` (``bayes``): the default method's report, as a ``BayesCalibration``;
- ``example``: the synthetic history of ``marketsim-fit --example``;
- ``write_outputs`` (``output``): fit.json, fit.png, posterior and forecast files and the
  market config YAML; ``summary``: the printed text;
- ``args.check_args``, ``cli.main``: the ``marketsim-fit`` command.

This package sits at the edge (file I/O, plotting); nothing in ``sim`` imports it. SciPy
and the plotting stack load lazily, on first use of the submodules that need them.
"""

from sim.calibration.data import SalesDataError, SalesSeries, read_sales_csv

__all__ = ["SalesDataError", "SalesSeries", "read_sales_csv"]
